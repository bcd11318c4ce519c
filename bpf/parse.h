/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h - bounded, verifier-friendly parsing of Ethernet, VLAN, IPv4,
 * IPv6 (with extension headers) and TCP/UDP/ICMP/ICMPv6 into a pcf_key.
 *
 * Every read is checked against data_end first; a frame cut anywhere gives
 * PCF_PARSE_MALFORMED and the caller never acts on a half-filled key.
 */
#ifndef PCF_BPF_PARSE_H
#define PCF_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "pcf_abi.h"

#define PCF_MAX_VLANS	    2
#define PCF_MAX_IPV6_EXTHDR 6

#define IP_DF	  0x4000
#define IP_MF	  0x2000
#define IP_OFFSET 0x1fff

enum pcf_parse_result {
	PCF_PARSE_OK = 0,
	PCF_PARSE_MALFORMED,
	PCF_PARSE_NOT_IP,
};

struct pcf_pkt {
	struct pcf_key key;
	__u16 l3_off;
	__u16 l4_off; /* 0 for a non-first fragment or no L4 header */
	__u8 fragment; /* non-first fragment */
	/* VXLAN (issue 13): where the inner frame starts (0: the packet's
	 * own headers) */
	__u16 eth_off;
};

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct ipv6_opt_hdr_min {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset << 3 | res | M */
	__be32 identification;
};

static __always_inline int parse_l4(void *l4, void *data_end,
				    struct pcf_pkt *pkt)
{
	switch (pkt->key.proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end || th->doff < 5)
			return PCF_PARSE_MALFORMED;
		pkt->key.sport = th->source;
		pkt->key.dport = th->dest;
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return PCF_PARSE_MALFORMED;
		pkt->key.sport = uh->source;
		pkt->key.dport = uh->dest;
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* type and code are the first two bytes of both */
		__u8 *tc = l4;

		if ((void *)(tc + 4) > data_end)
			return PCF_PARSE_MALFORMED;
		pkt->key.sport = bpf_htons(tc[0]);
		pkt->key.dport = bpf_htons(tc[1]);
		break;
	}
	default:
		break; /* other protocols match with ports 0 */
	}
	return PCF_PARSE_OK;
}

static __always_inline int parse_ipv4(void *data, void *data_end,
				      struct pcf_pkt *pkt)
{
	struct iphdr *iph = data + pkt->l3_off;
	__u32 hdrlen;

	if ((void *)(iph + 1) > data_end)
		return PCF_PARSE_MALFORMED;
	hdrlen = iph->ihl * 4;
	if (iph->version != 4 || hdrlen < sizeof(*iph) ||
	    bpf_ntohs(iph->tot_len) < hdrlen)
		return PCF_PARSE_MALFORMED;
	if (data + pkt->l3_off + hdrlen > data_end)
		return PCF_PARSE_MALFORMED;

	pkt->key.family = 4;
	pkt->key.proto = iph->protocol;
	__builtin_memcpy(pkt->key.src, &iph->saddr, 4);
	__builtin_memcpy(pkt->key.dst, &iph->daddr, 4);

	if (iph->frag_off & bpf_htons(IP_OFFSET)) {
		pkt->fragment = 1;
		return PCF_PARSE_OK;
	}
	pkt->l4_off = pkt->l3_off + hdrlen;
	return parse_l4(data + pkt->l4_off, data_end, pkt);
}

static __always_inline int parse_ipv6(void *data, void *data_end,
				      struct pcf_pkt *pkt)
{
	struct ipv6hdr *ip6h = data + pkt->l3_off;
	__u32 off = pkt->l3_off + sizeof(*ip6h);
	__u8 nexthdr;
	int i;

	if ((void *)(ip6h + 1) > data_end || ip6h->version != 6)
		return PCF_PARSE_MALFORMED;

	pkt->key.family = 6;
	__builtin_memcpy(pkt->key.src, &ip6h->saddr, 16);
	__builtin_memcpy(pkt->key.dst, &ip6h->daddr, 16);
	nexthdr = ip6h->nexthdr;

	/* up to PCF_MAX_IPV6_EXTHDR headers, then one round for the last */
	for (i = 0; i <= PCF_MAX_IPV6_EXTHDR; i++) {
		struct ipv6_opt_hdr_min *oh;
		struct ipv6_frag_hdr *fh;

		/* keep the offset small and provably bounded */
		if (off > 1024)
			return PCF_PARSE_MALFORMED;

		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			oh = data + off;
			if ((void *)(oh + 1) > data_end)
				return PCF_PARSE_MALFORMED;
			nexthdr = oh->nexthdr;
			off += (oh->hdrlen + 1) * 8;
			continue;
		case IPPROTO_FRAGMENT:
			fh = data + off;
			if ((void *)(fh + 1) > data_end)
				return PCF_PARSE_MALFORMED;
			nexthdr = fh->nexthdr;
			off += sizeof(*fh);
			if (fh->frag_off & bpf_htons(0xfff8)) {
				pkt->key.proto = nexthdr;
				pkt->fragment = 1;
				return PCF_PARSE_OK;
			}
			continue;
		default:
			break;
		}
		break;
	}
	if (i > PCF_MAX_IPV6_EXTHDR || off > 1024)
		return PCF_PARSE_MALFORMED; /* too many extension headers */

	pkt->key.proto = nexthdr;
	pkt->l4_off = off;
	return parse_l4(data + off, data_end, pkt);
}

/*
 * An Ethernet frame starting at data + off (the packet's own: off 0; the
 * inner frame of a VXLAN packet: after its VXLAN header).
 */
static __always_inline int pcf_parse_eth(void *data, void *data_end,
					 __u32 off, struct pcf_pkt *pkt)
{
	struct ethhdr *eth = data + off;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return PCF_PARSE_MALFORMED;
	proto = eth->h_proto;
	off += sizeof(*eth);

	for (i = 0; i < PCF_MAX_VLANS; i++) {
		struct vlan_hdr *vh;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = data + off;
		if ((void *)(vh + 1) > data_end)
			return PCF_PARSE_MALFORMED;
		proto = vh->encap_proto;
		off += sizeof(*vh);
	}

	pkt->l3_off = off;
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(data, data_end, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(data, data_end, pkt);
	return PCF_PARSE_NOT_IP;
}

static __always_inline int pcf_parse(struct xdp_md *ctx, struct pcf_pkt *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;

	return pcf_parse_eth(data, data_end, 0, pkt);
}

/*
 * The packets most links carry, parsed in a few loads for the flow
 * cache's fast path (pcf_steer.bpf.c, issue 15): an untagged frame, IPv4
 * without options nor fragment offset or IPv6 without extension headers,
 * TCP or UDP with its whole header.  For such a frame the key is the one
 * pcf_parse() gives (the model tests run both on the same frames); any
 * other frame gives -1 and takes the full parser.  No ifindex, tun 0, no
 * sets: the caller's.  The caller has read the EtherType: ETH_P_IP for
 * pcf_fast_key4, ETH_P_IPV6 for pcf_fast_key6.
 */
static __always_inline int pcf_fast_l4(__u8 proto, void *l4, void *data_end,
				       __be32 *ret_ports)
{
	struct tcphdr *th = l4;

	if (proto == IPPROTO_TCP) {
		if ((void *)(th + 1) > data_end || th->doff < 5)
			return -1;
	} else if (proto != IPPROTO_UDP ||
		   (void *)((struct udphdr *)l4 + 1) > data_end) {
		return -1;
	}
	*ret_ports = *(__be32 *)l4; /* sport, dport */
	return 0;
}

static __always_inline int pcf_fast_key4(struct xdp_md *ctx, struct pcf_key4 *k)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__be32 ports;

	if ((void *)(iph + 1) > data_end ||
	    *(__u8 *)iph != 0x45 || /* version 4, no options */
	    (iph->frag_off & bpf_htons(IP_OFFSET)) ||
	    bpf_ntohs(iph->tot_len) < sizeof(*iph) ||
	    pcf_fast_l4(iph->protocol, iph + 1, data_end, &ports))
		return -1;
	k->src = iph->saddr;
	k->dst = iph->daddr;
	__builtin_memcpy(&k->sport, &ports, 4);
	k->proto = iph->protocol;
	return 0;
}

static __always_inline int pcf_fast_key6(struct xdp_md *ctx, struct pcf_key *k)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = (void *)(eth + 1);
	__be32 ports;

	if ((void *)(ip6h + 1) > data_end || ip6h->version != 6 ||
	    pcf_fast_l4(ip6h->nexthdr, ip6h + 1, data_end, &ports))
		return -1;
	__builtin_memcpy(k->src, &ip6h->saddr, 16);
	__builtin_memcpy(k->dst, &ip6h->daddr, 16);
	__builtin_memcpy(&k->sport, &ports, 4);
	k->proto = ip6h->nexthdr;
	k->family = 6;
	return 0;
}

/* ---- VXLAN (issue 13) ---- */

struct pcf_vxlanhdr {
	__u8 flags; /* PCF_VXLAN_FLAG_VNI: the VNI is valid (RFC 7348) */
	__u8 reserved[3];
	__be32 vni; /* VNI << 8 | reserved */
};

#define PCF_VXLAN_FLAG_VNI 0x08
/* where the inner frame may start at most (parse.h: an L4 header starts
 * before 22 + 40 + 1024) */
#define PCF_VXLAN_INNER_MAX 1200

/*
 * The VXLAN header at data + off: the VNI in *ret_vni, -1 if cut short
 * or its I flag is clear.
 */
static __always_inline int pcf_parse_vxlan(void *data, void *data_end,
					   __u32 off, __u32 *ret_vni)
{
	struct pcf_vxlanhdr *vh = data + off;

	if ((void *)(vh + 1) > data_end || !(vh->flags & PCF_VXLAN_FLAG_VNI))
		return -1;
	*ret_vni = bpf_ntohl(vh->vni) >> 8;
	return 0;
}

#endif /* PCF_BPF_PARSE_H */
