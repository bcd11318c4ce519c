#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_save: `pcfctl flow save` prints a batch file that recreates the same
# rules.  A varied table (IPv4 and IPv6 prefixes, ports, protocols, dev,
# prio, every action option) is saved, flushed and fed back through
# `pcfctl -batch`; `flow show -j` must then say the same but for ids and
# counters.  Saving is all or nothing, and an empty table saves as nothing.
. "$(dirname "$0")/ctl_env.bash"

start_pcfd

log "a varied table"
cat >"$TMP/rules" <<R
flow add src 198.18.0.0/15 action drop
flow add src 198.18.1.1 dst 198.19.2.0/24 sport 1234 dport 80 proto tcp prio 7 action pass ttl-delta -1 df-clear
flow add dst 198.18.7.7 proto udp dport 53 dev $IF_A prio 0 action redirect snat 198.18.9.9:4000 dnat 198.19.9.9 mark 0xdeadbeef mirror $IF_A egress wire queue 3
flow add src 198.18.3.0/24 proto icmp sport 8 prio 65535 action redirect ttl-delta 5 egress kernel
flow add src 2001:db8::/32 dst 2001:db8:1::/48 proto tcp dport 443 action redirect snat [2001:db8::5]:99 dnat 2001:db8::6
flow add dst 2001:db8::1 proto icmpv6 sport 128 action pass ttl-delta -128
flow add src 0.0.0.0/0 proto 47 prio 100 action drop
flow add src ::/0 prio 101 action pass
flow add proto udp sport 7 dev $IF_A action redirect mark 1 queue 0
flow add dev $IF_B action drop
R
ctl -batch "$TMP/rules" >/dev/null || fail "adding the table"
n=$(grep -c '^flow add' "$TMP/rules")
ctl -j flow show >"$TMP/before.json" || fail "flow show -j"

log "save, flush, batch the saved file"
ctl flow save >"$TMP/saved" || fail "flow save"
cat "$TMP/saved"
[ "$(grep -c '^flow add prio [0-9]* .*action ' "$TMP/saved")" = "$n" ] ||
	fail "flow save did not print $n \"flow add prio N ... action\" lines"
grep -q "mark 0xdeadbeef mirror $IF_A egress wire queue 3" "$TMP/saved" ||
	fail "an action word is missing"
ctl flow flush || fail "flush"
[ "$(ctl -j flow show)" = "[]" ] || fail "rules left after flush"
ctl -batch "$TMP/saved" >/dev/null || fail "batch of the saved file"
ctl -j flow show >"$TMP/after.json" || fail "flow show -j"

# the rules, ids and counters aside, in the order of their match
same_rules() {
	"$PY" - "$1" "$2" <<'CMP'
import json, sys
def rules(path):
    return sorted(json.dumps({k: v for k, v in r.items()
                              if k not in ("id", "packets", "bytes")},
                             sort_keys=True)
                  for r in json.load(open(path)))
a, b = rules(sys.argv[1]), rules(sys.argv[2])
if a != b:
    print("before:", *a, "after:", *b, sep="\n  ")
    sys.exit(1)
print(len(a), "rules alike")
CMP
}
same_rules "$TMP/before.json" "$TMP/after.json" || fail "the restored table differs"
[ "$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/after.json")" = "$n" ] ||
	fail "not $n rules after the restore"

log "saving again gives the same file"
ctl flow save >"$TMP/saved2" || fail "second save"
cmp -s "$TMP/saved" "$TMP/saved2" || fail "save is not stable: $(diff "$TMP/saved" "$TMP/saved2")"

log "an empty table saves as nothing; save takes no arguments"
ctl flow flush || fail "flush"
ctl flow save >"$TMP/empty" || fail "save of an empty table"
[ ! -s "$TMP/empty" ] || fail "an empty table saved as: $(cat "$TMP/empty")"
expect_fail 2 "flow save takes no arguments" ctl flow save now

log "a rule on an interface that has gone: refused whole, nothing printed"
ip -n "$NS" link add "p${ID}x" type veth peer name "p${ID}y" ||
	fail "ip link add p${ID}x"
ctl flow add src 198.18.5.5 action drop >/dev/null || fail "add"
ctl flow add dev "p${ID}x" action drop >/dev/null || fail "add dev"
ip -n "$NS" link del "p${ID}x"
expect_fail 1 "no name here" ctl flow save
[ ! -s "$TMP/out" ] || fail "a partial file was printed: $(cat "$TMP/out")"
log "PASS"
