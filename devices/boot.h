/* Where a Linux-style boot puts things in RAM, as QEMU's hw/arm/boot.c
 * does for -M virt (docs/boot.md): the kernel, the initrd, the DTB, and
 * -dtb FILE (the user's own device tree, with /memory and /chosen set).
 * Main thread, start-up only. */
#ifndef FLOTILLA_BOOT_H
#define FLOTILLA_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Machine;

#define KERNEL64_LOAD_OFFSET 0x80000ull /* raw kernels and Images without image_size */
#define BOOT_DTB_ALIGN 0x200000ull     /* the DTB starts on a 2 MiB boundary */

/* Main thread (pure). Offset from the RAM base at which an arm64 Image
 * with header fields text_offset/image_size is loaded: text_offset if
 * image_size != 0 (2 MiB more if text_offset is below 4 KiB, where QEMU
 * keeps its boot stub), else KERNEL64_LOAD_OFFSET. */
uint64_t boot_image_offset(uint64_t text_offset, uint64_t image_size);
/* Main thread (pure). The initrd's address: RAM base + min(RAM/2, 128 MiB),
 * but not below the kernel's end (image_high), page aligned. */
uint64_t boot_initrd_start(uint64_t ram_base, uint64_t ram_size, uint64_t image_high);
/* Main thread (pure). The DTB's address: the 2 MiB boundary at or after the
 * end of the initrd (its start if there is none), or, if a DTB of dtb_size
 * does not fit there, the RAM base when it fits below the kernel (entry);
 * 0 if neither. */
uint64_t boot_dtb_start(uint64_t ram_base, uint64_t ram_size, uint64_t initrd_end, uint64_t entry,
                        uint64_t dtb_size);

/* Main thread, start-up. The kernel is in RAM, entered at `entry`, and
 * occupies up to image_high: load -initrd, build the DTB (or take -dtb),
 * place both and set x0. false after one line on stderr. */
bool boot_linux_finish(struct Machine *m, uint64_t entry, uint64_t image_high);

#endif
