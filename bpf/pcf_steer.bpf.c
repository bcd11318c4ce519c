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
#include <linux/errno.h>

#include "parse.h"
#include "pcf_csum.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* a stack key (or the pcf_pkt holding one) that cached4_is() or
 * cached6_is() reads in 64-bit words */
#define PCF_KEY_ALIGNED __attribute__((aligned(8)))

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
} pcf_filter SEC(".maps"); /* in front of pcf_flows4 and pcf_flows */

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_STAT_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_RULE_SLOTS); /* a row per CPU: pcfd sizes it */
	__type(key, __u32); /* PCF_RULE_STAT(cpu, pcf_rule.ctr) */
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

/*
 * Sessions (pcf_abi.h): pcfd sizes pcf_ct and pcf_ct_filter (--sessions)
 * and sets ct_filter_mask to match before it loads the program.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_CT_ENTRIES(PCF_CT_SESSIONS_DEFAULT));
	__type(key, struct pcf_ct_key);
	__type(value, struct pcf_ct_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_CT_ENTRIES(PCF_CT_SESSIONS_DEFAULT));
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_CT_X_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_live SEC(".maps");

/* ct NAT rules' ports and masquerade addresses (pcf_abi.h, "New sessions
 * of ct NAT rules") */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_CT_PORT_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_CT_POOLS_MAX);
	__type(key, struct pcf_ct_pool_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_pools SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_CT_IFADDRS_MAX);
	__type(key, __u32); /* ifindex */
	__type(value, struct pcf_ct_ifaddr_v);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ct_ifaddrs SEC(".maps");

/* Where pcf_ct_make builds a session (off the stack, which the program
 * and its functions share: 512 bytes). */
struct ct_scratch {
	struct pcf_ct_entry e;
	struct pcf_ct_key k, rk;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_scratch);
} pcf_ct_scratch SEC(".maps");

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

/* VXLAN (issue 13): a frame's inner packet, off the stack (512 bytes for
 * the program and its calls) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_pkt);
} pcf_inner SEC(".maps");

/* pcf_ct_filter's buckets less one (a power of two less one) */
const volatile __u32 ct_filter_mask =
    PCF_CT_ENTRIES(PCF_CT_SESSIONS_DEFAULT) - 1;

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
	__u32 idx = PCF_RULE_STAT(bpf_get_smp_processor_id(), ctr);
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_rule_stats, &idx);

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

/* ---- sessions (pcf_abi.h, "Sessions") ---- */

/* an L4 header starts before this (parse.h: 22 + 40 + 1024 at most) */
#define L4_OFF_MAX 1100
#define CT_TCP_FLAGS \
	(PCF_CT_TCP_FIN | PCF_CT_TCP_SYN | PCF_CT_TCP_RST | PCF_CT_TCP_ACK)

static __always_inline void count_ct(__u32 stat, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_ct_stats, &stat);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * The ports of the ICMP echo at l4: its identifier is a request's sport
 * and a reply's dport; -1 for any other message.
 */
static __always_inline int echo_ports(__u8 proto, const __u8 *l4, void *end,
				      struct pcf_ct_key *k)
{
	__be16 id;

	if ((void *)(l4 + 8) > end)
		return -1;
	id = *(const __be16 *)(l4 + 4);
	switch (pcf_ct_icmp_kind(proto, l4[0])) {
	case PCF_CT_ICMP_REQUEST:
		k->sport = id;
		k->dport = 0;
		return 0;
	case PCF_CT_ICMP_REPLY:
		k->sport = 0;
		k->dport = id;
		return 0;
	default:
		return -1;
	}
}

/*
 * The key of the entry the ICMP error at l4 is about: the tuple of the
 * packet it quotes, reversed (that packet went the other way).  A quoted
 * IPv6 header must be followed by its L4 header.
 */
static __always_inline int quoted_key(__u8 family, __u8 *l4, void *end,
				      struct pcf_ct_key *k)
{
	struct pcf_ct_key q = {};
	__u8 *in = l4 + 8, *il4;

	if (family == 4) {
		struct iphdr *ip = (void *)in;

		if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5 ||
		    (ip->frag_off & bpf_htons(IP_OFFSET)))
			return -1;
		__builtin_memcpy(q.src, &ip->saddr, 4);
		__builtin_memcpy(q.dst, &ip->daddr, 4);
		q.proto = ip->protocol;
		il4 = in + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = (void *)in;

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			return -1;
		__builtin_memcpy(q.src, &ip6->saddr, 16);
		__builtin_memcpy(q.dst, &ip6->daddr, 16);
		q.proto = ip6->nexthdr;
		il4 = in + sizeof(*ip6);
	}
	q.family = family;
	if ((void *)(il4 + 8) > end)
		return -1;
	if (q.proto == IPPROTO_TCP || q.proto == IPPROTO_UDP) {
		q.sport = *(const __be16 *)il4;
		q.dport = *(const __be16 *)(il4 + 2);
	} else if (q.proto == (family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) &&
		   echo_ports(q.proto, il4, end, &q)) {
		return -1;
	}
	pcf_ct_reverse(k, &q);
	return 0;
}

/*
 * The key of an ICMP or ICMPv6 packet's entry in k, with *ret_error set
 * when the packet is an error about that session; -1: no session can
 * have it (another message, or cut short).
 */
static __always_inline int icmp_key(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt,
				    struct pcf_ct_key *k, __u32 *ret_error)
{
	void *end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l4_off;
	__u8 *l4;

	if (!off || off > L4_OFF_MAX)
		return -1;
	l4 = (void *)(long)ctx->data + off;
	if ((void *)(l4 + 8) > end)
		return -1;
	if (pcf_ct_icmp_kind(pkt->key.proto, l4[0]) == PCF_CT_ICMP_ERROR) {
		*ret_error = PCF_CT_M_ICMP_ERROR;
		return quoted_key(pkt->key.family, l4, end, k);
	}
	__builtin_memcpy(k, &pkt->key.src, sizeof(*k));
	return echo_ports(pkt->key.proto, l4, end, k);
}

/* The TCP flags (PCF_CT_TCP_*) of pkt; 0 for another protocol. */
static __always_inline __u32 tcp_flags(struct xdp_md *ctx,
				       const struct pcf_pkt *pkt)
{
	void *end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l4_off;
	__u8 *th;

	if (pkt->key.proto != IPPROTO_TCP || !off || off > L4_OFF_MAX)
		return 0;
	th = (void *)(long)ctx->data + off;
	if ((void *)(th + 14) > end)
		return 0;
	return th[13] & CT_TCP_FLAGS;
}

/* A packet of e's direction: the session lives on, counted. */
static __always_inline void ct_seen(struct xdp_md *ctx,
				    const struct pcf_pkt *pkt,
				    struct pcf_ct_entry *e, __u64 bytes)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	__u64 fl = tcp_flags(ctx, pkt);

	/* the coarse clock moves every tick: few writes of the line */
	if (e->last_seen != now)
		e->last_seen = now;
	/*
	 * Each direction has its entry, and a direction's packets come on
	 * one queue (RSS hashes the tuple): plain adds, no locked
	 * instruction per packet (a direction spread over CPUs would lose
	 * counts, never the session).  A flag a direction has not shown yet
	 * (rare: a state change) goes in atomically.
	 */
	e->packets++;
	e->bytes += bytes;
	if ((e->tcp & fl) != fl)
		__sync_fetch_and_or(&e->tcp, fl);
}

/* The rule that made e's session, if it is still there. */
static __always_inline struct pcf_rule *ct_rule(const struct pcf_ct_entry *e)
{
	__u32 slot = e->rule_slot;
	struct pcf_rule *rule = bpf_map_lookup_elem(&pcf_rules, &slot);

	return rule && READ_ONCE(rule->id) == e->rule_id ? rule : NULL;
}

/*
 * A packet of a pass session (pass ct) passes whatever the rules say;
 * the original direction's also gets its rule's TTL/DF rewrites and is
 * counted as the rule's while the rule is there.
 */
static __always_inline int ct_pass(struct xdp_md *ctx,
				   const struct pcf_pkt *pkt,
				   const struct pcf_ct_entry *e, __u32 error,
				   __u64 bytes)
{
	struct pcf_rule *rule;
	__u32 delta = 0;

	count_ct(error ? PCF_CT_X_ICMP_ERROR : PCF_CT_X_PASS, bytes);
	if (!error && !(e->flags & PCF_CT_REPLY) && (rule = ct_rule(e))) {
		count_rule(rule->ctr, bytes);
		if (!rewrite_l3(ctx, pkt, &rule->action, &delta)) {
			count(PCF_STAT_REASON(PCF_REASON_TTL_EXPIRED), bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
	}
	return finish(PCF_VERDICT_PASS, bytes);
}

/*
 * A packet of a NAT session goes to the worker of its queue with the
 * entry's translation in front of its pcf_meta, and the next hop of the
 * translated destination.  No worker can take it: dropped (counted), not
 * passed untranslated, which would leak the inside address or make the
 * peer reset the connection; TCP sends it again once a worker is back.
 */
static __always_inline int ct_redirect(struct xdp_md *ctx,
				       const struct pcf_pkt *pkt,
				       const struct pcf_ct_entry *e,
				       __u32 error, __u64 bytes,
				       int rule_counted)
{
	struct bpf_fib_lookup fib = {};
	__u8 fib_rc = PCF_FIB_NONE, egress = PCF_EGRESS_DEFAULT;
	struct pcf_ct_meta *cm;
	struct pcf_meta *meta;
	struct pcf_rule *rule;
	void *data;
	__u32 key;

	rule = ct_rule(e);
	if (rule) {
		egress = rule->action.egress;
		if (!error && !(e->flags & PCF_CT_REPLY) && !rule_counted)
			count_rule(rule->ctr, bytes);
	}
	if (xsk_slot(ctx, &key))
		goto no_worker;
	if (egress != PCF_EGRESS_KERNEL)
		fib_rc = fib_lookup(ctx, pkt, e->xlat.src, e->xlat.dst, &fib);
	if (bpf_xdp_adjust_meta(ctx, -(int)(sizeof(*cm) + sizeof(*meta)))) {
		count(PCF_STAT_REASON(PCF_REASON_META_FAILED), 0);
		goto no_worker;
	}
	cm = (void *)(long)ctx->data_meta;
	meta = (void *)(cm + 1);
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		goto no_worker;
	fill_meta(meta, pkt, e->rule_slot, e->rule_id, fib_rc, &fib);
	meta->magic = PCF_META_MAGIC_CT;
	__builtin_memcpy(&cm->xlat, &e->xlat, sizeof(cm->xlat));
	cm->flags = e->flags | error;
	cm->magic = PCF_CT_META_MAGIC;
	if (bpf_redirect_map(&pcf_xskmap, key, XDP_DROP) != XDP_REDIRECT)
		goto no_worker;
	count_ct(error ? PCF_CT_X_ICMP_ERROR : PCF_CT_X_REDIRECT, bytes);
	return finish(PCF_VERDICT_REDIRECT, bytes);
no_worker:
	count_ct(PCF_CT_X_NO_WORKER, bytes);
	return finish(PCF_VERDICT_DROP, bytes);
}

/*
 * The session of pkt, looked up before the rules: a pass session's
 * packets pass, a NAT session's go to a worker.  -1: pkt has no session
 * (classify it).  A TCP or UDP packet's key is where parse.h put its rule
 * key; the filter proves most misses with a hash and one array read (for
 * TCP and UDP, ct_maybe has, before the call).  first: pkt is the packet
 * that made the session (its rule counted it).
 *
 * The session functions are global: the verifier checks each once, not
 * once for every way of reaching its call (static ones doubled the
 * program's verification).
 */
__noinline int pcf_ct_steer(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			    __u64 bytes, int first)
{
	struct pcf_ct_entry *e;
	struct pcf_ct_key k;
	__u32 idx, error = 0;
	const void *key;
	__u64 *n;

	if (!pkt || pkt->fragment)
		return -1;
	key = &pkt->key.src;
	/* (a TCP or UDP packet's bucket was found counted: ct_maybe) */
	if (pkt->key.proto == IPPROTO_ICMP ||
	    pkt->key.proto == IPPROTO_ICMPV6) {
		if (icmp_key(ctx, pkt, &k, &error))
			return -1;
		key = &k;
		idx = pcf_ct_hash(key) & ct_filter_mask;
		n = bpf_map_lookup_elem(&pcf_ct_filter, &idx);
		if (!n || !*n)
			return -1;
	}
	e = bpf_map_lookup_elem(&pcf_ct, key);
	if (!e)
		return -1;
	if (!error)
		ct_seen(ctx, pkt, e, bytes);
	if (!(e->flags & PCF_CT_NAT))
		return ct_pass(ctx, pkt, e, error, bytes);
	return ct_redirect(ctx, pkt, e, error, bytes, first);
}

/* Count key in the filter (delta 1) or uncount it (-1); -1: no bucket. */
static __always_inline int filter_add(const struct pcf_ct_key *key, int delta)
{
	__u32 idx = pcf_ct_hash(key) & ct_filter_mask, zero = 0;
	__u64 *n = bpf_map_lookup_elem(&pcf_ct_filter, &idx),
	      *live = bpf_map_lookup_elem(&pcf_ct_live, &zero);

	if (!n || !live)
		return -1;
	__sync_fetch_and_add(live, delta);
	__sync_fetch_and_add(n, delta);
	return 0;
}

/*
 * pass ct: record the connection of pkt (a pass rule with ct matched it;
 * no NAT), so that its replies pass whatever the rules say.  The reply
 * entry goes in first: of two packets of one connection racing on two
 * CPUs, the one that finds it taken leaves the session to the other.
 * Each key is counted in the filter before it goes in, and uncounted
 * after it went out.
 */
__noinline int pcf_ct_record(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			     __u32 slot, __u32 rule_id, __u64 bytes)
{
	struct pcf_ct_entry e = {};
	struct pcf_ct_key k, r;
	__u32 error = 0;
	int err;

	if (!pkt || pkt->fragment)
		return 0;
	if (pkt->key.proto == IPPROTO_ICMP ||
	    pkt->key.proto == IPPROTO_ICMPV6) {
		if (icmp_key(ctx, pkt, &k, &error) || error)
			return 0;
	} else {
		__builtin_memcpy(&k, &pkt->key.src, sizeof(k));
	}
	pcf_ct_reverse(&r, &k);
	e.created = bpf_ktime_get_coarse_ns();
	e.last_seen = e.created;
	e.rule_id = rule_id;
	e.rule_slot = slot;
	e.xlat = r; /* no NAT: packets leave as they come */
	e.flags = PCF_CT_REPLY;
	if (filter_add(&r, 1))
		return 0;
	err = bpf_map_update_elem(&pcf_ct, &r, &e, BPF_NOEXIST);
	if (err)
		goto undo_reply;
	e.xlat = k;
	e.flags = 0;
	e.packets = 1;
	e.bytes = bytes;
	e.tcp = tcp_flags(ctx, pkt);
	if (filter_add(&k, 1))
		goto undo_reply_entry;
	err = bpf_map_update_elem(&pcf_ct, &k, &e, BPF_NOEXIST);
	if (err) {
		filter_add(&k, -1);
		goto undo_reply_entry;
	}
	count_ct(PCF_CT_X_CREATED, bytes);
	return 0;
undo_reply_entry:
	bpf_map_delete_elem(&pcf_ct, &r);
undo_reply:
	filter_add(&r, -1);
	count_ct(err == -EEXIST ? PCF_CT_X_EXISTS : PCF_CT_X_FULL, bytes);
	return 0;
}

/*
 * Might pkt have a session?  Not while the table is empty (one array
 * read), nor, for TCP and UDP, while the filter's bucket of its key is
 * empty (a hash and one more): the price of sessions for a packet of
 * none, here in line rather than a call away.
 */
static __always_inline int ct_maybe(const struct pcf_pkt *pkt)
{
	__u32 zero = 0, idx;
	__u64 *n = bpf_map_lookup_elem(&pcf_ct_live, &zero);

	if (!n || !*n || pkt->fragment)
		return 0;
	if (pkt->key.proto == IPPROTO_ICMP || pkt->key.proto == IPPROTO_ICMPV6)
		return 1; /* its key is found in the message */
	idx = pcf_ct_hash(&pkt->key.src) & ct_filter_mask;
	n = bpf_map_lookup_elem(&pcf_ct_filter, &idx);
	return n && *n;
}

/* A ct rule that rewrites: its packets need a worker, never the kernel. */
static __always_inline int ct_nat(const struct pcf_action *act)
{
	return (act->flags & PCF_ACT_CT) &&
	       (act->flags & (PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MASQ));
}

/* ---- new sessions of ct NAT rules (pcf_abi.h) ---- */

/* ports tried in the bitmap before the worker (which searches it all) */
#define CT_PORT_TRIES 8

/*
 * *p |= v, returning what *p was: "r2 = atomic_fetch_or((u64 *)(r1 + 0),
 * r2)" written out, as this clang emits BPF_FETCH atomics only with
 * -mcpu=v3 (which would change the code of the whole program) and its
 * assembler does not know the mnemonic.  Kernels have taken it since 5.12.
 */
static __always_inline __u64 fetch_or(__u64 *p, __u64 v)
{
	register __u64 *rp asm("r1") = p;
	register __u64 rv asm("r2") = v;

	/* BPF_STX | BPF_DW | BPF_ATOMIC, dst r1, src r2, BPF_OR | BPF_FETCH */
	asm volatile(".quad 0x00000041000021db"
		     : "+r"(rv)
		     : "r"(rp)
		     : "memory");
	return rv;
}

/* The bitmap word of port in pool. */
static __always_inline __u64 *port_word(__u32 pool, __u32 port)
{
	__u32 idx = pool * PCF_CT_POOL_WORDS + port / 64;

	return bpf_map_lookup_elem(&pcf_ct_ports, &idx);
}

/* Take port of pool if it is free: one fetch-or decides between takers. */
static __always_inline int port_take(__u32 pool, __u32 port)
{
	__u64 bit = 1ULL << (port % 64), *w = port_word(pool, port);

	return w && !(*w & bit) && !(fetch_or(w, bit) & bit);
}

static __always_inline void port_give(__u32 pool, __u32 port)
{
	__u64 *w = port_word(pool, port);

	if (w)
		__sync_fetch_and_and(w, ~(1ULL << (port % 64)));
}

/*
 * A port of lo..hi of pool for the connection whose source port is
 * prefer: that one if it is free (as Linux's NAT does), else one of a few
 * tried at random.  0: none found here.
 */
static __always_inline __u32 port_pick(__u32 pool, __u32 lo, __u32 hi,
				       __u32 prefer)
{
	__u32 span = hi - lo + 1, start, port, i;

	if (prefer >= lo && prefer <= hi && port_take(pool, prefer))
		return prefer;
	start = bpf_get_prandom_u32();
	for (i = 0; i < CT_PORT_TRIES; i++) {
		port = lo + (start + i * 40503) % span;
		if (port && port_take(pool, port))
			return port;
	}
	return 0;
}

/*
 * masquerade: the source of x (the original tuple, DNAT done) becomes the
 * address of the interface x leaves by.  -1: none known.
 */
__noinline int pcf_ct_masq(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			   struct pcf_ct_key *x)
{
	struct bpf_fib_lookup fib = {};
	struct pcf_ct_ifaddr_v *ifa;
	__u32 ifindex;

	if (!pkt || !x)
		return -1;
	switch (fib_lookup(ctx, pkt, x->src, x->dst, &fib)) {
	case PCF_FIB_OK:
	case PCF_FIB_NO_NEIGH:
	case PCF_FIB_FRAG_NEEDED:
		break;
	default:
		return -1;
	}
	ifindex = fib.ifindex;
	ifa = bpf_map_lookup_elem(&pcf_ct_ifaddrs, &ifindex);
	if (!ifa || !(x->family == 4 ? ifa->has4 : ifa->has6))
		return -1;
	__builtin_memset(x->src, 0, 16);
	if (x->family == 4)
		__builtin_memcpy(x->src, ifa->addr4, 4);
	else
		__builtin_memcpy(x->src, ifa->addr6, 16);
	return 0;
}

/* A new session's port: where from. */
struct ct_ports {
	__u32 pool, lo, hi;
};

/*
 * The translated tuple of connection x (its original tuple in, as a ct
 * NAT rule rewrites it out) and its PCF_CT_* flags; the pool and the
 * port range when a source port is to be given.  -1: the worker must see
 * to it.
 */
static __always_inline int ct_plan(struct xdp_md *ctx,
				   const struct pcf_pkt *pkt,
				   const struct pcf_rule *rule,
				   struct pcf_ct_key *x, __u32 *ret_flags,
				   struct ct_ports *ret)
{
	const struct pcf_action *act = &rule->action;
	__u32 flags = PCF_CT_NAT, *pool;
	__u8 icmp = x->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct pcf_ct_pool_key pk = {};

	if (act->flags & PCF_ACT_DNAT) {
		if (act->dnat.family != x->family)
			return -1;
		__builtin_memcpy(x->dst, act->dnat.addr, 16);
		if (act->dnat.port &&
		    (x->proto == IPPROTO_TCP || x->proto == IPPROTO_UDP))
			x->dport = act->dnat.port;
		flags |= PCF_CT_DNAT;
	}
	if (act->flags & PCF_ACT_MASQ) {
		if (pcf_ct_masq(ctx, pkt, x))
			return -1;
		flags |= PCF_CT_SNAT;
	} else if (act->flags & PCF_ACT_SNAT) {
		if (act->snat.family != x->family)
			return -1;
		__builtin_memcpy(x->src, act->snat.addr, 16);
		flags |= PCF_CT_SNAT;
	}
	*ret_flags = flags;
	if (!(flags & PCF_CT_SNAT) ||
	    (x->proto != IPPROTO_TCP && x->proto != IPPROTO_UDP &&
	     x->proto != icmp))
		return 0; /* no port to give */
	*ret_flags = flags | PCF_CT_PORT;
	if (!(act->flags & PCF_ACT_MASQ) && act->snat.port) {
		ret->lo = bpf_ntohs(act->snat.port);
		ret->hi = rule->snat_port_max ? bpf_ntohs(rule->snat_port_max)
					      : ret->lo;
	} else {
		ret->lo = PCF_CT_PORT_MIN_DEFAULT;
		ret->hi = PCF_CT_PORT_MAX_DEFAULT;
	}
	if (ret->lo > ret->hi || !ret->lo)
		return -1;
	__builtin_memcpy(pk.addr, x->src, 16);
	pk.family = x->family;
	pk.proto = x->proto;
	pool = bpf_map_lookup_elem(&pcf_ct_pools, &pk);
	if (!pool || *pool >= PCF_CT_POOLS_MAX)
		return -1; /* pcfd makes the pool: through the worker */
	ret->pool = *pool;
	return 0;
}

/* How making a session came out. */
enum { CT_MADE, CT_RACE_LOST, CT_TO_WORKER, CT_FULL };

/* Put k's entry e in, counted in the filter: CT_MADE, CT_RACE_LOST (the
 * key was there), CT_FULL. */
static __always_inline int ct_put(const struct pcf_ct_key *k,
				  const struct pcf_ct_entry *e)
{
	int err;

	if (filter_add(k, 1))
		return CT_FULL;
	err = bpf_map_update_elem(&pcf_ct, k, e, BPF_NOEXIST);
	if (!err)
		return CT_MADE;
	filter_add(k, -1);
	return err == -EEXIST ? CT_RACE_LOST : CT_FULL;
}

static __always_inline void ct_unput(const struct pcf_ct_key *k)
{
	if (!bpf_map_delete_elem(&pcf_ct, k))
		filter_add(k, -1);
}

/* e as the reply entry of the session of k, or back as the original's */
static __always_inline void as_reply(struct pcf_ct_entry *e,
				     const struct pcf_ct_key *k, __u32 flags)
{
	/* replies leave as the original's packets came, reversed */
	pcf_ct_reverse(&e->xlat, k);
	e->flags = flags | PCF_CT_REPLY;
}

/*
 * The first packet of a connection a ct NAT rule (in slot) matched: make
 * its session here.  Its two entries go in as table/ct.c puts them: the
 * reply's first when a port was given (a taken reply tuple means "another
 * port": the worker's), else the original's first (of two CPUs racing,
 * the loser finds the winner's session at once).  0: the session is there
 * (pcf_ct_steer sends the packet on as the session's); -1: the worker
 * makes the session (see ct_plan; a taken reply tuple); else the verdict
 * (a full table: dropped).
 */
__noinline int pcf_ct_make(struct xdp_md *ctx, const struct pcf_pkt *pkt,
			   __u32 slot, __u64 bytes)
{
	__u32 flags = 0, port = 0, key, error = 0, zero = 0;
	struct ct_ports ports = {};
	struct ct_scratch *sc;
	struct pcf_rule *rule;
	int rc;

	if (!pkt || pkt->fragment || xsk_slot(ctx, &key))
		return -1;
	rule = bpf_map_lookup_elem(&pcf_rules, &slot);
	sc = bpf_map_lookup_elem(&pcf_ct_scratch, &zero);
	if (!rule || !sc)
		return -1;
	__builtin_memset(&sc->e, 0, sizeof(sc->e));
	if (pkt->key.proto == IPPROTO_ICMP ||
	    pkt->key.proto == IPPROTO_ICMPV6) {
		if (icmp_key(ctx, pkt, &sc->k, &error) || error)
			return -1;
	} else {
		__builtin_memcpy(&sc->k, &pkt->key.src, sizeof(sc->k));
	}
	sc->e.xlat = sc->k;
	if (ct_plan(ctx, pkt, rule, &sc->e.xlat, &flags, &ports))
		goto to_worker;
	if (flags & PCF_CT_PORT) {
		port = port_pick(ports.pool, ports.lo, ports.hi,
				 bpf_ntohs(sc->k.sport));
		if (!port)
			goto to_worker;
		sc->e.xlat.sport = bpf_htons(port);
	}
	pcf_ct_reverse(&sc->rk, &sc->e.xlat);
	sc->e.created = bpf_ktime_get_coarse_ns();
	sc->e.last_seen = sc->e.created;
	sc->e.rule_id = rule->id;
	sc->e.rule_slot = slot;
	/* the packets, bytes and TCP flags of the first one: pcf_ct_steer
	 * counts them */
	if (flags & PCF_CT_PORT) {
		as_reply(&sc->e, &sc->k, flags);
		rc = ct_put(&sc->rk, &sc->e);
		if (rc == CT_RACE_LOST)
			rc = CT_TO_WORKER; /* the reply tuple is another's */
		if (rc == CT_MADE) {
			pcf_ct_reverse(&sc->e.xlat, &sc->rk);
			sc->e.flags = flags;
			rc = ct_put(&sc->k, &sc->e);
			if (rc != CT_MADE)
				ct_unput(&sc->rk);
		}
		if (rc != CT_MADE)
			port_give(ports.pool, port);
	} else {
		sc->e.flags = flags;
		rc = ct_put(&sc->k, &sc->e);
		if (rc == CT_MADE) {
			as_reply(&sc->e, &sc->k, flags);
			rc = ct_put(&sc->rk, &sc->e);
			/* the translated tuple is another's */
			if (rc == CT_RACE_LOST)
				rc = CT_TO_WORKER;
			if (rc != CT_MADE)
				ct_unput(&sc->k);
		}
	}
	switch (rc) {
	case CT_MADE:
		count_ct(PCF_CT_X_CREATED, bytes);
		return 0;
	case CT_RACE_LOST:
		count_ct(PCF_CT_X_EXISTS, bytes);
		return 0;
	case CT_FULL:
		count_ct(PCF_CT_X_FULL, bytes);
		return finish(PCF_VERDICT_DROP, bytes);
	}
to_worker:
	count_ct(PCF_CT_X_TO_WORKER, bytes);
	return -1;
}

/* ---- VXLAN (issue 13): rules on the inner packet ---- */

/* Is port (network order) one of pcfd's --vxlan-port ports? */
static __always_inline int vxlan_port(const struct pcf_config *cfg, __be16 port)
{
	int i;

	if (!cfg || !cfg->vxlan_ports[0])
		return port == bpf_htons(PCF_VXLAN_PORT);
	for (i = 0; i < PCF_VXLAN_PORTS_MAX; i++)
		if (cfg->vxlan_ports[i] && cfg->vxlan_ports[i] == port)
			return 1;
	return 0;
}

/* Rules with encap in the table: only then are packets looked into. */
static __always_inline int encap_live(void)
{
	__u32 zero = 0;
	struct pcf_table_state *st = bpf_map_lookup_elem(&pcf_state, &zero);

	return st && READ_ONCE(st->encap_rules);
}

/*
 * The inner packet of outer, a VXLAN frame, into inner (its key's tun
 * says VXLAN and the VNI; offsets from the outer frame's start, eth_off
 * where the inner frame starts).  1: parsed; 0: not a VXLAN frame, or
 * its inner frame is not IP (ARP...), for the outer rules alone; -1: the
 * encapsulation is cut short or invalid.
 */
__noinline int pcf_vxlan_inner(struct xdp_md *ctx, const struct pcf_pkt *outer,
			       struct pcf_pkt *inner)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct pcf_config *cfg;
	__u32 zero = 0, off, vni;
	int rc;

	if (!outer || !inner || outer->key.proto != IPPROTO_UDP ||
	    outer->fragment || !outer->l4_off)
		return 0;
	cfg = bpf_map_lookup_elem(&pcf_config, &zero);
	if (!vxlan_port(cfg, outer->key.dport))
		return 0;
	off = outer->l4_off + sizeof(struct udphdr);
	if (off > PCF_VXLAN_INNER_MAX)
		return -1;
	if (pcf_parse_vxlan(data, data_end, off, &vni))
		return -1;
	off += sizeof(struct pcf_vxlanhdr);
	__builtin_memset(inner, 0, sizeof(*inner));
	rc = pcf_parse_eth(data, data_end, off, inner);
	if (rc == PCF_PARSE_NOT_IP)
		return 0;
	if (rc != PCF_PARSE_OK)
		return -1;
	inner->eth_off = off;
	inner->key.ifindex = outer->key.ifindex;
	inner->key.tun = PCF_TUN(PCF_TUN_VXLAN, vni);
	return 1;
}

/* The rank of the rule in slot (~0: none there). */
static __always_inline __u64 slot_rank(int slot)
{
	__u32 s = slot;
	struct pcf_rule *rule;

	if (slot < 0)
		return ~0ULL;
	rule = bpf_map_lookup_elem(&pcf_rules, &s);
	return rule ? pcf_rank(rule->prio, rule->id) : ~0ULL;
}

/*
 * The best rule for an inner key (its tun set; 8-byte aligned), through
 * the IPv6 flow cache, which holds whole keys, whatever the inner
 * family: the search's answer for the inner headers alone.  It wins if
 * ranked before the outer headers' winner (slot outer_slot, -1: none);
 * else ret->slot is -1.
 */
__noinline int pcf_classify_inner(const struct pcf_key *key, int outer_slot,
				  struct hit *ret)
{
	struct pcf_table_state *st;
	__u32 zero = 0, buf;
	__u64 g;

	if (!key || !ret)
		return 0;
	ret->slot = -1;
	st = bpf_map_lookup_elem(&pcf_state, &zero);
	if (!st)
		return 0;
	g = READ_ONCE(st->gen); /* before the list: as classify() */
	barrier();
	buf = READ_ONCE(st->mask_buf);
	cached6(key, g, buf, ret);
	/* the rank of two rules matters only when both headers match */
	if (ret->slot >= 0 && outer_slot >= 0 &&
	    slot_rank(outer_slot) < slot_rank(ret->slot))
		ret->slot = -1;
	return 0;
}

/*
 * An encap rule's action on the inner packet of a frame: TTL/DF rewritten
 * in place (the outer UDP checksum kept valid) unless decap, which takes
 * the outer headers off: the inner frame is what the kernel or the worker
 * gets, and in's offsets are then its own.  0, or the XDP verdict to
 * return (TTL expired: dropped, counted).
 */
static __always_inline int act_inner(struct xdp_md *ctx,
				     const struct pcf_pkt *outer,
				     struct pcf_pkt *in,
				     const struct pcf_action *act, __u64 bytes)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 delta = 0, udp_off = outer->l4_off & 0x7ff;
	struct udphdr *uh;

	if (act->verdict == PCF_VERDICT_PASS) {
		if (!rewrite_l3(ctx, in, act, &delta)) {
			count(PCF_STAT_REASON(PCF_REASON_TTL_EXPIRED), bytes);
			return finish(PCF_VERDICT_DROP, bytes);
		}
		if (delta && !(act->flags & PCF_ACT_DECAP)) {
			data_end = (void *)(long)ctx->data_end;
			data = (void *)(long)ctx->data;
			uh = data + udp_off;
			if ((void *)(uh + 1) > data_end)
				return finish(PCF_VERDICT_DROP, bytes);
			uh->check = pcf_csum_udp_apply(uh->check, delta);
		}
	}
	if (!(act->flags & PCF_ACT_DECAP))
		return 0;
	if (bpf_xdp_adjust_head(ctx, in->eth_off)) {
		count(PCF_STAT_REASON(PCF_REASON_ENCAP_MALFORMED), bytes);
		return finish(default_verdict(), bytes);
	}
	in->l3_off -= in->eth_off;
	if (in->l4_off)
		in->l4_off -= in->eth_off;
	in->eth_off = 0;
	return 0;
}

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
