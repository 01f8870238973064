/* Translate functions: data processing -- immediate. */
#include "translate.h"

bool trans_MOVZ(DisasCtx *s, uint32_t insn)
{
    int sf = bit(insn, 31), hw = (int)bits(insn, 22, 21), rd = (int)bits(insn, 4, 0);
    if (!sf && hw >= 2)
        return false;
    write_xreg(s, rd, t_const(s, (uint64_t)bits(insn, 20, 5) << (16 * hw)), sf);
    return true;
}
