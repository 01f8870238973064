/* The shared translation cache (see tcache.h and docs/threading.md).
 *
 * Two cds_lfht tables: blocks by (pa, pc, flags), and physical pages to the
 * list of blocks translated from them. A page's lock serialises inserts into
 * and invalidation of that page, so a block cannot be added to the cache
 * while its page is being invalidated and survive it. Chaining edits take
 * one mutex: chaining happens once per edge, never on the execution path. */
#include "tcache.h"

#include "../cpu/jit_x86.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* liburcu is not instrumented, so ThreadSanitizer cannot see that publishing
 * a node with cds_lfht_add_unique and finding it with a lookup form a
 * release/acquire pair (rcu_assign_pointer / rcu_dereference), nor that a
 * call_rcu callback runs after every reader's quiescent state. Say the first
 * explicitly, and have TSan ignore the deferred free (suppressing it instead
 * makes TSan check every freed byte against every reader access, which is
 * quadratic). No code in other builds. Grace-period correctness is tested
 * functionally (test_tcache). */
#if defined(__SANITIZE_THREAD__)
#define TC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TC_TSAN 1
#endif
#endif
#ifdef TC_TSAN
#include <sanitizer/tsan_interface.h>
void __tsan_ignore_thread_begin(void); /* exported by libtsan, not declared in its headers */
void __tsan_ignore_thread_end(void);
#define tsan_release(p) __tsan_release((void *)(p))
#define tsan_acquire(p) __tsan_acquire((void *)(p))
#define tsan_ignore_begin() __tsan_ignore_thread_begin()
#define tsan_ignore_end() __tsan_ignore_thread_end()
#else
#define tsan_release(p) ((void)(p))
#define tsan_acquire(p) ((void)(p))
#define tsan_ignore_begin() ((void)0)
#define tsan_ignore_end() ((void)0)
#endif

struct TCache {
    struct cds_lfht *blocks;
    struct cds_lfht *pages;
    pthread_mutex_t chain_lock;
    /* The invalidation log (tcache_inval_since): written and read under
     * chain_lock; the end also read without it. */
    uint64_t ilog[TC_ILOG];
    _Atomic uint64_t ilog_end;
    void (*on_invalidate)(void *opaque);
    void *opaque;
    _Atomic uint64_t inserted, insert_races, invalidated, live, freed;
    uint64_t limit;               /* 0: unbounded; set before any vCPU runs */
    struct JitCode *code;         /* its exhaustion flushes too (NULL: none); set at creation */
    pthread_mutex_t flush_lock;   /* one bound flush at a time */
    _Atomic uint64_t bytes, peak_bytes, pending_bytes, flushes, flushed_bytes, kept, ops_dropped;
    /* Front table: one block per hash slot, checked before the hash table.
     * Every core misses its own jump cache once per block it has not run
     * yet, and a cds_lfht lookup costs several host cache misses (6-7% of
     * an 8-core boot). A slot holds a published block or NULL; invalidation
     * clears it before the grace period (see front_set). */
    TBlock *_Atomic *front;
    /* Dropped op arrays not yet handed to call_rcu (tcache_native_ready),
     * under chain_lock. */
    struct DroppedOps *drops;
    uint32_t ndrops;
};

#define FRONT_SIZE (1u << 16)

typedef struct TPage {
    uint64_t ppage;
    pthread_mutex_t lock;
    TBlock *head;
    struct cds_lfht_node node;
} TPage;

typedef struct TKey {
    uint64_t pa, pc;
    uint32_t flags;
} TKey;

static unsigned long hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (unsigned long)x;
}

static unsigned long tb_hash(uint64_t pa, uint64_t pc, uint32_t flags)
{
    return hash64(pa ^ (pc << 7) ^ ((uint64_t)flags << 56));
}

static int tb_match(struct cds_lfht_node *node, const void *key)
{
    const TBlock *tb = caa_container_of(node, TBlock, node);
    const TKey *k = key;
    tsan_acquire(tb);
    return tb->pa == k->pa && tb->pc == k->pc && tb->flags == k->flags;
}

static int page_match(struct cds_lfht_node *node, const void *key)
{
    const TPage *pg = caa_container_of(node, TPage, node);
    tsan_acquire(pg);
    return pg->ppage == *(const uint64_t *)key;
}

TCache *tcache_create_bounded(uint64_t limit, struct JitCode *code, void (*on_invalidate)(void *), void *opaque)
{
    TCache *tc = calloc(1, sizeof(*tc));
    if (!tc) {
        fprintf(stderr, "flotilla: out of memory\n");
        exit(1);
    }
    tc->limit = limit;
    tc->code = code;
    /* Start large: a Linux boot makes ~60-90k blocks, and the table was
     * seen to stay at 16k buckets for them (accounting grows it late), so
     * lookups walked long chains, each step a host cache miss; the
     * automatic resize lagged far behind a guest that makes ~300k blocks a
     * second. But not as large as a full cache of small blocks: a million
     * buckets for the 1 GiB bound of a 1 GiB guest held 14 MB of host
     * memory, 3.5 K first-touch faults a boot, and made the boot's misses
     * walk cold lines (a `-smp 1` boot took 2-3% more host time than with
     * 128 K buckets, 2026-12-06). One bucket per 8 KiB of the bound, 64 K
     * to 1 M. */
    unsigned long buckets = 1ul << 16;
    while (buckets < (1ul << 20) && buckets * 8192 < limit)
        buckets <<= 1;
    tc->blocks = cds_lfht_new(buckets, 1u << 16, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
    tc->pages = cds_lfht_new(256, 256, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
    if (!tc->blocks || !tc->pages) {
        fprintf(stderr, "flotilla: cannot create the translation cache\n");
        exit(1);
    }
    tc->front = calloc(FRONT_SIZE, sizeof(*tc->front));
    if (!tc->front) {
        fprintf(stderr, "flotilla: cannot create the translation cache\n");
        exit(1);
    }
    pthread_mutex_init(&tc->chain_lock, NULL);
    pthread_mutex_init(&tc->flush_lock, NULL);
    tc->on_invalidate = on_invalidate;
    tc->opaque = opaque;
    return tc;
}

TCache *tcache_create_cb(void (*on_invalidate)(void *), void *opaque)
{
    return tcache_create_bounded(0, NULL, on_invalidate, opaque);
}

TCache *tcache_create(void)
{
    return tcache_create_cb(NULL, NULL);
}

uint64_t tcache_default_limit(uint64_t ram_bytes, uint64_t host_bytes)
{
    /* As much as the guest's RAM (a guest cannot have more distinct code
     * than that live at once), at least 256 MiB and at most 1 GiB (QEMU's
     * default tb-size), and never more than an eighth of the host's memory
     * (at least 32 MiB). */
    uint64_t b = ram_bytes;
    if (b < (256ull << 20))
        b = 256ull << 20;
    if (b > (1ull << 30))
        b = 1ull << 30;
    if (host_bytes && b > host_bytes / 8)
        b = host_bytes / 8;
    if (b < (32ull << 20))
        b = 32ull << 20;
    return b;
}

TBlock *tb_alloc(void)
{
    TBlock *tb = calloc(1, sizeof(*tb));
    if (!tb) {
        fprintf(stderr, "flotilla: out of memory\n");
        exit(1);
    }
    cds_lfht_node_init(&tb->node);
    return tb;
}

void tb_free_unpublished(TBlock *tb)
{
    free(tb->words);
    ir_block_free(&tb->ir);
    free(tb);
}

/* TBlock.pin: nobody holds the block; a worker does; its grace period
 * ended while a worker held it (the worker frees it). */
enum { TB_PIN_NONE, TB_PIN_HELD, TB_PIN_DEAD };

/* The end of an invalidated block, after its grace period. */
static void tb_free_late(TBlock *tb)
{
    tsan_ignore_begin(); /* everything here, the counter too (see the top of the file) */
    TCache *tc = tb->tc; /* outlives its blocks: tcache_destroy waits in rcu_barrier() */
    uint32_t bytes = tb->bytes;
    tb_free_unpublished(tb);
    atomic_fetch_add(&tc->freed, 1);
    atomic_fetch_sub(&tc->pending_bytes, bytes);
    tsan_ignore_end();
}

/* Runs in liburcu's call_rcu thread, after the grace period. A pinned
 * block is left to its holder (tcache_unpin). */
static void tb_free_rcu(struct rcu_head *h)
{
    TBlock *tb = caa_container_of(h, TBlock, rcu);
    /* call_rcu hands the block over (inside liburcu, unseen by TSan): pairs
     * with free_list's release and tcache_insert's, so the allocation's
     * zeroing is ordered before the CAS below. */
    tsan_acquire(tb);
    uint8_t held = TB_PIN_HELD;
    if (atomic_compare_exchange_strong(&tb->pin, &held, TB_PIN_DEAD))
        return;
    tb_free_late(tb);
}

bool tcache_pin(TBlock *tb)
{
    uint8_t none = TB_PIN_NONE;
    return atomic_compare_exchange_strong(&tb->pin, &none, TB_PIN_HELD);
}

void tcache_unpin(TBlock *tb)
{
    uint8_t held = TB_PIN_HELD;
    if (!atomic_compare_exchange_strong(&tb->pin, &held, TB_PIN_NONE))
        tb_free_late(tb); /* TB_PIN_DEAD: the callback has run */
}

/* Any thread: the front slot of a key hash. */
static TBlock *_Atomic *front_slot(TCache *tc, unsigned long hash) { return &tc->front[hash & (FRONT_SIZE - 1)]; }

/* Any thread: empty the slot if it still names tb. */
static void front_clear(TBlock *_Atomic *slot, TBlock *tb)
{
    TBlock *e = tb;
    atomic_compare_exchange_strong(slot, &e, NULL);
}

/* An RCU reader (vCPU thread): remember tb, found in the hash table, in its
 * front slot. Stored, then tb->invalid read, both seq_cst: either this
 * store comes before invalidate_list's clearing CAS (which then clears
 * it), or the invalidation's `invalid = true` comes before it and this
 * reader sees it and clears the slot itself. So no slot keeps a block past
 * its grace period, and a pointer read from a slot inside a read-side
 * section is safe to dereference. */
static void front_set(TBlock *_Atomic *slot, TBlock *tb)
{
    atomic_store(slot, tb);
    if (atomic_load(&tb->invalid))
        front_clear(slot, tb);
}

TBlock *tcache_lookup(TCache *tc, uint64_t pa, uint64_t pc, uint32_t flags)
{
    TKey k = {pa, pc, flags};
    unsigned long h = tb_hash(pa, pc, flags);
    TBlock *_Atomic *slot = front_slot(tc, h);
    TBlock *tb = atomic_load_explicit(slot, memory_order_acquire);
    if (tb && tb->pa == pa && tb->pc == pc && tb->flags == flags &&
        !atomic_load_explicit(&tb->invalid, memory_order_acquire)) {
        tsan_acquire(tb);
        return tb;
    }
    struct cds_lfht_iter it;
    cds_lfht_lookup(tc->blocks, h, tb_match, &k, &it);
    struct cds_lfht_node *n = cds_lfht_iter_get_node(&it);
    if (!n)
        return NULL;
    tb = caa_container_of(n, TBlock, node);
    tsan_acquire(tb);
    front_set(slot, tb);
    return tb;
}

TBlock *tb_of_native_exit(const void *jit_last)
{
    TBlock *tb = caa_container_of((const IRBlock *)jit_last, TBlock, ir);
    tsan_acquire(tb);
    return tb;
}

/* The page entry for ppage, created if absent. Pages are never removed
 * while the cache lives (there are at most RAM/4K of them). */
static TPage *get_page(TCache *tc, uint64_t ppage)
{
    struct cds_lfht_iter it;
    unsigned long h = hash64(ppage);
    cds_lfht_lookup(tc->pages, h, page_match, &ppage, &it);
    struct cds_lfht_node *n = cds_lfht_iter_get_node(&it);
    if (n) {
        tsan_acquire(caa_container_of(n, TPage, node));
        return caa_container_of(n, TPage, node);
    }
    TPage *p = calloc(1, sizeof(*p));
    p->ppage = ppage;
    pthread_mutex_init(&p->lock, NULL);
    cds_lfht_node_init(&p->node);
    tsan_release(p);
    n = cds_lfht_add_unique(tc->pages, h, page_match, &ppage, &p->node);
    if (n != &p->node) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        tsan_acquire(caa_container_of(n, TPage, node));
        return caa_container_of(n, TPage, node);
    }
    return p;
}

/* Any thread, on a block it owns: the host memory the block holds (the
 * struct, its op array, trimmed, and its code chunk). */
static uint32_t tb_bytes(const TBlock *tb)
{
    return (uint32_t)(sizeof(*tb) + (size_t)tb->ir.cap * sizeof(IROp) + tb->ir.native_size +
                      (tb->words ? tb->ninsns * sizeof(uint32_t) : 0));
}

static void flush_all(TCache *tc, uint64_t *dropped);

/* The cache is full (adding `need` bytes would pass the bound, or the code
 * arena had no room): flush it. One flusher at a time; a core that finds
 * another one flushing waits for it and then finds room, so the bound is
 * passed by at most one block per core (those that checked at the same
 * moment). The inserting vCPU thread, holding no page lock. */
static void flush_for_room(TCache *tc, uint64_t need, bool code_full)
{
    pthread_mutex_lock(&tc->flush_lock);
    if (code_full || atomic_load(&tc->bytes) + need > tc->limit) {
        uint64_t dropped = 0;
        flush_all(tc, &dropped);
        atomic_fetch_add(&tc->flushes, 1);
        atomic_fetch_add(&tc->flushed_bytes, dropped);
    }
    pthread_mutex_unlock(&tc->flush_lock);
}

TBlock *tcache_insert(TCache *tc, TBlock *tb)
{
    TKey k = {tb->pa, tb->pc, tb->flags};
    TPage *pg = get_page(tc, tb->pa & ~0xfffull);
    tb->tc = tc;
    tb->bytes = tb_bytes(tb);
    if (tc->limit) {
        /* Code memory that a flush gives back comes back only after its
         * grace period: while some is pending, another flush would not
         * help (the block just stays interpreted). */
        bool code_full = jit_code_take_exhausted(tc->code) && !atomic_load_explicit(&tc->pending_bytes, memory_order_relaxed);
        if (code_full || atomic_load_explicit(&tc->bytes, memory_order_relaxed) + tb->bytes > tc->limit)
            flush_for_room(tc, tb->bytes, code_full);
    }
    pthread_mutex_lock(&pg->lock);
    /* Counted before it is published: a flush that unlinks it (under this
     * page's lock, so later) never subtracts bytes not yet added. Read
     * before the release: once published, a core compiling it lazily adds
     * to tb->bytes (tcache_native_ready). */
    uint64_t now = atomic_fetch_add(&tc->bytes, tb->bytes) + tb->bytes;
    tsan_release(tb);
    struct cds_lfht_node *n = cds_lfht_add_unique(tc->blocks, tb_hash(k.pa, k.pc, k.flags), tb_match, &k, &tb->node);
    if (n != &tb->node) {
        atomic_fetch_sub(&tc->bytes, tb->bytes);
        pthread_mutex_unlock(&pg->lock);
        atomic_fetch_add(&tc->insert_races, 1);
        tb_free_unpublished(tb);
        tsan_acquire(caa_container_of(n, TBlock, node));
        return caa_container_of(n, TBlock, node);
    }
    tb->page_next = pg->head;
    pg->head = tb;
    pthread_mutex_unlock(&pg->lock);
    /* In the front slot too: the next lookup that misses the jump cache
     * (a slot reused, a context switch) then costs no walk of the hash
     * table, whose buckets and nodes are cold host cache lines. */
    front_set(front_slot(tc, tb_hash(k.pa, k.pc, k.flags)), tb);
    atomic_fetch_add(&tc->inserted, 1);
    atomic_fetch_add(&tc->live, 1);
    uint64_t peak = atomic_load_explicit(&tc->peak_bytes, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak(&tc->peak_bytes, &peak, now))
        ;
    return tb;
}

/* Incoming edges are kept as (block | slot) in a singly linked list through
 * the source blocks' in_next[slot]. Under chain_lock. TBlocks come from
 * calloc, 16-byte aligned: the slot fits in the low two bits. */
#define EDGE(tb, slot) ((TBlock *)((uintptr_t)(tb) | (uintptr_t)(slot)))
#define EDGE_TB(e) ((TBlock *)((uintptr_t)(e) & ~(uintptr_t)(IR_CHAIN_SLOTS - 1)))
#define EDGE_SLOT(e) ((int)((uintptr_t)(e) & (IR_CHAIN_SLOTS - 1)))
_Static_assert(IR_CHAIN_SLOTS == 4 && _Alignof(max_align_t) >= IR_CHAIN_SLOTS, "slot bits of an edge");

void tb_chain(TCache *tc, TBlock *from, int slot, TBlock *to)
{
    pthread_mutex_lock(&tc->chain_lock);
    if (!atomic_load(&from->invalid) && !atomic_load(&to->invalid) && !atomic_load(&from->jmp[slot]) &&
        from->flags == to->flags) {
        from->in_next[slot] = to->in_list;
        to->in_list = EDGE(from, slot);
        atomic_store_explicit(&from->jmp[slot], to, memory_order_release);
        /* Native code jumps straight there from now on (if both have it). */
        jit_chain_patch(&from->ir, slot, &to->ir);
    }
    pthread_mutex_unlock(&tc->chain_lock);
}

/* The op array of a compiled block, freed after the grace period of the
 * cores that may still be interpreting it. They go to call_rcu DROP_BATCH
 * at a time: one call_rcu per block, spaced out as compiles are, cost a
 * grace period each (the call_rcu thread's wait, the cores' wake-ups of
 * it), ~2.5% more host CPU at -smp 4. */
typedef struct DroppedOps {
    struct rcu_head rcu;
    struct DroppedOps *next;
    IROp *ops;
} DroppedOps;

#define DROP_BATCH 64

/* liburcu's call_rcu thread, on a batch; or tcache_destroy, with no reader
 * left. */
static void dropped_ops_free(struct rcu_head *h)
{
    tsan_ignore_begin(); /* readers of the ops ended with the grace period */
    for (DroppedOps *d = caa_container_of(h, DroppedOps, rcu), *next; d; d = next) {
        next = d->next;
        free(d->ops);
        free(d);
    }
    tsan_ignore_end();
}

void tcache_native_ready(TCache *tc, TBlock *tb)
{
    /* From now on the dispatcher runs the block's code, which carries the
     * ops it hands the interpreter (cpu/jit_x86_ctx.h, Ctx.oplit), so its
     * own ops are only read by cores already interpreting it. Their memory
     * goes back after their grace period (a Linux boot's compiled blocks
     * hold ~16-27 MB of them). */
    DroppedOps *drop = ir_native(&tb->ir) && !atomic_load_explicit(&tb->ir.ops_dropped, memory_order_relaxed)
                           ? malloc(sizeof(*drop))
                           : NULL;
    uint32_t dropped = 0;
    DroppedOps *batch = NULL;
    pthread_mutex_lock(&tc->chain_lock);
    /* invalidate_list sets invalid and sums bytes under this lock, so the
     * code is counted exactly when it will also be given back. */
    if (!atomic_load(&tb->invalid)) {
        if (drop) {
            drop->ops = tb->ir.ops;
            dropped = tb->ir.cap * (uint32_t)sizeof(IROp);
            atomic_store_explicit(&tb->ir.ops_dropped, true, memory_order_release);
            /* Its grace period starts with the batch's call_rcu, after the
             * native store above: later is as safe. */
            drop->next = tc->drops;
            tc->drops = drop;
            if (++tc->ndrops == DROP_BATCH) {
                batch = tc->drops;
                tc->drops = NULL;
                tc->ndrops = 0;
            }
        }
        tb->bytes += tb->ir.native_size - dropped;
        atomic_fetch_add(&tc->bytes, tb->ir.native_size);
        atomic_fetch_sub(&tc->bytes, dropped);
        for (TBlock *e = tb->in_list; e; e = EDGE_TB(e)->in_next[EDGE_SLOT(e)])
            jit_chain_patch(&EDGE_TB(e)->ir, EDGE_SLOT(e), &tb->ir);
        for (int s = 0; s < IR_CHAIN_SLOTS; s++) {
            TBlock *to = atomic_load_explicit(&tb->jmp[s], memory_order_relaxed);
            if (to)
                jit_chain_patch(&tb->ir, s, &to->ir);
        }
    }
    pthread_mutex_unlock(&tc->chain_lock);
    if (dropped)
        atomic_fetch_add_explicit(&tc->ops_dropped, 1, memory_order_relaxed);
    else
        free(drop);
    if (batch)
        call_rcu(&batch->rcu, dropped_ops_free);
}

/* Under chain_lock: remove every edge into and out of tb. */
static void unchain(TBlock *tb)
{
    for (TBlock *e = tb->in_list; e;) {
        TBlock *src = EDGE_TB(e);
        int s = EDGE_SLOT(e);
        atomic_store_explicit(&src->jmp[s], NULL, memory_order_release);
        /* Cores already past the jump are safe: tb is freed only after
         * their next quiescent state. */
        jit_chain_patch(&src->ir, s, NULL);
        e = src->in_next[s];
        src->in_next[s] = NULL;
    }
    tb->in_list = NULL;
    for (int s = 0; s < IR_CHAIN_SLOTS; s++) {
        TBlock *dst = atomic_load(&tb->jmp[s]);
        if (!dst)
            continue;
        TBlock **pp = &dst->in_list;
        while (*pp && *pp != EDGE(tb, s))
            pp = &EDGE_TB(*pp)->in_next[EDGE_SLOT(*pp)];
        if (*pp)
            *pp = tb->in_next[s];
        tb->in_next[s] = NULL;
        atomic_store_explicit(&tb->jmp[s], NULL, memory_order_release);
    }
}

/* Unlink and unchain the blocks of one page's list: their count, and their
 * bytes added to *bytes. */
static uint64_t invalidate_list(TCache *tc, TBlock *head, uint64_t *bytes)
{
    uint64_t n = 0, b = 0;
    pthread_mutex_lock(&tc->chain_lock);
    for (TBlock *tb = head; tb; tb = tb->page_next) {
        atomic_store(&tb->invalid, true);
        /* Out of the front table before the grace period (front_set). */
        front_clear(front_slot(tc, tb_hash(tb->pa, tb->pc, tb->flags)), tb);
        cds_lfht_del(tc->blocks, &tb->node);
        unchain(tb);
        /* Logged after the unlink: a core that reads the entry can no
         * longer find the block to put it back in its jump cache. */
        uint64_t e = atomic_load_explicit(&tc->ilog_end, memory_order_relaxed);
        tc->ilog[e % TC_ILOG] = tb->pc;
        atomic_store_explicit(&tc->ilog_end, e + 1, memory_order_relaxed);
        n++;
        b += tb->bytes;
    }
    pthread_mutex_unlock(&tc->chain_lock);
    *bytes = b;
    return n;
}

static void free_list(TCache *tc, TBlock *head, uint64_t n, uint64_t bytes)
{
    if (!n)
        return;
    /* Live until the grace period ends: counted as pending till then. */
    atomic_fetch_add(&tc->pending_bytes, bytes);
    atomic_fetch_sub(&tc->bytes, bytes);
    /* Other cores' jump caches may still name these blocks: have them
     * dropped before the grace period starts (see vcpu.c). */
    if (tc->on_invalidate)
        tc->on_invalidate(tc->opaque);
    for (TBlock *tb = head, *next; tb; tb = next) {
        next = tb->page_next;
        tsan_release(tb);
        call_rcu(&tb->rcu, tb_free_rcu);
    }
    atomic_fetch_add(&tc->invalidated, n);
    atomic_fetch_sub(&tc->live, n);
}

/* Under the page's lock: does tb still match the page's current bytes? */
static bool tb_unchanged(const TBlock *tb, const uint8_t *page)
{
    if (!page || !tb->words)
        return false;
    /* A loop trace's words are two runs (cpu/ir.h, IRBlock.pc2). */
    const uint32_t n1 = tb->ir.pc2 ? tb->ir.n1 : tb->ninsns;
    return memcmp(page + (tb->pa & 0xfff), tb->words, n1 * sizeof(uint32_t)) == 0 &&
           memcmp(page + (tb->ir.pc2 & 0xfff), tb->words + n1, (tb->ninsns - n1) * sizeof(uint32_t)) == 0;
}

/* Any registered RCU thread: drop the blocks of pg, but those whose words
 * `page` (the host address of its current contents, or NULL) still holds;
 * the bytes dropped. Linux's IC IVAU on mapping an executable page and the
 * IC IALLU after patching the kernel's alternatives mostly find the code
 * unchanged (in a boot, 99% of the blocks they invalidated). */
static uint64_t drop_changed(TCache *tc, TPage *pg, const uint8_t *page)
{
    pthread_mutex_lock(&pg->lock);
    TBlock *drop = NULL, **keep_tail = &pg->head;
    uint64_t kept = 0;
    for (TBlock *tb = pg->head, *next; tb; tb = next) {
        next = tb->page_next;
        if (tb_unchanged(tb, page)) {
            *keep_tail = tb;
            keep_tail = &tb->page_next;
            kept++;
        } else {
            tb->page_next = drop;
            drop = tb;
        }
    }
    *keep_tail = NULL;
    uint64_t bytes;
    uint64_t n = invalidate_list(tc, drop, &bytes);
    pthread_mutex_unlock(&pg->lock);
    free_list(tc, drop, n, bytes);
    if (kept)
        atomic_fetch_add(&tc->kept, kept);
    return bytes;
}

void tcache_invalidate_page_changed(TCache *tc, uint64_t pa, const void *page)
{
    uint64_t ppage = pa & ~0xfffull;
    struct cds_lfht_iter it;
    rcu_read_lock();
    cds_lfht_lookup(tc->pages, hash64(ppage), page_match, &ppage, &it);
    struct cds_lfht_node *node = cds_lfht_iter_get_node(&it);
    rcu_read_unlock();
    if (!node)
        return;
    TPage *pg = caa_container_of(node, TPage, node);
    tsan_acquire(pg);
    drop_changed(tc, pg, page);
}

void tcache_invalidate_page(TCache *tc, uint64_t pa) { tcache_invalidate_page_changed(tc, pa, NULL); }

/* Any registered RCU thread (as tcache_flush_all). Invalidate every page's
 * blocks but those page_of says are unchanged (page_of NULL: all); *dropped
 * gets the bytes they held. The iteration is written out
 * (cds_lfht_first/next) rather than with liburcu's for_each_entry macro,
 * which forms a member pointer from NULL at its end. */
static void flush_all_changed(TCache *tc, const void *(*page_of)(void *, uint64_t), void *opaque, uint64_t *dropped)
{
    struct cds_lfht_iter it;
    rcu_read_lock();
    cds_lfht_first(tc->pages, &it);
    for (struct cds_lfht_node *n; (n = cds_lfht_iter_get_node(&it)); cds_lfht_next(tc->pages, &it)) {
        TPage *pg = caa_container_of(n, TPage, node);
        tsan_acquire(pg);
        *dropped += drop_changed(tc, pg, page_of ? page_of(opaque, pg->ppage) : NULL);
    }
    rcu_read_unlock();
}

static void flush_all(TCache *tc, uint64_t *dropped) { flush_all_changed(tc, NULL, NULL, dropped); }

void tcache_flush_all(TCache *tc)
{
    uint64_t dropped = 0;
    flush_all(tc, &dropped);
}

void tcache_flush_changed(TCache *tc, const void *(*page_of)(void *opaque, uint64_t ppage), void *opaque)
{
    uint64_t dropped = 0;
    flush_all_changed(tc, page_of, opaque, &dropped);
}

uint64_t tcache_inval_seq(TCache *tc) { return atomic_load(&tc->ilog_end); }

bool tcache_inval_since(TCache *tc, uint64_t *seq, void (*fn)(void *, uint64_t), void *opaque)
{
    if (atomic_load(&tc->ilog_end) == *seq)
        return true;
    pthread_mutex_lock(&tc->chain_lock);
    uint64_t end = atomic_load_explicit(&tc->ilog_end, memory_order_relaxed);
    bool ok = end - *seq <= TC_ILOG;
    for (uint64_t i = *seq; ok && i != end; i++)
        fn(opaque, tc->ilog[i % TC_ILOG]);
    pthread_mutex_unlock(&tc->chain_lock);
    *seq = end;
    return ok;
}

void tcache_get_stats(TCache *tc, TCacheStats *st)
{
    st->inserted = atomic_load(&tc->inserted);
    st->insert_races = atomic_load(&tc->insert_races);
    st->invalidated = atomic_load(&tc->invalidated);
    st->live = atomic_load(&tc->live);
    st->freed = atomic_load(&tc->freed);
    st->limit = tc->limit;
    st->bytes = atomic_load(&tc->bytes);
    st->peak_bytes = atomic_load(&tc->peak_bytes);
    st->pending_bytes = atomic_load(&tc->pending_bytes);
    st->flushes = atomic_load(&tc->flushes);
    st->flushed_bytes = atomic_load(&tc->flushed_bytes);
    st->kept = atomic_load(&tc->kept);
    st->ops_dropped = atomic_load(&tc->ops_dropped);
}

void tcache_destroy(TCache *tc)
{
    /* No vCPU runs any more, and nothing can hold a block (compile
     * workers are stopped, smp/jitq.c, so none is pinned): after the
     * callbacks already queued have run, free every block directly (no
     * unchaining, no grace period). Walking the table in its own order
     * keeps each removal at the head of its bucket's chain. */
    rcu_barrier();
    if (tc->drops) /* the last batch, never handed to call_rcu: no reader left */
        dropped_ops_free(&tc->drops->rcu);
    tc->drops = NULL;
    rcu_register_thread();
    struct cds_lfht_iter it;
    cds_lfht_first(tc->blocks, &it);
    for (struct cds_lfht_node *n = cds_lfht_iter_get_node(&it); n;) {
        cds_lfht_next(tc->blocks, &it);
        struct cds_lfht_node *next = cds_lfht_iter_get_node(&it);
        cds_lfht_del(tc->blocks, n);
        tb_free_unpublished(caa_container_of(n, TBlock, node));
        n = next;
    }
    cds_lfht_first(tc->pages, &it);
    for (struct cds_lfht_node *n = cds_lfht_iter_get_node(&it); n;) {
        cds_lfht_next(tc->pages, &it);
        struct cds_lfht_node *next = cds_lfht_iter_get_node(&it);
        TPage *pg = caa_container_of(n, TPage, node);
        cds_lfht_del(tc->pages, n);
        pthread_mutex_destroy(&pg->lock);
        free(pg);
        n = next;
    }
    rcu_unregister_thread();
    cds_lfht_destroy(tc->blocks, NULL);
    cds_lfht_destroy(tc->pages, NULL);
    free((void *)tc->front);
    pthread_mutex_destroy(&tc->chain_lock);
    pthread_mutex_destroy(&tc->flush_lock);
    free(tc);
}
