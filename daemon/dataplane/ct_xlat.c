// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_xlat.c - rewrite a session's packets and the ICMP errors about them
 * (see ct_xlat.h).  Addresses and ports go through nat.c's incremental
 * updates, the quoted packet's as well (a pcf_pkt_ref of its own); the
 * ICMP checksum of an error is computed again over the whole message.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "ct_xlat.h"
#include "l4csum.h"
#include "nat.h"
#include "pcf_csum.h"

#define IP_OFFSET     0x1fff
#define ICMP_CSUM_OFF 2
#define ICMP_ID_OFF   4
#define TCP_CSUM_END  18 /* a quoted TCP header shorter has no checksum */

static unsigned int alen(__u8 family)
{
	return family == 4 ? 4 : 16;
}

/* Where the source (and after it the destination) address of l3 is. */
static __u8 *saddr(__u8 *l3, __u8 family)
{
	return l3 + (family == 4 ? offsetof(struct iphdr, saddr)
				 : offsetof(struct ipv6hdr, saddr));
}

static __u8 *daddr(__u8 *l3, __u8 family)
{
	return saddr(l3, family) + alen(family);
}

int pcf_ct_pkt_key(const struct pcf_pkt_ref *p, struct pcf_ct_key *ret,
		   bool *ret_ports)
{
	const __u8 *l4 = p->data + p->l4_off;
	struct pcf_ct_key k = { .proto = p->proto, .family = p->family };

	memcpy(k.src, saddr(p->data + p->l3_off, p->family), alen(p->family));
	memcpy(k.dst, daddr(p->data + p->l3_off, p->family), alen(p->family));
	*ret_ports = false;
	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (!p->l4_off)
			return -ENOENT;
		memcpy(&k.sport, l4, 2);
		memcpy(&k.dport, l4 + 2, 2);
		*ret_ports = true;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (!p->l4_off || p->len - p->l4_off < 8)
			return -ENOENT;
		switch (pcf_ct_icmp_kind(p->proto, l4[0])) {
		case PCF_CT_ICMP_REQUEST:
			memcpy(&k.sport, l4 + ICMP_ID_OFF, 2);
			*ret_ports = true;
			break;
		case PCF_CT_ICMP_REPLY:
			memcpy(&k.dport, l4 + ICMP_ID_OFF, 2);
			break;
		default:
			return -ENOENT;
		}
		break;
	default:
		/* other protocols: their addresses; a fragment as well */
		break;
	}
	*ret = k;
	return 0;
}

/* The echo identifier of the ICMP header at l4 becomes id. */
static void echo_id(__u8 *l4, __be16 id)
{
	__u16 old = pcf_get16(l4 + ICMP_ID_OFF);

	if (old == id)
		return;
	pcf_put16(l4 + ICMP_CSUM_OFF,
		  pcf_csum_replace16(pcf_get16(l4 + ICMP_CSUM_OFF), old, id));
	pcf_put16(l4 + ICMP_ID_OFF, id);
}

/* The address (and TCP/UDP port) of dir of p becomes addr (and port). */
static void rewrite(struct pcf_pkt_ref *p, enum pcf_nat_dir dir,
		    const __u8 *addr, __be16 port)
{
	struct pcf_nat nat = { .port = port, .family = p->family };

	memcpy(nat.addr, addr, alen(p->family));
	pcf_nat_apply(p, &nat, dir);
}

static bool ports_differ(const struct pcf_pkt_ref *p, __be16 port,
			 unsigned int off)
{
	return p->l4_off &&
	       (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	       pcf_get16(p->data + p->l4_off + off) != port;
}

void pcf_ct_xlat(struct pcf_pkt_ref *p, const struct pcf_ct_key *to)
{
	__u8 *l3 = p->data + p->l3_off, *l4 = p->data + p->l4_off;
	unsigned int n = alen(p->family);

	if (memcmp(saddr(l3, p->family), to->src, n) ||
	    ports_differ(p, to->sport, 0))
		rewrite(p, PCF_NAT_SRC, to->src, to->sport);
	if (memcmp(daddr(l3, p->family), to->dst, n) ||
	    ports_differ(p, to->dport, 2))
		rewrite(p, PCF_NAT_DST, to->dst, to->dport);
	if ((p->proto != IPPROTO_ICMP && p->proto != IPPROTO_ICMPV6) ||
	    !p->l4_off || p->len - p->l4_off < 8)
		return;
	switch (pcf_ct_icmp_kind(p->proto, l4[0])) {
	case PCF_CT_ICMP_REQUEST:
		echo_id(l4, to->sport);
		break;
	case PCF_CT_ICMP_REPLY:
		echo_id(l4, to->dport);
		break;
	default:
		break;
	}
}

/*
 * The packet quoted in the ICMP error p, as a packet of its own within
 * p's frame (len: up to the end of the ICMP message); its L4 offset is 0
 * when its checksum is not quoted (only its ports are then rewritten).
 */
static int quoted(const struct pcf_pkt_ref *p, struct pcf_pkt_ref *q,
		  bool *ret_ports_only)
{
	__u32 off = p->l4_off + 8, l4;
	const __u8 *in = p->data + off;

	if (p->len < off + (p->family == 4 ? sizeof(struct iphdr)
					   : sizeof(struct ipv6hdr)))
		return -EINVAL;
	*q = (struct pcf_pkt_ref){ .data = p->data,
				   .len = p->len,
				   .l3_off = off,
				   .family = p->family };
	if (p->family == 4) {
		const struct iphdr *ip = (const void *)in;

		if (ip->version != 4 || ip->ihl < 5 ||
		    (ip->frag_off & htons(IP_OFFSET)))
			return -EINVAL;
		q->proto = ip->protocol;
		l4 = off + ip->ihl * 4;
	} else {
		const struct ipv6hdr *ip6 = (const void *)in;

		if (ip6->version != 6)
			return -EINVAL;
		q->proto = ip6->nexthdr;
		l4 = off + sizeof(*ip6);
	}
	/* pcf_steer found the session by the quoted ports: they are there */
	if (l4 + 8 > p->len)
		return -EINVAL;
	q->l4_off = l4;
	*ret_ports_only = q->proto == IPPROTO_TCP && l4 + TCP_CSUM_END > p->len;
	if (*ret_ports_only)
		q->l4_off = 0;
	return 0;
}

/* The quoted packet q's ports: source sport, destination dport. */
static void quoted_ports(struct pcf_pkt_ref *q, __u32 l4, bool ports_only,
			 __be16 sport, __be16 dport)
{
	__u8 *h = q->data + l4;

	if (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP) {
		if (ports_only) {
			pcf_put16(h, sport);
			pcf_put16(h + 2, dport);
		}
		return;
	}
	switch (pcf_ct_icmp_kind(q->proto, h[0])) {
	case PCF_CT_ICMP_REQUEST:
		echo_id(h, sport);
		break;
	case PCF_CT_ICMP_REPLY:
		echo_id(h, dport);
		break;
	default:
		break;
	}
}

int pcf_ct_xlat_error(struct pcf_pkt_ref *p, const struct pcf_ct_key *to)
{
	__u8 *l3 = p->data + p->l3_off;
	unsigned int n = alen(p->family);
	struct pcf_pkt_ref q;
	bool ports_only, from_peer;
	__u32 ql4;
	int err;

	if (!p->l4_off)
		return -EINVAL;
	err = quoted(p, &q, &ports_only);
	if (err)
		return err;
	ql4 = q.l4_off
		  ? q.l4_off
		  : q.l3_off + (p->family == 4 ? (p->data[q.l3_off] & 0xf) * 4
					       : sizeof(struct ipv6hdr));
	/* an error from the peer itself, not a router: its source too */
	from_peer = !memcmp(saddr(l3, p->family),
			    daddr(q.data + q.l3_off, p->family), n);
	/* the quoted packet went the other way: it is rewritten as a
	 * packet of the other direction, its source to our destination */
	rewrite(&q, PCF_NAT_SRC, to->dst, ports_only ? 0 : to->dport);
	rewrite(&q, PCF_NAT_DST, to->src, ports_only ? 0 : to->sport);
	quoted_ports(&q, ql4, ports_only, to->dport, to->sport);
	rewrite(p, PCF_NAT_DST, to->dst, 0);
	if (from_peer)
		rewrite(p, PCF_NAT_SRC, to->src, 0);
	return pcf_l4csum_icmp_fill(p);
}
