/* PL031 real-time clock (ARM DDI 0224): a 32-bit seconds counter that
 * starts at the host's wall-clock time, a match register and one
 * level-sensitive interrupt output (virt: SPI 2 at 0x0901_0000).
 *
 * Time: the counter is `offset + whole seconds of host monotonic time since
 * creation`; RTCLR writes change `offset`. The match interrupt is evaluated
 * lazily: every register access first brings the device up to "now", and
 * pl031_poll() does the same from outside. Something must call pl031_poll()
 * once host time reaches pl031_deadline() for an alarm to fire while the
 * guest is not touching the RTC: either the machine's own polling, or the
 * helper thread started by pl031_start_alarm_thread() (see docs/devices.md).
 *
 * Thread rules: all state is behind r->lock. MMIO callbacks run on vCPU
 * threads with the lock held by mmio_access; every public function below
 * takes the lock itself (so never call them from the MMIO callbacks). */
#ifndef FLOTILLA_PL031_H
#define FLOTILLA_PL031_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "irq.h"
#include "timer.h" /* ClockNowFn, GT_NO_DEADLINE */

struct PhysMap;

#define PL031_BASE 0x09010000ull
#define PL031_SIZE 0x1000ull
#define PL031_SPI 2 /* device-tree SPI number (INTID 34) */
#define PL031_NO_DEADLINE GT_NO_DEADLINE

typedef struct PL031 {
    pthread_mutex_t lock;
    ClockNowFn now_ns;       /* host monotonic clock (ns) */
    void *clock_opaque;
    uint64_t origin_ns;      /* host time at creation: second boundaries are origin + k s */
    uint32_t offset;         /* counter = offset + elapsed whole seconds */
    uint32_t mr, lr, imsc, ris;
    uint64_t match_ns;       /* host time the counter next equals MR, or PL031_NO_DEADLINE */
    _Atomic uint64_t deadline; /* copy of match_ns readable without the lock */
    IRQLine irq;
    bool level;              /* current output level */

    /* optional alarm thread (pl031_start_alarm_thread) */
    pthread_cond_t cond;
    pthread_t thread;
    bool thread_running, thread_stop;
} PL031;

/* Main thread, start-up. A device that is not mapped anywhere (tests use
 * this). now_ns NULL = CLOCK_MONOTONIC. The counter starts at start_seconds
 * at this instant. irq may be an unconnected line. */
PL031 *pl031_new(ClockNowFn now_ns, void *clock_opaque, uint32_t start_seconds, IRQLine irq);
/* Main thread, start-up. Map the registers at base (MMIO dispatch takes r->lock). */
void pl031_map(PL031 *r, struct PhysMap *pm, uint64_t base);
/* Main thread, start-up. The board's RTC: host wall clock (CLOCK_REALTIME
 * seconds) at start, host monotonic time after, mapped at base. */
PL031 *pl031_create(struct PhysMap *pm, uint64_t base, IRQLine irq);
/* Main thread, after every user has stopped (stops the alarm thread). */
void pl031_destroy(PL031 *r);

/* Any thread. Register access as the guest sees it (offset from the base;
 * all registers are 32 bits, size is ignored). Used by tests and by the
 * MMIO ops (which call the unlocked versions). */
uint64_t pl031_read(PL031 *r, uint64_t off);
void pl031_write(PL031 *r, uint64_t off, uint64_t val);

/* Any thread. Bring the device up to the current host time: latch the
 * match interrupt if the counter has reached RTCMR, drive the output.
 * Returns the next host time (ns) at which something can change, or
 * PL031_NO_DEADLINE. */
uint64_t pl031_poll(PL031 *r);
/* Any thread, lock-free: the deadline as of the last access or poll. */
static inline uint64_t pl031_deadline(PL031 *r)
{
    return atomic_load_explicit(&r->deadline, memory_order_acquire);
}

/* Main thread, start-up, only with the real clock (now_ns NULL): start a
 * host thread that sleeps until the deadline and then polls, so alarms fire
 * with no help from the vCPUs. Returns false if the thread cannot start. */
bool pl031_start_alarm_thread(PL031 *r);

#endif
