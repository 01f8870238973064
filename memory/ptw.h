/* VMSAv8-64 stage-1 translation table walk for the EL1&0 regime (EL0/EL1),
 * ARMv8.0 + PAN. A self-contained pure function of its inputs: the caller
 * passes the translation registers and a callback that reads one 64-bit
 * descriptor of guest physical memory; the walker returns the output address,
 * the memory attributes and the full permission set, or a fault with its
 * level. See docs/mmu.md for what is and is not implemented.
 *
 * Thread rules: every function here may be called from any thread. The walker
 * keeps no state; it touches memory only through read_desc, which it calls
 * from the calling thread. */
#ifndef FLOTILLA_PTW_H
#define FLOTILLA_PTW_H

#include <stdbool.h>
#include <stdint.h>

/* Physical address size advertised in ID_AA64MMFR0_EL1.PARange (0b0010). */
#define PTW_PAMAX_DEFAULT 40

/* The system registers that control EL1&0 stage-1 translation (values of the
 * *_EL1 registers). pamax: the implemented PA size in bits (PARange); 0 means
 * PTW_PAMAX_DEFAULT. */
typedef struct PTWRegs {
    uint64_t sctlr, tcr, ttbr0, ttbr1, mair;
    unsigned pamax;
} PTWRegs;

enum PTWAccess { PTW_READ, PTW_WRITE, PTW_EXEC };

enum PTWFault {
    PTW_FAULT_NONE = 0,
    PTW_FAULT_TRANSLATION,
    PTW_FAULT_ACCESS_FLAG,
    PTW_FAULT_PERMISSION,
    PTW_FAULT_ADDRESS_SIZE,
    PTW_FAULT_WALK_ABORT, /* synchronous external abort on a descriptor read */
};

/* Permission bits of PTWResult.perms: the architectural stage-1 permissions
 * (AP, UXN/PXN, hierarchical table bits, WXN, implicit PXN of EL0-writable
 * pages) *before* PAN, which depends on PSTATE and is applied per access by
 * ptw_check_access(). */
#define PTW_R_EL0 0x01u
#define PTW_W_EL0 0x02u
#define PTW_X_EL0 0x04u
#define PTW_R_EL1 0x08u
#define PTW_W_EL1 0x10u
#define PTW_X_EL1 0x20u

/* Shareability (DecodeShareability of SH[1:0], after the rule that Device
 * and Normal Non-cacheable memory is Outer Shareable). */
enum PTWShare { PTW_SH_NONE = 0, PTW_SH_OUTER = 2, PTW_SH_INNER = 3 };

typedef struct PTWResult {
    uint64_t pa;         /* output address of va (including the offset in the page) */
    uint64_t walk_pa;    /* PTW_FAULT_WALK_ABORT: address of the descriptor that failed */
    uint8_t page_shift;  /* log2 of the size mapped by the final descriptor (12..30) */
    int8_t level;        /* level of the final descriptor, or of the fault (0..3) */
    uint8_t fault;       /* enum PTWFault */
    uint8_t perms;       /* PTW_R_EL0 .. PTW_X_EL1, valid when the walk reached a mapping */
    uint8_t attr;        /* MAIR_EL1 attribute byte selected by AttrIndx */
    uint8_t sh;          /* enum PTWShare */
    uint16_t asid;       /* ASID of the translation (TCR.A1 selects the TTBR, TCR.AS its width) */
    bool global;         /* nG == 0 (or MMU off): the entry matches every ASID */
    bool ttbr1;          /* the VA was in the TTBR1 (upper) range */
    bool mmu_off;        /* SCTLR.M == 0: flat mapping, no ASID, all permissions */
    bool contiguous;     /* the Contiguous hint (descriptor bit 52) */
    bool on_walk;        /* the fault happened reading a descriptor (external abort) */
} PTWResult;

/* Translate va for one access. el0: the access is unprivileged (at EL0, or
 * LDTR/STTR-type at EL1). pan: PSTATE.PAN applies to this access (the caller
 * passes PSTATE.PAN for loads/stores incl. DC ZVA and AT S1E1RP/WP; false for
 * cache maintenance by VA and AT S1E1R/W); the walker itself exempts
 * instruction fetches and unprivileged accesses. read_desc returns the 64-bit
 * little-endian descriptor at physical address pa and sets *ok = false if
 * there is no memory there (reported as a synchronous external abort on the
 * walk); it must read with a single-copy-atomic 64-bit load since other cores
 * may write the tables. Returns out->fault (PTW_FAULT_NONE on success). On a
 * permission fault the mapping fields (pa, perms, attr, ...) are filled too.
 * Any thread. */
int ptw_walk(const PTWRegs *regs, uint64_t va, enum PTWAccess acc, bool el0, bool pan,
             uint64_t (*read_desc)(void *opaque, uint64_t pa, bool *ok), void *opaque, PTWResult *out);

/* Permission check of one access against a successful walk's result (what a
 * TLB hit must redo when PSTATE.PAN or the privilege differs from the access
 * that filled the entry). Returns PTW_FAULT_NONE or PTW_FAULT_PERMISSION.
 * Inline: an L1 TLB fill asks it three times. Any thread. */
static inline int ptw_check_access(const PTWResult *res, enum PTWAccess acc, bool el0, bool pan)
{
    if (res->mmu_off)
        return PTW_FAULT_NONE; /* no stage-1 permissions, so PAN has nothing to act on */
    unsigned p = res->perms;
    bool ok;
    /* PAN: a privileged load/store to a page EL0 may read (AP[1] = 1, after
     * APTable) faults. Instruction fetches and LDTR/STTR are exempt. */
    bool pan_block = !el0 && pan && (p & PTW_R_EL0);
    switch (acc) {
    case PTW_READ: ok = el0 ? (p & PTW_R_EL0) : ((p & PTW_R_EL1) && !pan_block); break;
    case PTW_WRITE: ok = el0 ? (p & PTW_W_EL0) : ((p & PTW_W_EL1) && !pan_block); break;
    default: ok = el0 ? (p & PTW_X_EL0) : (p & PTW_X_EL1); break;
    }
    return ok ? PTW_FAULT_NONE : PTW_FAULT_PERMISSION;
}

/* The 6-bit DFSC/IFSC code of a faulting result (ESR_ELx.ISS[5:0]), or -1 if
 * res has no fault. Any thread. */
int ptw_fault_status(const PTWResult *res);

/* va with its tag (top byte) replaced by the sign extension of bit 55 when
 * TCR.TBI0/TBI1 makes the top byte ignored for va's half; va unchanged
 * otherwise. What a TLB should key its entries on. Any thread. */
uint64_t ptw_strip_tag(const PTWRegs *regs, uint64_t va);

/* True if a MAIR attribute byte describes Device memory. Any thread. */
static inline bool ptw_attr_is_device(uint8_t attr) { return (attr & 0xf0) == 0; }

#endif
