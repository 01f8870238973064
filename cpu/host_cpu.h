/* The host x86-64 CPU's features that generated code may use, from cpuid
 * (and XGETBV for the AVX register state), asked once: one place for every
 * probe (the SIMD and crypto emitters, host FP, LZCNT, the NZCV pack).
 * Tests hide features to exercise the code for hosts without them.
 * All functions: any thread. */
#ifndef FLOTILLA_HOST_CPU_H
#define FLOTILLA_HOST_CPU_H

#include <stdbool.h>

enum HostFeature {
    HOST_SSSE3 = 1u << 0,
    HOST_SSE41 = 1u << 1,
    HOST_SSE42 = 1u << 2,
    HOST_AES = 1u << 3,
    HOST_PCLMUL = 1u << 4,
    HOST_SHA = 1u << 5,
    HOST_AVX2 = 1u << 6,  /* with the OS saving the YMM state (OSXSAVE, XCR0) */
    HOST_FMA3 = 1u << 7,  /* FMA and AVX, with the YMM state saved */
    HOST_LZCNT = 1u << 8,
    HOST_LAHF = 1u << 9,  /* LAHF in 64-bit mode (the lazy NZCV pack) */
    HOST_BMI2 = 1u << 10, /* RORX, SHLX/SHRX/SARX */
    HOST_BMI1 = 1u << 11, /* ANDN, BEXTR for the TLB slot */
    HOST_ALL = (1u << 12) - 1,
};

/* Whether the host has every feature in f and none of them is hidden. */
bool host_has(unsigned f);

/* Tests: hide (on = false) or show again the features in mask. */
void host_allow(unsigned mask, bool on);

#endif
