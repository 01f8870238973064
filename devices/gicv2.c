/* GICv2 model: distributor (GICD_*), memory-mapped CPU interface (GICC_*),
 * interrupt inputs, and the per-core "highest priority pending interrupt"
 * computation that drives the signal callback. See gicv2.h for the model
 * and docs/devices.md ("GICv2") for what is and is not implemented.
 *
 * Thread rules: everything runs under GICv2.lock; functions ending in
 * _locked expect the caller to hold it. */
#include <stdlib.h>
#include <string.h>

#include "../memory/mem.h"
#include "gicv2.h"

/* GICD register offsets (IHI 0048B, 4.1.2) */
enum {
    GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008,
    GICD_IGROUPR = 0x080, GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180,
    GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280, GICD_ISACTIVER = 0x300,
    GICD_ICACTIVER = 0x380, GICD_IPRIORITYR = 0x400, GICD_ITARGETSR = 0x800,
    GICD_ICFGR = 0xC00, GICD_SGIR = 0xF00, GICD_CPENDSGIR = 0xF10,
    GICD_SPENDSGIR = 0xF20, GICD_IDREGS = 0xFD0, GICD_END = 0x1000,
};
/* GICC register offsets (IHI 0048B, 4.1.3) */
enum {
    GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0C,
    GICC_EOIR = 0x10, GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1C,
    GICC_AIAR = 0x20, GICC_AEOIR = 0x24, GICC_AHPPIR = 0x28,
    GICC_APR0 = 0xD0, GICC_NSAPR0 = 0xE0, GICC_IIDR = 0xFC, GICC_DIR = 0x1000,
};

#define DCTLR_ENGRP0 (1u << 0)
#define DCTLR_ENGRP1 (1u << 1)
/* GICC_CTLR, GICv2 without Security Extensions */
#define CCTLR_ENGRP0 (1u << 0)
#define CCTLR_ENGRP1 (1u << 1)
#define CCTLR_ACKCTL (1u << 2)
#define CCTLR_FIQEN (1u << 3)
#define CCTLR_CBPR (1u << 4)
#define CCTLR_EOIMODE (1u << 9)
#define CCTLR_MASK 0x3FFu  /* bits 5..8 (bypass disables) are stored, with no effect */

#define SGI_MASK 0xFFFFu

/* PIDR4..7, PIDR0..3, CIDR0..3 from 0xFD0 (GIC-400; PIDR2 ArchRev = 2). */
static const uint8_t gicv2_idregs[12] = {0x04, 0, 0, 0, 0x90, 0xB4, 0x2B, 0, 0x0D, 0xF0, 0x05, 0xB1};

static _Thread_local int tls_cpu = -1;

void gicv2_set_current_cpu(int cpu) { tls_cpu = cpu; }
int gicv2_current_cpu(void) { return tls_cpu; }

static inline uint32_t bank_pending(const GICv2Bank *b) { return b->pend | (b->level & ~b->edge); }
static inline uint32_t cpu_mask(const GICv2 *g) { return (1u << g->ncpus) - 1; }

static GICv2Bank *bank_locked(GICv2 *g, int cpu, int intid)
{
    if (intid < 0)
        return NULL;
    if (intid < GICV2_INTERNAL)
        return &g->cpu[cpu].bank;
    if (intid < g->nirqs)
        return &g->spi[intid / 32];
    return NULL;
}

static bool in_group1(GICv2 *g, int cpu, int intid)
{
    GICv2Bank *b = bank_locked(g, cpu, intid);
    return b && (b->group >> (intid & 31) & 1);
}

/* Group priority mask for a Group 0 / Group 1 interrupt: GICC_BPR = n keeps
 * bits [7:n+1]; GICC_ABPR = n keeps bits [7:n] and is used for Group 1
 * unless CBPR = 1. */
static uint8_t gprio_mask(const GICv2Cpu *c, bool grp1)
{
    if (grp1 && !(c->ctlr & CCTLR_CBPR))
        return (uint8_t)(0xff << c->abpr);
    return (uint8_t)(0xff << (c->bpr + 1));
}

/* Running priority: group priority of the highest active priority. */
static uint8_t running_prio(const GICv2Cpu *c)
{
    uint32_t ap = c->apr | c->nsapr;
    return ap ? (uint8_t)(__builtin_ctz(ap) << (8 - GICV2_PRIBITS)) : 0xff;
}

static void scan_bank(const GICv2Bank *b, uint32_t cand, int base, const uint8_t *targets, int cpu, int *best,
                      int *best_prio)
{
    while (cand) {
        int i = __builtin_ctz(cand);
        cand &= cand - 1;
        if (targets && !(targets[base + i] >> cpu & 1))
            continue;
        if (b->prio[i] < *best_prio) {  /* strict: equal priority -> lowest INTID */
            *best_prio = b->prio[i];
            *best = base + i;
        }
    }
}

/* Highest-priority pending, enabled, inactive interrupt of a core among the
 * groups the distributor forwards (the CPU interface's masks come later). */
static int hppi_locked(GICv2 *g, int cpu, uint8_t *prio)
{
    int best = GICV2_SPURIOUS, best_prio = 0x100;
    bool en0 = g->ctlr & DCTLR_ENGRP0, en1 = g->ctlr & DCTLR_ENGRP1;
    if (en0 || en1) {
        const GICv2Bank *b = &g->cpu[cpu].bank;
        uint32_t grp = (en1 ? b->group : 0) | (en0 ? ~b->group : 0);
        scan_bank(b, bank_pending(b) & b->enable & ~b->active & grp, 0, NULL, cpu, &best, &best_prio);
        for (int n = 1; n < g->nirqs / 32; n++) {
            b = &g->spi[n];
            grp = (en1 ? b->group : 0) | (en0 ? ~b->group : 0);
            uint32_t cand = bank_pending(b) & b->enable & ~b->active & grp;
            if (cand)
                scan_bank(b, cand, n * 32, g->targets, cpu, &best, &best_prio);
        }
    }
    *prio = best_prio > 0xff ? 0xff : (uint8_t)best_prio;
    return best;
}

static void update_cpu_locked(GICv2 *g, int cpu)
{
    GICv2Cpu *c = &g->cpu[cpu];
    c->hppi = hppi_locked(g, cpu, &c->hppi_prio);
    /* An SGI pending from several cores is acknowledged once per source;
     * the lowest-numbered source goes first. */
    c->hppi_src = c->hppi < GICV2_NR_SGI ? __builtin_ctz(c->sgi_src[c->hppi] | 0x100) & 7 : 0;
    bool out = false;
    if (c->hppi != GICV2_SPURIOUS) {
        bool g1 = in_group1(g, cpu, c->hppi);
        /* Group 0 with FIQEn = 1 would be a FIQ, which is not modelled. */
        bool en = g1 ? (c->ctlr & CCTLR_ENGRP1) : (c->ctlr & CCTLR_ENGRP0) && !(c->ctlr & CCTLR_FIQEN);
        out = en && c->hppi_prio < c->pmr && (c->hppi_prio & gprio_mask(c, g1)) < running_prio(c);
    }
    if (out != atomic_load_explicit(&c->irq_out, memory_order_relaxed)) {
        atomic_store_explicit(&c->irq_out, out, memory_order_release);
        /* Under the lock, so the machine sees the edges in order. */
        if (g->signal)
            g->signal(g->signal_opaque, cpu, out);
    }
}

static void update_mask_locked(GICv2 *g, uint32_t mask)
{
    for (int i = 0; i < g->ncpus; i++)
        if (mask >> i & 1)
            update_cpu_locked(g, i);
}

/* The cores whose HPPI may depend on `intid` (besides `cpu`). */
static uint32_t affected(GICv2 *g, int cpu, int intid)
{
    return (1u << cpu) | (intid >= GICV2_INTERNAL && intid < g->nirqs ? g->targets[intid] : 0);
}

/* ---- distributor ---- */
static GICv2Bank *regbank(GICv2 *g, int cpu, int n)
{
    if (n == 0)
        return &g->cpu[cpu].bank;
    return n < g->nirqs / 32 ? &g->spi[n] : NULL;
}

static uint32_t dist_read32(GICv2 *g, int cpu, uint32_t off)
{
    GICv2Cpu *c = &g->cpu[cpu];
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        GICv2Bank *b = regbank(g, cpu, (off & 0x7F) / 4);
        if (!b)
            return 0;
        switch (off & ~0x7Fu) {
        case GICD_IGROUPR: return b->group;
        case GICD_ISENABLER: case GICD_ICENABLER: return b->enable;
        case GICD_ISPENDR: case GICD_ICPENDR: return bank_pending(b);
        default: return b->active;
        }
    }
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        int intid = (int)(off - GICD_IPRIORITYR);
        GICv2Bank *b = regbank(g, cpu, intid / 32);
        uint32_t v = 0;
        if (b)
            for (int k = 0; k < 4; k++)
                v |= (uint32_t)b->prio[(intid + k) % 32] << (8 * k);
        return v;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        /* Uniprocessor: RAZ/WI (everything targets the only core). */
        int intid = (int)(off - GICD_ITARGETSR);
        uint32_t v = 0;
        if (g->ncpus == 1 || intid >= g->nirqs)
            return 0;
        for (int k = 0; k < 4; k++)
            v |= (uint32_t)(intid < GICV2_INTERNAL ? 1u << cpu : g->targets[intid + k]) << (8 * k);
        return v;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        int n = (int)(off - GICD_ICFGR) / 4;
        if (n == 0)
            return 0xAAAAAAAAu;  /* SGIs: edge-triggered, read-only */
        GICv2Bank *b = regbank(g, cpu, n / 2);
        uint32_t v = 0;
        if (b) {
            uint32_t e = b->edge >> (16 * (n & 1));
            for (int i = 0; i < 16; i++)
                v |= (e >> i & 1) << (2 * i + 1);
        }
        return v;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
        int sgi = (int)(off - GICD_CPENDSGIR) % 16;
        return (uint32_t)c->sgi_src[sgi] | (uint32_t)c->sgi_src[sgi + 1] << 8 |
               (uint32_t)c->sgi_src[sgi + 2] << 16 | (uint32_t)c->sgi_src[sgi + 3] << 24;
    }
    if (off >= GICD_IDREGS && off < GICD_END)
        return gicv2_idregs[(off - GICD_IDREGS) / 4];
    switch (off) {
    case GICD_CTLR: return g->ctlr;
    case GICD_TYPER:
        return (uint32_t)(g->nirqs / 32 - 1)        /* ITLinesNumber */
               | (uint32_t)(g->ncpus - 1) << 5;     /* CPUNumber; SecurityExtn = 0 */
    case GICD_IIDR: return GICV2_GICD_IIDR;
    default: return 0;  /* SGIR is write-only; NSACR, PPISR/SPISR: RAZ */
    }
}

/* GICD_SGIR: pend SGI `v[3:0]` from `cpu` on the cores the filter selects.
 * Without Security Extensions NSATT is ignored: the SGI is forwarded
 * whatever its group on the target. */
static void send_sgi_locked(GICv2 *g, int cpu, uint32_t v)
{
    int intid = (int)(v & 0xf);
    uint32_t tl;
    switch (v >> 24 & 3) {
    case 0: tl = v >> 16 & 0xff; break;              /* CPUTargetList */
    case 1: tl = cpu_mask(g) & ~(1u << cpu); break;  /* all but self */
    case 2: tl = 1u << cpu; break;                   /* self */
    default: return;                                 /* reserved */
    }
    tl &= cpu_mask(g);
    for (int t = 0; t < g->ncpus; t++) {
        if (!(tl >> t & 1))
            continue;
        g->cpu[t].sgi_src[intid] |= (uint8_t)(1u << cpu);
        g->cpu[t].bank.pend |= 1u << intid;
    }
    update_mask_locked(g, tl);
}

/* mask: the bytes written (byte enables); v is already shifted in place. */
static void dist_write32(GICv2 *g, int cpu, uint32_t off, uint32_t v, uint32_t mask)
{
    GICv2Cpu *c = &g->cpu[cpu];
    v &= mask;
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        int n = (int)(off & 0x7F) / 4;
        GICv2Bank *b = regbank(g, cpu, n);
        if (!b)
            return;
        /* SGIs are always enabled (GIC-400) and their pending state is
         * set and cleared through SPENDSGIR/CPENDSGIR only. */
        uint32_t ro = n == 0 ? SGI_MASK : 0;
        switch (off & ~0x7Fu) {
        case GICD_IGROUPR: b->group = (b->group & ~mask) | v; break;
        case GICD_ISENABLER: b->enable |= v & ~ro; break;
        case GICD_ICENABLER: b->enable &= ~(v & ~ro); break;
        case GICD_ISPENDR: b->pend |= v & ~ro; break;
        case GICD_ICPENDR: b->pend &= ~(v & ~ro); break;
        case GICD_ISACTIVER: b->active |= v; break;
        default: b->active &= ~v; break;
        }
        update_mask_locked(g, n == 0 ? 1u << cpu : cpu_mask(g));
        return;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_ITARGETSR) {
        int intid = (int)(off - GICD_IPRIORITYR);
        GICv2Bank *b = regbank(g, cpu, intid / 32);
        if (!b)
            return;
        for (int k = 0; k < 4; k++)
            if (mask >> (8 * k) & 0xff)
                b->prio[(intid + k) % 32] = (uint8_t)(v >> (8 * k)) & GICV2_PRIO_MASK;
        update_mask_locked(g, intid < GICV2_INTERNAL ? 1u << cpu : cpu_mask(g));
        return;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        int intid = (int)(off - GICD_ITARGETSR);
        if (g->ncpus == 1 || intid < GICV2_INTERNAL || intid >= g->nirqs)
            return;  /* SGI/PPI targets are read-only; uniprocessor: WI */
        for (int k = 0; k < 4; k++)
            if (mask >> (8 * k) & 0xff)
                g->targets[intid + k] = (uint8_t)(v >> (8 * k)) & (uint8_t)cpu_mask(g);
        update_mask_locked(g, cpu_mask(g));
        return;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        int n = (int)(off - GICD_ICFGR) / 4;
        GICv2Bank *b = regbank(g, cpu, n / 2);
        if (!b || n == 0)
            return;  /* ICFGR0 (SGIs) is read-only */
        for (int i = 0; i < 16; i++) {
            if (!(mask >> (2 * i) & 3))
                continue;
            uint32_t bit = 1u << (16 * (n & 1) + i);
            b->edge = (v >> (2 * i + 1) & 1) ? b->edge | bit : b->edge & ~bit;
        }
        update_mask_locked(g, n < 2 ? 1u << cpu : cpu_mask(g));
        return;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
        bool set = off >= GICD_SPENDSGIR;
        int sgi = (int)(off - GICD_CPENDSGIR) % 16;
        for (int k = 0; k < 4; k++) {
            if (!(mask >> (8 * k) & 0xff))
                continue;
            uint8_t bits = (uint8_t)(v >> (8 * k)) & (uint8_t)cpu_mask(g);
            uint8_t *src = &c->sgi_src[sgi + k];
            *src = set ? *src | bits : *src & (uint8_t)~bits;
            if (*src)
                c->bank.pend |= 1u << (sgi + k);
            else
                c->bank.pend &= ~(1u << (sgi + k));
        }
        update_cpu_locked(g, cpu);
        return;
    }
    switch (off) {
    case GICD_CTLR:
        g->ctlr = (g->ctlr & ~mask) | (v & (DCTLR_ENGRP0 | DCTLR_ENGRP1));
        update_mask_locked(g, cpu_mask(g));
        break;
    case GICD_SGIR:
        if (mask == ~0u)  /* a partial write is not a request */
            send_sgi_locked(g, cpu, v);
        break;
    default: break;
    }
}

/* ---- CPU interface ---- */

/* GICC_IAR (alias = false) / GICC_AIAR (alias = true). */
static uint32_t ack_locked(GICv2 *g, int cpu, bool alias)
{
    GICv2Cpu *c = &g->cpu[cpu];
    int intid = c->hppi;
    if (intid == GICV2_SPURIOUS)
        return GICV2_SPURIOUS;
    bool g1 = in_group1(g, cpu, intid);
    if (alias && !g1)
        return GICV2_SPURIOUS;
    bool en = c->ctlr & (g1 ? CCTLR_ENGRP1 : CCTLR_ENGRP0);
    uint8_t gp = c->hppi_prio & gprio_mask(c, g1);
    if (!en || c->hppi_prio >= c->pmr || gp >= running_prio(c))
        return GICV2_SPURIOUS;
    if (!alias && g1 && !(c->ctlr & CCTLR_ACKCTL))
        return GICV2_GRP1_NOACK;  /* Group 1 is acknowledged through GICC_AIAR */
    GICv2Bank *b = bank_locked(g, cpu, intid);
    uint32_t bit = 1u << (intid & 31);
    int src = 0;
    if (intid < GICV2_NR_SGI) {
        /* One source at a time; the SGI stays pending (and becomes active
         * and pending) while other sources remain. */
        src = c->hppi_src;
        c->sgi_src[intid] &= (uint8_t)~(1u << src);
        if (!c->sgi_src[intid])
            b->pend &= ~bit;
    } else {
        /* Edge: the latch is consumed. Level: a software pend is consumed;
         * the interrupt stays pending while its line is high. */
        b->pend &= ~bit;
    }
    b->active |= bit;
    if (g1)
        c->nsapr |= 1u << (gp >> (8 - GICV2_PRIBITS));
    else
        c->apr |= 1u << (gp >> (8 - GICV2_PRIBITS));
    /* An SPI targeting several cores is now active: 1-of-N, the others
     * stop seeing it. */
    update_mask_locked(g, affected(g, cpu, intid));
    return (uint32_t)intid | (uint32_t)src << 10;
}

static uint32_t hppir_locked(GICv2 *g, int cpu, bool alias)
{
    GICv2Cpu *c = &g->cpu[cpu];
    int intid = c->hppi;
    if (intid == GICV2_SPURIOUS)
        return GICV2_SPURIOUS;
    bool g1 = in_group1(g, cpu, intid);
    if ((alias && !g1) || !(c->ctlr & (g1 ? CCTLR_ENGRP1 : CCTLR_ENGRP0)))
        return GICV2_SPURIOUS;
    if (!alias && g1 && !(c->ctlr & CCTLR_ACKCTL))
        return GICV2_GRP1_NOACK;
    return (uint32_t)intid | (uint32_t)c->hppi_src << 10;
}

static void deactivate_locked(GICv2 *g, int cpu, int intid)
{
    GICv2Bank *b = bank_locked(g, cpu, intid);
    if (!b)
        return;
    b->active &= ~(1u << (intid & 31));
    update_mask_locked(g, affected(g, cpu, intid));
}

/* GICC_EOIR / GICC_AEOIR: priority drop of the written INTID's group (the
 * nesting rule makes it the highest active priority), plus deactivation
 * unless EOImode = 1. EOIs of special or nonexistent INTIDs, of a Group 0
 * INTID through AEOIR, or with no active priority in that group are
 * ignored (UNPREDICTABLE cases; QEMU makes the same choices). */
static void eoi_locked(GICv2 *g, int cpu, uint32_t v, bool alias)
{
    GICv2Cpu *c = &g->cpu[cpu];
    int intid = (int)(v & 0x3ff);
    if (intid >= g->nirqs)
        return;
    bool g1 = in_group1(g, cpu, intid);
    if (alias && !g1)
        return;
    uint32_t *ap = g1 ? &c->nsapr : &c->apr;
    if (!*ap)
        return;
    *ap &= *ap - 1;
    if (!(c->ctlr & CCTLR_EOIMODE))
        deactivate_locked(g, cpu, intid);
    update_cpu_locked(g, cpu);
}

static uint32_t cpuif_read32(GICv2 *g, int cpu, uint32_t off)
{
    GICv2Cpu *c = &g->cpu[cpu];
    switch (off) {
    case GICC_CTLR: return c->ctlr;
    case GICC_PMR: return c->pmr;
    case GICC_BPR: return c->bpr;
    case GICC_IAR: return ack_locked(g, cpu, false);
    case GICC_RPR: return running_prio(c);
    case GICC_HPPIR: return hppir_locked(g, cpu, false);
    case GICC_ABPR: return c->abpr;
    case GICC_AIAR: return ack_locked(g, cpu, true);
    case GICC_AHPPIR: return hppir_locked(g, cpu, true);
    case GICC_APR0: return c->apr;
    case GICC_NSAPR0: return c->nsapr;
    case GICC_IIDR: return GICV2_GICC_IIDR;
    default: return 0;  /* EOIR, AEOIR, DIR write-only; APR1-3/NSAPR1-3 RAZ (5 priority bits) */
    }
}

static void cpuif_write32(GICv2 *g, int cpu, uint32_t off, uint32_t v)
{
    GICv2Cpu *c = &g->cpu[cpu];
    switch (off) {
    case GICC_CTLR: c->ctlr = v & CCTLR_MASK; break;
    case GICC_PMR: c->pmr = (uint8_t)v & GICV2_PRIO_MASK; break;
    case GICC_BPR: c->bpr = (v & 7) < GICV2_MIN_BPR ? GICV2_MIN_BPR : (uint8_t)(v & 7); break;
    case GICC_ABPR: c->abpr = (v & 7) < GICV2_MIN_ABPR ? GICV2_MIN_ABPR : (uint8_t)(v & 7); break;
    case GICC_EOIR: eoi_locked(g, cpu, v, false); return;
    case GICC_AEOIR: eoi_locked(g, cpu, v, true); return;
    case GICC_DIR:
        /* Only meaningful with EOImode = 1 (UNPREDICTABLE otherwise: ignored). */
        if ((c->ctlr & CCTLR_EOIMODE) && (int)(v & 0x3ff) < g->nirqs)
            deactivate_locked(g, cpu, (int)(v & 0x3ff));
        return;
    case GICC_APR0: c->apr = v; break;
    case GICC_NSAPR0: c->nsapr = v; break;
    default: return;  /* read-only or reserved */
    }
    update_cpu_locked(g, cpu);
}

/* ---- MMIO entry points ---- */
static int valid_cpu(const GICv2 *g, int cpu) { return cpu >= 0 && cpu < g->ncpus ? cpu : 0; }

uint64_t gicv2_dist_read(GICv2 *g, int cpu, uint64_t off, int size)
{
    if (off >= GICD_END)
        return 0;
    cpu = valid_cpu(g, cpu);
    uint32_t o = (uint32_t)off;
    pthread_mutex_lock(&g->lock);
    uint64_t v;
    if (size == 8) {
        v = dist_read32(g, cpu, o & ~7u) | (uint64_t)dist_read32(g, cpu, (o & ~7u) + 4) << 32;
    } else {
        uint32_t w = dist_read32(g, cpu, o & ~3u) >> (8 * (o & 3));
        v = size == 4 ? w : w & ((1u << (8 * size)) - 1);
    }
    pthread_mutex_unlock(&g->lock);
    return v;
}

void gicv2_dist_write(GICv2 *g, int cpu, uint64_t off, uint64_t val, int size)
{
    if (off >= GICD_END)
        return;
    cpu = valid_cpu(g, cpu);
    uint32_t o = (uint32_t)off;
    pthread_mutex_lock(&g->lock);
    if (size == 8) {
        dist_write32(g, cpu, o & ~7u, (uint32_t)val, ~0u);
        dist_write32(g, cpu, (o & ~7u) + 4, (uint32_t)(val >> 32), ~0u);
    } else {
        int sh = 8 * (o & 3);
        uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << sh;
        dist_write32(g, cpu, o & ~3u, (uint32_t)val << sh, mask);
    }
    pthread_mutex_unlock(&g->lock);
}

/* The CPU interface is word-access only; other sizes are RAZ/WI so that a
 * stray byte read of GICC_IAR cannot acknowledge anything. */
uint64_t gicv2_cpuif_read(GICv2 *g, int cpu, uint64_t off, int size)
{
    if (size != 4 || (off & 3) || off >= GICV2_CPU_SIZE)
        return 0;
    cpu = valid_cpu(g, cpu);
    pthread_mutex_lock(&g->lock);
    uint32_t v = cpuif_read32(g, cpu, (uint32_t)off);
    pthread_mutex_unlock(&g->lock);
    return v;
}

void gicv2_cpuif_write(GICv2 *g, int cpu, uint64_t off, uint64_t val, int size)
{
    if (size != 4 || (off & 3) || off >= GICV2_CPU_SIZE)
        return;
    cpu = valid_cpu(g, cpu);
    pthread_mutex_lock(&g->lock);
    cpuif_write32(g, cpu, (uint32_t)off, (uint32_t)val);
    pthread_mutex_unlock(&g->lock);
}

static uint64_t dist_mmio_read(void *opaque, uint64_t off, int size) { return gicv2_dist_read(opaque, tls_cpu, off, size); }
static void dist_mmio_write(void *opaque, uint64_t off, uint64_t v, int size) { gicv2_dist_write(opaque, tls_cpu, off, v, size); }
static uint64_t cpu_mmio_read(void *opaque, uint64_t off, int size) { return gicv2_cpuif_read(opaque, tls_cpu, off, size); }
static void cpu_mmio_write(void *opaque, uint64_t off, uint64_t v, int size) { gicv2_cpuif_write(opaque, tls_cpu, off, v, size); }

static const MMIOOps gicd_ops = {.read = dist_mmio_read, .write = dist_mmio_write};
static const MMIOOps gicc_ops = {.read = cpu_mmio_read, .write = cpu_mmio_write};

/* ---- inputs ---- */
static void set_line_locked(GICv2Bank *b, int intid, int level)
{
    uint32_t bit = 1u << (intid & 31);
    bool old = b->level & bit;
    if (level) {
        b->level |= bit;
        if (!old && (b->edge & bit))
            b->pend |= bit;  /* edge-triggered: latch the rising edge */
    } else {
        b->level &= ~bit;
    }
}

void gicv2_set_spi(GICv2 *g, int intid, int level)
{
    if (intid < GICV2_INTERNAL || intid >= g->nirqs)
        return;
    pthread_mutex_lock(&g->lock);
    set_line_locked(&g->spi[intid / 32], intid, level);
    update_mask_locked(g, g->targets[intid]);
    pthread_mutex_unlock(&g->lock);
}

void gicv2_set_ppi(GICv2 *g, int cpu, int intid, int level)
{
    if (cpu < 0 || cpu >= g->ncpus || intid < GICV2_NR_SGI || intid >= GICV2_INTERNAL)
        return;
    pthread_mutex_lock(&g->lock);
    set_line_locked(&g->cpu[cpu].bank, intid, level);
    update_cpu_locked(g, cpu);
    pthread_mutex_unlock(&g->lock);
}

static void spi_handler(void *opaque, int n, int level) { gicv2_set_spi(opaque, n, level); }

static void ppi_handler(void *opaque, int n, int level)
{
    GICv2Cpu *c = opaque;
    gicv2_set_ppi(c->gic, c->index, n, level);
}

IRQLine gicv2_spi_line(GICv2 *g, int spi)
{
    IRQLine l;
    irq_init(&l, spi_handler, g, spi + GICV2_INTERNAL);
    return l;
}

IRQLine gicv2_ppi_line(GICv2 *g, int cpu, int ppi_intid)
{
    IRQLine l;
    irq_init(&l, ppi_handler, &g->cpu[cpu], ppi_intid);
    return l;
}

/* ---- life cycle ---- */
GICv2 *gicv2_new(int ncpus, int nirqs, GICv2SignalFn signal, void *opaque)
{
    if (nirqs <= 0)
        nirqs = GICV2_DEFAULT_NR_IRQS;
    if (ncpus < 1 || ncpus > GICV2_MAX_CPUS || nirqs % 32 || nirqs > 1024 || nirqs < 64)
        return NULL;
    if (nirqs > GICV2_MAX_IRQS)
        nirqs = 1024 - 32;  /* INTIDs 1020..1023 are special: keep whole banks below them */
    GICv2 *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->ncpus = ncpus;
    g->nirqs = nirqs;
    g->spi = calloc((size_t)nirqs / 32, sizeof(GICv2Bank));
    g->targets = calloc((size_t)nirqs, 1);
    if (!g->spi || !g->targets) {
        gicv2_free(g);
        return NULL;
    }
    g->signal = signal;
    g->signal_opaque = opaque;
    pthread_mutex_init(&g->lock, NULL);
    for (int i = 0; i < ncpus; i++) {
        GICv2Cpu *c = &g->cpu[i];
        c->gic = g;
        c->index = i;
        c->bank.edge = SGI_MASK;    /* SGIs edge, PPIs level */
        c->bank.enable = SGI_MASK;  /* SGIs always enabled */
        c->bpr = GICV2_MIN_BPR;
        c->abpr = GICV2_MIN_ABPR;
        c->hppi = GICV2_SPURIOUS;
        c->hppi_prio = 0xff;
    }
    /* SPIs reset targeting no core, except on a uniprocessor where
     * ITARGETSR is RAZ/WI and everything goes to core 0. */
    if (ncpus == 1)
        memset(g->targets, 1, (size_t)nirqs);
    return g;
}

void gicv2_free(GICv2 *g)
{
    if (!g)
        return;
    if (g->spi && g->targets)
        pthread_mutex_destroy(&g->lock);
    free(g->spi);
    free(g->targets);
    free(g);
}

void gicv2_map(GICv2 *g, PhysMap *pm, uint64_t dist_base, uint64_t cpu_base)
{
    /* No dispatch lock: the GIC locks internally (the input lines reach
     * the same state without going through MMIO). */
    physmap_add_mmio(pm, "gicv2-dist", dist_base, GICV2_DIST_SIZE, &gicd_ops, g, NULL);
    physmap_add_mmio(pm, "gicv2-cpu", cpu_base, GICV2_CPU_SIZE, &gicc_ops, g, NULL);
}
