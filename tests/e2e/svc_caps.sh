#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_caps: the capabilities systemd/pcf.service grants are enough and
# each one is needed.  With exactly the unit's CapabilityBoundingSet (as
# root, no new privileges, like the unit), pcfd attaches and takes a rule
# from pcfctl, and its AF_XDP workers run.  With any one of them taken
# away pcfd cannot get its workers running (CAP_IPC_LOCK only while the
# UMEM is above RLIMIT_MEMLOCK, checked here).  CAP_SYS_ADMIN is not in
# the set.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_tool setpriv util-linux
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"

unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$top/systemd/pcf.service")
[ -n "$unit_caps" ] || fail "no CapabilityBoundingSet= in the unit"
[ "$(sed -n 's/^AmbientCapabilities=//p' "$top/systemd/pcf.service")" = "$unit_caps" ] ||
	fail "AmbientCapabilities= differs from CapabilityBoundingSet="
[[ " $unit_caps " != *" CAP_SYS_ADMIN "* ]] || fail "the unit grants CAP_SYS_ADMIN"
log "the unit grants: $unit_caps"

netns_add c >/dev/null # not in $(...): the cleanup must see it
NS=pcf${ID}c
IF_A=p${ID}a IF_B=p${ID}b
veth_add "$NS" $IF_A "$NS" $IF_B
CTL_PORT=$(( 0x70650000 + 0x$ID ))

# setpriv's form of a list of CAP_ names: +net_admin,+bpf,...
caps_arg() {
	local c out=
	for c in "$@"; do
		c=${c#CAP_}
		out+=,+${c,,}
	done
	echo "-all$out"
}
# restricted CAPS CMD...: CMD in the namespace as root with only CAPS;
# run in the background, $! is CMD itself (exec, and nsenter and setpriv
# exec in turn)
restricted() {
	local caps=$1
	shift
	exec nsenter --net=/run/netns/"$NS" setpriv --bounding-set "$caps" \
		--inh-caps -all --no-new-privs -- "$@"
}

log "pcfd with the unit's capabilities: attaches, runs its workers, serves"
# shellcheck disable=SC2086
restricted "$(caps_arg $unit_caps)" "$PCFD" -f -i $IF_A --pin-dir "$PIN_DIR" \
	--ctl-port "$CTL_PORT" --queues 1 >"$TMP/pcfd.log" 2>&1 &
pid=$!
track $pid
ctl() { "$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" "$@"; }
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not come up: $(cat "$TMP/pcfd.log")"
ctl flow add dst 198.18.0.9 proto udp dport 9 action drop >/dev/null ||
	fail "flow add: $(cat "$TMP/pcfd.log")"
ip -n "$NS" -d link show $IF_A | grep -q 'prog/xdp' || fail "no XDP program on $IF_A"
[ "$(ctl -j stats | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))')" = 1 ] ||
	fail "pcfctl stats shows no worker: $(ctl stats)"
kill $pid
wait $pid 2>/dev/null
nsenter --net=/run/netns/"$NS" "$PCFD" --unload -i $IF_A --pin-dir "$PIN_DIR" >/dev/null 2>&1

# workers CAPS: 0 when pcfd got its workers running on both veths
workers() {
	rm -rf "$PIN_DIR"
	# shellcheck disable=SC2086
	restricted "$1" "$PCFD" -f --pin-dir "$PIN_DIR" -i $IF_A -i $IF_B --queues 1 \
		--ctl-port "$CTL_PORT" >"$TMP/fp.err" 2>&1 &
	local p=$! ok=1
	track $p
	wait_for 10 sh -c "grep -q 'workers running' '$TMP/fp.err' || ! kill -0 $p 2>/dev/null"
	grep -q 'workers running' "$TMP/fp.err" && ok=0
	kill $p 2>/dev/null
	wait $p 2>/dev/null
	nsenter --net=/run/netns/"$NS" "$PCFD" --unload -i $IF_A -i $IF_B \
		--pin-dir "$PIN_DIR" >/dev/null 2>&1
	rm -rf "$PIN_DIR"
	return $ok
}

log "AF_XDP workers with the unit's capabilities: running"
# shellcheck disable=SC2086
workers "$(caps_arg $unit_caps)" || fail "workers did not start: $(cat "$TMP/fp.err")"
log "$(grep 'workers running' "$TMP/fp.err")"

# CAP_IPC_LOCK counts only while the UMEM is above RLIMIT_MEMLOCK: make
# sure it is (8 MiB, Debian's default), wherever this runs
memlock=$(ulimit -l)
if [ "$memlock" = unlimited ] || [ "$memlock" -gt 8192 ]; then
	ulimit -l 8192 || fail "cannot lower RLIMIT_MEMLOCK to 8 MiB"
fi
log "RLIMIT_MEMLOCK $(ulimit -l) KiB"
for drop in $unit_caps; do
	rest=()
	for c in $unit_caps; do [ "$c" = "$drop" ] || rest+=("$c"); done
	if workers "$(caps_arg "${rest[@]}")"; then
		fail "workers start without $drop: the unit grants more than needed"
	fi
	log "without $drop: $(grep -m1 -i 'cannot\|fail\|denied\|not permitted' "$TMP/fp.err")"
done
log PASS
