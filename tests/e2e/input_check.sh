#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# input_check: pcfd refuses, exit 2, before it touches anything, what
# `pcfd --check` refuses too: a configuration or rules file that is
# /dev/zero, an endless pipe, a directory, or holds a NUL byte or a line
# beyond the limits (its peak resident memory stays small all the same);
# an interface given twice, in the file or with -i; a value out of its
# range.  A start with `-i V -i V` leaves no pin directory and no XDP.
# A rules file's refusals name the words of the line.
. "$(dirname "$0")/../lib/common.sh"

need_root
PEAK=$BUILD/tests/tools/peak-rss
[ -x "$PEAK" ] && [ -x "$PCFD" ] || fail "build pcfd and tests/tools/peak-rss first"
# pcfd is about 3 MiB; a rules file at its line limit of `flow add` lines
# holds 131072 parsed changes, about 24 MiB
MAX_KB=$((48 * 1024))

# refused PATTERN CMD...: exit 2, PATTERN on stderr, peak RSS under MAX_KB
refused() {
	local pat=$1 rc kb
	shift
	"$PEAK" -t 20 "$TMP/kb" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	kb=$(cat "$TMP/kb")
	[ "$rc" = 2 ] || fail "$* exited $rc, not 2: $(tail -n 3 "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" || fail "$*: no \"$pat\" in: $(tail -n 3 "$TMP/err")"
	[ "$kb" -lt "$MAX_KB" ] || fail "$* held $kb KiB"
	log "$(head -n 1 "$TMP/err") ($kb KiB)"
}

# conf NAME LINES...: a configuration file $TMP/NAME.conf
conf() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$TMP/$name.conf"
}

log "a good file passes --check"
echo "flow add dst 198.18.0.1 proto udp dport 53 action drop" >"$TMP/good.rules"
conf good "interface = p${ID}v" "frames = 65536" "rules-file = $TMP/good.rules"
"$PCFD" --check -c "$TMP/good.conf" >"$TMP/out" 2>&1 || fail "--check: $(cat "$TMP/out")"
grep -qx -- "--frames=65536" "$TMP/out" || fail "--check printed: $(cat "$TMP/out")"

log "the rules file: /dev/zero, a directory, an endless pipe, a NUL byte"
conf zero "rules-file = /dev/zero"
refused "^pcfd: /dev/zero:1:1: a NUL byte: not a text file$" "$PCFD" --check -c "$TMP/zero.conf"
conf dir "rules-file = $TMP"
refused "^pcfd: $TMP: is a directory, not a file$" "$PCFD" --check -c "$TMP/dir.conf"
conf stdin "rules-file = /dev/stdin"
refused "^pcfd: /dev/stdin:1: line longer than 4096 bytes, the limit of a rules file$" \
	sh -c 'yes | tr -d "\n" | "$0" "$@"' "$PCFD" --check -c "$TMP/stdin.conf"
refused "^pcfd: /dev/stdin:131073: more than 131072 lines, the limit of a rules file$" \
	sh -c 'yes "flow add dst 2001:db8::1 proto udp dport 1 action drop" | "$0" "$@"' \
	"$PCFD" --check -c "$TMP/stdin.conf"
printf 'flow add dst 198.18.0.1 action drop\nflow add dst 198.18.0.2 action drop\0 dport 9\n' >"$TMP/nul.rules"
conf nul "rules-file = $TMP/nul.rules"
refused "^pcfd: $TMP/nul.rules:2:36: a NUL byte: not a text file$" "$PCFD" --check -c "$TMP/nul.conf"

log "the rules file: refusals in words"
printf 'flow add dst 198.18.1.1/24 action drop\n' >"$TMP/host.rules"
conf host "rules-file = $TMP/host.rules"
refused "^pcfd: $TMP/host.rules:1: dst \"198.18.1.1/24\": host bits set beyond the prefix length (the prefix is 198.18.1.0/24)$" \
	"$PCFD" --check -c "$TMP/host.conf"
printf '# ok\nflow add dst 198.18.0.1  action drop   mark 7\n' >"$TMP/mark.rules"
conf mark "rules-file = $TMP/mark.rules"
refused "^pcfd: $TMP/mark.rules:2: flow add dst 198.18.0.1 action drop mark 7: a dropped packet cannot" \
	"$PCFD" --check -c "$TMP/mark.conf"

log "the configuration file: /dev/zero, a directory, a NUL byte, too long"
refused "^pcfd: /dev/zero:1:1: a NUL byte: not a text file$" "$PCFD" --check -c /dev/zero
refused "^pcfd: $TMP: is a directory, not a file$" "$PCFD" --check -c "$TMP"
printf 'interface = a\0b\n' >"$TMP/nul.conf"
refused "^pcfd: $TMP/nul.conf:1:14: a NUL byte: not a text file$" "$PCFD" --check -c "$TMP/nul.conf"
# 1024 lines of 1024 bytes are 1 MiB: the 1025th goes beyond
yes "$(printf '#%1022s' '')" | head -n 1025 >"$TMP/big.conf"
refused "^pcfd: $TMP/big.conf:1025: more than 1 MiB, the limit of a configuration file$" \
	"$PCFD" --check -c "$TMP/big.conf"
yes "#" | head -n 16385 >"$TMP/lines.conf"
refused "^pcfd: $TMP/lines.conf:16385: more than 16384 lines, the limit of a configuration file$" \
	"$PCFD" --check -c "$TMP/lines.conf"

log "values: each interface once, numbers in range, names as the kernel takes them"
conf twice "interface = p${ID}v" "interface = p${ID}w" "interface = p${ID}v"
refused "^pcfd: $TMP/twice.conf:3: this interface is given twice: p${ID}v$" \
	"$PCFD" --check -c "$TMP/twice.conf"
conf frames "interface = p${ID}v" "frames = 1000000000"
refused "^pcfd: $TMP/frames.conf:2: --frames wants a number 128..65536: 1000000000$" \
	"$PCFD" --check -c "$TMP/frames.conf"
conf name "interface = p${ID}vvvvvvvvvvvvv"
refused "^pcfd: $TMP/name.conf:1: an interface name is 1..15 bytes" "$PCFD" --check -c "$TMP/name.conf"
refused "^pcfd: this interface is given twice: p${ID}v$" \
	"$PCFD" --check -c "$TMP/good.conf" -i "p${ID}v" -i "p${ID}v"

log "a start with an interface twice touches nothing"
ns=$(netns_add v) || exit 1
veth_add "$ns" "p${ID}v" "$ns" "p${ID}w"
refused "^pcfd: this interface is given twice: p${ID}v$" \
	nsenter --net=/run/netns/"$ns" "$PCFD" -f -i "p${ID}v" -i "p${ID}v" --pin-dir "$PIN_DIR"
refused "^pcfd: $TMP/twice.conf:3: this interface is given twice: p${ID}v$" \
	nsenter --net=/run/netns/"$ns" "$PCFD" -f -c "$TMP/twice.conf" --pin-dir "$PIN_DIR"
refused "^pcfd: /dev/zero:1:1: a NUL byte: not a text file$" \
	nsenter --net=/run/netns/"$ns" "$PCFD" -f -i "p${ID}v" --pin-dir "$PIN_DIR" --rules-file /dev/zero
[ ! -e "$PIN_DIR" ] || fail "the pin directory was created"
ip -n "$ns" -d link show "p${ID}v" | grep -q 'prog/xdp' && fail "XDP attached to p${ID}v"
log PASS
