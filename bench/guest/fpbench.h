/* What the bare-metal FP and SIMD benchmarks share (bench/guest/fpbench.c,
 * simdbench.c): the virtual counter, FPSR, a running FNV-style hash of the
 * results, and the report lines bench/fp.sh parses: "BENCH-FP name
 * ns-per-op ops" and "FPCHECK name hash" (the hash includes FPSR). Each
 * program includes it once. */
#ifndef FLOTILLA_BENCH_FPBENCH_H
#define FLOTILLA_BENCH_FPBENCH_H

#include <stdint.h>

#include "cntvct.h"
#include "libguest.h"

static inline uint64_t fpsr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpsr" : "=r"(v));
    return v;
}

static uint64_t hash;
static void mix(uint64_t x) { hash = (hash ^ x) * 0x100000001b3ull; }

static void report(const char *name, uint64_t ticks, uint64_t ops)
{
    uint64_t tenths = ops ? ticks * 10000000000ull / cntfrq() / ops : 0; /* ns per op, in tenths */
    guest_puts("BENCH-FP ");
    guest_puts(name);
    guest_puts(" ");
    guest_put_dec(tenths / 10);
    guest_puts(".");
    guest_put_dec(tenths % 10);
    guest_puts(" ns/op ");
    guest_put_dec(ops);
    guest_puts(" ops\nFPCHECK ");
    guest_puts(name);
    guest_puts(" ");
    mix(fpsr());
    guest_put_hex(hash);
    guest_puts("\n");
}

#endif
