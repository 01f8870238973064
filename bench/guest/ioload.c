/* Disk load for bench/io.sh, run in the guest on a raw virtio disk:
 *   ioload DEV seqwrite|seqread MIB      1 MiB O_DIRECT transfers
 *   ioload DEV randread|randwrite COUNT  4 KiB O_DIRECT at random aligned offsets
 * prints "IO <mode> <MB/s or IOPS> <unit>" timed with CLOCK_MONOTONIC
 * (writes end with fdatasync, inside the timing). Static aarch64 build. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    const char *mode = argv[2];
    long n = atol(argv[3]);
    int wr = strstr(mode, "write") != NULL;
    int fd = open(argv[1], (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
    uint64_t size = 0;
    if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) != 0) {
        perror(argv[1]);
        return 1;
    }
    void *buf;
    if (posix_memalign(&buf, 4096, 1 << 20))
        return 1;
    memset(buf, 0x5a, 1 << 20);
    uint64_t x = 88172645463325252ull;
    double t0 = now();
    if (!strncmp(mode, "seq", 3)) {
        for (long i = 0; i < n; i++) {
            ssize_t r = wr ? pwrite(fd, buf, 1 << 20, (off_t)i << 20) : pread(fd, buf, 1 << 20, (off_t)i << 20);
            if (r != 1 << 20) {
                perror("seq");
                return 1;
            }
        }
    } else {
        uint64_t blocks = size / 4096;
        for (long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            off_t off = (off_t)(x % blocks) * 4096;
            ssize_t r = wr ? pwrite(fd, buf, 4096, off) : pread(fd, buf, 4096, off);
            if (r != 4096) {
                perror("rand");
                return 1;
            }
        }
    }
    if (wr)
        fdatasync(fd);
    double dt = now() - t0;
    if (!strncmp(mode, "seq", 3))
        printf("IO %s %.1f MB/s\n", mode, n * 1.048576 / dt);
    else
        printf("IO %s %.0f IOPS\n", mode, n / dt);
    return 0;
}
