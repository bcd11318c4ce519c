#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# stall_sigstop: a stopped pcfd does not blackhole (worker_env.bash has
# the topology).  Under a flow through the workers (TTL 62), pcfd gets
# SIGSTOP: its sockets stay open and in the xskmap, but within the worker
# timeout (1 s) pcf_steer sees the heartbeats stop and passes the flow to
# the kernel (TTL 63), counted as redirect_fallback and worker_stalled,
# packet for packet.  SIGCONT: the workers beat again and the flow goes
# back through them; what waited in their rings meanwhile is delivered
# too: the flow arrives whole.
. "$(dirname "$0")/worker_env.bash"

N=600
start_fp --worker-timeout 1000 \
	--rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1"
recv_start 198.18.2.1 5002 $N "$TMP/recv.stop"
r=$rpid
in_ns "$src" $UDP send 198.18.2.1 5002 $N 0.01 64 4000 &
s=$!
track $s
wait_for 10 lines_ge "$TMP/recv.stop" ' 62 ' 20 ||
	fail_stats "the flow did not start through the workers"

log "SIGSTOP"
kill -STOP $fp
start=$(date +%s%N)
# the timeout, one heartbeat period and some scheduling: 3 s is plenty
wait_for 3 lines_ge "$TMP/recv.stop" ' 63 ' 1 || {
	kill -CONT $fp
	fail_stats "nothing came through the kernel within 3 s of SIGSTOP"
}
log "the kernel took the flow over $(( ($(date +%s%N) - start) / 1000000 )) ms after SIGSTOP"
wait_for 5 lines_ge "$TMP/recv.stop" ' 63 ' 20 || {
	kill -CONT $fp
	fail_stats "the kernel did not carry the flow"
}
fast=$(grep -c ' 62 ' "$TMP/recv.stop")

log "SIGCONT"
kill -CONT $fp
wait_for 10 lines_ge "$TMP/recv.stop" ' 62 ' $((fast + 20)) ||
	fail_stats "the flow did not come back to the workers"
wait $s
recv_end $r

n=$(grep -vc listening "$TMP/recv.stop")
fast=$(awk '$3 == 62' "$TMP/recv.stop" | wc -l)
kern=$(awk '$3 == 63' "$TMP/recv.stop" | wc -l)
log "received $n of $N: $fast through the workers, $kern through the kernel"
[ "$n" = $N ] || fail_stats "lost $((N - n)) of $N"
refresh
log "counted: redirect_fallback $(fp_stat xdp_reason_redirect_fallback), worker_stalled $(fp_stat xdp_reason_worker_stalled)"
[ "$(fp_stat xdp_reason_worker_stalled)" = "$kern" ] ||
	fail_stats "worker_stalled $(fp_stat xdp_reason_worker_stalled), through the kernel $kern"
[ "$(fp_stat xdp_reason_redirect_fallback)" = "$kern" ] ||
	fail_stats "redirect_fallback $(fp_stat xdp_reason_redirect_fallback), through the kernel $kern"
stop_fp
