/* Unit tests for the JIT's inline memory paths that need the exclusive
 * monitor or several accesses (cpu/jit_mem_x86.c), each against the
 * interpreter with the harness of jit_harness.h: LSE atomics and CAS on the
 * inline TLB path, ABA safety of reservations next to inline atomics and
 * plain stores, runs of consecutive accesses (LDP/STP), and the 16-byte
 * LOAD_V/STORE_V of LDR/STR Q. */
#include "jit_harness.h"

#include "cpu/fpu.h"
#include "cpu/host_cpu.h"

TestSuite(jit, .init = setup, .fini = teardown);

/* ---- LSE atomics and CAS on the inline TLB path ---- */

static uint64_t zext_size(uint64_t v, int size) { return size == 8 ? v : v & ((1ull << (8 * size)) - 1); }

/* kind 0..8: ATOMIC_RMW with aux = kind; 9: CAS whose expected value matches
 * the low size bytes of memory; 10: CAS with any expected value. */
#define ATOMIC_KINDS (IR_RMW_SWP + 3)

/* One atomic at va (b: operand or expected value, cv: CAS's new value);
 * the old value in x0, then EXIT. */
static void atomic_block(IRBlock *blk, int kind, int size, uint16_t flags, uint64_t va, uint64_t b, uint64_t cv)
{
    ir_block_init(blk, 0x40001000);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
    bool cas = kind > IR_RMW_SWP;
    IRTemp ta = input(blk, 0, va), tb = input(blk, 1, b), tc = cas ? input(blk, 2, cv) : IR_NO_TEMP;
    IRTemp r = ir_emit(blk, cas ? IR_CAS : IR_ATOMIC_RMW, size, flags, ta, tb, tc, cas ? 0 : (uint32_t)kind, 0);
    ir_set_reg(blk, 0, r);
    ir_exit(blk, 0x40002000);
}

/* Every RMW op and CAS (expected value matching or not), every size, each
 * ordering, at aligned addresses in RAM (sometimes on an armed granule),
 * cold then warm TLB, every regime: both tiers agree, the old value is
 * zero-extended, and nothing runs as a fallback. */
Test(jit, inline_atomics)
{
    for (int kind = 0; kind < ATOMIC_KINDS; kind++)
        for (int size = 1; size <= 8; size *= 2)
            for (int it = 0; it < 200; it++) {
                uint64_t va = SCR_PA + ((rnd() % (SCR_LEN - 64)) & ~(uint64_t)(size - 1));
                uint8_t *host = test_ram(tm, va, 8);
                uint64_t mem = operand(), b = operand(), cv = operand();
                if (kind == IR_RMW_SWP + 1) /* the bytes above size differ: CAS compares at size */
                    mem = zext_size(b, size) | (operand() & ~zext_size(~0ull, size));
                memcpy(host, &mem, 8);
                uint16_t flags = (rnd() & 1 ? IRF_ACQ : 0) | (rnd() & 1 ? IRF_REL : 0);
                random_regime();
                if (rnd() % 4 == 0)
                    monitor_reserve(tm->m.monitor, host);
                for (int warm = 0; warm < 2; warm++) {
                    memcpy(host, &mem, 8);
                    IRBlock blk;
                    atomic_block(&blk, kind, size, flags, va, b, cv);
                    char what[64];
                    snprintf(what, sizeof(what), "atomic kind %d size %d", kind, size);
                    run_both(&blk, what);
                    ir_block_free(&blk);
                    cr_assert_eq(cpu->x[0], zext_size(mem, size), "%s: old value", what);
                    if (kind == IR_RMW_SWP + 1)
                        cr_assert_eq(zext_size(*(uint64_t *)(void *)host, size), zext_size(cv, size),
                                     "%s: matching CAS stored", what);
                    for (int k = 0; k < IR_NUM_OPS; k++)
                        cr_assert_eq(ran_fallback[k], 0, "%s: %s ran as a fallback", what, ir_op_info[k].name);
                }
            }
}

/* Which path an atomic took. The block is compiled for EL1 and run at EL0;
 * the page's EL1 entry points at host[0], its EL0 entry at host[1]. The
 * inline code uses the compiled regime's row, the stub (the interpreter's
 * atomic_rmw/atomic_cas) the current one. arm 1: the granule of host[0] is
 * reserved (so its page is armed, for good: one vCPU, fewer pages than a
 * sweep needs), 2: another granule of its page is, on pages of their own
 * for each; ro: the EL1 entry is read-only. 0: inline, 1: stub. */
static int atomic_path(int kind, int size, uint64_t off, int arm, bool ro)
{
    static _Alignas(4096) uint8_t pages[3][2][4096];
    uint8_t (*host)[4096] = pages[arm];
    const uint64_t va = SCR_PA + off, page = va & TLB_PAGE_MASK;
    const unsigned slot = (unsigned)(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
    uint32_t old = cpu->pstate;
    cpu->pstate = (old & ~(3u << PSTATE_EL_SHIFT) & ~PSTATE_PAN) | 1u << PSTATE_EL_SHIFT;
    cpu_sync_sp(cpu, old);
    IRBlock blk;
    atomic_block(&blk, kind, size, 0, va, operand(), operand());
    cr_assert(jit_compile(cpu, &blk, cpu_tb_flags(cpu)));
    memset(host[0], 0x11, sizeof(host[0]));
    memset(host[1], 0x22, sizeof(host[1]));
    static const int rows[2] = {MMU_IDX_EL1, MMU_IDX_EL0};
    for (int i = 0; i < 2; i++) {
        TLBTable *t = &cpu->tlb[rows[i]];
        t->tag_read[slot] = t->tag_write[slot] = page;
        t->tag_exec[slot] = TLB_INVALID_TAG;
        t->addend[slot] = (uint64_t)(uintptr_t)host[i] - page;
    }
    if (ro)
        cpu->tlb[MMU_IDX_EL1].tag_write[slot] = TLB_INVALID_TAG;
    uint8_t *h = &host[0][off & 0xfff];
    if (arm)
        monitor_reserve(tm->m.monitor, arm == 1 ? h : &host[0][(off & 0xfff) ^ 0x40]);
    cr_assert_eq(monitor_armed(tm->m.monitor, h, size), arm == 1, "granule armed as wanted");
    /* What the TLB's fill and tlb_sync_armed give an armed page's entries
     * (these were written by hand). */
    for (int i = 0; i < 2; i++)
        if (cpu->tlb[rows[i]].tag_write[slot] != TLB_INVALID_TAG && monitor_page_armed(tm->m.monitor, host[i]))
            cpu->tlb[rows[i]].tag_write[slot] |= TLB_TAG_ARMED;
    old = cpu->pstate;
    cpu->pstate &= ~(3u << PSTATE_EL_SHIFT);
    cpu_sync_sp(cpu, old);
    cr_assert_eq(interp_run(cpu, &blk), BX_EXIT);
    ir_block_free(&blk);
    cr_assert(cpu->x[0] == zext_size(0x1111111111111111ull, size) || cpu->x[0] == zext_size(0x2222222222222222ull, size));
    tlb_flush(cpu);
    return cpu->x[0] == zext_size(0x2222222222222222ull, size);
}

/* The hit path really is inline, and an armed granule or a page without
 * write permission really leaves it (misaligned addresses: inline_atomics
 * and every_op_random_operands, where the stub raises the fault). An
 * armed page whose granule is not armed stays inline, counted as a store
 * to an armed page (towards the idle-page sweep): until 2026-12-07 it went
 * to C, and nothing counted it, so such a page stayed armed. */
Test(jit, atomics_inline_path)
{
    for (int kind = 0; kind < ATOMIC_KINDS; kind++)
        for (int size = 1; size <= 8; size *= 2) {
            cr_assert_eq(atomic_path(kind, size, 0x240 + (uint64_t)size, 0, false), 0,
                         "kind %d size %d: not inline", kind, size);
            cr_assert_eq(atomic_path(kind, size, 0x480 + (uint64_t)size, 1, false), 1,
                         "kind %d size %d: armed granule inline", kind, size);
            const uint64_t armed0 = cpu->stats.jit.mem_armed;
            cr_assert_eq(atomic_path(kind, size, 0x480 + (uint64_t)size, 2, false), 0,
                         "kind %d size %d: armed page, unarmed granule, not inline", kind, size);
            cr_assert_eq(cpu->stats.jit.mem_armed - armed0, 1, "kind %d size %d: not counted", kind, size);
            cr_assert_eq(atomic_path(kind, size, 0x240 + (uint64_t)size, 0, true), 1,
                         "kind %d size %d: read-only page inline", kind, size);
        }
}

/* ABA safety: an atomic by this core into a reserved granule moves its
 * version, so the STXR fails; into another granule it does not. Both tiers,
 * with the atomic inline (LDXR arms the granule at run time). */
Test(jit, atomics_on_a_reserved_granule)
{
    for (int it = 0; it < 2000; it++) {
        int kind = (int)(rnd() % ATOMIC_KINDS), size = 1 << (rnd() % 4);
        bool same = rnd() & 1;
        uint64_t g = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~63ull);
        uint64_t va = g + (same ? 0 : 64) + ((rnd() % 64) & ~(uint64_t)(size - 1));
        random_regime();
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp tg = input(&blk, 0, g);
        ir_set_reg(&blk, 2, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, tg, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        bool cas = kind > IR_RMW_SWP;
        IRTemp ta = ir_const(&blk, va), tb = input(&blk, 1, operand());
        IRTemp r = ir_emit(&blk, cas ? IR_CAS : IR_ATOMIC_RMW, size, 0, ta, tb, cas ? tb : IR_NO_TEMP,
                           cas ? 0 : (uint32_t)kind, 0);
        ir_set_reg(&blk, 0, r);
        ir_set_reg(&blk, 1, ir_emit(&blk, IR_STORE_EXCL, 8, 0, tg, tb, IR_NO_TEMP, 0, 0));
        ir_exit(&blk, 0x40002000);
        cpu->x[1] = 7;
        run_both(&blk, "atomic on a reserved granule");
        ir_block_free(&blk);
        cr_assert_eq(cpu->x[1], same ? 1 : 0, "STXR status after an atomic %s the reserved granule",
                     same ? "into" : "next to");
        cr_assert_eq(ran_fallback[IR_ATOMIC_RMW] + ran_fallback[IR_CAS], 0);
    }
}

/* A plain store that crosses into a reserved granule breaks the reservation
 * (the inline path checks both granules with one 16-bit compare of two
 * armed[] slots), one that stays in the granule before does not; also where
 * the next granule's slot wraps around to slot 0 (such a store crosses a
 * host page too, so it takes the slow path). */
Test(jit, store_across_granules_breaks_reservation)
{
    const Monitor *mon = tm->m.monitor;
    uint64_t wrap = 0; /* a granule whose slot is the last one */
    for (uint64_t g = RAM_BASE + (1u << 20); g + 128 < RAM_BASE + TEST_RAM_SIZE; g += 64)
        if ((((uintptr_t)test_ram(tm, g, 1) >> MON_GRANULE_SHIFT) & mon->mask) == mon->mask) {
            wrap = g;
            break;
        }
    cr_assert(wrap, "no granule maps to the last monitor slot");
    const uint64_t bases[2] = {SCR_PA + 0x1000, wrap};
    for (int bi = 0; bi < 2; bi++)
        for (int size = 2; size <= 8; size *= 2)
            for (int into = 1; into >= 0; into--) {
                const uint64_t g = bases[bi], next = g + 64;
                /* into: the store's last byte is in `next`; else it ends just before. */
                const uint64_t va = next - (uint64_t)size + (into ? 1 : 0);
                IRBlock blk;
                ir_block_init(&blk, 0x40001000);
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
                IRTemp tn = input(&blk, 0, next);
                ir_set_reg(&blk, 2, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, tn, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
                /* run_both restores only the scratch area: outside it, store
                 * zeros over zeros so that both tiers start alike. */
                if (bi)
                    memset(test_ram(tm, g, 128), 0, 128);
                IRTemp tb = input(&blk, 1, bi ? 0 : operand());
                ir_emit(&blk, IR_STORE, size, 0, input(&blk, 2, va), tb, IR_NO_TEMP, 0, 0);
                ir_set_reg(&blk, 1, ir_emit(&blk, IR_STORE_EXCL, 8, 0, tn, tb, IR_NO_TEMP, 0, 0));
                ir_exit(&blk, 0x40002000);
                cpu->x[1] = 7;
                run_both(&blk, "store next to a reserved granule");
                ir_block_free(&blk);
                cr_assert_eq(cpu->x[1], into ? 1 : 0, "%s: STXR status after a %d-byte store %s the reserved granule",
                             bi ? "slot wrap" : "scratch", size, into ? "into" : "just before");
            }
}

/* Armed pages: after an LDXR, the page's write tag carries TLB_TAG_ARMED.
 * A store elsewhere in the page checks the armed slots out of line and goes
 * back to the inline store (mem_armed, no fallback, no C call), and the STXR
 * still succeeds; a store into the reserved granule takes the locked path
 * and fails it; a store to another page stays inline. Single stores and a
 * two-store run (STP) alike. */
Test(jit, stores_to_an_armed_page)
{
    const uint64_t g = SCR_PA + 0x2000; /* a page of its own in the scratch area */
    static const struct {
        uint64_t va;
        int n;           /* stores of 8 bytes (2: a run) */
        uint64_t status; /* STXR's */
        uint64_t armed;  /* stores that took the armed-page path back inline */
    } cases[] = {
        {g + 0x100, 1, 0, 1},
        {g + 0x100, 2, 0, 1},
        {g, 1, 1, 0},
        {g + 0x30, 2, 1, 0},      /* a run whose second store is in the granule... */
        {g + 0x38, 2, 1, 0},      /* ...and whose first is (the second, in the next granule, then runs on
                                   * the interpreter too: its leader left no host address) */
        {g - 0x1000, 1, 0, 0},    /* another page */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp tg = input(&blk, 0, g);
        ir_set_reg(&blk, 2, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, tg, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        IRTemp va = input(&blk, 3, cases[k].va), v = input(&blk, 1, operand());
        ir_emit(&blk, IR_STORE, 8, 0, va, v, IR_NO_TEMP, 0, 0);
        if (cases[k].n == 2)
            ir_emit(&blk, IR_STORE, 8, 0, ir_emit(&blk, IR_ADD, 8, 0, va, ir_const(&blk, 8), IR_NO_TEMP, 0, 0), v,
                    IR_NO_TEMP, 0, 0);
        ir_set_reg(&blk, 4, ir_emit(&blk, IR_STORE_EXCL, 8, 0, tg, v, IR_NO_TEMP, 0, 0));
        ir_exit(&blk, 0x40002000);
        cpu->x[4] = 7;
        run_both(&blk, "store to an armed page");
        ir_block_free(&blk);
        cr_assert(monitor_page_armed(tm->m.monitor, test_ram(tm, g, 1)), "case %zu: page armed", k);
        cr_assert_eq(cpu->x[4], cases[k].status, "case %zu: STXR status", k);
        cr_assert_eq(ran_mem_armed, cases[k].armed, "case %zu: %" PRIu64 " armed-page stores", k, ran_mem_armed);
        cr_assert_eq(ran_fallback[IR_STORE], 0, "case %zu: a store ran as a fallback", k);
    }
}

/* Runs of plain loads or stores to consecutive addresses (LDP/STP, LDR/STR
 * Q): the leader checks the TLB once for the whole run and the others use
 * its host address. A run that crosses a page, runs into the hole after
 * RAM (a follower faults), or touches an armed granule must still do
 * exactly what the interpreter does. Addresses are chained as the
 * translator makes them (base + k * size, or previous + size), with
 * register moves and instruction starts in between. */
static void access_runs(int from, int to)
{
    for (int it = from; it < to; it++) {
        host_allow(HOST_BMI1, it & 1); /* the TLB slot index by BEXTR, or MOV + SHR + AND */
        const bool store = rnd() & 1;
        const int size = (rnd() & 1) ? 8 : 4, n = 2 + (int)(rnd() % 3);
        uint64_t va;
        switch (rnd() % 5) {
        case 0: va = SCR_PA + 0x1000 - (rnd() % (uint64_t)(size * n)); break;          /* may cross a page */
        case 1: va = RAM_BASE + TEST_RAM_SIZE - (uint64_t)size * (1 + rnd() % (unsigned)n); break; /* into the hole */
        default: va = SCR_PA + ((rnd() % (SCR_LEN - 64)) & ~(uint64_t)(size - 1)); break;
        }
        if (store && va >= RAM_BASE + TEST_RAM_SIZE - 64)
            va -= 0x100000; /* stores stay where both tiers start alike (run_both restores only scratch) */
        random_regime();
        if (store && rnd() % 4 == 0 && va >= SCR_PA && va + 64 < SCR_PA + SCR_LEN)
            monitor_reserve(tm->m.monitor, test_ram(tm, va + (uint64_t)(size * (n - 1)), 1));
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp base = input(&blk, 0, va), prev = base;
        for (int k = 0; k < n; k++) {
            if (k && rnd() % 3 == 0)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (uint64_t)k);
            IRTemp a = base;
            if (k)
                a = (rnd() & 1) ? ir_emit(&blk, IR_ADD, 8, 0, base, ir_const(&blk, (uint64_t)(k * size)), IR_NO_TEMP, 0, 0)
                                : ir_emit(&blk, IR_ADD, 8, 0, prev, ir_const(&blk, (uint64_t)size), IR_NO_TEMP, 0, 0);
            prev = a;
            if (store) {
                ir_emit(&blk, IR_STORE, size, 0, a, input(&blk, 1 + (k & 1), operand()), IR_NO_TEMP, 0, 0);
            } else {
                ir_set_reg(&blk, k, ir_emit(&blk, IR_LOAD, size, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
            }
            if (rnd() % 3 == 0)
                ir_set_reg(&blk, 20 + k, ir_emit(&blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 13));
        }
        ir_exit(&blk, 0x40002000);
        char what[64];
        snprintf(what, sizeof(what), "%s run of %d x %d at %#llx", store ? "store" : "load", n, size,
                 (unsigned long long)va);
        run_both(&blk, what);
        ir_block_free(&blk);
    }
    host_allow(HOST_BMI1, true);
}

Test(jit, access_runs_match_the_interpreter) { access_runs(0, 4000); }

/* A block translated unoptimized is compiled from an optimized copy that
 * the compile frees: the slow paths (page crossings, the hole after RAM,
 * armed granules) hand the interpreter copies of their ops that the code
 * carries, never the copy's ops nor the block's own (poisoned here). */
Test(jit, slow_paths_of_a_block_compiled_from_a_copy_carry_their_ops)
{
    uint64_t slow = 0;
    harness_from_copy = true;
    for (int it = 0; it < 1000; it++) {
        access_runs(it, it + 1);
        slow += ran_mem_slow;
    }
    /* RAISE, the one op the JIT leaves to the interpreter (a fallback). */
    for (int i = 0; i < 50; i++) {
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (rnd() % 64));
        ir_set_reg(&blk, 3, input(&blk, 1, operand()));
        ir_emit(&blk, IR_RAISE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, (uint32_t)(rnd() % EXC_ILLEGAL_STATE),
                rnd() & 0xffff);
        run_both(&blk, "raise");
        cr_expect_eq(ran_fallback[IR_RAISE], 1, "RAISE ran %llu times as a fallback",
                     (unsigned long long)ran_fallback[IR_RAISE]);
        ir_block_free(&blk);
        cpu_reset(cpu, RAM_BASE);
    }
    harness_from_copy = false;
    cr_expect_gt(slow, 0, "no slow path ran");
}

/* Runs with gaps, mixed 4- and 8-byte accesses and followers in any order
 * above the leader (fields of one struct), and accesses below it or past
 * the 32-byte window that end or stay out of the run: near a page's end,
 * before the hole after RAM and on armed granules, exactly as the
 * interpreter. */
Test(jit, gapped_runs_match_the_interpreter)
{
    for (int it = 0; it < 4000; it++) {
        const bool store = rnd() & 1;
        const int n = 2 + (int)(rnd() % 3);
        int off[4], size[4];
        for (int k = 0; k < n; k++) {
            size[k] = (rnd() & 1) ? 8 : 4;
            off[k] = k == 0 ? 0 : (int)(rnd() % 40) - 4; /* some below the leader, some past the window */
        }
        uint64_t va;
        switch (rnd() % 5) {
        case 0: va = SCR_PA + 0x1000 - 1 - (rnd() % 40); break;                 /* the window may cross a page */
        case 1: va = RAM_BASE + TEST_RAM_SIZE - 8 - (rnd() % 40); break;       /* into the hole */
        default: va = SCR_PA + 8 + (rnd() % (SCR_LEN - 96)); break;
        }
        if (store && va >= RAM_BASE + TEST_RAM_SIZE - 128)
            va -= 0x100000; /* stores stay where both tiers start alike (run_both restores only scratch) */
        random_regime();
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        /* A second base (another page, or a few bytes off) for some accesses:
         * never in the first base's run. */
        const uint64_t va2 = va + ((rnd() & 1) ? 0x2000 : 8 + rnd() % 16);
        IRTemp base = input(&blk, 0, va), base2 = input(&blk, 5, va2), excl = IR_NO_TEMP;
        if (store && rnd() % 2 == 0 && va >= SCR_PA + 8 && va + 64 < SCR_PA + SCR_LEN) {
            /* A reservation on the granule of one access's last byte (the
             * far ones too): a store of the run that misses the monitor
             * leaves the STXR after the run succeeding. */
            const int k = (int)(rnd() % (unsigned)n);
            excl = input(&blk, 3, (va + (uint64_t)(int64_t)(off[k] + size[k] - 1)) & ~7ull);
            ir_set_reg(&blk, 5, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, excl, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        }
        for (int k = 0; k < n; k++) {
            if (k && rnd() % 3 == 0)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (uint64_t)k);
            IRTemp b = k && rnd() % 4 == 0 ? base2 : base;
            IRTemp a = off[k] ? ir_emit(&blk, IR_ADD, 8, 0, b, ir_const(&blk, (uint64_t)(int64_t)off[k]), IR_NO_TEMP, 0, 0)
                              : b;
            if (store)
                ir_emit(&blk, IR_STORE, size[k], 0, a, input(&blk, 1 + (k & 1), operand()), IR_NO_TEMP, 0, 0);
            else
                ir_set_reg(&blk, k, ir_emit(&blk, IR_LOAD, size[k], 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        }
        if (excl != IR_NO_TEMP)
            ir_set_reg(&blk, 6, ir_emit(&blk, IR_STORE_EXCL, 8, 0, excl, input(&blk, 4, 0x5a5a), IR_NO_TEMP, 0, 0));
        ir_exit(&blk, 0x40002000);
        char what[96];
        snprintf(what, sizeof(what), "%s run at %#llx: %d@%d %d@%d %d@%d %d@%d", store ? "store" : "load",
                 (unsigned long long)va, size[0], off[0], size[1], off[1], n > 2 ? size[2] : 0, n > 2 ? off[2] : 0,
                 n > 3 ? size[3] : 0, n > 3 ? off[3] : 0);
        run_both(&blk, what);
        ir_block_free(&blk);
    }
}

/* Runs as jit_plan_mem_runs makes them since 2026-12-06: up to 8 accesses
 * of 1, 2, 4 or 8 bytes within 64 bytes, with integer ALU ops, a compare,
 * its CSEL and a side exit between them (the ops a run lets through: none
 * may touch rdi), and without LAHF, where a flag setter ends the run.
 * Offsets reach past the window, near a page's end, into the hole after
 * RAM and onto armed granules: both tiers alike. */
Test(jit, wide_runs_with_ops_between_match_the_interpreter)
{
    for (int it = 0; it < 4000; it++) {
        host_allow(HOST_LAHF, it % 4 != 0);
        const bool store = rnd() & 1;
        const int n = 2 + (int)(rnd() % 7);
        int off[8], size[8];
        for (int k = 0; k < n; k++) {
            size[k] = 1 << (rnd() % 4);
            off[k] = k == 0 ? 0 : (int)(rnd() % 80) - 8;
        }
        uint64_t va;
        switch (rnd() % 5) {
        case 0: va = SCR_PA + 0x1000 - 1 - (rnd() % 72); break;                 /* the window may cross a page */
        case 1: va = RAM_BASE + TEST_RAM_SIZE - 8 - (rnd() % 72); break;       /* into the hole */
        default: va = SCR_PA + 8 + (rnd() % (SCR_LEN - 160)); break;
        }
        if (store && va >= RAM_BASE + TEST_RAM_SIZE - 160)
            va -= 0x100000; /* stores stay where both tiers start alike (run_both restores only scratch) */
        random_regime();
        if (store && rnd() % 3 == 0 && va >= SCR_PA + 8 && va + 96 < SCR_PA + SCR_LEN) {
            const int k = (int)(rnd() % (unsigned)n);
            monitor_reserve(tm->m.monitor, test_ram(tm, va + (uint64_t)(int64_t)(off[k] + size[k] - 1), 1));
        }
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp base = input(&blk, 0, va), x = input(&blk, 1, operand()), y = input(&blk, 2, operand());
        for (int k = 0; k < n; k++) {
            if (k) {
                /* what a run lets through, as the translator leaves it */
                switch (rnd() % 6) {
                case 0: x = ir_emit(&blk, IR_ROR, 4, 0, x, ir_const(&blk, 1 + rnd() % 31), IR_NO_TEMP, 0, 0); break;
                case 1: x = ir_emit(&blk, rnd() & 1 ? IR_XOR : IR_MUL, 8, 0, x, y, IR_NO_TEMP, 0, 0); break;
                case 2: {
                    ir_emit(&blk, IR_SUB_FLAGS, rnd() & 1 ? 8 : 4, 0, x, y, IR_NO_TEMP, 0, 0);
                    IRTemp cc = ir_emit(&blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 14);
                    y = ir_emit(&blk, IR_SELECT, 8, 0, cc, x, y, 0, 0);
                    break;
                }
                case 3: {
                    ir_emit(&blk, IR_SUB_FLAGS, 8, 0, x, ir_const(&blk, operand()), IR_NO_TEMP, 0, 0);
                    IRTemp cc = ir_emit(&blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 14);
                    ir_emit(&blk, IR_BRCOND, 8, 0, cc, IR_NO_TEMP, IR_NO_TEMP, IR_BRCOND_AUX(2, 0), 0x40003000);
                    break;
                }
                case 4:
                    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000 + 4 * (uint64_t)k);
                    break;
                default: break;
                }
            }
            IRTemp a = off[k] ? ir_emit(&blk, IR_ADD, 8, 0, base, ir_const(&blk, (uint64_t)(int64_t)off[k]), IR_NO_TEMP, 0, 0)
                              : base;
            if (store)
                ir_emit(&blk, IR_STORE, size[k], 0, a, rnd() & 1 ? x : y, IR_NO_TEMP, 0, 0);
            else
                ir_set_reg(&blk, 3 + k, ir_emit(&blk, IR_LOAD, size[k], 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        }
        ir_set_reg(&blk, 20, x);
        ir_set_reg(&blk, 21, y);
        ir_exit(&blk, 0x40002000);
        char what[160];
        int w = snprintf(what, sizeof(what), "%s run at %#llx:", store ? "store" : "load", (unsigned long long)va);
        for (int k = 0; k < n && w < (int)sizeof(what) - 12; k++)
            w += snprintf(what + w, sizeof(what) - (size_t)w, " %d@%d", size[k], off[k]);
        run_both(&blk, what);
        ir_block_free(&blk);
    }
    host_allow(HOST_LAHF, true);
}

/* RSI and RDI are temp registers only for temps whose range is pure
 * inline ALU code (alloc_regs), and RDI not inside a run, whose followers
 * find their host address there: two short temps live at once between a
 * leader and its follower take RSI and would take RDI. */
Test(jit, runs_keep_rdi_for_their_followers)
{
    for (int it = 0; it < 200; it++) {
        const bool store = it & 1;
        const uint64_t va = SCR_PA + 8 + ((rnd() % (SCR_LEN - 160)) & ~7ull);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp base = input(&blk, 0, va), x = input(&blk, 1, operand()), y = input(&blk, 2, operand());
        if (store)
            ir_emit(&blk, IR_STORE, 8, 0, base, x, IR_NO_TEMP, 0, 0);
        else
            ir_set_reg(&blk, 3, ir_emit(&blk, IR_LOAD, 8, 0, base, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        IRTemp t1 = ir_emit(&blk, IR_ADD, 8, 0, x, ir_const(&blk, operand() & 0xffff), IR_NO_TEMP, 0, 0);
        IRTemp t2 = ir_emit(&blk, IR_ADD, 8, 0, y, ir_const(&blk, operand() & 0xffff), IR_NO_TEMP, 0, 0);
        IRTemp t3 = ir_emit(&blk, IR_XOR, 8, 0, t1, t2, IR_NO_TEMP, 0, 0);
        IRTemp a = ir_emit(&blk, IR_ADD, 8, 0, base, ir_const(&blk, 8), IR_NO_TEMP, 0, 0);
        if (store)
            ir_emit(&blk, IR_STORE, 8, 0, a, y, IR_NO_TEMP, 0, 0);
        else
            ir_set_reg(&blk, 4, ir_emit(&blk, IR_LOAD, 8, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        ir_set_reg(&blk, 20, t3);
        ir_exit(&blk, 0x40002000);
        run_both(&blk, store ? "store run around two short temps" : "load run around two short temps");
        ir_block_free(&blk);
    }
}

/* ---- Q registers: LOAD_V / STORE_V ---- */

static uint64_t qmmio_rd(void *opaque, uint64_t off, int size)
{
    (void)opaque, (void)size;
    return off * 0x0101010101010101ull ^ 0xa5;
}
static void qmmio_wr(void *opaque, uint64_t off, uint64_t v, int size) { (void)opaque, (void)off, (void)v, (void)size; }
static const MMIOOps qmmio_ops = {.read = qmmio_rd, .write = qmmio_wr};

/* What one Q test block does around its access (the same for the LOAD_V
 * form and the legacy form of two 8-byte LOADs/STOREs and SET/GET_VREGs). */
typedef struct QCase {
    bool store, pre_get, pre_set, fp_after, align, pair; /* pair: a second access at va + 16 (a run) */
    int r, r2;
    uint64_t va, k0, k1;
} QCase;

/* One Q access of register r at a: LOAD_V/STORE_V, or (legacy) the two
 * 8-byte accesses and V-register halves that LDR/STR Q were before. */
static void q_access(IRBlock *blk, IRTemp a, int r, bool store, uint16_t fl, bool legacy)
{
    if (!legacy) {
        ir_emit(blk, store ? IR_STORE_V : IR_LOAD_V, 16, fl, a, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
        return;
    }
    IRTemp a8 = ir_emit(blk, IR_ADD, 8, 0, a, ir_const(blk, 8), IR_NO_TEMP, 0, 0);
    if (store) {
        for (int h = 0; h < 2; h++)
            ir_emit(blk, IR_STORE, 8, fl, h ? a8 : a,
                    ir_emit(blk, IR_GET_VREG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)r + h),
                    IR_NO_TEMP, 0, 0);
        return;
    }
    IRTemp lo = ir_emit(blk, IR_LOAD, 8, fl, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    IRTemp hi = ir_emit(blk, IR_LOAD, 8, fl, a8, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    ir_emit(blk, IR_SET_VREG, 8, 0, lo, IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)r);
    ir_emit(blk, IR_SET_VREG, 8, 0, hi, IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)r + 1);
}

static void q_block(IRBlock *blk, const QCase *q, bool legacy)
{
    ir_block_init(blk, 0x40001000);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
    if (q->pre_get) /* forwarded before the access, must not be after a load */
        ir_set_reg(blk, 2, ir_emit(blk, IR_GET_VREG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)q->r));
    if (q->pre_set) { /* pending writes that the access's fault and STORE_V observe */
        ir_emit(blk, IR_SET_VREG, 8, 0, ir_const(blk, q->k0), IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)q->r);
        ir_emit(blk, IR_SET_VREG, 8, 0, ir_const(blk, q->k1), IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)q->r + 1);
    }
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004);
    IRTemp a0 = ir_const(blk, q->va);
    uint16_t fl = q->align ? IRF_ALIGN : 0;
    if (q->pair && !q->store && (q->k0 & 1)) { /* LDP Q */
        if (!legacy) {
            ir_emit(blk, IR_LOAD_V2, 32, fl, a0, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(q->r | q->r2 << 5));
        } else {
            IRTemp h[4];
            for (int k = 0; k < 4; k++)
                h[k] = ir_emit(blk, IR_LOAD, 8, fl, k ? ir_emit(blk, IR_ADD, 8, 0, a0, ir_const(blk, 8 * (uint64_t)k), IR_NO_TEMP, 0, 0) : a0,
                               IR_NO_TEMP, IR_NO_TEMP, 0, 0);
            for (int k = 3; k >= 0; k--) /* the second register first: the first wins */
                ir_emit(blk, IR_SET_VREG, 8, 0, h[k], IR_NO_TEMP, IR_NO_TEMP, 0,
                        2 * (uint64_t)(k < 2 ? q->r : q->r2) + (k & 1));
        }
    }
    for (int k = 0; k < 1 + q->pair && !(q->pair && !q->store && (q->k0 & 1)); k++) {
        if (k && (q->va & 1))
            ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001008);
        IRTemp a = k ? ir_emit(blk, IR_ADD, 8, 0, a0, ir_const(blk, 16), IR_NO_TEMP, 0, 0) : a0;
        q_access(blk, a, k ? q->r2 : q->r, q->store, fl, legacy);
    }
    if (q->fp_after) { /* FADD .4S/.2D V4, V5, V6 inline: reads the slot just loaded */
        IRTemp z = ir_const(blk, 0);
        uint32_t vi = 0x4e20d400 | (q->r & 1 ? 1u << 22 : 0) | 6 << 16 | 5 << 5 | 4;
        ir_emit(blk, IR_CALL, 8, 0, z, z, z, HELPER_simd_fp, (uint64_t)FPK_V3SAME << 32 | vi);
    }
    for (int h = 0; h < 2; h++)
        ir_set_reg(blk, h, ir_emit(blk, IR_GET_VREG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2 * (uint64_t)q->r + h));
    ir_exit(blk, 0x40002000);
}

/* After run_both: run `old`, the sequence an op replaced, on the interpreter
 * from the same start (snap, ram_snap) and require the X and V registers,
 * exception state and scratch RAM of the run before. Leaves cpu as that run
 * left it. */
static void same_as_legacy(const IRBlock *old, const char *what)
{
    static uint8_t ram_jit[SCR_LEN];
    static CPUState jitst;
    uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
    memcpy(&jitst, cpu, sizeof(jitst));
    memcpy(ram_jit, ram, SCR_LEN);
    memcpy(cpu, snap, sizeof(*cpu));
    memcpy(ram, ram_snap, SCR_LEN);
    cr_assert_null(ir_verify(old));
    interp_run(cpu, old);
    cr_assert(!memcmp(cpu->x, jitst.x, sizeof(cpu->x)), "%s: X differs from the legacy sequence", what);
    cr_assert(!memcmp(cpu->v, jitst.v, sizeof(cpu->v)), "%s: V differs from the legacy sequence", what);
    cr_assert(cpu->pc == jitst.pc && cpu->exc_pending == jitst.exc_pending && cpu->esr_el1 == jitst.esr_el1 &&
                  cpu->far_el1 == jitst.far_el1,
              "%s: exception state differs from the legacy sequence", what);
    cr_assert(!memcmp(ram, ram_jit, SCR_LEN), "%s: RAM differs from the legacy sequence", what);
    memcpy(cpu, &jitst, sizeof(*cpu));
}

/* LOAD_V/STORE_V against the interpreter, and the interpreter's LOAD_V/STORE_V
 * against the legacy two-access sequence they replaced: page-crossing
 * accesses, a second half in the hole after RAM (the load leaves V, the
 * store has written the first half), nothing mapped, MMIO, any alignment
 * with and without IRF_ALIGN, armed granules, every regime; pairs of
 * accesses (runs) and LOAD_V2 (LDP Q: the first register is left when the
 * second one's access faults); the IR
 * optimiser on or off; a vector FADD reading the register just loaded. */
Test(jit, q_access_matches_the_interpreter)
{
    physmap_add_mmio(&tm->m.pm, "qtest", 0x09000000, 0x1000, &qmmio_ops, NULL, NULL);
    for (int it = 0; it < 4000; it++) {
        QCase q = {.store = rnd() & 1, .pre_get = rnd() & 1, .pre_set = rnd() % 3 == 0, .fp_after = rnd() % 3 == 0,
                   .align = rnd() % 4 == 0, .r = rnd() % 3 == 0 ? 5 + (int)(rnd() & 1) : (int)(rnd() % 32),
                   .pair = rnd() % 3 == 0, .r2 = rnd() % 3 == 0 ? 6 : (int)(rnd() % 32),
                   .k0 = operand(), .k1 = operand()};
        switch (rnd() % 7) {
        case 0: q.va = SCR_PA + 0x1000 - 1 - rnd() % 15; break;                          /* crossing a page */
        case 1: q.va = RAM_BASE + TEST_RAM_SIZE - 8 - (rnd() & 1) * 16; break;          /* second half (or none) in the hole */
        case 2: q.va = 0x1000 + (rnd() & 0xff0); break;                                  /* nothing mapped */
        case 3: q.va = 0x09000000 + (rnd() & 0xff8); break;                              /* MMIO */
        case 4: q.va = SCR_PA + rnd() % (SCR_LEN - 16); break;                           /* any alignment */
        default: q.va = SCR_PA + ((rnd() % (SCR_LEN - 16)) & ~15ull); break;
        }
        if (q.pair && q.va >= SCR_PA && q.va + 32 > SCR_PA + SCR_LEN)
            q.va -= 16;
        if (q.store && q.va >= RAM_BASE + TEST_RAM_SIZE - 64)
            q.va -= 0x100000 * (rnd() & 1); /* often in the hole; else where both tiers start alike */
        if (q.store && q.va >= RAM_BASE + TEST_RAM_SIZE - 64 && q.va + 8 < RAM_BASE + TEST_RAM_SIZE)
            q.va = RAM_BASE + TEST_RAM_SIZE - 8; /* run_both restores only scratch: the first half stays unwritten */
        random_regime();
        for (int r = 0; r < 32; r++)
            cpu->v[r][0] = operand(), cpu->v[r][1] = operand();
        if (q.store && rnd() % 4 == 0 && q.va >= SCR_PA && q.va + 16 < SCR_PA + SCR_LEN)
            monitor_reserve(tm->m.monitor, test_ram(tm, q.va + (q.pair && (rnd() & 1) ? 31 : 15), 1));
        const bool opt = rnd() & 1;
        IRBlock blk, old;
        q_block(&blk, &q, false);
        q_block(&old, &q, true);
        if (opt) {
            ir_optimize(&blk);
            ir_optimize(&old);
        }
        char what[96];
        snprintf(what, sizeof(what), "%s q%d at %#llx%s%s", q.store ? "STORE_V" : q.pair && (q.k0 & 1) ? "LOAD_V2" : "LOAD_V", q.r,
                 (unsigned long long)q.va, q.align ? " aligned" : "", opt ? " optimised" : "");
        run_both(&blk, what);
        cr_assert_eq(ran_fallback[IR_LOAD_V] + ran_fallback[IR_STORE_V], 0, "%s: not inline", what);
        same_as_legacy(&old, what);
        const uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
        if (q.store && !q.pair && !cpu->exc_pending && q.va >= SCR_PA && q.va + 16 <= SCR_PA + SCR_LEN)
            cr_assert(!memcmp(ram + (q.va - SCR_PA), q.pre_set ? (uint64_t[]){q.k0, q.k1} : snap->v[q.r], 16),
                      "%s: the stored bytes", what);
        ir_block_free(&blk);
        ir_block_free(&old);
    }
}

/* ---- byte elements as one access: IRF_BYTES ---- */

/* One 8-byte LOAD/STORE of byte elements at va (IRF_BYTES, as LD1-LD4 and
 * ST1-ST4 of .8B/.16B under an alignment check), or (legacy) the eight
 * byte accesses they were before, lowest first. The loaded value goes to
 * X1; a store writes X2's bytes. */
static void bytes_block(IRBlock *blk, uint64_t va, bool store, bool align, bool legacy)
{
    ir_block_init(blk, 0x40001000);
    ir_emit(blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
    IRTemp a = ir_const(blk, va);
    IRTemp v = ir_emit(blk, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 2);
    if (!legacy) {
        if (store)
            ir_emit(blk, IR_STORE, 8, IRF_BYTES, a, v, IR_NO_TEMP, 0, 0);
        else
            ir_set_reg(blk, 1, ir_emit(blk, IR_LOAD, 8, IRF_BYTES, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
    } else {
        IRTemp acc = IR_NO_TEMP;
        for (int i = 0; i < 8; i++) {
            IRTemp ai = i ? ir_emit(blk, IR_ADD, 8, 0, a, ir_const(blk, (uint64_t)i), IR_NO_TEMP, 0, 0) : a;
            IRTemp sh = ir_const(blk, 8 * (uint64_t)i);
            if (store) {
                IRTemp b = i ? ir_emit(blk, IR_SHR, 8, 0, v, sh, IR_NO_TEMP, 0, 0) : v;
                ir_emit(blk, IR_STORE, 1, align ? IRF_ALIGN : 0, ai, b, IR_NO_TEMP, 0, 0);
            } else {
                IRTemp b = ir_emit(blk, IR_LOAD, 1, align ? IRF_ALIGN : 0, ai, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
                if (i)
                    b = ir_emit(blk, IR_SHL, 8, 0, b, sh, IR_NO_TEMP, 0, 0);
                acc = i ? ir_emit(blk, IR_OR, 8, 0, acc, b, IR_NO_TEMP, 0, 0) : b;
            }
        }
        if (!store)
            ir_set_reg(blk, 1, acc);
    }
    ir_exit(blk, 0x40002000);
}

/* IRF_BYTES against the interpreter, and the interpreter's against the
 * eight byte accesses: in one page (inline), crossing a page, the second
 * part in the hole after RAM (a load leaves X1; a store has written the
 * bytes before the hole), nothing mapped, MMIO (byte accesses there), any
 * alignment, armed granules, every regime. */
Test(jit, byte_elements_match_byte_accesses)
{
    physmap_add_mmio(&tm->m.pm, "btest", 0x09000000, 0x1000, &qmmio_ops, NULL, NULL);
    for (int it = 0; it < 3000; it++) {
        const bool store = rnd() & 1, align = rnd() & 1;
        uint64_t va;
        switch (rnd() % 6) {
        case 0: va = SCR_PA + 0x1000 - 1 - rnd() % 7; break;                  /* crossing a page */
        case 1: va = RAM_BASE + TEST_RAM_SIZE - 1 - rnd() % 7; break;         /* the rest in the hole */
        case 2: va = 0x1000 + (rnd() & 0xff8); break;                          /* nothing mapped */
        case 3: va = 0x09000000 + (rnd() & 0xff0) + rnd() % 8; break;         /* MMIO */
        default: va = SCR_PA + rnd() % (SCR_LEN - 8); break;                   /* any alignment */
        }
        if (store && va >= RAM_BASE + TEST_RAM_SIZE - 8)
            va = RAM_BASE + TEST_RAM_SIZE - 1 - rnd() % 7 - 0x100000 * (rnd() & 1);
        random_regime();
        cpu->x[1] = operand();
        cpu->x[2] = operand();
        if (store && rnd() % 4 == 0 && va >= SCR_PA && va + 8 < SCR_PA + SCR_LEN)
            monitor_reserve(tm->m.monitor, test_ram(tm, va + 7, 1));
        IRBlock blk, old;
        bytes_block(&blk, va, store, align, false);
        bytes_block(&old, va, store, align, true);
        char what[96];
        snprintf(what, sizeof(what), "%s of bytes at %#llx", store ? "STORE" : "LOAD", (unsigned long long)va);
        run_both(&blk, what);
        same_as_legacy(&old, what);
        ir_block_free(&blk);
        ir_block_free(&old);
    }
}

/* Read-modify-write pairs (Ctx.rmw): a load, ALU ops, loads and stores of
 * other addresses, then a store to the load's address, the store using the
 * load's lookup. Both tiers alike when the address is ordinary RAM, crosses
 * a page, lies in the hole after RAM (the load faults), is MMIO or nothing
 * mapped (the load's write-tag check fails, so does the store's shortcut),
 * holds a granule reserved before the block, by an LDXR before the pair (the
 * pair's load must see the page armed: the STXR after must fail) or by one
 * between (no pair: the store goes through the monitor); with and without
 * IRF_ALIGN (a misaligned pair's load raises the alignment fault). */
static uint64_t rmwmmio_rd(void *opaque, uint64_t off, int size)
{
    (void)opaque;
    uint64_t v = off * 0x0101010101010101ull ^ 0xa5;
    return size == 8 ? v : v & ((1ull << (8 * size)) - 1); /* as a device: the access's bytes */
}
static const MMIOOps rmwmmio_ops = {.read = rmwmmio_rd, .write = qmmio_wr};

Test(jit, read_modify_write_pairs_match_the_interpreter)
{
    physmap_add_mmio(&tm->m.pm, "rmwtest", 0x09000000, 0x1000, &rmwmmio_ops, NULL, NULL);
    for (int it = 0; it < 4000; it++) {
        const int size = 1 << (rnd() % 4);
        uint64_t va;
        switch (rnd() % 8) {
        case 0: va = SCR_PA + 0x1000 - 1 - rnd() % 7; break;               /* may cross a page */
        case 1: va = RAM_BASE + TEST_RAM_SIZE - (uint64_t)(size - 1) + rnd() % 8; break; /* into the hole (the
                                                  load faults: run_both restores only scratch, so no store lands) */
        case 2: va = 0x09000000 + (rnd() & 0xff8); break;                  /* MMIO */
        case 3: va = 0x1000 + (rnd() & 0xff8); break;                      /* nothing mapped */
        default: va = SCR_PA + 64 + ((rnd() % (SCR_LEN - 256)) & ~(uint64_t)(size - 1)); break;
        }
        random_regime();
        const bool reserve_before = va >= SCR_PA && va < SCR_PA + SCR_LEN && rnd() % 4 == 0;
        if (reserve_before)
            monitor_reserve(tm->m.monitor, test_ram(tm, va & ~7ull, 1));
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp a = input(&blk, 0, va), other = input(&blk, 1, SCR_PA + ((rnd() % (SCR_LEN / 2)) & ~7ull));
        IRTemp excl = IR_NO_TEMP;
        if (va >= SCR_PA && va < SCR_PA + SCR_LEN && rnd() % 3 == 0) {
            /* LDXR first: the pair's store must clear it (the STXR after fails) */
            excl = input(&blk, 2, va & ~7ull);
            ir_set_reg(&blk, 5, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, excl, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
        }
        /* SCTLR_EL1.A or the MMU off: every access of the block must be
         * aligned (the pair's store then needs no check of its own) */
        const uint16_t al = rnd() % 4 == 0 ? IRF_ALIGN : 0;
        IRTemp v = ir_emit(&blk, IR_LOAD, size, (rnd() % 4 == 0 ? IRF_SIGNED : 0) | al, a, IR_NO_TEMP, IR_NO_TEMP, 8, 0);
        ir_set_reg(&blk, 3, v);
        for (int k = (int)(rnd() % 4); k > 0; k--) {
            switch (rnd() % 5) {
            case 0: v = ir_emit(&blk, IR_ADD, 8, 0, v, ir_const(&blk, operand()), IR_NO_TEMP, 0, 0); break;
            case 1: ir_set_reg(&blk, 4, ir_emit(&blk, IR_LOAD, 8, al, other, IR_NO_TEMP, IR_NO_TEMP, 0, 0)); break;
            case 2: ir_emit(&blk, IR_STORE, 4, al, other, v, IR_NO_TEMP, 0, 0); break;
            case 3:
                if (va >= SCR_PA && va < SCR_PA + SCR_LEN && excl == IR_NO_TEMP) {
                    excl = input(&blk, 2, va & ~7ull);
                    ir_set_reg(&blk, 5, ir_emit(&blk, IR_LOAD_EXCL, 8, 0, excl, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
                }
                break;
            default: ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004); break;
            }
        }
        /* The store's address as the translator makes it again (or the same temp). */
        IRTemp sa = rnd() & 1 ? a : ir_emit(&blk, IR_ADD, 8, 0, a, ir_const(&blk, 0), IR_NO_TEMP, 0, 0);
        ir_emit(&blk, IR_STORE, size, al, sa, v, IR_NO_TEMP, 0, 0);
        if (excl != IR_NO_TEMP || reserve_before) {
            IRTemp ea = excl != IR_NO_TEMP ? excl : input(&blk, 2, va & ~7ull);
            ir_set_reg(&blk, 6, ir_emit(&blk, IR_STORE_EXCL, 8, 0, ea, input(&blk, 7, 0x5a5a), IR_NO_TEMP, 0, 0));
        }
        ir_exit(&blk, 0x40002000);
        char what[96];
        snprintf(what, sizeof(what), "rmw of %d bytes at %#llx%s%s%s", size, (unsigned long long)va,
                 excl != IR_NO_TEMP ? ", LDXR before or between" : "", reserve_before ? ", reserved before" : "",
                 al ? ", aligned only" : "");
        run_both(&blk, what);
        ir_block_free(&blk);
    }
}

/* Deferred register writes (docs/jit.md): a SET_REG that a later SET_REG of
 * the same register hides, with loads and stores between, is stored only
 * on those accesses' ways into C. Where one of them faults (the hole after
 * RAM, a misaligned acquire or release, a page crossing into the hole),
 * the exception must see the first value, as the interpreter's
 * does; where none does, the last. Chains of such writes (x3 written three
 * times with accesses between, as in the kernel's mpihelp_submul_1), values
 * in host registers, slots, constants and guest-register homes. */
Test(jit, deferred_register_writes_are_exact_at_faults)
{
    for (int it = 0; it < 3000; it++) {
        random_regime();
        uint64_t va;
        switch (rnd() % 5) {
        case 0: va = RAM_BASE + TEST_RAM_SIZE - 8 * (1 + rnd() % 4); break; /* a later access faults */
        case 4: va = RAM_BASE + TEST_RAM_SIZE - 4 - 8 * (rnd() % 3); break; /* one crosses into the hole */
        case 1: va = SCR_PA + 0x1000 - 8 - (rnd() % 8); break;              /* crossing a page, maybe misaligned */
        default: va = SCR_PA + ((rnd() % (SCR_LEN - 64)) & ~7ull); break;
        }
        const int n = 3 + (int)(rnd() % 5);
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp base = input(&blk, 0, va);
        const int writes = 2 + (int)(rnd() % 3);
        int off = 0;
        for (int w = 0; w < writes; w++) {
            IRTemp v;
            switch (rnd() % 3) {
            case 0: v = input(&blk, 1 + w, operand()); break;
            case 1: v = ir_emit(&blk, IR_ADD, 8, 0, input(&blk, 1 + w, operand()), ir_const(&blk, (uint64_t)w + 1),
                                IR_NO_TEMP, 0, 0); break;
            default: v = ir_emit(&blk, IR_LOAD, 8, 0, ir_const(&blk, SCR_PA + 8 * (uint64_t)w), IR_NO_TEMP, IR_NO_TEMP,
                                 0, 0); break;
            }
            ir_set_reg(&blk, n, v);
            if (w == writes - 1)
                break;
            const int accesses = 1 + (int)(rnd() % 3);
            for (int k = 0; k < accesses; k++, off += 8) {
                if (rnd() % 3 == 0)
                    ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0,
                            0x40001004 + 4 * (uint64_t)off);
                IRTemp a = ir_emit(&blk, IR_ADD, 8, 0, base, ir_const(&blk, (uint64_t)off), IR_NO_TEMP, 0, 0);
                /* Acquire and release accesses must be aligned: a misaligned
                 * one raises on the interpreter's path (the stub's `call`). */
                const uint16_t ord = rnd() % 3 == 0 ? IRF_ACQ : 0;
                if (rnd() & 1)
                    ir_set_reg(&blk, 20 + k, ir_emit(&blk, IR_LOAD, 8, ord, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
                else if (va < RAM_BASE + TEST_RAM_SIZE - 0x100000)
                    ir_emit(&blk, IR_STORE, 8, ord ? IRF_REL : 0, a, input(&blk, 8, operand()), IR_NO_TEMP, 0, 0);
                else /* stores stay in the scratch that run_both restores */
                    ir_set_reg(&blk, 24 + k, ir_emit(&blk, IR_LOAD, 4, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
            }
        }
        ir_exit(&blk, 0x40002000);
        char what[96];
        snprintf(what, sizeof(what), "x%d written %d times around accesses from %#llx", n, writes,
                 (unsigned long long)va);
        run_both(&blk, what);
        ir_block_free(&blk);
    }
}

/* Deferred flag packs: a flag setter whose NZCV only plain loads and stores
 * can observe before the next setter (`subs x7, x7, x6; str x7, ...; adds
 * w2, w2, #1` in mpihelp_submul_1) is packed only on those accesses' ways
 * into C, recomputed there from its result and second input (or both
 * inputs when the result is not read; the tested value for ANDS). Where an
 * access faults, the exception must see exactly the interpreter's NZCV:
 * every setter kind and width, immediate and register operands, the result
 * read or not, a CSEL on its flags between (fused, so not a reader), or a
 * side exit on them before the accesses. */
Test(jit, deferred_flags_are_exact_at_faults)
{
    static const int setters[] = {IR_ADD_FLAGS, IR_SUB_FLAGS, IR_LOGIC_FLAGS};
    for (int it = 0; it < 4000; it++) {
        random_regime();
        uint64_t va;
        switch (rnd() % 4) {
        case 0: va = RAM_BASE + TEST_RAM_SIZE - 8 * (1 + rnd() % 3); break; /* an access faults */
        case 1: va = RAM_BASE + TEST_RAM_SIZE - 4 - 8 * (rnd() % 2); break; /* crosses into the hole */
        default: va = SCR_PA + ((rnd() % (SCR_LEN - 64)) & ~7ull); break;
        }
        const int opc = setters[rnd() % 3], size = (rnd() & 1) ? 8 : 4;
        IRBlock blk;
        ir_block_init(&blk, 0x40001000);
        ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
        IRTemp base = input(&blk, 0, va);
        IRTemp a = input(&blk, 1, operand()), b = input(&blk, 2, operand());
        IRTemp r;
        if (opc == IR_LOGIC_FLAGS) {
            IRTemp v = ir_emit(&blk, IR_AND, size, 0, a, b, IR_NO_TEMP, 0, 0);
            ir_emit(&blk, IR_LOGIC_FLAGS, size, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
            r = v;
        } else {
            r = ir_emit(&blk, opc, size, 0, a, b, IR_NO_TEMP, 0, 0);
        }
        if (rnd() & 1)
            ir_set_reg(&blk, 3, r); /* the result read (and written back) */
        const bool side_exit = rnd() % 3 == 0;
        if (side_exit) {
            /* A side exit on the setter's flags (`subs w13, w13, #1; b.eq`
             * in gzip's chain walk): its taken path packs them
             * (FP_XPACK), and the accesses after it on their slow paths. */
            if (rnd() & 1)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40000ffc);
            IRTemp cnd = ir_emit(&blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 14);
            ir_emit(&blk, IR_BRCOND, 8, 0, cnd, IR_NO_TEMP, IR_NO_TEMP, IR_BRCOND_AUX(2, 0), 0x40003000);
        } else if (rnd() % 3 == 0) { /* CSEL on the setter's flags: a fused COND */
            IRTemp cnd = ir_emit(&blk, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, rnd() % 14);
            ir_set_reg(&blk, 4, ir_emit(&blk, IR_SELECT, 8, 0, cnd, a, b, 0, 0));
        }
        /* Vector ops between (Advanced SIMD helpers' calls: simd_call)
         * touch no NZCV: the pack is still left to the accesses after
         * them. */
        const bool simd = rnd() % 3 == 0;
        const int accesses = 1 + (int)(rnd() % 3);
        for (int k = 0; k < accesses; k++) {
            if (simd && (rnd() & 1))
                simd_call(&blk);
            if (rnd() % 3 == 0)
                ir_emit(&blk, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001004 + 4 * (uint64_t)k);
            IRTemp addr = ir_emit(&blk, IR_ADD, 8, 0, base, ir_const(&blk, 8 * (uint64_t)k), IR_NO_TEMP, 0, 0);
            const uint16_t ord = rnd() % 3 == 0 ? IRF_ACQ : 0; /* misaligned: the interpreter's path */
            if ((rnd() & 1) || va >= RAM_BASE + TEST_RAM_SIZE - 0x100000)
                ir_set_reg(&blk, 20 + k, ir_emit(&blk, IR_LOAD, 8, ord, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0));
            else
                ir_emit(&blk, IR_STORE, 8, ord ? IRF_REL : 0, addr, input(&blk, 5, operand()), IR_NO_TEMP, 0, 0);
        }
        /* The next setter: its flags leave the block. */
        ir_emit(&blk, IR_SUB_FLAGS, 8, 0, input(&blk, 6, operand()), input(&blk, 7, operand()), IR_NO_TEMP, 0, 0);
        ir_exit(&blk, 0x40002000);
        char what[96];
        snprintf(what, sizeof(what), "%s.%d then%s %d accesses%s from %#llx", ir_op_info[opc].name, size,
                 side_exit ? " a side exit and" : "", accesses, simd ? " and vector ops" : "",
                 (unsigned long long)va);
        run_both(&blk, what);
        ir_block_free(&blk);
    }
}
