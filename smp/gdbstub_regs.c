/* The gdb stub's view of a core's registers: the target description XML
 * (AArch64 core, FP/SIMD with FPSR/FPCR, and the system registers a kernel
 * developer needs, debug and PMU ones included when the machine has them)
 * and the register read/write by gdb number.
 *
 * Thread rules: gdbregs_init on the main thread at start-up (the list is
 * read-only afterwards); the accessors on the gdb stub thread, for a core
 * that is stopped (its CPUState is then the stub's, docs/debug.md). */
#include "gdbstub_regs.h"

#include <stdio.h>
#include <string.h>

#include "../cpu/debug.h"
#include "../cpu/sysreg.h"
#include "machine.h"

/* gdb's AArch64 numbering: x0-x30, sp, pc, cpsr; v0-v31, fpsr, fpcr; then ours. */
#define RN_SP 31
#define RN_PC 32
#define RN_CPSR 33
#define RN_V0 34
#define RN_FPSR 66
#define RN_FPCR 67
#define RN_SYS 68

#define E SYSREG_ENC
/* Special encodings handled here rather than through the sysreg table. */
#define ENC_SP_EL1 0x10000u

typedef struct GdbSysReg {
    const char *name;
    uint32_t enc;
} GdbSysReg;

static const GdbSysReg sys_candidates[] = {
    {"SCTLR_EL1", E(3, 0, 1, 0, 0)}, {"TTBR0_EL1", E(3, 0, 2, 0, 0)}, {"TTBR1_EL1", E(3, 0, 2, 0, 1)},
    {"TCR_EL1", E(3, 0, 2, 0, 2)}, {"MAIR_EL1", E(3, 0, 10, 2, 0)}, {"VBAR_EL1", E(3, 0, 12, 0, 0)},
    {"ESR_EL1", E(3, 0, 5, 2, 0)}, {"FAR_EL1", E(3, 0, 6, 0, 0)}, {"ELR_EL1", E(3, 0, 4, 0, 1)},
    {"SPSR_EL1", E(3, 0, 4, 0, 0)}, {"CurrentEL", E(3, 0, 4, 2, 2)}, {"DAIF", E(3, 3, 4, 2, 1)},
    {"SP_EL0", E(3, 0, 4, 1, 0)}, {"SP_EL1", ENC_SP_EL1}, {"CPACR_EL1", E(3, 0, 1, 0, 2)},
    {"TPIDR_EL0", E(3, 3, 13, 0, 2)}, {"TPIDR_EL1", E(3, 0, 13, 0, 4)}, {"CONTEXTIDR_EL1", E(3, 0, 13, 0, 1)},
    {"PAR_EL1", E(3, 0, 7, 4, 0)}, {"CNTKCTL_EL1", E(3, 0, 14, 1, 0)}, {"CNTVCT_EL0", E(3, 3, 14, 0, 2)},
    {"CNTV_CTL_EL0", E(3, 3, 14, 3, 1)}, {"CNTV_CVAL_EL0", E(3, 3, 14, 3, 2)}, {"MIDR_EL1", E(3, 0, 0, 0, 0)},
    {"MPIDR_EL1", E(3, 0, 0, 0, 5)}, {"ID_AA64DFR0_EL1", E(3, 0, 0, 5, 0)},
    {"MDSCR_EL1", E(2, 0, 0, 2, 2)}, {"OSLSR_EL1", E(2, 0, 1, 1, 4)}, {"OSDLR_EL1", E(2, 0, 1, 3, 4)},
    {"DBGBVR0_EL1", E(2, 0, 0, 0, 4)}, {"DBGBCR0_EL1", E(2, 0, 0, 0, 5)},
    {"DBGBVR1_EL1", E(2, 0, 0, 1, 4)}, {"DBGBCR1_EL1", E(2, 0, 0, 1, 5)},
    {"DBGBVR2_EL1", E(2, 0, 0, 2, 4)}, {"DBGBCR2_EL1", E(2, 0, 0, 2, 5)},
    {"DBGBVR3_EL1", E(2, 0, 0, 3, 4)}, {"DBGBCR3_EL1", E(2, 0, 0, 3, 5)},
    {"DBGBVR4_EL1", E(2, 0, 0, 4, 4)}, {"DBGBCR4_EL1", E(2, 0, 0, 4, 5)},
    {"DBGBVR5_EL1", E(2, 0, 0, 5, 4)}, {"DBGBCR5_EL1", E(2, 0, 0, 5, 5)},
    {"DBGWVR0_EL1", E(2, 0, 0, 0, 6)}, {"DBGWCR0_EL1", E(2, 0, 0, 0, 7)},
    {"DBGWVR1_EL1", E(2, 0, 0, 1, 6)}, {"DBGWCR1_EL1", E(2, 0, 0, 1, 7)},
    {"DBGWVR2_EL1", E(2, 0, 0, 2, 6)}, {"DBGWCR2_EL1", E(2, 0, 0, 2, 7)},
    {"DBGWVR3_EL1", E(2, 0, 0, 3, 6)}, {"DBGWCR3_EL1", E(2, 0, 0, 3, 7)},
    /* PMUv3 (cpu/pmu.c, when the machine has it) */
    {"PMCR_EL0", E(3, 3, 9, 12, 0)}, {"PMCNTENSET_EL0", E(3, 3, 9, 12, 1)}, {"PMCNTENCLR_EL0", E(3, 3, 9, 12, 2)},
    {"PMOVSCLR_EL0", E(3, 3, 9, 12, 3)}, {"PMSELR_EL0", E(3, 3, 9, 12, 5)}, {"PMCCNTR_EL0", E(3, 3, 9, 13, 0)},
    {"PMUSERENR_EL0", E(3, 3, 9, 14, 0)}, {"PMINTENSET_EL1", E(3, 0, 9, 14, 1)},
    {"PMCCFILTR_EL0", E(3, 3, 14, 15, 7)},
    {"PMEVCNTR0_EL0", E(3, 3, 14, 8, 0)}, {"PMEVCNTR1_EL0", E(3, 3, 14, 8, 1)},
    {"PMEVCNTR2_EL0", E(3, 3, 14, 8, 2)}, {"PMEVCNTR3_EL0", E(3, 3, 14, 8, 3)},
    {"PMEVCNTR4_EL0", E(3, 3, 14, 8, 4)}, {"PMEVCNTR5_EL0", E(3, 3, 14, 8, 5)},
    {"PMEVTYPER0_EL0", E(3, 3, 14, 12, 0)}, {"PMEVTYPER1_EL0", E(3, 3, 14, 12, 1)},
    {"PMEVTYPER2_EL0", E(3, 3, 14, 12, 2)}, {"PMEVTYPER3_EL0", E(3, 3, 14, 12, 3)},
    {"PMEVTYPER4_EL0", E(3, 3, 14, 12, 4)}, {"PMEVTYPER5_EL0", E(3, 3, 14, 12, 5)},
};
#define NCAND ((int)(sizeof(sys_candidates) / sizeof(sys_candidates[0])))

static bool sys_present(uint32_t enc)
{
    if (enc == ENC_SP_EL1)
        return true;
    const SysRegDef *r = sysreg_find(enc);
    return r && r->read;
}

/* PSTATE as gdb's cpsr (SPSR layout). */
static uint32_t cpsr_of(const CPUState *cpu)
{
    uint32_t p = cpu->pstate;
    return cpu_nzcv(cpu) | (((p >> PSTATE_EL_SHIFT) & 3) << 2) | (p & PSTATE_SP) |
           (p & (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F | PSTATE_IL | PSTATE_SS | PSTATE_PAN | PSTATE_UAO));
}

/* A sysreg accessor called for gdb must not raise a guest exception (EL0
 * gates of the timer registers, say): run it as at EL1 and, should it
 * still raise, undo the exception entry. false if it raised. */
typedef struct ExcSave {
    uint64_t pc, elr, spsr, esr, far, sp, sp_el[2];
    uint32_t pstate;
} ExcSave;

static void exc_save(const CPUState *cpu, ExcSave *s)
{
    *s = (ExcSave){cpu->pc, cpu->elr_el1, cpu->spsr_el1, cpu->esr_el1, cpu->far_el1, cpu->x[31],
                   {cpu->sp_el[0], cpu->sp_el[1]}, cpu->pstate};
}

static bool exc_restore(CPUState *cpu, const ExcSave *s)
{
    bool raised = cpu->exc_pending;
    if (raised) {
        cpu->pc = s->pc;
        cpu->elr_el1 = s->elr;
        cpu->spsr_el1 = s->spsr;
        cpu->esr_el1 = s->esr;
        cpu->far_el1 = s->far;
        cpu->x[31] = s->sp;
        cpu->sp_el[0] = s->sp_el[0];
        cpu->sp_el[1] = s->sp_el[1];
        cpu->exc_pending = false;
        cpu->pstate = s->pstate;
    } else {
        /* keep what the accessor changed (DAIF), put the EL back */
        cpu->pstate = (cpu->pstate & ~(3u << PSTATE_EL_SHIFT)) | (s->pstate & (3u << PSTATE_EL_SHIFT));
    }
    return !raised;
}

static void as_el1(CPUState *cpu, uint32_t enc)
{
    cpu->exc_pending = false;
    if (enc == E(3, 0, 4, 2, 2)) /* CurrentEL reads the real one */
        return;
    cpu->pstate = (cpu->pstate & ~(3u << PSTATE_EL_SHIFT)) | (1u << PSTATE_EL_SHIFT);
}

static void put_le(uint8_t *out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

bool gdbregs_init(GdbRegs *gr)
{
    gr->nsys = 0;
    for (int i = 0; i < NCAND && gr->nsys < GDB_MAX_SYSREGS; i++)
        if (sys_present(sys_candidates[i].enc))
            gr->sys[gr->nsys++] = (int)i;
    /* Build target.xml. */
    size_t cap = 16384, n = 0;
    char *x = malloc(cap);
    if (!x)
        return false;
#define OUT(...)                                                                 \
    do {                                                                         \
        int k_ = snprintf(x + n, cap - n, __VA_ARGS__);                          \
        if (k_ < 0 || (size_t)k_ >= cap - n) {                                   \
            free(x);                                                             \
            return false;                                                        \
        }                                                                        \
        n += (size_t)k_;                                                         \
    } while (0)
    OUT("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
    OUT("<architecture>aarch64</architecture>\n<feature name=\"org.gnu.gdb.aarch64.core\">\n");
    for (int i = 0; i < 31; i++)
        OUT("<reg name=\"x%d\" bitsize=\"64\" regnum=\"%d\"/>\n", i, i);
    OUT("<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n");
    OUT("<reg name=\"cpsr\" bitsize=\"32\"/>\n</feature>\n<feature name=\"org.gnu.gdb.aarch64.fpu\">\n");
    OUT("<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/><vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
        "<vector id=\"v2i\" type=\"int64\" count=\"2\"/><vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
        "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/><vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
        "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/><vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
        "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/><vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
        "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/><vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
        "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
        "<field name=\"s\" type=\"v2i\"/></union>\n"
        "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
        "<field name=\"s\" type=\"v4i\"/></union>\n"
        "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
        "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
        "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
        "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
        "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/><field name=\"q\" type=\"vnq\"/></union>\n");
    for (int i = 0; i < 32; i++)
        OUT("<reg name=\"v%d\" bitsize=\"128\" type=\"aarch64v\" regnum=\"%d\"/>\n", i, RN_V0 + i);
    OUT("<reg name=\"fpsr\" bitsize=\"32\"/>\n<reg name=\"fpcr\" bitsize=\"32\"/>\n</feature>\n");
    OUT("<feature name=\"org.flotilla.aarch64.sys\">\n");
    for (int i = 0; i < gr->nsys; i++)
        OUT("<reg name=\"%s\" bitsize=\"64\" regnum=\"%d\" group=\"system\"/>\n", sys_candidates[gr->sys[i]].name,
            RN_SYS + i);
    OUT("</feature>\n</target>\n");
#undef OUT
    gr->xml = x;
    gr->xml_len = n;
    return true;
}

void gdbregs_free(GdbRegs *gr)
{
    free(gr->xml);
    gr->xml = NULL;
}

int gdbregs_count(const GdbRegs *gr) { return RN_SYS + gr->nsys; }

int gdbregs_size(const GdbRegs *gr, int rn)
{
    if (rn < 0 || rn >= gdbregs_count(gr))
        return 0;
    if (rn == RN_CPSR || rn == RN_FPSR || rn == RN_FPCR)
        return 4;
    if (rn >= RN_V0 && rn < RN_V0 + 32)
        return 16;
    return 8;
}

int gdbregs_read(const GdbRegs *gr, CPUState *cpu, int rn, uint8_t *out)
{
    int size = gdbregs_size(gr, rn);
    if (!size)
        return 0;
    uint64_t v;
    if (rn <= 30)
        v = cpu->x[rn];
    else if (rn == RN_SP)
        v = cpu->x[31];
    else if (rn == RN_PC)
        v = cpu->pc;
    else if (rn == RN_CPSR)
        v = cpsr_of(cpu);
    else if (rn < RN_V0 + 32) {
        put_le(out, cpu->v[rn - RN_V0][0], 8);
        put_le(out + 8, cpu->v[rn - RN_V0][1], 8);
        return 16;
    } else if (rn == RN_FPSR)
        v = cpu->fpsr;
    else if (rn == RN_FPCR)
        v = cpu->fpcr;
    else {
        uint32_t enc = sys_candidates[gr->sys[rn - RN_SYS]].enc;
        bool sp_cur = cpu->pstate & PSTATE_SP; /* SP_ELx is the current SP */
        if (enc == ENC_SP_EL1)
            v = sp_cur && cpu_el(cpu) == 1 ? cpu->x[31] : cpu->sp_el[1];
        else if (enc == E(3, 0, 4, 1, 0))
            v = sp_cur ? cpu->sp_el[0] : cpu->x[31];
        else {
            const SysRegDef *r = sysreg_find(enc);
            ExcSave s;
            exc_save(cpu, &s);
            as_el1(cpu, enc);
            v = r && r->read ? r->read(cpu, r) : 0;
            if (!exc_restore(cpu, &s))
                v = 0;
        }
    }
    put_le(out, v, size);
    return size;
}

bool gdbregs_write(const GdbRegs *gr, CPUState *cpu, int rn, const uint8_t *in)
{
    int size = gdbregs_size(gr, rn);
    if (!size)
        return false;
    uint64_t v = get_le(in, size < 8 ? size : 8);
    if (rn <= 30)
        cpu->x[rn] = v;
    else if (rn == RN_SP)
        cpu->x[31] = v;
    else if (rn == RN_PC)
        cpu->pc = v;
    else if (rn == RN_CPSR) {
        unsigned el = (unsigned)(v >> 2) & 3;
        if ((v & 0x10) || el > 1 || (el == 0 && (v & 1)) || (v & 2))
            return false; /* AArch32, EL2/EL3 or a reserved mode */
        uint32_t old = cpu->pstate;
        cpu->nzcv = (uint32_t)v & 0xf0000000u;
        cpu->pstate = (el << PSTATE_EL_SHIFT) | ((uint32_t)v & PSTATE_SP) |
                      ((uint32_t)v & (PSTATE_D | PSTATE_A | PSTATE_I | PSTATE_F | PSTATE_IL | PSTATE_SS));
        cpu_sync_sp(cpu, old);
        atomic_fetch_or(&cpu->request, REQ_IRQ); /* re-evaluate interrupts */
    } else if (rn < RN_V0 + 32) {
        cpu->v[rn - RN_V0][0] = get_le(in, 8);
        cpu->v[rn - RN_V0][1] = get_le(in + 8, 8);
    } else if (rn == RN_FPSR)
        cpu->fpsr = (uint32_t)v;
    else if (rn == RN_FPCR)
        cpu->fpcr = (uint32_t)v;
    else {
        uint32_t enc = sys_candidates[gr->sys[rn - RN_SYS]].enc;
        bool sp_cur = cpu->pstate & PSTATE_SP;
        if (enc == ENC_SP_EL1) {
            if (sp_cur && cpu_el(cpu) == 1)
                cpu->x[31] = v;
            else
                cpu->sp_el[1] = v;
        } else if (enc == E(3, 0, 4, 1, 0)) {
            if (sp_cur)
                cpu->sp_el[0] = v;
            else
                cpu->x[31] = v;
        } else {
            const SysRegDef *r = sysreg_find(enc);
            if (!r || !r->write || !(r->flags & SR_W1))
                return false; /* read-only (ID registers, CurrentEL, OSLSR) */
            ExcSave s;
            exc_save(cpu, &s);
            as_el1(cpu, enc);
            r->write(cpu, r, v);
            if (!exc_restore(cpu, &s))
                return false;
        }
        /* TLB-relevant registers: the stopped core refills on resume. */
        tlb_flush(cpu);
    }
    return true;
}
