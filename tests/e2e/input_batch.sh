#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# input_batch: `pcfctl -batch` holds one line whatever it is given, against
# a running pcfd.  /dev/zero, a directory, a NUL byte, a control
# character, a line, the lines and the bytes beyond a batch file's limits
# are each refused with FILE:LINE (exit 2), the lines before them run, and
# an endless stream (`yes ... | "${PCFCTL_NS[@]}" -batch -`) keeps pcfctl's peak
# resident memory small, whether it ends at the line limit or is stopped.
. "$(dirname "$0")/ctl_env.bash"

PEAK=$BUILD/tests/tools/peak-rss
[ -x "$PEAK" ] || fail "build tests/tools/peak-rss first"
MAX_KB=16384 # pcfctl itself is about 2 MiB

# small RC PATTERN CMD...: as expect_fail, and CMD's peak RSS under MAX_KB
# (killed after 20 s: the reading that does not stop is the failure)
small() {
	local want=$1 pat=$2 rc kb
	shift 2
	"$PEAK" -t 20 "$TMP/kb" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	kb=$(cat "$TMP/kb")
	[ "$rc" = "$want" ] || fail "$* exited $rc, not $want: $(tail -n 3 "$TMP/err")"
	grep -q -- "$pat" "$TMP/err" || fail "$*: no \"$pat\" in: $(tail -n 3 "$TMP/err")"
	[ "$kb" -lt "$MAX_KB" ] || fail "$* held $kb KiB"
	log "$(tail -n 1 "$TMP/err") ($kb KiB)"
}

PCFCTL_NS=("$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT")
rules() { ctl -j flow show | json 'len(j)'; }

start_pcfd

log "/dev/zero, a directory, a file that is not there"
small 2 "^Error: /dev/zero:1:1: a NUL byte: not a text file$" "${PCFCTL_NS[@]}" -batch /dev/zero
small 2 "^Error: $TMP: is a directory, not a file$" "${PCFCTL_NS[@]}" -batch "$TMP"
small 1 "^Error: $TMP/none: cannot open: No such file" "${PCFCTL_NS[@]}" -batch "$TMP/none"
exec 3<"$TMP"
small 2 "^Error: stdin: is a directory, not a file$" "${PCFCTL_NS[@]}" -batch - <&3
exec 3<&-

log "a NUL byte in line 2: line 1 runs, line 2 is refused whole, -force or not"
printf 'flow add src 198.18.0.1 action drop\nflow add src 198.18.0.2 action drop\0 dport 1\n' >"$TMP/nul"
small 2 "^Error: $TMP/nul:2:36: a NUL byte: not a text file$" "${PCFCTL_NS[@]}" -force -batch "$TMP/nul"
[ "$(rules)" = 1 ] || fail "not just line 1 ran: $(ctl flow show)"
ctl flow flush

log "a control character, invalid UTF-8"
printf 'flow add src 198.18.0.1 action drop\n# \033[2J\n' >"$TMP/esc"
small 2 "^Error: $TMP/esc:2:3: control character 0x1b$" "${PCFCTL_NS[@]}" -batch "$TMP/esc"
printf '# caf\351\n' >"$TMP/latin1"
small 2 "^Error: $TMP/latin1:1:6: invalid UTF-8$" "${PCFCTL_NS[@]}" -batch "$TMP/latin1"
ctl flow flush

log "a line of 4096 bytes runs, of 4097 is refused"
line=$(printf 'flow add src 198.18.0.1 action drop%4061s' '')
[ ${#line} = 4096 ] || fail "the test's line is ${#line} bytes"
echo "$line" >"$TMP/long"
"${PCFCTL_NS[@]}" -batch "$TMP/long" >/dev/null || fail "a line of 4096 bytes was refused"
echo "$line " >"$TMP/long"
small 2 "^Error: $TMP/long:1: line longer than 4096 bytes, the limit of a batch file$" \
	"${PCFCTL_NS[@]}" -batch "$TMP/long"
ctl flow flush

log "more than 32 MiB: refused at the line that goes beyond"
# 8192 comment lines of 4096 bytes are 32 MiB: the 8193rd goes beyond
c=$(printf '#%4094s' '')
yes "$c" | head -n 8193 >"$TMP/big"
small 2 "^Error: $TMP/big:8193: more than 32 MiB, the limit of a batch file$" \
	"${PCFCTL_NS[@]}" -batch "$TMP/big"

log "endless streams: a line without end, lines without end"
small 2 "^Error: stdin:1: line longer than 4096 bytes, the limit of a batch file$" \
	sh -c 'yes | tr -d "\n" | "$0" "$@"' "${PCFCTL_NS[@]}" -batch -
# (comments: lines pcfd never sees, so the limit comes in a blink)
small 2 "^Error: stdin:131073: more than 131072 lines, the limit of a batch file$" \
	sh -c 'yes "# flow flush" | "$0" "$@"' "${PCFCTL_NS[@]}" -batch -
# a command that answers each line: stopped after 3 s, whatever line it is at
ctl flow add src 198.18.0.9 action drop >/dev/null
"$PEAK" -t 3 "$TMP/kb" sh -c 'yes "flow show" | "$0" "$@"' \
	"${PCFCTL_NS[@]}" -batch - >"$TMP/shows" 2>"$TMP/err"
rc=$?
[ "$rc" = 124 ] || [ "$rc" = 2 ] || fail "yes 'flow show' | "${PCFCTL_NS[@]}" -batch - exited $rc: $(tail -n 3 "$TMP/err")"
n=$(grep -c '^id ' "$TMP/shows")
[ "$n" -gt 0 ] || fail "no flow show answered"
[ "$(cat "$TMP/kb")" -lt "$MAX_KB" ] || fail "pcfctl held $(cat "$TMP/kb") KiB after $n lines"
log "yes 'flow show': $n lines answered, $(cat "$TMP/kb") KiB at the most"

log "pcfd serves on"
ctl flow show >/dev/null || fail "pcfd does not answer"
log PASS
