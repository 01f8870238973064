/* PL011 UART device. */
#ifndef FLOTILLA_PL011_H
#define FLOTILLA_PL011_H

#include <pthread.h>
#include <stdint.h>

struct Machine;

typedef struct PL011 {
    pthread_mutex_t lock;
    int out_fd;
    uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc;
} PL011;

/* Main thread, at start-up. */
PL011 *pl011_create(struct Machine *m, uint64_t base, int out_fd);
void pl011_destroy(PL011 *u);

#endif
