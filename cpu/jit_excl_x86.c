/* Tier 1: LDXR/STXR of 1, 2, 4 or 8 bytes (IR_LOAD_EXCL, IR_STORE_EXCL)
 * inline on the TLB hit path (docs/jit.md, "Inline exclusives"), with the
 * exact effect of load_excl/store_excl in sync/atomic.c on the global
 * exclusive monitor (sync/monitor.h, docs/atomics.md). Whatever the inline
 * path does not cover goes out of line to interp_exec_op, i.e. to that C
 * code: misaligned, TLB miss, MMIO, a read-only page, an STXR without a
 * matching reservation or whose version CAS failed; an LDXR whose slot or
 * page is not STABLE and used calls atomic_reserve_host (arming, second-
 * chance bits, the TLB's armed tags) and comes back. An LDXR and the STXR
 * after it in the block with nothing but register ops between lock the slot
 * at the LDXR ("eager": excl_pair, docs/jit.md). The pair forms
 * (LDXP/STXP: helpers) are not here. Thread rules: the compiling thread. */
#include "../memory/mem.h"
#include "../sync/atomic.h"
#include "jit_x86_ctx.h"
#include "jit_xcache_x86.h"

_Static_assert(sizeof(MonSlot) == 64, "the slot's address is host & (mask << 6) + slots");
_Static_assert(sizeof(TLBEntryX) == 16, "a tlbx entry is the slot * 2 * 8");
_Static_assert(MON_VER_INVALID == 1, "the fields are cleared with imm32 stores");

#define SLOT_OFF(f) ((int32_t)offsetof(MonSlot, f))

/* Compiling thread. Whether op can be inline here: sizes 1..8, ordering
 * flags only, a monitor whose masks fit an imm32. -det weak=on never gets
 * here (machine_init runs it on the interpreter: its store buffers). */
static bool excl_inline_ok(const Ctx *c, const IROp *op)
{
    const int sz = op->size;
    return c->mon && (sz == 1 || sz == 2 || sz == 4 || sz == 8) &&
           !(op->flags & ~(IRF_ACQ | IRF_REL | IRF_ALIGN)) &&
           ((uint64_t)c->mon->mask << MON_GRANULE_SHIFT) <= 0x7fffffffu && c->mon->pmask <= 0x7fffffffu;
}

/* Compiling thread. The STXR an inline LDXR can lock its granule's slot for
 * (index + 1; 0: none): the next exclusive op of the block, an STXR of the
 * same size that is inline too, with only register and flag ops between
 * (IRK_PURE, IRK_STATE but FENCE), none of which can leave the block or
 * raise, so the STXR that unlocks always runs right after, in the same
 * block (no quiescent state, no interrupt, no other store of this core
 * between). Not under -det (c->excl_eager_ok). */
static uint32_t excl_pair(const Ctx *c, const IROp *op)
{
    const IRBlock *b = c->b;
    if (!c->excl_eager_ok)
        return 0;
    for (uint32_t k = (uint32_t)(op - b->ops) + 1; k < b->nops; k++) {
        const IROp *o = &b->ops[k];
        if (o->opc == IR_STORE_EXCL)
            return o->size == op->size && excl_inline_ok(c, o) ? k + 1 : 0;
        const uint8_t kind = ir_op_info[o->opc].kind;
        if ((kind != IRK_PURE && kind != IRK_STATE) || o->opc == IR_FENCE)
            return 0;
    }
    return 0;
}

/* After the tag compare (rdx = the slot, ebase its row in cpu->tlb, rsi =
 * va): rdi = host, `pa` = the guest physical address
 * (the entry's page from cpu->tlbx, as mem_host_ptr gives load_excl).
 * Clobbers rdx. */
static void emit_host_pa(Ctx *c, int32_t ebase, int pa)
{
    JitBuf *j = &c->j;
    const int32_t row = (ebase - CPU_OFF(tlb)) / (int32_t)sizeof(TLBTable);
    const int32_t xbase = CPU_OFF(tlbx) + row * (int32_t)(TLB_SIZE * sizeof(TLBEntryX));
    x_mem_sib(j, XW, 0x8b, RDI, RBX, RDX, 8, ebase + TLB_FIELD(addend));
    x_rr(j, XW, 0x01, RSI, RDI);                 /* add rdi, rsi: host */
    x_rr(j, 0, 0x01, RDX, RDX);                  /* add edx, edx: 16-byte tlbx entries */
    x_mem_sib(j, XW, 0x8b, pa, RBX, RDX, 8, xbase + (int32_t)offsetof(TLBEntryX, paddr));
    x_rr(j, 0, 0x89, RSI, RDX);                  /* mov edx, esi */
    x_alu_ri(j, 0, 4, RDX, (int32_t)~TLB_PAGE_MASK);
    x_rr(j, XW, 0x09, RDX, pa);                  /* or pa, rdx */
}

/* rcx = &mon->slots[slot of host rdi] (monitor_slot_index). */
static void emit_slot(Ctx *c)
{
    JitBuf *j = &c->j;
    x_rr(j, XW, 0x89, RDI, RCX);                 /* mov rcx, rdi */
    x_alu_ri(j, XW, 4, RCX, (int32_t)((uint32_t)c->mon->mask << MON_GRANULE_SHIFT));
    x_mov_ri(j, RDX, (uint64_t)(uintptr_t)c->mon->slots);
    x_rr(j, XW, 0x01, RDX, RCX);                 /* add rcx, rdx */
}

/* mov qword [rbx + off], simm32 */
static void st_imm(JitBuf *j, int32_t off, int32_t v)
{
    x_mem(j, XW, 0xc7, 0, RBX, off);
    jb_u32(j, (uint32_t)v);
}

/* LDXR: the fast path is load_excl when monitor_reserve finds the slot and
 * the page STABLE with their second-chance bits set, and tlb_sync_armed has
 * nothing to do (the core's mon_gen is the monitor's gen): the version
 * (even) is read before the data (x86 loads keep their order), the data
 * zero-extended, the reservation recorded. */
static void emit_ldxr(Ctx *c, const IROp *op, uint32_t si, bool eager)
{
    JitBuf *j = &c->j;
    const Monitor *mon = c->mon;
    const int sz = op->size;
    const uint32_t call = c->stubs[si].call, slow = c->stubs[si].slow;
    ldt(c, RSI, op->a, true);                    /* rsi = va */
    if (sz > 1) {
        x_rr(j, XB8, 0xf6, 0, RSI);              /* test sil, size - 1: the alignment fault */
        jb_byte(j, (uint8_t)(sz - 1));
        x_jcc(j, CC_NE, call);
    }
    int32_t ebase = jit_emit_tlb_entry(c, op, RSI);
    x_rr(j, XW, 0x89, RSI, RCX);                 /* aligned: va's page is the last byte's */
    x_alu_ri(j, XW, 4, RCX, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 8, ebase + TLB_FIELD(tag_read));
    x_jcc(j, CC_NE, call);
    if (eager) {
        /* The paired STXR stores without a TLB check: the page must be
         * writable now (rare otherwise: the whole LDXR in C). */
        x_mem_sib(j, XW, 0x8b, RAX, RBX, RDX, 8, ebase + TLB_FIELD(tag_write));
        x_alu_ri(j, XW, 4, RAX, (int32_t)~TLB_TAG_ARMED);
        x_rr(j, XW, 0x3b, RAX, RCX);             /* cmp rax, rcx */
        x_jcc(j, CC_NE, call);
    }
    emit_host_pa(c, ebase, R8);                  /* rdi = host, r8 = pa */
    emit_slot(c);
    /* monitor_reserve's order: version (odd: a writer holds the slot, the
     * C code spins; eager, the spin is here: the holder is a few
     * instructions from its unlock), state, used, then the page; then
     * tlb_sync_armed's gen. */
    const uint32_t retry = jb_label(j);
    jb_bind(j, retry);                           /* rcx = the slot */
    x_mem(j, XW, 0x8b, RAX, RCX, SLOT_OFF(version));
    x_rr(j, 0, 0xf6, 0, RAX);                    /* test al, 1 */
    jb_byte(j, 1);
    x_jcc(j, CC_NE, eager ? retry : slow);
    x_mem(j, 0, 0x83, 7, RCX, SLOT_OFF(state));  /* cmp dword [state], MON_STABLE */
    jb_byte(j, MON_STABLE);
    x_jcc(j, CC_NE, slow);
    x_mem(j, 0, 0x83, 7, RCX, SLOT_OFF(used));   /* cmp dword [used], 0: the C code sets it */
    jb_byte(j, 0);
    x_jcc(j, CC_E, slow);
    x_rr(j, XW, 0x89, RDI, RDX);                 /* mov rdx, rdi */
    x_shift_ri(j, XW, 5, RDX, MON_PAGE_SHIFT);
    x_alu_ri(j, 0, 4, RDX, (int32_t)mon->pmask); /* edx = monitor_page_index */
    x_mov_ri(j, RCX, (uint64_t)(uintptr_t)mon->pages);
    x_mem_sib(j, 0, 0x80, 7, RCX, RDX, 1, 0);    /* cmp byte [pages + rdx], STABLE | USED */
    jb_byte(j, MON_STABLE | MON_PAGE_USED);
    x_jcc(j, CC_NE, slow);
    x_mov_ri(j, RCX, (uint64_t)(uintptr_t)&mon->gen);
    ld64(j, RCX, RCX, 0);
    x_mem(j, XW, 0x3b, RCX, RBX, CPU_OFF(tlbs.mon_gen));
    x_jcc(j, CC_NE, slow);
    if (eager) {
        /* Lock the slot for the paired STXR (version + 1, as its CAS
         * would), after the checks: a sweep or a page disarm changes the
         * state only under the slot's lock, so the CAS fails if one came
         * since the version was read. Taken, nothing else can write the
         * granule before the STXR stores and unlocks; lost (another writer
         * came first), look again. */
        emit_slot(c);
        x_mem(j, XW, 0x8d, RDX, RAX, 1);         /* lea rdx, [rax + 1] */
        jb_byte(j, 0xf0);
        x_mem(j, XW, 0x0fb1, RDX, RCX, SLOT_OFF(version)); /* lock cmpxchg [version], rdx */
        x_jcc(j, CC_NE, retry);
        st64(j, RBX, CPU_OFF(excl_lock_slot), RCX);
        st64(j, RBX, CPU_OFF(excl_lock_host), RDI);
        x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.excl_locked)); /* inc qword: -stats */
    }
    /* rax = version, rdi = host, rsi = va, r8 = pa: also from the slow path. */
    jb_bind(j, c->stubs[si].resume);
    x_ld_zx(j, sz, RDX, RDI, 0);
    st64(j, RBX, CPU_OFF(excl_addr), R8);
    st64(j, RBX, CPU_OFF(excl_vaddr), RSI);
    x_mem(j, 0, 0xc7, 0, RBX, CPU_OFF(excl_size)); /* mov dword [excl_size], size */
    jb_u32(j, (uint32_t)sz);
    st64(j, RBX, CPU_OFF(excl_ver), RAX);
    st64(j, RBX, CPU_OFF(excl_val[0]), RDX);
    st_imm(j, CPU_OFF(excl_val[1]), 0);
    stt(c, op->dst, RDX);
}

/* The pair's lock is released: cpu->excl_lock_slot and _host back to 0. */
static void clear_lock(JitBuf *j)
{
    st_imm(j, CPU_OFF(excl_lock_slot), 0);
    st_imm(j, CPU_OFF(excl_lock_host), 0);
}

/* mov or xchg [rdi], rdx/edx/dx/dl */
static void store_rdi(JitBuf *j, int sz, bool xchg)
{
    const uint32_t opc = xchg ? 0x87 : 0x89;
    switch (sz) {
    case 1: x_mem(j, XB8, opc - 1, RDX, RDI, 0); break;
    case 2: x_mem(j, X66, opc, RDX, RDI, 0); break;
    case 4: x_mem(j, 0, opc, RDX, RDI, 0); break;
    default: x_mem(j, XW, opc, RDX, RDI, 0); break;
    }
}

/* STXR: the fast path is store_excl when the reservation matches (va, size,
 * valid version), the write tag hits (TLB_TAG_ARMED or not: the slot lock
 * below is what an armed page asks of a store) at the PA of the LDXR, and
 * the version CAS locks the slot: the store, then monitor_unlock (waiters
 * read under the lock, version + 2 with release, a full fence for STLXR),
 * on one vCPU monitor_stxr_solo (a lock word's slot freed), status 0.
 * Every failure goes to the C code before anything is written (the CAS
 * fails only if the version moved on, and it never comes back). Eager: the
 * LDXR paired with it may hold the slot already (below). */
static void emit_stxr(Ctx *c, const IROp *op, uint32_t si, bool eager)
{
    JitBuf *j = &c->j;
    const int sz = op->size;
    const uint32_t call = c->stubs[si].call;
    const uint32_t tail = jb_label(j);
    if (eager) {
        /* Its LDXR holds the slot (cpu->excl_lock_slot, NULL if that LDXR
         * took an ordinary reservation): same address, so store and unlock
         * (version + 2, a plain store; STLXR: the data by XCHG, a full
         * barrier, for the STLR-to-LDAR order), status 0. Another address:
         * the version as it was (nothing written, the reservation stays as
         * the LDXR took it), then the ordinary code, which fails it. */
        const uint32_t normal = jb_label(j), other = jb_label(j);
        x_mem(j, XW, 0x83, 7, RBX, CPU_OFF(excl_lock_slot)); /* cmp qword [excl_lock_slot], 0 */
        jb_byte(j, 0);
        x_jcc(j, CC_E, normal);
        ldt(c, RSI, op->a, true);
        x_mem(j, XW, 0x3b, RSI, RBX, CPU_OFF(excl_vaddr));
        x_jcc(j, CC_NE, other);
        ld64(j, RCX, RBX, CPU_OFF(excl_lock_slot));
        ld64(j, RDI, RBX, CPU_OFF(excl_lock_host));
        ld64(j, RAX, RBX, CPU_OFF(excl_ver));
        ldt(c, RDX, op->b, true);
        store_rdi(j, sz, (op->flags & IRF_REL) != 0);
        x_mem(j, XW, 0x8b, RDX, RCX, SLOT_OFF(waiters)); /* read while held (slot_unlock) */
        x_alu_ri(j, XW, 0, RAX, 2);
        x_mem(j, XW, 0x89, RAX, RCX, SLOT_OFF(version));
        clear_lock(j);
        x_jmp(j, tail);
        jb_bind(j, other);
        ld64(j, RCX, RBX, CPU_OFF(excl_lock_slot));
        ld64(j, RAX, RBX, CPU_OFF(excl_ver));
        x_mem(j, XW, 0x89, RAX, RCX, SLOT_OFF(version));
        clear_lock(j);
        jb_bind(j, normal);
    }
    ldt(c, RSI, op->a, true);                    /* rsi = va */
    if (sz > 1) {
        x_rr(j, XB8, 0xf6, 0, RSI);              /* alignment first (ExclusiveMonitorsPass) */
        jb_byte(j, (uint8_t)(sz - 1));
        x_jcc(j, CC_NE, call);
    }
    x_mem(j, XW, 0x3b, RSI, RBX, CPU_OFF(excl_vaddr));
    x_jcc(j, CC_NE, call);
    x_mem(j, 0, 0x83, 7, RBX, CPU_OFF(excl_size)); /* cmp dword [excl_size], size */
    jb_byte(j, (uint8_t)sz);
    x_jcc(j, CC_NE, call);
    ld64(j, RAX, RBX, CPU_OFF(excl_ver));
    x_rr(j, 0, 0xf6, 0, RAX);                    /* test al, 1: no valid reservation */
    jb_byte(j, 1);
    x_jcc(j, CC_NE, call);
    int32_t ebase = jit_emit_tlb_entry(c, op, RSI);
    x_rr(j, XW, 0x89, RSI, RDI);                 /* mov rdi, rsi */
    x_alu_ri(j, XW, 4, RDI, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x8b, RCX, RBX, RDX, 8, ebase + TLB_FIELD(tag_write));
    x_alu_ri(j, XW, 4, RCX, (int32_t)~TLB_TAG_ARMED);
    x_rr(j, XW, 0x3b, RCX, RDI);                 /* cmp rcx, rdi */
    x_jcc(j, CC_NE, call);
    emit_host_pa(c, ebase, RCX);                 /* rdi = host, rcx = pa */
    x_mem(j, XW, 0x3b, RCX, RBX, CPU_OFF(excl_addr));
    x_jcc(j, CC_NE, call);                       /* another PA since the LDXR */
    emit_slot(c);
    x_mem(j, XW, 0x8d, RDX, RAX, 1);             /* lea rdx, [rax + 1] */
    jb_byte(j, 0xf0);
    x_mem(j, XW, 0x0fb1, RDX, RCX, SLOT_OFF(version)); /* lock cmpxchg [version], rdx */
    x_jcc(j, CC_NE, call);
    ldt(c, RDX, op->b, true);
    store_rdi(j, sz, false);
    x_mem(j, XW, 0x8b, RDX, RCX, SLOT_OFF(waiters)); /* read while held (slot_unlock) */
    x_alu_ri(j, XW, 0, RAX, 2);
    /* Unlock: version + 2, a release store on x86. STLXR: monitor_unlock(fence
     * = true) stores then fences (store->load order for a later LDAR); XCHG
     * is that store as one locked instruction, a full barrier, as the inline
     * STLR (jit_mem_x86.c), and much cheaper than MFENCE. */
    x_mem(j, XW, (op->flags & IRF_REL) ? 0x87 : 0x89, RAX, RCX, SLOT_OFF(version));
    jb_bind(j, tail);                            /* rdx = waiters, rdi = host */
    st_imm(j, CPU_OFF(excl_addr), -1);           /* atomic_clear_monitor */
    st_imm(j, CPU_OFF(excl_vaddr), -1);
    st_imm(j, CPU_OFF(excl_ver), (int32_t)MON_VER_INVALID);
    x_rr(j, XW, 0x85, RDX, RDX);                 /* test rdx, rdx: cores in WFE on the slot */
    x_jcc(j, CC_NE, c->stubs[si].slow);
    jb_bind(j, c->stubs[si].resume);
    if (c->mon->solo) {
        /* monitor_stxr_solo: the word recorded, and a lock word's slot
         * (plain_stored) freed here; an atomic counter's stays armed, its
         * next LDXR inline. */
        uint32_t skip = jb_label(j);
        emit_slot(c);                            /* rcx = the slot of host rdi */
        x_mem(j, XW, 0x89, RDI, RCX, SLOT_OFF(excl_host)); /* the slot's last STXR word */
        x_mem(j, 0, 0x83, 7, RCX, SLOT_OFF(plain_stored)); /* cmp dword [plain_stored], 0 */
        jb_byte(j, 0);
        x_jcc(j, CC_E, skip);
        x_rr(j, XW, 0x89, RDI, RSI);             /* mov rsi, rdi (host) */
        x_mov_ri(j, RDI, (uint64_t)(uintptr_t)c->mon);
        call_abs(c, (const void *)monitor_release_solo);
        jb_bind(j, skip);
    }
    x_rr(j, 0, 0x31, RAX, RAX);                  /* xor eax, eax: status 0 */
    stt(c, op->dst, RAX);
}

/* Compiling thread. false: not handled here, nothing emitted. */
bool jit_emit_excl(Ctx *c, const IROp *op)
{
    if (!excl_inline_ok(c, op))
        return false;
    uint32_t si = add_stub(c, op);
    if (c->j.oom)
        return true;
    c->stubs[si].excl = op->opc == IR_LOAD_EXCL ? EXCL_STUB_LDXR : EXCL_STUB_STXR;
    if (op->opc == IR_LOAD_EXCL) {
        c->excl_pair = excl_pair(c, op);
        emit_ldxr(c, op, si, c->excl_pair != 0);
    } else {
        const bool eager = c->excl_pair == (uint32_t)(op - c->b->ops) + 1;
        c->excl_pair = 0;
        emit_stxr(c, op, si, eager);
    }
    jb_bind(&c->j, c->stubs[si].back);
    return true;
}

/* Compiling thread. The out-of-line code of an inline LDXR/STXR. Two
 * pushes keep the 16-byte stack alignment of the block's frame for the call. */
void jit_emit_excl_stub(Ctx *c, const Stub *s)
{
    JitBuf *j = &c->j;
    const IROp *op = s->op;
    jb_bind(j, s->slow);
    if (s->excl == EXCL_STUB_LDXR) {
        /* rdi = host, r8 = pa: the reservation in C, then back to the data
         * load with rax = the version, or (settling) the whole LDXR in C. */
        x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.excl_reserve)); /* inc qword: -stats */
        x_push(j, RDI);
        x_push(j, R8);
        x_rr(j, XW, 0x89, RDI, RSI);             /* mov rsi, rdi */
        x_rr(j, XW, 0x89, RBX, RDI);             /* mov rdi, rbx */
        call_abs(c, (const void *)atomic_reserve_host);
        jit_xc_reload(c, &s->xs, -1);            /* keeps rax */
        x_pop(j, R8);
        x_pop(j, RDI);
        ldt(c, RSI, op->a, true);
        x_alu_ri(j, XW, 7, RAX, (int32_t)ATOMIC_RESERVE_WAIT);
        x_jcc(j, CC_NE, s->resume);
    } else {
        /* rdx = waiters, rdi = host. */
        x_push(j, RDI);
        x_push(j, RDI);
        x_rr(j, XW, 0x89, RDX, RSI);             /* mov rsi, rdx */
        x_mov_ri(j, RDI, (uint64_t)(uintptr_t)c->mon);
        call_abs(c, (const void *)monitor_wake_waiters);
        jit_xc_reload(c, &s->xs, -1);
        x_pop(j, RDI);
        x_pop(j, RDI);
        x_jmp(j, s->resume);
    }
    jb_bind(j, s->call);
    stub_store_pc(c, s);
    x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.excl_slow)); /* inc qword: -stats */
    emit_interp_call(c, op);
    jit_xc_reload(c, &s->xs, -1);
    x_jmp(j, s->back);
}
