/* Unit tests for smp/jitq.c's heap prefault (jitq_prefault_heaps): what the
 * prefault thread, woken by a compile worker about to sleep, does to the
 * memory past each core's last block. The queue itself is tested with the translation cache
 * (test_tcache.c: lazy compiles by workers, pinned blocks). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "memory/hugemem.h"
#include "smp/jitq.h"
#include "smp/machine.h"

#define PAGE2M HUGEMEM_ALIGN
#define SPAN (64u << 20)

/* Pages of [p, p + len) resident in host memory. */
static size_t resident(const uint8_t *p, size_t len)
{
    const size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = len / pg;
    unsigned char *v = calloc(n, 1);
    cr_assert_not_null(v);
    cr_assert_eq(mincore((void *)p, len, v), 0);
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += v[i] & 1;
    free(v);
    return r;
}

/* A machine of n cores whose only state is their heap hints. */
static Machine *hint_machine(int n)
{
    Machine *m = calloc(1, sizeof(*m));
    cr_assert_not_null(m);
    m->ncpus = n;
    m->cpus = calloc((size_t)n, sizeof(CPUState *));
    cr_assert_not_null(m->cpus);
    for (int i = 0; i < n; i++) {
        m->cpus[i] = calloc(1, sizeof(CPUState));
        cr_assert_not_null(m->cpus[i]);
    }
    return m;
}

static void free_machine(Machine *m)
{
    for (int i = 0; i < m->ncpus; i++)
        free(m->cpus[i]);
    free(m->cpus);
    free(m);
}

/* The 2 MiB page of a 3-page mapping whose next page is in the same 64 MiB
 * span (the prefault stays inside a glibc heap's reservation). */
static uint8_t *page_with_next_in_span(uint8_t *map)
{
    return (((uintptr_t)map + PAGE2M) & (SPAN - 1)) ? map : map + PAGE2M;
}

Test(jitq, prefault_makes_the_next_page_resident_and_keeps_contents)
{
    /* Core 0's heap has never touched the page past its top; core 1's has
     * (what it holds there must stay). */
    uint8_t *a = hugemem_map(3 * PAGE2M, PROT_READ | PROT_WRITE), *b = hugemem_map(3 * PAGE2M, PROT_READ | PROT_WRITE);
    cr_assert(a && b);
    uint8_t *pa = page_with_next_in_span(a), *pb = page_with_next_in_span(b);
    cr_assert_eq(resident(pa + PAGE2M, PAGE2M), 0);
    for (size_t i = 0; i < PAGE2M; i += 4096)
        pb[PAGE2M + i] = (uint8_t)(i >> 12 | 1);
    Machine *m = hint_machine(3);
    uintptr_t done[3] = {0};
    m->cpus[0]->heap_hint = (uintptr_t)pa + 344; /* a TBlock in the page */
    m->cpus[2]->heap_hint = (uintptr_t)pb + PAGE2M - 64;
    cr_assert(jitq_prefault_heaps(m, done));
    cr_assert_eq(done[0], (uintptr_t)pa);
    cr_assert_eq(done[1], 0, "no hint, nothing done");
    cr_assert_eq(done[2], (uintptr_t)pb);
    cr_assert_eq(resident(pa + PAGE2M, PAGE2M), PAGE2M / (size_t)sysconf(_SC_PAGESIZE));
    for (size_t i = 0; i < PAGE2M; i += 4096) {
        cr_assert_eq(pa[PAGE2M + i], 0, "offset %zu", i);
        cr_assert_eq(pb[PAGE2M + i], (uint8_t)(i >> 12 | 1), "offset %zu", i);
    }
    /* The same pages again: nothing to do, so the worker goes to sleep. */
    m->cpus[0]->heap_hint = (uintptr_t)pa + 4096;
    cr_assert_not(jitq_prefault_heaps(m, done));
    free_machine(m);
    hugemem_unmap(a, 3 * PAGE2M);
    hugemem_unmap(b, 3 * PAGE2M);
}

Test(jitq, prefault_with_hints_past_writable_memory_does_no_harm)
{
    /* A hint before a read-only page, one before an unmapped hole, and one
     * whose next page is across a 64 MiB boundary (left alone). */
    uint8_t *ro = hugemem_map(3 * PAGE2M, PROT_READ | PROT_WRITE), *hole = hugemem_map(3 * PAGE2M, PROT_READ | PROT_WRITE);
    cr_assert(ro && hole);
    uint8_t *pr = page_with_next_in_span(ro), *ph = page_with_next_in_span(hole);
    cr_assert_eq(mprotect(pr + PAGE2M, PAGE2M, PROT_READ), 0);
    cr_assert_eq(munmap(ph + PAGE2M, PAGE2M), 0);
    Machine *m = hint_machine(3);
    uintptr_t done[3] = {0};
    m->cpus[0]->heap_hint = (uintptr_t)pr + 64;
    m->cpus[1]->heap_hint = (uintptr_t)ph + 64;
    m->cpus[2]->heap_hint = SPAN - PAGE2M + 8;
    cr_assert(jitq_prefault_heaps(m, done));
    cr_assert_eq(resident(pr + PAGE2M, PAGE2M), 0, "a read-only page is not populated");
    for (int i = 0; i < 3; i++)
        cr_assert_neq(done[i], 0, "core %d", i);
    free_machine(m);
    munmap(ro, 3 * PAGE2M);
    munmap(hole, 3 * PAGE2M); /* what is left of it */
}

/* The queue's own prefault thread does it: a worker that goes to sleep with
 * a core's hint in a new 2 MiB page wakes it, and it populates the page
 * past it while the worker sleeps (polled: no timing is asserted, only that
 * it happens within a generous bound). */
Test(jitq, the_prefault_thread_populates_past_a_moved_hint)
{
    uint8_t *a = hugemem_map(3 * PAGE2M, PROT_READ | PROT_WRITE);
    cr_assert_not_null(a);
    uint8_t *pa = page_with_next_in_span(a);
    cr_assert_eq(resident(pa + PAGE2M, PAGE2M), 0);
    Machine *m = hint_machine(2);
    m->cpus[1]->heap_hint = (uintptr_t)pa + 4096;
    JitQueue *q = jitq_start(m, NULL, NULL, 1);
    cr_assert_not_null(q);
    size_t r = 0;
    for (int i = 0; i < 2000 && r == 0; i++) {
        r = resident(pa + PAGE2M, PAGE2M);
        if (r == 0)
            usleep(10000);
    }
    cr_assert_eq(r, PAGE2M / (size_t)sysconf(_SC_PAGESIZE), "the page past the hint was populated");
    jitq_free(q);
    free_machine(m);
    hugemem_unmap(a, 3 * PAGE2M);
}
