#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# loss_overload: every packet lost has a counter (worker_env.bash has the
# topology).  bench/gen pushes 600 000 64-byte frames at 300 000/s into
# src's veth, all redirected by one rule (wire egress) to a worker that
# shares CPU 0 with the generator and has 128 frames: it cannot keep up,
# and the kernel drops what its socket cannot take.  Then what was sent
# equals what dst's veth received plus every drop pcfctl stats counts
# (the sockets' kernel counters, the workers' drops, the interfaces'
# drops), within 1 %; and the journal's counters record names the
# socket drops.
. "$(dirname "$0")/worker_env.bash"

GEN=$BUILD/bench/gen
[ -x "$GEN" ] || fail "build bench/gen first (make BUILD=$BUILD)"

rx_of() {
	ip -n "$1" -j -s link show $2 |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}

# counted_drops: every drop in the last snapshot, not counted twice
counted_drops() { python3 "$top/tests/lib/counted_drops.py" <"$TMP/stats.json"; }

start_fp --cpus 0 --frames 128 --egress wire \
	--rule "dst 198.18.2.1 proto udp dport 9 action redirect"
rx0=$(rx_of "$dst" $IF_D)
out=$(in_ns "$src" "$GEN" -c 0 -t 2 -r 300000 -s 198.18.1.1 -d 198.18.2.1 -S 9 -D 9 $IF_S) ||
	fail "gen: $out"
sent=$(echo "$out" | awk '{print $2}')
# the last frames are through when the worker's counters stand still
last=-1
for ((i = 0; i < 50; i++)); do
	refresh
	now=$(fp_stat tx_packets)
	[ "$now" = "$last" ] && break
	last=$now
	sleep 0.1
done
refresh
sink=$(( $(rx_of "$dst" $IF_D) - rx0 ))
drops=$(counted_drops)
log "sent $sent: dst received $sink, counted drops $drops (sum $((sink + drops)))"
log "$(workers_line)"
[ "$drops" -gt 0 ] || fail_stats "the worker kept up: nothing was tested"
diff=$(( sent - sink - drops ))
[ $(( (diff < 0 ? -diff : diff) * 100 )) -le "$sent" ] ||
	fail_stats "$diff packets of $sent unaccounted for"

log "the journal's counters record names the socket drops"
kill -USR1 $fp
wait_for 5 grep -q "worker $IF_A queue 0: .*(socket drops: " "$TMP/fp.err" ||
	fail_stats "no socket drops in the counters record"
log "$(grep "worker $IF_A queue 0: .*(socket drops: " "$TMP/fp.err" | tail -n1)"
stop_fp
