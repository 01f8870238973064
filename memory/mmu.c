/* Stage-1 translation. Now: the MMU-off regime (flat, VA = PA) only; the
 * VMSAv8-64 table walk comes with the system-level work and plugs in here. */
#include "../smp/machine.h"
#include "mem.h"

#define PA_BITS 48

bool mmu_translate(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa)
{
    (void)irflags;
    if (cpu->sctlr_el1 & 1) {
        /* Translation enabled but the table walk is not implemented yet:
         * report a level-0 translation fault rather than guess. */
        machine_log_unimp(cpu, cpu->pc, 0, "stage-1 table walk (SCTLR_EL1.M=1)");
        cpu_raise(cpu, acc == ACC_EXEC ? EXC_IABORT : EXC_DABORT, (acc == ACC_WRITE ? 1u << 6 : 0) | 0x04, va);
        return false;
    }
    if (va >> PA_BITS) {
        /* Address size fault, level 0 (DFSC/IFSC 0b000000). */
        cpu_raise(cpu, acc == ACC_EXEC ? EXC_IABORT : EXC_DABORT, (acc == ACC_WRITE ? 1u << 6 : 0) | 0x00, va);
        return false;
    }
    *pa = va;
    return true;
}
