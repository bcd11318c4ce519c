/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rule_gen.h - random rules and packets for the classifier's model tests
 * (tests/unit/test_table_model.c in memory, tests/bpf/test_steer_model.c
 * through the real pcf_steer), and the linear reference both compare
 * with: the best priority, then the lowest id, over all rules.
 *
 * Rules and packets draw from small pools (a few addresses in
 * 198.18.0.0/15 and 2001:db8::/32, a few ports, protocols and ingress
 * interfaces), with prefixes of every length and low bits perturbed, so
 * rules overlap and packets match several of them.
 */
#ifndef PCF_TEST_RULE_GEN_H
#define PCF_TEST_RULE_GEN_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "pcf_abi.h"
#include "sets.h"
#include "table.h"

#define GEN_IFINDEX0 1 /* ingress interfaces GEN_IFINDEX0 .. + 2 */

struct gen {
	__u64 s;
	/* rules may match on the sets of gen_sets_load (named sets) */
	bool sets;
};

static inline __u64 gen_next(struct gen *g)
{
	/* xorshift64* */
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dULL;
}

static inline __u32 gen_below(struct gen *g, __u32 n)
{
	return (__u32)((gen_next(g) >> 32) % n);
}

static inline bool gen_chance(struct gen *g, unsigned int percent)
{
	return gen_below(g, 100) < percent;
}

static inline void gen_seed(struct gen *g, __u64 seed)
{
	g->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
	g->sets = false;
}

/* Address i of the family's pool (8 of them, sharing long prefixes). */
static inline void gen_pool_addr(unsigned int i, int family, __u8 *ret)
{
	static const __u8 v4[8][4] = {
		{ 198, 18, 0, 1 },   { 198, 18, 0, 2 },	  { 198, 18, 1, 1 },
		{ 198, 18, 128, 7 }, { 198, 19, 0, 1 },	  { 198, 19, 255, 254 },
		{ 198, 18, 0, 129 }, { 198, 19, 16, 33 },
	};
	static const __u8 v6[8][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  7 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0,
		  1 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80,
		  1 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  9 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  0x81 },
	};

	if (family == 4)
		memcpy(ret, v4[i % 8], 4);
	else
		memcpy(ret, v6[i % 8], 16);
}

static inline void gen_prefix_mask(__u8 *mask, unsigned int len,
				   unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (plen >= 8)
			mask[i] = 0xff;
		else
			mask[i] = (__u8)(0xff00 >> plen);
		plen = plen >= 8 ? plen - 8 : 0;
	}
}

/*
 * Named sets (issue 13): GEN_NSETS sets of fixed content, of pool
 * addresses and prefixes covering them (overlapping within and across
 * sets; set 3 IPv6), and the linear reference of membership.
 */
#define GEN_NSETS 3

static const struct {
	unsigned int set, family, pool, plen;
} gen_set_elems[] = {
	{ 1, 4, 0, 32 }, { 1, 4, 3, 17 },  { 1, 4, 7, 32 }, { 1, 4, 2, 23 },
	{ 2, 4, 0, 24 }, { 2, 4, 0, 32 },  { 2, 4, 5, 16 }, { 2, 4, 6, 25 },
	{ 3, 6, 0, 64 }, { 3, 6, 3, 128 }, { 3, 6, 6, 32 }, { 3, 6, 4, 72 },
};

#define GEN_NSET_ELEMS (sizeof(gen_set_elems) / sizeof(gen_set_elems[0]))

/* Element i of the sets: its set, family, address (masked) and length. */
static inline unsigned int gen_set_elem(unsigned int i, __u8 *addr,
					__u8 *family, __u8 *plen)
{
	__u8 mask[16] = {};
	unsigned int b, alen = gen_set_elems[i].family == 4 ? 4 : 16;

	memset(addr, 0, 16);
	gen_pool_addr(gen_set_elems[i].pool, gen_set_elems[i].family, addr);
	gen_prefix_mask(mask, alen, gen_set_elems[i].plen);
	for (b = 0; b < alen; b++)
		addr[b] &= mask[b];
	*family = gen_set_elems[i].family;
	*plen = gen_set_elems[i].plen;
	return gen_set_elems[i].set;
}

/* Is addr (of family) in set (1..GEN_NSETS)?  0: no set, false. */
static inline bool gen_in_set(unsigned int set, int family, const __u8 *addr)
{
	unsigned int i, l;
	__u8 a[16], fam, plen;

	for (i = 0; set && i < GEN_NSET_ELEMS; i++) {
		bool in;

		if (gen_set_elem(i, a, &fam, &plen) != set || fam != family)
			continue;
		in = true;
		for (l = 0; in && l < plen; l++)
			in = !((a[l / 8] ^ addr[l / 8]) & (0x80 >> (l % 8)));
		if (in)
			return true;
	}
	return false;
}

/* An address in set (its family into *family): a random element's. */
static inline void gen_set_member(struct gen *g, unsigned int set, __u8 *family,
				  __u8 *addr)
{
	unsigned int i, n = 0, pick, l;
	__u8 plen;

	for (i = 0; i < GEN_NSET_ELEMS; i++)
		n += gen_set_elems[i].set == set;
	pick = gen_below(g, n ? n : 1);
	for (i = 0; i < GEN_NSET_ELEMS; i++) {
		if (gen_set_elems[i].set != set || pick--)
			continue;
		gen_set_elem(i, addr, family, &plen);
		/* host bits at random, within the address */
		for (l = plen; l < (*family == 4 ? 32u : 128u); l++)
			if (gen_chance(g, 50))
				addr[l / 8] |= 0x80 >> (l % 8);
		return;
	}
}

static inline __u16 gen_port(struct gen *g, __u8 proto)
{
	static const __u16 ports[] = { 0, 53, 80, 443, 4789, 8080, 65535 };

	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return gen_below(g, 4) ? gen_below(g, 4) : gen_below(g, 256);
	return ports[gen_below(g, sizeof(ports) / sizeof(ports[0]))];
}

static inline __u8 gen_proto(struct gen *g, int family)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				       IPPROTO_ICMPV6, IPPROTO_GRE };
	__u8 p;

	do
		p = protos[gen_below(g, sizeof(protos))];
	while ((family == 4 && p == IPPROTO_ICMPV6) ||
	       (family == 6 && p == IPPROTO_ICMP));
	return p;
}

static inline bool gen_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* A random address match of the family into key/mask (addr: src or dst). */
static inline void gen_addr_match(struct gen *g, int family, __u8 *key,
				  __u8 *mask)
{
	unsigned int alen = family == 4 ? 4 : 16, i;

	gen_pool_addr(gen_below(g, 8), family, key);
	gen_prefix_mask(mask, alen, gen_below(g, alen * 8 + 1));
	for (i = 0; i < alen; i++)
		key[i] &= mask[i];
}

/* VXLAN (issue 13): the VNIs rules and packets draw from. */
static inline __u32 gen_vni(struct gen *g)
{
	static const __u32 vnis[] = { 1, 2, 42, 0xffffff };

	return vnis[gen_below(g, 4)];
}

/*
 * What an action must say with its match: an encap rule's redirect
 * decapsulates (the workers take the inner frame), a pass may; a rule
 * without encap does not.
 */
static inline void gen_fix_action(struct gen *g, struct pcf_rule *r)
{
	bool encap = PCF_TUN_KIND(r->key.tun);

	r->action.flags &= ~PCF_ACT_DECAP;
	if (encap &&
	    (r->action.verdict == PCF_VERDICT_REDIRECT ||
	     (r->action.verdict == PCF_VERDICT_PASS && gen_chance(g, 50))))
		r->action.flags |= PCF_ACT_DECAP;
}

/*
 * A random rule spec (what pcf_table_add takes): valid, the match masked.
 * prio from a small pool, so that ties (decided by the id) are common.
 */
static inline void gen_rule(struct gen *g, struct pcf_rule *r)
{
	static const __u32 prios[] = { 0, 1, 100, 100, 32768, 32768, 65535 };
	struct pcf_key *k = &r->key, *m = &r->mask;
	int family = 0;
	__u32 f = gen_below(g, 10);

	memset(r, 0, sizeof(*r));
	if (f < 9) {
		family = f < 5 ? 4 : 6;
		k->family = family;
		m->family = 0xff;
		if (gen_chance(g, 55))
			gen_addr_match(g, family, k->src, m->src);
		if (gen_chance(g, 65))
			gen_addr_match(g, family, k->dst, m->dst);
	}
	if (gen_chance(g, 70)) {
		k->proto = gen_proto(g, family);
		m->proto = 0xff;
		if (gen_has_ports(k->proto) && gen_chance(g, 35)) {
			k->sport = htons(gen_port(g, k->proto));
			m->sport = 0xffff;
		}
		if (gen_has_ports(k->proto) && gen_chance(g, 50)) {
			k->dport = htons(gen_port(g, k->proto));
			m->dport = 0xffff;
		}
	}
	if (gen_chance(g, 15)) {
		k->ifindex = GEN_IFINDEX0 + gen_below(g, 3);
		m->ifindex = 0xffffffff;
	}
	/* named sets: the address in a set instead of a prefix */
	if (g->sets && gen_chance(g, 20)) {
		memset(k->src, 0, 16);
		memset(m->src, 0, 16);
		k->src_set = m->src_set = 1 + gen_below(g, GEN_NSETS);
	}
	if (g->sets && gen_chance(g, 12)) {
		memset(k->dst, 0, 16);
		memset(m->dst, 0, 16);
		k->dst_set = m->dst_set = 1 + gen_below(g, GEN_NSETS);
	}
	r->prio = prios[gen_below(g, sizeof(prios) / sizeof(prios[0]))];
	r->action.verdict = gen_below(g, PCF_VERDICT_MAX);
	if (r->action.verdict != PCF_VERDICT_DROP && gen_chance(g, 40)) {
		r->action.flags |= PCF_ACT_TTL;
		r->action.ttl_delta =
		    (__s8)(1 + gen_below(g, 60)) * (gen_chance(g, 50) ? -1 : 1);
	}
	if (r->action.verdict == PCF_VERDICT_REDIRECT && gen_chance(g, 40)) {
		r->action.flags |= PCF_ACT_MARK;
		r->action.mark = (__u32)gen_next(g);
	}
	/* VXLAN (issue 13): a rule on the inner packet, now and then */
	m->tun = PCF_TUN_KIND_MASK; /* as the table keeps every rule */
	if (gen_chance(g, 20)) {
		k->tun = PCF_TUN(PCF_TUN_VXLAN, 0);
		if (gen_chance(g, 50)) {
			k->tun = PCF_TUN(PCF_TUN_VXLAN, gen_vni(g));
			m->tun = ~0U;
		}
	}
	gen_fix_action(g, r);
}

/* A new action and priority for a rule (a replace). */
static inline void gen_change(struct gen *g, struct pcf_rule *r)
{
	struct pcf_rule other;

	gen_rule(g, &other);
	r->prio = other.prio;
	r->action = other.action;
	gen_fix_action(g, r);
}

/* A packet's key as pcf_steer's parser fills it. */
static inline void gen_packet(struct gen *g, struct pcf_key *k)
{
	int family = gen_chance(g, 50) ? 4 : 6;
	unsigned int alen = family == 4 ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->family = family;
	gen_pool_addr(gen_below(g, 8), family, k->src);
	gen_pool_addr(gen_below(g, 8), family, k->dst);
	/* flip a bit somewhere: near misses of long prefixes */
	if (gen_chance(g, 50))
		k->src[gen_below(g, alen)] ^= 1 << gen_below(g, 8);
	if (gen_chance(g, 50))
		k->dst[gen_below(g, alen)] ^= 1 << gen_below(g, 8);
	k->proto = gen_proto(g, 0);
	if (gen_has_ports(k->proto)) {
		k->sport = htons(gen_port(g, k->proto));
		k->dport = htons(gen_port(g, k->proto));
	}
	k->ifindex = GEN_IFINDEX0 + gen_below(g, 3);
}

/* Does the rule (key stored masked) match packet k? */
static inline bool gen_matches(const struct pcf_rule *r,
			       const struct pcf_key *pkt)
{
	struct pcf_key sk = *pkt, *k = &sk;
	const __u8 *kb = (const __u8 *)k, *mb = (const __u8 *)&r->mask,
		   *rb = (const __u8 *)&r->key;
	size_t i;

	/* a set field holds the rule's set when the address is in it */
	sk.src_set = gen_in_set(r->mask.src_set, k->family, k->src)
			 ? r->mask.src_set
			 : 0;
	sk.dst_set = gen_in_set(r->mask.dst_set, k->family, k->dst)
			 ? r->mask.dst_set
			 : 0;

	for (i = 0; i < sizeof(*k); i++)
		if ((kb[i] & mb[i]) != rb[i])
			return false;
	return true;
}

/* The linear reference: index of the winning rule in rules[n], or -1. */
static inline int gen_reference(const struct pcf_rule *rules, unsigned int n,
				const struct pcf_key *k)
{
	__u64 best = ~0ULL, rank;
	int win = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!gen_matches(&rules[i], k))
			continue;
		rank = pcf_rank(rules[i].prio, rules[i].id);
		if (rank < best) {
			best = rank;
			win = i;
		}
	}
	return win;
}

/*
 * VXLAN (issue 13): the key of a VXLAN frame's inner packet as pcf_steer
 * fills it (tun set, the outer frame's ingress interface).
 */
static inline void gen_inner(struct gen *g, const struct pcf_key *outer,
			     struct pcf_key *k)
{
	gen_packet(g, k);
	k->ifindex = outer->ifindex;
	k->tun = PCF_TUN(PCF_TUN_VXLAN, gen_vni(g));
}

/*
 * VXLAN (issue 13): the reference for a VXLAN frame, outer headers and
 * inner packet: the best rule matching either (a rule matches one kind).
 */
static inline int gen_reference_encap(const struct pcf_rule *rules,
				      unsigned int n,
				      const struct pcf_key *outer,
				      const struct pcf_key *inner)
{
	int o = gen_reference(rules, n, outer),
	    i = gen_reference(rules, n, inner);

	if (o < 0 || (i >= 0 && pcf_rank(rules[i].prio, rules[i].id) <
				    pcf_rank(rules[o].prio, rules[o].id)))
		return i;
	return o;
}

/*
 * Make the sets g1..gN in s (fresh: their indexes are 1..N), their bits
 * in t's mask lists; g's rules may then name them.  0 or -errno.
 */
static inline int gen_sets_load(struct gen *g, struct pcf_sets *s,
				struct pcf_table *t)
{
	struct pcf_set_elem e[GEN_NSET_ELEMS];
	struct pcf_sets_err why;
	unsigned int set, i, n;
	char name[8];
	int idx, err;

	for (set = 1; set <= GEN_NSETS; set++) {
		memset(e, 0, sizeof(e));
		for (i = n = 0; i < GEN_NSET_ELEMS; i++)
			if (gen_set_elem(i, e[n].addr, &e[n].family,
					 &e[n].plen) == set)
				n++;
		snprintf(name, sizeof(name), "g%u", set);
		err = pcf_sets_add(s, name, e, n, &idx, &why);
		if (err)
			return err;
		if (idx != (int)set)
			return -EEXIST;
	}
	err = pcf_table_set_bits(t, pcf_sets_bits(s));
	g->sets = !err;
	return err;
}

#endif /* PCF_TEST_RULE_GEN_H */
