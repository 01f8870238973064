/* Split virtqueues: every guest-supplied address, index and length is
 * checked before use (see virtio_queue.h). Ring indices are read and
 * written with atomics: the driver on another core updates them at the
 * same time, and the idx/ring ordering is what the virtio memory model
 * relies on (acquire after reading avail->idx, release before used->idx). */
#include <string.h>

#include "../memory/mem.h"
#include "virtio_queue.h"

typedef struct VringDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
} VringDesc;

void vq_reset(VirtQueue *vq)
{
    memset(vq, 0, sizeof(*vq));
}

/* Sizes of the three parts for a queue of n entries (with the event words). */
static uint64_t desc_size(uint32_t n) { return 16ull * n; }
static uint64_t avail_size(uint32_t n) { return 6 + 2ull * n; }
static uint64_t used_size(uint32_t n) { return 6 + 8ull * n; }

bool vq_check_layout(const VirtQueue *vq, const PhysMap *pm)
{
    uint32_t n = vq->num;
    if (n == 0 || n > VQ_MAX_SIZE || (n & (n - 1)))
        return false;
    /* The alignments the spec requires (2.7.2) also make the index words
     * naturally aligned host atomics. */
    if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3))
        return false;
    return phys_ram_ptr(pm, vq->desc, desc_size(n)) && phys_ram_ptr(pm, vq->avail, avail_size(n)) &&
           phys_ram_ptr(pm, vq->used, used_size(n));
}

/* The ring pointers; valid because vq_check_layout passed when the queue
 * became ready and RAM never moves. */
static uint16_t *avail_word(const VirtQueue *vq, const PhysMap *pm, uint32_t i)
{
    return (uint16_t *)phys_ram_ptr(pm, vq->avail + 2ull * i, 2);
}

static uint16_t load16(const uint16_t *p, int order) { return __atomic_load_n(p, order); }

/* Copy descriptor i of a table at `table` with `n` entries. */
static bool read_desc(const PhysMap *pm, uint64_t table, uint32_t n, uint32_t i, VringDesc *d)
{
    if (i >= n)
        return false;
    const void *p = phys_ram_ptr(pm, table + 16ull * i, 16);
    if (!p)
        return false;
    memcpy(d, p, 16);
    return true;
}

/* Add the buffer of one (non-indirect) descriptor to e. */
static bool add_buf(const PhysMap *pm, VqElem *e, const VringDesc *d, const char **why)
{
    if (d->len == 0)
        return true; /* nothing to transfer: allowed, skipped */
    void *host = phys_ram_ptr(pm, d->addr, d->len);
    if (!host) {
        *why = "buffer outside guest RAM";
        return false;
    }
    if (d->flags & VRING_DESC_F_WRITE) {
        e->in[e->nin++] = (struct iovec){host, d->len};
        e->in_len += d->len;
    } else {
        if (e->nin) {
            *why = "device-readable descriptor after a writable one";
            return false;
        }
        e->out[e->nout++] = (struct iovec){host, d->len};
        e->out_len += d->len;
    }
    return true;
}

/* Walk one chain starting at `head` of the table (addr, n). `budget` counts
 * the descriptors visited over the whole chain, including an indirect table,
 * so neither a loop nor an oversized table can make this run long. */
static bool walk(const VirtQueue *vq, const PhysMap *pm, VqElem *e, uint64_t table, uint32_t n, uint32_t i,
                 bool in_indirect, uint32_t *budget, const char **why)
{
    for (;;) {
        VringDesc d;
        if (*budget == 0) {
            *why = "chain longer than the queue (loop?)";
            return false;
        }
        (*budget)--;
        if (!read_desc(pm, table, n, i, &d)) {
            *why = "descriptor index out of range";
            return false;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (!vq->indirect || in_indirect) {
                *why = in_indirect ? "nested indirect table" : "indirect descriptor not negotiated";
                return false;
            }
            if (d.flags & VRING_DESC_F_NEXT) {
                *why = "indirect descriptor with NEXT";
                return false;
            }
            if (d.len == 0 || (d.len & 15) || (d.addr & 15) || !phys_ram_ptr(pm, d.addr, d.len)) {
                *why = "bad indirect table";
                return false;
            }
            uint32_t tn = d.len / 16;
            if (tn > vq->num) {
                *why = "indirect table larger than the queue";
                return false;
            }
            /* An indirect descriptor ends the outer chain (no NEXT). */
            return walk(vq, pm, e, d.addr, tn, 0, true, budget, why);
        }
        if (!add_buf(pm, e, &d, why))
            return false;
        if (!(d.flags & VRING_DESC_F_NEXT))
            return true;
        i = d.next;
    }
}

int vq_pop(VirtQueue *vq, const PhysMap *pm, VqElem *e, const char **why)
{
    *why = "";
    if (!vq->ready)
        return VQ_EMPTY;
    uint16_t avail_idx = load16(avail_word(vq, pm, 1), __ATOMIC_ACQUIRE);
    uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
    if (pending == 0)
        return VQ_EMPTY;
    if (pending > vq->num) {
        *why = "available index moved by more than the queue size";
        return VQ_BROKEN;
    }
    uint16_t head = load16(avail_word(vq, pm, 2 + (vq->last_avail & (vq->num - 1))), __ATOMIC_RELAXED);
    if (head >= vq->num) {
        *why = "head index out of range";
        return VQ_BROKEN;
    }
    e->head = head;
    e->nout = e->nin = 0;
    e->out_len = e->in_len = 0;
    uint32_t budget = vq->num;
    if (!walk(vq, pm, e, vq->desc, vq->num, head, false, &budget, why))
        return VQ_BROKEN;
    vq->last_avail++;
    return VQ_GOT;
}

void vq_push(VirtQueue *vq, const PhysMap *pm, uint16_t head, uint32_t len)
{
    uint32_t slot = vq->used_idx & (vq->num - 1);
    uint8_t *elem = phys_ram_ptr(pm, vq->used + 4 + 8ull * slot, 8);
    uint32_t v[2] = {head, len};
    memcpy(elem, v, 8);
    vq->used_idx++;
    __atomic_store_n((uint16_t *)phys_ram_ptr(pm, vq->used + 2, 2), vq->used_idx, __ATOMIC_RELEASE);
}

bool vq_should_notify(VirtQueue *vq, const PhysMap *pm)
{
    /* The used-ring store must be visible before we read the driver's
     * suppression word (the same full barrier QEMU and Linux use). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!vq->event_idx) {
        uint16_t flags = load16(avail_word(vq, pm, 0), __ATOMIC_RELAXED);
        return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    uint16_t old = vq->signalled_used, now = vq->used_idx;
    bool valid = vq->signalled_valid;
    vq->signalled_used = now;
    vq->signalled_valid = true;
    if (!valid)
        return true;
    uint16_t used_event = load16(avail_word(vq, pm, 2 + vq->num), __ATOMIC_RELAXED);
    /* vring_need_event: did new_idx pass used_event since old? */
    return (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
}

bool vq_enable_notify(VirtQueue *vq, const PhysMap *pm)
{
    if (!vq->ready)
        return false;
    if (vq->event_idx)
        __atomic_store_n((uint16_t *)phys_ram_ptr(pm, vq->used + 4 + 8ull * vq->num, 2), vq->last_avail,
                         __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return load16(avail_word(vq, pm, 1), __ATOMIC_ACQUIRE) != vq->last_avail;
}

uint64_t iov_to_buf(const struct iovec *iov, int n, uint64_t skip, void *buf, uint64_t len)
{
    uint64_t done = 0;
    for (int i = 0; i < n && done < len; i++) {
        if (skip >= iov[i].iov_len) {
            skip -= iov[i].iov_len;
            continue;
        }
        uint64_t k = iov[i].iov_len - skip;
        if (k > len - done)
            k = len - done;
        memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + skip, k);
        done += k;
        skip = 0;
    }
    return done;
}

uint64_t iov_from_buf(const struct iovec *iov, int n, uint64_t skip, const void *buf, uint64_t len)
{
    uint64_t done = 0;
    for (int i = 0; i < n && done < len; i++) {
        if (skip >= iov[i].iov_len) {
            skip -= iov[i].iov_len;
            continue;
        }
        uint64_t k = iov[i].iov_len - skip;
        if (k > len - done)
            k = len - done;
        memcpy((uint8_t *)iov[i].iov_base + skip, (const uint8_t *)buf + done, k);
        done += k;
        skip = 0;
    }
    return done;
}
