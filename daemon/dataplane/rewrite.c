// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rewrite.c - TTL / hop limit, DF and Ethernet address rewrites.
 */
#include <stddef.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "rewrite.h"
#include "pcf_csum.h"

#define IP_DF 0x4000

int pcf_rewrite_ttl(struct pcf_pkt_ref *p, int delta)
{
	__u8 *l3 = p->data + p->l3_off;
	__u8 *ttl;
	__u16 old;
	int v;

	ttl = l3 + (p->family == 4 ? offsetof(struct iphdr, ttl)
				   : offsetof(struct ipv6hdr, hop_limit));
	v = *ttl + delta;
	if (v <= 0)
		return -1;
	if (v > 255)
		v = 255;
	if (p->family == 4) {
		/* TTL shares its checksum word with the protocol byte */
		__u8 *csum = l3 + offsetof(struct iphdr, check);

		old = pcf_get16(ttl);
		*ttl = v;
		pcf_put16(csum, pcf_csum_replace16(pcf_get16(csum), old,
						   pcf_get16(ttl)));
	} else {
		*ttl = v;
	}
	return 0;
}

void pcf_rewrite_df_clear(struct pcf_pkt_ref *p)
{
	__u8 *l3 = p->data + p->l3_off;
	__u8 *frag = l3 + offsetof(struct iphdr, frag_off);
	__u8 *csum = l3 + offsetof(struct iphdr, check);
	__u16 old, new;

	if (p->family != 4)
		return;
	old = pcf_get16(frag);
	new = old & ~htons(IP_DF);
	if (new == old)
		return;
	pcf_put16(frag, new);
	pcf_put16(csum, pcf_csum_replace16(pcf_get16(csum), old, new));
}

void pcf_rewrite_eth(struct pcf_pkt_ref *p, const __u8 *dmac, const __u8 *smac)
{
	memcpy(p->data, dmac, ETH_ALEN);
	memcpy(p->data + ETH_ALEN, smac, ETH_ALEN);
}

__u16 pcf_rewrite_strip_vlan(struct pcf_pkt_ref *p)
{
	__u16 n = p->l3_off > ETH_HLEN ? p->l3_off - ETH_HLEN : 0;

	if (!n)
		return 0;
	/* the innermost EtherType stays where it is, right before L3 */
	memmove(p->data + n, p->data, 2 * ETH_ALEN);
	p->data += n;
	p->len -= n;
	p->l3_off -= n;
	if (p->l4_off)
		p->l4_off -= n;
	return n;
}
