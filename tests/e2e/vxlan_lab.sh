#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# vxlan_lab: the mirror lab of design 001 (issue 13), real traffic:
#
#   snd: a kernel vxlan device (VNI 42, UDP checksums on) over the veth
#        p<ID>s 198.18.1.1 -- p<ID>u 198.18.1.2 in gw (the underlay)
#   gw:  pcfd in native XDP on the underlay and on p<ID>a 198.18.2.2,
#        --default drop, IP forwarding off: only pcf carries anything
#   app: the appliance behind gw, p<ID>b 198.18.2.1 / 2001:db8:2::1
#
#  - encap vxlan src 198.18.100.0/24 action redirect decap dnat 198.18.2.1
#    df-clear egress dev p<ID>a: inner datagrams from the allowed prefix
#    (sent with DF) arrive at the appliance decapsulated, DNAT'ed, without
#    DF, checksums valid (tcpdump -vv checks them), per-rule counters; the
#    first ones, before gw knows the appliance's MAC, go to the kernel
#    (xdp reason no_neigh) and pcfd has the kernel resolve it; no route
#    to the appliance's prefix is needed (egress dev, not the FIB);
#  - the same for IPv6 inner packets (dnat 2001:db8:2::1);
#  - design 001's rule itself: the sample allowlist (tests/data, the
#    shape of ../shared/samples) loaded with `set load allow`, then
#    encap vxlan src @allow action redirect decap dnat 198.18.2.1
#    df-clear egress dev p<ID>a: an allowed inner source arrives (DF
#    cleared, checksums valid), one not in the list is dropped;
#  - inner packets from another prefix: the default verdict (drop),
#    counted as misses, nothing reaches the appliance;
#  - a cut VXLAN frame: the default verdict, reason encap_malformed;
#  - pass ttl-delta -1 df-clear on the inner packet: gw's own vxlan
#    device takes the frame (the outer UDP checksum must still be right)
#    and its socket sees TTL 63 and no DF;
#  - pass decap: gw's kernel gets the inner frame on the underlay itself.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_tool tcpdump tcpdump
UDP="python3 $top/tests/e2e/worker_sock.py"
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"
CTL_PORT=$((0x70670000 + 0x$ID))

netns_add snd >/dev/null
netns_add gw >/dev/null
netns_add app >/dev/null
snd=pcf${ID}snd gw=pcf${ID}gw app=pcf${ID}app
IF_S=p${ID}s IF_U=p${ID}u IF_A=p${ID}a IF_B=p${ID}b VX=v${ID}
GW_VX_MAC=02:00:00:00:50:01

# the underlay, and the sender's VTEP
veth_add "$snd" $IF_S "$gw" $IF_U
ip -n "$snd" addr add 198.18.1.1/24 dev $IF_S
ip -n "$gw" addr add 198.18.1.2/24 dev $IF_U
in_ns "$snd" $UDP txcsum-off $IF_S || fail "tx checksum offload stays on"
ip -n "$snd" link add $VX type vxlan id 42 local 198.18.1.1 remote 198.18.1.2 \
	dstport 4789 udpcsum dev $IF_S || fail "vxlan device in snd"
ip -n "$snd" link set $VX up
in_ns "$snd" $UDP txcsum-off $VX || fail "tx checksum offload stays on"
ip -n "$snd" addr add 198.18.100.1/24 dev $VX
ip -n "$snd" addr add 198.18.101.1/24 dev $VX
ip -n "$snd" addr add 2001:db8:100::1/64 dev $VX nodad
ip -n "$snd" addr add 198.18.8.137/32 dev $VX # in the sample allowlist
# the mirrored flows' original destinations, over the tunnel
ip -n "$snd" route add 198.18.50.0/24 dev $VX src 198.18.100.1
ip -n "$snd" route add 198.18.51.0/24 dev $VX src 198.18.101.1
ip -n "$snd" route add 198.18.52.0/24 dev $VX src 198.18.100.1
ip -n "$snd" route add 2001:db8:50::/64 dev $VX src 2001:db8:100::1
ip -n "$snd" route add 198.18.53.0/24 dev $VX src 198.18.8.137
U_MAC=$(ip -n "$gw" -br link show $IF_U | awk '{print $3}')
for a in 198.18.50.1 198.18.51.1 198.18.53.1 2001:db8:50::1; do
	ip -n "$snd" neigh replace $a lladdr $GW_VX_MAC dev $VX nud permanent
done
# 198.18.52.1: gw's underlay itself (pass decap hands it the inner frame)
ip -n "$snd" neigh replace 198.18.52.1 lladdr "$U_MAC" dev $VX nud permanent

# gw: its own VTEP (for pass without decap), the appliance's link
ip -n "$gw" link add $VX address $GW_VX_MAC type vxlan id 42 \
	local 198.18.1.2 remote 198.18.1.1 dstport 4789 udpcsum dev $IF_U ||
	fail "vxlan device in gw"
ip -n "$gw" link set $VX up
ip -n "$gw" addr add 198.18.50.1/24 dev $VX
ip -n "$gw" addr add 198.18.52.1/32 dev lo
veth_add "$gw" $IF_A "$app" $IF_B
ip -n "$gw" addr add 198.18.2.2/24 dev $IF_A
ip -n "$gw" addr add 2001:db8:2::2/64 dev $IF_A nodad
ip -n "$app" addr add 198.18.2.1/24 dev $IF_B
ip -n "$app" addr add 2001:db8:2::1/64 dev $IF_B nodad
in_ns "$gw" sysctl -qw net.ipv4.ip_forward=0
in_ns "$gw" sysctl -qw net.ipv6.conf.all.forwarding=0

ctl() { "$PCFCTL" -n "$gw" --ctl-port "$CTL_PORT" "$@"; }
nsenter --net=/run/netns/"$gw" "$PCFD" -f --pin-dir "$PIN_DIR" \
	--ctl-port "$CTL_PORT" -i $IF_U -i $IF_A --xdp-mode native \
	--default drop --return-veth none >>"$TMP/fp.err" 2>&1 &
fp=$!
track $fp
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not start: $(cat "$TMP/fp.err")"

# xdp COUNTER / rule ID: packets, from pcfctl -j
xdp() {
	ctl -j stats | python3 -c "import json,sys; print(json.load(sys.stdin)['xdp']['$1']['packets'])"
}
rule_pkts() {
	ctl -j flow show | python3 -c "
import json,sys
r = [r for r in json.load(sys.stdin) if r['id'] == $1][0]
print(r['packets'], r['worker_packets'])"
}
fail_stats() {
	ctl -s stats 2>&1 | head -40
	ctl flow show 2>&1
	ip -n "$gw" neigh show
	tail -n 20 "$TMP/fp.err"
	fail "$@"
}

# capture NS IF FILTER OUT: tcpdump -vv in the background until it has
# COUNT packets ($CAPTURE_COUNT, default 20); $cpid
capture() {
	: >"$4"
	in_ns "$1" tcpdump -l -nn -vv -c ${CAPTURE_COUNT:-20} -i "$2" "$3" \
		>"$4" 2>"$4.err" &
	cpid=$!
	track $cpid
	wait_for 10 grep -q listening "$4.err" || fail "tcpdump on $2"
}

# send DST PORT COUNT: COUNT datagrams (DF set) from snd, over the tunnel
send() { in_ns "$snd" $UDP send "$1" "$2" "$3" 0.01 64 4000; }

# through NS ADDR DST PORT COUNT OUT: a socket in NS bound to ADDR:PORT,
# COUNT datagrams sent to DST:PORT; fails unless all arrive (in OUT: "SRC
# SPORT TTL SEQ" each), then waits for the capture ($cpid) if any
through() {
	local r
	: >"$6"
	in_ns "$1" $UDP recv "$2" "$4" 5 "$5" >"$6" &
	r=$!
	track $r
	wait_for 10 grep -q listening "$6" || fail "receiver on $2"
	send "$3" "$4" "$5"
	wait_for 10 gone $r
	[ "$(grep -vc listening "$6")" = "$5" ] ||
		fail_stats "$2 $4 got $(grep -vc listening "$6") of $5"
	[ -z "${cpid:-}" ] || wait_for 10 gone $cpid || fail "tcpdump: $(cat "$6")"
	cpid=
}

log "egress dev without a worker on it: refused, saying so"
out=$(ctl flow add encap vxlan action redirect decap egress dev $VX 2>&1) &&
	fail "egress dev $VX accepted"
echo "$out" | grep -q "no pcfd worker runs on it" || fail "refusal: $out"

# --default drop: the appliance's neighbour advertisements must pass
ctl flow add dev $IF_A proto icmpv6 action pass || fail "flow add icmpv6"
ctl flow add encap vxlan src 198.18.100.0/24 proto udp dport 5001 \
	action redirect decap dnat 198.18.2.1 df-clear egress dev $IF_A ||
	fail "flow add (IPv4)"
ctl flow add encap vxlan vni 42 src 2001:db8:100::/64 proto udp dport 5001 \
	action redirect decap dnat 2001:db8:2::1 egress dev $IF_A ||
	fail "flow add (IPv6)"
log "$(ctl flow show)"
ctl flow save | grep -q "encap vxlan src 198.18.100.0/24 .*decap.*egress dev $IF_A" ||
	fail "flow save: $(ctl flow save)"

log "IPv4: the first datagrams make gw resolve the appliance, then all arrive"
neigh_known() { ip -n "$gw" neigh show 198.18.2.1 dev $IF_A | grep -qE "REACHABLE|STALE|DELAY"; }
for i in 1 2 3 4 5 6 7 8 9 10; do
	send 198.18.50.1 5001 1
	neigh_known && break
	sleep 0.2
done
neigh_known || fail_stats "gw never resolved 198.18.2.1"
[ "$(xdp no_neigh)" -ge 1 ] || fail_stats "no no_neigh miss counted"
log "misses while resolving: $(xdp no_neigh)"
read -r before _ <<<"$(rule_pkts 2)"
capture "$app" $IF_B "udp and dst port 5001 and dst host 198.18.2.1" "$TMP/cap4"
through "$app" 198.18.2.1 198.18.50.1 5001 20 "$TMP/recv4"
grep -v listening "$TMP/recv4" | awk '{print $1}' | sort -u | grep -qx 198.18.100.1 ||
	fail "source at the appliance: $(cat "$TMP/recv4")"
n=$(grep -c "udp sum ok" "$TMP/cap4")
[ "$n" = 20 ] || fail "checksums at the appliance: $(cat "$TMP/cap4")"
grep -q "DF" "$TMP/cap4" && fail "DF still set: $(cat "$TMP/cap4")"
grep -q "198.18.100.1.4000 > 198.18.2.1.5001" "$TMP/cap4" || fail "tcpdump: $(cat "$TMP/cap4")"
read -r xdp_n worker_n <<<"$(rule_pkts 2)"
[ $((xdp_n - before)) = 20 ] || fail_stats "rule 2 counted $((xdp_n - before)) of 20"
[ "$worker_n" -ge 20 ] || fail_stats "rule 2's workers counted $worker_n"

log "IPv6 inner packets: decapsulated, DNAT'ed to 2001:db8:2::1"
for i in 1 2 3 4 5 6 7 8 9 10; do
	send 2001:db8:50::1 5001 1
	ip -n "$gw" neigh show 2001:db8:2::1 dev $IF_A | grep -qE "REACHABLE|STALE|DELAY" && break
	sleep 0.2
done
capture "$app" $IF_B "udp and dst port 5001 and dst host 2001:db8:2::1" "$TMP/cap6"
through "$app" 2001:db8:2::1 2001:db8:50::1 5001 20 "$TMP/recv6"
[ "$(grep -c "udp sum ok" "$TMP/cap6")" = 20 ] || fail "IPv6 checksums: $(cat "$TMP/cap6")"

log "design 001's rule: inner sources on the sample allowlist (a named set)"
ctl set load allow "$top/tests/data/ip_allowlist.json" || fail "set load"
ctl flow add encap vxlan src @allow proto udp dport 5003 \
	action redirect decap dnat 198.18.2.1 df-clear egress dev $IF_A ||
	fail "flow add (allowlist)"
id=$(ctl -j flow show | python3 -c "
import json,sys
print([r['id'] for r in json.load(sys.stdin) if r['match'].get('src') == '@allow'][0])")
capture "$app" $IF_B "udp and dst port 5003 and dst host 198.18.2.1" "$TMP/capset"
through "$app" 198.18.2.1 198.18.53.1 5003 20 "$TMP/recvset"
grep -v listening "$TMP/recvset" | awk '{print $1}' | sort -u | grep -qx 198.18.8.137 ||
	fail "source at the appliance: $(cat "$TMP/recvset")"
[ "$(grep -c "udp sum ok" "$TMP/capset")" = 20 ] || fail "checksums: $(cat "$TMP/capset")"
grep -q "DF" "$TMP/capset" && fail "DF still set: $(cat "$TMP/capset")"
read -r xdp_n _ <<<"$(rule_pkts "$id")"
[ "$xdp_n" = 20 ] || fail_stats "the allowlist rule counted $xdp_n of 20"
# 198.18.101.1 is not on the list: the default verdict
miss=$(xdp miss)
in_ns "$app" $UDP recv 198.18.2.1 5003 1 >"$TMP/recv_notlisted" &
r=$!
track $r
send 198.18.51.1 5003 10
wait_for 10 test $(( $(xdp miss) - miss )) -ge 10 || fail_stats "misses: $miss -> $(xdp miss)"
wait "$r"
[ "$(grep -vc listening "$TMP/recv_notlisted")" = 0 ] ||
	fail "a source not on the list arrived: $(cat "$TMP/recv_notlisted")"

log "another inner source: the default verdict (drop), counted as misses"
miss=$(xdp miss)
in_ns "$app" $UDP recv 198.18.2.1 5001 1 >"$TMP/recv_other" &
r=$!
track $r
send 198.18.51.1 5001 10
wait_for 10 test $(( $(xdp miss) - miss )) -ge 10 || fail_stats "misses: $miss -> $(xdp miss)"
wait "$r"
[ "$(grep -vc listening "$TMP/recv_other")" = 0 ] || fail "arrived: $(cat "$TMP/recv_other")"

log "a cut VXLAN frame: the default verdict, reason encap_malformed"
bad=$(xdp encap_malformed)
in_ns "$snd" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"\x08\x00\x00\x00\x00\x00", ("198.18.1.2", 4789))'
wait_for 10 test $(( $(xdp encap_malformed) - bad )) = 5 ||
	fail_stats "encap_malformed: $bad -> $(xdp encap_malformed)"

log "pass ttl-delta -1 df-clear on the inner packet: gw's VTEP takes it"
ctl flow add encap vxlan src 198.18.100.0/24 proto udp dport 6001 \
	action pass ttl-delta -1 df-clear || fail "flow add pass"
# (a wrong outer UDP checksum: gw's VTEP would drop them)
CAPTURE_COUNT=10 capture "$gw" $VX "udp and dst port 6001" "$TMP/cappass"
through "$gw" 198.18.50.1 198.18.50.1 6001 10 "$TMP/recvpass"
[ "$(grep -v listening "$TMP/recvpass" | awk '{print $3}' | sort -u)" = 63 ] ||
	fail "TTLs: $(cat "$TMP/recvpass")"
grep -q "DF" "$TMP/cappass" && fail "DF still set: $(cat "$TMP/cappass")"
[ "$(grep -c "udp sum ok" "$TMP/cappass")" = 10 ] || fail "inner checksums: $(cat "$TMP/cappass")"

log "pass decap: gw's kernel gets the inner frame on $IF_U"
ctl flow add encap vxlan dst 198.18.52.1/32 action pass decap || fail "flow add pass decap"
through "$gw" 198.18.52.1 198.18.52.1 6002 10 "$TMP/recvdecap"
[ "$(grep -v listening "$TMP/recvdecap" | awk '{print $3}' | sort -u)" = 64 ] ||
	fail "TTLs: $(cat "$TMP/recvdecap")"

kill -TERM $fp
wait $fp || fail "pcfd exited with $?: $(tail -n 5 "$TMP/fp.err")"
in_ns "$gw" "$PCFD" --unload --pin-dir "$PIN_DIR" -i $IF_U -i $IF_A \
	--return-veth none >>"$TMP/fp.err" 2>&1 || fail "pcfd --unload"
log "ok"
