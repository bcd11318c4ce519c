#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# input_fuzz: a bounded libFuzzer run (FUZZ_SECONDS, default 10) of the
# batch file reader and the rule grammar (tests/fuzz/fuzz_rule_text.c):
# no crash, leak or sanitizer report, a refusal always says why, and a
# line the grammar takes reads back as itself.  Built here with `make
# fuzz` (clang, ASan, UBSan); needs no root.
. "$(dirname "$0")/../lib/common.sh"

FUZZ=$BUILD/tests/fuzz/fuzz_rule_text
make -s -C "$top" BUILD="$BUILD" "$FUZZ" >"$TMP/build.log" 2>&1 ||
	{ cat "$TMP/build.log"; fail "make fuzz"; }

# seeds: the lines flow save prints, and each kind of change
mkdir -p "$TMP/corpus"
cat >"$TMP/corpus/save" <<'R'
flow add prio 7 src 198.18.0.0/15 dst 198.19.1.2 sport 1234 dport 80 proto tcp dev lo action redirect ttl-delta -2 df-clear snat 198.18.9.9:4000 dnat 198.19.9.9 mark 0x10 mirror lo egress kernel queue 3
flow add prio 32768 dst 2001:db8::/33 sport 128 proto icmpv6 action redirect snat 2001:db8::8 dnat [2001:db8::7]:8080 egress wire
R
printf '%s\n' "flow del id 7" "flow del src 198.18.0.1 proto udp dport 53" \
	"flow flush" "# a comment" "flow replace proto 47 action pass" >"$TMP/corpus/changes"
"$FUZZ" -max_total_time="${FUZZ_SECONDS:-10}" -max_len=2048 -timeout=10 \
	-rss_limit_mb=512 "$TMP/corpus" >"$TMP/fuzz.log" 2>&1
rc=$?
tail -n 1 "$TMP/fuzz.log"
[ "$rc" = 0 ] || { tail -n 40 "$TMP/fuzz.log"; fail "fuzz_rule_text exited $rc"; }
grep -q "^Done [0-9]* runs" "$TMP/fuzz.log" || fail "the fuzzer did not run"
log PASS
