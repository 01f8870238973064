/* Compile workers (see jitq.h and docs/jit.md, "Compile workers").
 *
 * One bounded FIFO of pinned blocks under a mutex, and in front of it a
 * short stack of blocks that kept running on the interpreter while they
 * waited (jitq_boost), the latest first; workers sleep on a
 * condition variable when both are empty, and are signalled (wake_one)
 * for a batch of pushes or a boost, and only when one sleeps that no
 * signal is on its way to (a futex wake costs the vCPU a system call and,
 * on a VM host, an IPI). A worker
 * compiles with jit_compile_for on the machine's code memory and its own
 * scratch, exactly as the vCPU that reached the threshold would have:
 * the block is published, so the compile only reads its IR and stores
 * b->native last, with release; tcache_native_ready then counts the code
 * and patches the chain sites of the edges already recorded, under the
 * cache's chain lock (which keeps every block on those edges live), and
 * frees the block's own ops after a grace period if it was compiled from
 * an optimized copy. Workers are RCU readers only around that call (its
 * call_rcu): the only block a worker touches outside the chain lock is the
 * one it pinned. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "jitq.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <x86intrin.h>

#include "../cpu/jit_x86.h"
#include "../memory/hugemem.h"
#include "../sync/tcache.h"
#include "machine.h"

#define JITQ_SIZE 1024 /* a boot's burst of new blocks is a few hundred */
#define JITQ_HOT 64
#define JITQ_WAKE_BATCH 32 /* queued blocks that wake a sleeping worker */

struct JitQueue {
    JitTarget target; /* the machine and code memory; each worker has its own scratch */
    TCache *tc;
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    TBlock *ring[JITQ_SIZE]; /* NULL: a boosted block's old place */
    uint32_t head, tail; /* under lock; tail - head blocks queued */
    TBlock *hot[JITQ_HOT];
    uint32_t hhead, htail; /* under lock */
    uint32_t takes;        /* under lock: blocks taken by workers */
    int sleeping;        /* workers waiting on nonempty, under lock */
    int waking;          /* signals sent to them not yet taken (a worker back from its wait), under lock */
    bool stop;           /* under lock */
    bool held;           /* under lock: workers take nothing (jitq_hold) */
    int nthreads;
    int threads_started; /* for the counters: nthreads drops to 0 when stopped */
    pthread_t *threads;
    /* The heap prefault thread (prefault_main), for a machine's queue:
     * woken on pf_cond by a worker about to sleep that saw a core's heap
     * hint in a 2 MiB page other than pf_seen[core] (under lock). */
    bool pf_started;
    bool pf_kick; /* under lock */
    pthread_t pf_thread;
    pthread_cond_t pf_cond;
    uintptr_t *pf_seen;
    _Atomic uint64_t queued, compiled, failed, dropped, full, wakeups, boosted, compile_tsc;
};

/* The prefault thread (smp/jitq.h): a core's heap grows by
 * ~1.4 KB a new block, and the host zeroes each fresh huge page at its
 * first write, in the middle of a translation (on a VM host that backs
 * memory lazily, a hypervisor fault too: ~5% of a -smp 1 boot's samples in
 * the core's heap growth); faulted in here, the core does not stop for it. */
bool jitq_prefault_heaps(const Machine *m, uintptr_t *done)
{
    /* glibc's thread heaps are 64 MiB-aligned reservations: the page
     * ahead is populated only inside the one the hint is in (past the
     * heap's writable part it fails harmlessly). Populating never changes
     * what memory holds. */
    enum { HEAP_SPAN = 64 << 20 };
    bool any = false;
    for (int i = 0; i < m->ncpus; i++) {
        const uintptr_t hint = atomic_load_explicit(&m->cpus[i]->heap_hint, memory_order_relaxed);
        const uintptr_t page = hint & ~(uintptr_t)(HUGEMEM_ALIGN - 1);
        if (!hint || page == done[i])
            continue;
        done[i] = page;
        const uintptr_t next = page + HUGEMEM_ALIGN;
        if ((next & ~(uintptr_t)(HEAP_SPAN - 1)) == (page & ~(uintptr_t)(HEAP_SPAN - 1)))
            (void)madvise((void *)next, HUGEMEM_ALIGN, MADV_POPULATE_WRITE);
        any = true;
    }
    return any;
}

/* Under the lock, a worker about to sleep: has a core's heap hint moved to
 * another 2 MiB page since the prefault thread was last woken? Then wake
 * it (docs/jit.md, "Compile workers": a 2 MiB populate takes milliseconds
 * where fresh memory is slow, and a worker doing it itself let the blocks
 * queued meanwhile wait; busybox sha256sum's round loop ran on the
 * interpreter that long). */
static void kick_prefault(JitQueue *q)
{
    const Machine *m = q->target.machine;
    if (!q->pf_started)
        return;
    bool moved = false;
    for (int i = 0; i < m->ncpus; i++) {
        const uintptr_t page =
            atomic_load_explicit(&m->cpus[i]->heap_hint, memory_order_relaxed) & ~(uintptr_t)(HUGEMEM_ALIGN - 1);
        if (page && page != q->pf_seen[i]) {
            q->pf_seen[i] = page;
            moved = true;
        }
    }
    if (moved && !q->pf_kick) {
        q->pf_kick = true;
        pthread_cond_signal(&q->pf_cond);
    }
}

/* The heap prefault thread: jitq_prefault_heaps whenever a worker says a
 * hint moved, beside the workers rather than in their place. */
static void *prefault_main(void *arg)
{
    JitQueue *q = arg;
    pthread_setname_np(pthread_self(), "jit-prefault");
    const Machine *m = q->target.machine;
    uintptr_t *done = calloc((size_t)m->ncpus, sizeof(uintptr_t));
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->stop && !q->pf_kick)
            pthread_cond_wait(&q->pf_cond, &q->lock);
        if (q->stop)
            break;
        q->pf_kick = false;
        pthread_mutex_unlock(&q->lock);
        if (done)
            (void)jitq_prefault_heaps(m, done);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    free(done);
    return NULL;
}

/* A worker thread: compile queued blocks until stopped. */
static void *worker_main(void *arg)
{
    JitQueue *q = arg;
    pthread_setname_np(pthread_self(), "jit-compile"); /* for top -H, perf, gdb */
    /* A QSBR reader only while it hands the cache a compiled block (its
     * call_rcu); offline otherwise, so that it never holds up a grace
     * period. */
    rcu_register_thread();
    rcu_thread_offline();
    JitTarget t = q->target;
    t.scratch = jit_scratch_new(); /* NULL: the compile allocates its own */
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->stop && (q->held || (q->head == q->tail && q->hhead == q->htail))) {
            kick_prefault(q);
            q->sleeping++;
            pthread_cond_wait(&q->nonempty, &q->lock);
            q->sleeping--;
            if (q->waking > 0)
                q->waking--;
        }
        if (q->stop)
            break;
        /* The block boosted last; but every 8th take the one boosted
         * first, and every 32nd the FIFO's head, so that neither waits
         * forever behind a guest that keeps making new hot code. */
        const uint32_t turn = q->takes++;
        TBlock *tb;
        if (q->hhead == q->htail || (turn % 32 == 31 && q->head != q->tail))
            tb = q->ring[q->head++ % JITQ_SIZE];
        else if (turn % 8 == 7)
            tb = q->hot[q->hhead++ % JITQ_HOT];
        else
            tb = q->hot[--q->htail % JITQ_HOT];
        if (!tb)
            continue; /* boosted: compiled (or being compiled) already */
        pthread_mutex_unlock(&q->lock);
        /* An invalidated block can no longer be found: its code would
         * never run. */
        const uint64_t t0 = __rdtsc(); /* as translate_tsc: two clock_gettime calls were ~1% of a compile */
        if (atomic_load(&tb->invalid)) {
            atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
        } else if (jit_compile_for(&t, &tb->ir, tb->flags)) {
            rcu_thread_online(); /* its call_rcu (the block's dropped ops) */
            tcache_native_ready(q->tc, tb);
            rcu_thread_offline();
            atomic_fetch_add_explicit(&q->compiled, 1, memory_order_relaxed);
        } else {
            atomic_fetch_add_explicit(&q->failed, 1, memory_order_relaxed);
        }
        tcache_unpin(tb);
        atomic_fetch_add_explicit(&q->compile_tsc, __rdtsc() - t0, memory_order_relaxed);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    jit_scratch_free(t.scratch);
    rcu_unregister_thread();
    return NULL;
}

JitQueue *jitq_start(struct Machine *m, TCache *tc, struct JitCode *code, int n)
{
    JitQueue *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->target = (JitTarget){.machine = m, .code = code};
    q->tc = tc;
    q->threads = calloc((size_t)n, sizeof(pthread_t));
    if (!q->threads) {
        free(q);
        return NULL;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    pthread_cond_init(&q->pf_cond, NULL);
    /* The prefault thread first: a worker may look for it at once. Without
     * it (no memory, no thread) the workers only compile. */
    if (m && m->ncpus > 0 && (q->pf_seen = calloc((size_t)m->ncpus, sizeof(uintptr_t))) != NULL)
        q->pf_started = pthread_create(&q->pf_thread, NULL, prefault_main, q) == 0;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&q->threads[i], NULL, worker_main, q) != 0)
            break;
        q->nthreads++;
    }
    if (q->nthreads == 0) {
        jitq_free(q);
        return NULL;
    }
    q->threads_started = q->nthreads;
    return q;
}

/* Under the lock: is a worker asleep that no signal is on its way to? A
 * worker takes its time to come back from its wait when the host's CPUs
 * are busy, and each push or boost meanwhile signalled again: 15.7 K
 * futex wakes for 4.9 K boosts in a boot beside another build. */
static bool wake_worker(const JitQueue *q) { return q->sleeping > q->waking; }

/* Under the lock, when wake_worker: signal one worker, counted. */
static void wake_one(JitQueue *q)
{
    q->waking++;
    pthread_cond_signal(&q->nonempty);
    atomic_fetch_add_explicit(&q->wakeups, 1, memory_order_relaxed);
}

bool jitq_push(JitQueue *q, TBlock *tb)
{
    if (!tcache_pin(tb))
        return true; /* queued before (its run count wrapped): not twice, nor compiled here meanwhile */
    pthread_mutex_lock(&q->lock);
    if (q->stop || q->tail - q->head >= JITQ_SIZE) {
        pthread_mutex_unlock(&q->lock);
        tcache_unpin(tb); /* live: the caller holds it */
        atomic_fetch_add_explicit(&q->full, 1, memory_order_relaxed);
        return false;
    }
    tb->jitq_seq = q->tail;
    q->ring[q->tail++ % JITQ_SIZE] = tb;
    /* A sleeping worker is woken for a batch, or for a block that goes on
     * running (jitq_boost): a wake-up is a system call and, on a VM, an
     * IPI on this thread, and many blocks queued at the threshold never
     * run again (docs/jit.md, "Compile workers"). */
    if (wake_worker(q) && q->tail - q->head >= JITQ_WAKE_BATCH)
        wake_one(q);
    pthread_mutex_unlock(&q->lock);
    atomic_fetch_add_explicit(&q->queued, 1, memory_order_relaxed);
    return true;
}

void jitq_hold(JitQueue *q, bool held)
{
    pthread_mutex_lock(&q->lock);
    q->held = held;
    if (!held)
        pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

void jitq_boost(JitQueue *q, TBlock *tb)
{
    pthread_mutex_lock(&q->lock);
    const uint32_t s = tb->jitq_seq;
    /* Still waiting at its place (not popped, which would also let the
     * place be reused), and room in front. */
    if (!q->stop && s - q->head < q->tail - q->head && q->ring[s % JITQ_SIZE] == tb &&
        q->htail - q->hhead < JITQ_HOT) {
        q->ring[s % JITQ_SIZE] = NULL;
        q->hot[q->htail++ % JITQ_HOT] = tb;
        atomic_fetch_add_explicit(&q->boosted, 1, memory_order_relaxed);
        if (wake_worker(q))
            wake_one(q);
    }
    pthread_mutex_unlock(&q->lock);
}

void jitq_stop(JitQueue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stop = true;
    pthread_cond_broadcast(&q->nonempty);
    pthread_cond_broadcast(&q->pf_cond);
    pthread_mutex_unlock(&q->lock);
    for (int i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    q->nthreads = 0;
    if (q->pf_started)
        pthread_join(q->pf_thread, NULL);
    q->pf_started = false;
    /* The blocks nobody compiled: unpinned, or freed if their grace
     * period has passed. */
    while (q->hhead != q->htail) {
        tcache_unpin(q->hot[q->hhead++ % JITQ_HOT]);
        atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
    }
    while (q->head != q->tail) {
        TBlock *tb = q->ring[q->head++ % JITQ_SIZE];
        if (tb) {
            tcache_unpin(tb);
            atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
        }
    }
}

void jitq_free(JitQueue *q)
{
    if (!q)
        return;
    jitq_stop(q);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
    pthread_cond_destroy(&q->pf_cond);
    free(q->pf_seen);
    free(q->threads);
    free(q);
}

void jitq_get_stats(JitQueue *q, JitQueueStats *st)
{
    *st = (JitQueueStats){0};
    if (!q)
        return;
    st->queued = atomic_load(&q->queued);
    st->compiled = atomic_load(&q->compiled);
    st->failed = atomic_load(&q->failed);
    st->dropped = atomic_load(&q->dropped);
    st->full = atomic_load(&q->full);
    st->wakeups = atomic_load(&q->wakeups);
    st->boosted = atomic_load(&q->boosted);
    st->compile_tsc = atomic_load(&q->compile_tsc);
    st->threads = (uint64_t)q->threads_started;
}
