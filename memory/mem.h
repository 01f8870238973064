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
 * held (mmio_access takes it), from any vCPU thread. read_fast (optional) is
 * tried first for a read, from any vCPU thread and without the lock: a
 * device answers there the registers it keeps in one atomic word (a status
 * register polled in a loop, PL011 FR) and returns false for the rest. */
typedef struct MMIOOps {
    uint64_t (*read)(void *opaque, uint64_t offset, int size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, int size);
    bool (*read_fast)(void *opaque, uint64_t offset, int size, uint64_t *value);
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

/* Extra irflags bits understood by the memory layer (above the IRF_* bits of
 * cpu/ir.h): MEM_RMW marks an access that reads and writes (atomics: a fault
 * a read would also take reports WnR = 0); MEM_CM a cache maintenance
 * instruction by VA (no PAN, ESR.CM = 1 and WnR = 1 on a fault). */
#define MEM_CM 0x4000u
#define MEM_RMW 0x8000u
/* The bytes of a split access whose whole range was already checked
 * against the watchpoints (cpu/debug.c). */
#define MEM_NOWATCH 0x2000u

/* The regime index of an ordinary access at the current EL and PSTATE.PAN.
 * Owner only. (The JIT fixes it at translation time from the TB flags: the
 * EL and TBF_PAN.) */
static inline unsigned cpu_mmu_idx(const CPUState *cpu)
{
    if (cpu_el(cpu) == 0)
        return MMU_IDX_EL0;
    return (cpu->pstate & PSTATE_PAN) ? MMU_IDX_EL1_PAN : MMU_IDX_EL1;
}

/* Translate a guest virtual address for the current translation regime
 * (through the TLB; irflags: IRF_UNPRIV, MEM_RMW, MEM_CM). On a fault,
 * raises the guest exception (cpu_raise) and returns false. */
bool mmu_translate(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa);

/* Loads/stores of size 1,2,4,8 (any alignment the architecture allows).
 * false: a guest exception was raised (cpu->pc is the vector). */
bool mem_load(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t *val);
bool mem_store(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t val);
/* Host pointer for a naturally aligned RAM access of `size` at va (for atomics;
 * irflags may carry MEM_RMW), or NULL with *pa set if the address is MMIO
 * (caller serialises), or NULL with an exception raised (cpu->exc_pending) on
 * a fault. */
void *mem_host_ptr(CPUState *cpu, uint64_t va, int size, enum MemAccess acc, uint16_t irflags, uint64_t *pa);
/* Host pointer for instruction fetch at va (whole page readable), or NULL
 * with an instruction abort raised. *pa receives the physical address. */
const uint32_t *mem_fetch_ptr(CPUState *cpu, uint64_t va, uint64_t *pa);
/* Owner vCPU only. DC ZVA: zero the DC_ZVA_BYTES block holding va (the
 * caller did the EL0 trap check). Device memory (the MMU off included)
 * takes an alignment fault instead (Arm ARM, DC ZVA). false: a fault was
 * raised. */
#define DC_ZVA_BYTES 64 /* DCZID_EL0.BS = 4 */
bool mem_dc_zva(CPUState *cpu, uint64_t va);
/* Owner vCPU (-det weak=on, smp/weakmem.c): translate one access as
 * mem_load/mem_store would (alignment, permission and translation faults
 * raised: false), without performing it. *host: the RAM byte, or NULL for
 * MMIO and page-crossing accesses (do those the ordinary way). */
bool mem_translate_host(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write, void **host);

/* Owner only. The slow path of generated code's inline LOAD/STORE
 * (cpu/jit_x86.c), for an aligned access outside LDTR/STTR that missed L1:
 * translate va as mem_load/mem_store would before accessing (L1 miss
 * counted, L2, walk, faults raised). mode = the op's irflags, plus
 * TLB_REFILL_WRITE for a store; last_page = the page of the access's last
 * byte. Returns the addend of the L1 entry that now passes the inline
 * compare (RAM: &cpu->tlb[idx].addend[slot]), NULL
 * if the access must go through mem_load/mem_store (MMIO, page-crossing;
 * nothing guest-visible done), or TLB_REFILL_FAULT with the exception
 * raised. With TLB_REFILL_LOAD (one plain load, no run of accesses behind
 * the entry) and its size in TLB_REFILL_SIZE_SHIFT's bits, an aligned read
 * of an MMIO page already in L1 is done here: the device is read and
 * &cpu->mmio_addend returned, which takes the inline load to the value
 * (the way there was half the cost of the read). */
#define TLB_REFILL_WRITE 0x10000u
#define TLB_REFILL_LOAD 0x20000u
#define TLB_REFILL_SIZE_SHIFT 20
#define TLB_REFILL_FAULT ((const uint64_t *)(uintptr_t)1)
const uint64_t *tlb_refill(CPUState *cpu, uint64_t va, uint32_t mode, uint64_t last_page);
/* Owning vCPU: drop the whole jump cache (translations were invalidated). */
void tlb_jc_flush(CPUState *cpu);
/* Owning vCPU: drop the jump-cache entry of pc, if it holds that pc (a
 * block at pc was invalidated; another mode's block there goes too). */
void tlb_jc_drop_pc(CPUState *cpu, uint64_t pc);

/* Owning vCPU: bring the write tags' TLB_TAG_ARMED in line with the
 * monitor's armed pages, if the monitor's gen moved since the last time.
 * The dispatcher calls it after its quiescent state, before running guest
 * code; an LDXR after arming a page (sync/monitor.h). */
void tlb_sync_armed(CPUState *cpu);

/* ---- TLB maintenance (memory/tlb.c, owner only) ---- */
/* Everything: all regimes, all ASIDs, the second level, the jump cache
 * (TLBI VMALLE1, SCTLR/TCR/MAIR writes, REQ_FLUSH). */
void tlb_flush(CPUState *cpu);
/* Every entry for the page of va, any ASID (TLBI VAAE1/VAALE1). */
void tlb_flush_page(CPUState *cpu, uint64_t va);
/* Entries for the page of va that are global or belong to asid (TLBI
 * VAE1/VALE1). A VA inside a mapping larger than 4K drops that mapping. */
void tlb_flush_page_asid(CPUState *cpu, uint64_t va, uint16_t asid);
/* Non-global entries of asid (TLBI ASIDE1). */
void tlb_flush_asid(CPUState *cpu, uint16_t asid);
/* TTBRn_EL1 was written: if the current ASID changed, drop the L1
 * non-global entries (the second level keeps them, tagged by ASID). */
void tlb_sync_asid(CPUState *cpu);

/* ---- stage-1 translation (memory/mmu.c, owner only) ---- */
struct PTWResult;
/* The current ASID (TCR_EL1.A1 selects the TTBR, TCR_EL1.AS the width). */
uint16_t mmu_current_asid(const CPUState *cpu);
/* Walk the current EL1&0 tables for one access (el0: EL0 permissions, pan:
 * PSTATE.PAN applies). Returns the PTWFault. */
int mmu_walk(CPUState *cpu, uint64_t va, enum MemAccess acc, bool el0, bool pan, struct PTWResult *res);
/* Raise the abort for a failed walk (EC, ISS with DFSC/IFSC, WnR, CM; FAR = va). */
void mmu_raise_fault(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, const struct PTWResult *res);
/* AT S1E1R/S1E1W/S1E0R/S1E0W: the PAR_EL1 value for va. An external abort
 * on the walk is raised as a data abort instead (cpu->exc_pending). */
uint64_t mmu_at(CPUState *cpu, uint64_t va, bool write, bool el0);

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
