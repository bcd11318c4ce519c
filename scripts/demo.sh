#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# make demo: pcf in two minutes, on a lab of its own.
#
#   src 198.18.1.1 --veth-- dut (pcfd, forwarding) --veth-- dst 198.18.2.1
#
# pcfd runs in dut on both veths; pcfctl adds rules; real UDP traffic from
# src to sockets in dst shows what each rule does: a DROP that stops one
# flow, a PASS that lowers the TTL, a REDIRECT through the AF_XDP workers
# with SNAT, the counters, and the kernel taking over when pcfd is killed.
# Every claim is checked: exit 0 when all was seen as said, 1 otherwise.
# Everything it creates has this run's id in its name and goes on exit.
# Usage: scripts/demo.sh [BUILD_DIR]   (as root)
export BUILD=${1:-${BUILD:-build}}
. "$(dirname "$0")/../tests/lib/common.sh"

SOCK="python3 $top/tests/e2e/worker_sock.py" # the socket ends of the tests
[ -x /usr/bin/python3 ] && SOCK="/usr/bin/python3 $top/tests/e2e/worker_sock.py"
N=20 # datagrams per flow

section() { printf '\n== %s ==\n' "$*"; }
say() { printf '   %s\n' "$*"; }
fail() {
	printf '\nDEMO FAILED: %s\n' "$*"
	[ -s "$TMP/pcfd.log" ] && { echo "pcfd's log:"; tail -n 20 "$TMP/pcfd.log"; }
	exit 1
}
[ "$(id -u)" = 0 ] || { echo "make demo needs root (namespaces, XDP)"; exit 1; }
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build first: make BUILD=$BUILD"

# ---- the lab ----
src=$(netns_add src) && dut=$(netns_add dut) && dst=$(netns_add dst) ||
	fail "cannot create namespaces"
IF_S=p${ID}s IF_A=p${ID}a IF_B=p${ID}b IF_D=p${ID}d
CTL_PORT=$(printf 0x%x $((0x70630000 + 0x$ID)))

lab() {
	veth_add "$src" $IF_S "$dut" $IF_A
	veth_add "$dut" $IF_B "$dst" $IF_D
	ip -n "$src" addr add 198.18.1.1/24 dev $IF_S &&
		ip -n "$dut" addr add 198.18.1.2/24 dev $IF_A &&
		ip -n "$dut" addr add 198.18.2.2/24 dev $IF_B &&
		ip -n "$dst" addr add 198.18.2.1/24 dev $IF_D &&
		ip -n "$src" route add 198.18.2.0/24 via 198.18.1.2 &&
		ip -n "$dst" route add 198.18.1.0/24 via 198.18.2.2 &&
		in_ns "$dut" sysctl -qw net.ipv4.ip_forward=1 || return 1
	# the workers send only to resolved next hops
	ip -n "$dut" neigh replace 198.18.2.1 dev $IF_B nud permanent \
		lladdr "$(ip -n "$dst" -br link show $IF_D | awk '{print $3}')" ||
		return 1
	# a veth leaves checksums to its peer; AF_XDP carries bytes only
	in_ns "$src" $SOCK txcsum-off $IF_S
}

ctl() { "$PCFCTL" -n "$dut" --ctl-port "$CTL_PORT" "$@"; }
# show_ctl ARGS...: print the command as typed, then run it, indented
show_ctl() {
	say "\$ pcfctl $*"
	ctl "$@" 2>&1 | sed 's/^/     /'
	return "${PIPESTATUS[0]}"
}

# recv_start PORT COUNT: a socket in dst on 198.18.2.1:PORT writes
# "SRC SPORT TTL SEQ" per datagram to $TMP/recv.PORT until it has COUNT;
# returns once it listens, its pid in $rpid
recv_start() {
	: >"$TMP/recv.$1" # no "listening" left from an earlier receiver
	# nsenter execs python: $rpid is the receiver itself
	nsenter --net=/run/netns/"$dst" $SOCK recv 198.18.2.1 "$1" 10 "$2" >"$TMP/recv.$1" &
	rpid=$!
	track $rpid
	wait_for 10 grep -q listening "$TMP/recv.$1" || fail "no receiver on port $1"
}

# recv_end PORT [CMD...]: the sender is done; the receiver ends on its
# COUNT, or once CMD says the rest will not come (bounded: 10 s); print
# what arrived
recv_end() {
	local port=$1
	shift
	receiver_done() { ! kill -0 $rpid 2>/dev/null || { [ $# -gt 0 ] && "$@"; }; }
	wait_for 10 receiver_done "$@"
	kill $rpid 2>/dev/null
	wait $rpid 2>/dev/null
	grep -v listening "$TMP/recv.$port"
}

# flow PORT [COUNT [CMD...]]: COUNT datagrams src:4000 -> dst:PORT with
# TTL 64; prints what the socket in dst received (see recv_end for CMD)
flow() {
	local port=$1 count=${2:-$N}
	shift 2 2>/dev/null || shift
	recv_start "$port" "$count"
	in_ns "$src" $SOCK send 198.18.2.1 "$port" "$count" 0.005 64 4000
	recv_end "$port" "$@"
}

# drops_reach N: pcf's XDP drop counter is at least N
drops_reach() {
	[ "$(ctl -j stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["xdp"]["drop"]["packets"])')" -ge "$1" ]
}
count() { [ -n "$1" ] && echo "$1" | wc -l || echo 0; }
# what arrived, as "N x SRC:SPORT TTL T" lines
summary() { echo "$1" | awk 'NF { n[$1 ":" $2 " TTL " $3]++ } END { for (k in n) print n[k] " x from " k }'; }

printf 'pcf demo, run %s: namespaces %s, %s, %s\n' "$ID" "$src" "$dut" "$dst"

section "1. The lab"
lab || fail "cannot build the lab"
say "src 198.18.1.1 --[$IF_S|$IF_A]-- dut --[$IF_B|$IF_D]-- dst 198.18.2.1"
say "dut forwards between its two veths; the kernel routes, nothing else yet"
got=$(flow 6000 5)
[ "$(count "$got")" = 5 ] || fail "the lab does not forward: $got"
say "5 datagrams sent with TTL 64, 5 arrived with TTL $(echo "$got" | awk '{print $3}' | sort -u) (one hop)"

section "2. pcfd starts in dut"
args=(-f -i "$IF_A" -i "$IF_B" --pin-dir "$PIN_DIR" --ctl-port "$CTL_PORT"
	--egress wire)
say "pcfd ${args[*]}"
# nsenter execs pcfd: $! is pcfd's pid
nsenter --net=/run/netns/"$dut" "$PCFD" "${args[@]}" >"$TMP/pcfd.log" 2>&1 &
pcfd_pid=$!
track $pcfd_pid
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not come up"
say "up, pid $pcfd_pid: its XDP program steers every packet entering dut"
say "(every pcfctl below runs as: pcfctl -n $dut --ctl-port $CTL_PORT ...)"

section "3. A DROP rule stops exactly one flow"
show_ctl flow add dst 198.18.2.1 proto udp dport 6001 action drop ||
	fail "flow add"
# nothing arrives: the receiver ends once XDP has dropped all of them
a=$(count "$(flow 6001 $N drops_reach $N)")
b=$(count "$(flow 6002)")
say "udp to port 6001: $a of $N arrived"
say "udp to port 6002: $b of $N arrived"
[ "$a" = 0 ] && [ "$b" = $N ] || fail "the drop rule did not stop just port 6001"

section "4. A PASS rule with ttl-delta -1"
show_ctl flow add dst 198.18.2.1 proto udp dport 6003 action pass ttl-delta -1 ||
	fail "flow add"
got=$(flow 6003)
say "sent with TTL 64, seen by the receiving socket:"
summary "$got" | sed 's/^/     /'
[ "$(count "$got")" = $N ] && [ "$(echo "$got" | awk '{print $3}' | sort -u)" = 62 ] ||
	fail "expected $N datagrams with TTL 62 (XDP -1, forwarding -1)"
say "62, not 63: XDP lowered it by one before the kernel forwarded it"

section "5. A REDIRECT rule through the AF_XDP fast path"
show_ctl flow add dst 198.18.2.1 proto udp dport 6004 action redirect \
	snat 198.18.2.77:7777 ttl-delta -1 || fail "flow add"
got=$(flow 6004)
say "sent from 198.18.1.1:4000 with TTL 64, seen by the receiving socket:"
summary "$got" | sed 's/^/     /'
[ "$(count "$got")" = $N ] &&
	[ "$(echo "$got" | awk '{print $1, $2, $3}' | sort -u)" = "198.18.2.77 7777 62" ] ||
	fail "expected $N datagrams from 198.18.2.77:7777 with TTL 62"
say "a worker in pcfd rewrote source and TTL and sent it out of $IF_B"

section "6. Counters"
ctl -j stats >"$TMP/stats0" || fail "stats"
show_ctl -s flow show || fail "flow show"
show_ctl stats || fail "stats"
before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["xdp"]["drop"]["packets"])' "$TMP/stats0")
flow 6001 $N drops_reach $((before + N)) >/dev/null
ctl -j stats >"$TMP/stats1" || fail "stats"
moved=$(python3 - "$TMP/stats0" "$TMP/stats1" <<'PY'
import json, sys
a, b = (json.load(open(p))["xdp"]["drop"]["packets"] for p in sys.argv[1:])
print(b - a)
PY
)
say "$N more datagrams to port 6001: the drop counter moved by $moved"
[ "$moved" = $N ] || fail "the drop counter moved by $moved, not $N"

section "7. kill -9 pcfd: the kernel takes over"
port=6004
say "a flow of 200 datagrams to port 6004 (the REDIRECT rule); pcfd is"
say "killed once some went through the workers"
recv_start $port 200
in_ns "$src" $SOCK send 198.18.2.1 $port 200 0.01 64 4000 &
spid=$!
track $spid
arrived_ge() { [ "$(grep -vc listening "$1")" -ge "$2" ]; }
wait_for 10 arrived_ge "$TMP/recv.$port" 50 || fail "the flow did not start"
kill -9 $pcfd_pid
wait $pcfd_pid 2>/dev/null
say "pcfd killed (signal 9)"
wait $spid
# datagrams lost while pcfd died never come: the last one ends it
last_seq() { [ "$(grep -v listening "$TMP/recv.$port" | awk '{s = $4} END {print s}')" = 199 ]; }
got=$(recv_end $port last_seq)
say "what arrived:"
summary "$got" | sort -rn | sed 's/^/     /'
n=$(count "$got")
k=$(echo "$got" | awk '$1 == "198.18.1.1" && $3 == 63' | wc -l)
say "$n of 200 arrived; $k after the kill, forwarded by the kernel"
say "(source and TTL untouched: no worker is left to rewrite them)"
[ "$k" -gt 0 ] || fail "nothing came through the kernel after the kill"
[ "$n" -ge 180 ] || fail "only $n of 200 arrived"
[ "$(echo "$got" | awk '{s = $4} END {print s}')" = 199 ] ||
	fail "the flow did not reach its end"

section "Done"
say "all of the above was seen as said; the lab goes now"
exit 0
