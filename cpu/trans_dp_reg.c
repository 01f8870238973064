/* Translate functions: data processing -- register (Arm ARM C4.1.88,
 * encodings in cpu/a64/dp_reg.def). Every trans_* here is called by the
 * decoder on the translating vCPU thread only (it emits into that thread's
 * DisasCtx). Reserved field values return false (UNDEFINED).
 *
 * Same width convention as trans_dp_imm.c: sources are read as 64-bit
 * values and each operation is emitted at the instruction's width; IR ALU
 * ops at size 4 read only the low 32 bits of their inputs and zero-extend
 * their result, so results go back with set_rd() untruncated. */
#include "translate.h"

static inline int opsize(int sf) { return sf ? 8 : 4; }

/* Write a value that is already zero-extended to the instruction width. */
static inline void set_rd(DisasCtx *s, int rd, IRTemp v) { write_xreg(s, rd, v, 1); }
static inline void set_rd_sp(DisasCtx *s, int rd, IRTemp v) { write_xreg_sp(s, rd, v, 1); }

static inline int f_rd(uint32_t insn) { return (int)bits(insn, 4, 0); }
static inline int f_rn(uint32_t insn) { return (int)bits(insn, 9, 5); }
static inline int f_rm(uint32_t insn) { return (int)bits(insn, 20, 16); }

static void logic_flags(DisasCtx *s, int sz, IRTemp v)
{
    ir_emit(s->b, IR_LOGIC_FLAGS, sz, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
}

/* Rm shifted by imm6 (LSL, LSR, ASR, ROR). Returns false for the reserved
 * shift amounts (>= 32 with sf = 0). With amount 0 the register comes back
 * unshifted and possibly with stale upper bits: callers feed it to an op at
 * the instruction width. */
static bool shifted_rm(DisasCtx *s, uint32_t insn, IRTemp *out)
{
    static const int ops[4] = {IR_SHL, IR_SHR, IR_SAR, IR_ROR};
    int sf = (int)bit(insn, 31), type = (int)bits(insn, 23, 22), amount = (int)bits(insn, 15, 10);
    if (!sf && amount >= 32)
        return false;
    IRTemp m = read_xreg(s, f_rm(insn), 1);
    if (amount)
        m = t_op(s, ops[type], opsize(sf), m, t_const(s, (uint64_t)amount));
    *out = m;
    return true;
}

/* ---- Logical (shifted register) ---- */

enum { L_AND, L_ORR, L_EOR, L_ANDS };

static bool logic_sreg(DisasCtx *s, uint32_t insn, int opc, bool invert)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf), rn = f_rn(insn), rd = f_rd(insn);
    IRTemp m;
    if (!shifted_rm(s, insn, &m))
        return false;
    if (opc == L_ORR && !invert && rn == 31) {
        /* MOV (register): no operation with XZR needed */
        set_rd(s, rd, sf || bits(insn, 15, 10) ? m : t_op1(s, IR_MOV, 4, m));
        return true;
    }
    static const int ops[2][4] = {{IR_AND, IR_OR, IR_XOR, IR_AND}, {IR_ANDN, IR_ORN, IR_XORN, IR_ANDN}};
    IRTemp r = t_op(s, ops[invert][opc], sz, read_xreg(s, rn, 1), m);
    if (opc == L_ANDS)
        logic_flags(s, sz, r);
    set_rd(s, rd, r);
    return true;
}

bool trans_AND_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_AND, false); }
bool trans_BIC_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_AND, true); }
bool trans_ORR_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_ORR, false); }
bool trans_ORN_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_ORR, true); }
bool trans_EOR_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_EOR, false); }
bool trans_EON_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_EOR, true); }
bool trans_ANDS_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_ANDS, false); }
bool trans_BICS_sreg(DisasCtx *s, uint32_t insn) { return logic_sreg(s, insn, L_ANDS, true); }

/* ---- Add/subtract (shifted register) ---- */

static const int addsub_ops[2][2] = {{IR_ADD, IR_ADD_FLAGS}, {IR_SUB, IR_SUB_FLAGS}};

/* Register 31 is XZR for Rd, Rn and Rm. ROR is reserved here. */
static bool addsub_sreg(DisasCtx *s, uint32_t insn, bool sub, bool setflags)
{
    int sf = (int)bit(insn, 31);
    IRTemp m;
    if (bits(insn, 23, 22) == 3)
        return false;
    if (!shifted_rm(s, insn, &m))
        return false;
    IRTemp r = t_op(s, addsub_ops[sub][setflags], opsize(sf), read_xreg(s, f_rn(insn), 1), m);
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_ADD_sreg(DisasCtx *s, uint32_t insn) { return addsub_sreg(s, insn, false, false); }
bool trans_ADDS_sreg(DisasCtx *s, uint32_t insn) { return addsub_sreg(s, insn, false, true); }
bool trans_SUB_sreg(DisasCtx *s, uint32_t insn) { return addsub_sreg(s, insn, true, false); }
bool trans_SUBS_sreg(DisasCtx *s, uint32_t insn) { return addsub_sreg(s, insn, true, true); }

/* ---- Add/subtract (extended register) ----
 * Rm is extended (UXTB..SXTX: option<2> = signed, option<1:0> = log2 of
 * the source bytes), then shifted left by imm3 (0..4, larger is reserved).
 * Rn is SP-capable; Rd is SP-capable unless the flags are set. */

static bool addsub_ext(DisasCtx *s, uint32_t insn, bool sub, bool setflags)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf);
    int option = (int)bits(insn, 15, 13), shift = (int)bits(insn, 12, 10);
    if (shift > 4)
        return false;
    IRTemp m = read_xreg(s, f_rm(insn), 1);
    int from = 8 << (option & 3);
    if (from < 64)
        m = (option & 4) ? t_opi(s, IR_SEXT, 8, m, (uint64_t)from) : t_opi(s, IR_ZEXT, 8, m, (uint64_t)from);
    if (shift)
        m = t_op(s, IR_SHL, 8, m, t_const(s, (uint64_t)shift));
    IRTemp r = t_op(s, addsub_ops[sub][setflags], sz, read_xreg_sp(s, f_rn(insn), 1), m);
    if (setflags)
        set_rd(s, f_rd(insn), r);
    else
        set_rd_sp(s, f_rd(insn), r);
    return true;
}

bool trans_ADD_ext(DisasCtx *s, uint32_t insn) { return addsub_ext(s, insn, false, false); }
bool trans_ADDS_ext(DisasCtx *s, uint32_t insn) { return addsub_ext(s, insn, false, true); }
bool trans_SUB_ext(DisasCtx *s, uint32_t insn) { return addsub_ext(s, insn, true, false); }
bool trans_SUBS_ext(DisasCtx *s, uint32_t insn) { return addsub_ext(s, insn, true, true); }

/* ---- Add/subtract (with carry) ---- */

static bool adc_sbc(DisasCtx *s, uint32_t insn, int opc)
{
    int sf = (int)bit(insn, 31);
    IRTemp r = t_op(s, opc, opsize(sf), read_xreg(s, f_rn(insn), 1), read_xreg(s, f_rm(insn), 1));
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_ADC(DisasCtx *s, uint32_t insn) { return adc_sbc(s, insn, IR_ADC); }
bool trans_ADCS(DisasCtx *s, uint32_t insn) { return adc_sbc(s, insn, IR_ADC_FLAGS); }
bool trans_SBC(DisasCtx *s, uint32_t insn) { return adc_sbc(s, insn, IR_SBC); }
bool trans_SBCS(DisasCtx *s, uint32_t insn) { return adc_sbc(s, insn, IR_SBC_FLAGS); }

/* ---- Conditional compare ----
 * NZCV = cond ? flags of (Rn +/- operand) : #nzcv, one CSUB/CADD_FLAGS on the
 * COND's 0/1 (a condition of AL or NV: the compare alone). */

static bool ccmp(DisasCtx *s, uint32_t insn, bool sub, bool imm)
{
    int sf = (int)bit(insn, 31), cond = (int)bits(insn, 15, 12);
    uint64_t nzcv = (uint64_t)bits(insn, 3, 0) << 28;
    bool always = cond >= 14;
    IRTemp c = always ? IR_NO_TEMP : t_cond(s, cond);
    IRTemp n = read_xreg(s, f_rn(insn), 1);
    IRTemp m = imm ? t_const(s, bits(insn, 20, 16)) : read_xreg(s, f_rm(insn), 1);
    if (always)
        t_op(s, sub ? IR_SUB_FLAGS : IR_ADD_FLAGS, opsize(sf), n, m);
    else
        ir_emit(s->b, sub ? IR_CSUB_FLAGS : IR_CADD_FLAGS, opsize(sf), 0, c, n, m, 0, nzcv);
    return true;
}

bool trans_CCMN_reg(DisasCtx *s, uint32_t insn) { return ccmp(s, insn, false, false); }
bool trans_CCMP_reg(DisasCtx *s, uint32_t insn) { return ccmp(s, insn, true, false); }
bool trans_CCMN_imm(DisasCtx *s, uint32_t insn) { return ccmp(s, insn, false, true); }
bool trans_CCMP_imm(DisasCtx *s, uint32_t insn) { return ccmp(s, insn, true, true); }

/* ---- Conditional select ---- */

enum { CS_SEL, CS_INC, CS_INV, CS_NEG };

static bool csel(DisasCtx *s, uint32_t insn, int kind)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf), cond = (int)bits(insn, 15, 12);
    int rn = f_rn(insn), rm = f_rm(insn);
    if (rn == 31 && rm == 31 && cond < 14 && (kind == CS_INC || kind == CS_INV)) {
        /* CSET/CSETM (compilers' way to a bool): the inverted condition's
         * 0/1, negated for CSETM, rather than a select between constants. */
        IRTemp c = t_cond(s, cond ^ 1);
        set_rd(s, f_rd(insn), kind == CS_INC ? c : t_op1(s, IR_NEG, sz, c));
        return true;
    }
    IRTemp m;
    switch (kind) {
    case CS_SEL:
        m = read_xreg(s, rm, sf);
        break;
    case CS_INC:
        m = t_op(s, IR_ADD, sz, read_xreg(s, rm, 1), t_const(s, 1));
        break;
    case CS_INV:
        m = t_op1(s, IR_NOT, sz, read_xreg(s, rm, 1));
        break;
    default:
        m = t_op1(s, IR_NEG, sz, read_xreg(s, rm, 1));
        break;
    }
    IRTemp r;
    if (cond >= 14)
        r = read_xreg(s, rn, sf); /* AL and NV both select Rn */
    else
        r = t_select(s, t_cond(s, cond), read_xreg(s, rn, sf), m);
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_CSEL(DisasCtx *s, uint32_t insn) { return csel(s, insn, CS_SEL); }
bool trans_CSINC(DisasCtx *s, uint32_t insn) { return csel(s, insn, CS_INC); }
bool trans_CSINV(DisasCtx *s, uint32_t insn) { return csel(s, insn, CS_INV); }
bool trans_CSNEG(DisasCtx *s, uint32_t insn) { return csel(s, insn, CS_NEG); }

/* ---- Data-processing (1 source) ---- */

static bool dp1(DisasCtx *s, uint32_t insn, int opc, int sz)
{
    set_rd(s, f_rd(insn), t_op1(s, opc, sz, read_xreg(s, f_rn(insn), 1)));
    return true;
}

bool trans_RBIT(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_RBIT, opsize((int)bit(insn, 31))); }
bool trans_REV16(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_REV16, opsize((int)bit(insn, 31))); }
bool trans_REV_32(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_REV, 4); }
bool trans_REV32(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_REV32, 8); }
bool trans_REV_64(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_REV, 8); }
bool trans_CLZ(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_CLZ, opsize((int)bit(insn, 31))); }
bool trans_CLS(DisasCtx *s, uint32_t insn) { return dp1(s, insn, IR_CLS, opsize((int)bit(insn, 31))); }

/* ---- Data-processing (2 source) ---- */

/* Division by zero gives 0 and INT_MIN / -1 gives INT_MIN (the IR ops
 * follow Arm semantics); variable shifts take Rm modulo the width, which
 * is also what the IR shift ops do. */
static bool dp2(DisasCtx *s, uint32_t insn, int opc)
{
    int sf = (int)bit(insn, 31);
    IRTemp r = t_op(s, opc, opsize(sf), read_xreg(s, f_rn(insn), 1), read_xreg(s, f_rm(insn), 1));
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_UDIV(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_UDIV); }
bool trans_SDIV(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_SDIV); }
bool trans_LSLV(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_SHL); }
bool trans_LSRV(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_SHR); }
bool trans_ASRV(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_SAR); }
bool trans_RORV(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_ROR); }

/* CRC32{B,H,W,X} and CRC32C{B,H,W,X}: Wd = crc(Wn, Rm<size*8-1:0>). The
 * helper reads the low 32 bits of the accumulator and `bytes` data bytes. */
static bool crc32(DisasCtx *s, uint32_t insn, int bytes, bool castagnoli)
{
    IRTemp r = t_call(s, HELPER_crc32, 0, read_xreg(s, f_rn(insn), 1), read_xreg(s, f_rm(insn), 1),
                      IR_NO_TEMP, (uint64_t)bytes | (uint64_t)castagnoli << 8);
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_CRC32B(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 1, false); }
bool trans_CRC32H(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 2, false); }
bool trans_CRC32W(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 4, false); }
bool trans_CRC32X(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 8, false); }
bool trans_CRC32CB(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 1, true); }
bool trans_CRC32CH(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 2, true); }
bool trans_CRC32CW(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 4, true); }
bool trans_CRC32CX(DisasCtx *s, uint32_t insn) { return crc32(s, insn, 8, true); }

/* ---- Data-processing (3 source) ---- */

static int f_ra(uint32_t insn) { return (int)bits(insn, 14, 10); }

/* Rd = Ra +/- Rn * Rm at the operand width; Ra = XZR is MUL / MNEG. */
static bool madd(DisasCtx *s, uint32_t insn, bool sub)
{
    int sf = (int)bit(insn, 31), sz = opsize(sf), ra = f_ra(insn);
    IRTemp p = t_op(s, IR_MUL, sz, read_xreg(s, f_rn(insn), 1), read_xreg(s, f_rm(insn), 1));
    IRTemp r;
    if (ra == 31)
        r = sub ? t_op1(s, IR_NEG, sz, p) : p;
    else
        r = t_op(s, sub ? IR_SUB : IR_ADD, sz, read_xreg(s, ra, 1), p);
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_MADD(DisasCtx *s, uint32_t insn) { return madd(s, insn, false); }
bool trans_MSUB(DisasCtx *s, uint32_t insn) { return madd(s, insn, true); }

/* Xd = Xa +/- Wn * Wm with the 32-bit operands sign- or zero-extended; the
 * low 64 bits of the 64x64 product of the extended values are exact. */
static bool maddl(DisasCtx *s, uint32_t insn, bool sub, bool is_signed)
{
    int ra = f_ra(insn);
    IRTemp n = read_xreg(s, f_rn(insn), 1), m = read_xreg(s, f_rm(insn), 1);
    int ext = is_signed ? IR_SEXT : IR_ZEXT;
    n = t_opi(s, ext, 8, n, 32);
    m = t_opi(s, ext, 8, m, 32);
    IRTemp p = t_op(s, IR_MUL, 8, n, m), r;
    if (ra == 31)
        r = sub ? t_op1(s, IR_NEG, 8, p) : p;
    else
        r = t_op(s, sub ? IR_SUB : IR_ADD, 8, read_xreg(s, ra, 1), p);
    set_rd(s, f_rd(insn), r);
    return true;
}

bool trans_SMADDL(DisasCtx *s, uint32_t insn) { return maddl(s, insn, false, true); }
bool trans_SMSUBL(DisasCtx *s, uint32_t insn) { return maddl(s, insn, true, true); }
bool trans_UMADDL(DisasCtx *s, uint32_t insn) { return maddl(s, insn, false, false); }
bool trans_UMSUBL(DisasCtx *s, uint32_t insn) { return maddl(s, insn, true, false); }

/* Ra is (1)(1)(1)(1)(1) in the encoding: not checked, as on hardware and QEMU. */
bool trans_SMULH(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_SMULH); }
bool trans_UMULH(DisasCtx *s, uint32_t insn) { return dp2(s, insn, IR_UMULH); }
