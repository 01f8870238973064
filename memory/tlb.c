/* The per-core software TLB and the virtual access paths.
 *
 * Two levels (design and the reasons in docs/mmu.md):
 *   - L1, per regime index (EL0, EL1, EL1 with PAN): 4096 direct-mapped
 *     entries with one tag per access kind. The fast path (what a JIT
 *     inlines) is one compare and one add. Non-global L1 entries always
 *     belong to the current ASID: an ASID switch drops them. Bitmaps of the
 *     filled slots (TLBState.l1_used, l1_ng) keep flushes and ASID switches
 *     proportional to what was filled.
 *   - L2: ASID-tagged, 4-way set associative, shared by the regime indexes
 *     (it keeps the permissions before PAN). Every walk result is entered in
 *     both; an L1 miss looks in L2 before walking, so switching back to an
 *     ASID refills from L2 without walks.
 * Mappings larger than 4K are entered as 4K pieces; their VA ranges are
 * recorded so that a TLBI by VA inside one drops the whole mapping.
 * The jump cache (keyed by virtual pc) is dropped with the code mappings.
 *
 * Every function here runs on the owner vCPU thread. */
#include <string.h>

#include "../cpu/debug.h"
#include "../smp/machine.h"
#include "../smp/workq.h"
#include "../sync/atomic.h"
#include "../sync/monitor.h"
#include "mem.h"
#include "ptw.h"

#define PAGE_SIZE (1ull << TLB_PAGE_BITS)

/* The canonical form of a VA: sign-extended from bit 55, so tagged (TBI)
 * and untagged addresses of one page compare equal. TLBI VA arguments are
 * VA[55:12] and so also compare in this form. */
static inline uint64_t canon(uint64_t va) { return (uint64_t)((int64_t)(va << 8) >> 8); }
static inline unsigned va_half(uint64_t va) { return (unsigned)(va >> 55) & 1; }

static inline unsigned l1_slot(uint64_t va) { return (unsigned)(va >> TLB_PAGE_BITS) & (TLB_SIZE - 1); }

/* An L1 entry: its regime's table (a structure of arrays, cpu/cpu.h), its
 * slot there and its slow-path half. */
typedef struct L1E {
    TLBTable *t;
    TLBEntryX *x;
    unsigned s;
} L1E;

static inline L1E l1_at(CPUState *cpu, unsigned idx, unsigned slot)
{
    return (L1E){&cpu->tlb[idx], &cpu->tlbx[idx][slot], slot};
}

static inline uint64_t *l1_tag(L1E e, enum MemAccess acc)
{
    return acc == ACC_READ ? &e.t->tag_read[e.s] : acc == ACC_WRITE ? &e.t->tag_write[e.s] : &e.t->tag_exec[e.s];
}

static inline bool l1_valid(L1E e)
{
    return e.t->tag_read[e.s] != TLB_INVALID_TAG || e.t->tag_write[e.s] != TLB_INVALID_TAG ||
           e.t->tag_exec[e.s] != TLB_INVALID_TAG;
}

/* The virtual page of a valid entry (any tag that is set names it). */
static inline uint64_t l1_page(L1E e)
{
    uint64_t t = e.t->tag_read[e.s] != TLB_INVALID_TAG    ? e.t->tag_read[e.s]
                 : e.t->tag_write[e.s] != TLB_INVALID_TAG ? e.t->tag_write[e.s]
                                                          : e.t->tag_exec[e.s];
    return t & TLB_PAGE_MASK;
}

static inline void l1_invalidate(L1E e)
{
    e.t->tag_read[e.s] = e.t->tag_write[e.s] = e.t->tag_exec[e.s] = TLB_INVALID_TAG;
    e.x->flags = 0;
}

static inline bool l2_valid(const CPUState *cpu, const TLB2Entry *v) { return v->gen == cpu->tlbs.gen; }

/* ---------------- L1 slot sets ---------------- */

static inline void slots_add(TLBSlots *s, unsigned i)
{
    s->w[i / 64] |= 1ull << (i % 64);
    s->sum |= 1ull << (i / 64);
}

static void slots_clear(TLBSlots *s)
{
    for (uint64_t sum = s->sum; sum; sum &= sum - 1)
        s->w[__builtin_ctzll(sum)] = 0;
    s->sum = 0;
}

/* What slots_filter does with one entry. */
enum SlotOp { SLOT_ALL, SLOT_NONGLOBAL, SLOT_NONGLOBAL_ASID, SLOT_RANGE };
typedef struct SlotArg {
    enum SlotOp op;
    uint16_t asid;
    uint64_t lo, hi;
} SlotArg;

/* True if the slot leaves the set: its entry is invalid now, or (for the
 * non-global set) no longer non-global. */
static inline bool slot_drop(L1E e, const SlotArg *a)
{
    if (!l1_valid(e))
        return true;
    switch (a->op) {
    case SLOT_ALL:
        break;
    case SLOT_NONGLOBAL:
        if (e.x->flags & TLBE_GLOBAL)
            return true;
        break;
    case SLOT_NONGLOBAL_ASID:
        if (e.x->flags & TLBE_GLOBAL)
            return true;
        if (e.x->asid != a->asid)
            return false;
        break;
    case SLOT_RANGE: {
        uint64_t c = canon(l1_page(e));
        if (c < a->lo || c >= a->hi)
            return false;
        break;
    }
    }
    l1_invalidate(e);
    return true;
}

/* Apply a to the entries of regime idx whose slots are in s (every slot if
 * the sets are not complete yet). */
static void slots_filter(CPUState *cpu, unsigned idx, TLBSlots *s, const SlotArg *a)
{
    if (!cpu->tlbs.l1_tracked) {
        for (unsigned i = 0; i < TLB_SIZE; i++)
            slot_drop(l1_at(cpu, idx, i), a);
        return;
    }
    for (uint64_t sum = s->sum; sum; sum &= sum - 1) {
        unsigned wi = (unsigned)__builtin_ctzll(sum);
        uint64_t w = s->w[wi];
        for (uint64_t m = w; m; m &= m - 1) {
            unsigned b = (unsigned)__builtin_ctzll(m);
            if (slot_drop(l1_at(cpu, idx, wi * 64 + b), a))
                w &= ~(1ull << b);
        }
        s->w[wi] = w;
        if (!w)
            s->sum &= ~(1ull << wi);
    }
}

/* The regime index of an access. Cache maintenance by VA ignores PAN;
 * LDTR/STTR at EL1 check EL0 permissions. */
static inline unsigned access_idx(const CPUState *cpu, uint16_t irflags)
{
    if (__builtin_expect(irflags & MEM_CM, 0))
        return cpu_el(cpu) == 0 ? MMU_IDX_EL0 : MMU_IDX_EL1;
    if (irflags & IRF_UNPRIV)
        return MMU_IDX_EL0;
    return cpu_mmu_idx(cpu);
}

/* ---------------- jump cache ---------------- */

static void jc_clear_all(CPUState *cpu)
{
    if (cpu->jc_tracked && cpu->jc_log_n <= JC_LOG) {
        for (uint32_t k = 0; k < cpu->jc_log_n; k++)
            cpu->jc[cpu->jc_log[k]].pc = ~0ull;
    } else {
        for (unsigned i = 0; i < JC_SIZE; i++)
            cpu->jc[i].pc = ~0ull;
    }
    cpu->jc_tracked = true;
    cpu->jc_log_n = 0;
    cpu->jc_ulog_n = 0;
    memset(cpu->jc_pages, 0, sizeof(cpu->jc_pages));
}

void tlb_jc_flush(CPUState *cpu) { jc_clear_all(cpu); }

void tlb_jc_drop_pc(CPUState *cpu, uint64_t pc)
{
    JCEntry *je = &cpu->jc[jc_index(pc)];
    if (je->pc == pc)
        je->pc = ~0ull;
}

/* Drop the jump cache entries of one virtual page: the 1024 slots its
 * instructions index. */
static void jc_clear_page(CPUState *cpu, uint64_t cva)
{
    if (!(cpu->jc_pages[(cva >> 18) & 63] & (1ull << ((cva >> 12) & 63))))
        return; /* no block of a page with this number mod 4096 was entered */
    unsigned n = JC_SIZE < PAGE_SIZE / 4 ? JC_SIZE : (unsigned)(PAGE_SIZE / 4);
    for (unsigned i = 0; i < n; i++) {
        JCEntry *je = &cpu->jc[jc_index(cva + 4ull * i)];
        if ((canon(je->pc) & TLB_PAGE_MASK) == cva)
            je->pc = ~0ull;
    }
}

static void jc_clear_range(CPUState *cpu, uint64_t lo, uint64_t hi)
{
    for (unsigned i = 0; i < JC_SIZE; i++) {
        uint64_t c = canon(cpu->jc[i].pc);
        if (cpu->jc[i].pc != ~0ull && c >= lo && c < hi)
            cpu->jc[i].pc = ~0ull;
    }
}

/* The non-global L1 entries were just dropped: drop the jump cache entries
 * that may come from them. ng_exec says which VA halves had non-global
 * executable entries since the last such drop; usually only the lower half
 * (user code), and the kernel's entries survive. */
static void jc_drop_nonglobal(CPUState *cpu)
{
    uint8_t m = cpu->tlbs.ng_exec;
    if (m & 2) {
        jc_clear_all(cpu);
    } else if (m & 1) {
        if (cpu->jc_ulog_n <= JC_ULOG) {
            /* Every lower-half entry was logged by jc_fill (the log may
             * name slots that hold upper-half entries by now: kept). */
            for (uint32_t k = 0; k < cpu->jc_ulog_n; k++) {
                JCEntry *je = &cpu->jc[cpu->jc_ulog[k]];
                if (!va_half(je->pc))
                    je->pc = ~0ull;
            }
        } else {
            for (unsigned i = 0; i < JC_SIZE; i++)
                if (!va_half(cpu->jc[i].pc))
                    cpu->jc[i].pc = ~0ull;
        }
        cpu->jc_ulog_n = 0;
    }
    cpu->tlbs.ng_exec = 0;
}

/* ---------------- large mappings ---------------- */

static void large_add(CPUState *cpu, uint64_t lo, uint64_t hi)
{
    TLBState *t = &cpu->tlbs;
    for (unsigned i = 0; i < t->nlarge; i++)
        if (lo >= t->large_lo[i] && hi <= t->large_hi[i])
            return; /* the common case: another piece of a known block */
    for (unsigned i = 0; i < t->nlarge; i++) {
        if (lo <= t->large_hi[i] && hi >= t->large_lo[i]) { /* overlapping or adjacent */
            t->large_lo[i] = lo < t->large_lo[i] ? lo : t->large_lo[i];
            t->large_hi[i] = hi > t->large_hi[i] ? hi : t->large_hi[i];
            return;
        }
    }
    if (t->nlarge < TLB_LARGE_MAX) {
        t->large_lo[t->nlarge] = lo;
        t->large_hi[t->nlarge] = hi;
        t->nlarge++;
        return;
    }
    /* Full: widen the nearest range to cover this one too (conservative:
     * a TLBI inside the widened range drops more than it must). */
    unsigned best = 0;
    uint64_t best_gap = ~0ull;
    for (unsigned i = 0; i < t->nlarge; i++) {
        uint64_t gap = hi <= t->large_lo[i] ? t->large_lo[i] - hi : lo - t->large_hi[i];
        if (gap < best_gap)
            best_gap = gap, best = i;
    }
    t->large_lo[best] = lo < t->large_lo[best] ? lo : t->large_lo[best];
    t->large_hi[best] = hi > t->large_hi[best] ? hi : t->large_hi[best];
}

/* Drop every entry (any ASID, every regime, both levels) and jump cache
 * entry with a canonical VA in [lo, hi). */
static void flush_range(CPUState *cpu, uint64_t lo, uint64_t hi)
{
    SlotArg a = {.op = SLOT_RANGE, .lo = lo, .hi = hi};
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++)
        slots_filter(cpu, idx, &cpu->tlbs.l1_used[idx], &a);
    for (unsigned s = 0; s < TLB2_SETS; s++) {
        for (unsigned w = 0; w < TLB2_WAYS; w++) {
            TLB2Entry *v = &cpu->tlbs.l2[s][w];
            uint64_t c = canon(v->vpage);
            if (l2_valid(cpu, v) && c >= lo && c < hi)
                v->gen = 0;
        }
    }
    jc_clear_range(cpu, lo, hi);
}

/* If cva lies in a recorded large mapping, drop all of it (and every range
 * containing cva; merged ranges may overlap). True if it did. */
static bool flush_large(CPUState *cpu, uint64_t cva)
{
    TLBState *t = &cpu->tlbs;
    bool hit = false;
    for (unsigned i = 0; i < t->nlarge;) {
        if (cva >= t->large_lo[i] && cva < t->large_hi[i]) {
            flush_range(cpu, t->large_lo[i], t->large_hi[i]);
            t->nlarge--;
            t->large_lo[i] = t->large_lo[t->nlarge];
            t->large_hi[i] = t->large_hi[t->nlarge];
            hit = true;
        } else {
            i++;
        }
    }
    return hit;
}

/* ---------------- maintenance ---------------- */

void tlb_flush(CPUState *cpu)
{
    SlotArg a = {.op = SLOT_ALL};
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++) {
        slots_filter(cpu, idx, &cpu->tlbs.l1_used[idx], &a);
        slots_clear(&cpu->tlbs.l1_used[idx]);
        slots_clear(&cpu->tlbs.l1_ng[idx]);
    }
    cpu->tlbs.l1_tracked = true;
    /* L2 goes by generation; on wrap-around, really clear it. */
    if (++cpu->tlbs.gen == 0) {
        memset(cpu->tlbs.l2, 0, sizeof(cpu->tlbs.l2));
        cpu->tlbs.gen = 1;
    }
    cpu->tlbs.nlarge = 0;
    cpu->tlbs.ng_exec = 0;
    cpu->tlbs.asid = mmu_current_asid(cpu);
    /* The jump cache is keyed by virtual pc: it must go with the mappings. */
    jc_clear_all(cpu);
    tlb_filter_reset(cpu);
    cpu->stats.tlb_flushes++;
}

static void flush_page(CPUState *cpu, uint64_t va, bool any_asid, uint16_t asid)
{
    uint64_t cva = canon(va) & TLB_PAGE_MASK;
    if (flush_large(cpu, cva))
        return; /* the whole block went, this page with it */
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++) {
        L1E e = l1_at(cpu, idx, l1_slot(cva));
        if (l1_valid(e) && canon(l1_page(e)) == cva &&
            (any_asid || (e.x->flags & TLBE_GLOBAL) || e.x->asid == asid))
            l1_invalidate(e);
    }
    TLB2Entry *set = cpu->tlbs.l2[(cva >> TLB_PAGE_BITS) & (TLB2_SETS - 1)];
    for (unsigned w = 0; w < TLB2_WAYS; w++) {
        TLB2Entry *v = &set[w];
        if (l2_valid(cpu, v) && canon(v->vpage) == cva &&
            (any_asid || (v->flags & TLBE_GLOBAL) || v->asid == asid))
            v->gen = 0;
    }
    /* Over-invalidation (other ASIDs' code) is harmless here. */
    jc_clear_page(cpu, cva);
}

void tlb_flush_page(CPUState *cpu, uint64_t va) { flush_page(cpu, va, true, 0); }

void tlb_flush_page_asid(CPUState *cpu, uint64_t va, uint16_t asid) { flush_page(cpu, va, false, asid); }

/* Drop the non-global L1 entries (they all belong to the current ASID). */
static void drop_nonglobal_l1(CPUState *cpu, bool match_asid, uint16_t asid)
{
    SlotArg a = {.op = match_asid ? SLOT_NONGLOBAL_ASID : SLOT_NONGLOBAL, .asid = asid};
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++)
        slots_filter(cpu, idx, &cpu->tlbs.l1_ng[idx], &a);
}

void tlb_flush_asid(CPUState *cpu, uint16_t asid)
{
    drop_nonglobal_l1(cpu, true, asid);
    for (unsigned s = 0; s < TLB2_SETS; s++) {
        for (unsigned w = 0; w < TLB2_WAYS; w++) {
            TLB2Entry *v = &cpu->tlbs.l2[s][w];
            if (l2_valid(cpu, v) && !(v->flags & TLBE_GLOBAL) && v->asid == asid)
                v->gen = 0;
        }
    }
    /* Only the current ASID can have entries in L1 and the jump cache. */
    if (asid == cpu->tlbs.asid)
        jc_drop_nonglobal(cpu);
}

void tlb_sync_asid(CPUState *cpu)
{
    uint16_t asid = mmu_current_asid(cpu);
    if (asid == cpu->tlbs.asid)
        return;
    drop_nonglobal_l1(cpu, false, 0);
    jc_drop_nonglobal(cpu);
    cpu->tlbs.asid = asid;
}

/* ---------------- monitored pages ---------------- */

static void retag_armed(const Monitor *mon, L1E e)
{
    uint64_t t = e.t->tag_write[e.s];
    if (t == TLB_INVALID_TAG || (e.x->flags & TLBE_MMIO))
        return;
    bool armed = monitor_page_armed(mon, (const void *)(uintptr_t)((t & TLB_PAGE_MASK) + e.t->addend[e.s]));
    e.t->tag_write[e.s] = (t & ~TLB_TAG_ARMED) | (armed ? TLB_TAG_ARMED : 0);
}

void tlb_sync_armed(CPUState *cpu)
{
    const Monitor *mon = cpu->machine ? cpu->machine->monitor : NULL;
    if (!mon)
        return;
    /* The gen read before the scan: a page armed during it moves gen again. */
    uint64_t g = atomic_load_explicit(&mon->gen, memory_order_acquire);
    if (g == cpu->tlbs.mon_gen)
        return;
    cpu->tlbs.mon_gen = g;
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++) {
        if (!cpu->tlbs.l1_tracked) {
            for (unsigned i = 0; i < TLB_SIZE; i++)
                retag_armed(mon, l1_at(cpu, idx, i));
            continue;
        }
        const TLBSlots *s = &cpu->tlbs.l1_used[idx];
        for (uint64_t sum = s->sum; sum; sum &= sum - 1) {
            unsigned wi = (unsigned)__builtin_ctzll(sum);
            for (uint64_t m = s->w[wi]; m; m &= m - 1)
                retag_armed(mon, l1_at(cpu, idx, wi * 64 + (unsigned)__builtin_ctzll(m)));
        }
    }
}

/* ---------------- filling ---------------- */

/* Enter a translation in the L1 of regime idx, with the tags of the access
 * kinds that regime permits. */
static L1E l1_fill(CPUState *cpu, unsigned idx, uint64_t vpage, uint64_t ppage, uint64_t addend,
                         uint8_t flags, uint8_t perms, uint16_t asid)
{
    unsigned slot = l1_slot(vpage);
    L1E e = l1_at(cpu, idx, slot);
    PTWResult r = {.perms = perms, .mmu_off = (flags & TLBE_MMU_OFF) != 0};
    bool el0 = idx == MMU_IDX_EL0, pan = idx == MMU_IDX_EL1_PAN;
    /* MMIO pages, and RAM the guest maps as Device, fail the fast compare:
     * the slow path dispatches MMIO and checks Device alignment. With the
     * MMU off every data access is Device, but there the translator adds
     * the alignment check inline instead (TBF_A), keeping RAM fast. */
    bool slow = (flags & TLBE_MMIO) || (flags & (TLBE_DEVICE | TLBE_MMU_OFF)) == TLBE_DEVICE;
    /* Watched pages too: the slow path checks the exact bytes (cpu/debug.c). */
    if (__builtin_expect(cpu->dbg_wp_any, 0) && debug_page_watched(cpu, vpage))
        slow = true;
    uint64_t tag = vpage | (slow ? TLB_TAG_MMIO : 0);
    e.t->tag_read[e.s] = ptw_check_access(&r, PTW_READ, el0, pan) == PTW_FAULT_NONE ? tag : TLB_INVALID_TAG;
    e.t->tag_write[e.s] = ptw_check_access(&r, PTW_WRITE, el0, pan) == PTW_FAULT_NONE ? tag : TLB_INVALID_TAG;
    /* A page with a monitored granule: stores lock (sync/monitor.h). */
    if (e.t->tag_write[e.s] != TLB_INVALID_TAG && !(flags & TLBE_MMIO) && cpu->machine && cpu->machine->monitor &&
        monitor_page_armed(cpu->machine->monitor, (const void *)(uintptr_t)(vpage + addend)))
        e.t->tag_write[e.s] |= TLB_TAG_ARMED;
    /* Fetching from MMIO always takes the slow path (and faults there). */
    e.t->tag_exec[e.s] = !(flags & TLBE_MMIO) && ptw_check_access(&r, PTW_EXEC, el0, pan) == PTW_FAULT_NONE
                      ? vpage
                      : TLB_INVALID_TAG;
    e.t->addend[e.s] = addend;
    TLBEntryX *x = e.x;
    x->paddr = ppage;
    x->asid = asid;
    x->flags = flags;
    x->perms = perms;
    if (e.t->tag_exec[e.s] != TLB_INVALID_TAG && !(flags & TLBE_GLOBAL))
        cpu->tlbs.ng_exec |= (uint8_t)(1u << va_half(canon(vpage)));
    slots_add(&cpu->tlbs.l1_used[idx], slot);
    if (!(flags & TLBE_GLOBAL))
        slots_add(&cpu->tlbs.l1_ng[idx], slot);
    return e;
}

static TLB2Entry *l2_find(CPUState *cpu, uint64_t vpage)
{
    TLB2Entry *set = cpu->tlbs.l2[(vpage >> TLB_PAGE_BITS) & (TLB2_SETS - 1)];
    for (unsigned w = 0; w < TLB2_WAYS; w++) {
        TLB2Entry *v = &set[w];
        if (v->vpage == vpage && l2_valid(cpu, v) && ((v->flags & TLBE_GLOBAL) || v->asid == cpu->tlbs.asid))
            return v;
    }
    return NULL;
}

static void l2_insert(CPUState *cpu, uint64_t vpage, uint64_t ppage, uint64_t addend, uint8_t flags, uint8_t perms,
                      uint16_t asid)
{
    TLB2Entry *set = cpu->tlbs.l2[(vpage >> TLB_PAGE_BITS) & (TLB2_SETS - 1)];
    TLB2Entry *v = l2_find(cpu, vpage);
    for (unsigned w = 0; !v && w < TLB2_WAYS; w++)
        if (!l2_valid(cpu, &set[w]))
            v = &set[w];
    if (!v)
        v = &set[cpu->tlbs.rr++ % TLB2_WAYS];
    v->vpage = vpage;
    v->paddr = ppage;
    v->addend = addend;
    v->gen = cpu->tlbs.gen;
    v->asid = asid;
    v->flags = flags;
    v->perms = perms;
}

/* Walk for one access and enter the result. false: the fault was raised.
 * *pa and *host (NULL for MMIO and holes) describe va. */
static bool walk_fill(CPUState *cpu, unsigned idx, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa,
                      void **host, uint8_t *eflags)
{
    PTWResult r;
    bool el0 = idx == MMU_IDX_EL0, pan = idx == MMU_IDX_EL1_PAN;
    /* The broadcast filter first (smp/workq.h): the ASID of this walk, and
     * after a walk that found a global page in the lower half, that too if
     * it is new, then the walk again, so that it reads the tables after both. */
    uint16_t noted = mmu_current_asid(cpu);
    tlb_filter_note_asid(cpu, noted);
again:
    if (irflags & MEM_RMW) {
        /* Read first: a fault a read would take reports WnR = 0. */
        if (mmu_walk(cpu, va, ACC_READ, el0, pan, &r) != PTW_FAULT_NONE) {
            mmu_raise_fault(cpu, va, ACC_READ, irflags, &r);
            return false;
        }
        if (ptw_check_access(&r, PTW_WRITE, el0, pan) != PTW_FAULT_NONE) {
            r.fault = PTW_FAULT_PERMISSION;
            mmu_raise_fault(cpu, va, ACC_WRITE, irflags, &r);
            return false;
        }
    } else if (mmu_walk(cpu, va, acc, el0, pan, &r) != PTW_FAULT_NONE) {
        mmu_raise_fault(cpu, va, acc, irflags, &r);
        return false;
    }
    if (!r.global && r.asid != noted) {
        noted = r.asid;
        tlb_filter_note_asid(cpu, noted);
        goto again;
    }
    if (r.global && !(va >> 55 & 1) && tlb_filter_note_low_global(cpu))
        goto again;
    PhysMap *pm = &cpu->machine->pm;
    uint64_t vpage = va & TLB_PAGE_MASK, ppage = r.pa & TLB_PAGE_MASK;
    uint8_t *hp = phys_ram_ptr(pm, ppage, PAGE_SIZE);
    /* MAIR attribute 0b0000dd00: Device memory (what the MMU off gives). */
    uint8_t flags = (uint8_t)((r.global ? TLBE_GLOBAL : 0) | (r.mmu_off ? TLBE_MMU_OFF : 0) |
                              ((r.attr & 0xf0) == 0 ? TLBE_DEVICE : 0));
    *eflags = flags;
    *pa = r.pa;
    *host = hp ? hp + (va & ~TLB_PAGE_MASK) : NULL;
    if (!hp) {
        if (!phys_find_mmio(pm, r.pa))
            return true; /* a hole: nothing to cache, the caller aborts */
        flags |= TLBE_MMIO;
        *eflags = flags;
    }
    if (r.page_shift > TLB_PAGE_BITS) {
        uint64_t size = 1ull << r.page_shift;
        uint64_t lo = canon(va) & ~(size - 1);
        large_add(cpu, lo, lo + size);
        flags |= TLBE_LARGE;
    }
    uint64_t addend = hp ? (uint64_t)(uintptr_t)hp - vpage : 0;
    uint16_t asid = r.global ? 0 : r.asid;
    l2_insert(cpu, vpage, ppage, addend, flags, r.perms, asid);
    l1_fill(cpu, idx, vpage, ppage, addend, flags, r.perms, asid);
    return true;
}

/* Translate va for one access through L1, then L2, then the walker.
 * false: a fault was raised. *host is NULL for MMIO and holes; *eflags
 * gets the page's TLBE_* flags. */
static bool tlb_translate_fl(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa,
                             void **host, uint8_t *eflags)
{
    unsigned idx = access_idx(cpu, irflags);
    uint64_t vpage = va & TLB_PAGE_MASK;
    L1E e = l1_at(cpu, idx, l1_slot(va));
    bool rmw_ok = !(irflags & MEM_RMW) || (e.t->tag_read[e.s] & ~TLB_TAG_FLAGS) == vpage;
    if ((*l1_tag(e, acc) & ~TLB_TAG_FLAGS) != vpage || !rmw_ok) {
        cpu->stats.tlb_misses++;
        TLB2Entry *v = l2_find(cpu, vpage);
        if (v)
            e = l1_fill(cpu, idx, vpage, v->paddr, v->addend, v->flags, v->perms, v->asid);
        rmw_ok = !(irflags & MEM_RMW) || (e.t->tag_read[e.s] & ~TLB_TAG_FLAGS) == vpage;
        /* Not in L2, or not permitted there: walk (which reports the fault). */
        if (!v || (*l1_tag(e, acc) & ~TLB_TAG_FLAGS) != vpage || !rmw_ok)
            return walk_fill(cpu, idx, va, acc, irflags, pa, host, eflags);
    }
    *eflags = e.x->flags;
    *pa = e.x->paddr | (va & ~TLB_PAGE_MASK);
    *host = (e.x->flags & TLBE_MMIO) ? NULL : (void *)(uintptr_t)(va + e.t->addend[e.s]);
    return true;
}

static bool tlb_translate(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa, void **host)
{
    uint8_t fl;
    return tlb_translate_fl(cpu, va, acc, irflags, pa, host, &fl);
}

bool mmu_translate(CPUState *cpu, uint64_t va, enum MemAccess acc, uint16_t irflags, uint64_t *pa)
{
    void *host;
    return tlb_translate(cpu, va, acc, irflags, pa, &host);
}

/* ---------------- access paths ---------------- */

static uint64_t host_load(const void *p, int size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

/* An access to a physical address with nothing there: synchronous
 * external abort. */
static void raise_hole(CPUState *cpu, uint64_t va, bool write)
{
    cpu_raise(cpu, EXC_DABORT, (write ? 1u << 6 : 0) | 0x10, va);
}

static void mmio_region_access(const MMIORegion *r, uint64_t pa, int size, bool write, uint64_t *val)
{
    if (!write && r->ops->read_fast && r->ops->read_fast(r->opaque, pa - r->base, size, val))
        return;
    if (r->lock)
        pthread_mutex_lock(r->lock);
    if (write)
        r->ops->write(r->opaque, pa - r->base, *val, size);
    else
        *val = r->ops->read(r->opaque, pa - r->base, size);
    if (r->lock)
        pthread_mutex_unlock(r->lock);
}

static bool mmio_access(CPUState *cpu, uint64_t va, uint64_t pa, int size, bool write, uint64_t *val)
{
    const MMIORegion *r = phys_find_mmio(&cpu->machine->pm, pa);
    if (!r) {
        raise_hole(cpu, va, write);
        return false;
    }
    mmio_region_access(r, pa, size, write, val);
    return true;
}

/* An unaligned access to Device memory: alignment fault (DFSC 0x21), found
 * after translation because the memory type comes from it (the Arm ARM's
 * AArch64.FirstStageTranslate, "unaligned data accesses to Device memory").
 * With the MMU off the translator's IRF_ALIGN (TBF_A) has checked already,
 * before translation as the fast path needs; accesses without it (a
 * semihosting read) are not the guest's and are let through. */
static bool device_misaligned(CPUState *cpu, uint64_t va, int size, uint8_t eflags, bool write)
{
    if ((eflags & (TLBE_DEVICE | TLBE_MMU_OFF)) != TLBE_DEVICE || !(va & (uint64_t)(size - 1)))
        return false;
    cpu_raise(cpu, EXC_DABORT, (write ? 1u << 6 : 0) | 0x21, va);
    return true;
}

/* One access that does not cross a page. */
static bool access_slow(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write, uint64_t *val)
{
    uint64_t pa;
    void *host;
    uint8_t fl;
    if (!tlb_translate_fl(cpu, va, write ? ACC_WRITE : ACC_READ, irflags, &pa, &host, &fl) ||
        device_misaligned(cpu, va, size, fl, write))
        return false;
    if (__builtin_expect(cpu->dbg_wp_any, 0) && !(irflags & MEM_NOWATCH) &&
        !debug_check_watch(cpu, va, (uint64_t)size, write, false))
        return false;
    if (!host)
        return mmio_access(cpu, va, pa, size, write, val);
    if (write)
        cpu->mem_locked += monitor_guest_store(cpu->machine->monitor, host, size, *val);
    else
        *val = host_load(host, size);
    return true;
}

static bool access_split(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write, uint64_t *val)
{
    /* Page-crossing: byte by byte, little-endian. For stores both pages are
     * translated (and permission-checked) before any byte is written; a
     * fault on the second page reports its first byte (as the byte-wise
     * loads do, and as QEMU does). */
    uint64_t pa;
    void *host;
    uint8_t fl;
    /* Device memory: the whole access faults first (always unaligned here). */
    if (!tlb_translate_fl(cpu, va, write ? ACC_WRITE : ACC_READ, irflags, &pa, &host, &fl) ||
        device_misaligned(cpu, va, size, fl, write))
        return false;
    /* A watchpoint on any byte: before the first byte is accessed. */
    if (__builtin_expect(cpu->dbg_wp_any, 0) && !debug_check_watch(cpu, va, (uint64_t)size, write, false))
        return false;
    irflags |= MEM_NOWATCH;
    if (write) {
        if (!mmu_translate(cpu, va, ACC_WRITE, irflags, &pa) ||
            !mmu_translate(cpu, (va + (uint64_t)size - 1) & TLB_PAGE_MASK, ACC_WRITE, irflags, &pa))
            return false;
        for (int i = 0; i < size; i++) {
            uint64_t b = (*val >> (8 * i)) & 0xff;
            if (!access_slow(cpu, va + (uint64_t)i, 1, irflags, true, &b))
                return false;
        }
        return true;
    }
    uint64_t r = 0;
    for (int i = 0; i < size; i++) {
        uint64_t b;
        if (!access_slow(cpu, va + (uint64_t)i, 1, irflags, false, &b))
            return false;
        r |= b << (8 * i);
    }
    *val = r;
    return true;
}

/* SCTLR_EL1.A: an access not aligned to its size takes an alignment fault
 * (DFSC 0x21) before translation, as AArch64.CheckAlignment does. */
static bool misaligned(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write)
{
    if (__builtin_expect(!(irflags & IRF_ALIGN) || !(va & (uint64_t)(size - 1)), 1))
        return false;
    cpu_raise(cpu, EXC_DABORT, (write ? 1u << 6 : 0) | 0x21, va);
    return true;
}

bool mem_load(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t *val)
{
    if (misaligned(cpu, va, size, irflags, false))
        return false;
    unsigned idx = (irflags & IRF_UNPRIV) ? MMU_IDX_EL0 : cpu_mmu_idx(cpu);
    L1E e = l1_at(cpu, idx, l1_slot(va));
    bool in_page = (va & ~TLB_PAGE_MASK) + (uint64_t)size <= PAGE_SIZE;
    if (__builtin_expect(e.t->tag_read[e.s] == (va & TLB_PAGE_MASK) && in_page, 1)) {
        *val = host_load((const void *)(uintptr_t)(va + e.t->addend[e.s]), size);
        return true;
    }
    if (irflags & IRF_BYTES) { /* byte elements: as the separate byte loads would (lowest first) */
        uint64_t r = 0;
        for (int i = 0; i < size; i++) {
            uint64_t b;
            if (!mem_load(cpu, va + (uint64_t)i, 1, irflags & ~IRF_BYTES, &b))
                return false;
            r |= b << (8 * i);
        }
        *val = r;
        return true;
    }
    return in_page ? access_slow(cpu, va, size, irflags, false, val) : access_split(cpu, va, size, irflags, false, val);
}

bool mem_store(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t val)
{
    if (misaligned(cpu, va, size, irflags, true))
        return false;
    unsigned idx = (irflags & IRF_UNPRIV) ? MMU_IDX_EL0 : cpu_mmu_idx(cpu);
    L1E e = l1_at(cpu, idx, l1_slot(va));
    bool in_page = (va & ~TLB_PAGE_MASK) + (uint64_t)size <= PAGE_SIZE;
    /* An armed page (TLB_TAG_ARMED) comes here from the JIT too: the store
     * and the reservation check are one step (sync/monitor.h), no window
     * for another core's LDXR/STXR to miss this store. */
    if (__builtin_expect((e.t->tag_write[e.s] & ~TLB_TAG_ARMED) == (va & TLB_PAGE_MASK) && in_page, 1)) {
        void *host = (void *)(uintptr_t)(va + e.t->addend[e.s]);
        cpu->mem_locked += monitor_guest_store(cpu->machine->monitor, host, size, val);
        return true;
    }
    if (irflags & IRF_BYTES) { /* byte elements: as the separate byte stores would (lowest first) */
        for (int i = 0; i < size; i++)
            if (!mem_store(cpu, va + (uint64_t)i, 1, irflags & ~IRF_BYTES, (val >> (8 * i)) & 0xff))
                return false;
        return true;
    }
    return in_page ? access_slow(cpu, va, size, irflags, true, &val) : access_split(cpu, va, size, irflags, true, &val);
}

bool mem_translate_host(CPUState *cpu, uint64_t va, int size, uint16_t irflags, bool write, void **host)
{
    uint64_t pa;
    uint8_t fl;
    *host = NULL;
    if ((va & ~TLB_PAGE_MASK) + (uint64_t)size > PAGE_SIZE)
        return true; /* page-crossing: the caller takes the ordinary path */
    if (misaligned(cpu, va, size, irflags, write) ||
        !tlb_translate_fl(cpu, va, write ? ACC_WRITE : ACC_READ, irflags, &pa, host, &fl) ||
        device_misaligned(cpu, va, size, fl, write)) {
        *host = NULL;
        return false;
    }
    return true;
}

bool mem_dc_zva(CPUState *cpu, uint64_t va)
{
    uint64_t base = va & ~(uint64_t)(DC_ZVA_BYTES - 1), pa;
    void *host;
    uint8_t fl;
    /* Fast path, as an inline store's: with the MMU on (off, all data is
     * Device), the write tag matches only for RAM that this regime may
     * write, mapped Normal, with no armed granule in the page
     * (TLB_TAG_ARMED, kept current at every pass); then no monitor check is
     * due either. Linux clears pages with DC ZVA: this was 2% of a boot's
     * host time through tlb_translate_fl and eight checked stores. */
    L1E e = l1_at(cpu, cpu_mmu_idx(cpu), l1_slot(base));
    if (__builtin_expect(e.t->tag_write[e.s] == (base & TLB_PAGE_MASK) && (cpu->sctlr_el1 & 1) && !cpu->dbg_wp_any,
                         1)) {
        uint64_t *p = (uint64_t *)(uintptr_t)(base + e.t->addend[e.s]);
        for (unsigned i = 0; i < DC_ZVA_BYTES / 8; i++)
            atomic_store_explicit((_Atomic uint64_t *)&p[i], 0, memory_order_relaxed);
        return true;
    }
    /* A write for the fault checks (WnR = 1, CM = 0), then Device memory of
     * any kind is an alignment fault, whatever the address's alignment. */
    if (!tlb_translate_fl(cpu, base, ACC_WRITE, 0, &pa, &host, &fl))
        return false;
    if (fl & TLBE_DEVICE) {
        cpu_raise(cpu, EXC_DABORT, 1u << 6 | 0x21, base);
        return false;
    }
    if (__builtin_expect(cpu->dbg_wp_any, 0) && !debug_check_watch(cpu, base, DC_ZVA_BYTES, true, false))
        return false;
    if (host) {
        /* RAM: the block is in one page; stores through the monitor, as
         * mem_store would do them, without eight TLB lookups. */
        for (uint64_t off = 0; off < DC_ZVA_BYTES; off += 8)
            cpu->mem_locked += monitor_guest_store(cpu->machine->monitor, (uint8_t *)host + off, 8, 0);
        return true;
    }
    for (uint64_t off = 0; off < DC_ZVA_BYTES; off += 8) /* MMIO mapped Normal, or a hole */
        if (!mem_store(cpu, base + off, 8, 0, 0))
            return false;
    return true;
}

/* tlb_refill's MMIO load: what mem_load would do for an aligned plain load
 * of an MMIO page that L1 permits, without its layers (interp_exec_op,
 * mem_load, access_slow, the second L1 lookup): false leaves the access to
 * them (a watchpoint, -det weak=on, an acquire or byte-wise load, a hole). */
static bool mmio_load_here(CPUState *cpu, L1E e, uint64_t va, int size, uint16_t irflags)
{
    if ((va & (uint64_t)(size - 1)) || (irflags & (IRF_ACQ | IRF_BYTES | MEM_RMW)) || cpu->dbg_wp_any ||
        cpu->weak || !(e.x->flags & TLBE_MMIO))
        return false;
    uint64_t pa = e.x->paddr | (va & ~TLB_PAGE_MASK);
    const MMIORegion *r = phys_find_mmio(&cpu->machine->pm, pa);
    if (!r)
        return false;
    mmio_region_access(r, pa, size, false, &cpu->mmio_val);
    cpu->mmio_addend = (uint64_t)(uintptr_t)&cpu->mmio_val - va;
    return true;
}

const uint64_t *tlb_refill(CPUState *cpu, uint64_t va, uint32_t mode, uint64_t last_page)
{
    uint64_t vpage = va & TLB_PAGE_MASK;
    if (last_page != vpage)
        return NULL; /* page-crossing: access_split */
    bool write = mode & TLB_REFILL_WRITE;
    uint16_t irflags = (uint16_t)mode;
    enum MemAccess acc = write ? ACC_WRITE : ACC_READ;
    uint64_t pa;
    void *host;
    /* An MMIO page already in L1 for this access: a plain aligned load is
     * done here; anything else goes to mem_load/mem_store, which take it
     * from there (translating here too was a second L1 lookup and a second
     * device search per MMIO access). */
    L1E e1 = l1_at(cpu, access_idx(cpu, irflags), l1_slot(va));
    if (*l1_tag(e1, acc) == (vpage | TLB_TAG_MMIO)) {
        if ((mode & TLB_REFILL_LOAD) && mmio_load_here(cpu, e1, va, (int)(mode >> TLB_REFILL_SIZE_SHIFT), irflags))
            return &cpu->mmio_addend;
        return NULL;
    }
    /* What access_slow does before the access itself. */
    if (!tlb_translate(cpu, va, acc, irflags, &pa, &host))
        return TLB_REFILL_FAULT;
    if (!host) {
        if (phys_find_mmio(&cpu->machine->pm, pa))
            return NULL; /* MMIO: in L1 now, so mem_load/mem_store dispatch without a walk */
        raise_hole(cpu, va, write);
        return TLB_REFILL_FAULT;
    }
    /* RAM: tlb_translate left the permitted entry in L1. */
    L1E e = l1_at(cpu, access_idx(cpu, irflags), l1_slot(va));
    return *l1_tag(e, acc) == vpage ? &e.t->addend[e.s] : NULL;
}

void *mem_host_ptr(CPUState *cpu, uint64_t va, int size, enum MemAccess acc, uint16_t irflags, uint64_t *pa)
{
    bool wnr = acc == ACC_WRITE && !(irflags & MEM_RMW);
    if ((va & (uint64_t)(size - 1)) != 0) {
        /* Exclusives and atomics must be naturally aligned: alignment fault (DFSC 0x21). */
        cpu_raise(cpu, EXC_DABORT, (wnr ? 1u << 6 : 0) | 0x21, va);
        return NULL;
    }
    void *host;
    if (!tlb_translate(cpu, va, acc, irflags, pa, &host))
        return NULL;
    if (!host && !phys_find_mmio(&cpu->machine->pm, *pa)) {
        cpu_raise(cpu, EXC_DABORT, (wnr ? 1u << 6 : 0) | 0x10, va);
        return NULL;
    }
    if (__builtin_expect(cpu->dbg_wp_any, 0) &&
        !debug_check_watch(cpu, va, (uint64_t)size, acc == ACC_WRITE, (irflags & MEM_RMW) != 0))
        return NULL;
    return host;
}

const uint32_t *mem_fetch_ptr(CPUState *cpu, uint64_t va, uint64_t *pa)
{
    L1E e = l1_at(cpu, cpu_mmu_idx(cpu), l1_slot(va));
    if (e.t->tag_exec[e.s] == (va & TLB_PAGE_MASK)) {
        *pa = e.x->paddr | (va & ~TLB_PAGE_MASK);
        return (const uint32_t *)(uintptr_t)(va + e.t->addend[e.s]);
    }
    void *host;
    if (!tlb_translate(cpu, va, ACC_EXEC, 0, pa, &host))
        return NULL;
    if (!host) {
        /* Executing from MMIO or a hole: instruction abort, external. */
        cpu_raise(cpu, EXC_IABORT, 0x10, va);
        return NULL;
    }
    return host;
}
