// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * nat.c - stateless SNAT/DNAT with incremental checksum updates.
 */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "nat.h"
#include "pcf_csum.h"

#define TCP_CSUM_OFF  16
#define UDP_CSUM_OFF  6
#define ICMP_CSUM_OFF 2

/*
 * Where the L4 checksum covering the pseudo-header sits, or NULL if there
 * is none to update (no L4 header, ICMPv4, other protocols).
 */
static __u8 *pseudo_csum(const struct pcf_pkt_ref *p)
{
	if (!p->l4_off)
		return NULL;
	switch (p->proto) {
	case IPPROTO_TCP:
		return p->data + p->l4_off + TCP_CSUM_OFF;
	case IPPROTO_UDP:
		return p->data + p->l4_off + UDP_CSUM_OFF;
	case IPPROTO_ICMPV6:
		return p->family == 6 ? p->data + p->l4_off + ICMP_CSUM_OFF
				      : NULL;
	default:
		return NULL;
	}
}

/*
 * Update the L4 checksum at csum for n changed words.  An IPv4 UDP
 * checksum of 0 means "none" and stays 0; a computed UDP checksum of 0 is
 * sent as 0xffff (RFC 768), its one's complement twin.
 */
static void l4_csum_update(const struct pcf_pkt_ref *p, __u8 *csum,
			   const __u16 *old, const __u16 *new, unsigned int n)
{
	__u16 check = pcf_get16(csum);

	if (p->proto == IPPROTO_UDP && p->family == 4 && !check)
		return;
	check = pcf_csum_replace_words(check, old, new, n);
	if (p->proto == IPPROTO_UDP && !check)
		check = 0xffff;
	pcf_put16(csum, check);
}

static void nat_addr(struct pcf_pkt_ref *p, const struct pcf_nat *nat,
		     enum pcf_nat_dir dir)
{
	__u8 *l3 = p->data + p->l3_off;
	unsigned int alen = p->family == 4 ? 4 : 16;
	__u8 *addr, *csum = pseudo_csum(p);
	__u16 old[8], new[8];

	if (p->family == 4)
		addr =
		    l3 + (dir == PCF_NAT_SRC ? offsetof(struct iphdr, saddr)
					     : offsetof(struct iphdr, daddr));
	else
		addr =
		    l3 + (dir == PCF_NAT_SRC ? offsetof(struct ipv6hdr, saddr)
					     : offsetof(struct ipv6hdr, daddr));
	memcpy(old, addr, alen);
	memcpy(new, nat->addr, alen);

	if (p->family == 4) {
		__u8 *ipcsum = l3 + offsetof(struct iphdr, check);

		pcf_put16(ipcsum, pcf_csum_replace_words(pcf_get16(ipcsum), old,
							 new, 2));
	}
	if (csum)
		l4_csum_update(p, csum, old, new, alen / 2);
	memcpy(addr, nat->addr, alen);
}

static void nat_port(struct pcf_pkt_ref *p, __be16 port, enum pcf_nat_dir dir)
{
	/* source port first, destination port next in TCP and UDP */
	__u8 *pp = p->data + p->l4_off + (dir == PCF_NAT_SRC ? 0 : 2);
	__u16 old = pcf_get16(pp);

	l4_csum_update(p, pseudo_csum(p), &old, &port, 1);
	pcf_put16(pp, port);
}

int pcf_nat_apply(struct pcf_pkt_ref *p, const struct pcf_nat *nat,
		  enum pcf_nat_dir dir)
{
	if (nat->family != p->family)
		return -EAFNOSUPPORT;
	nat_addr(p, nat, dir);
	if (nat->port && p->l4_off &&
	    (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP))
		nat_port(p, nat->port, dir);
	return 0;
}
