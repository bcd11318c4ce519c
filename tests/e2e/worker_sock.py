#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Socket ends of the worker e2e tests.

send DST PORT COUNT INTERVAL [TTL] [SPORT] [SIZE]
    COUNT datagrams "seq N" to DST:PORT, one every INTERVAL seconds;
    with SIZE, padded to IP packets of SIZE bytes (DF set).
send-vlan IFNAME DMAC VIDS SRC DST PORT COUNT INTERVAL [TTL] [SPORT]
    the same as whole IPv4 frames written to IFNAME by a packet socket,
    with the VLAN tags VIDS ("100", or "200,100": 802.1ad outside, 802.1Q
    inside) in the frame itself (a VLAN device would leave its tag to the
    veth's offload, out of the bytes XDP sees).
tcp-serve ADDR PORT SECONDS
    accept one connection, print "PEER PEERPORT", read to EOF and answer
    the SHA-256 of what came (hex).
tcp-send DST PORT BYTES SPORT
    connect from SPORT, send BYTES random bytes, shut down writing, check
    the server's SHA-256 against ours; exit 1 if it differs.
txcsum-off IFNAME, txcsum-on IFNAME
    turn tx checksum offload off (what "ethtool -K IFNAME tx off" does)
    or on.
gro-on IFNAME, gro-off IFNAME
    turn GRO on (what "ethtool -K IFNAME gro on" does) or off.
recv ADDR PORT SECONDS [COUNT]
    print "SRC SPORT TTL SEQ" per datagram until SECONDS of silence
    (at most 10 * SECONDS in all), COUNT datagrams, or SIGTERM (then
    what the socket holds first).
"""
import socket
import sys
import time

IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)  # not in every Python


def ethtool_set(ifname, cmd, value):
    import ctypes
    import fcntl
    import struct
    SIOCETHTOOL = 0x8946
    val = ctypes.create_string_buffer(struct.pack("II", cmd, value))
    ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(val))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr + bytes(40 - len(ifr)))


def txcsum_set(ifname, on):
    ethtool_set(ifname, 0x17, on)  # ETHTOOL_STXCSUM


def gro_set(ifname, on):
    ethtool_set(ifname, 0x2c, on)  # ETHTOOL_SGRO


IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO = 23, 2


def send(dst, port, count, interval, ttl=64, sport=0, size=0):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER,
                     IPV6_PMTUDISC_DO)
    if sport:
        s.bind(("", sport))
    room = size - (28 if fam == socket.AF_INET else 48)  # IP + UDP
    for i in range(count):
        data = b"seq %d" % i
        if size:
            data += b" " + b"x" * max(0, room - len(data) - 1)
        s.sendto(data, (dst, port))
        time.sleep(interval)


def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def send_vlan(ifname, dmac, vids, src, dst, port, count, interval, ttl=64,
              sport=4000):
    import struct
    vids = [int(v) for v in vids.split(",")]
    tpids = [0x88a8] * (len(vids) - 1) + [0x8100]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    smac = s.getsockname()[4]  # the interface's address
    eth = bytes.fromhex(dmac.replace(":", "")) + smac
    for tpid, vid in zip(tpids, vids):
        eth += struct.pack("!HH", tpid, vid)
    eth += struct.pack("!H", 0x0800)
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    for i in range(count):
        data = b"seq %d" % i
        ulen = 8 + len(data)
        pseudo = saddr + daddr + struct.pack("!BBH", 0, 17, ulen)
        udp = struct.pack("!HHHH", sport, port, ulen, 0) + data
        c = csum16(pseudo + udp) or 0xffff
        udp = udp[:6] + struct.pack("!H", c) + udp[8:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, i, 0, ttl, 17,
                         0, saddr, daddr)
        ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
        s.send(eth + ip + udp)
        time.sleep(interval)


def recv(addr, port, seconds, count=0):
    import os
    import select
    import signal
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    s.bind((addr, port))
    s.setblocking(False)
    # SIGTERM: the test is done waiting; print what the socket holds, exit
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, lambda *_: None)
    print("listening", flush=True)
    left = count  # 0: no limit
    end = time.time() + 10 * seconds
    while time.time() < end:
        ready, _, _ = select.select([s, wake_r], [], [], seconds)
        if not ready:
            return  # seconds of silence
        while True:
            try:
                data, anc, _, src = s.recvmsg(65536, 64)
            except BlockingIOError:
                break
            ttl = -1
            for level, typ, val in anc:
                if typ in (socket.IP_TTL, socket.IPV6_HOPLIMIT):
                    ttl = int.from_bytes(val[:4], sys.byteorder)
            seq = data.split()[1].decode() if data.startswith(b"seq ") else "?"
            print(src[0], src[1], ttl, seq, flush=True)
            left -= 1
            if left == 0:
                return
        if wake_r in ready:
            return


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_serve(addr, port, seconds):
    import hashlib
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(seconds)
    print("listening", flush=True)
    c, peer = s.accept()
    c.settimeout(seconds)
    print(peer[0], peer[1], flush=True)
    h = hashlib.sha256()
    while True:
        data = c.recv(65536)
        if not data:
            break
        h.update(data)
    c.sendall(h.hexdigest().encode())
    c.close()


def tcp_send(dst, port, nbytes, sport):
    import hashlib
    import os
    data = os.urandom(nbytes)
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.settimeout(10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", sport))
    s.connect((dst, port))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        chunk = s.recv(256)
        if not chunk:
            break
        got += chunk
    want = hashlib.sha256(data).hexdigest()
    print("sent", nbytes, "digest", "ok" if got.decode() == want else "BAD")
    sys.exit(0 if got.decode() == want else 1)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "tcp-serve":
        tcp_serve(a[1], int(a[2]), float(a[3]))
    elif a[0] == "tcp-send":
        tcp_send(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a[0] == "send-vlan":
        send_vlan(a[1], a[2], a[3], a[4], a[5], int(a[6]), int(a[7]),
                  float(a[8]), *[int(x) for x in a[9:]])
    elif a[0] in ("txcsum-off", "txcsum-on"):
        txcsum_set(a[1], a[0] == "txcsum-on")
    elif a[0] in ("gro-on", "gro-off"):
        gro_set(a[1], a[0] == "gro-on")
    elif a[0] == "send":
        send(a[1], int(a[2]), int(a[3]), float(a[4]),
             *(int(x) for x in a[5:]))
    else:
        recv(a[1], int(a[2]), float(a[3]), *(int(x) for x in a[4:]))
