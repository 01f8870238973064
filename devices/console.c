/* Host terminal console: raw mode, input thread with back-pressure, Ctrl-A
 * escape, and the terminal restored on every exit path. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include "../smp/machine.h"

#define CTRL_A 0x01

/* The one exception to "no mutable globals": a signal handler or atexit()
 * hook gets no context pointer, and the terminal is a process-wide resource
 * anyway. Written by the main thread before any handler can run. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;
static int saved_fd = -1;
static bool hooks_installed;

/* Every signal whose default action ends the process (POSIX "T" and "A"
 * actions, plus the Linux ones): each must put the terminal back first. */
static const int terminating_signals[] = {
    SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ,
    SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGSTKFLT, SIGPWR,
};

/* Any thread, also from a signal handler (tcsetattr is async-signal-safe). */
void console_restore_terminal(void)
{
    if (termios_saved) {
        tcsetattr(saved_fd, TCSANOW, &saved_termios);
        termios_saved = 0;
    }
}

/* Signal handler: restore the terminal, then die of the same signal with its
 * default action, so the exit status still says which signal it was. */
static void fatal_signal(int sig)
{
    console_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig); /* blocked until we return: then delivered with SIG_DFL */
}

/* Main thread, before the terminal is switched: the atexit hook and the
 * handlers, once per process (a PSCI reboot starts the console again).
 * SIGPIPE is ignored for good: a closed console output shows as EPIPE, and
 * the PL011 stops the machine cleanly (pl011.c). */
static void install_hooks(void)
{
    if (hooks_installed)
        return;
    hooks_installed = true;
    atexit(console_restore_terminal);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(terminating_signals) / sizeof(terminating_signals[0]); i++) {
        struct sigaction old;
        /* A signal ignored by whoever started us (nohup) stays ignored, and
         * a handler already there (a sanitizer's SEGV report) is kept. */
        if (sigaction(terminating_signals[i], NULL, &old) == 0 &&
            (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)))
            continue;
        sigaction(terminating_signals[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
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

/* Input thread: one byte read from in_fd. Bytes for the guest go to the
 * pending buffer (the caller guarantees room for one). */
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
    c->pend[c->pend_len++] = b;
}

/* Input thread: offer the pending bytes to the device; what it does not
 * take stays for when it wakes us (chardev.h). */
static void deliver(Console *c)
{
    if (c->pend_pos < c->pend_len && c->port)
        c->pend_pos += c->port->recv(c->port->dev, c->pend + c->pend_pos, c->pend_len - c->pend_pos);
    else if (!c->port)
        c->pend_pos = c->pend_len; /* no device: input is discarded */
    if (c->pend_pos == c->pend_len)
        c->pend_pos = c->pend_len = 0;
}

/* Input thread: in_fd is read only while the pending buffer has room, so a
 * guest that does not drain its FIFO holds the host's input back (in the
 * pipe or terminal) instead of losing it. Escapes are seen as soon as the
 * bytes are read. */
static void *console_thread(void *arg)
{
    pthread_setname_np(pthread_self(), "console"); /* for top -H, perf, gdb */
    Console *c = arg;
    bool eof = false;
    for (;;) {
        deliver(c);
        if (eof && c->pend_len == 0)
            break; /* EOF on stdin: the guest simply gets no more input */
        if (c->pend_pos > 0 && c->pend_len == sizeof(c->pend)) {
            memmove(c->pend, c->pend + c->pend_pos, c->pend_len - c->pend_pos);
            c->pend_len -= c->pend_pos;
            c->pend_pos = 0;
        }
        struct pollfd pfd[3] = {{.fd = c->stop_pipe[0], .events = POLLIN}};
        int n = 1, in_i = -1, wake_i = -1;
        if (!eof && c->pend_len < sizeof(c->pend)) {
            in_i = n;
            pfd[n++] = (struct pollfd){.fd = c->in_fd, .events = POLLIN};
        }
        if (c->pend_len) {
            wake_i = n;
            pfd[n++] = (struct pollfd){.fd = c->wake_fd, .events = POLLIN};
        }
        if (poll(pfd, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[0].revents)
            break;
        if (wake_i >= 0 && pfd[wake_i].revents) {
            uint64_t cnt;
            if (read(c->wake_fd, &cnt, sizeof(cnt)) < 0) {
                /* nothing to drain (EAGAIN): deliver again anyway */
            }
        }
        if (in_i >= 0 && (pfd[in_i].revents & POLLNVAL)) {
            eof = true; /* stdin closed (flotilla <&-): no input, and no busy loop */
            continue;
        }
        if (in_i >= 0 && (pfd[in_i].revents & (POLLIN | POLLHUP | POLLERR))) {
            uint8_t buf[256];
            size_t room = sizeof(c->pend) - c->pend_len;
            ssize_t got = read(c->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
            if (got < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (got <= 0) {
                eof = true;
                continue;
            }
            for (ssize_t i = 0; i < got; i++)
                handle_byte(c, buf[i]);
        }
    }
    return NULL;
}

bool console_start(Console *c, Machine *m, int in_fd, int out_fd, CharPort *port)
{
    memset(c, 0, sizeof(*c));
    c->machine = m;
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->port = port;
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->wake_fd < 0 || pipe(c->stop_pipe) < 0) {
        fprintf(stderr, "flotilla: console: %s\n", strerror(errno));
        if (c->wake_fd >= 0)
            close(c->wake_fd);
        return false;
    }
    if (port) {
        port->waiting = false;
        port->wake_fd = c->wake_fd; /* before any vCPU thread exists */
    }
    install_hooks();
    if (isatty(in_fd) && tcgetattr(in_fd, &saved_termios) == 0) {
        struct termios raw = saved_termios;
        /* Like QEMU's -nographic: the guest gets every byte, Ctrl-C included. */
        cfmakeraw(&raw);
        /* cfmakeraw also clears OPOST: guests send \r\n themselves. */
        saved_fd = in_fd;
        termios_saved = 1;
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
        if (c->port)
            c->port->wake_fd = -1; /* the vCPU threads are gone: nobody reads it */
        close(c->wake_fd);
    }
    if (c->raw) {
        console_restore_terminal();
        c->raw = false;
    }
}
