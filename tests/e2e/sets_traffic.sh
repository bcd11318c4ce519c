#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# sets_traffic: named sets judged by real traffic (issue 13).  A sender
# namespace with many source addresses, pcfd on the receiving veth.
#   - design 001's sample allowlist loaded with `set load`; the rules
#     `src @allow ... pass` then `... drop`: datagrams from allowed
#     sources reach a socket, those from others are dropped in XDP,
#     every one counted by its rule, and by the set (its rules' sum);
#   - a load under traffic: set g holds one of two disjoint groups at a
#     time and is reloaded with the other again and again while both
#     groups send to both; a rule `src @g dst @g` must never take a
#     datagram from one group to the other (a half-loaded set would),
#     and does take those within the group the set holds;
#   - a restarted pcfd adopts the sets (kill -9, start again): same
#     content, the same judgement;
#   - flow save writes the sets before the rules; the saved file,
#     replayed with -batch after everything was removed, restores both.
. "$(dirname "$0")/../lib/common.sh"

need_root
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"
need_tool python3 python3
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
json() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
UDP="$PY $(dirname "$0")/sets_udp.py"
ALLOWLIST=$(cd "$(dirname "$0")/../data" && pwd)/ip_allowlist.json

netns_add tx >/dev/null
netns_add rx >/dev/null
NS_TX=pcf${ID}tx NS_RX=pcf${ID}rx IF_TX=p${ID}t IF_RX=p${ID}r
veth_add "$NS_TX" "$IF_TX" "$NS_RX" "$IF_RX"
CTL_PORT=$((0x70630000 + 0x$ID))
ctl() { "$PCFCTL" -n "$NS_RX" --ctl-port "$CTL_PORT" "$@"; }

ALLOWED="198.18.1.3 198.18.1.4 198.18.8.137" # in the sample allowlist
OTHERS="198.18.1.1 198.18.1.2 198.18.9.9"    # not in it
X_SRC="198.19.10.1 198.19.10.2" X_DST=198.19.10.3
Y_SRC="198.19.20.1 198.19.20.2" Y_DST=198.19.20.3
RX=198.19.255.2
for a in $ALLOWED $OTHERS $X_SRC $Y_SRC; do
	ip -n "$NS_TX" addr add "$a/32" dev "$IF_TX" || fail "addr $a"
done
for a in $RX $X_DST $Y_DST; do
	ip -n "$NS_RX" addr add "$a/32" dev "$IF_RX" || fail "addr $a"
done
ip -n "$NS_TX" route add 198.19.0.0/16 dev "$IF_TX" || fail "route"
ip -n "$NS_RX" route add 198.18.0.0/15 dev "$IF_RX" || fail "route"
ip -n "$NS_RX" route add 198.19.0.0/16 dev "$IF_RX" || fail "route"

start_pcfd() {
	nsenter --net=/run/netns/"$NS_RX" "$PCFD" -f -i "$IF_RX" \
		--pin-dir "$PIN_DIR" --ctl-port "$CTL_PORT" \
		>>"$TMP/pcfd.log" 2>&1 &
	PCFD_PID=$!
	track "$PCFD_PID"
	wait_for 10 ctl flow show >/dev/null 2>&1 ||
		{ cat "$TMP/pcfd.log"; fail "pcfd did not come up"; }
}

# packets ID: what rule ID counted
packets() { ctl -j flow show | "$PY" -c "import json,sys
print(sum(r['packets'] for r in json.load(sys.stdin) if r['id'] == $1))"; }
counted() { [ "$(packets "$1")" -ge "$2" ]; }

# allowlist_round N: N datagrams from each source to port 5000; the
# allowed ones arrive, the others are dropped by rule $DROP
allowlist_round() {
	local n=$1 want pid out a
	want=$((n * $(echo $ALLOWED | wc -w)))
	in_ns "$NS_RX" $UDP recv 5000 "$want" 20 >"$TMP/recv" &
	pid=$!
	track $pid
	wait_for 10 grep -q ready "$TMP/recv" || fail "receiver"
	local d0
	d0=$(packets "$DROP")
	# shellcheck disable=SC2086
	in_ns "$NS_TX" $UDP send $RX 5000 "$n" - $ALLOWED $OTHERS >/dev/null ||
		fail "sender"
	wait_for 10 counted "$DROP" $((d0 + n * $(echo $OTHERS | wc -w))) ||
		fail "rule $DROP counted $(packets "$DROP"), not $((d0 + n * 3)) more"
	# the receiver ends once the allowed ones came (else: told to)
	wait_exit 10 $pid || kill -USR1 $pid 2>/dev/null
	wait $pid
	out=$(grep -v ready "$TMP/recv")
	log "received: $(echo "$out" | tr '\n' ' ')"
	for a in $ALLOWED; do
		echo "$out" | grep -qx "$a $n" || fail "$a: not $n datagrams received"
	done
	for a in $OTHERS; do
		! echo "$out" | grep -q "^$a " || fail "$a got through"
	done
}

start_pcfd

log "the sample allowlist, loaded"
ctl set load allow "$ALLOWLIST" || fail "set load"
[ "$(ctl -j set show allow | "$PY" -c 'import json,sys; s=json.load(sys.stdin)[0]; print(s["count"], s["family"], len(s["elements"]))')" = "324 4 324" ] ||
	fail "set show allow: $(ctl -j set show allow | head -c 300)"
PASS=$(ctl flow add src @allow proto udp dport 5000 prio 10 action pass)
DROP=$(ctl flow add proto udp dport 5000 prio 20 action drop)
[ -n "$PASS" ] && [ -n "$DROP" ] || fail "flow add: $(ctl flow show)"
ctl flow show
allowlist_round 20
counted "$PASS" 60 || fail "rule $PASS counted $(packets "$PASS"), not 60"
# a set's counter: what the rules on it matched
[ "$(ctl -j set show allow | json 'j[0]["packets"]')" = "$(packets "$PASS")" ] ||
	fail "set allow counted $(ctl -j set show allow | json 'j[0]["packets"]'), rule $PASS $(packets "$PASS")"
ctl set show allow | grep -q "^set allow ipv4 elements 324 rules 1 packets 60 " ||
	fail "set show: $(ctl set show allow | head -n 1)"

log "a load under traffic: g holds group X or group Y, never a mix"
for a in $X_SRC $X_DST; do echo "$a"; done >"$TMP/X"
for a in $Y_SRC $Y_DST; do echo "$a"; done >"$TMP/Y"
# and a crowd of others in each, so that a load takes its time
"$PY" -c "
for i in range(3000):
    print('198.19.%d.%d' % (100 + i // 250, 1 + i % 250))" >>"$TMP/X"
"$PY" -c "
for i in range(3000):
    print('198.19.%d.%d' % (150 + i // 250, 1 + i % 250))" >>"$TMP/Y"
echo 198.19.99.0/24 >>"$TMP/X"
echo 198.19.98.0/24 >>"$TMP/Y"
ctl set load g "$TMP/X" || fail "set load g"
LEAK=$(ctl flow add src @g dst @g proto udp dport 6001 prio 1 action drop)
WITHIN=$(ctl flow add src @g dst @g proto udp dport 6002 prio 1 action drop)
CROSS=$(ctl flow add proto udp dport 6001 prio 5 action pass)
rm -f "$TMP/stop"
# shellcheck disable=SC2086
{
	in_ns "$NS_TX" $UDP send $Y_DST 6001 200000 "$TMP/stop" $X_SRC >"$TMP/s1" &
	in_ns "$NS_TX" $UDP send $X_DST 6001 200000 "$TMP/stop" $Y_SRC >"$TMP/s2" &
	in_ns "$NS_TX" $UDP send $X_DST 6002 200000 "$TMP/stop" $X_SRC $Y_SRC >"$TMP/s3" &
	wait
} &
SENDERS=$!
track $SENDERS
wait_for 10 counted "$CROSS" 1000 || fail "the traffic did not start"
loads=0
for i in $(seq 1 15); do
	ctl set load g "$TMP/Y" || fail "load Y"
	ctl set load g "$TMP/X" || fail "load X"
	loads=$((loads + 2))
done
touch "$TMP/stop"
wait $SENDERS
# what reached XDP (a full veth ring drops before it) went by one rule
# of the two: the crossing ones never by src @g dst @g
cross_sent=$(($(awk '$1 == "sent" {print $2}' "$TMP/s1") * 2 + $(awk '$1 == "sent" {print $2}' "$TMP/s2") * 2))
wait_for 10 counted "$CROSS" $((cross_sent / 2)) ||
	fail "rule $CROSS counted $(packets "$CROSS") of $cross_sent crossing datagrams"
log "$loads loads under traffic; crossing datagrams sent $cross_sent, passed $(packets "$CROSS"), taken by src @g dst @g $(packets "$LEAK"); within a group taken $(packets "$WITHIN")"
[ "$(packets "$LEAK")" = 0 ] || fail "a datagram between the groups matched src @g dst @g: a half-loaded set"
counted "$WITHIN" 1 || fail "nothing within a group matched"

log "restart: a new pcfd adopts the sets"
ctl -j set show >"$TMP/sets.before"
kill -9 "$PCFD_PID"
wait "$PCFD_PID" 2>/dev/null
start_pcfd
ctl -j set show >"$TMP/sets.after"
"$PY" - "$TMP/sets.before" "$TMP/sets.after" <<'CMP' || fail "the adopted sets differ"
import json, sys
def sets(p):
    return {s["name"]: (s["count"], sorted(s["elements"])) for s in json.load(open(p))}
a, b = sets(sys.argv[1]), sets(sys.argv[2])
print({k: v[0] for k, v in b.items()})
sys.exit(a != b)
CMP
allowlist_round 10

log "flow save: sets, then rules; the file restores both"
ctl flow save >"$TMP/saved" || fail "flow save"
first_flow=$(grep -n '^flow add' "$TMP/saved" | head -1 | cut -d: -f1)
last_set=$(grep -n '^set add' "$TMP/saved" | tail -1 | cut -d: -f1)
[ -n "$first_flow" ] && [ -n "$last_set" ] && [ "$last_set" -lt "$first_flow" ] ||
	fail "flow save does not list the sets before the rules"
grep -q "^flow add prio 10 src @allow dport 5000 proto udp action pass" "$TMP/saved" ||
	fail "the rule on the set: $(grep @allow "$TMP/saved")"
ctl flow show >"$TMP/flows.before"
ctl flow flush || fail "flush"
ctl set destroy allow && ctl set destroy g || fail "destroy"
[ "$(ctl -j set show)" = "[]" ] || fail "sets left: $(ctl set show)"
ctl -batch "$TMP/saved" >/dev/null || fail "-batch of the saved file"
ctl -j set show >"$TMP/sets.restored"
"$PY" - "$TMP/sets.after" "$TMP/sets.restored" <<'CMP' || fail "the restored sets differ"
import json, sys
def sets(p):
    return {s["name"]: (s["count"], sorted(s["elements"])) for s in json.load(open(p))}
sys.exit(sets(sys.argv[1]) != sets(sys.argv[2]))
CMP
[ "$(ctl flow show | sed 's/^id [0-9]* //')" = "$(sed 's/^id [0-9]* //' "$TMP/flows.before")" ] ||
	fail "the restored rules differ: $(ctl flow show)"
PASS=$(ctl -j flow show | "$PY" -c "import json,sys
print([r['id'] for r in json.load(sys.stdin) if r['match'].get('src') == '@allow'][0])")
DROP=$(ctl -j flow show | "$PY" -c "import json,sys
print([r['id'] for r in json.load(sys.stdin) if r['prio'] == 20][0])")
allowlist_round 10
log "PASS"
