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

/* one load, as pcfd stores the field (atomically) */
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_RULE_SLOTS);
	__type(key, __u32);
	__type(value, struct pcf_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_rules SEC(".maps");

/*
 * The hash maps are not preallocated: an element replaced or deleted is
 * freed after an RCU grace period, never reused under a reader.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, struct pcf_lookup_key);
	__type(value, struct pcf_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_flows SEC(".maps"); /* IPv6 packets */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, struct pcf_key4);
	__type(value, struct pcf_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_flows4 SEC(".maps"); /* IPv4 packets */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MAX_MASKS * PCF_FILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_filter4 SEC(".maps"); /* in front of pcf_flows4 */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_table_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_state SEC(".maps"); /* generation and current mask list */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MASK_BUFS);
	__type(key, __u32);
	__type(value, struct pcf_mask_table);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_masks SEC(".maps");

/* Not pinned: a program's own caches, tied to the rules by pcf_state.gen. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 << PCF_CACHE4_SET_BITS);
	__type(key, __u32);
	__type(value, struct pcf_cache_set4);
} pcf_flow_cache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 << PCF_CACHE6_SET_BITS);
	__type(key, __u32);
	__type(value, struct pcf_cache_set6);
} pcf_flow_cache6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_STAT_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_RULE_SLOTS);
	__type(key, __u32); /* pcf_rule.ctr */
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

/* Worker heartbeats, indexed like pcf_xskmap (pcf_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_XSKMAP_SIZE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_heartbeat SEC(".maps");

static __always_inline void count(__u32 slot, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_rule(__u32 ctr, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_rule_stats, &ctr);

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

/* The rule a packet matched: slot -1 for none. */
struct hit {
	int slot;
	__u32 ctr;
	__u32 verdict;
};

/* The best match of a search so far. */
struct best {
	__u64 rank;
	const struct pcf_flow *f; /* NULL: none */
};

/* IPv4: the packet's compact key under mask m, in pcf_flows4. */
static __always_inline void lookup4(const struct pcf_key4 *pk,
				    const struct pcf_mask *m, struct best *b)
{
	const struct pcf_key *mk = &m->mask;
	struct pcf_key4 lk;
	struct pcf_flow *f;
	__u32 h, word;
	__u64 *bits;

	lk.ifindex = pk->ifindex & mk->ifindex;
	lk.src = pk->src & *(const __be32 *)mk->src;
	lk.dst = pk->dst & *(const __be32 *)mk->dst;
	lk.sport = pk->sport & mk->sport;
	lk.dport = pk->dport & mk->dport;
	lk.proto = pk->proto & mk->proto;
	lk.pad = 0;
	lk.mask_id = m->mask_id;

	h = pcf_filter_hash4(&lk);
	word = m->mask_id * PCF_FILTER_WORDS + h / 64;
	bits = bpf_map_lookup_elem(&pcf_filter4, &word);
	if (!bits || !(*bits & (1ULL << (h % 64))))
		return; /* no entry under this mask can match */
	f = bpf_map_lookup_elem(&pcf_flows4, &lk);
	if (f && f->rank < b->rank) {
		b->rank = f->rank;
		b->f = f;
	}
}

/* IPv6: the packet's whole key under mask m, in pcf_flows. */
static __always_inline void lookup6(const struct pcf_key *key,
				    const struct pcf_mask *m, struct best *b)
{
	struct pcf_lookup_key lk;
	struct pcf_flow *f;
	__u32 w;

	for (w = 0; w < KEY_WORDS; w++)
		((__u32 *)&lk.key)[w] = ((const __u32 *)key)[w] &
					((const __u32 *)&m->mask)[w];
	lk.mask_id = m->mask_id;

	f = bpf_map_lookup_elem(&pcf_flows, &lk);
	if (f && f->rank < b->rank) {
		b->rank = f->rank;
		b->f = f;
	}
}

/*
 * Tuple-space search: one hash lookup per distinct mask, masks in order of
 * the best rank they hold, stopping as soon as no later mask can beat the
 * best match so far.  pk: the compact key of an IPv4 packet, NULL for
 * IPv6.  The winning rule's slot, counter and verdict (from its hash
 * entry, which an RCU grace period keeps alive while it is read) go to
 * ret; slot -1 when no rule matched.
 */
static __always_inline void search(const struct pcf_key *key,
				   const struct pcf_key4 *pk, __u32 buf,
				   struct hit *ret)
{
	struct best best = { .rank = ~0ULL, .f = NULL };
	struct pcf_mask_table *tbl;
	__u32 i;

	ret->slot = -1;
	tbl = bpf_map_lookup_elem(&pcf_masks, &buf);
	if (!tbl)
		return;

	for (i = 0; i < PCF_MAX_MASKS; i++) {
		const struct pcf_mask *m;

		if (i >= tbl->count)
			break;
		m = &tbl->masks[i];
		if (m->best_rank >= best.rank)
			break;
		if (pk)
			lookup4(pk, m, &best);
		else
			lookup6(key, m, &best);
	}
	if (best.f) {
		ret->slot = best.f->slot;
		ret->ctr = best.f->ctr;
		ret->verdict = best.f->verdict;
	}
}

/* Does IPv4 cache entry c hold k's result at generation g? */
static __always_inline int cached4_is(const struct pcf_cached4 *c,
				      const struct pcf_key4 *k, __u64 g)
{
	const __u32 *x = (const __u32 *)c, *y = (const __u32 *)k;

	return c->gen == g &&
	       !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		 (c->proto ^ k->proto));
}

/*
 * Does IPv6 cache entry c hold k's result at generation g?  k is 8-byte
 * aligned (struct pcf_pkt in pcf_steer()): 64-bit words.
 */
static __always_inline int cached6_is(const struct pcf_cached6 *c,
				      const struct pcf_key *k, __u64 g)
{
	const __u64 *x = (const __u64 *)&c->key, *y = (const __u64 *)k;

	return c->gen == g &&
	       !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		 (x[4] ^ y[4]) |
		 (((const __u32 *)x)[10] ^ ((const __u32 *)y)[10]));
}

/* A cache entry's result into ret; a first use marks it used. */
#define CACHE_HIT(c, ret)                                                    \
	do {                                                                 \
		(ret)->slot = (c)->slot == PCF_CACHE_NO_RULE ? -1 : (c)->slot; \
		(ret)->ctr = (c)->ctr;                                       \
		(ret)->verdict = (c)->verdict;                               \
		if (!(c)->used)                                              \
			(c)->used = 1;                                       \
	} while (0)

/*
 * The entry of set s (struct pcf_cache_set4 or 6) a new result at
 * generation g takes (pcf_abi.h): one of an older generation, else the
 * first one not used, clearing the used marks passed over; NULL when
 * every entry was used.  One definition for both families' sets.
 */
#define CACHE_VICTIM(s, g)                                                   \
	({                                                                   \
		typeof(&(s)->way[0]) v_ = NULL;                              \
		int w_;                                                      \
		for (w_ = 0; w_ < PCF_CACHE_WAYS && !v_; w_++)               \
			if ((s)->way[w_].gen != (g))                         \
				v_ = &(s)->way[w_];                          \
		for (w_ = 0; w_ < PCF_CACHE_WAYS && !v_; w_++) {             \
			if (!(s)->way[w_].used)                              \
				v_ = &(s)->way[w_];                          \
			else                                                 \
				(s)->way[w_].used = 0;                       \
		}                                                            \
		v_;                                                          \
	})

/* The search's result ret for a key into cache entry c (may be NULL). */
#define CACHE_FILL(c, ret, g)                                                \
	do {                                                                 \
		if (c) {                                                     \
			(c)->slot = (ret)->slot < 0 ? PCF_CACHE_NO_RULE      \
						    : (ret)->slot;           \
			(c)->ctr = (ret)->ctr;                               \
			(c)->verdict = (ret)->verdict;                       \
			(c)->used = 0;                                       \
			(c)->gen = (g);                                      \
		}                                                            \
	} while (0)

static __always_inline void classify4(const struct pcf_key *key, __u64 g,
				      __u32 buf, struct hit *ret)
{
	struct pcf_cache_set4 *s;
	struct pcf_cached4 *c;
	struct pcf_key4 pk;
	__u32 idx, w;

	pcf_key4_of(&pk, key);
	idx = pcf_hash4(&pk) >> (64 - PCF_CACHE4_SET_BITS);
	s = bpf_map_lookup_elem(&pcf_flow_cache4, &idx);
	if (!s) {
		search(key, &pk, buf, ret);
		return;
	}
	for (w = 0; w < PCF_CACHE_WAYS; w++) {
		c = &s->way[w];
		if (cached4_is(c, &pk, g)) {
			CACHE_HIT(c, ret);
			return;
		}
	}
	search(key, &pk, buf, ret);
	c = CACHE_VICTIM(s, g);
	if (c) {
		__builtin_memcpy(c, &pk, 16); /* ifindex to dport */
		c->proto = pk.proto;
	}
	CACHE_FILL(c, ret, g);
}

static __always_inline void classify6(const struct pcf_key *key, __u64 g,
				      __u32 buf, struct hit *ret)
{
	struct pcf_cache_set6 *s;
	struct pcf_cached6 *c;
	__u32 idx, w;

	idx = pcf_hash6(key) >> (64 - PCF_CACHE6_SET_BITS);
	s = bpf_map_lookup_elem(&pcf_flow_cache6, &idx);
	if (!s) {
		search(key, NULL, buf, ret);
		return;
	}
	for (w = 0; w < PCF_CACHE_WAYS; w++) {
		c = &s->way[w];
		if (cached6_is(c, key, g)) {
			CACHE_HIT(c, ret);
			return;
		}
	}
	search(key, NULL, buf, ret);
	c = CACHE_VICTIM(s, g);
	if (c)
		c->key = *key;
	CACHE_FILL(c, ret, g);
}

/*
 * The winning rule (see search), or slot -1: from this CPU's flow cache
 * of the packet's family when it holds a result of the current rule
 * table, else from the search, whose result may then take a cache entry
 * (pcf_abi.h).  A subprogram: inlined, it left clang short of registers
 * in pcf_steer(), which then kept ctx + 12 (ingress_ifindex) in one, a
 * ctx access the verifier refuses.
 */
static __noinline void classify(const struct pcf_key *key, struct hit *ret)
{
	struct pcf_table_state *st;
	__u32 zero = 0, buf;
	__u64 g;

	ret->slot = -1;
	ret->ctr = 0;
	ret->verdict = 0;
	st = bpf_map_lookup_elem(&pcf_state, &zero);
	if (!st)
		return;
	/*
	 * The generation before the mask list and the search: a cached
	 * result is never older than its tag (pcfd moves the generation on
	 * after every change is complete).
	 */
	g = READ_ONCE(st->gen);
	barrier();
	buf = READ_ONCE(st->mask_buf);
	if (key->family == 4)
		classify4(key, g, buf, ret);
	else
		classify6(key, g, buf, ret);
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

#define PCF_AF_INET  2 /* AF_INET, AF_INET6: no libc headers in BPF */
#define PCF_AF_INET6 10

static __always_inline const __u8 *nat_addr(const struct pcf_nat *nat,
					    __u16 flag, __u16 flags,
					    __u8 family, const __u8 *orig)
{
	return (flags & flag) && nat->family == family ? nat->addr : orig;
}

/*
 * Wire egress: ask the kernel's FIB and neighbour table for the next hop of
 * the destination the worker will write (after DNAT), so the worker can act
 * as the router for the packet without a syscall.
 */
static __always_inline __u8 fib_next_hop(struct xdp_md *ctx,
					 const struct pcf_pkt *pkt,
					 const struct pcf_action *act,
					 struct bpf_fib_lookup *fib)
{
	__u64 len = ctx->data_end - ctx->data;
	const __u8 *src, *dst;
	int rc;

	if (act->egress == PCF_EGRESS_KERNEL)
		return PCF_FIB_NONE;
	src = nat_addr(&act->snat, PCF_ACT_SNAT, act->flags, pkt->key.family,
		       pkt->key.src);
	dst = nat_addr(&act->dnat, PCF_ACT_DNAT, act->flags, pkt->key.family,
		       pkt->key.dst);
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

static __always_inline int redirect(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt, __u32 slot,
				    const struct pcf_rule *rule)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct bpf_fib_lookup fib = {};
	struct pcf_iface *iface;
	struct pcf_meta *meta;
	void *data;
	__u8 fib_rc;

	__u64 len = ctx->data_end - ctx->data, *beat;
	const struct pcf_config *cfg;
	__u32 key, zero = 0;

	iface = bpf_map_lookup_elem(&pcf_ifaces, &ifindex);
	if (!iface || ctx->rx_queue_index >= PCF_MAX_QUEUES)
		return XDP_PASS;
	key = iface->xsk_base + ctx->rx_queue_index;
	cfg = bpf_map_lookup_elem(&pcf_config, &zero);
	/* the socket would drop what its frame cannot take: the kernel */
	if (cfg && cfg->max_packet && len > cfg->max_packet) {
		count(PCF_STAT_REASON(PCF_REASON_TOO_BIG), len);
		return XDP_PASS;
	}
	/* a socket nobody reads (pcfd stopped) is a blackhole: the kernel */
	if (cfg && cfg->worker_timeout_ns) {
		beat = bpf_map_lookup_elem(&pcf_heartbeat, &key);
		if (!beat || bpf_ktime_get_coarse_ns() - *beat >
				 cfg->worker_timeout_ns) {
			count(PCF_STAT_REASON(PCF_REASON_WORKER_STALLED), len);
			return XDP_PASS;
		}
	}
	fib_rc = fib_next_hop(ctx, pkt, &rule->action, &fib);
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta))) {
		count(PCF_STAT_REASON(PCF_REASON_META_FAILED), 0);
		return XDP_PASS;
	}
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_PASS;
	meta->rule_slot = slot;
	meta->l3_off = pkt->l3_off;
	meta->family = pkt->key.family;
	meta->l4_off = pkt->l4_off;
	meta->proto = pkt->key.proto;
	meta->fib = fib_rc;
	meta->rule_id = rule->id;
	meta->fib_ifindex = fib.ifindex;
	__builtin_memcpy(meta->dmac, fib.dmac, 6);
	__builtin_memcpy(meta->smac, fib.smac, 6);
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

SEC("xdp")
int pcf_steer(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	/* 8-byte aligned: the IPv6 cache compares 64-bit words of its key */
	struct pcf_pkt pkt __attribute__((aligned(8))) = {};
	struct pcf_rule *rule;
	struct hit hit;
	__u32 slot;
	int ret;

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
	classify(&pkt.key, &hit);
	if (hit.slot < 0) {
		count(PCF_STAT_REASON(PCF_REASON_MISS), bytes);
		return finish(default_verdict(), bytes);
	}
	count_rule(hit.ctr, bytes);
	if (hit.verdict == PCF_VERDICT_DROP)
		return finish(PCF_VERDICT_DROP, bytes); /* the rule unread */
	slot = hit.slot;
	rule = bpf_map_lookup_elem(&pcf_rules, &slot);
	if (!rule)
		return finish(default_verdict(), bytes);

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
