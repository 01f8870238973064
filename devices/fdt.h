/* Device tree generation. Main thread, start-up only. */
#ifndef FLOTILLA_FDT_H
#define FLOTILLA_FDT_H

#include <stddef.h>
#include <stdint.h>

struct Machine;

enum { FDT_PHANDLE_GIC = 1, FDT_PHANDLE_APB_CLK = 2 };

/* A malloc'd DTB describing the machine, or NULL (message on stderr). */
void *fdt_build(struct Machine *m, uint64_t initrd_start, uint64_t initrd_end, size_t *size);

#endif
