# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared set-up of the HTTP endpoint's tests (tests/e2e/http_*.sh);
# sourced, not run.  worker_env.bash's three namespaces and pcfd in dut
# (start_fp), with pcfd's HTTP endpoint on a unix socket of this run and
# on 127.0.0.1:$HPORT in dut's namespace (ports are per namespace: no
# other run can hold it).
. "$(dirname "${BASH_SOURCE[0]}")/worker_env.bash"
need_tool curl curl

# uid 65534 (the access tests) must reach the socket: the directories on
# the way are searchable, the socket is 0666 (pcfd makes it so)
HDIR=$TMP/http
mkdir -p "$HDIR"
chmod 755 "$TMP" "$HDIR"
SOCK=$HDIR/pcfd.sock
HPORT=9750
HTTP_ARGS=(--http "unix:$SOCK" --http "127.0.0.1:$HPORT")

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# json EXPR < JSON: a python expression on the parsed input j
json() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# req METHOD PATH [BODY]: over the unix socket; prints the status, the
# answer's body is in $TMP/body (its headers in $TMP/head)
req() {
	local m=$1 p=$2
	shift 2
	curl -sS --unix-socket "$SOCK" -D "$TMP/head" -o "$TMP/body" \
		-w '%{http_code}' -X "$m" ${1+--data-binary "$1"} "http://pcfd$p"
}
# treq METHOD PATH [BODY]: the same over TCP, in dut
treq() {
	local m=$1 p=$2
	shift 2
	in_ns "$dut" curl -sS -D "$TMP/head" -o "$TMP/body" -w '%{http_code}' \
		-X "$m" ${1+--data-binary "$1"} "http://127.0.0.1:$HPORT$p"
}
# expect CODE METHOD PATH [BODY]: req answers CODE
expect() {
	local want=$1 got
	shift
	got=$(req "$@") || fail "curl $*: $(cat "$TMP/body" 2>/dev/null)"
	[ "$got" = "$want" ] || fail "$1 $2 answered $got, not $want: $(cat "$TMP/body")"
}
# said TEXT: the last answer's body has TEXT
said() {
	grep -qF -- "$1" "$TMP/body" || fail "no \"$1\" in: $(cat "$TMP/body")"
}
# field NAME: the last answer is an error naming field NAME
field() {
	[ "$(json "j.get('field')" <"$TMP/body")" = "$1" ] ||
		fail "the error names field $(json "j.get('field')" <"$TMP/body"), not $1: $(cat "$TMP/body")"
}
# body EXPR: a python expression on the last answer's JSON
body() { json "$1" <"$TMP/body"; }
