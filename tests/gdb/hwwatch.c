/* Linux guest program for gdb.linux_smp4 (tests/gdb/gdb_test.py): the
 * kernel's own use of the Arm debug exceptions through ptrace. A traced
 * child stores to `var` twice and calls `target_fn`; the parent sets
 *   - a hardware watchpoint on `var` (NT_ARM_HW_WATCH, stores, 8 bytes):
 *     a SIGTRAP with si_code TRAP_HWBKPT and si_addr = &var before each
 *     store, stepped over with PTRACE_SINGLESTEP (MDSCR_EL1.SS) with the
 *     watchpoint removed, as a debugger does,
 *   - a hardware breakpoint on `target_fn` (NT_ARM_HW_BREAK): a SIGTRAP
 *     with pc = target_fn,
 *   - PTRACE_SINGLESTEP: the pc advances one instruction.
 * It checks the debug-register counts the kernel read from ID_AA64DFR0
 * (6 breakpoints, 4 watchpoints) and prints "CHK hwwatch ok" or what
 * failed. Static glibc, built with aarch64-linux-gnu-gcc. */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TRAP_HWBKPT
#define TRAP_HWBKPT 4
#endif

struct hwdebug {
    uint32_t dbg_info;
    uint32_t pad;
    struct {
        uint64_t addr;
        uint32_t ctrl;
        uint32_t pad;
    } regs[16];
};

volatile uint64_t var;

__attribute__((noinline)) void target_fn(void) { __asm__ volatile("nop"); }

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("hwwatch: FAIL %s (errno %d)\n", what, errno);
        failures++;
    }
}

static int wait_trap(pid_t pid, siginfo_t *si)
{
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
        return 0;
    if (WSTOPSIG(st) != SIGTRAP)
        return 0;
    return ptrace(PTRACE_GETSIGINFO, pid, 0, si) == 0;
}

static uint64_t get_pc(pid_t pid)
{
    struct user_regs_struct r;
    struct iovec iov = {&r, sizeof(r)};
    if (ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov) != 0)
        return 0;
    return r.pc;
}

static int set_debug(pid_t pid, int kind, uint64_t addr, uint32_t ctrl)
{
    struct hwdebug d;
    memset(&d, 0, sizeof(d));
    d.regs[0].addr = addr;
    d.regs[0].ctrl = ctrl;
    struct iovec iov = {&d, offsetof(struct hwdebug, regs) + sizeof(d.regs[0])};
    return ptrace(PTRACE_SETREGSET, pid, kind, &iov) == 0;
}

static int count_of(pid_t pid, int kind)
{
    struct hwdebug d;
    struct iovec iov = {&d, sizeof(d)};
    if (ptrace(PTRACE_GETREGSET, pid, kind, &iov) != 0)
        return -1;
    return (int)(d.dbg_info & 0xff);
}

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        var = 1;
        var = 2;
        target_fn();
        _exit(var == 2 ? 0 : 1);
    }
    int st;
    check(waitpid(pid, &st, 0) == pid && WIFSTOPPED(st), "child stopped");
    check(count_of(pid, NT_ARM_HW_BREAK) == 6, "6 hardware breakpoints");
    check(count_of(pid, NT_ARM_HW_WATCH) == 4, "4 watchpoints");
    /* ctrl: enable | EL0 (2 << 1) | stores (2 << 3) | 8 bytes (0xff << 5) */
    check(set_debug(pid, NT_ARM_HW_WATCH, (uint64_t)(uintptr_t)&var, 1 | 2 << 1 | 2 << 3 | 0xff << 5),
          "set the watchpoint");
    /* breakpoint ctrl: enable | EL0 | execute (0 << 3) | 4 bytes (0xf << 5) */
    check(set_debug(pid, NT_ARM_HW_BREAK, (uint64_t)(uintptr_t)target_fn, 1 | 2 << 1 | 0xf << 5),
          "set the breakpoint");
    /* ptrace's watchpoints stop before the store; as a debugger does, step
     * over it with the watchpoint removed, then put it back. */
    uint64_t store_pc[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        siginfo_t si;
        check(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "continue");
        check(wait_trap(pid, &si), "watchpoint SIGTRAP");
        check(si.si_code == TRAP_HWBKPT, "watchpoint si_code TRAP_HWBKPT");
        check(si.si_addr == (void *)&var, "watchpoint si_addr = &var");
        store_pc[i] = get_pc(pid);
        check(set_debug(pid, NT_ARM_HW_WATCH, 0, 0), "remove the watchpoint");
        check(ptrace(PTRACE_SINGLESTEP, pid, 0, 0) == 0, "step over the store");
        check(wait_trap(pid, &si), "single-step SIGTRAP");
        check(get_pc(pid) == store_pc[i] + 4, "the step ends after the store");
        check(set_debug(pid, NT_ARM_HW_WATCH, (uint64_t)(uintptr_t)&var, 1 | 2 << 1 | 2 << 3 | 0xff << 5),
              "put the watchpoint back");
    }
    check(store_pc[1] == store_pc[0] + 4, "the two stores are consecutive instructions");
    siginfo_t si;
    check(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "continue");
    check(wait_trap(pid, &si), "breakpoint SIGTRAP");
    uint64_t pc = get_pc(pid);
    check(pc == (uint64_t)(uintptr_t)target_fn, "breakpoint pc = target_fn");
    check(set_debug(pid, NT_ARM_HW_BREAK, 0, 0), "clear the breakpoint");
    check(set_debug(pid, NT_ARM_HW_WATCH, 0, 0), "clear the watchpoint");
    check(ptrace(PTRACE_SINGLESTEP, pid, 0, 0) == 0, "single step");
    check(wait_trap(pid, &si), "single-step SIGTRAP");
    check(get_pc(pid) == pc + 4, "single step advances one instruction");
    check(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "continue to exit");
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exits 0");
    if (!failures)
        printf("CHK hwwatch ok\n");
    else
        printf("CHK hwwatch failed %d\n", failures);
    return failures != 0;
}
