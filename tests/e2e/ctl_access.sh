#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_access: who may do what on the control channel, from kernel-verified
# credentials.  An unprivileged user reads (flow show, stats) but cannot
# change rules (EPERM with a message); a process squatting a port id
# cannot make pcfctl believe it is pcfd; pcfd names the squatter when the
# port id it wants is taken.
. "$(dirname "$0")/ctl_env.bash"
command -v setpriv >/dev/null || skip "needs setpriv"

start_pcfd
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
expect_fail 1 "needs root or CAP_NET_ADMIN (uid 65534" as_nobody flow add src 198.18.0.2 action drop
expect_fail 1 "needs root or CAP_NET_ADMIN" as_nobody flow del id 1
expect_fail 1 "needs root or CAP_NET_ADMIN" as_nobody flow flush
[ "$(ctl -j flow show | json 'len(j)')" = 1 ] || fail "nobody changed the rules"

log "CAP_NET_ADMIN without root may change"
nsenter --net=/run/netns/"$NS" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin \
	"$PCFCTL" --ctl-port "$CTL_PORT" flow add src 198.18.0.3 action drop \
	>/dev/null || fail "flow add with CAP_NET_ADMIN as uid 65534"
ctl flow del src 198.18.0.3 || fail "the CAP_NET_ADMIN rule is not there"

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
expect_fail 1 "refusing a reply from port id .*uid 65534" \
	"$PCFCTL" -n "$NS" --ctl-port "$SQUAT_PORT" flow flush

log "pcfd says who squats the port id it wants, and exits non-zero"
expect_fail 1 "is taken by pid [0-9]* (python3" in_ns "$NS" "$PCFD" -f \
	-i "$IF_A" --pin-dir "$PIN_DIR" --ctl-port "$SQUAT_PORT"

log "pass"
