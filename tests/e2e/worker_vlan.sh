#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# worker_vlan: frames that come in with VLAN tags (802.1Q, and QinQ with an
# 802.1ad tag outside) leave untagged: a tag names a VLAN of the link the
# frame came in on.  src writes whole tagged IPv4 frames to its veth (a
# packet socket: the tags are in the bytes XDP sees); dut has no VLAN
# device, so without a rule its kernel drops them, which shows they are
# tagged.  With a redirect rule, wire egress: the workers route them out
# of the other veth untagged (TTL 64 - 1 - 1); kernel egress: returned
# untagged through the return veth, pcf_return forwards them.  dst's
# socket receives each datagram.
. "$(dirname "$0")/worker_env.bash"

mac_a=$(ip -n "$dut" -br link show $IF_A | awk '{print $3}')

# flow_vlan PORT VIDS COUNT: COUNT tagged datagrams 198.18.1.1:4000 ->
# 198.18.2.1:PORT; prints "SRC SPORT TTL SEQ" of what dst's socket got
flow_vlan() {
	local out=$TMP/recv.$1.${2/,/_}
	recv_start 198.18.2.1 "$1" "$3" "$out"
	in_ns "$src" $UDP send-vlan $IF_S "$mac_a" "$2" 198.18.1.1 198.18.2.1 \
		"$1" "$3" 0.01 64 4000 || fail "send-vlan"
	recv_end $rpid
	grep -v listening "$out"
}

start_fp --egress wire \
	--rule "dst 198.18.2.1 proto udp dport 5401 action redirect ttl-delta -1 egress wire" \
	--rule "dst 198.18.2.1 proto udp dport 5402 action redirect ttl-delta -1 egress kernel"

for vids in 100 200,100; do
	log "tags $vids, no rule: dut's kernel has no VLAN device, drops them"
	got=$(flow_vlan 5400 $vids 10)
	[ -z "$got" ] || fail_stats "tagged frames passed without a rule: $got"

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
