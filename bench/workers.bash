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
	[fwd-16k]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
	[fwd-16k-scrape]="$FWD_MATCH action redirect snat 198.18.2.77:7777 ttl-delta -1 egress wire"
)
declare -A FP_ARGS=(
	[fwd-drop]="--rx-mode adaptive"
	[fwd-drop-poll]="--rx-mode poll"
	[fwd]="--rx-mode adaptive"
	[fwd-poll]="--rx-mode poll"
	[fwd-raw]="--rx-mode adaptive --pipeline off"
	[fwd-kernel]="--rx-mode adaptive"
	[fwd-16k]="--rx-mode adaptive --http unix:$TMP/fp-http.sock"
	[fwd-16k-scrape]="--rx-mode adaptive --http unix:$TMP/fp-http.sock"
)

# measure_worker's stdout is its result: messages go to stderr
wfail() { fail "$@" >&2; }

ctl() { "$PCFCTL" -n "$NS_RX" --ctl-port "$CTL_PORT" "$@"; }
sink_rx() { ip netns exec "$NS_SK" cat "/sys/class/net/$IF_K/statistics/rx_packets"; }

workers_setup() {
	local mac_k
	ip -n "$NS_RX" addr add 198.18.1.2/24 dev "$IF_RX"
	ip -n "$NS_RX" addr add 198.18.2.2/24 dev "$IF_B"
	ip netns exec "$NS_RX" sysctl -qw net.ipv4.ip_forward=1
	mac_k=$(ip -n "$NS_SK" -br link show "$IF_K" | awk '{print $3}')
	ip -n "$NS_RX" neigh replace 198.18.2.1 lladdr "$mac_k" dev "$IF_B" \
		nud permanent || wfail "neighbour 198.18.2.1"
	in_ns "$NS_SK" "$SINK" attach "$IF_K" "$SINK_PIN" ||
		wfail "cannot attach the sink to $IF_K"
	trap workers_cleanup EXIT
}

# testpmd's run directory goes too, on every exit; then common.sh's cleanup
workers_cleanup() {
	local rc=$?
	rm -rf "/var/run/dpdk/$TP_PREFIX"
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
		wfail "pcfd did not start: $(tail -n 5 "$TMP/fp.err")"
	# shellcheck disable=SC2086
	ctl flow add ${FP_RULE[$1]} >/dev/null || wfail "flow add ${FP_RULE[$1]}"
	[[ $1 != fwd-16k* ]] && return 0
	# the table full: 16 383 exact rules more, none of gen's flow
	[ -s "$TMP/16k.batch" ] || python3 -c 'for i in range(16383): print("flow add dst 198.19.%d.%d proto udp dport 9 action drop" % (i // 256, i % 256))' >"$TMP/16k.batch"
	ctl -batch "$TMP/16k.batch" >/dev/null || wfail "16383 rules"
}

fp_stop() {
	kill -TERM "$FP"
	wait "$FP" || wfail "pcfd exited with $?: $(tail -n 5 "$TMP/fp.err")"
	in_ns "$NS_RX" "$PCFD" --unload --pin-dir "$FP_PIN" -i "$IF_RX" \
		-i "$IF_B" --return-veth "$RET_VETH" >>"$TMP/fp.err" 2>&1 ||
		wfail "pcfd --unload: $(tail -n 3 "$TMP/fp.err")"
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
		wfail "testpmd did not start: $(tail -n 5 "$TMP/tp.out")"
}

# tp_stop: SIGINT, testpmd prints its totals (and exits non-zero); sets
# TP_RX to its RX-packets
tp_stop() {
	local ifc n
	kill -INT "$TP"
	wait "$TP"
	n=$(awk '/Accumulated forward statistics/ { a = 1 }
		a && /RX-packets:/ { print $2; exit }' "$TMP/tp.out")
	[ -n "$n" ] || wfail "testpmd printed no totals: $(tail -n 5 "$TMP/tp.out")"
	for ifc in "$IF_RX" "$IF_B"; do
		ip -n "$NS_RX" link show "$ifc" | grep -q xdp &&
			wfail "testpmd left XDP on $ifc"
	done
	TP_RX=$n
}

# gen_fwd [GEN_ARGS...]: gen's line, "frames N seconds S cpu_seconds C"
gen_fwd() {
	in_ns "$NS_TX" "$GEN" -c 0 -t "$SECS" "${FWD_TUPLE[@]}" "$@" "$IF_TX" ||
		wfail "gen failed"
}

# measure_worker CASE: one run; prints the Mpps (wall clock), logs details
measure_worker() {
	local cse=$1 rx0 tx0 ttl0 sl0 sk0 out frames secs got sent drops
	local extra='' ttl=
	case $cse in
	dpdk-rx) tp_start rxonly "$IF_RX" ;;
	dpdk-echo) tp_start icmpecho "$IF_RX" ;;
	dpdk-io) tp_start io "$IF_RX" "$IF_B" ;;
	*) fp_start "$cse" ;;
	esac
	if [[ $cse == fwd* ]]; then
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
	out=$(gen_fwd) || exit 1
	read -r _ frames _ secs _ <<<"$out"
	if [ "$cse" = fwd-16k-scrape ]; then
		wait $SCRAPER || wfail "scraper: $(cat "$TMP/scrape.out")"
		extra="scraped during: $(cat "$TMP/scrape.out"), "
	fi
	case $cse in
	dpdk-rx | dpdk-echo) tp_stop && got=$TP_RX extra="testpmd rx $TP_RX" ;;
	dpdk-io)
		got=$(($(sink_rx) - sk0))
		tp_stop && extra="testpmd rx $TP_RX"
		;;
	fwd-drop*)
		got=$(($(fp_sum rx_packets) - rx0))
		ttl=$(($(fp_sum drops.ttl_expired) - ttl0))
		extra="ttl_expired $ttl"
		;;
	fwd)
		# (c) at saturation: every frame sent arrived or was counted
		FP_LAST_TX=
		wait_for 10 fp_drained || wfail "$cse: the workers never settled"
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
	if [[ $cse == fwd* ]]; then
		extra+=", worker sleeps $(($(fp_sleeps) - sl0))"
		extra+=", xdp $(ctl -j stats | jq -c '.xdp | with_entries(select(.value.packets > 0)) | map_values(.packets)')"
		extra+=", drops $(ctl -j stats | jq -c '[.workers[].drops | to_entries[] | select(.value > 0)] | group_by(.key) | map({(.[0].key): (map(.value) | add)}) | add // {}')"
		# the path check: fwd-kernel's packets left by pcf_return's
		# devmap redirect, not up the kernel's stack
		[[ $cse != fwd-kernel ]] ||
			[ "$(ctl -j stats | jq '.xdp.return_redirect.packets // 0')" -ge "$got" ] ||
			wfail "$cse: $got received, not all by devmap: $extra"
		fp_stop
	fi
	[ "${got:-0}" -gt 0 ] || wfail "$cse: nothing arrived ($extra)"
	# the path check: fwd-drop's packets all died of their TTL
	[[ $cse != fwd-drop* ]] || [ "$ttl" -eq "$got" ] ||
		wfail "$cse: $got received, $extra"
	read -r got sent <<<"$(awk -v g="$got" -v f="$frames" -v t="$secs" \
		'BEGIN { printf "%.3f %.3f", g / t / 1e6, f / t / 1e6 }')"
	log "same-cpu run $run $cse: $got Mpps ($sent Mpps sent), $extra" >&2
	echo "$got"
}

# measure_latency MPPS: fwd at half of MPPS, stamped; prints its line
measure_latency() {
	local rate sk0 out frames secs got hist
	rate=$(awk -v m="$1" 'BEGIN { printf "%d", m * 1e6 / 2 }')
	fp_start fwd
	in_ns "$NS_SK" "$SINK" read "$SINK_PIN" >/dev/null # clear it
	sk0=$(sink_rx)
	out=$(gen_fwd -T -r "$rate") || exit 1
	read -r _ frames _ secs _ <<<"$out"
	got=$(($(sink_rx) - sk0))
	hist=$(in_ns "$NS_SK" "$SINK" read "$SINK_PIN") || wfail "sink read"
	fp_stop
	awk -v r="$rate" -v f="$frames" -v g="$got" -v t="$secs" -v h="$hist" \
		'BEGIN { printf "offered %.3f Mpps (target %.3f), received %.3f Mpps; %s\n",
			f / t / 1e6, r / 1e6, g / t / 1e6, h }'
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
		printf '  %-26s %5s  ' "$1" "$r"
		if [ "$r" = - ]; then
			echo "(not measured)"
		else
			awk -v r="$r" -v g="$4" 'BEGIN { print (r >= g ? "met" : "MISSED") " (>= " g ")" }'
		fi
	}
	echo "ratios:"
	goal_line "(b) fwd-drop / dpdk-rx" "${M[fwd-drop]:-}" "${M[dpdk-rx]:-}" 1.0
	printf '  %-26s %5s  %s\n' "(b) fwd-drop / dpdk-echo" \
		"$(ratio "${M[fwd-drop]:-}" "${M[dpdk-echo]:-}")" \
		"(no goal: testpmd reading each packet's headers)"
	goal_line "(c) fwd / dpdk-io" "${M[fwd]:-}" "${M[dpdk-io]:-}" 1.0
	goal_line "(c) fwd / (d) fwd-raw" "${M[fwd]:-}" "${M[fwd-raw]:-}" 0.9
	goal_line "(f) fwd-kernel / (c) fwd" "${M[fwd-kernel]:-}" "${M[fwd]:-}" 0.9
	goal_line "adaptive / poll (fwd-drop)" "${M[fwd-drop]:-}" "${M[fwd-drop-poll]:-}" 0.95
	goal_line "adaptive / poll (fwd)" "${M[fwd]:-}" "${M[fwd-poll]:-}" 0.95
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
	[ -n "${LATENCY:-}" ] && echo "latency of (c) at half load: $LATENCY"
	if [ -s "$TMP/accounted-now" ]; then
		awk '{ if ($1 > m) m = $1; n++ } END {
			printf "loss of (c) at saturation accounted for: |sent - received - counted drops| / sent at most %.2f%% in %d runs: %s (<=1%%)\n",
				100 * m, n, m <= 0.01 ? "met" : "MISSED" }' "$TMP/accounted-now"
	fi
	return 0
}
