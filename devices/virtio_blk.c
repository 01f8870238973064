/* virtio-blk over a raw image (see virtio_blk.h). Requests are checked
 * against the image size before any host I/O; a request the driver framed
 * wrongly (no header, no status byte) breaks the device (NEEDS_RESET), one
 * it framed correctly but asked something impossible of (beyond the end, a
 * write to a read-only drive, an odd length) gets VIRTIO_BLK_S_IOERR. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "virtio_blk.h"
#include "virtio_mmio.h"

/* request types and status (5.2.6) */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

/* feature bits */
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define SECTOR 512ull
#define ID_BYTES 20
#define MAX_RANGE_SEGS 16            /* discard / write-zeroes ranges per request */
#define MAX_RANGE_SECTORS 0x400000u  /* 2 GiB per range */
#define ZERO_CHUNK (64u << 10)

/* struct virtio_blk_config, little-endian, the fields we fill */
enum {
    CFG_CAPACITY = 0, CFG_SEG_MAX = 12, CFG_BLK_SIZE = 20, CFG_WRITEBACK = 32, CFG_NUM_QUEUES = 34,
    CFG_MAX_DISCARD_SECTORS = 36, CFG_MAX_DISCARD_SEG = 40, CFG_DISCARD_ALIGN = 44,
    CFG_MAX_WZ_SECTORS = 48, CFG_MAX_WZ_SEG = 52, CFG_WZ_MAY_UNMAP = 56, CFG_SIZE = 60,
};

typedef struct VirtioBlk {
    int fd;
    bool readonly, flush_noop;
    uint64_t sectors;
    char serial[ID_BYTES + 1];
    uint8_t config[CFG_SIZE];
    struct iovec data[VQ_MAX_SEGS]; /* the data part of the current request */
    uint8_t zeros[ZERO_CHUNK];
} VirtioBlk;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The bytes [skip, skip + len) of iov as a new iovec list in dst; returns
 * the number of entries. */
static int iov_slice(const struct iovec *iov, int n, uint64_t skip, uint64_t len, struct iovec *dst)
{
    int k = 0;
    for (int i = 0; i < n && len; i++) {
        if (skip >= iov[i].iov_len) {
            skip -= iov[i].iov_len;
            continue;
        }
        uint64_t l = iov[i].iov_len - skip;
        if (l > len)
            l = len;
        dst[k++] = (struct iovec){(uint8_t *)iov[i].iov_base + skip, l};
        len -= l;
        skip = 0;
    }
    return k;
}

/* Lock dropped (I/O thread). Whole transfer, retried on short counts and
 * EINTR; a read past the end of a file that shrank fills zeros. */
static bool rw_all(int fd, struct iovec *iov, int n, uint64_t off, bool write)
{
    while (n > 0) {
        int cnt = n > IOV_MAX ? IOV_MAX : n;
        ssize_t r = write ? pwritev(fd, iov, cnt, (off_t)off) : preadv(fd, iov, cnt, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return false;
        if (r == 0) {
            if (write)
                return false;
            for (int i = 0; i < n; i++)
                memset(iov[i].iov_base, 0, iov[i].iov_len);
            return true;
        }
        off += (uint64_t)r;
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
    return true;
}

/* Lock dropped. Zero [off, off + len): a fast fallocate if the file system
 * has one, else written zeros. */
static bool zero_range(VirtioBlk *d, uint64_t off, uint64_t len)
{
    if (fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return true;
    while (len) {
        uint64_t k = len < ZERO_CHUNK ? len : ZERO_CHUNK;
        ssize_t r = pwrite(d->fd, d->zeros, k, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        off += (uint64_t)r;
        len -= (uint64_t)r;
    }
    return true;
}

/* Range requests (discard, write-zeroes): 16-byte segments after the
 * header. Lock dropped. */
static uint8_t do_ranges(VirtioBlk *d, const VqElem *e, uint32_t type)
{
    uint64_t bytes = e->out_len - 16;
    if (bytes == 0 || bytes % 16 || bytes / 16 > MAX_RANGE_SEGS)
        return VIRTIO_BLK_S_IOERR;
    if (d->readonly)
        return VIRTIO_BLK_S_IOERR;
    for (uint64_t s = 0; s < bytes / 16; s++) {
        struct {
            uint64_t sector;
            uint32_t num, flags;
        } seg;
        iov_to_buf(e->out, e->nout, 16 + 16 * s, &seg, 16);
        if (seg.num > MAX_RANGE_SECTORS || seg.sector > d->sectors || seg.num > d->sectors - seg.sector)
            return VIRTIO_BLK_S_IOERR;
        uint64_t off = seg.sector * SECTOR, len = (uint64_t)seg.num * SECTOR;
        if (!len)
            continue;
        if (type == VIRTIO_BLK_T_DISCARD) {
            /* Advisory: a file system without hole punching just keeps the data. */
            if (fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) != 0 &&
                errno != EOPNOTSUPP)
                return VIRTIO_BLK_S_IOERR;
        } else if (!zero_range(d, off, len)) {
            return VIRTIO_BLK_S_IOERR;
        }
    }
    return VIRTIO_BLK_S_OK;
}

/* Lock dropped. Execute one request whose framing has been checked; the
 * data part (in or out) is d->data[0..ndata). *written = bytes put in the
 * guest's buffers before the status byte. */
static uint8_t execute(VirtioBlk *d, const VqElem *e, uint32_t type, uint64_t sector, int ndata, uint64_t dlen,
                       uint32_t *written)
{
    switch (type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        if (dlen % SECTOR || sector > d->sectors || dlen / SECTOR > d->sectors - sector)
            return VIRTIO_BLK_S_IOERR;
        if (type == VIRTIO_BLK_T_OUT && d->readonly)
            return VIRTIO_BLK_S_IOERR;
        if (!rw_all(d->fd, d->data, ndata, sector * SECTOR, type == VIRTIO_BLK_T_OUT))
            return VIRTIO_BLK_S_IOERR;
        if (type == VIRTIO_BLK_T_IN)
            *written = (uint32_t)dlen;
        return VIRTIO_BLK_S_OK;
    case VIRTIO_BLK_T_FLUSH:
        if (!d->flush_noop && !d->readonly && fsync(d->fd) != 0)
            return VIRTIO_BLK_S_IOERR;
        return VIRTIO_BLK_S_OK;
    case VIRTIO_BLK_T_GET_ID: {
        char id[ID_BYTES] = {0};
        memcpy(id, d->serial, strnlen(d->serial, ID_BYTES));
        *written = (uint32_t)iov_from_buf(d->data, ndata, 0, id, ID_BYTES);
        return VIRTIO_BLK_S_OK;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        return do_ranges(d, e, type);
    }
    return VIRTIO_BLK_S_UNSUPP;
}

/* I/O thread, slot lock held. */
static void blk_process(VirtioMMIO *t, int q)
{
    VirtioBlk *d = t->dev;
    while (virtio_pop(t, q) == VQ_GOT) {
        VqElem *e = &t->elem;
        if (e->out_len < 16 || e->in_len < 1) {
            virtio_set_broken(t, "virtio-blk request without header or status byte");
            return;
        }
        struct {
            uint32_t type, reserved;
            uint64_t sector;
        } h;
        iov_to_buf(e->out, e->nout, 0, &h, 16);
        /* The status byte is the last byte of the last writable buffer. */
        const struct iovec *last = &e->in[e->nin - 1];
        uint8_t *status = (uint8_t *)last->iov_base + last->iov_len - 1;
        int ndata;
        uint64_t dlen;
        if (h.type == VIRTIO_BLK_T_OUT) {
            dlen = e->out_len - 16;
            ndata = iov_slice(e->out, e->nout, 16, dlen, d->data);
        } else {
            dlen = e->in_len - 1;
            ndata = iov_slice(e->in, e->nin, 0, dlen, d->data);
        }
        uint32_t written = 0;
        uint32_t gen = virtio_io_begin(t);
        uint8_t st = execute(d, e, h.type, h.sector, ndata, dlen, &written);
        *status = st;
        virtio_io_end(t);
        virtio_complete(t, q, gen, written + 1);
    }
}

static void blk_destroy(void *dev)
{
    VirtioBlk *d = dev;
    if (d->fd >= 0)
        close(d->fd);
    free(d);
}

static const VirtioDevOps blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .process = blk_process,
    .reset = NULL,
    .destroy = blk_destroy,
};

/* -drive suboptions, QEMU's spelling. */
typedef struct DriveOpts {
    char file[PATH_MAX];
    bool readonly;
    int cache_flags;     /* extra open flags */
    bool flush_noop;
    char serial[ID_BYTES + 1];
} DriveOpts;

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_drive(const char *s, DriveOpts *o)
{
    memset(o, 0, sizeof(*o));
    char *buf = strdup(s), *save = NULL;
    if (!buf)
        return false;
    bool ok = true;
    for (char *tok = strtok_r(buf, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq)
            *eq = 0;
        if (!strcmp(tok, "file")) {
            if (!*v || strlen(v) >= sizeof(o->file)) {
                fprintf(stderr, "flotilla: -drive: bad file name\n");
                ok = false;
            } else {
                strcpy(o->file, v);
            }
        } else if (!strcmp(tok, "if")) {
            if (strcmp(v, "virtio")) {
                fprintf(stderr, "flotilla: -drive: if=%s not supported (only if=virtio)\n", v);
                ok = false;
            }
        } else if (!strcmp(tok, "format")) {
            if (strcmp(v, "raw")) {
                fprintf(stderr, "flotilla: -drive: format=%s not supported (only format=raw)\n", v);
                ok = false;
            }
        } else if (!strcmp(tok, "readonly")) {
            if (!parse_bool(v, &o->readonly)) {
                fprintf(stderr, "flotilla: -drive: readonly=%s: expected on or off\n", v);
                ok = false;
            }
        } else if (!strcmp(tok, "cache")) {
            /* The guest always sees a write-back cache and must flush;
             * writethrough/directsync also make every write synchronous,
             * unsafe ignores flushes. none/directsync do not bypass the
             * host page cache (no O_DIRECT). */
            if (!strcmp(v, "writethrough") || !strcmp(v, "directsync"))
                o->cache_flags = O_DSYNC;
            else if (!strcmp(v, "unsafe"))
                o->flush_noop = true;
            else if (strcmp(v, "writeback") && strcmp(v, "none")) {
                fprintf(stderr, "flotilla: -drive: cache=%s: expected writeback, writethrough, none, directsync or unsafe\n",
                        v);
                ok = false;
            }
        } else if (!strcmp(tok, "serial")) {
            if (strlen(v) > ID_BYTES) {
                fprintf(stderr, "flotilla: -drive: serial is at most %d characters\n", ID_BYTES);
                ok = false;
            } else {
                strcpy(o->serial, v);
            }
        } else if (!strcmp(tok, "media")) {
            if (strcmp(v, "disk")) {
                fprintf(stderr, "flotilla: -drive: media=%s not supported\n", v);
                ok = false;
            }
        } else if (strcmp(tok, "id")) {
            fprintf(stderr, "flotilla: -drive: unknown suboption '%s'\n", tok);
            ok = false;
        }
    }
    free(buf);
    if (ok && !o->file[0]) {
        fprintf(stderr, "flotilla: -drive: file=IMAGE is required\n");
        ok = false;
    }
    return ok;
}

bool virtio_blk_add(VirtioBoard *b, const char *drive_opts)
{
    DriveOpts o;
    if (!parse_drive(drive_opts, &o))
        return false;
    int fd = open(o.file, (o.readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | o.cache_flags);
    if (fd < 0) {
        fprintf(stderr, "flotilla: -drive: cannot open '%s'%s: %s\n", o.file, o.readonly ? "" : " for writing",
                strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "flotilla: -drive: '%s' is not a regular file\n", o.file);
        close(fd);
        return false;
    }
    if (flock(fd, (o.readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        fprintf(stderr, "flotilla: -drive: '%s' is in use (locked by another process or drive)\n", o.file);
        close(fd);
        return false;
    }
    /* Regular-file I/O ignores O_NONBLOCK; drop it anyway for clarity. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    VirtioBlk *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "flotilla: -drive: out of memory\n");
        close(fd);
        return false;
    }
    d->fd = fd;
    d->readonly = o.readonly;
    d->flush_noop = o.flush_noop;
    d->sectors = (uint64_t)st.st_size / SECTOR;
    memcpy(d->serial, o.serial, sizeof(d->serial));
    put64(d->config + CFG_CAPACITY, d->sectors);
    put32(d->config + CFG_SEG_MAX, VQ_MAX_SEGS - 2); /* header and status take two */
    put32(d->config + CFG_BLK_SIZE, SECTOR);
    d->config[CFG_WRITEBACK] = 1;
    put16(d->config + CFG_NUM_QUEUES, 1);
    put32(d->config + CFG_MAX_DISCARD_SECTORS, MAX_RANGE_SECTORS);
    put32(d->config + CFG_MAX_DISCARD_SEG, MAX_RANGE_SEGS);
    put32(d->config + CFG_DISCARD_ALIGN, 1);
    put32(d->config + CFG_MAX_WZ_SECTORS, MAX_RANGE_SECTORS);
    put32(d->config + CFG_MAX_WZ_SEG, MAX_RANGE_SEGS);
    d->config[CFG_WZ_MAY_UNMAP] = 0;
    uint64_t f = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) | (1ull << VIRTIO_BLK_F_FLUSH);
    if (o.readonly)
        f |= 1ull << VIRTIO_BLK_F_RO;
    else
        f |= (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
    if (!virtio_plug(b, &blk_ops, d, f, d->config, CFG_SIZE)) {
        blk_destroy(d);
        return false;
    }
    return true;
}
