#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Socket ends of the session (ct) e2e tests.

udp-echo ADDR PORT COUNT SECONDS
    answer each datagram with "PEER PEERPORT PAYLOAD"; print "PEER
    PEERPORT" per datagram; exit after COUNT of them or SECONDS of
    silence.  Prints "listening" first.
udp-clients SERVER PORT SPORT SECONDS ADDR...
    from each ADDR:SPORT at once, one datagram "hello ADDR" to
    SERVER:PORT; each socket must get back the answer to its own
    datagram within SECONDS (retrying every second).  Prints "ADDR ok"
    or "ADDR FAIL why"; exit 1 if any failed.
tcp-echo ADDR PORT COUNT SECONDS
    accept COUNT connections (at once), print "PEER PEERPORT" for each,
    echo what each sends until it shuts down writing.
tcp-clients SERVER PORT SPORT BYTES SECONDS ADDR...
    from each ADDR:SPORT at once a connection to SERVER:PORT, BYTES
    random bytes sent and the same read back; "ADDR ok" or "ADDR FAIL";
    exit 1 if any failed.
tcp-stream SERVER PORT SPORT BYTES RATE SECONDS [MSS]
    one connection sending BYTES at RATE bytes/s (with MSS if given),
    reading the echo; prints "sent N" lines as it goes, "done ok" when
    all came back intact, exit 1 otherwise.
udp-burst SERVER PORT SPORT COUNT
    one datagram from each of COUNT source ports from SPORT on (no answer
    awaited).
tcp-rst SERVER PORT SPORT SECONDS
    connect from SPORT, send a few bytes, read their echo, then abort the
    connection (SO_LINGER 0: a RST instead of a FIN).
ping SRC DST ID SECONDS
    an ICMP (ICMPv6) echo request with identifier ID from SRC to DST, once
    a second, until an echo reply with ID and our payload comes back;
    exit 1 after SECONDS without one.
udp-ttl SERVER PORT SPORT TTL SECONDS
    one datagram with TTL; wait for the ICMP error it causes on the
    socket's error queue (IP_RECVERR): print "icmp TYPE CODE from ADDR
    about PORT" and exit 0, or exit 1.
"""
import hashlib
import os
import select
import socket
import struct
import sys
import threading
import time

IP_RECVERR, IPV6_RECVERR = 11, 25
SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 = 2, 3


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_echo(addr, port, count, seconds):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("listening", flush=True)
    n = 0
    while n < count:
        ready, _, _ = select.select([s], [], [], seconds)
        if not ready:
            break
        data, peer = s.recvfrom(2048)
        print(peer[0], peer[1], flush=True)
        s.sendto(b"%s %d " % (peer[0].encode(), peer[1]) + data, peer)
        n += 1


def udp_clients(server, port, sport, seconds, addrs):
    socks = {}
    for a in addrs:
        s = socket.socket(family(a), socket.SOCK_DGRAM)
        s.bind((a, sport))
        s.setblocking(False)
        socks[s] = a
    left = dict(socks)
    end = time.time() + seconds
    while left and time.time() < end:
        for s, a in left.items():
            s.sendto(b"hello " + a.encode(), (server, port))
        stop = min(end, time.time() + 1)
        while left and time.time() < stop:
            ready, _, _ = select.select(list(left), [], [],
                                        max(0, stop - time.time()))
            for s in ready:
                data, _ = s.recvfrom(2048)
                a = left.pop(s)
                ok = data.endswith(b"hello " + a.encode())
                print(a, "ok" if ok else "FAIL wrong answer %r" % data,
                      flush=True)
                if not ok:
                    sys.exit(1)
    for a in left.values():
        print(a, "FAIL no answer", flush=True)
    sys.exit(1 if left else 0)


def echo_conn(c):
    try:
        while True:
            data = c.recv(65536)
            if not data:
                break
            c.sendall(data)
    except ConnectionResetError:
        pass  # tcp-rst's end
    finally:
        c.close()


def tcp_echo(addr, port, count, seconds):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(128)
    s.settimeout(seconds)
    print("listening", flush=True)
    threads = []
    for _ in range(count):
        c, peer = s.accept()
        c.settimeout(seconds)
        print(peer[0], peer[1], flush=True)
        t = threading.Thread(target=echo_conn, args=(c,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


def tcp_client(server, port, addr, sport, nbytes, seconds, results):
    data = os.urandom(nbytes)
    try:
        s = socket.socket(family(server), socket.SOCK_STREAM)
        s.settimeout(seconds)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, sport))
        s.connect((server, port))
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        results[addr] = "ok" if got == data else "FAIL %d of %d bytes back" % (
            len(got), len(data))
    except OSError as e:
        results[addr] = "FAIL %s" % e


def tcp_clients(server, port, sport, nbytes, seconds, addrs):
    results = {}
    threads = [threading.Thread(target=tcp_client,
                                args=(server, port, a, sport, nbytes, seconds,
                                      results)) for a in addrs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = 0
    for a in addrs:
        r = results.get(a, "FAIL no result")
        print(a, r, flush=True)
        bad += r != "ok"
    sys.exit(1 if bad else 0)


def tcp_stream(server, port, sport, nbytes, rate, seconds, mss=0):
    data = os.urandom(nbytes)
    s = socket.socket(family(server), socket.SOCK_STREAM)
    s.settimeout(seconds)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    s.bind(("", sport))
    s.connect((server, port))
    got = bytearray()

    def reader():
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            got.extend(chunk)

    t = threading.Thread(target=reader)
    t.start()
    chunk, sent, start = 4096, 0, time.time()
    while sent < nbytes:
        s.sendall(data[sent:sent + chunk])
        sent += min(chunk, nbytes - sent)
        print("sent", sent, flush=True)
        ahead = sent / rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    t.join(seconds)
    ok = bytes(got) == data
    print("done", "ok" if ok else "BAD (%d of %d bytes back)" % (
        len(got), nbytes), flush=True)
    sys.exit(0 if ok else 1)


def udp_burst(server, port, sport, count):
    for p in range(sport, sport + count):
        s = socket.socket(family(server), socket.SOCK_DGRAM)
        s.bind(("", p))
        s.sendto(b"burst %d" % p, (server, port))
        s.close()


def tcp_rst(server, port, sport, seconds):
    s = socket.socket(family(server), socket.SOCK_STREAM)
    s.settimeout(seconds)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", sport))
    s.connect((server, port))
    s.sendall(b"abort me")
    got = s.recv(64)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("echoed", got.decode(), "then reset", flush=True)
    return 0 if got == b"abort me" else 1


def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def ping(src, dst, ident, seconds):
    v6 = ":" in dst
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    s = socket.socket(family(dst), socket.SOCK_RAW, proto)
    s.bind((src, 0))
    payload = b"pcf ping %s" % src.encode()
    end = time.time() + seconds
    seq = 0
    while time.time() < end:
        seq += 1
        hdr = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, seq)
        msg = hdr + payload
        if not v6:  # the kernel fills ICMPv6's checksum
            msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
        s.sendto(msg, (dst, 0))
        stop = time.time() + 1
        while time.time() < stop:
            ready, _, _ = select.select([s], [], [], max(0, stop - time.time()))
            if not ready:
                break
            data = s.recv(2048)
            icmp = data if v6 else data[(data[0] & 0xf) * 4:]
            typ, _, _, rid, _ = struct.unpack_from("!BBHHH", icmp)
            if typ == (129 if v6 else 0) and rid == ident and \
                    icmp[8:] == payload:
                print("reply id", rid, "from", dst, flush=True)
                return 0
    print("no echo reply", flush=True)
    return 1


def udp_ttl(server, port, sport, ttl, seconds):
    fam = family(server)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    s.bind(("", sport))
    end = time.time() + seconds
    while time.time() < end:
        s.sendto(b"probe", (server, port))
        # a pending error makes the socket readable
        ready, _, _ = select.select([s], [], [], 1)
        if not ready:
            continue
        try:
            _, anc, _, _ = s.recvmsg(512, 512,
                                     socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            time.sleep(0.2)
            continue
        for level, typ, val in anc:
            # struct sock_extended_err, then the offender's sockaddr
            errno_, origin, etype, ecode = struct.unpack_from("=IBBB", val)
            if origin not in (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6):
                continue
            off = 16
            if fam == socket.AF_INET:
                who = socket.inet_ntop(socket.AF_INET, val[off + 4:off + 8])
            else:
                who = socket.inet_ntop(socket.AF_INET6, val[off + 8:off + 24])
            print("icmp", etype, ecode, "from", who, "about", port,
                  flush=True)
            return 0
    print("no ICMP error came back", flush=True)
    return 1


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "udp-echo":
        udp_echo(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif a[0] == "udp-clients":
        udp_clients(a[1], int(a[2]), int(a[3]), float(a[4]), a[5:])
    elif a[0] == "tcp-echo":
        tcp_echo(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif a[0] == "tcp-clients":
        tcp_clients(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]),
                    a[6:])
    elif a[0] == "tcp-stream":
        tcp_stream(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]),
                   float(a[6]), *(int(x) for x in a[7:]))
    elif a[0] == "udp-burst":
        udp_burst(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a[0] == "tcp-rst":
        sys.exit(tcp_rst(a[1], int(a[2]), int(a[3]), float(a[4])))
    elif a[0] == "ping":
        sys.exit(ping(a[1], a[2], int(a[3]), float(a[4])))
    elif a[0] == "udp-ttl":
        sys.exit(udp_ttl(a[1], int(a[2]), int(a[3]), int(a[4]),
                         float(a[5])))
    else:
        sys.exit("unknown command " + a[0])
