#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_caps: the capabilities systemd/pcf.service grants are enough and
# each one is needed.  With exactly the unit's CapabilityBoundingSet (as
# root, no new privileges, like the unit), pcfd attaches and takes a rule
# from pcfctl, and pcf-fastpath starts its AF_XDP workers.  With any one
# of them taken away the workers cannot start (CAP_IPC_LOCK only while the
# UMEM is above RLIMIT_MEMLOCK, checked here).  CAP_SYS_ADMIN is not in
# the set.
. "$(dirname "$0")/../lib/common.sh"
need_root
command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"
FP=$BUILD/tests/tools/pcf-fastpath
[ -x "$FP" ] || fail "no $FP: build first"

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
# restricted CAPS CMD...: CMD in the namespace as root with only CAPS
restricted() {
	local caps=$1
	shift
	nsenter --net=/run/netns/"$NS" setpriv --bounding-set "$caps" \
		--inh-caps -all --no-new-privs -- "$@"
}

log "pcfd with the unit's capabilities: attaches and serves"
# shellcheck disable=SC2086
restricted "$(caps_arg $unit_caps)" "$PCFD" -f -i $IF_A --pin-dir "$PIN_DIR" \
	--ctl-port "$CTL_PORT" >"$TMP/pcfd.log" 2>&1 &
pid=$!
track $pid
ctl() { "$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" "$@"; }
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not come up: $(cat "$TMP/pcfd.log")"
ctl flow add dst 198.18.0.9 proto udp dport 9 action drop >/dev/null ||
	fail "flow add: $(cat "$TMP/pcfd.log")"
ip -n "$NS" -d link show $IF_A | grep -q 'prog/xdp' || fail "no XDP program on $IF_A"
kill $pid
wait $pid 2>/dev/null
nsenter --net=/run/netns/"$NS" "$PCFD" --unload -i $IF_A --pin-dir "$PIN_DIR" >/dev/null 2>&1

# workers CAPS: 0 when pcf-fastpath got its workers running
workers() {
	rm -rf "$PIN_DIR"
	# shellcheck disable=SC2086
	restricted "$1" "$FP" --pin-dir "$PIN_DIR" -i $IF_A -i $IF_B --queues 1 \
		>"$TMP/fp.out" 2>"$TMP/fp.err" &
	local p=$! ok=1
	track $p
	wait_for 10 sh -c "grep -q '^ready' '$TMP/fp.out' || ! kill -0 $p 2>/dev/null"
	grep -q '^ready' "$TMP/fp.out" && ok=0
	kill $p 2>/dev/null
	wait $p 2>/dev/null
	rm -rf "$PIN_DIR"
	return $ok
}

log "AF_XDP workers with the unit's capabilities: running"
# shellcheck disable=SC2086
workers "$(caps_arg $unit_caps)" || fail "workers did not start: $(cat "$TMP/fp.err")"
log "$(grep '^ready' "$TMP/fp.out")"

memlock=$(ulimit -l)
for drop in $unit_caps; do
	if [ $drop = CAP_IPC_LOCK ] && [ "$memlock" = unlimited ]; then
		log "without $drop: not tried, RLIMIT_MEMLOCK is unlimited here"
		continue
	fi
	rest=()
	for c in $unit_caps; do [ "$c" = "$drop" ] || rest+=("$c"); done
	if workers "$(caps_arg "${rest[@]}")"; then
		fail "workers start without $drop: the unit grants more than needed"
	fi
	log "without $drop: $(grep -m1 -v '^$' "$TMP/fp.err")"
done
log PASS
