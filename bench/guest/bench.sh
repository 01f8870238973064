#!/bin/sh
# The guest side of bench/run.sh, started by /init. What to run comes from
# the kernel command line (unknown name=value parameters become init's
# environment): bench_work=1 (gzip/sha256sum/bzip2 on bench_kb KiB),
# bench_micro=SECONDS (bench_micro_only=PREFIX: only the micro-benchmarks
# whose name starts with it), bench_copies=N copies of the compute kernel with
# bench_iters iterations. The host timestamps the BENCH-* lines.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
echo "BENCH-CPUS $(grep -c ^processor /proc/cpuinfo)"
if [ "${bench_work:-0}" = 1 ]; then
    benchk gen "${bench_kb:-64}" > /tmp/data
    echo "BENCH-BEGIN sha256sum"
    sha256sum /tmp/data > /tmp/sum
    echo "BENCH-END sha256sum"
    echo "BENCH-CHECK sha256sum $(cut -d' ' -f1 /tmp/sum)"
    echo "BENCH-BEGIN gzip"
    gzip -c /tmp/data > /tmp/data.gz
    echo "BENCH-END gzip"
    echo "BENCH-CHECK gzip $(gzip -dc /tmp/data.gz | sha256sum | cut -d' ' -f1)"
    echo "BENCH-BEGIN bzip2"
    bzip2 -c /tmp/data > /tmp/data.bz2
    echo "BENCH-END bzip2"
    echo "BENCH-CHECK bzip2 $(bzip2 -dc /tmp/data.bz2 | sha256sum | cut -d' ' -f1)"
    rm -f /tmp/data /tmp/data.gz /tmp/data.bz2
fi
if [ -n "${bench_micro:-}" ]; then
    benchk micro "$bench_micro" ${bench_micro_only:-}
fi
if [ -n "${bench_copies:-}" ]; then
    i=0
    echo "BENCH-BEGIN scale"
    t0=$(cut -d' ' -f1 /proc/uptime)
    while [ $i -lt "$bench_copies" ]; do
        benchk compute "${bench_iters:-100}" > /tmp/out.$i &
        i=$((i + 1))
    done
    wait
    echo "BENCH-END scale"
    # The same span on the guest's clock (for flotilla-sweep, which reads output only).
    echo "BENCH-ELAPSED scale $(cut -d' ' -f1 /proc/uptime | awk -v t0="$t0" '{printf "%.2f", $1 - t0}')"
    i=0
    while [ $i -lt "$bench_copies" ]; do
        echo "BENCH-CHECK compute$i $(cut -d' ' -f2 /tmp/out.$i)"
        i=$((i + 1))
    done
fi
echo "BENCH-DONE"
poweroff -f
