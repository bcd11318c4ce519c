#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_basic: pcfctl drives a real pcfd over the control channel:
# add/replace/show/del/flush, -j read back, stats, refusals with their
# reasons and exit codes, -batch stopping at a failing line (and -force
# going on), a taken port id, a pin directory that is not a bpffs, rules
# that survive a SIGTERM and a restart (with --default drop), and
# pcfd --unload.
. "$(dirname "$0")/ctl_env.bash"

start_pcfd

log "add prints the id; a duplicate is refused; replace keeps the id"
id1=$(ctl flow add src 198.18.0.0/16 dport 80 proto tcp action drop) ||
	fail "flow add"
[[ $id1 =~ ^[0-9]+$ ]] || fail "flow add printed \"$id1\", not an id"
expect_fail 1 "exists" ctl flow add src 198.18.0.0/16 dport 80 proto tcp action pass
id1r=$(ctl flow replace src 198.18.0.0/16 dport 80 proto tcp action pass ttl-delta -1) ||
	fail "flow replace"
[ "$id1r" = "$id1" ] || fail "replace gave id $id1r, not $id1"
id2=$(ctl flow add dst 2001:db8::/32 proto udp prio 10 action redirect \
	snat '[2001:db8::5]:99' mark 7 egress wire queue 3) || fail "flow add v6"
[ "$id2" != "$id1" ] || fail "two rules share id $id1"

log "show, text and JSON"
ctl flow show >"$TMP/show" || fail "flow show"
grep -q "^id $id1 prio 32768 src 198.18.0.0/16 dport 80 proto tcp action pass ttl-delta -1\$" "$TMP/show" ||
	fail "flow show: $(cat "$TMP/show")"
ctl -j flow show >"$TMP/show.json" || fail "flow show -j"
[ "$(json 'len(j)' <"$TMP/show.json")" = 2 ] || fail "not 2 rules: $(cat "$TMP/show.json")"
got=$(json "[(r['id'], r['prio'], r['match'], r['action']['type'], r['action']['ttl_delta'], r['packets'], r['bytes']) for r in j if r['id'] == $id1]" <"$TMP/show.json")
[ "$got" = "[($id1, 32768, {'src': '198.18.0.0/16', 'dport': 80, 'proto': 'tcp'}, 'pass', -1, 0, 0)]" ] ||
	fail "rule $id1 as JSON: $got"
got=$(json "[(r['prio'], r['match'], r['action']) for r in j if r['id'] == $id2]" <"$TMP/show.json")
[ "$got" = "[(10, {'dst': '2001:db8::/32', 'proto': 'udp'}, {'type': 'redirect', 'ttl_delta': 0, 'df_clear': False, 'ct': False, 'masquerade': False, 'snat': '[2001:db8::5]:99', 'dnat': None, 'mark': 7, 'mirror': None, 'egress': 'wire', 'queue': 3, 'decap': False, 'egress_dev': None, 'egress_via': None})]" ] ||
	fail "rule $id2 as JSON: $got"
ctl -j -p flow show id "$id2" | json "j[0]['id']" | grep -qx "$id2" || fail "flow show id"
expect_fail 1 "no rule with this id" ctl flow show id 99999

log "refusals: nonsense actions (with pcfd's reason), bad usage"
expect_fail 1 "dropped packet cannot be rewritten" ctl flow add src 198.18.1.1 action drop snat 198.18.2.2
expect_fail 1 "need action redirect" ctl flow add src 198.18.1.1 action pass mark 1
expect_fail 1 "out of range" ctl flow add src 198.18.1.1 prio 70000 action pass
expect_fail 2 "same address family" "$PCFCTL" flow add src 198.18.1.1 dst 2001:db8::1 action pass
expect_fail 2 "needs \"action" ctl flow add src 198.18.1.1
expect_fail 2 "not a port" ctl flow add dport 70000 proto tcp action pass
expect_fail 2 "unknown object" ctl route show

log "stats"
ctl -j stats >"$TMP/stats.json" || fail "stats -j"
json "sorted(j['xdp'])" <"$TMP/stats.json" | grep -q "'pass'.*'redirect'" ||
	fail "stats -j: $(cat "$TMP/stats.json")"
json "j['xdp']['miss']['packets'] >= 0 and j['xdp']['drop']['bytes'] >= 0" <"$TMP/stats.json" | grep -qx True ||
	fail "stats -j counters: $(cat "$TMP/stats.json")"
ctl stats | grep -q "^  pass " || fail "stats text"

log "del by id, by match, flush"
ctl flow del id "$id2" || fail "flow del id"
expect_fail 1 "no rule with this id" ctl flow del id "$id2"
ctl flow del src 198.18.0.0/16 dport 80 proto tcp || fail "flow del match"
expect_fail 1 "no rule with this match" ctl flow del src 198.18.0.0/16 dport 80 proto tcp
ctl flow add src 198.18.3.3 action drop >/dev/null || fail "add"
ctl flow flush || fail "flow flush"
[ "$(ctl -j flow show)" = "[]" ] || fail "rules left after flush"

log "batch: stops at the failing line, names it; -force goes on"
cat >"$TMP/batch" <<'B'
# comment, then a blank line

flow add src 198.18.4.1 action drop
flow add src 198.18.4.2 action drop
flow add src 198.18.4.1 action drop
flow add src 198.18.4.3 action drop
B
expect_fail 1 "batch:5" ctl -batch "$TMP/batch"
[ "$(ctl -j flow show | json 'len(j)')" = 2 ] || fail "batch went past line 5"
ctl flow flush
expect_fail 1 "batch:5" ctl -force -batch "$TMP/batch"
[ "$(ctl -j flow show | json 'len(j)')" = 3 ] || fail "-force did not go on"
echo "flow show" | ctl -batch - | grep -c '^id ' | grep -qx 3 || fail "batch from stdin"
# packed changes are done before a line that is not one; bad usage stops too
ctl flow flush
printf '%s\n' "flow add src 198.18.5.1 action drop" "flow show" "flow frob" \
	"flow add src 198.18.5.2 action drop" >"$TMP/batch2"
expect_fail 2 "batch2:3" ctl -batch "$TMP/batch2"
grep -q "^id [0-9]* prio 32768 src 198.18.5.1 action drop" "$TMP/out" ||
	fail "flow show in the batch did not see line 1: $(cat "$TMP/out")"
[ "$(ctl -j flow show | json 'len(j)')" = 1 ] || fail "batch went past line 3"
ctl flow flush
ctl -batch "$TMP/batch" -force 2>/dev/null >/dev/null

log "a second pcfd on the same port id says who holds it"
expect_fail 1 "0x$(printf %x "$CTL_PORT") is taken by pid $PCFD_PID (pcfd)" \
	in_ns "$NS" "$PCFD" -f -i "$IF_A" --pin-dir "$PIN_DIR" --ctl-port "$CTL_PORT"

log "a pin directory off bpffs is named as such"
expect_fail 1 "not on a bpf filesystem" in_ns "$NS" "$PCFD" -f -i "$IF_A" \
	--pin-dir "$TMP/nobpffs" --ctl-port $((CTL_PORT + 1))

log "SIGTERM ends pcfd cleanly; rules and program stay pinned"
kill -TERM "$PCFD_PID"
wait "$PCFD_PID" || fail "pcfd exited $? on SIGTERM"
[ -e "$PIN_DIR/link_$IF_A" ] || fail "the XDP link is not pinned any more"
start_pcfd --default drop
[ "$(ctl -j flow show | json 'len(j)')" = 3 ] || fail "rules lost across a restart"
got=$(bpftool -j map dump pinned "$PIN_DIR/pcf_config" | json "j[0]['formatted']['value']['default_verdict']")
[ "$got" = 1 ] || fail "--default drop: the pinned default verdict is $got"

log "pcfd --unload detaches and unpins everything"
kill -INT "$PCFD_PID"
wait "$PCFD_PID" || fail "pcfd exited $? on SIGINT"
in_ns "$NS" "$PCFD" --unload --pin-dir "$PIN_DIR" -i "$IF_A" || fail "--unload"
[ ! -e "$PIN_DIR" ] || fail "$PIN_DIR still there: $(ls "$PIN_DIR")"
ip -n "$NS" link show "$IF_A" | grep -q xdp && fail "XDP still attached to $IF_A"

log "pass"
