/* Translate functions: scalar floating point (encodings in cpu/a64/fp.def).
 * Register moves (FMOV, FABS, FNEG, FCSEL, FMOV immediate/general) are plain
 * IR; arithmetic, comparisons and conversions call helper_fp_scalar /
 * helper_fp_cmp (cpu/helpers_fp.c) with the operands' bits and return the
 * result, which the IR writes back (so the helpers never touch registers).
 * ARMv8.0: half-precision (ftype 11) exists only as a conversion source or
 * destination; everything else with ftype 10/11 is UNDEFINED. Every trans_*
 * runs on the translating vCPU thread only. */
#include "fpu.h"
#include "translate.h"

static inline int f_rd(uint32_t insn) { return (int)bits(insn, 4, 0); }
static inline int f_rn(uint32_t insn) { return (int)bits(insn, 9, 5); }
static inline int f_rm(uint32_t insn) { return (int)bits(insn, 20, 16); }
static inline int f_ftype(uint32_t insn) { return (int)bits(insn, 23, 22); }

/* Write a scalar result: the rest of the 128-bit register is zeroed. */
static void write_scalar(DisasCtx *s, int rd, IRTemp v)
{
    write_vreg(s, rd, 0, v);
    write_vreg(s, rd, 1, t_const(s, 0));
}

static IRTemp zext(DisasCtx *s, IRTemp v, int bitsz)
{
    return bitsz == 64 ? v : t_opi(s, IR_ZEXT, 8, v, (uint64_t)bitsz);
}

static IRTemp call_scalar(DisasCtx *s, enum FpKind k, IRTemp a, IRTemp b, IRTemp c, uint32_t insn)
{
    return t_call(s, HELPER_fp_scalar, 0, a, b, c, (uint64_t)k << 32 | insn);
}

bool trans_FP_DP1(DisasCtx *s, uint32_t insn)
{
    int type = f_ftype(insn), op = (int)bits(insn, 20, 15);
    int rd = f_rd(insn), rn = f_rn(insn);
    if (op >= 4 && op <= 7) { /* FCVT: opc = destination type */
        int to = op & 3;
        if (to == type || to == 2 || type == 2)
            return false;
    } else {
        if (type > 1)
            return false;
        if (op > 15 || op == 13)
            return false;
    }
    if (!fp_access_check(s))
        return true;
    int w = type == 0 ? 32 : 64;
    IRTemp v = read_vreg(s, rn, 0);
    switch (op) {
    case 0: /* FMOV */
        write_scalar(s, rd, zext(s, v, w));
        return true;
    case 1: /* FABS */
        write_scalar(s, rd, t_op(s, IR_AND, 8, zext(s, v, w), t_const(s, (1ull << (w - 1)) - 1)));
        return true;
    case 2: /* FNEG */
        write_scalar(s, rd, t_op(s, IR_XOR, 8, zext(s, v, w), t_const(s, 1ull << (w - 1))));
        return true;
    default:
        write_scalar(s, rd, call_scalar(s, FPK_DP1, v, IR_NO_TEMP, IR_NO_TEMP, insn));
        return true;
    }
}

bool trans_FP_DP2(DisasCtx *s, uint32_t insn)
{
    int type = f_ftype(insn), op = (int)bits(insn, 15, 12);
    if (type > 1 || op > 8)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp a = read_vreg(s, f_rn(insn), 0), b = read_vreg(s, f_rm(insn), 0);
    write_scalar(s, f_rd(insn), call_scalar(s, FPK_DP2, a, b, IR_NO_TEMP, insn));
    return true;
}

bool trans_FP_DP3(DisasCtx *s, uint32_t insn)
{
    if (f_ftype(insn) > 1)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp a = read_vreg(s, f_rn(insn), 0), b = read_vreg(s, f_rm(insn), 0);
    IRTemp c = read_vreg(s, (int)bits(insn, 14, 10), 0);
    write_scalar(s, f_rd(insn), call_scalar(s, FPK_DP3, a, b, c, insn));
    return true;
}

static void set_nzcv(DisasCtx *s, IRTemp v)
{
    ir_emit(s->b, IR_SET_NZCV, 8, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
}

bool trans_FCMP(DisasCtx *s, uint32_t insn)
{
    if (f_ftype(insn) > 1 || bits(insn, 2, 0) != 0)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp a = read_vreg(s, f_rn(insn), 0);
    IRTemp b = bit(insn, 3) ? t_const(s, 0) : read_vreg(s, f_rm(insn), 0);
    set_nzcv(s, t_call(s, HELPER_fp_cmp, 0, a, b, t_const(s, 1), insn));
    return true;
}

bool trans_FCCMP(DisasCtx *s, uint32_t insn)
{
    if (f_ftype(insn) > 1)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp a = read_vreg(s, f_rn(insn), 0), b = read_vreg(s, f_rm(insn), 0);
    /* the helper compares (and may raise flags) only when cond holds */
    IRTemp c = t_cond(s, (int)bits(insn, 15, 12));
    set_nzcv(s, t_call(s, HELPER_fp_cmp, 0, a, b, c, insn));
    return true;
}

bool trans_FCSEL(DisasCtx *s, uint32_t insn)
{
    int type = f_ftype(insn);
    if (type > 1)
        return false;
    if (!fp_access_check(s))
        return true;
    int w = type == 0 ? 32 : 64;
    IRTemp a = zext(s, read_vreg(s, f_rn(insn), 0), w), b = zext(s, read_vreg(s, f_rm(insn), 0), w);
    IRTemp c = t_cond(s, (int)bits(insn, 15, 12));
    write_scalar(s, f_rd(insn), t_select(s, c, a, b));
    return true;
}

/* VFPExpandImm */
uint64_t fp_expand_imm(int n, uint32_t imm8)
{
    int e = n == 16 ? 5 : n == 32 ? 8 : 11, f = n - e - 1;
    uint64_t sign = (imm8 >> 7) & 1, b6 = (imm8 >> 6) & 1;
    uint64_t exp = (b6 ^ 1) << (e - 1) | (b6 ? ((1ull << (e - 3)) - 1) << 2 : 0) | ((imm8 >> 4) & 3);
    uint64_t frac = (uint64_t)(imm8 & 15) << (f - 4);
    return sign << (n - 1) | exp << f | frac;
}

bool trans_FMOV_imm(DisasCtx *s, uint32_t insn)
{
    int type = f_ftype(insn);
    if (type > 1)
        return false;
    if (!fp_access_check(s))
        return true;
    write_scalar(s, f_rd(insn), t_const(s, fp_expand_imm(type == 0 ? 32 : 64, bits(insn, 20, 13))));
    return true;
}

bool trans_FP_INT(DisasCtx *s, uint32_t insn)
{
    int sf = (int)bit(insn, 31), type = f_ftype(insn);
    int rmode = (int)bits(insn, 20, 19), op = (int)bits(insn, 18, 16);
    int rd = f_rd(insn), rn = f_rn(insn);
    if (op >= 6) { /* FMOV (general) */
        bool top = false;
        if (rmode == 0 && ((sf == 0 && type == 0) || (sf == 1 && type == 1)))
            top = false;
        else if (rmode == 1 && sf == 1 && type == 2)
            top = true;
        else
            return false;
        if (!fp_access_check(s))
            return true;
        if (op == 6) { /* to general register */
            IRTemp v = read_vreg(s, rn, top ? 1 : 0);
            write_xreg(s, rd, v, sf);
        } else {
            IRTemp v = read_xreg(s, rn, 1);
            if (top) {
                write_vreg(s, rd, 1, v);
            } else {
                write_scalar(s, rd, zext(s, v, sf ? 64 : 32));
            }
        }
        return true;
    }
    if (type > 1)
        return false;
    bool to_fp = op == 2 || op == 3;
    if (to_fp && rmode != 0)
        return false;
    if (op >= 4 && rmode != 0) /* FCVTA* only with rmode 00 */
        return false;
    if (!fp_access_check(s))
        return true;
    if (to_fp) {
        IRTemp v = read_xreg(s, rn, 1);
        write_scalar(s, rd, call_scalar(s, FPK_FROMINT, v, IR_NO_TEMP, IR_NO_TEMP, insn));
    } else {
        IRTemp v = read_vreg(s, rn, 0);
        write_xreg(s, rd, call_scalar(s, FPK_TOINT, v, IR_NO_TEMP, IR_NO_TEMP, insn), 1);
    }
    return true;
}

bool trans_FP_FIXED(DisasCtx *s, uint32_t insn)
{
    int sf = (int)bit(insn, 31), type = f_ftype(insn);
    int rmode = (int)bits(insn, 20, 19), op = (int)bits(insn, 18, 16);
    int scale = (int)bits(insn, 15, 10);
    if (type > 1 || (!sf && scale < 32))
        return false;
    bool to_fp;
    if (rmode == 0 && (op == 2 || op == 3))
        to_fp = true;
    else if (rmode == 3 && (op == 0 || op == 1))
        to_fp = false;
    else
        return false;
    if (!fp_access_check(s))
        return true;
    int rd = f_rd(insn), rn = f_rn(insn);
    if (to_fp) {
        IRTemp v = read_xreg(s, rn, 1);
        write_scalar(s, rd, call_scalar(s, FPK_FROMFIXED, v, IR_NO_TEMP, IR_NO_TEMP, insn));
    } else {
        IRTemp v = read_vreg(s, rn, 0);
        write_xreg(s, rd, call_scalar(s, FPK_TOFIXED, v, IR_NO_TEMP, IR_NO_TEMP, insn), 1);
    }
    return true;
}
