/* Bare-metal micro-benchmarks (flotilla and qemu-system-aarch64 -M virt
 * -semihosting): MMIO read of the PL011 flag register, and a pure ALU loop
 * for guest MIPS; timed with the generic timer (CNTVCT_EL0 / CNTFRQ_EL0),
 * reported through semihosting as "BENCH-MICRO name value unit". Built
 * with tests/guest/crt0.S and libguest.c. */
#include <stdint.h>

#include "cntvct.h"
#include "libguest.h"

#ifndef BM_LOOPS
#define BM_LOOPS 200000
#endif

/* value with one decimal */
static void report(const char *name, uint64_t tenths, const char *unit)
{
    guest_puts("BENCH-MICRO ");
    guest_puts(name);
    guest_puts(" ");
    guest_put_dec(tenths / 10);
    guest_puts(".");
    guest_put_dec(tenths % 10);
    guest_puts(" ");
    guest_puts(unit);
    guest_puts("\n");
}

int main(void)
{
    uint64_t f = cntfrq();
    volatile uint32_t *fr = (volatile uint32_t *)0x09000018; /* PL011 UARTFR */
    uint64_t t0 = cntvct();
    uint32_t acc = 0;
    for (int i = 0; i < BM_LOOPS; i++)
        acc += *fr;
    uint64_t t1 = cntvct();
    /* ns per read = ticks * 1e9 / f / loops, in tenths */
    report("mmio_read_pl011", (t1 - t0) * 10000000000ull / f / BM_LOOPS, "ns");

    /* ALU loop: 8 instructions per iteration (6 ALU, SUBS, B.NE). */
    uint64_t n = (uint64_t)BM_LOOPS * 50, x = 1, y = 3;
    t0 = cntvct();
    __asm__ volatile("1: add %0, %0, %1\n eor %1, %1, %0, lsl #3\n add %0, %0, #7\n"
                     " orr %1, %1, %0, lsr #5\n mul %0, %0, %1\n add %1, %1, #1\n"
                     " subs %2, %2, #1\n b.ne 1b"
                     : "+r"(x), "+r"(y), "+r"(n)::"cc");
    t1 = cntvct();
    uint64_t insns = (uint64_t)BM_LOOPS * 50 * 8;
    /* MIPS = insns / (ticks / f) / 1e6, in tenths */
    report("alu_loop_mips", insns * 10 * f / ((t1 - t0) ? (t1 - t0) : 1) / 1000000, "MIPS");
    return acc == 0xffffffffu && x == y; /* 0: the values only keep the loops alive */
}
