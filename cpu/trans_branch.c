/* Translate functions: branches (immediate, conditional, compare/test and
 * branch, register) and ERET. All are block terminals or conditional exits
 * (side exits: gen_cond_branch).
 * trans_* functions: the translating vCPU thread only. */
#include "translate.h"

bool trans_B(DisasCtx *s, uint32_t insn)
{
    gen_branch(s, s->pc + (uint64_t)(sextract64(insn, 0, 26) * 4));
    return true;
}

bool trans_BL(DisasCtx *s, uint32_t insn)
{
    write_xreg(s, 30, t_const(s, s->pc + 4), 1);
    gen_goto(s, s->pc + (uint64_t)(sextract64(insn, 0, 26) * 4));
    return true;
}

bool trans_B_cond(DisasCtx *s, uint32_t insn)
{
    uint64_t target = s->pc + (uint64_t)(sextract64(insn, 5, 19) * 4);
    int cond = (int)bits(insn, 3, 0);
    if (cond >= 14) {
        /* AL and NV both mean "always" in A64. */
        gen_goto(s, target);
        return true;
    }
    gen_cond_branch(s, t_cond(s, cond), target);
    return true;
}

static bool do_cb(DisasCtx *s, uint32_t insn, bool nz)
{
    int sf = (int)bit(insn, 31);
    /* W form: a 32-bit compare of the register as it is (no zero-extending
     * MOV first: the JIT's test is then `test r32, r32`). */
    IRTemp v = read_xreg(s, (int)bits(insn, 4, 0), 1);
    IRTemp c = t_op(s, nz ? IR_CMP_NE : IR_CMP_EQ, sf ? 8 : 4, v, t_const(s, 0));
    gen_cond_branch(s, c, s->pc + (uint64_t)(sextract64(insn, 5, 19) * 4));
    return true;
}

bool trans_CBZ(DisasCtx *s, uint32_t insn) { return do_cb(s, insn, false); }
bool trans_CBNZ(DisasCtx *s, uint32_t insn) { return do_cb(s, insn, true); }

static bool do_tb(DisasCtx *s, uint32_t insn, bool nz)
{
    unsigned b = bit(insn, 31) << 5 | bits(insn, 23, 19);
    IRTemp v = read_xreg(s, (int)bits(insn, 4, 0), 1);
    IRTemp m = t_op(s, IR_AND, 8, v, t_const(s, 1ull << b));
    IRTemp c = t_op(s, nz ? IR_CMP_NE : IR_CMP_EQ, 8, m, t_const(s, 0));
    gen_cond_branch(s, c, s->pc + (uint64_t)(sextract64(insn, 5, 14) * 4));
    return true;
}

bool trans_TBZ(DisasCtx *s, uint32_t insn) { return do_tb(s, insn, false); }
bool trans_TBNZ(DisasCtx *s, uint32_t insn) { return do_tb(s, insn, true); }

bool trans_BR(DisasCtx *s, uint32_t insn)
{
    gen_jump(s, read_xreg(s, (int)bits(insn, 9, 5), 1));
    return true;
}

bool trans_BLR(DisasCtx *s, uint32_t insn)
{
    /* Read Rn before writing X30: BLR X30 branches to the old X30. */
    IRTemp target = read_xreg(s, (int)bits(insn, 9, 5), 1);
    write_xreg(s, 30, t_const(s, s->pc + 4), 1);
    gen_jump(s, target);
    return true;
}

bool trans_RET(DisasCtx *s, uint32_t insn)
{
    gen_jump(s, read_xreg(s, (int)bits(insn, 9, 5), 1));
    return true;
}

bool trans_ERET(DisasCtx *s, uint32_t insn)
{
    (void)insn;
    if ((s->tb_flags & 3) == 0)
        return false; /* UNDEFINED at EL0 */
    /* The helper switches PSTATE/SP and returns ELR (or raises the Illegal
     * Execution State exception); the mode changed, so the jump goes
     * through the dispatcher (JUMP never chains). */
    IRTemp pc = t_call(s, HELPER_eret, IRF_EXCEPT, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0);
    gen_jump(s, pc);
    return true;
}
