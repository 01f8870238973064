/* The input side of a character device, with back-pressure.
 *
 * A backend (the host end: the terminal today, a socket or a file later)
 * offers bytes to a frontend (the device model: the PL011 today, a
 * virtio-console later) through a CharPort. The frontend takes what fits in
 * its buffer and says how much it took; if it took less than offered, it
 * remembers that the backend waits and wakes it when the guest makes room.
 * The backend stops reading its host fd while it holds bytes nobody took, so
 * no byte is dropped at any input speed and no buffer grows with the input.
 *
 * Thread rules: recv runs on the backend's thread and takes the frontend's
 * lock itself. charport_stall / charport_room are called by the frontend
 * with its own lock held, from any thread (vCPU threads when the guest reads
 * a data register). wake_fd is set by the backend before any thread can use
 * the port and cleared after they are gone. */
#ifndef FLOTILLA_CHARDEV_H
#define FLOTILLA_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CharPort {
    /* Frontend: take up to n bytes, return how many were taken (0..n). Must
     * not block. A short count must go with charport_stall (under the same
     * lock hold), so that the wake-up cannot be missed. */
    size_t (*recv)(void *dev, const uint8_t *buf, size_t n);
    void *dev;
    int wake_fd;  /* the backend's eventfd, -1 while no backend is attached */
    bool waiting; /* under the frontend's lock: the backend waits for room */
} CharPort;

/* Frontend, lock held, any thread: the backend was refused bytes. */
static inline void charport_stall(CharPort *p) { p->waiting = true; }

/* Frontend, lock held, any thread: there is room again; wakes a waiting
 * backend (one eventfd write, only when it waits). */
void charport_room(CharPort *p);

#endif
