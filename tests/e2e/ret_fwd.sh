#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ret_fwd: egress kernel.  The workers hand REDIRECTed packets to the
# kernel through the return veth; pcf_return on its far end forwards them
# by devmap redirect or passes them up the stack (worker_env.bash has the
# topology; pcfd's default --egress is kernel).  Checked at real sockets:
#  - UDP IPv4 and IPv6, ttl-delta -1: TTL 62 arrives (the rule's -1, the
#    router's -1 in pcf_return), counted as returned and return_redirect;
#  - SNAT, a rule without an egress of its own: the receiver sees the NAT
#    source; the FIB names an interface of pcfd's, so the worker sends it
#    there itself (TTL 63: the router's -1), not through the return veth;
#  - TCP IPv4 and IPv6 through an SNAT/DNAT rule pair: data intact;
#  - DNAT to an address of dut: delivered to a socket in dut, TTL 64;
#  - DNAT to an address whose neighbour dut does not know yet: the first
#    datagram arrives too (passed up, the kernel resolves the neighbour).
. "$(dirname "$0")/worker_env.bash"

mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
ip -n "$dst" neigh replace 2001:db8:2::77 lladdr "$mac_b" dev $IF_D nud permanent

start_fp \
	--rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1 egress kernel" \
	--rule "dst 198.18.2.1 proto udp dport 5003 action redirect snat 198.18.2.77:7777" \
	--rule "dst 2001:db8:2::1 proto udp dport 5102 action redirect ttl-delta -1" \
	--rule "dst 198.18.2.1 proto udp dport 5010 action redirect dnat 198.18.2.2" \
	--rule "dst 198.18.2.1 proto udp dport 5011 action redirect dnat 198.18.2.3" \
	--rule "src 198.18.1.1 dst 198.18.2.1 proto tcp sport 4100 dport 5200 action redirect snat 198.18.2.77:7100 egress kernel" \
	--rule "src 198.18.2.1 dst 198.18.2.77 proto tcp sport 5200 dport 7100 action redirect dnat 198.18.1.1:4100 egress kernel" \
	--rule "src 2001:db8:1::1 dst 2001:db8:2::1 proto tcp sport 4100 dport 5200 action redirect snat [2001:db8:2::77]:7100" \
	--rule "src 2001:db8:2::1 dst 2001:db8:2::77 proto tcp sport 5200 dport 7100 action redirect dnat [2001:db8:1::1]:4100"
ip -n "$dut" link show $RET_A >/dev/null || fail "no return veth $RET_A"
ip -n "$dut" link show $RET_B | grep -q "prog/xdp.*pcf_return" ||
	fail "pcf_return is not on $RET_B"

log "UDP IPv4, ttl-delta -1, egress kernel: TTL 62, forwarded by pcf_return"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] || fail_stats "got: $got"
refresh
[ "$(fp_stat returned_egress_kernel)" = 20 ] ||
	fail_stats "returned: $(fp_stat returned_egress_kernel)"
[ "$(fp_stat xdp_return_redirect)" -ge 20 ] ||
	fail_stats "return_redirect: $(fp_stat xdp_return_redirect)"
[ "$(fp_stat drop_egress_kernel)" = 0 ] || fail_stats "egress_kernel drops"

log "SNAT: source 198.18.2.77:7777, TTL 63"
got=$(flow 198.18.2.1 5003 20)
[ "$(echo "$got" | awk '{print $1, $2, $3}' | sort -u)" = "198.18.2.77 7777 63" ] ||
	fail_stats "after snat: $got"
refresh
[ "$(fp_stat returned_egress_kernel)" = 20 ] ||
	fail_stats "the SNAT rule's packets were returned: $(fp_stat returned_egress_kernel)"

log "UDP IPv6, ttl-delta -1: hop limit 62"
got=$(flow 2001:db8:2::1 5102 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] || fail_stats "got: $got"

log "TCP through SNAT one way and DNAT the other, egress kernel"
tcp 198.18.2.1 198.18.2.77
tcp 2001:db8:2::1 2001:db8:2::77

log "DNAT to 198.18.2.2 (dut's own): a socket in dut gets it, TTL 64"
refresh
before=$(fp_stat xdp_return_pass_local)
out=$TMP/recv.local
nsenter --net=/run/netns/"$dut" $UDP recv 198.18.2.2 5010 30 10 >"$out" &
r=$!
track $r
wait_for 10 grep -q listening "$out" || fail "receiver in dut"
in_ns "$src" $UDP send 198.18.2.1 5010 10 0.01 64 4000
recv_end $r
[ "$(awk '$3 == 64' "$out" | wc -l)" = 10 ] || fail_stats "dut got: $(cat "$out")"
refresh
[ $(( $(fp_stat xdp_return_pass_local) - before )) = 10 ] ||
	fail_stats "return_pass_local went from $before to $(fp_stat xdp_return_pass_local)"

log "DNAT to 198.18.2.3, neighbour unknown: the first datagram arrives too"
ip -n "$dut" neigh del 198.18.2.3 dev $IF_B || fail "neigh del"
refresh
before=$(fp_stat xdp_return_pass_no_neigh)
recv_start 198.18.2.3 5011 5 "$TMP/recv.neigh"
r=$rpid
in_ns "$src" $UDP send 198.18.2.1 5011 5 0.2 64 4000
recv_end $r
got=$(grep -v listening "$TMP/recv.neigh")
[ "$(echo "$got" | awk '{print $4}' | tr '\n' ' ')" = "0 1 2 3 4 " ] ||
	fail_stats "got: $got"
refresh
[ $(( $(fp_stat xdp_return_pass_no_neigh) - before )) -ge 1 ] ||
	fail_stats "no packet was passed for want of a neighbour"
log "$(workers_line)"
stop_fp
