#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_timeout: sessions end by their timeouts (short ones for the test:
# --ct-timeout-udp 4, tcp-time-wait 2, tcp-close 1), a TCP FIN or RST ends
# one early (TIME_WAIT, CLOSE), and the reaped session's port goes back
# to its pool: a rule whose range is one port serves a second client once
# the first one's session is gone.  `pcfctl monitor sessions` shows each
# session made and unmade; stats count them expired.
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent

start_fp --egress wire --ct-timeout-udp 4 --ct-timeout-udp-stream 4 \
	--ct-timeout-tcp-time-wait 2 --ct-timeout-tcp-close 1 \
	--ct-timeout-tcp-syn-sent 2 \
	--rule "src 198.18.1.1 dst 198.18.2.1 action redirect ct snat 198.18.2.77:20000"

ctl monitor sessions >"$TMP/events" 2>&1 &
mon=$!
track $mon
sessions() { ctl session show | grep -c . ; }
# rsts_sent NS: the RSTs NS's TCP sent (OutRsts of /proc/net/snmp)
rsts_sent() {
	ip netns exec "$1" awk '$1 == "Tcp:" { if (!h) { for (i = 1; i <= NF; i++)
		if ($i == "OutRsts") c = i; h = 1 } else print $c }' /proc/net/snmp
}
no_sessions() { [ "$(sessions)" = 0 ]; }

# udp_once SPORT: one datagram from src:SPORT, answered; the server
# prints the peer it saw
udp_once() {
	: >"$TMP/echo"
	nsenter --net=/run/netns/"$dst" $CT udp-echo 198.18.2.1 5600 1 5 >"$TMP/echo" &
	local e=$!
	track $e
	wait_for 10 grep -q listening "$TMP/echo" || fail "udp server"
	in_ns "$src" $CT udp-clients 198.18.2.1 5600 "$1" "${2:-5}" 198.18.1.1 >"$TMP/c"
	local rc=$?
	kill $e 2>/dev/null
	wait $e 2>/dev/null
	return $rc
}

log "UDP from port 4000: NAT port 20000, the rule's only one"
udp_once 4000 || fail_stats "UDP: no answer: $(cat "$TMP/c")"
grep -q "^198.18.2.77 20000$" "$TMP/echo" || fail "the server saw $(cat "$TMP/echo")"
log "another source port: no port left, dropped and counted"
udp_once 4001 1 && fail "a second session got the only port"
refresh
[ "$(fp_stat drop_ct_ports)" -ge 1 ] || fail_stats "no ct_ports drop"
log "the first session keeps its port: answered again"
udp_once 4000 || fail_stats "the first session lost its port: $(cat "$TMP/c")"
grep -q "^198.18.2.77 20000$" "$TMP/echo" || fail "the server saw $(cat "$TMP/echo")"
log "the first session expires within its 4 s (and a sweep)"
wait_for 10 no_sessions || fail_stats "the UDP session did not expire: $(ctl session show)"
log "its port is free again: the second source port gets it"
udp_once 4001 || fail_stats "after the expiry, no answer: $(cat "$TMP/c")"
grep -q "^198.18.2.77 20000$" "$TMP/echo" || fail "the server saw $(cat "$TMP/echo")"
wait_for 10 no_sessions || fail "the second UDP session did not expire"

log "TCP: FIN both ways, TIME_WAIT, gone within 2 s"
: >"$TMP/echo"
nsenter --net=/run/netns/"$dst" $CT tcp-echo 198.18.2.1 5601 1 10 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "tcp server"
rst0=$(($(rsts_sent "$src") + $(rsts_sent "$dst")))
in_ns "$src" $CT tcp-clients 198.18.2.1 5601 4100 10000 10 198.18.1.1 >"$TMP/c" ||
	fail_stats "TCP: $(cat "$TMP/c")"
wait $e
# A segment late under load (a retransmission after the socket closed)
# is answered by a RST, which rightly ends the session in CLOSE: then
# the FINs are not what ended it, and only that is accepted instead.
if ! ctl session show | grep -q "^tcp TIME_WAIT "; then
	[ $(($(rsts_sent "$src") + $(rsts_sent "$dst"))) -gt "$rst0" ] &&
		ctl session show | grep -q "^tcp CLOSE " ||
		fail_stats "not TIME_WAIT after both FINs: $(ctl session show)"
	log "a RST came after the FINs (a late segment): CLOSE, as conntrack would"
	late_rst=1
fi
wait_for 10 no_sessions || fail_stats "TIME_WAIT did not end"

log "TCP: a RST, CLOSE, gone within 1 s"
: >"$TMP/echo"
nsenter --net=/run/netns/"$dst" $CT tcp-echo 198.18.2.1 5602 1 10 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "tcp server"
in_ns "$src" $CT tcp-rst 198.18.2.1 5602 4101 10 >"$TMP/c" ||
	fail_stats "TCP reset: $(cat "$TMP/c")"
wait $e
ctl session show | grep -q "^tcp CLOSE " ||
	fail_stats "not CLOSE after a RST: $(ctl session show)"
wait_for 10 no_sessions || fail_stats "CLOSE did not end"

log "monitor sessions: each session made and unmade"
end_job $mon
wait $mon
fins_end="destroy tcp TIME_WAIT" # (CLOSE after a late RST, see above)
[ -z "${late_rst:-}" ] || fins_end="destroy tcp CLOSE"
for what in "new udp" "destroy udp" "new tcp" "$fins_end" "destroy tcp CLOSE"; do
	grep -q "^$what " "$TMP/events" || fail "no \"$what\" event: $(cat "$TMP/events")"
done
made=$(grep -c '^new ' "$TMP/events")
[ "$made" -ge 4 ] || fail "not 4 new events: $(cat "$TMP/events")"
[ "$(grep -c '^destroy ' "$TMP/events")" = "$made" ] ||
	fail "not as many destroy events as new ones: $(cat "$TMP/events")"
grep -v '^new \|^destroy ' "$TMP/events" && fail "monitor sessions printed something else"
refresh
python3 - "$TMP/stats.json" "$made" <<'PY' || fail "stats: $(jq -c .sessions "$TMP/stats.json")"
import json, sys
s, made = json.load(open(sys.argv[1]))["sessions"], int(sys.argv[2])
assert s["created"] == made and s["expired"] == made and s["active"] == 0, s
assert s["ports_exhausted"] >= 1, s
PY
log "$(ctl stats | sed -n '/^sessions:/,$p' | tr -s ' \n' ' ')"
stop_fp
