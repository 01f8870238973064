/* Tier 1: IR block -> x86-64 machine code (design in docs/jit.md). This file
 * holds the per-op emitter and the driver (compile); the rest of the
 * backend is split by concept:
 *   jit_x86_ctx.h     the compiler context and the temp-access primitives
 *   jit_regalloc_x86.c  the register allocator and the deferred register writes
 *   jit_chain_x86.c   entry stub, block exits, chaining and patching
 *   jit_mem_x86.c     inline TLB path, atomics, slow-path stubs
 *   jit_thunk_x86.c   the stubs' shared tails (tlb_refill, interp_exec_op calls)
 *   jit_flags_x86.c   NZCV: fusion with conditions, dead packs
 *   jit_simd_x86.c    Advanced SIMD integer ops on SSE
 *
 * All blocks run in one frame set up by flotilla_jit_enter, with RBX = the
 * CPUState. An IR temp lives in a callee-saved host register (jit_alloc_regs)
 * or in its stack slot [rsp + 8 * temp], laid out like the interpreter's
 * t[] array, so any op the backend does not generate inline is run by
 * calling the interpreter's own interp_exec_op(cpu, op, t) with t = rsp
 * (register-held operands are stored to their slots first): each op's
 * meaning stays written once.
 *
 * cpu->pc is written lazily: INSN_START only records the pc at compile time
 * and the store is emitted before the first op of the instruction that can
 * observe it (a helper call, a slow path, a fallback op). Terminals write
 * the pc themselves, as in the interpreter.
 *
 * Executable memory comes from the compiling core's cpu->jit_code (the
 * machine's allocator, cpu/jit_code.h); the block records it in
 * b->jit_code, to which its code goes back when it is freed. */
#include "jit_x86_ctx.h"

#include "../smp/machine.h"
#include "fp_hard.h"
#include "host_cpu.h"
#include "jit_fp_x86.h"
#include "jit_simd_x86.h"
#include "jit_xcache_x86.h"

/* ------------------------------------------------------------------ */
/* compiler                                                            */

static bool alu_size_ok(int sz) { return sz == 4 || sz == 8; }

/* The out-of-line taken paths of side exits (the BRCOND case of emit_op):
 * for FP_XPACK the setter's NZCV pack on the EFLAGS its jcc left, the
 * instructions given back, then the exit's patchable jump (jit_emit_direct). */
static void emit_xpack_exits(Ctx *c)
{
    for (unsigned k = 0; k < c->nxpack; k++) {
        const IROp *op = c->xpack_op[k];
        c->op_index = (uint32_t)(op - c->b->ops); /* for jit_emit_direct: this exit's op */
        jb_bind(&c->j, c->xpack_label[k]);
        if (jit_fplan_of(c, op) & FP_XPACK)
            jit_emit_xpack_exit(c, op);
        const int32_t unrun = (int32_t)ir_brcond_unrun(op);
        if (unrun)
            x_mem(&c->j, 0, 0x8d, JIT_BUDGET, JIT_BUDGET, unrun); /* lea r11d, [r11 + unrun] */
        jit_emit_direct(c, op->imm, ir_branch_slot(op), IR_NO_TEMP, -1);
    }
}

/* A COND temp t (0 or 1) as the x86 condition code that is true when it
 * is 1: where its fused flag setter left EFLAGS (jit_emit_flag_setter,
 * cc_temp), in AL (cond_for_branch, al_temp), or t compared with 0. For
 * SELECT, a side exit's out-of-line jump and CCMP/CCMN (jit_flags_x86.c). */
int jit_cond_in_eflags(Ctx *c, IRTemp t)
{
    if (c->cc_temp == t && t != IR_NO_TEMP) {
        c->cc_temp = IR_NO_TEMP;
        return c->cc;
    }
    if (c->al_temp == t && t != IR_NO_TEMP) {
        x_rr(&c->j, XB8, 0x84, RAX, RAX);        /* test al, al */
        c->al_temp = IR_NO_TEMP;
    } else {
        rmt(c, XW, 0x83, 7, t);                  /* cmp qword [t], 0 */
        jb_byte(&c->j, 0);
    }
    return CC_NE;
}

/* LZCNT if the host has it and the tests allow it (cpu/host_cpu.h). */
void jit_allow_lzcnt(bool on) { host_allow(HOST_LZCNT, on); }
void jit_allow_bmi(bool on) { host_allow(HOST_BMI1 | HOST_BMI2, on); }

static bool use_lzcnt(void) { return host_has(HOST_LZCNT); }

/* rax = (leading zeros in the low w bits of rax) - sub, w for 0 (w = 32 or 64). */
static void emit_clz_rax(JitBuf *j, unsigned W, int w, int sub)
{
    if (use_lzcnt()) {
        jb_byte(j, 0xf3);
        x_rr(j, W, 0x0fbd, RAX, RAX);            /* lzcnt rax, rax */
        if (sub)
            x_alu_ri(j, W, 5, RAX, sub);
        return;
    }
    /* Without LZCNT on a pre-Haswell host, lzcnt would decode as bsr. bsr sets
     * ZF for 0 and leaves the result undefined: use index -1 then. */
    x_mov_ri(j, RCX, ~0ull);
    x_rr(j, W, 0x0fbd, RAX, RAX);                /* bsr rax, rax */
    x_rr(j, W, 0x0f44, RAX, RCX);                /* cmovz rax, rcx */
    x_rr(j, W, 0xf7, 3, RAX);                    /* neg rax */
    x_alu_ri(j, W, 0, RAX, w - 1 - sub);         /* (w - 1 - index) - sub */
}

static void emit_bswap_rax(JitBuf *j, unsigned W)
{
    jb_prefix(j, W, 0, 0, RAX, false);
    jb_byte(j, 0x0f);
    jb_byte(j, 0xc8 + RAX);                      /* bswap */
}

/* rax = ((rax >> s) & m) | ((rax & m) << s): swap neighbouring bit groups. */
static void emit_swap_step(JitBuf *j, unsigned W, uint8_t s, uint64_t m)
{
    x_rr(j, W, 0x89, RAX, RCX);                  /* mov rcx, rax */
    x_shift_ri(j, W, 5, RCX, s);                 /* shr rcx, s */
    if (W) {
        x_mov_ri(j, RDX, m);
        x_rr(j, XW, 0x21, RDX, RCX);             /* and rcx, rdx */
        x_rr(j, XW, 0x21, RDX, RAX);             /* and rax, rdx */
    } else {
        x_alu_ri(j, 0, 4, RCX, (int32_t)(uint32_t)m);
        x_alu_ri(j, 0, 4, RAX, (int32_t)(uint32_t)m);
    }
    x_shift_ri(j, W, 4, RAX, s);                 /* shl rax, s */
    x_rr(j, W, 0x09, RCX, RAX);                  /* or rax, rcx */
}

/* UDIV/SDIV with Arm's results where x86 would raise #DE: x/0 = 0, and
 * for SDIV x/-1 = -x, which includes MIN/-1 = MIN. */
static void emit_div(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const bool w64 = op->size == 8;
    const unsigned W = w64 ? XW : 0;
    uint32_t l_zero = jb_label(j), l_done = jb_label(j);
    ldt(c, RCX, op->b, w64);
    ld_rax(c, op->a, w64, false);
    x_rr(j, W, 0x85, RCX, RCX);                  /* test rcx, rcx */
    x_jcc(j, CC_E, l_zero);
    if (op->opc == IR_SDIV) {
        uint32_t l_div = jb_label(j);
        x_alu_ri(j, W, 7, RCX, -1);              /* cmp rcx, -1 */
        x_jcc(j, CC_NE, l_div);
        x_rr(j, W, 0xf7, 3, RAX);                /* neg rax */
        x_jmp(j, l_done);
        jb_bind(j, l_div);
        if (W)
            jb_byte(j, 0x48);
        jb_byte(j, 0x99);                        /* cqo / cdq */
        x_rr(j, W, 0xf7, 7, RCX);                /* idiv rcx */
    } else {
        x_rr(j, 0, 0x31, RDX, RDX);              /* xor edx, edx */
        x_rr(j, W, 0xf7, 6, RCX);                /* div rcx */
    }
    x_jmp(j, l_done);
    jb_bind(j, l_zero);
    x_rr(j, 0, 0x31, RAX, RAX);                  /* xor eax, eax */
    jb_bind(j, l_done);
    st_dst(c, op->dst);
}


/* t = [rbx + off] (64-bit): straight into t's register, if it has one. */
static void load_state(Ctx *c, IRTemp t, int32_t off)
{
    if (c->treg[t] >= 0) {
        ld64(&c->j, c->treg[t], RBX, off);
        return;
    }
    ld64(&c->j, RAX, RBX, off);
    st_dst(c, t);
}

/* [rbx + off] = t (64-bit) without going through rax, when t is in a
 * host register (and rax does not hold it already) or a simm32 constant.
 * false: nothing emitted. */
static bool store_state(Ctx *c, int32_t off, IRTemp t)
{
    int32_t k;
    if (c->treg[t] >= 0 && c->rax_prev != t) {
        st64(&c->j, RBX, off, c->treg[t]);
        return true;
    }
    if (c->rax_prev != t && const_s32(c, t, true, &k)) {
        x_mem(&c->j, XW, 0xc7, 0, RBX, off);     /* mov qword [rbx + off], simm32 */
        jb_u32(&c->j, (uint32_t)k);
        return true;
    }
    return false;
}

/* lea rd, [base + index * scale] for a register offset: the base from its
 * register, or in RAX (a guest register read where used, gzip's `ldrh w4,
 * [x11, x4]` after UBFIZ; a constant; a slot). */
static void emit_scaled_lea(Ctx *c, int rd, IRTemp base, int index, int scale)
{
    const int rbase = reg_or_load(c, base, RAX, true);
    if (rbase == RAX)
        c->rax_temp = base;
    x_mem_sib(&c->j, XW, 0x8d, rd, rbase, index, scale, 0);
}

/* Emit one op. Returns false if the block cannot be compiled. */
static bool emit_op(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const int sz = op->size;
    const unsigned W = sz == 8 ? XW : 0;
    const bool w64 = sz == 8;
    c->rax_prev = c->rax_temp;
    c->rax_temp = IR_NO_TEMP;
    int32_t k32;
    switch (op->opc) {
    case IR_NOP:
        c->rax_temp = c->rax_prev;
        return true;
    case IR_INSN_START:
        c->rax_temp = c->rax_prev; /* no code */
        c->have_pc = true;
        c->pc_synced = false;
        c->cur_pc = op->imm;
        return true;
    case IR_CONST:
        c->is_const[op->dst] = CONST_IN_SLOT;
        c->cval[op->dst] = op->imm;
        if ((int64_t)op->imm == (int64_t)(int32_t)op->imm) {
            c->is_const[op->dst] = CONST_LAZY; /* no code: immediates, or the slot written where read */
        } else {
            x_mov_ri(j, RAX, op->imm);
            st_dst(c, op->dst);
        }
        break;
    case IR_MOV:
        if (c->treg[op->dst] >= 0 && c->rax_prev != op->a) {
            ldt(c, c->treg[op->dst], op->a, sz != 4);
            break;
        }
        ld_rax(c, op->a, sz != 4, true);
        st_dst(c, op->dst);
        break;
    case IR_GET_REG:
        if (op->imm >= 32)
            goto fallback;
        if (c->home[op->dst] >= 0) {
            c->rax_temp = c->rax_prev;           /* no code: read where used */
            break;
        }
        load_state(c, op->dst, CPU_OFF(x) + 8 * (int32_t)op->imm);
        break;
    case IR_SET_REG:
        if (op->imm >= 32)
            goto fallback;
        if (jit_deferred_set(c, (uint32_t)(op - c->b->ops))) {
            c->rax_temp = c->rax_prev;           /* no code: stored on the slow paths */
            break;
        }
        if (c->home[op->a] == CPU_OFF(x) + 8 * (int32_t)op->imm) {
            c->rax_temp = c->rax_prev;           /* no code: the value lives in X[n] (plan_homes) */
            break;
        }
        if (store_state(c, CPU_OFF(x) + 8 * (int32_t)op->imm, op->a))
            break;
        ld_rax(c, op->a, true, false);
        st64(j, RBX, CPU_OFF(x) + 8 * (int32_t)op->imm, RAX);
        c->rax_temp = op->a;
        break;
    case IR_GET_VREG:
        if (op->imm >= 64)
            goto fallback;
        load_state(c, op->dst, CPU_OFF(v) + 8 * (int32_t)op->imm);
        break;
    case IR_SET_VREG:
        if (op->imm >= 64)
            goto fallback;
        jit_vforget(j, (int)(op->imm / 2)); /* an 8-byte store: no 16-byte load, no cached copy */
        if (store_state(c, CPU_OFF(v) + 8 * (int32_t)op->imm, op->a))
            break;
        ld_rax(c, op->a, true, false);
        st64(j, RBX, CPU_OFF(v) + 8 * (int32_t)op->imm, RAX);
        c->rax_temp = op->a;
        break;
    case IR_GET_NZCV:
        jit_emit_nzcv_load(c);
        st_dst(c, op->dst);
        break;
    case IR_GET_FIELD:
        load_state(c, op->dst, (int32_t)op->imm);
        break;
    case IR_SET_NZCV:
        ld_rax(c, op->a, false, false);
        x_alu_ri(j, 0, 4, RAX, (int32_t)0xf0000000u);
        st32(j, RBX, CPU_OFF(nzcv), RAX);
        c->nzcv_lazy = false;
        break;
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL: {
        if (!alu_size_ok(sz))
            goto fallback;
        uint32_t opc = op->opc == IR_ADD ? 0x03 : op->opc == IR_SUB ? 0x2b : op->opc == IR_AND ? 0x23
                     : op->opc == IR_OR ? 0x0b : op->opc == IR_XOR ? 0x33 : 0x0faf;
        int ext = op->opc == IR_ADD ? 0 : op->opc == IR_SUB ? 5 : op->opc == IR_AND ? 4
                : op->opc == IR_OR ? 1 : op->opc == IR_XOR ? 6 : -1;
        IRTemp a = op->a, b = op->b;
        const bool comm = op->opc != IR_SUB;
        /* Addresses (base + offset, base + index) into another register:
         * one LEA instead of MOV + ADD. */
        const int rd = c->treg[op->dst], ra = c->treg[a], rb = b != IR_NO_TEMP ? c->treg[b] : -1;
        if (op->opc == IR_ADD && c->scaled_temp != IR_NO_TEMP && (a == c->scaled_temp || b == c->scaled_temp)) {
            emit_scaled_lea(c, rd, a == c->scaled_temp ? b : a, c->scaled_reg, c->scaled_by);
            c->scaled_temp = IR_NO_TEMP;
            break;
        }
        /* The same from an SHL that was emitted for its other readers, when
         * its index is still in a register here (plan_scaled_adds kept it):
         * the address need not wait for the shift. */
        if (op->opc == IR_ADD && w64 && rd >= 0 && a != b && c->b->nops <= IR_MAX_OPS) {
            const uint32_t k = (uint32_t)(op - c->b->ops);
            int scale;
            const IROp *shl = jit_scaled_shl(c, k, a, &scale);
            IRTemp base = b;
            if (!shl) {
                shl = jit_scaled_shl(c, k, b, &scale);
                base = a;
            }
            if (shl && c->treg[shl->a] >= 0 && c->last_use[shl->a] > k) {
                emit_scaled_lea(c, rd, base, c->treg[shl->a], scale);
                break;
            }
        }
        /* Into another register; or, between a flag setter and the CSEL
         * that CMOVs on its EFLAGS or tests AL (cond_for_branch allowed
         * this op there), even in place: LEA keeps both. */
        const bool lea_ok = rd >= 0 && ra >= 0 && (op->opc == IR_ADD || op->opc == IR_SUB);
        const bool apart = ra != rd && c->rax_prev != a;
        if (lea_ok && (apart || c->cc_temp != IR_NO_TEMP || c->al_temp != IR_NO_TEMP) &&
            const_s32(c, b, w64, &k32) && (op->opc == IR_ADD || k32 != INT32_MIN)) {
            x_mem(j, W, 0x8d, rd, ra, op->opc == IR_ADD ? k32 : -k32); /* lea rd, [ra + k] */
            break;
        }
        if (lea_ok && apart && op->opc == IR_ADD && rb >= 0 && rb != rd && c->rax_prev != b) {
            x_mem_sib(j, W, 0x8d, rd, ra, rb, 1, 0); /* lea rd, [ra + rb] */
            break;
        }
        int acc = two_addr(c, op->dst, &a, &b, comm, w64);
        if (acc < 0)
            ld_rax(c, a, w64, false);
        const int r = acc < 0 ? RAX : acc;
        if (const_s32(c, b, w64, &k32)) {
            if (ext >= 0) {
                x_alu_ri(j, W, ext, r, k32);
            } else {
                x_rr(j, W, 0x69, r, r);          /* imul r, r, imm32 */
                jb_u32(j, (uint32_t)k32);
            }
        } else {
            rmt(c, W, opc, r, b);
        }
        if (acc < 0)
            st_dst(c, op->dst);                  /* mov: flags kept */
        if (op->opc == IR_AND)
            c->and_end = c->op_index + 1;
        break;
    }
    case IR_ANDN: case IR_ORN: case IR_XORN: {
        if (!alu_size_ok(sz))
            goto fallback;
        uint32_t opc = op->opc == IR_ANDN ? 0x21 : op->opc == IR_ORN ? 0x09 : 0x31;
        const int rd = c->treg[op->dst];
        if (op->opc == IR_ANDN && host_has(HOST_BMI1)) {
            /* BIC: andn rd, b, a (~b & a) in one instruction. */
            const int rb = reg_or_load(c, op->b, RCX, w64), ra = reg_or_load(c, op->a, RAX, w64);
            x_vex_rr(j, 2, 0, w64, rb, 0xf2, rd >= 0 ? rd : RAX, ra);
            if (rd >= 0)
                break;
            st_dst(c, op->dst);
            break;
        }
        if (rd >= 0) {
            /* In the result's register, which no input holds (the inputs
             * keep theirs through the op): mov; not; op. */
            ldt(c, rd, op->b, w64);
            x_rr(j, W, 0xf7, 2, rd);             /* not rd */
            rmt(c, W, opc | 2, rd, op->a);       /* op rd, a (the r, r/m form) */
            break;
        }
        ldt(c, RCX, op->b, w64);
        x_rr(j, W, 0xf7, 2, RCX);                /* not rcx */
        ld_rax(c, op->a, w64, false);
        x_rr(j, W, opc, RCX, RAX);               /* op rax, rcx */
        st_dst(c, op->dst);
        break;
    }
    case IR_NOT: case IR_NEG: {
        if (!alu_size_ok(sz))
            goto fallback;
        IRTemp a = op->a, b = IR_NO_TEMP;
        int acc = two_addr(c, op->dst, &a, &b, false, w64);
        if (acc < 0)
            ld_rax(c, op->a, w64, false);
        x_rr(j, W, 0xf7, op->opc == IR_NOT ? 2 : 3, acc < 0 ? RAX : acc);
        if (acc < 0)
            st_dst(c, op->dst);
        break;
    }
    case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROR: {
        if (!alu_size_ok(sz))
            goto fallback;
        /* x86 masks the count to 5/6 bits, as the IR's "modulo width". */
        int ext = op->opc == IR_SHL ? 4 : op->opc == IR_SHR ? 5 : op->opc == IR_SAR ? 7 : 1;
        if (c->is_const[op->b]) {
            uint8_t n = (uint8_t)(c->cval[op->b] & (w64 ? 63 : 31));
            /* A register offset (LDR x, [base, idx, LSL #1..3]): an index
             * shifted only for the ADD right after it becomes that ADD's
             * scaled index (one LEA, see IR_ADD); nothing emitted here. */
            const uint32_t i = (uint32_t)(op - c->b->ops);
            if (op->opc == IR_SHL && w64 && n >= 1 && n <= 3 && c->treg[op->a] >= 0 && i + 1 < c->b->nops &&
                op[1].opc == IR_ADD && op[1].size == 8 && c->last_use[op->dst] == i + 2 && c->treg[op[1].dst] >= 0) {
                if ((op[1].a == op->dst) != (op[1].b == op->dst)) {
                    c->scaled_temp = op->dst;
                    c->scaled_reg = c->treg[op->a];
                    c->scaled_by = 1 << n;
                    c->rax_temp = c->rax_prev; /* no rax use */
                    break;
                }
            }
            if (op->opc == IR_ROR && n && host_has(HOST_BMI2)) {
                /* RORX rd, ra, n: no copy of the input first (SHA-256's
                 * rotates: `ror w1, w2, #11`, `eor w1, w1, w2, ror #6`). */
                const int rd = c->treg[op->dst] >= 0 ? c->treg[op->dst] : RAX;
                if (c->treg[op->a] < 0 && !c->is_const[op->a] && c->rax_prev != op->a) {
                    /* From its home or slot: RORX takes memory (the round
                     * loop's spilled `a` and `e` were a load to RAX, then
                     * the RORX, three times a round each). */
                    const bool home = c->home[op->a] >= 0;
                    x_vex_mem(j, 3, 3, w64, 0, 0xf0, rd, home ? RBX : RSP, home ? c->home[op->a] : T(op->a));
                } else {
                    const int ra = reg_or_load(c, op->a, RAX, w64);
                    x_vex_rr(j, 3, 3, w64, 0, 0xf0, rd, ra); /* map 0F3A, pp = F2 */
                }
                jb_byte(j, n);
                if (rd == RAX)
                    st_dst(c, op->dst);
                break;
            }
            IRTemp a = op->a, none = IR_NO_TEMP;
            int acc = two_addr(c, op->dst, &a, &none, false, w64);
            if (acc >= 0) {
                if (n)
                    x_shift_ri(j, W, ext, acc, n);   /* a 32-bit shift zero-extends */
                else if (!w64)
                    x_rr(j, 0, 0x89, acc, acc);      /* count 0: just the truncation */
                break;
            }
            ld_rax(c, op->a, w64, true);
            if (n)
                x_shift_ri(j, W, ext, RAX, n);
            else if (!w64)
                x_rr(j, 0, 0x89, RAX, RAX);      /* count 0: just the truncation */
        } else if (op->opc != IR_ROR && host_has(HOST_BMI2)) {
            /* SHLX/SHRX/SARX: the count in any register, the result
             * straight in its own (it was count to CL, value to RAX, shift,
             * move); the same masking of the count. */
            const int rc = reg_or_load(c, op->b, RCX, false), ra = reg_or_load(c, op->a, RAX, true);
            const int rd = c->treg[op->dst] >= 0 ? c->treg[op->dst] : RAX;
            const int pp = op->opc == IR_SHL ? 1 : op->opc == IR_SAR ? 2 : 3; /* 66, F3, F2 */
            x_vex_rr(j, 2, pp, w64, rc, 0xf7, rd, ra);
            if (rd != RAX)
                break;
        } else {
            ldt(c, RCX, op->b, false);
            ld_rax(c, op->a, w64, false);
            x_rr(j, W, 0xd3, ext, RAX);
        }
        st_dst(c, op->dst);
        break;
    }
    case IR_UMULH: case IR_SMULH:
        ld_rax(c, op->a, true, false);
        rmt(c, XW, 0xf7, op->opc == IR_UMULH ? 4 : 5, op->b); /* (i)mul qword [b] */
        stt(c, op->dst, RDX);
        break;
    case IR_REV:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        jb_prefix(j, W, 0, 0, RAX, false);
        jb_byte(j, 0x0f);
        jb_byte(j, 0xc8 + RAX);                  /* bswap */
        st_dst(c, op->dst);
        break;
    case IR_SEXT:
        if (!alu_size_ok(sz) || op->imm == 0)
            goto fallback;
        if ((op->imm == 8 || op->imm == 16 || op->imm == 32) && c->treg[op->dst] >= 0 && c->rax_prev != op->a) {
            /* movsx / movsxd into the result's register, from the input's
             * register, slot or CPUState home (32-bit result: zero-extended) */
            const int rd = c->treg[op->dst];
            if (sz == 4 && op->imm == 32)
                ldt(c, rd, op->a, false);        /* mov rd32, a32 */
            else
                rmt(c, (sz == 4 ? 0 : XW) | XB8, op->imm == 8 ? 0x0fbe : op->imm == 16 ? 0x0fbf : 0x63, rd, op->a);
            break;
        }
        ld_rax(c, op->a, true, false);
        if (op->imm == 8 || op->imm == 16 || op->imm == 32) {
            /* movsx rax, al / ax / movsxd rax, eax */
            x_rr(j, XW, op->imm == 8 ? 0x0fbe : op->imm == 16 ? 0x0fbf : 0x63, RAX, RAX);
        } else if (op->imm < 64) {
            x_shift_ri(j, XW, 4, RAX, (uint8_t)(64 - op->imm));
            x_shift_ri(j, XW, 7, RAX, (uint8_t)(64 - op->imm));
        }
        if (sz == 4)
            x_rr(j, 0, 0x89, RAX, RAX);
        st_dst(c, op->dst);
        break;
    case IR_ZEXT:
        if (op->imm <= 32 && op->imm > 0 && c->treg[op->dst] >= 0 && c->rax_prev != op->a) {
            /* Straight into the result's register: UXTB/UXTH and AND with
             * 0xff/0xffff were mov eax; and eax; mov r, rax. */
            const int rd = c->treg[op->dst];
            if (op->imm == 8 || op->imm == 16) {
                rmt(c, XB8, op->imm == 8 ? 0x0fb6 : 0x0fb7, rd, op->a); /* movzx r32, a8/a16 */
                break;
            }
            /* mov r32, a32, unless a32 is rd itself and the AND follows:
             * a 32-bit AND clears the upper half anyway (gzip's `ubfiz x4,
             * x4, #1, #15` in its match-chain loop). */
            if (!(op->imm < 32 && c->treg[op->a] == rd))
                ldt(c, rd, op->a, false);        /* mov r32, a32 */
            if (op->imm < 32)
                x_alu_ri(j, 0, 4, rd, (int32_t)((1u << op->imm) - 1)); /* and r32, mask */
            break;
        }
        if (op->imm >= 64) {
            ld_rax(c, op->a, true, false);
        } else if (op->imm == 32) {
            ld_rax(c, op->a, false, true);
        } else if (op->imm < 32) {
            ld_rax(c, op->a, false, false);
            x_rr(j, 0, 0x81, 4, RAX);            /* and eax, mask */
            jb_u32(j, (uint32_t)((1ull << op->imm) - 1));
        } else {
            ld_rax(c, op->a, true, false);
            x_mov_ri(j, RCX, (1ull << op->imm) - 1);
            x_rr(j, XW, 0x21, RCX, RAX);
        }
        st_dst(c, op->dst);
        break;
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC_FLAGS: case IR_SBC_FLAGS:
        if (!alu_size_ok(sz))
            goto fallback;
        jit_emit_flag_setter(c, op);
        break;
    case IR_CADD_FLAGS: case IR_CSUB_FLAGS:
        if (!alu_size_ok(sz) || !host_has(HOST_LAHF))
            goto fallback;                       /* SAHF: with LAHF (cond_setter_inline) */
        jit_emit_flag_setter(c, op);
        break;
    case IR_ADC: case IR_SBC:
        if (!alu_size_ok(sz))
            goto fallback;
        if (!jit_emit_carry(c, c->op_index, op->opc == IR_SBC)) {
            jit_emit_nzcv_bt(c, 29);               /* CF = C */
            if (op->opc == IR_SBC)
                jb_byte(j, 0xf5);                  /* cmc: borrow = !C */
        }
        {
            /* In the result's register when it has one (two_addr: its
             * MOV keeps CF; ADC commutes, SBC does not). */
            IRTemp a = op->a, b = op->b;
            const int acc = two_addr(c, op->dst, &a, &b, op->opc == IR_ADC, w64);
            if (acc < 0)
                ld_rax(c, a, w64, false);          /* mov: CF kept */
            rmt(c, W, op->opc == IR_ADC ? 0x13 : 0x1b, acc < 0 ? RAX : acc, b);
            if (acc < 0)
                st_dst(c, op->dst);
        }
        break;
    case IR_LOGIC_FLAGS:
        if (!alu_size_ok(sz))
            goto fallback;
        jit_emit_flag_setter(c, op);
        break;
    case IR_COND: {
        uint8_t plan = jit_fplan_of(c, op);
        if (op->imm == 14 || op->imm == 15)
            plan = FP_CONST | 1;                 /* AL, NV */
        if (plan & (FP_FUSED | FP_CONST))
            c->rax_temp = c->rax_prev;           /* no rax use */
        if (plan & FP_FUSED)
            break;                               /* the setter wrote dst */
        if (plan & FP_CONST) {
            c->is_const[op->dst] = CONST_IN_SLOT;
            c->cval[op->dst] = plan & 1;
            rmt(c, XW, 0xc7, 0, op->dst); /* mov qword [dst], 0/1 */
            jb_u32(j, plan & 1);
            break;
        }
        if (op->imm < 8) {
            /* One flag: Z, C, N, V for EQ/NE, CS/CC, MI/PL, VS/VC. */
            static const uint8_t bit[4] = {30, 29, 31, 28};
            x_rr(j, 0, 0x31, RDX, RDX);
            jit_emit_nzcv_bt(c, bit[op->imm >> 1]);
            x_rr(j, XB8, 0x0f90 | (op->imm & 1 ? CC_AE : CC_B), 0, RDX);
            stt(c, op->dst, RDX);
            c->rax_temp = c->rax_prev;
            break;
        }
        /* Truth table of cond_holds over the 16 NZCV values: the same
         * function the interpreter calls decides every entry. */
        uint32_t tbl = 0;
        for (uint32_t f = 0; f < 16; f++)
            if (cond_holds(f << 28, (int)op->imm))
                tbl |= 1u << f;
        jit_emit_nzcv_load(c);
        x_shift_ri(j, 0, 5, RAX, 28);
        x_mov_ri(j, RCX, tbl);
        x_rr(j, 0, 0x31, RDX, RDX);
        x_rr(j, 0, 0x0fa3, RAX, RCX);            /* bt ecx, eax */
        x_rr(j, XB8, 0x0f90 | CC_B, 0, RDX);     /* setc dl */
        stt(c, op->dst, RDX);
        break;
    }
    case IR_CMP_EQ: case IR_CMP_NE: {
        if (!alu_size_ok(sz))
            goto fallback;
        /* CBZ/CBNZ, TBZ/TBNZ: a compare read only by the BRCOND right after
         * it leaves its answer in EFLAGS for that BRCOND's jcc (nothing is
         * emitted between: see IR_BRCOND and jit_emit_direct). */
        const uint32_t i = (uint32_t)(op - c->b->ops);
        if (i + 1 < c->b->nops && op[1].opc == IR_BRCOND && op[1].a == op->dst && c->last_use[op->dst] == i + 2) {
            const bool zero = c->is_const[op->b] && c->cval[op->b] == 0;
            if (zero && c->treg[op->a] >= 0) {
                x_rr(j, W, 0x85, c->treg[op->a], c->treg[op->a]); /* test r, r */
            } else {
                ld_rax(c, op->a, w64, false);
                if (zero)
                    x_rr(j, W, 0x85, RAX, RAX);  /* test rax, rax */
                else
                    rmt(c, W, 0x3b, RAX, op->b);
            }
            c->cc_temp = op->dst;
            c->cc = op->opc == IR_CMP_EQ ? CC_E : CC_NE;
            break;
        }
        x_rr(j, 0, 0x31, RCX, RCX);
        ld_rax(c, op->a, w64, false);
        rmt(c, W, 0x3b, RAX, op->b);
        x_rr(j, XB8, 0x0f90 | (op->opc == IR_CMP_EQ ? CC_E : CC_NE), 0, RCX);
        stt(c, op->dst, RCX);
        break;
    }
    case IR_SELECT: {
        /* MOVs keep the flags, so the operands are loaded after it. */
        const int cc = jit_cond_in_eflags(c, op->a);
        const int d = c->treg[op->dst];
        if (d >= 0 && c->treg[op->b] == d) {
            /* b already in dst's register: replace it with c unless cc holds */
            rmt(c, XW, 0x0f40 | (cc ^ 1), d, op->c); /* cmov!cc d, c */
            break;
        }
        if (d >= 0) {
            ldt(c, d, op->c, true);
            rmt(c, XW, 0x0f40 | cc, d, op->b);   /* cmovcc d, b */
            break;
        }
        ldt(c, RDX, op->c, true);
        ldt(c, RCX, op->b, true);
        x_rr(j, XW, 0x0f40 | cc, RDX, RCX);      /* cmovcc rdx, rcx */
        x_rr(j, XW, 0x89, RDX, RAX);             /* mov rax, rdx */
        st_dst(c, op->dst);
        break;
    }
    case IR_LOAD: case IR_STORE:
        if ((op->flags & ~(IRF_SIGNED | IRF_ACQ | IRF_REL | IRF_ALIGN | IRF_UNPRIV | IRF_BYTES)) ||
            (sz != 1 && sz != 2 && sz != 4 && sz != 8))
            goto fallback;
        if (op->opc == IR_STORE && c->mon && c->mon->mask > 0x7fffffffu)
            goto fallback; /* the armed[] probe takes the mask as an imm32 */
        jit_emit_mem(c, op);
        break;
    case IR_LOAD_V: case IR_STORE_V: case IR_LOAD_V2:
        if (op->opc == IR_STORE_V && c->mon && c->mon->mask > 0x7fffffffu)
            goto fallback;
        jit_emit_mem(c, op);
        break;
    case IR_ATOMIC_RMW: case IR_CAS:
        if (!jit_emit_atomic(c, op))
            goto fallback;
        break;
    case IR_LOAD_EXCL: case IR_STORE_EXCL:
        if (!jit_emit_excl(c, op))
            goto fallback;
        break;
    case IR_CHECK_ALIGN: {
        /* Misaligned: the interpreter's code raises, out of line. */
        if ((int64_t)op->imm != (int64_t)(int32_t)op->imm)
            goto fallback;
        uint32_t si = add_stub(c, op);
        if (j->oom)
            return false;
        ld_rax(c, op->a, true, false);
        x_rr(j, XW, 0xf7, 0, RAX);               /* test rax, simm32 */
        jb_u32(j, (uint32_t)op->imm);
        x_jcc(j, CC_NE, c->stubs[si].slow);
        jb_bind(j, c->stubs[si].back);
        break;
    }
    case IR_FENCE:
        if (op->imm == IR_FENCE_FULL) {
            jb_byte(j, 0x0f);
            jb_byte(j, 0xae);
            jb_byte(j, 0xf0);                    /* mfence */
        }
        break;
    case IR_CALL:
        c->nzcv_lazy = false; /* a helper may write NZCV (MSR NZCV), canonical */
        if (op->aux >= HELPER_NUM)
            goto fallback;
        if (!(op->flags & IRF_EXCEPT) && jit_simd_inline(j, op->aux, op->imm)) {
            if (c->last_use[op->dst]) {          /* what the helper returns, if read */
                if (!jit_simd_returns_rax(op->aux))
                    x_mov_ri(j, RAX, 0);
                st_dst(c, op->dst);
            }
            break;
        }
        if (jit_fp_inline(c, op))
            break;
        if (op->aux == HELPER_ldp_hi) {
            ld64(j, RAX, RBX, CPU_OFF(tmp128) + 8); /* what it returns, inline */
            st_dst(c, op->dst);
            break;
        }
        const bool synced = c->pc_synced;
        const uint32_t casp_done = jit_emit_casp_fast(c, op);
        j->vwhole = 0; /* a C helper: V written in any way (see vload) */
        sync_pc(c);
        ldt(c, RSI, op->a, true);
        ldt(c, RDX, op->b, true);
        ldt(c, RCX, op->c, true);
        x_rr(j, XW, 0x89, RBX, RDI);
        HelperFn fn = fp_hard_helper(op->aux, op->imm); /* host FP fast path, if any */
        call_abs_imm(c, (const void *)(fn ? fn : helper_table[op->aux]), op->imm);
        st_dst(c, op->dst);
        if (op->flags & IRF_EXCEPT) {
            x_mem(j, 0, 0x80, 7, RBX, CPU_OFF(exc_pending)); /* cmp byte [exc_pending], 0 */
            jb_byte(j, 0);
            x_jcc(j, CC_NE, c->l_exc);
        }
        if (casp_done) {
            jb_bind(j, casp_done);
            c->pc_synced = synced; /* the fast path did not store the pc */
        }
        break;
    case IR_BRCOND: {
        /* A side exit gives back the instructions after it when taken (the
         * block was counted whole on entry), on its out-of-line taken path
         * (emit_xpack_exits). Where that is not done (a loop's own branch,
         * too many exits) LEA, which leaves EFLAGS alone, adds before the
         * jump and the fall-through takes it back. */
        const int slot = ir_branch_slot(op);
        const int32_t unrun = (int32_t)ir_brcond_unrun(op);
        if (jit_fplan_of(c, op) & FP_XPACK) {
            /* The pack and the give-back on the taken path only, out of
             * line (emit_xpack_exits). plan_exit_pack mirrors
             * cond_for_branch, so the condition is in EFLAGS here; if it
             * were not, the pack could not be made: no code for the block. */
            if (c->cc_temp != op->a || op->a == IR_NO_TEMP || c->nxpack >= JIT_MAX_XPACK + JIT_MAX_OOL_EXITS) {
                j->oom = true;
                break;
            }
            c->xpack_label[c->nxpack] = jb_label(j);
            c->xpack_op[c->nxpack] = op;
            x_jcc(j, c->cc, c->xpack_label[c->nxpack++]);
            c->cc_temp = IR_NO_TEMP;
            break;
        }
        if (c->lnz && c->op_index == c->lnz_br && (c->cc_temp != op->a || op->a == IR_NO_TEMP)) {
            /* plan_loop_pack mirrors cond_for_branch: the exits' packs
             * need the setter's EFLAGS at the jcc. If they are not there,
             * no code for the block. */
            j->oom = true;
            break;
        }
        if (unrun && op->a != IR_NO_TEMP && op->imm != c->b->pc &&
            !(c->lnz && c->op_index == c->lnz_br) && c->nool < JIT_MAX_OOL_EXITS) {
            /* The give-back out of line, on the taken path only: the
             * fall-through (a superblock's likely way) runs no LEA. */
            const int cc = jit_cond_in_eflags(c, op->a);
            c->nool++;
            c->xpack_label[c->nxpack] = jb_label(j);
            c->xpack_op[c->nxpack] = op;
            x_jcc(j, cc, c->xpack_label[c->nxpack++]);
            break;
        }
        if (unrun)
            x_mem(j, 0, 0x8d, JIT_BUDGET, JIT_BUDGET, unrun);  /* lea r11d, [r11 + unrun] */
        if (c->cc_temp == op->a && op->a != IR_NO_TEMP) {
            jit_emit_direct(c, op->imm, slot, IR_NO_TEMP, c->cc);
            c->cc_temp = IR_NO_TEMP;
        } else if (c->al_temp == op->a && op->a != IR_NO_TEMP) {
            x_rr(j, XB8, 0x84, RAX, RAX);        /* test al, al */
            jit_emit_direct(c, op->imm, slot, IR_NO_TEMP, CC_NE);
            c->al_temp = IR_NO_TEMP;
        } else {
            jit_emit_direct(c, op->imm, slot, op->a, -1);
        }
        if (unrun)
            x_mem(j, 0, 0x8d, JIT_BUDGET, JIT_BUDGET, -unrun); /* lea r11d, [r11 - unrun] */
        break;
    }
    case IR_GOTO:
        if (c->lnz && !c->lnz_goto && c->op_index == c->lnz_br + 1)
            jit_emit_lnz_pack(c); /* the loop's fall-through: EFLAGS as the jcc before left them */
        jit_emit_direct(c, op->imm, op->aux ? 1 : 0, IR_NO_TEMP, -1);
        break;
    case IR_JUMP:
        ld_rax(c, op->a, true, false);
        jit_emit_jump_indirect(c);
        break;
    case IR_EXIT:
        st_pc(j, op->imm);
        x_mov_ri(j, RAX, BX_EXIT);
        x_jmp(j, c->l_epi);
        break;
    case IR_UDIV: case IR_SDIV:
        if (!alu_size_ok(sz))
            goto fallback;
        emit_div(c, op);
        break;
    case IR_CLZ: case IR_CLS:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        if (op->opc == IR_CLS) {
            /* Bit i of a ^ (a sar 1): bits i and i+1 differ. The top bit is
             * 0, so CLS = CLZ of that - 1 (w - 1 for 0 and -1). */
            x_rr(j, W, 0x89, RAX, RCX);
            x_shift_ri(j, W, 7, RCX, 1);
            x_rr(j, W, 0x31, RCX, RAX);          /* xor rax, rcx */
        }
        emit_clz_rax(j, W, sz * 8, op->opc == IR_CLS);
        st_dst(c, op->dst);
        break;
    case IR_RBIT:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        emit_bswap_rax(j, W);                    /* bytes, then bits within bytes */
        emit_swap_step(j, W, 1, 0x5555555555555555ull);
        emit_swap_step(j, W, 2, 0x3333333333333333ull);
        emit_swap_step(j, W, 4, 0x0f0f0f0f0f0f0f0full);
        st_dst(c, op->dst);
        break;
    case IR_REV16:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        if (w64) {
            emit_swap_step(j, XW, 8, 0x00ff00ff00ff00ffull);
        } else {
            emit_bswap_rax(j, 0);                /* b0 b1 b2 b3 */
            x_shift_ri(j, 0, 1, RAX, 16);        /* ror eax, 16: b2 b3 b0 b1 */
        }
        st_dst(c, op->dst);
        break;
    case IR_REV32:
        /* The translator only emits size 8 (the interpreter ignores size). */
        if (sz != 8)
            goto fallback;
        ld_rax(c, op->a, true, false);
        emit_bswap_rax(j, XW);                   /* words swapped and reversed */
        x_shift_ri(j, XW, 1, RAX, 32);           /* ror rax, 32: back in place */
        st_dst(c, op->dst);
        break;
    default:
        /* Exclusives (monitor.c's slot protocol), RAISE: the interpreter's
         * code runs them. */
        goto fallback;
    }
    c->native++;
    return true;
fallback:
    c->nzcv_lazy = false; /* the interpreter writes the canonical form */
    j->vwhole = 0; /* the interpreter's C code: V written in any way (see vload) */
    emit_fallback(c, op);
    if (ir_op_info[op->opc].kind == IRK_TERM) {
        /* A terminal always leaves: interp_exec_op returned its exit. */
        x_jmp(j, c->l_epi);
    }
    return true;
}

/* Every temp an op reads or writes is in range (the interpreter's t[]). */
static const char *check_block(const IRBlock *b)
{
    if (b->nops == 0 || !ir_block_terminated(b))
        return "no terminal";
    if (b->ntemps > IR_MAX_TEMPS)
        return "too many temps";
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            return "bad opcode";
        const IROpInfo *inf = &ir_op_info[op->opc];
        IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < inf->nin; k++)
            if (in[k] >= b->ntemps)
                return "input temp out of range";
        if (inf->has_dst && op->dst >= b->ntemps)
            return "dst temp out of range";
    }
    return NULL;
}

/* Debug aid: FLOTILLA_JIT_DUMP=DIR writes each block's code to
 * DIR/<pc>.bin (objdump -D -b binary -mi386:x86-64 FILE) and its layout to
 * DIR/<pc>.txt: the body's offset and each chain slot's patch site (the
 * offset of the rel32; 0 = none), for bench/hostinsns.sh. */
static void dump_code(const char *dir, const IRBlock *b, const uint8_t *p, size_t len)
{
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof(path), "%s/%016llx.bin", dir, (unsigned long long)b->pc);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, len, f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/%016llx.txt", dir, (unsigned long long)b->pc);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "entry_body %u\nsite0 %u\nsite1 %u\nloop0 %u\nloop1 %u\n", b->entry_body, b->chain_site[0],
                b->chain_site[1], b->chain_loop[0], b->chain_loop[1]);
        fclose(f);
    }
}

struct JitScratch {
    JitBuf j;
    Stub *stubs;
    SlotExit *exits;
    FpStub *fpstubs;
    uint32_t capstubs, capexits, capfpstubs;
    /* IR_MAX_TEMPS each (check_block bounds ntemps): no growing. */
    int8_t *treg;
    uint32_t *last_use;
    uint8_t *is_const;
    uint64_t *cval;
    int32_t *home;
    uint16_t *rsi_bad, *rdi_bad; /* IR_MAX_OPS + 1 each (plan_rsi_rdi) */
    uint32_t *oplit;             /* IR_MAX_OPS (Ctx.oplit) */
    IROp *opt;                   /* compile_optimized's working copy */
    uint32_t capopt;
};

JitScratch *jit_scratch_new(void)
{
    JitScratch *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->treg = malloc(IR_MAX_TEMPS);
    s->last_use = malloc(IR_MAX_TEMPS * sizeof(uint32_t));
    s->is_const = malloc(IR_MAX_TEMPS);
    s->cval = malloc(IR_MAX_TEMPS * sizeof(uint64_t));
    s->home = malloc(IR_MAX_TEMPS * sizeof(int32_t));
    s->rsi_bad = malloc((IR_MAX_OPS + 1) * sizeof(uint16_t));
    s->rdi_bad = malloc((IR_MAX_OPS + 1) * sizeof(uint16_t));
    s->oplit = malloc(IR_MAX_OPS * sizeof(uint32_t));
    if (!s->treg || !s->last_use || !s->is_const || !s->cval || !s->home || !s->rsi_bad || !s->rdi_bad ||
        !s->oplit) {
        jit_scratch_free(s);
        return NULL;
    }
    return s;
}

void jit_scratch_free(JitScratch *s)
{
    if (!s)
        return;
    jb_free(&s->j);
    free(s->opt);
    free(s->stubs);
    free(s->exits);
    free(s->fpstubs);
    free(s->treg);
    free(s->last_use);
    free(s->is_const);
    free(s->cval);
    free(s->home);
    free(s->rsi_bad);
    free(s->rdi_bad);
    free(s->oplit);
    free(s);
}

/* Compiling thread: c's buffers from the scratch s (emptied, capacities
 * kept). */
static void ctx_buffers(Ctx *c, JitScratch *s)
{
    const uint32_t n = c->b->ntemps ? c->b->ntemps : 1;
    c->j = s->j;
    c->j.len = 0;
    c->j.nlabels = c->j.nfix = 0;
    c->j.oom = false;
    c->stubs = s->stubs;
    c->capstubs = s->capstubs;
    c->exits = s->exits;
    c->capexits = s->capexits;
    c->fpstubs = s->fpstubs;
    c->capfpstubs = s->capfpstubs;
    c->treg = s->treg;
    c->last_use = s->last_use;
    c->is_const = s->is_const;
    c->cval = s->cval;
    c->home = s->home;
    c->rsi_bad = s->rsi_bad;
    c->rdi_bad = s->rdi_bad;
    c->oplit = s->oplit;
    memset(c->oplit, 0, (c->b->nops < IR_MAX_OPS ? c->b->nops : IR_MAX_OPS) * sizeof(uint32_t));
    memset(c->is_const, 0, n);
    memset(c->cval, 0, n * sizeof(uint64_t));
}

/* Compiling thread: give c's buffers back to s (grown ones included). */
static void ctx_buffers_done(Ctx *c, JitScratch *s)
{
    s->j = c->j;
    s->j.ctx = NULL;
    s->stubs = c->stubs;
    s->capstubs = c->capstubs;
    s->exits = c->exits;
    s->capexits = c->capexits;
    s->fpstubs = c->fpstubs;
    s->capfpstubs = c->capfpstubs;
}

_Static_assert(offsetof(Ctx, mrun) == offsetof(Ctx, fplan) + IR_MAX_OPS &&
                   offsetof(Ctx, mdelta) == offsetof(Ctx, mrun) + IR_MAX_OPS &&
                   offsetof(Ctx, mlo) == offsetof(Ctx, mdelta) + IR_MAX_OPS &&
                   offsetof(Ctx, rmw) == offsetof(Ctx, mlo) + IR_MAX_OPS,
               "compile zeroes fplan, mrun, mdelta, mlo and rmw by range");

/* The literals jit_call_thunk calls through, then the copies of the ops
 * the code hands to interp_exec_op (Ctx.oplit), 8-byte aligned after the
 * block's last exit (never executed: int3 pads up to them). */
static void emit_literals(Ctx *c)
{
    static const void *const thunk[JIT_NTHUNKS] = {
        [JIT_THUNK_REFILL] = (const void *)flotilla_jit_refill,
        [JIT_THUNK_REFILL_PC] = (const void *)flotilla_jit_refill_pc,
        [JIT_THUNK_INTERP] = (const void *)flotilla_jit_interp,
    };
    _Static_assert(sizeof(IROp) % 8 == 0 && _Alignof(IROp) <= 8, "op literals follow 8-byte ones");
    JitBuf *j = &c->j;
    bool any = false;
    for (int t = 0; t < JIT_NTHUNKS; t++)
        any |= c->thunk_used[t];
    if (!any)
        return; /* every op literal is used through the INTERP thunk */
    while (j->len & 7)
        jb_byte(j, 0xcc);
    for (int t = 0; t < JIT_NTHUNKS; t++) {
        if (!c->thunk_used[t])
            continue;
        jb_bind(j, c->thunk_lit[t]);
        jb_u64(j, (uint64_t)(uintptr_t)thunk[t]);
    }
    const uint32_t n = c->b->nops < IR_MAX_OPS ? c->b->nops : IR_MAX_OPS;
    for (uint32_t i = 0; i < n; i++) {
        if (!c->oplit[i])
            continue;
        jb_bind(j, c->oplit[i] - 1);
        uint64_t w[sizeof(IROp) / 8];
        memcpy(w, &c->b->ops[i], sizeof(IROp));
        for (size_t k = 0; k < sizeof(IROp) / 8; k++)
            jb_u64(j, w[k]);
    }
}

/* Compiles the ops of src into code for b (src is b, or an optimized copy
 * of b's IR that only lives during the compile). The code keeps copies of
 * the few ops it hands the interpreter (Ctx.oplit), so that neither array
 * is needed once it is there. */
static bool compile(JitTarget *t, IRBlock *b, const IRBlock *src, uint32_t tb_flags, const char **why)
{
    IRBlock *const self = b;
    b = (IRBlock *)src; /* read only below, but for self's outputs */
    /* A block from translate_block passed ir_verify, which checks all this
     * and more, and its IR has not changed since. */
    *why = b->verified ? NULL : check_block(b);
    if (*why)
        return false;
    if (b->ninsns > 127)
        *why = "too many instructions for the chained entry's imm8";
    if (*why)
        return false;
    /* Zeroed but for the per-op plans past the block's ops, which nothing
     * reads: they are most of the Ctx's ~13 KiB. */
    Ctx c;
    const size_t plans = offsetof(Ctx, fplan), plans_end = offsetof(Ctx, rmw) + sizeof(c.rmw);
    const size_t nplan = b->nops < IR_MAX_OPS ? b->nops : IR_MAX_OPS;
    memset(&c, 0, plans);
    memset((char *)&c + plans_end, 0, sizeof(c) - plans_end);
    memset(c.fplan, 0, nplan);
    memset(c.mrun, 0, nplan);
    memset(c.mdelta, 0, nplan);
    memset(c.mlo, 0, nplan);
    memset(c.rmw, 0, nplan);
    c.b = b;
    c.self = self;
    c.tb_flags = tb_flags;
    c.mon = t->machine ? t->machine->monitor : NULL;
    c.excl_eager_ok = c.mon && !t->machine->det;
    c.rax_temp = c.rax_prev = IR_NO_TEMP;
    c.cc_temp = c.al_temp = c.scaled_temp = IR_NO_TEMP;
    c.and_end = 0;
    jit_xc_reset(&c);
    jit_loop_plan(&c, b);
    /* A core without its own scratch (the unit tests' CPUs) gets one for
     * this block. */
    JitScratch *own = t->scratch ? NULL : jit_scratch_new();
    JitScratch *scratch = t->scratch ? t->scratch : own;
    if (!scratch) {
        *why = "out of memory";
        return false;
    }
    ctx_buffers(&c, scratch);
    jit_census(&c);
    jit_plan_flags(&c);
    if (!jit_plan_mem_runs(&c) || !jit_alloc_regs(&c)) { /* the runs first: jit_alloc_regs keeps RDI out of them */
        ctx_buffers_done(&c, scratch);
        jit_scratch_free(own);
        *why = "out of memory";
        return false;
    }
    jit_check_exit_packs(&c);
    jit_plan_loop_tlb(&c);
    JitBuf *j = &c.j;
    j->ctx = &c; /* the V registers' XMM cache (jit_vload) */
    j->vwhole = 0;
    c.l_epi = jb_label(j);
    c.l_exc = jb_label(j);
    c.l_stop = jb_label(j);
    c.l_stop_budget = jb_label(j);
    c.l_lnz_stop = jb_label(j);
    c.l_lnz_stop_budget = jb_label(j);

    /* Chained entry (other blocks jump here). The dispatcher enters past
     * its checks (entry_body). */
    jit_emit_entry_checks(&c, c.l_stop, c.l_stop_budget);
    uint32_t entry_body = (uint32_t)j->len;
    c.l_body = jb_label(j);
    for (uint32_t i = 0; i < b->nops && !j->oom; i++) {
        if (i == c.loop_head && i) {
            /* A self-loop's body (jit_loop_x86.c): its stub, placed right
             * before it so that the back edge falls through into it,
             * arrives here with the live-in registers loaded and nothing in
             * RAX. The head jumps over it, after loading the carried V
             * registers into their cache slots (the branch put them there
             * for the stub). */
            jit_loop_head_v(&c, true);
            if (c.lnz_mem)
                jit_emit_lnz_mark(&c); /* the first pass's budget (plan_loop_pack) */
            jit_emit_lts_init(&c);
            x_jmp(j, c.l_body);
            jit_emit_loop_stubs(&c);
            jb_bind(j, c.l_body);
            c.rax_temp = IR_NO_TEMP;
            j->vwhole = 0; /* also reached from the block's end */
            jit_loop_head_v(&c, false);
            jit_fp_reset_mode(&c);
        }
        c.op_index = i;
        if (!emit_op(&c, &b->ops[i]))
            break;
    }
    jb_bind(j, c.l_exc);
    x_mov_ri(j, RAX, BX_EXCEPTION);
    jb_bind(j, c.l_epi);
    /* Every exit names its block, so that the dispatcher can give back the
     * unrun instructions of a block left by an exception (smp/vcpu.c). */
    x_mov_ri(j, RCX, (uint64_t)(uintptr_t)self);
    st64(j, RBX, CPU_OFF(jit_last), RCX);
    st32(j, RBX, CPU_OFF(chain_budget), JIT_BUDGET);
    x_rr(j, XW, 0x81, 0, RSP);                   /* add rsp, JIT_FRAME + 8 (flotilla_jit_enter's) */
    jb_u32(j, JIT_FRAME + 8);
    static const uint8_t pops[] = {0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b};
    for (size_t k = 0; k < sizeof(pops); k++)
        jb_byte(j, pops[k]);                     /* pop r15, r14, r13, r12, rbp, rbx */
    jb_byte(j, 0xc3);                            /* ret */
    jit_emit_stubs(&c);
    jit_fp_emit_stubs(&c);
    emit_xpack_exits(&c);
    jit_emit_exits(&c);
    emit_literals(&c);

    bool ok = false;
    if (!jb_resolve(j)) {
        *why = "out of memory or unbound label";
    } else {
        uint32_t size;
        void *code = jit_code_alloc(t->code, j->len, &size);
        if (!code) {
            *why = t->code ? "code buffer full" : "no code memory (JitTarget.code)";
        } else {
            memcpy(code, j->p, j->len);
            perfmap_add(t->machine, code, j->len, self->pc, tb_flags);
            self->native_size = size;
            self->jit_code = t->code;
            self->entry_body = entry_body;
            for (int k = 0; k < IR_CHAIN_SLOTS; k++) {
                self->chain_site[k] = c.site_used[k] ? c.site_pos[k] : 0;
                self->chain_stub[k] = c.site_used[k] ? (uint32_t)j->labels[c.site_stub[k]] : 0;
                self->chain_pc[k] = c.site_used[k] ? c.site_pc[k] : 0;
                self->chain_loop[k] = k < 2 && c.loop_used[k] ? (uint32_t)j->labels[c.loop_label[k]] : 0;
            }
            /* Last, with release: a block compiled lazily is already
             * published, and other cores read native (ir_native) and then
             * the fields above. */
            __atomic_store_n(&self->native, code, __ATOMIC_RELEASE);
            dump_code(jit_code_dump_dir(t->code), self, j->p, j->len);
            jit_code_count(t->code, true, c.native, c.called, c.called_opc, c.lnz, c.nlts);
            ok = true;
        }
    }
    ctx_buffers_done(&c, scratch);
    jit_scratch_free(own);
    return ok;
}

/* A block translated unoptimized (IRBlock.unoptimized): compile an
 * optimized copy of its IR, made in the thread's scratch and gone after
 * (the code carries the ops its slow paths run). b's own IR stays as it
 * is: other cores may be interpreting it. */
static bool compile_optimized(JitTarget *t, IRBlock *b, uint32_t tb_flags, const char **why)
{
    JitScratch *sc = t->scratch;
    IROp *work = NULL;
    if (sc && sc->capopt < b->nops) {
        IROp *n = realloc(sc->opt, b->nops * sizeof(IROp));
        if (n) {
            sc->opt = n;
            sc->capopt = b->nops;
        }
    }
    if (sc && sc->capopt >= b->nops)
        work = sc->opt;
    IROp *own = work ? NULL : malloc((b->nops ? b->nops : 1) * sizeof(IROp));
    if (!work && !own) {
        *why = "out of memory";
        return false;
    }
    IRBlock s = *b;
    s.ops = work ? work : own;
    memcpy(s.ops, b->ops, b->nops * sizeof(IROp));
    s.cap = b->nops ? b->nops : 1;
    s.scratch = NULL;
    s.native = NULL;
    s.ops_dropped = false;
    ir_optimize(&s);
    /* What the optimizer made must verify as the translator's IR did (a
     * failure is our bug: the block stays on the interpreter). */
    *why = ir_verify(&s);
    bool ok = false;
    if (!*why) {
        s.verified = true;
        ok = compile(t, b, &s, tb_flags, why);
    }
    free(own);
    return ok;
}

bool jit_compile_for(JitTarget *t, IRBlock *b, uint32_t tb_flags)
{
    const char *why = NULL;
    /* Its ops are gone with its first code (tcache_native_ready): keep that
     * code rather than free it and have nothing to run. */
    if (atomic_load_explicit(&b->ops_dropped, memory_order_acquire))
        return false;
    if (b->native) {
        jit_code_free(b->jit_code, b->native, b->native_size);
        b->native = NULL;
        b->jit_code = NULL;
    }
    if (b->unoptimized ? compile_optimized(t, b, tb_flags, &why) : compile(t, b, b, tb_flags, &why))
        return true;
    jit_code_count(t->code, false, 0, 0, NULL, false, 0);
    if (t->machine && machine_tracing(t->machine, TRACE_UNIMP))
        machine_log(t->machine, "jit: block at 0x%llx left to the interpreter: %s\n",
                    (unsigned long long)b->pc, why);
    return false;
}

bool jit_compile(CPUState *cpu, IRBlock *b, uint32_t tb_flags)
{
    JitTarget t = {.machine = cpu->machine, .code = cpu->jit_code, .scratch = cpu->jit_scratch};
    return jit_compile_for(&t, b, tb_flags);
}
