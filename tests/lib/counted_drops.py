# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""counted_drops.py < STATS.json: every drop `pcfctl -j stats` counts, not
twice: XDP's drops, the workers' drops, their sockets' kernel counters
(XDP_STATISTICS) and the interfaces' tx drops.  A veth counts the
redirects its socket could not take as its rx drops: those are the
sockets' own, so the links' rx drops are left out.  With the argument
"steered": only what can befall a packet XDP steered to a worker (XDP's
own drops left out)."""
import json
import sys

st = json.load(sys.stdin)
n = 0 if sys.argv[1:] == ["steered"] else st["xdp"]["drop"]["packets"]
for w in st["workers"]:
    n += sum(w["drops"].values())
    for s in ("socket", "return_socket"):
        x = w.get(s, {})
        n += sum(x.get(k, 0) for k in ("rx_dropped", "rx_ring_full",
                                       "rx_invalid_descs", "tx_invalid_descs"))
n += sum(l.get("tx_dropped", 0) for l in st.get("links", []))
print(n)
