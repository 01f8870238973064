/* PL011 UART: transmit to the host's stdout. Receive, interrupts and the
 * terminal escape come with the system-level work.
 * Thread rules: MMIO callbacks run on vCPU threads under the device lock. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../smp/machine.h"
#include "devices.h"
#include "pl011.h"

enum {
    UARTDR = 0x000, UARTFR = 0x018, UARTIBRD = 0x024, UARTFBRD = 0x028, UARTLCR_H = 0x02c,
    UARTCR = 0x030, UARTIFLS = 0x034, UARTIMSC = 0x038, UARTRIS = 0x03c, UARTMIS = 0x040,
    UARTICR = 0x044, UARTDMACR = 0x048,
};
#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)

static uint64_t pl011_read(void *opaque, uint64_t off, int size)
{
    PL011 *u = opaque;
    (void)size;
    if (off >= 0xfe0 && off < 0x1000) {
        /* PeriphID0-3, PCellID0-3 of an ARM PL011 r1p5 */
        static const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
        return id[(off - 0xfe0) >> 2];
    }
    switch (off) {
    case UARTDR: return 0;
    case UARTFR: return FR_RXFE | FR_TXFE;
    case UARTIBRD: return u->ibrd;
    case UARTFBRD: return u->fbrd;
    case UARTLCR_H: return u->lcr_h;
    case UARTCR: return u->cr;
    case UARTIFLS: return u->ifls;
    case UARTIMSC: return u->imsc;
    default: return 0;
    }
}

static void pl011_write(void *opaque, uint64_t off, uint64_t v, int size)
{
    PL011 *u = opaque;
    (void)size;
    switch (off) {
    case UARTDR: {
        char c = (char)v;
        if (write(u->out_fd, &c, 1) < 0) {
            /* Host stdout closed: the guest's output is lost, nothing else to do. */
        }
        break;
    }
    case UARTIBRD: u->ibrd = (uint32_t)v; break;
    case UARTFBRD: u->fbrd = (uint32_t)v; break;
    case UARTLCR_H: u->lcr_h = (uint32_t)v; break;
    case UARTCR: u->cr = (uint32_t)v; break;
    case UARTIFLS: u->ifls = (uint32_t)v; break;
    case UARTIMSC: u->imsc = (uint32_t)v; break;
    default: break;
    }
}

static const MMIOOps pl011_ops = {pl011_read, pl011_write};

PL011 *pl011_create(Machine *m, uint64_t base, int out_fd)
{
    PL011 *u = calloc(1, sizeof(*u));
    u->out_fd = out_fd;
    u->cr = 0x300;
    u->ifls = 0x12;
    pthread_mutex_init(&u->lock, NULL);
    physmap_add_mmio(&m->pm, "pl011", base, 0x1000, &pl011_ops, u, &u->lock);
    return u;
}

void pl011_destroy(PL011 *u)
{
    if (!u)
        return;
    pthread_mutex_destroy(&u->lock);
    free(u);
}
