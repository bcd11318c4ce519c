#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ret_mirror: `mirror IFNAME` (worker_env.bash has the topology):
#  - a capture on the mirror interface (src's end of dut's ingress veth)
#    sees one copy of each packet, with the rewritten (SNATed) headers,
#    while the original goes on to dst through the kernel egress; the
#    copies are counted (mirror_packets);
#  - a mirror whose interface went away (no worker sends there any more)
#    loses the copies, counted as mirror drops, and never the originals.
#    pcfctl and the rules file refuse such a rule (ctl_mirror.sh); it
#    happens when the interface of a mirror that was sent goes.
. "$(dirname "$0")/worker_env.bash"
need_tool tcpdump tcpdump

# a third interface of dut, steered by pcfd, the second mirror's
IF_M=p${ID}m
ip -n "$dut" link add $IF_M type veth peer name p${ID}n || fail "veth $IF_M"
ip -n "$dut" link set $IF_M up && ip -n "$dut" link set p${ID}n up ||
	fail "up $IF_M"
start_fp -i $IF_M \
	--rule "dst 198.18.2.1 proto udp dport 5030 action redirect snat 198.18.2.77:7777 mirror $IF_A" \
	--rule "dst 198.18.2.1 proto udp dport 5031 action redirect mirror $IF_M"

log "mirror to $IF_A: a capture on $IF_S sees 20 SNATed copies"
cap=$TMP/mirror.txt
nsenter --net=/run/netns/"$src" timeout 20 tcpdump -l -n -A -c 20 -i $IF_S \
	'udp and src host 198.18.2.77 and src port 7777' >"$cap" 2>"$cap.err" &
t=$!
track $t
wait_for 10 grep -q "listening on" "$cap.err" || fail "tcpdump: $(cat "$cap.err")"
got=$(flow 198.18.2.1 5030 20)
[ "$(echo "$got" | awk '$1 == "198.18.2.77" && $2 == 7777' | wc -l)" = 20 ] ||
	fail_stats "dst got: $got"
wait $t || fail "tcpdump caught $(grep -c '198.18.2.77.7777 >' "$cap") copies: $(cat "$cap.err")"
[ "$(grep -c '198.18.2.77.7777 > 198.18.2.1.5030: UDP' "$cap")" = 20 ] ||
	fail "capture: $(cat "$cap")"
[ "$(grep -o 'seq [0-9]*' "$cap" | sort -u | wc -l)" = 20 ] ||
	fail "not one copy per packet: $(grep -o 'seq [0-9]*' "$cap" | tr '\n' ' ')"
refresh
[ "$(fp_stat mirror_packets)" = 20 ] || fail_stats "mirror_packets $(fp_stat mirror_packets)"
[ "$(fp_stat drop_mirror)" = 0 ] || fail_stats "mirror drops $(fp_stat drop_mirror)"

log "mirror to $IF_M, which goes: the copies are lost and counted, the packets arrive"
ip -n "$dut" link del $IF_M || fail "ip link del $IF_M"
wait_for 10 grep -q "$IF_M went away" "$TMP/fp.err" || fail_stats "pcfd did not see $IF_M go"
# the workers restart without it (their counters from 0)
restarted() { grep -q "restarting the workers" "$TMP/fp.err" && ctl stats >/dev/null && ! ctl stats | grep -q "$IF_M"; }
wait_for 10 restarted || fail_stats "the workers did not restart without $IF_M"
got=$(flow 198.18.2.1 5031 10)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 10 ] || fail_stats "dst got: $got"
refresh
[ "$(fp_stat drop_mirror)" = 10 ] || fail_stats "mirror drops $(fp_stat drop_mirror)"
[ "$(fp_stat mirror_packets)" = 0 ] || fail_stats "mirror_packets $(fp_stat mirror_packets)"
log "$(workers_line)"
stop_fp
