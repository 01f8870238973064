/* Tier 1: the XMM value cache, XMM8-XMM15, one allocator for two kinds of
 * values (FpXCache in cpu/jit_x86_ctx.h).
 *
 * Scalar FP temps: a scalar FP op's result also stays in a cache register,
 * and a later scalar FP op that reads that temp takes it from there (movaps,
 * renamed away) instead of through its GPR: a movq each way is most of an
 * op's latency, and FP code is chains of dependent ops (cpu/jit_fp_x86.c).
 *
 * Guest V registers: an inline SIMD, vector FP or LDR Q op that writes all
 * of V[n] (or its low half with the upper half cleared) stores it to cpu->v
 * as before and also keeps it in a cache register; a later inline reader of
 * V[n] (jit_vload) takes it from there instead of reloading cpu->v, which
 * just saw a 16-byte store (a store-forwarding hop, or a stall when the
 * reader loads by halves). The cache is write-through, so cpu->v is always
 * current: exits, faults, helpers, the interpreter and the stubs need
 * nothing from it, and it can be dropped wherever it may be stale. A write
 * of V[n] by any other code forgets it: SET_VREG (8-byte halves), a GPR
 * store of an emitter, a C helper or interp_exec_op in the main stream
 * (every call empties the cache). Reads of an element or a half go to
 * cpu->v (exact, as it is current).
 *
 * Nothing else in generated code touches XMM8-15 (the emitters use XMM0-7
 * as scratch), but any C call may clobber them, so the cache holds only
 * while the main code stream emits no call (Ctx.ncalls unchanged: register
 * moves, ALU ops, inline loads and stores, inline SIMD and FP ops). Calls in
 * out-of-line stubs do not end it: every stub that goes back into the block
 * (the FP ops', the memory ops') restores the cache as it is after its op
 * (jit_xc_reload: a cached temp read later is live, so its register or
 * slot holds it; a V register from cpu->v, which the stub's C code has
 * updated if it wrote it). The only join in a block's main stream is a
 * self-loop's head, which empties the cache.
 *
 * Thread rules: the compiling thread (jit_fp_scramble_xmm: any thread). */
#include "jit_xcache_x86.h"

#include <stdatomic.h>

#include "jit_fp_x86.h"
#include "jit_simd_x86.h"

static int32_t voff(int reg) { return (int32_t)offsetof(CPUState, v) + 16 * (reg & 31); }

/* movq xmm, r64 / movd xmm, r32 */
static void gpr_to_xmm(JitBuf *j, int x, int r, bool d) { x_rr(j, X66 | (d ? XW : 0), 0x0f6e, x, r); }

void jit_xc_reset(Ctx *c)
{
    for (int k = 0; k < 8; k++) {
        c->fpx.temp[k] = IR_NO_TEMP;
        c->fpx.vreg[k] = -1;
    }
    c->fpx.calls = c->ncalls;
}

void jit_xc_check(Ctx *c)
{
    if (c->fpx.calls != c->ncalls)
        jit_xc_reset(c);
}

int jit_xc_alloc(Ctx *c)
{
    for (int n = 0; n < 8; n++) {
        int k = (c->fpx.next + n) & 7;
        IRTemp t = c->fpx.temp[k];
        if (c->fpx.vreg[k] < 0 && (t == IR_NO_TEMP || c->last_use[t] <= c->op_index + 1)) {
            c->fpx.next = (uint8_t)(k + 1);
            return k;
        }
    }
    return c->fpx.next++ & 7;
}

void jit_xc_set_temp(Ctx *c, int k, IRTemp t, bool d)
{
    c->fpx.temp[k] = t;
    c->fpx.d[k] = d;
    c->fpx.vreg[k] = -1;
}

int jit_xc_find_temp(const Ctx *c, IRTemp t, bool d)
{
    for (int k = 0; k < 8; k++)
        if (c->fpx.temp[k] == t && t != IR_NO_TEMP && c->fpx.d[k] == d)
            return k;
    return -1;
}

void jit_xc_load_temp(Ctx *c, int x, IRTemp t, bool d)
{
    JitBuf *j = &c->j;
    int r = c->treg[t];
    if (r < 0 && c->is_const[t]) {
        x_mov_ri(j, RSI, c->cval[t]);
        r = RSI;
    }
    if (r >= 0)
        gpr_to_xmm(j, x, r, d);
    else if (c->home[t] >= 0)
        x_mem(j, X66 | (d ? XW : 0), 0x0f6e, x, RBX, c->home[t]); /* movq / movd xmm, X[n] (plan_homes) */
    else
        x_mem(j, X66 | (d ? XW : 0), 0x0f6e, x, RSP, T(t)); /* movq / movd xmm, [slot] */
}

void jit_xc_snapshot(const Ctx *c, XSnap *s)
{
    bool valid = c->fpx.calls == c->ncalls;
    for (int k = 0; k < 8; k++) {
        IRTemp t = c->fpx.temp[k];
        s->temp[k] = valid && t != IR_NO_TEMP && c->last_use[t] > c->op_index + 1 ? t : IR_NO_TEMP;
        s->vreg[k] = valid ? c->fpx.vreg[k] : -1;
    }
}

/* Tests: make every stub's call clobber XMM8-15 (as any C function may;
 * the helpers of today happen not to), so that a missing reload shows. */
static _Atomic bool scramble_xmm;

void jit_fp_scramble_xmm(bool on) { atomic_store(&scramble_xmm, on); }

void jit_xc_reload(Ctx *c, const XSnap *s, int xres)
{
    JitBuf *j = &c->j;
    if (atomic_load(&scramble_xmm)) {                       /* an ordinary number in S and D */
        x_mov_ri(j, RSI, 0x3ff0000040000000ull);
        for (int k = 0; k < 8; k++) {
            gpr_to_xmm(j, 8 + k, RSI, true);
            x_rr(j, X66, 0x0f6c, 8 + k, 8 + k);             /* punpcklqdq: in both halves */
        }
    }
    for (int k = 0; k < 8; k++) {                           /* the cache, as after the fast path */
        if (k == xres)
            gpr_to_xmm(j, 8 + k, RAX, true);
        else if (s->temp[k] != IR_NO_TEMP)
            jit_xc_load_temp(c, 8 + k, s->temp[k], true);
        else if (s->vreg[k] >= 0)
            x_mem(j, 0, 0x0f10, 8 + k, RBX, voff(s->vreg[k])); /* movups xmm8+k, V */
    }
}

/* ---- V registers (jit_simd_x86.h) ---- */

/* XMM8+k holding V[reg] in the main stream of j's block, or -1. */
static int vx_find(JitBuf *j, int reg)
{
    Ctx *c = j->ctx;
    if (!c)
        return -1;
    jit_xc_check(c);
    for (int k = 0; k < 8; k++)
        if (c->fpx.vreg[k] == reg)
            return k;
    return -1;
}

int jit_vcached(JitBuf *j, int reg)
{
    int k = vx_find(j, reg & 31);
    return k >= 0 ? 8 + k : -1;
}

void jit_vload(JitBuf *j, int x, int reg, bool q)
{
    reg &= 31;
    int k = vx_find(j, reg);
    if (k >= 0) {
        if (q) {
            x_rr(j, 0, 0x0f28, x, 8 + k);                   /* movaps xmm, xmm8+k */
        } else {
            jb_byte(j, 0xf3);
            x_rr(j, 0, 0x0f7e, x, 8 + k);                   /* movq xmm, xmm8+k: upper zero */
        }
        return;
    }
    /* One 16-byte load when the block last wrote V[reg] with one 16-byte
     * store (j->vwhole); else the halves apart: a V register is often just
     * written as two 64-bit halves from general registers (LD1R, INS, MOVI,
     * LD1, a C helper), and one 16-byte load from two 8-byte stores cannot
     * be store-forwarded (a stall of a dozen cycles or more). */
    if (q && (j->vwhole >> reg & 1)) {
        x_mem(j, 0, 0x0f10, x, RBX, voff(reg));             /* movups xmm, m128 */
        return;
    }
    x_mem(j, X66 | XW, 0x0f6e, x, RBX, voff(reg));          /* movq xmm, m64 */
    if (q)
        x_mem(j, X66, 0x0f16, x, RBX, voff(reg) + 8);       /* movhpd xmm, m64 */
}

int jit_vtarget(JitBuf *j, int reg)
{
    Ctx *c = j->ctx;
    if (!c)
        return -1;
    reg &= 31;
    int k = vx_find(j, reg);
    if (k < 0) {
        k = jit_xc_alloc(c);
        c->fpx.temp[k] = IR_NO_TEMP;
        c->fpx.vreg[k] = (int8_t)reg;
    }
    return 8 + k;
}

void jit_vstore(JitBuf *j, int x, int reg, bool q)
{
    reg &= 31;
    if (q) {
        x_mem(j, 0, 0x0f11, x, RBX, voff(reg));             /* movups */
        j->vwhole |= 1u << reg;
    } else {
        j->vwhole &= ~(1u << reg);
        x_mem(j, X66, 0x0fd6, x, RBX, voff(reg));           /* movq m64, xmm */
        x_mem(j, XW, 0xc7, 0, RBX, voff(reg) + 8);          /* mov qword [hi], 0 */
        jb_u32(j, 0);
    }
    const int xc = jit_vtarget(j, reg);                     /* the same register again: its entry */
    if (xc < 0)
        return;
    if (q) {
        x_rr(j, 0, 0x0f28, xc, x);                          /* movaps xmm8+k, xmm */
    } else {
        jb_byte(j, 0xf3);
        x_rr(j, 0, 0x0f7e, xc, x);                          /* movq xmm8+k, xmm: upper zero */
    }
}

void jit_vstore_in_place(JitBuf *j, int reg)
{
    reg &= 31;
    int k = vx_find(j, reg);
    x_mem(j, 0, 0x0f11, 8 + k, RBX, voff(reg));             /* movups [v], xmm8+k */
    j->vwhole |= 1u << reg;
}

void jit_vstore_hi(JitBuf *j, int x, int reg)
{
    reg &= 31;
    j->vwhole &= ~(1u << reg);
    x_mem(j, X66, 0x0fd6, x, RBX, voff(reg) + 8);           /* movq m64, xmm */
    int k = vx_find(j, reg);
    if (k >= 0)
        x_rr(j, 0, 0x0f16, 8 + k, x);                       /* movlhps xmm8+k, xmm: the low half kept */
}

void jit_vforget(JitBuf *j, int reg)
{
    reg &= 31;
    j->vwhole &= ~(1u << reg);
    int k = vx_find(j, reg);
    if (k >= 0)
        j->ctx->fpx.vreg[k] = -1;
}
