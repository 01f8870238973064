# Sourced by the tests/cli scripts (after they set T, a scratch directory):
# expect_error NAME PATTERN CMD...: CMD must end within 60 s with status 1
# and exactly one stderr line matching PATTERN; counts pass / fails.
fails=0
pass=0

expect_error() {
    name=$1 pat=$2
    shift 2
    timeout 60 "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    lines=$(wc -l <"$T/err")
    if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: status $rc, $lines stderr lines (want 1 matching '$pat'):" >&2
        head -5 "$T/err" >&2
        fails=$((fails + 1))
    fi
}
