/* Private to the x86-64 backend (cpu/jit_*x86.c): the per-block compiler
 * context and the few primitives every emitter uses to reach IR temps (in a
 * host register, an immediate, or their stack slot). Thread rules: a Ctx
 * belongs to the one thread compiling its block. */
#ifndef FLOTILLA_JIT_X86_CTX_H
#define FLOTILLA_JIT_X86_CTX_H

#include <stddef.h>

#include "../sync/monitor.h"
#include "interp.h"
#include "jit_emit.h"
#include "jit_x86.h"
#include "translate.h"

#define CPU_OFF(field) ((int32_t)offsetof(CPUState, field))
#define T(t) ((int32_t)(t) * 8)
/* The offset of an L1 TLB field in its regime's row (TLBTable). */
#define TLB_FIELD(f) ((int32_t)offsetof(TLBTable, f))

/* Every block runs in one fixed frame that flotilla_jit_enter sets up, so
 * blocks can jump into each other: IR_MAX_TEMPS slots (temps are per block;
 * a block never reads a slot it has not written). */
#define JIT_FRAME (IR_MAX_TEMPS * 8)
/* cpu->chain_budget while generated code runs: R11D from flotilla_jit_enter
 * to the epilogue, in memory across calls into C (call_abs). No temp gets
 * it, and no emitter may use it as scratch. */
#define JIT_BUDGET R11
/* Where the FP mode word lives (jit_fp_x86.c): the slot of the first temp
 * the block does not have (nothing else touches it, and it sits next to the
 * block's own slots: [rsp + JIT_FRAME], the 8 bytes flotilla_jit_enter adds
 * for alignment, 4K-aliases the hot low slots), else that pad. */
#define JIT_FPMODE(c) ((c)->b->ntemps < IR_MAX_TEMPS ? T((c)->b->ntemps) : JIT_FRAME)
/* The frame slots of read-modify-write pairs (Ctx.rmw), past the FP mode
 * word's: only blocks with room for them get pairs. */
#define JIT_RMW_SLOTS 4
#define JIT_RMW_SLOT(c, k) T((c)->b->ntemps + 1 + (k))
/* Past them, a self-loop's chain budget at entry (Ctx.lnz): only blocks
 * with room for it get the plan. */
#define JIT_LOOPNZ_SLOT(c) T((c)->b->ntemps + 1 + JIT_RMW_SLOTS)
/* Past it, a self-loop's TLB site caches (Ctx.lts_op): slot k's page tag
 * and its addend. */
#define JIT_LTS 8
#define JIT_LTS_TAG(c, k) T((c)->b->ntemps + 2 + JIT_RMW_SLOTS + 2 * (k))
#define JIT_LTS_ADDEND(c, k) (JIT_LTS_TAG(c, k) + 8)
/* A site cache's tag before its first fill: bit 11, which an address
 * masked to its page and alignment bits never has (accesses of at most 16
 * bytes). */
#define JIT_LTS_EMPTY 0x800
_Static_assert(JIT_FRAME % 16 == 0, "calls from generated code need a 16-byte aligned stack");
_Static_assert(sizeof(JCEntry) == 32, "generated code scales the jump-cache index by a shift");

/* Shared stub tails in .text (cpu/jit_thunk_x86.c), called from generated
 * code only (their register conventions are there). */
void flotilla_jit_refill(void); /* RSI = va, EDX = mode, RCX = last page: tlb_refill, counted */
void flotilla_jit_refill_pc(void); /* the same, RAX = the pc to store in cpu->pc first */
void flotilla_jit_interp(void); /* RSI = op: interp_exec_op(cpu, op, the caller's RSP) */
typedef enum JitThunk { JIT_THUNK_REFILL, JIT_THUNK_REFILL_PC, JIT_THUNK_INTERP, JIT_NTHUNKS } JitThunk;

/* The XMM value cache (FpXCache) as a stub must restore it after its C
 * call (which may clobber XMM8-15): temp[k] (IR_NO_TEMP: none) from its
 * register or slot, V[vreg[k]] (-1: none) from cpu->v. */
typedef struct XSnap {
    IRTemp temp[8];
    int8_t vreg[8];
} XSnap;

/* An out-of-line slow path: run op through the interpreter, then resume
 * at `back`. A LOAD/STORE stub with `refill` enters at `slow` on a TLB miss
 * (tlb_refill, then the inline access resumes at `resume`; a store whose
 * write tag has TLB_TAG_ARMED checks the monitor's armed[] first and
 * resumes when its granule is not armed) and at `call` when only
 * interp_exec_op can do it (misaligned, armed granule). */
typedef struct Stub {
    uint32_t slow, back, call, resume;
    const IROp *op;
    int32_t ebase; /* a STORE's TLB row offset (emit_tlb_entry) */
    int8_t va;     /* the host register holding the access's address (RSI or the temp's own) */
    uint8_t last;  /* a STORE's bytes - 1 (the whole run for a leader) */
    int8_t lo;     /* a leader's run starts at va + lo (lo <= 0) */
    bool store_pc, refill;
    bool lead; /* leads a run: its interpreter path leaves rdi = 0 */
    bool follower; /* a run's follower: the interpreter runs it when rdi = 0, and leaves rdi = 0 */
    int8_t rmw; /* a read-modify-write pair's load (Ctx.rmw): its stub zeroes the slot */
    /* A self-loop's cached site (Ctx.lts_op): lts - 1 is its cache; a
     * miss of the cache jumps to `lmiss`, which looks up the TLB and fills
     * the cache or goes on to `slow`, and a hit there goes back to `lhit`. */
    int8_t lts;
    uint32_t lmiss, lhit;
    /* An access that must be aligned (IRF_ALIGN) with a site cache: the
     * cache's compare takes the bits below the size, so only its miss path
     * tests the alignment (align_mask: bytes - 1, else 0). */
    uint8_t align_mask;
    /* An inline LDXR/STXR's (EXCL_STUB_*, cpu/jit_excl_x86.c): `call` runs
     * the op through interp_exec_op, `slow` is the LDXR's reservation call
     * (resumes at `resume`) or the STXR's wake-up of WFE waiters. */
    uint8_t excl;
    /* An inline LSE atomic or CAS (jit_emit_atomic): its write-tag miss
     * (`slow`, rcx = page, rdx = the TLB slot, rsi = va) first looks for an
     * armed page whose granule is not armed, which resumes the inline
     * locked instruction at `resume`; the rest goes to `call`. */
    bool armed_rmw;
    uint64_t pc;
    /* The XMM value cache (FpXCache) after the op: the stub's call
     * clobbers XMM8-15, so it reloads these before going back. */
    XSnap xs;
} Stub;

/* A direct-branch exit (BRCOND taken, GOTO): optionally a jump-cache probe
 * (target in another page, or the slot's patch site already taken), then
 * the stub that returns BX_SLOT0..3 to the dispatcher. */
typedef struct SlotExit {
    uint32_t label, stub;
    uint64_t target;
    int slot;
    bool probe;
    bool lnz; /* a self-loop's back edge (Ctx.lnz): the pack on the way out */
} SlotExit;

/* The out-of-line slow branch of an inline FP op (cpu/jit_fp_x86.c): call
 * fn (the C fast path or soft-float), with the op's operands when
 * `operands`, then resume at `back` with the helper's return in RAX. */
typedef struct FpStub {
    uint32_t slow, back;
    const IROp *op;
    HelperFn fn;
    bool operands;
    /* The XMM value cache after the op (FpXCache): the call clobbers
     * XMM8-15, so the stub reloads the cached temps and V registers, and
     * the op's own result from RAX into xres (-1: none). */
    XSnap xs;
    int8_t xres;
} FpStub;

/* Values the inline code keeps in XMM8-XMM15 (cpu/jit_xcache_x86.c): scalar
 * FP results (jit_fp_x86.c), so that the next FP op reads them without a GPR
 * round trip, and guest V registers written by inline SIMD, vector FP and
 * LDR Q code, so that the next inline reader takes them without a reload
 * from cpu->v. XMM8+k holds temp[k] (IR_NO_TEMP: no temp; d: a double) or
 * all of V[vreg[k]] (-1: none), never both. Valid only while the main code
 * stream emits no call: `calls` is Ctx.ncalls when it was filled (stubs,
 * which reload it, are emitted after the block and do not count). */
typedef struct FpXCache {
    IRTemp temp[8];
    bool d[8];
    int8_t vreg[8];
    uint32_t calls;
    uint8_t next;
    /* The FP mode word (JIT_FPMODE, jit_fp_x86.c) was written in this
     * block when Ctx.ncalls was mode_calls. */
    bool mode_ok;
    uint32_t mode_calls;
} FpXCache;

enum { CONST_IN_SLOT = 1, CONST_LAZY = 2 };

/* Deferred register writes per block (Ctx.dw_*): beyond it, writes are
 * stored where they happen. */
#define JIT_MAX_DEFERRED 32

/* Side exits whose taken path packs NZCV (FP_XPACK), at most, per block. */
#define JIT_MAX_XPACK 8
/* Other side exits whose taken path gives back instructions out of line,
 * at most, per block (a block has at most two, slots 2 and 3; past the
 * bound the give-back would be inline, on both paths). */
#define JIT_MAX_OOL_EXITS 4

typedef struct Ctx {
    JitBuf j;
    SlotExit *exits;
    uint32_t nexits, capexits;
    uint32_t l_stop, l_stop_budget;
    bool site_used[IR_CHAIN_SLOTS];
    uint32_t site_pos[IR_CHAIN_SLOTS], site_stub[IR_CHAIN_SLOTS];
    uint64_t site_pc[IR_CHAIN_SLOTS];
    /* The IR compiled from: the block itself, or the optimized copy of a
     * block translated unoptimized (IRBlock.unoptimized). `self` is the
     * block the code belongs to: exits name it in jit_last. */
    const IRBlock *b;
    const IRBlock *self;
    uint32_t tb_flags;
    const Monitor *mon; /* NULL: no monitor (unit tests) */
    uint32_t l_epi, l_exc;
    bool have_pc, pc_synced;
    uint64_t cur_pc;
    Stub *stubs;
    uint32_t nstubs, capstubs;
    FpStub *fpstubs;
    uint32_t nfpstubs, capfpstubs;
    FpXCache fpx;
    uint32_t ncalls; /* call_abs and jit_call_thunk so far: see FpXCache */
    /* The block's literals (after its exits): the addresses of the shared
     * stub tails that jit_call_thunk calls through (JitThunk). */
    uint32_t thunk_lit[JIT_NTHUNKS];
    bool thunk_used[JIT_NTHUNKS];
    /* Each op the code hands to interp_exec_op is a literal after the
     * thunks': the ops compiled from (an optimized copy, gone once the
     * compile returns, or the block's own, freed after a grace period once
     * its code is there: tcache_native_ready) are not needed by the code.
     * oplit[i] (ops of b, zeroed per compile) is 1 + the label of op i's
     * copy (0: none yet). */
    uint32_t *oplit;
    uint64_t native, called;
    uint32_t called_opc[IR_NUM_OPS];
    /* Tiny value tracking (temps are written once): constants (CONST_*), and
     * which temp RAX still holds after the previous op stored it. */
    uint8_t *is_const;
    uint64_t *cval;
    IRTemp rax_temp, rax_prev;
    /* A CMP_EQ/NE whose answer is in EFLAGS as condition cc (x86), for the
     * BRCOND right after it (IR_NO_TEMP: none). */
    IRTemp cc_temp;
    int cc;
    /* Side exits with an out-of-line taken path: those planned FP_XPACK
     * and those that give back instructions (nool of them). The label
     * their jcc goes to, emitted before the exits. */
    uint32_t xpack_label[JIT_MAX_XPACK + JIT_MAX_OOL_EXITS];
    const IROp *xpack_op[JIT_MAX_XPACK + JIT_MAX_OOL_EXITS];
    unsigned nxpack, nool;
    unsigned xpack_plans; /* side exits planned FP_XPACK (plan_exit_pack) */
    /* A fused COND whose 0/1 value is only in AL, for the BRCOND that
     * follows its flag setter (cond_for_branch; IR_NO_TEMP: none). */
    IRTemp al_temp;
    /* An SHL by 1..3 left unemitted for the ADD right after it (its only
     * reader), which then is lea [base + scaled_reg * scaled_by]. */
    IRTemp scaled_temp;
    int scaled_reg, scaled_by;
    /* Host register of each temp (jit_alloc_regs), -1: its stack slot. */
    int8_t *treg;
    /* >= 0: the temp is read from [rbx + home[t]] (a guest register in
     * CPUState), not its slot (plan_homes). */
    int32_t *home;
    /* Caller-saved pool registers the block uses (bit per register). */
    uint16_t cs_used;
    /* Index + 1 of each temp's last read (jit_alloc_regs); 0: never read. */
    uint32_t *last_use;
    /* jit_alloc_regs' prefix counts of the ops that rule out RSI and RDI
     * (plan_rsi_rdi), IR_MAX_OPS + 1 each. */
    uint16_t *rsi_bad, *rdi_bad;
    /* What the block holds, counted once before the planners
     * (jit_census), which skip the scans that cannot find anything: the
     * plain LOADs (no flag but IRF_SIGNED, which a read-modify-write pair's
     * load may have) and STOREs (no flags), <= 8 bytes, the LOAD_Vs and
     * STORE_Vs, the accesses whose slow paths take deferred register
     * writes (jit_stubs_defer) and the LDXRs. */
    uint32_t n_load, n_store, n_qacc, n_defer, n_excl;
    /* Exclusive pairs locked at the LDXR (jit_excl_x86.c, "eager"): allowed
     * in this compile (a monitor, not -det), and the index + 1 of the STXR
     * paired with the last LDXR emitted (0: none). */
    bool excl_eager_ok;
    uint32_t excl_pair;
    /* Flags plan (plan_flags, made at the first flag setter): FP_* per op. */
    bool flags_planned;
    uint8_t fplan[IR_MAX_OPS];
    /* Runs of plain loads or stores from one base within a 32-byte window
     * around the leader's address, in one page (jit_plan_mem_runs: LDP/STP,
     * LDR/STR Q, neighbouring accesses, fields of one struct): the leader
     * checks the TLB for the whole window and leaves its own host address
     * in rdi (0 if it took a slow path); followers access [rdi + delta].
     * mrun[i]: the window's bytes for the run op i leads (0: none); mlo[i]:
     * where the window starts, from the leader's address (<= 0); mdelta[i]:
     * a follower's offset from its leader's address (0: not a follower). */
    uint8_t mrun[IR_MAX_OPS];
    int8_t mdelta[IR_MAX_OPS];
    int8_t mlo[IR_MAX_OPS];
    /* Read-modify-write pairs (jit_plan_mem_runs): a plain LOAD and a later
     * plain STORE of the same address and size with only inline code
     * between. rmw[i] = k + 1 for both: the load checks the write tag and
     * leaves its TLB addend in the frame slot JIT_RMW_SLOT(c, k) (0 when it
     * took its stub), and the store uses it instead of a lookup. */
    int8_t rmw[IR_MAX_OPS];
    /* Self-loop TLB site caches (jit_plan_loop_tlb): the plain accesses of
     * a self-loop's body at ops lts_op[0..nlts), each with a page tag and
     * addend in the frame (JIT_LTS_TAG), emptied at the head and filled by
     * the access's TLB hit. The inline path compares the address, masked
     * to its page and alignment bits, with the tag and loads the addend
     * from the frame: neither load waits for the address, where the TLB
     * entry's index (BEXTR) and addend load sat between the address and the
     * data on every pass (gzip's match-chain step, bzip2's sort). */
    uint32_t nlts;
    uint32_t lts_op[JIT_LTS];
    /* Self-loop (cpu/jit_loop_x86.c): loop_e[s] is the op index of slot s's
     * branch to the block's own start (-1: none; slots 0 and 1 only, side
     * exits never go back to the start); the head loads guest
     * register loop_r[k] into temp loop_in[k] (ops 1..loop_head-1), and
     * loop_cur[s][k] is that register's value at the branch. */
    int32_t loop_e[2];
    uint32_t loop_n, loop_head;
    uint8_t loop_r[IR_LOOP_CARRIED];
    IRTemp loop_in[IR_LOOP_CARRIED];
    IRTemp loop_cur[2][IR_LOOP_CARRIED];
    bool loop_used[2];
    uint32_t loop_label[2], l_body;
    /* V registers carried around a self-loop in the XMM cache: V[loop_v[k]]
     * is in XMM8+k at the loop's head (jit_loop_head_v) and at each branch
     * back to it (jit_loop_branch_v). */
    uint32_t loop_nv;
    int8_t loop_v[4];
    /* A self-loop's NZCV over its back edge (plan_loop_pack): the setter at
     * op lnz_set (kind lnz_kind, size lnz_size) feeds the B.cond that goes
     * round; op lnz_br is that B.cond, or with lnz_goto the GOTO that goes
     * round after the B.cond out. The pack is made on the ways out (the
     * fall-through's exit, the exit of the branch round while unchained,
     * the B.cond out's taken path), not on the way round; in the next pass
     * it is recomputed where it can be observed before the next setter:
     * the loop stub's refused entry, and the slow paths of the plain
     * accesses up to op lnz_mem (0: none), which tell a later pass by R11D
     * (the chain budget) against the frame word JIT_LOOPNZ_SLOT, R11D at
     * entry. The recomputation's inputs: X[lnz_r[n]], or lnz_imm[n] where
     * lnz_r[n] < 0; the result and the second input when lnz_res, else
     * both inputs (one for FK_LOGIC), as Ctx.fw_*. In the slow paths a
     * register the loop carries is read from its head temp lnz_t[n] (the
     * value the pass came in with, kept live to lnz_mem), which a write of
     * the register in the pass leaves alone. */
    bool lnz, lnz_res, lnz_goto;
    uint8_t lnz_kind, lnz_size;
    int8_t lnz_r[2];
    int32_t lnz_imm[2];
    IRTemp lnz_t[2];
    uint32_t lnz_set, lnz_br, lnz_mem, l_lnz_stop, l_lnz_stop_budget;
    uint32_t op_index; /* of the op being emitted */
    /* cpu->nzcv holds this block's LAHF image here (jit_emit_flag_setter):
     * no other NZCV writer since (SET_NZCV, a CALL, an interpreted op). */
    bool nzcv_lazy;
    /* 1 + the index of the last AND emitted as an x86 AND (0: none): a
     * LOGIC_FLAGS of its result right after finds EFLAGS set. */
    uint32_t and_end;
    /* Register writes stored only on the slow paths (plan_deferred_sets,
     * docs/jit.md "Deferred register writes"): window k is the SET_REG at
     * op dw_set[k] of X[dw_reg[k]] from temp dw_temp[k], hidden by the
     * next SET_REG of that register at op dw_end[k] with only inline code
     * and plain loads and stores between; the inline path stores nothing
     * there, and a memory op between stores it on each way into C that may
     * raise (tlb_refill, interp_exec_op: jit_emit_deferred_sets). */
    uint32_t ndw;
    uint32_t dw_set[JIT_MAX_DEFERRED], dw_end[JIT_MAX_DEFERRED];
    IRTemp dw_temp[JIT_MAX_DEFERRED];
    uint8_t dw_reg[JIT_MAX_DEFERRED];
    /* Flag packs left to the slow paths the same way (jit_plan_flags):
     * the setter at op fw_set[k] (kind fw_kind[k], FK_*, size fw_size[k])
     * whose NZCV only the plain loads and stores before the next setter at
     * fw_end[k] can observe, the last of them at fw_mem[k]: a slow path
     * between recomputes its flags from temps fw_t1[k] and fw_t2[k] (the
     * result and the second input when fw_res[k], else both inputs; one
     * input for FK_LOGIC) and packs them (jit_emit_deferred_flags). An
     * ADC or SBC between, or an ADCS or SBCS at fw_end[k], makes its C
     * from the same temps (jit_emit_carry); fw_mem[k] is then at least
     * one past it. */
    uint32_t nfw;
    uint32_t fw_set[JIT_MAX_DEFERRED], fw_end[JIT_MAX_DEFERRED], fw_mem[JIT_MAX_DEFERRED];
    IRTemp fw_t1[JIT_MAX_DEFERRED], fw_t2[JIT_MAX_DEFERRED];
    uint8_t fw_kind[JIT_MAX_DEFERRED], fw_size[JIT_MAX_DEFERRED];
    bool fw_res[JIT_MAX_DEFERRED];
} Ctx;

enum { FK_ADD, FK_SUB, FK_LOGIC };

/* fplan[] bits. COND: FP_FUSED | x86 cc, or FP_CONST | value. Setter: FP_DEAD.
 * Side-exit BRCOND: FP_XPACK | the setter's kind (FK_*): the setter's pack is
 * needed on this exit's taken path only, and is made there (jit_flags_x86.c). */
#define FP_FUSED 0x10
#define FP_CONST 0x20
#define FP_DEAD 0x40
#define FP_XPACK 0x80
#define FUSE_MAX 4 /* fused CONDs per setter */

static inline void ld64(JitBuf *j, int reg, int base, int32_t disp) { x_mem(j, XW, 0x8b, reg, base, disp); }
static inline void ld32(JitBuf *j, int reg, int base, int32_t disp) { x_mem(j, 0, 0x8b, reg, base, disp); }
static inline void st64(JitBuf *j, int base, int32_t disp, int reg) { x_mem(j, XW, 0x89, reg, base, disp); }
static inline void st32(JitBuf *j, int base, int32_t disp, int reg) { x_mem(j, 0, 0x89, reg, base, disp); }

/* ---- temps: in a host register (jit_alloc_regs) or in their stack slot ---- */

/* The op that writes temp t (temps are written once), or NULL. */
static inline const IROp *jit_def_of(const IRBlock *b, IRTemp t)
{
    for (uint32_t i = 0; i < b->nops; i++)
        if (ir_op_info[b->ops[i].opc].has_dst && b->ops[i].dst == t)
            return &b->ops[i];
    return NULL;
}

/* reg = t (64-bit, or the zero-extended low half when !w64). A constant is
 * an immediate; its slot stays valid too (CONST stores it). */
static inline void ldt(Ctx *c, int reg, IRTemp t, bool w64)
{
    int r = c->treg[t];
    if (r >= 0) {
        if (r != reg || !w64)
            x_rr(&c->j, w64 ? XW : 0, 0x89, r, reg);
    } else if (c->is_const[t]) {
        x_mov_ri(&c->j, reg, w64 ? c->cval[t] : (uint32_t)c->cval[t]);
    } else if (c->home[t] >= 0) {
        x_mem(&c->j, w64 ? XW : 0, 0x8b, reg, RBX, c->home[t]);
    } else {
        x_mem(&c->j, w64 ? XW : 0, 0x8b, reg, RSP, T(t));
    }
}

/* A CONST that fits in simm32 emits nothing: users take it as an immediate
 * (ldt, const_s32), and a user that needs it in memory writes the slot just
 * before (flags and registers untouched), every time: that code may be on a
 * path that runs without the others. */
static inline void const_to_slot(Ctx *c, IRTemp t)
{
    if (c->is_const[t] == CONST_LAZY) {
        x_mem(&c->j, XW, 0xc7, 0, RSP, T(t));    /* mov qword [t], simm32 */
        jb_u32(&c->j, (uint32_t)c->cval[t]);
    }
}

/* `opc regf, t`: the temp as the r/m operand (read). */
static inline void rmt(Ctx *c, unsigned W, uint32_t opc, int regf, IRTemp t)
{
    int r = c->treg[t];
    if (r >= 0) {
        x_rr(&c->j, W, opc, regf, r);
    } else if (c->home[t] >= 0) {
        x_mem(&c->j, W, opc, regf, RBX, c->home[t]);
    } else {
        const_to_slot(c, t);
        x_mem(&c->j, W, opc, regf, RSP, T(t));
    }
}

/* t = reg (64-bit): its register, the guest register it lives in
 * (plan_homes: a result written to X[n] by the next op), or its slot. */
static inline void stt(Ctx *c, IRTemp t, int reg)
{
    int r = c->treg[t];
    if (r >= 0) {
        if (r != reg)
            x_rr(&c->j, XW, 0x89, reg, r);
    } else if (c->home[t] >= 0) {
        st64(&c->j, RBX, c->home[t], reg);
    } else {
        st64(&c->j, RSP, T(t), reg);
    }
}


/* rax = t (64-bit, or zero-extended low half when !w64 and zext). Skips the
 * load when the previous op left t in rax. */
static inline void ld_rax(Ctx *c, IRTemp t, bool w64, bool zext)
{
    if (c->rax_prev == t) {
        if (!w64 && zext)
            x_rr(&c->j, 0, 0x89, RAX, RAX);      /* mov eax, eax */
        return;
    }
    ldt(c, RAX, t, w64);
}

/* The op stored rax to its dst: the next op may reuse it. */
static inline void st_dst(Ctx *c, IRTemp dst)
{
    stt(c, dst, RAX);
    c->rax_temp = dst;
}

static inline bool const_s32(const Ctx *c, IRTemp t, bool w64, int32_t *v)
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

/* The cpu->jit_save slot of R8, R9 or R10 (the caller-saved temp registers). */
static inline int32_t jit_save_off(int r) { return CPU_OFF(jit_save) + 8 * (r == R8 ? 2 : r - R9); }

/* Call fn (arguments already in place, but for R8, the fifth: `imm`, set
 * after R8 is parked, if with_imm). R8, R9 and R10 may hold temps
 * (jit_alloc_regs) and the callee may clobber them: the ones this block uses
 * are parked in cpu->jit_save around the call (a slow path or a helper;
 * callee-saved RBP/R12-R15 need nothing). The budget register goes to
 * cpu->chain_budget, where C reads and changes it (the PMU's instruction
 * count, DSB and single-step give instructions back), and comes back from
 * there. A register-held result is written after. */
static inline void call_abs_n(Ctx *c, const void *fn, bool with_imm, uint64_t imm)
{
    JitBuf *j = &c->j;
    c->ncalls++;
    for (int r = R8; r <= R10; r++)
        if (c->cs_used & (1u << r))
            st64(j, RBX, jit_save_off(r), r);
    if (with_imm)
        x_mov_ri(j, R8, imm);
    st32(j, RBX, CPU_OFF(chain_budget), JIT_BUDGET);
    x_mov_ri(j, RAX, (uint64_t)(uintptr_t)fn);
    x_rr(j, 0, 0xff, 2, RAX); /* call rax */
    ld32(j, JIT_BUDGET, RBX, CPU_OFF(chain_budget));
    for (int r = R8; r <= R10; r++)
        if (c->cs_used & (1u << r))
            ld64(j, r, RBX, jit_save_off(r));
}

static inline void call_abs(Ctx *c, const void *fn) { call_abs_n(c, fn, false, 0); }
/* fn(cpu, a, b, c, imm): R8 = imm once R8 is parked. */
static inline void call_abs_imm(Ctx *c, const void *fn, uint64_t imm) { call_abs_n(c, fn, true, imm); }

/* Call a shared stub tail (cpu/jit_thunk_x86.c) through the block's
 * literal of its address: `call [rip + lit]`, 6 bytes where call_abs
 * writes 30-50. The thunk parks R8-R10 and the budget itself. */
static inline void jit_call_thunk(Ctx *c, JitThunk t)
{
    JitBuf *j = &c->j;
    c->ncalls++;
    if (!c->thunk_used[t]) {
        c->thunk_used[t] = true;
        c->thunk_lit[t] = jb_label(j);
    }
    jb_byte(j, 0xff);
    jb_byte(j, 0x15); /* call [rip + disp32] */
    jb_rel32(j, c->thunk_lit[t]);
}

/* cpu->pc = pc (through RAX). */
static inline void st_pc(JitBuf *j, uint64_t pc)
{
    x_mov_ri(j, RAX, pc);
    st64(j, RBX, CPU_OFF(pc), RAX);
}

/* A stub's store of cpu->pc, for a fault, unless the inline code made it. */
static inline void stub_store_pc(Ctx *c, const Stub *s)
{
    if (s->store_pc)
        st_pc(&c->j, s->pc);
}

/* Make cpu->pc what the interpreter would have before an op that may read it. */
static inline void sync_pc(Ctx *c)
{
    if (c->have_pc && !c->pc_synced) {
        st_pc(&c->j, c->cur_pc);
        c->pc_synced = true;
    }
}

/* The plain accesses whose slow paths make the writes and flag packs
 * deferred over them (jit_emit_deferred_sets on each way into C): loads and
 * stores of X, Q and D registers, not exclusives or atomics. */
static inline bool jit_stubs_defer(const IROp *op)
{
    return op->opc == IR_LOAD || op->opc == IR_STORE || op->opc == IR_LOAD_V || op->opc == IR_STORE_V ||
           op->opc == IR_LOAD_V2;
}

/* Compiling thread: fill the counts of Ctx.n_load ... n_excl from c->b. */
static inline void jit_census(Ctx *c)
{
    const IRBlock *b = c->b;
    uint32_t nl = 0, ns = 0, nq = 0, nd = 0, nx = 0;
    for (uint32_t i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        nl += (op->opc == IR_LOAD) & !(op->flags & ~(IRF_SIGNED | IRF_ALIGN)) & (op->size <= 8);
        ns += (op->opc == IR_STORE) & !(op->flags & ~IRF_ALIGN) & (op->size <= 8);
        nq += (op->opc == IR_LOAD_V) | (op->opc == IR_STORE_V);
        nd += jit_stubs_defer(op);
        nx += op->opc == IR_LOAD_EXCL;
    }
    c->n_load = nl, c->n_store = ns, c->n_qacc = nq, c->n_defer = nd, c->n_excl = nx;
}

/* cpu/jit_flags_x86.c: pack the flags deferred over op index m (Ctx.fw_*). */
void jit_emit_deferred_flags(Ctx *c, uint32_t m);

/* Compiling thread: store the register writes deferred over op (Ctx.dw_*)
 * to CPUState, and pack the flags deferred over it (Ctx.fw_*), before a
 * call that may raise an exception there. Uses RAX only; every other
 * register is left as it is (EFLAGS are not: a stub's own compare already
 * clobbered them). */
static inline void jit_emit_deferred_sets(Ctx *c, const IROp *op)
{
    if ((!c->ndw && !c->nfw && !c->lnz_mem) || c->b->nops > IR_MAX_OPS || op < c->b->ops || op >= c->b->ops + c->b->nops)
        return;
    const uint32_t m = (uint32_t)(op - c->b->ops);
    jit_emit_deferred_flags(c, m);
    for (uint32_t k = 0; k < c->ndw; k++) {
        if (m <= c->dw_set[k] || m >= c->dw_end[k])
            continue;
        const IRTemp t = c->dw_temp[k];
        const int32_t off = CPU_OFF(x) + 8 * (int32_t)c->dw_reg[k];
        if (c->treg[t] >= 0) {
            st64(&c->j, RBX, off, c->treg[t]);
        } else {
            ldt(c, RAX, t, true);                      /* mov: flags kept */
            st64(&c->j, RBX, off, RAX);
        }
    }
}

/* Run op through interp_exec_op; leave the block if it says so. It reads
 * and writes temps in t[] (the slots): register-held inputs are stored to
 * their slots first, a register-held result is loaded back after. With
 * deferred_done the caller's path already stored the deferred writes and
 * flags (a refill stub's, before tlb_refill, which changes neither). */
static inline void emit_interp_call_from(Ctx *c, const IROp *op, bool deferred_done)
{
    JitBuf *j = &c->j;
    const IROpInfo *inf = &ir_op_info[op->opc];
    if (!deferred_done)
        jit_emit_deferred_sets(c, op);                 /* interp_exec_op may raise */
    const IRTemp in[3] = {op->a, op->b, op->c};
    for (int k = 0; k < inf->nin; k++) {
        if (c->treg[in[k]] >= 0) {
            st64(j, RSP, T(in[k]), c->treg[in[k]]);
        } else if (c->home[in[k]] >= 0) {
            ld64(j, RAX, RBX, c->home[in[k]]);
            st64(j, RSP, T(in[k]), RAX);
        }
        const_to_slot(c, in[k]);
    }
    if (op < c->b->ops || op >= c->b->ops + c->b->nops || op >= c->b->ops + IR_MAX_OPS) {
        j->oom = true; /* not an op of b: no literal for it (never happens) */
        return;
    }
    const size_t m = (size_t)(op - c->b->ops);
    if (!c->oplit[m])
        c->oplit[m] = jb_label(j) + 1;
    jb_byte(j, 0x48);
    jb_byte(j, 0x8d);
    jb_byte(j, 0x35);                                  /* lea rsi, [rip + the op's copy] */
    jb_rel32(j, c->oplit[m] - 1);
    jit_call_thunk(c, JIT_THUNK_INTERP);               /* interp_exec_op(cpu, op, rsp) */
    x_alu_ri(j, 0, 7, RAX, -1);                        /* cmp eax, -1 */
    x_jcc(j, CC_NE, c->l_epi);
    if (inf->has_dst && c->treg[op->dst] >= 0) {
        ld64(j, c->treg[op->dst], RSP, T(op->dst));
    } else if (inf->has_dst && c->home[op->dst] >= 0) {
        ld64(j, RAX, RSP, T(op->dst));                 /* a result that lives in X[n] (plan_homes) */
        st64(j, RBX, c->home[op->dst], RAX);
    }
}

static inline void emit_interp_call(Ctx *c, const IROp *op) { emit_interp_call_from(c, op, false); }

static inline void emit_fallback(Ctx *c, const IROp *op)
{
    sync_pc(c);
    /* inc qword [rbx + stats.jit.fallback[opc]]: how often each fallback runs (-stats) */
    x_mem(&c->j, XW, 0xff, 0, RBX, CPU_OFF(stats.jit.fallback) + 8 * (int32_t)op->opc);
    emit_interp_call(c, op);
    c->called++;
    c->called_opc[op->opc]++;
}

/* cpu/jit_xcache_x86.c: s = the XMM value cache as valid now, the temps
 * only if read after this op (FpXCache, XSnap). */
void jit_xc_snapshot(const Ctx *c, XSnap *s);

static inline uint32_t add_stub(Ctx *c, const IROp *op)
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
    s->lead = false;
    s->follower = false;
    s->rmw = 0;
    s->lts = 0;
    s->align_mask = 0;
    s->excl = 0;
    s->armed_rmw = false;
    s->op = op;
    s->store_pc = c->have_pc && !c->pc_synced;
    s->pc = c->cur_pc;
    jit_xc_snapshot(c, &s->xs); /* an op that adds to the cache takes it again */
    return c->nstubs - 1;
}

/* t as a register operand: its own register, else t loaded into `scratch`
 * (RAX through ld_rax, which reuses what the previous op left there). A
 * register-held temp is current in its register even when the previous op
 * also left it in RAX (st_dst writes both). */
static inline int reg_or_load(Ctx *c, IRTemp t, int scratch, bool w64)
{
    if (c->treg[t] >= 0)
        return c->treg[t];
    if (scratch == RAX)
        ld_rax(c, t, w64, false);
    else
        ldt(c, scratch, t, w64);
    return scratch;
}

/* Two-address form of `dst = a OP b` (b may be IR_NO_TEMP): when dst lives
 * in a host register and b is not in that register (or OP is commutative,
 * comm, and a is not: then a and b swap), load a into it (zero-extended
 * when !w64) and return it; the caller applies OP with b to it. -1: use
 * rax (dst in a slot, or a already in rax from the previous op). When a
 * is in that register already nothing is emitted, not even the 32-bit
 * zero extension: the caller's 32-bit OP does it (a caller that emits no
 * OP must truncate itself). */
static inline int two_addr(Ctx *c, IRTemp dst, IRTemp *a, IRTemp *b, bool comm, bool w64)
{
    int r = c->treg[dst];
    if (r < 0 || c->rax_prev == *a)
        return -1;
    if (*b != IR_NO_TEMP && c->treg[*b] == r) {
        if (!comm || c->treg[*a] == r)
            return -1;
        IRTemp t = *a;
        *a = *b;
        *b = t;
    }
    if (c->treg[*a] != r)
        ldt(c, r, *a, w64);
    return r;
}

/* ---- between the backend's files (compiling thread) ---- */

/* cpu/jit_regalloc_x86.c */
/* Host registers and frame homes for the block's temps (a linear scan),
 * and the register writes left to the slow paths (Ctx.dw_*): after
 * jit_plan_flags and jit_plan_mem_runs, before any emission. false: out of
 * room. */
bool jit_alloc_regs(Ctx *c);
/* Op i is a SET_REG deferred to the slow paths: it emits nothing inline. */
bool jit_deferred_set(const Ctx *c, uint32_t i);
/* cpu/jit_regalloc_x86.c: the SHL by 1..3 within 4 ops before op k that
 * writes t (only register moves and constants between), or NULL; *scale =
 * 2^its count. */
const IROp *jit_scaled_shl(const Ctx *c, uint32_t k, IRTemp t, int *scale);

/* cpu/jit_flags_x86.c */
/* Which CONDs each flag setter writes itself (fused) and which packs are
 * dead: before jit_alloc_regs, which gives the fused ones registers from their
 * setter on. */
void jit_plan_flags(Ctx *c);
/* After jit_alloc_regs: a side exit planned FP_XPACK past a write-back of its
 * setter's result needs that result in a register (cond_for_branch); where
 * it is not, the setter packs inline again. */
void jit_check_exit_packs(Ctx *c);
/* The fused CONDs of the op at index i (up to FUSE_MAX, in order) into out. */
unsigned jit_fused_conds(const Ctx *c, uint32_t i, const IROp **out);
void jit_emit_flag_setter(Ctx *c, const IROp *op);
/* The taken path of a side exit planned FP_XPACK: the NZCV pack on the
 * setter's EFLAGS, still intact at its jcc (the give-back and the jump
 * follow, jit_x86.c emit_xpack_exits). */
void jit_emit_xpack_exit(Ctx *c, const IROp *op);
/* A self-loop's NZCV over its back edge (Ctx.lnz): the pack on the
 * fall-through's way out and on the unchained exit of the branch round
 * (from the setter's EFLAGS, or recomputed at a GOTO round:
 * jit_emit_lnz_pack); the budget the head keeps for the slow paths to tell
 * the first pass by (jit_emit_lnz_mark); the refused entry's recomputation
 * (jit_emit_lnz_stops, with the block's other exits). */
void jit_emit_lnz_pack(Ctx *c);
void jit_emit_lnz_mark(Ctx *c);
void jit_emit_lnz_stops(Ctx *c);
uint8_t jit_fplan_of(const Ctx *c, const IROp *op);
/* EAX = NZCV at bits 31:28, zero elsewhere, from either form of cpu->nzcv
 * (cpu.h); EFLAGS clobbered. */
void jit_emit_nzcv_load(Ctx *c);
/* CF = the flag at canonical bit `bit` (31 N, 30 Z, 29 C, 28 V) of cpu->nzcv,
 * in either form; no register written. */
void jit_emit_nzcv_bt(Ctx *c, int bit);
/* The x86 condition code under which the COND temp t holds, put in EFLAGS:
 * its setter's EFLAGS if they are still there, a test of AL if it is
 * there, else a compare of its value with 0 (cpu/jit_x86.c). */
int jit_cond_in_eflags(Ctx *c, IRTemp t);
/* CF = NZCV's C (borrow: NOT C, for SBB) for the ADC, SBC, ADCS or SBCS at
 * op m, made again from the temps of the deferred flag window it reads
 * (jit_plan_flags): RCX and the flags clobbered, nothing else. false (nothing
 * emitted) if no window covers it: the setter packed, read it with
 * jit_emit_nzcv_bt. */
bool jit_emit_carry(Ctx *c, uint32_t m, bool borrow);
/* cpu/jit_mem_x86.c */
bool jit_plan_mem_runs(Ctx *c);
/* After jit_plan_mem_runs and jit_loop_plan: Ctx.lts_op; jit_emit_lts_init
 * empties the caches at a self-loop's head. */
void jit_plan_loop_tlb(Ctx *c);
void jit_emit_lts_init(Ctx *c);
void jit_emit_mem(Ctx *c, const IROp *op);
bool jit_emit_atomic(Ctx *c, const IROp *op);
uint32_t jit_emit_casp_fast(Ctx *c, const IROp *op);
void jit_emit_stubs(Ctx *c);
/* edx = the TLB slot's byte offset in its row for the address in register
 * va; returns the CPUState offset of the op's regime's row. */
int32_t jit_emit_tlb_entry(Ctx *c, const IROp *op, int va);
/* The CPUState offset of the op's regime's TLB row (no code). */
int32_t jit_tlb_row(const Ctx *c, const IROp *op);
/* cpu/jit_excl_x86.c */
enum { EXCL_STUB_LDXR = 1, EXCL_STUB_STXR };
bool jit_emit_excl(Ctx *c, const IROp *op);
void jit_emit_excl_stub(Ctx *c, const Stub *s);
/* cpu/jit_loop_x86.c */
void jit_loop_plan(Ctx *c, const IRBlock *b);
void jit_loop_extend(const Ctx *c, uint32_t *last);
/* At a self-loop's head: the carried V registers into their cache slots,
 * from cpu->v (emit: on the way in from the block's entry), and the
 * compile-time cache emptied but for them. */
void jit_loop_head_v(Ctx *c, bool emit);
/* Just before a branch back to the loop's head (in the main stream, so
 * that the loop stub needs nothing for them): each carried V register into
 * XMM8+k, from its cache register (staged through XMM0-3, so that no
 * source is overwritten first) or from cpu->v (write-through: current).
 * Flags and general registers untouched. */
void jit_loop_branch_v(Ctx *c);
void jit_emit_loop_stubs(Ctx *c);
/* cpu/jit_chain_x86.c */
/* A chained entry's safe-point checks (the block's entry, and a self-loop's
 * stub): the request word, then the block's instructions off the budget;
 * to labels stop / stop_budget when refused. */
void jit_emit_entry_checks(Ctx *c, uint32_t stop, uint32_t stop_budget);
void jit_emit_direct(Ctx *c, uint64_t target, int slot, IRTemp cond, int cc);
void jit_emit_exits(Ctx *c);
void jit_emit_jump_indirect(Ctx *c);

#endif
