/* GICv3 interrupt controller of the virt board: distributor (GICD_*),
 * one redistributor per core (RD_base + SGI_base frames, 128 KiB each) and
 * the ICC_* system-register CPU interface (devices/gic_cpuif.c).
 *
 * Model (see docs/devices.md): affinity routing only (GICD_CTLR.ARE = 1),
 * a single Security state (GICD_CTLR.DS = 1), no LPIs/ITS, 5 priority bits,
 * Group 1 interrupts delivered as IRQ; Group 0 is stored but never signalled
 * (FIQ is not modelled).
 *
 * Thread rules: all state is behind the GIC's own mutex `lock` (never a
 * machine-wide lock). Every public function takes it itself, so they may be
 * called from any thread, but not from inside the signal callback. The MMIO
 * regions are registered without a dispatch lock for the same reason. Lock
 * order: a device's own lock -> GIC lock -> whatever the signal callback
 * takes (it must be short and must not call back into the GIC). */
#ifndef FLOTILLA_GICV3_H
#define FLOTILLA_GICV3_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "irq.h"

struct PhysMap;

/* MRS/MSR system register key: instruction bits [20:5]. */
#ifndef SYSREG_ENC
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
    ((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))
#endif

#define GIC_DIST_BASE 0x08000000ull
#define GIC_DIST_SIZE 0x10000ull
#define GIC_REDIST_BASE 0x080A0000ull
#define GIC_REDIST_STRIDE 0x20000ull  /* RD_base frame + SGI_base frame */

#define GIC_NR_SGI 16
#define GIC_INTERNAL 32                /* SGIs + PPIs, banked per core */
#define GIC_DEFAULT_NR_IRQS 288        /* 256 SPIs, as QEMU's virt */
#define GIC_MAX_IRQS 1020
#define GIC_SPURIOUS 1023
#define GIC_PRIBITS 5                  /* implemented priority bits */
#define GIC_PRIO_MASK ((uint8_t)(0xff << (8 - GIC_PRIBITS)))
#define GIC_MIN_BPR1 (8 - GIC_PRIBITS) /* 7 - PRIbits for BPR0, plus one */

/* virt board interrupt numbers (INTIDs) */
#define GIC_PPI_VTIMER 27
#define GIC_PPI_PTIMER_NS 30

/* ICC_* system register keys (SYSREG_ENC of the MRS/MSR operands). */
#define ICC_PMR_EL1 SYSREG_ENC(3, 0, 4, 6, 0)
#define ICC_IAR0_EL1 SYSREG_ENC(3, 0, 12, 8, 0)
#define ICC_EOIR0_EL1 SYSREG_ENC(3, 0, 12, 8, 1)
#define ICC_HPPIR0_EL1 SYSREG_ENC(3, 0, 12, 8, 2)
#define ICC_BPR0_EL1 SYSREG_ENC(3, 0, 12, 8, 3)
#define ICC_AP0R0_EL1 SYSREG_ENC(3, 0, 12, 8, 4)
#define ICC_AP1R0_EL1 SYSREG_ENC(3, 0, 12, 9, 0)
#define ICC_DIR_EL1 SYSREG_ENC(3, 0, 12, 11, 1)
#define ICC_RPR_EL1 SYSREG_ENC(3, 0, 12, 11, 3)
#define ICC_SGI1R_EL1 SYSREG_ENC(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1 SYSREG_ENC(3, 0, 12, 11, 6)
#define ICC_SGI0R_EL1 SYSREG_ENC(3, 0, 12, 11, 7)
#define ICC_IAR1_EL1 SYSREG_ENC(3, 0, 12, 12, 0)
#define ICC_EOIR1_EL1 SYSREG_ENC(3, 0, 12, 12, 1)
#define ICC_HPPIR1_EL1 SYSREG_ENC(3, 0, 12, 12, 2)
#define ICC_BPR1_EL1 SYSREG_ENC(3, 0, 12, 12, 3)
#define ICC_CTLR_EL1 SYSREG_ENC(3, 0, 12, 12, 4)
#define ICC_SRE_EL1 SYSREG_ENC(3, 0, 12, 12, 5)
#define ICC_IGRPEN0_EL1 SYSREG_ENC(3, 0, 12, 12, 6)
#define ICC_IGRPEN1_EL1 SYSREG_ENC(3, 0, 12, 12, 7)

/* Called (under the GIC lock) when the IRQ output towards `cpu` changes:
 * irq_pending = there is a Group 1 interrupt that the CPU interface would
 * signal now (enabled, pending, not active, group enabled, priority above
 * PMR and above the running priority). Only edges are reported. */
typedef void (*GICSignalFn)(void *opaque, int cpu, bool irq_pending);

/* Per-INTID state for one block of 32 interrupts. A bit set in `edge` means
 * edge-triggered. The effective pending state is
 * pend | (level & ~edge): a level-sensitive interrupt is pending while its
 * line is high, or while a software pend (ISPENDR) is latched. */
typedef struct GICBank {
    uint32_t group, enable, pend, level, active, edge;
    uint8_t prio[32];
} GICBank;

struct GICv3;

/* Redistributor + CPU interface of one core. */
typedef struct GICCpu {
    struct GICv3 *gic;
    int index;
    uint64_t mpidr;
    uint32_t aff;          /* Aff3.Aff2.Aff1.Aff0 packed as in GICR_TYPER[63:32] */
    GICBank bank;          /* SGIs and PPIs (INTIDs 0..31) */
    uint32_t waker;

    /* CPU interface */
    uint8_t pmr, bpr0, bpr1;
    bool eoimode, igrpen0, igrpen1;
    uint32_t ap0r0, ap1r0; /* active priorities, bit n = group priority n << 3 */

    /* derived: the highest-priority pending interrupt (GIC_SPURIOUS if none) */
    int hppi;
    uint8_t hppi_prio;
    _Atomic bool irq_out;  /* last level reported through the signal callback */
} GICCpu;

typedef struct GICv3 {
    pthread_mutex_t lock;
    int ncpus, nirqs;
    uint32_t ctlr;         /* GICD_CTLR: EnableGrp0 (bit 0), EnableGrp1 (bit 1) */
    GICBank *spi;          /* nirqs / 32 banks; bank 0 is unused (banked per core) */
    uint64_t *irouter;     /* per INTID (SPIs only) */
    int *route;            /* per INTID: target core from irouter, or -1 */
    GICCpu *cpu;
    GICSignalFn signal;
    void *signal_opaque;
} GICv3;

/* Main thread, start-up. mpidr[i] is core i's MPIDR_EL1 (its affinity is
 * what GICR_TYPER reports and what IROUTER/SGI1R target). nirqs is the
 * number of INTIDs including the 32 private ones (a multiple of 32, <= 1024;
 * 0 = GIC_DEFAULT_NR_IRQS). signal may be NULL. */
GICv3 *gicv3_new(int ncpus, const uint64_t *mpidr, int nirqs, GICSignalFn signal, void *opaque);
void gicv3_free(GICv3 *g);
/* Main thread, start-up: map the distributor and ncpus redistributors. */
void gicv3_map(GICv3 *g, struct PhysMap *pm, uint64_t dist_base, uint64_t redist_base);

/* Any thread. MMIO accesses; offsets are relative to the distributor base
 * and to the redistributor region base (core i at i * GIC_REDIST_STRIDE). */
uint64_t gicv3_dist_read(GICv3 *g, uint64_t off, int size);
void gicv3_dist_write(GICv3 *g, uint64_t off, uint64_t val, int size);
uint64_t gicv3_redist_read(GICv3 *g, uint64_t off, int size);
void gicv3_redist_write(GICv3 *g, uint64_t off, uint64_t val, int size);

/* Any thread. Drive an input. intid 32..nirqs-1 for SPIs; for PPIs
 * (16..31) the core's own banked input. */
void gicv3_set_spi(GICv3 *g, int intid, int level);
void gicv3_set_ppi(GICv3 *g, int cpu, int intid, int level);
/* Start-up. IRQLine objects for devices: spi is the device-tree SPI
 * number (INTID = spi + 32); ppi_intid is 16..31. */
IRQLine gicv3_spi_line(GICv3 *g, int spi);
IRQLine gicv3_ppi_line(GICv3 *g, int cpu, int ppi_intid);

/* Any thread (lock-free): the level last reported to `cpu` by the signal
 * callback. The vCPU reads this at a safe point after REQ_IRQ. */
static inline bool gicv3_irq_pending(GICv3 *g, int cpu)
{
    return atomic_load_explicit(&g->cpu[cpu].irq_out, memory_order_acquire);
}

/* ---- CPU interface (devices/gic_cpuif.c) ----
 * Owner vCPU of `cpu` (the core whose ICC_* registers these are; the GIC
 * lock makes them safe from any thread). enc is SYSREG_ENC(...). Returns
 * false if enc is not an implemented ICC_* register (the caller raises
 * UNDEFINED); EL0 accesses must be rejected by the caller (all ICC_*
 * registers are EL1). Write-only registers read as 0 and read-only
 * registers ignore writes (both return true). */
bool gic_cpuif_read(GICv3 *g, int cpu, uint32_t enc, uint64_t *val);
bool gic_cpuif_write(GICv3 *g, int cpu, uint32_t enc, uint64_t val);

/* ---- internal to gicv3.c and gic_cpuif.c (GIC lock held) ---- */
GICBank *gic_bank_locked(GICv3 *g, int cpu, int intid);
void gic_update_cpu_locked(GICv3 *g, int cpu);
void gic_update_all_locked(GICv3 *g);
/* Highest-priority pending, enabled, inactive interrupt of a core for an
 * enabled group, ignoring the CPU interface's masks. */
int gic_hppi_locked(GICv3 *g, int cpu, uint8_t *prio);
/* Running priority: the group priority of the highest active priority
 * (0xff when nothing is active). */
static inline uint8_t gic_running_prio_locked(const GICCpu *c)
{
    uint32_t ap = c->ap0r0 | c->ap1r0;
    return ap ? (uint8_t)(__builtin_ctz(ap) << (8 - GIC_PRIBITS)) : 0xff;
}

#endif
