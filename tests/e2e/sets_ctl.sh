#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# sets_ctl: every refusal of the set commands (issue 13), each with its
# reason and nothing changed: a bad element of a file by file:line, of a
# JSON file by its path, a family mixed in, a set used by a rule
# (naming it), a rule on no set, 65 sets, 1 000 000 elements and one
# more, an unprivileged user; monitor announcing set changes; a rule on
# a set through pcfd's HTTP API ("src": "@NAME" both ways).
. "$(dirname "$0")/ctl_env.bash"
need_tool curl curl

chmod 711 "$TMP"
SOCK=$TMP/http.sock
start_pcfd --http "unix:$SOCK"

# count NAME: the elements of set NAME, as set show -j says
count() { ctl -j set show "$1" | json 'j[0]["count"]'; }

ctl set add allow 198.18.0.1 198.18.1.0/24 || fail "set add"
[ "$(count allow)" = 2 ] || fail "2 elements"

log "a bad element of a file: file:line, and nothing changes"
printf '# allowlist\n198.18.0.5\n\n198.18.0.6\n198.18.0.999\n' >"$TMP/bad.txt"
expect_fail 1 "bad.txt:5: \"198.18.0.999\" is not an IPv4 or IPv6 address" \
	ctl set load allow "$TMP/bad.txt"
printf '198.18.0.5\n198.18.2.1/23\n' >"$TMP/host.txt"
expect_fail 1 "host.txt:2: \"198.18.2.1/23\": host bits set beyond the prefix length (the prefix is 198.18.2.0/23)" \
	ctl set load allow "$TMP/host.txt"
printf '198.18.0.5\n2001:db8::1\n' >"$TMP/mixed.txt"
expect_fail 1 "mixed.txt:2: IPv6, but the set is IPv4 (from line 1)" \
	ctl set load allow "$TMP/mixed.txt"
[ "$(count allow)" = 2 ] || fail "a refused load changed the set"

log "JSON: the path of the bad element"
echo '{"version": "1.0", "total_ips": 2, "organizations": [], "flat_ip_list": ["198.18.0.5", "198.18.0.1/8"]}' >"$TMP/bad.json"
expect_fail 1 'bad.json: $.flat_ip_list\[1\]: "198.18.0.1/8": host bits set' \
	ctl set load allow "$TMP/bad.json"
echo '{"total_ips": 3, "flat_ip_list": ["198.18.0.5"]}' >"$TMP/count.json"
expect_fail 1 'count.json: $.total_ips: says 3, $.flat_ip_list has 1' \
	ctl set load allow "$TMP/count.json"
echo '["198.18.0.5", 7]' >"$TMP/arr.json"
expect_fail 1 'arr.json: $\[1\]: not a string' ctl set load allow "$TMP/arr.json"
printf '[\n "198.18.0.5",\n' >"$TMP/cut.json"
expect_fail 1 "cut.json:3: not valid JSON" ctl set load allow "$TMP/cut.json"
expect_fail 1 "No such file" ctl set load allow "$TMP/none.json"
[ "$(count allow)" = 2 ] || fail "a refused load changed the set"

log "words: a bad element, a bad name, a missing set"
expect_fail 2 'set add: "198.18.0.1/33": the prefix length must be 0..32' \
	ctl set add allow 198.18.0.1/33
expect_fail 2 "is not a set name" ctl set add 9lives 198.18.0.1
expect_fail 1 "no set nosuch" ctl set flush nosuch
expect_fail 1 "198.18.7.7 is not in set allow" ctl set del allow 198.18.7.7
expect_fail 1 "2001:db8::1 is IPv6, set allow holds IPv4" \
	ctl set add allow 2001:db8::1
expect_fail 1 'src @nosuch: no such set' ctl flow add src @nosuch action drop
[ "$(count allow)" = 2 ] || fail "a refused change changed the set"
log "NAT on a rule on a set: the set's family"
expect_fail 1 "src @allow holds IPv4 addresses: NAT to an IPv6 address never applies to its packets" \
	ctl flow add src @allow action redirect dnat 2001:db8::9
id=$(ctl flow add src @allow proto udp action redirect dnat 198.18.9.9) ||
	fail "NAT of the set's family refused"
ctl flow del id "$id" || fail "flow del"

log "a set used by rules is not destroyed; the refusal names them"
id1=$(ctl flow add src @allow action drop) || fail "flow add"
id2=$(ctl flow add dst @allow proto udp action pass) || fail "flow add"
expect_fail 1 "set allow is used by 2 rules (id $id1, id $id2): delete them first" \
	ctl set destroy allow
ctl flow del id "$id1" && ctl flow del id "$id2" || fail "flow del"
ctl set flush allow || fail "set flush"
[ "$(count allow)" = 0 ] || fail "flush left elements"
ctl set destroy allow || fail "set destroy"
[ "$(ctl -j set show)" = "[]" ] || fail "a set is left: $(ctl set show)"

log "64 sets, not 65"
for i in $(seq 1 64); do echo "set add s$i 198.18.$((i / 200)).$((i % 200))"; done >"$TMP/sets"
ctl -batch "$TMP/sets" || fail "64 sets"
expect_fail 1 "no room for set s65: at most 64 sets" ctl set add s65 198.18.9.9
for i in $(seq 1 64); do echo "set destroy s$i"; done | ctl -batch - || fail "destroy 64"

log "1 000 000 elements in all, not one more"
"$PY" -c "
for i in range(1000000):
    print('2001:db8::%x:%x' % (i >> 16, i & 0xffff))" >"$TMP/million"
ctl set load big "$TMP/million" || fail "a million elements"
[ "$(count big)" = 1000000 ] || fail "big: $(count big) elements"
expect_fail 1 "1000001 elements in all sets would pass the limit of 1000000" \
	ctl set add other 198.18.0.1
echo 2001:db8:1::1 >>"$TMP/million"
expect_fail 1 "would pass the limit of 1000000" ctl set load big "$TMP/million"
[ "$(count big)" = 1000000 ] || fail "a refused load changed big"
ctl set destroy big || fail "destroy big"
log "a refused load does not leave the set it would have made"
expect_fail 1 "would pass the limit of 1000000" ctl set load big2 "$TMP/million"
expect_fail 1 "no set big2" ctl set show big2

log "an unprivileged user reads sets but cannot change them"
ctl set add allow 198.18.0.1 || fail "set add"
as_nobody() {
	nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all \
		"$PCFCTL" --ctl-port "$CTL_PORT" "$@"
}
as_nobody set show allow | grep -q "^set allow ipv4 elements 1" || fail "set show as nobody"
for c in "add allow 198.18.0.2" "del allow 198.18.0.1" "flush allow" "destroy allow"; do
	# shellcheck disable=SC2086
	expect_fail 1 "changes the sets: it needs root or CAP_NET_ADMIN" as_nobody set $c
done
# a file nobody can read (its directory: passable)
echo 198.18.0.3 >"$TMP/one"
chmod 644 "$TMP/one"
expect_fail 1 "needs root or CAP_NET_ADMIN" as_nobody set load allow "$TMP/one"
[ "$(count allow)" = 1 ] || fail "nobody changed the set"

log "HTTP: POST /flows with src @allow, read back as such"
http() {
	curl -sS --unix-socket "$SOCK" -o "$TMP/body" -w '%{http_code}' \
		-X "$1" ${3+--data-binary "$3"} "http://pcfd$2"
}
code=$(http POST /flows '{"match": {"src": "@allow", "proto": "udp"}, "action": {"type": "drop"}}')
[ "$code" = 201 ] || fail "POST /flows answered $code: $(cat "$TMP/body")"
id=$(json 'j["id"]' <"$TMP/body")
[ "$(http GET "/flows/$id")" = 200 ] || fail "GET /flows/$id"
[ "$(json 'j["match"]' <"$TMP/body")" = "{'src': '@allow', 'proto': 'udp'}" ] ||
	fail "GET /flows/$id: $(cat "$TMP/body")"
ctl flow show | grep -q "^id $id prio 32768 src @allow proto udp action drop" ||
	fail "flow show: $(ctl flow show)"
code=$(http POST /flows '{"match": {"src": "@nosuch"}, "action": {"type": "drop"}}')
[ "$code" = 400 ] && grep -q "no such set" "$TMP/body" ||
	fail "POST of a rule on no set answered $code: $(cat "$TMP/body")"
ctl flow del id "$id" || fail "flow del"

log "monitor announces set changes"
ctl monitor >"$TMP/mon" 2>&1 &
mon=$!
track $mon
sleep_until_joined() { ctl set add probe 198.18.5.5 && grep -q "set-added probe" "$TMP/mon"; }
wait_for 10 sleep_until_joined || fail "monitor saw nothing: $(cat "$TMP/mon")"
ctl set load allow "$TMP/one" || fail "load"
ctl set destroy probe || fail "destroy"
wait_for 10 grep -q "set-destroyed probe" "$TMP/mon" || fail "monitor: $(cat "$TMP/mon")"
grep -q "set-loaded allow elements 1" "$TMP/mon" || fail "monitor: $(cat "$TMP/mon")"
end_job $mon
log "PASS"
