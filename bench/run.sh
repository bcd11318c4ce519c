#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# bench/run.sh BUILD: packets per second the receiving XDP program of a
# veth sustains, pcf_steer against a bare XDP_DROP (the ceiling); then
# pcfd's AF_XDP workers against DPDK's testpmd (net_af_xdp) on the same
# veths and CPUs (the worker cases below).
#
# A veth pair between two namespaces this script makes; bench/gen pushes
# 64-byte UDP frames into one end from CPU 0 (XDP live-frames test runs);
# the other end runs the program under test.  The rate is the receiving
# veth's rx_packets delta (every frame its XDP program saw) over the
# generator's CPU time (same-cpu mode: see measure) or its run time
# (threaded mode); pcf's own counters must agree, which proves each frame
# took the path the case is about (rule hit, or miss).  Each run
# also asks the kernel what the program alone costs per packet (bench/cost:
# bpf_prog_test_run_opts on the same frame, no traffic).
#
# Cases, all measured in the same run, interleaved, on the same veth pair:
#   ceiling     bench/drop.bpf.c: XDP_DROP and nothing else; measured
#               before and after every other case of this list, whose
#               ratio is to the mean of those two ceilings
#   ceiling6    the same on hit6's IPv6 frames: whether those cost the
#               veth and gen more (hit6 is also set against it)
#   hit         pcf, one DROP rule matching the 5-tuple exactly
#   miss1       pcf, default verdict drop, 1 mask whose rule does not match
#   miss8       pcf, default verdict drop, 8 distinct masks, none matching
#   hit-many    pcf, FLOWS flows (source ports 9, 10, ...) in turn, one
#               exact DROP rule each, added in a shuffled order (see
#               bench/flow-rules)
#   miss1-many  as miss1, FLOWS flows
#   miss8-many  as miss8, FLOWS flows
#   hit6, hit6-many, miss8-6   as hit, hit-many, miss8 with IPv6 frames
#               (2001:db8::1 -> 2001:db8::2, 64 bytes) and IPv6 rules
#   miss8-flood as miss8, FLOOD flows (65000: more than pcf's flow cache
#               holds, so the search runs for most packets)
#   miss8-6-flood  as miss8-flood with miss8-6's IPv6 frames and rules
#   vxlan-hit   pcf, hit's DROP rule as an encap rule (encap vxlan ...),
#               gen's frames inside VXLAN frames (VNI 42, 114 bytes): the
#               inner packet's rule, against hit's same rule on the plain
#               inner frame (issue 13)
#   flowmem-many  bench/flowmem.bpf.c, FLOWS flows: XDP_DROP after one
#               counter per flow in a table (one random cache line read and
#               written per packet, as little memory as any classifier
#               with a rule and a counter per flow touches): what the
#               -many cases can reach on this machine at best
#   flowmem6-many  the same with hit6-many's IPv6 frames, in a table four
#               times the size: as much memory as IPv6 keys and counters
#               take (bench/flowmem.bpf.c), hit6-many's floor
#   xdp-filter  xdp-tools' xdp-filter dropping UDP port 9 (the peer of
#               pcf's DROP rule, hit)
#   nft-drop    no XDP: nftables' netdev ingress hook drops UDP port 9
#               (GRO on, so the veth takes the redirected frames)
#   set-hit     pcf, hit's DROP rule with src @big instead of src: a named
#               set of 1 000 000 addresses (issue 13; one flow: the flow
#               cache answers after the first packet, as for hit)
#   set-flood   pcf, DROP src @big proto udp, FLOOD flows: most packets
#               miss the flow cache, so the set's trie lookup runs
#   prefix-flood  its reference: DROP src SRC/32 proto udp, FLOOD flows
# With a set case, the time `pcfctl set load` takes for the same
# 1 000 000 addresses as JSON into a pcfd of its own (issue 13).
# pcf's per-CPU flow caches hold 32768 IPv4 and 16384 IPv6 flows: one flow
# and FLOWS (16384) flows are served by them after their first packets;
# FLOOD flows in turn are more than they hold.  The generator does the
# same work for one flow as for many, so one ceiling serves all.
# Worker cases (issue 4 item 8), same run, same veths, same CPUs: gen on
# CPU 0 pushes into tx -> rx (the dut), whose second veth b leads to the
# sink namespace, where bench/sink.bpf.c drops and counts every frame (and
# the latency of stamped ones).  pcfd runs on rx and b, workers pinned to
# CPU 1; testpmd's forwarding lcore is CPU 1 too.
#   fwd-drop    (b) rule REDIRECT ttl-delta -64 egress kernel: the pipeline
#               drops every packet (TTL 0, ttl_expired) before any egress
#               (no FIB lookup in XDP); rate: the workers' rx_packets
#   fwd-drop-poll  (b) with --rx-mode poll (the others are adaptive, the
#               default)
#   fwd         (c) rule REDIRECT snat + ttl-delta -1, wire egress: NAT,
#               TTL, FIB next hop, out of b; rate: the sink veth's rx
#   fwd-poll    (c) with --rx-mode poll
#   fwd-raw     (d) (c)'s rule, pcfd --pipeline off: rx -> b untouched
#   fwd-kernel  (f) (c)'s rule with egress kernel: out of pcfd's return
#               veth, pcf_return's FIB lookup and devmap redirect out of b;
#               rate: the sink veth's rx (issue 5 item 7)
#   gw001       design 001's whole job (issue 13): gen's frames inside
#               VXLAN frames, rule encap vxlan src 198.18.1.0/24 action
#               redirect decap dnat 198.18.2.3 df-clear egress dev b; rate:
#               the sink veth's rx, against (c) fwd
#   fwd-kernel-fib  (c)'s rule without an egress, pcfd's --egress kernel:
#               the FIB pcf_steer asked names b, so the worker sends
#               there itself, as pcf_return would, without the return
#               veth (issue 15 item 5); rate: the sink veth's rx
#   dpdk-rx     (e) testpmd rxonly on rx; rate: its RX-packets
#   dpdk-echo   testpmd icmpecho on rx: it reads each packet's Ethernet and
#               IPv4 headers and drops what is not an ICMP echo (all of
#               gen's UDP): the reference that reads packets, as (b) does;
#               rate: its RX-packets
#   dpdk-io     (e) testpmd io forwarding rx -> b; rate: the sink veth's rx
#   kernel-fwd  no XDP, no iptables: the kernel forwards rx -> b (GRO on
#               rx); rate: the sink veth's rx
# and once, after them: fwd, fwd-poll, dpdk-io and kernel-fwd at the same
# offered load, half of fwd's median rate, with time stamps in the payload
# (gen -T -r): p50/p99 latency from the sink's histogram, and the
# histogram.
# Each fwd run also accounts for its loss at saturation (issue 11): what
# gen sent = what the sink received + every drop pcfd counts (XDP's, the
# workers', their sockets' kernel counters, the interfaces'), within 1 %.
# Rates of these cases are over the wall clock (two CPUs at work).
#
# HTTP (issue 14), pcfd with --http on a unix socket:
#   fwd-16k     (c) with the table full: 16 383 exact rules more, HTTP on
#   fwd-16k-scrape  the same, GET /metrics every 100 ms the whole run
#               (bench/http-load over one keep-alive connection, on CPU 0
#               as gen: Prometheus runs elsewhere); goal: its rate within
#               1 % of fwd-16k's (the ratio of the medians, and the median
#               of each run's ratio: the runs are interleaved)
#   http        once per run, no traffic, pcfd of its own: 20 scrapes of
#               /metrics with 16 384 rules (goal: < 50 ms each), and
#               10 000 POST /flows over one keep-alive connection (goal:
#               < 2 s), beside the same 10 000 rules by pcfctl -batch
#
# Rule changes (issue 11), once per run, no traffic: bench/rule-churn on
# a data plane of its own (1000 exact rules under one mask) times 20 000
# replaces of one rule, 20 000 priority changes of a mask's best rule
# (prio: as in a batch; prio-tidy: each one published at once, as when
# pcfd is idle between changes) and 20 000 adds and deletes of the only
# rule of a mask; goals: replaces >= 10 000/s, the others <= 1 ms each.
#
# Modes (where the receiving side runs, see docs/BENCHMARKS.md):
#   same-cpu  receiver in softirq on the generator's CPU 0 (veth default);
#             steady: the default
#   threaded  receiver in a threaded-NAPI kthread pinned to CPU 1; varies
#             several-fold from run to run on this 2-vCPU VM: opt-in;
#             steering cases only
#
# Environment: PCF_BENCH_SECONDS (4), PCF_BENCH_RUNS (3),
# PCF_BENCH_MODES ("same-cpu"; "same-cpu threaded" for both),
# PCF_BENCH_FLOWS (16384, at most pcf's 16384 rules),
# PCF_BENCH_CASES (all; a space-separated list picks cases; the latency
# run comes with fwd), PCF_BENCH_PCFD_ARGS (more pcfd options for every
# pcfd case, e.g. "--batch 256"), PCF_BENCH_LAT_MPPS (the latency
# round's offered load in Mpps; without it half of fwd's median rate),
# PCF_BENCH_REF (the build directory of another pcf, e.g. the commit
# before a change: every pcf case then runs with it too, interleaved in
# each run, and a last table sets the two side by side: before and
# after, from the same run).
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/.." || exit 1
. tests/lib/common.sh

need_root
scripts/deps.sh bench || fail "cannot install the benchmark's packages"
SECS=${PCF_BENCH_SECONDS:-4}
RUNS=${PCF_BENCH_RUNS:-3}
MODES=${PCF_BENCH_MODES:-same-cpu}
FLOWS=${PCF_BENCH_FLOWS:-16384}
FLOOD=65000 # flows: more than pcf's flow caches hold (pcf_abi.h)
STEER_CASES="ceiling ceiling6 hit miss1 miss8 hit-many miss1-many miss8-many flowmem-many flowmem6-many hit6 hit6-many miss8-6 miss8-flood miss8-6-flood vxlan-hit xdp-filter nft-drop set-hit set-flood prefix-flood"
WORKER_CASES="fwd-drop fwd-drop-poll fwd fwd-poll fwd-raw fwd-kernel fwd-kernel-fib fwd-ct gw001 nft-fwd conns-ct conns-nft dpdk-rx dpdk-echo dpdk-io kernel-fwd fwd-16k fwd-16k-scrape"
CHURN_CASES="churn ct-cost"
HTTP_CASES="http"
CASES=${PCF_BENCH_CASES:-$STEER_CASES $WORKER_CASES $CHURN_CASES $HTTP_CASES}
for cse in $CASES; do
	[[ " $STEER_CASES $WORKER_CASES $CHURN_CASES $HTTP_CASES " == *" $cse "* ]] ||
		fail "no case $cse (cases: $STEER_CASES $WORKER_CASES $CHURN_CASES $HTTP_CASES)"
done
GEN=$BUILD/bench/gen
SINK=$BUILD/bench/sink
COST=$BUILD/bench/cost
FLOW_RULES=$BUILD/bench/flow-rules
RULE_CHURN=$BUILD/bench/rule-churn
HTTP_LOAD=$BUILD/bench/http-load
DROP_OBJ=$BUILD/bench/drop.bpf.o
FLOWMEM_OBJ=$BUILD/bench/flowmem.bpf.o
ECHO_OBJ=$BUILD/bench/echo.bpf.o
PASS_OBJ=$BUILD/bench/pass.bpf.o
CT_TOOL=$BUILD/bench/ct-tool
STEER=$BUILD/tests/tools/pcf-steer
for f in "$GEN" "$COST" "$FLOW_RULES" "$RULE_CHURN" "$DROP_OBJ" "$STEER" \
	"$SINK" "$PCFD" "$PCFCTL" "$ECHO_OBJ" "$PASS_OBJ" "$CT_TOOL" "$HTTP_LOAD" \
	"$FLOWMEM_OBJ"; do
	[ -e "$f" ] || fail "$f missing: run make BUILD=$BUILD all"
done
REF=${PCF_BENCH_REF:-}
LABELS=now
if [ -n "$REF" ]; then
	case $REF in /*) ;; *) REF=$PWD/$REF ;; esac
	for f in bench/cost bench/flow-rules tests/tools/pcf-steer pcfd pcfctl; do
		[ -x "$REF/$f" ] || fail "PCF_BENCH_REF: no $REF/$f"
	done
	LABELS="now ref"
fi
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"

SRC=198.18.0.1 DST=198.18.0.2 SPORT=9 DPORT=9 # what gen sends (flow 0)
SRC6=2001:db8::1 DST6=2001:db8::2             # the IPv6 cases'
TUPLE=(-s "$SRC" -d "$DST" -S "$SPORT" -D "$DPORT")
TUPLE6=(-s "$SRC6" -d "$DST6" -S "$SPORT" -D "$DPORT")

# flows CASE: how many flows the case sends
flows() {
	case $1 in
	*-many) echo "$FLOWS" ;;
	*-flood) echo "$FLOOD" ;;
	*) echo 1 ;;
	esac
}
is_v6_case() { [[ $1 == ceiling6 || $1 == hit6* || $1 == flowmem6* || $1 == *-6 || $1 == *-6-* ]]; }
# tuple CASE: gen's and bench/cost's options for the case's frames
tuple() {
	if is_v6_case "$1"; then
		echo "${TUPLE6[@]}"
	else
		echo "${TUPLE[@]}"
	fi
	[[ $1 != vxlan-* ]] || echo -V 42 # (issue 13)
}
is_worker_case() { [[ " $WORKER_CASES " == *" $1 "* ]]; }

netns_add tx >/dev/null # not in $(...): the EXIT trap must know it
netns_add rx >/dev/null
netns_add sk >/dev/null
NS_TX=pcf${ID}tx NS_RX=pcf${ID}rx NS_SK=pcf${ID}sk
IF_TX=p${ID}t IF_RX=p${ID}r IF_B=p${ID}b IF_K=p${ID}k
veth_add "$NS_TX" "$IF_TX" "$NS_RX" "$IF_RX"
veth_add "$NS_RX" "$IF_B" "$NS_SK" "$IF_K"
for ns in "$NS_TX" "$NS_RX" "$NS_SK"; do
	# no IPv6 autoconfiguration chatter in the counters
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
mkdir -p "$PIN_DIR" # pcf-steer's, pcfd's and the sink's pins under it
NFT_TABLE=pcfb$ID # nft-drop's table, in the rx namespace
UDPTOOL="python3 $top/tests/e2e/worker_sock.py" # gro-on, gro-off
# shellcheck disable=SC2034 # FP_PIN, SINK_PIN: workers.bash's
STEER_PIN=$PIN_DIR/steer FP_PIN=$PIN_DIR/fp SINK_PIN=$PIN_DIR/sink_hist

# use_build LABEL: the pcf tools of this build ("now") or of PCF_BENCH_REF
# ("ref"), each with pin directories of its own (their layouts may differ)
use_build() {
	local dir=$BUILD
	[ "$1" = ref ] && dir=$REF
	STEER=$dir/tests/tools/pcf-steer FLOW_RULES=$dir/bench/flow-rules
	COST=$dir/bench/cost PCFD=$dir/pcfd PCFCTL=$dir/pcfctl
	# shellcheck disable=SC2034 # FP_PIN: workers.bash's
	STEER_PIN=$PIN_DIR/steer-$1 FP_PIN=$PIN_DIR/fp-$1
}
# is_pcf_case CASE: does it run pcf (and so run again with the reference)?
# (not the peers, nor the cases of sessions or of HTTP: a reference may
# have none)
is_pcf_case() {
	[[ $1 != ceiling* && $1 != flowmem* && $1 != dpdk-* && $1 != churn &&
		$1 != ct-cost && $1 != xdp-filter && $1 != nft-* && $1 != *-nft &&
		$1 != *-ct && $1 != kernel-fwd && $1 != http && $1 != *-16k* ]]
}
# ref_can CASE: can PCF_BENCH_REF's tools set the case up?  (A build
# from before IPv6 frames in bench/ makes no IPv6 rules in bulk and
# times no IPv6 frame: hit6-many is left out for it, its program ns of
# the other IPv6 cases are "-".)
ref_can() {
	{ ! [ "$1" = hit6-many ] || ref_v6; } &&
		{ [[ $1 != vxlan-* && $1 != gw001 ]] || ref_vxlan; }
}
# a reference from before issue 13 has no VXLAN frames nor encap rules
ref_vxlan() { "$REF/bench/cost" -n 1 -V 42 >/dev/null 2>&1; }
ref_v6() { "$REF/bench/cost" -n 1 "${TUPLE6[@]}" >/dev/null 2>&1; }

steer() { in_ns "$NS_RX" "$STEER" --pin-dir "$STEER_PIN" "$@"; }
rx_sysfs() { ip netns exec "$NS_RX" cat "/sys/class/net/$IF_RX/$1"; }
set_threaded() {
	ip netns exec "$NS_RX" sh -c "echo $1 > /sys/class/net/$IF_RX/threaded"
}

# Pin the receiving veth's NAPI kthread (named napi/IFNAME-ID) to CPU 1.
pin_napi_thread() {
	local c comm pid found=
	for c in /proc/[0-9]*/comm; do
		{ read -r comm <"$c"; } 2>/dev/null || continue
		[[ $comm == "napi/$IF_RX-"* ]] || continue
		pid=${c#/proc/}
		taskset -pc 1 "${pid%/comm}" >/dev/null || return 1
		found=1
	done
	[ -n "$found" ]
}

pcf_on() {
	steer attach "$IF_RX" native >/dev/null && steer default drop
}
pcf_off() { steer detach "$IF_RX" && steer unpin; }

# eight_masks SRC DST NET1 NET2: eight rules of eight distinct masks,
# none matching gen's frames from SRC to DST (NET1, NET2: prefixes of
# neither)
eight_masks() {
	local m
	for m in "src $1 dst $2 proto udp sport $SPORT dport 1" \
		"dst $2 proto udp dport 1" \
		"src $1 proto udp sport 1" \
		"dst $2 proto tcp" \
		"src $1 proto tcp" \
		"dst $3" \
		"src $4" \
		"proto udp sport 1 dport 1"; do
		# shellcheck disable=SC2086
		steer add $m action drop >/dev/null || return 1
	done
}

# case_on CASE: put the program under test on IF_RX; prints the pcf
# counter that must count every frame ("" for the ceiling, "rules" for
# the sum of all rules' counters).
case_on() {
	local id m
	case $1 in
	hit-many | hit6-many)
		pcf_on || return 1
		# shellcheck disable=SC2046
		in_ns "$NS_RX" "$FLOW_RULES" -p "$STEER_PIN" $(tuple "$1") \
			-f "$FLOWS" >/dev/null || return 1
		echo rules
		;;
	miss1-many | miss8-many) case_on "${1%-many}" ;;
	miss8-flood) case_on miss8 ;;
	miss8-6-flood) case_on miss8-6 ;;
	hit6)
		pcf_on || return 1
		id=$(steer add src $SRC6 dst $DST6 proto udp sport $SPORT \
			dport $DPORT action drop) || return 1
		echo "rule:$id"
		;;
	miss8-6)
		pcf_on && eight_masks "$SRC6" "$DST6" 2001:db8:1::/48 \
			2001:db8:1::/64 || return 1
		echo miss
		;;
	xdp-filter)
		in_ns "$NS_RX" xdp-filter load -m native -f udp "$IF_RX" \
			>/dev/null && in_ns "$NS_RX" xdp-filter port -m dst \
			-p udp "$DPORT" >/dev/null || return 1
		echo xdp-filter
		;;
	nft-drop)
		in_ns "$NS_RX" $UDPTOOL gro-on "$IF_RX" || return 1
		in_ns "$NS_RX" nft -f - <<-EOF || return 1
			table netdev $NFT_TABLE {
				chain in {
					type filter hook ingress device "$IF_RX" priority 0;
					udp dport $DPORT counter drop
				}
			}
		EOF
		echo nft
		;;
	ceiling | ceiling6)
		ip -n "$NS_RX" link set dev "$IF_RX" xdp obj "$DROP_OBJ" sec xdp ||
			return 1
		echo ""
		;;
	flowmem-many | flowmem6-many)
		ip -n "$NS_RX" link set dev "$IF_RX" xdp obj "$FLOWMEM_OBJ" \
			sec xdp || return 1
		echo ""
		;;
	hit)
		pcf_on || return 1
		id=$(steer add src $SRC dst $DST proto udp sport $SPORT \
			dport $DPORT action drop) || return 1
		echo "rule:$id"
		;;
	vxlan-hit)
		pcf_on || return 1
		id=$(steer add encap vxlan src $SRC dst $DST proto udp \
			sport $SPORT dport $DPORT action drop) || return 1
		echo "rule:$id"
		;;
	set-hit | set-flood)
		pcf_on && steer set-load big "$SET_JSON" >/dev/null || return 1
		if [ "$1" = set-hit ]; then
			id=$(steer add src @big dst $DST proto udp sport $SPORT \
				dport $DPORT action drop) || return 1
		else
			id=$(steer add src @big proto udp action drop) || return 1
		fi
		echo "rule:$id"
		;;
	prefix-flood)
		pcf_on || return 1
		id=$(steer add src $SRC proto udp action drop) || return 1
		echo "rule:$id"
		;;
	miss1)
		pcf_on || return 1
		steer add src $SRC dst $DST proto udp sport $SPORT \
			dport $((DPORT + 1)) action drop >/dev/null || return 1
		echo miss
		;;
	miss8)
		pcf_on && eight_masks "$SRC" "$DST" 198.19.0.0/16 \
			198.19.0.0/24 || return 1
		echo miss
		;;
	esac
}

# libxdp makes /sys/fs/bpf/xdp for xdp-filter and for testpmd's
# net_af_xdp: gone again after xdp-filter and at exit (workers_cleanup),
# unless it was there before
[ -e /sys/fs/bpf/xdp ] && LIBXDP_PINS_OURS= || LIBXDP_PINS_OURS=1

case_off() {
	case $1 in
	ceiling* | flowmem*) ip -n "$NS_RX" link set dev "$IF_RX" xdp off ;;
	xdp-filter)
		in_ns "$NS_RX" xdp-filter unload "$IF_RX" >/dev/null
		# libxdp's pin directory, if its load made it (empty by now)
		[ -z "$LIBXDP_PINS_OURS" ] || rmdir /sys/fs/bpf/xdp 2>/dev/null
		;;
	nft-drop)
		in_ns "$NS_RX" nft delete table netdev "$NFT_TABLE" &&
			in_ns "$NS_RX" $UDPTOOL gro-off "$IF_RX"
		;;
	*) pcf_off ;;
	esac
}

# pcf_count COUNTER: what the case's program counted (case_on's word)
pcf_count() {
	case $1 in
	xdp-filter)
		in_ns "$NS_RX" xdp-filter status |
			awk '$1 == "XDP_DROP" { print $2; exit }'
		;;
	nft)
		in_ns "$NS_RX" nft list table netdev "$NFT_TABLE" |
			awk '/counter packets/ { for (i = 1; i < NF; i++)
				if ($i == "packets") print $(i + 1) }'
		;;
	*)
		steer stats | awk -v n="$1" '$1 == n ||
			(n == "rules" && /^rule:/) { s += $2 } END { print s + 0 }'
		;;
	esac
}

# program_ns CASE: the program's own cost per packet, in ns (many flows:
# above XDP_DROP, see bench/cost.c)
program_ns() {
	local pin=(-p "$STEER_PIN") out ns id
	case $1 in
	nft-drop) echo - && return 0 ;; # no XDP program
	xdp-filter) # the peer's program as it is attached (issue 15)
		id=$(ip -n "$NS_RX" link show dev "$IF_RX" |
			sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
		[ -n "$id" ] || return 1
		pin=(-i "$id")
		;;
	ceiling*) pin=() ;;
	flowmem*) pin=(-m) ;;
	esac
	# the reference's bench/cost may know no IPv6 frame
	if [ "$COST" != "$BUILD/bench/cost" ] && is_v6_case "$1" && ! ref_v6; then
		echo -
		return 0
	fi
	# shellcheck disable=SC2046
	out=$(in_ns "$NS_RX" "$COST" -c 0 -n 2000000 "${pin[@]}" \
		$(tuple "$1") -f "$(flows "$1")") || return 1
	read -r _ ns _ <<<"$out"
	echo "$ns"
}

# CPU seconds ksoftirqd/0 has used: receive work CPU 0 deferred to it is
# not in the generator's CPU time
KSOFTIRQD0=$(pgrep -x ksoftirqd/0)
ksoftirqd0_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
		"/proc/$KSOFTIRQD0/stat"
}

# The time the host has run something else on CPUs 0 and 1 so far, in ms
# each (/proc/stat's steal column): in a VM, a frame in flight while its
# vCPU is stolen waits that long, whatever the program under test.  The
# same-cpu rates need no correction (a task's CPU time leaves steal out,
# CONFIG_PARAVIRT_TIME_ACCOUNTING), the latency rounds do (log only).
steal_ms() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu0" || $1 == "cpu1" {
		printf "%s%d", sep, $9 * 1000 / hz; sep = " " } END { print "" }' \
		/proc/stat
}
# steal_since "A0 A1": the steal of CPUs 0 and 1 since steal_ms said A0 A1,
# as "S0/S1" (ms)
steal_since() {
	local a0 a1 b0 b1
	read -r a0 a1 <<<"$1"
	read -r b0 b1 <<<"$(steal_ms)"
	echo "$((b0 - a0))/$((${b1:-0} - ${a1:-0}))"
}

# for functions whose stdout is their result (measure, measure_worker):
# their messages go to stderr, and their callers stop on their status
fail_stderr() { fail "$@" >&2; }

# shellcheck source=bench/workers.bash
. "$(dirname "$0")/workers.bash"

# measure MODE CASE: one run; prints "MPPS_RECEIVED MPPS_SENT NS_PER_PACKET
# KSOFTIRQD0_SECONDS STEAL_MS" (STEAL_MS: CPU 0's/CPU 1's, steal_since);
# messages go to stderr
measure() {
	local mode=$1 cse=$2 counter before after out frames secs cpu seen ns
	local ksi st
	counter=$(case_on "$cse") || fail_stderr "cannot set up case $cse"
	if [ "$mode" = threaded ]; then
		set_threaded 1 || fail_stderr "cannot make $IF_RX's NAPI threaded"
		pin_napi_thread || fail_stderr "no NAPI thread of $IF_RX to pin"
	else
		set_threaded 0
	fi
	before=$(rx_sysfs statistics/rx_packets)
	ksi=$(ksoftirqd0_seconds)
	st=$(steal_ms)
	# shellcheck disable=SC2046
	out=$(in_ns "$NS_TX" "$GEN" -c 0 -t "$SECS" $(tuple "$cse") \
		-f "$(flows "$cse")" "$IF_TX") || fail_stderr "gen failed"
	st=$(steal_since "$st")
	after=$(rx_sysfs statistics/rx_packets)
	ksi=$(awk -v a="$ksi" -v b="$(ksoftirqd0_seconds)" 'BEGIN { print b - a }')
	read -r _ frames _ secs _ cpu <<<"$out"
	# same-cpu: all the work is CPU 0's, in the generator's context, so
	# its CPU time (not the wall clock) is what other helpers' load
	# cannot stretch; threaded: two CPUs, the wall clock
	[ "$mode" = same-cpu ] && secs=$cpu
	if [ -n "$counter" ]; then
		seen=$(pcf_count "$counter")
		# pcf must have counted (nearly) every frame the veth took in
		awk -v s="${seen:-0}" -v r=$((after - before)) \
			'BEGIN { exit !(r > 0 && s >= 0.99 * r && s <= r) }' ||
			fail_stderr "$cse: pcf counted ${seen:-0} as $counter, veth $((after - before))"
	fi
	ns=$(program_ns "$cse") || fail_stderr "bench/cost failed for $cse"
	case_off "$cse" || fail_stderr "cannot tear down case $cse"
	awk -v p=$((after - before)) -v f="$frames" -v t="$secs" -v ns="$ns" \
		-v k="$ksi" -v st="$st" 'BEGIN { printf "%.3f %.3f %s %s %s\n",
			p / t / 1e6, f / t / 1e6, ns, k, st }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ref_report: every pcf case, this build and the reference, same run
ref_report() {
	local mode cse now ref rn rr
	echo "before and after: this build (now) and PCF_BENCH_REF=$REF (ref), medians of the same $RUNS runs (Mpps; steering cases also / the ceilings beside them)"
	printf '  %-9s %-14s %7s %7s %7s %7s %9s\n' mode case now ref \
		"now/ceil" "ref/ceil" "now/ref"
	for mode in $MODES; do
		for cse in $CASES; do
			is_pcf_case "$cse" || continue
			[ -n "${RESULT[$mode,$cse]:-}" ] || continue
			# shellcheck disable=SC2086
			now=$(median ${RESULT[$mode,$cse]}) ref=$(median ${RESULT[$mode,$cse@ref]:-})
			if is_worker_case "$cse"; then
				rn=- rr=-
			else
				rn=$(paired "$mode" "$cse") rr=$(paired "$mode" "$cse@ref")
			fi
			printf '  %-9s %-14s %7s %7s %7s %7s %9s\n' "$mode" "$cse" \
				"$now" "$ref" "$rn" "$rr" "$(rel "$mode" "$cse" "$cse@ref")"
		done
	done
	echo
}

# churn_ctl LABEL: the same changes end to end through pcfd and pcfctl
# -batch (this build, or PCF_BENCH_REF's): "PRIO_US MASK_US", the mean
# time of a priority change and of a first/last rule of a mask
churn_ctl() {
	local ns=pcf${ID}ch port=$((0x70630000 + 0x$ID + 1)) pid t0 t1 t2 i
	local pin=$PIN_DIR/churn-ctl-$1
	use_build "$1"
	ip netns add "$ns" && echo "$ns" >>"$TMP/.netns" || fail_stderr "netns $ns"
	ip -n "$ns" link add c0 type veth peer name c1 || fail_stderr "veth"
	ip -n "$ns" link set c0 up
	nsenter --net=/run/netns/"$ns" "$PCFD" -f -i c0 --pin-dir "$pin" \
		--ctl-port "$port" --return-veth none >>"$TMP/churn-ctl.err" 2>&1 &
	pid=$!
	track $pid
	cctl() { nsenter --net=/run/netns/"$ns" "$PCFCTL" --ctl-port "$port" "$@"; }
	wait_for 10 cctl flow show >/dev/null 2>&1 || fail_stderr "pcfd ($1) did not start"
	cctl flow add dst 198.18.2.1 proto udp dport 53 prio 1 action drop >/dev/null
	for ((i = 0; i < 200; i++)); do
		echo "flow replace dst 198.18.2.1 proto udp dport 53 prio 2 action drop"
		echo "flow replace dst 198.18.2.1 proto udp dport 53 prio 1 action drop"
	done >"$TMP/prio.batch"
	for ((i = 0; i < 200; i++)); do
		echo "flow add proto tcp dport 4242 action drop"
		echo "flow del proto tcp dport 4242"
	done >"$TMP/mask.batch"
	t0=$EPOCHREALTIME
	cctl -batch "$TMP/prio.batch" >/dev/null || fail_stderr "prio batch ($1)"
	t1=$EPOCHREALTIME
	cctl -batch "$TMP/mask.batch" >/dev/null || fail_stderr "mask batch ($1)"
	t2=$EPOCHREALTIME
	kill -TERM $pid
	wait $pid
	nsenter --net=/run/netns/"$ns" "$PCFD" --unload -i c0 --pin-dir "$pin" \
		--return-veth none >>"$TMP/churn-ctl.err" 2>&1
	ip netns del "$ns"
	use_build now
	awk -v a="$t0" -v b="$t1" -v c="$t2" \
		'BEGIN { printf "%.1f %.1f\n", (b - a) * 1e6 / 400, (c - b) * 1e6 / 400 }'
}

# churn_report: RUNS runs of bench/rule-churn, the median of each case
churn_report() {
	local run line name rate us
	declare -A rates=() uss=()
	for ((run = 1; run <= RUNS; run++)); do
		"$RULE_CHURN" -p "$PIN_DIR/churn" -n 20000 >"$TMP/churn.out" ||
			fail "rule-churn failed"
		while read -r line; do
			read -r name _ _ _ _ rate us _ <<<"$line"
			rates[$name]+="${rate%/s} "
			uss[$name]+="$us "
		done <"$TMP/churn.out"
		log "rule changes, run $run: $(tr '\n' ';' <"$TMP/churn.out")"
	done
	echo "rule changes: median of $RUNS runs of 20 000 changes, a table of 1000 rules, no traffic"
	printf '  %-10s %10s %12s  %s\n' case "changes/s" "us/change" goal
	for name in replace prio prio-tidy mask; do
		# shellcheck disable=SC2086
		rate=$(median ${rates[$name]}) us=$(median ${uss[$name]})
		if [ "$name" = replace ]; then
			g=$(awk -v r="$rate" 'BEGIN { print (r >= 10000 ? "met" : "MISSED") " (>=10000/s)" }')
		else
			g=$(awk -v u="$us" 'BEGIN { print (u <= 1000 ? "met" : "MISSED") " (<=1000 us)" }')
		fi
		printf '  %-10s %10s %12s  %s\n' "$name" "$rate" "$us" "$g"
	done
	for label in $LABELS; do
		read -r p m <<<"$(churn_ctl "$label")"
		[ -n "$m" ] || exit 1
		echo "  through pcfd and pcfctl -batch ($label): a priority change $p us, a first/last rule of a mask $m us (400 each)"
	done
	echo
}

# ct_cost_report: what sessions cost pcf_steer (issue 12), no traffic:
# bench/cost on the same frame (1) hitting a plain pass rule, (2) the
# same with a session in the table (not the frame's: its filter bucket
# empty), (3) being the reply of a pass ct session (the session before
# the rules), medians of RUNS; with PCF_BENCH_REF, what the session
# lookup adds to packets of no session (the hit and miss1 cases' program
# ns, this build against the reference, from the runs above, the table
# empty); and the memory a session takes.
ct_cost_report() {
	local run ns_pass='' ns_other='' ns_reply='' m p o r line
	for ((run = 1; run <= RUNS; run++)); do
		pcf_on || fail "ct-cost: steer"
		steer add src $SRC dst $DST proto udp sport $SPORT dport $DPORT \
			action pass >/dev/null || fail "ct-cost: pass rule"
		ns_pass+="$(program_ns hit) "
		in_ns "$NS_RX" "$CT_TOOL" -p "$STEER_PIN" -s $DST -d $SRC \
			-S $((DPORT + 1)) -D $SPORT pass || fail "ct-cost: another session"
		ns_other+="$(program_ns hit) "
		pcf_off
		pcf_on || fail "ct-cost: steer"
		# the pass session of DST:DPORT -> SRC:SPORT: gen's frame is
		# its reply
		in_ns "$NS_RX" "$CT_TOOL" -p "$STEER_PIN" -s $DST -d $SRC \
			-S $DPORT -D $SPORT pass || fail "ct-cost: pass session"
		ns_reply+="$(program_ns hit) "
		pcf_off
	done
	# shellcheck disable=SC2086
	p=$(median $ns_pass) o=$(median $ns_other) r=$(median $ns_reply)
	echo "sessions in pcf_steer (program ns, bench/cost, median of $RUNS):"
	printf '  %-34s %6s  runs %s\n' "a plain pass rule" "$p" "$ns_pass"
	printf '  %-34s %6s  runs %s  %s\n' "the same, sessions (not its)" "$o" "$ns_other" \
		"$(awk -v a="$o" -v b="$p" 'BEGIN { printf "%+.1f ns: %s (<= 5 ns a packet of no session, the table not empty)", a - b, a - b <= 5 ? "met" : "MISSED" }')"
	printf '  %-34s %6s  runs %s\n' "the reply of a pass ct session" "$r" "$ns_reply"
	if [ -n "$REF" ]; then
		for m in hit miss1; do
			[ -n "${COSTNS[same-cpu,$m]:-}" ] || continue
			# shellcheck disable=SC2086
			read -r now ref <<<"$(median ${COSTNS[same-cpu,$m]}) $(median ${COSTNS[same-cpu,$m@ref]})"
			printf '  %-34s %6s  %s\n' "$m: this build - PCF_BENCH_REF" \
				"$(awk -v a="$now" -v b="$ref" 'BEGIN { printf "%+.1f", a - b }')" \
				"$(awk -v a="$now" -v b="$ref" 'BEGIN { print (a - b <= 5 ? "met" : "MISSED") " (<= 5 ns a packet of no session; now " a ", ref " b ")" }')"
		done
	fi
	mkdir -p "$PIN_DIR/ctmem"
	line=$(in_ns "$NS_RX" "$CT_TOOL" -p "$PIN_DIR/ctmem" -s 198.18.1.1 \
		-d 198.18.2.1 mem 100000) || fail "ct-tool mem"
	read -r _ n _ bytes _ per _ filt _ cap <<<"$line"
	echo "  memory: $n sessions take $bytes bytes of pcf_ct ($per a session, two entries, as the kernel accounts the map);"
	echo "          the filter takes $filt bytes for $cap sessions ($(awk -v f="$filt" -v c="$cap" 'BEGIN { printf "%.1f", f / c }') a session of capacity)"
	echo
}

# http_pcfd PORT PIN SOCK: a pcfd of its own on a veth pair in a namespace
# of its own, HTTP on SOCK; sets HTTP_NS and HTTP_PID
http_pcfd() {
	HTTP_NS=pcf${ID}ht
	ip netns add "$HTTP_NS" && echo "$HTTP_NS" >>"$TMP/.netns" || fail "netns $HTTP_NS"
	ip -n "$HTTP_NS" link add h0 type veth peer name h1 || fail "veth"
	ip -n "$HTTP_NS" link set h0 up
	nsenter --net=/run/netns/"$HTTP_NS" "$PCFD" -f -i h0 --pin-dir "$2" \
		--ctl-port "$1" --return-veth none --http "unix:$3" \
		>>"$TMP/http.err" 2>&1 &
	HTTP_PID=$!
	track $HTTP_PID
	hctl() { nsenter --net=/run/netns/"$HTTP_NS" "$PCFCTL" --ctl-port "$1" "${@:2}"; }
	wait_for 10 hctl "$1" flow show >/dev/null 2>&1 || fail "pcfd (http) did not start: $(tail -n 3 "$TMP/http.err")"
}

# http_pcfd_stop PIN: that pcfd stopped, its pins and namespace gone
http_pcfd_stop() {
	kill -TERM $HTTP_PID
	wait $HTTP_PID
	nsenter --net=/run/netns/"$HTTP_NS" "$PCFD" --unload -i h0 --pin-dir "$1" \
		--return-veth none >>"$TMP/http.err" 2>&1
	ip netns del "$HTTP_NS"
}

# http_report: RUNS runs of the http case, medians
http_report() {
	local port=$((0x70630000 + 0x$ID + 2)) pin=$PIN_DIR/http sock=$TMP/http.sock
	local run out t0 t1 med max secs bytes scrape_med=() scrape_max=() posts=() batch=()
	http_pcfd "$port" "$pin" "$sock"
	python3 -c 'for i in range(16384): print("flow add dst 198.19.%d.%d proto udp dport 9 action drop" % (i // 256, i % 256))' >"$TMP/full.batch"
	head -n 10000 "$TMP/full.batch" >"$TMP/10k.batch"
	for ((run = 1; run <= RUNS; run++)); do
		hctl "$port" flow flush
		hctl "$port" -batch "$TMP/full.batch" >/dev/null || fail "16384 rules"
		out=$("$HTTP_LOAD" -u "$sock" scrape -n 20) || fail "http-load scrape"
		log "http run $run, /metrics with 16384 rules: $out"
		read -r _ _ _ bytes _ med _ _ _ max <<<"$out"
		scrape_med+=("$med") scrape_max+=("$max")
		hctl "$port" flow flush
		out=$("$HTTP_LOAD" -u "$sock" post -n 10000) || fail "http-load post"
		log "http run $run, POST /flows: $out"
		read -r _ _ _ secs _ _ <<<"$out"
		posts+=("$secs")
		hctl "$port" flow flush
		t0=$EPOCHREALTIME
		hctl "$port" -batch "$TMP/10k.batch" >/dev/null || fail "pcfctl -batch"
		t1=$EPOCHREALTIME
		batch+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
		log "http run $run, pcfctl -batch of the same 10000: ${batch[-1]} s"
	done
	http_pcfd_stop "$pin"
	# shellcheck disable=SC2086
	echo "HTTP: $RUNS runs, pcfd of its own, one keep-alive connection on its unix socket (bench/http-load)"
	printf '  %-44s %8s ms (max %s ms)  %s\n' "GET /metrics, 16384 rules ($bytes bytes)" \
		"$(median "${scrape_med[@]}")" "$(printf '%s\n' "${scrape_max[@]}" | sort -g | tail -n1)" \
		"$(awk -v m="$(printf '%s\n' "${scrape_max[@]}" | sort -g | tail -n1)" 'BEGIN { print (m < 50 ? "met" : "MISSED") " (< 50 ms)" }')"
	printf '  %-44s %8s s   %s\n' "POST /flows x 10000" "$(median "${posts[@]}")" \
		"$(awk -v s="$(median "${posts[@]}")" 'BEGIN { print (s < 2 ? "met" : "MISSED") " (< 2 s)" }')"
	printf '  %-44s %8s s\n' "pcfctl -batch of the same 10000" "$(median "${batch[@]}")"
	echo
}

# A named set of 1 000 000 addresses (issue 13): every one of
# 198.18.0.0/15, gen's source among them (so its lookup goes deep into
# the trie), and 868 928 of 100.64.0.0/10 (content only: no traffic)
SET_JSON=$TMP/set-1m.json
if [[ " $CASES " == *" set-"* ]]; then
	python3 -c '
import json
a = ["198.%d.%d.%d" % (18 + (i >> 16), (i >> 8) & 255, i & 255) for i in range(131072)]
a += ["100.%d.%d.%d" % (64 + (i >> 16), (i >> 8) & 255, i & 255) for i in range(1000000 - 131072)]
print(json.dumps(a))' >"$SET_JSON" || fail "the set's JSON"
fi

# set_load_report: RUNS times `pcfctl set load` of SET_JSON into a pcfd
# of its own (http_pcfd's; a fresh set each time), the seconds
set_load_report() {
	local port=$((0x70630000 + 0x$ID + 3)) pin=$PIN_DIR/setload run t0 t1 times=()
	http_pcfd "$port" "$pin" "$TMP/setload.sock"
	for ((run = 1; run <= RUNS; run++)); do
		t0=$EPOCHREALTIME
		hctl "$port" set load big "$SET_JSON" || fail "set load"
		t1=$EPOCHREALTIME
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
		log "set load run $run: 1000000 elements from JSON in ${times[-1]} s"
		hctl "$port" set destroy big || fail "set destroy"
	done
	http_pcfd_stop "$pin"
	echo "named sets: pcfctl set load of 1 000 000 IPv4 addresses as a JSON array ($(stat -c %s "$SET_JSON") bytes), pcfd of its own, $RUNS runs"
	printf '  %-44s %8s s   %s  runs %s\n' "set load (read, check, send, switch)" "$(median "${times[@]}")" \
		"$(awk -v s="$(median "${times[@]}")" 'BEGIN { print (s < 2 ? "met" : "MISSED") " (< 2 s)" }')" "${times[*]}"
	echo
}

# A steering case's ratio is to the ceilings measured just before and
# just after it (their mean): this VM's speed drifts by tens of percent
# within a minute (a ceiling of 8.1, 10.8 and 8.1 Mpps in three runs),
# and one ceiling per run, a minute away from most cases, turned that
# drift into the ratios.  So each run goes ceiling, case, ceiling, case,
# ..., ceiling (a case with a reference build: ceiling, now, ref,
# ceiling), and RATIO holds each case's paired ratio of every run.
declare -A RESULT COSTNS RATIO
PENDING=()   # "key mpps" measured since the last ceiling
LAST_CEIL=   # the last ceiling's Mpps ("": none yet in this run)

# measure_into MODE RUN CASE KEY WHAT: one measure of CASE, logged as
# WHAT, its Mpps and program ns added to KEY's results; MPPS its Mpps
measure_into() {
	local out sent ns ksi st
	out=$(measure "$1" "$3") || exit 1
	read -r MPPS sent ns ksi st <<<"$out"
	log "$1 run $2 $5: $MPPS Mpps received ($sent Mpps sent), program $ns ns/packet, ksoftirqd/0 ${ksi}s, vCPU steal ${st} ms"
	RESULT[$4]+="$MPPS " COSTNS[$4]+="$ns "
}

# ceiling_between MODE RUN: a ceiling; the cases measured since the one
# before it get their ratios
ceiling_between() {
	local mpps p key m
	measure_into "$1" "$2" ceiling "$1,ceiling" ceiling
	mpps=$MPPS
	for p in "${PENDING[@]}"; do
		read -r key m <<<"$p"
		RATIO[$key]+="$(awk -v m="$m" -v a="$LAST_CEIL" -v b="$mpps" \
			'BEGIN { printf "%.3f", m / ((a + b) / 2) }') "
	done
	PENDING=() LAST_CEIL=$mpps
}
# is_steer_case CASE: a case with a ratio to the ceiling
is_steer_case() { [[ " $STEER_CASES " == *" $1 "* && $1 != ceiling ]]; }
with_ceiling() { [[ " $CASES " == *" ceiling "* ]]; }

log "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
RUN_STEAL=$(steal_ms) RUN_T0=$SECONDS
workers_setup
for mode in $MODES; do
	for ((run = 1; run <= RUNS; run++)); do
		LAST_CEIL='' PENDING=()
		for cse in $CASES; do
			[[ $cse == churn || $cse == ct-cost || $cse == http ]] && continue
			if with_ceiling; then
				# a ceiling before every steering case (the one
				# before it may already be there), one to close
				# the cases before any other kind
				[ "$cse" = ceiling ] && continue
				if is_steer_case "$cse" && { [ ${#PENDING[@]} -gt 0 ] || [ -z "$LAST_CEIL" ]; }; then
					ceiling_between "$mode" "$run"
				elif ! is_steer_case "$cse" && [ ${#PENDING[@]} -gt 0 ]; then
					ceiling_between "$mode" "$run"
				fi
			fi
			for label in $LABELS; do
				[ "$label" = ref ] && ! is_pcf_case "$cse" && continue
				[ "$label" = ref ] && ! ref_can "$cse" && continue
				use_build "$label"
				key=$mode,$cse
				[ "$label" = ref ] && key+=@ref
				if is_worker_case "$cse"; then
					[ "$mode" = same-cpu ] || continue
					mpps=$(measure_worker "$cse") || exit 1
					RESULT[$key]+="$mpps "
					continue
				fi
				measure_into "$mode" "$run" "$cse" "$key" "$cse ($label)"
				with_ceiling && is_steer_case "$cse" &&
					PENDING+=("$key $MPPS")
			done
		done
		use_build now
		# the last steering case's closing ceiling; a run of the
		# ceiling alone measures it once
		if with_ceiling && { [ ${#PENDING[@]} -gt 0 ] || [ -z "$LAST_CEIL" ]; }; then
			ceiling_between "$mode" "$run"
		fi
	done
done
if [[ " $CASES " == *" fwd "* && " $MODES " == *" same-cpu "* ]]; then
	# shellcheck disable=SC2086
	lat_mpps=$(median ${RESULT[same-cpu,fwd]})
	[ -n "${PCF_BENCH_LAT_MPPS:-}" ] &&
		lat_mpps=$(awk -v m="$PCF_BENCH_LAT_MPPS" 'BEGIN { print 2 * m }')
	# shellcheck disable=SC2034 # LATENCY: workers_report's
	LATENCY=$(measure_latencies "$lat_mpps") || exit 1
fi
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
log "vCPU steal during the run: $(steal_since "$RUN_STEAL") ms of CPU 0/CPU 1 in $((SECONDS - RUN_T0)) s"

# goal CASE: the ratio to the ceiling it should reach (issues 3 and 15)
goal() {
	case $1 in
	hit) echo 0.90 ;;
	miss8) echo 0.70 ;;
	hit-many) echo 0.80 ;;
	miss8-many) echo 0.75 ;;
	hit6) echo 0.85 ;;
	hit6-many) echo 0.75 ;;
	*) echo "" ;;
	esac
}

# ratio A B: A / B with two decimals, "-" without both
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0)
		print "-"; else printf "%.2f", a / b }'
}

# peers_report MODE: pcf's DROP rule (hit) against its peers dropping
# the same flow, same runs (issue 15): xdp-filter, nftables' netdev drop
peers_report() {
	local peer goal r
	for peer in xdp-filter:1.0 nft-drop:3.0; do
		goal=${peer#*:} peer=${peer%:*}
		if [ -z "${RESULT[$1,hit]:-}" ] || [ -z "${RESULT[$1,$peer]:-}" ]; then
			continue
		fi
		r=$(rel "$1" hit "$peer")
		# shellcheck disable=SC2086
		printf '  %-30s %5s  %s (%s / %s Mpps; program ns %s / %s%s)\n' \
			"hit / $peer" "$r" \
			"$(awk -v r="$r" -v g="$goal" 'BEGIN { print (r != "-" && r >= g ? "met" : "MISSED") " (>= " g ")" }')" \
			"$(median ${RESULT[$1,hit]})" "$(median ${RESULT[$1,$peer]})" \
			"$(median ${COSTNS[$1,hit]})" "$(median ${COSTNS[$1,$peer]})" \
			"${RATIO[$1,hit]:+${RATIO[$1,$peer]:+; reached in $(runs_met "$1" hit "$goal" "$peer")}}"
	done
}

# paired MODE CASE: CASE's ratio to the ceilings beside it, the median of
# its runs' ("-" without a ceiling in the run)
paired() {
	# shellcheck disable=SC2086
	[ -n "${RATIO[$1,$2]:-}" ] && median ${RATIO[$1,$2]} || echo -
}

# runs_met MODE CASE GOAL [PEER]: in how many runs CASE's ratio to the
# ceilings beside it (with PEER: over PEER's in the same run) reached GOAL;
# a goal a few runs meet and others miss is not settled by their median
runs_met() {
	awk -v a="${RATIO[$1,$2]:-}" -v b="${4:+${RATIO[$1,$4]:-}}" -v g="$3" \
		-v peer="${4:-}" 'BEGIN {
		n = split(a, x, " ")
		if (peer != "" && split(b, y, " ") != n)
			n = 0
		for (i = 1; i <= n; i++) {
			r = peer == "" ? x[i] : (y[i] > 0 ? x[i] / y[i] : 0)
			k += r >= g
		}
		printf "%d of %d runs", k, n }'
}

# rel MODE A B: case A against case B (or A@ref, the reference's), same
# runs: the ratio of their paired ratios (without a ceiling, of their
# Mpps medians)
rel() {
	if [ -n "${RATIO[$1,$2]:-}" ] && [ -n "${RATIO[$1,$3]:-}" ]; then
		ratio "$(paired "$1" "$2")" "$(paired "$1" "$3")"
	else
		# shellcheck disable=SC2086
		ratio "$(median ${RESULT[$1,$2]:-})" "$(median ${RESULT[$1,$3]:-})"
	fi
}

# vxlan_report MODE: the encap rule on VXLAN frames against the same
# rule on the plain inner frame (hit), same run (issue 13)
vxlan_report() {
	local v h
	# shellcheck disable=SC2086
	v=$(median ${RESULT[$1,vxlan-hit]:-}) h=$(median ${RESULT[$1,hit]:-})
	[ -n "$v" ] && [ -n "$h" ] || return 0
	# shellcheck disable=SC2086
	printf '  %-30s %5s  %s (program ns %s and %s)\n' "vxlan-hit / hit" \
		"$(rel "$1" vxlan-hit hit)" \
		"$(awk -v r="$(rel "$1" vxlan-hit hit)" 'BEGIN { print (r >= 0.85 ? "met" : "MISSED") " (>= 0.85)" }')" \
		"$(median ${COSTNS[$1,vxlan-hit]})" "$(median ${COSTNS[$1,hit]})"
}

# floor_report MODE: the many-flow cases against flowmem-many, the least
# any per-flow program pays in memory, same runs; hit6-many also against
# flowmem6-many, the floor for IPv6 keys, and hit6 against ceiling6, an
# XDP_DROP of its own frames
floor_report() {
	local pair cse floor
	for pair in hit-many:flowmem-many miss8-many:flowmem-many \
		hit6-many:flowmem-many hit6-many:flowmem6-many hit6:ceiling6; do
		cse=${pair%:*} floor=${pair#*:}
		[ -n "${RESULT[$1,$cse]:-}" ] && [ -n "${RESULT[$1,$floor]:-}" ] ||
			continue
		printf '  %-30s %5s  (of the ceiling: %s and %s)\n' \
			"$cse / $floor" "$(rel "$1" "$cse" "$floor")" \
			"$(paired "$1" "$cse")" "$(paired "$1" "$floor")"
	done
}

echo
for mode in $MODES; do
	steer_cases=
	for cse in $CASES; do
		is_worker_case "$cse" || [[ $cse == churn || $cse == ct-cost || $cse == http ]] ||
			steer_cases+="$cse "
	done
	[ -n "$steer_cases" ] || continue
	echo "mode $mode: median of $RUNS runs of ${SECS}s, 64-byte UDP, -many: $FLOWS flows; ratio: the median of each run's Mpps / the mean of the ceilings just before and after it"
	printf '  %-10s %7s %6s  %-15s %7s %10s  %s\n' case Mpps ratio goal \
		"ns/pkt" "program ns" "runs (Mpps)"
	for cse in $steer_cases; do
		# shellcheck disable=SC2086
		med=$(median ${RESULT[$mode,$cse]})
		g=$(goal "$cse")
		if [ "$cse" = ceiling ]; then
			r=1.00
		else
			r=$(paired "$mode" "$cse")
			[ "$r" = - ] || r=$(printf '%.2f' "$r")
		fi
		verdict=
		[ -n "$g" ] && [ "$r" != - ] && verdict=$(awk -v r="$r" -v g="$g" \
			'BEGIN { print (r >= g ? "met" : "MISSED") " (>=" g ")" }')
		# shellcheck disable=SC2086
		ns=$(median ${COSTNS[$mode,$cse]})
		printf '  %-10s %7s %6s  %-15s %7s %10s  %s%s\n' "$cse" "$med" \
			"$r" "$verdict" \
			"$(awk -v m="$med" 'BEGIN { printf "%.1f", 1000 / m }')" \
			"$ns" "${RESULT[$mode,$cse]}" \
			"${RATIO[$mode,$cse]:+(ratios ${RATIO[$mode,$cse]% }${g:+; the goal reached in $(runs_met "$mode" "$cse" "$g")})}"
	done
	vxlan_report "$mode"
	floor_report "$mode"
	peers_report "$mode"
	echo
done
[[ " $MODES " == *" same-cpu "* ]] && workers_report
[[ " $CASES " == *" churn "* ]] && churn_report
[[ " $CASES " == *" ct-cost "* ]] && ct_cost_report
[[ " $CASES " == *" http "* ]] && http_report
if [[ " $CASES " == *" set-"* ]]; then
	# a set's rule against its peer without a set, same run (issue 13)
	for mode in $MODES; do
		for pair in set-hit:hit set-flood:prefix-flood; do
			a=${pair%:*} b=${pair#*:}
			[ -n "${RESULT[$mode,$a]:-}" ] && [ -n "${RESULT[$mode,$b]:-}" ] || continue
			# shellcheck disable=SC2086
			ma=$(median ${RESULT[$mode,$a]}) mb=$(median ${RESULT[$mode,$b]})
			r=$(rel "$mode" "$a" "$b")
			# shellcheck disable=SC2086
			printf '  %-9s %-12s / %-12s %6s  %s  (%s / %s Mpps; program ns %s / %s)\n' \
				"$mode" "$a" "$b" "$r" \
				"$(awk -v r="$r" -v a="$a" 'BEGIN { if (a != "set-hit") print "(no goal: the trie lookup on flow cache misses)"; else print (r != "-" && r >= 0.9 ? "met" : "MISSED") " (>= 0.9)" }')" \
				"$ma" "$mb" "$(median ${COSTNS[$mode,$a]})" "$(median ${COSTNS[$mode,$b]})"
		done
	done
	echo
	set_load_report
fi
[ -n "$REF" ] && ref_report
true
