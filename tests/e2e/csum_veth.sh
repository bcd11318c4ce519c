#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# csum_veth: a veth sender with tx checksum offload on hands its peer UDP
# packets with a partial checksum; forwarded by AF_XDP they arrive bad
# (worker_env.bash has the topology).  The workers check one packet in
# 64: with tx on at src, bad_l4_csum counts them (not as drops), pcfd
# warns once, naming the interface and the fix, and dst's stack indeed
# drops them (InCsumErrors); with tx off, checked packets are good and
# the flow arrives whole.
. "$(dirname "$0")/worker_env.bash"

# udp_csum_errors: dst's UDP InCsumErrors
udp_csum_errors() {
	in_ns "$dst" awk '/^Udp: [0-9]/ { print $8 }' /proc/net/snmp
}
warnings() { grep -c "$IF_A: TCP/UDP packets arrive with bad checksums" "$TMP/fp.err"; }
# csum_stat KEY: bad_l4_csum or l4_csum_sampled of the last snapshot
csum_stat() {
	python3 -c 'import json,sys
print(sum(w[sys.argv[2]] for w in json.load(open(sys.argv[1]))["workers"]))' \
		"$TMP/stats.json" "$1"
}

start_fp --rule "dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1"

log "tx checksum offload on at src: partial checksums"
in_ns "$src" $UDP txcsum-on $IF_S || fail "tx offload stays off"
errs=$(udp_csum_errors)
in_ns "$src" $UDP send 198.18.2.1 5002 200 0.002 64 4000
wait_for 5 grep -q "$IF_A: TCP/UDP packets arrive with bad checksums .*ethtool -K IFNAME tx off" "$TMP/fp.err" ||
	fail_stats "no warning"
log "$(grep "bad checksums" "$TMP/fp.err")"
refresh
bad=$(csum_stat bad_l4_csum) sampled=$(csum_stat l4_csum_sampled)
log "bad_l4_csum $bad of $sampled checked; dst's InCsumErrors +$(( $(udp_csum_errors) - errs ))"
[ "$bad" -ge 3 ] && [ "$bad" = "$sampled" ] || fail_stats "bad_l4_csum $bad of $sampled"
[ "$(fp_stat drop_malformed)" = 0 ] || fail_stats "counted as drops"
[ $(( $(udp_csum_errors) - errs )) -ge 190 ] || fail "dst did not see bad checksums"
ctl stats | grep -q "bad_l4_csum $bad of $sampled checked" || fail_stats "not in pcfctl stats"

log "more of the same: no second warning"
in_ns "$src" $UDP send 198.18.2.1 5002 200 0.002 64 4000
refresh
[ "$(warnings)" = 1 ] || fail "warned $(warnings) times"
bad=$(csum_stat bad_l4_csum) sampled=$(csum_stat l4_csum_sampled)

log "tx checksum offload off: good checksums, the flow arrives"
in_ns "$src" $UDP txcsum-off $IF_S || fail "tx offload stays on"
got=$(flow 198.18.2.1 5002 200)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 200 ] || fail_stats "got $(echo "$got" | wc -l)"
refresh
log "bad_l4_csum $(csum_stat bad_l4_csum) of $(csum_stat l4_csum_sampled) checked"
[ "$(csum_stat bad_l4_csum)" = "$bad" ] || fail_stats "more bad checksums"
[ $(( $(csum_stat l4_csum_sampled) - sampled )) -ge 3 ] || fail_stats "nothing checked"
stop_fp
