#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ret_mark: a rule's mark arrives as skb->mark on the packets the workers
# give back to the kernel (worker_env.bash has the topology): an nftables
# counter in dut's forward hook matching `meta mark` counts exactly the
# packets of the marked rule, none of an unmarked rule's, and both flows
# still arrive (a marked packet always goes up the stack: pcf_return
# counts it as return_pass_marked).
. "$(dirname "$0")/worker_env.bash"
need_tool nft nftables

T=pcf$ID
in_ns "$dut" nft -f - <<NFT || fail "nft"
table inet $T {
	chain marks {
		type filter hook forward priority 0;
		meta mark 0x2a counter
		meta mark != 0 counter
	}
}
NFT
# nft_count N: packets of the Nth counter of the chain
nft_count() {
	in_ns "$dut" nft list chain inet $T marks |
		awk '/counter packets/ { if (++n == '"$1"') print $(NF - 2) }'
}

start_fp \
	--rule "dst 198.18.2.1 proto udp dport 5020 action redirect mark 0x2a" \
	--rule "dst 198.18.2.1 proto udp dport 5021 action redirect" \
	--rule "dst 2001:db8:2::1 proto udp dport 5022 action redirect mark 0x2a"

log "20 marked IPv4, 15 unmarked, 10 marked IPv6"
got=$(flow 198.18.2.1 5020 20)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 20 ] || fail_stats "marked: $got"
got=$(flow 198.18.2.1 5021 15)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 15 ] || fail_stats "unmarked: $got"
got=$(flow 2001:db8:2::1 5022 10)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 10 ] || fail_stats "marked v6: $got"
refresh
log "mark 0x2a counted $(nft_count 1), any mark $(nft_count 2), return_pass_marked $(fp_stat xdp_return_pass_marked)"
[ "$(nft_count 1)" = 30 ] || fail_stats "meta mark 0x2a counted $(nft_count 1), not 30"
[ "$(nft_count 2)" = 30 ] || fail_stats "some mark counted $(nft_count 2), not 30"
[ "$(fp_stat xdp_return_pass_marked)" = 30 ] || fail_stats "return_pass_marked"
stop_fp
in_ns "$dut" nft delete table inet $T
true
