/* Unit tests for the software TLB (memory/tlb.c) with the MMU on: the fast
 * path layout, one TLB per regime index, ASID tagging and the second level,
 * TLBI semantics (by VA with and without ASID, by ASID, large mappings), the
 * jump cache, and fault syndromes. Page tables are built in the test
 * machine's RAM. Where a test relies on a stale translation surviving (to
 * show that an entry was kept or refilled without a walk), the architecture
 * permits it: a TLB may keep any translation until a TLBI removes it. */
#include <criterion/criterion.h>

#include "common.h"
#include "cpu/sysreg.h"
#include "cpu/translate.h"
#include "memory/ptw.h"
#include "smp/workq.h"

/* Descriptors */
#define TABLE 3ull
#define PAGE 3ull
#define BLOCK 1ull
#define AF (1ull << 10)
#define SH_IN (3ull << 8)
#define NG (1ull << 11)
#define AP(x) ((uint64_t)(x) << 6)
#define UXN (1ull << 54)
#define PXN (1ull << 53)
#define NORMAL (AF | SH_IN) /* AttrIndx 0 */

/* Tables at RAM_BASE + 1 MiB: L1, L2, L3 (VA 0x40000000..0x401fffff in 4K
 * pages), everything else identity 2 MiB blocks. TCR: T0SZ 25, 4K, IPS 40,
 * AS = 1, TTBR1 walks disabled. */
#define L1_PA (RAM_BASE + 0x100000)
#define L2_PA (RAM_BASE + 0x101000)
#define L3_PA (RAM_BASE + 0x102000)
#define TCR_VAL (25ull | 1ull << 23 | 2ull << 32 | 1ull << 36)
#define DATA_PA (RAM_BASE + 0x200000) /* data pages used by the tests */

static TestMachine *tm;
static CPUState *cpu;

static uint64_t *desc(uint64_t table_pa, unsigned i) { return (uint64_t *)test_ram(tm, table_pa + 8 * i, 8); }
static uint64_t *ram64(uint64_t pa) { return (uint64_t *)test_ram(tm, pa, 8); }

/* L3 entry for VA 0x40000000 + i * 4K */
static void map_page(unsigned i, uint64_t pa, uint64_t attrs) { *desc(L3_PA, i) = pa | attrs | PAGE; }

static void setup(void)
{
    tm = test_machine_new();
    cpu = tm->cpu;
    memset(test_ram(tm, L1_PA, 0x3000), 0, 0x3000);
    *desc(L1_PA, 1) = L2_PA | TABLE;
    *desc(L2_PA, 0) = L3_PA | TABLE;
    for (unsigned i = 1; i < 8; i++)
        *desc(L2_PA, i) = (RAM_BASE + ((uint64_t)i << 21)) | NORMAL | BLOCK;
    for (unsigned i = 0; i < 512; i++)
        map_page(i, RAM_BASE + ((uint64_t)i << 12), NORMAL);
    cpu->mair_el1 = 0x4400ff;
    cpu->tcr_el1 = TCR_VAL;
    cpu->ttbr0_el1 = L1_PA | 1ull << 48;
    cpu->sctlr_el1 |= 1;
    tlb_flush(cpu);
}

static void teardown(void) { test_machine_free(tm); }

TestSuite(tlb, .init = setup, .fini = teardown);

static uint64_t load(uint64_t va)
{
    uint64_t v = 0;
    cpu->exc_pending = false;
    cr_assert(mem_load(cpu, va, 8, 0, &v), "load 0x%llx faulted (ESR 0x%llx)", (unsigned long long)va,
              (unsigned long long)cpu->esr_el1);
    return v;
}

/* An access that must fault: returns ESR_EL1 and checks FAR. */
static uint64_t fault_esr(bool ok, uint64_t va)
{
    cr_assert(!ok, "access to 0x%llx did not fault", (unsigned long long)va);
    cr_assert_eq(cpu->far_el1, va);
    cpu->pstate = 1u << PSTATE_EL_SHIFT | PSTATE_SP; /* back to EL1h */
    cpu->exc_pending = false;
    return cpu->esr_el1;
}

static void tlbi(uint32_t op2, uint32_t crm, uint64_t xt)
{
    helper_sys(cpu, xt, 0, 0, SYSREG_ENC(0, 0, 8, crm, op2));
}
#define TLBI_VA(va, asid) (((va) >> 12 & ((1ull << 44) - 1)) | (uint64_t)(asid) << 48)

/* The data page VA 0x40000000 + i*4K */
#define VA(i) (RAM_BASE + ((uint64_t)(i) << 12))

Test(tlb, fast_path_layout)
{
    *ram64(DATA_PA) = 0x1122334455667788ull;
    map_page(100, DATA_PA, NORMAL);
    cr_assert_eq(load(VA(100)), 0x1122334455667788ull);
    const TLBTable *e_t = &cpu->tlb[MMU_IDX_EL1];
    unsigned e_s = (VA(100) >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], VA(100));
    cr_assert_eq(e_t->tag_write[e_s], VA(100));
    cr_assert_eq(e_t->tag_exec[e_s], VA(100));
    cr_assert_eq((uintptr_t)(VA(100) + 8 + e_t->addend[e_s]), (uintptr_t)test_ram(tm, DATA_PA + 8, 8));
    cr_assert_eq(cpu->tlbx[MMU_IDX_EL1][(VA(100) >> TLB_PAGE_BITS) & (TLB_SIZE - 1)].paddr, DATA_PA);
    /* the EL0 regime was not filled */
    const TLBTable *e0_t = &cpu->tlb[MMU_IDX_EL0];
    unsigned e0_s = (VA(100) >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
    cr_assert_eq(e0_t->tag_read[e0_s], TLB_INVALID_TAG);
}

Test(tlb, permissions_per_regime)
{
    map_page(101, DATA_PA, NORMAL | AP(2) | UXN); /* EL1 read-only, EL0 none */
    map_page(102, DATA_PA, NORMAL | AP(1) | UXN); /* EL0 RW (implies PXN) */
    load(VA(101));
    const TLBTable *e_t = &cpu->tlb[MMU_IDX_EL1];
    unsigned e_s = (VA(101) >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], VA(101));
    cr_assert_eq(e_t->tag_write[e_s], TLB_INVALID_TAG);
    cr_assert_eq(e_t->tag_exec[e_s], VA(101)); /* PXN = 0, not writable: executable at EL1 */
    /* store: permission fault level 3, EC 0x25, WnR */
    cr_assert_eq(fault_esr(mem_store(cpu, VA(101) + 16, 4, 0, 1), VA(101) + 16), 0x9600004full);
    /* LDTR at EL1: EL0 permissions, through the EL0 regime */
    uint64_t v;
    cr_assert_eq(fault_esr(mem_load(cpu, VA(101), 8, IRF_UNPRIV, &v), VA(101)), 0x9600000full);
    cr_assert(mem_load(cpu, VA(102), 8, IRF_UNPRIV, &v));
    const TLBTable *e0_t = &cpu->tlb[MMU_IDX_EL0];
    unsigned e0_s = (VA(102) >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e0_t->tag_read[e0_s], VA(102));
    cr_assert_eq(e0_t->tag_write[e0_s], VA(102));
    cr_assert_eq(e0_t->tag_exec[e0_s], TLB_INVALID_TAG);
    /* an instruction fetch at EL1 from the EL0-writable page: IFSC 0x0f */
    uint64_t pa;
    cr_assert_null(mem_fetch_ptr(cpu, VA(102), &pa));
    cr_assert_eq(fault_esr(false, VA(102)), 0x8600000full);
    /* at EL0: data abort from a lower EL (EC 0x24) */
    cpu->pstate = 0;
    cr_assert(!mem_load(cpu, VA(101), 8, 0, &v));
    cr_assert_eq(cpu->esr_el1, 0x9200000full);
    cpu->pstate = 0;
    cr_assert_null(mem_fetch_ptr(cpu, VA(102), &pa));
    cr_assert_eq(fault_esr(false, VA(102)), 0x8200000full); /* UXN: EC 0x20 */
}

Test(tlb, rmw_wnr)
{
    map_page(103, DATA_PA, NORMAL | AP(2));
    *desc(L3_PA, 104) = 0; /* invalid */
    uint64_t pa;
    /* translation fault: a read would fault too, WnR = 0 */
    cr_assert_null(mem_host_ptr(cpu, VA(104), 8, ACC_WRITE, MEM_RMW, &pa));
    cr_assert_eq(fault_esr(false, VA(104)), 0x96000007ull);
    /* permission fault on the write part only: WnR = 1 */
    cr_assert_null(mem_host_ptr(cpu, VA(103), 8, ACC_WRITE, MEM_RMW, &pa));
    cr_assert_eq(fault_esr(false, VA(103)), 0x9600004full);
    /* cache maintenance: CM and WnR */
    cr_assert(!mmu_translate(cpu, VA(104), ACC_READ, MEM_CM, &pa));
    cr_assert_eq(fault_esr(false, VA(104)), 0x96000147ull);
}

Test(tlb, tlbi_by_va_and_asid)
{
    /* non-global page of ASID 1 */
    *ram64(DATA_PA) = 1;
    *ram64(DATA_PA + 0x1000) = 2;
    map_page(110, DATA_PA, NORMAL | NG);
    cr_assert_eq(load(VA(110)), 1);
    map_page(110, DATA_PA + 0x1000, NORMAL | NG);
    /* TLBI VAE1 for another ASID keeps ASID 1's entry (stale value) */
    tlbi(1, 7, TLBI_VA(VA(110), 2));
    cr_assert_eq(load(VA(110)), 1);
    /* TLBI VAE1 for ASID 1 drops it */
    tlbi(1, 7, TLBI_VA(VA(110), 1));
    cr_assert_eq(load(VA(110)), 2);
    /* VAAE1 ignores the ASID */
    map_page(110, DATA_PA, NORMAL | NG);
    tlbi(3, 7, TLBI_VA(VA(110), 9));
    cr_assert_eq(load(VA(110)), 1);
    /* ASIDE1 of another ASID: kept; of ASID 1: dropped */
    map_page(110, DATA_PA + 0x1000, NORMAL | NG);
    tlbi(2, 7, 2ull << 48);
    cr_assert_eq(load(VA(110)), 1);
    tlbi(2, 7, 1ull << 48);
    cr_assert_eq(load(VA(110)), 2);
    /* global entries survive ASIDE1, not VAE1 of any ASID */
    map_page(111, DATA_PA, NORMAL);
    cr_assert_eq(load(VA(111)), 1);
    map_page(111, DATA_PA + 0x1000, NORMAL);
    tlbi(2, 7, 1ull << 48);
    cr_assert_eq(load(VA(111)), 1);
    tlbi(5, 3, TLBI_VA(VA(111), 77)); /* VALE1IS */
    cr_assert_eq(load(VA(111)), 2);
}

Test(tlb, asid_switch_refills_from_l2)
{
    *ram64(DATA_PA) = 1;
    *ram64(DATA_PA + 0x1000) = 2;
    map_page(120, DATA_PA, NORMAL | NG);
    cr_assert_eq(load(VA(120)), 1);
    uint64_t misses = cpu->stats.tlb_misses;
    /* switch to ASID 2: the L1 entry goes */
    cpu->ttbr0_el1 = L1_PA | 2ull << 48;
    tlb_sync_asid(cpu);
    const TLBTable *e_t = &cpu->tlb[MMU_IDX_EL1];
    unsigned e_s = (VA(120) >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], TLB_INVALID_TAG);
    /* ASID 2 walks and sees the new descriptor */
    map_page(120, DATA_PA + 0x1000, NORMAL | NG);
    cr_assert_eq(load(VA(120)), 2);
    /* back to ASID 1: its entry comes back from L2 (stale value proves no walk) */
    cpu->ttbr0_el1 = L1_PA | 1ull << 48;
    tlb_sync_asid(cpu);
    cr_assert_eq(load(VA(120)), 1);
    cr_assert_eq(cpu->stats.tlb_misses, misses + 2);
    /* a global entry is not dropped by the switch */
    map_page(121, DATA_PA, NORMAL);
    load(VA(121));
    cpu->ttbr0_el1 = L1_PA | 3ull << 48;
    tlb_sync_asid(cpu);
    e_t = &cpu->tlb[MMU_IDX_EL1];
    e_s = (VA(121) >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], VA(121));
    /* a TTBR write with the same ASID flushes nothing */
    uint64_t flushes = cpu->stats.tlb_flushes;
    cpu->ttbr0_el1 = L2_PA | 3ull << 48;
    tlb_sync_asid(cpu);
    cr_assert_eq(e_t->tag_read[e_s], VA(121));
    cr_assert_eq(cpu->stats.tlb_flushes, flushes);
}

Test(tlb, tlbi_inside_block)
{
    /* VA 0x40600000.. is a 2 MiB block (L2 entry 3) */
    uint64_t blk = RAM_BASE + (3ull << 21);
    *ram64(blk + 0x100) = 7;
    *ram64(DATA_PA + 0x100) = 8;
    cr_assert_eq(load(blk + 0x100), 7);
    load(blk + 0x7100);
    *desc(L2_PA, 3) = DATA_PA | NORMAL | BLOCK; /* now the block at 2 MiB */
    /* TLBI VAE1 of another page of the block drops every piece */
    tlbi(1, 7, TLBI_VA(blk + 0x5000, 1));
    cr_assert_eq(load(blk + 0x100), 8);
    /* a TLBI outside every block keeps 4K pages of other addresses */
    map_page(130, DATA_PA, NORMAL);
    cr_assert_eq(load(VA(130) + 0x100), 8);
    map_page(130, blk, NORMAL);
    tlbi(1, 7, TLBI_VA(VA(131), 1));
    cr_assert_eq(load(VA(130) + 0x100), 8);
}

Test(tlb, exception_level_change_keeps_entries)
{
    map_page(140, DATA_PA, NORMAL | AP(1) | UXN);
    uint64_t v;
    load(VA(140));
    cpu->pstate = 0; /* EL0 */
    cr_assert(mem_load(cpu, VA(140), 8, 0, &v));
    cpu->pstate = 1u << PSTATE_EL_SHIFT | PSTATE_SP;
    uint64_t misses = cpu->stats.tlb_misses;
    cr_assert(mem_load(cpu, VA(140), 8, 0, &v));
    cpu->pstate = 0;
    cr_assert(mem_load(cpu, VA(140), 8, 0, &v));
    cr_assert_eq(cpu->stats.tlb_misses, misses);
}

Test(tlb, jump_cache)
{
    map_page(150, DATA_PA, NORMAL | NG);
    map_page(151, DATA_PA, NORMAL);
    uint64_t pa;
    cr_assert_not_null(mem_fetch_ptr(cpu, VA(150), &pa));
    cr_assert_not_null(mem_fetch_ptr(cpu, VA(151), &pa));
    JCEntry *j150 = &cpu->jc[jc_index(VA(150))];
    JCEntry *j151 = &cpu->jc[jc_index(VA(151))];
    JCEntry *jhi = &cpu->jc[jc_index(0xffffff8000001000ull)];
    jc_fill(cpu, VA(150), 0, NULL, NULL);
    jc_fill(cpu, VA(151), 0, NULL, NULL);
    jc_fill(cpu, 0xffffff8000001000ull, 0, NULL, NULL);
    /* TLBI by VA drops that page's entries only */
    tlb_flush_page(cpu, VA(151));
    cr_assert_eq(j151->pc, ~0ull);
    cr_assert_eq(j150->pc, VA(150));
    /* an ASID switch drops lower-half entries (a non-global executable
     * page was entered), not upper-half ones */
    cpu->ttbr0_el1 = L1_PA | 2ull << 48;
    tlb_sync_asid(cpu);
    cr_assert_eq(j150->pc, ~0ull);
    cr_assert_eq(jhi->pc, 0xffffff8000001000ull);
    /* with no non-global code entered since, the next switch keeps them */
    jc_fill(cpu, VA(151), 0, NULL, NULL);
    cpu->ttbr0_el1 = L1_PA | 1ull << 48;
    tlb_sync_asid(cpu);
    cr_assert_eq(j151->pc, VA(151));
    /* a full flush drops everything */
    tlb_flush(cpu);
    cr_assert_eq(jhi->pc, ~0ull);
}

/* An ASID switch drops every lower-half jump cache entry, whether the fill
 * log kept them all or overflowed (then it scans), and no upper-half one. */
Test(tlb, jump_cache_asid_switch_with_many_entries)
{
    map_page(152, DATA_PA, NORMAL | NG);
    uint64_t pa;
    cr_assert_not_null(mem_fetch_ptr(cpu, VA(152), &pa)); /* a non-global executable page entered */
    for (int round = 0; round < 2; round++) {
        const unsigned n = round ? JC_ULOG + 100 : JC_ULOG / 2;
        for (unsigned i = 0; i < n; i++)
            jc_fill(cpu, 0x400000 + 4ull * i, 0, NULL, NULL);
        jc_fill(cpu, 0xffffff8000010000ull, 0, NULL, NULL);
        cpu->ttbr0_el1 = L1_PA | (uint64_t)(3 + round) << 48;
        tlb_sync_asid(cpu);
        for (unsigned i = 0; i < n; i++)
            cr_assert_eq(cpu->jc[jc_index(0x400000 + 4ull * i)].pc, ~0ull, "round %d entry %u", round, i);
        cr_assert_eq(cpu->jc[jc_index(0xffffff8000010000ull)].pc, 0xffffff8000010000ull);
        cr_assert_eq(cpu->jc_ulog_n, 0);
        cr_assert_not_null(mem_fetch_ptr(cpu, VA(152), &pa));
    }
}

Test(tlb, at_par)
{
    map_page(160, DATA_PA, NORMAL | AP(2));
    uint64_t par = mmu_at(cpu, VA(160) + 0x123, false, false);
    cr_assert_eq(par & ~0x600ull, DATA_PA | 0xffull << 56 | 3u << 7 | 1u << 11);
    par = mmu_at(cpu, VA(160), true, false);
    cr_assert_eq(par, 1 | 0x0f << 1 | 1u << 11);
    par = mmu_at(cpu, VA(160), false, true);
    cr_assert_eq(par, 1 | 0x0f << 1 | 1u << 11);
    *desc(L3_PA, 161) = (DATA_PA | NORMAL | PAGE) & ~AF;
    par = mmu_at(cpu, VA(161), false, false);
    cr_assert_eq(par, 1 | 0x0b << 1 | 1u << 11);
}

Test(tlb, tbi_tagged_pointers)
{
    cpu->tcr_el1 |= 1ull << 37; /* TBI0 */
    tlb_flush(cpu);
    *ram64(DATA_PA) = 5;
    *ram64(DATA_PA + 0x1000) = 6;
    map_page(170, DATA_PA, NORMAL);
    uint64_t tagged = VA(170) | 0x5aull << 56;
    cr_assert_eq(load(tagged), 5);
    const TLBTable *e_t = &cpu->tlb[MMU_IDX_EL1];
    unsigned e_s = (VA(170) >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], tagged & TLB_PAGE_MASK); /* the fast path works for the tag */
    /* TLBI by the untagged VA drops the tagged entry */
    map_page(170, DATA_PA + 0x1000, NORMAL);
    tlbi(3, 7, TLBI_VA(VA(170), 0));
    cr_assert_eq(load(tagged), 6);
    /* FAR keeps the tag */
    *desc(L3_PA, 171) = 0;
    uint64_t v;
    cr_assert_eq(fault_esr(mem_load(cpu, VA(171) | 0x5aull << 56, 8, 0, &v), VA(171) | 0x5aull << 56), 0x96000007ull);
}

static unsigned mmio_reads;
static uint64_t mmio_rd(void *opaque, uint64_t off, int size)
{
    (void)opaque, (void)size;
    mmio_reads++;
    return off;
}
static void mmio_wr(void *opaque, uint64_t off, uint64_t v, int size) { (void)opaque, (void)off, (void)v, (void)size; }
static const MMIOOps mmio_ops = {.read = mmio_rd, .write = mmio_wr};

Test(tlb, mmio_entries)
{
    physmap_add_mmio(&tm->m.pm, "test", 0x09000000, 0x100, &mmio_ops, NULL, NULL);
    *desc(L1_PA, 0) = 0x0 | AF | 1ull << 2 | BLOCK | PXN | UXN; /* 1 GiB Device block */
    tlb_flush(cpu);
    mmio_reads = 0;
    cr_assert_eq(load(0x09000010), 0x10);
    const TLBTable *e_t = &cpu->tlb[MMU_IDX_EL1];
    unsigned e_s = (0x09000000 >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], 0x09000000 | TLB_TAG_MMIO);
    cr_assert_eq(e_t->tag_exec[e_s], TLB_INVALID_TAG);
    /* the next access uses the entry: change the table, the device is still reached */
    *desc(L1_PA, 0) = 0;
    cr_assert_eq(load(0x09000018), 0x18);
    cr_assert_eq(mmio_reads, 2);
    /* past the region inside the same page: external abort */
    uint64_t v;
    cr_assert_eq(fault_esr(mem_load(cpu, 0x09000200, 8, 0, &v), 0x09000200), 0x96000010ull);
}

/* ---- more pages than L1 holds ---- */

/* VA 0x80000000 + i * 4K for i < MANY (L1 entry 2, its own L2 and L3
 * tables): more pages than an L1 row has slots, all of which L2 holds. */
#define MANY (TLB_SIZE + 512)
#define MANY_VA(i) (0x80000000ull + ((uint64_t)(i) << 12))
#define MANY_L2 (RAM_BASE + 0x110000)
#define MANY_L3(k) (MANY_L2 + 0x1000 + (uint64_t)(k) * 0x1000)
_Static_assert((MANY + TLB2_SETS - 1) / TLB2_SETS + 1 <= TLB2_WAYS,
               "every page of one ASID and one page of another fit in L2");
_Static_assert(MANY_L3(MANY / 512 + 1) <= DATA_PA, "the tables stay below the data pages");

static void map_many(uint64_t pa, uint64_t attrs)
{
    *desc(L1_PA, 2) = MANY_L2 | TABLE;
    for (unsigned k = 0; k < (MANY + 511) / 512; k++)
        *desc(MANY_L2, k) = MANY_L3(k) | TABLE;
    for (unsigned i = 0; i < MANY; i++)
        *desc(MANY_L3(i / 512), i % 512) = pa | attrs | PAGE;
}

static void set_asid(uint16_t asid)
{
    cpu->ttbr0_el1 = L1_PA | (uint64_t)asid << 48;
    tlb_sync_asid(cpu);
}

static bool slot_in(const TLBSlots *s, unsigned i) { return (s->sum >> (i / 64) & 1) && (s->w[i / 64] >> (i % 64) & 1); }

/* The L1 entries of every regime: how many are valid (and non-global);
 * each valid one must be in the slot sets that flushes and ASID switches
 * visit. */
static unsigned l1_count(bool nonglobal_only)
{
    unsigned n = 0;
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            const TLBTable *t = &cpu->tlb[idx];
            bool valid = t->tag_read[i] != TLB_INVALID_TAG || t->tag_write[i] != TLB_INVALID_TAG ||
                         t->tag_exec[i] != TLB_INVALID_TAG;
            if (!valid)
                continue;
            cr_assert(slot_in(&cpu->tlbs.l1_used[idx], i), "regime %u slot %u valid but not tracked", idx, i);
            const uint8_t fl = cpu->tlbx[idx][i].flags;
            if (!(fl & TLBE_GLOBAL))
                cr_assert(slot_in(&cpu->tlbs.l1_ng[idx], i), "regime %u slot %u non-global but not tracked", idx, i);
            n += !nonglobal_only || !(fl & TLBE_GLOBAL);
        }
    return n;
}

/* ASID 1 has loaded every page of the DATA_PA mapping (value 1); then the
 * tables are changed to DATA_PA + 4K (value 2) without a TLBI. */
static void fill_many(void)
{
    *ram64(DATA_PA) = 1;
    *ram64(DATA_PA + 0x1000) = 2;
    map_many(DATA_PA, NORMAL | NG);
    for (unsigned i = 0; i < MANY; i++)
        cr_assert_eq(load(MANY_VA(i)), 1);
    /* the last TLB_SIZE pages replaced the first ones in L1 */
    const TLBTable *e_t = &cpu->tlb[MMU_IDX_EL1];
    unsigned e_s = (MANY_VA(0) >> 12) & (TLB_SIZE - 1);
    cr_assert_eq(e_t->tag_read[e_s], MANY_VA(TLB_SIZE));
    cr_assert_eq(l1_count(true), TLB_SIZE);
    map_many(DATA_PA + 0x1000, NORMAL | NG);
}

Test(tlb, reset_leaves_no_entry)
{
    /* The CPUState was zeroed (tag 0 would match page 0): cpu_reset's flush
     * visits every slot the first time. */
    cr_assert(cpu->tlbs.l1_tracked);
    cr_assert_eq(l1_count(false), 0);
}

Test(tlb, more_pages_than_l1_refill_from_l2)
{
    fill_many();
    /* ASID 2 walks the new tables; no entry of ASID 1 stays in L1 */
    set_asid(2);
    cr_assert_eq(l1_count(true), 0);
    cr_assert_eq(load(MANY_VA(7)), 2);
    /* back to ASID 1: every page comes from L2 (the stale value shows there
     * was no walk), one L1 miss each */
    set_asid(1);
    uint64_t misses = cpu->stats.tlb_misses;
    for (unsigned i = 0; i < MANY; i++)
        cr_assert_eq(load(MANY_VA(i)), 1, "page %u", i);
    cr_assert_eq(cpu->stats.tlb_misses, misses + MANY);
}

Test(tlb, tlbi_reaches_pages_only_in_l2)
{
    fill_many();
    /* Pages 3..5 are only in L2, MANY - 1 in L1 and L2. */
    tlbi(1, 7, TLBI_VA(MANY_VA(3), 1));        /* VAE1, ASID 1 */
    tlbi(1, 7, TLBI_VA(MANY_VA(4), 2));        /* VAE1, another ASID: kept */
    tlbi(3, 7, TLBI_VA(MANY_VA(5), 9));        /* VAAE1: any ASID */
    tlbi(5, 7, TLBI_VA(MANY_VA(MANY - 1), 1)); /* VALE1 */
    cr_assert_eq(load(MANY_VA(3)), 2);
    cr_assert_eq(load(MANY_VA(4)), 1);
    cr_assert_eq(load(MANY_VA(5)), 2);
    cr_assert_eq(load(MANY_VA(6)), 1);
    cr_assert_eq(load(MANY_VA(MANY - 1)), 2);
    cr_assert_eq(load(MANY_VA(MANY - 2)), 1);
    /* through an ASID switch and back, L2 still has the stale ones */
    set_asid(2);
    set_asid(1);
    cr_assert_eq(load(MANY_VA(4)), 1);
    cr_assert_eq(load(MANY_VA(MANY - 2)), 1);
    /* ASIDE1 of another ASID keeps them; of ASID 1, all go (L1 and L2) */
    tlbi(2, 7, 2ull << 48);
    cr_assert_eq(load(MANY_VA(8)), 1);
    tlbi(2, 7, 1ull << 48);
    cr_assert_eq(l1_count(true), 0);
    for (unsigned i = 0; i < MANY; i++)
        cr_assert_eq(load(MANY_VA(i)), 2, "page %u", i);
    /* a full flush leaves nothing, and empty slot sets */
    tlb_flush(cpu);
    cr_assert_eq(l1_count(false), 0);
    for (unsigned idx = 0; idx < MMU_IDX_NUM; idx++)
        cr_assert(cpu->tlbs.l1_used[idx].sum == 0 && cpu->tlbs.l1_ng[idx].sum == 0);
}

Test(tlb, slot_sets_in_every_regime)
{
    /* EL1 and LDTR (EL0 regime) on EL0-accessible pages, EL1 with PAN on
     * EL1-only pages; global and non-global pages interleaved. */
    *ram64(DATA_PA) = 1;
    for (unsigned i = 0; i < 512; i++)
        map_page(i, DATA_PA, NORMAL | AP(1) | UXN | (i & 1 ? NG : 0));
    map_many(DATA_PA, NORMAL);
    for (unsigned i = 0; i < MANY; i += 3)
        *desc(MANY_L3(i / 512), i % 512) |= NG;
    uint64_t v;
    for (unsigned i = 0; i < 512; i++) {
        cr_assert_eq(load(VA(i)), 1);
        cr_assert(mem_load(cpu, VA(i), 8, IRF_UNPRIV, &v) && v == 1);
    }
    cpu->pstate |= PSTATE_PAN;
    for (unsigned i = 0; i < MANY; i++)
        cr_assert_eq(load(MANY_VA(i)), 1);
    cpu->pstate &= ~PSTATE_PAN;
    unsigned all = l1_count(false), ng = l1_count(true);
    cr_assert_eq(all, 512 * 2 + TLB_SIZE);
    cr_assert(ng > 0 && ng < all);
    /* an ASID switch drops exactly the non-global ones */
    set_asid(2);
    cr_assert_eq(l1_count(true), 0);
    cr_assert_eq(l1_count(false), all - ng);
    /* a block's range flush (TLBI by VA inside it) visits the tracked slots */
    uint64_t blk = RAM_BASE + (3ull << 21);
    load(blk);
    load(blk + 0x3000);
    tlbi(3, 7, TLBI_VA(blk + 0x1000, 0));
    cr_assert_eq(l1_count(false), all - ng);
    tlb_flush(cpu);
    cr_assert_eq(l1_count(false), 0);
}

/* Dropping the whole jump cache (after an invalidation) clears every filled
 * entry, upper and lower half, whether the fill log kept them all or
 * overflowed (then it clears all JC_SIZE). */
Test(tlb, jump_cache_flush_clears_every_filled_entry)
{
    for (int round = 0; round < 2; round++) {
        const unsigned n = round ? JC_LOG + 50 : 100;
        for (unsigned i = 0; i < n; i++)
            jc_fill(cpu, (i & 1 ? 0xffff800008000000ull : 0x400000ull) + 4ull * i, 0, NULL, NULL);
        tlb_jc_flush(cpu);
        for (unsigned i = 0; i < JC_SIZE; i++)
            cr_assert_eq(cpu->jc[i].pc, ~0ull, "round %d slot %u", round, i);
        cr_assert_eq(cpu->jc_log_n, 0);
    }
}

/* The TLBI broadcast filter (smp/workq.c, tlb_broadcast): a walk notes its
 * ASID, and a global page it caches in the lower half, before it reads the
 * tables; a full flush empties the filter. */
Test(tlb, walks_note_their_asid_for_the_broadcast_filter)
{
    cr_assert(smpsync_init(&tm->m));
    const VCPUSync *v = &tm->m.sync->v[0];
    map_page(100, DATA_PA, NORMAL | NG);
    map_page(101, DATA_PA, NORMAL);
    cr_assert(!tlb_filter_has_asid(v, 1));
    load(VA(100));
    cr_assert(tlb_filter_has_asid(v, 1), "the walk under ASID 1 was not noted");
    cr_assert(!tlb_filter_has_asid(v, 2));
    cr_assert(!atomic_load(&v->low_global), "a not-global page counted as global");
    load(VA(101));
    cr_assert(atomic_load(&v->low_global), "a global page in the lower half was not noted");
    cpu->ttbr0_el1 = L1_PA | 2ull << 48;
    tlb_sync_asid(cpu);
    load(VA(100));
    cr_assert(tlb_filter_has_asid(v, 2));
    tlb_flush(cpu);
    cr_assert(!tlb_filter_has_asid(v, 1) && !tlb_filter_has_asid(v, 2) && !atomic_load(&v->low_global), "a full flush kept the filter");
    smpsync_destroy(&tm->m);
}
