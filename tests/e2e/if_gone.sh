#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# if_gone: a steered interface that goes away and comes back
# (worker_env.bash has the topology):
#  - $IF_A deleted while a flow runs through the workers of $IF_B: pcfd
#    says so (a "gone" event), the workers of $IF_A leave `pcfctl stats`,
#    its pinned link goes; the flow on $IF_B loses nothing (through the
#    workers, or the kernel while they restart);
#  - the veth made again: pcfd attaches, the workers are back, and
#    redirect rules on $IF_A reach them again (TTL 62);
#  - the return veth deleted: pcfd makes it again, the flows go on;
#  - pcfd stopped, $IF_A deleted and made again, pcfd started on the same
#    pins: no "Link has been severed", redirected again;
#  - pcfd stopped, the namespace rebuilt (every link of it new, the return
#    veth too), pcfd started on the same pins: the same.
. "$(dirname "$0")/worker_env.bash"

# has_worker IFNAME: `pcfctl stats` shows a worker on IFNAME
has_worker() {
	refresh
	python3 -c 'import json,sys
ws = json.load(open(sys.argv[1]))["workers"]
sys.exit(0 if any(w["ifname"] == sys.argv[2] for w in ws) else 1)' \
		"$TMP/stats.json" "$1"
}

no_worker() { ! has_worker "$1"; }

# through_pcf: 20 datagrams to 198.18.2.1:5002 all arrive through the
# workers (the rule's -1 and the router's -1: TTL 62)
through_pcf() {
	local got
	got=$(flow 198.18.2.1 5002 20)
	[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] ||
		fail_stats "$1: $(echo "$got" | awk '{print $3}' | sort | uniq -c | tr '\n' ' ')"
}

start_fp --rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1" \
	--rule "dst 198.18.2.2 proto udp dport 5010 action redirect ttl-delta -1"
through_pcf "before"

log "a flow from dst to dut's own 198.18.2.2 through the workers of $IF_B"
RECV_NS=$dut recv_start 198.18.2.2 5010 400 "$TMP/recv.b"
r=$rpid
in_ns "$dst" $UDP send 198.18.2.2 5010 400 0.01 64 4000 &
s=$!
track $s
# through pcf: TTL 63 (the rule's -1; delivered locally, no router's -1)
wait_for 10 lines_ge "$TMP/recv.b" ' 63 ' 20 || fail_stats "the flow on $IF_B did not start"

log "$IF_A deleted"
ip -n "$dut" link del $IF_A || fail "ip link del $IF_A"
wait_for 10 grep -q "$IF_A went away" "$TMP/fp.err" || fail_stats "pcfd said nothing"
wait_for 10 no_worker $IF_A ||
	fail_stats "a worker on $IF_A is still shown"
has_worker $IF_B || fail_stats "the workers of $IF_B are gone too"
[ -e "$PIN_DIR/link_$IF_A" ] && fail "the link of $IF_A is still pinned"

log "$IF_A made again"
link_src_dut
wait_for 10 has_worker $IF_A || fail_stats "no worker on $IF_A again"
[ "$(grep -c "attached to $IF_A" "$TMP/fp.err")" = 2 ] || fail "not attached again"
through_pcf "after $IF_A came back"

wait $s
recv_end $r
n=$(grep -vc listening "$TMP/recv.b")
fast=$(awk '$3 == 63' "$TMP/recv.b" | wc -l)
log "the flow on $IF_B: $n of 400, $fast through the workers, $((n - fast)) through the kernel"
[ "$n" = 400 ] || fail_stats "the flow on $IF_B lost $((400 - n))"

log "the return veth deleted: pcfd makes it again"
ip -n "$dut" link del $RET_A || fail "ip link del $RET_A"
wait_for 10 grep -q "the return veth $RET_A went away: making it again" "$TMP/fp.err" ||
	fail_stats "pcfd said nothing"
wait_for 10 ip -n "$dut" link show $RET_A >/dev/null 2>&1 || fail "no $RET_A again"
wait_for 10 has_worker $IF_A || fail_stats "no workers after the return veth came back"
through_pcf "after the return veth came back"

log "pcfd stopped, $IF_A deleted and made again, pcfd started"
kill -TERM $fp
wait $fp || fail "pcfd exited with $?"
ip -n "$dut" link del $IF_A || fail "ip link del $IF_A"
link_src_dut
start_fp
grep -i "severed" "$TMP/fp.err" && fail "a stale link stopped pcfd"
through_pcf "after a restart on the new $IF_A"

log "pcfd stopped, the namespace rebuilt, pcfd started"
kill -TERM $fp
wait $fp || fail "pcfd exited with $?"
ip netns del "$dut"
# the namespace goes, and with it the veths' far ends, in the background
wait_for 10 sh -c "! ip -n $src link show $IF_S && ! ip -n $dst link show $IF_D" >/dev/null 2>&1 ||
	fail "the old links stay"
netns_add dut >/dev/null
link_src_dut
link_dut_dst
dut_up
start_fp
grep -i "severed" "$TMP/fp.err" && fail "a stale link stopped pcfd"
through_pcf "in the rebuilt namespace"
log "$(workers_line)"
stop_fp
