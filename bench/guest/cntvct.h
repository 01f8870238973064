/* The generic timer as the bare-metal benchmarks read it (bm.c, fpbench.h):
 * CNTVCT_EL0 after an ISB, so that earlier instructions are done, and its
 * frequency. */
#ifndef BENCH_CNTVCT_H
#define BENCH_CNTVCT_H

#include <stdint.h>

static inline uint64_t cntvct(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}

static inline uint64_t cntfrq(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}

#endif
