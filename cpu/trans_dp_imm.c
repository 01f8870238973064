/* Translate functions: data processing -- immediate (Arm ARM C4.1.86,
 * encodings in cpu/a64/dp_imm.def). Every trans_* here is called by the
 * decoder on the translating vCPU thread only (it emits into that thread's
 * DisasCtx). Reserved field values return false (UNDEFINED).
 *
 * Width convention used here and in trans_dp_reg.c: source registers are
 * read as 64-bit values and the operation is emitted at the instruction's
 * width (size 4 or 8). IR ALU ops at size 4 use only the low 32 bits of
 * their inputs and zero-extend their result, so such a result can be
 * written back with write_xreg(..., 1) without another truncation. */
#include "translate.h"

static inline int opsize(int sf) { return sf ? 8 : 4; }

/* Write a value that is already zero-extended to the instruction width. */
static inline void set_rd(DisasCtx *s, int rd, IRTemp v) { write_xreg(s, rd, v, 1); }
static inline void set_rd_sp(DisasCtx *s, int rd, IRTemp v) { write_xreg_sp(s, rd, v, 1); }

static inline uint64_t ones(int n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

/* Shift by a constant; a shift by 0 is a no-op (the value is then passed
 * on unchanged, so callers only skip it where the width is already right). */
static IRTemp shift_const(DisasCtx *s, int opc, int sz, IRTemp v, int amount)
{
    if (amount == 0)
        return v;
    return t_op(s, opc, sz, v, t_const(s, (uint64_t)amount));
}

/* ---- PC-relative addressing ---- */

static int64_t adr_offset(uint32_t insn)
{
    return sextract64((uint64_t)(bits(insn, 23, 5) << 2 | bits(insn, 30, 29)), 0, 21);
}

bool trans_ADR(DisasCtx *s, uint32_t insn)
{
    set_rd(s, (int)bits(insn, 4, 0), t_const(s, s->pc + (uint64_t)adr_offset(insn)));
    return true;
}

bool trans_ADRP(DisasCtx *s, uint32_t insn)
{
    uint64_t base = s->pc & ~(uint64_t)0xfff;
    set_rd(s, (int)bits(insn, 4, 0), t_const(s, base + ((uint64_t)adr_offset(insn) << 12)));
    return true;
}

/* ---- Add/subtract (immediate) ---- */

/* Rn is SP-capable; Rd is SP-capable unless the flags are set (CMP/CMN). */
static bool addsub_imm(DisasCtx *s, uint32_t insn, bool sub, bool setflags)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf);
    int rn = (int)bits(insn, 9, 5), rd = (int)bits(insn, 4, 0);
    uint64_t imm = (uint64_t)bits(insn, 21, 10) << (bit(insn, 22) ? 12 : 0);
    IRTemp n = read_xreg_sp(s, rn, 1);
    if (!setflags && imm == 0) {
        /* MOV (to/from SP): a plain copy at the operand width. */
        set_rd_sp(s, rd, sf ? n : t_op1(s, IR_MOV, 4, n));
        return true;
    }
    IRTemp m = t_const(s, imm);
    if (setflags) {
        set_rd(s, rd, t_op(s, sub ? IR_SUB_FLAGS : IR_ADD_FLAGS, sz, n, m));
    } else {
        set_rd_sp(s, rd, t_op(s, sub ? IR_SUB : IR_ADD, sz, n, m));
    }
    return true;
}

bool trans_ADD_imm(DisasCtx *s, uint32_t insn) { return addsub_imm(s, insn, false, false); }
bool trans_ADDS_imm(DisasCtx *s, uint32_t insn) { return addsub_imm(s, insn, false, true); }
bool trans_SUB_imm(DisasCtx *s, uint32_t insn) { return addsub_imm(s, insn, true, false); }
bool trans_SUBS_imm(DisasCtx *s, uint32_t insn) { return addsub_imm(s, insn, true, true); }

/* ---- Logical (immediate) ---- */

/* DecodeBitMasks(N, imms, immr, immediate=TRUE) for the logical immediates:
 * returns false for the reserved encodings. The result is the replicated
 * wmask at the operand width. */
static bool logic_imm_mask(int sf, int n, int immr, int imms, uint64_t *out)
{
    if (!sf && n)
        return false;
    int v = n << 6 | (~imms & 0x3f);
    if (v < 2) /* HighestSetBit < 1 */
        return false;
    int len = 31 - __builtin_clz((unsigned)v);
    int levels = (1 << len) - 1;
    int S = imms & levels, R = immr & levels;
    int esize = 1 << len;
    if (S == levels) /* an all-ones element is not encodable */
        return false;
    uint64_t welem = ones(S + 1);
    uint64_t elem = R ? ((welem >> R) | (welem << (esize - R))) & ones(esize) : welem;
    uint64_t m = 0;
    for (int i = 0; i < 64; i += esize)
        m |= elem << i;
    *out = sf ? m : (uint32_t)m;
    return true;
}

enum { LOGIC_AND, LOGIC_ORR, LOGIC_EOR, LOGIC_ANDS };

/* Rn is XZR-capable; Rd is SP-capable except for ANDS (TST writes XZR). */
static bool logic_imm(DisasCtx *s, uint32_t insn, int opc)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf);
    int rn = (int)bits(insn, 9, 5), rd = (int)bits(insn, 4, 0);
    uint64_t imm;
    if (!logic_imm_mask(sf, (int)bit(insn, 22), (int)bits(insn, 21, 16), (int)bits(insn, 15, 10), &imm))
        return false;
    IRTemp m = t_const(s, imm);
    if (rn == 31 && opc == LOGIC_ORR) {
        /* MOV (bitmask immediate) */
        set_rd_sp(s, rd, m);
        return true;
    }
    static const int ops[4] = {IR_AND, IR_OR, IR_XOR, IR_AND};
    IRTemp r = t_op(s, ops[opc], sz, read_xreg(s, rn, 1), m);
    if (opc == LOGIC_ANDS) {
        ir_emit(s->b, IR_LOGIC_FLAGS, sz, 0, r, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        set_rd(s, rd, r);
    } else {
        set_rd_sp(s, rd, r);
    }
    return true;
}

bool trans_AND_imm(DisasCtx *s, uint32_t insn) { return logic_imm(s, insn, LOGIC_AND); }
bool trans_ORR_imm(DisasCtx *s, uint32_t insn) { return logic_imm(s, insn, LOGIC_ORR); }
bool trans_EOR_imm(DisasCtx *s, uint32_t insn) { return logic_imm(s, insn, LOGIC_EOR); }
bool trans_ANDS_imm(DisasCtx *s, uint32_t insn) { return logic_imm(s, insn, LOGIC_ANDS); }

/* ---- Move wide (immediate) ---- */

/* Returns the shift (16 * hw), or -1 for the reserved 32-bit hw values. */
static int movw_pos(uint32_t insn)
{
    int sf = (int)bit(insn, 31), hw = (int)bits(insn, 22, 21);
    if (!sf && hw >= 2)
        return -1;
    return 16 * hw;
}

bool trans_MOVZ(DisasCtx *s, uint32_t insn)
{
    int pos = movw_pos(insn);
    if (pos < 0)
        return false;
    set_rd(s, (int)bits(insn, 4, 0), t_const(s, (uint64_t)bits(insn, 20, 5) << pos));
    return true;
}

bool trans_MOVN(DisasCtx *s, uint32_t insn)
{
    int pos = movw_pos(insn);
    if (pos < 0)
        return false;
    uint64_t v = ~((uint64_t)bits(insn, 20, 5) << pos);
    set_rd(s, (int)bits(insn, 4, 0), t_const(s, bit(insn, 31) ? v : (uint32_t)v));
    return true;
}

bool trans_MOVK(DisasCtx *s, uint32_t insn)
{
    int pos = movw_pos(insn), sf = (int)bit(insn, 31), rd = (int)bits(insn, 4, 0);
    if (pos < 0)
        return false;
    IRTemp old = read_xreg(s, rd, 1);
    IRTemp kept = t_op(s, IR_AND, opsize(sf), old, t_const(s, ~(0xffffull << pos)));
    IRTemp r = t_op(s, IR_OR, opsize(sf), kept, t_const(s, (uint64_t)bits(insn, 20, 5) << pos));
    set_rd(s, rd, r);
    return true;
}

/* ---- Bitfield ----
 * The Arm ARM defines SBFM/BFM/UBFM with DecodeBitMasks(immediate=FALSE);
 * those masks reduce to two cases that are cheaper to emit:
 *   imms >= immr: the field Rn<imms:immr> goes to bit 0        (xBFX, BFXIL)
 *   imms <  immr: the field Rn<imms:0> goes to bit W - immr     (xBFIZ, BFI)
 * SBFM fills the bits above the field with its top bit, UBFM with zeros,
 * and BFM keeps the destination's other bits; bits below the field are
 * zero for SBFM/UBFM. */

enum { BF_SBFM, BF_BFM, BF_UBFM };

static bool bitfield(DisasCtx *s, uint32_t insn, int opc)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf), w = sf ? 64 : 32;
    int R = (int)bits(insn, 21, 16), S = (int)bits(insn, 15, 10);
    int rn = (int)bits(insn, 9, 5), rd = (int)bits(insn, 4, 0);
    if ((int)bit(insn, 22) != sf)
        return false;
    if (!sf && ((R | S) & 0x20))
        return false;
    IRTemp src = read_xreg(s, rn, 1), r;
    int len, pos;
    if (S >= R) {
        len = S - R + 1;
        pos = 0;
    } else {
        len = S + 1;
        pos = w - R;
    }
    switch (opc) {
    case BF_SBFM:
        if (R == 0 && S < w - 1) { /* SXTB/SXTH/SXTW and SBFX at bit 0: one sign extension */
            r = t_opi(s, IR_SEXT, sz, src, (uint64_t)(S + 1));
            break;
        }
        if (pos > 0) { /* SBFIZ (SXTW then LSL, from compilers' array indexing): extend, then shift up */
            r = t_opi(s, IR_SEXT, sz, src, (uint64_t)len);
            r = t_op(s, IR_SHL, sz, r, t_const(s, (uint64_t)pos));
            break;
        }
        /* Move the field's top bit to bit W-1, then shift arithmetically
         * so the field lands at bit 0. */
        r = shift_const(s, IR_SHL, sz, src, w - 1 - S);
        r = shift_const(s, IR_SAR, sz, r, w - len);
        if (w - 1 - S == 0 && w - len == 0)
            r = t_op1(s, IR_MOV, sz, r); /* whole register: only the width changes */
        break;
    case BF_UBFM:
        if (pos == 0) {
            r = shift_const(s, IR_SHR, sz, src, R);
            if (len < w - R || R == 0)
                r = t_opi(s, IR_ZEXT, sz, r, (uint64_t)len); /* also truncates when R == 0 */
        } else {
            if (pos + len < w)
                src = t_opi(s, IR_ZEXT, sz, src, (uint64_t)len);
            r = t_op(s, IR_SHL, sz, src, t_const(s, (uint64_t)pos));
        }
        break;
    default: { /* BF_BFM */
        IRTemp field;
        if (pos == 0) {
            field = shift_const(s, IR_SHR, sz, src, R);
            field = t_opi(s, IR_ZEXT, sz, field, (uint64_t)len);
        } else if (pos + len == w) {
            /* A field that reaches the top (BFI Xd, Xn, #32, #32, which
             * joins two 32-bit halves): the shift drops the bits above it,
             * and the kept bits are the low pos, a zero extension (a
             * 32-bit move at pos 32) rather than an AND with a 64-bit mask
             * that needs MOVABS. */
            field = t_op(s, IR_SHL, sz, src, t_const(s, (uint64_t)pos));
            IRTemp low = t_opi(s, IR_ZEXT, sz, read_xreg(s, rd, 1), (uint64_t)pos);
            r = t_op(s, IR_OR, sz, low, field);
            break;
        } else {
            field = t_opi(s, IR_ZEXT, sz, src, (uint64_t)len);
            field = t_op(s, IR_SHL, sz, field, t_const(s, (uint64_t)pos));
        }
        IRTemp dst = read_xreg(s, rd, 1);
        IRTemp kept = t_op(s, IR_ANDN, sz, dst, t_const(s, ones(len) << pos));
        r = t_op(s, IR_OR, sz, kept, field);
        break;
    }
    }
    set_rd(s, rd, r);
    return true;
}

bool trans_SBFM(DisasCtx *s, uint32_t insn) { return bitfield(s, insn, BF_SBFM); }
bool trans_BFM(DisasCtx *s, uint32_t insn) { return bitfield(s, insn, BF_BFM); }
bool trans_UBFM(DisasCtx *s, uint32_t insn) { return bitfield(s, insn, BF_UBFM); }

/* ---- Extract ---- */

bool trans_EXTR(DisasCtx *s, uint32_t insn)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf), w = sf ? 64 : 32;
    int rm = (int)bits(insn, 20, 16), lsb = (int)bits(insn, 15, 10);
    int rn = (int)bits(insn, 9, 5), rd = (int)bits(insn, 4, 0);
    if ((int)bit(insn, 22) != sf || lsb >= w)
        return false;
    IRTemp m = read_xreg(s, rm, 1), r;
    if (lsb == 0) {
        r = sf ? m : t_op1(s, IR_MOV, 4, m);
    } else if (rn == rm) {
        r = t_op(s, IR_ROR, sz, m, t_const(s, (uint64_t)lsb)); /* ROR (immediate) */
    } else {
        IRTemp lo = t_op(s, IR_SHR, sz, m, t_const(s, (uint64_t)lsb));
        IRTemp hi = t_op(s, IR_SHL, sz, read_xreg(s, rn, 1), t_const(s, (uint64_t)(w - lsb)));
        r = t_op(s, IR_OR, sz, hi, lo);
    }
    set_rd(s, rd, r);
    return true;
}
