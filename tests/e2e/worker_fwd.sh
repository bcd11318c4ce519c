#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# worker_fwd: the AF_XDP workers route REDIRECTed IPv4 UDP between two
# veths with wire egress (worker_env.bash has the picture), real sockets
# at both ends:
#  - no rule: the kernel forwards, TTL 64 arrives as 63;
#  - redirect with ttl-delta -1: arrives as 62, and the workers sent it;
#  - snat: the receiver sees the new source address and port;
#  - dnat to a second address of dst: only the socket bound there gets it;
#  - TTL 1 with ttl-delta -1: dropped and counted;
#  - dnat to an address without a neighbour entry: handed to the kernel
#    through the return veth (counted as returned no_neigh);
#  - mirror to the ingress veth: dst gets the packets, and a copy of each
#    goes back out to src (hairpin on the same socket);
#  - kill -9 of pcfd under traffic: the flow goes on via the kernel;
#  - a restart adopts the pinned rules and link: redirect resumes; a clean
#    exit and `pcfd --unload` leave the veths without XDP.
# pcfd runs the workers, rules come from `pcfctl flow add`, counters from
# `pcfctl -j stats` and `pcfctl -j flow show`.
# PCF_RX_MODE and PCF_BIND_MODE pick pcfd's modes.
. "$(dirname "$0")/worker_env.bash"

# wire egress for rules that name none: the workers route (ret_*.sh test
# the kernel egress)
MODES="--rx-mode ${PCF_RX_MODE:-adaptive} --bind-mode ${PCF_BIND_MODE:-auto} --egress wire"
start_fp $MODES \
	--rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1 egress wire" \
	--rule "dst 198.18.2.1 proto udp dport 5003 action redirect snat 198.18.2.77:7777" \
	--rule "dst 198.18.2.1 proto udp dport 5004 action redirect ttl-delta -1" \
	--rule "dst 198.18.2.1 proto udp dport 5005 action redirect dnat 198.18.2.3" \
	--rule "dst 198.18.2.1 proto udp dport 5006 action redirect mirror $IF_A" \
	--rule "dst 198.18.2.1 proto udp dport 5007 action redirect dnat 198.18.2.9"

log "no rule: the kernel forwards, TTL 63"
got=$(flow 198.18.2.1 5001 20 | awk '{print $3}' | sort -u)
[ "$got" = 63 ] || fail "kernel forwarding gave TTLs: $got"

log "redirect ttl-delta -1, wire egress: TTL 62, sent by the workers"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | wc -l)" = 20 ] || fail_stats "20 sent, got: $got"
[ "$(echo "$got" | awk '{print $3}' | sort -u)" = 62 ] ||
	fail_stats "TTLs through the workers: $got"
refresh
[ "$(fp_stat tx_packets)" -ge 20 ] || fail_stats "workers sent $(fp_stat tx_packets)"
[ "$(fp_stat xdp_redirect)" -ge 20 ] || fail_stats "xdp redirected $(fp_stat xdp_redirect)"
[ "$(fp_stat rule_1_worker_packets)" = 20 ] || fail_stats "rule 1 counters"

log "snat: source 198.18.2.77:7777"
got=$(flow 198.18.2.1 5003 20)
[ "$(echo "$got" | awk '{print $1, $2, $3}' | sort -u)" = "198.18.2.77 7777 63" ] ||
	fail_stats "after snat: $got"

log "dnat to 198.18.2.3: the socket bound there gets it, the other not"
recv_start 198.18.2.3 5005 20 "$TMP/recv.dnat"
r=$rpid
# the socket on 198.18.2.1 waits until 198.18.2.3 has all 20
got=$(flow 198.18.2.1 5005 20 64 lines_ge "$TMP/recv.dnat" '^198.18.1.1 ' 20)
recv_end $r
[ -z "$got" ] || fail_stats "the socket on 198.18.2.1 got: $got"
[ "$(grep -vc listening "$TMP/recv.dnat")" = 20 ] ||
	fail_stats "198.18.2.3 got: $(cat "$TMP/recv.dnat")"

log "mirror to $IF_A: dst gets 20, src's veth 20 copies more"
# rx_packets of src's veth
src_rx() {
	ip -n "$src" -s -j link show $IF_S |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
before=$(src_rx)
got=$(flow 198.18.2.1 5006 20)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 20 ] || fail_stats "mirror rule: dst got $got"
copies=$(( $(src_rx) - before ))
[ $copies -ge 20 ] || fail_stats "src's veth got $copies packets, not the 20 copies"

log "TTL 1 and ttl-delta -1: dropped and counted"
refresh
before=$(fp_stat drop_ttl_expired)
got=$(flow 198.18.2.1 5004 10 1 counter_is drop_ttl_expired $((before + 10)))
[ -z "$got" ] || fail_stats "TTL 1 packets arrived: $got"
refresh
[ $(($(fp_stat drop_ttl_expired) - before)) = 10 ] ||
	fail_stats "ttl_expired went from $before to $(fp_stat drop_ttl_expired)"
log "$(workers_line)"

log "dnat to 198.18.2.9, no neighbour entry: returned to the kernel"
got=$(flow 198.18.2.1 5007 10 64 counter_is returned_no_neigh 10)
[ -z "$got" ] || fail_stats "arrived: $got"
refresh
[ "$(fp_stat returned_no_neigh)" = 10 ] ||
	fail_stats "returned no_neigh: $(fp_stat returned_no_neigh)"
[ "$(fp_stat drop_no_neigh)" = 0 ] ||
	fail_stats "no_neigh drops: $(fp_stat drop_no_neigh)"

log "kill -9 under traffic: the kernel takes the flow over"
refresh
before=$(fp_stat rule_1_worker_packets)
kill_under_traffic

log "restart: the pinned rules are adopted, redirect resumes, counters go on"
start_fp $MODES
refresh
adopted=$(fp_stat rule_1_worker_packets)
# the 20 or more the workers ran before the kill stay counted
[ "$adopted" -ge $((before + 20)) ] ||
	fail_stats "rule 1's worker counter went from $before to $adopted"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] ||
	fail_stats "after the restart: $got"
refresh
[ "$(fp_stat rule_1_worker_packets)" = $((adopted + 20)) ] ||
	fail_stats "rule 1 not adopted: $adopted, then $(fp_stat rule_1_worker_packets)"
stop_fp
ip -n "$dut" link show $IF_A | grep -q xdp && fail "XDP left on $IF_A"
ip -n "$dut" link show $IF_B | grep -q xdp && fail "XDP left on $IF_B"
true
