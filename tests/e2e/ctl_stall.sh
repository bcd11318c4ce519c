#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_stall: the unprivileged cannot stall pcfd's control plane.  With a
# table of 16 000 rules, 200 netlink sockets of uid 65534 (SO_RCVBUF at
# its minimum) each ask for dumps, again and again, and never read; root's
# `pcfctl stats` and `flow add` still answer within 100 ms, every time,
# and root's own dump of the table comes whole.  pcfd keeps sending
# WATCHDOG=1 meanwhile (its loop turns and serves); stopped for a second,
# it withholds the next one.
. "$(dirname "$0")/ctl_env.bash"

N=16000 HOSTILE=200 RUNS=10 LIMIT_MS=100

# the service manager's side: the datagrams pcfd sends it, one after
# the other (pings() counts the WATCHDOG=1 among them)
SOCK=$TMP/notify.sock
socat -u UNIX-RECV:"$SOCK" OPEN:"$TMP/notify.txt",creat,append &
track $!
wait_for 5 test -S "$SOCK" || fail "the notify receiver did not start"
pings() { grep -o 'WATCHDOG=1\( withheld\)\?' "$TMP/notify.txt" | grep -cx WATCHDOG=1; }

# pcfd with a watchdog of 400 ms: WATCHDOG=1 every 200 ms; exec keeps
# the pid (WATCHDOG_PID, and $! for SIGSTOP)
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=400000 sh -c 'export WATCHDOG_PID=$$;
	exec nsenter --net=/run/netns/"$0" "$1" -f -i "$2" --pin-dir "$3" --ctl-port "$4"' \
	"$NS" "$PCFD" "$IF_A" "$PIN_DIR" "$CTL_PORT" >>"$TMP/pcfd.log" 2>&1 &
PCFD_PID=$!
track $PCFD_PID
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not come up: $(cat "$TMP/pcfd.log")"

"$PY" - "$N" >"$TMP/batch" <<'GEN'
import sys
for i in range(int(sys.argv[1])):
    print("flow add src 198.18.%d.%d dst 198.19.0.2 proto udp dport %d action drop"
          % (i // 256, i % 256, 1000 + i % 60000))
GEN
ctl -batch "$TMP/batch" >/dev/null || fail "could not add $N rules"
log "$N rules in the table"

# hostile.py PORT N SECONDS: N sockets with the smallest receive buffer,
# each asking for 4 dumps at once and one more every 0.2 s, never reading.
# At the end it reads what came and counts it.
cat >"$TMP/hostile.py" <<'PY'
import errno, socket, struct, sys, time
port, n, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def dump(seq):
    body = struct.pack("=BBH", 3, 1, 0)        # FLOW_GET, version 1
    return struct.pack("=IHHII", 16 + len(body), 0x60, 0x1 | 0x300, seq, 0) + body
socks = []
for i in range(n):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    s.bind((0, 0))
    s.settimeout(5)             # the first dumps wait for room at pcfd
    socks.append(s)
def ask(k):
    sent = 0
    for s in socks:
        for _ in range(k):
            try:
                s.sendto(dump(1), (port, 0))
                sent += 1
            except (BlockingIOError, socket.timeout):
                pass            # pcfd's queue is full: it is busy with us
    return sent
sent = ask(4)
for s in socks:
    s.setblocking(False)
print("ready", sent, flush=True)
end = time.time() + secs
while time.time() < end:
    time.sleep(0.2)
    sent += ask(1)
parts = busy = other = 0
for s in socks:
    while True:
        try:
            data = s.recv(65536)
        except (BlockingIOError, OSError):
            break
        typ = struct.unpack_from("=H", data, 4)[0]
        if typ == 2 and struct.unpack_from("=i", data, 16)[0] == -errno.EBUSY:
            busy += 1
        elif typ == 0x60:
            parts += 1
        else:
            other += 1
print("asked", sent, "dumps; got", parts, "dump parts,", busy, "EBUSY,", other, "other", flush=True)
PY

log "$HOSTILE sockets of uid 65534 ask for dumps and never read"
nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PY" -c "$(cat "$TMP/hostile.py")" "$CTL_PORT" "$HOSTILE" 8 >"$TMP/hostile.out" 2>&1 &
hostile=$!
track $hostile
wait_for 20 grep -q ready "$TMP/hostile.out" 2>/dev/null || fail "hostile: $(cat "$TMP/hostile.out")"
log "hostile: $(cat "$TMP/hostile.out")"
# their sockets are full: what pcfd sent them waits
holding() { [ "$(in_ns "$NS" awk '$2 == 2 && $5 > 0' /proc/net/netlink | wc -l)" -ge "$HOSTILE" ]; }
wait_for 10 holding ||
	fail "only $(in_ns "$NS" awk '$2 == 2 && $5 > 0' /proc/net/netlink | wc -l) sockets hold data: the attack did not take"

# lat.py LIMIT_MS RUNS CMD...: run CMD RUNS times, print each wall time;
# exit 1 if one failed or took LIMIT_MS or more
cat >"$TMP/lat.py" <<'PY'
import subprocess, sys, time
limit, runs, cmd = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
times, ok = [], True
for i in range(runs):
    c = [a.replace("{i}", str(i)) for a in cmd]
    t = time.monotonic()
    r = subprocess.run(c, capture_output=True, text=True)
    ms = (time.monotonic() - t) * 1000
    times.append(ms)
    if r.returncode or ms >= limit:
        ok = False
        print("run", i, "exit", r.returncode, "%.1f ms" % ms, r.stderr.strip())
print(" ".join("%.1f" % t for t in times), "ms; max %.1f ms" % max(times))
sys.exit(0 if ok else 1)
PY
wd_before=$(pings)
t0=${EPOCHREALTIME/./}
lat() { "$PY" "$TMP/lat.py" "$LIMIT_MS" "$RUNS" "$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" "$@"; }
out=$(lat stats) || fail "root's stats under attack: $out"
log "root's pcfctl stats under attack: $out"
out=$(lat flow add src 198.18.250.{i} action drop) || fail "root's flow add under attack: $out"
log "root's pcfctl flow add under attack: $out"
ctl -j flow show >"$TMP/show.json" || fail "root's dump under attack: $(cat "$TMP/show.json")"
[ "$(json 'len(j)' <"$TMP/show.json")" = $((N + RUNS)) ] || fail "root's dump is not whole"
log "root's flow show: $((N + RUNS)) rules, whole"
kill -0 $hostile || fail "the attack ended before the measure did: $(cat "$TMP/hostile.out")"
wait $hostile
wd=$(($(pings) - wd_before))
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
log "hostile: $(tail -n 1 "$TMP/hostile.out")"
# one every 200 ms: at least half of them while the attack went on
[ "$wd" -ge $((ms / 400)) ] || fail "$wd WATCHDOG=1 in $ms ms under attack: $(tail -n 3 "$TMP/pcfd.log")"
log "$wd WATCHDOG=1 in the $ms ms of the attack"
grep -q "EBUSY" "$TMP/hostile.out" || fail "no hostile dump was refused: $(cat "$TMP/hostile.out")"

log "a main loop that stands still gets no WATCHDOG=1"
kill -STOP $PCFD_PID
sleep 1
kill -CONT $PCFD_PID
# the service manager is told why the next one does not come
withheld() { grep -q "STATUS=pcfd: [^=]*late: WATCHDOG=1 withheld" "$TMP/notify.txt"; }
wait_for 5 withheld || fail "pcfd did not say it stood still: $(tail -n 5 "$TMP/notify.txt")"
log "$(grep -o "STATUS=pcfd: [^=]*: WATCHDOG=1 withheld" "$TMP/notify.txt" | head -n1)"
# and pings again once it turns
n=$(pings)
more() { [ "$(pings)" -gt "$n" ]; }
wait_for 5 more || fail "no WATCHDOG=1 after the stall"
log "pass"
