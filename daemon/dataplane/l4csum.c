// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * l4csum.c - the full TCP/UDP checksum (RFC 793/768, RFC 8200 8.1) of a
 * received packet, its pseudo-header included.
 */
#include <errno.h>
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "l4csum.h"

#define IP_MF	  0x2000
#define IP_OFFSET 0x1fff

/* One's complement sum of len bytes, as 16-bit big-endian words. */
static __u64 sum_bytes(const __u8 *p, __u32 len, __u64 sum)
{
	__u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

static __u16 fold(__u64 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Pseudo-header sum and L4 length of an IPv4 packet; false: a fragment. */
static bool pseudo4(const struct pcf_pkt_ref *p, __u64 *sum, __u32 *l4len)
{
	const struct iphdr *iph = (const void *)(p->data + p->l3_off);
	__u32 tot = ntohs(iph->tot_len);

	if (iph->frag_off & htons(IP_MF | IP_OFFSET))
		return false; /* the checksum covers the whole datagram */
	*l4len = p->l3_off + tot - p->l4_off;
	*sum = sum_bytes((const __u8 *)&iph->saddr, 8, 0) + p->proto + *l4len;
	return true;
}

/* The same for IPv6; false: a fragment header on the way. */
static bool pseudo6(const struct pcf_pkt_ref *p, __u64 *sum, __u32 *l4len)
{
	const struct ipv6hdr *ip6h = (const void *)(p->data + p->l3_off);
	__u32 off = p->l3_off + sizeof(*ip6h);
	__u8 next = ip6h->nexthdr;

	/* the extension headers pcf_steer walked, up to the L4 header */
	while (off < p->l4_off) {
		if (next == IPPROTO_FRAGMENT)
			return false;
		next = p->data[off];
		off += (p->data[off + 1] + 1) * 8;
	}
	off = p->l3_off + sizeof(*ip6h) + ntohs(ip6h->payload_len);
	if (off < p->l4_off)
		return false;
	*l4len = off - p->l4_off;
	*sum = sum_bytes((const __u8 *)&ip6h->saddr, 32, 0) + p->proto + *l4len;
	return true;
}

enum pcf_l4csum pcf_l4csum_check(const struct pcf_pkt_ref *p)
{
	const __u8 *l4 = p->data + p->l4_off;
	__u32 l4len;
	__u64 sum;
	bool ok;

	if (!p->l4_off || (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP))
		return PCF_L4CSUM_NA;
	ok = p->family == 4 ? pseudo4(p, &sum, &l4len)
			    : pseudo6(p, &sum, &l4len);
	if (!ok || p->l4_off + l4len > p->len)
		return PCF_L4CSUM_NA;
	/* IPv4 UDP may go without a checksum (RFC 768) */
	if (p->proto == IPPROTO_UDP && p->family == 4 && l4len >= 8 && !l4[6] &&
	    !l4[7])
		return PCF_L4CSUM_NA;
	return fold(sum_bytes(l4, l4len, sum)) == 0xffff ? PCF_L4CSUM_GOOD
							 : PCF_L4CSUM_BAD;
}

int pcf_l4csum_icmp_fill(struct pcf_pkt_ref *p)
{
	const struct iphdr *iph = (const void *)(p->data + p->l3_off);
	__u8 *l4 = p->data + p->l4_off;
	__u32 l4len;
	__u64 sum = 0;
	__u16 c;

	if (!p->l4_off)
		return -EINVAL;
	if (p->family == 4) {
		/* ICMP sums its message alone */
		if (iph->frag_off & htons(IP_MF | IP_OFFSET))
			return -EINVAL;
		l4len = p->l3_off + ntohs(iph->tot_len) - p->l4_off;
	} else if (!pseudo6(p, &sum, &l4len)) {
		return -EINVAL;
	}
	if (l4len < 4 || p->l4_off + l4len > p->len)
		return -EINVAL;
	l4[2] = l4[3] = 0;
	c = ~fold(sum_bytes(l4, l4len, sum));
	l4[2] = c >> 8;
	l4[3] = c & 0xff;
	return 0;
}
