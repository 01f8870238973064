/* GICv2 interrupt controller of the virt board (`-M virt,gic-version=2`):
 * distributor (GICD_*) at 0x0800_0000 and the memory-mapped CPU interface
 * (GICC_*) at 0x0801_0000, at most 8 cores. Self-contained: it shares no
 * code or state with the GICv3 model, only its conventions (IRQLine inputs,
 * the per-core signal callback, its own lock).
 *
 * Model (see docs/devices.md, "GICv2"): no Security Extensions (one
 * Security state, as QEMU's virt without EL3), so GICD_CTLR has
 * EnableGrp0/EnableGrp1 and GICC_CTLR is the "Secure/no Security
 * Extensions" layout; GIC-400-like identity and 5 priority bits. Group 0
 * and Group 1 are both delivered as IRQ (GICC_CTLR.FIQEn = 1 would make
 * Group 0 a FIQ, which is not modelled: such interrupts are then not
 * signalled). 32 private + 256 SPIs by default.
 *
 * The banked registers (SGI/PPI state, ITARGETSR0-7, SPENDSGIR/CPENDSGIR,
 * SGIR's source, the whole CPU interface) depend on which core accesses
 * them. The MMIO callbacks of memory/mem.h do not receive the CPU, so the
 * module keeps a thread-local "current core" that each vCPU thread sets
 * once with gicv2_set_current_cpu(); the explicit-core entry points below
 * are for tests and for callers that know the core.
 *
 * Thread rules: all state is behind the GIC's own mutex `lock` (never a
 * machine-wide lock). Every public function takes it, so they may be
 * called from any thread, but not from inside the signal callback. Lock
 * order: a device's own lock -> GIC lock -> whatever the signal callback
 * takes (it must be short and must not call back into the GIC). */
#ifndef FLOTILLA_GICV2_H
#define FLOTILLA_GICV2_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "irq.h"

struct PhysMap;

#define GICV2_DIST_BASE 0x08000000ull
#define GICV2_DIST_SIZE 0x10000ull    /* registers in the first 4 KiB, RAZ/WI above */
#define GICV2_CPU_BASE 0x08010000ull
#define GICV2_CPU_SIZE 0x10000ull     /* GICC_DIR at +0x1000, RAZ/WI above 8 KiB */

#define GICV2_MAX_CPUS 8
#define GICV2_NR_SGI 16
#define GICV2_INTERNAL 32             /* SGIs + PPIs, banked per core */
#define GICV2_DEFAULT_NR_IRQS 288     /* 256 SPIs, as QEMU's virt */
#define GICV2_MAX_IRQS 1020
#define GICV2_SPURIOUS 1023
#define GICV2_GRP1_NOACK 1022         /* IAR/HPPIR: HPPI is Group 1 and AckCtl = 0 */
#define GICV2_PRIBITS 5
#define GICV2_PRIO_MASK ((uint8_t)(0xff << (8 - GICV2_PRIBITS)))
#define GICV2_MIN_BPR (7 - GICV2_PRIBITS)  /* 2: group priority = bits [7:3] */
#define GICV2_MIN_ABPR (GICV2_MIN_BPR + 1)

/* Identification (GIC-400 r0p1, which also has 5 priority bits). */
#define GICV2_GICD_IIDR 0x0200143Bu
#define GICV2_GICC_IIDR 0x0202143Bu

/* Same type as the GICv3's GICSignalFn, so the board can pass the same
 * callback: called under the GIC lock when the IRQ output towards `cpu`
 * changes (edges only). irq_pending = an interrupt that GICC_IAR or
 * GICC_AIAR would acknowledge now and that is signalled as IRQ. */
typedef void (*GICv2SignalFn)(void *opaque, int cpu, bool irq_pending);

/* Per-INTID state of 32 interrupts; the effective pending state is
 * pend | (level & ~edge) (as in the GICv3 model). For SGIs `pend` mirrors
 * "some source pending" in GICv2Cpu.sgi_src. */
typedef struct GICv2Bank {
    uint32_t group, enable, pend, level, active, edge;
    uint8_t prio[32];
} GICv2Bank;

/* The banked distributor state and the CPU interface of one core. */
typedef struct GICv2Cpu {
    struct GICv2 *gic;
    int index;
    GICv2Bank bank;            /* SGIs and PPIs (INTIDs 0..31) */
    uint8_t sgi_src[GICV2_NR_SGI];  /* per SGI: bit s = pending from core s */

    uint32_t ctlr;             /* GICC_CTLR */
    uint8_t pmr, bpr, abpr;
    uint32_t apr, nsapr;       /* active priorities of Group 0 / Group 1, bit n = group priority n << 3 */

    /* derived: highest-priority pending interrupt (GICV2_SPURIOUS if none)
     * and, for an SGI, the source core IAR would report. */
    int hppi, hppi_src;
    uint8_t hppi_prio;
    _Atomic bool irq_out;      /* last level reported through the signal callback */
} GICv2Cpu;

typedef struct GICv2 {
    pthread_mutex_t lock;
    int ncpus, nirqs;
    uint32_t ctlr;             /* GICD_CTLR: EnableGrp0 (bit 0), EnableGrp1 (bit 1) */
    GICv2Bank *spi;            /* nirqs / 32 banks; bank 0 unused (banked per core) */
    uint8_t *targets;          /* per INTID: ITARGETSR byte (SPIs only) */
    GICv2Cpu cpu[GICV2_MAX_CPUS];
    GICv2SignalFn signal;
    void *signal_opaque;
} GICv2;

/* Main thread, start-up. ncpus 1..8; nirqs counts INTIDs including the 32
 * private ones (multiple of 32, 64..1020 rounded down to whole banks;
 * 0 = GICV2_DEFAULT_NR_IRQS). signal may be NULL. NULL on bad arguments. */
GICv2 *gicv2_new(int ncpus, int nirqs, GICv2SignalFn signal, void *opaque);
void gicv2_free(GICv2 *g);
/* Main thread, start-up: map the distributor and the CPU interface
 * (GICV2_DIST_BASE, GICV2_CPU_BASE on virt), without a dispatch lock. */
void gicv2_map(GICv2 *g, struct PhysMap *pm, uint64_t dist_base, uint64_t cpu_base);

/* Each vCPU thread, once before running guest code: the core whose banked
 * registers this thread's MMIO accesses reach. Threads that never call it
 * (device threads, a debugger) access as core 0. */
void gicv2_set_current_cpu(int cpu);
/* Any thread: the value set above, or -1. */
int gicv2_current_cpu(void);

/* Any thread. MMIO accesses made by core `cpu` (offsets relative to the
 * region bases; sizes 1, 2, 4, 8). */
uint64_t gicv2_dist_read(GICv2 *g, int cpu, uint64_t off, int size);
void gicv2_dist_write(GICv2 *g, int cpu, uint64_t off, uint64_t val, int size);
uint64_t gicv2_cpuif_read(GICv2 *g, int cpu, uint64_t off, int size);
void gicv2_cpuif_write(GICv2 *g, int cpu, uint64_t off, uint64_t val, int size);

/* Any thread. Drive an input: intid 32..nirqs-1 for SPIs; 16..31 for the
 * PPIs of `cpu`. */
void gicv2_set_spi(GICv2 *g, int intid, int level);
void gicv2_set_ppi(GICv2 *g, int cpu, int intid, int level);
/* Start-up. IRQLine objects: spi is the device-tree SPI number
 * (INTID = spi + 32); ppi_intid is 16..31. */
IRQLine gicv2_spi_line(GICv2 *g, int spi);
IRQLine gicv2_ppi_line(GICv2 *g, int cpu, int ppi_intid);

/* Any thread (lock-free): the level last reported to `cpu` by the signal
 * callback. The vCPU reads this at a safe point after REQ_IRQ and in WFI. */
static inline bool gicv2_irq_pending(GICv2 *g, int cpu)
{
    return atomic_load_explicit(&g->cpu[cpu].irq_out, memory_order_acquire);
}

#endif
