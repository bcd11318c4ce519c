// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf_return.bpf.c - the kernel's end of pcf's return veth.  Workers
 * transmit packets meant for the kernel on their end; here each one is
 * forwarded as the kernel would (FIB lookup, TTL, Ethernet addresses,
 * devmap redirect, as xdp-forward does) or, whenever the kernel must
 * decide (local destination, unresolved neighbour, a mark to honour,
 * anything unusual), passed up the stack unchanged.
 *
 * A marked packet carries its mark in its source Ethernet address (see
 * pcf_abi.h); it is passed with the mark in XDP metadata, and the tc
 * program pcf_return_mark turns that into skb->mark.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "pcf_abi.h"
#include "pcf_csum.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PCF_AF_INET  2 /* no libc headers in BPF */
#define PCF_AF_INET6 10

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_RET_STAT_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ret_stats SEC(".maps");

/* Egress interfaces known to take redirected frames, keyed by ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ret_devmap SEC(".maps");

static __always_inline int count(struct xdp_md *ctx, __u32 slot, int action)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_ret_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return action;
}

/* Move the mark from the source address into metadata for tc. */
static __always_inline int pass_marked(struct xdp_md *ctx, __u32 mark)
{
	struct pcf_ret_meta *m;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return count(ctx, PCF_RET_PASS_OTHER, XDP_PASS);
	data = (void *)(long)ctx->data;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > data)
		return count(ctx, PCF_RET_PASS_OTHER, XDP_PASS);
	m->mark = mark;
	m->magic = PCF_RET_META_MAGIC;
	return count(ctx, PCF_RET_PASS_MARKED, XDP_PASS);
}

/* Fill fib from the IP header; the hop count left, 0 if not IP. */
static __always_inline int fib_from_ip(struct xdp_md *ctx, struct ethhdr *eth,
				       struct bpf_fib_lookup *fib)
{
	void *data_end = (void *)(long)ctx->data_end;

	fib->ifindex = ctx->ingress_ifindex;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return 0;
		fib->family = PCF_AF_INET;
		fib->tos = iph->tos;
		fib->l4_protocol = iph->protocol;
		fib->tot_len = bpf_ntohs(iph->tot_len);
		fib->ipv4_src = iph->saddr;
		fib->ipv4_dst = iph->daddr;
		return iph->ttl;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return 0;
		fib->family = PCF_AF_INET6;
		fib->flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0fffffff);
		fib->l4_protocol = ip6h->nexthdr;
		fib->tot_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
		__builtin_memcpy(fib->ipv6_src, &ip6h->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &ip6h->daddr, 16);
		return ip6h->hop_limit;
	}
	return 0;
}

/* Lower the TTL / hop limit by one, as ip_forward() does. */
static __always_inline void decrement_ttl(struct ethhdr *eth)
{
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		__u16 old = *(__u16 *)&iph->ttl, new;

		iph->ttl--;
		new = *(__u16 *)&iph->ttl;
		iph->check = pcf_csum_replace16(iph->check, old, new);
	} else {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		ip6h->hop_limit--;
	}
}

SEC("xdp")
int pcf_return(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	__u32 mark;
	int hops, rc;

	if ((void *)(eth + 1) > data_end)
		return count(ctx, PCF_RET_PASS_OTHER, XDP_PASS);
	if (eth->h_source[0] == PCF_RET_MARK_MAC0 &&
	    eth->h_source[1] == PCF_RET_MARK_MAC1) {
		__builtin_memcpy(&mark, &eth->h_source[2], sizeof(mark));
		return pass_marked(ctx, bpf_ntohl(mark));
	}
	hops = fib_from_ip(ctx, eth, &fib);
	/* at 1 the kernel must answer with an ICMP time exceeded */
	if (hops <= 1)
		return count(ctx, PCF_RET_PASS_OTHER, XDP_PASS);
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED)
		return count(ctx, PCF_RET_PASS_LOCAL, XDP_PASS);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return count(ctx, PCF_RET_PASS_NO_NEIGH, XDP_PASS);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return count(ctx, PCF_RET_PASS_OTHER, XDP_PASS);
	if (!bpf_map_lookup_elem(&pcf_ret_devmap, &fib.ifindex))
		return count(ctx, PCF_RET_PASS_NOT_DEVMAP, XDP_PASS);

	decrement_ttl(eth);
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	rc = bpf_redirect_map(&pcf_ret_devmap, fib.ifindex, 0);
	return count(ctx,
		     rc == XDP_REDIRECT ? PCF_RET_REDIRECT
					: PCF_RET_REDIRECT_FAILED,
		     rc);
}

/* tc ingress of the same device: the mark pcf_return left in metadata. */
SEC("tc")
int pcf_return_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	struct pcf_ret_meta *m = (void *)(long)skb->data_meta;

	if ((void *)(m + 1) <= data && m->magic == PCF_RET_META_MAGIC)
		skb->mark = m->mark;
	return TC_ACT_OK;
}
