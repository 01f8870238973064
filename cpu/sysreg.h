/* System registers: one table (cpu/sysreg.c) describes every register
 * flotilla implements, with its encoding, name, access rules and accessors.
 * Other modules (GIC CPU interface, generic timer) add their registers with
 * sysreg_register() at start-up instead of editing the table.
 *
 * Encoding used everywhere (and as the imm of helper_mrs/helper_msr, bits
 * 15:0): op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2, i.e. bits 20:5 of the
 * MRS/MSR instruction. helper_mrs/helper_msr also take Rt in imm bits 20:16
 * (for the trap syndrome).
 *
 * Thread rules: sysreg_register() only on the main thread before any vCPU
 * runs; sysreg_find() and sysreg_counter() from any thread; the accessors run
 * on the owner vCPU thread. */
#ifndef FLOTILLA_SYSREG_H
#define FLOTILLA_SYSREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

/* Device headers (timer.h, gicv3.h) carry the same definition behind the
 * same guard, so they do not depend on this header. */
#ifndef SYSREG_ENC
#define SYSREG_ENC(op0, op1, crn, crm, op2)                                                       \
    ((uint32_t)(op0) << 14 | (uint32_t)(op1) << 11 | (uint32_t)(crn) << 7 | (uint32_t)(crm) << 3 | \
     (uint32_t)(op2))
#endif

/* SysRegDef.flags */
enum {
    SR_R0 = 1 << 0,   /* readable at EL0 (subject to check()) */
    SR_W0 = 1 << 1,   /* writable at EL0 */
    SR_R1 = 1 << 2,   /* readable at EL1 */
    SR_W1 = 1 << 3,   /* writable at EL1 */
    SR_EXIT = 1 << 4, /* a write changes state the translator or dispatcher must see: end the block */
    SR_EXIT_READ = 1 << 5, /* a read ends its block too (PMU counters: cpu/pmu.c) */
};
#define SR_RW1 (SR_R1 | SR_W1)
#define SR_RW01 (SR_R0 | SR_W0 | SR_R1 | SR_W1)

typedef struct SysRegDef {
    uint32_t enc;
    uint32_t flags;
    const char *name;
    /* Runtime access check (EL0 enables in SCTLR/CNTKCTL, FP enable in
     * CPACR, SP_EL0 vs SPSel). Raises the exception and returns false to
     * deny; NULL = always allowed once `flags` allow it. */
    bool (*check)(CPUState *cpu, const struct SysRegDef *r, bool is_read, int rt);
    uint64_t (*read)(CPUState *cpu, const struct SysRegDef *r);
    void (*write)(CPUState *cpu, const struct SysRegDef *r, uint64_t v);
    size_t offset;   /* CPUState field for the stored-register accessors */
    uint64_t value;  /* constant for constant registers; write mask for stored ones */
} SysRegDef;

/* Any thread. The register with this encoding, or NULL. */
const SysRegDef *sysreg_find(uint32_t enc);
/* Any thread. The CPUState offset an MRS of r reads when r is a stored
 * register with no run-time check in translation mode tb_flags (SP_EL0:
 * with TBF_SPX), so the translator can read the field inline; -1 else. */
long sysreg_plain_offset(const SysRegDef *r, uint32_t tb_flags);
/* Main thread, before vCPUs run. Add (or override) registers. `defs` must
 * stay valid for the life of the process. */
void sysreg_register(const SysRegDef *defs, int n);

/* Generic timer counter frequency (CNTFRQ_EL0 reset value). */
#ifndef CNTFRQ_HZ
#define CNTFRQ_HZ 62500000ull /* same value as devices/timer.h */
#endif
/* Any thread. The system counter (CNTPCT_EL0): host CLOCK_MONOTONIC scaled
 * to CNTFRQ_HZ, counting from the first call in the process, the same for
 * every core. */
uint64_t sysreg_counter(void);

/* Owner vCPU. Log an access at `pc` to an unknown register under -d unimp. */
void sysreg_log_unimp(CPUState *cpu, uint64_t pc, uint32_t enc, bool is_read);

/* Features that need the ID registers and other code to agree. PAN (v8.1)
 * and UAO (v8.2) are not implemented: PSTATE.PAN/UAO stay 0. PSTATE.PAN is a
 * translation flag (TBF_PAN): MSR PAN, #imm and an MSR PAN, Xt entry (SR_EXIT)
 * must end their block when added. */
#define CPU_HAS_PAN 0
#define CPU_HAS_UAO 0

#endif
