/* Self-loops (cpu/jit_loop_x86.c): a block chained to itself keeps its
 * live-in guest registers in host registers around the loop. Random loop
 * blocks (register moves, swaps and rotations, constants, flags, memory,
 * spills under register pressure) run natively with their branch patched
 * back to themselves, against the interpreter running the IR as built
 * (before ir_optimize forwards and hoists) iteration by iteration with the same budget and request
 * rules as the chained entry. */
#include "jit_harness.h"

TestSuite(jit_loop, .init = setup, .fini = teardown);


/* A random loop body over x0..x29; x30 counts the iterations down. */
static void loop_block(IRBlock *blk, bool with_call)
{
    ir_block_init(blk, LOOP_PC);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
    IRTemp pool[48];
    int np = 0;
    pool[np++] = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 30);
    int n = 4 + (int)(rnd() % 50);
    /* ADC and SBC: two-address in their result's register, which may be
     * the live-in's (a carried register's last value, no move at the
     * branch back: jit_alloc_regs). */
    static const int alu[] = {IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_SHL, IR_SHR, IR_ROR, IR_MUL, IR_ADD_FLAGS,
                              IR_SUB_FLAGS, IR_ADC, IR_SBC};
    for (int i = 0; i < n; i++) {
        if (rnd() % 3 == 0)
            ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4 * (uint64_t)i);
        IRTemp a = pool[rnd() % np], b = pool[rnd() % np], c = pool[rnd() % np];
        IRTemp d = IR_NO_TEMP;
        switch (rnd() % 11) {
        case 0: case 1: d = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 30); break;
        case 2: case 3: ir_emit(blk, IR_SET_REG, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 30); break;
        case 4: {
            /* a swap or rotation of registers: cycles in the stub's moves */
            int r1 = (int)(rnd() % 30), r2 = (int)(rnd() % 30), r3 = (int)(rnd() % 30);
            IRTemp v1 = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r1);
            IRTemp v2 = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r2);
            IRTemp v3 = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r3);
            ir_emit(blk, IR_SET_REG, 8, 0, v2, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r1);
            ir_emit(blk, IR_SET_REG, 8, 0, v3, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r2);
            ir_emit(blk, IR_SET_REG, 8, 0, v1, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r3);
            d = v1;
            break;
        }
        case 5: d = ir_const(blk, operand()); break;
        case 6: case 7:
            d = ir_emit(blk, alu[rnd() % (sizeof(alu) / sizeof(alu[0]))], (rnd() & 1) ? 8 : 4, 0, a, b, IR_NO_TEMP, 0,
                        0);
            break;
        case 8: {
            IRTemp k = ir_emit(blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 16);
            d = (rnd() & 1) ? k : ir_emit(blk, IR_SELECT, 8, 0, k, b, c, 0, 0);
            break;
        }
        case 9: {
            IRTemp addr = ir_const(blk, rnd() % 16 ? SCR_PA + ((rnd() % (SCR_LEN - 16)) & ~7ull) : scratch_addr());
            if (rnd() & 1)
                d = ir_emit(blk, IR_LOAD, 8, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
            else
                ir_emit(blk, IR_STORE, 8, 0, addr, a, IR_NO_TEMP, 0, 0);
            break;
        }
        default:
            if (with_call && rnd() % 4 == 0) {
                IRTemp z = ir_const(blk, 0);
                d = ir_emit(blk, IR_CALL, 8, 0, a, z, z, HELPER_crc32, 4);
            } else {
                d = ir_emit(blk, IR_XOR, 8, 0, a, ir_const(blk, rnd()), IR_NO_TEMP, 0, 0);
            }
            break;
        }
        if (d != IR_NO_TEMP)
            pool[np < 48 ? np++ : (int)(rnd() % 48)] = d;
    }
    IRTemp cnt = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 30);
    cnt = ir_emit(blk, IR_SUB, 8, 0, cnt, ir_const(blk, 1), IR_NO_TEMP, 0, 0);
    ir_emit(blk, IR_SET_REG, 8, 0, cnt, IR_NO_TEMP, IR_NO_TEMP, 0, 30);
    if (rnd() & 1) /* a register written after the counter, next to the branch */
        ir_emit(blk, IR_SET_REG, 8, 0, pool[rnd() % np], IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 30);
    IRTemp go = ir_emit(blk, IR_CMP_NE, 8, 0, cnt, ir_const(blk, 0), IR_NO_TEMP, 0, 0);
    if (rnd() % 4) {
        ir_emit(blk, IR_BRCOND, 8, 0, go, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
        ir_exit(blk, LOOP_PC + 0x800);
    } else {
        /* the other shape: leave through slot 0 on zero, loop through the GOTO */
        IRTemp stop = ir_emit(blk, IR_CMP_EQ, 8, 0, cnt, ir_const(blk, 0), IR_NO_TEMP, 0, 0);
        (void)go;
        ir_emit(blk, IR_BRCOND, 8, 0, stop, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 0x800);
        ir_emit(blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, LOOP_PC);
    }
    blk->ninsns = 1 + (uint32_t)(rnd() % 20);
}

/* The chained entry's rule, run on the interpreter: after the first pass,
 * every re-entry needs no pending request and ninsns of budget. */

/* The compiled loop chained to itself through slot, against the
 * interpreter; then unchained again (its branch leaves after one pass),
 * and both blocks freed. */
static void run_chained_loop(IRBlock *orig, IRBlock *blk, int slot, const char *what)
{
    cr_assert(jit_chain_patch(blk, slot, blk));
    run_loop_both(orig, blk, slot, what);
    cr_assert(jit_chain_patch(blk, slot, NULL));
    atomic_store(&cpu->request, 0);
    ir_block_free(blk);
    ir_block_free(orig);
}

static void one_loop(bool with_call)
{
    IRBlock blk, orig;
    loop_block(&blk, with_call);
    copy_block(&orig, &blk); /* the reference runs the IR as built: unoptimised, unhoisted */
    ir_optimize(&blk);
    for (int r = 0; r < 30; r++)
        cpu->x[r] = operand();
    cpu->x[30] = 1 + rnd() % 12;
    cpu->chain_budget = (int32_t)(rnd() % 3 ? 1000 : rnd() % 60);
    bool req = rnd() % 16 == 0;
    atomic_store(&cpu->request, req ? REQ_DONE : 0);
    cpu->exc_pending = false;
    cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
    int slot = blk.ops[blk.nops - 1].opc == IR_GOTO ? 1 : 0;
    bool planned = blk.chain_loop[slot] != 0;
    cr_assert(planned || with_call, "a loop without helper calls gets a loop stub");
    run_chained_loop(&orig, &blk, slot, "loop");
}

Test(jit_loop, random_loops_against_interpreter)
{
    for (int iter = 0; iter < 600; iter++)
        one_loop(false);
}

/* A helper that may write X registers keeps the block off the loop path;
 * it must still chain to itself correctly (through its entry). */
Test(jit_loop, loops_with_helper_calls)
{
    for (int iter = 0; iter < 200; iter++)
        one_loop(true);
}

/* The loop stub is where a chain to the block itself lands; a chain from
 * any other block still lands on the entry. */
Test(jit_loop, stub_only_for_the_block_itself)
{
    IRBlock blk;
    ir_block_init(&blk, LOOP_PC);
    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
    IRTemp v = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 1);
    v = ir_emit(&blk, IR_SUB, 8, 0, v, ir_const(&blk, 1), IR_NO_TEMP, 0, 0);
    ir_emit(&blk, IR_SET_REG, 8, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, 1);
    IRTemp go = ir_emit(&blk, IR_CMP_NE, 8, 0, v, ir_const(&blk, 0), IR_NO_TEMP, 0, 0);
    ir_emit(&blk, IR_BRCOND, 8, 0, go, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
    ir_exit(&blk, LOOP_PC + 8);
    blk.ninsns = 3;
    ir_optimize(&blk);
    cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
    cr_assert_neq(blk.chain_loop[0], 0);
    cr_assert(jit_chain_patch(&blk, 0, &blk));
    cpu->x[1] = 1000;
    cpu->chain_budget = 1000000;
    atomic_store(&cpu->request, 0);
    cr_assert_eq(jit_run(cpu, &blk), BX_EXIT, "leaves through the fall-through EXIT");
    cr_assert_eq(cpu->x[1], 0);
    cr_assert_eq(cpu->chain_budget, 1000000 - 999 * 3);
    cpu->x[1] = 1000;
    cpu->chain_budget = 30;
    cr_assert_eq(jit_run(cpu, &blk), BX_EXIT);
    cr_assert_eq(cpu->pc, LOOP_PC, "the budget ran out at the loop's head");
    cr_assert_eq(cpu->x[1], 1000 - 11, "one pass, then ten chained ones");
    cr_assert_eq(cpu->chain_budget, 0);
    cr_assert(jit_chain_patch(&blk, 0, NULL));
    ir_block_free(&blk);
}

/* ---- NZCV over the back edge (plan_loop_pack in cpu/jit_flags_x86.c) ----
 * A loop ending in a flag setter and a B.cond back to its start, then the
 * fall-through GOTO: the pack is made on the ways out only, and recomputed
 * from CPUState where the next pass can observe NZCV before its first
 * setter. Plain loads and stores come before the body's setter; each
 * address moves onto an unmapped page or across a page boundary on one
 * chosen pass (the counter's value), so that a slow path runs in the first
 * pass (NZCV as it came in) or a later one (the previous pass's flags).
 * Some blocks write the setter's input register before an access, or read
 * a condition there: those must not get the plan, and still run right. */
/* A chained entry's random conditions: the budget (often short), a
 * pending request now and then, and a regime. */
static void random_chain_entry(void)
{
    cpu->chain_budget = (int32_t)(rnd() % 3 ? 1000 : rnd() % 40);
    atomic_store(&cpu->request, rnd() % 16 == 0 ? REQ_DONE : 0);
    cpu->exc_pending = false;
    random_regime();
}

static void flag_loop_block(IRBlock *blk, bool round_goto)
{
    ir_block_init(blk, LOOP_PC);
    uint32_t ninsns = 1;
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
    IRTemp cnt = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 30);
    /* The counter counted down before the accesses (`add x0, x0, #64; ldrb
     * ...; cmp x5, x0`): the slow paths then need its value as the pass came
     * in, which CPUState no longer has. */
    const bool early = rnd() & 1;
    IRTemp dec = IR_NO_TEMP;
    if (early) {
        dec = ir_op2(blk, IR_SUB, 8, cnt, ir_const(blk, 1));
        ir_set_reg(blk, 30, dec);
    }
    /* Values live across the accesses: the host registers freed after the
     * counter's head value was last read get reused. */
    IRTemp keep[8];
    const int nkeep = (int)(rnd() % 9);
    for (int i = 0; i < nkeep; i++)
        keep[i] = ir_op2(blk, IR_XOR, 8,
                         ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 10 + (uint64_t)i),
                         ir_const(blk, rnd()));
    int nacc = (int)(rnd() % 4);
    for (int i = 0; i < nacc; i++) {
        if (rnd() & 1)
            ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4 * ninsns++);
        /* base + (cnt == at) * delta: off the page, across it, or nowhere */
        static const uint64_t delta[] = {1ull << 40, 0x1000 - 0x200 - 3, 0};
        IRTemp at = ir_const(blk, rnd() % 8);
        IRTemp hit = ir_op2(blk, IR_CMP_EQ, 8, early ? dec : cnt, at);
        IRTemp d = ir_op2(blk, IR_MUL, 8, hit, ir_const(blk, delta[rnd() % 3]));
        IRTemp addr = ir_op2(blk, IR_ADD, 8, ir_const(blk, SCR_PA + 0x200 + 8 * (rnd() % 64)), d);
        if (rnd() & 1)
            ir_set_reg(blk, (int)(rnd() % 20), ir_emit(blk, IR_LOAD, 8, 0, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        else
            ir_emit(blk, IR_STORE, 8, 0, addr,
                    ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 20), IR_NO_TEMP, 0,
                    0);
        switch (rnd() % 12) {
        case 0: /* the setter's input written before the next access: no plan */
            ir_set_reg(blk, 29, ir_op2(blk, IR_XOR, 8, early ? dec : cnt, ir_const(blk, rnd() % 4)));
            break;
        case 1: /* NZCV read before the setter: no plan */
            ir_set_reg(blk, 21, ir_emit(blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 14));
            break;
        case 2: case 3: /* a vector op (benchk's `mla`): touches no NZCV, the plan stands */
            simd_call(blk);
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < nkeep; i++)
        ir_set_reg(blk, 10 + i, keep[i]);
    ir_set_reg(blk, 22, ir_op2(blk, IR_ADD, 8, ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 22),
                                early ? dec : cnt));
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4 * ninsns++);
    const int size = (rnd() & 1) ? 8 : 4;
    IRTemp lim = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 29);
    IRTemp k = ir_const(blk, rnd() % 3 ? 1 : operand());
    switch (early ? 2 + rnd() % 3 : rnd() % 5) {
    case 0: /* subs x30, x30, #k */
        ir_set_reg(blk, 30, ir_op2(blk, IR_SUB_FLAGS, size, cnt, k));
        break;
    case 1: /* adds x30, x30, #-k */
        ir_set_reg(blk, 30, ir_op2(blk, IR_ADD_FLAGS, size, cnt, ir_const(blk, (uint64_t)-(int64_t)1)));
        break;
    case 2: { /* sub x30, x30, #1; cmp x30, x29 */
        if (!early) {
            dec = ir_op2(blk, IR_SUB, 8, cnt, ir_const(blk, 1));
            ir_set_reg(blk, 30, dec);
        }
        ir_op2(blk, IR_SUB_FLAGS, size, dec, (rnd() & 1) ? lim : k);
        break;
    }
    case 3: { /* sub x30, x30, #1; cmn x30, x29 */
        if (!early) {
            dec = ir_op2(blk, IR_SUB, 8, cnt, ir_const(blk, 1));
            ir_set_reg(blk, 30, dec);
        }
        ir_op2(blk, IR_ADD_FLAGS, size, dec, lim);
        break;
    }
    default: { /* sub x30, x30, #1; ands x28, x30, x29 (or tst: no register has it, no plan) */
        if (!early) {
            dec = ir_op2(blk, IR_SUB, 8, cnt, ir_const(blk, 1));
            ir_set_reg(blk, 30, dec);
        }
        IRTemp t = ir_op2(blk, IR_AND, 8, dec, (rnd() & 1) ? lim : k);
        if (rnd() % 4)
            ir_set_reg(blk, 28, t);
        ir_op1(blk, IR_LOGIC_FLAGS, size, t);
        break;
    }
    }
    if (rnd() % 4 == 0)
        simd_call(blk); /* between the setter and its COND */
    IRTemp go = ir_emit(blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 14);
    if (round_goto) {
        /* `b.eq out; sxtw x23, w30; b top`: out on the B.cond, round by the GOTO */
        const uint32_t after = 1;
        /* slot 0, or a side exit's (a loop trace's inverted branch) */
        ir_emit(blk, IR_BRCOND, 8, 0, go, IR_NO_TEMP, IR_NO_TEMP, after << 8 | ((rnd() & 1) ? 2 : 0), LOOP_PC + 0x800);
        ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4 * ninsns++);
        IRTemp c30 = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 30);
        ir_set_reg(blk, 23, ir_emit(blk, IR_SEXT, 8, 0, c30, IR_NO_TEMP, IR_NO_TEMP, 0, 32));
        /* x86 arithmetic between (the GOTO's exit has no EFLAGS of the
         * setter), and the counter copied (the recomputation reads the
         * register that holds its inputs at the GOTO, not at the B.cond) */
        ir_set_reg(blk, 25, ir_op2(blk, IR_XOR, 8, c30,
                                   ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 22)));
        if (rnd() & 1)
            ir_set_reg(blk, 24, c30);
        ir_emit(blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, LOOP_PC);
    } else {
        ir_emit(blk, IR_BRCOND, 8, 0, go, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
        ir_emit(blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, LOOP_PC + 4 * ninsns);
    }
    blk->ninsns = ninsns;
}

Test(jit_loop, flags_over_the_back_edge_are_exact)
{
    int planned = 0, runs = 1500;
    for (int iter = 0; iter < runs; iter++) {
        IRBlock blk, orig;
        const bool round_goto = rnd() % 3 == 0;
        const int slot = round_goto ? 1 : 0;
        flag_loop_block(&blk, round_goto);
        copy_block(&orig, &blk);
        ir_optimize(&blk);
        for (int r = 0; r < 30; r++)
            cpu->x[r] = operand();
        cpu->x[30] = rnd() % 10;
        cpu->nzcv = (uint32_t)(rnd() & 15) << 28;
        random_chain_entry();
        JitStats before, after;
        jit_get_stats(cpu->jit_code, &before);
        const uint32_t tbf = cpu_tb_flags(cpu), pstate0 = cpu->pstate;
        cr_assert(jit_compile(cpu, &blk, tbf));
        jit_get_stats(cpu->jit_code, &after);
        planned += after.loop_flags != before.loop_flags;
        cr_assert_neq(blk.chain_loop[slot], 0, "a loop stub for the branch back");
        cr_assert(jit_chain_patch(&blk, slot, &blk));
        run_loop_both(&orig, &blk, slot, "flag loop");
        /* Unchained: the branch's own exit makes the pack. */
        cr_assert(jit_chain_patch(&blk, slot, NULL));
        atomic_store(&cpu->request, 0);
        cpu->chain_budget = 1000;
        cpu->exc_pending = false;
        /* An abort in the first run took the exception (EL, PAN): the
         * block only ever runs in the regime it was compiled for. */
        const uint32_t old = cpu->pstate;
        cpu->pstate = pstate0;
        cpu_sync_sp(cpu, old);
        cr_assert_eq(cpu_tb_flags(cpu), tbf);
        run_loop_both(&orig, &blk, 1 - slot, "flag loop, unchained"); /* the other slot: never round */
        ir_block_free(&blk);
        ir_block_free(&orig);
    }
    cr_assert_gt(planned, runs / 3, "the plan was made for %d of %d loops", planned, runs);
}

/* A loop that goes round through its GOTO and has more than one way out
 * (bzip2's partition step, traced: `cmp w7, w6; b.gt out; ldr; add; ldrb;
 * subs; cbnz out; ...; b top`): the first compare's B.cond is planned as
 * any side exit (its taken path packs NZCV; the loads after it pack it in
 * their slow paths, recomputed), not left with an inline pack because it
 * is not the loop's only way out. NZCV must be exact at either exit, at a
 * fault of either load (the hole after RAM) and at a refused re-entry. */
Test(jit_loop, flags_of_the_first_of_two_side_exits)
{
    static const uint8_t conds[] = {12, 13, 10, 11, 8, 9, 2, 3, 0, 1};
    for (int it = 0; it < 400; it++) {
        IRBlock blk, orig;
        ir_block_init(&blk, LOOP_PC);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
        IRTemp x6 = ir_op2(&blk, IR_SUB, 8, ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 6),
                           ir_const(&blk, 1));
        ir_set_reg(&blk, 6, x6);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4);
        const int size = (rnd() & 1) ? 4 : 8;
        IRTemp lim = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 7);
        ir_emit(&blk, IR_SUB_FLAGS, size, 0, lim, x6, IR_NO_TEMP, 0, 0);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 8);
        IRTemp c1 = ir_emit(&blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, conds[rnd() % 10]);
        ir_emit(&blk, IR_BRCOND, 8, 0, c1, IR_NO_TEMP, IR_NO_TEMP, 4u << 8 | 2, LOOP_PC + 0x900);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 12);
        IRTemp a1 = ir_op2(&blk, IR_ADD, 8, ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 11),
                           ir_op2(&blk, IR_SHL, 8, x6, ir_const(&blk, 2)));
        IRTemp v = ir_emit(&blk, IR_LOAD, 4, 0, a1, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 3, v);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 16);
        IRTemp a2 = ir_op2(&blk, IR_ADD, 8, ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 21), v);
        IRTemp byte = ir_emit(&blk, IR_LOAD, 1, 0, a2, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 20);
        IRTemp d = ir_emit(&blk, IR_SUB_FLAGS, 4, 0, byte,
                           ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2), IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 0, d);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 24);
        ir_emit(&blk, IR_BRCOND, 8, 0, ir_op2(&blk, IR_CMP_NE, 4, d, ir_const(&blk, 0)), IR_NO_TEMP, IR_NO_TEMP,
                1u << 8 | 3, LOOP_PC + 0xa00);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 28);
        ir_emit(&blk, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, LOOP_PC);
        blk.ninsns = 8;
        copy_block(&orig, &blk);
        ir_optimize(&blk);
        for (int r = 0; r < 30; r++)
            cpu->x[r] = operand();
        /* x6 counts down from n; the compare's exit leaves when x7 passes it */
        cpu->x[6] = 8 + rnd() % 24;
        cpu->x[7] = rnd() % 40;
        uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
        for (int k = 0; k < 64; k++) /* x3 = small offsets, the bytes they index mostly x2 */
            ((uint32_t *)(ram + 0x800))[k] = (uint32_t)(rnd() % 16);
        const uint8_t want = (uint8_t)rnd();
        for (int k = 0; k < 32; k++)
            ram[0x100 + k] = rnd() % 8 ? want : (uint8_t)rnd();
        cpu->x[2] = want;
        cpu->x[11] = SCR_PA + 0x800;
        cpu->x[21] = rnd() % 10 ? SCR_PA + 0x100 : RAM_BASE + TEST_RAM_SIZE - 8; /* the byte load may fault */
        if (rnd() % 10 == 0)
            cpu->x[11] = RAM_BASE + TEST_RAM_SIZE - 4 * cpu->x[6]; /* the word load faults */
        cpu->nzcv = (uint32_t)(rnd() % 16) << 28;
        cpu->chain_budget = (int32_t)(rnd() % 3 ? 1000 : rnd() % 60);
        atomic_store(&cpu->request, rnd() % 16 == 0 ? REQ_DONE : 0);
        cpu->exc_pending = false;
        cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
        run_chained_loop(&orig, &blk, 1, "two side exits");
    }
}

/* ---- TLB site caches (jit_plan_loop_tlb in cpu/jit_mem_x86.c) ----
 * A self-loop's plain accesses look up a cached page and addend in the
 * frame before the TLB. The pointer x1 moves by a random stride each pass
 * (forwards, backwards, not at all, by a page or more), so the cached page
 * is the right one, a stale one or none: within a page, across a page
 * boundary, misaligned for the access's size (which must miss), into the
 * hole after RAM (a fault), and read-modify-write pairs whose load caches
 * the write tag; with IRF_ALIGN, a misaligned pass raises the alignment
 * fault from the cache's miss path. Compiled for a random regime, with
 * random budgets and requests. */
/* The start of a loop block at LOOP_PC: the pointer it walks, x1. */
static IRTemp begin_loop(IRBlock *blk)
{
    ir_block_init(blk, LOOP_PC);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC);
    return ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 1);
}

/* The end of a loop of ninsns instructions counted down in x30: back to
 * LOOP_PC while the count is not zero. */
static void end_counted_loop(IRBlock *blk, uint32_t ninsns)
{
    IRTemp cnt = ir_op2(blk, IR_SUB, 8, ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 30),
                        ir_const(blk, 1));
    ir_set_reg(blk, 30, cnt);
    ir_emit(blk, IR_BRCOND, 8, 0, ir_op2(blk, IR_CMP_NE, 8, cnt, ir_const(blk, 0)), IR_NO_TEMP, IR_NO_TEMP, 0,
            LOOP_PC);
    ir_exit(blk, LOOP_PC + 4 * ninsns);
    blk->ninsns = ninsns;
}

static void lts_loop_block(IRBlock *blk, bool loads_only)
{
    IRTemp p = begin_loop(blk);
    /* SCTLR_EL1.A or the MMU off: the cache's miss path tests the alignment */
    const uint16_t al = rnd() % 3 == 0 ? IRF_ALIGN : 0;
    const int nacc = 1 + (int)(rnd() % 6);
    uint32_t ninsns = 1;
    for (int k = 0; k < nacc; k++) {
        static const int sizes[] = {1, 2, 4, 8, 16};
        const int size = sizes[rnd() % 5];
        if (rnd() & 1)
            ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4 * ninsns++);
        /* far apart: no runs (a run's leader keeps the TLB lookup) */
        IRTemp addr = ir_op2(blk, IR_ADD, 8, p, ir_const(blk, (uint64_t)(0x80 * k + (rnd() % 4) * size)));
        if (size == 16) {
            if (loads_only || (rnd() & 1))
                ir_emit(blk, IR_LOAD_V, 16, al, addr, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)k);
            else
                ir_emit(blk, IR_STORE_V, 16, al, addr, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(8 + k));
            continue;
        }
        switch (loads_only ? 0 : rnd() % 3) {
        case 0:
            ir_set_reg(blk, 2 + k, ir_emit(blk, IR_LOAD, size, ((rnd() & 1) ? IRF_SIGNED : 0) | al, addr, IR_NO_TEMP,
                                           IR_NO_TEMP, 8, 0));
            break;
        case 1:
            ir_emit(blk, IR_STORE, size, al, addr,
                    ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 10 + (uint64_t)k),
                    IR_NO_TEMP, 0, 0);
            break;
        default: { /* ldr; add; str to the same address: a read-modify-write pair */
            IRTemp v = ir_emit(blk, IR_LOAD, size, al, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
            v = ir_op2(blk, IR_ADD, 8, v, ir_const(blk, 1 + rnd() % 100));
            ir_emit(blk, IR_STORE, size, al, addr, v, IR_NO_TEMP, 0, 0);
            ir_set_reg(blk, 2 + k, v);
            break;
        }
        }
    }
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, LOOP_PC + 4 * ninsns++);
    IRTemp stride = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 20);
    ir_set_reg(blk, 1, ir_op2(blk, IR_ADD, 8, p, stride));
    end_counted_loop(blk, ninsns);
}

Test(jit_loop, tlb_site_caches_against_interpreter)
{
    static const int64_t strides[] = {0, 1, 2, 4, 8, 16, 24, 0x40, 0x100, 0x1f8, -8, -0x100, 3, 0x7f, 0x1000, -0x1000};
    uint64_t sites = 0;
    for (int it = 0; it < 500; it++) {
        IRBlock blk, orig;
        /* x1 stays in the scratch area for all passes (run_loop_both
         * restores only it), but for loads only it runs into the hole
         * after RAM */
        const bool hole = rnd() % 16 == 0;
        lts_loop_block(&blk, hole);
        copy_block(&orig, &blk);
        ir_optimize(&blk);
        for (int r = 0; r < 30; r++)
            cpu->x[r] = operand();
        for (int v = 0; v < 32; v++)
            cpu->v[v][0] = operand(), cpu->v[v][1] = operand();
        int64_t st = strides[rnd() % (sizeof(strides) / sizeof(strides[0]))];
        uint64_t passes = 1 + rnd() % 12;
        uint64_t start = SCR_PA + 0x1800 + (rnd() % 0xc00);
        if (rnd() & 1)
            start &= ~(uint64_t)15;
        if ((st == 0x1000 || st == -0x1000) && passes > 2)
            passes = 2;
        if (hole) {
            start = RAM_BASE + TEST_RAM_SIZE - 0x2000 + (rnd() % 0x1000);
            st = 0x200;
            passes = 12;
        }
        cpu->x[1] = start;
        cpu->x[20] = (uint64_t)st;
        cpu->x[30] = passes;
        random_chain_entry();
        JitStats before, after;
        jit_get_stats(cpu->jit_code, &before);
        cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
        jit_get_stats(cpu->jit_code, &after);
        sites += after.lts_sites - before.lts_sites;
        cr_assert_neq(blk.chain_loop[0], 0, "a loop stub for the branch back");
        run_chained_loop(&orig, &blk, 0, "loop with site caches");
    }
    cr_assert_gt(sites, 500, "%" PRIu64 " accesses got a site cache", sites);
}

/* The cache is used: 200 passes over consecutive words of two pages miss
 * twice per page: the first pass into a page refills the cold TLB (which
 * fills no cache), the second fills the cache from the TLB. */
Test(jit_loop, tlb_site_cache_misses_once_a_page)
{
    IRBlock blk;
    IRTemp p = begin_loop(&blk);
    IRTemp s = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2);
    s = ir_op2(&blk, IR_ADD, 8, s, ir_emit(&blk, IR_LOAD, 8, 0, p, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    ir_set_reg(&blk, 2, s);
    ir_set_reg(&blk, 1, ir_op2(&blk, IR_ADD, 8, p, ir_const(&blk, 8)));
    end_counted_loop(&blk, 1);
    ir_optimize(&blk);
    cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
    cr_assert(jit_chain_patch(&blk, 0, &blk));
    uint64_t *w = (uint64_t *)(void *)test_ram(tm, SCR_PA, SCR_LEN);
    uint64_t sum = 0;
    for (int i = 0; i < 200; i++)
        sum += w[0x180 + i] = rnd();
    cpu->x[1] = SCR_PA + 0xc00; /* 200 words from here: the rest of the page (128), then the next */
    cpu->x[2] = 0;
    cpu->x[30] = 200;
    cpu->chain_budget = 1000000;
    atomic_store(&cpu->request, 0);
    const uint64_t miss0 = cpu->stats.jit.lts_miss;
    cr_assert_eq(jit_run(cpu, &blk), BX_EXIT);
    cr_assert_eq(cpu->x[2], sum);
    cr_assert_eq(cpu->x[30], 0);
    cr_assert_eq(cpu->stats.jit.lts_miss - miss0, 4, "%" PRIu64 " misses", cpu->stats.jit.lts_miss - miss0);
    cr_assert_eq(cpu->stats.jit.mem_refill, 2, "one refill per page");
    cr_assert(jit_chain_patch(&blk, 0, NULL));
    ir_block_free(&blk);
}

/* An address made from a value loaded in the same pass (a[b[i]]), from
 * a multiply by a register (a column walk, a hash) or a shift by a page
 * (a page index), or a pointer that steps by a page each pass, jumps
 * pages: of b[i], a[b[i]], c[i * x9], d[i * 8], e[(i & 0xfff) << 12] and
 * *x7 (x7 += 4096) only the first and d[i * 8] get a cache. */
Test(jit_loop, no_tlb_site_cache_for_scattered_addresses)
{
    IRBlock blk;
    IRTemp p = begin_loop(&blk);
    IRTemp idx = ir_emit(&blk, IR_LOAD, 4, 0, p, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    IRTemp a = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 3);
    ir_set_reg(&blk, 2, ir_emit(&blk, IR_LOAD, 8, 0, ir_op2(&blk, IR_ADD, 8, a, idx), IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    IRTemp col = ir_op2(&blk, IR_MUL, 8, p, ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 9));
    ir_set_reg(&blk, 4, ir_emit(&blk, IR_LOAD, 8, 0, ir_op2(&blk, IR_ADD, 8, a, col), IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    IRTemp row = ir_op2(&blk, IR_MUL, 8, p, ir_const(&blk, 8));
    ir_set_reg(&blk, 5, ir_emit(&blk, IR_LOAD, 8, 0, ir_op2(&blk, IR_ADD, 8, a, row), IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    IRTemp pg = ir_op2(&blk, IR_SHL, 8, ir_op2(&blk, IR_AND, 8, p, ir_const(&blk, 0xfff)), ir_const(&blk, 12));
    ir_set_reg(&blk, 6, ir_emit(&blk, IR_LOAD, 8, 0, ir_op2(&blk, IR_ADD, 8, a, pg), IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    IRTemp q = ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 7);
    ir_set_reg(&blk, 8, ir_emit(&blk, IR_LOAD, 8, 0, q, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    ir_set_reg(&blk, 7, ir_op2(&blk, IR_ADD, 8, q, ir_const(&blk, 4096)));
    ir_set_reg(&blk, 1, ir_op2(&blk, IR_ADD, 8, p, ir_const(&blk, 4)));
    end_counted_loop(&blk, 1);
    ir_optimize(&blk);
    JitStats before, after;
    jit_get_stats(cpu->jit_code, &before);
    cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
    jit_get_stats(cpu->jit_code, &after);
    cr_assert_eq(after.lts_sites - before.lts_sites, 2);
    ir_block_free(&blk);
}
