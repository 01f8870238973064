/* The block translator: decode each instruction through the table, let its
 * translate function emit IR, stop at a terminal or a block limit. */
#include <string.h>

#include "translate.h"

#include "../smp/machine.h"
#include "debug.h"
#include "sysreg.h"
#include "jit_x86.h"

const HelperFn helper_table[HELPER_NUM] = {
#define HELPER(name) [HELPER_##name] = helper_##name,
#include "helpers.def"
#undef HELPER
};
const char *const helper_names[HELPER_NUM] = {
#define HELPER(name) [HELPER_##name] = #name,
#include "helpers.def"
#undef HELPER
};

IRTemp read_xreg(DisasCtx *s, int r, int sf)
{
    if (r == 31)
        return t_const(s, 0);
    IRTemp t = ir_emit(s->b, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
    return sf ? t : t_op1(s, IR_MOV, 4, t);
}

IRTemp read_xreg_sp(DisasCtx *s, int r, int sf)
{
    IRTemp t = ir_emit(s->b, IR_GET_REG, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
    return sf ? t : t_op1(s, IR_MOV, 4, t);
}

void write_xreg_sp(DisasCtx *s, int r, IRTemp v, int sf)
{
    if (!sf)
        v = t_op1(s, IR_MOV, 4, v);
    ir_emit(s->b, IR_SET_REG, 8, 0, v, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)r);
}

void write_xreg(DisasCtx *s, int r, IRTemp v, int sf)
{
    if (r == 31)
        return;
    write_xreg_sp(s, r, v, sf);
}

IRTemp read_base_sp(DisasCtx *s, int rn)
{
    IRTemp t = read_xreg_sp(s, rn, 1);
    if (rn == 31 && (s->tb_flags & TBF_SA))
        ir_emit(s->b, IR_CHECK_ALIGN, 8, 0, t, IR_NO_TEMP, IR_NO_TEMP, EXC_SP_ALIGN, 15);
    return t;
}

IRTemp gen_load(DisasCtx *s, IRTemp addr, int size, uint16_t flags, int sext_to)
{
    if (s->tb_flags & TBF_A)
        flags |= IRF_ALIGN;
    if (sext_to)
        flags |= IRF_SIGNED;
    return ir_emit(s->b, IR_LOAD, size, flags, addr, IR_NO_TEMP, IR_NO_TEMP, (uint32_t)sext_to, 0);
}

void gen_store(DisasCtx *s, IRTemp addr, IRTemp val, int size, uint16_t flags)
{
    if (s->tb_flags & TBF_A)
        flags |= IRF_ALIGN;
    ir_emit(s->b, IR_STORE, size, flags, addr, val, IR_NO_TEMP, 0, 0);
}

void gen_goto(DisasCtx *s, uint64_t target)
{
    ir_emit(s->b, IR_GOTO, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 1, target);
    s->end = true;
}

void gen_brcond(DisasCtx *s, IRTemp cond, uint64_t target)
{
    ir_emit(s->b, IR_BRCOND, 8, 0, cond, IR_NO_TEMP, IR_NO_TEMP, 0, target);
}

/* Turn the condition the last op computed into its opposite, if it is one
 * a branch's translate function makes (B.cond's COND, CBZ/CBNZ/TBZ/TBNZ's
 * compare with zero). */
static bool invert_last_cond(DisasCtx *s, IRTemp cond)
{
    IROp *op = s->b->nops ? &s->b->ops[s->b->nops - 1] : NULL;
    if (!op || op->dst != cond)
        return false;
    if (op->opc == IR_COND && op->imm < 14)
        op->imm ^= 1; /* A64 conditions come in pairs: EQ/NE, CS/CC, ... */
    else if (op->opc == IR_CMP_EQ || op->opc == IR_CMP_NE)
        op->opc = op->opc == IR_CMP_EQ ? IR_CMP_NE : IR_CMP_EQ;
    else
        return false;
    return true;
}

/* A look ahead before a trace: do the words from target on reach a branch
 * to the block's start (or the start itself) within the block's limit,
 * through at most the side exits left? Only the branches are decoded; an
 * instruction that ends blocks otherwise (a system instruction, an
 * exception, an indirect branch) says no. What it misses is undone after
 * translation (closes_loop); what this saves is translating twice the ~85%
 * of backward branches that are no such loop. */
static bool trace_closes(const DisasCtx *s, uint64_t target, unsigned exits)
{
    if (s->b->ninsns + (s->start - target) / 4 > MAX_BLOCK_INSNS)
        return false;
    unsigned side = s->nside + exits;
    for (uint64_t pc = target; pc < s->start; pc += 4) {
        const uint32_t w = __atomic_load_n(&s->page[(pc & 0xfff) / 4], __ATOMIC_RELAXED);
        int64_t off;
        if ((w & 0xff000010u) == 0x54000000u || (w & 0x7e000000u) == 0x34000000u)
            off = sextract64(w, 5, 19) * 4;                 /* B.cond, CBZ/CBNZ */
        else if ((w & 0x7e000000u) == 0x36000000u)
            off = sextract64(w, 5, 14) * 4;                 /* TBZ/TBNZ */
        else if ((w & 0xfc000000u) == 0x14000000u)
            return pc + (uint64_t)(sextract64(w, 0, 26) * 4) == s->start; /* B */
        else if ((w & 0xfffff01fu) == 0xd503201fu || (w & 0xfffff01fu) == 0xd503301fu ||
                 (w & 0xfff00000u) == 0xd5300000u)
            continue;                                       /* hints, barriers, MRS */
        else if ((w & 0x7c000000u) == 0x14000000u || (w & 0xfe000000u) == 0xd4000000u ||
                 (w & 0xfe000000u) == 0xd6000000u || (w & 0xffc00000u) == 0xd5000000u)
            return false;                                   /* BL, exceptions, BR/RET/ERET, system */
        else
            continue;
        const uint64_t t = pc + (uint64_t)off;
        if (t == s->start)
            return true;
        if (t <= pc || side >= s->side_max)
            return pc + 4 == s->start; /* it ends the block: its fall-through GOTO is the start? */
        side++;
    }
    return true; /* runs into the start */
}

/* A loop trace (docs/jit-loops.md, "Loop traces"): at a conditional branch back
 * to before the block, in its page, the block goes on at the target, and
 * leaves by a side exit when the branch is not taken (a plain B back needs
 * no exit). A loop whose body is this block's code and the code before it
 * (gzip's match-chain step: a block entered by a taken forward branch, whose
 * backward branch returns to the code that branched to it) then ends at a
 * branch to the block's own start: a self-loop, whose registers stay in
 * host registers around it. One per block, so the block is two runs of
 * words, and the second ends before the first begins (it stops at the
 * block's start).
 * May the block go on at target, before it in its page, with `exits` more
 * side exits (the trace's own: 1 for a conditional branch, 0 for B)? */
static bool trace_ok(const DisasCtx *s, uint64_t target, unsigned exits)
{
    return s->page && !s->traced && s->nside + exits <= s->side_max && target < s->start &&
           !((target ^ s->start) >> 12) && trace_closes(s, target, exits);
}

/* translate_pass steps on to target: the block's second run of words. */
static void trace_to(DisasCtx *s, uint64_t target)
{
    s->traced = s->jumped = true;
    s->b->n1 = s->b->ninsns;
    s->b->pc2 = target;
    s->pc = target - 4;
}

static bool trace_back(DisasCtx *s, IRTemp cond, uint64_t target)
{
    if (!trace_ok(s, target, 1) || !invert_last_cond(s, cond))
        return false;
    ir_emit(s->b, IR_BRCOND, 8, 0, cond, IR_NO_TEMP, IR_NO_TEMP, IR_BRCOND_AUX(2 + s->nside, s->b->ninsns),
            s->pc + 4);
    s->nside++;
    trace_to(s, target);
    return true;
}

/* B: the block ends with a chained jump, or, for a branch back to before
 * the block whose code comes back to the block's start, goes on there as a
 * loop trace with no side exit of its own (SHA-256's round loop ends `b
 * round` in a block of register moves the round's `b.ne` goes to; bzip2's
 * partition loop ends `b top`). */
void gen_branch(DisasCtx *s, uint64_t target)
{
    if (target < s->pc && trace_ok(s, target, 0)) {
        trace_to(s, target);
        return;
    }
    gen_goto(s, target);
}

/* The block goes on past a conditional branch (docs/jit-loops.md, "Side exits")
 * when the branch goes forward (a backward one is most often a loop's, taken,
 * and one to the block's start keeps the block a self-loop), its
 * fall-through stays in the page, and the block has a chain slot left. The
 * side exit's aux holds, until translate_block fixes it up, the instructions
 * up to it. A branch back to before the block may go on at its target
 * instead (trace_back). */
void gen_cond_branch(DisasCtx *s, IRTemp cond, uint64_t target)
{
    if (target < s->pc && trace_back(s, cond, target))
        return;
    /* A branch to the block's own start (from a trace's second piece) ends
     * the block: a self-loop, chained through slot 0. */
    if (s->nside < s->side_max && target > s->pc && target != s->start && ((s->pc + 4) & 0xfff) != 0) {
        ir_emit(s->b, IR_BRCOND, 8, 0, cond, IR_NO_TEMP, IR_NO_TEMP, IR_BRCOND_AUX(2 + s->nside, s->b->ninsns),
                target);
        s->nside++;
        return;
    }
    gen_brcond(s, cond, target);
    gen_goto(s, s->pc + 4);
}

void gen_jump(DisasCtx *s, IRTemp target)
{
    ir_emit(s->b, IR_JUMP, 8, 0, target, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    s->end = true;
}

void gen_exit(DisasCtx *s, uint64_t next_pc)
{
    ir_emit(s->b, IR_EXIT, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, next_pc);
    s->end = true;
}

void gen_raise(DisasCtx *s, enum ExcKind kind, uint32_t iss)
{
    ir_emit(s->b, IR_RAISE, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, (uint32_t)kind, iss);
    s->end = true;
}

bool gen_undef(DisasCtx *s)
{
    gen_raise(s, EXC_UNDEF, 0);
    return true;
}

/* -d unimp names what a guest runs, not what is translated: a block goes on
 * past conditional branches (side exits), so code the guest skips, such as
 * feature-gated MRS of registers we lack, is translated too. The log is a
 * helper call before the UNDEF, emitted only while the log is on. */
enum { UNIMP_INSN, UNIMP_SYSREG_READ, UNIMP_SYSREG_WRITE };

static void gen_log_unimp(DisasCtx *s, int kind, uint32_t enc)
{
    if (!s->cpu->machine || !machine_tracing(s->cpu->machine, TRACE_UNIMP))
        return;
    t_call(s, HELPER_log_unimp, 0, t_const(s, s->insn), t_const(s, (uint64_t)kind), t_const(s, enc), s->pc);
}

void gen_log_unimp_sysreg(DisasCtx *s, uint32_t enc, bool is_read)
{
    gen_log_unimp(s, is_read ? UNIMP_SYSREG_READ : UNIMP_SYSREG_WRITE, enc);
}

/* Owning vCPU. Each pc once (while it keeps its slot of unimp_seen), and at
 * most UNIMP_LOG_MAX lines per core: a guest must not fill the disk. */
#define UNIMP_LOG_MAX 10000
uint64_t helper_log_unimp(CPUState *cpu, uint64_t insn, uint64_t kind, uint64_t enc, uint64_t pc)
{
    uint64_t *seen = &cpu->unimp_seen[(pc >> 2) % 64];
    if (*seen == pc + 1 || cpu->unimp_lines > UNIMP_LOG_MAX)
        return 0;
    *seen = pc + 1; /* 0: empty */
    if (++cpu->unimp_lines > UNIMP_LOG_MAX) {
        machine_log(cpu->machine, "cpu%d: more unimplemented instructions or registers; no more reported\n",
                    cpu->index);
        return 0;
    }
    if (kind == UNIMP_INSN) {
        const InsnPattern *p = decode_lookup((uint32_t)insn);
        machine_log_unimp(cpu, pc, (uint32_t)insn, p ? p->name : NULL);
    } else {
        sysreg_log_unimp(cpu, pc, (uint32_t)enc, kind == UNIMP_SYSREG_READ);
    }
    return 0;
}

/* The branch instructions PMU event BR_RETIRED counts, taken or not (ERET is
 * EXC_RETURN's; exception entries are not branches). */
static bool is_branch(const InsnPattern *p)
{
    static const char *const names[] = {"B", "BL", "B_cond", "CBZ", "CBNZ", "TBZ", "TBNZ", "BR", "BLR", "RET"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(p->name, names[i]))
            return true;
    return false;
}

void translate_block(CPUState *cpu, IRBlock *b, uint64_t pc, const uint32_t *code, uint32_t max_insns)
{
    /* No page: nothing is written to code. */
    translate_block_traced(cpu, b, pc, (uint32_t *)(uintptr_t)code, max_insns, NULL);
}

/* One pass over the block's instructions into s->b (empty). */
static void translate_pass(DisasCtx *s, uint32_t *code, uint32_t max_insns)
{
    IRBlock *b = s->b;
    CPUState *cpu = s->cpu;
    for (uint32_t i = 0; i < max_insns; i++) {
        /* gdb breakpoints: end the block before one, or stop there. */
        if (__builtin_expect(cpu->machine && cpu->machine->gdb != NULL, 0)) {
            if (!debug_translate_insn(s, i))
                break;
            if (s->end)
                break;
        }
        /* A trace's second piece: each word read once from the page, and
         * kept in code[] in the order the block runs it (TBlock.words). */
        if (s->traced)
            code[i] = __atomic_load_n(&s->page[(s->pc & 0xfff) / 4], __ATOMIC_RELAXED);
        s->insn = code[i];
        ir_emit(b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, s->pc);
        b->ninsns++;
        if (s->tb_flags & TBF_HWBP) /* this core's hardware breakpoints, at run time */
            t_call(s, HELPER_debug_insn, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, s->pc);
        uint32_t nops_before = b->nops, ntemps_before = b->ntemps;
        const InsnPattern *p = decode_lookup(s->insn);
        if ((s->tb_flags & TBF_PMUBR) && p && is_branch(p)) /* BR_RETIRED: before it, it cannot fault */
            t_call(s, HELPER_pmu_br, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
        if (!p || !p->trans(s, s->insn)) {
            /* Unallocated or unimplemented: drop anything half-emitted. */
            b->nops = nops_before; /* keeps INSN_START (and the breakpoint check) */
            b->ntemps = ntemps_before;
            s->end = false;
            gen_log_unimp(s, UNIMP_INSN, 0);
            gen_undef(s);
        }
        if (s->end)
            break;
        s->pc += 4;
        if (s->jumped) { /* to a trace's target: in the page, before the start */
            s->jumped = false;
            max_insns = MAX_BLOCK_INSNS;
            continue;
        }
        /* Stay within one guest page so a block never spans two translations. */
        if ((s->pc & 0xfff) == 0)
            break;
        if (s->traced && s->pc == s->start) /* the second piece ran into the first: a self-loop */
            break;
    }
    if (!s->end)
        gen_goto(s, s->pc);
}

/* The block ends at a branch to its own start (a trace that made a loop). */
static bool closes_loop(const IRBlock *b)
{
    for (uint32_t i = b->nops >= 2 ? b->nops - 2 : 0; i < b->nops; i++)
        if (ir_branch_slot(&b->ops[i]) >= 0 && ir_branch_slot(&b->ops[i]) < 2 && b->ops[i].imm == b->pc)
            return true;
    return false;
}

void translate_block_traced(CPUState *cpu, IRBlock *b, uint64_t pc, uint32_t *code, uint32_t max_insns,
                            const uint32_t *page)
{
    DisasCtx ctx = {.b = b, .cpu = cpu, .pc = pc, .tb_flags = cpu_tb_flags(cpu), .start = pc};
    DisasCtx *s = &ctx;
    s->side_max = cpu->machine ? cpu->machine->opt.side_exits : IR_SIDE_EXITS;
    /* Not under gdb (its breakpoints are looked for by address as the block
     * is translated) nor for single steps. */
    if (cpu->machine && cpu->machine->opt.loop_traces && !cpu->machine->gdb)
        s->page = page;
    if (max_insns > MAX_BLOCK_INSNS)
        max_insns = MAX_BLOCK_INSNS;
    if (s->tb_flags & TBF_STEP) {
        max_insns = 1; /* software step / gdb stepi: one instruction per block */
        s->side_max = 0;
        s->page = NULL;
    }
    uint32_t words[MAX_BLOCK_INSNS];
    if (s->page)
        memcpy(words, code, max_insns * sizeof(uint32_t));
    translate_pass(s, code, max_insns);
    if (b->pc2 && !closes_loop(b)) {
        /* A trace that does not come back to the start is no loop: the
         * block as it was (measured: such traces made bzip2 slower). */
        memcpy(code, words, max_insns * sizeof(uint32_t));
        b->nops = b->ntemps = b->ninsns = b->n1 = 0;
        b->pc2 = 0;
        const uint8_t side_max = s->side_max;
        *s = (DisasCtx){.b = b, .cpu = cpu, .pc = pc, .tb_flags = s->tb_flags, .start = pc, .side_max = side_max};
        translate_pass(s, code, max_insns);
    }
    /* What leaves a block early gives back the instructions after it (the
     * block was counted whole on entry, and the instruction count must stay
     * exact: docs/pmu.md): a side exit when taken (in its aux), a DSB that
     * waits (its helper's imm) and a DAIF write that unmasks a pending
     * interrupt (its helper's imm bits 63:32; the low half is the
     * encoding). Each was given the instructions up to it. */
    for (uint32_t i = 0; (s->give_back || s->nside) && i < b->nops; i++) {
        IROp *op = &b->ops[i];
        if (op->opc == IR_BRCOND && ir_branch_slot(op) >= 2)
            op->aux = IR_BRCOND_AUX(ir_branch_slot(op), b->ninsns - ir_brcond_unrun(op));
        else if (op->opc == IR_CALL && op->aux == HELPER_dsb)
            op->imm = b->ninsns - op->imm;
        else if (op->opc == IR_CALL && (op->aux == HELPER_msr || op->aux == HELPER_msr_pstate) && (op->imm >> 32))
            op->imm = (op->imm & 0xffffffffu) | (uint64_t)(b->ninsns - (uint32_t)(op->imm >> 32)) << 32;
    }
    /* With a compile worker on a host CPU of its own (Machine.optimize_late)
     * a block compiled at its Nth run (-jit-threshold above 1, smp/vcpu.c,
     * lazy_compile) is optimized then, by the worker, on a copy: most
     * blocks never get there, and the interpreter runs the IR as it is. */
    const bool late = cpu->machine && cpu->machine->optimize_late && cpu->machine->opt.tier == TIER_JIT &&
                      cpu->machine->opt.jit_threshold > 1 && !(s->tb_flags & TBF_STEP);
    if (late)
        b->unoptimized = true;
    else
        ir_optimize(b);
    ir_block_trim(b); /* before the JIT embeds op addresses in its code */
    /* One-instruction step blocks are interpreted: the dispatcher must see
     * each one end (native code would chain past it). */
    /* With -jit-threshold above 1 the dispatcher compiles the block later,
     * at its Nth run (smp/vcpu.c, lazy_compile). */
    if (cpu->machine && cpu->machine->opt.tier == TIER_JIT && cpu->machine->opt.jit_threshold <= 1 &&
        !(s->tb_flags & TBF_STEP))
        jit_compile(cpu, b, s->tb_flags);
}
