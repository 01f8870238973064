/* Tier 0 interpreter: executes an IR block op by op. It is meant to be simple
 * and obviously right: it is the oracle for a later JIT. */
#include "interp.h"

#include "../memory/mem.h"
#include "../sync/atomic.h"
#include "jit_x86.h"
#include "translate.h"
#include "../smp/weakmem.h"

static inline uint64_t trunc_sz(uint64_t v, int size) { return size == 4 ? (uint32_t)v : v; }

static uint32_t nzcv_add(uint64_t a, uint64_t b, uint64_t carry, int size, uint64_t *res)
{
    uint32_t n, z, c, v;
    if (size == 4) {
        uint64_t ua = (uint32_t)a, ub = (uint32_t)b;
        uint64_t us = ua + ub + carry;
        int64_t ss = (int64_t)(int32_t)a + (int64_t)(int32_t)b + (int64_t)carry;
        uint32_t r = (uint32_t)us;
        n = r >> 31;
        z = r == 0;
        c = us != r;
        v = (int64_t)(int32_t)r != ss;
        *res = r;
    } else {
        unsigned __int128 us = (unsigned __int128)a + b + carry;
        __int128 ss = (__int128)(int64_t)a + (__int128)(int64_t)b + (__int128)carry;
        uint64_t r = (uint64_t)us;
        n = r >> 63;
        z = r == 0;
        c = us != r;
        v = (__int128)(int64_t)r != ss;
        *res = r;
    }
    return n << 31 | z << 30 | c << 29 | v << 28;
}

static uint64_t rbit64(uint64_t x)
{
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
    x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
    return __builtin_bswap64(x);
}

static uint64_t get_reg(CPUState *cpu, uint64_t r) { return cpu->x[r]; }

/* A LOAD/STORE that is neither acquire (on a run without -det weak=on) nor
 * release, and each 8-byte half of LOAD_V/LOAD_V2/STORE_V: through the
 * core's store buffer under -det weak=on, else straight to memory. The
 * calling vCPU's thread. */
static bool plain_load(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t *v)
{
    if (__builtin_expect(cpu->weak != NULL, 0))
        return weak_load(cpu, va, size, flags, v); /* -det weak=on */
    return mem_load(cpu, va, size, flags, v);
}

static bool plain_store(CPUState *cpu, uint64_t va, int size, uint16_t flags, uint64_t v)
{
    if (__builtin_expect(cpu->weak != NULL, 0))
        return weak_store(cpu, va, size, flags, v); /* -det weak=on: buffered */
    return mem_store(cpu, va, size, flags, v);
}

/* One op: -1 to go on with the next op, else how the block leaves. Shared
 * by both tiers: the JIT calls interp_exec_op for the ops (and slow paths)
 * it does not generate itself, so each op's meaning is written once. `opc`
 * is op->opc; interp_run_ir passes it as a constant, so that each of its
 * copies folds to one case (see there). */
static inline __attribute__((always_inline)) int exec_op_k(CPUState *cpu, const IROp *op, uint64_t *t, unsigned opc)
{
    {
        const int sz = op->size;
        const int w = sz * 8;
        /* Scratch values of the cases; the loads have their own (a variable
         * whose address is taken lives in memory: zeroing it per op was
         * ~10% of interp_run_ir). */
        uint64_t a, b;
        switch (opc) {
        case IR_NOP:
            break;
        case IR_INSN_START:
            cpu->pc = op->imm;
            break;
        case IR_CONST:
            t[op->dst] = op->imm;
            break;
        case IR_MOV:
            t[op->dst] = trunc_sz(t[op->a], sz);
            break;
        case IR_GET_REG:
            t[op->dst] = get_reg(cpu, op->imm);
            break;
        case IR_SET_REG:
            cpu->x[op->imm] = t[op->a];
            break;
        case IR_GET_VREG:
            t[op->dst] = cpu->v[op->imm >> 1][op->imm & 1];
            break;
        case IR_SET_VREG:
            cpu->v[op->imm >> 1][op->imm & 1] = t[op->a];
            break;
        case IR_GET_NZCV:
            t[op->dst] = cpu_nzcv(cpu);
            break;
        case IR_GET_FIELD:
            memcpy(&t[op->dst], (const char *)cpu + op->imm, 8);
            break;
        case IR_SET_NZCV:
            cpu->nzcv = (uint32_t)t[op->a] & 0xf0000000u;
            break;
#define BIN(NAME, EXPR)                                                                           \
    case IR_##NAME:                                                                               \
        a = t[op->a];                                                                             \
        b = t[op->b];                                                                             \
        t[op->dst] = trunc_sz((EXPR), sz);                                                        \
        break;
        BIN(ADD, a + b)
        BIN(SUB, a - b)
        BIN(AND, a & b)
        BIN(OR, a | b)
        BIN(XOR, a ^ b)
        BIN(ANDN, a & ~b)
        BIN(ORN, a | ~b)
        BIN(XORN, a ^ ~b)
        BIN(SHL, a << (b & (w - 1)))
        BIN(SHR, trunc_sz(a, sz) >> (b & (w - 1)))
        BIN(SAR, sz == 4 ? (uint64_t)(uint32_t)((int32_t)a >> (b & 31)) : (uint64_t)((int64_t)a >> (b & 63)))
        BIN(MUL, a * b)
#undef BIN
        case IR_ROR: {
            a = trunc_sz(t[op->a], sz);
            unsigned r = (unsigned)(t[op->b] & (uint64_t)(w - 1));
            t[op->dst] = r ? trunc_sz((a >> r) | (a << (w - r)), sz) : a;
            break;
        }
        case IR_NOT:
            t[op->dst] = trunc_sz(~t[op->a], sz);
            break;
        case IR_NEG:
            t[op->dst] = trunc_sz(-t[op->a], sz);
            break;
        case IR_UMULH:
            t[op->dst] = (uint64_t)(((unsigned __int128)t[op->a] * t[op->b]) >> 64);
            break;
        case IR_SMULH:
            t[op->dst] = (uint64_t)(((__int128)(int64_t)t[op->a] * (int64_t)t[op->b]) >> 64);
            break;
        case IR_UDIV:
            a = trunc_sz(t[op->a], sz);
            b = trunc_sz(t[op->b], sz);
            t[op->dst] = b ? a / b : 0;
            break;
        case IR_SDIV:
            if (sz == 4) {
                int32_t x = (int32_t)t[op->a], y = (int32_t)t[op->b];
                t[op->dst] = (uint32_t)(y == 0 ? 0 : (x == INT32_MIN && y == -1) ? x : x / y);
            } else {
                int64_t x = (int64_t)t[op->a], y = (int64_t)t[op->b];
                t[op->dst] = (uint64_t)(y == 0 ? 0 : (x == INT64_MIN && y == -1) ? x : x / y);
            }
            break;
        case IR_CLZ:
            a = trunc_sz(t[op->a], sz);
            t[op->dst] = a ? (uint64_t)(__builtin_clzll(a) - (64 - w)) : (uint64_t)w;
            break;
        case IR_CLS: {
            a = trunc_sz(t[op->a], sz);
            uint64_t x = trunc_sz(a ^ (a >> 1), sz) & ((w == 64) ? ~0ull >> 1 : (1ull << (w - 1)) - 1);
            t[op->dst] = x ? (uint64_t)(__builtin_clzll(x) - (64 - w) - 1) : (uint64_t)(w - 1);
            break;
        }
        case IR_RBIT:
            a = rbit64(t[op->a]);
            t[op->dst] = sz == 4 ? a >> 32 : a;
            break;
        case IR_REV:
            t[op->dst] = sz == 4 ? __builtin_bswap32((uint32_t)t[op->a]) : __builtin_bswap64(t[op->a]);
            break;
        case IR_REV16:
            a = t[op->a];
            t[op->dst] = trunc_sz(((a >> 8) & 0x00ff00ff00ff00ffull) | ((a & 0x00ff00ff00ff00ffull) << 8), sz);
            break;
        case IR_REV32:
            a = t[op->a];
            t[op->dst] = (uint64_t)__builtin_bswap32((uint32_t)a) |
                         (uint64_t)__builtin_bswap32((uint32_t)(a >> 32)) << 32;
            break;
        case IR_SEXT: {
            unsigned from = (unsigned)op->imm;
            a = t[op->a];
            uint64_t v = from >= 64 ? a : (uint64_t)(((int64_t)(a << (64 - from))) >> (64 - from));
            t[op->dst] = trunc_sz(v, sz);
            break;
        }
        case IR_ZEXT:
            t[op->dst] = op->imm >= 64 ? t[op->a] : t[op->a] & ((1ull << op->imm) - 1);
            break;
        case IR_ADD_FLAGS:
            cpu->nzcv = nzcv_add(t[op->a], t[op->b], 0, sz, &t[op->dst]);
            break;
        case IR_SUB_FLAGS:
            cpu->nzcv = nzcv_add(t[op->a], ~t[op->b], 1, sz, &t[op->dst]);
            break;
        case IR_CADD_FLAGS: case IR_CSUB_FLAGS: {
            uint64_t r;
            if (!t[op->a])
                cpu->nzcv = (uint32_t)op->imm & 0xf0000000u;
            else if (opc == IR_CADD_FLAGS)
                cpu->nzcv = nzcv_add(t[op->b], t[op->c], 0, sz, &r);
            else
                cpu->nzcv = nzcv_add(t[op->b], ~t[op->c], 1, sz, &r);
            break;
        }
        case IR_ADC:
            t[op->dst] = trunc_sz(t[op->a] + t[op->b] + (cpu_nzcv(cpu) >> 29 & 1), sz);
            break;
        case IR_ADC_FLAGS:
            cpu->nzcv = nzcv_add(t[op->a], t[op->b], cpu_nzcv(cpu) >> 29 & 1, sz, &t[op->dst]);
            break;
        case IR_SBC:
            t[op->dst] = trunc_sz(t[op->a] + ~t[op->b] + (cpu_nzcv(cpu) >> 29 & 1), sz);
            break;
        case IR_SBC_FLAGS:
            cpu->nzcv = nzcv_add(t[op->a], ~t[op->b], cpu_nzcv(cpu) >> 29 & 1, sz, &t[op->dst]);
            break;
        case IR_LOGIC_FLAGS:
            a = trunc_sz(t[op->a], sz);
            cpu->nzcv = (uint32_t)((a >> (w - 1)) & 1) << 31 | (uint32_t)(a == 0) << 30;
            break;
        case IR_COND:
            t[op->dst] = cond_holds(cpu_nzcv(cpu), (int)op->imm);
            break;
        case IR_CMP_EQ:
            t[op->dst] = trunc_sz(t[op->a], sz) == trunc_sz(t[op->b], sz);
            break;
        case IR_CMP_NE:
            t[op->dst] = trunc_sz(t[op->a], sz) != trunc_sz(t[op->b], sz);
            break;
        case IR_SELECT:
            t[op->dst] = t[op->a] ? t[op->b] : t[op->c];
            break;
        case IR_LOAD: {
            /* Load-acquire: alignment check and ordering in sync/atomic.c
             * (under -det weak=on the store buffer orders it). */
            uint64_t v = 0;
            if (__builtin_expect((op->flags & IRF_ACQ) && !cpu->weak, 0)) {
                if (!atomic_load_acquire(cpu, t[op->a], sz, op->flags, &v))
                    return BX_EXCEPTION;
            } else if (!plain_load(cpu, t[op->a], sz, op->flags, &v))
                return BX_EXCEPTION;
            if (op->flags & IRF_SIGNED)
                v = trunc_sz((uint64_t)sextract_sz(v, sz), (int)op->aux);
            t[op->dst] = v;
            break;
        }
        case IR_STORE:
            if (__builtin_expect(op->flags & IRF_REL, 0)) {
                if (cpu->weak)
                    weak_drain_all(cpu); /* release: every earlier store first */
                if (!atomic_store_release(cpu, t[op->a], sz, op->flags, t[op->b]))
                    return BX_EXCEPTION;
            } else if (!plain_store(cpu, t[op->a], sz, op->flags, t[op->b]))
                return BX_EXCEPTION;
            break;
        case IR_LOAD_V: {
            /* Both halves before the register: a fault on the second leaves V[imm]. */
            uint64_t lo = 0, hi = 0;
            if (!plain_load(cpu, t[op->a], 8, op->flags, &lo) || !plain_load(cpu, t[op->a] + 8, 8, op->flags, &hi))
                return BX_EXCEPTION;
            cpu->v[op->imm][0] = lo;
            cpu->v[op->imm][1] = hi;
            break;
        }
        case IR_LOAD_V2: {
            uint64_t h[4];
            for (int k = 0; k < 4; k++)
                if (!plain_load(cpu, t[op->a] + 8 * (uint64_t)k, 8, op->flags, &h[k]))
                    return BX_EXCEPTION;
            cpu->v[op->imm >> 5][0] = h[2];
            cpu->v[op->imm >> 5][1] = h[3];
            cpu->v[op->imm & 31][0] = h[0];
            cpu->v[op->imm & 31][1] = h[1];
            break;
        }
        case IR_STORE_V:
            /* The low half may be written when the high one faults, as two STOREs. */
            if (!plain_store(cpu, t[op->a], 8, op->flags, cpu->v[op->imm][0]) ||
                !plain_store(cpu, t[op->a] + 8, 8, op->flags, cpu->v[op->imm][1]))
                return BX_EXCEPTION;
            break;
        case IR_LOAD_EXCL:
            if (__builtin_expect(cpu->weak != NULL, 0))
                weak_drain_all(cpu); /* -det weak=on: ordered after every earlier store */
            if (!atomic_load_excl(cpu, t[op->a], sz, op->flags, &t[op->dst]))
                return BX_EXCEPTION;
            /* Slot settling: retry this LDXR (cpu->pc) from the dispatcher. */
            if (__builtin_expect(cpu->excl_wait != NULL, 0))
                return BX_EXIT;
            break;
        case IR_STORE_EXCL:
            if (__builtin_expect(cpu->weak != NULL, 0))
                weak_drain_all(cpu); /* -det weak=on: ordered after every earlier store */
            if (!atomic_store_excl(cpu, t[op->a], sz, op->flags, t[op->b], &t[op->dst]))
                return BX_EXCEPTION;
            break;
        case IR_ATOMIC_RMW:
            if (__builtin_expect(cpu->weak != NULL, 0))
                weak_drain_all(cpu); /* -det weak=on: ordered after every earlier store */
            if (!atomic_rmw(cpu, t[op->a], sz, op->flags, (enum IRRmw)op->aux, t[op->b], &t[op->dst]))
                return BX_EXCEPTION;
            break;
        case IR_CAS:
            if (__builtin_expect(cpu->weak != NULL, 0))
                weak_drain_all(cpu); /* -det weak=on: ordered after every earlier store */
            if (!atomic_cas(cpu, t[op->a], sz, op->flags, t[op->b], t[op->c], &t[op->dst]))
                return BX_EXCEPTION;
            break;
        case IR_FENCE:
            if (__builtin_expect(cpu->weak != NULL, 0))
                weak_fence(cpu, (int)op->aux); /* -det weak=on: DMB ST, DMB LD, or drain all */
            if (op->imm == IR_FENCE_FULL)
                atomic_thread_fence(memory_order_seq_cst);
            else
                atomic_signal_fence(memory_order_seq_cst);
            break;
        case IR_CALL:
            if (__builtin_expect(cpu->weak != NULL, 0))
                weak_drain_all(cpu); /* -det weak=on: ordered after every earlier store */
            t[op->dst] = helper_table[op->aux](cpu, t[op->a], t[op->b], t[op->c], op->imm);
            if ((op->flags & IRF_EXCEPT) && cpu->exc_pending)
                return BX_EXCEPTION;
            break;
        case IR_BRCOND:
            if (t[op->a]) {
                cpu->pc = op->imm;
                cpu->chain_budget += (int32_t)ir_brcond_unrun(op); /* a side exit: the rest is unrun */
                return bx_of_slot(ir_branch_slot(op));
            }
            break;
        case IR_GOTO:
            cpu->pc = op->imm;
            return op->aux ? BX_SLOT1 : BX_SLOT0;
        case IR_JUMP:
            cpu->pc = t[op->a];
            return BX_JUMP;
        case IR_EXIT:
            cpu->pc = op->imm;
            return BX_EXIT;
        case IR_RAISE:
            cpu_raise(cpu, (enum ExcKind)op->aux, (uint32_t)op->imm, 0);
            return BX_EXCEPTION;
        case IR_CHECK_ALIGN:
            if (t[op->a] & op->imm) {
                cpu_raise(cpu, (enum ExcKind)op->aux, 0, 0);
                return BX_EXCEPTION;
            }
            break;
        default:
            cpu_raise(cpu, EXC_UNDEF, 0, 0);
            return BX_EXCEPTION;
        }
    }
    return -1;
}

int interp_exec_op(CPUState *cpu, const IROp *op, uint64_t *t)
{
    return exec_op_k(cpu, op, t, op->opc);
}

enum BlockExit interp_run(CPUState *cpu, const IRBlock *blk)
{
    if (ir_native(blk))
        return jit_run(cpu, blk);
    return interp_run_ir(cpu, blk);
}

/* Direct threading: one copy of exec_op_k per op kind, each ending in its
 * own indirect jump to the next op's copy, so the host's branch predictor
 * sees which op follows which (one shared jump through the switch's table
 * was ~40% of this function's time in a Linux boot). The ops' meaning is
 * still exec_op_k's. */
enum BlockExit interp_run_ir(CPUState *cpu, const IRBlock *blk)
{
    uint64_t t[blk->ntemps ? blk->ntemps : 1];
    static const void *const op_label[IR_NUM_OPS] = {
#define IR_OP(NAME, NIN, DST, KIND) [IR_##NAME] = &&op_##NAME,
#include "ir_ops.def"
#undef IR_OP
    };
    /* In locals: the ops' stores to guest state could alias the block. */
    const IROp *op = blk->ops;
    const IROp *const end = op + blk->nops;
    int r;
#define DISPATCH()                                                                                \
    do {                                                                                          \
        if (op == end)                                                                            \
            goto fell_off;                                                                        \
        if (__builtin_expect(op->opc >= IR_NUM_OPS, 0))                                           \
            goto bad_op;                                                                          \
        goto *op_label[op->opc];                                                                  \
    } while (0)
    DISPATCH();
#define IR_OP(NAME, NIN, DST, KIND)                                                               \
    op_##NAME:                                                                                    \
    r = exec_op_k(cpu, op, t, IR_##NAME);                                                         \
    if (r >= 0)                                                                                   \
        return (enum BlockExit)r;                                                                 \
    op++;                                                                                         \
    DISPATCH();
#include "ir_ops.def"
#undef IR_OP
#undef DISPATCH
bad_op:
    /* Verified blocks never get here (ir_verify): the switch's default. */
    return (enum BlockExit)exec_op_k(cpu, op, t, op->opc);
fell_off:
    /* The verifier guarantees a terminal; reaching here is a translator bug. */
    cpu_raise(cpu, EXC_UNDEF, 0, 0);
    return BX_EXCEPTION;
}
