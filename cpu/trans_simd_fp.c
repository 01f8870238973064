/* Translate functions: Advanced SIMD floating point (encodings in
 * cpu/a64/simd_fp.def). Each translate function checks the reserved field
 * combinations of its class (so UNDEFINED is decided at translation time),
 * then calls helper_simd_fp (cpu/helpers_fp.c), which reads and writes
 * cpu->v and FPSR directly (helpers_fp.c documents the element rules).
 * FMOV (vector, immediate) is plain IR. Every trans_* runs on the
 * translating vCPU thread only. */
#include "fpu.h"
#include "translate.h"

/* Reserved combinations per class (ARMv8.0: single and double only). */
static bool simd_fp_valid(enum FpKind k, uint32_t insn)
{
    bool q = bit(insn, 30), scalar = bit(insn, 28), sz = bit(insn, 22);
    unsigned u = bit(insn, 29), a = bit(insn, 23);
    switch (k) {
    case FPK_V3SAME:
        return scalar || !(sz && !q);
    case FPK_V2MISC: {
        unsigned op = bits(insn, 16, 12);
        if (op == 0x16) /* FCVTN (any sz), FCVTXN (sz = 1) */
            return u == 0 || sz;
        if (op == 0x17) /* FCVTL */
            return true;
        if (op == 0x1c && a) /* URECPE, URSQRTE: 32-bit elements */
            return !sz;
        return scalar || !(sz && !q);
    }
    case FPK_VACROSS:
        return q && !sz;
    case FPK_VPAIR_S:
        return true;
    case FPK_VELEM:
        if (sz && bit(insn, 21)) /* L must be 0 for doubles */
            return false;
        return scalar || !(sz && !q);
    case FPK_VSHIFT: {
        unsigned immh = bits(insn, 22, 19);
        if (!(immh & 0xc)) /* FP16 (v8.2) or reserved */
            return false;
        return scalar || !((immh & 8) && !q);
    }
    default:
        return false;
    }
}

static bool simd_fp_gen(DisasCtx *s, uint32_t insn, enum FpKind k)
{
    if (!simd_fp_valid(k, insn))
        return false;
    if (!fp_access_check(s))
        return true;
    t_call(s, HELPER_simd_fp, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, (uint64_t)k << 32 | insn);
    return true;
}

#define T(name, kind) \
    bool trans_##name(DisasCtx *s, uint32_t insn) { return simd_fp_gen(s, insn, kind); }
T(FMAXNM_v, FPK_V3SAME)
T(FMLA_v, FPK_V3SAME)
T(FADD_v, FPK_V3SAME)
T(FMULX_v, FPK_V3SAME)
T(FCMEQ_v, FPK_V3SAME)
T(FMAX_v, FPK_V3SAME)
T(FRECPS_v, FPK_V3SAME)
T(FMINNM_v, FPK_V3SAME)
T(FMLS_v, FPK_V3SAME)
T(FSUB_v, FPK_V3SAME)
T(FMIN_v, FPK_V3SAME)
T(FRSQRTS_v, FPK_V3SAME)
T(FMAXNMP_v, FPK_V3SAME)
T(FADDP_v, FPK_V3SAME)
T(FMUL_v, FPK_V3SAME)
T(FCMGE_v, FPK_V3SAME)
T(FACGE_v, FPK_V3SAME)
T(FMAXP_v, FPK_V3SAME)
T(FDIV_v, FPK_V3SAME)
T(FMINNMP_v, FPK_V3SAME)
T(FABD_v, FPK_V3SAME)
T(FCMGT_v, FPK_V3SAME)
T(FACGT_v, FPK_V3SAME)
T(FMINP_v, FPK_V3SAME)
T(FMULX_s, FPK_V3SAME)
T(FCMEQ_s, FPK_V3SAME)
T(FRECPS_s, FPK_V3SAME)
T(FRSQRTS_s, FPK_V3SAME)
T(FCMGE_s, FPK_V3SAME)
T(FACGE_s, FPK_V3SAME)
T(FABD_s, FPK_V3SAME)
T(FCMGT_s, FPK_V3SAME)
T(FACGT_s, FPK_V3SAME)
T(FCVTN_v, FPK_V2MISC)
T(FCVTL_v, FPK_V2MISC)
T(FRINTN_v, FPK_V2MISC)
T(FRINTM_v, FPK_V2MISC)
T(FCVTNS_v, FPK_V2MISC)
T(FCVTMS_v, FPK_V2MISC)
T(FCVTAS_v, FPK_V2MISC)
T(SCVTF_v, FPK_V2MISC)
T(FCMGT0_v, FPK_V2MISC)
T(FCMEQ0_v, FPK_V2MISC)
T(FCMLT0_v, FPK_V2MISC)
T(FABS_v, FPK_V2MISC)
T(FRINTP_v, FPK_V2MISC)
T(FRINTZ_v, FPK_V2MISC)
T(FCVTPS_v, FPK_V2MISC)
T(FCVTZS_v, FPK_V2MISC)
T(URECPE_v, FPK_V2MISC)
T(FRECPE_v, FPK_V2MISC)
T(FCVTXN_v, FPK_V2MISC)
T(FRINTA_v, FPK_V2MISC)
T(FRINTX_v, FPK_V2MISC)
T(FCVTNU_v, FPK_V2MISC)
T(FCVTMU_v, FPK_V2MISC)
T(FCVTAU_v, FPK_V2MISC)
T(UCVTF_v, FPK_V2MISC)
T(FCMGE0_v, FPK_V2MISC)
T(FCMLE0_v, FPK_V2MISC)
T(FNEG_v, FPK_V2MISC)
T(FRINTI_v, FPK_V2MISC)
T(FCVTPU_v, FPK_V2MISC)
T(FCVTZU_v, FPK_V2MISC)
T(URSQRTE_v, FPK_V2MISC)
T(FRSQRTE_v, FPK_V2MISC)
T(FSQRT_v, FPK_V2MISC)
T(FCVTNS_s, FPK_V2MISC)
T(FCVTMS_s, FPK_V2MISC)
T(FCVTAS_s, FPK_V2MISC)
T(SCVTF_s, FPK_V2MISC)
T(FCMGT0_s, FPK_V2MISC)
T(FCMEQ0_s, FPK_V2MISC)
T(FCMLT0_s, FPK_V2MISC)
T(FCVTPS_s, FPK_V2MISC)
T(FCVTZS_s, FPK_V2MISC)
T(FRECPE_s, FPK_V2MISC)
T(FRECPX_s, FPK_V2MISC)
T(FCVTXN_s, FPK_V2MISC)
T(FCVTNU_s, FPK_V2MISC)
T(FCVTMU_s, FPK_V2MISC)
T(FCVTAU_s, FPK_V2MISC)
T(UCVTF_s, FPK_V2MISC)
T(FCMGE0_s, FPK_V2MISC)
T(FCMLE0_s, FPK_V2MISC)
T(FCVTPU_s, FPK_V2MISC)
T(FCVTZU_s, FPK_V2MISC)
T(FRSQRTE_s, FPK_V2MISC)
T(FMAXNMV, FPK_VACROSS)
T(FMAXV, FPK_VACROSS)
T(FMINNMV, FPK_VACROSS)
T(FMINV, FPK_VACROSS)
T(FMAXNMP_sp, FPK_VPAIR_S)
T(FADDP_sp, FPK_VPAIR_S)
T(FMAXP_sp, FPK_VPAIR_S)
T(FMINNMP_sp, FPK_VPAIR_S)
T(FMINP_sp, FPK_VPAIR_S)
T(FMLA_ve, FPK_VELEM)
T(FMLS_ve, FPK_VELEM)
T(FMUL_ve, FPK_VELEM)
T(FMULX_ve, FPK_VELEM)
T(FMLA_se, FPK_VELEM)
T(FMLS_se, FPK_VELEM)
T(FMUL_se, FPK_VELEM)
T(FMULX_se, FPK_VELEM)
T(SCVTF_vi, FPK_VSHIFT)
T(UCVTF_vi, FPK_VSHIFT)
T(FCVTZS_vi, FPK_VSHIFT)
T(FCVTZU_vi, FPK_VSHIFT)
T(SCVTF_si, FPK_VSHIFT)
T(UCVTF_si, FPK_VSHIFT)
T(FCVTZS_si, FPK_VSHIFT)
T(FCVTZU_si, FPK_VSHIFT)
#undef T

/* FMOV (vector, immediate): the expanded immediate in every element. */
static bool fmov_vi(DisasCtx *s, uint32_t insn, bool dbl)
{
    if (!fp_access_check(s))
        return true;
    uint32_t imm8 = bits(insn, 18, 16) << 5 | bits(insn, 9, 5);
    uint64_t v;
    if (dbl) {
        v = fp_expand_imm(64, imm8);
    } else {
        v = fp_expand_imm(32, imm8);
        v |= v << 32;
    }
    int rd = (int)bits(insn, 4, 0);
    IRTemp t = t_const(s, v);
    write_vreg(s, rd, 0, t);
    write_vreg(s, rd, 1, bit(insn, 30) ? t : t_const(s, 0));
    return true;
}

bool trans_FMOV_vi_s(DisasCtx *s, uint32_t insn) { return fmov_vi(s, insn, false); }
bool trans_FMOV_vi_d(DisasCtx *s, uint32_t insn) { return fmov_vi(s, insn, true); }
