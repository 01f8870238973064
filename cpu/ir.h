/* IR: typed ops from ir_ops.def, blocks with explicit terminals, a builder,
 * a verifier and a dumper. Thread rules: an IRBlock under construction is
 * private to the translating vCPU; once published in the translation cache it
 * is immutable and may be executed by any vCPU thread. */
#ifndef FLOTILLA_IR_H
#define FLOTILLA_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum IROpcode {
#define IR_OP(name, nin, dst, kind) IR_##name,
#include "ir_ops.def"
#undef IR_OP
    IR_NUM_OPS
};

enum IRKind { IRK_PURE, IRK_STATE, IRK_MEM, IRK_CALL, IRK_EXIT, IRK_TERM };

typedef struct IROpInfo {
    const char *name;
    uint8_t nin;
    uint8_t has_dst;
    uint8_t kind;
} IROpInfo;

extern const IROpInfo ir_op_info[IR_NUM_OPS];

/* IROp.flags */
enum {
    IRF_SIGNED = 1 << 0,  /* load: sign-extend to aux bytes (4 or 8) */
    IRF_ACQ = 1 << 1,     /* load-acquire (incl. LDAPR) */
    IRF_REL = 1 << 2,     /* store-release */
    IRF_UNPRIV = 1 << 3,  /* LDTR/STTR: EL0 permission check */
    IRF_EXCEPT = 1 << 4,  /* CALL: helper may raise a guest exception */
    IRF_PAIR = 1 << 5,    /* reserved for pair exclusives done by helpers */
    IRF_ALIGN = 1 << 6,   /* load/store: alignment fault unless aligned to its size (SCTLR_EL1.A) */
    /* LOAD/STORE of 8 bytes that architecturally are eight byte accesses (the
     * byte elements of LD1-LD4/ST1-ST4): one access where the fast path
     * takes it (RAM, not Device, in one page), the bytes one by one
     * otherwise (memory/tlb.c: MMIO, Device, page crossing, watchpoints). */
    IRF_BYTES = 1 << 7,
};

/* IR_ATOMIC_RMW aux */
enum IRRmw {
    IR_RMW_ADD, IR_RMW_CLR, IR_RMW_EOR, IR_RMW_SET,
    IR_RMW_SMAX, IR_RMW_SMIN, IR_RMW_UMAX, IR_RMW_UMIN, IR_RMW_SWP,
};

/* IR_FENCE imm */
enum IRFence {
    IR_FENCE_FULL,    /* DMB/DSB that orders store->load: host MFENCE */
    IR_FENCE_WEAK,    /* orders only what TSO already orders: compiler barrier */
};

typedef uint16_t IRTemp;
#define IR_NO_TEMP ((IRTemp)0xffff)

typedef struct IROp {
    uint8_t opc;
    uint8_t size;
    uint16_t flags;
    IRTemp dst, a, b, c;
    uint32_t aux;
    uint64_t imm;
} IROp;

#define IR_MAX_OPS 4096
#define IR_MAX_TEMPS 8192

/* Direct-branch chain slots of a block: 0 the terminal BRCOND (and a DSB's
 * exit), 1 the GOTO, 2 and 3 side exits: BRCONDs in the middle of a block
 * that continues past a conditional branch (docs/jit-loops.md, "Side exits").
 * A BRCOND's aux is its slot in bits 7:0 and, for a side exit, the
 * instructions after it in bits 31:8: the block was counted whole on entry,
 * so taking the exit gives those back. */
#define IR_CHAIN_SLOTS 4
#define IR_SIDE_EXITS 2
#define IR_BRCOND_AUX(slot, unrun) ((uint32_t)(slot) | (uint32_t)(unrun) << 8)

typedef struct IRBlock {
    uint64_t pc;        /* guest virtual pc of the first instruction */
    uint32_t nops;
    uint32_t ntemps;
    uint32_t ninsns;    /* guest instructions in the block */
    /* A loop trace (docs/jit-loops.md, "Loop traces"): the first n1 instructions
     * are at pc, pc + 4, ...; the rest at pc2, pc2 + 4, ..., all of them in
     * pc's page and before pc. pc2 = 0: none (n1 is then ninsns). */
    uint32_t n1;
    uint64_t pc2;
    uint32_t cap;
    IROp *ops;
    /* Non-NULL while ops is borrowed from this scratch array (ir_block_init_scratch)
     * until ir_block_trim copies the ops out. */
    struct IRScratch *scratch;
    /* ir_verify passed (smp/vcpu.c sets it before publishing the block; the
     * IR does not change after): the JIT need not check the temps again. */
    bool verified;
    /* The code memory native came from (jit_compile sets it; ir_block_free
     * gives the code back to it). */
    struct JitCode *jit_code;
    void *native;          /* tier-1 code (cpu/jit_x86.c) or NULL: interpret */
    uint32_t native_size;  /* bytes reserved for it in the code buffer */
    /* Tier-1 chaining (cpu/jit_x86.c): `native` is the chained entry (request
     * and budget checks); the dispatcher enters at native + entry_body. For
     * each direct-branch slot, chain_site is the offset of the patchable
     * rel32 (0: none), chain_stub the offset it points to while unchained,
     * chain_pc the target it was compiled for, chain_loop (0: none) where a
     * chain to the block itself points instead of native (jit_loop_x86.c;
     * slots 0 and 1 only). */
    uint32_t entry_body;
    uint32_t chain_site[IR_CHAIN_SLOTS], chain_stub[IR_CHAIN_SLOTS], chain_loop[IR_CHAIN_SLOTS];
    uint64_t chain_pc[IR_CHAIN_SLOTS];
    /* Translated without ir_optimize (docs/jit.md, "Optimizing on the worker"):
     * most blocks never reach the JIT threshold, and the interpreter runs
     * the IR as translated. Its compile optimizes a copy, which lives only
     * as long as the compile. Once native is there (from either IR: the
     * code carries the few ops its slow paths hand the interpreter) nothing
     * interprets ops again: the cache frees them after a grace period
     * (sync/tcache.c, tcache_native_ready) and sets ops_dropped. */
    bool unoptimized;
    _Atomic bool ops_dropped;
} IRBlock;

/* Any thread. The guest pc of the block's instruction number i (0-based,
 * in the order the block runs them). */
static inline uint64_t ir_insn_pc(const IRBlock *b, uint32_t i)
{
    return b->pc2 && i >= b->n1 ? b->pc2 + 4ull * (i - b->n1) : b->pc + 4ull * i;
}

/* Any thread. How many of the block's instructions run from the one at
 * `pc` to the end, that one included (0: pc is not in the block). */
static inline uint32_t ir_insns_from(const IRBlock *b, uint64_t pc)
{
    if (pc >= b->pc && pc < b->pc + 4ull * (b->pc2 ? b->n1 : b->ninsns))
        return b->ninsns - (uint32_t)((pc - b->pc) / 4);
    if (b->pc2 && pc >= b->pc2 && pc < b->pc2 + 4ull * (b->ninsns - b->n1))
        return b->ninsns - b->n1 - (uint32_t)((pc - b->pc2) / 4);
    return 0;
}

/* Any thread: b's native code, or NULL. Acquire: a block may be compiled
 * after it was published (docs/jit.md, "Lazy compilation"), and the fields
 * jit_compile sets before native are valid once it is seen. */
static inline void *ir_native(const IRBlock *b) { return __atomic_load_n(&b->native, __ATOMIC_ACQUIRE); }

/* An op array one thread reuses for block after block: translating into it
 * and copying the ops out at their final size saves a 6 KiB malloc and a
 * shrinking realloc per block (docs/jit.md, "Translation cost"). Owner
 * thread only; zeroed = empty. */
typedef struct IRScratch {
    IROp *ops;
    uint32_t cap;
} IRScratch;

/* Any thread (on its own block). */
void ir_block_init(IRBlock *b, uint64_t pc);
/* Owner of s: as ir_block_init, but the ops are built in s's array until
 * ir_block_trim (or ir_block_free) gives it back. */
void ir_block_init_scratch(IRBlock *b, uint64_t pc, IRScratch *s);
/* Owner of s: free s's array. */
void ir_scratch_free(IRScratch *s);
void ir_block_free(IRBlock *b);
IRTemp ir_new_temp(IRBlock *b);
/* Append an op; returns its dst temp (allocated if the op has one). */
IRTemp ir_emit(IRBlock *b, int opc, int size, uint16_t flags, IRTemp a, IRTemp b_, IRTemp c,
               uint32_t aux, uint64_t imm);
/* Returns NULL if the block is well formed, else a static description of the first error. */
const char *ir_verify(const IRBlock *b);
/* The same checks one op at a time (ir_verify's message when it fails; the
 * tests' reference for its fast path). Any thread. */
const char *ir_verify_reference(const IRBlock *b);
void ir_dump(const IRBlock *b, FILE *out);
bool ir_block_terminated(const IRBlock *b);
/* Any thread, on an unpublished block: give back the unused part of the op
 * array (blocks live long; most use far fewer than the 256 ops reserved),
 * or copy the ops out of a borrowed scratch array.
 * Op addresses may change: call it before anything keeps pointers to ops. */
void ir_block_trim(IRBlock *b);
/* Any thread: the chain slot of a direct branch (BRCOND: aux bits 7:0,
 * GOTO: 1 if aux else 0), -1 for any other op. */
static inline int ir_branch_slot(const IROp *op)
{
    return op->opc == IR_BRCOND ? (int)(op->aux & 0xff) : op->opc == IR_GOTO ? (op->aux ? 1 : 0) : -1;
}
/* Any thread: the instructions a taken BRCOND leaves unrun (0 but for side exits). */
static inline uint32_t ir_brcond_unrun(const IROp *op) { return op->aux >> 8; }
/* Any thread: true if b's first direct branch of a slot goes to b's own
 * start and nothing in b but SET_REG writes X registers (cpu/ir_opt.c). */
bool ir_self_loop(const IRBlock *b);
/* Loop-carried register reads a self-loop keeps at its head (ir_optimize). */
#define IR_LOOP_CARRIED 4
/* Any thread: carried[r] = b writes X register r (SET_REG): in a self-loop,
 * the registers whose value flows from one pass to the next. */
void ir_loop_carried(const IRBlock *b, bool carried[32]);
/* Any thread: a CALL that can neither fault nor read or write X registers or SP (cpu/ir_opt.c). */
bool ir_call_keeps_x(const IROp *op);
/* Any thread, on an unpublished block: forward guest-register reads, drop NOPs (cpu/ir_opt.c). */
void ir_optimize(IRBlock *b);

#endif
