/* PL011 UART (ARM DDI 0183): transmit to a host fd, receive FIFO, interrupt
 * status. Modem lines, DMA and baud rate have no effect (registers read back).
 * Thread rules: MMIO callbacks run on vCPU threads under the device lock,
 * but for pl011_read_fast (FR, without it). */
#include "pl011.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../memory/mem.h"
#include "../smp/machine.h"
#include "devices.h"

enum {
    UARTDR = 0x000, UARTRSR = 0x004, UARTFR = 0x018, UARTILPR = 0x020, UARTIBRD = 0x024,
    UARTFBRD = 0x028, UARTLCR_H = 0x02c, UARTCR = 0x030, UARTIFLS = 0x034, UARTIMSC = 0x038,
    UARTRIS = 0x03c, UARTMIS = 0x040, UARTICR = 0x044, UARTDMACR = 0x048,
};
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define LCR_FEN (1u << 4)

/* Caller holds u->lock. */
static void pl011_update(PL011 *u)
{
    bool level = (u->ris & u->imsc) != 0;
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* RX interrupt when the FIFO reaches its trigger level (IFLS bits 5:3:
 * 1/8, 1/4, 1/2, 3/4, 7/8), or with one byte when FIFOs are off. A receive
 * timeout interrupt (RT) is raised for any data below the level: we have no
 * bit timing, so "timeout" means "data waiting" (as QEMU does). Every change
 * of rx_count or LCR_H ends here, so this is also where FR is kept. Caller
 * holds u->lock. */
static void pl011_rx_status(PL011 *u)
{
    unsigned depth = (u->lcr_h & LCR_FEN) ? PL011_FIFO : 1;
    uint32_t fr = FR_TXFE; /* transmission is immediate */
    if (!u->rx_count)
        fr |= FR_RXFE;
    if (u->rx_count >= depth)
        fr |= FR_RXFF;
    /* Release: a read that sees data waiting and then takes the lock for DR
     * finds it there. */
    __atomic_store_n(&u->fr, fr, __ATOMIC_RELEASE);
    static const unsigned eighths[8] = {1, 2, 4, 6, 7, 7, 7, 7};
    unsigned trig = (u->lcr_h & LCR_FEN) ? depth * eighths[(u->ifls >> 3) & 7] / 8 : 1;
    u->ris &= ~(INT_RX | INT_RT);
    if (u->rx_count >= trig)
        u->ris |= INT_RX;
    if (u->rx_count)
        u->ris |= INT_RT;
}

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
    case UARTDR: {
        if (!u->rx_count)
            return 0;
        uint8_t b = u->rx[u->rx_head];
        u->rx_head = (u->rx_head + 1) % PL011_FIFO;
        u->rx_count--;
        /* Wake a waiting backend only once half the FIFO is free: it then
         * refills many bytes per wake-up instead of one. */
        if (u->rx_count <= ((u->lcr_h & LCR_FEN) ? PL011_FIFO : 1) / 2)
            charport_room(&u->port);
        pl011_rx_status(u);
        pl011_update(u);
        return b;
    }
    case UARTRSR: return 0;
    case UARTFR: return __atomic_load_n(&u->fr, __ATOMIC_RELAXED);
    case UARTIBRD: return u->ibrd;
    case UARTFBRD: return u->fbrd;
    case UARTLCR_H: return u->lcr_h;
    case UARTCR: return u->cr;
    case UARTIFLS: return u->ifls;
    case UARTIMSC: return u->imsc;
    case UARTRIS: return u->ris;
    case UARTMIS: return u->ris & u->imsc;
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
        if (write(u->out_fd, &c, 1) < 0 && errno == EPIPE && u->machine) {
            /* Nobody reads the console any more (flotilla | head): SIGPIPE
             * is ignored (console.c), so stop the machine as a clean exit. */
            machine_request_stop(u->machine, 0);
        }
        /* The TX FIFO drains at once: the TX interrupt is always asserted. */
        u->ris |= INT_TX;
        break;
    }
    case UARTIBRD: u->ibrd = (uint32_t)v & 0xffff; break;
    case UARTFBRD: u->fbrd = (uint32_t)v & 0x3f; break;
    case UARTLCR_H:
        /* Turning FIFOs on or off flushes them (PL011 TRM 3.3.7). */
        if ((u->lcr_h ^ (uint32_t)v) & LCR_FEN) {
            u->rx_count = 0;
            charport_room(&u->port);
        }
        u->lcr_h = (uint32_t)v & 0xff;
        pl011_rx_status(u);
        break;
    case UARTCR: u->cr = (uint32_t)v & 0xff87; break;
    case UARTIFLS: u->ifls = (uint32_t)v & 0x3f; pl011_rx_status(u); break;
    case UARTIMSC: u->imsc = (uint32_t)v & 0x7ff; break;
    case UARTICR:
        u->ris &= ~(uint32_t)v;
        /* Data still waiting re-asserts its status at once. */
        pl011_rx_status(u);
        break;
    default: break;
    }
    pl011_update(u);
}

/* Any vCPU thread, without the lock: FR, which Linux polls around every
 * console character (and a bare-metal program in a loop). Its one word
 * changes only under the lock, so this read is the locked read of some
 * moment; the lock and its unlock were half the cost of an MMIO read. */
static bool pl011_read_fast(void *opaque, uint64_t off, int size, uint64_t *val)
{
    PL011 *u = opaque;
    (void)size;
    if (off != UARTFR)
        return false;
    *val = __atomic_load_n(&u->fr, __ATOMIC_ACQUIRE);
    return true;
}

static const MMIOOps pl011_ops = {.read = pl011_read, .write = pl011_write, .read_fast = pl011_read_fast};

/* Backend thread (CharPort.recv): take what fits in the receive FIFO. */
static size_t pl011_recv(void *dev, const uint8_t *buf, size_t n)
{
    PL011 *u = dev;
    size_t taken = 0;
    pthread_mutex_lock(&u->lock);
    unsigned depth = (u->lcr_h & LCR_FEN) ? PL011_FIFO : 1;
    while (taken < n && u->rx_count < depth) {
        u->rx[(u->rx_head + u->rx_count) % PL011_FIFO] = buf[taken++];
        u->rx_count++;
    }
    if (taken < n)
        charport_stall(&u->port);
    pl011_rx_status(u);
    pl011_update(u);
    pthread_mutex_unlock(&u->lock);
    return taken;
}

PL011 *pl011_create(Machine *m, uint64_t base, int out_fd, IRQLine irq)
{
    PL011 *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->machine = m;
    u->out_fd = out_fd;
    u->irq = irq;
    u->port = (CharPort){.recv = pl011_recv, .dev = u, .wake_fd = -1};
    u->cr = 0x300;
    u->ifls = 0x12;
    u->ris = INT_TX;
    pl011_rx_status(u); /* FR: empty */
    pthread_mutex_init(&u->lock, NULL);
    physmap_add_mmio(&m->pm, "pl011", base, 0x1000, &pl011_ops, u, &u->lock);
    return u;
}

bool pl011_receive(PL011 *u, uint8_t byte)
{
    return pl011_recv(u, &byte, 1) == 1;
}

void pl011_destroy(PL011 *u)
{
    if (!u)
        return;
    pthread_mutex_destroy(&u->lock);
    free(u);
}
