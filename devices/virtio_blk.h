/* virtio-blk (virtio 1.x, 5.2) over a raw host image file:
 *   -drive file=IMG[,if=virtio][,format=raw][,readonly=on][,cache=MODE][,serial=S]
 * Requests: read, write, flush (fsync of the image before the request
 * completes), get-id, discard (a hole punched), write-zeroes. A read-only
 * drive offers VIRTIO_BLK_F_RO and answers writes with VIRTIO_BLK_S_IOERR.
 * The image is locked (flock: exclusive read-write, shared read-only), so
 * two simulators cannot both write one image.
 *
 * Thread rules: virtio_blk_add on the main thread at start-up; requests are
 * served on the slot's I/O thread under the slot lock (virtio_mmio.h). */
#ifndef FLOTILLA_VIRTIO_BLK_H
#define FLOTILLA_VIRTIO_BLK_H

#include <stdbool.h>

struct VirtioBoard;

#define VIRTIO_ID_BLOCK 2

/* Main thread, start-up. Parse one -drive argument, open and lock the image
 * and plug the disk into the next free transport. false after one line on
 * stderr (bad option, missing/locked/unreadable file). */
bool virtio_blk_add(struct VirtioBoard *b, const char *drive_opts);

#endif
