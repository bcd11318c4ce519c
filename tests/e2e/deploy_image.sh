#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# deploy_image: the OCI image and the DaemonSet, without a cluster.
#  - deploy/check.py finds deploy/pcf-daemonset.yaml as a cluster would
#    run it (host network, the unit's capabilities and no more, not
#    privileged, bpffs from the host, the ConfigMap at /etc/pcf, probes);
#    deploy/pcf-seccomp.json denies what the unit's SystemCallFilter=
#    denies (systemd-analyze says which);
#  - make image's script builds the image from Debian packages (the base
#    tree cached in BUILD/image: the first run debootstraps, ~30 s);
#  - podman runs it with host networking in dut (worker_env.bash), only
#    the unit's capabilities, no new privileges, a read-only root, the
#    seccomp profile, the host's bpffs and the ConfigMap's files (as the
#    manifest has them, interfaces and pins of this run): READY=1 comes
#    through podman's notify socket, and then pcfctl outside the container
#    answers at once; pcfd --check in the image takes the ConfigMap;
#    pcfctl outside adds a rule, real traffic is steered by the workers
#    in the container, GET /flows on the socket the container shares
#    shows it; podman stop ends pcfd cleanly, the rule stays pinned;
#  - podman kube play runs the manifest's pod (its ConfigMap, hostPath
#    volumes, securityContext): the pinned rule is adopted, traffic
#    steered again, /readyz and /livez answer 200 over TCP.
# podman runs with runc: Debian 12's crun (1.8.1) refuses this machine's
# hybrid cgroup v1 layout, and on a cgroup2 mount of its own needs to
# raise RLIMIT_MEMLOCK for its device filter, which root without
# CAP_SYS_RESOURCE cannot.  A containers.conf of the test's own sets no
# default ulimits (raising them also needs CAP_SYS_RESOURCE); storage is
# the test's own too (vfs, in $TMP): nothing of the machine's is touched.
. "$(dirname "$0")/worker_env.bash"
need_tool podman podman
need_tool buildah buildah
need_tool runc runc
need_tool debootstrap debootstrap
need_tool curl curl
need_tool systemd-analyze systemd
/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
	fail "no PyYAML: install the Debian package python3-yaml (make deps)"

MANIFEST=$top/deploy/pcf-daemonset.yaml
SECCOMP=$top/deploy/pcf-seccomp.json
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$top/systemd/pcf.service")

log "deploy/check.py: the manifest as a cluster would run it"
/usr/bin/python3 "$top/deploy/check.py" "$MANIFEST" >"$TMP/check.out" 2>&1 ||
	fail "$(cat "$TMP/check.out")"
log "$(cat "$TMP/check.out")"
# a broken manifest is refused, and says why
sed 's/hostNetwork: true/hostNetwork: false/; s/"NET_RAW", //' "$MANIFEST" >"$TMP/bad.yaml"
/usr/bin/python3 "$top/deploy/check.py" "$TMP/bad.yaml" >"$TMP/check.out" 2>&1 &&
	fail "check.py took a manifest without hostNetwork and NET_RAW"
grep -q "no hostNetwork" "$TMP/check.out" && grep -q "capabilities.add is" "$TMP/check.out" ||
	fail "check.py: $(cat "$TMP/check.out")"

log "pcf-seccomp.json denies what the unit's SystemCallFilter=~ denies"
groups=$(sed -n 's/^SystemCallFilter=~//p' "$top/systemd/pcf.service")
want=$(for g in $groups; do systemd-analyze syscall-filter --no-pager "$g"; done |
	grep -v '^ *#' | grep -v '^@' | sed 's/^ *//' | grep . | sort -u)
got=$(/usr/bin/python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print("\n".join(sorted(set(j["syscalls"][0]["names"]) - {"unshare", "setns"})))' "$SECCOMP")
[ "$want" = "$got" ] || fail "pcf-seccomp.json and the unit differ: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"

log "the image (scripts/image.sh, as make image)"
"$top/scripts/image.sh" "$BUILD" >"$TMP/image.log" 2>&1 || fail "image: $(tail -n 5 "$TMP/image.log")"
log "$(tail -n 1 "$TMP/image.log")"

# podman of this test: its own storage and configuration, runc
cat >"$TMP/containers.conf" <<'CONF'
[containers]
default_ulimits = []
CONF
export CONTAINERS_CONF=$TMP/containers.conf
PODMAN=(podman --root "$TMP/storage" --runroot "$TMP/podrun" --storage-driver vfs
	--runtime runc)
pod() { "${PODMAN[@]}" "$@"; }
deploy_cleanup() {
	local rc=$?
	pod pod rm -f -t 0 pcf >/dev/null 2>&1
	pod rm -af -t 0 >/dev/null 2>&1
	in_ns "$dut" "$PCFD" --unload --pin-dir "$PIN_DIR" -i $IF_A -i $IF_B \
		--return-veth $RET_A,$RET_B >/dev/null 2>&1
	pod rmi -af >/dev/null 2>&1
	rm -rf "$TMP/storage" 2>/dev/null
	(exit $rc)
	cleanup
}
trap deploy_cleanup EXIT
pod load -q -i "$BUILD/image/pcf-oci.tar" >"$TMP/load.out" 2>&1 || fail "podman load: $(cat "$TMP/load.out")"

# the ConfigMap's files, with this run's interfaces, pins and ports
OVERRIDES=(--conf "interface=$IF_A" --conf "interface=$IF_B" --conf "pin-dir=$PIN_DIR"
	--conf "ctl-port=$CTL_PORT" --conf "return-veth=$RET_A,$RET_B" --conf egress=wire
	--conf http=127.0.0.1:9750 --conf http=unix:/run/pcf/pcfd.sock)
mkdir -p "$TMP/etc-pcf" "$TMP/run-pcf"
/usr/bin/python3 "$top/deploy/check.py" "$MANIFEST" --out "$TMP/etc-pcf" \
	"${OVERRIDES[@]}" >/dev/null || fail "check.py --out"

log "pcfd --check in the image takes the ConfigMap"
pod run --rm --network none -v "$TMP/etc-pcf:/etc/pcf:ro" localhost/pcf:latest \
	-c /etc/pcf/pcfd.conf --check >"$TMP/check.conf" 2>&1 ||
	fail "pcfd --check in the image: $(cat "$TMP/check.conf")"
grep -qx -- "--interface=$IF_A" "$TMP/check.conf" || fail "--check: $(cat "$TMP/check.conf")"

log "podman run: host network of dut, the unit's capabilities only"
# the notify socket podman hands to the container, read here
rm -f "$TMP/notify.sock"
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    print(s.recv(4096).decode().replace("\n", " "), flush=True)' "$TMP/notify.sock" >"$TMP/notify.out" 2>&1 &
track $!
wait_for 5 test -S "$TMP/notify.sock" || fail "no notify socket"
caps_arg=$(echo "$CAPS" | tr ' ' ',')
NOTIFY_SOCKET=$TMP/notify.sock nsenter --net=/run/netns/"$dut" "${PODMAN[@]}" run -d \
	--name pcfd --sdnotify=container --network host \
	--cap-drop all --cap-add "$caps_arg" --security-opt no-new-privileges \
	--security-opt seccomp="$SECCOMP" --read-only \
	-v /sys/fs/bpf:/sys/fs/bpf -v "$TMP/etc-pcf:/etc/pcf:ro" -v "$TMP/run-pcf:/run/pcf" \
	localhost/pcf:latest >"$TMP/run.out" 2>&1 || fail "podman run: $(cat "$TMP/run.out")"
wait_for 30 grep -q 'READY=1' "$TMP/notify.out" ||
	fail "no READY=1 from the container: $(pod logs pcfd 2>&1 | tail -n 5)"
ctl flow show >/dev/null || fail "READY=1 came, but pcfctl gets no answer"
log "READY=1 through podman's notify socket: $(grep -m1 READY "$TMP/notify.out")"
pid=$(pod inspect pcfd --format '{{.State.Pid}}')
track "$pid"
eff=$(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status)
want_eff=$(printf '%016x' $(( (1 << 12) | (1 << 13) | (1 << 14) | (1 << 38) | (1 << 39) )))
[ "$eff" = "$want_eff" ] || fail "pcfd's CapEff is $eff, not $want_eff ($CAPS)"
grep -q '^NoNewPrivs:[[:space:]]*1' /proc/"$pid"/status || fail "new privileges allowed"
grep -q '^Seccomp:[[:space:]]*2' /proc/"$pid"/status || fail "no seccomp filter"
[ "$(readlink /proc/"$pid"/ns/net)" = "$(in_ns "$dut" readlink /proc/self/ns/net)" ] ||
	fail "pcfd is not in dut's network namespace"

log "pcfctl outside adds a rule; real traffic steered in the container"
id=$(ctl flow add dst 198.18.2.1 proto udp dport 5002 action redirect ttl-delta -1) ||
	fail "flow add from outside"
got=$(flow 198.18.2.1 5002 20)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 20 ] || fail_stats "through the container: $got"
ctl -s flow show | grep -q "^id $id .* worker-packets 20 " || fail_stats "rule $id's counters"
curl -sS --unix-socket "$TMP/run-pcf/pcfd.sock" http://pcfd/flows >"$TMP/flows.json" ||
	fail "GET /flows on the container's socket"
[ "$(/usr/bin/python3 -c "import json,sys; print([r['worker_packets'] for r in json.load(sys.stdin)])" <"$TMP/flows.json")" = "[20]" ] ||
	fail "GET /flows: $(cat "$TMP/flows.json")"
log "20 datagrams through the container's workers (TTL 62), rule $id seen outside"

pod stop -t 10 pcfd >/dev/null || fail "podman stop"
[ "$(pod inspect pcfd --format '{{.State.ExitCode}}')" = 0 ] ||
	fail "pcfd exited $(pod inspect pcfd --format '{{.State.ExitCode}}'): $(pod logs pcfd 2>&1 | tail -n 3)"
pod rm pcfd >/dev/null
[ -e "$PIN_DIR/pcf_rules" ] || fail "the pins went with the container"

log "podman kube play of the manifest's pod"
/usr/bin/python3 "$top/deploy/check.py" "$MANIFEST" --pod "$TMP/pod.yaml" \
	"${OVERRIDES[@]}" --host-path "run=$TMP/run-pcf" >/dev/null || fail "check.py --pod"
nsenter --net=/run/netns/"$dut" "${PODMAN[@]}" kube play "$TMP/pod.yaml" >"$TMP/play.out" 2>&1 ||
	fail "podman kube play: $(cat "$TMP/play.out")"
wait_for 30 ctl flow show >/dev/null 2>&1 || fail "the pod's pcfd: $(pod logs pcf-pcfd 2>&1 | tail -n 5)"
ctl flow show | grep -q "^id $id " || fail "the pinned rule was not adopted: $(ctl flow show)"
got=$(flow 198.18.2.1 5002 10)
[ "$(echo "$got" | awk '$3 == 62' | wc -l)" = 10 ] || fail_stats "through the pod: $got"
for p in readyz livez; do
	[ "$(in_ns "$dut" curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:9750/$p")" = 200 ] ||
		fail "GET /$p over TCP"
done
pid=$(pod inspect pcf-pcfd --format '{{.State.Pid}}')
[ "$(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status)" = "$want_eff" ] ||
	fail "the pod's pcfd has CapEff $(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status)"
log "the pod runs pcfd ($(pod ps --format '{{.Names}} {{.Status}}' | tr '\n' ';')): rule $id adopted, traffic steered, probes 200"
pod pod rm -f -t 10 pcf >/dev/null || fail "podman pod rm"
log "pass"
