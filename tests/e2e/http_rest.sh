#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# http_rest: pcfd's flows over HTTP with curl, real traffic between
# namespaces (worker_env.bash has the picture):
#  - POST /flows a redirect rule: 201, Location, the rule with its id;
#    real UDP is steered through the workers by it (TTL 62); GET
#    /flows/ID shows its counters; GET /flows is what pcfctl -j flow show
#    prints, byte for byte; GET /stats what pcfctl -j stats prints;
#  - PUT /flows/ID changes its action (TTL 61), DELETE removes it (the
#    kernel forwards again, TTL 63); pcfctl monitor hears every change;
#  - pcfctl -j flow show's output POSTed back is the same rule;
#  - every error with its status: 400 naming the field, 403 (TCP), 404,
#    405, 409 (exists; PUT of another match), 413, 507 (16 384 rules;
#    a 33rd mask), each leaving the table as it was.
. "$(dirname "$0")/http_env.bash"

start_fp --egress wire "${HTTP_ARGS[@]}"
RULE='{"match": {"dst": "198.18.2.1", "proto": "udp", "dport": 5002},
       "action": {"type": "redirect", "ttl_delta": -1, "egress": "wire"}}'

ctl monitor >"$TMP/monitor" 2>&1 &
mon=$!
track $mon

log "POST /flows: 201, Location, the rule; it steers real traffic"
expect 201 POST /flows "$RULE"
id=$(body "j['id']")
grep -qi "^Location: /flows/$id"$'\r'"\$" "$TMP/head" || fail "no Location: /flows/$id: $(cat "$TMP/head")"
[ "$(body "(j['match'], j['action']['type'], j['action']['ttl_delta'], j['action']['egress'])")" = \
	"({'dst': '198.18.2.1', 'dport': 5002, 'proto': 'udp'}, 'redirect', -1, 'wire')" ] ||
	fail "POST answered $(cat "$TMP/body")"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] || fail_stats "through rule $id: $got"
expect 200 GET "/flows/$id"
[ "$(body "(j['packets'], j['worker_packets'])")" = "(20, 20)" ] ||
	fail "rule $id's counters: $(cat "$TMP/body")"
log "rule $id: 20 datagrams at TTL 62, counted: $(body "j['worker_bytes']") bytes"

log "GET /flows is pcfctl -j flow show; GET /stats has pcfctl -j stats' every key"
expect 200 GET /flows
ctl -j flow show >"$TMP/ctl.json"
cmp -s "$TMP/body" "$TMP/ctl.json" ||
	fail "GET /flows: $(cat "$TMP/body") / pcfctl: $(cat "$TMP/ctl.json")"
grep -qi '^Content-Type: application/json' "$TMP/head" || fail "type: $(cat "$TMP/head")"
expect 200 GET /stats
ctl -j stats >"$TMP/ctl-stats.json"
# the heartbeats and empty-ring counts move between two reads: the shape
# (every key, nested, in order) and the XDP counters are compared
shape() {
	"$PY" -c 'import json, sys
def s(x):
    if isinstance(x, dict):
        return [(k, s(v)) for k, v in x.items()]
    return [s(v) for v in x] if isinstance(x, list) else type(x).__name__
print(s(json.load(open(sys.argv[1]))))' "$1"
}
[ -n "$(shape "$TMP/body")" ] && [ "$(shape "$TMP/body")" = "$(shape "$TMP/ctl-stats.json")" ] ||
	fail "GET /stats: $(cat "$TMP/body") / pcfctl: $(cat "$TMP/ctl-stats.json")"
[ "$(body "j['xdp']")" = "$(json "j['xdp']" <"$TMP/ctl-stats.json")" ] ||
	fail "the XDP counters differ"

log "PUT /flows/$id: a new action, the same id and counters"
expect 200 PUT "/flows/$id" "${RULE/-1/-2}"
[ "$(body "(j['id'], j['action']['ttl_delta'], j['worker_packets'])")" = "($id, -2, 20)" ] ||
	fail "PUT answered $(cat "$TMP/body")"
got=$(flow 198.18.2.1 5002 10)
[ "$(echo "$got" | awk '$3 == 61' | wc -l)" = 10 ] || fail_stats "after PUT: $got"

log "DELETE /flows/$id: 200, the rule as it went; the kernel forwards again"
expect 200 DELETE "/flows/$id"
[ "$(body "(j['id'], j['worker_packets'])")" = "($id, 30)" ] || fail "DELETE answered $(cat "$TMP/body")"
expect 404 GET "/flows/$id"
got=$(flow 198.18.2.1 5002 10)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 10 ] || fail_stats "after DELETE: $got"
wait_for 5 grep -q "^deleted id $id " "$TMP/monitor" || fail "monitor: $(cat "$TMP/monitor")"
[ "$(grep -c "^added id $id prio 32768 dst 198.18.2.1 dport 5002 proto udp action redirect ttl-delta -[12] egress wire" "$TMP/monitor")" = 2 ] ||
	fail "monitor did not hear POST and PUT: $(cat "$TMP/monitor")"
log "pcfctl monitor heard POST, PUT and DELETE"

log "what pcfctl -j flow show prints, POSTed back, is the same rule"
rid=$(ctl flow add src 198.18.1.0/24 dst 2001:db8::/32 prio 7 action redirect \
	snat '[2001:db8::5]:99' mark 7 mirror $IF_A queue 3 2>&1) &&
	fail "flow add of mixed families was taken: $rid"
rid=$(ctl flow add src 198.18.1.0/24 sport 9 proto udp dev $IF_A prio 7 action redirect \
	snat 198.18.2.77:99 mark 7 mirror $IF_A queue 3 ttl-delta 5 df-clear egress kernel) ||
	fail "flow add"
one=$(ctl -j flow show id "$rid" | json "json.dumps(j[0])")
ctl flow del id "$rid" || fail "flow del"
expect 201 POST /flows "$one"
nid=$(body "j['id']")
[ "$nid" != "$rid" ] || fail "pcfd gave the old id again"
[ "$(body "(j['prio'], j['match'], j['action'])")" = \
	"$(echo "$one" | json "(j['prio'], j['match'], j['action'])")" ] ||
	fail "posted back as another rule: $one / $(cat "$TMP/body")"
expect 200 DELETE "/flows/$nid"

log "errors: 400 naming the field, and the table as it was"
ctl -j flow show >"$TMP/before"
expect 400 POST /flows '{"match": {"dst": "198.18.1.1/24"}, "action": {"type": "drop"}}'
field match.dst
said 'match.dst \"198.18.1.1/24\": host bits set beyond the prefix length (the prefix is 198.18.1.0/24)'
expect 400 POST /flows '{"match": {"dport": "80", "proto": "udp"}, "action": {"type": "drop"}}'
field match.dport
expect 400 POST /flows '{"action": {"type": "drop", "mark": 1}}'
field action
said "a dropped packet cannot be rewritten"
expect 400 POST /flows '{"prio": 70000, "action": {"type": "pass"}}'
field prio
expect 400 POST /flows '{"action": {"type": "redirect", "mirror": "lo"}}'
field action.mirror
said "no pcfd worker runs on it"
expect 400 POST /flows '{"action": {"type": "drop"}, "frob": 1}'
field frob
expect 400 POST /flows '{"action": {"type": "drop"'
said "the JSON text ends too soon"
expect 400 POST /flows ''
log "400: $(cat "$TMP/body")"

log "404, 405, 409, 413, 403 on TCP"
expect 404 GET /flows/424242
said "no rule with this id"
expect 404 DELETE /flows/424242
expect 404 PUT /flows/424242 '{"action": {"type": "drop"}}'
expect 404 GET /flows/x1
expect 404 GET /nothing
expect 405 PATCH /flows
grep -qi '^Allow: GET, HEAD, POST' "$TMP/head" || fail "no Allow: $(cat "$TMP/head")"
expect 405 POST /metrics
expect 201 POST /flows '{"match": {"dst": "198.18.9.9"}, "action": {"type": "drop"}}'
did=$(body "j['id']")
expect 409 POST /flows '{"match": {"dst": "198.18.9.9"}, "action": {"type": "pass"}}'
said "a rule with this match exists: rule $did"
expect 409 PUT "/flows/$did" '{"match": {"dst": "198.18.9.8"}, "action": {"type": "pass"}}'
field match
expect 400 PUT "/flows/$did" "{\"id\": $((did + 1)), \"match\": {\"dst\": \"198.18.9.9\"}, \"action\": {\"type\": \"pass\"}}"
field id
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/big"
expect 413 POST /flows "@$TMP/big"
said "bigger than pcfd takes"
code=$(curl -sS --unix-socket "$SOCK" -o "$TMP/body" -w '%{http_code}' \
	-H 'Transfer-Encoding: chunked' --data-binary "@$TMP/big" http://pcfd/flows)
[ "$code" = 413 ] || fail "a chunked 70 KB body: $code $(cat "$TMP/body")"
[ "$(treq POST /flows '{"action": {"type": "drop"}}')" = 403 ] || fail "POST over TCP: $(cat "$TMP/body")"
said "not over TCP"
[ "$(treq DELETE "/flows/$did")" = 403 ] || fail "DELETE over TCP: $(cat "$TMP/body")"
[ "$(treq GET "/flows/$did")" = 200 ] || fail "GET over TCP: $(cat "$TMP/body")"
expect 200 DELETE "/flows/$did"
ctl -j flow show >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "the errors changed the table: $(cat "$TMP/after")"

log "507: a 33rd mask; a full table"
for n in $(seq 1 32); do echo "flow add src 0.0.0.0/$n action pass"; done >"$TMP/masks"
ctl -batch "$TMP/masks" >/dev/null || fail "32 masks"
expect 507 POST /flows '{"match": {"dst": "198.0.0.0/8"}, "action": {"type": "pass"}}'
said "distinct ones"
ctl flow flush
"$PY" -c 'for i in range(16384): print("flow add dst 198.19.%d.%d proto udp dport 9 action drop" % (i // 256, i % 256))' >"$TMP/full"
ctl -batch "$TMP/full" >/dev/null || fail "16384 rules"
expect 507 POST /flows '{"match": {"dst": "198.18.3.3"}, "action": {"type": "drop"}}'
said "the rule table is full (16384 rules)"
expect 200 GET /flows
[ "$(body "len(j)")" = 16384 ] || fail "GET /flows of a full table: $(head -c 300 "$TMP/body")"
ctl flow flush

log "HEAD, /readyz, /livez"
curl -sS --unix-socket "$SOCK" -I http://pcfd/metrics >"$TMP/head" || fail "HEAD /metrics"
grep -q '^HTTP/1.1 200' "$TMP/head" || fail "HEAD /metrics: $(cat "$TMP/head")"
expect 200 GET /readyz
expect 200 GET /livez
end_job $mon
stop_fp
[ ! -e "$SOCK" ] || fail "pcfd left its socket $SOCK"
log "pass"
