/* Runner for the TSan shim (criterion.h here): runs every registered test in
 * its own forked process, with the suite's and the test's init/fini, a
 * timeout, and a summary. Exit status 0 only if every test passed. Usage:
 *   test_x [--filter SUITE/NAME-prefix] [any Criterion option, ignored]
 * Thread rules: main() is single-threaded when it forks (the tests start their
 * own threads in the child), as TSan requires. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT 120

static struct shim_test *tests;
static struct shim_suite *suites;

/* Child-process state of the running test. */
static jmp_buf test_abort;
static pthread_t test_thread;
static int failures;

void shim_register_test(struct shim_test *t)
{
    t->next = tests;
    tests = t;
}

void shim_register_suite(struct shim_suite *s)
{
    s->next = suites;
    suites = s;
}

void shim_log(const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%s] ", level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void shim_check(bool ok, bool fatal, const char *file, int line, const char *expr, const char *fmt, ...)
{
    if (ok)
        return;
    __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[FAIL] %s:%d: %s", file, line, expr);
    if (fmt && *fmt) {
        fputs(": ", stderr);
        vfprintf(stderr, fmt, ap);
    }
    fputc('\n', stderr);
    va_end(ap);
    if (fatal) {
        if (pthread_equal(pthread_self(), test_thread))
            longjmp(test_abort, 1);
        fprintf(stderr, "[FAIL] fatal assertion outside the test thread\n");
        _exit(1);
    }
}

static const struct shim_opts *suite_opts(const char *name)
{
    for (struct shim_suite *s = suites; s; s = s->next)
        if (!strcmp(s->name, name))
            return s->opts;
    return NULL;
}

static void run_child(const struct shim_test *t, const struct shim_opts *so)
{
    test_thread = pthread_self();
    failures = 0;
    if (!setjmp(test_abort)) {
        if (so && so->init)
            so->init();
        if (t->opts->init)
            t->opts->init();
        t->fn();
    }
    /* Criterion runs fini after a failed assert too. */
    if (!setjmp(test_abort)) {
        if (t->opts->fini)
            t->opts->fini();
        if (so && so->fini)
            so->fini();
    }
    fflush(NULL);
    _exit(failures ? 1 : 0);
}

int main(int argc, char **argv)
{
    const char *filter = NULL;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--filter") && i + 1 < argc)
            filter = argv[++i];
    /* Registration prepends: reverse into declaration order. */
    struct shim_test *rev = NULL;
    while (tests) {
        struct shim_test *n = tests->next;
        tests->next = rev;
        rev = tests;
        tests = n;
    }
    int ran = 0, failed = 0;
    for (struct shim_test *t = rev; t; t = t->next) {
        char full[256];
        snprintf(full, sizeof(full), "%s/%s", t->suite, t->name);
        if (filter && strncmp(full, filter, strlen(filter)))
            continue;
        const struct shim_opts *so = suite_opts(t->suite);
        if (t->opts->disabled || (so && so->disabled))
            continue;
        double timeout = t->opts->timeout ? t->opts->timeout : so && so->timeout ? so->timeout : DEFAULT_TIMEOUT;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            alarm((unsigned)timeout + 1);
            run_child(t, so);
        }
        int st;
        waitpid(pid, &st, 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        ran++;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            fprintf(stderr, "[PASS] %s (%.2fs)\n", full, secs);
        } else {
            failed++;
            if (WIFSIGNALED(st))
                fprintf(stderr, "[FAIL] %s: killed by signal %d%s\n", full, WTERMSIG(st),
                        WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
            else
                fprintf(stderr, "[FAIL] %s: exit status %d%s\n", full, WEXITSTATUS(st),
                        WEXITSTATUS(st) == 66 ? " (ThreadSanitizer report)" : "");
        }
    }
    fprintf(stderr, "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d\n", ran, ran - failed, failed);
    return failed ? 1 : 0;
}
