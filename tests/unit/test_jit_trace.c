/* Loop traces (docs/jit-loops.md, "Loop traces"): at a conditional branch back to
 * before the block, in its page, translation goes on at the target and the
 * branch's fall-through becomes a side exit; a branch to the block's own
 * start then ends it as a self-loop. Guest words in a host copy of one
 * guest page, translated by translate_block_traced, run on both tiers
 * around the loop (run_loop_both compares the whole CPUState, the chain
 * budget included), with the shapes, exits and budgets stated here. */
#include "jit_harness.h"

static void trace_setup(void)
{
    decode_init();
    setup();
}

TestSuite(jit_trace, .init = trace_setup, .fini = teardown);

#define PAGE 0x40002000ull
#define NOP 0xd503201fu

static uint32_t cbnz(int rt, int words) { return 0xb5000000u | ((uint32_t)words & 0x7ffff) << 5 | (uint32_t)rt; }
static uint32_t cbz(int rt, int words) { return 0xb4000000u | ((uint32_t)words & 0x7ffff) << 5 | (uint32_t)rt; }
static uint32_t add_imm(int rd, int rn, int imm) { return 0x91000000u | (uint32_t)imm << 10 | (uint32_t)rn << 5 | (uint32_t)rd; }
static uint32_t b_imm(int words) { return 0x14000000u | ((uint32_t)words & 0x3ffffff); }
#define SUB_X2_X2_1 0xd1000442u /* SUB X2, X2, #1 */

static uint32_t page[1024];

/* The page: a loop in two pieces, entered at B (gzip's match-chain step has
 * this shape):
 *   A  0x100: add  x0, x0, #1
 *      0x104: cbnz x3, B           taken: the loop goes on
 *      0x108: add  x5, x5, #1
 *      0x10c: b    +0x100
 *   B  0x110: sub  x2, x2, #1
 *      0x114: cbnz x2, A           backward: the trace goes on at A
 *      0x118: add  x6, x6, #1      the loop's exit */
static void two_piece_page(void)
{
    for (int i = 0; i < 1024; i++)
        page[i] = NOP;
    page[0x100 / 4] = add_imm(0, 0, 1);
    page[0x104 / 4] = cbnz(3, 3);
    page[0x108 / 4] = add_imm(5, 5, 1);
    page[0x10c / 4] = b_imm(0x40);
    page[0x110 / 4] = SUB_X2_X2_1;
    page[0x114 / 4] = cbnz(2, -5);
    page[0x118 / 4] = add_imm(6, 6, 1);
    page[0x11c / 4] = b_imm(0x40);
}

/* Translate the block at pc as find_block_n does: words copied from the
 * page up to its end (at most MAX_BLOCK_INSNS), the page itself for a trace
 * (NULL: none). The block's words, in run order, are left in code[]. */
static void translate_at(IRBlock *blk, uint64_t pc, uint32_t code[MAX_BLOCK_INSNS], bool traced)
{
    uint32_t max = (uint32_t)(0x1000 - (pc & 0xfff)) / 4;
    if (max > MAX_BLOCK_INSNS)
        max = MAX_BLOCK_INSNS;
    memcpy(code, &page[(pc & 0xfff) / 4], max * sizeof(uint32_t));
    ir_block_init(blk, pc);
    translate_block_traced(cpu, blk, pc, code, max, traced ? page : NULL);
    cr_assert_null(ir_verify(blk));
}

/* The side exits of blk in order: slot, target and instructions given back. */
static int side_exits(const IRBlock *blk, int slot[], uint64_t target[], uint32_t unrun[])
{
    int n = 0;
    for (uint32_t i = 0; i < blk->nops; i++)
        if (blk->ops[i].opc == IR_BRCOND && ir_branch_slot(&blk->ops[i]) >= 2) {
            slot[n] = ir_branch_slot(&blk->ops[i]);
            target[n] = blk->ops[i].imm;
            unrun[n++] = ir_brcond_unrun(&blk->ops[i]);
        }
    return n;
}

Test(jit_trace, a_loop_in_two_pieces_is_one_self_loop)
{
    two_piece_page();
    IRBlock blk;
    uint32_t code[MAX_BLOCK_INSNS];
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert_eq(blk.ninsns, 4, "B's two instructions, then A's two (%u)", blk.ninsns);
    cr_assert_eq(blk.n1, 2);
    cr_assert_eq(blk.pc2, PAGE + 0x100);
    const uint32_t want[4] = {page[0x110 / 4], page[0x114 / 4], page[0x100 / 4], page[0x104 / 4]};
    cr_assert(!memcmp(code, want, sizeof(want)), "the words in the order the block runs them");
    for (uint32_t i = 0; i < 4; i++)
        cr_assert_eq(ir_insn_pc(&blk, i), i < 2 ? PAGE + 0x110 + 4 * i : PAGE + 0x100 + 4 * (i - 2));
    /* What a fault at each pc leaves unrun (smp/vcpu.c, uncount_unrun). */
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x110), 4);
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x114), 3);
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x100), 2);
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x104), 1);
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x108), 0);
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x118), 0);
    int slot[4];
    uint64_t target[4];
    uint32_t unrun[4];
    cr_assert_eq(side_exits(&blk, slot, target, unrun), 1);
    cr_assert_eq(slot[0], 2);
    cr_assert_eq(target[0], PAGE + 0x118, "the backward branch not taken leaves the loop");
    cr_assert_eq(unrun[0], 2);
    const IROp *br = &blk.ops[blk.nops - 2], *go = &blk.ops[blk.nops - 1];
    cr_assert(br->opc == IR_BRCOND && ir_branch_slot(br) == 0 && br->imm == PAGE + 0x110,
              "A's branch to B is the terminal, back to the block's start");
    cr_assert(go->opc == IR_GOTO && go->imm == PAGE + 0x108);
    cr_assert(ir_self_loop(&blk));
    ir_block_free(&blk);
}

/* orig = a copy of blk (the interpreter's), blk compiled and its slot 0
 * chained to itself through its loop stub. */
static void compile_chained_to_itself(IRBlock *orig, IRBlock *blk)
{
    copy_block(orig, blk);
    cpu->exc_pending = false;
    cr_assert(jit_compile(cpu, blk, cpu_tb_flags(cpu)));
    cr_assert_neq(blk->chain_loop[0], 0, "the block gets the loop stub");
    cr_assert(jit_chain_patch(blk, 0, blk));
}

/* Case k around a loop block chained to itself (slot 0), from x0 = 10 and
 * the given x2 and budget, on both tiers: where it left and with what. */
static void loop_case(IRBlock *orig, IRBlock *blk, size_t k, uint64_t x2, int32_t budget, uint64_t pc, uint64_t x0,
                      uint64_t x2_after, int32_t budget_after)
{
    cpu->x[0] = 10;
    cpu->x[2] = x2;
    cpu->chain_budget = budget;
    atomic_store(&cpu->request, 0);
    char what[32];
    snprintf(what, sizeof(what), "case %zu", k);
    run_loop_both(orig, blk, 0, what);
    cr_assert_eq(cpu->pc, pc, "%s: pc %#llx", what, (unsigned long long)cpu->pc);
    cr_assert_eq(cpu->x[0], x0, "%s: x0 %llu", what, (unsigned long long)cpu->x[0]);
    cr_assert_eq(cpu->x[2], x2_after, "%s: x2 %llu", what, (unsigned long long)cpu->x[2]);
    cr_assert_eq(cpu->chain_budget, budget_after, "%s: budget %d", what, cpu->chain_budget);
}

/* Around the loop on both tiers, the compiled block chained to itself (its
 * loop stub): left by the trace's side exit, by A's fall-through, and by
 * the chained entry's budget check. */
Test(jit_trace, the_loop_runs_as_the_interpreter_runs_it)
{
    two_piece_page();
    IRBlock blk, orig;
    uint32_t code[MAX_BLOCK_INSNS];
    translate_at(&blk, PAGE + 0x110, code, true);
    compile_chained_to_itself(&orig, &blk);
    static const struct {
        uint64_t x2, x3;
        int32_t budget;
        int bx;
        uint64_t pc;
        uint64_t x0, x2_after;
        int32_t budget_after;
    } cases[] = {
        /* Five passes: four chained entries of 4, then the exit gives 2 back. */
        {5, 1, 1000, BX_SLOT2, PAGE + 0x118, 14, 0, 1000 - 16 + 2},
        /* A's branch not taken: one pass, out through the GOTO. */
        {5, 0, 1000, BX_SLOT1, PAGE + 0x108, 11, 4, 1000},
        /* Out at once: A never ran. */
        {1, 1, 1000, BX_SLOT2, PAGE + 0x118, 10, 0, 1002},
        /* The budget: the first pass is paid, two more fit, the fourth not. */
        {100, 1, 9, BX_EXIT, PAGE + 0x110, 13, 97, 1},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        cpu->x[3] = cases[k].x3;
        loop_case(&orig, &blk, k, cases[k].x2, cases[k].budget, cases[k].pc, cases[k].x0, cases[k].x2_after,
                  cases[k].budget_after);
    }
    cr_assert(jit_chain_patch(&blk, 0, NULL));
    ir_block_free(&blk);
    ir_block_free(&orig);
}

/* Where no trace is made or kept, and the other way a second piece ends. */
Test(jit_trace, where_traces_stop)
{
    IRBlock blk;
    uint32_t code[MAX_BLOCK_INSNS];
    two_piece_page();
    translate_at(&blk, PAGE + 0x110, code, false);
    cr_assert(blk.ninsns == 2 && blk.pc2 == 0, "no page given: the backward branch ends the block");
    ir_block_free(&blk);

    tm->m.opt.loop_traces = false;
    translate_at(&blk, PAGE + 0x110, code, true);
    tm->m.opt.loop_traces = true;
    cr_assert(blk.ninsns == 2 && blk.pc2 == 0, "-jit-loop-traces 0");
    ir_block_free(&blk);

    /* Into the page before: no. */
    page[0x008 / 4] = cbnz(2, -8);
    translate_at(&blk, PAGE + 0x008, code, true);
    cr_assert(blk.ninsns == 1 && blk.pc2 == 0, "a target in another page ends the block");
    ir_block_free(&blk);

    /* A second piece that would not come back to the start (only one trace
     * per block: a backward branch in it would end it) is seen ahead. */
    two_piece_page();
    page[0x104 / 4] = cbnz(3, -0x10);
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert(blk.ninsns == 2 && blk.pc2 == 0 && blk.n1 == 0, "no loop, no trace (%u)", blk.ninsns);
    cr_assert(blk.ops[blk.nops - 2].opc == IR_BRCOND && blk.ops[blk.nops - 2].imm == PAGE + 0x100);
    ir_block_free(&blk);

    /* One the look ahead misses (an undefined word ends the block) is undone:
     * the block is translated again without it, from the words as they were. */
    two_piece_page();
    page[0x100 / 4] = 0; /* UDF #0 */
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert(blk.ninsns == 2 && blk.pc2 == 0 && blk.n1 == 0, "undone (%u)", blk.ninsns);
    cr_assert(blk.ops[blk.nops - 2].opc == IR_BRCOND && blk.ops[blk.nops - 2].imm == PAGE + 0x100);
    cr_assert(!memcmp(code, &page[0x110 / 4], 4 * sizeof(uint32_t)), "code[] holds the words after the branch again");
    ir_block_free(&blk);

    /* A second piece that runs into the block's start: a GOTO to it. */
    two_piece_page();
    page[0x114 / 4] = cbnz(2, -3); /* to 0x108: add x5; b (replaced below); then B */
    page[0x10c / 4] = add_imm(7, 7, 1);
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert_eq(blk.ninsns, 4);
    cr_assert_eq(blk.pc2, PAGE + 0x108);
    cr_assert(blk.ops[blk.nops - 1].opc == IR_GOTO && blk.ops[blk.nops - 1].imm == PAGE + 0x110);
    cr_assert(ir_self_loop(&blk), "and that keeps it a self-loop");
    ir_block_free(&blk);

    /* A target at the page's first word (not the page's end). */
    two_piece_page();
    page[0] = add_imm(0, 0, 1);
    page[1] = cbnz(3, 3);
    page[4] = SUB_X2_X2_1;
    page[5] = cbnz(2, -5);
    translate_at(&blk, PAGE + 0x10, code, true);
    cr_assert(blk.ninsns == 4 && blk.pc2 == PAGE, "a trace to the page's first word (%u)", blk.ninsns);
    cr_assert(ir_self_loop(&blk));
    ir_block_free(&blk);

    /* No side-exit slot left: the backward branch ends the block. */
    two_piece_page();
    page[0x110 / 4] = cbz(8, 0x20);
    page[0x114 / 4] = cbz(9, 0x20);
    page[0x118 / 4] = cbnz(2, -6);
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert(blk.ninsns == 3 && blk.pc2 == 0, "two side exits already: no trace (%u)", blk.ninsns);
    ir_block_free(&blk);
}

/* A plain B back (SHA-256's round loop: its b.ne goes forward to a block of
 * register moves that ends `b round`) makes the same trace, without a side
 * exit of its own:
 *   A  0x100: sub  x2, x2, #1
 *      0x104: cbnz x2, B           to the block's start: the self-loop
 *      0x108: add  x6, x6, #1      the loop's exit
 *   B  0x110: add  x0, x0, #1
 *      0x114: b    A               backward: the trace goes on at A */
Test(jit_trace, a_plain_branch_back_closes_a_loop_too)
{
    for (int i = 0; i < 1024; i++)
        page[i] = NOP;
    page[0x100 / 4] = SUB_X2_X2_1;
    page[0x104 / 4] = cbnz(2, 3);
    page[0x108 / 4] = add_imm(6, 6, 1);
    page[0x10c / 4] = b_imm(0x40);
    page[0x110 / 4] = add_imm(0, 0, 1);
    page[0x114 / 4] = b_imm(-5);
    IRBlock blk, orig;
    uint32_t code[MAX_BLOCK_INSNS];
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert_eq(blk.ninsns, 4, "B's two instructions, then A's two (%u)", blk.ninsns);
    cr_assert(blk.n1 == 2 && blk.pc2 == PAGE + 0x100);
    int slot[4];
    uint64_t target[4];
    uint32_t unrun[4];
    cr_assert_eq(side_exits(&blk, slot, target, unrun), 0, "B is always taken: no exit for it");
    cr_assert(ir_self_loop(&blk));
    cr_assert_eq(ir_insns_from(&blk, PAGE + 0x100), 2);

    compile_chained_to_itself(&orig, &blk);
    static const struct {
        uint64_t x2;
        int32_t budget;
        int bx;
        uint64_t pc, x0, x2_after;
        int32_t budget_after;
    } cases[] = {
        {5, 1000, BX_SLOT1, PAGE + 0x108, 15, 0, 1000 - 16}, /* five passes, four of them chained */
        {1, 1000, BX_SLOT1, PAGE + 0x108, 11, 0, 1000},      /* one */
        {100, 9, BX_EXIT, PAGE + 0x110, 13, 97, 1},          /* the budget: the fourth pass is refused */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
        loop_case(&orig, &blk, k, cases[k].x2, cases[k].budget, cases[k].pc, cases[k].x0, cases[k].x2_after,
                  cases[k].budget_after);
    cr_assert(jit_chain_patch(&blk, 0, NULL));
    ir_block_free(&blk);
    ir_block_free(&orig);

    /* A B back whose target does not come back: the block ends at it. */
    page[0x104 / 4] = cbnz(2, 0x20);
    translate_at(&blk, PAGE + 0x110, code, true);
    cr_assert(blk.ninsns == 2 && blk.pc2 == 0, "no loop, no trace (%u)", blk.ninsns);
    cr_assert(blk.ops[blk.nops - 1].opc == IR_GOTO && blk.ops[blk.nops - 1].imm == PAGE + 0x100);
    ir_block_free(&blk);
}
