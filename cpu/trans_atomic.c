/* Translate functions: exclusives, load-acquire/store-release, CAS/CASP and
 * the LSE atomic memory operations (cpu/a64/atomic.def). The semantics live
 * in sync/atomic.c, reached through IR_LOAD_EXCL, IR_STORE_EXCL,
 * IR_ATOMIC_RMW, IR_CAS, acquire/release-flagged IR_LOAD/IR_STORE and the
 * pair helpers (ldxp, stxp, ldp_hi, casp).
 *
 * CONSTRAINED UNPREDICTABLE choices (all as QEMU does):
 *   - STXR/STXP with Rs == Rt, Rt2 or Rn (Rn != 31): the instruction runs as
 *     if there were no overlap: address and data are read first, the status
 *     is written last;
 *   - LDXP with Rt == Rt2: Rt is written first, then Rt2 (the second word
 *     wins);
 *   - Rs/Rt2 fields that should be ones (LDXR, STXR) are ignored.
 * Exclusives, LDAR/STLR and atomics take an alignment fault when the address
 * is not naturally aligned (the pair forms: aligned to the pair's size).
 * SP alignment checking for Rn == 31 is not implemented (project-wide). */
#include "translate.h"

/* IR flags for the acquire (load side) and release (store side) bits. */
static uint16_t ord_flags(bool acq, bool rel)
{
    return (acq ? IRF_ACQ : 0) | (rel ? IRF_REL : 0);
}

/* STXR{B,H}, STLXR{B,H}: Ws = 0 if stored, 1 if not. */
bool trans_STXR(DisasCtx *s, uint32_t insn)
{
    int size = (int)bits(insn, 31, 30);
    int rs = (int)bits(insn, 20, 16), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    IRTemp addr = read_base_sp(s, rn);
    IRTemp val = read_xreg(s, rt, 1);
    IRTemp st = ir_emit(s->b, IR_STORE_EXCL, 1 << size, ord_flags(false, bit(insn, 15)), addr, val, IR_NO_TEMP,
                        0, 0);
    write_xreg(s, rs, st, 0);
    return true;
}

/* LDXR{B,H}, LDAXR{B,H}: the value is zero-extended. */
bool trans_LDXR(DisasCtx *s, uint32_t insn)
{
    int size = (int)bits(insn, 31, 30);
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    IRTemp addr = read_base_sp(s, rn);
    IRTemp v = ir_emit(s->b, IR_LOAD_EXCL, 1 << size, ord_flags(bit(insn, 15), false), addr, IR_NO_TEMP,
                       IR_NO_TEMP, 0, 0);
    write_xreg(s, rt, v, 1);
    return true;
}

/* A pair of W registers as the one 64-bit value a pair access of 8 bytes
 * moves (the first register at the lower address: little-endian data). */
static IRTemp join_w(DisasCtx *s, int lo, int hi)
{
    IRTemp l = read_xreg(s, lo, 0);
    if (hi == 31)
        return l;
    return t_op(s, IR_OR, 8, l, t_op(s, IR_SHL, 8, read_xreg(s, hi, 1), t_const(s, 32)));
}

static void split_w(DisasCtx *s, IRTemp v, int lo, int hi)
{
    write_xreg(s, lo, v, 0);
    write_xreg(s, hi, t_op(s, IR_SHR, 8, v, t_const(s, 32)), 1);
}

/* STXP/STLXP: bit 30 = 64-bit registers. A pair of W registers is one
 * 8-byte exclusive store (same alignment, monitor and abort rules), inline
 * in generated code; the 16-byte pair is a helper. */
bool trans_STXP(DisasCtx *s, uint32_t insn)
{
    int es = bit(insn, 30) ? 8 : 4;
    int rs = (int)bits(insn, 20, 16), rt2 = (int)bits(insn, 14, 10);
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    uint16_t fl = ord_flags(false, bit(insn, 15));
    IRTemp addr = read_base_sp(s, rn);
    IRTemp st;
    if (es == 4) {
        st = ir_emit(s->b, IR_STORE_EXCL, 8, fl, addr, join_w(s, rt, rt2), IR_NO_TEMP, 0, 0);
    } else {
        IRTemp lo = read_xreg(s, rt, 1), hi = read_xreg(s, rt2, 1);
        st = t_call(s, HELPER_stxp, IRF_EXCEPT, addr, lo, hi, (uint64_t)es | (uint64_t)fl << 8);
    }
    write_xreg(s, rs, st, 0);
    return true;
}

/* LDXP/LDAXP: a pair of W registers is one 8-byte exclusive load (as STXP). */
bool trans_LDXP(DisasCtx *s, uint32_t insn)
{
    int es = bit(insn, 30) ? 8 : 4;
    int rt2 = (int)bits(insn, 14, 10), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    uint16_t fl = ord_flags(bit(insn, 15), false);
    IRTemp addr = read_base_sp(s, rn);
    if (es == 4) {
        IRTemp v = ir_emit(s->b, IR_LOAD_EXCL, 8, fl, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        split_w(s, v, rt, rt2);
        return true;
    }
    IRTemp lo = t_call(s, HELPER_ldxp, IRF_EXCEPT, addr, IR_NO_TEMP, IR_NO_TEMP, (uint64_t)es | (uint64_t)fl << 8);
    IRTemp hi = t_call(s, HELPER_ldp_hi, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
    write_xreg(s, rt, lo, 1);
    write_xreg(s, rt2, hi, 1);
    return true;
}

/* CASP{A,L,AL}: Rs and Rt must be even (else UNDEFINED). */
bool trans_CASP(DisasCtx *s, uint32_t insn)
{
    int sf = bit(insn, 30);
    int rs = (int)bits(insn, 20, 16), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    if ((rs | rt) & 1)
        return false;
    uint16_t fl = ord_flags(bit(insn, 22), bit(insn, 15));
    IRTemp addr = read_base_sp(s, rn);
    if (!sf) {
        /* A pair of W registers: one 8-byte CAS, inline (LSE atomics, docs/jit.md). */
        IRTemp old = ir_emit(s->b, IR_CAS, 8, fl, addr, join_w(s, rs, rs + 1), join_w(s, rt, rt + 1), 0, 0);
        split_w(s, old, rs, rs + 1);
        return true;
    }
    /* X registers: the helper (and the JIT's CMPXCHG16B fast path in front of it). */
    IRTemp lo = t_call(s, HELPER_casp, IRF_EXCEPT, addr, t_const(s, (uint64_t)(rs | rt << 8)), IR_NO_TEMP,
                       8 | (uint64_t)fl << 8);
    IRTemp hi = t_call(s, HELPER_ldp_hi, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
    write_xreg(s, rs, lo, 1);
    write_xreg(s, rs + 1, hi, 1);
    return true;
}

/* STLR{B,H}. */
bool trans_STLR(DisasCtx *s, uint32_t insn)
{
    int size = (int)bits(insn, 31, 30);
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    IRTemp addr = read_base_sp(s, rn);
    gen_store(s, addr, read_xreg(s, rt, 1), 1 << size, IRF_REL);
    return true;
}

/* LDAR{B,H}. */
bool trans_LDAR(DisasCtx *s, uint32_t insn)
{
    int size = (int)bits(insn, 31, 30);
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    IRTemp addr = read_base_sp(s, rn);
    write_xreg(s, rt, gen_load(s, addr, 1 << size, IRF_ACQ, 0), 1);
    return true;
}

/* CAS{A,L,AL}{B,H}: Rs = compare value in, old value out. */
bool trans_CAS(DisasCtx *s, uint32_t insn)
{
    int size = (int)bits(insn, 31, 30);
    int rs = (int)bits(insn, 20, 16), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    IRTemp addr = read_base_sp(s, rn);
    IRTemp cmp = read_xreg(s, rs, 1), nv = read_xreg(s, rt, 1);
    IRTemp old = ir_emit(s->b, IR_CAS, 1 << size, ord_flags(bit(insn, 22), bit(insn, 15)), addr, cmp, nv, 0, 0);
    write_xreg(s, rs, old, 1); /* already zero-extended from the access size */
    return true;
}

/* LD<op>{A,L,AL}{B,H}, ST<op> (Rt = 31), SWP. */
bool trans_LSE_RMW(DisasCtx *s, uint32_t insn)
{
    static const enum IRRmw ops[8] = {IR_RMW_ADD,  IR_RMW_CLR,  IR_RMW_EOR,  IR_RMW_SET,
                                      IR_RMW_SMAX, IR_RMW_SMIN, IR_RMW_UMAX, IR_RMW_UMIN};
    int size = (int)bits(insn, 31, 30);
    int rs = (int)bits(insn, 20, 16), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    int o3 = bit(insn, 15), opc = (int)bits(insn, 14, 12);
    if (o3 && opc != 0)
        return false; /* LDAPR (v8.3) and unallocated */
    enum IRRmw op = o3 ? IR_RMW_SWP : ops[opc];
    /* ST<op> aliases (Rt = 31) have no acquire semantics. */
    uint16_t fl = ord_flags(bit(insn, 23) && rt != 31, bit(insn, 22));
    IRTemp addr = read_base_sp(s, rn);
    IRTemp opnd = read_xreg(s, rs, 1);
    IRTemp old = ir_emit(s->b, IR_ATOMIC_RMW, 1 << size, fl, addr, opnd, IR_NO_TEMP, (uint32_t)op, 0);
    write_xreg(s, rt, old, 1);
    return true;
}
