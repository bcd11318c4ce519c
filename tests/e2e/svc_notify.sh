#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_notify: what the real pcfd tells a service manager, read from a
# NOTIFY_SOCKET receiver of this test (no systemd needed):
#  - READY=1 comes only once XDP is attached and the workers run (at the
#    moment it arrives, the veth has pcf's program and pcfctl lists the
#    workers); a pcfd that cannot attach never sends it;
#  - STATUS= with interfaces, rules and packets/s, again on a stats tick;
#  - WATCHDOG=1 at the period WATCHDOG_USEC asks (half of it), sent while
#    the workers' heartbeats move;
#  - SIGHUP: RELOADING=1, the changed configuration applied (the default
#    verdict and stats interval), then READY=1 again;
#  - SIGTERM: STOPPING=1 and a clean exit;
#  - the rules file is applied at start, and again on a restart without
#    doubling a rule (flow add replaces a rule with the same match);
#  - a bad configuration file, or rules file, is refused with FILE:LINE
#    and exit status 2 before anything is touched: no pin directory, no
#    XDP.
. "$(dirname "$0")/../lib/common.sh"
need_root
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"

netns_add n >/dev/null # not in $(...): the cleanup must see it
NS=pcf${ID}n IF_A=p${ID}a IF_B=p${ID}b
veth_add "$NS" $IF_A "$NS" $IF_B
CTL_PORT=$(( 0x70670000 + 0x$ID ))
SOCK=$TMP/notify.sock
ctl() { "$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" "$@"; }

# The receiver: one line per datagram, "<ms> <fields>", the ms since it
# started by the kernel's clock when the datagram was sent (SO_TIMESTAMP:
# the receiver's own delays do not move them), and on READY=1 what the lab
# looked like at that moment (XDP on IF_A? workers?).  It stops after
# STOPPING=1, or after PCF_TEST_END=1, which the test sends once pcfd is
# gone: every datagram pcfd sent is read before it.
cat >"$TMP/recv.py" <<'PY'
import socket, struct, subprocess, sys, time
path, out, ns, ifname, pcfctl, port = sys.argv[1:7]
SO_TIMESTAMP = getattr(socket, "SO_TIMESTAMP", 29)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
t0 = time.time()
s.bind(path)
s.settimeout(60)
with open(out, "w", buffering=1) as f:
    f.write("listening\n")
    while True:
        try:
            data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16))
        except socket.timeout:
            break
        msg, sent = data.decode(), time.time()
        for lvl, typ, val in anc:
            if (lvl, typ) == (socket.SOL_SOCKET, SO_TIMESTAMP):
                sec, usec = struct.unpack("@ll", val[:struct.calcsize("@ll")])
                sent = sec + usec / 1e6
        f.write("%d %s\n" % (max(0, sent - t0) * 1000, msg.replace("\n", " | ")))
        if "READY=1" in msg and "RELOADING" not in msg:
            link = subprocess.run(["ip", "-n", ns, "-d", "link", "show", ifname],
                                  capture_output=True, text=True).stdout
            st = subprocess.run([pcfctl, "-n", ns, "--ctl-port", port, "-j", "stats"],
                                capture_output=True, text=True).stdout
            f.write("at-ready xdp=%s stats=%s\n" % ("prog/xdp" in link, st.strip()))
        if "STOPPING=1" in msg or "PCF_TEST_END=1" in msg:
            break
PY
: >"$TMP/notify.txt"
# notify_end SOCKET: the datagram that ends the receiver on SOCKET (none
# when it is gone already, after STOPPING=1)
notify_end() {
	python3 -c 'import socket, sys
try:
    socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"PCF_TEST_END=1", sys.argv[1])
except ConnectionRefusedError:
    pass' "$1"
}
python3 "$TMP/recv.py" "$SOCK" "$TMP/notify.txt" "$NS" $IF_A "$PCFCTL" "$CTL_PORT" &
rpid=$!
track $rpid
wait_for 5 grep -q listening "$TMP/notify.txt" || fail "the receiver did not start"

cat >"$TMP/rules.batch" <<RULES
# applied at start
flow add dst 198.18.0.10 proto udp dport 10 action drop
flow add dst 198.18.0.11 action redirect ttl-delta -1
RULES
cat >"$TMP/pcfd.conf" <<CONF
# the test's configuration
interface = $IF_A
pin-dir = $PIN_DIR
ctl-port = $CTL_PORT
default = pass
stats-interval = 1
rules-file = $TMP/rules.batch
CONF

log "pcfd under a NOTIFY_SOCKET, WATCHDOG_USEC=600000"
# exec keeps the pid: WATCHDOG_PID names pcfd itself, as systemd sets it
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=600000 \
	sh -c 'export WATCHDOG_PID=$$; exec nsenter --net=/run/netns/"$0" "$1" -f -c "$2" --queues 1' \
	"$NS" "$PCFD" "$TMP/pcfd.conf" >"$TMP/pcfd.log" 2>&1 &
pid=$!
track $pid
wait_for 10 grep -q 'READY=1' "$TMP/notify.txt" ||
	fail "no READY=1: $(cat "$TMP/notify.txt" "$TMP/pcfd.log")"
wait_for 5 grep -q '^at-ready' "$TMP/notify.txt" || fail "the receiver did not look"
at=$(grep -m1 '^at-ready' "$TMP/notify.txt")
[[ $at == "at-ready xdp=True "* ]] || fail "READY=1 before XDP was attached: $at"
n=$(sed 's/^at-ready xdp=True stats=//' <<<"$at" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))')
[ "$n" -ge 1 ] || fail "READY=1 with no worker running: $at"
log "READY=1 with XDP on $IF_A and $n worker(s) running"
grep -m1 'READY=1' "$TMP/notify.txt" | grep -q 'STATUS=pcfd: 1 interfaces (p'"$ID"'a), 2 rules, 1 workers, [0-9]* packets/s' ||
	fail "READY=1 came without the STATUS= line: $(grep -m1 READY=1 "$TMP/notify.txt")"

ctl flow add dst 198.18.0.9 proto udp dport 9 action drop >/dev/null || fail "flow add"
wait_for 5 grep -q '^[0-9]* STATUS=pcfd: 1 interfaces .*, 3 rules, 1 workers, [0-9]* packets/s' "$TMP/notify.txt" ||
	fail "no STATUS= on a stats tick: $(tail -n 5 "$TMP/notify.txt")"
log "$(grep -m1 '^[0-9]* STATUS=' "$TMP/notify.txt")"

# WATCHDOG=1 every 300 ms (half of WATCHDOG_USEC): 7 of them, sent 300 ms
# apart on the average (at most 400 ms, by the kernel's times of sending)
wait_for 10 lines_ge "$TMP/notify.txt" 'WATCHDOG=1' 7 ||
	fail "$(grep -c WATCHDOG=1 "$TMP/notify.txt") WATCHDOG=1 in 10 s: $(grep -c . "$TMP/notify.txt") datagrams; log: $(cat "$TMP/pcfd.log")"
read -r mean max < <(awk '/^[0-9]+ WATCHDOG=1/ && n < 7 { t[n++] = $1 }
	END { for (i = 1; i < n; i++) if (t[i] - t[i - 1] > max) max = t[i] - t[i - 1]
	      printf "%d %d\n", (t[n - 1] - t[0]) / (n - 1), max }' "$TMP/notify.txt")
[ "$mean" -le 400 ] ||
	fail "WATCHDOG=1 every $mean ms on the average, not 300: $(grep WATCHDOG=1 "$TMP/notify.txt" | head -n 7 | tr '\n' ' ')"
log "7 WATCHDOG=1, every $mean ms on the average, the longest gap $max ms"

log "SIGHUP: default drop, stats-interval 2 from the file"
sed -i 's/^default = pass/default = drop/; s/^stats-interval = 1/stats-interval = 2/' "$TMP/pcfd.conf"
kill -HUP $pid
wait_for 5 grep -q 'RELOADING=1' "$TMP/notify.txt" || fail "no RELOADING=1"
wait_for 5 sh -c "grep -A100 RELOADING=1 '$TMP/notify.txt' | grep -q 'READY=1'" ||
	fail "no READY=1 after RELOADING=1"
wait_for 5 grep -q 'reloaded: default drop, stats-interval 2 s' "$TMP/pcfd.log" ||
	fail "the new configuration was not applied: $(tail -n 5 "$TMP/pcfd.log")"
log "$(grep -m1 RELOADING=1 "$TMP/notify.txt")"

log "a bad file on SIGHUP is refused, pcfd keeps running"
echo "queue = 2" >>"$TMP/pcfd.conf"
kill -HUP $pid
wait_for 5 grep -q "pcfd.conf:8: unknown key 'queue'" "$TMP/pcfd.log" ||
	fail "no FILE:LINE for the bad reload: $(tail -n 5 "$TMP/pcfd.log")"
kill -0 $pid || fail "pcfd died on a bad reload"
ctl flow show >/dev/null || fail "pcfd does not answer after a bad reload"

log "SIGTERM: STOPPING=1, a clean exit"
# the receiver asks pcfd for its stats after each READY=1: let it have
# the answer before pcfd stops
ready_seen() {
	[ "$(grep -c '^[0-9]* READY=1' "$TMP/notify.txt")" = \
		"$(grep -c '^at-ready' "$TMP/notify.txt")" ]
}
wait_for 5 ready_seen || fail "the receiver did not look after READY=1"
kill -TERM $pid
wait $pid || fail "pcfd exited $?: $(tail -n 5 "$TMP/pcfd.log")"
# pcfd sent STOPPING=1 before it exited; the receiver may not have read it
# yet (it may still be busy with the last READY=1's pcfctl): wait for it
wait_for 10 grep -q 'STOPPING=1' "$TMP/notify.txt" ||
	fail "no STOPPING=1: $(tail -n 3 "$TMP/notify.txt")"
wait $rpid

log "a restart applies the rules file again: replaced, not doubled"
sed -i '/^queue = 2$/d' "$TMP/pcfd.conf"
# nsenter itself, not the in_ns function: $! must be pcfd's pid
nsenter --net=/run/netns/"$NS" "$PCFD" -f -c "$TMP/pcfd.conf" >>"$TMP/pcfd.log" 2>&1 &
pid=$!
track $pid
wait_for 10 ctl flow show >/dev/null 2>&1 || fail "pcfd did not restart: $(tail -n 5 "$TMP/pcfd.log")"
ctl flow show >"$TMP/flows"
[ "$(wc -l <"$TMP/flows")" = 3 ] || fail "after the restart: $(cat "$TMP/flows")"
grep -q '^id 2 .*dst 198.18.0.11 action redirect ttl-delta -1' "$TMP/flows" ||
	fail "the rules file's rule changed id: $(cat "$TMP/flows")"
kill -TERM $pid
wait $pid || fail "pcfd exited $?"
in_ns "$NS" "$PCFD" --unload -i $IF_A --pin-dir "$PIN_DIR" >/dev/null 2>&1

log "a pcfd that cannot attach never says READY=1"
: >"$TMP/notify2.txt"
python3 "$TMP/recv.py" "$SOCK.2" "$TMP/notify2.txt" "$NS" $IF_A "$PCFCTL" "$CTL_PORT" &
rpid=$!
track $rpid
wait_for 5 grep -q listening "$TMP/notify2.txt" || fail "the receiver did not start"
NOTIFY_SOCKET=$SOCK.2 nsenter --net=/run/netns/"$NS" "$PCFD" -f -i nosuch$ID \
	--pin-dir "$PIN_DIR" --ctl-port "$CTL_PORT" >"$TMP/pcfd2.log" 2>&1 &&
	fail "pcfd ran on an interface that does not exist"
# pcfd is gone: the end marker comes after anything it sent
notify_end "$SOCK.2"
wait_exit 10 $rpid || fail "the receiver did not get to the end: $(cat "$TMP/notify2.txt")"
wait $rpid
! grep -q 'READY=1' "$TMP/notify2.txt" || fail "READY=1 without XDP attached: $(cat "$TMP/notify2.txt")"
rm -rf "$PIN_DIR"

log "a bad configuration file: FILE:LINE, exit 2, nothing touched"
cat >"$TMP/bad.conf" <<CONF
interface = $IF_A
pin-dir = $PIN_DIR
rx-mode = sometimes
CONF
in_ns "$NS" "$PCFD" -f -c "$TMP/bad.conf" --ctl-port "$CTL_PORT" >"$TMP/bad.out" 2>&1
rc=$?
[ $rc = 2 ] || fail "exit status $rc, not 2: $(cat "$TMP/bad.out")"
grep -q "bad.conf:3: --rx-mode is poll, interrupt or adaptive: sometimes" "$TMP/bad.out" ||
	fail "no FILE:LINE in: $(cat "$TMP/bad.out")"
printf 'interface = %s\npin-dir = %s\n\nbogus line\n' $IF_A "$PIN_DIR" >"$TMP/bad2.conf"
in_ns "$NS" "$PCFD" -f -c "$TMP/bad2.conf" >"$TMP/bad2.out" 2>&1
rc=$?
[ $rc = 2 ] || fail "exit status $rc, not 2: $(cat "$TMP/bad2.out")"
grep -q "bad2.conf:4: " "$TMP/bad2.out" || fail "no FILE:LINE in: $(cat "$TMP/bad2.out")"
printf 'flow add dst 198.18.0.1 action drop\nflow add dst 198.18.0.2 action sometimes\n' >"$TMP/bad.batch"
in_ns "$NS" "$PCFD" -f -i $IF_A --pin-dir "$PIN_DIR" --rules-file "$TMP/bad.batch" >"$TMP/bad3.out" 2>&1
rc=$?
[ $rc = 2 ] || fail "exit status $rc, not 2: $(cat "$TMP/bad3.out")"
grep -q "bad.batch:2: " "$TMP/bad3.out" || fail "no FILE:LINE in: $(cat "$TMP/bad3.out")"
[ ! -e "$PIN_DIR" ] || fail "the pin directory was created"
ip -n "$NS" -d link show $IF_A | grep -q 'prog/xdp' && fail "XDP attached"
log "$(cat "$TMP/bad.out")"
log "$(cat "$TMP/bad2.out")"
log "$(cat "$TMP/bad3.out")"
log PASS
