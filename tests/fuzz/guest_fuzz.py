#!/usr/bin/env python3
"""Runner of the guest-side fuzzer (fuzz_guest.S/.c, docs/guest-fuzz.md).

    guest_fuzz.py --flotilla BIN --elf fuzz_guest.elf [--seconds T] [--seed S]
                  [--rounds N] [--tier interp|jit|both] [--smp N] [--regressions FILE]

Patches the seed and the number of rounds into a copy of the guest ELF and
runs it on flotilla (-semihosting -max-insns), seed after seed, until T
seconds are spent; the seeds of --regressions FILE run first, always. A run
passes when flotilla exits with 0 (the guest finished: FUZZ-DONE) or 3
(-max-insns: the guest ran but did not finish, which is its own business)
within the time limit. Anything else (a signal, another status, a hang) is
a failure: its seed and the replay command are printed; keep the seed in
tests/fuzz/regressions.txt. Exit status 0 if no run failed.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time

RUN_TIMEOUT = 120          # seconds: far above a normal run (1-4 s, 10-20 s on a loaded host)
MAX_INSNS = 200_000_000


def symbol(elf, name):
    """Address of a symbol, from the ELF64 symbol table."""
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3a)
    for i in range(shnum):
        sh_type, = struct.unpack_from("<I", elf, shoff + i * shentsize + 4)
        if sh_type != 2:  # SHT_SYMTAB
            continue
        off, size, link = struct.unpack_from("<QQI", elf, shoff + i * shentsize + 0x18)
        entsize, = struct.unpack_from("<Q", elf, shoff + i * shentsize + 0x38)
        stroff, = struct.unpack_from("<Q", elf, shoff + link * shentsize + 0x18)
        for j in range(size // entsize):
            st_name, _, _, _, st_value, _ = struct.unpack_from("<IBBHQQ", elf, off + j * entsize)
            end = elf.index(b"\0", stroff + st_name)
            if elf[stroff + st_name:end] == name:
                return st_value
    sys.exit("guest_fuzz.py: no symbol %s in the guest ELF" % name.decode())


def params_offset(elf):
    """File offset of fuzz_params (seed, rounds), from the program headers."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        sys.exit("guest_fuzz.py: not an ELF64 file")
    PARAMS_VADDR = symbol(elf, b"fuzz_params")
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if p_type == 1 and p_vaddr <= PARAMS_VADDR and PARAMS_VADDR + 16 <= p_vaddr + p_filesz:
            return p_offset + PARAMS_VADDR - p_vaddr
    sys.exit("guest_fuzz.py: no loadable segment holds the parameter block")


def read_seeds(path):
    seeds = []
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    seeds.append(int(line, 0))
    return seeds


def run_one(args, elf, off, tmp, seed, tier):
    img = bytearray(elf)
    struct.pack_into("<QQ", img, off, seed, args.rounds)
    path = os.path.join(tmp, "fuzz-%d.elf" % seed)
    with open(path, "wb") as f:
        f.write(img)
    # jit: every block compiled when translated, so the generated code is what runs.
    lazy = ["-jit-threshold", "1"] if tier == "jit" else []
    cmd = [args.flotilla, "-tier", tier, *lazy, "-smp", str(args.smp), "-semihosting", "-max-insns", str(MAX_INSNS),
           *args.extra.split(), "-kernel", path]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=RUN_TIMEOUT)
        status, out = p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        status, out = None, (e.stdout or b"").decode("utf-8", "replace")
    dt = time.monotonic() - t0
    os.unlink(path)
    done = [l for l in out.splitlines() if l.startswith("FUZZ-DONE")]
    if status == 0 and done:
        return None, done[0], dt
    if status == 3:
        return None, "stopped by -max-insns", dt
    why = "hung (no exit within %d s)" % RUN_TIMEOUT if status is None else (
        "killed by signal %d" % -status if status < 0 else "exit status %d" % status)
    if status == 0:
        why = "exit 0 without FUZZ-DONE"
    tail = "\n".join(out.splitlines()[-5:])
    return "%s\n    last output: %s" % (why, tail), None, dt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--seconds", type=float, default=20, help="time budget for new seeds")
    ap.add_argument("--seed", type=lambda s: None if s == "clock" else int(s, 0), default=None,
                    help="first new seed (default or 'clock': from the clock, printed)")
    ap.add_argument("--count", type=int, default=0, help="at most this many new seeds (0: no limit)")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--tier", choices=("interp", "jit", "both"), default="both")
    ap.add_argument("--smp", type=int, default=1, help="cores (1..64): cores 1.. fuzz devices concurrently")
    ap.add_argument("--extra", default="", help="more flotilla options, e.g. '-det seed=1,weak=on'")
    ap.add_argument("--regressions", help="file of seeds that once failed (run first)")
    args = ap.parse_args()
    with open(args.elf, "rb") as f:
        elf = f.read()
    off = params_offset(elf)
    tiers = ["interp", "jit"] if args.tier == "both" else [args.tier]
    first = args.seed if args.seed is not None else int(time.time() * 1000) % (1 << 40)
    print("guest fuzzer: regression seeds first, then new seeds from %d for %.0f s, tiers %s, %d rounds each"
          % (first, args.seconds, "+".join(tiers), args.rounds), flush=True)
    failures, runs, t_start = [], 0, time.monotonic()

    def one(seed):
        nonlocal runs
        for tier in tiers:
            err, info, dt = run_one(args, elf, off, tmp, seed, tier)
            runs += 1
            if err:
                failures.append(seed)
                print("FAIL seed %d (-tier %s): %s\n  replay: %s --flotilla %s --elf %s --tier %s --seed %d --count 1 "
                      "--rounds %d --smp %d --seconds 0" % (seed, tier, err, sys.argv[0], args.flotilla, args.elf, tier, seed,
                                                            args.rounds, args.smp), flush=True)
            elif args.count == 1 or runs <= 2:
                print("  seed %d -tier %s: %s (%.2f s)" % (seed, tier, info, dt), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        for seed in read_seeds(args.regressions):
            one(seed)
        seed, n = first, 0
        while (time.monotonic() - t_start < args.seconds or (args.count and n == 0)) and (not args.count or n < args.count):
            one(seed)
            seed += 1
            n += 1
    print("guest fuzzer: %d runs (%d new seeds, %d..%d), %.1f s, %d failed%s"
          % (runs, n, first, first + n - 1, time.monotonic() - t_start, len(set(failures)),
             ": seeds " + " ".join(map(str, sorted(set(failures)))) if failures else ""))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
