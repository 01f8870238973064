/* Huge-page-aligned anonymous mappings (memory/hugemem.h). */
#include <stdint.h>
#include <sys/mman.h>

#include "hugemem.h"

static size_t round_up(size_t len)
{
    return (len + HUGEMEM_ALIGN - 1) & ~(HUGEMEM_ALIGN - 1);
}

void *hugemem_map(size_t len, int prot)
{
    len = round_up(len);
    if (!len || len + HUGEMEM_ALIGN < len)
        return NULL;
    /* Map one alignment unit more and trim both ends: mmap itself only
     * aligns to 4 KiB, and a huge page needs a 2 MiB-aligned 2 MiB range. */
    uint8_t *m = mmap(NULL, len + HUGEMEM_ALIGN, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uint8_t *p = (uint8_t *)(((uintptr_t)m + HUGEMEM_ALIGN - 1) & ~(uintptr_t)(HUGEMEM_ALIGN - 1));
    if (p > m)
        munmap(m, (size_t)(p - m));
    munmap(p + len, HUGEMEM_ALIGN - (size_t)(p - m)); /* p - m < HUGEMEM_ALIGN */
    (void)madvise(p, len, MADV_HUGEPAGE);
    return p;
}

void hugemem_unmap(void *p, size_t len)
{
    if (p)
        munmap(p, round_up(len));
}
