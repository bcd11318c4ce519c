#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_journal: the real pcfd's counter records and lifecycle events reach
# a real journald with their PCF_* fields.  systemd-journald runs
# standalone in a private mount namespace (its own tmpfs on
# /run/systemd/journal, /run/log and /var/log/journal, so the host's
# journal is never touched); pcfd runs with stderr connected to journald's
# stdout stream and JOURNAL_STREAM set, as systemd does for a service, so
# it picks the journal by itself.  Known traffic (10 datagrams a drop rule
# takes, 7 a redirect rule hands to the worker) makes the counters exact;
# SIGUSR1 writes the records, read back with `journalctl -o json`.  Then a
# pcfd with stderr on a file writes readable lines there and nothing to
# the journal.
. "$(dirname "$0")/../lib/common.sh"
need_root
JOURNALD=/lib/systemd/systemd-journald
need_tool "$JOURNALD" systemd
need_tool journalctl systemd
need_tool systemd-cat systemd
need_tool jq jq
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"
[ -s /etc/machine-id ] ||
	fail "journald needs a machine id in /etc/machine-id: make one with systemd-machine-id-setup"

# pcfd on IF_A (and, the stderr run, IF_C) in NS; the traffic from PEER
netns_add j >/dev/null # not in $(...): the cleanup must see them
netns_add p >/dev/null
NS=pcf${ID}j PEER=pcf${ID}p
IF_A=p${ID}a IF_B=p${ID}b IF_C=p${ID}c IF_D=p${ID}d
veth_add "$NS" $IF_A "$PEER" $IF_B
veth_add "$NS" $IF_C "$PEER" $IF_D
ip -n "$NS" addr add 198.18.9.1/24 dev $IF_A
ip -n "$PEER" addr add 198.18.9.2/24 dev $IF_B
ip -n "$NS" addr add 198.18.10.1/24 dev $IF_C
ip -n "$PEER" addr add 198.18.10.2/24 dev $IF_D
CTL_PORT=$(( 0x70680000 + 0x$ID ))
export NS PEER IF_A IF_C CTL_PORT PCFD PCFCTL PIN_DIR
export SEND="python3 $top/tests/e2e/worker_sock.py send"
# the inner script's waits are common.sh's
export -f wait_for gone wait_exit

# Everything below runs inside `unshare -m`; this is its script.
cat >"$TMP/inner.sh" <<'INNER'
set -u
JOURNALD=$1 OUT=$2
ctl() { "$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" "$@"; }
for d in /run/systemd/journal /run/log /var/log/journal; do
	[ -d "$d" ] || continue
	mount -t tmpfs -o mode=0755 tmpfs "$d" || exit 3
done
if [ ! -d /run/systemd/journal ]; then
	# no such directory on the host: a private /run/systemd holds it
	mkdir -p /run/systemd 2>/dev/null && mount -t tmpfs tmpfs /run/systemd &&
		mkdir /run/systemd/journal || exit 3
fi
[ -d /run/log ] || exit 3
SYSTEMD_LOG_TARGET=console "$JOURNALD" 2>"$OUT/journald.log" &
jpid=$!
# journald_up: both its sockets are there (or it died: no use waiting)
journald_up() {
	{ [ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/stdout ]; } ||
		gone $jpid
}
wait_for 10 journald_up
if ! [ -S /run/systemd/journal/socket ] || ! [ -S /run/systemd/journal/stdout ]; then
	kill $jpid 2>/dev/null
	exit 4
fi
# error MSG: note a failure for the outer script, which fails with it
error() { echo "$*" >>"$OUT/errors"; }
# counted: the traffic is all counted, XDP's and the worker's (what
# SIGUSR1 writes must be what pcfctl saw)
counted() {
	ctl -j stats >"$OUT/stats.json" &&
		jq -e '.xdp.drop.packets == 10 and .xdp.redirect.packets == 7 and
			.workers[0].rx_packets == 7 and
			.workers[0].tx_packets + ([.workers[0].drops[]] | add // 0) == 7' \
			"$OUT/stats.json" >/dev/null
}
# records: journald has both counter records of IF_A
records() {
	journalctl -D /run/log/journal -o json --no-pager PCF_IFACE="$IF_A" >"$OUT/records.json" 2>>"$OUT/journalctl.err"
	[ "$(jq -s 'map(select(.PCF_EVENT == "counters")) | length' "$OUT/records.json")" -ge 2 ]
}
# as systemd starts a service: stderr is the journal stream, named by
# JOURNAL_STREAM=dev:ino
systemd-cat -t pcfd-stream sh -c \
	'export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); exec nsenter --net=/run/netns/$NS "$0" -f -i $IF_A --pin-dir "$1" --ctl-port $CTL_PORT --queues 1 --stats-interval 0' \
	"$PCFD" "$PIN_DIR" &
pid=$! # systemd-cat, sh and nsenter exec: pcfd
wait_for 10 ctl flow show >/dev/null 2>&1 || error "pcfd did not start under journald"
ctl flow add dst 198.18.9.1 proto udp dport 9 action drop >/dev/null &&
	ctl flow add dst 198.18.9.1 proto udp dport 7 action redirect >/dev/null ||
	error "pcfd did not take the rules"
nsenter --net=/run/netns/$PEER $SEND 198.18.9.1 9 10 0.001
nsenter --net=/run/netns/$PEER $SEND 198.18.9.1 7 7 0.001
wait_for 10 counted || error "the traffic was not counted: $(cat "$OUT/stats.json")"
kill -USR1 "$pid"
ok=
wait_for 10 records && ok=1
kill -TERM "$pid"
wait_exit 10 "$pid" || error "pcfd did not stop on SIGTERM"
# not under journald: stderr is a file; a fresh pin directory
nsenter --net=/run/netns/$NS "$PCFD" --unload -i $IF_A --pin-dir "$PIN_DIR" >/dev/null 2>&1
JOURNAL_STREAM=1:1 nsenter --net=/run/netns/$NS "$PCFD" -f -i $IF_C --pin-dir "$PIN_DIR" \
	--ctl-port $CTL_PORT --queues 1 --stats-interval 0 2>"$OUT/stderr.txt" &
pid=$!
wait_for 10 ctl flow show >/dev/null 2>&1 || error "pcfd did not start with stderr on a file"
kill -USR1 $pid
# the worker's line comes after XDP's
wait_for 10 grep -q "^pcfd: worker $IF_C queue 0: " "$OUT/stderr.txt" ||
	error "no counters on stderr after SIGUSR1"
kill -TERM $pid
wait $pid
journalctl -D /run/log/journal -o json --no-pager >"$OUT/all.json" 2>/dev/null
kill $jpid
wait $jpid
[ -n "$ok" ] || exit 5
exit 0
INNER

unshare -m --propagation private bash "$TMP/inner.sh" "$JOURNALD" "$TMP"
rc=$?
in_ns "$NS" "$PCFD" --unload -i $IF_C --pin-dir "$PIN_DIR" >/dev/null 2>&1
[ -e "$TMP/errors" ] && fail "$(cat "$TMP/errors")"
case $rc in
0) ;;
3) fail "cannot mount a private tmpfs over the journal directories" ;;
4) fail "systemd-journald did not start standalone: $(tail -n 3 "$TMP/journald.log" | tr '\n' ' ')" ;;
5) fail "no counter records with PCF_IFACE=$IF_A in the journal; journald said: $(tail -n 5 "$TMP/journald.log")" ;;
*) fail "unshare -m: exit $rc" ;;
esac

log "the records, as journalctl -o json shows them"
jq -c '{PCF_EVENT, PCF_SCOPE, _TRANSPORT, MESSAGE}' "$TMP/records.json"

# one record by its PCF_EVENT and PCF_SCOPE, as a JSON object
rec() { jq -c "select(.PCF_EVENT == \"$1\" and (.PCF_SCOPE // \"\") == \"$2\")" "$TMP/records.json" | tail -n1; }
# field NAME of a record must be VALUE
want() {
	local got
	got=$(jq -r ".$2 // \"(none)\"" <<<"$1")
	[ "$got" = "$3" ] || fail "$2 is $got, want $3 in $1"
}
# what pcfctl said just before SIGUSR1
st() { jq -r "$1" "$TMP/stats.json"; }

x=$(rec counters xdp)
[ -n "$x" ] || fail "no XDP counters record"
for kv in _TRANSPORT=journal SYSLOG_IDENTIFIER=pcfd PRIORITY=6 \
	MESSAGE_ID=533a57d058984cacbc87c9e5daa79243 PCF_IFACE=$IF_A \
	PCF_DROP_PACKETS=10 PCF_REDIRECT_PACKETS=7 \
	PCF_REASON_REDIRECT_FALLBACK_PACKETS=0 PCF_REASON_TTL_EXPIRED_PACKETS=0; do
	want "$x" "${kv%%=*}" "${kv#*=}"
done
rx=$(jq -r .PCF_RX_PACKETS <<<"$x")
pass=$(jq -r .PCF_PASS_PACKETS <<<"$x")
[ "$rx" = $((pass + 17)) ] || fail "PCF_RX_PACKETS $rx is not pass $pass + 17"
want "$x" MESSAGE "xdp on $IF_A: $rx packets: $pass pass, 7 redirect, 10 drop$(jq -r '.MESSAGE' <<<"$x" | sed -n 's/.* drop//p')"

w=$(rec counters worker)
[ -n "$w" ] || fail "no worker counters record"
for kv in _TRANSPORT=journal PCF_IFACE=$IF_A PCF_QUEUE=0 PCF_RX_PACKETS=7 \
	PCF_TX_PACKETS="$(st '.workers[0].tx_packets')" \
	PCF_DROP_TX_FULL_PACKETS=0 PCF_DROP_RULE_GONE_PACKETS=0; do
	want "$w" "${kv%%=*}" "${kv#*=}"
done
[ $(( $(jq -r .PCF_TX_PACKETS <<<"$w") + $(jq -r .PCF_DROP_PACKETS <<<"$w") )) = 7 ] ||
	fail "the worker's 7 packets are neither sent nor dropped: $w"

for ev in started attached ready; do
	e=$(rec $ev "")
	[ -n "$e" ] || fail "no $ev event"
	want "$e" MESSAGE_ID 364df0835eff425fbb82c2208928ee8c
	want "$e" _TRANSPORT journal
done
want "$(rec started "")" PRIORITY 5
want "$(rec attached "")" MESSAGE "attached to $IF_A (native mode)"
[ "$(jq -s 'map(select(.PCF_EVENT == "stopping")) | length' "$TMP/all.json")" -ge 1 ] ||
	fail "no stopping event"

log "not under journald: readable lines on stderr, nothing in the journal"
cat "$TMP/stderr.txt"
grep -q "^pcfd: xdp on $IF_C: [0-9]* packets: [0-9]* pass, 0 redirect, 0 drop" "$TMP/stderr.txt" ||
	fail "stderr lines: $(cat "$TMP/stderr.txt")"
grep -q "^pcfd: worker $IF_C queue 0: 0 rx, 0 tx, 0 drop" "$TMP/stderr.txt" ||
	fail "stderr lines: $(cat "$TMP/stderr.txt")"
grep -q "^pcfd: attached to $IF_C (native mode)" "$TMP/stderr.txt" ||
	fail "stderr lines: $(cat "$TMP/stderr.txt")"
# (jq -s and a count: jq 1.6's -e looks at the last input only)
[ "$(jq -s "map(select(.PCF_IFACE == \"$IF_C\")) | length" "$TMP/all.json")" = 0 ] ||
	fail "the stderr run also wrote to the journal"
log "PASS"
