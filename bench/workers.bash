# shellcheck shell=bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bench/workers.bash: the worker cases of bench/run.sh (sourced by it,
# after its namespaces and veths exist; see its header for the cases).
#
#   ns tx            ns rx (the dut)                       ns sk
#   gen -> IF_TX === IF_RX 198.18.1.2  [pcfd | testpmd]  IF_B 198.18.2.2 === IF_K
#                                                        sink.bpf.c: drop, count,
#                                                        latency histogram
# gen sends 198.18.1.1:9 -> 198.18.2.1:9; the dut routes 198.18.2.1 out of
# IF_B to IF_K's MAC (a permanent neighbour entry).
# From run.sh: NS_*, IF_*, SECS, RUNS, GEN, SINK, PCFD, PCFCTL, *_PIN,
# WORKER_CASES, RESULT, LATENCY, run (the round), median, ratio.
# shellcheck disable=SC2153,SC2154

FWD_TUPLE=(-s 198.18.1.1 -d 198.18.2.1 -S 9 -D 9)
FWD_MATCH="dst 198.18.2.1 proto udp dport 9"
CTL_PORT=$((0x70660000 + 0x$ID)) # never the default, never another run's
TP_PREFIX=pcfb$ID		 # testpmd's --file-prefix: /var/run/dpdk/...
RET_VETH=r${ID}a,r${ID}b	 # pcfd's return veth in the dut: this run's names

# the rule of each pcfd case, and its pcfd options
declare -A FP_RULE=(
	[fwd-drop]="$FWD_MATCH action redirect ttl-delta -64 egress kernel"
	[fwd-drop-poll]="$FWD_MATCH action redirect ttl-delta -64 egress kernel"
	[fwd]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
	[fwd-poll]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
	[fwd-raw]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
	[fwd-kernel]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress kernel"
	[fwd-ct]="$FWD_MATCH action redirect ct snat 198.18.2.77:20000-29999 ttl-delta -1 egress wire"
	[conns-ct]="dst 198.18.2.1 proto udp action redirect ct snat 198.18.2.77:1024-65535 egress wire"
	[fwd-kernel-fib]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1"
	[fwd-16k]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
	[fwd-16k-scrape]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
	# design 001's whole job (issue 13): gen's frames inside VXLAN frames;
	# the allowed sources, decap, DNAT to the appliance, DF cleared, out of
	# b whatever the routing table says
	[gw001]="encap vxlan src 198.18.1.0/24 action redirect decap dnat 198.18.2.3 df-clear egress dev $IF_B"
)
declare -A FP_ARGS=(
	[fwd-drop]="--rx-mode adaptive"
	[fwd-drop-poll]="--rx-mode poll"
	[fwd]="--rx-mode adaptive"
	[fwd-poll]="--rx-mode poll"
	[fwd-raw]="--rx-mode adaptive --pipeline off"
	[fwd-kernel]="--rx-mode adaptive"
	[fwd-ct]="--rx-mode adaptive"
	[conns-ct]="--rx-mode adaptive"
	[fwd-kernel-fib]="--rx-mode adaptive --egress kernel"
	[fwd-16k]="--rx-mode adaptive --http unix:$TMP/fp-http.sock"
	[fwd-16k-scrape]="--rx-mode adaptive --http unix:$TMP/fp-http.sock"
	[gw001]="--rx-mode adaptive"
)

ctl() { "$PCFCTL" -n "$NS_RX" --ctl-port "$CTL_PORT" "$@"; }
sink_rx() { ip netns exec "$NS_SK" cat "/sys/class/net/$IF_K/statistics/rx_packets"; }

workers_setup() {
	local mac_k
	ip -n "$NS_RX" addr add 198.18.1.2/24 dev "$IF_RX"
	ip -n "$NS_RX" addr add 198.18.2.2/24 dev "$IF_B"
	ip netns exec "$NS_RX" sysctl -qw net.ipv4.ip_forward=1
	mac_k=$(ip -n "$NS_SK" -br link show "$IF_K" | awk '{print $3}')
	ip -n "$NS_RX" neigh replace 198.18.2.1 lladdr "$mac_k" dev "$IF_B" \
		nud permanent || fail_stderr "neighbour 198.18.2.1"
	# gw001's appliance (issue 13)
	ip -n "$NS_RX" neigh replace 198.18.2.3 lladdr "$mac_k" dev "$IF_B" \
		nud permanent || fail_stderr "neighbour 198.18.2.3"
	in_ns "$NS_SK" "$SINK" attach "$IF_K" "$SINK_PIN" ||
		fail_stderr "cannot attach the sink to $IF_K"
	trap workers_cleanup EXIT
}

# testpmd's run directory goes too, on every exit, and libxdp's pin
# directory if this run made it (run.sh: LIBXDP_PINS_OURS; testpmd's
# net_af_xdp makes it too, through libxdp); then common.sh's cleanup
workers_cleanup() {
	local rc=$?
	rm -rf "/var/run/dpdk/$TP_PREFIX"
	[ -z "${LIBXDP_PINS_OURS:-}" ] || rmdir /sys/fs/bpf/xdp 2>/dev/null
	(exit $rc)
	cleanup
}

# fp_start CASE: pcfd on IF_RX and IF_B, workers on CPU 1, the case's rule
fp_start() {
	# shellcheck disable=SC2086
	nsenter --net=/run/netns/"$NS_RX" "$PCFD" -f --pin-dir "$FP_PIN" \
		--ctl-port "$CTL_PORT" -i "$IF_RX" -i "$IF_B" --cpus 1 \
		--return-veth "$RET_VETH" \
		${FP_ARGS[$1]} ${PCF_BENCH_PCFD_ARGS:-} >>"$TMP/fp.err" 2>&1 &
	FP=$!
	track $FP
	wait_for 10 ctl flow show >/dev/null 2>&1 ||
		fail_stderr "pcfd did not start: $(tail -n 5 "$TMP/fp.err")"
	# shellcheck disable=SC2086
	ctl flow add ${FP_RULE[$1]} >/dev/null || fail_stderr "flow add ${FP_RULE[$1]}"
	[[ $1 != fwd-16k* ]] && return 0
	# the table full: 16 383 exact rules more, none of gen's flow
	[ -s "$TMP/16k.batch" ] || python3 -c 'for i in range(16383): print("flow add dst 198.19.%d.%d proto udp dport 9 action drop" % (i // 256, i % 256))' >"$TMP/16k.batch"
	ctl -batch "$TMP/16k.batch" >/dev/null || fail_stderr "16383 rules"
}

fp_stop() {
	kill -TERM "$FP"
	wait "$FP" || fail_stderr "pcfd exited with $?: $(tail -n 5 "$TMP/fp.err")"
	in_ns "$NS_RX" "$PCFD" --unload --pin-dir "$FP_PIN" -i "$IF_RX" \
		-i "$IF_B" --return-veth "$RET_VETH" >>"$TMP/fp.err" 2>&1 ||
		fail_stderr "pcfd --unload: $(tail -n 3 "$TMP/fp.err")"
}

# fp_sum FIELD: the workers' FIELD (rx_packets, tx_packets, or
# drops.REASON) summed
fp_sum() {
	ctl -j stats | jq "[.workers[].$1 // 0] | add"
}

# fp_counted_drops: every drop pcfd counts, not twice (the helper says)
fp_counted_drops() {
	ctl -j stats | python3 "$top/tests/lib/counted_drops.py"
}

# fp_drained: the workers' tx counter stood still since the last call
fp_drained() {
	local now
	now=$(fp_sum tx_packets)
	[ "$now" = "${FP_LAST_TX:-}" ] && return 0
	FP_LAST_TX=$now
	return 1
}

# fp_sleeps: how often pcfd's worker threads (named pcf-IFNAME/Q) have
# slept: their voluntary context switches
fp_sleeps() {
	local t n s=0
	for t in /proc/"$FP"/task/*; do
		read -r n <"$t/comm" 2>/dev/null || continue
		[[ $n == pcf-* ]] || continue
		s=$((s + $(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")))
	done
	echo "$s"
}

# tp_start MODE IFNAME...: testpmd in the dut, one net_af_xdp port per
# interface, forwarding lcore 1 (PERF-NOTES' command line)
tp_start() {
	local mode=$1 vdevs=() i=0 ifc
	shift
	for ifc in "$@"; do
		vdevs+=(--vdev "net_af_xdp$i,iface=$ifc,start_queue=0,queue_count=1")
		i=$((i + 1))
	done
	# stdbuf: its output is how we know it forwards
	nsenter --net=/run/netns/"$NS_RX" stdbuf -oL dpdk-testpmd -l 0,1 \
		--main-lcore 0 --no-huge -m 1024 --no-pci \
		--file-prefix "$TP_PREFIX" "${vdevs[@]}" -- \
		--forward-mode="$mode" --nb-cores=1 --stats-period 1 \
		>"$TMP/tp.out" 2>&1 &
	TP=$!
	track $TP
	wait_for 30 grep -q "Port statistics" "$TMP/tp.out" ||
		fail_stderr "testpmd did not start: $(tail -n 5 "$TMP/tp.out")"
}

# tp_stop: SIGINT, testpmd prints its totals (and exits non-zero); sets
# TP_RX to its RX-packets
tp_stop() {
	local ifc n
	kill -INT "$TP"
	wait "$TP"
	n=$(awk '/Accumulated forward statistics/ { a = 1 }
		a && /RX-packets:/ { print $2; exit }' "$TMP/tp.out")
	[ -n "$n" ] || fail_stderr "testpmd printed no totals: $(tail -n 5 "$TMP/tp.out")"
	for ifc in "$IF_RX" "$IF_B"; do
		ip -n "$NS_RX" link show "$ifc" | grep -q xdp &&
			fail_stderr "testpmd left XDP on $ifc"
	done
	TP_RX=$n
}

# kernel-fwd: no XDP on rx, the kernel routes gen's frames out of b (GRO
# on rx: a veth takes redirected frames only while its peer runs NAPI)
kfwd_start() {
	in_ns "$NS_RX" $UDPTOOL gro-on "$IF_RX" || fail_stderr "GRO stays off on $IF_RX"
}
kfwd_stop() {
	in_ns "$NS_RX" $UDPTOOL gro-off "$IF_RX"
}

# gen_args CASE: more gen options: the kernel takes only frames to rx's
# MAC, and rewrites them in place as it forwards them (-R: gen restores)
gen_args() {
	[[ $1 == kernel-fwd || $1 == nft-fwd ]] &&
		echo -R -M "$(rx_mac)"
	# VXLAN frames; the metadata pcf_steer writes in front of a
	# decapsulated frame lands on its outer headers: restored
	[[ $1 == gw001 ]] && echo -V 42 -R
	return 0
}

# gen_fwd [GEN_ARGS...]: gen's line, "frames N seconds S cpu_seconds C"
gen_fwd() {
	in_ns "$NS_TX" "$GEN" -c 0 -t "$SECS" "${FWD_TUPLE[@]}" "$@" "$IF_TX" ||
		fail_stderr "gen failed"
}

# measure_worker CASE: one run; prints the Mpps (wall clock), logs details
measure_worker() {
	local cse=$1 rx0 tx0 ttl0 sl0 sk0 out frames secs got sent drops
	local extra='' ttl=
	case $cse in
	conns-*) measure_conns "$cse"; return ;;
	dpdk-rx) tp_start rxonly "$IF_RX" ;;
	dpdk-echo) tp_start icmpecho "$IF_RX" ;;
	dpdk-io) tp_start io "$IF_RX" "$IF_B" ;;
	nft-fwd) nft_start ;;
	kernel-fwd) kfwd_start ;;
	*) fp_start "$cse" ;;
	esac
	if [[ $cse == fwd* || $cse == gw001 ]]; then
		rx0=$(fp_sum rx_packets) tx0=$(fp_sum tx_packets)
		ttl0=$(fp_sum drops.ttl_expired) sl0=$(fp_sleeps)
	fi
	sk0=$(sink_rx)
	if [ "$cse" = fwd-16k-scrape ]; then
		# Prometheus' part, faster: GET /metrics every 100 ms meanwhile,
		# from CPU 0 (gen's): a Prometheus runs on another machine, and
		# what the node spends on a scrape is pcfd's (its main loop keeps
		# off the workers' CPU 1)
		taskset -c 0 "$HTTP_LOAD" -u "$TMP/fp-http.sock" scrape -i 100 \
			-t "$((SECS + 1))" >"$TMP/scrape.out" 2>&1 &
		SCRAPER=$!
		track $SCRAPER
	fi
	# shellcheck disable=SC2046
	out=$(gen_fwd $(gen_args "$cse")) || exit 1
	read -r _ frames _ secs _ <<<"$out"
	if [ "$cse" = fwd-16k-scrape ]; then
		wait $SCRAPER || fail_stderr "scraper: $(cat "$TMP/scrape.out")"
		extra="scraped during: $(cat "$TMP/scrape.out"), "
	fi
	case $cse in
	dpdk-rx | dpdk-echo) tp_stop && got=$TP_RX extra="testpmd rx $TP_RX" ;;
	dpdk-io)
		got=$(($(sink_rx) - sk0))
		tp_stop && extra="testpmd rx $TP_RX"
		;;
	nft-fwd)
		got=$(($(sink_rx) - sk0))
		extra="conntrack: $(nft_entries) entries"
		nft_stop
		;;
	kernel-fwd)
		got=$(($(sink_rx) - sk0))
		kfwd_stop
		;;
	fwd-drop*)
		got=$(($(fp_sum rx_packets) - rx0))
		ttl=$(($(fp_sum drops.ttl_expired) - ttl0))
		extra="ttl_expired $ttl"
		;;
	fwd)
		# (c) at saturation: every frame sent arrived or was counted
		FP_LAST_TX=
		wait_for 10 fp_drained || fail_stderr "$cse: the workers never settled"
		got=$(($(sink_rx) - sk0))
		drops=$(fp_counted_drops)
		extra="workers rx $(($(fp_sum rx_packets) - rx0)) tx $(($(fp_sum tx_packets) - tx0))"
		extra+=", accounted: sent $frames = received $got + counted drops $drops"
		extra+=" (off by $((frames - got - drops)))"
		awk -v f="$frames" -v g="$got" -v d="$drops" 'BEGIN {
			x = f - g - d; if (x < 0) x = -x; printf "%.4f\n", x / f }' \
			>>"$TMP/accounted-${label:-now}"
		;;
	*)
		got=$(($(sink_rx) - sk0))
		extra+="workers rx $(($(fp_sum rx_packets) - rx0)) tx $(($(fp_sum tx_packets) - tx0))"
		;;
	esac
	if [[ $cse == fwd* || $cse == gw001 ]]; then
		extra+=", worker sleeps $(($(fp_sleeps) - sl0))"
		extra+=", xdp $(ctl -j stats | jq -c '.xdp | with_entries(select(.value.packets > 0)) | map_values(.packets)')"
		extra+=", drops $(ctl -j stats | jq -c '[.workers[].drops | to_entries[] | select(.value > 0)] | group_by(.key) | map({(.[0].key): (map(.value) | add)}) | add // {}')"
		# the path check: fwd-kernel's packets left by pcf_return's
		# devmap redirect, not up the kernel's stack
		[[ $cse != fwd-kernel ]] ||
			[ "$(ctl -j stats | jq '.xdp.return_redirect.packets // 0')" -ge "$got" ] ||
			fail_stderr "$cse: $got received, not all by devmap: $extra"
		# fwd-ct's packets took the session, not the rule: one session
		[[ $cse != fwd-ct ]] || {
			[ "$(ctl -j stats | jq '.xdp.session_redirect.packets // 0')" -ge "$got" ] &&
				[ "$(ctl session show | wc -l)" = 1 ]
		} || fail_stderr "$cse: $got received, not all through its session: $(ctl session show | head -2)"
		# fwd-kernel-fib's went out of the worker, none by the return
		# veth (a reference from before the shortcut: all of them)
		[[ $cse != fwd-kernel-fib || ${label:-now} != now ]] ||
			[ "$(ctl -j stats | jq '.xdp.return_redirect.packets // 0')" -eq 0 ] ||
			fail_stderr "$cse: packets went through the return veth: $extra"
		# gw001's took its encap rule, each one of them
		[[ $cse != gw001 ]] ||
			[ "$(ctl -j flow show | jq '.[0].worker_packets')" -ge "$got" ] ||
			fail_stderr "$cse: $got received, not all by the encap rule: $extra"
		fp_stop
	fi
	[ "${got:-0}" -gt 0 ] || fail_stderr "$cse: nothing arrived ($extra)"
	# the path check: fwd-drop's packets all died of their TTL
	[[ $cse != fwd-drop* ]] || [ "$ttl" -eq "$got" ] ||
		fail_stderr "$cse: $got received, $extra"
	read -r got sent <<<"$(awk -v g="$got" -v f="$frames" -v t="$secs" \
		'BEGIN { printf "%.3f %.3f", g / t / 1e6, f / t / 1e6 }')"
	log "same-cpu run $run $cse: $got Mpps ($sent Mpps sent), $extra" >&2
	echo "$got"
}

# ---- the kernel's NAT, and new connections (issue 12) ----

rx_mac() { ip -n "$NS_RX" -br link show "$IF_RX" | awk '{print $3}'; }
tx_rx() { ip netns exec "$NS_TX" cat "/sys/class/net/$IF_TX/statistics/rx_packets"; }

# gro NS IFNAME on|off: a veth takes redirected or XDP_TX'd frames only
# when it (the receiving end) runs NAPI: an XDP program, or GRO on
gro() { in_ns "$1" $UDPTOOL "gro-$3" "$2"; }

# nft_start: the kernel forwards and NATs, no pcf: nftables masquerade
# out of IF_B (conntrack, the source to IF_B's address)
nft_start() {
	gro "$NS_RX" "$IF_RX" on
	ip netns exec "$NS_RX" nft -f - <<NFT || fail_stderr "nft"
table ip pcfbench {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$IF_B" masquerade
	}
}
NFT
}
nft_stop() {
	ip netns exec "$NS_RX" nft delete table ip pcfbench
	gro "$NS_RX" "$IF_RX" off
}
nft_entries() { ip netns exec "$NS_RX" cat /proc/sys/net/netfilter/nf_conntrack_count; }

# echo_on / echo_off: the sink answers every frame (bench/echo.bpf.c)
# instead of counting it; the answers go back through the dut to tx
echo_on() {
	ip -n "$NS_SK" link set dev "$IF_K" xdp off
	ip -n "$NS_SK" link set dev "$IF_K" xdp obj "$ECHO_OBJ" sec xdp ||
		fail_stderr "cannot attach bench/echo to $IF_K"
	# the answers to the client: through IF_RX to tx's end
	ip -n "$NS_RX" neigh replace 198.18.1.1 lladdr \
		"$(ip -n "$NS_TX" -br link show "$IF_TX" | awk '{print $3}')" \
		dev "$IF_RX" nud permanent || fail_stderr "neighbour 198.18.1.1"
}
echo_off() {
	ip -n "$NS_SK" link set dev "$IF_K" xdp off
	rm -f "$SINK_PIN"
	in_ns "$NS_SK" "$SINK" attach "$IF_K" "$SINK_PIN" ||
		fail_stderr "cannot attach the sink to $IF_K again"
}

# wait_answers TX0: until the answers stop coming (tx's rx counter stood
# still for 200 ms; 20 s at most); ANS_N the counter, ANS_T the time of
# its last change
wait_answers() {
	local n still=0 end=$((${EPOCHREALTIME%.*} + 20))
	ANS_N=$1 ANS_T=$EPOCHREALTIME
	while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
		n=$(tx_rx)
		if [ "$n" != "$ANS_N" ]; then
			ANS_N=$n ANS_T=$EPOCHREALTIME still=0
		elif [ $((++still)) -ge 20 ]; then
			return 0
		fi
		sleep 0.01
	done
	return 1
}

# measure_conns CASE: new connections per second, each a fresh 5-tuple
# (CONNS of them, source ports 5000..: gen -f) offered at CONNS_RATE
# (more than either takes: what they drop is not answered), each answered
# by the echo at the sink; the answers that came back through the dut to
# tx over the time from the first frame to the last answer.  conns-ct: pcfd, ct snat (a session, a port, per connection);
# conns-nft: the kernel, nftables masquerade (a conntrack entry each).
# The destination port changes with every run, so that the kernel's
# entries of the last run are not found again.
CONNS=${PCF_BENCH_CONNS:-60000}
CONNS_RATE=${PCF_BENCH_CONNS_RATE:-1000000}
measure_conns() {
	local cse=$1 tx0 t0 out frames secs answered rate extra made=''
	echo_on
	if [ "$cse" = conns-ct ]; then
		fp_start "$cse"
	else
		nft_start
		ip -n "$NS_RX" link set dev "$IF_B" xdp obj "$PASS_OBJ" sec xdp ||
			fail_stderr "cannot attach bench/pass to $IF_B"
	fi
	tx0=$(tx_rx)
	t0=$EPOCHREALTIME
	out=$(in_ns "$NS_TX" "$GEN" -c 0 -t "$(awk -v n="$CONNS" -v r="$CONNS_RATE" \
		'BEGIN { printf "%.3f", n / r }')" -r "$CONNS_RATE" \
		-s 198.18.1.1 -d 198.18.2.1 -S 5000 -D $((1000 + run)) \
		-f "$CONNS" -R -M "$(rx_mac)" "$IF_TX") || fail_stderr "gen failed"
	read -r _ frames _ secs _ <<<"$out"
	wait_answers "$tx0" || fail_stderr "$cse: the answers never settled"
	answered=$((ANS_N - tx0))
	if [ "$cse" = conns-ct ]; then
		made=$(ctl -j stats | jq '.sessions.created')
		extra="sessions made $made, refused $(ctl -j stats | jq '.sessions.refused'), ports exhausted $(ctl -j stats | jq '.sessions.ports_exhausted')"
		fp_stop
	else
		extra="conntrack entries $(nft_entries)"
		ip -n "$NS_RX" link set dev "$IF_B" xdp off
		nft_stop
	fi
	echo_off
	[ "$answered" -gt 0 ] || fail_stderr "$cse: no answer came back ($extra)"
	rate=$(awk -v a="$answered" -v t0="$t0" -v t1="$ANS_T" \
		'BEGIN { printf "%.3f", a / (t1 - t0) / 1e6 }')
	log "same-cpu run $run $cse: $rate M connections/s answered: $answered of $frames offered at $CONNS_RATE/s over $(awk -v a="$t0" -v b="$ANS_T" 'BEGIN { printf "%.3f", b - a }') s; $extra" >&2
	echo "$rate"
}

# LAT_CASES: the forwarders whose latency is measured, at one offered load
LAT_CASES="fwd fwd-poll dpdk-io kernel-fwd"

# measure_latency CASE MPPS ROUND NAME: CASE at half of MPPS, stamped;
# prints its line, and its histogram into $TMP/hist-NAME-ROUND
measure_latency() {
	local cse=$1 rate sk0 out frames secs got hist h=$TMP/hist-$4-$3
	local sl0 sleeps='' st
	rate=$(awk -v m="$2" 'BEGIN { printf "%d", m * 1e6 / 2 }')
	case $cse in
	dpdk-io) tp_start io "$IF_RX" "$IF_B" ;;
	kernel-fwd) kfwd_start ;;
	*) fp_start "$cse" ;;
	esac
	in_ns "$NS_SK" "$SINK" read "$SINK_PIN" >/dev/null # clear it
	sk0=$(sink_rx)
	st=$(steal_ms)
	# the sleeps while gen runs, not those of the idle worker around it
	is_pcf_case "$cse" && sl0=$(fp_sleeps)
	# gen stops a paced run it cannot keep (other work on CPU 0): then
	# this round of the case is not measured, the others go on
	# shellcheck disable=SC2046
	out=$(in_ns "$NS_TX" "$GEN" -c 0 -t "$SECS" "${FWD_TUPLE[@]}" -T \
		-r "$rate" $(gen_args "$cse") "$IF_TX" 2>&1)
	is_pcf_case "$cse" && sleeps=" worker_sleeps $(($(fp_sleeps) - sl0))"
	st=$(steal_since "$st")
	read -r _ frames _ secs _ <<<"$out"
	got=$(($(sink_rx) - sk0))
	in_ns "$NS_SK" "$SINK" read -H "$SINK_PIN" >"$h" || fail_stderr "sink read"
	hist=$(head -n 1 "$h")
	case $cse in
	dpdk-io) tp_stop ;;
	kernel-fwd) kfwd_stop ;;
	*) fp_stop ;;
	esac
	if [[ $frames != [0-9]* ]]; then
		rm -f "$h"
		echo "not measured: $(tr '\n' ' ' <<<"$out")"
		return 0
	fi
	awk -v r="$rate" -v f="$frames" -v g="$got" -v t="$secs" -v h="$hist" \
		-v s="$sleeps" -v st="$st" \
		'BEGIN { printf "offered %.3f Mpps (target %.3f), received %.3f Mpps; %s%s steal_ms %s\n",
			f / t / 1e6, r / 1e6, g / t / 1e6, h, s, st }'
}

# measure_latencies MPPS: RUNS rounds of every LAT_CASES case in turn,
# one line each: "CASE round N offered ..."; with PCF_BENCH_REF, each pcf
# case again with the reference's pcfd right after it: "CASE@ref ..."
measure_latencies() {
	local cse line r label name i n
	local -a runs=()
	for cse in $LAT_CASES; do
		[[ " $CASES " == *" $cse "* ]] || continue
		for label in $LABELS; do
			[ "$label" = ref ] && ! is_pcf_case "$cse" && continue
			runs+=("$cse $label")
		done
	done
	n=${#runs[@]}
	# each round begins one further along the list: the first place in
	# a round (after the last one's teardown, CPU 1 idle) has had the
	# most steal, and no forwarder should always take it
	for ((r = 1; r <= RUNS; r++)); do
		for ((i = 0; i < n; i++)); do
			read -r cse label <<<"${runs[(i + r - 1) % n]}"
			use_build "$label"
			name=$cse
			[ "$label" = ref ] && name+=@ref
			line=$(measure_latency "$cse" "$1" "$r" "$name") || exit 1
			printf '  %-12s round %d %s\n' "$name" "$r" "$line"
		done
		use_build now
	done
}

# lat_names: the names of the latency lines, LAT_CASES and their @ref
lat_names() {
	local cse
	for cse in $LAT_CASES; do
		echo "$cse"
		[ -n "$REF" ] && is_pcf_case "$cse" && echo "$cse@ref"
	done
	return 0
}

# lat_field CASE FIELD: FIELD's value (the word after it) in each of
# CASE's LATENCY lines
lat_field() {
	awk -v c="$1" -v f="$2" '$1 == c { for (i = 1; i < NF; i++)
		if ($i == f) print $(i + 1) }' <<<"$LATENCY"
}

# p99_verdict C T GOOD BAD: GOOD if p99 C is at most testpmd's p99 T,
# else BAD; but when both are beyond the sink's histogram (above its
# range_us, which its last bucket holds), neither is known
p99_verdict() {
	awk -v c="$1" -v t="$2" -v r="$(lat_field dpdk-io range_us | head -n 1)" \
		-v good="$3" -v bad="$4" 'BEGIN {
		if (r != "" && c > r && t > r)
			printf "not known: both beyond the histogram (> %s us)", r
		else
			printf "%s", c <= t ? good : bad }'
}

# rounds_at_most A B: "K of N", the rounds in which A's p99 was at most
# B's (the same round: the cases of a round run back to back, so a
# round's pair shares the host's weather that the medians mix)
rounds_at_most() {
	awk -v a="$1" -v b="$2" '$1 == a || $1 == b {
		for (i = 1; i < NF; i++)
			if ($i == "p99_us") p[$1, $3] = $(i + 1) + 0
		r[$3] = 1 }
		END { for (x in r) if ((a, x) in p && (b, x) in p) {
				n++; if (p[a, x] <= p[b, x]) k++ }
			printf "%d of %d", k, n }' <<<"$LATENCY"
}

# latency_summary: per case the medians of the rounds, the goal ((c)'s
# p99 at most testpmd's), and the histogram of the round of median p99
latency_summary() {
	local cse p99 r
	declare -A P99=()
	echo "medians of the rounds:"
	for cse in $(lat_names); do
		[ -n "$(lat_field "$cse" p99_us)" ] || continue
		# shellcheck disable=SC2046
		P99[$cse]=$(median $(lat_field "$cse" p99_us))
		# shellcheck disable=SC2046
		printf '  %-12s offered %s Mpps, p50 %s us, p99 %s us (rounds: %s)\n' \
			"$cse" "$(median $(lat_field "$cse" offered))" \
			"$(median $(lat_field "$cse" p50_us))" "${P99[$cse]}" \
			"$(lat_field "$cse" p99_us | tr '\n' ' ')"
	done
	[ -n "${P99[fwd]:-}" ] && [ -n "${P99[dpdk-io]:-}" ] &&
		printf '  p99 (c) fwd %s us, testpmd io %s us: %s (<=)\n' \
			"${P99[fwd]}" "${P99[dpdk-io]}" \
			"$(p99_verdict "${P99[fwd]}" "${P99[dpdk-io]}" met MISSED)"
	[ -n "${P99[fwd-poll]:-}" ] && [ -n "${P99[dpdk-io]:-}" ] &&
		printf '  p99 (c) fwd-poll %s us, testpmd io %s us: %s (no goal: both poll)\n' \
			"${P99[fwd-poll]}" "${P99[dpdk-io]}" \
			"$(p99_verdict "${P99[fwd-poll]}" "${P99[dpdk-io]}" \
				"at most" "above")"
	for cse in fwd fwd-poll; do
		[ -n "${P99[$cse]:-}" ] && [ -n "${P99[dpdk-io]:-}" ] &&
			printf '  rounds where %s p99 <= testpmd io p99: %s\n' \
				"$cse" "$(rounds_at_most "$cse" dpdk-io)"
	done
	[ -n "${P99[fwd@ref]:-}" ] && [ -n "${P99[dpdk-io]:-}" ] &&
		printf '  p99 (c) fwd@ref (PCF_BENCH_REF) %s us, testpmd io %s us: %s\n' \
			"${P99[fwd@ref]}" "${P99[dpdk-io]}" \
			"$(p99_verdict "${P99[fwd@ref]}" "${P99[dpdk-io]}" \
				"would meet it" "would miss it")"
	echo "histograms, the round of median p99 (us: frames whose latency is at most that):"
	for cse in $(lat_names); do
		p99=${P99[$cse]:-}
		[ -n "$p99" ] || continue
		r=$(awk -v c="$cse" -v p="$p99" '$1 == c { for (i = 1; i < NF; i++)
			if ($i == "p99_us" && $(i + 1) == p) { print $3; exit } }' <<<"$LATENCY")
		printf '  %-12s %s\n' "$cse" "$(tail -n +2 "$TMP/hist-$cse-$r")"
	done
}

# workers_report: the table of the worker cases, the ratios and goals
workers_report() {
	local cse r
	declare -A M=()
	for cse in $WORKER_CASES; do
		# shellcheck disable=SC2086
		[ -n "${RESULT[same-cpu,$cse]:-}" ] &&
			M[$cse]=$(median ${RESULT[same-cpu,$cse]})
	done
	[ ${#M[@]} -gt 0 ] || return 0
	echo "workers: median of $RUNS runs of ${SECS}s, 64-byte UDP, gen on CPU 0, workers / testpmd lcore on CPU 1, Mpps over the wall clock"
	# shellcheck disable=SC2086
	[ -n "${RESULT[same-cpu,ceiling]:-}" ] &&
		printf '  %-14s %7s  %s\n' "ceiling" "$(median ${RESULT[same-cpu,ceiling]})" \
			"(a) XDP_DROP on rx (gen's CPU time, see above)"
	for cse in $WORKER_CASES; do
		[ -n "${M[$cse]:-}" ] || continue
		printf '  %-14s %7s  runs %s\n' "$cse" "${M[$cse]}" \
			"${RESULT[same-cpu,$cse]}"
	done
	goal_line() { # NAME A B GOAL
		r=$(ratio "$2" "$3")
		printf '  %-30s %5s  ' "$1" "$r"
		if [ "$r" = - ]; then
			echo "(not measured)"
		else
			awk -v r="$r" -v g="$4" 'BEGIN { print (r >= g ? "met" : "MISSED") " (>= " g ")" }'
		fi
	}
	echo "ratios:"
	goal_line "(b) fwd-drop / dpdk-rx" "${M[fwd-drop]:-}" "${M[dpdk-rx]:-}" 1.0
	printf '  %-30s %5s  %s\n' "(b) fwd-drop / dpdk-echo" \
		"$(ratio "${M[fwd-drop]:-}" "${M[dpdk-echo]:-}")" \
		"(no goal: testpmd reading each packet's headers)"
	goal_line "(c) fwd / dpdk-io" "${M[fwd]:-}" "${M[dpdk-io]:-}" 1.0
	goal_line "(c) fwd / (d) fwd-raw" "${M[fwd]:-}" "${M[fwd-raw]:-}" 0.9
	goal_line "(f) fwd-kernel / (c) fwd" "${M[fwd-kernel]:-}" "${M[fwd]:-}" 0.9
	goal_line "(f) fwd-kernel-fib / (c) fwd" "${M[fwd-kernel-fib]:-}" "${M[fwd]:-}" 0.9
	goal_line "adaptive / poll (fwd-drop)" "${M[fwd-drop]:-}" "${M[fwd-drop-poll]:-}" 0.95
	goal_line "adaptive / poll (fwd)" "${M[fwd]:-}" "${M[fwd-poll]:-}" 0.95
	goal_line "(g) fwd-ct / (c) fwd" "${M[fwd-ct]:-}" "${M[fwd]:-}" 0.95
	goal_line "gw001 / (c) fwd (issue 13)" "${M[gw001]:-}" "${M[fwd]:-}" 0.9
	# shellcheck disable=SC2086
	[ -n "${M[gw001]:-}" ] && awk -v g="${M[gw001]}" \
		-v c="$(median ${RESULT[same-cpu,ceiling]:-})" 'BEGIN {
		printf "  gw001: %.0f packets/s, %.1fx design 001'"'"'s 85 000 packets/s (another machine); here XDP_DROP does %s Mpps (the goal: >= 6x where it does 4.6, >= 20x where it does 22)\n",
			g * 1e6, g * 1e6 / 85000, c == "" ? "(ceiling not run)" : c }'
	goal_line "(g) fwd-ct / nft-fwd" "${M[fwd-ct]:-}" "${M[nft-fwd]:-}" 2.5
	goal_line "conns-ct / conns-nft" "${M[conns-ct]:-}" "${M[conns-nft]:-}" 1.0
	# 1 % wants more than two decimals; and the load of the machine
	# drifts within a bench, so each run's pair (run one after the
	# other) is compared too: the median of those ratios
	if [ -n "${M[fwd-16k-scrape]:-}" ] && [ -n "${M[fwd-16k]:-}" ]; then
		awk -v a="${M[fwd-16k-scrape]}" -v b="${M[fwd-16k]}" \
			-v as="${RESULT[same-cpu,fwd-16k-scrape]}" \
			-v bs="${RESULT[same-cpu,fwd-16k]}" 'BEGIN {
			r = a / b; printf "  %-26s %.4f %s (>= 0.99: scraping /metrics of 16384 rules every 100 ms)\n",
				"fwd-16k-scrape / fwd-16k", r, (r >= 0.99 ? "met" : "MISSED")
			n = split(as, x, " "); split(bs, y, " ")
			for (i = 1; i <= n; i++) p[i] = x[i] / y[i]
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (p[j] < p[i]) { t = p[i]; p[i] = p[j]; p[j] = t }
			m = p[int((n + 1) / 2)]
			printf "  %-26s %.4f %s (the median of the %d runs'"'"' own ratios:", "  per run, paired", m,
				(m >= 0.99 ? "met" : "MISSED"), n
			for (i = 1; i <= n; i++) printf " %.3f", p[i]
			printf ")\n" }'
	fi
	printf '  %-30s %5s  %s\n' "(c) fwd / kernel-fwd" \
		"$(ratio "${M[fwd]:-}" "${M[kernel-fwd]:-}")" \
		"(no goal: the kernel forwarding the same frames, no XDP)"
	if [ -n "${LATENCY:-}" ]; then
		r="half of (c) fwd's median rate"
		[ -n "${PCF_BENCH_LAT_MPPS:-}" ] && r="$PCF_BENCH_LAT_MPPS Mpps"
		echo "latency at one offered load, $r, $RUNS rounds (us: the upper edge of the bucket, 1.024 us wide up to 2.1 ms, within 0.1 % above):"
		echo "$LATENCY"
		latency_summary
	fi
	if [ -s "$TMP/accounted-now" ]; then
		awk '{ if ($1 > m) m = $1; n++ } END {
			printf "loss of (c) at saturation accounted for: |sent - received - counted drops| / sent at most %.2f%% in %d runs: %s (<=1%%)\n",
				100 * m, n, m <= 0.01 ? "met" : "MISSED" }' "$TMP/accounted-now"
	fi
	return 0
}
