/* Unit tests for the global exclusive monitor (sync/monitor.c) and the
 * atomic layer (sync/atomic.c): LL/SC success, ABA safety (a same-value
 * store by another thread fails the store-exclusive), CLREX, exact counters
 * with two threads in LL/SC loops, LSE ops and alignment faults. */
#include <pthread.h>
#include <time.h>
#include <sched.h>

#include "common.h"
#include "cpu/translate.h"
#include "sync/atomic.h"
#include "sync/monitor.h"

/* A fake two-core machine so that arming takes the grace-period path (no
 * thread here is an RCU reader, so grace periods end at once). */
static Machine *fake_machine(int ncpus)
{
    Machine *m = calloc(1, sizeof(*m));
    cr_assert_not_null(m);
    m->ncpus = ncpus;
    return m;
}

/* The monitor of a machine of ncpus cores once a second one has been
 * started (monitor_go_smp: before that, core 0 runs alone). */
static Monitor *smp_monitor(Machine *m)
{
    Monitor *mon = monitor_create(m, 8);
    cr_assert_not_null(mon);
    monitor_go_smp(mon);
    return mon;
}

/* Reserve until the slot is stable (the first reserve arms it). */
static uint64_t reserve_stable(Monitor *mon, const void *p)
{
    for (int i = 0; i < 10000000; i++) {
        uint64_t v = monitor_reserve(mon, p);
        if (v != MON_VER_INVALID)
            return v;
        sched_yield();
    }
    cr_assert_fail("slot never became stable");
    return MON_VER_INVALID;
}

/* A successful STXR (the locked store of reservation ver, as atomic.c
 * does it), then a plain store to the word, which on one vCPU frees the
 * slot (monitor_store_locked: monitor_release_solo). */
static void stxr_and_release(Monitor *mon, uint64_t *p, uint64_t ver)
{
    cr_assert(monitor_trylock_version(mon, p, ver));
    monitor_unlock(mon, p, false);
    cr_assert(monitor_armed(mon, p, 8), "an STXR leaves the slot armed");
    monitor_guest_store(mon, p, 8, 0);
}

/* LL/SC increment through the monitor API, as atomic.c does it. */
static void llsc_inc(Monitor *mon, uint64_t *p)
{
    for (;;) {
        uint64_t ver = monitor_reserve(mon, p);
        uint64_t v = __atomic_load_n(p, __ATOMIC_RELAXED);
        if (monitor_trylock_version(mon, p, ver)) {
            __atomic_store_n(p, v + 1, __ATOMIC_RELAXED);
            monitor_unlock(mon, p, false);
            return;
        }
    }
}

Test(monitor, llsc_success_uniprocessor)
{
    Monitor *mon = monitor_create(NULL, 8);
    cr_assert_not_null(mon);
    uint64_t *cell = aligned_alloc(64, 64);
    *cell = 5;
    uint64_t ver = monitor_reserve(mon, cell);
    cr_assert_neq(ver, MON_VER_INVALID, "one core: a reservation is usable at once");
    cr_assert(monitor_trylock_version(mon, cell, ver));
    *cell = 6;
    monitor_unlock(mon, cell, false);
    /* The same reservation cannot be used twice. */
    cr_assert_not(monitor_trylock_version(mon, cell, ver));
    cr_assert_not(monitor_trylock_version(mon, cell, MON_VER_INVALID));
    free(cell);
    monitor_destroy(mon);
}

/* A machine of several cores starts with core 0 alone (the others parked
 * until PSCI CPU_ON): its reservations are usable at once and a plain store
 * frees the slot, as on one vCPU; from the first CPU_ON (monitor_go_smp)
 * arming waits for a grace period and slots stay armed. */
Test(monitor, several_cores_run_solo_until_cpu_on)
{
    Machine *m = fake_machine(2);
    Monitor *mon = monitor_create(m, 8);
    uint64_t *cell = aligned_alloc(64, 64);
    *cell = 0;
    uint64_t ver = monitor_reserve(mon, cell);
    cr_assert_neq(ver, MON_VER_INVALID, "core 0 alone: usable at once");
    stxr_and_release(mon, cell, ver);
    cr_assert_not(monitor_armed(mon, cell, 8), "the plain store after its STXR freed the slot");
    cr_assert_eq(atomic_load(&mon->stats.grace_periods), 0);
    monitor_go_smp(mon);
    cr_assert_eq(monitor_reserve(mon, cell), MON_VER_INVALID, "after CPU_ON arming waits for a grace period");
    stxr_and_release(mon, cell, reserve_stable(mon, cell));
    cr_assert(monitor_armed(mon, cell, 8), "and the slot stays armed, plain stores or not");
    cr_assert_geq(atomic_load(&mon->stats.grace_periods), 1);
    monitor_go_smp(mon); /* once only */
    cr_assert(atomic_load(&mon->smp) && !atomic_load(&mon->solo));
    free(cell);
    monitor_destroy(mon);
    free(m);
}

/* One LL/SC pass on one vCPU writing v at p: the reservation, the locked
 * store, then monitor_stxr_solo, as store_excl does it. */
static void solo_llsc_write(Monitor *mon, uint64_t *p, uint64_t v)
{
    uint64_t ver = monitor_reserve(mon, p);
    cr_assert(monitor_trylock_version(mon, p, ver));
    *p = v;
    monitor_unlock(mon, p, false);
    monitor_stxr_solo(mon, p);
}

/* One vCPU: an STXR leaves its slot armed, so an LL/SC loop on a word
 * nothing else stores to (a counter) re-arms nothing, and a plain store
 * beside it in the granule frees the slot once; a plain store to the word
 * of the last STXR (an unlock) frees the slot and marks it a lock word's,
 * whose later STXRs free it themselves, so that the unlock needs no lock. */
Test(monitor, one_vcpu_frees_lock_words_not_counters)
{
    Machine *m = fake_machine(1);
    Monitor *mon = monitor_create(m, 16); /* sweeps past 64 armed slots (with 8 bits, at every arm) */
    uint64_t *counter = aligned_alloc(64, 128), *lock = counter + 8;
    *counter = *lock = 0;
    for (int i = 0; i < 3; i++) {
        solo_llsc_write(mon, counter, *counter + 1);
        cr_assert(monitor_armed(mon, counter, 8), "a counter's slot stays armed (pass %d)", i);
    }
    cr_assert_eq(atomic_load(&mon->stats.arms), 1, "armed once for three LL/SC passes");
    monitor_guest_store(mon, counter + 1, 8, 7); /* a neighbour in the granule */
    cr_assert_not(monitor_armed(mon, counter, 8), "a store beside the counter frees its slot");
    for (int i = 0; i < 2; i++) {
        solo_llsc_write(mon, counter, *counter + 1);
        cr_assert(monitor_armed(mon, counter, 8), "but does not make the counter a lock word (pass %d)", i);
    }
    cr_assert_eq(atomic_load(&mon->stats.arms), 2, "armed again once");
    for (int i = 0; i < 3; i++) {
        solo_llsc_write(mon, lock, 1);
        cr_assert_eq(monitor_armed(mon, lock, 8), i == 0, "freed by its STXR from the second pass on (pass %d)", i);
        const uint64_t locked = atomic_load(&mon->stats.locked_stores);
        monitor_guest_store(mon, lock, 8, 0); /* the unlock */
        cr_assert_eq(atomic_load(&mon->stats.locked_stores) - locked, i == 0, "a locked unlock only the first time (pass %d)", i);
        cr_assert_not(monitor_armed(mon, lock, 8));
    }
    cr_assert(monitor_armed(mon, counter, 8), "the counter's slot is not the lock's");
    free(counter);
    monitor_destroy(mon);
    free(m);
}

Test(monitor, smp_arming_needs_grace_period)
{
    Machine *m = fake_machine(2);
    Monitor *mon = smp_monitor(m);
    uint64_t *cell = aligned_alloc(64, 64);
    *cell = 0;
    cr_assert_eq(monitor_reserve(mon, cell), MON_VER_INVALID, "first reserve only arms the slot");
    cr_assert(monitor_armed(mon, cell, 8));
    uint64_t ver = reserve_stable(mon, cell);
    cr_assert(monitor_trylock_version(mon, cell, ver));
    monitor_unlock(mon, cell, false);
    cr_assert_geq(atomic_load(&mon->stats.grace_periods), 1);
    free(cell);
    monitor_destroy(mon);
    free(m);
}

/* Armed pages: the first LDXR arms the granule's page with its slot, and
 * the monitor's gen moves (the cores' TLBs re-tag); a second granule of the
 * same page then reserves on the page's STABLE state; a granule in another
 * page arms that page (and waits for its grace period) even when its slot is
 * already stable. Sweeping pages (more than 64 armed, second chance) fails
 * the reservations in the pages it disarms and moves gen again. */
Test(monitor, pages_are_armed_and_swept)
{
    Machine *m = fake_machine(2);
    Monitor *mon = smp_monitor(m); /* 256 slots: granules 16 KiB apart share one */
    const size_t npg = 200;
    uint8_t *buf = aligned_alloc(4096, 4096 * npg);
    cr_assert_not_null(buf);
    memset(buf, 0, 4096 * npg);
    uint64_t g0 = atomic_load(&mon->gen);
    cr_assert_not(monitor_page_armed(mon, buf));
    cr_assert_eq(monitor_reserve(mon, buf), MON_VER_INVALID);
    cr_assert(monitor_page_armed(mon, buf + 4095), "the whole page is armed");
    cr_assert_not(monitor_page_armed(mon, buf + 4096));
    cr_assert_gt(atomic_load(&mon->gen), g0, "arming a page moves gen");
    uint64_t v0 = reserve_stable(mon, buf);
    uint64_t parms = atomic_load(&mon->stats.page_arms);
    (void)reserve_stable(mon, buf + 128);
    cr_assert_eq(atomic_load(&mon->stats.page_arms), parms, "same page: not armed again");
    /* The slot of buf + 16 KiB is the slot of buf (stable), but its page is new. */
    cr_assert_eq(monitor_reserve(mon, buf + 16384), MON_VER_INVALID, "new page: armed first");
    cr_assert(monitor_page_armed(mon, buf + 16384));
    (void)reserve_stable(mon, buf + 16384);
    /* Arm many more pages: past 64 armed, each grace period sweeps; the
     * first sweep clears buf's used bit, a later one disarms it. */
    for (size_t p = 5; p < npg; p++)
        (void)reserve_stable(mon, buf + 4096 * p);
    cr_assert_geq(atomic_load(&mon->stats.page_disarms), 1, "a sweep disarmed pages");
    cr_assert_not(monitor_page_armed(mon, buf), "buf's page, unused since, was disarmed");
    cr_assert_not(monitor_trylock_version(mon, buf, v0), "a disarmed page fails its reservations");
    cr_assert_lt(atomic_load(&mon->npages_armed), npg - 5);
    free(buf);
    monitor_destroy(mon);
    free(m);
}

/* monitor_idle_stores (a core's stores kept finding armed pages with no
 * armed granule): a page sweep with a second chance. A page reserved in
 * since the last sweep stays armed; one unused since is disarmed, its
 * reservations fail, and gen moves so that the cores re-tag their TLBs. */
Test(monitor, idle_stores_sweep_unused_pages)
{
    Machine *m = fake_machine(1);
    Monitor *mon = monitor_create(m, 8);
    uint8_t *buf = aligned_alloc(4096, 4 * 4096);
    cr_assert_not_null(buf);
    uint64_t va = monitor_reserve(mon, buf);
    cr_assert_neq(va, MON_VER_INVALID, "one core: usable at once");
    (void)monitor_reserve(mon, buf + 2 * 4096);
    cr_assert(monitor_page_armed(mon, buf) && monitor_page_armed(mon, buf + 2 * 4096));
    monitor_idle_stores(mon); /* both were used: only their used bits go */
    cr_assert(monitor_page_armed(mon, buf) && monitor_page_armed(mon, buf + 2 * 4096));
    (void)monitor_reserve(mon, buf + 2 * 4096 + 64);
    uint64_t g = atomic_load(&mon->gen);
    monitor_idle_stores(mon);
    cr_assert_not(monitor_page_armed(mon, buf), "unused since the last sweep: disarmed");
    cr_assert(monitor_page_armed(mon, buf + 2 * 4096), "reserved in since: kept");
    cr_assert_gt(atomic_load(&mon->gen), g, "the cores re-tag");
    cr_assert_not(monitor_trylock_version(mon, buf, va), "its reservation fails");
    cr_assert_eq(atomic_load(&mon->stats.idle_sweeps), 2);
    free(buf);
    monitor_destroy(mon);
    free(m);
}

/* An LDXR that finds its slot settling makes its vCPU wait (offline) in the
 * dispatcher instead of spinning: the slot is settling right after arming on
 * SMP, never on one core, and usable at once after the wait. */
Test(monitor, settling_slot_is_waited_for)
{
    Machine *m = fake_machine(2);
    Monitor *mon = smp_monitor(m);
    uint64_t *cell = aligned_alloc(64, 64);
    *cell = 0;
    cr_assert_eq(monitor_reserve(mon, cell), MON_VER_INVALID, "first reserve only arms the slot");
    _Atomic int stop = 0;
    monitor_wait_settled(mon, cell, &stop);
    cr_assert_not(monitor_settling(mon, cell), "settled after the wait");
    cr_assert_neq(monitor_reserve(mon, cell), MON_VER_INVALID, "usable at once after the wait");
    monitor_destroy(mon);
    free(m);

    Monitor *up = monitor_create(NULL, 8);
    cr_assert_neq(monitor_reserve(up, cell), MON_VER_INVALID);
    cr_assert_not(monitor_settling(up, cell), "one core: never settling");
    monitor_destroy(up);
    free(cell);
}

struct aba_arg {
    Monitor *mon;
    uint64_t *cell;
    uint64_t value;
};

static void *same_value_store(void *p)
{
    struct aba_arg *a = p;
    monitor_guest_store(a->mon, a->cell, 8, a->value);
    return NULL;
}

Test(monitor, aba_same_value_store_fails_stxr)
{
    Machine *m = fake_machine(2);
    Monitor *mon = smp_monitor(m);
    /* Two adjacent granules: the second one is in the next slot for sure. */
    uint64_t *cell = aligned_alloc(64, 128);
    *cell = 42;
    uint64_t ver = reserve_stable(mon, cell);
    uint64_t seen = *cell;
    /* Another thread writes the very value we read. */
    struct aba_arg arg = {mon, cell, seen};
    pthread_t th;
    pthread_create(&th, NULL, same_value_store, &arg);
    pthread_join(th, NULL);
    cr_assert_eq(*cell, 42);
    cr_assert_not(monitor_trylock_version(mon, cell, ver), "store-exclusive must fail after a same-value store");
    /* A store to another byte of the same granule fails it too. */
    ver = reserve_stable(mon, cell);
    monitor_guest_store(mon, (uint8_t *)cell + 63, 1, 0);
    cr_assert_not(monitor_trylock_version(mon, cell, ver));
    /* So does the post-store hook and a DMA-style write. */
    ver = reserve_stable(mon, cell);
    monitor_notify_written(mon, cell, 8);
    cr_assert_not(monitor_trylock_version(mon, cell, ver));
    ver = reserve_stable(mon, cell);
    uint64_t same = 42;
    monitor_write(mon, cell, &same, 8);
    cr_assert_not(monitor_trylock_version(mon, cell, ver));
    /* A store to a different granule (different slot) does not. */
    uint64_t *other = cell + MON_GRANULE / sizeof(uint64_t);
    ver = reserve_stable(mon, cell);
    monitor_guest_store(mon, other, 8, 1);
    cr_assert(monitor_trylock_version(mon, cell, ver));
    monitor_unlock(mon, cell, false);
    free(cell);
    monitor_destroy(mon);
    free(m);
}

#define INCS 200000

struct inc_arg {
    Monitor *mon;
    uint64_t *cell;
    int mode; /* 0: LL/SC loop, 1: locked RMW (what LSE does on an armed granule) */
};

static void *incrementer(void *p)
{
    struct inc_arg *a = p;
    for (int i = 0; i < INCS; i++) {
        if (a->mode == 0) {
            llsc_inc(a->mon, a->cell);
        } else {
            bool locked = monitor_armed(a->mon, a->cell, 8);
            if (locked)
                monitor_lock(a->mon, a->cell);
            __atomic_fetch_add(a->cell, 1, __ATOMIC_SEQ_CST);
            if (locked)
                monitor_unlock(a->mon, a->cell, false);
        }
    }
    return NULL;
}

static void run_counter(int mode_a, int mode_b)
{
    Machine *m = fake_machine(2);
    Monitor *mon = smp_monitor(m);
    uint64_t *cell = aligned_alloc(64, 64);
    *cell = 0;
    (void)reserve_stable(mon, cell); /* arm the slot before the race starts */
    struct inc_arg a = {mon, cell, mode_a}, b = {mon, cell, mode_b};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, incrementer, &a);
    pthread_create(&tb, NULL, incrementer, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_assert_eq(*cell, 2ull * INCS, "counter %llu", (unsigned long long)*cell);
    free(cell);
    monitor_destroy(mon);
    free(m);
}

Test(monitor, two_threads_llsc_exact_counter) { run_counter(0, 0); }
Test(monitor, llsc_vs_locked_rmw_exact_counter) { run_counter(0, 1); }

/* Stores racing with an LL/SC loop that increments: the final value is exact
 * only if no increment was lost to an ABA success. Thread B toggles a
 * separate word of the same granule, which never changes the counter. */
struct toggle_arg {
    Monitor *mon;
    uint64_t *word;
    _Atomic int *stop;
    _Atomic uint64_t stores;
};

static void *toggler(void *p)
{
    struct toggle_arg *a = p;
    while (!atomic_load(a->stop)) {
        monitor_guest_store(a->mon, a->word, 8, *a->word); /* same value every time */
        atomic_fetch_add(&a->stores, 1);
    }
    return NULL;
}

/* Page sweeps asked for by vCPU threads (monitor_idle_stores) race with
 * LL/SC loops on two pages: a sweep may fail reservations (the loops retry)
 * and re-arming waits for grace periods, but no increment is lost or
 * doubled. */
struct sweeper_arg {
    Monitor *mon;
    _Atomic int stop;
};

static void *sweeper(void *p)
{
    struct sweeper_arg *a = p;
    while (!atomic_load(&a->stop)) {
        monitor_idle_stores(a->mon);
        sched_yield();
    }
    return NULL;
}

/* LL/SC increments: INCS of them, and on until the sweeper has swept while
 * they run (a loaded 2-core host may not run it for the first INCS: the
 * test then checked nothing and failed 2% of the time), at most 20 s.
 * n: how many were made. */
struct sweep_inc_arg {
    Monitor *mon;
    uint64_t *cell;
    uint64_t n;
};

static void *sweep_incrementer(void *p)
{
    struct sweep_inc_arg *a = p;
    const time_t t0 = time(NULL);
    for (a->n = 0; a->n < INCS || (!atomic_load(&a->mon->stats.idle_sweeps) && time(NULL) - t0 < 20); a->n++)
        llsc_inc(a->mon, a->cell);
    return NULL;
}

/* The same LL/SC increment, but a reservation that is not usable yet waits
 * in monitor_settle, as a vCPU does at its dispatcher: the waiting thread
 * settles its slot and page in its own grace period, racing the monitor
 * thread's batches and the sweeps. */
static void *settling_incrementer(void *p)
{
    struct sweep_inc_arg *a = p;
    const _Atomic int stop = 0;
    const time_t t0 = time(NULL);
    for (a->n = 0; a->n < INCS || (!atomic_load(&a->mon->stats.idle_sweeps) && time(NULL) - t0 < 20); a->n++) {
        for (;;) {
            uint64_t ver = monitor_reserve(a->mon, a->cell);
            if (ver == MON_VER_INVALID) {
                monitor_settle(a->mon, a->cell, &stop);
                continue;
            }
            uint64_t v = __atomic_load_n(a->cell, __ATOMIC_RELAXED);
            if (monitor_trylock_version(a->mon, a->cell, ver)) {
                __atomic_store_n(a->cell, v + 1, __ATOMIC_RELAXED);
                monitor_unlock(a->mon, a->cell, false);
                break;
            }
        }
    }
    return NULL;
}

/* Two LL/SC loops (inc), each on its own page, against the sweeper: exact
 * counts, and the sweeper swept while they ran. The monitor, for more
 * checks. */
static Monitor *race_sweeps(Machine *m, void *(*inc)(void *))
{
    Monitor *mon = smp_monitor(m);
    uint8_t *buf = aligned_alloc(4096, 2 * 4096);
    uint64_t *c0 = (uint64_t *)buf, *c1 = (uint64_t *)(buf + 4096);
    *c0 = *c1 = 0;
    struct sweep_inc_arg a = {mon, c0, 0}, b = {mon, c1, 0};
    struct sweeper_arg sw = {mon, 0};
    pthread_t ta, tb, ts;
    pthread_create(&ts, NULL, sweeper, &sw);
    pthread_create(&ta, NULL, inc, &a);
    pthread_create(&tb, NULL, inc, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    atomic_store(&sw.stop, 1);
    pthread_join(ts, NULL);
    cr_assert_gt(atomic_load(&mon->stats.idle_sweeps), 0, "the sweeper swept while the loops ran");
    cr_assert_eq(*c0, a.n, "%llu increments of %llu", (unsigned long long)*c0, (unsigned long long)a.n);
    cr_assert_eq(*c1, b.n, "%llu increments of %llu", (unsigned long long)*c1, (unsigned long long)b.n);
    free(buf);
    return mon;
}

/* Pages swept while LL/SC loops that wait in monitor_settle re-arm them:
 * each re-arming is a new episode of the page (page_epoch), settled either
 * by the waiting thread or by the monitor thread, and never one whose
 * arming a grace period did not cover: no increment is lost or doubled. */
Test(monitor, settling_cores_race_page_sweeps)
{
    Machine *m = fake_machine(2);
    Monitor *mon = race_sweeps(m, settling_incrementer);
    cr_assert_geq(atomic_load(&mon->stats.page_arms), 2);
    monitor_destroy(mon);
    free(m);
}

Test(monitor, idle_sweeps_race_llsc_counters)
{
    Machine *m = fake_machine(2);
    monitor_destroy(race_sweeps(m, sweep_incrementer));
    free(m);
}

Test(monitor, same_value_stores_make_stxr_fail_under_contention)
{
    Machine *m = fake_machine(2);
    Monitor *mon = smp_monitor(m);
    uint64_t *cell = aligned_alloc(64, 64);
    cell[0] = 0;
    cell[1] = 7;
    (void)reserve_stable(mon, cell);
    _Atomic int stop = 0;
    struct toggle_arg ta = {mon, &cell[1], &stop, 0};
    pthread_t th;
    pthread_create(&th, NULL, toggler, &ta);
    /* Count failed store-exclusives: with a same-value writer in the granule
     * some must fail (a value-compare monitor would never fail here). */
    uint64_t fails = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t ver = monitor_reserve(mon, cell);
        uint64_t v = cell[0];
        for (volatile int d = 0; d < 50; d++)
            ;
        /* Every 100th round, wait until the other thread has stored for
         * sure: on a loaded host it may otherwise never run inside the
         * window, and the test must not depend on scheduling luck. */
        if (i % 100 == 0) {
            uint64_t seen = atomic_load(&ta.stores);
            while (atomic_load(&ta.stores) < seen + 2)
                sched_yield();
        }
        if (monitor_trylock_version(mon, cell, ver)) {
            cell[0] = v + 1;
            monitor_unlock(mon, cell, false);
        } else {
            fails++;
        }
    }
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    cr_assert_gt(fails, 0);
    cr_assert_eq(cell[0] + fails, 100000);
    free(cell);
    monitor_destroy(mon);
    free(m);
}

/* ---- through the atomic layer, on a test machine's guest RAM ---- */

#define VA (RAM_BASE + 0x1000)

Test(atomic, ldxr_stxr_and_clrex)
{
    TestMachine *tm = test_machine_new();
    CPUState *cpu = tm->cpu;
    uint64_t *p = (uint64_t *)test_ram(tm, VA, 16);
    *p = 0x1122334455667788ull;
    uint64_t v, st;
    cr_assert(atomic_load_excl(cpu, VA, 8, 0, &v));
    cr_assert_eq(v, 0x1122334455667788ull);
    cr_assert(atomic_store_excl(cpu, VA, 8, 0, 99, &st));
    cr_assert_eq(st, 0);
    cr_assert_eq(*p, 99);
    /* A second STXR without LDXR fails. */
    cr_assert(atomic_store_excl(cpu, VA, 8, 0, 100, &st));
    cr_assert_eq(st, 1);
    cr_assert_eq(*p, 99);
    /* CLREX between them fails it. */
    cr_assert(atomic_load_excl(cpu, VA, 4, 0, &v));
    cr_assert_eq(v, 99);
    helper_clrex(cpu, 0, 0, 0, 0);
    cr_assert(atomic_store_excl(cpu, VA, 4, 0, 1, &st));
    cr_assert_eq(st, 1);
    /* Different address or size: fails. */
    cr_assert(atomic_load_excl(cpu, VA, 4, 0, &v));
    cr_assert(atomic_store_excl(cpu, VA + 4, 4, 0, 1, &st));
    cr_assert_eq(st, 1);
    cr_assert(atomic_load_excl(cpu, VA, 4, 0, &v));
    cr_assert(atomic_store_excl(cpu, VA, 2, 0, 1, &st));
    cr_assert_eq(st, 1);
    /* A plain store to the granule (post-store hook) fails it. */
    cr_assert(atomic_load_excl(cpu, VA, 8, 0, &v));
    cr_assert(mem_store(cpu, VA + 8, 8, 0, 0));
    cr_assert(atomic_store_excl(cpu, VA, 8, 0, 5, &st));
    cr_assert_eq(st, 1);
    cr_assert_eq(*p, 99);
    test_machine_free(tm);
}

Test(atomic, pairs)
{
    TestMachine *tm = test_machine_new();
    CPUState *cpu = tm->cpu;
    uint64_t *p = (uint64_t *)test_ram(tm, VA, 16);
    p[0] = 1, p[1] = 2;
    uint64_t lo = helper_ldxp(cpu, VA, 0, 0, 8);
    cr_assert_eq(lo, 1);
    cr_assert_eq(helper_ldp_hi(cpu, 0, 0, 0, 0), 2);
    cr_assert_eq(helper_stxp(cpu, VA, 3, 4, 8), 0);
    cr_assert_eq(p[0], 3);
    cr_assert_eq(p[1], 4);
    lo = helper_ldxp(cpu, VA, 0, 0, 4);
    cr_assert_eq(lo, 3);
    cr_assert_eq(helper_ldp_hi(cpu, 0, 0, 0, 0), 0);
    cr_assert_eq(helper_stxp(cpu, VA, 0xaaaaaaaa5ull, 0xbbbbbbbb6ull, 4), 0);
    cr_assert_eq(p[0], 0xbbbbbbb6aaaaaaa5ull, "Wt low, Wt2 high");
    /* CASP (64-bit): x0,x1 compare, x2,x3 new. */
    p[0] = 10, p[1] = 20;
    cpu->x[0] = 10, cpu->x[1] = 20, cpu->x[2] = 30, cpu->x[3] = 40;
    cr_assert_eq(helper_casp(cpu, VA, 0 | 2 << 8, 0, 8), 10);
    cr_assert_eq(cpu->tmp128[1], 20);
    cr_assert_eq(p[0], 30);
    cr_assert_eq(p[1], 40);
    cpu->x[0] = 10; /* mismatch: no store */
    cr_assert_eq(helper_casp(cpu, VA, 0 | 2 << 8, 0, 8), 30);
    cr_assert_eq(p[0], 30);
    test_machine_free(tm);
}

Test(atomic, lse_ops)
{
    TestMachine *tm = test_machine_new();
    CPUState *cpu = tm->cpu;
    uint8_t *p = test_ram(tm, VA, 8);
    uint64_t old;
    p[0] = 0x80;
    cr_assert(atomic_rmw(cpu, VA, 1, 0, IR_RMW_SMAX, 0x01, &old));
    cr_assert_eq(old, 0x80);
    cr_assert_eq(p[0], 0x01, "SMAX: -128 < 1");
    cr_assert(atomic_rmw(cpu, VA, 1, 0, IR_RMW_UMAX, 0xff, &old));
    cr_assert_eq(p[0], 0xff);
    cr_assert(atomic_rmw(cpu, VA, 1, 0, IR_RMW_SMIN, 0x05, &old));
    cr_assert_eq(old, 0xff);
    cr_assert_eq(p[0], 0xff, "SMIN: -1 < 5");
    cr_assert(atomic_rmw(cpu, VA, 1, 0, IR_RMW_ADD, 0x102, &old));
    cr_assert_eq(p[0], 0x01, "only the byte is written");
    cr_assert_eq(p[1], 0x00);
    cr_assert(atomic_cas(cpu, VA, 1, 0, 0x101, 0x77, &old), "compare uses the access size");
    cr_assert_eq(old, 1);
    cr_assert_eq(p[0], 0x77);
    test_machine_free(tm);
}

Test(atomic, alignment_fault)
{
    TestMachine *tm = test_machine_new();
    CPUState *cpu = tm->cpu;
    cpu->vbar_el1 = RAM_BASE + 0x8000;
    uint64_t v;
    cpu->exc_pending = false;
    cr_assert_not(atomic_load_excl(cpu, VA + 4, 8, 0, &v));
    cr_assert(cpu->exc_pending);
    cr_assert_eq(cpu->esr_el1 >> 26, 0x25, "data abort, same EL");
    cr_assert_eq(cpu->esr_el1 & 0x3f, 0x21, "alignment fault DFSC");
    cr_assert_eq(cpu->far_el1, VA + 4);
    cpu_reset(cpu, RAM_BASE);
    cpu->exc_pending = false;
    cr_assert_not(atomic_rmw(cpu, VA + 2, 4, 0, IR_RMW_ADD, 1, &v));
    cr_assert_eq(cpu->esr_el1 & 0x3f, 0x21);
    cr_assert_not(cpu->esr_el1 & (1u << 6), "WnR = 0: a read would fault too");
    cpu_reset(cpu, RAM_BASE);
    cr_assert_not(atomic_load_acquire(cpu, VA + 1, 2, IRF_ACQ, &v));
    cr_assert_eq(cpu->esr_el1 & 0x3f, 0x21);
    test_machine_free(tm);
}
