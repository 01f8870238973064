/* Guest physical memory map: RAM (one anonymous host mapping) and MMIO. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../smp/machine.h"
#include "../sync/atomic.h"
#include "hugemem.h"
#include "mem.h"
#include "../sync/monitor.h"

/* Guest RAM in transparent huge pages where the host allows them (as QEMU
 * does): a guest touching many pages then costs the host fewer TLB misses
 * (bench tlb_miss_load, one load per page over 16 MiB: 2.8 -> 2.5 ns) and
 * fewer page faults. */
bool physmap_init(PhysMap *pm, uint64_t ram_base, uint64_t ram_size)
{
    memset(pm, 0, sizeof(*pm));
    uint8_t *p = ram_size == (size_t)ram_size ? hugemem_map((size_t)ram_size, PROT_READ | PROT_WRITE) : NULL;
    if (!p) {
        fprintf(stderr, "flotilla: cannot allocate %llu MiB of guest RAM\n", (unsigned long long)(ram_size >> 20));
        return false;
    }
    pm->ram = p;
    pm->ram_base = ram_base;
    pm->ram_size = ram_size;
    return true;
}

void physmap_destroy(PhysMap *pm)
{
    hugemem_unmap(pm->ram, pm->ram_size);
    pm->ram = NULL;
}

void physmap_add_mmio(PhysMap *pm, const char *name, uint64_t base, uint64_t size, const MMIOOps *ops,
                      void *opaque, pthread_mutex_t *lock)
{
    if (pm->nmmio == MAX_MMIO_REGIONS) {
        fprintf(stderr, "flotilla: too many MMIO regions\n");
        return;
    }
    pm->mmio[pm->nmmio++] = (MMIORegion){name, base, size, ops, opaque, lock};
}

const MMIORegion *phys_find_mmio(const PhysMap *pm, uint64_t pa)
{
    for (int i = 0; i < pm->nmmio; i++)
        if (pa >= pm->mmio[i].base && pa - pm->mmio[i].base < pm->mmio[i].size)
            return &pm->mmio[i];
    return NULL;
}

bool phys_read(Machine *m, uint64_t pa, void *buf, uint64_t len)
{
    void *p = phys_ram_ptr(&m->pm, pa, len);
    if (!p)
        return false;
    memcpy(buf, p, len);
    return true;
}

bool phys_write(Machine *m, uint64_t pa, const void *buf, uint64_t len)
{
    void *p = phys_ram_ptr(&m->pm, pa, len);
    if (!p)
        return false;
    /* Through the monitor: a DMA-like write breaks reservations like a store. */
    if (m->monitor)
        monitor_write(m->monitor, p, buf, (size_t)len);
    else
        memcpy(p, buf, len);
    return true;
}
