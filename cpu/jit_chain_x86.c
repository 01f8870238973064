/* Tier 1: how generated code enters, leaves and chains (docs/jit.md,
 * "Chaining and safe points"): the entry stub, direct-branch exits with
 * patchable jumps, jump-cache probes for indirect and cross-page branches,
 * and the patching itself. Thread rules: emitters run on the compiling
 * thread; jit_chain_patch as its header says. */
#include <stdatomic.h>

#include "host_cpu.h"
#include "jit_x86_ctx.h"

/* int flotilla_jit_enter(CPUState *cpu, const void *code, int32_t budget):
 * the one way into generated code. Saves RBX and the registers that hold
 * temps (RBP, R12-R15), points RBX at the CPUState, puts cpu->chain_budget
 * (the caller passes it) in R11D, makes the frame (8 more bytes keep calls
 * 16-byte aligned after six pushes) and jumps; every block's epilogue
 * stores R11D back, undoes exactly this and returns. */
__asm__(".text\n"
        ".globl flotilla_jit_enter\n"
        ".type flotilla_jit_enter, @function\n"
        "flotilla_jit_enter:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    mov %rdi, %rbx\n"
        "    mov %edx, %r11d\n"
        "    sub $" "65544" ", %rsp\n"
        "    jmp *%rsi\n"
        ".size flotilla_jit_enter, .-flotilla_jit_enter\n");
_Static_assert(JIT_FRAME == 65536, "keep the constant in flotilla_jit_enter in step");

/* Compare the jump-cache entry of the constant pc `target` (in rax after
 * this) and jump to its code on a hit; fall to `miss` otherwise. A hit is
 * as good as the dispatcher's find_block: the jump cache is dropped
 * whenever a mapping or translation it names goes away. */
static void emit_jc_probe_const(Ctx *c, uint64_t target, uint32_t miss)
{
    JitBuf *j = &c->j;
    int32_t e = CPU_OFF(jc) + (int32_t)(jc_index(target) * sizeof(JCEntry));
    x_mov_ri(j, RAX, target);
    x_mem(j, XW, 0x3b, RAX, RBX, e + (int32_t)offsetof(JCEntry, pc)); /* cmp rax, [je.pc] */
    x_jcc(j, CC_NE, miss);
    x_mem(j, 0, 0x81, 7, RBX, e + (int32_t)offsetof(JCEntry, flags)); /* cmp dword [je.flags], imm32 */
    jb_u32(j, c->tb_flags);
    x_jcc(j, CC_NE, miss);
    x_mem(j, XW, 0x8b, RCX, RBX, e + (int32_t)offsetof(JCEntry, code));
    x_rr(j, XW, 0x85, RCX, RCX);
    x_jcc(j, CC_E, miss);                        /* interpreted block */
    x_rr(j, 0, 0xff, 4, RCX);                    /* jmp rcx */
}

void jit_emit_entry_checks(Ctx *c, uint32_t stop, uint32_t stop_budget)
{
    JitBuf *j = &c->j;
    x_mem(j, 0, 0x83, 7, RBX, CPU_OFF(request)); /* cmp dword [request], 0 */
    jb_byte(j, 0);
    x_jcc(j, CC_NE, stop);
    /* The budget lives in R11D while generated code runs (JIT_BUDGET): a
     * sub of memory here made every chained entry wait for the previous
     * one's store (~4% of a busybox run's host time). */
    x_alu_ri(j, 0, 5, JIT_BUDGET, c->b->ninsns);  /* sub r11d, ninsns */
    x_jcc(j, CC_S, stop_budget);
}

/* A direct branch to `target` through chain slot `slot`, taken if temp
 * `cond` is non-zero, or (cond = IR_NO_TEMP, cc >= 0) if x86 condition cc
 * holds in EFLAGS now (a fused CMP_EQ/NE), else always. The first branch of each slot to
 * a target in this block's page gets a patchable rel32 whose 4 bytes are
 * aligned (patched with one atomic store while other cores may run it);
 * the others probe the jump cache. */
void jit_emit_direct(Ctx *c, uint64_t target, int slot, IRTemp cond, int cc)
{
    JitBuf *j = &c->j;
    c->exits = jb_grow(c->exits, &c->capexits, sizeof(SlotExit), c->nexits + 1, &j->oom);
    if (j->oom)
        return;
    if (target == c->b->pc && slot < 2 && c->loop_e[slot] == (int32_t)c->op_index)
        jit_loop_branch_v(c); /* where the loop's head has them (taken or not: the branch may be unchained) */
    SlotExit *x = &c->exits[c->nexits++];
    bool same_page = (target & TLB_PAGE_MASK) == (c->b->pc & TLB_PAGE_MASK);
    bool site = same_page && !c->site_used[slot];
    x->label = jb_label(j);
    x->stub = site ? x->label : jb_label(j);
    x->target = target;
    x->slot = slot;
    x->probe = !site && !(target & 3); /* a misaligned pc must reach the dispatcher (and never match ~0) */
    x->lnz = c->lnz && c->op_index == c->lnz_br;
    if (cond != IR_NO_TEMP) {
        rmt(c, XW, 0x83, 7, cond);     /* cmp qword [cond], 0 */
        jb_byte(j, 0);
        cc = CC_NE;
    }
    int oplen = cc >= 0 ? 2 : 1;                 /* bytes before the rel32 */
    if (site) {
        /* One NOP of 1-3 bytes (90, 66 90, 0F 1F 00), not up to three: the
         * front end decodes one instruction. EFLAGS kept for the jcc. */
        static const uint8_t nop[3][3] = {{0x90}, {0x66, 0x90}, {0x0f, 0x1f, 0x00}};
        size_t pad = (4 - ((j->len + (size_t)oplen) & 3)) & 3;
        for (size_t k = 0; k < pad; k++)
            jb_byte(j, nop[pad - 1][k]);
    }
    if (cc >= 0)
        x_jcc(j, cc, x->label);
    else
        x_jmp(j, x->label);
    if (site) {
        if (target == c->b->pc && slot < 2 && c->loop_e[slot] == (int32_t)c->op_index) {
            c->loop_used[slot] = true; /* its stub is before the body (jit_emit_loop_stubs) */
        }
        c->site_used[slot] = true;
        c->site_pos[slot] = (uint32_t)j->len - 4;
        c->site_stub[slot] = x->stub;
        c->site_pc[slot] = target;
    }
}

void jit_emit_exits(Ctx *c)
{
    JitBuf *j = &c->j;
    for (uint32_t i = 0; i < c->nexits; i++) {
        const SlotExit *x = &c->exits[i];
        jb_bind(j, x->label);
        if (x->lnz)
            jit_emit_lnz_pack(c); /* reached from the loop's jcc, unchained */
        if (x->probe)
            emit_jc_probe_const(c, x->target, x->stub);
        if (x->stub != x->label)
            jb_bind(j, x->stub); /* a chain site's is its label: the unchained jump packs too */
        st_pc(j, x->target); /* l_epi names the block in jit_last */
        x_mov_ri(j, RAX, (uint64_t)bx_of_slot(x->slot));
        x_jmp(j, c->l_epi);
    }
    /* Chained entry refused (request pending or budget spent): nothing of
     * the block ran; the dispatcher resumes at its first instruction. */
    jit_emit_lnz_stops(c);
    jb_bind(j, c->l_stop_budget);
    x_alu_ri(j, 0, 0, JIT_BUDGET, c->b->ninsns);  /* add r11d, ninsns */
    jb_bind(j, c->l_stop);
    st_pc(j, c->b->pc);
    x_mov_ri(j, RAX, BX_EXIT);
    x_jmp(j, c->l_epi);
}

/* Indirect branch to the pc in rax: probe the jump cache (index from the
 * pc at run time); a miss returns BX_JUMP with cpu->pc set. A misaligned pc
 * always misses (so it can never match an emptied entry's ~0 pc). */
void jit_emit_jump_indirect(Ctx *c)
{
    JitBuf *j = &c->j;
    uint32_t miss = jb_label(j);
    const int32_t jc = CPU_OFF(jc);
    jb_byte(j, 0xa8);                            /* test al, 3 */
    jb_byte(j, 3);
    x_jcc(j, CC_NE, miss);
    /* ecx = jc_index(pc) * 4: eax ^ (eax rotated by 16), masked */
    if (host_has(HOST_BMI2)) {
        x_vex_rr(j, 3, 3, false, 0, 0xf0, RCX, RAX); /* rorx ecx, eax, 16 (map 0F3A, pp = F2) */
        jb_byte(j, 16);
    } else {
        x_rr(j, 0, 0x89, RAX, RCX);              /* mov ecx, eax */
        x_shift_ri(j, 0, 1, RCX, 16);            /* ror ecx, 16 */
    }
    x_rr(j, 0, 0x31, RAX, RCX);                  /* xor ecx, eax */
    x_alu_ri(j, 0, 4, RCX, (int32_t)((JC_SIZE - 1) << 2));
    x_shift_ri(j, 0, 4, RCX, 3);                 /* ecx = index * 32 */
    x_mem_sib(j, XW, 0x3b, RAX, RBX, RCX, 1, jc + (int32_t)offsetof(JCEntry, pc));
    x_jcc(j, CC_NE, miss);
    x_mem_sib(j, 0, 0x81, 7, RBX, RCX, 1, jc + (int32_t)offsetof(JCEntry, flags));
    jb_u32(j, c->tb_flags);
    x_jcc(j, CC_NE, miss);
    x_mem_sib(j, XW, 0x8b, RCX, RBX, RCX, 1, jc + (int32_t)offsetof(JCEntry, code));
    x_rr(j, XW, 0x85, RCX, RCX);
    x_jcc(j, CC_E, miss);
    x_rr(j, 0, 0xff, 4, RCX);                    /* jmp rcx */
    jb_bind(j, miss);
    st64(j, RBX, CPU_OFF(pc), RAX);
    x_mov_ri(j, RAX, BX_JUMP);
    x_jmp(j, c->l_epi);
}


bool jit_chain_patch(IRBlock *from, int slot, const IRBlock *to)
{
    uint8_t *fn = ir_native(from), *tn = to ? ir_native(to) : NULL;
    if (!fn || !from->chain_site[slot] || (to && (!tn || to->pc != from->chain_pc[slot])))
        return false;
    uint8_t *site = fn + from->chain_site[slot];
    uintptr_t dest = to ? (uintptr_t)tn : (uintptr_t)fn + from->chain_stub[slot];
    if (to == from && from->chain_loop[slot])
        dest = (uintptr_t)fn + from->chain_loop[slot]; /* a self-loop's stub */
    int64_t rel = (int64_t)(dest - (uintptr_t)(site + 4));
    if (rel != (int64_t)(int32_t)rel)
        return false; /* arenas too far apart: the dispatcher keeps the edge */
    /* Aligned, so the store is atomic for cores executing the jump. */
    atomic_store_explicit((_Atomic uint32_t *)(void *)site, (uint32_t)(int32_t)rel, memory_order_release);
    return true;
}
