#!/bin/sh
# Install the Debian packages pcf needs to build, test and run, and mount
# bpffs.  Idempotent and quiet when everything is present; `apt-get update`
# runs only when something must be installed.
#   scripts/deps.sh         what make check needs
#   scripts/deps.sh bench   that, and what make bench adds: DPDK's testpmd
#                           with the AF_XDP driver and xdp-tools'
#                           xdp-filter, to compare with
set -eu

PKGS="clang llvm gcc make pkg-config bpftool libbpf-dev libxdp-dev
libelf-dev zlib1g-dev linux-libc-dev libmnl-dev libjson-c-dev libsystemd-dev
libcmocka-dev libclang-rt-14-dev libnl-genl-3-dev libmicrohttpd-dev
iproute2 tcpdump socat nftables man-db curl prometheus
netsniff-ng util-linux procps python3 python3-yaml jq
systemd systemd-container debootstrap buildah podman runc catatonit"
[ "${1:-}" = bench ] &&
	PKGS="$PKGS dpdk-dev librte-net-af-xdp23 librte-mempool-ring23 xdp-tools"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ "$(id -u)" = 0 ] && ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi
