/* Tier 0: the IR interpreter. Owner thread only. */
#ifndef FLOTILLA_INTERP_H
#define FLOTILLA_INTERP_H

#include "cpu.h"
#include "ir.h"

/* How a block left. */
enum BlockExit {
    BX_SLOT0,     /* direct branch through chain slot 0 (BRCOND taken) */
    BX_SLOT1,     /* direct branch through chain slot 1 (GOTO) */
    BX_JUMP,      /* indirect branch */
    BX_EXIT,      /* state change: back to the dispatcher */
    BX_EXCEPTION, /* a guest exception was taken; cpu->pc is the vector */
    BX_SLOT2,     /* side exits (BRCOND in the middle of a block, slots 2 and 3) */
    BX_SLOT3,
};

/* Any thread: the chain slot an exit went through, or -1 (JUMP, EXIT, EXCEPTION). */
static inline int bx_slot(int bx)
{
    return bx == BX_SLOT0 ? 0 : bx == BX_SLOT1 ? 1 : bx == BX_SLOT2 ? 2 : bx == BX_SLOT3 ? 3 : -1;
}
static inline int bx_of_slot(int slot)
{
    static const unsigned char bx[IR_CHAIN_SLOTS] = {BX_SLOT0, BX_SLOT1, BX_SLOT2, BX_SLOT3};
    return bx[slot & (IR_CHAIN_SLOTS - 1)];
}

/* Run one IR block (its native code if the JIT compiled it). On return
 * cpu->pc holds the next pc. */
enum BlockExit interp_run(CPUState *cpu, const IRBlock *b);
/* The interpreter itself, even if b has native code. Owner thread. */
enum BlockExit interp_run_ir(CPUState *cpu, const IRBlock *b);
/* Execute one op of a block whose temps are t[]: -1 to go on, else the
 * BlockExit. Owner thread; the JIT's slow paths call it (cpu/jit_x86.c). */
int interp_exec_op(CPUState *cpu, const IROp *op, uint64_t *t);

/* ConditionHolds(cond) for NZCV in bits 31:28. */
static inline bool cond_holds(uint32_t nzcv, int cond)
{
    bool n = nzcv >> 31 & 1, z = nzcv >> 30 & 1, c = nzcv >> 29 & 1, v = nzcv >> 28 & 1;
    bool r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = n == v && !z; break;
    default: r = true; break;
    }
    if ((cond & 1) && cond != 15)
        r = !r;
    return r;
}

#endif
