#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# churn_replace: rules replaced thousands of times under traffic.
#
# bench/gen sends 60 000 UDP packets a second from src to dst through
# dut, addressed to dut's MAC: a packet pcf let through would be
# forwarded by dut's kernel, with its own source address (198.18.1.1).
# gen writes each frame's headers afresh (-R): its frames are pages it
# reuses, and one the kernel forwarded would come back with TTL 63.
# dst counts what arrives by source address (tests/tools/src-count).
#
#  1. A redirect rule with SNAT (wire egress), replaced 2000 times
#     alternating between two SNAT addresses: every packet dst gets
#     carries one of the two, none is lost to rule_gone or passed to the
#     kernel, steered = arrived + counted drops, and the rule's counters
#     (XDP's and the workers') never go back, sampled all along.
#  2. A DROP rule replaced 2000 times by itself, its priority going 100,
#     101, 100, ...: nothing arrives, and the rule's counter counts every
#     packet XDP dropped.
. "$(dirname "$0")/worker_env.bash"

GEN=$BUILD/bench/gen
SRC_COUNT=$BUILD/tests/tools/src-count
[ -x "$GEN" ] && [ -x "$SRC_COUNT" ] || fail "build first (make BUILD=$BUILD)"
RATE=60000
SECS=4
MATCH="dst 198.18.2.1 proto udp dport 9"
COUNTS=$PIN_DIR-counts

# dst counts what arrives by source address and TTL, and drops it
on_exit() {
	local rc=$?
	ip -n "$dst" link set dev $IF_D xdp off 2>/dev/null
	rm -f "$COUNTS"
	(exit $rc)
	cleanup
}
trap on_exit EXIT
in_ns "$dst" "$SRC_COUNT" attach $IF_D 9 "$COUNTS" || fail "src-count attach"

MAC_A=$(ip -n "$dut" -br link show $IF_A | awk '{print $3}')
start_fp --egress wire --cpus 1
ctl flow add $MATCH action redirect snat 198.18.1.77 >/dev/null ||
	fail "flow add"

# batch FILE WORDS_A WORDS_B: 2000 `flow replace` lines, alternating
batch() {
	local i
	for ((i = 0; i < 1000; i++)); do
		echo "flow replace $MATCH $2"
		echo "flow replace $MATCH $3"
	done >"$1"
}

# sample OUT: the rule's counters, "packets worker_packets" a line, until
# the file $TMP/stop exists (bounded: 60 s)
sample() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -e "$TMP/stop" ] && return 0
		ctl -j flow show id 1 | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["packets"], r["worker_packets"])' >>"$1"
	done
}

# monotonic FILE: each column never goes down
monotonic() {
	awk 'NR > 1 && ($1 < p || $2 < w) { bad = 1 } { p = $1; w = $2 }
	     END { exit bad }' "$1"
}

# churn BATCH: gen's traffic, the batch of replaces while it flows,
# counters sampled meanwhile; sets $frames (what gen pushed)
churn() {
	local g s out
	rm -f "$TMP/stop" "$TMP/samples"
	in_ns "$src" "$GEN" -c 0 -t $SECS -r $RATE -R -s 198.18.1.1 -d 198.18.2.1 \
		-S 9 -D 9 -M "$MAC_A" $IF_S >"$TMP/gen.out" 2>&1 &
	g=$!
	track $g
	refresh
	wait_for 5 rule_moved "$(fp_stat rule_1_packets)" ||
		fail_stats "no traffic reached the rule"
	sample "$TMP/samples" &
	s=$!
	track $s
	out=$(ctl -batch "$1" 2>&1) || fail "the batch failed: $out"
	kill -0 $g 2>/dev/null || fail "the traffic ended before the replaces did"
	wait $g || fail "gen: $(cat "$TMP/gen.out")"
	touch "$TMP/stop"
	wait $s
	frames=$(awk '{print $2}' "$TMP/gen.out")
	[ "$frames" -ge $((RATE * SECS * 9 / 10)) ] ||
		fail "gen pushed $frames frames, not $RATE a second"
	[ "$(wc -l <"$TMP/samples")" -ge 3 ] || fail "too few samples of the counters"
	monotonic "$TMP/samples" ||
		fail "the rule's counters went back: $(tr '\n' ' ' <"$TMP/samples")"
}

# rule_moved N: rule 1 counted more than N packets
rule_moved() {
	refresh
	[ "$(fp_stat rule_1_packets)" -gt "$1" ]
}

# accounted: every packet the rule steered arrived or was counted dropped
# (packets still in a ring when gen stops arrive a moment later)
accounted() {
	refresh
	in_ns "$dst" "$SRC_COUNT" read "$COUNTS" >"$TMP/counts" || return 1
	arrived=$(awk '{ n += $3 } END { print n + 0 }' "$TMP/counts")
	# the workers', their sockets' (a ring full under load), the links'
	drops=$(python3 "$top/tests/lib/counted_drops.py" steered <"$TMP/stats.json")
	seen=$(fp_stat rule_1_packets)
	[ $((arrived + drops)) = "$seen" ]
}

log "1. SNAT 198.18.1.77 <-> 198.18.1.78, 2000 replaces under $RATE pps"
batch "$TMP/snat.batch" "action redirect snat 198.18.1.77" \
	"action redirect snat 198.18.1.78"
churn "$TMP/snat.batch"
wait_for 5 accounted ||
	fail_stats "steered $seen != arrived $arrived + counted drops $drops"
log "arrived by source and TTL: $(tr '\n' ',' <"$TMP/counts")"
# (the stats say which way such a packet went: a miss, a fallback, ...)
awk '$1 != "198.18.1.77" && $1 != "198.18.1.78" { bad = 1 } END { exit bad }' \
	"$TMP/counts" ||
	fail_stats "a packet arrived with another source: $(cat "$TMP/counts")"
arrived=$(awk '{ n += $3 } END { print n + 0 }' "$TMP/counts")
gone=$(fp_stat drop_rule_gone) fallback=$(fp_stat xdp_reason_redirect_fallback)
[ "$gone" = 0 ] || fail_stats "$gone packets lost to rule_gone"
[ "$fallback" = 0 ] || fail_stats "$fallback packets passed to the kernel"
log "gen pushed $frames, XDP steered $seen, dst got $arrived, pcfd counted $drops drops (workers, sockets, links)"
[ "$seen" -ge $((frames * 99 / 100)) ] ||
	fail_stats "only $seen of $frames frames reached the rule"

log "2. a DROP rule, prio 100 <-> 101, 2000 replaces under $RATE pps"
ctl flow replace $MATCH prio 100 action drop || fail "flow replace"
batch "$TMP/drop.batch" "prio 101 action drop" "prio 100 action drop"
refresh
drop0=$(fp_stat xdp_drop) rule0=$(fp_stat rule_1_packets)
cp "$TMP/counts" "$TMP/counts.before"
churn "$TMP/drop.batch"
refresh
dropped=$(($(fp_stat xdp_drop) - drop0))
counted=$(($(fp_stat rule_1_packets) - rule0))
in_ns "$dst" "$SRC_COUNT" read "$COUNTS" >"$TMP/counts" || fail "src-count read"
log "gen pushed $frames: XDP dropped $dropped, the rule counted $counted"
cmp -s "$TMP/counts.before" "$TMP/counts" ||
	fail_stats "packets got through the DROP rule: $(diff "$TMP/counts.before" "$TMP/counts" | tr '\n' ' ')"
[ "$counted" = "$dropped" ] || fail_stats "the rule counted $counted of $dropped drops"
[ "$dropped" -ge $((frames * 99 / 100)) ] ||
	fail_stats "only $dropped of $frames frames were dropped"
stop_fp
log "pass"
