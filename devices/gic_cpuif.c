/* GICv3 CPU interface: the ICC_*_EL1 system registers of each core
 * (acknowledge, priority drop / deactivation, masking, SGI generation).
 * Only the Group 1 interrupt path is live; the Group 0 registers exist so
 * that software probing them does not fault, but Group 0 interrupts are
 * never signalled (no FIQ) and IAR0 always reads 1023.
 *
 * Thread rules: gic_cpuif_read/write take the GIC lock and are normally
 * called by the owner vCPU of `cpu`. */
#include "gicv3.h"

#define CTLR_EOIMODE (1u << 1)

static inline uint8_t gprio_mask1(const GICCpu *c) { return (uint8_t)(0xff << c->bpr1); }

static bool in_group1(GICv3 *g, int cpu, int intid)
{
    GICBank *b = gic_bank_locked(g, cpu, intid);
    return b && (b->group >> (intid & 31) & 1);
}

/* ICC_IAR1_EL1: acknowledge the HPPI if it is Group 1 and may be signalled. */
static uint64_t ack_group1(GICv3 *g, int cpu)
{
    GICCpu *c = &g->cpu[cpu];
    int intid = c->hppi;
    uint8_t mask = gprio_mask1(c);
    if (intid == GIC_SPURIOUS || !in_group1(g, cpu, intid) || !c->igrpen1 || c->hppi_prio >= c->pmr ||
        (c->hppi_prio & mask) >= (gic_running_prio_locked(c) & mask))
        return GIC_SPURIOUS;
    GICBank *b = gic_bank_locked(g, cpu, intid);
    uint32_t bit = 1u << (intid & 31);
    /* Edge: the latch is consumed. Level: a software pend is consumed; the
     * interrupt stays pending (active and pending) while its line is high. */
    b->pend &= ~bit;
    b->active |= bit;
    c->ap1r0 |= 1u << ((c->hppi_prio & mask) >> (8 - GIC_PRIBITS));
    gic_update_cpu_locked(g, cpu);
    return (uint64_t)intid;
}

static void deactivate(GICv3 *g, int cpu, int intid)
{
    GICBank *b = gic_bank_locked(g, cpu, intid);
    if (!b)
        return;
    b->active &= ~(1u << (intid & 31));
    /* An SPI may be routed to another core by now. */
    if (intid >= GIC_INTERNAL && g->route[intid] >= 0 && g->route[intid] != cpu)
        gic_update_cpu_locked(g, g->route[intid]);
}

/* ICC_SGI1R_EL1 / ICC_SGI0R_EL1: pend SGI on the targets whose SGI is
 * configured in `group` (an SGI of the other group is not forwarded). */
static void send_sgi(GICv3 *g, int cpu, uint64_t v, int group)
{
    int intid = (int)(v >> 24 & 0xf);
    bool irm = v >> 40 & 1;
    uint32_t upper = (uint32_t)(v >> 48 & 0xff) << 24 | (uint32_t)(v >> 32 & 0xff) << 16 | (uint32_t)(v >> 16 & 0xff) << 8;
    unsigned rs = (unsigned)(v >> 44 & 0xf), targets = (unsigned)(v & 0xffff);
    for (int t = 0; t < g->ncpus; t++) {
        GICCpu *tc = &g->cpu[t];
        if (irm) {
            if (t == cpu)
                continue;
        } else {
            unsigned aff0 = tc->aff & 0xff;
            if ((tc->aff & ~0xffu) != upper || aff0 >> 4 != rs || !(targets >> (aff0 & 0xf) & 1))
                continue;
        }
        if ((int)(tc->bank.group >> intid & 1) != group)
            continue;
        tc->bank.pend |= 1u << intid;
        gic_update_cpu_locked(g, t);
    }
}

static bool cpuif_read_locked(GICv3 *g, int cpu, uint32_t enc, uint64_t *val)
{
    GICCpu *c = &g->cpu[cpu];
    switch (enc) {
    case ICC_PMR_EL1: *val = c->pmr; return true;
    case ICC_IAR1_EL1: *val = ack_group1(g, cpu); return true;
    case ICC_IAR0_EL1: *val = GIC_SPURIOUS; return true;
    /* HPPIR ignores PMR and the running priority but honours the
     * interface's group enable. */
    case ICC_HPPIR1_EL1:
        *val = c->hppi != GIC_SPURIOUS && c->igrpen1 && in_group1(g, cpu, c->hppi) ? (uint64_t)c->hppi
                                                                                   : GIC_SPURIOUS;
        return true;
    case ICC_HPPIR0_EL1:
        *val = c->hppi != GIC_SPURIOUS && c->igrpen0 && !in_group1(g, cpu, c->hppi) ? (uint64_t)c->hppi
                                                                                    : GIC_SPURIOUS;
        return true;
    case ICC_BPR0_EL1: *val = c->bpr0; return true;
    case ICC_BPR1_EL1: *val = c->bpr1; return true;
    case ICC_AP0R0_EL1: *val = c->ap0r0; return true;
    case ICC_AP1R0_EL1: *val = c->ap1r0; return true;
    case ICC_RPR_EL1: *val = gic_running_prio_locked(c); return true;
    case ICC_CTLR_EL1:
        /* PRIbits [10:8] = bits - 1; IDbits [13:11] = 0 (16 bits); CBPR,
         * PMHE, A3V, SEIS, RSS, ExtRange all 0. */
        *val = (c->eoimode ? CTLR_EOIMODE : 0) | (uint64_t)(GIC_PRIBITS - 1) << 8;
        return true;
    case ICC_SRE_EL1: *val = 7; return true;  /* SRE, DFB, DIB: RAO/WI */
    case ICC_IGRPEN0_EL1: *val = c->igrpen0; return true;
    case ICC_IGRPEN1_EL1: *val = c->igrpen1; return true;
    case ICC_EOIR0_EL1: case ICC_EOIR1_EL1: case ICC_DIR_EL1:
    case ICC_SGI1R_EL1: case ICC_SGI0R_EL1: case ICC_ASGI1R_EL1:
        *val = 0;  /* write-only */
        return true;
    default: return false;
    }
}

static bool cpuif_write_locked(GICv3 *g, int cpu, uint32_t enc, uint64_t v)
{
    GICCpu *c = &g->cpu[cpu];
    switch (enc) {
    case ICC_PMR_EL1: c->pmr = (uint8_t)v & GIC_PRIO_MASK; break;
    case ICC_BPR0_EL1: c->bpr0 = (v & 7) < GIC_MIN_BPR1 - 1 ? GIC_MIN_BPR1 - 1 : (uint8_t)(v & 7); break;
    case ICC_BPR1_EL1: c->bpr1 = (v & 7) < GIC_MIN_BPR1 ? GIC_MIN_BPR1 : (uint8_t)(v & 7); break;
    case ICC_AP0R0_EL1: c->ap0r0 = (uint32_t)v; break;
    case ICC_AP1R0_EL1: c->ap1r0 = (uint32_t)v; break;
    case ICC_CTLR_EL1: c->eoimode = v & CTLR_EOIMODE; return true;
    case ICC_IGRPEN0_EL1: c->igrpen0 = v & 1; break;
    case ICC_IGRPEN1_EL1: c->igrpen1 = v & 1; break;
    case ICC_EOIR1_EL1: {
        int intid = (int)(v & 0xffffff);
        /* Special INTIDs (1020..1023) and INTIDs that do not exist are
         * ignored, as is an EOI when the highest active priority is not a
         * Group 1 one (UNPREDICTABLE; QEMU makes the same choice). */
        if (intid >= g->nirqs || !c->ap1r0 ||
            (c->ap0r0 && __builtin_ctz(c->ap0r0) <= __builtin_ctz(c->ap1r0)))
            return true;
        c->ap1r0 &= c->ap1r0 - 1;  /* priority drop: the highest active priority */
        if (!c->eoimode)
            deactivate(g, cpu, intid);
        break;
    }
    case ICC_EOIR0_EL1: return true;  /* Group 0 is never acknowledged */
    case ICC_DIR_EL1: {
        int intid = (int)(v & 0xffffff);
        if (intid >= g->nirqs)
            return true;
        deactivate(g, cpu, intid);
        break;
    }
    case ICC_SGI1R_EL1: send_sgi(g, cpu, v, 1); return true;
    case ICC_SGI0R_EL1: send_sgi(g, cpu, v, 0); return true;
    case ICC_ASGI1R_EL1: return true;  /* other Security state: none (DS = 1) */
    case ICC_SRE_EL1: return true;
    case ICC_IAR0_EL1: case ICC_IAR1_EL1: case ICC_HPPIR0_EL1: case ICC_HPPIR1_EL1: case ICC_RPR_EL1:
        return true;  /* read-only */
    default: return false;
    }
    gic_update_cpu_locked(g, cpu);
    return true;
}

bool gic_cpuif_read(GICv3 *g, int cpu, uint32_t enc, uint64_t *val)
{
    if (cpu < 0 || cpu >= g->ncpus)
        return false;
    pthread_mutex_lock(&g->lock);
    bool ok = cpuif_read_locked(g, cpu, enc, val);
    pthread_mutex_unlock(&g->lock);
    return ok;
}

bool gic_cpuif_write(GICv3 *g, int cpu, uint32_t enc, uint64_t val)
{
    if (cpu < 0 || cpu >= g->ncpus)
        return false;
    pthread_mutex_lock(&g->lock);
    bool ok = cpuif_write_locked(g, cpu, enc, val);
    pthread_mutex_unlock(&g->lock);
    return ok;
}
