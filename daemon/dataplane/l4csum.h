/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * l4csum.h - verify the TCP/UDP checksum of a packet as it arrived: the
 * workers check a sample of what they receive, to tell the operator when
 * senders leave checksums to an offload that AF_XDP does not do (a veth
 * or container sender hands over CHECKSUM_PARTIAL packets whose checksum
 * field holds only the pseudo-header sum).  Pure: no kernel needed.
 */
#ifndef PCF_L4CSUM_H
#define PCF_L4CSUM_H

#include "pipeline.h" /* struct pcf_pkt_ref */

enum pcf_l4csum {
	PCF_L4CSUM_NA = 0, /* not TCP/UDP, a fragment, UDP without checksum */
	PCF_L4CSUM_GOOD,
	PCF_L4CSUM_BAD,
};

/* Check p (headers already bounded by pcf_pkt_check). */
enum pcf_l4csum pcf_l4csum_check(const struct pcf_pkt_ref *p);

/*
 * Compute and write the checksum of the ICMP (or ICMPv6, with its
 * pseudo-header) message of p, after a rewrite too deep for incremental
 * updates (an ICMP error's quoted packet).  -EINVAL: a fragment, or the
 * message runs past the frame.
 */
int pcf_l4csum_icmp_fill(struct pcf_pkt_ref *p);

#endif /* PCF_L4CSUM_H */
