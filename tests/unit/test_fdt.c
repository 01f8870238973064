/* Unit tests for the device tree generator (devices/fdt.c): the blob is
 * parsed back with libfdt and checked node by node against what QEMU's
 * virt board generates for the same devices (hw/arm/virt.c) and against
 * the Linux bindings (arm,gic-v3, arm,gic, arm,arch_timer, arm,psci,
 * arm,pl011, arm,pl031, chosen), for GICv3 and GICv2 with 1 and 4 cores. */
#include <libfdt.h>

#include "common.h"
#include "devices/fdt.h"
#include "devices/gicv3.h"
#include "devices/pl011.h"
#include "devices/pl031.h"

#define RAM_SIZE (512ull << 20)
#define INITRD_START 0x48000000ull
#define INITRD_END 0x48123456ull

static uint64_t mpidrs[8];

static FdtDesc desc(int ncpus, int gic)
{
    for (int i = 0; i < 8; i++)
        mpidrs[i] = (1ull << 31) | (uint64_t)i;
    return (FdtDesc){
        .ncpus = ncpus,
        .mpidr = mpidrs,
        .ram_base = RAM_BASE,
        .ram_size = RAM_SIZE,
        .gic_version = gic,
        .psci = true,
        .devices = FDT_DEV_PL011 | FDT_DEV_PL031,
        .bootargs = "console=ttyAMA0 earlycon",
        .initrd_start = INITRD_START,
        .initrd_end = INITRD_END,
    };
}

static void *gen(const FdtDesc *d)
{
    size_t size = 0;
    void *fdt = fdt_generate(d, &size);
    cr_assert_not_null(fdt);
    cr_assert_eq(fdt_check_header(fdt), 0);
    cr_assert_eq(size, fdt_totalsize(fdt));
    return fdt;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    cr_assert_geq(off, 0, "node %s missing (%s)", path, fdt_strerror(off));
    return off;
}

static const void *getprop(const void *fdt, int off, const char *name, int *len)
{
    const void *p = fdt_getprop(fdt, off, name, len);
    cr_assert_not_null(p, "property %s missing", name);
    return p;
}

static uint32_t u32prop(const void *fdt, int off, const char *name)
{
    int len;
    const fdt32_t *p = getprop(fdt, off, name, &len);
    cr_assert_eq(len, 4, "%s is one cell", name);
    return fdt32_to_cpu(*p);
}

static uint64_t u64prop(const void *fdt, int off, const char *name)
{
    int len;
    const void *p = getprop(fdt, off, name, &len);
    cr_assert_eq(len, 8, "%s is two cells", name);
    /* Properties are only 4-byte aligned: copy, do not load in place. */
    fdt64_t v;
    memcpy(&v, p, sizeof(v));
    return fdt64_to_cpu(v);
}

static const char *strprop(const void *fdt, int off, const char *name)
{
    int len;
    const char *s = getprop(fdt, off, name, &len);
    cr_assert_eq((int)strlen(s) + 1, len, "%s is one string", name);
    return s;
}

/* A string-list property equals the NUL-separated list `want` (sizeof it). */
static void check_strlist(const void *fdt, int off, const char *name, const char *want, int want_len)
{
    int len;
    const char *p = getprop(fdt, off, name, &len);
    cr_assert_eq(len, want_len, "%s length", name);
    cr_assert_eq(memcmp(p, want, (size_t)len), 0, "%s contents", name);
}

/* A property of n cells equal to want[]. */
static void check_cells(const void *fdt, int off, const char *name, const uint32_t *want, int n)
{
    int len;
    const fdt32_t *p = getprop(fdt, off, name, &len);
    cr_assert_eq(len, 4 * n, "%s: %d cells expected, %d bytes found", name, n, len);
    for (int i = 0; i < n; i++)
        cr_assert_eq(fdt32_to_cpu(p[i]), want[i], "%s cell %d: %#x != %#x", name, i, fdt32_to_cpu(p[i]), want[i]);
}

/* reg with 2 address and 2 size cells: n (base, size) pairs. */
static void check_reg(const void *fdt, int off, const uint64_t *want, int n)
{
    uint32_t cells[16];
    for (int i = 0; i < 2 * n; i++) {
        cells[2 * i] = (uint32_t)(want[i] >> 32);
        cells[2 * i + 1] = (uint32_t)want[i];
    }
    check_cells(fdt, off, "reg", cells, 4 * n);
}

static void check_board(int ncpus, int gic)
{
    FdtDesc d = desc(ncpus, gic);
    void *fdt = gen(&d);

    /* root */
    int root = node(fdt, "/");
    cr_assert_str_eq(strprop(fdt, root, "compatible"), "linux,dummy-virt");
    cr_assert_eq(u32prop(fdt, root, "#address-cells"), 2);
    cr_assert_eq(u32prop(fdt, root, "#size-cells"), 2);
    int intc = node(fdt, "/intc@8000000");
    uint32_t gic_ph = fdt_get_phandle(fdt, intc);
    cr_assert_neq(gic_ph, 0);
    cr_assert_eq(u32prop(fdt, root, "interrupt-parent"), gic_ph);
    cr_assert_eq(fdt_node_offset_by_phandle(fdt, gic_ph), intc);

    /* /chosen */
    int chosen = node(fdt, "/chosen");
    cr_assert_str_eq(strprop(fdt, chosen, "bootargs"), "console=ttyAMA0 earlycon");
    cr_assert_eq(u64prop(fdt, chosen, "linux,initrd-start"), INITRD_START);
    cr_assert_eq(u64prop(fdt, chosen, "linux,initrd-end"), INITRD_END);
    const char *stdout_path = strprop(fdt, chosen, "stdout-path");
    cr_assert_str_eq(stdout_path, "/pl011@9000000");
    cr_assert_eq(node(fdt, stdout_path), node(fdt, "/pl011@9000000"), "stdout-path resolves");
    cr_assert_str_eq(strprop(fdt, node(fdt, "/aliases"), "serial0"), "/pl011@9000000");

    /* /memory */
    int mem = node(fdt, "/memory@40000000");
    cr_assert_str_eq(strprop(fdt, mem, "device_type"), "memory");
    check_reg(fdt, mem, (uint64_t[]){RAM_BASE, RAM_SIZE}, 1);

    /* /cpus */
    int cpus = node(fdt, "/cpus");
    cr_assert_eq(u32prop(fdt, cpus, "#address-cells"), 1);
    cr_assert_eq(u32prop(fdt, cpus, "#size-cells"), 0);
    int count = 0, child;
    fdt_for_each_subnode(child, fdt, cpus) {
        cr_assert_str_eq(strprop(fdt, child, "device_type"), "cpu");
        cr_assert_str_eq(strprop(fdt, child, "compatible"), "arm,cortex-a57");
        cr_assert_str_eq(strprop(fdt, child, "enable-method"), "psci");
        cr_assert_eq(u32prop(fdt, child, "reg"), (uint32_t)count, "reg = MPIDR affinity (bit 31 dropped)");
        char name[16];
        snprintf(name, sizeof(name), "cpu@%x", count);
        cr_assert_str_eq(fdt_get_name(fdt, child, NULL), name);
        count++;
    }
    cr_assert_eq(count, ncpus);

    /* /psci */
    int psci = node(fdt, "/psci");
    static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
    check_strlist(fdt, psci, "compatible", psci_compat, sizeof(psci_compat));
    cr_assert_str_eq(strprop(fdt, psci, "method"), "hvc");
    cr_assert_eq(u32prop(fdt, psci, "cpu_on"), 0xc4000003);
    cr_assert_eq(u32prop(fdt, psci, "cpu_off"), 0x84000002);
    cr_assert_eq(fdt_node_check_compatible(fdt, psci, "arm,psci-0.2"), 0);

    /* /intc */
    cr_assert_eq(u32prop(fdt, intc, "#interrupt-cells"), 3);
    int len;
    cr_assert_not_null(fdt_getprop(fdt, intc, "interrupt-controller", &len));
    cr_assert_eq(len, 0);
    if (gic == 3) {
        cr_assert_str_eq(strprop(fdt, intc, "compatible"), "arm,gic-v3");
        cr_assert_eq(u32prop(fdt, intc, "#redistributor-regions"), 1);
        check_reg(fdt, intc, (uint64_t[]){0x08000000, 0x10000, 0x080A0000, 0x20000ull * (uint64_t)ncpus}, 2);
    } else {
        cr_assert_str_eq(strprop(fdt, intc, "compatible"), "arm,cortex-a15-gic");
        cr_assert_null(fdt_getprop(fdt, intc, "#redistributor-regions", NULL));
        check_reg(fdt, intc, (uint64_t[]){0x08000000, 0x10000, 0x08010000, 0x10000}, 2);
    }

    /* /timer: PPIs 13, 14, 11, 10 (secure, non-secure phys, virt, hyp), level high */
    int timer = node(fdt, "/timer");
    static const char timer_compat[] = "arm,armv8-timer\0arm,armv7-timer";
    check_strlist(fdt, timer, "compatible", timer_compat, sizeof(timer_compat));
    uint32_t fl = 4;
    if (gic == 2)
        fl |= ((1u << ncpus) - 1) << 8; /* GICv2: PPI cpu mask in bits 15:8 */
    check_cells(fdt, timer, "interrupts", (uint32_t[]){1, 13, fl, 1, 14, fl, 1, 11, fl, 1, 10, fl}, 12);
    cr_assert_not_null(fdt_getprop(fdt, timer, "always-on", NULL));
    /* INTIDs of the timers flotilla models: PPI n is INTID n + 16 */
    cr_assert_eq(14 + 16, GIC_PPI_PTIMER_NS);
    cr_assert_eq(11 + 16, GIC_PPI_VTIMER);

    /* /apb-pclk */
    int clk = node(fdt, "/apb-pclk");
    cr_assert_str_eq(strprop(fdt, clk, "compatible"), "fixed-clock");
    cr_assert_eq(u32prop(fdt, clk, "#clock-cells"), 0);
    cr_assert_eq(u32prop(fdt, clk, "clock-frequency"), 24000000);
    uint32_t clk_ph = fdt_get_phandle(fdt, clk);
    cr_assert_neq(clk_ph, 0);
    cr_assert_neq(clk_ph, gic_ph);

    /* /pl011@9000000 */
    int uart = node(fdt, "/pl011@9000000");
    static const char uart_compat[] = "arm,pl011\0arm,primecell";
    check_strlist(fdt, uart, "compatible", uart_compat, sizeof(uart_compat));
    check_reg(fdt, uart, (uint64_t[]){0x09000000, 0x1000}, 1);
    check_cells(fdt, uart, "interrupts", (uint32_t[]){0, 1, 4}, 3);
    check_cells(fdt, uart, "clocks", (uint32_t[]){clk_ph, clk_ph}, 2);
    static const char uart_clks[] = "uartclk\0apb_pclk";
    check_strlist(fdt, uart, "clock-names", uart_clks, sizeof(uart_clks));

    /* /pl031@9010000 */
    int rtc = node(fdt, "/pl031@9010000");
    static const char rtc_compat[] = "arm,pl031\0arm,primecell";
    check_strlist(fdt, rtc, "compatible", rtc_compat, sizeof(rtc_compat));
    check_reg(fdt, rtc, (uint64_t[]){0x09010000, 0x1000}, 1);
    check_cells(fdt, rtc, "interrupts", (uint32_t[]){0, 2, 4}, 3);
    check_cells(fdt, rtc, "clocks", (uint32_t[]){clk_ph}, 1);
    cr_assert_str_eq(strprop(fdt, rtc, "clock-names"), "apb_pclk");

    free(fdt);
}

Test(fdt, gicv3_1cpu) { check_board(1, 3); }
Test(fdt, gicv3_4cpu) { check_board(4, 3); }
Test(fdt, gicv2_1cpu) { check_board(1, 2); }
Test(fdt, gicv2_4cpu) { check_board(4, 2); }
Test(fdt, gicv3_8cpu) { check_board(8, 3); }

Test(fdt, gicv2_at_most_8_cpus)
{
    uint64_t m[9];
    for (int i = 0; i < 9; i++)
        m[i] = (uint64_t)i;
    FdtDesc d = desc(1, 2);
    d.ncpus = 9;
    d.mpidr = m;
    size_t size;
    cr_assert_null(fdt_generate(&d, &size));
    d.gic_version = 4;
    d.ncpus = 1;
    cr_assert_null(fdt_generate(&d, &size));
}

Test(fdt, only_what_exists)
{
    FdtDesc d = desc(2, 0);
    d.devices = 0;
    d.psci = false;
    d.bootargs = NULL;
    d.initrd_start = d.initrd_end = 0;
    void *fdt = gen(&d);
    int root = node(fdt, "/");
    cr_assert_null(fdt_getprop(fdt, root, "interrupt-parent", NULL), "no GIC: no interrupt-parent");
    cr_assert_lt(fdt_path_offset(fdt, "/intc@8000000"), 0);
    cr_assert_lt(fdt_path_offset(fdt, "/timer"), 0, "the timer needs an interrupt controller");
    cr_assert_lt(fdt_path_offset(fdt, "/psci"), 0);
    cr_assert_lt(fdt_path_offset(fdt, "/pl011@9000000"), 0);
    cr_assert_lt(fdt_path_offset(fdt, "/pl031@9010000"), 0);
    cr_assert_lt(fdt_path_offset(fdt, "/apb-pclk"), 0);
    cr_assert_lt(fdt_path_offset(fdt, "/aliases"), 0);
    int chosen = node(fdt, "/chosen");
    cr_assert_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
    cr_assert_null(fdt_getprop(fdt, chosen, "stdout-path", NULL));
    cr_assert_null(fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
    int cpu = node(fdt, "/cpus/cpu@1");
    cr_assert_null(fdt_getprop(fdt, cpu, "enable-method", NULL));
    free(fdt);

    /* a UART alone still gets its clock, but no interrupts without a GIC */
    d.devices = FDT_DEV_PL011;
    fdt = gen(&d);
    int uart = node(fdt, "/pl011@9000000");
    cr_assert_null(fdt_getprop(fdt, uart, "interrupts", NULL));
    node(fdt, "/apb-pclk");
    cr_assert_lt(fdt_path_offset(fdt, "/pl031@9010000"), 0);
    free(fdt);
}

Test(fdt, aff3_needs_two_address_cells)
{
    uint64_t m[2] = {0x80000000ull, 0x0000000100000203ull | (1ull << 31) | (1ull << 30)};
    FdtDesc d = desc(2, 3);
    d.mpidr = m;
    void *fdt = gen(&d);
    cr_assert_eq(u32prop(fdt, node(fdt, "/cpus"), "#address-cells"), 2);
    cr_assert_eq(u64prop(fdt, node(fdt, "/cpus/cpu@0"), "reg"), 0);
    /* reg keeps Aff3 (39:32) and Aff2..0, drops U (30) and bit 31 */
    cr_assert_eq(u64prop(fdt, node(fdt, "/cpus/cpu@100000203"), "reg"), 0x100000203ull);
    free(fdt);
}

Test(fdt, long_bootargs)
{
    static char args[4000];
    memset(args, 'x', sizeof(args) - 1);
    FdtDesc d = desc(4, 3);
    d.bootargs = args;
    void *fdt = gen(&d);
    cr_assert_str_eq(strprop(fdt, node(fdt, "/chosen"), "bootargs"), args);
    free(fdt);
}

/* fdt_build describes the machine from what is mapped. */
Test(fdt, build_from_machine)
{
    TestMachine *tm = test_machine_new();
    Machine *m = &tm->m;
    m->opt.append = "console=ttyAMA0";

    size_t size;
    void *fdt = fdt_build(m, 0, 0, &size);
    cr_assert_not_null(fdt);
    cr_assert_lt(fdt_path_offset(fdt, "/intc@8000000"), 0, "no GIC mapped yet");
    cr_assert_lt(fdt_path_offset(fdt, "/pl011@9000000"), 0);
    check_reg(fdt, node(fdt, "/memory@40000000"), (uint64_t[]){RAM_BASE, TEST_RAM_SIZE}, 1);
    cr_assert_str_eq(strprop(fdt, node(fdt, "/chosen"), "bootargs"), "console=ttyAMA0");
    cr_assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "linux,initrd-start", NULL));
    free(fdt);

    uint64_t mpidr = m->cpus[0]->mpidr;
    GICv3 *g = gicv3_new(1, &mpidr, 0, NULL, NULL);
    gicv3_map(g, &m->pm, GIC_DIST_BASE, GIC_REDIST_BASE);
    PL011 *u = pl011_create(m, UART_BASE, -1, (IRQLine){0});
    PL031 *r = pl031_create(&m->pm, PL031_BASE, gicv3_spi_line(g, PL031_SPI));
    fdt = fdt_build(m, INITRD_START, INITRD_END, &size);
    cr_assert_not_null(fdt);
    int intc = node(fdt, "/intc@8000000");
    cr_assert_str_eq(strprop(fdt, intc, "compatible"), "arm,gic-v3");
    check_reg(fdt, intc, (uint64_t[]){0x08000000, 0x10000, 0x080A0000, 0x20000}, 2);
    node(fdt, "/timer");
    node(fdt, "/psci");
    node(fdt, "/pl011@9000000");
    node(fdt, "/pl031@9010000");
    cr_assert_eq(u32prop(fdt, node(fdt, "/cpus/cpu@0"), "reg"), 0);
    cr_assert_eq(u64prop(fdt, node(fdt, "/chosen"), "linux,initrd-end"), INITRD_END);
    free(fdt);

    pl031_destroy(r);
    pl011_destroy(u);
    gicv3_free(g);
    test_machine_free(tm);
}

/* The PMU node as QEMU's virt writes it: PPI 7 (INTID 23), level-high (with
 * GICv2 the CPU mask too); none unless FdtDesc.pmu says the cores have one. */
Test(fdt, pmu_node)
{
    for (int gic = 2; gic <= 3; gic++) {
        FdtDesc d = desc(4, gic);
        void *fdt = gen(&d);
        cr_assert_lt(fdt_path_offset(fdt, "/pmu"), 0);
        free(fdt);
        d.pmu = true;
        fdt = gen(&d);
        int off = node(fdt, "/pmu");
        cr_assert_str_eq(strprop(fdt, off, "compatible"), "arm,armv8-pmuv3");
        uint32_t want[3] = {1, 7, gic == 2 ? 0xf04u : 4u};
        check_cells(fdt, off, "interrupts", want, 3);
        free(fdt);
    }
}
