/* Cross-core work (see workq.h; protocols in docs/threading.md, "Cross-core
 * work"). Three pieces share one per-core state word (VCPUSync.state) and the
 * request word:
 *   - work queues: a mutex-protected FIFO per core, run by the core itself at
 *     its next safe point (REQ_WORK);
 *   - exclusive sections, after QEMU's start_exclusive: the owner counts the
 *     cores that are not asleep, kicks them (REQ_EXCL) and waits for each to
 *     acknowledge at a safe point; asleep cores are not counted and, on
 *     waking, see the section pending and wait for its end;
 *   - TLBI broadcast: precise TLB ops queued per target with a ticket; the
 *     issuer's DSB waits until every target's tlb_done reaches the ticket.
 *     Asleep targets get the op queued and VS_TLB_STALE, and run their
 *     queue when they wake; nobody waits for them.
 * The races between "is the core asleep?" and "the core wakes up" are closed
 * by seq_cst read-modify-writes on both sides (Dekker: each side writes its
 * own word, then reads the other's). */
#include "workq.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define _LGPL_SOURCE
#include <urcu-qsbr.h>

#include "../memory/mem.h"
#include "machine.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline VCPUSync *vs_of(CPUState *cpu)
{
    SMPSync *s = cpu->machine->sync;
    return s ? &s->v[cpu->index] : NULL;
}

bool smpsync_init(Machine *m)
{
    SMPSync *s = calloc(1, sizeof(*s));
    if (!s)
        return false;
    s->ncpus = m->ncpus;
    s->v = aligned_alloc(64, sizeof(VCPUSync) * (size_t)m->ncpus);
    if (!s->v) {
        free(s);
        return false;
    }
    memset(s->v, 0, sizeof(VCPUSync) * (size_t)m->ncpus);
    m->sync = s; /* before anything can fail: machine_destroy frees it */
    for (int i = 0; i < m->ncpus; i++) {
        VCPUSync *v = &s->v[i];
        pthread_mutex_init(&v->lock, NULL);
        atomic_init(&v->state, VS_ASLEEP); /* no thread yet: counts as stopped */
        v->need = calloc((size_t)m->ncpus, sizeof(uint64_t));
        if (!v->need)
            return false; /* the caller destroys the machine */
    }
    pthread_mutex_init(&s->excl_lock, NULL);
    pthread_cond_init(&s->excl_ack, NULL);
    pthread_cond_init(&s->excl_resume, NULL);
    return true;
}

void smpsync_destroy(Machine *m)
{
    SMPSync *s = m->sync;
    if (!s)
        return;
    for (int i = 0; i < s->ncpus; i++) {
        VCPUSync *v = &s->v[i];
        for (WorkItem *w = v->head, *n; w; w = n) {
            n = w->next;
            free(w);
        }
        free(v->need);
        pthread_mutex_destroy(&v->lock);
    }
    pthread_mutex_destroy(&s->excl_lock);
    pthread_cond_destroy(&s->excl_ack);
    pthread_cond_destroy(&s->excl_resume);
    free(s->v);
    free(s);
    m->sync = NULL;
}

/* ---------------- completions and queues ---------------- */

void workq_done_init(WorkDone *d, uint32_t n, CPUState *waiter)
{
    atomic_store(&d->pending, n);
    d->waiter = waiter;
}

static void done_signal(WorkDone *d)
{
    /* Read everything needed before the decrement: at 0 the sender may
     * free d. A futex wake on a freed address is harmless. */
    CPUState *w = d->waiter;
    if (atomic_fetch_sub(&d->pending, 1) != 1)
        return;
    if (w)
        vcpu_kick(w, REQ_DONE);
    else
        syscall(SYS_futex, &d->pending, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void workq_queue(CPUState *target, WorkFn fn, void *arg, WorkDone *done)
{
    VCPUSync *v = vs_of(target);
    if (!v) {
        /* No SMP state (unit-test machines): only the owner can be here. */
        fn(target, arg);
        if (done)
            done_signal(done);
        return;
    }
    WorkItem *w = malloc(sizeof(*w));
    if (!w)
        abort();
    w->fn = fn;
    w->arg = arg;
    w->done = done;
    w->next = NULL;
    pthread_mutex_lock(&v->lock);
    if (v->tail)
        v->tail->next = w;
    else
        v->head = w;
    v->tail = w;
    pthread_mutex_unlock(&v->lock);
    vcpu_kick(target, REQ_WORK);
}

bool workq_done_wait(Machine *m, WorkDone *d)
{
    for (;;) {
        uint32_t p = atomic_load(&d->pending);
        if (!p)
            return true;
        if (atomic_load(&m->stopping))
            return false;
        /* Bounded wait: a stopping machine does not wake this word. */
        struct timespec ts = {0, 50 * 1000 * 1000};
        syscall(SYS_futex, &d->pending, FUTEX_WAIT_PRIVATE, p, &ts, NULL, 0);
    }
}

void vcpu_wait_done(CPUState *cpu, WorkDone *d)
{
    VCPUSync *v = vs_of(cpu);
    if (v && atomic_load(&d->pending))
        v->wait_done = d;
}

/* Owner vCPU, at a safe point or waking from a sleep (VS_TLB_STALE): run
 * the TLB ops queued so far, in order, and tell their issuers (if any:
 * ops queued while the core slept have none, nobody waits for them). */
static void run_tlb_ops(CPUState *cpu, VCPUSync *v)
{
    Machine *m = cpu->machine;
    TLBOp ops[TLBQ_MAX];
    pthread_mutex_lock(&v->lock);
    uint32_t n = v->ntlb;
    bool all = v->tlb_all;
    uint64_t issuers = v->tlb_issuers, ticket = v->tlb_ticket;
    memcpy(ops, v->tlb_ops, n * sizeof(TLBOp));
    v->ntlb = 0;
    v->tlb_all = false;
    v->tlb_issuers = 0;
    pthread_mutex_unlock(&v->lock);

    if (all) {
        tlb_flush(cpu);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            switch (ops[i].kind) {
            case TLBOP_ALL: tlb_flush(cpu); break;
            case TLBOP_VA: tlb_flush_page(cpu, ops[i].va); break;
            case TLBOP_VA_ASID: tlb_flush_page_asid(cpu, ops[i].va, ops[i].asid); break;
            default: tlb_flush_asid(cpu, ops[i].asid); break;
            }
        }
    }
    if (issuers) {
        /* Release: the flush is done before an issuer's DSB sees the ticket. */
        atomic_store_explicit(&v->tlb_done, ticket, memory_order_release);
        for (int i = 0; i < m->ncpus && issuers; i++, issuers >>= 1)
            if (issuers & 1)
                vcpu_kick(m->cpus[i], REQ_DONE);
    }
}

/* Owner vCPU at a safe point: run the TLB ops and work items queued so far. */
static void run_pending(CPUState *cpu, VCPUSync *v)
{
    run_tlb_ops(cpu, v);
    pthread_mutex_lock(&v->lock);
    WorkItem *w = v->head;
    v->head = v->tail = NULL;
    pthread_mutex_unlock(&v->lock);
    while (w) {
        WorkItem *next = w->next;
        w->fn(cpu, w->arg);
        if (w->done)
            done_signal(w->done);
        free(w);
        w = next;
    }
}

/* ---------------- exclusive sections ---------------- */

/* Under excl_lock: this core was counted by the section being started and
 * is now at a safe point (or asleep). */
static void excl_ack(SMPSync *s, VCPUSync *v)
{
    v->has_waiter = false;
    if (atomic_fetch_sub(&s->excl_pending, 1) == 2)
        pthread_cond_broadcast(&s->excl_ack);
}

/* Owner vCPU at a safe point, running (not VS_ASLEEP), RCU online: while a
 * section is pending, acknowledge it if it counted us and wait for its end
 * (asleep and RCU offline, so that neither new sections nor grace periods
 * wait for us). */
static void excl_wait(CPUState *cpu, SMPSync *s, VCPUSync *v)
{
    if (!atomic_load(&s->excl_pending))
        return;
    uint64_t t0 = now_ns();
    pthread_mutex_lock(&s->excl_lock);
    while (atomic_load(&s->excl_pending)) {
        if (v->has_waiter)
            excl_ack(s, v);
        if (!atomic_load(&s->excl_pending))
            break;
        atomic_fetch_or(&v->state, VS_ASLEEP);
        rcu_thread_offline();
        while (atomic_load(&s->excl_pending))
            pthread_cond_wait(&s->excl_resume, &s->excl_lock);
        rcu_thread_online();
        /* Running again; a new section that starts from here counts us. */
        if (atomic_exchange(&v->state, 0) & VS_TLB_STALE)
            run_tlb_ops(cpu, v);
    }
    pthread_mutex_unlock(&s->excl_lock);
    cpu->stats.safepoint_wait_ns += now_ns() - t0;
}

void cpu_exclusive_start(Machine *m, CPUState *self)
{
    SMPSync *s = m->sync;
    if (!s)
        return;
    VCPUSync *sv = self ? &s->v[self->index] : NULL;
    uint64_t t0 = now_ns();
    pthread_mutex_lock(&s->excl_lock);
    /* Wait for another section to end; meanwhile we are asleep, so it does
     * not count us (we would never acknowledge while waiting here). */
    if (sv) {
        if (sv->has_waiter)
            excl_ack(s, sv);
        atomic_fetch_or(&sv->state, VS_ASLEEP);
    }
    while (atomic_load(&s->excl_pending))
        pthread_cond_wait(&s->excl_resume, &s->excl_lock);
    /* Dekker with vcpu_idle_end / excl_wait: pending is set before the
     * states are read; a waking core sets its state before reading pending. */
    atomic_store(&s->excl_pending, 1);
    int running = 0;
    for (int i = 0; i < s->ncpus; i++) {
        VCPUSync *v = &s->v[i];
        if (v == sv || (atomic_load(&v->state) & VS_ASLEEP))
            continue;
        v->has_waiter = true;
        running++;
    }
    atomic_fetch_add(&s->excl_pending, running);
    for (int i = 0; i < s->ncpus; i++)
        if (s->v[i].has_waiter)
            vcpu_kick(m->cpus[i], REQ_EXCL);
    while (atomic_load(&s->excl_pending) > 1)
        pthread_cond_wait(&s->excl_ack, &s->excl_lock);
    pthread_mutex_unlock(&s->excl_lock);
    if (self)
        self->stats.safepoint_wait_ns += now_ns() - t0;
}

void cpu_exclusive_end(Machine *m, CPUState *self)
{
    SMPSync *s = m->sync;
    if (!s)
        return;
    pthread_mutex_lock(&s->excl_lock);
    atomic_store(&s->excl_pending, 0);
    pthread_cond_broadcast(&s->excl_resume);
    pthread_mutex_unlock(&s->excl_lock);
    if (self && (atomic_exchange(&s->v[self->index].state, 0) & VS_TLB_STALE))
        run_tlb_ops(self, &s->v[self->index]);
}

/* ---------------- sleep state ---------------- */

void vcpu_idle_begin(CPUState *cpu)
{
    SMPSync *s = cpu->machine->sync;
    if (!s)
        return;
    VCPUSync *v = &s->v[cpu->index];
    atomic_fetch_or(&v->state, VS_ASLEEP);
    /* A section that read our state before the store above counted us:
     * we are at a safe point, acknowledge now rather than on waking. */
    if (atomic_load(&s->excl_pending)) {
        pthread_mutex_lock(&s->excl_lock);
        if (v->has_waiter)
            excl_ack(s, v);
        pthread_mutex_unlock(&s->excl_lock);
    }
}

void vcpu_idle_end(CPUState *cpu)
{
    SMPSync *s = cpu->machine->sync;
    if (!s)
        return;
    VCPUSync *v = &s->v[cpu->index];
    /* An RMW: a TLBI broadcast either set STALE before this (we flush) or
     * sees us running and queues its op (run at our next safe point). */
    if (atomic_exchange(&v->state, 0) & VS_TLB_STALE)
        run_tlb_ops(cpu, v);
    excl_wait(cpu, s, v);
}

/* ---------------- TLB broadcast ---------------- */

/* The core's own VCPUSync for the filter, NULL without SMP state (unit
 * tests' bare CPUs). */
static VCPUSync *filter_of(CPUState *cpu)
{
    return cpu->machine ? vs_of(cpu) : NULL;
}

void tlb_filter_note_asid(CPUState *cpu, uint16_t asid)
{
    VCPUSync *v = filter_of(cpu);
    if (!v)
        return;
    _Atomic uint64_t *w = &v->asid_seen[(asid % ASID_FILTER_BITS) / 64];
    const uint64_t bit = 1ull << (asid % 64);
    /* Only this thread writes the word: a bit it sees set is set for all. */
    if (!(atomic_load_explicit(w, memory_order_relaxed) & bit))
        atomic_fetch_or(w, bit); /* seq_cst: before the walk's reads */
}

bool tlb_filter_note_low_global(CPUState *cpu)
{
    VCPUSync *v = filter_of(cpu);
    if (!v || atomic_load_explicit(&v->low_global, memory_order_relaxed))
        return false;
    atomic_exchange(&v->low_global, true); /* seq_cst: before the walk again */
    return true;
}

void tlb_filter_reset(CPUState *cpu)
{
    VCPUSync *v = filter_of(cpu);
    if (!v)
        return;
    /* After the flush (program order): an issuer that reads a cleared bit
     * finds nothing of that ASID here, and a later walk sets it again first. */
    for (unsigned i = 0; i < ASID_FILTER_BITS / 64; i++)
        atomic_store_explicit(&v->asid_seen[i], 0, memory_order_release);
    atomic_store_explicit(&v->low_global, false, memory_order_release);
}

/* Can a TLBI of `kind` (by ASID, or by VA and ASID) change what core v
 * caches? Not if no walk there used the ASID since its last full flush,
 * unless a by-VA op may hit a global page: always in the upper half, in
 * the lower only if one was cached there. */
static bool tlb_op_reaches(const VCPUSync *v, enum TLBOpKind kind, uint64_t va, uint16_t asid)
{
    if (kind == TLBOP_ALL || kind == TLBOP_VA)
        return true;
    if (kind == TLBOP_VA_ASID && ((va >> 55 & 1) || atomic_load(&v->low_global)))
        return true;
    return tlb_filter_has_asid(v, asid);
}

void tlb_broadcast(CPUState *self, enum TLBOpKind kind, uint64_t va, uint16_t asid)
{
    Machine *m = self->machine;
    SMPSync *s = m->sync;
    if (!s || m->ncpus == 1)
        return;
    VCPUSync *sv = &s->v[self->index];
    self->stats.tlbi_broadcasts++;
    /* Dekker with tlb_filter_note_*: the guest's table write (before this
     * TLBI) is ordered before the filters are read; a target's filter write
     * before its walk's reads. Either the walk sees the new entry or the
     * target gets the op. */
    atomic_thread_fence(memory_order_seq_cst);
    for (int t = 0; t < m->ncpus; t++) {
        if (t == self->index)
            continue;
        VCPUSync *v = &s->v[t];
        if (!tlb_op_reaches(v, kind, va, asid)) {
            self->stats.tlbi_skipped++;
            continue;
        }
        /* Queued first, whether the target sleeps or runs: a sleeper runs
         * its queue when it wakes (VS_TLB_STALE), a runner at its next
         * safe point. Only a runner is waited for and kicked. */
        pthread_mutex_lock(&v->lock);
        if (kind == TLBOP_ALL || v->ntlb == TLBQ_MAX)
            v->tlb_all = true;
        if (!v->tlb_all)
            v->tlb_ops[v->ntlb++] = (TLBOp){.va = va, .asid = asid, .kind = (uint8_t)kind};
        /* The CAS after the append (both under the lock the waker takes
         * to read the queue): a waker that sees STALE sees the op. */
        uint32_t st = atomic_load(&v->state);
        bool lazy = false;
        while (st & VS_ASLEEP) {
            if (atomic_compare_exchange_weak(&v->state, &st, st | VS_TLB_STALE)) {
                lazy = true;
                break;
            }
        }
        if (lazy) {
            pthread_mutex_unlock(&v->lock);
            continue;
        }
        v->tlb_issuers |= 1ull << self->index;
        uint64_t ticket = ++v->tlb_ticket;
        pthread_mutex_unlock(&v->lock);
        sv->need[t] = ticket;
        sv->need_any = true;
        vcpu_kick(m->cpus[t], REQ_WORK);
    }
}

bool tlb_broadcast_complete(CPUState *self)
{
    SMPSync *s = self->machine->sync;
    if (!s)
        return true;
    VCPUSync *sv = &s->v[self->index];
    if (!sv->need_any)
        return true;
    for (int t = 0; t < s->ncpus; t++)
        if (sv->need[t] && atomic_load_explicit(&s->v[t].tlb_done, memory_order_acquire) < sv->need[t])
            return false;
    memset(sv->need, 0, sizeof(uint64_t) * (size_t)s->ncpus);
    sv->need_any = false;
    return true;
}

/* Owner vCPU (IR helper, in a block): DSB. Nothing outstanding: 0, the
 * block goes on. Otherwise 1: the block exits (to the next instruction) and
 * REQ_SYNC makes the dispatcher wait at a safe point. */
uint64_t helper_dsb(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    if (tlb_broadcast_complete(cpu))
        return 0;
    atomic_fetch_or(&cpu->request, REQ_SYNC);
    /* The block leaves at the next instruction: give back its instructions
     * after this DSB (imm, set by translate_block), counted on entry. */
    cpu->chain_budget += (int32_t)imm;
    return 1;
}

/* ---------------- the dispatcher's side ---------------- */

void workq_safepoint(CPUState *cpu, uint32_t req)
{
    VCPUSync *v = vs_of(cpu);
    if (!v)
        return;
    if (req & REQ_WORK)
        run_pending(cpu, v);
    if (req & REQ_EXCL)
        excl_wait(cpu, cpu->machine->sync, v);
    if (req & REQ_SYNC)
        v->sync_wait = true;
}

bool vcpu_blocked(CPUState *cpu)
{
    VCPUSync *v = vs_of(cpu);
    if (!v)
        return false;
    if (v->sync_wait) {
        if (!tlb_broadcast_complete(cpu))
            return true;
        v->sync_wait = false;
    }
    if (v->wait_done) {
        if (atomic_load(&v->wait_done->pending))
            return true;
        v->wait_done = NULL;
    }
    return false;
}

void vcpu_block_sleep(CPUState *cpu)
{
    vcpu_idle_begin(cpu);
    rcu_thread_offline();
    uint64_t t0 = now_ns();
    vcpu_sleep(cpu, UINT64_MAX);
    cpu->stats.safepoint_wait_ns += now_ns() - t0;
    rcu_thread_online();
    vcpu_idle_end(cpu);
}
