/* virtio-console (virtio 1.x, 5.3) with one port and no multiport
 * support: Linux's /dev/hvc0. The host end is a -chardev: output (the
 * transmit queue) is written to its file, input (the receive queue) is read
 * from its input file once the guest has written to the port, as the driver
 * posts buffers, until that file ends.
 * Both are served on the slot's I/O thread under the slot lock, dropping it
 * around the host writes and reads. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "virtio_devices.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_CONSOLE 3
#define Q_RX 0
#define Q_TX 1

typedef struct VirtioConsole {
    int out_fd, in_fd;  /* -1: output discarded / no input */
    bool in_eof;
    bool tx_seen;       /* the guest has written to the port: input may flow */
    uint8_t config[12]; /* cols, rows, max_nr_ports, emerg_wr: unused without their features */
} VirtioConsole;

/* Lock dropped. Write all of iov (a dead output is ignored: the guest's
 * console must not hang on the host's file). */
static void write_all(int fd, struct iovec *iov, int n)
{
    while (fd >= 0 && n > 0) {
        ssize_t r = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
}

/* I/O thread, slot lock held. */
static void con_process(VirtioMMIO *t, int q)
{
    VirtioConsole *c = t->dev;
    /* Input waits for the guest's first output: without multiport there is
     * no "port opened" message, and Linux's hvc drops what arrives at a
     * closed tty. Buffers stay posted until then (or forever without input). */
    if (q == Q_RX && (c->in_fd < 0 || c->in_eof || !c->tx_seen))
        return;
    while (virtio_pop(t, q) == VQ_GOT) {
        VqElem *e = &t->elem;
        uint32_t len = 0;
        uint32_t gen = virtio_io_begin(t);
        if (q == Q_TX) {
            write_all(c->out_fd, e->out, e->nout);
        } else {
            ssize_t r;
            do
                r = readv(c->in_fd, e->in, e->nin > IOV_MAX ? IOV_MAX : e->nin);
            while (r < 0 && errno == EINTR);
            if (r <= 0)
                c->in_eof = true;
            else
                len = (uint32_t)r;
        }
        virtio_io_end(t);
        if (q == Q_RX && len == 0) {
            /* Input ended: the buffer stays the driver's (un-take it), so a
             * reader of hvc0 just waits, as at a quiet terminal. */
            if (gen == t->reset_gen)
                t->vq[q].last_avail--;
            return;
        }
        virtio_complete(t, q, gen, len);
        if (q == Q_TX && !c->tx_seen) {
            c->tx_seen = true;
            t->kick |= 1u << Q_RX; /* the I/O thread serves the receive queue next */
        }
        if (q == Q_RX && c->in_eof)
            return;
    }
}

static void con_destroy(void *dev)
{
    VirtioConsole *c = dev;
    if (c->out_fd >= 0)
        close(c->out_fd);
    if (c->in_fd >= 0)
        close(c->in_fd);
    free(c);
}

static const VirtioDevOps con_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .nqueues = 2,
    .process = con_process,
    .destroy = con_destroy,
};

bool virtio_console_add(VirtioBoard *b, int out_fd, int in_fd)
{
    VirtioConsole *c = calloc(1, sizeof(*c));
    if (!c) {
        if (out_fd >= 0)
            close(out_fd);
        if (in_fd >= 0)
            close(in_fd);
        return false;
    }
    c->out_fd = out_fd;
    c->in_fd = in_fd;
    if (!virtio_plug(b, &con_ops, c, 0, c->config, sizeof(c->config))) {
        con_destroy(c);
        return false;
    }
    return true;
}
