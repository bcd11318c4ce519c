#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# worker_vlan: frames that come in with VLAN tags (802.1Q, and QinQ with an
# 802.1ad tag outside) leave untagged: a tag names a VLAN of the link the
# frame came in on.  src writes whole tagged IPv4 frames to its veth (a
# packet socket: the tags are in the bytes XDP sees); dut has no VLAN
# device, so without a redirect (a pass rule, as the default) its kernel
# drops them, which shows they are tagged.  With a redirect rule, wire egress: the workers route them out
# of the other veth untagged (TTL 64 - 1 - 1); kernel egress: returned
# untagged through the return veth, pcf_return forwards them.  dst's
# socket receives each datagram.
. "$(dirname "$0")/worker_env.bash"

mac_a=$(ip -n "$dut" -br link show $IF_A | awk '{print $3}')

# flow_vlan PORT VIDS COUNT [CMD...]: COUNT tagged datagrams
# 198.18.1.1:4000 -> 198.18.2.1:PORT; prints "SRC SPORT TTL SEQ" of what
# dst's socket got (CMD: as flow's, for datagrams that must not arrive)
flow_vlan() {
	local out=$TMP/recv.$1.${2/,/_} port=$1 vids=$2 count=$3
	shift 3
	recv_start 198.18.2.1 "$port" "$count" "$out"
	in_ns "$src" $UDP send-vlan $IF_S "$mac_a" "$vids" 198.18.1.1 198.18.2.1 \
		"$port" "$count" 0.01 64 4000 || fail "send-vlan"
	recv_end $rpid "$@"
	grep -v listening "$out"
}

start_fp --egress wire \
	--rule "dst 198.18.2.1 proto udp dport 5401 action redirect ttl-delta -1 egress wire" \
	--rule "dst 198.18.2.1 proto udp dport 5402 action redirect ttl-delta -1 egress kernel" \
	--rule "dst 198.18.2.1 proto udp dport 5400 action pass"

passed=0
for vids in 100 200,100; do
	log "tags $vids, pass (no redirect): dut's kernel has no VLAN device, drops them"
	# the receiver stops once XDP passed all 10 up (rule 3 counts them)
	passed=$((passed + 10))
	got=$(flow_vlan 5400 $vids 10 counter_is rule_3_packets $passed)
	[ -z "$got" ] || fail_stats "tagged frames passed without a rule: $got"
	[ "$(fp_stat rule_3_packets)" = $passed ] ||
		fail_stats "XDP passed $(fp_stat rule_3_packets) tagged frames up, not $passed"

	log "tags $vids, redirect, wire egress: out untagged, TTL 62"
	got=$(flow_vlan 5401 $vids 20)
	[ "$(echo "$got" | awk '$1 == "198.18.1.1" && $3 == 62' | wc -l)" = 20 ] ||
		fail_stats "wire egress, tags $vids: $got"

	log "tags $vids, redirect, kernel egress: returned untagged, TTL 62"
	got=$(flow_vlan 5402 $vids 20)
	[ "$(echo "$got" | awk '$1 == "198.18.1.1" && $3 == 62' | wc -l)" = 20 ] ||
		fail_stats "kernel egress, tags $vids: $got"
done
refresh
[ "$(fp_stat tx_packets)" -ge 40 ] || fail_stats "the workers sent $(fp_stat tx_packets)"
[ "$(fp_stat returned_egress_kernel)" -ge 40 ] ||
	fail_stats "returned $(fp_stat returned_egress_kernel)"
stop_fp
