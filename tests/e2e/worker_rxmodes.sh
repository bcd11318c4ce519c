#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# worker_rxmodes: each rx mode forwards (redirect, ttl-delta -1: TTL 62
# arrives), and an idle worker costs what its mode promises, measured from
# /proc over 3 seconds: poll spins (its threads never block: no voluntary
# context switch, and they run; how much CPU they get depends on what else
# runs on the machine, so no share is asserted), interrupt and adaptive
# use under 1 %.  Each run ends
# with SIGTERM and a clean exit of pcfd (then `pcfd --unload`).
. "$(dirname "$0")/worker_env.bash"

HZ=$(getconf CLK_TCK)
SECS=3

# worker_ticks: utime + stime of pcfd's worker threads ("pcf-...")
worker_ticks() {
	local t sum=0 f
	for t in /proc/$fp/task/*; do
		read -r -a f <"$t/stat" 2>/dev/null || continue
		[[ ${f[1]} == "(pcf-"* ]] || continue
		sum=$((sum + f[13] + f[14]))
	done
	echo $sum
}

# worker_vcsw: voluntary context switches (blocking waits) of the workers
worker_vcsw() {
	local t sum=0 k v
	for t in /proc/$fp/task/*; do
		grep -q '^Name:[[:space:]]*pcf-' "$t/status" 2>/dev/null || continue
		while read -r k v; do
			[ "$k" = voluntary_ctxt_switches: ] && sum=$((sum + v))
		done <"$t/status"
	done
	echo $sum
}

# vcsw_above N: the workers have blocked since they were at N waits
vcsw_above() { [ "$(worker_vcsw)" -gt "$1" ]; }

for mode in poll interrupt adaptive; do
	log "rx-mode $mode"
	start_fp --rx-mode $mode --cpus 1 \
		--rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1"
	got=$(flow 198.18.2.1 5002 20)
	[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] ||
		fail_stats "$mode: 20 sent, got: $got"

	# adaptive spins idle_polls turns before it blocks: measure from its
	# first blocking wait (interrupt blocks at once, poll never)
	if [ $mode != poll ]; then
		v0=$(worker_vcsw)
		wait_for 5 vcsw_above "$v0" || fail "$mode: the idle workers never block"
	fi
	t0=$(worker_ticks) v0=$(worker_vcsw)
	sleep $SECS # the measurement: what idle workers cost over SECS
	t1=$(worker_ticks) v1=$(worker_vcsw)
	pct=$(( (t1 - t0) * 100 / (SECS * HZ) ))
	log "$mode: idle workers used ${pct}% of a CPU ($((t1 - t0)) ticks, $((v1 - v0)) blocking waits)"
	case $mode in
	poll) [ $((v1 - v0)) -le 2 ] && [ $pct -ge 5 ] ||
		fail "poll mode is not spinning: ${pct}%, $((v1 - v0)) waits" ;;
	*) [ $((t1 - t0)) -lt $((SECS * HZ / 100)) ] ||
		fail "$mode: idle workers used ${pct}%, not under 1%" ;;
	esac
	stop_fp
done
