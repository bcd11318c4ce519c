#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_access: who may do what on the control channel, judged as the
# kernel's netlink_net_capable() would, from kernel-verified credentials.
# An unprivileged user reads (flow show, stats) but cannot change rules
# (EPERM with a message); neither can "root" of a child user namespace,
# nor one in a child pid namespace, nor a sender that exits before pcfd
# looks at it, nor one that runs a setuid program after sending; a
# non-root process with CAP_NET_ADMIN can.  A process squatting a port id
# cannot make pcfctl believe it is pcfd; pcfd names the squatter when the
# port id it wants is taken.
. "$(dirname "$0")/ctl_env.bash"

# -v: pcfd logs why it refused a sender (the setuid case reads it)
start_pcfd -v
ctl flow add src 198.18.0.1 action drop >/dev/null || fail "flow add as root"

# nobody, in pcfd's namespace (-n needs CAP_SYS_ADMIN, so nsenter first)
as_nobody() {
	nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all \
		"$PCFCTL" --ctl-port "$CTL_PORT" "$@"
}

log "an unprivileged user reads but cannot change"
as_nobody flow show | grep -q '^id 1 ' || fail "flow show as nobody"
as_nobody -j stats | json "'pass' in j['xdp']" | grep -qx True || fail "stats as nobody"
expect_fail 1 "needs root or CAP_NET_ADMIN (uid 65534 has neither)" as_nobody flow add src 198.18.0.2 action drop
expect_fail 1 "needs root or CAP_NET_ADMIN" as_nobody flow del id 1
expect_fail 1 "needs root or CAP_NET_ADMIN" as_nobody flow flush
[ "$(ctl -j flow show | json 'len(j)')" = 1 ] || fail "nobody changed the rules"
ctl flow show >"$TMP/table"

log "root of a child user namespace (unshare -Ur) is nobody here"
# in there pcfd's uid 0 has no mapping: its replies read as uid 65534
as_userns_root() {
	nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 \
		--clear-groups unshare -Ur "$PCFCTL" --ctl-port "$CTL_PORT" \
		--ctl-uid 65534 "$@"
}
expect_fail 1 "CAP_NET_ADMIN only in another user namespace" \
	as_userns_root flow add src 198.18.0.2 action drop
expect_fail 1 "CAP_NET_ADMIN only in another user namespace" as_userns_root flow del id 1
expect_fail 1 "CAP_NET_ADMIN only in another user namespace" as_userns_root flow flush
log "$(cat "$TMP/err")"
[ "$(ctl flow show)" = "$(cat "$TMP/table")" ] || fail "child-userns root changed the rules"

log "the same in a child pid namespace too (unshare -Urpf: its pid is 1 there)"
expect_fail 1 "needs root or CAP_NET_ADMIN" nsenter --net=/run/netns/"$NS" \
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urpf \
	"$PCFCTL" --ctl-port "$CTL_PORT" --ctl-uid 65534 flow flush
log "$(cat "$TMP/err")"
[ "$(ctl flow show)" = "$(cat "$TMP/table")" ] || fail "child-pidns root changed the rules"

log "CAP_NET_ADMIN without root may change"
as_net_admin() {
	nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin "$@"
}
as_net_admin "$PCFCTL" --ctl-port "$CTL_PORT" flow add src 198.18.0.3 action drop \
	>/dev/null || fail "flow add with CAP_NET_ADMIN as uid 65534"
ctl flow del src 198.18.0.3 || fail "the CAP_NET_ADMIN rule is not there"

# send.py PORT MODE (run as python -c: uid 65534 cannot read $TMP): a raw FLOW_NEW (src 198.18.0.4 action drop) to pcfd,
# then: "exit" at once; "wait" for the answer and print its errno; "su"
# execs the setuid su (its stdin a fifo that never speaks), which keeps
# the sending socket open
cat >"$TMP/send.py" <<'PY'
import os, socket, struct, sys
port, mode = int(sys.argv[1]), sys.argv[2]
def attr(t, p):
    a = struct.pack("=HH", 4 + len(p), t) + p
    return a + b"\0" * (-len(a) % 4)
body = struct.pack("=BBH", 1, 1, 0) + attr(4 | 0x8000, attr(1, bytes([198, 18, 0, 4]))) \
    + attr(5 | 0x8000, attr(1, struct.pack("=I", 1)))
REQ, ACK, EXCL, CREATE = 1, 4, 0x200, 0x400
msg = struct.pack("=IHHII", 16 + len(body), 0x60, REQ | ACK | EXCL | CREATE, 1, 0) + body
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
s.bind((0, 0))
s.sendto(msg, (port, 0))
print("sent from pid", os.getpid(), flush=True)
if mode == "wait":
    s.settimeout(20)
    data = s.recv(65536)
    print("errno", -struct.unpack_from("=i", data, 16)[0], flush=True)
elif mode == "su":
    s.set_inheritable(True)
    os.execv("/usr/bin/su", ["su", "root", "-c", "true"])
PY

log "a sender that exits before pcfd looks at it is refused, even when"
log "its pid now names a CAP_NET_ADMIN process of the same uid"
# at_pid PID CMD...: run CMD (in the background) as process PID, by
# setting ns_last_pid before a fork; other processes may fork meanwhile,
# so try again a few times.  Prints PID when it worked.
cat >"$TMP/at_pid.py" <<'PY'
import os, sys
want, cmd = int(sys.argv[1]), sys.argv[2:]
for _ in range(50):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(want - 1))
    pid = os.fork()
    if pid == 0:
        if os.getpid() == want:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.execvp(cmd[0], cmd)
        os._exit(3)
    if pid == want:
        print(pid)
        sys.exit(0)
    os.waitpid(pid, 0)
sys.exit(1)
PY
kill -STOP "$PCFD_PID"
# another process of the machine may take the pid first: a new sender then
for try in 1 2 3 4 5; do
	as_net_admin "$PY" -c "$(cat "$TMP/send.py")" "$CTL_PORT" exit >"$TMP/exit.out" 2>&1 ||
		{ kill -CONT "$PCFD_PID"; fail "send.py: $(cat "$TMP/exit.out")"; }
	gone=$(sed -n 's/^sent from pid //p' "$TMP/exit.out")
	reborn=$("$PY" "$TMP/at_pid.py" "$gone" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin sleep 60) && break
	log "pid $gone was taken by another process (try $try)"
done
[ -n "$reborn" ] || { kill -CONT "$PCFD_PID"; fail "cannot start a process as pid $gone"; }
track "$reborn"
# it runs as uid 65534 once setpriv, which it execs, has switched
wait_for 5 grep -q "^Uid:[[:space:]]*65534[[:space:]]" /proc/"$reborn"/status ||
	{ kill -CONT "$PCFD_PID"; fail "pid $reborn is not uid 65534"; }
# the same sender, waiting for its answer: accepted (the test's control)
as_net_admin "$PY" -c "$(cat "$TMP/send.py")" "$CTL_PORT" wait >"$TMP/wait.out" 2>&1 &
waiter=$!
track $waiter
wait_for 10 grep -q sent "$TMP/wait.out" 2>/dev/null ||
	{ kill -CONT "$PCFD_PID"; fail "waiter: $(cat "$TMP/wait.out")"; }
kill -CONT "$PCFD_PID"
wait $waiter || fail "waiter: $(cat "$TMP/wait.out")"
grep -qx "errno 0" "$TMP/wait.out" || fail "the waiting sender was refused: $(cat "$TMP/wait.out")"
# pcfd serves in order: the waiter's rule is there, once; the first
# request (the same rule) was refused, not taken for the new pid $reborn
[ "$(ctl flow show | grep -c 'src 198.18.0.4 action drop')" = 1 ] ||
	fail "not one rule of the waiting sender: $(ctl flow show)"
grep -q "pid $gone does not hold the socket" "$TMP/pcfd.log" ||
	fail "pcfd did not refuse the sender that exited: $(tail -n 5 "$TMP/pcfd.log")"
log "$(grep -m1 "pid $gone does not hold the socket" "$TMP/pcfd.log")"
kill -9 "$reborn"
ctl flow del src 198.18.0.4 || fail "del"

log "a sender that runs a setuid program after sending is refused"
mkfifo "$TMP/fifo"
exec 9<>"$TMP/fifo" # su reads it and waits: keep it open, write nothing
kill -STOP "$PCFD_PID"
nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PY" -c "$(cat "$TMP/send.py")" "$CTL_PORT" su <"$TMP/fifo" >"$TMP/su.out" 2>&1 &
su_pid=$!
track $su_pid
# su has taken over the sender's pid and its socket
su_ready() {
	[ "$(cat /proc/$su_pid/comm 2>/dev/null)" = su ] &&
		ls -l /proc/$su_pid/fd 2>/dev/null | grep -q socket
}
wait_for 10 su_ready || { kill -CONT "$PCFD_PID"; fail "su did not start: $(cat "$TMP/su.out")"; }
grep -q "^Uid:.*65534.*0" /proc/$su_pid/status ||
	{ kill -CONT "$PCFD_PID"; fail "su is not setuid here: $(grep Uid /proc/$su_pid/status)"; }
kill -CONT "$PCFD_PID"
[ "$(ctl flow show)" = "$(cat "$TMP/table")" ] || fail "the setuid sender changed the rules"
grep -q "pid $su_pid runs with other uids" "$TMP/pcfd.log" ||
	fail "pcfd did not refuse su for its uids: $(tail -n 5 "$TMP/pcfd.log")"
log "$(grep -m1 "pid $su_pid runs with other uids" "$TMP/pcfd.log")"
kill -9 $su_pid
wait $su_pid 2>/dev/null
exec 9>&-

log "a squatter on a port id cannot fake pcfd's answers"
SQUAT_PORT=$((CTL_PORT + 0x10000))
cat >"$TMP/squat.py" <<'PY'
# Bind NETLINK_USERSOCK at port argv[1], print "ready", and answer every
# request with a success ack (NLMSG_ERROR, error 0), for argv[2] seconds.
import socket, struct, sys, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
s.bind((int(sys.argv[1]), 0))
print("ready", flush=True)
s.settimeout(0.2)
end = time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        data, (port, _) = s.recvfrom(65536)
    except socket.timeout:
        continue
    length, typ, flags, seq, pid = struct.unpack_from("=IHHII", data)
    ack = struct.pack("=IHHII", 36, 2, 0x100, seq, 0) + struct.pack("=i", 0) + data[:16]
    s.sendto(ack, (port, 0))
PY
nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PY" - "$SQUAT_PORT" 60 <"$TMP/squat.py" >"$TMP/squat.out" 2>&1 &
track $!
wait_for 10 grep -q ready "$TMP/squat.out" || fail "squatter did not start: $(cat "$TMP/squat.out")"
# the check is what refuses: trusting uid 65534 makes the fake ack pass
"$PCFCTL" -n "$NS" --ctl-port "$SQUAT_PORT" --ctl-uid 65534 flow flush ||
	fail "the squatter does not answer like a daemon: the test proves nothing"
# skipped, not believed: pcfctl waits its 10 s for pcfd, then says why
expect_fail 1 "did not answer within 10 s; skipped 1 datagram not from pcfd .*pid [0-9]*, uid 65534" \
	"$PCFCTL" -n "$NS" --ctl-port "$SQUAT_PORT" flow flush
log "$(cat "$TMP/err")"

log "pcfd says who squats the port id it wants, and exits non-zero"
expect_fail 1 "is taken by pid [0-9]* (python3" in_ns "$NS" "$PCFD" -f \
	-i "$IF_A" --pin-dir "$PIN_DIR" --ctl-port "$SQUAT_PORT"

log "pass"
