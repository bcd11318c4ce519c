#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_journal: pcfd's counter records reach a real journald with their
# PCF_* fields.  systemd-journald runs standalone in a private mount
# namespace (its own tmpfs on /run/systemd/journal, /run/log and
# /var/log/journal, so the host's journal is never touched); the sender
# runs with stderr connected to journald's stdout stream and JOURNAL_STREAM
# set, as systemd does for a service, so it picks the journal by itself.
# The fields are read back with `journalctl -o json`.  Then the same
# sender with stderr on a file writes readable lines there and nothing to
# the journal.
. "$(dirname "$0")/../lib/common.sh"
need_root
JOURNALD=/lib/systemd/systemd-journald
SVC=$BUILD/tests/tools/pcf-svc
[ -x "$JOURNALD" ] || skip "no $JOURNALD (Debian package systemd)"
command -v journalctl >/dev/null || skip "no journalctl"
command -v jq >/dev/null || skip "no jq"
[ -x "$SVC" ] || fail "no $SVC: build first"
[ -f /etc/machine-id ] || skip "journald needs /etc/machine-id"

# Everything below runs inside `unshare -m`; this is its script.
cat >"$TMP/inner.sh" <<'INNER'
set -u
TAG=$1 SVC=$2 JOURNALD=$3 OUT=$4
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
for _ in $(seq 50); do
	[ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/stdout ] && break
	kill -0 $jpid 2>/dev/null || break
	sleep 0.1
done
if ! [ -S /run/systemd/journal/stdout ]; then
	kill $jpid 2>/dev/null
	exit 4
fi
# as systemd starts a service: stderr is the journal stream, named by
# JOURNAL_STREAM=dev:ino
systemd-cat -t pcf-svc-$TAG sh -c \
	'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$0" journal "$1"' \
	"$SVC" "$TAG" || echo "sender failed" >>"$OUT/errors"
# not under journald: stderr is a file
JOURNAL_STREAM=1:1 "$SVC" journal "$TAG-stderr" >"$OUT/stderr.dest" 2>"$OUT/stderr.txt" ||
	echo "stderr sender failed" >>"$OUT/errors"
ok=
for _ in $(seq 50); do
	journalctl -D /run/log/journal -o json --no-pager PCF_IFACE="$TAG" >"$OUT/records.json" 2>>"$OUT/journalctl.err"
	[ "$(wc -l <"$OUT/records.json")" -ge 3 ] && ok=1 && break
	sleep 0.1
done
journalctl -D /run/log/journal -o json --no-pager >"$OUT/all.json" 2>/dev/null
kill $jpid
wait $jpid
[ -n "$ok" ] || exit 5
exit 0
INNER

TAG=pcft$ID
unshare -m --propagation private bash "$TMP/inner.sh" "$TAG" "$SVC" "$JOURNALD" "$TMP"
rc=$?
case $rc in
0) ;;
3) skip "cannot mount a private tmpfs over the journal directories" ;;
4) skip "systemd-journald did not start standalone: $(tail -n 3 "$TMP/journald.log" | tr '\n' ' ')" ;;
5) fail "no records with PCF_IFACE=$TAG in the journal; journald said: $(tail -n 5 "$TMP/journald.log")" ;;
*) fail "unshare -m: exit $rc" ;;
esac
[ -e "$TMP/errors" ] && fail "$(cat "$TMP/errors")"

log "the records, as journalctl -o json shows them"
jq -c '{PCF_EVENT, PCF_SCOPE, _TRANSPORT, MESSAGE}' "$TMP/records.json"

# one record by its PCF_EVENT and PCF_SCOPE, as a JSON object
rec() { jq -c "select(.PCF_EVENT == \"$1\" and (.PCF_SCOPE // \"\") == \"$2\")" "$TMP/records.json"; }
# field NAME of a record must be VALUE
want() {
	local got
	got=$(jq -r ".$2 // \"(none)\"" <<<"$1")
	[ "$got" = "$3" ] || fail "$2 is $got, want $3 in $1"
}

x=$(rec counters xdp)
[ -n "$x" ] || fail "no XDP counters record"
for kv in _TRANSPORT=journal SYSLOG_IDENTIFIER=pcfd PRIORITY=6 \
	MESSAGE_ID=533a57d058984cacbc87c9e5daa79243 PCF_IFACE=$TAG \
	PCF_RX_PACKETS=1000 PCF_PASS_PACKETS=700 PCF_REDIRECT_PACKETS=250 \
	PCF_DROP_PACKETS=50 PCF_REASON_MISS_PACKETS=40 \
	PCF_REASON_MALFORMED_PACKETS=10 PCF_REASON_NOT_IP_PACKETS=0 \
	PCF_REASON_REDIRECT_FALLBACK_PACKETS=0 PCF_REASON_TTL_EXPIRED_PACKETS=0; do
	want "$x" "${kv%%=*}" "${kv#*=}"
done
want "$x" MESSAGE "xdp on $TAG: 1000 packets: 700 pass, 250 redirect, 50 drop (miss 40, malformed 10)"

w=$(rec counters worker)
[ -n "$w" ] || fail "no worker counters record"
for kv in _TRANSPORT=journal PCF_IFACE=$TAG PCF_QUEUE=2 PCF_RX_PACKETS=250 \
	PCF_TX_PACKETS=245 PCF_DROP_PACKETS=5 PCF_DROP_TX_FULL_PACKETS=5 \
	PCF_DROP_RULE_GONE_PACKETS=0; do
	want "$w" "${kv%%=*}" "${kv#*=}"
done

e=$(rec started "")
[ -n "$e" ] || fail "no started event"
want "$e" PRIORITY 5
want "$e" MESSAGE "pcf-svc started on $TAG"
want "$e" MESSAGE_ID 364df0835eff425fbb82c2208928ee8c

log "the sender picked the journal by itself; nothing went to its stdout stream"
n=$(jq -r "select(.SYSLOG_IDENTIFIER == \"pcf-svc-$TAG\") | .MESSAGE" "$TMP/all.json")
[ "$n" = journald ] || fail "stdout stream of the sender: \"$n\", want only its \"journald\" line"

log "not under journald: readable lines on stderr, nothing in the journal"
[ "$(cat "$TMP/stderr.dest")" = stderr ] || fail "picked $(cat "$TMP/stderr.dest")"
cat "$TMP/stderr.txt"
grep -qx "pcfd: xdp on $TAG-stderr: 1000 packets: 700 pass, 250 redirect, 50 drop (miss 40, malformed 10)" "$TMP/stderr.txt" ||
	fail "stderr lines: $(cat "$TMP/stderr.txt")"
grep -qx "pcfd: worker $TAG-stderr queue 2: 250 rx, 245 tx, 5 drop (tx_full 5)" "$TMP/stderr.txt" ||
	fail "stderr lines: $(cat "$TMP/stderr.txt")"
# (jq -s and a count: jq 1.6's -e looks at the last input only)
[ "$(jq -s "map(select(.PCF_IFACE == \"$TAG-stderr\")) | length" "$TMP/all.json")" = 0 ] ||
	fail "the stderr run also wrote to the journal"
log "PASS"
