/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nat.h - stateless source/destination NAT of one packet: IPv4 address and
 * TCP/UDP port, IPv6 address (NAT66) and port, ICMP/ICMPv6 addresses.
 * Checksums are updated incrementally (RFC 1624, pcf_csum.h): the IPv4
 * header checksum and the L4 checksum with its pseudo-header.
 *
 * Bidirectional NAT is two rules, one per direction: SNAT a->b on the way
 * out, and a rule matching the replies (dst b) with DNAT b->a on the way
 * back.
 */
#ifndef PCF_NAT_H
#define PCF_NAT_H

#include <stdbool.h>

#include "pcf_abi.h"
#include "pkt.h"

enum pcf_nat_dir {
	PCF_NAT_SRC,
	PCF_NAT_DST,
};

/*
 * Rewrite the source or destination address (and port, when nat->port is
 * not 0 and the packet has a TCP/UDP header) of a checked packet.
 * Returns 0, or -EAFNOSUPPORT if nat is of the other address family.
 */
int pcf_nat_apply(struct pcf_pkt_ref *p, const struct pcf_nat *nat,
		  enum pcf_nat_dir dir);

#endif /* PCF_NAT_H */
