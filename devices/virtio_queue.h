/* Split virtqueues (virtio 1.x, section 2.7) as a device sees them: take a
 * descriptor chain from the available ring, give it back on the used ring.
 *
 * The guest is hostile. Every address and index the driver hands over is
 * checked before it is used: the rings and each buffer must lie inside
 * guest RAM, heads and `next` fields below the queue (or indirect table)
 * size, a chain may visit at most `num` descriptors in all (so a loop ends),
 * indirect tables are not nested and a readable descriptor never follows a
 * writable one. A violation makes vq_pop return VQ_BROKEN; the transport
 * then sets DEVICE_NEEDS_RESET and stops using the queue. Descriptors are
 * copied out of guest memory before they are checked, so a driver that
 * rewrites them concurrently changes nothing that was already validated.
 *
 * Thread rules: a VirtQueue belongs to one transport and is used under its
 * lock (any thread that holds it: the vCPU doing MMIO, the device's I/O
 * thread). */
#ifndef FLOTILLA_VIRTIO_QUEUE_H
#define FLOTILLA_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct PhysMap;

#define VQ_MAX_SIZE 256          /* QueueNumMax of every queue */
#define VQ_MAX_SEGS VQ_MAX_SIZE  /* a chain visits at most num descriptors */

/* descriptor flags */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
/* avail->flags / used->flags */
#define VRING_AVAIL_F_NO_INTERRUPT 1

/* feature bits handled by the transport and the queue code */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

typedef struct VirtQueue {
    uint32_t num;            /* QueueNum as written (checked when the queue is made ready) */
    bool ready;
    uint64_t desc, avail, used; /* guest physical addresses of the three parts */
    uint16_t last_avail;     /* next available-ring slot to take */
    uint16_t used_idx;       /* our used->idx (the guest may scribble on the ring's copy) */
    uint16_t signalled_used; /* used_idx at the last interrupt (event index) */
    bool signalled_valid;
    bool event_idx, indirect; /* negotiated VIRTIO_RING_F_EVENT_IDX / _INDIRECT_DESC */
} VirtQueue;

/* One chain taken from the ring: its head index and its buffers as host
 * pointers into guest RAM, device-readable ones (out) first. */
typedef struct VqElem {
    uint16_t head;
    int nout, nin;
    uint64_t out_len, in_len; /* total bytes of each kind */
    struct iovec out[VQ_MAX_SEGS], in[VQ_MAX_SEGS];
} VqElem;

enum { VQ_EMPTY = 0, VQ_GOT = 1, VQ_BROKEN = -1 };

/* Under the transport lock. Reset to the state after a device reset. */
void vq_reset(VirtQueue *vq);
/* Under the transport lock. Validate num and the ring addresses when the
 * driver sets QueueReady: false if the queue cannot be used (not a power of
 * two, above VQ_MAX_SIZE, a ring outside RAM or misaligned). */
bool vq_check_layout(const VirtQueue *vq, const struct PhysMap *pm);
/* Under the transport lock. Take the next chain: VQ_GOT (e filled),
 * VQ_EMPTY, or VQ_BROKEN (the driver broke the rules; *why names how). */
int vq_pop(VirtQueue *vq, const struct PhysMap *pm, VqElem *e, const char **why);
/* Under the transport lock. Return chain `head` with `len` bytes written. */
void vq_push(VirtQueue *vq, const struct PhysMap *pm, uint16_t head, uint32_t len);
/* Under the transport lock. After pushes: must the driver be interrupted
 * (used_event / NO_INTERRUPT)? Updates the event-index bookkeeping. */
bool vq_should_notify(VirtQueue *vq, const struct PhysMap *pm);
/* Under the transport lock. With the event index, publish avail_event =
 * last_avail (we want a notification for the next buffer) and return
 * whether more buffers arrived meanwhile (re-check before sleeping). */
bool vq_enable_notify(VirtQueue *vq, const struct PhysMap *pm);

/* Any thread. Copy between an iovec list and a flat buffer, starting at
 * byte `skip` of the list; returns the bytes copied. */
uint64_t iov_to_buf(const struct iovec *iov, int n, uint64_t skip, void *buf, uint64_t len);
uint64_t iov_from_buf(const struct iovec *iov, int n, uint64_t skip, const void *buf, uint64_t len);

#endif
