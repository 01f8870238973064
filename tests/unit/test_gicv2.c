/* Unit tests for the GICv2 model (devices/gicv2.c): distributor registers,
 * SPI/PPI/SGI delivery to the signal callback, the memory-mapped CPU
 * interface (acknowledge, EOI, masking, preemption, Group 1 aliases) and
 * the per-thread "current core" used by the MMIO callbacks. Expected values
 * follow the GICv2 architecture specification (IHI 0048B). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "devices/gicv2.h"
#include "memory/mem.h"

#define NCPU 4

/* Architectural offsets. */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xC00
#define GICD_SGIR 0xF00
#define GICD_CPENDSGIR 0xF10
#define GICD_SPENDSGIR 0xF20
#define GICD_PIDR2 0xFE8

#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0C
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR 0x1C
#define GICC_AIAR 0x20
#define GICC_AEOIR 0x24
#define GICC_AHPPIR 0x28
#define GICC_APR0 0xD0
#define GICC_NSAPR0 0xE0
#define GICC_IIDR 0xFC
#define GICC_DIR 0x1000

#define CTLR_ENGRP0 1u
#define CTLR_ENGRP1 2u
#define CTLR_ACKCTL 4u
#define CTLR_FIQEN 8u
#define CTLR_EOIMODE (1u << 9)

typedef struct SigLog {
    int count[NCPU];
    bool level[NCPU];
} SigLog;

static GICv2 *g;
static SigLog sl;

static void on_signal(void *opaque, int cpu, bool pending)
{
    SigLog *l = opaque;
    cr_assert(cpu >= 0 && cpu < NCPU);
    cr_assert_neq(l->level[cpu], pending, "signal must report edges only");
    l->count[cpu]++;
    l->level[cpu] = pending;
}

static void setup(void)
{
    memset(&sl, 0, sizeof(sl));
    g = gicv2_new(NCPU, 0, on_signal, &sl);
    cr_assert_not_null(g);
}

static void teardown(void)
{
    gicv2_free(g);
    g = NULL;
}

TestSuite(gicv2, .init = setup, .fini = teardown);

/* Distributor access as core `c`. */
static uint32_t dr(int c, uint32_t off) { return (uint32_t)gicv2_dist_read(g, c, off, 4); }
static void dw(int c, uint32_t off, uint32_t v) { gicv2_dist_write(g, c, off, v, 4); }
static void dwb(int c, uint32_t off, uint8_t v) { gicv2_dist_write(g, c, off, v, 1); }
static uint32_t cr(int c, uint32_t off) { return (uint32_t)gicv2_cpuif_read(g, c, off, 4); }
static void cw(int c, uint32_t off, uint32_t v) { gicv2_cpuif_write(g, c, off, v, 4); }

/* What Linux's irq-gic driver does: distributor on (Group 0), every CPU
 * interface enabled, PMR 0xf0; everything stays Group 0. */
static void bring_up(void)
{
    dw(0, GICD_CTLR, CTLR_ENGRP0);
    for (int c = 0; c < NCPU; c++) {
        cw(c, GICC_PMR, 0xf0);
        cw(c, GICC_CTLR, CTLR_ENGRP0);
    }
}

/* SPI `intid`: priority, targets, enabled (Group 0, level by reset). */
static void spi_setup(int intid, uint8_t prio, uint8_t targets)
{
    dwb(0, GICD_IPRIORITYR + intid, prio);
    dwb(0, GICD_ITARGETSR + intid, targets);
    dw(0, GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

Test(gicv2, id_type_and_reset)
{
    uint32_t typer = dr(0, GICD_TYPER);
    cr_assert_eq(typer & 0x1f, GICV2_DEFAULT_NR_IRQS / 32 - 1, "ITLinesNumber");
    cr_assert_eq(typer >> 5 & 7, NCPU - 1, "CPUNumber");
    cr_assert_eq(typer >> 10 & 1, 0, "no Security Extensions");
    cr_assert_eq(dr(0, GICD_IIDR), 0x0200143B);
    cr_assert_eq(dr(0, GICD_PIDR2) >> 4 & 0xf, 2, "ArchRev 2");
    cr_assert_eq(cr(0, GICC_IIDR), 0x0202143B);
    cr_assert_eq(dr(0, GICD_CTLR), 0);
    cr_assert_eq(cr(0, GICC_CTLR), 0);
    cr_assert_eq(cr(0, GICC_PMR), 0);
    cr_assert_eq(cr(0, GICC_BPR), 2, "BPR resets to its minimum with 5 priority bits");
    cr_assert_eq(cr(0, GICC_ABPR), 3);
    cr_assert_eq(cr(0, GICC_RPR), 0xff, "idle running priority");
    cr_assert_eq(cr(0, GICC_IAR), 1023);
    cr_assert_eq(dr(0, GICD_ICFGR), 0xAAAAAAAA, "SGIs are edge-triggered");
    cr_assert_eq(dr(0, GICD_ISENABLER) & 0xffff, 0xffff, "SGIs are always enabled");
    /* Five priority bits: the low three are RAZ/WI. */
    dwb(0, GICD_IPRIORITYR + 40, 0xff);
    cr_assert_eq(gicv2_dist_read(g, 0, GICD_IPRIORITYR + 40, 1), 0xf8);
    cw(0, GICC_PMR, 0xff);
    cr_assert_eq(cr(0, GICC_PMR), 0xf8);
    cw(0, GICC_BPR, 0);
    cr_assert_eq(cr(0, GICC_BPR), 2);
    cw(0, GICC_ABPR, 0);
    cr_assert_eq(cr(0, GICC_ABPR), 3);
}

Test(gicv2, distributor_enables)
{
    cw(1, GICC_PMR, 0xf0);
    cw(1, GICC_CTLR, CTLR_ENGRP0);
    spi_setup(40, 0x80, 1u << 1);
    gicv2_set_spi(g, 40, 1);
    cr_assert_eq(sl.count[1], 0, "distributor disabled: nothing forwarded");
    cr_assert_eq(cr(1, GICC_IAR), 1023);
    cr_assert_eq(dr(0, GICD_ISPENDR + 4) >> 8 & 1, 1, "but the SPI is pending");
    dw(0, GICD_CTLR, CTLR_ENGRP1);
    cr_assert_eq(sl.count[1], 0, "only Group 1 forwarded; the SPI is Group 0");
    dw(0, GICD_CTLR, CTLR_ENGRP0);
    cr_assert(sl.level[1]);
    dw(0, GICD_CTLR, 0);
    cr_assert_not(sl.level[1]);
    dw(0, GICD_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1);
    cr_assert(sl.level[1]);
    cr_assert_eq(dr(0, GICD_CTLR), 3);
    /* Disabling the interrupt itself (ICENABLER) removes it too. */
    dw(0, GICD_ICENABLER + 4, 1u << 8);
    cr_assert_not(sl.level[1]);
    cr_assert_eq(dr(0, GICD_ISENABLER + 4) >> 8 & 1, 0);
    /* ...and the CPU interface's group enable. */
    dw(0, GICD_ISENABLER + 4, 1u << 8);
    cr_assert(sl.level[1]);
    cw(1, GICC_CTLR, 0);
    cr_assert_not(sl.level[1]);
    cr_assert_eq(cr(1, GICC_IAR), 1023);
}

Test(gicv2, spi_targets_route_to_core)
{
    bring_up();
    spi_setup(33, 0x80, 1u << 2);
    gicv2_set_spi(g, 33, 1);
    cr_assert(sl.level[2]);
    cr_assert_eq(sl.count[0] + sl.count[1] + sl.count[3], 0, "only core 2");
    cr_assert_eq(cr(0, GICC_HPPIR), 1023, "core 0 does not see it");
    cr_assert_eq(cr(2, GICC_HPPIR), 33);
    /* Retarget to core 3. */
    dwb(0, GICD_ITARGETSR + 33, 1u << 3);
    cr_assert_not(sl.level[2]);
    cr_assert(sl.level[3]);
    cr_assert_eq(gicv2_dist_read(g, 0, GICD_ITARGETSR + 33, 1), 1u << 3);
    /* Target bits of cores that do not exist are not kept. */
    dwb(0, GICD_ITARGETSR + 33, 0xf0 | 1u << 3);
    cr_assert_eq(gicv2_dist_read(g, 0, GICD_ITARGETSR + 33, 1), 1u << 3);
    /* No target: pending, signalled nowhere. */
    dwb(0, GICD_ITARGETSR + 33, 0);
    cr_assert_not(sl.level[3]);
    cr_assert_eq(dr(0, GICD_ISPENDR + 4) >> 1 & 1, 1);
}

Test(gicv2, itargetsr_private_reads_own_bit)
{
    for (int c = 0; c < NCPU; c++) {
        uint32_t want = 0x01010101u << c;
        for (int n = 0; n < 8; n++)
            cr_assert_eq(dr(c, GICD_ITARGETSR + 4 * n), want, "core %d ITARGETSR%d", c, n);
        dw(c, GICD_ITARGETSR, 0xffffffff);
        cr_assert_eq(dr(c, GICD_ITARGETSR), want, "read-only");
        cr_assert_eq(gicv2_dist_read(g, c, GICD_ITARGETSR + 27, 1), 1u << c);
    }
    /* SPIs reset to no target (multiprocessor). */
    cr_assert_eq(dr(0, GICD_ITARGETSR + 32), 0);
}

Test(gicv2, iar_eoir_cycle)
{
    bring_up();
    spi_setup(34, 0x80, 1u << 0);
    dw(0, GICD_ICFGR + 8, 2u << 4);  /* INTID 34 edge-triggered */
    cr_assert_eq(dr(0, GICD_ICFGR + 8), 2u << 4);
    gicv2_set_spi(g, 34, 1);
    gicv2_set_spi(g, 34, 0);         /* the edge is latched */
    cr_assert(sl.level[0]);
    cr_assert_eq(cr(0, GICC_HPPIR), 34);
    cr_assert_eq(cr(0, GICC_IAR), 34);
    cr_assert_not(sl.level[0], "acknowledged: no longer signalled");
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4) >> 2 & 1, 1, "active");
    cr_assert_eq(dr(0, GICD_ISPENDR + 4) >> 2 & 1, 0, "edge latch consumed");
    cr_assert_eq(cr(0, GICC_RPR), 0x80);
    cr_assert_eq(cr(0, GICC_APR0), 1u << (0x80 >> 3));
    cr_assert_eq(cr(0, GICC_IAR), 1023, "nothing else pending");
    cw(0, GICC_EOIR, 34);
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4) >> 2 & 1, 0, "EOImode 0: deactivated");
    cr_assert_eq(cr(0, GICC_RPR), 0xff);
    cr_assert_eq(cr(0, GICC_APR0), 0);
    cr_assert_eq(sl.count[0], 2);
    /* Software pend through ISPENDR / clear through ICPENDR. */
    dw(0, GICD_ISPENDR + 4, 1u << 2);
    cr_assert(sl.level[0]);
    dw(0, GICD_ICPENDR + 4, 1u << 2);
    cr_assert_not(sl.level[0]);
}

Test(gicv2, pmr_masking)
{
    bring_up();
    spi_setup(35, 0x80, 1u << 1);
    cw(1, GICC_PMR, 0x80);
    gicv2_set_spi(g, 35, 1);
    cr_assert_eq(sl.count[1], 0, "priority 0x80 is not higher than PMR 0x80");
    cr_assert_eq(cr(1, GICC_IAR), 1023);
    cr_assert_eq(cr(1, GICC_HPPIR), 35, "HPPIR ignores PMR");
    cw(1, GICC_PMR, 0x88);
    cr_assert(sl.level[1]);
    cw(1, GICC_PMR, 0x00);
    cr_assert_not(sl.level[1]);
    cw(1, GICC_PMR, 0xf8);
    cr_assert_eq(cr(1, GICC_IAR), 35);
}

Test(gicv2, priority_order_and_preemption)
{
    bring_up();
    spi_setup(40, 0x50, 1);
    spi_setup(41, 0x48, 1);
    spi_setup(42, 0x30, 1);
    spi_setup(43, 0x48, 1);
    gicv2_set_spi(g, 40, 1);
    cr_assert_eq(cr(0, GICC_IAR), 40);
    cr_assert_eq(cr(0, GICC_RPR), 0x50);
    /* BPR = 2: group priority [7:3]; 0x48 preempts 0x50. */
    gicv2_set_spi(g, 41, 1);
    cr_assert(sl.level[0]);
    cw(0, GICC_EOIR, 40);
    cw(0, GICC_BPR, 4);  /* group priority [7:5] */
    cr_assert_eq(cr(0, GICC_BPR), 4);
    /* 41 (0x48) is still pending; acknowledge it under BPR 4: group 0x40. */
    cr_assert_eq(cr(0, GICC_IAR), 41);
    cr_assert_eq(cr(0, GICC_RPR), 0x40);
    gicv2_set_spi(g, 43, 1);  /* 0x48: group 0x40, not higher than 0x40 */
    cr_assert_not(sl.level[0]);
    cr_assert_eq(cr(0, GICC_IAR), 1023);
    gicv2_set_spi(g, 42, 1);  /* 0x30: group 0x20 preempts */
    cr_assert(sl.level[0]);
    cr_assert_eq(cr(0, GICC_IAR), 42);
    cr_assert_eq(cr(0, GICC_RPR), 0x20);
    cr_assert_eq(cr(0, GICC_APR0), 1u << 4 | 1u << 8);
    cw(0, GICC_EOIR, 42);
    cr_assert_eq(cr(0, GICC_RPR), 0x40);
    cw(0, GICC_EOIR, 41);
    cr_assert_eq(cr(0, GICC_RPR), 0xff);
    /* Equal priorities: lowest INTID first; 41 and 42 are level and still high. */
    cr_assert_eq(cr(0, GICC_HPPIR), 42);
    gicv2_set_spi(g, 42, 0);
    cr_assert_eq(cr(0, GICC_HPPIR), 41, "41 and 43 share 0x48: lowest INTID");
}

Test(gicv2, sgi_source_id)
{
    bring_up();
    dwb(0, GICD_IPRIORITYR + 5, 0x20);
    /* Core 1 and core 3 send SGI 5 to core 0 (target list). */
    dw(1, GICD_SGIR, 1u << 16 | 5);
    dw(3, GICD_SGIR, 1u << 16 | 5);
    cr_assert(sl.level[0]);
    cr_assert_eq(sl.count[1] + sl.count[2] + sl.count[3], 0);
    cr_assert_eq(dr(0, GICD_ISPENDR) & 0xffff, 1u << 5);
    cr_assert_eq(gicv2_dist_read(g, 0, GICD_SPENDSGIR + 5, 1), 1u << 1 | 1u << 3, "pending per source");
    cr_assert_eq(cr(0, GICC_HPPIR), 1u << 10 | 5);
    cr_assert_eq(cr(0, GICC_IAR), 1u << 10 | 5, "source core 1 in bits 12:10");
    cr_assert_eq(gicv2_dist_read(g, 0, GICD_SPENDSGIR + 5, 1), 1u << 3);
    cr_assert_eq(dr(0, GICD_ISACTIVER) & 0xffff, 1u << 5, "active and still pending from core 3");
    cr_assert_eq(cr(0, GICC_IAR), 1023, "active: not acknowledged again");
    cw(0, GICC_EOIR, 1u << 10 | 5);
    cr_assert(sl.level[0]);
    cr_assert_eq(cr(0, GICC_IAR), 3u << 10 | 5);
    cw(0, GICC_EOIR, 3u << 10 | 5);
    cr_assert_not(sl.level[0]);
    cr_assert_eq(dr(0, GICD_ISPENDR) & 0xffff, 0);
    cr_assert_eq(dr(0, GICD_ISACTIVER) & 0xffff, 0);
}

Test(gicv2, sgi_all_but_self_and_self)
{
    bring_up();
    dw(2, GICD_SGIR, 1u << 24 | 0xffu << 16 | 7);  /* filter 1 ignores the list */
    for (int c = 0; c < NCPU; c++)
        cr_assert_eq(sl.level[c], c != 2, "core %d", c);
    for (int c = 0; c < NCPU; c++)
        if (c != 2)
            cr_assert_eq(cr(c, GICC_IAR), 2u << 10 | 7);
    dw(1, GICD_SGIR, 2u << 24 | 3);  /* self */
    cr_assert_eq(cr(1, GICC_HPPIR), 1u << 10 | 3);
    cr_assert_eq(cr(0, GICC_HPPIR), 1023);
    cr_assert_eq(cr(3, GICC_HPPIR), 1023);
    /* Reserved filter 3: nothing happens. */
    dw(0, GICD_SGIR, 3u << 24 | 0xffu << 16 | 4);
    for (int c = 0; c < NCPU; c++)
        cr_assert_eq(gicv2_dist_read(g, c, GICD_SPENDSGIR + 4, 1), 0);
    /* A target list beyond the existing cores is filtered. */
    dw(0, GICD_SGIR, 0xf0u << 16 | 1u << 17 | 9);
    cr_assert_eq(gicv2_dist_read(g, 1, GICD_SPENDSGIR + 9, 1), 1u << 0);
}

Test(gicv2, spendsgir_cpendsgir)
{
    bring_up();
    gicv2_dist_write(g, 2, GICD_SPENDSGIR + 1, 1u << 3, 1);
    cr_assert(sl.level[2]);
    cr_assert_eq(dr(2, GICD_SPENDSGIR), 1u << 11);
    cr_assert_eq(dr(2, GICD_CPENDSGIR), 1u << 11, "both read the pending sources");
    cr_assert_eq(dr(2, GICD_ISPENDR) & 0xffff, 1u << 1);
    cr_assert_eq(dr(0, GICD_SPENDSGIR), 0, "banked: core 0 has none");
    /* ISPENDR/ICPENDR do not touch SGIs. */
    dw(2, GICD_ICPENDR, 0xffff);
    cr_assert(sl.level[2]);
    dw(0, GICD_ISPENDR, 0xffff);
    cr_assert_eq(dr(0, GICD_ISPENDR), 0);
    cw(2, GICC_PMR, 0xf8);
    dw(2, GICD_CPENDSGIR, 1u << 11);
    cr_assert_not(sl.level[2]);
    cr_assert_eq(dr(2, GICD_ISPENDR), 0);
}

Test(gicv2, level_spi_deassert)
{
    bring_up();
    spi_setup(36, 0x80, 1u << 1);
    gicv2_set_spi(g, 36, 1);
    cr_assert(sl.level[1]);
    gicv2_set_spi(g, 36, 0);
    cr_assert_not(sl.level[1], "level: dropping the line removes the interrupt");
    cr_assert_eq(cr(1, GICC_IAR), 1023);
    cr_assert_eq(dr(0, GICD_ISPENDR + 4) >> 4 & 1, 0);
    /* Held high through the handler: active and pending, signalled again
     * after EOI. */
    gicv2_set_spi(g, 36, 1);
    cr_assert_eq(cr(1, GICC_IAR), 36);
    cr_assert_eq(dr(0, GICD_ISPENDR + 4) >> 4 & 1, 1);
    cr_assert_not(sl.level[1]);
    cw(1, GICC_EOIR, 36);
    cr_assert(sl.level[1]);
    cr_assert_eq(cr(1, GICC_IAR), 36);
    gicv2_set_spi(g, 36, 0);  /* device serviced */
    cw(1, GICC_EOIR, 36);
    cr_assert_not(sl.level[1]);
}

Test(gicv2, ppi_banking)
{
    bring_up();
    /* Core 0: PPI 27 enabled at 0x40; core 1 leaves it disabled. */
    dwb(0, GICD_IPRIORITYR + 27, 0x40);
    dw(0, GICD_ISENABLER, 1u << 27);
    cr_assert_eq(dr(0, GICD_ISENABLER) >> 27 & 1, 1);
    cr_assert_eq(dr(1, GICD_ISENABLER) >> 27 & 1, 0, "enable is banked");
    cr_assert_eq(gicv2_dist_read(g, 1, GICD_IPRIORITYR + 27, 1), 0, "priority is banked");
    IRQLine l0 = gicv2_ppi_line(g, 0, 27), l1 = gicv2_ppi_line(g, 1, 27);
    irq_raise(&l1);
    cr_assert_eq(sl.count[1], 0, "core 1's PPI 27 is disabled");
    cr_assert_eq(dr(1, GICD_ISPENDR) >> 27 & 1, 1, "but pending on core 1");
    cr_assert_eq(dr(0, GICD_ISPENDR) >> 27 & 1, 0, "and not on core 0");
    irq_raise(&l0);
    cr_assert(sl.level[0]);
    cr_assert_eq(cr(0, GICC_IAR), 27);
    cr_assert_eq(cr(0, GICC_RPR), 0x40);
    cr_assert_eq(dr(1, GICD_ISACTIVER), 0, "active is banked");
    dw(1, GICD_ISENABLER, 1u << 27);
    cr_assert(sl.level[1]);
    cr_assert_eq(cr(1, GICC_IAR), 27);
    irq_lower(&l0);
    cw(0, GICC_EOIR, 27);
    cr_assert_eq(dr(0, GICD_ISACTIVER), 0);
    cr_assert_eq(dr(1, GICD_ISACTIVER), 1u << 27);
    /* ICFGR1 (PPIs) is banked too. */
    dw(1, GICD_ICFGR + 4, 2u << 22);
    cr_assert_eq(dr(1, GICD_ICFGR + 4), 2u << 22);
    cr_assert_eq(dr(0, GICD_ICFGR + 4), 0);
}

Test(gicv2, group1_aliases)
{
    bring_up();
    dw(0, GICD_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1);
    spi_setup(50, 0x60, 1);
    dw(0, GICD_IGROUPR + 4, 1u << 18);
    cr_assert_eq(dr(0, GICD_IGROUPR + 4), 1u << 18);
    gicv2_set_spi(g, 50, 1);
    cr_assert_eq(sl.count[0], 0, "Group 1 disabled in the CPU interface");
    cr_assert_eq(cr(0, GICC_HPPIR), 1023);
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1);
    cr_assert(sl.level[0], "Group 1 is an IRQ");
    cr_assert_eq(cr(0, GICC_HPPIR), 1022, "Group 1 with AckCtl = 0");
    cr_assert_eq(cr(0, GICC_AHPPIR), 50);
    cr_assert_eq(cr(0, GICC_IAR), 1022, "not acknowledged through IAR");
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 0);
    cr_assert_eq(cr(0, GICC_AIAR), 50);
    cr_assert_eq(cr(0, GICC_NSAPR0), 1u << (0x60 >> 3), "Group 1 active priority");
    cr_assert_eq(cr(0, GICC_APR0), 0);
    cr_assert_eq(cr(0, GICC_RPR), 0x60);
    cw(0, GICC_AEOIR, 50);
    cr_assert_eq(cr(0, GICC_RPR), 0xff);
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 0);
    /* AckCtl = 1: IAR acknowledges Group 1 too; AIAR never Group 0. */
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1 | CTLR_ACKCTL);
    cr_assert_eq(cr(0, GICC_HPPIR), 50);
    cr_assert_eq(cr(0, GICC_IAR), 50);
    cw(0, GICC_EOIR, 50);
    gicv2_set_spi(g, 50, 0);
    spi_setup(51, 0x60, 1);
    gicv2_set_spi(g, 51, 1);
    cr_assert_eq(cr(0, GICC_AHPPIR), 1023);
    cr_assert_eq(cr(0, GICC_AIAR), 1023);
    cr_assert_eq(cr(0, GICC_IAR), 51);
    cw(0, GICC_AEOIR, 51);  /* Group 0 INTID through AEOIR: ignored */
    cr_assert_eq(cr(0, GICC_RPR), 0x60);
    cw(0, GICC_EOIR, 51);
    cr_assert_eq(cr(0, GICC_RPR), 0xff);
}

Test(gicv2, abpr_controls_group1_preemption)
{
    dw(0, GICD_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1);
    cw(0, GICC_PMR, 0xf8);
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1 | CTLR_ACKCTL);
    dw(0, GICD_IGROUPR + 4, 1u << 9);  /* 40: Group 0, 41: Group 1 */
    spi_setup(40, 0x48, 1);
    spi_setup(41, 0x50, 1);
    gicv2_set_spi(g, 40, 1);
    cr_assert_eq(cr(0, GICC_IAR), 40);
    cr_assert_eq(cr(0, GICC_RPR), 0x48, "BPR 2: group priority [7:3]");
    gicv2_set_spi(g, 41, 1);
    cr_assert_not(sl.level[0], "ABPR 3: group priority 0x50 is lower than 0x48");
    cw(0, GICC_ABPR, 6);  /* Group 1 group priority [7:6]: 0x40 */
    cr_assert(sl.level[0], "0x40 preempts 0x48");
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1 | CTLR_ACKCTL | 1u << 4);
    cr_assert_not(sl.level[0], "CBPR: GICC_BPR (2) for Group 1 too");
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_ENGRP1 | CTLR_ACKCTL);
    cr_assert_eq(cr(0, GICC_IAR), 41);
    cr_assert_eq(cr(0, GICC_RPR), 0x40);
    cr_assert_eq(cr(0, GICC_NSAPR0), 1u << 8);
    cr_assert_eq(cr(0, GICC_APR0), 1u << 9);
}

Test(gicv2, eoimode_and_dir)
{
    bring_up();
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_EOIMODE);
    cr_assert_eq(cr(0, GICC_CTLR), CTLR_ENGRP0 | CTLR_EOIMODE);
    spi_setup(45, 0x80, 1);
    dw(0, GICD_ISPENDR + 4, 1u << 13);
    cr_assert_eq(cr(0, GICC_IAR), 45);
    cw(0, GICC_EOIR, 45);
    cr_assert_eq(cr(0, GICC_RPR), 0xff, "priority dropped");
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 1u << 13, "still active");
    dw(0, GICD_ISPENDR + 4, 1u << 13);
    cr_assert_not(sl.level[0], "active and pending: not signalled");
    cw(0, GICC_DIR, 45);
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 0);
    cr_assert(sl.level[0]);
    /* DIR with EOImode = 0 is ignored. */
    cw(0, GICC_CTLR, CTLR_ENGRP0);
    cr_assert_eq(cr(0, GICC_IAR), 45);
    cw(0, GICC_DIR, 45);
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 1u << 13);
    cw(0, GICC_EOIR, 45);
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 0);
    /* ICACTIVER / ISACTIVER */
    dw(0, GICD_ISACTIVER + 4, 1u << 13);
    cr_assert_eq(dr(0, GICD_ISACTIVER + 4), 1u << 13);
    dw(0, GICD_ICACTIVER + 4, 1u << 13);
    cr_assert_eq(dr(0, GICD_ICACTIVER + 4), 0);
}

Test(gicv2, one_of_n_spi)
{
    bring_up();
    spi_setup(60, 0x80, 1u << 0 | 1u << 3);
    gicv2_set_spi(g, 60, 1);
    cr_assert(sl.level[0]);
    cr_assert(sl.level[3]);
    cr_assert_eq(cr(3, GICC_IAR), 60);
    cr_assert_not(sl.level[0], "taken by core 3");
    cr_assert_eq(cr(0, GICC_IAR), 1023);
    gicv2_set_spi(g, 60, 0);
    cw(3, GICC_EOIR, 60);
    cr_assert_not(sl.level[0]);
    cr_assert_not(sl.level[3]);
}

Test(gicv2, fiqen_group0_not_signalled_as_irq)
{
    bring_up();
    spi_setup(38, 0x80, 1);
    gicv2_set_spi(g, 38, 1);
    cr_assert(sl.level[0]);
    cw(0, GICC_CTLR, CTLR_ENGRP0 | CTLR_FIQEN);
    cr_assert_not(sl.level[0], "Group 0 would be a FIQ");
    cr_assert_eq(cr(0, GICC_IAR), 38, "IAR still acknowledges it");
}

Test(gicv2, access_sizes)
{
    /* Byte access to IPRIORITYR / ITARGETSR lands in the right byte. */
    dwb(0, GICD_IPRIORITYR + 66, 0xa8);
    cr_assert_eq(dr(0, GICD_IPRIORITYR + 64), 0xa8u << 16);
    dwb(0, GICD_ITARGETSR + 67, 0x02);
    cr_assert_eq(dr(0, GICD_ITARGETSR + 64), 0x02u << 24);
    cr_assert_eq(gicv2_dist_read(g, 0, GICD_ITARGETSR + 67, 1), 0x02);
    /* A byte write to SGIR is not an SGI; a byte read of IAR acknowledges nothing. */
    bring_up();
    gicv2_dist_write(g, 0, GICD_SGIR, 2u << 24 | 1, 1);
    cr_assert_eq(dr(0, GICD_ISPENDR), 0);
    dw(0, GICD_SGIR, 2u << 24 | 1);
    cr_assert_eq(gicv2_cpuif_read(g, 0, GICC_IAR, 1), 0);
    cr_assert_eq(dr(0, GICD_ISACTIVER), 0);
    cr_assert_eq(cr(0, GICC_IAR), 1);
    /* Beyond the 4 KiB of registers: RAZ/WI. */
    cr_assert_eq(gicv2_dist_read(g, 0, 0x2000, 4), 0);
}

/* ---- the MMIO path: the core comes from the thread-local ---- */
typedef struct ThreadArg {
    const MMIORegion *d, *c;
    int cpu;
    uint32_t itargets, iar;
} ThreadArg;

static void *vcpu_like(void *p)
{
    ThreadArg *a = p;
    gicv2_set_current_cpu(a->cpu);
    a->itargets = (uint32_t)a->d->ops->read(a->d->opaque, GICD_ITARGETSR, 4);
    a->iar = (uint32_t)a->c->ops->read(a->c->opaque, GICC_IAR, 4);
    return NULL;
}

Test(gicv2, mmio_current_cpu)
{
    PhysMap pm;
    memset(&pm, 0, sizeof(pm));
    gicv2_map(g, &pm, GICV2_DIST_BASE, GICV2_CPU_BASE);
    const MMIORegion *d = phys_find_mmio(&pm, GICV2_DIST_BASE + GICD_TYPER);
    const MMIORegion *c = phys_find_mmio(&pm, GICV2_CPU_BASE + GICC_DIR);
    cr_assert_not_null(d);
    cr_assert_not_null(c);
    cr_assert_eq(c->base, GICV2_CPU_BASE);
    cr_assert_null(d->lock, "the GIC locks internally");
    bring_up();
    dw(2, GICD_SGIR, 2u << 24 | 6);  /* core 2 pends SGI 6 on itself */
    cr_assert_eq(gicv2_current_cpu(), -1, "not a vCPU thread");
    /* A thread that never set its core accesses as core 0. */
    cr_assert_eq(d->ops->read(d->opaque, GICD_ITARGETSR, 4), 0x01010101u);
    pthread_t t[NCPU];
    ThreadArg a[NCPU];
    for (int i = 0; i < NCPU; i++) {
        a[i] = (ThreadArg){d, c, i, 0, 0};
        cr_assert_eq(pthread_create(&t[i], NULL, vcpu_like, &a[i]), 0);
    }
    for (int i = 0; i < NCPU; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(a[i].itargets, 0x01010101u << i, "core %d", i);
        cr_assert_eq(a[i].iar, i == 2 ? 2u << 10 | 6 : 1023u, "core %d", i);
    }
}

Test(gicv2, uniprocessor)
{
    SigLog l1;
    memset(&l1, 0, sizeof(l1));
    GICv2 *u = gicv2_new(1, 0, on_signal, &l1);
    cr_assert_not_null(u);
    cr_assert_eq(gicv2_dist_read(u, 0, GICD_TYPER, 4) >> 5 & 7, 0);
    cr_assert_eq(gicv2_dist_read(u, 0, GICD_ITARGETSR, 4), 0, "RAZ/WI on a uniprocessor");
    gicv2_dist_write(u, 0, GICD_CTLR, 1, 4);
    gicv2_cpuif_write(u, 0, GICC_PMR, 0xf0, 4);
    gicv2_cpuif_write(u, 0, GICC_CTLR, 1, 4);
    gicv2_dist_write(u, 0, GICD_ISENABLER + 4, 1u << 1, 4);
    IRQLine uart = gicv2_spi_line(u, 1);
    irq_raise(&uart);
    cr_assert(l1.level[0], "SPIs go to the only core");
    cr_assert_eq(gicv2_cpuif_read(u, 0, GICC_IAR, 4), 33);
    gicv2_free(u);
    cr_assert_null(gicv2_new(9, 0, NULL, NULL), "at most 8 cores");
    cr_assert_null(gicv2_new(0, 0, NULL, NULL));
}
