/* The console input thread and a PL011 on two threads (devices/console.c,
 * devices/chardev.h): 256 KiB written into the console's input pipe at
 * once arrive in the receive FIFO whole and in order while this thread
 * plays the guest, reading UARTDR under the device lock as MMIO dispatch
 * does, sometimes pausing so that the FIFO fills and the console thread
 * must wait for room. Also runs under ThreadSanitizer
 * (scripts/tsan-tests.sh: the name matches "thread"). */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "devices/console.h"
#include "devices/pl011.h"

#define TOTAL (256 * 1024)
#define UARTDR 0x000
#define UARTFR 0x018
#define UARTLCR_H 0x02c
#define FR_RXFE (1u << 4)

static uint8_t pattern(size_t i) { return (uint8_t)(2 + (i * 7 + i / 251) % 250); } /* never C-a */

static void *writer(void *arg)
{
    int fd = *(int *)arg;
    static uint8_t buf[TOTAL];
    for (size_t i = 0; i < TOTAL; i++)
        buf[i] = pattern(i);
    size_t off = 0;
    while (off < TOTAL) {
        ssize_t n = write(fd, buf + off, TOTAL - off);
        cr_assert_gt(n, 0);
        off += (size_t)n;
    }
    close(fd);
    return NULL;
}

static uint64_t mmio(const MMIORegion *r, uint64_t off)
{
    pthread_mutex_lock(r->lock);
    uint64_t v = r->ops->read(r->opaque, off, 4);
    pthread_mutex_unlock(r->lock);
    return v;
}

Test(console_thread, every_byte_arrives_in_order)
{
    TestMachine *tm = test_machine_new();
    PL011 *u = pl011_create(&tm->m, 0x09000000, -1, (IRQLine){0});
    cr_assert_not_null(u);
    const MMIORegion *r = phys_find_mmio(&tm->m.pm, 0x09000000);
    pthread_mutex_lock(r->lock);
    r->ops->write(r->opaque, UARTLCR_H, 0x70, 4); /* FIFOs on, 8 bits */
    pthread_mutex_unlock(r->lock);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    Console c;
    cr_assert(console_start(&c, &tm->m, p[0], -1, &u->port));
    pthread_t w;
    pthread_create(&w, NULL, writer, &p[1]);
    size_t got = 0;
    unsigned spins = 0;
    while (got < TOTAL) {
        if (mmio(r, UARTFR) & FR_RXFE) {
            cr_assert_lt(++spins, 200000000u, "input stalled at byte %zu", got);
            continue;
        }
        uint8_t b = (uint8_t)mmio(r, UARTDR);
        cr_assert_eq(b, pattern(got), "byte %zu: got 0x%02x, want 0x%02x", got, b, pattern(got));
        got++;
        if (got % 4096 == 0) /* let the FIFO fill up: the console thread must wait */
            nanosleep(&(struct timespec){.tv_nsec = 200000}, NULL);
    }
    pthread_join(w, NULL);
    console_stop(&c);
    close(p[0]);
    cr_assert(mmio(r, UARTFR) & FR_RXFE, "nothing beyond what was written");
    pl011_destroy(u);
    test_machine_free(tm);
}
