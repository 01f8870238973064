/* Tier 1: guest memory in the x86-64 backend (docs/jit.md, "Guest
 * memory"): the inline TLB hit path of loads, stores and LSE atomics, and
 * the out-of-line stubs (TLB refill and resume, or interp_exec_op). Thread
 * rules: the compiling thread. */
#include "../memory/mem.h"
#include "jit_fp_x86.h"
#include "jit_simd_emit.h"
#include "jit_x86_ctx.h"
#include "jit_xcache_x86.h"

/* Compiling thread. edx = the TLB slot, (va >> 12) & (TLB_SIZE - 1), from
 * va: the entry's fields are [rbx + rdx*8 + row + TLB_FIELD(f)] (cpu/cpu.h,
 * TLBTable). Returns the offset in CPUState of the regime's row: the regime
 * is fixed at translation time, since the EL and PSTATE.PAN are translation
 * flags (cpu_tb_flags), and picked as cpu_mmu_idx does; LDTR/STTR
 * (IRF_UNPRIV, only emitted at EL1) use EL0's, as access_idx does. */
_Static_assert(TLB_PAGE_BITS + TLB_BITS <= 32, "the slot is in va's low 32 bits (BEXTR, SHR of a 32-bit register)");
int32_t jit_tlb_row(const Ctx *c, const IROp *op)
{
    int idx = (c->tb_flags & TBF_EL_MASK) == 0 || (op->flags & IRF_UNPRIV) ? MMU_IDX_EL0
              : (c->tb_flags & TBF_PAN)       ? MMU_IDX_EL1_PAN
                                              : MMU_IDX_EL1;
    return CPU_OFF(tlb) + idx * (int32_t)sizeof(TLBTable);
}

int32_t jit_emit_tlb_entry(Ctx *c, const IROp *op, int va)
{
    JitBuf *j = &c->j;
    if (host_has(HOST_BMI1)) {
        /* bextr edx, va32, edx (start TLB_PAGE_BITS, length TLB_BITS): one
         * operation between va and the entry's loads, where a shift and a
         * mask were two (docs/mmu.md, "L1 layout"); the constant's move
         * does not wait for va. */
        x_mov_ri(j, RDX, (uint64_t)(TLB_BITS << 8 | TLB_PAGE_BITS));
        x_vex_rr(j, 2, 0, false, RDX, 0xf7, RDX, va); /* map 0F38, no pp, W0 */
    } else {
        x_rr(j, 0, 0x89, va, RDX);               /* mov edx, va */
        x_shift_ri(j, 0, 5, RDX, TLB_PAGE_BITS);
        x_alu_ri(j, 0, 4, RDX, (int32_t)(TLB_SIZE - 1));
    }
    return jit_tlb_row(c, op);
}

/* Compiling thread: to `fault` (the interpreter's path, which raises the
 * alignment fault) unless va's bits in mask (bytes - 1) are clear. */
static void emit_align_check(JitBuf *j, int va, uint8_t mask, uint32_t fault)
{
    x_rr(j, XB8, 0xf6, 0, va);                   /* test va8, mask */
    jb_byte(j, mask);
    x_jcc(j, CC_NE, fault);
}

/* Compiling thread. The L1 TLB hit check of an access whose bytes run
 * from register wb to wb + last: the tag compare on the page of the last
 * byte, so that a page-crossing access misses (the entry at the first
 * byte's slot cannot hold the next page), against the write tag (wtag) or
 * the read tag. A miss jumps to `miss` with rcx = that page (tlb_refill's)
 * and edx = the slot; a hit leaves the entry's addend in rax (host = rax +
 * va). Returns the regime's row offset (jit_emit_tlb_entry). */
static int32_t emit_tlb_hit(Ctx *c, const IROp *op, int wb, int last, bool wtag, uint32_t miss)
{
    JitBuf *j = &c->j;
    const int32_t ebase = jit_emit_tlb_entry(c, op, wb); /* field f: [rbx + rdx*8 + ebase + TLB_FIELD(f)] */
    x_mem(j, XW, 0x8d, RCX, wb, last);                   /* lea rcx, [wb + last] */
    x_alu_ri(j, XW, 4, RCX, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 8, ebase + (wtag ? TLB_FIELD(tag_write) : TLB_FIELD(tag_read)));
    x_jcc(j, CC_NE, miss);
    x_mem_sib(j, XW, 0x8b, RAX, RBX, RDX, 8, ebase + TLB_FIELD(addend));
    return ebase;
}

/* The exclusive monitor's check of a store to an armed page (its write tag
 * has TLB_TAG_ARMED), out of line, as monitor_armed does it: the slots of
 * the granules of the first byte, host address [base + index], and of the
 * last, last bytes after it (a window of at most RUN_WINDOW bytes touches no
 * other); jump to `armed` if either is armed. Uses rcx and rdx. Until
 * 2026-12-06 one 16-bit compare read the first byte's slot and the next one,
 * which sent every store beside an armed granule (the rest of a structure
 * whose lock sits in the next 64 bytes) to C to find its own granule
 * unarmed: about half of a -smp 2 boot's memory slow paths. */
static void emit_armed_probe(Ctx *c, int base, int index, int last, uint32_t armed)
{
    JitBuf *j = &c->j;
    x_mov_ri(j, RDX, (uint64_t)(uintptr_t)c->mon->armed);
    for (int k = 0; k < (last > 0 ? 2 : 1); k++) {
        x_mem_sib(j, XW, 0x8d, RCX, base, index, 1, k ? last : 0); /* lea rcx, [host (+ last)] */
        x_shift_ri(j, XW, 5, RCX, MON_GRANULE_SHIFT);
        x_alu_ri(j, 0, 4, RCX, (int32_t)c->mon->mask);
        x_mem_sib(j, 0, 0x80, 7, RDX, RCX, 1, 0); /* cmp byte [rdx + rcx], 0 */
        jb_byte(j, 0);
        x_jcc(j, CC_NE, armed);
    }
}

/* The out-of-line path of a write-tag miss (rcx = the page, rdx = the TLB
 * slot, ebase its row, rsi = the first byte's va) that may be an armed
 * page's: a write tag of page | TLB_TAG_ARMED, else jump to `other`; then
 * rax = the entry's addend, and the granules of the first and the last
 * (`last` bytes after) bytes unarmed, else jump to `armed`; counted as a
 * store to an armed page (towards monitor_idle_stores). The stores' stub
 * and the inline atomics' (jit_emit_stubs) share it. Uses rcx and rdx. */
static void emit_armed_page(Ctx *c, int32_t ebase, int last, uint32_t other, uint32_t armed)
{
    JitBuf *j = &c->j;
    x_mem(j, XW, 0x8d, RAX, RCX, (int32_t)TLB_TAG_ARMED); /* lea rax, [rcx + TLB_TAG_ARMED] */
    x_mem_sib(j, XW, 0x3b, RAX, RBX, RDX, 8, ebase + TLB_FIELD(tag_write));
    x_jcc(j, CC_NE, other);
    x_mem_sib(j, XW, 0x8b, RAX, RBX, RDX, 8, ebase + TLB_FIELD(addend));
    emit_armed_probe(c, RAX, RSI, last, armed);
    x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.mem_armed)); /* inc qword: -stats */
}

/* Ops that may sit between the accesses of a run: emitted inline without
 * calls (no interp_exec_op fallback at these widths), and none of them
 * touches rdi: the integer ALU ops, CSEL, CBZ's compare, flag setters with the LAHF pack
 * (the other pack uses rsi and rdi), CONDs that need no table, side exits
 * (a taken one leaves the block; the followers after it run only when it
 * is not). SHA-256's message schedule (four loads from one base with
 * rotates between) and the compare chains of gzip's longest_match. */
static bool run_transparent(const Ctx *c, const IROp *op)
{
    const bool w48 = op->size == 4 || op->size == 8;
    switch (op->opc) {
    case IR_INSN_START: case IR_CONST: case IR_MOV: case IR_ZEXT: case IR_SELECT: case IR_CMP_EQ: case IR_CMP_NE:
        return true;
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL: case IR_NOT: case IR_NEG:
    case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROR: case IR_ANDN: case IR_ORN: case IR_XORN:
        return w48;
    case IR_SEXT:
        return w48 && op->imm != 0;
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_LOGIC_FLAGS:
        return w48 && host_has(HOST_LAHF);
    case IR_COND: {
        const uint8_t plan = jit_fplan_of(c, op);
        return (plan & (FP_FUSED | FP_CONST)) || op->imm < 8 || op->imm >= 14;
    }
    case IR_BRCOND:
        return ir_branch_slot(op) >= 2; /* a side exit */
    case IR_GET_REG: case IR_SET_REG:
        return op->imm < 32;
    default:
        return false;
    }
}

/* Fill mrun/mdelta (see Ctx). An address is tracked as root temp + offset
 * through ADDs of constants, so LDP's second address (ADD a, 8) and LDR Q's
 * high half are recognised. Runs: LOADs or STOREs (not mixed) of 4 or 8
 * bytes at offsets above the leader's, in any order and with gaps (fields
 * of a struct: `ldr x1, [x0, #8]; ldr w2, [x0, #20]`; until 2026-12-05
 * they had to be consecutive and of one size), or LOAD_V or STORE_V (two
 * of them, consecutive: STP Q, neighbouring LDR/STR Q), with no flags, up to
 * 4 accesses within 32 bytes (the leader's tag compare is on the page of
 * the run's last byte, so the run is in one page, and a page with a
 * monitored granule has no fast write tag). false: out of memory. */
/* A plain LOAD or STORE outside any run (a pair's half). */
static bool rmw_half(const Ctx *c, const IROp *op, uint32_t i, int opc)
{
    return op->opc == opc && !(op->flags & ~(opc == IR_LOAD ? IRF_SIGNED | IRF_ALIGN : IRF_ALIGN)) && op->size <= 8 &&
           !c->mrun[i] && !c->mdelta[i] && !c->rmw[i];
}

/* Temps x and y hold the same value: one root temp and offset, or both
 * made by the same pure op from inputs that hold the same values (an
 * address the translator computes again: `ldr x7, [x11, x5, lsl #3]` ...
 * `str x7, [x11, x5, lsl #3]` is ADD(x11, SHL(x5, CONST 3)) twice).
 * def[t]: the op that writes t. */
static bool same_value(const IRBlock *b, const uint16_t *def, const IRTemp *root, const int64_t *off, IRTemp x,
                       IRTemp y, int depth)
{
    if (x == y || (root[x] == root[y] && off[x] == off[y]))
        return true;
    if (depth == 0)
        return false;
    const IROp *p = &b->ops[def[x]], *q = &b->ops[def[y]];
    const IROpInfo *inf = &ir_op_info[p->opc];
    if (p->opc != q->opc || inf->kind != IRK_PURE || p->size != q->size || p->flags != q->flags ||
        p->imm != q->imm || p->aux != q->aux)
        return false;
    const IRTemp pin[3] = {p->a, p->b, p->c}, qin[3] = {q->a, q->b, q->c};
    for (int k = 0; k < inf->nin; k++)
        if (!same_value(b, def, root, off, pin[k], qin[k], depth - 1))
            return false;
    return true;
}

/* Read-modify-write pairs (Ctx.rmw): a plain LOAD, then the first plain
 * STORE of the same size to the same address (same_value: `ldr w13, [x10];
 * add; str w13, [x10], #4`, bzip2's swap of two array elements, the kernel's
 * `ldr x7, [x11, x5, lsl #3]; ...; str x7, [x11, x5, lsl #3]`), with only
 * ops between that are inline (run_transparent) or plain loads and stores,
 * whose slow paths are plain C calls. None of them is a safe point, so the
 * page the load found writable and free of monitored granules is still
 * mapped so when the store comes, and a core that arms a granule there
 * waits for this one's next quiescent state, after the store (as for the
 * check and the store of a single access; docs/jit.md "Guest memory"). */
static void plan_rmw(Ctx *c, const IRTemp *root, const int64_t *off)
{
    const IRBlock *b = c->b;
    if (b->ntemps + 1 + JIT_RMW_SLOTS > IR_MAX_TEMPS || !c->n_load || !c->n_store)
        return;
    uint16_t def[b->ntemps ? b->ntemps : 1];
    for (uint32_t i = 0; i < b->nops; i++)
        if (ir_op_info[b->ops[i].opc].has_dst && b->ops[i].dst != IR_NO_TEMP)
            def[b->ops[i].dst] = (uint16_t)i;
    uint32_t busy_until[JIT_RMW_SLOTS] = {0};
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *ld = &b->ops[i];
        if (!rmw_half(c, ld, i, IR_LOAD))
            continue;
        int k = 0;
        while (k < JIT_RMW_SLOTS && busy_until[k] > i)
            k++;
        if (k == JIT_RMW_SLOTS)
            continue;
        for (uint32_t n = i + 1; n < b->nops; n++) {
            const IROp *f = &b->ops[n];
            if (rmw_half(c, f, n, IR_STORE) && f->size == ld->size && (f->flags & IRF_ALIGN) == (ld->flags & IRF_ALIGN) &&
                same_value(b, def, root, off, f->a, ld->a, 3)) {
                c->rmw[i] = c->rmw[n] = (int8_t)(k + 1);
                busy_until[k] = n;
                break;
            }
            const bool plain = (f->opc == IR_LOAD || f->opc == IR_STORE) && !(f->flags & ~(IRF_SIGNED | IRF_ALIGN));
            if (!plain && !run_transparent(c, f))
                break;
        }
    }
}

/* A run's accesses and the bytes its window may span: 64 bytes touch at
 * most two monitor granules, which is what the leader's armed probe reads
 * (emit_armed_probe), and the int8 deltas hold them. */
enum { RUN_MAX = 8, RUN_WINDOW = 64 };
_Static_assert(RUN_WINDOW <= (1 << MON_GRANULE_SHIFT) && RUN_WINDOW <= 127, "a run spans two granules at most");

bool jit_plan_mem_runs(Ctx *c)
{
    const IRBlock *b = c->b;
    if (b->nops > IR_MAX_OPS)
        return true;
    /* Per-temp arrays on the stack, as ir_optimize's (a malloc and calloc
     * per block here were ~0.9% of a boot): a compiled block passed
     * ir_verify, so ntemps <= IR_MAX_TEMPS. */
    uint32_t n = b->ntemps ? b->ntemps : 1;
    if (n > IR_MAX_TEMPS)
        return true;
    /* A run or a read-modify-write pair takes two accesses. */
    if (c->n_load + c->n_store + c->n_qacc < 2)
        return true;
    IRTemp root[n];
    int64_t off[n];
    int64_t kv[n];  /* a CONST temp's value */
    uint8_t isk[n]; /* CONST temps */
    memset(isk, 0, n);
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (!ir_op_info[op->opc].has_dst || op->dst == IR_NO_TEMP)
            continue;
        root[op->dst] = op->dst;
        off[op->dst] = 0;
        if (op->opc == IR_CONST) {
            isk[op->dst] = 1;
            kv[op->dst] = (int64_t)op->imm;
        } else if (op->opc == IR_ADD && op->size == 8 && isk[op->b] && kv[op->b] > -4096 && kv[op->b] < 4096) {
            root[op->dst] = root[op->a];
            off[op->dst] = off[op->a] + kv[op->b];
        }
    }
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const bool q = op->opc == IR_LOAD_V || op->opc == IR_STORE_V; /* size 16: runs of two */
        if ((op->opc != IR_LOAD && op->opc != IR_STORE && !q) || op->flags || op->size > 8 || c->mdelta[i])
            continue;
        /* accesses; the window [lo, hi) from the leader's address */
        int64_t len = 1, lo = 0, hi = op->size;
        for (uint32_t k = i + 1; k < b->nops && len < RUN_MAX; k++) {
            const IROp *f = &b->ops[k];
            if (f->opc == op->opc && !f->flags && root[f->a] == root[op->a]) {
                const int64_t d = off[f->a] - off[op->a];
                const int64_t nlo = d < lo ? d : lo, nhi = d + f->size > hi ? d + f->size : hi;
                const bool fits = q ? f->size == op->size && d == len * op->size && nhi <= 32
                                    : f->size <= 8 && d != 0 && nhi - nlo <= RUN_WINDOW;
                if (fits) {
                    c->mdelta[k] = (int8_t)d;
                    lo = nlo, hi = nhi;
                    len++;
                    continue;
                }
            }
            if (!run_transparent(c, f))
                break;
        }
        if (len > 1) {
            c->mrun[i] = (uint8_t)(hi - lo);
            c->mlo[i] = (int8_t)lo;
        }
    }
    plan_rmw(c, root, off);
    return true;
}

/* Self-loop TLB site caches (Ctx.lts_op, docs/jit.md "Guest memory"). A
 * cache holds a translation the TLB gave this block's pass over the loop,
 * so it is as current as the TLB itself, for as long as nothing between
 * the head and an exit changes the TLB other than by refilling it: a
 * refill evicts an entry, not a translation. What changes translations or
 * write tags reaches the core at a safe point (a TLBI, another core's
 * arming of a page, a flush) or through a helper this body cannot have:
 * a self-loop's CALLs leave X registers alone and cannot raise
 * (ir_call_keeps_x: the FP, SIMD and crypto data helpers), and the LDXR
 * that re-tags its own core's TLB in place (load_excl) and the other
 * exclusives and atomics rule the caches out. A quiescent state is only
 * passed in the dispatcher, so a store's cached write tag is no older than
 * the read-modify-write pair's (docs/atomics.md, "Armed pages"). */
void jit_plan_loop_tlb(Ctx *c)
{
    const IRBlock *b = c->b;
    c->nlts = 0;
    if (c->loop_n == 0 || b->nops > IR_MAX_OPS)
        return;
    /* Temps (and guest registers, for the GET_REGs ir_optimize did not
     * forward) whose page changes from one pass to the next in big or
     * random jumps, so that a cache would mostly miss: values loaded in this
     * pass (a[b[i]], a scatter store of a loaded index), products and
     * quotients but by a small constant (a column walk `x0 + x2 * x9`, a
     * hash), shifts by 12 or more (a page index), and a carried register
     * that steps by a page or more (`add x1, x1, #4096`). With them cached
     * bzip2's sorting loops were 0.97x as fast, benchk's tlb_miss_load
     * (`buf[(i * 1031 & 4095) << 12 | ...]`) 0.76-0.88x. */
    const uint32_t nt = b->ntemps ? b->ntemps : 1;
    if (nt > IR_MAX_TEMPS)
        return;
    uint8_t dep[nt], isk[nt];
    uint64_t kv[nt];
    IRTemp step[nt]; /* t = step[t] +/- a constant of a page or more */
    bool rdep[32] = {false};
    memset(dep, 0, nt);
    memset(isk, 0, nt);
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc == IR_LOAD_EXCL || op->opc == IR_STORE_EXCL || op->opc == IR_ATOMIC_RMW || op->opc == IR_CAS ||
            (op->opc == IR_CALL && !ir_call_keeps_x(op)))
            return; /* no caches in this block */
        if (!ir_op_info[op->opc].has_dst || op->dst == IR_NO_TEMP) {
            if (op->opc == IR_SET_REG && step[op->a] != IR_NO_TEMP)
                for (uint32_t k = 0; k < c->loop_n; k++)
                    if (c->loop_r[k] == op->imm && c->loop_in[k] == step[op->a])
                        dep[c->loop_in[k]] = 1;
            continue;
        }
        step[op->dst] = IR_NO_TEMP;
        if (op->opc == IR_CONST) {
            isk[op->dst] = 1;
            kv[op->dst] = op->imm;
        } else if ((op->opc == IR_ADD || op->opc == IR_SUB) && isk[op->b] &&
                   ((int64_t)kv[op->b] >= 4096 || (int64_t)kv[op->b] <= -4096)) {
            step[op->dst] = op->a;
        }
    }
    for (uint32_t i = c->loop_head; i < b->nops && c->nlts < JIT_LTS; i++) {
        const IROp *op = &b->ops[i];
        const IROpInfo *in = &ir_op_info[op->opc];
        if (op->opc == IR_SET_REG && op->imm < 32)
            rdep[op->imm] = dep[op->a];
        if (in->has_dst && op->dst != IR_NO_TEMP) {
            const bool mul = op->opc == IR_MUL || op->opc == IR_UMULH || op->opc == IR_SMULH ||
                             op->opc == IR_UDIV || op->opc == IR_SDIV;
            const bool by_small = op->opc == IR_MUL && ((isk[op->a] && kv[op->a] < 256) || (isk[op->b] && kv[op->b] < 256));
            bool d = op->opc == IR_LOAD || op->opc == IR_LOAD_V || op->opc == IR_LOAD_V2 || op->opc == IR_CALL ||
                     (op->opc == IR_GET_REG && op->imm < 32 && rdep[op->imm]) || (mul && !by_small) ||
                     (op->opc == IR_SHL && isk[op->b] && (kv[op->b] & 63) >= 12);
            const IRTemp ins[3] = {op->a, op->b, op->c};
            for (int k = 0; k < in->nin; k++)
                d |= ins[k] != IR_NO_TEMP && dep[ins[k]];
            dep[op->dst] = d;
        }
        const bool store = op->opc == IR_STORE || op->opc == IR_STORE_V;
        /* Not LOAD_V2: its 32 bytes are rarely aligned to 32 (LD1 of two
         * registers), and a misaligned access always misses. Nor a run's
         * leader or followers (one lookup for the run already). */
        if ((op->opc != IR_LOAD && op->opc != IR_LOAD_V && !store) || c->mrun[i] || c->mdelta[i] ||
            (op->opc == IR_STORE && c->rmw[i]) || dep[op->a])
            continue;
        if (b->ntemps + 2 + JIT_RMW_SLOTS + 2 * (c->nlts + 1) > IR_MAX_TEMPS)
            break;
        c->lts_op[c->nlts++] = i;
    }
}

void jit_emit_lts_init(Ctx *c)
{
    for (uint32_t k = 0; k < c->nlts; k++) {
        x_mem(&c->j, XW, 0xc7, 0, RSP, JIT_LTS_TAG(c, k)); /* mov qword [tag], JIT_LTS_EMPTY */
        jb_u32(&c->j, JIT_LTS_EMPTY);
    }
}

/* Compiling thread: 1 + the site cache of the op being emitted, else 0. */
static int lts_of(const Ctx *c)
{
    for (uint32_t k = 0; k < c->nlts; k++)
        if (c->lts_op[k] == c->op_index)
            return (int)k + 1;
    return 0;
}

/* A run's follower: [rdi + delta] when the leader left rdi; else (the
 * leader went through the interpreter: MMIO, a page crossing, a fault) the
 * interpreter runs it too, out of line, and leaves rdi = 0 for the rest of
 * the run. The hit path falls through (it was `test; jnz` over the
 * follower's own inline TLB lookup). */
static void emit_follower(Ctx *c, const IROp *op, int delta)
{
    JitBuf *j = &c->j;
    uint32_t si = add_stub(c, op);
    if (j->oom)
        return;
    c->stubs[si].follower = true;
    x_rr(j, XW, 0x85, RDI, RDI);                 /* test rdi, rdi */
    x_jcc(j, CC_E, c->stubs[si].call);
    if (op->opc == IR_LOAD_V) {
        /* V[imm] into the XMM cache here and on the full path alike: jit_vstore
         * gives the register the entry it already has. */
        x_mem(j, 0, 0x0f10, 0, RDI, delta);                       /* movups xmm0, [rdi + delta] */
        jit_vstore(j, 0, (int)op->imm, true);                     /* movups [v], xmm0 */
    } else if (op->opc == IR_STORE_V) {
        vload(j, 0, (int)op->imm, true);
        x_mem(j, 0, 0x0f11, 0, RDI, delta);                       /* movups [rdi + delta], xmm0 */
    } else if (op->opc == IR_LOAD) {
        /* Unsigned (a run has no IRF_SIGNED): movzx, mov r32, mov r64. */
        const int rd = c->treg[op->dst] >= 0 ? c->treg[op->dst] : RAX;
        const uint32_t opc = op->size == 1 ? 0x0fb6 : op->size == 2 ? 0x0fb7 : 0x8b;
        x_mem(j, op->size == 8 ? XW : 0, opc, rd, RDI, delta);
        if (rd == RAX)
            stt(c, op->dst, RAX);
    } else {
        /* The leader's write tag covered this page (no monitored granule in it). */
        const int rv = c->treg[op->b] >= 0 ? c->treg[op->b] : RCX;
        if (rv == RCX)
            ldt(c, RCX, op->b, true);
        const unsigned pfx = op->size == 1 ? XB8 : op->size == 2 ? X66 : op->size == 8 ? XW : 0;
        x_mem(j, pfx, op->size == 1 ? 0x88 : 0x89, rv, RDI, delta);
    }
    if (op->opc == IR_LOAD_V)
        jit_xc_snapshot(c, &c->stubs[si].xs); /* the stub's way back has V[imm] cached too */
    jb_bind(j, c->stubs[si].back);
}

/* The whole access of op; lead: it leads a run whose window covers `run`
 * bytes from its address + lo (lo <= 0; its followers may lie within its
 * own bytes), checks the TLB entry of the window's first byte against the
 * page of its last and leaves its own host address in rdi. */
static void emit_access(Ctx *c, const IROp *op, int run, bool lead, int lo)
{
    JitBuf *j = &c->j;
    const bool store = op->opc == IR_STORE || op->opc == IR_STORE_V;
    const int sz = op->size;
    uint32_t si = add_stub(c, op);
    if (j->oom)
        return;
    c->stubs[si].lead = lead;
    c->stubs[si].lo = (int8_t)lo;
    /* va: the address temp's own register (it survives the stubs' calls),
     * else rsi; the stubs copy it to rsi for tlb_refill. */
    int va = c->treg[op->a];
    if (va < 0) {
        ldt(c, RSI, op->a, true);
        va = RSI;
    }
    c->stubs[si].va = (int8_t)va;
    /* The load of a read-modify-write pair (Ctx.rmw) checks the write tag:
     * a page writable at this regime is readable there, and a watched or
     * MMIO page fails both tags. */
    const int rmw = !store && !lead && c->b->nops <= IR_MAX_OPS && op == &c->b->ops[c->op_index] ? c->rmw[c->op_index] : 0;
    const int lts = !lead && !lo && op == &c->b->ops[c->op_index] ? lts_of(c) : 0;
    if ((op->flags & (IRF_ACQ | IRF_REL | IRF_ALIGN)) && sz > 1) {
        /* Must be aligned: the slow path raises the alignment fault. A site
         * cache's compare has the bits below the size (Q: below 16, so an
         * access aligned to 8 only misses it too): its miss path tests. */
        const uint8_t mask = (uint8_t)((sz > 8 ? 8 : sz) - 1);
        if (lts) {
            c->stubs[si].align_mask = mask;
        } else {
            emit_align_check(j, va, mask, c->stubs[si].call);
        }
    }
    /* The window's first byte: va, or rdi = va + lo (free until the
     * followers': the previous run ended before this leader). */
    int wb = va;
    if (lo) {
        x_mem(j, XW, 0x8d, RDI, va, lo);         /* lea rdi, [va + lo] */
        wb = RDI;
    }
    c->stubs[si].refill = true;
    c->stubs[si].last = (uint8_t)(run - 1);
    c->stubs[si].rmw = (int8_t)rmw;
    if (lts) {
        /* The site's cache (Ctx.lts_op): the page and alignment bits of va
         * against its tag, so that an access that is not aligned to its
         * size (which might cross into the next page) misses; the TLB
         * lookup below runs out of line (emit_refill). */
        c->stubs[si].lts = (int8_t)lts;
        c->stubs[si].lmiss = jb_label(j);
        c->stubs[si].lhit = jb_label(j);
        c->stubs[si].ebase = jit_tlb_row(c, op);
        x_rr(j, XW, 0x89, va, RCX);              /* mov rcx, va */
        x_alu_ri(j, XW, 4, RCX, (int32_t)(TLB_PAGE_MASK | (uint64_t)(sz - 1)));
        x_mem(j, XW, 0x3b, RCX, RSP, JIT_LTS_TAG(c, lts - 1));
        x_jcc(j, CC_NE, c->stubs[si].lmiss);
        ld64(j, RAX, RSP, JIT_LTS_ADDEND(c, lts - 1));
        jb_bind(j, c->stubs[si].lhit);
    } else {
        c->stubs[si].ebase = emit_tlb_hit(c, op, wb, run - 1, store || rmw, c->stubs[si].slow);
    }
    if (rmw)
        st64(j, RSP, JIT_RMW_SLOT(c, rmw - 1), RAX); /* for the pair's store (the stub leaves 0) */
    int xk = store ? -1 : jit_fp_load_slot(c, op, si);
    jb_bind(j, c->stubs[si].resume);             /* from here only rax and va are live */
    if (lead)
        x_mem_sib(j, XW, 0x8d, RDI, RAX, va, 1, 0); /* lea rdi, [rax + va]: for the followers */
    if (xk >= 0)                                 /* movd/movq xmm8+k, [rax + va]: for an FP op */
        x_mem_sib(j, X66 | (sz == 8 ? XW : 0), 0x0f6e, 8 + xk, RAX, va, 1, 0);
    if (op->opc == IR_LOAD_V) {
        /* Straight into V[imm]'s XMM cache register, then one 16-byte store
         * into the slot (a later 16-byte read of V can forward from it;
         * vwhole: the stub's interp_exec_op may not, only speed). */
        const int xc = jit_vtarget(j, (int)op->imm);
        if (xc >= 0) {
            x_mem_sib(j, 0, 0x0f10, xc, RAX, va, 1, 0);         /* movups xmm8+k, [rax + va] */
            jit_vstore_in_place(j, (int)op->imm);
        } else {
            x_mem_sib(j, 0, 0x0f10, 0, RAX, va, 1, 0);          /* movups xmm0, [rax + va] */
            jit_vstore(j, 0, (int)op->imm, true);
        }
    } else if (op->opc == IR_LOAD_V2) {
        x_mem_sib(j, 0, 0x0f10, 0, RAX, va, 1, 0);              /* movups xmm0, [rax + va] */
        x_mem_sib(j, 0, 0x0f10, 1, RAX, va, 1, 16);             /* movups xmm1, [rax + va + 16] */
        jit_vstore(j, 1, (int)(op->imm >> 5), true);            /* the second first (the same register: the first wins) */
        jit_vstore(j, 0, (int)(op->imm & 31), true);
    } else if (op->opc == IR_STORE_V) {
        /* The slot as vload reads it: by halves unless one 16-byte store wrote it. */
        vload(j, 0, (int)op->imm, true);
        x_mem_sib(j, 0, 0x0f11, 0, RAX, va, 1, 0);              /* movups [rax + va], xmm0 */
    } else if (!store) {
        bool sx = op->flags & IRF_SIGNED;
        /* Straight into the result's register, if it has one. */
        const int rd = c->treg[op->dst] >= 0 ? c->treg[op->dst] : RAX;
        switch (sz) {
        case 1: x_mem_sib(j, sx ? XW : 0, sx ? 0x0fbe : 0x0fb6, rd, RAX, va, 1, 0); break;
        case 2: x_mem_sib(j, sx ? XW : 0, sx ? 0x0fbf : 0x0fb7, rd, RAX, va, 1, 0); break;
        case 4: x_mem_sib(j, sx ? XW : 0, sx ? 0x63 : 0x8b, rd, RAX, va, 1, 0); break;
        default: x_mem_sib(j, XW, 0x8b, rd, RAX, va, 1, 0); break;
        }
        if (sx && op->aux == 4)
            x_rr(j, 0, 0x89, rd, rd);            /* mov r32, r32 */
        if (rd == RAX)
            stt(c, op->dst, RAX);
    } else {
        /* Store-release: XCHG (a locked store, a full barrier) so that a
         * later LDAR cannot pass it in the store buffer (RCsc), as the
         * interpreter's store + fence. A load-acquire is a plain load on TSO.
         * XCHG also writes its register: the value goes through rcx then;
         * a plain store takes it from its own register. */
        bool rel = op->flags & IRF_REL;
        const int rv = !rel && c->treg[op->b] >= 0 ? c->treg[op->b] : RCX;
        if (rv == RCX)
            ldt(c, RCX, op->b, true);
        switch (sz) {
        case 1: x_mem_sib(j, XB8, rel ? 0x86 : 0x88, rv, RAX, va, 1, 0); break;
        case 2: x_mem_sib(j, X66, rel ? 0x87 : 0x89, rv, RAX, va, 1, 0); break;
        case 4: x_mem_sib(j, 0, rel ? 0x87 : 0x89, rv, RAX, va, 1, 0); break;
        default: x_mem_sib(j, XW, rel ? 0x87 : 0x89, rv, RAX, va, 1, 0); break;
        }
    }
    if (op->opc == IR_LOAD_V || op->opc == IR_LOAD_V2)
        jit_xc_snapshot(c, &c->stubs[si].xs); /* its stub's way back too has V[imm] cached */
    jb_bind(j, c->stubs[si].back);
}

/* The store of a read-modify-write pair: [slot + va] when its load left the
 * addend, else the whole access. */
static void emit_rmw_store(Ctx *c, const IROp *op, int k)
{
    JitBuf *j = &c->j;
    uint32_t l_fast = jb_label(j), l_done = jb_label(j);
    ld64(j, RAX, RSP, JIT_RMW_SLOT(c, k));
    x_rr(j, XW, 0x85, RAX, RAX);                 /* test rax, rax */
    x_jcc(j, CC_NE, l_fast);
    emit_access(c, op, op->size, false, 0);
    x_jmp(j, l_done);
    jb_bind(j, l_fast);
    int va = c->treg[op->a];
    if (va < 0) {
        ldt(c, RSI, op->a, true);
        va = RSI;
    }
    const int rv = c->treg[op->b] >= 0 ? c->treg[op->b] : RCX;
    if (rv == RCX)
        ldt(c, RCX, op->b, true);
    const unsigned pfx = op->size == 1 ? XB8 : op->size == 2 ? X66 : op->size == 8 ? XW : 0;
    x_mem_sib(j, pfx, op->size == 1 ? 0x88 : 0x89, rv, RAX, va, 1, 0); /* mov [rax + va], v */
    jb_bind(j, l_done);
    c->rax_temp = IR_NO_TEMP;
}

void jit_emit_mem(Ctx *c, const IROp *op)
{
    const size_t idx = (size_t)(op - c->b->ops);
    if (c->b->nops > IR_MAX_OPS) /* not planned: no runs */
        emit_access(c, op, op->size, false, 0);
    else if (op->opc == IR_STORE && c->rmw[idx])
        emit_rmw_store(c, op, c->rmw[idx] - 1);
    else if (c->mdelta[idx])
        emit_follower(c, op, c->mdelta[idx]);
    else
        emit_access(c, op, c->mrun[idx] ? c->mrun[idx] : op->size, c->mrun[idx] != 0, c->mlo[idx]);
}

/* rsi = va, rdi = its host address for a read-modify-write of `size`
 * bytes: misaligned jumps to `misaligned`, a write-tag miss to `miss`
 * (rcx = the page, rdx = the TLB slot). Aligned, the access is in one
 * page, so the tag compare uses va itself. Returns the TLB row offset. */
static int32_t emit_rmw_host(Ctx *c, const IROp *op, int size, uint32_t misaligned, uint32_t miss)
{
    JitBuf *j = &c->j;
    ldt(c, RSI, op->a, true);                    /* rsi = va */
    if (size > 1)
        emit_align_check(j, RSI, (uint8_t)(size - 1), misaligned); /* the interpreter's alignment fault */
    int32_t ebase = jit_emit_tlb_entry(c, op, RSI);  /* field f: [rbx + rdx*8 + ebase + TLB_FIELD(f)] */
    x_rr(j, XW, 0x89, RSI, RCX);
    x_alu_ri(j, XW, 4, RCX, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 8, ebase + TLB_FIELD(tag_write));
    x_jcc(j, CC_NE, miss);
    x_mem_sib(j, XW, 0x8b, RDI, RBX, RDX, 8, ebase + TLB_FIELD(addend));
    x_rr(j, XW, 0x01, RSI, RDI);                 /* rdi = host */
    return ebase;
}

/* LSE atomics (ATOMIC_RMW) and CAS of 1, 2, 4 or 8 bytes on the inline TLB
 * hit path, as atomic_rmw/atomic_cas (sync/atomic.c) do on a hit. The stub
 * (the interpreter's code) takes a misaligned address (alignment fault), a
 * write-tag miss (read-only page: permission fault; MMIO: DFSC 0x35; not
 * cached; a page with a monitored granule, TLB_TAG_ARMED: the slot lock
 * moves its version, as for a plain store). The write tag suffices: stage 1 has no write-only pages.
 * A LOCKed instruction is a full barrier, so the acquire/release forms need
 * nothing more. dst = the old value, zero-extended from size. false: not
 * handled here, nothing emitted. */
bool jit_emit_atomic(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const int sz = op->size;
    const bool cas = op->opc == IR_CAS;
    if ((sz != 1 && sz != 2 && sz != 4 && sz != 8) || (op->flags & ~(IRF_ACQ | IRF_REL | IRF_ALIGN)) ||
        (!cas && op->aux > IR_RMW_SWP))
        return false;
    /* Operand size of the memory instructions; o8 = 0 picks the byte opcode. */
    const unsigned W = sz == 8 ? XW : sz == 2 ? X66 : sz == 1 ? XB8 : 0;
    const uint32_t o8 = sz == 1 ? 0 : 1;
    uint32_t si = add_stub(c, op);
    if (j->oom)
        return true;
    Stub *s = &c->stubs[si];
    s->ebase = emit_rmw_host(c, op, sz, s->call, s->slow);
    s->armed_rmw = c->mon != NULL;
    jb_bind(j, s->resume);
    if (cas) {
        /* Compares the low size bytes of b, as host_cas does. */
        ldt(c, RAX, op->b, true);
        ldt(c, RCX, op->c, true);
        jb_byte(j, 0xf0);
        x_mem(j, W, 0x0fb0 | o8, RCX, RDI, 0);   /* lock cmpxchg [rdi], rcx */
    } else if (op->aux == IR_RMW_ADD) {
        ldt(c, RAX, op->b, true);
        jb_byte(j, 0xf0);
        x_mem(j, W, 0x0fc0 | o8, RAX, RDI, 0);   /* lock xadd [rdi], rax */
    } else if (op->aux == IR_RMW_SWP) {
        ldt(c, RAX, op->b, true);
        x_mem(j, W, 0x86 | o8, RAX, RDI, 0);     /* xchg [rdi], rax (locked) */
    } else {
        /* rax = old (zero-extended at size: a failed cmpxchg of 1 or 2
         * bytes writes only al/ax), rdx = new; retry until no one wrote
         * in between, as host_rmw's compare-exchange loop. */
        ldt(c, RCX, op->b, true);
        if (op->aux == IR_RMW_CLR)
            x_rr(j, XW, 0xf7, 2, RCX);           /* not rcx */
        x_ld_zx(j, sz, RAX, RDI, 0);
        uint32_t loop = jb_label(j);
        jb_bind(j, loop);
        x_rr(j, XW, 0x89, RAX, RDX);             /* mov rdx, rax */
        switch (op->aux) {
        case IR_RMW_CLR: x_rr(j, XW, 0x21, RCX, RDX); break; /* and */
        case IR_RMW_EOR: x_rr(j, XW, 0x31, RCX, RDX); break; /* xor */
        case IR_RMW_SET: x_rr(j, XW, 0x09, RCX, RDX); break; /* or */
        default: {
            /* Compare at size (signed for SMAX/SMIN); take the operand
             * where old does not win. Only the low size bytes are stored. */
            int cc = op->aux == IR_RMW_SMAX ? CC_L : op->aux == IR_RMW_SMIN ? CC_G
                   : op->aux == IR_RMW_UMAX ? CC_B : CC_A;
            x_rr(j, W, 0x3a | o8, RAX, RCX);     /* cmp al/ax/eax/rax, cl/cx/ecx/rcx */
            x_rr(j, sz == 8 ? XW : 0, 0x0f40 | (uint32_t)cc, RDX, RCX); /* cmovcc rdx, rcx */
            break;
        }
        }
        jb_byte(j, 0xf0);
        x_mem(j, W, 0x0fb0 | o8, RDX, RDI, 0);   /* lock cmpxchg [rdi], rdx */
        x_jcc(j, CC_NE, loop);
    }
    switch (sz) {
    case 1: x_rr(j, 0, 0x0fb6, RAX, RAX); break; /* movzx eax, al */
    case 2: x_rr(j, 0, 0x0fb7, RAX, RAX); break; /* movzx eax, ax */
    case 4: x_rr(j, 0, 0x89, RAX, RAX); break;   /* mov eax, eax */
    default: break;
    }
    stt(c, op->dst, RAX);                        /* not st_dst: the stub leaves it elsewhere */
    jb_bind(j, c->stubs[si].back);
    return true;
}

/* CASP of X registers (a CALL of HELPER_casp with 8-byte elements) on the
 * inline TLB hit path, as helper_casp does on a hit: LOCK CMPXCHG16B, whose
 * operands are RDX:RAX (expected) and RCX:RBX (new), so RBX, the CPUState
 * pointer, waits on the stack meanwhile. The registers come from cpu->x
 * (every SET_REG before a call is stored; X[31] there is SP, so a pair
 * ending at 31 reads zero instead). The old second element goes to
 * cpu->tmp128[1], where HELPER_ldp_hi reads it. A misaligned address or a
 * write-tag miss (read-only page, MMIO, an armed granule's page, not cached)
 * falls to what follows, where the caller emits the helper call itself
 * (faults, the monitor's lock); the fast path ends with a jump to the
 * returned label, which the caller binds after that call. 0: no fast path
 * (nothing emitted; label 0 is the block's epilogue, made before any op). */
uint32_t jit_emit_casp_fast(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    if (op->aux != HELPER_casp || (op->imm & 0xff) != 8 || op->b == IR_NO_TEMP || !c->is_const[op->b])
        return 0;
    const unsigned rs = (unsigned)(c->cval[op->b] & 0xff), rt = (unsigned)(c->cval[op->b] >> 8 & 0xff);
    if (rs > 30 || rt > 30 || (rs | rt) & 1)
        return 0;
    uint32_t slow = jb_label(j), done = jb_label(j);
    emit_rmw_host(c, op, 16, slow, slow);
    x_push(j, RBX);
    ld64(j, RAX, RBX, CPU_OFF(x) + 8 * (int32_t)rs);
    if (rs + 1 == 31)
        x_rr(j, 0, 0x31, RDX, RDX);              /* xor edx, edx: XZR */
    else
        ld64(j, RDX, RBX, CPU_OFF(x) + 8 * (int32_t)(rs + 1));
    if (rt + 1 == 31)
        x_rr(j, 0, 0x31, RCX, RCX);
    else
        ld64(j, RCX, RBX, CPU_OFF(x) + 8 * (int32_t)(rt + 1));
    ld64(j, RBX, RBX, CPU_OFF(x) + 8 * (int32_t)rt); /* last: rbx was the CPUState */
    jb_byte(j, 0xf0);
    x_mem(j, XW, 0x0fc7, 1, RDI, 0);             /* lock cmpxchg16b [rdi] */
    x_pop(j, RBX);
    st64(j, RBX, CPU_OFF(tmp128) + 8, RDX);      /* the old second element */
    st_dst(c, op->dst);                          /* the old first one, in rax */
    x_jmp(j, done);
    jb_bind(j, slow);
    return done;
}

/* Compiling thread. The start of a stub's interp_exec_op path: the pc and
 * the -stats count (the refill path's tail counts its own, cpu/jit_thunk_x86.c). */
static void emit_stub_entry(Ctx *c, const Stub *s)
{
    JitBuf *j = &c->j;
    stub_store_pc(c, s);
    if (s->op->opc == IR_LOAD || s->op->opc == IR_STORE || s->op->opc == IR_LOAD_V || s->op->opc == IR_STORE_V ||
        s->op->opc == IR_LOAD_V2)
        x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.mem_slow)); /* inc qword: -stats */
}

/* Compiling thread. A TLB miss of an inline LOAD/STORE (rsi = va, rcx =
 * page of the last byte): tlb_refill translates as mem_load/mem_store would. An entry's
 * addend: load it and va again and resume the inline access. NULL: the access
 * needs interp_exec_op (falls through to it). A fault: leave the block.
 * Only a C call, so the temps in RBP/R12-R15 and the slots stay. */
static void emit_refill(Ctx *c, const Stub *s)
{
    JitBuf *j = &c->j;
    uint32_t interp = jb_label(j), refill = jb_label(j);
    if (s->lts) {
        /* A site cache's miss: the inline path's TLB lookup (rcx = the
         * page of the last byte, rdx = the entry, as the refill below wants
         * them); a hit fills the cache. */
        const bool wtag = s->op->opc == IR_STORE || s->op->opc == IR_STORE_V || s->rmw;
        jb_bind(j, s->lmiss);
        if (s->align_mask)
            emit_align_check(j, s->va, s->align_mask, s->call);
        x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.lts_miss)); /* inc qword: -stats */
        emit_tlb_hit(c, s->op, s->va, s->last, wtag, s->slow);
        st64(j, RSP, JIT_LTS_TAG(c, s->lts - 1), RCX);
        st64(j, RSP, JIT_LTS_ADDEND(c, s->lts - 1), RAX);
        x_jmp(j, s->lhit);
    }
    jb_bind(j, s->slow);
    if (s->rmw) {
        /* A pair's load that missed the write tag: the store does its own
         * lookup; a hit on the read tag (a read-only page, a clean one, a
         * monitored granule's) resumes the load without a refill. */
        uint32_t miss = jb_label(j);
        x_mem(j, XW, 0xc7, 0, RSP, JIT_RMW_SLOT(c, s->rmw - 1)); /* mov qword [slot], 0 */
        jb_u32(j, 0);
        x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 8, s->ebase + TLB_FIELD(tag_read));
        x_jcc(j, CC_NE, miss);
        x_mem_sib(j, XW, 0x8b, RAX, RBX, RDX, 8, s->ebase + TLB_FIELD(addend));
        x_jmp(j, s->resume);
        jb_bind(j, miss);
    }
    if (s->lo)
        x_mem(j, XW, 0x8d, RSI, s->va, s->lo);         /* rsi = the window's first byte, va + lo */
    else if (s->va != RSI)
        x_rr(j, XW, 0x89, s->va, RSI);                 /* rsi = va: tlb_refill's, the armed probe's */
    const bool store = s->op->opc == IR_STORE || s->op->opc == IR_STORE_V;
    if (store && c->mon) {
        /* An armed page (rdx = the slot): no refill,
         * the host address from the entry, then the granule's armed[]; an
         * unarmed granule resumes the inline store (no pc, no mem_slow). */
        emit_armed_page(c, s->ebase, s->last, refill, s->call);
        if (s->lo && s->va == RSI)
            x_mem(j, XW, 0x8d, RSI, RSI, -s->lo);      /* va again: rsi held the window's start */
        x_jmp(j, s->resume);                           /* rax, va: what the inline path leaves */
    }
    jb_bind(j, refill);
    /* A window that starts below the leader (lo) has no refill: tlb_refill
     * would fault on the window's first byte, not the leader's, and a
     * refill of the leader's page alone would not cover its followers
     * below. It falls into the interpreter's path, which does the leader
     * (filling the TLB); the followers do their own accesses. */
    if (!s->lo) {
        jit_emit_deferred_sets(c, s->op);              /* tlb_refill may raise */
        /* A plain load that no follower shares the entry with may be an
         * MMIO read done by tlb_refill (it returns an addend pointing at
         * the value). */
        uint32_t mode = s->op->flags | (store ? TLB_REFILL_WRITE : 0);
        if (s->op->opc == IR_LOAD && !s->lead && s->op->size <= 8)
            mode |= TLB_REFILL_LOAD | (uint32_t)s->op->size << TLB_REFILL_SIZE_SHIFT;
        x_mov_ri(j, RDX, mode);
        /* The pc for a fault goes in RAX: the thunk stores it (7 bytes
         * less than a store here, in most stubs). */
        if (s->store_pc)
            x_mov_ri(j, RAX, s->pc);
        /* counts mem_slow, and mem_refill for an entry */
        jit_call_thunk(c, s->store_pc ? JIT_THUNK_REFILL_PC : JIT_THUNK_REFILL);
        x_alu_ri(j, XW, 7, RAX, 1);                    /* cmp rax, TLB_REFILL_FAULT (1) */
        x_jcc(j, CC_E, c->l_exc);
        x_jcc(j, CC_B, interp);                        /* NULL */
        ld64(j, RAX, RAX, 0);                          /* the entry's addend */
        jit_xc_reload(c, &s->xs, -1);                  /* keeps rax */
        ldt(c, RSI, s->op->a, true);
        x_jmp(j, s->resume);
    }
    /* The interpreter's own entry, for the inline code's alignment check
     * and the armed probe above; with a refill before it (which ends in a
     * jump) and neither of those, nothing reaches it: not emitted. */
    if (s->lo || jb_label_used(j, s->call)) {
        jb_bind(j, s->call);
        if (s->rmw) {
            x_mem(j, XW, 0xc7, 0, RSP, JIT_RMW_SLOT(c, s->rmw - 1)); /* mov qword [slot], 0 */
            jb_u32(j, 0);
        }
        emit_stub_entry(c, s);
        if (!s->lo)
            jit_emit_deferred_sets(c, s->op);          /* interp_exec_op may raise */
    }
    /* The refill's way here stored the deferred writes before its call. */
    jb_bind(j, interp);
    emit_interp_call_from(c, s->op, !s->lo);
    jit_xc_reload(c, &s->xs, -1);
    if (s->lead)
        x_rr(j, 0, 0x31, RDI, RDI);                    /* xor edi, edi: followers take their full path */
    x_jmp(j, s->back);
}

void jit_emit_stubs(Ctx *c)
{
    JitBuf *j = &c->j;
    for (uint32_t i = 0; i < c->nstubs; i++) {
        const Stub *s = &c->stubs[i];
        if (s->excl) {
            jit_emit_excl_stub(c, s);
            continue;
        }
        if (s->refill) {
            emit_refill(c, s);
            continue;
        }
        jb_bind(j, s->slow);
        if (s->armed_rmw) {
            /* A page with an armed granule (TLB_TAG_ARMED): this granule
             * unarmed, the locked instruction inline, counted towards the
             * idle-page sweep (monitor_idle_stores) like a store's. Before
             * 2026-12-07 every such atomic went to C: a counter whose page
             * aliased an armed one (pages hash modulo 256 MiB) took 16-19
             * ns an LDADDAL instead of 6.5, for as long as the page stayed
             * armed, which these never ended (their C path was not counted). */
            emit_armed_page(c, s->ebase, 0, s->call, s->call); /* aligned: one granule */
            x_mem_sib(j, XW, 0x8d, RDI, RAX, RSI, 1, 0); /* lea rdi, [rax + rsi]: host */
            x_jmp(j, s->resume);
        }
        jb_bind(j, s->call);
        emit_stub_entry(c, s);
        emit_interp_call(c, s->op);
        jit_xc_reload(c, &s->xs, -1);
        if (s->follower)
            x_rr(j, 0, 0x31, RDI, RDI);          /* xor edi, edi: the run's later followers too */
        x_jmp(j, s->back);
    }
}

