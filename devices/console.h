/* The host terminal as the guest's console: raw mode while the machine runs
 * (restored at exit and by every terminating signal), an input thread that
 * feeds received bytes to a device through a CharPort with back-pressure
 * (devices/chardev.h: no byte is lost, the input is read only as fast as the
 * guest takes it), and a QEMU-like escape: Ctrl-A x quits, Ctrl-A h prints
 * help, Ctrl-A Ctrl-A sends one Ctrl-A to the guest.
 *
 * Thread rules: console_start/console_stop from the main thread only. The
 * port's recv runs on the console's own input thread. */
#ifndef FLOTILLA_CONSOLE_H
#define FLOTILLA_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "chardev.h"

struct Machine;

/* Bytes read from the terminal but not yet taken by the device. Reading
 * stops while it is full; Ctrl-A escapes are seen when read, so C-a x works
 * while the guest does not read its UART unless this much is held back. */
#define CONSOLE_PEND 4096

typedef struct Console {
    struct Machine *machine;
    int in_fd, out_fd;
    bool raw;             /* the terminal was switched to raw mode */
    bool escape;          /* the previous byte was the Ctrl-A escape */
    CharPort *port;       /* the device fed (NULL: input discarded) */
    int wake_fd;          /* eventfd: the device has room again */
    uint8_t pend[CONSOLE_PEND];
    size_t pend_pos, pend_len; /* pend[pos..len) waits for the device */
    pthread_t thread;
    bool thread_running;
    int stop_pipe[2];     /* wakes the input thread at console_stop */
} Console;

/* Main thread, before the vCPU threads start. Starts reading in_fd (raw
 * mode if it is a terminal) into port; installs the terminal-restoring
 * atexit hook and signal handlers (once per process) and ignores SIGPIPE. */
bool console_start(Console *c, struct Machine *m, int in_fd, int out_fd, CharPort *port);
/* Main thread, after the vCPU threads joined. Stops the input thread and
 * restores the terminal. Idempotent. */
void console_stop(Console *c);
/* Any thread, also from a signal handler: put the terminal back as it was. */
void console_restore_terminal(void);

#endif
