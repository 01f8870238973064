/* Per-core store buffers for -det weak=on. See weakmem.h and
 * docs/determinism.md ("Weak memory").
 *
 * Why this is sound for the Arm model: loads are performed in program
 * order against one shared memory (no load is ever reordered), a core sees
 * its own buffered stores first (allowed: Arm is other-multi-copy-atomic, a
 * store may be visible to its own core before the others), a store leaves
 * the buffer into the one shared memory at once for every other core
 * (multi-copy atomic towards the others), overlapping stores leave in
 * program order (coherence), and everything the architecture orders across
 * a barrier, release or atomic is drained before that instruction acts. */
#include <stdlib.h>
#include <string.h>

#include "../cpu/ir.h"
#include "../memory/mem.h"
#include "../sync/atomic.h"
#include "../sync/monitor.h"
#include "machine.h"
#include "weakmem.h"

/* Buffered stores per core; a full buffer drains one (random) entry. */
#define WB_MAX 8

typedef struct WBEntry {
    uint8_t *host;
    int size;
    uint64_t val;
    uint64_t epoch;      /* DMB STs before this store: entries leave after every older epoch */
} WBEntry;

typedef struct WeakBuf {
    WBEntry e[WB_MAX];   /* oldest first */
    int n;
    uint64_t epoch;      /* DMB STs so far */
    uint64_t rng;
    struct Monitor *mon;
} WeakBuf;

static uint64_t rnd(WeakBuf *b)
{
    uint64_t z = (b->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

bool weakmem_create(Machine *m, uint64_t seed)
{
    for (int i = 0; i < m->ncpus; i++) {
        WeakBuf *b = calloc(1, sizeof(*b));
        if (!b)
            return false;
        b->rng = seed * 0x100000001b3ull + (uint64_t)i * 0x9e3779b97f4a7c15ull + 1;
        b->mon = m->monitor;
        m->cpus[i]->weak = b;
    }
    return true;
}

void weakmem_destroy(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        free(m->cpus[i]->weak);
        m->cpus[i]->weak = NULL;
    }
}

static bool overlap(const uint8_t *a, int as, const uint8_t *b, int bs) { return a < b + bs && b < a + as; }

/* Must entry j (older) leave before entry i? Yes if they overlap
 * (coherence: stores to one location leave in program order) or a DMB ST
 * separates them. */
static bool before(const WBEntry *j, const WBEntry *i)
{
    return j->epoch < i->epoch || overlap(j->host, j->size, i->host, i->size);
}

/* Write entry i to memory, after every older entry that must leave first. */
static void drain_entry(WeakBuf *b, int i)
{
    for (;;) {
        int j = 0;
        while (j < i && !before(&b->e[j], &b->e[i]))
            j++;
        if (j == i)
            break;
        int before = b->n;
        drain_entry(b, j); /* removes j and older entries only: i moves down */
        i -= before - b->n;
    }
    /* Through the monitor, as any store: clears other cores' reservations. */
    monitor_guest_store(b->mon, b->e[i].host, b->e[i].size, b->e[i].val);
    memmove(&b->e[i], &b->e[i + 1], (size_t)(b->n - i - 1) * sizeof(WBEntry));
    b->n--;
}

static void drain_random(WeakBuf *b)
{
    if (b->n)
        drain_entry(b, (int)(rnd(b) % (uint64_t)b->n));
}

void weak_drain_all(CPUState *cpu)
{
    WeakBuf *b = cpu->weak;
    while (b && b->n)
        drain_entry(b, 0);
}

/* Drain the entries that overlap [h, h+size), in order. */
static void drain_overlapping(WeakBuf *b, const uint8_t *h, int size)
{
    for (int i = 0; i < b->n;)
        if (overlap(b->e[i].host, b->e[i].size, h, size)) {
            drain_entry(b, i); /* may take older entries too: look again from the start */
            i = 0;
        } else {
            i++;
        }
}

bool weak_load(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t *val)
{
    WeakBuf *b = cpu->weak;
    void *hv;
    if (!mem_translate_host(cpu, va, size, irflags, false, &hv))
        return false;
    uint8_t *h = hv;
    if (!h || size > 8 || ((irflags & IRF_ACQ) && (va & (uint64_t)(size - 1)))) {
        /* MMIO, page-crossing, or a misaligned LDAR (which faults there):
         * the ordinary path, after everything buffered. */
        weak_drain_all(cpu);
        if (irflags & IRF_ACQ)
            return atomic_load_acquire(cpu, va, size, irflags, val);
        return mem_load(cpu, va, size, irflags, val);
    }
    /* Forward from the newest buffered store of each byte; all bytes or
     * none (a partly covered load drains what overlaps and reads memory). */
    uint8_t bytes[8];
    int covered = 0;
    for (int k = 0; k < size; k++) {
        for (int i = b->n - 1; i >= 0; i--) {
            const WBEntry *e = &b->e[i];
            if (h + k >= e->host && h + k < e->host + e->size) {
                bytes[k] = (uint8_t)(e->val >> (8 * (h + k - e->host)));
                covered++;
                break;
            }
        }
    }
    if (covered == size) {
        uint64_t v = 0;
        for (int k = 0; k < size; k++)
            v |= (uint64_t)bytes[k] << (8 * k);
        *val = v;
    } else {
        if (covered)
            drain_overlapping(b, h, size);
        uint64_t v = 0; /* one aligned host access: single-copy atomic */
        switch (size) {
        case 1: v = __atomic_load_n(h, __ATOMIC_RELAXED); break;
        case 2: v = __atomic_load_n((uint16_t *)(void *)h, __ATOMIC_RELAXED); break;
        case 4: v = __atomic_load_n((uint32_t *)(void *)h, __ATOMIC_RELAXED); break;
        case 8: v = __atomic_load_n((uint64_t *)(void *)h, __ATOMIC_RELAXED); break;
        default: break;
        }
        *val = v;
    }
    if (rnd(b) % 8 == 0)
        drain_random(b);
    return true;
}

bool weak_store(CPUState *cpu, uint64_t va, int size, uint16_t irflags, uint64_t val)
{
    WeakBuf *b = cpu->weak;
    void *hv;
    if (!mem_translate_host(cpu, va, size, irflags, true, &hv))
        return false;
    if (!hv || size > 8) {
        weak_drain_all(cpu);
        return mem_store(cpu, va, size, irflags, val);
    }
    if (b->n == WB_MAX)
        drain_random(b);
    b->e[b->n++] = (WBEntry){hv, size, size == 8 ? val : val & ((1ull << (8 * size)) - 1), b->epoch};
    if (rnd(b) % 4 == 0)
        drain_random(b);
    return true;
}

void weak_fence(CPUState *cpu, int types)
{
    WeakBuf *b = cpu->weak;
    if (types == 2) {
        if (b->n) /* an empty buffer needs no fence: nothing older can be passed */
            b->epoch++;
    } else if (types != 1) {
        weak_drain_all(cpu);
    }
}

void weak_sched_step(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++) {
        WeakBuf *b = m->cpus[i]->weak;
        if (!b || !b->n)
            continue;
        int k = (int)(rnd(b) % (uint64_t)(b->n + 1));
        while (k-- > 0)
            drain_random(b);
    }
}
