/* Guest physical memory map: RAM (one anonymous host mapping) and MMIO. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../smp/machine.h"
#include "../sync/atomic.h"
#include "mem.h"
#include "../sync/monitor.h"

#define HUGE_2M ((size_t)2 << 20)

/* Main thread, start-up. Guest RAM on 2 MiB-aligned host memory with
 * transparent huge pages asked for (as QEMU does): a guest that walks
 * through many pages otherwise misses the host's own TLB on most accesses
 * (4 KiB host pages; THP is often "madvise" only). Lazily backed
 * (MAP_NORESERVE) either way. */
static void *map_ram(uint64_t size)
{
    size_t len = (size_t)size;
    bool align = len >= HUGE_2M && len <= SIZE_MAX - HUGE_2M;
    uint8_t *p = mmap(NULL, align ? len + HUGE_2M : len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (align) {
        uint8_t *a = (uint8_t *)(((uintptr_t)p + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
        if (a > p)
            munmap(p, (size_t)(a - p));
        if (a + len < p + len + HUGE_2M)
            munmap(a + len, (size_t)(p + len + HUGE_2M - (a + len)));
        p = a;
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE); /* advice only: no THP is fine */
#endif
    return p;
}

bool physmap_init(PhysMap *pm, uint64_t ram_base, uint64_t ram_size)
{
    memset(pm, 0, sizeof(*pm));
    void *p = map_ram(ram_size);
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
    if (pm->ram)
        munmap(pm->ram, pm->ram_size);
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
