/* Floating-point arithmetic exactly as the Arm ARM pseudocode defines it
 * (FPUnpack, FPRound, FPProcessNaNs, FPAdd, FPMulAdd, FPToFixed, ...), for
 * half, single and double precision, written as a soft-float core: every
 * operation computes its exact result (or an exact significand plus a sticky
 * bit) with integer arithmetic and rounds once with the Arm rules
 * (tininess detected before rounding, FZ flushing, DN, AHP, NaN order).
 *
 * Formats are named by width: FP16, FP32, FP64. Values travel as raw bits in
 * uint64_t. Each call takes an FPCtx holding the FPCR in effect and
 * accumulates the cumulative exception bits in FPSR layout (FPEXC_*); the
 * caller ORs them into FPSR.
 *
 * Thread rules: pure functions of their arguments; any thread may call them. */
#ifndef FLOTILLA_FPU_H
#define FLOTILLA_FPU_H

#include <stdbool.h>
#include <stdint.h>

enum { FP16 = 16, FP32 = 32, FP64 = 64 };

/* FPSR cumulative exception bits */
enum {
    FPEXC_IOC = 1u << 0,
    FPEXC_DZC = 1u << 1,
    FPEXC_OFC = 1u << 2,
    FPEXC_UFC = 1u << 3,
    FPEXC_IXC = 1u << 4,
    FPEXC_IDC = 1u << 7,
};

/* FPCR fields */
#define FPCR_AHP (1u << 26)
#define FPCR_DN (1u << 25)
#define FPCR_FZ (1u << 24)
#define FPCR_RMODE_SHIFT 22

/* Rounding modes: the first four match FPCR.RMode. */
enum FPRounding {
    FPR_TIEEVEN = 0, /* RN */
    FPR_POSINF = 1,  /* RP */
    FPR_NEGINF = 2,  /* RM */
    FPR_ZERO = 3,    /* RZ */
    FPR_TIEAWAY = 4, /* FCVTA*, FRINTA */
    FPR_ODD = 5,     /* FCVTXN */
};

typedef struct FPCtx {
    uint32_t fpcr;
    uint32_t exc; /* accumulated FPEXC_* bits */
} FPCtx;

static inline void fpctx_init(FPCtx *c, uint32_t fpcr)
{
    c->fpcr = fpcr;
    c->exc = 0;
}
static inline enum FPRounding fp_rmode(const FPCtx *c) { return (enum FPRounding)((c->fpcr >> FPCR_RMODE_SHIFT) & 3); }

/* FRINT{N,P,M,Z,A,X,I}: the rounding of the FP data-processing opcode
 * (8-12, 14, 15; X and I round as FPCR says, `cur`); FRINTX (14) alone
 * raises Inexact. */
static inline enum FPRounding fp_frint_rounding(int op, enum FPRounding cur)
{
    static const enum FPRounding fixed[5] = {FPR_TIEEVEN, FPR_POSINF, FPR_NEGINF, FPR_ZERO, FPR_TIEAWAY};
    return op >= 8 && op <= 12 ? fixed[op - 8] : cur;
}
/* The Advanced SIMD FRINT* (two-register misc opcode 0x18/0x19, U, bit 23
 * `a`) as that opcode: N M P Z, A X, and I (U = a = 1, opcode 0x18 is
 * unallocated: N). */
static inline int fp_frint_simd_op(unsigned u, unsigned a, unsigned op)
{
    static const uint8_t dp1[8] = {8, 10, 9, 11, 12, 14, 8, 15};
    return dp1[(u & 1) << 2 | (a & 1) << 1 | (op & 1)];
}

/* Arithmetic (N = FP16/FP32/FP64; only FP32/FP64 are used by v8.0 arithmetic). */
uint64_t fp_add(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_sub(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_mul(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_mulx(int n, uint64_t a, uint64_t b, FPCtx *c);   /* FMULX: inf*0 = +-2 */
uint64_t fp_div(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_sqrt(int n, uint64_t a, FPCtx *c);
/* FPMulAdd: addend + op1 * op2 with a single rounding. */
uint64_t fp_muladd(int n, uint64_t addend, uint64_t op1, uint64_t op2, FPCtx *c);
uint64_t fp_max(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_min(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_maxnum(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_minnum(int n, uint64_t a, uint64_t b, FPCtx *c);
uint64_t fp_abd(int n, uint64_t a, uint64_t b, FPCtx *c);      /* FABD: |a - b| */
uint64_t fp_recps(int n, uint64_t a, uint64_t b, FPCtx *c);    /* FRECPS: 2 - a*b fused */
uint64_t fp_rsqrts(int n, uint64_t a, uint64_t b, FPCtx *c);   /* FRSQRTS: (3 - a*b)/2 fused */
uint64_t fp_recpe(int n, uint64_t a, FPCtx *c);                /* FRECPE */
uint64_t fp_rsqrte(int n, uint64_t a, FPCtx *c);               /* FRSQRTE */
uint64_t fp_recpx(int n, uint64_t a, FPCtx *c);                /* FRECPX */
uint32_t fp_urecpe(uint32_t a);                                /* URECPE */
uint32_t fp_ursqrte(uint32_t a);                               /* URSQRTE */

static inline uint64_t fp_neg(int n, uint64_t a) { return a ^ (1ull << (n - 1)); }
static inline uint64_t fp_abs(int n, uint64_t a) { return a & ~(1ull << (n - 1)); }

/* FPCompare: NZCV in bits 3:0 (0011 unordered, 0110 equal, 1000 less,
 * 0010 greater). signal_nans = FCMPE (any NaN raises Invalid). */
uint32_t fp_compare(int n, uint64_t a, uint64_t b, bool signal_nans, FPCtx *c);
bool fp_compare_eq(int n, uint64_t a, uint64_t b, FPCtx *c);
bool fp_compare_ge(int n, uint64_t a, uint64_t b, FPCtx *c);
bool fp_compare_gt(int n, uint64_t a, uint64_t b, FPCtx *c);

/* FPRoundInt: FRINT* (exact = FRINTX raises Inexact). */
uint64_t fp_round_int(int n, uint64_t a, enum FPRounding r, bool exact, FPCtx *c);
/* FPToFixed: to a signed/unsigned integer of `m` bits (32/64) with fbits
 * fraction bits. Result zero-extended to 64 bits. */
uint64_t fp_to_fixed(int n, uint64_t a, int fbits, bool is_unsigned, int m, enum FPRounding r, FPCtx *c);
/* FixedToFP: `v` is an m-bit (32/64) integer with fbits fraction bits. */
uint64_t fp_from_fixed(int n, uint64_t v, int fbits, bool is_unsigned, int m, enum FPRounding r, FPCtx *c);
/* FPConvert between precisions (FCVT, FCVTL, FCVTN, FCVTXN with FPR_ODD). */
uint64_t fp_convert(int to_n, int from_n, uint64_t a, enum FPRounding r, FPCtx *c);

/* ---- shared by trans_fp.c, trans_simd_fp.c and helpers_fp.c ----
 * Operation classes passed to helper_fp_scalar / helper_simd_fp in imm
 * bits 63:32 (bits 31:0 hold the instruction word). */
enum FpKind {
    FPK_DP1, FPK_DP2, FPK_DP3, FPK_TOINT, FPK_FROMINT, FPK_TOFIXED, FPK_FROMFIXED,
    /* Advanced SIMD */
    FPK_V3SAME,      /* three same, vector and scalar */
    FPK_V2MISC,      /* two-register misc, vector and scalar */
    FPK_VACROSS,     /* FMAXV ... */
    FPK_VPAIR_S,     /* scalar pairwise */
    FPK_VELEM,       /* by element, vector and scalar */
    FPK_VSHIFT,      /* fixed-point conversions by immediate */
};

/* VFPExpandImm (trans_fp.c). Translating thread. */
uint64_t fp_expand_imm(int n, uint32_t imm8);

#endif
