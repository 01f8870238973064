/* Shared by the fuzz targets: the input handed to flotilla as a file (a
 * memfd, seen through /proc/self/fd, so the real open/fstat/read path
 * runs). The targets' own messages (one line per rejected input) are
 * hidden by libFuzzer's -close_fd_mask=2 (scripts/fuzz.sh) or by
 * standalone_main.c, which keep sanitizer reports visible. */
#ifndef FLOTILLA_FUZZ_COMMON_H
#define FLOTILLA_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Write data into a fresh memfd; its path in *path (a /proc/self/fd name).
 * Returns the fd (the caller closes it), or aborts: the harness is broken. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
    int fd = memfd_create("flotilla-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    for (size_t n = 0; n < size;) {
        ssize_t w = write(fd, data + n, size - n);
        if (w <= 0)
            abort();
        n += (size_t)w;
    }
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
