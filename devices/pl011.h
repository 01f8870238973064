/* PL011 UART device: TX to a host fd, a 32-byte RX FIFO fed by the console
 * input thread, the interrupt status registers and one interrupt output.
 * Thread rules: MMIO callbacks run on vCPU threads under u->lock;
 * pl011_receive runs on the console thread and takes u->lock itself. */
#ifndef FLOTILLA_PL011_H
#define FLOTILLA_PL011_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "irq.h"

struct Machine;

#define PL011_FIFO 32

typedef struct PL011 {
    pthread_mutex_t lock;
    int out_fd;
    uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, ris;
    uint8_t rx[PL011_FIFO];
    unsigned rx_head, rx_count;
    IRQLine irq;        /* interrupt output (unwired: handler NULL) */
    bool irq_level;
} PL011;

/* Main thread, at start-up. */
PL011 *pl011_create(struct Machine *m, uint64_t base, int out_fd, IRQLine irq);
void pl011_destroy(PL011 *u);
/* Any non-vCPU thread (console input): queue one received byte. Returns false
 * if the FIFO is full (the byte is dropped, as on the real UART). */
bool pl011_receive(PL011 *u, uint8_t byte);
/* Console callback shape (devices/console.h). */
void pl011_console_rx(void *opaque, uint8_t byte);

#endif
