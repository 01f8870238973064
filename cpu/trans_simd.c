/* Translate functions: Advanced SIMD on integer and polynomial elements
 * (encodings in cpu/a64/simd.def). Every trans_* here is called by the
 * decoder on the translating vCPU thread only.
 *
 * Each function first rejects the size/Q combinations its instruction does
 * not allocate (return false = UNDEFINED, which takes priority over the FP
 * access trap), then checks FP access. Moves, modified immediates and the
 * bitwise three-same ops are plain IR on 64-bit halves; everything with
 * per-element arithmetic calls one C helper per instruction class
 * (cpu/helpers_simd.c) with the instruction word as its immediate. */
#include "translate.h"

static inline int f_rd(uint32_t insn) { return (int)bits(insn, 4, 0); }
static inline int f_rn(uint32_t insn) { return (int)bits(insn, 9, 5); }
static inline int f_rm(uint32_t insn) { return (int)bits(insn, 20, 16); }

/* Allowed (size, Q) combinations of a vector form, one bit per size * 2 + Q. */
enum {
    VM_ALL = 0xff,
    VM_NO1D = 0xbf,   /* size 11 needs Q = 1 */
    VM_BHS = 0x3f,    /* size 11 reserved */
    VM_HS = 0x3c,     /* 16- and 32-bit elements only */
    VM_B = 0x03,
    VM_BH = 0x0f,
    VM_ACROSS = 0x2f, /* across lanes: no 2S, no 64-bit elements */
};
/* Allowed sizes of a scalar form, one bit per size. */
enum { SM_ALL = 0xf, SM_D = 0x8, SM_HS = 0x6, SM_BHS = 0x7 };

static bool vec_ok(uint32_t insn, unsigned mask)
{
    return (mask >> (bits(insn, 23, 22) * 2 + bit(insn, 30))) & 1;
}

static bool scal_ok(uint32_t insn, unsigned mask) { return (mask >> bits(insn, 23, 22)) & 1; }

/* Emit a class helper for an allocated encoding. */
static bool call_simd(DisasCtx *s, uint32_t insn, enum HelperId h, bool allocated)
{
    if (!allocated)
        return false;
    if (!fp_access_check(s))
        return true;
    t_call(s, h, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, insn);
    return true;
}

#define TRANS(name, helper, cond)                                                                                   \
    bool trans_##name(DisasCtx *s, uint32_t insn) { return call_simd(s, insn, HELPER_##helper, (cond)); }

/* ---- Three same ---- */
#define V3(name, mask) TRANS(name##_v, simd_3same, vec_ok(insn, mask))
#define S3(name, mask) TRANS(name##_s, simd_3same, scal_ok(insn, mask))

V3(SHADD, VM_BHS) V3(UHADD, VM_BHS) V3(SRHADD, VM_BHS) V3(URHADD, VM_BHS)
V3(SHSUB, VM_BHS) V3(UHSUB, VM_BHS)
V3(SQADD, VM_NO1D) V3(UQADD, VM_NO1D) V3(SQSUB, VM_NO1D) V3(UQSUB, VM_NO1D)
V3(CMGT, VM_NO1D) V3(CMHI, VM_NO1D) V3(CMGE, VM_NO1D) V3(CMHS, VM_NO1D)
V3(CMTST, VM_NO1D) V3(CMEQ, VM_NO1D)
V3(SSHL, VM_NO1D) V3(USHL, VM_NO1D) V3(SQSHL, VM_NO1D) V3(UQSHL, VM_NO1D)
V3(SRSHL, VM_NO1D) V3(URSHL, VM_NO1D) V3(SQRSHL, VM_NO1D) V3(UQRSHL, VM_NO1D)
V3(SMAX, VM_BHS) V3(UMAX, VM_BHS) V3(SMIN, VM_BHS) V3(UMIN, VM_BHS)
V3(SABD, VM_BHS) V3(UABD, VM_BHS) V3(SABA, VM_BHS) V3(UABA, VM_BHS)
V3(ADD, VM_NO1D) V3(SUB, VM_NO1D)
V3(MLA, VM_BHS) V3(MLS, VM_BHS) V3(MUL, VM_BHS) V3(PMUL, VM_B)
V3(SMAXP, VM_BHS) V3(UMAXP, VM_BHS) V3(SMINP, VM_BHS) V3(UMINP, VM_BHS) V3(ADDP, VM_NO1D)
V3(SQDMULH, VM_HS) V3(SQRDMULH, VM_HS)

S3(SQADD, SM_ALL) S3(UQADD, SM_ALL) S3(SQSUB, SM_ALL) S3(UQSUB, SM_ALL)
S3(CMGT, SM_D) S3(CMHI, SM_D) S3(CMGE, SM_D) S3(CMHS, SM_D) S3(CMTST, SM_D) S3(CMEQ, SM_D)
S3(SSHL, SM_D) S3(USHL, SM_D) S3(SRSHL, SM_D) S3(URSHL, SM_D)
S3(SQSHL, SM_ALL) S3(UQSHL, SM_ALL) S3(SQRSHL, SM_ALL) S3(UQRSHL, SM_ALL)
S3(ADD, SM_D) S3(SUB, SM_D) S3(SQDMULH, SM_HS) S3(SQRDMULH, SM_HS)

/* Bitwise three-same ops (size selects the op): the helper too, so that the
 * JIT's inline code (pand, por, pxor...) keeps the result in its V register
 * cache; as IR on the two 64-bit halves they went through general registers
 * and cpu->v. */
TRANS(AND_v, simd_3same, true) TRANS(BIC_v, simd_3same, true) TRANS(ORR_v, simd_3same, true)
TRANS(ORN_v, simd_3same, true) TRANS(EOR_v, simd_3same, true) TRANS(BSL_v, simd_3same, true)
TRANS(BIT_v, simd_3same, true) TRANS(BIF_v, simd_3same, true)

/* ---- Three different ---- */
#define V3D(name, mask) TRANS(name##_v, simd_3diff, vec_ok(insn, mask))
V3D(SADDL, VM_BHS) V3D(UADDL, VM_BHS) V3D(SADDW, VM_BHS) V3D(UADDW, VM_BHS)
V3D(SSUBL, VM_BHS) V3D(USUBL, VM_BHS) V3D(SSUBW, VM_BHS) V3D(USUBW, VM_BHS)
V3D(ADDHN, VM_BHS) V3D(RADDHN, VM_BHS) V3D(SUBHN, VM_BHS) V3D(RSUBHN, VM_BHS)
V3D(SABAL, VM_BHS) V3D(UABAL, VM_BHS) V3D(SABDL, VM_BHS) V3D(UABDL, VM_BHS)
V3D(SMLAL, VM_BHS) V3D(UMLAL, VM_BHS) V3D(SMLSL, VM_BHS) V3D(UMLSL, VM_BHS)
V3D(SMULL, VM_BHS) V3D(UMULL, VM_BHS)
V3D(SQDMLAL, VM_HS) V3D(SQDMLSL, VM_HS) V3D(SQDMULL, VM_HS)
V3D(PMULL, VM_B)
TRANS(SQDMLAL_s, simd_3diff, scal_ok(insn, SM_HS))
TRANS(SQDMLSL_s, simd_3diff, scal_ok(insn, SM_HS))
TRANS(SQDMULL_s, simd_3diff, scal_ok(insn, SM_HS))

/* ---- Two-register miscellaneous ---- */
#define V2(name, mask) TRANS(name##_v, simd_2misc, vec_ok(insn, mask))
#define S2(name, mask) TRANS(name##_s, simd_2misc, scal_ok(insn, mask))
V2(REV64, VM_BHS) V2(REV32, VM_BH) V2(REV16, VM_B)
V2(SADDLP, VM_BHS) V2(UADDLP, VM_BHS) V2(SADALP, VM_BHS) V2(UADALP, VM_BHS)
V2(SUQADD, VM_NO1D) V2(USQADD, VM_NO1D) V2(SQABS, VM_NO1D) V2(SQNEG, VM_NO1D)
V2(CLS, VM_BHS) V2(CLZ, VM_BHS) V2(CNT, VM_B) V2(NOT, VM_ALL) V2(RBIT, VM_ALL)
V2(CMGT0, VM_NO1D) V2(CMEQ0, VM_NO1D) V2(CMLT0, VM_NO1D) V2(CMGE0, VM_NO1D) V2(CMLE0, VM_NO1D)
V2(ABS, VM_NO1D) V2(NEG, VM_NO1D)
V2(XTN, VM_BHS) V2(SQXTN, VM_BHS) V2(UQXTN, VM_BHS) V2(SQXTUN, VM_BHS) V2(SHLL, VM_BHS)
S2(SUQADD, SM_ALL) S2(USQADD, SM_ALL) S2(SQABS, SM_ALL) S2(SQNEG, SM_ALL)
S2(CMGT0, SM_D) S2(CMEQ0, SM_D) S2(CMLT0, SM_D) S2(CMGE0, SM_D) S2(CMLE0, SM_D)
S2(ABS, SM_D) S2(NEG, SM_D)
S2(SQXTN, SM_BHS) S2(UQXTN, SM_BHS) S2(SQXTUN, SM_BHS)

/* ---- Across lanes, scalar pairwise ---- */
TRANS(SADDLV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(UADDLV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(SMAXV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(UMAXV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(SMINV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(UMINV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(ADDV, simd_across, vec_ok(insn, VM_ACROSS))
TRANS(ADDP_s, simd_across, scal_ok(insn, SM_D))

/* ---- Shift by immediate ----
 * immh's leading one gives the element size; vector 64-bit elements need
 * Q = 1; narrowing and lengthening forms have no 64-bit destination/source
 * size (immh<3> = 1 reserved); most scalar forms exist only for D. */
enum { SH_D, SH_ALL, SH_NARROW };

static bool shimm_ok(uint32_t insn, int kind)
{
    uint32_t immh = bits(insn, 22, 19);
    bool scalar = bit(insn, 28), q = bit(insn, 30);
    if (immh == 0)
        return false;
    if (kind == SH_NARROW)
        return !(immh & 8);
    if (scalar)
        return kind == SH_ALL || (immh & 8);
    return !(immh & 8) || q;
}

#define VSH(name, kind) TRANS(name##_vi, simd_shimm, shimm_ok(insn, kind))
#define SSH(name, kind) TRANS(name##_si, simd_shimm, shimm_ok(insn, kind))
VSH(SSHR, SH_D) VSH(USHR, SH_D) VSH(SSRA, SH_D) VSH(USRA, SH_D)
VSH(SRSHR, SH_D) VSH(URSHR, SH_D) VSH(SRSRA, SH_D) VSH(URSRA, SH_D)
VSH(SHL, SH_D) VSH(SRI, SH_D) VSH(SLI, SH_D)
VSH(SQSHL, SH_ALL) VSH(UQSHL, SH_ALL) VSH(SQSHLU, SH_ALL)
VSH(SHRN, SH_NARROW) VSH(RSHRN, SH_NARROW) VSH(SQSHRN, SH_NARROW) VSH(SQRSHRN, SH_NARROW)
VSH(UQSHRN, SH_NARROW) VSH(UQRSHRN, SH_NARROW) VSH(SQSHRUN, SH_NARROW) VSH(SQRSHRUN, SH_NARROW)
VSH(SSHLL, SH_NARROW) VSH(USHLL, SH_NARROW)
SSH(SSHR, SH_D) SSH(USHR, SH_D) SSH(SSRA, SH_D) SSH(USRA, SH_D)
SSH(SRSHR, SH_D) SSH(URSHR, SH_D) SSH(SRSRA, SH_D) SSH(URSRA, SH_D)
SSH(SHL, SH_D) SSH(SRI, SH_D) SSH(SLI, SH_D)
SSH(SQSHL, SH_ALL) SSH(UQSHL, SH_ALL) SSH(SQSHLU, SH_ALL)
SSH(SQSHRN, SH_NARROW) SSH(SQRSHRN, SH_NARROW) SSH(UQSHRN, SH_NARROW) SSH(UQRSHRN, SH_NARROW)
SSH(SQSHRUN, SH_NARROW) SSH(SQRSHRUN, SH_NARROW)

/* ---- Vector x indexed element: integer forms take H or S elements ---- */
#define VE(name) TRANS(name##_ve, simd_elem, scal_ok(insn, SM_HS))
#define SE(name) TRANS(name##_se, simd_elem, scal_ok(insn, SM_HS))
VE(MUL) VE(MLA) VE(MLS) VE(SQDMULH) VE(SQRDMULH)
VE(SMLAL) VE(UMLAL) VE(SMLSL) VE(UMLSL) VE(SMULL) VE(UMULL)
VE(SQDMLAL) VE(SQDMLSL) VE(SQDMULL)
SE(SQDMULH) SE(SQRDMULH) SE(SQDMLAL) SE(SQDMLSL) SE(SQDMULL)

/* ---- Permute, extract, table lookup ---- */
TRANS(UZP1, simd_perm, vec_ok(insn, VM_NO1D))
TRANS(UZP2, simd_perm, vec_ok(insn, VM_NO1D))
TRANS(TRN1, simd_perm, vec_ok(insn, VM_NO1D))
TRANS(TRN2, simd_perm, vec_ok(insn, VM_NO1D))
TRANS(ZIP1, simd_perm, vec_ok(insn, VM_NO1D))
TRANS(ZIP2, simd_perm, vec_ok(insn, VM_NO1D))
TRANS(EXT, simd_ext, bit(insn, 30) || !bit(insn, 14)) /* 8-byte form: index < 8 */
TRANS(TBL, simd_tbl, true)
TRANS(TBX, simd_tbl, true)

/* ---- Copy: DUP, INS, UMOV, SMOV (plain IR) ---- */

/* imm5's lowest set bit gives the element size (0..3); -1 = reserved. */
static int imm5_size(uint32_t imm5)
{
    for (int sz = 0; sz < 4; sz++)
        if (imm5 & (1u << sz))
            return sz;
    return -1;
}

/* Element idx of size `size` (0..3) of V[reg], zero- or sign-extended. */
static IRTemp get_elem(DisasCtx *s, int reg, int size, int idx, bool sign)
{
    int ebits = 8 << size, pos = idx * ebits;
    IRTemp h = read_vreg(s, reg, pos >> 6);
    if (ebits == 64)
        return h;
    if (pos & 63)
        h = t_op(s, IR_SHR, 8, h, t_const(s, (uint64_t)(pos & 63)));
    return t_opi(s, sign ? IR_SEXT : IR_ZEXT, 8, h, (uint64_t)ebits);
}

/* Replicate the zero-extended element v across 64 bits. */
static IRTemp replicate(DisasCtx *s, IRTemp v, int size)
{
    static const uint64_t k[3] = {0x0101010101010101ull, 0x0001000100010001ull, 0x0000000100000001ull};
    return size == 3 ? v : t_op(s, IR_MUL, 8, v, t_const(s, k[size]));
}

/* Write element idx of V[reg] (other elements kept); v is zero-extended. */
static void set_elem(DisasCtx *s, int reg, int size, int idx, IRTemp v)
{
    int ebits = 8 << size, pos = idx * ebits, half = pos >> 6;
    if (ebits == 64) {
        write_vreg(s, reg, half, v);
        return;
    }
    uint64_t mask = ((1ull << ebits) - 1) << (pos & 63);
    IRTemp h = t_op(s, IR_AND, 8, read_vreg(s, reg, half), t_const(s, ~mask));
    if (pos & 63)
        v = t_op(s, IR_SHL, 8, v, t_const(s, (uint64_t)(pos & 63)));
    write_vreg(s, reg, half, t_op(s, IR_OR, 8, h, v));
}

static void write_dup(DisasCtx *s, int rd, int q, IRTemp rep)
{
    write_vreg(s, rd, 0, rep);
    write_vreg(s, rd, 1, q ? rep : t_const(s, 0));
}

bool trans_DUP_elem(DisasCtx *s, uint32_t insn)
{
    uint32_t imm5 = bits(insn, 20, 16);
    int size = imm5_size(imm5), q = (int)bit(insn, 30);
    if (size < 0 || (size == 3 && !q))
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp e = get_elem(s, f_rn(insn), size, (int)(imm5 >> (size + 1)), false);
    write_dup(s, f_rd(insn), q, replicate(s, e, size));
    return true;
}

bool trans_DUP_gen(DisasCtx *s, uint32_t insn)
{
    uint32_t imm5 = bits(insn, 20, 16);
    int size = imm5_size(imm5), q = (int)bit(insn, 30);
    if (size < 0 || (size == 3 && !q))
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp x = read_xreg(s, f_rn(insn), 1);
    if (size < 3)
        x = t_opi(s, IR_ZEXT, 8, x, (uint64_t)(8 << size));
    write_dup(s, f_rd(insn), q, replicate(s, x, size));
    return true;
}

bool trans_DUP_elem_s(DisasCtx *s, uint32_t insn)
{
    uint32_t imm5 = bits(insn, 20, 16);
    int size = imm5_size(imm5);
    if (size < 0)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp e = get_elem(s, f_rn(insn), size, (int)(imm5 >> (size + 1)), false);
    write_vreg(s, f_rd(insn), 0, e);
    write_vreg(s, f_rd(insn), 1, t_const(s, 0));
    return true;
}

bool trans_INS_gen(DisasCtx *s, uint32_t insn)
{
    uint32_t imm5 = bits(insn, 20, 16);
    int size = imm5_size(imm5);
    if (size < 0)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp x = read_xreg(s, f_rn(insn), 1);
    if (size < 3)
        x = t_opi(s, IR_ZEXT, 8, x, (uint64_t)(8 << size));
    set_elem(s, f_rd(insn), size, (int)(imm5 >> (size + 1)), x);
    return true;
}

bool trans_INS_elem(DisasCtx *s, uint32_t insn)
{
    uint32_t imm5 = bits(insn, 20, 16), imm4 = bits(insn, 14, 11);
    int size = imm5_size(imm5);
    if (size < 0)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp e = get_elem(s, f_rn(insn), size, (int)(imm4 >> size), false);
    set_elem(s, f_rd(insn), size, (int)(imm5 >> (size + 1)), e);
    return true;
}

/* UMOV Wd (B/H/S) / Xd (D only); SMOV Wd (B/H) / Xd (B/H/S). */
static bool mov_to_gen(DisasCtx *s, uint32_t insn, bool sign)
{
    uint32_t imm5 = bits(insn, 20, 16);
    int size = imm5_size(imm5), q = (int)bit(insn, 30);
    if (size < 0)
        return false;
    if (sign ? size > 1 + q : (q ? size != 3 : size == 3))
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp e = get_elem(s, f_rn(insn), size, (int)(imm5 >> (size + 1)), sign);
    write_xreg(s, f_rd(insn), e, q); /* the 32-bit form zero-extends */
    return true;
}

bool trans_UMOV(DisasCtx *s, uint32_t insn) { return mov_to_gen(s, insn, false); }
bool trans_SMOV(DisasCtx *s, uint32_t insn) { return mov_to_gen(s, insn, true); }

/* ---- Modified immediate: MOVI, MVNI, ORR, BIC (vector, immediate) ---- */

/* AdvSIMDExpandImm for cmode 0000..1110. */
static uint64_t expand_imm(int op, int cmode, uint64_t imm8)
{
    uint64_t r = 0;
    switch (cmode >> 1) {
    case 0: case 1: case 2: case 3: /* 32-bit, shifted by 0/8/16/24 */
        r = imm8 << (8 * (cmode >> 1));
        return r | r << 32;
    case 4: case 5: /* 16-bit, shifted by 0/8 */
        r = imm8 << (8 * (cmode & 2 ? 1 : 0));
        return r * 0x0001000100010001ull;
    case 6: /* 32-bit "shifting ones" (MSL) */
        r = cmode & 1 ? (imm8 << 16) | 0xffff : (imm8 << 8) | 0xff;
        return r | r << 32;
    default:
        if (!op) /* 8-bit replicated */
            return imm8 * 0x0101010101010101ull;
        for (int i = 0; i < 8; i++) /* each bit of imm8 gives a byte */
            if (imm8 & (1u << i))
                r |= 0xffull << (8 * i);
        return r;
    }
}

enum { MI_MOVI, MI_MVNI, MI_ORR, MI_BIC };

static bool modimm(DisasCtx *s, uint32_t insn, int kind)
{
    int q = (int)bit(insn, 30), rd = f_rd(insn), op = (int)bit(insn, 29), cmode = (int)bits(insn, 15, 12);
    if (!fp_access_check(s))
        return true;
    uint64_t imm8 = bits(insn, 18, 16) << 5 | bits(insn, 9, 5);
    uint64_t imm = expand_imm(op, cmode, imm8);
    IRTemp r[2];
    for (int h = 0; h <= q; h++) {
        switch (kind) {
        case MI_MOVI: r[h] = t_const(s, imm); break;
        case MI_MVNI: r[h] = t_const(s, ~imm); break;
        case MI_ORR: r[h] = t_op(s, IR_OR, 8, read_vreg(s, rd, h), t_const(s, imm)); break;
        default: r[h] = t_op(s, IR_AND, 8, read_vreg(s, rd, h), t_const(s, ~imm)); break;
        }
    }
    write_vreg(s, rd, 0, r[0]);
    write_vreg(s, rd, 1, q ? r[1] : t_const(s, 0));
    return true;
}

#define MI(name, kind) bool trans_##name(DisasCtx *s, uint32_t insn) { return modimm(s, insn, kind); }
MI(MOVI_c0, MI_MOVI) MI(MOVI_c2, MI_MOVI) MI(MOVI_c4, MI_MOVI) MI(MOVI_c6, MI_MOVI)
MI(MOVI_c8, MI_MOVI) MI(MOVI_c10, MI_MOVI) MI(MOVI_c12, MI_MOVI) MI(MOVI_c13, MI_MOVI) MI(MOVI_c14, MI_MOVI)
MI(ORR_c1, MI_ORR) MI(ORR_c3, MI_ORR) MI(ORR_c5, MI_ORR) MI(ORR_c7, MI_ORR) MI(ORR_c9, MI_ORR) MI(ORR_c11, MI_ORR)
MI(MVNI_c0, MI_MVNI) MI(MVNI_c2, MI_MVNI) MI(MVNI_c4, MI_MVNI) MI(MVNI_c6, MI_MVNI)
MI(MVNI_c8, MI_MVNI) MI(MVNI_c10, MI_MVNI) MI(MVNI_c12, MI_MVNI) MI(MVNI_c13, MI_MVNI)
MI(BIC_c1, MI_BIC) MI(BIC_c3, MI_BIC) MI(BIC_c5, MI_BIC) MI(BIC_c7, MI_BIC) MI(BIC_c9, MI_BIC) MI(BIC_c11, MI_BIC)
MI(MOVI64_c14, MI_MOVI) /* Q = 0 is MOVI Dd, #imm (scalar), Q = 1 is MOVI Vd.2D */
