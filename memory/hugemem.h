/* Host memory for what the vCPU threads touch on every block or access --
 * guest RAM, the code arena, each core's CPUState -- in transparent huge
 * pages where the host allows them (docs/architecture.md, "Memory"). */
#ifndef FLOTILLA_HUGEMEM_H
#define FLOTILLA_HUGEMEM_H

#include <stddef.h>

#define HUGEMEM_ALIGN ((size_t)2 << 20)

/* An anonymous private mapping of at least len bytes (rounded up to
 * HUGEMEM_ALIGN), zeroed, aligned to HUGEMEM_ALIGN so that every 2 MiB of it
 * can be one huge page, and advised so (a refused madvise, THP off, leaves
 * 4 KiB pages). prot: PROT_* as for mmap. NULL if it cannot be mapped.
 * Any thread. */
void *hugemem_map(size_t len, int prot);

/* Unmaps what hugemem_map(len, ...) returned (same len); NULL is ignored.
 * Any thread, once nothing uses the memory. */
void hugemem_unmap(void *p, size_t len);

#endif
