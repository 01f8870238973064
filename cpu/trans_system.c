/* Translate functions: exception generation, hints, barriers, PSTATE
 * writes, system instructions and system register moves. Register lookups
 * and EL-based access rules are resolved here, at translate time (the EL is
 * part of the translation key); runtime-dependent checks are in the helpers
 * (cpu/sysreg.c). trans_* functions: the translating vCPU thread only. */
#include "../smp/machine.h"
#include "sysreg.h"
#include "translate.h"

static inline int cur_el(const DisasCtx *s) { return (int)(s->tb_flags & 3); }

/* ---------------- exception generation ---------------- */

bool trans_SVC(DisasCtx *s, uint32_t insn)
{
    gen_raise(s, EXC_SVC, bits(insn, 20, 5));
    return true;
}

/* Firmware calls. flotilla has no EL2/EL3: HVC and SMC from EL1 reach the
 * simulator's firmware (PSCI / SMCCC, smp/psci.c), which answers in x0 (or
 * NOT_SUPPORTED for an unknown function ID, as firmware does). The call may
 * change the machine (CPU_OFF, SYSTEM_OFF, CPU_SUSPEND sleeps): end the
 * block so the dispatcher sees it. */
static bool psci_call(DisasCtx *s, uint32_t imm16)
{
    (void)imm16; /* SMCCC uses #0; other immediates get the same answers */
    IRTemp r = t_call(s, HELPER_psci, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
    write_xreg(s, 0, r, 1);
    gen_exit(s, s->pc + 4);
    return true;
}

bool trans_HVC(DisasCtx *s, uint32_t insn)
{
    if (cur_el(s) == 0)
        return gen_undef(s); /* HVC is always UNDEFINED at EL0 */
    return psci_call(s, bits(insn, 20, 5));
}

bool trans_SMC(DisasCtx *s, uint32_t insn)
{
    if (cur_el(s) == 0)
        return gen_undef(s);
    return psci_call(s, bits(insn, 20, 5));
}

bool trans_BRK(DisasCtx *s, uint32_t insn)
{
    gen_raise(s, EXC_BRK, bits(insn, 20, 5));
    return true;
}

bool trans_HLT(DisasCtx *s, uint32_t insn)
{
    uint32_t imm16 = bits(insn, 20, 5);
    if (imm16 == 0xf000 && s->cpu->machine->opt.semihosting) {
        IRTemp r = t_call(s, HELPER_semihost, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
        write_xreg(s, 0, r, 1);
        gen_exit(s, s->pc + 4);
        return true;
    }
    /* Without halting debug, HLT is UNDEFINED. */
    return gen_undef(s);
}

bool trans_DCPS(DisasCtx *s, uint32_t insn)
{
    (void)s, (void)insn;
    return false; /* only valid in Debug state, which flotilla never enters */
}

/* ---------------- hints and barriers ---------------- */

bool trans_HINT(DisasCtx *s, uint32_t insn)
{
    switch (bits(insn, 11, 5)) {
    case 2: /* WFE */
    case 3: /* WFI */
        t_call(s, HELPER_wfi, 0, t_const(s, bits(insn, 11, 5) == 2), IR_NO_TEMP, IR_NO_TEMP, 0);
        /* Leave to the dispatcher, which sleeps if the helper said so. */
        gen_exit(s, s->pc + 4);
        return true;
    case 4: /* SEV */
    case 5: /* SEVL */
        t_call(s, HELPER_sev, 0, t_const(s, bits(insn, 11, 5) == 5), IR_NO_TEMP, IR_NO_TEMP, 0);
        /* -det: a scheduling point, taken at the pass right after it
         * (docs/determinism.md "Exact points"). */
        if (s->cpu->machine && s->cpu->machine->det)
            gen_exit(s, s->pc + 4);
        return true;
    case 1: /* YIELD */
        /* A spin-wait hint (Linux's cpu_relax): with more vCPUs than host
         * CPUs the core it waits for may be descheduled by the host, so give
         * the host CPU away (smp/vcpu.c). Otherwise a NOP. */
        if (s->cpu->machine && s->cpu->machine->yield_host) {
            t_call(s, HELPER_yield, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
            gen_exit(s, s->pc + 4);
        }
        return true;
    default:
        /* NOP and every other hint (ESB, PSB, CSDB, BTI, PAC hints,
         * unallocated hints) execute as NOP. */
        return true;
    }
}

bool trans_CLREX(DisasCtx *s, uint32_t insn)
{
    (void)insn;
    t_call(s, HELPER_clrex, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
    return true;
}

static void gen_fence(DisasCtx *s, enum IRFence kind)
{
    ir_emit(s->b, IR_FENCE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, kind);
}

/* CRm<1:0>: 01 = loads only, 10 = stores only, 11 = all; 00 is a reserved
 * value that behaves as SY (all). Only barriers ordering earlier stores
 * before later loads need a host fence on x86-64 (TSO). */
static enum IRFence barrier_kind(uint32_t crm)
{
    uint32_t types = crm & 3;
    return (types == 1 || types == 2) ? IR_FENCE_WEAK : IR_FENCE_FULL;
}

bool trans_DSB(DisasCtx *s, uint32_t insn)
{
    uint32_t crm = bits(insn, 11, 8);
    /* CRm 0000 and 0100 are SSBB and PSSBB (speculation barriers): no
     * speculation to stop here, so only a compiler barrier. */
    if (crm == 0 || crm == 4) {
        gen_fence(s, IR_FENCE_WEAK);
        return true;
    }
    gen_fence(s, barrier_kind(crm));
    /* A DSB completes the TLBI *IS this core sent: if some are still
     * queued on other cores, the helper says so and the block exits to the
     * next instruction, where the dispatcher waits (smp/workq.c), and gives
     * back the rest of the block, counted on entry (imm: see
     * translate_block). Nothing outstanding: one helper call that reads one
     * owner flag. */
    IRTemp wait = t_call(s, HELPER_dsb, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, s->b->ninsns);
    gen_brcond(s, wait, s->pc + 4);
    s->give_back = true; /* translate_block turns the imm into the instructions after it */
    return true;
}

bool trans_DMB(DisasCtx *s, uint32_t insn)
{
    /* aux = CRm<1:0> (1 loads, 2 stores, 0/3 all): the hosts' tiers need
     * only the kind, -det weak=on's store buffers (smp/weakmem.c) the types. */
    uint32_t crm = bits(insn, 11, 8);
    ir_emit(s->b, IR_FENCE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, crm & 3, barrier_kind(crm));
    return true;
}

bool trans_ISB(DisasCtx *s, uint32_t insn)
{
    (void)insn;
    /* Context synchronisation: later instructions are fetched and
     * translated anew, with the current system register state. A block
     * ends here, with a direct branch to the next instruction, which
     * chains: every system register write that changes the translation
     * flags or the regime ends its own block with an exit (SR_EXIT: SCTLR,
     * CPACR, TTBRn, TCR, SPSel, the debug and PMU registers), and TLBI and
     * IC end theirs, so this block was found in the current context; a
     * request posted meanwhile stops the chained entry. It was an exit to the
     * dispatcher: 40% of a Linux boot's dispatcher passes were the ISBs
     * after page-table stores (set_pte's `dsb ishst; isb`). */
    gen_goto(s, s->pc + 4);
    return true;
}

/* ---------------- PSTATE, SYS, MRS/MSR ---------------- */

/* Under -det (or without a machine: unit tests) DAIF writes, TLBI and IC
 * IVAU keep ending their block with an exit to the dispatcher, as they did
 * before 2026-12-05; see daif_write and end_after_maintenance. */
static bool det_exits(const DisasCtx *s) { return !s->cpu || !s->cpu->machine || s->cpu->machine->det; }

/* After the helper call of a DAIF write (helper_msr, helper_msr_pstate,
 * whose imm `call` is): under -det the block ends, and interrupts are taken
 * at the exact point right after it. Otherwise it goes on unless the write
 * unmasked an interrupt that is pending: then the helper returns 1 and
 * gives back the instructions after it (imm bits 63:32, fixed up by
 * translate_block, as for a DSB), and the block leaves to the next
 * instruction, where the request the helper posted makes the dispatcher
 * take the interrupt, with ELR there. Linux's spin_unlock_irqrestore and
 * local_irq_enable ended a quarter of a boot's blocks in an exit. */
static void daif_write(DisasCtx *s, IROp *call)
{
    if (det_exits(s)) {
        gen_exit(s, s->pc + 4);
        return;
    }
    call->imm |= (uint64_t)s->b->ninsns << 32;
    s->give_back = true;
    gen_brcond(s, call->dst, s->pc + 4);
}

/* After a TLBI or an IC IVAU: the block ends, and goes on to the next
 * instruction by a direct branch that chains. What must not run stale is
 * taken care of where it changes: an IC IVAU that drops blocks posts
 * REQ_JC_INVAL to every core (this one too), and a TLBI that may cover the
 * page this code runs from posts REQ_SAFEPOINT (helper_sys); either stops
 * the next chained entry. Linux's text patching (a fixmap TLBI and an IC
 * IVAU per patched instruction) and its TLB range flushes were most of a
 * boot's remaining dispatcher passes. */
static void end_after_maintenance(DisasCtx *s)
{
    if (det_exits(s))
        gen_exit(s, s->pc + 4);
    else
        gen_goto(s, s->pc + 4);
}

bool trans_MSR_imm(DisasCtx *s, uint32_t insn)
{
    uint32_t op1 = bits(insn, 18, 16), op2 = bits(insn, 7, 5), crm = bits(insn, 11, 8);
    bool spsel = op1 == 0 && op2 == 5;
    bool daif = op1 == 3 && (op2 == 6 || op2 == 7);
    /* PAN (v8.1), UAO (v8.2), DIT, SSBS, TCO...: not implemented, UNDEFINED.
     * (PAN, when added, takes the gen_exit below too: TBF_PAN.) */
    if (!spsel && !daif)
        return false;
    if (spsel && cur_el(s) == 0)
        return false;
    t_call(s, HELPER_msr_pstate, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, op1 << 8 | op2 << 4 | crm);
    if (spsel) /* the translation flags change: back to the dispatcher */
        gen_exit(s, s->pc + 4);
    else
        daif_write(s, &s->b->ops[s->b->nops - 1]);
    return true;
}

bool trans_SYS(DisasCtx *s, uint32_t insn)
{
    uint32_t enc = bits(insn, 18, 5); /* op1:CRn:CRm:op2 */
    int rt = (int)bits(insn, 4, 0);
    uint32_t op1 = enc >> 11, crn = enc >> 7 & 15, crm = enc >> 3 & 15, op2 = enc & 7;
    bool el0 = cur_el(s) == 0;
    uint64_t imm = enc | (uint64_t)rt << 16;

    switch (SYSREG_ENC(0, op1, crn, crm, op2)) {
    case SYSREG_ENC(0, 3, 7, 4, 1): /* DC ZVA: zero the 64-byte block (DCZID_EL0.BS = 4) */
        /* A helper, not eight stores: Device memory must take an alignment
         * fault instead, and the memory type is known only at translation
         * of the address (mem_dc_zva). */
        t_call(s, HELPER_sys, IRF_EXCEPT, read_xreg(s, rt, 1), IR_NO_TEMP, IR_NO_TEMP, imm);
        return true;
    case SYSREG_ENC(0, 3, 7, 10, 1): /* DC CVAC */
    case SYSREG_ENC(0, 3, 7, 11, 1): /* DC CVAU */
    case SYSREG_ENC(0, 3, 7, 14, 1): /* DC CIVAC */
        /* Host caches are coherent: only the EL0 permission check remains. */
        if (el0)
            t_call(s, HELPER_sys, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, imm);
        return true;
    case SYSREG_ENC(0, 0, 7, 6, 1):  /* DC IVAC */
    case SYSREG_ENC(0, 0, 7, 6, 2):  /* DC ISW */
    case SYSREG_ENC(0, 0, 7, 10, 2): /* DC CSW */
    case SYSREG_ENC(0, 0, 7, 14, 2): /* DC CISW */
        return !el0;
    case SYSREG_ENC(0, 3, 7, 5, 1): /* IC IVAU */
        t_call(s, HELPER_sys, IRF_EXCEPT, read_xreg(s, rt, 1), IR_NO_TEMP, IR_NO_TEMP, imm);
        end_after_maintenance(s);
        return true;
    case SYSREG_ENC(0, 0, 7, 1, 0): /* IC IALLUIS */
    case SYSREG_ENC(0, 0, 7, 5, 0): /* IC IALLU */
        if (el0)
            return false;
        t_call(s, HELPER_sys, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, imm);
        gen_exit(s, s->pc + 4);
        return true;
    default:
        break;
    }
    /* TLBI ... E1 and E1IS (v8.0 forms only: no OS, range or nXS forms). */
    if (op1 == 0 && crn == 8 && (crm == 3 || crm == 7) && op2 != 4 && op2 != 6) {
        if (el0)
            return false;
        t_call(s, HELPER_sys, 0, read_xreg(s, rt, 1), IR_NO_TEMP, IR_NO_TEMP, imm);
        end_after_maintenance(s);
        return true;
    }
    /* AT S1E1R, S1E1W, S1E0R, S1E0W (EL1 only; S1E1RP/WP are v8.2, S1E2x
     * and S12Ex need EL2: unallocated here). */
    if (op1 == 0 && crn == 7 && crm == 8 && op2 < 4) {
        if (el0)
            return false;
        t_call(s, HELPER_sys, IRF_EXCEPT, read_xreg(s, rt, 1), IR_NO_TEMP, IR_NO_TEMP, imm);
        return true;
    }
    /* Everything else is unallocated. */
    gen_log_unimp_sysreg(s, enc | 1u << 14, false);
    return gen_undef(s);
}

bool trans_SYSL(DisasCtx *s, uint32_t insn)
{
    (void)s, (void)insn;
    return false; /* no SYSL operations exist in v8.0 */
}

/* Look up the register and apply the EL rules of its table entry. */
static const SysRegDef *sysreg_for(DisasCtx *s, uint32_t enc, bool is_read)
{
    const SysRegDef *r = sysreg_find(enc);
    if (!r) {
        gen_log_unimp_sysreg(s, enc, is_read); /* the caller emits the UNDEF */
        return NULL;
    }
    uint32_t need = cur_el(s) == 0 ? (is_read ? SR_R0 : SR_W0) : (is_read ? SR_R1 : SR_W1);
    return (r->flags & need) ? r : NULL;
}

bool trans_MRS(DisasCtx *s, uint32_t insn)
{
    uint32_t enc = bits(insn, 20, 5);
    int rt = (int)bits(insn, 4, 0);
    const SysRegDef *r = sysreg_for(s, enc, true);
    if (!r)
        return gen_undef(s);
    IRTemp v;
    long off = sysreg_plain_offset(r, s->tb_flags);
    if (enc == SYSREG_ENC(3, 3, 4, 2, 0)) /* NZCV: hot, and plain IR */
        v = ir_emit(s->b, IR_GET_NZCV, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    else if (off >= 0) /* SP_EL0 (Linux's `current`), TPIDR_EL1 (per-cpu data), ...: a field */
        v = ir_emit(s->b, IR_GET_FIELD, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)off);
    else
        v = t_call(s, HELPER_mrs, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, enc | (uint64_t)rt << 16);
    write_xreg(s, rt, v, 1);
    if (r->flags & SR_EXIT_READ)
        gen_exit(s, s->pc + 4);
    return true;
}

bool trans_MSR_reg(DisasCtx *s, uint32_t insn)
{
    uint32_t enc = bits(insn, 20, 5);
    int rt = (int)bits(insn, 4, 0);
    const SysRegDef *r = sysreg_for(s, enc, false);
    if (!r)
        return gen_undef(s);
    IRTemp v = read_xreg(s, rt, 1);
    if (enc == SYSREG_ENC(3, 3, 4, 2, 0)) {
        ir_emit(s->b, IR_SET_NZCV, 8, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        return true;
    }
    t_call(s, HELPER_msr, IRF_EXCEPT, v, IR_NO_TEMP, IR_NO_TEMP, enc | (uint64_t)rt << 16);
    if (enc == SYSREG_ENC(3, 3, 4, 2, 1)) /* DAIF */
        daif_write(s, &s->b->ops[s->b->nops - 1]);
    else if (r->flags & SR_EXIT)
        gen_exit(s, s->pc + 4);
    return true;
}
