/* The machine: guest memory map, cores, shared translation cache, devices,
 * options. All mutable simulator state lives here or in the CPUState structs.
 *
 * Thread rules: fields are set up by the main thread before any vCPU thread
 * starts; afterwards they are read-only except where marked (atomics, or a
 * device's own lock). */
#ifndef FLOTILLA_MACHINE_H
#define FLOTILLA_MACHINE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../cpu/cpu.h"
#include "../devices/irq.h"
#include "../memory/mem.h"
#include "det.h"

struct TCache;
struct Monitor;
struct PL011;
struct PL031;
struct VirtioBoard;
struct GICv3;
struct GenericTimer;
struct SysCounter;
struct PSCICore;
struct SMPSync;
struct VCPUPlace;

/* -d trace categories */
enum {
    TRACE_IN_ASM = 1u << 0,  /* guest code as it is translated (disassembled) */
    TRACE_EXEC = 1u << 1,    /* every block executed */
    TRACE_INT = 1u << 2,     /* exceptions and interrupts */
    TRACE_UNIMP = 1u << 3,   /* unimplemented instructions and registers */
    TRACE_OP = 1u << 4,      /* the IR of each translated block */
    TRACE_SMP = 1u << 5,     /* vCPU threads and placement */
    TRACE_CPU = 1u << 6,     /* register dump before each block */
};

#define OPT_MAX_CONFIGS 8
#define OPT_MAX_DRIVES 16

/* Output files opened once by main before the first boot and kept across
 * PSCI reboots, so a reboot neither truncates them nor finds one unwritable
 * only at exit (options_open_outputs / options_free). Main thread only. */
typedef struct RunOutputs {
    FILE *log;             /* -D FILE, or NULL (trace on stderr) */
    FILE *stats;           /* -stats FILE, or NULL */
    char *prev_boots;      /* -stats JSON of the boots before a reboot, comma separated */
    size_t prev_len;
    int prev_dropped;      /* boots past the size bound, counted only */
} RunOutputs;

typedef struct MachineOptions {
    int smp;
    uint64_t ram_size;
    const char *kernel, *initrd, *append, *config_file, *log_file, *machine_type, *cpu_model;
    uint32_t trace;
    bool semihosting;
    bool no_reboot;
    int gic_version;         /* -M virt,gic-version=N (2 or 3; 0 = default 3) */
    uint64_t max_insns;      /* 0 = unlimited; stop after this many (per core) */
    const char *pin;         /* -pin none|compact|scatter|LIST (NULL = none), smp/topology.c */
    int cluster_size;        /* cores per MPIDR Aff1 cluster; 0 = QEMU virt's default */
    int tier;                /* -tier: TIER_JIT (default, cpu/jit_x86.c) or TIER_INTERP */
    uint32_t jit_threshold;  /* -jit-threshold: compile a block at its Nth run (1: when translated) */
    uint8_t side_exits;      /* -jit-side-exits: conditional branches a block may go on past (0..2) */
    bool loop_traces;        /* -jit-loop-traces: a block may go on at a backward branch's target (docs/jit.md) */
    int jit_threads;         /* -jit-threads: compile workers (-1: the default, machine_run) */
    uint32_t halt_poll_ns;   /* -halt-poll-ns: longest spin before a WFI/WFE sleep (0: none; smp/vcpu.c) */
    const char *stats_file;  /* -stats FILE: JSON counters at exit (smp/stats.c) */
    bool progress;           /* -progress: a rate line on stderr every second (smp/stats.c) */
    bool perfmap;            /* -perfmap: name JIT code for perf in /tmp/perf-<pid>.map (smp/perfmap.c) */
    RunOutputs *out;         /* -D and -stats streams, shared by every boot (NULL: none opened) */
    char *config_text[OPT_MAX_CONFIGS]; /* -config files' text, owned (options_free); strings point into it */
    int nconfig_text;
    uint64_t tb_size;        /* -accel tcg,tb-size=MB / -tb-size: translation cache bound in bytes (0: default) */
    DetOptions det;          /* -det: deterministic mode (smp/det.h, docs/determinism.md) */
    const char *dtb;         /* -dtb FILE: the guest's device tree instead of the generated one (devices/boot.c) */
    const char *drives[OPT_MAX_DRIVES]; /* -drive suboption strings, parsed by devices/virtio_blk.c */
    int ndrives;
    const char *devices[OPT_MAX_DRIVES];  /* -device strings (devices/virtio_devices.c) */
    int ndevices;
    const char *chardevs[OPT_MAX_DRIVES]; /* -chardev strings */
    int nchardevs;
    const char *nics[OPT_MAX_DRIVES];     /* -nic strings */
    int nnics;
    const char *netdevs[OPT_MAX_DRIVES];  /* -netdev strings */
    int nnetdevs;
    const char *gdb_dev;     /* -gdb DEV / -s (tcp::1234): the gdb stub's socket, NULL = no stub */
    bool gdb_wait;           /* -S: cores wait at reset until gdb continues */
} MachineOptions;

/* MachineOptions.tier */
enum { TIER_INTERP, TIER_JIT };
/* Blocks run this many times before they are compiled (docs/jit.md, "Lazy compilation"). */
#define JIT_THRESHOLD_DEFAULT 4
/* -halt-poll-ns's default: KVM's halt_poll_ns. */
#define HALT_POLL_NS_DEFAULT 200000u

typedef struct Machine {
    MachineOptions opt;
    PhysMap pm;
    int ncpus;
    CPUState **cpus;
    struct TCache *tcache;
    /* machine_init makes the cache on this thread while it loads the kernel
     * (its bucket table is fresh memory: ~9 ms); joined before machine_init
     * returns true, or by machine_destroy. */
    pthread_t tcache_thread;
    bool tcache_pending;
    uint64_t tcache_limit;
    /* Tier 1's code memory and compile counters (cpu/jit_code.h): made
     * before the cache, destroyed after it (its blocks' code and the RCU
     * callbacks that free it); every core's cpu->jit_code. */
    struct JitCode *jit_code;
    /* The compile workers (smp/jitq.h), from machine_run's start, or NULL:
     * the vCPUs compile themselves. Stopped when the vCPUs have exited,
     * freed before the cache. */
    struct JitQueue *jitq;
    /* Blocks compiled lazily are translated unoptimized and the worker
     * optimizes a copy (cpu/ir.h, IRBlock.unoptimized): set with jitq when
     * the host has a CPU for the worker beyond the cores' (docs/jit.md,
     * "Optimizing on the worker"). Read-only once the cores run. */
    bool optimize_late;
    struct Monitor *monitor;
    struct PL011 *uart;
    struct PL031 *rtc;
    struct VirtioBoard *virtio; /* the 32 virtio-mmio transports (devices/virtio_mmio.h) */
    struct GICv3 *gic;       /* the interrupt controller (own lock), or NULL with GICv2 */
    struct GICv2 *gic2;      /* -M virt,gic-version=2 instead of gic */
    struct SysCounter *counter; /* the system counter: read-only after start-up */
    struct GenericTimer *gtimer; /* per core, [cpu->index]: owner vCPU only */
    struct PSCICore *psci;   /* per core power state (smp/psci.h) */
    struct SMPSync *sync;    /* work queues, exclusive sections, TLBI broadcast (smp/workq.h) */
    struct VCPUPlace *placement; /* per core host PU (smp/topology.h), read-only after start-up */
    pthread_t *threads;      /* one host thread per core, all started by machine_run */
    struct Console *console; /* host terminal, while machine_run runs */
    struct Det *det;         /* -det: the baton scheduler (smp/det.c), else NULL */
    struct GdbStub *gdb;     /* -s/-gdb: the gdb stub (smp/gdbstub.c), else NULL; set before the vCPUs start */

    FILE *log;               /* trace output (stderr unless -D) */
    bool log_owned;          /* opened by machine_init (no opt.out): closed by machine_destroy */
    pthread_mutex_t log_lock;

    FILE *perfmap;           /* -perfmap: /tmp/perf-<pid>.map, else NULL (set before the vCPUs start) */
    pthread_mutex_t perfmap_lock; /* one line at a time from the compiling vCPU threads */
    int64_t perfmap_flushed_ns;   /* CLOCK_MONOTONIC of the last flush (under perfmap_lock) */

    bool linux_boot;         /* the kernel is a Linux Image (x0 = DTB) */
    /* YIELD ends its block and the dispatcher calls sched_yield(): more
     * vCPUs than host CPUs this process may run on, and not -det. Set
     * before any translation; the translator reads it (docs/smp.md). */
    bool yield_host;

    _Atomic int stopping;    /* set once: every vCPU leaves its loop */
    bool reboot;             /* PSCI SYSTEM_RESET without -no-reboot: main() starts over */
    bool final_exit;         /* set by main() before the last machine_destroy: the process exits next */
    int exit_status;         /* written by the core that stops the machine */
    pthread_mutex_t exit_lock;
} Machine;

#define RAM_BASE 0x40000000ull
#define UART_BASE 0x09000000ull

/* Main thread. Build the machine from options; false with a message on error. */
bool machine_init(Machine *m, const MachineOptions *opt);
/* Main thread. Run all vCPUs until the machine stops; returns the exit status. */
int machine_run(Machine *m);
void machine_destroy(Machine *m);

/* Any thread. Stop the machine with `status` (first caller wins). */
void machine_request_stop(Machine *m, int status);

/* Any thread. Trace output, serialised. */
void machine_log(Machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool machine_tracing(const Machine *m, uint32_t cat) { return (m->opt.trace & cat) != 0; }
/* Main thread (machine_init). With -perfmap, create /tmp/perf-<pid>.map;
 * false with a message if it cannot be opened. */
bool perfmap_open(Machine *m);
/* Main thread (machine_destroy), after the vCPU threads have stopped. */
void perfmap_close(Machine *m);
/* Any vCPU thread (the JIT, once per compiled block): one perf map line for
 * `len` bytes of host code at `code`, translated from guest `pc` with
 * translation flags `tb_flags`. Nothing without -perfmap or with m NULL. */
void perfmap_add(Machine *m, const void *code, size_t len, uint64_t pc, uint32_t tb_flags);

/* Owner vCPU. Record an unimplemented/unallocated encoding (counted; logged with -d unimp). */
void machine_log_unimp(CPUState *cpu, uint64_t pc, uint32_t insn, const char *pattern);

/* Owner vCPU: the run loop of one core (smp/vcpu.c). */
void vcpu_loop(CPUState *cpu);
/* Any thread: set request bits and wake the core if it sleeps. */
void vcpu_kick(CPUState *cpu, uint32_t req);
/* Any thread: set request bits without waking a sleeping core (it acts on
 * them before it next runs guest code). */
void vcpu_post(CPUState *cpu, uint32_t req);
/* Any thread: wake the core if it sleeps in WFI/WFE (no request bits set). */
void vcpu_wake(CPUState *cpu);
/* Owner vCPU, after a WFI/WFE wait that spun its whole window and slept,
 * `waited` ns since the guest's WFI/WFE began: the next wait's spin
 * (cpu->halt_poll_ns). */
void vcpu_halt_poll_adapt(CPUState *cpu, uint64_t waited);
/* Owner vCPU: sleep until a request arrives, the machine stops or host
 * CLOCK_MONOTONIC time reaches deadline_ns (UINT64_MAX: no timeout). */
void vcpu_sleep(CPUState *cpu, uint64_t deadline_ns);

#endif
