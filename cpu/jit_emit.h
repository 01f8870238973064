/* A minimal x86-64 instruction encoder for cpu/jit_x86.c: a growable byte
 * buffer, ModRM/SIB/REX encoding of reg,reg and reg,[base+disp32] forms, and
 * rel32 labels resolved at the end. Only what the backend uses.
 * Thread rules: a JitBuf is private to the compiling thread. */
#ifndef FLOTILLA_JIT_EMIT_H
#define FLOTILLA_JIT_EMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};

/* x_* flags */
#define XW 1u   /* REX.W: 64-bit operand */
#define X66 2u  /* 0x66 prefix: 16-bit operand */
#define XB8 4u  /* byte registers: SPL..DIL need a REX prefix */

/* The longest instruction the cursor emitters write at once (x86-64: 15). */
#define JB_INSN_MAX 16

typedef struct JitFixup {
    uint32_t pos;   /* offset of the rel32 */
    uint32_t label;
} JitFixup;

struct Ctx;

typedef struct JitBuf {
    uint8_t *p;
    size_t len, cap;
    int32_t *labels;  /* label -> offset, -1 while unbound */
    uint32_t nlabels, caplabels;
    JitFixup *fix;
    uint32_t nfix, capfix;
    bool oom;
    /* Compile-time state of the SIMD emitters (jit_simd_emit.h vload): bit r
     * set while V[r]'s last write in the block so far was one 16-byte store
     * (an inline LDR Q or SIMD result), which a 16-byte load can forward
     * from; else V[r] is read by halves. Only speed depends on it. */
    uint32_t vwhole;
    /* The block compiler writing into this buffer, whose XMM cache holds V
     * registers (cpu/jit_xcache_x86.c); NULL (a test's probe): no cache. */
    struct Ctx *ctx;
    /* Where jb_reserve lets an instruction be written once the buffer
     * could not grow (the compile fails on oom; the bytes are dropped). */
    uint8_t scratch[JB_INSN_MAX];
} JitBuf;

static inline void *jb_grow(void *p, uint32_t *cap, size_t elem, uint32_t need, bool *oom)
{
    if (need <= *cap)
        return p;
    /* From 4 KiB: a block's code, labels and fixups then rarely move. */
    uint32_t n = *cap ? *cap * 2 : (elem < 64 ? (uint32_t)(4096 / elem) : 64);
    while (n < need)
        n *= 2;
    void *q = realloc(p, (size_t)n * elem);
    if (!q) {
        *oom = true;
        return p;
    }
    *cap = n;
    return q;
}

static inline void jb_free(JitBuf *j)
{
    free(j->p);
    free(j->labels);
    free(j->fix);
    memset(j, 0, sizeof(*j));
}

/* Double the byte buffer (from 4 KiB); false (and oom) if it cannot. */
static inline bool jb_grow_bytes(JitBuf *j)
{
    size_t n = j->cap ? j->cap * 2 : 4096;
    uint8_t *q = realloc(j->p, n);
    if (!q) {
        j->oom = true;
        return false;
    }
    j->p = q;
    j->cap = n;
    return true;
}

static inline void jb_byte(JitBuf *j, uint8_t b)
{
    if (j->len == j->cap && !jb_grow_bytes(j))
        return;
    j->p[j->len++] = b;
}

/* The emitters of frequent instructions write one whole instruction
 * through a local cursor: q = jb_reserve(j), *q++ = ..., jb_commit(j, q).
 * Byte by byte through j (jb_byte), every store could alias j->len and
 * j->p, so the compiler reloaded both and tested the capacity again for
 * each byte: ~6 host instructions a byte, a few percent of a Linux boot. */
static inline uint8_t *jb_reserve(JitBuf *j)
{
    if (j->cap - j->len < JB_INSN_MAX && (j->oom || !jb_grow_bytes(j)))
        return j->scratch;
    return j->p + j->len;
}

static inline void jb_commit(JitBuf *j, const uint8_t *q)
{
    if (!j->oom) /* else q may be in scratch: the compile fails anyway */
        j->len = (size_t)(q - j->p);
}

static inline uint8_t *q_u32(uint8_t *q, uint32_t v)
{
    memcpy(q, &v, 4); /* little-endian, as x86-64 */
    return q + 4;
}

static inline void jb_u32(JitBuf *j, uint32_t v)
{
    jb_commit(j, q_u32(jb_reserve(j), v));
}

static inline void jb_u64(JitBuf *j, uint64_t v)
{
    jb_u32(j, (uint32_t)v);
    jb_u32(j, (uint32_t)(v >> 32));
}

/* Opcode bytes packed big-endian in an int: 0x0FB6 -> 0F B6. */
static inline uint8_t *q_opc(uint8_t *q, uint32_t opc)
{
    if (opc > 0xffff)
        *q++ = (uint8_t)(opc >> 16);
    if (opc > 0xff)
        *q++ = (uint8_t)(opc >> 8);
    *q++ = (uint8_t)opc;
    return q;
}

static inline void jb_opc(JitBuf *j, uint32_t opc)
{
    jb_commit(j, q_opc(jb_reserve(j), opc));
}

static inline uint8_t *q_prefix(uint8_t *q, unsigned fl, int reg, int index, int base, bool byte_regs)
{
    if (fl & X66)
        *q++ = 0x66;
    uint8_t rex = (uint8_t)(((fl & XW) ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0));
    if (rex || byte_regs)
        *q++ = 0x40 | rex;
    return q;
}

static inline void jb_prefix(JitBuf *j, unsigned fl, int reg, int index, int base, bool byte_regs)
{
    jb_commit(j, q_prefix(jb_reserve(j), fl, reg, index, base, byte_regs));
}

/* A register-direct instruction with a 3-byte VEX prefix: map 1 = 0F,
 * 2 = 0F38, 3 = 0F3A; pp 0 = none, 1 = 66, 2 = F3, 3 = F2; v the extra
 * source in VEX.vvvv (0 when the form has none); L = 0. */
static inline void x_vex_rr(JitBuf *j, int map, int pp, bool w, int v, uint8_t op, int reg, int rm)
{
    jb_byte(j, 0xc4);
    jb_byte(j, (uint8_t)((reg & 8 ? 0 : 0x80) | 0x40 | (rm & 8 ? 0 : 0x20) | map)); /* ~R ~X ~B, map */
    jb_byte(j, (uint8_t)((w ? 0x80 : 0) | (~v & 15) << 3 | pp));                   /* W, ~vvvv, L, pp */
    jb_byte(j, op);
    jb_byte(j, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* opc reg, rm (register direct). */
static inline uint8_t *q_rr(uint8_t *q, unsigned fl, uint32_t opc, int reg, int rm)
{
    bool b8 = (fl & XB8) && ((reg >= 4 && reg < 8) || (rm >= 4 && rm < 8));
    q = q_opc(q_prefix(q, fl, reg, 0, rm, b8), opc);
    *q++ = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
    return q;
}

static inline void x_rr(JitBuf *j, unsigned fl, uint32_t opc, int reg, int rm)
{
    jb_commit(j, q_rr(jb_reserve(j), fl, opc, reg, rm));
}

/* opc reg, [base + index*scale + disp] (index < 0: none). */
/* The ModRM byte, SIB byte and displacement of [base + index*scale + disp]
 * (index < 0: none) after an opcode: RSP and R12 as base take a SIB byte,
 * RBP and R13 a displacement. */
static inline uint8_t *q_modrm_mem(uint8_t *q, int reg, int base, int index, int scale, int32_t disp)
{
    int mod = (disp == 0 && (base & 7) != RBP) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
    if (index >= 0 || (base & 7) == RSP) {
        int ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
        int idx = index >= 0 ? (index & 7) : RSP; /* 100 = no index */
        *q++ = (uint8_t)(mod << 6 | (reg & 7) << 3 | 4);
        *q++ = (uint8_t)(ss << 6 | idx << 3 | (base & 7));
    } else {
        *q++ = (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7));
    }
    if (mod == 1)
        *q++ = (uint8_t)(int8_t)disp;
    else if (mod == 2)
        q = q_u32(q, (uint32_t)disp);
    return q;
}

static inline void x_mem_sib(JitBuf *j, unsigned fl, uint32_t opc, int reg, int base, int index, int scale,
                             int32_t disp)
{
    bool b8 = (fl & XB8) && reg >= 4 && reg < 8;
    uint8_t *q = q_opc(q_prefix(jb_reserve(j), fl, reg, index < 0 ? 0 : index, base, b8), opc);
    jb_commit(j, q_modrm_mem(q, reg, base, index, scale, disp));
}

/* x_vex_rr with the r/m operand in memory, [base + disp] (no index). */
static inline void x_vex_mem(JitBuf *j, int map, int pp, bool w, int v, uint8_t op, int reg, int base, int32_t disp)
{
    uint8_t *q = jb_reserve(j);
    *q++ = 0xc4;
    *q++ = (uint8_t)((reg & 8 ? 0 : 0x80) | 0x40 | (base & 8 ? 0 : 0x20) | map); /* ~R ~X ~B, map */
    *q++ = (uint8_t)((w ? 0x80 : 0) | (~v & 15) << 3 | pp);
    *q++ = op;
    jb_commit(j, q_modrm_mem(q, reg, base, -1, 1, disp));
}

static inline void x_mem(JitBuf *j, unsigned fl, uint32_t opc, int reg, int base, int32_t disp)
{
    x_mem_sib(j, fl, opc, reg, base, -1, 1, disp);
}

/* reg = the `size` (1, 2, 4 or 8) bytes at [base + disp], zero-extended. */
static inline void x_ld_zx(JitBuf *j, int size, int reg, int base, int32_t disp)
{
    switch (size) {
    case 1: x_mem(j, 0, 0x0fb6, reg, base, disp); break; /* movzx r32, byte */
    case 2: x_mem(j, 0, 0x0fb7, reg, base, disp); break; /* movzx r32, word */
    case 4: x_mem(j, 0, 0x8b, reg, base, disp); break;
    default: x_mem(j, XW, 0x8b, reg, base, disp); break;
    }
}

/* mov r64, imm (shortest form; does not touch the flags). */
static inline void x_mov_ri(JitBuf *j, int reg, uint64_t imm)
{
    uint8_t *q = jb_reserve(j);
    if (imm <= 0xffffffffull) {
        q = q_prefix(q, 0, 0, 0, reg, false);
        *q++ = (uint8_t)(0xb8 + (reg & 7));
        q = q_u32(q, (uint32_t)imm);
    } else if ((int64_t)imm == (int64_t)(int32_t)imm) {
        q = q_u32(q_rr(q, XW, 0xc7, 0, reg), (uint32_t)imm);
    } else {
        q = q_prefix(q, XW, 0, 0, reg, false);
        *q++ = (uint8_t)(0xb8 + (reg & 7));
        q = q_u32(q_u32(q, (uint32_t)imm), (uint32_t)(imm >> 32));
    }
    jb_commit(j, q);
}

/* group-1 ALU with an immediate: /ext r, imm (ext 0 add, 1 or, 4 and, 5 sub, 7 cmp). */
static inline void x_alu_ri(JitBuf *j, unsigned fl, int ext, int reg, int32_t imm)
{
    uint8_t *q = jb_reserve(j);
    if (imm >= -128 && imm <= 127) {
        q = q_rr(q, fl, 0x83, ext, reg);
        *q++ = (uint8_t)(int8_t)imm;
    } else {
        q = q_u32(q_rr(q, fl, 0x81, ext, reg), (uint32_t)imm);
    }
    jb_commit(j, q);
}

/* shift group: C1 /ext ib (4 shl, 5 shr, 7 sar). */
static inline void x_shift_ri(JitBuf *j, unsigned fl, int ext, int reg, uint8_t n)
{
    uint8_t *q = q_rr(jb_reserve(j), fl, 0xc1, ext, reg);
    *q++ = n;
    jb_commit(j, q);
}

static inline uint32_t jb_label(JitBuf *j)
{
    j->labels = jb_grow(j->labels, &j->caplabels, sizeof(int32_t), j->nlabels + 1, &j->oom);
    if (j->oom)
        return 0;
    j->labels[j->nlabels] = -1;
    return j->nlabels++;
}

static inline void jb_bind(JitBuf *j, uint32_t l)
{
    if (!j->oom)
        j->labels[l] = (int32_t)j->len;
}

static inline void jb_rel32(JitBuf *j, uint32_t l)
{
    j->fix = jb_grow(j->fix, &j->capfix, sizeof(JitFixup), j->nfix + 1, &j->oom);
    if (j->oom)
        return;
    j->fix[j->nfix++] = (JitFixup){(uint32_t)j->len, l};
    jb_u32(j, 0);
}

static inline void x_jmp(JitBuf *j, uint32_t l)
{
    jb_byte(j, 0xe9);
    jb_rel32(j, l);
}

static inline void x_jcc(JitBuf *j, int cc, uint32_t l)
{
    uint8_t *q = jb_reserve(j);
    *q++ = 0x0f;
    *q++ = (uint8_t)(0x80 + cc);
    jb_commit(j, q);
    jb_rel32(j, l);
}

/* Whether any jump emitted so far goes to label l. */
static inline bool jb_label_used(const JitBuf *j, uint32_t l)
{
    for (uint32_t i = 0; i < j->nfix; i++)
        if (j->fix[i].label == l)
            return true;
    return false;
}

/* Patch every rel32; false if a label was never bound. */
static inline bool jb_resolve(JitBuf *j)
{
    if (j->oom)
        return false;
    for (uint32_t i = 0; i < j->nfix; i++) {
        int32_t to = j->labels[j->fix[i].label];
        if (to < 0)
            return false;
        int32_t rel = to - (int32_t)(j->fix[i].pos + 4);
        memcpy(j->p + j->fix[i].pos, &rel, 4);
    }
    return true;
}

/* push / pop of a register (0x50 + r, REX.B for r8-r15). */
static inline void x_push(JitBuf *j, int r)
{
    if (r & 8)
        jb_byte(j, 0x41);
    jb_byte(j, (uint8_t)(0x50 + (r & 7)));
}

static inline void x_pop(JitBuf *j, int r)
{
    if (r & 8)
        jb_byte(j, 0x41);
    jb_byte(j, (uint8_t)(0x58 + (r & 7)));
}

#endif
