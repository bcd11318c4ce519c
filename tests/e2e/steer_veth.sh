#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# steer_veth: the XDP steering program on a real veth, judged by real UDP
# sockets.  Two namespaces joined by a veth pair; pcf_steer is attached
# (through the loader, by tests/tools/pcf-steer) to the receiving end.
#   - a DROP rule stops exactly its flow; other flows still arrive;
#   - a PASS rule with ttl-delta -1 lowers the TTL / hop limit a receiving
#     socket sees by exactly one (and the datagram still passes the
#     kernel's checksum checks);
#   - detaching restores plain behaviour;
# for IPv4 and IPv6.
. "$(dirname "$0")/../lib/common.sh"

need_root
STEER=$BUILD/tests/tools/pcf-steer
[ -x "$STEER" ] || fail "$STEER missing: run make BUILD=$BUILD all"
need_tool python3 python3

COUNT=20 # datagrams per flow and probe
DROP_PORT=5001 TTL_PORT=5002 PLAIN_PORT=5003
PORTS="$DROP_PORT $TTL_PORT $PLAIN_PORT"
RX4=198.18.0.2 TX4=198.18.0.1 RX6=2001:db8::2 TX6=2001:db8::1

# called directly, not in $(...), so the EXIT trap knows the namespaces
netns_add tx >/dev/null
netns_add rx >/dev/null
NS_TX=pcf${ID}tx NS_RX=pcf${ID}rx
IF_TX=p${ID}t IF_RX=p${ID}r
veth_add "$NS_TX" "$IF_TX" "$NS_RX" "$IF_RX"
ip -n "$NS_TX" addr add $TX4/24 dev "$IF_TX"
ip -n "$NS_RX" addr add $RX4/24 dev "$IF_RX"
ip -n "$NS_TX" addr add $TX6/64 dev "$IF_TX" nodad
ip -n "$NS_RX" addr add $RX6/64 dev "$IF_RX" nodad

# The sockets: a receiver reporting the TTL of every datagram, a sender.
UDP=$TMP/udp.py
cat >"$UDP" <<'PY'
# recv 4|6 ADDR PORT COUNT: bind, print "ready", receive until COUNT
#   datagrams arrived, or SIGUSR1 (the test knows the others will not
#   come: what the socket holds is read first), or 20 s; print "got N TTLS"
#   (the distinct TTLs / hop limits from IP_RECVTTL / IPV6_RECVHOPLIMIT,
#   comma separated; "-": none).
# send 4|6 ADDR COUNT PORT...: COUNT datagrams to each port, 5 ms apart.
import os, select, signal, socket, sys, time

# Linux values, for Pythons that do not export them
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_TTL = getattr(socket, "IP_TTL", 2)
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)

def sock(v4):
    return socket.socket(socket.AF_INET if v4 else socket.AF_INET6,
                         socket.SOCK_DGRAM)

def recv(v4, addr, port, count):
    deadline = time.monotonic() + 20
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGUSR1, lambda *_: None)
    s = sock(v4)
    if v4:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        want = (socket.IPPROTO_IP, IP_TTL)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        want = (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)
    s.bind((addr, port))
    s.setblocking(False)
    print("ready", flush=True)
    got, ttls, stop = 0, set(), False
    while got < count and not stop and time.monotonic() < deadline:
        ready, _, _ = select.select([s, wake_r], [], [],
                                    max(0, deadline - time.monotonic()))
        stop = wake_r in ready
        while got < count:
            try:
                _, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(4))
            except BlockingIOError:
                break
            got += 1
            ttls.update(int.from_bytes(d[:4], sys.byteorder)
                        for lvl, typ, d in anc if (lvl, typ) == want)
    print("got %d %s" % (got, ",".join(map(str, sorted(ttls))) or "-"),
          flush=True)
    os._exit(0)  # now: a late SIGUSR1 must not find default handlers

def send(v4, addr, count, ports):
    s = sock(v4)
    for i in range(count):
        for port in ports:
            s.sendto(b"pcf %d" % i, (addr, port))
        time.sleep(0.005)

a = sys.argv
if a[1] == "recv":
    recv(a[2] == "4", a[3], int(a[4]), int(a[5]))
else:
    send(a[2] == "4", a[3], int(a[4]), [int(p) for p in a[5:]])
PY

steer() { in_ns "$NS_RX" "$STEER" --pin-dir "$PIN_DIR" "$@"; }

# rule_packets ID: packets counted for rule ID
rule_packets() { steer stats | awk -v r="rule:$1" '$1 == r { print $2 }'; }
# rule_counted ID N: rule ID counted N packets
rule_counted() { [ "$(rule_packets "$1")" = "$2" ]; }

# probe 4|6 [PORT=RULE]...: COUNT datagrams on each flow of PORTS; fills
# GOT[port] and TTL[port] with what the receiving sockets saw.  The
# receivers wait for their COUNT; on a PORT whose datagrams RULE drops,
# the receiver stops once the rule counted all COUNT.
declare -A GOT TTL
probe() {
	local fam=$1 rx=$RX4 p pid pr
	local -A pids drops
	shift
	for pr; do drops[${pr%=*}]=${pr#*=}; done
	[ "$fam" = 6 ] && rx=$RX6
	for p in $PORTS; do
		# nsenter itself, not the in_ns function: $! must be python
		# (nsenter execs it), which gets the signal below
		nsenter --net=/run/netns/"$NS_RX" python3 "$UDP" recv "$fam" \
			"$rx" "$p" $COUNT >"$TMP/recv$p" &
		pid=$!
		track $pid
		pids[$p]=$pid
	done
	for p in $PORTS; do
		wait_for 10 grep -q ready "$TMP/recv$p" ||
			fail "receiver on port $p did not start"
	done
	# shellcheck disable=SC2086
	in_ns "$NS_TX" python3 "$UDP" send "$fam" "$rx" $COUNT $PORTS ||
		fail "sending to $rx failed"
	# the sender is done: a dropped flow's receiver stops once its rule
	# counted them all; the others end with their COUNT (or after 20 s)
	for p in "${!drops[@]}"; do
		wait_for 10 rule_counted "${drops[$p]}" $COUNT ||
			fail "rule ${drops[$p]} counted $(rule_packets "${drops[$p]}"), not $COUNT"
		kill -USR1 "${pids[$p]}"
	done
	for pid in "${pids[@]}"; do wait "$pid"; done
	for p in $PORTS; do
		read -r _ "GOT[$p]" "TTL[$p]" < <(grep '^got' "$TMP/recv$p")
		log "IPv$fam port $p: ${GOT[$p]:-?} of $COUNT, ttl ${TTL[$p]:-?}"
	done
}

# expect PORT COUNT [TTL]
expect() {
	[ "${GOT[$1]}" = "$2" ] ||
		fail "port $1: $2 datagrams expected, ${GOT[$1]} arrived"
	[ $# -lt 3 ] || [ "${TTL[$1]}" = "$3" ] ||
		fail "port $1: TTL $3 expected, saw ${TTL[$1]}"
}

log "baseline without XDP"
probe 4
expect $DROP_PORT $COUNT
expect $PLAIN_PORT $COUNT
base4=${TTL[$PLAIN_PORT]}
expect $TTL_PORT $COUNT "$base4"
[[ $base4 =~ ^[0-9]+$ ]] || fail "no TTL from IP_RECVTTL: $base4"
probe 6
expect $DROP_PORT $COUNT
expect $PLAIN_PORT $COUNT
base6=${TTL[$PLAIN_PORT]}
expect $TTL_PORT $COUNT "$base6"
[[ $base6 =~ ^[0-9]+$ ]] || fail "no hop limit from IPV6_RECVHOPLIMIT: $base6"

log "attach pcf_steer to $IF_RX"
mode=$(steer attach "$IF_RX" native) || fail "attach failed"
[ "$mode" = native ] || fail "attach gave mode '$mode', native expected"

udp_rule() { steer add dst "$1" proto udp dport "$2" "${@:3}"; }
drop4=$(udp_rule $RX4 $DROP_PORT action drop) || fail "add drop rule"
ttl4=$(udp_rule $RX4 $TTL_PORT action pass ttl-delta -1) || fail "add ttl rule"
drop6=$(udp_rule $RX6 $DROP_PORT action drop) || fail "add IPv6 drop rule"
ttl6=$(udp_rule $RX6 $TTL_PORT action pass ttl-delta -1) ||
	fail "add IPv6 ttl rule"

log "rules in place: drop $DROP_PORT, ttl-delta -1 on $TTL_PORT"
probe 4 $DROP_PORT="$drop4"
expect $DROP_PORT 0
expect $TTL_PORT $COUNT $((base4 - 1))
expect $PLAIN_PORT $COUNT "$base4"
probe 6 $DROP_PORT="$drop6"
expect $DROP_PORT 0
expect $TTL_PORT $COUNT $((base6 - 1))
expect $PLAIN_PORT $COUNT "$base6"
for r in $drop4 $ttl4 $drop6 $ttl6; do
	n=$(rule_packets "$r")
	[ "$n" = $COUNT ] || fail "rule $r counted ${n:-nothing}, $COUNT expected"
done

log "delete the IPv4 drop rule: its flow is back, the others unchanged"
steer del "$drop4" || fail "del $drop4"
probe 4
expect $DROP_PORT $COUNT "$base4"
expect $TTL_PORT $COUNT $((base4 - 1))

log "detach: plain behaviour again"
steer detach "$IF_RX" || fail "detach failed"
ip -n "$NS_RX" link show "$IF_RX" | grep -q ' xdp' &&
	fail "an XDP program is still attached to $IF_RX"
probe 4
expect $DROP_PORT $COUNT "$base4"
expect $TTL_PORT $COUNT "$base4"
probe 6
expect $DROP_PORT $COUNT "$base6"
expect $TTL_PORT $COUNT "$base6"

steer unpin || fail "unpin failed"
[ -e "$PIN_DIR" ] && fail "$PIN_DIR still exists after unpin"
log "PASS"
