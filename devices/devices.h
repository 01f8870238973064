/* The devices of the virt board and the kernel loaders. Start-up functions
 * are called by the main thread before any vCPU runs. */
#ifndef FLOTILLA_DEVICES_H
#define FLOTILLA_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

struct Machine;

/* Main thread. Create and map every device of the board. */
bool devices_init(struct Machine *m);
void devices_destroy(struct Machine *m);
/* Any thread: the interrupt controller's IRQ level towards core `cpu`
 * (false when the board has no GIC). */
bool machine_irq_pending(struct Machine *m, int cpu);

/* Main thread. Load an ELF64 AArch64 executable or a raw binary; sets the
 * entry point. Errors are reported on stderr and return false. */
bool load_kernel(struct Machine *m, const char *path, uint64_t *entry);
/* Any thread. Read the regular file `path` (at most `cap` bytes, checked
 * with fstat before reading) into a malloc'd buffer; false after one line
 * on stderr naming it as `what` ("kernel", "initrd", "config"). */
bool load_read_file(const char *what, const char *path, uint64_t cap, uint8_t **data, size_t *len);

/* Raw binaries are loaded here and entered at their first byte. */
#define RAW_LOAD_ADDR 0x40080000ull

#endif
