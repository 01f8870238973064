/* IR clean-up run on every block after translation, before either tier
 * sees it:
 *  1. guest-register reads are forwarded from the temp that already holds
 *     the value (an earlier read or write of the same register);
 *     (LOAD_V and LOAD_V2, Q registers loaded straight into their slots,
 *     forget both halves; STORE_V reads the slot, which every SET_VREG has written);
 *  2. a register write is dropped when the same register is written again
 *     before anything can observe it. Observers are every op that can fault
 *     or leave the block (memory ops, helper calls, exits, terminals) and
 *     any state op not known to leave X/V alone, so the guest state is
 *     still exact wherever an exception or an exit can see it;
 *     in the same pass, a pure op that computes what an earlier one did is
 *     dropped and its readers take the earlier result (cse_hash);
 *  3. pure ops whose result nobody reads are dropped (2 leaves many);
 * and the NOPs this leaves are removed (ALU ops of constants became
 * constants on the way: fold_const); 4. a block that branches to its own
 * start gets its loop-carried register reads hoisted to its head. Thread rules: any thread, on a
 * block it owns (not yet published). */
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "translate.h" /* HELPER_* */

/* A CALL that can neither fault nor read or write X registers or SP: the
 * FP, Advanced SIMD and crypto helpers (helpers_fp.def, helpers_simd.def
 * and helpers_crypto.def, included in that order between HELPER_semihost
 * and HELPER_psci in helpers.def; they work on cpu->v, FPCR/FPSR and NZCV
 * only). X-register reads are forwarded and hidden X writes dropped across
 * it; V registers are not. */
bool ir_call_keeps_x(const IROp *op)
{
    return op->opc == IR_CALL && !(op->flags & IRF_EXCEPT) && op->aux > HELPER_semihost && op->aux < HELPER_psci;
}

/* A CALL that also leaves V registers alone: the scalar FP helpers
 * (helper_fp_scalar, helper_fp_cmp and their host fast paths in
 * cpu/fp_hard.c) take their operands as temps and return the result, so
 * V-register reads are forwarded and hidden V writes dropped across them
 * too (they only set FPSR bits, which no V read depends on). */
static bool call_keeps_v(const IROp *op)
{
    return ir_call_keeps_x(op) && (op->aux == HELPER_fp_scalar || op->aux == HELPER_fp_cmp);
}

/* State ops that neither read nor write X/V registers nor fault: a pending
 * register write may be moved past them. */
static bool regs_untouched(int opc)
{
    switch (opc) {
    case IR_INSN_START: case IR_GET_NZCV: case IR_SET_NZCV: case IR_GET_FIELD:
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC: case IR_ADC_FLAGS:
    case IR_SBC: case IR_SBC_FLAGS: case IR_LOGIC_FLAGS: case IR_COND: case IR_FENCE:
    case IR_CADD_FLAGS: case IR_CSUB_FLAGS:
        return true;
    default:
        return false;
    }
}

/* Steps 2 and 3, one backward pass: `over[r]` says a later write of
 * register r is reached with no observer in between. */
static void drop_dead(IRBlock *b)
{
    uint8_t live[b->ntemps]; /* ir_optimize bounds ntemps */
    memset(live, 0, b->ntemps);
    bool over_x[32], over_v[64];
    memset(over_x, 0, sizeof over_x);
    memset(over_v, 0, sizeof over_v);
    for (uint32_t i = b->nops; i-- > 0;) {
        IROp *op = &b->ops[i];
        const IROpInfo *inf = &ir_op_info[op->opc];
        switch (op->opc) {
        case IR_SET_REG:
            if (op->imm < 32 && over_x[op->imm]) {
                op->opc = IR_NOP;
                continue;
            }
            if (op->imm < 32)
                over_x[op->imm] = true;
            break;
        case IR_SET_VREG:
            if (op->imm < 64 && over_v[op->imm]) {
                op->opc = IR_NOP;
                continue;
            }
            if (op->imm < 64)
                over_v[op->imm] = true;
            break;
        case IR_GET_REG:
            if (op->imm < 32)
                over_x[op->imm] = false;
            break;
        case IR_GET_VREG:
            if (op->imm < 64)
                over_v[op->imm] = false;
            break;
        default:
            if (inf->kind == IRK_PURE) {
                if (inf->has_dst && op->dst != IR_NO_TEMP && !live[op->dst]) {
                    op->opc = IR_NOP;
                    continue;
                }
            } else if (call_keeps_v(op)) {
                /* neither X nor V observed */
            } else if (ir_call_keeps_x(op)) {
                memset(over_v, 0, sizeof over_v);
            } else if (!(inf->kind == IRK_STATE && regs_untouched(op->opc))) {
                memset(over_x, 0, sizeof over_x);
                memset(over_v, 0, sizeof over_v);
            }
            break;
        }
        const IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < inf->nin; k++)
            if (in[k] != IR_NO_TEMP)
                live[in[k]] = 1;
    }
}

bool ir_self_loop(const IRBlock *b)
{
    if (b->nops < 2 || b->ops[0].opc != IR_INSN_START || b->nops > IR_MAX_OPS)
        return false;
    /* Blocks end at their branches: without a direct branch to the start
     * among the last two ops there is nothing to scan for (every block
     * passes here twice, in ir_optimize and in the JIT). */
    bool tail = false;
    for (uint32_t i = b->nops - 2; i < b->nops; i++)
        tail |= ir_branch_slot(&b->ops[i]) >= 0 && b->ops[i].imm == b->pc;
    if (!tail)
        return false;
    bool seen[2] = {false, false}, any = false;
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if ((op->opc == IR_GET_REG || op->opc == IR_SET_REG) && op->imm >= 32)
            return false; /* the interpreter's register access (fallback) */
        if (op->opc == IR_CALL && !ir_call_keeps_x(op))
            return false; /* a helper may write X registers */
        int s = ir_branch_slot(op);
        if (s >= 0 && s < 2 && !seen[s]) {
            seen[s] = true;
            any |= op->imm == b->pc;
        }
    }
    return any;
}

void ir_loop_carried(const IRBlock *b, bool carried[32])
{
    memset(carried, 0, 32 * sizeof(bool));
    for (uint32_t i = 1; i < b->nops; i++)
        if (b->ops[i].opc == IR_SET_REG)
            carried[b->ops[i].imm] = true;
}

/* Step 4, self-loops only: move the live-in reads of the registers the loop
 * also writes (at most IR_LOOP_CARRIED, so that they keep host registers)
 * right after the first INSN_START, in order; the JIT's loop stub feeds
 * them from the branch (cpu/jit_loop_x86.c). Reads of registers the loop
 * only reads stay where they are: hoisted, they held registers for the
 * whole block and the linear scan spilled them. Step 1 forwarded every later
 * read of a register read or written before, and no op of such a block
 * writes X registers but SET_REG, so moving these reads up changes no value. */
static void hoist_loop_reads(IRBlock *b)
{
    if (!ir_self_loop(b))
        return;
    bool carried[32], written[32] = {false}, hoist[32] = {false};
    ir_loop_carried(b, carried);
    IROp *tmp = malloc(b->nops * sizeof(IROp));
    if (!tmp)
        return;
    uint32_t nh = 1, n = 0;
    tmp[0] = b->ops[0];
    for (uint32_t i = 1; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_SET_REG)
            written[op->imm] = true;
        if (op->opc == IR_GET_REG && !written[op->imm] && carried[op->imm] && !hoist[op->imm] &&
            n < IR_LOOP_CARRIED) {
            hoist[op->imm] = true;
            n++;
            tmp[nh++] = *op;
        }
    }
    uint32_t out = nh;
    for (uint32_t i = 1; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        bool moved = false;
        for (uint32_t k = 1; k < nh && !moved; k++)
            moved = op->opc == IR_GET_REG && op->dst == tmp[k].dst;
        if (!moved)
            tmp[out++] = *op;
    }
    memcpy(b->ops, tmp, b->nops * sizeof(IROp));
    free(tmp);
}

/* The op's result has its upper 32 bits zero, by the interpreter's
 * semantics (cpu/interp.c: size-4 arithmetic truncates, COND and CMP give
 * 0/1, unsigned loads of up to 4 bytes zero-extend). */
static bool z32_result(const IROp *op)
{
    switch (op->opc) {
    case IR_MOV: case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_ANDN:
    case IR_ORN: case IR_XORN: case IR_SHL: case IR_SHR: case IR_SAR: case IR_MUL: case IR_ROR:
    case IR_NOT: case IR_NEG: case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC: case IR_SBC:
    case IR_ADC_FLAGS: case IR_SBC_FLAGS:
        return op->size == 4;
    case IR_CONST:
        return op->imm <= 0xffffffffull;
    case IR_COND: case IR_CMP_EQ: case IR_CMP_NE:
        return true;
    case IR_ZEXT:
        return op->imm <= 32;
    case IR_LOAD:
        return op->size <= 4 && !(op->flags & (IRF_SIGNED | IRF_BYTES));
    default:
        return false;
    }
}

/* Step 4: a compare (CMP, CMN: a SUB_FLAGS or ADD_FLAGS whose result no
 * op reads; TST and ANDS: a LOGIC_FLAGS, which has none, on a value computed
 * before it) moves down past the ops between it and the COND that reads its
 * flags, when those only compute values or move registers (pure ops,
 * register reads and writes, instruction starts: nothing there can fault,
 * leave the block or touch NZCV). Then the JIT's setter sits right before
 * the COND's CSEL or B.cond, which CMOVs or jumps on its EFLAGS (docs/jit.md,
 * "Flags"); `cmp x4, x9; add x6, x6, x4, lsl #32; csel x3, x8, x3, cc` was
 * a SETcc, a MOVZX and a compare with 0 more (`tst x0, #1; neg w5, w0, asr
 * #2; csel w0, w5, w0, eq` in benchk's list walk: now a TEST before the
 * CMOV, where the AND's own flags had been reused). NZCV is the same wherever an
 * exception or an exit could see it. `used` marks temps some op reads. */
static void sink_compares(IRBlock *b)
{
    if (!b->ntemps || b->ntemps > IR_MAX_TEMPS)
        return;
    uint8_t used[b->ntemps];
    memset(used, 0, b->ntemps);
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < ir_op_info[op->opc].nin; k++)
            if (in[k] != IR_NO_TEMP)
                used[in[k]] = 1;
    }
    for (uint32_t i = 0; i + 2 < b->nops; i++) {
        const IROp set = b->ops[i];
        if ((set.opc != IR_SUB_FLAGS && set.opc != IR_ADD_FLAGS && set.opc != IR_LOGIC_FLAGS &&
             set.opc != IR_CSUB_FLAGS && set.opc != IR_CADD_FLAGS) ||
            (set.size != 4 && set.size != 8) ||
            (set.dst != IR_NO_TEMP && used[set.dst]))
            continue;
        uint32_t j = i + 1;
        for (; j < b->nops; j++) {
            const IROp *op = &b->ops[j];
            const int kind = ir_op_info[op->opc].kind;
            if (!(kind == IRK_PURE || op->opc == IR_INSN_START || op->opc == IR_GET_REG || op->opc == IR_SET_REG ||
                  op->opc == IR_GET_VREG || op->opc == IR_SET_VREG))
                break;
        }
        if (j == i + 1 || j == b->nops || b->ops[j].opc != IR_COND)
            continue;
        memmove(&b->ops[i], &b->ops[i + 1], (j - 1 - i) * sizeof(IROp));
        b->ops[j - 1] = set;
        i = j - 1;
    }
}

/* An ALU op whose inputs are all constants becomes a CONST of its result,
 * computed as the interpreter does (size 4: the low 32 bits, zero-extended).
 * CSINC/CSINV/CSNEG with XZR make such ops (xzr + 1, ~xzr); they were a
 * `mov; add` or a constant in a stack slot for a CMOV. false: left alone. */
static bool fold_const(IROp *op, const uint8_t *isk, const uint64_t *kv)
{
    const IROpInfo *inf = &ir_op_info[op->opc];
    if (inf->kind != IRK_PURE || !inf->has_dst || (op->size != 4 && op->size != 8) || inf->nin < 1 ||
        !isk[op->a] || (inf->nin > 1 && !isk[op->b]))
        return false;
    const uint64_t a = kv[op->a], b = inf->nin > 1 ? kv[op->b] : 0;
    uint64_t v;
    switch (op->opc) {
    case IR_ADD: v = a + b; break;
    case IR_SUB: v = a - b; break;
    case IR_AND: v = a & b; break;
    case IR_OR: v = a | b; break;
    case IR_XOR: v = a ^ b; break;
    case IR_NOT: v = ~a; break;
    case IR_NEG: v = -a; break;
    default: return false;
    }
    op->opc = IR_CONST;
    op->imm = op->size == 4 ? (uint32_t)v : v;
    op->size = 8;
    op->flags = 0;
    op->aux = 0;
    op->a = op->b = op->c = IR_NO_TEMP;
    return true;
}

/* Common subexpressions (ir_optimize, 1): the kept ops' indices by a hash
 * of what they compute. Temps are written once, so two pure ops with the
 * same inputs, immediates and width compute the same value wherever they
 * are in the block: the later one's readers take the earlier result
 * (`ldr x5, [x4, x8]; ...; str x5, [x4, x8]` computed x4 + x8 twice, the
 * sign extension of `ldrb w15, [x1, w21, sxtw]` repeated a SXTW's). A full
 * table keeps what it has. */
#define CSE_SLOTS 256u

static bool cse_candidate(const IROp *op)
{
    const IROpInfo *inf = &ir_op_info[op->opc];
    return inf->kind == IRK_PURE && inf->has_dst && op->dst != IR_NO_TEMP && op->opc != IR_CONST;
}

static bool cse_commutes(int opc)
{
    return opc == IR_ADD || opc == IR_AND || opc == IR_OR || opc == IR_XOR || opc == IR_MUL || opc == IR_UMULH ||
           opc == IR_SMULH || opc == IR_CMP_EQ || opc == IR_CMP_NE;
}

/* The inputs of a commutative op are hashed and compared in either order;
 * the op keeps its own order (two_addr computes in the first input's
 * register: swapping them would cost a move where the first one dies). */
static uint32_t cse_hash(const IROp *op)
{
    const int nin = ir_op_info[op->opc].nin;
    IRTemp a = nin > 0 ? op->a : 0, b = nin > 1 ? op->b : 0;
    if (cse_commutes(op->opc) && a > b) {
        const IRTemp t = a;
        a = b;
        b = t;
    }
    uint64_t h = (uint64_t)op->opc << 56 ^ (uint64_t)op->size << 48 ^ (uint64_t)op->flags << 32 ^ op->aux;
    h ^= op->imm * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)a << 40 ^ (uint64_t)b << 20 ^ (nin > 2 ? op->c : 0);
    h *= 0xff51afd7ed558ccdull;
    return (uint32_t)(h >> 40);
}

static bool cse_same(const IROp *p, const IROp *q)
{
    const int nin = ir_op_info[p->opc].nin;
    if (p->opc != q->opc || p->size != q->size || p->flags != q->flags || p->imm != q->imm || p->aux != q->aux ||
        (nin > 2 && p->c != q->c))
        return false;
    if (nin < 2)
        return nin < 1 || p->a == q->a;
    return (p->a == q->a && p->b == q->b) || (cse_commutes(p->opc) && p->a == q->b && p->b == q->a);
}

void ir_optimize(IRBlock *b)
{
    /* The per-temp arrays are on the stack (malloc and calloc here were ~1%
     * of a Linux boot). A block with more temps than that fails ir_verify
     * anyway: left as it is. */
    if (!b->ntemps || b->ntemps > IR_MAX_TEMPS)
        return;
    IRTemp repl[b->ntemps];
    for (uint32_t i = 0; i < b->ntemps; i++)
        repl[i] = (IRTemp)i;
    /* Constant temps (CONST ops) for the rewrites below. */
    uint8_t isk[b->ntemps];
    uint64_t kv[b->ntemps];
    memset(isk, 0, b->ntemps);
    /* Temps whose upper 32 bits are known zero (z32_result): a 32-bit
     * zero extension (MOV.4, as read_xreg does for W registers) of one is
     * a copy. */
    uint8_t z32[b->ntemps];
    memset(z32, 0, b->ntemps);
    IRTemp xreg[32], vreg[64];
    for (int i = 0; i < 32; i++)
        xreg[i] = IR_NO_TEMP;
    for (int i = 0; i < 64; i++)
        vreg[i] = IR_NO_TEMP;
    uint16_t cse[CSE_SLOTS]; /* 1 + the index in b->ops of a kept pure op; 0 empty */
    memset(cse, 0, sizeof(cse));

    uint32_t out = 0;
    for (uint32_t i = 0; i < b->nops; i++) {
        IROp op = b->ops[i];
        const IROpInfo *inf = &ir_op_info[op.opc];
        if (inf->nin > 0 && op.a != IR_NO_TEMP)
            op.a = repl[op.a];
        if (inf->nin > 1 && op.b != IR_NO_TEMP)
            op.b = repl[op.b];
        if (inf->nin > 2 && op.c != IR_NO_TEMP)
            op.c = repl[op.c];
        if (fold_const(&op, isk, kv))
            inf = &ir_op_info[op.opc];
        switch (op.opc) {
        case IR_NOP:
            continue;
        case IR_CONST:
            isk[op.dst] = 1;
            kv[op.dst] = op.imm;
            break;
        case IR_MOV:
            if (op.size == 4 && z32[op.a]) {
                repl[op.dst] = op.a;
                continue;
            }
            break;
        case IR_AND:
            /* x & 0xffffffff (from UXTW-style masks): a 32-bit zero extension. */
            if (op.size == 8 && isk[op.b] && kv[op.b] == 0xffffffffull) {
                op.opc = IR_ZEXT;
                op.imm = 32;
                op.b = IR_NO_TEMP;
            }
            break;
        case IR_GET_REG:
            if (xreg[op.imm] != IR_NO_TEMP) {
                repl[op.dst] = xreg[op.imm];
                continue;
            }
            xreg[op.imm] = op.dst;
            break;
        case IR_SET_REG:
            xreg[op.imm] = op.a;
            break;
        case IR_GET_VREG:
            if (vreg[op.imm] != IR_NO_TEMP) {
                repl[op.dst] = vreg[op.imm];
                continue;
            }
            vreg[op.imm] = op.dst;
            break;
        case IR_SET_VREG:
            vreg[op.imm] = op.a;
            break;
        case IR_LOAD_V:
            /* Writes both halves in memory: later reads must load them. */
            vreg[2 * op.imm] = vreg[2 * op.imm + 1] = IR_NO_TEMP;
            break;
        case IR_LOAD_V2:
            for (int k = 0; k < 2; k++)
                vreg[2 * (op.imm & 31) + k] = vreg[2 * (op.imm >> 5) + k] = IR_NO_TEMP;
            break;
        case IR_CALL:
            /* A helper may read or write any register, or switch the
             * stack pointer (register 31) between SP_EL0 and SP_ELx. */
            if (!ir_call_keeps_x(&op))
                for (int r = 0; r < 32; r++)
                    xreg[r] = IR_NO_TEMP;
            if (!call_keeps_v(&op))
                for (int r = 0; r < 64; r++)
                    vreg[r] = IR_NO_TEMP;
            break;
        default:
            break;
        }
        if (cse_candidate(&op)) {
            IRTemp same = IR_NO_TEMP;
            uint32_t h = cse_hash(&op);
            for (int k = 0; k < 8; k++, h++) {
                const uint16_t e = cse[h % CSE_SLOTS];
                if (!e) {
                    if (out < UINT16_MAX)
                        cse[h % CSE_SLOTS] = (uint16_t)(out + 1);
                    break;
                }
                if (cse_same(&b->ops[e - 1], &op)) {
                    same = b->ops[e - 1].dst;
                    break;
                }
            }
            if (same != IR_NO_TEMP) {
                repl[op.dst] = same;
                continue;
            }
        }
        if (inf->has_dst && op.dst != IR_NO_TEMP)
            z32[op.dst] = z32_result(&op);
        b->ops[out++] = op;
    }
    b->nops = out;

    drop_dead(b);
    out = 0;
    for (uint32_t i = 0; i < b->nops; i++)
        if (b->ops[i].opc != IR_NOP)
            b->ops[out++] = b->ops[i];
    b->nops = out;
    sink_compares(b);
    hoist_loop_reads(b);
}
