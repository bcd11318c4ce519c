// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_classify.h - which rule a packet matched: the tuple-space search
 * (masks in order of priority, a filter in front of each family's flow
 * table, named sets) and the per-CPU flow caches in front of it
 * (pcf_abi.h, struct pcf_cache_set4).  Part of pcf_steer.bpf.c.
 */
#ifndef PCF_STEER_CLASSIFY_H
#define PCF_STEER_CLASSIFY_H

#include "steer_maps.h"

/* a stack key (or the pcf_pkt holding one) that cached4_is() or
 * cached6_is() reads in 64-bit words */
#define PCF_KEY_ALIGNED __attribute__((aligned(8)))

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
} pcf_filter SEC(".maps"); /* in front of pcf_flows4 and pcf_flows */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MASK_BUFS);
	__type(key, __u32);
	__type(value, struct pcf_mask_table);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_masks SEC(".maps");

/* Named sets (pcf_abi.h, "Named sets"): which sets hold an address. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_SET_TRIE_ENTRIES);
	__type(key, struct pcf_set_key4);
	__type(value, struct pcf_set_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_sets4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_SET_TRIE_ENTRIES);
	__type(key, struct pcf_set_key6);
	__type(value, struct pcf_set_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_sets6 SEC(".maps");

/* user space's alone: what each set is, for a restarted pcfd */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MAX_SETS);
	__type(key, __u32);
	__type(value, struct pcf_set_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_set_info SEC(".maps");

/*
 * Not pinned: a program's own caches, tied to the rules by pcf_state.gen.
 * Per CPU, but not per-CPU arrays: one array holds every CPU's sets in a
 * slice of its own (the loader sizes it by the possible CPUs), so a
 * packet reads its set without first reading the set's per-CPU pointer,
 * a cache line more for each packet of many flows.  Mmapable: the sets
 * start on a page, each on cache lines of its own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << PCF_CACHE4_SET_BITS); /* x CPUs: the loader */
	__type(key, __u32);
	__type(value, struct pcf_cache_set4);
} pcf_flow_cache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << PCF_CACHE6_SET_BITS); /* x CPUs: the loader */
	__type(key, __u32);
	__type(value, struct pcf_cache_set6);
} pcf_flow_cache6 SEC(".maps");

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

/* The sets holding a packet's source and destination (all 0: none). */
struct set_bits {
	__u64 src[2];
	__u64 dst[2];
};

/* One lookup in the family's trie: the sets holding addr into bits. */
static __always_inline void set_lookup(const __u8 *addr, __u8 family,
				       __u64 *bits)
{
	const struct pcf_set_val *v;

	if (family == 4) {
		struct pcf_set_key4 k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, addr, 4);
		v = bpf_map_lookup_elem(&pcf_sets4, &k);
	} else {
		struct pcf_set_key6 k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, addr, 16);
		v = bpf_map_lookup_elem(&pcf_sets6, &k);
	}
	if (v) {
		bits[0] = v->bits[0];
		bits[1] = v->bits[1];
	}
}

/*
 * Under mask m, the packet's src_set and dst_set fields (pcf_abi.h):
 * the mask's own values where the address is in the mask's set.
 */
static __always_inline __u8 in_src_set(const struct pcf_mask *m,
				       const struct set_bits *sb)
{
	return m->mask.src_set && pcf_set_bit_test(sb->src, m->src_bit);
}

static __always_inline __u8 in_dst_set(const struct pcf_mask *m,
				       const struct set_bits *sb)
{
	return m->mask.dst_set && pcf_set_bit_test(sb->dst, m->dst_bit);
}

/* May an entry behind filter bit bit exist (pcf_abi.h)?  Clear: no. */
static __always_inline int filter_may_hold(__u32 bit)
{
	__u32 word = bit / 64;
	__u64 *bits = bpf_map_lookup_elem(&pcf_filter, &word);

	return bits && (*bits & (1ULL << (bit % 64)));
}

/* The record found under a mask, if it beats the best so far. */
static __always_inline void take_best(struct pcf_flow *f, struct best *b)
{
	if (f && f->rank < b->rank) {
		b->rank = f->rank;
		b->f = f;
	}
}

/*
 * IPv4: the packet's compact key under mask m, in pcf_flows4.  Its words
 * are put together in registers, hashed for the filter, and stored whole
 * only for the hash lookup (pcf_join16 in pcf_abi.h says why).
 */
static __always_inline void lookup4(const struct pcf_key4 *pk,
				    const struct pcf_mask *m,
				    const struct set_bits *sb, struct best *b)
{
	const struct pcf_key *mk = &m->mask;
	__u8 sets = (in_src_set(m, sb) ? PCF_KEY4_SRC_SET : 0) |
		    (in_dst_set(m, sb) ? PCF_KEY4_DST_SET : 0);
	__u32 w[6]; /* struct pcf_key4, word by word */

	w[0] = pk->ifindex & mk->ifindex;
	w[1] = pk->src & *(const __be32 *)mk->src;
	w[2] = pk->dst & *(const __be32 *)mk->dst;
	w[3] = pcf_join16(pk->sport & mk->sport, pk->dport & mk->dport);
	w[4] = pcf_join16(pcf_join8(pk->proto & mk->proto, sets), m->mask_id);
	w[5] = pk->tun & mk->tun;
	if (!filter_may_hold(pcf_filter_bit(m->mask_id, pcf_hash4_words(w))))
		return; /* no entry under this mask can match */
	take_best(bpf_map_lookup_elem(&pcf_flows4, w), b);
}

_Static_assert(__builtin_offsetof(struct pcf_key4, sport) == 12 &&
		   __builtin_offsetof(struct pcf_key4, dport) == 14 &&
		   __builtin_offsetof(struct pcf_key4, proto) == 16 &&
		   __builtin_offsetof(struct pcf_key4, sets) == 17 &&
		   __builtin_offsetof(struct pcf_key4, mask_id) == 18 &&
		   sizeof(struct pcf_key4) == sizeof(__u32[6]),
	       "lookup4 builds struct pcf_key4 word by word");

/*
 * IPv6: the packet's whole key under mask m, in pcf_flows.  Word stores
 * only, as lookup4, but through the stack: twelve words are more than
 * the registers hold.  The set fields take the last word's upper half.
 */
static __always_inline void lookup6(const struct pcf_key *key,
				    const struct pcf_mask *m,
				    const struct set_bits *sb, struct best *b)
{
	const struct pcf_key *mk = &m->mask;
	__u32 sets =
	    pcf_join16(0, pcf_join8(in_src_set(m, sb) ? mk->src_set : 0,
				    in_dst_set(m, sb) ? mk->dst_set : 0));
	struct pcf_lookup_key lk;
	__u32 *w = (__u32 *)&lk.key, i;

	for (i = 0; i < KEY_WORDS; i++)
		w[i] = ((const __u32 *)key)[i] & ((const __u32 *)mk)[i];
	w[KEY_WORDS - 1] = (w[KEY_WORDS - 1] & ~pcf_join16(0, 0xffff)) | sets;
	lk.mask_id = m->mask_id;
	if (!filter_may_hold(pcf_filter_bit6(&lk)))
		return;
	take_best(bpf_map_lookup_elem(&pcf_flows, &lk), b);
}

_Static_assert(__builtin_offsetof(struct pcf_key, src_set) == 46 &&
		   __builtin_offsetof(struct pcf_key, dst_set) == 47 &&
		   sizeof(struct pcf_key) == sizeof(__u32[KEY_WORDS]),
	       "lookup6: the set fields are the last word's upper half");

/*
 * Tuple-space search: one hash lookup per distinct mask, masks in order of
 * the best rank they hold, stopping as soon as no later mask can beat the
 * best match so far.  pk: the compact key of an IPv4 packet (key is then
 * not read), NULL for IPv6.  The winning rule's slot, counter and verdict
 * (from its hash entry, which an RCU grace period keeps alive while it is
 * read) go to ret; slot -1 when no rule of a rank below start matched.
 */
static __always_inline void search(const struct pcf_key *key,
				   const struct pcf_key4 *pk, __u32 buf,
				   __u64 start, struct hit *ret)
{
	struct best best = { .rank = start, .f = NULL };
	struct set_bits sb = {};
	struct pcf_mask_table *tbl;
	__u32 i;

	ret->slot = -1;
	tbl = bpf_map_lookup_elem(&pcf_masks, &buf);
	if (!tbl)
		return;
	/* named sets: one trie lookup per address, only if a mask asks */
	if (tbl->flags & PCF_MASKS_SRC_SET)
		set_lookup(pk ? (const __u8 *)&pk->src : key->src,
			   pk ? 4 : 6, sb.src);
	if (tbl->flags & PCF_MASKS_DST_SET)
		set_lookup(pk ? (const __u8 *)&pk->dst : key->dst,
			   pk ? 4 : 6, sb.dst);

	for (i = 0; i < PCF_MAX_MASKS; i++) {
		const struct pcf_mask *m;

		if (i >= tbl->count)
			break;
		m = &tbl->masks[i];
		if (m->best_rank >= best.rank)
			break;
		if (pk)
			lookup4(pk, m, &sb, &best);
		else
			lookup6(key, m, &sb, &best);
	}
	if (best.f) {
		ret->slot = best.f->slot;
		ret->ctr = best.f->ctr;
		ret->verdict = best.f->verdict;
	}
}

/*
 * Does IPv4 cache entry c hold k's result at generation g?  k is 8-byte
 * aligned (PCF_KEY_ALIGNED): two 64-bit words, ifindex to dport.
 */
static __always_inline int cached4_is(const struct pcf_cached4 *c,
				      const struct pcf_key4 *k, __u64 g)
{
	const __u64 *x = (const __u64 *)c, *y = (const __u64 *)k;

	return c->gen == g &&
	       !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (c->proto ^ k->proto));
}

/*
 * Does IPv6 cache entry c hold k's result at generation g?  k is 8-byte
 * aligned (PCF_KEY_ALIGNED, or a map value): six 64-bit words.
 */
static __always_inline int cached6_is(const struct pcf_cached6 *c,
				      const struct pcf_key *k, __u64 g)
{
	const __u64 *x = (const __u64 *)&c->key, *y = (const __u64 *)k;

	return c->gen == g && !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
				(x[3] ^ y[3]) | (x[4] ^ y[4]) | (x[5] ^ y[5]));
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
 * generation g takes (pcf_abi.h), looking from the key's first way: one
 * of an older generation, else the first one not used, clearing the used
 * marks passed over; NULL when every entry was used.  One definition for
 * both families' sets.
 */
#define CACHE_VICTIM(s, g, first)                                            \
	({                                                                   \
		typeof(&(s)->way[0]) v_ = NULL;                              \
		__u32 i_, w_;                                                \
		for (i_ = 0; i_ < PCF_CACHE_WAYS && !v_; i_++) {             \
			w_ = pcf_cache_way((first), i_);                     \
			if ((s)->way[w_].gen != (g))                         \
				v_ = &(s)->way[w_];                          \
		}                                                            \
		for (i_ = 0; i_ < PCF_CACHE_WAYS && !v_; i_++) {             \
			w_ = pcf_cache_way((first), i_);                     \
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

/*
 * The entry of cache set s (either family) that holds key's result at
 * generation g, or NULL, looking from the key's first way; is: cached4_is
 * or cached6_is.
 */
#define CACHE_FIND(s, is, key, g, first)                                     \
	({                                                                   \
		typeof(&(s)->way[0]) f_ = NULL;                              \
		__u32 i_, w_;                                                \
		for (i_ = 0; i_ < PCF_CACHE_WAYS && !f_; i_++) {             \
			w_ = pcf_cache_way((first), i_);                     \
			if (is(&(s)->way[w_], (key), (g)))                   \
				f_ = &(s)->way[w_];                          \
		}                                                            \
		f_;                                                          \
	})

/* The index of a key's set in family's flow cache map: its set
 * (pcf_cache_set) in this CPU's slice. */
static __always_inline __u32 cache_index(int family, __u64 hash)
{
	return pcf_cache_set(family, hash) |
	       bpf_get_smp_processor_id() << PCF_CACHE_SET_BITS(family);
}

static __always_inline struct pcf_cache_set4 *
cache_set4(const struct pcf_key4 *pk)
{
	__u32 idx = cache_index(4, pcf_hash4(pk));

	return bpf_map_lookup_elem(&pcf_flow_cache4, &idx);
}

/* IPv6: the key's set, and its first way in *first */
static __always_inline struct pcf_cache_set6 *
cache_set6(const struct pcf_key *key, __u32 *first)
{
	__u64 h = pcf_hash6(key);
	__u32 idx = cache_index(6, h);

	*first = pcf_cache_first(6, h);
	return bpf_map_lookup_elem(&pcf_flow_cache6, &idx);
}

/*
 * A flow cache miss: the search's result into ret, and into an entry of
 * the key's cache set if one is free for it (CACHE_VICTIM).  Global
 * functions, verified once, as the search is long: the full path and the
 * fast path both call them.
 *
 * IPv4: the outer key (tun 0, no sets) in words, as struct pcf_key4 lays
 * them out: lo ifindex and src, hi dst and the ports, proto_buf the
 * protocol and (above bit 32) the mask list's buffer.  Scalars, so that
 * a caller's key stays in registers on its way to a cache hit.
 */
__noinline int pcf_miss4(__u64 lo, __u64 hi, __u64 proto_buf, __u64 g,
			 struct hit *ret)
{
	struct pcf_key4 pk = { .proto = (__u8)proto_buf };
	struct pcf_cache_set4 *s;
	struct pcf_cached4 *c;

	if (!ret)
		return 0;
	__builtin_memcpy(&pk, &lo, 8);
	__builtin_memcpy(&pk.dst, &hi, 8);
	search(NULL, &pk, proto_buf >> 32, ~0ULL, ret);
	s = cache_set4(&pk);
	if (!s)
		return 0;
	c = CACHE_VICTIM(s, g, 0); /* (IPv4: pcf_cache_first) */
	if (c) {
		__builtin_memcpy(c, &pk, 16); /* ifindex to dport */
		c->proto = pk.proto;
	}
	CACHE_FILL(c, ret, g);
	return 0;
}

/* pcf_miss4() of pk at generation g, mask list buf */
static __always_inline void miss4(const struct pcf_key4 *pk, __u64 g,
				  __u32 buf, struct hit *ret)
{
	__u64 lo, hi;

	__builtin_memcpy(&lo, pk, 8);
	__builtin_memcpy(&hi, &pk->dst, 8);
	pcf_miss4(lo, hi, pk->proto | (__u64)buf << 32, g, ret);
}

/*
 * IPv6: the whole key, and s its set in the IPv6 cache (NULL: none), which
 * also holds the inner keys of VXLAN frames of both families; buf_first
 * the mask list's buffer and (above bit 32) the key's first way there.
 */
__noinline int pcf_miss6(const struct pcf_key *key, struct pcf_cache_set6 *s,
			 __u64 g, __u64 buf_first, struct hit *ret)
{
	__u32 buf = (__u32)buf_first, first = buf_first >> 32;
	struct pcf_cached6 *c;
	struct pcf_key4 pk;

	if (!key || !ret)
		return 0;
	if (key->family == 4) {
		pcf_key4_of(&pk, key);
		search(key, &pk, buf, ~0ULL, ret);
	} else {
		search(key, NULL, buf, ~0ULL, ret);
	}
	if (!s)
		return 0;
	c = CACHE_VICTIM(s, g, first);
	if (c)
		c->key = *key;
	CACHE_FILL(c, ret, g);
	return 0;
}

/*
 * The result for pk at generation g into ret: its cache entry's, else the
 * search's (on mask list buf), which may then take an entry.  The full
 * path, the fast path and the inner lookup all go through these.
 */
static __always_inline void cached4(const struct pcf_key4 *pk, __u64 g,
				    __u32 buf, struct hit *ret)
{
	struct pcf_cache_set4 *s = cache_set4(pk);
	struct pcf_cached4 *c = s ? CACHE_FIND(s, cached4_is, pk, g, 0) : NULL;

	if (c)
		CACHE_HIT(c, ret);
	else
		miss4(pk, g, buf, ret);
}

static __always_inline void cached6(const struct pcf_key *key, __u64 g,
				    __u32 buf, struct hit *ret)
{
	__u32 first;
	struct pcf_cache_set6 *s = cache_set6(key, &first);
	struct pcf_cached6 *c =
	    s ? CACHE_FIND(s, cached6_is, key, g, first) : NULL;

	if (c)
		CACHE_HIT(c, ret);
	else
		pcf_miss6(key, s, g, buf | (__u64)first << 32, ret);
}

/*
 * The winning rule (see search), or slot -1: from this CPU's flow cache
 * of the packet's family when it holds a result of the current rule
 * table, else from the search, whose result may then take a cache entry
 * (pcf_abi.h).  The search itself is a call away (pcf_miss4/6).
 */
static __always_inline void classify(const struct pcf_key *key,
				     struct hit *ret)
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
	/* VXLAN (issue 13): a table of encap rules alone (or none) has no
	 * rule for the packet's own headers */
	if (!READ_ONCE(st->outer_rules))
		return;
	g = READ_ONCE(st->gen);
	barrier();
	buf = READ_ONCE(st->mask_buf);
	if (key->family == 4) {
		struct pcf_key4 pk PCF_KEY_ALIGNED;

		pcf_key4_of(&pk, key);
		cached4(&pk, g, buf, ret);
	} else {
		cached6(key, g, buf, ret);
	}
}

#endif /* PCF_STEER_CLASSIFY_H */
