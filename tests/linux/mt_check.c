/*
 * mt_check: multi-threaded AArch64 Linux program run inside the guest by the
 * linux.* ctests (cross-compiled with aarch64-linux-gnu-gcc -static -O2
 * -pthread -march=armv8-a+lse and put into the test initramfs).
 *
 * Checks, one output line each:
 *   - exact shared counters with LDXR/STXR loops, LSE LDADD, pthread mutexes,
 *     C11 atomic_fetch_add, a C11 compare-exchange loop, and LDXR/STXR,
 *     LDADD and CASAL mixed on one counter;
 *   - litmus shapes MP+DMB (forbidden: r1=1,r2=0) and SB+DMB (forbidden:
 *     r1=r2=0), with the count of every outcome; SB without barriers is run
 *     too, for information only (its r1=r2=0 is allowed);
 *   - self-modifying code: rewrite a function in an RWX mapping, clean/
 *     invalidate with __builtin___clear_cache, call it again; on one thread,
 *     and with one thread writing and another executing after a handshake.
 * Ends with "MT_CHECK PASS" or "MT_CHECK FAIL"; exit status 0 on pass.
 *
 * Usage: mt_check [-t THREADS] [-n SCALE_PERCENT]. THREADS defaults to the
 * number of online CPUs (at least 2). Verified natively under
 * qemu-aarch64-static before being used as a guest test.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef HWCAP_ATOMICS
#define HWCAP_ATOMICS (1 << 8)
#endif

static int nthreads;
static long scale = 100; /* percent of the default iteration counts */
static int failures;

static long scaled(long n)
{
    long v = n * scale / 100;
    return v < 1 ? 1 : v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report(const char *name, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(const char *name, int ok, const char *fmt, ...)
{
    va_list ap;
    printf("mt_check: %-22s %s: ", name, ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok)
        failures++;
}

/* ---------- start barrier: all workers of one check start together ---------- */

static atomic_int start_count;
static atomic_int start_gen;

static void start_barrier(int parties)
{
    int gen = atomic_load(&start_gen);
    if (atomic_fetch_add(&start_count, 1) + 1 == parties) {
        atomic_store(&start_count, 0);
        atomic_fetch_add(&start_gen, 1);
    } else {
        while (atomic_load(&start_gen) == gen)
            sched_yield();
    }
}

static void run_threads(int n, void *(*fn)(void *))
{
    pthread_t th[256];
    for (long i = 0; i < n; i++)
        if (pthread_create(&th[i], NULL, fn, (void *)i) != 0) {
            perror("pthread_create");
            exit(2);
        }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

/* ---------- shared counters ---------- */

static uint64_t counter __attribute__((aligned(64)));
static _Atomic uint64_t acounter __attribute__((aligned(64)));
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long per_thread;

static inline void llsc_inc(uint64_t *p)
{
    uint64_t tmp;
    uint32_t fail;
    __asm__ volatile("1: ldxr %0, [%2]\n"
                     "   add %0, %0, #1\n"
                     "   stxr %w1, %0, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(fail)
                     : "r"(p)
                     : "memory");
}

static inline void lse_inc(uint64_t *p)
{
    uint64_t old;
    __asm__ volatile("ldadd %1, %0, [%2]" : "=r"(old) : "r"((uint64_t)1), "r"(p) : "memory");
}

/* A CASAL loop, spelled out whatever the compiler makes of C11 CAS. */
static inline void cas_inc(uint64_t *p)
{
    uint64_t old = *(volatile uint64_t *)p, seen;
    for (;;) {
        seen = old;
        __asm__ volatile("casal %0, %1, [%2]" : "+r"(seen) : "r"(old + 1), "r"(p) : "memory");
        if (seen == old)
            return;
        old = seen;
    }
}

static void *inc_llsc(void *arg)
{
    (void)arg;
    start_barrier(nthreads);
    for (long i = 0; i < per_thread; i++)
        llsc_inc(&counter);
    return NULL;
}

static void *inc_lse(void *arg)
{
    (void)arg;
    start_barrier(nthreads);
    for (long i = 0; i < per_thread; i++)
        lse_inc(&counter);
    return NULL;
}

/* LDXR/STXR, LDADD and CASAL on one counter at once: an atomic landing
 * between another core's LDXR and STXR must fail that STXR (ABA safety of
 * the exclusive monitor against atomics), or an increment is lost. */
static void *inc_mixed(void *arg)
{
    long id = (long)arg;
    start_barrier(nthreads);
    for (long i = 0; i < per_thread; i++) {
        switch ((id + i) % 3) {
        case 0: llsc_inc(&counter); break;
        case 1: lse_inc(&counter); break;
        default: cas_inc(&counter); break;
        }
    }
    return NULL;
}

static void *inc_mutex(void *arg)
{
    (void)arg;
    start_barrier(nthreads);
    for (long i = 0; i < per_thread; i++) {
        pthread_mutex_lock(&counter_lock);
        /* volatile: a plain read-modify-write the lock must protect. */
        *(volatile uint64_t *)&counter = *(volatile uint64_t *)&counter + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void *inc_c11(void *arg)
{
    (void)arg;
    start_barrier(nthreads);
    for (long i = 0; i < per_thread; i++)
        atomic_fetch_add_explicit(&acounter, 1, memory_order_relaxed);
    return NULL;
}

static void *inc_c11_cas(void *arg)
{
    (void)arg;
    start_barrier(nthreads);
    for (long i = 0; i < per_thread; i++) {
        uint64_t old = atomic_load_explicit(&acounter, memory_order_relaxed);
        while (!atomic_compare_exchange_weak(&acounter, &old, old + 1))
            ;
    }
    return NULL;
}

static void check_counter(const char *name, void *(*fn)(void *), long total, int c11)
{
    per_thread = total / nthreads;
    counter = 0;
    atomic_store(&acounter, 0);
    double t0 = now();
    run_threads(nthreads, fn);
    uint64_t got = c11 ? atomic_load(&acounter) : counter;
    uint64_t want = (uint64_t)per_thread * nthreads;
    report(name, got == want, "%d threads x %ld = %llu, got %llu (%.2fs)", nthreads, per_thread,
           (unsigned long long)want, (unsigned long long)got, now() - t0);
}

/* ---------- litmus tests ---------- */

/* Each iteration uses fresh locations x[i], y[i] (zero-initialised), so no
 * reset races. The two threads meet at a two-party rendezvous before each
 * iteration, then wait a pseudo-random short delay so that both orders and
 * the racy overlaps all occur. */
static int *lx, *ly, *lr1, *lr2;
static long litmus_iters;
static atomic_long arrive[2];
static int litmus_kind; /* 0 = MP+DMB, 1 = SB+DMB, 2 = SB (no barrier) */

static void rendezvous(int me, long i)
{
    atomic_store_explicit(&arrive[me], i + 1, memory_order_release);
    long spins = 0;
    while (atomic_load_explicit(&arrive[!me], memory_order_acquire) < i + 1)
        if (++spins > 100000)
            sched_yield(); /* more threads than CPUs: let the peer run */
}

static void delay(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    for (unsigned k = (*seed >> 16) & 127; k; k--)
        __asm__ volatile("" ::: "memory");
}

static void *litmus_thread(void *arg)
{
    int me = (int)(long)arg;
    unsigned seed = 12345u + 777u * me;
    for (long i = 0; i < litmus_iters; i++) {
        int *x = &lx[i], *y = &ly[i];
        int r;
        rendezvous(me, i);
        delay(&seed);
        switch (litmus_kind * 2 + me) {
        case 0: /* MP writer: x = 1; dmb; y = 1 */
            __asm__ volatile("str %w2, [%0]\n dmb ish\n str %w2, [%1]" ::"r"(x), "r"(y), "r"(1) : "memory");
            break;
        case 1: /* MP reader: r1 = y; dmb; r2 = x */
        {
            int a, b;
            __asm__ volatile("ldr %w0, [%2]\n dmb ish\n ldr %w1, [%3]"
                             : "=&r"(a), "=&r"(b)
                             : "r"(y), "r"(x)
                             : "memory");
            lr1[i] = a;
            lr2[i] = b;
            break;
        }
        case 2: /* SB thread 0: x = 1; dmb; r1 = y */
            __asm__ volatile("str %w2, [%1]\n dmb ish\n ldr %w0, [%3]" : "=&r"(r) : "r"(x), "r"(1), "r"(y) : "memory");
            lr1[i] = r;
            break;
        case 3: /* SB thread 1: y = 1; dmb; r2 = x */
            __asm__ volatile("str %w2, [%1]\n dmb ish\n ldr %w0, [%3]" : "=&r"(r) : "r"(y), "r"(1), "r"(x) : "memory");
            lr2[i] = r;
            break;
        case 4: /* SB without barrier */
            __asm__ volatile("str %w2, [%1]\n ldr %w0, [%3]" : "=&r"(r) : "r"(x), "r"(1), "r"(y) : "memory");
            lr1[i] = r;
            break;
        case 5:
            __asm__ volatile("str %w2, [%1]\n ldr %w0, [%3]" : "=&r"(r) : "r"(y), "r"(1), "r"(x) : "memory");
            lr2[i] = r;
            break;
        }
    }
    return NULL;
}

static void check_litmus(const char *name, int kind, long iters)
{
    litmus_kind = kind;
    litmus_iters = iters;
    lx = calloc(iters, sizeof(int));
    ly = calloc(iters, sizeof(int));
    lr1 = calloc(iters, sizeof(int));
    lr2 = calloc(iters, sizeof(int));
    if (!lx || !ly || !lr1 || !lr2) {
        perror("calloc");
        exit(2);
    }
    atomic_store(&arrive[0], 0);
    atomic_store(&arrive[1], 0);
    double t0 = now();
    run_threads(2, litmus_thread);
    long n[2][2] = {{0, 0}, {0, 0}};
    for (long i = 0; i < iters; i++)
        n[lr1[i] & 1][lr2[i] & 1]++;
    long forbidden;
    if (kind == 0)
        forbidden = n[1][0];
    else if (kind == 1)
        forbidden = n[0][0];
    else
        forbidden = 0; /* plain SB: every outcome is allowed */
    report(name, forbidden == 0, "%ld iterations: r1=0,r2=0: %ld  r1=0,r2=1: %ld  r1=1,r2=0: %ld  r1=1,r2=1: %ld%s (%.2fs)",
           iters, n[0][0], n[0][1], n[1][0], n[1][1],
           kind == 0 ? " [forbidden: r1=1,r2=0]" : kind == 1 ? " [forbidden: r1=0,r2=0]" : " [all allowed]",
           now() - t0);
    free(lx);
    free(ly);
    free(lr1);
    free(lr2);
}

/* ---------- self-modifying code ---------- */

typedef int (*fn_t)(void);
static uint32_t *code;

/* MOVZ W0, #v ; RET */
static void write_fn(uint32_t *p, unsigned v)
{
    p[0] = 0x52800000u | (v & 0xffffu) << 5;
    p[1] = 0xd65f03c0u;
    __builtin___clear_cache((char *)p, (char *)(p + 2));
}

static void check_smc_single(long iters)
{
    long bad = 0;
    double t0 = now();
    for (long i = 0; i < iters; i++) {
        unsigned v = (unsigned)(i * 7 + 1) & 0xffff;
        write_fn(code, v);
        int got = ((fn_t)code)();
        if ((unsigned)got != v && bad++ < 3)
            printf("mt_check: smc iteration %ld: expected %u, got %d\n", i, v, got);
    }
    report("smc_single_thread", bad == 0, "%ld rewrites, %ld stale results (%.2fs)", iters, bad, now() - t0);
}

static atomic_long smc_ready; /* value written by the modifier, after cleaning */
static atomic_long smc_done;  /* last value the executor has checked */
static long smc_iters;
static atomic_long smc_bad;

static void *smc_modifier(void *arg)
{
    (void)arg;
    for (long i = 1; i <= smc_iters; i++) {
        while (atomic_load_explicit(&smc_done, memory_order_acquire) != i - 1)
            sched_yield();
        /* Alternate between two slots so the executor's previous block
         * and the new one are at different and at the same addresses. */
        write_fn(code + 16 * (i & 1), (unsigned)i & 0xffff);
        atomic_store_explicit(&smc_ready, i, memory_order_release);
    }
    return NULL;
}

static void *smc_executor(void *arg)
{
    (void)arg;
    for (long i = 1; i <= smc_iters; i++) {
        while (atomic_load_explicit(&smc_ready, memory_order_acquire) != i)
            sched_yield();
        /* The modifying PE did DC CVAU + IC IVAU + DSB ISH; this PE needs a
         * context synchronisation event before running the new code. */
        __asm__ volatile("isb" ::: "memory");
        int got = ((fn_t)(code + 16 * (i & 1)))();
        if ((unsigned)got != ((unsigned)i & 0xffff)) {
            if (atomic_fetch_add(&smc_bad, 1) < 3)
                printf("mt_check: smc cross-thread iteration %ld: expected %ld, got %d\n", i, i & 0xffff, got);
        }
        atomic_store_explicit(&smc_done, i, memory_order_release);
    }
    return NULL;
}

static void *smc_thread(void *arg)
{
    return (long)arg == 0 ? smc_modifier(NULL) : smc_executor(NULL);
}

static void check_smc_cross(long iters)
{
    smc_iters = iters;
    atomic_store(&smc_ready, 0);
    atomic_store(&smc_done, 0);
    atomic_store(&smc_bad, 0);
    /* Both slots start as valid code for "return 0". */
    write_fn(code, 0);
    write_fn(code + 16, 0);
    double t0 = now();
    run_threads(2, smc_thread);
    long bad = atomic_load(&smc_bad);
    report("smc_cross_thread", bad == 0, "%ld rewrites on one thread, run on another: %ld stale results (%.2fs)", iters,
           bad, now() - t0);
}

int main(int argc, char **argv)
{
    int opt;
    nthreads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    while ((opt = getopt(argc, argv, "t:n:")) != -1) {
        if (opt == 't')
            nthreads = atoi(optarg);
        else if (opt == 'n')
            scale = atol(optarg);
        else {
            fprintf(stderr, "usage: %s [-t THREADS] [-n SCALE_PERCENT]\n", argv[0]);
            return 2;
        }
    }
    if (nthreads < 2)
        nthreads = 2;
    if (nthreads > 256)
        nthreads = 256;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("mt_check: %d threads, %ld online CPUs, LSE in HWCAP: %s\n", nthreads, sysconf(_SC_NPROCESSORS_ONLN),
           (getauxval(AT_HWCAP) & HWCAP_ATOMICS) ? "yes" : "no");

    check_counter("counter_ldxr_stxr", inc_llsc, scaled(200000), 0);
    check_counter("counter_lse_ldadd", inc_lse, scaled(200000), 0);
    check_counter("counter_pthread_mutex", inc_mutex, scaled(40000), 0);
    check_counter("counter_c11_fetch_add", inc_c11, scaled(200000), 1);
    check_counter("counter_c11_cas_loop", inc_c11_cas, scaled(100000), 1);
    check_counter("counter_llsc_lse_mixed", inc_mixed, scaled(150000), 0);

    check_litmus("litmus_MP+dmb", 0, scaled(100000));
    check_litmus("litmus_SB+dmb", 1, scaled(100000));
    check_litmus("litmus_SB_nobarrier", 2, scaled(100000));

    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap RWX");
        report("smc_mmap", 0, "mmap(PROT_EXEC|PROT_WRITE) failed");
    } else {
        check_smc_single(scaled(5000));
        check_smc_cross(scaled(1000));
    }

    printf(failures ? "MT_CHECK FAIL\n" : "MT_CHECK PASS\n");
    return failures ? 1 : 0;
}
