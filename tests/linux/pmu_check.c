/* pmu_check: counts the user-mode instructions and cycles of a loop of known
 * length with perf_event_open (Linux's arm_pmuv3 driver on flotilla's PMU,
 * cpu/pmu.c) and prints, per loop length n:
 *     PMU_CHECK n=<n> instructions=<count> cycles=<count>
 * linux_test.py's "pmu" test expects instructions = 2n + 5 exactly (below)
 * and cycles = instructions (flotilla's cycles model, docs/pmu.md).
 * Then a loop storing to fresh pages (a page fault per iteration):
 *     PMU_FAULTS pages=<n> instructions=<count>     expected 4n + 5
 * Then the overflow interrupt (PPI 23): a sampling event armed with
 * PERF_EVENT_IOC_REFRESH 1 disables itself in the driver's interrupt
 * handler after PMU_PERIOD instructions, so its count ends a few
 * instructions past the period however long the loop runs:
 *     PMU_IRQ period=<p> count=<count> loop=<loop length>
 *
 * The enabling ioctl, the loop and the disabling ioctl are one asm block, so
 * the user-mode instructions between the two system calls are known: after
 * the first SVC returns, the loop (SUBS, B.NE: 2n), four MOVs and the second
 * SVC (counted at EL0, where it executes): 2n + 5. exclude_kernel = 1, so
 * nothing the kernel runs is counted. Built static with aarch64-linux-gnu-gcc
 * (tests/linux/CMakeLists.txt) and copied into the test initramfs. */
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_event(uint64_t config, int group)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.type = PERF_TYPE_HARDWARE;
    a.config = config;
    a.disabled = group < 0; /* the leader starts disabled, members follow it */
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &a, 0, -1, group, 0);
}

/* enable the group, run the loop n times, disable the group: one asm block */
static void counted_loop(int fd, uint64_t n)
{
    register uint64_t x0 __asm__("x0") = (uint64_t)fd;
    register uint64_t x1 __asm__("x1") = PERF_EVENT_IOC_ENABLE;
    register uint64_t x2 __asm__("x2") = PERF_IOC_FLAG_GROUP;
    register uint64_t x8 __asm__("x8") = SYS_ioctl;
    register uint64_t x9 __asm__("x9") = n;
    register uint64_t x10 __asm__("x10") = (uint64_t)fd;
    register uint64_t x11 __asm__("x11") = PERF_EVENT_IOC_DISABLE;
    __asm__ volatile("svc #0\n"
                     "1: subs x9, x9, #1\n"
                     "b.ne 1b\n"
                     "mov x0, x10\n"
                     "mov x1, x11\n"
                     "mov x2, #1\n" /* PERF_IOC_FLAG_GROUP */
                     "mov x8, #29\n" /* SYS_ioctl */
                     "svc #0\n"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x8), "+r"(x9)
                     : "r"(x10), "r"(x11)
                     : "memory", "cc", "x3", "x4", "x5", "x6", "x7");
}

/* The same around a loop that stores to n fresh pages, one per iteration
 * (STR, ADD, SUBS, B.NE): every STR takes a page fault at EL0 and runs
 * again after the kernel has mapped the page. It retires once, so the count
 * is 4n + 5 exactly (flotilla gives back the rest of a block that an exception
 * left early: docs/pmu.md). */
static void counted_store_loop(int fd, void *buf, uint64_t n)
{
    register uint64_t x0 __asm__("x0") = (uint64_t)fd;
    register uint64_t x1 __asm__("x1") = PERF_EVENT_IOC_ENABLE;
    register uint64_t x2 __asm__("x2") = PERF_IOC_FLAG_GROUP;
    register uint64_t x8 __asm__("x8") = SYS_ioctl;
    register uint64_t x9 __asm__("x9") = n;
    register uint64_t x10 __asm__("x10") = (uint64_t)fd;
    register uint64_t x11 __asm__("x11") = PERF_EVENT_IOC_DISABLE;
    register uint64_t x12 __asm__("x12") = (uint64_t)buf;
    __asm__ volatile("svc #0\n"
                     "1: str xzr, [x12]\n"
                     "add x12, x12, #4096\n"
                     "subs x9, x9, #1\n"
                     "b.ne 1b\n"
                     "mov x0, x10\n"
                     "mov x1, x11\n"
                     "mov x2, #1\n"
                     "mov x8, #29\n"
                     "svc #0\n"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x8), "+r"(x9), "+r"(x12)
                     : "r"(x10), "r"(x11)
                     : "memory", "cc", "x3", "x4", "x5", "x6", "x7");
}

#define PMU_PERIOD 100000

static void plain_loop(uint64_t n)
{
    __asm__ volatile("1: subs %0, %0, #1\n"
                     "b.ne 1b\n"
                     : "+r"(n)
                     :
                     : "cc");
}

/* A sampling event that stops after its first overflow interrupt. */
static int irq_check(void)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.type = PERF_TYPE_HARDWARE;
    a.config = PERF_COUNT_HW_INSTRUCTIONS;
    a.sample_period = PMU_PERIOD;
    a.disabled = 1;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    if (fd < 0) {
        perror("pmu_check: perf_event_open (sampling)");
        return 1;
    }
    const uint64_t loop = 20 * PMU_PERIOD;
    if (ioctl(fd, PERF_EVENT_IOC_REFRESH, 1) != 0) {
        perror("pmu_check: PERF_EVENT_IOC_REFRESH");
        return 1;
    }
    plain_loop(loop);
    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    uint64_t count = 0;
    if (read(fd, &count, sizeof(count)) != sizeof(count)) {
        perror("pmu_check: read");
        return 1;
    }
    printf("PMU_IRQ period=%d count=%llu loop=%llu\n", PMU_PERIOD, (unsigned long long)count,
           (unsigned long long)loop);
    close(fd);
    return 0;
}

int main(void)
{
    /* The last one runs past 2^32 instructions: the count stays exact when
     * the 32-bit event counter wraps. */
    static const uint64_t lengths[] = {1000, 1000000, (1ull << 31) + 12345};
    _Static_assert(SYS_ioctl == 29 && PERF_IOC_FLAG_GROUP == 1, "the asm hard-codes these");
    int status = 0;
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        int fi = open_event(PERF_COUNT_HW_INSTRUCTIONS, -1);
        int fc = fi >= 0 ? open_event(PERF_COUNT_HW_CPU_CYCLES, fi) : -1;
        if (fi < 0 || fc < 0) {
            perror("pmu_check: perf_event_open");
            return 1;
        }
        ioctl(fi, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
        counted_loop(fi, lengths[i]);
        uint64_t insns = 0, cycles = 0;
        if (read(fi, &insns, sizeof(insns)) != sizeof(insns) || read(fc, &cycles, sizeof(cycles)) != sizeof(cycles)) {
            perror("pmu_check: read");
            status = 1;
        }
        printf("PMU_CHECK n=%llu instructions=%llu cycles=%llu\n", (unsigned long long)lengths[i],
               (unsigned long long)insns, (unsigned long long)cycles);
        close(fc);
        close(fi);
    }
    {
        const uint64_t pages = 256;
        void *buf = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int fi = open_event(PERF_COUNT_HW_INSTRUCTIONS, -1);
        if (buf == MAP_FAILED || fi < 0) {
            perror("pmu_check: mmap or perf_event_open");
            return 1;
        }
        counted_store_loop(fi, buf, pages);
        uint64_t insns = 0;
        if (read(fi, &insns, sizeof(insns)) != sizeof(insns)) {
            perror("pmu_check: read");
            status = 1;
        }
        printf("PMU_FAULTS pages=%llu instructions=%llu\n", (unsigned long long)pages, (unsigned long long)insns);
        close(fi);
    }
    return irq_check() ? 1 : status;
}
