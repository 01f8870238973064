/* Deterministic multicore mode: the baton scheduler, virtual time, input
 * delivery at scheduling points, record/replay of input. See det.h and
 * docs/determinism.md.
 *
 * Everything here is a function of the seed and the guest's own actions:
 * the holder (the one vCPU thread running guest code) is the only thread
 * that writes the scheduler state, and hands it to the next holder through
 * a futex word (a release/acquire pair), so the next holder sees it all. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <urcu-qsbr.h>

#include "../devices/chardev.h"
#include "../devices/pl011.h"
#include "../devices/pl031.h"
#include "../devices/timer.h"
#include "det.h"
#include "gdbstub.h"
#include "machine.h"
#include "weakmem.h"
#include "workq.h"

/* Virtual time: one instruction (of any core) is one nanosecond. */
#define NS_PER_INSN 1
/* PCT: a core that keeps the baton for this many whole quanta while others
 * could run is spinning (or computing long): it drops to the lowest
 * priority, so a low-priority lock holder progresses. */
#define STARVE_QUANTA 32
#define DET_MAX_DEPTH 16
#define INQ_SIZE 4096

enum { WHY_QUANTUM, WHY_SWITCH, WHY_IDLE, WHY_EXIT };

typedef struct DetCore {
    _Atomic uint32_t go;     /* futex: 1 = this core has been given the baton */
    bool idle;               /* cannot run until a request or wake_ns */
    bool dead;               /* its thread left its loop */
    uint64_t wake_ns;
    uint64_t last_insns;     /* stats.insns at the last accounting */
    int prio;                /* PCT priority (higher runs) */
    uint32_t full_quanta;    /* PCT: consecutive quanta kept while others were runnable */
} DetCore;

typedef struct Det {
    Machine *m;
    DetOptions o;
    int n;
    DetCore *c;
    _Atomic uint64_t vclock;  /* virtual ns; written by the holder only */
    uint64_t total;           /* instructions of all cores */
    uint64_t step;            /* scheduling decisions so far (rr's time base) */
    _Atomic int holder;
    uint64_t turn_len;        /* length of the turn just granted */
    uint64_t turn_end;        /* holder's stats.insns at which its turn ends */
    _Atomic bool want_switch;
    uint64_t rng;
    uint64_t change_at[DET_MAX_DEPTH];
    int nchange, next_change;
    int low_prio;
    /* input: the console thread appends, the holder hands it to the UART */
    pthread_mutex_t in_lock;
    pthread_cond_t in_cond;
    uint8_t inq[INQ_SIZE];
    size_t in_len;
    CharPort port;
    /* rr */
    FILE *rr;
    bool rr_have;             /* replay: an event is loaded */
    bool rr_end;              /* replay: the loaded event is the end of the recording */
    uint64_t rr_step;
    uint8_t rr_data[INQ_SIZE];
    size_t rr_n;
} Det;

/* ---- options (main thread) ---- */

static bool parse_u64(const char *s, size_t len, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] < '0' || buf[i] > '9')
            return false;
    errno = 0;
    unsigned long long v = strtoull(buf, NULL, 10);
    if (errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool det_parse(const char *s, DetOptions *o)
{
    memset(o, 0, sizeof(*o));
    o->on = true;
    o->depth = 2;
    o->quantum = 0;
    bool seed = false;
    const char *p = s;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq) {
            fprintf(stderr, "flotilla: -det: '%.*s' is not key=value (try -h)\n", (int)len, p);
            return false;
        }
        size_t kl = (size_t)(eq - p), vl = len - kl - 1;
        const char *v = eq + 1;
        uint64_t n;
#define KEY(k) (kl == strlen(k) && !memcmp(p, k, kl))
#define VAL(x) (vl == strlen(x) && !memcmp(v, x, vl))
        if (KEY("seed")) {
            if (!parse_u64(v, vl, 0, UINT64_MAX, &o->seed))
                goto bad;
            seed = true;
        } else if (KEY("sched")) {
            if (VAL("random"))
                o->sched = DET_SCHED_RANDOM;
            else if (VAL("pct"))
                o->sched = DET_SCHED_PCT;
            else
                goto bad;
        } else if (KEY("depth")) {
            if (!parse_u64(v, vl, 1, DET_MAX_DEPTH, &n))
                goto bad;
            o->depth = (int)n;
        } else if (KEY("quantum")) {
            if (!parse_u64(v, vl, 1, 1u << 30, &o->quantum))
                goto bad;
        } else if (KEY("steps")) {
            if (!parse_u64(v, vl, 1, UINT64_MAX / 2, &o->steps))
                goto bad;
        } else if (KEY("weak")) {
            if (VAL("on"))
                o->weak = true;
            else if (VAL("off"))
                o->weak = false;
            else
                goto bad;
        } else if (KEY("rr")) {
            if (VAL("record"))
                o->rr = DET_RR_RECORD;
            else if (VAL("replay"))
                o->rr = DET_RR_REPLAY;
            else if (VAL("off"))
                o->rr = DET_RR_NONE;
            else
                goto bad;
        } else if (KEY("rrfile")) {
            /* The rest of the argument, commas included: a file name may
             * contain them, so rrfile= comes last. */
            if (!*v)
                goto bad;
            o->rrfile = v; /* points into argv */
            break;
        } else {
            fprintf(stderr, "flotilla: -det: unknown item '%.*s' (seed, sched, depth, quantum, steps, weak, rr, rrfile)\n",
                    (int)kl, p);
            return false;
        }
#undef KEY
#undef VAL
        if (!end)
            break;
        p = end + 1;
        continue;
    bad:
        fprintf(stderr, "flotilla: -det: invalid value in '%.*s'\n", (int)len, p);
        return false;
    }
    if (!seed) {
        fprintf(stderr, "flotilla: -det: seed=N is required\n");
        return false;
    }
    if (o->rr == DET_RR_NONE && o->rrfile) {
        fprintf(stderr, "flotilla: -det: rrfile= without rr=record|replay (rr= must come before rrfile=)\n");
        return false;
    }
    if (o->rr != DET_RR_NONE && !o->rrfile) {
        fprintf(stderr, "flotilla: -det: rr=record|replay needs rrfile=FILE (last)\n");
        return false;
    }
    if (!o->quantum)
        o->quantum = o->sched == DET_SCHED_PCT ? 1000 : 20000;
    if (!o->steps)
        o->steps = 100000;
    return true;
}

/* ---- helpers ---- */

/* splitmix64: small, good enough, and fully determined by the seed. */
static uint64_t rnd(Det *d)
{
    uint64_t z = (d->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rnd_below(Det *d, uint64_t n) { return n ? rnd(d) % n : 0; }

static void futex_wake(_Atomic uint32_t *w)
{
    syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void futex_wait_ms(_Atomic uint32_t *w, uint32_t val, long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

uint64_t det_clock_ns(void *opaque)
{
    Det *d = opaque;
    return atomic_load_explicit(&d->vclock, memory_order_relaxed);
}

static void advance_clock(Det *d, uint64_t ns)
{
    atomic_store_explicit(&d->vclock, ns, memory_order_relaxed);
}

/* ---- input and rr ---- */

/* Console thread: queue input; the holder hands it to the UART. */
static size_t port_recv(void *dev, const uint8_t *buf, size_t n)
{
    Det *d = dev;
    pthread_mutex_lock(&d->in_lock);
    if (d->o.rr == DET_RR_REPLAY) {
        /* Replay: the recorded input is the input; typed bytes are dropped
         * (C-a x still works: the console handles it before us). */
        pthread_mutex_unlock(&d->in_lock);
        return n;
    }
    size_t room = INQ_SIZE - d->in_len, take = n < room ? n : room;
    memcpy(d->inq + d->in_len, buf, take);
    d->in_len += take;
    if (take < n)
        charport_stall(&d->port);
    pthread_cond_signal(&d->in_cond);
    pthread_mutex_unlock(&d->in_lock);
    return take;
}

CharPort *det_input_port(Machine *m) { return &m->det->port; }

static void rr_fail(Det *d, const char *why)
{
    machine_log(d->m, "flotilla: -det rr=replay: %s (step %" PRIu64 ")\n", why, d->step);
    machine_request_stop(d->m, 1);
}

/* Holder: load the next replay event. */
static void rr_load(Det *d)
{
    char line[2 * INQ_SIZE + 64];
    d->rr_have = false;
    while (fgets(line, sizeof(line), d->rr)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char kind;
        unsigned long long step;
        int off = 0;
        if (sscanf(line, "%c %llu %n", &kind, &step, &off) < 2 || (kind != 'I' && kind != 'E')) {
            rr_fail(d, "malformed line in the rr file");
            return;
        }
        d->rr_step = step;
        d->rr_end = kind == 'E';
        d->rr_n = 0;
        for (const char *h = line + off; h[0] && h[1] && h[0] != '\n'; h += 2) {
            unsigned b;
            if (!isxdigit((unsigned char)h[0]) || !isxdigit((unsigned char)h[1]) || sscanf(h, "%2x", &b) != 1 ||
                d->rr_n >= INQ_SIZE) {
                rr_fail(d, "malformed data in the rr file");
                return;
            }
            d->rr_data[d->rr_n++] = (uint8_t)b;
        }
        d->rr_have = true;
        return;
    }
}

static void rr_write_event(Det *d, char kind, const uint8_t *b, size_t n)
{
    fprintf(d->rr, "%c %" PRIu64 " ", kind, d->step);
    for (size_t i = 0; i < n; i++)
        fprintf(d->rr, "%02x", b[i]);
    fputc('\n', d->rr);
    fflush(d->rr);
}

/* Holder, at every scheduling point: hand queued (or recorded) input to the
 * UART. Deterministic: the point is a scheduling step, and what the UART
 * takes depends only on guest state. */
static void deliver_input(Det *d)
{
    Machine *m = d->m;
    CharPort *up = m->uart ? &m->uart->port : NULL;
    if (d->o.rr == DET_RR_REPLAY) {
        while (d->rr_have && d->rr_step == d->step && !atomic_load(&m->stopping)) {
            if (d->rr_end) {
                machine_log(m, "flotilla: -det rr=replay: end of the recording\n");
                machine_request_stop(m, 0);
                return;
            }
            size_t took = up ? up->recv(up->dev, d->rr_data, d->rr_n) : d->rr_n;
            if (took != d->rr_n) {
                rr_fail(d, "the guest took less input than recorded: the run diverged");
                return;
            }
            rr_load(d);
        }
        if (d->rr_have && d->rr_step < d->step)
            rr_fail(d, "a recorded input was not delivered: the run diverged");
        return;
    }
    pthread_mutex_lock(&d->in_lock);
    if (d->in_len) {
        size_t took = up ? up->recv(up->dev, d->inq, d->in_len) : d->in_len;
        if (took) {
            if (d->rr)
                rr_write_event(d, 'I', d->inq, took);
            memmove(d->inq, d->inq + took, d->in_len - took);
            d->in_len -= took;
            charport_room(&d->port);
        }
    }
    pthread_mutex_unlock(&d->in_lock);
}

/* Holder, every core idle and no deadline: wait (host time) for input. The
 * point where it arrives does not depend on when: the step and the virtual
 * clock stand still meanwhile. A gdb stop (Ctrl-C) is taken here too: the
 * holder parks as at a dispatcher pass, which changes nothing. */
static void wait_input(Det *d, CPUState *me)
{
    if (d->m->gdb)
        gdb_vcpu_park(me); /* returns at once unless a stop is requested */
    if (d->o.rr == DET_RR_REPLAY) {
        if (!d->rr_have) {
            /* Nothing will ever come: like a free-running guest that waits
             * for nothing, wait until the user stops us. */
            struct timespec ts = {0, 20000000};
            nanosleep(&ts, NULL);
        } else {
            d->step = d->rr_step; /* recorded while everyone slept */
        }
        return;
    }
    pthread_mutex_lock(&d->in_lock);
    if (!d->in_len && !atomic_load(&d->m->stopping)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&d->in_cond, &d->in_lock, &ts);
    }
    pthread_mutex_unlock(&d->in_lock);
}

/* ---- the scheduler ---- */

/* Request bits that are no wake-up event: gdb's stop requests and the
 * jump-cache flushes of its breakpoint changes come from the stub thread at
 * host-timed moments, and must not make an idle core runnable. */
#define NOT_WAKE (REQ_DEBUG | REQ_JC_FLUSH | REQ_JC_INVAL | REQ_SAFEPOINT)

static bool runnable(Det *d, int i)
{
    DetCore *c = &d->c[i];
    if (c->dead)
        return false;
    if (!c->idle)
        return true;
    return (atomic_load(&d->m->cpus[i]->request) & ~(uint32_t)NOT_WAKE) != 0 || c->wake_ns <= det_clock_ns(d);
}

static void account(Det *d, CPUState *cpu)
{
    DetCore *c = &d->c[cpu->index];
    uint64_t delta = cpu->stats.insns - c->last_insns;
    c->last_insns = cpu->stats.insns;
    d->total += delta;
    advance_clock(d, det_clock_ns(d) + delta * NS_PER_INSN);
}

/* Holder: choose the next holder (may be `me`), -1 if the machine stops. */
static int schedule(Det *d, CPUState *me, int why)
{
    Machine *m = d->m;
    for (;;) {
        if (atomic_load(&m->stopping))
            return -1;
        deliver_input(d);
        if (d->o.weak)
            weak_sched_step(m); /* stores become visible in a seeded order */
        uint64_t rtc_deadline = m->rtc ? pl031_poll(m->rtc) : UINT64_MAX;
        int cand[64], nc = 0;
        for (int i = 0; i < d->n && nc < 64; i++)
            if (runnable(d, i))
                cand[nc++] = i;
        if (nc == 0) {
            uint64_t wake = rtc_deadline;
            for (int i = 0; i < d->n; i++)
                if (!d->c[i].dead && d->c[i].wake_ns < wake)
                    wake = d->c[i].wake_ns;
            bool any_alive = false;
            for (int i = 0; i < d->n; i++)
                any_alive |= !d->c[i].dead;
            if (!any_alive)
                return -1;
            if (wake != UINT64_MAX && wake > det_clock_ns(d)) {
                /* Everyone sleeps: skip the idle time. */
                advance_clock(d, wake);
            } else {
                wait_input(d, me);
                deliver_input(d);
            }
            continue;
        }
        int next;
        uint64_t len = d->o.quantum;
        if (d->o.sched == DET_SCHED_PCT) {
            next = cand[0];
            for (int k = 1; k < nc; k++)
                if (d->c[cand[k]].prio > d->c[next].prio)
                    next = cand[k];
            if (why == WHY_QUANTUM && next == me->index && nc > 1) {
                if (++d->c[next].full_quanta >= STARVE_QUANTA) {
                    /* Spinning (or long work) while others wait: demote. */
                    d->c[next].prio = --d->low_prio;
                    d->c[next].full_quanta = 0;
                    continue;
                }
            } else if (next != me->index) {
                d->c[me->index].full_quanta = 0;
            }
        } else {
            next = cand[rnd_below(d, (uint64_t)nc)];
            len = 1 + rnd_below(d, d->o.quantum);
        }
        d->step++;
        d->c[next].idle = false;
        d->turn_len = len;
        return next;
    }
}

/* Owner vCPU: stop counting as running (exclusive sections, TLBI
 * broadcasts see an asleep core and do not wait for it) and go RCU offline.
 * Done before the baton is given away, so that the next holder never sees
 * this core half-running. */
static void leave_turn(CPUState *me)
{
    vcpu_idle_begin(me);
    rcu_thread_offline();
}

/* Owner vCPU, after leave_turn: wait until this core is given the baton (or
 * the machine stops). */
static void wait_turn(Det *d, CPUState *me)
{
    DetCore *c = &d->c[me->index];
    bool got;
    while (!(got = atomic_exchange_explicit(&c->go, 0, memory_order_acquire))) {
        if (atomic_load(&d->m->stopping))
            break;
        futex_wait_ms(&c->go, 0, 100);
    }
    rcu_thread_online();
    vcpu_idle_end(me);
    if (got && !atomic_load(&d->m->stopping)) {
        d->holder = me->index;
        d->turn_end = me->stats.insns + d->turn_len;
    }
}

static void give(Det *d, int next)
{
    d->holder = next;
    atomic_store_explicit(&d->c[next].go, 1, memory_order_release);
    futex_wake(&d->c[next].go);
}

static void wake_all(Det *d)
{
    for (int i = 0; i < d->n; i++) {
        atomic_store_explicit(&d->c[i].go, 1, memory_order_release);
        futex_wake(&d->c[i].go);
    }
}

/* Holder: run the scheduler and hand over if someone else is picked. */
static void reschedule(Det *d, CPUState *me, int why)
{
    atomic_store_explicit(&d->want_switch, false, memory_order_relaxed);
    int next = schedule(d, me, why);
    if (next < 0) {
        wake_all(d);
        return;
    }
    if (next == me->index) {
        d->turn_end = me->stats.insns + d->turn_len;
        return;
    }
    leave_turn(me);
    give(d, next);
    wait_turn(d, me);
}

/* ---- API ---- */

bool det_create(Machine *m)
{
    Det *d = calloc(1, sizeof(*d));
    if (!d)
        return false;
    d->m = m;
    d->o = m->opt.det;
    d->n = m->ncpus;
    d->c = calloc((size_t)d->n, sizeof(DetCore));
    if (!d->c) {
        free(d);
        return false;
    }
    pthread_mutex_init(&d->in_lock, NULL);
    pthread_cond_init(&d->in_cond, NULL);
    d->port = (CharPort){.recv = port_recv, .dev = d, .wake_fd = -1};
    d->rng = d->o.seed;
    /* PCT (Burckhardt et al. 2010): distinct initial priorities depth..
     * depth+n-1 in random order; change point k lowers the running core to
     * depth-k. Change points are global instruction counts in [1, steps]. */
    int *perm = calloc((size_t)d->n, sizeof(int));
    for (int i = 0; i < d->n; i++)
        perm[i] = i;
    for (int i = d->n - 1; i > 0; i--) {
        int j = (int)rnd_below(d, (uint64_t)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < d->n; i++)
        d->c[i].prio = d->o.depth + perm[i];
    free(perm);
    d->nchange = d->o.depth - 1;
    for (int k = 0; k < d->nchange; k++)
        d->change_at[k] = 1 + rnd_below(d, d->o.steps);
    /* sorted, so they are met in order; the k-th met gets priority depth-1-k */
    for (int a = 1; a < d->nchange; a++)
        for (int b = a; b > 0 && d->change_at[b - 1] > d->change_at[b]; b--) {
            uint64_t t = d->change_at[b];
            d->change_at[b] = d->change_at[b - 1];
            d->change_at[b - 1] = t;
        }
    d->low_prio = 0;
    for (int i = 0; i < d->n; i++)
        d->c[i].wake_ns = UINT64_MAX;
    d->turn_len = d->o.sched == DET_SCHED_PCT ? d->o.quantum : 1 + rnd_below(d, d->o.quantum);
    d->holder = 0;
    if (d->o.sched == DET_SCHED_PCT) {
        /* the highest-priority core that can run is core 0 (the others are
         * parked): it starts */
    }
    if (d->o.rr != DET_RR_NONE) {
        /* A reboot would build a new machine and reopen (truncate) the
         * recording: with rr, SYSTEM_RESET ends the run as with -no-reboot. */
        m->opt.no_reboot = true;
        d->rr = fopen(d->o.rrfile, d->o.rr == DET_RR_RECORD ? "w" : "r");
        if (!d->rr) {
            fprintf(stderr, "flotilla: -det: cannot open rr file '%s': %s\n", d->o.rrfile, strerror(errno));
            free(d->c);
            free(d);
            return false;
        }
        if (d->o.rr == DET_RR_RECORD) {
            fprintf(d->rr, "# flotilla input recording: I <step> <hex bytes>, E <step> = end\n");
        } else {
            rr_load(d);
        }
    }
    atomic_store(&d->c[0].go, 1);
    m->det = d;
    return true;
}

bool det_create_weak(Machine *m)
{
    /* After the monitor exists: drained stores go through it. */
    if (!m->det || !m->det->o.weak)
        return true;
    if (!weakmem_create(m, m->det->o.seed)) {
        fprintf(stderr, "flotilla: -det weak=on: out of memory\n");
        return false;
    }
    return true;
}

void det_destroy(Machine *m)
{
    Det *d = m->det;
    if (!d)
        return;
    if (d->o.weak)
        weakmem_destroy(m);
    if (d->rr) {
        if (d->o.rr == DET_RR_RECORD)
            rr_write_event(d, 'E', NULL, 0);
        fclose(d->rr);
    }
    pthread_mutex_destroy(&d->in_lock);
    pthread_cond_destroy(&d->in_cond);
    free(d->c);
    free(d);
    m->det = NULL;
}

bool det_enter(CPUState *cpu)
{
    Det *d = cpu->machine->det;
    leave_turn(cpu);
    wait_turn(d, cpu);
    return !atomic_load(&cpu->machine->stopping);
}

bool det_exact_point(CPUState *cpu)
{
    const Det *d = cpu->machine->det;
    if (cpu->det_point || cpu->stats.insns == cpu->det_last_exact || cpu->stats.insns >= d->turn_end) {
        cpu->det_point = false;
        return true;
    }
    /* A PCT change point reached (the pass budget ends exactly there). */
    return d->next_change < d->nchange &&
           d->total + (cpu->stats.insns - d->c[cpu->index].last_insns) >= d->change_at[d->next_change];
}

void det_safepoint(CPUState *cpu)
{
    Det *d = cpu->machine->det;
    account(d, cpu);
    int why = -1;
    if (atomic_load_explicit(&d->want_switch, memory_order_relaxed))
        why = WHY_SWITCH;
    if (cpu->stats.insns >= d->turn_end)
        why = WHY_QUANTUM;
    while (d->next_change < d->nchange && d->total >= d->change_at[d->next_change]) {
        /* PCT priority change point: the running core drops below every
         * initial priority. */
        d->c[cpu->index].prio = d->o.depth - 1 - d->next_change;
        d->next_change++;
        why = WHY_SWITCH;
    }
    if (why >= 0)
        reschedule(d, cpu, why);
}

void det_idle(CPUState *cpu, uint64_t wake_ns)
{
    Det *d = cpu->machine->det;
    account(d, cpu);
    if (cpu->weak)
        weak_drain_all(cpu); /* a sleeping core's stores do not wait for it */
    d->c[cpu->index].idle = true;
    d->c[cpu->index].wake_ns = wake_ns;
    reschedule(d, cpu, WHY_IDLE);
    d->c[cpu->index].idle = false;
}

int64_t det_budget(const CPUState *cpu)
{
    const Det *d = cpu->machine->det;
    int64_t b = (int64_t)(d->turn_end - cpu->stats.insns);
    if (cpu->stats.insns >= d->turn_end)
        b = 0;
    if (d->next_change < d->nchange) {
        uint64_t t = d->total + (cpu->stats.insns - d->c[cpu->index].last_insns);
        int64_t c = d->change_at[d->next_change] > t ? (int64_t)(d->change_at[d->next_change] - t) : 0;
        if (c < b)
            b = c;
    }
    return b;
}

void det_switch_point(CPUState *holder)
{
    Det *d = holder->machine->det;
    atomic_store_explicit(&d->want_switch, true, memory_order_relaxed);
    holder->det_point = true; /* SEV ends its block (trans_HINT) */
}

void det_kicked(Machine *m, CPUState *target, uint32_t req)
{
    Det *d = m->det;
    int h = d->holder;
    if (target->index == h || h < 0 || h >= d->n || !(req & ~(uint32_t)NOT_WAKE))
        return;
    /* Another core may have become runnable: the scheduler looks at the
     * holder's next exact point (a kick from the middle of a block cannot
     * end the pass there exactly, so it does not try to). */
    atomic_store_explicit(&d->want_switch, true, memory_order_relaxed);
}

void det_exit(CPUState *cpu)
{
    Det *d = cpu->machine->det;
    if (cpu->weak && d->holder == cpu->index)
        weak_drain_all(cpu);
    d->c[cpu->index].dead = true;
    if (atomic_load(&cpu->machine->stopping) || d->holder != cpu->index) {
        wake_all(d);
        return;
    }
    account(d, cpu);
    int next = schedule(d, cpu, WHY_EXIT);
    if (next < 0 || next == cpu->index)
        wake_all(d);
    else
        give(d, next);
}
