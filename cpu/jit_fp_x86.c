/* Tier 1: FP arithmetic inline on SSE, checked, with the host-FP C helpers
 * (cpu/fp_hard.c) and soft-float behind them.
 *
 * For FADD, FSUB, FMUL, FDIV, FNMUL, FSQRT and (with FMA3) FMADD, FMSUB,
 * FNMADD, FNMSUB in single and double precision (FCMP and FCMPE: below), and vector FADD, FSUB,
 * FMUL, FDIV, FMLA, FMLS, also FMUL, FMLA, FMLS by element (2S, 4S, 2D;
 * every lane checked), the generated code does
 *
 *     FPCR.{RMode,FZ} == 0 and FPSR.IXC set?      else -> slow
 *     the SSE instruction on the operands (straight from their registers)
 *     result exponent in [2, max - 1]?             else -> slow
 *     (FADD, FSUB: any finite result, see sum_check)
 *
 * With round-to-nearest and no flushing the host computes Arm's value for
 * any input that gives such a result: a NaN operand makes a NaN result, an
 * infinite one an infinite or NaN result, and denormal operands are used as
 * they are on both sides (IDC is only set when flushing). A result of at
 * least twice the smallest normal cannot have underflowed, and is not
 * infinite, so no flag other than IXC can be raised, and IXC is already set
 * (sticky). FPCR.DN only concerns NaN results and AHP half precision.
 * Everything else (zeros, tiny results, overflow, NaNs, other modes, IXC
 * clear) takes the slow path: the C fast path picked by fp_hard_helper,
 * which handles exact zeros and overflow itself and calls soft-float for
 * the rest. The slow path is out of line (jit_fp_emit_stubs), after the
 * block's epilogue. It does not store the pc (these helpers never raise
 * or read it), so the compiler's idea of a synced pc stays true on both
 * paths.
 *
 * Thread rules: jit_fp_inline runs on the compiling thread. */
#include "jit_fp_x86.h"

#include "fp_hard.h"
#include "fpu.h"
#include "jit_simd_x86.h"
#include "jit_xcache_x86.h"

enum { X0, X1, X2 };

/* movq r64, xmm / movd r32, xmm (zero-extends) */
static void xmm_to_gpr(JitBuf *j, int r, int x, bool d) { x_rr(j, X66 | (d ? XW : 0), 0x0f7e, x, r); }

/* F2 (double) / F3 (single) 0F op xmm, xmm */
static void sse_scalar(JitBuf *j, bool d, uint8_t op, int dst, int src)
{
    jb_byte(j, d ? 0xf2 : 0xf3);
    x_rr(j, 0, 0x0f00u | op, dst, src);
}

/* VEX.LIG.F2/F3.0F op dst, s1, s2 (any of XMM0-15): the AVX form of
 * sse_scalar, dst = s1 op s2 (sqrt: of s2) in the low lane */
static void vex_scalar(JitBuf *j, bool d, uint8_t op, int dst, int s1, int s2)
{
    x_vex_rr(j, 1, d ? 3 : 2, false, s1, op, dst, s2); /* map 0F, pp = F2 / F3, W0 */
}

/* vfm*231{s,p}{d,s} xmm2, xmm0, xmm1 (VEX.128/LIG.66.0F38.W{1,0} op; the
 * opcode says packed or scalar): xmm2 = +-(xmm0 * xmm1) +- xmm2 */
static void fma231r(JitBuf *j, bool d, uint8_t op, int dst, int s1, int s2)
{
    x_vex_rr(j, 2, 1, d, s1, op, dst, s2); /* map 0F38, pp = 66, W = double */
}

static void fma231(JitBuf *j, bool d, uint8_t op) { fma231r(j, d, op, X2, X0, X1); }

/* The precondition of every inline fast path: FPCR.RMode = RN, FPCR.FZ = 0,
 * FPSR.IXC = 1. */
static void emit_mode_check(JitBuf *j, uint32_t l_slow)
{
    x_mem(j, 0, 0xf7, 0, RBX, CPU_OFF(fpcr));               /* test dword [fpcr], imm32 */
    jb_u32(j, 3u << FPCR_RMODE_SHIFT | FPCR_FZ);
    x_jcc(j, CC_NE, l_slow);
    x_mem(j, 0, 0xf6, 0, RBX, CPU_OFF(fpsr));               /* test byte [fpsr], IXC */
    jb_byte(j, FPEXC_IXC);
    x_jcc(j, CC_E, l_slow);
}

/* The same precondition once per stretch of code without calls (when the
 * stretch has more than one inline FP candidate, fp_op_follows): the FP
 * mode word [rsp + JIT_FPMODE(c)] is 0 when it holds, else >= 0x1000, and each
 * op ORs it into its result test, whose limit it then exceeds (one
 * micro-fused uop instead of two loads, tests and branches per op). It is
 * computed at the first such op after the block's start, a self-loop's head
 * or a call in the main code stream (which may write FPCR or FPSR), and is
 * valid until the next: the stubs' calls (FP helpers, TLB refills, the
 * interpreter's loads and stores) only OR flags into FPSR, so IXC stays set
 * and FPCR unchanged; a word computed with IXC clear only sends ops to their
 * slow path (the helper, exact) until the next stretch. Uses edi. */
_Static_assert(offsetof(CPUState, fpsr) == offsetof(CPUState, fpcr) + 4, "one dword spans FPCR[31:16] and FPSR[15:0]");
#define MODE_MASK ((3u << FPCR_RMODE_SHIFT | FPCR_FZ) >> 16 | (uint32_t)FPEXC_IXC << 16)
/* Is there another inline-FP candidate (helper_fp_scalar or helper_simd_fp)
 * before the next call? Any other CALL or a terminal ends the scan (most
 * call C; an inline SIMD op just ends it early). */
static bool fp_op_follows(const Ctx *c)
{
    const IRBlock *b = c->b;
    for (uint32_t i = c->op_index + 1; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_CALL)
            return op->aux == HELPER_fp_scalar || op->aux == HELPER_simd_fp;
        if (ir_op_info[op->opc].kind == IRK_TERM)
            return false;
    }
    return false;
}

/* The mode test of an op: true if it is the word (valid, or computed here
 * because another FP op follows in the stretch), which the op ORs into its
 * result test; false if a lone op got the two direct tests instead (the
 * word would cost it more: a matmul loop's one FMLA per block). */
static bool emit_mode_word(Ctx *c, uint32_t l_slow)
{
    if (c->fpx.mode_ok && c->fpx.mode_calls == c->ncalls)
        return true;
    JitBuf *j = &c->j;
    if (!fp_op_follows(c)) {
        emit_mode_check(j, l_slow);
        return false;
    }
    x_mem(j, 0, 0x8b, RDI, RBX, CPU_OFF(fpcr) + 2);         /* mov edi, FPCR[31:16] | FPSR[15:0] << 16 */
    x_alu_ri(j, 0, 4, RDI, (int32_t)MODE_MASK);             /* and */
    x_alu_ri(j, 0, 6, RDI, FPEXC_IXC << 16);                /* xor: 0 if RN, FZ = 0, IXC = 1 */
    x_shift_ri(j, 0, 4, RDI, 6);                            /* shl: else in [0x1000, 0x4000000] */
    x_mem(j, 0, 0x89, RDI, RSP, JIT_FPMODE(c));                /* mov [rsp + JIT_FPMODE(c)], edi */
    c->fpx.mode_ok = true;
    c->fpx.mode_calls = c->ncalls;
    return true;
}

/* Per lane format (single, double) and check (strict: exponent in
 * [2, max - 1]; sum: any exponent but max, see sum_check): exponent mask,
 * then the bias and limit that make the range test one signed pcmpgtd. */
static const uint32_t lane_check[2][2][3][4] __attribute__((aligned(16))) = {
    {{{0xff, 0xff, 0xff, 0xff}, {0x7ffffffe, 0x7ffffffe, 0x7ffffffe, 0x7ffffffe},
      {0x800000fc, 0x800000fc, 0x800000fc, 0x800000fc}},
     {{0xff, 0xff, 0xff, 0xff}, {0x80000000, 0x80000000, 0x80000000, 0x80000000},
      {0x800000fe, 0x800000fe, 0x800000fe, 0x800000fe}}},
    {{{0x7ff, 0x7ff, 0x7ff, 0x7ff}, {0x7ffffffe, 0x7ffffffe, 0x7ffffffe, 0x7ffffffe},
      {0x800007fc, 0x800007fc, 0x800007fc, 0x800007fc}},
     {{0x7ff, 0x7ff, 0x7ff, 0x7ff}, {0x80000000, 0x80000000, 0x80000000, 0x80000000},
      {0x800007fe, 0x800007fe, 0x800007fe, 0x800007fe}}},
};

/* FADD and FSUB may accept any finite result, zeros and denormals included:
 * with FZ = 0 the sum of two finite values is exact whenever it is tiny
 * (both are multiples of the smallest denormal), so Arm raises no UFC, and
 * an exact zero is +0 in RN on both (x + -x) or the operands' common sign.
 * Only infinities and NaNs (overflow, invalid, NaN operands) are left to
 * the slow path. Products, quotients and fused ops can round a tiny value,
 * so they keep the strict test. */

/* Record op's slow branch: bound at `slow`, emitted after the block's
 * epilogue (jit_fp_emit_stubs), so the fast path falls straight through.
 * NULL when out of memory (the block then fails to compile). */
static FpStub *add_fp_stub(Ctx *c, const IROp *op, uint32_t slow, uint32_t back, HelperFn fn, bool operands)
{
    c->fpstubs = jb_grow(c->fpstubs, &c->capfpstubs, sizeof(FpStub), c->nfpstubs + 1, &c->j.oom);
    if (c->j.oom) /* the block fails to compile; the labels stay unbound */
        return NULL;
    FpStub *s = &c->fpstubs[c->nfpstubs++];
    *s = (FpStub){.slow = slow, .back = back, .op = op, .fn = fn, .operands = operands, .xres = -1};
    jit_xc_snapshot(c, &s->xs);
    return s;
}

/* ---- the XMM value cache (FpXCache, cpu/jit_xcache_x86.c) ---- */

void jit_fp_reset_mode(Ctx *c) { c->fpx.mode_ok = false; }

/* A guest load (LOAD of 4 or 8 bytes, plain or with the MMU-off alignment
 * flag, not a run's follower) whose result an inline scalar FP op reads
 * (LDR S/D feeding FMUL...): also read
 * the value straight into a cache register, so that the FP op takes it with
 * a movaps instead of waiting for the load and then a movd from the GPR
 * (the host's GPR-to-XMM move is most of that hop's latency). Returns the
 * cache slot k (XMM8+k) the caller loads from the host address, or -1. The
 * load's own stub reloads it after its interpreter call (the refill path
 * resumes before the load). */
int jit_fp_load_slot(Ctx *c, const IROp *op, uint32_t si)
{
    const IRBlock *b = c->b;
    uint32_t i = c->op_index;
    if (op->opc != IR_LOAD || (op->flags & ~(IRF_ALIGN | IRF_UNPRIV)) || (op->size != 4 && op->size != 8) ||
        c->last_use[op->dst] == 0 || (b->nops <= IR_MAX_OPS && c->mdelta[i]))
        return -1;
    bool fp = false;
    for (uint32_t k = i + 1; k < c->last_use[op->dst] && k < b->nops && !fp; k++) {
        const IROp *u = &b->ops[k];
        fp = u->opc == IR_CALL && (u->aux == HELPER_fp_scalar || u->aux == HELPER_fp_cmp) &&
             (u->a == op->dst || u->b == op->dst || u->c == op->dst);
    }
    if (!fp)
        return -1;
    jit_xc_check(c);
    int k = jit_xc_alloc(c);
    jit_xc_set_temp(c, k, op->dst, op->size == 8);
    c->stubs[si].xs.temp[k] = op->dst; /* the interpreter's path: from its register or slot */
    c->stubs[si].xs.vreg[k] = -1;
    return k;
}

/* xmm x = temp t: from the XMM cache if it is there, else from its
 * register or slot. */
static void temp_to_xmm(Ctx *c, int x, IRTemp t, bool d)
{
    int k = jit_xc_find_temp(c, t, d);
    if (k >= 0)
        x_rr(&c->j, 0, 0x0f28, x, 8 + k);                   /* movaps xmm, xmm8+k */
    else
        jit_xc_load_temp(c, x, t, d);
}

void jit_fp_emit_stubs(Ctx *c)
{
    JitBuf *j = &c->j;
    for (uint32_t i = 0; i < c->nfpstubs; i++) {
        const FpStub *s = &c->fpstubs[i];
        jb_bind(j, s->slow);
        if (s->operands) {
            const IRTemp in[3] = {s->op->a, s->op->b, s->op->c};
            static const int arg[3] = {RSI, RDX, RCX};
            for (int k = 0; k < 3; k++)
                if (in[k] != IR_NO_TEMP)
                    ldt(c, arg[k], in[k], true);
        }
        x_rr(j, XW, 0x89, RBX, RDI);
        call_abs_imm(c, (const void *)s->fn, s->op->imm);
        jit_xc_reload(c, &s->xs, s->xres);
        x_jmp(j, s->back);
    }
}

static int32_t voff(int reg) { return (int32_t)offsetof(CPUState, v) + 16 * reg; }

/* The end of a vector op's fast path: xmm `res` to Vd (the upper half
 * zeroed for a 64-bit vector), and the out-of-line slow branch, which calls
 * slow_fn(cpu, -, -, -, imm) with the op's imm and writes Vd itself. dst
 * (the helper's return) is 0, if anything reads it. */
static bool vec_store_or_call(Ctx *c, const IROp *op, int res, int rd, bool q, uint32_t l_slow, uint32_t l_done,
                              HelperFn slow_fn)
{
    JitBuf *j = &c->j;
    jit_vstore(j, res, rd, q);                              /* before the stub's snapshot: it reloads Vd */
    add_fp_stub(c, op, l_slow, l_done, slow_fn, false);
    jb_bind(j, l_done);
    if (c->last_use[op->dst]) {
        x_mov_ri(j, RAX, 0);
        st_dst(c, op->dst);
    }
    return true;
}

/* Vector FADD, FSUB, FMUL, FDIV and (FMA3) FMLA, FMLS, 2S/4S/2D, and FMUL,
 * FMLA, FMLS by element: the same check on every lane, the result stored
 * only when all pass. */
static bool vector3(Ctx *c, const IROp *op, bool by_elem)
{
    uint32_t insn = (uint32_t)op->imm;
    if (bit(insn, 28))
        return false; /* scalar forms */
    bool d = bit(insn, 22), q = bit(insn, 30), fused = false;
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5), rm = (int)bits(insn, 20, 16);
    uint8_t o;
    int sum = 0; /* 1: FADD/FSUB, see sum_check */
    if (by_elem) {
        if (bit(insn, 29))
            return false; /* FMULX */
        switch (bits(insn, 15, 12)) {
        case 9: o = 0x59; break;                            /* FMUL */
        case 1: o = 0xb8, fused = true; break;              /* FMLA */
        case 5: o = 0xbc, fused = true; break;              /* FMLS */
        default: return false;
        }
    } else {
        switch (bit(insn, 29) << 6 | bit(insn, 23) << 5 | bits(insn, 15, 11)) {
        case 0x1a: o = 0x58, sum = 1; break;                /* FADD: addp{s,d} */
        case 0x3a: o = 0x5c, sum = 1; break;                /* FSUB */
        case 0x5b: o = 0x59; break;                         /* FMUL */
        case 0x5f: o = 0x5e; break;                         /* FDIV */
        case 0x19: o = 0xb8, fused = true; break;           /* FMLA: vfmadd231p{s,d} */
        case 0x39: o = 0xbc, fused = true; break;           /* FMLS: vfnmadd231p{s,d} */
        default: return false;
        }
    }
    if ((fused && !fp_hard_fma3()) || (d && !q) || (by_elem && d && bit(insn, 21)))
        return false;
    HelperFn slow_fn = fp_hard_helper(op->aux, op->imm);
    if (!slow_fn)
        slow_fn = helper_table[op->aux];
    JitBuf *j = &c->j;
    uint32_t l_slow = jb_label(j), l_done = jb_label(j);
    bool word = emit_mode_word(c, l_slow);
    unsigned pd = d ? X66 : 0;
    for (int i = 0; i < 3; i++) {                           /* xmm0 = Vn, xmm1 = Vm, xmm2 = Vd */
        int reg = i == 0 ? rn : i == 1 ? rm : rd;
        if (i == 2 && !fused)
            break;
        if (i == 1 && by_elem) {                            /* Vm[index] in every lane */
            int index = d ? (int)bit(insn, 11) : (int)(bit(insn, 11) << 1 | bit(insn, 21));
            int32_t at = voff(rm) + index * (d ? 8 : 4);
            if (d) {
                x_mem(j, X66 | XW, 0x0f6e, X1, RBX, at);    /* movq xmm1, m64 */
                x_rr(j, X66, 0x0f6c, X1, X1);               /* punpcklqdq */
            } else {
                x_mem(j, X66, 0x0f6e, X1, RBX, at);         /* movd xmm1, m32 */
                x_rr(j, X66, 0x0f70, X1, X1);               /* pshufd xmm1, xmm1, 0 */
                jb_byte(j, 0);
            }
            continue;
        }
        jit_vload(j, i, reg, q);
    }
    int res = X0;
    if (fused) {
        fma231(j, d, o);
        res = X2;
    } else {
        x_rr(j, pd, 0x0f00u | o, X0, X1);
    }
    x_rr(j, 0, 0x0f28, 3, res);                             /* movaps xmm3, res */
    x_rr(j, X66, d ? 0x0f73 : 0x0f72, 2, 3);                /* psrl{q,d} xmm3, exponent */
    jb_byte(j, d ? 52 : 23);
    x_mov_ri(j, RAX, (uint64_t)(uintptr_t)lane_check[d][sum]);
    x_mem(j, X66, 0x0fdb, 3, RAX, 0);                       /* pand */
    x_mem(j, X66, 0x0ffe, 3, RAX, 16);                      /* paddd */
    x_mem(j, X66, 0x0f66, 3, RAX, 32);                      /* pcmpgtd */
    x_rr(j, 0, 0x0f50, RAX, 3);                             /* movmskps eax, xmm3 */
    if (word) {
        x_mem(j, 0, 0x0b, RAX, RSP, JIT_FPMODE(c));         /* or eax, the mode word */
        jb_byte(j, 0xa9);                                   /* test eax, the lanes in use | the mode */
        jb_u32(j, 0xfffff000u | (d ? 0x5 : q ? 0xf : 0x3));
    } else {
        jb_byte(j, 0xa8);                                   /* test al, the lanes in use */
        jb_byte(j, d ? 0x5 : q ? 0xf : 0x3);
    }
    x_jcc(j, CC_NE, l_slow);
    return vec_store_or_call(c, op, res, rd, q, l_slow, l_done, slow_fn);
}

/* The slow branch shared by the scalar ops, out of line: the C fast path
 * (or the soft helper) with the op's operands; the result is in rax at
 * l_done. */
static FpStub *scalar_stub(Ctx *c, const IROp *op, uint32_t l_slow, uint32_t l_done)
{
    HelperFn slow_fn = fp_hard_helper(op->aux, op->imm);
    FpStub *s = add_fp_stub(c, op, l_slow, l_done, slow_fn ? slow_fn : helper_table[op->aux], true);
    jb_bind(&c->j, l_done);
    return s;
}

/* FCMP, FCMPE (S, D): with FPCR.FZ = 0 an ordered ucomis gives Arm's NZCV and
 * no flag (IDC only when flushing); unordered (a NaN: IOC for FCMPE or a
 * signalling NaN) goes to the helper. The helper's return: NZCV << 28. */
static bool compare(Ctx *c, const IROp *op)
{
    uint32_t insn = (uint32_t)op->imm;
    if (bits(insn, 23, 22) > 1 || bits(insn, 11, 10) != 0)
        return false; /* half precision, FCCMP */
    bool d = bit(insn, 22);
    JitBuf *j = &c->j;
    uint32_t l_slow = jb_label(j), l_done = jb_label(j);
    x_mem(j, 0, 0xf7, 0, RBX, CPU_OFF(fpcr));               /* test dword [fpcr], FZ */
    jb_u32(j, FPCR_FZ);
    x_jcc(j, CC_NE, l_slow);
    temp_to_xmm(c, X0, op->a, d);
    temp_to_xmm(c, X1, op->b, d);
    x_rr(j, d ? X66 : 0, 0x0f2e, X0, X1);                   /* ucomis{d,s} xmm0, xmm1 */
    x_jcc(j, CC_P, l_slow);                                 /* unordered */
    x_mov_ri(j, RAX, 0x20000000);                           /* greater: C */
    x_mov_ri(j, RCX, 0x80000000);                           /* less: N */
    x_rr(j, 0, 0x0f42, RAX, RCX);                           /* cmovb */
    x_mov_ri(j, RCX, 0x60000000);                           /* equal: Z C */
    x_rr(j, 0, 0x0f44, RAX, RCX);                           /* cmove */
    scalar_stub(c, op, l_slow, l_done);
    st_dst(c, op->dst);
    return true;
}

/* SCVTF, UCVTF, FCVTZS, FCVTZU (vector, integer), 2S and 4S, under the mode
 * check (RN, no flushing, IXC already set):
 * - SCVTF is cvtdq2ps (rounded by MXCSR's RN, as Arm's RN; an int32 gives no
 *   flag but IXC);
 * - UCVTF converts the high and low 16 bits apart (both exact), scales the
 *   high part by 2^16 (exact) and adds: one rounding, as Arm's;
 * - FCVTZS is cvttps2dq; a lane of 0x80000000 (NaN, out of range, or exactly
 *   -2^31) takes the slow path, which sets IOC where Arm does;
 * - FCVTZU is cvttps2dq on lanes in [+0, 2^31) only (the float's bits below
 *   0x4f000000 unsigned); any other lane takes the slow path.
 * Denormal inputs (FZ = 0) convert to 0 and are inexact, as on Arm. */
static bool vector_cvt(Ctx *c, const IROp *op)
{
    uint32_t insn = (uint32_t)op->imm;
    if (bit(insn, 28) || bit(insn, 22))
        return false; /* scalar, 2D */
    bool q = bit(insn, 30), u = bit(insn, 29), to_int;
    switch (bit(insn, 23) << 5 | bits(insn, 16, 12)) {
    case 0x1d: to_int = false; break;                       /* [SU]CVTF */
    case 0x3b: to_int = true; break;                        /* FCVTZ[SU] */
    default: return false;
    }
    int rd = (int)bits(insn, 4, 0), rn = (int)bits(insn, 9, 5);
    HelperFn slow_fn = fp_hard_helper(op->aux, op->imm);
    if (!slow_fn)
        slow_fn = helper_table[op->aux];
    JitBuf *j = &c->j;
    uint32_t l_slow = jb_label(j), l_done = jb_label(j);
    emit_mode_check(j, l_slow);
    jit_vload(j, X0, rn, q);
    if (!to_int && !u) {
        x_rr(j, 0, 0x0f5b, X0, X0);                         /* cvtdq2ps */
    } else if (!to_int) {
        x_rr(j, 0, 0x0f28, X1, X0);                         /* movaps xmm1, xmm0 */
        x_rr(j, X66, 0x0f72, 2, X0);                        /* psrld xmm0, 16: high halves */
        jb_byte(j, 16);
        x_rr(j, X66, 0x0f72, 6, X1);                        /* pslld xmm1, 16 */
        jb_byte(j, 16);
        x_rr(j, X66, 0x0f72, 2, X1);                        /* psrld xmm1, 16: low halves */
        jb_byte(j, 16);
        x_rr(j, 0, 0x0f5b, X0, X0);                         /* cvtdq2ps: exact */
        x_rr(j, 0, 0x0f5b, X1, X1);
        x_mov_ri(j, RAX, 0x47800000);                       /* 65536.0f */
        x_rr(j, X66, 0x0f6e, X2, RAX);                      /* movd */
        x_rr(j, X66, 0x0f70, X2, X2);                       /* pshufd: every lane */
        jb_byte(j, 0);
        x_rr(j, 0, 0x0f59, X0, X2);                         /* mulps: exact */
        x_rr(j, 0, 0x0f58, X0, X1);                         /* addps: the one rounding */
    } else {
        if (u) {                                            /* every lane in [+0, 2^31)? */
            x_rr(j, 0, 0x0f28, X1, X0);
            x_mov_ri(j, RAX, 0x80000000u);
            x_rr(j, X66, 0x0f6e, X2, RAX);
            x_rr(j, X66, 0x0f70, X2, X2);
            jb_byte(j, 0);
            x_rr(j, X66, 0x0fef, X1, X2);                   /* pxor: unsigned order as signed */
            x_mov_ri(j, RAX, 0xcf000000u);                  /* 0x4f000000 ^ 0x80000000 */
            x_rr(j, X66, 0x0f6e, X2, RAX);
            x_rr(j, X66, 0x0f70, X2, X2);
            jb_byte(j, 0);
            x_rr(j, X66, 0x0f66, X2, X1);                   /* pcmpgtd: limit > bits */
            x_rr(j, 0, 0x0f50, RAX, X2);                    /* movmskps: the lanes that pass */
            x_alu_ri(j, 0, 4, RAX, q ? 0xf : 0x3);          /* and eax, the lanes in use */
            x_alu_ri(j, 0, 7, RAX, q ? 0xf : 0x3);          /* cmp: all of them? */
            x_jcc(j, CC_NE, l_slow);
        }
        jb_byte(j, 0xf3);
        x_rr(j, 0, 0x0f5b, X0, X0);                         /* cvttps2dq */
        x_mov_ri(j, RAX, 0x80000000u);
        x_rr(j, X66, 0x0f6e, X1, RAX);
        x_rr(j, X66, 0x0f70, X1, X1);
        jb_byte(j, 0);
        x_rr(j, X66, 0x0f76, X1, X0);                       /* pcmpeqd: the "indefinite" lanes */
        x_rr(j, 0, 0x0f50, RAX, X1);
        jb_byte(j, 0xa8);
        jb_byte(j, q ? 0xf : 0x3);
        x_jcc(j, CC_NE, l_slow);
    }
    return vec_store_or_call(c, op, X0, rd, q, l_slow, l_done, slow_fn);
}

bool jit_fp_inline(Ctx *c, const IROp *op)
{
    if (op->flags & IRF_EXCEPT)
        return false;
    jit_xc_check(c);
    if (op->aux == HELPER_fp_cmp)
        return compare(c, op);
    if (op->aux == HELPER_simd_fp && (op->imm >> 32) == FPK_V3SAME)
        return vector3(c, op, false);
    if (op->aux == HELPER_simd_fp && (op->imm >> 32) == FPK_VELEM)
        return vector3(c, op, true);
    if (op->aux == HELPER_simd_fp && (op->imm >> 32) == FPK_V2MISC)
        return vector_cvt(c, op);
    if (op->aux != HELPER_fp_scalar)
        return false;
    uint32_t insn = (uint32_t)op->imm;
    enum FpKind k = (enum FpKind)(op->imm >> 32);
    int type = (int)bits(insn, 23, 22);
    if (type > 1)
        return false;
    bool d = type == 1, neg = false, fused = false, sum = false;
    uint8_t sse = 0;
    if (k == FPK_DP2) {
        static const uint8_t ops[9] = {0x59, 0x5e, 0x58, 0x5c, 0, 0, 0, 0, 0x59}; /* mul div add sub .. nmul */
        unsigned o = bits(insn, 15, 12);
        if (o > 8 || !ops[o])
            return false;
        sse = ops[o];
        neg = o == 8;
        sum = o == 2 || o == 3;
    } else if (k == FPK_DP1 && bits(insn, 20, 15) == 3) {
        sse = 0x51;                                         /* sqrt */
    } else if (k == FPK_DP3 && fp_hard_fma3()) {
        static const uint8_t ops[4] = {0xb9, 0xbd, 0xbf, 0xbb}; /* FMADD FMSUB FNMADD FNMSUB */
        sse = ops[bit(insn, 21) << 1 | bit(insn, 15)];
        fused = true;
    } else {
        return false;
    }
    JitBuf *j = &c->j;
    uint32_t l_slow = jb_label(j), l_done = jb_label(j);
    bool word = emit_mode_word(c, l_slow);

    int res = X0, xk = -1;
    bool keep = !neg && c->last_use[op->dst];               /* keep the result in XMM8-15 too */
    if (!fused && fp_hard_fma3()) {
        /* AVX (FMA3 hosts have it): v{op}s{s,d} dst, a, b straight from the cache
         * registers into the result's, no copies (the upper lanes of a cache
         * register are never read) */
        int ka = jit_xc_find_temp(c, op->a, d), kb = op->b != IR_NO_TEMP ? jit_xc_find_temp(c, op->b, d) : -1;
        int sa = ka >= 0 ? 8 + ka : X0, sb = sse == 0x51 ? sa : kb >= 0 ? 8 + kb : X1;
        if (ka < 0)
            jit_xc_load_temp(c, X0, op->a, d);
        if (sse != 0x51 && kb < 0)
            jit_xc_load_temp(c, X1, op->b, d);
        if (keep)
            xk = jit_xc_alloc(c);                              /* may be a dying operand's: read first */
        res = xk >= 0 ? 8 + xk : X0;
        vex_scalar(j, d, sse, res, sa, sb);
    } else {
        if (fused) { /* the sources straight from the cache registers; the addend is overwritten */
            int ka = jit_xc_find_temp(c, op->a, d), kb = jit_xc_find_temp(c, op->b, d);
            if (ka < 0)
                jit_xc_load_temp(c, X0, op->a, d);
            if (kb < 0)
                jit_xc_load_temp(c, X1, op->b, d);
            temp_to_xmm(c, X2, op->c, d);
            fma231r(j, d, sse, X2, ka >= 0 ? 8 + ka : X0, kb >= 0 ? 8 + kb : X1);
            res = X2;
        } else {
            temp_to_xmm(c, X0, op->a, d);
            if (op->b != IR_NO_TEMP)
                temp_to_xmm(c, X1, op->b, d);
            sse_scalar(j, d, sse, X0, sse == 0x51 ? X0 : X1);
        }
        if (keep) {
            xk = jit_xc_alloc(c);
            x_rr(j, 0, 0x0f28, 8 + xk, res);                /* movaps */
        }
    }
    xmm_to_gpr(j, RAX, res, d);
    /* the exponent: (rax << 1) >> (mantissa bits + 1) drops the sign; for
     * a single, lea subtracts 2 from it too (exponents 0 and 1 wrap to
     * 254 and 255, above the limit as 255 - 2 is) */
    bool sub_in_lea = !d && !sum;
    x_mem_sib(j, d ? XW : 0, 0x8d, RDI, RAX, RAX, 1, sub_in_lea ? -(2 << 24) : 0); /* lea rdi, [rax + rax] */
    x_shift_ri(j, d ? XW : 0, 5, RDI, d ? 53 : 24);         /* shr */
    if (!sum && !sub_in_lea)
        x_alu_ri(j, 0, 5, RDI, 2);                          /* sub */
    if (word)
        x_mem(j, 0, 0x0b, RDI, RSP, JIT_FPMODE(c));         /* or edi, the mode word */
    if (sum)                                                /* not inf or NaN (sum_check) */
        x_alu_ri(j, 0, 7, RDI, d ? 0x7fe : 0xfe);           /* cmp */
    else                                                    /* in [2, max - 1] */
        x_alu_ri(j, 0, 7, RDI, d ? 0x7fc : 0xfc);           /* cmp */
    x_jcc(j, CC_A, l_slow);
    if (neg) {                                              /* FNMUL: btc rax, 63 / eax, 31 */
        x_rr(j, d ? XW : 0, 0x0fba, 7, RAX);
        jb_byte(j, d ? 63 : 31);
    }
    FpStub *st = scalar_stub(c, op, l_slow, l_done);
    if (xk >= 0)
        jit_xc_set_temp(c, xk, op->dst, d);
    if (st && xk >= 0) { /* the stub's RAX goes there */
        st->xs.temp[xk] = IR_NO_TEMP;
        st->xs.vreg[xk] = -1;
    }
    if (st)
        st->xres = (int8_t)xk;
    st_dst(c, op->dst);
    return true;
}
