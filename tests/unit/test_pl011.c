/* Unit tests for the PL011's receive side with back-pressure
 * (devices/pl011.c, devices/chardev.h): the FIFO takes what fits and
 * records that the backend waits; a guest read of UARTDR makes room and
 * wakes the backend through its eventfd exactly once; the RX/RT interrupt
 * follows the FIFO level (ARM DDI 0183). */
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"
#include "devices/pl011.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTLCR_H 0x02c
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)
#define LCR_FEN (1u << 4)

static int level;
static void line(void *opaque, int n, int lvl) { (void)opaque, (void)n, level = lvl; }

static TestMachine *tm;
static PL011 *u;
static const MMIORegion *reg;
static int efd;

static void setup(void)
{
    tm = test_machine_new();
    u = pl011_create(&tm->m, 0x09000000, -1, (IRQLine){.handler = line, .n = 33});
    cr_assert_not_null(u);
    reg = phys_find_mmio(&tm->m.pm, 0x09000000);
    cr_assert_not_null(reg);
    efd = eventfd(0, EFD_NONBLOCK);
    u->port.wake_fd = efd;
    level = 0;
}

static void teardown(void)
{
    close(efd);
    pl011_destroy(u);
    test_machine_free(tm);
}

/* As mmio_access reads (memory/tlb.c): FR without the lock, the rest under it. */
static uint64_t rd(uint64_t off)
{
    uint64_t v;
    bool fast = reg->ops->read_fast(reg->opaque, off, 4, &v);
    cr_assert_eq(fast, off == UARTFR, "offset %#llx read without the lock: %d", (unsigned long long)off, fast);
    return fast ? v : reg->ops->read(reg->opaque, off, 4);
}
static void wr(uint64_t off, uint64_t v) { reg->ops->write(reg->opaque, off, v, 4); }

/* How many wake-ups the backend got since the last call. */
static uint64_t wakeups(void)
{
    uint64_t n = 0;
    if (read(efd, &n, sizeof(n)) < 0)
        return 0;
    return n;
}

TestSuite(pl011, .init = setup, .fini = teardown);

Test(pl011, fifo_full_holds_back_and_wakes_once)
{
    wr(UARTLCR_H, LCR_FEN | 0x60);
    uint8_t in[40];
    for (int i = 0; i < 40; i++)
        in[i] = (uint8_t)('A' + i);
    size_t took = u->port.recv(u->port.dev, in, sizeof(in));
    cr_assert_eq(took, PL011_FIFO, "the FIFO takes exactly its depth");
    cr_assert(u->port.waiting, "a short take marks the backend as waiting");
    cr_assert(rd(UARTFR) & FR_RXFF);
    cr_assert_eq(wakeups(), 0, "no room yet: no wake-up");
    cr_assert_eq(u->port.recv(u->port.dev, in + took, 8), 0);
    for (int i = 0; i < PL011_FIFO / 2 - 1; i++) {
        cr_assert_eq(rd(UARTDR), 'A' + i);
        cr_assert_eq(wakeups(), 0, "no wake-up before half the FIFO is free (byte %d)", i);
    }
    cr_assert_eq(rd(UARTDR), 'A' + PL011_FIFO / 2 - 1);
    cr_assert_eq(wakeups(), 1, "half the FIFO free: the backend is woken");
    cr_assert_not(u->port.waiting);
    cr_assert_eq(rd(UARTDR), 'A' + PL011_FIFO / 2);
    cr_assert_eq(wakeups(), 0, "one wake-up per stall, not per byte");
    took += u->port.recv(u->port.dev, in + took, sizeof(in) - took);
    cr_assert_eq(took, sizeof(in), "the rest fits now");
    /* Every byte comes out once, in order. */
    for (int i = PL011_FIFO / 2 + 1; i < (int)took; i++)
        cr_assert_eq(rd(UARTDR), in[i], "byte %d", i);
    cr_assert(rd(UARTFR) & FR_RXFE);
}

Test(pl011, no_fifo_takes_one_byte)
{
    wr(UARTLCR_H, 0x60); /* FEN = 0: a one-byte holding register */
    uint8_t in[3] = {1, 2, 3};
    cr_assert_eq(u->port.recv(u->port.dev, in, 3), 1);
    cr_assert(u->port.waiting);
    cr_assert_eq(rd(UARTDR), 1);
    cr_assert_eq(wakeups(), 1);
}

Test(pl011, fifo_flush_wakes_backend)
{
    wr(UARTLCR_H, LCR_FEN);
    uint8_t in[PL011_FIFO + 1] = {0};
    cr_assert_eq(u->port.recv(u->port.dev, in, sizeof(in)), PL011_FIFO);
    wr(UARTLCR_H, 0); /* turning the FIFO off flushes it: room */
    cr_assert_eq(wakeups(), 1);
}

Test(pl011, rx_interrupt_follows_fifo_level)
{
    wr(UARTLCR_H, LCR_FEN);
    wr(UARTIMSC, INT_RX | INT_RT);
    cr_assert_eq(level, 0);
    uint8_t b = 'x';
    cr_assert(pl011_receive(u, b));
    cr_assert_eq(level, 1, "data below the trigger level: receive timeout");
    cr_assert_eq(rd(UARTRIS) & (INT_RX | INT_RT), INT_RT);
    for (int i = 0; i < PL011_FIFO / 2 - 1; i++)
        pl011_receive(u, b);
    cr_assert(rd(UARTRIS) & INT_RX, "half full (IFLS reset value): RX");
    while (!(rd(UARTFR) & FR_RXFE))
        rd(UARTDR);
    cr_assert_eq(level, 0, "drained: the line drops");
    cr_assert_eq(rd(UARTRIS) & (INT_RX | INT_RT), 0);
}
