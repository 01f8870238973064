/* -perfmap: name the JIT's code for perf. perf resolves samples in
 * anonymous executable memory through /tmp/perf-<pid>.map, one line
 * "START SIZE NAME" (hex) per symbol, read when `perf report` runs. Each
 * compiled block gets a line "flotilla:<guest pc>:el<N>" (docs/jit.md,
 * "Profiling"). The file handle and its lock live in the Machine. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine.h"

bool perfmap_open(Machine *m)
{
    if (!m->opt.perfmap)
        return true;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/perf-%ld.map", (long)getpid());
    /* Truncate: a stale map of an earlier process with this pid, or of the
     * machine before a guest reboot (its code is freed), names nothing. */
    m->perfmap = fopen(path, "w");
    if (!m->perfmap) {
        fprintf(stderr, "flotilla: -perfmap: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    pthread_mutex_init(&m->perfmap_lock, NULL);
    return true;
}

void perfmap_close(Machine *m)
{
    if (!m->perfmap)
        return;
    if (fclose(m->perfmap) != 0)
        fprintf(stderr, "flotilla: -perfmap: error writing the perf map\n");
    m->perfmap = NULL;
    pthread_mutex_destroy(&m->perfmap_lock);
}

void perfmap_add(Machine *m, const void *code, size_t len, uint64_t pc, uint32_t tb_flags)
{
    if (!m || !m->perfmap)
        return;
    pthread_mutex_lock(&m->perfmap_lock);
    fprintf(m->perfmap, "%llx %zx flotilla:%llx:el%u\n", (unsigned long long)(uintptr_t)code, len,
            (unsigned long long)pc, tb_flags & TBF_EL_MASK);
    /* Flushed at most every 100 ms (and when stdio's buffer fills): a run
     * killed by a signal loses at most that much of its map. A flush per
     * line was a write(2) per block, 3.5% of a profiled boot's samples on
     * the compile worker, distorting the profile it was for. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    if (ns - m->perfmap_flushed_ns >= 100000000) {
        fflush(m->perfmap);
        m->perfmap_flushed_ns = ns;
    }
    pthread_mutex_unlock(&m->perfmap_lock);
}
