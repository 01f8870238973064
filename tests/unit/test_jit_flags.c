/* Unit tests for NZCV in the x86-64 backend (cpu/jit_flags_x86.c, docs/jit.md
 * "Flags"): every flag setter with every condition, fused and plain CONDs,
 * dead packs, both packs (LAHF and SETcc), the B.cond and CSEL shapes that
 * jump or CMOV on the setter's EFLAGS, and random blocks with everything
 * that must see the packed NZCV in between. Each block runs on the
 * interpreter (the reference) and on the JIT from the same state
 * (run_both). Split out of test_jit.c. */
#include "jit_harness.h"

TestSuite(jit, .init = setup, .fini = teardown);

static const int setters[] = {IR_ADD_FLAGS, IR_SUB_FLAGS, IR_ADC_FLAGS, IR_SBC_FLAGS, IR_LOGIC_FLAGS};
#define NSETTERS ((int)(sizeof(setters) / sizeof(setters[0])))

/* A second operand near the first one's carry, borrow and overflow edges. */
static uint64_t operand_near(uint64_t a)
{
    switch (rnd() % 10) {
    case 0: return a;
    case 1: return a + 1;
    case 2: return a - 1;
    case 3: return -a;
    case 4: return ~a;
    case 5: return (rnd() & 1) ? 0x80000000u : 0x8000000000000000ull;
    case 6: return (rnd() & 1) ? 0x7fffffffu : 0x7fffffffffffffffull;
    case 7: return 0;
    default: return operand();
    }
}

/* setter a, b; result in x0. */
static void emit_setter(IRBlock *blk, int opc, int size, uint64_t a, uint64_t b)
{
    IRTemp ta = input(blk, 0, a);
    IRTemp tb = opc == IR_LOGIC_FLAGS ? IR_NO_TEMP : input(blk, 1, b);
    IRTemp r = ir_emit(blk, opc, size, 0, ta, tb, IR_NO_TEMP, 0, 0);
    if (r != IR_NO_TEMP)
        ir_set_reg(blk, 0, r);
}

/* Random X registers, then a block at 0x40001000 that starts with a setter
 * (opc, size) of two near operands, and a second instruction from 0x40001004. */
static void setter_block(IRBlock *blk, int opc, int size)
{
    for (int r = 0; r < 31; r++)
        cpu->x[r] = operand();
    ir_block_init(blk, 0x40001000);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
    uint64_t a = operand();
    emit_setter(blk, opc, size, a, operand_near(a));
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
}

static IRTemp emit_cond(IRBlock *blk, int cond)
{
    return ir_emit(blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)cond);
}

/* Every setter kind and width, then each condition (alone, so it is fused,
 * or with all 16, more than can be fused), then an exit, a branch on the
 * condition, or another setter that makes the first one's NZCV dead. */
/* An instruction at pc reading condition `cond` (16: every condition) into
 * x1 + cond; the last one's temp. */
static IRTemp read_conds(IRBlock *blk, int cond, uint64_t pc)
{
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, pc);
    IRTemp c = IR_NO_TEMP;
    for (int k = 0; k < 16; k++) {
        if (cond < 16 && k != cond)
            continue;
        c = emit_cond(blk, k);
        ir_set_reg(blk, 1 + k, c);
    }
    return c;
}

Test(jit, flags_every_setter_every_cond)
{
    for (int si = 0; si < NSETTERS; si++)
        for (int size = 4; size <= 8; size += 4)
            for (int cond = 0; cond <= 16; cond++) /* 16: all of them */
                for (int it = 0; it < 60; it++) {
                    jit_allow_lahf_pack(it & 1); /* both packs: LAHF/PEXT and SETcc */
                    IRBlock blk;
                    ir_block_init(&blk, 0x40001000);
                    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
                    ir_emit(&blk, IR_SET_NZCV, 8, 0, ir_const(&blk, rnd() & 0xf0000000u), IR_NO_TEMP,
                            IR_NO_TEMP, 0, 0);
                    uint64_t a = operand();
                    emit_setter(&blk, setters[si], size, a, operand_near(a));
                    IRTemp c = read_conds(&blk, cond, 0x40001004);
                    switch (rnd() % 3) {
                    case 0:
                        ir_emit(&blk, IR_BRCOND, 8, 0, c, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40003000);
                        ir_emit(&blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001008);
                        break;
                    case 1: {
                        uint64_t a2 = operand();
                        emit_setter(&blk, setters[rnd() % 2], (rnd() & 1) ? 8 : 4, a2, operand_near(a2));
                        ir_exit(&blk, 0x40002000);
                        break;
                    }
                    default: ir_exit(&blk, 0x40002000); break;
                    }
                    char what[64];
                    snprintf(what, sizeof(what), "%s size %d cond %d", ir_op_info[setters[si]].name, size, cond);
                    run_both(&blk, what);
                    ir_block_free(&blk);
                }
    jit_allow_lahf_pack(true);
}

/* Flags that die, conditions long after their setter, and each thing that
 * must see the packed NZCV in between: a memory op that may fault (the
 * exception saves NZCV in SPSR), CHECK_ALIGN, GET_NZCV, ADC/SBC, helpers
 * that read or write NZCV (MRS/MSR NZCV through HELPER_mrs/msr), SET_NZCV,
 * fallback ops and conditional exits. */
Test(jit, flags_random_blocks)
{
    static const int pure[] = {IR_ADD, IR_SUB, IR_AND, IR_XOR, IR_SHL, IR_MUL, IR_UDIV, IR_SDIV, IR_CLZ,
                               IR_RBIT, IR_CMP_EQ, IR_CMP_NE};
    const uint64_t nzcv_enc = SYSREG_ENC(3, 3, 4, 2, 0);
    for (int iter = 0; iter < 3000; iter++) {
        jit_allow_lahf_pack(iter & 1);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        IRTemp pool[32];
        int np = 0;
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        cpu->nzcv = (uint32_t)rnd() & 0xf0000000u;
        random_regime();
        pool[np++] = ir_const(&blk, operand());
        pool[np++] = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 31);
        int n = 4 + (int)(rnd() % 30);
        for (int i = 0; i < n; i++) {
            if (rnd() % 3 == 0)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (uint64_t)i);
            IRTemp a = pool[rnd() % np], b = pool[rnd() % np];
            int size = (rnd() & 1) ? 8 : 4;
            IRTemp d = IR_NO_TEMP;
            unsigned pick = rnd() % 32;
            if (pick < 9) {
                d = ir_emit(&blk, setters[rnd() % NSETTERS], size, 0, a, b, IR_NO_TEMP, 0, 0);
            } else if (pick < 17) {
                d = emit_cond(&blk, (int)(rnd() % 16));
                ir_set_reg(&blk, (int)(rnd() % 31), d);
            } else if (pick < 21) {
                d = ir_emit(&blk, pure[rnd() % (sizeof(pure) / sizeof(pure[0]))], size, 0, a, b, IR_NO_TEMP, 0, 0);
            } else if (pick == 21) {
                d = ir_emit(&blk, IR_GET_NZCV, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
            } else if (pick == 22) {
                ir_emit(&blk, IR_SET_NZCV, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
            } else if (pick == 23) {
                d = ir_emit(&blk, (rnd() & 1) ? IR_ADC : IR_SBC, size, 0, a, b, IR_NO_TEMP, 0, 0);
            } else if (pick == 24) {
                IRTemp addr = ir_const(&blk, scratch_addr());
                static const int sizes[] = {1, 2, 4, 8};
                if (rnd() & 1)
                    d = ir_emit(&blk, IR_LOAD, sizes[rnd() % 4], 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
                else
                    ir_emit(&blk, IR_STORE, sizes[rnd() % 4], 0, addr, a, IR_NO_TEMP, 0, 0);
            } else if (pick == 25) {
                ir_emit(&blk, IR_CHECK_ALIGN, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, EXC_SP_ALIGN,
                        (rnd() & 1) ? 15 : 1);
            } else if (pick == 26) {
                if (rnd() & 1)
                    d = ir_emit(&blk, IR_CALL, 8, IRF_EXCEPT, a, a, a, HELPER_mrs, nzcv_enc);
                else
                    d = ir_emit(&blk, IR_CALL, 8, IRF_EXCEPT, a, a, a, HELPER_msr, nzcv_enc);
            } else if (pick == 27) {
                ir_emit(&blk, IR_BRCOND, 8, 0, emit_cond(&blk, (int)(rnd() % 16)), IR_NO_TEMP, IR_NO_TEMP, 0,
                        0x40003000);
            } else if (pick == 28) {
                ir_emit(&blk, IR_FENCE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 2);
            } else {
                d = ir_const(&blk, operand_near(rnd() & 1 ? operand() : 0));
            }
            if (d != IR_NO_TEMP)
                pool[np < 32 ? np++ : (int)(rnd() % 32)] = d;
        }
        switch (rnd() % 3) {
        case 0:
            if (np && (rnd() & 1)) {
                /* B.cond's shape: setter, its result written back, the next
                 * instruction's COND (kept in AL for the BRCOND) */
                IRTemp a = pool[rnd() % np], b = pool[rnd() % np];
                IRTemp d = ir_emit(&blk, setters[rnd() % NSETTERS], rnd() & 1 ? 8 : 4, 0, a, b, IR_NO_TEMP, 0, 0);
                if (d != IR_NO_TEMP && (rnd() & 1)) /* else a CMP: ir_optimize may sink it to its COND */
                    ir_set_reg(&blk, (int)(rnd() % 31), d);
                /* Values computed between the compare and its CSEL
                 * (`cmp; add x6, x6, x4, lsl #32; csel`) */
                for (int k = (int)(rnd() % 3); k > 0; k--)
                    ir_set_reg(&blk, (int)(rnd() % 31),
                               ir_emit(&blk, pure[rnd() % 6], rnd() & 1 ? 8 : 4, 0, pool[rnd() % np],
                                       pool[rnd() % np], IR_NO_TEMP, 0, 0));
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
                if (rnd() & 1) {
                    /* CSEL's shape: its operands loaded (or zero), the COND,
                     * the SELECT (the COND kept in AL for it), the result
                     * written; CINC's and CSINC's: x plus a constant (an LEA
                     * that keeps EFLAGS for the CMOV) */
                    IRTemp x = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 31);
                    IRTemp y;
                    switch (rnd() % 4) {
                    case 0: y = ir_const(&blk, 0); break;
                    case 1: /* CSINC x, z (read only here: the sum may take its register) */
                        y = ir_emit(&blk, rnd() & 1 ? IR_ADD : IR_SUB, rnd() & 1 ? 8 : 4, 0,
                                    rnd() & 1 ? x
                                              : ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP,
                                                        IR_NO_TEMP, 0, rnd() % 31),
                                    ir_const(&blk, rnd() % 3 ? 1 : (uint64_t)(int64_t)INT32_MIN), IR_NO_TEMP, 0, 0);
                        break;
                    default:
                        y = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 31);
                        break;
                    }
                    IRTemp cc = emit_cond(&blk, (int)(rnd() % 16));
                    ir_set_reg(&blk, (int)(rnd() % 31),
                               ir_emit(&blk, IR_SELECT, 8, 0, cc, x, y, 0, 0));
                    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001008);
                }
            }
            ir_emit(&blk, IR_BRCOND, 8, 0, emit_cond(&blk, (int)(rnd() % 16)), IR_NO_TEMP, IR_NO_TEMP, 0,
                    0x40003000);
            ir_emit(&blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, 0x40004000);
            break;
        case 1: ir_emit(&blk, IR_JUMP, 8, 0, pool[rnd() % np], IR_NO_TEMP, IR_NO_TEMP, 0, 0); break;
        default: ir_exit(&blk, 0x40002000); break;
        }
        ir_optimize(&blk);
        run_both(&blk, "flags block");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
    jit_allow_lahf_pack(true);
}

/* CINC and CSINC after a flag setter whose result is kept (SUBS, ADDS: it
 * stays where it is): the increment between the setter and the CSEL is an
 * LEA, which must leave the setter's EFLAGS for the CMOV, also when the sum
 * takes the register of an operand read only there (`add r, 1` would set
 * them). Every condition, both widths of the increment, both packs. */
Test(jit, flags_kept_across_a_csinc_increment)
{
    for (int it = 0; it < 64 * NSETTERS; it++) {
        const int cond = it % 16, size = (it / 16) & 1 ? 8 : 4, setter = (it / 32) % NSETTERS;
        const bool sub = (it / 7) & 1;
        jit_allow_lahf_pack(it < 32 * NSETTERS);
        IRBlock blk;
        setter_block(&blk, setters[setter], size);
        IRTemp x = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 3);
        IRTemp z = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 4 + it % 3);
        IRTemp inc = ir_emit(&blk, sub ? IR_SUB : IR_ADD, size, 0, z, ir_const(&blk, 1 + it % 5), IR_NO_TEMP, 0, 0);
        IRTemp c = emit_cond(&blk, cond);
        ir_set_reg(&blk, 7, ir_emit(&blk, IR_SELECT, 8, 0, c, x, inc, 0, 0));
        ir_exit(&blk, 0x40002000);
        ir_optimize(&blk);
        char what[80];
        snprintf(what, sizeof(what), "%s, %s.%d, cond %d", ir_op_info[setters[setter]].name,
                 sub ? "SUB" : "ADD", size, cond);
        run_both(&blk, what);
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
    jit_allow_lahf_pack(true);
}

/* The shapes the plan is for, spelled out: dead flags, a memory op between
 * setter and COND (faulting, so SPSR shows NZCV), and a COND many ALU ops
 * after its setter. */
Test(jit, flags_shapes)
{
    for (int it = 0; it < 400; it++) {
        for (int shape = 0; shape < 3; shape++) {
            jit_allow_lahf_pack(it & 1);
            IRBlock blk;
            ir_block_init(&blk, 0x40001000);
            ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
            int opc = setters[rnd() % NSETTERS], size = (rnd() & 1) ? 8 : 4;
            uint64_t a = operand();
            emit_setter(&blk, opc, size, a, operand_near(a));
            int cond = (int)(rnd() % 16);
            switch (shape) {
            case 0: /* dead: overwritten by setters with nothing reading in between */
                for (int k = 0; k < 3; k++) {
                    IRTemp x = ir_const(&blk, operand());
                    ir_emit(&blk, (rnd() & 1) ? IR_SUB_FLAGS : IR_LOGIC_FLAGS, size, 0, x, x, IR_NO_TEMP, 0, 0);
                }
                break;
            case 1: { /* memory, then the COND */
                IRTemp addr = ir_const(&blk, (rnd() & 1) ? 0x1000 + (rnd() & 0xfff) : SCR_PA + 8 * (rnd() % 64));
                if (rnd() & 1)
                    ir_set_reg(&blk, 3, ir_emit(&blk, IR_LOAD, 8, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
                else
                    ir_emit(&blk, IR_STORE, 4, 0, addr, addr, IR_NO_TEMP, 0, 0);
                ir_set_reg(&blk, 1, emit_cond(&blk, cond));
                break;
            }
            default: { /* long after, past other ALU ops (and a fallback) */
                IRTemp x = ir_const(&blk, operand());
                for (int k = 0; k < 20; k++)
                    x = ir_op2(&blk, k % 5 == 4 ? IR_UDIV : k & 1 ? IR_ADD : IR_XOR, size, x, ir_const(&blk, operand()));
                ir_set_reg(&blk, 2, x);
                ir_set_reg(&blk, 1, emit_cond(&blk, cond));
                break;
            }
            }
            /* A second setter: whatever the first one packed is dead unless read above. */
            IRTemp y = ir_const(&blk, operand());
            ir_emit(&blk, IR_ADD_FLAGS, size, 0, y, y, IR_NO_TEMP, 0, 0);
            ir_set_reg(&blk, 4, emit_cond(&blk, (int)(rnd() % 16)));
            ir_exit(&blk, 0x40002000);
            run_both(&blk, "flags shape");
            ir_block_free(&blk);
        }
    }
    jit_allow_lahf_pack(true);
}

/* ADC, SBC, ADCS, SBCS after a setter whose pack is left to the slow paths
 * of the loads and stores between (the kernel's `adds x6, x6, x7; str x6,
 * [x11, x5, lsl #3]; adc x0, x4, x3`): the carry is made again from the
 * setter's temps (jit_emit_carry), from its result or from both inputs,
 * for an add, a subtract and a TST, at both widths; an access between may
 * fault (the exception's SPSR has the setter's NZCV), and the range ends
 * with another setter, so nothing else reads the pack. */
Test(jit, flags_carry_readers_after_a_deferred_pack)
{
    static const int readers[] = {IR_ADC, IR_SBC, IR_ADC_FLAGS, IR_SBC_FLAGS};
    static const int first[] = {IR_ADD_FLAGS, IR_SUB_FLAGS, IR_LOGIC_FLAGS};
    for (int iter = 0; iter < 4000; iter++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        for (int r = 0; r < 31; r++)
            cpu->x[r] = operand();
        cpu->nzcv = (uint32_t)rnd() & 0xf0000000u;
        random_regime();
        const int opc = first[rnd() % 3], size = (rnd() & 1) ? 8 : 4;
        const uint64_t a = operand();
        IRTemp ta = input(&blk, 0, a);
        IRTemp tb = opc == IR_LOGIC_FLAGS ? IR_NO_TEMP : input(&blk, 1, operand_near(a));
        IRTemp r = ir_emit(&blk, opc, size, 0, ta, tb, IR_NO_TEMP, 0, 0);
        if (r != IR_NO_TEMP && (rnd() & 1)) /* kept: the carry comes from the result */
            ir_set_reg(&blk, (int)(rnd() % 8), r);
        int nreaders = 0;
        for (int n = 1 + (int)(rnd() % 3); n > 0; n--) {
            ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004 + 4 * (uint64_t)n);
            if (rnd() % 3) {
                IRTemp addr = ir_const(&blk, scratch_addr());
                if (rnd() & 1)
                    ir_set_reg(&blk, 8, ir_emit(&blk, IR_LOAD, 8, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
                else
                    ir_emit(&blk, IR_STORE, (rnd() & 1) ? 8 : 4, 0, addr, r != IR_NO_TEMP ? r : ta, IR_NO_TEMP, 0, 0);
            }
            const int rd = readers[rnd() % 4];
            IRTemp x = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 9 + rnd() % 4);
            IRTemp y = (rnd() & 1) ? ir_const(&blk, operand()) : r != IR_NO_TEMP && (rnd() & 1) ? r : ta;
            IRTemp d = ir_emit(&blk, rd, (rnd() & 1) ? 8 : 4, 0, x, y, IR_NO_TEMP, 0, 0);
            ir_set_reg(&blk, 13 + nreaders++, d);
            if (rd == IR_ADC_FLAGS || rd == IR_SBC_FLAGS)
                break; /* a setter: the window ends here */
        }
        if (rnd() & 1)
            ir_emit(&blk, IR_SUB_FLAGS, 8, 0, ta, ta, IR_NO_TEMP, 0, 0);
        ir_exit(&blk, 0x40002000);
        ir_optimize(&blk);
        run_both(&blk, "carry after a deferred pack");
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
}

/* CCMN and CCMP (CADD_FLAGS, CSUB_FLAGS) after a compare whose condition
 * they take (fused, so from a register or EFLAGS) or on a constant 0/1,
 * every immediate, both widths, then every condition read as a B.cond,
 * a value, or an exit that sees the pack; with the LAHF pack and without
 * (then the ops run on the interpreter). */
Test(jit, flags_conditional_compare_every_cond)
{
    for (int opc = IR_CADD_FLAGS; opc <= IR_CSUB_FLAGS; opc++)
        for (int size = 4; size <= 8; size += 4)
            for (int cond = 0; cond <= 16; cond++) /* 16: all of them */
                for (int it = 0; it < 48; it++) {
                    jit_allow_lahf_pack(it % 8 != 0);
                    IRBlock blk;
                    ir_block_init(&blk, 0x40001000);
                    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
                    ir_emit(&blk, IR_SET_NZCV, 8, 0, ir_const(&blk, rnd() & 0xf0000000u), IR_NO_TEMP,
                            IR_NO_TEMP, 0, 0);
                    IRTemp k;
                    if (it % 3) {
                        uint64_t a = operand();
                        emit_setter(&blk, setters[rnd() % 2], (rnd() & 1) ? 8 : 4, a, operand_near(a));
                        k = emit_cond(&blk, (int)(rnd() % 14));
                    } else {
                        k = ir_const(&blk, rnd() & 1);
                    }
                    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
                    const uint64_t a = operand();
                    IRTemp ta = input(&blk, 0, a), tb = input(&blk, 1, operand_near(a));
                    ir_emit(&blk, opc, size, 0, k, ta, tb, 0, (rnd() & 15) << 28);
                    IRTemp c = read_conds(&blk, cond, 0x40001008);
                    if (rnd() & 1) {
                        ir_emit(&blk, IR_BRCOND, 8, 0, c, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40003000);
                        ir_emit(&blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x4000100c);
                    } else {
                        ir_exit(&blk, 0x40002000);
                    }
                    ir_optimize(&blk);
                    char what[64];
                    snprintf(what, sizeof(what), "%s size %d cond %d", ir_op_info[opc].name, size, cond);
                    run_both(&blk, what);
                    ir_block_free(&blk);
                }
    jit_allow_lahf_pack(true);
}

/* `cmp; b.cond <side exit>; cset w0, <other cond>`: the setter fuses both
 * CONDs, and the branch reads the first while the second is materialized
 * (cond_for_branch with `any`): the jump must be on the branch's own
 * condition code, also when the other one is the last. A CSET of the
 * branch's COND before the branch makes it ineligible (it is then read
 * from its register). Every pair of conditions, both packs, a side exit
 * (slot 2) and the terminal's slot 0. */
Test(jit, flags_branch_on_an_earlier_fused_cond)
{
    for (int it = 0; it < 16 * 16 * 4; it++) {
        const int c1 = it % 16, c2 = (it / 16) % 16;
        const bool cset_first = (it / 256) & 1, side = (it / 512) & 1;
        jit_allow_lahf_pack(it & 1);
        IRBlock blk;
        setter_block(&blk, setters[it % NSETTERS], (it / 3) & 1 ? 8 : 4);
        IRTemp b1 = emit_cond(&blk, c1);
        if (cset_first)
            ir_set_reg(&blk, 5, b1);
        IRTemp b2 = emit_cond(&blk, c2);
        ir_emit(&blk, IR_BRCOND, 8, 0, b1, IR_NO_TEMP, IR_NO_TEMP, side ? 2 | 1u << 8 : 0, 0x40003000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001008);
        ir_set_reg(&blk, 0, b2);
        ir_exit(&blk, 0x40002000);
        blk.ninsns = 3;
        ir_optimize(&blk);
        char what[80];
        snprintf(what, sizeof(what), "%s, b.%d then cset %d%s%s", ir_op_info[setters[it % NSETTERS]].name, c1, c2,
                 cset_first ? ", cset of the branch's first" : "", side ? ", side exit" : "");
        run_both(&blk, what);
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
    jit_allow_lahf_pack(true);
}
