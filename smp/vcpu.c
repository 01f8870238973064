/* The vCPU run loop: safe points, block lookup (jump cache -> shared cache
 * -> translate), chained execution, interrupt delivery, the generic timer's
 * deadline polling, sleeping in WFI/WFE and parking while powered off.
 *
 * Safe-point order matters for RCU: report the quiescent state first, then
 * read the request word. A writer that sets a request before starting a grace
 * period is then guaranteed to be seen before this core uses any pointer it
 * cached (jump cache, chains) from before that grace period.
 *
 * Cross-core work (smp/workq.c) is run at the same point; every sleep
 * (WFI/WFE, parked, waiting for other cores) is bracketed by
 * vcpu_idle_begin/vcpu_idle_end so that a sleeping core counts as stopped
 * for exclusive sections and gets its TLB maintenance lazily. */
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "../cpu/debug.h"
#include "../cpu/interp.h"
#include "../cpu/jit_x86.h"
#include "../cpu/translate.h"
#include "../devices/devices.h"
#include "../devices/timer.h"
#include "../memory/mem.h"
#include "../sync/monitor.h"
#include "../sync/tcache.h"
#include "gdbstub.h"
#include "jitq.h"
#include "machine.h"
#include "psci.h"
#include "trace.h"
#include "workq.h"

/* Guest instructions run back to back through chains (native jumps and this
 * loop) before the core returns to its safe point (and reports a quiescent
 * state) even with no request pending: ~30-100 us of guest time. */
#define CHAIN_INSNS 32768
/* The timer deadline is compared with the host clock once this many guest
 * instructions have run since the last comparison (a clock read is ~20 ns). */
#define TIMER_POLL_INSNS 8192

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vcpu_kick(CPUState *cpu, uint32_t req)
{
    /* No lost wake-up: the sleeper sets VS_ASLEEP (seq_cst RMW) before its
     * futex waits for the request word to be 0; we set the request bits
     * (seq_cst RMW) before reading the state. Either it sees our bits and
     * does not sleep, or we see it asleep and wake it. A running core only
     * costs the atomic OR, no system call. */
    atomic_fetch_or(&cpu->request, req);
    if (cpu->machine->det)
        det_kicked(cpu->machine, cpu, req);
    SMPSync *s = cpu->machine->sync;
    if (!s || (atomic_load(&s->v[cpu->index].state) & VS_ASLEEP))
        vcpu_wake(cpu);
}

void vcpu_post(CPUState *cpu, uint32_t req)
{
    atomic_fetch_or(&cpu->request, req);
}

/* Owner vCPU (tcache_inval_since's callback). */
static void jc_drop_pc(void *cpu, uint64_t pc) { tlb_jc_drop_pc(cpu, pc); }

static void handle_requests(CPUState *cpu)
{
    uint32_t req = atomic_exchange(&cpu->request, 0);
    if (req & REQ_FLUSH)
        tlb_flush(cpu);
    TCache *tc = cpu->machine->tcache;
    if (req & REQ_JC_FLUSH) {
        if (tc) /* everything invalidated so far goes now */
            cpu->jc_inval_seq = tcache_inval_seq(tc);
        tlb_jc_flush(cpu);
    } else if ((req & REQ_JC_INVAL) && (!tc || !tcache_inval_since(tc, &cpu->jc_inval_seq, jc_drop_pc, cpu))) {
        tlb_jc_flush(cpu); /* fell behind the log */
    }
    if (req & REQ_EVENT)
        cpu->event_register = true;
    if (req & REQ_EXIT)
        cpu->halted = true;
    if (req & REQ_DEBUG)
        gdb_vcpu_park(cpu); /* held by the gdb stub until it resumes this core */
    /* REQ_WORK (queued work and TLBI broadcasts; CPU_ON is read from the
     * PSCI slot), REQ_EXCL (stop for an exclusive section), REQ_SYNC (a DSB
     * waits). REQ_IRQ is only a hint: the dispatcher reads the GIC's level
     * at every pass (deliver_irq). REQ_DONE only wakes. */
    if (req & (REQ_WORK | REQ_EXCL | REQ_SYNC))
        workq_safepoint(cpu, req);
}

/* Owner vCPU. Raise the timer PPIs whose deadline has passed. */
static inline void poll_timer(CPUState *cpu)
{
    Machine *m = cpu->machine;
    if (!m->gtimer)
        return;
    GenericTimer *t = &m->gtimer[cpu->index];
    uint64_t d = gtimer_deadline(t);
    if (d != GT_NO_DEADLINE && syscounter_now_ns(m->counter) >= d)
        gtimer_update(t); /* raises the PPI: the GIC kicks this core */
}

/* Owner vCPU, at a safe point (cpu->pc is the next instruction). The GIC's
 * output level is the truth, not the request bit: an interrupt that stays
 * pending while PSTATE.I masks it is taken as soon as I is cleared (DAIF
 * writes and ERET end their block and set REQ_IRQ, so the next dispatcher
 * pass comes at once). */
static inline void deliver_irq(CPUState *cpu)
{
    Machine *m = cpu->machine;
    if (!(cpu->pstate & PSTATE_I) && machine_irq_pending(m, cpu->index)) {
        cpu_raise(cpu, EXC_IRQ, 0, 0);
        cpu->exc_pending = false;
        cpu->stats.irqs_taken++;
    }
}

/* Owner vCPU, at a safe point: bracket a sleep so that the core counts as
 * stopped for exclusive sections and as offline for RCU grace periods, and
 * its time is counted as idle. */
static uint64_t idle_enter(CPUState *cpu)
{
    vcpu_idle_begin(cpu);
    rcu_thread_offline();
    return now_ns();
}

static void idle_leave(CPUState *cpu, uint64_t t0)
{
    cpu->stats.idle_ns += now_ns() - t0;
    rcu_thread_online();
    vcpu_idle_end(cpu);
}

/* Owner vCPU, before a WFI/WFE sleep (as KVM's halt polling): spin until
 * `end` (host clock: the guest wait's start plus cpu->halt_poll_ns) for a
 * request (the GIC's kick, an event, another core's work) or the wait's
 * deadline (the timer's or the event stream's, on the counter's clock). A
 * host thread's wake-up from a futex is tens of us on a
 * VM, more than a guest's IPI round trip needs; a core that is still
 * spinning when it is kicked costs the kicker no system call either
 * (vcpu_kick sees it awake). The core is not idle meanwhile: it counts as
 * running for exclusive sections (a request ends the spin at once) and
 * reports quiescent states as the dispatcher does (it holds no RCU-protected
 * pointer here), so grace periods do not wait for the spin. true: woken
 * while spinning. */
static bool halt_poll(CPUState *cpu, uint64_t deadline, uint64_t end)
{
    Machine *m = cpu->machine;
    for (;;) {
        rcu_quiescent_state(); /* first, then the request word: the safe point's order */
        for (int i = 0; i < 64; i++) {
            if (atomic_load_explicit(&cpu->request, memory_order_relaxed) ||
                atomic_load_explicit(&m->stopping, memory_order_relaxed))
                return true;
            __builtin_ia32_pause();
        }
        if (now_ns() >= end)
            return false;
        if (deadline != GT_NO_DEADLINE && syscounter_now_ns(m->counter) >= deadline)
            return true;
    }
}

/* Owner vCPU, after a wait that spun its whole window and then slept,
 * `waited` ns since the guest's WFI/WFE began: a wake-up the spin missed
 * by less than the longest window (-halt-poll-ns) doubles it (from 10 us);
 * a longer one (an idle core: the next timer tick, a shell waiting for
 * input) drops it to 0, so an idle guest costs no host CPU. KVM's grow and
 * shrink. */
void vcpu_halt_poll_adapt(CPUState *cpu, uint64_t waited)
{
    uint32_t max = cpu->machine->opt.halt_poll_ns;
    if (waited > max)
        cpu->halt_poll_ns = 0;
    else
        cpu->halt_poll_ns = cpu->halt_poll_ns ? (cpu->halt_poll_ns > max / 2 ? max : 2 * cpu->halt_poll_ns)
                                              : (max < 10000 ? max : 10000);
}

/* Owner vCPU: WFI/WFE (cpu->sleeping), at a safe point. Completes the
 * instruction (clears cpu->sleeping) when the GIC signals an interrupt (WFI
 * wakes on a pending interrupt even when PSTATE.I masks it), or for WFE on
 * an event (SEV: REQ_EVENT) or an event-stream tick; otherwise sleeps, RCU
 * offline, until a request arrives or the next timer deadline, and leaves
 * the decision to the next pass (other requests do not end the wait). */
static void wfi_sleep(CPUState *cpu)
{
    Machine *m = cpu->machine;
    bool wfe = cpu->sleep_wfe;
    if (wfe && cpu->event_register) {
        cpu->event_register = false;
        cpu->sleeping = false;
        return;
    }
    uint64_t deadline = GT_NO_DEADLINE, ev = GT_NO_DEADLINE;
    if (m->gtimer) {
        GenericTimer *t = &m->gtimer[cpu->index];
        deadline = gtimer_update(t); /* raises a due timer's line first */
        if (wfe)
            ev = gtimer_evtstrm_deadline(t, cpu->cntkctl_el1);
    }
    /* WFI wakes on a pending interrupt even while PSTATE.I masks it; WFE
     * only on one it would take. A core that spins for a lock with its
     * interrupts masked (spin_lock_irqsave: WFE in the queued spinlock's
     * wait) and a timer interrupt pending would otherwise come straight
     * back here, and take the host CPU from the core that holds the lock. */
    if ((!m->gic && !m->gic2) || (machine_irq_pending(m, cpu->index) && (!wfe || !(cpu->pstate & PSTATE_I)))) {
        /* Without a GIC nothing could ever wake a WFI: do not hang. */
        cpu->sleeping = false;
        return;
    }
    /* WFE with a reservation: a write by another core that clears our
     * exclusive monitor is an event (the monitor kicks REQ_EVENT). */
    void *excl_host = NULL;
    if (wfe && cpu->excl_addr != EXCL_NONE && m->monitor)
        excl_host = phys_ram_ptr(&m->pm, cpu->excl_addr, 1);
    if (excl_host && !monitor_wfe_arm(m->monitor, excl_host, cpu->index, cpu->excl_ver)) {
        /* Already lost (or not yet valid: the granule is still being
         * armed): complete the WFE, the guest loop looks again. */
        cpu->sleeping = false;
        return;
    }
    if (m->det) {
        det_idle(cpu, ev < deadline ? ev : deadline); /* the baton goes on */
    } else {
        /* Spin first only with a host CPU for every core (a spinning core
         * would take one from a core with work otherwise). */
        const uint64_t until = ev < deadline ? ev : deadline;
        const bool poll = m->opt.halt_poll_ns && !m->yield_host;
        /* One window per guest wait: requests that are not for the guest
         * (another core's IC IVAU or TLBI posting its jump-cache and
         * safe-point requests) end a spin and bring the core back here,
         * and must not start the window again, or a core woken by nothing
         * the guest sees would spin for ever. */
        uint64_t t = poll ? now_ns() : 0;
        if (poll && !cpu->wait_since_ns)
            cpu->wait_since_ns = t;
        const uint64_t end = cpu->wait_since_ns + cpu->halt_poll_ns;
        const bool spin = poll && t < end;
        const bool woken = spin && halt_poll(cpu, until, end);
        if (spin)
            cpu->stats.halt_poll_ns += now_ns() - t;
        if (woken) {
            cpu->stats.halt_polls_woken++;
        } else {
            if (spin)
                cpu->stats.halt_polls_slept++;
            uint64_t t0 = idle_enter(cpu);
            vcpu_sleep(cpu, until);
            idle_leave(cpu, t0);
            if (poll)
                vcpu_halt_poll_adapt(cpu, now_ns() - cpu->wait_since_ns);
        }
    }
    if (excl_host)
        monitor_wfe_disarm(m->monitor, excl_host, cpu->index);
    if (ev != GT_NO_DEADLINE && syscounter_now_ns(m->counter) >= ev)
        cpu->sleeping = false; /* the event stream woke the WFE */
}

/* Owner vCPU: powered off (PSCI). Wait, RCU offline, for CPU_ON. */
static void park(CPUState *cpu)
{
    if (psci_take_cpu_on(cpu))
        return;
    if (cpu->machine->det) {
        det_idle(cpu, UINT64_MAX); /* CPU_ON kicks REQ_WORK: runnable again */
        return;
    }
    uint64_t t0 = idle_enter(cpu);
    vcpu_sleep(cpu, UINT64_MAX);
    idle_leave(cpu, t0);
}

/* Owner vCPU. Find or make the block for the current pc; one = a
 * one-instruction block (TBF_ONE, -det's exact budget). NULL if fetching
 * raised an exception (the pc then is the vector: just loop). */
static TBlock *find_block_n(CPUState *cpu, bool one)
{
    Machine *m = cpu->machine;
    uint64_t pc = cpu->pc;
    uint32_t flags = cpu_tb_flags(cpu) | (one ? TBF_ONE : 0);
    /* Alignment first: an emptied jump-cache entry holds pc ~0. */
    if (pc & 3) {
        cpu_raise(cpu, EXC_PC_ALIGN, 0, pc);
        return NULL;
    }
    JCEntry *je = &cpu->jc[jc_index(pc)];
    if (je->pc == pc && je->flags == flags && je->tb) {
        cpu->stats.jc_hits++;
        /* Compiled since it was cached (lazily, maybe by another core):
         * the probes in generated code jump to it from now on. */
        if (!je->code)
            je->code = ir_native(&je->tb->ir);
        return je->tb;
    }
    uint64_t pa;
    const uint32_t *code = mem_fetch_ptr(cpu, pc, &pa);
    if (!code)
        return NULL;
    cpu->stats.tcache_lookups++;
    TBlock *tb = tcache_lookup(m->tcache, pa, pc, flags);
    if (!tb) {
        cpu->stats.tcache_misses++;
        const uint64_t t0 = __rdtsc();
        tb = tb_alloc();
        atomic_store_explicit(&cpu->heap_hint, (uintptr_t)tb, memory_order_relaxed);
        tb->pc = pc;
        tb->pa = pa;
        tb->flags = flags;
        ir_block_init_scratch(&tb->ir, pc, &cpu->ir_scratch);
        uint32_t max = one ? 1 : (uint32_t)((0x1000 - (pc & 0xfff)) / 4);
        if (max > MAX_BLOCK_INSNS)
            max = MAX_BLOCK_INSNS;
        /* Translated from a copy, which the block keeps: an IC IVAU then
         * drops it only if memory no longer holds exactly what it was made
         * from (another core may write the page while we read it). */
        uint32_t words[MAX_BLOCK_INSNS];
        memcpy(words, code, max * sizeof(uint32_t));
        /* A loop trace reads the rest of its words from the page (the
         * block's words are then left in words[] in the order it runs them). */
        const uint32_t *page = one ? NULL : code - ((pc & 0xfff) >> 2);
        code = words;
        translate_block_traced(cpu, &tb->ir, pc, words, max, page);
        tb->ninsns = tb->ir.ninsns;
        tb->words = malloc(tb->ninsns * sizeof(uint32_t));
        if (tb->words)
            memcpy(tb->words, words, tb->ninsns * sizeof(uint32_t));
        const char *err = ir_verify(&tb->ir);
        if (err) {
            machine_log(m, "flotilla: internal error: IR verify failed at 0x%" PRIx64 ": %s\n", pc, err);
            ir_dump(&tb->ir, m->log);
            machine_request_stop(m, 70);
            tb_free_unpublished(tb);
            cpu->halted = true;
            return NULL;
        }
        tb->ir.verified = true;
        trace_translated(cpu, tb, code);
        cpu->stats.blocks_translated++;
        cpu->stats.loop_traces += tb->ir.pc2 != 0;
        cpu->stats.translate_tsc += __rdtsc() - t0;
        tb = tcache_insert(m->tcache, tb);
    }
    jc_fill(cpu, pc, flags, tb, ir_native(&tb->ir));
    return tb;
}

/* Owner vCPU: the ordinary block for the current pc (find_block_n). */
static TBlock *find_block(CPUState *cpu) { return find_block_n(cpu, false); }

/* Owner vCPU, before it interprets tb: count the run and compile tb at its
 * -jit-threshold'th (docs/jit.md, "Lazy compilation"). A third of a
 * Linux boot's 75 K blocks run once and another 11% two or three times,
 * while compiling one costs about as much as interpreting it 10-40 times.
 * The counter hands the compile to exactly one core (the one whose
 * increment reaches the threshold), which gives it to a compile worker
 * when there is one (smp/jitq.h) or compiles it itself; every core goes
 * on interpreting until the code is published. True if tb has native
 * code now. */
static bool lazy_compile(CPUState *cpu, TBlock *tb)
{
    const Machine *m = cpu->machine;
    if (m->opt.tier != TIER_JIT || m->opt.jit_threshold <= 1 || (tb->flags & TBF_STEP))
        return false;
    uint32_t n = atomic_fetch_add_explicit(&tb->runs, 1, memory_order_relaxed) + 1;
    if (n != m->opt.jit_threshold) {
        if (n == m->opt.jit_threshold + JITQ_BOOST_RUNS && m->jitq)
            jitq_boost(m->jitq, tb); /* still interpreted: queued, and hot */
        return false;
    }
    /* A compile worker takes it if there is one with room; the block runs
     * on the interpreter until its code is there. */
    if (m->jitq && jitq_push(m->jitq, tb))
        return false;
    if (!jit_compile(cpu, &tb->ir, tb->flags))
        return false;
    tcache_native_ready(m->tcache, tb);
    JCEntry *je = &cpu->jc[jc_index(tb->pc)];
    if (je->tb == tb)
        je->code = ir_native(&tb->ir);
    return true;
}

/* The budget of one pass: chained entries may run until it is spent. With
 * -d exec/cpu every block returns here (0: the first chained entry stops);
 * with -max-insns no pass runs (much) past the limit. */
static int32_t pass_budget(const CPUState *cpu, bool tracing)
{
    const Machine *m = cpu->machine;
    if (tracing)
        return 0;
    int64_t b = CHAIN_INSNS;
    if (m->det) {
        int64_t d = det_budget(cpu); /* the turn ends at a scheduling point */
        if (b > d)
            b = d;
    }
    if (m->opt.max_insns) {
        uint64_t left = m->opt.max_insns > cpu->stats.insns ? m->opt.max_insns - cpu->stats.insns : 0;
        if ((uint64_t)b > left)
            b = (int64_t)left;
    }
    /* A PMU counter with its overflow interrupt enabled (cpu/pmu.c): end
     * the pass where it wraps. */
    if (cpu->pmu.deadline) {
        uint64_t left = cpu->pmu.deadline > cpu->stats.insns ? cpu->pmu.deadline - cpu->stats.insns : 0;
        if ((uint64_t)b > left)
            b = (int64_t)left;
    }
    return (int32_t)b;
}

/* Owner vCPU only. A block was counted whole when entered; leaving it in
 * its middle leaves the rest unrun: give those back, so that the
 * instruction count (-stats, the PMU's INST_RETIRED) stays exact. `blk` is
 * the block that left (native code names it in jit_last on every exit),
 * `next` the first instruction that did not complete. */
static void uncount_unrun(CPUState *cpu, const IRBlock *blk, uint64_t next)
{
    if (!blk)
        return;
    cpu->chain_budget += (int32_t)ir_insns_from(blk, next);
}

/* Owner vCPU only. After a block exit that changed state: a synchronous
 * exception from an instruction in the middle (ELR = the faulting one, or
 * the one after an SVC/HVC/SMC; an illegal exception return, EC 0x0e, has
 * ELR outside its block), a gdb watchpoint's stop before an access
 * (cpu->pc = the accessing instruction, run again on resume; no exception,
 * so ELR means nothing), or an LDXR that left before itself to wait for its
 * monitor slot (cpu->pc = the LDXR, run again later). */
static void uncount_left_early(CPUState *cpu, const TBlock *tb, bool native, enum BlockExit bx)
{
    const IRBlock *blk = native ? cpu->jit_last : &tb->ir;
    if (bx == BX_EXCEPTION && cpu->gdb_watch_stop) {
        cpu->gdb_watch_stop = false;
        uncount_unrun(cpu, blk, cpu->pc);
    } else if (bx == BX_EXCEPTION && (cpu->esr_el1 >> 26) != 0x0e)
        uncount_unrun(cpu, blk, cpu->elr_el1);
    else if (bx == BX_EXIT && cpu->excl_wait)
        uncount_unrun(cpu, blk, cpu->pc);
}

void vcpu_loop(CPUState *cpu)
{
    Machine *m = cpu->machine;
    uint64_t next_timer_poll = 0;
    rcu_register_thread();
    if (m->opt.tier == TIER_JIT)
        cpu->jit_scratch = jit_scratch_new(); /* NULL: compiles allocate per block */
    if (m->det)
        det_enter(cpu); /* -det: run only with the baton (core 0 has it first) */
    vcpu_idle_end(cpu); /* running: exclusive sections count this core from now */
    while (!cpu->halted) {
        /* Without -det every pass is a point where interrupts are taken. */
        bool exact = true;
        if (m->det && !atomic_load_explicit(&m->stopping, memory_order_relaxed)) {
            /* -det: only exact points (an instruction count fixed by the
             * guest's own run, not by where blocks end or chains exist: see
             * det_exact_point) may act: the scheduler, the virtual clock,
             * the timer, interrupt delivery. Other passes (chain misses,
             * gdb breakpoints and steps, gdb stops) change nothing. */
            exact = det_exact_point(cpu);
            if (exact) {
                det_safepoint(cpu);
                poll_timer(cpu);
                cpu->det_last_exact = cpu->stats.insns;
            }
        }
        rcu_quiescent_state();
        if (atomic_load_explicit(&cpu->request, memory_order_acquire))
            handle_requests(cpu);
        if (cpu->halted || atomic_load_explicit(&m->stopping, memory_order_relaxed))
            break;
        if (m->psci && psci_core_parked(&m->psci[cpu->index])) {
            park(cpu);
            continue;
        }
        /* A DSB waiting for its TLBI broadcasts (or other awaited work):
         * no guest instruction, no interrupt, until it completes. */
        if (vcpu_blocked(cpu)) {
            if (m->det)
                det_idle(cpu, UINT64_MAX); /* the awaited cores need the baton */
            else
                vcpu_block_sleep(cpu);
            continue;
        }
        if (cpu->sleeping) {
            wfi_sleep(cpu);
            continue;
        }
        if (cpu->yield_pending) {
            /* YIELD (Machine.yield_host): the host may run a core this one
             * spins for. At the dispatcher, after the pass's quiescent state. */
            cpu->yield_pending = false;
            cpu->stats.host_yields++;
            sched_yield();
        }
        if (cpu->excl_wait) {
            /* An LDXR waits for its monitor slot's grace period: offline and
             * idle, so neither that grace period nor an exclusive section
             * waits for this core. Then the LDXR runs again. */
            uint64_t t0 = idle_enter(cpu);
            monitor_settle(m->monitor, cpu->excl_wait, &m->stopping);
            cpu->stats.settle_wait_ns += now_ns() - t0;
            idle_leave(cpu, t0);
            cpu->excl_wait = NULL;
            continue;
        }
        /* gdb's stepi does not enter an interrupt handler (gdb_step is on a
         * cold line: test the hot flag first), except under -det, where
         * that would change the run. */
        if (exact && (__builtin_expect(!(cpu->dbg_tbf & TBF_STEP), 1) || !cpu->gdb_step || m->det))
            deliver_irq(cpu);
        if (__builtin_expect(cpu->dbg_tbf != 0, 0) && debug_before_block(cpu))
            continue; /* a software-step exception was taken */
        TBlock *tb = find_block(cpu);
        if (!tb) {
            cpu->exc_pending = false;
            if (__builtin_expect(cpu->dbg_tbf & TBF_STEP, 0))
                debug_after_block(cpu, NULL); /* the stepped fetch faulted */
            continue;
        }
        /* Exceptions were taken while a PMU counter runs: attribute the
         * instructions so far to the EL they ran at before going on. */
        if (cpu->pmu.exc_from[0] | cpu->pmu.exc_from[1])
            pmu_sync(cpu);
        /* Run blocks back to back. Native code chains by itself (patched
         * jumps, inline jump-cache probes), each chained entry testing the
         * request word and taking its instructions off chain_budget; it
         * comes back here on a chain miss, which this loop resolves and
         * (within a page) patches. Interpreted blocks chain here. */
        /* Stores kept going out of line or locked on armed pages: sweep
         * them (monitor_idle_stores). Not under -det: the count is partly
         * the JIT's, and a sweep may fail a reservation, which must not
         * depend on the tier. */
        const uint64_t armed_stores = cpu->stats.jit.mem_armed + cpu->mem_locked;
        if (__builtin_expect(armed_stores - cpu->mem_armed_seen >= MON_IDLE_STORES, 0) && !m->det) {
            cpu->mem_armed_seen = armed_stores;
            monitor_idle_stores(m->monitor);
        }
        /* After this pass's quiescent state and any time offline: the write
         * tags of pages armed since then must send stores to the locked path
         * before any guest store runs (sync/monitor.h, docs/atomics.md). */
        tlb_sync_armed(cpu);
        bool tracing = machine_tracing(m, TRACE_EXEC | TRACE_CPU);
        int32_t budget0 = pass_budget(cpu, tracing && !m->det);
        if (tracing && m->det && budget0 > (int32_t)tb->ninsns)
            budget0 = (int32_t)tb->ninsns; /* one block per pass, and still exact */
        cpu->chain_budget = cpu->chain_budget0 = budget0;
        for (;;) {
            if (m->det && cpu->chain_budget < (int32_t)tb->ninsns && cpu->chain_budget > 0) {
                /* -det: the turn ends inside this block: run up to the
                 * exact count one instruction at a time. */
                TBlock *one = find_block_n(cpu, true);
                if (!one) {
                    cpu->exc_pending = false;
                    break;
                }
                tb = one;
            }
            if (tracing)
                trace_exec(cpu, tb);
            cpu->exc_pending = false;
            cpu->chain_budget -= (int32_t)tb->ninsns;
            cpu->stats.blocks_dispatched++;
            enum BlockExit bx;
            /* Which tier ran it: another core may compile it meanwhile. */
            bool native = ir_native(&tb->ir) || lazy_compile(cpu, tb);
            if (native) {
                cpu->jit_last = NULL;
                bx = jit_run(cpu, &tb->ir);
                /* A direct-branch exit names its block: chained code may
                 * have gone far from the one entered here. */
                if (bx_slot(bx) >= 0 && cpu->jit_last)
                    tb = tb_of_native_exit(cpu->jit_last);
            } else {
                cpu->stats.blocks_interpreted++;
                cpu->stats.interp_waiting += atomic_load_explicit(&tb->runs, memory_order_relaxed) > m->opt.jit_threshold;
                bx = interp_run_ir(cpu, &tb->ir);
            }
            if (__builtin_expect(tb->flags & TBF_STEP, 0)) {
                if (bx_slot(bx) < 0 && bx != BX_JUMP)
                    uncount_left_early(cpu, tb, native, bx);
                debug_after_block(cpu, tb); /* one instruction stepped */
                break;
            }
            if (bx_slot(bx) < 0 && bx != BX_JUMP) {
                uncount_left_early(cpu, tb, native, bx);
                break; /* EXIT or EXCEPTION: state changed, back to the dispatcher */
            }
            /* A safe point: the next block entry tests the request word.
             * Under -det a spent budget ends the pass here, exactly. */
            if (atomic_load_explicit(&cpu->request, memory_order_relaxed) || cpu->chain_budget < 0 ||
                (m->det && cpu->chain_budget == 0))
                break;
            if (bx == BX_JUMP) {
                /* Indirect branch (BR/BLR/RET): no state changed, so stay in
                 * this loop and look the target up through the jump cache. */
                TBlock *to = find_block(cpu);
                if (!to) {
                    cpu->exc_pending = false;
                    break;
                }
                tb = to;
                continue;
            }
            int slot = bx_slot(bx);
            TBlock *next = atomic_load_explicit(&tb->jmp[slot], memory_order_acquire);
            if (next && next->pc == cpu->pc && next->flags == cpu_tb_flags(cpu)) {
                tb = next;
                continue;
            }
            /* Chain only within one virtual page: the mapping of the source
             * page was valid when this block was found, so the target's is. */
            TBlock *to = find_block(cpu);
            if (!to) {
                cpu->exc_pending = false;
                break;
            }
            if ((to->pc & TLB_PAGE_MASK) == (tb->pc & TLB_PAGE_MASK))
                tb_chain(m->tcache, tb, slot, to);
            tb = to;
        }
        cpu->stats.insns += (uint64_t)((int64_t)budget0 - cpu->chain_budget);
        cpu->chain_budget0 = cpu->chain_budget;
        if (cpu->pmu.deadline && cpu->stats.insns >= cpu->pmu.deadline) {
            pmu_sync(cpu); /* the counter wrapped: overflow flag, PPI 23 */
            cpu->det_point = true; /* -det: the pass ended exactly there */
        }
        /* -det: the clock moves only at exact points, where the timer is
         * polled. */
        if (!m->det && cpu->stats.insns >= next_timer_poll) {
            poll_timer(cpu);
            next_timer_poll = cpu->stats.insns + TIMER_POLL_INSNS;
        }
        if (m->opt.max_insns && cpu->stats.insns >= m->opt.max_insns) {
            machine_log(m, "flotilla: cpu%d reached the instruction limit (%" PRIu64 ")\n", cpu->index,
                        m->opt.max_insns);
            machine_request_stop(m, 3);
            break;
        }
    }
    if (m->det)
        det_exit(cpu);
    /* Stopped for good: counts as asleep (acknowledges a pending section). */
    vcpu_idle_begin(cpu);
    ir_scratch_free(&cpu->ir_scratch);
    jit_scratch_free(cpu->jit_scratch);
    cpu->jit_scratch = NULL;
    rcu_unregister_thread();
}

uint64_t helper_wfi(CPUState *cpu, uint64_t is_wfe, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)b, (void)c, (void)imm;
    /* The block ends here (trans_HINT): under -det the next pass is an
     * exact point, whether or not the core sleeps. */
    cpu->det_point = true;
    if (is_wfe && cpu->event_register) {
        cpu->event_register = false;
        return 0;
    }
    /* The dispatcher decides at the next safe point whether to sleep. */
    cpu->sleeping = true;
    cpu->sleep_wfe = is_wfe != 0;
    cpu->wait_since_ns = 0;
    return 0;
}

/* Owner vCPU (a YIELD under Machine.yield_host, which ends its block). */
uint64_t helper_yield(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    cpu->yield_pending = true; /* the dispatcher yields at its next pass */
    return 0;
}

uint64_t helper_sev(CPUState *cpu, uint64_t local, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)b, (void)c, (void)imm;
    cpu->event_register = true;
    if (cpu->machine->det)
        det_switch_point(cpu); /* -det: SEV is a scheduling point */
    if (!local) {
        Machine *m = cpu->machine;
        for (int i = 0; i < m->ncpus; i++) {
            if (m->cpus[i] == cpu)
                continue;
            vcpu_kick(m->cpus[i], REQ_EVENT);
        }
    }
    return 0;
}
