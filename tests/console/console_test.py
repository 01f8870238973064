#!/usr/bin/env python3
"""Terminal tests of flotilla's console (issue 11 item 4).

    console_test.py --flotilla BIN --guests DIR signals
    console_test.py --flotilla BIN --guests DIR epipe

signals: for every signal that terminates a process, flotilla runs an idle
guest on a pseudo-terminal (which it switches to raw mode), gets the signal,
and must die of it (SIGPIPE: it is ignored, so flotilla keeps running) with
`stty -g` of the terminal the same before and after.
epipe: `flotilla | head -2` with stdin a pseudo-terminal: once the reader is
gone flotilla must exit with status 0 and the terminal must be restored.
"""
import argparse
import os
import pty
import resource
import signal
import subprocess
import sys
import termios
import time

SIGNALS = ["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM",
           "SIGPROF", "SIGXCPU", "SIGXFSZ", "SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL",
           "SIGTRAP", "SIGSYS", "SIGPIPE"]


def stty_g(fd):
    return subprocess.run(["stty", "-g"], stdin=fd, stdout=subprocess.PIPE, check=True).stdout.strip()


# Under AddressSanitizer (scripts/asan-tests.sh) its own handlers take
# SEGV, BUS and FPE, and flotilla rightly leaves installed handlers alone:
# hand those signals back so that flotilla's restore path is what is tested.
os.environ["ASAN_OPTIONS"] = ":".join(
    x for x in [os.environ.get("ASAN_OPTIONS", ""), "handle_segv=0:handle_sigbus=0:handle_sigfpe=0"] if x)


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # crash signals must not leave core files
    os.setsid()


def wait_raw(slave, p, timeout=30):
    """Waits until flotilla has switched the terminal to raw mode."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        if not termios.tcgetattr(slave)[3] & termios.ICANON:
            return True
        time.sleep(0.02)
    return False


def wait_exit(p, master, timeout=30):
    deadline = time.monotonic() + timeout
    while p.poll() is None and time.monotonic() < deadline:
        try:
            os.read(master, 65536) if os.get_blocking(master) is False else None
        except (BlockingIOError, OSError):
            pass
        time.sleep(0.02)
    if p.poll() is None:
        p.kill()
        p.wait()
        return None
    return p.returncode


def run_signal(args, name):
    sig = getattr(signal, name)
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    before = stty_g(slave)
    cmd = [args.flotilla, "-kernel", os.path.join(args.guests, "spin.elf")]
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=no_core)
    problems = []
    try:
        if not wait_raw(slave, p):
            return ["%s: the terminal never went raw (flotilla status %s)" % (name, p.poll())]
        p.send_signal(sig)
        if sig == signal.SIGPIPE:
            time.sleep(0.5)
            if p.poll() is not None:
                problems.append("SIGPIPE ended flotilla (status %s); it must be ignored" % p.returncode)
            p.send_signal(signal.SIGTERM)
            sig = signal.SIGTERM
        status = wait_exit(p, master)
        if status != -sig:
            problems.append("%s: exit status %s, expected death by %s" % (name, status, signal.Signals(sig).name))
        after = stty_g(slave)
        if after != before:
            problems.append("%s: stty -g before %s, after %s" % (name, before.decode(), after.decode()))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        os.close(slave)
    print("  %-10s %s" % (name, "ok" if not problems else "FAIL"), flush=True)
    return problems


def cmd_signals(args):
    problems = []
    for name in SIGNALS:
        if hasattr(signal, name):
            problems += run_signal(args, name)
    return problems


def cmd_epipe(args):
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    before = stty_g(slave)
    cmd = [args.flotilla, "-kernel", os.path.join(args.guests, "yes.elf")]
    p = subprocess.Popen(cmd, stdin=slave, stdout=subprocess.PIPE, stderr=slave, preexec_fn=no_core)
    problems = []
    try:
        lines = [p.stdout.readline(), p.stdout.readline()]  # what head -2 does
        if lines != [b"y\n", b"y\n"]:
            problems.append("the guest's first lines were %r" % lines)
        p.stdout.close()
        status = wait_exit(p, master)
        print("  flotilla | head -2: exit status %s" % status)
        if status != 0:
            problems.append("after its reader went away flotilla exited with %s (expected 0)" % status)
        after = stty_g(slave)
        if after != before:
            problems.append("stty -g before %s, after %s" % (before.decode(), after.decode()))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        os.close(slave)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--guests", required=True, help="directory with spin.elf and yes.elf")
    ap.add_argument("cmd", choices=("signals", "epipe"))
    args = ap.parse_args()
    problems = {"signals": cmd_signals, "epipe": cmd_epipe}[args.cmd](args)
    if problems:
        for pr in problems:
            print("FAIL: " + pr)
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
