/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_xlat.h - a session's packet rewritten to the tuple its entry says
 * (pcf_ct_entry.xlat), checksums updated: addresses, TCP/UDP ports, the
 * identifier of an ICMP echo; and an ICMP error about a session, whose
 * outer header and quoted packet are rewritten together, every checksum
 * right (the outer and quoted IPv4 header, the quoted TCP/UDP or ICMP
 * checksum when it is quoted, the ICMP checksum, for ICMPv6 with its
 * pseudo-header).  Pure: packet bytes in, packet bytes out.
 */
#ifndef PCF_CT_XLAT_H
#define PCF_CT_XLAT_H

#include <stdbool.h>

#include "pcf_abi.h"
#include "pkt.h"

/*
 * The session key of p (as pcf_steer computes it, pcf_abi.h), for a new
 * session; *ret_ports: it carries a source port NAT may change (TCP, UDP,
 * an ICMP echo request).  -ENOENT: p cannot have a session (a fragment
 * without its L4 header, an ICMP message other than an echo).
 */
int pcf_ct_pkt_key(const struct pcf_pkt_ref *p, struct pcf_ct_key *ret,
		   bool *ret_ports);

/* Rewrite p (a packet of the session's direction) to the tuple to. */
void pcf_ct_xlat(struct pcf_pkt_ref *p, const struct pcf_ct_key *to);

/*
 * Rewrite the ICMP error p about a session whose entry (the one its
 * quoted packet, reversed, leads to) says to: the outer destination and
 * the quoted source become to's destination, the quoted destination
 * to's source; the outer source too when the error came from the
 * session's peer itself (not from a router on the way).  -EINVAL: the
 * quoted packet does not fit the frame (nothing was changed).
 */
int pcf_ct_xlat_error(struct pcf_pkt_ref *p, const struct pcf_ct_key *to);

#endif /* PCF_CT_XLAT_H */
