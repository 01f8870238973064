/* A minimal stand-in for Criterion's API, used only by scripts/tsan-tests.sh.
 *
 * Why: Criterion (2.4, through BoxFort) maps an "inheritable arena" at a
 * random address in 0x2000_0000_0000..0x6000_0000_0000, which
 * ThreadSanitizer reserves for its own shadow and meta memory, so every
 * Criterion binary built with -fsanitize=thread aborts at start-up ("Could
 * not initialize inheritable arena", Snaipe/Criterion#274). The concurrency
 * tests are therefore compiled against this header for the TSan run, and
 * against the real Criterion everywhere else.
 *
 * Supported: Test(suite, name, .init/.fini/.timeout/.disabled), TestSuite(),
 * the cr_assert_ and cr_expect_ families (eq, neq, lt, leq, gt, geq, null, not_null, not,
 * str_eq, str_neq, str_empty, fail) with an optional printf-style message,
 * cr_log_info/warn/error. Each test runs in its own forked process (as with
 * Criterion), so a TSan report (halt_on_error) or a crash fails that test.
 * A failed cr_assert ends the test; a failed cr_expect marks it failed and
 * continues. Thread rules: assertions may be used from any thread; a fatal one
 * outside the test's own thread ends the process. */
#ifndef FLOTILLA_TSAN_SHIM_CRITERION_H
#define FLOTILLA_TSAN_SHIM_CRITERION_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct shim_opts {
    int shim_unused; /* lets the option list start with a fixed member */
    void (*init)(void);
    void (*fini)(void);
    double timeout; /* seconds; 0 = the runner's default */
    bool disabled;
    const char *description;
};

struct shim_test {
    const char *suite, *name;
    void (*fn)(void);
    const struct shim_opts *opts;
    struct shim_test *next;
};

struct shim_suite {
    const char *name;
    const struct shim_opts *opts;
    struct shim_suite *next;
};

/* Called by the constructors that Test() and TestSuite() emit (main thread,
 * before main). */
void shim_register_test(struct shim_test *t);
void shim_register_suite(struct shim_suite *s);
/* Any thread: report a check. Returns normally unless fatal && !ok. */
void shim_check(bool ok, bool fatal, const char *file, int line, const char *expr, const char *fmt, ...);
void shim_log(const char *level, const char *fmt, ...);


#define Test(suite, name, ...)                                                                                  \
    static void shim_##suite##_##name##_impl(void);                                                             \
    static const struct shim_opts shim_##suite##_##name##_opts = {.shim_unused = 0, __VA_ARGS__};               \
    static struct shim_test shim_##suite##_##name##_desc = {#suite, #name, shim_##suite##_##name##_impl,        \
                                                     &shim_##suite##_##name##_opts, NULL};                      \
    __attribute__((constructor)) static void shim_##suite##_##name##_reg(void)                                  \
    {                                                                                                           \
        shim_register_test(&shim_##suite##_##name##_desc);                                                      \
    }                                                                                                           \
    static void shim_##suite##_##name##_impl(void)

#define TestSuite(suite, ...)                                                                                   \
    static const struct shim_opts shim_##suite##_suite_opts = {.shim_unused = 0, __VA_ARGS__};                  \
    static struct shim_suite shim_##suite##_suite_desc = {#suite, &shim_##suite##_suite_opts, NULL};            \
    __attribute__((constructor)) static void shim_##suite##_suite_reg(void) { shim_register_suite(&shim_##suite##_suite_desc); }

/* The optional message: "" "fmt", args... (Criterion messages are literals). */
#define SHIM_CHECK(ok, fatal, expr, ...) shim_check((ok), (fatal), __FILE__, __LINE__, expr, "" __VA_ARGS__)

#define cr_assert(c, ...) SHIM_CHECK(!!(c), true, #c, __VA_ARGS__)
#define cr_expect(c, ...) SHIM_CHECK(!!(c), false, #c, __VA_ARGS__)
#define cr_assert_not(c, ...) SHIM_CHECK(!(c), true, "!(" #c ")", __VA_ARGS__)
#define cr_expect_not(c, ...) SHIM_CHECK(!(c), false, "!(" #c ")", __VA_ARGS__)
#define cr_assert_fail(...) SHIM_CHECK(false, true, "cr_assert_fail", __VA_ARGS__)
#define cr_expect_fail(...) SHIM_CHECK(false, false, "cr_expect_fail", __VA_ARGS__)

#define SHIM_CMP(a, op, b, fatal, ...) SHIM_CHECK((a)op(b), fatal, #a " " #op " " #b, __VA_ARGS__)
#define cr_assert_eq(a, b, ...) SHIM_CMP(a, ==, b, true, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) SHIM_CMP(a, ==, b, false, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) SHIM_CMP(a, !=, b, true, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) SHIM_CMP(a, !=, b, false, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) SHIM_CMP(a, <, b, true, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) SHIM_CMP(a, <, b, false, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) SHIM_CMP(a, <=, b, true, __VA_ARGS__)
#define cr_expect_leq(a, b, ...) SHIM_CMP(a, <=, b, false, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) SHIM_CMP(a, >, b, true, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) SHIM_CMP(a, >, b, false, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) SHIM_CMP(a, >=, b, true, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) SHIM_CMP(a, >=, b, false, __VA_ARGS__)
#define cr_assert_null(p, ...) SHIM_CHECK((p) == NULL, true, #p " == NULL", __VA_ARGS__)
#define cr_expect_null(p, ...) SHIM_CHECK((p) == NULL, false, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) SHIM_CHECK((p) != NULL, true, #p " != NULL", __VA_ARGS__)
#define cr_expect_not_null(p, ...) SHIM_CHECK((p) != NULL, false, #p " != NULL", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) SHIM_CHECK(strcmp((a), (b)) == 0, true, #a " == " #b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) SHIM_CHECK(strcmp((a), (b)) == 0, false, #a " == " #b, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) SHIM_CHECK(strcmp((a), (b)) != 0, true, #a " != " #b, __VA_ARGS__)
#define cr_expect_str_neq(a, b, ...) SHIM_CHECK(strcmp((a), (b)) != 0, false, #a " != " #b, __VA_ARGS__)
#define cr_assert_str_empty(s, ...) SHIM_CHECK((s)[0] == 0, true, #s " is empty", __VA_ARGS__)
#define cr_expect_str_empty(s, ...) SHIM_CHECK((s)[0] == 0, false, #s " is empty", __VA_ARGS__)

#include "logging.h"

#endif
