/* Arm generic timer: the system counter shared by all cores (SysCounter)
 * and each core's EL1 physical and virtual timers (GenericTimer), as the
 * CNT*_EL0 system registers. The timers' outputs are IRQLines (on virt:
 * GIC PPI 30 for the physical, 27 for the virtual timer).
 *
 * The counter runs at CNTFRQ = 62.5 MHz derived from a host clock
 * (CLOCK_MONOTONIC unless a test injects its own), starting at 0 when the
 * SysCounter is initialised; CNTVOFF is 0. A timer's output changes either
 * because its registers are written or because time passes: the second
 * needs the vCPU to call gtimer_update() when the deadline it returned has
 * come (see docs/devices.md, "How the vCPU loop drives the timer").
 *
 * Thread rules: a SysCounter is written at start-up and then read-only (any
 * thread). A GenericTimer belongs to its core: owner vCPU only. */
#ifndef FLOTILLA_TIMER_H
#define FLOTILLA_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "irq.h"

#ifndef SYSREG_ENC
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
    ((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))
#endif

#define CNTFRQ_HZ 62500000ull
#define GT_NO_DEADLINE UINT64_MAX

#define CNTFRQ_EL0 SYSREG_ENC(3, 3, 14, 0, 0)
#define CNTPCT_EL0 SYSREG_ENC(3, 3, 14, 0, 1)
#define CNTVCT_EL0 SYSREG_ENC(3, 3, 14, 0, 2)
#define CNTP_TVAL_EL0 SYSREG_ENC(3, 3, 14, 2, 0)
#define CNTP_CTL_EL0 SYSREG_ENC(3, 3, 14, 2, 1)
#define CNTP_CVAL_EL0 SYSREG_ENC(3, 3, 14, 2, 2)
#define CNTV_TVAL_EL0 SYSREG_ENC(3, 3, 14, 3, 0)
#define CNTV_CTL_EL0 SYSREG_ENC(3, 3, 14, 3, 1)
#define CNTV_CVAL_EL0 SYSREG_ENC(3, 3, 14, 3, 2)

/* CNTx_CTL_EL0 */
#define GT_CTL_ENABLE (1u << 0)
#define GT_CTL_IMASK (1u << 1)
#define GT_CTL_ISTATUS (1u << 2)

/* CNTKCTL_EL1 (kept in CPUState; passed in for EL0 access checks) */
#define CNTKCTL_EL0PCTEN (1u << 0)
#define CNTKCTL_EL0VCTEN (1u << 1)
#define CNTKCTL_EVNTEN (1u << 2)
#define CNTKCTL_EVNTDIR (1u << 3)
#define CNTKCTL_EVNTI_SHIFT 4
#define CNTKCTL_EL0VTEN (1u << 8)
#define CNTKCTL_EL0PTEN (1u << 9)

/* Host time source, in nanoseconds (monotonic). */
typedef uint64_t (*ClockNowFn)(void *opaque);

typedef struct SysCounter {
    ClockNowFn now_ns;
    void *opaque;
    uint64_t origin_ns;    /* host time at which the counter read 0 */
    uint64_t freq;         /* counter ticks per second */
} SysCounter;

/* Main thread, start-up. now_ns NULL = CLOCK_MONOTONIC. The counter starts
 * at 0 now. */
void syscounter_init(SysCounter *sc, ClockNowFn now_ns, void *opaque);
/* Any thread. Host time now (ns). */
uint64_t syscounter_now_ns(const SysCounter *sc);
/* Any thread. Counter value at host time ns. */
uint64_t syscounter_ticks_at(const SysCounter *sc, uint64_t ns);
/* Any thread. Earliest host time (ns) at which the counter is >= ticks,
 * or GT_NO_DEADLINE if that is beyond the host clock's range. */
uint64_t syscounter_ns_at(const SysCounter *sc, uint64_t ticks);

enum { GT_PHYS, GT_VIRT, GT_NUM };

typedef struct GTimerChannel {
    uint32_t ctl;          /* ENABLE, IMASK; ISTATUS as of the last update */
    uint64_t cval;
    IRQLine out;
    bool level;            /* current output level */
} GTimerChannel;

typedef struct GenericTimer {
    const SysCounter *sc;
    uint64_t cntfrq;       /* CNTFRQ_EL0: reported frequency */
    uint64_t cntvoff;      /* always 0 (no EL2) */
    GTimerChannel ch[GT_NUM];
    uint64_t deadline_ns;  /* next host time an output may rise, or GT_NO_DEADLINE */
} GenericTimer;

/* Result of a timer system register access. */
enum GTAccess {
    GT_OK,                 /* done */
    GT_NOT_TIMER,          /* enc is not a generic timer register: try elsewhere */
    GT_TRAP,               /* EL0 access disabled by CNTKCTL_EL1: trap to EL1 (EC 0x18) */
    GT_UNDEF,              /* write to a read-only register, or CNTFRQ written from EL0 */
};

/* Owner vCPU (or main thread before it starts). Outputs start low. */
void gtimer_init(GenericTimer *t, const SysCounter *sc, IRQLine phys_out, IRQLine virt_out);
/* Owner vCPU. el = current EL (0 or 1); cntkctl = CNTKCTL_EL1. Accesses
 * re-evaluate both timers (and drive the output lines) at the current time. */
enum GTAccess gtimer_sysreg_read(GenericTimer *t, uint32_t enc, int el, uint64_t cntkctl, uint64_t *val);
enum GTAccess gtimer_sysreg_write(GenericTimer *t, uint32_t enc, int el, uint64_t cntkctl, uint64_t val);
/* Owner vCPU. Re-evaluate ISTATUS and the output lines at the current host
 * time; returns (and caches in t->deadline_ns) the next deadline. */
uint64_t gtimer_update(GenericTimer *t);
/* Owner vCPU. The cached deadline: call gtimer_update() once the host time
 * reaches it. Cheap (no clock read). */
static inline uint64_t gtimer_deadline(const GenericTimer *t) { return t->deadline_ns; }
/* Owner vCPU. Host time of the next event-stream event (CNTKCTL_EL1.EVNTEN:
 * wakes WFE, not WFI), or GT_NO_DEADLINE if the event stream is off. */
uint64_t gtimer_evtstrm_deadline(const GenericTimer *t, uint64_t cntkctl);

#endif
