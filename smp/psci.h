/* The simulator's firmware: PSCI 1.1 and the SMCCC 1.1 discovery calls,
 * reached by HVC #0 / SMC #0 from EL1 (flotilla has no EL2/EL3), and the
 * per-core power state they manage (off / on-pending / on).
 *
 * CPU_ON protocol (see docs/threading.md, "Core power states"): every core
 * has its host thread from the start; an off core is parked (RCU offline,
 * asleep on its request word). The caller of CPU_ON claims the target with a
 * CAS OFF -> ON_PENDING, writes the entry point and context id into the
 * target's PSCICore slot, publishes them with a release store of `start`
 * and kicks the target. Only the target's own thread then resets its
 * CPUState and sets ON, so no thread ever writes another core's CPUState.
 *
 * Thread rules: `state` and `start` are atomics (any thread); `entry` and
 * `context` are written by the CPU_ON caller between its winning CAS and
 * the release store of `start`, then read by the target after its acquire
 * load of `start`. */
#ifndef FLOTILLA_PSCI_H
#define FLOTILLA_PSCI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../cpu/cpu.h"

struct Machine;

/* PSCI return codes */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_NOT_PRESENT (-7)
#define PSCI_DISABLED (-8)
#define PSCI_INVALID_ADDRESS (-9)

/* Function IDs (SMC32; the SMC64 form has bit 30 set) */
#define PSCI_0_2_FN(n) (0x84000000u + (n))
#define PSCI_0_2_FN64(n) (0xC4000000u + (n))
#define PSCI_FN_VERSION PSCI_0_2_FN(0)
#define PSCI_FN_CPU_SUSPEND PSCI_0_2_FN(1)
#define PSCI_FN_CPU_OFF PSCI_0_2_FN(2)
#define PSCI_FN_CPU_ON PSCI_0_2_FN(3)
#define PSCI_FN_AFFINITY_INFO PSCI_0_2_FN(4)
#define PSCI_FN_MIGRATE PSCI_0_2_FN(5)
#define PSCI_FN_MIGRATE_INFO_TYPE PSCI_0_2_FN(6)
#define PSCI_FN_MIGRATE_INFO_UP_CPU PSCI_0_2_FN(7)
#define PSCI_FN_SYSTEM_OFF PSCI_0_2_FN(8)
#define PSCI_FN_SYSTEM_RESET PSCI_0_2_FN(9)
#define PSCI_FN_FEATURES PSCI_0_2_FN(10)
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

#define PSCI_VERSION_1_1 0x10001u
#define SMCCC_VERSION_1_1 0x10001u

/* AFFINITY_INFO results double as the power states. */
enum { PSCI_STATE_ON = 0, PSCI_STATE_OFF = 1, PSCI_STATE_ON_PENDING = 2 };

typedef struct PSCICore {
    _Atomic int state;      /* PSCI_STATE_* */
    _Atomic bool start;     /* CPU_ON published entry/context: the target starts */
    uint64_t entry, context;
} PSCICore;

/* Main thread, start-up: core 0 on, the others off. false on allocation failure. */
bool psci_init(struct Machine *m);
void psci_destroy(struct Machine *m);

/* Owner vCPU. True while the core is off (or CPU_ON has not been taken up
 * yet): the run loop parks instead of executing. Cheap (one load). */
static inline bool psci_core_parked(const PSCICore *p)
{
    return atomic_load_explicit(&p->state, memory_order_relaxed) != PSCI_STATE_ON;
}

/* Owner vCPU, at a safe point while parked. If a CPU_ON was published for
 * this core, reset it to the PSCI entry state (EL1h, MMU off, DAIF masked,
 * pc = entry, x0 = context id), mark it ON and return true. */
bool psci_take_cpu_on(CPUState *cpu);

/* helper_psci (cpu/helpers.def, owner vCPU) is the HVC/SMC entry. */

#endif
