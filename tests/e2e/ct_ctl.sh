#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ct_ctl: sessions from the operator's side.  ct rules from pcfd's rules
# file and from pcfctl, refused words with what to write instead, flow
# save's round trip; session show with a match (either tuple, -j),
# session del and session flush (announced as destroy events), who may
# (an unprivileged user reads sessions but cannot delete them).
. "$(dirname "$0")/worker_env.bash"
CT="python3 $top/tests/e2e/ct_sock.py"

mac_b=$(ip -n "$dut" -br link show $IF_B | awk '{print $3}')
ip -n "$dst" neigh replace 198.18.2.77 lladdr "$mac_b" dev $IF_D nud permanent
C4=()
for i in 10 11 12 13; do
	C4+=(198.18.1.$i)
	ip -n "$src" addr add 198.18.1.$i/24 dev $IF_S
done
neigh_to "$src" $IF_S $IF_A "${C4[@]}"

log "a ct rule from the rules file"
cat >"$TMP/rules" <<RULES
flow add src 198.18.1.0/24 dst 198.18.2.1 proto udp action redirect ct snat 198.18.2.77:20000-20099
RULES
start_fp --egress wire --rules-file "$TMP/rules"
ctl flow show | grep -q "action redirect ct snat 198.18.2.77:20000-20099$" ||
	fail "the rules file's ct rule: $(ctl flow show)"

log "refused words say what to write"
expect_fail 2 "a port range is for NAT per connection: write action redirect ct snat 198.18.2.77:1-9" \
	ctl flow add dst 198.18.2.9 proto udp action redirect snat 198.18.2.77:1-9
expect_fail 2 "ct goes with action pass" ctl flow add dst 198.18.2.9 action drop ct
expect_fail 2 "write action redirect ct masquerade" ctl flow add dst 198.18.2.9 action redirect masquerade
expect_fail 2 "a session has no ingress interface" ctl session show dev $IF_A
expect_fail 2 "session del needs match words" ctl session del
ctl flow add dst 198.18.2.3 proto tcp dport 80 action redirect ct dnat 198.18.2.1:8080 >/dev/null ||
	fail "ct dnat"
ctl flow add src 198.18.1.0/24 dst 198.18.2.0/24 proto tcp prio 40000 action redirect ct masquerade >/dev/null ||
	fail "ct masquerade"
ctl flow add src 198.18.1.0/24 dst 198.18.2.0/24 prio 50000 action pass ct >/dev/null ||
	fail "pass ct"
ctl flow save >"$TMP/saved" || fail "flow save"
log "flow save: $(tr '\n' ';' <"$TMP/saved")"
ctl flow flush
ctl -batch "$TMP/saved" >/dev/null || fail "the saved rules do not read back"
ctl flow save >"$TMP/again"
cmp -s "$TMP/saved" "$TMP/again" || fail "flow save round trip: $(diff "$TMP/saved" "$TMP/again")"

log "four clients, sessions made"
ctl monitor sessions >"$TMP/events" 2>&1 &
mon=$!
track $mon
nsenter --net=/run/netns/"$dst" $CT udp-echo 198.18.2.1 6000 4 10 >"$TMP/echo" &
e=$!
track $e
wait_for 10 grep -q listening "$TMP/echo" || fail "udp server"
in_ns "$src" $CT udp-clients 198.18.2.1 6000 4000 10 "${C4[@]}" >"$TMP/c" ||
	fail_stats "UDP: $(cat "$TMP/c")"
wait $e
[ "$(ctl session show | wc -l)" = 4 ] || fail "not 4 sessions: $(ctl session show)"
ctl -j session show src 198.18.1.11 >"$TMP/one.json"
[ "$(jq length "$TMP/one.json")" = 1 ] || fail "session show src 198.18.1.11: $(cat "$TMP/one.json")"
natport=$(jq '.[0].reply.dport' "$TMP/one.json")
# the reply tuple matches too: the NAT port
[ "$(ctl session show dst 198.18.2.77 proto udp dport "$natport" | wc -l)" = 1 ] ||
	fail "session show by the NAT port $natport: $(ctl session show)"

log "nobody reads sessions, cannot delete them"
as_nobody() {
	nsenter --net=/run/netns/"$dut" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "$PCFCTL" --ctl-port "$CTL_PORT" "$@"
}
[ "$(as_nobody session show | wc -l)" = 4 ] || fail "session show as nobody"
expect_fail 1 "session-flush changes the sessions: it needs root or CAP_NET_ADMIN" as_nobody session flush
expect_fail 1 "session-del changes the sessions: it needs root or CAP_NET_ADMIN" as_nobody session del src 198.18.1.10
[ "$(ctl session show | wc -l)" = 4 ] || fail "nobody deleted sessions"

log "session del: by a match; none left to match: an error"
ctl session del src 198.18.1.10 || fail "session del"
[ "$(ctl session show | wc -l)" = 3 ] || fail "session del src 198.18.1.10: $(ctl session show)"
expect_fail 1 "no session matches" ctl session del src 198.18.1.10
log "session flush"
ctl session flush || fail "session flush"
[ "$(ctl session show | wc -l)" = 0 ] || fail "sessions after a flush: $(ctl session show)"
[ "$(ctl -j session show)" = "[]" ] || fail "session show -j of none"
wait_for 5 lines_ge "$TMP/events" "^destroy udp" 4 || fail "destroy events: $(cat "$TMP/events")"
end_job $mon; wait $mon
[ "$(grep -c '^new udp' "$TMP/events")" = 4 ] || fail "new events: $(cat "$TMP/events")"
refresh
python3 - "$TMP/stats.json" <<'PY' || fail "stats: $(jq -c .sessions "$TMP/stats.json")"
import json, sys
s = json.load(open(sys.argv[1]))["sessions"]
assert s["deleted"] == 4 and s["created"] == 4 and s["active"] <= 4, s
PY
stop_fp
