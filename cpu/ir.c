/* IR builder, verifier and dumper, all driven by ir_ops.def. */
#include "ir.h"
#include "jit_x86.h"
#include "translate.h" /* HELPER_NUM */

#include <stdlib.h>
#include <string.h>

const IROpInfo ir_op_info[IR_NUM_OPS] = {
#define IR_OP(name, nin, dst, kind) [IR_##name] = {#name, nin, dst, kind},
#include "ir_ops.def"
#undef IR_OP
};

void ir_block_init(IRBlock *b, uint64_t pc)
{
    memset(b, 0, sizeof(*b));
    b->pc = pc;
    b->cap = 256;
    b->ops = malloc(b->cap * sizeof(IROp));
    if (!b->ops) {
        fprintf(stderr, "flotilla: out of memory\n");
        exit(1);
    }
}

void ir_block_init_scratch(IRBlock *b, uint64_t pc, IRScratch *s)
{
    if (!s->ops) {
        s->cap = 256;
        s->ops = malloc(s->cap * sizeof(IROp));
        if (!s->ops) {
            fprintf(stderr, "flotilla: out of memory\n");
            exit(1);
        }
    }
    memset(b, 0, sizeof(*b));
    b->pc = pc;
    b->ops = s->ops;
    b->cap = s->cap;
    b->scratch = s;
}

void ir_scratch_free(IRScratch *s)
{
    free(s->ops);
    s->ops = NULL;
    s->cap = 0;
}

/* The owner of b: the borrowed array goes back to its scratch (ir_emit may
 * have grown and moved it). */
static void scratch_return(IRBlock *b)
{
    b->scratch->ops = b->ops;
    b->scratch->cap = b->cap;
    b->scratch = NULL;
    b->ops = NULL;
    b->cap = 0;
}

void ir_block_trim(IRBlock *b)
{
    if (b->scratch) {
        const uint32_t n = b->nops ? b->nops : 1;
        IROp *own = malloc(n * sizeof(IROp));
        if (!own) {
            fprintf(stderr, "flotilla: out of memory\n");
            exit(1);
        }
        memcpy(own, b->ops, b->nops * sizeof(IROp));
        scratch_return(b);
        b->ops = own;
        b->cap = n;
        return;
    }
    if (b->nops >= b->cap)
        return;
    IROp *n = realloc(b->ops, (b->nops ? b->nops : 1) * sizeof(IROp));
    if (n) { /* a failed shrink keeps the old array: still valid */
        b->ops = n;
        b->cap = b->nops ? b->nops : 1;
    }
}

void ir_block_free(IRBlock *b)
{
    if (b->native)
        jit_code_free(b->jit_code, b->native, b->native_size);
    b->native = NULL;
    b->jit_code = NULL;
    if (b->scratch)
        scratch_return(b);
    else if (!atomic_load_explicit(&b->ops_dropped, memory_order_acquire))
        free(b->ops);
    b->ops = NULL;
    b->nops = b->cap = 0;
}

IRTemp ir_new_temp(IRBlock *b)
{
    return (IRTemp)b->ntemps++;
}

IRTemp ir_emit(IRBlock *b, int opc, int size, uint16_t flags, IRTemp a, IRTemp b_, IRTemp c,
               uint32_t aux, uint64_t imm)
{
    if (b->nops == b->cap) {
        b->cap *= 2;
        IROp *n = realloc(b->ops, b->cap * sizeof(IROp));
        if (!n) {
            fprintf(stderr, "flotilla: out of memory\n");
            exit(1);
        }
        b->ops = n;
    }
    IROp *op = &b->ops[b->nops++];
    op->opc = (uint8_t)opc;
    op->size = (uint8_t)size;
    op->flags = flags;
    op->a = a;
    op->b = b_;
    op->c = c;
    op->aux = aux;
    op->imm = imm;
    op->dst = ir_op_info[opc].has_dst ? ir_new_temp(b) : IR_NO_TEMP;
    return op->dst;
}

bool ir_block_terminated(const IRBlock *b)
{
    return b->nops > 0 && ir_op_info[b->ops[b->nops - 1].opc].kind == IRK_TERM;
}

/* Any thread: the checks of one op that depend on its opcode; NULL if it passes. */
static const char *verify_op_imm(const IROp *op)
{
    switch (op->opc) {
    case IR_GET_VREG: case IR_SET_VREG:
        return op->imm > 63 ? "vector register half out of range" : NULL;
    case IR_GET_REG: case IR_SET_REG:
        return op->imm > 31 ? "bad register number" : NULL;
    case IR_GET_FIELD:
        return op->imm % 8 || op->imm > sizeof(CPUState) - 8 ? "bad CPUState offset" : NULL;
    case IR_COND:
        return op->imm > 15 ? "bad condition" : NULL;
    case IR_SEXT:
        return op->imm < 1 || op->imm > 64 ? "bad extension width" : NULL;
    case IR_CALL:
        return op->aux >= HELPER_NUM ? "bad helper id" : NULL;
    case IR_LOAD:
        return (op->flags & IRF_SIGNED) && !(op->aux == 4 || op->aux == 8) ? "bad sign-extension size" : NULL;
    case IR_BRCOND:
        /* Slot 0 (terminal or DSB) gives nothing back; a side exit's slot is 2 or 3. */
        return (op->aux & 0xff) == 1 || (op->aux & 0xff) >= IR_CHAIN_SLOTS ||
                       ((op->aux & 0xff) == 0 && op->aux >> 8)
                   ? "bad BRCOND slot"
                   : NULL;
    default:
        return NULL;
    }
}

/* Which of ir_verify's per-op checks apply to an opcode, from the op
 * table at compile time: most ops need one or none besides the temps (the
 * verifier runs on every block translated and every optimized copy). */
enum {
    VC_TERM = 1 << 0,  /* terminal: must be last */
    VC_MEM = 1 << 1,   /* access size */
    VC_Q = 1 << 2,     /* LOAD_V2, LOAD_V, STORE_V operands */
    VC_WIDTH = 1 << 3, /* ALU width 4 or 8 */
    VC_BR = 1 << 4,    /* BRCOND's give-back */
};
#define VC_IS(n, x) (IR_##n == IR_##x)
#define IR_OP(n, nin, dst, kind)                                                                              \
    [IR_##n] = (uint8_t)(((kind) == IRK_TERM ? VC_TERM : 0) | ((kind) == IRK_MEM ? VC_MEM : 0) |             \
                         (VC_IS(n, LOAD_V2) || VC_IS(n, LOAD_V) || VC_IS(n, STORE_V) ? VC_Q : 0) |           \
                         ((((kind) == IRK_PURE || VC_IS(n, ADD_FLAGS) || VC_IS(n, SUB_FLAGS)) && (dst) &&    \
                           !VC_IS(n, CONST) && !VC_IS(n, SELECT) && !VC_IS(n, ZEXT)) ||                      \
                                  VC_IS(n, ADC) || VC_IS(n, ADC_FLAGS) || VC_IS(n, SBC) ||                   \
                                  VC_IS(n, SBC_FLAGS) || VC_IS(n, LOGIC_FLAGS)                               \
                              ? VC_WIDTH                                                                     \
                              : 0) |                                                                         \
                         (VC_IS(n, BRCOND) ? VC_BR : 0)),
static const uint8_t verify_class[IR_NUM_OPS] = {
#include "ir_ops.def"
};
#undef IR_OP
#undef VC_IS

/* The checks of the rarer classes, shared by verify_ok and the reference.
 * An access of 1, 2, 4 or 8 bytes, or a whole Q register (or two). */
static bool mem_size_ok(const IROp *op)
{
    return op->size == 1 || op->size == 2 || op->size == 4 || op->size == 8 ||
           ((op->opc == IR_LOAD_V || op->opc == IR_STORE_V) && op->size == 16) ||
           (op->opc == IR_LOAD_V2 && op->size == 32);
}
/* LOAD_V2, LOAD_V, STORE_V: register numbers, size, only IRF_ALIGN. */
static bool q_access_ok(const IROp *op)
{
    if (op->opc == IR_LOAD_V2)
        return op->imm <= 1023 && op->size == 32 && !(op->flags & ~IRF_ALIGN);
    if (op->opc == IR_LOAD_V || op->opc == IR_STORE_V)
        return op->imm <= 31 && op->size == 16 && !(op->flags & ~IRF_ALIGN);
    return true;
}
/* A side exit gives back fewer instructions than its block has. */
static bool give_back_ok(const IROp *op, const IRBlock *b)
{
    return !ir_brcond_unrun(op) || ir_brcond_unrun(op) < b->ninsns;
}

/* Per opcode, for verify_ok: its inputs (bits 0-1), a result (VS_DST), an
 * immediate checked as a register number (VS_REG: GET_REG, SET_REG, the
 * most common ops) or by verify_op_imm (VS_IMM: the rest of its switch).
 * verify_class says which other checks apply. */
enum { VS_DST = 1 << 2, VS_REG = 1 << 3, VS_IMM = 1 << 4 };
#define VS_IN(n, x) (IR_##n == IR_##x)
#define VS_IMM_OP(n)                                                                                          \
    (VS_IN(n, GET_VREG) || VS_IN(n, SET_VREG) || VS_IN(n, GET_FIELD) || VS_IN(n, COND) || VS_IN(n, SEXT) ||    \
     VS_IN(n, CALL) || VS_IN(n, LOAD) || VS_IN(n, BRCOND))
#define IR_OP(n, nin, dst, kind)                                                                              \
    [IR_##n] = (uint8_t)((nin) | ((dst) ? VS_DST : 0) | (VS_IN(n, GET_REG) || VS_IN(n, SET_REG) ? VS_REG : 0) | \
                         (VS_IMM_OP(n) ? VS_IMM : 0)),
static const uint8_t verify_shape[IR_NUM_OPS] = {
#include "ir_ops.def"
};
#undef IR_OP
#undef VS_IMM_OP
#undef VS_IN

/* Any thread: whether ir_verify_reference would pass b (nops and ntemps
 * already checked), in one pass with few branches: the temps' checks are
 * table lookups and masks (an input or result out of range is clamped to
 * an entry that is never set), the common per-op checks masks too; only
 * the rarer classes branch. Must accept exactly what the reference
 * accepts (test ir.verify_fast_path_matches_the_reference). */
static bool verify_ok(const IRBlock *b)
{
    const uint32_t nt = b->ntemps, n = b->nops;
    /* def[nt]: never set (reads out of range fail); def[nt + 1]: where a
     * result out of range is recorded. */
    uint8_t def[nt + 2];
    memset(def, 0, nt + 2);
    unsigned bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            return false;
        const unsigned sh = verify_shape[op->opc], nin = sh & 3;
        const uint32_t a = op->a < nt ? op->a : nt, bb = op->b < nt ? op->b : nt, c = op->c < nt ? op->c : nt;
        bad |= (nin > 0) & (def[a] ^ 1u);
        bad |= (nin > 1) & (def[bb] ^ 1u);
        bad |= (nin > 2) & (def[c] ^ 1u);
        if (sh & VS_DST) {
            const bool out = op->dst >= nt;
            bad |= out;
            def[out ? nt + 1 : op->dst] = 1;
        }
        bad |= ((sh & VS_REG) != 0) & (op->imm > 31);
        const uint8_t vc = verify_class[op->opc];
        bad |= ((vc & VC_TERM) != 0) & (i != n - 1);
        bad |= ((vc & VC_WIDTH) != 0) & (op->size != 4) & (op->size != 8);
        if (__builtin_expect((sh & VS_IMM) || (vc & (VC_MEM | VC_Q | VC_BR)), 0)) {
            if (((sh & VS_IMM) && verify_op_imm(op)) || ((vc & VC_MEM) && !mem_size_ok(op)) ||
                ((vc & VC_Q) && !q_access_ok(op)) || ((vc & VC_BR) && !give_back_ok(op, b)))
                return false;
        }
    }
    return !bad && ir_block_terminated(b);
}

/* Any thread, on its own block. Runs on every block translated
 * (smp/vcpu.c) and on the optimized copy a lazy compile makes (cpu/jit_x86.c):
 * verify_ok answers for the blocks that pass (all of them, unless we have a
 * bug); the reference then names what failed. */
const char *ir_verify(const IRBlock *b)
{
    if (b->nops == 0)
        return "empty block";
    if (b->ntemps > IR_MAX_TEMPS)
        return "too many temps";
    if (verify_ok(b))
        return NULL;
    return ir_verify_reference(b);
}

/* Any thread: the checks one at a time, for the message (and the tests'
 * reference for verify_ok). The per-temp table is on the stack (a calloc
 * per block before). Within one op, the last failing check in the order
 * below gives the message. */
const char *ir_verify_reference(const IRBlock *b)
{
    if (b->nops == 0)
        return "empty block";
    if (b->ntemps > IR_MAX_TEMPS)
        return "too many temps";
    /* Each temp must be written before it is read (single pass, in order). */
    uint8_t def[b->ntemps ? b->ntemps : 1];
    memset(def, 0, b->ntemps);
    const char *err = NULL;
    for (uint32_t i = 0; i < b->nops && !err; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            return "bad opcode";
        const IROpInfo *inf = &ir_op_info[op->opc];
        IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < inf->nin; k++) {
            if (in[k] >= b->ntemps || !def[in[k]]) {
                err = "temp read before written";
                break;
            }
        }
        if (inf->has_dst) {
            if (op->dst >= b->ntemps)
                err = "bad dst temp";
            else
                def[op->dst] = 1;
        }
        /* Immediates that index arrays or set shift counts in the tiers
         * (its switch is the one list of the ops that have them); its
         * message comes after the width's, as the order below says. */
        const char *imm_err = verify_op_imm(op);
        const uint8_t vc = verify_class[op->opc];
        if (!vc) {
            if (imm_err)
                err = imm_err;
            continue;
        }
        if ((vc & VC_TERM) && i != b->nops - 1)
            err = "terminal op before end of block";
        if ((vc & VC_MEM) && !mem_size_ok(op))
            err = "bad memory access size";
        if ((vc & VC_Q) && !q_access_ok(op))
            err = "bad Q access";
        /* ALU ops, the carry ops and LOGIC_FLAGS compute at `size` (the
         * interpreter shifts by size * 8 - 1). */
        if ((vc & VC_WIDTH) && !(op->size == 4 || op->size == 8))
            err = "bad ALU width";
        if (imm_err)
            err = imm_err;
        if ((vc & VC_BR) && !give_back_ok(op, b))
            err = "side exit gives back more than its block";
    }
    if (!err && !ir_block_terminated(b))
        err = "block has no terminal";
    return err;
}

void ir_dump(const IRBlock *b, FILE *out)
{
    fprintf(out, "IR block pc=0x%016llx insns=%u ops=%u temps=%u\n", (unsigned long long)b->pc,
            b->ninsns, b->nops, b->ntemps);
    if (b->pc2)
        fprintf(out, "  loop trace: %u at pc, the rest at 0x%016llx\n", b->n1, (unsigned long long)b->pc2);
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS) {
            /* Dumps are for debugging bad blocks too: never index past the table. */
            fprintf(out, "  <bad opcode %u>\n", op->opc);
            continue;
        }
        const IROpInfo *inf = &ir_op_info[op->opc];
        if (op->opc == IR_INSN_START) {
            fprintf(out, " ---- 0x%016llx\n", (unsigned long long)op->imm);
            continue;
        }
        fprintf(out, "  ");
        if (inf->has_dst)
            fprintf(out, "t%u = ", op->dst);
        fprintf(out, "%s.%u", inf->name, op->size);
        IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < inf->nin; k++)
            fprintf(out, " t%u", in[k]);
        if (op->imm || op->opc == IR_CONST)
            fprintf(out, " #0x%llx", (unsigned long long)op->imm);
        if (op->aux)
            fprintf(out, " aux=%u", op->aux);
        if (op->flags)
            fprintf(out, " fl=0x%x", op->flags);
        fprintf(out, "\n");
    }
}
