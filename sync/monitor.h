/* The global exclusive monitor: a hashed table of per-granule slots that
 * makes LDXR/STXR correct across cores (no ABA: any store by another core to
 * the granule between LDXR and STXR fails the STXR, whatever value it wrote).
 * Design, races and costs: docs/atomics.md.
 *
 * Slots are indexed by the *host* address of guest RAM (one granule of
 * MON_GRANULE bytes per slot, hashed modulo the table size), so that the
 * store fast path (and later the JIT's inline TLB path) needs no guest
 * physical address.
 *
 * Each slot has:
 *   armed[i]  one byte in a dense array: 0 = no exclusive can be pending on
 *             this slot, stores go straight to memory (the fast path: one load
 *             and a branch); 1 = every store takes the slot lock.
 *   version   even: unlocked; odd: a writer holds the slot. Every locked
 *             write leaves it bigger than before. LDXR records it; STXR
 *             succeeds only by locking the slot with CAS(version, seen,
 *             seen + 1), i.e. only if no write happened since the LDXR.
 *   state     IDLE -> PENDING (armed, waiting for a grace period so that no
 *             core can still be about to store on a stale "not armed" view)
 *             -> STABLE (reservations valid) -> DISARMING -> IDLE (sweeper).
 *
 * Host *pages* (hashed too, modulo 256 MiB) have the same four states in
 * `pages`: a page is armed by the first LDXR into it. Every core's TLB
 * write tags for an armed page carry TLB_TAG_ARMED (tlb_sync_armed re-tags
 * when `gen` moves), so the JIT's inline store compares only the TLB tag:
 * stores to other pages pay nothing for the monitor. A store whose tag has
 * TLB_TAG_ARMED checks armed[] out of line. A reservation is valid only
 * while both its slot and its page are STABLE; a page leaves STABLE only
 * after every slot its granules hash to was locked (reservations failed).
 *
 * Thread rules: monitor_create/monitor_destroy from the main thread (before
 * vCPUs start / after they stopped). Everything else: any thread. Stores
 * from vCPU threads (RCU readers, QSBR) may use the armed fast path; stores
 * from any other thread (device DMA) must use monitor_write(), which always
 * locks. */
#ifndef FLOTILLA_MONITOR_H
#define FLOTILLA_MONITOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Machine;

#define MON_GRANULE_SHIFT 6 /* 64-byte reservation granule (Arm: 16..2048 bytes) */
#define MON_GRANULE (1u << MON_GRANULE_SHIFT)
#define MON_DEFAULT_SLOTS_LOG2 16 /* 4 MiB of slots; the store path aliases every 4 MiB */

/* Reservation version sentinels (real versions read by LDXR are even). */
#define MON_VER_INVALID 1ull /* reservation that can never succeed */

enum MonSlotState { MON_IDLE, MON_PENDING, MON_STABLE, MON_DISARMING };

typedef struct MonSlot {
    _Atomic uint64_t version;
    _Atomic uint32_t state;   /* enum MonSlotState */
    _Atomic uint32_t used;    /* second-chance bit for the sweeper */
    _Atomic uint64_t waiters; /* cores (bit index & 63) asleep in WFE on a reservation here */
    _Atomic uint32_t epoch;   /* IDLE -> PENDING transitions (monitor_settle tells arming episodes apart) */
    /* One vCPU: a plain store has written the word of this slot's last STXR
     * (excl_host: a lock word, whose unlock is a plain store), so the STXR
     * frees the slot itself (monitor_stxr_solo); a store beside it in the
     * granule (a counter's neighbour) only frees it. Hints: freeing or not
     * is exact either way. */
    _Atomic uint32_t plain_stored;
    _Atomic uintptr_t excl_host;
} __attribute__((aligned(64))) MonSlot;

#define MON_PAGE_SHIFT 12
#define MON_PAGES_LOG2 16   /* page states: host pages alias modulo 256 MiB */
#define MON_PAGE_USED 0x80u /* in a page's state byte: second-chance bit for the sweeper */
#define MON_GP_PAGE 0x80000000u /* in the grace-period queue: a page index, not a slot */

typedef struct MonitorStats {
    _Atomic uint64_t arms;         /* a slot IDLE -> PENDING/STABLE */
    _Atomic uint64_t page_arms;    /* a page IDLE -> PENDING/STABLE */
    _Atomic uint64_t page_disarms;
    _Atomic uint64_t grace_periods;
    _Atomic uint64_t settled_inline; /* slots a waiting LDXR's core settled with its own grace period (monitor_settle) */
    _Atomic uint64_t pages_settled_inline; /* pages, the same way */
    _Atomic uint64_t sweeps;
    _Atomic uint64_t disarms;
    _Atomic uint64_t locked_stores; /* guest stores that found their granule armed */
    _Atomic uint64_t idle_sweeps;   /* page sweeps asked for by idle armed-page stores */
} MonitorStats;

typedef struct Monitor {
    /* --- read by the inline store path: keep first --- */
    _Atomic uint8_t *armed; /* nslots */
    uintptr_t mask; /* nslots - 1 */

    _Atomic uint8_t *pages; /* npages: enum MonSlotState | MON_PAGE_USED */
    uintptr_t pmask;        /* npages - 1 */
    _Atomic uint64_t gen;   /* moves when a page is armed or disarmed: TLBs re-tag */

    MonSlot *slots;
    uint32_t nslots, npages;
    struct Machine *machine;
    /* smp: arming needs a grace period (a second vCPU has been started:
     * monitor_go_smp). solo: one vCPU runs, so a plain store to an armed
     * granule frees its slot (monitor_release_solo); on a machine of
     * several, until the first PSCI CPU_ON (only if the monitor thread
     * runs: gp_started). */
    _Atomic bool smp, solo;

    _Atomic uint32_t narmed;           /* slots not IDLE */
    _Atomic uint32_t npages_armed;     /* pages not IDLE */
    _Atomic uint32_t arms_since_sweep;
    _Atomic int sweeping;

    /* grace-period thread: PENDING slots become STABLE after synchronize_rcu() */
    pthread_t gp_thread;
    bool gp_started;
    pthread_mutex_t gp_lock;
    pthread_cond_t gp_cond;
    uint32_t *gp_queue; /* slot indices, and page indices | MON_GP_PAGE, waiting (each at most once) */
    uint32_t gp_n;
    bool gp_stop;
    uint8_t *gp_page_queued; /* npages: the page is in gp_queue (under gp_lock) */

    /* A page's arming episodes (IDLE -> PENDING), told apart so that a core
     * that waits for its page may settle it in its own grace period
     * (monitor_settle): page_lock covers IDLE -> PENDING (with gen and the
     * epoch moved) and every PENDING -> STABLE. */
    pthread_mutex_t page_lock;
    uint32_t *page_epoch; /* npages */

    MonitorStats stats;
} Monitor;

/* Main thread. A monitor for machine `m` (with m->ncpus > 1, arming needs
 * grace periods from monitor_go_smp on). slots_log2 = 0 for the default table
 * size. Starts the grace-period thread when m->ncpus > 1 (not -det). */
Monitor *monitor_create(struct Machine *m, unsigned slots_log2);
/* Main thread, after every vCPU stopped. */
void monitor_destroy(Monitor *mon);

static inline size_t monitor_slot_index(const Monitor *mon, const void *host)
{
    return ((uintptr_t)host >> MON_GRANULE_SHIFT) & mon->mask;
}

static inline size_t monitor_page_index(const Monitor *mon, const void *host)
{
    return ((uintptr_t)host >> MON_PAGE_SHIFT) & mon->pmask;
}

/* Any thread. True if the host page of `host` is armed (not IDLE): the TLB
 * write tags for it must carry TLB_TAG_ARMED. */
static inline bool monitor_page_armed(const Monitor *mon, const void *host)
{
    return (atomic_load_explicit(&mon->pages[monitor_page_index(mon, host)], memory_order_acquire) &
            ~MON_PAGE_USED) != MON_IDLE;
}

/* Any vCPU thread. True if a store of `size` bytes at `host` must take the
 * locked path. One or two loads from the dense armed array. */
static inline bool monitor_armed(const Monitor *mon, const void *host, int size)
{
    uintptr_t a = (uintptr_t)host;
    uint8_t x = atomic_load_explicit(&mon->armed[(a >> MON_GRANULE_SHIFT) & mon->mask], memory_order_relaxed);
    uint8_t y = atomic_load_explicit(&mon->armed[((a + (uintptr_t)size - 1) >> MON_GRANULE_SHIFT) & mon->mask],
                                     memory_order_relaxed);
    return (x | y) != 0;
}

/* The one vCPU's thread, after a plain store to an armed granule
 * (monitor_store_locked): disarm the slot of `host` if that core is the
 * only one that has run (nothing otherwise). */
void monitor_release_solo(Monitor *mon, const void *host);

/* The one vCPU's thread, after its STXR (successful or not) at `host`:
 * records host as the slot's last STXR word (MonSlot.excl_host), then
 * monitor_release_solo if a plain store has written that word before
 * (MonSlot.plain_stored: a lock word), else the slot stays armed, so
 * that the next LDXR of an LL/SC loop on a word nothing else stores to
 * (an atomic counter) needs no call (docs/atomics.md, "One vCPU"). */
void monitor_stxr_solo(Monitor *mon, const void *host);

/* The one running vCPU, from PSCI CPU_ON before the target core can run
 * (smp/psci.c): from now on several cores may hold reservations and store,
 * so arming needs grace periods and slots stay armed between reservations.
 * Until then core 0 alone runs (every secondary starts parked) and the
 * monitor behaves as on a one-vCPU machine. Once only; a no-op on a
 * one-vCPU or -det machine. */
void monitor_go_smp(Monitor *mon);

/* Stores to armed pages, per core (the JIT's that found their granule
 * unarmed, and the locked ones), after which the core asks for a page sweep
 * (monitor_idle_stores). */
#define MON_IDLE_STORES 65536

/* Any vCPU thread, at its dispatcher (no guest store in flight on it): this
 * core made MON_IDLE_STORES stores to armed pages (out of line, or locked).
 * Sweeps the pages (second chance: a page with an LDXR since the last sweep
 * stays armed), so that a page holding a lock beside hot data stops sending
 * that data's stores out of line, and one whose LL/SC use has ended (the
 * kernel's, once its LSE alternatives are in) stops locking every store to
 * its armed granules. */
void monitor_idle_stores(Monitor *mon);

/* Any vCPU thread: the slow path of monitor_guest_store (slot(s) locked). */
void monitor_store_locked(Monitor *mon, void *host, int size, uint64_t val);

/* Any vCPU thread: a plain guest store of `size` (1, 2, 4, 8; any alignment)
 * to guest RAM at `host`, little-endian. The store path of memory/tlb.c: the
 * store and the version bump are one locked step when the granule is armed
 * (then true: the caller counts it towards monitor_idle_stores). */
static inline bool monitor_guest_store(Monitor *mon, void *host, int size, uint64_t val)
{
    if (__builtin_expect(mon == NULL || !monitor_armed(mon, host, size), 1)) {
        switch (size) {
        case 1: *(uint8_t *)host = (uint8_t)val; break;
        case 2: { uint16_t v = (uint16_t)val; __builtin_memcpy(host, &v, 2); break; }
        case 4: { uint32_t v = (uint32_t)val; __builtin_memcpy(host, &v, 4); break; }
        default: __builtin_memcpy(host, &val, 8); break;
        }
        return false;
    }
    monitor_store_locked(mon, host, size, val);
    return true;
}

/* Any thread (device DMA, loaders, semihosting): copy `len` bytes to guest RAM
 * at `host`, one locked granule at a time. What phys_write should do. */
void monitor_write(Monitor *mon, void *host, const void *buf, size_t len);

/* Any thread: a store already done to [host, host+size) by a path that could
 * not use monitor_guest_store/monitor_write. Bumps the version of armed
 * slots. Leaves a window: see docs/atomics.md. */
void monitor_notify_written(Monitor *mon, void *host, uint64_t size);

/* ---- the exclusive side (sync/atomic.c), any vCPU thread ---- */

/* Take a reservation on the granule of `host`: returns the version to give to
 * monitor_commit, or MON_VER_INVALID when its slot or page is not (yet)
 * stable, in which case it is armed now and becomes usable after a grace
 * period. A vCPU caller re-tags its own TLB (tlb_sync_armed) before its next
 * store: on one vCPU the page is stable at once. */
uint64_t monitor_reserve(Monitor *mon, const void *host);
/* Any thread: true if the slot or page of `host` is between states on an SMP
 * machine (PENDING: its first grace period runs; DISARMING: being swept), so
 * that a reservation taken now could not succeed. */
bool monitor_settling(const Monitor *mon, const void *host);
/* A vCPU thread that is RCU-offline and idle (it must not hold up the grace
 * period it waits for): return once the slot of `host` has settled, or
 * *stop is set. Sleeps in short steps. */
void monitor_wait_settled(const Monitor *mon, const void *host, const _Atomic int *stop);
/* The same, for a vCPU at its dispatcher (RCU-offline, idle, in no block)
 * whose LDXR found its slot or page settling: a PENDING slot it settles with
 * a grace period of its own (synchronize_rcu) instead of waiting for the
 * monitor thread's; then it waits as monitor_wait_settled for the rest. */
void monitor_settle(Monitor *mon, const void *host, const _Atomic int *stop);
/* Lock the slot of `host` if its version is still `ver`; false otherwise.
 * On true the caller does its store(s) and calls monitor_unlock. */
bool monitor_trylock_version(Monitor *mon, const void *host, uint64_t ver);
/* Lock / unlock the slot of `host` unconditionally (spins while held).
 * `fence`: unlock with a full barrier (store->load order after the store). */
void monitor_lock(Monitor *mon, const void *host);
void monitor_unlock(Monitor *mon, const void *host, bool fence);
/* Any thread, just after unlocking a slot whose `waiters` it read while
 * holding it (as monitor_unlock does): kick those cores with REQ_EVENT. The
 * JIT's inline STXR unlocks in generated code and calls this only when
 * waiters != 0. */
void monitor_wake_waiters(Monitor *mon, uint64_t waiters);

/* ---- WFE (smp/vcpu.c), owner vCPU ---- */

/* Register core cpu_index as asleep in WFE on its reservation (`ver` from
 * LDXR) of the granule of `host`: any later write to the slot kicks it with
 * REQ_EVENT. false (nothing registered) if the reservation is invalid or
 * already lost: the WFE should complete at once. */
bool monitor_wfe_arm(Monitor *mon, const void *host, int cpu_index, uint64_t ver);
/* Unregister after waking (spurious kicks of a stale bit are harmless). */
void monitor_wfe_disarm(Monitor *mon, const void *host, int cpu_index);

#endif
