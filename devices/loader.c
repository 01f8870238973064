/* Kernel loaders: ELF64 (AArch64), arm64 Linux Images (gzip'd or not) and
 * raw binaries. Inputs are hostile: sizes are checked before anything is
 * read or allocated, and nothing may grow past what guest RAM can hold. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "../smp/machine.h"
#include "boot.h"
#include "devices.h"
#include "fdt.h"

/* Read up to `size` bytes of fd into buf: a file that grows meanwhile is
 * taken at that size, one that shrinks as it is (*got says how much). false
 * after one line on stderr naming the file as `what` '`path`'. */
static bool read_fully(int fd, uint8_t *buf, size_t size, const char *what, const char *path, size_t *got)
{
    size_t n = 0;
    while (n < size) {
        ssize_t r = read(fd, buf + n, size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "flotilla: cannot read %s '%s': %s\n", what, path, strerror(errno));
            return false;
        }
        if (r == 0)
            break; /* it shrank: take what is there */
        n += (size_t)r;
    }
    *got = n;
    return true;
}

/* Read a whole regular file of at most `cap` bytes into a fresh buffer.
 * The type and size are checked with fstat before anything is read, so
 * /dev/zero, a FIFO, a directory or a sparse 4 GB file fail at once instead
 * of being read without end. `what` names the file in messages ("kernel",
 * "initrd", "config"). Any thread. */
bool load_read_file(const char *what, const char *path, uint64_t cap, uint8_t **data, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (reads of a
     * regular file ignore it). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "flotilla: cannot open %s '%s': %s\n", what, path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "flotilla: %s '%s' is not a regular file\n", what, path);
        close(fd);
        return false;
    }
    if ((uint64_t)st.st_size > cap) {
        fprintf(stderr, "flotilla: %s '%s' (%llu bytes) is larger than guest RAM allows (%llu bytes)\n", what, path,
                (unsigned long long)st.st_size, (unsigned long long)cap);
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size, n = 0;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        fprintf(stderr, "flotilla: out of memory reading %s '%s' (%zu bytes)\n", what, path, size);
        close(fd);
        return false;
    }
    bool ok = read_fully(fd, buf, size, what, path, &n);
    close(fd);
    if (!ok) {
        free(buf);
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

static bool load_elf(Machine *m, const char *path, const uint8_t *d, size_t len, uint64_t *entry)
{
    /* Headers are copied out: e_phoff may be any value, and a Phdr read in
     * place at an odd offset would be a misaligned access. */
    Elf64_Ehdr ehdr;
    const Elf64_Ehdr *eh = &ehdr;
    if (len < sizeof(ehdr)) {
        fprintf(stderr, "flotilla: '%s' is not a 64-bit little-endian ELF file\n", path);
        return false;
    }
    memcpy(&ehdr, d, sizeof(ehdr));
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        fprintf(stderr, "flotilla: '%s' is not a 64-bit little-endian ELF file\n", path);
        return false;
    }
    if (eh->e_machine != EM_AARCH64) {
        fprintf(stderr, "flotilla: '%s' is an ELF file for machine %u, not AArch64\n", path, eh->e_machine);
        return false;
    }
    /* Written so that a huge e_phoff cannot wrap the bound around. */
    if (eh->e_phoff == 0 || eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff) {
        fprintf(stderr, "flotilla: '%s': malformed ELF program headers\n", path);
        return false;
    }
    int loaded = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr phdr;
        const Elf64_Phdr *ph = &phdr;
        memcpy(&phdr, d + eh->e_phoff + (size_t)i * sizeof(phdr), sizeof(phdr));
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset || ph->p_filesz > ph->p_memsz) {
            fprintf(stderr, "flotilla: '%s': malformed ELF segment %d\n", path, i);
            return false;
        }
        uint64_t pa = ph->p_paddr;
        if (!phys_ram_ptr(&m->pm, pa, ph->p_memsz)) {
            fprintf(stderr,
                    "flotilla: '%s': segment at 0x%llx (+0x%llx) is outside guest RAM "
                    "(0x%llx..0x%llx)\n",
                    path, (unsigned long long)pa, (unsigned long long)ph->p_memsz,
                    (unsigned long long)m->pm.ram_base, (unsigned long long)(m->pm.ram_base + m->pm.ram_size));
            return false;
        }
        phys_write(m, pa, d + ph->p_offset, ph->p_filesz);
        /* The .bss part (if any; a segment may end exactly at the end of RAM,
         * where phys_ram_ptr(end, 0) is NULL). */
        if (ph->p_memsz > ph->p_filesz)
            memset(phys_ram_ptr(&m->pm, pa + ph->p_filesz, 0), 0, ph->p_memsz - ph->p_filesz);
        loaded++;
    }
    if (!loaded) {
        fprintf(stderr, "flotilla: '%s': ELF file has no loadable segment\n", path);
        return false;
    }
    *entry = eh->e_entry;
    return true;
}

/* gunzip a whole file held in memory into at most `limit` bytes: a gzip
 * bomb stops at the limit with one line instead of exhausting host memory. */
static bool gunzip(const char *path, const uint8_t *in, size_t inlen, uint64_t limit, uint8_t **out,
                   size_t *outlen)
{
    z_stream zs = {0};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        fprintf(stderr, "flotilla: '%s': cannot start gzip decompression\n", path);
        return false;
    }
    /* Start near the usual 3-4x ratio (limit 0 is never passed in). */
    uint64_t want = inlen < (limit >> 2) ? (uint64_t)inlen * 4 + (1 << 20) : limit;
    size_t cap = (size_t)(want < limit ? want : limit), n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf)
        goto oom;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)(inlen > UINT32_MAX ? UINT32_MAX : inlen);
    size_t in_left = inlen - zs.avail_in;
    int r;
    for (;;) {
        if (n == cap) {
            if (cap >= limit) {
                fprintf(stderr, "flotilla: '%s': gzip data expands beyond %llu bytes (what guest RAM can hold)\n",
                        path, (unsigned long long)limit);
                goto fail;
            }
            size_t ncap = cap > limit / 2 ? (size_t)limit : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb)
                goto oom;
            buf = nb;
            cap = ncap;
        }
        if (zs.avail_in == 0 && in_left) {
            zs.avail_in = (uInt)(in_left > UINT32_MAX ? UINT32_MAX : in_left);
            in_left -= zs.avail_in;
        }
        size_t room = cap - n;
        zs.next_out = buf + n;
        zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        uInt before = zs.avail_out;
        r = inflate(&zs, Z_NO_FLUSH);
        n += before - zs.avail_out;
        if (r == Z_STREAM_END)
            break;
        if (r == Z_OK || (r == Z_BUF_ERROR && zs.avail_out == 0))
            continue;
        fprintf(stderr, "flotilla: '%s': corrupt gzip data (%s)\n", path,
                zs.msg ? zs.msg : r == Z_BUF_ERROR ? "truncated" : "inflate error");
        goto fail;
    }
    inflateEnd(&zs);
    *out = buf;
    *outlen = n;
    return true;
oom:
    fprintf(stderr, "flotilla: '%s': out of memory decompressing the kernel\n", path);
fail:
    inflateEnd(&zs);
    free(buf);
    return false;
}

/* The arm64 Image header (Documentation/arch/arm64/booting.rst). */
typedef struct {
    uint32_t code0, code1;
    uint64_t text_offset, image_size, flags, res2, res3, res4;
    uint32_t magic, res5;
} Arm64ImageHeader;

/* Where an Image of `len` bytes with header h goes: its load address and
 * the size it claims in RAM. false (with a message) if it cannot be booted. */
static bool image_place(Machine *m, const char *path, const Arm64ImageHeader *h, uint64_t len, uint64_t *kbase,
                        uint64_t *image_size)
{
    if (h->flags & 1) {
        fprintf(stderr, "flotilla: '%s': big-endian kernels are not supported\n", path);
        return false;
    }
    /* text_offset only counts with a non-zero image_size (QEMU's rule). A
     * text_offset past RAM would wrap the load address around. */
    if (h->image_size && h->text_offset >= m->pm.ram_size) {
        fprintf(stderr, "flotilla: '%s': Image text_offset 0x%llx is beyond guest RAM\n", path,
                (unsigned long long)h->text_offset);
        return false;
    }
    *image_size = h->image_size > len ? h->image_size : len;
    *kbase = m->pm.ram_base + boot_image_offset(h->text_offset, h->image_size);
    if (!phys_ram_ptr(&m->pm, *kbase, *image_size)) {
        fprintf(stderr, "flotilla: '%s': kernel (%llu bytes) does not fit in guest RAM\n", path,
                (unsigned long long)*image_size);
        return false;
    }
    return true;
}

static bool image_boot(Machine *m, uint64_t kbase, uint64_t image_size, uint64_t *entry)
{
    if (!boot_linux_finish(m, kbase, kbase + image_size))
        return false;
    *entry = kbase;
    m->linux_boot = true;
    return true;
}

static bool load_linux(Machine *m, const char *path, const uint8_t *d, size_t len, uint64_t *entry)
{
    Arm64ImageHeader h;
    memcpy(&h, d, sizeof(h));
    uint64_t kbase, image_size;
    if (!image_place(m, path, &h, len, &kbase, &image_size))
        return false;
    phys_write(m, kbase, d, len);
    return image_boot(m, kbase, image_size, entry);
}

/* An uncompressed arm64 Image, the usual -kernel (~30-40 MB), is read
 * straight into guest RAM: through a buffer it cost a second set of page
 * faults, a copy and the buffer's unmapping, ~20 of the ~75 ms before a
 * boot's first instruction. Nothing runs yet, so the monitor has nothing to
 * break. The header read first decides where it goes; a file that changes
 * meanwhile only changes what the guest finds there (the placement was
 * checked). Returns 1 loaded, 0 failed (one line on stderr), -1 not an
 * uncompressed Image (load_kernel's general way). Main thread. */
static int load_image_direct(Machine *m, const char *path, uint64_t *entry)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1; /* the general way reports it */
    struct stat st;
    Arm64ImageHeader h;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > m->pm.ram_size ||
        pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.magic != 0x644d5241u /* "ARM\x64" */) {
        close(fd);
        return -1;
    }
    uint64_t kbase, image_size, len = (uint64_t)st.st_size;
    if (!image_place(m, path, &h, len, &kbase, &image_size)) {
        close(fd);
        return 0;
    }
    size_t n;
    bool ok = read_fully(fd, phys_ram_ptr(&m->pm, kbase, len), (size_t)len, "kernel", path, &n);
    close(fd);
    if (!ok)
        return 0;
    if (n < sizeof(h)) {
        fprintf(stderr, "flotilla: kernel '%s' shrank while it was read\n", path);
        return 0;
    }
    return image_boot(m, kbase, image_size, entry) ? 1 : 0;
}

/* -initrd and -append only mean something to a Linux Image or a raw
 * kernel, which get a DTB; QEMU likewise boots ELF files without them. A warning, not an
 * error: a bare-metal program may well share a config file with Linux.
 * Main thread (machine_init). */
static void warn_not_linux(Machine *m, const char *path, const char *kind)
{
    const char *opts[3];
    int n = 0;
    if (m->opt.initrd)
        opts[n++] = "-initrd";
    if (m->opt.append)
        opts[n++] = "-append";
    if (m->opt.dtb)
        opts[n++] = "-dtb";
    if (n == 0)
        return;
    char list[64] = "";
    for (int i = 0; i < n; i++) {
        strcat(list, opts[i]);
        if (i < n - 1)
            strcat(list, n == 2 || i == n - 2 ? " and " : ", ");
    }
    fprintf(stderr, "flotilla: warning: '%s' is %s, not a Linux Image: %s %s ignored\n", path, kind, list,
            n == 1 ? "is" : "are");
}

bool load_kernel(Machine *m, const char *path, uint64_t *entry)
{
    uint8_t *d;
    size_t len;
    int direct = load_image_direct(m, path, entry);
    if (direct >= 0)
        return direct == 1;
    /* Nothing larger than guest RAM can be loaded, compressed or not. */
    if (!load_read_file("kernel", path, m->pm.ram_size, &d, &len))
        return false;
    bool ok;
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        /* gzip: only a compressed arm64 Image makes sense here */
        uint8_t *u;
        size_t ulen;
        if (!gunzip(path, d, len, m->pm.ram_size, &u, &ulen)) {
            free(d);
            return false;
        }
        free(d);
        d = u;
        len = ulen;
        if (!(len >= 64 && memcmp(d + 56, "ARM\x64", 4) == 0)) {
            fprintf(stderr, "flotilla: '%s': gzip data is not an arm64 Linux Image\n", path);
            free(d);
            return false;
        }
    }
    if (len == 0) {
        fprintf(stderr, "flotilla: kernel '%s' is empty\n", path);
        ok = false;
    } else if (len >= 4 && memcmp(d, ELFMAG, SELFMAG) == 0) {
        warn_not_linux(m, path, "an ELF file");
        ok = load_elf(m, path, d, len, entry);
    } else if (len >= 64 && memcmp(d + 56, "ARM\x64", 4) == 0) {
        ok = load_linux(m, path, d, len, entry);
    } else if (len >= 0x28 && d[0x24] == 0x18 && d[0x25] == 0x28 && d[0x26] == 0x6f && d[0x27] == 0x01) {
        /* The 32-bit zImage magic 0x016f2818 at 0x24 ("ARMd" is the arm64 magic itself). */
        fprintf(stderr, "flotilla: '%s' is a 32-bit Arm kernel; only AArch64 is supported\n", path);
        ok = false;
    } else {
        /* Any other file is a raw kernel, booted as QEMU boots one: at
         * RAM + 0x80000 with the DTB in x0 (and the initrd, if any). */
        ok = phys_ram_ptr(&m->pm, RAW_LOAD_ADDR, len) != NULL;
        if (!ok)
            fprintf(stderr, "flotilla: raw kernel '%s' (%zu bytes) does not fit in guest RAM\n", path, len);
        else {
            phys_write(m, RAW_LOAD_ADDR, d, len);
            ok = boot_linux_finish(m, RAW_LOAD_ADDR, RAW_LOAD_ADDR + len);
            if (ok)
                *entry = RAW_LOAD_ADDR;
        }
    }
    free(d);
    return ok;
}
