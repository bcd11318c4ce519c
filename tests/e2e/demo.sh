#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# demo: `make demo` (scripts/demo.sh) runs to its end in under two minutes,
# says what it saw in each section, and leaves nothing behind: no
# namespace and no pin directory of its run.  The REDIRECT section (the
# AF_XDP workers) runs: scripts/demo.sh skips it only for a pcfd without
# workers, and this pcfd has them.
. "$(dirname "$0")/../lib/common.sh"

need_root
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"

start=$SECONDS
timeout --kill-after=5 120 "$top/scripts/demo.sh" "$BUILD" >"$TMP/demo.out" 2>&1
rc=$?
took=$((SECONDS - start))
cat "$TMP/demo.out"
[ $rc = 0 ] || fail "scripts/demo.sh exited $rc after ${took}s"
log "the demo took ${took}s"

# expect TEXT: a line of the demo's output holds TEXT
expect() { grep -qF -- "$1" "$TMP/demo.out" || fail "the demo did not say \"$1\""; }
expect "== 1. The lab =="
expect "5 datagrams sent with TTL 64, 5 arrived with TTL 63"
expect "udp to port 6001: 0 of 20 arrived"
expect "udp to port 6002: 20 of 20 arrived"
expect "20 x from 198.18.1.1:4000 TTL 62"
expect "dport 6001 proto udp action drop packets 20"
expect "the drop counter moved by 20"
expect "pcfd killed (signal 9)"
expect "== Done =="
expect "20 x from 198.18.2.77:7777 TTL 62"
expect "after the kill, forwarded by the kernel"
! grep -q SKIPPED "$TMP/demo.out" || fail "the demo skipped: $(grep SKIPPED "$TMP/demo.out")"

run=$(sed -n 's/^pcf demo, run \([0-9a-f]*\):.*/\1/p' "$TMP/demo.out")
[ -n "$run" ] || fail "the demo did not name its run"
ip netns list | grep -q "^pcf$run" && fail "namespaces of run $run left: $(ip netns list | grep "^pcf$run")"
[ -e "/sys/fs/bpf/pcft-$run" ] && fail "pin directory /sys/fs/bpf/pcft-$run left"
true
