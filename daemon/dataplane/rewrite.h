/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rewrite.h - header rewrites of a checked packet besides NAT: TTL / hop
 * limit, DF clear, and the Ethernet addresses of the next hop.
 */
#ifndef PCF_REWRITE_H
#define PCF_REWRITE_H

#include "pcf_abi.h"
#include "pkt.h"

/*
 * Add delta to the TTL (IPv4, header checksum updated) or hop limit (IPv6);
 * capped at 255.  Returns -1, packet untouched, if it would reach 0.
 */
int pcf_rewrite_ttl(struct pcf_pkt_ref *p, int delta);

/* Clear IPv4 DF (header checksum updated); nothing for IPv6. */
void pcf_rewrite_df_clear(struct pcf_pkt_ref *p);

void pcf_rewrite_eth(struct pcf_pkt_ref *p, const __u8 *dmac, const __u8 *smac);

/*
 * Take the VLAN tags (802.1Q / 802.1ad) off: the addresses move up to the
 * innermost EtherType, p then starts that many bytes later.  A tag names a
 * VLAN of the link the packet came in on; the next hop's link is another.
 * Returns the bytes taken off (0: untagged).
 */
__u16 pcf_rewrite_strip_vlan(struct pcf_pkt_ref *p);

#endif /* PCF_REWRITE_H */
