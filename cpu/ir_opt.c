/* IR clean-up run on every block after translation: guest-register reads
 * are forwarded from the temp that already holds the value (an earlier read
 * or write of the same register in the block), and the NOPs this leaves are
 * removed. Register writes are all kept, so the guest state is exact at every
 * op that can fault. Thread rules: any thread, on a block it owns (not yet
 * published). */
#include <stdlib.h>

#include "ir.h"

void ir_optimize(IRBlock *b)
{
    if (!b->ntemps)
        return;
    IRTemp *repl = malloc(b->ntemps * sizeof(IRTemp));
    if (!repl)
        return; /* optimisation is optional */
    for (uint32_t i = 0; i < b->ntemps; i++)
        repl[i] = (IRTemp)i;
    IRTemp xreg[32], vreg[64];
    for (int i = 0; i < 32; i++)
        xreg[i] = IR_NO_TEMP;
    for (int i = 0; i < 64; i++)
        vreg[i] = IR_NO_TEMP;

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
        switch (op.opc) {
        case IR_NOP:
            continue;
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
        case IR_CALL:
            /* A helper may read or write any register, or switch the
             * stack pointer (register 31) between SP_EL0 and SP_ELx. */
            for (int r = 0; r < 32; r++)
                xreg[r] = IR_NO_TEMP;
            for (int r = 0; r < 64; r++)
                vreg[r] = IR_NO_TEMP;
            break;
        default:
            break;
        }
        b->ops[out++] = op;
    }
    b->nops = out;
    free(repl);
}
