/* PL011 UART device: TX to a host fd, a 32-byte RX FIFO fed by a character
 * backend through u->port (devices/chardev.h: the backend waits while the
 * FIFO is full), the interrupt status registers and one interrupt output.
 * Thread rules: MMIO callbacks run on vCPU threads under u->lock;
 * pl011_receive and u->port.recv run on the backend's thread and take
 * u->lock themselves. */
#ifndef FLOTILLA_PL011_H
#define FLOTILLA_PL011_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "chardev.h"
#include "irq.h"

struct Machine;

#define PL011_FIFO 32

typedef struct PL011 {
    pthread_mutex_t lock;
    struct Machine *machine; /* stopped when the console output is a broken pipe */
    int out_fd;
    CharPort port;           /* receive side, for a character backend */
    uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris;
    uint8_t rx[PL011_FIFO];
    unsigned rx_head, rx_count;
    uint32_t fr;        /* UARTFR as read: written under the lock, read without it (atomics) */
    IRQLine irq;        /* interrupt output (unwired: handler NULL) */
    bool irq_level;
} PL011;

/* Main thread, at start-up. */
PL011 *pl011_create(struct Machine *m, uint64_t base, int out_fd, IRQLine irq);
void pl011_destroy(PL011 *u);
/* Any non-vCPU thread (a backend or a test): queue one received byte.
 * Returns false if the FIFO is full (the byte is not taken; the port then
 * waits for room, see chardev.h). */
bool pl011_receive(PL011 *u, uint8_t byte);

#endif
