#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# http_access: who may change pcfd's rules over HTTP, and what no client
# can do to it, with curl and raw sockets as a hostile local user would:
#  - on the unix socket everyone reads (GET /flows, /stats, /metrics);
#    uid 65534 cannot change (403, with the control channel's reason),
#    nor can root of a child user namespace, nor a process that connected
#    as root and then became uid 65534 (judged at each request, not at
#    connect); a non-root process with CAP_NET_ADMIN can;
#  - over TCP nobody changes anything (403);
#  - two clients sending a request a byte a second and 40 connections
#    saying nothing: pcfctl and the netlink channel are served at once
#    meanwhile, HTTP clients beyond 32 connections are not, the others
#    are again when those close, and the slow requests are cut 15 s
#    after they began.
. "$(dirname "$0")/http_env.bash"
need_tool setpriv util-linux
need_tool unshare util-linux

start_fp "${HTTP_ARGS[@]}" --rule "dst 198.18.2.1 proto udp dport 5002 action drop"

# hostile.py MODE SOCK: slow (a request a byte a second: prints how long
# until pcfd cut it), hold N (N connections, silent, until stdin closes)
cat >"$TMP/hostile.py" <<'PY'
import socket, sys, time
mode, path = sys.argv[1], sys.argv[2]
if mode == "slow":
    t0 = time.time()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    req = b"GET /metrics HTTP/1.1\r\nHost: pcfd\r\nX-Slow: " + b"a" * 200
    try:
        for ch in req:
            s.send(bytes([ch]))
            time.sleep(1)
        print("not cut")
    except OSError:
        print("cut after %.0f s" % (time.time() - t0), flush=True)
elif mode == "hold":
    held = [socket.socket(socket.AF_UNIX) for _ in range(int(sys.argv[3]))]
    for s in held:
        s.connect(path)
    print("holding", flush=True)
    sys.stdin.read()
PY
for i in 1 2; do
	"$PY" "$TMP/hostile.py" slow "$SOCK" >"$TMP/slow.$i" 2>&1 &
	track $!
done
SLOW_START=$SECONDS

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
# as uid 65534, who cannot write in $TMP: the body and then the status
# on stdout, the shell (root) writes them
unpack() {
	sed '$d' "$TMP/out" >"$TMP/body"
	tail -n 1 "$TMP/out"
}
nreq() {
	as_nobody curl -sS --unix-socket "$SOCK" -w '\n%{http_code}' \
		-X "$1" ${3+--data-binary "$3"} "http://pcfd$2" >"$TMP/out"
	unpack
}
RULE='{"match": {"dst": "198.18.7.7"}, "action": {"type": "drop"}}'

log "uid 65534 reads, and cannot change"
for p in /flows /flows/1 /stats /metrics; do
	[ "$(nreq GET $p)" = 200 ] || fail "GET $p as uid 65534: $(head -c 300 "$TMP/body")"
done
[ "$(nreq POST /flows "$RULE")" = 403 ] || fail "POST as uid 65534: $(cat "$TMP/body")"
said "POST /flows changes the rules: it needs root or CAP_NET_ADMIN (uid 65534 has neither)"
[ "$(nreq DELETE /flows/1)" = 403 ] || fail "DELETE as uid 65534: $(cat "$TMP/body")"
[ "$(nreq PUT /flows/1 '{"match": {"dst": "198.18.2.1", "proto": "udp", "dport": 5002}, "action": {"type": "pass"}}')" = 403 ] ||
	fail "PUT as uid 65534: $(cat "$TMP/body")"
log "403: $(cat "$TMP/body")"

log "root of a child user namespace is nobody here"
as_nobody unshare -Ur curl -sS --unix-socket "$SOCK" -w '\n%{http_code}' \
	-X POST --data-binary "$RULE" http://pcfd/flows >"$TMP/out"
code=$(unpack)
[ "$code" = 403 ] || fail "POST as root of a child user namespace: $code $(cat "$TMP/body")"
said "CAP_NET_ADMIN only in another user namespace"

log "CAP_NET_ADMIN without root may change"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_admin \
	--ambient-caps=+net_admin curl -sS --unix-socket "$SOCK" \
	-w '\n%{http_code}' -X POST --data-binary "$RULE" http://pcfd/flows >"$TMP/out"
code=$(unpack)
[ "$code" = 201 ] || fail "POST with CAP_NET_ADMIN as uid 65534: $code $(cat "$TMP/body")"
expect 200 DELETE "/flows/$(body "j['id']")"

log "root connects, becomes uid 65534: its next request is refused"
"$PY" - "$SOCK" >"$TMP/drop.out" 2>&1 <<'PY' || fail "drop.py: $(cat "$TMP/drop.out")"
import os, socket, sys
def post(s, body):
    s.sendall(b"POST /flows HTTP/1.1\r\nHost: pcfd\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    n = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return head.split(b" ")[1].decode(), body.decode()
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print(*post(s, b'{"match": {"dst": "198.18.7.8"}, "action": {"type": "drop"}}'))
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
print(*post(s, b'{"match": {"dst": "198.18.7.9"}, "action": {"type": "drop"}}'))
PY
sed -n 1p "$TMP/drop.out" | grep -q '^201 ' || fail "root's first request: $(cat "$TMP/drop.out")"
grep -q '^403 .*uid 0: pid [0-9]* runs with other uids' "$TMP/drop.out" ||
	fail "after setuid: $(cat "$TMP/drop.out")"
log "$(grep '^403' "$TMP/drop.out")"
[ "$(ctl flow show | grep -c 'dst 198.18.7')" = 1 ] || fail "rules: $(ctl flow show)"

log "over TCP nobody changes anything"
for m in POST PUT DELETE; do
	p=/flows
	[ $m = POST ] || p=/flows/1
	[ "$(treq $m $p "$RULE")" = 403 ] || fail "$m $p over TCP: $(cat "$TMP/body")"
done
[ "$(treq GET /flows/1)" = 200 ] || fail "GET over TCP"

log "40 silent connections and two slow requests: netlink is served, HTTP beyond 32 is not"
mkfifo "$TMP/hold.in"
"$PY" "$TMP/hostile.py" hold "$SOCK" 40 <"$TMP/hold.in" >"$TMP/hold.out" 2>&1 &
holder=$!
track $holder
exec 7>"$TMP/hold.in"
wait_for 10 grep -q holding "$TMP/hold.out" || fail "holder: $(cat "$TMP/hold.out")"
for i in 1 2 3; do
	t0=${EPOCHREALTIME/./}
	ctl flow show >/dev/null || fail "pcfctl flow show while HTTP is held"
	ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	[ $ms -lt 1000 ] || fail "pcfctl flow show took $ms ms while HTTP is held"
done
log "pcfctl flow show: $ms ms"
curl -sS -m 2 --unix-socket "$SOCK" -o /dev/null http://pcfd/metrics 2>/dev/null &&
	fail "a 43rd connection was served"
exec 7>&-
wait $holder
wait_for 5 sh -c "curl -sS -m 1 --unix-socket '$SOCK' -o /dev/null http://pcfd/readyz" ||
	fail "HTTP is not served again once the connections closed"
log "served again once they closed"

log "the slow requests are cut 15 s after they began"
wait_for 25 sh -c "grep -q cut '$TMP/slow.1' && grep -q cut '$TMP/slow.2'" ||
	fail "slow clients: $(cat "$TMP/slow.1" "$TMP/slow.2")"
for i in 1 2; do
	s=$(sed -n 's/^cut after \([0-9]*\) s$/\1/p' "$TMP/slow.$i")
	[ "${s:-0}" -ge 14 ] && [ "$s" -le 20 ] || fail "slow client $i: $(cat "$TMP/slow.$i")"
done
log "slow clients: $(cat "$TMP/slow.1"), $(cat "$TMP/slow.2") (the test began them $((SECONDS - SLOW_START)) s ago)"
expect 200 GET /livez
stop_fp
log "pass"
