/* Translate functions: exception generation, hints, barriers, system. */
#include "../smp/machine.h"
#include "translate.h"

bool trans_HLT(DisasCtx *s, uint32_t insn)
{
    uint32_t imm16 = bits(insn, 20, 5);
    if (imm16 == 0xf000 && s->cpu->machine->opt.semihosting) {
        IRTemp r = t_call(s, HELPER_semihost, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
        write_xreg(s, 0, r, 1);
        gen_exit(s, s->pc + 4);
        return true;
    }
    /* Without halting debug, HLT is UNDEFINED. */
    return gen_undef(s);
}
