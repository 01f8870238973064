/* The shared translation cache: one for all cores, lock-free lookups with
 * liburcu QSBR and cds_lfht, keyed by (guest physical pc, virtual pc, mode
 * flags). Invalidation by physical page unlinks and unchains blocks and frees
 * them after a grace period.
 *
 * The virtual pc is part of the key because IR holds absolute branch targets:
 * two virtual aliases of one physical page need two translations.
 *
 * The cache can be bounded (tcache_create_bounded): every block's metadata, IR
 * and native code count against the bound, and an insert that would go past
 * it first flushes the whole cache (the same safe path as IC IALLU: blocks
 * unlinked and unchained, jump caches dropped, memory freed after a grace
 * period), as QEMU does when its code buffer is full.
 *
 * Thread rules:
 *   - tcache_lookup / tcache_insert / tb_chain: vCPU threads that are
 *     registered, online QSBR readers. A returned TBlock stays valid until the
 *     caller's next quiescent state.
 *   - tcache_invalidate_page / tcache_flush_all: any registered RCU thread.
 *   - tcache_create* / tcache_destroy: main thread, no vCPU running.
 *   - tcache_get_stats: any thread. */
#ifndef FLOTILLA_TCACHE_H
#define FLOTILLA_TCACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../cpu/ir.h"

#define _LGPL_SOURCE
#include <urcu-qsbr.h>
#include <urcu/rculfhash.h>

typedef struct TBlock {
    uint64_t pc;        /* guest virtual pc */
    uint64_t pa;        /* guest physical pc */
    uint32_t flags;     /* translation mode (cpu_tb_flags) */
    uint32_t ninsns;
    IRBlock ir;
    /* Chained successors for IR_BRCOND (slot 0), IR_GOTO (slot 1) and side
     * exits (2, 3; cpu/ir.h): written by any vCPU (tb_chain), cleared by
     * invalidation. */
    _Atomic(struct TBlock *) jmp[IR_CHAIN_SLOTS];
    _Atomic bool invalid;
    /* Runs while interpreted, counted by the dispatcher (smp/vcpu.c,
     * lazy_compile): it queues the block at the JIT threshold and moves it
     * to the front of the queue at JITQ_BOOST_RUNS more. */
    _Atomic uint32_t runs;
    /* Where a compile worker's queue put it (smp/jitq.c, under the
     * queue's lock). */
    uint32_t jitq_seq;
    /* --- private to sync/tcache.c --- */
    struct cds_lfht_node node;
    struct rcu_head rcu;
    struct TBlock *page_next;      /* blocks of the same physical page */
    struct TBlock *in_list;        /* blocks that chain to this one ... */
    struct TBlock *in_next[IR_CHAIN_SLOTS]; /* ... linked through their slot */
    struct TCache *tc;             /* owner, set on insert (counts the deferred free) */
    /* TB_PIN_*: a compile worker holds the block (tcache_pin). */
    _Atomic uint8_t pin;
    uint32_t bytes;                /* host memory it holds, counted against the bound */
    /* The ninsns guest instruction words it was translated from (malloc'd,
     * freed with the block), or NULL. Set by its maker before the insert;
     * an IC IVAU keeps the block while memory still holds these words
     * (tcache_invalidate_page_changed). */
    uint32_t *words;
} TBlock;

typedef struct TCache TCache;

typedef struct TCacheStats {
    uint64_t inserted, insert_races, invalidated, live;
    uint64_t freed;     /* invalidated blocks actually freed (after their grace period) */
    uint64_t limit;         /* the bound in bytes (0: none) */
    uint64_t bytes;         /* held by live blocks (metadata, IR, native code) */
    uint64_t peak_bytes;    /* the most `bytes` ever was */
    uint64_t pending_bytes; /* held by invalidated blocks waiting for their grace period */
    uint64_t flushes;       /* whole-cache flushes because the bound was reached */
    uint64_t flushed_bytes; /* bytes those flushes dropped */
    uint64_t kept;          /* blocks an IC IVAU found unchanged and kept */
    uint64_t ops_dropped;   /* blocks compiled from an optimized copy whose own ops were freed */
} TCacheStats;

TCache *tcache_create(void);
/* on_invalidate(opaque) runs after blocks are unlinked and before their grace
 * period starts (the machine uses it to have jump caches dropped). */
TCache *tcache_create_cb(void (*on_invalidate)(void *opaque), void *opaque);
/* A cache bounded to `limit` bytes (0: unbounded, as tcache_create_cb).
 * `code` (may be NULL) is the JIT code memory whose exhaustion also
 * flushes the cache (jit_code_take_exhausted); it must outlive the cache. */
TCache *tcache_create_bounded(uint64_t limit, struct JitCode *code, void (*on_invalidate)(void *opaque),
                              void *opaque);
void tcache_destroy(TCache *tc);
/* The default bound for a machine with ram_bytes of guest RAM on a host
 * with host_bytes of physical memory (docs/jit.md, "Translation cache
 * size"). Any thread. */
uint64_t tcache_default_limit(uint64_t ram_bytes, uint64_t host_bytes);

/* Allocate an empty block (caller fills pc/pa/flags and ir, then inserts). Any thread. */
TBlock *tb_alloc(void);
/* Free a block that was never inserted. Any thread. */
void tb_free_unpublished(TBlock *tb);

TBlock *tcache_lookup(TCache *tc, uint64_t pa, uint64_t pc, uint32_t flags);
/* Insert tb; if an equal key is already present, tb is freed and the
 * existing block is returned (one copy wins). If tb would take the cache
 * past its bound, the cache is flushed first (blocks the caller holds stay
 * valid until its next quiescent state, but are no longer chained to). */
TBlock *tcache_insert(TCache *tc, TBlock *tb);
/* The block whose native direct-branch exit set cpu->jit_last (an IRBlock
 * inside a TBlock). Native code reached it through patched jumps or the
 * jump cache, not through a lookup: this also tells ThreadSanitizer that it
 * was published (insert releases it; on x86 the jump's data dependency is
 * the acquire). vCPU threads, as for tcache_lookup. */
TBlock *tb_of_native_exit(const void *jit_last);
/* Make from->jmp[slot] point to `to` (both live; no-op if either is invalid). */
void tb_chain(TCache *tc, TBlock *from, int slot, TBlock *to);
/* tb, already published, has just been given native code (its native set,
 * with release): count its code against the bound, patch the chain sites
 * of the edges into and out of it that now join two native blocks, and
 * free its own ops after a grace period (the code carries the few it
 * hands the interpreter; cpu/jit_x86_ctx.h, Ctx.oplit). No-op for an
 * invalidated block. vCPU threads, as tb_chain, or a compile worker while
 * it is an online RCU reader (it calls call_rcu). */
void tcache_native_ready(TCache *tc, TBlock *tb);
/* Keep tb's memory past its grace period (a compile worker queues and then
 * compiles it, smp/jitq.c): true if the caller now holds it, false if
 * someone already does. The caller must have tb live (a vCPU thread, as for
 * tcache_lookup). tcache_unpin gives it back: if tb was invalidated and its
 * grace period ended meanwhile, the free the RCU callback left undone
 * happens there. Any thread, on a block it pinned. */
bool tcache_pin(TBlock *tb);
void tcache_unpin(TBlock *tb);
/* Drop every block whose code lies in the physical page of `pa` (4 KiB). */
void tcache_invalidate_page(TCache *tc, uint64_t pa);
/* The same for an instruction cache invalidation (IC IVAU): `page` is the
 * host address of that 4 KiB page's current contents (NULL: drop all).
 * Blocks whose `words` still match the page are kept: executing them is
 * executing what memory holds now. Any registered RCU thread. */
void tcache_invalidate_page_changed(TCache *tc, uint64_t pa, const void *page);
/* Drop every block. */
void tcache_flush_all(TCache *tc);
/* The same for IC IALLU: page_of(opaque, ppage) gives the host address of
 * a physical page's current contents (NULL: not RAM), and blocks whose
 * `words` it still holds are kept. Any registered RCU thread; page_of runs
 * on it. */
void tcache_flush_changed(TCache *tc, const void *(*page_of)(void *opaque, uint64_t ppage), void *opaque);
void tcache_get_stats(TCache *tc, TCacheStats *st);

/* The invalidation log: the pc of every block invalidated, in order, the
 * last TC_ILOG of them kept. Each core's jump cache catches up with it at
 * its next safe point (REQ_JC_INVAL) instead of being dropped whole. */
#define TC_ILOG 4096
/* Any thread: how many blocks have been invalidated so far (the log's end). */
uint64_t tcache_inval_seq(TCache *tc);
/* vCPU thread: fn(opaque, pc) for the pc of every block invalidated since
 * *seq, then *seq = the end. False, with nothing called and *seq at the end,
 * if more than TC_ILOG came since: the caller must drop everything. */
bool tcache_inval_since(TCache *tc, uint64_t *seq, void (*fn)(void *opaque, uint64_t pc), void *opaque);

#endif
