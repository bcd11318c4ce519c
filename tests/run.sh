#!/bin/bash
# Run the whole pcf test suite: cmocka unit tests, BPF tests in the real
# kernel, then the end-to-end scripts.  Each test is one program or script.
#
# A test passes with exit 0.  It skips with exit 77 only when this machine
# lacks a capability it needs, named on a line "SKIP: lacks CAPABILITY: WHY"
# (tests/lib/common.sh's skip_lacking); an exit 77 without that line is a
# failure (a missing tool or a broken environment is not a lacking
# capability).  A cmocka program that passes with skipped cases is judged
# the same way.  Anything else fails.
#
# The verdict is a pass only when every selected test ran and none failed.
# The BPF and e2e tests need root: without it the unit tests run, the
# others do not, and the verdict is a failure that says why.  The summary
# names each failure and each skip with its reason.
#
# Usage: tests/run.sh BUILD_DIR [NAME_FILTER]
# Logs go to BUILD_DIR/test-logs (PCF_TEST_LOGS=DIR: there instead).
set -u
BUILD=${1:-build}
FILTER=${2:-${PCF_TEST_FILTER:-}}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

logdir=${PCF_TEST_LOGS:-$BUILD/test-logs}
if ! mkdir -p "$logdir" 2>/dev/null || [ ! -w "$logdir" ]; then
	logdir=$(mktemp -d /tmp/pcf-test-logs.XXXXXX) || exit 1
	echo "run.sh: cannot write $BUILD/test-logs, logs in $logdir"
fi

root=
[ "$(id -u)" = 0 ] && root=1
pass=0 fail=0 skip=0 failed=() skipped=() notrun=()

# join SEP WORDS...: the words, SEP between them
join() {
	local sep=$1 out= w
	shift
	for w; do out+=${out:+$sep}$w; done
	printf '%s' "$out"
}
# lacking LOG: CAPABILITY: WHY of the test's last "SKIP: lacks" line
lacking() { grep -o 'SKIP: lacks .*' "$1" | tail -n1 | sed 's/^SKIP: lacks //'; }
# said LOG: the test's own last word on a failure
said() {
	local l
	l=$(grep -o 'FAIL: .*' "$1" | tail -n1)
	[ -n "$l" ] || l=$(grep -v '^[[:space:]]*$' "$1" | tail -n1)
	printf '%.200s' "$l"
}

# run_one NAME LIMIT ROOT|- CMD...: run CMD as the test NAME, at most LIMIT
# seconds; ROOT: not run without root
run_one() {
	local name=$1 limit=$2 priv=$3
	shift 3
	[ -n "$FILTER" ] && [[ $name != *$FILTER* ]] && return
	if [ "$priv" = ROOT ] && [ -z "$root" ]; then
		notrun+=("$name")
		return
	fi
	local log=$logdir/${name//\//_}.log start rc why
	start=${EPOCHREALTIME/./}
	timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
	rc=$?
	local us=$(( ${EPOCHREALTIME/./} - start ))
	local t=$((us / 1000000)).$(( us / 100000 % 10 ))
	# a cmocka program that passed with cases skipped: a skip, judged so
	local what="skipped"
	if [ $rc = 0 ] && grep -q '^\[  SKIPPED \] [a-z_]' "$log"; then
		rc=77
		what="skipped cmocka cases ($(grep '^\[  SKIPPED \] [a-z_]' "$log" | sort -u | awk '{print $NF}' | tr '\n' ' ' | sed 's/ $//'))"
	fi
	case $rc in
	0)  pass=$((pass + 1))
	    printf 'PASS  %-40s %6ss\n' "$name" "$t"
	    return ;;
	77) why=$(lacking "$log")
	    if [ -n "$why" ]; then
		    skip=$((skip + 1))
		    skipped+=("$name (lacks $why)")
		    printf 'SKIP  %-40s lacks %s\n' "$name" "$why"
		    return
	    fi
	    why="$what without naming a capability this machine lacks (a missing tool or a broken environment fails): $(said "$log")" ;;
	124 | 137)
	    why="timed out after ${limit}s: $(said "$log")" ;;
	*)  why="exit $rc: $(said "$log")" ;;
	esac
	fail=$((fail + 1))
	failed+=("$name: $why")
	printf 'FAIL  %-40s %6ss (log %s)\n' "$name" "$t" "$log"
	tail -n 25 "$log" | sed 's/^/      | /'
}

for t in "$BUILD"/tests/unit/*; do
	[ -x "$t" ] && run_one "unit/$(basename "$t")" 120 - "$t"
done
for t in "$BUILD"/tests/bpf/*; do
	[ -x "$t" ] && run_one "bpf/$(basename "$t")" 300 ROOT "$t"
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] && run_one "e2e/$(basename "$t" .sh)" 400 ROOT bash "$t"
done

echo
reasons=()
for f in "${failed[@]}"; do echo "failed: $f"; done
for s in "${skipped[@]}"; do echo "skipped: $s"; done
[ "$fail" -gt 0 ] && reasons+=("$fail failed")
if [ ${#notrun[@]} -gt 0 ]; then
	echo "not run: ${notrun[*]}"
	reasons+=("not root: ${#notrun[@]} BPF and e2e tests need root and did not run (run make check as root)")
fi
[ $((pass + fail + skip + ${#notrun[@]})) -eq 0 ] &&
	reasons+=("no test${FILTER:+ matches \"$FILTER\"} in $BUILD (build first: make)")

summary="$pass passed, $fail failed, $skip skipped"
[ ${#skipped[@]} -gt 0 ] && summary+=" ($(join '; ' "${skipped[@]}"))"
[ ${#notrun[@]} -gt 0 ] && summary+=", ${#notrun[@]} not run"
if [ ${#reasons[@]} -gt 0 ]; then
	echo "$summary"
	echo "FAIL: $(join '; ' "${reasons[@]}")"
	exit 1
fi
echo "$summary"
echo "PASS"
