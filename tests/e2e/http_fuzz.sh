#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# http_fuzz: a bounded libFuzzer run (FUZZ_SECONDS, default 10) of what
# reads the body of POST and PUT /flows (tests/fuzz/fuzz_rule_json.c): no
# crash, leak or sanitizer report, a refusal always says why, and a rule
# it takes prints as JSON that reads back as itself.  Built here with
# `make fuzz` (clang, ASan, UBSan); needs no root.
. "$(dirname "$0")/../lib/common.sh"

# seeds: what pcfctl -j flow show prints, and a controller's short form
mkdir -p "$TMP/corpus"
cat >"$TMP/corpus/show" <<'J'
{"id":1,"prio":7,"match":{"src":"198.18.0.0/15","dst":"198.19.1.2","sport":1234,"dport":80,"proto":"tcp","dev":"lo"},"action":{"type":"redirect","ttl_delta":-2,"df_clear":true,"snat":"198.18.9.9:4000","dnat":"198.19.9.9","mark":16,"mirror":"lo","egress":"kernel","queue":3},"packets":0,"bytes":0,"worker_packets":0,"worker_bytes":0}
J
cat >"$TMP/corpus/short" <<'J'
{"match": {"dst": "2001:db8::/33", "proto": "icmpv6", "sport": 128}, "action": {"type": "redirect", "dnat": "[2001:db8::7]:8080", "egress": "wire"}}
J
fuzz_for_a_while fuzz_rule_json 2048 512
log PASS
