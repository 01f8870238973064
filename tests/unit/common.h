/* Shared fixtures for the Criterion unit tests. Every tests/unit/test_*.c is
 * its own executable, so everything here is static inline. */
#ifndef FLOTILLA_TEST_COMMON_H
#define FLOTILLA_TEST_COMMON_H

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/interp.h"
#include "cpu/ir.h"
#include "cpu/jit_code.h"
#include "memory/mem.h"
#include "smp/machine.h"
#include "sync/monitor.h"

/* Guest RAM of the test machine: RAM_BASE .. RAM_BASE + TEST_RAM_SIZE. */
#define TEST_RAM_SIZE (16ull << 20)

/* A minimal machine: the physical map (RAM only, no devices, no translation
 * cache), unbounded JIT code memory (m.jit_code, also the core's
 * cpu->jit_code: free every compiled block before test_machine_free) and
 * one core whose ->machine points to it, reset like machine_init does
 * (EL1h, MMU off). Tracing is off, the log is stderr. */
typedef struct TestMachine {
    Machine m;
    CPUState *cpu;
} TestMachine;

static inline TestMachine *test_machine_new(void)
{
    TestMachine *tm = calloc(1, sizeof(*tm));
    cr_assert_not_null(tm);
    Machine *m = &tm->m;
    pthread_mutex_init(&m->log_lock, NULL);
    pthread_mutex_init(&m->exit_lock, NULL);
    m->log = stderr;
    m->opt.smp = 1;
    m->opt.ram_size = TEST_RAM_SIZE;
    m->opt.side_exits = IR_SIDE_EXITS; /* as -jit-side-exits defaults: blocks go on past forward branches */
    m->opt.loop_traces = true;         /* as -jit-loop-traces defaults (translate_block_traced only) */
    cr_assert(physmap_init(&m->pm, RAM_BASE, TEST_RAM_SIZE), "physmap_init failed");
    m->jit_code = jit_code_new(0);
    cr_assert_not_null(m->jit_code);
    CPUState *cpu = aligned_alloc(64, (sizeof(CPUState) + 63) & ~(size_t)63);
    cr_assert_not_null(cpu);
    memset(cpu, 0, sizeof(*cpu));
    cpu->index = 0;
    cpu->machine = m;
    cpu->jit_code = m->jit_code;
    cpu->mpidr = 1ull << 31;
    cpu_reset(cpu, RAM_BASE);
    m->ncpus = 1;
    m->cpus = calloc(1, sizeof(CPUState *));
    m->cpus[0] = cpu;
    tm->cpu = cpu;
    return tm;
}

static inline void test_machine_free(TestMachine *tm)
{
    if (!tm)
        return;
    if (tm->m.monitor) /* made on first use by sync/atomic.c */
        monitor_destroy(tm->m.monitor);
    free(tm->cpu);
    free(tm->m.cpus);
    jit_code_destroy(tm->m.jit_code);
    physmap_destroy(&tm->m.pm);
    pthread_mutex_destroy(&tm->m.log_lock);
    pthread_mutex_destroy(&tm->m.exit_lock);
    free(tm);
}

/* Host pointer to guest physical RAM at pa (len bytes must be inside RAM). */
static inline uint8_t *test_ram(TestMachine *tm, uint64_t pa, uint64_t len)
{
    uint8_t *p = phys_ram_ptr(&tm->m.pm, pa, len);
    cr_assert_not_null(p, "0x%llx is not guest RAM", (unsigned long long)pa);
    return p;
}

/* ---- IR building shorthands ---- */
static inline IRTemp ir_const(IRBlock *b, uint64_t v)
{
    return ir_emit(b, IR_CONST, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, v);
}
static inline IRTemp ir_op1(IRBlock *b, int opc, int size, IRTemp a)
{
    return ir_emit(b, opc, size, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
}
static inline IRTemp ir_op2(IRBlock *b, int opc, int size, IRTemp a, IRTemp c)
{
    return ir_emit(b, opc, size, 0, a, c, IR_NO_TEMP, 0, 0);
}
static inline void ir_set_reg(IRBlock *b, int r, IRTemp v)
{
    ir_emit(b, IR_SET_REG, 8, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
}
static inline void ir_exit(IRBlock *b, uint64_t pc)
{
    ir_emit(b, IR_EXIT, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, pc);
}

/* Verify b (it must be well formed) and run it on cpu. */
static inline enum BlockExit test_run_block(CPUState *cpu, const IRBlock *b)
{
    const char *err = ir_verify(b);
    cr_assert_null(err, "test block does not verify: %s", err ? err : "");
    cpu->exc_pending = false;
    return interp_run(cpu, b);
}

#endif
