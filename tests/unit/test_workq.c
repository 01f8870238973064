/* Unit tests for smp/workq.c: per-core work queues (FIFO order, completion
 * waiting, waking a sleeping core), exclusive sections (N running threads,
 * concurrent starters, sleeping participants counted without waking), TLBI
 * broadcast with DSB completion and lazy flushes of sleeping cores. The
 * "cores" are host threads running a miniature dispatcher loop (fake_loop)
 * built from the same calls smp/vcpu.c makes. Runs under scripts/tsan-tests.sh. */
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#define _LGPL_SOURCE
#include <urcu-qsbr.h>

#include "common.h"
#include "cpu/translate.h"
#include "smp/workq.h"

#define MAXC 8

typedef struct Rig {
    Machine m;
    CPUState *cpu[MAXC];
    pthread_t th[MAXC];
    _Atomic int sleepy[MAXC];      /* 1: the core sleeps (as in WFI) instead of running */
    _Atomic uint64_t runs[MAXC];   /* "guest code" passes */
    _Atomic int in_section;        /* an exclusive section is running */
    _Atomic int violations;        /* a core ran guest code during a section */
    _Atomic int stop;
    _Atomic int excl_iters;        /* >0: each core does that many exclusive sections */
    uint64_t shared_counter;       /* protected only by exclusivity */
    _Atomic int tlbi;              /* core 0: send one TLBI broadcast then DSB */
    _Atomic int tlbi_done;
} Rig;

static void fake_exclusive(Rig *r, CPUState *cpu)
{
    cpu_exclusive_start(&r->m, cpu);
    if (atomic_exchange(&r->in_section, 1))
        atomic_fetch_add(&r->violations, 1);
    r->shared_counter++;
    atomic_store(&r->in_section, 0);
    cpu_exclusive_end(&r->m, cpu);
}

/* A dispatcher loop as in smp/vcpu.c, without guest code. */
static void *fake_loop(void *arg)
{
    CPUState *cpu = arg;
    Rig *r = (Rig *)cpu->machine;
    int i = cpu->index;
    rcu_register_thread();
    vcpu_idle_end(cpu);
    int excl_left = atomic_load(&r->excl_iters);
    while (!atomic_load(&r->stop)) {
        rcu_quiescent_state();
        uint32_t req = atomic_exchange(&cpu->request, 0);
        workq_safepoint(cpu, req);
        if (vcpu_blocked(cpu)) {
            vcpu_block_sleep(cpu);
            continue;
        }
        if (atomic_load(&r->sleepy[i])) {
            vcpu_idle_begin(cpu);
            rcu_thread_offline();
            vcpu_sleep(cpu, UINT64_MAX);
            rcu_thread_online();
            vcpu_idle_end(cpu);
            continue;
        }
        if (excl_left > 0) {
            fake_exclusive(r, cpu);
            excl_left--;
            continue;
        }
        if (i == 0 && atomic_load(&r->tlbi) == 1) {
            tlb_broadcast(cpu, TLBOP_VA, 0x1000, 0);
            if (helper_dsb(cpu, 0, 0, 0, 0))
                atomic_store(&r->tlbi, 2); /* the next passes wait (REQ_SYNC) */
            else
                atomic_store(&r->tlbi_done, 1);
            continue;
        }
        if (i == 0 && atomic_load(&r->tlbi) == 2) {
            /* Only reached once vcpu_blocked said the DSB completed. */
            atomic_store(&r->tlbi, 0);
            atomic_store(&r->tlbi_done, 1);
        }
        /* "Guest code": must never run inside someone's section. */
        if (atomic_load(&r->in_section))
            atomic_fetch_add(&r->violations, 1);
        atomic_fetch_add(&r->runs[i], 1);
        sched_yield();
    }
    vcpu_idle_begin(cpu);
    rcu_unregister_thread();
    return NULL;
}

static Rig *rig_new(int n, int excl_iters)
{
    Rig *r = calloc(1, sizeof(*r));
    cr_assert_not_null(r);
    Machine *m = &r->m; /* first member: the loops cast back */
    pthread_mutex_init(&m->log_lock, NULL);
    pthread_mutex_init(&m->exit_lock, NULL);
    m->log = stderr;
    m->ncpus = n;
    m->cpus = r->cpu;
    for (int i = 0; i < n; i++) {
        CPUState *c = aligned_alloc(64, (sizeof(CPUState) + 63) & ~(size_t)63);
        cr_assert_not_null(c);
        memset(c, 0, sizeof(*c));
        c->index = i;
        c->machine = m;
        cpu_reset(c, RAM_BASE);
        r->cpu[i] = c;
    }
    cr_assert(smpsync_init(m));
    atomic_store(&r->excl_iters, excl_iters);
    return r;
}

static void rig_start(Rig *r)
{
    for (int i = 0; i < r->m.ncpus; i++)
        cr_assert_eq(pthread_create(&r->th[i], NULL, fake_loop, r->cpu[i]), 0);
}

static void rig_stop(Rig *r)
{
    atomic_store(&r->stop, 1);
    atomic_store(&r->m.stopping, 1);
    for (int i = 0; i < r->m.ncpus; i++)
        vcpu_kick(r->cpu[i], REQ_EXIT);
    for (int i = 0; i < r->m.ncpus; i++)
        pthread_join(r->th[i], NULL);
    smpsync_destroy(&r->m);
    for (int i = 0; i < r->m.ncpus; i++)
        free(r->cpu[i]);
    free(r);
}

static void wait_until(_Atomic uint64_t *ctr, uint64_t at_least)
{
    for (int k = 0; k < 20000 && atomic_load(ctr) < at_least; k++)
        usleep(100);
    cr_assert_geq(atomic_load(ctr), at_least, "a core never ran");
}

/* ---- work queues ---- */

typedef struct OrderLog {
    _Atomic int n;
    int seq[200];
    int ran_on[200];
} OrderLog;

typedef struct OrderArg {
    OrderLog *log;
    int k;
} OrderArg;

static void record(CPUState *cpu, void *arg)
{
    OrderArg *a = arg;
    int pos = atomic_fetch_add(&a->log->n, 1);
    a->log->seq[pos] = a->k;
    a->log->ran_on[pos] = cpu->index;
}

Test(workq, fifo_order_and_completion)
{
    Rig *r = rig_new(2, 0);
    rig_start(r);
    OrderLog log = {0};
    OrderArg args[200];
    WorkDone d;
    workq_done_init(&d, 200, NULL);
    for (int k = 0; k < 200; k++) {
        args[k] = (OrderArg){&log, k};
        workq_queue(r->cpu[1], record, &args[k], &d);
    }
    cr_assert(workq_done_wait(&r->m, &d));
    cr_assert_eq(atomic_load(&log.n), 200);
    for (int k = 0; k < 200; k++) {
        cr_assert_eq(log.seq[k], k, "item %d ran out of order", k);
        cr_assert_eq(log.ran_on[k], 1, "work runs on its target core");
    }
    rig_stop(r);
}

Test(workq, sleeping_core_is_woken_to_run_work)
{
    Rig *r = rig_new(3, 0);
    atomic_store(&r->sleepy[1], 1);
    atomic_store(&r->sleepy[2], 1);
    rig_start(r);
    usleep(2000);
    OrderLog log = {0};
    OrderArg a1 = {&log, 1}, a2 = {&log, 2};
    WorkDone d;
    workq_done_init(&d, 2, NULL);
    workq_queue(r->cpu[1], record, &a1, &d);
    workq_queue(r->cpu[2], record, &a2, &d);
    cr_assert(workq_done_wait(&r->m, &d));
    cr_assert_eq(atomic_load(&log.n), 2);
    cr_assert_eq(atomic_load(&r->runs[1]) + atomic_load(&r->runs[2]), 0, "sleepers ran work, not guest code");
    rig_stop(r);
}

/* A vCPU waits for work it sent to another core, in its dispatcher. */
static void send_and_wait(CPUState *cpu, void *arg)
{
    Rig *r = (Rig *)cpu->machine;
    static WorkDone d;
    static OrderLog log;
    static OrderArg a = {&log, 7};
    workq_done_init(&d, 1, cpu);
    workq_queue(r->cpu[1], record, &a, &d);
    vcpu_wait_done(cpu, &d);
    *(int *)arg = 1;
}

Test(workq, vcpu_waits_in_dispatcher)
{
    Rig *r = rig_new(2, 0);
    rig_start(r);
    int flag = 0;
    WorkDone d;
    workq_done_init(&d, 1, NULL);
    workq_queue(r->cpu[0], send_and_wait, &flag, &d);
    cr_assert(workq_done_wait(&r->m, &d));
    uint64_t before = atomic_load(&r->runs[0]);
    wait_until(&r->runs[0], before + 1); /* the wait ended */
    cr_assert_eq(flag, 1);
    rig_stop(r);
}

/* ---- exclusive sections ---- */

Test(workq, exclusive_from_outside_stops_all_running)
{
    Rig *r = rig_new(4, 0);
    rig_start(r);
    for (int i = 0; i < 4; i++)
        wait_until(&r->runs[i], 1);
    for (int it = 0; it < 30; it++) {
        cpu_exclusive_start(&r->m, NULL);
        uint64_t snap[4];
        for (int i = 0; i < 4; i++)
            snap[i] = atomic_load(&r->runs[i]);
        atomic_store(&r->in_section, 1);
        usleep(300);
        for (int i = 0; i < 4; i++)
            cr_assert_eq(atomic_load(&r->runs[i]), snap[i], "core %d ran during the section", i);
        atomic_store(&r->in_section, 0);
        cpu_exclusive_end(&r->m, NULL);
    }
    cr_assert_eq(atomic_load(&r->violations), 0);
    rig_stop(r);
}

Test(workq, concurrent_exclusive_starts)
{
    Rig *r = rig_new(4, 100);
    rig_start(r);
    /* Each core does 100 sections; the main thread does some too. */
    for (int it = 0; it < 50; it++) {
        cpu_exclusive_start(&r->m, NULL);
        if (atomic_exchange(&r->in_section, 1))
            atomic_fetch_add(&r->violations, 1);
        r->shared_counter++;
        atomic_store(&r->in_section, 0);
        cpu_exclusive_end(&r->m, NULL);
    }
    for (int i = 0; i < 4; i++)
        wait_until(&r->runs[i], 1); /* past its sections */
    cpu_exclusive_start(&r->m, NULL);
    cr_assert_eq(r->shared_counter, 450);
    cpu_exclusive_end(&r->m, NULL);
    cr_assert_eq(atomic_load(&r->violations), 0);
    rig_stop(r);
}

Test(workq, sleeping_cores_count_as_stopped)
{
    Rig *r = rig_new(4, 0);
    atomic_store(&r->sleepy[2], 1);
    atomic_store(&r->sleepy[3], 1);
    rig_start(r);
    wait_until(&r->runs[0], 1);
    wait_until(&r->runs[1], 1);
    usleep(2000); /* 2 and 3 are asleep */
    cpu_exclusive_start(&r->m, NULL); /* must not wait for (or wake) 2 and 3 */
    atomic_store(&r->in_section, 1);
    /* Wake a sleeper for good: it must not run before the section ends. */
    atomic_store(&r->sleepy[2], 0);
    vcpu_kick(r->cpu[2], REQ_IRQ);
    usleep(3000);
    cr_assert_eq(atomic_load(&r->runs[2]), 0, "a woken core resumed inside the section");
    atomic_store(&r->in_section, 0);
    cpu_exclusive_end(&r->m, NULL);
    wait_until(&r->runs[2], 1);
    cr_assert_eq(atomic_load(&r->violations), 0);
    rig_stop(r);
}

/* ---- TLBI broadcast ---- */

Test(workq, tlbi_broadcast_completes_at_dsb)
{
    Rig *r = rig_new(3, 0);
    atomic_store(&r->sleepy[2], 1);
    rig_start(r);
    wait_until(&r->runs[0], 1);
    wait_until(&r->runs[1], 1);
    usleep(2000);
    for (int it = 0; it < 20; it++) {
        atomic_store(&r->tlbi_done, 0);
        atomic_store(&r->tlbi, 1);
        for (int k = 0; k < 20000 && !atomic_load(&r->tlbi_done); k++)
            usleep(100);
        cr_assert(atomic_load(&r->tlbi_done), "the DSB never completed");
    }
    /* The sleeper was marked stale, not woken: it flushes when it wakes. */
    cr_assert(atomic_load(&r->m.sync->v[2].state) & VS_TLB_STALE);
    cr_assert_eq(atomic_load(&r->runs[2]), 0);
    atomic_store(&r->sleepy[2], 0);
    vcpu_kick(r->cpu[2], REQ_IRQ);
    wait_until(&r->runs[2], 1);
    cr_assert_eq(atomic_load(&r->m.sync->v[2].state) & VS_TLB_STALE, 0u);
    rig_stop(r);
    /* (stats are owner fields: read after the join, in rig_stop's frees) */
}

/* A sleeper's broadcasts are queued and run precisely when it wakes: only
 * the named page leaves its jump cache (and TLB), no full flush; past
 * TLBQ_MAX queued ops it flushes everything instead. */
Test(workq, sleeper_runs_queued_tlbi_on_waking)
{
    Rig *r = rig_new(2, 0);
    /* No thread started: core 1 is asleep, and this thread acts as both. */
    CPUState *c1 = r->cpu[1];
    uint64_t pa = 0x1000, pb = 0x5000;
    jc_fill(c1, pa + 8, 0, NULL, NULL);
    jc_fill(c1, pb + 8, 0, NULL, NULL);
    uint64_t flushes = c1->stats.tlb_flushes;
    tlb_broadcast(r->cpu[0], TLBOP_VA, pa, 0);
    cr_assert(atomic_load(&r->m.sync->v[1].state) & VS_TLB_STALE);
    cr_assert_eq(c1->jc[jc_index(pa + 8)].pc, pa + 8, "run before waking");
    vcpu_idle_end(c1);
    cr_assert_eq(atomic_load(&r->m.sync->v[1].state) & VS_TLB_STALE, 0u);
    cr_assert_eq(c1->jc[jc_index(pa + 8)].pc, ~0ull, "the named page stayed");
    cr_assert_eq(c1->jc[jc_index(pb + 8)].pc, pb + 8, "another page went");
    cr_assert_eq(c1->stats.tlb_flushes, flushes, "a full flush instead of the op");
    cr_assert_eq(helper_dsb(r->cpu[0], 0, 0, 0, 0), 0, "a sleeper's ops are not waited for");

    /* Asleep again; one op more than the queue holds: everything goes. */
    vcpu_idle_begin(c1);
    jc_fill(c1, pa + 8, 0, NULL, NULL);
    for (int i = 0; i <= TLBQ_MAX; i++)
        tlb_broadcast(r->cpu[0], TLBOP_VA, 0x100000 + (uint64_t)i * 0x1000, 0);
    vcpu_idle_end(c1);
    cr_assert_eq(c1->jc[jc_index(pb + 8)].pc, ~0ull);
    cr_assert_eq(c1->jc[jc_index(pa + 8)].pc, ~0ull);
    cr_assert_eq(c1->stats.tlb_flushes, flushes + 1);
    rig_stop(r);
}

Test(workq, dsb_with_nothing_outstanding_is_free)
{
    Rig *r = rig_new(2, 0);
    /* No thread started: core 0 is ours. */
    cr_assert_eq(helper_dsb(r->cpu[0], 0, 0, 0, 0), 0);
    cr_assert_eq(atomic_load(&r->cpu[0]->request), 0u);
    /* A broadcast to an asleep (not started) core is lazy: nothing to wait for. */
    tlb_broadcast(r->cpu[0], TLBOP_ALL, 0, 0);
    cr_assert_eq(helper_dsb(r->cpu[0], 0, 0, 0, 0), 0);
    cr_assert(atomic_load(&r->m.sync->v[1].state) & VS_TLB_STALE);
    rig_stop(r);
}

/* A TLBI by ASID skips a core whose walks never used that ASID since its
 * last full flush: nothing queued, nothing to wait for. By VA and ASID it
 * also needs no global page there: always sent for the upper half, and for
 * the lower once that core cached a global page there. */
Test(workq, tlbi_by_asid_skips_cores_without_it)
{
    Rig *r = rig_new(3, 0);
    /* No thread started: every core is asleep and this thread acts for all. */
    CPUState *c0 = r->cpu[0], *c1 = r->cpu[1], *c2 = r->cpu[2];
    VCPUSync *v1 = &r->m.sync->v[1], *v2 = &r->m.sync->v[2];
    tlb_filter_note_asid(c1, 5);
    tlb_broadcast(c0, TLBOP_ASID, 0, 5);
    cr_assert(atomic_load(&v1->state) & VS_TLB_STALE, "core 1 walked under ASID 5");
    cr_assert_eq(atomic_load(&v2->state) & VS_TLB_STALE, 0u, "core 2 never used ASID 5");
    cr_assert_eq(c0->stats.tlbi_skipped, 1);
    vcpu_idle_end(c1);
    vcpu_idle_begin(c1);

    const uint64_t low = 0x400000, high = 0xffff800008000000ull;
    tlb_broadcast(c0, TLBOP_VA_ASID, low, 7);
    cr_assert_eq(atomic_load(&v1->state) & VS_TLB_STALE, 0u);
    cr_assert_eq(atomic_load(&v2->state) & VS_TLB_STALE, 0u);
    tlb_broadcast(c0, TLBOP_VA_ASID, high, 7);
    cr_assert(atomic_load(&v1->state) & VS_TLB_STALE, "a global page may hold the upper-half VA");
    cr_assert(atomic_load(&v2->state) & VS_TLB_STALE);
    vcpu_idle_end(c1);
    vcpu_idle_begin(c1);
    vcpu_idle_end(c2);
    vcpu_idle_begin(c2);
    tlb_filter_note_low_global(c2);
    tlb_broadcast(c0, TLBOP_VA_ASID, low, 7);
    cr_assert_eq(atomic_load(&v1->state) & VS_TLB_STALE, 0u);
    cr_assert(atomic_load(&v2->state) & VS_TLB_STALE, "core 2 cached a global page in the lower half");
    vcpu_idle_end(c2);
    vcpu_idle_begin(c2);

    /* By VA for all ASIDs, and everything: every core. */
    tlb_broadcast(c0, TLBOP_VA, low, 0);
    cr_assert(atomic_load(&v1->state) & VS_TLB_STALE);
    vcpu_idle_end(c1); /* runs the queued op: TLB calls on core 1's own state */
    vcpu_idle_begin(c1);

    /* A full flush on core 1 (as its queued VMALLE1IS runs) empties its filter. */
    tlb_broadcast(c0, TLBOP_ALL, 0, 0);
    vcpu_idle_end(c1);
    vcpu_idle_begin(c1);
    tlb_broadcast(c0, TLBOP_ASID, 0, 5);
    cr_assert_eq(atomic_load(&v1->state) & VS_TLB_STALE, 0u, "the flush left ASID 5 in the filter");
    rig_stop(r);
}
