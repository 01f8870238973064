/* benchk: the compiled guest benchmark (static aarch64 Linux program; also
 * built for the host as the physical limit of the compute kernel).
 *   benchk gen KB          deterministic, compressible data on stdout
 *   benchk compute ITERS   CoreMark-like kernel (list, matrix, CRC, state
 *                          machine); prints "checksum HEX"
 *   benchk micro SECONDS   SimBench-like micro-costs, each between a
 *                          "BENCH-MSTART name" and a "BENCH-MICRO name
 *                          value unit ops" line (timed with the guest's own
 *                          clock, each for about SECONDS; ops: the operations
 *                          run, calibration included)
 *   benchk micro SECONDS PREFIX   only those whose name starts with PREFIX
 * Single-threaded except the IPI ping-pong and the two-core atomics. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t lcg_state = 12345;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return lcg_state >> 8;
}

/* ---- gen: words from a small vocabulary, so gzip/bzip2 have work ---- */
static int do_gen(long kb)
{
    static const char *const words[] = {"flotilla", "core", "guest", "host", "arm", "block", "cache",
                                        "the", "of", "translate", "interrupt", "memory", "page", "a",
                                        "vector", "lock", "thread", "exception", "timer", "queue"};
    long left = kb * 1024;
    char buf[4096];
    size_t n = 0;
    while (left > 0) {
        const char *w = words[lcg() % 20];
        size_t len = strlen(w);
        for (size_t i = 0; i <= len && left > 0; i++, left--) {
            uint32_t r = lcg();
            buf[n++] = i < len ? w[i] : (r % 13 == 0 ? '\n' : (r % 7 == 0 ? (char)('0' + r % 10) : ' '));
            if (n == sizeof(buf)) {
                fwrite(buf, 1, n, stdout);
                n = 0;
            }
        }
    }
    fwrite(buf, 1, n, stdout);
    return 0;
}

/* ---- compute: a CoreMark-like mix with a checksum ---- */
typedef struct Node {
    struct Node *next;
    int32_t val;
} Node;

static uint16_t crc16(uint16_t crc, uint8_t b)
{
    crc ^= b;
    for (int i = 0; i < 8; i++)
        crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    return crc;
}

#define LN 128
#define MN 16
static int do_compute(long iters)
{
    static Node nodes[LN];
    static int32_t a[MN][MN], b[MN][MN], c[MN][MN];
    static const char text[] = "123,-45.6e7,0x1f,  890,abc,+12.5,7e-3,-0.0,42";
    uint16_t crc = 0xffff;
    uint32_t seed = 1;
    for (long it = 0; it < iters; it++) {
        /* list: build, reverse, walk with a data-dependent filter */
        for (int i = 0; i < LN; i++) {
            seed = seed * 1664525u + 1013904223u;
            nodes[i].val = (int32_t)(seed >> 16) - 32768;
            nodes[i].next = i + 1 < LN ? &nodes[i + 1] : NULL;
        }
        Node *head = &nodes[0], *prev = NULL;
        while (head) {
            Node *n = head->next;
            head->next = prev;
            prev = head;
            head = n;
        }
        int32_t acc = 0;
        for (Node *p = prev; p; p = p->next)
            acc += (p->val & 1) ? p->val : -(p->val >> 2);
        crc = crc16(crc, (uint8_t)acc);
        crc = crc16(crc, (uint8_t)(acc >> 8));
        /* matrix multiply */
        for (int i = 0; i < MN; i++)
            for (int j = 0; j < MN; j++) {
                a[i][j] = (int32_t)((i * 7 + j * 3 + it) & 0xff) - 100;
                b[i][j] = (int32_t)((i * 5 - j + (it >> 1)) & 0x7f);
            }
        for (int i = 0; i < MN; i++)
            for (int j = 0; j < MN; j++) {
                int32_t s = 0;
                for (int k = 0; k < MN; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        for (int i = 0; i < MN; i++)
            crc = crc16(crc, (uint8_t)(c[i][(i + it) % MN] >> 3));
        /* state machine: classify the tokens of a string */
        int state = 0, counts[4] = {0, 0, 0, 0};
        for (const char *p = text; *p; p++) {
            char ch = *p;
            switch (state) {
            case 0: state = (ch >= '0' && ch <= '9') ? 1 : (ch == '+' || ch == '-') ? 2 : (ch == ',' ? 0 : 3); break;
            case 1: state = ch == ',' ? (counts[0]++, 0) : (ch == '.' || ch == 'e') ? 2 : (ch >= '0' && ch <= '9') ? 1 : 3; break;
            case 2: state = ch == ',' ? (counts[1]++, 0) : (ch >= '0' && ch <= '9') ? 2 : 3; break;
            default: state = ch == ',' ? (counts[2]++, 0) : 3; break;
            }
        }
        counts[3] = state;
        for (int i = 0; i < 4; i++)
            crc = crc16(crc, (uint8_t)(counts[i] + it));
    }
    printf("checksum %04x\n", crc);
    return 0;
}

/* ---- micro-costs ---- */
static double target_s = 0.3;
static long micro_ops; /* operations run by the current micro-benchmark, calibration included */

/* Marks a micro-benchmark's start: the host samples its CPU time at this line
 * and at the report, and divides by the operations run (bench.py). */
static const char *micro_only = ""; /* run only the micro-benchmarks named with this prefix */
static bool micro_begin(const char *name)
{
    if (strncmp(name, micro_only, strlen(micro_only)) != 0)
        return false;
    micro_ops = 0;
    printf("BENCH-MSTART %s\n", name);
    fflush(stdout);
    return true;
}

/* Run fn(n) with growing n until it takes target_s; returns seconds per op. */
static double measure(void (*fn)(long), long start)
{
    long n = start;
    for (;;) {
        double t0 = now_s();
        fn(n);
        double dt = now_s() - t0;
        micro_ops += n;
        if (dt >= target_s || n > (1L << 40))
            return dt / (double)n;
        n = dt < target_s / 16 ? n * 8 : n * 2;
    }
}

static void report(const char *name, double v, const char *unit)
{
    printf("BENCH-MICRO %s %.1f %s %ld\n", name, v, unit, micro_ops);
    fflush(stdout);
}

/* One micro-benchmark: `value` (which runs it) is evaluated only if its
 * name is selected. */
#define MICRO(name, value, unit)                                                                                       \
    do {                                                                                                               \
        if (micro_begin(name))                                                                                         \
            report(name, (value), unit);                                                                               \
    } while (0)

static void b_svc(long n)
{
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
}

static void sigill_handler(int sig, siginfo_t *si, void *uc_)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = uc_;
#if defined(__aarch64__)
    uc->uc_mcontext.pc += 4;
#else
    uc->uc_mcontext.gregs[REG_RIP] += 2;
#endif
}
static void b_undef(long n)
{
    for (long i = 0; i < n; i++) {
#if defined(__aarch64__)
        __asm__ volatile(".inst 0x00000000" ::: "memory"); /* UDF #0 */
#else
        __asm__ volatile("ud2" ::: "memory");
#endif
    }
}

#define TLB_PAGES 4096
static volatile uint8_t *tlb_buf;
static void b_tlb_miss(long n)
{
    /* One load per page over 16 MiB (4096 pages): beyond any software TLB
     * of a few hundred entries; the offset inside the page varies so the
     * data cache is not the limit. */
    unsigned sum = 0;
    for (long i = 0; i < n; i++) {
        long p = (i * 1031) % TLB_PAGES;
        sum += tlb_buf[p * 4096 + ((i * 64) & 4032)];
    }
    if (sum == 0xdeadbeef)
        puts("");
}

static volatile uint8_t *flush_page;
static void b_tlb_flush(long n)
{
    /* mprotect changes the PTE, so the kernel issues a TLBI for the page. */
    for (long i = 0; i < n; i++) {
        mprotect((void *)flush_page, 4096, (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ);
        (void)flush_page[0];
    }
}

static void b_munmap(long n)
{
    for (long i = 0; i < n; i++) {
        volatile uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        p[0] = 1;
        munmap((void *)p, 4096);
    }
}

/* IPI round trip: two threads on different cores ping-pong through a futex
 * word; each wake of a sleeping thread on another core is an IPI. */
static _Atomic int pp_word;
static long pp_n;
static void futex_wait(_Atomic int *w, int v) { syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0); }
static void futex_wake(_Atomic int *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }
static void pin(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    sched_setaffinity(0, sizeof(s), &s);
}
static void *pong(void *arg)
{
    (void)arg;
    pin(1);
    for (long i = 0; i < pp_n; i++) {
        while (pp_word != 1)
            futex_wait(&pp_word, 0);
        pp_word = 0;
        futex_wake(&pp_word);
    }
    return NULL;
}
static void b_ipi(long n)
{
    pp_n = n;
    pp_word = 0;
    pthread_t t;
    pthread_create(&t, NULL, pong, NULL);
    pin(0);
    for (long i = 0; i < n; i++) {
        pp_word = 1;
        futex_wake(&pp_word);
        while (pp_word != 0)
            futex_wait(&pp_word, 1);
    }
    pthread_join(t, NULL);
}

/* An atomic add, on one core alone and on two sharing the counter, each
 * op counted. As compiled C (atomic_fetch_add: libgcc's outline helper,
 * which takes LSE's LDADDAL where the kernel reports LSE, as on flotilla's
 * CPU, and an LDAXR/STLXR loop where it does not, as on QEMU's Cortex-A57),
 * and as that exclusive loop written out (the same instructions on both).
 * The counters have their 64-byte granules to themselves. */
static _Alignas(64) _Atomic long atomic_counter[8];
static _Alignas(64) long llsc_counter[8];
static void llsc_add_one(long *p)
{
#if defined(__aarch64__)
    long v;
    unsigned fail;
    __asm__ volatile("1: ldaxr %0, [%2]\n add %0, %0, #1\n stlxr %w1, %0, [%2]\n cbnz %w1, 1b"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(p)
                     : "memory");
#else
    __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
#endif
}
static void b_atomic(long n)
{
    for (long i = 0; i < n; i++)
        atomic_fetch_add(&atomic_counter[0], 1);
}
static void b_llsc(long n)
{
    for (long i = 0; i < n; i++)
        llsc_add_one(&llsc_counter[0]);
}
static void (*pair_fn)(long);
static long pair_n;
static void *pair_peer(void *arg)
{
    (void)arg;
    pin(1);
    pair_fn(pair_n);
    return NULL;
}
/* fn(n) split over two cores: n ops in all. */
static void on_two_cores(void (*fn)(long), long n)
{
    pair_fn = fn;
    pair_n = n / 2;
    pthread_t t;
    pthread_create(&t, NULL, pair_peer, NULL);
    pin(0);
    fn(n - n / 2);
    pthread_join(t, NULL);
}
static void b_atomic2(long n) { on_two_cores(b_atomic, n); }
static void b_llsc2(long n) { on_two_cores(b_llsc, n); }

/* Code generation: aarch64 (or x86-64 for the host build). */
static uint32_t *code;
#define FN_WORDS 16 /* one 64-byte function: 15 instructions and RET */
static void emit_fn(uint32_t *p, uint32_t imm)
{
#if defined(__aarch64__)
    p[0] = 0x52800000u | ((imm & 0xffff) << 5); /* MOVZ W0, #imm */
    for (int i = 1; i < FN_WORDS - 1; i++)
        p[i] = 0x11000400u | ((uint32_t)(i & 0xfff) << 10); /* ADD W0, W0, #i */
    p[FN_WORDS - 1] = 0xd65f03c0u;                           /* RET */
#else
    uint8_t *b = (uint8_t *)p;
    b[0] = 0xb8; /* mov eax, imm32 */
    memcpy(b + 1, &imm, 4);
    memset(b + 5, 0x90, FN_WORDS * 4 - 6);
    b[FN_WORDS * 4 - 1] = 0xc3; /* ret */
#endif
}
typedef int (*fn_t)(void);
static void b_smc(long n)
{
    /* Rewrite one function and run it: the old translation must be dropped. */
    for (long i = 0; i < n; i++) {
        code[0] = 0x52800000u | (((uint32_t)i & 0xffff) << 5);
#if !defined(__aarch64__)
        emit_fn(code, (uint32_t)i);
#endif
        __builtin___clear_cache((char *)code, (char *)(code + FN_WORDS));
        if (((fn_t)code)() == 0x7fffffff)
            puts("");
    }
}
#define XLATE_FNS 1024
static void b_translate(long n)
{
    /* Fresh mappings each round: every function is new code at a new
     * address, so each call translates one block (16 instructions). */
    for (long done = 0; done < n; done += XLATE_FNS) {
        uint32_t *buf = mmap(NULL, XLATE_FNS * FN_WORDS * 4, PROT_READ | PROT_WRITE | PROT_EXEC,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int f = 0; f < XLATE_FNS; f++)
            emit_fn(buf + f * FN_WORDS, (uint32_t)f);
        __builtin___clear_cache((char *)buf, (char *)(buf + XLATE_FNS * FN_WORDS));
        for (int f = 0; f < XLATE_FNS; f++)
            ((fn_t)(buf + f * FN_WORDS))();
        munmap(buf, XLATE_FNS * FN_WORDS * 4);
    }
}

#define COPY_BYTES (4 << 20)
static char *copy_src, *copy_dst;
static void b_memcpy(long n)
{
    for (long i = 0; i < n; i++) {
        memcpy(copy_dst, copy_src, COPY_BYTES);
        __asm__ volatile("" ::: "memory");
    }
}

static int do_micro(double seconds)
{
    target_s = seconds;
    MICRO("svc_roundtrip", measure(b_svc, 64) * 1e9, "ns");

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = sigill_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    MICRO("undef_trap_roundtrip", measure(b_undef, 16) * 1e9, "ns");

    tlb_buf = mmap(NULL, TLB_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (long p = 0; p < TLB_PAGES; p++)
        tlb_buf[p * 4096] = (uint8_t)p;
    MICRO("tlb_miss_load", measure(b_tlb_miss, 4096) * 1e9, "ns");

    flush_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    flush_page[0] = 1;
    MICRO("tlb_flush_mprotect", measure(b_tlb_flush, 16) * 1e9, "ns");
    MICRO("mmap_touch_munmap", measure(b_munmap, 16) * 1e9, "ns");

    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
        MICRO("ipi_futex_roundtrip", measure(b_ipi, 16) * 1e9, "ns");
    }

    MICRO("atomic_add", measure(b_atomic, 256) * 1e9, "ns");
    MICRO("atomic_add_llsc", measure(b_llsc, 256) * 1e9, "ns");
    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
        MICRO("atomic_add_2cores", measure(b_atomic2, 256) * 1e9, "ns");
        MICRO("atomic_add_llsc_2cores", measure(b_llsc2, 256) * 1e9, "ns");
    }

    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit_fn(code, 0);
    MICRO("smc_invalidate_call", measure(b_smc, 16) * 1e9, "ns");
    MICRO("translate_new_block", measure(b_translate, XLATE_FNS) * 1e9, "ns");

    copy_src = malloc(COPY_BYTES);
    copy_dst = malloc(COPY_BYTES);
    memset(copy_src, 0x5a, COPY_BYTES);
    memset(copy_dst, 0, COPY_BYTES);
    MICRO("memcpy_bandwidth", (double)COPY_BYTES / measure(b_memcpy, 1) / 1e6, "MB/s");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "gen"))
        return do_gen(atol(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "compute"))
        return do_compute(atol(argv[2]));
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "micro")) {
        if (argc == 4)
            micro_only = argv[3];
        return do_micro(atof(argv[2]));
    }
    fprintf(stderr, "usage: benchk gen KB | compute ITERS | micro SECONDS [NAME-PREFIX]\n");
    return 2;
}
