/* Kernel loaders: ELF64 (AArch64) and raw binaries. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../smp/machine.h"
#include "devices.h"

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
    if (eh->e_phoff == 0 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len) {
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

bool load_kernel(Machine *m, const char *path, uint64_t *entry)
{
    uint8_t *d;
    size_t len;
    if (!read_file(path, &d, &len))
        return false;
    bool ok;
    if (len == 0) {
        fprintf(stderr, "flotilla: kernel '%s' is empty\n", path);
        ok = false;
    } else if (len >= 4 && memcmp(d, ELFMAG, SELFMAG) == 0) {
        ok = load_elf(m, path, d, len, entry);
    } else if (len >= 64 && memcmp(d + 56, "ARM\x64", 4) == 0) {
        fprintf(stderr, "flotilla: '%s' is an arm64 Linux Image; the Image loader is not implemented yet\n", path);
        ok = false;
    } else if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        fprintf(stderr, "flotilla: '%s' is gzip-compressed; compressed kernels are not supported yet\n", path);
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
