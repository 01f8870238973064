/* Guest memory: the physical map (RAM as one host mapping, MMIO regions
 * behind one ops table each), the per-core software TLB and the access paths
 * used by the interpreter and helpers.
 *
 * Thread rules: the physical map is built before vCPUs start and is then
 * read-only (any thread). TLB functions are owner-thread only. */
#ifndef FLOTILLA_MEM_H
#define FLOTILLA_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../cpu/cpu.h"

struct Machine;

/* One MMIO device region. read/write are called with the device's own lock
 * held (mmio_dispatch takes it), from any vCPU thread. */
typedef struct MMIOOps {
    uint64_t (*read)(void *opaque, uint64_t offset, int size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, int size);
} MMIOOps;

typedef struct MMIORegion {
    const char *name;
    uint64_t base, size;
    const MMIOOps *ops;
    void *opaque;
    pthread_mutex_t *lock;  /* the device's lock, or NULL for lock-free devices */
} MMIORegion;

#define MAX_MMIO_REGIONS 64

typedef struct PhysMap {
    uint8_t *ram;           /* host mapping of guest RAM */
    uint64_t ram_base, ram_size;
    MMIORegion mmio[MAX_MMIO_REGIONS];
    int nmmio;
} PhysMap;

/* Start-up only. Returns false (with a message on stderr) on failure. */
bool physmap_init(PhysMap *pm, uint64_t ram_base, uint64_t ram_size);
void physmap_destroy(PhysMap *pm);
/* Start-up only. */
void physmap_add_mmio(PhysMap *pm, const char *name, uint64_t base, uint64_t size, const MMIOOps *ops,
                      void *opaque, pthread_mutex_t *lock);

/* Any thread. Host pointer for guest physical [pa, pa+len) in RAM, or NULL. */
static inline void *phys_ram_ptr(const PhysMap *pm, uint64_t pa, uint64_t len)
{
    if (pa >= pm->ram_base && pa - pm->ram_base < pm->ram_size && len <= pm->ram_size - (pa - pm->ram_base))
        return pm->ram + (pa - pm->ram_base);
    return NULL;
}
/* Any thread. The MMIO region holding pa, or NULL. */
const MMIORegion *phys_find_mmio(const PhysMap *pm, uint64_t pa);
/* Any thread: physical accesses (device DMA, loaders, semihosting). false if
 * nothing is mapped there. */
bool phys_read(struct Machine *m, uint64_t pa, void *buf, uint64_t len);
bool phys_write(struct Machine *m, uint64_t pa, const void *buf, uint64_t len);

/* ---- virtual accesses through the software TLB (owner only) ---- */
enum MemAccess { ACC_READ, ACC_WRITE, ACC_EXEC };

/* Translate a guest virtual address for the current translation regime.
 * On a fault, raises the guest exception (cpu_raise) and returns false. */
bool mmu_translate(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa);

/* Loads/stores of size 1,2,4,8 (any alignment the architecture allows).
 * false: a guest exception was raised (cpu->pc is the vector). */
bool mem_load(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t *val);
bool mem_store(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t val);
/* Host pointer for a naturally aligned RAM access of `size` at va (for atomics),
 * or NULL with *pa set if the address is MMIO (caller serialises), or NULL
 * with an exception raised (cpu->exc_pending) on a fault. */
void *mem_host_ptr(CPUState *cpu, uint64_t va, int size, enum MemAccess acc, uint16_t irflags, uint64_t *pa);
/* Host pointer for instruction fetch at va (whole page readable), or NULL
 * with an instruction abort raised. *pa receives the physical address. */
const uint32_t *mem_fetch_ptr(CPUState *cpu, uint64_t va, uint64_t *pa);

/* TLB maintenance (owner only). */
void tlb_flush(CPUState *cpu);
void tlb_flush_page(CPUState *cpu, uint64_t va);

static inline int64_t sextract_sz(uint64_t v, int size)
{
    switch (size) {
    case 1: return (int8_t)v;
    case 2: return (int16_t)v;
    case 4: return (int32_t)v;
    default: return (int64_t)v;
    }
}

#endif
