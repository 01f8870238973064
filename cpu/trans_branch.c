/* Translate functions: branches. */
#include "translate.h"

bool trans_B(DisasCtx *s, uint32_t insn)
{
    gen_goto(s, s->pc + (uint64_t)(sextract64(insn, 0, 26) * 4));
    return true;
}
