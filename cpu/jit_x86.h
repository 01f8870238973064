/* Tier 1: the x86-64 code generator. Compiles one IR block into host code
 * that follows the interpreter (cpu/interp.c) op by op; see docs/jit.md.
 *
 * Thread rules: jit_compile runs on the translating vCPU thread, on a block
 * not yet published. Published native code is immutable and run by any vCPU
 * thread; it is freed with its block (after an RCU grace period). */
#ifndef FLOTILLA_JIT_X86_H
#define FLOTILLA_JIT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"
#include "interp.h"
#include "ir.h"

/* Generated code: int fn(CPUState *cpu), returns an enum BlockExit. */
typedef int (*JitFn)(CPUState *cpu);

/* Owner thread, on an unpublished block. Compiles b (whose translation-mode
 * flags are tb_flags) and sets b->native; false (block left to the
 * interpreter, counted) if it cannot. */
bool jit_compile(CPUState *cpu, IRBlock *b, uint32_t tb_flags);

/* Owner thread: run the native code of b (b->native != NULL). */
static inline enum BlockExit jit_run(CPUState *cpu, const IRBlock *b)
{
    JitFn fn;
    memcpy(&fn, &b->native, sizeof(fn));
    return (enum BlockExit)fn(cpu);
}

/* Any thread (the RCU free callback): give back code from jit_compile. */
void jit_code_free(void *code, uint32_t size);

typedef struct JitStats {
    uint64_t blocks_compiled;
    uint64_t blocks_failed;  /* left to the interpreter */
    uint64_t ops_native;     /* ops with inline code */
    uint64_t ops_called;     /* ops run through interp_exec_op (always) */
    uint64_t code_bytes;     /* bytes of live native code */
    /* of ops_called, by IR opcode (compiled fallback sites; the times they
     * ran are in CPUStats.jit.fallback) */
    uint64_t ops_called_by_opc[IR_NUM_OPS];
} JitStats;

/* Any thread: process-wide counters (approximate while vCPUs run). */
void jit_get_stats(JitStats *s);

/* Tests: compile CLZ/CLS without LZCNT (BSR) even if the host has it
 * (false), or use LZCNT when cpuid reports it (true, the default). Applies
 * to blocks compiled afterwards. */
void jit_allow_lzcnt(bool on);

#endif
