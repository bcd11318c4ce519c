#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_full: a full session table (--sessions 1024, the least) refuses new
# connections, counted, and keeps every live session; with
# --sessions-full evict-oldest it makes room by evicting the longest idle
# ones, and a refused connection gets in when it tries again.
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
RULE="src 198.18.1.1 dst 198.18.2.1 proto udp action redirect ct snat 198.18.2.77"

stats_json() { refresh; python3 -c "import json,sys; print(json.load(open('$TMP/stats.json'))['sessions']['$1'])"; }
active_is() { [ "$(stats_json active)" = "$1" ]; }

log "refuse: 1030 connections into a table of 1024"
start_fp --egress wire --sessions 1024 --rule "$RULE"
grep -q "session table: 1024 sessions at most" "$TMP/fp.err" ||
	fail "pcfd did not make a table of 1024: $(grep 'session table' "$TMP/fp.err")"
nsenter --net=/run/netns/"$dst" $CT udp-echo 198.18.2.1 5700 2000 3 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "udp server"
in_ns "$src" $CT udp-burst 198.18.2.1 5700 10000 1030
wait_for 10 active_is 1024 || fail_stats "active $(stats_json active), not 1024"
[ "$(stats_json refused)" -ge 6 ] || fail_stats "refused $(stats_json refused), not 6"
[ "$(stats_json evicted)" = 0 ] || fail_stats "evicted with refuse"
# (which 6 of the burst were refused is the order sessions were made
# in, not the order sent: a source port the burst never used is new)
log "the first session still works, a new connection is refused"
in_ns "$src" $CT udp-clients 198.18.2.1 5700 10000 5 198.18.1.1 >"$TMP/c" ||
	fail_stats "a live session of a full table: $(cat "$TMP/c")"
refused=$(stats_json refused)
in_ns "$src" $CT udp-clients 198.18.2.1 5700 12000 2 198.18.1.1 >"$TMP/c" &&
	fail "a new connection got into a full table"
[ "$(stats_json refused)" -gt "$refused" ] || fail_stats "the new connection was not counted refused"
kill $e; wait $e 2>/dev/null
log "refused: $(stats_json refused), active $(stats_json active)"
stop_fp

log "evict-oldest: the same, then the refused ones try again"
start_fp --egress wire --sessions 1024 --sessions-full evict-oldest --rule "$RULE"
in_ns "$src" $CT udp-burst 198.18.2.1 5700 10000 1024
wait_for 10 active_is 1024 || fail_stats "active $(stats_json active), not 1024"
in_ns "$src" $CT udp-burst 198.18.2.1 5700 20000 6
refused=$(stats_json refused)
evicted_some() { [ "$(stats_json evicted)" -gt 0 ]; }
wait_for 10 evicted_some || fail_stats "nothing evicted after refusals"
: >"$TMP/echo"
nsenter --net=/run/netns/"$dst" $CT udp-echo 198.18.2.1 5702 1 10 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "udp server"
in_ns "$src" $CT udp-clients 198.18.2.1 5702 20000 10 198.18.1.1 >"$TMP/c" ||
	fail_stats "a refused connection did not get in after evictions: $(cat "$TMP/c")"
wait $e
log "evicted $(stats_json evicted), refused $(stats_json refused) (was $refused), active $(stats_json active)"
stop_fp
