/* Tier 1: scalar FP arithmetic inline on SSE with a checked fast path
 * (cpu/jit_fp_x86.c). Thread rules: the compiling thread. */
#ifndef FLOTILLA_JIT_FP_X86_H
#define FLOTILLA_JIT_FP_X86_H

#include <stdbool.h>

#include "jit_x86_ctx.h"

/* For an IR_CALL of helper_fp_scalar that is FADD, FSUB, FMUL, FDIV, FNMUL,
 * FSQRT or (FMA3 hosts) an FMADD-family op, of helper_fp_cmp that is FCMP or
 * FCMPE, or of helper_simd_fp that is a
 * vector FADD, FSUB, FMUL, FDIV or (FMA3) FMLA, FMLS, or by element FMUL,
 * (FMA3) FMLA, FMLS: emit the whole op (SSE fast path,
 * the helper call when it does not apply, the result stored to op->dst) and
 * return true; else emit nothing and return false. Clobbers caller-saved
 * registers and XMM0-XMM3. */
bool jit_fp_inline(Ctx *c, const IROp *op);

/* Emit the slow branches jit_fp_inline recorded (c->fpstubs), after the
 * block's epilogue: each calls its helper and jumps back. */
void jit_fp_emit_stubs(Ctx *c);

/* Forget the FP mode word (a self-loop's head: reached from the block's
 * end too). */
void jit_fp_reset_mode(Ctx *c);

/* For the inline LOAD op (its stub si recorded): the XMM cache slot k its
 * emitter also loads the value into (movd/movq xmm8+k, [host]), or -1. */
int jit_fp_load_slot(Ctx *c, const IROp *op, uint32_t si);

/* Tests: stubs clobber XMM8-15 after their call (cpu/jit_xcache_x86.c), as a C helper may (any
 * thread; applies to blocks compiled after). */
void jit_fp_scramble_xmm(bool on);

#endif
