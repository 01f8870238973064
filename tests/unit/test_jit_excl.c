/* Unit tests for the JIT's inline LDXR/STXR (cpu/jit_excl_x86.c), each
 * against the interpreter (sync/atomic.c's load_excl/store_excl) with the
 * harness of jit_harness.h: success and failure of every size and ordering,
 * cold and warm TLB, on a one-vCPU monitor (a plain store to an armed
 * granule disarms its slot) and on one that keeps slots armed (as -det with
 * several vCPUs); stores by
 * this core, another thread and the device path between LDXR and STXR;
 * mismatched address or size; alignment and translation faults; a page
 * swept between two reservations. */
#include "jit_harness.h"

#include <pthread.h>

#include "cpu/host_cpu.h"
#include "sync/atomic.h"

/* excl_pairs takes ~4 s in a plain build and 105-110 s under ThreadSanitizer
 * on a 2-CPU Intel host (scripts/tsan-tests.sh, whose default timeout is
 * 120 s: a CI run beside other work timed out). One timeout for the suite:
 * two tests with timeouts of their own made Criterion leak 48 bytes, which
 * LeakSanitizer reports (scripts/asan-tests.sh). */
TestSuite(jit, .init = setup, .fini = teardown, .timeout = 900);

static Monitor *mon_rw(void) { return tm->m.monitor; }

/* solo: the machine's one vCPU frees a slot at a plain store to its granule
 * (monitor_store_locked), and at each STXR there once a plain store has
 * written the word of an earlier STXR (monitor_stxr_solo: a lock word);
 * else slots stay armed until swept, and a warm LDXR takes the inline fast
 * path. */
static void set_solo(bool solo) { mon_rw()->solo = solo; }

/* The lock-word mark of the slot of guest address pa (MonSlot.plain_stored). */
static bool slot_plain_stored(uint64_t pa)
{
    const void *host = test_ram(tm, pa, 1);
    return atomic_load(&mon_rw()->slots[monitor_slot_index(mon_rw(), host)].plain_stored) != 0;
}

static void blk_begin(IRBlock *b)
{
    ir_block_init(b, 0x40001000);
    ir_emit(b, IR_INSN_START, 8, 0, IR_NO_TEMP, IR_NO_TEMP, IR_NO_TEMP, 0, 0x40001000);
}

static void emit_ldxr(IRBlock *b, int size, uint16_t flags, uint64_t va)
{
    ir_set_reg(b, 2, ir_emit(b, IR_LOAD_EXCL, size, flags, input(b, 0, va), IR_NO_TEMP, IR_NO_TEMP, 0, 0));
}

static void emit_stxr(IRBlock *b, int size, uint16_t flags, uint64_t va, uint64_t val)
{
    ir_set_reg(b, 1, ir_emit(b, IR_STORE_EXCL, size, flags, input(b, 1, va), input(b, 2, val), IR_NO_TEMP, 0, 0));
}

static uint64_t excl_delta(const uint64_t *now, const uint64_t *before) { return *now - *before; }

enum { K_OK, K_STORE_IN, K_STORE_NEXT, K_OTHER_VA, K_OTHER_SIZE, K_NO_LDXR, K_KINDS };

/* LDXR then STXR in one block, with what kind says between or instead:
 * both tiers agree, the status is what the monitor must answer, nothing
 * runs as a fallback, and a warm matching pair stays inline, its LDXR with
 * no reservation call unless on one vCPU a plain store has made the slot a
 * lock word's (then each STXR frees it). */
static void excl_pairs(int iters)
{
    for (int solo = 1; solo >= 0; solo--) {
        set_solo(solo);
        for (int size = 1; size <= 8; size *= 2)
            for (int it = 0; it < iters; it++) {
                int kind = (int)(rnd() % K_KINDS);
                uint64_t g = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~63ull);
                uint64_t va = g + ((rnd() % 64) & ~(uint64_t)(size - 1));
                uint16_t lf = rnd() & 1 ? IRF_ACQ : 0, sf = rnd() & 1 ? IRF_REL : 0;
                random_regime();
                host_allow(HOST_BMI1, it & 1); /* the TLB slot by BEXTR, or MOV + SHR + AND */
                IRBlock blk;
                blk_begin(&blk);
                if (kind != K_NO_LDXR)
                    emit_ldxr(&blk, size, lf, va);
                uint64_t sva = va;
                int ssize = size;
                if (kind == K_STORE_IN || kind == K_STORE_NEXT) {
                    int ps = 1 << (rnd() % 4);
                    uint64_t pva = (kind == K_STORE_IN ? g : g + 64) + ((rnd() % 64) & ~(uint64_t)(ps - 1));
                    ir_emit(&blk, IR_STORE, ps, 0, input(&blk, 3, pva), input(&blk, 4, operand()), IR_NO_TEMP, 0, 0);
                } else if (kind == K_OTHER_VA) {
                    sva = g + (((va - g) + (uint64_t)size * (1 + rnd() % 3)) & 63 & ~(uint64_t)(size - 1));
                    if (sva == va)
                        sva = va ^ 32;
                } else if (kind == K_OTHER_SIZE) {
                    ssize = size == 8 ? 4 : size * 2;
                    sva = va & ~(uint64_t)(ssize - 1);
                }
                emit_stxr(&blk, ssize, sf, sva, operand());
                ir_exit(&blk, 0x40002000);
                if (kind == K_NO_LDXR && (rnd() & 1)) { /* a stale reservation of another granule, or none */
                    cpu->excl_vaddr = va ^ 64;
                    cpu->excl_size = (uint32_t)size;
                    cpu->excl_ver = 0;
                } else {
                    atomic_clear_monitor(cpu);
                }
                uint64_t want = kind == K_OK || kind == K_STORE_NEXT ? 0 : 1;
                for (int warm = 0; warm < 2; warm++) {
                    cpu->x[1] = 7;
                    char what[96];
                    snprintf(what, sizeof(what), "solo %d size %d kind %d warm %d", solo, size, kind, warm);
                    run_both(&blk, what);
                    cr_assert_eq(cpu->x[1], want, "%s: STXR status", what);
                    cr_assert_eq(ran_fallback[IR_LOAD_EXCL] + ran_fallback[IR_STORE_EXCL], 0, "%s: a fallback", what);
                    cr_assert_eq(cpu->excl_vaddr, EXCL_NONE, "%s: monitor cleared", what);
                    const bool lock_word = solo && slot_plain_stored(g);
                    if (solo && kind == K_STORE_IN) /* the plain store released the slot */
                        cr_assert(!monitor_armed(tm->m.monitor, test_ram(tm, g, 1), 1), "%s: slot left armed", what);
                    if (kind == K_OK) /* the STXR left it armed but at a lock word on one vCPU */
                        cr_assert_eq(monitor_armed(tm->m.monitor, test_ram(tm, g, 1), 1), !lock_word,
                                     "%s: slot armed or not", what);
                    const MonSlot *sl = &mon_rw()->slots[monitor_slot_index(mon_rw(), test_ram(tm, va, 1))];
                    cr_assert_eq(atomic_load(&sl->version) & 1, 0, "%s: slot left locked", what);
                    cr_assert_null(cpu->excl_lock_slot, "%s: a locked pair left behind", what);
                    /* A warm pair with nothing between locks its slot at
                     * the LDXR (jit_excl_x86.c, "eager"), also when the STXR
                     * then finds another address; any op between that may
                     * store or leave, or another size, keeps it apart. */
                    const uint64_t locked = excl_delta(&cpu->stats.jit.excl_locked, &snap->stats.jit.excl_locked);
                    if (kind == K_STORE_IN || kind == K_STORE_NEXT || kind == K_OTHER_SIZE || kind == K_NO_LDXR)
                        cr_assert_eq(locked, 0, "%s: an LDXR locked its slot", what);
                    else if (warm && !lock_word)
                        cr_assert_eq(locked, 1, "%s: the warm pair's LDXR did not lock its slot", what);
                    if (warm && want == 0) {
                        cr_assert_eq(excl_delta(&cpu->stats.jit.excl_slow, &snap->stats.jit.excl_slow), 0,
                                     "%s: warm pair left the inline path", what);
                        if (kind == K_OK && !lock_word)
                            cr_assert_eq(excl_delta(&cpu->stats.jit.excl_reserve, &snap->stats.jit.excl_reserve), 0,
                                         "%s: warm LDXR on a stable slot called the monitor", what);
                    }
                }
                ir_block_free(&blk);
            }
    }
    host_allow(HOST_BMI1, true);
    set_solo(true);
}

Test(jit, excl_pairs) { excl_pairs(300); }

/* The same pairs compiled as a lazy compile does a block translated
 * unoptimized: their slow paths hand the interpreter the op copies the
 * code carries (jit_harness.h, harness_from_copy). */
Test(jit, excl_pairs_compiled_from_a_copy)
{
    harness_from_copy = true;
    excl_pairs(60);
    harness_from_copy = false;
}

/* A plain store beside a reserved granule, on a monitor that keeps slots
 * armed: one in the granule before it (any size) finds its own granule
 * unarmed in the armed-page stub and stores inline, with no call into C,
 * and the STXR succeeds; one that crosses into the reserved granule takes
 * the locked path and fails it. Until 2026-12-06 the stub's probe also read
 * the slot after the first byte's, so the first kind went to C as well
 * (emit_armed_probe). */
Test(jit, excl_store_beside_reserved_granule)
{
    set_solo(false);
    for (int it = 0; it < 400; it++) {
        /* The store's granule in the same page, and not reserved by an
         * earlier iteration (its slot would still be armed). */
        uint64_t g = 0;
        for (int tries = 0; tries < 1000 && !g; tries++) {
            g = SCR_PA + 128 + ((rnd() % (SCR_LEN - 256)) & ~63ull);
            if ((g & 0xfff) == 0 || monitor_armed(mon_rw(), test_ram(tm, g - 64, 1), 1))
                g = 0;
        }
        cr_assert(g, "no granule with an unreserved one before it");
        const int size = 1 << (rnd() % 4), ps = 1 << (rnd() % 4);
        const uint64_t va = g + ((rnd() % 64) & ~(uint64_t)(size - 1));
        const bool cross = ps > 1 && (rnd() & 1);
        const uint64_t pva =
            cross ? g - (uint64_t)(1 + rnd() % (uint64_t)(ps - 1)) : g - 64 + ((rnd() % 64) & ~(uint64_t)(ps - 1));
        random_regime();
        IRBlock blk;
        blk_begin(&blk);
        emit_ldxr(&blk, size, 0, va);
        ir_emit(&blk, IR_STORE, ps, 0, input(&blk, 3, pva), input(&blk, 4, operand()), IR_NO_TEMP, 0, 0);
        emit_stxr(&blk, size, 0, va, operand());
        ir_exit(&blk, 0x40002000);
        atomic_clear_monitor(cpu);
        for (int warm = 0; warm < 2; warm++) {
            cpu->x[1] = 7;
            tlb_sync_armed(cpu); /* as the dispatcher does between blocks */
            char what[96];
            snprintf(what, sizeof(what), "ldxr %d at +%d, store %d at %+d, warm %d", size, (int)(va - g), ps,
                     (int)((int64_t)pva - (int64_t)g), warm);
            run_both(&blk, what);
            cr_assert_eq(cpu->x[1], cross ? 1u : 0u, "%s: STXR status", what);
            if (warm && !cross)
                cr_assert_eq(ran_mem_slow, 0, "%s: the store beside the reserved granule went to C", what);
        }
        ir_block_free(&blk);
    }
    set_solo(true);
}

/* ---- sequences of blocks: the monitor changes between them ---- */

/* Before step `step` of a sequence (tier: 0 interpreter, 1 JIT); step n:
 * after the last block, before the tier's state is looked at. */
typedef void (*Between)(int step, int tier);

/* Run blocks 0..n-1 in order on each tier from the same CPU and scratch RAM
 * (the monitor is not rewound: every sequence takes its own reservation),
 * calling between() before each; both leave the same state. */
static void seq_both(IRBlock **blks, int n, Between between, const char *what)
{
    for (int i = 0; i < n; i++) {
        cr_assert_null(ir_verify(blks[i]), "%s: block %d does not verify", what, i);
        cr_assert(jit_compile(cpu, blks[i], cpu_tb_flags(cpu)), "%s: jit_compile failed", what);
    }
    uint8_t *ram = test_ram(tm, SCR_PA, SCR_LEN);
    cpu->exc_pending = false;
    memcpy(snap, cpu, sizeof(*cpu));
    memcpy(ram_snap, ram, SCR_LEN);
    int bx[2] = {0, 0};
    for (int tier = 0; tier < 2; tier++) {
        memcpy(cpu, snap, sizeof(*cpu));
        memcpy(ram, ram_snap, SCR_LEN);
        for (int i = 0; i < n; i++) {
            if (between)
                between(i, tier);
            void *native = blks[i]->native;
            if (!tier)
                blks[i]->native = NULL;
            bx[tier] = interp_run(cpu, blks[i]);
            blks[i]->native = native;
            if (bx[tier] == BX_EXCEPTION)
                break;
        }
        if (between)
            between(n, tier); /* after the last block: threads it started are joined */
        /* Each tier's arming moved the global gen: each must follow it. */
        cr_assert_eq(cpu->tlbs.mon_gen, atomic_load(&tm->m.monitor->gen), "%s: tier %d TLB armed tags behind", what,
                     tier);
        if (!tier) {
            memcpy(ref, cpu, sizeof(*cpu));
            memcpy(ram_ref, ram, SCR_LEN);
        }
    }
    ref->tlbs.mon_gen = cpu->tlbs.mon_gen;
    cpu->jit_last = ref->jit_last;
    memcpy(ref->jit_save, cpu->jit_save, sizeof(cpu->jit_save));
    ref->stats.jit = cpu->stats.jit;
    for (int k = 0; k < IR_NUM_OPS; k++)
        ran_fallback[k] = cpu->stats.jit.fallback[k] - snap->stats.jit.fallback[k];
    expect_same(bx[0], bx[1], blks[n - 1], what);
}

static uint64_t seq_g;   /* the reserved granule's guest address */
static int seq_writer;   /* what writes between LDXR and STXR */

static void *writer_thread(void *arg)
{
    uint64_t v = 0x5a5a5a5a5a5a5a5aull;
    monitor_write(tm->m.monitor, arg, &v, 8);
    return NULL;
}

/* 0 none; 1 another thread's monitor_write into the granule; 2 the same
 * into the next granule; 3 this core's monitor_guest_store (the C store
 * path) into the granule; 4 monitor_notify_written of the granule. */
static void between_write(int step, int tier)
{
    (void)tier;
    if (step != 1 || !seq_writer)
        return;
    uint8_t *h = test_ram(tm, seq_g + (seq_writer == 2 ? 64 : 0) + 8, 8);
    if (seq_writer <= 2) {
        pthread_t t;
        cr_assert_eq(pthread_create(&t, NULL, writer_thread, h), 0);
        pthread_join(t, NULL);
    } else if (seq_writer == 3) {
        monitor_guest_store(tm->m.monitor, h, 4, 0x1234);
    } else {
        monitor_notify_written(tm->m.monitor, h, 8);
    }
}

/* LDXR in one block, STXR in the next, a write in between: by another
 * thread or the C store path into the granule (fails the STXR), into the
 * next granule or none (succeeds). Cold and warm TLB, every size. */
Test(jit, excl_writers_between_blocks)
{
    static const uint64_t want[] = {0, 1, 0, 1, 1};
    for (int solo = 1; solo >= 0; solo--) {
        set_solo(solo);
        for (int size = 1; size <= 8; size *= 2)
            for (int w = 0; w < 5; w++)
                for (int it = 0; it < 20; it++) {
                    seq_g = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~63ull);
                    seq_writer = w;
                    uint64_t va = seq_g + ((rnd() % 64) & ~(uint64_t)(size - 1));
                    random_regime();
                    IRBlock a, b;
                    blk_begin(&a);
                    emit_ldxr(&a, size, rnd() & 1 ? IRF_ACQ : 0, va);
                    ir_exit(&a, 0x40002000);
                    blk_begin(&b);
                    emit_stxr(&b, size, rnd() & 1 ? IRF_REL : 0, va, operand());
                    ir_exit(&b, 0x40002000);
                    IRBlock *seq[2] = {&a, &b};
                    for (int warm = 0; warm < 2; warm++) {
                        cpu->x[1] = 7;
                        char what[96];
                        snprintf(what, sizeof(what), "solo %d size %d writer %d warm %d", solo, size, w, warm);
                        seq_both(seq, 2, between_write, what);
                        cr_assert_eq(cpu->x[1], want[w], "%s: STXR status", what);
                        cr_assert_eq(ran_fallback[IR_LOAD_EXCL] + ran_fallback[IR_STORE_EXCL], 0, "%s: fallback",
                                     what);
                    }
                    ir_block_free(&a);
                    ir_block_free(&b);
                }
    }
    set_solo(true);
}

/* A reservation on seq_g's granule (arms its slot and page); its host address. */
static void *reserve_seq_g(void)
{
    void *h = test_ram(tm, seq_g, 1);
    monitor_reserve(mon_rw(), h);
    return h;
}

/* Before the LDXR: the granule's slot STABLE (used) but its page swept back
 * to IDLE, and the TLB re-tagged as the dispatcher would (no armed tag on
 * the page). The LDXR must arm the page again so that the plain store after
 * it locks the slot and fails the STXR; without the store the STXR works. */
static void between_page_swept(int step, int tier)
{
    (void)tier;
    if (step != 0)
        return;
    Monitor *mon = mon_rw();
    void *h = reserve_seq_g();
    monitor_idle_stores(mon); /* second chance: clears the page's used bit */
    monitor_idle_stores(mon); /* disarms it */
    cr_assert(!monitor_page_armed(mon, h), "page swept");
    cr_assert(atomic_load(&mon->slots[monitor_slot_index(mon, h)].state) == MON_STABLE, "slot still armed");
    tlb_sync_armed(cpu);
}

/* 20 times on an SMP monitor: LDXR, a plain store into the granule if
 * `store`, STXR, with `between` run before the LDXR, cold and warm; the
 * STXR's status must be `want`. */
static void ldxr_store_stxr(void (*between)(int, int), bool store, uint64_t want, const char *what)
{
    set_solo(false);
    for (int it = 0; it < 20; it++) {
        seq_g = SCR_PA + 0x1000 + ((rnd() % 0x1000) & ~63ull);
        IRBlock a;
        blk_begin(&a);
        emit_ldxr(&a, 8, 0, seq_g);
        if (store)
            ir_emit(&a, IR_STORE, 8, 0, input(&a, 3, seq_g + 8), input(&a, 4, operand()), IR_NO_TEMP, 0, 0);
        emit_stxr(&a, 8, 0, seq_g, operand());
        ir_exit(&a, 0x40002000);
        IRBlock *seq[1] = {&a};
        for (int warm = 0; warm < 2; warm++) {
            cpu->x[1] = 7;
            seq_both(seq, 1, between, what);
            cr_assert_eq(cpu->x[1], want, "%s, warm %d: STXR status", what, warm);
        }
        ir_block_free(&a);
    }
    set_solo(true);
}

Test(jit, excl_page_swept_between_reservations)
{
    ldxr_store_stxr(between_page_swept, false, 0, "page swept");
    ldxr_store_stxr(between_page_swept, true, 1, "page swept, store");
}

/* Before the LDXR: the slot and page STABLE and used, but the page armed
 * again after this core last followed the monitor's gen (its TLB's write
 * tag for the page has no TLB_TAG_ARMED). The LDXR must re-tag (as
 * load_excl's tlb_sync_armed) so that the plain store after it locks the
 * slot and fails the STXR. */
static void between_tlb_behind(int step, int tier)
{
    (void)tier;
    if (step != 0)
        return;
    between_page_swept(0, tier);
    Monitor *mon = mon_rw();
    monitor_reserve(mon, test_ram(tm, seq_g, 1)); /* arms the page again: STABLE at once, gen moves */
    cr_assert(monitor_page_armed(mon, test_ram(tm, seq_g, 1)));
    cr_assert_neq(cpu->tlbs.mon_gen, atomic_load(&mon->gen));
}

Test(jit, excl_tlb_behind_the_monitor) { ldxr_store_stxr(between_tlb_behind, true, 1, "TLB behind the monitor"); }

/* Between LDXR and STXR the reservation's VA changes, its PA, size and
 * version do not (as an LDXR through another mapping of the same page
 * would leave it): the STXR must fail on the VA alone; and the same with
 * the PA changed instead (the page remapped since the LDXR). */
static int alias_pa; /* 1: the PA changes instead (the VA was mapped elsewhere since the LDXR) */

static void between_alias(int step, int tier)
{
    (void)tier;
    if (step == 1 && alias_pa)
        cpu->excl_addr ^= 0x10000;
    else if (step == 1)
        cpu->excl_vaddr ^= 0x10000;
}

Test(jit, excl_other_va_same_pa)
{
    for (int solo = 1; solo >= 0; solo--)
    for (alias_pa = 0; alias_pa < 2; alias_pa++) {
        set_solo(solo);
        for (int size = 1; size <= 8; size *= 2) {
            seq_g = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~63ull);
            IRBlock a, b;
            blk_begin(&a);
            emit_ldxr(&a, size, 0, seq_g);
            ir_exit(&a, 0x40002000);
            blk_begin(&b);
            emit_stxr(&b, size, 0, seq_g, operand());
            ir_exit(&b, 0x40002000);
            IRBlock *seq[2] = {&a, &b};
            for (int warm = 0; warm < 2; warm++) {
                cpu->x[1] = 7;
                seq_both(seq, 2, between_alias, alias_pa ? "PA changed" : "VA alias");
                cr_assert_eq(cpu->x[1], 1, "size %d warm %d: STXR status", size, warm);
            }
            ir_block_free(&a);
            ir_block_free(&b);
        }
    }
    set_solo(true);
}

/* Misaligned LDXR/STXR take the alignment fault (DFSC 0x21; WnR only for
 * the STXR, which checks alignment before its reservation), an unmapped
 * LDXR a translation fault, both tiers alike. */
Test(jit, excl_faults)
{
    for (int size = 2; size <= 8; size *= 2)
        for (int st = 0; st < 2; st++)
            for (int it = 0; it < 20; it++) {
                uint64_t va = SCR_PA + ((rnd() % (SCR_LEN - 64)) & ~7ull) + 1 + rnd() % (uint64_t)(size - 1);
                random_regime();
                /* The page in the TLB (both tags), so that only the alignment check can stop the inline path. */
                uint64_t tmp;
                cr_assert(mem_load(cpu, va & ~7ull, 8, 0, &tmp) && mem_store(cpu, va & ~7ull, 8, 0, tmp));
                IRBlock blk;
                blk_begin(&blk);
                if (st) {
                    if (rnd() & 1) { /* with a reservation that would pass but for the alignment, or none */
                        void *h = test_ram(tm, va, 1);
                        monitor_reserve(tm->m.monitor, h);
                        cpu->excl_vaddr = va;
                        cpu->excl_addr = va; /* the MMU is off */
                        cpu->excl_size = (uint32_t)size;
                        cpu->excl_ver = atomic_load(&tm->m.monitor->slots[monitor_slot_index(tm->m.monitor, h)].version);
                    } else {
                        atomic_clear_monitor(cpu);
                    }
                    emit_stxr(&blk, size, 0, va, operand());
                } else {
                    emit_ldxr(&blk, size, 0, va);
                }
                ir_exit(&blk, 0x40002000);
                for (int warm = 0; warm < 2; warm++) {
                    int bx = run_both(&blk, st ? "misaligned STXR" : "misaligned LDXR");
                    cr_assert_eq(bx, BX_EXCEPTION);
                    cr_assert_eq(cpu->esr_el1 & 0x3f, 0x21, "DFSC alignment");
                    cr_assert_eq((cpu->esr_el1 >> 6) & 1, (uint64_t)st, "WnR");
                    cr_assert_eq(cpu->far_el1, va);
                }
                ir_block_free(&blk);
            }
    IRBlock blk;
    blk_begin(&blk);
    emit_ldxr(&blk, 8, 0, 0x1000);
    ir_exit(&blk, 0x40002000);
    cr_assert_eq(run_both(&blk, "unmapped LDXR"), BX_EXCEPTION);
    ir_block_free(&blk);
}

/* An LDXR on a slot and page whose second-chance bits a sweep cleared sets
 * them again (monitor_reserve does), so that the sweeper keeps a slot in
 * use armed. */
static int unused_which; /* 1: the slot's bit cleared, 2: the page's, 3: both */

static void between_unused(int step, int tier)
{
    (void)tier;
    if (step != 0)
        return;
    Monitor *mon = mon_rw();
    void *h = reserve_seq_g();
    if (unused_which & 1)
        atomic_store(&mon->slots[monitor_slot_index(mon, h)].used, 0);
    if (unused_which & 2)
        atomic_fetch_and(&mon->pages[monitor_page_index(mon, h)], (uint8_t)~MON_PAGE_USED);
    tlb_sync_armed(cpu);
}

Test(jit, excl_marks_slot_and_page_used)
{
    set_solo(false);
    for (int it = 0; it < 12; it++) {
        unused_which = 1 + it % 3;
        seq_g = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~63ull);
        IRBlock a;
        blk_begin(&a);
        emit_ldxr(&a, 8, 0, seq_g);
        ir_exit(&a, 0x40002000);
        IRBlock *seq[1] = {&a};
        for (int warm = 0; warm < 2; warm++) {
            seq_both(seq, 1, between_unused, "used bits");
            const Monitor *mon = tm->m.monitor;
            void *h = test_ram(tm, seq_g, 1);
            cr_assert_eq(atomic_load(&mon->slots[monitor_slot_index(mon, h)].used), 1, "slot used");
            cr_assert(atomic_load(&mon->pages[monitor_page_index(mon, h)]) & MON_PAGE_USED, "page used");
        }
        ir_block_free(&a);
    }
    set_solo(true);
}

/* ---- a writer holding the slot while the LDXR runs ---- */

static pthread_t holder;
static bool holder_running;
static _Atomic int holder_locked;

static void *holder_thread(void *arg)
{
    monitor_lock(tm->m.monitor, arg);
    atomic_store(&holder_locked, 1);
    struct timespec ts = {0, 3000000};
    nanosleep(&ts, NULL);
    uint64_t v = 0x77;
    memcpy(arg, &v, 8);
    monitor_unlock(tm->m.monitor, arg, false);
    return NULL;
}

static void holder_join(void)
{
    if (holder_running)
        pthread_join(holder, NULL);
    holder_running = false;
}

/* The slot locked (odd version) by another thread when the LDXR reads it:
 * load_excl waits for the write to land and reserves the version after it,
 * so the STXR succeeds; a reservation of the odd version would fail it. */
static void between_held(int step, int tier)
{
    (void)tier;
    holder_join(); /* step 1 (after the block): its write happens before the comparison */
    if (step != 0)
        return;
    Monitor *mon = mon_rw();
    void *h = test_ram(tm, seq_g + 8, 8);
    monitor_reserve(mon, h);
    tlb_sync_armed(cpu);
    atomic_store(&holder_locked, 0);
    cr_assert_eq(pthread_create(&holder, NULL, holder_thread, h), 0);
    holder_running = true;
    while (!atomic_load(&holder_locked))
        sched_yield();
}

Test(jit, excl_ldxr_waits_for_a_held_slot)
{
    for (int solo = 1; solo >= 0; solo--) {
        set_solo(solo);
        for (int it = 0; it < 5; it++) {
            seq_g = SCR_PA + ((rnd() % (SCR_LEN - 128)) & ~63ull);
            IRBlock a;
            blk_begin(&a);
            emit_ldxr(&a, 8, 0, seq_g + 8);
            emit_stxr(&a, 8, 0, seq_g + 8, operand());
            ir_exit(&a, 0x40002000);
            IRBlock *seq[1] = {&a};
            for (int warm = 0; warm < 2; warm++) {
                cpu->x[1] = 7;
                seq_both(seq, 1, between_held, "held slot");
                holder_join();
                cr_assert_eq(cpu->x[1], 0, "solo %d warm %d: STXR status", solo, warm);
                cr_assert_eq(cpu->x[2], 0x77, "solo %d warm %d: LDXR saw the held write", solo, warm);
            }
            ir_block_free(&a);
        }
    }
    set_solo(true);
}
