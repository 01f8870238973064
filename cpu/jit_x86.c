/* Tier 1: IR block -> x86-64 machine code (design in docs/jit.md).
 *
 * The generated function is `int fn(CPUState *cpu)`. RBX holds the CPUState
 * pointer for the whole block; every IR temp lives in a stack slot
 * [rsp + 8 * temp], laid out exactly like the interpreter's t[] array, so
 * that any op the backend does not generate inline is run by calling the
 * interpreter's own interp_exec_op(cpu, op, t) with t = rsp: each op's
 * meaning stays written once. Memory ops have an inline TLB hit path (tag
 * compare + addend, and for stores the exclusive monitor's armed-byte check);
 * on a TLB miss an out-of-line stub refills L1 (tlb_refill) and resumes the
 * inline access, or calls interp_exec_op.
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

#include <cpuid.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>

#include "../smp/machine.h"
#include "../sync/monitor.h"
#include "jit_emit.h"
#include "jit_simd_x86.h"
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
static _Atomic uint64_t st_called_opc[IR_NUM_OPS];

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
    for (int i = 0; i < IR_NUM_OPS; i++)
        s->ops_called_by_opc[i] = atomic_load_explicit(&st_called_opc[i], memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* compiler                                                            */

#define CPU_OFF(field) ((int32_t)offsetof(CPUState, field))
#define T(t) ((int32_t)(t) * 8)
#define TLB_ROW ((int32_t)(TLB_SIZE * sizeof(TLBEntry)))

/* Every block runs in one fixed frame that flotilla_jit_enter sets up, so
 * blocks can jump into each other: IR_MAX_TEMPS slots (temps are per block;
 * a block never reads a slot it has not written). */
#define JIT_FRAME (IR_MAX_TEMPS * 8)
_Static_assert(JIT_FRAME % 16 == 0, "calls from generated code need a 16-byte aligned stack");
_Static_assert(sizeof(JCEntry) == 32, "generated code scales the jump-cache index by a shift");

/* int flotilla_jit_enter(CPUState *cpu, const void *code): the one way into
 * generated code. Saves RBX and the registers that hold temps (RBP, R12-R15),
 * points RBX at the CPUState, makes the frame (8 more bytes keep calls
 * 16-byte aligned after six pushes) and jumps; every block's epilogue undoes
 * exactly this and returns. */
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
        "    sub $" "65544" ", %rsp\n"
        "    jmp *%rsi\n"
        ".size flotilla_jit_enter, .-flotilla_jit_enter\n");
_Static_assert(JIT_FRAME == 65536, "keep the constant in flotilla_jit_enter in step");

/* An out-of-line slow path: run op through the interpreter, then resume
 * at `back`. A LOAD/STORE stub with `refill` enters at `slow` on a TLB miss
 * (tlb_refill, then the inline access resumes at `resume`) and at `call`
 * when only interp_exec_op can do it (misaligned, armed granule). */
typedef struct Stub {
    uint32_t slow, back, call, resume;
    const IROp *op;
    bool store_pc, refill;
    uint64_t pc;
} Stub;

/* A direct-branch exit (BRCOND taken, GOTO): optionally a jump-cache probe
 * (target in another page, or the slot's patch site already taken), then
 * the stub that returns BX_SLOT0/1 to the dispatcher. */
typedef struct SlotExit {
    uint32_t label, stub;
    uint64_t target;
    int slot;
    bool probe;
} SlotExit;

enum { CONST_IN_SLOT = 1, CONST_LAZY = 2 };

typedef struct Ctx {
    JitBuf j;
    SlotExit *exits;
    uint32_t nexits, capexits;
    uint32_t l_stop, l_stop_budget;
    bool site_used[2];
    uint32_t site_pos[2], site_stub[2];
    uint64_t site_pc[2];
    const IRBlock *b;
    uint32_t tb_flags;
    uint32_t l_epi, l_exc;
    bool have_pc, pc_synced;
    uint64_t cur_pc;
    Stub *stubs;
    uint32_t nstubs, capstubs;
    const Monitor *mon;
    uint64_t native, called;
    uint32_t called_opc[IR_NUM_OPS];
    /* Tiny value tracking (temps are written once): constants (CONST_*), and
     * which temp RAX still holds after the previous op stored it. */
    uint8_t *is_const;
    uint64_t *cval;
    IRTemp rax_temp, rax_prev;
    /* Host register of each temp (alloc_regs), -1: its stack slot. */
    int8_t *treg;
    /* Flags plan (plan_flags, made at the first flag setter): FP_* per op. */
    bool flags_planned;
    uint8_t fplan[IR_MAX_OPS];
} Ctx;

static void ld64(JitBuf *j, int reg, int base, int32_t disp) { x_mem(j, XW, 0x8b, reg, base, disp); }
static void ld32(JitBuf *j, int reg, int base, int32_t disp) { x_mem(j, 0, 0x8b, reg, base, disp); }
static void st64(JitBuf *j, int base, int32_t disp, int reg) { x_mem(j, XW, 0x89, reg, base, disp); }
static void st32(JitBuf *j, int base, int32_t disp, int reg) { x_mem(j, 0, 0x89, reg, base, disp); }

/* ---- temps: in a host register (alloc_regs) or in their stack slot ---- */

/* reg = t (64-bit, or the zero-extended low half when !w64). A constant is
 * an immediate; its slot stays valid too (CONST stores it). */
static void ldt(Ctx *c, int reg, IRTemp t, bool w64)
{
    int r = c->treg[t];
    if (r >= 0) {
        if (r != reg || !w64)
            x_rr(&c->j, w64 ? XW : 0, 0x89, r, reg);
    } else if (c->is_const[t]) {
        x_mov_ri(&c->j, reg, w64 ? c->cval[t] : (uint32_t)c->cval[t]);
    } else {
        x_mem(&c->j, w64 ? XW : 0, 0x8b, reg, RSP, T(t));
    }
}

/* A CONST that fits in simm32 emits nothing: users take it as an immediate
 * (ldt, const_s32), and a user that needs it in memory writes the slot just
 * before (flags and registers untouched), every time: that code may be on a
 * path that runs without the others. */
static void const_to_slot(Ctx *c, IRTemp t)
{
    if (c->is_const[t] == CONST_LAZY) {
        x_mem(&c->j, XW, 0xc7, 0, RSP, T(t));    /* mov qword [t], simm32 */
        jb_u32(&c->j, (uint32_t)c->cval[t]);
    }
}

/* `opc regf, t`: the temp as the r/m operand (read). */
static void rmt(Ctx *c, unsigned W, uint32_t opc, int regf, IRTemp t)
{
    int r = c->treg[t];
    if (r >= 0) {
        x_rr(&c->j, W, opc, regf, r);
    } else {
        const_to_slot(c, t);
        x_mem(&c->j, W, opc, regf, RSP, T(t));
    }
}

/* t = reg (64-bit). */
static void stt(Ctx *c, IRTemp t, int reg)
{
    int r = c->treg[t];
    if (r >= 0) {
        if (r != reg)
            x_rr(&c->j, XW, 0x89, reg, r);
    } else {
        st64(&c->j, RSP, T(t), reg);
    }
}


/* Host registers for temps: callee-saved, so they survive helper and
 * interp_exec_op calls (flotilla_jit_enter saves them for the C caller). */
static const int temp_pool[] = {RBP, R12, R13, R14, R15};
#define NPOOL ((int)(sizeof(temp_pool) / sizeof(temp_pool[0])))

/* Linear scan over the block's temps (written once): a temp gets a free pool
 * register from its definition to its last use, else stays in its slot. An
 * op's inputs keep their registers through the op (an emitter may write the
 * result before it has read every input). CONST temps are immediates and
 * COND results may be written early by a fused flag setter: both stay in
 * slots. Compiling thread. */
static bool alloc_regs(Ctx *c)
{
    const IRBlock *b = c->b;
    uint32_t n = b->ntemps ? b->ntemps : 1;
    c->treg = malloc(n);
    uint32_t *last = calloc(n, sizeof(uint32_t)); /* index of the last use + 1; 0: never read */
    if (!c->treg || !last) {
        free(last);
        return false;
    }
    memset(c->treg, -1, n);
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        const IRTemp in[3] = {op->a, op->b, op->c};
        for (int k = 0; k < ir_op_info[op->opc].nin; k++)
            last[in[k]] = i + 1;
    }
    IRTemp holder[NPOOL];
    for (int k = 0; k < NPOOL; k++)
        holder[k] = IR_NO_TEMP;
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        for (int k = 0; k < NPOOL; k++)
            if (holder[k] != IR_NO_TEMP && last[holder[k]] <= i)
                holder[k] = IR_NO_TEMP;
        if (!ir_op_info[op->opc].has_dst || op->opc == IR_CONST || op->opc == IR_COND || last[op->dst] <= i + 1)
            continue;
        for (int k = 0; k < NPOOL; k++)
            if (holder[k] == IR_NO_TEMP) {
                holder[k] = op->dst;
                c->treg[op->dst] = (int8_t)temp_pool[k];
                break;
            }
    }
    free(last);
    return true;
}

/* rax = t (64-bit, or zero-extended low half when !w64 and zext). Skips the
 * load when the previous op left t in rax. */
static void ld_rax(Ctx *c, IRTemp t, bool w64, bool zext)
{
    if (c->rax_prev == t) {
        if (!w64 && zext)
            x_rr(&c->j, 0, 0x89, RAX, RAX);      /* mov eax, eax */
        return;
    }
    ldt(c, RAX, t, w64);
}

/* The op stored rax to its dst: the next op may reuse it. */
static void st_dst(Ctx *c, IRTemp dst)
{
    stt(c, dst, RAX);
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

/* Run op through interp_exec_op; leave the block if it says so. It reads
 * and writes temps in t[] (the slots): register-held inputs are stored to
 * their slots first, a register-held result is loaded back after. */
static void emit_interp_call(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const IROpInfo *inf = &ir_op_info[op->opc];
    const IRTemp in[3] = {op->a, op->b, op->c};
    for (int k = 0; k < inf->nin; k++) {
        if (c->treg[in[k]] >= 0)
            st64(j, RSP, T(in[k]), c->treg[in[k]]);
        const_to_slot(c, in[k]);
    }
    x_rr(j, XW, 0x89, RBX, RDI);                       /* mov rdi, rbx */
    x_mov_ri(j, RSI, (uint64_t)(uintptr_t)op);
    x_rr(j, XW, 0x89, RSP, RDX);                       /* mov rdx, rsp (t[]) */
    call_abs(j, (const void *)interp_exec_op);
    x_alu_ri(j, 0, 7, RAX, -1);                        /* cmp eax, -1 */
    x_jcc(j, CC_NE, c->l_epi);
    if (inf->has_dst && c->treg[op->dst] >= 0)
        ld64(j, c->treg[op->dst], RSP, T(op->dst));
}

static void emit_fallback(Ctx *c, const IROp *op)
{
    sync_pc(c);
    /* inc qword [rbx + stats.jit.fallback[opc]]: how often each fallback runs (-stats) */
    x_mem(&c->j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.fallback) + 8 * (int32_t)op->opc);
    emit_interp_call(c, op);
    c->called++;
    c->called_opc[op->opc]++;
}

static uint32_t add_stub(Ctx *c, const IROp *op)
{
    c->stubs = jb_grow(c->stubs, &c->capstubs, sizeof(Stub), c->nstubs + 1, &c->j.oom);
    if (c->j.oom)
        return 0;
    Stub *s = &c->stubs[c->nstubs++];
    s->slow = jb_label(&c->j);
    s->back = jb_label(&c->j);
    s->call = jb_label(&c->j);
    s->resume = jb_label(&c->j);
    s->refill = false;
    s->op = op;
    s->store_pc = c->have_pc && !c->pc_synced;
    s->pc = c->cur_pc;
    return c->nstubs - 1;
}

/* ---- flags ----
 * A flag setter leaves the x86 flags of its arithmetic; NZCV is packed from
 * them into cpu->nzcv unless no later op can read it (dead). A COND that
 * reads exactly one setter's flags and maps to one x86 condition code is
 * fused: its setcc is emitted right after the setter's arithmetic, into the
 * COND's dst slot (temps are written once), and the COND emits nothing. */

enum { FK_ADD, FK_SUB, FK_LOGIC };

/* fplan[] bits. COND: FP_FUSED | x86 cc, or FP_CONST | value. Setter: FP_DEAD. */
#define FP_FUSED 0x10
#define FP_CONST 0x20
#define FP_DEAD 0x40
#define FUSE_MAX 4 /* fused CONDs per setter: r8..r11 */

enum { NZ_READ = 1, NZ_WRITE = 2 };

/* How op uses NZCV as far as the plan is concerned. Pure ops never touch
 * it, even when run by interp_exec_op. An op that can fault reads it (the
 * exception saves it in SPSR), and so does every block exit. A helper may
 * read or write it. */
static unsigned nzcv_use(const IROp *op)
{
    switch (op->opc) {
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_LOGIC_FLAGS:
        return op->size == 4 || op->size == 8 ? NZ_WRITE : NZ_READ | NZ_WRITE; /* else interp_exec_op */
    case IR_SET_NZCV:
        return NZ_WRITE;
    case IR_ADC_FLAGS: case IR_SBC_FLAGS: case IR_CALL:
        return NZ_READ | NZ_WRITE;
    case IR_GET_NZCV: case IR_ADC: case IR_SBC: case IR_COND:
        return NZ_READ;
    default: {
        int k = ir_op_info[op->opc].kind;
        return k == IRK_MEM || k == IRK_EXIT || k == IRK_TERM || k == IRK_CALL ? NZ_READ : 0;
    }
    }
}

/* The setter kinds planned (and generated inline); -1 for any other op. */
static int flag_kind(const IROp *op)
{
    if (op->size != 4 && op->size != 8)
        return -1;
    switch (op->opc) {
    case IR_ADD_FLAGS: case IR_ADC_FLAGS: return FK_ADD;
    case IR_SUB_FLAGS: case IR_SBC_FLAGS: return FK_SUB;
    case IR_LOGIC_FLAGS: return FK_LOGIC;
    default: return -1;
    }
}

/* Condition `cond` on the x86 flags a setter of `kind` leaves: FP_FUSED | cc,
 * FP_CONST | value, or -1 if no single x86 condition code gives it. x86 CF
 * is Arm C for an add and NOT C for a subtract; OF is V. After TEST, CF = OF
 * = 0 = C = V, so the signed x86 codes give GE/LT/GT/LE too. */
static int fuse_cond(int kind, unsigned cond)
{
    static const int8_t sub[14] = {CC_E, CC_NE, CC_AE, CC_B, CC_S, CC_NS, CC_O, CC_NO,
                                   CC_A, CC_BE, CC_GE, CC_L, CC_G, CC_LE};
    if (cond == 14 || cond == 15)
        return FP_CONST | 1;
    if (cond > 15)
        return -1;
    if (kind == FK_LOGIC && (cond == 2 || cond == 6 || cond == 8))
        return FP_CONST | 0; /* CS, VS, HI */
    if (kind == FK_LOGIC && (cond == 3 || cond == 7 || cond == 9))
        return FP_CONST | 1; /* CC, VC, LS */
    if (kind == FK_ADD && (cond == 2 || cond == 3))
        return FP_FUSED | (cond == 2 ? CC_B : CC_AE);
    if (kind == FK_ADD && (cond == 8 || cond == 9))
        return -1;           /* HI, LS: C && !Z has no x86 code when CF = C */
    return FP_FUSED | sub[cond];
}

/* One forward pass per setter, up to the next NZCV writer: fuse the CONDs it
 * can, and mark its pack dead if nothing else there reads NZCV. The ranges
 * are disjoint, so this is linear in the block. */
static void plan_flags(Ctx *c)
{
    const IRBlock *b = c->b;
    c->flags_planned = true;
    if (b->nops > IR_MAX_OPS)
        return;
    for (uint32_t i = 0; i < b->nops; i++) {
        int kind = flag_kind(&b->ops[i]);
        if (kind < 0)
            continue;
        bool live = true; /* unless a writer ends the range */
        unsigned nfused = 0;
        bool read = false;
        for (uint32_t k = i + 1; k < b->nops; k++) {
            const IROp *op = &b->ops[k];
            if (op->opc == IR_COND) {
                int m = fuse_cond(kind, (unsigned)op->imm);
                if (m >= 0 && ((m & FP_CONST) || nfused < FUSE_MAX)) {
                    nfused += !(m & FP_CONST);
                    c->fplan[k] = (uint8_t)m;
                } else {
                    read = true;
                }
                continue;
            }
            unsigned u = nzcv_use(op);
            read |= (u & NZ_READ) != 0;
            if (u & NZ_WRITE) {
                live = read;
                break;
            }
        }
        if (!live)
            c->fplan[i] |= FP_DEAD;
    }
}

/* op's plan; none in a block too long to plan. */
static uint8_t fplan_of(const Ctx *c, const IROp *op)
{
    size_t i = (size_t)(op - c->b->ops);
    return c->b->nops <= IR_MAX_OPS ? c->fplan[i] : 0;
}

/* The fused CONDs of the setter at index i (same range as plan_flags). */
static unsigned fused_conds(const Ctx *c, uint32_t i, const IROp **out)
{
    unsigned n = 0;
    for (uint32_t k = i + 1; k < c->b->nops; k++) {
        const IROp *op = &c->b->ops[k];
        if (op->opc == IR_COND) {
            if (fplan_of(c, op) & FP_FUSED)
                out[n++] = op;
        } else if (nzcv_use(op) & NZ_WRITE) {
            break;
        }
    }
    return n;
}

/* cpu->nzcv from the x86 flags of a setter. Only ecx was zeroed (before the
 * arithmetic): setcc writes a whole byte (0 or 1) and additions carry only
 * upwards, so stale upper bytes of edx, esi, edi never reach bits 3:0, which
 * the final shift keeps. Zeroing ecx breaks the false dependency of one
 * pack's `sets cl` on the previous pack's result. */
static void emit_nzcv_pack(JitBuf *j, int kind)
{
    x_rr(j, XB8, 0x0f90 | CC_S, 0, RCX);
    x_rr(j, XB8, 0x0f90 | CC_E, 0, RDX);
    if (kind == FK_LOGIC) {
        x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = 2n + z */
        x_shift_ri(j, 0, 4, RCX, 30);               /* C = V = 0 */
    } else if (kind == FK_ADD) {
        x_rr(j, XB8, 0x0f90 | CC_O, 0, RSI);
        x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = 2n + z */
        x_rr(j, 0, 0x11, RCX, RCX);                 /* adc ecx, ecx: shifts C in */
        x_mem_sib(j, 0, 0x8d, RCX, RSI, RCX, 2, 0); /* + v */
        x_shift_ri(j, 0, 4, RCX, 28);
    } else {
        x_rr(j, XB8, 0x0f90 | CC_AE, 0, RSI);       /* Arm C = NOT borrow */
        x_rr(j, XB8, 0x0f90 | CC_O, 0, RDI);
        x_mem_sib(j, 0, 0x8d, RCX, RDX, RCX, 2, 0); /* ecx = 2n + z */
        x_mem_sib(j, 0, 0x8d, RCX, RSI, RCX, 2, 0); /* + c */
        x_mem_sib(j, 0, 0x8d, RCX, RDI, RCX, 2, 0); /* + v */
        x_shift_ri(j, 0, 4, RCX, 28);
    }
    st32(j, RBX, CPU_OFF(nzcv), RCX);
}

/* CF = PSTATE.C (bt [cpu->nzcv], 29). */
static void emit_load_carry(JitBuf *j)
{
    x_mem(j, 0, 0x0fba, 4, RBX, CPU_OFF(nzcv));
    jb_byte(j, 29);
}

/* A flag setter (size 4 or 8), its fused CONDs and, unless dead, the pack. */
static void emit_flag_setter(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const unsigned W = op->size == 8 ? XW : 0;
    const int kind = flag_kind(op);
    if (!c->flags_planned)
        plan_flags(c);
    const IROp *fc[FUSE_MAX];
    unsigned nf = fused_conds(c, (uint32_t)(op - c->b->ops), fc);
    const bool pack = !(fplan_of(c, op) & FP_DEAD);
    /* Zeroing clobbers the flags: all of it before the arithmetic. */
    for (unsigned k = 0; k < nf; k++)
        x_rr(j, 0, 0x31, R8 + (int)k, R8 + (int)k);   /* xor r8d, r8d */
    if (pack)
        x_rr(j, 0, 0x31, RCX, RCX);
    ld_rax(c, op->a, W != 0, false);
    if (kind == FK_LOGIC) {
        x_rr(j, W, 0x85, RAX, RAX);                    /* test */
    } else {
        /* add, adc, sbb, sub: opcode and group-1 extension */
        uint32_t opc = 0x03;
        int ext = 0;
        if (op->opc == IR_SUB_FLAGS) {
            opc = 0x2b, ext = 5;
        } else if (op->opc == IR_ADC_FLAGS) {
            emit_load_carry(j);
            opc = 0x13, ext = 2;
        } else if (op->opc == IR_SBC_FLAGS) {
            emit_load_carry(j);
            jb_byte(j, 0xf5);                          /* cmc: borrow = !C */
            opc = 0x1b, ext = 3;
        }
        int32_t k32;
        if (const_s32(c, op->b, W != 0, &k32))
            x_alu_ri(j, W, ext, RAX, k32);
        else
            rmt(c, W, opc, RAX, op->b);
        st_dst(c, op->dst);                            /* mov: flags kept */
    }
    for (unsigned k = 0; k < nf; k++) {
        x_rr(j, XB8, 0x0f90 | (fplan_of(c, fc[k]) & 15), 0, R8 + (int)k);
        stt(c, fc[k]->dst, R8 + (int)k);
    }
    if (pack)
        emit_nzcv_pack(j, kind);
}

/* Compiling thread. edx = the TLB slot's byte offset in its row,
 * (va >> 12 & (TLB_SIZE - 1)) << 6, from va in rsi. Returns the offset in
 * CPUState of the regime's row: the regime is fixed at translation time, since the EL
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
    ldt(c, RSI, op->a, true);                    /* rsi = va */
    if ((op->flags & (IRF_ACQ | IRF_REL | IRF_ALIGN)) && sz > 1) {
        /* Must be aligned: the slow path raises the alignment fault. */
        x_rr(j, XB8, 0xf6, 0, RSI);              /* test sil, size - 1 */
        jb_byte(j, (uint8_t)(sz - 1));
        x_jcc(j, CC_NE, c->stubs[si].call);
    }
    int32_t ebase = emit_tlb_entry(c);           /* entry: [rbx + rdx + ebase] */
    /* Tag compare on the page of the last byte: a page-crossing access
     * misses (the entry at the first byte's slot cannot hold the next page). */
    x_mem(j, XW, 0x8d, RCX, RSI, sz - 1);        /* lea rcx, [rsi + size - 1] */
    x_alu_ri(j, XW, 4, RCX, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 1,
              ebase + (int32_t)(store ? offsetof(TLBEntry, tag_write) : offsetof(TLBEntry, tag_read)));
    x_jcc(j, CC_NE, c->stubs[si].slow);          /* rsi = va, rcx = last page: tlb_refill's */
    c->stubs[si].refill = true;
    x_mem_sib(j, XW, 0x8b, RAX, RBX, RDX, 1, ebase + (int32_t)offsetof(TLBEntry, addend)); /* host = rax + rsi */
    jb_bind(j, c->stubs[si].resume);             /* from here only rax and rsi are live */
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
        stt(c, op->dst, RAX);
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
                x_jcc(j, CC_NE, c->stubs[si].call);
            }
        }
        ldt(c, RCX, op->b, true);
        /* Store-release: XCHG (a locked store, a full barrier) so that a
         * later LDAR cannot pass it in the store buffer (RCsc), as the
         * interpreter's store + fence. A load-acquire is a plain load on TSO. */
        bool rel = op->flags & IRF_REL;
        switch (sz) {
        case 1: x_mem_sib(j, XB8, rel ? 0x86 : 0x88, RCX, RAX, RSI, 1, 0); break;
        case 2: x_mem_sib(j, X66, rel ? 0x87 : 0x89, RCX, RAX, RSI, 1, 0); break;
        case 4: x_mem_sib(j, 0, rel ? 0x87 : 0x89, RCX, RAX, RSI, 1, 0); break;
        default: x_mem_sib(j, XW, rel ? 0x87 : 0x89, RCX, RAX, RSI, 1, 0); break;
        }
    }
    jb_bind(j, c->stubs[si].back);
}

/* LSE atomics (ATOMIC_RMW) and CAS of 1, 2, 4 or 8 bytes on the inline TLB
 * hit path, as atomic_rmw/atomic_cas (sync/atomic.c) do on a hit. The stub
 * (the interpreter's code) takes a misaligned address (alignment fault), a
 * write-tag miss (read-only page: permission fault; MMIO: DFSC 0x35; not
 * cached) and an armed granule (the slot lock moves its version, as for a
 * plain store). The write tag suffices: stage 1 has no write-only pages.
 * A LOCKed instruction is a full barrier, so the acquire/release forms need
 * nothing more. dst = the old value, zero-extended from size. false: not
 * handled here, nothing emitted. */
static bool emit_atomic(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const int sz = op->size;
    const bool cas = op->opc == IR_CAS;
    if ((sz != 1 && sz != 2 && sz != 4 && sz != 8) || (op->flags & ~(IRF_ACQ | IRF_REL | IRF_ALIGN)) ||
        (!cas && op->aux > IR_RMW_SWP) || !c->mon || c->mon->mask > 0x7fffffffu)
        return false;
    /* Operand size of the memory instructions; o8 = 0 picks the byte opcode. */
    const unsigned W = sz == 8 ? XW : sz == 2 ? X66 : sz == 1 ? XB8 : 0;
    const uint32_t o8 = sz == 1 ? 0 : 1;
    uint32_t si = add_stub(c, op);
    if (j->oom)
        return true;
    ldt(c, RSI, op->a, true);                    /* rsi = va */
    if (sz > 1) {
        x_rr(j, XB8, 0xf6, 0, RSI);              /* test sil, size - 1 */
        jb_byte(j, (uint8_t)(sz - 1));
        x_jcc(j, CC_NE, c->stubs[si].slow);
    }
    int32_t ebase = emit_tlb_entry(c);           /* entry: [rbx + rdx + ebase] */
    x_rr(j, XW, 0x89, RSI, RCX);                 /* aligned: va's page is the last byte's */
    x_alu_ri(j, XW, 4, RCX, (int32_t)TLB_PAGE_MASK);
    x_mem_sib(j, XW, 0x3b, RCX, RBX, RDX, 1, ebase + (int32_t)offsetof(TLBEntry, tag_write));
    x_jcc(j, CC_NE, c->stubs[si].slow);
    x_mem_sib(j, XW, 0x8b, RDI, RBX, RDX, 1, ebase + (int32_t)offsetof(TLBEntry, addend));
    x_rr(j, XW, 0x01, RSI, RDI);                 /* rdi = host */
    /* An aligned access lies in one granule: one armed byte to check. */
    x_mov_ri(j, RDX, (uint64_t)(uintptr_t)c->mon->armed);
    x_rr(j, XW, 0x89, RDI, RCX);
    x_shift_ri(j, XW, 5, RCX, MON_GRANULE_SHIFT);
    x_alu_ri(j, 0, 4, RCX, (int32_t)c->mon->mask);
    x_mem_sib(j, 0, 0x80, 7, RDX, RCX, 1, 0);    /* cmp byte [rdx + rcx], 0 */
    jb_byte(j, 0);
    x_jcc(j, CC_NE, c->stubs[si].slow);
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
        switch (sz) {
        case 1: x_mem(j, 0, 0x0fb6, RAX, RDI, 0); break;
        case 2: x_mem(j, 0, 0x0fb7, RAX, RDI, 0); break;
        case 4: x_mem(j, 0, 0x8b, RAX, RDI, 0); break;
        default: x_mem(j, XW, 0x8b, RAX, RDI, 0); break;
        }
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

/* Compare the jump-cache entry of the constant pc `target` (in rax after
 * this) and jump to its code on a hit; fall to `miss` otherwise. A hit is
 * as good as the dispatcher's find_block: the jump cache is dropped
 * whenever a mapping or translation it names goes away. */
static void emit_jc_probe_const(Ctx *c, uint64_t target, uint32_t miss)
{
    JitBuf *j = &c->j;
    int32_t e = CPU_OFF(jc) + (int32_t)(((target >> 2) & (JC_SIZE - 1)) * sizeof(JCEntry));
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

/* A direct branch to `target` through chain slot `slot`, taken if temp
 * `cond` is non-zero (IR_NO_TEMP: always). The first branch of each slot to
 * a target in this block's page gets a patchable rel32 whose 4 bytes are
 * aligned (patched with one atomic store while other cores may run it);
 * the others probe the jump cache. */
static void emit_direct(Ctx *c, uint64_t target, int slot, IRTemp cond)
{
    JitBuf *j = &c->j;
    c->exits = jb_grow(c->exits, &c->capexits, sizeof(SlotExit), c->nexits + 1, &j->oom);
    if (j->oom)
        return;
    SlotExit *x = &c->exits[c->nexits++];
    bool same_page = (target & TLB_PAGE_MASK) == (c->b->pc & TLB_PAGE_MASK);
    bool site = same_page && !c->site_used[slot];
    x->label = jb_label(j);
    x->stub = site ? x->label : jb_label(j);
    x->target = target;
    x->slot = slot;
    x->probe = !site && !(target & 3); /* a misaligned pc must reach the dispatcher (and never match ~0) */
    if (cond != IR_NO_TEMP) {
        rmt(c, XW, 0x83, 7, cond);     /* cmp qword [cond], 0 */
        jb_byte(j, 0);
    }
    int oplen = cond != IR_NO_TEMP ? 2 : 1;      /* bytes before the rel32 */
    if (site)
        while ((j->len + (size_t)oplen) & 3)
            jb_byte(j, 0x90);
    if (cond != IR_NO_TEMP)
        x_jcc(j, CC_NE, x->label);
    else
        x_jmp(j, x->label);
    if (site) {
        c->site_used[slot] = true;
        c->site_pos[slot] = (uint32_t)j->len - 4;
        c->site_stub[slot] = x->stub;
        c->site_pc[slot] = target;
    }
}

static void emit_exits(Ctx *c)
{
    JitBuf *j = &c->j;
    for (uint32_t i = 0; i < c->nexits; i++) {
        const SlotExit *x = &c->exits[i];
        jb_bind(j, x->label);
        if (x->probe)
            emit_jc_probe_const(c, x->target, x->stub);
        jb_bind(j, x->stub);
        x_mov_ri(j, RAX, x->target);
        st64(j, RBX, CPU_OFF(pc), RAX);
        x_mov_ri(j, RAX, (uint64_t)(uintptr_t)c->b);
        st64(j, RBX, CPU_OFF(jit_last), RAX);
        x_mov_ri(j, RAX, x->slot ? BX_SLOT1 : BX_SLOT0);
        x_jmp(j, c->l_epi);
    }
    /* Chained entry refused (request pending or budget spent): nothing of
     * the block ran; the dispatcher resumes at its first instruction. */
    jb_bind(j, c->l_stop_budget);
    x_mem(j, 0, 0x83, 0, RBX, CPU_OFF(chain_budget)); /* add dword [budget], ninsns */
    jb_byte(j, (uint8_t)c->b->ninsns);
    jb_bind(j, c->l_stop);
    x_mov_ri(j, RAX, c->b->pc);
    st64(j, RBX, CPU_OFF(pc), RAX);
    x_mov_ri(j, RAX, BX_EXIT);
    x_jmp(j, c->l_epi);
}

/* Indirect branch to the pc in rax: probe the jump cache (index from the
 * pc at run time); a miss returns BX_JUMP with cpu->pc set. A misaligned pc
 * always misses (so it can never match an emptied entry's ~0 pc). */
static void emit_jump_indirect(Ctx *c)
{
    JitBuf *j = &c->j;
    uint32_t miss = jb_label(j);
    const int32_t jc = CPU_OFF(jc);
    jb_byte(j, 0xa8);                            /* test al, 3 */
    jb_byte(j, 3);
    x_jcc(j, CC_NE, miss);
    x_rr(j, 0, 0x89, RAX, RCX);                  /* mov ecx, eax */
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

/* Compiling thread. The start of a stub: cpu->pc for a fault, the -stats
 * count. */
static void emit_stub_entry(Ctx *c, const Stub *s)
{
    JitBuf *j = &c->j;
    if (s->store_pc) {
        x_mov_ri(j, RAX, s->pc);
        st64(j, RBX, CPU_OFF(pc), RAX);
    }
    if (s->op->opc == IR_LOAD || s->op->opc == IR_STORE)
        x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.mem_slow)); /* inc qword: -stats */
}

/* Compiling thread. A TLB miss of an inline LOAD/STORE (rsi = va, rcx =
 * page of the last byte): tlb_refill translates as mem_load/mem_store would. An entry: load
 * its addend and va again and resume the inline access. NULL: the access
 * needs interp_exec_op (falls through to it). A fault: leave the block.
 * Only a C call, so the temps in RBP/R12-R15 and the slots stay. */
static void emit_refill(Ctx *c, const Stub *s)
{
    JitBuf *j = &c->j;
    uint32_t interp = jb_label(j);
    jb_bind(j, s->slow);
    emit_stub_entry(c, s);
    x_rr(j, XW, 0x89, RBX, RDI);                       /* mov rdi, rbx */
    x_mov_ri(j, RDX, s->op->flags | (s->op->opc == IR_STORE ? TLB_REFILL_WRITE : 0));
    call_abs(j, (const void *)tlb_refill);
    x_alu_ri(j, XW, 7, RAX, 1);                        /* cmp rax, TLB_REFILL_FAULT (1) */
    x_jcc(j, CC_E, c->l_exc);
    x_jcc(j, CC_B, interp);                            /* NULL */
    ld64(j, RAX, RAX, (int32_t)offsetof(TLBEntry, addend));
    ldt(c, RSI, s->op->a, true);
    x_mem(j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.mem_refill)); /* inc qword: -stats */
    x_jmp(j, s->resume);
    jb_bind(j, s->call);
    emit_stub_entry(c, s);
    jb_bind(j, interp);
    emit_interp_call(c, s->op);
    x_jmp(j, s->back);
}

static void emit_stubs(Ctx *c)
{
    JitBuf *j = &c->j;
    for (uint32_t i = 0; i < c->nstubs; i++) {
        const Stub *s = &c->stubs[i];
        if (s->refill) {
            emit_refill(c, s);
            continue;
        }
        jb_bind(j, s->slow);
        jb_bind(j, s->call);
        emit_stub_entry(c, s);
        emit_interp_call(c, s->op);
        x_jmp(j, s->back);
    }
}

static bool alu_size_ok(int sz) { return sz == 4 || sz == 8; }

/* LZCNT if the host has it (cpuid, asked once) and the tests allow it. */
static _Atomic int host_lzcnt = -1;
static _Atomic bool lzcnt_allowed = true;

void jit_allow_lzcnt(bool on) { atomic_store(&lzcnt_allowed, on); }

static bool use_lzcnt(void)
{
    return jit_host_has(&host_lzcnt, 0x80000001, bit_LZCNT) && atomic_load_explicit(&lzcnt_allowed, memory_order_relaxed);
}

/* rax = (leading zeros in the low w bits of rax) - sub, w for 0 (w = 32 or 64). */
static void emit_clz_rax(JitBuf *j, unsigned W, int w, int sub)
{
    if (use_lzcnt()) {
        jb_byte(j, 0xf3);
        x_rr(j, W, 0x0fbd, RAX, RAX);            /* lzcnt rax, rax */
        if (sub)
            x_alu_ri(j, W, 5, RAX, sub);
        return;
    }
    /* Without LZCNT on a pre-Haswell host, lzcnt would decode as bsr. bsr sets
     * ZF for 0 and leaves the result undefined: use index -1 then. */
    x_mov_ri(j, RCX, ~0ull);
    x_rr(j, W, 0x0fbd, RAX, RAX);                /* bsr rax, rax */
    x_rr(j, W, 0x0f44, RAX, RCX);                /* cmovz rax, rcx */
    x_rr(j, W, 0xf7, 3, RAX);                    /* neg rax */
    x_alu_ri(j, W, 0, RAX, w - 1 - sub);         /* (w - 1 - index) - sub */
}

static void emit_bswap_rax(JitBuf *j, unsigned W)
{
    jb_prefix(j, W, 0, 0, RAX, false);
    jb_byte(j, 0x0f);
    jb_byte(j, 0xc8 + RAX);                      /* bswap */
}

/* rax = ((rax >> s) & m) | ((rax & m) << s): swap neighbouring bit groups. */
static void emit_swap_step(JitBuf *j, unsigned W, uint8_t s, uint64_t m)
{
    x_rr(j, W, 0x89, RAX, RCX);                  /* mov rcx, rax */
    x_shift_ri(j, W, 5, RCX, s);                 /* shr rcx, s */
    if (W) {
        x_mov_ri(j, RDX, m);
        x_rr(j, XW, 0x21, RDX, RCX);             /* and rcx, rdx */
        x_rr(j, XW, 0x21, RDX, RAX);             /* and rax, rdx */
    } else {
        x_alu_ri(j, 0, 4, RCX, (int32_t)(uint32_t)m);
        x_alu_ri(j, 0, 4, RAX, (int32_t)(uint32_t)m);
    }
    x_shift_ri(j, W, 4, RAX, s);                 /* shl rax, s */
    x_rr(j, W, 0x09, RCX, RAX);                  /* or rax, rcx */
}

/* UDIV/SDIV with Arm's results where x86 would raise #DE: x/0 = 0, and
 * for SDIV x/-1 = -x, which includes MIN/-1 = MIN. */
static void emit_div(Ctx *c, const IROp *op)
{
    JitBuf *j = &c->j;
    const bool w64 = op->size == 8;
    const unsigned W = w64 ? XW : 0;
    uint32_t l_zero = jb_label(j), l_done = jb_label(j);
    ldt(c, RCX, op->b, w64);
    ld_rax(c, op->a, w64, false);
    x_rr(j, W, 0x85, RCX, RCX);                  /* test rcx, rcx */
    x_jcc(j, CC_E, l_zero);
    if (op->opc == IR_SDIV) {
        uint32_t l_div = jb_label(j);
        x_alu_ri(j, W, 7, RCX, -1);              /* cmp rcx, -1 */
        x_jcc(j, CC_NE, l_div);
        x_rr(j, W, 0xf7, 3, RAX);                /* neg rax */
        x_jmp(j, l_done);
        jb_bind(j, l_div);
        if (W)
            jb_byte(j, 0x48);
        jb_byte(j, 0x99);                        /* cqo / cdq */
        x_rr(j, W, 0xf7, 7, RCX);                /* idiv rcx */
    } else {
        x_rr(j, 0, 0x31, RDX, RDX);              /* xor edx, edx */
        x_rr(j, W, 0xf7, 6, RCX);                /* div rcx */
    }
    x_jmp(j, l_done);
    jb_bind(j, l_zero);
    x_rr(j, 0, 0x31, RAX, RAX);                  /* xor eax, eax */
    jb_bind(j, l_done);
    st_dst(c, op->dst);
}

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
        c->is_const[op->dst] = CONST_IN_SLOT;
        c->cval[op->dst] = op->imm;
        if ((int64_t)op->imm == (int64_t)(int32_t)op->imm) {
            c->is_const[op->dst] = CONST_LAZY; /* no code: immediates, or the slot written where read */
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
        if (c->treg[op->dst] >= 0) {
            ld64(j, c->treg[op->dst], RBX, CPU_OFF(x) + 8 * (int32_t)op->imm);
            break;
        }
        ld64(j, RAX, RBX, CPU_OFF(x) + 8 * (int32_t)op->imm);
        st_dst(c, op->dst);
        break;
    case IR_SET_REG:
        if (op->imm >= 32)
            goto fallback;
        if (c->treg[op->a] >= 0 && c->rax_prev != op->a) {
            st64(j, RBX, CPU_OFF(x) + 8 * (int32_t)op->imm, c->treg[op->a]);
            break;
        }
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
            rmt(c, W, opc, RAX, op->b);
        }
        st_dst(c, op->dst);
        break;
    }
    case IR_ANDN: case IR_ORN: case IR_XORN: {
        if (!alu_size_ok(sz))
            goto fallback;
        uint32_t opc = op->opc == IR_ANDN ? 0x21 : op->opc == IR_ORN ? 0x09 : 0x31;
        ldt(c, RCX, op->b, w64);
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
            ldt(c, RCX, op->b, false);
            ld_rax(c, op->a, w64, false);
            x_rr(j, W, 0xd3, ext, RAX);
        }
        st_dst(c, op->dst);
        break;
    }
    case IR_UMULH: case IR_SMULH:
        ld_rax(c, op->a, true, false);
        rmt(c, XW, 0xf7, op->opc == IR_UMULH ? 4 : 5, op->b); /* (i)mul qword [b] */
        stt(c, op->dst, RDX);
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
    case IR_ADD_FLAGS: case IR_SUB_FLAGS: case IR_ADC_FLAGS: case IR_SBC_FLAGS:
        if (!alu_size_ok(sz))
            goto fallback;
        emit_flag_setter(c, op);
        break;
    case IR_ADC: case IR_SBC:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        emit_load_carry(j);
        if (op->opc == IR_SBC)
            jb_byte(j, 0xf5);
        rmt(c, W, op->opc == IR_ADC ? 0x13 : 0x1b, RAX, op->b);
        st_dst(c, op->dst);
        break;
    case IR_LOGIC_FLAGS:
        if (!alu_size_ok(sz))
            goto fallback;
        emit_flag_setter(c, op);
        break;
    case IR_COND: {
        uint8_t plan = fplan_of(c, op);
        if (op->imm == 14 || op->imm == 15)
            plan = FP_CONST | 1;                 /* AL, NV */
        if (plan & (FP_FUSED | FP_CONST))
            c->rax_temp = c->rax_prev;           /* no rax use */
        if (plan & FP_FUSED)
            break;                               /* the setter wrote dst */
        if (plan & FP_CONST) {
            c->is_const[op->dst] = CONST_IN_SLOT;
            c->cval[op->dst] = plan & 1;
            rmt(c, XW, 0xc7, 0, op->dst); /* mov qword [dst], 0/1 */
            jb_u32(j, plan & 1);
            break;
        }
        if (op->imm < 8) {
            /* One flag: Z, C, N, V for EQ/NE, CS/CC, MI/PL, VS/VC. */
            static const uint8_t bit[4] = {30, 29, 31, 28};
            x_rr(j, 0, 0x31, RDX, RDX);
            x_mem(j, 0, 0x0fba, 4, RBX, CPU_OFF(nzcv)); /* bt dword [nzcv], bit */
            jb_byte(j, bit[op->imm >> 1]);
            x_rr(j, XB8, 0x0f90 | (op->imm & 1 ? CC_AE : CC_B), 0, RDX);
            stt(c, op->dst, RDX);
            c->rax_temp = c->rax_prev;
            break;
        }
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
        stt(c, op->dst, RDX);
        break;
    }
    case IR_CMP_EQ: case IR_CMP_NE:
        if (!alu_size_ok(sz))
            goto fallback;
        x_rr(j, 0, 0x31, RCX, RCX);
        ld_rax(c, op->a, w64, false);
        rmt(c, W, 0x3b, RAX, op->b);
        x_rr(j, XB8, 0x0f90 | (op->opc == IR_CMP_EQ ? CC_E : CC_NE), 0, RCX);
        stt(c, op->dst, RCX);
        break;
    case IR_SELECT:
        ldt(c, RAX, op->c, true);
        ldt(c, RCX, op->b, true);
        rmt(c, XW, 0x83, 7, op->a);    /* cmp qword [a], 0 */
        jb_byte(j, 0);
        x_rr(j, XW, 0x0f45, RAX, RCX);           /* cmovne rax, rcx */
        st_dst(c, op->dst);
        break;
    case IR_LOAD: case IR_STORE:
        /* Unprivileged accesses (LDTR/STTR): the interpreter's path. */
        if ((op->flags & ~(IRF_SIGNED | IRF_ACQ | IRF_REL | IRF_ALIGN)) || (sz != 1 && sz != 2 && sz != 4 && sz != 8))
            goto fallback;
        if (op->opc == IR_STORE && c->mon && c->mon->mask > 0x7fffffffu)
            goto fallback;
        emit_mem(c, op);
        break;
    case IR_ATOMIC_RMW: case IR_CAS:
        if (!emit_atomic(c, op))
            goto fallback;
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
        if (!(op->flags & IRF_EXCEPT) && jit_simd_inline(j, op->aux, op->imm)) {
            x_mov_ri(j, RAX, 0);                 /* what the helper returns */
            st_dst(c, op->dst);
            break;
        }
        sync_pc(c);
        ldt(c, RSI, op->a, true);
        ldt(c, RDX, op->b, true);
        ldt(c, RCX, op->c, true);
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
    case IR_BRCOND:
        emit_direct(c, op->imm, 0, op->a);
        break;
    case IR_GOTO:
        emit_direct(c, op->imm, op->aux ? 1 : 0, IR_NO_TEMP);
        break;
    case IR_JUMP:
        ld_rax(c, op->a, true, false);
        emit_jump_indirect(c);
        break;
    case IR_EXIT:
        x_mov_ri(j, RAX, op->imm);
        st64(j, RBX, CPU_OFF(pc), RAX);
        x_mov_ri(j, RAX, BX_EXIT);
        x_jmp(j, c->l_epi);
        break;
    case IR_UDIV: case IR_SDIV:
        if (!alu_size_ok(sz))
            goto fallback;
        emit_div(c, op);
        break;
    case IR_CLZ: case IR_CLS:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        if (op->opc == IR_CLS) {
            /* Bit i of a ^ (a sar 1): bits i and i+1 differ. The top bit is
             * 0, so CLS = CLZ of that - 1 (w - 1 for 0 and -1). */
            x_rr(j, W, 0x89, RAX, RCX);
            x_shift_ri(j, W, 7, RCX, 1);
            x_rr(j, W, 0x31, RCX, RAX);          /* xor rax, rcx */
        }
        emit_clz_rax(j, W, sz * 8, op->opc == IR_CLS);
        st_dst(c, op->dst);
        break;
    case IR_RBIT:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        emit_bswap_rax(j, W);                    /* bytes, then bits within bytes */
        emit_swap_step(j, W, 1, 0x5555555555555555ull);
        emit_swap_step(j, W, 2, 0x3333333333333333ull);
        emit_swap_step(j, W, 4, 0x0f0f0f0f0f0f0f0full);
        st_dst(c, op->dst);
        break;
    case IR_REV16:
        if (!alu_size_ok(sz))
            goto fallback;
        ld_rax(c, op->a, w64, false);
        if (w64) {
            emit_swap_step(j, XW, 8, 0x00ff00ff00ff00ffull);
        } else {
            emit_bswap_rax(j, 0);                /* b0 b1 b2 b3 */
            x_shift_ri(j, 0, 1, RAX, 16);        /* ror eax, 16: b2 b3 b0 b1 */
        }
        st_dst(c, op->dst);
        break;
    case IR_REV32:
        /* The translator only emits size 8 (the interpreter ignores size). */
        if (sz != 8)
            goto fallback;
        ld_rax(c, op->a, true, false);
        emit_bswap_rax(j, XW);                   /* words swapped and reversed */
        x_shift_ri(j, XW, 1, RAX, 32);           /* ror rax, 32: back in place */
        st_dst(c, op->dst);
        break;
    default:
        /* Exclusives (monitor.c's slot protocol), RAISE: the interpreter's
         * code runs them. */
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
 * DIR/<pc>.bin (objdump -D -b binary -mi386:x86-64 FILE) and its layout to
 * DIR/<pc>.txt: the body's offset and each chain slot's patch site (the
 * offset of the rel32; 0 = none), for bench/hostinsns.sh. */
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
    snprintf(path, sizeof(path), "%s/%016llx.txt", dir, (unsigned long long)b->pc);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "entry_body %u\nsite0 %u\nsite1 %u\n", b->entry_body, b->chain_site[0], b->chain_site[1]);
        fclose(f);
    }
}

static bool compile(CPUState *cpu, IRBlock *b, uint32_t tb_flags, const char **why)
{
    *why = check_block(b);
    if (*why)
        return false;
    if (b->ninsns > 127)
        *why = "too many instructions for the chained entry's imm8";
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
    if (!c.is_const || !c.cval || !alloc_regs(&c)) {
        free(c.treg);
        free(c.is_const);
        free(c.cval);
        *why = "out of memory";
        return false;
    }
    JitBuf *j = &c.j;
    c.l_epi = jb_label(j);
    c.l_exc = jb_label(j);
    c.l_stop = jb_label(j);
    c.l_stop_budget = jb_label(j);

    /* Chained entry (other blocks jump here): the safe-point test of the
     * request word, then this block's instructions off the budget. The
     * dispatcher enters past both (entry_body). */
    x_mem(j, 0, 0x83, 7, RBX, CPU_OFF(request)); /* cmp dword [request], 0 */
    jb_byte(j, 0);
    x_jcc(j, CC_NE, c.l_stop);
    x_mem(j, 0, 0x83, 5, RBX, CPU_OFF(chain_budget)); /* sub dword [budget], ninsns */
    jb_byte(j, (uint8_t)b->ninsns);
    x_jcc(j, CC_S, c.l_stop_budget);
    uint32_t entry_body = (uint32_t)j->len;
    for (uint32_t i = 0; i < b->nops && !j->oom; i++)
        if (!emit_op(&c, &b->ops[i]))
            break;
    jb_bind(j, c.l_exc);
    x_mov_ri(j, RAX, BX_EXCEPTION);
    jb_bind(j, c.l_epi);
    x_rr(j, XW, 0x81, 0, RSP);                   /* add rsp, JIT_FRAME + 8 (flotilla_jit_enter's) */
    jb_u32(j, JIT_FRAME + 8);
    static const uint8_t pops[] = {0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b};
    for (size_t k = 0; k < sizeof(pops); k++)
        jb_byte(j, pops[k]);                     /* pop r15, r14, r13, r12, rbp, rbx */
    jb_byte(j, 0xc3);                            /* ret */
    emit_stubs(&c);
    emit_exits(&c);

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
            perfmap_add(cpu->machine, code, j->len, b->pc, tb_flags);
            b->native = code;
            b->native_size = size;
            b->entry_body = entry_body;
            for (int k = 0; k < 2; k++) {
                b->chain_site[k] = c.site_used[k] ? c.site_pos[k] : 0;
                b->chain_stub[k] = c.site_used[k] ? (uint32_t)j->labels[c.site_stub[k]] : 0;
                b->chain_pc[k] = c.site_used[k] ? c.site_pc[k] : 0;
            }
            dump_code(b, j->p, j->len);
            atomic_fetch_add_explicit(&st_native, c.native, memory_order_relaxed);
            atomic_fetch_add_explicit(&st_called, c.called, memory_order_relaxed);
            for (int i = 0; i < IR_NUM_OPS; i++)
                if (c.called_opc[i])
                    atomic_fetch_add_explicit(&st_called_opc[i], c.called_opc[i], memory_order_relaxed);
            ok = true;
        }
    }
    free(c.stubs);
    free(c.exits);
    free(c.treg);
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

bool jit_chain_patch(IRBlock *from, int slot, const IRBlock *to)
{
    if (!from->native || !from->chain_site[slot] || (to && (!to->native || to->pc != from->chain_pc[slot])))
        return false;
    uint8_t *site = (uint8_t *)from->native + from->chain_site[slot];
    uintptr_t dest = to ? (uintptr_t)to->native : (uintptr_t)from->native + from->chain_stub[slot];
    int64_t rel = (int64_t)(dest - (uintptr_t)(site + 4));
    if (rel != (int64_t)(int32_t)rel)
        return false; /* arenas too far apart: the dispatcher keeps the edge */
    /* Aligned, so the store is atomic for cores executing the jump. */
    atomic_store_explicit((_Atomic uint32_t *)(void *)site, (uint32_t)(int32_t)rel, memory_order_release);
    return true;
}
