/* Unit tests for the generic timer (devices/timer.c) with an injected host
 * clock: counter scaling, TVAL/CVAL, ISTATUS, IMASK gating of the output
 * line, deadlines, EL0 access control and the event stream. Expected values
 * follow the Arm ARM (D11, "The Generic Timer in AArch64 state"). */
#include <criterion/criterion.h>
#include <time.h>

#include "devices/timer.h"

#define ORIGIN 1000000ull /* host ns at which the counter reads 0 */
#define NS_PER_TICK 16ull /* 62.5 MHz */

static uint64_t fake_ns;
static SysCounter sc;
static GenericTimer t;
static int level[GT_NUM], edges[GT_NUM];

static uint64_t fake_clock(void *opaque) { return *(uint64_t *)opaque; }

static void line(void *opaque, int n, int lvl)
{
    (void)opaque;
    cr_assert_neq(level[n], lvl, "lines change only on edges");
    level[n] = lvl;
    edges[n]++;
}

static void setup(void)
{
    fake_ns = ORIGIN;
    syscounter_init(&sc, fake_clock, &fake_ns);
    IRQLine p, v;
    irq_init(&p, line, NULL, GT_PHYS);
    irq_init(&v, line, NULL, GT_VIRT);
    level[0] = level[1] = edges[0] = edges[1] = 0;
    gtimer_init(&t, &sc, p, v);
}

TestSuite(timer, .init = setup);

static void at_tick(uint64_t tick) { fake_ns = ORIGIN + tick * NS_PER_TICK; }

static uint64_t rd(uint32_t enc)
{
    uint64_t v = 0xdead;
    cr_assert_eq(gtimer_sysreg_read(&t, enc, 1, 0, &v), GT_OK);
    return v;
}

static void wr(uint32_t enc, uint64_t v) { cr_assert_eq(gtimer_sysreg_write(&t, enc, 1, 0, v), GT_OK); }

Test(timer, counter_scaling)
{
    cr_assert_eq(rd(CNTFRQ_EL0), 62500000);
    cr_assert_eq(rd(CNTPCT_EL0), 0);
    at_tick(100);
    cr_assert_eq(rd(CNTPCT_EL0), 100);
    cr_assert_eq(rd(CNTVCT_EL0), 100, "CNTVOFF = 0");
    fake_ns += NS_PER_TICK - 1;
    cr_assert_eq(rd(CNTPCT_EL0), 100, "no tick before 16 ns have passed");
    fake_ns += 1;
    cr_assert_eq(rd(CNTPCT_EL0), 101);
    /* one second of host time is CNTFRQ ticks */
    fake_ns = ORIGIN + 1000000000ull;
    cr_assert_eq(rd(CNTPCT_EL0), 62500000);
    cr_assert_eq(syscounter_ns_at(&sc, 62500000), ORIGIN + 1000000000ull);
}

Test(timer, tval_cval_relation)
{
    at_tick(100);
    wr(CNTP_CVAL_EL0, 500);
    cr_assert_eq(rd(CNTP_TVAL_EL0), 400);
    at_tick(150);
    cr_assert_eq(rd(CNTP_TVAL_EL0), 350, "TVAL counts down");
    wr(CNTP_TVAL_EL0, 1000);
    cr_assert_eq(rd(CNTP_CVAL_EL0), 1150, "CVAL = count + TVAL");
    /* TVAL is a signed 32-bit view: a negative write puts CVAL in the past */
    wr(CNTP_TVAL_EL0, 0xfffffffbull);
    cr_assert_eq(rd(CNTP_CVAL_EL0), 145);
    cr_assert_eq(rd(CNTP_TVAL_EL0), 0xfffffffbull, "bits 63:32 read as zero");
    /* only bits 31:0 of a TVAL write count */
    wr(CNTV_TVAL_EL0, 0xffffffff00000010ull);
    cr_assert_eq(rd(CNTV_CVAL_EL0), 166);
    /* far-away CVAL: TVAL is the low 32 bits of the difference */
    wr(CNTP_CVAL_EL0, 150 + 0x100000005ull);
    cr_assert_eq(rd(CNTP_TVAL_EL0), 5);
}

Test(timer, istatus_when_counter_passes_cval)
{
    at_tick(100);
    wr(CNTP_CVAL_EL0, 200);
    cr_assert_eq(gtimer_deadline(&t), GT_NO_DEADLINE, "disabled: no deadline");
    wr(CNTP_CTL_EL0, GT_CTL_ENABLE);
    cr_assert_eq(rd(CNTP_CTL_EL0), GT_CTL_ENABLE, "not yet");
    cr_assert_eq(level[GT_PHYS], 0);
    uint64_t d = gtimer_deadline(&t);
    cr_assert_eq(d, ORIGIN + 200 * NS_PER_TICK);
    fake_ns = d - 1;
    cr_assert_eq(gtimer_update(&t), d, "one ns early: unchanged");
    cr_assert_eq(level[GT_PHYS], 0);
    fake_ns = d;
    cr_assert_eq(gtimer_update(&t), GT_NO_DEADLINE);
    cr_assert_eq(level[GT_PHYS], 1, "line raised at the deadline");
    cr_assert_eq(rd(CNTP_CTL_EL0), GT_CTL_ENABLE | GT_CTL_ISTATUS);
    cr_assert_eq(level[GT_VIRT], 0, "the virtual timer is independent");
    /* moving CVAL into the future clears the condition (level-sensitive) */
    wr(CNTP_CVAL_EL0, 1000);
    cr_assert_eq(level[GT_PHYS], 0);
    cr_assert_eq(rd(CNTP_CTL_EL0) & GT_CTL_ISTATUS, 0);
    /* disabling: ISTATUS reads 0, line low */
    wr(CNTP_CVAL_EL0, 0);
    cr_assert_eq(level[GT_PHYS], 1);
    wr(CNTP_CTL_EL0, 0);
    cr_assert_eq(level[GT_PHYS], 0);
    cr_assert_eq(rd(CNTP_CTL_EL0), 0);
}

Test(timer, imask_gates_the_line)
{
    at_tick(10);
    wr(CNTV_CVAL_EL0, 20);
    wr(CNTV_CTL_EL0, GT_CTL_ENABLE | GT_CTL_IMASK);
    cr_assert_eq(gtimer_deadline(&t), GT_NO_DEADLINE, "masked: nothing to wake for");
    at_tick(25);
    gtimer_update(&t);
    cr_assert_eq(level[GT_VIRT], 0, "masked");
    cr_assert_eq(rd(CNTV_CTL_EL0), GT_CTL_ENABLE | GT_CTL_IMASK | GT_CTL_ISTATUS, "ISTATUS regardless of IMASK");
    wr(CNTV_CTL_EL0, GT_CTL_ENABLE);
    cr_assert_eq(level[GT_VIRT], 1, "unmasked: line = ENABLE && ISTATUS && !IMASK");
    wr(CNTV_CTL_EL0, GT_CTL_ENABLE | GT_CTL_IMASK);
    cr_assert_eq(level[GT_VIRT], 0);
    cr_assert_eq(edges[GT_VIRT], 2);
    /* ISTATUS is read-only */
    wr(CNTV_CTL_EL0, GT_CTL_ISTATUS);
    cr_assert_eq(rd(CNTV_CTL_EL0), 0);
    cr_assert_eq(level[GT_PHYS], 0);
}

Test(timer, deadline_is_earliest_of_both)
{
    at_tick(0);
    wr(CNTP_CVAL_EL0, 300);
    wr(CNTV_CVAL_EL0, 200);
    wr(CNTP_CTL_EL0, GT_CTL_ENABLE);
    wr(CNTV_CTL_EL0, GT_CTL_ENABLE);
    cr_assert_eq(gtimer_deadline(&t), ORIGIN + 200 * NS_PER_TICK);
    at_tick(200);
    cr_assert_eq(gtimer_update(&t), ORIGIN + 300 * NS_PER_TICK);
    cr_assert_eq(level[GT_VIRT], 1);
    cr_assert_eq(level[GT_PHYS], 0);
    /* a CVAL beyond the host clock's range has no deadline */
    wr(CNTP_CVAL_EL0, UINT64_MAX);
    cr_assert_eq(gtimer_deadline(&t), GT_NO_DEADLINE);
}

Test(timer, el0_access_control)
{
    uint64_t v;
    cr_assert_eq(gtimer_sysreg_read(&t, CNTVCT_EL0, 0, 0, &v), GT_TRAP);
    cr_assert_eq(gtimer_sysreg_read(&t, CNTVCT_EL0, 0, CNTKCTL_EL0VCTEN, &v), GT_OK);
    cr_assert_eq(gtimer_sysreg_read(&t, CNTPCT_EL0, 0, CNTKCTL_EL0VCTEN, &v), GT_TRAP);
    cr_assert_eq(gtimer_sysreg_read(&t, CNTFRQ_EL0, 0, CNTKCTL_EL0VCTEN, &v), GT_OK);
    cr_assert_eq(gtimer_sysreg_write(&t, CNTV_CTL_EL0, 0, CNTKCTL_EL0VCTEN, 1), GT_TRAP);
    cr_assert_eq(gtimer_sysreg_write(&t, CNTV_CTL_EL0, 0, CNTKCTL_EL0VTEN, 1), GT_OK);
    cr_assert_eq(gtimer_sysreg_read(&t, CNTP_CVAL_EL0, 0, CNTKCTL_EL0VTEN, &v), GT_TRAP);
    cr_assert_eq(gtimer_sysreg_read(&t, CNTP_CVAL_EL0, 0, CNTKCTL_EL0PTEN, &v), GT_OK);
    cr_assert_eq(gtimer_sysreg_write(&t, CNTFRQ_EL0, 0, ~0ull, 1), GT_UNDEF);
    cr_assert_eq(gtimer_sysreg_write(&t, CNTPCT_EL0, 1, 0, 1), GT_UNDEF, "read-only");
    cr_assert_eq(gtimer_sysreg_read(&t, SYSREG_ENC(3, 0, 14, 1, 0), 1, 0, &v), GT_NOT_TIMER, "CNTKCTL_EL1 is the CPU's");
}

Test(timer, event_stream_deadline)
{
    at_tick(100);
    cr_assert_eq(gtimer_evtstrm_deadline(&t, 0), GT_NO_DEADLINE);
    /* EVNTI = 2, 0->1 transitions of bit 2: counts 4 mod 8 -> next is 108 */
    uint64_t k = CNTKCTL_EVNTEN | 2u << CNTKCTL_EVNTI_SHIFT;
    cr_assert_eq(gtimer_evtstrm_deadline(&t, k), ORIGIN + 108 * NS_PER_TICK);
    /* 1->0 transitions: counts 0 mod 8 -> 104 */
    cr_assert_eq(gtimer_evtstrm_deadline(&t, k | CNTKCTL_EVNTDIR), ORIGIN + 104 * NS_PER_TICK);
}

Test(timer, host_monotonic_clock)
{
    SysCounter real;
    syscounter_init(&real, NULL, NULL);
    uint64_t a = syscounter_ticks_at(&real, syscounter_now_ns(&real));
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    uint64_t b = syscounter_ticks_at(&real, syscounter_now_ns(&real));
    cr_assert_geq(b - a, 2000000 / NS_PER_TICK, "at least 2 ms of ticks");
}
