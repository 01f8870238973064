/* Linux-style boot placement as QEMU's hw/arm/boot.c does it for -M virt
 * (arm_setup_direct_kernel_boot, load_aarch64_image, arm_load_dtb): the
 * same kernel, initrd and DTB addresses for the same -m, so a test
 * kernel written for QEMU finds things where it expects them. One
 * difference: where QEMU gives up because the DTB does not fit above the
 * initrd, we put it at the RAM base below the kernel if it fits there.
 * Main thread, start-up only. */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../smp/machine.h"
#include "boot.h"
#include "devices.h"
#include "fdt.h"

#define BOOTLOADER_MAX 0x1000ull  /* QEMU's boot stub at the RAM base */
#define INITRD_MAX_OFFSET (128ull << 20)
#define PAGE 0x1000ull
#define USER_DTB_MAX (2ull << 20) /* -dtb files: the arm64 booting protocol's limit */

uint64_t boot_image_offset(uint64_t text_offset, uint64_t image_size)
{
    if (image_size == 0)
        return KERNEL64_LOAD_OFFSET;
    return text_offset < BOOTLOADER_MAX ? text_offset + (2ull << 20) : text_offset;
}

uint64_t boot_initrd_start(uint64_t ram_base, uint64_t ram_size, uint64_t image_high)
{
    uint64_t off = ram_size / 2 < INITRD_MAX_OFFSET ? ram_size / 2 : INITRD_MAX_OFFSET;
    uint64_t start = ram_base + off;
    if (image_high > start)
        start = image_high;
    return (start + PAGE - 1) & ~(PAGE - 1);
}

uint64_t boot_dtb_start(uint64_t ram_base, uint64_t ram_size, uint64_t initrd_end, uint64_t entry,
                        uint64_t dtb_size)
{
    uint64_t ram_end = ram_base + ram_size;
    uint64_t a = (initrd_end + BOOT_DTB_ALIGN - 1) & ~(BOOT_DTB_ALIGN - 1);
    if (a >= initrd_end && a < ram_end && dtb_size <= ram_end - a)
        return a;
    if (entry > ram_base && dtb_size <= entry - ram_base)
        return ram_base;
    return 0;
}

/* Any node with device_type = "memory" (QEMU looks only at /memory). */
static int memory_node(const void *fdt)
{
    int off = fdt_path_offset(fdt, "/memory");
    if (off >= 0)
        return off;
    return fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
}

/* A cells-sized property value (1 or 2 cells). */
static int put_cells(uint8_t *p, int cells, uint64_t v)
{
    if (cells == 2) {
        fdt64_t be = cpu_to_fdt64(v);
        memcpy(p, &be, 8);
        return 8;
    }
    fdt32_t be = cpu_to_fdt32((uint32_t)v);
    memcpy(p, &be, 4);
    return 4;
}

/* -dtb FILE: the user's tree with /memory's reg, /chosen bootargs and the
 * initrd set as QEMU's arm_load_dtb sets them. NULL after one line. */
static void *user_dtb(Machine *m, uint64_t initrd_start, uint64_t initrd_end, size_t *size)
{
    uint8_t *raw;
    size_t len;
    if (!load_read_file("dtb", m->opt.dtb, USER_DTB_MAX, &raw, &len))
        return NULL;
    if (len < sizeof(struct fdt_header) || fdt_check_header(raw) != 0 || fdt_totalsize(raw) > len) {
        fprintf(stderr, "flotilla: dtb '%s' is not a valid flattened device tree\n", m->opt.dtb);
        free(raw);
        return NULL;
    }
    size_t cap = len + 4096 + (m->opt.append ? strlen(m->opt.append) : 0);
    void *fdt = malloc(cap);
    int r = fdt ? fdt_open_into(raw, fdt, (int)cap) : -FDT_ERR_NOSPACE;
    free(raw);
    const char *what = "open";
    if (r == 0) {
        int root = fdt_path_offset(fdt, "/");
        int ac = fdt_address_cells(fdt, root), sc = fdt_size_cells(fdt, root);
        int mem = memory_node(fdt);
        what = "/memory";
        if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || mem < 0) {
            r = mem < 0 ? mem : -FDT_ERR_BADNCELLS;
        } else {
            uint8_t reg[16];
            int n = put_cells(reg, ac, m->pm.ram_base);
            n += put_cells(reg + n, sc, m->pm.ram_size);
            r = fdt_setprop(fdt, mem, "reg", reg, n);
        }
    }
    int chosen = -1;
    if (r == 0) {
        what = "/chosen";
        chosen = fdt_path_offset(fdt, "/chosen");
        if (chosen == -FDT_ERR_NOTFOUND)
            chosen = fdt_add_subnode(fdt, 0, "chosen");
        r = chosen < 0 ? chosen : 0;
    }
    if (r == 0 && m->opt.append)
        r = fdt_setprop_string(fdt, chosen, "bootargs", m->opt.append);
    if (r == 0 && initrd_end > initrd_start) {
        r = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", initrd_start);
        if (r == 0)
            r = fdt_setprop_u64(fdt, chosen, "linux,initrd-end", initrd_end);
    }
    if (r == 0)
        r = fdt_pack(fdt);
    if (r != 0) {
        fprintf(stderr, "flotilla: dtb '%s': cannot set %s: %s\n", m->opt.dtb, what, fdt_strerror(r));
        free(fdt);
        return NULL;
    }
    *size = fdt_totalsize(fdt);
    return fdt;
}

bool boot_linux_finish(Machine *m, uint64_t entry, uint64_t image_high)
{
    uint64_t ram_base = m->pm.ram_base, ram_size = m->pm.ram_size;
    uint64_t initrd_start = boot_initrd_start(ram_base, ram_size, image_high), initrd_end = initrd_start;
    if (m->opt.initrd) {
        uint8_t *rd;
        size_t rdlen;
        if (!load_read_file("initrd", m->opt.initrd, ram_size, &rd, &rdlen))
            return false;
        if (!phys_ram_ptr(&m->pm, initrd_start, rdlen)) {
            fprintf(stderr,
                    "flotilla: initrd '%s' (%zu bytes) does not fit in guest RAM after the kernel (at 0x%llx)\n",
                    m->opt.initrd, rdlen, (unsigned long long)initrd_start);
            free(rd);
            return false;
        }
        phys_write(m, initrd_start, rd, rdlen);
        initrd_end = initrd_start + rdlen;
        free(rd);
    }
    size_t dtb_size;
    uint64_t rd_lo = m->opt.initrd ? initrd_start : 0, rd_hi = m->opt.initrd ? initrd_end : 0;
    void *dtb = m->opt.dtb ? user_dtb(m, rd_lo, rd_hi, &dtb_size) : fdt_build(m, rd_lo, rd_hi, &dtb_size);
    if (!dtb)
        return false;
    uint64_t dtb_pa = boot_dtb_start(ram_base, ram_size, initrd_end, entry, dtb_size);
    if (!dtb_pa) {
        fprintf(stderr, "flotilla: no room in guest RAM for the device tree (%zu bytes) after the kernel%s\n",
                dtb_size, m->opt.initrd ? " and initrd" : "");
        free(dtb);
        return false;
    }
    phys_write(m, dtb_pa, dtb, dtb_size);
    free(dtb);
    /* Booting protocol: x0 = DTB, x1..x3 = 0, MMU off, interrupts masked. */
    m->cpus[0]->x[0] = dtb_pa;
    return true;
}
