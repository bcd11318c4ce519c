#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_fuzz: bounded libFuzzer runs (FUZZ_SECONDS each, default 10) of
# pcfd's control message handler (tests/fuzz/fuzz_ctl.c): first as an
# unprivileged user over the rule table in memory (the fuzzer needs no
# root and no bpffs), then over a real data plane pinned in this run's
# pin directory.  Built here with `make fuzz` (clang, ASan, UBSan).  Any
# crash, leak or sanitizer report fails.
. "$(dirname "$0")/../lib/common.sh"

need_root
FUZZ=$BUILD/tests/fuzz/fuzz_ctl
make -s -C "$top" BUILD="$BUILD" "$FUZZ" >"$TMP/build.log" 2>&1 ||
	{ cat "$TMP/build.log"; fail "make fuzz"; }

# seeds in fuzz_ctl's wrapped form (mode byte, command, attributes), so the
# run starts from requests that reach the rule table
mkdir -p "$TMP/corpus"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" - "$TMP/corpus" <<'SEEDS' || fail "seeds"
import struct, sys
def attr(t, p, nest=False):
    a = struct.pack("=HH", 4 + len(p), t | (0x8000 if nest else 0)) + p
    return a + b"\0" * (-len(a) % 4)
u32 = lambda v: struct.pack("=I", v)
match = attr(4, attr(1, bytes([198, 18, 0, 0])) + attr(2, u32(16)) +
        attr(6, u32(80)) + attr(7, u32(6)), True)
match6 = attr(4, attr(3, bytes([0x20, 1, 0xd, 0xb8] + [0] * 12)) +
         attr(7, u32(17)), True)
act = lambda v, extra=b"": attr(5, attr(1, u32(v)) + extra, True)
nat = attr(4, attr(1, bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [5])) +
           attr(2, u32(99)), True)
seeds = {
    "new": b"\x10\x01" + attr(3, u32(5)) + match + act(0, attr(2, u32(0xffffffff))),
    "new6": b"\x10\x01" + match6 + act(2, nat + attr(6, u32(7)) + attr(8, u32(2)) + attr(9, u32(3))),
    "replace": b"\x08\x01" + match + act(1),
    "del_id": b"\x00\x02" + attr(2, u32(1)),
    "del_match": b"\x00\x02" + match,
    "get": b"\x00\x03" + attr(2, u32(1)),
    "dump": b"\x04\x03",
    "flush": b"\x00\x04",
    "stats": b"\x00\x05",
    "nobody": b"\x02\x01" + match + act(0),
    # VXLAN and explicit egress (issue 13): encap, vni; decap, egress dev, via
    "new_encap": b"\x10\x01" + attr(4, attr(1, bytes([198, 18, 0, 0])) +
                 attr(2, u32(16)) + attr(9, u32(1)) + attr(10, u32(42)),
                 True) + act(2, attr(12, b"") + attr(13, u32(1)) +
                 attr(14, bytes([198, 18, 2, 1]))),
}
for name, data in seeds.items():
    open(sys.argv[1] + "/seed_" + name, "wb").write(data)
SEEDS
# fuzz LOG CMD...: one bounded run on the corpus, judged by its log
fuzz() {
	local out=$1 rc
	shift
	"$@" -max_total_time="${FUZZ_SECONDS:-10}" -max_len=4096 -timeout=10 \
		-rss_limit_mb=1024 "$TMP/corpus" >"$out" 2>&1
	rc=$?
	grep -E "INITED|DONE" "$out"; tail -n 1 "$out"
	[ "$rc" = 0 ] || { tail -n 40 "$out"; fail "fuzz_ctl exited $rc"; }
	grep -q "^Done [0-9]* runs" "$out" || fail "the fuzzer did not run"
}

log "as uid 65534, the rule table in memory"
chmod 0777 "$TMP" "$TMP/corpus"
fuzz "$TMP/fuzz-mem.log" setpriv --reuid=65534 --regid=65534 \
	--clear-groups env -u PCF_FUZZ_PIN_DIR "$FUZZ"
log "as root, the data plane pinned in $PIN_DIR"
PCF_FUZZ_PIN_DIR=$PIN_DIR fuzz "$TMP/fuzz-bpf.log" "$FUZZ"
log "pass"
