/* Tier 1: NZCV in the x86-64 backend (docs/jit.md, "Flags"): the per-block
 * plan (which CONDs fuse with their setter, which packs are dead), the
 * setters and the pack. Thread rules: the compiling thread. */
#include <stdatomic.h>
#include <string.h>

#include "host_cpu.h"
#include "jit_x86_ctx.h"

/* ---- flags ----
 * A flag setter leaves the x86 flags of its arithmetic; NZCV is packed from
 * them into cpu->nzcv unless no later op can read it (dead). A COND that
 * reads exactly one setter's flags and maps to one x86 condition code is
 * fused: its setcc is emitted right after the setter's arithmetic, into the
 * COND's dst slot (temps are written once), and the COND emits nothing. */

enum { NZ_READ = 1, NZ_WRITE = 2 };

/* CCMN, CCMP (CADD_FLAGS, CSUB_FLAGS) generated inline: SAHF sets the
 * immediate's flags, which needs LAHF/SAHF in 64-bit mode. Else
 * interp_exec_op runs them. */
static bool cond_setter_inline(const IROp *op)
{
    return (op->size == 4 || op->size == 8) && host_has(HOST_LAHF);
}

/* How op uses NZCV as far as the plan is concerned. Pure ops never touch
 * it, even when run by interp_exec_op. An op that can fault reads it (the
 * exception saves it in SPSR), and so does every block exit. A helper may
 * read or write it. */
static unsigned nzcv_use(const IROp *op)
{
    switch (op->opc) {
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_LOGIC_FLAGS:
        return op->size == 4 || op->size == 8 ? NZ_WRITE : NZ_READ | NZ_WRITE; /* else interp_exec_op */
    case IR_CADD_FLAGS: case IR_CSUB_FLAGS:
        return cond_setter_inline(op) ? NZ_WRITE : NZ_READ | NZ_WRITE;
    case IR_SET_NZCV:
        return NZ_WRITE;
    case IR_ADC_FLAGS: case IR_SBC_FLAGS:
        return NZ_READ | NZ_WRITE;
    case IR_CALL:
        /* The FP, SIMD and crypto helpers neither fault nor touch NZCV (an
         * FP compare returns its flags for a SET_NZCV, FCCMP and FCSEL take
         * theirs from CONDs): a vector op between a loop's compare and
         * its branch back no longer makes the pack live. */
        return ir_call_keeps_x(op) ? 0 : NZ_READ | NZ_WRITE;
    case IR_GET_NZCV: case IR_ADC: case IR_SBC: case IR_COND:
        return NZ_READ;
    default: {
        int k = ir_op_info[op->opc].kind;
        return k == IRK_MEM || k == IRK_EXIT || k == IRK_TERM || k == IRK_CALL ? NZ_READ : 0;
    }
    }
}

/* The setter kinds planned (and generated inline); -1 for any other op. */
static int flag_kind(const IROp *op)
{
    if (op->size != 4 && op->size != 8)
        return -1;
    switch (op->opc) {
    case IR_ADD_FLAGS: case IR_ADC_FLAGS: return FK_ADD;
    case IR_SUB_FLAGS: case IR_SBC_FLAGS: return FK_SUB;
    case IR_CADD_FLAGS: return cond_setter_inline(op) ? FK_ADD : -1;
    case IR_CSUB_FLAGS: return cond_setter_inline(op) ? FK_SUB : -1;
    case IR_LOGIC_FLAGS: return FK_LOGIC;
    default: return -1;
    }
}

/* Condition `cond` on the x86 flags a setter of `kind` leaves: FP_FUSED | cc,
 * FP_CONST | value, or -1 if no single x86 condition code gives it. x86 CF
 * is Arm C for an add and NOT C for a subtract; OF is V. After TEST, CF = OF
 * = 0 = C = V, so the signed x86 codes give GE/LT/GT/LE too. */
static int fuse_cond(int kind, unsigned cond)
{
    static const int8_t sub[14] = {CC_E, CC_NE, CC_AE, CC_B, CC_S, CC_NS, CC_O, CC_NO,
                                   CC_A, CC_BE, CC_GE, CC_L, CC_G, CC_LE};
    if (cond == 14 || cond == 15)
        return FP_CONST | 1;
    if (cond > 15)
        return -1;
    if (kind == FK_LOGIC && (cond == 2 || cond == 6 || cond == 8))
        return FP_CONST | 0; /* CS, VS, HI */
    if (kind == FK_LOGIC && (cond == 3 || cond == 7 || cond == 9))
        return FP_CONST | 1; /* CC, VC, LS */
    if (kind == FK_ADD && (cond == 2 || cond == 3))
        return FP_FUSED | (cond == 2 ? CC_B : CC_AE);
    if (kind == FK_ADD && (cond == 8 || cond == 9))
        return -1;           /* HI, LS: C && !Z has no x86 code when CF = C */
    return FP_FUSED | sub[cond];
}

static bool use_lahf(void);
static void emit_nzcv_pack_lahf(Ctx *c, int kind, bool keep_cf);
static void emit_lnz_recompute(Ctx *c, bool heads);
static void plan_loop_pack(Ctx *c, uint32_t i, uint32_t k, int kind);

/* Is cond (a COND temp) read by no op of the block but the one at index k? */
static bool only_reader(const IRBlock *b, IRTemp cond, uint32_t k)
{
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const IRTemp in[3] = {op->a, op->b, op->c};
        for (int n = 0; n < ir_op_info[op->opc].nin; n++)
            if (in[n] == cond && i != k)
                return false;
    }
    return true;
}

/* ADC, SBC, ADCS, SBCS generated inline: they read NZCV's C only, which
 * jit_emit_carry can make again from a deferred window's temps. */
static bool carry_reader(const IROp *op)
{
    return (op->opc == IR_ADC || op->opc == IR_SBC || op->opc == IR_ADC_FLAGS || op->opc == IR_SBC_FLAGS) &&
           (op->size == 4 || op->size == 8);
}

/* The pack of setter i (kind, FK_*) is left to the slow paths of the plain
 * accesses before op `end` (the next setter), the last at mem_last (see
 * jit_plan_flags); false if it cannot be. */
static bool defer_pack(Ctx *c, uint32_t i, uint32_t end, uint32_t mem_last, int kind)
{
    const IRBlock *b = c->b;
    const IROp *set = &b->ops[i];
    if (!use_lahf() || c->nfw >= JIT_MAX_DEFERRED ||
        !(set->opc == IR_ADD_FLAGS || set->opc == IR_SUB_FLAGS || set->opc == IR_LOGIC_FLAGS))
        return false;
    const uint32_t n = c->nfw++;
    c->fw_set[n] = i;
    c->fw_end[n] = end;
    c->fw_mem[n] = mem_last;
    c->fw_kind[n] = (uint8_t)kind;
    c->fw_size[n] = set->size;
    /* The result and the second input when the result is a temp (a =
     * result + b for a subtract, result - b for an add), else both inputs:
     * either way two temps live on to the accesses. */
    c->fw_res[n] = set->opc != IR_LOGIC_FLAGS && set->dst != IR_NO_TEMP &&
                   !only_reader(b, set->dst, b->nops); /* read by some op */
    c->fw_t1[n] = set->opc == IR_LOGIC_FLAGS ? set->a : c->fw_res[n] ? set->dst : set->a;
    c->fw_t2[n] = set->opc == IR_LOGIC_FLAGS ? IR_NO_TEMP : set->b;
    return true;
}

/* The guest register (X0-X30) whose value at op k (before it runs) temp t
 * is, as far as the block's SET_REGs and GET_REGs tell; -1 if none. */
static int reg_at(const IRBlock *b, IRTemp t, uint32_t k)
{
    int r = -1;
    for (uint32_t n = 0; n < k; n++) {
        const IROp *op = &b->ops[n];
        if ((op->opc == IR_GET_REG && op->dst == t) || (op->opc == IR_SET_REG && op->a == t))
            r = op->imm < 31 ? (int)op->imm : r;
        else if (op->opc == IR_SET_REG && (int)op->imm == r)
            r = -1;
    }
    return r;
}

/* Input n of the loop recomputation (Ctx.lnz_r, lnz_imm) from temp t at the
 * back edge k: a register that still holds it there, or a constant that is
 * an imm32 of the setter's width. */
static bool lnz_input(Ctx *c, int n, IRTemp t, uint32_t k, unsigned size)
{
    c->lnz_r[n] = -1;
    c->lnz_imm[n] = 0;
    c->lnz_t[n] = IR_NO_TEMP;
    if (t == IR_NO_TEMP)
        return true;
    const int r = reg_at(c->b, t, k);
    if (r >= 0) {
        c->lnz_r[n] = (int8_t)r;
        for (uint32_t m = 0; m < c->loop_n; m++)
            if (c->loop_r[m] == r)
                c->lnz_t[n] = c->loop_in[m];
        return true;
    }
    const IROp *def = jit_def_of(c->b, t);
    if (!def || def->opc != IR_CONST || (size == 8 && (int64_t)def->imm != (int64_t)(int32_t)def->imm))
        return false;
    c->lnz_imm[n] = (int32_t)(uint32_t)def->imm;
    return true;
}

/* The setter i (kind) whose fused COND the B.cond at op k reads, k being a
 * self-loop's branch back to the start with only the block's fall-through
 * GOTO after it (`subs x1, x1, #1; b.ne loop`, `cmp x8, x4; b.cc loop`), or
 * the loop's way out (slot 0, or the side exit of a loop trace) with the
 * GOTO back to the start after it and only register moves and arithmetic
 * between (`adds w2, w2, #1; b.eq out; sxtw x5, w2; b loop`: the kernel's
 * multi-precision loops, traced). In the second
 * shape the B.cond's taken path packs (FP_XPACK) and the GOTO's exit, which
 * no longer has the setter's EFLAGS, recomputes as the refused entry does.
 * The flags leave the block on both ways out, so the pack is live; but the
 * way round needs it only where the next iteration can observe NZCV before
 * its first setter: the loop stub's refused entry, and the slow paths of
 * plain accesses before that setter. Those recompute it from the setter's
 * inputs as the pass came in: its result or first input, and its second,
 * each a guest register the block last wrote (or read) with it, or an
 * imm32. A register the loop carries is read from its head temp in the
 * slow paths; any other from CPUState, which needs no write to it before
 * the last such access.
 * Anything else reading NZCV there (a COND, a helper, an exit, an access
 * with no deferring slow path) and the plan is not made. The pack then
 * costs the fall-through's exit and the unchained branch's exit, both
 * reached with the setter's EFLAGS, and nothing on the way round. The slow
 * paths tell the first pass (NZCV came in whole) from the later ones by the
 * chain budget: the head keeps R11D in a frame word, and each way round
 * takes the block's instructions off it, while nothing in between can
 * change it (no helper calls there) (docs/jit-loops.md, "Flags over a loop's
 * back edge"). */
static void plan_loop_pack(Ctx *c, uint32_t i, uint32_t k, int kind)
{
    const IRBlock *b = c->b;
    const IROp *set = &b->ops[i], *x = &b->ops[k];
    const int s = ir_branch_slot(x);
    const uint32_t g = b->nops - 1; /* the GOTO */
    if (c->loop_n == 0 || s < 0 || k + 2 > b->nops || b->ops[g].opc != IR_GOTO ||
        !only_reader(b, x->a, k) || c->lnz ||
        !(set->opc == IR_ADD_FLAGS || set->opc == IR_SUB_FLAGS || set->opc == IR_LOGIC_FLAGS))
        return;
    /* Which way goes round: the B.cond right before the GOTO, or the GOTO. */
    const bool round_goto = c->loop_e[1] == (int32_t)g && c->loop_e[0] < 0 && s != 1 && x->imm != b->pc;
    if (!round_goto && (s > 1 || c->loop_e[s] != (int32_t)k || c->loop_e[1 - s] >= 0 || k + 2 != b->nops))
        return;
    for (uint32_t n = k + 1; round_goto && n < g; n++) {
        const IROp *op = &b->ops[n];
        if (nzcv_use(op) || (op->opc != IR_SET_REG && ir_op_info[op->opc].kind != IRK_PURE &&
                             op->opc != IR_GET_REG && op->opc != IR_INSN_START))
            return;
    }
    /* The recomputation at the GOTO (or the B.cond) reads CPUState: its
     * inputs as they are there. */
    const uint32_t at = round_goto ? g : k;
    const bool logic = set->opc == IR_LOGIC_FLAGS;
    bool res = !logic && set->dst != IR_NO_TEMP && lnz_input(c, 0, set->dst, at, set->size);
    if (!res && !lnz_input(c, 0, set->a, at, set->size))
        return;
    if (!lnz_input(c, 1, logic ? IR_NO_TEMP : set->b, at, set->size))
        return;
    /* The next iteration, up to its first NZCV writer. */
    bool clobbered = false;
    uint32_t mem = 0, n = c->loop_head;
    for (; n < b->nops; n++) {
        const IROp *op = &b->ops[n];
        const unsigned u = nzcv_use(op); /* a COND reads: no plan */
        if (u & NZ_WRITE) {
            if (u & NZ_READ)
                return;
            break;
        }
        if (u & NZ_READ) {
            if (!jit_stubs_defer(op) || clobbered)
                return;
            mem = n;
        }
        for (int m = 0; m < 2; m++)
            clobbered |= op->opc == IR_SET_REG && (int)op->imm == c->lnz_r[m] && c->lnz_t[m] == IR_NO_TEMP;
    }
    if (n == b->nops || (mem && b->ntemps + 2 + JIT_RMW_SLOTS > IR_MAX_TEMPS) ||
        (round_goto && c->xpack_plans >= JIT_MAX_XPACK))
        return;
    if (round_goto) {
        c->fplan[k] = (uint8_t)(FP_XPACK | kind);
        c->xpack_plans++;
    }
    c->lnz = true;
    c->lnz_goto = round_goto;
    c->lnz_res = res;
    c->lnz_set = i;
    c->lnz_br = round_goto ? g : k;
    c->lnz_mem = mem;
    c->lnz_kind = (uint8_t)kind;
    c->lnz_size = set->size;
    c->fplan[i] |= FP_DEAD;
}

/* A live pack whose only reader is a side exit right after the setter (a
 * compare and its B.cond, gzip's `cmp w8, w4; b.cs` in its chain step),
 * before the next setter with nothing else reading NZCV between: the main
 * path needs no pack; the exit's taken path makes it (FP_XPACK), on EFLAGS
 * that reach its jcc untouched. That needs the LAHF pack, and the exit's
 * condition to stay in EFLAGS (cond_for_branch): the setter's last fused
 * COND, read by that BRCOND only, with nothing but INSN_STARTs and fused
 * CONDs between. Plain loads and stores between the exit and the next
 * setter (gzip's `subs w13, w13, #1; b.eq` out of its chain walk, then a
 * load before the next compare) get the pack in their slow paths, as in
 * jit_plan_flags. */
static void plan_exit_pack(Ctx *c, uint32_t i, int kind)
{
    const IRBlock *b = c->b;
    if (!use_lahf() || c->xpack_plans >= JIT_MAX_XPACK)
        return;
    uint32_t k = i + 1;
    IRTemp last_fused = IR_NO_TEMP;
    /* The setter's result written back (SUBS's register) is a plain store
     * when it is in a register, which cond_for_branch also requires; the
     * allocator gives a result just made one unless it has none left, and
     * then the block is not compiled (emit_op's BRCOND). */
    const IRTemp res = b->ops[i].dst;
    for (; k < b->nops && (b->ops[k].opc == IR_INSN_START || b->ops[k].opc == IR_COND ||
                           (b->ops[k].opc == IR_SET_REG && b->ops[k].imm < 32 && res != IR_NO_TEMP &&
                            b->ops[k].a == res));
         k++) {
        if (b->ops[k].opc == IR_COND && !(c->fplan[k] & FP_FUSED))
            return;
        if (b->ops[k].opc == IR_COND)
            last_fused = b->ops[k].dst;
    }
    const IROp *x = k < b->nops ? &b->ops[k] : NULL;
    if (!x || x->opc != IR_BRCOND || last_fused == IR_NO_TEMP || x->a != last_fused)
        return;
    if (ir_branch_slot(x) < 2) {
        plan_loop_pack(c, i, k, kind); /* the block's last B.cond */
        return;
    }
    if (c->loop_e[1] == (int32_t)b->nops - 1 && x->imm != b->pc) {
        /* A self-loop's way out, when it is the only one; a loop trace with
         * more side exits (bzip2's `cmp w7, w6; b.gt` at the top of its
         * partition step, loads and another exit after it) plans this one
         * as any side exit, below. */
        plan_loop_pack(c, i, k, kind);
        if (c->lnz && c->lnz_set == i)
            return;
    }
    uint32_t mem_last = 0, end = 0;
    for (uint32_t n = k + 1; n < b->nops; n++) {
        const IROp *op = &b->ops[n];
        if (op->opc == IR_COND)
            return; /* fused or not: either reads NZCV or makes another fused COND the last */
        const unsigned u = nzcv_use(op);
        if ((u & NZ_READ) && !(u & NZ_WRITE) && jit_stubs_defer(op)) {
            mem_last = n;
            continue;
        }
        if (u & NZ_READ)
            return;
        if (u & NZ_WRITE) {
            end = n;
            break;
        }
        if (n + 1 == b->nops)
            return; /* no writer: the flags leave the block */
    }
    if (k + 1 >= b->nops || !only_reader(b, last_fused, k))
        return;
    if (mem_last && !defer_pack(c, i, end, mem_last, kind))
        return;
    c->fplan[i] |= FP_DEAD;
    c->fplan[k] = (uint8_t)(FP_XPACK | kind);
    c->xpack_plans++;
}

/* One forward pass per setter, up to the next NZCV writer: fuse the CONDs it
 * can, and mark its pack dead if nothing else there reads NZCV. If only
 * plain loads and stores could (a fault saves NZCV in SPSR), the pack is
 * left to their slow paths (Ctx.fw_*, docs/jit.md "Deferred register
 * writes"). The ranges are disjoint, so this is linear in the block. */
void jit_plan_flags(Ctx *c)
{
    const IRBlock *b = c->b;
    c->flags_planned = true;
    c->nfw = 0;
    if (b->nops > IR_MAX_OPS)
        return;
    for (uint32_t i = 0; i < b->nops; i++) {
        int kind = flag_kind(&b->ops[i]);
        if (kind < 0)
            continue;
        bool live = true; /* unless a writer ends the range */
        unsigned nfused = 0;
        bool read = false;
        uint32_t mem_last = 0, end = 0, carry_last = 0;
        for (uint32_t k = i + 1; k < b->nops; k++) {
            const IROp *op = &b->ops[k];
            if (carry_reader(op)) {
                /* ADC, SBC: C made again from the window's temps
                 * (jit_emit_carry); ADCS, SBCS also end the range. */
                carry_last = k;
                if (op->opc == IR_ADC || op->opc == IR_SBC)
                    continue;
                live = read;
                end = k;
                break;
            }
            if (op->opc == IR_COND) {
                int m = fuse_cond(kind, (unsigned)op->imm);
                if (m >= 0 && ((m & FP_CONST) || nfused < FUSE_MAX)) {
                    nfused += !(m & FP_CONST);
                    c->fplan[k] = (uint8_t)m;
                } else {
                    read = true;
                }
                continue;
            }
            unsigned u = nzcv_use(op);
            if ((u & NZ_READ) && !(u & NZ_WRITE) && jit_stubs_defer(op)) {
                mem_last = k;
                continue;
            }
            read |= (u & NZ_READ) != 0;
            if (u & NZ_WRITE) {
                live = read;
                end = k;
                break;
            }
        }
        /* The temps live one op past a carry reader: its result may take
         * their register with the operand moves before the arithmetic. */
        const uint32_t last = carry_last && carry_last + 1 > mem_last ? carry_last + 1 : mem_last;
        if (!live && last && !defer_pack(c, i, end, last, kind))
            live = true; /* the accesses or the carry readers can observe it */
        if (!live)
            c->fplan[i] |= FP_DEAD;
        else
            plan_exit_pack(c, i, kind);
    }
}

/* The loop's plan (plan_loop_pack) given up: its setter packs inline again. */
static void drop_loop_pack(Ctx *c)
{
    c->lnz = false;
    c->lnz_mem = 0;
    c->fplan[c->lnz_set] &= (uint8_t)~FP_DEAD;
}

void jit_check_exit_packs(Ctx *c)
{
    const IRBlock *b = c->b;
    if (b->nops > IR_MAX_OPS)
        return;
    /* The loop's B.cond the same way (plan_loop_pack): its condition stays
     * in EFLAGS past the result's write-back only from a register. */
    for (uint32_t i = c->lnz_set + 1; c->lnz && !c->lnz_goto && i < c->lnz_br; i++)
        if (b->ops[i].opc == IR_SET_REG && c->treg[b->ops[i].a] < 0)
            drop_loop_pack(c);
    for (uint32_t k = 0; k < b->nops; k++) {
        if (!(c->fplan[k] & FP_XPACK))
            continue;
        bool ok = true;
        uint32_t i = k;
        while (i-- > 0 && (b->ops[i].opc == IR_INSN_START || b->ops[i].opc == IR_COND || b->ops[i].opc == IR_SET_REG))
            if (b->ops[i].opc == IR_SET_REG && c->treg[b->ops[i].a] < 0)
                ok = false;
        if (ok)
            continue;
        /* i is the setter (plan_exit_pack): its pack inline again. A
         * deferred window it may have (defer_pack) stays: its slow paths
         * then make the same pack once more. So does a loop's (plan_loop_pack
         * with the GOTO round), which is then dropped. */
        c->fplan[k] = 0;
        c->fplan[i] &= (uint8_t)~FP_DEAD;
        if (c->lnz && c->lnz_goto && c->lnz_set == i)
            drop_loop_pack(c);
    }
}

/* An input of a flag recomputation: temp t, else X[r] in CPUState (r >= 0),
 * else the immediate imm. */
typedef struct FlagIn {
    IRTemp t;
    int r;
    int32_t imm;
} FlagIn;

/* `opc reg, in` (ext: the group-1 extension for an immediate). */
static void flag_in_op(Ctx *c, unsigned W, uint32_t opc, int ext, int reg, FlagIn in)
{
    int32_t k32;
    if (in.t != IR_NO_TEMP && const_s32(c, in.t, W != 0, &k32))
        x_alu_ri(&c->j, W, ext, reg, k32);
    else if (in.t != IR_NO_TEMP)
        rmt(c, W, opc, reg, in.t);
    else if (in.r >= 0)
        x_mem(&c->j, W, opc, reg, RBX, CPU_OFF(x) + 8 * in.r);
    else
        x_alu_ri(&c->j, W, ext, reg, in.imm);
}

/* A setter's flags made again and packed, for a slow path or an exit: from
 * its first input a (its result when `res`: a = r + b for a subtract, r - b
 * for an add, then the setter's own arithmetic on (a, b); ANDS tests its
 * value again). RAX and EFLAGS clobbered; the emitter's view of both kept
 * (the inline path did not pack). */
static void emit_recompute_pack(Ctx *c, int kind, unsigned size, bool res, FlagIn a, FlagIn b)
{
    JitBuf *j = &c->j;
    const unsigned W = size == 8 ? XW : 0;
    if (a.t != IR_NO_TEMP)
        ldt(c, RAX, a.t, W != 0);
    else if (a.r >= 0)
        x_mem(j, W, 0x8b, RAX, RBX, CPU_OFF(x) + 8 * a.r);
    else
        x_mov_ri(j, RAX, (uint64_t)(int64_t)a.imm);
    if (kind == FK_LOGIC) {
        x_rr(j, W, 0x85, RAX, RAX);                    /* test: the setter's own flags */
    } else {
        if (res) /* back to the first input: add / sub */
            flag_in_op(c, W, kind == FK_SUB ? 0x03 : 0x2b, kind == FK_SUB ? 0 : 5, RAX, b);
        flag_in_op(c, W, kind == FK_SUB ? 0x3b : 0x03, kind == FK_SUB ? 7 : 0, RAX, b); /* cmp / add */
    }
    const bool lazy = c->nzcv_lazy;
    const IRTemp rax = c->rax_temp;
    emit_nzcv_pack_lahf(c, kind, false);
    c->nzcv_lazy = lazy;
    c->rax_temp = rax;
}

void jit_emit_deferred_flags(Ctx *c, uint32_t m)
{
    JitBuf *j = &c->j;
    for (uint32_t k = 0; k < c->nfw; k++) {
        if (m <= c->fw_set[k] || m >= c->fw_end[k])
            continue;
        const FlagIn a = {c->fw_t1[k], -1, 0}, b = {c->fw_t2[k], -1, 0};
        emit_recompute_pack(c, c->fw_kind[k], c->fw_size[k], c->fw_res[k], a, b);
    }
    if (c->lnz_mem && m >= c->loop_head && m <= c->lnz_mem) {
        uint32_t first = jb_label(j);
        x_mem(j, 0, 0x39, JIT_BUDGET, RSP, JIT_LOOPNZ_SLOT(c)); /* cmp [budget at entry], r11d */
        x_jcc(j, CC_E, first);                         /* the first pass: NZCV is in CPUState */
        emit_lnz_recompute(c, true);
        jb_bind(j, first);
    }
}

bool jit_emit_carry(Ctx *c, uint32_t m, bool borrow)
{
    const IROp *op = &c->b->ops[m];
    if (!carry_reader(op))
        return false;
    for (uint32_t k = 0; k < c->nfw; k++) {
        /* ADCS, SBCS end their window (fw_end); ADC, SBC are inside it. */
        if (m <= c->fw_set[k] || m > c->fw_end[k] ||
            (m == c->fw_end[k] && op->opc != IR_ADC_FLAGS && op->opc != IR_SBC_FLAGS))
            continue;
        JitBuf *j = &c->j;
        const int kind = c->fw_kind[k];
        if (kind == FK_LOGIC) {
            jb_byte(j, borrow ? 0xf9 : 0xf8); /* C = 0: stc / clc */
            return true;
        }
        /* An add's C is its carry: r <u b from its result, or the add
         * again; a subtract's C is NOT its borrow: a <u b from its input,
         * or r + b carrying from its result. */
        const unsigned W = c->fw_size[k] == 8 ? XW : 0;
        const bool add = (kind == FK_ADD) != c->fw_res[k];
        const int r1 = c->treg[c->fw_t1[k]];
        const int acc = !add && r1 >= 0 ? r1 : RCX; /* a compare reads its register in place */
        if (acc == RCX)
            ldt(c, RCX, c->fw_t1[k], W != 0);
        flag_in_op(c, W, add ? 0x03 : 0x3b, add ? 0 : 7, acc, (FlagIn){c->fw_t2[k], -1, 0});
        if ((kind == FK_SUB) != borrow)
            jb_byte(j, 0xf5); /* cmc */
        return true;
    }
    return false;
}

/* ---- a self-loop's NZCV over its back edge (plan_loop_pack) ---- */

/* The setter's flags again from CPUState's registers (or its immediates;
 * from the loop's head temps where it has them when `heads`: the window's
 * slow paths), packed (emit_recompute_pack). */
static void emit_lnz_recompute(Ctx *c, bool heads)
{
    FlagIn in[2];
    for (int n = 0; n < 2; n++)
        in[n] = (FlagIn){heads ? c->lnz_t[n] : IR_NO_TEMP, c->lnz_r[n], c->lnz_imm[n]};
    emit_recompute_pack(c, c->lnz_kind, c->lnz_size, c->lnz_res, in[0], in[1]);
}

void jit_emit_lnz_pack(Ctx *c)
{
    if (c->lnz_goto)
        emit_lnz_recompute(c, false); /* the GOTO's exit: EFLAGS are not the setter's */
    else
        emit_nzcv_pack_lahf(c, c->lnz_kind, false);
}

void jit_emit_lnz_mark(Ctx *c)
{
    x_mem(&c->j, 0, 0x89, JIT_BUDGET, RSP, JIT_LOOPNZ_SLOT(c)); /* mov [budget at entry], r11d */
}

void jit_emit_lnz_stops(Ctx *c)
{
    if (!c->lnz)
        return;
    jb_bind(&c->j, c->l_lnz_stop_budget);
    x_alu_ri(&c->j, 0, 0, JIT_BUDGET, c->b->ninsns);  /* add r11d, ninsns */
    jb_bind(&c->j, c->l_lnz_stop);
    emit_lnz_recompute(c, false);
    x_jmp(&c->j, c->l_stop);
}

/* op's plan; none in a block too long to plan. */
uint8_t jit_fplan_of(const Ctx *c, const IROp *op)
{
    size_t i = (size_t)(op - c->b->ops);
    return c->b->nops <= IR_MAX_OPS ? c->fplan[i] : 0;
}

/* The fused CONDs of the setter at index i (same range as plan_flags);
 * none if op i is not a planned setter. */
unsigned jit_fused_conds(const Ctx *c, uint32_t i, const IROp **out)
{
    unsigned n = 0;
    if (i >= c->b->nops || flag_kind(&c->b->ops[i]) < 0)
        return 0;
    for (uint32_t k = i + 1; k < c->b->nops; k++) {
        const IROp *op = &c->b->ops[k];
        if (op->opc == IR_COND) {
            if (jit_fplan_of(c, op) & FP_FUSED)
                out[n++] = op;
        } else if (nzcv_use(op) & NZ_WRITE) {
            break;
        }
    }
    return n;
}

/* cpu->nzcv from the x86 flags of a setter. Only ecx was zeroed (before the
 * arithmetic): setcc writes a whole byte (0 or 1) and additions carry only
 * upwards, so stale upper bytes of edx, esi, edi never reach bits 3:0, which
 * the final shift keeps. Zeroing ecx breaks the false dependency of one
 * pack's `sets cl` on the previous pack's result. */
static void emit_nzcv_pack(JitBuf *j, int kind)
{
    x_rr(j, XB8, 0x0f90 | CC_S, 0, RCX);
    x_rr(j, XB8, 0x0f90 | CC_E, 0, RDX);
    if (kind == FK_LOGIC) {
        x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = 2n + z */
        x_shift_ri(j, 0, 4, RCX, 30);               /* C = V = 0 */
    } else if (kind == FK_ADD) {
        x_rr(j, XB8, 0x0f90 | CC_O, 0, RSI);
        x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = 2n + z */
        x_rr(j, 0, 0x11, RCX, RCX);                 /* adc ecx, ecx: shifts C in */
        x_mem_sib(j, 0, 0x8d, RCX, RSI, RCX, 2, 0); /* + v */
        x_shift_ri(j, 0, 4, RCX, 28);
    } else {
        x_rr(j, XB8, 0x0f90 | CC_AE, 0, RSI);       /* Arm C = NOT borrow */
        x_rr(j, XB8, 0x0f90 | CC_O, 0, RDI);
        x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = 2n + z */
        x_mem_sib(j, 0, 0x8d, RCX, RSI, RCX, 2, 0); /* + c */
        x_mem_sib(j, 0, 0x8d, RCX, RDI, RCX, 2, 0); /* + v */
        x_shift_ri(j, 0, 4, RCX, 28);
    }
    st32(j, RBX, CPU_OFF(nzcv), RCX);
}

/* ---- the lazy pack with LAHF ----
 * lahf; seto al leave AX = SF ZF . AF . PF 1 CF : 0000000 OF, and that image
 * is what goes to cpu->nzcv: bit 9 (always 1 after LAHF) marks it, and the
 * readers turn it into N Z C V at 31:28 only when they need it (cpu_nzcv in
 * cpu.h, jit_emit_nzcv_load and jit_emit_nzcv_bt below). Most packs are
 * never read: the next block sets the flags again. 3-4 instructions (a
 * subtract's CF is the borrow: CMC makes it C for LAHF, and a second CMC
 * puts it back when a fused COND still reads CF), none of which writes
 * EFLAGS but the CMCs, so the fused CONDs come after the pack. Used when the
 * host has LAHF in 64-bit mode (every x86-64 CPU since 2006). */
void jit_allow_lahf_pack(bool on) { host_allow(HOST_LAHF, on); }

static bool use_lahf(void) { return host_has(HOST_LAHF); }

/* keep_cf: a fused COND after the pack reads CF, which a subtract's CMC
 * flipped (every other flag is kept anyway). */
static void emit_nzcv_pack_lahf(Ctx *c, int kind, bool keep_cf)
{
    JitBuf *j = &c->j;
    const bool sub = kind == FK_SUB;
    if (sub)
        jb_byte(j, 0xf5);                              /* cmc: CF = C */
    jb_byte(j, 0x9f);                                  /* lahf */
    if (sub && keep_cf)
        jb_byte(j, 0xf5);                              /* cmc: the borrow again */
    x_rr(j, XB8, 0x0f90 | CC_O, 0, RAX);               /* seto al (0 after TEST) */
    st32(j, RBX, CPU_OFF(nzcv), RAX);                  /* bits 31:16: whatever RAX held */
    c->rax_temp = IR_NO_TEMP;
    c->nzcv_lazy = true;
}

void jit_emit_nzcv_load(Ctx *c)
{
    JitBuf *j = &c->j;
    uint32_t canon = jb_label(j);
    ld32(j, RAX, RBX, CPU_OFF(nzcv));
    x_rr(j, 0, 0xf6, 0, 4);                            /* test ah, imm8 (no REX: 4 = AH) */
    jb_byte(j, NZCV_LAZY_MARK >> 8);
    x_jcc(j, CC_E, canon);
    /* (v & 0xC101) * 0x10210000 moves bits 15, 14, 8, 0 to 31..28; the
     * other products land at 24, 21 and 16 or past bit 31. */
    x_alu_ri(j, 0, 4, RAX, 0xc101);                    /* and */
    x_rr(j, 0, 0x69, RAX, RAX);                        /* imul eax, eax, imm32 */
    jb_u32(j, 0x10210000u);
    x_alu_ri(j, 0, 4, RAX, (int32_t)0xf0000000u);
    jb_bind(j, canon);
    c->rax_temp = IR_NO_TEMP;
}

void jit_emit_nzcv_bt(Ctx *c, int bit)
{
    JitBuf *j = &c->j;
    if (c->nzcv_lazy) { /* this block's own LAHF pack wrote it */
        x_mem(j, 0, 0x0fba, 4, RBX, CPU_OFF(nzcv)); /* bt dword [nzcv], bit */
        jb_byte(j, (uint8_t)nzcv_lazy_bit(bit));
        return;
    }
    uint32_t canon = jb_label(j), done = jb_label(j);
    x_mem(j, XB8, 0xf6, 0, RBX, CPU_OFF(nzcv) + 1);    /* test byte [nzcv + 1], mark */
    jb_byte(j, NZCV_LAZY_MARK >> 8);
    x_jcc(j, CC_E, canon);
    x_mem(j, 0, 0x0fba, 4, RBX, CPU_OFF(nzcv));
    jb_byte(j, (uint8_t)nzcv_lazy_bit(bit));
    x_jmp(j, done);
    jb_bind(j, canon);
    x_mem(j, 0, 0x0fba, 4, RBX, CPU_OFF(nzcv));
    jb_byte(j, (uint8_t)bit);
    jb_bind(j, done);
}

/* B.cond, CSEL: a fused COND of the setter, if the BRCOND or SELECT that
 * reads it is its only reader and nothing between touches RAX (INSN_START,
 * fused CONDs and simm32 CONSTs emit nothing, SET_REG/GET_REG of a
 * register-held temp one move): its value can stay in AL for that op
 * (`test al, al`), with no slot store, if it is the last fused COND (the
 * setcc of any later one would take AL). With `any` (EFLAGS survive to that
 * op: the other CONDs' SETcc and MOVZX leave them alone) it may be any of
 * them: `cmp w5, w4; b.eq ...; cset w0, hi` jumps on ZF while HI is
 * materialized. Its index in fc, else -1. */
static int cond_for_branch(const Ctx *c, const IROp *setter, const IROp *const *fc, unsigned nf, bool any)
{
    const IROp *end = c->b->ops + c->b->nops;
    const IROp *k32 = NULL; /* the last simm32 CONST passed */
    unsigned read = 0;      /* fc[k] read by an op passed: not eligible */
    for (const IROp *op = setter + 1; op < end; op++) {
        if (op->opc == IR_INSN_START)
            continue;
        if (op->opc == IR_COND && (jit_fplan_of(c, op) & FP_FUSED) && op->imm < 14)
            continue;
        unsigned in = 0; /* the fused CONDs op reads as its first input */
        for (unsigned k = 0; k < nf; k++)
            if (ir_op_info[op->opc].nin > 0 && op->a == fc[k]->dst)
                in |= 1u << k;
        /* The setter's result written back from its register: a store that
         * leaves RAX and the flags alone (store_state). */
        if (op->opc == IR_SET_REG && op->imm < 32 && c->treg[op->a] >= 0) {
            read |= in;
            continue;
        }
        /* CSEL's operands: register loads and immediates, no RAX either. */
        if (op->opc == IR_GET_REG && op->imm < 32 && c->treg[op->dst] >= 0)
            continue;
        if (op->opc == IR_CONST && (int64_t)op->imm == (int64_t)(int32_t)op->imm) {
            k32 = op;
            continue;
        }
        /* CINC, CSINC: the operand plus that constant, register to
         * register, is one LEA (emit_op's IR_ADD while cc_temp is set),
         * which leaves EFLAGS and RAX alone. */
        if ((op->opc == IR_ADD || op->opc == IR_SUB) && (op->size == 4 || op->size == 8) && k32 &&
            op->b == k32->dst && (op->opc == IR_ADD || (int32_t)k32->imm != INT32_MIN) &&
            c->treg[op->a] >= 0 && c->treg[op->dst] >= 0 && op->a != setter->dst) {
            read |= in;
            continue;
        }
        /* CCMP, CCMN take it as their first input (emit_cond_setter), when
         * they are generated inline. */
        if (op->opc == IR_BRCOND || op->opc == IR_SELECT ||
            ((op->opc == IR_CSUB_FLAGS || op->opc == IR_CADD_FLAGS) && cond_setter_inline(op)))
            for (unsigned k = any ? 0 : nf - 1; k < nf; k++)
                if ((in >> k & 1) && !(read >> k & 1) &&
                    c->last_use[fc[k]->dst] == (uint32_t)(op - c->b->ops) + 1)
                    return (int)k;
        return -1;
    }
    return -1;
}

void jit_emit_xpack_exit(Ctx *c, const IROp *op)
{
    const bool lazy = c->nzcv_lazy;
    const IRTemp rax = c->rax_temp;
    emit_nzcv_pack_lahf(c, jit_fplan_of(c, op) & 3, false);
    c->nzcv_lazy = lazy; /* the main path did not pack */
    c->rax_temp = rax;
}

/* CCMN, CCMP: EFLAGS of the compare if the condition (a COND's 0/1) holds,
 * else the immediate's NZCV in this kind's x86 form (SF = N, ZF = Z, OF = V,
 * CF = C for an add and NOT C for a subtract), set by SAHF after an ADD of
 * 0x7f + 1 (OF = 1) or an XOR (OF = 0). Either way the setter's EFLAGS, for
 * the pack and the fused CONDs after it. RAX clobbered. */
static void emit_cond_setter(Ctx *c, const IROp *op, int kind)
{
    JitBuf *j = &c->j;
    const unsigned W = op->size == 8 ? XW : 0;
    const uint32_t other = jb_label(j), done = jb_label(j);
    const int cc = jit_cond_in_eflags(c, op->a);
    x_jcc(j, cc ^ 1, other);
    const IRTemp n = op->b;
    int r = RAX;
    if (kind == FK_SUB && c->treg[n] >= 0 && c->rax_prev != n)
        r = c->treg[n];                          /* cmp in place */
    else
        ld_rax(c, n, W != 0, false);
    flag_in_op(c, W, kind == FK_SUB ? 0x3b : 0x03, kind == FK_SUB ? 7 : 0, r, (FlagIn){op->c, -1, 0});
    x_jmp(j, done);
    jb_bind(j, other);
    const uint32_t nzcv = (uint32_t)op->imm;
    const bool cf = kind == FK_SUB ? !(nzcv >> 29 & 1) : (nzcv >> 29 & 1);
    if (nzcv >> 28 & 1) {
        jb_byte(j, 0xb0);                        /* mov al, 0x7f */
        jb_byte(j, 0x7f);
        jb_byte(j, 0x04);                        /* add al, 1: OF = 1 */
        jb_byte(j, 0x01);
    } else {
        x_rr(j, 0, 0x31, RAX, RAX);              /* xor eax, eax: OF = 0 */
    }
    jb_byte(j, 0xb4);                            /* mov ah, SF ZF . . . . 1 CF */
    jb_byte(j, (uint8_t)((nzcv >> 31 & 1) << 7 | (nzcv >> 30 & 1) << 6 | 0x02 | cf));
    jb_byte(j, 0x9e);                            /* sahf */
    jb_bind(j, done);
    c->rax_temp = c->rax_prev = IR_NO_TEMP;      /* RAX differs by the way here */
}

/* A flag setter (size 4 or 8), its fused CONDs and, unless dead, the pack. */
void jit_emit_flag_setter(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const unsigned W = op->size == 8 ? XW : 0;
    const int kind = flag_kind(op);
    if (!c->flags_planned)
        jit_plan_flags(c);
    const IROp *fc[FUSE_MAX];
    unsigned nf = jit_fused_conds(c, (uint32_t)(op - c->b->ops), fc);
    const bool pack = !(jit_fplan_of(c, op) & FP_DEAD);
    const bool lazy = pack && use_lahf();
    /* Zeroing clobbers the flags: all of it before the arithmetic. */
    if (pack && !lazy)
        x_rr(j, 0, 0x31, RCX, RCX);
    if (op->opc == IR_CADD_FLAGS || op->opc == IR_CSUB_FLAGS) {
        emit_cond_setter(c, op, kind);
    } else if (kind == FK_LOGIC) {
        const IROp *prev = c->and_end && c->and_end == c->op_index ? &c->b->ops[c->op_index - 1] : NULL;
        if (prev && prev->dst == op->a && prev->size == op->size && !(pack && !lazy)) {
            /* ANDS, TST: the AND just before set EFLAGS as TEST would (SF,
             * ZF of the result, CF = OF = 0), and nothing since touched them. */
        } else if (c->treg[op->a] >= 0 && c->rax_prev != op->a) {
            x_rr(j, W, 0x85, c->treg[op->a], c->treg[op->a]); /* test r, r */
        } else {
            ld_rax(c, op->a, W != 0, false);
            x_rr(j, W, 0x85, RAX, RAX);                /* test */
        }
    } else {
        /* Straight in the result's register when it has one (two_addr:
         * the MOV before the arithmetic leaves the flags to it). */
        IRTemp a = op->a, b = op->b;
        /* The carry in first: two_addr's move may take a register the
         * window's temps are in (flags untouched by moves). */
        const bool carry = jit_emit_carry(c, (uint32_t)(op - c->b->ops), op->opc == IR_SBC_FLAGS);
        const bool comm = op->opc == IR_ADD_FLAGS || op->opc == IR_ADC_FLAGS;
        /* CMP, CMN (the result goes to XZR): nothing reads the result, so
         * it is not stored, and a CMP reads its first operand in place. */
        const bool dead = op->dst == IR_NO_TEMP || !c->last_use[op->dst];
        const bool cmp = dead && op->opc == IR_SUB_FLAGS && c->treg[a] >= 0 && c->rax_prev != a;
        const int acc = cmp ? c->treg[a] : !dead ? two_addr(c, op->dst, &a, &b, comm, W != 0) : -1;
        if (acc < 0)
            ld_rax(c, a, W != 0, false);
        const int r = acc < 0 ? RAX : acc;
        /* add, adc, sbb, sub: opcode and group-1 extension */
        uint32_t opc = 0x03;
        int ext = 0;
        if (op->opc == IR_SUB_FLAGS) {
            opc = cmp ? 0x3b : 0x2b, ext = cmp ? 7 : 5;
        } else if (op->opc == IR_ADC_FLAGS) {
            if (!carry)
                jit_emit_nzcv_bt(c, 29);               /* CF = C */
            opc = 0x13, ext = 2;
        } else if (op->opc == IR_SBC_FLAGS) {
            if (!carry) {
                jit_emit_nzcv_bt(c, 29);               /* CF = C */
                jb_byte(j, 0xf5);                      /* cmc: borrow = !C */
            }
            opc = 0x1b, ext = 3;
        }
        int32_t k32;
        if (const_s32(c, b, W != 0, &k32))
            x_alu_ri(j, W, ext, r, k32);
        else
            rmt(c, W, opc, r, b);
        if (acc < 0 && !dead)
            st_dst(c, op->dst);                        /* mov: flags kept */
    }
    /* A fused COND's result goes to its register (jit_alloc_regs gives it one
     * from this op on, when one is free) or else its slot, as a whole qword,
     * so that its reader's 64-bit load is forwarded from the store (a byte
     * store would stall it). MOVZX keeps the flags for the next COND and
     * the pack. */
    /* With the LAHF pack (or none) EFLAGS survive to that BRCOND or SELECT,
     * which then jumps or CMOVs on the condition code itself: no SETcc and
     * no `test al, al`. The old pack's shifts clobber them. */
    const int kb = nf ? cond_for_branch(c, op, fc, nf, !pack || lazy) : -1;
    const IRTemp in_al = kb >= 0 ? fc[kb]->dst : IR_NO_TEMP;
    const bool in_cc = in_al != IR_NO_TEMP && (!pack || lazy);
    /* Only a fused COND on CF (B, AE, BE, A) needs a subtract's borrow back. */
    bool cf_read = false;
    for (unsigned k = 0; k < nf; k++) {
        const int cc = jit_fplan_of(c, fc[k]) & 15;
        cf_read |= cc == CC_B || cc == CC_AE || cc == CC_BE || cc == CC_A;
    }
    if (lazy)
        emit_nzcv_pack_lahf(c, kind, cf_read);         /* rax; EFLAGS kept but a subtract's CF */
    for (unsigned k = 0; k < nf; k++) {
        if (fc[k]->dst == in_al && in_cc)
            continue;                                                  /* read from EFLAGS */
        x_rr(j, XB8, 0x0f90 | (jit_fplan_of(c, fc[k]) & 15), 0, RAX); /* setcc al */
        c->rax_temp = IR_NO_TEMP;
        if (fc[k]->dst == in_al)
            continue;                                                  /* stays in al */
        if (c->treg[fc[k]->dst] >= 0) {
            x_rr(j, 0, 0x0fb6, c->treg[fc[k]->dst], RAX);              /* movzx r32, al */
            continue;
        }
        x_rr(j, 0, 0x0fb6, RAX, RAX);                                  /* movzx eax, al */
        st64(j, RSP, T(fc[k]->dst), RAX);
    }
    if (pack && !lazy) {
        emit_nzcv_pack(j, kind);                       /* rcx, rdx, rsi, rdi: al kept */
        c->nzcv_lazy = false;
    }
    c->al_temp = in_cc ? IR_NO_TEMP : in_al;
    if (in_cc) {
        c->cc_temp = in_al;
        c->cc = jit_fplan_of(c, fc[kb]) & 15;
    }
}

