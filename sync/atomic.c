/* The atomic-emulation layer: exclusive monitor and LSE atomics.
 * Single-core placeholder semantics; see docs/atomics.md for the design. */
#include "atomic.h"

#include "../memory/mem.h"
#include "../smp/machine.h"

void atomic_clear_monitor(CPUState *cpu)
{
    cpu->excl_addr = EXCL_NONE;
}

void monitor_notify_store(struct Machine *m, uint64_t pa, int size)
{
    (void)m, (void)pa, (void)size;
}

bool atomic_load_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t *val)
{
    if (!mem_load(cpu, va, size, flags, val))
        return false;
    cpu->excl_addr = va;
    cpu->excl_size = (uint32_t)size;
    cpu->excl_val[0] = *val;
    return true;
}

bool atomic_store_excl(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t val, uint64_t *status)
{
    if (cpu->excl_addr != va || cpu->excl_size != (uint32_t)size) {
        cpu->excl_addr = EXCL_NONE;
        *status = 1;
        return true;
    }
    cpu->excl_addr = EXCL_NONE;
    if (!mem_store(cpu, va, size, flags, val))
        return false;
    *status = 0;
    return true;
}

bool atomic_rmw(CPUState *cpu, uint64_t va, int size, uint16_t flags, enum IRRmw op, uint64_t operand, uint64_t *old)
{
    (void)cpu, (void)va, (void)size, (void)flags, (void)op, (void)operand, (void)old;
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return false;
}

bool atomic_cas(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t expected, uint64_t desired,
                uint64_t *old)
{
    (void)va, (void)size, (void)flags, (void)expected, (void)desired, (void)old;
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return false;
}

uint64_t helper_ldxp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}
uint64_t helper_stxp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}
uint64_t helper_ldp_hi(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    return cpu->tmp128[1];
}
uint64_t helper_casp(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}
uint64_t helper_clrex(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    atomic_clear_monitor(cpu);
    return 0;
}
