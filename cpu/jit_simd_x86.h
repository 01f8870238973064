/* Tier 1: Advanced SIMD integer, permute and crypto ops emitted as host
 * SIMD code instead of helper calls (cpu/jit_simd_x86.c, jit_simd_perm_x86.c,
 * jit_crypto_x86.c). Thread rules: the compiling thread, except where noted. */
#ifndef FLOTILLA_JIT_SIMD_X86_H
#define FLOTILLA_JIT_SIMD_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "host_cpu.h"
#include "jit_emit.h"
#include "translate.h"

/* For an IR_CALL of `helper` with immediate `imm` (the instruction word, or
 * the crypto/structure helpers' packed registers): emit equivalent host code
 * that updates cpu->v (RBX = CPUState) and FPSR.QC as the helper would and
 * return true, or emit nothing and return false (the helper is called).
 * Uses RAX and XMM0-XMM7 only. The helper's return value is 0, except for
 * the helpers of jit_simd_returns_rax, whose value the code leaves in RAX. */
bool jit_simd_inline(JitBuf *j, uint32_t helper, uint64_t imm);

/* Whether jit_simd_inline's code for `helper` leaves its result in RAX
 * (vst_interleave's chunk). Any thread. */
static inline bool jit_simd_returns_rax(uint32_t helper) { return helper == HELPER_vst_interleave; }

/* Host features the emitters may use (cpu/host_cpu.h). */
enum {
    JSF_SSSE3 = HOST_SSSE3,
    JSF_SSE41 = HOST_SSE41,
    JSF_SSE42 = HOST_SSE42,
    JSF_AES = HOST_AES,
    JSF_PCLMUL = HOST_PCLMUL,
    JSF_SHA = HOST_SHA,
    JSF_AVX2 = HOST_AVX2,
    JSF_ALL = JSF_SSSE3 | JSF_SSE41 | JSF_SSE42 | JSF_AES | JSF_PCLMUL | JSF_SHA | JSF_AVX2,
};

/* Tests: restrict the features the emitters may use to `mask` (as on a host
 * without the others; JSF_ALL = whatever the host has). Any thread. */
void jit_simd_allow(unsigned mask);

/* Tests: false forbids the SSE4.1 forms (and everything newer). Any thread. */
void jit_allow_sse41(bool on);

/* V registers for the emitters (cpu/jit_xcache_x86.c), RBX = CPUState.
 * V[reg] is kept in a host register of the block's XMM cache (XMM8-15)
 * when written by jit_vstore, and read from there by jit_vload while the
 * cache holds (no call in between); cpu->v is always written too. */
/* The host XMM register holding all of V[reg] now (XMM8-15), or -1: for an
 * emitter that reads part of it (an element, a half) from there instead of
 * cpu->v. Never to be written. */
int jit_vcached(JitBuf *j, int reg);
/* xmm x = V[reg]: all 128 bits, or the low 64 (upper zero) when !q. */
void jit_vload(JitBuf *j, int x, int reg, bool q);
/* V[reg] = xmm x; a 64-bit result (!q) clears the upper half. */
void jit_vstore(JitBuf *j, int x, int reg, bool q);
/* The upper 64 bits of V[reg] = low 64 of xmm x (lower half kept). */
void jit_vstore_hi(JitBuf *j, int x, int reg);
/* V[reg] is cached (jit_vcached >= 0) and the emitter has just changed all
 * 128 bits of that cache register in place (an accumulator: MLA by element):
 * write it through to cpu->v. */
void jit_vstore_in_place(JitBuf *j, int reg);
/* The cache register V[reg] is to be written into (XMM8-15, found or given
 * to V[reg] now), for an emitter that then fills all 128 bits and calls
 * jit_vstore_in_place; -1 without a compiling context. */
int jit_vtarget(JitBuf *j, int reg);
/* V[reg] was written by other code (a GPR store, one half): forget any
 * copy of it in the cache. */
void jit_vforget(JitBuf *j, int reg);

/* The parts of jit_simd_inline in the other files (same contract). */
bool jit_simd_perm_inline(JitBuf *j, uint32_t helper, uint64_t imm);
/* xeven, xodd = the even and the odd elements of Vm:Vn (UZP1, UZP2; SSSE3). */
void jit_simd_uzp(JitBuf *j, int xeven, int xodd, int rn, int rm, int ebits, bool q);
bool jit_crypto_inline(JitBuf *j, uint32_t helper, uint64_t imm);

#endif
