/* Translate functions: SIMD&FP loads and stores (cpu/a64/simd_ldst.def):
 * LDR/STR/LDUR/STUR of B/H/S/D/Q registers in every addressing mode, LDR
 * (literal), LDP/STP/LDNP/STNP, and the Advanced SIMD structure loads and
 * stores LD1-LD4/ST1-ST4 (multiple and single structure) and LD1R-LD4R.
 * Every trans_* here is called by the decoder on the translating vCPU
 * thread only (it emits into that thread's DisasCtx).
 *
 * The precise-fault rules are those of cpu/trans_ldst.c: every load of an
 * instruction is emitted before any register write, base writeback after
 * the accesses, store data read before the writeback. A 128-bit access is
 * two 8-byte accesses (low address first); a faulting second half leaves
 * the registers unchanged. A single Q register (LDR/STR/LDUR/STUR, every
 * addressing mode) is one LOAD_V/STORE_V op and STP Q two: each moves 16
 * bytes between memory and the V slot directly (the JIT: one movups, no
 * 8-byte stores that a 16-byte read could not forward from); LDP Q is one
 * LOAD_V2, which writes both registers only after all four halves (a
 * fault on the second register's access must leave the first). Stores of
 * several elements may leave the first ones written when a later one
 * faults (the architecture allows it).
 *
 * Access sizes: scalar B/H/S/D registers and single-structure lanes use the
 * element size; LD1-LD4/ST1-ST4 (multiple) move the whole contiguous
 * transfer in 8-byte chunks (it is always a multiple of 8 bytes), which is
 * the same bytes with fewer ops. This is exact while alignment is not
 * checked for ordinary accesses (docs/architecture.md); strict alignment
 * (SCTLR.A) would have to check at the element size instead.
 * LD2-LD4/ST2-ST4 (multiple) load the raw bytes into the destination
 * registers and then permute the elements with a non-faulting helper
 * (vld_deinterleave), or build each interleaved chunk with vst_interleave,
 * which keeps the IR short (an LD4 of 16-byte elements is ~30 ops rather
 * than ~300).
 *
 * CONSTRAINED UNPREDICTABLE choice: LDP/LDNP with Rt == Rt2 writes the
 * first (lower address) element, as the integer LDP does. */
#include "translate.h"

enum Idx { IDX_OFF, IDX_PRE, IDX_POST };

static IRTemp add_imm(DisasCtx *s, IRTemp base, int64_t off)
{
    if (off == 0)
        return base;
    return t_op(s, IR_ADD, 8, base, t_const(s, (uint64_t)off));
}

/* Byte elements as one 8-byte access (IRF_BYTES): a byte cannot be
 * misaligned, so no alignment check; where the access leaves the fast path
 * (MMIO, Device, page crossing, watchpoints) memory/tlb.c does the eight
 * byte accesses. Not with -det weak=on, whose store buffers work per
 * access. */
static bool bytes_as_one(const DisasCtx *s, int esize)
{
    return esize == 1 && !s->cpu->weak;
}

/* 8 bytes at addr as one load, or (esize < 8) as 8 / esize element loads
 * so that each element is alignment-checked on its own size. */
static IRTemp load_chunk(DisasCtx *s, IRTemp addr, int esize)
{
    if (esize == 8)
        return gen_load(s, addr, 8, 0, 0);
    if (bytes_as_one(s, esize))
        return ir_emit(s->b, IR_LOAD, 8, IRF_BYTES, addr, IR_NO_TEMP, IR_NO_TEMP, 0, 0);
    IRTemp v = IR_NO_TEMP;
    for (int off = 0; off < 8; off += esize) {
        IRTemp e = gen_load(s, add_imm(s, addr, off), esize, 0, 0);
        if (off)
            e = t_op(s, IR_SHL, 8, e, t_const(s, (uint64_t)off * 8));
        v = off ? t_op(s, IR_OR, 8, v, e) : e;
    }
    return v;
}

static void store_chunk(DisasCtx *s, IRTemp addr, IRTemp v, int esize)
{
    if (esize == 8) {
        gen_store(s, addr, v, 8, 0);
        return;
    }
    if (bytes_as_one(s, esize)) {
        ir_emit(s->b, IR_STORE, 8, IRF_BYTES, addr, v, IR_NO_TEMP, 0, 0);
        return;
    }
    for (int off = 0; off < 8; off += esize)
        gen_store(s, add_imm(s, addr, off), off ? t_op(s, IR_SHR, 8, v, t_const(s, (uint64_t)off * 8)) : v, esize, 0);
}

/* A register image loaded from memory: low half and (Q only) high half. */
typedef struct VVal {
    IRTemp lo, hi;
} VVal;

/* Load `bytes` (1, 2, 4, 8 or 16) at addr. */
static VVal load_v(DisasCtx *s, IRTemp addr, int bytes)
{
    VVal v = {IR_NO_TEMP, IR_NO_TEMP};
    if (bytes == 16) {
        v.lo = gen_load(s, addr, 8, 0, 0);
        v.hi = gen_load(s, add_imm(s, addr, 8), 8, 0, 0);
    } else {
        v.lo = gen_load(s, addr, bytes, 0, 0);
    }
    return v;
}

/* Write a loaded scalar/Q value: the bits above it become zero. */
static void write_v(DisasCtx *s, int rt, VVal v)
{
    write_vreg(s, rt, 0, v.lo);
    write_vreg(s, rt, 1, v.hi == IR_NO_TEMP ? t_const(s, 0) : v.hi);
}

/* Read the low `bytes` of V[rt] for a store. */
static VVal read_v(DisasCtx *s, int rt, int bytes)
{
    VVal v = {read_vreg(s, rt, 0), IR_NO_TEMP};
    if (bytes == 16)
        v.hi = read_vreg(s, rt, 1);
    return v;
}

/* The store truncates the value to the access size. */
static void store_v(DisasCtx *s, IRTemp addr, VVal v, int bytes)
{
    if (bytes == 16) {
        gen_store(s, addr, v.lo, 8, 0);
        gen_store(s, add_imm(s, addr, 8), v.hi, 8, 0);
    } else {
        gen_store(s, addr, v.lo, bytes, 0);
    }
}

/* The flags of LOAD_V/LOAD_V2/STORE_V: as gen_load's, each 8-byte half
 * aligned to 8 under an alignment check. */
static uint16_t q_flags(const DisasCtx *s) { return s->tb_flags & TBF_A ? IRF_ALIGN : 0; }

/* V[rt] = the 16 bytes at addr, or [addr] = V[rt]: one LOAD_V/STORE_V.
 * Translating thread. */
static void ldst_q(DisasCtx *s, IRTemp addr, int rt, bool load)
{
    ir_emit(s->b, load ? IR_LOAD_V : IR_STORE_V, 16, q_flags(s), addr, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)rt);
}

/* ---------------- single register ---------------- */

/* size = bits 31:30, opc = bits 23:22: log2 of the access size, or -1. */
static int v_scale(uint32_t insn)
{
    int size = (int)bits(insn, 31, 30);
    if (bit(insn, 23))
        return size == 0 ? 4 : -1; /* Q */
    return size;
}

static bool ldst_v_imm(DisasCtx *s, uint32_t insn, bool uimm, enum Idx idx)
{
    int scale = v_scale(insn), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    if (scale < 0)
        return false;
    if (!fp_access_check(s))
        return true;
    int bytes = 1 << scale;
    int64_t off = uimm ? (int64_t)bits(insn, 21, 10) << scale : sextract64(insn, 12, 9);
    IRTemp base = read_base_sp(s, rn);
    IRTemp addr = idx == IDX_POST ? base : add_imm(s, base, off);
    if (bytes == 16)
        ldst_q(s, addr, rt, bit(insn, 22));
    else if (bit(insn, 22))
        write_v(s, rt, load_v(s, addr, bytes));
    else
        store_v(s, addr, read_v(s, rt, bytes), bytes);
    if (idx != IDX_OFF)
        write_xreg_sp(s, rn, idx == IDX_POST ? add_imm(s, base, off) : addr, 1);
    return true;
}

bool trans_STR_v_uimm(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, true, IDX_OFF); }
bool trans_LDR_v_uimm(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, true, IDX_OFF); }
bool trans_STUR_v(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, false, IDX_OFF); }
bool trans_LDUR_v(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, false, IDX_OFF); }
bool trans_STR_v_post(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, false, IDX_POST); }
bool trans_LDR_v_post(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, false, IDX_POST); }
bool trans_STR_v_pre(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, false, IDX_PRE); }
bool trans_LDR_v_pre(DisasCtx *s, uint32_t insn) { return ldst_v_imm(s, insn, false, IDX_PRE); }

/* Register offset: address = Rn + (ExtendReg(Rm, option) << (S ? scale : 0)). */
static bool ldst_v_reg(DisasCtx *s, uint32_t insn)
{
    int scale = v_scale(insn), rm = (int)bits(insn, 20, 16), option = (int)bits(insn, 15, 13);
    int rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    if (scale < 0 || !(option & 2))
        return false; /* option<1> == 0 (UXTB/UXTH/SXTB/SXTH) is reserved */
    if (!fp_access_check(s))
        return true;
    int bytes = 1 << scale;
    IRTemp base = read_base_sp(s, rn);
    IRTemp off = read_xreg(s, rm, 1); /* Rm = 31 is XZR */
    if (option == 2)                   /* UXTW */
        off = t_opi(s, IR_ZEXT, 8, off, 32);
    else if (option == 6)              /* SXTW */
        off = t_opi(s, IR_SEXT, 8, off, 32);
    if (bit(insn, 12) && scale)
        off = t_op(s, IR_SHL, 8, off, t_const(s, (uint64_t)scale));
    IRTemp addr = t_op(s, IR_ADD, 8, base, off);
    if (bytes == 16)
        ldst_q(s, addr, rt, bit(insn, 22));
    else if (bit(insn, 22))
        write_v(s, rt, load_v(s, addr, bytes));
    else
        store_v(s, addr, read_v(s, rt, bytes), bytes);
    return true;
}

bool trans_STR_v_reg(DisasCtx *s, uint32_t insn) { return ldst_v_reg(s, insn); }
bool trans_LDR_v_reg(DisasCtx *s, uint32_t insn) { return ldst_v_reg(s, insn); }

/* Literal: opc 00 S, 01 D, 10 Q; the address is known at translation time. */
bool trans_LDR_v_lit(DisasCtx *s, uint32_t insn)
{
    int opc = (int)bits(insn, 31, 30);
    if (opc == 3)
        return false;
    if (!fp_access_check(s))
        return true;
    IRTemp addr = t_const(s, s->pc + (uint64_t)(sextract64(insn, 5, 19) * 4));
    if (opc == 2)
        ldst_q(s, addr, (int)bits(insn, 4, 0), true);
    else
        write_v(s, (int)bits(insn, 4, 0), load_v(s, addr, 4 << opc));
    return true;
}

/* ---------------- pairs ---------------- */

static bool ldst_v_pair(DisasCtx *s, uint32_t insn, enum Idx idx)
{
    int opc = (int)bits(insn, 31, 30), load = bit(insn, 22);
    int rt2 = (int)bits(insn, 14, 10), rn = (int)bits(insn, 9, 5), rt = (int)bits(insn, 4, 0);
    if (opc == 3)
        return false;
    if (!fp_access_check(s))
        return true;
    int bytes = 4 << opc;
    int64_t off = sextract64(insn, 15, 7) * bytes;
    IRTemp base = read_base_sp(s, rn);
    IRTemp addr = idx == IDX_POST ? base : add_imm(s, base, off);
    IRTemp addr2 = add_imm(s, addr, bytes);
    if (load && bytes == 16) {
        /* One op: all four halves loaded before either register is written. */
        ir_emit(s->b, IR_LOAD_V2, 32, q_flags(s), addr, IR_NO_TEMP, IR_NO_TEMP, 0, (uint64_t)(rt | rt2 << 5));
    } else if (load) {
        /* All loads before any register write (precise faults). */
        VVal v1 = load_v(s, addr, bytes);
        VVal v2 = load_v(s, addr2, bytes);
        write_v(s, rt2, v2);
        write_v(s, rt, v1); /* Rt == Rt2: the first element wins */
    } else if (bytes == 16) {
        ldst_q(s, addr, rt, false);
        ldst_q(s, addr2, rt2, false);
    } else {
        VVal v1 = read_v(s, rt, bytes), v2 = read_v(s, rt2, bytes);
        store_v(s, addr, v1, bytes);
        store_v(s, addr2, v2, bytes);
    }
    if (idx != IDX_OFF)
        write_xreg_sp(s, rn, idx == IDX_POST ? add_imm(s, base, off) : addr, 1);
    return true;
}

bool trans_STNP_v(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_OFF); }
bool trans_LDNP_v(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_OFF); }
bool trans_STP_v_post(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_POST); }
bool trans_LDP_v_post(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_POST); }
bool trans_STP_v_off(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_OFF); }
bool trans_LDP_v_off(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_OFF); }
bool trans_STP_v_pre(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_PRE); }
bool trans_LDP_v_pre(DisasCtx *s, uint32_t insn) { return ldst_v_pair(s, insn, IDX_PRE); }

/* ---------------- structures ---------------- */

/* Post-index writeback of the structure forms: Rm = 31 means "by the
 * transfer size", otherwise by Xm (read before any register write, and Rm
 * is an integer register so the vector writes cannot change it). */
static void struct_writeback(DisasCtx *s, uint32_t insn, IRTemp base, IRTemp xm, int total)
{
    int rn = (int)bits(insn, 9, 5);
    IRTemp inc = xm != IR_NO_TEMP ? xm : t_const(s, (uint64_t)total);
    write_xreg_sp(s, rn, t_op(s, IR_ADD, 8, base, inc), 1);
}

static IRTemp struct_xm(DisasCtx *s, uint32_t insn, bool post)
{
    int rm = (int)bits(insn, 20, 16);
    return post && rm != 31 ? read_xreg(s, rm, 1) : IR_NO_TEMP;
}

/* LD1-LD4/ST1-ST4 (multiple structures). */
static bool ldst_mult(DisasCtx *s, uint32_t insn, bool load, bool post)
{
    int q = bit(insn, 30), opcode = (int)bits(insn, 15, 12), size = (int)bits(insn, 11, 10);
    int rt = (int)bits(insn, 4, 0), rpt, selem;
    switch (opcode) {
    case 0x0: rpt = 1, selem = 4; break; /* LD4/ST4 */
    case 0x2: rpt = 4, selem = 1; break; /* LD1/ST1, 4 registers */
    case 0x4: rpt = 1, selem = 3; break; /* LD3/ST3 */
    case 0x6: rpt = 3, selem = 1; break; /* LD1/ST1, 3 registers */
    case 0x7: rpt = 1, selem = 1; break; /* LD1/ST1, 1 register */
    case 0x8: rpt = 1, selem = 2; break; /* LD2/ST2 */
    case 0xa: rpt = 2, selem = 1; break; /* LD1/ST1, 2 registers */
    default: return false;
    }
    if (size == 3 && q == 0 && selem != 1)
        return false; /* .1D is reserved for LD2-LD4/ST2-ST4 */
    if (!fp_access_check(s))
        return true;
    int nregs = rpt * selem, halves = q ? 2 : 1, nchunks = nregs * halves;
    IRTemp base = read_base_sp(s, (int)bits(insn, 9, 5));
    IRTemp xm = struct_xm(s, insn, post);
    IRTemp val[8];
    uint64_t perm = (uint64_t)rt | (uint64_t)selem << 5 | (uint64_t)size << 8 | (uint64_t)q << 10;
    /* Alignment is checked per element (Arm ARM Mem[] is called with the
     * element size): with an alignment check on (TBF_A: SCTLR_EL1.A, or the
     * MMU off), chunks of smaller elements go element by element. */
    int esize = (s->tb_flags & TBF_A) ? 1 << size : 8;
    if (load) {
        for (int k = 0; k < nchunks; k++)
            val[k] = load_chunk(s, add_imm(s, base, 8 * k), esize);
        /* Register r holds chunks r*halves.. in memory order; then, for
         * LD2-LD4, the helper moves each element to its register. */
        IRTemp zero = q ? IR_NO_TEMP : t_const(s, 0);
        for (int r = 0; r < nregs; r++) {
            int reg = (rt + r) % 32;
            write_vreg(s, reg, 0, val[r * halves]);
            write_vreg(s, reg, 1, q ? val[r * halves + 1] : zero);
        }
        if (selem > 1)
            t_call(s, HELPER_vld_deinterleave, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, perm);
    } else {
        for (int k = 0; k < nchunks; k++) {
            if (selem > 1)
                val[k] = t_call(s, HELPER_vst_interleave, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP,
                                perm | (uint64_t)k << 11);
            else
                val[k] = read_vreg(s, (rt + k / halves) % 32, k % halves);
        }
        for (int k = 0; k < nchunks; k++)
            store_chunk(s, add_imm(s, base, 8 * k), val[k], esize);
    }
    if (post)
        struct_writeback(s, insn, base, xm, nchunks * 8);
    return true;
}

bool trans_ST_mult(DisasCtx *s, uint32_t insn) { return ldst_mult(s, insn, false, false); }
bool trans_LD_mult(DisasCtx *s, uint32_t insn) { return ldst_mult(s, insn, true, false); }
bool trans_ST_mult_post(DisasCtx *s, uint32_t insn) { return ldst_mult(s, insn, false, true); }
bool trans_LD_mult_post(DisasCtx *s, uint32_t insn) { return ldst_mult(s, insn, true, true); }

/* Replicate an element of `ebytes` (zero-extended in v) over 64 bits. */
static IRTemp replicate(DisasCtx *s, IRTemp v, int ebytes)
{
    static const uint64_t pattern[4] = {0x0101010101010101ull, 0x0001000100010001ull, 0x0000000100000001ull, 1};
    if (ebytes == 8)
        return v;
    int l = ebytes == 1 ? 0 : ebytes == 2 ? 1 : 2;
    return t_op(s, IR_MUL, 8, v, t_const(s, pattern[l]));
}

/* LD1-LD4/ST1-ST4 (single structure, one lane) and LD1R-LD4R. */
static bool ldst_single(DisasCtx *s, uint32_t insn, bool load, bool post)
{
    int q = bit(insn, 30), opcode = (int)bits(insn, 15, 13), S = bit(insn, 12);
    int size = (int)bits(insn, 11, 10), rt = (int)bits(insn, 4, 0);
    int scale = opcode >> 1, selem = ((opcode & 1) << 1 | bit(insn, 21)) + 1, index = 0;
    bool repl = false;
    switch (scale) {
    case 3: /* LD1R-LD4R */
        if (!load || S)
            return false;
        scale = size, repl = true;
        break;
    case 0:
        index = q << 3 | S << 2 | size;
        break;
    case 1:
        if (size & 1)
            return false;
        index = q << 2 | S << 1 | size >> 1;
        break;
    default:
        if (size & 2)
            return false;
        if (!(size & 1)) {
            index = q << 1 | S;
        } else {
            if (S)
                return false;
            index = q, scale = 3;
        }
        break;
    }
    if (!fp_access_check(s))
        return true;
    int ebytes = 1 << scale, ebits = 8 * ebytes;
    int half = index * ebits / 64, sh = index * ebits % 64;
    IRTemp base = read_base_sp(s, (int)bits(insn, 9, 5));
    IRTemp xm = struct_xm(s, insn, post);
    IRTemp val[4];
    if (load) {
        for (int j = 0; j < selem; j++)
            val[j] = gen_load(s, add_imm(s, base, j * ebytes), ebytes, 0, 0);
        for (int j = 0; j < selem; j++) {
            int reg = (rt + j) % 32;
            if (repl) {
                IRTemp r = replicate(s, val[j], ebytes);
                write_vreg(s, reg, 0, r);
                write_vreg(s, reg, 1, q ? r : t_const(s, 0));
            } else if (ebytes == 8) {
                write_vreg(s, reg, half, val[j]); /* the other half is kept */
            } else {
                uint64_t mask = ((1ull << ebits) - 1) << sh;
                IRTemp old = t_op(s, IR_AND, 8, read_vreg(s, reg, half), t_const(s, ~mask));
                IRTemp ins = sh ? t_op(s, IR_SHL, 8, val[j], t_const(s, (uint64_t)sh)) : val[j];
                write_vreg(s, reg, half, t_op(s, IR_OR, 8, old, ins));
            }
        }
    } else {
        for (int j = 0; j < selem; j++) {
            IRTemp v = read_vreg(s, (rt + j) % 32, half);
            val[j] = sh ? t_op(s, IR_SHR, 8, v, t_const(s, (uint64_t)sh)) : v;
        }
        for (int j = 0; j < selem; j++)
            gen_store(s, add_imm(s, base, j * ebytes), val[j], ebytes, 0);
    }
    if (post)
        struct_writeback(s, insn, base, xm, selem * ebytes);
    return true;
}

bool trans_ST_single(DisasCtx *s, uint32_t insn) { return ldst_single(s, insn, false, false); }
bool trans_LD_single(DisasCtx *s, uint32_t insn) { return ldst_single(s, insn, true, false); }
bool trans_ST_single_post(DisasCtx *s, uint32_t insn) { return ldst_single(s, insn, false, true); }
bool trans_LD_single_post(DisasCtx *s, uint32_t insn) { return ldst_single(s, insn, true, true); }
