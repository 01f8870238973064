/* PL031 real-time clock (ARM DDI 0224): seconds counter from the host
 * clock, match register, lazy match interrupt and an optional alarm thread.
 * Thread rules: see pl031.h (all state behind r->lock). */
#define _GNU_SOURCE /* pthread_setname_np */
#include "pl031.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../memory/mem.h"

#define NS_PER_SEC 1000000000ull

enum {
    RTCDR = 0x000, RTCMR = 0x004, RTCLR = 0x008, RTCCR = 0x00c,
    RTCIMSC = 0x010, RTCRIS = 0x014, RTCMIS = 0x018, RTCICR = 0x01c,
};
#define RTC_INT 1u /* the only interrupt bit */

static uint64_t clock_monotonic_ns(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Whole seconds since creation at host time now. */
static uint64_t elapsed_s(const PL031 *r, uint64_t now)
{
    return now > r->origin_ns ? (now - r->origin_ns) / NS_PER_SEC : 0;
}

static uint32_t count_at(const PL031 *r, uint64_t now)
{
    return r->offset + (uint32_t)elapsed_s(r, now);
}

/* Caller holds r->lock. Publish the deadline and wake the alarm thread so
 * it re-arms with it. */
static void set_match(PL031 *r, uint64_t ns)
{
    r->match_ns = ns;
    atomic_store_explicit(&r->deadline, ns, memory_order_release);
    pthread_cond_signal(&r->cond);
}

/* Caller holds r->lock. Drive the output on a change only. */
static void update_irq(PL031 *r)
{
    bool level = (r->ris & r->imsc & RTC_INT) != 0;
    if (level != r->level) {
        r->level = level;
        irq_set(&r->irq, level);
    }
}

/* Caller holds r->lock. MR or the counter changed: the comparator sees the
 * new values at once, as QEMU's model does (an equal counter matches now);
 * otherwise the match comes at the second boundary where the counter,
 * counting up and wrapping at 2^32, next equals MR. */
static void rearm(PL031 *r, uint64_t now)
{
    uint32_t ticks = r->mr - count_at(r, now);
    if (ticks == 0) {
        r->ris |= RTC_INT;
        set_match(r, PL031_NO_DEADLINE);
        return;
    }
    unsigned __int128 t = (unsigned __int128)(elapsed_s(r, now) + ticks) * NS_PER_SEC + r->origin_ns;
    set_match(r, t >= PL031_NO_DEADLINE ? PL031_NO_DEADLINE : (uint64_t)t);
}

/* Caller holds r->lock. Latch a match that has come. The next equality is
 * 2^32 s (136 years) later: not re-armed. */
static void catch_up(PL031 *r, uint64_t now)
{
    if (now >= r->match_ns) {
        r->ris |= RTC_INT;
        set_match(r, PL031_NO_DEADLINE);
    }
}

static uint64_t pl031_mmio_read(void *opaque, uint64_t off, int size)
{
    PL031 *r = opaque;
    (void)size;
    uint64_t now = r->now_ns(r->clock_opaque);
    catch_up(r, now);
    update_irq(r);
    if (off >= 0xfe0 && off < 0x1000) {
        /* PeriphID0-3, PCellID0-3 (TRM 3.3.10-11) */
        static const uint8_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
        return id[(off - 0xfe0) >> 2];
    }
    switch (off) {
    case RTCDR: return count_at(r, now);
    case RTCMR: return r->mr;
    case RTCLR: return r->lr;
    case RTCCR: return 1; /* started at reset; the start bit cannot be cleared */
    case RTCIMSC: return r->imsc;
    case RTCRIS: return r->ris;
    case RTCMIS: return r->ris & r->imsc;
    default: return 0; /* RTCICR is write-only; reserved space RAZ */
    }
}

static void pl031_mmio_write(void *opaque, uint64_t off, uint64_t v, int size)
{
    PL031 *r = opaque;
    (void)size;
    uint64_t now = r->now_ns(r->clock_opaque);
    catch_up(r, now);
    switch (off) {
    case RTCMR:
        r->mr = (uint32_t)v;
        rearm(r, now);
        break;
    case RTCLR:
        r->lr = (uint32_t)v;
        /* counter = v from now on; the 1 Hz phase is kept */
        r->offset = (uint32_t)v - (uint32_t)elapsed_s(r, now);
        rearm(r, now);
        break;
    case RTCCR: break; /* writing 0 has no effect once started; 1 is already set */
    case RTCIMSC: r->imsc = (uint32_t)v & RTC_INT; break;
    case RTCICR: r->ris &= ~((uint32_t)v & RTC_INT); break;
    default: break; /* RTCDR, RIS, MIS and IDs are read-only */
    }
    update_irq(r);
}

static const MMIOOps pl031_ops = {.read = pl031_mmio_read, .write = pl031_mmio_write};

PL031 *pl031_new(ClockNowFn now_ns, void *clock_opaque, uint32_t start_seconds, IRQLine irq)
{
    PL031 *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->now_ns = now_ns ? now_ns : clock_monotonic_ns;
    r->clock_opaque = clock_opaque;
    r->origin_ns = r->now_ns(r->clock_opaque);
    r->offset = start_seconds;
    r->irq = irq;
    /* No alarm until MR or LR is written (MR = 0 at reset would otherwise
     * only match after the counter wraps). */
    r->match_ns = PL031_NO_DEADLINE;
    atomic_init(&r->deadline, PL031_NO_DEADLINE);
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the clock deadlines are in */
    pthread_cond_init(&r->cond, &ca);
    pthread_condattr_destroy(&ca);
    return r;
}

void pl031_map(PL031 *r, PhysMap *pm, uint64_t base)
{
    physmap_add_mmio(pm, "pl031", base, PL031_SIZE, &pl031_ops, r, &r->lock);
}

PL031 *pl031_create(PhysMap *pm, uint64_t base, IRQLine irq)
{
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    /* The counter is 32 bits: it holds Unix time until 2106. */
    PL031 *r = pl031_new(NULL, NULL, (uint32_t)wall.tv_sec, irq);
    if (r)
        pl031_map(r, pm, base);
    return r;
}

uint64_t pl031_read(PL031 *r, uint64_t off)
{
    pthread_mutex_lock(&r->lock);
    uint64_t v = pl031_mmio_read(r, off, 4);
    pthread_mutex_unlock(&r->lock);
    return v;
}

void pl031_write(PL031 *r, uint64_t off, uint64_t val)
{
    pthread_mutex_lock(&r->lock);
    pl031_mmio_write(r, off, val, 4);
    pthread_mutex_unlock(&r->lock);
}

uint64_t pl031_poll(PL031 *r)
{
    pthread_mutex_lock(&r->lock);
    catch_up(r, r->now_ns(r->clock_opaque));
    update_irq(r);
    uint64_t d = r->match_ns;
    pthread_mutex_unlock(&r->lock);
    return d;
}

/* The alarm thread: sleeps (CLOCK_MONOTONIC) until the match deadline or
 * until a register write changes it, then polls. */
static void *alarm_thread(void *arg)
{
    pthread_setname_np(pthread_self(), "rtc-alarm"); /* for top -H, perf, gdb */
    PL031 *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->thread_stop) {
        catch_up(r, r->now_ns(r->clock_opaque));
        update_irq(r);
        if (r->match_ns == PL031_NO_DEADLINE) {
            pthread_cond_wait(&r->cond, &r->lock);
        } else {
            struct timespec ts = {(time_t)(r->match_ns / NS_PER_SEC), (long)(r->match_ns % NS_PER_SEC)};
            pthread_cond_timedwait(&r->cond, &r->lock, &ts);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

bool pl031_start_alarm_thread(PL031 *r)
{
    if (r->now_ns != clock_monotonic_ns || r->thread_running)
        return false; /* an injected clock cannot be slept on */
    r->thread_stop = false;
    if (pthread_create(&r->thread, NULL, alarm_thread, r) != 0) {
        fprintf(stderr, "flotilla: pl031: cannot start the alarm thread\n");
        return false;
    }
    r->thread_running = true;
    return true;
}

void pl031_destroy(PL031 *r)
{
    if (!r)
        return;
    if (r->thread_running) {
        pthread_mutex_lock(&r->lock);
        r->thread_stop = true;
        pthread_cond_signal(&r->cond);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->thread, NULL);
    }
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
