/* Unit tests for the -det option parser (smp/det.c): defaults, every key,
 * and every kind of bad value is refused (false, one line on stderr). The
 * scheduler itself is tested end to end by tests/det (ctest label det). */
#include "common.h"

#include <criterion/redirect.h>
#include <stdio.h>

#include "smp/det.h"

Test(det, defaults)
{
    DetOptions o;
    cr_assert(det_parse("seed=42", &o));
    cr_assert(o.on);
    cr_assert_eq(o.seed, 42);
    cr_assert_eq(o.sched, DET_SCHED_RANDOM);
    cr_assert_eq(o.depth, 2);
    cr_assert_eq(o.quantum, 20000);
    cr_assert_eq(o.steps, 100000);
    cr_assert(!o.weak);
    cr_assert_eq(o.rr, DET_RR_NONE);
    cr_assert_null(o.rrfile);
}

Test(det, every_key)
{
    DetOptions o;
    cr_assert(det_parse("seed=18446744073709551615,sched=pct,depth=3,quantum=7,steps=99,weak=on,rr=record,rrfile=a,b",
                        &o));
    cr_assert_eq(o.seed, UINT64_MAX);
    cr_assert_eq(o.sched, DET_SCHED_PCT);
    cr_assert_eq(o.depth, 3);
    cr_assert_eq(o.quantum, 7);
    cr_assert_eq(o.steps, 99);
    cr_assert(o.weak);
    cr_assert_eq(o.rr, DET_RR_RECORD);
    cr_assert_str_eq(o.rrfile, "a,b", "rrfile= takes the rest, commas included");
    cr_assert(det_parse("sched=pct,seed=1", &o));
    cr_assert_eq(o.quantum, 1000, "pct's default quantum");
}

Test(det, bad_values_are_refused, .init = cr_redirect_stderr)
{
    static const char *bad[] = {
        "", "seed", "seed=", "seed=-1", "seed=1x", "seed=99999999999999999999", "sched=pct", "seed=1,sched=",
        "seed=1,sched=fifo", "seed=1,depth=0", "seed=1,depth=17", "seed=1,quantum=0", "seed=1,quantum=2000000000",
        "seed=1,steps=0", "seed=1,weak=yes", "seed=1,rr=record", "seed=1,rr=both,rrfile=x", "seed=1,rrfile=",
        "seed=1,rrfile=x,rr=replay" /* rr= is then part of the file name: no rr mode given */, "seed=1,,depth=2",
        "seed=1,unknown=1", "=1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        DetOptions o;
        cr_expect(!det_parse(bad[i], &o), "'%s' must be refused", bad[i]);
    }
}
