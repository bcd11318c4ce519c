# Shared helpers for the end-to-end tests; source it first.
#
# Every run gets its own short id, so names never collide with another run:
# namespaces "pcf<ID><name>", veths "p<ID><name>" (IFNAMSIZ is 16), and its own
# pin directory.  Everything created through these helpers is removed on
# exit by the EXIT trap, by name or pid, never by pattern.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
PCFD=$BUILD/pcfd
PCFCTL=$BUILD/pcfctl

ID=$(printf '%04x' $(( ($$ ^ RANDOM) & 0xffff )))
PIN_DIR=/sys/fs/bpf/pcft-$ID
TMP=$(mktemp -d /tmp/pcft-$ID.XXXX)
# What to clean up is recorded in files, not variables, so that helpers
# called in a subshell ($(netns_add x)) are cleaned up too.
: >"$TMP/.netns"
: >"$TMP/.pids"

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

# What a test may skip, and what it must fail (tests/run.sh enforces it):
#  - exit 77 (skip) only when this machine lacks a capability the test
#    needs: a kernel feature, zero-copy AF_XDP on a driver.  skip_lacking
#    names it; run.sh counts an exit 77 without its "SKIP: lacks" line as
#    a failure, and lists each skip with its reason in the summary.
#  - a missing tool is not a lacking capability: scripts/deps.sh installs
#    it (CI runs `make check` on a fresh Debian 12).  need_tool fails, and
#    says which Debian package to add to scripts/deps.sh if it is not there.
#  - a broken environment (a container that does not boot, a daemon that
#    does not start, an unexpected socket error, no root) is a failure:
#    fail with the reason.
# skip_lacking CAPABILITY WHY...: skip, this machine lacks CAPABILITY
skip_lacking() {
	local cap=$1
	shift
	log "SKIP: lacks $cap: $*"
	exit 77
}
# skip WHY...: exit 77 without naming a capability; run.sh fails it (kept
# for old callers: use skip_lacking, need_tool or fail)
skip() { log "SKIP: $*"; exit 77; }

cleanup() {
	local rc=$? p n
	# a tracked job may be a subshell (`ctl monitor &` runs a shell
	# function): its children go first, or they outlive the test
	for p in $(cat "$TMP/.pids" 2>/dev/null); do
		pkill -9 -P "$p" 2>/dev/null
		kill -9 "$p" 2>/dev/null
	done
	for p in $(cat "$TMP/.pids" 2>/dev/null); do wait "$p" 2>/dev/null; done
	for n in $(cat "$TMP/.netns" 2>/dev/null); do ip netns del "$n" 2>/dev/null; done
	rm -rf "$PIN_DIR" "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# need_root: fail unless root (namespaces, XDP, bpffs need it; make check
# runs as root)
need_root() { [ "$(id -u)" = 0 ] || fail "needs root: run as root (make check does)"; }

# deps_packages: the Debian packages scripts/deps.sh installs for make check
deps_packages() {
	sed -n '/^PKGS="/,/"$/p' "$top/scripts/deps.sh" | tr -d '"' |
		sed 's/^PKGS=//' | tr -s ' \t' '\n'
}

# need_tool COMMAND PACKAGE: fail unless COMMAND (a name on PATH or a
# path) is installed; PACKAGE, the Debian package that has it, must be in
# scripts/deps.sh, or CI's fresh machine would not have it
need_tool() {
	deps_packages | grep -qxF -- "$2" ||
		fail "$1 comes with the Debian package $2, which scripts/deps.sh does not install: add it there"
	command -v "$1" >/dev/null ||
		fail "no $1: install the Debian package $2 (make deps)"
}

# netns_add NAME: create namespace pcf<ID>NAME, print its full name
# (a veth inside it goes with it; fail in a subshell does not stop the
# caller, so check: ns=$(netns_add x) || exit 1)
netns_add() {
	local n=pcf$ID$1
	ip netns add "$n" || fail "ip netns add $n"
	echo "$n" >>"$TMP/.netns"
	ip -n "$n" link set lo up
	echo "$n"
}

# veth_add NS_A IF_A NS_B IF_B: a veth pair between two namespaces
veth_add() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		fail "ip link add $2/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# track PID: kill it on exit
track() { echo "$1" >>"$TMP/.pids"; }
# end_job PID: SIGTERM to a background job and to its children: a job
# that runs a shell function (`ctl monitor &`) is a subshell whose
# command would outlive it
end_job() { pkill -TERM -P "$1" 2>/dev/null; kill "$1" 2>/dev/null; }

# in NS CMD...: run CMD in netns NS, keeping the mount namespace (bpffs)
in_ns() { local n=$1; shift; nsenter --net=/run/netns/"$n" "$@"; }

# expect_fail RC PATTERN CMD...: CMD exits RC and says PATTERN (a grep
# regex) on stderr
expect_fail() {
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$* exited $rc, not $want: $(cat "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" || fail "$*: no \"$pat\" in: $(cat "$TMP/err")"
}

# wait_for SECONDS CMD...: poll CMD until it succeeds
wait_for() {
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do "$@" && return 0; sleep 0.1; done
	return 1
}

# gone PID: PID has exited (a child of this shell: bash reaps it at once)
gone() { ! kill -0 "$1" 2>/dev/null; }

# wait_exit SECONDS PID: wait until PID has exited; 1 if it still runs
wait_exit() { wait_for "$1" gone "$2"; }

# lines_ge FILE PATTERN N: FILE has at least N lines matching PATTERN
lines_ge() {
	local n
	n=$(grep -c -- "$2" "$1" 2>/dev/null)
	[ "${n:-0}" -ge "$3" ]
}

# fuzz_for_a_while NAME MAX_LEN RSS_MB: build tests/fuzz/NAME.c (make fuzz:
# clang, ASan, UBSan) and run it FUZZ_SECONDS (default 10) on the seeds in
# $TMP/corpus; fail on a crash, a sanitizer report or no run at all
fuzz_for_a_while() {
	local fuzz=$BUILD/tests/fuzz/$1 rc
	make -s -C "$top" BUILD="$BUILD" "$fuzz" >"$TMP/build.log" 2>&1 ||
		{ cat "$TMP/build.log"; fail "make fuzz"; }
	"$fuzz" -max_total_time="${FUZZ_SECONDS:-10}" -max_len="$2" -timeout=10 \
		-rss_limit_mb="$3" -artifact_prefix="$TMP/" "$TMP/corpus" \
		>"$TMP/fuzz.log" 2>&1
	rc=$?
	tail -n 1 "$TMP/fuzz.log"
	[ "$rc" = 0 ] || { tail -n 40 "$TMP/fuzz.log"; fail "$1 exited $rc"; }
	grep -q "^Done [0-9]* runs" "$TMP/fuzz.log" || fail "the fuzzer did not run"
}
