/* A64 -> IR translation: the per-block context and the emit helpers that
 * translate functions (cpu/trans_*.c) use. Thread rules: a DisasCtx belongs
 * to the one vCPU thread translating a block. */
#ifndef FLOTILLA_TRANSLATE_H
#define FLOTILLA_TRANSLATE_H

#include "cpu.h"
#include "decode.h"
#include "ir.h"

enum HelperId {
#define HELPER(name) HELPER_##name,
#include "helpers.def"
#undef HELPER
    HELPER_NUM
};

typedef uint64_t (*HelperFn)(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm);
#define HELPER(name) uint64_t helper_##name(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm);
#include "helpers.def"
#undef HELPER
extern const HelperFn helper_table[HELPER_NUM];
extern const char *const helper_names[HELPER_NUM];

#define MAX_BLOCK_INSNS 64

typedef struct DisasCtx {
    IRBlock *b;
    CPUState *cpu;     /* the translating core: read mode bits only */
    uint64_t pc;       /* pc of the instruction being translated */
    uint32_t insn;
    uint32_t tb_flags; /* translation mode (EL) */
    bool end;          /* set by a translate function that ended the block */
    bool give_back;    /* a helper that may leave the block early needs its imm fixed up (trans_DSB, DAIF writes) */
    uint8_t nside;     /* side exits so far (gen_cond_branch) */
    uint8_t side_max;  /* at most this many (-jit-side-exits; 0 for single steps) */
    /* Loop traces (gen_cond_branch, docs/jit-loops.md "Loop traces"): the guest
     * page the block starts in (NULL: no traces), the block's first pc, and
     * whether translation has gone on at a backward branch's target
     * (jumped: it is about to). */
    const uint32_t *page;
    uint64_t start;
    bool traced, jumped;
} DisasCtx;

/* Owner only: translate the block at virtual `pc`, whose instruction words
 * are code[0..max_insns), into `b`. */
void translate_block(CPUState *cpu, IRBlock *b, uint64_t pc, const uint32_t *code, uint32_t max_insns);
/* The same, and where the guest may have a loop in two pieces, a loop
 * trace: `page` is the host address of the guest page `pc` is in (read
 * with relaxed loads: another core may write it), and `code` has room for
 * MAX_BLOCK_INSNS words; the block's words, in the order it runs them,
 * are left in code[0..b->ninsns). */
void translate_block_traced(CPUState *cpu, IRBlock *b, uint64_t pc, uint32_t *code, uint32_t max_insns,
                            const uint32_t *page);

/* ---- emit helpers (all: translating thread only) ---- */
static inline IRTemp t_const(DisasCtx *s, uint64_t v)
{
    return ir_emit(s->b, IR_CONST, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, v);
}
/* Generic op with up to 3 inputs at width `size` (4 or 8). */
static inline IRTemp t_op(DisasCtx *s, int opc, int size, IRTemp a, IRTemp b)
{
    return ir_emit(s->b, opc, size, 0, a, b, IR_NO_TEMP, 0, 0);
}
static inline IRTemp t_op1(DisasCtx *s, int opc, int size, IRTemp a)
{
    return ir_emit(s->b, opc, size, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
}
static inline IRTemp t_opi(DisasCtx *s, int opc, int size, IRTemp a, uint64_t imm)
{
    return ir_emit(s->b, opc, size, 0, a, IR_NO_TEMP, IR_NO_TEMP, 0, imm);
}
static inline IRTemp t_select(DisasCtx *s, IRTemp c, IRTemp a, IRTemp b)
{
    return ir_emit(s->b, IR_SELECT, 8, 0, c, a, b, 0, 0);
}
static inline IRTemp t_cond(DisasCtx *s, int cond)
{
    return ir_emit(s->b, IR_COND, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)cond);
}
static inline IRTemp t_call(DisasCtx *s, enum HelperId h, uint16_t flags, IRTemp a, IRTemp b, IRTemp c,
                            uint64_t imm)
{
    IRTemp z = IR_NO_TEMP;
    if (a == IR_NO_TEMP || b == IR_NO_TEMP || c == IR_NO_TEMP)
        z = t_const(s, 0);
    return ir_emit(s->b, IR_CALL, 8, flags, a == IR_NO_TEMP ? z : a, b == IR_NO_TEMP ? z : b,
                   c == IR_NO_TEMP ? z : c, (uint32_t)h, imm);
}

/* Register access with A64 register-31 rules. sf = 1 for 64-bit. */
IRTemp read_xreg(DisasCtx *s, int r, int sf);      /* r == 31 reads XZR (0) */
IRTemp read_xreg_sp(DisasCtx *s, int r, int sf);   /* r == 31 reads SP */
void write_xreg(DisasCtx *s, int r, IRTemp v, int sf);    /* r == 31 discards; sf=0 zero-extends */
void write_xreg_sp(DisasCtx *s, int r, IRTemp v, int sf); /* r == 31 writes SP */

/* The base register of a load/store: X[rn], or SP with the SP alignment
 * check (SCTLR_EL1.SA/SA0: EC 0x26 unless 16-byte aligned) when rn == 31. */
IRTemp read_base_sp(DisasCtx *s, int rn);
/* Memory ops: size 1,2,4,8; flags IRF_*; sext_to 0 or result bytes (4/8).
 * With SCTLR_EL1.A set they carry IRF_ALIGN (alignment fault if unaligned). */
IRTemp gen_load(DisasCtx *s, IRTemp addr, int size, uint16_t flags, int sext_to);
void gen_store(DisasCtx *s, IRTemp addr, IRTemp val, int size, uint16_t flags);

/* Block ends. */
void gen_goto(DisasCtx *s, uint64_t target);          /* direct branch, ends block */
void gen_branch(DisasCtx *s, uint64_t target);        /* B: gen_goto, or a loop trace back (translate.c) */
void gen_brcond(DisasCtx *s, IRTemp cond, uint64_t target); /* exit if cond; block continues */
/* A conditional branch (B.cond, CB*, TB*) to target if cond: a side exit
 * when the block may go on past it, else the block's terminal. */
void gen_cond_branch(DisasCtx *s, IRTemp cond, uint64_t target);
void gen_jump(DisasCtx *s, IRTemp target);            /* indirect branch, ends block */
void gen_exit(DisasCtx *s, uint64_t next_pc);         /* back to dispatcher, ends block */
void gen_raise(DisasCtx *s, enum ExcKind kind, uint32_t iss); /* ends block */
/* FP/SIMD instructions call this first: if FP is disabled at this EL by
 * CPACR_EL1.FPEN, it emits the trap (EC 0x07) and returns false; the
 * translate function then returns true (the instruction is handled). */
static inline bool fp_access_check(DisasCtx *s)
{
    if (s->tb_flags & TBF_FP)
        return true;
    gen_raise(s, EXC_FP_TRAP, 1u << 24 | 0xeu << 20);
    return false;
}
/* IR access to FP/SIMD registers as 64-bit halves. */
static inline IRTemp read_vreg(DisasCtx *s, int reg, int half)
{
    return ir_emit(s->b, IR_GET_VREG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(reg * 2 + half));
}
static inline void write_vreg(DisasCtx *s, int reg, int half, IRTemp v)
{
    ir_emit(s->b, IR_SET_VREG, 8, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(reg * 2 + half));
}

/* UNDEFINED for the current instruction (counted and logged with -d unimp). */
bool gen_undef(DisasCtx *s);
/* -d unimp: log an unimplemented system register when the guest runs this
 * instruction (emit the UNDEF after it). */
void gen_log_unimp_sysreg(DisasCtx *s, uint32_t enc, bool is_read);

#endif
