#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# worker_tcp6, wire egress: IPv6 UDP through the workers (hop limit one
# lower than the kernel's forwarding, NAT66 of source address and port), and TCP
# connections, IPv4 and IPv6, through a pair of rules: SNAT (address and
# port) on the way to dst, DNAT back on the way to src.  The data arrives
# intact (the kernel drops segments with bad checksums) and the server
# sees the NAT address as its peer.  --cpus 0 puts both workers in one
# thread: each transmits straight on the other's socket (worker_fwd runs
# them in two threads, through hand-off rings).
. "$(dirname "$0")/worker_env.bash"

# dst reaches the NAT addresses through dut, on-link: tell it dut's MAC
mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
ip -n "$dst" neigh replace 2001:db8:2::77 lladdr "$mac_b" dev $IF_D nud permanent

start_fp --rx-mode "${PCF_RX_MODE:-adaptive}" --egress wire --cpus 0 \
	--rule "dst 2001:db8:2::1 proto udp dport 5102 action redirect ttl-delta -1" \
	--rule "dst 2001:db8:2::1 proto udp dport 5103 action redirect snat [2001:db8:2::77]:7777" \
	--rule "src 198.18.1.1 dst 198.18.2.1 proto tcp sport 4100 dport 5200 action redirect snat 198.18.2.77:7100" \
	--rule "src 198.18.2.1 dst 198.18.2.77 proto tcp sport 5200 dport 7100 action redirect dnat 198.18.1.1:4100" \
	--rule "src 2001:db8:1::1 dst 2001:db8:2::1 proto tcp sport 4100 dport 5200 action redirect snat [2001:db8:2::77]:7100" \
	--rule "src 2001:db8:2::1 dst 2001:db8:2::77 proto tcp sport 5200 dport 7100 action redirect dnat [2001:db8:1::1]:4100"

log "IPv6 UDP: the kernel gives hop limit 63, redirect ttl-delta -1 gives 62"
got=$(flow 2001:db8:2::1 5101 20 | awk '{print $3}' | sort -u)
[ "$got" = 63 ] || fail "kernel forwarding gave hop limits: $got"
got=$(flow 2001:db8:2::1 5102 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] ||
	fail_stats "through the workers: $got"

log "NAT66: source [2001:db8:2::77]:7777"
got=$(flow 2001:db8:2::1 5103 20)
[ "$(echo "$got" | awk '{print $1, $2, $3}' | sort -u)" = "2001:db8:2::77 7777 63" ] ||
	fail_stats "after NAT66: $got"

log "TCP through SNAT one way and DNAT the other"
tcp 198.18.2.1 198.18.2.77
tcp 2001:db8:2::1 2001:db8:2::77

threads=$(for t in /proc/$fp/task/*; do cat "$t/comm"; done | grep '^pcf-' | sort | tr '\n' ' ')
[ "$threads" = "pcf-cpu0 " ] || fail "--cpus 0: worker threads $threads, not one pcf-cpu0"
stop_fp
