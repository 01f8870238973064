/* A guest hammering the PMU (cpu/pmu.c) with random values: every register,
 * counters parked just below their wrap with their interrupts enabled (so
 * the overflow deadline cuts passes to one block), the PMCR.D divider,
 * filters, PMSWINC, PMSELR out of range, PMXEV* through every selector. The
 * interrupt stays pending (IRQs masked, GIC not set up). flotilla must
 * neither crash nor hang, and afterwards the PMU must still count a loop
 * exactly. Deterministic (fixed LCG seed). */
#include <stdint.h>

#include "libguest.h"

#define W(name, v) __asm__ volatile("msr " name ", %0" ::"r"((uint64_t)(v)))
#define R(name) ({ uint64_t _v; __asm__ volatile("mrs %0, " name : "=r"(_v)); _v; })

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return rng >> 11 ^ rng << 7;
}

static uint64_t value(void)
{
    switch (rnd() % 5) {
    case 0: return 0xffffffffull - rnd() % 4; /* just below a 32-bit wrap */
    case 1: return ~0ull - rnd() % 4;         /* just below the 64-bit wrap */
    case 2: return rnd() % 64;
    case 3: return 1ull << (rnd() % 64);
    default: return rnd();
    }
}

static void poke(void)
{
    uint64_t v = value();
    switch (rnd() % 22) {
    case 0: W("pmcr_el0", v); break;
    case 1: W("pmcntenset_el0", v); break;
    case 2: W("pmcntenclr_el0", v); break;
    case 3: W("pmintenset_el1", v); break;
    case 4: W("pmintenclr_el1", v); break;
    case 5: W("pmovsset_el0", v); break;
    case 6: W("pmovsclr_el0", v); break;
    case 7: W("pmswinc_el0", v); break;
    case 8: W("pmselr_el0", v); break;
    case 9: W("pmxevtyper_el0", v); break;
    case 10: W("pmxevcntr_el0", v); break;
    case 11: W("pmccntr_el0", v); break;
    case 12: W("pmccfiltr_el0", v); break;
    case 13: W("pmevcntr0_el0", v); break;
    case 14: W("pmevcntr5_el0", v); break;
    case 15: W("pmevtyper0_el0", v % 3 ? (v & 0xc0000000) | (rnd() % 2 ? 0x08 : 0x11) : v); break;
    case 16: W("pmevtyper5_el0", v); break;
    case 17: W("pmuserenr_el0", v); break;
    case 18: (void)R("pmxevcntr_el0"); break;
    case 19: (void)R("pmovsset_el0"); break;
    case 20: (void)R("pmccntr_el0"); break;
    default: (void)R("pmevcntr0_el0"); break;
    }
}

int main(void)
{
    for (int i = 0; i < 20000; i++) {
        poke();
        for (int k = rnd() % 32; k > 0; k--) /* some instructions to count */
            __asm__ volatile("nop");
    }
    /* Still exact: INST_RETIRED on counter 0 around a loop of known length. */
    W("pmcntenclr_el0", 0xffffffffu);
    W("pmintenclr_el1", 0xffffffffu);
    W("pmovsclr_el0", 0xffffffffu);
    W("pmevtyper0_el0", 0x08);
    W("pmcr_el0", 0x47); /* E, P, C, LC */
    uint64_t n = 1000, count;
    __asm__ volatile("msr pmcntenset_el0, %2\n"
                     "1: subs %0, %0, #1\n"
                     "b.ne 1b\n"
                     "mrs %1, pmevcntr0_el0\n"
                     : "+r"(n), "=r"(count)
                     : "r"((uint64_t)1)
                     : "cc");
    CHECK_EQ(count, 2 * 1000 + 1);
    CHECK_EQ(R("pmovsset_el0"), 0);
    return GUEST_RESULT();
}
