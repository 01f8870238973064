/* The per-core software TLB and the virtual access paths.
 *
 * Fast path (what a JIT inlines): index by virtual page, compare the tag for
 * the access kind with the page of the address, add `addend`. Everything else
 * (miss, MMIO, page-crossing access, unprivileged access) takes the slow path,
 * which walks the MMU (mmu.c) and refills the entry. */
#include <string.h>

#include "../smp/machine.h"
#include "../sync/atomic.h"
#include "../sync/monitor.h"
#include "mem.h"

void tlb_flush(CPUState *cpu)
{
    for (unsigned i = 0; i < TLB_SIZE; i++) {
        cpu->tlb[i].tag_read = cpu->tlb[i].tag_write = cpu->tlb[i].tag_exec = TLB_INVALID_TAG;
    }
    /* The jump cache is keyed by virtual pc: it must go with the mappings. */
    memset(cpu->jc, 0, sizeof(cpu->jc));
    for (unsigned i = 0; i < JC_SIZE; i++)
        cpu->jc[i].pc = ~0ull;
    cpu->stats.tlb_flushes++;
}

void tlb_flush_page(CPUState *cpu, uint64_t va)
{
    TLBEntry *e = &cpu->tlb[(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
    if ((e->tag_read & TLB_PAGE_MASK) == (va & TLB_PAGE_MASK) || (e->tag_write & TLB_PAGE_MASK) == (va & TLB_PAGE_MASK) ||
        (e->tag_exec & TLB_PAGE_MASK) == (va & TLB_PAGE_MASK))
        e->tag_read = e->tag_write = e->tag_exec = TLB_INVALID_TAG;
    for (unsigned i = 0; i < JC_SIZE; i++)
        if ((cpu->jc[i].pc & TLB_PAGE_MASK) == (va & TLB_PAGE_MASK))
            cpu->jc[i].pc = ~0ull;
}

/* Fill the entry for va after a successful translation to RAM. */
static void tlb_fill(CPUState *cpu, uint64_t va, uint64_t pa, enum MemAccess acc)
{
    PhysMap *pm = &cpu->machine->pm;
    uint64_t vpage = va & TLB_PAGE_MASK, ppage = pa & TLB_PAGE_MASK;
    uint8_t *host = phys_ram_ptr(pm, ppage, 1u << TLB_PAGE_BITS);
    TLBEntry *e = &cpu->tlb[(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
    if (!host)
        return; /* MMIO or hole: always slow path */
    /* An entry maps one virtual page: drop every tag of a previous page. */
    if ((e->tag_read != TLB_INVALID_TAG && e->tag_read != vpage) ||
        (e->tag_write != TLB_INVALID_TAG && e->tag_write != vpage) ||
        (e->tag_exec != TLB_INVALID_TAG && e->tag_exec != vpage) || e->paddr != ppage)
        e->tag_read = e->tag_write = e->tag_exec = TLB_INVALID_TAG;
    e->addend = (uint64_t)(uintptr_t)host - vpage;
    e->paddr = ppage;
    /* The MMU decides permissions; only the permitted kind is entered.
     * Read permission is implied by write for the MMU-off case handled here. */
    if (acc == ACC_READ)
        e->tag_read = vpage;
    else if (acc == ACC_WRITE)
        e->tag_write = vpage, e->tag_read = vpage;
    else
        e->tag_exec = vpage;
}

static uint64_t host_load(const void *p, int size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static bool mmio_access(CPUState *cpu, uint64_t pa, int size, bool write, uint64_t *val)
{
    const MMIORegion *r = phys_find_mmio(&cpu->machine->pm, pa);
    if (!r) {
        /* Nothing there: synchronous external abort. */
        cpu_raise(cpu, EXC_DABORT, (write ? 1u << 6 : 0) | 0x10, cpu->tmp128[0]);
        return false;
    }
    if (r->lock)
        pthread_mutex_lock(r->lock);
    if (write)
        r->ops->write(r->opaque, pa - r->base, *val, size);
    else
        *val = r->ops->read(r->opaque, pa - r->base, size);
    if (r->lock)
        pthread_mutex_unlock(r->lock);
    return true;
}

/* One access that does not cross a page. */
static bool access_slow(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write, uint64_t *val)
{
    uint64_t pa;
    cpu->stats.tlb_misses++;
    if (!mmu_translate(cpu, va, write ? ACC_WRITE : ACC_READ, irflags, &pa))
        return false;
    void *host = phys_ram_ptr(&cpu->machine->pm, pa, (uint64_t)size);
    if (!host) {
        cpu->tmp128[0] = va;
        return mmio_access(cpu, pa, size, write, val);
    }
    if (!(irflags & IRF_UNPRIV))
        tlb_fill(cpu, va, pa, write ? ACC_WRITE : ACC_READ);
    if (write) {
        monitor_guest_store(cpu->machine->monitor, host, size, *val);
    } else {
        *val = host_load(host, size);
    }
    return true;
}

static bool access_split(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write, uint64_t *val)
{
    /* Page-crossing: byte by byte, little-endian. Every byte is checked first
     * for stores so a fault leaves memory untouched is not guaranteed by the
     * architecture either; we do translate both pages before writing. */
    if (write) {
        uint64_t pa;
        if (!mmu_translate(cpu, va, ACC_WRITE, irflags, &pa) ||
            !mmu_translate(cpu, va + (uint64_t)size - 1, ACC_WRITE, irflags, &pa))
            return false;
        for (int i = 0; i < size; i++) {
            uint64_t b = (*val >> (8 * i)) & 0xff;
            if (!access_slow(cpu, va + (uint64_t)i, 1, irflags, true, &b))
                return false;
        }
        return true;
    }
    uint64_t r = 0;
    for (int i = 0; i < size; i++) {
        uint64_t b;
        if (!access_slow(cpu, va + (uint64_t)i, 1, irflags, false, &b))
            return false;
        r |= b << (8 * i);
    }
    *val = r;
    return true;
}

bool mem_load(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t *val)
{
    const TLBEntry *e = &cpu->tlb[(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
    bool in_page = (va & ~TLB_PAGE_MASK) + (uint64_t)size <= (1u << TLB_PAGE_BITS);
    if (__builtin_expect(e->tag_read == (va & TLB_PAGE_MASK) && in_page && !(irflags & IRF_UNPRIV), 1)) {
        *val = host_load((const void *)(uintptr_t)(va + e->addend), size);
        return true;
    }
    cpu->tmp128[0] = va;
    return in_page ? access_slow(cpu, va, size, irflags, false, val) : access_split(cpu, va, size, irflags, false, val);
}

bool mem_store(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t val)
{
    const TLBEntry *e = &cpu->tlb[(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
    bool in_page = (va & ~TLB_PAGE_MASK) + (uint64_t)size <= (1u << TLB_PAGE_BITS);
    if (__builtin_expect(e->tag_write == (va & TLB_PAGE_MASK) && in_page && !(irflags & IRF_UNPRIV), 1)) {
        /* Store and reservation check in one step (sync/monitor.h): no
         * window for another core's LDXR/STXR to miss this store. */
        monitor_guest_store(cpu->machine->monitor, (void *)(uintptr_t)(va + e->addend), size, val);
        return true;
    }
    cpu->tmp128[0] = va;
    return in_page ? access_slow(cpu, va, size, irflags, true, &val) : access_split(cpu, va, size, irflags, true, &val);
}

void *mem_host_ptr(CPUState *cpu, uint64_t va, int size, enum MemAccess acc, uint16_t irflags, uint64_t *pa)
{
    if ((va & (uint64_t)(size - 1)) != 0) {
        /* Exclusives and atomics must be naturally aligned: alignment fault (DFSC 0x21). */
        cpu_raise(cpu, EXC_DABORT, (acc == ACC_WRITE ? 1u << 6 : 0) | 0x21, va);
        return NULL;
    }
    if (!mmu_translate(cpu, va, acc, irflags, pa))
        return NULL;
    void *host = phys_ram_ptr(&cpu->machine->pm, *pa, (uint64_t)size);
    if (!host && !phys_find_mmio(&cpu->machine->pm, *pa)) {
        cpu_raise(cpu, EXC_DABORT, (acc == ACC_WRITE ? 1u << 6 : 0) | 0x10, va);
        return NULL;
    }
    return host;
}

const uint32_t *mem_fetch_ptr(CPUState *cpu, uint64_t va, uint64_t *pa)
{
    TLBEntry *e = &cpu->tlb[(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1)];
    if (e->tag_exec == (va & TLB_PAGE_MASK)) {
        *pa = e->paddr | (va & ~TLB_PAGE_MASK);
        return (const uint32_t *)(uintptr_t)(va + e->addend);
    }
    if (!mmu_translate(cpu, va, ACC_EXEC, 0, pa))
        return NULL;
    void *host = phys_ram_ptr(&cpu->machine->pm, *pa, 4);
    if (!host) {
        /* Executing from MMIO or a hole: instruction abort, external. */
        cpu_raise(cpu, EXC_IABORT, 0x10, va);
        return NULL;
    }
    tlb_fill(cpu, va, *pa, ACC_EXEC);
    return host;
}
