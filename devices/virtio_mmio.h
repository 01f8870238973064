/* virtio-mmio transports (virtio 1.x, section 4.2, register layout
 * version 2) as on QEMU's virt board: 32 slots of 0x200 bytes from
 * 0x0a00_0000, slot i on SPI 16 + i. An empty slot answers the magic,
 * version and vendor registers and DeviceID 0, so a driver probing it
 * skips it; every other register of an empty slot reads 0.
 *
 * A device (virtio-blk, ...) plugs into a slot with a VirtioDevOps table.
 * Its queues are processed on its own I/O thread: a QueueNotify write on a
 * vCPU only records the queue and wakes that thread, so a slow host disk
 * never stalls a core. All state of a slot (registers, queues, the device's
 * request state) is behind the slot's lock `t->lock`; the I/O thread drops
 * it around blocking host I/O (virtio_io_begin/virtio_io_end), and a device
 * reset waits until that I/O has finished, so nothing is written to guest
 * memory after the driver sees the reset complete.
 *
 * Lock order: slot lock -> GIC lock (raising the interrupt line). */
#ifndef FLOTILLA_VIRTIO_MMIO_H
#define FLOTILLA_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "irq.h"
#include "virtio_queue.h"

struct PhysMap;
struct Machine;
struct Monitor;

#define VIRTIO_MMIO_BASE 0x0a000000ull
#define VIRTIO_MMIO_SLOT_SIZE 0x200ull
#define VIRTIO_MMIO_SLOTS 32
#define VIRTIO_MMIO_SPI 16     /* slot i: SPI 16 + i (INTID 48 + i) */
#define VIRTIO_MAX_QUEUES 4

/* Device status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* InterruptStatus bits */
#define VIRTIO_MMIO_INT_VRING 1
#define VIRTIO_MMIO_INT_CONFIG 2

typedef struct VirtioMMIO VirtioMMIO;

typedef struct VirtioDevOps {
    const char *name;
    uint32_t device_id;
    int nqueues;
    /* I/O thread, t->lock held: serve queue q until it is empty (use
     * virtio_pop / virtio_complete; drop the lock only through
     * virtio_io_begin/end). */
    void (*process)(VirtioMMIO *t, int q);
    /* t->lock held (vCPU): the driver reset the device. May be NULL. */
    void (*reset)(VirtioMMIO *t);
    /* Main thread, after the I/O thread stopped: free the device. */
    void (*destroy)(void *dev);
} VirtioDevOps;

struct VirtioMMIO {
    pthread_mutex_t lock;
    const VirtioDevOps *ops;  /* NULL: an empty slot */
    void *dev;                /* the device's own state */
    const struct PhysMap *pm;
    struct Monitor *mon;      /* the exclusive monitor (NULL in unit tests): DMA writes break reservations */
    uint64_t base;            /* guest physical address of the slot (messages) */
    IRQLine irq;
    bool level;

    uint64_t host_features;   /* offered (transport bits included) */
    uint8_t *config;          /* the device's configuration space (read-only to the driver) */
    uint32_t config_size;
    uint32_t config_generation;
    uint32_t nerrors;         /* driver errors so far (only the first few are reported) */

    /* driver-visible registers */
    uint32_t dev_features_sel, drv_features_sel, queue_sel, status, int_status;
    uint64_t guest_features;
    VirtQueue vq[VIRTIO_MAX_QUEUES];
    VqElem elem;              /* the chain being served (I/O thread) */

    /* I/O thread */
    pthread_t thread;
    pthread_cond_t wake, idle; /* wake: work or stop; idle: I/O finished (reset waits) */
    uint32_t kick;            /* queues notified and not yet served */
    bool busy;                /* the thread is outside the lock doing host I/O */
    bool thread_running, stop;
    uint32_t reset_gen;       /* bumped by every reset: completions of older requests are dropped */
    /* -det: no I/O thread; a QueueNotify is served at once by the vCPU
     * that writes it (the baton holder), so completions land at a point of
     * the guest's own run (docs/virtio.md "Under -det"). */
    bool inline_io;
    uint64_t det_rng;         /* -det: virtio-rng's bytes come from this seeded generator */
};

typedef struct VirtioBoard {
    VirtioMMIO slot[VIRTIO_MMIO_SLOTS];
    int nused;                /* devices plug in from the top slot down, as QEMU's -device order */
    bool inline_io;           /* -det: devices plugged from now on serve inline (set before plugging) */
    uint64_t det_seed;        /* -det: the seed virtio-rng's generator starts from */
} VirtioBoard;

/* Main thread, start-up. All 32 slots, empty, mapped at base as one MMIO
 * region (each access takes its slot's own lock). lines[i] = slot i's SPI.
 * mon: told of every write a device makes to guest RAM (may be NULL). */
VirtioBoard *virtio_board_new(struct PhysMap *pm, struct Monitor *mon, uint64_t base, const IRQLine *lines);
/* Main thread, start-up. Plug a device into the next free slot (slot 31
 * first, like QEMU's virt) and start its I/O thread; the slot is returned
 * (NULL with a message on stderr if none is left). `features` are the
 * device-specific feature bits; the transport adds VERSION_1, INDIRECT_DESC
 * and EVENT_IDX. `config` (config_size bytes) stays owned by the device. */
VirtioMMIO *virtio_plug(VirtioBoard *b, const VirtioDevOps *ops, void *dev, uint64_t features, uint8_t *config,
                        uint32_t config_size);
/* Main thread, after the vCPUs stopped: stop the I/O threads, free all. */
void virtio_board_free(VirtioBoard *b);

/* Any thread: register access to one slot (offset within the slot), taking
 * its lock. Used by tests; the MMIO region calls the same code. */
uint64_t virtio_mmio_read(VirtioMMIO *t, uint64_t off, int size);
void virtio_mmio_write(VirtioMMIO *t, uint64_t off, uint64_t val, int size);

/* I/O thread, t->lock held: take the next chain of queue q into t->elem.
 * VQ_GOT, VQ_EMPTY, or VQ_BROKEN after which the device is marked
 * NEEDS_RESET (the caller just returns). */
int virtio_pop(VirtioMMIO *t, int q);
/* I/O thread, t->lock held: give t->elem back with `len` bytes written
 * (dropped if the device was reset since it was popped, i.e. `gen` !=
 * t->reset_gen) and interrupt the driver if it wants to be. */
void virtio_complete(VirtioMMIO *t, int q, uint32_t gen, uint32_t len);
/* Any thread holding t->lock: the same with the caller's own element (a
 * device that serves a queue outside its I/O thread, e.g. network receive)
 * and a completion by head index. */
int virtio_pop_elem(VirtioMMIO *t, int q, VqElem *e);
void virtio_complete_elem(VirtioMMIO *t, int q, uint32_t gen, const VqElem *e, uint32_t len);
/* I/O thread, t->lock held: drop the lock for blocking host I/O; returns
 * the reset generation to hand to virtio_complete. */
uint32_t virtio_io_begin(VirtioMMIO *t);
void virtio_io_end(VirtioMMIO *t);
/* t->lock held: the driver broke the rules; log once and set NEEDS_RESET. */
void virtio_set_broken(VirtioMMIO *t, const char *why);

#endif
