/* Kernel loaders: ELF64 (AArch64) and raw binaries. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "../smp/machine.h"
#include "devices.h"
#include "fdt.h"

static bool read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "flotilla: cannot open kernel '%s': %s\n", path, strerror(errno));
        return false;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "flotilla: cannot read kernel '%s'\n", path);
        free(buf);
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

static bool load_elf(Machine *m, const char *path, const uint8_t *d, size_t len, uint64_t *entry)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)d;
    if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB) {
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
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(d + eh->e_phoff) + i;
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

/* gunzip a whole file held in memory. */
static bool gunzip(const char *path, const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
    z_stream zs = {0};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return false;
    size_t cap = inlen * 4 + (1 << 20), n = 0;
    uint8_t *buf = malloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)inlen;
    int r;
    do {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        zs.next_out = buf + n;
        zs.avail_out = (uInt)(cap - n);
        r = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
    } while (r == Z_OK || (r == Z_BUF_ERROR && zs.avail_out == 0));
    inflateEnd(&zs);
    if (r != Z_STREAM_END) {
        fprintf(stderr, "flotilla: '%s': corrupt gzip data (%s)\n", path, zs.msg ? zs.msg : "truncated");
        free(buf);
        return false;
    }
    *out = buf;
    *outlen = n;
    return true;
}

/* The arm64 Image header (Documentation/arch/arm64/booting.rst). */
typedef struct {
    uint32_t code0, code1;
    uint64_t text_offset, image_size, flags, res2, res3, res4;
    uint32_t magic, res5;
} Arm64ImageHeader;

#define LINUX_LOAD_OFFSET 0x200000ull   /* 2 MiB aligned, as the protocol asks */
#define DTB_OFFSET 0x0ull               /* DTB at the start of RAM, below the kernel */
#define INITRD_MIN_OFFSET 0x08000000ull /* initrd at +128 MiB when it fits */

static bool load_linux(Machine *m, const char *path, const uint8_t *d, size_t len, uint64_t *entry)
{
    Arm64ImageHeader h;
    memcpy(&h, d, sizeof(h));
    if (h.flags & 1) {
        fprintf(stderr, "flotilla: '%s': big-endian kernels are not supported\n", path);
        return false;
    }
    uint64_t image_size = h.image_size ? h.image_size : len;
    if (image_size < len)
        image_size = len;
    uint64_t kbase = m->pm.ram_base + LINUX_LOAD_OFFSET + h.text_offset;
    if (!phys_ram_ptr(&m->pm, kbase, image_size)) {
        fprintf(stderr, "flotilla: '%s': kernel (%llu bytes) does not fit in guest RAM\n", path,
                (unsigned long long)image_size);
        return false;
    }
    phys_write(m, kbase, d, len);

    uint64_t initrd_start = 0, initrd_end = 0;
    if (m->opt.initrd) {
        uint8_t *rd;
        size_t rdlen;
        if (!read_file(m->opt.initrd, &rd, &rdlen))
            return false;
        uint64_t kend = (kbase + image_size + 0x1fffff) & ~0x1fffffull;
        initrd_start = m->pm.ram_base + INITRD_MIN_OFFSET;
        if (initrd_start < kend)
            initrd_start = kend;
        if (!phys_ram_ptr(&m->pm, initrd_start, rdlen)) {
            fprintf(stderr, "flotilla: initrd '%s' (%zu bytes) does not fit in guest RAM\n", m->opt.initrd, rdlen);
            free(rd);
            return false;
        }
        phys_write(m, initrd_start, rd, rdlen);
        initrd_end = initrd_start + rdlen;
        free(rd);
    }
    size_t dtb_size;
    void *dtb = fdt_build(m, initrd_start, initrd_end, &dtb_size);
    if (!dtb)
        return false;
    uint64_t dtb_pa = m->pm.ram_base + DTB_OFFSET;
    phys_write(m, dtb_pa, dtb, dtb_size);
    free(dtb);
    /* Booting protocol: x0 = DTB, x1..x3 = 0, MMU off, interrupts masked. */
    m->cpus[0]->x[0] = dtb_pa;
    *entry = kbase;
    m->linux_boot = true;
    return true;
}

bool load_kernel(Machine *m, const char *path, uint64_t *entry)
{
    uint8_t *d;
    size_t len;
    if (!read_file(path, &d, &len))
        return false;
    bool ok;
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        /* gzip: only a compressed arm64 Image makes sense here */
        uint8_t *u;
        size_t ulen;
        if (!gunzip(path, d, len, &u, &ulen)) {
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
        ok = load_elf(m, path, d, len, entry);
    } else if (len >= 64 && memcmp(d + 56, "ARM\x64", 4) == 0) {
        ok = load_linux(m, path, d, len, entry);
    } else if (len >= 0x28 && d[0x24] == 0x18 && d[0x25] == 0x28 && d[0x26] == 0x6f && d[0x27] == 0x01) {
        /* The 32-bit zImage magic 0x016f2818 at 0x24 ("ARMd" is the arm64 magic itself). */
        fprintf(stderr, "flotilla: '%s' is a 32-bit Arm kernel; only AArch64 is supported\n", path);
        ok = false;
    } else {
        ok = phys_ram_ptr(&m->pm, RAW_LOAD_ADDR, len) != NULL;
        if (!ok)
            fprintf(stderr, "flotilla: raw kernel '%s' (%zu bytes) does not fit in guest RAM\n", path, len);
        else {
            phys_write(m, RAW_LOAD_ADDR, d, len);
            *entry = RAW_LOAD_ADDR;
        }
    }
    free(d);
    return ok;
}
