/* Bare-metal micro-benchmarks of single Advanced SIMD op classes that were
 * helper calls before they were inline (bench/simdops.sh): a loop of 8 of
 * one instruction, "BENCH-FP name ns-per-op" and "FPCHECK name hex" (a hash
 * of V0 and FPSR, compared between simulators by bench/fp.sh). The ops that
 * accumulate into V0 form a dependency chain through it; the others only
 * write it. Built with bm_crt0.S and tests/guest/libguest.c. */
#include <stdint.h>

#include "fpbench.h"

#ifndef FP_SCALE
#define FP_SCALE 1
#endif
#ifndef FP_ONLY
#define FP_ONLY 255
#endif

#define LOOP(NAME, INSN)                                                                          \
    static __attribute__((noinline)) void NAME(void)                                              \
    {                                                                                             \
        __asm__ volatile("movi v0.2d, #0" ::: "v0");                                              \
        uint64_t t0 = cntvct();                                                                   \
        for (int i = 0; i < 100000 * FP_SCALE; i++)                                               \
            __asm__ volatile(INSN "\n" INSN "\n" INSN "\n" INSN "\n" INSN "\n" INSN "\n" INSN "\n" \
                             INSN ::: "v0");                                                      \
        uint64_t t1 = cntvct(), lo, hi;                                                           \
        __asm__ volatile("mov %0, v0.d[0]; mov %1, v0.d[1]" : "=r"(lo), "=r"(hi));                \
        hash = 0xcbf29ce484222325ull;                                                             \
        mix(lo);                                                                                  \
        mix(hi);                                                                                  \
        report(#NAME, t1 - t0, (uint64_t)800000 * FP_SCALE);                                      \
    }
LOOP(sqdmlal, "sqdmlal v0.4s, v1.4h, v2.4h")
LOOP(sqdmulh32, "sqdmulh v0.4s, v1.4s, v2.4s")
LOOP(srshl, "srshl v0.4s, v1.4s, v2.4s")
LOOP(uqshl, "uqshl v0.4s, v1.4s, v2.4s")
LOOP(sqrshrn, "sqrshrn v0.8b, v1.8h, #3")
LOOP(pmull8, "pmull v0.8h, v1.8b, v2.8b")
LOOP(sqadd_h, "sqadd h0, h1, h2")
LOOP(sqabs, "sqabs v0.8h, v1.8h")

int main(void)
{
    /* QEMU starts a bare-metal ELF with FP access trapped (CPACR_EL1.FPEN) */
    __asm__ volatile("mrs x0, cpacr_el1; orr x0, x0, #(3 << 20); msr cpacr_el1, x0; isb" ::: "x0");
    static const uint64_t v1[2] = {0x8000123476548000ull, 0x7fff0001fffe8001ull};
    static const uint64_t v2[2] = {0x80007fff0003fffdull, 0x00210000ffe08000ull};
    __asm__ volatile("ldr q1, [%0]; ldr q2, [%1]" ::"r"(v1), "r"(v2) : "v1", "v2", "memory");
    if (FP_ONLY & 1)
        sqdmlal();
    if (FP_ONLY & 2)
        sqdmulh32();
    if (FP_ONLY & 4)
        srshl();
    if (FP_ONLY & 8)
        uqshl();
    if (FP_ONLY & 16)
        sqrshrn();
    if (FP_ONLY & 32)
        pmull8();
    if (FP_ONLY & 64)
        sqadd_h();
    if (FP_ONLY & 128)
        sqabs();
    return 0;
}
