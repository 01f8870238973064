/* Unit tests for the shared translation cache (sync/tcache.c): lookup by
 * (pa, pc, flags), duplicate inserts, page invalidation, flush, chaining and
 * unchaining, deferred freeing after an RCU (QSBR) grace period, and a
 * concurrent test with reader threads doing lookups and chaining while a
 * writer inserts and invalidates. Also run under ThreadSanitizer by
 * scripts/tsan-tests.sh (its name contains "tcache"). */
#include "sync/tcache.h" /* first: defines _LGPL_SOURCE before liburcu */

#include "common.h"
#include "smp/jitq.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

static TCache *tc;
/* Compile workers for lazy_reader (lazy_compile_by_workers_under_invalidation), or NULL. */
static JitQueue *lazy_q;
/* The code memory the tests' cores compile into (cpu->jit_code). */
static JitCode *jc;
static _Atomic int cb_calls;

static void on_inval(void *opaque)
{
    cr_assert_eq(opaque, &cb_calls);
    atomic_fetch_add(&cb_calls, 1);
}

/* The test's main thread is a registered, online QSBR reader, like a vCPU. */
static void setup(void)
{
    atomic_store(&cb_calls, 0);
    jc = jit_code_new(0);
    cr_assert_not_null(jc);
    tc = tcache_create_cb(on_inval, &cb_calls);
    cr_assert_not_null(tc);
    rcu_register_thread();
}

static void teardown(void)
{
    rcu_unregister_thread();
    tcache_destroy(tc); /* from an unregistered thread, as the header asks */
    tc = NULL;
    jit_code_destroy(jc); /* after the cache: its blocks' code came from it */
    jc = NULL;
}

TestSuite(tcache, .init = setup, .fini = teardown, .timeout = 60);

/* A block whose IR records its key, so a reader can tell a live block from
 * freed or reused memory. */
static TBlock *mk(uint64_t pa, uint64_t pc, uint32_t flags)
{
    TBlock *tb = tb_alloc();
    tb->pa = pa;
    tb->pc = pc;
    tb->flags = flags;
    tb->ninsns = 1;
    ir_block_init(&tb->ir, pc);
    ir_const(&tb->ir, pa ^ pc ^ flags);
    ir_exit(&tb->ir, pc + 4);
    return tb;
}

static bool block_ok(const TBlock *tb, uint64_t pa, uint64_t pc, uint32_t flags)
{
    return tb->pa == pa && tb->pc == pc && tb->flags == flags && tb->ir.pc == pc && tb->ir.nops == 2 &&
           tb->ir.ops[0].opc == IR_CONST && tb->ir.ops[0].imm == (pa ^ pc ^ flags);
}

static TBlock *ins(uint64_t pa, uint64_t pc, uint32_t flags)
{
    TBlock *tb = mk(pa, pc, flags);
    TBlock *got = tcache_insert(tc, tb);
    cr_assert_eq(got, tb, "fresh insert of (0x%llx, 0x%llx, %u) returned another block", (unsigned long long)pa,
                 (unsigned long long)pc, flags);
    return tb;
}

static TCacheStats stats(void)
{
    TCacheStats st;
    tcache_get_stats(tc, &st);
    return st;
}

/* Let every queued deferred free run: this thread must be offline (a QSBR
 * reader that is online would block its own grace period). */
static void wait_frees(void)
{
    rcu_thread_offline();
    rcu_barrier();
    rcu_thread_online();
}

#define P1 0x40010000ull
#define P2 0x40011000ull /* the next page */
#define P3 0x40020000ull

Test(tcache, insert_and_lookup_by_key)
{
    TBlock *a = ins(P1, 0xffff000000010000ull, 1);
    TBlock *b = ins(P1, 0x0000000000010000ull, 1); /* same pa, other virtual alias */
    TBlock *c = ins(P1, 0xffff000000010000ull, 0); /* same pa and pc, other mode */
    TBlock *d = ins(P1 + 4, 0xffff000000010004ull, 1);
    cr_expect_eq(tcache_lookup(tc, P1, 0xffff000000010000ull, 1), a);
    cr_expect_eq(tcache_lookup(tc, P1, 0x0000000000010000ull, 1), b);
    cr_expect_eq(tcache_lookup(tc, P1, 0xffff000000010000ull, 0), c);
    cr_expect_eq(tcache_lookup(tc, P1 + 4, 0xffff000000010004ull, 1), d);
    cr_expect_null(tcache_lookup(tc, P1, 0xffff000000010000ull, 2));
    cr_expect_null(tcache_lookup(tc, P1 + 8, 0xffff000000010000ull, 1));
    cr_expect_null(tcache_lookup(tc, P2, 0xffff000000010000ull, 1));
    cr_expect_null(tcache_lookup(tc, P1, 0xffff000000010004ull, 1));
    cr_expect(block_ok(a, P1, 0xffff000000010000ull, 1));

    /* Many keys: no collisions lose blocks (the table resizes). */
    for (uint64_t i = 0; i < 3000; i++)
        ins(P3 + i * 4, 0x80000000ull + i * 4, (uint32_t)(i % 3));
    for (uint64_t i = 0; i < 3000; i++) {
        TBlock *t = tcache_lookup(tc, P3 + i * 4, 0x80000000ull + i * 4, (uint32_t)(i % 3));
        cr_assert_not_null(t, "block %llu lost", (unsigned long long)i);
        cr_expect(block_ok(t, P3 + i * 4, 0x80000000ull + i * 4, (uint32_t)(i % 3)));
    }
    TCacheStats st = stats();
    cr_expect_eq(st.inserted, 3004);
    cr_expect_eq(st.live, 3004);
    cr_expect_eq(st.insert_races, 0);
    cr_expect_eq(st.invalidated, 0);
}

Test(tcache, duplicate_insert_returns_the_first_copy)
{
    TBlock *a = ins(P1, 0x1000, 0);
    TBlock *dup = mk(P1, 0x1000, 0);
    TBlock *got = tcache_insert(tc, dup); /* dup is freed: do not touch it again */
    cr_expect_eq(got, a);
    cr_expect_eq(tcache_lookup(tc, P1, 0x1000, 0), a);
    TCacheStats st = stats();
    cr_expect_eq(st.inserted, 1);
    cr_expect_eq(st.insert_races, 1);
    cr_expect_eq(st.live, 1);
}

Test(tcache, invalidate_page_removes_exactly_that_page)
{
    /* Blocks at the first word, middle and last word of P1, in several modes
     * and virtual aliases; neighbours on the pages around it. */
    static const uint64_t offs[] = {0, 0x800, 0xffc};
    TBlock *in_p1[9];
    int n = 0;
    for (int i = 0; i < 3; i++)
        for (uint32_t f = 0; f < 3; f++)
            in_p1[n++] = ins(P1 + offs[i], 0x10000 + offs[i] + 0x100000 * f, f);
    TBlock *below = ins(P1 - 4, 0x20000, 0);
    TBlock *above = ins(P2, 0x30000, 0);
    TBlock *far = ins(P3 + 0x10, 0x40000, 0);
    /* Same low 12 bits as P1 blocks but another page. */
    TBlock *alias = ins(P3 + 0x800, 0x10800, 0);

    cr_expect_eq(atomic_load(&cb_calls), 0);
    tcache_invalidate_page(tc, P1 + 0x123); /* any address in the page */
    cr_expect_eq(atomic_load(&cb_calls), 1, "on_invalidate runs once per invalidation");

    n = 0;
    for (int i = 0; i < 3; i++)
        for (uint32_t f = 0; f < 3; f++) {
            cr_expect_null(tcache_lookup(tc, P1 + offs[i], 0x10000 + offs[i] + 0x100000 * f, f));
            /* Still readable (this thread has not passed a quiescent state) and marked invalid. */
            cr_expect(atomic_load(&in_p1[n]->invalid));
            cr_expect(block_ok(in_p1[n], P1 + offs[i], 0x10000 + offs[i] + 0x100000 * f, f));
            n++;
        }
    cr_expect_eq(tcache_lookup(tc, P1 - 4, 0x20000, 0), below);
    cr_expect_eq(tcache_lookup(tc, P2, 0x30000, 0), above);
    cr_expect_eq(tcache_lookup(tc, P3 + 0x10, 0x40000, 0), far);
    cr_expect_eq(tcache_lookup(tc, P3 + 0x800, 0x10800, 0), alias);
    cr_expect(!atomic_load(&below->invalid) && !atomic_load(&above->invalid));

    TCacheStats st = stats();
    cr_expect_eq(st.invalidated, 9);
    cr_expect_eq(st.live, 4);
    cr_expect_eq(st.inserted, 13);

    /* Nothing on the page any more, or a page never used: no callback. */
    tcache_invalidate_page(tc, P1);
    tcache_invalidate_page(tc, 0x7000000000ull);
    cr_expect_eq(atomic_load(&cb_calls), 1);
    cr_expect_eq(stats().invalidated, 9);

    wait_frees();
    cr_expect_eq(stats().freed, 9);

    /* The page can be filled again. */
    TBlock *again = ins(P1, 0x10000, 0);
    cr_expect_eq(tcache_lookup(tc, P1, 0x10000, 0), again);
    tcache_invalidate_page(tc, P1 + 0xfff);
    cr_expect_null(tcache_lookup(tc, P1, 0x10000, 0));
    cr_expect_eq(tcache_lookup(tc, P2, 0x30000, 0), above);
}

Test(tcache, flush_all)
{
    for (uint64_t p = 0; p < 16; p++)
        for (uint64_t i = 0; i < 8; i++)
            ins(P3 + p * 0x1000 + i * 0x40, 0x1000000 + p * 0x1000 + i * 0x40, (uint32_t)(i & 1));
    cr_expect_eq(stats().live, 128);
    tcache_flush_all(tc);
    for (uint64_t p = 0; p < 16; p++)
        for (uint64_t i = 0; i < 8; i++)
            cr_expect_null(tcache_lookup(tc, P3 + p * 0x1000 + i * 0x40, 0x1000000 + p * 0x1000 + i * 0x40,
                                         (uint32_t)(i & 1)));
    TCacheStats st = stats();
    cr_expect_eq(st.live, 0);
    cr_expect_eq(st.invalidated, 128);
    cr_expect_geq(atomic_load(&cb_calls), 1);
    wait_frees();
    cr_expect_eq(stats().freed, 128);

    /* Flushing an empty cache is harmless; the cache works afterwards. */
    tcache_flush_all(tc);
    TBlock *a = ins(P3, 0x1000000, 0);
    cr_expect_eq(tcache_lookup(tc, P3, 0x1000000, 0), a);
    cr_expect_eq(stats().live, 1);
}

Test(tcache, chaining_and_unchaining)
{
    TBlock *a = ins(P1, 0xa000, 0);
    TBlock *b = ins(P2, 0xb000, 0);
    TBlock *c = ins(P3, 0xc000, 0);
    TBlock *d = ins(P3 + 0x100, 0xd000, 0);

    tb_chain(tc, a, 1, b);
    tb_chain(tc, c, 0, b);
    tb_chain(tc, c, 1, b); /* both slots of one block to the same target */
    tb_chain(tc, b, 0, a);
    tb_chain(tc, d, 1, d); /* a loop onto itself */
    tb_chain(tc, a, 0, c);
    cr_expect_eq(atomic_load(&a->jmp[1]), b);
    cr_expect_eq(atomic_load(&a->jmp[0]), c);
    cr_expect_eq(atomic_load(&c->jmp[0]), b);
    cr_expect_eq(atomic_load(&c->jmp[1]), b);
    cr_expect_eq(atomic_load(&b->jmp[0]), a);
    cr_expect_eq(atomic_load(&d->jmp[1]), d);

    /* A chained slot is not re-pointed. */
    tb_chain(tc, a, 1, d);
    cr_expect_eq(atomic_load(&a->jmp[1]), b);

    /* Invalidating b unchains every edge into and out of it. */
    tcache_invalidate_page(tc, P2);
    cr_expect_null(atomic_load(&a->jmp[1]), "a -> b left chained");
    cr_expect_null(atomic_load(&c->jmp[0]), "c -> b (slot 0) left chained");
    cr_expect_null(atomic_load(&c->jmp[1]), "c -> b (slot 1) left chained");
    cr_expect_null(atomic_load(&b->jmp[0]), "b -> a left chained");
    cr_expect_eq(atomic_load(&a->jmp[0]), c, "an unrelated edge was dropped");
    cr_expect_eq(atomic_load(&d->jmp[1]), d);
    /* b's edge out was removed from a's incoming list. */
    cr_expect(a->in_list == NULL || (TBlock *)((uintptr_t)a->in_list & ~(uintptr_t)1) != b,
              "a still lists the edge from the invalidated b");

    /* Chaining to or from an invalid block is refused. */
    tb_chain(tc, a, 1, b);
    cr_expect_null(atomic_load(&a->jmp[1]));
    tb_chain(tc, b, 1, a);
    cr_expect_null(atomic_load(&b->jmp[1]));

    /* Let b be freed; its edges must be gone from every list, else the next
     * invalidations would write into freed memory. */
    wait_frees();
    cr_expect_eq(stats().freed, 1);
    tb_chain(tc, a, 1, d);
    cr_expect_eq(atomic_load(&a->jmp[1]), d);

    /* Invalidate the page of c and d (P3): a's edges into them go. */
    tcache_invalidate_page(tc, P3);
    cr_expect_null(atomic_load(&a->jmp[0]));
    cr_expect_null(atomic_load(&a->jmp[1]));
    cr_expect_null(a->in_list, "a's incoming list still names freed blocks");
    cr_expect_null(a->in_next[0]);
    cr_expect_null(a->in_next[1]);
    wait_frees();
    cr_expect_eq(stats().freed, 3);

    /* A source invalidated before its target: the target's list forgets it. */
    TBlock *e = ins(P3, 0xe000, 0);
    tb_chain(tc, a, 0, e);
    cr_expect_eq((TBlock *)((uintptr_t)e->in_list & ~(uintptr_t)1), a);
    tcache_invalidate_page(tc, P1);
    cr_expect_null(e->in_list, "e still lists the edge from the invalidated a");
    wait_frees();
    tcache_invalidate_page(tc, P3); /* must not touch the freed a */
    wait_frees();
    TCacheStats st = stats();
    cr_expect_eq(st.freed, 5);
    cr_expect_eq(st.live, 0);
}

/* Side exits chain through slots 2 and 3 (cpu/ir.h): an edge keeps its
 * slot in the two low bits of the block pointer, so slot 3 must not be
 * taken for slot 1 of another block, and unchaining finds every slot. */
Test(tcache, chaining_side_exit_slots)
{
    TBlock *a = ins(P1, 0xa000, 0);
    TBlock *b = ins(P2, 0xb000, 0);
    TBlock *c = ins(P3, 0xc000, 0);

    tb_chain(tc, a, 2, b);
    tb_chain(tc, a, 3, c);
    tb_chain(tc, a, 1, b);
    tb_chain(tc, c, 3, b);
    tb_chain(tc, b, 2, c);
    cr_expect_eq(atomic_load(&a->jmp[2]), b);
    cr_expect_eq(atomic_load(&a->jmp[3]), c);
    cr_expect_eq(atomic_load(&c->jmp[3]), b);
    int into_b = 0;
    for (TBlock *e = b->in_list; e; e = ((TBlock *)((uintptr_t)e & ~(uintptr_t)3))->in_next[(uintptr_t)e & 3]) {
        TBlock *src = (TBlock *)((uintptr_t)e & ~(uintptr_t)3);
        int slot = (int)((uintptr_t)e & 3);
        cr_expect(atomic_load(&src->jmp[slot]) == b, "edge %p slot %d does not lead to b", (void *)src, slot);
        into_b++;
    }
    cr_expect_eq(into_b, 3, "a (slots 1 and 2) and c (slot 3) lead into b");

    /* Invalidating b drops its three edges in and its slot-2 edge out. */
    tcache_invalidate_page(tc, P2);
    cr_expect_null(atomic_load(&a->jmp[2]));
    cr_expect_null(atomic_load(&a->jmp[1]));
    cr_expect_null(atomic_load(&c->jmp[3]));
    cr_expect_null(atomic_load(&b->jmp[2]));
    cr_expect_eq(atomic_load(&a->jmp[3]), c, "an unrelated side exit was dropped");
    cr_expect((uintptr_t)c->in_list == ((uintptr_t)a | 3) && a->in_next[3] == NULL,
              "c's incoming list is not just a's slot 3");
    wait_frees();
    tcache_invalidate_page(tc, P1);
    cr_expect_null(c->in_list, "c still lists the edge from the invalidated a");
    wait_frees();
    tcache_invalidate_page(tc, P3);
    wait_frees();
    cr_expect_eq(stats().live, 0);
}

/* ---- grace period: a block is freed only once every reader that could
 * hold it has passed a quiescent state ---- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int step; /* 1: reader holds the block; 2: reader may release it; 3: reader released */
    TBlock *held;
    bool still_ok;
} gp = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, false};

static void gp_wait_step(int s)
{
    pthread_mutex_lock(&gp.lock);
    while (gp.step < s)
        pthread_cond_wait(&gp.cond, &gp.lock);
    pthread_mutex_unlock(&gp.lock);
}

static void gp_set_step(int s)
{
    pthread_mutex_lock(&gp.lock);
    gp.step = s;
    pthread_cond_broadcast(&gp.cond);
    pthread_mutex_unlock(&gp.lock);
}

static void *gp_reader(void *arg)
{
    rcu_register_thread();
    TBlock *tb = tcache_lookup(tc, P1, 0x5000, 0);
    gp.held = tb;
    gp_set_step(1);
    /* Blocked on a condition variable while online: no quiescent state. */
    gp_wait_step(2);
    gp.still_ok = tb && block_ok(tb, P1, 0x5000, 0);
    rcu_quiescent_state();
    gp_set_step(3);
    rcu_unregister_thread();
    return arg;
}

Test(tcache, freed_only_after_grace_period)
{
    ins(P1, 0x5000, 0);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, gp_reader, NULL), 0);
    /* Offline while waiting, so only the reader can hold the grace period. */
    rcu_thread_offline();
    gp_wait_step(1);
    rcu_thread_online();
    cr_assert_not_null(gp.held);

    tcache_invalidate_page(tc, P1);
    cr_expect_null(tcache_lookup(tc, P1, 0x5000, 0));
    rcu_thread_offline();
    /* The call_rcu thread now waits for the reader. Give it ample time to
     * (wrongly) free the block. */
    for (int i = 0; i < 20; i++) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
        cr_expect_eq(stats().freed, 0, "block freed while a reader still holds it");
    }
    gp_set_step(2);
    gp_wait_step(3);
    pthread_join(th, NULL);
    rcu_barrier();
    rcu_thread_online();
    cr_expect(gp.still_ok, "the held block changed before the reader's quiescent state");
    cr_expect_eq(stats().freed, 1, "block not freed after the grace period");
}

/* ---- concurrent lookups, chaining, inserts and invalidations ---- */

#define NPAGES 4
#define KEYS_PER_PAGE 16
/* Fewer rounds under ThreadSanitizer (5-15x slower): still thousands of
 * inserts and invalidations against two readers. */
#ifndef ROUNDS
#if defined(__SANITIZE_THREAD__)
#define ROUNDS 400
#else
#define ROUNDS 3000
#endif
#endif

static _Atomic bool stop;
static _Atomic uint64_t bad_blocks, found, chained;

static uint64_t key_pa(int page, int k) { return P3 + (uint64_t)page * 0x1000 + (uint64_t)k * 0x40; }
static uint64_t key_pc(int page, int k) { return 0xffff800000000000ull + key_pa(page, k); }

/* The writer of the stress tests (main thread, an online reader): insert
 * every key of a page (made by make), invalidate another page, now and then
 * flush everything. Returns the number of inserts. */
static uint64_t writer_rounds(TBlock *(*make)(void *ctx, int page, int k), void *ctx)
{
    uint64_t attempts = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int page = round % NPAGES;
        for (int k = 0; k < KEYS_PER_PAGE; k++) {
            TBlock *got = tcache_insert(tc, make(ctx, page, k));
            cr_assert(got->pa == key_pa(page, k) && got->pc == key_pc(page, k));
            attempts++;
        }
        tcache_invalidate_page(tc, key_pa((round + 2) % NPAGES, 0));
        if (round % 500 == 499)
            tcache_flush_all(tc);
        rcu_quiescent_state();
    }
    return attempts;
}

static TBlock *mk_plain(void *ctx, int page, int k)
{
    (void)ctx;
    return mk(key_pa(page, k), key_pc(page, k), 0);
}

static void *stress_reader(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    rcu_register_thread();
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        TBlock *prev = NULL;
        for (int i = 0; i < 32; i++) {
            seed = seed * 1103515245u + 12345u;
            int page = (int)(seed >> 8) % NPAGES, k = (int)(seed >> 16) % KEYS_PER_PAGE;
            TBlock *tb = tcache_lookup(tc, key_pa(page, k), key_pc(page, k), 0);
            if (!tb)
                continue;
            atomic_fetch_add_explicit(&found, 1, memory_order_relaxed);
            if (!block_ok(tb, key_pa(page, k), key_pc(page, k), 0))
                atomic_fetch_add(&bad_blocks, 1);
            /* Follow a chain edge as a vCPU would. */
            TBlock *next = atomic_load_explicit(&tb->jmp[1], memory_order_acquire);
            if (next && !(next->ir.nops == 2 && next->ir.ops[0].imm == (next->pa ^ next->pc ^ next->flags)))
                atomic_fetch_add(&bad_blocks, 1);
            if (prev && prev != tb) {
                tb_chain(tc, prev, 1, tb);
                atomic_fetch_add_explicit(&chained, 1, memory_order_relaxed);
            }
            prev = tb;
        }
        /* Safe point: nothing from this iteration is used after it. */
        rcu_quiescent_state();
    }
    rcu_unregister_thread();
    return NULL;
}

Test(tcache, concurrent_readers_and_writer)
{
    atomic_store(&stop, false);
    pthread_t r[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&r[i], NULL, stress_reader, (void *)(uintptr_t)(i * 7919 + 1)), 0);

    uint64_t attempts = writer_rounds(mk_plain, NULL);
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);

    tcache_flush_all(tc);
    wait_frees();
    TCacheStats st = stats();
    cr_expect_eq(atomic_load(&bad_blocks), 0, "readers saw %llu corrupt or freed blocks",
                 (unsigned long long)atomic_load(&bad_blocks));
    cr_expect_gt(atomic_load(&found), 0, "readers never found a block");
    cr_expect_eq(st.inserted + st.insert_races, attempts);
    cr_expect_eq(st.live, 0);
    cr_expect_eq(st.invalidated, st.inserted);
    cr_expect_eq(st.freed, st.inserted, "every invalidated block is freed exactly once");
    cr_log_info("tcache stress: %llu inserted, %llu found by readers, %llu chain attempts",
                (unsigned long long)st.inserted, (unsigned long long)atomic_load(&found),
                (unsigned long long)atomic_load(&chained));
}

/* ---- chained native code while blocks are invalidated ---- */

#include "cpu/interp.h"
#include "cpu/jit_x86.h"

/* A native block for key (page, k): x1 += 1, x3 = its own pc, then a direct
 * branch to the next key of the same page (chain slot 1). */
static TBlock *mk_native(void *ctx, int page, int k)
{
    CPUState *cpu = ctx;
    uint64_t pa = key_pa(page, k), pc = key_pc(page, k);
    TBlock *tb = tb_alloc();
    tb->pa = pa;
    tb->pc = pc;
    tb->flags = 1;
    tb->ninsns = 1;
    IRBlock *b = &tb->ir;
    ir_block_init(b, pc);
    ir_emit(b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, pc);
    b->ninsns = 1;
    IRTemp v = ir_emit(b, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 1);
    IRTemp w = ir_emit(b, IR_ADD, 8, 0, v, ir_const(b, 1), IR_NO_TEMP, 0, 0);
    ir_emit(b, IR_SET_REG, 8, 0, w, IR_NO_TEMP, IR_NO_TEMP, 0, 1);
    ir_emit(b, IR_SET_REG, 8, 0, ir_const(b, pc), IR_NO_TEMP, IR_NO_TEMP, 0, 3);
    ir_emit(b, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, key_pc(page, (k + 1) % KEYS_PER_PAGE));
    ir_block_trim(b); /* as translate_block does: the bounded test counts the op array */
    if (cpu)
        cr_assert(jit_compile(cpu, b, 1));
    return tb;
}

/* The same block, published without code: compiled later (lazy_reader).
 * Every other one is left unoptimized, as translate_block leaves a block
 * it does not compile at once: its compile works on an optimized copy and
 * tcache_native_ready frees its own ops after a grace period, while other
 * readers may still be interpreting them. */
static TBlock *mk_lazy(void *ctx, int page, int k)
{
    (void)ctx;
    TBlock *tb = mk_native(NULL, page, k);
    tb->ir.unoptimized = k & 1;
    return tb;
}

static bool native_key(uint64_t pc)
{
    for (int p = 0; p < NPAGES; p++)
        for (int k = 0; k < KEYS_PER_PAGE; k++)
            if (key_pc(p, k) == pc)
                return true;
    return false;
}

static _Atomic uint64_t native_runs, native_insns;
/* The bounded-cache test: readers translate (insert) what they miss, as
 * vCPUs do, and note the largest block. */
static _Atomic bool readers_insert;
static _Atomic uint64_t max_block_bytes;

/* A vCPU's dispatcher in miniature: run a block, resolve its direct exit
 * and chain it (patching native code that other threads may be running),
 * report a quiescent state every few blocks. */
/* A reader thread's core: empty jump cache. */
static CPUState *reader_cpu(void)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    if (!cpu)
        abort(); /* a reader thread: no Criterion assertion here */
    cpu->jit_code = jc;
    for (unsigned i = 0; i < JC_SIZE; i++)
        cpu->jc[i].pc = ~0ull;
    return cpu;
}

static void *chain_reader(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    CPUState *cpu = reader_cpu();
    rcu_register_thread();
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        seed = seed * 1103515245u + 12345u;
        int page = (int)(seed >> 8) % NPAGES, k = (int)(seed >> 16) % KEYS_PER_PAGE;
        TBlock *tb = tcache_lookup(tc, key_pa(page, k), key_pc(page, k), 1);
        if (!tb && atomic_load_explicit(&readers_insert, memory_order_relaxed)) {
            tb = tcache_insert(tc, mk_native(cpu, page, k)); /* may flush the whole cache */
            uint64_t mb = atomic_load(&max_block_bytes);
            while (tb->bytes > mb && !atomic_compare_exchange_weak(&max_block_bytes, &mb, tb->bytes))
                ;
        }
        for (int steps = 0; tb && tb->ir.native && steps < 8; steps++) {
            uint64_t before = cpu->x[1];
            cpu->chain_budget = 40;
            cpu->jit_last = NULL;
            int bx = jit_run(cpu, &tb->ir);
            uint64_t ran = cpu->x[1] - before;
            atomic_fetch_add_explicit(&native_runs, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&native_insns, ran, memory_order_relaxed);
            /* Every block that ran was a live one of ours, and the budget
             * held: a spent budget stops exactly at the 41st block's
             * successor (BX_EXIT, pc = the refused block). */
            bool spent = bx == BX_EXIT && ran == 41 && native_key(cpu->pc);
            if (!native_key(cpu->x[3]) || ran < 1 || ran > 41 || !(spent || (bx == BX_SLOT1 && cpu->jit_last)))
                atomic_fetch_add(&bad_blocks, 1);
            if (bx != BX_SLOT1 || !cpu->jit_last)
                break;
            TBlock *from = tb_of_native_exit(cpu->jit_last);
            if (from->pc != cpu->x[3])
                atomic_fetch_add(&bad_blocks, 1);
            TBlock *to = tcache_lookup(tc, (from->pa & ~0xfffull) | (cpu->pc & 0xfff), cpu->pc, 1);
            if (!to)
                break;
            tb_chain(tc, from, 1, to);
            atomic_fetch_add_explicit(&chained, 1, memory_order_relaxed);
            tb = to;
        }
        rcu_quiescent_state();
    }
    rcu_unregister_thread();
    free(cpu);
    return NULL;
}

/* Two reader threads (reader, seeds from seed) around writer_rounds(make,
 * ctx), then everything flushed and freed. */
/* A reader thread's start: counted, so that the writer begins only once both
 * run. Without it a loaded host (the CI's ThreadSanitizer pass, 2 CPUs) once
 * started them after the writer had finished: nothing ran, and the test's
 * "something was compiled lazily" checks failed. */
typedef struct ReaderStart {
    void *(*reader)(void *);
    void *arg;
} ReaderStart;
static _Atomic int readers_started;

static void *reader_start(void *p)
{
    const ReaderStart *rs = p;
    atomic_fetch_add(&readers_started, 1);
    return rs->reader(rs->arg);
}

static void with_two_readers(void *(*reader)(void *), unsigned seed, TBlock *(*make)(void *, int, int), void *ctx)
{
    atomic_store(&stop, false);
    atomic_store(&bad_blocks, 0);
    atomic_store(&readers_started, 0);
    pthread_t r[2];
    ReaderStart rs[2];
    for (int i = 0; i < 2; i++) {
        rs[i] = (ReaderStart){reader, (void *)(uintptr_t)(i * 7919 + seed)};
        cr_assert_eq(pthread_create(&r[i], NULL, reader_start, &rs[i]), 0);
    }
    while (atomic_load(&readers_started) < 2)
        sched_yield();
    writer_rounds(make, ctx);
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    jitq_stop(lazy_q); /* no block pinned from here on */
    tcache_flush_all(tc);
    wait_frees();
}

/* Readers run natively chained blocks (patched jumps into each other) while
 * the writer inserts, invalidates and flushes pages: unchaining repatches
 * live code and the freed code is never run (the test would crash or count
 * a bad block). Under ThreadSanitizer too (scripts/tsan-tests.sh). */
Test(tcache, chained_native_code_under_invalidation)
{
    CPUState *wcpu = calloc(1, sizeof(*wcpu));
    cr_assert_not_null(wcpu);
    wcpu->jit_code = jc;
    with_two_readers(chain_reader, 3, mk_native, wcpu);
    free(wcpu);
    TCacheStats st = stats();
    cr_expect_eq(atomic_load(&bad_blocks), 0, "readers saw %llu wrong exits", (unsigned long long)atomic_load(&bad_blocks));
    cr_expect_gt(atomic_load(&native_runs), 0, "readers never ran a block");
    cr_expect_gt(atomic_load(&native_insns), atomic_load(&native_runs), "no run went through a patched chain");
    cr_expect_eq(st.freed, st.inserted);
    cr_log_info("chained native: %llu runs, %llu blocks executed, %llu chain edges",
                (unsigned long long)atomic_load(&native_runs), (unsigned long long)atomic_load(&native_insns),
                (unsigned long long)atomic_load(&chained));
}

/* The dispatcher with lazy compilation (smp/vcpu.c, lazy_compile) in
 * miniature: an interpreted block is counted, compiled at its second run by
 * the one thread whose count reaches 2 and published (tcache_native_ready
 * patches the chains recorded meanwhile); its exits are chained whether or
 * not the target has code yet. */
static _Atomic uint64_t lazy_compiled, lazy_interp, lazy_queued;
static void *lazy_reader(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    CPUState *cpu = reader_cpu();
    rcu_register_thread();
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        seed = seed * 1103515245u + 12345u;
        int page = (int)(seed >> 8) % NPAGES, k = (int)(seed >> 16) % KEYS_PER_PAGE;
        TBlock *tb = tcache_lookup(tc, key_pa(page, k), key_pc(page, k), 1);
        for (int steps = 0; tb && steps < 8; steps++) {
            bool native = ir_native(&tb->ir) != NULL;
            const uint32_t runs = native ? 0 : atomic_fetch_add_explicit(&tb->runs, 1, memory_order_relaxed) + 1;
            if (runs == 5 && lazy_q)
                jitq_boost(lazy_q, tb); /* queued and still interpreted (or taken already) */
            if (runs == 2) {
                if (lazy_q && jitq_push(lazy_q, tb)) {
                    atomic_fetch_add_explicit(&lazy_queued, 1, memory_order_relaxed);
                } else if (jit_compile(cpu, &tb->ir, 1)) {
                    tcache_native_ready(tc, tb);
                    atomic_fetch_add_explicit(&lazy_compiled, 1, memory_order_relaxed);
                    native = true;
                }
            }
            uint64_t before = cpu->x[1];
            cpu->chain_budget = 40;
            cpu->jit_last = NULL;
            int bx = native ? jit_run(cpu, &tb->ir) : interp_run_ir(cpu, &tb->ir);
            uint64_t ran = cpu->x[1] - before;
            if (native)
                atomic_fetch_add_explicit(&native_insns, ran, memory_order_relaxed);
            else
                atomic_fetch_add_explicit(&lazy_interp, 1, memory_order_relaxed);
            /* As chain_reader, and an interpreted block runs alone. */
            bool spent = native && bx == BX_EXIT && ran == 41 && native_key(cpu->pc);
            if (!native_key(cpu->x[3]) || ran < 1 || ran > (native ? 41u : 1u) || !(spent || bx == BX_SLOT1))
                atomic_fetch_add(&bad_blocks, 1);
            if (bx != BX_SLOT1)
                break;
            TBlock *from = native ? (cpu->jit_last ? tb_of_native_exit(cpu->jit_last) : NULL) : tb;
            if (!from || from->pc != cpu->x[3]) {
                atomic_fetch_add(&bad_blocks, 1);
                break;
            }
            TBlock *to = tcache_lookup(tc, (from->pa & ~0xfffull) | (cpu->pc & 0xfff), cpu->pc, 1);
            if (!to)
                break;
            tb_chain(tc, from, 1, to);
            tb = to;
        }
        rcu_quiescent_state();
    }
    rcu_unregister_thread();
    free(cpu);
    return NULL;
}

/* Blocks published without code and compiled by whichever reader runs one a
 * second time, while the writer inserts, invalidates and flushes: a block
 * compiled after it was invalidated is not counted or patched, chains
 * recorded before a block had code are patched when it gets some, and no
 * freed code runs. Under ThreadSanitizer too (scripts/tsan-tests.sh). */
Test(tcache, lazy_compile_under_invalidation)
{
    atomic_store(&native_insns, 0);
    with_two_readers(lazy_reader, 11, mk_lazy, NULL);
    TCacheStats st = stats();
    cr_expect_eq(atomic_load(&bad_blocks), 0, "readers saw %llu wrong exits", (unsigned long long)atomic_load(&bad_blocks));
    cr_expect_gt(atomic_load(&lazy_compiled), 0, "no block was compiled lazily");
    cr_expect_gt(atomic_load(&lazy_interp), 0, "no block was interpreted first");
    cr_expect_gt(atomic_load(&native_insns), atomic_load(&lazy_compiled),
                 "no native run went on through a chain patched after its target was compiled");
    cr_expect_eq(st.freed, st.inserted);
    cr_expect_eq(st.bytes, 0, "the code of lazily compiled blocks is given back exactly");
    cr_expect_gt(st.ops_dropped, 0, "no unoptimized block's own ops were dropped");
    cr_log_info("lazy: %llu compiled, %llu interpreted runs, %llu blocks run natively",
                (unsigned long long)atomic_load(&lazy_compiled), (unsigned long long)atomic_load(&lazy_interp),
                (unsigned long long)atomic_load(&native_insns));
}

/* The same with two compile workers (smp/jitq.c): a reader whose count
 * reaches 2 queues the block and goes on interpreting it (at 5 it moves
 * it to the front of the queue, jitq_boost); a worker
 * compiles it on its own thread and publishes it, while the writer
 * invalidates and flushes pages under them all. Queued blocks whose grace
 * period ends before a worker is done with them are freed by that worker
 * (tcache_unpin), exactly once. Under ThreadSanitizer too
 * (scripts/tsan-tests.sh). */
Test(tcache, lazy_compile_by_workers_under_invalidation)
{
    atomic_store(&native_insns, 0);
    atomic_store(&lazy_queued, 0);
    lazy_q = jitq_start(NULL, tc, jc, 2);
    cr_assert_not_null(lazy_q);
    with_two_readers(lazy_reader, 17, mk_lazy, NULL);
    JitQueueStats qs;
    jitq_get_stats(lazy_q, &qs);
    jitq_free(lazy_q);
    lazy_q = NULL;
    TCacheStats st = stats();
    cr_expect_eq(atomic_load(&bad_blocks), 0, "readers saw %llu wrong exits", (unsigned long long)atomic_load(&bad_blocks));
    cr_expect_gt(qs.compiled, 0, "the worker compiled nothing");
    cr_expect_eq(qs.queued, atomic_load(&lazy_queued));
    cr_expect_eq(qs.queued, qs.compiled + qs.failed + qs.dropped, "%llu queued, %llu compiled, %llu failed, %llu dropped",
                 (unsigned long long)qs.queued, (unsigned long long)qs.compiled, (unsigned long long)qs.failed,
                 (unsigned long long)qs.dropped);
    cr_expect_eq(qs.failed, 0);
    cr_expect_gt(atomic_load(&native_insns), 0, "no block the worker compiled ran natively");
    cr_expect_eq(st.freed, st.inserted);
    cr_expect_eq(st.bytes, 0, "the code the worker made is given back exactly");
    cr_expect_gt(st.ops_dropped, 0, "no unoptimized block's own ops were dropped");
    cr_log_info("workers: %llu queued, %llu compiled, %llu dropped, %llu full, %llu boosted; %llu blocks run natively",
                (unsigned long long)qs.queued, (unsigned long long)qs.compiled, (unsigned long long)qs.dropped,
                (unsigned long long)qs.full, (unsigned long long)qs.boosted, (unsigned long long)atomic_load(&native_insns));
}

/* A pinned block (one a compile worker holds) is not freed when its grace
 * period ends, but when it is unpinned; unpinning a live block frees
 * nothing, and a block is pinned once at a time. */
Test(tcache, a_pinned_block_outlives_its_grace_period)
{
    TBlock *a = ins(P1, 0x1000, 1), *b = ins(P2, 0x2000, 1);
    cr_assert(tcache_pin(a));
    cr_expect_not(tcache_pin(a), "pinned twice");
    cr_assert(tcache_pin(b));
    tcache_unpin(b); /* live: nothing happens */
    tcache_invalidate_page(tc, P1);
    wait_frees();
    TCacheStats st = stats();
    cr_expect_eq(st.invalidated, 1);
    cr_expect_eq(st.freed, 0, "freed while pinned");
    cr_expect(block_ok(a, P1, 0x1000, 1), "the pinned block's memory changed");
    tcache_unpin(a); /* its grace period has passed: freed here */
    st = stats();
    cr_expect_eq(st.freed, 1);
    cr_expect_eq(st.pending_bytes, 0);
    cr_expect_eq(tcache_lookup(tc, P2, 0x2000, 1), b);
}

/* A bounded cache that is full all the time: three threads translate what
 * they miss (each insert may flush the whole cache), run natively chained
 * blocks and patch chains, while other threads' flushes unchain and free
 * blocks under them. Nothing freed may run (a crash or a bad exit), every
 * block is freed exactly once, the bound holds up to one block per thread
 * checking at the same moment, and all memory comes back. Under
 * ThreadSanitizer too (scripts/tsan-tests.sh). */
Test(tcache, bounded_cache_flushes_under_chained_native_code)
{
    rcu_unregister_thread();
    tcache_destroy(tc); /* the suite's unbounded one */
    const uint64_t limit = 24 << 10; /* ~20 of the test's blocks; it has 64 keys */
    tc = tcache_create_bounded(limit, jc, on_inval, &cb_calls);
    rcu_register_thread();
    atomic_store(&stop, false);
    atomic_store(&bad_blocks, 0);
    atomic_store(&readers_insert, true);
#if defined(__SANITIZE_THREAD__)
    const uint64_t want_flushes = 100;
#else
    const uint64_t want_flushes = 1000;
#endif
    enum { NR = 3 };
    pthread_t r[NR];
    for (int i = 0; i < NR; i++)
        cr_assert_eq(pthread_create(&r[i], NULL, chain_reader, (void *)(uintptr_t)(i * 7919 + 5)), 0);
    /* No deadline here: the suite's timeout catches a hang. */
    while (stats().flushes < want_flushes || atomic_load(&native_insns) <= atomic_load(&native_runs)) {
        struct timespec ts = {0, 1000000};
        rcu_thread_offline(); /* this thread holds nothing: grace periods go on */
        nanosleep(&ts, NULL);
        rcu_thread_online();
    }
    atomic_store(&stop, true);
    for (int i = 0; i < NR; i++)
        pthread_join(r[i], NULL);
    TCacheStats st = stats();
    cr_expect_eq(atomic_load(&bad_blocks), 0, "readers saw %llu wrong exits", (unsigned long long)atomic_load(&bad_blocks));
    cr_expect_geq(st.flushes, want_flushes);
    cr_expect_gt(st.flushed_bytes, 0);
    cr_expect_gt(atomic_load(&native_insns), atomic_load(&native_runs), "no run went through a patched chain");
    cr_expect_leq(st.peak_bytes, limit + NR * atomic_load(&max_block_bytes), "peak %llu bytes for a bound of %llu",
                  (unsigned long long)st.peak_bytes, (unsigned long long)limit);
    tcache_flush_all(tc);
    wait_frees();
    st = stats();
    cr_expect_eq(st.freed, st.inserted, "every block is freed exactly once");
    cr_expect_eq(st.bytes, 0);
    cr_expect_eq(st.pending_bytes, 0, "%llu bytes never freed", (unsigned long long)st.pending_bytes);
    cr_log_info("bounded cache: %llu inserted, %llu flushes, peak %llu of %llu bytes, %llu native runs",
                (unsigned long long)st.inserted, (unsigned long long)st.flushes, (unsigned long long)st.peak_bytes,
                (unsigned long long)limit, (unsigned long long)atomic_load(&native_runs));
}

/* The default bound follows guest RAM within [256 MiB, 1 GiB], and never
 * takes more than an eighth of the host's memory (but at least 32 MiB). */
Test(tcache, default_limit)
{
    const uint64_t M = 1ull << 20, G = 1ull << 30;
    cr_expect_eq(tcache_default_limit(128 * M, 64 * G), 256 * M);
    cr_expect_eq(tcache_default_limit(512 * M, 64 * G), 512 * M);
    cr_expect_eq(tcache_default_limit(8 * G, 64 * G), 1 * G);
    cr_expect_eq(tcache_default_limit(8 * G, 4 * G), 512 * M);
    cr_expect_eq(tcache_default_limit(512 * M, 128 * M), 32 * M);
    cr_expect_eq(tcache_default_limit(512 * M, 0), 512 * M, "host size unknown: no host cap");
}

/* The front table in front of the hash table: a block found once is found
 * again, and once its page is invalidated it is not (its slot was cleared
 * before the grace period, so nothing can reach the freed block later); a
 * new block for the same key is found in its place. */
Test(tcache, front_table_forgets_invalidated_blocks)
{
    TBlock *a = ins(P1 + 0x40, 0x51040, 0);
    cr_assert_eq(tcache_lookup(tc, P1 + 0x40, 0x51040, 0), a);
    cr_assert_eq(tcache_lookup(tc, P1 + 0x40, 0x51040, 0), a, "second lookup (front table)");
    cr_assert_null(tcache_lookup(tc, P1 + 0x40, 0x51040, 1), "another mode is another key");
    tcache_invalidate_page(tc, P1);
    cr_assert_null(tcache_lookup(tc, P1 + 0x40, 0x51040, 0));
    rcu_quiescent_state();
    rcu_barrier(); /* a is freed now */
    TBlock *b = ins(P1 + 0x40, 0x51040, 0);
    cr_assert_eq(tcache_lookup(tc, P1 + 0x40, 0x51040, 0), b);
    cr_assert_eq(tcache_lookup(tc, P1 + 0x40, 0x51040, 0), b);
}

/* ---- invalidation that keeps blocks whose instructions are unchanged ---- */

/* A block on page ppage at offset off made from n words of page. */
static TBlock *ins_words(const uint32_t *page, uint64_t ppage, uint32_t off, uint32_t n, uint32_t flags)
{
    TBlock *tb = mk(ppage + off, 0x70000 + off, flags);
    tb->ninsns = n;
    tb->words = malloc(n * sizeof(uint32_t));
    memcpy(tb->words, page + off / 4, n * sizeof(uint32_t));
    cr_assert_eq(tcache_insert(tc, tb), tb);
    return tb;
}

Test(tcache, ic_ivau_keeps_unchanged_blocks)
{
    static uint32_t page[1024];
    for (int i = 0; i < 1024; i++)
        page[i] = 0xd503201fu + (uint32_t)i; /* any distinct words */
    TBlock *first = ins_words(page, P1, 0, 4, 0);
    TBlock *mid = ins_words(page, P1, 0x100, 8, 0);
    TBlock *last = ins_words(page, P1, 0xff8, 2, 1);
    TBlock *bare = ins(P1 + 0x200, 0x70200, 0); /* no words: always dropped */

    /* Nothing changed: only the block without words goes. */
    tcache_invalidate_page_changed(tc, P1 + 0x40, page);
    cr_expect_eq(tcache_lookup(tc, P1, 0x70000, 0), first);
    cr_expect_eq(tcache_lookup(tc, P1 + 0x100, 0x70100, 0), mid);
    cr_expect_eq(tcache_lookup(tc, P1 + 0xff8, 0x70ff8, 1), last);
    cr_expect_null(tcache_lookup(tc, P1 + 0x200, 0x70200, 0));
    cr_expect(atomic_load(&bare->invalid));
    cr_expect_eq(stats().kept, 3);
    cr_expect_eq(stats().invalidated, 1);
    cr_expect_eq(atomic_load(&cb_calls), 1);

    /* Nothing dropped: no callback (the jump caches stay). */
    tcache_invalidate_page_changed(tc, P1, page);
    cr_expect_eq(atomic_load(&cb_calls), 1);
    cr_expect_eq(stats().kept, 6);

    /* The last word of mid changes, and a word just past it: mid goes, the
     * others stay, still on the page's list (a later drop finds them). */
    page[0x100 / 4 + 7] ^= 1;
    page[0x100 / 4 + 8] ^= 1;
    tcache_invalidate_page_changed(tc, P1, page);
    cr_expect_null(tcache_lookup(tc, P1 + 0x100, 0x70100, 0));
    cr_expect(atomic_load(&mid->invalid));
    cr_expect_eq(tcache_lookup(tc, P1, 0x70000, 0), first);
    cr_expect_eq(tcache_lookup(tc, P1 + 0xff8, 0x70ff8, 1), last);
    cr_expect_eq(stats().invalidated, 2);
    cr_expect_eq(stats().live, 2);

    /* No page contents (not RAM) and the plain invalidation drop them all. */
    tcache_invalidate_page_changed(tc, P1, NULL);
    cr_expect_null(tcache_lookup(tc, P1, 0x70000, 0));
    cr_expect_null(tcache_lookup(tc, P1 + 0xff8, 0x70ff8, 1));
    cr_expect_eq(stats().live, 0);
    wait_frees();
    cr_expect_eq(stats().freed, 4);
}

static uint32_t ialluu_pages[2][1024];

static const void *page_of_test(void *opaque, uint64_t ppage)
{
    cr_assert_eq(opaque, ialluu_pages);
    if (ppage == P1)
        return ialluu_pages[0];
    if (ppage == P2)
        return ialluu_pages[1];
    return NULL; /* P3: not RAM */
}

Test(tcache, ic_iallu_keeps_unchanged_blocks)
{
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 1024; i++)
            ialluu_pages[p][i] = 0x8b000000u + (uint32_t)(p * 1024 + i);
    TBlock *a = ins_words(ialluu_pages[0], P1, 0x10, 3, 0);
    TBlock *b = ins_words(ialluu_pages[0], P1, 0x20, 3, 0);
    TBlock *c = ins_words(ialluu_pages[1], P2, 0x10, 3, 0);
    TBlock *d = ins_words(ialluu_pages[1], P3, 0x10, 3, 0); /* words of P2, on P3 */
    ialluu_pages[0][0x20 / 4 + 1] = 0; /* b's middle word */
    tcache_flush_changed(tc, page_of_test, ialluu_pages);
    cr_expect_eq(tcache_lookup(tc, P1 + 0x10, 0x70010, 0), a);
    cr_expect_null(tcache_lookup(tc, P1 + 0x20, 0x70020, 0));
    cr_expect_eq(tcache_lookup(tc, P2 + 0x10, 0x70010, 0), c);
    cr_expect_null(tcache_lookup(tc, P3 + 0x10, 0x70010, 0));
    cr_expect(atomic_load(&b->invalid) && atomic_load(&d->invalid));
    cr_expect_eq(stats().kept, 2);
    cr_expect_eq(stats().invalidated, 2);
    /* The whole-cache flush (the bound, gdb) still drops everything. */
    tcache_flush_all(tc);
    cr_expect_null(tcache_lookup(tc, P1 + 0x10, 0x70010, 0));
    cr_expect_null(tcache_lookup(tc, P2 + 0x10, 0x70010, 0));
    cr_expect_eq(stats().live, 0);
}

/* ---- the invalidation log (jump caches drop just the invalidated pcs) ---- */

typedef struct PcLog {
    int n;
    uint64_t pc[16];
} PcLog;

static void log_pc(void *opaque, uint64_t pc)
{
    PcLog *l = opaque;
    cr_assert_lt(l->n, 16);
    l->pc[l->n++] = pc;
}

Test(tcache, invalidation_log_names_the_dropped_blocks)
{
    uint64_t seq = tcache_inval_seq(tc);
    PcLog l = {0};
    cr_expect(tcache_inval_since(tc, &seq, log_pc, &l));
    cr_expect_eq(l.n, 0, "nothing invalidated yet");
    ins(P1, 0x81000, 0);
    ins(P1 + 0x40, 0x81040, 1);
    TBlock *other = ins(P2, 0x82000, 0);
    tcache_invalidate_page(tc, P1);
    cr_expect(tcache_inval_since(tc, &seq, log_pc, &l));
    cr_expect_eq(l.n, 2);
    cr_expect((l.pc[0] == 0x81000 && l.pc[1] == 0x81040) || (l.pc[0] == 0x81040 && l.pc[1] == 0x81000));
    cr_expect_eq(seq, tcache_inval_seq(tc));
    /* Caught up: nothing more; a later drop is seen once. */
    l.n = 0;
    cr_expect(tcache_inval_since(tc, &seq, log_pc, &l));
    cr_expect_eq(l.n, 0);
    tcache_invalidate_page(tc, P2);
    cr_expect(tcache_inval_since(tc, &seq, log_pc, &l));
    cr_expect_eq(l.n, 1);
    cr_expect_eq(l.pc[0], other->pc);

    /* A reader more than TC_ILOG behind is told to drop everything, and
     * is at the end afterwards. */
    uint64_t behind = seq;
    for (uint64_t i = 0; i <= TC_ILOG; i++)
        ins(P3 + (i % 1024) * 4 + (i / 1024) * 0x1000, 0x900000 + i * 4, 0);
    for (uint64_t p = 0; p <= TC_ILOG / 1024; p++)
        tcache_invalidate_page(tc, P3 + p * 0x1000);
    l.n = 0;
    cr_expect_not(tcache_inval_since(tc, &behind, log_pc, &l));
    cr_expect_eq(l.n, 0);
    cr_expect_eq(behind, tcache_inval_seq(tc));
    cr_expect(tcache_inval_since(tc, &behind, log_pc, &l));
}

/* The compile queue's order: first in, first out, but a block boosted
 * (it kept running on the interpreter while it waited) goes first, the
 * one boosted last before the others; boosting a block a worker has taken
 * already does nothing. The code arena hands out memory in order, so the
 * blocks' code addresses tell the order they were compiled in. */
Test(tcache, boosted_blocks_compile_first)
{
    JitQueue *q = jitq_start(NULL, tc, jc, 1);
    cr_assert_not_null(q);
    jitq_hold(q, true);
    TBlock *b[5];
    for (int i = 0; i < 5; i++) {
        b[i] = ins(P1, 0x1000 + 0x40 * (uint64_t)i, 1);
        cr_assert(jitq_push(q, b[i]));
    }
    jitq_boost(q, b[1]);
    jitq_boost(q, b[3]);
    jitq_boost(q, b[3]); /* not twice */
    jitq_hold(q, false);
    for (int spin = 0; spin < 10000; spin++) {
        bool all = true;
        for (int i = 0; i < 5; i++)
            all &= ir_native(&b[i]->ir) != NULL;
        if (all)
            break;
        struct timespec ts = {0, 1000000};
        rcu_thread_offline();
        nanosleep(&ts, NULL);
        rcu_thread_online();
    }
    JitQueueStats qs;
    jitq_get_stats(q, &qs);
    jitq_boost(q, b[4]); /* compiled: nothing to move */
    JitQueueStats qs2;
    jitq_get_stats(q, &qs2);
    jitq_free(q);
    cr_assert_eq(qs.compiled, 5);
    cr_assert_eq(qs.boosted, 2);
    cr_assert_eq(qs2.boosted, 2);
    const uintptr_t at[5] = {(uintptr_t)ir_native(&b[0]->ir), (uintptr_t)ir_native(&b[1]->ir),
                             (uintptr_t)ir_native(&b[2]->ir), (uintptr_t)ir_native(&b[3]->ir),
                             (uintptr_t)ir_native(&b[4]->ir)};
    cr_expect(at[3] < at[1] && at[1] < at[0] && at[0] < at[2] && at[2] < at[4],
              "compiled in the order 3 1 0 2 4: %lx %lx %lx %lx %lx", (unsigned long)at[0], (unsigned long)at[1],
              (unsigned long)at[2], (unsigned long)at[3], (unsigned long)at[4]);
}
