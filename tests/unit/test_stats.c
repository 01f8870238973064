/* Unit tests for -stats (smp/stats.c): the JSON file keeps the boots before
 * a PSCI reboot (it used to be rewritten by each boot), bounded. */
#include "common.h"

#include "smp/stats.h"

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

Test(stats, reboots_kept_in_one_json_object)
{
    TestMachine *tm = test_machine_new();
    RunOutputs out = {0};
    out.stats = tmpfile();
    cr_assert_not_null(out.stats);
    tm->m.opt.out = &out;
    for (int boot = 0; boot < 3; boot++) {
        tm->m.reboot = boot < 2; /* two PSCI reboots, then the guest stops */
        tm->cpu->stats.insns = 100 + (uint64_t)boot;
        stats_start(&tm->m);
        stats_finish(&tm->m, boot == 2 ? 7 : 0);
    }
    static char buf[1 << 16];
    rewind(out.stats);
    size_t n = fread(buf, 1, sizeof(buf) - 1, out.stats);
    buf[n] = 0;
    cr_expect_eq(buf[0], '{', "%s", buf);
    cr_expect_eq(count(buf, "\"version\""), 3, "one object per boot: %s", buf);
    cr_expect_eq(count(buf, "\"previous_boots\": [{"), 1, "%s", buf);
    cr_expect_eq(count(buf, "\"previous_boots_dropped\": 0"), 1, "%s", buf);
    /* Each boot's own counters; the last one's at the top level. */
    cr_expect_eq(count(buf, "\"insns\": 100,"), 1, "%s", buf);
    cr_expect_eq(count(buf, "\"insns\": 101,"), 1, "%s", buf);
    cr_expect_eq(count(buf, "\"insns\": 102,"), 1, "%s", buf);
    cr_expect(strstr(buf, "\"insns\": 102,") > strstr(buf, "\"previous_boots_dropped\""), "%s", buf);
    cr_expect_eq(count(buf, "\"exit_status\": 7"), 1, "%s", buf);
    fclose(out.stats);
    free(out.prev_boots);
    test_machine_free(tm);
}

Test(stats, endless_reboots_are_bounded)
{
    TestMachine *tm = test_machine_new();
    RunOutputs out = {0};
    out.stats = tmpfile();
    cr_assert_not_null(out.stats);
    tm->m.opt.out = &out;
    tm->m.reboot = true;
    for (int boot = 0; boot < 2000; boot++) {
        stats_start(&tm->m);
        stats_finish(&tm->m, 0);
    }
    cr_expect_leq(out.prev_len, 256u << 10, "kept JSON is bounded: %zu bytes", out.prev_len);
    cr_expect_gt(out.prev_dropped, 0);
    tm->m.reboot = false;
    stats_finish(&tm->m, 0);
    fclose(out.stats);
    free(out.prev_boots);
    test_machine_free(tm);
}
