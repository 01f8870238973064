/* The global exclusive monitor (see monitor.h for the slot protocol and
 * docs/atomics.md for the design, the races it closes and its cost).
 *
 * Summary: every granule slot has a version that is even when unlocked and
 * odd while one writer holds it. LDXR remembers the version; STXR succeeds
 * only by moving the slot from exactly that version to locked, so any
 * locked write in between (a plain store to an armed granule, an LSE atomic,
 * another core's STXR, a DMA write) fails it, whatever value it wrote.
 * Stores only pay for this when their granule's slot is armed; a slot is
 * armed on the first LDXR that maps to it and becomes usable for
 * reservations after an RCU grace period (when more than one vCPU exists),
 * so that no store that saw "not armed" can still be in flight. The same
 * goes for the host page of the granule: only stores to armed pages look at
 * the slots at all (their TLB write tags carry TLB_TAG_ARMED). */
#define _GNU_SOURCE /* pthread_setname_np */
#include "monitor.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu-qsbr.h>

#include "../smp/machine.h"

/* Sweep (disarm idle slots) when more than this fraction of slots is armed
 * (64 of 65536). Slots alias (host address modulo the table), so every armed
 * slot sends the plain stores of all its aliases to the locked path: with a
 * quarter allowed, a Linux boot took 12 M locked stores (~1% of its
 * instructions). Re-arming a swept slot costs a grace period on SMP, but an
 * LDXR waits for it in its dispatcher (monitor_wait_settled) instead of the
 * guest spinning on failed STXRs. */
#define MON_SWEEP_DIVISOR 1024
/* ... and when more than this many pages are armed: every store to an
 * armed page leaves the JIT's inline path for an out-of-line armed[] check,
 * and arming or disarming one makes every core re-tag its TLB. */
#define MON_SWEEP_PAGES 64

static inline void cpu_relax(void) { __builtin_ia32_pause(); }

static inline MonSlot *slot_of(Monitor *mon, const void *host)
{
    return &mon->slots[monitor_slot_index(mon, host)];
}

/* ---- slot lock (version odd = held) ---- */

/* The lock CAS is seq_cst (the same LOCK CMPXCHG on x86): it orders the
 * version change before the read of `waiters` in slot_unlock, which is what
 * makes WFE wake-ups reliable (see monitor_wfe_arm). */
static void slot_lock(MonSlot *sl)
{
    for (;;) {
        uint64_t v = atomic_load_explicit(&sl->version, memory_order_relaxed);
        if (!(v & 1) && atomic_compare_exchange_weak_explicit(&sl->version, &v, v + 1, memory_order_seq_cst,
                                                              memory_order_relaxed))
            return;
        cpu_relax();
    }
}

/* Cores asleep in WFE with a reservation on this slot were woken: their
 * monitor was just cleared (the "event when the global monitor is cleared"). */
static void wake_waiters(Monitor *mon, uint64_t w)
{
    struct Machine *m = mon->machine;
    if (!m || !m->cpus)
        return;
    for (int i = 0; i < m->ncpus; i++)
        if (w & (1ull << (i & 63)))
            vcpu_kick(m->cpus[i], REQ_EVENT);
}

static void slot_unlock(Monitor *mon, MonSlot *sl)
{
    /* Read while holding the slot: a waiter registered before our lock CAS
     * is seen here; one registering later sees the version changed. */
    uint64_t w = atomic_load_explicit(&sl->waiters, memory_order_seq_cst);
    /* Held: nobody else changes the version, a plain add is enough. */
    uint64_t v = atomic_load_explicit(&sl->version, memory_order_relaxed);
    atomic_store_explicit(&sl->version, v + 1, memory_order_release);
    if (__builtin_expect(w != 0, 0))
        wake_waiters(mon, w);
}

void monitor_lock(Monitor *mon, const void *host) { slot_lock(slot_of(mon, host)); }

void monitor_wake_waiters(Monitor *mon, uint64_t waiters) { wake_waiters(mon, waiters); }

void monitor_unlock(Monitor *mon, const void *host, bool fence)
{
    slot_unlock(mon, slot_of(mon, host));
    if (fence)
        atomic_thread_fence(memory_order_seq_cst);
}

bool monitor_trylock_version(Monitor *mon, const void *host, uint64_t ver)
{
    if (ver & 1) /* MON_VER_INVALID or a corrupt value: never matches a free slot */
        return false;
    MonSlot *sl = slot_of(mon, host);
    return atomic_compare_exchange_strong_explicit(&sl->version, &ver, ver + 1, memory_order_seq_cst,
                                                   memory_order_relaxed);
}

/* ---- the grace-period / sweeper thread ---- */

/* Queue a slot index and/or a page index | MON_GP_PAGE (UINT32_MAX: none)
 * together, so that they settle in the same grace period. */
static void gp_enqueue2(Monitor *mon, uint32_t a, uint32_t b)
{
    pthread_mutex_lock(&mon->gp_lock);
    /* Each slot is queued at most once (IDLE -> PENDING; only the monitor
     * thread sweeps slots, after it took its batch). A page settled by a
     * waiting core (monitor_settle) may be swept and armed again while its
     * entry waits: one entry covers both (the monitor thread reads the
     * page's epoch when it takes the batch), so the queue holds each page
     * once too. */
    if (a != UINT32_MAX)
        mon->gp_queue[mon->gp_n++] = a;
    if (b != UINT32_MAX && !mon->gp_page_queued[b & ~MON_GP_PAGE]) {
        mon->gp_page_queued[b & ~MON_GP_PAGE] = 1;
        mon->gp_queue[mon->gp_n++] = b;
    }
    pthread_cond_signal(&mon->gp_cond);
    pthread_mutex_unlock(&mon->gp_lock);
}

static void gp_enqueue(Monitor *mon, uint32_t idx) { gp_enqueue2(mon, idx, UINT32_MAX); }

/* Natively chained code reaches its dispatcher (its quiescent state) only
 * every ~32 K instructions: ask every core to stop by at its next block
 * entry. A sleeping core is offline already. */
static void ask_safepoints(Monitor *mon)
{
    Machine *m = mon->machine;
    if (m && m->cpus)
        for (int c = 0; c < m->ncpus; c++)
            if (m->cpus[c])
                vcpu_post(m->cpus[c], REQ_SAFEPOINT);
}

/* Slot i, STABLE, back to IDLE: invalidate reservations (version bump
 * under the lock), then stop stores from locking. A store that still sees
 * armed = 1 merely takes the slow path once more. */
static void disarm_slot(Monitor *mon, size_t i)
{
    MonSlot *sl = &mon->slots[i];
    slot_lock(sl);
    atomic_store_explicit(&sl->state, MON_DISARMING, memory_order_relaxed);
    atomic_store_explicit(&mon->armed[i], 0, memory_order_relaxed);
    atomic_store_explicit(&sl->state, MON_IDLE, memory_order_relaxed);
    slot_unlock(mon, sl);
    atomic_fetch_sub(&mon->narmed, 1);
    atomic_fetch_add(&mon->stats.disarms, 1);
}

/* Bytes i..i+7 of a state byte table (armed[], pages[]) in one relaxed load,
 * 0 when all eight are idle: the sweeps skip those eight at a time. The slot
 * sweep otherwise read every slot's cache line (4 MiB for 65536 slots), and
 * on SMP the monitor thread sweeps after grace periods. i is a multiple of
 * 8 and the tables are calloc'ed, so the load is aligned. */
static inline uint64_t bytes8(_Atomic uint8_t *t, uint32_t i)
{
    return __atomic_load_n((uint64_t *)(void *)&t[i], __ATOMIC_RELAXED);
}

/* Clock-style second chance: slots used since the last sweep survive. A
 * STABLE slot has armed = 1 (set after IDLE -> PENDING, cleared before
 * IDLE), so slots whose armed byte is 0 are never STABLE. */
static void sweep(Monitor *mon)
{
    atomic_fetch_add(&mon->stats.sweeps, 1);
    for (uint32_t w = 0; w < mon->nslots; w += 8) {
        if (!bytes8(mon->armed, w))
            continue;
        for (uint32_t i = w; i < w + 8; i++) {
            MonSlot *sl = &mon->slots[i];
            if (atomic_load_explicit(&sl->state, memory_order_relaxed) != MON_STABLE)
                continue;
            if (atomic_exchange_explicit(&sl->used, 0, memory_order_relaxed))
                continue;
            disarm_slot(mon, i);
        }
    }
}

/* Pages, as sweep does slots. A disarmed page becomes DISARMING (no new
 * reservation in it), then every slot its granules hash to is locked and
 * unlocked, failing every reservation there (and on the pages that alias
 * it), then IDLE: from then on stores may go to it on fast TLB tags, which
 * the cores get back lazily (gen). */
static void sweep_pages(Monitor *mon)
{
    const uintptr_t per_page = 1u << (MON_PAGE_SHIFT - MON_GRANULE_SHIFT);
    for (uint32_t i = 0; i < mon->npages; i++) {
        if (!(i & 7) && !bytes8(mon->pages, i)) {
            i += 7; /* eight IDLE pages */
            continue;
        }
        uint8_t st = atomic_load_explicit(&mon->pages[i], memory_order_relaxed);
        if ((st & (uint8_t)~MON_PAGE_USED) != MON_STABLE)
            continue;
        if (st & MON_PAGE_USED) {
            atomic_fetch_and_explicit(&mon->pages[i], (uint8_t)~MON_PAGE_USED, memory_order_relaxed);
            continue;
        }
        uint8_t exp = MON_STABLE;
        if (!atomic_compare_exchange_strong(&mon->pages[i], &exp, MON_DISARMING))
            continue; /* used just now */
        for (uintptr_t k = 0; k < per_page; k++) {
            MonSlot *sl = &mon->slots[(((uintptr_t)i * per_page) | k) & mon->mask];
            slot_lock(sl);
            slot_unlock(mon, sl);
        }
        atomic_store_explicit(&mon->pages[i], MON_IDLE, memory_order_seq_cst);
        atomic_fetch_add_explicit(&mon->gen, 1, memory_order_seq_cst);
        atomic_fetch_sub(&mon->npages_armed, 1);
        atomic_fetch_add(&mon->stats.page_disarms, 1);
    }
}

/* The monitor thread after a grace period, or (one vCPU) the arming core. */
static void sweep_if_full(Monitor *mon)
{
    if (atomic_load(&mon->narmed) > mon->nslots / MON_SWEEP_DIVISOR)
        sweep(mon);
    if (atomic_load(&mon->npages_armed) > MON_SWEEP_PAGES)
        sweep_pages(mon);
}

/* Under page_lock: page pi is PENDING (its USED bit aside). */
static bool page_pending_locked(Monitor *mon, uint32_t pi)
{
    return (atomic_load_explicit(&mon->pages[pi], memory_order_relaxed) & (uint8_t)~MON_PAGE_USED) == MON_PENDING;
}

/* Page pi, PENDING in arming episode `epoch` when a grace period began
 * that has now ended, becomes STABLE (and used) if it still is in that
 * episode; a page settled meanwhile, or swept and armed again (a later
 * epoch, whose arming that grace period may not cover), is left alone.
 * Returns true if it made the page STABLE. */
static bool page_settle(Monitor *mon, uint32_t pi, uint32_t epoch)
{
    pthread_mutex_lock(&mon->page_lock);
    const bool ok = page_pending_locked(mon, pi) && mon->page_epoch[pi] == epoch;
    if (ok)
        atomic_store_explicit(&mon->pages[pi], MON_STABLE | MON_PAGE_USED, memory_order_seq_cst);
    pthread_mutex_unlock(&mon->page_lock);
    return ok;
}

static void *gp_main(void *arg)
{
    pthread_setname_np(pthread_self(), "monitor-gp"); /* for top -H, perf, gdb */
    Monitor *mon = arg;
    /* The batch, and each page entry's epoch when the batch was taken. */
    uint32_t *batch = malloc(sizeof(uint32_t) * ((size_t)mon->nslots + mon->npages));
    uint32_t *bepoch = malloc(sizeof(uint32_t) * ((size_t)mon->nslots + mon->npages));
    if (!batch || !bepoch)
        abort();
    for (;;) {
        pthread_mutex_lock(&mon->gp_lock);
        while (!mon->gp_n && !mon->gp_stop)
            pthread_cond_wait(&mon->gp_cond, &mon->gp_lock);
        if (mon->gp_stop) {
            pthread_mutex_unlock(&mon->gp_lock);
            break;
        }
        uint32_t n = mon->gp_n;
        memcpy(batch, mon->gp_queue, n * sizeof(uint32_t));
        mon->gp_n = 0;
        for (uint32_t i = 0; i < n; i++)
            if (batch[i] & MON_GP_PAGE)
                mon->gp_page_queued[batch[i] & ~MON_GP_PAGE] = 0;
        pthread_mutex_unlock(&mon->gp_lock);
        /* Each page's epoch now: its arming, done before, is covered by
         * the grace period that starts after this. */
        pthread_mutex_lock(&mon->page_lock);
        for (uint32_t i = 0; i < n; i++)
            if (batch[i] & MON_GP_PAGE)
                bepoch[i] = mon->page_epoch[batch[i] & ~MON_GP_PAGE];
        pthread_mutex_unlock(&mon->page_lock);

        /* Every vCPU passes a quiescent state (its dispatcher, between
         * blocks) or is offline: any store that read armed == 0 (or used a
         * fast TLB write tag of a page) before we armed it is done and
         * visible (QSBR quiescent states are full barriers). After its
         * quiescent state a core re-tags its TLB before it runs guest code
         * again (gen moved before the page was queued).
         * Natively chained code reaches its dispatcher only every ~32 K
         * instructions, and a guest spinning in LDXR/STXR on a PENDING slot
         * would spin that long: ask every core to stop by (its next block
         * entry sees the request). A sleeping core is offline already. */
        ask_safepoints(mon);
        synchronize_rcu();
        atomic_fetch_add(&mon->stats.grace_periods, 1);
        for (uint32_t i = 0; i < n; i++) {
            if (batch[i] & MON_GP_PAGE)
                page_settle(mon, batch[i] & ~MON_GP_PAGE, bepoch[i]);
            else
                atomic_store_explicit(&mon->slots[batch[i]].state, MON_STABLE, memory_order_release);
        }

        sweep_if_full(mon);
    }
    free(batch);
    free(bepoch);
    return NULL;
}

/* ---- creation ---- */

Monitor *monitor_create(struct Machine *m, unsigned slots_log2)
{
    if (!slots_log2)
        slots_log2 = MON_DEFAULT_SLOTS_LOG2;
    Monitor *mon = calloc(1, sizeof(*mon));
    if (!mon)
        return NULL;
    mon->nslots = 1u << slots_log2;
    mon->mask = mon->nslots - 1;
    mon->armed = calloc(mon->nslots, 1);
    /* Pages that share a state byte must share the slots their granules
     * hash to (sweep_pages locks the slots of one page index): at least
     * slots_log2 - 6 bits of page number. */
    unsigned pages_log2 = MON_PAGES_LOG2;
    if (slots_log2 > pages_log2 + (MON_PAGE_SHIFT - MON_GRANULE_SHIFT))
        pages_log2 = slots_log2 - (MON_PAGE_SHIFT - MON_GRANULE_SHIFT);
    mon->npages = 1u << pages_log2;
    mon->pmask = mon->npages - 1;
    mon->pages = calloc(mon->npages, 1);
    mon->slots = aligned_alloc(64, sizeof(MonSlot) * mon->nslots);
    mon->gp_queue = calloc((size_t)mon->nslots + mon->npages, sizeof(uint32_t));
    mon->gp_page_queued = calloc(mon->npages, 1);
    mon->page_epoch = calloc(mon->npages, sizeof(uint32_t));
    if (!mon->armed || !mon->pages || !mon->slots || !mon->gp_queue || !mon->gp_page_queued || !mon->page_epoch) {
        free((void *)mon->armed);
        free((void *)mon->pages);
        free(mon->slots);
        free(mon->gp_queue);
        free(mon->gp_page_queued);
        free(mon->page_epoch);
        free(mon);
        return NULL;
    }
    memset(mon->slots, 0, sizeof(MonSlot) * mon->nslots);
    mon->machine = m;
    /* -det runs one core at a time: no store can race an arming LDXR. A
     * machine of several cores starts with core 0 alone (the secondaries
     * are parked until PSCI CPU_ON): solo until monitor_go_smp. */
    atomic_init(&mon->smp, false);
    atomic_init(&mon->solo, m && m->ncpus == 1);
    pthread_mutex_init(&mon->gp_lock, NULL);
    pthread_cond_init(&mon->gp_cond, NULL);
    pthread_mutex_init(&mon->page_lock, NULL);
    if (m && m->ncpus > 1 && !m->det) {
        if (pthread_create(&mon->gp_thread, NULL, gp_main, mon) != 0) {
            /* degrade: reservations become stable at once, slots stay armed */
            fprintf(stderr, "flotilla: cannot start the monitor thread\n");
        } else {
            mon->gp_started = true;
            atomic_store(&mon->solo, true);
        }
    }
    return mon;
}

void monitor_destroy(Monitor *mon)
{
    if (!mon)
        return;
    if (mon->gp_started) {
        pthread_mutex_lock(&mon->gp_lock);
        mon->gp_stop = true;
        pthread_cond_signal(&mon->gp_cond);
        pthread_mutex_unlock(&mon->gp_lock);
        pthread_join(mon->gp_thread, NULL);
    }
    pthread_mutex_destroy(&mon->gp_lock);
    pthread_cond_destroy(&mon->gp_cond);
    pthread_mutex_destroy(&mon->page_lock);
    free((void *)mon->armed);
    free((void *)mon->pages);
    free(mon->slots);
    free(mon->gp_queue);
    free(mon->gp_page_queued);
    free(mon->page_epoch);
    free(mon);
}

/* ---- reservations ---- */

bool monitor_settling(const Monitor *mon, const void *host)
{
    uint32_t st = atomic_load_explicit(&mon->slots[monitor_slot_index(mon, host)].state, memory_order_acquire);
    uint8_t pst = atomic_load_explicit(&mon->pages[monitor_page_index(mon, host)], memory_order_acquire) &
                  (uint8_t)~MON_PAGE_USED;
    return mon->smp && (st == MON_PENDING || st == MON_DISARMING || pst == MON_PENDING || pst == MON_DISARMING);
}

/* Arm page pi if it is IDLE (-> PENDING, gen and its epoch moved): true if
 * this call did. Under page_lock, so that whoever reads the page PENDING
 * with its epoch there also finds gen moved already (monitor_settle). */
static bool page_arm(Monitor *mon, size_t pi)
{
    pthread_mutex_lock(&mon->page_lock);
    for (;;) {
        uint8_t raw = atomic_load_explicit(&mon->pages[pi], memory_order_seq_cst);
        if ((raw & (uint8_t)~MON_PAGE_USED) != MON_IDLE) {
            pthread_mutex_unlock(&mon->page_lock);
            return false;
        }
        if (atomic_compare_exchange_strong(&mon->pages[pi], &raw, MON_PENDING))
            break;
    }
    /* After the page is armed: a core that re-tags on the new gen sees it. */
    atomic_fetch_add_explicit(&mon->gen, 1, memory_order_seq_cst);
    mon->page_epoch[pi]++;
    pthread_mutex_unlock(&mon->page_lock);
    atomic_fetch_add(&mon->npages_armed, 1);
    atomic_fetch_add(&mon->stats.page_arms, 1);
    return true;
}

/* The page half of monitor_reserve: true if the page of `host` is STABLE
 * (marked used); else arms it if IDLE (queued for a grace period on SMP,
 * STABLE at once on one vCPU, which then returns true). */
static bool page_reserve(Monitor *mon, size_t pi)
{
    for (;;) {
        uint8_t raw = atomic_load_explicit(&mon->pages[pi], memory_order_seq_cst);
        uint8_t st = raw & (uint8_t)~MON_PAGE_USED;
        if (st == MON_STABLE) {
            if (!(raw & MON_PAGE_USED))
                atomic_fetch_or_explicit(&mon->pages[pi], MON_PAGE_USED, memory_order_relaxed);
            return true;
        }
        if (st != MON_IDLE)
            return false;
        if (!page_arm(mon, pi))
            continue; /* someone else armed it: look again */
        if (mon->smp) {
            gp_enqueue(mon, (uint32_t)pi | MON_GP_PAGE);
            return false;
        }
        atomic_store_explicit(&mon->pages[pi], MON_STABLE | MON_PAGE_USED, memory_order_seq_cst);
        sweep_if_full(mon); /* one vCPU: no monitor thread sweeps */
        return true;
    }
}

void monitor_settle(Monitor *mon, const void *host, const _Atomic int *stop)
{
    MonSlot *sl = &mon->slots[monitor_slot_index(mon, host)];
    uint32_t e0 = atomic_load_explicit(&sl->epoch, memory_order_seq_cst);
    /* The page: PENDING in episode pe0, read under page_lock, so its
     * arming (gen moved) is done before the grace period below starts. */
    const uint32_t pi = (uint32_t)monitor_page_index(mon, host);
    bool page_pending = false;
    uint32_t pe0 = 0;
    if (mon->smp) {
        pthread_mutex_lock(&mon->page_lock);
        page_pending = page_pending_locked(mon, pi);
        pe0 = mon->page_epoch[pi];
        pthread_mutex_unlock(&mon->page_lock);
    }
    const bool slot_pending = mon->smp && atomic_load_explicit(&sl->state, memory_order_seq_cst) == MON_PENDING;
    if (slot_pending || page_pending) {
        /* This arming (armed = 1) was visible before the LDXR saw the slot
         * PENDING, so a grace period started now covers every store that
         * read "not armed": the one the monitor thread runs for its batch
         * would, only later (its wake-up, then this core's poll). Then, under
         * the slot's lock (no sweep can disarm it meanwhile), the slot
         * becomes STABLE if it is still PENDING in the same arming episode:
         * a slot swept and armed again during the grace period has a new
         * epoch, and this grace period may not cover its arming. The lock
         * moves the version, which only fails reservations that could not
         * succeed yet anyway (or, if the monitor thread made it STABLE just
         * before, makes one STXR fail, which Arm allows). The page the same
         * way, by its epoch under page_lock (page_settle): waiting for the
         * monitor thread instead was most of the wait at -smp 4, with
         * waits of up to 10 ms when that thread was not running. */
        ask_safepoints(mon);
        synchronize_rcu();
        if (slot_pending) {
            slot_lock(sl);
            if (atomic_load_explicit(&sl->epoch, memory_order_relaxed) == e0) {
                uint32_t sp = MON_PENDING;
                if (atomic_compare_exchange_strong(&sl->state, &sp, MON_STABLE))
                    atomic_fetch_add_explicit(&mon->stats.settled_inline, 1, memory_order_relaxed);
            }
            slot_unlock(mon, sl);
        }
        if (page_pending && page_settle(mon, pi, pe0))
            atomic_fetch_add_explicit(&mon->stats.pages_settled_inline, 1, memory_order_relaxed);
    }
    monitor_wait_settled(mon, host, stop); /* DISARMING, or a later episode: the monitor thread ends them */
}

void monitor_wait_settled(const Monitor *mon, const void *host, const _Atomic int *stop)
{
    struct timespec ts = {0, 20000};
    for (int i = 0; monitor_settling(mon, host) && !atomic_load_explicit(stop, memory_order_relaxed); i++) {
        if (i < 8)
            sched_yield(); /* the grace period usually ends within microseconds */
        else
            nanosleep(&ts, NULL);
    }
}

uint64_t monitor_reserve(Monitor *mon, const void *host)
{
    size_t idx = monitor_slot_index(mon, host);
    MonSlot *sl = &mon->slots[idx];
    for (;;) {
        uint64_t v = atomic_load_explicit(&sl->version, memory_order_seq_cst);
        if (v & 1) { /* a writer holds it: its write is about to land */
            cpu_relax();
            continue;
        }
        uint32_t st = atomic_load_explicit(&sl->state, memory_order_seq_cst);
        if (st == MON_STABLE) {
            if (!atomic_load_explicit(&sl->used, memory_order_relaxed))
                atomic_store_explicit(&sl->used, 1, memory_order_relaxed);
            /* The page after the version (seq_cst): a page sweep sets
             * DISARMING before it locks the slots, so either we see that or
             * the version returned is already stale. */
            if (!page_reserve(mon, monitor_page_index(mon, host)))
                return MON_VER_INVALID;
            return v;
        }
        if (st != MON_IDLE)
            return MON_VER_INVALID; /* PENDING (grace period running) or DISARMING */
        uint32_t idle = MON_IDLE;
        if (!atomic_compare_exchange_strong(&sl->state, &idle, MON_PENDING))
            continue; /* someone else is arming it: look again */
        atomic_fetch_add_explicit(&sl->epoch, 1, memory_order_seq_cst);
        atomic_store_explicit(&mon->armed[idx], 1, memory_order_relaxed);
        atomic_fetch_add(&mon->narmed, 1);
        atomic_fetch_add(&mon->stats.arms, 1);
        atomic_store_explicit(&sl->used, 1, memory_order_relaxed);
        if (mon->smp) {
            /* armed = 1 must be visible before the grace period starts. */
            atomic_thread_fence(memory_order_seq_cst);
            /* Its page too, if IDLE: both settle in one grace period (two
             * would also sweep twice, and a slot armed between them loses
             * its second chance). */
            size_t pi = monitor_page_index(mon, host);
            gp_enqueue2(mon, (uint32_t)idx, page_arm(mon, pi) ? (uint32_t)pi | MON_GP_PAGE : UINT32_MAX);
            return MON_VER_INVALID;
        }
        /* One vCPU runs (a one-core machine, or core 0 before the first
         * CPU_ON): no other core can be half-way through an unlocked store
         * (device writes always lock), so the slot is usable at once. No
         * grace-period thread sweeps meanwhile: sweep here (this slot is
         * used, so it survives). */
        atomic_store_explicit(&sl->state, MON_STABLE, memory_order_release);
        sweep_if_full(mon);
    }
}

/* With one vCPU running (monitor_go_smp not yet called), the only
 * reservation there can be is that core's, and once it has ended (a plain
 * store to the slot's granule, monitor_store_locked; or its STXR at a lock
 * word, monitor_stxr_solo) no one needs the slot until the next LDXR, and
 * leaving it armed until a sweep sent every later plain store to its
 * granules (typically the rest of a lock's cache line, and the unlock
 * itself) through monitor_store_locked: 4.9 M locked stores in the 4 MiB
 * busybox benchmark boot, 5% of its host time. The next LDXR re-arms the
 * slot at once (no grace period with one vCPU). Not once several vCPUs have
 * run, nor under -det: another core may hold a reservation on the slot. */
void monitor_release_solo(Monitor *mon, const void *host)
{
    if (!atomic_load_explicit(&mon->solo, memory_order_relaxed))
        return;
    size_t idx = monitor_slot_index(mon, host);
    if (atomic_load_explicit(&mon->slots[idx].state, memory_order_relaxed) == MON_STABLE)
        disarm_slot(mon, idx);
}

void monitor_stxr_solo(Monitor *mon, const void *host)
{
    if (!atomic_load_explicit(&mon->solo, memory_order_relaxed))
        return;
    MonSlot *sl = slot_of(mon, host);
    atomic_store_explicit(&sl->excl_host, (uintptr_t)host, memory_order_relaxed);
    if (atomic_load_explicit(&sl->plain_stored, memory_order_relaxed))
        monitor_release_solo(mon, host);
}

void monitor_go_smp(Monitor *mon)
{
    /* Slots armed so far are STABLE or IDLE (nothing waits for a grace
     * period in the solo phase); from here on they stay armed between
     * reservations, as on any SMP machine. The target core reads both
     * flags after the CPU_ON handoff (release/acquire on its start). */
    if (!mon || !mon->gp_started || !atomic_load(&mon->solo))
        return;
    atomic_store(&mon->smp, true);
    atomic_store(&mon->solo, false);
}

void monitor_idle_stores(Monitor *mon)
{
    if (!atomic_load_explicit(&mon->npages_armed, memory_order_relaxed))
        return;
    atomic_fetch_add_explicit(&mon->stats.idle_sweeps, 1, memory_order_relaxed);
    sweep_pages(mon);
}

/* ---- the store side ---- */

static void host_store(void *host, int size, uint64_t val)
{
    switch (size) {
    case 1: *(volatile uint8_t *)host = (uint8_t)val; break;
    case 2: { uint16_t v = (uint16_t)val; memcpy(host, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)val; memcpy(host, &v, 4); break; }
    default: memcpy(host, &val, 8); break;
    }
}

/* One vCPU, a plain store of [a, a + size): if it writes the word of the
 * slot's last STXR, that word is a lock's (its unlock): mark the slot. */
static void mark_lock_word(MonSlot *sl, uintptr_t a, int size)
{
    const uintptr_t x = atomic_load_explicit(&sl->excl_host, memory_order_relaxed);
    if (x >= a && x < a + (uintptr_t)size)
        atomic_store_explicit(&sl->plain_stored, 1, memory_order_relaxed);
}

void monitor_store_locked(Monitor *mon, void *host, int size, uint64_t val)
{
    uintptr_t a = (uintptr_t)host;
    size_t i0 = (a >> MON_GRANULE_SHIFT) & mon->mask;
    size_t i1 = ((a + (uintptr_t)size - 1) >> MON_GRANULE_SHIFT) & mon->mask;
    atomic_fetch_add_explicit(&mon->stats.locked_stores, 1, memory_order_relaxed);
    /* Two slots (granule-crossing store): lock in index order, no deadlock. */
    size_t lo = i0 < i1 ? i0 : i1, hi = i0 < i1 ? i1 : i0;
    slot_lock(&mon->slots[lo]);
    if (hi != lo)
        slot_lock(&mon->slots[hi]);
    host_store(host, size, val);
    if (hi != lo)
        slot_unlock(mon, &mon->slots[hi]);
    slot_unlock(mon, &mon->slots[lo]);
    if (atomic_load_explicit(&mon->solo, memory_order_relaxed)) {
        mark_lock_word(&mon->slots[lo], a, size);
        monitor_release_solo(mon, host);
        if (hi != lo) {
            mark_lock_word(&mon->slots[hi], a, size);
            monitor_release_solo(mon, (const uint8_t *)host + size - 1);
        }
    }
}

void monitor_write(Monitor *mon, void *host, const void *buf, size_t len)
{
    uint8_t *d = host;
    const uint8_t *s = buf;
    while (len) {
        size_t chunk = MON_GRANULE - ((uintptr_t)d & (MON_GRANULE - 1));
        if (chunk > len)
            chunk = len;
        MonSlot *sl = slot_of(mon, d);
        slot_lock(sl);
        memcpy(d, s, chunk);
        slot_unlock(mon, sl);
        d += chunk, s += chunk, len -= chunk;
    }
}

void monitor_notify_written(Monitor *mon, void *host, uint64_t size)
{
    uintptr_t a = (uintptr_t)host, end = a + (uintptr_t)(size ? size : 1);
    for (uintptr_t g = a & ~(uintptr_t)(MON_GRANULE - 1); g < end; g += MON_GRANULE) {
        size_t idx = (g >> MON_GRANULE_SHIFT) & mon->mask;
        if (!atomic_load_explicit(&mon->armed[idx], memory_order_relaxed))
            continue;
        MonSlot *sl = &mon->slots[idx];
        slot_lock(sl);
        slot_unlock(mon, sl);
    }
}

/* ---- WFE: the event of a cleared monitor ---- */

/* Protocol (no lost wake-up): the sleeper sets its bit in `waiters`, then
 * reads the version; a writer changes the version (lock CAS), then reads
 * `waiters` before unlocking. Both pairs are seq_cst, so either the writer
 * sees the bit and kicks REQ_EVENT (the sleeper's futex does not sleep or
 * is woken), or the sleeper sees the version moved and does not sleep. */
bool monitor_wfe_arm(Monitor *mon, const void *host, int cpu_index, uint64_t ver)
{
    if (ver & 1)
        return false; /* no valid reservation to watch: let the WFE complete */
    MonSlot *sl = slot_of(mon, host);
    atomic_fetch_or_explicit(&sl->waiters, 1ull << (cpu_index & 63), memory_order_seq_cst);
    if (atomic_load_explicit(&sl->version, memory_order_seq_cst) != ver) {
        monitor_wfe_disarm(mon, host, cpu_index);
        return false;
    }
    return true;
}

void monitor_wfe_disarm(Monitor *mon, const void *host, int cpu_index)
{
    atomic_fetch_and_explicit(&slot_of(mon, host)->waiters, ~(1ull << (cpu_index & 63)), memory_order_relaxed);
}
