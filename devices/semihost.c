/* Arm semihosting over HLT #0xF000 (enabled with -semihosting):
 * SYS_WRITEC, SYS_WRITE0, SYS_WRITE, SYS_EXIT and SYS_EXIT_EXTENDED.
 * Owner vCPU thread only: it reads guest memory through the core's MMU. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "../cpu/translate.h"
#include "../smp/machine.h"

enum {
    SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_Stopped_ApplicationExit 0x20026

static bool rd(CPUState *cpu, uint64_t va, int size, uint64_t *v)
{
    return mem_load(cpu, va, size, 0, v);
}

/* Owner vCPU. A closed output (flotilla | head; SIGPIPE is ignored, see
 * devices/console.c) stops the machine cleanly, as the PL011 does. */
static void out_bytes(Machine *m, const char *buf, size_t n)
{
    fflush(stdout);
    if (write(STDOUT_FILENO, buf, n) < 0 && errno == EPIPE)
        machine_request_stop(m, 0);
}

uint64_t helper_semihost(CPUState *cpu, uint64_t a, uint64_t b, uint64_t c, uint64_t imm)
{
    (void)a, (void)b, (void)c, (void)imm;
    Machine *m = cpu->machine;
    uint64_t op = cpu->x[0] & 0xffffffff, arg = cpu->x[1], v;
    switch (op) {
    case SYS_WRITEC:
        if (!rd(cpu, arg, 1, &v))
            return cpu->x[0];
        out_bytes(m, (char[]){(char)v}, 1);
        return cpu->x[0];
    case SYS_WRITE0: {
        char buf[256];
        size_t n = 0;
        for (uint64_t p = arg;; p++) {
            if (!rd(cpu, p, 1, &v))
                return cpu->x[0];
            if (v == 0)
                break;
            buf[n++] = (char)v;
            if (n == sizeof(buf)) {
                out_bytes(m, buf, n);
                n = 0;
            }
        }
        out_bytes(m, buf, n);
        return cpu->x[0];
    }
    case SYS_WRITE: {
        uint64_t fd, buf, len;
        if (!rd(cpu, arg, 8, &fd) || !rd(cpu, arg + 8, 8, &buf) || !rd(cpu, arg + 16, 8, &len))
            return cpu->x[0];
        char tmp[256];
        size_t n = 0;
        for (uint64_t i = 0; i < len; i++) {
            if (!rd(cpu, buf + i, 1, &v))
                return cpu->x[0];
            tmp[n++] = (char)v;
            if (n == sizeof(tmp)) {
                out_bytes(m, tmp, n);
                n = 0;
            }
        }
        (void)fd; /* stdout and stderr both go to the host's stdout */
        out_bytes(m, tmp, n);
        return 0; /* bytes not written */
    }
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED: {
        uint64_t reason, sub = 0;
        if (!rd(cpu, arg, 8, &reason) || !rd(cpu, arg + 8, 8, &sub))
            return cpu->x[0];
        int status = reason == ADP_Stopped_ApplicationExit ? (int)(sub & 0xff) : 1;
        if (machine_tracing(m, TRACE_INT))
            machine_log(m, "cpu%d: semihosting exit reason=0x%" PRIx64 " status=%d\n", cpu->index, reason, status);
        machine_request_stop(m, status);
        return 0;
    }
    default:
        machine_log_unimp(cpu, cpu->pc, 0, "semihosting operation");
        return (uint64_t)-1;
    }
}
