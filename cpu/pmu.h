/* PMUv3 as a Cortex-A57 has it (docs/pmu.md): PMCR_EL0, the 64-bit cycle
 * counter PMCCNTR_EL0, 6 event counters with EL filtering, enable /
 * interrupt-enable / overflow set-clear registers, PMSELR/PMXEV*, PMSWINC,
 * PMUSERENR, PMCEID0/1, and the overflow interrupt (PPI 23).
 *
 * Counting is lazy: the instruction-based counters are functions of the
 * core's own instruction count (the dispatcher's, smp/vcpu.c), brought up to
 * date ("synced") only when the guest touches a PMU register, at an EL change
 * while a counter runs, and at an overflow deadline. A core whose guest never
 * enables a counter pays one compare per dispatcher pass.
 *
 * Thread rules: all of the state is its core's (CPUState.pmu); every function
 * here runs on the owner vCPU thread only, except pmu_register_sysregs and
 * pmu_init (main thread, start-up only, before the vCPUs run). */
#ifndef FLOTILLA_PMU_H
#define FLOTILLA_PMU_H

#include <stdbool.h>
#include <stdint.h>

#include "../devices/irq.h"

#define PMU_NCOUNTERS 6 /* PMCR_EL0.N, as on Cortex-A57 */
#define PMU_PPI 23      /* the PMU's interrupt: PPI 7 in the device tree */

/* Common event numbers flotilla counts (PMCEID0 lists exactly these). */
enum {
    PMU_EV_SW_INCR = 0x00,
    PMU_EV_INST_RETIRED = 0x08,
    PMU_EV_EXC_TAKEN = 0x09,
    PMU_EV_EXC_RETURN = 0x0a,
    PMU_EV_CPU_CYCLES = 0x11,
    PMU_EV_BR_RETIRED = 0x21, /* PMCEID1 bit 1 */
};

typedef struct PMUState {
    uint32_t pmcr;              /* E, D, X, DP, LC as written (P and C are actions) */
    uint32_t cnten, inten, ovs; /* bit n: event counter n; bit 31: the cycle counter */
    uint32_t selr, userenr;
    uint32_t evtyper[PMU_NCOUNTERS];
    uint32_t ccfiltr;
    uint32_t evcnt[PMU_NCOUNTERS]; /* values as of the last sync */
    uint64_t ccnt;
    uint32_t ccnt_div;          /* PMCR.D: cycles since the cycle counter's last tick (0..63) */
    /* Lazy counting (cpu/pmu.c) */
    bool active;                /* PMCR.E and some counter enabled: EL changes must sync */
    bool irq_level;             /* the level last driven on `irq` */
    uint8_t count_el;           /* EL of the instructions since synced_insns */
    uint32_t exc_from[2];       /* exceptions taken from EL0 / EL1 since the last sync */
    uint64_t synced_insns;      /* the core's instruction count at the last sync */
    /* BR_RETIRED: branches counted by generated code while a counter counts
     * them (TBF_PMUBR blocks call helper_pmu_br), and the value at the last sync. */
    uint64_t br, synced_br;
    bool count_br;              /* an enabled counter counts BR_RETIRED: translate with TBF_PMUBR */
    /* Instruction count at which an interrupt-enabled counter overflows,
     * 0 if none: the dispatcher ends its pass there (smp/vcpu.c). */
    uint64_t deadline;
    IRQLine irq;                /* PPI 23 of this core */
} PMUState;

struct CPUState;

/* Main thread, start-up only. Add the PMU registers to the sysreg table. */
void pmu_register_sysregs(void);
/* Main thread, start-up only. Reset the PMU of `cpu`, wired to `irq`. */
void pmu_init(struct CPUState *cpu, IRQLine irq);
/* Owner vCPU only. Bring the counters up to date: called by the dispatcher
 * at the overflow deadline and before running code after an exception was
 * taken (pmu.exc_from), so the instructions are attributed to the right EL. */
void pmu_sync(struct CPUState *cpu);
/* Owner vCPU only. An exception is being taken from `from_el` (cpu_raise):
 * only noted; the next pmu_sync accounts for it. Call only if pmu.active. */
static inline void pmu_exception_taken(PMUState *p, int from_el)
{
    p->exc_from[from_el ? 1 : 0]++;
}
/* Owner vCPU only. An ERET has just changed PSTATE from EL `from_el`
 * (helper_eret; the ERET is the last instruction of its block). Call only if
 * pmu.active. */
void pmu_exception_return(struct CPUState *cpu, int from_el);

#endif
