/* Tier 1: Advanced SIMD integer ops emitted as SSE instead of helper calls
 * (cpu/jit_simd_x86.c). Thread rules: the compiling thread. */
#ifndef FLOTILLA_JIT_SIMD_X86_H
#define FLOTILLA_JIT_SIMD_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "jit_emit.h"

/* For an IR_CALL of `helper` with immediate `imm` (the instruction word):
 * emit equivalent SSE code that updates cpu->v (RBX = CPUState) and return
 * true, or emit nothing and return false (the helper is called). Uses RAX
 * and XMM0-XMM2 only. */
bool jit_simd_inline(JitBuf *j, uint32_t helper, uint64_t imm);

/* Tests: false forbids the SSE4.1 forms (as on a host without them). Any thread. */
void jit_allow_sse41(bool on);

#endif
