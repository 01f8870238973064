/* One emulated AArch64 core: architectural state, per-core software TLB,
 * per-core jump cache, request word and statistics.
 *
 * Thread rules (see docs/threading.md):
 *   - Fields under "owner only" are read and written only by the vCPU's own
 *     host thread (or before the thread starts / after it has stopped).
 *   - `request` and the wakeup fields are the only fields other threads touch,
 *     always with atomics.
 */
#ifndef FLOTILLA_CPU_H
#define FLOTILLA_CPU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ir.h"
#include "pmu.h"

struct Machine;
struct TBlock;

/* --- software TLB (memory/tlb.c; design in docs/mmu.md) --- */
#define TLB_BITS 12
#define TLB_SIZE (1u << TLB_BITS)
/* Breakpoint and watchpoint register pairs (ID_AA64DFR0: 6 and 4, as Cortex-A57). */
#define DBG_NUM_BP 6
#define DBG_NUM_WP 4

#define TLB_PAGE_BITS 12
#define TLB_PAGE_MASK (~(uint64_t)((1u << TLB_PAGE_BITS) - 1))
#define TLB_INVALID_TAG 1ull /* never page aligned, so never matches */
#define TLB_TAG_MMIO 2ull    /* low tag bit: the page is MMIO, the fast compare fails */
#define TLB_TAG_ARMED 4ull   /* write tag only: the host page holds a monitored granule
                              * (sync/monitor.h), stores take the locked C path */
#define TLB_TAG_FLAGS (TLB_TAG_MMIO | TLB_TAG_ARMED)

/* Translation regime index (QEMU's mmu_idx): one TLB per kind of access so
 * that exception entry/return and PSTATE.PAN changes flush nothing. LDTR/STTR
 * at EL1 use MMU_IDX_EL0. */
enum MMUIdx { MMU_IDX_EL0, MMU_IDX_EL1, MMU_IDX_EL1_PAN, MMU_IDX_NUM };

/* TLBEntryX.flags / TLB2Entry.flags */
#define TLBE_GLOBAL 0x01u  /* nG == 0 (or MMU off): matches every ASID */
#define TLBE_MMIO 0x02u    /* the page is MMIO (tags carry TLB_TAG_MMIO) */
#define TLBE_LARGE 0x04u   /* a 4K piece of a larger mapping (tracked in tlb_large) */
#define TLBE_MMU_OFF 0x08u /* flat MMU-off translation: no permissions, no PAN */
#define TLBE_DEVICE 0x10u  /* Device memory (MMU off, or a Device MAIR attribute): alignment faults */

/* One regime's L1 TLB, a structure of arrays indexed by the slot
 * (va >> TLB_PAGE_BITS) & (TLB_SIZE - 1). Only what the fast path reads is
 * here; the rest of an entry is in TLBEntryX (cpu->tlbx, same index). The
 * JIT computes the slot with one BEXTR and scales it by 8 in the address
 * (docs/mmu.md, "L1 layout"):
 *   s = (va >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
 *   if (t->tag_read[s] == (va & TLB_PAGE_MASK)) host = va + t->addend[s];
 * A tag whose access kind is not permitted in this regime is
 * TLB_INVALID_TAG; an MMIO page's tags have TLB_TAG_MMIO set. Both fail
 * the compare and take the slow path. */
typedef struct TLBTable {
    uint64_t tag_read[TLB_SIZE];
    uint64_t tag_write[TLB_SIZE];
    uint64_t addend[TLB_SIZE];   /* host address - guest virtual address (RAM only) */
    uint64_t tag_exec[TLB_SIZE];
} TLBTable;

/* The slow path's part of an L1 entry (memory/tlb.c). */
typedef struct TLBEntryX {
    uint64_t paddr;     /* guest physical page */
    uint16_t asid;      /* ASID of a non-global entry (always the current one) */
    uint8_t flags;      /* TLBE_* */
    uint8_t perms;      /* PTW_R_EL0.. of the walk (before PAN) */
    uint32_t pad;
} TLBEntryX;

/* Second-level TLB: ASID-tagged, shared by the regime indexes (it keeps the
 * permissions before PAN), 4-way set associative by virtual page. Refills
 * L1 without a walk, in particular after an ASID switch. */
#define TLB2_WAYS 4
#define TLB2_SETS_BITS 11
#define TLB2_SETS (1u << TLB2_SETS_BITS)
typedef struct TLB2Entry {
    uint64_t vpage;     /* virtual page as accessed */
    uint64_t paddr;
    uint64_t addend;
    uint32_t gen;       /* valid only if == TLBState.gen */
    uint16_t asid;
    uint8_t flags;
    uint8_t perms;
} TLB2Entry;

/* A set of L1 slots of one regime: a bitmap with a summary word (bit w:
 * word w may be nonzero), so that flushes and ASID switches visit only the
 * slots that were filled, not all TLB_SIZE. */
#define TLB_SLOT_WORDS (TLB_SIZE / 64)
_Static_assert(TLB_SLOT_WORDS >= 1 && TLB_SLOT_WORDS <= 64, "one summary word covers the bitmap");
typedef struct TLBSlots {
    uint64_t sum;
    uint64_t w[TLB_SLOT_WORDS];
} TLBSlots;

/* VA ranges (canonical: sign-extended from bit 55) of the mappings larger
 * than 4K entered since they were last flushed: a TLBI by VA inside one
 * drops the whole range. */
#define TLB_LARGE_MAX 8
typedef struct TLBState {
    uint32_t gen;        /* current TLB2 generation (a full flush bumps it) */
    uint16_t asid;       /* the ASID the L1 non-global entries belong to */
    uint8_t ng_exec;     /* bit h: a non-global exec entry of VA half h was
                          * entered in L1 since the jump cache last dropped
                          * that half */
    uint8_t nlarge;
    bool l1_tracked;     /* l1_used/l1_ng are complete (false in a zeroed
                          * CPUState: the first tlb_flush scans every slot) */
    uint32_t rr;         /* TLB2 replacement counter */
    uint64_t mon_gen;    /* the monitor's gen the write tags' TLB_TAG_ARMED follow */
    /* Supersets: every valid L1 entry's slot is in l1_used, every valid
     * non-global one's also in l1_ng (memory/tlb.c keeps them). */
    TLBSlots l1_used[MMU_IDX_NUM], l1_ng[MMU_IDX_NUM];
    uint64_t large_lo[TLB_LARGE_MAX], large_hi[TLB_LARGE_MAX];
    TLB2Entry l2[TLB2_SETS][TLB2_WAYS];
} TLBState;

/* --- jump cache (per core, keyed by virtual pc) ---
 * 64 Ki entries (2 MiB per core): direct-mapped by pc, so it covers 256 KiB
 * of code without conflicts; 16 Ki missed twice as often into the
 * translation cache's hash table on a Linux boot. */
#define JC_BITS 16
#define JC_SIZE (1u << JC_BITS)
/* Lower-half (user) slots filled since their last drop, kept so that an
 * ASID switch clears those instead of scanning all JC_SIZE (jc_fill); and
 * all slots filled since the last full clear, so that dropping the whole
 * cache after an invalidation (SMC) clears those instead of 2 MiB. */
#define JC_ULOG 2048
#define JC_LOG 4096
_Static_assert(JC_BITS <= 16, "jc_ulog holds slot numbers in 16 bits");
/* 32 bytes: generated code indexes it with a shift (cpu/jit_x86.c). `code`
 * is the block's native code (NULL when it is interpreted), so that an
 * indirect branch in generated code jumps without touching the TBlock. */
typedef struct JCEntry {
    uint64_t pc;
    uint32_t flags;
    uint32_t pad;
    struct TBlock *tb;
    void *code;
} JCEntry;

/* --- request word bits (cpu->request) --- */
enum {
    REQ_EXIT = 1u << 0,    /* leave the run loop (machine stopping) */
    REQ_IRQ = 1u << 1,     /* an interrupt line changed */
    REQ_WORK = 1u << 2,    /* cross-core work queued */
    REQ_FLUSH = 1u << 3,   /* drop TLB and jump cache */
    REQ_EVENT = 1u << 4,   /* SEV from another core: set the event register */
    REQ_JC_FLUSH = 1u << 5,/* translations were invalidated: drop the jump cache */
    REQ_EXCL = 1u << 6,    /* an exclusive section waits for this core (smp/workq.c) */
    REQ_SYNC = 1u << 7,    /* this core's DSB waits for its TLBI broadcasts (set by itself) */
    REQ_DONE = 1u << 8,    /* work this core waits for progressed: wake-up only */
    REQ_SAFEPOINT = 1u << 9, /* pass the dispatcher (an RCU quiescent state) soon: nothing else to do */
    REQ_DEBUG = 1u << 10,  /* the gdb stub stops the machine: park at this safe point (smp/gdbstub.c) */
    REQ_JC_INVAL = 1u << 11, /* translations were invalidated: drop their jump-cache entries (the tcache's log) */
};

/* --- exception kinds for IR_RAISE aux and cpu_raise() --- */
enum ExcKind {
    EXC_UNDEF,      /* unallocated / unimplemented encoding */
    EXC_SVC,
    EXC_HVC,
    EXC_SMC,
    EXC_BRK,
    EXC_HLT,        /* HLT other than semihosting: UNDEFINED without halting debug */
    EXC_DABORT,
    EXC_IABORT,
    EXC_PC_ALIGN,
    EXC_SP_ALIGN,
    EXC_SYSREG_TRAP,
    EXC_FP_TRAP,
    EXC_ILLEGAL_STATE,
    EXC_BKPT,       /* hardware breakpoint (EC 0x30/0x31) */
    EXC_SSTEP,      /* software step (EC 0x32/0x33) */
    EXC_WATCH,      /* watchpoint (EC 0x34/0x35, FAR = the data address) */
    EXC_IRQ,
    EXC_FIQ,
    EXC_SERROR,
    EXC_NUM_KINDS
};

/* PSTATE bits kept in cpu->pstate other than NZCV (which lives in cpu->nzcv) */
#define PSTATE_SP   (1u << 0)
#define PSTATE_EL_SHIFT 2
#define PSTATE_F    (1u << 6)
#define PSTATE_I    (1u << 7)
#define PSTATE_A    (1u << 8)
#define PSTATE_D    (1u << 9)
#define PSTATE_IL   (1u << 20)
#define PSTATE_SS   (1u << 21)
#define PSTATE_PAN  (1u << 22)
#define PSTATE_UAO  (1u << 23)

typedef struct CPUStats {
    uint64_t insns;
    uint64_t blocks_dispatched;  /* blocks entered from the dispatcher (chained entries are not counted) */
    uint64_t blocks_interpreted; /* ... of them run on the interpreter */
    uint64_t interp_waiting;     /* ... of those, runs past -jit-threshold (queued for a compile worker) */
    uint64_t blocks_translated;
    uint64_t loop_traces;        /* of those, loop traces (two runs of words: docs/jit.md) */
    uint64_t translate_tsc;      /* host TSC ticks translating (-stats gives ns: a clock_gettime pair per block was 0.5% of a boot) */
    uint64_t tcache_lookups;
    uint64_t tcache_misses;
    uint64_t jc_hits;
    uint64_t tlb_misses;  /* L1 misses; hits are not counted (no per-access cost) */
    uint64_t tlb_flushes;
    uint64_t exceptions[EXC_NUM_KINDS];
    uint64_t undef_insns;
    /* smp (smp/vcpu.c, smp/workq.c): owner writes; smp/stats.c reads */
    uint64_t idle_ns;            /* asleep in WFI/WFE/CPU_SUSPEND or parked (powered off) */
    uint64_t settle_wait_ns;     /* ... of which an LDXR waiting for its monitor slot's grace period */
    uint64_t safepoint_wait_ns;  /* waiting for other cores: exclusive sections, DSB after TLBI IS */
    uint64_t irqs_taken;         /* IRQ exceptions delivered */
    uint64_t tlbi_broadcasts;    /* TLBI *IS operations sent to other cores */
    uint64_t tlbi_skipped;       /* ... targets left out: nothing of the ASID cached there (smp/workq.c) */
    uint64_t host_yields;        /* YIELDs that gave the host CPU away (Machine.yield_host) */
    uint64_t halt_polls_woken;   /* spins before a WFI/WFE sleep ended by a request or the deadline (halt_poll, smp/vcpu.c) */
    uint64_t halt_polls_slept;   /* ... that spun their whole window, then slept */
    uint64_t halt_poll_ns;       /* host time spent spinning in those windows */
    /* tier 1 only (counted by the generated code, cpu/jit_x86.c): ops run
     * through interp_exec_op because the JIT has no inline code for them,
     * by IR opcode; memory ops whose inline TLB path missed, and of those
     * the ones tlb_refill let resume inline */
    struct {
        uint64_t fallback[IR_NUM_OPS];
        uint64_t mem_slow;
        uint64_t mem_refill;
        uint64_t mem_armed; /* stores to an armed page that found their granule unarmed */
        uint64_t fp_soft; /* host-FP fast paths (cpu/fp_hard.c) that fell back to soft-float */
        /* inline LDXR/STXR (cpu/jit_excl_x86.c): run through interp_exec_op
         * (misaligned, TLB miss, STXR without its reservation or failing,
         * settling slot), and LDXRs whose slot or page needed
         * atomic_reserve_host (arming, second-chance bits, TLB re-tag) */
        uint64_t excl_slow;
        uint64_t excl_reserve;
        /* LDXRs that locked their slot for the STXR paired with them in the
         * block (jit_excl_x86.c, "eager") */
        uint64_t excl_locked;
        /* a self-loop's TLB site cache that missed (the access's TLB lookup
         * ran out of line: a new page, or an access not aligned to its size) */
        uint64_t lts_miss;
    } jit;
    int host_cpu;                /* host PU the vCPU thread is pinned to, -1 if not pinned */
} CPUStats;

typedef struct CPUState {
    /* ---------- owner only: architectural state ---------- */
    uint64_t x[32];        /* x[31] is the current stack pointer */
    uint64_t pc;
    /* N Z C V in bits 31:28, the rest zero; or, when bit 9 is set, the JIT's
     * lazy form: an x86 LAHF/SETO image in bits 15:0 (N bit 15, Z bit 14,
     * C bit 8, V bit 0; bits 31:16 undefined). Read it with cpu_nzcv(). */
    uint32_t nzcv;
    uint32_t pstate;       /* EL, SPSel, DAIF, PAN, UAO, IL, SS (see PSTATE_*) */
    uint64_t sp_el[2];     /* banked SP_EL0 / SP_EL1 (the inactive one is valid) */

    /* FP/SIMD: 32 x 128-bit, little-endian lanes */
    uint64_t v[32][2];
    uint32_t fpcr, fpsr;

    /* EL1 system registers */
    uint64_t elr_el1, spsr_el1, esr_el1, far_el1, vbar_el1;
    uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1, amair_el1;
    uint64_t cpacr_el1, contextidr_el1, par_el1, afsr0_el1, afsr1_el1;
    uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0_shadow;
    uint64_t mdscr_el1, cntkctl_el1, csselr_el1;
    uint64_t mpidr;
    /* sys helper (cpu/sysreg.c): CNTFRQ, OS lock/double lock, DCC interrupt
     * enable (the debug registers are at the end: cpu/debug.c). */
    uint64_t cntfrq_el0, osdlr_el1, mdccint_el1, oslk;
    /* Watchpoint registers (cpu/debug.c): 64 bytes, where the layout had
     * them before, so the fields after keep their offsets. */
    uint64_t dbgwvr[DBG_NUM_WP], dbgwcr[DBG_NUM_WP];
    PMUState pmu;          /* cpu/pmu.c */

    /* exclusive monitor (sync/monitor.c) */
    uint64_t excl_addr;    /* guest physical address, or EXCL_NONE */
    uint64_t excl_vaddr;
    uint64_t excl_val[2];
    uint64_t excl_ver;     /* monitor granule version seen at load */
    /* An LDXR found its granule's slot settling (monitor_settling): the block
     * left before the LDXR, and the dispatcher waits (offline) for the slot
     * before running it again, instead of the guest spinning on failed
     * STXRs for a whole grace period. NULL otherwise. */
    const void *excl_wait;
    /* An inline LDXR paired with its STXR in one block has locked its
     * granule's slot (cpu/jit_excl_x86.c, "eager"): the slot and the host
     * address, until that STXR; NULL whenever no block is between the two. */
    void *excl_lock_slot;
    void *excl_lock_host;
    uint32_t excl_size;
    bool event_register;   /* WFE/SEV event */
    /* Debug state read on fast paths, kept by debug_update (cpu/debug.c),
     * here in what was padding (the rest is at the cold end): whether a
     * watchpoint (guest or gdb) may fire, so watched pages take the TLB slow
     * path; and the translation flags the debug state adds (TBF_STEP,
     * TBF_HWBP, TBF_NOGDBBP; 0 when nothing is set), read by cpu_tb_flags. */
    bool dbg_wp_any;
    uint16_t dbg_tbf;

    /* scratch for helpers that return two values */
    uint64_t tmp128[2];

    /* exception signalled by a helper or memory op during the current block */
    bool exc_pending;
    bool halted;           /* CPU_OFF / machine stopped */
    bool sleeping;         /* in WFI/WFE until a request arrives */
    bool sleep_wfe;        /* the sleep is a WFE's (events and the event stream end it) */
    bool yield_pending;    /* a YIELD ended the block: the dispatcher yields the host CPU */
    int exit_status;       /* semihosting exit */

    /* ---------- owner only: chained execution (smp/vcpu.c, cpu/jit_x86.c) ---------- */
    /* Guest instructions that chained block entries may still run before
     * the core returns to its dispatcher: each chained entry subtracts its
     * block's count and leaves if the result is negative. Bounds the time
     * between safe points (RCU quiescent states, timer polls). While
     * generated code runs it lives in a host register and is here only
     * during its calls into C (cpu/jit_x86_ctx.h, JIT_BUDGET). */
    int32_t chain_budget;
    /* chain_budget when the current pass started (equal to it between
     * passes): the core's exact count is stats.insns + chain_budget0 -
     * chain_budget (cpu/pmu.c). */
    int32_t chain_budget0;
    /* The IRBlock whose exit returned to the dispatcher last (set by native
     * code on every exit), so that it can chain that block after a direct
     * branch (BX_SLOT0..3) and give back the unrun rest of a block left by an
     * exception (smp/vcpu.c). */
    const void *jit_last;
    /* Generated code keeps temps in the caller-saved R9, R10 and R8 too and
     * parks them here, in that order, around its calls into C
     * (cpu/jit_x86_ctx.h, call_abs; cpu/jit_thunk_x86.c). */
    uint64_t jit_save[3];
    /* Stores this core made through the monitor's locked path (memory/tlb.c);
     * stats.jit.mem_armed + mem_locked when this core last asked the monitor
     * to sweep idle pages (smp/vcpu.c, monitor_idle_stores). */
    uint64_t mem_locked, mem_armed_seen;
    /* -d unimp (helper_log_unimp, cpu/translate.c): pcs already reported
     * (direct-mapped), so that a guest looping on an UNDEF is logged once,
     * and the lines written, capped. */
    uint64_t unimp_seen[64];
    uint32_t unimp_lines;
    /* An MMIO load answered inside tlb_refill (memory/tlb.c): the value,
     * and the addend returned for it, which points the inline load at
     * mmio_val. */
    uint64_t mmio_val;
    uint64_t mmio_addend;
    bool daif_requested; /* wr_daif to helper_msr: the write asked for an interrupt (cpu/sysreg.c) */
    /* The spin before a WFI/WFE sleep, in ns, adapted to this core's waits
     * (smp/vcpu.c, halt_poll): 0 until a short wait asks for one. */
    uint32_t halt_poll_ns;
    /* The block this core allocated last (written by the owner, relaxed;
     * read by the compile workers and the prefault thread): where its malloc
     * heap grows, which the prefault thread faults in ahead of it
     * (smp/jitq.c, kick_prefault and jitq_prefault_heaps). */
    _Atomic uintptr_t heap_hint;
    /* When the current WFI/WFE wait began (0: not yet timed; set when
     * cpu->sleeping is): the spin is one window per guest wait, however
     * many requests interrupt it. */
    uint64_t wait_since_ns;

    /* ---------- owner only: caches ---------- */
    _Alignas(64) TLBTable tlb[MMU_IDX_NUM]; /* CPUState is allocated 64-byte aligned */
    TLBEntryX tlbx[MMU_IDX_NUM][TLB_SIZE];          /* the rest of each tlb[][] entry */
    TLBState tlbs;
    JCEntry jc[JC_SIZE];
    uint32_t jc_ulog_n; /* > JC_ULOG: overflowed, drop by scanning */
    uint16_t jc_ulog[JC_ULOG];
    bool jc_tracked;    /* jc_log is complete (false in a zeroed CPUState) */
    uint32_t jc_log_n;  /* > JC_LOG: overflowed, clear it all */
    uint16_t jc_log[JC_LOG];
    /* Bit (page number mod 4096): a block of such a page may be in the jump
     * cache (set by jc_fill, cleared with it all), so that a TLBI of a data
     * page skips the scan of its 1024 slots. */
    uint64_t jc_pages[64];
    /* How much of the translation cache's invalidation log this core has
     * applied to its jump cache (tcache_inval_since, REQ_JC_INVAL). */
    uint64_t jc_inval_seq;

    /* ---------- any thread: atomics ---------- */
    _Atomic uint32_t request;

    /* ---------- identity, set before the thread starts ---------- */
    int index;
    struct Machine *machine;

    CPUStats stats;

    /* ---------- owner only: -det weak=on ---------- */
    struct WeakBuf *weak;  /* this core's store buffer (smp/weakmem.c), NULL otherwise */
    /* ---------- owner only: -det exact points (smp/vcpu.c) ---------- */
    /* The next dispatcher pass is an exact point: set by an instruction that
     * also ends its block (DAIF unmask, ERET, WFI/WFE, SEV) or by a PMU
     * deadline reached, so the pass follows it whatever the block layout. */
    bool det_point;
    uint64_t det_last_exact; /* stats.insns at the last exact point */
    /* ---------- owner only: self-hosted debug (cpu/debug.c, docs/debug.md) ---------- */
    /* The breakpoint/watchpoint registers ID_AA64DFR0 advertises. Cold:
     * after everything the fast paths touch. */
    uint64_t dbgbvr[DBG_NUM_BP], dbgbcr[DBG_NUM_BP];
    bool dbg_step_guest;   /* the block being run is a guest software step */
    bool dbg_step_done;    /* a stepped instruction completed: step exception next (ISV = 1) */
    bool dbg_step_ex;      /* ... and it was a load-exclusive (ESR.EX) */
    bool gdb_step;         /* gdb asked this core to execute one instruction */
    bool gdb_skip_bp;      /* resume over a gdb breakpoint at pc (one block with TBF_NOGDBBP) */
    bool gdb_watch_stop;   /* a gdb watchpoint left the block before the access at pc (not run) */
    uint64_t dbg_exc_seq;  /* cpu_raise count: did the stepped instruction raise? */
    uint64_t dbg_step_seq; /* dbg_exc_seq before the stepped block */
    /* ---------- owner only: translation (smp/vcpu.c, docs/jit.md "Translation cost") ---------- */
    /* Buffers reused by this core's translations and compiles (vcpu_loop
     * makes and frees them; empty/NULL: per block). Last: generated code
     * never reads them, and the fields it does read keep their offsets. */
    IRScratch ir_scratch;
    struct JitScratch *jit_scratch;
    /* The code memory and counters jit_compile uses: the machine's
     * (machine_init sets it to Machine.jit_code) or a unit test's; NULL:
     * nothing is compiled. Set before the thread starts. */
    struct JitCode *jit_code;
} CPUState;

/* cpu->nzcv's lazy form (the JIT's LAHF/SETO image): the mark (LAHF's
 * always-set bit 1 of AH), and where the flag at canonical bit `bit` (31 N,
 * 30 Z, 29 C, 28 V) sits in it (SF, ZF, CF, OF). Any thread. */
#define NZCV_LAZY_MARK 0x200u
static inline int nzcv_lazy_bit(int bit) { return bit == 31 ? 15 : bit == 30 ? 14 : bit == 29 ? 8 : 0; }

/* NZCV in bits 31:28 (zero elsewhere), from either form of cpu->nzcv (the
 * JIT stores the LAHF image and leaves the decoding to the rare reader).
 * Writers store bits 31:28 only. Owner thread, or any thread while the
 * vCPU is stopped. */
static inline uint32_t cpu_nzcv(const CPUState *cpu)
{
    uint32_t v = cpu->nzcv, r = 0;
    if (!(v & NZCV_LAZY_MARK))
        return v;
    for (int bit = 28; bit < 32; bit++)
        r |= (v >> nzcv_lazy_bit(bit) & 1) << bit;
    return r;
}

#define EXCL_NONE (~0ull)

static inline int cpu_el(const CPUState *cpu) { return (cpu->pstate >> PSTATE_EL_SHIFT) & 3; }

/* Translation-mode bits that change how code is translated (part of the
 * translation cache key). Owner only. */
/* Translation mode bits: what translated code may depend on. A block is
 * only reused with the same flags (jump cache and translation cache key). */
#define TBF_EL_MASK 3u
#define TBF_FP (1u << 2) /* FP/SIMD enabled at this EL (CPACR_EL1.FPEN) */
#define TBF_SA (1u << 3) /* SP alignment check at this EL (SCTLR_EL1.SA / SA0) */
/* Alignment check on every data access: SCTLR_EL1.A, or the MMU off (all
 * data accesses are then to Device memory, where an unaligned one faults). */
#define TBF_A (1u << 4)
/* EL1 with PSTATE.PAN: the JIT indexes MMU_IDX_EL1_PAN. Every instruction
 * that can change PSTATE.PAN ends its block, so a block never runs with
 * another PAN value than it was translated for. */
#define TBF_PAN (1u << 5)
/* PSTATE.SP (SPSel): MRS SP_EL0 at EL1 is then a plain read (sysreg.c);
 * every write of SPSel ends its block. */
#define TBF_SPX (1u << 6)
/* Debug (cpu/debug.c, from cpu->dbg_tbf, 0 when nothing is set): one
 * instruction per block, interpreted (software step, gdb stepi); a runtime
 * hardware-breakpoint check before every instruction; no gdb breakpoint at
 * the block's first instruction (resuming over one). */
#define TBF_STEP (1u << 7)
#define TBF_HWBP (1u << 8)
#define TBF_NOGDBBP (1u << 9)
#define TBF_PMUBR (1u << 10) /* a PMU counter counts BR_RETIRED: branches call helper_pmu_br */
/* -det only, never in cpu_tb_flags: a one-instruction block, run where the
 * turn's budget is smaller than the ordinary block there, so that a pass
 * ends at an exact instruction count whatever the block boundaries
 * (smp/vcpu.c, docs/determinism.md "Exact points"). */
#define TBF_ONE (1u << 11)
static inline uint32_t cpu_tb_flags(const CPUState *cpu)
{
    uint32_t el = (uint32_t)cpu_el(cpu);
    uint32_t fpen = (uint32_t)(cpu->cpacr_el1 >> 20) & 3;
    bool fp = fpen == 3 || (fpen == 1 && el == 1);
    bool sa = (cpu->sctlr_el1 >> (el ? 3 : 4)) & 1;
    bool a = (cpu->sctlr_el1 & 3) != 1; /* SCTLR_EL1.A set, or SCTLR_EL1.M clear */
    bool pan = el == 1 && (cpu->pstate & PSTATE_PAN);
    return el | (fp ? TBF_FP : 0) | (sa ? TBF_SA : 0) | (a ? TBF_A : 0) | (pan ? TBF_PAN : 0) |
           ((cpu->pstate & PSTATE_SP) ? TBF_SPX : 0) | cpu->dbg_tbf;
}

/* Owner only. Reset architectural state to the simulator's boot state:
 * EL1h, MMU off, DAIF masked. */
void cpu_reset(CPUState *cpu, uint64_t entry_pc);

/* Owner only. Enter a synchronous exception of `kind` now: save state to
 * ELR/SPSR/ESR (and FAR for aborts), switch to EL1, jump to the vector.
 * `iss` is the syndrome's ISS field; `far` is used for aborts.
 * The preferred return address is cpu->pc (the faulting instruction), or the
 * next instruction for SVC/HVC/SMC. Sets cpu->exc_pending. */
void cpu_raise(CPUState *cpu, enum ExcKind kind, uint32_t iss, uint64_t far);

/* Owner only. Switch the active stack pointer after a PSTATE.SP/EL change. */
void cpu_sync_sp(CPUState *cpu, uint32_t old_pstate);

/* Append slot idx to a fill log of cap entries; past cap, *n stays at
 * cap + 1 ("overflowed: scan everything"). */
static inline void jc_log_slot(uint16_t *log, uint32_t *n, uint32_t cap, uint32_t idx)
{
    if (*n < cap)
        log[*n] = (uint16_t)idx;
    if (*n <= cap)
        (*n)++;
}

/* Any thread: the jump-cache slot of pc. Bits 18-31 are folded into the
 * index (32-bit rotate by 16, XOR) so that hot blocks 256 KiB apart (a
 * kernel's mutex_lock and ktime_get) do not evict each other; generated
 * code computes the same (jit_emit_jump_indirect). A page's 1024 pcs still
 * take 1024 distinct slots. */
static inline uint32_t jc_index(uint64_t pc)
{
    const uint32_t p = (uint32_t)pc;
    return ((p ^ (p >> 16 | p << 16)) >> 2) & (JC_SIZE - 1);
}

/* Owning vCPU: enter a block in the jump cache (the dispatcher's only way
 * to fill it), logging lower-half slots for jc_drop_nonglobal. */
static inline void jc_fill(CPUState *cpu, uint64_t pc, uint32_t flags, struct TBlock *tb, void *code)
{
    uint32_t idx = jc_index(pc);
    JCEntry *je = &cpu->jc[idx];
    je->pc = pc;
    je->flags = flags;
    je->tb = tb;
    je->code = code;
    cpu->jc_pages[(pc >> 18) & 63] |= 1ull << ((pc >> 12) & 63);
    jc_log_slot(cpu->jc_log, &cpu->jc_log_n, JC_LOG, idx);
    if (!((pc >> 55) & 1))
        jc_log_slot(cpu->jc_ulog, &cpu->jc_ulog_n, JC_ULOG, idx);
}

#endif
