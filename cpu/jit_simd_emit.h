/* Shared emit helpers of the Advanced SIMD inline code (cpu/jit_simd_x86.c,
 * cpu/jit_simd_perm_x86.c, cpu/jit_crypto_x86.c): the host's SIMD features,
 * V register loads and stores (RBX = CPUState), 128-bit constants
 * and the FPSR.QC update. Every emitter uses RAX and XMM0-XMM7 only.
 * Thread rules: the compiling thread (the feature cache: any thread). */
#ifndef FLOTILLA_JIT_SIMD_EMIT_H
#define FLOTILLA_JIT_SIMD_EMIT_H

#include <stddef.h>

#include "cpu.h"
#include "jit_emit.h"
#include "jit_simd_x86.h"

enum { X0, X1, X2, X3, X4, X5, X6, X7 };

/* The host has `f` (a JSF_* bit of jit_simd_x86.h) and tests allow it. */
bool jsimd_has(unsigned f);

static inline int32_t voff(int reg) { return (int32_t)offsetof(CPUState, v) + 16 * (reg & 31); }

/* V register access (jit_simd_x86.h: through the block's XMM cache). */
static inline void vload(JitBuf *j, int x, int reg, bool q) { jit_vload(j, x, reg, q); }
static inline void vstore(JitBuf *j, int x, int reg, bool q) { jit_vstore(j, x, reg, q); }
static inline void vstore_hi(JitBuf *j, int x, int reg) { jit_vstore_hi(j, x, reg); }

/* V[reg] = rax, the upper half cleared: a GPR store, which the XMM cache
 * forgets V[reg] for. */
static inline void vstore_rax(JitBuf *j, int reg)
{
    jit_vforget(j, reg);
    x_mem(j, XW, 0x89, RAX, RBX, voff(reg));
    x_mem(j, XW, 0xc7, 0, RBX, voff(reg) + 8);           /* mov qword [hi], 0 */
    jb_u32(j, 0);
}

/* xmm = the upper 64 bits of V[reg] (upper zero): from its cache register,
 * else from cpu->v (current: the cache is write-through). */
static inline void vload_hi(JitBuf *j, int x, int reg)
{
    int xr = jit_vcached(j, reg);
    if (xr < 0) {
        x_mem(j, X66 | XW, 0x0f6e, x, RBX, voff(reg) + 8);
        return;
    }
    x_rr(j, 0, 0x0f28, x, xr);                           /* movaps */
    x_rr(j, X66, 0x0f73, 3, x);                          /* psrldq x, 8 */
    jb_byte(j, 8);
}

/* 66 0F xx (and 66 0F 38 xx, 66 0F 3A xx) dst, src. */
static inline void sse(JitBuf *j, uint32_t opc, int dst, int src) { x_rr(j, X66, opc, dst, src); }

static inline void sse_i(JitBuf *j, uint32_t opc, int dst, int src, uint8_t imm)
{
    x_rr(j, X66, opc, dst, src);
    jb_byte(j, imm);
}

/* Shift group 66 0F 71/72/73 /ext ib on xmm x. */
static inline void sse_sh(JitBuf *j, uint32_t grp, int ext, int x, int n)
{
    x_rr(j, X66, grp, ext, x);
    jb_byte(j, (uint8_t)n);
}

static inline void pzero(JitBuf *j, int x) { sse(j, 0x0fef, x, x); }
static inline void pones(JitBuf *j, int x) { sse(j, 0x0f76, x, x); }

/* xmm = the 128-bit constant lo:hi, kept in the code after a jump over it
 * and read RIP-relative (a static table would need every variant known). */
static inline void xconst(JitBuf *j, int x, uint64_t lo, uint64_t hi)
{
    if (!lo && !hi) {
        pzero(j, x);
        return;
    }
    if (lo == ~0ull && hi == ~0ull) {
        pones(j, x);
        return;
    }
    jb_byte(j, 0xeb);                                    /* jmp +16 */
    jb_byte(j, 16);
    size_t data = j->len;
    jb_u64(j, lo);
    jb_u64(j, hi);
    jb_prefix(j, 0, x, 0, 0, false);                     /* movups xmm, [rip + disp32] */
    jb_opc(j, 0x0f10);
    jb_byte(j, (uint8_t)((x & 7) << 3 | 5));
    jb_u32(j, (uint32_t)(int32_t)((int64_t)data - (int64_t)(j->len + 4)));
}

/* The constant with element value v (ebits wide) in every lane. */
static inline void xsplat(JitBuf *j, int x, int ebits, uint64_t v)
{
    uint64_t m = ebits == 64 ? ~0ull : (1ull << ebits) - 1, r = 0;
    for (int i = 0; i < 64; i += ebits)
        r |= (v & m) << i;
    xconst(j, x, r, r);
}

/* FPSR.QC |= the ZF of the last flag-setting op was clear: callers compare
 * the saturated result with the exact one and set NE when they differ. */
static inline void set_qc_if_ne(JitBuf *j)
{
    x_rr(j, 0, 0x0f95, 0, RAX);                          /* setne al */
    x_rr(j, 0, 0x0fb6, RAX, RAX);                        /* movzx eax, al */
    x_shift_ri(j, 0, 4, RAX, 27);                        /* shl eax, 27 */
    x_mem(j, 0, 0x09, RAX, RBX, (int32_t)offsetof(CPUState, fpsr)); /* or [fpsr], eax */
}

/* NE if any byte of xmm a differs from xmm b (a is clobbered). */
static inline void cmp_ne(JitBuf *j, int a, int b)
{
    sse(j, 0x0f74, a, b);                                /* pcmpeqb */
    x_rr(j, X66, 0x0fd7, RAX, a);                        /* pmovmskb eax, a */
    x_alu_ri(j, 0, 7, RAX, 0xffff);                      /* cmp eax, 0xffff */
}

#endif
