#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_mirror: pcfd refuses a mirror it cannot honour.  `mirror IFNAME`
# where no pcfd worker runs would lose every copy, so flow add and flow
# replace refuse it with a reason and what to do (the offending attribute
# named in the extended ack), and the table stays as it was; a mirror to
# an interface pcfd's workers run on is taken.  A rules file with such a
# mirror is refused whole at start.
. "$(dirname "$0")/ctl_env.bash"

# the rules as pcfd showed them last (pcfd stopped: the saved listing)
ctl_offline_rules() { cat "$TMP/rules.last"; }

start_pcfd
n=$(ctl -j stats | json "len([w for w in j['workers'] if w['ifname'] == '$IF_A'])")
[ "$n" -ge 1 ] || fail "no worker on $IF_A: $(ctl stats)"

log "a mirror to $IF_B (no worker there) is refused"
expect_fail 1 "mirror $IF_B: no pcfd worker runs on it, so every copy would be lost: .*start pcfd with -i $IF_B too" \
	ctl flow add dst 198.18.2.1 proto udp dport 5031 action redirect mirror "$IF_B"
log "$(cat "$TMP/err")"
expect_fail 1 "mirror lo: no pcfd worker runs on it" \
	ctl flow add dst 198.18.2.1 action redirect mirror lo
[ "$(ctl -j flow show)" = "[]" ] || fail "a refused mirror left a rule: $(ctl flow show)"

log "a mirror to $IF_A (pcfd's worker) is taken; replace cannot move it to $IF_B"
id=$(ctl flow add dst 198.18.2.1 proto udp dport 5031 action redirect mirror "$IF_A") ||
	fail "flow add mirror $IF_A"
ctl flow show >"$TMP/before"
grep -q "^id $id .* mirror $IF_A" "$TMP/before" || fail "the rule: $(cat "$TMP/before")"
expect_fail 1 "mirror $IF_B: no pcfd worker runs on it" \
	ctl flow replace dst 198.18.2.1 proto udp dport 5031 action redirect mirror "$IF_B"
[ "$(ctl flow show)" = "$(cat "$TMP/before")" ] || fail "replace changed the rule: $(ctl flow show)"
ctl flow show >"$TMP/rules.last"

log "the extended ack points at the mirror attribute"
cat >"$TMP/raw.py" <<'PY'
import socket, struct, sys
port, ifindex = int(sys.argv[1]), int(sys.argv[2])
def attr(t, p):
    a = struct.pack("=HH", 4 + len(p), t) + p
    return a + b"\0" * (-len(a) % 4)
action = attr(1, struct.pack("=I", 2)) + attr(7, struct.pack("=I", ifindex))
body = struct.pack("=BBH", 1, 1, 0) + attr(4 | 0x8000, attr(3, bytes([198, 18, 2, 2]))) \
    + attr(5 | 0x8000, action)
msg = struct.pack("=IHHII", 16 + len(body), 0x60, 0x605, 9, 0) + body
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
s.bind((0, 0))
s.settimeout(5)
s.sendto(msg, (port, 0))
data = s.recv(65536)
err = struct.unpack_from("=i", data, 16)[0]
off, tlv = 16 + 4 + 16, {}
while off + 4 <= len(data):
    ln, t = struct.unpack_from("=HH", data, off)
    tlv[t] = data[off + 4:off + ln]
    off += (ln + 3) & ~3
at = struct.unpack("=I", tlv[2])[0]
# the mirror attribute: its type at the offset the ack names
print(err, struct.unpack_from("=H", msg, at + 2)[0], tlv[1].rstrip(b"\0").decode())
PY
ifindex=$(cat /sys/class/net/lo/ifindex)
got=$(in_ns "$NS" "$PY" "$TMP/raw.py" "$CTL_PORT" "$ifindex") || fail "raw request: $got"
[[ $got == "-19 7 mirror lo: no pcfd worker runs on it"* ]] || fail "the ack: $got"
log "ack: $got"

log "a rules file with a mirror to $IF_B: refused whole at start"
kill -TERM "$PCFD_PID"
wait "$PCFD_PID"
printf 'flow add dst 198.18.2.1 proto udp dport 6000 action drop\nflow add dst 198.18.2.1 proto udp dport 5032 action redirect mirror %s\n' \
	"$IF_B" >"$TMP/mirror.rules"
before=$(ctl_offline_rules)
nsenter --net=/run/netns/"$NS" "$PCFD" -f -i "$IF_A" --pin-dir "$PIN_DIR" \
	--ctl-port "$CTL_PORT" --rules-file "$TMP/mirror.rules" >"$TMP/start.log" 2>&1 &&
	fail "pcfd started with the file: $(cat "$TMP/start.log")"
grep -q "mirror.rules:2: flow add .* mirror $IF_B: mirror $IF_B: no pcfd worker runs on it.*; nothing of .* was applied" "$TMP/start.log" ||
	fail "pcfd said: $(cat "$TMP/start.log")"
log "$(grep "mirror.rules:2" "$TMP/start.log")"
start_pcfd
[ "$(ctl flow show)" = "$before" ] || fail "the file was applied in part: $(ctl flow show)"
log "pass"
