#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# if_mtu: MTUs on the way of REDIRECTed packets (worker_env.bash has the
# topology; XDP in generic mode, where a veth takes any MTU):
#  - MTU 1770 on every link: the return veth follows (both ends 1770), and
#    1700-byte datagrams of an `egress kernel` rule arrive through the
#    workers (TTL 62), none dropped on the way;
#  - MTU 9000 on every link at run time: pcfd says what it means, the
#    workers restart with 4096-byte frames (packets up to 3840 bytes), the
#    return veth takes what the kernel lets it (said once); 3000-byte
#    datagrams go through the workers (TTL 62), 5000-byte ones go to the
#    kernel (TTL 63), counted as too_big: none lost.
. "$(dirname "$0")/worker_env.bash"

# set_mtu MTU: on every link of the path
set_mtu() {
	ip -n "$src" link set $IF_S mtu $1 &&
		ip -n "$dut" link set $IF_A mtu $1 &&
		ip -n "$dut" link set $IF_B mtu $1 &&
		ip -n "$dst" link set $IF_D mtu $1 || fail "MTU $1"
}

# ttls PORT COUNT TTL SIZE: COUNT datagrams of SIZE bytes arrive, all TTL
ttls() {
	local got
	got=$(FLOW_SIZE=$4 flow 198.18.2.1 $1 $2 64)
	[ "$(echo "$got" | awk -v t=$3 '$3 == t' | wc -l)" = $2 ] ||
		fail_stats "$4 bytes: $(echo "$got" | awk '{print $3}' | sort | uniq -c | tr '\n' ' ')"
}

# link_stat IFNAME KEY: a counter of one interface in the last snapshot
link_stat() {
	python3 -c 'import json,sys
ls = json.load(open(sys.argv[1]))["links"]
print(next(l[sys.argv[3]] for l in ls if l["ifname"] == sys.argv[2]))' \
		"$TMP/stats.json" "$1" "$2"
}

set_mtu 1770
start_fp --xdp-mode generic \
	--rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1 egress kernel"
for l in $RET_A $RET_B; do
	ip -n "$dut" link show $l | grep -q "mtu 1770 " || fail "$l: $(ip -n "$dut" link show $l)"
done

log "MTU 1770: 1700-byte datagrams through the workers and the return veth"
ttls 5002 20 62 1700
refresh
[ "$(fp_stat returned_egress_kernel)" = 20 ] || fail_stats "returned $(fp_stat returned_egress_kernel)"
[ "$(link_stat $RET_A tx_dropped)" = 0 ] || fail_stats "the return veth dropped"

log "MTU 9000 at run time"
set_mtu 9000
wait_for 10 grep -q "packets up to 3840 bytes" "$TMP/fp.err" ||
	fail_stats "the workers did not move to 4096-byte frames"
grep -q "$IF_A: MTU 1770 -> 9000: .* (they restart with 4096-byte frames): longer packets of redirect rules go to the kernel, counted as too_big" "$TMP/fp.err" ||
	fail_stats "pcfd did not say what MTU 9000 means"
wait_for 10 grep -q "the return veth $RET_A takes an MTU of" "$TMP/fp.err" ||
	fail_stats "pcfd did not say that the return veth stays below 9000"
log "$(grep "takes an MTU of" "$TMP/fp.err" | head -n1)"
[ "$(grep -c "takes an MTU of" "$TMP/fp.err")" = 1 ] || fail "said more than once"

log "3000 bytes fit the frames: through the workers"
refresh
too_big=$(fp_stat xdp_reason_too_big)
ttls 5002 20 62 3000
log "5000 bytes do not: to the kernel, counted as too_big"
ttls 5002 20 63 5000
refresh
[ $(( $(fp_stat xdp_reason_too_big) - too_big )) = 20 ] ||
	fail_stats "too_big went from $too_big to $(fp_stat xdp_reason_too_big)"
[ "$(link_stat $RET_A tx_dropped)" = 0 ] || fail_stats "the return veth dropped"
log "$(workers_line)"
stop_fp
