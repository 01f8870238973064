/* GICv3 distributor and redistributors (MMIO), interrupt inputs and the
 * per-core "highest priority pending interrupt" computation that drives the
 * signal callback. The ICC_* CPU interface is in gic_cpuif.c.
 *
 * Thread rules: everything runs under GICv3.lock (see gicv3.h); functions
 * ending in _locked expect the caller to hold it. */
#include <stdlib.h>
#include <string.h>

#include "../memory/mem.h"
#include "gicv3.h"

/* GICD register offsets */
enum {
    GICD_CTLR = 0x0000, GICD_TYPER = 0x0004, GICD_IIDR = 0x0008,
    GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100, GICD_ICENABLER = 0x0180,
    GICD_ISPENDR = 0x0200, GICD_ICPENDR = 0x0280, GICD_ISACTIVER = 0x0300,
    GICD_ICACTIVER = 0x0380, GICD_IPRIORITYR = 0x0400, GICD_ICFGR = 0x0C00,
    GICD_IROUTER = 0x6000, GICD_IROUTER_END = 0x8000, GICD_IDREGS = 0xFFD0,
};
/* GICR offsets (RD_base frame, then SGI_base frame at +64 KiB) */
enum {
    GICR_CTLR = 0x0000, GICR_IIDR = 0x0004, GICR_TYPER = 0x0008, GICR_WAKER = 0x0014,
    GICR_IDREGS = 0xFFD0, GICR_SGI_BASE = 0x10000,
};

#define CTLR_ENGRP0 (1u << 0)
#define CTLR_ENGRP1 (1u << 1)
#define CTLR_ARE (1u << 4)
#define CTLR_DS (1u << 6)
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
#define GIC_IIDR 0x0000043Bu      /* implementer Arm (0x43B), product 0, r0p0 */
#define IROUTER_MASK 0xFF00FFFFFFull /* Aff3, Aff2..Aff0; IRM is RAZ/WI (No1N = 1) */

/* PIDR4..7, PIDR0..3, CIDR0..3 from 0xFFD0. PIDR2 = 0x3B: ArchRev 3 (GICv3). */
static const uint8_t gic_idregs[12] = {0x44, 0, 0, 0, 0x92, 0xB4, 0x3B, 0, 0x0D, 0xF0, 0x05, 0xB1};

static inline uint32_t bank_pending(const GICBank *b) { return b->pend | (b->level & ~b->edge); }

/* Affinity of an MPIDR packed as GICR_TYPER[63:32] and IROUTER compares it. */
static uint32_t mpidr_aff(uint64_t mpidr)
{
    return (uint32_t)(mpidr & 0xFFFFFF) | (uint32_t)((mpidr >> 32) & 0xFF) << 24;
}

GICBank *gic_bank_locked(GICv3 *g, int cpu, int intid)
{
    if (intid < 0)
        return NULL;
    if (intid < GIC_INTERNAL)
        return &g->cpu[cpu].bank;
    if (intid < g->nirqs)
        return &g->spi[intid / 32];
    return NULL;
}

/* Best candidate among the `cand` bits of bank b (INTIDs base..base+31). */
static void scan_bank(const GICBank *b, uint32_t cand, int base, const int *route, int cpu, int *best,
                      int *best_prio)
{
    while (cand) {
        int i = __builtin_ctz(cand);
        cand &= cand - 1;
        if (route && route[base + i] != cpu)
            continue;
        if (b->prio[i] < *best_prio) {  /* strict: equal priority -> lowest INTID */
            *best_prio = b->prio[i];
            *best = base + i;
        }
    }
}

int gic_hppi_locked(GICv3 *g, int cpu, uint8_t *prio)
{
    int best = GIC_SPURIOUS, best_prio = 0x100;
    bool en0 = g->ctlr & CTLR_ENGRP0, en1 = g->ctlr & CTLR_ENGRP1;
    if (!en0 && !en1)
        goto out;
    const GICBank *b = &g->cpu[cpu].bank;
    uint32_t grp = (en1 ? b->group : 0) | (en0 ? ~b->group : 0);
    scan_bank(b, bank_pending(b) & b->enable & ~b->active & grp, 0, NULL, cpu, &best, &best_prio);
    for (int n = 1; n < g->nirqs / 32; n++) {
        b = &g->spi[n];
        grp = (en1 ? b->group : 0) | (en0 ? ~b->group : 0);
        uint32_t cand = bank_pending(b) & b->enable & ~b->active & grp;
        if (cand)
            scan_bank(b, cand, n * 32, g->route, cpu, &best, &best_prio);
    }
out:
    *prio = best_prio > 0xff ? 0xff : (uint8_t)best_prio;
    return best;
}

void gic_update_cpu_locked(GICv3 *g, int cpu)
{
    GICCpu *c = &g->cpu[cpu];
    c->hppi = gic_hppi_locked(g, cpu, &c->hppi_prio);
    bool out = false;
    if (c->hppi != GIC_SPURIOUS && c->igrpen1) {
        const GICBank *b = gic_bank_locked(g, cpu, c->hppi);
        uint8_t mask = (uint8_t)(0xff << c->bpr1);
        if ((b->group >> (c->hppi & 31) & 1) && c->hppi_prio < c->pmr &&
            (c->hppi_prio & mask) < (gic_running_prio_locked(c) & mask))
            out = true;
    }
    if (out != atomic_load_explicit(&c->irq_out, memory_order_relaxed)) {
        atomic_store_explicit(&c->irq_out, out, memory_order_release);
        /* Under the lock, so the machine sees the edges in order. */
        if (g->signal)
            g->signal(g->signal_opaque, cpu, out);
    }
}

void gic_update_all_locked(GICv3 *g)
{
    for (int i = 0; i < g->ncpus; i++)
        gic_update_cpu_locked(g, i);
}

static void update_route_locked(GICv3 *g, int intid)
{
    uint64_t r = g->irouter[intid];
    uint32_t aff = (uint32_t)(r & 0xFFFFFF) | (uint32_t)((r >> 32) & 0xFF) << 24;
    g->route[intid] = -1;
    for (int i = 0; i < g->ncpus; i++)
        if (g->cpu[i].aff == aff) {
            g->route[intid] = i;
            break;
        }
}

/* ---- the register block shared by GICD and GICR_SGI_base ----
 * cpu < 0: distributor (banks 1.., bank 0 is RAZ/WI under affinity
 * routing); cpu >= 0: that core's SGI_base frame (bank 0 only). */
static GICBank *regbank(GICv3 *g, int cpu, int n)
{
    if (cpu >= 0)
        return n == 0 ? &g->cpu[cpu].bank : NULL;
    return n >= 1 && n < g->nirqs / 32 ? &g->spi[n] : NULL;
}

static bool bankregs_read(GICv3 *g, int cpu, uint32_t off, uint32_t *val)
{
    *val = 0;
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        GICBank *b = regbank(g, cpu, (off & 0x7F) / 4);
        if (!b)
            return true;
        switch (off & ~0x7Fu) {
        case GICD_IGROUPR: *val = b->group; break;
        case GICD_ISENABLER: case GICD_ICENABLER: *val = b->enable; break;
        case GICD_ISPENDR: case GICD_ICPENDR: *val = bank_pending(b); break;
        default: *val = b->active; break;
        }
        return true;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
        int intid = (int)(off - GICD_IPRIORITYR);
        GICBank *b = regbank(g, cpu, intid / 32);
        if (b)
            for (int k = 0; k < 4; k++)
                *val |= (uint32_t)b->prio[(intid + k) % 32] << (8 * k);
        return true;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        int n = (int)(off - GICD_ICFGR) / 4;
        GICBank *b = regbank(g, cpu, n / 2);
        if (b) {
            uint32_t e = b->edge >> (16 * (n & 1));
            for (int i = 0; i < 16; i++)
                *val |= (e >> i & 1) << (2 * i + 1);
        }
        return true;
    }
    return false;
}

/* mask: the bytes written (byte enables). */
static bool bankregs_write(GICv3 *g, int cpu, uint32_t off, uint32_t v, uint32_t mask)
{
    v &= mask;
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        GICBank *b = regbank(g, cpu, (off & 0x7F) / 4);
        if (!b)
            return true;
        switch (off & ~0x7Fu) {
        case GICD_IGROUPR: b->group = (b->group & ~mask) | v; break;
        case GICD_ISENABLER: b->enable |= v; break;
        case GICD_ICENABLER: b->enable &= ~v; break;
        case GICD_ISPENDR: b->pend |= v; break;
        case GICD_ICPENDR: b->pend &= ~v; break;
        case GICD_ISACTIVER: b->active |= v; break;
        default: b->active &= ~v; break;
        }
        return true;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
        int intid = (int)(off - GICD_IPRIORITYR);
        GICBank *b = regbank(g, cpu, intid / 32);
        if (b)
            for (int k = 0; k < 4; k++)
                if (mask >> (8 * k) & 0xff)
                    b->prio[(intid + k) % 32] = (uint8_t)(v >> (8 * k)) & GIC_PRIO_MASK;
        return true;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        int n = (int)(off - GICD_ICFGR) / 4;
        GICBank *b = regbank(g, cpu, n / 2);
        if (!b || (cpu >= 0 && n == 0))
            return true;  /* SGIs are always edge-triggered (ICFGR0 is RO) */
        for (int i = 0; i < 16; i++) {
            if (!(mask >> (2 * i) & 3))
                continue;
            uint32_t bit = 1u << (16 * (n & 1) + i);
            b->edge = (v >> (2 * i + 1) & 1) ? b->edge | bit : b->edge & ~bit;
        }
        return true;
    }
    return false;
}

/* ---- distributor ---- */
static uint32_t dist_read32(GICv3 *g, uint32_t off)
{
    uint32_t v;
    if (bankregs_read(g, -1, off, &v))
        return v;
    if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
        int intid = (int)(off - GICD_IROUTER) / 8;
        if (intid < GIC_INTERNAL || intid >= g->nirqs)
            return 0;
        return (uint32_t)(g->irouter[intid] >> (off & 4 ? 32 : 0));
    }
    if (off >= GICD_IDREGS)
        return gic_idregs[(off - GICD_IDREGS) / 4];
    switch (off) {
    case GICD_CTLR: return (g->ctlr & (CTLR_ENGRP0 | CTLR_ENGRP1)) | CTLR_ARE | CTLR_DS;
    case GICD_TYPER: {
        int ncpu = g->ncpus > 8 ? 8 : g->ncpus;
        return (uint32_t)(g->nirqs / 32 - 1)   /* ITLinesNumber */
               | (uint32_t)(ncpu - 1) << 5     /* CPUNumber */
               | 15u << 19                     /* IDbits: 16 bits */
               | 1u << 25;                     /* No1N: no 1-of-N SPI routing */
    }
    case GICD_IIDR: return GIC_IIDR;
    default: return 0;
    }
}

static void dist_write32(GICv3 *g, uint32_t off, uint32_t v, uint32_t mask)
{
    if (bankregs_write(g, -1, off, v, mask)) {
        gic_update_all_locked(g);
        return;
    }
    if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
        int intid = (int)(off - GICD_IROUTER) / 8;
        if (intid < GIC_INTERNAL || intid >= g->nirqs)
            return;
        int sh = off & 4 ? 32 : 0;
        uint64_t m = (uint64_t)mask << sh;
        g->irouter[intid] = ((g->irouter[intid] & ~m) | ((uint64_t)v << sh & m)) & IROUTER_MASK;
        update_route_locked(g, intid);
        gic_update_all_locked(g);
        return;
    }
    if (off == GICD_CTLR) {
        /* ARE and DS are RAO/WI: affinity routing, single Security state. */
        g->ctlr = (g->ctlr & ~mask) | (v & mask & (CTLR_ENGRP0 | CTLR_ENGRP1));
        gic_update_all_locked(g);
    }
}

/* ---- redistributors ---- */
static uint64_t redist_typer(GICv3 *g, int cpu)
{
    return (uint64_t)g->cpu[cpu].aff << 32 | (uint64_t)cpu << 8 /* Processor_Number */
           | (cpu == g->ncpus - 1 ? 1u << 4 : 0);                /* Last */
}

static uint32_t redist_read32(GICv3 *g, int cpu, uint32_t off)
{
    GICCpu *c = &g->cpu[cpu];
    uint32_t v;
    if (off >= GICR_SGI_BASE) {
        bankregs_read(g, cpu, off - GICR_SGI_BASE, &v);
        return v;
    }
    if (off >= GICR_IDREGS)
        return gic_idregs[(off - GICR_IDREGS) / 4];
    switch (off) {
    case GICR_IIDR: return GIC_IIDR;
    case GICR_TYPER: return (uint32_t)redist_typer(g, cpu);
    case GICR_TYPER + 4: return (uint32_t)(redist_typer(g, cpu) >> 32);
    case GICR_WAKER: return c->waker;
    default: return 0;  /* GICR_CTLR: no LPIs, RWP never set */
    }
}

static void redist_write32(GICv3 *g, int cpu, uint32_t off, uint32_t v, uint32_t mask)
{
    GICCpu *c = &g->cpu[cpu];
    if (off >= GICR_SGI_BASE) {
        if (bankregs_write(g, cpu, off - GICR_SGI_BASE, v, mask))
            gic_update_cpu_locked(g, cpu);
        return;
    }
    if (off == GICR_WAKER && (mask & 0xff)) {
        /* The redistributor has no real power state, so ChildrenAsleep
         * follows ProcessorSleep at once (the handshake completes
         * immediately). */
        c->waker = (v & WAKER_PROCESSOR_SLEEP) ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
    }
}

/* ---- MMIO access: 32-bit registers; 64-bit accesses are split in two
 * halves (IROUTER and GICR_TYPER are read/written as 32-bit halves too);
 * byte and halfword accesses use byte enables. ---- */
static uint32_t rd32(GICv3 *g, int cpu, uint32_t off)
{
    return cpu < 0 ? dist_read32(g, off) : redist_read32(g, cpu, off);
}

static void wr32(GICv3 *g, int cpu, uint32_t off, uint32_t v, uint32_t mask)
{
    if (cpu < 0)
        dist_write32(g, off, v, mask);
    else
        redist_write32(g, cpu, off, v, mask);
}

static uint64_t mmio_read_locked(GICv3 *g, int cpu, uint32_t off, int size)
{
    if (size == 8)
        return rd32(g, cpu, off & ~7u) | (uint64_t)rd32(g, cpu, (off & ~7u) + 4) << 32;
    uint32_t w = rd32(g, cpu, off & ~3u) >> (8 * (off & 3));
    return size == 4 ? w : w & ((1u << (8 * size)) - 1);
}

static void mmio_write_locked(GICv3 *g, int cpu, uint32_t off, uint64_t v, int size)
{
    if (size == 8) {
        wr32(g, cpu, off & ~7u, (uint32_t)v, ~0u);
        wr32(g, cpu, (off & ~7u) + 4, (uint32_t)(v >> 32), ~0u);
        return;
    }
    int sh = 8 * (off & 3);
    uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << sh;
    wr32(g, cpu, off & ~3u, (uint32_t)v << sh, mask);
}

uint64_t gicv3_dist_read(GICv3 *g, uint64_t off, int size)
{
    if (off >= GIC_DIST_SIZE)
        return 0;
    pthread_mutex_lock(&g->lock);
    uint64_t v = mmio_read_locked(g, -1, (uint32_t)off, size);
    pthread_mutex_unlock(&g->lock);
    return v;
}

void gicv3_dist_write(GICv3 *g, uint64_t off, uint64_t val, int size)
{
    if (off >= GIC_DIST_SIZE)
        return;
    pthread_mutex_lock(&g->lock);
    mmio_write_locked(g, -1, (uint32_t)off, val, size);
    pthread_mutex_unlock(&g->lock);
}

uint64_t gicv3_redist_read(GICv3 *g, uint64_t off, int size)
{
    int cpu = (int)(off / GIC_REDIST_STRIDE);
    if (cpu >= g->ncpus)
        return 0;
    pthread_mutex_lock(&g->lock);
    uint64_t v = mmio_read_locked(g, cpu, (uint32_t)(off % GIC_REDIST_STRIDE), size);
    pthread_mutex_unlock(&g->lock);
    return v;
}

void gicv3_redist_write(GICv3 *g, uint64_t off, uint64_t val, int size)
{
    int cpu = (int)(off / GIC_REDIST_STRIDE);
    if (cpu >= g->ncpus)
        return;
    pthread_mutex_lock(&g->lock);
    mmio_write_locked(g, cpu, (uint32_t)(off % GIC_REDIST_STRIDE), val, size);
    pthread_mutex_unlock(&g->lock);
}

static uint64_t dist_mmio_read(void *opaque, uint64_t off, int size) { return gicv3_dist_read(opaque, off, size); }
static void dist_mmio_write(void *opaque, uint64_t off, uint64_t v, int size) { gicv3_dist_write(opaque, off, v, size); }
static uint64_t redist_mmio_read(void *opaque, uint64_t off, int size) { return gicv3_redist_read(opaque, off, size); }
static void redist_mmio_write(void *opaque, uint64_t off, uint64_t v, int size) { gicv3_redist_write(opaque, off, v, size); }

static const MMIOOps gicd_ops = {.read = dist_mmio_read, .write = dist_mmio_write};
static const MMIOOps gicr_ops = {.read = redist_mmio_read, .write = redist_mmio_write};

/* ---- inputs ---- */
static void set_line_locked(GICBank *b, int intid, int level)
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

void gicv3_set_spi(GICv3 *g, int intid, int level)
{
    if (intid < GIC_INTERNAL || intid >= g->nirqs)
        return;
    pthread_mutex_lock(&g->lock);
    set_line_locked(&g->spi[intid / 32], intid, level);
    if (g->route[intid] >= 0)
        gic_update_cpu_locked(g, g->route[intid]);
    pthread_mutex_unlock(&g->lock);
}

void gicv3_set_ppi(GICv3 *g, int cpu, int intid, int level)
{
    if (cpu < 0 || cpu >= g->ncpus || intid < GIC_NR_SGI || intid >= GIC_INTERNAL)
        return;
    pthread_mutex_lock(&g->lock);
    set_line_locked(&g->cpu[cpu].bank, intid, level);
    gic_update_cpu_locked(g, cpu);
    pthread_mutex_unlock(&g->lock);
}

static void spi_handler(void *opaque, int n, int level) { gicv3_set_spi(opaque, n, level); }

static void ppi_handler(void *opaque, int n, int level)
{
    GICCpu *c = opaque;
    gicv3_set_ppi(c->gic, c->index, n, level);
}

IRQLine gicv3_spi_line(GICv3 *g, int spi)
{
    IRQLine l;
    irq_init(&l, spi_handler, g, spi + GIC_INTERNAL);
    return l;
}

IRQLine gicv3_ppi_line(GICv3 *g, int cpu, int ppi_intid)
{
    IRQLine l;
    irq_init(&l, ppi_handler, &g->cpu[cpu], ppi_intid);
    return l;
}

/* ---- life cycle ---- */
GICv3 *gicv3_new(int ncpus, const uint64_t *mpidr, int nirqs, GICSignalFn signal, void *opaque)
{
    if (nirqs <= 0)
        nirqs = GIC_DEFAULT_NR_IRQS;
    if (ncpus <= 0 || nirqs % 32 || nirqs > 1024 || nirqs < 64)
        return NULL;
    if (nirqs > GIC_MAX_IRQS)
        nirqs = 1024 - 32;  /* INTIDs 1020..1023 are special: keep whole banks below them */
    GICv3 *g = calloc(1, sizeof(*g));
    g->ncpus = ncpus;
    g->nirqs = nirqs;
    g->spi = calloc((size_t)nirqs / 32, sizeof(GICBank));
    g->irouter = calloc((size_t)nirqs, sizeof(uint64_t));
    g->route = calloc((size_t)nirqs, sizeof(int));
    g->cpu = calloc((size_t)ncpus, sizeof(GICCpu));
    g->signal = signal;
    g->signal_opaque = opaque;
    pthread_mutex_init(&g->lock, NULL);
    for (int i = 0; i < ncpus; i++) {
        GICCpu *c = &g->cpu[i];
        c->gic = g;
        c->index = i;
        c->mpidr = mpidr ? mpidr[i] : (uint64_t)i;
        c->aff = mpidr_aff(c->mpidr);
        c->bank.edge = 0xFFFF;  /* SGIs edge, PPIs level */
        c->waker = WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP;
        c->bpr0 = GIC_MIN_BPR1 - 1;
        c->bpr1 = GIC_MIN_BPR1;
        c->hppi = GIC_SPURIOUS;
        c->hppi_prio = 0xff;
    }
    /* IROUTER resets to 0: every SPI targets affinity 0.0.0.0. */
    for (int i = GIC_INTERNAL; i < nirqs; i++)
        update_route_locked(g, i);
    return g;
}

void gicv3_free(GICv3 *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->lock);
    free(g->spi);
    free(g->irouter);
    free(g->route);
    free(g->cpu);
    free(g);
}

void gicv3_map(GICv3 *g, PhysMap *pm, uint64_t dist_base, uint64_t redist_base)
{
    /* No dispatch lock: the GIC locks internally (the CPU interface and the
     * input lines reach the same state without going through MMIO). */
    physmap_add_mmio(pm, "gicv3-dist", dist_base, GIC_DIST_SIZE, &gicd_ops, g, NULL);
    physmap_add_mmio(pm, "gicv3-redist", redist_base, (uint64_t)g->ncpus * GIC_REDIST_STRIDE, &gicr_ops, g, NULL);
}
