/* libFuzzer target: the kernel and initrd loaders (devices/loader.c) on a
 * 16 MiB machine. The first input byte picks what the rest is:
 *   even: the kernel file (ELF, arm64 Image, gzip'd Image, raw, anything)
 *   odd:  the initrd, behind a fixed minimal arm64 Image.
 * A finding is a crash, a sanitizer report, or a leak; rejected inputs are
 * the normal case. Single-threaded: libFuzzer's own thread only. */
#include "fuzz_common.h" /* first: it defines _GNU_SOURCE */

#include <string.h>

#include "cpu/cpu.h"
#include "devices/devices.h"
#include "memory/mem.h"
#include "smp/machine.h"

#define FUZZ_RAM (16ull << 20)

static Machine *machine(void)
{
    static Machine *m;
    if (m)
        return m;
    m = calloc(1, sizeof(*m));
    CPUState *cpu = aligned_alloc(64, (sizeof(CPUState) + 63) & ~(size_t)63);
    if (!m || !cpu || !physmap_init(&m->pm, RAM_BASE, FUZZ_RAM))
        abort();
    memset(cpu, 0, sizeof(*cpu));
    cpu->machine = m;
    cpu->mpidr = 1ull << 31;
    cpu_reset(cpu, RAM_BASE);
    pthread_mutex_init(&m->log_lock, NULL);
    m->log = stderr;
    m->opt.smp = 1;
    m->opt.ram_size = FUZZ_RAM;
    m->ncpus = 1;
    m->cpus = calloc(1, sizeof(CPUState *));
    if (!m->cpus)
        abort();
    m->cpus[0] = cpu;
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    Machine *m = machine();
    char path[64], kpath[64];
    uint64_t entry;
    m->linux_boot = false;
    if (data[0] & 1) {
        uint8_t image[256] = {0};
        memcpy(image + 56, "ARM\x64", 4);
        int kfd = fuzz_file(image, sizeof(image), kpath, sizeof(kpath));
        int fd = fuzz_file(data + 1, size - 1, path, sizeof(path));
        m->opt.initrd = path;
        m->opt.append = "console=ttyAMA0";
        load_kernel(m, kpath, &entry);
        m->opt.initrd = NULL;
        m->opt.append = NULL;
        close(fd);
        close(kfd);
    } else {
        int fd = fuzz_file(data + 1, size - 1, path, sizeof(path));
        load_kernel(m, path, &entry);
        close(fd);
    }
    return 0;
}
