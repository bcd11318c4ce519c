# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared setup of the worker e2e tests; source it first.
#
#   src (198.18.1.1, 2001:db8:1::1) -- veth -- dut -- veth -- dst
#   dut: 198.18.1.2 / 2001:db8:1::2 and 198.18.2.2 / 2001:db8:2::2,
#        forwarding on, pcf-fastpath on both veths (start_fp)
#   dst: 198.18.2.1 and 198.18.2.3, 2001:db8:2::1 and 2001:db8:2::3
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
need_root
FP=$BUILD/tests/tools/pcf-fastpath
UDP="python3 $top/tests/e2e/worker_sock.py"
[ -x "$FP" ] || skip "$FP not built"

netns_add src >/dev/null # not in $(...): the cleanup must see them
netns_add dut >/dev/null
netns_add dst >/dev/null
src=pcf${ID}src dut=pcf${ID}dut dst=pcf${ID}dst
IF_S=p${ID}s IF_A=p${ID}a IF_B=p${ID}b IF_D=p${ID}d
veth_add "$src" $IF_S "$dut" $IF_A
veth_add "$dut" $IF_B "$dst" $IF_D
ip -n "$src" addr add 198.18.1.1/24 dev $IF_S
ip -n "$dut" addr add 198.18.1.2/24 dev $IF_A
ip -n "$dut" addr add 198.18.2.2/24 dev $IF_B
ip -n "$dst" addr add 198.18.2.1/24 dev $IF_D
ip -n "$dst" addr add 198.18.2.3/24 dev $IF_D
ip -n "$src" addr add 2001:db8:1::1/64 dev $IF_S nodad
ip -n "$dut" addr add 2001:db8:1::2/64 dev $IF_A nodad
ip -n "$dut" addr add 2001:db8:2::2/64 dev $IF_B nodad
ip -n "$dst" addr add 2001:db8:2::1/64 dev $IF_D nodad
ip -n "$dst" addr add 2001:db8:2::3/64 dev $IF_D nodad
ip -n "$src" route add 198.18.2.0/24 via 198.18.1.2
ip -n "$dst" route add 198.18.1.0/24 via 198.18.2.2
ip -n "$src" route add 2001:db8:2::/64 via 2001:db8:1::2
ip -n "$dst" route add 2001:db8:1::/64 via 2001:db8:2::2
in_ns "$dut" sysctl -qw net.ipv4.ip_forward=1
in_ns "$dut" sysctl -qw net.ipv6.conf.all.forwarding=1

# A veth hands partial checksums (CHECKSUM_PARTIAL) to its peer; a packet
# leaving through AF_XDP carries the bytes only, so make the senders
# complete them, as anything arriving from a wire has.
in_ns "$src" $UDP txcsum-off $IF_S || fail "tx checksum offload stays on"
in_ns "$dst" $UDP txcsum-off $IF_D || fail "tx checksum offload stays on"

# The workers route only to resolved next hops (else: counted, dropped).
mac_d=$(ip -n "$dst" -br link show $IF_D | awk '{print $3}')
mac_s=$(ip -n "$src" -br link show $IF_S | awk '{print $3}')
for a in 198.18.2.1 198.18.2.3 2001:db8:2::1 2001:db8:2::3; do
	ip -n "$dut" neigh replace $a lladdr "$mac_d" dev $IF_B nud permanent ||
		fail "neighbour $a"
done
for a in 198.18.1.1 2001:db8:1::1; do
	ip -n "$dut" neigh replace $a lladdr "$mac_s" dev $IF_A nud permanent ||
		fail "neighbour $a"
done

# start_fp ARGS...: run pcf-fastpath in dut on both veths; sets $fp
start_fp() {
	# nsenter execs the driver: $! is its pid
	nsenter --net=/run/netns/"$dut" "$FP" --pin-dir "$PIN_DIR" \
		-i $IF_A -i $IF_B "$@" >"$TMP/fp.out" 2>"$TMP/fp.err" &
	fp=$!
	track $fp
	wait_for 10 grep -q '^ready' "$TMP/fp.out" ||
		fail "pcf-fastpath did not start: $(cat "$TMP/fp.err")"
	log "$(grep '^ready' "$TMP/fp.out")"
}

# stop_fp: SIGTERM, a clean exit
stop_fp() {
	kill -TERM $fp
	wait $fp || fail "pcf-fastpath exited with $?: $(cat "$TMP/fp.err")"
}

# recv_start ADDR PORT COUNT OUT: a UDP receiver in dst, bound to
# ADDR:PORT, writing what it gets to OUT until it has COUNT datagrams;
# returns once it listens, its pid in $rpid
recv_start() {
	# nsenter execs python: $rpid is the receiver itself
	nsenter --net=/run/netns/"$dst" $UDP recv "$1" "$2" 30 "$3" >"$4" &
	rpid=$!
	track $rpid
	wait_for 10 grep -q listening "$4" || fail "receiver on $1 $2"
}

# recv_end PID: give the receiver 2 s more (the sender is done), then stop it
recv_end() {
	local i
	for ((i = 0; i < 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# flow DST PORT COUNT [TTL]: COUNT datagrams from src, port 4000, to
# DST:PORT; prints "SRC SPORT TTL SEQ" of what a socket bound to DST got.
# Slow starts (a busy machine) cost time, never datagrams.
flow() {
	local dst_addr=$1 port=$2 count=$3 ttl=${4:-64} out=$TMP/recv.$2
	recv_start "$dst_addr" "$port" "$count" "$out"
	in_ns "$src" $UDP send "$dst_addr" "$port" "$count" 0.01 "$ttl" 4000
	recv_end $rpid
	grep -v listening "$out"
}

# fp_stat KEY: the latest value the driver printed for KEY (see refresh)
fp_stat() {
	tac "$TMP/fp.out" | awk -v k="$1" '$1 == k { print $2; exit }'
}

# lines_ge FILE PATTERN N: FILE has at least N lines matching PATTERN
lines_ge() {
	[ "$(grep -c -- "$2" "$1")" -ge "$3" ]
}

# refresh: have the driver print its counters (SIGUSR1)
refresh() {
	local n
	n=$(grep -c '^end$' "$TMP/fp.out")
	kill -USR1 $fp
	wait_for 5 lines_ge "$TMP/fp.out" '^end$' $((n + 1)) ||
		fail "no stats from pcf-fastpath"
}

# fail_stats MSG: fail, showing the driver's counters and dst's stack's
fail_stats() {
	kill -USR1 $fp 2>/dev/null && sleep 0.5
	grep -v '^rule .* added' "$TMP/fp.out" | tail -40
	cat "$TMP/fp.err"
	in_ns "$dst" grep -E "^(Ip|Udp|Tcp):" /proc/net/snmp
	fail "$@"
}
