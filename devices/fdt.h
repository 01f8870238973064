/* Device tree generation (libfdt): a description of what the virt board
 * has (FdtDesc) in, a DTB laid out as QEMU's virt board lays out the same
 * devices out (node names, compatible strings, interrupt specifiers), so
 * Linux binds the same drivers. Main thread, start-up only. */
#ifndef FLOTILLA_FDT_H
#define FLOTILLA_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Machine;

enum { FDT_PHANDLE_GIC = 1, FDT_PHANDLE_APB_CLK = 2 };

/* FdtDesc.devices bits: MMIO devices at their virt addresses. */
enum {
    FDT_DEV_PL011 = 1u << 0, /* /pl011@9000000, SPI 1, also /chosen stdout-path */
    FDT_DEV_PL031 = 1u << 1, /* /pl031@9010000, SPI 2 */
    FDT_DEV_VIRTIO = 1u << 2, /* 32 x /virtio_mmio@a000000.., SPI 16.. */
};

/* PSCI 0.2+ function IDs (SMC64 where there is a 64-bit form), as QEMU lists them. */
#define PSCI_FN_CPU_SUSPEND64 0xc4000001u
#define PSCI_FN_CPU_OFF 0x84000002u
#define PSCI_FN_CPU_ON64 0xc4000003u
#define PSCI_FN_MIGRATE64 0xc4000005u

typedef struct FdtDesc {
    int ncpus;
    const uint64_t *mpidr;        /* ncpus MPIDR_EL1 values (cpu node reg = affinity fields) */
    const char *cpu_compatible;   /* NULL = "arm,cortex-a57" */
    uint64_t ram_base, ram_size;
    int gic_version;              /* 3, 2 (<= 8 cpus) or 0: no interrupt controller, hence
                                     no /intc, /timer, interrupt-parent or interrupts */
    bool psci;                    /* /psci (method "hvc") and enable-method "psci" on each cpu */
    bool pmu;                     /* /pmu, "arm,armv8-pmuv3", PPI 7 (needs gic_version) */
    uint32_t devices;             /* FDT_DEV_* */
    const char *bootargs;         /* NULL = no /chosen/bootargs */
    uint64_t initrd_start, initrd_end; /* no linux,initrd-* unless end > start */
} FdtDesc;

/* Main thread. A malloc'd DTB for d, or NULL (message on stderr). */
void *fdt_generate(const FdtDesc *d, size_t *size);

/* Main thread, after devices_init. Describe m: cores and MPIDRs from
 * m->cpus, RAM from m->pm, devices and GIC version from the MMIO regions
 * mapped at their virt addresses (so only what exists is described),
 * bootargs from -append, psci = true (the simulator's firmware).
 * d->mpidr points into mpidr_buf (m->ncpus entries, caller-owned). */
void fdt_describe_machine(struct Machine *m, FdtDesc *d, uint64_t *mpidr_buf);

/* Main thread. fdt_describe_machine + the initrd + fdt_generate. */
void *fdt_build(struct Machine *m, uint64_t initrd_start, uint64_t initrd_end, size_t *size);

#endif
