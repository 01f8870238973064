/* Unit tests for the GICv3 model (devices/gicv3.c, devices/gic_cpuif.c):
 * distributor/redistributor registers, SPI/PPI/SGI delivery to the signal
 * callback, acknowledge/EOI/priority handling in the ICC_* interface.
 * Expected values follow the GICv3 architecture specification (IHI 0069). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "devices/gicv3.h"
#include "memory/mem.h"

#define NCPU 4

/* GICD / GICR offsets used below (architectural). */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0C00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xFFE8
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xFFE8
#define SGI_BASE 0x10000

typedef struct SigLog {
    int count[NCPU];
    bool level[NCPU];
} SigLog;

static GICv3 *g;
static SigLog sl;

static void on_signal(void *opaque, int cpu, bool pending)
{
    SigLog *l = opaque;
    cr_assert(cpu >= 0 && cpu < NCPU);
    cr_assert_neq(l->level[cpu], pending, "signal must report edges only");
    l->count[cpu]++;
    l->level[cpu] = pending;
}

/* Two clusters: cores 0,1 are Aff1=0 Aff0=0,1; cores 2,3 are Aff1=1 Aff0=0,1. */
static const uint64_t mpidrs[NCPU] = {0x80000000, 0x80000001, 0x80000100, 0x80000101};

static void setup(void)
{
    memset(&sl, 0, sizeof(sl));
    g = gicv3_new(NCPU, mpidrs, 0, on_signal, &sl);
    cr_assert_not_null(g);
}

static void teardown(void)
{
    gicv3_free(g);
    g = NULL;
}

TestSuite(gic, .init = setup, .fini = teardown);

static uint32_t dr(uint32_t off) { return (uint32_t)gicv3_dist_read(g, off, 4); }
static void dw(uint32_t off, uint32_t v) { gicv3_dist_write(g, off, v, 4); }
static uint32_t rr(int cpu, uint32_t off) { return (uint32_t)gicv3_redist_read(g, cpu * GIC_REDIST_STRIDE + off, 4); }
static void rw(int cpu, uint32_t off, uint32_t v) { gicv3_redist_write(g, cpu * GIC_REDIST_STRIDE + off, v, 4); }

static uint64_t icc_r(int cpu, uint32_t enc)
{
    uint64_t v = 0xdeadbeef;
    cr_assert(gic_cpuif_read(g, cpu, enc, &v), "ICC read 0x%x", enc);
    return v;
}
static void icc_w(int cpu, uint32_t enc, uint64_t v) { cr_assert(gic_cpuif_write(g, cpu, enc, v), "ICC write 0x%x", enc); }

/* What Linux does: distributor Group 1 on, every core awake, its interface
 * enabled with PMR 0xf0. */
static void bring_up(void)
{
    dw(GICD_CTLR, 1u << 1 | 1u << 4);
    for (int c = 0; c < NCPU; c++) {
        rw(c, GICR_WAKER, 0);
        icc_w(c, ICC_PMR_EL1, 0xf0);
        icc_w(c, ICC_IGRPEN1_EL1, 1);
    }
}

/* Configure SPI `intid`: Group 1, priority, enabled, routed to affinity aff. */
static void spi_setup(int intid, uint8_t prio, uint64_t aff)
{
    int n = intid / 32, bit = intid % 32;
    dw(GICD_IGROUPR + 4 * n, dr(GICD_IGROUPR + 4 * n) | 1u << bit);
    gicv3_dist_write(g, GICD_IPRIORITYR + intid, prio, 1);
    gicv3_dist_write(g, GICD_IROUTER + 8 * intid, aff, 8);
    dw(GICD_ISENABLER + 4 * n, 1u << bit);
}

/* Configure PPI/SGI `intid` on core cpu: Group 1, priority, enabled. */
static void ppi_setup(int cpu, int intid, uint8_t prio)
{
    rw(cpu, SGI_BASE + GICD_IGROUPR, rr(cpu, SGI_BASE + GICD_IGROUPR) | 1u << intid);
    gicv3_redist_write(g, cpu * GIC_REDIST_STRIDE + SGI_BASE + GICD_IPRIORITYR + intid, prio, 1);
    rw(cpu, SGI_BASE + GICD_ISENABLER, 1u << intid);
}

Test(gic, id_and_type_registers)
{
    cr_assert_eq(dr(GICD_PIDR2) >> 4 & 0xf, 3, "GICD_PIDR2.ArchRev");
    cr_assert_eq(rr(0, GICR_PIDR2) >> 4 & 0xf, 3, "GICR_PIDR2.ArchRev");
    uint32_t typer = dr(GICD_TYPER);
    cr_assert_eq(typer & 0x1f, GIC_DEFAULT_NR_IRQS / 32 - 1, "ITLinesNumber");
    cr_assert_eq(typer >> 17 & 1, 0, "no LPIs");
    /* ARE and DS read as one (affinity routing, single Security state). */
    cr_assert_eq(dr(GICD_CTLR) & (1u << 4 | 1u << 6), 1u << 4 | 1u << 6);
    for (int c = 0; c < NCPU; c++) {
        uint64_t t = gicv3_redist_read(g, c * GIC_REDIST_STRIDE + GICR_TYPER, 8);
        uint64_t aff = (mpidrs[c] & 0xffffff) | (mpidrs[c] >> 32 & 0xff) << 24;
        cr_assert_eq(t >> 32, aff, "core %d affinity", c);
        cr_assert_eq(t >> 8 & 0xffff, (uint64_t)c, "core %d processor number", c);
        cr_assert_eq(t >> 4 & 1, c == NCPU - 1, "core %d Last", c);
        /* 32-bit halves agree with the 64-bit view */
        cr_assert_eq(rr(c, GICR_TYPER), (uint32_t)t);
        cr_assert_eq(rr(c, GICR_TYPER + 4), (uint32_t)(t >> 32));
    }
    cr_assert_eq(icc_r(0, ICC_SRE_EL1) & 1, 1, "SRE is fixed at 1");
    cr_assert_eq(icc_r(0, ICC_CTLR_EL1) >> 8 & 7, GIC_PRIBITS - 1, "PRIbits");
    uint64_t dummy;
    cr_assert_not(gic_cpuif_read(g, 0, SYSREG_ENC(3, 0, 1, 0, 0), &dummy), "not an ICC register");
}

Test(gic, waker_handshake)
{
    cr_assert_eq(rr(1, GICR_WAKER) & 6, 6, "reset: ProcessorSleep and ChildrenAsleep");
    rw(1, GICR_WAKER, 0);
    cr_assert_eq(rr(1, GICR_WAKER) & 6, 0, "awake: ChildrenAsleep clears");
    cr_assert_eq(rr(0, GICR_WAKER) & 6, 6, "other cores unaffected");
    rw(1, GICR_WAKER, 2);
    cr_assert_eq(rr(1, GICR_WAKER) & 6, 6, "asleep again");
}

Test(gic, spi_signal_ack_eoi)
{
    bring_up();
    spi_setup(40, 0xa0, 0x100);  /* to core 2 */
    cr_assert_eq(sl.count[2], 0);
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_eq(sl.count[2], 1, "signal fired for the routed core");
    cr_assert(sl.level[2]);
    cr_assert(gicv3_irq_pending(g, 2));
    for (int c = 0; c < NCPU; c++)
        if (c != 2)
            cr_assert_eq(sl.count[c], 0, "core %d not signalled", c);
    cr_assert_eq(icc_r(2, ICC_HPPIR1_EL1), 40);
    cr_assert_eq(icc_r(2, ICC_RPR_EL1), 0xff, "idle running priority");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), GIC_SPURIOUS, "not routed to core 0");

    cr_assert_eq(icc_r(2, ICC_IAR1_EL1), 40);
    cr_assert_eq(icc_r(2, ICC_RPR_EL1), 0xa0, "running priority raised");
    cr_assert_eq(icc_r(2, ICC_AP1R0_EL1), 1u << (0xa0 >> 3));
    cr_assert_not(sl.level[2], "signal drops once acknowledged");
    cr_assert_eq(dr(GICD_ISACTIVER + 4) >> 8 & 1, 1, "active");
    cr_assert_eq(dr(GICD_ISPENDR + 4) >> 8 & 1, 0, "no longer pending");
    cr_assert_eq(icc_r(2, ICC_IAR1_EL1), GIC_SPURIOUS, "nothing else pending");

    icc_w(2, ICC_EOIR1_EL1, 40);
    cr_assert_eq(icc_r(2, ICC_RPR_EL1), 0xff, "priority dropped");
    cr_assert_eq(dr(GICD_ISACTIVER + 4) >> 8 & 1, 0, "deactivated (EOImode 0)");
    cr_assert_eq(sl.count[2], 2);
}

Test(gic, pmr_masks_priority)
{
    bring_up();
    spi_setup(50, 0xa0, 0);
    icc_w(0, ICC_PMR_EL1, 0xa0);  /* priority must be strictly higher than PMR */
    dw(GICD_ISPENDR + 4, 1u << 18);
    cr_assert_eq(sl.count[0], 0, "masked by PMR");
    cr_assert_eq(icc_r(0, ICC_HPPIR1_EL1), 50, "HPPIR ignores PMR");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), GIC_SPURIOUS, "masked: IAR returns 1023");
    icc_w(0, ICC_PMR_EL1, 0xa8);
    cr_assert(sl.level[0], "unmasked");
    icc_w(0, ICC_PMR_EL1, 0x00);
    cr_assert_not(sl.level[0], "masked again");
    cr_assert_eq(icc_r(0, ICC_PMR_EL1), 0);
    icc_w(0, ICC_PMR_EL1, 0xff);
    cr_assert_eq(icc_r(0, ICC_PMR_EL1), 0xf8, "5 priority bits");
    cr_assert(sl.level[0]);
    /* The interface's group enable gates the signal too. */
    icc_w(0, ICC_IGRPEN1_EL1, 0);
    cr_assert_not(sl.level[0]);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), GIC_SPURIOUS);
    cr_assert_eq(icc_r(0, ICC_HPPIR1_EL1), GIC_SPURIOUS, "HPPIR honours the group enable");
    icc_w(0, ICC_IGRPEN1_EL1, 1);
    cr_assert(sl.level[0]);
    /* So does the distributor's. */
    dw(GICD_CTLR, 0);
    cr_assert_not(sl.level[0]);
}

Test(gic, preemption_and_nesting)
{
    bring_up();
    spi_setup(40, 0x80, 0);
    spi_setup(41, 0x80, 0);
    spi_setup(42, 0x40, 0);
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 40);
    dw(GICD_ISPENDR + 4, 1u << 9);
    cr_assert_not(sl.level[0], "equal priority cannot preempt");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), GIC_SPURIOUS);
    dw(GICD_ISPENDR + 4, 1u << 10);
    cr_assert(sl.level[0], "higher priority preempts");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 42);
    cr_assert_eq(icc_r(0, ICC_RPR_EL1), 0x40);
    icc_w(0, ICC_EOIR1_EL1, 42);
    cr_assert_eq(icc_r(0, ICC_RPR_EL1), 0x80, "back to the outer level");
    cr_assert_not(sl.level[0]);
    icc_w(0, ICC_EOIR1_EL1, 40);
    cr_assert_eq(icc_r(0, ICC_RPR_EL1), 0xff);
    cr_assert(sl.level[0], "41 can now be taken");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 41);
}

Test(gic, binary_point_groups_priorities)
{
    bring_up();
    cr_assert_eq(icc_r(0, ICC_BPR1_EL1), GIC_MIN_BPR1);
    icc_w(0, ICC_BPR1_EL1, 0);
    cr_assert_eq(icc_r(0, ICC_BPR1_EL1), GIC_MIN_BPR1, "clamped to the minimum");
    icc_w(0, ICC_BPR1_EL1, 5);  /* group priority = bits [7:5] */
    spi_setup(40, 0x80, 0);
    spi_setup(41, 0x90, 0);  /* same group priority 0x80, better subpriority than nothing */
    spi_setup(42, 0x60, 0);  /* group priority 0x60 */
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 40);
    dw(GICD_ISPENDR + 4, 1u << 9);
    cr_assert_not(sl.level[0], "same group priority: no preemption");
    dw(GICD_ISPENDR + 4, 1u << 10);
    cr_assert(sl.level[0]);
}

Test(gic, level_spi_follows_line)
{
    bring_up();
    spi_setup(33, 0x80, 0);  /* UART: SPI 1, level-sensitive (ICFGR reset) */
    IRQLine line = gicv3_spi_line(g, 1);
    cr_assert_eq(line.n, 33);
    irq_set(&line, 1);
    cr_assert(sl.level[0]);
    cr_assert_eq(dr(GICD_ISPENDR + 4) >> 1 & 1, 1);
    irq_set(&line, 0);
    cr_assert_not(sl.level[0], "level SPI deasserts with its line");
    cr_assert_eq(dr(GICD_ISPENDR + 4) >> 1 & 1, 0);

    /* Acknowledged while the line stays high: active and pending; it is
     * signalled again only after deactivation. */
    irq_set(&line, 1);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 33);
    cr_assert_not(sl.level[0]);
    cr_assert_eq(dr(GICD_ISPENDR + 4) >> 1 & 1, 1, "still pending");
    cr_assert_eq(dr(GICD_ISACTIVER + 4) >> 1 & 1, 1, "and active");
    icc_w(0, ICC_EOIR1_EL1, 33);
    cr_assert(sl.level[0], "re-signalled: line still high");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 33);
    irq_set(&line, 0);  /* the handler silenced the device */
    icc_w(0, ICC_EOIR1_EL1, 33);
    cr_assert_not(sl.level[0]);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), GIC_SPURIOUS);

    /* A software pend of a level interrupt is cleared by ICPENDR. */
    dw(GICD_ISPENDR + 4, 1u << 1);
    cr_assert(sl.level[0]);
    dw(GICD_ICPENDR + 4, 1u << 1);
    cr_assert_not(sl.level[0]);
}

Test(gic, edge_spi_latches)
{
    bring_up();
    spi_setup(48, 0x80, 0);
    dw(GICD_ICFGR + 4 * 3, 2u << 0);  /* INTID 48: ICFGR3 field 0 = edge */
    cr_assert_eq(dr(GICD_ICFGR + 12), 2);
    gicv3_set_spi(g, 48, 1);
    gicv3_set_spi(g, 48, 0);
    cr_assert(sl.level[0], "the rising edge is latched");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 48);
    cr_assert_not(sl.level[0]);
    icc_w(0, ICC_EOIR1_EL1, 48);
    cr_assert_not(sl.level[0], "the latch was consumed");
    /* Holding the line high gives one interrupt, not a stream. */
    gicv3_set_spi(g, 48, 1);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 48);
    icc_w(0, ICC_EOIR1_EL1, 48);
    gicv3_set_spi(g, 48, 1);
    cr_assert_not(sl.level[0]);
}

Test(gic, irouter_retarget)
{
    bring_up();
    spi_setup(60, 0x80, 0x101);  /* core 3 */
    cr_assert_eq(gicv3_dist_read(g, GICD_IROUTER + 8 * 60, 8), 0x101);
    dw(GICD_ISPENDR + 4, 1u << 28);
    cr_assert(sl.level[3]);
    gicv3_dist_write(g, GICD_IROUTER + 8 * 60, 0x1, 8);  /* core 1 */
    cr_assert_not(sl.level[3]);
    cr_assert(sl.level[1]);
    gicv3_dist_write(g, GICD_IROUTER + 8 * 60, 0x7, 8);  /* nobody */
    cr_assert_not(sl.level[1]);
    /* private INTIDs have no IROUTER */
    gicv3_dist_write(g, GICD_IROUTER + 8 * 20, 0x1, 8);
    cr_assert_eq(gicv3_dist_read(g, GICD_IROUTER + 8 * 20, 8), 0);
}

Test(gic, sgi_target_list)
{
    bring_up();
    for (int c = 0; c < NCPU; c++)
        ppi_setup(c, 3, 0x80);
    /* SGI 3 to Aff3.Aff2.Aff1 = 0.0.1, Aff0 in {0, 1}: cores 2 and 3 */
    icc_w(0, ICC_SGI1R_EL1, 3ull << 24 | 1ull << 16 | 0x3);
    cr_assert_not(sl.level[0]);
    cr_assert_not(sl.level[1]);
    cr_assert(sl.level[2]);
    cr_assert(sl.level[3]);
    cr_assert_eq(icc_r(2, ICC_IAR1_EL1), 3);
    cr_assert_eq(icc_r(3, ICC_IAR1_EL1), 3);
    icc_w(2, ICC_EOIR1_EL1, 3);
    icc_w(3, ICC_EOIR1_EL1, 3);
    /* Only core 1 (cluster 0, Aff0 1). */
    icc_w(2, ICC_SGI1R_EL1, 3ull << 24 | 0x2);
    cr_assert(sl.level[1]);
    cr_assert_not(sl.level[0]);
    cr_assert_eq(rr(1, SGI_BASE + GICD_ISPENDR), 1u << 3);
    cr_assert_eq(icc_r(1, ICC_IAR1_EL1), 3);
    icc_w(1, ICC_EOIR1_EL1, 3);
}

Test(gic, sgi_all_but_self)
{
    bring_up();
    for (int c = 0; c < NCPU; c++)
        ppi_setup(c, 7, 0x80);
    icc_w(1, ICC_SGI1R_EL1, 7ull << 24 | 1ull << 40);
    cr_assert(sl.level[0]);
    cr_assert_not(sl.level[1], "IRM: not the sender");
    cr_assert(sl.level[2]);
    cr_assert(sl.level[3]);
    for (int c = 0; c < NCPU; c++)
        if (c != 1)
            cr_assert_eq(icc_r(c, ICC_IAR1_EL1), 7);
}

Test(gic, sgi_group_must_match)
{
    bring_up();
    rw(2, SGI_BASE + GICD_ISENABLER, 1u << 5);  /* SGI 5 left in Group 0 */
    icc_w(0, ICC_SGI1R_EL1, 5ull << 24 | 1ull << 16 | 0x1);
    cr_assert_eq(rr(2, SGI_BASE + GICD_ISPENDR), 0, "Group 1 SGI not forwarded to a Group 0 SGI");
}

Test(gic, ppi_banked_per_core)
{
    bring_up();
    ppi_setup(1, GIC_PPI_PTIMER_NS, 0x80);
    ppi_setup(2, GIC_PPI_PTIMER_NS, 0x40);
    cr_assert_eq(gicv3_redist_read(g, 1 * GIC_REDIST_STRIDE + SGI_BASE + GICD_IPRIORITYR + 30, 1), 0x80);
    cr_assert_eq(gicv3_redist_read(g, 2 * GIC_REDIST_STRIDE + SGI_BASE + GICD_IPRIORITYR + 30, 1), 0x40);
    cr_assert_eq(rr(0, SGI_BASE + GICD_ISENABLER), 0, "core 0's PPIs untouched");

    IRQLine t1 = gicv3_ppi_line(g, 1, GIC_PPI_PTIMER_NS);
    irq_set(&t1, 1);
    cr_assert(sl.level[1]);
    cr_assert_eq(sl.count[0] + sl.count[2] + sl.count[3], 0, "only core 1's PPI 30");
    cr_assert_eq(rr(1, SGI_BASE + GICD_ISPENDR), 1u << 30);
    cr_assert_eq(rr(2, SGI_BASE + GICD_ISPENDR), 0);
    cr_assert_eq(icc_r(2, ICC_IAR1_EL1), GIC_SPURIOUS);
    cr_assert_eq(icc_r(1, ICC_IAR1_EL1), 30);
    irq_set(&t1, 0);
    icc_w(1, ICC_EOIR1_EL1, 30);
    cr_assert_not(sl.level[1]);

    /* Same INTID on core 2 is independent. */
    gicv3_set_ppi(g, 2, GIC_PPI_PTIMER_NS, 1);
    cr_assert(sl.level[2]);
    cr_assert_not(sl.level[1]);
    /* The distributor's view of private INTIDs is RAZ/WI under ARE. */
    cr_assert_eq(dr(GICD_ISPENDR), 0);
    dw(GICD_ISENABLER, ~0u);
    cr_assert_eq(rr(0, SGI_BASE + GICD_ISENABLER), 0);
}

Test(gic, eoimode1_split_drop_and_deactivate)
{
    bring_up();
    icc_w(0, ICC_CTLR_EL1, 1u << 1);
    cr_assert_eq(icc_r(0, ICC_CTLR_EL1) >> 1 & 1, 1);
    spi_setup(40, 0x80, 0);
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 40);
    icc_w(0, ICC_EOIR1_EL1, 40);
    cr_assert_eq(icc_r(0, ICC_RPR_EL1), 0xff, "priority dropped");
    cr_assert_eq(dr(GICD_ISACTIVER + 4) >> 8 & 1, 1, "still active");
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_not(sl.level[0], "active: not signalled again");
    icc_w(0, ICC_DIR_EL1, 40);
    cr_assert_eq(dr(GICD_ISACTIVER + 4) >> 8 & 1, 0);
    cr_assert(sl.level[0], "pending again after deactivation");
}

Test(gic, group0_not_signalled)
{
    bring_up();
    dw(GICD_CTLR, 3);
    gicv3_dist_write(g, GICD_IPRIORITYR + 40, 0x80, 1);
    dw(GICD_ISENABLER + 4, 1u << 8);  /* left in Group 0 */
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_not(sl.level[0]);
    cr_assert_eq(icc_r(0, ICC_HPPIR1_EL1), GIC_SPURIOUS);
    cr_assert_eq(icc_r(0, ICC_HPPIR0_EL1), GIC_SPURIOUS, "IGRPEN0 is off");
    icc_w(0, ICC_IGRPEN0_EL1, 1);
    cr_assert_eq(icc_r(0, ICC_HPPIR0_EL1), 40);
    cr_assert_not(sl.level[0], "Group 0 (FIQ) is never signalled");
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), GIC_SPURIOUS);
}

Test(gic, priority_byte_access_and_mask)
{
    gicv3_dist_write(g, GICD_IPRIORITYR + 64, 0x12345678, 4);
    cr_assert_eq(dr(GICD_IPRIORITYR + 64), 0x10305078, "low 3 bits RAZ");
    gicv3_dist_write(g, GICD_IPRIORITYR + 66, 0xff, 1);
    cr_assert_eq(dr(GICD_IPRIORITYR + 64), 0x10f85078, "byte write touches one INTID");
    cr_assert_eq(gicv3_dist_read(g, GICD_IPRIORITYR + 65, 1), 0x50);
    gicv3_dist_write(g, GICD_IPRIORITYR + 4, 0xffffffff, 4);
    cr_assert_eq(dr(GICD_IPRIORITYR + 4), 0, "private INTIDs RAZ/WI in the distributor");
}

Test(gic, mapped_regions)
{
    PhysMap pm;
    cr_assert(physmap_init(&pm, 0x40000000, 1 << 20));
    gicv3_map(g, &pm, GIC_DIST_BASE, GIC_REDIST_BASE);
    const MMIORegion *d = phys_find_mmio(&pm, GIC_DIST_BASE + GICD_PIDR2);
    cr_assert_not_null(d);
    cr_assert_eq(d->ops->read(d->opaque, GICD_PIDR2, 4) >> 4 & 0xf, 3);
    const MMIORegion *r = phys_find_mmio(&pm, GIC_REDIST_BASE + (NCPU - 1) * GIC_REDIST_STRIDE + 0x1ffff);
    cr_assert_not_null(r);
    cr_assert_eq(r->ops->read(r->opaque, (NCPU - 1) * GIC_REDIST_STRIDE + GICR_TYPER, 8) >> 4 & 1, 1, "Last");
    cr_assert_null(phys_find_mmio(&pm, GIC_REDIST_BASE + NCPU * GIC_REDIST_STRIDE));
    physmap_destroy(&pm);
}

Test(gic, spurious_eoi_ignored)
{
    bring_up();
    spi_setup(40, 0x80, 0);
    dw(GICD_ISPENDR + 4, 1u << 8);
    cr_assert_eq(icc_r(0, ICC_IAR1_EL1), 40);
    icc_w(0, ICC_EOIR1_EL1, GIC_SPURIOUS);
    cr_assert_eq(icc_r(0, ICC_RPR_EL1), 0x80, "EOI of 1023 does nothing");
    icc_w(0, ICC_EOIR1_EL1, 40);
    cr_assert_eq(icc_r(0, ICC_RPR_EL1), 0xff);
    /* nothing active: a stray EOI neither drops nor deactivates */
    dw(GICD_ISACTIVER + 4, 1u << 8);
    icc_w(0, ICC_EOIR1_EL1, 40);
    cr_assert_eq(dr(GICD_ISACTIVER + 4) >> 8 & 1, 1);
}

/* ---- concurrency: an SGI token passed around all cores, each core on
 * its own thread, waiting on gicv3_irq_pending() like a vCPU would. ---- */
#define ROUNDS 500

typedef struct RingCtx {
    GICv3 *g;
    int cpu;
    int received;
    _Atomic int *bad_edges;
} RingCtx;

static bool ring_level[NCPU];
static void ring_signal(void *opaque, int cpu, bool pending)
{
    _Atomic int *bad = opaque;
    if (ring_level[cpu] == pending)  /* called under the GIC lock: no race here */
        atomic_fetch_add(bad, 1);
    ring_level[cpu] = pending;
}

static void *ring_thread(void *arg)
{
    RingCtx *r = arg;
    int next = (r->cpu + 1) % NCPU;
    uint64_t sgi = 1ull << 24 | (mpidrs[next] & 0xff00) << 8 | 1ull << (mpidrs[next] & 0xf);
    while (r->received < ROUNDS) {
        if (!gicv3_irq_pending(r->g, r->cpu)) {
            sched_yield();  /* the host may have fewer free CPUs than NCPU */
            continue;
        }
        uint64_t intid;
        gic_cpuif_read(r->g, r->cpu, ICC_IAR1_EL1, &intid);
        if (intid == GIC_SPURIOUS)
            continue;
        r->received++;
        gic_cpuif_write(r->g, r->cpu, ICC_EOIR1_EL1, intid);
        if (!(r->cpu == NCPU - 1 && r->received == ROUNDS))  /* the last core ends the ring */
            gic_cpuif_write(r->g, r->cpu, ICC_SGI1R_EL1, sgi);
    }
    return NULL;
}

Test(gic, sgi_ring_threads, .timeout = 20)
{
    _Atomic int bad = 0;
    memset(ring_level, 0, sizeof(ring_level));
    GICv3 *rg = gicv3_new(NCPU, mpidrs, 0, ring_signal, &bad);
    GICv3 *saved = g;
    g = rg;
    bring_up();
    for (int c = 0; c < NCPU; c++)
        ppi_setup(c, 1, 0x80);
    g = saved;
    pthread_t th[NCPU];
    RingCtx ctx[NCPU];
    for (int c = 0; c < NCPU; c++) {
        ctx[c] = (RingCtx){rg, c, 0, &bad};
        pthread_create(&th[c], NULL, ring_thread, &ctx[c]);
    }
    /* inject the token: core 3 "sends" to core 0 */
    gic_cpuif_write(rg, 3, ICC_SGI1R_EL1, 1ull << 24 | 1);
    for (int c = 0; c < NCPU; c++)
        pthread_join(th[c], NULL);
    for (int c = 0; c < NCPU; c++) {
        cr_assert_eq(ctx[c].received, ROUNDS, "core %d", c);
        uint64_t rpr;
        gic_cpuif_read(rg, c, ICC_RPR_EL1, &rpr);
        cr_assert_eq(rpr, 0xff);
        cr_assert_not(gicv3_irq_pending(rg, c));
    }
    cr_assert_eq(atomic_load(&bad), 0, "signal edges alternate");
    gicv3_free(rg);
}
