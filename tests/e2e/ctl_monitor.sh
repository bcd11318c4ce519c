#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_monitor: `pcfctl monitor` (text and -j) sees every change, in order,
# from the events multicast group: added, replaced, deleted, flushed.
. "$(dirname "$0")/ctl_env.bash"

start_pcfd

# monitors subscribed to the events group, as /proc/net/netlink shows
listeners() {
	in_ns "$NS" awk '$2 == 2 && $4 == "00000001"' /proc/net/netlink | wc -l
}

# pcfctl itself, not the ctl function: $! must be pcfctl's pid (the
# cleanup kills it; a function would leave it behind in a subshell)
"$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" monitor >"$TMP/mon.txt" 2>&1 &
track $!
"$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" -j monitor >"$TMP/mon.json" 2>&1 &
track $!
# a function: wait_for must count again on each try, not once
subscribed() { [ "$(listeners)" -ge 2 ]; }
wait_for 10 subscribed ||
	fail "monitors did not subscribe: $(cat "$TMP/mon.txt" "$TMP/mon.json"; in_ns "$NS" cat /proc/net/netlink)"

id=$(ctl flow add src 198.18.0.1 dport 53 proto udp action drop) || fail "add"
ctl flow replace src 198.18.0.1 dport 53 proto udp action pass >/dev/null || fail "replace"
ctl flow del id "$id" || fail "del"
ctl flow add dst 2001:db8::1 action drop >/dev/null || fail "add v6"
# deleted by match: the event names the rule that went (action drop), not
# the request (which has no action)
ctl flow del dst 2001:db8::1 || fail "del by match"
ctl flow flush || fail "flush"
wait_for 10 grep -q flushed "$TMP/mon.txt" || fail "no flush event: $(cat "$TMP/mon.txt")"
wait_for 10 grep -q flushed "$TMP/mon.json" || fail "no flush event in JSON"

cat >"$TMP/want" <<W
added id $id prio 32768 src 198.18.0.1 dport 53 proto udp action drop
added id $id prio 32768 src 198.18.0.1 dport 53 proto udp action pass
deleted id $id prio 32768 src 198.18.0.1 dport 53 proto udp action pass
added id $((id + 1)) prio 32768 dst 2001:db8::1 action drop
deleted id $((id + 1)) prio 32768 dst 2001:db8::1 action drop
flushed
W
diff -u "$TMP/want" "$TMP/mon.txt" || fail "monitor saw something else"

got=$("$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    f = e.get("flow", {})
    print(e["event"], f.get("id"), f.get("action", {}).get("type"))
' "$TMP/mon.json")
want="added $id drop
added $id pass
deleted $id pass
added $((id + 1)) drop
deleted $((id + 1)) drop
flushed None None"
[ "$got" = "$want" ] || fail "monitor -j saw: $got"

log "pass"
