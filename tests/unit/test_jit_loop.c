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
    static const int alu[] = {IR_ADD, IR_SUB, IR_AND, IR_OR, IR_XOR, IR_SHL, IR_SHR, IR_ROR, IR_MUL, IR_ADD_FLAGS,
                              IR_SUB_FLAGS};
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
    cr_assert(jit_chain_patch(&blk, slot, &blk));

    run_loop_both(&orig, &blk, slot, "loop");
    /* Unchained again, the branch leaves the block after one pass. */
    cr_assert(jit_chain_patch(&blk, slot, NULL));
    atomic_store(&cpu->request, 0);
    ir_block_free(&blk);
    ir_block_free(&orig);
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
