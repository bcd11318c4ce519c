// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf_steer - the XDP program on each data NIC.
 *
 * Parse, classify against the pinned flow rules by tuple-space search, and
 * give each packet its verdict: PASS (optionally with TTL/DF rewritten
 * here), DROP, or REDIRECT into the AF_XDP socket of its rx queue, with the
 * matched rule handed over in XDP metadata.  A queue without a socket falls
 * back to PASS, so pcfd going away never blackholes a flow.
 *
 * One compilation unit in parts: steer_maps.h (the maps the parts share,
 * the counters), steer_classify.h (the search and the flow caches),
 * steer_act.h (what a verdict does), steer_ct.h (sessions), steer_vxlan.h
 * (inner packets); here the fast path, the full path and the program.
 */
#include "parse.h"
#include "steer_act.h"
#include "steer_classify.h"
#include "steer_ct.h"
#include "steer_vxlan.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The full path's rule for pkt into hit: its session first (then an XDP
 * action is returned), else the best rule for its own headers or, for a
 * VXLAN frame, its inner packet's (then *ret_p is the inner packet).
 * -1: hit holds the result.
 */
static __always_inline int full_lookup(struct xdp_md *ctx, struct pcf_pkt *pkt,
				       __u64 bytes, struct hit *hit,
				       struct pcf_pkt **ret_p)
{
	struct pcf_pkt *in;
	struct hit ihit;
	__u32 zero = 0;
	int ret;

	if (ct_maybe(pkt)) {
		ret = pcf_ct_steer(ctx, pkt, bytes, 0);
		if (ret >= 0)
			return ret;
	}
	classify(&pkt->key, hit);
	/* VXLAN: the inner packet's rules, against the outer winner */
	if (!encap_live() || !(in = bpf_map_lookup_elem(&pcf_inner, &zero)))
		return -1;
	ret = pcf_vxlan_inner(ctx, pkt, in);
	if (ret < 0) {
		count(PCF_STAT_REASON(PCF_REASON_ENCAP_MALFORMED), bytes);
		return finish(default_verdict(), bytes);
	}
	if (ret > 0) {
		pcf_classify_inner(&in->key, hit->slot, &ihit);
		if (ihit.slot >= 0) {
			*hit = ihit;
			*ret_p = in;
		}
	}
	return -1;
}

/* ---- the fast path (issue 15) ---- */

/* pcf_fast()'s answers besides an XDP action */
enum {
	FAST_NONE = -1, /* the full path decides */
	FAST_HIT = -2, /* hit: a PASS or REDIRECT rule, its counter moved */
};

/*
 * Is the fast path open, and at which generation of the rule table?  Not
 * while a session may exist (sessions come before rules) nor while an
 * encap rule does (VXLAN frames are looked into), nor without rules for
 * the packets' own headers (the full path's classify() then says miss
 * without a cache).
 */
static __always_inline int fast_open(__u64 *ret_gen, __u32 *ret_buf)
{
	__u32 zero = 0;
	__u64 *live = bpf_map_lookup_elem(&pcf_ct_live, &zero);
	struct pcf_table_state *st = bpf_map_lookup_elem(&pcf_state, &zero);

	if (!live || *live || !st || !READ_ONCE(st->outer_rules) ||
	    READ_ONCE(st->encap_rules))
		return 0;
	*ret_gen = READ_ONCE(st->gen); /* before the mask list: classify() */
	barrier();
	*ret_buf = READ_ONCE(st->mask_buf);
	return 1;
}

/*
 * The packet's result in hit, from either path: a miss and a DROP rule
 * end here (the rule unread); a PASS or REDIRECT rule, counted, is left
 * in hit for the full path to act on (FAST_HIT).
 */
static __always_inline int hit_done(const struct hit *hit, __u64 bytes)
{
	if (hit->slot < 0) {
		count(PCF_STAT_REASON(PCF_REASON_MISS), bytes);
		return finish(default_verdict(), bytes);
	}
	count_rule(hit->ctr, bytes);
	if (hit->verdict == PCF_VERDICT_DROP)
		return finish(PCF_VERDICT_DROP, bytes);
	return FAST_HIT;
}

static __always_inline int fast4(struct xdp_md *ctx, __u64 g, __u32 buf,
				 __u64 bytes, struct hit *hit)
{
	struct pcf_key4 pk PCF_KEY_ALIGNED = {
		.ifindex = ctx->ingress_ifindex,
	};

	if (pcf_fast_key4(ctx, &pk))
		return FAST_NONE;
	cached4(&pk, g, buf, hit);
	return hit_done(hit, bytes);
}

static __always_inline int fast6(struct xdp_md *ctx, __u64 g, __u32 buf,
				 __u64 bytes, struct hit *hit)
{
	struct pcf_key k PCF_KEY_ALIGNED = {
		.ifindex = ctx->ingress_ifindex,
	};
	struct pcf_cache_set6 *s;
	struct pcf_cached6 *c;
	__u32 first;

	if (pcf_fast_key6(ctx, &k))
		return FAST_NONE;
	/* cached6(), but a miss takes a copy of k: with k's own address
	 * taken, clang kept its words on the stack on the way to a hit too */
	s = cache_set6(&k, &first);
	c = s ? CACHE_FIND(s, cached6_is, &k, g, first) : NULL;
	if (c) {
		CACHE_HIT(c, hit);
	} else {
		struct pcf_key m PCF_KEY_ALIGNED = k;

		pcf_miss6(&m, s, g, buf | (__u64)first << 32, hit);
	}
	return hit_done(hit, bytes);
}

/*
 * The fast path: the common packet (pcf_fast_key4/6 in parse.h) whose
 * flow cache entry holds a result of the current rule table is classified
 * without the full parse, and a miss or a DROP rule is done with it.  An
 * XDP action; FAST_HIT: hit holds the packet's rule; FAST_NONE: the full
 * path decides (other packets, a cache miss, sessions or encap rules).
 */
static __always_inline int pcf_fast(struct xdp_md *ctx, __u64 bytes,
				    struct hit *hit)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u32 buf;
	__u64 g;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return FAST_NONE;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return fast_open(&g, &buf) ? fast4(ctx, g, buf, bytes, hit)
					   : FAST_NONE;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return fast_open(&g, &buf) ? fast6(ctx, g, buf, bytes, hit)
					   : FAST_NONE;
	return FAST_NONE;
}

SEC("xdp")
int pcf_steer(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	struct pcf_pkt pkt PCF_KEY_ALIGNED;
	struct pcf_pkt *p = &pkt;
	struct pcf_rule *rule;
	struct hit hit;
	__u32 slot, delta = 0;
	int fast, ret;

	fast = pcf_fast(ctx, bytes, &hit);
	if (fast >= 0)
		return fast;
	__builtin_memset(&pkt, 0, sizeof(pkt)); /* not for the fast path */
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
	if (fast == FAST_NONE) {
		ret = full_lookup(ctx, &pkt, bytes, &hit, &p);
		if (ret < 0)
			ret = hit_done(&hit, bytes);
		if (ret >= 0)
			return ret;
	}
	slot = hit.slot;
	rule = bpf_map_lookup_elem(&pcf_rules, &slot);
	if (!rule)
		return finish(default_verdict(), bytes);
	if (p != &pkt) {
		ret = act_inner(ctx, &pkt, p, &rule->action, bytes);
		if (ret)
			return ret;
		if (rule->action.verdict == PCF_VERDICT_PASS)
			return finish(PCF_VERDICT_PASS, bytes);
	}

	switch (rule->action.verdict) {
	case PCF_VERDICT_DROP:
		return finish(PCF_VERDICT_DROP, bytes);
	case PCF_VERDICT_REDIRECT:
		if (ct_nat(&rule->action)) {
			/* the session, then its packet: as later ones */
			ret = pcf_ct_make(ctx, p, slot, bytes);
			if (!ret)
				ret = pcf_ct_steer(ctx, p, bytes, 1);
			if (ret >= 0)
				return ret;
		}
		ret = redirect(ctx, p, slot, rule);
		if (ret == XDP_REDIRECT)
			return finish(PCF_VERDICT_REDIRECT, bytes);
		if (ct_nat(&rule->action)) { /* as ct_redirect does */
			count_ct(PCF_CT_X_NO_WORKER, bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
		count(PCF_STAT_REASON(PCF_REASON_REDIRECT_FALLBACK), bytes);
		return finish(PCF_VERDICT_PASS, bytes);
	default: /* (an encap rule's PASS is done) */
		if (!rewrite_l3(ctx, &pkt, &rule->action, &delta)) {
			count(PCF_STAT_REASON(PCF_REASON_TTL_EXPIRED), bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
		if (rule->action.flags & PCF_ACT_CT)
			pcf_ct_record(ctx, &pkt, slot, rule->id, bytes);
		return finish(PCF_VERDICT_PASS, bytes);
	}
}
