// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_act.h - what a rule's verdict does to a packet: TTL and DF
 * rewritten for the kernel, the next hop from the kernel's FIB or pcfd's
 * neighbour table, the redirect into the AF_XDP socket of the packet's
 * queue with its metadata, and the verdict counted.  Part of
 * pcf_steer.bpf.c.
 */
#ifndef PCF_STEER_ACT_H
#define PCF_STEER_ACT_H

#include "steer_maps.h"
#include "pcf_csum.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCF_MAX_IFACES);
	__type(key, __u32); /* ifindex */
	__type(value, struct pcf_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ifaces SEC(".maps");

/* Worker heartbeats, indexed like pcf_xskmap (pcf_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_XSKMAP_SIZE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_heartbeat SEC(".maps");

/* Explicit egress (issue 13): pcfd's copy of the neighbour table, and the
 * next hops pcf_steer found missing there, for pcfd to have resolved. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCF_NEIGH_MAX);
	__type(key, struct pcf_neigh_key);
	__type(value, struct pcf_neigh);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_neigh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_neigh_miss SEC(".maps");

/*
 * TTL / hop limit and DF rewrites for a PASS rule; false: TTL expired.
 * Every 16-bit word changed (the IPv4 checksum too) is summed in *delta,
 * for an outer UDP checksum that covers the header (VXLAN, issue 13).
 */
static __always_inline int rewrite_l3(struct xdp_md *ctx,
				      const struct pcf_pkt *pkt,
				      const struct pcf_action *act,
				      __u32 *delta)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	/* at most 14 + 2 * 4, or an inner header (PCF_VXLAN_INNER_MAX) */
	__u16 l3_off = pkt->l3_off & 0x7ff;

	if (pkt->key.family == 4) {
		struct iphdr *iph = data + l3_off;
		__u16 old, new, check;

		if ((void *)(iph + 1) > data_end)
			return 0;
		check = iph->check;
		if (act->flags & PCF_ACT_TTL) {
			int ttl = iph->ttl + act->ttl_delta;

			if (ttl <= 0)
				return 0;
			if (ttl > 255)
				ttl = 255;
			old = *(__u16 *)&iph->ttl;
			iph->ttl = ttl;
			new = *(__u16 *)&iph->ttl;
			iph->check = pcf_csum_replace16(iph->check, old, new);
			pcf_csum_delta16(delta, old, new);
		}
		if ((act->flags & PCF_ACT_DF_CLEAR) &&
		    (iph->frag_off & bpf_htons(IP_DF))) {
			old = iph->frag_off;
			iph->frag_off &= ~bpf_htons(IP_DF);
			iph->check = pcf_csum_replace16(iph->check, old,
							iph->frag_off);
			pcf_csum_delta16(delta, old, iph->frag_off);
		}
		pcf_csum_delta16(delta, check, iph->check);
	} else {
		struct ipv6hdr *ip6h = data + l3_off;
		__u16 old;

		if ((void *)(ip6h + 1) > data_end)
			return 0;
		if (act->flags & PCF_ACT_TTL) {
			int hl = ip6h->hop_limit + act->ttl_delta;

			if (hl <= 0)
				return 0;
			old = *(__u16 *)&ip6h->nexthdr;
			ip6h->hop_limit = hl > 255 ? 255 : hl;
			pcf_csum_delta16(delta, old, *(__u16 *)&ip6h->nexthdr);
		}
	}
	return 1;
}

#define PCF_AF_INET  2 /* AF_INET, AF_INET6: no libc headers in BPF */
#define PCF_AF_INET6 10

static __always_inline const __u8 *nat_addr(const struct pcf_nat *nat,
					    __u16 flag, __u16 flags,
					    __u8 family, const __u8 *orig)
{
	return (flags & flag) && nat->family == family ? nat->addr : orig;
}

/*
 * Ask the kernel's FIB and neighbour table for the next hop towards dst
 * (from src), so the worker can act as the router for the packet without
 * a syscall.
 */
static __always_inline __u8 fib_lookup(struct xdp_md *ctx,
				       const struct pcf_pkt *pkt,
				       const __u8 *src, const __u8 *dst,
				       struct bpf_fib_lookup *fib)
{
	__u64 len = ctx->data_end - ctx->data;
	int rc;

	fib->l4_protocol = pkt->key.proto;
	fib->sport = pkt->key.sport;
	fib->dport = pkt->key.dport;
	fib->tot_len = len > pkt->l3_off ? len - pkt->l3_off : 0;
	fib->ifindex = ctx->ingress_ifindex;
	if (pkt->key.family == 4) {
		fib->family = PCF_AF_INET;
		__builtin_memcpy(&fib->ipv4_src, src, 4);
		__builtin_memcpy(&fib->ipv4_dst, dst, 4);
	} else {
		fib->family = PCF_AF_INET6;
		__builtin_memcpy(fib->ipv6_src, src, 16);
		__builtin_memcpy(fib->ipv6_dst, dst, 16);
	}
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		return PCF_FIB_OK;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return PCF_FIB_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return PCF_FIB_FRAG_NEEDED;
	default:
		return PCF_FIB_NO_ROUTE;
	}
}

/*
 * Wire egress: the next hop of the destination the worker will write
 * (after DNAT).  ct masquerade asks whatever the egress: the worker takes
 * the address of the interface the packet leaves by.
 */
static __always_inline __u8 fib_next_hop(struct xdp_md *ctx,
					 const struct pcf_pkt *pkt,
					 const struct pcf_action *act,
					 struct bpf_fib_lookup *fib)
{
	const __u8 *src, *dst;

	if (act->egress == PCF_EGRESS_KERNEL && !(act->flags & PCF_ACT_MASQ))
		return PCF_FIB_NONE;
	src = nat_addr(&act->snat, PCF_ACT_SNAT, act->flags, pkt->key.family,
		       pkt->key.src);
	dst = nat_addr(&act->dnat, PCF_ACT_DNAT, act->flags, pkt->key.family,
		       pkt->key.dst);
	return fib_lookup(ctx, pkt, src, dst, fib);
}

/*
 * The pcf_xskmap slot of the packet's queue in *ret_key, or -1: no worker
 * can take it (its frame would not fit: too_big; its worker does not
 * beat: worker_stalled, both counted), the kernel must.
 */
static __always_inline int xsk_slot(struct xdp_md *ctx, __u32 *ret_key)
{
	__u64 len = ctx->data_end - ctx->data, *beat;
	__u32 ifindex = ctx->ingress_ifindex;
	const struct pcf_config *cfg;
	struct pcf_iface *iface;
	__u32 key, zero = 0;

	iface = bpf_map_lookup_elem(&pcf_ifaces, &ifindex);
	if (!iface || ctx->rx_queue_index >= PCF_MAX_QUEUES)
		return -1;
	key = iface->xsk_base + ctx->rx_queue_index;
	cfg = bpf_map_lookup_elem(&pcf_config, &zero);
	/* the socket would drop what its frame cannot take: the kernel */
	if (cfg && cfg->max_packet && len > cfg->max_packet) {
		count(PCF_STAT_REASON(PCF_REASON_TOO_BIG), len);
		return -1;
	}
	/* a socket nobody reads (pcfd stopped) is a blackhole: the kernel */
	if (cfg && cfg->worker_timeout_ns) {
		beat = bpf_map_lookup_elem(&pcf_heartbeat, &key);
		if (!beat || pcf_age_ns(bpf_ktime_get_coarse_ns(), *beat) >
				 cfg->worker_timeout_ns) {
			count(PCF_STAT_REASON(PCF_REASON_WORKER_STALLED), len);
			return -1;
		}
	}
	*ret_key = key;
	return 0;
}

/*
 * Explicit egress (issue 13): out of rule->egress_ifindex to the next hop
 * (egress_via, else the packet's destination after DNAT), whose Ethernet
 * address pcfd copied from the kernel's neighbour table.  -1: not there
 * (yet); the next hop goes to pcfd, which has the kernel resolve it.
 */
static __always_inline int egress_dev(const struct pcf_pkt *pkt,
				      const struct pcf_rule *rule,
				      struct bpf_fib_lookup *fib)
{
	const struct pcf_action *act = &rule->action;
	struct pcf_neigh_key nk = {};
	struct pcf_neigh *n;
	const __u8 *hop;

	nk.ifindex = rule->egress_ifindex;
	if (rule->egress_via_family) {
		nk.family = rule->egress_via_family;
		hop = rule->egress_via;
	} else {
		nk.family = pkt->key.family;
		hop = nat_addr(&act->dnat, PCF_ACT_DNAT, act->flags,
			       pkt->key.family, pkt->key.dst);
	}
	if (nk.family == 4)
		__builtin_memcpy(nk.addr, hop, 4);
	else
		__builtin_memcpy(nk.addr, hop, 16);
	n = bpf_map_lookup_elem(&pcf_neigh, &nk);
	if (!n) {
		bpf_ringbuf_output(&pcf_neigh_miss, &nk, sizeof(nk), 0);
		count(PCF_STAT_REASON(PCF_REASON_NO_NEIGH), 0);
		return -1;
	}
	fib->ifindex = nk.ifindex;
	__builtin_memcpy(fib->dmac, n->mac, 6);
	__builtin_memcpy(fib->smac, n->smac, 6);
	return 0;
}

/* What the worker needs of the packet and its next hop, at meta. */
static __always_inline void fill_meta(struct pcf_meta *meta,
				      const struct pcf_pkt *pkt, __u32 slot,
				      __u32 rule_id, __u8 fib_rc,
				      const struct bpf_fib_lookup *fib)
{
	meta->rule_slot = slot;
	meta->l3_off = pkt->l3_off;
	meta->family = pkt->key.family;
	meta->l4_off = pkt->l4_off;
	meta->proto = pkt->key.proto;
	meta->fib = fib_rc;
	meta->rule_id = rule_id;
	meta->fib_ifindex = fib->ifindex;
	__builtin_memcpy(meta->dmac, fib->dmac, 6);
	__builtin_memcpy(meta->smac, fib->smac, 6);
}

static __always_inline int redirect(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt, __u32 slot,
				    const struct pcf_rule *rule)
{
	struct bpf_fib_lookup fib = {};
	struct pcf_meta *meta;
	void *data;
	__u8 fib_rc;
	__u32 key;

	if (xsk_slot(ctx, &key))
		return XDP_PASS;
	if (rule->egress_ifindex) {
		if (egress_dev(pkt, rule, &fib))
			return XDP_PASS; /* counted: PCF_REASON_NO_NEIGH */
		fib_rc = PCF_FIB_OK;
	} else {
		fib_rc = fib_next_hop(ctx, pkt, &rule->action, &fib);
	}
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta))) {
		count(PCF_STAT_REASON(PCF_REASON_META_FAILED), 0);
		return XDP_PASS;
	}
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_PASS;
	fill_meta(meta, pkt, slot, rule->id, fib_rc, &fib);
	meta->magic = PCF_META_MAGIC;

	return bpf_redirect_map(&pcf_xskmap, key, XDP_PASS);
}

static __always_inline int finish(__u32 verdict, __u64 bytes)
{
	count(PCF_STAT_VERDICT(verdict), bytes);
	switch (verdict) {
	case PCF_VERDICT_DROP:
		return XDP_DROP;
	case PCF_VERDICT_REDIRECT:
		return XDP_REDIRECT;
	default:
		return XDP_PASS;
	}
}

#endif /* PCF_STEER_ACT_H */
