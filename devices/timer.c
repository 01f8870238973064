/* Arm generic timer: system counter from a host clock, per-core EL1
 * physical and virtual timers (CNTP_*, CNTV_*), their output lines and the
 * deadline the vCPU sleeps until.
 *
 * Thread rules: see timer.h (SysCounter read-only after start-up; a
 * GenericTimer is touched only by its owner vCPU). */
#include <time.h>

#include "timer.h"

#define NS_PER_SEC 1000000000ull

static uint64_t clock_monotonic_ns(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

void syscounter_init(SysCounter *sc, ClockNowFn now_ns, void *opaque)
{
    sc->now_ns = now_ns ? now_ns : clock_monotonic_ns;
    sc->opaque = opaque;
    sc->freq = CNTFRQ_HZ;
    sc->origin_ns = sc->now_ns(sc->opaque);
}

uint64_t syscounter_now_ns(const SysCounter *sc) { return sc->now_ns(sc->opaque); }

uint64_t syscounter_ticks_at(const SysCounter *sc, uint64_t ns)
{
    if (ns <= sc->origin_ns)
        return 0;
    /* 128-bit product: exact for any uptime, wraps like a 64-bit counter. */
    return (uint64_t)((unsigned __int128)(ns - sc->origin_ns) * sc->freq / NS_PER_SEC);
}

uint64_t syscounter_ns_at(const SysCounter *sc, uint64_t ticks)
{
    /* smallest d with floor(d * freq / 1e9) >= ticks, i.e. ceil(ticks * 1e9 / freq) */
    unsigned __int128 d = ((unsigned __int128)ticks * NS_PER_SEC + sc->freq - 1) / sc->freq;
    if (d >= (unsigned __int128)(GT_NO_DEADLINE - sc->origin_ns))
        return GT_NO_DEADLINE;
    return sc->origin_ns + (uint64_t)d;
}

void gtimer_init(GenericTimer *t, const SysCounter *sc, IRQLine phys_out, IRQLine virt_out)
{
    *t = (GenericTimer){0};
    t->sc = sc;
    t->cntfrq = sc->freq;
    t->ch[GT_PHYS].out = phys_out;
    t->ch[GT_VIRT].out = virt_out;
    t->deadline_ns = GT_NO_DEADLINE;
}

static uint64_t chan_count(const GenericTimer *t, int ch, uint64_t cnt)
{
    return ch == GT_VIRT ? cnt - t->cntvoff : cnt;
}

/* Re-evaluate both timers at counter value cnt (host time now_ns unused
 * beyond cnt); drive the lines on a change and recompute the deadline. */
static void update_at(GenericTimer *t, uint64_t cnt)
{
    uint64_t deadline = GT_NO_DEADLINE;
    for (int i = 0; i < GT_NUM; i++) {
        GTimerChannel *c = &t->ch[i];
        bool enabled = c->ctl & GT_CTL_ENABLE;
        /* TimerConditionMet: count - CVAL >= 0, unsigned 64-bit compare. */
        bool istatus = enabled && chan_count(t, i, cnt) >= c->cval;
        c->ctl = istatus ? c->ctl | GT_CTL_ISTATUS : c->ctl & ~GT_CTL_ISTATUS;
        bool level = istatus && !(c->ctl & GT_CTL_IMASK);
        if (level != c->level) {
            c->level = level;
            irq_set(&c->out, level);
        }
        if (enabled && !istatus && !(c->ctl & GT_CTL_IMASK)) {
            uint64_t phys_cval = i == GT_VIRT ? c->cval + t->cntvoff : c->cval;
            uint64_t d = syscounter_ns_at(t->sc, phys_cval);
            if (d < deadline)
                deadline = d;
        }
    }
    t->deadline_ns = deadline;
}

static uint64_t now_ticks(const GenericTimer *t)
{
    return syscounter_ticks_at(t->sc, syscounter_now_ns(t->sc));
}

uint64_t gtimer_update(GenericTimer *t)
{
    update_at(t, now_ticks(t));
    return t->deadline_ns;
}

/* CNTKCTL_EL1 gate for an EL0 access; returns GT_OK if allowed. */
static enum GTAccess el0_check(uint32_t enc, uint64_t k)
{
    switch (enc) {
    case CNTFRQ_EL0: return k & (CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN) ? GT_OK : GT_TRAP;
    case CNTPCT_EL0: return k & CNTKCTL_EL0PCTEN ? GT_OK : GT_TRAP;
    case CNTVCT_EL0: return k & CNTKCTL_EL0VCTEN ? GT_OK : GT_TRAP;
    case CNTP_TVAL_EL0: case CNTP_CTL_EL0: case CNTP_CVAL_EL0:
        return k & CNTKCTL_EL0PTEN ? GT_OK : GT_TRAP;
    default: return k & CNTKCTL_EL0VTEN ? GT_OK : GT_TRAP;
    }
}

static bool is_timer_reg(uint32_t enc)
{
    switch (enc) {
    case CNTFRQ_EL0: case CNTPCT_EL0: case CNTVCT_EL0:
    case CNTP_TVAL_EL0: case CNTP_CTL_EL0: case CNTP_CVAL_EL0:
    case CNTV_TVAL_EL0: case CNTV_CTL_EL0: case CNTV_CVAL_EL0:
        return true;
    default: return false;
    }
}

enum GTAccess gtimer_sysreg_read(GenericTimer *t, uint32_t enc, int el, uint64_t cntkctl, uint64_t *val)
{
    if (!is_timer_reg(enc))
        return GT_NOT_TIMER;
    if (el == 0 && el0_check(enc, cntkctl) != GT_OK)
        return GT_TRAP;
    uint64_t cnt = now_ticks(t);
    update_at(t, cnt);
    switch (enc) {
    case CNTFRQ_EL0: *val = t->cntfrq; break;
    case CNTPCT_EL0: *val = cnt; break;
    case CNTVCT_EL0: *val = cnt - t->cntvoff; break;
    case CNTP_CTL_EL0: *val = t->ch[GT_PHYS].ctl; break;
    case CNTV_CTL_EL0: *val = t->ch[GT_VIRT].ctl; break;
    case CNTP_CVAL_EL0: *val = t->ch[GT_PHYS].cval; break;
    case CNTV_CVAL_EL0: *val = t->ch[GT_VIRT].cval; break;
    /* TimerValue = (CVAL - count)[31:0], bits 63:32 RES0 */
    case CNTP_TVAL_EL0: *val = (uint32_t)(t->ch[GT_PHYS].cval - chan_count(t, GT_PHYS, cnt)); break;
    case CNTV_TVAL_EL0: *val = (uint32_t)(t->ch[GT_VIRT].cval - chan_count(t, GT_VIRT, cnt)); break;
    }
    return GT_OK;
}

enum GTAccess gtimer_sysreg_write(GenericTimer *t, uint32_t enc, int el, uint64_t cntkctl, uint64_t val)
{
    if (!is_timer_reg(enc))
        return GT_NOT_TIMER;
    if (enc == CNTPCT_EL0 || enc == CNTVCT_EL0)
        return GT_UNDEF;
    if (el == 0) {
        if (enc == CNTFRQ_EL0)
            return GT_UNDEF;  /* writable only at the highest EL (EL1 here) */
        if (el0_check(enc, cntkctl) != GT_OK)
            return GT_TRAP;
    }
    uint64_t cnt = now_ticks(t);
    switch (enc) {
    case CNTFRQ_EL0: t->cntfrq = (uint32_t)val; break;  /* a report only: the rate does not change */
    case CNTP_CTL_EL0: t->ch[GT_PHYS].ctl = (uint32_t)val & (GT_CTL_ENABLE | GT_CTL_IMASK); break;
    case CNTV_CTL_EL0: t->ch[GT_VIRT].ctl = (uint32_t)val & (GT_CTL_ENABLE | GT_CTL_IMASK); break;
    case CNTP_CVAL_EL0: t->ch[GT_PHYS].cval = val; break;
    case CNTV_CVAL_EL0: t->ch[GT_VIRT].cval = val; break;
    /* CVAL = count + SignExtend(TVAL[31:0]) */
    case CNTP_TVAL_EL0: t->ch[GT_PHYS].cval = chan_count(t, GT_PHYS, cnt) + (uint64_t)(int64_t)(int32_t)val; break;
    case CNTV_TVAL_EL0: t->ch[GT_VIRT].cval = chan_count(t, GT_VIRT, cnt) + (uint64_t)(int64_t)(int32_t)val; break;
    }
    update_at(t, cnt);
    return GT_OK;
}

uint64_t gtimer_evtstrm_deadline(const GenericTimer *t, uint64_t cntkctl)
{
    if (!(cntkctl & CNTKCTL_EVNTEN))
        return GT_NO_DEADLINE;
    /* An event each time bit EVNTI of CNTVCT goes 0->1 (EVNTDIR = 0) or
     * 1->0 (EVNTDIR = 1): count values phase + k * 2^(EVNTI+1). */
    unsigned b = (unsigned)(cntkctl >> CNTKCTL_EVNTI_SHIFT) & 0xf;
    uint64_t period = 2ull << b, phase = (cntkctl & CNTKCTL_EVNTDIR) ? 0 : 1ull << b;
    uint64_t v = now_ticks(t) - t->cntvoff;
    uint64_t next = (v & ~(period - 1)) + phase;
    if (next <= v)
        next += period;
    return syscounter_ns_at(t->sc, next + t->cntvoff);
}
