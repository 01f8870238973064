/* Side exits (docs/jit-loops.md, "Side exits"): a block goes on past a forward
 * conditional branch, which becomes a BRCOND through chain slot 2 or 3 that
 * gives back the instructions after it when taken (the dispatcher counted
 * the block whole). Guest code translated by translate_block, run on both
 * tiers (run_both compares the whole CPUState, chain budget included), with
 * the exits, targets and budgets stated here; then chained. */
#include "jit_harness.h"

static void side_setup(void)
{
    decode_init();
    setup();
}

TestSuite(jit_side, .init = side_setup, .fini = teardown);

#define PC0 0x40001000ull

/* A64 encodings used below. */
static uint32_t cbz(int rt, int words) { return 0xb4000000u | ((uint32_t)words & 0x7ffff) << 5 | (uint32_t)rt; }
static uint32_t cbnz(int rt, int words) { return 0xb5000000u | ((uint32_t)words & 0x7ffff) << 5 | (uint32_t)rt; }
static uint32_t add_imm(int rd, int rn, int imm) { return 0x91000000u | (uint32_t)imm << 10 | (uint32_t)rn << 5 | (uint32_t)rd; }
static uint32_t b_cond(int cond, int words) { return 0x54000000u | ((uint32_t)words & 0x7ffff) << 5 | (uint32_t)cond; }
static uint32_t b_imm(int words) { return 0x14000000u | ((uint32_t)words & 0x3ffffff); }
#define SUBS_X4_X4_1 0xf1000484u /* SUBS X4, X4, #1 */
#define COND_NE 1

static void translate(IRBlock *blk, uint64_t pc, const uint32_t *words, uint32_t n)
{
    ir_block_init(blk, pc);
    translate_block(cpu, blk, pc, words, n);
}

/* The side exits of blk in order: slot and instructions given back. */
static int side_exits(const IRBlock *blk, int slot[], uint32_t unrun[])
{
    int n = 0;
    for (uint32_t i = 0; i < blk->nops; i++)
        if (blk->ops[i].opc == IR_BRCOND && ir_branch_slot(&blk->ops[i]) >= 2) {
            slot[n] = ir_branch_slot(&blk->ops[i]);
            unrun[n++] = ir_brcond_unrun(&blk->ops[i]);
        }
    return n;
}

/*  0: cbz   x0, 4        side exit 1 (slot 2), 5 instructions after it
 *  1: add   x1, x1, #1
 *  2: cbnz  x1, 5        side exit 2 (slot 3), 3 after it
 *  3: add   x2, x2, #1
 *  4: add   x3, x3, #1
 *  5: b     +0x100       terminal GOTO (slot 1) */
static void two_exit_words(uint32_t w[6])
{
    w[0] = cbz(0, 4);
    w[1] = add_imm(1, 1, 1);
    w[2] = cbnz(1, 3);
    w[3] = add_imm(2, 2, 1);
    w[4] = add_imm(3, 3, 1);
    w[5] = b_imm(0x40);
}

Test(jit_side, exits_give_back_the_rest)
{
    uint32_t w[6];
    two_exit_words(w);
    IRBlock blk;
    translate(&blk, PC0, w, 6);
    cr_assert_eq(blk.ninsns, 6, "the block goes on past both forward branches (%u)", blk.ninsns);
    int slot[4];
    uint32_t unrun[4];
    cr_assert_eq(side_exits(&blk, slot, unrun), 2);
    cr_assert_eq(slot[0], 2);
    cr_assert_eq(unrun[0], 5);
    cr_assert_eq(slot[1], 3);
    cr_assert_eq(unrun[1], 3);
    cr_assert_null(ir_verify(&blk));

    static const struct {
        uint64_t x0, x1;
        int bx;
        uint64_t pc;
        int32_t given_back;
        uint64_t x1_after, x2_after;
    } cases[] = {
        {0, 7, BX_SLOT2, PC0 + 16, 5, 7, 10},           /* first exit taken: nothing after it ran */
        {1, 5, BX_SLOT3, PC0 + 20, 3, 6, 10},           /* second exit taken */
        {1, (uint64_t)-1, BX_SLOT1, PC0 + 20 + 0x100, 0, 0, 11}, /* both fall through */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        cpu->x[0] = cases[k].x0;
        cpu->x[1] = cases[k].x1;
        cpu->x[2] = 10;
        cpu->x[3] = 20;
        cpu->chain_budget = 1000;
        char what[32];
        snprintf(what, sizeof what, "case %zu", k);
        int bx = run_both(&blk, what); /* which checks that native exits name blk in jit_last */
        cr_assert_eq(bx, cases[k].bx, "%s: exit %d", what, bx);
        cr_assert_eq(cpu->pc, cases[k].pc, "%s: pc %#llx", what, (unsigned long long)cpu->pc);
        cr_assert_eq(cpu->chain_budget, 1000 + cases[k].given_back, "%s: budget %d", what, cpu->chain_budget);
        cr_assert_eq(cpu->x[1], cases[k].x1_after, "%s", what);
        cr_assert_eq(cpu->x[2], cases[k].x2_after, "%s", what);
    }
    ir_block_free(&blk);
}

/* A compare read only by the side exit right after it, before the next
 * flag setter (gzip's `cmp w8, w4; b.cs` in its chain step): the main path
 * makes no NZCV pack, the exit's taken path makes it out of line
 * (FP_XPACK, jit_flags_x86.c). Taken, the exit leaves the compare's NZCV;
 * not taken, the ADDS's. The starting NZCV is neither, so a missing pack
 * shows; against the interpreter with every flag combination of the
 * compare. */
Test(jit_side, exit_only_flag_pack)
{
    const uint32_t w[5] = {
        0xeb01001fu,          /* cmp   x0, x1 */
        b_cond(2, 4),         /* b.cs  +16: side exit (slot 2), 3 after it */
        0xb1000442u,          /* adds  x2, x2, #1 */
        add_imm(3, 3, 1),
        b_imm(0x40),
    };
    IRBlock blk;
    translate(&blk, PC0, w, 5);
    cr_assert_eq(blk.ninsns, 5);
    static const uint64_t ops[][2] = {
        {5, 3}, {3, 5}, {7, 7}, {0, 1}, {1ull << 63, 1}, {0, 1ull << 63}, {~0ull, 0}, {(1ull << 63) - 1, ~0ull},
    };
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        cpu->x[0] = ops[k][0];
        cpu->x[1] = ops[k][1];
        cpu->x[2] = k & 1 ? ~0ull : 41;
        cpu->nzcv = 0x50000000u; /* Z and V: neither setter's */
        cpu->chain_budget = 1000;
        char what[32];
        snprintf(what, sizeof what, "case %zu", k);
        const int bx = run_both(&blk, what);
        const bool taken = ops[k][0] >= ops[k][1];
        cr_assert_eq(bx, taken ? BX_SLOT2 : BX_SLOT1, "%s", what);
        cr_assert_eq(cpu->chain_budget, 1000 + (taken ? 3 : 0), "%s: budget %d", what, cpu->chain_budget);
    }
    ir_block_free(&blk);
}

/* Where a block still ends at a conditional branch: a backward one (a
 * loop's, mostly taken), one to the block's own start (a self-loop), the
 * third forward one (two slots), the last word of a page, and with
 * -jit-side-exits 0. */
Test(jit_side, where_blocks_still_end)
{
    IRBlock blk;
    int slot[4];
    uint32_t unrun[4];

    uint32_t back[] = {add_imm(1, 1, 1), cbz(0, -1), add_imm(2, 2, 1)};
    translate(&blk, PC0, back, 3);
    cr_assert_eq(blk.ninsns, 2, "a backward branch ends the block (%u)", blk.ninsns);
    cr_assert_eq(side_exits(&blk, slot, unrun), 0);
    ir_block_free(&blk);

    uint32_t self[] = {SUBS_X4_X4_1, b_cond(COND_NE, -1), add_imm(2, 2, 1)};
    translate(&blk, PC0, self, 3);
    cr_assert_eq(blk.ninsns, 2, "a branch to the block's start ends it");
    cr_assert(ir_self_loop(&blk), "and keeps it a self-loop");
    ir_block_free(&blk);

    uint32_t three[] = {cbz(0, 8), cbz(1, 8), cbz(2, 8), add_imm(3, 3, 1)};
    translate(&blk, PC0, three, 4);
    cr_assert_eq(blk.ninsns, 3, "the third forward branch ends the block");
    cr_assert_eq(side_exits(&blk, slot, unrun), 2);
    cr_assert_eq(unrun[0], 2);
    cr_assert_eq(unrun[1], 1);
    ir_block_free(&blk);

    uint32_t last[] = {add_imm(1, 1, 1), cbz(0, 8)};
    translate(&blk, PC0 + 0xff8, last, 2);
    cr_assert_eq(blk.ninsns, 2);
    cr_assert_eq(side_exits(&blk, slot, unrun), 0, "the page's last word is a terminal");
    ir_block_free(&blk);

    uint32_t w[6];
    two_exit_words(w);
    tm->m.opt.side_exits = 0;
    translate(&blk, PC0, w, 6);
    tm->m.opt.side_exits = IR_SIDE_EXITS;
    cr_assert_eq(blk.ninsns, 1, "-jit-side-exits 0: every conditional branch ends its block");
    cr_assert_eq(side_exits(&blk, slot, unrun), 0);
    ir_block_free(&blk);
}

/* A side exit chains like any direct branch: patched to the target's
 * chained entry, whose budget check sees what the exit gave back; unpatched
 * again, it returns to the dispatcher through its stub. */
Test(jit_side, exits_chain)
{
    uint32_t w[6];
    two_exit_words(w);
    IRBlock a, t;
    translate(&a, PC0, w, 6);
    uint32_t tw[] = {add_imm(5, 5, 1), b_imm(0x100)};
    translate(&t, PC0 + 16, tw, 2);
    cr_assert(jit_compile(cpu, &a, cpu_tb_flags(cpu)));
    cr_assert(jit_compile(cpu, &t, cpu_tb_flags(cpu)));
    cr_assert_neq(a.chain_site[2], 0, "the first side exit has a patch site");
    cr_assert_eq(a.chain_pc[2], PC0 + 16);
    cr_assert(jit_chain_patch(&a, 2, &t));
    cpu->x[0] = 0;
    cpu->x[5] = 0;
    cpu->chain_budget = 1000;
    cr_assert_eq(jit_run(cpu, &a), BX_SLOT1, "a's first exit, then t, which leaves by its GOTO");
    cr_assert_eq(cpu->jit_last, (const void *)&t);
    cr_assert_eq(cpu->x[5], 1);
    cr_assert_eq(cpu->chain_budget, 1000 + 5 - 2, "a gave back 5, t's chained entry took 2");

    cpu->chain_budget = -4; /* a ran its first instruction on a budget already spent */
    cr_assert_eq(jit_run(cpu, &a), BX_EXIT, "t refuses to start: the budget is still spent");
    cr_assert_eq(cpu->pc, PC0 + 16);
    cr_assert_eq(cpu->chain_budget, 1, "what a gave back, and t took nothing");

    cr_assert(jit_chain_patch(&a, 2, NULL));
    cpu->chain_budget = 1000;
    cr_assert_eq(jit_run(cpu, &a), BX_SLOT2);
    cr_assert_eq(cpu->jit_last, (const void *)&a);
    cr_assert_eq(cpu->pc, PC0 + 16);
    cr_assert_eq(cpu->chain_budget, 1005);
    ir_block_free(&a);
    ir_block_free(&t);
}
