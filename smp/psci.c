/* The simulator's firmware: PSCI 1.1 over HVC/SMC and the SMCCC 1.1
 * discovery calls, and the per-core power states (see psci.h for the CPU_ON
 * hand-over). SYSTEM_RESET stops the machine and main() builds it again
 * from the same options (a cold reboot); with -no-reboot it exits 0. */
#include "psci.h"

#include <inttypes.h>
#include <stdlib.h>

#include "../devices/timer.h"
#include "../memory/mem.h"
#include "../sync/monitor.h"
#include "machine.h"

/* Affinity fields of an MPIDR (Aff3, Aff2, Aff1, Aff0). */
#define MPIDR_AFF_MASK 0xff00ffffffull

bool psci_init(Machine *m)
{
    m->psci = calloc((size_t)m->ncpus, sizeof(PSCICore));
    if (!m->psci)
        return false;
    for (int i = 0; i < m->ncpus; i++)
        atomic_init(&m->psci[i].state, i == 0 ? PSCI_STATE_ON : PSCI_STATE_OFF);
    return true;
}

void psci_destroy(Machine *m)
{
    free(m->psci);
    m->psci = NULL;
}

/* The core whose affinity is `target`, or -1. */
static int core_by_mpidr(Machine *m, uint64_t target)
{
    if (target & ~MPIDR_AFF_MASK)
        return -1;
    for (int i = 0; i < m->ncpus; i++)
        if ((m->cpus[i]->mpidr & MPIDR_AFF_MASK) == target)
            return i;
    return -1;
}

bool psci_take_cpu_on(CPUState *cpu)
{
    Machine *m = cpu->machine;
    PSCICore *p = &m->psci[cpu->index];
    if (!atomic_load_explicit(&p->start, memory_order_acquire))
        return false;
    atomic_store_explicit(&p->start, false, memory_order_relaxed);
    /* PSCI entry state: EL1h, MMU and caches off, DAIF masked, x0 = context. */
    cpu_reset(cpu, p->entry);
    cpu->x[0] = p->context;
    atomic_store_explicit(&p->state, PSCI_STATE_ON, memory_order_release);
    if (machine_tracing(m, TRACE_SMP | TRACE_INT))
        machine_log(m, "cpu%d: powered on at 0x%016" PRIx64 " context 0x%" PRIx64 "\n", cpu->index, p->entry,
                    p->context);
    return true;
}

static int64_t psci_cpu_on(CPUState *cpu, uint64_t target, uint64_t entry, uint64_t context)
{
    Machine *m = cpu->machine;
    int t = core_by_mpidr(m, target);
    if (t < 0)
        return PSCI_INVALID_PARAMETERS;
    if ((entry & 3) || !phys_ram_ptr(&m->pm, entry, 4))
        return PSCI_INVALID_ADDRESS;
    PSCICore *p = &m->psci[t];
    int expected = PSCI_STATE_OFF;
    /* Claim the target: from here until `start` is published nobody else
     * touches entry/context, and the target stays parked. */
    if (!atomic_compare_exchange_strong(&p->state, &expected, PSCI_STATE_ON_PENDING))
        return expected == PSCI_STATE_ON ? PSCI_ALREADY_ON : PSCI_ON_PENDING;
    p->entry = entry;
    p->context = context;
    /* Before the target can run: the monitor leaves its one-core mode. */
    monitor_go_smp(m->monitor);
    atomic_store_explicit(&p->start, true, memory_order_release);
    vcpu_kick(m->cpus[t], REQ_WORK);
    return PSCI_SUCCESS;
}

static void psci_cpu_off(CPUState *cpu)
{
    Machine *m = cpu->machine;
    /* A powered-down core's timers stop driving their interrupts. */
    if (m->gtimer) {
        GenericTimer *t = &m->gtimer[cpu->index];
        gtimer_sysreg_write(t, CNTP_CTL_EL0, 1, 0, 0);
        gtimer_sysreg_write(t, CNTV_CTL_EL0, 1, 0, 0);
    }
    cpu->sleeping = false;
    atomic_store_explicit(&m->psci[cpu->index].state, PSCI_STATE_OFF, memory_order_release);
    if (machine_tracing(m, TRACE_SMP | TRACE_INT))
        machine_log(m, "cpu%d: CPU_OFF\n", cpu->index);
    /* No core left running and none about to start: nothing can ever turn
     * one on again, so the machine is done (a real board would sit idle). */
    for (int i = 0; i < m->ncpus; i++)
        if (atomic_load(&m->psci[i].state) != PSCI_STATE_OFF)
            return;
    machine_log(m, "flotilla: every core is off (PSCI CPU_OFF): stopping\n");
    machine_request_stop(m, 0);
}

static int64_t psci_features(uint32_t fn)
{
    switch (fn) {
    case PSCI_FN_VERSION:
    case PSCI_FN_CPU_SUSPEND:
    case PSCI_0_2_FN64(1):
        return 0; /* CPU_SUSPEND flags: original power_state format, no OS-initiated mode */
    case PSCI_FN_CPU_OFF:
    case PSCI_FN_CPU_ON:
    case PSCI_0_2_FN64(3):
    case PSCI_FN_AFFINITY_INFO:
    case PSCI_0_2_FN64(4):
    case PSCI_FN_MIGRATE_INFO_TYPE:
    case PSCI_FN_SYSTEM_OFF:
    case PSCI_FN_SYSTEM_RESET:
    case PSCI_FN_FEATURES:
    case SMCCC_VERSION:
        return 0;
    default:
        return PSCI_NOT_SUPPORTED;
    }
}

static const char *fn_name(uint32_t fn)
{
    switch (fn & ~0x40000000u) {
    case PSCI_FN_VERSION: return "PSCI_VERSION";
    case PSCI_FN_CPU_SUSPEND: return "CPU_SUSPEND";
    case PSCI_FN_CPU_OFF: return "CPU_OFF";
    case PSCI_FN_CPU_ON: return "CPU_ON";
    case PSCI_FN_AFFINITY_INFO: return "AFFINITY_INFO";
    case PSCI_FN_MIGRATE_INFO_TYPE: return "MIGRATE_INFO_TYPE";
    case PSCI_FN_SYSTEM_OFF: return "SYSTEM_OFF";
    case PSCI_FN_SYSTEM_RESET: return "SYSTEM_RESET";
    case PSCI_FN_FEATURES: return "PSCI_FEATURES";
    case SMCCC_VERSION: return "SMCCC_VERSION";
    case SMCCC_ARCH_FEATURES: return "SMCCC_ARCH_FEATURES";
    default: return "?";
    }
}

/* Owner vCPU (IR helper). HVC/SMC from EL1 (any immediate): x0 = function
 * ID, x1..x3 arguments; returns the new x0. Other registers are preserved
 * (SMCCC would allow clobbering more). */
uint64_t helper_psci(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    Machine *m = cpu->machine;
    uint32_t fn = (uint32_t)cpu->x[0];
    bool smc64 = fn & 0x40000000u;
    /* SMC32 calls pass 32-bit arguments in W1..W3. */
    uint64_t mask = smc64 ? ~0ull : 0xffffffffull;
    uint64_t x1 = cpu->x[1] & mask, x2 = cpu->x[2] & mask, x3 = cpu->x[3] & mask;
    int64_t r = PSCI_NOT_SUPPORTED;

    if ((cpu->x[0] >> 32) != 0)
        fn = 0; /* bits 63:32 of a function ID are zero: no such function */
    switch (fn) {
    case PSCI_FN_VERSION:
        r = PSCI_VERSION_1_1;
        break;
    case PSCI_FN_CPU_SUSPEND:
    case PSCI_0_2_FN64(1):
        /* Every power state is treated as standby: sleep as WFI does and
         * return SUCCESS when woken (PSCI allows the shallower state). */
        cpu->sleeping = true;
        cpu->sleep_wfe = false;
        cpu->wait_since_ns = 0;
        r = PSCI_SUCCESS;
        break;
    case PSCI_FN_CPU_OFF:
        psci_cpu_off(cpu);
        r = PSCI_DENIED; /* seen only if the core is turned on again without a reset: never */
        break;
    case PSCI_FN_CPU_ON:
    case PSCI_0_2_FN64(3):
        r = psci_cpu_on(cpu, x1, x2, x3);
        break;
    case PSCI_FN_AFFINITY_INFO:
    case PSCI_0_2_FN64(4): {
        int t = core_by_mpidr(m, x1);
        if (t < 0 || x2 != 0)
            r = PSCI_INVALID_PARAMETERS; /* only affinity level 0 (PSCI 1.0 deprecates others) */
        else
            r = atomic_load(&m->psci[t].state);
        break;
    }
    case PSCI_FN_MIGRATE_INFO_TYPE:
        r = 2; /* no Trusted OS: migration not required */
        break;
    case PSCI_FN_SYSTEM_OFF:
        if (machine_tracing(m, TRACE_INT | TRACE_SMP))
            machine_log(m, "cpu%d: PSCI SYSTEM_OFF\n", cpu->index);
        machine_request_stop(m, 0);
        r = PSCI_SUCCESS;
        break;
    case PSCI_FN_SYSTEM_RESET:
        /* A reset rebuilds the whole machine from the options (main.c):
         * RAM, devices and cores as at start; with -no-reboot it stops. */
        if (!m->opt.no_reboot)
            m->reboot = true;
        machine_request_stop(m, 0);
        r = PSCI_SUCCESS;
        break;
    case PSCI_FN_FEATURES:
        r = psci_features((uint32_t)x1);
        break;
    case SMCCC_VERSION:
        r = SMCCC_VERSION_1_1;
        break;
    case SMCCC_ARCH_FEATURES:
        /* No SMCCC_ARCH_WORKAROUND_* nor SOC_ID service is provided. */
        r = PSCI_NOT_SUPPORTED;
        break;
    default:
        r = PSCI_NOT_SUPPORTED;
        break;
    }
    if (machine_tracing(m, TRACE_INT))
        machine_log(m, "cpu%d: firmware call 0x%08" PRIx32 " (%s) x1=0x%" PRIx64 " x2=0x%" PRIx64 " x3=0x%" PRIx64
                       " -> %" PRId64 "\n",
                    cpu->index, (uint32_t)cpu->x[0], fn_name((uint32_t)cpu->x[0]), x1, x2, x3, r);
    return (uint64_t)r;
}
