/* Unit tests for the PL031 RTC (devices/pl031.c) with an injected host
 * clock: counter, RTCLR loads, the match interrupt (lazy and polled),
 * masking, RTCICR, the ID registers and the alarm thread on the real
 * clock. Register behaviour follows ARM DDI 0224 (PL031 TRM). */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <time.h>

#include "devices/pl031.h"
#include "memory/mem.h"

#define RTCDR 0x000
#define RTCMR 0x004
#define RTCLR 0x008
#define RTCCR 0x00c
#define RTCIMSC 0x010
#define RTCRIS 0x014
#define RTCMIS 0x018
#define RTCICR 0x01c

#define SEC 1000000000ull
#define ORIGIN (5 * SEC + 123) /* host ns when the device is created */
#define START 1000u            /* counter at creation */
#define IRQ_N 34

static uint64_t fake_ns;
static PL031 *r;
static _Atomic int level, edges;

static uint64_t fake_clock(void *opaque) { return *(uint64_t *)opaque; }

static void line(void *opaque, int n, int lvl)
{
    (void)opaque;
    cr_assert_eq(n, IRQ_N);
    cr_assert_neq(atomic_load(&level), lvl, "the line changes only on edges");
    atomic_store(&level, lvl);
    atomic_fetch_add(&edges, 1);
}

static void setup(void)
{
    fake_ns = ORIGIN;
    atomic_store(&level, 0);
    atomic_store(&edges, 0);
    IRQLine l;
    irq_init(&l, line, NULL, IRQ_N);
    r = pl031_new(fake_clock, &fake_ns, START, l);
    cr_assert_not_null(r);
}

static void teardown(void) { pl031_destroy(r); }

TestSuite(pl031, .init = setup, .fini = teardown);

static void at(uint64_t ns_after_origin) { fake_ns = ORIGIN + ns_after_origin; }

Test(pl031, ids)
{
    static const uint8_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pl031_read(r, 0xfe0 + 4 * i), id[i], "ID register %#x", 0xfe0 + 4 * i);
}

Test(pl031, reset_state)
{
    cr_assert_eq(pl031_read(r, RTCCR), 1, "started at reset");
    cr_assert_eq(pl031_read(r, RTCMR), 0);
    cr_assert_eq(pl031_read(r, RTCIMSC), 0);
    cr_assert_eq(pl031_read(r, RTCRIS), 0);
    cr_assert_eq(pl031_read(r, RTCMIS), 0);
    cr_assert_eq(pl031_deadline(r), PL031_NO_DEADLINE, "no alarm before MR/LR is written");
    pl031_write(r, RTCCR, 0);
    cr_assert_eq(pl031_read(r, RTCCR), 1, "the start bit cannot be cleared");
}

Test(pl031, counter_counts_seconds)
{
    cr_assert_eq(pl031_read(r, RTCDR), START);
    at(SEC - 1);
    cr_assert_eq(pl031_read(r, RTCDR), START, "no tick before a whole second");
    at(SEC);
    cr_assert_eq(pl031_read(r, RTCDR), START + 1);
    at(10 * SEC + SEC / 2);
    cr_assert_eq(pl031_read(r, RTCDR), START + 10);
    pl031_write(r, RTCDR, 7);
    cr_assert_eq(pl031_read(r, RTCDR), START + 10, "RTCDR is read-only");
}

Test(pl031, load_sets_counter)
{
    at(SEC / 2);
    pl031_write(r, RTCLR, 5);
    cr_assert_eq(pl031_read(r, RTCDR), 5);
    cr_assert_eq(pl031_read(r, RTCLR), 5, "RTCLR reads the last value loaded");
    at(SEC);
    cr_assert_eq(pl031_read(r, RTCDR), 6, "the 1 Hz phase is not reset by a load");
    at(3 * SEC);
    cr_assert_eq(pl031_read(r, RTCDR), 8);
    /* the counter is 32 bits and wraps */
    pl031_write(r, RTCLR, 0xffffffffu);
    at(4 * SEC);
    cr_assert_eq(pl031_read(r, RTCDR), 0);
}

Test(pl031, match_interrupt_polled)
{
    pl031_write(r, RTCIMSC, 1);
    pl031_write(r, RTCMR, START + 3);
    cr_assert_eq(pl031_deadline(r), ORIGIN + 3 * SEC, "deadline = second boundary where DR == MR");
    at(3 * SEC - 1);
    cr_assert_eq(pl031_poll(r), ORIGIN + 3 * SEC);
    cr_assert_eq(atomic_load(&level), 0);
    at(3 * SEC);
    cr_assert_eq(pl031_poll(r), PL031_NO_DEADLINE, "fired: no further match for 2^32 s");
    cr_assert_eq(atomic_load(&level), 1);
    cr_assert_eq(atomic_load(&edges), 1);
    cr_assert_eq(pl031_read(r, RTCRIS), 1);
    cr_assert_eq(pl031_read(r, RTCMIS), 1);
    cr_assert_eq(pl031_read(r, RTCDR), START + 3);
}

Test(pl031, match_latched_lazily_on_read)
{
    pl031_write(r, RTCMR, START + 2);
    at(5 * SEC);
    /* nobody polled: the read itself brings the device up to date */
    cr_assert_eq(pl031_read(r, RTCRIS), 1);
    cr_assert_eq(pl031_read(r, RTCMIS), 0, "masked");
    cr_assert_eq(atomic_load(&level), 0, "masked: the line stays low");
    pl031_write(r, RTCIMSC, 1);
    cr_assert_eq(atomic_load(&level), 1, "unmasking a latched match raises the line");
    pl031_write(r, RTCIMSC, 0);
    cr_assert_eq(atomic_load(&level), 0);
    cr_assert_eq(pl031_read(r, RTCRIS), 1, "masking does not clear the raw status");
}

Test(pl031, icr_clears)
{
    pl031_write(r, RTCIMSC, 1);
    pl031_write(r, RTCMR, START + 1);
    at(SEC);
    pl031_poll(r);
    cr_assert_eq(atomic_load(&level), 1);
    pl031_write(r, RTCICR, 0);
    cr_assert_eq(pl031_read(r, RTCRIS), 1, "writing 0 clears nothing");
    pl031_write(r, RTCICR, 1);
    cr_assert_eq(pl031_read(r, RTCRIS), 0);
    cr_assert_eq(pl031_read(r, RTCMIS), 0);
    cr_assert_eq(atomic_load(&level), 0);
    at(2 * SEC);
    pl031_poll(r);
    cr_assert_eq(pl031_read(r, RTCRIS), 0, "a match fires once");
    cr_assert_eq(atomic_load(&edges), 2);
}

Test(pl031, match_equal_now_fires_at_once)
{
    pl031_write(r, RTCIMSC, 1);
    at(SEC / 4);
    pl031_write(r, RTCMR, START);
    cr_assert_eq(pl031_read(r, RTCRIS), 1);
    cr_assert_eq(atomic_load(&level), 1);
}

Test(pl031, match_in_the_past_waits_for_wrap)
{
    pl031_write(r, RTCMR, START - 1);
    cr_assert_eq(pl031_deadline(r), ORIGIN + 0xffffffffull * SEC);
    at(1000 * SEC);
    cr_assert_eq(pl031_read(r, RTCRIS), 0);
}

Test(pl031, load_rearms_match)
{
    pl031_write(r, RTCIMSC, 1);
    pl031_write(r, RTCMR, 100);
    at(SEC / 2);
    pl031_write(r, RTCLR, 98);
    cr_assert_eq(pl031_deadline(r), ORIGIN + 2 * SEC, "two ticks from 98 to 100");
    at(2 * SEC - 1);
    pl031_poll(r);
    cr_assert_eq(atomic_load(&level), 0);
    at(2 * SEC);
    pl031_poll(r);
    cr_assert_eq(atomic_load(&level), 1);
    cr_assert_eq(pl031_read(r, RTCDR), 100);
    /* loading MR's value fires at once */
    pl031_write(r, RTCICR, 1);
    pl031_write(r, RTCLR, 100);
    cr_assert_eq(atomic_load(&level), 1);
}

Test(pl031, mapped_region)
{
    PhysMap pm = {0};
    pl031_map(r, &pm, PL031_BASE);
    const MMIORegion *reg = phys_find_mmio(&pm, PL031_BASE + 0xfe0);
    cr_assert_not_null(reg);
    cr_assert_eq(reg->base, PL031_BASE);
    cr_assert_eq(reg->size, 0x1000);
    cr_assert_eq(reg->lock, &r->lock, "dispatch takes the device lock");
    pthread_mutex_lock(reg->lock);
    uint64_t dr = reg->ops->read(reg->opaque, RTCDR, 4);
    pthread_mutex_unlock(reg->lock);
    cr_assert_eq(dr, START);
}

Test(pl031, alarm_thread_fires_on_real_clock, .timeout = 10)
{
    cr_assert_not(pl031_start_alarm_thread(r), "an injected clock has no thread");
    IRQLine l;
    irq_init(&l, line, NULL, IRQ_N);
    PL031 *rt = pl031_new(NULL, NULL, 0, l);
    cr_assert(pl031_start_alarm_thread(rt));
    pl031_write(rt, RTCIMSC, 1);
    pl031_write(rt, RTCMR, (uint32_t)pl031_read(rt, RTCDR) + 1);
    /* at most one second, plus scheduling slack */
    for (int i = 0; i < 300 && !atomic_load(&level); i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    cr_assert_eq(atomic_load(&level), 1, "the thread raised the line without any poll");
    cr_assert_eq(pl031_read(rt, RTCRIS), 1);
    pl031_destroy(rt);
}
