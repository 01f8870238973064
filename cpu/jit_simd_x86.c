/* Tier 1: the common lane-wise Advanced SIMD integer ops on host SSE.
 *
 * The translator turns each Advanced SIMD integer instruction into a call of
 * its class helper (cpu/helpers_simd.c) with the instruction word as the
 * immediate; the helper decodes the word and loops over elements at run
 * time. For the ops that SSE2..SSE4.2 does exactly (wrapping and saturating
 * add and sub, multiply, compares, min/max, absolute difference, halving
 * add, pairwise add, shifts by an immediate with rounding, insertion and
 * narrowing, widening arithmetic, narrowing moves, abs/neg, across-lane
 * sums and min/max, multiply by an element) the JIT emits the SSE sequence
 * instead, working on cpu->v in memory as the helper does: the IR around
 * the call already keeps V registers in memory at a CALL. The saturating
 * ops compare the saturated result with the exact one and set FPSR.QC when
 * any lane differs, as the helper's SatQ does. Permutes are in
 * jit_simd_perm_x86.c, crypto in jit_crypto_x86.c. Everything else (scalar
 * saturating forms, shifts by register, doubling multiplies, 64-bit
 * arithmetic shifts and products) stays a helper call. Encodings the helper
 * is never called for are left to it too (e.g. size 11 where it is
 * reserved): this code only decides "inline or not".
 *
 * Thread rules: jit_simd_inline runs on the compiling thread. */
#include "jit_simd_emit.h"

#include <stdatomic.h>

#include "translate.h"

/* The SIMD features only: the others (FMA3, LZCNT, PEXT) keep their own
 * test switches. */
void jit_simd_allow(unsigned mask)
{
    host_allow(JSF_ALL & ~mask, false);
    host_allow(JSF_ALL & mask, true);
}

void jit_allow_sse41(bool on) { jit_simd_allow(on ? JSF_ALL : JSF_SSSE3); }

bool jsimd_has(unsigned f) { return host_has(f); }

static bool sse41(void) { return jsimd_has(JSF_SSE41); }

/* Per element size (b, h, s, d): 0 = none. SSE4.1 ones are marked by bit 24,
 * SSSE3 ones by bit 25, SSE4.2 ones by bit 26. */
#define S41 (1u << 24)
#define SS3 (1u << 25)
#define S42 (1u << 26)
static const uint32_t OP_ADD[4] = {0x0ffc, 0x0ffd, 0x0ffe, 0x0fd4};
static const uint32_t OP_SUB[4] = {0x0ff8, 0x0ff9, 0x0ffa, 0x0ffb};
static const uint32_t OP_MUL[4] = {0, 0x0fd5, S41 | 0x0f3840, 0};
static const uint32_t OP_CMPEQ[4] = {0x0f74, 0x0f75, 0x0f76, S41 | 0x0f3829};
static const uint32_t OP_CMPGT[4] = {0x0f64, 0x0f65, 0x0f66, S42 | 0x0f3837};
static const uint32_t OP_SMAX[4] = {S41 | 0x0f383c, 0x0fee, S41 | 0x0f383d, 0};
static const uint32_t OP_SMIN[4] = {S41 | 0x0f3838, 0x0fea, S41 | 0x0f3839, 0};
static const uint32_t OP_UMAX[4] = {0x0fde, S41 | 0x0f383e, S41 | 0x0f383f, 0};
static const uint32_t OP_UMIN[4] = {0x0fda, S41 | 0x0f383a, S41 | 0x0f383b, 0};
static const uint32_t OP_SQADD[4] = {0x0fec, 0x0fed, 0, 0};
static const uint32_t OP_UQADD[4] = {0x0fdc, 0x0fdd, 0, 0};
static const uint32_t OP_SQSUB[4] = {0x0fe8, 0x0fe9, 0, 0};
static const uint32_t OP_UQSUB[4] = {0x0fd8, 0x0fd9, 0, 0};
static const uint32_t OP_ABS[4] = {SS3 | 0x0f381c, SS3 | 0x0f381d, SS3 | 0x0f381e, 0};
/* pmovsx (+0x10: pmovzx) from ebits to 2 * ebits: bw, wd, dq */
static const uint32_t OP_WIDEN[4] = {S41 | 0x0f3820, S41 | 0x0f3823, S41 | 0x0f3825, 0};

static bool usable(uint32_t op)
{
    return op && (!(op & S41) || sse41()) && (!(op & SS3) || jsimd_has(JSF_SSSE3)) &&
           (!(op & S42) || jsimd_has(JSF_SSE42));
}
static uint32_t enc(uint32_t op) { return op & ~(S41 | SS3 | S42); }

/* xmm = the sign bit of every element (to compare unsigned as signed). */
static void sign_bias(JitBuf *j, int x, int ebits)
{
    xsplat(j, x, ebits, 1ull << (ebits - 1));
}

/* Shift-group opcode (psrl/psra/psll by immediate) per element size; bytes: 0. */
static uint32_t sh_grp(int ebits) { return ebits == 16 ? 0x0f71 : ebits == 32 ? 0x0f72 : ebits == 64 ? 0x0f73 : 0; }
enum { SH_SRL = 2, SH_SRA = 4, SH_SLL = 6 };

/* xmm x = the ebits-bit elements of half `part` of V[reg], sign- or
 * zero-extended to 2 * ebits (SSE4.1; ebits 8..32). */
static void widen_mem(JitBuf *j, int x, int reg, int part, int ebits, bool sign)
{
    uint32_t op = enc(OP_WIDEN[__builtin_ctz((unsigned)ebits) - 3]) + (sign ? 0 : 0x10);
    int xr = jit_vcached(j, reg);
    if (xr < 0) {
        x_mem(j, X66, op, x, RBX, voff(reg) + 8 * part);
        return;
    }
    if (part) {                                           /* the upper half down first */
        x_rr(j, X66, 0x0f70, x, xr);                      /* pshufd x, xr, 0xee */
        jb_byte(j, 0xee);
        xr = x;
    }
    x_rr(j, X66, op, x, xr);                              /* pmov[sz]x x, xr */
}

/* pshufb mask taking the low half of every wbits-bit lane into the low 64
 * bits (the upper 64 zero). */
static void narrow_mask(JitBuf *j, int x, int wbits)
{
    int wb = wbits / 8, eb = wb / 2, k = 0;
    uint64_t lo = 0;
    for (int lane = 0; lane < 16 / wb; lane++)
        for (int b = 0; b < eb; b++, k++)
            lo |= (uint64_t)(lane * wb + b) << (8 * k);
    xconst(j, x, lo, ~0ull);
}

/* Narrowed result (low 64 bits of xmm x) to the lower half of Vd (upper
 * cleared), or, for the "2" forms (part = 1), to its upper half. */
static void store_narrow(JitBuf *j, int x, int rd, int part)
{
    if (part)
        vstore_hi(j, x, rd);
    else
        vstore(j, x, rd, false);
}

/* Saturating narrow of the wbits-bit lanes of x (16 or 32; SSE4.1) into its
 * low 64 bits: signed source to signed (kind 0) or unsigned (1) results,
 * unsigned source to unsigned (2). Sets NE (for set_qc_if_ne) when a lane
 * saturated: the result widened back differs from the source. Uses x, X5-X7. */
static void sat_narrow(JitBuf *j, int x, int wbits, int kind)
{
    bool w16 = wbits == 16;
    sse(j, 0x0f6f, X7, x);                               /* movdqa: the source */
    if (kind == 2) {                                     /* unsigned: clamp to the max first */
        xsplat(j, X6, wbits, w16 ? 0xff : 0xffff);
        sse(j, w16 ? 0x0f383a : 0x0f383b, x, X6);        /* pminuw / pminud */
        sse(j, w16 ? 0x0f67 : 0x0f382b, x, x);           /* packuswb / packusdw: in range now */
    } else if (kind == 0) {
        sse(j, w16 ? 0x0f63 : 0x0f6b, x, x);             /* packsswb / packssdw */
    } else {
        sse(j, w16 ? 0x0f67 : 0x0f382b, x, x);           /* packuswb / packusdw */
    }
    /* widen the result back (the upper 64 bits are a copy of the lower) */
    sse(j, (w16 ? 0x0f3820 : 0x0f3823) + (kind == 0 ? 0 : 0x10), X5, x);
    sse(j, w16 ? 0x0f75 : 0x0f76, X5, X7);               /* pcmpeqw / pcmpeqd */
    x_rr(j, X66, 0x0fd7, RAX, X5);                       /* pmovmskb */
    x_alu_ri(j, 0, 7, RAX, 0xffff);
}

/* X0 = SQDMULH (round = false) or SQRDMULH of the 16-bit lanes of X0 and X1
 * (SSSE3 for pmulhrsw), FPSR.QC set as the helper does. Only -32768 * -32768
 * saturates, and it is the only product whose high half comes out as
 * 0x8000, so those lanes are flipped to 0x7fff. Uses X2, X3. */
static void doubling_mulh16(JitBuf *j, bool round, int rd, bool q)
{
    if (round) {
        sse(j, 0x0f380b, X0, X1);                         /* pmulhrsw: (a * b + 0x4000) >> 15 */
    } else {                                              /* (a * b) >> 15 from both halves */
        sse(j, 0x0f6f, X2, X0);
        sse(j, 0x0fe5, X0, X1);                           /* pmulhw */
        sse(j, 0x0fd5, X2, X1);                           /* pmullw */
        sse_sh(j, 0x0f71, SH_SLL, X0, 1);
        sse_sh(j, 0x0f71, SH_SRL, X2, 15);
        sse(j, 0x0feb, X0, X2);
    }
    xsplat(j, X3, 16, 0x8000);
    sse(j, 0x0f75, X3, X0);                               /* pcmpeqw: the saturated lanes */
    sse(j, 0x0fef, X0, X3);                               /* 0x8000 ^ 0xffff = 0x7fff */
    vstore(j, X0, rd, q);
    x_rr(j, X66, 0x0fd7, RAX, X3);                        /* pmovmskb */
    x_rr(j, 0, 0x85, RAX, RAX);                           /* test eax, eax */
    set_qc_if_ne(j);
}

/* X0 = SQDMULH (round = false) or SQRDMULH of the 32-bit lanes of X0 and X1
 * (SSE4.1): the even and the odd lanes' exact 64-bit products (pmuldq),
 * doubled (+ 2^31 to round), their high halves. As in the 16-bit case only
 * MIN * MIN saturates and only it gives 0x80000000 (the doubled product
 * wraps to -2^63, +2^31 or not), so those lanes become MAX and set QC.
 * Uses X2-X4. */
static void doubling_mulh32(JitBuf *j, bool round, int rd, bool q)
{
    sse_i(j, 0x0f70, X2, X0, 0xf5);                       /* pshufd: the odd lanes to the even */
    sse_i(j, 0x0f70, X3, X1, 0xf5);
    sse(j, 0x0f3828, X0, X1);                             /* pmuldq: even products */
    sse(j, 0x0f3828, X2, X3);                             /* odd products */
    sse_sh(j, 0x0f73, SH_SLL, X0, 1);                     /* psllq: doubled */
    sse_sh(j, 0x0f73, SH_SLL, X2, 1);
    if (round) {
        xsplat(j, X4, 64, 1ull << 31);
        sse(j, 0x0fd4, X0, X4);                           /* paddq */
        sse(j, 0x0fd4, X2, X4);
    }
    sse_sh(j, 0x0f73, SH_SRL, X0, 32);                    /* even results to dwords 0, 2 */
    xconst(j, X4, 0xffffffff00000000ull, 0xffffffff00000000ull);
    sse(j, 0x0fdb, X2, X4);                               /* odd results stay in dwords 1, 3 */
    sse(j, 0x0feb, X0, X2);
    xsplat(j, X3, 32, 0x80000000u);
    sse(j, 0x0f76, X3, X0);                               /* pcmpeqd: the saturated lanes */
    sse(j, 0x0fef, X0, X3);                               /* 0x80000000 ^ all ones = 0x7fffffff */
    vstore(j, X0, rd, q);
    x_rr(j, X66, 0x0fd7, RAX, X3);                        /* pmovmskb */
    x_rr(j, 0, 0x85, RAX, RAX);                           /* test eax, eax */
    set_qc_if_ne(j);
}

/* [SU]Q{ADD,SUB} on 32- and 64-bit lanes (no x86 instruction): the wrapping
 * result, an overflow mask per lane (unsigned: the carry or borrow from a
 * biased compare; signed: both operands' signs differ from the result's for
 * ADD, n's and m's differ and the result's differs from n's for SUB), and the
 * saturated value where it is set (unsigned: all ones or zero; signed: MAX
 * ^ n's sign fill). X0 = n, X1 = m on entry; QC if any lane overflowed.
 * 64-bit lanes need SSE4.2 (pcmpgtq) when unsigned. */
static void sat_wide(JitBuf *j, bool sub, bool uns, int ebits, int rd, bool q)
{
    int lg = ebits == 32 ? 2 : 3;
    sse(j, 0x0f6f, X2, X0);
    sse(j, sub ? OP_SUB[lg] : OP_ADD[lg], X2, X1);        /* X2 = the wrapping result */
    if (uns) {
        uint32_t gt = ebits == 32 ? 0x0f66 : 0x0f3837;    /* pcmpgtd / pcmpgtq */
        sign_bias(j, X3, ebits);
        sse(j, 0x0f6f, X4, sub ? X1 : X0);                /* add: n >u r; sub: m >u n */
        sse(j, 0x0f6f, X5, sub ? X0 : X2);
        sse(j, 0x0fef, X4, X3);
        sse(j, 0x0fef, X5, X3);
        sse(j, gt, X4, X5);                               /* X4 = the overflow mask */
        if (sub) {
            sse(j, 0x0f6f, X5, X4);
            sse(j, 0x0fdf, X5, X2);                       /* pandn: 0 where it borrowed */
            sse(j, 0x0f6f, X2, X5);
        } else {
            sse(j, 0x0feb, X2, X4);                       /* por: all ones where it carried */
        }
    } else {
        sse(j, 0x0f6f, X4, X2);
        sse(j, 0x0fef, X4, X0);                           /* r ^ n */
        sse(j, 0x0f6f, X5, sub ? X0 : X2);
        sse(j, 0x0fef, X5, X1);                           /* add: r ^ m; sub: n ^ m */
        sse(j, 0x0fdb, X4, X5);                           /* sign bit: overflow */
        sse_sh(j, 0x0f72, SH_SRA, X4, 31);                /* psrad: the sign fill per dword */
        sse(j, 0x0f6f, X5, X0);
        sse_sh(j, 0x0f72, SH_SRA, X5, 31);                /* n's sign fill */
        if (ebits == 64) {                                /* the high dword's fill to both */
            sse_i(j, 0x0f70, X4, X4, 0xf5);
            sse_i(j, 0x0f70, X5, X5, 0xf5);
        }
        xsplat(j, X6, ebits, ebits == 32 ? 0x7fffffffu : 0x7fffffffffffffffull);
        sse(j, 0x0fef, X5, X6);                           /* the saturated value */
        sse(j, 0x0fdb, X5, X4);                           /* where it overflowed */
        sse(j, 0x0f6f, X6, X4);
        sse(j, 0x0fdf, X6, X2);                           /* pandn: r elsewhere */
        sse(j, 0x0feb, X5, X6);
        sse(j, 0x0f6f, X2, X5);
    }
    vstore(j, X2, rd, q);
    x_rr(j, X66, 0x0fd7, RAX, X4);                        /* pmovmskb: any lane overflowed? */
    if (!q)
        x_alu_ri(j, 0, 4, RAX, 0xff);                     /* the low 64 bits only */
    x_rr(j, 0, 0x85, RAX, RAX);                           /* test eax, eax */
    set_qc_if_ne(j);
}

/* VEX.128.66.0F38 op dst, src1, src2 (xmm0-7): vpsllv/vpsrlv/vpsrav{d,q}. */
static void vex_38(JitBuf *j, bool w, uint8_t op, int dst, int src1, int src2)
{
    jb_byte(j, 0xc4);
    jb_byte(j, 0xe2);                                     /* R X B inverted = 1, map 0F38 */
    jb_byte(j, (uint8_t)((w ? 0x80 : 0) | (~src1 & 15) << 3 | 0x01)); /* W, vvvv, L = 0, pp = 66 */
    jb_byte(j, op);
    jb_byte(j, (uint8_t)(0xc0 | dst << 3 | src2));
}

/* SSHL, USHL, SRSHL, URSHL (vector, 32-bit lanes; the unsigned ones also
 * 64-bit) on AVX2's variable shifts: the count is the signed low byte of
 * each lane of Vm; x86 gives 0 (or the sign fill, for vpsrav) for counts >=
 * the lane size and for the huge unsigned values of negative ones, so
 * x << c | x >> -c is Arm's result; for the signed ones the arithmetic right
 * shift is kept only where c < 0. Rounding: x >> s plus bit s-1 of x
 * (x >> (s - 1) & 1), exact with no wider lane; for s past the lane both
 * shifts give the sign fill (or 0), whose sum is Arm's 0. */
static void shl_by_reg(JitBuf *j, bool uns, bool round, int ebits, int rn, int rm, int rd, bool q)
{
    bool w = ebits == 64;
    int lg = w ? 3 : 2;
    vload(j, X0, rn, q);
    vload(j, X1, rm, q);
    xsplat(j, X2, ebits, 0xff);
    sse(j, 0x0fdb, X1, X2);                               /* the low byte */
    xsplat(j, X2, ebits, 0x80);
    sse(j, 0x0fef, X1, X2);
    sse(j, OP_SUB[lg], X1, X2);                           /* (b ^ 0x80) - 0x80: sign-extended */
    pzero(j, X3);
    sse(j, OP_SUB[lg], X3, X1);                           /* s = -c */
    vex_38(j, w, 0x47, X4, X0, X1);                       /* vpsllv: x << c */
    vex_38(j, w, uns ? 0x45 : 0x46, X5, X0, X3);          /* vpsrlv / vpsrav: x >> s */
    if (round) {
        xsplat(j, X7, ebits, 1);
        sse(j, 0x0f6f, X6, X3);
        sse(j, OP_SUB[lg], X6, X7);                       /* s - 1 */
        vex_38(j, w, uns ? 0x45 : 0x46, X6, X0, X6);      /* x >> (s - 1) */
        sse(j, 0x0fdb, X6, X7);                           /* its low bit: the rounding */
        sse(j, OP_ADD[lg], X5, X6);
    }
    if (!uns) {
        pzero(j, X2);
        sse(j, 0x0f66, X2, X1);                           /* pcmpgtd: c < 0 */
        sse(j, 0x0fdb, X5, X2);
    }
    sse(j, 0x0feb, X4, X5);
    vstore(j, X4, rd, q);
}

/* X0 = the polynomial (carry-less) products of the 16-bit lanes of X0 and
 * X1, which hold zero-extended bytes: shift-and-xor over the 8 bits of X1's
 * bytes (each bit's mask from a word shift up to the sign and back down).
 * Uses X2-X4. PCLMULQDQ would mix the lanes: it multiplies whole qwords. */
static void clmul8(JitBuf *j)
{
    pzero(j, X2);
    for (int k = 0; k < 8; k++) {
        sse(j, 0x0f6f, X3, X1);
        sse_sh(j, 0x0f71, SH_SLL, X3, 15 - k);
        sse_sh(j, 0x0f71, SH_SRA, X3, 15);                /* bit k of b, in every bit */
        sse(j, 0x0f6f, X4, X0);
        if (k)
            sse_sh(j, 0x0f71, SH_SLL, X4, k);             /* a << k */
        sse(j, 0x0fdb, X4, X3);
        sse(j, 0x0fef, X2, X4);
    }
    sse(j, 0x0f6f, X0, X2);
}

/* PMUL .8B/.16B: clmul8 per half, the low byte of each product kept
 * (packuswb of the products masked to 8 bits). SSE4.1. */
static void pmul8(JitBuf *j, int rn, int rm, int rd, bool q)
{
    for (int part = 0; part <= q; part++) {
        widen_mem(j, X0, rn, part, 8, false);
        widen_mem(j, X1, rm, part, 8, false);
        clmul8(j);
        xsplat(j, X1, 16, 0xff);
        sse(j, 0x0fdb, X0, X1);
        if (part)
            sse(j, 0x0f67, X5, X0);                       /* packuswb: both halves */
        else
            sse(j, 0x0f6f, X5, X0);
    }
    if (!q)
        sse(j, 0x0f67, X5, X5);
    vstore(j, X5, rd, q);
}

/* SQSHL, UQSHL, SQRSHL, UQRSHL (register; vector, 32-bit lanes, the unsigned
 * ones also 64-bit) on AVX2 (and SSE4.1 for pcmpeqq): where the count c >= 0,
 * x << c saturates when shifting it back (arithmetic for the signed ones)
 * does not give x (for c past the lane: any x but 0), to all ones or to MAX
 * ^ x's sign fill; where c < 0, the right shift of shl_by_reg (rounded for
 * the R forms), which cannot saturate. QC if any lane saturated. */
static void qshl_by_reg(JitBuf *j, bool uns, bool round, int ebits, int rn, int rm, int rd, bool q)
{
    bool w = ebits == 64;
    int lg = w ? 3 : 2;
    uint8_t shr = uns ? 0x45 : 0x46;                      /* vpsrlv / vpsrav */
    vload(j, X0, rn, q);
    vload(j, X1, rm, q);
    xsplat(j, X2, ebits, 0xff);
    sse(j, 0x0fdb, X1, X2);                               /* the low byte */
    xsplat(j, X2, ebits, 0x80);
    sse(j, 0x0fef, X1, X2);
    sse(j, OP_SUB[lg], X1, X2);                           /* c, sign-extended */
    pzero(j, X3);
    sse(j, OP_SUB[lg], X3, X1);                           /* s = -c */
    sse(j, 0x0f6f, X2, X1);
    sse_sh(j, 0x0f72, SH_SRA, X2, 31);                    /* X2 = c < 0 (c fits in the low dword) */
    if (w)
        sse_i(j, 0x0f70, X2, X2, 0xf5);
    vex_38(j, w, shr, X5, X0, X3);                        /* x >> s */
    if (round) {
        xsplat(j, X7, ebits, 1);
        sse(j, 0x0f6f, X6, X3);
        sse(j, OP_SUB[lg], X6, X7);
        vex_38(j, w, shr, X6, X0, X6);                    /* bit s-1 of x */
        sse(j, 0x0fdb, X6, X7);
        sse(j, OP_ADD[lg], X5, X6);
    }
    sse(j, 0x0fdb, X5, X2);                               /* the right shift where c < 0 */
    vex_38(j, w, 0x47, X4, X0, X1);                       /* x << c (0 where c < 0) */
    vex_38(j, w, shr, X6, X4, X1);                        /* shifted back */
    sse(j, enc(OP_CMPEQ[lg]), X6, X0);                    /* nothing lost */
    sse(j, 0x0feb, X6, X2);                               /* X6 = not saturated */
    if (uns) {
        pones(j, X7);
    } else {
        sse(j, 0x0f6f, X7, X0);
        sse_sh(j, 0x0f72, SH_SRA, X7, 31);                /* x's sign fill */
        xsplat(j, X1, 32, 0x7fffffffu);
        sse(j, 0x0fef, X7, X1);                           /* MAX or MIN */
    }
    sse(j, 0x0fdb, X4, X6);                               /* x << c where it fits */
    sse(j, 0x0fdf, X6, X7);                               /* pandn: the saturated value elsewhere */
    sse(j, 0x0feb, X4, X6);
    sse(j, 0x0feb, X4, X5);
    vstore(j, X4, rd, q);
    pzero(j, X7);
    cmp_ne(j, X6, X7);                                    /* a saturated lane (never 0) */
    set_qc_if_ne(j);
}

/* xmm x = element 0 (ebits wide) of V[reg], the rest zero: the scalar
 * forms then run the vector code, whose zero lanes give 0 and never
 * saturate, and store 64 bits (upper half cleared), as Arm zeroes V[d]
 * above the element. */
static void eload(JitBuf *j, int x, int reg, int ebits)
{
    int xr = ebits == 64 ? jit_vcached(j, reg) : -1;
    if (xr >= 0) {
        jb_byte(j, 0xf3);
        x_rr(j, 0, 0x0f7e, x, xr);                        /* movq x, xr: upper zero */
        return;
    }
    if (ebits >= 32) {
        x_mem(j, X66 | (ebits == 64 ? XW : 0), 0x0f6e, x, RBX, voff(reg)); /* movd / movq */
        return;
    }
    x_mem(j, 0, ebits == 8 ? 0x0fb6 : 0x0fb7, RAX, RBX, voff(reg));      /* movzx eax, byte / word */
    x_rr(j, X66, 0x0f6e, x, RAX);
}

/* Three same, scalar form: SQADD, UQADD, SQSUB, UQSUB (B, H, S, D),
 * SQDMULH, SQRDMULH (H, S). */
static bool three_same_scalar(JitBuf *j, uint32_t insn)
{
    int u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 11) & 31;
    int rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31, ebits = 8 << size;
    if (opc == 0x01 || opc == 0x05) {                     /* [SU]Q{ADD,SUB} */
        if (u && size == 3 && !jsimd_has(JSF_SSE42))
            return false;
        eload(j, X0, rn, ebits);
        eload(j, X1, rm, ebits);
        if (size >= 2) {
            sat_wide(j, opc == 0x05, u, ebits, rd, false);
            return true;
        }
        const uint32_t *op = opc == 0x01 ? (u ? OP_UQADD : OP_SQADD) : (u ? OP_UQSUB : OP_SQSUB);
        sse(j, 0x0f6f, X2, X0);
        sse(j, op[size], X0, X1);
        sse(j, (opc == 0x01 ? OP_ADD : OP_SUB)[size], X2, X1); /* the exact result, for QC */
        vstore(j, X0, rd, false);
        cmp_ne(j, X0, X2);
        set_qc_if_ne(j);
        return true;
    }
    if (opc == 0x16 && (size == 1 ? jsimd_has(JSF_SSSE3) : size == 2 && sse41())) { /* SQ[R]DMULH */
        eload(j, X0, rn, ebits);
        eload(j, X1, rm, ebits);
        if (size == 1)
            doubling_mulh16(j, u, rd, false);
        else
            doubling_mulh32(j, u, rd, false);
        return true;
    }
    return false;
}

/* AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF (op = U:size) on whole registers,
 * as helper_simd_3same's bitwise(). */
static void bitwise(JitBuf *j, int op, int rd, int rn, int rm, bool q)
{
    enum { PAND = 0x0fdb, PANDN = 0x0fdf, POR = 0x0feb, PXOR = 0x0fef };
    if (op <= 4) {
        static const uint32_t o[5] = {PAND, PANDN, POR, POR, PXOR};
        bool not_m = op == 1 || op == 3;                  /* BIC: pandn takes ~dst */
        vload(j, X0, not_m ? rm : rn, q);
        vload(j, X1, not_m ? rn : rm, q);
        if (op == 3) {                                    /* ORN: ~m | n */
            pones(j, X2);
            sse(j, PXOR, X0, X2);
        }
        sse(j, o[op], X0, X1);
    } else {
        /* BSL: m ^ ((m ^ n) & d); BIT: d ^ ((d ^ n) & m); BIF: d ^ ((d ^ n) & ~m) */
        int base = op == 5 ? rm : rd, sel = op == 5 ? rd : rm;
        vload(j, X0, base, q);
        vload(j, X1, rn, q);
        sse(j, PXOR, X1, X0);
        vload(j, X2, sel, q);
        if (op == 7) {
            sse(j, PANDN, X2, X1);                        /* ~m & (d ^ n) */
            sse(j, PXOR, X0, X2);
        } else {
            sse(j, PAND, X1, X2);
            sse(j, PXOR, X0, X1);
        }
    }
    vstore(j, X0, rd, q);
}

/* Three same, vector form. */
static bool three_same(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 11) & 31;
    int rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31, ebits = 8 << size;
    if (size == 3 && !q)
        return false; /* 1D: reserved for these */
    uint32_t op = 0;
    enum { PLAIN, ACC_ADD, ACC_SUB, NOT_SWAPPED, UNS_GT, UNS_GE, TST, SAT, ABD, ABA, ADDP, PAIR } kind = PLAIN;
    bool swap = false;
    if (opc == 0x03) {                                    /* AND BIC ORR ORN EOR BSL BIT BIF (size: which) */
        bitwise(j, u << 2 | size, rd, rn, rm, q);
        return true;
    }
    if ((opc == 0x09 || opc == 0x0b) && (size == 2 || (size == 3 && u)) && jsimd_has(JSF_AVX2) && sse41()) {
        qshl_by_reg(j, u, opc == 0x0b, ebits, rn, rm, rd, q);  /* [SU]Q[R]SHL */
        return true;
    }
    if ((opc == 0x08 || opc == 0x0a) && (size == 2 || (size == 3 && u)) && jsimd_has(JSF_AVX2)) {
        shl_by_reg(j, u, opc == 0x0a, ebits, rn, rm, rd, q);  /* [SU]SHL, [SU]RSHL */
        return true;
    }
    if ((opc == 0x01 || opc == 0x05) && size >= 2) {      /* [SU]Q{ADD,SUB} 32/64-bit */
        if (u && size == 3 && !jsimd_has(JSF_SSE42))
            return false;
        vload(j, X0, rn, q);
        vload(j, X1, rm, q);
        sat_wide(j, opc == 0x05, u, ebits, rd, q);
        return true;
    }
    switch (u << 5 | opc) {
    case 0x10: op = OP_ADD[size]; break;                                    /* ADD */
    case 0x30: op = OP_SUB[size]; break;                                    /* SUB */
    case 0x13: op = OP_MUL[size]; break;                                    /* MUL */
    case 0x33:                                                              /* PMUL */
        if (size != 0 || !sse41())
            return false;
        pmul8(j, rn, rm, rd, q);
        return true;
    case 0x12: op = OP_MUL[size], kind = ACC_ADD; break;                    /* MLA */
    case 0x32: op = OP_MUL[size], kind = ACC_SUB; break;                    /* MLS */
    case 0x31: op = OP_CMPEQ[size]; break;                                  /* CMEQ */
    case 0x11: op = OP_CMPEQ[size], kind = TST; break;                      /* CMTST */
    case 0x06: op = OP_CMPGT[size]; break;                                  /* CMGT */
    case 0x07: op = OP_CMPGT[size], kind = NOT_SWAPPED, swap = true; break; /* CMGE = !(m > n) */
    case 0x26: op = OP_CMPGT[size], kind = UNS_GT; break;                   /* CMHI */
    case 0x27: op = OP_CMPGT[size], kind = UNS_GE, swap = true; break;      /* CMHS = !(m >u n) */
    case 0x0c: op = OP_SMAX[size]; break;
    case 0x0d: op = OP_SMIN[size]; break;
    case 0x2c: op = OP_UMAX[size]; break;
    case 0x2d: op = OP_UMIN[size]; break;
    case 0x01: op = OP_SQADD[size], kind = SAT; break;
    case 0x21: op = OP_UQADD[size], kind = SAT; break;
    case 0x05: op = OP_SQSUB[size], kind = SAT; break;
    case 0x25: op = OP_UQSUB[size], kind = SAT; break;
    case 0x0e: case 0x0f: case 0x2e: case 0x2f:                             /* [SU]AB[DA] = max - min */
        op = u ? OP_UMAX[size] : OP_SMAX[size];
        if (!usable(u ? OP_UMIN[size] : OP_SMIN[size]))
            return false;
        kind = opc == 0x0f ? ABA : ABD;
        break;
    case 0x22:                                                              /* URHADD: pavgb/pavgw */
        op = size == 0 ? 0x0fe0 : size == 1 ? 0x0fe3 : 0;
        break;
    case 0x16: case 0x36:                                                   /* SQDMULH, SQRDMULH */
        if (size == 1 ? !jsimd_has(JSF_SSSE3) : size != 2 || !sse41())
            return false;
        vload(j, X0, rn, q);
        vload(j, X1, rm, q);
        if (size == 1)
            doubling_mulh16(j, u, rd, q);
        else
            doubling_mulh32(j, u, rd, q);
        return true;
    case 0x17:                                                              /* ADDP */
        op = size == 0 ? SS3 | 0x0ffc : size == 1 ? SS3 | 0x0f3801 : size == 2 ? SS3 | 0x0f3802 : 0x0fd4;
        kind = size == 0 ? PAIR : ADDP;
        break;
    case 0x14: op = OP_SMAX[size] | SS3, kind = PAIR; break;               /* SMAXP */
    case 0x34: op = OP_UMAX[size] | SS3, kind = PAIR; break;               /* UMAXP */
    case 0x15: op = OP_SMIN[size] | SS3, kind = PAIR; break;               /* SMINP */
    case 0x35: op = OP_UMIN[size] | SS3, kind = PAIR; break;               /* UMINP */
    default: return false;
    }
    if (!usable(op) || (kind == TST && !usable(OP_CMPEQ[size])) || (kind == UNS_GE && !usable(OP_CMPGT[size])))
        return false;
    if (kind == PAIR) {                                   /* op(even, odd) of Vm:Vn */
        if (size == 3)
            return false;                                 /* only ADDP has 2D, and no 64-bit max/min */
        jit_simd_uzp(j, X2, X3, rn, rm, ebits, q);
        sse(j, enc(op), X2, X3);
        vstore(j, X2, rd, q);
        return true;
    }
    vload(j, X0, swap ? rm : rn, q);
    vload(j, X1, swap ? rn : rm, q);
    if (kind == UNS_GT || kind == UNS_GE) {
        sign_bias(j, X2, ebits);
        sse(j, 0x0fef, X0, X2);                           /* pxor: unsigned order as signed */
        sse(j, 0x0fef, X1, X2);
    }
    if (kind == ADDP) {
        if (size == 3) {                                  /* 2D: n0 + n1, m0 + m1 */
            sse(j, 0x0f6f, X2, X0);
            sse(j, 0x0f6c, X0, X1);                       /* punpcklqdq: n0 m0 */
            sse(j, 0x0f6d, X2, X1);                       /* punpckhqdq: n1 m1 */
            sse(j, 0x0fd4, X0, X2);
        } else {
            sse(j, enc(op), X0, X1);                      /* phaddw / phaddd */
            if (!q)
                sse_i(j, 0x0f70, X0, X0, 0x08);           /* pshufd: n sums, m sums */
        }
        vstore(j, X0, rd, q);
        return true;
    }
    if (kind == ABD || kind == ABA) {
        sse(j, 0x0f6f, X2, X0);                           /* movdqa */
        sse(j, enc(op), X0, X1);                          /* max */
        sse(j, enc(u ? OP_UMIN[size] : OP_SMIN[size]), X2, X1);
        sse(j, OP_SUB[size], X0, X2);
        if (kind == ABA) {
            vload(j, X1, rd, q);
            sse(j, OP_ADD[size], X0, X1);
        }
        vstore(j, X0, rd, q);
        return true;
    }
    if (kind == TST)
        sse(j, 0x0fdb, X0, X1);                           /* pand */
    else if (kind == SAT)
        sse(j, 0x0f6f, X2, X0);                           /* movdqa: n, for the exact result */
    if (kind != TST)
        sse(j, enc(op), X0, X1);                          /* the op (MLA/MLS: the product) */
    switch (kind) {
    case TST:                                             /* (n & m) != 0: not (== 0) */
        sse(j, 0x0fef, X1, X1);
        sse(j, enc(OP_CMPEQ[size]), X0, X1);
        /* fall through */
    case NOT_SWAPPED: case UNS_GE:
        sse(j, 0x0f76, X2, X2);                           /* pcmpeqd: all ones */
        sse(j, 0x0fef, X0, X2);                           /* pxor: not */
        break;
    case ACC_ADD: case ACC_SUB:
        vload(j, X1, rd, q);
        sse(j, kind == ACC_ADD ? OP_ADD[size] : OP_SUB[size], X1, X0);
        vstore(j, X1, rd, q);
        return true;
    case SAT:                                             /* QC if the wrapping result differs */
        sse(j, (opc == 0x01 ? OP_ADD : OP_SUB)[size], X2, X1);
        vstore(j, X0, rd, q);
        cmp_ne(j, X0, X2);
        set_qc_if_ne(j);
        return true;
    default: break;
    }
    vstore(j, X0, rd, q);
    return true;
}

/* x = x >> n per element (logical or arithmetic), x = x << n; bytes too
 * (a word shift and a mask; arithmetic by the sign-bias identity). Returns
 * false for a 64-bit arithmetic shift. Uses X6, X7. */
static bool shift_elems(JitBuf *j, int x, int ebits, int ext, int n)
{
    if (ebits == 64 && ext == SH_SRA)
        return false;
    if (ebits != 8) {
        sse_sh(j, sh_grp(ebits), ext, x, n);
        return true;
    }
    if (n >= 8) {                                         /* only SRA gets here with 8 */
        if (ext == SH_SRA) {
            pzero(j, X6);
            sse(j, 0x0f64, X6, x);                        /* 0 > x: the sign fill */
            sse(j, 0x0f6f, x, X6);
        } else {
            pzero(j, x);
        }
        return true;
    }
    if (ext == SH_SRA)
        sse(j, 0x0fef, x, (xsplat(j, X7, 8, 0x80), X7));  /* x ^ 0x80: as unsigned */
    sse_sh(j, 0x0f71, ext == SH_SLL ? SH_SLL : SH_SRL, x, n);
    xsplat(j, X6, 8, ext == SH_SLL ? (0xffu << n) & 0xff : 0xffu >> n);
    sse(j, 0x0fdb, x, X6);                                /* pand: the bits of other bytes */
    if (ext == SH_SRA) {
        xsplat(j, X7, 8, 0x80u >> n);
        sse(j, 0x0ff8, x, X7);                            /* - (0x80 >> n) */
    }
    return true;
}

/* SQSHL (kind 0), UQSHL (1), SQSHLU (2) by an immediate n, vector form:
 * x << n where x is within the limits shifted right by n (unsigned: x <=
 * UMAX >> n; signed: MIN >> n <= x <= MAX >> n; SQSHLU: 0 <= x <= UMAX >>
 * n), else the saturated value (all ones, MAX, MIN or 0), and QC. The
 * compares are pcmpgt, the unsigned ones through a sign bias. */
static bool sat_shl_imm(JitBuf *j, int kind, int ebits, int n, int rn, int rd, bool q)
{
    int lg = __builtin_ctz((unsigned)ebits) - 3;
    if (!usable(OP_CMPGT[lg]))
        return false;
    uint32_t gt = enc(OP_CMPGT[lg]);
    uint64_t ones = ebits == 64 ? ~0ull : (1ull << ebits) - 1, smax = ones >> 1, sign = smax + 1;
    vload(j, X0, rn, q);
    sse(j, 0x0f6f, X1, X0);
    shift_elems(j, X1, ebits, SH_SLL, n);                 /* x << n, wrapping (uses X6, X7) */
    if (kind == 0) {
        xsplat(j, X3, ebits, smax >> n);
        sse(j, 0x0f6f, X4, X0);
        sse(j, gt, X4, X3);                               /* X4 = x > MAX >> n */
        xsplat(j, X5, ebits, (uint64_t)((int64_t)(sign << (64 - ebits)) >> (64 - ebits + n)) & ones);
        sse(j, gt, X5, X0);                               /* X5 = MIN >> n > x */
        sse(j, 0x0f6f, X2, X4);
        sse(j, 0x0feb, X2, X5);                           /* X2 = saturated lanes */
        sse(j, 0x0f6f, X6, X2);
        sse(j, 0x0fdf, X6, X1);                           /* pandn: x << n where it fits */
        xsplat(j, X3, ebits, smax);
        sse(j, 0x0fdb, X3, X4);
        xsplat(j, X7, ebits, sign);
        sse(j, 0x0fdb, X7, X5);
        sse(j, 0x0feb, X6, X3);                           /* MAX where too big */
        sse(j, 0x0feb, X6, X7);                           /* MIN where too small */
    } else {
        sign_bias(j, X2, ebits);
        sse(j, 0x0f6f, X3, X0);
        sse(j, 0x0fef, X3, X2);
        xsplat(j, X4, ebits, (ones >> n) ^ sign);
        sse(j, gt, X3, X4);                               /* X3 = x >u UMAX >> n */
        if (kind == 2) {
            pzero(j, X4);
            sse(j, gt, X4, X0);                           /* X4 = x < 0: saturates to 0 */
            sse(j, 0x0fdf, X4, X3);                       /* pandn: too big and not negative */
            sse(j, 0x0f6f, X2, X3);
            sse(j, 0x0f6f, X3, X4);                       /* X3 = the lanes that become all ones */
            pzero(j, X5);
            sse(j, gt, X5, X0);
            sse(j, 0x0feb, X2, X5);                       /* X2 = saturated lanes (either way) */
        } else {
            sse(j, 0x0f6f, X2, X3);
        }
        sse(j, 0x0f6f, X6, X2);
        sse(j, 0x0fdf, X6, X1);                           /* x << n where it fits */
        sse(j, 0x0feb, X6, X3);                           /* all ones where too big */
    }
    vstore(j, X6, rd, q);
    x_rr(j, X66, 0x0fd7, RAX, X2);                        /* pmovmskb */
    x_rr(j, 0, 0x85, RAX, RAX);                           /* test eax, eax */
    set_qc_if_ne(j);
    return true;
}

/* Shift by immediate, vector form and the 64-bit scalar forms: SHL, SLI,
 * [SU]SHR, [SU]SRA, [SU]RSHR, [SU]RSRA, SRI, [SU]SHLL, SHRN, RSHRN,
 * SQ[R]SHRN, UQ[R]SHRN, SQ[R]SHRUN, SQSHL, UQSHL, SQSHLU. */
static bool shift_imm(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, opc = (insn >> 11) & 31, scalar = (insn >> 28) & 1;
    int immh = (insn >> 19) & 15, immhb = (insn >> 16) & 127;
    int rd = insn & 31, rn = (insn >> 5) & 31;
    if (!immh || (immh & 8 && !q && !scalar))
        return false;
    int ebits = 8 << (31 - __builtin_clz((unsigned)immh)), lg = __builtin_ctz((unsigned)ebits) - 3;
    int rsh = 2 * ebits - immhb, lsh = immhb - ebits;
    if (scalar && (ebits != 64 || opc > 0x0a))
        return false;
    if (scalar)
        q = 0;
    if (opc == 0x14) {                                    /* [SU]SHLL (UXTL, SXTL) */
        if (ebits == 64 || !sse41())
            return false;
        widen_mem(j, X0, rn, q, ebits, !u);
        if (lsh)
            sse_sh(j, sh_grp(2 * ebits), SH_SLL, X0, lsh);
        vstore(j, X0, rd, true);
        return true;
    }
    if (opc >= 0x10 && opc <= 0x13) {                     /* narrowing: ebits is the destination size */
        int wbits = 2 * ebits, wgrp = sh_grp(wbits);
        bool round = opc & 1, trunc = opc <= 0x11 && !u;
        if (ebits == 64 || !jsimd_has(JSF_SSSE3))
            return false;
        if (!trunc && (ebits == 32 || !sse41()))
            return false;                                 /* saturating: no psraq */
        vload(j, X0, rn, true);
        if (trunc) {                                      /* SHRN, RSHRN */
            if (round) {
                xsplat(j, X1, wbits, 1ull << (rsh - 1));
                sse(j, OP_ADD[lg + 1], X0, X1);           /* wraps only above the kept bits */
            }
            sse_sh(j, (uint32_t)wgrp, SH_SRL, X0, rsh);
            narrow_mask(j, X1, wbits);
            sse(j, 0x0f3800, X0, X1);                     /* pshufb */
            store_narrow(j, X0, rd, q);
            return true;
        }
        int kind = opc <= 0x11 ? 1 : u ? 2 : 0;           /* SQ[R]SHRUN, UQ[R]SHRN, SQ[R]SHRN */
        if (round) {                                      /* bit n-1, added after the shift: no overflow */
            sse(j, 0x0f6f, X1, X0);
            sse_sh(j, (uint32_t)wgrp, SH_SRL, X1, rsh - 1);
            xsplat(j, X2, wbits, 1);
            sse(j, 0x0fdb, X1, X2);                       /* pand */
        }
        sse_sh(j, (uint32_t)wgrp, kind == 2 ? SH_SRL : SH_SRA, X0, rsh);
        if (round)
            sse(j, OP_ADD[lg + 1], X0, X1);               /* round(x / 2^n), exact in the wide lane */
        sat_narrow(j, X0, wbits, kind);
        store_narrow(j, X0, rd, q);                       /* movq/mov keep the compare's flags */
        set_qc_if_ne(j);
        return true;
    }
    if (opc == 0x0e || (u && opc == 0x0c))                /* SQSHL, UQSHL, SQSHLU #n */
        return !scalar && sat_shl_imm(j, opc == 0x0c ? 2 : u, ebits, lsh, rn, rd, q);
    int ext, n;
    enum { SIMPLE, ACC, RND, RND_ACC, INS_R, INS_L } kind = SIMPLE;
    switch (u << 5 | opc) {
    case 0x0a: ext = SH_SLL, n = lsh; break;                               /* SHL */
    case 0x2a: ext = SH_SLL, n = lsh, kind = INS_L; break;                 /* SLI */
    case 0x28: ext = SH_SRL, n = rsh, kind = INS_R; break;                 /* SRI */
    case 0x00: case 0x20: case 0x02: case 0x22:                            /* [SU]SHR, [SU]SRA */
        ext = u ? SH_SRL : SH_SRA, n = rsh, kind = opc == 0x02 ? ACC : SIMPLE;
        break;
    case 0x04: case 0x24: case 0x06: case 0x26:                            /* [SU]RSHR, [SU]RSRA */
        ext = u ? SH_SRL : SH_SRA, n = rsh, kind = opc == 0x06 ? RND_ACC : RND;
        if (ebits == 8)
            return false;
        break;
    default: return false;
    }
    if ((kind == INS_L || kind == INS_R) && ebits == 8)
        return false;
    if (ext == SH_SRA && ebits == 64)
        return false;                                     /* no psraq before AVX-512 */
    vload(j, X0, rn, q);
    if (kind == RND || kind == RND_ACC) {
        /* round(x / 2^n) = (x >> n) + bit n-1 of x, exactly (x86 gives 0 /
         * the sign fill at n = ebits, as the infinite-precision result) */
        sse(j, 0x0f6f, X1, X0);
        sse_sh(j, sh_grp(ebits), SH_SRL, X1, n - 1);
        xsplat(j, X2, ebits, 1);
        sse(j, 0x0fdb, X1, X2);                           /* pand */
        shift_elems(j, X0, ebits, ext, n);
        sse(j, OP_ADD[lg], X0, X1);
    } else if (!shift_elems(j, X0, ebits, ext, n)) {
        return false;
    }
    if (kind == ACC || kind == RND_ACC) {
        vload(j, X1, rd, q);
        sse(j, OP_ADD[lg], X0, X1);
    } else if (kind == INS_L || kind == INS_R) {
        uint64_t ones = ebits == 64 ? ~0ull : (1ull << ebits) - 1;
        uint64_t keep = kind == INS_L ? ~(ones << n) & ones : (n >= 64 ? ones : ~(ones >> n) & ones);
        vload(j, X1, rd, q);
        xsplat(j, X2, ebits, keep);
        sse(j, 0x0fdb, X1, X2);                           /* Vd's bits outside the shifted field */
        sse(j, 0x0feb, X0, X1);                           /* por */
    }
    vstore(j, X0, rd, q);
    return true;
}

/* SQDMULL (acc 0), SQDMLAL (1), SQDMLSL (2) from X0 = the exact products
 * in the wide lanes (wl: 2 = 32-bit, 3 = 64-bit): 2 * a * b wraps only for
 * MIN * MIN, to the wide MIN, which no other doubled product is, so those
 * lanes become MAX and set QC; then Vd +- it, saturating (sat_wide, QC). */
static void doubling_long(JitBuf *j, int wl, int acc, int rd)
{
    int wbits = 8 << wl;
    sse(j, OP_ADD[wl], X0, X0);
    xsplat(j, X3, wbits, 1ull << (wbits - 1));
    sse(j, enc(OP_CMPEQ[wl]), X3, X0);
    sse(j, 0x0fef, X0, X3);                               /* MIN ^ all ones = MAX */
    x_rr(j, X66, 0x0fd7, RAX, X3);                        /* pmovmskb */
    x_rr(j, 0, 0x85, RAX, RAX);                           /* test eax, eax */
    set_qc_if_ne(j);
    if (!acc) {
        vstore(j, X0, rd, true);
        return;
    }
    sse(j, 0x0f6f, X1, X0);
    vload(j, X0, rd, true);
    sat_wide(j, acc == 2, false, wbits, rd, true);
}

/* MUL, MLA, MLS and the long [SU]MULL, [SU]MLAL, [SU]MLSL, SQDMULL,
 * SQDMLAL, SQDMLSL, SQDMULH, SQRDMULH by element, vector form, 16- and
 * 32-bit elements. */
static bool by_element(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 15;
    int h = (insn >> 11) & 1, l = (insn >> 21) & 1, mbit = (insn >> 20) & 1, rm = (insn >> 16) & 15;
    int rd = insn & 31, rn = (insn >> 5) & 31, index;
    if ((insn >> 28) & 1)
        return false; /* scalar */
    int key = u << 4 | opc;
    if (size == 1) {
        index = h << 2 | l << 1 | mbit;
    } else if (size == 2) {
        index = h << 1 | l;
        rm |= mbit << 4;
    } else {
        return false;
    }
    bool dbl = !u && (opc == 0x3 || opc == 0x7 || opc == 0xb); /* SQDMLAL, SQDMLSL, SQDMULL */
    if (opc == 0x2 || opc == 0x6 || opc == 0xa || dbl) {  /* [SU]MLAL, [SU]MLSL, [SU]MULL: widened, exact */
        if (!sse41())
            return false;
        bool sign = !u;
        int32_t elem = voff(rm) + index * (size == 1 ? 2 : 4);
        if (size == 1)
            x_mem(j, 0, sign ? 0x0fbf : 0x0fb7, RAX, RBX, elem);  /* movsx / movzx eax, word */
        else if (sign)
            x_mem(j, XW, 0x63, RAX, RBX, elem);                    /* movsxd rax, dword */
        else
            x_mem(j, 0, 0x8b, RAX, RBX, elem);                     /* mov eax, dword */
        x_rr(j, X66 | XW, 0x0f6e, X1, RAX);                        /* movq xmm1, rax */
        sse_i(j, 0x0f70, X1, X1, size == 1 ? 0x00 : 0x44);         /* pshufd: broadcast */
        widen_mem(j, X0, rn, q, 8 << size, sign);
        sse(j, size == 1 ? 0x0f3840 : sign ? 0x0f3828 : 0x0ff4, X0, X1); /* pmulld / pmuldq / pmuludq */
        if (dbl) {
            doubling_long(j, size + 1, opc == 0xb ? 0 : opc == 0x3 ? 1 : 2, rd);
            return true;
        }
        if (opc != 0xa) {
            vload(j, X1, rd, true);
            sse(j, (opc == 0x2 ? OP_ADD : OP_SUB)[size + 1], X1, X0);
            vstore(j, X1, rd, true);
        } else {
            vstore(j, X0, rd, true);
        }
        return true;
    }
    if ((key == 0x0c || key == 0x0d) && size == 1 && jsimd_has(JSF_SSSE3)) { /* SQDMULH, SQRDMULH */
        x_mem(j, 0, 0x0fb7, RAX, RBX, voff(rm) + index * 2);
        x_rr(j, 0, 0x69, RAX, RAX);                       /* imul eax, eax, 0x10001 */
        jb_u32(j, 0x10001);
        x_rr(j, X66, 0x0f6e, X1, RAX);
        sse_i(j, 0x0f70, X1, X1, 0);
        vload(j, X0, rn, q);
        doubling_mulh16(j, key == 0x0d, rd, q);
        return true;
    }
    if ((key == 0x0c || key == 0x0d) && size == 2 && sse41()) {             /* the same, 32-bit */
        x_mem(j, X66, 0x0f6e, X1, RBX, voff(rm) + index * 4); /* movd xmm1, dword */
        sse_i(j, 0x0f70, X1, X1, 0);
        vload(j, X0, rn, q);
        doubling_mulh32(j, key == 0x0d, rd, q);
        return true;
    }
    if (key != 0x08 && key != 0x10 && key != 0x14)
        return false;
    if (!usable(OP_MUL[size]))
        return false;
    int32_t elem = voff(rm) + index * (size == 1 ? 2 : 4);
    if (size == 1) {
        x_mem(j, 0, 0x0fb7, RAX, RBX, elem);              /* movzx eax, word */
        x_rr(j, 0, 0x69, RAX, RAX);                       /* imul eax, eax, 0x10001 */
        jb_u32(j, 0x10001);
        x_rr(j, X66, 0x0f6e, X1, RAX);                    /* movd */
    } else {
        x_mem(j, X66, 0x0f6e, X1, RBX, elem);             /* movd xmm1, dword */
    }
    x_rr(j, X66, 0x0f70, X1, X1);                         /* pshufd: broadcast */
    jb_byte(j, 0);
    /* The product into X1 straight from V[rn]'s cache register, if it has
     * one (the multiply commutes), else V[rn] into X0 times X1. */
    const int xn = q ? jit_vcached(j, rn) : -1, prod = xn >= 0 ? X1 : X0;
    if (xn >= 0) {
        sse(j, enc(OP_MUL[size]), X1, xn);
    } else {
        vload(j, X0, rn, q);
        sse(j, enc(OP_MUL[size]), X0, X1);
    }
    if (key == 0x08) {
        vstore(j, prod, rd, q);
        return true;
    }
    const uint32_t acc_op = key == 0x10 ? OP_ADD[size] : OP_SUB[size];
    const int xd = q ? jit_vcached(j, rd) : -1;
    if (xd >= 0) {
        /* MLA/MLS on V[rd] where the cache keeps it (a loop's accumulator:
         * benchk's matrix multiply): no copy out, no copy back. */
        sse(j, acc_op, xd, prod);
        jit_vstore_in_place(j, rd);
        return true;
    }
    const int acc = prod == X0 ? X1 : X0;
    vload(j, acc, rd, q);
    sse(j, acc_op, acc, prod);
    vstore(j, acc, rd, q);
    return true;
}

/* Three different, vector form: [SU]ADDL, [SU]ADDW, [SU]SUBL, [SU]SUBW,
 * [SU]ABDL, [SU]ABAL (8/16-bit), [SU]MULL, [SU]MLAL, [SU]MLSL, ADDHN,
 * SUBHN, RADDHN, RSUBHN. The narrow elements are widened (pmovsx/zx, SSE4.1)
 * and the wide op is exact: products of 8- and 16-bit elements fit their
 * wide lanes, 32-bit ones come from pmuludq / pmuldq. */
static bool three_diff(JitBuf *j, uint32_t insn)
{
    int part = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 15;
    int rd = insn & 31, rn = (insn >> 5) & 31, rm = (insn >> 16) & 31, ebits = 8 << size, wl = size + 1;
    if (size == 3 || !sse41())
        return false;
    if (opc == 4 || opc == 6) {                           /* [R]ADDHN, [R]SUBHN */
        if (!jsimd_has(JSF_SSSE3))
            return false;
        vload(j, X0, rn, true);
        vload(j, X1, rm, true);
        sse(j, opc == 4 ? OP_ADD[wl] : OP_SUB[wl], X0, X1);
        if (u) {                                          /* rounding: wraps only above the kept half */
            xsplat(j, X1, 2 * ebits, 1ull << (ebits - 1));
            sse(j, OP_ADD[wl], X0, X1);
        }
        sse_sh(j, sh_grp(2 * ebits), SH_SRL, X0, ebits);
        narrow_mask(j, X1, 2 * ebits);
        sse(j, 0x0f3800, X0, X1);
        store_narrow(j, X0, rd, part);
        return true;
    }
    bool sign = !u;
    switch (opc) {
    case 0: case 2:                                       /* [SU]ADDL, [SU]SUBL */
        widen_mem(j, X0, rn, part, ebits, sign);
        widen_mem(j, X1, rm, part, ebits, sign);
        sse(j, opc == 0 ? OP_ADD[wl] : OP_SUB[wl], X0, X1);
        break;
    case 1: case 3:                                       /* [SU]ADDW, [SU]SUBW */
        vload(j, X0, rn, true);
        widen_mem(j, X1, rm, part, ebits, sign);
        sse(j, opc == 1 ? OP_ADD[wl] : OP_SUB[wl], X0, X1);
        break;
    case 5: case 7:                                       /* [SU]ABAL, [SU]ABDL: |a - b| fits */
        if (size == 2 || !jsimd_has(JSF_SSSE3))
            return false;
        widen_mem(j, X0, rn, part, ebits, sign);
        widen_mem(j, X1, rm, part, ebits, sign);
        sse(j, OP_SUB[wl], X0, X1);
        sse(j, enc(OP_ABS[wl]), X0, X0);                  /* pabsw / pabsd */
        if (opc == 5) {
            vload(j, X1, rd, true);
            sse(j, OP_ADD[wl], X0, X1);
        }
        break;
    case 8: case 10: case 12:                             /* [SU]MLAL, [SU]MLSL, [SU]MULL */
        widen_mem(j, X0, rn, part, ebits, sign);
        widen_mem(j, X1, rm, part, ebits, sign);
        if (size == 0)
            sse(j, 0x0fd5, X0, X1);                       /* pmullw */
        else if (size == 1)
            sse(j, 0x0f3840, X0, X1);                     /* pmulld */
        else
            sse(j, sign ? 0x0f3828 : 0x0ff4, X0, X1);     /* pmuldq / pmuludq */
        if (opc != 12) {
            vload(j, X1, rd, true);
            sse(j, opc == 8 ? OP_ADD[wl] : OP_SUB[wl], X1, X0);
            vstore(j, X1, rd, true);
            return true;
        }
        break;
    case 14:                                              /* PMULL, PMULL2 .8B (.1Q: crypto) */
        if (u || size != 0)
            return false;
        widen_mem(j, X0, rn, part, 8, false);
        widen_mem(j, X1, rm, part, 8, false);
        clmul8(j);
        break;
    case 9: case 11: case 13:                             /* SQDMLAL, SQDMLSL, SQDMULL */
        if (u || size == 0)
            return false;
        widen_mem(j, X0, rn, part, ebits, true);
        widen_mem(j, X1, rm, part, ebits, true);
        sse(j, size == 1 ? 0x0f3840 : 0x0f3828, X0, X1);  /* pmulld / pmuldq: exact */
        doubling_long(j, wl, opc == 13 ? 0 : opc == 9 ? 1 : 2, rd);
        return true;
    default: return false;
    }
    vstore(j, X0, rd, true);
    return true;
}

/* SQABS (neg = false) or SQNEG on 8/16/32-bit lanes, vector or (scalar)
 * element 0: pabs or 0 - x wraps only MIN, to MIN, which no other lane
 * gives, so those lanes become MAX and set QC. */
static void sqabs_neg(JitBuf *j, bool neg, int ebits, int rn, int rd, bool q, bool scalar)
{
    int lg = __builtin_ctz((unsigned)ebits) - 3;
    if (scalar)
        eload(j, X0, rn, ebits);
    else
        vload(j, X0, rn, q);
    if (neg) {
        pzero(j, X1);
        sse(j, OP_SUB[lg], X1, X0);
        sse(j, 0x0f6f, X0, X1);
    } else {
        sse(j, enc(OP_ABS[lg]), X0, X0);
    }
    xsplat(j, X2, ebits, 1ull << (ebits - 1));
    sse(j, enc(OP_CMPEQ[lg]), X2, X0);                    /* the wrapped lanes */
    sse(j, 0x0fef, X0, X2);                               /* MIN ^ all ones = MAX */
    vstore(j, X0, rd, q);
    x_rr(j, X66, 0x0fd7, RAX, X2);                        /* pmovmskb */
    x_rr(j, 0, 0x85, RAX, RAX);                           /* test eax, eax */
    set_qc_if_ne(j);
}

/* Two-register miscellaneous, vector form: CMGT/CMGE/CMEQ/CMLE/CMLT #0, ABS,
 * NEG, NOT, XTN, SQXTN, SQXTUN, UQXTN, SHLL, [SU]ADDLP, [SU]ADALP, SUQADD,
 * USQADD (8/16-bit).
 * REV and CNT/RBIT are permutes (jit_simd_perm_x86.c). */
static bool two_misc(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 31;
    int rd = insn & 31, rn = (insn >> 5) & 31, key = u << 5 | opc, ebits = 8 << size;
    switch (key) {
    case 0x08: case 0x28: case 0x09: case 0x29: case 0x0a: {  /* compares with zero */
        uint32_t gt = OP_CMPGT[size], eq = OP_CMPEQ[size];
        if (!usable(key == 0x09 ? eq : gt))
            return false;
        vload(j, X0, rn, q);
        pzero(j, X1);
        if (key == 0x09) {
            sse(j, enc(eq), X0, X1);
        } else if (key == 0x08 || key == 0x29) {          /* x > 0; x <= 0 = !(x > 0) */
            sse(j, enc(gt), X0, X1);
            if (key == 0x29)
                sse(j, 0x0fef, X0, (pones(j, X2), X2));
        } else {                                          /* x < 0 = 0 > x; x >= 0 = !(0 > x) */
            sse(j, enc(gt), X1, X0);
            if (key == 0x28)
                sse(j, 0x0fef, X1, (pones(j, X2), X2));
            sse(j, 0x0f6f, X0, X1);
        }
        break;
    }
    case 0x07: case 0x27:                                 /* SQABS, SQNEG */
        if (size == 3 || (key == 0x07 && !usable(OP_ABS[size])))
            return false;
        sqabs_neg(j, key == 0x27, ebits, rn, rd, q, false);
        return true;
    case 0x03: case 0x23:                                 /* SUQADD, USQADD (8/16-bit) */
        if (size > 1 || !sse41())
            return false;
        /* per half: Vd and Vn widened (signed/unsigned as each is read), the
         * exact sum, then the saturating narrow (signed for SUQADD, unsigned
         * for USQADD) with its QC; both halves are read before Vd is written */
        for (int part = 0; part <= q; part++) {
            widen_mem(j, X0, rd, part, ebits, !u);
            widen_mem(j, X1, rn, part, ebits, u);
            sse(j, OP_ADD[size + 1], X0, X1);
            sat_narrow(j, X0, 2 * ebits, u ? 1 : 0);
            set_qc_if_ne(j);
            if (part)
                sse(j, 0x0f6c, X4, X0);                   /* punpcklqdq: the upper half's lanes */
            else
                sse(j, 0x0f6f, X4, X0);
        }
        vstore(j, X4, rd, q);
        return true;
    case 0x0b:                                            /* ABS */
        if (!usable(OP_ABS[size]))
            return false;
        vload(j, X0, rn, q);
        sse(j, enc(OP_ABS[size]), X0, X0);
        break;
    case 0x2b:                                            /* NEG */
        vload(j, X1, rn, q);
        pzero(j, X0);
        sse(j, OP_SUB[size], X0, X1);
        break;
    case 0x25:                                            /* NOT (RBIT: size 1) */
        if (size)
            return false;
        vload(j, X0, rn, q);
        pones(j, X1);
        sse(j, 0x0fef, X0, X1);
        break;
    case 0x12:                                            /* XTN */
        if (size == 3 || !jsimd_has(JSF_SSSE3))
            return false;
        vload(j, X0, rn, true);
        narrow_mask(j, X1, 2 * ebits);
        sse(j, 0x0f3800, X0, X1);
        store_narrow(j, X0, rd, q);
        return true;
    case 0x14: case 0x32: case 0x34:                      /* SQXTN, SQXTUN, UQXTN */
        if (size >= 2 || !sse41())
            return false;
        vload(j, X0, rn, true);
        sat_narrow(j, X0, 2 * ebits, key == 0x14 ? 0 : key == 0x32 ? 1 : 2);
        store_narrow(j, X0, rd, q);                       /* keeps the compare's flags */
        set_qc_if_ne(j);
        return true;
    case 0x33:                                            /* SHLL */
        if (size == 3 || !sse41())
            return false;
        widen_mem(j, X0, rn, q, ebits, false);
        sse_sh(j, sh_grp(2 * ebits), SH_SLL, X0, ebits);
        vstore(j, X0, rd, true);
        return true;
    case 0x02: case 0x22: case 0x06: case 0x26:           /* [SU]ADDLP, [SU]ADALP */
        if (size >= 2 || !jsimd_has(JSF_SSSE3))
            return false;
        vload(j, X1, rn, q);
        if (size == 0) {                                  /* pmaddubsw: unsigned x signed, no saturation here */
            xsplat(j, X0, 8, 1);
            if (u) {
                sse(j, 0x0f3804, X1, X0);                 /* x (unsigned) * 1 */
                sse(j, 0x0f6f, X0, X1);
            } else {
                sse(j, 0x0f3804, X0, X1);                 /* 1 * x (signed) */
            }
        } else {                                          /* pmaddwd: signed; unsigned by a bias */
            if (u) {
                xsplat(j, X2, 16, 0x8000);
                sse(j, 0x0fef, X1, X2);
            }
            xsplat(j, X0, 16, 1);
            sse(j, 0x0ff5, X0, X1);
            if (u) {
                xsplat(j, X2, 32, 0x10000);
                sse(j, 0x0ffe, X0, X2);                   /* + 2 * 0x8000 per pair */
            }
        }
        if (opc == 0x06) {
            vload(j, X1, rd, q);
            sse(j, OP_ADD[size + 1], X0, X1);
        }
        break;
    default: return false;
    }
    vstore(j, X0, rd, q);
    return true;
}

/* Fold the lanes of x into lane 0 with op (log steps of psrldq). */
static void fold(JitBuf *j, int x, uint32_t op, int ebits, int nelem)
{
    for (int k = nelem / 2; k >= 1; k /= 2) {
        sse(j, 0x0f6f, X7, x);
        sse_sh(j, 0x0f73, 3, X7, k * ebits / 8);          /* psrldq */
        sse(j, op, x, X7);
    }
}

/* Across lanes: ADDV, [SU]ADDLV, [SU]MAXV, [SU]MINV; scalar ADDP. The
 * result (ebits or 2 * ebits wide) goes to Vd, the rest cleared. */
static bool across(JitBuf *j, uint32_t insn)
{
    int q = (insn >> 30) & 1, u = (insn >> 29) & 1, size = (insn >> 22) & 3, opc = (insn >> 12) & 31;
    int rd = insn & 31, rn = (insn >> 5) & 31, ebits = 8 << size, nelem = (q ? 128 : 64) / ebits;
    if ((insn >> 28) & 1) {                               /* ADDP Dd, Vn.2D */
        x_mem(j, XW, 0x8b, RAX, RBX, voff(rn));
        x_mem(j, XW, 0x03, RAX, RBX, voff(rn) + 8);
        vstore_rax(j, rd);
        return true;
    }
    int rbits = opc == 0x03 ? 2 * ebits : ebits;
    const uint32_t *t = opc == 0x0a ? (u ? OP_UMAX : OP_SMAX) : (u ? OP_UMIN : OP_SMIN);
    if (size == 3 || ((opc == 0x0a || opc == 0x1a) && !usable(t[size])) ||
        (size == 2 && opc == 0x03 && !sse41()))
        return false;
    vload(j, X0, rn, q);
    if (opc == 0x0a || opc == 0x1a) {                     /* max / min */
        fold(j, X0, enc(t[size]), ebits, nelem);
    } else if (ebits == 8) {                              /* psadbw against 0: sums of 8 bytes */
        if (!u && opc == 0x03) {
            xsplat(j, X2, 8, 0x80);
            sse(j, 0x0fef, X0, X2);                       /* x + 128, as unsigned */
        }
        pzero(j, X1);
        sse(j, 0x0ff6, X0, X1);
        if (q)
            fold(j, X0, 0x0fd4, 64, 2);
        if (!u && opc == 0x03) {
            x_mov_ri(j, RAX, (uint64_t)(-128 * nelem) & 0xffff);
            x_rr(j, X66, 0x0f6e, X1, RAX);
            sse(j, 0x0fd4, X0, X1);
        }
    } else if (ebits == 16) {                             /* pmaddwd by 1: pair sums, then dwords */
        if (u) {
            xsplat(j, X2, 16, 0x8000);
            sse(j, 0x0fef, X0, X2);
        }
        xsplat(j, X1, 16, 1);
        sse(j, 0x0ff5, X0, X1);
        fold(j, X0, 0x0ffe, 32, nelem / 2);
        if (u) {
            x_mov_ri(j, RAX, (uint32_t)(0x8000 * nelem));
            x_rr(j, X66, 0x0f6e, X1, RAX);
            sse(j, 0x0ffe, X0, X1);
        }
    } else if (opc == 0x1b) {                             /* ADDV 4S */
        fold(j, X0, 0x0ffe, 32, nelem);
    } else {                                              /* [SU]ADDLV 4S: widen to 64 */
        widen_mem(j, X0, rn, 0, 32, !u);
        widen_mem(j, X1, rn, 1, 32, !u);
        sse(j, 0x0fd4, X0, X1);
        fold(j, X0, 0x0fd4, 64, 2);
    }
    x_rr(j, X66 | XW, 0x0f7e, X0, RAX);                   /* movq rax, xmm0 */
    if (rbits == 8)
        x_rr(j, 0, 0x0fb6, RAX, RAX);                     /* movzx eax, al */
    else if (rbits == 16)
        x_rr(j, 0, 0x0fb7, RAX, RAX);                     /* movzx eax, ax */
    else if (rbits == 32)
        x_rr(j, 0, 0x8b, RAX, RAX);                       /* mov eax, eax */
    vstore_rax(j, rd);
    return true;
}

bool jit_simd_inline(JitBuf *j, uint32_t helper, uint64_t imm)
{
    uint32_t insn = (uint32_t)imm;
    if (imm >> 32)
        return false;
    switch (helper) {
    case HELPER_simd_3same: return (insn >> 28) & 1 ? three_same_scalar(j, insn) : three_same(j, insn);
    case HELPER_simd_shimm: return shift_imm(j, insn);
    case HELPER_simd_elem: return by_element(j, insn);
    case HELPER_simd_3diff: return !((insn >> 28) & 1) && three_diff(j, insn);
    case HELPER_simd_2misc: /* REV, CNT, RBIT: permutes */
        if ((insn >> 28) & 1) { /* scalar: SQABS, SQNEG */
            int size = (int)(insn >> 22) & 3, key = (int)((insn >> 29) & 1) << 5 | (int)((insn >> 12) & 31);
            if ((key != 0x07 && key != 0x27) || size == 3 || (key == 0x07 && !usable(OP_ABS[size])))
                return false;
            sqabs_neg(j, key == 0x27, 8 << size, (insn >> 5) & 31, insn & 31, false, true);
            return true;
        }
        return two_misc(j, insn) || jit_simd_perm_inline(j, helper, insn);
    case HELPER_simd_across: return across(j, insn);
    default: return jit_simd_perm_inline(j, helper, imm) || jit_crypto_inline(j, helper, imm);
    }
}
