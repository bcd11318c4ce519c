#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_snat: one `ct snat` rule for a /24 (and a /64) of 50 clients, all
# sending from the same source port: over UDP and TCP, every reply reaches
# the client that asked, the server sees 50 different NAT ports of the
# rule's range on the NAT address, and `pcfctl session show` lists the
# sessions (text and -j) with both tuples.  IPv4 and IPv6 (NAT66).
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

# dst reaches the NAT addresses through dut, on-link: tell it dut's MAC
mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
ip -n "$dst" neigh replace 2001:db8:2::77 lladdr "$mac_b" dev $IF_D nud permanent

# 50 clients in src, known to dut (the workers route to resolved hops)
C4=() C6=()
for i in $(seq 10 59); do
	C4+=(198.18.1.$i)
	C6+=(2001:db8:1::$i)
	ip -n "$src" addr add 198.18.1.$i/24 dev $IF_S
	ip -n "$src" addr add 2001:db8:1::$i/64 dev $IF_S nodad
done
neigh_to "$src" $IF_S $IF_A "${C4[@]}" "${C6[@]}"

start_fp --egress wire \
	--rule "src 198.18.1.0/24 dst 198.18.2.1 action redirect ct snat 198.18.2.77:20000-29999" \
	--rule "src 2001:db8:1::/64 dst 2001:db8:2::1 action redirect ct snat [2001:db8:2::77]:20000-29999"

# peers_ok FILE NAT N: the server saw N peers, all NAT, on N distinct
# ports of 20000..29999
peers_ok() {
	local n ports
	n=$(grep -vc listening "$1")
	[ "$n" = "$3" ] || { log "$n peers, not $3"; return 1; }
	grep -v listening "$1" | awk -v nat="$2" '$1 != nat { exit 1 }' ||
		{ log "a peer is not $2: $(grep -v listening "$1" | head -3)"; return 1; }
	ports=$(grep -v listening "$1" | awk '$2 >= 20000 && $2 <= 29999 { print $2 }' |
		sort -u | wc -l)
	[ "$ports" = "$3" ] || { log "$ports distinct ports in the range, not $3"; return 1; }
}

# conns udp|tcp SERVER NAT CLIENTS...: every client at once, all from one
# source port (UDP 4000, TCP 4100), to the echo server on SERVER
conns() {
	local proto=$1 server=$2 nat=$3 out=$TMP/$1.$2 port sport what
	shift 3
	if [ "$proto" = udp ]; then
		port=5300 sport=4000 what="each got its answer"
	else
		port=5400 sport=4100 what="20000 bytes each echoed intact"
	fi
	: >"$out"
	nsenter --net=/run/netns/"$dst" $CT $proto-echo "$server" $port $# 20 >"$out" &
	local e=$!
	track $e
	wait_for 10 grep -q listening "$out" || fail "$proto server on $server"
	# shellcheck disable=SC2046 # TCP clients send 20000 bytes
	in_ns "$src" $CT $proto-clients "$server" $port $sport \
		$([ "$proto" = tcp ] && echo 20000) 20 "$@" >"$TMP/clients" ||
		fail_stats "$proto through ct snat: $(grep -v ' ok$' "$TMP/clients" | head -5)"
	wait $e || fail "$proto server on $server failed"
	peers_ok "$out" "$nat" $# || fail_stats "$proto: the server's peers"
	log "$proto to $server: $# clients from port $sport, $what, $# NAT ports on $nat"
}

conns udp 198.18.2.1 198.18.2.77 "${C4[@]}"
conns tcp 198.18.2.1 198.18.2.77 "${C4[@]}"
conns udp 2001:db8:2::1 2001:db8:2::77 "${C6[@]}"
conns tcp 2001:db8:2::1 2001:db8:2::77 "${C6[@]}"
log "session show: 200 sessions, both tuples"
ctl session show >"$TMP/sessions" || fail "session show"
n=$(wc -l <"$TMP/sessions")
[ "$n" -ge 200 ] || fail_stats "session show lists $n sessions, not 200: $(head -3 "$TMP/sessions")"
grep -q "^udp .* orig 198.18.1.10:4000 -> 198.18.2.1:5300 packets [1-9].* reply 198.18.2.1:5300 -> 198.18.2.77:2[0-9]* packets [1-9].* snat rule 1 " "$TMP/sessions" ||
	fail "no UDP session of 198.18.1.10 as expected: $(grep 198.18.1.10: "$TMP/sessions")"
grep -q "^tcp [A-Z_]* .* orig \[2001:db8:1::10\]:4100 -> \[2001:db8:2::1\]:5400 .* reply \[2001:db8:2::1\]:5400 -> \[2001:db8:2::77\]:2" "$TMP/sessions" ||
	fail "no TCP session of 2001:db8:1::10: $(grep '2001:db8:1::10\]' "$TMP/sessions")"
ctl -j session show src 198.18.1.0/24 proto tcp >"$TMP/sessions.json" || fail "session show -j"
python3 - "$TMP/sessions.json" <<'PY' || fail "session show -j: $(head -c 400 "$TMP/sessions.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert len(s) == 50, len(s)
ports = set()
for x in s:
    assert x["proto"] == "tcp" and x["snat"] and not x["dnat"], x
    assert x["orig"]["dport"] == 5400 and x["orig"]["sport"] == 4100, x
    assert x["reply"]["dst"] == "198.18.2.77", x
    assert x["orig"]["packets"] > 0 and x["reply"]["packets"] > 0, x
    ports.add(x["reply"]["dport"])
assert len(ports) == 50, ports
PY
refresh
python3 - "$TMP/stats.json" <<'PY' || fail "stats: $(cat "$TMP/stats.json" | head -c 600)"
import json, sys
st = json.load(open(sys.argv[1]))
s = st["sessions"]
assert s["created"] == 200 and s["capacity"] == 262144, s
assert s["refused"] == 0 and s["ports_exhausted"] == 0, s
assert st["xdp"]["session_redirect"]["packets"] > 0, st["xdp"]
# pcf_steer made the sessions once pcfd had a pool for the address and
# protocol (the first ones: the workers)
x = st["xdp"]["session_created"]["packets"]
w = st["xdp"]["session_to_worker"]["packets"]
print("sessions made by pcf_steer %d, by workers %d" % (x, 200 - x))
assert 0 < x < 200 and w >= 200 - x, (x, w)
PY
log "stats: $(ctl stats | sed -n '/^sessions:/,$p' | tr -s ' \n' ' ')"
stop_fp
