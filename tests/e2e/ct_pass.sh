#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_pass: the stateful firewall of pass ct.  pcfd --default drop, one
# rule `src 198.18.1.0/24 dst 198.18.2.0/24 action pass ct` (and its
# IPv6 twin): connections from src to dst work, UDP and TCP, their replies
# pass although no rule lets them; what dst starts towards src (a new
# connection, a datagram to another port) is dropped.  XDP records the
# sessions itself: the workers see none of it.
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

# a default drop drops neighbour discovery too: the ends know dut's MAC
mac_a=$(ip -n "$dut" -br link show $IF_A | awk '{print $3}')
mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$src" neigh replace 2001:db8:1::2 lladdr "$mac_a" dev $IF_S nud permanent
ip -n "$dst" neigh replace 2001:db8:2::2 lladdr "$mac_b" dev $IF_D nud permanent

start_fp --default drop \
	--rule "src 198.18.1.0/24 dst 198.18.2.0/24 action pass ct" \
	--rule "src 2001:db8:1::/64 dst 2001:db8:2::/64 action pass ct"

# dropped SERVER_NS ADDR PORT: a datagram from src to ADDR:PORT in the
# server namespace does not arrive (it is counted as a miss, dropped)
for fam in 4 6; do
	if [ $fam = 4 ]; then s=198.18.2.1 c=198.18.1.1; else s=2001:db8:2::1 c=2001:db8:1::1; fi
	log "IPv$fam: UDP from src, answered through pass ct"
	: >"$TMP/echo"
	nsenter --net=/run/netns/"$dst" $CT udp-echo $s 5500 1 10 >"$TMP/echo" &
	e=$!
	track $e
	wait_for 10 grep -q listening "$TMP/echo" || fail "udp server"
	in_ns "$src" $CT udp-clients $s 5500 4500 10 $c >"$TMP/c" ||
		fail_stats "IPv$fam UDP: no answer through pass ct: $(cat "$TMP/c")"
	wait $e
	log "IPv$fam: TCP from src"
	: >"$TMP/echo"
	nsenter --net=/run/netns/"$dst" $CT tcp-echo $s 5501 1 10 >"$TMP/echo" &
	e=$!
	track $e
	wait_for 10 grep -q listening "$TMP/echo" || fail "tcp server"
	in_ns "$src" $CT tcp-clients $s 5501 4501 100000 10 $c >"$TMP/c" ||
		fail_stats "IPv$fam TCP through pass ct: $(cat "$TMP/c")"
	wait $e || fail "tcp server"

	log "IPv$fam: what dst starts is dropped: a datagram, a connection"
	refresh
	miss=$(fp_stat xdp_reason_miss)
	: >"$TMP/echo"
	nsenter --net=/run/netns/"$src" $CT udp-echo $c 5502 1 3 >"$TMP/echo" &
	e=$!
	track $e
	wait_for 10 grep -q listening "$TMP/echo" || fail "udp server in src"
	in_ns "$dst" $CT udp-clients $c 5502 4502 2 $s >"$TMP/c" &&
		fail "IPv$fam: a datagram dst started got through"
	wait $e
	grep -vq listening "$TMP/echo" && fail "IPv$fam: src's server heard dst"
	# an answer from the right address but to another port: dropped
	in_ns "$dst" $CT udp-clients $c 4500 5599 2 $s >"$TMP/c" &&
		fail "IPv$fam: a datagram to another port of the client got through"
	# (each client sends once a second while it waits)
	refresh
	[ "$(fp_stat xdp_reason_miss)" -ge $((miss + 4)) ] ||
		fail_stats "IPv$fam: the datagrams from dst should miss the rules (drop): $(fp_stat xdp_reason_miss) - $miss"
done

refresh
[ "$(fp_stat rx_packets)" = 0 ] || fail_stats "the workers saw packets of pass ct"
ctl session show >"$TMP/s"
log "$(wc -l <"$TMP/s") sessions: $(head -2 "$TMP/s" | tr '\n' ';')"
grep -q "^udp .*orig 198.18.1.1:4500 -> 198.18.2.1:5500 .*reply 198.18.2.1:5500 -> 198.18.1.1:4500 " "$TMP/s" ||
	fail "no pass session of the IPv4 UDP flow: $(cat "$TMP/s")"
grep -q " snat\| dnat" "$TMP/s" && fail "a pass session with NAT"
python3 - "$TMP/stats.json" <<'PY' || fail "stats: $(head -c 800 "$TMP/stats.json")"
import json, sys
st = json.load(open(sys.argv[1]))
x = st["xdp"]
assert x["session_created"]["packets"] == 4, x["session_created"]
assert x["session_pass"]["packets"] > 0, x["session_pass"]
assert st["sessions"]["created"] == 4, st["sessions"]
PY
stop_fp
