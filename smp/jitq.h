/* Compile workers: host threads that compile the blocks the vCPUs hand
 * them at their -jit-threshold'th run, while the vCPUs go on interpreting
 * those blocks (docs/jit.md, "Compile workers"; threads in
 * docs/threading.md).
 *
 * Thread rules, by function below. A queued block is pinned
 * (tcache_pin): its memory outlives an invalidation and its grace period
 * until the worker is done with it. */
#ifndef FLOTILLA_JITQ_H
#define FLOTILLA_JITQ_H

#include <stdbool.h>
#include <stdint.h>

struct JitCode;
struct Machine;
struct TBlock;
struct TCache;
typedef struct JitQueue JitQueue;

typedef struct JitQueueStats {
    uint64_t queued;   /* blocks handed to a worker */
    uint64_t compiled; /* ... that got native code */
    uint64_t failed;   /* ... that the compiler left to the interpreter */
    uint64_t dropped;  /* ... invalidated before their turn (not compiled) */
    uint64_t full;     /* pushes refused because the queue was full (the vCPU compiled) */
    uint64_t wakeups;  /* pushes (of the 32nd waiting block) and boosts that woke a sleeping worker */
    uint64_t boosted;  /* queued blocks moved to the front (jitq_boost) */
    uint64_t compile_tsc; /* host TSC ticks the workers spent compiling (-stats gives compile_ns) */
    uint64_t threads;  /* workers started */
} JitQueueStats;

/* The machine's thread, before the vCPU threads start: n (>= 1) workers
 * that compile into `code` the blocks of cache `tc`, for machine m (its
 * monitor, perf map and log; NULL in unit tests), and with a machine the
 * heap prefault thread ("jit-prefault", jitq_prefault_heaps). NULL if no
 * worker can be made (the vCPUs then compile themselves). */
JitQueue *jitq_start(struct Machine *m, struct TCache *tc, struct JitCode *code, int n);

/* A vCPU thread, on a block it holds (within its read-side section) whose
 * run count has just reached the threshold: queue it for a worker (a
 * sleeping one is woken once 32 blocks wait). True if a worker has it
 * (now, or already: the block is pinned); false if the queue is full or
 * stopping: the caller compiles it itself. */
bool jitq_push(JitQueue *q, struct TBlock *tb);

/* A vCPU thread, on a block it holds that was queued with jitq_push and
 * has run JITQ_BOOST_RUNS more times on the interpreter since: move it to
 * the front of the queue (the block boosted last is compiled first),
 * unless a worker has taken it already or the front is full (64 blocks),
 * and wake a sleeping worker for it. A block that keeps running while it
 * waits is hot, and the one boosted last is where the core is now: a
 * boot's longest waits were 2,000 and more interpreted runs of one block
 * (a loop's) behind hundreds of colder ones (docs/jit.md, "Compile
 * workers"). */
#define JITQ_BOOST_RUNS 8
void jitq_boost(JitQueue *q, struct TBlock *tb);

/* Any thread: while held, workers take no block (they finish the one
 * they have). For tests of the queue's order. */
void jitq_hold(JitQueue *q, bool held);

/* The machine's thread, once the vCPU threads have exited: stop and join
 * the workers and give back the blocks still queued (before
 * tcache_destroy). The counters stay readable until jitq_free. */
void jitq_stop(JitQueue *q);
void jitq_free(JitQueue *q);

/* Any thread. */
void jitq_get_stats(JitQueue *q, JitQueueStats *st);

/* The queue's heap prefault thread (started with the workers for a
 * machine's queue; woken by a worker about to sleep when a core's heap
 * hint has moved to another 2 MiB page), and tests: fault in the 2 MiB page
 * just past the one holding each core's CPUState.heap_hint (the block it
 * allocated last), where its malloc heap grows next, with
 * MADV_POPULATE_WRITE, unless that page is the one done[i] records (then
 * updated). Never changes memory's contents; a hint past writable memory
 * fails harmlessly. true: a hint had moved. done[] has m->ncpus entries. */
bool jitq_prefault_heaps(const struct Machine *m, uintptr_t *done);

#endif
