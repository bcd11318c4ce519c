/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frame.h - craft test frames in C: Ethernet, up to two VLAN tags, IPv4
 * (with options and fragments) or IPv6 (with extension headers), and a
 * TCP, UDP, ICMP or ICMPv6 header; plus the full RFC 1071 checksum the
 * incremental updates are checked against.
 *
 * Every frame ends where the steering program stops parsing unless a
 * payload is asked for, so that cutting it anywhere gives a malformed frame.
 */
#ifndef PCF_TEST_FRAME_H
#define PCF_TEST_FRAME_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#define FRAME_MAX 512

/* Full Internet checksum (RFC 1071) of len bytes, in network order. */
static inline __u16 csum_full(const void *data, size_t len)
{
	const __u8 *p = data;
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

/* Checksum an IPv4 header would carry: computed with its check zeroed. */
static inline __u16 ipv4_csum(const struct iphdr *iph)
{
	__u8 hdr[60];
	size_t len = iph->ihl * 4;

	memcpy(hdr, iph, len);
	((struct iphdr *)hdr)->check = 0;
	return csum_full(hdr, len);
}

struct frame_spec {
	int family; /* 4 or 6 */
	__u8 proto; /* IPPROTO_*; 0 is UDP */
	const char *src, *dst;
	__u16 sport, dport; /* host order; ICMP/ICMPv6: type and code */
	__u8 ttl;	    /* TTL or hop limit; 0 gives 64 */
	bool df;
	__u16 frag_offset; /* fragment offset in 8-byte units (IPv4 header
			      or IPv6 fragment header) */
	bool more_frags;   /* MF / M flag */
	int opt_words;	 /* IPv4 options, 4 bytes each (ihl = 5 + opt_words) */
	__u16 vlan[2];	 /* TPIDs of the VLAN tags, outermost first; 0 ends */
	__u8 ext[8];	 /* IPv6 extension headers in order; 0 ends */
	size_t payload;	 /* bytes after the L4 header */
	__u16 ethertype; /* for a non-IP frame (family 0) */
};

struct frame {
	__u8 data[FRAME_MAX];
	size_t len;
	size_t l3; /* offset of the IP header */
	size_t l4; /* offset of the L4 header (or where it would be) */
};

static inline void *frame_put(struct frame *f, size_t len)
{
	void *p = f->data + f->len;

	memset(p, 0, len);
	f->len += len;
	return p;
}

static inline void put_be16(void *p, __u16 v)
{
	__be16 be = htons(v);

	memcpy(p, &be, sizeof(be));
}

static inline void frame_l2(struct frame *f, const struct frame_spec *s,
			    __u16 ethertype)
{
	struct ethhdr *eth = frame_put(f, sizeof(*eth));
	__u8 *proto = f->data + offsetof(struct ethhdr, h_proto);
	int i;

	memcpy(eth->h_dest, "\x02\x00\x00\x00\x00\x02", ETH_ALEN);
	memcpy(eth->h_source, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	for (i = 0; i < 2 && s->vlan[i]; i++) {
		__u8 *tag = frame_put(f, 4); /* TCI, then the inner type */

		put_be16(proto, s->vlan[i]);
		put_be16(tag, 100 + i); /* VLAN id */
		proto = tag + 2;
	}
	put_be16(proto, ethertype);
}

static inline void frame_ipv4(struct frame *f, const struct frame_spec *s,
			      __u8 proto)
{
	struct iphdr *iph = frame_put(f, sizeof(*iph) + 4 * s->opt_words);
	int i;

	iph->version = 4;
	iph->ihl = 5 + s->opt_words;
	iph->ttl = s->ttl ? s->ttl : 64;
	iph->protocol = proto;
	iph->id = htons(0x1234);
	iph->frag_off = htons(s->frag_offset | (s->more_frags ? 0x2000 : 0) |
			      (s->df ? 0x4000 : 0));
	inet_pton(AF_INET, s->src, &iph->saddr);
	inet_pton(AF_INET, s->dst, &iph->daddr);
	for (i = 0; i < 4 * s->opt_words; i++)
		((__u8 *)(iph + 1))[i] = 1; /* NOP options */
}

/* Options headers get 16 bytes (a longer hdrlen), the others 8. */
static inline size_t exthdr_len(__u8 type)
{
	return type == IPPROTO_HOPOPTS || type == IPPROTO_DSTOPTS ? 16 : 8;
}

static inline void frame_ipv6(struct frame *f, const struct frame_spec *s,
			      __u8 proto)
{
	struct ipv6hdr *ip6h = frame_put(f, sizeof(*ip6h));
	__u8 *nexthdr = &ip6h->nexthdr;
	int i;

	ip6h->version = 6;
	ip6h->hop_limit = s->ttl ? s->ttl : 64;
	inet_pton(AF_INET6, s->src, &ip6h->saddr);
	inet_pton(AF_INET6, s->dst, &ip6h->daddr);
	for (i = 0; i < 8 && s->ext[i]; i++) {
		size_t len = exthdr_len(s->ext[i]);
		__u8 *h = frame_put(f, len);

		*nexthdr = s->ext[i];
		nexthdr = &h[0];
		if (s->ext[i] == IPPROTO_FRAGMENT) {
			put_be16(&h[2], s->frag_offset << 3 | s->more_frags);
			memcpy(&h[4], "\x00\x00\xbe\xef", 4);
		} else {
			h[1] = len / 8 - 1;
			if (len == 16) { /* a PadN option fills the rest */
				h[2] = 1;
				h[3] = 12;
			}
		}
	}
	*nexthdr = proto;
}

static inline void frame_l4(struct frame *f, const struct frame_spec *s,
			    __u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = frame_put(f, sizeof(*th));

		th->source = htons(s->sport);
		th->dest = htons(s->dport);
		th->doff = 5;
		th->syn = 1;
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = frame_put(f, sizeof(*uh));

		uh->source = htons(s->sport);
		uh->dest = htons(s->dport);
		uh->len = htons(sizeof(*uh) + s->payload);
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 *h = frame_put(f, 4); /* type, code, checksum */

		h[0] = s->sport;
		h[1] = s->dport;
		break;
	}
	default:
		break;
	}
}

/* Fill the length fields and the IPv4 header checksum. */
static inline void frame_finish(struct frame *f, int family)
{
	if (family == 4) {
		struct iphdr *iph = (void *)(f->data + f->l3);

		iph->tot_len = htons(f->len - f->l3);
		iph->check = ipv4_csum(iph);
	} else if (family == 6) {
		struct ipv6hdr *ip6h = (void *)(f->data + f->l3);

		ip6h->payload_len = htons(f->len - f->l3 - sizeof(*ip6h));
	}
}

/* The UDP checksum of f's UDP header (IPv4 or IPv6 pseudo-header). */
static inline void frame_udp_csum(struct frame *f, int family)
{
	struct udphdr *uh = (void *)(f->data + f->l4);
	size_t ulen = f->len - f->l4, plen = 0;
	__u8 buf[FRAME_MAX + 40];

	uh->check = 0;
	if (family == 4) {
		const struct iphdr *iph = (void *)(f->data + f->l3);

		memcpy(buf, &iph->saddr, 8);
		plen = 8;
	} else {
		const struct ipv6hdr *ip6h = (void *)(f->data + f->l3);

		memcpy(buf, &ip6h->saddr, 32);
		plen = 32;
	}
	buf[plen++] = 0;
	buf[plen++] = IPPROTO_UDP;
	put_be16(buf + plen, ulen);
	plen += 2;
	memcpy(buf + plen, uh, ulen);
	uh->check = csum_full(buf, plen + ulen);
	if (!uh->check)
		uh->check = 0xffff;
}

/*
 * Build the frame s describes.  A fragment with an offset (IPv4, or an
 * IPv6 fragment header in ext) gets no L4 header.
 */
static inline void frame_build(struct frame *f, const struct frame_spec *s)
{
	__u8 proto = s->proto ? s->proto : IPPROTO_UDP;
	/* a fragment with an offset has no L4 header */
	bool later_fragment = s->frag_offset != 0;

	memset(f, 0, sizeof(*f));
	if (s->family != 4 && s->family != 6) {
		frame_l2(f, s, s->ethertype);
		f->l3 = f->l4 = f->len;
		frame_put(f, 28); /* an ARP-sized body */
		return;
	}
	frame_l2(f, s, s->family == 4 ? ETH_P_IP : ETH_P_IPV6);
	f->l3 = f->len;
	if (s->family == 4) {
		frame_ipv4(f, s, proto);
	} else {
		frame_ipv6(f, s, proto);
	}
	f->l4 = f->len;
	if (!later_fragment)
		frame_l4(f, s, proto);
	frame_put(f, s->payload);
	frame_finish(f, s->family);
}

/*
 * VXLAN (issue 13): a frame as outer describes (UDP, to dport, 4789 if 0)
 * carrying a VXLAN header with vni and then the frame inner; the outer
 * UDP checksum computed when udp_csum (else 0, none).
 */
static inline void frame_vxlan(struct frame *f, const struct frame_spec *outer,
			       __u32 vni, const struct frame *inner,
			       bool udp_csum)
{
	struct frame_spec s = *outer;
	__u8 *vh;

	s.proto = IPPROTO_UDP;
	s.dport = s.dport ? s.dport : 4789;
	s.payload = 8 + inner->len;
	frame_build(f, &s);
	vh = f->data + f->l4 + sizeof(struct udphdr);
	vh[0] = 0x08; /* I: the VNI is valid */
	vh[4] = vni >> 16;
	vh[5] = vni >> 8;
	vh[6] = vni;
	memcpy(vh + 8, inner->data, inner->len);
	if (udp_csum)
		frame_udp_csum(f, s.family);
}

#endif /* PCF_TEST_FRAME_H */
