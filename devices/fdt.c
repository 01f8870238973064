/* The device tree handed to Linux, generated with libfdt's sequential-write
 * API. It describes exactly what FdtDesc says exists, with the node names,
 * compatible strings and interrupt specifiers QEMU's virt board
 * (hw/arm/virt.c, hw/arm/boot.c) uses for the same devices: kernels and
 * device-tree habits made for virt work unchanged. Not generated (because
 * flotilla does not have them): flash, fw-cfg, PCIe, GPIO, ITS/v2m,
 * rng-seed/kaslr-seed. Main thread, start-up only. */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../smp/machine.h"
#include "fdt.h"
#include "gicv3.h"
#include "pl031.h"
#include "virtio_mmio.h"

#define VIRT_GIC_CPU_BASE 0x08010000ull /* GICv2 CPU interface */
#define VIRT_GIC_CPU_SIZE 0x10000ull
#define VIRT_UART_BASE 0x09000000ull
#define VIRT_MMIO_DEV_SIZE 0x1000ull
#define VIRT_UART_SPI 1

/* GIC binding: interrupt specifier cells */
#define GIC_FDT_IRQ_TYPE_SPI 0
#define GIC_FDT_IRQ_TYPE_PPI 1
#define GIC_FDT_IRQ_FLAGS_LEVEL_HI 4
/* Generic timer PPIs as the binding numbers them (INTID - 16), QEMU's order */
#define ARCH_TIMER_S_EL1_IRQ 13
#define ARCH_TIMER_NS_EL1_IRQ 14
#define ARCH_TIMER_VIRT_IRQ 11
#define ARCH_TIMER_NS_EL2_IRQ 10
#define VIRT_PMU_PPI 7 /* INTID 23 */

/* Sequential-write state: the first libfdt error sticks, later calls are
 * skipped, so the generator reads as a straight list of properties. */
typedef struct Gen {
    void *fdt;
    int err;
    const char *what;
} Gen;

static void ck(Gen *g, int r, const char *what)
{
    if (g->err == 0 && r < 0) {
        g->err = r;
        g->what = what;
    }
}

static void begin(Gen *g, const char *name)
{
    if (!g->err)
        ck(g, fdt_begin_node(g->fdt, name), name);
}

static void end(Gen *g)
{
    if (!g->err)
        ck(g, fdt_end_node(g->fdt), "end node");
}

static void prop(Gen *g, const char *name, const void *v, int len)
{
    if (!g->err)
        ck(g, fdt_property(g->fdt, name, v, len), name);
}

static void prop_str(Gen *g, const char *name, const char *s)
{
    prop(g, name, s, (int)strlen(s) + 1);
}

static void prop_u32(Gen *g, const char *name, uint32_t v)
{
    if (!g->err)
        ck(g, fdt_property_u32(g->fdt, name, v), name);
}

static void prop_u64(Gen *g, const char *name, uint64_t v)
{
    if (!g->err)
        ck(g, fdt_property_u64(g->fdt, name, v), name);
}

/* A property of n 32-bit cells. */
static void prop_cells(Gen *g, const char *name, const uint32_t *cells, int n)
{
    fdt32_t be[16];
    for (int i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    prop(g, name, be, n * 4);
}

/* reg with #address-cells = #size-cells = 2: n (base, size) pairs. */
static void prop_reg(Gen *g, const uint64_t *pairs, int n)
{
    fdt64_t be[8];
    for (int i = 0; i < 2 * n; i++)
        be[i] = cpu_to_fdt64(pairs[i]);
    prop(g, "reg", be, n * 16);
}

static void reg1(Gen *g, uint64_t base, uint64_t size)
{
    uint64_t p[2] = {base, size};
    prop_reg(g, p, 1);
}

static void spi(Gen *g, uint32_t n)
{
    uint32_t c[3] = {GIC_FDT_IRQ_TYPE_SPI, n, GIC_FDT_IRQ_FLAGS_LEVEL_HI};
    prop_cells(g, "interrupts", c, 3);
}

static void gen_chosen(Gen *g, const FdtDesc *d)
{
    begin(g, "chosen");
    if (d->bootargs)
        prop_str(g, "bootargs", d->bootargs);
    /* Root #address-cells is 2: 64-bit values, as QEMU's boot.c writes them. */
    if (d->initrd_end > d->initrd_start) {
        prop_u64(g, "linux,initrd-start", d->initrd_start);
        prop_u64(g, "linux,initrd-end", d->initrd_end);
    }
    if (d->devices & FDT_DEV_PL011)
        prop_str(g, "stdout-path", "/pl011@9000000");
    end(g);
    if (d->devices & FDT_DEV_PL011) {
        begin(g, "aliases");
        prop_str(g, "serial0", "/pl011@9000000");
        end(g);
    }
}

static void gen_cpus(Gen *g, const FdtDesc *d)
{
    /* MPIDR_EL1 affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0). Two
     * address cells only if some core has Aff3 (the arm,cpus binding). */
    const uint64_t aff_mask = 0xff00ffffffull;
    int acells = 1;
    for (int i = 0; i < d->ncpus; i++)
        if (d->mpidr[i] & 0xff00000000ull)
            acells = 2;
    begin(g, "cpus");
    prop_u32(g, "#address-cells", (uint32_t)acells);
    prop_u32(g, "#size-cells", 0);
    for (int i = 0; i < d->ncpus; i++) {
        uint64_t reg = d->mpidr[i] & aff_mask;
        char name[32];
        snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)reg);
        begin(g, name);
        prop_str(g, "device_type", "cpu");
        prop_str(g, "compatible", d->cpu_compatible ? d->cpu_compatible : "arm,cortex-a57");
        /* QEMU only says this with more than one core; Linux reads it per
         * core, and for the boot core it is harmless, so every core has it. */
        if (d->psci)
            prop_str(g, "enable-method", "psci");
        if (acells == 2)
            prop_u64(g, "reg", reg);
        else
            prop_u32(g, "reg", (uint32_t)reg);
        end(g);
    }
    end(g);
}

static void gen_psci(Gen *g)
{
    static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
    begin(g, "psci");
    prop(g, "compatible", compat, sizeof(compat));
    prop_str(g, "method", "hvc");
    /* Only read by "arm,psci" (0.1) drivers; QEMU lists the 0.2 IDs. */
    prop_u32(g, "cpu_suspend", PSCI_FN_CPU_SUSPEND64);
    prop_u32(g, "cpu_off", PSCI_FN_CPU_OFF);
    prop_u32(g, "cpu_on", PSCI_FN_CPU_ON64);
    prop_u32(g, "migrate", PSCI_FN_MIGRATE64);
    end(g);
}

static void gen_gic(Gen *g, const FdtDesc *d)
{
    begin(g, "intc@8000000");
    prop_u32(g, "phandle", FDT_PHANDLE_GIC);
    prop_u32(g, "#interrupt-cells", 3);
    prop(g, "interrupt-controller", NULL, 0);
    prop_u32(g, "#address-cells", 2);
    prop_u32(g, "#size-cells", 2);
    prop(g, "ranges", NULL, 0);
    if (d->gic_version == 3) {
        prop_str(g, "compatible", "arm,gic-v3");
        prop_u32(g, "#redistributor-regions", 1);
        /* The redistributor region is exactly what is mapped: one 128 KiB
         * frame pair per core (GICR_TYPER.Last marks the end). */
        uint64_t r[4] = {GIC_DIST_BASE, GIC_DIST_SIZE, GIC_REDIST_BASE, GIC_REDIST_STRIDE * (uint64_t)d->ncpus};
        prop_reg(g, r, 2);
    } else {
        /* "cortex-a15-gic" is the binding's name for a GICv2. */
        prop_str(g, "compatible", "arm,cortex-a15-gic");
        uint64_t r[4] = {GIC_DIST_BASE, GIC_DIST_SIZE, VIRT_GIC_CPU_BASE, VIRT_GIC_CPU_SIZE};
        prop_reg(g, r, 2);
    }
    end(g);
}

static void gen_timer(Gen *g, const FdtDesc *d)
{
    static const char compat[] = "arm,armv8-timer\0arm,armv7-timer";
    uint32_t flags = GIC_FDT_IRQ_FLAGS_LEVEL_HI;
    if (d->gic_version == 2) /* GICv2 PPI specifiers carry a CPU mask in bits 15:8 */
        flags |= (((1u << d->ncpus) - 1) & 0xff) << 8;
    uint32_t c[12] = {
        GIC_FDT_IRQ_TYPE_PPI, ARCH_TIMER_S_EL1_IRQ, flags,  GIC_FDT_IRQ_TYPE_PPI, ARCH_TIMER_NS_EL1_IRQ, flags,
        GIC_FDT_IRQ_TYPE_PPI, ARCH_TIMER_VIRT_IRQ,  flags,  GIC_FDT_IRQ_TYPE_PPI, ARCH_TIMER_NS_EL2_IRQ, flags,
    };
    begin(g, "timer");
    prop(g, "compatible", compat, sizeof(compat));
    prop_cells(g, "interrupts", c, 12);
    /* The counter never stops (no power states): Linux may skip the
     * broadcast timer. */
    prop(g, "always-on", NULL, 0);
    end(g);
}

/* The PMUv3 (cpu/pmu.c) as QEMU's virt describes it: PPI 7 (INTID 23),
 * level-high, on every core. */
static void gen_pmu(Gen *g, const FdtDesc *d)
{
    uint32_t flags = GIC_FDT_IRQ_FLAGS_LEVEL_HI;
    if (d->gic_version == 2)
        flags |= (((1u << d->ncpus) - 1) & 0xff) << 8;
    uint32_t c[3] = {GIC_FDT_IRQ_TYPE_PPI, VIRT_PMU_PPI, flags};
    begin(g, "pmu");
    prop_str(g, "compatible", "arm,armv8-pmuv3");
    prop_cells(g, "interrupts", c, 3);
    end(g);
}

static void gen_apb_pclk(Gen *g)
{
    /* The PrimeCell bindings require an APB clock; the PL011 driver will
     * not probe without it. */
    begin(g, "apb-pclk");
    prop_str(g, "compatible", "fixed-clock");
    prop_u32(g, "#clock-cells", 0);
    prop_u32(g, "clock-frequency", 24000000);
    prop_str(g, "clock-output-names", "clk24mhz");
    prop_u32(g, "phandle", FDT_PHANDLE_APB_CLK);
    end(g);
}

static void gen_pl011(Gen *g, const FdtDesc *d)
{
    static const char compat[] = "arm,pl011\0arm,primecell";
    static const char clk_names[] = "uartclk\0apb_pclk";
    uint32_t clocks[2] = {FDT_PHANDLE_APB_CLK, FDT_PHANDLE_APB_CLK};
    begin(g, "pl011@9000000");
    prop(g, "compatible", compat, sizeof(compat));
    reg1(g, VIRT_UART_BASE, VIRT_MMIO_DEV_SIZE);
    if (d->gic_version)
        spi(g, VIRT_UART_SPI);
    prop_cells(g, "clocks", clocks, 2);
    prop(g, "clock-names", clk_names, sizeof(clk_names));
    end(g);
}

static void gen_pl031(Gen *g, const FdtDesc *d)
{
    static const char compat[] = "arm,pl031\0arm,primecell";
    uint32_t clock = FDT_PHANDLE_APB_CLK;
    begin(g, "pl031@9010000");
    prop(g, "compatible", compat, sizeof(compat));
    reg1(g, PL031_BASE, PL031_SIZE);
    if (d->gic_version)
        spi(g, PL031_SPI);
    prop_cells(g, "clocks", &clock, 1);
    prop_str(g, "clock-names", "apb_pclk");
    end(g);
}

/* QEMU's virt lists every transport, empty or not, in ascending address
 * order. The interrupt is described level-high (QEMU says edge): the
 * transport's line is a level (InterruptStatus != 0), and a level-triggered
 * SPI cannot lose a completion that arrives while the line is already high. */
static void gen_virtio(Gen *g, const FdtDesc *d)
{
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        uint64_t base = VIRTIO_MMIO_BASE + (uint64_t)i * VIRTIO_MMIO_SLOT_SIZE;
        char name[40];
        snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
        begin(g, name);
        prop(g, "dma-coherent", NULL, 0);
        if (d->gic_version)
            spi(g, VIRTIO_MMIO_SPI + (uint32_t)i);
        reg1(g, base, VIRTIO_MMIO_SLOT_SIZE);
        prop_str(g, "compatible", "virtio,mmio");
        end(g);
    }
}

void *fdt_generate(const FdtDesc *d, size_t *size)
{
    if (d->ncpus < 1 || !d->mpidr || (d->gic_version != 0 && d->gic_version != 2 && d->gic_version != 3)) {
        fprintf(stderr, "flotilla: device tree: bad description (%d cpus, GIC version %d)\n", d->ncpus,
                d->gic_version);
        return NULL;
    }
    if (d->gic_version == 2 && d->ncpus > 8) {
        fprintf(stderr, "flotilla: device tree: a GICv2 serves at most 8 cores (%d asked)\n", d->ncpus);
        return NULL;
    }
    /* Room for the fixed nodes, ~120 bytes per core, the strings. */
    size_t cap = 8192 + 32 * 128 + (size_t)d->ncpus * 160 + (d->bootargs ? strlen(d->bootargs) : 0);
    Gen g = {calloc(1, cap), 0, NULL};
    if (!g.fdt) {
        fprintf(stderr, "flotilla: device tree: out of memory\n");
        return NULL;
    }
    ck(&g, fdt_create(g.fdt, (int)cap), "create");
    if (!g.err)
        ck(&g, fdt_finish_reservemap(g.fdt), "reservemap");

    begin(&g, "");
    prop_str(&g, "compatible", "linux,dummy-virt");
    prop_str(&g, "model", "linux,dummy-virt");
    prop_u32(&g, "#address-cells", 2);
    prop_u32(&g, "#size-cells", 2);
    if (d->gic_version)
        prop_u32(&g, "interrupt-parent", FDT_PHANDLE_GIC);

    gen_chosen(&g, d);

    char name[40];
    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)d->ram_base);
    begin(&g, name);
    prop_str(&g, "device_type", "memory");
    reg1(&g, d->ram_base, d->ram_size);
    end(&g);

    gen_cpus(&g, d);
    if (d->psci)
        gen_psci(&g);
    if (d->gic_version) {
        gen_gic(&g, d);
        gen_timer(&g, d);
        if (d->pmu)
            gen_pmu(&g, d);
    }
    if (d->devices & (FDT_DEV_PL011 | FDT_DEV_PL031))
        gen_apb_pclk(&g);
    if (d->devices & FDT_DEV_PL011)
        gen_pl011(&g, d);
    if (d->devices & FDT_DEV_PL031)
        gen_pl031(&g, d);
    if (d->devices & FDT_DEV_VIRTIO)
        gen_virtio(&g, d);
    end(&g); /* root */
    if (!g.err)
        ck(&g, fdt_finish(g.fdt), "finish");

    if (g.err) {
        fprintf(stderr, "flotilla: device tree: %s: %s\n", g.what, fdt_strerror(g.err));
        free(g.fdt);
        return NULL;
    }
    *size = fdt_totalsize(g.fdt);
    return g.fdt;
}

/* An MMIO region starts exactly at base. */
static bool mapped_at(const PhysMap *pm, uint64_t base)
{
    const MMIORegion *r = phys_find_mmio(pm, base);
    return r && r->base == base;
}

void fdt_describe_machine(Machine *m, FdtDesc *d, uint64_t *mpidr_buf)
{
    for (int i = 0; i < m->ncpus; i++)
        mpidr_buf[i] = m->cpus[i]->mpidr;
    *d = (FdtDesc){
        .ncpus = m->ncpus,
        .mpidr = mpidr_buf,
        .ram_base = m->pm.ram_base,
        .ram_size = m->pm.ram_size,
        .bootargs = m->opt.append,
        /* DESIGN.md: PSCI over HVC is the simulator's own firmware. */
        .psci = true,
    };
    if (mapped_at(&m->pm, GIC_DIST_BASE)) {
        if (mapped_at(&m->pm, GIC_REDIST_BASE))
            d->gic_version = 3;
        else if (mapped_at(&m->pm, VIRT_GIC_CPU_BASE))
            d->gic_version = 2;
    }
    d->pmu = d->gic_version != 0; /* every core has a PMUv3 (cpu/pmu.c) */
    if (mapped_at(&m->pm, VIRT_UART_BASE))
        d->devices |= FDT_DEV_PL011;
    if (mapped_at(&m->pm, PL031_BASE))
        d->devices |= FDT_DEV_PL031;
    if (mapped_at(&m->pm, VIRTIO_MMIO_BASE))
        d->devices |= FDT_DEV_VIRTIO;
}

void *fdt_build(Machine *m, uint64_t initrd_start, uint64_t initrd_end, size_t *size)
{
    uint64_t *mpidr = calloc((size_t)m->ncpus, sizeof(uint64_t));
    if (!mpidr) {
        fprintf(stderr, "flotilla: device tree: out of memory\n");
        return NULL;
    }
    FdtDesc d;
    fdt_describe_machine(m, &d, mpidr);
    d.initrd_start = initrd_start;
    d.initrd_end = initrd_end;
    void *fdt = fdt_generate(&d, size);
    free(mpidr);
    return fdt;
}
