#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# input_fuzz: a bounded libFuzzer run (FUZZ_SECONDS, default 10) of the
# batch file reader and the rule grammar (tests/fuzz/fuzz_rule_text.c):
# no crash, leak or sanitizer report, a refusal always says why, and a
# line the grammar takes reads back as itself.  Built here with `make
# fuzz` (clang, ASan, UBSan); needs no root.
. "$(dirname "$0")/../lib/common.sh"

# seeds: the lines flow save prints, and each kind of change
mkdir -p "$TMP/corpus"
cat >"$TMP/corpus/save" <<'R'
flow add prio 7 src 198.18.0.0/15 dst 198.19.1.2 sport 1234 dport 80 proto tcp dev lo action redirect ttl-delta -2 df-clear snat 198.18.9.9:4000 dnat 198.19.9.9 mark 0x10 mirror lo egress kernel queue 3
flow add prio 32768 dst 2001:db8::/33 sport 128 proto icmpv6 action redirect snat 2001:db8::8 dnat [2001:db8::7]:8080 egress wire
R
printf '%s\n' "flow del id 7" "flow del src 198.18.0.1 proto udp dport 53" \
	"flow flush" "# a comment" "flow replace proto 47 action pass" >"$TMP/corpus/changes"
fuzz_for_a_while fuzz_rule_text 2048 512
log PASS
