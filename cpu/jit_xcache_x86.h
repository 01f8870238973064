/* Tier 1: the XMM value cache (FpXCache in cpu/jit_x86_ctx.h), XMM8-XMM15
 * shared by scalar FP temps (cpu/jit_fp_x86.c) and guest V registers (the
 * SIMD, vector FP and LDR Q emitters, through jit_vload/jit_vstore of
 * cpu/jit_simd_x86.h). Thread rules: the compiling thread, except where
 * noted. */
#ifndef FLOTILLA_JIT_XCACHE_X86_H
#define FLOTILLA_JIT_XCACHE_X86_H

#include <stdbool.h>

#include "jit_x86_ctx.h"

/* Empty the cache (block start, a self-loop's head). */
void jit_xc_reset(Ctx *c);
/* Empty it if the main code stream emitted a call since it was filled. */
void jit_xc_check(Ctx *c);
/* A cache register for a new value: a free one or one whose temp is no
 * longer read, else round robin (a V register's next read is not known).
 * The caller fills it (jit_xc_set_temp, or V through jit_vstore). */
int jit_xc_alloc(Ctx *c);
/* XMM8+k now holds temp t (d: a double), and no V register. */
void jit_xc_set_temp(Ctx *c, int k, IRTemp t, bool d);
/* XMM8+k holding temp t of width d, or -1. */
int jit_xc_find_temp(const Ctx *c, IRTemp t, bool d);
/* xmm x = temp t (the low 64 or 32 bits) from its register or slot; rsi is
 * scratch for a constant (the stubs' reload: RAX holds a result). */
void jit_xc_load_temp(Ctx *c, int x, IRTemp t, bool d);
/* In a stub that goes back into the block after a C call: restore the cache
 * as s says (temps from their registers or slots, V registers from cpu->v,
 * which write-through keeps current), and RAX into XMM8+xres if xres >= 0.
 * Uses RSI. */
void jit_xc_reload(Ctx *c, const XSnap *s, int xres);

#endif
