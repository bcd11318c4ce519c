#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_bulk: 10 000 rules through `pcfctl -batch`, then one `flow show -j`
# dump (many multipart datagrams, each resuming at the next id): every rule
# comes back exactly once, in id order, with its own match.  RUNS times
# (default 3); the median wall times are printed (the numbers of
# docs/BENCHMARKS.md; goal: under 0.5 s each).
. "$(dirname "$0")/ctl_env.bash"

N=10000 RUNS=${RUNS:-3}
start_pcfd

"$PY" - "$N" >"$TMP/batch" <<'GEN'
import sys
for i in range(int(sys.argv[1])):
    print("flow add src 198.18.%d.%d dst 198.19.0.1 proto udp dport %d action drop"
          % (i // 256, i % 256, 1000 + i))
GEN

# secs CMD...: run CMD, then print its wall time in seconds
secs() {
	local s=${EPOCHREALTIME/./} us
	"$@" || return 1
	us=$((${EPOCHREALTIME/./} - s))
	printf '%d.%03d\n' $((us / 1000000)) $((us / 1000 % 1000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for ((r = 0; r < RUNS; r++)); do
	ctl flow flush || fail "flush"
	secs ctl -batch "$TMP/batch" >"$TMP/ids" 2>"$TMP/err" || fail "batch: $(cat "$TMP/err")"
	tail -n1 "$TMP/ids" >>"$TMP/t_batch"
	sed -i '$d' "$TMP/ids"
	[ "$(sort -u "$TMP/ids" | wc -l)" = $N ] || fail "batch printed $(wc -l <"$TMP/ids") ids"
	secs ctl -j flow show >"$TMP/show.json" 2>"$TMP/err" || fail "show: $(cat "$TMP/err")"
	tail -n1 "$TMP/show.json" >>"$TMP/t_show"
	sed -i '$d' "$TMP/show.json"
	"$PY" - "$TMP/show.json" "$N" <<'CHECK' || fail "the dump is not the table"
import json, sys
rules = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
ids = [r["id"] for r in rules]
assert len(rules) == n, "%d rules" % len(rules)
assert ids == sorted(set(ids)), "ids not unique and in order"
for i, r in enumerate(rules):
    want = "198.18.%d.%d" % (i // 256, i % 256)
    assert r["match"] == {"src": want, "dst": "198.19.0.1", "dport": 1000 + i,
                          "proto": "udp"}, r
CHECK
done
log "batch of $N adds: median $(median <"$TMP/t_batch") s of $(tr '\n' ' ' <"$TMP/t_batch")"
log "flow show -j of $N: median $(median <"$TMP/t_show") s of $(tr '\n' ' ' <"$TMP/t_show")"
log "pass"
