/* Tier 1: blocks that branch to their own start keep the guest registers
 * they read in host registers around the loop (docs/jit-loops.md, "Self-loops").
 *
 * A chained jump back to a block's entry reloads every register the block
 * reads from CPUState, which the previous iteration has just stored: the
 * loop-carried values then pass through the store buffer on every
 * iteration (store-to-load forwarding, several cycles on the critical
 * path of a latency-bound loop). For a block whose direct branch targets
 * its own first instruction, ir_optimize hoisted the reads of the
 * loop-carried registers to the block's head (hoist_loop_reads), and the
 * branch's chain site, once chained to the block itself, points at a loop
 * stub instead of the entry: it moves each register's current value into
 * the host register the head loaded it into (a parallel move), makes the
 * chained entry's request and budget checks, and jumps past the loads.
 *
 * Why it is exact: guest register writes are still stored where they happen
 * (SET_REG, write-through), so CPUState is current at every exit, every
 * fault and every helper call; the registers are only a cache of it, and
 * the stub's checks leave exactly as the chained entry would (pc = block
 * start, nothing of the next iteration run). Blocks with a helper that may
 * write X registers (ir_call_keeps_x false) are not planned. The stub is
 * reached only through the patched chain site, so unchaining (SMC, TLBI,
 * flush) turns the loop back into an exit as before.
 *
 * V registers the body's SIMD ops write (up to 4) are carried the same way
 * in the XMM value cache (cpu/jit_xcache_x86.c): fixed cache registers at
 * the head, loaded from cpu->v on the way in from the entry and moved there
 * by each branch back (jit_loop_head_v, jit_loop_branch_v).
 *
 * Thread rules: the compiling thread; the IR is only read (a block may be
 * compiled after it was published, docs/jit.md "Lazy compilation"). */
#include <stdlib.h>
#include <string.h>

#include "jit_x86_ctx.h"
#include "jit_xcache_x86.h"

/* The V registers to carry around the loop in the XMM cache: the
 * destinations (bits 4:0 of the instruction word) of the vector SIMD and FP
 * helper calls of the body, the last-written first, up to 4 (matmul's FMLA
 * accumulator, a running hash state). A guess: a wrong one costs a move per
 * iteration, never a wrong value (the head and each branch back to it take
 * what they carry from where it is: cpu->v or its cache register). */
static void plan_v(Ctx *c, const IRBlock *b)
{
    c->loop_nv = 0;
    for (uint32_t i = b->nops; i-- > c->loop_head && c->loop_nv < 4;) {
        const IROp *op = &b->ops[i];
        if (op->opc != IR_CALL || (op->flags & IRF_EXCEPT))
            continue;
        switch (op->aux) {
        case HELPER_simd_3same: case HELPER_simd_3diff: case HELPER_simd_2misc: case HELPER_simd_shimm:
        case HELPER_simd_elem: case HELPER_simd_perm: case HELPER_simd_ext: case HELPER_simd_tbl:
        case HELPER_simd_fp:
            break;
        default:
            continue;
        }
        int8_t rd = (int8_t)(op->imm & 31);
        bool dup = false;
        for (uint32_t k = 0; k < c->loop_nv; k++)
            dup |= c->loop_v[k] == rd;
        if (!dup)
            c->loop_v[c->loop_nv++] = rd;
    }
}

void jit_loop_head_v(Ctx *c, bool emit)
{
    if (emit) {
        for (uint32_t k = 0; k < c->loop_nv; k++) /* movups xmm8+k, V */
            x_mem(&c->j, 0, 0x0f10, 8 + (int)k, RBX, CPU_OFF(v) + 16 * c->loop_v[k]);
        return;
    }
    jit_xc_reset(c);
    for (uint32_t k = 0; k < c->loop_nv; k++)
        c->fpx.vreg[k] = c->loop_v[k];
}

void jit_loop_branch_v(Ctx *c)
{
    JitBuf *j = &c->j;
    jit_xc_check(c);
    int from[4];
    for (uint32_t k = 0; k < c->loop_nv; k++) {
        from[k] = -1;
        for (int x = 0; x < 8; x++)
            if (c->fpx.vreg[x] == c->loop_v[k])
                from[k] = x;
        if (from[k] >= 0 && from[k] != (int)k)
            x_rr(j, 0, 0x0f28, (int)k, 8 + from[k]);       /* movaps xmm(k), xmm8+from */
    }
    for (uint32_t k = 0; k < c->loop_nv; k++) {
        if (from[k] == (int)k)
            continue;                                   /* already there */
        if (from[k] >= 0)
            x_rr(j, 0, 0x0f28, 8 + (int)k, (int)k);     /* movaps xmm8+k, xmm(k) */
        else
            x_mem(j, 0, 0x0f10, 8 + (int)k, RBX, CPU_OFF(v) + 16 * c->loop_v[k]);
    }
    for (uint32_t k = 0; k < c->loop_nv; k++) {         /* the cache as it now is (the not-taken way on) */
        for (int x = 0; x < 8; x++)
            if (c->fpx.vreg[x] == c->loop_v[k])
                c->fpx.vreg[x] = -1;
    }
    for (uint32_t k = 0; k < c->loop_nv; k++) {
        c->fpx.temp[k] = IR_NO_TEMP;
        c->fpx.vreg[k] = c->loop_v[k];
    }
}

void jit_loop_plan(Ctx *c, const IRBlock *b)
{
    c->loop_e[0] = c->loop_e[1] = -1;
    c->loop_n = 0;
    if (!ir_self_loop(b))
        return;
    /* The head: the reads ir_optimize hoisted (hoist_loop_reads in
     * cpu/ir_opt.c), i.e. the leading GET_REGs of registers the block also
     * writes. Nothing runs before them, so each is a live-in read. */
    bool carried[32];
    ir_loop_carried(b, carried);
    uint32_t nh = 1;
    while (nh < b->nops && b->ops[nh].opc == IR_GET_REG && carried[b->ops[nh].imm] && c->loop_n < IR_LOOP_CARRIED) {
        c->loop_r[c->loop_n] = (uint8_t)b->ops[nh].imm;
        c->loop_in[c->loop_n++] = b->ops[nh].dst;
        nh++;
    }
    if (c->loop_n == 0)
        return; /* nothing carried: a chain to the entry does as well */
    c->loop_head = nh;
    plan_v(c, b);

    /* Each self-branch's current value of every live-in register: the
     * temp last written to it before the branch, else the one read. */
    bool seen[2] = {false, false};
    IRTemp cur[IR_LOOP_CARRIED];
    for (uint32_t k = 0; k < c->loop_n; k++)
        cur[k] = c->loop_in[k];
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_SET_REG)
            for (uint32_t k = 0; k < c->loop_n; k++)
                if (c->loop_r[k] == op->imm)
                    cur[k] = op->a;
        int s = ir_branch_slot(op);
        if (s >= 0 && s < 2 && !seen[s]) {
            seen[s] = true;
            if (op->imm == b->pc) {
                c->loop_e[s] = (int32_t)i;
                memcpy(c->loop_cur[s], cur, sizeof(cur));
            }
        }
    }
}

/* jit_alloc_regs: a self-branch reads the current value of every live-in
 * register, so those temps live (keep their registers) through it. */
void jit_loop_extend(const Ctx *c, uint32_t *last)
{
    for (int s = 0; s < 2; s++)
        if (c->loop_e[s] >= 0)
            for (uint32_t k = 0; k < c->loop_n; k++)
                if (last[c->loop_cur[s][k]] < (uint32_t)c->loop_e[s] + 1)
                    last[c->loop_cur[s][k]] = (uint32_t)c->loop_e[s] + 1;
    /* The head temps a slow path recomputes the loop's NZCV from (Ctx.lnz_t). */
    for (int n = 0; n < 2 && c->lnz_mem; n++)
        if (c->lnz_t[n] != IR_NO_TEMP && last[c->lnz_t[n]] < c->lnz_mem + 1)
            last[c->lnz_t[n]] = c->lnz_mem + 1;
}

/* One move of the stub: into a host register or the live-in temp's slot;
 * from a host register, an immediate, or the guest register in CPUState. */
typedef struct Move {
    int dreg, dslot; /* dreg >= 0, else the slot of temp dslot */
    int sreg;        /* >= 0: a host register */
    bool simm;       /* else an immediate */
    uint64_t imm;
    int guest;       /* else X[guest] from CPUState */
} Move;

static void emit_move(Ctx *c, const Move *m)
{
    JitBuf *j = &c->j;
    int to = m->dreg >= 0 ? m->dreg : RAX;
    if (m->sreg >= 0) {
        if (m->dreg < 0) {
            st64(j, RSP, T(m->dslot), m->sreg);
            return;
        }
        x_rr(j, XW, 0x89, m->sreg, to);
    } else if (m->simm) {
        x_mov_ri(j, to, m->imm);
    } else {
        ld64(j, to, RBX, CPU_OFF(x) + 8 * m->guest);
    }
    if (m->dreg < 0)
        st64(j, RSP, T(m->dslot), RAX);
}

/* The stub of slot s (reached with the branch's register state): the
 * parallel move, sequenced so that no register is written while a pending
 * move still reads it (a cycle is broken through RAX), then the chained
 * entry's checks, then the loop body. */
static void emit_loop_stub(Ctx *c, int s, bool falls_through)
{
    JitBuf *j = &c->j;
    Move mv[IR_LOOP_CARRIED];
    int n = 0;
    for (uint32_t k = 0; k < c->loop_n; k++) {
        IRTemp in = c->loop_in[k], cur = c->loop_cur[s][k];
        Move m = {.dreg = c->treg[in], .dslot = in, .sreg = -1, .guest = c->loop_r[k]};
        if (cur == in)
            continue; /* unchanged: still where the head put it */
        const IROp *def = jit_def_of(c->b, cur);
        if (def && def->opc == IR_CONST) {
            m.simm = true;
            m.imm = def->imm;
        } else if (c->treg[cur] >= 0) {
            m.sreg = c->treg[cur];
        }
        /* else: a temp without a register (a slot, or a fused COND whose
         * slot may never be written): CPUState has the value (write-through). */
        if (m.sreg >= 0 && m.sreg == m.dreg)
            continue;
        mv[n++] = m;
    }
    /* Into slots first: no move reads a slot, and their register sources
     * are all still intact (a slot move may use RAX as its scratch). */
    for (int a = 0; a < n;) {
        if (mv[a].dreg < 0) {
            emit_move(c, &mv[a]);
            mv[a] = mv[--n];
        } else {
            a++;
        }
    }
    while (n > 0) {
        int pick = -1;
        for (int a = 0; a < n && pick < 0; a++) {
            bool read = false;
            for (int b = 0; b < n && !read; b++)
                read = b != a && mv[b].sreg == mv[a].dreg;
            if (!read)
                pick = a;
        }
        if (pick < 0) {
            /* Every remaining destination is still read: a cycle of register
             * moves. Park one destination's value in RAX and read it there. */
            int d = mv[0].dreg;
            x_rr(j, XW, 0x89, d, RAX);
            for (int b = 0; b < n; b++)
                if (mv[b].sreg == d)
                    mv[b].sreg = RAX;
            continue;
        }
        emit_move(c, &mv[pick]);
        mv[pick] = mv[--n];
    }
    /* The back edge of a loop whose pack is left to its exits
     * (plan_loop_pack): the refused entry recomputes it. */
    const bool lnz = c->lnz && c->loop_e[s] == (int32_t)c->lnz_br;
    jit_emit_entry_checks(c, lnz ? c->l_lnz_stop : c->l_stop, lnz ? c->l_lnz_stop_budget : c->l_stop_budget);
    if (!falls_through)
        x_jmp(j, c->l_body);
}

/* Emitted before the body, while nothing of it is emitted yet (compile):
 * a stub for each slot whose branch may go back to the block's start; one
 * that ends up unused (no chain site for it) is never reached. The last
 * one falls through into the body. */
void jit_emit_loop_stubs(Ctx *c)
{
    int last = c->loop_e[1] >= 0 ? 1 : 0;
    for (int s = 0; s < 2; s++) {
        if (c->loop_e[s] < 0)
            continue;
        c->loop_label[s] = jb_label(&c->j);
        jb_bind(&c->j, c->loop_label[s]);
        emit_loop_stub(c, s, s == last);
    }
}
