# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared set-up of the control-channel tests (tests/e2e/ctl_*.sh); sourced,
# not run (run.sh only runs *.sh).  One namespace with a veth pair, pcfd on
# one end with this run's pin directory and its own control port id.
. "$(dirname "$0")/../lib/common.sh"

need_root
[ -x "$PCFD" ] && [ -x "$PCFCTL" ] || fail "build pcfd and pcfctl first (make BUILD=$BUILD)"

# a port id of this run: never the default, never another run's
CTL_PORT=$(( 0x70630000 + 0x$ID ))
netns_add d >/dev/null
NS=pcf${ID}d IF_A=p${ID}a IF_B=p${ID}b
veth_add "$NS" "$IF_A" "$NS" "$IF_B"

ctl() { "$PCFCTL" -n "$NS" --ctl-port "$CTL_PORT" "$@"; }

# start_pcfd [ARGS...]: pcfd in the namespace, up when it answers
start_pcfd() {
	# nsenter itself, not the in_ns function: $! must be pcfd's pid
	nsenter --net=/run/netns/"$NS" "$PCFD" -f -i "$IF_A" --pin-dir "$PIN_DIR" \
		--ctl-port "$CTL_PORT" "$@" >>"$TMP/pcfd.log" 2>&1 &
	PCFD_PID=$!
	track "$PCFD_PID"
	wait_for 10 ctl flow show >/dev/null 2>&1 ||
		{ cat "$TMP/pcfd.log"; fail "pcfd did not come up"; }
}

# the system python: the pyenv shim costs half a second a call
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# json EXPR < JSON: evaluate a python expression on the parsed input j
json() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
