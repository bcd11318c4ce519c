// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf_steer - the XDP program on each data NIC.
 *
 * Parse, classify against the pinned flow rules by tuple-space search, and
 * give each packet its verdict: PASS (optionally with TTL/DF rewritten
 * here), DROP, or REDIRECT into the AF_XDP socket of its rx queue, with the
 * matched rule handed over in XDP metadata.  A queue without a socket falls
 * back to PASS, so pcfd going away never blackholes a flow.
 */
#include "parse.h"
#include "pcf_csum.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pcf_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, struct pcf_lookup_key);
	__type(value, __u32); /* rule slot */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_flows SEC(".maps");

struct pcf_mask_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	/* sizes, not BTF types: clang 14 leaves the struct a forward */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct pcf_mask_table));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct pcf_mask_inner);
} pcf_mask_outer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_STAT_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCF_MAX_IFACES);
	__type(key, __u32); /* ifindex */
	__type(value, struct pcf_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, PCF_XSKMAP_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_xskmap SEC(".maps");

static __always_inline void count(__u32 slot, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_rule(__u32 slot, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_rule_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline __u32 default_verdict(void)
{
	__u32 zero = 0;
	struct pcf_config *cfg = bpf_map_lookup_elem(&pcf_config, &zero);

	/* only PASS and DROP make sense without a matched rule */
	if (cfg && cfg->default_verdict == PCF_VERDICT_DROP)
		return PCF_VERDICT_DROP;
	return PCF_VERDICT_PASS;
}

#define KEY_WORDS (sizeof(struct pcf_key) / sizeof(__u32))

/*
 * Tuple-space search: one hash lookup per distinct mask, masks in order of
 * the best rank they hold, stopping as soon as no later mask can beat the
 * best match so far.  Returns the slot of the winning rule, or -1.
 */
static __always_inline int classify(const struct pcf_key *key)
{
	struct pcf_mask_table *tbl;
	struct pcf_lookup_key lk;
	__u64 best_rank = ~0ULL;
	int best_slot = -1;
	__u32 zero = 0;
	void *inner;
	__u32 i, w;

	inner = bpf_map_lookup_elem(&pcf_mask_outer, &zero);
	if (!inner)
		return -1;
	tbl = bpf_map_lookup_elem(inner, &zero);
	if (!tbl)
		return -1;

	for (i = 0; i < PCF_MAX_MASKS; i++) {
		const struct pcf_mask *m;
		struct pcf_rule *rule;
		__u32 *slot;

		if (i >= tbl->count)
			break;
		m = &tbl->masks[i];
		if (m->best_rank >= best_rank)
			break;

		for (w = 0; w < KEY_WORDS; w++)
			((__u32 *)&lk.key)[w] = ((const __u32 *)key)[w] &
						((const __u32 *)&m->mask)[w];
		lk.mask_id = m->mask_id;

		slot = bpf_map_lookup_elem(&pcf_flows, &lk);
		if (!slot)
			continue;
		rule = bpf_map_lookup_elem(&pcf_rules, slot);
		if (!rule || !(rule->flags & PCF_RULE_USED))
			continue;
		if (pcf_rank(rule->prio, rule->id) < best_rank) {
			best_rank = pcf_rank(rule->prio, rule->id);
			best_slot = *slot;
		}
	}
	return best_slot;
}

/* TTL / hop limit and DF rewrites for a PASS rule; false: TTL expired. */
static __always_inline int rewrite_l3(struct xdp_md *ctx,
				      const struct pcf_pkt *pkt,
				      const struct pcf_action *act)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u16 l3_off = pkt->l3_off & 0x3f; /* at most 14 + 2 * 4 */

	if (pkt->key.family == 4) {
		struct iphdr *iph = data + l3_off;
		__u16 old, new;

		if ((void *)(iph + 1) > data_end)
			return 0;
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
		}
		if ((act->flags & PCF_ACT_DF_CLEAR) &&
		    (iph->frag_off & bpf_htons(IP_DF))) {
			old = iph->frag_off;
			iph->frag_off &= ~bpf_htons(IP_DF);
			iph->check = pcf_csum_replace16(iph->check, old,
							iph->frag_off);
		}
	} else {
		struct ipv6hdr *ip6h = data + l3_off;

		if ((void *)(ip6h + 1) > data_end)
			return 0;
		if (act->flags & PCF_ACT_TTL) {
			int hl = ip6h->hop_limit + act->ttl_delta;

			if (hl <= 0)
				return 0;
			ip6h->hop_limit = hl > 255 ? 255 : hl;
		}
	}
	return 1;
}

static __always_inline int redirect(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt, __u32 slot,
				    const struct pcf_rule *rule)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct pcf_iface *iface;
	struct pcf_meta *meta;
	void *data;

	iface = bpf_map_lookup_elem(&pcf_ifaces, &ifindex);
	if (!iface || ctx->rx_queue_index >= PCF_MAX_QUEUES)
		return XDP_PASS;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta))) {
		count(PCF_STAT_REASON(PCF_REASON_META_FAILED), 0);
		return XDP_PASS;
	}
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_PASS;
	meta->rule_slot = slot;
	meta->rule_id = rule->id;
	meta->ifindex = ifindex;
	meta->l3_off = pkt->l3_off;
	meta->l4_off = pkt->l4_off;
	meta->family = pkt->key.family;
	meta->proto = pkt->key.proto;
	meta->pad = 0;
	meta->magic = PCF_META_MAGIC;

	return bpf_redirect_map(&pcf_xskmap,
				iface->xsk_base + ctx->rx_queue_index,
				XDP_PASS);
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

SEC("xdp")
int pcf_steer(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	struct pcf_pkt pkt = {};
	struct pcf_rule *rule;
	__u32 slot;
	int ret, s;

	ret = pcf_parse(ctx, &pkt);
	if (ret == PCF_PARSE_NOT_IP) {
		/* ARP, LLDP, ...: the kernel must keep working */
		count(PCF_STAT_REASON(PCF_REASON_NOT_IP), bytes);
		return finish(PCF_VERDICT_PASS, bytes);
	}
	if (ret != PCF_PARSE_OK) {
		count(PCF_STAT_REASON(PCF_REASON_MALFORMED), bytes);
		return finish(default_verdict(), bytes);
	}
	if (pkt.fragment)
		count(PCF_STAT_REASON(PCF_REASON_FRAGMENT), bytes);

	pkt.key.ifindex = ctx->ingress_ifindex;
	s = classify(&pkt.key);
	if (s < 0) {
		count(PCF_STAT_REASON(PCF_REASON_MISS), bytes);
		return finish(default_verdict(), bytes);
	}
	slot = s;
	rule = bpf_map_lookup_elem(&pcf_rules, &slot);
	if (!rule)
		return finish(default_verdict(), bytes);
	count_rule(slot, bytes);

	switch (rule->action.verdict) {
	case PCF_VERDICT_DROP:
		return finish(PCF_VERDICT_DROP, bytes);
	case PCF_VERDICT_REDIRECT:
		ret = redirect(ctx, &pkt, slot, rule);
		if (ret == XDP_REDIRECT)
			return finish(PCF_VERDICT_REDIRECT, bytes);
		count(PCF_STAT_REASON(PCF_REASON_REDIRECT_FALLBACK), bytes);
		return finish(PCF_VERDICT_PASS, bytes);
	default:
		if (!rewrite_l3(ctx, &pkt, &rule->action)) {
			count(PCF_STAT_REASON(PCF_REASON_TTL_EXPIRED), bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
		return finish(PCF_VERDICT_PASS, bytes);
	}
}
