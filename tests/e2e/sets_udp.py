# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The sockets of the set tests (tests/e2e/sets_*.sh).
#   send DST PORT COUNT STOP SRC...: COUNT datagrams from each SRC (one
#     socket bound to each, in turn) to DST:PORT, or fewer when the file
#     STOP appears ("-": none), at most 30 s; prints "sent N" (each SRC).
#   recv PORT WANT SECS: count datagrams by source until WANT came, or
#     SECS passed, or SIGUSR1 (the test knows no more will come); prints
#     "ready" first, then one "SRC N" line per source.
import os, select, signal, socket, sys, time

def send(dst, port, count, stop, srcs):
    socks = []
    for s in srcs:
        k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        k.bind((s, 0))
        socks.append(k)
    deadline = time.monotonic() + 30
    n = 0
    while n < count and time.monotonic() < deadline:
        if stop != "-" and n % 64 == 0 and os.path.exists(stop):
            break
        for k in socks:
            try:
                k.sendto(b"pcf set %d" % n, (dst, port))
            except OSError:  # a full queue: that datagram is not sent
                pass
        n += 1
        if n % 256 == 0:
            print("progress %d" % n, flush=True)
    print("sent %d" % n, flush=True)

def recv(port, want, secs):
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGUSR1, lambda *_: None)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("0.0.0.0", port))
    s.setblocking(False)
    print("ready", flush=True)
    got, total, stop = {}, 0, False
    deadline = time.monotonic() + secs
    while total < want and not stop and time.monotonic() < deadline:
        r, _, _ = select.select([s, wake_r], [], [],
                                max(0, deadline - time.monotonic()))
        stop = wake_r in r
        while True:
            try:
                _, (src, _) = s.recvfrom(2048)
            except BlockingIOError:
                break
            got[src] = got.get(src, 0) + 1
            total += 1
    for src, n in sorted(got.items()):
        print(src, n, flush=True)
    os._exit(0)

a = sys.argv
if a[1] == "send":
    send(a[2], int(a[3]), int(a[4]), a[5], a[6:])
else:
    recv(int(a[2]), int(a[3]), float(a[4]))
