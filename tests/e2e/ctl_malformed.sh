#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# ctl_malformed: raw datagrams that break the protocol in every way the
# policy knows (and random bytes) get the right NLMSG_ERROR, with the
# extended ack's message, attribute offset or missing type, or nothing
# when there is no header to answer; pcfd stays alive and keeps answering.
. "$(dirname "$0")/ctl_env.bash"

start_pcfd

cat >"$TMP/raw.py" <<'PY'
import errno, os, random, socket, struct, sys

PORT = int(sys.argv[1])
TYPE = 0x60                     # PCF_GENL_TYPE
REQ, ACK, DUMP = 0x1, 0x4, 0x300
FLOW_NEW, FLOW_GET = 1, 3
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
s.bind((0, 0))
s.settimeout(2)
seq = 100

def attr(typ, payload):
    a = struct.pack("=HH", 4 + len(payload), typ) + payload
    return a + b"\0" * (-len(a) % 4)

def msg(cmd, attrs=b"", flags=REQ | ACK, typ=TYPE, version=1):
    global seq
    seq += 1
    body = struct.pack("=BBH", cmd, version, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), typ, flags, seq, 0) + body

def replies(wait=2):
    s.settimeout(wait)
    out = []
    while True:
        try:
            data = s.recv(65536)
        except socket.timeout:
            return out
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, sq, _ = struct.unpack_from("=IHHII", data, off)
            out.append((typ, flags, sq, data[off + 16:off + ln]))
            off += (ln + 3) & ~3
        if out and out[-1][0] in (2, 3):
            return out

def error_of(r):
    typ, flags, sq, body = r
    assert typ == 2, "not an NLMSG_ERROR: %r" % (r,)
    err = struct.unpack_from("=i", body)[0]
    tlv = {}
    off = 4 + 16                # capped: the request header only
    while off + 4 <= len(body):
        ln, t = struct.unpack_from("=HH", body, off)
        tlv[t] = body[off + 4:off + ln]
        off += (ln + 3) & ~3
    text = tlv.get(1, b"").rstrip(b"\0").decode()
    offs = struct.unpack("=I", tlv[2])[0] if 2 in tlv else None
    miss = struct.unpack("=I", tlv[5])[0] if 5 in tlv else None
    return err, text, offs, miss

def expect(name, data, err, text_part, offs=None, miss=None, wait=2):
    s.settimeout(wait)
    s.sendto(data, (PORT, 0))
    r = replies(wait)
    assert len(r) == 1, "%s: %d replies" % (name, len(r))
    e, t, o, m = error_of(r[0])
    assert e == -err, "%s: error %d, not %d (%s)" % (name, e, -err, t)
    assert text_part in t, "%s: message %r" % (name, t)
    assert offs is None or o == offs, "%s: offset %r, not %r" % (name, o, offs)
    assert miss is None or m == miss, "%s: missing type %r" % (name, m)
    print("ok", name, "->", t)

def expect_silence(name, data):
    s.sendto(data, (PORT, 0))
    r = replies(0.3)
    assert not r, "%s: answered %r" % (name, r)
    print("ok", name, "-> no answer")

action = attr(5 | 0x8000, attr(1, struct.pack("=I", 0)))
expect_silence("three bytes", b"abc")
expect_silence("length past the datagram", struct.pack("=IHHII", 1000, TYPE, REQ | ACK, 1, 0))
expect("oversized datagram", msg(FLOW_GET) + b"\0" * 70000, errno.EMSGSIZE,
       "bigger than pcfd reads")
expect_silence("an NLMSG_NOOP", struct.pack("=IHHII", 16, 1, REQ | ACK, 1, 0))
expect("truncated genetlink header",
       struct.pack("=IHHII", 18, TYPE, REQ | ACK, 7, 0) + b"\1\1", errno.EINVAL,
       "truncated genetlink header")
expect("another family", msg(FLOW_GET, typ=0x99), errno.EOPNOTSUPP, "not the pcf family")
expect("unknown command", msg(99), errno.EOPNOTSUPP, "unknown command")
expect("other version", msg(FLOW_GET, version=9), errno.EPROTONOSUPPORT, "version")
bad = attr(3, struct.pack("=I", 1))
bad = struct.pack("=HH", 200, 3) + bad[4:]
expect("attribute past the end", msg(FLOW_NEW, bad + action), errno.EINVAL,
       "runs past the end", offs=20)
expect("prio out of range", msg(FLOW_NEW, attr(3, struct.pack("=I", 70000)) + action),
       errno.ERANGE, "out of range", offs=20)
expect("garbage in the match nest",
       msg(FLOW_NEW, action + attr(4 | 0x8000, b"\x05\x00\x07\x00zzzz")),
       errno.EINVAL, "match", offs=20 + len(action) + 4)
expect("no action", msg(FLOW_NEW, attr(3, struct.pack("=I", 1))), errno.EINVAL,
       "needs attribute action", miss=5)
expect("dump of a command without dump", msg(FLOW_NEW, action, flags=REQ | ACK | DUMP),
       errno.EOPNOTSUPP, "no dump")
expect("nonsense rule", msg(FLOW_NEW, attr(5 | 0x8000, attr(1, struct.pack("=I", 1)) +
                                      attr(6, struct.pack("=I", 9)))),
       errno.EINVAL, "dropped packet cannot")

# two requests in one datagram are both answered
s.sendto(msg(FLOW_GET, flags=REQ | ACK | DUMP) + msg(77), (PORT, 0))
r = replies()
r += replies() if r and r[-1][0] == 3 else []
kinds = [x[0] for x in r]
assert 3 in kinds and kinds[-1] == 2, "two in one: %r" % kinds
print("ok two requests in one datagram")

rnd = random.Random(int(sys.argv[2]))
for i in range(300):
    n = rnd.randrange(1, 200)  # the kernel refuses an empty datagram
    blob = bytes(rnd.randrange(256) for _ in range(n))
    if i % 2:   # a plausible header in front of random attributes
        blob = msg(rnd.randrange(0, 7), blob, flags=REQ)
    s.sendto(blob, (PORT, 0))
    replies(0.01)
print("ok 300 random datagrams sent")

# a client that never reads its replies cannot stall pcfd: flood it from a
# second socket, then ask from the first
lazy = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
lazy.bind((0, 0))
lazy.setblocking(False)
for i in range(3000):
    try:
        lazy.sendto(msg(FLOW_GET, flags=REQ | ACK | DUMP), (PORT, 0))
    except BlockingIOError:
        pass
expect("asking after a flood", msg(99), errno.EOPNOTSUPP, "unknown command",
       wait=10)
PY

log "malformed requests"
in_ns "$NS" "$PY" "$TMP/raw.py" "$CTL_PORT" "$RANDOM" || fail "raw.py"
kill -0 "$PCFD_PID" || fail "pcfd died"
id=$(ctl flow add src 198.18.0.9 action drop) || fail "pcfd does not answer any more"
ctl flow show | grep -q "^id $id " || fail "flow show after the garbage"
log "pass"
