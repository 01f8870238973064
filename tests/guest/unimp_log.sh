#!/bin/sh
# guest.unimp_log_report: -d unimp reports the unimplemented system registers that
# unimp_log.elf runs (RNDR in a loop: once; APIAKEYLO_EL1: once) and not the
# one it translates but skips (GMID_EL1). Both tiers.
# Usage: unimp_log.sh FLOTILLA ELF WORKDIR
flotilla=$1 elf=$2 dir=$3
for tier in "-tier interp" "-tier jit -jit-threshold 1"; do
    log=$dir/unimp_log.log
    rm -f "$log"
    # shellcheck disable=SC2086
    "$flotilla" $tier -semihosting -d unimp -D "$log" -kernel "$elf" >/dev/null || { echo "FAIL: $tier: the program failed"; exit 1; }
    n=$(grep -c unimplemented "$log")
    rndr=$(grep -c 'S3_3_C2_C4_0 .* read at' "$log")
    key=$(grep -c 'S3_0_C2_C1_0 .* write at' "$log")
    gmid=$(grep -c 'S3_1_C0_C0_4' "$log")
    if [ "$n" != 2 ] || [ "$rndr" != 1 ] || [ "$key" != 1 ] || [ "$gmid" != 0 ]; then
        echo "FAIL: $tier: $n lines (RNDR $rndr, APIAKEYLO_EL1 $key, GMID_EL1 $gmid):"
        cat "$log"
        exit 1
    fi
done
echo PASS
