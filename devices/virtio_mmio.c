/* virtio-mmio transport, register layout version 2 (virtio 1.x, 4.2.2),
 * and the I/O thread that serves a device's queues (see virtio_mmio.h). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../memory/mem.h"
#include "../sync/monitor.h"
#include "virtio_mmio.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x554d4551u /* "QEMU", as QEMU's transport */
#define VIRTIO_REPORTED_ERRORS 3

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
    R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014, R_DRV_FEATURES = 0x020, R_DRV_FEATURES_SEL = 0x024,
    R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044,
    R_QUEUE_NOTIFY = 0x050, R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
    R_QUEUE_DESC_LO = 0x080, R_QUEUE_DESC_HI = 0x084, R_QUEUE_AVAIL_LO = 0x090, R_QUEUE_AVAIL_HI = 0x094,
    R_QUEUE_USED_LO = 0x0a0, R_QUEUE_USED_HI = 0x0a4, R_SHM_SEL = 0x0ac, R_SHM_LEN_LO = 0x0b0,
    R_SHM_LEN_HI = 0x0b4, R_SHM_BASE_LO = 0x0b8, R_SHM_BASE_HI = 0x0bc, R_CONFIG_GEN = 0x0fc,
    R_CONFIG = 0x100,
};

/* The transport's own features: every device gets them. */
#define TRANSPORT_FEATURES                                                                                   \
    ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) | (1ull << VIRTIO_RING_F_EVENT_IDX))

/* t->lock held. Drive the line from InterruptStatus. */
static void update_irq(VirtioMMIO *t)
{
    bool level = t->int_status != 0;
    if (level != t->level) {
        t->level = level;
        irq_set(&t->irq, level);
    }
}

void virtio_set_broken(VirtioMMIO *t, const char *why)
{
    if (t->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    /* The first few are reported: a hostile guest that breaks and resets
     * the device in a loop must not flood stderr. */
    if (++t->nerrors <= VIRTIO_REPORTED_ERRORS)
        fprintf(stderr, "flotilla: %s at 0x%llx: driver error: %s; device needs reset\n", t->ops ? t->ops->name : "virtio",
                (unsigned long long)t->base, why);
    if (t->nerrors == VIRTIO_REPORTED_ERRORS)
        fprintf(stderr, "flotilla: virtio at 0x%llx: further driver errors are not reported\n",
                (unsigned long long)t->base);
    t->status |= VIRTIO_STATUS_NEEDS_RESET;
    /* Only after DRIVER_OK may the device announce the change (4.2.3.3). */
    if (t->status & VIRTIO_STATUS_DRIVER_OK) {
        t->int_status |= VIRTIO_MMIO_INT_CONFIG;
        update_irq(t);
    }
}

static bool usable(const VirtioMMIO *t)
{
    return (t->status & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_NEEDS_RESET);
}

/* t->lock held (vCPU). Reset the device: first wait for host I/O in flight
 * to end, so no buffer of the old rings is written after the driver reads
 * status 0 back. */
static void do_reset(VirtioMMIO *t)
{
    while (t->busy)
        pthread_cond_wait(&t->idle, &t->lock);
    t->reset_gen++;
    if (t->ops && t->ops->reset)
        t->ops->reset(t);
    t->status = 0;
    t->int_status = 0;
    t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
    t->guest_features = 0;
    t->kick = 0;
    for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
        vq_reset(&t->vq[i]);
    update_irq(t);
}

static VirtQueue *cur_vq(VirtioMMIO *t)
{
    if (!t->ops || t->queue_sel >= (uint32_t)t->ops->nqueues)
        return NULL;
    return &t->vq[t->queue_sel];
}

/* t->lock held. */
static uint64_t reg_read(VirtioMMIO *t, uint64_t off, int size)
{
    if (off >= R_CONFIG) {
        uint64_t o = off - R_CONFIG, v = 0;
        if (!t->ops || o >= t->config_size || (uint64_t)size > t->config_size - o)
            return 0;
        memcpy(&v, t->config + o, (size_t)size);
        return v;
    }
    if (size != 4)
        return 0; /* registers are 32-bit only (4.2.2.2) */
    switch (off) {
    case R_MAGIC: return VIRTIO_MMIO_MAGIC;
    case R_VERSION: return 2;
    case R_DEVICE_ID: return t->ops ? t->ops->device_id : 0;
    case R_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
    }
    if (!t->ops)
        return 0;
    VirtQueue *vq = cur_vq(t);
    switch (off) {
    case R_DEV_FEATURES:
        return t->dev_features_sel < 2 ? (uint32_t)(t->host_features >> (32 * t->dev_features_sel)) : 0;
    case R_QUEUE_NUM_MAX: return vq ? VQ_MAX_SIZE : 0;
    case R_QUEUE_READY: return vq ? vq->ready : 0;
    case R_INT_STATUS: return t->int_status;
    case R_STATUS: return t->status;
    case R_SHM_LEN_LO: case R_SHM_LEN_HI: return 0xffffffffu; /* no shared memory regions */
    case R_CONFIG_GEN: return t->config_generation;
    }
    return 0;
}

static void set_lo(uint64_t *r, uint64_t v) { *r = (*r & ~0xffffffffull) | (uint32_t)v; }
static void set_hi(uint64_t *r, uint64_t v) { *r = (*r & 0xffffffffull) | (uint64_t)(uint32_t)v << 32; }

/* t->lock held. */
static void serve_kicks(VirtioMMIO *t);

static void reg_write(VirtioMMIO *t, uint64_t off, uint64_t val, int size)
{
    if (!t->ops || off >= R_CONFIG || size != 4)
        return; /* config space is read-only for our devices; empty slots ignore writes */
    VirtQueue *vq = cur_vq(t);
    uint32_t v = (uint32_t)val;
    switch (off) {
    case R_DEV_FEATURES_SEL: t->dev_features_sel = v; return;
    case R_DRV_FEATURES_SEL: t->drv_features_sel = v; return;
    case R_DRV_FEATURES:
        /* Frozen once FEATURES_OK is set (3.1.1). */
        if (t->status & VIRTIO_STATUS_FEATURES_OK)
            return;
        if (t->drv_features_sel == 0)
            set_lo(&t->guest_features, v);
        else if (t->drv_features_sel == 1)
            set_hi(&t->guest_features, v);
        return;
    case R_QUEUE_SEL: t->queue_sel = v; return;
    case R_INT_ACK:
        t->int_status &= ~v;
        update_irq(t);
        return;
    case R_STATUS:
        if (v == 0) {
            do_reset(t);
            return;
        }
        if ((v & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
            /* Accept only a subset of what we offer, with VERSION_1
             * (legacy drivers are not served): else FEATURES_OK stays clear. */
            if ((t->guest_features & ~t->host_features) || !(t->guest_features & (1ull << VIRTIO_F_VERSION_1)))
                v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
        }
        /* NEEDS_RESET is the device's bit: the driver cannot clear it. */
        t->status = (v & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) | (t->status & VIRTIO_STATUS_NEEDS_RESET);
        return;
    case R_QUEUE_NOTIFY:
        if (v < (uint32_t)t->ops->nqueues && usable(t) && t->vq[v].ready) {
            t->kick |= 1u << v;
            if (t->inline_io)
                serve_kicks(t); /* -det: here, by the vCPU that notified */
            else
                pthread_cond_signal(&t->wake);
        }
        return;
    }
    if (!vq)
        return;
    if (off == R_QUEUE_READY) {
        if (!(v & 1)) {
            vq->ready = false;
            return;
        }
        if (vq->ready)
            return;
        vq->event_idx = (t->guest_features >> VIRTIO_RING_F_EVENT_IDX) & 1;
        vq->indirect = (t->guest_features >> VIRTIO_RING_F_INDIRECT_DESC) & 1;
        if (!vq_check_layout(vq, t->pm)) {
            virtio_set_broken(t, "queue size or ring addresses invalid at QueueReady");
            return;
        }
        vq->last_avail = vq->used_idx = 0;
        vq->signalled_valid = false;
        vq->ready = true;
        return;
    }
    /* The layout may only change while the queue is not ready. */
    if (vq->ready)
        return;
    switch (off) {
    case R_QUEUE_NUM: vq->num = v; break;
    case R_QUEUE_DESC_LO: set_lo(&vq->desc, v); break;
    case R_QUEUE_DESC_HI: set_hi(&vq->desc, v); break;
    case R_QUEUE_AVAIL_LO: set_lo(&vq->avail, v); break;
    case R_QUEUE_AVAIL_HI: set_hi(&vq->avail, v); break;
    case R_QUEUE_USED_LO: set_lo(&vq->used, v); break;
    case R_QUEUE_USED_HI: set_hi(&vq->used, v); break;
    }
}

uint64_t virtio_mmio_read(VirtioMMIO *t, uint64_t off, int size)
{
    pthread_mutex_lock(&t->lock);
    uint64_t v = reg_read(t, off, size);
    pthread_mutex_unlock(&t->lock);
    return v;
}

void virtio_mmio_write(VirtioMMIO *t, uint64_t off, uint64_t val, int size)
{
    pthread_mutex_lock(&t->lock);
    reg_write(t, off, val, size);
    pthread_mutex_unlock(&t->lock);
}

/* The board region: route to the slot, which takes its own lock (the
 * region itself is registered without one). Any vCPU thread. */
static uint64_t board_read(void *opaque, uint64_t off, int size)
{
    VirtioBoard *b = opaque;
    return virtio_mmio_read(&b->slot[off / VIRTIO_MMIO_SLOT_SIZE], off % VIRTIO_MMIO_SLOT_SIZE, size);
}

static void board_write(void *opaque, uint64_t off, uint64_t val, int size)
{
    VirtioBoard *b = opaque;
    virtio_mmio_write(&b->slot[off / VIRTIO_MMIO_SLOT_SIZE], off % VIRTIO_MMIO_SLOT_SIZE, val, size);
}

static const MMIOOps board_ops = {.read = board_read, .write = board_write};

/* ---------------- queue service (I/O thread) ---------------- */

int virtio_pop_elem(VirtioMMIO *t, int q, VqElem *e)
{
    if (!usable(t) || !t->vq[q].ready)
        return VQ_EMPTY;
    const char *why;
    int r = vq_pop(&t->vq[q], t->pm, e, &why);
    if (r == VQ_BROKEN)
        virtio_set_broken(t, why);
    return r;
}

int virtio_pop(VirtioMMIO *t, int q)
{
    return virtio_pop_elem(t, q, &t->elem);
}

void virtio_complete(VirtioMMIO *t, int q, uint32_t gen, uint32_t len)
{
    virtio_complete_elem(t, q, gen, &t->elem, len);
}

/* The device wrote guest RAM with plain host stores (preadv, memcpy, the
 * used ring): make those writes fail any LDXR reservation on them, as
 * monitor_write would have (sync/monitor.h, monitor_notify_written). */
static void notify_dma(VirtioMMIO *t, const VqElem *e, uint32_t len)
{
    if (!t->mon)
        return;
    uint64_t left = len;
    for (int i = 0; i < e->nin && left; i++) {
        uint64_t k = e->in[i].iov_len < left ? e->in[i].iov_len : left;
        monitor_notify_written(t->mon, e->in[i].iov_base, k);
        left -= k;
    }
}

void virtio_complete_elem(VirtioMMIO *t, int q, uint32_t gen, const VqElem *e, uint32_t len)
{
    VirtQueue *vq = &t->vq[q];
    if (gen != t->reset_gen || !vq->ready || (t->status & VIRTIO_STATUS_NEEDS_RESET))
        return;
    notify_dma(t, e, len);
    uint32_t slot = vq->used_idx & (vq->num - 1);
    vq_push(vq, t->pm, e->head, len);
    if (t->mon) {
        monitor_notify_written(t->mon, phys_ram_ptr(t->pm, vq->used + 4 + 8ull * slot, 8), 8);
        monitor_notify_written(t->mon, phys_ram_ptr(t->pm, vq->used + 2, 2), 2);
    }
    if (vq_should_notify(vq, t->pm)) {
        t->int_status |= VIRTIO_MMIO_INT_VRING;
        update_irq(t);
    }
}

uint32_t virtio_io_begin(VirtioMMIO *t)
{
    t->busy = true;
    uint32_t gen = t->reset_gen;
    pthread_mutex_unlock(&t->lock);
    return gen;
}

void virtio_io_end(VirtioMMIO *t)
{
    pthread_mutex_lock(&t->lock);
    t->busy = false;
    pthread_cond_broadcast(&t->idle);
}

/* Slot lock held: serve the notified queues once each (a device may kick
 * another queue meanwhile: the caller loops). After serving, the event
 * index is re-armed and the ring checked once more, so a buffer added
 * without a notification (the driver saw avail_event not yet updated) is
 * not left behind. Called by the I/O thread, or under -det by the vCPU
 * whose QueueNotify write holds the lock. */
static void serve_round(VirtioMMIO *t)
{
    for (int q = 0; q < t->ops->nqueues; q++) {
        if (!(t->kick & (1u << q)))
            continue;
        t->kick &= ~(1u << q);
        /* Again while buffers keep coming, but only if the device took
         * some: one that leaves buffers posted on purpose (a console
         * with no input) must not spin here. */
        uint16_t before;
        do {
            before = t->vq[q].last_avail;
            t->ops->process(t, q);
        } while (usable(t) && vq_enable_notify(&t->vq[q], t->pm) && t->vq[q].last_avail != before);
    }
}

/* -det, the notifying vCPU, slot lock held: serve until nothing is kicked
 * (a console's transmit kicks its receive queue). */
static void serve_kicks(VirtioMMIO *t)
{
    while (t->kick && usable(t))
        serve_round(t);
    t->kick = 0;
}

/* The device's I/O thread: sleeps until a queue is notified, then lets the
 * device serve it. */
static void *io_thread(void *arg)
{
    pthread_setname_np(pthread_self(), "virtio-io"); /* for top -H, perf, gdb */
    VirtioMMIO *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        if (!t->kick) {
            pthread_cond_wait(&t->wake, &t->lock);
            continue;
        }
        serve_round(t);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* ---------------- the board ---------------- */

VirtioBoard *virtio_board_new(PhysMap *pm, struct Monitor *mon, uint64_t base, const IRQLine *lines)
{
    VirtioBoard *b = calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, "flotilla: virtio: out of memory\n");
        return NULL;
    }
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        VirtioMMIO *t = &b->slot[i];
        pthread_mutex_init(&t->lock, NULL);
        pthread_cond_init(&t->wake, NULL);
        pthread_cond_init(&t->idle, NULL);
        t->pm = pm;
        t->mon = mon;
        t->base = base + (uint64_t)i * VIRTIO_MMIO_SLOT_SIZE;
        if (lines)
            t->irq = lines[i];
    }
    if (pm)
        physmap_add_mmio(pm, "virtio-mmio", base, VIRTIO_MMIO_SLOTS * VIRTIO_MMIO_SLOT_SIZE, &board_ops, b, NULL);
    return b;
}

VirtioMMIO *virtio_plug(VirtioBoard *b, const VirtioDevOps *ops, void *dev, uint64_t features, uint8_t *config,
                        uint32_t config_size)
{
    if (b->nused == VIRTIO_MMIO_SLOTS) {
        fprintf(stderr, "flotilla: too many virtio devices (at most %d)\n", VIRTIO_MMIO_SLOTS);
        return NULL;
    }
    VirtioMMIO *t = &b->slot[VIRTIO_MMIO_SLOTS - 1 - b->nused];
    t->ops = ops;
    t->dev = dev;
    t->host_features = features | TRANSPORT_FEATURES;
    t->config = config;
    t->config_size = config_size;
    if (b->inline_io) {
        t->inline_io = true;
        t->det_rng = b->det_seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(b->nused + 1));
        b->nused++;
        return t;
    }
    if (pthread_create(&t->thread, NULL, io_thread, t) != 0) {
        fprintf(stderr, "flotilla: %s: cannot start its I/O thread\n", ops->name);
        t->ops = NULL;
        return NULL;
    }
    t->thread_running = true;
    b->nused++;
    return t;
}

void virtio_board_free(VirtioBoard *b)
{
    if (!b)
        return;
    for (int i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
        VirtioMMIO *t = &b->slot[i];
        if (t->thread_running) {
            pthread_mutex_lock(&t->lock);
            t->stop = true;
            pthread_cond_signal(&t->wake);
            pthread_mutex_unlock(&t->lock);
            pthread_join(t->thread, NULL);
        }
        if (t->ops && t->ops->destroy)
            t->ops->destroy(t->dev);
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        pthread_cond_destroy(&t->idle);
    }
    free(b);
}
