/* System registers (MRS/MSR), PSTATE fields, SYS instructions. */
#include "../smp/machine.h"
#include "translate.h"

uint64_t helper_mrs(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    machine_log_unimp(cpu, cpu->pc, (uint32_t)imm, "system register read");
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}

uint64_t helper_msr(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    machine_log_unimp(cpu, cpu->pc, (uint32_t)imm, "system register write");
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}

uint64_t helper_sys(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    machine_log_unimp(cpu, cpu->pc, (uint32_t)imm, "system instruction");
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}

uint64_t helper_msr_pstate(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c;
    machine_log_unimp(cpu, cpu->pc, (uint32_t)imm, "PSTATE field write");
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return 0;
}
