#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# vxlan_bridge: design 004's case, kept working (issue 13).  Mirrored
# packets arrive over VXLAN on a vxlan device that a bridge joins to the
# appliance's link; pcfd runs in generic XDP on the vxlan device itself
# (it sees the inner frames, decapsulated by the kernel) and clears DF of
# UDP to port 31765 with a plain rule, the job of design 004's NFQUEUE
# program:
#
#   snd: vxlan device (VNI 7) over p<ID>s 198.18.1.1 -- p<ID>u 198.18.1.2 in br
#   br:  v<ID> (VNI 7) and p<ID>e in bridge b<ID>; pcfd -i v<ID> generic
#   app: p<ID>f 198.18.60.2, the inner network's other end (snd 198.18.60.1)
#
# Datagrams to 31765 (sent with DF) arrive without DF, checksums valid
# (tcpdump -vv); to another port they keep DF; the rule counted them.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_tool tcpdump tcpdump
UDP="python3 $top/tests/e2e/worker_sock.py"
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"
CTL_PORT=$((0x70680000 + 0x$ID))

netns_add snd >/dev/null
netns_add br >/dev/null
netns_add app >/dev/null
snd=pcf${ID}snd br=pcf${ID}br app=pcf${ID}app
IF_S=p${ID}s IF_U=p${ID}u IF_E=p${ID}e IF_F=p${ID}f VX=v${ID} BR=b${ID}

veth_add "$snd" $IF_S "$br" $IF_U
ip -n "$snd" addr add 198.18.1.1/24 dev $IF_S
ip -n "$br" addr add 198.18.1.2/24 dev $IF_U
in_ns "$snd" $UDP txcsum-off $IF_S || fail "tx checksum offload stays on"
ip -n "$snd" link add $VX type vxlan id 7 local 198.18.1.1 remote 198.18.1.2 \
	dstport 4789 dev $IF_S || fail "vxlan device in snd"
ip -n "$snd" link set $VX up
in_ns "$snd" $UDP txcsum-off $VX || fail "tx checksum offload stays on"
ip -n "$snd" addr add 198.18.60.1/24 dev $VX

ip -n "$br" link add $VX type vxlan id 7 local 198.18.1.2 remote 198.18.1.1 \
	dstport 4789 dev $IF_U || fail "vxlan device in br"
ip -n "$br" link add $BR type bridge
veth_add "$br" $IF_E "$app" $IF_F
ip -n "$br" link set $VX master $BR
ip -n "$br" link set $IF_E master $BR
ip -n "$br" link set $VX up
ip -n "$br" link set $BR up
ip -n "$app" addr add 198.18.60.2/24 dev $IF_F
# the inner network's neighbours, known: no ARP over the tunnel needed
ip -n "$snd" neigh replace 198.18.60.2 dev $VX nud permanent \
	lladdr "$(ip -n "$app" -br link show $IF_F | awk '{print $3}')"
ip -n "$app" neigh replace 198.18.60.1 dev $IF_F nud permanent \
	lladdr "$(ip -n "$snd" -br link show $VX | awk '{print $3}')"

ctl() { "$PCFCTL" -n "$br" --ctl-port "$CTL_PORT" "$@"; }
nsenter --net=/run/netns/"$br" "$PCFD" -f --pin-dir "$PIN_DIR" \
	--ctl-port "$CTL_PORT" -i $VX --xdp-mode generic --return-veth none \
	>>"$TMP/fp.err" 2>&1 &
fp=$!
track $fp
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not start: $(cat "$TMP/fp.err")"
grep -q "attached to $VX (generic mode)" "$TMP/fp.err" || fail "mode: $(cat "$TMP/fp.err")"
ctl flow add proto udp dport 31765 action pass df-clear || fail "flow add"

# one PORT COUNT OUT: COUNT datagrams (DF set) snd -> app:PORT, all of them
# received, app's tcpdump -vv of them in OUT
one() {
	local r c
	: >"$3"
	in_ns "$app" tcpdump -l -nn -vv -c "$2" -i $IF_F "udp and dst port $1" \
		>"$3" 2>"$3.err" &
	c=$!
	track $c
	wait_for 10 grep -q listening "$3.err" || fail "tcpdump"
	in_ns "$app" $UDP recv 198.18.60.2 "$1" 5 "$2" >"$3.recv" &
	r=$!
	track $r
	wait_for 10 grep -q listening "$3.recv" || fail "receiver"
	in_ns "$snd" $UDP send 198.18.60.2 "$1" "$2" 0.01 64 4000
	wait_for 10 gone $r
	[ "$(grep -vc listening "$3.recv")" = "$2" ] ||
		fail "port $1: got $(grep -vc listening "$3.recv") of $2; $(ctl -s stats | head -20)"
	wait_for 10 gone $c || fail "tcpdump: $(cat "$3")"
	[ "$(grep -c "udp sum ok" "$3")" = "$2" ] || fail "checksums: $(cat "$3")"
}

log "UDP to 31765: DF cleared in generic XDP on $VX, through the bridge"
one 31765 20 "$TMP/df"
grep -q "DF" "$TMP/df" && fail "DF still set: $(cat "$TMP/df")"
[ "$(ctl -j flow show | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["packets"])')" = 20 ] ||
	fail "rule counters: $(ctl flow show)"

log "UDP to another port: DF kept"
one 31766 10 "$TMP/other"
[ "$(grep -c "DF" "$TMP/other")" = 10 ] || fail "DF: $(cat "$TMP/other")"

kill -TERM $fp
wait $fp || fail "pcfd exited with $?: $(tail -n 5 "$TMP/fp.err")"
in_ns "$br" "$PCFD" --unload --pin-dir "$PIN_DIR" -i $VX --return-veth none \
	>>"$TMP/fp.err" 2>&1 || fail "pcfd --unload"
log "ok"
