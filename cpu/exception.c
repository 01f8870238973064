/* Exception entry and return (AArch64, EL0/EL1). Owner thread only. */
#include <string.h>

#include "../smp/machine.h"
#include "../sync/atomic.h"
#include "cpu.h"
#include "sysreg.h"
#include "translate.h"

/* ESR_ELx.EC for each kind (same-EL / lower-EL variants resolved below). */
static const uint8_t exc_ec[EXC_NUM_KINDS] = {
    [EXC_UNDEF] = 0x00, [EXC_SVC] = 0x15, [EXC_HVC] = 0x16, [EXC_SMC] = 0x17,
    [EXC_BRK] = 0x3c, [EXC_HLT] = 0x00, [EXC_DABORT] = 0x24, [EXC_IABORT] = 0x20,
    [EXC_PC_ALIGN] = 0x22, [EXC_SP_ALIGN] = 0x26, [EXC_SYSREG_TRAP] = 0x18,
    [EXC_FP_TRAP] = 0x07, [EXC_ILLEGAL_STATE] = 0x0e,
    [EXC_BKPT] = 0x30, [EXC_SSTEP] = 0x32, [EXC_WATCH] = 0x34,
};

static const char *const exc_names[EXC_NUM_KINDS] = {
    "undef", "svc", "hvc", "smc", "brk", "hlt", "dabort", "iabort", "pc-align", "sp-align",
    "sysreg-trap", "fp-trap", "illegal-state", "breakpoint", "step", "watchpoint", "irq", "fiq", "serror",
};

void cpu_reset(CPUState *cpu, uint64_t entry_pc)
{
    memset(cpu->x, 0, sizeof(cpu->x));
    memset(cpu->v, 0, sizeof(cpu->v));
    cpu->pc = entry_pc;
    cpu->nzcv = 0;
    cpu->pstate = (1u << PSTATE_EL_SHIFT) | PSTATE_SP | PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F;
    cpu->sp_el[0] = cpu->sp_el[1] = 0;
    cpu->fpcr = cpu->fpsr = 0;
    /* SCTLR_EL1 reset: MMU and caches off; RES1 bits set as on hardware. */
    cpu->sctlr_el1 = 0x30d00800ull;
    /* FP/SIMD not trapped, so bare-metal code may use it from the start. */
    cpu->cpacr_el1 = 3u << 20;
    cpu->cntfrq_el0 = CNTFRQ_HZ;
    cpu->oslk = 1; /* the OS lock is set by a cold reset */
    cpu->excl_addr = EXCL_NONE;
    cpu->exc_pending = false;
    cpu->halted = false;
    cpu->sleeping = false;
    tlb_flush(cpu);
}

void cpu_sync_sp(CPUState *cpu, uint32_t old_pstate)
{
    int old_idx = (old_pstate & PSTATE_SP) ? ((old_pstate >> PSTATE_EL_SHIFT) & 3) : 0;
    int new_idx = (cpu->pstate & PSTATE_SP) ? cpu_el(cpu) : 0;
    if (old_idx == new_idx)
        return;
    cpu->sp_el[old_idx] = cpu->x[31];
    cpu->x[31] = cpu->sp_el[new_idx];
}

static uint64_t pstate_to_spsr(const CPUState *cpu)
{
    uint32_t p = cpu->pstate;
    uint64_t spsr = cpu_nzcv(cpu);
    spsr |= (uint64_t)(((p >> PSTATE_EL_SHIFT) & 3) << 2 | (p & PSTATE_SP));
    spsr |= p & (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F | PSTATE_IL | PSTATE_SS | PSTATE_PAN | PSTATE_UAO);
    return spsr;
}

void cpu_raise(CPUState *cpu, enum ExcKind kind, uint32_t iss, uint64_t far)
{
    Machine *m = cpu->machine;
    int from_el = cpu_el(cpu);
    uint64_t ret = cpu->pc;
    uint32_t ec = exc_ec[kind];
    uint64_t vec;

    cpu->stats.exceptions[kind]++;
    cpu->dbg_exc_seq++;
    /* SVC/HVC/SMC complete before the exception: a software step of one
     * has stepped, so SPSR.SS = 0 and the step exception follows ERET. */
    if (kind == EXC_SVC || kind == EXC_HVC || kind == EXC_SMC)
        cpu->pstate &= ~PSTATE_SS;
    if (cpu->pmu.active) /* EXC_TAKEN, and the EL change: cpu/pmu.c */
        pmu_exception_taken(&cpu->pmu, from_el);
    if (kind == EXC_UNDEF)
        cpu->stats.undef_insns++;
    if (kind == EXC_SVC || kind == EXC_HVC || kind == EXC_SMC)
        ret += 4;
    if ((kind == EXC_DABORT || kind == EXC_IABORT || kind == EXC_BKPT || kind == EXC_SSTEP || kind == EXC_WATCH) &&
        from_el == 1)
        ec += 1; /* taken without a change in EL */
    if (kind == EXC_UNDEF || kind == EXC_HLT)
        iss = 0;

    if (kind == EXC_IRQ)
        vec = 0x80;
    else if (kind == EXC_FIQ)
        vec = 0x100;
    else if (kind == EXC_SERROR)
        vec = 0x180;
    else
        vec = 0;
    if (from_el == 0)
        vec += 0x400;
    else if (cpu->pstate & PSTATE_SP)
        vec += 0x200;

    if (machine_tracing(m, TRACE_INT))
        machine_log(m, "cpu%d: exception %s at pc=0x%016llx EL%d ec=0x%x iss=0x%x far=0x%llx -> 0x%llx\n",
                    cpu->index, exc_names[kind], (unsigned long long)cpu->pc, from_el, ec, iss,
                    (unsigned long long)far, (unsigned long long)(cpu->vbar_el1 + vec));

    cpu->spsr_el1 = pstate_to_spsr(cpu);
    cpu->elr_el1 = ret;
    if (kind < EXC_IRQ) {
        cpu->esr_el1 = (uint64_t)ec << 26 | 1u << 25 | (iss & 0x1ffffff);
        if (kind == EXC_DABORT || kind == EXC_IABORT || kind == EXC_PC_ALIGN || kind == EXC_WATCH)
            cpu->far_el1 = far;
    }
    /* Taking an exception to a vector that cannot be fetched would raise an
     * instruction abort at that same vector forever: nothing the guest can
     * recover from. Stop the machine instead of spinning. */
    if (kind == EXC_IABORT && from_el == 1 && far == cpu->vbar_el1 + vec) {
        machine_log(m,
                    "flotilla: cpu%d: exception vector 0x%llx is not executable (VBAR_EL1=0x%llx): "
                    "guest exception loop, stopping\n",
                    cpu->index, (unsigned long long)far, (unsigned long long)cpu->vbar_el1);
        machine_request_stop(m, 3);
        cpu->halted = true;
    }

    uint32_t old = cpu->pstate;
    cpu->pstate = (1u << PSTATE_EL_SHIFT) | PSTATE_SP | PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F |
                  (old & PSTATE_PAN);
    /* SCTLR_EL1.SPAN == 0: PAN is set on exception entry to EL1. */
    if (CPU_HAS_PAN && !(cpu->sctlr_el1 & (1ull << 23)))
        cpu->pstate |= PSTATE_PAN;
    cpu_sync_sp(cpu, old);
    atomic_clear_monitor(cpu);
    cpu->pc = cpu->vbar_el1 + vec;
    cpu->exc_pending = true;
}

uint64_t helper_eret(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    uint64_t spsr = cpu->spsr_el1;
    uint32_t old = cpu->pstate;
    int target_el = (int)((spsr >> 2) & 3);
    /* Illegal return: to AArch32, to an EL above the current one (no EL2),
     * to EL0 with SP_ELx, or with the reserved M[1] set. */
    bool illegal = (spsr & 0x10) || target_el > cpu_el(cpu) || (target_el == 0 && (spsr & 1)) || (spsr & 2);
    cpu->nzcv = (uint32_t)spsr & 0xf0000000u;
    uint32_t keep = (uint32_t)spsr & (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F | PSTATE_SS |
                                      (CPU_HAS_PAN ? PSTATE_PAN : 0) | (CPU_HAS_UAO ? PSTATE_UAO : 0));
    if (illegal) {
        /* Illegal exception return: stay at the current EL with PSTATE.IL set. */
        cpu->pstate = (old & ((3u << PSTATE_EL_SHIFT) | PSTATE_SP)) | keep | PSTATE_IL;
    } else {
        cpu->pstate = ((uint32_t)target_el << PSTATE_EL_SHIFT) | ((uint32_t)spsr & PSTATE_SP) | keep |
                      ((uint32_t)spsr & PSTATE_IL);
    }
    /* PSTATE.SS is restored only while MDSCR_EL1.SS enables software step. */
    if (!(cpu->mdscr_el1 & 1))
        cpu->pstate &= ~PSTATE_SS;
    cpu_sync_sp(cpu, old);
    atomic_clear_monitor(cpu);
    if (cpu->pmu.active) /* EXC_RETURN, and the EL change: cpu/pmu.c */
        pmu_exception_return(cpu, (int)((old >> PSTATE_EL_SHIFT) & 3));
    uint64_t pc = cpu->elr_el1;
    if (machine_tracing(cpu->machine, TRACE_INT))
        machine_log(cpu->machine, "cpu%d: eret to 0x%016llx EL%d%s\n", cpu->index, (unsigned long long)pc,
                    cpu_el(cpu), (cpu->pstate & PSTATE_IL) ? " (illegal)" : "");
    if (old & ~cpu->pstate & (PSTATE_A | PSTATE_I | PSTATE_F)) {
        atomic_fetch_or(&cpu->request, REQ_IRQ); /* unmasked: re-evaluate pending interrupts */
        cpu->det_point = true; /* ERET ends its block: -det takes interrupts right after it */
    }
    if (cpu->pstate & PSTATE_IL) {
        /* PSTATE.IL makes the next instruction (the one at ELR) take an
         * Illegal Execution State exception before it executes. */
        cpu->pc = pc;
        cpu_raise(cpu, EXC_ILLEGAL_STATE, 0, 0);
        return cpu->pc;
    }
    return pc;
}
