#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_restart: a TCP connection through ct snat survives kill -9 of pcfd
# and its restart.  The session is pinned: while no worker runs,
# pcf_steer drops the connection's packets (counted as session
# no_worker) rather than pass them untranslated, which would make the
# server reset it; TCP sends them again once the new pcfd, which adopted
# the session and its NAT port, serves them.  The server sees one peer,
# the NAT address and port, all along, and the data comes back intact.
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
RULE="src 198.18.1.1 dst 198.18.2.1 proto tcp action redirect ct snat 198.18.2.77:20000-29999"

start_fp --egress wire --rule "$RULE"
: >"$TMP/echo"
nsenter --net=/run/netns/"$dst" $CT tcp-echo 198.18.2.1 5800 1 30 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "tcp server"
# 400 kB at 80 kB/s: 5 s of traffic
in_ns "$src" $CT tcp-stream 198.18.2.1 5800 4200 400000 80000 30 >"$TMP/stream" &
c=$!
track $c
sent_100k() { awk '$1 == "sent" && $2 >= 100000 { f = 1 } END { exit !f }' "$TMP/stream"; }
wait_for 10 sent_100k || fail_stats "the stream did not start"
ctl session show >"$TMP/before"
log "mid-transfer: $(cat "$TMP/before")"
kill -9 $fp
wait $fp 2>/dev/null
log "pcfd killed; a new one starts"
start_fp --egress wire
grep -q "session table: 262144 sessions at most, 1 adopted" "$TMP/fp.err" ||
	fail "the new pcfd did not adopt the session: $(grep 'session table' "$TMP/fp.err")"
wait $c || fail_stats "the connection did not survive: $(tail -n 2 "$TMP/stream")"
wait $e || fail "tcp server"
log "client: $(tail -n 1 "$TMP/stream"); server's peers: $(grep -v listening "$TMP/echo" | tr '\n' ' ')"
[ "$(grep -vc listening "$TMP/echo")" = 1 ] || fail "the server saw more than one connection"
grep -q "^198.18.2.77 2[0-9]*$" "$TMP/echo" || fail "the server's peer: $(cat "$TMP/echo")"
port=$(awk '$1 == "198.18.2.77" { print $2 }' "$TMP/echo")
grep -q "reply 198.18.2.1:5800 -> 198.18.2.77:$port " "$TMP/before" ||
	fail "the session's NAT port was not $port"
refresh
log "session counters: xdp $(ctl -j stats | python3 -c 'import json,sys; x=json.load(sys.stdin)["xdp"]; print({k: v["packets"] for k, v in x.items() if k.startswith("session_")})')"
stop_fp
