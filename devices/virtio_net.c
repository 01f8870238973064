/* virtio-net (virtio 1.x, 5.1) on user-mode networking through libslirp,
 * the library QEMU's "-netdev user" uses: no root, no tap. The guest sees
 * QEMU's usual network: 10.0.2.0/24, the host (gateway) at 10.0.2.2, DNS at
 * 10.0.2.3 (forwarded to the host's resolver), DHCP handing out 10.0.2.15.
 * hostfwd=tcp::HOSTPORT-:GUESTPORT forwards a host port into the guest.
 *
 * Threads and locks. libslirp is single-threaded: every call into it is
 * made with `slirp_lock` held. Two threads make them:
 *  - the slot's I/O thread (transmit): takes a packet off the transmit
 *    queue under the slot lock, drops the slot lock (virtio_io_begin), and
 *    hands the packet to slirp_input under slirp_lock;
 *  - the device's slirp thread: poll()s slirp's sockets and an eventfd
 *    without any lock, then runs slirp_pollfds_poll and slirp's timers
 *    under slirp_lock.
 * Frames from slirp to the guest (send_packet, called on either thread with
 * slirp_lock held) take the slot lock to fill a receive buffer; lock order
 * slirp_lock -> slot lock, never the other way. Frames that find no receive
 * buffer wait in a bounded backlog (RX_BACKLOG frames) that the I/O thread
 * flushes when the driver posts buffers; beyond it they are dropped (TCP
 * retransmits). */
#define _GNU_SOURCE /* pthread_setname_np */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "virtio_devices.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define Q_RX 0
#define Q_TX 1
#define NET_HDR 12           /* struct virtio_net_hdr_v1 (VERSION_1: num_buffers always there) */
#define MAX_FRAME 1536       /* MTU 1500 + Ethernet header, rounded */
#define MAX_TX 65550         /* the largest frame a driver may send without GSO, plus slack */
#define RX_BACKLOG 256
#define MAX_HOSTFWD 16
#define MAX_REPORTED 3

typedef struct NetTimer {
    SlirpTimerCb cb;
    void *cb_opaque;
    int64_t expire_ms;       /* -1: not armed */
    struct NetTimer *next;
} NetTimer;

typedef struct VirtioNet {
    VirtioMMIO *t;
    uint8_t config[12];      /* mac[6], status, (max_virtqueue_pairs: unused) */
    pthread_mutex_t slirp_lock;
    Slirp *slirp;
    NetTimer *timers;        /* under slirp_lock */
    int wake_fd;             /* eventfd: wakes the slirp thread's poll */
    pthread_t thread;
    bool thread_running;
    _Atomic bool stop;
    struct pollfd *pfds;     /* slirp thread only */
    int npfds, pfd_cap;
    uint32_t nerrors;        /* guest errors reported by slirp (under slirp_lock) */

    /* under the slot lock */
    VqElem rx;
    uint8_t backlog[RX_BACKLOG][MAX_FRAME];
    uint16_t backlog_len[RX_BACKLOG];
    unsigned bl_head, bl_count;
    uint64_t rx_dropped;

    uint8_t txbuf[MAX_TX];   /* I/O thread only */
} VirtioNet;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void wake(VirtioNet *n)
{
    uint64_t one = 1;
    ssize_t r = write(n->wake_fd, &one, 8);
    (void)r; /* a full counter means a wake-up is pending anyway */
}

/* Slot lock held: put one frame into the next receive buffer. false if
 * there is none (or the device is not usable). */
static bool deliver(VirtioNet *n, const uint8_t *frame, size_t len)
{
    VirtioMMIO *t = n->t;
    if (virtio_pop_elem(t, Q_RX, &n->rx) != VQ_GOT)
        return false;
    VqElem *e = &n->rx;
    if (e->nout) {
        virtio_set_broken(t, "virtio-net receive buffer is device-readable");
        return true;
    }
    uint8_t hdr[NET_HDR] = {0};
    hdr[10] = 1; /* num_buffers */
    uint32_t used = 0;
    if (e->in_len >= NET_HDR + len) {
        iov_from_buf(e->in, e->nin, 0, hdr, NET_HDR);
        iov_from_buf(e->in, e->nin, NET_HDR, frame, len);
        used = (uint32_t)(NET_HDR + len);
    } else {
        n->rx_dropped++; /* a buffer too small for the frame: returned empty */
    }
    virtio_complete_elem(t, Q_RX, t->reset_gen, &n->rx, used);
    return true;
}

/* Slot lock held: move backlogged frames into receive buffers. */
static void flush_backlog(VirtioNet *n)
{
    while (n->bl_count) {
        if (!deliver(n, n->backlog[n->bl_head], n->backlog_len[n->bl_head]))
            return;
        n->bl_head = (n->bl_head + 1) % RX_BACKLOG;
        n->bl_count--;
    }
}

/* ---------------- libslirp callbacks (slirp_lock held) ---------------- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    VirtioNet *n = opaque;
    VirtioMMIO *t = n->t;
    pthread_mutex_lock(&t->lock);
    flush_backlog(n);
    if (len > MAX_FRAME) {
        n->rx_dropped++;
    } else if (n->bl_count || !deliver(n, buf, len)) {
        if (n->bl_count < RX_BACKLOG && (t->status & VIRTIO_STATUS_DRIVER_OK)) {
            unsigned i = (n->bl_head + n->bl_count) % RX_BACKLOG;
            memcpy(n->backlog[i], buf, len);
            n->backlog_len[i] = (uint16_t)len;
            n->bl_count++;
        } else {
            n->rx_dropped++;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    VirtioNet *n = opaque;
    if (++n->nerrors <= MAX_REPORTED)
        fprintf(stderr, "flotilla: virtio-net: slirp: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    VirtioNet *n = opaque;
    NetTimer *tm = calloc(1, sizeof(*tm));
    if (!tm)
        return NULL;
    tm->cb = cb;
    tm->cb_opaque = cb_opaque;
    tm->expire_ms = -1;
    tm->next = n->timers;
    n->timers = tm;
    return tm;
}

static void cb_timer_free(void *timer, void *opaque)
{
    VirtioNet *n = opaque;
    for (NetTimer **p = &n->timers; *p; p = &(*p)->next)
        if (*p == timer) {
            *p = ((NetTimer *)timer)->next;
            free(timer);
            return;
        }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    VirtioNet *n = opaque;
    ((NetTimer *)timer)->expire_ms = expire_ms;
    wake(n);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque; /* the poll set is rebuilt from slirp_pollfds_fill on every round */
}

static void cb_notify(void *opaque)
{
    wake(opaque);
}

static const SlirpCb slirp_cbs = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_register_poll_fd,
    .notify = cb_notify,
};

/* ---------------- the slirp thread ---------------- */

static int to_poll_events(int ev)
{
    return ((ev & SLIRP_POLL_IN) ? POLLIN : 0) | ((ev & SLIRP_POLL_OUT) ? POLLOUT : 0) |
           ((ev & SLIRP_POLL_PRI) ? POLLPRI : 0);
}

static int add_poll(int fd, int events, void *opaque)
{
    VirtioNet *n = opaque;
    if (n->npfds == n->pfd_cap) {
        int cap = n->pfd_cap ? n->pfd_cap * 2 : 64;
        struct pollfd *p = realloc(n->pfds, (size_t)cap * sizeof(*p));
        if (!p)
            return -1; /* not polled this round; slirp retries next round */
        n->pfds = p;
        n->pfd_cap = cap;
    }
    n->pfds[n->npfds] = (struct pollfd){fd, (short)to_poll_events(events), 0};
    return n->npfds++;
}

static int get_revents(int idx, void *opaque)
{
    VirtioNet *n = opaque;
    if (idx < 0 || idx >= n->npfds)
        return 0;
    int r = n->pfds[idx].revents;
    return ((r & POLLIN) ? SLIRP_POLL_IN : 0) | ((r & POLLOUT) ? SLIRP_POLL_OUT : 0) |
           ((r & POLLPRI) ? SLIRP_POLL_PRI : 0) | ((r & POLLERR) ? SLIRP_POLL_ERR : 0) |
           ((r & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

/* slirp_lock held: run the timers that are due; returns ms to the next one
 * (UINT32_MAX: none). A timer callback may re-arm or free timers, so the
 * list is walked again from the start after each one. */
static uint32_t run_timers(VirtioNet *n)
{
    for (;;) {
        int64_t now = now_ns() / 1000000;
        NetTimer *due = NULL;
        int64_t next = -1;
        for (NetTimer *tm = n->timers; tm; tm = tm->next) {
            if (tm->expire_ms < 0)
                continue;
            if (tm->expire_ms <= now) {
                due = tm;
                break;
            }
            if (next < 0 || tm->expire_ms < next)
                next = tm->expire_ms;
        }
        if (!due)
            return next < 0 ? UINT32_MAX : (uint32_t)(next - now);
        due->expire_ms = -1;
        due->cb(due->cb_opaque);
    }
}

static void *slirp_thread(void *arg)
{
    pthread_setname_np(pthread_self(), "slirp"); /* for top -H, perf, gdb */
    VirtioNet *n = arg;
    while (!atomic_load(&n->stop)) {
        uint32_t timeout = UINT32_MAX;
        pthread_mutex_lock(&n->slirp_lock);
        n->npfds = 0;
        add_poll(n->wake_fd, SLIRP_POLL_IN, n);
        slirp_pollfds_fill(n->slirp, &timeout, add_poll, n);
        uint32_t tt = run_timers(n);
        pthread_mutex_unlock(&n->slirp_lock);
        if (tt < timeout)
            timeout = tt;
        int ms = timeout > 1000 ? 1000 : (int)timeout;
        int r = poll(n->pfds, (nfds_t)n->npfds, ms);
        if (r > 0 && (n->pfds[0].revents & POLLIN)) {
            uint64_t v;
            ssize_t k = read(n->wake_fd, &v, 8);
            (void)k;
        }
        pthread_mutex_lock(&n->slirp_lock);
        slirp_pollfds_poll(n->slirp, r < 0, get_revents, n);
        run_timers(n);
        pthread_mutex_unlock(&n->slirp_lock);
    }
    return NULL;
}

/* ---------------- the device ---------------- */

/* I/O thread, slot lock held. */
static void net_process(VirtioMMIO *t, int q)
{
    VirtioNet *n = t->dev;
    if (q == Q_RX) {
        flush_backlog(n);
        return;
    }
    while (virtio_pop(t, Q_TX) == VQ_GOT) {
        VqElem *e = &t->elem;
        if (e->out_len < NET_HDR || e->nin) {
            virtio_set_broken(t, "virtio-net transmit chain without header or with writable buffers");
            return;
        }
        uint64_t len = e->out_len - NET_HDR;
        uint32_t gen;
        if (len <= MAX_TX && len >= 14) {
            iov_to_buf(e->out, e->nout, NET_HDR, n->txbuf, len);
            gen = virtio_io_begin(t);
            pthread_mutex_lock(&n->slirp_lock);
            slirp_input(n->slirp, n->txbuf, (int)len);
            pthread_mutex_unlock(&n->slirp_lock);
            wake(n); /* slirp may have new sockets to poll */
            virtio_io_end(t);
        } else {
            gen = t->reset_gen; /* runt or oversized frame: dropped, as a NIC would */
        }
        virtio_complete(t, Q_TX, gen, 0);
    }
}

/* Slot lock held (vCPU): the driver reset the device. */
static void net_reset(VirtioMMIO *t)
{
    VirtioNet *n = t->dev;
    n->bl_count = 0;
}

static void net_destroy(void *dev)
{
    VirtioNet *n = dev;
    if (n->thread_running) {
        atomic_store(&n->stop, true);
        wake(n);
        pthread_join(n->thread, NULL);
    }
    if (n->slirp)
        slirp_cleanup(n->slirp);
    while (n->timers) {
        NetTimer *tm = n->timers;
        n->timers = tm->next;
        free(tm);
    }
    if (n->wake_fd >= 0)
        close(n->wake_fd);
    pthread_mutex_destroy(&n->slirp_lock);
    free(n->pfds);
    free(n);
}

static const VirtioDevOps net_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .nqueues = 2,
    .process = net_process,
    .reset = net_reset,
    .destroy = net_destroy,
};

/* "tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" (QEMU's hostfwd). */
static bool parse_hostfwd(const char *s, int *udp, struct in_addr *haddr, int *hport, struct in_addr *gaddr,
                          int *gport)
{
    char buf[128], *p = buf;
    if (strlen(s) >= sizeof(buf))
        return false;
    strcpy(buf, s);
    *udp = 0;
    if (!strncmp(p, "tcp:", 4))
        p += 4;
    else if (!strncmp(p, "udp:", 4)) {
        *udp = 1;
        p += 4;
    } else if (*p != ':')
        return false;
    else
        p++;
    char *dash = strchr(p, '-');
    if (!dash)
        return false;
    *dash = 0;
    char *guest = dash + 1;
    char *hc = strrchr(p, ':'), *gc = strrchr(guest, ':');
    if (!hc || !gc)
        return false;
    *hc = *gc = 0;
    haddr->s_addr = htonl(INADDR_LOOPBACK);
    gaddr->s_addr = 0;
    if (*p && !inet_aton(p, haddr))
        return false;
    if (*guest && !inet_aton(guest, gaddr))
        return false;
    char *end;
    long hp = strtol(hc + 1, &end, 10);
    if (*end || hp < 0 || hp > 65535)
        return false;
    long gp = strtol(gc + 1, &end, 10);
    if (*end || gp < 1 || gp > 65535)
        return false;
    *hport = (int)hp;
    *gport = (int)gp;
    return true;
}

bool virtio_net_add(VirtioBoard *b, const char *what, const char *const *hostfwd, int nfwd, const uint8_t mac[6])
{
    VirtioNet *n = calloc(1, sizeof(*n));
    if (!n) {
        fprintf(stderr, "flotilla: %s: out of memory\n", what);
        return false;
    }
    n->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pthread_mutex_init(&n->slirp_lock, NULL);
    memcpy(n->config, mac, 6);
    n->config[6] = VIRTIO_NET_S_LINK_UP;

    SlirpConfig cfg = {0};
    cfg.version = 1;
    cfg.in_enabled = true;
    inet_aton("10.0.2.0", &cfg.vnetwork);
    inet_aton("255.255.255.0", &cfg.vnetmask);
    inet_aton("10.0.2.2", &cfg.vhost);
    inet_aton("10.0.2.15", &cfg.vdhcp_start);
    inet_aton("10.0.2.3", &cfg.vnameserver);
    cfg.vhostname = "flotilla";
    cfg.if_mtu = 1500;
    cfg.if_mru = 1500;
    n->slirp = n->wake_fd >= 0 ? slirp_new(&cfg, &slirp_cbs, n) : NULL;
    if (!n->slirp) {
        fprintf(stderr, "flotilla: %s: cannot start user-mode networking (libslirp)\n", what);
        net_destroy(n);
        return false;
    }
    for (int i = 0; i < nfwd; i++) {
        int udp, hp, gp;
        struct in_addr ha, ga;
        if (!parse_hostfwd(hostfwd[i], &udp, &ha, &hp, &ga, &gp)) {
            fprintf(stderr, "flotilla: %s: hostfwd=%s: expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT\n",
                    what, hostfwd[i]);
            net_destroy(n);
            return false;
        }
        if (slirp_add_hostfwd(n->slirp, udp, ha, hp, ga, gp) < 0) {
            fprintf(stderr, "flotilla: %s: hostfwd=%s: cannot listen on host port %d: %s\n", what, hostfwd[i], hp,
                    strerror(errno));
            net_destroy(n);
            return false;
        }
    }
    n->t = virtio_plug(b, &net_ops, n, (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS), n->config,
                       sizeof(n->config));
    if (!n->t) {
        net_destroy(n);
        return false;
    }
    if (pthread_create(&n->thread, NULL, slirp_thread, n) != 0) {
        fprintf(stderr, "flotilla: %s: cannot start its network thread\n", what);
        return false; /* destroyed with the board (the slot holds it) */
    }
    n->thread_running = true;
    return true;
}
