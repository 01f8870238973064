/* Tier 1's register allocator (docs/jit.md, "Registers and frame"): which
 * IR temps live in which host registers over a block (a linear scan), which
 * temps may use RSI and RDI, the frame homes of the rest, and the register
 * writes deferred to the slow paths ("Deferred register writes"). Runs on
 * the compiling thread, after jit_plan_flags and jit_plan_mem_runs, before
 * any code is emitted (cpu/jit_x86.c, compile). */
#include "jit_x86_ctx.h"

#include "host_cpu.h"

/* Host registers for temps, callee-saved first: those survive helper and
 * interp_exec_op calls (flotilla_jit_enter saves them for the C caller);
 * R9, R10 and R8 are parked around every call by call_abs and the thunks.
 * RAX, RCX and RDX stay scratch for the emitters; R11 is the chain budget
 * (JIT_BUDGET). R8 is not used in a block with an inline LDXR, whose hit
 * path and stub keep the PA in it (jit_excl_x86.c; docs/jit.md, "Registers
 * and frame"). RSI and RDI, last, are scratch for the memory, FP, call and
 * exclusive emitters: a temp gets one only if every op of its range leaves
 * both alone (keeps_rsi_rdi), and RDI only outside a memory run, whose
 * followers find their host address there. */
static const int temp_pool[] = {RBP, R12, R13, R14, R15, R9, R10, R8, RSI, RDI}; /* R11: JIT_BUDGET */
#define NPOOL ((int)(sizeof(temp_pool) / sizeof(temp_pool[0])))
enum { SLOT_R8 = 7, SLOT_RSI = 8, SLOT_RDI = 9 };

/* The pool for block b: all of it, or without R8 (above). */
static unsigned pool_mask(const Ctx *c)
{
    return c->n_excl ? ((1u << NPOOL) - 1) & ~(1u << SLOT_R8) : (1u << NPOOL) - 1;
}

/* Ops whose code never touches RSI or RDI and calls nothing (no
 * interp_exec_op fallback at these sizes): integer ALU ops, flag setters
 * with the LAHF pack (the other pack uses both), CONDs, CSEL, compares,
 * guest register moves and branches (a taken exit leaves the block; the
 * self-loop stub moves temps with RAX only). */
static bool keeps_rsi_rdi(const IROp *op)
{
    const bool w48 = op->size == 4 || op->size == 8;
    switch (op->opc) {
    case IR_NOP: case IR_INSN_START: case IR_CONST: case IR_MOV: case IR_ZEXT: case IR_SELECT: case IR_COND:
    case IR_UMULH: case IR_SMULH: case IR_BRCOND: case IR_GOTO: case IR_FENCE: case IR_GET_NZCV:
    case IR_SET_NZCV: case IR_GET_FIELD:
        return true;
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL: case IR_NOT: case IR_NEG:
    case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROR: case IR_ANDN: case IR_ORN: case IR_XORN:
    case IR_CMP_EQ: case IR_CMP_NE: case IR_ADC: case IR_SBC: case IR_UDIV: case IR_SDIV:
    case IR_CLZ: case IR_CLS: case IR_RBIT: case IR_REV: case IR_REV16:
        return w48;
    case IR_REV32:
        return op->size == 8;
    case IR_SEXT:
        return w48 && op->imm != 0;
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC_FLAGS: case IR_SBC_FLAGS: case IR_LOGIC_FLAGS:
    case IR_CADD_FLAGS: case IR_CSUB_FLAGS:
        return w48 && host_has(HOST_LAHF);
    case IR_GET_REG: case IR_SET_REG:
        return op->imm < 32;
    default:
        return false;
    }
}

/* Prefix counts over the block's ops for the RSI and RDI slots: bad[i] is
 * the number of ops before op i that may touch RSI or RDI, badi[i] the same
 * counting also the ops inside a memory run (after its leader, up to its
 * last follower), where RDI holds the run's host address. Needs the runs
 * planned (jit_plan_mem_runs). false: the block is too long to track. */
static bool plan_rsi_rdi(const Ctx *c, uint16_t *bad, uint16_t *badi)
{
    const IRBlock *b = c->b;
    if (b->nops > IR_MAX_OPS)
        return false;
    uint32_t run_end = 0; /* ops up to this index are inside a run */
    bad[0] = badi[0] = 0;
    for (uint32_t i = 0; i < b->nops; i++) {
        /* A run's followers come after its leader and before the next
         * leader (jit_plan_mem_runs). */
        if (c->mrun[i]) {
            for (uint32_t k = i + 1; k < b->nops && !c->mrun[k]; k++)
                if (c->mdelta[k])
                    run_end = k;
        }
        const bool bi = !keeps_rsi_rdi(&b->ops[i]);
        bad[i + 1] = (uint16_t)(bad[i] + bi);
        badi[i + 1] = (uint16_t)(badi[i] + (bi || (i <= run_end && run_end)));
    }
    return true;
}

/* Ops whose emitter reads every input before it writes its result (or
 * swaps a commutative pair, see two_addr): their result may take the
 * register of an input that dies at the op. */
static bool reads_inputs_first(const IROp *op)
{
    switch (op->opc) {
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL:
    case IR_MOV: case IR_NOT: case IR_NEG: case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROR:
    case IR_SEXT: case IR_ZEXT:
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: /* two_addr too (jit_emit_flag_setter) */
    case IR_ADC: case IR_SBC:             /* two_addr (emit_op) */
    case IR_SELECT:                       /* the condition first, then either operand may be dst */
        return true;
    default:
        return false;
    }
}

/* Two-address integer ops generated inline whose second input may be a
 * memory operand (rmt) and whose first is moved into the result's
 * register (two_addr) or RAX. */
static bool reads_rm(const IROp *op)
{
    switch (op->opc) {
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL:
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC: case IR_SBC: case IR_ADC_FLAGS: case IR_SBC_FLAGS:
        return op->size == 4 || op->size == 8;
    default:
        return false;
    }
}

/* The guest register read at op i (GET_REG of X[n]) needs no host register:
 * every reader takes it as an input of a reads_rm op, at least one as the
 * second (a memory operand: `sub rbp, [rbx + x14]` instead of a MOV and a
 * SUB), and nothing writes X[n] before its last use, so plan_homes gives it
 * CPUState as its home (same conditions). A register the kernel's
 * multi-precision loops lacked. Bounded scan (64 ops). */
static bool read_in_place(const Ctx *c, uint32_t i, const uint32_t *last)
{
    const IRBlock *b = c->b;
    const IROp *g = &b->ops[i];
    const IRTemp d = g->dst;
    if (g->imm >= 31 || (c->loop_n && i < c->loop_head) || last[d] > i + 64)
        return false;
    bool second = false;
    for (uint32_t k = i + 1; k < last[d] && k < b->nops; k++) {
        const IROp *op = &b->ops[k];
        if (k + 1 < last[d] && ((op->opc == IR_SET_REG && op->imm == g->imm) ||
                                (op->opc == IR_CALL && !ir_call_keeps_x(op))))
            return false; /* X[n] written before the last reader */
        const IRTemp in[3] = {op->a, op->b, op->c};
        bool reads = false;
        for (int n = 0; n < ir_op_info[op->opc].nin; n++)
            reads |= in[n] == d;
        if (!reads)
            continue;
        if (!reads_rm(op) || op->a == op->b)
            return false;
        second |= op->b == d;
    }
    return second;
}

/* The ops whose result may be written straight to a guest register's home
 * (plan_homes): they read every input before they write the result (a
 * read of the same register's home among them still sees the old value),
 * with stt, or through interp_exec_op's slot, which emit_interp_call_from
 * copies there. */
static bool result_to_home(const IROp *op)
{
    return reads_inputs_first(op) || (op->opc == IR_LOAD && op->size <= 8);
}

/* A guest-register read that gets no host register needs no copy in its
 * slot: its readers can take the value from CPUState itself (c->home[t],
 * the offset of X[r]) as long as nothing writes X[r] before its last use:
 * no SET_REG of r, no helper that may write X registers (ir_call_keeps_x),
 * in between (write-through, docs/jit.md "Registers and frame"). The
 * interpreter's slots are filled where it needs them (emit_interp_call).
 * A self-loop's hoisted live-in reads are left alone: the loop stub writes
 * those slots. -1: the slot. */
static void plan_homes(Ctx *c)
{
    const IRBlock *b = c->b;
    for (uint32_t t = 0; t < b->ntemps; t++)
        c->home[t] = -1;
    /* One backward pass: clobber[r] is the first op after the current one
     * that may write X[r] (it was a scan to each read's last use, quadratic
     * in the block's length). */
    uint32_t clobber[32];
    for (int r = 0; r < 32; r++)
        clobber[r] = UINT32_MAX;
    for (uint32_t i = b->nops; i-- > 0;) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_SET_REG && op->imm < 32) {
            /* A value that gets no host register and is written to X[n]
             * by the op right after it lives in X[n] itself, as a read
             * does, instead of in its slot and X[n] both: its op writes
             * it there (stt) and this SET_REG emits nothing. */
            const IRTemp t = op->a;
            if (op->imm < 31 && i > 0 && c->treg[t] < 0 && c->home[t] < 0 && c->last_use[t] &&
                clobber[op->imm] >= c->last_use[t] - 1 && b->ops[i - 1].dst == t && result_to_home(&b->ops[i - 1]) &&
                !jit_deferred_set(c, i) && b->nops <= IR_MAX_OPS) {
                c->home[t] = CPU_OFF(x) + 8 * (int32_t)op->imm;
            }
            clobber[op->imm] = i;
            continue;
        }
        if (op->opc == IR_CALL && !ir_call_keeps_x(op)) {
            for (int r = 0; r < 32; r++)
                clobber[r] = i;
            continue;
        }
        if (op->opc != IR_GET_REG || op->imm >= 32 || c->treg[op->dst] >= 0 || !c->last_use[op->dst])
            continue;
        if (c->loop_n && i < c->loop_head)
            continue;
        /* The last reader (op last_use - 1) reads before it writes. */
        if (clobber[op->imm] >= c->last_use[op->dst] - 1)
            c->home[op->dst] = CPU_OFF(x) + 8 * (int32_t)op->imm;
    }
}

/* Ops a register write may be deferred over (plan_deferred_sets): they
 * neither read X registers from CPUState nor leave the block, and those
 * that may raise (plain loads and stores) go through
 * jit_emit_deferred_sets on every way into C that can. */
static bool defer_over(const IROp *op)
{
    if (jit_stubs_defer(op))
        return true;
    switch (op->opc) {
    case IR_INSN_START: case IR_SET_REG: case IR_GET_REG: case IR_GET_VREG: case IR_SET_VREG:
    case IR_GET_NZCV: case IR_SET_NZCV: case IR_COND: case IR_ADD_FLAGS: case IR_SUB_FLAGS:
    case IR_ADC: case IR_ADC_FLAGS: case IR_SBC: case IR_SBC_FLAGS: case IR_LOGIC_FLAGS:
    case IR_CADD_FLAGS: case IR_CSUB_FLAGS:
        return true;
    default:
        return ir_op_info[op->opc].kind == IRK_PURE;
    }
}

/* A SET_REG of X[n] (n < 31) that the next SET_REG of X[n] hides, with
 * only defer_over ops and at least one memory op between, is stored only
 * by those memory ops' slow paths (docs/jit.md, "Deferred register
 * writes"): its value temp lives to the last of them. ir_optimize already
 * dropped such writes with no memory op between. Compiling thread, from
 * jit_alloc_regs (last = each temp's last use + 1). */
static void plan_deferred_sets(Ctx *c, uint32_t *last)
{
    const IRBlock *b = c->b;
    c->ndw = 0;
    if (b->nops > IR_MAX_OPS)
        return;
    /* The deferred flag packs' temps (jit_plan_flags) live to their last access. */
    for (uint32_t k = 0; k < c->nfw; k++) {
        const IRTemp t[2] = {c->fw_t1[k], c->fw_t2[k]};
        for (int n = 0; n < 2; n++)
            if (t[n] != IR_NO_TEMP && last[t[n]] < c->fw_mem[k] + 1)
                last[t[n]] = c->fw_mem[k] + 1;
    }
    /* A write is deferred to the slow paths of the accesses it spans. */
    for (uint32_t i = 0; c->n_defer && i < b->nops && c->ndw < JIT_MAX_DEFERRED; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc != IR_SET_REG || op->imm >= 31)
            continue;
        uint32_t mem_last = 0;
        for (uint32_t k = i + 1; k < b->nops && k <= i + 64; k++) {
            const IROp *o = &b->ops[k];
            if (!defer_over(o) || (o->opc == IR_GET_REG && o->imm == op->imm))
                break;
            if (jit_stubs_defer(o))
                mem_last = k;
            if (o->opc == IR_SET_REG && o->imm == op->imm) {
                if (mem_last) {
                    c->dw_set[c->ndw] = i;
                    c->dw_end[c->ndw] = k;
                    c->dw_temp[c->ndw] = op->a;
                    c->dw_reg[c->ndw] = (uint8_t)op->imm;
                    c->ndw++;
                    if (last[op->a] < mem_last + 1)
                        last[op->a] = mem_last + 1;
                }
                break;
            }
        }
    }
}

/* The SHL by a constant 1..3 (size 8) within 4 ops before op k that writes
 * t, with only register moves and constants between, or NULL: an index that
 * an ADD at k may take scaled (emit_op's IR_ADD), *scale = 2^count.
 * Compiling thread. */
const IROp *jit_scaled_shl(const Ctx *c, uint32_t k, IRTemp t, int *scale)
{
    const IRBlock *b = c->b;
    for (uint32_t i = k; i-- > 0 && i + 4 >= k;) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_SHL && op->dst == t) {
            if (op->size != 8 || op->a == t)
                return NULL;
            /* The count: a CONST op just before (the translator's order). */
            for (uint32_t m = i; m-- > 0 && m + 3 >= i;)
                if (b->ops[m].opc == IR_CONST && b->ops[m].dst == op->b) {
                    *scale = 1 << (b->ops[m].imm & 3);
                    return b->ops[m].imm >= 1 && b->ops[m].imm <= 3 ? op : NULL;
                }
            return NULL;
        }
        if (op->opc != IR_SET_REG && op->opc != IR_GET_REG && op->opc != IR_INSN_START && op->opc != IR_CONST)
            return NULL;
    }
    return NULL;
}

/* A register offset whose shifted index is read by more than its ADD (gzip's
 * match chain: `ubfiz x4, x4, #1, #15; ldrh w4, [x11, x4]`, where the
 * UBFIZ's x4 is stored on the load's slow path): the index before the
 * shift lives to the ADD, which takes it scaled (`lea rd, [base + idx *
 * 2^n]`), so that the address does not wait for the shift. The SHL alone
 * right before an ADD that is its only reader needs none of this (it emits
 * nothing: the IR_SHL case in cpu/jit_x86.c). */
static void plan_scaled_adds(Ctx *c, uint32_t *last)
{
    const IRBlock *b = c->b;
    for (uint32_t k = 1; k < b->nops; k++) {
        const IROp *add = &b->ops[k];
        if (add->opc != IR_ADD || add->size != 8 || add->a == add->b)
            continue;
        const IRTemp in[2] = {add->a, add->b};
        for (int n = 0; n < 2; n++) {
            int scale;
            const IROp *shl = jit_scaled_shl(c, k, in[n], &scale);
            if (!shl || (shl == add - 1 && last[shl->dst] == k + 1))
                continue;
            if (last[shl->a] < k + 1)
                last[shl->a] = k + 1;
            break;
        }
    }
}

bool jit_deferred_set(const Ctx *c, uint32_t i)
{
    for (uint32_t k = 0; k < c->ndw; k++)
        if (c->dw_set[k] == i)
            return true;
    return false;
}

/* Linear scan over the block's temps (written once; Poletto and Sarkar's
 * variant): a temp gets a free pool register from its definition to its
 * last use; when none is free, the live temp whose last use is farthest
 * gives its register up (it stays in its slot for its whole life: nothing
 * is emitted yet) if that is farther than the new temp's. An op's inputs
 * keep their registers through the op (an emitter may write the result
 * before it has read every input), except for reads_inputs_first ops.
 * CONST temps are immediates (they stay in slots); a COND fused with its
 * flag setter (jit_plan_flags, run before) is written by the setter, so it
 * is given a free register there, if any; other CONDs stay in slots.
 * c->treg and c->last_use have room for the block's temps. Compiling
 * thread. */
bool jit_alloc_regs(Ctx *c)
{
    const IRBlock *b = c->b;
    uint32_t n = b->ntemps ? b->ntemps : 1;
    uint32_t *last = c->last_use;
    memset(c->treg, -1, n);
    memset(last, 0, n * sizeof(uint32_t));
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < ir_op_info[op->opc].nin; k++)
            last[in[k]] = i + 1;
    }
    jit_loop_extend(c, last);
    plan_deferred_sets(c, last);
    if (b->nops <= IR_MAX_OPS)
        plan_scaled_adds(c, last);
    /* The pool as bit masks: busy (slot k holds holder[k], whose last use
     * is hexp[k]) and each register's slot. The same choices as scanning
     * the slots in order, without the scans (jit_alloc_regs was ~1.5% of a
     * Linux boot's host time). */
    IRTemp holder[NPOOL];
    uint32_t hexp[NPOOL];
    unsigned busy = 0;
    const unsigned poolm = pool_mask(c);
    /* The slots a temp from op d to its last use may take (RSI, RDI: see
     * temp_pool). */
    uint16_t *bad = c->rsi_bad, *badi = c->rdi_bad;
    const bool extra = plan_rsi_rdi(c, bad, badi);
#define ALLOWED(d, l) (poolm & ~((!extra || bad[l] != bad[d] ? 1u << SLOT_RSI : 0) | \
                                (!extra || badi[l] != badi[d] ? 1u << SLOT_RDI : 0)))
    int8_t slot_of[16];
    memset(slot_of, -1, sizeof(slot_of));
    for (int k = 0; k < NPOOL; k++)
        slot_of[temp_pool[k]] = (int8_t)k;
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const uint32_t free_upto = reads_inputs_first(op) ? i + 1 : i;
        for (unsigned m = busy; m; m &= m - 1) {
            const int k = __builtin_ctz(m);
            if (hexp[k] <= free_upto)
                busy &= ~(1u << k);
        }
        /* The result: do ... while (0), so that `continue` here goes on to
         * the fused CONDs below. */
        do {
        if (!ir_op_info[op->opc].has_dst || op->opc == IR_CONST || op->opc == IR_COND || last[op->dst] <= i + 1)
            continue;
        if (op->opc == IR_GET_REG && read_in_place(c, i, last))
            continue;
        const unsigned allowed = ALLOWED(i, last[op->dst]);
        const unsigned freem = ~busy & allowed;
        int pick = -1;
        /* A self-loop's value of a carried register at its branches back:
         * the live-in's register, when free here, leaves the loop stub no
         * move to make (the kernel's `adc x0, x2, x1` then adds in place). */
        for (uint32_t k = 0; k < c->loop_n && pick < 0; k++)
            if ((c->loop_e[0] >= 0 || c->loop_e[1] >= 0) &&
                (c->loop_e[0] < 0 || c->loop_cur[0][k] == op->dst) &&
                (c->loop_e[1] < 0 || c->loop_cur[1][k] == op->dst) && c->treg[c->loop_in[k]] >= 0 &&
                (freem >> slot_of[c->treg[c->loop_in[k]]] & 1))
                pick = slot_of[c->treg[c->loop_in[k]]];
        /* Two-address ops compute in their result's register (two_addr):
         * the register of a first input that dies here makes that one
         * instruction (`sub r12d, ebp`), and for a non-commutative op the
         * second input's register makes it three through RAX. */
        if (pick < 0 && free_upto == i + 1 && op->a != IR_NO_TEMP && c->treg[op->a] >= 0 && last[op->a] == i + 1 &&
            (freem >> slot_of[c->treg[op->a]] & 1))
            pick = slot_of[c->treg[op->a]];
        const int avoid = ir_op_info[op->opc].nin > 1 && op->b != IR_NO_TEMP ? c->treg[op->b] : -1;
        const unsigned avoidm = avoid >= 0 ? 1u << slot_of[avoid] : 0;
        /* RSI and RDI first when this temp may have them: they are free
         * more often for the temps that may not. Not for a self-loop's
         * live-in reads: the loop stub moves each register's value at the
         * branch back into its live-in temp's register, and a live-in that
         * takes the register its successor takes at its op (two_addr: `add
         * x3, x3, x1` in place) needs no move there. */
        const bool prefer_extra = !(c->loop_n && i < c->loop_head);
        const unsigned extram = prefer_extra ? freem & ~avoidm & (1u << SLOT_RSI | 1u << SLOT_RDI) : 0;
        if (pick < 0 && extram)
            pick = __builtin_ctz(extram);
        if (pick < 0 && (freem & ~avoidm))
            pick = __builtin_ctz(freem & ~avoidm);
        if (pick < 0 && freem)
            pick = __builtin_ctz(freem);
        if (pick < 0) {
            int far = -1;
            for (int k = 0; k < NPOOL; k++)
                if ((allowed >> k & 1) && (far < 0 || hexp[k] > hexp[far]))
                    far = k;
            /* The loser may be an input of this op: it is then read from
             * its slot here too (it lives there for its whole range). */
            if (far < 0 || hexp[far] <= last[op->dst])
                continue;
            c->treg[holder[far]] = -1;
            pick = far;
        }
        holder[pick] = op->dst;
        hexp[pick] = last[op->dst];
        busy |= 1u << pick;
        c->treg[op->dst] = (int8_t)temp_pool[pick];
        } while (0);
        /* A flag setter writes its fused CONDs itself (setcc; movzx), so
         * their ranges start here, not at the COND op. Only a free register
         * (none is taken from another temp): else the slot, as before,
         * where a SELECT or ADC some ops later read it back from memory. */
        const IROp *fc[FUSE_MAX];
        const unsigned nf = jit_fused_conds(c, i, fc);
        for (unsigned k = 0; k < nf; k++) {
            const IRTemp d = fc[k]->dst;
            if (last[d] <= (uint32_t)(fc[k] - b->ops) + 1)
                continue;
            const unsigned freem = ~busy & ALLOWED(i, last[d]);
            if (!freem)
                continue;
            const int pick = __builtin_ctz(freem);
            holder[pick] = d;
            hexp[pick] = last[d];
            busy |= 1u << pick;
            c->treg[d] = (int8_t)temp_pool[pick];
        }
    }
#undef ALLOWED
    c->cs_used = 0;
    for (uint32_t t = 0; t < n; t++)
        if (c->treg[t] >= R8 && c->treg[t] <= R10)
            c->cs_used |= (uint16_t)(1u << c->treg[t]);
    plan_homes(c);
    return true;
}
