#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_nat: ct dnat and ct masquerade with real sockets.
#  - ct dnat: TCP to a virtual address and port reaches the backend, which
#    sees the client itself; the answers come back from the virtual
#    address; the backend's "port unreachable" for UDP reaches the
#    client's socket as if from the virtual address (an ICMP error from
#    the session's peer: its outer source translated too).
#  - ct masquerade: SNAT to the primary address of the interface the
#    packets leave by (dut's end of the dst link), the client's own port
#    kept while it is free; IPv4 and IPv6.
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

start_fp --egress wire \
	--rule "dst 198.18.2.80 proto tcp dport 80 action redirect ct dnat 198.18.2.1:8080" \
	--rule "dst 198.18.2.80 proto udp dport 81 action redirect ct dnat 198.18.2.1:8081" \
	--rule "src 198.18.1.0/24 dst 198.18.2.1 proto udp dport 6100 action redirect ct masquerade" \
	--rule "src 2001:db8:1::/64 dst 2001:db8:2::1 proto udp dport 6100 action redirect ct masquerade"

log "ct dnat: TCP to 198.18.2.80:80 served by 198.18.2.1:8080"
: >"$TMP/echo"
nsenter --net=/run/netns/"$dst" $CT tcp-echo 198.18.2.1 8080 1 10 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "tcp backend"
in_ns "$src" $CT tcp-clients 198.18.2.80 80 4500 50000 10 198.18.1.1 >"$TMP/c" ||
	fail_stats "TCP through ct dnat: $(cat "$TMP/c")"
wait $e
grep -q "^198.18.1.1 4500$" "$TMP/echo" || fail "the backend saw $(cat "$TMP/echo")"
ctl session show | grep -q "^tcp .* orig 198.18.1.1:4500 -> 198.18.2.80:80 .* reply 198.18.2.1:8080 -> 198.18.1.1:4500 .* dnat " ||
	fail "the dnat session: $(ctl session show)"

log "ct dnat: the backend's port unreachable comes from 198.18.2.80:81"
in_ns "$src" $CT udp-ttl 198.18.2.80 81 4501 64 10 >"$TMP/err" ||
	fail_stats "no ICMP error through ct dnat: $(cat "$TMP/err")"
grep -q "^icmp 3 3 from 198.18.2.80 about 81$" "$TMP/err" ||
	fail "the client's error: $(cat "$TMP/err")"
log "$(cat "$TMP/err")"

for fam in 4 6; do
	if [ $fam = 4 ]; then s=198.18.2.1 c=198.18.1.1 egress=198.18.2.2
	else s=2001:db8:2::1 c=2001:db8:1::1 egress=2001:db8:2::2; fi
	log "IPv$fam ct masquerade: to $egress, the client's port kept"
	: >"$TMP/echo"
	nsenter --net=/run/netns/"$dst" $CT udp-echo $s 6100 1 10 >"$TMP/echo" &
	e=$!
	track $e
	wait_for 10 grep -q listening "$TMP/echo" || fail "udp server"
	in_ns "$src" $CT udp-clients $s 6100 4600 10 $c >"$TMP/c" ||
		fail_stats "IPv$fam masquerade: $(cat "$TMP/c")"
	wait $e
	grep -q "^$egress 4600$" "$TMP/echo" || fail "the server saw $(cat "$TMP/echo"), not $egress 4600"
done
stop_fp
