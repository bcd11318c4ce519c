#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# scripts/image.sh BUILD: the OCI image of pcfd and pcfctl (make image),
# from Debian packages only: no container registry is asked for anything.
#
#  1. a Debian 12 root file system with what pcfd needs at run time
#     (debootstrap --variant=minbase: libc, the libraries pcfd links,
#     iproute2), made once and kept in BUILD/image/base (its packages in
#     a stamp: another list makes it again); docs, man pages, locales and
#     apt's lists and archives taken out;
#  2. BUILD's pcfd and pcfctl put in by `make install DESTDIR= PREFIX=/usr`
#     (with the man pages and the example /etc/pcf/pcfd.conf);
#  3. one layer from that tree with buildah (from scratch, in a storage of
#     its own under BUILD/image), committed as an OCI archive:
#     BUILD/image/pcf-oci.tar, named localhost/pcf:latest (the version,
#     git describe, in its org.opencontainers.image.version label).  Load it with `podman load -i`, `skopeo copy
#     oci-archive:...`, `ctr image import` (containerd: k8s.io namespace
#     for a cluster), push it to a registry of yours with skopeo.
#
# The image runs `pcfd -f -c /etc/pcf/pcfd.conf`; deploy/pcf-daemonset.yaml
# runs it on every node of a cluster.
#
# Environment: PCF_DEBIAN_MIRROR (http://deb.debian.org/debian).
set -eu
BUILD=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac

say() { printf 'image: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, buildah)"
for t in debootstrap buildah; do
	command -v $t >/dev/null || die "no $t: make deps installs it"
done
[ -x "$BUILD/pcfd" ] && [ -x "$BUILD/pcfctl" ] || die "build first: make BUILD=$BUILD"

DIR=$BUILD/image
BASE=$DIR/base
ROOT=$DIR/root
ARCHIVE=$DIR/pcf-oci.tar
MIRROR=${PCF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# what pcfd and pcfctl link, and ip(8) for a person in the container
PKGS=libbpf1,libxdp1,libmnl0,libjson-c5,libelf1,zlib1g,libsystemd0,libmicrohttpd12,iproute2
VERSION=$(git describe --always --dirty 2>/dev/null || echo unknown)
mkdir -p "$DIR"

# the base tree, once per package list
exec 9>"$DIR/.lock"
flock 9
if [ "$(cat "$BASE/.pcf-packages" 2>/dev/null)" != "$PKGS" ]; then
	say "debootstrap of Debian 12 into $BASE (once; about half a minute)"
	rm -rf "$BASE.new"
	if ! debootstrap --variant=minbase --include="$PKGS" bookworm \
		"$BASE.new" "$MIRROR" >"$DIR/debootstrap.log" 2>&1; then
		rm -rf "$BASE.new"
		die "debootstrap failed: $(tail -n 2 "$DIR/debootstrap.log" | tr '\n' ' ')"
	fi
	rm -rf "$BASE.new"/var/cache/apt/archives/*.deb \
		"$BASE.new"/var/cache/apt/*.bin "$BASE.new"/var/lib/apt/lists/* \
		"$BASE.new"/usr/share/doc/* "$BASE.new"/usr/share/man/* \
		"$BASE.new"/usr/share/info/* "$BASE.new"/usr/share/locale/* \
		"$BASE.new"/var/log/*.log
	echo "$PKGS" >"$BASE.new/.pcf-packages"
	rm -rf "$BASE"
	mv "$BASE.new" "$BASE"
fi

say "pcf $VERSION into a copy of the base"
rm -rf "$ROOT"
cp -a "$BASE" "$ROOT"
rm -f "$ROOT/.pcf-packages"
make -s --no-print-directory BUILD="$BUILD" install DESTDIR="$ROOT" \
	PREFIX=/usr >/dev/null
# what the unit's RuntimeDirectory= makes: the HTTP socket's place
mkdir -p "$ROOT/run/pcf"

say "one layer, committed with buildah as $ARCHIVE"
STORE=(--root "$DIR/storage" --runroot "$DIR/run" --storage-driver vfs)
ctr=$(buildah "${STORE[@]}" from --name "pcf-image-$$" scratch)
trap 'buildah "${STORE[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah "${STORE[@]}" copy "$ctr" "$ROOT" / >/dev/null
buildah "${STORE[@]}" config \
	--entrypoint '["/usr/sbin/pcfd"]' --cmd '["-f", "-c", "/etc/pcf/pcfd.conf"]' \
	--stop-signal SIGTERM --workingdir / \
	--label org.opencontainers.image.title=pcf \
	--label org.opencontainers.image.description="pcf: an AF_XDP fast path with an XDP steering layer (pcfd, pcfctl)" \
	--label org.opencontainers.image.version="$VERSION" \
	--label org.opencontainers.image.licenses="GPL-2.0-only OR BSD-2-Clause" \
	--os linux --arch "$(dpkg --print-architecture)" "$ctr"
rm -f "$ARCHIVE.new"
buildah "${STORE[@]}" commit --quiet --format oci --rm "$ctr" \
	"oci-archive:$ARCHIVE.new:localhost/pcf:latest" >/dev/null
trap - EXIT
mv "$ARCHIVE.new" "$ARCHIVE"
# the storage only served the build: the archive is the image
buildah "${STORE[@]}" rmi --all >/dev/null 2>&1 || true
say "$ARCHIVE: localhost/pcf:latest ($VERSION), $(du -h "$ARCHIVE" | cut -f1)"
