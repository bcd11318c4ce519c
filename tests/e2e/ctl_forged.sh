#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_forged: strangers can neither stop nor fool pcfctl.  A process of
# uid 65534 sends forged events (to the events group and straight to the
# monitor's socket) and forged answers with the right sequence numbers
# (success acks, error acks, echoes with made-up ids) to every pcfctl
# socket it sees, while `pcfctl monitor` runs and while a 10 000-line
# `pcfctl -batch` runs: the monitor prints pcfd's events and only those,
# the batch's result is pcfd's, and -v says how many datagrams were
# skipped.
. "$(dirname "$0")/ctl_env.bash"

N=10000
start_pcfd

# forger.py PCFD_PORT SECONDS: every 2 ms, to each NETLINK_USERSOCK socket
# of the namespace but pcfd's and its own, a round of forged answers for
# sequence numbers around now (pcfctl numbers from time(NULL) on), and
# forged events to the events group.  Prints "attacking PORT" for each
# new socket it finds.
cat >"$TMP/forger.py" <<'PY'
import errno, socket, struct, sys, time
pcfd, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
s.bind((0, 0))
s.setblocking(False)
me = s.getsockname()[0]

def attr(t, p):
    a = struct.pack("=HH", 4 + len(p), t) + p
    return a + b"\0" * (-len(a) % 4)
def msg(typ, flags, seq, body):
    return struct.pack("=IHHII", 16 + len(body), typ, flags, seq, 0) + body
def genl(cmd, attrs):
    return struct.pack("=BBH", cmd, 1, 0) + attrs
def ack(seq, err):
    return msg(2, 0x100, seq, struct.pack("=i", err) + msg(0x60, 5, seq, b""))
def rule(rid):
    match = attr(4 | 0x8000, attr(1, bytes([198, 18, 66, 66])))
    action = attr(5 | 0x8000, attr(1, struct.pack("=I", 1)))
    return attr(2, struct.pack("=I", rid)) + attr(3, struct.pack("=I", 7)) + match + action
events = (msg(0x60, 0, 0, genl(1, rule(4242))) + msg(0x60, 0, 0, genl(4, b"")) +
          msg(0x60, 0, 0, genl(2, rule(4243))))

base = int(time.time())
window = list(range(base - 5, base + 10100))
pos, seen = 0, set()
def answers():
    """~16 KiB of forged answers: echo with a made-up id, then an ack."""
    global pos
    out = b""
    while len(out) < 15000:
        seq = window[pos % len(window)]
        pos += 1
        out += msg(0x60, 0, seq, genl(1, rule(4000000000 + pos % 1000)))
        out += ack(seq, 0 if pos % 2 else -errno.EEXIST)
    return out
def targets():
    for line in open("/proc/net/netlink").readlines()[1:]:
        f = line.split()
        port = int(f[2])
        if f[1] == "2" and port not in (0, pcfd, me):
            yield port

end = time.time() + secs
while time.time() < end:
    for port in targets():
        if port not in seen:
            seen.add(port)
            print("attacking", port, flush=True)
        for data in (answers(), events):
            try:
                s.sendto(data, (port, 0))
            except OSError:
                pass        # full, or gone
    try:
        s.sendto(events, (0, 1))    # the events group
    except OSError:
        pass
    time.sleep(0.002)
PY
nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PY" -c "$(cat "$TMP/forger.py")" "$CTL_PORT" 25 >"$TMP/forger.out" 2>&1 &
forger=$!
track $forger

# port_of PID: the netlink port id of pcfctl PID's socket
port_of() {
	local ino
	ino=$(ls -l /proc/"$1"/fd 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]/\1/p' | head -n1)
	[ -n "$ino" ] && in_ns "$NS" awk -v ino="$ino" '$2 == 2 && $10 == ino { print $3 }' /proc/net/netlink
}
# attacked PID: the forger has found PID's socket
attacked() {
	local port
	port=$(port_of "$1") && [ -n "$port" ] && grep -qx "attacking $port" "$TMP/forger.out"
}

log "monitor, under forged events"
"$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" -v monitor >"$TMP/mon.txt" 2>"$TMP/mon.err" &
mon=$!
track $mon
wait_for 10 attacked $mon || fail "the forger did not find the monitor: $(cat "$TMP/forger.out")"
# -v says so as they come, before pcfd has said anything
wait_for 5 grep -q "skipped [0-9]* datagrams\? not from pcfd" "$TMP/mon.err" ||
	fail "monitor -v is silent about the forgeries: $(cat "$TMP/mon.err")"
id=$(ctl flow add src 198.18.0.1 dport 53 proto udp action drop) || fail "add"
ctl flow replace src 198.18.0.1 dport 53 proto udp action pass >/dev/null || fail "replace"
ctl flow del id "$id" || fail "del"
ctl flow flush || fail "flush"
wait_for 10 grep -q flushed "$TMP/mon.txt" || fail "no flush event: $(cat "$TMP/mon.txt" "$TMP/mon.err")"
cat >"$TMP/want" <<W
added id $id prio 32768 src 198.18.0.1 dport 53 proto udp action drop
added id $id prio 32768 src 198.18.0.1 dport 53 proto udp action pass
deleted id $id prio 32768 src 198.18.0.1 dport 53 proto udp action pass
flushed
W
diff -u "$TMP/want" "$TMP/mon.txt" || fail "the monitor printed what pcfd did not say"
kill -INT $mon
wait $mon || fail "monitor exited $? on SIGINT"
log "monitor: $(tail -n 1 "$TMP/mon.err")"

log "a $N-line batch, under forged answers"
"$PY" - "$N" >"$TMP/batch" <<'GEN'
import sys
for i in range(int(sys.argv[1])):
    print("flow add src 198.18.%d.%d dst 198.19.0.3 proto tcp dport 80 action drop"
          % (i // 256, i % 256))
GEN
mkfifo "$TMP/lines"
"$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" -v -batch - <"$TMP/lines" >"$TMP/ids" 2>"$TMP/batch.err" &
batch=$!
track $batch
exec 8>"$TMP/lines"
# the first line opens pcfctl's socket; the rest once the forger is on it
head -n 1 "$TMP/batch" >&8
wait_for 10 attacked $batch || fail "the forger did not find the batch: $(cat "$TMP/forger.out")"
tail -n +2 "$TMP/batch" >&8
exec 8>&-
wait $batch || fail "the batch failed: $(cat "$TMP/batch.err")"
[ "$(wc -l <"$TMP/ids")" = $N ] || fail "the batch printed $(wc -l <"$TMP/ids") ids"
ctl -j flow show | json "'\n'.join(str(r['id']) for r in j)" | sort >"$TMP/table_ids"
sort "$TMP/ids" | diff -q - "$TMP/table_ids" >/dev/null ||
	fail "the ids printed are not the table's: $(sort "$TMP/ids" | diff - "$TMP/table_ids" | head -n 5)"
grep -q "skipped [0-9]* datagrams not from pcfd" "$TMP/batch.err" ||
	fail "the batch skipped nothing: the test proves nothing: $(cat "$TMP/batch.err")"
grep -q "^Error" "$TMP/batch.err" && fail "the batch said: $(cat "$TMP/batch.err")"
log "batch: $(cat "$TMP/batch.err")"
log "pass"
