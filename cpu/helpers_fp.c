/* C helpers of the fp group (cpu/helpers_fp.def): scalar FP arithmetic and
 * conversions (operands in, result out), FP compares returning NZCV, and
 * the Advanced SIMD FP instructions, which work on cpu->v directly. Each
 * helper decodes the instruction word it gets in imm (bits 31:0; bits 63:32
 * hold an FpKind); the translator has already rejected reserved encodings.
 * All arithmetic is cpu/fpu.c; exceptions accumulate into FPSR.
 * Thread rules: called from translated code on the vCPU's own thread. */
#include <string.h>

#include "fpu.h"
#include "translate.h"

static inline uint64_t nmask(int n) { return n == 64 ? ~0ull : (1ull << n) - 1; }

static inline int type_bits(uint32_t insn)
{
    int t = (int)bits(insn, 23, 22);
    return t == 0 ? 32 : t == 1 ? 64 : 16;
}

static uint64_t scalar_dp1(uint64_t a, uint32_t insn, FPCtx *c)
{
    int n = type_bits(insn), op = (int)bits(insn, 20, 15);
    a &= nmask(n);
    enum FPRounding cur = fp_rmode(c);
    switch (op) {
    case 3:
        return fp_sqrt(n, a, c);
    case 4: case 5: case 7: {
        int to = op == 4 ? 32 : op == 5 ? 64 : 16;
        return fp_convert(to, n, a, cur, c);
    }
    case 8: case 9: case 10: case 11: case 12: case 14: case 15: /* FRINT* */
        return fp_round_int(n, a, fp_frint_rounding(op, cur), op == 14, c);
    default: return 0;
    }
}

static uint64_t scalar_dp2(uint64_t a, uint64_t b, uint32_t insn, FPCtx *c)
{
    int n = type_bits(insn);
    a &= nmask(n);
    b &= nmask(n);
    switch (bits(insn, 15, 12)) {
    case 0: return fp_mul(n, a, b, c);
    case 1: return fp_div(n, a, b, c);
    case 2: return fp_add(n, a, b, c);
    case 3: return fp_sub(n, a, b, c);
    case 4: return fp_max(n, a, b, c);
    case 5: return fp_min(n, a, b, c);
    case 6: return fp_maxnum(n, a, b, c);
    case 7: return fp_minnum(n, a, b, c);
    case 8: return fp_neg(n, fp_mul(n, a, b, c)); /* FNMUL negates even a NaN result */
    default: return 0;
    }
}

static uint64_t scalar_dp3(uint64_t a, uint64_t b, uint64_t ad, uint32_t insn, FPCtx *c)
{
    int n = type_bits(insn);
    a &= nmask(n);
    b &= nmask(n);
    ad &= nmask(n);
    bool o1 = bit(insn, 21), o0 = bit(insn, 15);
    if (o1)
        ad = fp_neg(n, ad); /* FNMADD, FNMSUB */
    if (o0 != o1)
        a = fp_neg(n, a); /* FMSUB, FNMADD */
    return fp_muladd(n, ad, a, b, c);
}

uint64_t helper_fp_scalar(CPUState *cpu, uint64_t a, uint64_t b, uint64_t cc, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    enum FpKind k = (enum FpKind)(imm >> 32);
    FPCtx c;
    fpctx_init(&c, cpu->fpcr);
    int n = type_bits(insn);
    int m = bit(insn, 31) ? 64 : 32;
    int rmode = (int)bits(insn, 20, 19), op = (int)bits(insn, 18, 16);
    int fbits = 64 - (int)bits(insn, 15, 10);
    uint64_t r = 0;
    switch (k) {
    case FPK_DP1:
        r = scalar_dp1(a, insn, &c);
        break;
    case FPK_DP2:
        r = scalar_dp2(a, b, insn, &c);
        break;
    case FPK_DP3:
        r = scalar_dp3(a, b, cc, insn, &c);
        break;
    case FPK_TOINT:
        r = fp_to_fixed(n, a & nmask(n), 0, op & 1, m, op >= 4 ? FPR_TIEAWAY : (enum FPRounding)rmode, &c);
        break;
    case FPK_FROMINT:
        r = fp_from_fixed(n, a, 0, op == 3, m, fp_rmode(&c), &c);
        break;
    case FPK_TOFIXED:
        r = fp_to_fixed(n, a & nmask(n), fbits, op & 1, m, FPR_ZERO, &c);
        break;
    case FPK_FROMFIXED:
        r = fp_from_fixed(n, a, fbits, op == 3, m, fp_rmode(&c), &c);
        break;
    default:
        break;
    }
    cpu->fpsr |= c.exc;
    return r;
}

uint64_t helper_fp_cmp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t cond, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    bool ccmp = bits(insn, 11, 10) == 1;
    if (ccmp && !cond)
        return (uint64_t)(insn & 0xf) << 28;
    int n = type_bits(insn);
    FPCtx c;
    fpctx_init(&c, cpu->fpcr);
    uint32_t nzcv = fp_compare(n, a & nmask(n), b & nmask(n), bit(insn, 4), &c);
    cpu->fpsr |= c.exc;
    return (uint64_t)nzcv << 28;
}

/* ---------------- Advanced SIMD ---------------- */

/* Element access on the little-endian 128-bit registers. */
static uint64_t elem(const uint64_t *v, int n, int i)
{
    uint64_t x = 0;
    memcpy(&x, (const uint8_t *)v + i * (n / 8), (size_t)n / 8);
    return x;
}
static void set_elem(uint64_t *v, int n, int i, uint64_t x)
{
    memcpy((uint8_t *)v + i * (n / 8), &x, (size_t)n / 8);
}

enum V3Op {
    V_MAXNUM, V_FMLA, V_ADD, V_MULX, V_CMEQ, V_MAX, V_RECPS, V_MINNUM, V_FMLS, V_SUB, V_MIN, V_RSQRTS,
    V_MUL, V_CMGE, V_ACGE, V_DIV, V_ABD, V_CMGT, V_ACGT, V_BAD,
};

/* (U, a, opcode 11xxx) -> operation; pairwise forms map to their base op */
static enum V3Op v3_op(unsigned u, unsigned a, unsigned op, bool *pair)
{
    static const enum V3Op t[4][8] = {
        /* U0 a0 */ {V_MAXNUM, V_FMLA, V_ADD, V_MULX, V_CMEQ, V_BAD, V_MAX, V_RECPS},
        /* U0 a1 */ {V_MINNUM, V_FMLS, V_SUB, V_BAD, V_BAD, V_BAD, V_MIN, V_RSQRTS},
        /* U1 a0 */ {V_MAXNUM, V_BAD, V_ADD, V_MUL, V_CMGE, V_ACGE, V_MAX, V_DIV},
        /* U1 a1 */ {V_MINNUM, V_BAD, V_ABD, V_BAD, V_CMGT, V_ACGT, V_MIN, V_BAD},
    };
    unsigned o = op & 7;
    *pair = u && (o == 0 || o == 6 || (o == 2 && !a));
    return t[u * 2 + a][o];
}

static uint64_t v3_apply(enum V3Op op, int n, uint64_t x, uint64_t y, uint64_t d, FPCtx *c)
{
    uint64_t ones = nmask(n);
    switch (op) {
    case V_MAXNUM: return fp_maxnum(n, x, y, c);
    case V_MINNUM: return fp_minnum(n, x, y, c);
    case V_FMLA: return fp_muladd(n, d, x, y, c);
    case V_FMLS: return fp_muladd(n, d, fp_neg(n, x), y, c);
    case V_ADD: return fp_add(n, x, y, c);
    case V_SUB: return fp_sub(n, x, y, c);
    case V_MULX: return fp_mulx(n, x, y, c);
    case V_MUL: return fp_mul(n, x, y, c);
    case V_DIV: return fp_div(n, x, y, c);
    case V_MAX: return fp_max(n, x, y, c);
    case V_MIN: return fp_min(n, x, y, c);
    case V_RECPS: return fp_recps(n, x, y, c);
    case V_RSQRTS: return fp_rsqrts(n, x, y, c);
    case V_ABD: return fp_abd(n, x, y, c);
    case V_CMEQ: return fp_compare_eq(n, x, y, c) ? ones : 0;
    case V_CMGE: return fp_compare_ge(n, x, y, c) ? ones : 0;
    case V_CMGT: return fp_compare_gt(n, x, y, c) ? ones : 0;
    case V_ACGE: return fp_compare_ge(n, fp_abs(n, x), fp_abs(n, y), c) ? ones : 0;
    case V_ACGT: return fp_compare_gt(n, fp_abs(n, x), fp_abs(n, y), c) ? ones : 0;
    default: return 0;
    }
}

/* Write a result vector: `bytes` of res (8 or 16), the rest zeroed. */
static void write_vec(CPUState *cpu, int rd, const uint64_t res[2], int bytes)
{
    cpu->v[rd][0] = res[0];
    cpu->v[rd][1] = bytes == 16 ? res[1] : 0;
}

static void simd_3same(CPUState *cpu, uint32_t insn, FPCtx *c)
{
    bool scalar = bit(insn, 28);
    int n = bit(insn, 22) ? 64 : 32;
    int bytes = scalar ? n / 8 : (bit(insn, 30) ? 16 : 8);
    int elems = bytes * 8 / n;
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5), rm = (int)bits(insn, 20, 16);
    bool pair;
    enum V3Op op = v3_op(bit(insn, 29), bit(insn, 23), bits(insn, 15, 11), &pair);
    uint64_t res[2] = {0, 0};
    const uint64_t *vn = cpu->v[rn], *vm = cpu->v[rm], *vd = cpu->v[rd];
    for (int i = 0; i < elems; i++) {
        uint64_t x, y;
        if (pair) {
            /* pairs of adjacent elements of the concatenation Vm:Vn */
            int j = 2 * i;
            x = j < elems ? elem(vn, n, j) : elem(vm, n, j - elems);
            y = j + 1 < elems ? elem(vn, n, j + 1) : elem(vm, n, j + 1 - elems);
        } else {
            x = elem(vn, n, i);
            y = elem(vm, n, i);
        }
        set_elem(res, n, i, v3_apply(op, n, x, y, elem(vd, n, i), c));
    }
    write_vec(cpu, rd, res, bytes);
}

static uint64_t fcvt_to_int(int n, uint64_t x, bool u, enum FPRounding r, FPCtx *c)
{
    return fp_to_fixed(n, x, 0, u, n, r, c);
}

static void simd_2misc(CPUState *cpu, uint32_t insn, FPCtx *c)
{
    bool scalar = bit(insn, 28), q = bit(insn, 30), sz = bit(insn, 22);
    unsigned u = bit(insn, 29), a = bit(insn, 23), op = bits(insn, 16, 12);
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5);
    int n = sz ? 64 : 32;
    uint64_t res[2] = {0, 0};
    uint64_t src[2] = {cpu->v[rn][0], cpu->v[rn][1]};
    enum FPRounding cur = fp_rmode(c);

    if (op == 0x16) { /* FCVTN, FCVTN2, FCVTXN, FCVTXN2: narrow */
        int from = sz ? 64 : 32, to = sz ? 32 : 16;
        int elems = scalar ? 1 : 128 / from;
        enum FPRounding r = u ? FPR_ODD : cur;
        uint64_t nar = 0;
        for (int i = 0; i < elems; i++)
            nar |= fp_convert(to, from, elem(src, from, i), r, c) << (i * to);
        if (scalar || !q) {
            cpu->v[rd][0] = nar;
            cpu->v[rd][1] = 0;
        } else {
            cpu->v[rd][1] = nar; /* "2": upper half, lower half kept */
        }
        return;
    }
    if (op == 0x17) { /* FCVTL, FCVTL2: widen */
        int from = sz ? 32 : 16, to = sz ? 64 : 32;
        uint64_t half = src[q ? 1 : 0];
        for (int i = 0; i < 128 / to; i++)
            set_elem(res, to, i, fp_convert(to, from, (half >> (i * from)) & nmask(from), cur, c));
        write_vec(cpu, rd, res, 16);
        return;
    }
    int bytes = scalar ? n / 8 : (q ? 16 : 8);
    int elems = bytes * 8 / n;
    for (int i = 0; i < elems; i++) {
        uint64_t x = elem(src, n, i), r = 0;
        uint64_t ones = nmask(n);
        switch (op) {
        case 0x18: case 0x19: { /* FRINT* */
            int dop = fp_frint_simd_op(u, a, op);
            r = fp_round_int(n, x, fp_frint_rounding(dop, cur), dop == 14, c);
            break;
        }
        case 0x1a: case 0x1b: /* FCVT{N,M,P,Z}{S,U} */
            r = fcvt_to_int(n, x, u, a ? (op == 0x1a ? FPR_POSINF : FPR_ZERO) : (op == 0x1a ? FPR_TIEEVEN : FPR_NEGINF), c);
            break;
        case 0x1c:
            if (!a)
                r = fcvt_to_int(n, x, u, FPR_TIEAWAY, c); /* FCVTA{S,U} */
            else
                r = u ? fp_ursqrte((uint32_t)x) : fp_urecpe((uint32_t)x);
            break;
        case 0x1d:
            if (!a)
                r = fp_from_fixed(n, x, 0, u, n, cur, c); /* SCVTF, UCVTF */
            else
                r = u ? fp_rsqrte(n, x, c) : fp_recpe(n, x, c);
            break;
        case 0x1f:
            r = u ? fp_sqrt(n, x, c) : fp_recpx(n, x, c);
            break;
        case 0x0c: /* FCMGT #0 / FCMGE #0 */
            r = (u ? fp_compare_ge(n, x, 0, c) : fp_compare_gt(n, x, 0, c)) ? ones : 0;
            break;
        case 0x0d: /* FCMEQ #0 / FCMLE #0 */
            r = (u ? fp_compare_ge(n, 0, x, c) : fp_compare_eq(n, x, 0, c)) ? ones : 0;
            break;
        case 0x0e: /* FCMLT #0 */
            r = fp_compare_gt(n, 0, x, c) ? ones : 0;
            break;
        case 0x0f:
            r = u ? fp_neg(n, x) : fp_abs(n, x);
            break;
        default:
            break;
        }
        set_elem(res, n, i, r);
    }
    write_vec(cpu, rd, res, bytes);
}

/* (a, opcode) of across-lanes / scalar pairwise -> binary op */
static uint64_t pair_op(unsigned a, unsigned op, int n, uint64_t x, uint64_t y, FPCtx *c)
{
    switch (op) {
    case 0x0c: return a ? fp_minnum(n, x, y, c) : fp_maxnum(n, x, y, c);
    case 0x0d: return fp_add(n, x, y, c);
    case 0x0f: return a ? fp_min(n, x, y, c) : fp_max(n, x, y, c);
    default: return 0;
    }
}

static void simd_across(CPUState *cpu, uint32_t insn, FPCtx *c)
{
    /* Reduce() halves recursively: op(op(e0, e1), op(e2, e3)) for 4S */
    unsigned a = bit(insn, 23), op = bits(insn, 16, 12);
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5);
    const uint64_t *v = cpu->v[rn];
    uint64_t lo = pair_op(a, op, 32, elem(v, 32, 0), elem(v, 32, 1), c);
    uint64_t hi = pair_op(a, op, 32, elem(v, 32, 2), elem(v, 32, 3), c);
    cpu->v[rd][0] = pair_op(a, op, 32, lo, hi, c);
    cpu->v[rd][1] = 0;
}

static void simd_pair_scalar(CPUState *cpu, uint32_t insn, FPCtx *c)
{
    unsigned a = bit(insn, 23), op = bits(insn, 16, 12);
    int n = bit(insn, 22) ? 64 : 32;
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5);
    const uint64_t *v = cpu->v[rn];
    uint64_t r = pair_op(a, op, n, elem(v, n, 0), elem(v, n, 1), c);
    cpu->v[rd][0] = r;
    cpu->v[rd][1] = 0;
}

static void simd_elem(CPUState *cpu, uint32_t insn, FPCtx *c)
{
    bool scalar = bit(insn, 28), sz = bit(insn, 22);
    int n = sz ? 64 : 32;
    int bytes = scalar ? n / 8 : (bit(insn, 30) ? 16 : 8);
    int elems = bytes * 8 / n;
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5);
    int rm = (int)bits(insn, 20, 16);
    int index = sz ? (int)bit(insn, 11) : (int)(bit(insn, 11) << 1 | bit(insn, 21));
    unsigned u = bit(insn, 29), op = bits(insn, 15, 12);
    uint64_t y = elem(cpu->v[rm], n, index);
    uint64_t res[2] = {0, 0};
    const uint64_t *vn = cpu->v[rn], *vd = cpu->v[rd];
    for (int i = 0; i < elems; i++) {
        uint64_t x = elem(vn, n, i), d = elem(vd, n, i), r;
        if (u)
            r = fp_mulx(n, x, y, c);
        else if (op == 1)
            r = fp_muladd(n, d, x, y, c);
        else if (op == 5)
            r = fp_muladd(n, d, fp_neg(n, x), y, c);
        else
            r = fp_mul(n, x, y, c);
        set_elem(res, n, i, r);
    }
    write_vec(cpu, rd, res, bytes);
}

static void simd_shift(CPUState *cpu, uint32_t insn, FPCtx *c)
{
    bool scalar = bit(insn, 28);
    unsigned immh = bits(insn, 22, 19), immhb = bits(insn, 22, 16);
    int n = (immh & 8) ? 64 : 32;
    int fbits = 2 * n - (int)immhb;
    int bytes = scalar ? n / 8 : (bit(insn, 30) ? 16 : 8);
    int elems = bytes * 8 / n;
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5);
    bool u = bit(insn, 29), to_int = bits(insn, 15, 11) == 0x1f;
    uint64_t res[2] = {0, 0};
    const uint64_t *vn = cpu->v[rn];
    for (int i = 0; i < elems; i++) {
        uint64_t x = elem(vn, n, i);
        uint64_t r = to_int ? fp_to_fixed(n, x, fbits, u, n, FPR_ZERO, c)
                            : fp_from_fixed(n, x, fbits, u, n, fp_rmode(c), c);
        set_elem(res, n, i, r);
    }
    write_vec(cpu, rd, res, bytes);
}

uint64_t helper_simd_fp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t cc, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    FPCtx c;
    fpctx_init(&c, cpu->fpcr);
    switch ((enum FpKind)(imm >> 32)) {
    case FPK_V3SAME: simd_3same(cpu, insn, &c); break;
    case FPK_V2MISC: simd_2misc(cpu, insn, &c); break;
    case FPK_VACROSS: simd_across(cpu, insn, &c); break;
    case FPK_VPAIR_S: simd_pair_scalar(cpu, insn, &c); break;
    case FPK_VELEM: simd_elem(cpu, insn, &c); break;
    case FPK_VSHIFT: simd_shift(cpu, insn, &c); break;
    default: break;
    }
    cpu->fpsr |= c.exc;
    return 0;
}
