#!/bin/bash
# Run the whole pcf test suite: cmocka unit tests, BPF tests in the real
# kernel, then the end-to-end scripts.  Each test is one program or script;
# exit 0 passes, 77 skips (a kernel feature missing), anything else fails.
# Usage: tests/run.sh BUILD_DIR [NAME_FILTER]
set -u
BUILD=${1:-build}
FILTER=${2:-${PCF_TEST_FILTER:-}}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

pass=0 fail=0 skip=0 failed=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"

run_one() {
	local name=$1 limit=$2
	shift 2
	[ -n "$FILTER" ] && [[ $name != *$FILTER* ]] && return
	local log=$logdir/${name//\//_}.log start rc
	start=${EPOCHREALTIME/./}
	timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
	rc=$?
	local us=$(( ${EPOCHREALTIME/./} - start ))
	local t=$((us / 1000000)).$(( us / 100000 % 10 ))
	case $rc in
	0)  pass=$((pass + 1)); printf 'PASS  %-40s %6ss\n' "$name" "$t" ;;
	77) skip=$((skip + 1)); printf 'SKIP  %-40s %s\n' "$name" "$(tail -n1 "$log")" ;;
	*)  fail=$((fail + 1)); failed+=("$name")
	    printf 'FAIL  %-40s (exit %d, log %s)\n' "$name" "$rc" "$log"
	    tail -n 25 "$log" | sed 's/^/      | /' ;;
	esac
}

for t in "$BUILD"/tests/unit/*; do
	[ -x "$t" ] && run_one "unit/$(basename "$t")" 120 "$t"
done
for t in "$BUILD"/tests/bpf/*; do
	[ -x "$t" ] && run_one "bpf/$(basename "$t")" 300 "$t"
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] && run_one "e2e/$(basename "$t" .sh)" 400 bash "$t"
done

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
