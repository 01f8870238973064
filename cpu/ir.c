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

void ir_block_trim(IRBlock *b)
{
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
        jit_code_free(b->native, b->native_size);
    b->native = NULL;
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

const char *ir_verify(const IRBlock *b)
{
    if (b->nops == 0)
        return "empty block";
    if (b->ntemps > IR_MAX_TEMPS)
        return "too many temps";
    /* Each temp must be written before it is read (single pass, in order). */
    uint8_t *def = calloc(b->ntemps ? b->ntemps : 1, 1);
    const char *err = NULL;
    for (uint32_t i = 0; i < b->nops && !err; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS) {
            err = "bad opcode";
            break;
        }
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
        if (inf->kind == IRK_TERM && i != b->nops - 1)
            err = "terminal op before end of block";
        if (inf->kind == IRK_MEM && !(op->size == 1 || op->size == 2 || op->size == 4 || op->size == 8) &&
            !((op->opc == IR_LOAD_V || op->opc == IR_STORE_V) && op->size == 16) &&
            !(op->opc == IR_LOAD_V2 && op->size == 32))
            err = "bad memory access size";
        if (op->opc == IR_LOAD_V2 && (op->imm > 1023 || op->size != 32 || (op->flags & ~IRF_ALIGN)))
            err = "bad Q access";
        if ((op->opc == IR_LOAD_V || op->opc == IR_STORE_V) && (op->imm > 31 || op->size != 16 || (op->flags & ~IRF_ALIGN)))
            err = "bad Q access";
        if ((inf->kind == IRK_PURE || op->opc == IR_ADD_FLAGS || op->opc == IR_SUB_FLAGS) &&
            inf->has_dst && op->opc != IR_CONST && op->opc != IR_SELECT && op->opc != IR_ZEXT &&
            !(op->size == 4 || op->size == 8))
            err = "bad ALU width";
        /* The carry ops and LOGIC_FLAGS compute at `size` too (the
         * interpreter shifts by size * 8 - 1). */
        if ((op->opc == IR_ADC || op->opc == IR_ADC_FLAGS || op->opc == IR_SBC || op->opc == IR_SBC_FLAGS ||
             op->opc == IR_LOGIC_FLAGS) &&
            !(op->size == 4 || op->size == 8))
            err = "bad ALU width";
        /* Immediates that index arrays or set shift counts in the tiers. */
        if ((op->opc == IR_GET_VREG || op->opc == IR_SET_VREG) && op->imm > 63)
            err = "vector register half out of range";
        if ((op->opc == IR_GET_REG || op->opc == IR_SET_REG) && op->imm > 31)
            err = "bad register number";
        if (op->opc == IR_GET_FIELD && (op->imm % 8 || op->imm > sizeof(CPUState) - 8))
            err = "bad CPUState offset";
        if (op->opc == IR_COND && op->imm > 15)
            err = "bad condition";
        if (op->opc == IR_SEXT && (op->imm < 1 || op->imm > 64))
            err = "bad extension width";
        if (op->opc == IR_CALL && op->aux >= HELPER_NUM)
            err = "bad helper id";
        if (op->opc == IR_LOAD && (op->flags & IRF_SIGNED) && !(op->aux == 4 || op->aux == 8))
            err = "bad sign-extension size";
    }
    if (!err && !ir_block_terminated(b))
        err = "block has no terminal";
    free(def);
    return err;
}

void ir_dump(const IRBlock *b, FILE *out)
{
    fprintf(out, "IR block pc=0x%016llx insns=%u ops=%u temps=%u\n", (unsigned long long)b->pc,
            b->ninsns, b->nops, b->ntemps);
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
