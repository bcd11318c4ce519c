#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# svc_install: `make install` and `make uninstall` into a temporary DESTDIR,
# with the default PREFIX and another one: binaries (the ones just built),
# unit (ExecStart= follows PREFIX), man pages, example configuration (never
# over an edited one; uninstall keeps an edited one).  The installed unit
# passes `systemd-analyze verify` without a word and keeps its hardening
# (`systemd-analyze security` exposure at most 3.0); the man pages render
# without groff warnings; the example configuration, uncommented, is one
# valid setting a line.
. "$(dirname "$0")/../lib/common.sh"
need_tool systemd-analyze systemd
need_tool man man-db
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"

mk() { make -s --no-print-directory -C "$top" BUILD="$BUILD" "$@"; }
# mode FILE: octal permissions
mode() { stat -c %a "$1"; }

D=$TMP/root
log "make install DESTDIR=$D (PREFIX /usr/local)"
mk install DESTDIR="$D" >"$TMP/install.out" || fail "make install: $(cat "$TMP/install.out")"
for f in usr/local/sbin/pcfd usr/local/sbin/pcfctl; do
	[ "$(mode "$D/$f")" = 755 ] || fail "$f: mode $(mode "$D/$f")"
done
cmp -s "$PCFD" "$D/usr/local/sbin/pcfd" || fail "installed pcfd is not $PCFD"
cmp -s "$PCFCTL" "$D/usr/local/sbin/pcfctl" || fail "installed pcfctl is not $PCFCTL"
for f in lib/systemd/system/pcf.service etc/pcf/pcfd.conf \
	usr/local/share/man/man8/pcfd.8 usr/local/share/man/man8/pcfctl.8; do
	[ "$(mode "$D/$f")" = 644 ] || fail "$f: missing or mode $(mode "$D/$f" 2>&1)"
done
cmp -s "$top/systemd/pcfd.conf" "$D/etc/pcf/pcfd.conf" || fail "pcfd.conf is not the example"
grep -qx 'ExecStart=/usr/local/sbin/pcfd -f -c /etc/pcf/pcfd.conf' "$D/lib/systemd/system/pcf.service" ||
	fail "ExecStart: $(grep ExecStart "$D/lib/systemd/system/pcf.service")"
[ "$(find "$D" -type f | wc -l)" = 6 ] || fail "unexpected files: $(find "$D" -type f)"

log "systemd-analyze verify: not a word"
# the unit as installed, its ExecStart pointing into DESTDIR
sed "s|/usr/local/sbin/|$D/usr/local/sbin/|" "$D/lib/systemd/system/pcf.service" >"$TMP/pcf.service"
MANPATH=$D/usr/local/share/man systemd-analyze verify "$TMP/pcf.service" >"$TMP/verify" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$TMP/verify")"
[ ! -s "$TMP/verify" ] || fail "systemd-analyze verify said: $(cat "$TMP/verify")"
systemd-analyze security --offline=true "$TMP/pcf.service" >"$TMP/security" 2>&1 ||
	fail "systemd-analyze security: $(tail -n 3 "$TMP/security")"
score=$(sed -n 's/.*Overall exposure level for pcf.service: \([0-9.]*\).*/\1/p' "$TMP/security")
log "exposure $score"
[ -n "$score" ] && awk "BEGIN { exit !($score <= 3.0) }" ||
	fail "exposure \"$score\" is above 3.0: $(grep '✗' "$TMP/security")"

log "man pages render without warnings"
for m in pcfd pcfctl; do
	MANWIDTH=80 man --warnings -l "$D/usr/local/share/man/man8/$m.8" >"$TMP/$m.txt" 2>"$TMP/$m.warn" ||
		fail "man $m: $(cat "$TMP/$m.warn")"
	[ ! -s "$TMP/$m.warn" ] || fail "man $m: $(cat "$TMP/$m.warn")"
	grep -q "^NAME" "$TMP/$m.txt" || fail "man $m rendered no NAME"
done

log "the example configuration: commented out it sets nothing; uncommented, one option a setting"
[ -z "$("$PCFD" --check -c "$D/etc/pcf/pcfd.conf")" ] || fail "the example sets something"
sed -n 's/^#\([a-z-]* = .*\)/\1/p' "$D/etc/pcf/pcfd.conf" >"$TMP/all.conf"
# (its rules file, made here: --check reads it too)
echo "flow add dst 198.18.0.1 action drop" >"$TMP/rules.batch"
sed -i "s|^rules-file = .*|rules-file = $TMP/rules.batch|" "$TMP/all.conf"
"$PCFD" --check -c "$TMP/all.conf" >"$TMP/all.out" || fail "uncommented example refused"
grep -qx "# $TMP/rules.batch: 1 commands" "$TMP/all.out" || fail "rules file: $(cat "$TMP/all.out")"
grep -v '^#' "$TMP/all.out" >"$TMP/all.args"
# (a boolean set to no adds no option)
[ "$(wc -l <"$TMP/all.args")" = "$(grep -vc ' = no$' "$TMP/all.conf")" ] ||
	fail "$(wc -l <"$TMP/all.conf") settings gave: $(cat "$TMP/all.args")"

log "reinstall keeps an edited pcfd.conf"
echo "interface = eth7" >>"$D/etc/pcf/pcfd.conf"
cp "$D/etc/pcf/pcfd.conf" "$TMP/edited.conf"
mk install DESTDIR="$D" >"$TMP/install.out" || fail "make install again"
grep -q "keeping $D/etc/pcf/pcfd.conf" "$TMP/install.out" || fail "install said: $(cat "$TMP/install.out")"
cmp -s "$TMP/edited.conf" "$D/etc/pcf/pcfd.conf" || fail "the edited pcfd.conf was overwritten"

log "uninstall removes what install put, keeps the edited pcfd.conf"
mk uninstall DESTDIR="$D" >"$TMP/uninstall.out" || fail "make uninstall"
left=$(find "$D" -type f)
[ "$left" = "$D/etc/pcf/pcfd.conf" ] || fail "left after uninstall: $left"
grep -q "keeping the edited" "$TMP/uninstall.out" || fail "uninstall said: $(cat "$TMP/uninstall.out")"

log "PREFIX=/opt/pcf: binaries and man pages move, ExecStart follows; uninstall leaves no file"
D2=$TMP/root2
mk install DESTDIR="$D2" PREFIX=/opt/pcf >/dev/null || fail "make install PREFIX=/opt/pcf"
[ -x "$D2/opt/pcf/sbin/pcfd" ] && [ -x "$D2/opt/pcf/sbin/pcfctl" ] || fail "no binaries in /opt/pcf/sbin"
[ -f "$D2/opt/pcf/share/man/man8/pcfd.8" ] || fail "no man page in /opt/pcf/share/man/man8"
grep -qx 'ExecStart=/opt/pcf/sbin/pcfd -f -c /etc/pcf/pcfd.conf' "$D2/lib/systemd/system/pcf.service" ||
	fail "ExecStart: $(grep ExecStart "$D2/lib/systemd/system/pcf.service")"
! grep -q /usr/local "$D2/lib/systemd/system/pcf.service" || fail "/usr/local left in the unit"
mk uninstall DESTDIR="$D2" PREFIX=/opt/pcf >/dev/null || fail "make uninstall PREFIX=/opt/pcf"
[ -z "$(find "$D2" -type f)" ] || fail "left after uninstall: $(find "$D2" -type f)"
[ ! -e "$D2/etc/pcf" ] || fail "/etc/pcf left behind"
log PASS
