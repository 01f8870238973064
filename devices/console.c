/* Host terminal console: raw mode, input thread, Ctrl-A escape. */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../smp/machine.h"

#define CTRL_A 0x01

/* The one exception to "no mutable globals": a signal handler or atexit()
 * hook gets no context pointer, and the terminal is a process-wide resource
 * anyway. Written once by the main thread before any handler can run. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;
static int saved_fd = -1;

void console_restore_terminal(void)
{
    if (termios_saved) {
        tcsetattr(saved_fd, TCSANOW, &saved_termios);
        termios_saved = 0;
    }
}

static void fatal_signal(int sig)
{
    console_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void write_all(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void console_help(Console *c)
{
    write_all(c->out_fd, "\r\nC-a h    print this help\r\n"
                         "C-a x    exit flotilla\r\n"
                         "C-a C-a  send C-a to the guest\r\n");
}

/* Input thread: the only reader of in_fd. */
static void handle_byte(Console *c, uint8_t b)
{
    if (c->escape) {
        c->escape = false;
        switch (b) {
        case 'x':
        case 'X':
            write_all(c->out_fd, "\r\nflotilla: terminated by C-a x\r\n");
            machine_request_stop(c->machine, 0);
            return;
        case 'h':
        case 'H':
        case '?':
            console_help(c);
            return;
        case CTRL_A:
            break; /* send one C-a */
        default:
            return; /* unknown escape: ignored, as QEMU does */
        }
    } else if (b == CTRL_A) {
        c->escape = true;
        return;
    }
    if (c->rx)
        c->rx(c->rx_opaque, b);
}

static void *console_thread(void *arg)
{
    Console *c = arg;
    struct pollfd pfd[2] = {{.fd = c->in_fd, .events = POLLIN}, {.fd = c->stop_pipe[0], .events = POLLIN}};
    uint8_t buf[64];
    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[1].revents)
            break;
        if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(c->in_fd, buf, sizeof(buf));
            if (n <= 0)
                break; /* EOF on stdin: the guest simply gets no more input */
            for (ssize_t i = 0; i < n; i++)
                handle_byte(c, buf[i]);
        }
    }
    return NULL;
}

bool console_start(Console *c, Machine *m, int in_fd, int out_fd, ConsoleRxFn rx, void *opaque)
{
    memset(c, 0, sizeof(*c));
    c->machine = m;
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->rx = rx;
    c->rx_opaque = opaque;
    if (pipe(c->stop_pipe) < 0) {
        fprintf(stderr, "flotilla: console: pipe: %s\n", strerror(errno));
        return false;
    }
    if (isatty(in_fd) && tcgetattr(in_fd, &saved_termios) == 0) {
        struct termios raw = saved_termios;
        /* Like QEMU's -nographic: the guest gets every byte, Ctrl-C included. */
        cfmakeraw(&raw);
        /* cfmakeraw also clears OPOST: guests send \r\n themselves. */
        saved_fd = in_fd;
        termios_saved = 1;
        atexit(console_restore_terminal);
        signal(SIGTERM, fatal_signal);
        signal(SIGHUP, fatal_signal);
        signal(SIGSEGV, fatal_signal);
        signal(SIGBUS, fatal_signal);
        signal(SIGABRT, fatal_signal);
        if (tcsetattr(in_fd, TCSANOW, &raw) == 0)
            c->raw = true;
    }
    if (pthread_create(&c->thread, NULL, console_thread, c) != 0) {
        console_restore_terminal();
        fprintf(stderr, "flotilla: console: cannot start the input thread\n");
        return false;
    }
    c->thread_running = true;
    return true;
}

void console_stop(Console *c)
{
    if (c->thread_running) {
        if (write(c->stop_pipe[1], "", 1) < 0) {
            /* cannot happen with an open pipe; the join below would then hang, so detach */
            pthread_detach(c->thread);
        } else {
            pthread_join(c->thread, NULL);
        }
        c->thread_running = false;
        close(c->stop_pipe[0]);
        close(c->stop_pipe[1]);
    }
    if (c->raw) {
        console_restore_terminal();
        c->raw = false;
    }
}
