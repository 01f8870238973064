/* Tier 1: the x86-64 code generator. Compiles one IR block into host code
 * that follows the interpreter (cpu/interp.c) op by op; see docs/jit.md.
 *
 * Thread rules: jit_compile runs on the translating vCPU thread, on a block
 * not yet published, or on the one thread that took a published block for
 * its lazy compile (jit_compile_for). Published native code is immutable
 * and run by any vCPU thread; it is freed with its block (after an RCU
 * grace period). */
#ifndef FLOTILLA_JIT_X86_H
#define FLOTILLA_JIT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"
#include "interp.h"
#include "ir.h"
#include "jit_code.h"

/* Buffers one thread reuses from compile to compile (the code, label and
 * fixup buffers, the stub and exit arrays, the per-temp arrays): allocated
 * per block, they cost ~4% of a Linux boot's host time in malloc, free and
 * malloc_consolidate. Owner thread (vcpu_loop makes and frees its core's,
 * cpu->jit_scratch; a compile worker has its own, smp/jitq.c); a compile
 * without one allocates per block. */
typedef struct JitScratch JitScratch;
JitScratch *jit_scratch_new(void);
void jit_scratch_free(JitScratch *s);

/* What a compile needs besides the block: the machine (its monitor, the
 * perf map and the log; may be NULL), the code memory and the compiling
 * thread's scratch (NULL: allocated for the one block). */
typedef struct JitTarget {
    struct Machine *machine;
    JitCode *code;
    JitScratch *scratch;
} JitTarget;

/* Compiles b (whose translation-mode flags are tb_flags) into code memory
 * from t->code and sets b->native (and b->jit_code, where the code goes
 * back); false (block left to the interpreter, counted in t->code) if it
 * cannot, or if t->code is NULL. The thread that translates b, before it
 * publishes it, or the one thread that took a published block for its
 * lazy compile (smp/vcpu.c, lazy_compile; a compile worker, smp/jitq.c),
 * which only reads the IR and stores b->native last, with release. The
 * caller owns t->scratch. */
bool jit_compile_for(JitTarget *t, IRBlock *b, uint32_t tb_flags);
/* The same on cpu's machine, code memory and scratch: its owner thread. */
bool jit_compile(CPUState *cpu, IRBlock *b, uint32_t tb_flags);

/* Generated code's entry (cpu/jit_chain_x86.c): frame set-up, budget =
 * cpu->chain_budget into its register, then jump to code. */
int flotilla_jit_enter(CPUState *cpu, const void *code, int32_t budget);

/* Owner thread: run the native code of b (b->native != NULL) from its body
 * (past the chained-entry checks). It may go on into chained blocks while
 * cpu->chain_budget allows; the exit value is that of the last block. */
static inline enum BlockExit jit_run(CPUState *cpu, const IRBlock *b)
{
    return (enum BlockExit)flotilla_jit_enter(cpu, (const uint8_t *)ir_native(b) + b->entry_body, cpu->chain_budget);
}

/* Point direct-branch slot `slot` of `from` at `to`'s chained entry, or back
 * at its exit stub when to == NULL. False (nothing changed) if either block
 * has no native code, the slot has no patch site, `to` is not the slot's
 * target, or the distance does not fit. Any thread, under the translation
 * cache's chain lock; other cores may be running `from` meanwhile. */
bool jit_chain_patch(IRBlock *from, int slot, const IRBlock *to);

/* Tests: compile CLZ/CLS without LZCNT (BSR) even if the host has it
 * (false), or use LZCNT when cpuid reports it (true, the default). Applies
 * to blocks compiled afterwards. */
void jit_allow_lzcnt(bool on);
/* The same for BMI1 and BMI2 (ANDN, SHLX/SHRX/SARX, RORX): tests run both
 * code paths. */
void jit_allow_bmi(bool on);
/* Tests: pack NZCV the canonical way with SETcc (false) even if the host
 * has LAHF in 64-bit mode, or in the lazy LAHF form when it does (true,
 * the default). Any thread. */
void jit_allow_lahf_pack(bool on);

#endif
