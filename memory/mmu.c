/* Stage-1 translation for one core: the adapter between the CPU state and
 * the table walker (ptw.c), the fault syndromes, and AT (PAR_EL1).
 * The TLB (tlb.c) calls mmu_walk on a miss. Owner vCPU thread only. */
#include "../smp/machine.h"
#include "mem.h"
#include "ptw.h"

#define TCR_A1 (1ull << 22)
#define TCR_AS (1ull << 36)

#define ISS_WNR (1u << 6)
#define ISS_CM (1u << 8)

uint16_t mmu_current_asid(const CPUState *cpu)
{
    uint64_t ttbr = (cpu->tcr_el1 & TCR_A1) ? cpu->ttbr1_el1 : cpu->ttbr0_el1;
    uint16_t asid = (uint16_t)(ttbr >> 48);
    return (cpu->tcr_el1 & TCR_AS) ? asid : (uint16_t)(asid & 0xff);
}

/* Descriptor reads: single-copy atomic, since other cores may be writing the
 * tables. Anything that is not RAM is an external abort on the walk. */
static uint64_t read_desc(void *opaque, uint64_t pa, bool *ok)
{
    const PhysMap *pm = opaque;
    const uint64_t *p = phys_ram_ptr(pm, pa, 8);
    if (!p || (pa & 7)) {
        *ok = false;
        return 0;
    }
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static enum PTWAccess ptw_acc(enum MemAccess acc)
{
    return acc == ACC_READ ? PTW_READ : acc == ACC_WRITE ? PTW_WRITE : PTW_EXEC;
}

int mmu_walk(CPUState *cpu, uint64_t va, enum MemAccess acc, bool el0, bool pan, PTWResult *res)
{
    PTWRegs regs = {
        .sctlr = cpu->sctlr_el1,
        .tcr = cpu->tcr_el1,
        .ttbr0 = cpu->ttbr0_el1,
        .ttbr1 = cpu->ttbr1_el1,
        .mair = cpu->mair_el1,
        .pamax = PTW_PAMAX_DEFAULT,
    };
    return ptw_walk(&regs, va, ptw_acc(acc), el0, pan, read_desc, &cpu->machine->pm, res);
}

void mmu_raise_fault(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, const PTWResult *res)
{
    uint32_t iss = (uint32_t)ptw_fault_status(res) & 0x3f;
    if (acc == ACC_EXEC) {
        cpu_raise(cpu, EXC_IABORT, iss, va);
        return;
    }
    /* WnR: 1 for writes and for cache maintenance (which also sets CM). An
     * atomic read-modify-write reaches here as a write only when its read
     * would not have faulted (tlb.c walks the read first), as the Arm ARM
     * asks of WnR for instructions that read and write. */
    if (irflags & MEM_CM)
        iss |= ISS_CM | ISS_WNR;
    else if (acc == ACC_WRITE)
        iss |= ISS_WNR;
    cpu_raise(cpu, EXC_DABORT, iss, va);
}

uint64_t mmu_at(CPUState *cpu, uint64_t va, bool write, bool el0)
{
    PTWResult res;
    /* AT S1E1R/W ignore PSTATE.PAN (only the v8.2 S1E1RP/WP apply it). */
    if (mmu_walk(cpu, va, write ? ACC_WRITE : ACC_READ, el0, false, &res) != PTW_FAULT_NONE) {
        if (res.fault == PTW_FAULT_WALK_ABORT) {
            /* A synchronous external abort on the walk is taken as a data
             * abort (CM = 1, WnR = 1 as for cache maintenance), not
             * reported in PAR_EL1 (what QEMU does too). */
            mmu_raise_fault(cpu, va, ACC_READ, MEM_CM, &res);
            return cpu->par_el1;
        }
        /* Fault form: F, FST, S = 0 (stage 1), PTW = 0, bit 11 RES1. */
        return 1ull | (uint64_t)(ptw_fault_status(&res) & 0x3f) << 1 | 1ull << 11;
    }
    /* Success form: PA[47:12], ATTR = the MAIR byte, SH, NS = 1 (the
     * Non-secure EL1&0 regime: UNKNOWN, QEMU's value), bit 11 RES1. */
    return (res.pa & 0x0000fffffffff000ull) | (uint64_t)res.attr << 56 | (uint64_t)res.sh << 7 | 1ull << 9 |
           1ull << 11;
}
