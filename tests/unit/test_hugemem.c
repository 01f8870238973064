/* Unit tests for memory/hugemem.c: the mappings guest RAM, the code arena
 * and each CPUState live in (aligned, zeroed, rounded up, refused sizes). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/mman.h>

#include "memory/hugemem.h"

Test(hugemem, aligned_zeroed_and_rounded_up)
{
    size_t lens[] = {1, 4096, HUGEMEM_ALIGN - 1, HUGEMEM_ALIGN, 3 * HUGEMEM_ALIGN / 2};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t *p = hugemem_map(lens[i], PROT_READ | PROT_WRITE);
        cr_assert_not_null(p, "len %zu", lens[i]);
        cr_assert_eq((uintptr_t)p % HUGEMEM_ALIGN, 0, "len %zu: %p", lens[i], (void *)p);
        size_t whole = (lens[i] + HUGEMEM_ALIGN - 1) / HUGEMEM_ALIGN * HUGEMEM_ALIGN;
        /* Every byte up to the rounded length is mapped, zero and writable. */
        for (size_t off = 0; off < whole; off += 4096) {
            cr_assert_eq(p[off], 0);
            p[off] = 0xa5;
        }
        cr_assert_eq(p[whole - 1], 0);
        p[whole - 1] = 1;
        hugemem_unmap(p, lens[i]);
    }
}

Test(hugemem, refuses_impossible_lengths)
{
    cr_assert_null(hugemem_map(0, PROT_READ | PROT_WRITE));
    cr_assert_null(hugemem_map(SIZE_MAX, PROT_READ | PROT_WRITE));
    cr_assert_null(hugemem_map(SIZE_MAX - HUGEMEM_ALIGN, PROT_READ | PROT_WRITE));
    hugemem_unmap(NULL, 4096); /* ignored */
}

Test(hugemem, two_mappings_do_not_overlap)
{
    uint8_t *a = hugemem_map(HUGEMEM_ALIGN, PROT_READ | PROT_WRITE);
    uint8_t *b = hugemem_map(HUGEMEM_ALIGN, PROT_READ | PROT_WRITE);
    cr_assert(a && b);
    cr_assert(a + HUGEMEM_ALIGN <= b || b + HUGEMEM_ALIGN <= a);
    a[0] = 1;
    cr_assert_eq(b[0], 0);
    hugemem_unmap(a, HUGEMEM_ALIGN);
    hugemem_unmap(b, HUGEMEM_ALIGN);
}
