/* Cross-core work: per-core work queues run at safe points, "all other
 * cores stopped" exclusive sections, TLBI broadcast with completion at the
 * issuer's next DSB, and the run/sleep state that lets sleeping cores count
 * as stopped and have their TLB maintained lazily. Protocols and proofs of
 * no lost wake-up: docs/threading.md ("Cross-core work").
 *
 * Thread rules: every function says who may call it. "Safe point" means the
 * calling vCPU thread is in its dispatcher (all guest state in CPUState,
 * no pointer into the translation cache held). */
#ifndef FLOTILLA_WORKQ_H
#define FLOTILLA_WORKQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../cpu/cpu.h"

struct Machine;

typedef void (*WorkFn)(CPUState *cpu, void *arg);

/* A completion: the number of queued items not yet run. The sender owns it
 * and may free it once workq_done_wait returns (workers read `waiter`
 * before their final decrement and never touch it afterwards). */
typedef struct WorkDone {
    _Atomic uint32_t pending;  /* also the futex word of thread waiters */
    CPUState *waiter;          /* a vCPU waiting in its dispatcher (vcpu_wait_done), or NULL */
} WorkDone;

typedef struct WorkItem {
    WorkFn fn;
    void *arg;
    WorkDone *done;
    struct WorkItem *next;
} WorkItem;

/* A precise TLB operation sent by TLBI *IS. */
enum TLBOpKind { TLBOP_ALL, TLBOP_VA, TLBOP_VA_ASID, TLBOP_ASID };
typedef struct TLBOp {
    uint64_t va;
    uint16_t asid;
    uint8_t kind;
} TLBOp;

/* More queued TLB ops than this on one core collapse into a full flush. */
#define TLBQ_MAX 32
/* The ASID filter's size (bits; an ASID's bit is asid % ASID_FILTER_BITS). */
#define ASID_FILTER_BITS 4096

/* VCPUSync.state bits */
enum {
    VS_ASLEEP = 1u << 0,    /* at a safe point and not running guest code (WFI, parked, waiting) */
    VS_TLB_STALE = 1u << 1, /* a TLBI IS arrived while asleep: run the queued TLB ops before running */
};

typedef struct VCPUSync {
    pthread_mutex_t lock;      /* the queues below */
    WorkItem *head, *tail;     /* FIFO of generic work */
    TLBOp tlb_ops[TLBQ_MAX];   /* pending TLBI broadcasts (in order) */
    uint32_t ntlb;
    bool tlb_all;              /* overflow or VMALLE1IS: flush everything instead */
    uint64_t tlb_issuers;      /* cores (bit per index) whose broadcasts are queued */
    uint64_t tlb_ticket;       /* broadcasts queued so far (tickets 1, 2, ...) */
    _Atomic uint64_t tlb_done; /* every ticket <= this has been run */
    _Atomic uint32_t state;    /* VS_*: any thread, atomics */
    /* What this core's TLB may hold, for issuers to skip TLBIs by ASID that
     * cannot touch it (tlb_broadcast): the ASIDs of its walks since its last
     * full flush, and whether one of them cached a global page in the lower
     * (TTBR0) half. The owner sets them before the walk reads the tables and
     * clears them after a full flush; any thread reads them. */
    _Atomic uint64_t asid_seen[ASID_FILTER_BITS / 64];
    _Atomic bool low_global;
    bool has_waiter;           /* under SMPSync.excl_lock: the exclusive section counted us */
    /* ---- owner vCPU only ---- */
    uint64_t *need;            /* need[t]: ticket on core t that our next DSB waits for */
    bool need_any;
    bool sync_wait;            /* a DSB is waiting for need[] (REQ_SYNC taken) */
    WorkDone *wait_done;       /* vcpu_wait_done: the dispatcher waits for it */
} __attribute__((aligned(64))) VCPUSync;

typedef struct SMPSync {
    int ncpus;
    VCPUSync *v;
    pthread_mutex_t excl_lock;
    pthread_cond_t excl_ack;    /* the section owner waits for the acknowledgements */
    pthread_cond_t excl_resume; /* stopped cores wait for the section's end */
    _Atomic int excl_pending;   /* 0: no section; else 1 + cores that still have to stop */
} SMPSync;

/* Main thread, start-up (m->ncpus and m->cpus set). Every core starts
 * VS_ASLEEP until its thread calls vcpu_idle_end. false on allocation failure. */
bool smpsync_init(struct Machine *m);
/* Main thread, after every vCPU thread ended: frees queued work unrun. */
void smpsync_destroy(struct Machine *m);

/* ---- work queues ---- */

/* Any thread. Prepare `d` for n items; waiter = the vCPU that will wait in
 * its dispatcher (vcpu_wait_done), NULL for a non-vCPU thread. */
void workq_done_init(WorkDone *d, uint32_t n, CPUState *waiter);
/* Any thread. Queue fn(target, arg) to run on target's own thread at its
 * next safe point, in FIFO order; wakes the target if it sleeps or is
 * parked (powered-off cores run their work too, then park again). `done`
 * (optional) is decremented after fn returns. */
void workq_queue(CPUState *target, WorkFn fn, void *arg, WorkDone *done);
/* Non-vCPU thread (or a vCPU in a test that owns no guest): block until
 * d->pending is 0 or the machine stops; false if it stopped first. A vCPU
 * must use vcpu_wait_done instead (it must keep acknowledging others). */
bool workq_done_wait(struct Machine *m, WorkDone *d);
/* Owner vCPU: make the dispatcher wait (at a safe point, running its own
 * work and acknowledging exclusive sections) until d->pending is 0. */
void vcpu_wait_done(CPUState *cpu, WorkDone *d);

/* Owner vCPU at a safe point: act on the cross-core bits of `req` (a value
 * taken from cpu->request): REQ_WORK runs queued TLB ops and work items,
 * REQ_EXCL stops for an exclusive section until it ends, REQ_SYNC starts a
 * DSB wait. Other bits are ignored. */
void workq_safepoint(CPUState *cpu, uint32_t req);
/* Owner vCPU at a safe point: true while a DSB or vcpu_wait_done must keep
 * the core from running guest code. */
bool vcpu_blocked(CPUState *cpu);
/* Owner vCPU at a safe point: sleep until a request arrives (used while
 * vcpu_blocked). */
void vcpu_block_sleep(CPUState *cpu);

/* ---- run/sleep state (the dispatcher calls these around every sleep) ---- */

/* Owner vCPU at a safe point, before sleeping (and RCU offline): mark the
 * core asleep, acknowledge an exclusive section that counted it. */
void vcpu_idle_begin(CPUState *cpu);
/* Owner vCPU, after sleeping (RCU online again): mark the core running,
 * apply a lazy TLB flush, and wait while an exclusive section is active. */
void vcpu_idle_end(CPUState *cpu);

/* ---- exclusive sections ---- */

/* Owner vCPU at a safe point (self), or a non-vCPU thread (self = NULL):
 * return once every other core is stopped at a safe point or asleep
 * (sleeping cores are not woken: they cannot resume before the section
 * ends). Two callers at once are serialised. Must not be called from a
 * helper in the middle of a block: queue the work to yourself instead. */
void cpu_exclusive_start(struct Machine *m, CPUState *self);
/* Same thread as the matching start: let the other cores run again. */
void cpu_exclusive_end(struct Machine *m, CPUState *self);

/* ---- TLB maintenance broadcast ---- */

/* Owner vCPU (a TLBI *IS helper): send op to every other core. Running
 * cores get it queued (completed by this core's next DSB); sleeping or
 * parked cores get it queued and VS_TLB_STALE (run when they wake, not
 * waited for). */
void tlb_broadcast(CPUState *self, enum TLBOpKind kind, uint64_t va, uint16_t asid);
/* Owner vCPU: true if every broadcast this core sent has been run. */
bool tlb_broadcast_complete(CPUState *self);
/* Owner vCPU, before a table walk under `asid` (memory/tlb.c): the filter
 * gets the ASID first, so that an issuer that skips this core wrote its
 * table entry before the walk reads it (docs/threading.md, "TLBI broadcast"). */
void tlb_filter_note_asid(CPUState *cpu, uint16_t asid);
/* Owner vCPU, when a walk found a global page in the lower half (TTBR0):
 * issuers of TLBI VAE1IS there stop skipping us. true: newly noted, and the
 * caller walks again (so that it reads the tables after the note); false:
 * noted before (or no SMP state), the walk stands. */
bool tlb_filter_note_low_global(CPUState *cpu);
/* Owner vCPU, after a full TLB flush: nothing cached, the filter empties. */
void tlb_filter_reset(CPUState *cpu);
/* Any thread: may core v's TLB hold non-global entries of `asid`? */
static inline bool tlb_filter_has_asid(const VCPUSync *v, uint16_t asid)
{
    return atomic_load(&v->asid_seen[(asid % ASID_FILTER_BITS) / 64]) >> (asid % 64) & 1;
}

#endif
