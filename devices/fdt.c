/* The device tree handed to Linux, generated with libfdt. It describes
 * exactly what the machine has: devices add their nodes only once they
 * exist (see fdt.h). Main thread, start-up only. */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../smp/machine.h"
#include "fdt.h"

#define FDT_MAX_SIZE (64 * 1024)

static bool ck(int err, const char *what)
{
    if (err < 0) {
        fprintf(stderr, "flotilla: device tree: %s: %s\n", what, fdt_strerror(err));
        return false;
    }
    return true;
}

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
    fdt64_t v[2] = {cpu_to_fdt64(a), cpu_to_fdt64(b)};
    return fdt_property(fdt, name, v, sizeof(v));
}

void *fdt_build(Machine *m, uint64_t initrd_start, uint64_t initrd_end, size_t *size)
{
    void *fdt = calloc(1, FDT_MAX_SIZE);
    bool ok = ck(fdt_create(fdt, FDT_MAX_SIZE), "create") && ck(fdt_finish_reservemap(fdt), "reservemap") &&
              ck(fdt_begin_node(fdt, ""), "root") &&
              ck(fdt_property_string(fdt, "compatible", "linux,dummy-virt"), "compatible") &&
              ck(fdt_property_string(fdt, "model", "flotilla virt"), "model") &&
              ck(fdt_property_u32(fdt, "#address-cells", 2), "cells") &&
              ck(fdt_property_u32(fdt, "#size-cells", 2), "cells");

    /* /chosen */
    ok = ok && ck(fdt_begin_node(fdt, "chosen"), "chosen");
    if (ok && m->opt.append)
        ok = ck(fdt_property_string(fdt, "bootargs", m->opt.append), "bootargs");
    if (ok && initrd_end > initrd_start)
        ok = ck(fdt_property_u64(fdt, "linux,initrd-start", initrd_start), "initrd") &&
             ck(fdt_property_u64(fdt, "linux,initrd-end", initrd_end), "initrd");
    if (ok)
        ok = ck(fdt_property_string(fdt, "stdout-path", "/pl011@9000000"), "stdout-path") &&
             ck(fdt_end_node(fdt), "chosen");

    /* /memory */
    char name[64];
    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)m->pm.ram_base);
    ok = ok && ck(fdt_begin_node(fdt, name), "memory") &&
         ck(fdt_property_string(fdt, "device_type", "memory"), "memory") &&
         ck(prop_u64_pair(fdt, "reg", m->pm.ram_base, m->pm.ram_size), "memory") && ck(fdt_end_node(fdt), "memory");

    /* /cpus */
    ok = ok && ck(fdt_begin_node(fdt, "cpus"), "cpus") && ck(fdt_property_u32(fdt, "#address-cells", 1), "cpus") &&
         ck(fdt_property_u32(fdt, "#size-cells", 0), "cpus");
    for (int i = 0; ok && i < m->ncpus; i++) {
        snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)(m->cpus[i]->mpidr & 0xffffff));
        ok = ck(fdt_begin_node(fdt, name), "cpu") && ck(fdt_property_string(fdt, "device_type", "cpu"), "cpu") &&
             ck(fdt_property_string(fdt, "compatible", "arm,cortex-a57"), "cpu") &&
             ck(fdt_property_u32(fdt, "reg", (uint32_t)(m->cpus[i]->mpidr & 0xffffff)), "cpu");
        if (ok && m->ncpus > 1)
            ok = ck(fdt_property_string(fdt, "enable-method", "psci"), "cpu");
        ok = ok && ck(fdt_end_node(fdt), "cpu");
    }
    ok = ok && ck(fdt_end_node(fdt), "cpus");

    /* APB clock the PL011 binding asks for */
    ok = ok && ck(fdt_begin_node(fdt, "apb-pclk"), "clk") &&
         ck(fdt_property_string(fdt, "compatible", "fixed-clock"), "clk") &&
         ck(fdt_property_u32(fdt, "#clock-cells", 0), "clk") &&
         ck(fdt_property_u32(fdt, "clock-frequency", 24000000), "clk") &&
         ck(fdt_property_string(fdt, "clock-output-names", "clk24mhz"), "clk") &&
         ck(fdt_property_u32(fdt, "phandle", FDT_PHANDLE_APB_CLK), "clk") && ck(fdt_end_node(fdt), "clk");

    /* /pl011@9000000 */
    if (ok) {
        static const char compat[] = "arm,pl011\0arm,primecell";
        static const char clk_names[] = "uartclk\0apb_pclk";
        uint32_t clocks[2] = {cpu_to_fdt32(FDT_PHANDLE_APB_CLK), cpu_to_fdt32(FDT_PHANDLE_APB_CLK)};
        ok = ck(fdt_begin_node(fdt, "pl011@9000000"), "pl011") &&
             ck(fdt_property(fdt, "compatible", compat, sizeof(compat)), "pl011") &&
             ck(prop_u64_pair(fdt, "reg", UART_BASE, 0x1000), "pl011") &&
             ck(fdt_property(fdt, "clocks", clocks, sizeof(clocks)), "pl011") &&
             ck(fdt_property(fdt, "clock-names", clk_names, sizeof(clk_names)), "pl011") &&
             ck(fdt_end_node(fdt), "pl011");
    }

    ok = ok && ck(fdt_end_node(fdt), "root") && ck(fdt_finish(fdt), "finish");
    if (!ok) {
        free(fdt);
        return NULL;
    }
    *size = fdt_totalsize(fdt);
    return fdt;
}
