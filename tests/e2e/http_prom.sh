#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# http_prom: pcfd's /metrics read by the real thing.  promtool check
# metrics finds it clean; a Prometheus server (Debian's) scrapes pcfd's
# TCP listener every second; after real traffic through a redirect rule
# its query API has pcf_xdp_packets_total and the rule's counters.  No
# counter goes back: pcfd killed with -9 and started again (adopting the
# pinned state), then its workers restarted for an MTU that needs other
# frames: every _total series is at least what it was, the workers'
# too (whose own counters, in pcfctl stats, start again from 0), and
# Prometheus saw no reset of them.
. "$(dirname "$0")/http_env.bash"
need_tool prometheus prometheus
need_tool promtool prometheus

RULE="dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1"
start_fp --egress wire "${HTTP_ARGS[@]}" --rule "$RULE"

metrics() { curl -sS --unix-socket "$SOCK" http://pcfd/metrics; }
log "promtool check metrics"
metrics >"$TMP/metrics" || fail "GET /metrics"
promtool check metrics <"$TMP/metrics" >"$TMP/promtool" 2>&1 ||
	fail "promtool: $(cat "$TMP/promtool")"
grep -q '^pcf_build_info{version="[^"]*"} 1$' "$TMP/metrics" || fail "no pcf_build_info"
# the session table (pcfd keeps one by default): its size, its totals,
# pcf_steer's counters of sessions
grep -q '^pcf_sessions_max 262144$' "$TMP/metrics" || fail "no pcf_sessions_max"
grep -q '^pcf_sessions_created_total 0$' "$TMP/metrics" || fail "no pcf_sessions_created_total"
grep -q '^pcf_xdp_session_packets_total{event="created"} 0$' "$TMP/metrics" ||
	fail "no pcf_xdp_session_packets_total"

log "a Prometheus server scrapes pcfd every second"
PPORT=9090
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: pcfd
    static_configs:
      - targets: ['127.0.0.1:$HPORT']
YML
nsenter --net=/run/netns/"$dut" prometheus --config.file="$TMP/prometheus.yml" \
	--storage.tsdb.path="$TMP/prom" --web.listen-address="127.0.0.1:$PPORT" \
	>"$TMP/prometheus.log" 2>&1 &
track $!
# query EXPR: the value of the first series of an instant query, or ""
query() {
	in_ns "$dut" curl -sS "http://127.0.0.1:$PPORT/api/v1/query" \
		--data-urlencode "query=$1" |
		json "j['data']['result'][0]['value'][1] if j['data']['result'] else ''"
}
# query_ge EXPR N: its value is N or more
query_ge() {
	local v
	v=$(query "$1" 2>/dev/null)
	[ -n "$v" ] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }'
}
wait_for 20 query_ge 'up{job="pcfd"}' 1 ||
	fail "Prometheus does not scrape pcfd: $(tail -n 5 "$TMP/prometheus.log")"

log "traffic through rule 1; Prometheus has the counters"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] || fail_stats "through rule 1: $got"
wait_for 15 query_ge 'pcf_xdp_packets_total{verdict="redirect"}' 20 ||
	fail "pcf_xdp_packets_total{verdict=\"redirect\"}: $(query 'pcf_xdp_packets_total{verdict="redirect"}')"
wait_for 15 query_ge 'pcf_rule_packets_total{rule="1"}' 20 ||
	fail "rule 1: $(query 'pcf_rule_packets_total{rule="1"}')"
[ "$(query 'pcf_rule_bytes_total{rule="1"}')" -ge 800 ] || fail "rule 1's bytes"
wait_for 15 query_ge 'sum(pcf_worker_rx_packets_total)' 20 || fail "the workers' rx"
log "Prometheus: redirect $(query 'pcf_xdp_packets_total{verdict="redirect"}'), rule 1 $(query 'pcf_rule_packets_total{rule="1"}') packets, the workers $(query 'sum(pcf_worker_rx_packets_total)')"

# totals FILE: every _total sample of /metrics, "series value" a line
totals() { metrics | grep -v '^#' | grep '_total[{ ]' | sed 's/ \([0-9]*\)$/ \1/' | sort >"$1"; }
# not_less BEFORE AFTER: every series of BEFORE is in AFTER, not smaller
not_less() {
	awk 'NR == FNR { v[$1] = $2; next } ($1 in v) { seen[$1] = 1; if ($2 < v[$1]) { print "went back: " $1 " " v[$1] " -> " $2; bad = 1 } }
		END { for (s in v) if (!(s in seen)) { print "gone: " s; bad = 1 } exit bad }' "$1" "$2"
}

log "kill -9 and a restart that adopts the pins: no counter goes back"
totals "$TMP/t1"
kill -9 $fp
wait $fp 2>/dev/null
start_fp --egress wire "${HTTP_ARGS[@]}"
totals "$TMP/t2"
not_less "$TMP/t1" "$TMP/t2" || fail "after the restart"
refresh
[ "$(fp_stat rx_packets)" = 0 ] || fail "the new workers' own rx is $(fp_stat rx_packets)"
grep -q '^pcf_worker_rx_packets_total{ifname="'$IF_A'",queue="0"} 2[0-9]$' "$TMP/t2" ||
	fail "the workers' total: $(grep worker_rx_packets "$TMP/t2")"
got=$(flow 198.18.2.1 5002 10)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 10 ] || fail_stats "after the restart: $got"
totals "$TMP/t3"
not_less "$TMP/t2" "$TMP/t3" || fail "after traffic"
log "$(grep "worker_rx_packets_total{ifname=\"$IF_A\"" "$TMP/t3"), while pcfctl stats said rx 0 just after the restart"

log "the workers restart for MTU 1800 (4 KiB frames): no counter goes back"
n=$(grep -c 'restarting the workers' "$TMP/fp.err")
for i in $IF_A $IF_B; do ip -n "$dut" link set $i mtu 1800 || fail "mtu $i"; done
wait_for 10 lines_ge "$TMP/fp.err" 'restarting the workers' $((n + 1)) ||
	fail "the workers did not restart: $(tail -n 3 "$TMP/fp.err")"
wait_for 10 sh -c "'$PCFCTL' -n $dut --ctl-port $CTL_PORT -j stats | grep -q '\"rx_packets\":0'" ||
	fail "no fresh workers"
totals "$TMP/t4"
not_less "$TMP/t3" "$TMP/t4" || fail "after the workers' restart"
got=$(flow 198.18.2.1 5002 10)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 10 ] || fail_stats "after the workers' restart: $got"
totals "$TMP/t5"
not_less "$TMP/t4" "$TMP/t5" || fail "after traffic"
grep -q "^pcf_rule_packets_total{rule=\"1\"} 40$" "$TMP/t5" ||
	fail "rule 1: $(grep 'rule_packets' "$TMP/t5")"

log "Prometheus saw no counter reset"
wait_for 15 query_ge 'pcf_rule_packets_total{rule="1"}' 40 || fail "the last scrapes"
wait_for 15 query_ge 'sum(pcf_worker_rx_packets_total)' 40 || fail "the workers' rx"
for q in 'sum(resets(pcf_worker_rx_packets_total[5m]))' \
	'sum(resets(pcf_worker_tx_packets_total[5m]))' \
	'sum(resets(pcf_rule_packets_total[5m]))' \
	'sum(resets(pcf_xdp_packets_total[5m]))'; do
	[ "$(query "$q")" = 0 ] || fail "$q: $(query "$q")"
done
[ "$(query 'count(changes(process_start_time_seconds[5m]) > 0)')" = 1 ] ||
	fail "process_start_time_seconds did not change with the restart"
metrics | promtool check metrics >"$TMP/promtool" 2>&1 || fail "promtool: $(cat "$TMP/promtool")"
stop_fp
log "pass"
