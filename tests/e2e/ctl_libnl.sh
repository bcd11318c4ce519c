#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_libnl: a second client, built on libnl-genl-3 alone
# (tests/tools/pcf-nlclient.c), drives a real pcfd: the pcf family is
# plain genetlink framing a generic netlink library can speak.  It adds a
# rule (NLM_F_ECHO gives its id, and pcfctl sees the same rule), gets
# pcfd's refusals with their extended-ack messages, dumps a table of
# 3000 rules (multipart, many datagrams), receives the events pcfctl's
# changes cause, and deletes; as uid 65534 it is refused.
. "$(dirname "$0")/ctl_env.bash"

NL=$BUILD/tests/tools/pcf-nlclient
[ -x "$NL" ] || fail "build $NL first (make; scripts/deps.sh installs libnl-genl-3-dev)"
nl() { in_ns "$NS" "$NL" --ctl-port "$CTL_PORT" "$@"; }

start_pcfd

log "add through libnl: the echo's id is the rule pcfctl shows"
id=$(nl add 198.18.0.7 5353) || fail "add: $id"
[[ $id =~ ^[0-9]+$ ]] || fail "add printed \"$id\""
ctl flow show | grep -q "^id $id prio 32768 src 198.18.0.7 dport 5353 proto udp action drop$" ||
	fail "pcfctl does not see rule $id: $(ctl flow show)"

log "pcfd's refusals come with their extended-ack message"
expect_fail 1 "Error: a rule with this match exists: use \`flow replace\` to change it" nl add 198.18.0.7 5353
expect_fail 1 "Error: no rule with this id" nl del 99999
expect_fail 1 "Error: flow-new changes the rules: it needs root or CAP_NET_ADMIN (uid 65534 has neither)" \
	in_ns "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$NL" --ctl-port "$CTL_PORT" add 198.18.0.8 53
log "$(cat "$TMP/err")"

log "a dump of 3000 rules, in many datagrams"
"$PY" - >"$TMP/batch" <<'GEN'
for i in range(2999):
    print("flow add src 198.18.%d.%d proto udp dport %d action drop" % (10 + i // 256, i % 256, 1000 + i))
GEN
ctl -batch "$TMP/batch" >/dev/null || fail "batch"
nl dump >"$TMP/dump" || fail "dump: $(cat "$TMP/dump")"
[ "$(wc -l <"$TMP/dump")" = 3000 ] || fail "the dump has $(wc -l <"$TMP/dump") rules"
ctl -j flow show | json "'\n'.join('id %d src %s dport %d' % (r['id'], r['match']['src'], r['match']['dport']) for r in j)" >"$TMP/want"
diff -u "$TMP/want" "$TMP/dump" >/dev/null || fail "libnl's dump differs from pcfctl's: $(diff "$TMP/want" "$TMP/dump" | head -n 5)"

log "events: what pcfctl changes, libnl hears"
nl monitor 3 >"$TMP/events" 2>&1 &
mon=$!
track $mon
wait_for 10 grep -q listening "$TMP/events" || fail "monitor: $(cat "$TMP/events")"
ctl flow add src 198.18.99.1 proto udp dport 7 action drop >/dev/null || fail "add"
ctl flow del src 198.18.99.1 proto udp dport 7 || fail "del"
ctl flow flush || fail "flush"
wait $mon || fail "monitor: $(cat "$TMP/events")"
grep -q "^added id [0-9]* src 198.18.99.1 dport 7$" "$TMP/events" &&
	grep -q "^deleted id [0-9]* src 198.18.99.1 dport 7$" "$TMP/events" &&
	grep -qx flushed "$TMP/events" || fail "events: $(cat "$TMP/events")"

log "del through libnl"
id=$(nl add 198.18.0.9 9) || fail "add"
nl del "$id" || fail "del $id"
[ "$(ctl -j flow show)" = "[]" ] || fail "rule $id is still there"
log "pass"
