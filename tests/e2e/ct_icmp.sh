#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_icmp: ICMP through ct snat.  A router (dst) forwards to a fourth
# namespace (far) over a link whose MTU is 1280 on its side:
#  - path-MTU discovery: a TCP transfer with DF from src to far completes:
#    the router's "fragmentation needed" (ICMPv6 "packet too big") about
#    the translated packet comes back to the client translated, outer and
#    quoted headers, its checksums right, or the connection would stall;
#  - traceroute: a UDP probe whose TTL ends at the router gets the
#    router's "time exceeded" to the client's socket (IP_RECVERR);
#  - ping: two clients with the same echo identifier both get their
#    replies, through two identifiers on the NAT address.
# IPv4 and IPv6.
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

netns_add far >/dev/null
far=pcf${ID}far IF_G=p${ID}g IF_F=p${ID}f
veth_add "$dst" $IF_G "$far" $IF_F
ip -n "$dst" addr add 198.18.3.1/24 dev $IF_G
ip -n "$far" addr add 198.18.3.2/24 dev $IF_F
ip -n "$dst" addr add 2001:db8:3::1/64 dev $IF_G nodad
ip -n "$far" addr add 2001:db8:3::2/64 dev $IF_F nodad
# the router's side of the link towards far takes 1280 bytes at most;
# far's packets back stay within that (route mtu: a veth drops what is
# bigger than its MTU, silently, a black hole), but far advertises the
# MSS of 1500 bytes, so the client sends them and needs PMTUD
ip -n "$dst" link set $IF_G mtu 1280
ip -n "$far" route add default via 198.18.3.1 mtu 1280 advmss 1460
ip -n "$far" route add default via 2001:db8:3::1 mtu 1280 advmss 1440
in_ns "$dst" sysctl -qw net.ipv4.ip_forward=1
in_ns "$dst" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$src" route add 198.18.3.0/24 via 198.18.1.2
ip -n "$src" route add 2001:db8:3::/64 via 2001:db8:1::2
ip -n "$dut" route add 198.18.3.0/24 via 198.18.2.1
ip -n "$dut" route add 2001:db8:3::/64 via 2001:db8:2::1
ip -n "$src" addr add 198.18.1.5/24 dev $IF_S
ip -n "$src" addr add 2001:db8:1::5/64 dev $IF_S nodad
neigh_to "$src" $IF_S $IF_A 198.18.1.5 2001:db8:1::5
# the NAT addresses are dut's, on dst's link
mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
ip -n "$dst" neigh replace 2001:db8:2::77 lladdr "$mac_b" dev $IF_D nud permanent

start_fp --egress wire \
	--rule "src 198.18.1.0/24 dst 198.18.3.0/24 action redirect ct snat 198.18.2.77:20000-29999" \
	--rule "src 2001:db8:1::/64 dst 2001:db8:3::/64 action redirect ct snat [2001:db8:2::77]:20000-29999"

for fam in 4 6; do
	# the router answers from one of its addresses towards dut
	if [ $fam = 4 ]; then
		far_a=198.18.3.2 router='198.18.2.[13]' c=198.18.1.1 c2=198.18.1.5
	else
		far_a=2001:db8:3::2 router='2001:db8:2::[13]' c=2001:db8:1::1 c2=2001:db8:1::5
	fi
	log "IPv$fam PMTUD: 300 kB with DF from src to far across the 1280-byte hop"
	: >"$TMP/echo"
	nsenter --net=/run/netns/"$far" $CT tcp-echo $far_a 5900 1 20 >"$TMP/echo" &
	e=$!
	track $e
	wait_for 10 grep -q listening "$TMP/echo" || fail "tcp server in far"
	refresh
	errs=$(fp_stat xdp_session_icmp_error 2>/dev/null || echo 0)
	in_ns "$src" $CT tcp-clients $far_a 5900 4300 300000 20 $c >"$TMP/c" ||
		fail_stats "IPv$fam: the transfer stalled: $(cat "$TMP/c")"
	wait $e || fail "tcp server in far"
	ctl -j stats >"$TMP/stats.json"
	got=$(jq '.xdp.session_icmp_error.packets' "$TMP/stats.json")
	[ "$got" -gt "$errs" ] ||
		fail_stats "IPv$fam: the transfer completed without an ICMP error: no PMTUD"
	in_ns "$src" ip route get $far_a | grep -q "mtu 1280" ||
		fail "IPv$fam: the client did not learn the path MTU: $(in_ns "$src" ip route get $far_a)"
	log "IPv$fam: intact; $((got - errs)) ICMP errors translated; the client's route: $(in_ns "$src" ip route get $far_a | head -1)"

	log "IPv$fam traceroute: TTL 2 ends at the router"
	in_ns "$src" $CT udp-ttl $far_a 33434 4400 2 10 >"$TMP/ttl" ||
		fail_stats "IPv$fam: no time exceeded came back: $(cat "$TMP/ttl")"
	want="icmp 11 0 from $router"
	[ $fam = 6 ] && want="icmp 3 0 from $router"
	grep -q "^$want about 33434" "$TMP/ttl" || fail "IPv$fam: $(cat "$TMP/ttl"), not $want"
	log "IPv$fam: $(cat "$TMP/ttl")"

	log "IPv$fam ping: two clients, one echo identifier"
	in_ns "$src" $CT ping $c $far_a 4242 10 >"$TMP/p1" || fail_stats "IPv$fam: ping from $c: $(cat "$TMP/p1")"
	in_ns "$src" $CT ping $c2 $far_a 4242 10 >"$TMP/p2" || fail_stats "IPv$fam: ping from $c2: $(cat "$TMP/p2")"
	ids=$(ctl -j session show src $c2 | jq -r --arg c "$c" '.[] | select(.proto | startswith("icmp")) | .reply.dport')
	ids+=" $(ctl -j session show src $c | jq -r '.[] | select(.proto | startswith("icmp")) | .reply.dport')"
	[ "$(echo $ids | tr ' ' '\n' | sort -u | wc -l)" = 2 ] ||
		fail "IPv$fam: the two pings' sessions: identifiers $ids on the NAT address"
	log "IPv$fam: both answered; identifiers on the NAT address: $ids"
done
stop_fp
