#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_nspawn: pcf under a real systemd.  A Debian 12 tree made once with
# debootstrap (cached in /var/cache/pcf-test; the first run takes about
# two minutes) is booted with systemd-nspawn on an overlay, so the cache
# stays clean, with pcf put in by `make install DESTDIR=`, a network
# namespace of this run holding one end of a veth pair, and a bpffs of its
# own on /sys/fs/bpf.
#  A. pcf.service as installed (hardening, capabilities) runs pcfd: it
#     becomes active, attaches XDP, takes a rule from pcfctl, and after
#     `systemctl stop pcf` traffic still flows through the kernel.
#  B. Type=notify, the watchdog and the journal under systemd, the real
#     pcfd with WatchdogSec=4s: start waits for READY=1, STATUS= shows
#     interfaces, rules, workers and packets/s, the PCF_* records of the
#     worker are in `journalctl -u pcf`, reload goes through RELOADING=1
#     and applies the changed file; a SIGSTOPped pcfd makes the watchdog
#     restart the service.  (That a worker whose heartbeat stops withholds
#     WATCHDOG=1 is tests/unit/test_notify.c's.)
. "$(dirname "$0")/../lib/common.sh"
need_root
need_tool systemd-nspawn systemd-container
need_tool debootstrap debootstrap
need_tool jq jq
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"

CACHE=/var/cache/pcf-test
PKGS=systemd,systemd-sysv,dbus,iproute2,procps,libbpf1,libxdp1,libmnl0,libjson-c5,libelf1,zlib1g,libsystemd0,libmicrohttpd12
# one tree per package list: trees of branches that differ live side by side
TREE=$CACHE/bookworm-$(echo "$PKGS" | md5sum | cut -c1-8)
MIRROR=${PCF_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# The tree, built once; the stamp says with which packages.
make_tree() {
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	[ "$(cat "$TREE/.pcf-packages" 2>/dev/null)" = "$PKGS" ] && return 0
	log "debootstrap of Debian 12 into $TREE (once, about two minutes)"
	rm -rf "$TREE.new"
	if ! debootstrap --variant=minbase --include="$PKGS" bookworm "$TREE.new" \
		"$MIRROR" >"$TMP/debootstrap.log" 2>&1; then
		rm -rf "$TREE.new"
		fail "debootstrap failed: $(tail -n 2 "$TMP/debootstrap.log" | tr '\n' ' ')"
	fi
	echo "$PKGS" >"$TREE.new/.pcf-packages"
	rm -rf "$TREE"
	mv "$TREE.new" "$TREE"
}
make_tree
exec 9>&-

ROOT=$TMP/root BPFFS=$TMP/bpffs NSPAWN='' LEADER=''
svc_cleanup() {
	local rc=$?
	if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
		kill "$NSPAWN" # nspawn powers the container off
		wait_exit 10 "$NSPAWN"
		kill -9 "$NSPAWN" 2>/dev/null
		[ -n "$LEADER" ] && kill -9 "$LEADER" 2>/dev/null
		wait "$NSPAWN" 2>/dev/null
	fi
	mountpoint -q "$ROOT" && umount "$ROOT"
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	(exit $rc)
	cleanup
}
trap svc_cleanup EXIT

mkdir -p "$TMP/upper" "$TMP/work" "$ROOT" "$BPFFS"
mount -t overlay overlay -o "lowerdir=$TREE,upperdir=$TMP/upper,workdir=$TMP/work" "$ROOT" ||
	fail "cannot mount an overlay on the cached tree $TREE"
mount -t bpf bpf "$BPFFS" || fail "mount -t bpf"
make -s --no-print-directory -C "$top" BUILD="$BUILD" install DESTDIR="$ROOT" >/dev/null ||
	fail "make install DESTDIR=$ROOT"

# the container's network: one end of a veth; the other in a peer namespace
netns_add ct >/dev/null # not in $(...): the cleanup must see them
netns_add peer >/dev/null
NS=pcf${ID}ct
PEER=pcf${ID}peer
IF_A=p${ID}a IF_B=p${ID}b
veth_add "$NS" $IF_A "$PEER" $IF_B
ip -n "$NS" addr add 198.18.9.1/24 dev $IF_A
ip -n "$PEER" addr add 198.18.9.2/24 dev $IF_B

log "booting the tree with systemd-nspawn"
systemd-nspawn -D "$ROOT" --boot --register=no --keep-unit -M "pcft$ID" \
	--network-namespace-path=/run/netns/"$NS" \
	--capability=CAP_BPF,CAP_PERFMON,CAP_NET_ADMIN,CAP_NET_RAW,CAP_IPC_LOCK \
	--system-call-filter=bpf --bind="$BPFFS:/sys/fs/bpf" \
	</dev/null >"$TMP/boot.log" 2>&1 &
NSPAWN=$!
wait_for 20 sh -c "pgrep -P $NSPAWN >/dev/null" ||
	fail "systemd-nspawn did not start a container: $(tail -n 3 "$TMP/boot.log" | tr '\n' ' ')"
LEADER=$(pgrep -P "$NSPAWN" | head -n1)
ct() { nsenter -t "$LEADER" -a "$@"; }
booted() { case $(ct systemctl is-system-running 2>/dev/null) in running | degraded) return 0 ;; esac; return 1; }
wait_for 60 booted ||
	fail "systemd did not boot in the container: $(ct systemctl is-system-running 2>&1) $(tail -n 3 "$TMP/boot.log" | tr '\n' ' ')"
log "container up: systemd $(ct systemctl --version | head -n1 | awk '{print $2}'), $(ct systemctl is-system-running)"

prop() { ct systemctl show -p "$1" --value pcf; }
dropin() { mkdir -p "$ROOT/etc/systemd/system/pcf.service.d"; cat >"$ROOT/etc/systemd/system/pcf.service.d/test.conf"; ct systemctl daemon-reload; }

# ---- A: pcfd in the installed unit ----
cat >"$ROOT/etc/pcf/pcfd.conf" <<CONF
interface = $IF_A
pin-dir = /sys/fs/bpf/pcf
CONF
log "A: pcf.service as installed, pcfd reading /etc/pcf/pcfd.conf"
timeout 60 nsenter -t "$LEADER" -a systemctl start pcf ||
	fail "systemctl start pcf: $(ct journalctl -u pcf --no-pager | tail -n 5)"
wait_for 10 ct /usr/local/sbin/pcfctl flow show >/dev/null 2>&1 ||
	fail "pcfd does not answer: $(ct journalctl -u pcf --no-pager | tail -n 20)"
[ "$(prop ActiveState)" = active ] || fail "pcf is $(prop ActiveState)"
ip -n "$NS" -d link show $IF_A | grep -q 'prog/xdp' || fail "no XDP program on $IF_A"
id=$(ct /usr/local/sbin/pcfctl flow add dst 198.18.9.1 proto udp dport 5555 action redirect) ||
	fail "flow add in the container"
log "active; XDP on $IF_A; rule $id added from inside"
ct journalctl -u pcf --no-pager -o cat | grep -q "attached to $IF_A" || fail "journal: $(ct journalctl -u pcf --no-pager | tail -n 5)"

ct systemctl stop pcf || fail "systemctl stop pcf"
[ "$(prop ActiveState)" = inactive ] || fail "pcf is $(prop ActiveState) after stop"
[ -e "$BPFFS/pcf" ] || fail "the pin directory is gone after stop"
# the REDIRECT rule is still pinned, no socket on the queue: the kernel gets
# it.  A socket that ends with its first datagram; five sent, 0.1 s apart.
UDP="python3 $top/tests/e2e/worker_sock.py"
: >"$TMP/udp"
ip netns exec "$NS" $UDP recv 198.18.9.1 5555 10 1 >"$TMP/udp" &
rcv=$!
track $rcv
wait_for 10 grep -q listening "$TMP/udp" || fail "no UDP socket on 198.18.9.1"
ip netns exec "$PEER" $UDP send 198.18.9.1 5555 5 0.1 || fail "sending to 198.18.9.1"
wait_exit 10 $rcv
kill $rcv 2>/dev/null
wait $rcv
grep -q '^198.18.9.2 ' "$TMP/udp" || fail "no UDP through the kernel after stop"
log "stopped: the rule stays pinned, its flow reaches the kernel's socket"
ct /usr/local/sbin/pcfd --unload -i $IF_A --pin-dir /sys/fs/bpf/pcf >/dev/null 2>&1

# ---- B: notify, watchdog, journal ----
log "B: Type=notify, the real pcfd, WatchdogSec=4s, stats every 2 s"
cat >"$ROOT/etc/pcf/pcfd.conf" <<CONF
interface = $IF_A
pin-dir = /sys/fs/bpf/pcf
queues = 1
stats-interval = 2
CONF
dropin <<CONF
[Service]
WatchdogSec=4s
CONF
timeout 60 nsenter -t "$LEADER" -a systemctl start pcf ||
	fail "systemctl start pcf: $(ct journalctl -u pcf --no-pager | tail -n 5)"
[ "$(prop ActiveState)" = active ] || fail "pcf is $(prop ActiveState)"
# READY=1 comes after attach and the workers: start returned, so both are there
ip -n "$NS" -d link show $IF_A | grep -q 'prog/xdp' || fail "active before XDP was attached"
status_re="^pcfd: 1 interfaces \($IF_A\), [0-9]+ rules, 1 workers, [0-9]+ packets/s$"
[[ $(prop StatusText) =~ $status_re ]] || fail "STATUS: $(prop StatusText)"
log "active; STATUS=$(prop StatusText)"

# worker_record: the PCF_* counters of the worker in journalctl -u pcf
worker_records() {
	ct journalctl -u pcf -o json --no-pager >"$TMP/journal.json"
	# (jq -s and a count: jq 1.6's -e looks at the last input only)
	[ "$(jq -s "map(select(.PCF_EVENT == \"counters\" and .PCF_SCOPE == \"worker\" and .PCF_IFACE == \"$IF_A\"
		and .PCF_QUEUE == \"0\" and (.PCF_RX_PACKETS | test(\"^[0-9]+\$\")) and ._TRANSPORT == \"journal\")) | length" \
		"$TMP/journal.json")" -ge 1 ]
}
wait_for 10 worker_records ||
	fail "no PCF_* counters record in journalctl -u pcf: $(jq -c '{MESSAGE, PCF_EVENT, _TRANSPORT}' "$TMP/journal.json" | tail -n 5)"
log "journalctl -u pcf has the PCF_* records of the worker"

# The pings keep it alive: systemd takes a ping more than WatchdogSec
# (4 s) after pcfd started, and has not restarted it.
main=$(prop MainPID)
# pinged_late: the last ping systemd took came 5 s or more after the start
pinged_late() {
	local started pinged
	started=$(prop ExecMainStartTimestampMonotonic)
	pinged=$(prop WatchdogTimestampMonotonic)
	[ "${pinged:-0}" -ge $((started + 5000000)) ]
}
wait_for 15 pinged_late ||
	fail "no ping 5 s after the start: $(ct systemctl show -p ExecMainStartTimestampMonotonic -p WatchdogTimestampMonotonic pcf)"
[ "$(prop NRestarts)" = 0 ] && [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" = "$main" ] ||
	fail "restarted while every heartbeat moved: $(ct journalctl -u pcf --no-pager | tail -n 5)"
echo "default = drop" >>"$ROOT/etc/pcf/pcfd.conf"
ct systemctl reload pcf || fail "systemctl reload pcf"
wait_for 5 sh -c "nsenter -t $LEADER -a journalctl -u pcf -o cat --no-pager | grep -q '^reloaded: default drop, stats-interval 2 s'" ||
	fail "the reload did not apply the file: $(ct journalctl -u pcf --no-pager | tail -n 5)"
ct journalctl -u pcf -o cat --no-pager | grep -qx reloading || fail "no reloading event"
[ "$(prop ActiveState)" = active ] || fail "pcf is $(prop ActiveState) after reload"
log "alive past WatchdogSec; reload went through RELOADING=1 and applied default = drop"

pid=$(prop MainPID)
ct kill -STOP "$pid"
wait_for 40 sh -c "[ \"\$(nsenter -t $LEADER -a systemctl show -p NRestarts --value pcf)\" = 1 ]" ||
	fail "a SIGSTOPped pcfd did not get pcf restarted: $(ct journalctl -u pcf --no-pager | tail -n 8)"
ct journalctl -u pcf -o cat --no-pager | grep -q "Watchdog timeout" ||
	fail "systemd saw no watchdog timeout: $(ct journalctl -u pcf --no-pager | tail -n 8)"
wait_for 20 sh -c "[ \"\$(nsenter -t $LEADER -a systemctl show -p ActiveState --value pcf)\" = active ]" ||
	fail "not active again after the restart"
log "SIGSTOP: watchdog timeout, systemd restarted pcf"

ct systemctl stop pcf || fail "systemctl stop pcf"
ct journalctl -u pcf -o cat --no-pager | grep -q '^stopping: ' || fail "no stopping event"
ct /usr/local/sbin/pcfd --unload -i $IF_A --pin-dir /sys/fs/bpf/pcf >/dev/null 2>&1
log PASS
