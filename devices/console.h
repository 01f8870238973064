/* The host terminal as the guest's console: raw mode while the machine runs
 * (restored on every exit path), an input thread that feeds received bytes to
 * a device, and a QEMU-like escape: Ctrl-A x quits, Ctrl-A h prints help,
 * Ctrl-A Ctrl-A sends one Ctrl-A to the guest.
 *
 * Thread rules: console_start/console_stop from the main thread only. The
 * receive callback runs on the console's own input thread. */
#ifndef FLOTILLA_CONSOLE_H
#define FLOTILLA_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct Machine;

/* Called on the input thread for every byte meant for the guest. */
typedef void (*ConsoleRxFn)(void *opaque, uint8_t byte);

typedef struct Console {
    struct Machine *machine;
    int in_fd, out_fd;
    bool raw;             /* the terminal was switched to raw mode */
    bool escape;          /* the previous byte was the Ctrl-A escape */
    ConsoleRxFn rx;
    void *rx_opaque;
    pthread_t thread;
    bool thread_running;
    int stop_pipe[2];     /* wakes the input thread at console_stop */
} Console;

/* Main thread. Starts reading in_fd (raw mode if it is a terminal). */
bool console_start(Console *c, struct Machine *m, int in_fd, int out_fd, ConsoleRxFn rx, void *opaque);
/* Main thread. Stops the input thread and restores the terminal. Idempotent. */
void console_stop(Console *c);
/* Any thread, also from a signal handler: put the terminal back as it was. */
void console_restore_terminal(void);

#endif
