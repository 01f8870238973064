/* Translate functions: integer loads and stores (cpu/a64/ldst.def).
 * Exclusives, acquire/release and LSE atomics live in trans_atomic.c.
 * Every trans_* here is called by the decoder on the translating vCPU
 * thread only (it emits into that thread's DisasCtx).
 *
 * Ordering rules that make faults precise (a memory fault makes the
 * interpreter return at the faulting op, so whatever was emitted before it
 * has happened and nothing after it has):
 *   - every load of an instruction is emitted before any register write, so
 *     a fault (e.g. on the second half of LDP) leaves the registers unchanged;
 *   - base-register writeback is emitted after the access(es), so a faulting
 *     pre- or post-indexed access leaves the base unchanged;
 *   - store data is read before the writeback.
 *
 * CONSTRAINED UNPREDICTABLE choices (all match QEMU, checked against
 * qemu-aarch64 in tests/guest/ldst_index.S and ldst_pair.S):
 *   - load with writeback and Rn == Rt (Rn != 31), Unpredictable_WBOVERLAPLD:
 *     Constraint_UNKNOWN, where the UNKNOWN value is the writeback address:
 *     the loaded value is written first, then the base writeback wins;
 *   - store with writeback and Rn == Rt (Rn != 31), Unpredictable_WBOVERLAPST:
 *     Constraint_NONE, the value stored is Rt before the writeback;
 *   - LDP/LDNP/LDPSW with Rt == Rt2, Unpredictable_LDPOVERLAP:
 *     Constraint_UNKNOWN, where the UNKNOWN value is the first (lower
 *     address) element: Rt2 is written before Rt.
 * The register-unchanged-on-fault rules are checked by tests/guest/ldst_fault.S.
 * SP alignment checking (SCTLR_EL1.SA/SA0) is not implemented yet. */
#include "translate.h"

enum Idx { IDX_OFF, IDX_PRE, IDX_POST };

/* What a (size, opc) pair of the single-register classes means. */
enum LdstKind { K_UNALLOC, K_STORE, K_LOAD, K_PRFM };

/* size = bits 31:30, opc = bits 23:22 (C4.1.88, the shared size/opc table).
 * *sext gets the sign-extension target in bytes (0: zero-extend). */
static enum LdstKind classify(int size, int opc, bool prfm_ok, int *sext)
{
    *sext = 0;
    switch (opc) {
    case 0:
        return K_STORE;
    case 1:
        return K_LOAD;
    case 2:
        if (size == 3)
            return prfm_ok ? K_PRFM : K_UNALLOC;
        *sext = 8; /* LDRSB/LDRSH/LDRSW Xt */
        return K_LOAD;
    default:
        if (size >= 2)
            return K_UNALLOC;
        *sext = 4; /* LDRSB/LDRSH Wt: upper 32 bits become zero */
        return K_LOAD;
    }
}

static IRTemp add_imm(DisasCtx *s, IRTemp base, int64_t off)
{
    if (off == 0)
        return base;
    return t_op(s, IR_ADD, 8, base, t_const(s, (uint64_t)off));
}

/* Unprivileged (LDTR/STTR) accesses check EL0 permissions when executed at
 * EL1; at EL0 they are ordinary accesses (and may use the TLB fast path).
 * tb_flags is the EL (cpu_tb_flags), so the choice is part of the cache key.
 * PSTATE.UAO (v8.2, not implemented) would be the memory system's business. */
static uint16_t unpriv_flags(const DisasCtx *s)
{
    return (s->tb_flags & 3) != 0 ? IRF_UNPRIV : 0;
}

/* One register load or store at addr. */
static void emit_single(DisasCtx *s, enum LdstKind kind, int rt, IRTemp addr, int size, int sext,
                        uint16_t flags)
{
    if (kind == K_STORE) {
        gen_store(s, addr, read_xreg(s, rt, 1), 1 << size, flags);
    } else {
        /* The load result is already zero- or sign-extended to 64 bits. */
        write_xreg(s, rt, gen_load(s, addr, 1 << size, flags, sext), 1);
    }
}

/* The immediate-offset single-register forms: unsigned offset, unscaled,
 * pre-/post-indexed and unprivileged. `off` is the byte offset. */
static bool ldst_imm(DisasCtx *s, uint32_t insn, int64_t off, enum Idx idx, bool prfm_ok, uint16_t flags)
{
    int size = (int)bits(insn, 31, 30), opc = (int)bits(insn, 23, 22);
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0), sext;
    enum LdstKind kind = classify(size, opc, prfm_ok, &sext);
    if (kind == K_UNALLOC)
        return false;
    if (kind == K_PRFM)
        return true; /* a hint: no access, never faults */
    IRTemp base = read_base_sp(s, rn);
    IRTemp addr = idx == IDX_POST ? base : add_imm(s, base, off);
    emit_single(s, kind, rt, addr, size, sext, flags);
    if (idx != IDX_OFF)
        write_xreg_sp(s, rn, idx == IDX_POST ? add_imm(s, base, off) : addr, 1);
    return true;
}

static int64_t imm9(uint32_t insn) { return sextract64(insn, 12, 9); }
static int64_t uimm12(uint32_t insn) { return (int64_t)bits(insn, 21, 10) << bits(insn, 31, 30); }

bool trans_STR_uimm(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, uimm12(insn), IDX_OFF, false, 0); }
bool trans_LDR_uimm(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, uimm12(insn), IDX_OFF, false, 0); }
bool trans_LDRS_uimm(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, uimm12(insn), IDX_OFF, false, 0); }
bool trans_PRFM_uimm(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, uimm12(insn), IDX_OFF, true, 0); }

bool trans_STUR(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_OFF, false, 0); }
bool trans_LDUR(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_OFF, false, 0); }
bool trans_LDURS(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_OFF, false, 0); }
bool trans_PRFUM(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_OFF, true, 0); }

bool trans_STR_post(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_POST, false, 0); }
bool trans_LDR_post(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_POST, false, 0); }
bool trans_LDRS_post(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_POST, false, 0); }

bool trans_STR_pre(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_PRE, false, 0); }
bool trans_LDR_pre(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_PRE, false, 0); }
bool trans_LDRS_pre(DisasCtx *s, uint32_t insn) { return ldst_imm(s, insn, imm9(insn), IDX_PRE, false, 0); }

bool trans_STTR(DisasCtx *s, uint32_t insn)
{
    return ldst_imm(s, insn, imm9(insn), IDX_OFF, false, unpriv_flags(s));
}
bool trans_LDTR(DisasCtx *s, uint32_t insn)
{
    return ldst_imm(s, insn, imm9(insn), IDX_OFF, false, unpriv_flags(s));
}
bool trans_LDTRS(DisasCtx *s, uint32_t insn)
{
    return ldst_imm(s, insn, imm9(insn), IDX_OFF, false, unpriv_flags(s));
}

/* Register offset: address = Rn + (ExtendReg(Rm, option) << (S ? size : 0)). */
static bool ldst_reg(DisasCtx *s, uint32_t insn, bool prfm_ok)
{
    int size = (int)bits(insn, 31, 30), opc = (int)bits(insn, 23, 22);
    int rm = (int)bits(insn, 20, 16), option = (int)bits(insn, 15, 13), shift = bit(insn, 12) ? size : 0;
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0), sext;
    if (!(option & 2))
        return false; /* option<1> == 0: UXTB/UXTH/SXTB/SXTH are reserved here */
    enum LdstKind kind = classify(size, opc, prfm_ok, &sext);
    if (kind == K_UNALLOC)
        return false;
    if (kind == K_PRFM)
        return true;
    IRTemp base = read_base_sp(s, rn);
    IRTemp off = read_xreg(s, rm, 1); /* Rm = 31 is XZR */
    if (option == 2)                   /* UXTW */
        off = t_opi(s, IR_ZEXT, 8, off, 32);
    else if (option == 6)              /* SXTW */
        off = t_opi(s, IR_SEXT, 8, off, 32);
    /* 3 (LSL/UXTX) and 7 (SXTX) use all 64 bits unchanged. */
    if (shift)
        off = t_op(s, IR_SHL, 8, off, t_const(s, (uint64_t)shift));
    emit_single(s, kind, rt, t_op(s, IR_ADD, 8, base, off), size, sext, 0);
    return true;
}

bool trans_STR_reg(DisasCtx *s, uint32_t insn) { return ldst_reg(s, insn, false); }
bool trans_LDR_reg(DisasCtx *s, uint32_t insn) { return ldst_reg(s, insn, false); }
bool trans_LDRS_reg(DisasCtx *s, uint32_t insn) { return ldst_reg(s, insn, false); }
bool trans_PRFM_reg(DisasCtx *s, uint32_t insn) { return ldst_reg(s, insn, true); }

/* Literal: the address is PC-relative, known at translation time. */
static IRTemp lit_addr(DisasCtx *s, uint32_t insn)
{
    return t_const(s, s->pc + (uint64_t)(sextract64(insn, 5, 19) * 4));
}

bool trans_LDR_lit(DisasCtx *s, uint32_t insn)
{
    int size = bit(insn, 30) ? 8 : 4;
    write_xreg(s, (int)bits(insn, 4, 0), gen_load(s, lit_addr(s, insn), size, 0, 0), 1);
    return true;
}

bool trans_LDRSW_lit(DisasCtx *s, uint32_t insn)
{
    write_xreg(s, (int)bits(insn, 4, 0), gen_load(s, lit_addr(s, insn), 4, 0, 8), 1);
    return true;
}

bool trans_PRFM_lit(DisasCtx *s, uint32_t insn)
{
    (void)s, (void)insn;
    return true; /* a hint: no access, never faults */
}

/* Load/store pair (and no-allocate pair when nt). Offset = imm7 scaled by
 * the element size; the second element is at address + size. */
static bool ldst_pair(DisasCtx *s, uint32_t insn, enum Idx idx, bool nt)
{
    int opc = (int)bits(insn, 31, 30), load = bit(insn, 22);
    int rt2 = (int)bits(insn, 14, 10), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    int size, sext = 0;
    switch (opc) {
    case 0:
        size = 4;
        break;
    case 1:
        /* LDPSW; the store encoding is STGP (MTE, not implemented), and
         * there is no non-temporal form. */
        if (!load || nt)
            return false;
        size = 4, sext = 8;
        break;
    case 2:
        size = 8;
        break;
    default:
        return false;
    }
    int64_t off = sextract64(insn, 15, 7) * size;
    IRTemp base = read_base_sp(s, rn);
    IRTemp addr = idx == IDX_POST ? base : add_imm(s, base, off);
    IRTemp addr2 = add_imm(s, addr, size);
    if (load) {
        /* Both loads before any register write (precise faults). */
        IRTemp v1 = gen_load(s, addr, size, 0, sext);
        IRTemp v2 = gen_load(s, addr2, size, 0, sext);
        write_xreg(s, rt2, v2, 1);
        write_xreg(s, rt, v1, 1); /* Rt == Rt2: the first element wins */
    } else {
        IRTemp v1 = read_xreg(s, rt, 1), v2 = read_xreg(s, rt2, 1);
        gen_store(s, addr, v1, size, 0);
        gen_store(s, addr2, v2, size, 0);
    }
    if (idx != IDX_OFF)
        write_xreg_sp(s, rn, idx == IDX_POST ? add_imm(s, base, off) : addr, 1);
    return true;
}

bool trans_STNP(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_OFF, true); }
bool trans_LDNP(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_OFF, true); }
bool trans_STP_post(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_POST, false); }
bool trans_LDP_post(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_POST, false); }
bool trans_STP_off(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_OFF, false); }
bool trans_LDP_off(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_OFF, false); }
bool trans_STP_pre(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_PRE, false); }
bool trans_LDP_pre(DisasCtx *s, uint32_t insn) { return ldst_pair(s, insn, IDX_PRE, false); }
