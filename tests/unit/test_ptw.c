/* Unit tests for the stage-1 table walker (memory/ptw.c). Page tables are
 * built in a host buffer that stands for guest physical memory at MEM_BASE;
 * the walker reads it through a callback that also records which descriptor
 * addresses were read. Expected values come from the Arm ARM (D5/D4 of the
 * VMSAv8-64 chapter: descriptor formats, Table "Access permissions for
 * instruction execution", fault status codes), written here as tables and
 * hand-computed addresses, not from the walker's own formulas. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memory/ptw.h"

#define MEM_BASE 0x40000000ull
#define MEM_SIZE (8ull << 20)

/* Descriptor bits (Arm ARM D5.3 / D4.3) */
#define VALID 1ull
#define TABLE 3ull /* table (L0-2) or page (L3) */
#define BLOCK 1ull
#define AF (1ull << 10)
#define NG (1ull << 11)
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define PXNT (1ull << 59)
#define UXNT (1ull << 60)
#define APT(x) ((uint64_t)(x) << 61)
#define AP(x) ((uint64_t)(x) << 6)
#define ATTR(i) ((uint64_t)(i) << 2)
#define SH(x) ((uint64_t)(x) << 8)

/* TCR_EL1 */
#define TCR_EPD0 (1ull << 7)
#define TCR_A1 (1ull << 22)
#define TCR_EPD1 (1ull << 23)
#define TCR_IPS(x) ((uint64_t)(x) << 32)
#define TCR_AS (1ull << 36)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define IPS_32 0
#define IPS_36 1
#define IPS_40 2
#define IPS_48 5

#define SCTLR_M 1ull
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)

/* MAIR: 0 Normal WB, 1 Device-nGnRnE, 2 Normal NC, 3 Device-nGnRE, 4 Normal WT,
 * 5..7 distinct markers so that AttrIndx selection is visible. */
static const uint8_t mair_bytes[8] = {0xff, 0x00, 0x44, 0x04, 0xbb, 0x33, 0x22, 0x11};

/* Granules: log2 size and the TG0 / TG1 encodings, which differ. */
typedef struct Gran {
    const char *name;
    unsigned g, tg0, tg1;
} Gran;
static const Gran G4K = {"4K", 12, 0, 2}, G16K = {"16K", 14, 2, 1}, G64K = {"64K", 16, 1, 3};
static const Gran *const GRANS[3] = {&G4K, &G16K, &G64K};

/* ---- guest physical memory ---- */
static uint8_t *mem;
static uint64_t mem_used;
static int nreads;
static uint64_t reads[8];

static void setup(void)
{
    mem = calloc(1, MEM_SIZE);
    cr_assert_not_null(mem);
    mem_used = 0;
    nreads = 0;
}

static void teardown(void) { free(mem); }

TestSuite(ptw, .init = setup, .fini = teardown);

static uint64_t rd(uint64_t pa)
{
    cr_assert(pa >= MEM_BASE && pa + 8 <= MEM_BASE + MEM_SIZE && !(pa & 7), "bad test read 0x%llx",
              (unsigned long long)pa);
    uint64_t v;
    memcpy(&v, mem + (pa - MEM_BASE), 8);
    return v;
}

static void wr(uint64_t pa, uint64_t v)
{
    cr_assert(pa >= MEM_BASE && pa + 8 <= MEM_BASE + MEM_SIZE && !(pa & 7), "bad test write 0x%llx",
              (unsigned long long)pa);
    memcpy(mem + (pa - MEM_BASE), &v, 8);
}

static uint64_t read_desc(void *opaque, uint64_t pa, bool *ok)
{
    (void)opaque;
    if (nreads < 8)
        reads[nreads] = pa;
    nreads++;
    if (pa < MEM_BASE || pa + 8 > MEM_BASE + MEM_SIZE || (pa & 7)) {
        *ok = false;
        return 0;
    }
    uint64_t v;
    memcpy(&v, mem + (pa - MEM_BASE), 8);
    return v;
}

/* Forget every table (clears only what was used). */
static void reset_mem(void)
{
    memset(mem, 0, mem_used);
    mem_used = 0;
}

static uint64_t alloc_table(unsigned g)
{
    uint64_t sz = 1ull << g;
    mem_used = (mem_used + sz - 1) & ~(sz - 1);
    cr_assert(mem_used + sz <= MEM_SIZE, "test memory exhausted");
    uint64_t pa = MEM_BASE + mem_used;
    mem_used += sz;
    return pa;
}

/* ---- table builder ---- */
typedef struct Tables {
    uint64_t root;
    unsigned g, n; /* granule log2, input address size */
    int start;
} Tables;

/* Lowest VA bit resolved at level l. */
static unsigned lshift(unsigned g, int l) { return g + (unsigned)(3 - l) * (g - 3); }

/* Start level: the deepest level whose table still covers all n bits. */
static int start_for(unsigned g, unsigned n)
{
    int l = 3;
    while (lshift(g, l) + (g - 3) < n)
        l--;
    return l;
}

static uint64_t tindex(const Tables *t, uint64_t va, int l)
{
    unsigned sh = lshift(t->g, l);
    unsigned width = l == t->start ? t->n - sh : t->g - 3;
    return (va >> sh) & ((1ull << width) - 1);
}

static Tables tables_new(const Gran *gr, unsigned n)
{
    Tables t = {alloc_table(gr->g), gr->g, n, start_for(gr->g, n)};
    return t;
}

/* Address of va's descriptor slot at `level`, creating the tables above it. */
static uint64_t slot_at(const Tables *t, uint64_t va, int level)
{
    uint64_t table = t->root;
    for (int l = t->start; l < level; l++) {
        uint64_t sa = table + 8 * tindex(t, va, l);
        uint64_t d = rd(sa);
        if ((d & 3) != 3) {
            d = alloc_table(t->g) | TABLE;
            wr(sa, d);
        }
        table = d & 0x0000fffffffff000ull & ~((1ull << t->g) - 1);
    }
    return table + 8 * tindex(t, va, level);
}

static void map(const Tables *t, uint64_t va, int level, uint64_t desc) { wr(slot_at(t, va, level), desc); }
/* OR bits into the table descriptor at `level` on va's path. */
static void set_table_bits(const Tables *t, uint64_t va, int level, uint64_t b)
{
    uint64_t sa = slot_at(t, va, level);
    wr(sa, rd(sa) | b);
}

static uint64_t page(uint64_t pa, unsigned ap, uint64_t extra) { return pa | TABLE | AF | AP(ap) | extra; }
static uint64_t block(uint64_t pa, unsigned ap, uint64_t extra) { return pa | BLOCK | AF | AP(ap) | extra; }

/* ---- registers ---- */
static PTWRegs regs;

static uint64_t mair_value(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)mair_bytes[i] << (8 * i);
    return v;
}

/* MMU on, both halves with the given granules and input sizes, IPS 40 bits. */
static void regs_init(const Gran *g0, unsigned n0, const Gran *g1, unsigned n1)
{
    memset(&regs, 0, sizeof(regs));
    regs.sctlr = SCTLR_M;
    regs.tcr = (uint64_t)(64 - n0) | ((uint64_t)g0->tg0 << 14) | ((uint64_t)(64 - n1) << 16) |
               ((uint64_t)g1->tg1 << 30) | TCR_IPS(IPS_40);
    regs.mair = mair_value();
}

static PTWResult walk(uint64_t va, enum PTWAccess acc, bool el0, bool pan)
{
    PTWResult r;
    memset(&r, 0x5a, sizeof(r));
    nreads = 0;
    int rc = ptw_walk(&regs, va, acc, el0, pan, read_desc, NULL, &r);
    cr_assert_eq(rc, r.fault, "return value %d != result fault %d", rc, r.fault);
    return r;
}

static void expect_ok(const PTWResult *r, uint64_t pa, const char *what)
{
    cr_assert_eq(r->fault, PTW_FAULT_NONE, "%s: fault %d at level %d", what, r->fault, r->level);
    cr_assert_eq(r->pa, pa, "%s: pa 0x%llx, expected 0x%llx", what, (unsigned long long)r->pa,
                 (unsigned long long)pa);
}

static void expect_fault(const PTWResult *r, int fault, int level, int fsc, const char *what)
{
    cr_assert_eq(r->fault, fault, "%s: fault %d, expected %d", what, r->fault, fault);
    cr_assert_eq(r->level, level, "%s: level %d, expected %d", what, r->level, level);
    cr_assert_eq(ptw_fault_status(r), fsc, "%s: FSC 0x%x, expected 0x%x", what, ptw_fault_status(r), fsc);
}

/* A TTBR1 address: the top 64-n bits set, low bits `off`. */
static uint64_t hi_va(unsigned n, uint64_t off) { return (~0ull << n) | off; }

/* ================= MMU off ================= */

Test(ptw, mmu_off_identity_and_attrs)
{
    memset(&regs, 0, sizeof(regs));
    regs.tcr = 0x5555555555ull & ~(TCR_TBI0 | TCR_TBI1); /* ignored with M = 0 */
    PTWResult r = walk(0xe345678abcull, PTW_READ, false, false);
    expect_ok(&r, 0xe345678abcull, "read");
    cr_assert(r.mmu_off && r.global);
    cr_assert_eq(r.attr, 0x00, "data accesses are Device-nGnRnE");
    cr_assert_eq(r.perms, 0x3f);
    r = walk(0x40000000, PTW_WRITE, true, true);
    expect_ok(&r, 0x40000000, "EL0 write, PAN");
    r = walk(0x40000000, PTW_EXEC, false, false);
    cr_assert_eq(r.attr, 0x44, "fetch, SCTLR.I=0: Normal Non-cacheable");
    regs.sctlr = SCTLR_I;
    r = walk(0x40000000, PTW_EXEC, false, false);
    cr_assert_eq(r.attr, 0xaa, "fetch, SCTLR.I=1: Normal write-through read-allocate");
    cr_assert_eq(r.sh, PTW_SH_OUTER);
}

Test(ptw, mmu_off_address_size)
{
    memset(&regs, 0, sizeof(regs));
    PTWResult r = walk(1ull << 40, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 0, 0x00, "PA bit 40 with PARange 40");
    r = walk((1ull << 40) - 8, PTW_WRITE, false, false);
    expect_ok(&r, (1ull << 40) - 8, "top of the 40-bit PA space");
    r = walk(0xff00000000001000ull, PTW_EXEC, false, false);
    expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 0, 0x00, "tag without TBI");
    regs.tcr = TCR_TBI1;
    r = walk(0xff00000000001000ull, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 0, 0x00, "bit 55 clear: TBI1 does not apply");
    regs.tcr = TCR_TBI0;
    r = walk(0xa500000000001000ull, PTW_READ, false, false);
    expect_ok(&r, 0x1000, "TBI0 ignores the top byte");
    regs.pamax = 48;
    r = walk(0x0000800000000000ull - 8, PTW_READ, false, false);
    expect_ok(&r, 0x0000800000000000ull - 8, "PARange 48");
}

/* ================= geometry ================= */

/* Hand table: start level per granule and input size (Arm ARM, "Translation
 * table walk start level"). */
Test(ptw, start_level_and_descriptor_addresses)
{
    static const struct { const Gran *gr; unsigned n; int start; } cases[] = {
        {&G4K, 48, 0}, {&G4K, 40, 0}, {&G4K, 39, 1}, {&G4K, 31, 1}, {&G4K, 30, 2}, {&G4K, 25, 2},
        {&G16K, 48, 0}, {&G16K, 47, 1}, {&G16K, 37, 1}, {&G16K, 36, 2}, {&G16K, 26, 2}, {&G16K, 25, 3},
        {&G64K, 48, 1}, {&G64K, 43, 1}, {&G64K, 42, 2}, {&G64K, 30, 2}, {&G64K, 29, 3}, {&G64K, 25, 3},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reset_mem();
        const Gran *gr = cases[i].gr;
        cr_assert_eq(start_for(gr->g, cases[i].n), cases[i].start, "builder start level %s/%u", gr->name,
                     cases[i].n);
        regs_init(gr, cases[i].n, gr, cases[i].n);
        Tables t0 = tables_new(gr, cases[i].n), t1 = tables_new(gr, cases[i].n);
        regs.ttbr0 = t0.root;
        regs.ttbr1 = t1.root;
        /* The highest VA of each half, so the first-level index is all ones. */
        uint64_t off = (1ull << cases[i].n) - (1ull << gr->g) + 0x18;
        uint64_t pa0 = 0x80000000ull, pa1 = 0x90000000ull;
        map(&t0, off, 3, page(pa0, 0, 0));
        map(&t1, hi_va(cases[i].n, off), 3, page(pa1, 0, 0));
        PTWResult r = walk(off, PTW_READ, false, false);
        expect_ok(&r, pa0 + 0x18, gr->name);
        cr_assert_eq(r.level, 3);
        cr_assert_eq(r.page_shift, gr->g);
        cr_assert_eq(nreads, 4 - cases[i].start, "%s/%u: %d descriptor reads", gr->name, cases[i].n, nreads);
        /* The first read is the last entry of the first table: its size is
         * 8 << (n - lowest bit resolved at the start level). */
        uint64_t entries = 1ull << (cases[i].n - lshift(gr->g, cases[i].start));
        cr_assert_eq(reads[0], t0.root + 8 * (entries - 1), "%s/%u: first read 0x%llx", gr->name, cases[i].n,
                     (unsigned long long)reads[0]);
        cr_assert(!r.ttbr1);
        r = walk(hi_va(cases[i].n, off), PTW_READ, false, false);
        expect_ok(&r, pa1 + 0x18, gr->name);
        cr_assert(r.ttbr1);
        cr_assert_eq(reads[0], t1.root + 8 * (entries - 1));
    }
}

/* 4K, 48-bit: every descriptor address computed by hand. */
Test(ptw, four_level_4k_descriptor_addresses)
{
    regs_init(&G4K, 48, &G4K, 48);
    uint64_t l0 = alloc_table(12), l1 = alloc_table(12), l2 = alloc_table(12), l3 = alloc_table(12);
    regs.ttbr0 = l0;
    uint64_t va = (1ull << 39) | (2ull << 30) | (3ull << 21) | (4ull << 12) | 0x567;
    wr(l0 + 8, l1 | TABLE);
    wr(l1 + 16, l2 | TABLE);
    wr(l2 + 24, l3 | TABLE);
    wr(l3 + 32, page(0x123456000ull, 1, ATTR(4)));
    PTWResult r = walk(va, PTW_READ, true, false);
    expect_ok(&r, 0x123456567ull, "4-level walk");
    cr_assert_eq(nreads, 4);
    cr_assert_eq(reads[0], l0 + 8);
    cr_assert_eq(reads[1], l1 + 16);
    cr_assert_eq(reads[2], l2 + 24);
    cr_assert_eq(reads[3], l3 + 32);
    cr_assert_eq(r.attr, 0xbb);
    cr_assert_eq(r.page_shift, 12);
}

/* 16K, 48-bit: the level-0 table has two entries selected by VA bit 47. */
Test(ptw, level0_16k_two_entries)
{
    regs_init(&G16K, 48, &G16K, 48);
    Tables t = tables_new(&G16K, 48);
    regs.ttbr0 = t.root;
    uint64_t va = 0x0000800000004000ull;
    map(&t, va, 3, page(0x200000000ull, 0, 0));
    PTWResult r = walk(va + 0x123, PTW_READ, false, false);
    expect_ok(&r, 0x200000123ull, "VA bit 47");
    cr_assert_eq(reads[0], t.root + 8);
    r = walk(0x4000, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "entry 0 empty");
}

/* A first-level table smaller than a granule is aligned only to its own
 * size, and TTBR bits below that alignment are ignored (v8.0 pseudocode:
 * baseregister<47:baselowerbound>). */
Test(ptw, small_first_table_alignment)
{
    /* 4K, 40-bit: level 0 has 2 entries, a 16-byte table. */
    regs_init(&G4K, 40, &G4K, 40);
    Tables t = tables_new(&G4K, 40);
    t.root += 0x7f0;
    regs.ttbr0 = t.root;
    map(&t, 0x8000001000ull, 3, page(0x5000, 0, 0));
    PTWResult r = walk(0x8000001008ull, PTW_READ, false, false);
    expect_ok(&r, 0x5008, "16-byte root at +0x7f0");
    cr_assert_eq(reads[0], t.root + 8);
    /* 64K, 48-bit: level 1 has 64 entries (512 bytes); bits 8:1 of the TTBR
     * are below the table's alignment. */
    reset_mem();
    regs_init(&G64K, 48, &G64K, 48);
    Tables u = tables_new(&G64K, 48);
    u.root += 0x200;
    regs.ttbr0 = u.root | 0x1f8;
    map(&u, 0x0000fc0000000000ull, 3, page(0x70000, 0, 0));
    r = walk(0x0000fc0000000010ull, PTW_READ, false, false);
    expect_ok(&r, 0x70010, "TTBR bits below the alignment ignored");
    cr_assert_eq(reads[0], u.root + 8 * 63);
}

/* ================= pages and blocks ================= */

Test(ptw, page_mappings_each_granule)
{
    for (int i = 0; i < 3; i++) {
        const Gran *gr = GRANS[i];
        reset_mem();
        regs_init(gr, 48, gr, 39);
        Tables t0 = tables_new(gr, 48), t1 = tables_new(gr, 39);
        regs.ttbr0 = t0.root;
        regs.ttbr1 = t1.root;
        uint64_t psz = 1ull << gr->g;
        uint64_t va = 0x00007f1234560000ull & ~(psz - 1);
        /* Two neighbouring pages mapped to unrelated frames. */
        map(&t0, va, 3, page(0x0000004560000000ull, 1, 0));
        map(&t0, va + psz, 3, page(0x0000001230000000ull, 1, 0));
        PTWResult r = walk(va + psz - 1, PTW_READ, true, false);
        expect_ok(&r, 0x0000004560000000ull + psz - 1, gr->name);
        cr_assert_eq(r.page_shift, gr->g);
        cr_assert_eq(r.level, 3);
        r = walk(va + psz + 8, PTW_WRITE, true, false);
        expect_ok(&r, 0x0000001230000008ull, gr->name);
        r = walk(va + 2 * psz, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_TRANSLATION, 3, 0x07, "unmapped neighbour");
        /* Upper half, 39-bit: 0xffffff80_00000000 .. */
        uint64_t hva = 0xffffffc000000000ull + 5 * psz;
        map(&t1, hva, 3, page(0x00000000c0000000ull, 0, 0));
        r = walk(hva + 0x10, PTW_READ, false, false);
        expect_ok(&r, 0xc0000010ull, gr->name);
        cr_assert(r.ttbr1);
        cr_assert_eq(r.page_shift, gr->g);
        /* Bit 47 clear is below the 39-bit upper half. */
        r = walk(0xffff7fc000000000ull, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "hole between the halves");
    }
}

Test(ptw, block_mappings_allowed_levels)
{
    static const struct { const Gran *gr; int level; unsigned shift; } cases[] = {
        {&G4K, 1, 30}, {&G4K, 2, 21}, {&G16K, 2, 25}, {&G64K, 2, 29},
    };
    for (unsigned i = 0; i < 4; i++) {
        const Gran *gr = cases[i].gr;
        reset_mem();
        regs_init(gr, 48, gr, 48);
        Tables t0 = tables_new(gr, 48), t1 = tables_new(gr, 48);
        regs.ttbr0 = t0.root;
        regs.ttbr1 = t1.root;
        uint64_t bsz = 1ull << cases[i].shift;
        uint64_t va = 0x0000123400000000ull & ~(bsz - 1);
        uint64_t pa = 0x0000008000000000ull - 4 * bsz;
        map(&t0, va, cases[i].level, block(pa, 0, ATTR(2)));
        uint64_t off = bsz - 0x10 - (bsz >> 1);
        PTWResult r = walk(va + off, PTW_READ, false, false);
        expect_ok(&r, pa + off, gr->name);
        cr_assert_eq(r.level, cases[i].level);
        cr_assert_eq(r.page_shift, cases[i].shift);
        cr_assert_eq(r.attr, 0x44);
        cr_assert_eq(nreads, cases[i].level - start_for(gr->g, 48) + 1);
        /* Same in the upper half. */
        uint64_t hva = hi_va(48, 0x0000700000000000ull);
        map(&t1, hva, cases[i].level, block(pa, 0, 0));
        r = walk(hva + bsz - 1, PTW_READ, false, false);
        expect_ok(&r, pa + bsz - 1, gr->name);
        cr_assert_eq(r.page_shift, cases[i].shift);
        /* The bits of a block descriptor below the block size are ignored. */
        map(&t0, va, cases[i].level, block(pa, 0, 0) | (bsz >> 1));
        r = walk(va + 8, PTW_READ, false, false);
        expect_ok(&r, pa + 8, "RES0 output bits in a block");
    }
}

Test(ptw, block_at_disallowed_level)
{
    /* 4K: no block at L0; 16K: none at L0 and L1; 64K: none at L1. A level-3
     * entry with bits[1:0] = 01 is reserved (invalid) in every granule. */
    static const struct { const Gran *gr; unsigned n; int level; } cases[] = {
        {&G4K, 48, 0}, {&G16K, 48, 0}, {&G16K, 48, 1}, {&G64K, 48, 1},
        {&G4K, 48, 3}, {&G16K, 48, 3}, {&G64K, 48, 3},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reset_mem();
        regs_init(cases[i].gr, cases[i].n, cases[i].gr, cases[i].n);
        Tables t = tables_new(cases[i].gr, cases[i].n);
        regs.ttbr0 = t.root;
        map(&t, 0x10000000000ull, cases[i].level, block(0, 1, 0));
        PTWResult r = walk(0x10000000000ull, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_TRANSLATION, cases[i].level, 0x04 | cases[i].level, cases[i].gr->name);
    }
}

Test(ptw, invalid_descriptor_each_level)
{
    for (int i = 0; i < 3; i++) {
        const Gran *gr = GRANS[i];
        reset_mem();
        regs_init(gr, 48, gr, 48);
        Tables t = tables_new(gr, 48);
        regs.ttbr0 = t.root;
        uint64_t va = 0x0000555500000000ull;
        for (int l = t.start; l <= 3; l++) {
            /* Build down to level l, leave level l's slot invalid but with
             * every other bit set (bit 0 alone decides validity). */
            uint64_t sa = slot_at(&t, va, l);
            wr(sa, ~1ull);
            PTWResult r = walk(va, PTW_WRITE, false, false);
            expect_fault(&r, PTW_FAULT_TRANSLATION, l, 0x04 | l, gr->name);
            cr_assert_eq(nreads, l - t.start + 1);
            wr(sa, 0);
        }
    }
}

/* ================= range, EPD, TxSZ ================= */

Test(ptw, va_range_and_epd)
{
    regs_init(&G4K, 39, &G4K, 39);
    Tables t0 = tables_new(&G4K, 39), t1 = tables_new(&G4K, 39);
    regs.ttbr0 = t0.root;
    regs.ttbr1 = t1.root;
    map(&t0, 0x1000, 3, page(0x5000, 0, 0));
    map(&t1, 0xffffff8000001000ull, 3, page(0x6000, 0, 0));
    PTWResult r = walk(0x1000, PTW_READ, false, false);
    expect_ok(&r, 0x5000, "TTBR0");
    r = walk(0xffffff8000001000ull, PTW_READ, false, false);
    expect_ok(&r, 0x6000, "TTBR1");
    r = walk(0x0000008000001000ull, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "bit 39 set in the lower half");
    r = walk(0xffffff0000001000ull, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "bit 39 clear in the upper half");
    r = walk(0x8000000000001000ull, PTW_EXEC, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "bit 63 only");
    regs.tcr |= TCR_EPD0;
    r = walk(0x1000, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "EPD0");
    cr_assert_eq(nreads, 0, "EPD0: no walk");
    r = walk(0xffffff8000001000ull, PTW_READ, false, false);
    expect_ok(&r, 0x6000, "EPD0 leaves TTBR1");
    regs.tcr = (regs.tcr & ~TCR_EPD0) | TCR_EPD1;
    r = walk(0xffffff8000001000ull, PTW_EXEC, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "EPD1");
    cr_assert_eq(nreads, 0);
    r = walk(0x1000, PTW_READ, false, false);
    expect_ok(&r, 0x5000, "EPD1 leaves TTBR0");
}

Test(ptw, txsz_out_of_range_is_clamped)
{
    /* T0SZ < 16 acts as 16 (48 bits), T1SZ > 39 acts as 39 (25 bits). */
    regs_init(&G4K, 48, &G4K, 25);
    regs.tcr = (regs.tcr & ~0x3full) | 8;          /* T0SZ = 8 */
    regs.tcr = (regs.tcr & ~(0x3full << 16)) | (48ull << 16); /* T1SZ = 48 */
    Tables t0 = tables_new(&G4K, 48), t1 = tables_new(&G4K, 25);
    regs.ttbr0 = t0.root;
    regs.ttbr1 = t1.root;
    map(&t0, 0x0000ff0000000000ull, 3, page(0x7000, 0, 0));
    map(&t1, 0xffffffffff000000ull, 3, page(0x8000, 0, 0));
    PTWResult r = walk(0x0000ff0000000000ull, PTW_READ, false, false);
    expect_ok(&r, 0x7000, "T0SZ 8 -> 16");
    r = walk(0x00ff000000000000ull, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "bit 48 still out of range");
    r = walk(0xffffffffff000000ull, PTW_READ, false, false);
    expect_ok(&r, 0x8000, "T1SZ 48 -> 39");
    cr_assert_eq(nreads, 2, "25-bit 4K walk starts at level 2");
    r = walk(0xfffffffffd000000ull, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "bit 25 clear: outside the 25-bit upper half");
}

Test(ptw, tg0_tg1_encodings_differ)
{
    /* TG0 = 0b10 is 16K but TG1 = 0b10 is 4K; TG1 = 0b01 is 16K, TG0 = 0b01 is 64K. */
    regs_init(&G4K, 48, &G4K, 48);
    regs.tcr = (regs.tcr & ~(3ull << 14) & ~(3ull << 30)) | (2ull << 14) | (2ull << 30);
    Tables t0 = tables_new(&G16K, 48), t1 = tables_new(&G4K, 48);
    regs.ttbr0 = t0.root;
    regs.ttbr1 = t1.root;
    map(&t0, 0x4000, 3, page(0x10000, 0, 0));
    map(&t1, hi_va(48, 0x1000), 3, page(0x20000, 0, 0));
    PTWResult r = walk(0x4000 + 0x3ff8, PTW_READ, false, false);
    expect_ok(&r, 0x13ff8, "TG0=10: 16K");
    cr_assert_eq(r.page_shift, 14);
    r = walk(hi_va(48, 0x1ff8), PTW_READ, false, false);
    expect_ok(&r, 0x20ff8, "TG1=10: 4K");
    cr_assert_eq(r.page_shift, 12);
    /* Reserved: TG0 = 11 and TG1 = 00 are taken as 4K. */
    regs.tcr = (regs.tcr & ~(3ull << 14) & ~(3ull << 30)) | (3ull << 14);
    reset_mem();
    Tables u0 = tables_new(&G4K, 48), u1 = tables_new(&G4K, 48);
    regs.ttbr0 = u0.root;
    regs.ttbr1 = u1.root;
    map(&u0, 0x1000, 3, page(0x30000, 0, 0));
    map(&u1, hi_va(48, 0x1000), 3, page(0x40000, 0, 0));
    r = walk(0x1008, PTW_READ, false, false);
    expect_ok(&r, 0x30008, "TG0=11");
    r = walk(hi_va(48, 0x1008), PTW_READ, false, false);
    expect_ok(&r, 0x40008, "TG1=00");
}

/* ================= address size ================= */

Test(ptw, address_size_faults)
{
    for (int i = 0; i < 3; i++) {
        const Gran *gr = GRANS[i];
        reset_mem();
        regs_init(gr, 48, gr, 48);
        Tables t = tables_new(gr, 48);
        int s = t.start;
        uint64_t va = 0x0000100000000000ull;
        /* TTBR base beyond IPS (40 bits): level 0 whatever the start level. */
        regs.ttbr0 = t.root | (1ull << 40);
        PTWResult r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 0, 0x00, "TTBR bit 40");
        cr_assert_eq(nreads, 0);
        regs.ttbr0 = t.root;
        /* Output address beyond 40 bits in a page. */
        map(&t, va, 3, page(1ull << 44, 0, 0));
        r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 3, 0x03, "page OA bit 44");
        /* With IPS = 48 but PARange 40 the limit is still 40 bits. */
        regs.tcr = (regs.tcr & ~(7ull << 32)) | TCR_IPS(IPS_48);
        r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 3, 0x03, "IPS 48 capped by PARange 40");
        regs.pamax = 48;
        r = walk(va + 4, PTW_READ, false, false);
        expect_ok(&r, (1ull << 44) + 4, "PARange 48");
        regs.pamax = 0;
        regs.tcr = (regs.tcr & ~(7ull << 32)) | TCR_IPS(IPS_32);
        map(&t, va, 3, page(0x100000000ull, 0, 0));
        r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 3, 0x03, "IPS 32, OA 4 GiB");
        map(&t, va, 3, page(0xffff0000ull, 0, 0));
        r = walk(va, PTW_READ, false, false);
        expect_ok(&r, 0xffff0000ull, "IPS 32, OA below 4 GiB");
        /* A table descriptor pointing beyond the output size: fault at the
         * level of that table descriptor. */
        regs.tcr = (regs.tcr & ~(7ull << 32)) | TCR_IPS(IPS_36);
        uint64_t sa = slot_at(&t, va, s);
        uint64_t old = rd(sa);
        wr(sa, old | (1ull << 36));
        r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, s, s, "table OA bit 36");
        wr(sa, old);
        r = walk(va, PTW_READ, false, false);
        expect_ok(&r, 0xffff0000ull, "restored");
        /* A block OA beyond: fault at the block's level. */
        map(&t, va, 2, block(1ull << 38, 0, 0));
        r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ADDRESS_SIZE, 2, 0x02, "block OA bit 38, IPS 36");
    }
}

/* ================= access flag ================= */

Test(ptw, access_flag_fault)
{
    for (int i = 0; i < 3; i++) {
        const Gran *gr = GRANS[i];
        reset_mem();
        regs_init(gr, 48, gr, 48);
        Tables t = tables_new(gr, 48);
        regs.ttbr0 = t.root;
        uint64_t va = 0x0000200000000000ull;
        map(&t, va, 3, page(0x1230000, 3, 0) & ~AF);
        PTWResult r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ACCESS_FLAG, 3, 0x0b, gr->name);
        /* AF has priority over a permission fault (write to read-only). */
        r = walk(va, PTW_WRITE, true, false);
        expect_fault(&r, PTW_FAULT_ACCESS_FLAG, 3, 0x0b, "AF before permission");
        /* TCR.HA is ignored (no hardware update), and the table is unchanged. */
        regs.tcr |= 1ull << 39;
        r = walk(va, PTW_READ, false, false);
        expect_fault(&r, PTW_FAULT_ACCESS_FLAG, 3, 0x0b, "HA ignored");
        cr_assert_eq(rd(slot_at(&t, va, 3)) & AF, 0);
        map(&t, va, 2, block(0, 0, 0) & ~AF);
        r = walk(va, PTW_EXEC, false, false);
        expect_fault(&r, PTW_FAULT_ACCESS_FLAG, 2, 0x0a, "block");
        map(&t, va, 2, block(0, 0, 0));
        r = walk(va, PTW_EXEC, false, false);
        expect_ok(&r, 0, "AF set");
    }
}

/* ================= external abort on the walk ================= */

Test(ptw, walk_external_abort)
{
    regs_init(&G4K, 48, &G64K, 42);
    regs.ttbr0 = 0x10000000; /* no memory there */
    PTWResult r = walk(0x1000, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_WALK_ABORT, 0, 0x14, "TTBR0 outside memory");
    cr_assert(r.on_walk);
    cr_assert_eq(r.walk_pa, 0x10000000);
    regs.ttbr1 = 0x20000000;
    r = walk(hi_va(42, 0x10000), PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_WALK_ABORT, 2, 0x16, "64K/42 starts at level 2");
    Tables t = tables_new(&G4K, 48);
    regs.ttbr0 = t.root;
    map(&t, 0x1000, 3, page(0, 0, 0));
    uint64_t sa = slot_at(&t, 0x1000, 2);
    wr(sa, 0x30000000ull | TABLE);
    r = walk(0x1000, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_WALK_ABORT, 3, 0x17, "level-3 table outside memory");
    cr_assert_eq(r.walk_pa, 0x30000008ull);
}

/* ================= ASID and nG ================= */

Test(ptw, asid_selection)
{
    regs_init(&G4K, 39, &G4K, 39);
    Tables t0 = tables_new(&G4K, 39), t1 = tables_new(&G4K, 39);
    regs.ttbr0 = t0.root | (0xabcdull << 48);
    regs.ttbr1 = t1.root | (0x1234ull << 48);
    map(&t0, 0x1000, 3, page(0x5000, 1, NG));
    map(&t0, 0x2000, 3, page(0x6000, 1, 0));
    map(&t1, 0xffffff8000001000ull, 3, page(0x7000, 0, NG));
    static const struct { uint64_t tcr; uint16_t asid; } cases[] = {
        {0, 0xcd}, {TCR_AS, 0xabcd}, {TCR_A1, 0x34}, {TCR_A1 | TCR_AS, 0x1234},
    };
    for (int i = 0; i < 4; i++) {
        regs.tcr = (regs.tcr & ~(TCR_A1 | TCR_AS)) | cases[i].tcr;
        PTWResult r = walk(0x1000, PTW_READ, true, false);
        expect_ok(&r, 0x5000, "low nG");
        cr_assert_eq(r.asid, cases[i].asid, "case %d: asid 0x%x", i, r.asid);
        cr_assert(!r.global);
        r = walk(0xffffff8000001000ull, PTW_READ, false, false);
        expect_ok(&r, 0x7000, "high nG");
        cr_assert_eq(r.asid, cases[i].asid, "the ASID comes from the A1-selected TTBR for both halves");
        cr_assert(!r.global);
        r = walk(0x2000, PTW_READ, false, false);
        cr_assert(r.global, "nG = 0");
    }
}

/* ================= attributes ================= */

Test(ptw, mair_index_and_shareability)
{
    regs_init(&G4K, 39, &G4K, 39);
    Tables t = tables_new(&G4K, 39);
    regs.ttbr0 = t.root;
    for (int i = 0; i < 8; i++) {
        map(&t, 0x1000, 3, page(0x5000, 0, ATTR(i) | SH(3)));
        PTWResult r = walk(0x1000, PTW_READ, false, false);
        cr_assert_eq(r.attr, mair_bytes[i], "AttrIndx %d", i);
        /* Device and Normal NC are always Outer Shareable. */
        uint8_t exp = (mair_bytes[i] & 0xf0) == 0 || mair_bytes[i] == 0x44 ? PTW_SH_OUTER : PTW_SH_INNER;
        cr_assert_eq(r.sh, exp, "AttrIndx %d: sh %d", i, r.sh);
        cr_assert_eq(ptw_attr_is_device(r.attr), (mair_bytes[i] & 0xf0) == 0);
    }
    static const uint8_t sh_exp[4] = {PTW_SH_NONE, PTW_SH_OUTER, PTW_SH_OUTER, PTW_SH_INNER};
    for (unsigned sh = 0; sh < 4; sh++) {
        map(&t, 0x1000, 3, page(0x5000, 0, ATTR(0) | SH(sh)));
        PTWResult r = walk(0x1000, PTW_READ, false, false);
        cr_assert_eq(r.sh, sh_exp[sh], "SH %u", sh);
    }
    map(&t, 0x1000, 3, page(0x5000, 0, ATTR(0) | (1ull << 52)));
    PTWResult r = walk(0x1000, PTW_READ, false, false);
    cr_assert(r.contiguous);
    expect_ok(&r, 0x5000, "contiguous hint ignored for the translation");
}

/* ================= permissions ================= */

/* Arm ARM stage-1 EL1&0 data permissions (AP[2:1]): EL1 / EL0. */
static const struct { bool r1, w1, r0, w0; } ap_table[4] = {
    {1, 1, 0, 0}, /* 00: EL1 RW, EL0 none */
    {1, 1, 1, 1}, /* 01: EL1 RW, EL0 RW */
    {1, 0, 0, 0}, /* 10: EL1 RO, EL0 none */
    {1, 0, 1, 0}, /* 11: EL1 RO, EL0 RO */
};

static bool expected_allowed(unsigned ap, bool uxn, bool pxn, bool wxn, bool pan, bool el0, enum PTWAccess acc)
{
    bool r = el0 ? ap_table[ap].r0 : ap_table[ap].r1;
    bool w = el0 ? ap_table[ap].w0 : ap_table[ap].w1;
    if (acc == PTW_EXEC) {
        /* Execute ignores AP except: WXN makes writable XN; PXN is forced for
         * EL0-writable pages (AP = 01). */
        if (el0)
            return !uxn && !(wxn && ap_table[ap].w0);
        return !pxn && ap != 1 && !(wxn && ap_table[ap].w1);
    }
    /* PAN: privileged data access to an EL0-accessible page. */
    if (!el0 && pan && (ap == 1 || ap == 3))
        return false;
    return acc == PTW_READ ? r : w;
}

Test(ptw, permission_matrix)
{
    static const char *accn[3] = {"R", "W", "X"};
    for (int gi = 0; gi < 3; gi++) {
        const Gran *gr = GRANS[gi];
        reset_mem();
        regs_init(gr, 39, gr, 39);
        Tables t = tables_new(gr, 39);
        regs.ttbr0 = t.root;
        uint64_t va = 3ull << gr->g;
        for (unsigned ap = 0; ap < 4; ap++)
            for (int xn = 0; xn < 4; xn++) {
                bool uxn = xn & 1, pxn = xn & 2;
                map(&t, va, 3, page(0x7770000, ap, (uxn ? UXN : 0) | (pxn ? PXN : 0)));
                for (int wxn = 0; wxn < 2; wxn++) {
                    regs.sctlr = SCTLR_M | (wxn ? SCTLR_WXN : 0);
                    for (int pan = 0; pan < 2; pan++)
                        for (int el0 = 0; el0 < 2; el0++)
                            for (int acc = 0; acc < 3; acc++) {
                                PTWResult r = walk(va + 8, (enum PTWAccess)acc, el0, pan);
                                bool exp = expected_allowed(ap, uxn, pxn, wxn, pan, el0, (enum PTWAccess)acc);
                                cr_assert_eq(r.fault == PTW_FAULT_NONE, exp,
                                             "%s AP=%u UXN=%d PXN=%d WXN=%d PAN=%d EL0=%d %s: fault %d",
                                             gr->name, ap, uxn, pxn, wxn, pan, el0, accn[acc], r.fault);
                                if (!exp) {
                                    cr_assert_eq(r.fault, PTW_FAULT_PERMISSION);
                                    cr_assert_eq(r.level, 3);
                                    cr_assert_eq(ptw_fault_status(&r), 0x0f);
                                }
                                /* The mapping is reported even on a permission fault. */
                                cr_assert_eq(r.pa, 0x7770008ull);
                                /* A TLB re-check of the same access agrees. */
                                cr_assert_eq(ptw_check_access(&r, (enum PTWAccess)acc, el0, pan), r.fault);
                            }
                }
            }
    }
}

Test(ptw, permission_on_blocks)
{
    regs_init(&G4K, 48, &G4K, 48);
    Tables t = tables_new(&G4K, 48);
    regs.ttbr0 = t.root;
    map(&t, 0x40000000, 1, block(0x80000000, 3, UXN));
    PTWResult r = walk(0x40001000, PTW_WRITE, false, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 1, 0x0d, "RO 1G block");
    r = walk(0x40001000, PTW_EXEC, true, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 1, 0x0d, "UXN 1G block");
    r = walk(0x40001000, PTW_EXEC, false, false);
    expect_ok(&r, 0x80001000, "EL1 exec");
    r = walk(0x40001000, PTW_READ, false, true);
    expect_fault(&r, PTW_FAULT_PERMISSION, 1, 0x0d, "PAN on an EL0-readable block");
}

Test(ptw, pan_exemptions)
{
    regs_init(&G4K, 39, &G4K, 39);
    Tables t = tables_new(&G4K, 39);
    regs.ttbr0 = t.root;
    map(&t, 0x1000, 3, page(0x5000, 1, 0)); /* EL0 RW, so EL1 may not execute it */
    map(&t, 0x2000, 3, page(0x6000, 3, 0)); /* EL0 RO */
    map(&t, 0x3000, 3, page(0x7000, 0, 0)); /* EL1 only */
    /* LDTR/STTR-type accesses (el0 = true) are not affected by PAN. */
    PTWResult r = walk(0x1000, PTW_WRITE, true, true);
    expect_ok(&r, 0x5000, "STTR with PAN");
    r = walk(0x1000, PTW_WRITE, false, true);
    expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "STR with PAN");
    /* Instruction fetch is not a PAN access: EL1 fetch of an EL0-RO page is fine. */
    r = walk(0x2000, PTW_EXEC, false, true);
    expect_ok(&r, 0x6000, "EL1 fetch with PAN");
    r = walk(0x2000, PTW_READ, false, true);
    expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "LDR with PAN, EL0-RO page");
    r = walk(0x3000, PTW_WRITE, false, true);
    expect_ok(&r, 0x7000, "PAN leaves EL1-only pages alone");
    /* EL0 may execute a page it cannot read (execute-only). */
    r = walk(0x3000, PTW_EXEC, true, false);
    expect_ok(&r, 0x7000, "EL0 execute-only");
    r = walk(0x3000, PTW_READ, true, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "EL0 read of EL1-only page");
    /* The TLB-style re-check follows PSTATE.PAN changes. */
    r = walk(0x2000, PTW_READ, false, false);
    expect_ok(&r, 0x6000, "LDR without PAN");
    cr_assert_eq(ptw_check_access(&r, PTW_READ, false, true), PTW_FAULT_PERMISSION);
    cr_assert_eq(ptw_check_access(&r, PTW_READ, true, true), PTW_FAULT_NONE);
    cr_assert_eq(ptw_check_access(&r, PTW_WRITE, true, false), PTW_FAULT_PERMISSION);
}

Test(ptw, hierarchical_table_attributes)
{
    for (int gi = 0; gi < 3; gi++) {
        const Gran *gr = GRANS[gi];
        reset_mem();
        regs_init(gr, 48, gr, 48);
        Tables t = tables_new(gr, 48);
        regs.ttbr0 = t.root;
        uint64_t va = 0x0000300000000000ull;
        map(&t, va, 3, page(0x9990000, 1, 0)); /* RW at both levels, executable at EL0 */
        PTWResult r = walk(va, PTW_WRITE, true, false);
        expect_ok(&r, 0x9990000, "baseline");
        cr_assert_eq(r.perms, PTW_R_EL0 | PTW_W_EL0 | PTW_X_EL0 | PTW_R_EL1 | PTW_W_EL1, "%s perms 0x%x", gr->name,
                     r.perms);
        /* Each table-level bit, set at the start level (furthest from the
         * page) and at level 2 (the last table), restricts the page. */
        int levels[2] = {t.start, 2};
        for (int li = 0; li < 2; li++) {
            int l = levels[li];
            uint64_t sa = slot_at(&t, va, l);
            uint64_t orig = rd(sa);
            static const struct { uint64_t bits; uint8_t perms; } cases[] = {
                /* APTable[0]: no EL0 access; then EL0 cannot write, so EL1 may execute. */
                {APT(1), PTW_X_EL0 | PTW_R_EL1 | PTW_W_EL1 | PTW_X_EL1},
                /* APTable[1]: no write at any level. */
                {APT(2), PTW_R_EL0 | PTW_X_EL0 | PTW_R_EL1 | PTW_X_EL1},
                {APT(3), PTW_X_EL0 | PTW_R_EL1 | PTW_X_EL1},
                {UXNT, PTW_R_EL0 | PTW_W_EL0 | PTW_R_EL1 | PTW_W_EL1},
                /* PXNTable on a page EL1 already cannot execute (EL0-writable). */
                {PXNT, PTW_R_EL0 | PTW_W_EL0 | PTW_X_EL0 | PTW_R_EL1 | PTW_W_EL1},
                {PXNT | APT(2), PTW_R_EL0 | PTW_X_EL0 | PTW_R_EL1},
            };
            for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                wr(sa, orig | cases[c].bits);
                r = walk(va + 16, PTW_READ, false, false);
                cr_assert_eq(r.fault, PTW_FAULT_NONE);
                cr_assert_eq(r.perms, cases[c].perms, "%s level %d case %u: perms 0x%x expected 0x%x", gr->name,
                             l, c, r.perms, cases[c].perms);
                wr(sa, orig);
            }
        }
        /* Bits at two different levels accumulate. */
        set_table_bits(&t, va, t.start, UXNT);
        set_table_bits(&t, va, 2, APT(2));
        r = walk(va, PTW_EXEC, true, false);
        expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "UXNTable at the start level");
        r = walk(va, PTW_WRITE, false, false);
        expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "APTable[1] at level 2");
        r = walk(va, PTW_EXEC, false, false);
        expect_ok(&r, 0x9990000, "EL1 exec: no longer EL0-writable");
    }
}

Test(ptw, hierarchical_on_block)
{
    regs_init(&G4K, 48, &G4K, 48);
    Tables t = tables_new(&G4K, 48);
    regs.ttbr0 = t.root;
    map(&t, 0x200000, 2, block(0x400000, 1, 0));
    set_table_bits(&t, 0x200000, 1, APT(1) | PXNT);
    PTWResult r = walk(0x200000, PTW_READ, true, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 2, 0x0e, "APTable[0] above a block");
    r = walk(0x200000, PTW_EXEC, false, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 2, 0x0e, "PXNTable above a block");
    r = walk(0x200000, PTW_EXEC, true, false);
    expect_ok(&r, 0x400000, "EL0 exec still allowed");
}

Test(ptw, wxn)
{
    regs_init(&G4K, 39, &G4K, 39);
    regs.sctlr |= SCTLR_WXN;
    Tables t = tables_new(&G4K, 39);
    regs.ttbr0 = t.root;
    map(&t, 0x1000, 3, page(0x5000, 0, 0)); /* EL1 RW */
    map(&t, 0x2000, 3, page(0x6000, 2, 0)); /* EL1 RO */
    map(&t, 0x3000, 3, page(0x7000, 3, 0)); /* RO both */
    map(&t, 0x4000, 3, page(0x8000, 1, 0)); /* RW both */
    PTWResult r = walk(0x1000, PTW_EXEC, false, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "WXN, EL1-writable");
    r = walk(0x2000, PTW_EXEC, false, false);
    expect_ok(&r, 0x6000, "WXN, read-only");
    r = walk(0x3000, PTW_EXEC, true, false);
    expect_ok(&r, 0x7000, "WXN, EL0 read-only");
    r = walk(0x4000, PTW_EXEC, true, false);
    expect_fault(&r, PTW_FAULT_PERMISSION, 3, 0x0f, "WXN, EL0-writable");
    /* APTable[1] makes it read-only, so WXN no longer applies. */
    set_table_bits(&t, 0x1000, 2, APT(2));
    r = walk(0x1000, PTW_EXEC, false, false);
    expect_ok(&r, 0x5000, "WXN after APTable[1]");
}

/* ================= TBI ================= */

Test(ptw, top_byte_ignore)
{
    regs_init(&G4K, 48, &G16K, 48);
    Tables t0 = tables_new(&G4K, 48), t1 = tables_new(&G16K, 48);
    regs.ttbr0 = t0.root;
    regs.ttbr1 = t1.root;
    map(&t0, 0x0000123456789000ull, 3, page(0x5000, 1, 0));
    map(&t1, 0xffff800000004000ull, 3, page(0x8000, 0, 0));
    uint64_t tagged0 = 0x5a00123456789abcull, tagged1 = 0x3cff800000004abcull;
    PTWResult r = walk(tagged0, PTW_READ, true, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "tag without TBI0");
    r = walk(tagged1, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "tag without TBI1");
    cr_assert_eq(ptw_strip_tag(&regs, tagged0), tagged0);
    regs.tcr |= TCR_TBI0;
    r = walk(tagged0, PTW_WRITE, true, false);
    expect_ok(&r, 0x5abc, "TBI0");
    r = walk(tagged1, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "TBI0 does not cover the upper half");
    cr_assert_eq(ptw_strip_tag(&regs, tagged0), 0x0000123456789abcull);
    cr_assert_eq(ptw_strip_tag(&regs, tagged1), tagged1);
    regs.tcr = (regs.tcr & ~TCR_TBI0) | TCR_TBI1;
    r = walk(tagged1, PTW_READ, false, false);
    expect_ok(&r, 0x8abc, "TBI1");
    cr_assert(r.ttbr1);
    cr_assert_eq(ptw_strip_tag(&regs, tagged1), 0xffff800000004abcull);
    /* Bit 55 selects the half when the top byte is ignored: 0xff.. with
     * bit 55 clear is a lower-half address under TBI0. */
    regs.tcr |= TCR_TBI0;
    r = walk(0xff00123456789abcull, PTW_READ, false, false);
    expect_ok(&r, 0x5abc, "top byte 0xff, bit 55 clear");
    cr_assert(!r.ttbr1);
    r = walk(0x0080000000000000ull, PTW_READ, false, false);
    expect_fault(&r, PTW_FAULT_TRANSLATION, 0, 0x04, "bit 55 set, bits 54:48 clear");
}

/* ================= fault status codes ================= */

Test(ptw, fault_status_codes)
{
    static const struct { int fault; int level; int fsc; } cases[] = {
        {PTW_FAULT_ADDRESS_SIZE, 0, 0x00}, {PTW_FAULT_ADDRESS_SIZE, 3, 0x03},
        {PTW_FAULT_TRANSLATION, 0, 0x04},  {PTW_FAULT_TRANSLATION, 1, 0x05},
        {PTW_FAULT_TRANSLATION, 2, 0x06},  {PTW_FAULT_TRANSLATION, 3, 0x07},
        {PTW_FAULT_ACCESS_FLAG, 1, 0x09},  {PTW_FAULT_ACCESS_FLAG, 3, 0x0b},
        {PTW_FAULT_PERMISSION, 1, 0x0d},   {PTW_FAULT_PERMISSION, 3, 0x0f},
        {PTW_FAULT_WALK_ABORT, 0, 0x14},   {PTW_FAULT_WALK_ABORT, 3, 0x17},
        {PTW_FAULT_NONE, 3, -1},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PTWResult r;
        memset(&r, 0, sizeof(r));
        r.fault = (uint8_t)cases[i].fault;
        r.level = (int8_t)cases[i].level;
        cr_assert_eq(ptw_fault_status(&r), cases[i].fsc, "case %u", i);
    }
}

/* The walker must not depend on anything but its inputs: two identical
 * walks give identical results, and a failed walk leaves no state behind. */
Test(ptw, pure_function)
{
    regs_init(&G64K, 42, &G64K, 42);
    Tables t = tables_new(&G64K, 42);
    regs.ttbr0 = t.root;
    map(&t, 0x30000, 3, page(0x50000, 1, NG | ATTR(3)));
    PTWResult a = walk(0x30008, PTW_READ, true, false);
    PTWResult bad = walk(0x40000, PTW_READ, true, false);
    cr_assert_eq(bad.fault, PTW_FAULT_TRANSLATION);
    PTWResult b = walk(0x30008, PTW_READ, true, false);
    cr_assert(a.pa == b.pa && a.fault == b.fault && a.level == b.level && a.perms == b.perms && a.attr == b.attr &&
              a.sh == b.sh && a.asid == b.asid && a.global == b.global && a.page_shift == b.page_shift);
    expect_ok(&a, 0x50008, "64K/42");
    cr_assert_eq(a.attr, 0x04);
}
