/* Tier 1: IR block -> x86-64 machine code (design in docs/jit.md).
 *
 * The generated function is `int fn(CPUState *cpu)`. RBX holds the CPUState
 * pointer for the whole block; every IR temp lives in a stack slot
 * [rsp + 8 * temp], laid out exactly like the interpreter's t[] array, so
 * that any op the backend does not generate inline is run by calling the
 * interpreter's own interp_exec_op(cpu, op, t) with t = rsp: each op's
 * meaning stays written once. Memory ops have an inline TLB hit path (tag
 * compare + addend, and for stores the exclusive monitor's armed-byte check)
 * and call interp_exec_op out of line on a miss.
 *
 * cpu->pc is written lazily: INSN_START only records the pc at compile time
 * and the store is emitted before the first op of the instruction that can
 * observe it (a helper call, a slow path, a fallback op). Terminals write
 * the pc themselves, as in the interpreter.
 *
 * Executable memory: 64 MiB RWX arenas, handed out in power-of-two chunks
 * with per-size free lists under one mutex (compiling is rare next to
 * running). Chunks come back through jit_code_free when their block is
 * freed (after the translation cache's RCU grace period). */
#include "jit_x86.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>

#include "../smp/machine.h"
#include "../sync/monitor.h"
#include "jit_emit.h"
#include "translate.h"

/* ------------------------------------------------------------------ */
/* executable memory                                                   */

#define CODE_ARENA (64u << 20)
#define CODE_MIN_SHIFT 6
#define CODE_MAX_SHIFT 24
#define CODE_CLASSES (CODE_MAX_SHIFT - CODE_MIN_SHIFT + 1)

typedef struct FreeChunk {
    struct FreeChunk *next;
} FreeChunk;

static pthread_mutex_t code_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *arena_cur, *arena_end;
static FreeChunk *free_list[CODE_CLASSES];

static _Atomic uint64_t st_compiled, st_failed, st_native, st_called, st_bytes;

static void *code_alloc(size_t len, uint32_t *out_size)
{
    unsigned c = 0;
    while (((size_t)1 << (c + CODE_MIN_SHIFT)) < len)
        c++;
    if (c >= CODE_CLASSES)
        return NULL;
    size_t sz = (size_t)1 << (c + CODE_MIN_SHIFT);
    void *p = NULL;
    pthread_mutex_lock(&code_lock);
    if (free_list[c]) {
        p = free_list[c];
        free_list[c] = free_list[c]->next;
    } else {
        if (!arena_cur || (size_t)(arena_end - arena_cur) < sz) {
            /* The tail of the old arena is abandoned: at most one chunk. */
            void *a = mmap(NULL, CODE_ARENA, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (a == MAP_FAILED) {
                pthread_mutex_unlock(&code_lock);
                return NULL;
            }
            arena_cur = a;
            arena_end = arena_cur + CODE_ARENA;
        }
        p = arena_cur;
        arena_cur += sz;
    }
    pthread_mutex_unlock(&code_lock);
    *out_size = (uint32_t)sz;
    atomic_fetch_add_explicit(&st_bytes, sz, memory_order_relaxed);
    return p;
}

void jit_code_free(void *code, uint32_t size)
{
    unsigned c = 0;
    while (((uint32_t)1 << (c + CODE_MIN_SHIFT)) < size)
        c++;
    pthread_mutex_lock(&code_lock);
    FreeChunk *f = code;
    f->next = free_list[c];
    free_list[c] = f;
    pthread_mutex_unlock(&code_lock);
    atomic_fetch_sub_explicit(&st_bytes, size, memory_order_relaxed);
}

void jit_get_stats(JitStats *s)
{
    s->blocks_compiled = atomic_load(&st_compiled);
    s->blocks_failed = atomic_load(&st_failed);
    s->ops_native = atomic_load(&st_native);
    s->ops_called = atomic_load(&st_called);
    s->code_bytes = atomic_load(&st_bytes);
}

/* ------------------------------------------------------------------ */
/* compiler                                                            */

#define CPU_OFF(field) ((int32_t)offsetof(CPUState, field))
#define T(t) ((int32_t)(t) * 8)
#define TLB_ROW ((int32_t)(TLB_SIZE * sizeof(TLBEntry)))

/* An out-of-line slow path: run op through the interpreter, then resume. */
typedef struct Stub {
    uint32_t slow, back;
    const IROp *op;
    bool store_pc;
    uint64_t pc;
} Stub;

typedef struct Ctx {
    JitBuf j;
    const IRBlock *b;
    uint32_t tb_flags;
    uint32_t l_epi, l_exc;
    bool have_pc, pc_synced;
    uint64_t cur_pc;
    Stub *stubs;
    uint32_t nstubs, capstubs;
    const Monitor *mon;
    uint64_t native, called;
    /* Tiny value tracking (temps are written once): constants, and which
     * temp RAX still holds after the previous op stored it. */
    uint8_t *is_const;
    uint64_t *cval;
    IRTemp rax_temp, rax_prev;
} Ctx;

static void ld64(JitBuf *j, int reg, int base, int32_t disp) { x_mem(j, XW, 0x8b, reg, base, disp); }
static void ld32(JitBuf *j, int reg, int base, int32_t disp) { x_mem(j, 0, 0x8b, reg, base, disp); }
static void st64(JitBuf *j, int base, int32_t disp, int reg) { x_mem(j, XW, 0x89, reg, base, disp); }
static void st32(JitBuf *j, int base, int32_t disp, int reg) { x_mem(j, 0, 0x89, reg, base, disp); }
static void ldt(JitBuf *j, int reg, IRTemp t, bool w64) { x_mem(j, w64 ? XW : 0, 0x8b, reg, RSP, T(t)); }

/* rax = t (64-bit, or zero-extended low half when !w64 and zext). Skips the
 * load when the previous op left t in rax. */
static void ld_rax(Ctx *c, IRTemp t, bool w64, bool zext)
{
    if (c->rax_prev == t) {
        if (!w64 && zext)
            x_rr(&c->j, 0, 0x89, RAX, RAX);      /* mov eax, eax */
        return;
    }
    ldt(&c->j, RAX, t, w64);
}

/* The op stored rax to its dst: the next op may reuse it. */
static void st_dst(Ctx *c, IRTemp dst)
{
    st64(&c->j, RSP, T(dst), RAX);
    c->rax_temp = dst;
}

static bool const_s32(const Ctx *c, IRTemp t, bool w64, int32_t *v)
{
    if (!c->is_const[t])
        return false;
    uint64_t x = c->cval[t];
    if (!w64) {
        *v = (int32_t)(uint32_t)x; /* a 32-bit op only sees the low half */
        return true;
    }
    if ((int64_t)x != (int64_t)(int32_t)x)
        return false;
    *v = (int32_t)x;
    return true;
}

static void call_abs(JitBuf *j, const void *fn)
{
    x_mov_ri(j, RAX, (uint64_t)(uintptr_t)fn);
    x_rr(j, 0, 0xff, 2, RAX); /* call rax */
}

/* Make cpu->pc what the interpreter would have before an op that may read it. */
static void sync_pc(Ctx *c)
{
    if (c->have_pc && !c->pc_synced) {
        x_mov_ri(&c->j, RAX, c->cur_pc);
        st64(&c->j, RBX, CPU_OFF(pc), RAX);
        c->pc_synced = true;
    }
}

/* Run op through interp_exec_op; leave the block if it says so. */
static void emit_interp_call(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    x_rr(j, XW, 0x89, RBX, RDI);                       /* mov rdi, rbx */
    x_mov_ri(j, RSI, (uint64_t)(uintptr_t)op);
    x_rr(j, XW, 0x89, RSP, RDX);                       /* mov rdx, rsp (t[]) */
    call_abs(j, (const void *)interp_exec_op);
    x_alu_ri(j, 0, 7, RAX, -1);                        /* cmp eax, -1 */
    x_jcc(j, CC_NE, c->l_epi);
}

static void emit_fallback(Ctx *c, const IROp *op)
{
    sync_pc(c);
    emit_interp_call(c, op);
    c->called++;
}

static uint32_t add_stub(Ctx *c, const IROp *op)
{
    c->stubs = jb_grow(c->stubs, &c->capstubs, sizeof(Stub), c->nstubs + 1, &c->j.oom);
    if (c->j.oom)
        return 0;
    Stub *s = &c->stubs[c->nstubs++];
    s->slow = jb_label(&c->j);
    s->back = jb_label(&c->j);
    s->op = op;
    s->store_pc = c->have_pc && !c->pc_synced;
    s->pc = c->cur_pc;
    return c->nstubs - 1;
}

/* Flags of an add/sub family op into cpu->nzcv. ecx, edx, esi, edi were
 * zeroed before the arithmetic; `sub`: Arm C is NOT borrow. */
static void emit_nzcv_from_flags(JitBuf *j, bool sub)
{
    x_rr(j, XB8, 0x0f90 | CC_S, 0, RCX);
    x_rr(j, XB8, 0x0f90 | CC_E, 0, RDX);
    x_rr(j, XB8, 0x0f90 | (sub ? CC_AE : CC_B), 0, RSI);
    x_rr(j, XB8, 0x0f90 | CC_O, 0, RDI);
}

static void emit_nzcv_pack(JitBuf *j)
{
    x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = z + 2n */
    x_mem_sib(j, 0, 0x8d, RCX, RSI, RCX, 2, 0); /* + c */
    x_mem_sib(j, 0, 0x8d, RCX, RDI, RCX, 2, 0); /* + v */
    x_shift_ri(j, 0, 4, RCX, 28);
    st32(j, RBX, CPU_OFF(nzcv), RCX);
}

/* CF = PSTATE.C (bt [cpu->nzcv], 29). */
static void emit_load_carry(JitBuf *j)
{
    x_mem(j, 0, 0x0fba, 4, RBX, CPU_OFF(nzcv));
    jb_byte(j, 29);
}

/* Compiling thread. edx = the TLB slot's byte offset in its row,
 * (va >> 12 & 255) << 6, from va in rsi. Returns the offset in CPUState of
 * the regime's row: the regime is fixed at translation time, since the EL
 * and PSTATE.PAN are translation flags (cpu_tb_flags), and picked as
 * cpu_mmu_idx does. */
_Static_assert(TLB_PAGE_BITS + TLB_BITS <= 32 && TLB_PAGE_BITS >= TLB_ENTRY_BITS, "the slot is in esi, shifted right");
static int32_t emit_tlb_entry(Ctx *c)
{
    JitBuf *j = &c->j;
    int idx = (c->tb_flags & TBF_EL_MASK) == 0 ? MMU_IDX_EL0
              : (c->tb_flags & TBF_PAN)       ? MMU_IDX_EL1_PAN
                                              : MMU_IDX_EL1;
    x_rr(j, 0, 0x89, RSI, RDX);                  /* mov edx, esi */
    x_shift_ri(j, 0, 5, RDX, TLB_PAGE_BITS - TLB_ENTRY_BITS);
    x_alu_ri(j, 0, 4, RDX, (int32_t)((TLB_SIZE - 1) << TLB_ENTRY_BITS));
    return CPU_OFF(tlb) + idx * TLB_ROW;
}

static void emit_mem(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const bool store = op->opc == IR_STORE;
    const int sz = op->size;
    uint32_t si = add_stub(c, op);
    if (j->oom)
        return;
    ldt(j, RSI, op->a, true);                    /* rsi = va */
    int32_t ebase = emit_tlb_entry(c);           /* entry: [rbx + rdx + ebase] */
    /* Tag compare on the page of the last byte: a page-crossing access
     * misses (the entry at the first byte's slot cannot hold the next page). */
    x_mem(j, XW, 0x8d, RCX, RSI, sz - 1);        /* lea rcx, [rsi + size - 1] */
    x_alu_ri(j, XW, 4, RCX, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 1,
              ebase + (int32_t)(store ? offsetof(TLBEntry, tag_write) : offsetof(TLBEntry, tag_read)));
    x_jcc(j, CC_NE, c->stubs[si].slow);
    x_mem_sib(j, XW, 0x8b, RAX, RBX, RDX, 1, ebase + (int32_t)offsetof(TLBEntry, addend)); /* host = rax + rsi */
    if (!store) {
        bool sx = op->flags & IRF_SIGNED;
        switch (sz) {
        case 1: x_mem_sib(j, sx ? XW : 0, sx ? 0x0fbe : 0x0fb6, RAX, RAX, RSI, 1, 0); break;
        case 2: x_mem_sib(j, sx ? XW : 0, sx ? 0x0fbf : 0x0fb7, RAX, RAX, RSI, 1, 0); break;
        case 4: x_mem_sib(j, sx ? XW : 0, sx ? 0x63 : 0x8b, RAX, RAX, RSI, 1, 0); break;
        default: x_mem_sib(j, XW, 0x8b, RAX, RAX, RSI, 1, 0); break;
        }
        if (sx && op->aux == 4)
            x_rr(j, 0, 0x89, RAX, RAX);          /* mov eax, eax */
        st64(j, RSP, T(op->dst), RAX);
    } else {
        if (c->mon) {
            /* monitor_guest_store: an armed granule takes the locked path. */
            x_mov_ri(j, RDX, (uint64_t)(uintptr_t)c->mon->armed);
            for (int k = 0; k < (sz > 1 ? 2 : 1); k++) {
                x_mem_sib(j, XW, 0x8d, RCX, RAX, RSI, 1, k ? sz - 1 : 0); /* lea rcx, [host + k*(size-1)] */
                x_shift_ri(j, XW, 5, RCX, MON_GRANULE_SHIFT);
                x_alu_ri(j, 0, 4, RCX, (int32_t)c->mon->mask);
                x_mem_sib(j, 0, 0x80, 7, RDX, RCX, 1, 0); /* cmp byte [rdx + rcx], 0 */
                jb_byte(j, 0);
                x_jcc(j, CC_NE, c->stubs[si].slow);
            }
        }
        ldt(j, RCX, op->b, true);
        switch (sz) {
        case 1: x_mem_sib(j, XB8, 0x88, RCX, RAX, RSI, 1, 0); break;
        case 2: x_mem_sib(j, X66, 0x89, RCX, RAX, RSI, 1, 0); break;
        case 4: x_mem_sib(j, 0, 0x89, RCX, RAX, RSI, 1, 0); break;
        default: x_mem_sib(j, XW, 0x89, RCX, RAX, RSI, 1, 0); break;
        }
    }
    jb_bind(j, c->stubs[si].back);
}

static void emit_stubs(Ctx *c)
{
    JitBuf *j = &c->j;
    for (uint32_t i = 0; i < c->nstubs; i++) {
        const Stub *s = &c->stubs[i];
        jb_bind(j, s->slow);
        if (s->store_pc) {
            x_mov_ri(j, RAX, s->pc);
            st64(j, RBX, CPU_OFF(pc), RAX);
        }
        emit_interp_call(c, s->op);
        x_jmp(j, s->back);
    }
}

static bool alu_size_ok(int sz) { return sz == 4 || sz == 8; }

/* Emit one op. Returns false if the block cannot be compiled. */
static bool emit_op(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const int sz = op->size;
    const unsigned W = sz == 8 ? XW : 0;
    const bool w64 = sz == 8;
    c->rax_prev = c->rax_temp;
    c->rax_temp = IR_NO_TEMP;
    int32_t k32;
    switch (op->opc) {
    case IR_NOP:
        c->rax_temp = c->rax_prev;
        return true;
    case IR_INSN_START:
        c->rax_temp = c->rax_prev; /* no code */
        c->have_pc = true;
        c->pc_synced = false;
        c->cur_pc = op->imm;
        return true;
    case IR_CONST:
        c->is_const[op->dst] = 1;
        c->cval[op->dst] = op->imm;
        if ((int64_t)op->imm == (int64_t)(int32_t)op->imm) {
            x_mem(j, XW, 0xc7, 0, RSP, T(op->dst)); /* mov qword [t], simm32 */
            jb_u32(j, (uint32_t)op->imm);
        } else {
            x_mov_ri(j, RAX, op->imm);
            st_dst(c, op->dst);
        }
        break;
    case IR_MOV:
        ld_rax(c, op->a, sz != 4, true);
        st_dst(c, op->dst);
        break;
    case IR_GET_REG:
        if (op->imm >= 32)
            goto fallback;
        ld64(j, RAX, RBX, CPU_OFF(x) + 8 * (int32_t)op->imm);
        st_dst(c, op->dst);
        break;
    case IR_SET_REG:
        if (op->imm >= 32)
            goto fallback;
        ld_rax(c, op->a, true, false);
        st64(j, RBX, CPU_OFF(x) + 8 * (int32_t)op->imm, RAX);
        c->rax_temp = op->a;
        break;
    case IR_GET_VREG:
        if (op->imm >= 64)
            goto fallback;
        ld64(j, RAX, RBX, CPU_OFF(v) + 8 * (int32_t)op->imm);
        st_dst(c, op->dst);
        break;
    case IR_SET_VREG:
        if (op->imm >= 64)
            goto fallback;
        ld_rax(c, op->a, true, false);
        st64(j, RBX, CPU_OFF(v) + 8 * (int32_t)op->imm, RAX);
        c->rax_temp = op->a;
        break;
    case IR_GET_NZCV:
        ld32(j, RAX, RBX, CPU_OFF(nzcv));
        st_dst(c, op->dst);
        break;
    case IR_SET_NZCV:
        ld_rax(c, op->a, false, false);
        x_alu_ri(j, 0, 4, RAX, (int32_t)0xf0000000u);
        st32(j, RBX, CPU_OFF(nzcv), RAX);
        break;
    case IR_ADD: case IR_SUB: case IR_AND: case IR_OR: case IR_XOR: case IR_MUL: {
        if (!alu_size_ok(sz))
            goto fallback;
        uint32_t opc = op->opc == IR_ADD ? 0x03 : op->opc == IR_SUB ? 0x2b : op->opc == IR_AND ? 0x23
                     : op->opc == IR_OR ? 0x0b : op->opc == IR_XOR ? 0x33 : 0x0faf;
        int ext = op->opc == IR_ADD ? 0 : op->opc == IR_SUB ? 5 : op->opc == IR_AND ? 4
                : op->opc == IR_OR ? 1 : op->opc == IR_XOR ? 6 : -1;
        ld_rax(c, op->a, w64, false);
        if (const_s32(c, op->b, w64, &k32)) {
            if (ext >= 0) {
                x_alu_ri(j, W, ext, RAX, k32);
            } else {
                x_rr(j, W, 0x69, RAX, RAX);      /* imul rax, rax, imm32 */
                jb_u32(j, (uint32_t)k32);
            }
        } else {
            x_mem(j, W, opc, RAX, RSP, T(op->b));
        }
        st_dst(c, op->dst);
        break;
    }
    case IR_ANDN: case IR_ORN: case IR_XORN: {
        if (!alu_size_ok(sz))
            goto fallback;
        uint32_t opc = op->opc == IR_ANDN ? 0x21 : op->opc == IR_ORN ? 0x09 : 0x31;
        ldt(j, RCX, op->b, w64);
        x_rr(j, W, 0xf7, 2, RCX);                /* not rcx */
        ld_rax(c, op->a, w64, false);
        x_rr(j, W, opc, RCX, RAX);               /* op rax, rcx */
        st_dst(c, op->dst);
        break;
    }
    case IR_NOT: case IR_NEG:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        x_rr(j, W, 0xf7, op->opc == IR_NOT ? 2 : 3, RAX);
        st_dst(c, op->dst);
        break;
    case IR_SHL: case IR_SHR: case IR_SAR: case IR_ROR: {
        if (!alu_size_ok(sz))
            goto fallback;
        /* x86 masks the count to 5/6 bits, as the IR's "modulo width". */
        int ext = op->opc == IR_SHL ? 4 : op->opc == IR_SHR ? 5 : op->opc == IR_SAR ? 7 : 1;
        if (c->is_const[op->b]) {
            uint8_t n = (uint8_t)(c->cval[op->b] & (w64 ? 63 : 31));
            ld_rax(c, op->a, w64, true);
            if (n)
                x_shift_ri(j, W, ext, RAX, n);
            else if (!w64)
                x_rr(j, 0, 0x89, RAX, RAX);      /* count 0: just the truncation */
        } else {
            ldt(j, RCX, op->b, false);
            ld_rax(c, op->a, w64, false);
            x_rr(j, W, 0xd3, ext, RAX);
        }
        st_dst(c, op->dst);
        break;
    }
    case IR_UMULH: case IR_SMULH:
        ld_rax(c, op->a, true, false);
        x_mem(j, XW, 0xf7, op->opc == IR_UMULH ? 4 : 5, RSP, T(op->b)); /* (i)mul qword [b] */
        st64(j, RSP, T(op->dst), RDX);
        break;
    case IR_REV:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        jb_prefix(j, W, 0, 0, RAX, false);
        jb_byte(j, 0x0f);
        jb_byte(j, 0xc8 + RAX);                  /* bswap */
        st_dst(c, op->dst);
        break;
    case IR_SEXT:
        if (!alu_size_ok(sz) || op->imm == 0)
            goto fallback;
        ld_rax(c, op->a, true, false);
        if (op->imm < 64) {
            x_shift_ri(j, XW, 4, RAX, (uint8_t)(64 - op->imm));
            x_shift_ri(j, XW, 7, RAX, (uint8_t)(64 - op->imm));
        }
        if (sz == 4)
            x_rr(j, 0, 0x89, RAX, RAX);
        st_dst(c, op->dst);
        break;
    case IR_ZEXT:
        if (op->imm >= 64) {
            ld_rax(c, op->a, true, false);
        } else if (op->imm == 32) {
            ld_rax(c, op->a, false, true);
        } else if (op->imm < 32) {
            ld_rax(c, op->a, false, false);
            x_rr(j, 0, 0x81, 4, RAX);            /* and eax, mask */
            jb_u32(j, (uint32_t)((1ull << op->imm) - 1));
        } else {
            ld_rax(c, op->a, true, false);
            x_mov_ri(j, RCX, (1ull << op->imm) - 1);
            x_rr(j, XW, 0x21, RCX, RAX);
        }
        st_dst(c, op->dst);
        break;
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC_FLAGS: case IR_SBC_FLAGS: {
        if (!alu_size_ok(sz))
            goto fallback;
        bool sub = op->opc == IR_SUB_FLAGS || op->opc == IR_SBC_FLAGS;
        x_rr(j, 0, 0x31, RCX, RCX);
        x_rr(j, 0, 0x31, RDX, RDX);
        x_rr(j, 0, 0x31, RSI, RSI);
        x_rr(j, 0, 0x31, RDI, RDI);
        ld_rax(c, op->a, w64, false);
        uint32_t opc = 0x03;
        if (op->opc == IR_SUB_FLAGS)
            opc = 0x2b;
        if (op->opc == IR_ADC_FLAGS) {
            emit_load_carry(j);
            opc = 0x13;                          /* adc */
        } else if (op->opc == IR_SBC_FLAGS) {
            emit_load_carry(j);
            jb_byte(j, 0xf5);                    /* cmc: borrow = !C */
            opc = 0x1b;                          /* sbb */
        }
        x_mem(j, W, opc, RAX, RSP, T(op->b));
        emit_nzcv_from_flags(j, sub);
        st_dst(c, op->dst);
        emit_nzcv_pack(j);
        break;
    }
    case IR_ADC: case IR_SBC:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        emit_load_carry(j);
        if (op->opc == IR_SBC)
            jb_byte(j, 0xf5);
        x_mem(j, W, op->opc == IR_ADC ? 0x13 : 0x1b, RAX, RSP, T(op->b));
        st_dst(c, op->dst);
        break;
    case IR_LOGIC_FLAGS:
        if (!alu_size_ok(sz))
            goto fallback;
        x_rr(j, 0, 0x31, RCX, RCX);
        x_rr(j, 0, 0x31, RDX, RDX);
        ld_rax(c, op->a, w64, false);
        x_rr(j, W, 0x85, RAX, RAX);              /* test */
        x_rr(j, XB8, 0x0f90 | CC_S, 0, RCX);
        x_rr(j, XB8, 0x0f90 | CC_E, 0, RDX);
        x_shift_ri(j, 0, 4, RCX, 31);
        x_shift_ri(j, 0, 4, RDX, 30);
        x_rr(j, 0, 0x09, RDX, RCX);              /* or ecx, edx */
        st32(j, RBX, CPU_OFF(nzcv), RCX);
        break;
    case IR_COND: {
        /* Truth table of cond_holds over the 16 NZCV values: the same
         * function the interpreter calls decides every entry. */
        uint32_t tbl = 0;
        for (uint32_t f = 0; f < 16; f++)
            if (cond_holds(f << 28, (int)op->imm))
                tbl |= 1u << f;
        ld32(j, RAX, RBX, CPU_OFF(nzcv));
        x_shift_ri(j, 0, 5, RAX, 28);
        x_mov_ri(j, RCX, tbl);
        x_rr(j, 0, 0x31, RDX, RDX);
        x_rr(j, 0, 0x0fa3, RAX, RCX);            /* bt ecx, eax */
        x_rr(j, XB8, 0x0f90 | CC_B, 0, RDX);     /* setc dl */
        st64(j, RSP, T(op->dst), RDX);
        break;
    }
    case IR_CMP_EQ: case IR_CMP_NE:
        if (!alu_size_ok(sz))
            goto fallback;
        x_rr(j, 0, 0x31, RCX, RCX);
        ld_rax(c, op->a, w64, false);
        x_mem(j, W, 0x3b, RAX, RSP, T(op->b));
        x_rr(j, XB8, 0x0f90 | (op->opc == IR_CMP_EQ ? CC_E : CC_NE), 0, RCX);
        st64(j, RSP, T(op->dst), RCX);
        break;
    case IR_SELECT:
        ldt(j, RAX, op->c, true);
        ldt(j, RCX, op->b, true);
        x_mem(j, XW, 0x83, 7, RSP, T(op->a));    /* cmp qword [a], 0 */
        jb_byte(j, 0);
        x_rr(j, XW, 0x0f45, RAX, RCX);           /* cmovne rax, rcx */
        st_dst(c, op->dst);
        break;
    case IR_LOAD: case IR_STORE:
        /* Acquire/release and unprivileged accesses: the interpreter's path. */
        if ((op->flags & ~IRF_SIGNED) || (sz != 1 && sz != 2 && sz != 4 && sz != 8))
            goto fallback;
        if (op->opc == IR_STORE && c->mon && c->mon->mask > 0x7fffffffu)
            goto fallback;
        emit_mem(c, op);
        break;
    case IR_CHECK_ALIGN: {
        /* Misaligned: the interpreter's code raises, out of line. */
        if ((int64_t)op->imm != (int64_t)(int32_t)op->imm)
            goto fallback;
        uint32_t si = add_stub(c, op);
        if (j->oom)
            return false;
        ld_rax(c, op->a, true, false);
        x_rr(j, XW, 0xf7, 0, RAX);               /* test rax, simm32 */
        jb_u32(j, (uint32_t)op->imm);
        x_jcc(j, CC_NE, c->stubs[si].slow);
        jb_bind(j, c->stubs[si].back);
        break;
    }
    case IR_FENCE:
        if (op->imm == IR_FENCE_FULL) {
            jb_byte(j, 0x0f);
            jb_byte(j, 0xae);
            jb_byte(j, 0xf0);                    /* mfence */
        }
        break;
    case IR_CALL:
        if (op->aux >= HELPER_NUM)
            goto fallback;
        sync_pc(c);
        ldt(j, RSI, op->a, true);
        ldt(j, RDX, op->b, true);
        ldt(j, RCX, op->c, true);
        x_mov_ri(j, R8, op->imm);
        x_rr(j, XW, 0x89, RBX, RDI);
        call_abs(j, (const void *)helper_table[op->aux]);
        st_dst(c, op->dst);
        if (op->flags & IRF_EXCEPT) {
            x_mem(j, 0, 0x80, 7, RBX, CPU_OFF(exc_pending)); /* cmp byte [exc_pending], 0 */
            jb_byte(j, 0);
            x_jcc(j, CC_NE, c->l_exc);
        }
        break;
    case IR_BRCOND: {
        uint32_t skip = jb_label(j);
        x_mem(j, XW, 0x83, 7, RSP, T(op->a));
        jb_byte(j, 0);
        x_jcc(j, CC_E, skip);
        x_mov_ri(j, RAX, op->imm);
        st64(j, RBX, CPU_OFF(pc), RAX);
        x_mov_ri(j, RAX, BX_SLOT0);
        x_jmp(j, c->l_epi);
        jb_bind(j, skip);
        break;
    }
    case IR_GOTO:
        x_mov_ri(j, RAX, op->imm);
        st64(j, RBX, CPU_OFF(pc), RAX);
        x_mov_ri(j, RAX, op->aux ? BX_SLOT1 : BX_SLOT0);
        x_jmp(j, c->l_epi);
        break;
    case IR_JUMP:
        ld_rax(c, op->a, true, false);
        st64(j, RBX, CPU_OFF(pc), RAX);
        x_mov_ri(j, RAX, BX_JUMP);
        x_jmp(j, c->l_epi);
        break;
    case IR_EXIT:
        x_mov_ri(j, RAX, op->imm);
        st64(j, RBX, CPU_OFF(pc), RAX);
        x_mov_ri(j, RAX, BX_EXIT);
        x_jmp(j, c->l_epi);
        break;
    default:
        /* UDIV, SDIV, CLZ, CLS, RBIT, REV16, REV32, exclusives, atomics,
         * RAISE: rare or long; the interpreter's code runs them. */
        goto fallback;
    }
    c->native++;
    return true;
fallback:
    emit_fallback(c, op);
    if (ir_op_info[op->opc].kind == IRK_TERM) {
        /* A terminal always leaves: interp_exec_op returned its exit. */
        x_jmp(j, c->l_epi);
    }
    return true;
}

/* Every temp an op reads or writes is in range (the interpreter's t[]). */
static const char *check_block(const IRBlock *b)
{
    if (b->nops == 0 || !ir_block_terminated(b))
        return "no terminal";
    if (b->ntemps > IR_MAX_TEMPS)
        return "too many temps";
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        if (op->opc >= IR_NUM_OPS)
            return "bad opcode";
        const IROpInfo *inf = &ir_op_info[op->opc];
        IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < inf->nin; k++)
            if (in[k] >= b->ntemps)
                return "input temp out of range";
        if (inf->has_dst && op->dst >= b->ntemps)
            return "dst temp out of range";
    }
    return NULL;
}

/* Debug aid: FLOTILLA_JIT_DUMP=DIR writes each block's code to
 * DIR/<pc>.bin (objdump -D -b binary -mi386:x86-64 FILE). */
static void dump_code(const IRBlock *b, const uint8_t *p, size_t len)
{
    const char *dir = getenv("FLOTILLA_JIT_DUMP");
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof(path), "%s/%016llx.bin", dir, (unsigned long long)b->pc);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, len, f);
        fclose(f);
    }
}

static bool compile(CPUState *cpu, IRBlock *b, uint32_t tb_flags, const char **why)
{
    *why = check_block(b);
    if (*why)
        return false;
    Ctx c;
    memset(&c, 0, sizeof(c));
    c.b = b;
    c.tb_flags = tb_flags;
    c.mon = cpu->machine ? cpu->machine->monitor : NULL;
    c.rax_temp = c.rax_prev = IR_NO_TEMP;
    c.is_const = calloc(b->ntemps ? b->ntemps : 1, 1);
    c.cval = calloc(b->ntemps ? b->ntemps : 1, sizeof(uint64_t));
    if (!c.is_const || !c.cval) {
        free(c.is_const);
        free(c.cval);
        *why = "out of memory";
        return false;
    }
    JitBuf *j = &c.j;
    c.l_epi = jb_label(j);
    c.l_exc = jb_label(j);
    uint32_t frame = ((b->ntemps ? b->ntemps : 1) * 8 + 15) & ~15u;

    /* Prologue: after push rbx the stack is 16-byte aligned; frame keeps it. */
    jb_byte(j, 0x53);                            /* push rbx */
    x_rr(j, XW, 0x89, RDI, RBX);                 /* mov rbx, rdi */
    x_rr(j, XW, 0x81, 5, RSP);                   /* sub rsp, frame */
    jb_u32(j, frame);
    for (uint32_t i = 0; i < b->nops && !j->oom; i++)
        if (!emit_op(&c, &b->ops[i]))
            break;
    jb_bind(j, c.l_exc);
    x_mov_ri(j, RAX, BX_EXCEPTION);
    jb_bind(j, c.l_epi);
    x_rr(j, XW, 0x81, 0, RSP);                   /* add rsp, frame */
    jb_u32(j, frame);
    jb_byte(j, 0x5b);                            /* pop rbx */
    jb_byte(j, 0xc3);                            /* ret */
    emit_stubs(&c);

    bool ok = false;
    if (!jb_resolve(j)) {
        *why = "out of memory or unbound label";
    } else {
        uint32_t size;
        void *code = code_alloc(j->len, &size);
        if (!code) {
            *why = "code buffer full";
        } else {
            memcpy(code, j->p, j->len);
            dump_code(b, j->p, j->len);
            perfmap_add(cpu->machine, code, j->len, b->pc, tb_flags);
            b->native = code;
            b->native_size = size;
            atomic_fetch_add_explicit(&st_native, c.native, memory_order_relaxed);
            atomic_fetch_add_explicit(&st_called, c.called, memory_order_relaxed);
            ok = true;
        }
    }
    free(c.stubs);
    free(c.is_const);
    free(c.cval);
    jb_free(j);
    return ok;
}

bool jit_compile(CPUState *cpu, IRBlock *b, uint32_t tb_flags)
{
    const char *why = NULL;
    if (b->native) {
        jit_code_free(b->native, b->native_size);
        b->native = NULL;
    }
    if (compile(cpu, b, tb_flags, &why)) {
        atomic_fetch_add_explicit(&st_compiled, 1, memory_order_relaxed);
        return true;
    }
    atomic_fetch_add_explicit(&st_failed, 1, memory_order_relaxed);
    if (cpu->machine && machine_tracing(cpu->machine, TRACE_UNIMP))
        machine_log(cpu->machine, "jit: block at 0x%llx left to the interpreter: %s\n",
                    (unsigned long long)b->pc, why);
    return false;
}
