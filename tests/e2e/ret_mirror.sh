#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ret_mirror: `mirror IFNAME` (worker_env.bash has the topology):
#  - a capture on the mirror interface (src's end of dut's ingress veth)
#    sees one copy of each packet, with the rewritten (SNATed) headers,
#    while the original goes on to dst through the kernel egress; the
#    copies are counted (mirror_packets);
#  - a mirror to an interface pcf cannot send on (lo) loses the copies,
#    counted as mirror drops, and never the originals.  pcfctl is refused
#    such a rule (tests/e2e/ctl_mirror.sh); it comes from the rules file,
#    as a rule pinned by an earlier pcfd with other interfaces would.
. "$(dirname "$0")/worker_env.bash"
need_tool tcpdump tcpdump

echo "flow add dst 198.18.2.1 proto udp dport 5031 action redirect mirror lo" \
	>"$TMP/mirror-lo.rules"
start_fp \
	--rule "dst 198.18.2.1 proto udp dport 5030 action redirect snat 198.18.2.77:7777 mirror $IF_A" \
	--rules-file "$TMP/mirror-lo.rules"

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

log "mirror to lo (no pcf socket): the copies are lost and counted, the packets arrive"
got=$(flow 198.18.2.1 5031 10)
[ "$(echo "$got" | awk '$3 == 63' | wc -l)" = 10 ] || fail_stats "dst got: $got"
refresh
[ "$(fp_stat drop_mirror)" = 10 ] || fail_stats "mirror drops $(fp_stat drop_mirror)"
[ "$(fp_stat mirror_packets)" = 20 ] || fail_stats "mirror_packets $(fp_stat mirror_packets)"
log "$(workers_line)"
stop_fp
