/* virtio-rng (virtio 1.x, 5.4): every device-writable buffer the driver
 * posts is filled from the host's getrandom(2). At most RNG_MAX_REQ bytes
 * per request (the device may return fewer than the buffer holds), so a
 * driver posting gigabytes of buffers cannot keep the I/O thread busy for
 * long. Requests are served on the slot's I/O thread under the slot lock
 * (getrandom on the urandom pool does not block once the host is booted). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "virtio_devices.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_RNG 4
#define RNG_MAX_REQ 65536u

/* I/O thread, slot lock held. */
static void rng_process(VirtioMMIO *t, int q)
{
    while (virtio_pop(t, q) == VQ_GOT) {
        VqElem *e = &t->elem;
        if (e->nout) {
            virtio_set_broken(t, "virtio-rng request with a device-readable buffer");
            return;
        }
        uint32_t left = RNG_MAX_REQ, done = 0;
        for (int i = 0; i < e->nin && left; i++) {
            size_t n = e->in[i].iov_len < left ? e->in[i].iov_len : left;
            size_t got = 0;
            while (t->inline_io && got < n) {
                /* -det: splitmix64 from the seed, not the host's entropy */
                uint64_t z = (t->det_rng += 0x9e3779b97f4a7c15ull);
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
                z ^= z >> 31;
                size_t k = n - got < 8 ? n - got : 8;
                memcpy((uint8_t *)e->in[i].iov_base + got, &z, k);
                got += k;
            }
            while (got < n) {
                ssize_t r = getrandom((uint8_t *)e->in[i].iov_base + got, n - got, 0);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r <= 0)
                    break;
                got += (size_t)r;
            }
            done += (uint32_t)got;
            left -= (uint32_t)got;
            if (got < n)
                break;
        }
        virtio_complete(t, q, t->reset_gen, done);
    }
}

static const VirtioDevOps rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .nqueues = 1,
    .process = rng_process,
};

bool virtio_rng_add(VirtioBoard *b)
{
    return virtio_plug(b, &rng_ops, NULL, 0, NULL, 0) != NULL;
}
