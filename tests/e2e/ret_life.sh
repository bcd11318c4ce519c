#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ret_life: the return veth's life cycle (worker_env.bash has the
# topology):
#  - pcfd creates the pair with the names it is given, both ends up, no
#    ARP, no IPv6 address, rp_filter off on the kernel's end;
#  - kill -9 of pcfd under egress-kernel traffic: the flow goes on through
#    the kernel (TTL 62 via pcf, 63 via the kernel's own forwarding);
#  - a restart adopts the pair and pcf_return's link: traffic resumes;
#  - SIGTERM then `pcfd --unload` removes the pair, the programs and the
#    pins.
. "$(dirname "$0")/worker_env.bash"

start_fp --rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1"

log "the return veth $RET_A/$RET_B is set up"
for l in $RET_A $RET_B; do
	ip -n "$dut" link show $l | grep -q "NOARP,UP" || fail "$l: $(ip -n "$dut" link show $l)"
done
[ -z "$(ip -n "$dut" -6 addr show dev $RET_B)" ] || fail "IPv6 address on $RET_B"
[ -z "$(ip -n "$dut" -6 addr show dev $RET_A)" ] || fail "IPv6 address on $RET_A"
[ "$(in_ns "$dut" sysctl -n net.ipv4.conf.$RET_B.rp_filter)" = 0 ] || fail "rp_filter on $RET_B"
ip -n "$dut" link show $RET_B | grep -q "prog/xdp.*pcf_return" || fail "no pcf_return"
tc -n "$dut" filter show dev $RET_B ingress | grep -q pcf_return_mark ||
	fail "no tc filter on $RET_B"
ifidx=$(ip -n "$dut" -j link show $RET_A | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')

log "kill -9 under traffic: the kernel takes the flow over"
kill_under_traffic

log "restart: the pair and pcf_return are adopted, the flow goes through pcf"
start_fp
[ "$(ip -n "$dut" -j link show $RET_A | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')" = "$ifidx" ] ||
	fail "$RET_A was made anew, not adopted"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] || fail_stats "after the restart: $got"

log "SIGTERM and --unload: the pair, the programs and the pins go"
stop_fp
ip -n "$dut" link show $RET_A 2>/dev/null && fail "$RET_A is left"
ip -n "$dut" link show $RET_B 2>/dev/null && fail "$RET_B is left"
ip -n "$dut" link show $IF_A | grep -q xdp && fail "XDP left on $IF_A"
ip -n "$dut" link show $IF_B | grep -q xdp && fail "XDP left on $IF_B"
[ -e "$PIN_DIR" ] && fail "$PIN_DIR is left: $(ls "$PIN_DIR")"
log "without pcfd the kernel forwards: TTL 63"
got=$(flow 198.18.2.1 5002 10)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 10 ] || fail "got: $got"
