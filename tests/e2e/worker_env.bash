# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared setup of the worker e2e tests; source it first.
#
#   src (198.18.1.1, 2001:db8:1::1) -- veth -- dut -- veth -- dst
#   dut: 198.18.1.2 / 2001:db8:1::2 and 198.18.2.2 / 2001:db8:2::2,
#        forwarding on, pcfd on both veths (start_fp), driven by pcfctl
#   dst: 198.18.2.1 and 198.18.2.3, 2001:db8:2::1 and 2001:db8:2::3
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
need_root
UDP="python3 $top/tests/e2e/worker_sock.py"
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"
# a control port id of this run: never the default, never another run's
CTL_PORT=$(( 0x70660000 + 0x$ID ))

netns_add src >/dev/null # not in $(...): the cleanup must see them
netns_add dut >/dev/null
netns_add dst >/dev/null
src=pcf${ID}src dut=pcf${ID}dut dst=pcf${ID}dst
IF_S=p${ID}s IF_A=p${ID}a IF_B=p${ID}b IF_D=p${ID}d

# A veth hands partial checksums (CHECKSUM_PARTIAL) to its peer; a packet
# leaving through AF_XDP carries the bytes only, so make the senders
# complete them, as anything arriving from a wire has.
# pcf_return forwards by devmap redirect into dut's veths; a veth drops
# redirected frames unless its peer runs NAPI (an XDP program, or GRO on),
# which a NIC always does.
# outer_end NS IF: the far end of one of dut's veths, set up so
outer_end() {
	in_ns "$1" $UDP txcsum-off $2 || fail "tx checksum offload stays on"
	in_ns "$1" $UDP gro-on $2 || fail "GRO stays off on $2"
}

# The workers route only to resolved next hops (else: counted, dropped).
# neigh_to NS IF ADDR...: dut knows the ADDRs to be at NS's IF, over its
# end of that veth (DUT_IF)
neigh_to() {
	local ns=$1 ifn=$2 dut_if=$3 mac a
	shift 3
	mac=$(ip -n "$ns" -br link show $ifn | awk '{print $3}')
	for a in "$@"; do
		ip -n "$dut" neigh replace $a lladdr "$mac" dev $dut_if nud permanent ||
			fail "neighbour $a"
	done
}

# link_src_dut: the veth src $IF_S -- $IF_A dut, addressed and routed
link_src_dut() {
	veth_add "$src" $IF_S "$dut" $IF_A
	ip -n "$src" addr add 198.18.1.1/24 dev $IF_S
	ip -n "$dut" addr add 198.18.1.2/24 dev $IF_A
	ip -n "$src" addr add 2001:db8:1::1/64 dev $IF_S nodad
	ip -n "$dut" addr add 2001:db8:1::2/64 dev $IF_A nodad
	ip -n "$src" route add 198.18.2.0/24 via 198.18.1.2
	ip -n "$src" route add 2001:db8:2::/64 via 2001:db8:1::2
	outer_end "$src" $IF_S
	neigh_to "$src" $IF_S $IF_A 198.18.1.1 2001:db8:1::1
}

# link_dut_dst: the veth dut $IF_B -- $IF_D dst, addressed and routed
link_dut_dst() {
	veth_add "$dut" $IF_B "$dst" $IF_D
	ip -n "$dut" addr add 198.18.2.2/24 dev $IF_B
	ip -n "$dst" addr add 198.18.2.1/24 dev $IF_D
	ip -n "$dst" addr add 198.18.2.3/24 dev $IF_D
	ip -n "$dut" addr add 2001:db8:2::2/64 dev $IF_B nodad
	ip -n "$dst" addr add 2001:db8:2::1/64 dev $IF_D nodad
	ip -n "$dst" addr add 2001:db8:2::3/64 dev $IF_D nodad
	ip -n "$dst" route add 198.18.1.0/24 via 198.18.2.2
	ip -n "$dst" route add 2001:db8:1::/64 via 2001:db8:2::2
	outer_end "$dst" $IF_D
	neigh_to "$dst" $IF_D $IF_B 198.18.2.1 198.18.2.3 2001:db8:2::1 \
		2001:db8:2::3
}

# dut_up: dut routes
dut_up() {
	in_ns "$dut" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$dut" sysctl -qw net.ipv6.conf.all.forwarding=1
}

link_src_dut
link_dut_dst
dut_up

ctl() { "$PCFCTL" -n "$dut" --ctl-port "$CTL_PORT" "$@"; }

# the return veth pcfd makes in dut: names of this run
RET_A=r${ID}a RET_B=r${ID}b

# start_fp [--rule 'WORDS']... PCFD_ARGS...: pcfd in dut on both veths,
# then each rule through `pcfctl flow add WORDS`; sets $fp (pcfd's pid)
start_fp() {
	local rules=() args=() r
	while [ $# -gt 0 ]; do
		if [ "$1" = --rule ]; then
			rules+=("$2")
			shift 2
		else
			args+=("$1")
			shift
		fi
	done
	# nsenter execs pcfd: $! is its pid
	nsenter --net=/run/netns/"$dut" "$PCFD" -f --pin-dir "$PIN_DIR" \
		--ctl-port "$CTL_PORT" -i $IF_A -i $IF_B \
		--return-veth $RET_A,$RET_B "${args[@]}" \
		>>"$TMP/fp.err" 2>&1 &
	fp=$!
	track $fp
	# pcfd serves its control port once XDP and the workers run
	wait_for 10 ctl flow show >/dev/null 2>&1 ||
		fail "pcfd did not start: $(cat "$TMP/fp.err")"
	for r in "${rules[@]}"; do
		# shellcheck disable=SC2086
		ctl flow add $r >/dev/null || fail "flow add $r"
	done
	log "$(grep 'workers running' "$TMP/fp.err" | tail -n1)"
}

# stop_fp: SIGTERM, a clean exit; then unload (detach, unpin), as a
# clean slate for the next start
stop_fp() {
	kill -TERM $fp
	wait $fp || fail "pcfd exited with $?: $(cat "$TMP/fp.err")"
	in_ns "$dut" "$PCFD" --unload --pin-dir "$PIN_DIR" -i $IF_A -i $IF_B \
		--return-veth $RET_A,$RET_B \
		>>"$TMP/fp.err" 2>&1 || fail "pcfd --unload: $(tail -n 3 "$TMP/fp.err")"
}

# recv_start ADDR PORT COUNT OUT: a UDP receiver in dst (or $RECV_NS),
# bound to ADDR:PORT, writing what it gets to OUT until it has COUNT
# datagrams; returns once it listens, its pid in $rpid
recv_start() {
	# empty the file first: the background job truncates it only when it
	# runs, and a "listening" left from the last receiver would let the
	# sender start before this one is bound
	: >"$4"
	# nsenter execs python: $rpid is the receiver itself
	nsenter --net=/run/netns/"${RECV_NS:-$dst}" $UDP recv "$1" "$2" 30 "$3" >"$4" &
	rpid=$!
	track $rpid
	wait_for 10 grep -q listening "$4" || fail "receiver on $1 $2"
}

# recv_end PID [CMD...]: the sender is done.  Wait until the receiver has
# its COUNT and is gone or, for datagrams that must not all arrive, until
# CMD says where the others went (a counter has them); at most 10 s.  Then
# stop it: it prints what its socket still holds and exits.
recv_end() {
	local pid=$1
	shift
	wait_for 10 recv_done "$pid" "$@"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
# recv_done PID [CMD...]: PID is gone, or CMD succeeds
recv_done() { gone "$1" || { [ $# -gt 1 ] && "${@:2}"; }; }

# flow DST PORT COUNT [TTL [CMD...]]: COUNT datagrams from src, port 4000,
# to DST:PORT (IP packets of $FLOW_SIZE bytes if set); prints "SRC SPORT
# TTL SEQ" of what a socket bound to DST got.  For datagrams that must not
# arrive, CMD says they are accounted for elsewhere (e.g. counter_is
# drop_ttl_expired 10): the receiver stops then.  Slow starts (a busy
# machine) cost time, never datagrams.
flow() {
	local dst_addr=$1 port=$2 count=$3 ttl=${4:-64} out=$TMP/recv.$2
	shift $(($# < 4 ? $# : 4))
	recv_start "$dst_addr" "$port" "$count" "$out"
	in_ns "$src" $UDP send "$dst_addr" "$port" "$count" 0.01 "$ttl" 4000 \
		${FLOW_SIZE:-}
	recv_end $rpid "$@"
	grep -v listening "$out"
}

# refresh: a snapshot of the counters: `pcfctl -j stats` and
# `pcfctl -j flow show`
refresh() {
	ctl -j stats >"$TMP/stats.json" || fail "pcfctl stats"
	ctl -j flow show >"$TMP/flows.json" || fail "pcfctl flow show"
}

# fp_stat KEY: a counter of the last snapshot: tx_packets, rx_packets,
# mirror_packets (summed over the workers), drop_REASON (the workers' drops, summed),
# returned_REASON (sent to the kernel through the return veth, summed),
# xdp_VERDICT, xdp_reason_REASON and xdp_return_OUTCOME (packets),
# rule_ID_worker_packets, rule_ID_packets (XDP's)
fp_stat() {
	python3 - "$1" "$TMP/stats.json" "$TMP/flows.json" <<'PY'
import json, sys
key, st, fl = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
ws = st["workers"]
if key in ("tx_packets", "rx_packets", "mirror_packets"):
    print(sum(w[key] for w in ws))
elif key.startswith("drop_"):
    print(sum(w["drops"].get(key[5:], 0) for w in ws))
elif key.startswith("returned_"):
    print(sum(w.get("returned", {}).get(key[9:], 0) for w in ws))
elif key.startswith("xdp_reason_"):
    print(st["xdp"][key[11:]]["packets"])
elif key.startswith("xdp_"):
    print(st["xdp"][key[4:]]["packets"])
elif key.startswith("rule_") and key.endswith("_packets"):
    rid, field = int(key.split("_")[1]), key.split("_", 2)[2]
    print(next((r[field] for r in fl if r["id"] == rid), "none"))
else:
    sys.exit("unknown counter " + key)
PY
}

# counter_is KEY VALUE: a fresh snapshot has fp_stat KEY = VALUE
counter_is() {
	refresh
	[ "$(fp_stat "$1")" = "$2" ]
}

# workers_line: pcfctl's text of the workers (for the log)
workers_line() {
	ctl stats | sed -n '/^workers:/,$p' | tr -s ' \n' ' '
}

# fail_stats MSG: fail, showing pcfd's counters, log and dst's stack's
fail_stats() {
	ctl -s stats 2>&1
	ctl -s flow show 2>&1 | head -20
	tail -n 20 "$TMP/fp.err"
	in_ns "$dst" grep -E "^(Ip|Udp|Tcp):" /proc/net/snmp
	fail "$@"
}

# tcp SERVER_ADDR NAT_ADDR: a 300 kB transfer from src port 4100 to
# SERVER_ADDR port 5200 through a rule pair that NATs it to NAT_ADDR:7100
tcp() {
	local out=$TMP/tcp.$1
	refresh
	local before=$(fp_stat tx_packets)
	in_ns "$dst" $UDP tcp-serve "$1" 5200 10 >"$out" &
	local r=$!
	track $r
	wait_for 5 grep -q listening "$out" || fail "tcp server on $1"
	in_ns "$src" $UDP tcp-send "$1" 5200 300000 4100 ||
		fail_stats "TCP to $1: $(cat "$out")"
	wait $r || fail "TCP server on $1 failed"
	[ "$(sed -n 2p "$out")" = "$2 7100" ] ||
		fail_stats "server saw peer $(sed -n 2p "$out"), not $2 7100"
	refresh
	log "TCP to $1: intact, peer $2:7100, $(( $(fp_stat tx_packets) - before )) packets through the workers"
	[ $(( $(fp_stat tx_packets) - before )) -ge 200 ] ||
		fail_stats "the workers did not carry the connection"
}

# kill_under_traffic: 300 datagrams to 198.18.2.1:5002 (a redirect rule with
# ttl-delta -1 in place); pcfd is killed with -9 once 20 came through the
# workers (TTL 62).  The rest must arrive through the kernel (TTL 63): both
# paths seen, the flow to its end, at most 20 lost.
kill_under_traffic() {
	local r s n fast kern last
	recv_start 198.18.2.1 5002 300 "$TMP/recv.kill"
	r=$rpid
	in_ns "$src" $UDP send 198.18.2.1 5002 300 0.01 64 4000 &
	s=$!
	track $s
	wait_for 10 lines_ge "$TMP/recv.kill" ' 62 ' 20 ||
		fail_stats "the flow did not start through the workers"
	kill -9 $fp
	wait $s
	# the last one sent arrived: after the kill all go one way, the
	# kernel's, in order; the others are there or lost
	recv_end $r grep -q ' 299$' "$TMP/recv.kill"
	n=$(grep -vc listening "$TMP/recv.kill")
	fast=$(awk '$3 == 62' "$TMP/recv.kill" | wc -l)
	kern=$(awk '$3 == 63' "$TMP/recv.kill" | wc -l)
	last=$(awk '$4 != "" { s = $4 } END { print s }' "$TMP/recv.kill")
	log "received $n of 300: $fast through pcf, $kern through the kernel, last seq $last"
	[ "$fast" -gt 0 ] && [ "$kern" -gt 0 ] || fail "expected both paths"
	[ "$last" = 299 ] || fail "the flow stopped at seq $last"
	[ "$n" -ge 280 ] || fail "lost $((300 - n)) of 300"
}
