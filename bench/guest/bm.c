/* Bare-metal micro-benchmarks (flotilla and qemu-system-aarch64 -M virt
 * -semihosting): MMIO read of the PL011 flag register, a pure ALU loop for
 * guest MIPS, and a multi-precision multiply-accumulate loop; timed with
 * the generic timer (CNTVCT_EL0 / CNTFRQ_EL0), reported through semihosting
 * as "BENCH-MICRO name value unit". Built with tests/guest/crt0.S and
 * libguest.c. */
#include <stdbool.h>
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

/* hi:lo = u * v from four 32x32 products, as C without a 128-bit type
 * computes it. */
static inline void mul_wide(uint64_t u, uint64_t v, uint64_t *hi, uint64_t *lo)
{
    const uint64_t ul = (uint32_t)u, uh = u >> 32, vl = (uint32_t)v, vh = v >> 32;
    const uint64_t ll = ul * vl, hl = uh * vl;
    uint64_t hh = uh * vh, mid = ul * vh + (ll >> 32);
    mid += hl;
    if (mid < hl)
        hh += 1ull << 32;
    *hi = hh + (mid >> 32);
    *lo = mid << 32 | (uint32_t)ll;
}

/* r[0..n) += s[0..n) * m, and the same with -=: the multiply-accumulate
 * loops of multi-precision arithmetic in the shape of the Linux kernel's
 * generic lib/crypto/mpi code, where a Linux boot spends more generated-code
 * time than anywhere else (its RSA self-tests; docs/jit-leads.md). Each
 * returns the carry (borrow) limb. Two loops, as the kernel has: `sub` is a
 * constant in each caller, so neither has a branch the kernel's do not. */
static inline __attribute__((always_inline)) uint64_t mac(uint64_t *r, const uint64_t *s, int n, uint64_t m,
                                                          const bool sub)
{
    uint64_t cy = 0;
    for (int i = 0; i < n; i++) {
        uint64_t hi, lo;
        mul_wide(s[i], m, &hi, &lo);
        lo += cy;
        cy = hi + (lo < cy);
        const uint64_t x = sub ? r[i] - lo : r[i] + lo;
        cy += sub ? x > r[i] : x < lo;
        r[i] = x;
    }
    return cy;
}

__attribute__((noinline)) static uint64_t mac_add(uint64_t *r, const uint64_t *s, int n, uint64_t m)
{
    return mac(r, s, n, m, false);
}

__attribute__((noinline)) static uint64_t mac_sub(uint64_t *r, const uint64_t *s, int n, uint64_t m)
{
    return mac(r, s, n, m, true);
}

#define MAC_LIMBS 64

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

    /* Multi-precision multiply-accumulate: ns per limb (one add and one
     * subtract pass over MAC_LIMBS limbs an iteration). */
    static uint64_t mr[MAC_LIMBS], ms[MAC_LIMBS];
    for (int i = 0; i < MAC_LIMBS; i++) {
        ms[i] = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
        mr[i] = (uint64_t)i;
    }
    const int mac_iters = BM_LOOPS / 5;
    t0 = cntvct();
    for (int k = 0; k < mac_iters; k++) {
        acc += (uint32_t)mac_add(mr, ms, MAC_LIMBS, ms[k % MAC_LIMBS]);
        acc += (uint32_t)mac_sub(mr, ms, MAC_LIMBS, ms[(k + 7) % MAC_LIMBS]);
    }
    t1 = cntvct();
    report("mpi_mac_limb", (t1 - t0) * 10000000000ull / f / ((uint64_t)mac_iters * 2 * MAC_LIMBS), "ns");
    return acc == 0xffffffffu && x == y; /* 0: the values only keep the loops alive */
}
