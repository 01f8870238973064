/* Host CPU feature probes (see host_cpu.h). */
#include "host_cpu.h"

#include <cpuid.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* Process-wide facts about the host, not machine state: the probe result
 * (-1 until asked; a relaxed race asks twice and stores the same value) and
 * the features the tests have not hidden. */
static _Atomic int host_features = -1;
static _Atomic unsigned host_allowed = HOST_ALL;

static unsigned probe(void)
{
    unsigned a, b, c, d, m = 0;
    bool osxsave = false, fma = false, avx = false;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        m |= (c & bit_SSSE3) ? HOST_SSSE3 : 0;
        m |= (c & bit_SSE4_1) ? HOST_SSE41 : 0;
        m |= (c & bit_SSE4_2) ? HOST_SSE42 : 0;
        m |= (c & bit_AES) ? HOST_AES : 0;
        m |= (c & bit_PCLMUL) ? HOST_PCLMUL : 0;
        osxsave = (c & bit_OSXSAVE) != 0;
        fma = (c & bit_FMA) != 0;
        avx = (c & bit_AVX) != 0;
    }
    bool ymm = false;
    if (osxsave) {
        uint32_t lo, hi;
        __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        ymm = (lo & 6) == 6; /* XMM and YMM state enabled */
    }
    if (fma && avx && ymm)
        m |= HOST_FMA3;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        m |= (b & bit_SHA) ? HOST_SHA : 0;
        m |= ((b & bit_AVX2) && ymm) ? HOST_AVX2 : 0;
        m |= (b & bit_BMI2) ? HOST_BMI2 : 0;
        m |= (b & bit_BMI) ? HOST_BMI1 : 0;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        m |= (c & bit_LZCNT) ? HOST_LZCNT : 0;
        m |= (c & bit_LAHF_LM) ? HOST_LAHF : 0;
    }
    return m;
}

bool host_has(unsigned f)
{
    int h = atomic_load_explicit(&host_features, memory_order_relaxed);
    if (h < 0) {
        h = (int)probe();
        atomic_store_explicit(&host_features, h, memory_order_relaxed);
    }
    return ((unsigned)h & atomic_load_explicit(&host_allowed, memory_order_relaxed) & f) == f;
}

void host_allow(unsigned mask, bool on)
{
    if (on)
        atomic_fetch_or(&host_allowed, mask);
    else
        atomic_fetch_and(&host_allowed, ~mask);
}
