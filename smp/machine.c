/* Machine construction, the vCPU threads (one per core, all started at
 * once; cores that are off park until PSCI CPU_ON), sleeping, stop and
 * logging. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../cpu/decode.h"
#include "../cpu/jit_x86.h"
#include "../devices/console.h"
#include "../devices/devices.h"
#include "../devices/gicv2.h"
#include "../devices/pl011.h"
#include "../memory/hugemem.h"
#include "../sync/atomic.h"
#include "../sync/monitor.h"
#include "../sync/tcache.h"
#include "../cpu/debug.h"
#include "gdbstub.h"
#include "jitq.h"
#include "machine.h"
#include "psci.h"
#include "topology.h"
#include "workq.h"

void machine_log(Machine *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&m->log_lock);
    vfprintf(m->log, fmt, ap);
    fflush(m->log);
    pthread_mutex_unlock(&m->log_lock);
    va_end(ap);
}

void machine_log_unimp(CPUState *cpu, uint64_t pc, uint32_t insn, const char *pattern)
{
    Machine *m = cpu->machine;
    if (!machine_tracing(m, TRACE_UNIMP))
        return;
    if (pattern)
        machine_log(m, "cpu%d: unimplemented: %s at pc=0x%016" PRIx64 " insn=0x%08x\n", cpu->index, pattern, pc,
                    insn);
    else
        machine_log(m, "cpu%d: unallocated encoding 0x%08x at pc=0x%016" PRIx64 "\n", cpu->index, insn, pc);
}

void machine_request_stop(Machine *m, int status)
{
    pthread_mutex_lock(&m->exit_lock);
    if (!atomic_load(&m->stopping)) {
        m->exit_status = status;
        atomic_store(&m->stopping, 1);
    }
    pthread_mutex_unlock(&m->exit_lock);
    for (int i = 0; i < m->ncpus; i++)
        vcpu_kick(m->cpus[i], REQ_EXIT);
}

void vcpu_wake(CPUState *cpu)
{
    /* The sleeper waits on the request word changing from 0. */
    syscall(SYS_futex, &cpu->request, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void vcpu_sleep(CPUState *cpu, uint64_t deadline_ns)
{
    struct timespec ts, *tp = NULL;
    if (deadline_ns != UINT64_MAX) {
        /* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time (no
         * FUTEX_CLOCK_REALTIME): the clock the timer deadlines use. */
        deadline_ns += gdb_paused_ns(cpu->machine); /* the counter's clock -> host time */
        ts.tv_sec = (time_t)(deadline_ns / 1000000000ull);
        ts.tv_nsec = (long)(deadline_ns % 1000000000ull);
        tp = &ts;
    }
    while (atomic_load(&cpu->request) == 0 && !atomic_load(&cpu->machine->stopping)) {
        long r = syscall(SYS_futex, &cpu->request, FUTEX_WAIT_BITSET_PRIVATE, 0, tp, NULL, FUTEX_BITSET_MATCH_ANY);
        if (r != 0 && errno == ETIMEDOUT)
            break;
    }
}

/* Invalidated translations may sit in any core's jump cache. The request
 * bit is enough, without waking anyone: a running core tests it at its next
 * block entry, a sleeping one (RCU offline) before it runs again; either
 * happens before it could use the jump cache past the grace period. */
static void drop_jump_caches(void *opaque)
{
    Machine *m = opaque;
    for (int i = 0; i < m->ncpus; i++)
        vcpu_post(m->cpus[i], REQ_JC_INVAL);
}

/* Main thread: the host CPUs this process may run on (its affinity mask). */
static int host_cpus_usable(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* The cache's thread (machine_init): the 1 Mi buckets of its blocks table
 * are ~16 MiB written at creation, ~9 ms of a boot's ~35 ms start-up,
 * which the kernel's load (also fresh memory) overlaps on a second host
 * CPU. Only machine_init's thread starts it and tcache_join joins it. */
static void *tcache_thread(void *arg)
{
    Machine *m = arg;
    m->tcache = tcache_create_bounded(m->tcache_limit, m->jit_code, drop_jump_caches, m);
    return NULL;
}

/* Main thread: m->tcache is there (or the thread could not start and it was
 * made here). Nothing reads m->tcache before this. */
static void tcache_join(Machine *m)
{
    if (m->tcache_pending)
        pthread_join(m->tcache_thread, NULL);
    m->tcache_pending = false;
}

bool machine_init(Machine *m, const MachineOptions *opt)
{
    memset(m, 0, sizeof(*m));
    m->opt = *opt;
    /* -det weak=on: store buffers live in the interpreter's memory ops. */
    if (opt->det.weak)
        m->opt.tier = TIER_INTERP;
    pthread_mutex_init(&m->log_lock, NULL);
    pthread_mutex_init(&m->exit_lock, NULL);
    m->log = stderr;
    if (opt->out && opt->out->log) {
        m->log = opt->out->log; /* opened once by main: a reboot appends */
    } else if (opt->log_file) {
        m->log = fopen(opt->log_file, "w");
        if (!m->log) {
            fprintf(stderr, "flotilla: cannot open log file '%s': %s\n", opt->log_file, strerror(errno));
            return false;
        }
        m->log_owned = true;
    }
    if (!perfmap_open(m))
        return false;
    decode_init();
    if (!physmap_init(&m->pm, RAM_BASE, opt->ram_size))
        return false;
    uint64_t tb_size = opt->tb_size;
    if (!tb_size) {
        long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        tb_size = tcache_default_limit(opt->ram_size, pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0);
    }
    /* The code is part of the bound, but a flushed block's code comes back
     * only after a grace period, while new code is written: room for both. */
    m->jit_code = jit_code_new(opt->tier == TIER_JIT ? 2 * tb_size : 0);
    if (!m->jit_code) {
        fprintf(stderr, "flotilla: out of memory\n");
        return false;
    }
    m->tcache_limit = tb_size;
    m->tcache_pending = pthread_create(&m->tcache_thread, NULL, tcache_thread, m) == 0;
    if (!m->tcache_pending)
        tcache_thread(m);
    /* ncpus only once the array exists: machine_destroy walks it. */
    m->cpus = calloc((size_t)opt->smp, sizeof(CPUState *));
    if (!m->cpus) {
        fprintf(stderr, "flotilla: out of memory for %d cores\n", opt->smp);
        return false;
    }
    m->ncpus = opt->smp;
    int cluster = opt->cluster_size ? opt->cluster_size : topology_default_cluster_size(opt->gic_version);
    if (cluster < 1 || cluster > 16) {
        fprintf(stderr, "flotilla: cluster size %d out of range (1..16: GICv3 SGIs address Aff0 0..15)\n", cluster);
        return false;
    }
    for (int i = 0; i < m->ncpus; i++) {
        /* Huge pages: generated code reads the guest registers, the L1
         * TLB, the jump cache and the request word, which are spread over
         * ~2.8 MiB (docs/architecture.md, "Memory"). Zeroed. */
        CPUState *cpu = hugemem_map(sizeof(CPUState), PROT_READ | PROT_WRITE);
        if (!cpu) {
            fprintf(stderr, "flotilla: cannot allocate core %d's state (%zu KiB)\n", i, sizeof(CPUState) >> 10);
            return false;
        }
        cpu->index = i;
        cpu->machine = m;
        cpu->jit_code = m->jit_code;
        /* QEMU virt's affinity: Aff1 = cluster, Aff0 = core in the
         * cluster; the DTB's cpu nodes and the GIC redistributors take it
         * from here. */
        cpu->mpidr = topology_mpidr(i, cluster);
        cpu->stats.host_cpu = -1;
        cpu_reset(cpu, 0);
        m->cpus[i] = cpu;
    }
    if (!smpsync_init(m) || !topology_place(m))
        return false;
    /* Core 0 is on; the secondaries park until PSCI CPU_ON. */
    if (!psci_init(m))
        return false;
    /* -det: the scheduler and virtual clock exist before the devices and
     * the monitor, which look at it. */
    if (opt->det.on && !det_create(m))
        return false;
    m->yield_host = !m->det && m->ncpus > host_cpus_usable();
    /* Before any guest store: loaders write RAM through phys_write. */
    m->monitor = monitor_create(m, 0);
    if (!m->monitor) {
        fprintf(stderr, "flotilla: cannot create the exclusive monitor\n");
        return false;
    }
    debug_register_sysregs(); /* before any core runs: the debug registers (cpu/debug.c) */
    if (!det_create_weak(m) || !devices_init(m))
        return false;
    uint64_t entry;
    if (!opt->kernel) {
        fprintf(stderr, "flotilla: no kernel given (use -kernel FILE)\n");
        return false;
    }
    if (!load_kernel(m, opt->kernel, &entry))
        return false;
    m->cpus[0]->pc = entry;
    /* A stack at the top of RAM, for bare-metal programs (Linux sets its own). */
    if (!m->linux_boot)
        m->cpus[0]->x[31] = RAM_BASE + opt->ram_size;
    tcache_join(m);
    return true;
}

/* Owner vCPU, at its thread's start. A thread's glibc malloc arena makes
 * its heap writable one page per mprotect as it grows (grow_heap), and a
 * core's heap grows by tens of MiB of translated blocks: 13.5 K mprotect
 * calls in a Linux boot, ~2% of its host time. Taking ~56 MiB of the heap
 * in two chunks and freeing them leaves it writable to that size (the
 * free gives the pages back but keeps the protection), so later growth
 * costs no system call. The range is then marked for transparent huge
 * pages: the blocks and IR were ~10 K first-touch faults of 4 KiB on the
 * vCPU, each a hypervisor exit on a VM host. Two chunks, not many small
 * ones, because a 2 MiB range takes a huge page only while nothing in it
 * was ever touched (its page table does not exist): only the chunks'
 * headers are. machine_run raised the mmap threshold so that chunks this
 * size come from the arena. Not under the sanitizers, whose allocators
 * would quarantine it all. */
static void warm_malloc_arena(void)
{
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    enum { CHUNK = 28 << 20 };
    uint8_t *p0 = malloc(CHUNK), *p1 = malloc(CHUNK);
    if (p0 && p1) {
        /* The whole 2 MiB pages inside the chunks: memory of ours, in
         * whichever arena glibc gave this thread; the hint outlives the
         * frees. */
        uintptr_t lo = (uintptr_t)(p0 < p1 ? p0 : p1), hi = (uintptr_t)(p0 < p1 ? p1 : p0) + CHUNK;
        lo = (lo + HUGEMEM_ALIGN - 1) & ~(uintptr_t)(HUGEMEM_ALIGN - 1);
        hi &= ~(uintptr_t)(HUGEMEM_ALIGN - 1);
        if (hi > lo && hi - lo <= 2 * (size_t)CHUNK + HUGEMEM_ALIGN)
            (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
    free(p1);
    free(p0);
#endif
}

static void *vcpu_thread(void *arg)
{
    CPUState *cpu = arg;
    char name[16];
    snprintf(name, sizeof(name), "vcpu%d", cpu->index);
    pthread_setname_np(pthread_self(), name); /* for top -H, perf, gdb */
    warm_malloc_arena();
    topology_bind_self(cpu->machine, cpu->index);
    if (machine_tracing(cpu->machine, TRACE_SMP))
        machine_log(cpu->machine, "cpu%d: thread started\n", cpu->index);
    gicv2_set_current_cpu(cpu->index); /* GICv2's MMIO CPU interface is per accessing core */
    vcpu_loop(cpu);
    return NULL;
}

int machine_run(Machine *m)
{
    m->threads = calloc((size_t)m->ncpus, sizeof(pthread_t));
    bool *started = calloc((size_t)m->ncpus, sizeof(bool));
    Console console;
    if (!m->threads || !started || !console_start(&console, m, STDIN_FILENO, STDOUT_FILENO,
                                                          m->det ? det_input_port(m) : m->uart ? &m->uart->port : NULL)) {
        free(started);
        return 1;
    }
    m->console = &console;
    if (m->opt.gdb_dev && !gdb_start(m, m->opt.gdb_dev, m->opt.gdb_wait)) {
        console_stop(&console);
        m->console = NULL;
        free(started);
        return 1;
    }
    topology_report(m);
    /* Compile workers: by default one, unless the cores alone have more
     * threads than the host has CPUs (docs/jit.md, "Compile workers": it
     * then costs host time and gains no wall time). Not under -det (which
     * core compiles a block, and when, must not depend on host timing),
     * nor when blocks compile as they are translated. */
    const int host_cpus = host_cpus_usable();
    int workers = m->opt.jit_threads >= 0 ? m->opt.jit_threads : host_cpus >= m->ncpus;
    if (m->det || m->opt.tier != TIER_JIT || m->opt.jit_threshold <= 1)
        workers = 0;
    if (workers > 0)
        m->jitq = jitq_start(m, m->tcache, m->jit_code, workers); /* NULL: the cores compile */
    /* Optimizing on the worker takes ~4% of a -smp 1 boot off its core
     * and costs ~3% more host time in all: worth it only while the worker
     * has a host CPU the cores do not use. */
    m->optimize_late = m->jitq && host_cpus > m->ncpus;
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    /* Requests up to 32 MiB (glibc's largest threshold) from the arenas,
     * not mmap: warm_malloc_arena's chunks must be in a core's heap. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    /* Every core gets its thread now; those that are off park (RCU offline,
     * asleep) until CPU_ON, so bringing a core up needs no thread creation. */
    for (int i = 0; i < m->ncpus; i++) {
        if (pthread_create(&m->threads[i], NULL, vcpu_thread, m->cpus[i]) != 0) {
            fprintf(stderr, "flotilla: cannot create vCPU thread\n");
            machine_request_stop(m, 1);
            break;
        }
        started[i] = true;
    }
    for (int i = 0; i < m->ncpus; i++)
        if (started[i])
            pthread_join(m->threads[i], NULL);
    free(started);
    jitq_stop(m->jitq);
    gdb_stop(m);
    console_stop(&console);
    m->console = NULL;
    if (!atomic_load(&m->stopping)) {
        /* Every core halted without the guest asking to stop. */
        m->exit_status = 0;
    }
    return m->exit_status;
}

/* Leak checkers want every block freed; a plain build about to exit does
 * not walk a translation cache of up to a million buckets and as many
 * blocks (0.13 s for an empty cache, over a second for a full one). */
#if defined(__SANITIZE_ADDRESS__)
#define TEARDOWN_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEARDOWN_AT_EXIT 1
#endif
#endif
#ifndef TEARDOWN_AT_EXIT
#define TEARDOWN_AT_EXIT 0
#endif

void machine_destroy(Machine *m)
{
    tcache_join(m); /* machine_init failed after starting it */
    devices_destroy(m);
    /* The code memory goes after the cache: tcache_destroy waits for the
     * RCU callbacks that give blocks' code back, then frees the rest. When
     * the cache is left to the exit, so is the code memory (a callback may
     * still run until then). */
    bool teardown = TEARDOWN_AT_EXIT || !m->final_exit;
    jitq_free(m->jitq); /* stopped: no block pinned any more */
    m->jitq = NULL;
    if (m->tcache && teardown)
        tcache_destroy(m->tcache);
    m->tcache = NULL;
    if (m->monitor)
        monitor_destroy(m->monitor);
    m->monitor = NULL;
    psci_destroy(m);
    det_destroy(m);
    smpsync_destroy(m);
    free(m->placement);
    m->placement = NULL;
    free(m->threads);
    m->threads = NULL;
    for (int i = 0; i < m->ncpus; i++)
        hugemem_unmap(m->cpus[i], sizeof(CPUState));
    free(m->cpus);
    if (teardown)
        jit_code_destroy(m->jit_code);
    m->jit_code = NULL;
    physmap_destroy(&m->pm);
    perfmap_close(m);
    if (m->log && m->log_owned)
        fclose(m->log);
    else if (m->log)
        fflush(m->log);
}
