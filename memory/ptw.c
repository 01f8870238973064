/* VMSAv8-64 stage-1 translation table walk, EL1&0 regime, ARMv8.0 + PAN.
 * Follows the Arm ARM pseudocode AArch64.TranslateAddressS1Off,
 * AArch64.TranslationTableWalk and AArch64.CheckPermission; names below
 * (inputsize, grainsize, stride, addrselectbottom, ...) are the pseudocode's.
 * CONSTRAINED UNPREDICTABLE choices are listed in docs/mmu.md. */
#include "ptw.h"

#include <string.h>

/* TCR_EL1 fields */
#define TCR_T0SZ(t) ((unsigned)((t) & 0x3f))
#define TCR_EPD0 (1ull << 7)
#define TCR_TG0(t) ((unsigned)(((t) >> 14) & 3))
#define TCR_T1SZ(t) ((unsigned)(((t) >> 16) & 0x3f))
#define TCR_A1 (1ull << 22)
#define TCR_EPD1 (1ull << 23)
#define TCR_TG1(t) ((unsigned)(((t) >> 30) & 3))
#define TCR_IPS(t) ((unsigned)(((t) >> 32) & 7))
#define TCR_AS (1ull << 36)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)

/* SCTLR_EL1 fields */
#define SCTLR_M (1ull << 0)
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)

/* Descriptor fields */
#define D_VALID (1ull << 0)
#define D_TABLE (1ull << 1) /* 1: table (levels 0-2) or page (level 3); 0: block */
#define D_AP1 (1ull << 6)
#define D_AP2 (1ull << 7)
#define D_AF (1ull << 10)
#define D_NG (1ull << 11)
#define D_CONT (1ull << 52)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define D_PXNTABLE (1ull << 59)
#define D_UXNTABLE (1ull << 60)
#define D_APTABLE0 (1ull << 61) /* no EL0 access at later levels */
#define D_APTABLE1 (1ull << 62) /* no write access at later levels */

#define MAIR_DEVICE_NGNRNE 0x00 /* data accesses with the MMU off */
#define MAIR_NORMAL_NC 0x44
#define MAIR_NORMAL_WT_RA 0xaa /* instruction fetches, MMU off, SCTLR.I = 1 */

/* v<hi:lo>, hi >= lo */
static inline uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & (((2ull << (hi - lo)) - 1));
}

/* Bits hi..lo set. */
static inline uint64_t mask(unsigned hi, unsigned lo) { return bits(~0ull, hi, lo) << lo; }

/* AddrTop() for the EL1&0 regime: the VA's most significant bit. Without
 * FEAT_PAuth there is no TBID, so TBI covers instruction addresses too (the PC
 * never holds a tag anyway: branches sign-extend bit 55 when TBI is set). */
static unsigned addr_top(const PTWRegs *r, uint64_t va)
{
    uint64_t tbi = (va >> 55) & 1 ? r->tcr & TCR_TBI1 : r->tcr & TCR_TBI0;
    return tbi ? 55 : 63;
}

uint64_t ptw_strip_tag(const PTWRegs *regs, uint64_t va)
{
    if (addr_top(regs, va) == 55)
        return (uint64_t)((int64_t)(va << 8) >> 8);
    return va;
}

static int fail(PTWResult *out, int fault, int level)
{
    out->fault = (uint8_t)fault;
    out->level = (int8_t)level;
    return fault;
}

/* Shareability of a mapping: DecodeShareability, with the reserved SH = 01
 * (CONSTRAINED UNPREDICTABLE) taken as Outer Shareable, and Device and Normal
 * Non-cacheable memory always Outer Shareable. */
static uint8_t decode_sh(unsigned sh, uint8_t attr)
{
    if (ptw_attr_is_device(attr) || attr == MAIR_NORMAL_NC)
        return PTW_SH_OUTER;
    switch (sh) {
    case 0: return PTW_SH_NONE;
    case 3: return PTW_SH_INNER;
    default: return PTW_SH_OUTER;
    }
}

/* Output address size of TCR.IPS, capped at PAMax. The reserved encodings
 * (110, 111 without FEAT_LPA) act as the largest size. */
static unsigned ips_bits(unsigned ips, unsigned pamax)
{
    static const uint8_t size[8] = {32, 36, 40, 42, 44, 48, 48, 48};
    return size[ips] < pamax ? size[ips] : pamax;
}

int ptw_walk(const PTWRegs *regs, uint64_t va, enum PTWAccess acc, bool el0, bool pan,
             uint64_t (*read_desc)(void *opaque, uint64_t pa, bool *ok), void *opaque, PTWResult *out)
{
    memset(out, 0, sizeof(*out));
    unsigned pamax = regs->pamax ? regs->pamax : PTW_PAMAX_DEFAULT;
    unsigned top = addr_top(regs, va);

    if (!(regs->sctlr & SCTLR_M)) {
        /* AArch64.TranslateAddressS1Off: flat, data as Device-nGnRnE,
         * instructions as Normal (write-through if SCTLR.I, else NC). */
        out->mmu_off = true;
        out->global = true;
        out->page_shift = 12;
        if (bits(va, top, pamax))
            return fail(out, PTW_FAULT_ADDRESS_SIZE, 0);
        out->pa = bits(va, pamax - 1, 0);
        out->perms = PTW_R_EL0 | PTW_W_EL0 | PTW_X_EL0 | PTW_R_EL1 | PTW_W_EL1 | PTW_X_EL1;
        if (acc == PTW_EXEC)
            out->attr = (regs->sctlr & SCTLR_I) ? MAIR_NORMAL_WT_RA : MAIR_NORMAL_NC;
        else
            out->attr = MAIR_DEVICE_NGNRNE;
        out->sh = PTW_SH_OUTER;
        return PTW_FAULT_NONE;
    }

    /* Which half: VA<top> selects TTBR0 (0) or TTBR1 (1). */
    bool hi = (va >> top) & 1;
    uint64_t tcr = regs->tcr;
    unsigned inputsize = 64 - (hi ? TCR_T1SZ(tcr) : TCR_T0SZ(tcr));
    /* TxSZ out of range is CONSTRAINED UNPREDICTABLE: we FORCE to the limit. */
    if (inputsize > 48)
        inputsize = 48;
    if (inputsize < 25)
        inputsize = 25;
    unsigned grainsize;
    if (hi) /* TG1: 01 16K, 10 4K, 11 64K; the reserved 00 acts as 4K */
        grainsize = TCR_TG1(tcr) == 3 ? 16 : TCR_TG1(tcr) == 1 ? 14 : 12;
    else /* TG0: 00 4K, 01 64K, 10 16K; the reserved 11 acts as 4K */
        grainsize = TCR_TG0(tcr) == 1 ? 16 : TCR_TG0(tcr) == 2 ? 14 : 12;
    int firstblocklevel = grainsize == 12 ? 1 : 2;
    unsigned stride = grainsize - 3;
    uint64_t ttbr = hi ? regs->ttbr1 : regs->ttbr0;

    out->ttbr1 = hi;
    out->asid = (uint16_t)(((tcr & TCR_A1) ? regs->ttbr1 : regs->ttbr0) >> 48);
    if (!(tcr & TCR_AS))
        out->asid &= 0xff;

    /* VA<top:inputsize> must be all zeros (TTBR0) or all ones (TTBR1). */
    uint64_t range = bits(va, top, inputsize);
    bool basefound = range == (hi ? bits(~0ull, top - inputsize, 0) : 0);
    bool disabled = (tcr & (hi ? TCR_EPD1 : TCR_EPD0)) != 0;
    if (!basefound || disabled)
        return fail(out, PTW_FAULT_TRANSLATION, 0);

    /* The starting level: the number of strides needed for the input size. */
    int level = 4 - (int)((inputsize - grainsize + stride - 1) / stride);
    unsigned outputsize = ips_bits(TCR_IPS(tcr), pamax);
    unsigned addrselecttop = inputsize - 1;
    unsigned addrselectbottom = (3 - level) * stride + grainsize;
    /* The first table is aligned to its size (BADDR bits below it ignored). */
    unsigned baselowerbound = 3 + inputsize - addrselectbottom;
    if (outputsize < 48 && bits(ttbr, 47, outputsize))
        return fail(out, PTW_FAULT_ADDRESS_SIZE, 0);
    uint64_t base = ttbr & mask(47, baselowerbound);

    unsigned ap_table = 0; /* bit 1: no write; bit 0: no EL0 access */
    bool xn_table = false, pxn_table = false;
    uint64_t desc;
    for (;;) {
        uint64_t descaddr = base | (bits(va, addrselecttop, addrselectbottom) << 3);
        bool ok = true;
        desc = read_desc(opaque, descaddr, &ok);
        if (!ok) {
            out->walk_pa = descaddr;
            out->on_walk = true;
            return fail(out, PTW_FAULT_WALK_ABORT, level);
        }
        /* Invalid, or the reserved 0b01 at level 3. */
        if (!(desc & D_VALID) || (!(desc & D_TABLE) && level == 3))
            return fail(out, PTW_FAULT_TRANSLATION, level);
        if (!(desc & D_TABLE)) {
            /* Block: only from firstblocklevel on (4K: 1 GiB at L1, 2 MiB at
             * L2; 16K: 32 MiB at L2; 64K: 512 MiB at L2). */
            if (level < firstblocklevel)
                return fail(out, PTW_FAULT_TRANSLATION, level);
            break;
        }
        if (level == 3)
            break; /* page */
        /* Table: next-level address, then the hierarchical limits. */
        if (outputsize < 48 && bits(desc, 47, outputsize))
            return fail(out, PTW_FAULT_ADDRESS_SIZE, level);
        base = desc & mask(47, grainsize);
        ap_table |= (unsigned)bits(desc, 62, 61);
        xn_table |= (desc & D_UXNTABLE) != 0;
        pxn_table |= (desc & D_PXNTABLE) != 0;
        level++;
        addrselecttop = addrselectbottom - 1;
        addrselectbottom -= stride;
    }

    /* Block or page descriptor: output address size, then the access flag
     * (no hardware update: TCR.HA is ignored, FEAT_HAFDBS not implemented). */
    if (outputsize < 48 && bits(desc, 47, outputsize))
        return fail(out, PTW_FAULT_ADDRESS_SIZE, level);
    if (!(desc & D_AF))
        return fail(out, PTW_FAULT_ACCESS_FLAG, level);

    out->pa = (desc & mask(47, addrselectbottom)) | bits(va, addrselectbottom - 1, 0);
    out->page_shift = (uint8_t)addrselectbottom;
    out->level = (int8_t)level;
    out->attr = (uint8_t)(regs->mair >> (8 * bits(desc, 4, 2)));
    out->sh = decode_sh((unsigned)bits(desc, 9, 8), out->attr);
    out->global = !(desc & D_NG);
    out->contiguous = (desc & D_CONT) != 0;

    /* AArch64.CheckPermission, EL1&0 regime (PAN left to ptw_check_access). */
    bool ap2 = (desc & D_AP2) || (ap_table & 2);
    bool ap1 = (desc & D_AP1) && !(ap_table & 1);
    bool xn = (desc & D_UXN) || xn_table;
    bool pxn = (desc & D_PXN) || pxn_table;
    bool wxn = (regs->sctlr & SCTLR_WXN) != 0;
    bool user_r = ap1, user_w = ap1 && !ap2;
    bool priv_r = true, priv_w = !ap2;
    bool user_xn = xn || (user_w && wxn);
    bool priv_xn = pxn || (priv_w && wxn) || user_w; /* EL0-writable => PXN */
    out->perms = (uint8_t)((user_r ? PTW_R_EL0 : 0) | (user_w ? PTW_W_EL0 : 0) | (user_xn ? 0 : PTW_X_EL0) |
                           (priv_r ? PTW_R_EL1 : 0) | (priv_w ? PTW_W_EL1 : 0) | (priv_xn ? 0 : PTW_X_EL1));

    /* An instruction fetch from Device memory that is not XN: CONSTRAINED
     * UNPREDICTABLE, we take Constraint_NONE (no fault). */
    int f = ptw_check_access(out, acc, el0, pan);
    out->fault = (uint8_t)f;
    return f;
}

int ptw_fault_status(const PTWResult *res)
{
    unsigned lvl = (unsigned)res->level & 3;
    switch (res->fault) {
    case PTW_FAULT_ADDRESS_SIZE: return 0x00 | lvl;
    case PTW_FAULT_TRANSLATION: return 0x04 | lvl;
    case PTW_FAULT_ACCESS_FLAG: return 0x08 | lvl;
    case PTW_FAULT_PERMISSION: return 0x0c | lvl;
    case PTW_FAULT_WALK_ABORT: return 0x14 | lvl;
    default: return -1;
    }
}
