/* Unit tests for the tier-0 IR interpreter (cpu/interp.c): every pure and
 * flag-setting op of ir_ops.def at both widths, guest memory access, and the
 * block terminals. Blocks are built by hand and run on a CPUState of a
 * minimal machine (RAM only). Expected values are computed here from the Arm
 * ARM definitions, independently of the interpreter's own code. */
#include "common.h"

#include "cpu/sysreg.h"

#include <inttypes.h>

static TestMachine *tm;
static CPUState *cpu;

static void setup(void)
{
    tm = test_machine_new();
    cpu = tm->cpu;
}

static void teardown(void)
{
    test_machine_free(tm);
    tm = NULL;
    cpu = NULL;
}

TestSuite(interp, .init = setup, .fini = teardown);

#define EXIT_PC 0x40001234ull
#define GARBAGE 0xdeadbeef00000000ull /* upper half that 32-bit ops must ignore */
#define M32 0xffffffffull

/* ---- runners: CONST inputs -> op -> X0, then EXIT ---- */

static uint64_t run_op(int opc, int size, int nin, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    IRBlock blk;
    ir_block_init(&blk, EXIT_PC - 4);
    IRTemp in[3] = {IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP};
    uint64_t v[3] = {a, b, c};
    for (int i = 0; i < nin; i++)
        in[i] = ir_const(&blk, v[i]);
    IRTemp r = ir_emit(&blk, opc, size, 0, in[0], in[1], in[2], 0, imm);
    if (ir_op_info[opc].has_dst)
        ir_set_reg(&blk, 0, r);
    ir_exit(&blk, EXIT_PC);
    cpu->x[0] = 0x5a5a5a5a5a5a5a5aull;
    enum BlockExit bx = test_run_block(cpu, &blk);
    cr_assert_eq(bx, BX_EXIT, "%s: block exit %d", ir_op_info[opc].name, bx);
    cr_assert_eq(cpu->pc, EXIT_PC);
    ir_block_free(&blk);
    return cpu->x[0];
}

static uint64_t run1(int opc, int size, uint64_t a) { return run_op(opc, size, 1, a, 0, 0, 0); }
static uint64_t run1i(int opc, int size, uint64_t a, uint64_t imm) { return run_op(opc, size, 1, a, 0, 0, imm); }
static uint64_t run2(int opc, int size, uint64_t a, uint64_t b) { return run_op(opc, size, 2, a, b, 0, 0); }

/* Flag-setting ops: NZCV in before, result and NZCV out. */
static uint64_t run_flags(int opc, int size, uint64_t a, uint64_t b, uint32_t nzcv_in, uint32_t *nzcv_out)
{
    cpu->nzcv = nzcv_in;
    uint64_t r = run_op(opc, size, ir_op_info[opc].nin, a, b, 0, 0);
    *nzcv_out = cpu->nzcv;
    return r;
}

#define EXPECT(got, want, ...)                                                                                    \
    cr_expect_eq((uint64_t)(got), (uint64_t)(want), __VA_ARGS__)

#define CHECK2(opc, size, a, b, want)                                                                             \
    do {                                                                                                          \
        uint64_t got_ = run2(IR_##opc, size, a, b);                                                               \
        EXPECT(got_, want, #opc ".%d(0x%" PRIx64 ", 0x%" PRIx64 ") = 0x%" PRIx64 ", want 0x%" PRIx64, size,       \
               (uint64_t)(a), (uint64_t)(b), got_, (uint64_t)(want));                                              \
    } while (0)

#define CHECK1(opc, size, a, want)                                                                                \
    do {                                                                                                          \
        uint64_t got_ = run1(IR_##opc, size, a);                                                                  \
        EXPECT(got_, want, #opc ".%d(0x%" PRIx64 ") = 0x%" PRIx64 ", want 0x%" PRIx64, size, (uint64_t)(a), got_, \
               (uint64_t)(want));                                                                                 \
    } while (0)

#define CHECK1I(opc, size, a, imm, want)                                                                          \
    do {                                                                                                          \
        uint64_t got_ = run1i(IR_##opc, size, a, imm);                                                            \
        EXPECT(got_, want, #opc ".%d(0x%" PRIx64 ", #%d) = 0x%" PRIx64 ", want 0x%" PRIx64, size, (uint64_t)(a),   \
               (int)(imm), got_, (uint64_t)(want));                                                               \
    } while (0)

/* ---- the ops this file covers (checked against ir_ops.def below) ---- */
static const int covered_ops[] = {
    IR_NOP, IR_INSN_START, IR_CONST, IR_MOV, IR_GET_REG, IR_SET_REG, IR_GET_NZCV, IR_SET_NZCV,
    IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_ANDN, IR_ORN, IR_XORN, IR_NOT, IR_NEG,
    IR_SHL, IR_SHR, IR_SAR, IR_ROR, IR_MUL, IR_UMULH, IR_SMULH, IR_UDIV, IR_SDIV,
    IR_CLZ, IR_CLS, IR_RBIT, IR_REV, IR_REV16, IR_REV32, IR_SEXT, IR_ZEXT,
    IR_ADD_FLAGS, IR_SUB_FLAGS, IR_ADC, IR_ADC_FLAGS, IR_SBC, IR_SBC_FLAGS, IR_LOGIC_FLAGS,
    IR_CADD_FLAGS, IR_CSUB_FLAGS, IR_COND, IR_CMP_EQ, IR_CMP_NE, IR_SELECT, IR_LOAD, IR_STORE, IR_FENCE,
    IR_BRCOND, IR_GOTO, IR_JUMP, IR_EXIT, IR_RAISE,
};

Test(interp, every_pure_and_flag_op_is_covered)
{
    bool cov[IR_NUM_OPS] = {false};
    for (size_t i = 0; i < sizeof(covered_ops) / sizeof(covered_ops[0]); i++)
        cov[covered_ops[i]] = true;
    for (int op = 0; op < IR_NUM_OPS; op++) {
        const IROpInfo *inf = &ir_op_info[op];
        bool flagish = strstr(inf->name, "FLAGS") || op == IR_ADC || op == IR_SBC || op == IR_COND;
        if (inf->kind == IRK_PURE || flagish)
            cr_expect(cov[op], "IR op %s (pure or flag-setting) has no interpreter test in test_interp.c", inf->name);
    }
}

/* ---- markers, constants, register file ---- */

Test(interp, const_mov_nop)
{
    EXPECT(run_op(IR_CONST, 8, 0, 0, 0, 0, 0xfedcba9876543210ull), 0xfedcba9876543210ull, "CONST");
    EXPECT(run_op(IR_CONST, 4, 0, 0, 0, 0, 0xfedcba9876543210ull), 0xfedcba9876543210ull, "CONST ignores size");
    CHECK1(MOV, 8, 0xdeadbeef12345678ull, 0xdeadbeef12345678ull);
    CHECK1(MOV, 4, 0xdeadbeef12345678ull, 0x12345678ull);

    IRBlock b;
    ir_block_init(&b, 0);
    ir_emit(&b, IR_NOP, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40000abcull);
    IRTemp pcv = ir_const(&b, 7);
    ir_set_reg(&b, 3, pcv);
    ir_exit(&b, EXIT_PC);
    cpu->pc = 0;
    cr_assert_eq(test_run_block(cpu, &b), BX_EXIT);
    cr_expect_eq(cpu->x[3], 7);
    cr_expect_eq(cpu->pc, EXIT_PC);
    ir_block_free(&b);
}

Test(interp, insn_start_sets_pc)
{
    /* INSN_START records the pc of the instruction: a RAISE right after it
     * reports that pc as the preferred return address. */
    IRBlock b;
    ir_block_init(&b, 0x40000100);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40000100ull);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40000104ull);
    ir_emit(&b, IR_RAISE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, EXC_UNDEF, 0);
    cr_assert_eq(test_run_block(cpu, &b), BX_EXCEPTION);
    cr_expect_eq(cpu->elr_el1, 0x40000104ull);
    ir_block_free(&b);
}

Test(interp, get_set_reg)
{
    for (int r = 0; r < 32; r++)
        cpu->x[r] = 0x1000ull * (uint64_t)r + 0x11;
    IRBlock b;
    ir_block_init(&b, 0);
    /* x[r] <- x[31 - r] + 1 for every r, including 31 (the current SP). */
    IRTemp one = ir_const(&b, 1);
    IRTemp v[32];
    for (int r = 0; r < 32; r++) {
        IRTemp g = ir_emit(&b, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(31 - r));
        v[r] = ir_op2(&b, IR_ADD, 8, g, one);
    }
    for (int r = 0; r < 32; r++)
        ir_set_reg(&b, r, v[r]);
    ir_exit(&b, EXIT_PC);
    cr_assert_eq(test_run_block(cpu, &b), BX_EXIT);
    for (int r = 0; r < 32; r++)
        cr_expect_eq(cpu->x[r], 0x1000ull * (uint64_t)(31 - r) + 0x12, "x%d", r);
    ir_block_free(&b);
}

Test(interp, get_field_reads_a_cpustate_field)
{
    cpu->tpidr_el1 = 0x1234567890abcdefull;
    cpu->sp_el[0] = 0xffff000012345000ull;
    cr_expect_eq(run_op(IR_GET_FIELD, 8, 0, 0, 0, 0, offsetof(CPUState, tpidr_el1)), 0x1234567890abcdefull);
    cr_expect_eq(run_op(IR_GET_FIELD, 8, 0, 0, 0, 0, offsetof(CPUState, sp_el[0])), 0xffff000012345000ull);
    /* What MRS translates to: plain stored registers only, SP_EL0 only with SPSel = 1. */
    const SysRegDef *tp = sysreg_find(SYSREG_ENC(3, 0, 13, 0, 4)), *sp = sysreg_find(SYSREG_ENC(3, 0, 4, 1, 0));
    const SysRegDef *mpidr = sysreg_find(SYSREG_ENC(3, 0, 0, 0, 5)), *fpcr = sysreg_find(SYSREG_ENC(3, 3, 4, 4, 0));
    cr_assert(tp && sp && mpidr && fpcr);
    cr_expect_eq(sysreg_plain_offset(tp, 1), (long)offsetof(CPUState, tpidr_el1));
    cr_expect_eq(sysreg_plain_offset(sp, 1 | TBF_SPX), (long)offsetof(CPUState, sp_el[0]));
    cr_expect_eq(sysreg_plain_offset(sp, 1), -1, "SP_EL0 with SPSel = 0 is UNDEFINED: the helper decides");
    cr_expect_eq(sysreg_plain_offset(mpidr, 1), -1, "computed register");
    cr_expect_eq(sysreg_plain_offset(fpcr, 1 | TBF_FP), -1, "register with a run-time check");
}

Test(interp, get_set_nzcv)
{
    IRBlock b;
    ir_block_init(&b, 0);
    IRTemp old = ir_emit(&b, IR_GET_NZCV, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    ir_set_reg(&b, 1, old);
    IRTemp k = ir_const(&b, 0xffffffffffffffffull);
    ir_emit(&b, IR_SET_NZCV, 8, 0, k, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    IRTemp now = ir_emit(&b, IR_GET_NZCV, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    ir_set_reg(&b, 2, now);
    ir_exit(&b, EXIT_PC);
    cpu->nzcv = 0x50000000u;
    cr_assert_eq(test_run_block(cpu, &b), BX_EXIT);
    cr_expect_eq(cpu->x[1], 0x50000000ull);
    cr_expect_eq(cpu->nzcv, 0xf0000000u, "SET_NZCV keeps only bits 31:28");
    cr_expect_eq(cpu->x[2], 0xf0000000ull);
    ir_block_free(&b);
}

/* ---- integer ALU ---- */

Test(interp, add_sub_widths)
{
    CHECK2(ADD, 8, 0xffffffffffffffffull, 1, 0);
    CHECK2(ADD, 8, 0xffffffffull, 1, 0x100000000ull);
    CHECK2(ADD, 4, 0xffffffffull, 1, 0);
    CHECK2(ADD, 4, GARBAGE | 0x7fffffffull, GARBAGE | 1, 0x80000000ull);
    CHECK2(SUB, 8, 0, 1, 0xffffffffffffffffull);
    CHECK2(SUB, 4, 0, 1, 0xffffffffull);
    CHECK2(SUB, 4, 0x100000000ull, 0, 0);
    CHECK2(SUB, 8, 0x100000000ull, 1, 0xffffffffull);
}

Test(interp, logic_widths)
{
    const uint64_t a = 0xff00ff00f0f0f0f0ull, b = 0x0ff00ff0ff00ff00ull;
    CHECK2(AND, 8, a, b, a & b);
    CHECK2(OR, 8, a, b, a | b);
    CHECK2(XOR, 8, a, b, a ^ b);
    CHECK2(ANDN, 8, a, b, a & ~b);
    CHECK2(ORN, 8, a, b, a | ~b);
    CHECK2(XORN, 8, a, b, a ^ ~b);
    CHECK2(AND, 4, a, b, (a & b) & M32);
    CHECK2(OR, 4, a, b, (a | b) & M32);
    CHECK2(XOR, 4, a, b, (a ^ b) & M32);
    CHECK2(ANDN, 4, a, b, (a & ~b) & M32);
    CHECK2(ORN, 4, a, b, (a | ~b) & M32);
    CHECK2(XORN, 4, a, b, (a ^ ~b) & M32);
    CHECK2(ORN, 4, 0, 0, 0xffffffffull);
    CHECK2(ORN, 8, 0, 0, 0xffffffffffffffffull);
    CHECK2(XORN, 4, 0, 0, 0xffffffffull);
    CHECK1(NOT, 4, 0, 0xffffffffull);
    CHECK1(NOT, 8, 0, 0xffffffffffffffffull);
    CHECK1(NOT, 4, 0xffffffff00000000ull, 0xffffffffull);
    CHECK1(NEG, 4, 1, 0xffffffffull);
    CHECK1(NEG, 4, 0x80000000ull, 0x80000000ull);
    CHECK1(NEG, 4, GARBAGE, 0);
    CHECK1(NEG, 8, 1, 0xffffffffffffffffull);
    CHECK1(NEG, 8, 0, 0);
    CHECK1(NEG, 8, 0x8000000000000000ull, 0x8000000000000000ull);
}

Test(interp, shifts_modulo_width)
{
    /* 32-bit: amount taken modulo 32; the upper half of both inputs ignored. */
    const uint64_t a32 = GARBAGE | 0x80000001ull;
    const struct { int opc; uint64_t amt, want; } s32[] = {
        {IR_SHL, 0, 0x80000001}, {IR_SHL, 1, 0x2}, {IR_SHL, 31, 0x80000000}, {IR_SHL, 32, 0x80000001},
        {IR_SHL, 33, 0x2}, {IR_SHL, 0xffffffff00000021ull, 0x2},
        {IR_SHR, 0, 0x80000001}, {IR_SHR, 1, 0x40000000}, {IR_SHR, 31, 1}, {IR_SHR, 32, 0x80000001},
        {IR_SHR, 63, 1},
        {IR_SAR, 0, 0x80000001}, {IR_SAR, 1, 0xc0000000}, {IR_SAR, 31, 0xffffffff}, {IR_SAR, 32, 0x80000001},
        {IR_SAR, 33, 0xc0000000},
        {IR_ROR, 0, 0x80000001}, {IR_ROR, 1, 0xc0000000}, {IR_ROR, 4, 0x18000000}, {IR_ROR, 31, 0x3},
        {IR_ROR, 32, 0x80000001}, {IR_ROR, 36, 0x18000000},
    };
    for (size_t i = 0; i < sizeof(s32) / sizeof(s32[0]); i++) {
        uint64_t got = run2(s32[i].opc, 4, a32, s32[i].amt);
        EXPECT(got, s32[i].want, "%s.4 by %" PRIu64 ": 0x%" PRIx64 ", want 0x%" PRIx64, ir_op_info[s32[i].opc].name,
               s32[i].amt, got, s32[i].want);
    }
    CHECK2(SAR, 4, 0x40000000, 30, 1);
    CHECK2(SHR, 4, 0xffffffffffffffffull, 28, 0xf);

    const uint64_t a64 = 0x8000000000000001ull;
    const struct { int opc; uint64_t amt, want; } s64[] = {
        {IR_SHL, 0, a64}, {IR_SHL, 1, 2}, {IR_SHL, 63, 0x8000000000000000ull}, {IR_SHL, 64, a64},
        {IR_SHL, 65, 2},
        {IR_SHR, 1, 0x4000000000000000ull}, {IR_SHR, 63, 1}, {IR_SHR, 64, a64}, {IR_SHR, 32, 0x80000000ull},
        {IR_SAR, 1, 0xc000000000000000ull}, {IR_SAR, 63, 0xffffffffffffffffull}, {IR_SAR, 64, a64},
        {IR_SAR, 127, 0xffffffffffffffffull},
        {IR_ROR, 0, a64}, {IR_ROR, 1, 0xc000000000000000ull}, {IR_ROR, 4, 0x1800000000000000ull},
        {IR_ROR, 63, 3}, {IR_ROR, 64, a64}, {IR_ROR, 68, 0x1800000000000000ull},
        {IR_ROR, 32, 0x0000000180000000ull},
    };
    for (size_t i = 0; i < sizeof(s64) / sizeof(s64[0]); i++) {
        uint64_t got = run2(s64[i].opc, 8, a64, s64[i].amt);
        EXPECT(got, s64[i].want, "%s.8 by %" PRIu64 ": 0x%" PRIx64 ", want 0x%" PRIx64, ir_op_info[s64[i].opc].name,
               s64[i].amt, got, s64[i].want);
    }
}

Test(interp, mul_and_high_mul)
{
    CHECK2(MUL, 4, 0x10001, 0x10001, 0x20001);
    CHECK2(MUL, 4, GARBAGE | 0x10001, GARBAGE | 0x10001, 0x20001);
    CHECK2(MUL, 4, 0xffffffff, 0xffffffff, 1);
    CHECK2(MUL, 8, 0x10001, 0x10001, 0x100020001ull);
    CHECK2(MUL, 8, 0xffffffffffffffffull, 3, 0xfffffffffffffffdull);

    CHECK2(UMULH, 8, 0xffffffffffffffffull, 0xffffffffffffffffull, 0xfffffffffffffffeull);
    CHECK2(UMULH, 8, 0x8000000000000000ull, 2, 1);
    CHECK2(UMULH, 8, 0x100000000ull, 0x100000000ull, 1);
    CHECK2(UMULH, 8, 5, 7, 0);
    CHECK2(UMULH, 8, 0xffffffffffffffffull, 2, 1);

    CHECK2(SMULH, 8, 0xffffffffffffffffull, 0xffffffffffffffffull, 0);                    /* -1 * -1 */
    CHECK2(SMULH, 8, 0x8000000000000000ull, 0x8000000000000000ull, 0x4000000000000000ull); /* MIN*MIN = 2^126 */
    CHECK2(SMULH, 8, 0x8000000000000000ull, 1, 0xffffffffffffffffull);                    /* -2^63 */
    CHECK2(SMULH, 8, 0x8000000000000000ull, 0xffffffffffffffffull, 0);                    /* +2^63 */
    CHECK2(SMULH, 8, 0xfffffffffffffffeull, 3, 0xffffffffffffffffull);                    /* -6 */
    CHECK2(SMULH, 8, 0x7fffffffffffffffull, 0x7fffffffffffffffull, 0x3fffffffffffffffull);
    CHECK2(SMULH, 8, 0xffffffffffffffffull, 2, 0xffffffffffffffffull);                    /* -2 */
}

Test(interp, division)
{
    CHECK2(UDIV, 8, 100, 7, 14);
    CHECK2(UDIV, 8, 100, 0, 0);
    CHECK2(UDIV, 8, 0, 0, 0);
    CHECK2(UDIV, 8, 0xffffffffffffffffull, 1, 0xffffffffffffffffull);
    CHECK2(UDIV, 8, 0xffffffffffffffffull, 2, 0x7fffffffffffffffull);
    CHECK2(UDIV, 4, 0xffffffff, 2, 0x7fffffff);
    CHECK2(UDIV, 4, GARBAGE | 100, 0xbeef000000000007ull, 14);
    CHECK2(UDIV, 4, 5, 0x100000000ull, 0); /* divisor's low word is 0 */
    CHECK2(UDIV, 4, 7, 0, 0);

    CHECK2(SDIV, 8, 0x8000000000000000ull, 0xffffffffffffffffull, 0x8000000000000000ull); /* MIN / -1 */
    CHECK2(SDIV, 8, 0x8000000000000000ull, 0, 0);
    CHECK2(SDIV, 8, 1234, 0, 0);
    CHECK2(SDIV, 8, (uint64_t)-7, 2, (uint64_t)-3); /* rounds toward zero */
    CHECK2(SDIV, 8, 7, (uint64_t)-2, (uint64_t)-3);
    CHECK2(SDIV, 8, (uint64_t)-7, (uint64_t)-2, 3);
    CHECK2(SDIV, 8, 0x8000000000000000ull, 2, 0xc000000000000000ull);
    CHECK2(SDIV, 4, 0x80000000, 0xffffffff, 0x80000000); /* INT32_MIN / -1, zero-extended */
    CHECK2(SDIV, 4, 0x80000000, 0, 0);
    CHECK2(SDIV, 4, 0xfffffff9, 2, 0xfffffffd);                  /* -7 / 2 = -3 */
    CHECK2(SDIV, 4, (uint64_t)-7, 2, 0xfffffffd);                /* result zero-extended */
    CHECK2(SDIV, 4, GARBAGE | 0xfffffff9, GARBAGE | 0xfffffffe, 3); /* -7 / -2 */
    CHECK2(SDIV, 4, 0x80000000, 0x100000000ull, 0);             /* divisor's low word is 0 */
}

Test(interp, count_leading)
{
    CHECK1(CLZ, 8, 0, 64);
    CHECK1(CLZ, 8, 0xffffffffffffffffull, 0);
    CHECK1(CLZ, 8, 1, 63);
    CHECK1(CLZ, 8, 0x8000000000000000ull, 0);
    CHECK1(CLZ, 8, 0x00ffffffffffffffull, 8);
    CHECK1(CLZ, 8, 0xffffffffull, 32);
    CHECK1(CLZ, 4, 0, 32);
    CHECK1(CLZ, 4, 0xffffffff, 0);
    CHECK1(CLZ, 4, 1, 31);
    CHECK1(CLZ, 4, 0x00010000, 15);
    CHECK1(CLZ, 4, 0xffffffff00000000ull, 32);

    CHECK1(CLS, 8, 0, 63);
    CHECK1(CLS, 8, 0xffffffffffffffffull, 63);
    CHECK1(CLS, 8, 1, 62);
    CHECK1(CLS, 8, 0x8000000000000000ull, 0);
    CHECK1(CLS, 8, 0xc000000000000000ull, 1);
    CHECK1(CLS, 8, 0x4000000000000000ull, 0);
    CHECK1(CLS, 8, 0x3fffffffffffffffull, 1);
    CHECK1(CLS, 8, 0xfffffffffffffffeull, 62);
    CHECK1(CLS, 4, 0, 31);
    CHECK1(CLS, 4, 0xffffffff, 31);
    CHECK1(CLS, 4, 1, 30);
    CHECK1(CLS, 4, 0x80000000, 0);
    CHECK1(CLS, 4, 0xc0000000, 1);
    CHECK1(CLS, 4, 0x7fffffff, 0);
    CHECK1(CLS, 4, 0xffffffff00000000ull, 31);
    CHECK1(CLS, 4, 0x00000000ffff0000ull, 15);
}

static uint64_t ref_rbit(uint64_t x, int bits)
{
    uint64_t r = 0;
    for (int i = 0; i < bits; i++)
        if (x >> i & 1)
            r |= 1ull << (bits - 1 - i);
    return r;
}

static uint64_t ref_bytes_rev(uint64_t x, int container_bytes, int total_bytes)
{
    /* Reverse the bytes within each container of the low total_bytes. */
    uint64_t r = 0;
    for (int base = 0; base < total_bytes; base += container_bytes)
        for (int i = 0; i < container_bytes; i++) {
            uint64_t byte = x >> (8 * (base + i)) & 0xff;
            r |= byte << (8 * (base + container_bytes - 1 - i));
        }
    return r;
}

Test(interp, bit_and_byte_reversal)
{
    CHECK1(RBIT, 4, 1, 0x80000000);
    CHECK1(RBIT, 4, 0x12345678, 0x1e6a2c48);
    CHECK1(RBIT, 4, GARBAGE | 1, 0x80000000);
    CHECK1(RBIT, 8, 1, 0x8000000000000000ull);
    CHECK1(RBIT, 8, 0x0123456789abcdefull, 0xf7b3d591e6a2c480ull);
    CHECK1(REV, 4, GARBAGE | 0x11223344, 0x44332211);
    CHECK1(REV, 8, 0x1122334455667788ull, 0x8877665544332211ull);
    CHECK1(REV16, 4, GARBAGE | 0x11223344, 0x22114433);
    CHECK1(REV16, 8, 0x1122334455667788ull, 0x2211443366558877ull);
    CHECK1(REV32, 8, 0x1122334455667788ull, 0x4433221188776655ull);

    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 64; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        EXPECT(run1(IR_RBIT, 8, x), ref_rbit(x, 64), "RBIT.8 0x%" PRIx64, x);
        EXPECT(run1(IR_RBIT, 4, x), ref_rbit(x & M32, 32), "RBIT.4 0x%" PRIx64, x);
        EXPECT(run1(IR_REV, 8, x), ref_bytes_rev(x, 8, 8), "REV.8 0x%" PRIx64, x);
        EXPECT(run1(IR_REV, 4, x), ref_bytes_rev(x, 4, 4), "REV.4 0x%" PRIx64, x);
        EXPECT(run1(IR_REV16, 8, x), ref_bytes_rev(x, 2, 8), "REV16.8 0x%" PRIx64, x);
        EXPECT(run1(IR_REV16, 4, x), ref_bytes_rev(x, 2, 4), "REV16.4 0x%" PRIx64, x);
        EXPECT(run1(IR_REV32, 8, x), ref_bytes_rev(x, 4, 8), "REV32.8 0x%" PRIx64, x);
    }
}

Test(interp, sign_and_zero_extension)
{
    CHECK1I(SEXT, 8, 0x80, 8, 0xffffffffffffff80ull);
    CHECK1I(SEXT, 4, 0x80, 8, 0xffffff80ull);
    CHECK1I(SEXT, 8, 0x7f, 8, 0x7f);
    CHECK1I(SEXT, 8, 0xabcdef00000000ffull, 8, 0xffffffffffffffffull);
    CHECK1I(SEXT, 8, 0x8000, 16, 0xffffffffffff8000ull);
    CHECK1I(SEXT, 4, 0x12348000, 16, 0xffff8000ull);
    CHECK1I(SEXT, 4, 0x12347fff, 16, 0x7fff);
    CHECK1I(SEXT, 8, 0x80000000, 32, 0xffffffff80000000ull);
    CHECK1I(SEXT, 8, 0xabcdef0012345678ull, 32, 0x12345678);
    CHECK1I(SEXT, 4, 0xabcdef0092345678ull, 32, 0x92345678);
    CHECK1I(SEXT, 8, 0x8000000000000000ull, 64, 0x8000000000000000ull);
    CHECK1I(SEXT, 8, 0x10, 5, 0xfffffffffffffff0ull); /* any field width */

    CHECK1I(ZEXT, 8, 0xabcd, 8, 0xcd);
    CHECK1I(ZEXT, 8, 0xffffffffffffffffull, 16, 0xffff);
    CHECK1I(ZEXT, 8, 0xffffffffffffffffull, 32, 0xffffffff);
    CHECK1I(ZEXT, 8, 0xffffffffffffffffull, 64, 0xffffffffffffffffull);
    CHECK1I(ZEXT, 8, 3, 1, 1);
}

/* Every 32-bit op computes on the low words only and zero-extends. */
Test(interp, width4_ignores_upper_half_and_zero_extends)
{
    static const int bin[] = {IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_ANDN, IR_ORN, IR_XORN, IR_SHL, IR_SHR,
                              IR_SAR, IR_ROR, IR_MUL, IR_UDIV, IR_SDIV, IR_CMP_EQ, IR_CMP_NE};
    static const int un[] = {IR_MOV, IR_NOT, IR_NEG, IR_CLZ, IR_CLS, IR_RBIT, IR_REV, IR_REV16};
    static const uint64_t vals[] = {0, 1, 3, 31, 33, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
                                    0x12345678, 0x9abcdef0};
    static const uint64_t junk[] = {0xdeadbeef00000000ull, 0xffffffff00000000ull, 0x0000000100000000ull};
    const size_t nv = sizeof(vals) / sizeof(vals[0]);
    for (size_t o = 0; o < sizeof(bin) / sizeof(bin[0]); o++)
        for (size_t i = 0; i < nv; i++)
            for (size_t j = 0; j < nv; j++) {
                uint64_t clean = run2(bin[o], 4, vals[i], vals[j]);
                cr_expect_leq(clean, M32, "%s.4 result not zero-extended", ir_op_info[bin[o]].name);
                uint64_t dirty = run2(bin[o], 4, vals[i] | junk[(i + j) % 3], vals[j] | junk[(i + 2 * j + 1) % 3]);
                cr_expect_eq(dirty, clean, "%s.4(0x%" PRIx64 ", 0x%" PRIx64 ") depends on the upper halves",
                             ir_op_info[bin[o]].name, vals[i], vals[j]);
            }
    for (size_t o = 0; o < sizeof(un) / sizeof(un[0]); o++)
        for (size_t i = 0; i < nv; i++) {
            uint64_t clean = run1(un[o], 4, vals[i]);
            cr_expect_leq(clean, M32, "%s.4 result not zero-extended", ir_op_info[un[o]].name);
            for (size_t k = 0; k < 3; k++)
                cr_expect_eq(run1(un[o], 4, vals[i] | junk[k]), clean, "%s.4(0x%" PRIx64 ") depends on the upper half",
                             ir_op_info[un[o]].name, vals[i]);
        }
}

/* ---- flags: AddWithCarry, computed bit by bit ---- */

/* The Arm ARM's AddWithCarry(x, y, carry_in) on N bits, computed as a
 * ripple-carry adder: C is the carry out of bit N-1, V is set when the carry
 * into bit N-1 differs from the carry out of it (signed overflow). */
static uint64_t ref_add_with_carry(uint64_t x, uint64_t y, unsigned carry_in, int nbits, uint32_t *nzcv)
{
    unsigned c = carry_in & 1, c_into_msb = 0;
    uint64_t r = 0;
    for (int i = 0; i < nbits; i++) {
        if (i == nbits - 1)
            c_into_msb = c;
        unsigned s = (unsigned)(x >> i & 1) + (unsigned)(y >> i & 1) + c;
        r |= (uint64_t)(s & 1) << i;
        c = s >> 1;
    }
    uint32_t n = (uint32_t)(r >> (nbits - 1) & 1), z = r == 0, cf = c, v = c ^ c_into_msb;
    *nzcv = n << 31 | z << 30 | cf << 29 | v << 28;
    return r;
}

static const uint64_t flag_vals32[] = {0, 1, 2, 0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff};
static const uint64_t flag_vals64[] = {0,
                                       1,
                                       2,
                                       0x7fffffff,
                                       0x80000000,
                                       0xffffffff,
                                       0x100000000ull,
                                       0x7ffffffffffffffeull,
                                       0x7fffffffffffffffull,
                                       0x8000000000000000ull,
                                       0x8000000000000001ull,
                                       0xfffffffffffffffeull,
                                       0xffffffffffffffffull};

static void check_flag_op(int opc, int size)
{
    const uint64_t *vals = size == 4 ? flag_vals32 : flag_vals64;
    size_t nv = size == 4 ? sizeof(flag_vals32) / sizeof(flag_vals32[0]) : sizeof(flag_vals64) / sizeof(flag_vals64[0]);
    const int nbits = size * 8;
    const uint64_t mask = size == 4 ? M32 : ~0ull;
    bool sets_flags = opc != IR_ADC && opc != IR_SBC;
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < nv; j++)
            for (unsigned cin = 0; cin < 2; cin++) {
                uint64_t x = vals[i], y = vals[j];
                unsigned carry;
                uint64_t yy;
                switch (opc) {
                case IR_ADD_FLAGS: yy = y, carry = 0; break;
                case IR_SUB_FLAGS: yy = ~y, carry = 1; break;
                case IR_ADC:
                case IR_ADC_FLAGS: yy = y, carry = cin; break;
                default: yy = ~y, carry = cin; break; /* SBC, SBC_FLAGS */
                }
                uint32_t want_nzcv;
                uint64_t want = ref_add_with_carry(x & mask, yy & mask, carry, nbits, &want_nzcv);
                /* The other flags start opposite to what is expected, so a
                 * flag left unwritten shows. C holds the carry in. */
                uint32_t nzcv_in = ((~want_nzcv) & 0xd0000000u) | (uint32_t)cin << 29;
                uint64_t xin = x, yin = y;
                if (size == 4) { /* the upper halves must not matter */
                    xin |= GARBAGE;
                    yin |= 0xffffffff00000000ull;
                }
                uint32_t got_nzcv;
                uint64_t got = run_flags(opc, size, xin, yin, nzcv_in, &got_nzcv);
                cr_expect_eq(got, want, "%s.%d(0x%" PRIx64 ", 0x%" PRIx64 ", C=%u) = 0x%" PRIx64 ", want 0x%" PRIx64,
                             ir_op_info[opc].name, size, x, y, cin, got, want);
                uint32_t expect_nzcv = sets_flags ? want_nzcv : nzcv_in;
                cr_expect_eq(got_nzcv, expect_nzcv, "%s.%d(0x%" PRIx64 ", 0x%" PRIx64 ", C=%u): NZCV %x, want %x",
                             ir_op_info[opc].name, size, x, y, cin, got_nzcv >> 28, expect_nzcv >> 28);
            }
}

Test(interp, add_flags) { check_flag_op(IR_ADD_FLAGS, 4); check_flag_op(IR_ADD_FLAGS, 8); }
Test(interp, sub_flags) { check_flag_op(IR_SUB_FLAGS, 4); check_flag_op(IR_SUB_FLAGS, 8); }
Test(interp, adc_flags) { check_flag_op(IR_ADC_FLAGS, 4); check_flag_op(IR_ADC_FLAGS, 8); }
Test(interp, sbc_flags) { check_flag_op(IR_SBC_FLAGS, 4); check_flag_op(IR_SBC_FLAGS, 8); }
Test(interp, adc_sbc_leave_flags) { check_flag_op(IR_ADC, 4); check_flag_op(IR_ADC, 8);
                                    check_flag_op(IR_SBC, 4); check_flag_op(IR_SBC, 8); }

/* CCMN, CCMP: with the condition (input a, 0 or 1) the flags of ADDS/SUBS
 * of b and c, else the immediate's, whatever NZCV was before. */
static void check_cond_flag_op(int opc, int size)
{
    const uint64_t *vals = size == 4 ? flag_vals32 : flag_vals64;
    size_t nv = size == 4 ? sizeof(flag_vals32) / sizeof(flag_vals32[0]) : sizeof(flag_vals64) / sizeof(flag_vals64[0]);
    const uint64_t mask = size == 4 ? M32 : ~0ull;
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < nv; j++)
            for (uint32_t imm = 0; imm < 16; imm += 5)
                for (unsigned cond = 0; cond < 2; cond++) {
                    const uint64_t x = vals[i], y = vals[j];
                    uint32_t want;
                    ref_add_with_carry(x & mask, (opc == IR_CSUB_FLAGS ? ~y : y) & mask, opc == IR_CSUB_FLAGS,
                                       size * 8, &want);
                    if (!cond)
                        want = imm << 28;
                    cpu->nzcv = ~want & 0xf0000000u;
                    run_op(opc, size, 3, cond, size == 4 ? x | GARBAGE : x, y, (uint64_t)imm << 28);
                    cr_expect_eq(cpu->nzcv, want, "%s.%d(%u, 0x%" PRIx64 ", 0x%" PRIx64 ", #%u): NZCV %x, want %x",
                                 ir_op_info[opc].name, size, cond, x, y, imm, cpu->nzcv >> 28, want >> 28);
                }
}

Test(interp, conditional_compare_flags)
{
    check_cond_flag_op(IR_CADD_FLAGS, 4);
    check_cond_flag_op(IR_CADD_FLAGS, 8);
    check_cond_flag_op(IR_CSUB_FLAGS, 4);
    check_cond_flag_op(IR_CSUB_FLAGS, 8);
}

/* A few boundaries by hand (N Z C V = bits 3..0 of the nibble). */
Test(interp, flags_known_values)
{
    uint32_t f;
    EXPECT(run_flags(IR_ADD_FLAGS, 4, 0x7fffffff, 1, 0, &f), 0x80000000, "ADDS w");
    cr_expect_eq(f, 0x90000000u, "0x7fffffff + 1: N V");
    EXPECT(run_flags(IR_ADD_FLAGS, 4, 0xffffffff, 1, 0, &f), 0, "ADDS w");
    cr_expect_eq(f, 0x60000000u, "0xffffffff + 1: Z C");
    EXPECT(run_flags(IR_ADD_FLAGS, 8, 0x8000000000000000ull, 0x8000000000000000ull, 0, &f), 0, "ADDS x");
    cr_expect_eq(f, 0x70000000u, "MIN + MIN: Z C V");
    EXPECT(run_flags(IR_SUB_FLAGS, 8, 0, 0, 0, &f), 0, "CMP 0, 0");
    cr_expect_eq(f, 0x60000000u, "0 - 0: Z C (no borrow)");
    EXPECT(run_flags(IR_SUB_FLAGS, 8, 0, 1, 0, &f), ~0ull, "0 - 1");
    cr_expect_eq(f, 0x80000000u, "0 - 1: N (borrow: C clear)");
    EXPECT(run_flags(IR_SUB_FLAGS, 8, 0x8000000000000000ull, 1, 0, &f), 0x7fffffffffffffffull, "MIN - 1");
    cr_expect_eq(f, 0x30000000u, "MIN - 1: C V");
    EXPECT(run_flags(IR_SUB_FLAGS, 4, 5, 3, 0, &f), 2, "5 - 3");
    cr_expect_eq(f, 0x20000000u, "5 - 3: C");
    EXPECT(run_flags(IR_SUB_FLAGS, 4, 3, 5, 0, &f), 0xfffffffe, "3 - 5");
    cr_expect_eq(f, 0x80000000u, "3 - 5: N");
    EXPECT(run_flags(IR_ADC_FLAGS, 8, ~0ull, 0, 0x20000000u, &f), 0, "ADCS ~0 + 0 + 1");
    cr_expect_eq(f, 0x60000000u, "Z C");
    EXPECT(run_flags(IR_SBC_FLAGS, 8, 0, 0, 0, &f), ~0ull, "SBCS 0 - 0 - 1");
    cr_expect_eq(f, 0x80000000u, "N (borrow)");
    EXPECT(run_flags(IR_SBC_FLAGS, 4, 0, 0, 0x20000000u, &f), 0, "SBCS 0 - 0 - 0");
    cr_expect_eq(f, 0x60000000u, "Z C");
}

Test(interp, logic_flags)
{
    uint32_t f;
    run_flags(IR_LOGIC_FLAGS, 4, 0x100000000ull, 0, 0x30000000u, &f);
    cr_expect_eq(f, 0x40000000u, "32-bit zero: Z; C V cleared");
    run_flags(IR_LOGIC_FLAGS, 8, 0x100000000ull, 0, 0x30000000u, &f);
    cr_expect_eq(f, 0u);
    run_flags(IR_LOGIC_FLAGS, 4, 0x80000000ull, 0, 0x70000000u, &f);
    cr_expect_eq(f, 0x80000000u);
    run_flags(IR_LOGIC_FLAGS, 8, 0x80000000ull, 0, 0xf0000000u, &f);
    cr_expect_eq(f, 0u);
    run_flags(IR_LOGIC_FLAGS, 8, 0x8000000000000000ull, 0, 0, &f);
    cr_expect_eq(f, 0x80000000u);
    run_flags(IR_LOGIC_FLAGS, 8, 0, 0, 0xb0000000u, &f);
    cr_expect_eq(f, 0x40000000u);
}

/* ---- conditions and selection ---- */

/* ConditionHolds() from the Arm ARM, written out case by case. */
static bool ref_cond(int cond, uint32_t nzcv)
{
    bool n = nzcv & 0x80000000u, z = nzcv & 0x40000000u, c = nzcv & 0x20000000u, v = nzcv & 0x10000000u;
    switch (cond) {
    case 0x0: return z;                /* EQ */
    case 0x1: return !z;               /* NE */
    case 0x2: return c;                /* CS/HS */
    case 0x3: return !c;               /* CC/LO */
    case 0x4: return n;                /* MI */
    case 0x5: return !n;               /* PL */
    case 0x6: return v;                /* VS */
    case 0x7: return !v;               /* VC */
    case 0x8: return c && !z;          /* HI */
    case 0x9: return !c || z;          /* LS */
    case 0xa: return n == v;           /* GE */
    case 0xb: return n != v;           /* LT */
    case 0xc: return !z && n == v;     /* GT */
    case 0xd: return z || n != v;      /* LE */
    default: return true;              /* AL, and NV (0b1111) which also means "always" */
    }
}

Test(interp, cond_all_16_conditions)
{
    for (int cond = 0; cond < 16; cond++) {
        IRBlock b;
        ir_block_init(&b, 0);
        IRTemp r = ir_emit(&b, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)cond);
        ir_set_reg(&b, 0, r);
        ir_exit(&b, EXIT_PC);
        for (uint32_t f = 0; f < 16; f++) {
            cpu->nzcv = f << 28;
            cpu->x[0] = 0x55;
            cr_assert_eq(test_run_block(cpu, &b), BX_EXIT);
            cr_expect_eq(cpu->x[0], (uint64_t)ref_cond(cond, f << 28), "cond %d with NZCV=%x", cond, f);
            cr_expect_eq(cpu->nzcv, f << 28, "COND must not change NZCV");
        }
        ir_block_free(&b);
    }
}

Test(interp, cmp_eq_ne)
{
    CHECK2(CMP_EQ, 4, 0x100000005ull, 5, 1);
    CHECK2(CMP_NE, 4, 0x100000005ull, 5, 0);
    CHECK2(CMP_EQ, 8, 0x100000005ull, 5, 0);
    CHECK2(CMP_NE, 8, 0x100000005ull, 5, 1);
    CHECK2(CMP_EQ, 8, ~0ull, ~0ull, 1);
    CHECK2(CMP_NE, 8, 0, 0, 0);
}

Test(interp, select)
{
    const uint64_t tv = 0x1111111111111111ull, fv = 0x2222222222222222ull;
    EXPECT(run_op(IR_SELECT, 8, 3, 0, tv, fv, 0), fv, "cond 0 -> c");
    EXPECT(run_op(IR_SELECT, 8, 3, 1, tv, fv, 0), tv, "cond 1 -> b");
    EXPECT(run_op(IR_SELECT, 8, 3, 0x8000000000000000ull, tv, fv, 0), tv, "any nonzero bit selects b");
    EXPECT(run_op(IR_SELECT, 8, 3, 0x100000000ull, tv, fv, 0), tv, "upper-half bit selects b");
}

/* ---- guest memory ---- */

#define VBAR (RAM_BASE + 0x10000)
#define INSN_PC (RAM_BASE + 0x8000)

static enum BlockExit run_load(uint64_t addr, int size, uint16_t flags, int sext_to, uint64_t *val)
{
    IRBlock b;
    ir_block_init(&b, INSN_PC);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, INSN_PC);
    IRTemp a = ir_const(&b, addr);
    IRTemp v = ir_emit(&b, IR_LOAD, size, flags | (sext_to ? IRF_SIGNED : 0), a, IR_NO_TEMP, IR_NO_TEMP,
                       (uint32_t)sext_to, 0);
    ir_set_reg(&b, 0, v);
    ir_exit(&b, EXIT_PC);
    cpu->x[0] = 0x5a5a5a5a5a5a5a5aull;
    enum BlockExit bx = test_run_block(cpu, &b);
    *val = cpu->x[0];
    ir_block_free(&b);
    return bx;
}

static enum BlockExit run_store(uint64_t addr, int size, uint64_t val)
{
    IRBlock b;
    ir_block_init(&b, INSN_PC);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, INSN_PC);
    IRTemp a = ir_const(&b, addr);
    IRTemp v = ir_const(&b, val);
    ir_emit(&b, IR_STORE, size, 0, a, v, IR_NO_TEMP, 0, 0);
    IRTemp marker = ir_const(&b, 0x600d);
    ir_set_reg(&b, 9, marker);
    ir_exit(&b, EXIT_PC);
    cpu->x[9] = 0;
    enum BlockExit bx = test_run_block(cpu, &b);
    ir_block_free(&b);
    return bx;
}

static uint64_t load_ok(uint64_t addr, int size, int sext_to)
{
    uint64_t v;
    enum BlockExit bx = run_load(addr, size, 0, sext_to, &v);
    cr_assert_eq(bx, BX_EXIT, "load %d bytes at 0x%" PRIx64 " faulted (esr 0x%" PRIx64 ")", size, addr, cpu->esr_el1);
    cr_assert_eq(cpu->pc, EXIT_PC);
    return v;
}

static void store_ok(uint64_t addr, int size, uint64_t val)
{
    enum BlockExit bx = run_store(addr, size, val);
    cr_assert_eq(bx, BX_EXIT, "store %d bytes at 0x%" PRIx64 " faulted (esr 0x%" PRIx64 ")", size, addr,
                 cpu->esr_el1);
    cr_assert_eq(cpu->x[9], 0x600d);
}

Test(interp, store_load_little_endian)
{
    const uint64_t a = RAM_BASE + 0x100;
    store_ok(a, 8, 0x8877665544332211ull);
    const uint8_t *p = test_ram(tm, a, 8);
    for (int i = 0; i < 8; i++)
        cr_expect_eq(p[i], 0x11 * (i + 1), "byte %d", i);
    cr_expect_eq(load_ok(a, 1, 0), 0x11);
    cr_expect_eq(load_ok(a, 2, 0), 0x2211);
    cr_expect_eq(load_ok(a, 4, 0), 0x44332211);
    cr_expect_eq(load_ok(a, 8, 0), 0x8877665544332211ull);
    cr_expect_eq(load_ok(a + 7, 1, 0), 0x88);
    cr_expect_eq(load_ok(a + 4, 4, 0), 0x88776655);
    cr_expect_eq(load_ok(a + 1, 8, 0) & 0x00ffffffffffffffull, 0x0088776655443322ull, "unaligned in page");

    /* Narrow stores write only their bytes (and only the low bytes of the value). */
    uint8_t *q = test_ram(tm, RAM_BASE + 0x300, 16);
    memset(q, 0xaa, 16);
    store_ok(RAM_BASE + 0x300, 2, 0xffffffffffff1234ull);
    store_ok(RAM_BASE + 0x305, 1, 0x1ff);
    store_ok(RAM_BASE + 0x306, 4, 0xffffffffffffff00ull);
    const uint8_t want[10] = {0x34, 0x12, 0xaa, 0xaa, 0xaa, 0xff, 0x00, 0xff, 0xff, 0xff};
    for (int i = 0; i < 10; i++)
        cr_expect_eq(q[i], want[i], "byte %d: 0x%02x, want 0x%02x", i, q[i], want[i]);

    /* The same accesses again (the TLB now holds the page) give the same results. */
    store_ok(a, 8, 0x0102030405060708ull);
    store_ok(a, 8, 0x1122334455667788ull);
    cr_expect_eq(load_ok(a, 8, 0), 0x1122334455667788ull);
    cr_expect_eq(load_ok(a, 8, 0), 0x1122334455667788ull);
    cr_expect_eq(p[0], 0x88);
}

Test(interp, sign_extending_loads)
{
    uint8_t *p = test_ram(tm, RAM_BASE + 0x200, 16);
    const uint8_t bytes[8] = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87};
    memcpy(p, bytes, 8);
    p[8] = 0x7f;
    p[9] = 0x7f;
    const uint64_t a = RAM_BASE + 0x200;
    cr_expect_eq(load_ok(a, 1, 8), 0xffffffffffffff80ull, "LDRSB x");
    cr_expect_eq(load_ok(a, 1, 4), 0xffffff80ull, "LDRSB w (zero-extended to 64)");
    cr_expect_eq(load_ok(a, 2, 8), 0xffffffffffff8180ull, "LDRSH x");
    cr_expect_eq(load_ok(a, 2, 4), 0xffff8180ull, "LDRSH w");
    cr_expect_eq(load_ok(a, 4, 8), 0xffffffff83828180ull, "LDRSW");
    cr_expect_eq(load_ok(a + 8, 1, 8), 0x7f, "positive byte");
    cr_expect_eq(load_ok(a + 8, 2, 4), 0x7f7f, "positive halfword");
    cr_expect_eq(load_ok(a, 1, 0), 0x80, "unsigned load");
}

Test(interp, page_crossing_access)
{
    const uint64_t a = RAM_BASE + 0x2000 - 3;
    store_ok(a, 8, 0x0807060504030201ull);
    const uint8_t *p = test_ram(tm, a, 8);
    for (int i = 0; i < 8; i++)
        cr_expect_eq(p[i], i + 1, "byte %d across the page boundary", i);
    cr_expect_eq(load_ok(a, 8, 0), 0x0807060504030201ull);
    cr_expect_eq(load_ok(a + 1, 4, 0), 0x05040302);
    cr_expect_eq(load_ok(a + 2, 2, 0), 0x0403);
    store_ok(RAM_BASE + 0x3fff, 2, 0x8000);
    cr_expect_eq(load_ok(RAM_BASE + 0x3fff, 2, 8), 0xffffffffffff8000ull, "sign-extending, crossing");
    store_ok(RAM_BASE + 0x3ffe, 4, 0x80000000);
    cr_expect_eq(load_ok(RAM_BASE + 0x3ffe, 4, 8), 0xffffffff80000000ull, "LDRSW, crossing");
    store_ok(RAM_BASE + 0x4ffc, 8, 0x1122334455667788ull);
    cr_expect_eq(load_ok(RAM_BASE + 0x4ffc, 8, 0), 0x1122334455667788ull);
    cr_expect_eq(load_ok(RAM_BASE + 0x4ffc, 4, 0), 0x55667788ull);
    cr_expect_eq(load_ok(RAM_BASE + 0x5000, 4, 0), 0x11223344ull);
}

/* A data abort taken from EL1h: the vector is VBAR_EL1 + 0x200, ELR is the
 * faulting instruction, ESR.EC = 0x25 (same EL), the ops after the access
 * do not run. */
static void expect_dabort(enum BlockExit bx, bool write, uint64_t va_lo, uint64_t va_hi)
{
    cr_assert_eq(bx, BX_EXCEPTION);
    cr_expect_eq(cpu->pc, VBAR + 0x200, "pc 0x%" PRIx64, cpu->pc);
    cr_expect_eq(cpu->elr_el1, INSN_PC);
    cr_expect_eq(cpu->esr_el1 >> 26, 0x25, "EC 0x%" PRIx64, cpu->esr_el1 >> 26);
    cr_expect_eq((cpu->esr_el1 >> 6) & 1, write ? 1u : 0u, "WnR");
    cr_expect(cpu->far_el1 >= va_lo && cpu->far_el1 < va_hi, "FAR 0x%" PRIx64 " outside [0x%" PRIx64 ", 0x%" PRIx64 ")",
              cpu->far_el1, va_lo, va_hi);
    cr_expect(cpu->exc_pending);
}

Test(interp, memory_faults)
{
    cpu->vbar_el1 = VBAR;
    uint64_t v;
    expect_dabort(run_load(0x1000, 8, 0, 0, &v), false, 0x1000, 0x1001);
    cr_expect_eq(v, 0x5a5a5a5a5a5a5a5aull, "the destination is not written");

    cpu->pstate = (1u << PSTATE_EL_SHIFT) | PSTATE_SP;
    cr_assert_eq(run_store(0x0, 4, 1), BX_EXCEPTION);
    expect_dabort(BX_EXCEPTION, true, 0, 4);
    cr_expect_eq(cpu->x[9], 0, "ops after a faulting store do not run");

    cpu->pstate = (1u << PSTATE_EL_SHIFT) | PSTATE_SP;
    expect_dabort(run_load(1ull << 48, 4, 0, 0, &v), false, 1ull << 48, (1ull << 48) + 4);

    /* Crossing from the last page of RAM into nothing. */
    cpu->pstate = (1u << PSTATE_EL_SHIFT) | PSTATE_SP;
    const uint64_t end = RAM_BASE + TEST_RAM_SIZE;
    expect_dabort(run_load(end - 4, 8, 0, 0, &v), false, end - 4, end + 4);
    cpu->pstate = (1u << PSTATE_EL_SHIFT) | PSTATE_SP;
    cr_assert_eq(run_store(end - 2, 4, 0x11223344), BX_EXCEPTION);
    expect_dabort(BX_EXCEPTION, true, end - 2, end + 2);
}

Test(interp, fence)
{
    IRBlock b;
    ir_block_init(&b, 0);
    ir_emit(&b, IR_FENCE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, IR_FENCE_FULL);
    ir_emit(&b, IR_FENCE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, IR_FENCE_WEAK);
    ir_exit(&b, EXIT_PC);
    cr_expect_eq(test_run_block(cpu, &b), BX_EXIT);
    cr_expect_eq(cpu->pc, EXIT_PC);
    ir_block_free(&b);
}

/* ---- block terminals ---- */

/* CONST c; BRCOND c -> 0x...100; X5 = 99; GOTO 0x...200 */
static enum BlockExit run_brcond(uint64_t c)
{
    IRBlock b;
    ir_block_init(&b, RAM_BASE);
    IRTemp t = ir_const(&b, c);
    ir_emit(&b, IR_BRCOND, 8, 0, t, IR_NO_TEMP, IR_NO_TEMP, 0, RAM_BASE + 0x100);
    IRTemp k = ir_const(&b, 99);
    ir_set_reg(&b, 5, k);
    ir_emit(&b, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, RAM_BASE + 0x200);
    cpu->x[5] = 0;
    enum BlockExit bx = test_run_block(cpu, &b);
    ir_block_free(&b);
    return bx;
}

Test(interp, brcond_and_goto)
{
    cr_expect_eq(run_brcond(1), BX_SLOT0);
    cr_expect_eq(cpu->pc, RAM_BASE + 0x100);
    cr_expect_eq(cpu->x[5], 0, "ops after a taken BRCOND do not run");

    cr_expect_eq(run_brcond(0x8000000000000000ull), BX_SLOT0, "any nonzero value is true");
    cr_expect_eq(cpu->pc, RAM_BASE + 0x100);

    cr_expect_eq(run_brcond(0), BX_SLOT1);
    cr_expect_eq(cpu->pc, RAM_BASE + 0x200);
    cr_expect_eq(cpu->x[5], 99, "a BRCOND not taken falls through");
}

Test(interp, two_brconds)
{
    for (int which = 0; which < 3; which++) {
        IRBlock b;
        ir_block_init(&b, RAM_BASE);
        IRTemp c1 = ir_const(&b, which == 0);
        ir_emit(&b, IR_BRCOND, 8, 0, c1, IR_NO_TEMP, IR_NO_TEMP, 0, 0x1000);
        IRTemp c2 = ir_const(&b, which == 1);
        ir_emit(&b, IR_BRCOND, 8, 0, c2, IR_NO_TEMP, IR_NO_TEMP, 0, 0x2000);
        ir_emit(&b, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, 0x3000);
        enum BlockExit bx = test_run_block(cpu, &b);
        cr_expect_eq(bx, which < 2 ? BX_SLOT0 : BX_SLOT1, "case %d", which);
        cr_expect_eq(cpu->pc, 0x1000ull * (uint64_t)(which + 1), "case %d", which);
        ir_block_free(&b);
    }
}

Test(interp, jump_and_exit)
{
    IRBlock b;
    ir_block_init(&b, RAM_BASE);
    IRTemp t = ir_const(&b, 0xffff000012345678ull);
    ir_emit(&b, IR_JUMP, 8, 0, t, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    cr_expect_eq(test_run_block(cpu, &b), BX_JUMP);
    cr_expect_eq(cpu->pc, 0xffff000012345678ull);
    ir_block_free(&b);

    ir_block_init(&b, RAM_BASE);
    ir_exit(&b, 0x40000444ull);
    cr_expect_eq(test_run_block(cpu, &b), BX_EXIT);
    cr_expect_eq(cpu->pc, 0x40000444ull);
    ir_block_free(&b);
}

static enum BlockExit run_raise(enum ExcKind kind, uint32_t iss)
{
    IRBlock b;
    ir_block_init(&b, INSN_PC);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, INSN_PC);
    ir_emit(&b, IR_RAISE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, (uint32_t)kind, iss);
    enum BlockExit bx = test_run_block(cpu, &b);
    ir_block_free(&b);
    return bx;
}

Test(interp, raise)
{
    cpu->vbar_el1 = VBAR;
    /* SVC from EL1h: vector +0x200, return address is the next instruction. */
    cr_expect_eq(run_raise(EXC_SVC, 0x1234), BX_EXCEPTION);
    cr_expect_eq(cpu->pc, VBAR + 0x200);
    cr_expect_eq(cpu->elr_el1, INSN_PC + 4);
    cr_expect_eq(cpu->esr_el1, (0x15ull << 26) | (1ull << 25) | 0x1234);
    cr_expect_eq(cpu_el(cpu), 1);
    cr_expect(cpu->exc_pending);

    /* UNDEFINED from EL0: vector +0x400, return address is the instruction. */
    cpu->pstate = 0;
    cpu->exc_pending = false;
    cr_expect_eq(run_raise(EXC_UNDEF, 0), BX_EXCEPTION);
    cr_expect_eq(cpu->pc, VBAR + 0x400);
    cr_expect_eq(cpu->elr_el1, INSN_PC);
    cr_expect_eq(cpu->esr_el1 >> 26, 0);
    cr_expect_eq(cpu_el(cpu), 1);
    cr_expect_eq(cpu->spsr_el1 & 0xf, 0, "SPSR.M = EL0t");
}

Test(interp, missing_terminal_is_undefined_not_a_crash)
{
    /* The verifier rejects such a block; if one reaches the interpreter it
     * raises UNDEFINED in the guest instead of running off the end. */
    cpu->vbar_el1 = VBAR;
    IRBlock b;
    ir_block_init(&b, INSN_PC);
    ir_emit(&b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, INSN_PC);
    ir_const(&b, 1);
    cr_assert_not_null(ir_verify(&b));
    cr_expect_eq(interp_run(cpu, &b), BX_EXCEPTION);
    cr_expect_eq(cpu->pc, VBAR + 0x200);
    cr_expect_eq(cpu->elr_el1, INSN_PC);
    ir_block_free(&b);
}
