// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mem.c - the rule table's backend in memory, and pcf_steer's search over
 * it.  The hash maps behave as the kernel's: a full map refuses a new key
 * with E2BIG, NOEXIST/EXIST are honoured.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define HMAP_BITS 16 /* 65536 buckets for at most PCF_MAX_RULES entries */

/* An open-addressing hash of fixed-size keys to struct pcf_flow. */
struct hmap {
	size_t key_size;
	__u8 *keys;
	struct pcf_flow *vals;
	__u8 *used;
	__u32 n;
};

/*
 * A set of pcf_steer's flow caches, either family: what its entries hold,
 * not their compact layout.
 */
struct cache_set {
	struct {
		struct pcf_key key;
		int slot;
		bool used;
		__u64 gen;
	} way[PCF_CACHE_WAYS];
};

struct pcf_mem {
	struct pcf_rule *slots;
	struct hmap flows4, flows6;
	__u64 filter[PCF_MAX_MASKS * PCF_FILTER_WORDS];
	struct pcf_mask_table bufs[PCF_MASK_BUFS];
	struct pcf_table_state state;
	/* one CPU's flow caches, as pcf_steer's (pcf_abi.h) */
	struct cache_set cache4[1 << PCF_CACHE4_SET_BITS];
	struct cache_set cache6[1 << PCF_CACHE6_SET_BITS];
	__u64 *counters;

	bool manual;
	void (*on_wait)(void *arg);
	void *wait_arg;
	__u64 started, ended;

	void (*observe)(void *arg);
	void *observe_arg;

	unsigned int fail_in; /* the write that fails: 1 the next, 0 none */
	int fail_err;

	/* named sets: pcf_sets4 and pcf_sets6 (a list: tests hold few) */
	struct mem_set_node *set_nodes;
	size_t nset_nodes, set_cap;
	struct pcf_set_info set_info[PCF_MAX_SETS];
};

struct mem_set_node {
	struct pcf_set_elem e;
	struct pcf_set_val v;
};

static __u32 hmap_hash(const void *key, size_t size)
{
	const __u8 *b = key;
	__u64 h = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return (h ^ h >> 29) & ((1U << HMAP_BITS) - 1);
}

static int hmap_init(struct hmap *h, size_t key_size)
{
	h->key_size = key_size;
	h->keys = calloc(1U << HMAP_BITS, key_size);
	h->vals = calloc(1U << HMAP_BITS, sizeof(*h->vals));
	h->used = calloc(1U << HMAP_BITS, 1);
	h->n = 0;
	return h->keys && h->vals && h->used ? 0 : -ENOMEM;
}

static void hmap_fini(struct hmap *h)
{
	free(h->keys);
	free(h->vals);
	free(h->used);
}

/* The bucket holding key, or the empty bucket where it would go. */
static __u32 hmap_find(const struct hmap *h, const void *key)
{
	__u32 i = hmap_hash(key, h->key_size);

	while (h->used[i] &&
	       memcmp(h->keys + (size_t)i * h->key_size, key, h->key_size))
		i = (i + 1) & ((1U << HMAP_BITS) - 1);
	return i;
}

static int hmap_put(struct hmap *h, const void *key, const struct pcf_flow *f,
		    int flags)
{
	__u32 i = hmap_find(h, key);

	if (h->used[i] && flags == PCF_PUT_NOEXIST)
		return -EEXIST;
	if (!h->used[i]) {
		if (flags == PCF_PUT_EXIST)
			return -ENOENT;
		if (h->n >= PCF_MAX_RULES)
			return -E2BIG;
		memcpy(h->keys + (size_t)i * h->key_size, key, h->key_size);
		h->used[i] = 1;
		h->n++;
	}
	h->vals[i] = *f;
	return 0;
}

static const struct pcf_flow *hmap_get(const struct hmap *h, const void *key)
{
	__u32 i = hmap_find(h, key);

	return h->used[i] ? &h->vals[i] : NULL;
}

/* Delete by shifting the entries of the run back (no tombstones). */
static int hmap_del(struct hmap *h, const void *key)
{
	const __u32 mask = (1U << HMAP_BITS) - 1;
	__u32 i = hmap_find(h, key), j, home;

	if (!h->used[i])
		return -ENOENT;
	h->used[i] = 0;
	h->n--;
	for (j = (i + 1) & mask; h->used[j]; j = (j + 1) & mask) {
		home =
		    hmap_hash(h->keys + (size_t)j * h->key_size, h->key_size);
		/* move j to the hole i unless its home lies in (i, j] */
		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		memcpy(h->keys + (size_t)i * h->key_size,
		       h->keys + (size_t)j * h->key_size, h->key_size);
		h->vals[i] = h->vals[j];
		h->used[i] = 1;
		h->used[j] = 0;
		i = j;
	}
	return 0;
}

typedef int (*hmap_cb)(void *arg, const void *key, const struct pcf_flow *f);

static int hmap_each(const struct hmap *h, hmap_cb cb, void *arg)
{
	__u32 i;
	int err;

	for (i = 0; i < 1U << HMAP_BITS; i++) {
		if (!h->used[i])
			continue;
		err = cb(arg, h->keys + (size_t)i * h->key_size, &h->vals[i]);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the backend ops ---- */

static void observed(struct pcf_mem *m)
{
	if (m->observe)
		m->observe(m->observe_arg);
}

/* Is this write the one that is to fail?  Its error, or 0. */
static int injected(struct pcf_mem *m)
{
	if (!m->fail_in || --m->fail_in)
		return 0;
	return m->fail_err;
}

static int slot_write(void *ctx, __u32 slot, const struct pcf_rule *r)
{
	struct pcf_mem *m = ctx;

	if (slot >= PCF_RULE_SLOTS)
		return -EINVAL;
	if (injected(m))
		return m->fail_err;
	m->slots[slot] = *r;
	observed(m);
	return 0;
}

static int slot_flags(void *ctx, __u32 slot, __u32 flags)
{
	struct pcf_mem *m = ctx;

	if (slot >= PCF_RULE_SLOTS)
		return -EINVAL;
	if (injected(m))
		return m->fail_err;
	m->slots[slot].flags = flags;
	observed(m);
	return 0;
}

static int flow4_put(void *ctx, const struct pcf_key4 *k,
		     const struct pcf_flow *f, int flags)
{
	struct pcf_mem *m = ctx;
	int err = injected(m) ?: hmap_put(&m->flows4, k, f, flags);

	observed(m);
	return err;
}

static int flow4_del(void *ctx, const struct pcf_key4 *k)
{
	struct pcf_mem *m = ctx;
	int err = injected(m) ?: hmap_del(&m->flows4, k);

	observed(m);
	return err;
}

static int flow4_get(void *ctx, const struct pcf_key4 *k, struct pcf_flow *ret)
{
	const struct pcf_flow *f =
	    hmap_get(&((struct pcf_mem *)ctx)->flows4, k);

	if (!f)
		return -ENOENT;
	*ret = *f;
	return 0;
}

struct each4 {
	pcf_flow4_cb cb;
	void *arg;
};

static int each4(void *arg, const void *key, const struct pcf_flow *f)
{
	struct each4 *e = arg;

	return e->cb(e->arg, key, f);
}

static int flow4_each(void *ctx, pcf_flow4_cb cb, void *arg)
{
	struct each4 e = { cb, arg };

	return hmap_each(&((struct pcf_mem *)ctx)->flows4, each4, &e);
}

static int flow6_put(void *ctx, const struct pcf_lookup_key *k,
		     const struct pcf_flow *f, int flags)
{
	struct pcf_mem *m = ctx;
	int err = injected(m) ?: hmap_put(&m->flows6, k, f, flags);

	observed(m);
	return err;
}

static int flow6_del(void *ctx, const struct pcf_lookup_key *k)
{
	struct pcf_mem *m = ctx;
	int err = injected(m) ?: hmap_del(&m->flows6, k);

	observed(m);
	return err;
}

static int flow6_get(void *ctx, const struct pcf_lookup_key *k,
		     struct pcf_flow *ret)
{
	const struct pcf_flow *f =
	    hmap_get(&((struct pcf_mem *)ctx)->flows6, k);

	if (!f)
		return -ENOENT;
	*ret = *f;
	return 0;
}

struct each6 {
	pcf_flow6_cb cb;
	void *arg;
};

static int each6(void *arg, const void *key, const struct pcf_flow *f)
{
	struct each6 *e = arg;

	return e->cb(e->arg, key, f);
}

static int flow6_each(void *ctx, pcf_flow6_cb cb, void *arg)
{
	struct each6 e = { cb, arg };

	return hmap_each(&((struct pcf_mem *)ctx)->flows6, each6, &e);
}

static int filter_write(void *ctx, __u32 word, __u64 bits)
{
	struct pcf_mem *m = ctx;

	if (word >= PCF_MAX_MASKS * PCF_FILTER_WORDS)
		return -EINVAL;
	if (injected(m))
		return m->fail_err;
	m->filter[word] = bits;
	observed(m);
	return 0;
}

static int masks_write(void *ctx, __u32 buf, const struct pcf_mask_table *t)
{
	struct pcf_mem *m = ctx;

	if (buf >= PCF_MASK_BUFS || t->count > PCF_MAX_MASKS)
		return -EINVAL;
	if (injected(m))
		return m->fail_err;
	m->bufs[buf] = *t;
	observed(m);
	return 0;
}

static void masks_switch(void *ctx, __u32 buf)
{
	struct pcf_mem *m = ctx;

	m->state.mask_buf = buf;
	observed(m);
}

static __u32 masks_current(void *ctx)
{
	return ((struct pcf_mem *)ctx)->state.mask_buf;
}

static void gen_bump(void *ctx)
{
	struct pcf_mem *m = ctx;

	m->state.gen++;
	observed(m);
}

static void rule_kinds(void *ctx, __u32 encap, __u32 outer)
{
	struct pcf_mem *m = ctx;

	if (m->state.encap_rules != encap) {
		m->state.encap_rules = encap;
		observed(m);
	}
	if (m->state.outer_rules != outer) {
		m->state.outer_rules = outer;
		observed(m);
	}
}

static int ctr_reset(void *ctx, __u32 ctr)
{
	struct pcf_mem *m = ctx;

	if (ctr >= PCF_RULE_SLOTS)
		return -EINVAL;
	if (injected(m))
		return m->fail_err;
	m->counters[ctr] = 0;
	return 0;
}

static __u64 grace_start(void *ctx)
{
	struct pcf_mem *m = ctx;

	m->started++;
	if (!m->manual)
		m->ended = m->started;
	observed(m); /* packets run at this moment too */
	return m->started;
}

static bool grace_done(void *ctx, __u64 ticket)
{
	return ((struct pcf_mem *)ctx)->ended >= ticket;
}

static int grace_wait(void *ctx, __u64 ticket)
{
	struct pcf_mem *m = ctx;

	if (m->ended >= ticket)
		return 0;
	if (m->on_wait)
		m->on_wait(m->wait_arg);
	m->ended = m->started;
	return 0;
}

static const struct pcf_table_ops mem_ops = {
	.slot_write = slot_write,
	.slot_flags = slot_flags,
	.flow4_put = flow4_put,
	.flow4_del = flow4_del,
	.flow4_get = flow4_get,
	.flow4_each = flow4_each,
	.flow6_put = flow6_put,
	.flow6_del = flow6_del,
	.flow6_get = flow6_get,
	.flow6_each = flow6_each,
	.filter_write = filter_write,
	.masks_write = masks_write,
	.masks_switch = masks_switch,
	.masks_current = masks_current,
	.gen_bump = gen_bump,
	.rule_kinds = rule_kinds,
	.ctr_reset = ctr_reset,
	.grace_start = grace_start,
	.grace_done = grace_done,
	.grace_wait = grace_wait,
};

/* ---- pcf_steer's search ---- */

struct best {
	__u64 rank;
	int slot;
	__u32 ctr, verdict; /* what the entry says of its rule */
};

/* The sets holding the packet's addresses, as pcf_steer finds them. */
struct set_bits {
	__u64 src[2], dst[2];
};

static void mem_set_lookup(const struct pcf_mem *m, __u8 family,
			   const __u8 *addr, __u64 *bits)
{
	const struct mem_set_node *best = NULL;
	size_t i;

	bits[0] = bits[1] = 0;
	for (i = 0; i < m->nset_nodes; i++) {
		const struct mem_set_node *nd = &m->set_nodes[i];
		unsigned int l, plen = nd->e.plen;
		bool in = nd->e.family == family;

		for (l = 0; in && l < plen; l++)
			in = !((nd->e.addr[l / 8] ^ addr[l / 8]) &
			       (0x80 >> (l % 8)));
		if (in && (!best || plen > best->e.plen))
			best = nd;
	}
	if (best) {
		bits[0] = best->v.bits[0];
		bits[1] = best->v.bits[1];
	}
}

/* A mask's set fields for the packet (pcf_abi.h, pcf_key.src_set). */
static __u8 in_set(__u8 set, __u8 bit, const __u64 *bits)
{
	return set && pcf_set_bit_test(bits, bit) ? set : 0;
}

/* May an entry behind filter bit bit exist?  Clear: no (as pcf_steer). */
static bool filter_may_hold(const struct pcf_mem *m, __u32 bit)
{
	return m->filter[bit / 64] & 1ULL << (bit % 64);
}

static void search4(const struct pcf_mem *m, const struct pcf_key *pkt,
		    const struct pcf_mask *mask, const struct set_bits *sb,
		    struct best *b)
{
	struct pcf_key sk = *pkt;

	const struct pcf_flow *f;
	struct pcf_key4 lk;
	__u32 i;

	sk.src_set = in_set(mask->mask.src_set, mask->src_bit, sb->src);
	sk.dst_set = in_set(mask->mask.dst_set, mask->dst_bit, sb->dst);
	pcf_key4_of(&lk, &sk);
	lk.ifindex &= mask->mask.ifindex;
	for (i = 0; i < 4; i++) {
		((__u8 *)&lk.src)[i] &= mask->mask.src[i];
		((__u8 *)&lk.dst)[i] &= mask->mask.dst[i];
	}
	lk.sport &= mask->mask.sport;
	lk.dport &= mask->mask.dport;
	lk.proto &= mask->mask.proto;
	lk.mask_id = mask->mask_id;
	lk.tun &= mask->mask.tun;
	if (!filter_may_hold(m, pcf_filter_bit4(&lk)))
		return;
	f = hmap_get(&m->flows4, &lk);
	if (f && f->rank < b->rank)
		*b = (struct best){ f->rank, f->slot, f->ctr, f->verdict };
}

static void search6(const struct pcf_mem *m, const struct pcf_key *pkt,
		    const struct pcf_mask *mask, const struct set_bits *sb,
		    struct best *b)
{
	const __u8 *kb, *mb = (const __u8 *)&mask->mask;
	struct pcf_lookup_key lk;
	const struct pcf_flow *f;
	struct pcf_key sk = *pkt;
	size_t i;

	sk.src_set = in_set(mask->mask.src_set, mask->src_bit, sb->src);
	sk.dst_set = in_set(mask->mask.dst_set, mask->dst_bit, sb->dst);
	kb = (const __u8 *)&sk;
	memset(&lk, 0, sizeof(lk));
	for (i = 0; i < sizeof(lk.key); i++)
		((__u8 *)&lk.key)[i] = kb[i] & mb[i];
	lk.mask_id = mask->mask_id;
	if (!filter_may_hold(m, pcf_filter_bit6(&lk)))
		return;
	f = hmap_get(&m->flows6, &lk);
	if (f && f->rank < b->rank)
		*b = (struct best){ f->rank, f->slot, f->ctr, f->verdict };
}

static int search(const struct pcf_mem *m, const struct pcf_key *pkt, __u32 buf,
		  __u64 start)
{
	const struct pcf_mask_table *tbl = &m->bufs[buf % PCF_MASK_BUFS];
	struct best b = { .rank = start, .slot = -1 };
	struct set_bits sb = {};
	__u32 i;

	if (tbl->flags & PCF_MASKS_SRC_SET)
		mem_set_lookup(m, pkt->family, pkt->src, sb.src);
	if (tbl->flags & PCF_MASKS_DST_SET)
		mem_set_lookup(m, pkt->family, pkt->dst, sb.dst);
	for (i = 0; i < tbl->count && i < PCF_MAX_MASKS; i++) {
		if (tbl->masks[i].best_rank >= b.rank)
			break;
		if (pkt->family == 4)
			search4(m, pkt, &tbl->masks[i], &sb, &b);
		else
			search6(m, pkt, &tbl->masks[i], &sb, &b);
	}
	/* pcf_steer takes a DROP's verdict and counter from the entry */
	if (b.slot >= 0 && (m->slots[b.slot].ctr != b.ctr ||
			    m->slots[b.slot].action.verdict != b.verdict))
		return PCF_MEM_ENTRY_WRONG;
	return b.slot;
}

/* The key a cache of pcf_steer compares: IPv4 keeps ifindex to proto. */
static struct pcf_key cache_key(const struct pcf_key *pkt)
{
	struct pcf_key k = *pkt;

	if (k.family == 4) {
		memset(k.src + 4, 0, 12);
		memset(k.dst + 4, 0, 12);
	}
	return k;
}

/*
 * pcf_steer's classify(): through the flow cache of the packet's family,
 * tagged by gen; a miss searches and its result takes the entry
 * CACHE_VICTIM picks, if any.
 */
int pcf_mem_classify(struct pcf_mem *m, const struct pcf_key *pkt)
{
	__u64 g = m->state.gen;
	struct pcf_key k = cache_key(pkt);
	/* the cache that holds it: IPv6's has whole keys, inner ones too */
	int family = pkt->family == 4 && !pkt->tun ? 4 : 6;
	struct cache_set *s;
	struct pcf_key4 pk;
	__u32 i, w, first;
	int v = -1, slot;
	__u64 h;

	/* an inner packet (VXLAN, issue 13): looked for while the table
	 * holds encap rules, through the IPv6 cache (whole keys) */
	if (pkt->tun && !m->state.encap_rules)
		return -1;
	/* (no rule without encap: the packet's own headers not looked up) */
	if (!pkt->tun && !m->state.outer_rules)
		return -1;
	if (family == 4) {
		pcf_key4_of(&pk, pkt);
		h = pcf_hash4(&pk);
	} else {
		h = pcf_hash6(pkt);
	}
	s = family == 4 ? &m->cache4[pcf_cache_set(4, h)]
			: &m->cache6[pcf_cache_set(6, h)];
	first = pcf_cache_first(family, h);
	for (i = 0; i < PCF_CACHE_WAYS; i++) {
		w = pcf_cache_way(first, i);
		if (s->way[w].gen == g &&
		    !memcmp(&s->way[w].key, &k, sizeof(k))) {
			s->way[w].used = true;
			return s->way[w].slot;
		}
	}
	slot = search(m, pkt, m->state.mask_buf, ~0ULL);
	for (i = 0; i < PCF_CACHE_WAYS && v < 0; i++) {
		w = pcf_cache_way(first, i);
		if (s->way[w].gen != g)
			v = w;
	}
	for (i = 0; i < PCF_CACHE_WAYS && v < 0; i++) {
		w = pcf_cache_way(first, i);
		if (!s->way[w].used)
			v = w;
		else
			s->way[w].used = false;
	}
	if (v >= 0) {
		s->way[v].key = k;
		s->way[v].slot = slot;
		s->way[v].used = false;
		s->way[v].gen = g;
	}
	return slot;
}

/*
 * VXLAN (issue 13), pcf_steer's choice for a VXLAN frame: the outer
 * headers' winner through the cache; while the table holds encap rules,
 * a search of the inner key (no cache) for a rule ranked before it.
 */
static __u64 slot_rank(const struct pcf_mem *m, int slot)
{
	return slot < 0 ? ~0ULL
			: pcf_rank(m->slots[slot].prio, m->slots[slot].id);
}

int pcf_mem_classify_encap(struct pcf_mem *m, const struct pcf_key *outer,
			   const struct pcf_key *inner)
{
	int slot = pcf_mem_classify(m, outer), islot;

	if (!inner || !m->state.encap_rules || slot == PCF_MEM_ENTRY_WRONG)
		return slot;
	islot = pcf_mem_classify(m, inner);
	if (islot == PCF_MEM_ENTRY_WRONG)
		return islot;
	return slot_rank(m, islot) < slot_rank(m, slot) ? islot : slot;
}

/* ---- life and the test's controls ---- */

int pcf_mem_new(struct pcf_mem **ret_mem)
{
	struct pcf_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->slots = calloc(PCF_RULE_SLOTS, sizeof(*m->slots));
	m->counters = calloc(PCF_RULE_SLOTS, sizeof(*m->counters));
	if (!m->slots || !m->counters ||
	    hmap_init(&m->flows4, sizeof(struct pcf_key4)) ||
	    hmap_init(&m->flows6, sizeof(struct pcf_lookup_key))) {
		pcf_mem_free(m);
		return -ENOMEM;
	}
	m->state.gen = 1;
	*ret_mem = m;
	return 0;
}

void pcf_mem_free(struct pcf_mem *m)
{
	if (!m)
		return;
	hmap_fini(&m->flows4);
	hmap_fini(&m->flows6);
	free(m->set_nodes);
	free(m->slots);
	free(m->counters);
	free(m);
}

void pcf_mem_backend(struct pcf_mem *m, struct pcf_table_backend *ret)
{
	ret->ops = &mem_ops;
	ret->ctx = m;
	ret->slots = m->slots;
}

void pcf_mem_seed(struct pcf_mem *m, const struct pcf_rule *slots)
{
	__u32 s;

	for (s = 0; s < PCF_RULE_SLOTS; s++)
		if (slots[s].flags & PCF_RULE_USED)
			m->slots[s] = slots[s];
}

int pcf_mem_clone(const struct pcf_table *t, struct pcf_mem **ret_mem,
		  struct pcf_table **ret_table)
{
	struct pcf_table_backend be;
	struct pcf_table *copy = NULL;
	struct pcf_mem *m;
	int err;

	err = pcf_mem_new(&m);
	if (err)
		return err;
	pcf_mem_seed(m, pcf_table_slots(t));
	pcf_mem_backend(m, &be);
	err = pcf_table_new(&be, &copy);
	if (!err) {
		pcf_table_set_bits_init(copy, pcf_table_set_bit_map(t));
		err = pcf_table_load(copy);
	}
	if (err) {
		pcf_table_free(copy);
		pcf_mem_free(m);
		return err;
	}
	*ret_mem = m;
	*ret_table = copy;
	return 0;
}

void pcf_mem_set_manual_grace(struct pcf_mem *m, void (*on_wait)(void *arg),
			      void *arg)
{
	m->manual = true;
	m->on_wait = on_wait;
	m->wait_arg = arg;
}

void pcf_mem_grace_end(struct pcf_mem *m)
{
	m->ended = m->started;
}

__u64 pcf_mem_graces_started(const struct pcf_mem *m)
{
	return m->started;
}

void pcf_mem_fail_write(struct pcf_mem *m, unsigned int nth, int err)
{
	m->fail_in = nth;
	m->fail_err = err;
}

bool pcf_mem_fault_pending(const struct pcf_mem *m)
{
	return m->fail_in != 0;
}

void pcf_mem_observe(struct pcf_mem *m, void (*fn)(void *arg), void *arg)
{
	m->observe = fn;
	m->observe_arg = arg;
}

const struct pcf_rule *pcf_mem_slot(const struct pcf_mem *m, __u32 slot)
{
	return slot < PCF_RULE_SLOTS ? &m->slots[slot] : NULL;
}

__u64 pcf_mem_gen(const struct pcf_mem *m)
{
	return m->state.gen;
}

void pcf_mem_count(struct pcf_mem *m, __u32 ctr)
{
	if (ctr < PCF_RULE_SLOTS)
		m->counters[ctr]++;
}

__u64 pcf_mem_counter(const struct pcf_mem *m, __u32 ctr)
{
	return ctr < PCF_RULE_SLOTS ? m->counters[ctr] : 0;
}

void pcf_mem_entries(const struct pcf_mem *m, __u32 *ret4, __u32 *ret6)
{
	*ret4 = m->flows4.n;
	*ret6 = m->flows6.n;
}

__u32 pcf_mem_filter_bits(const struct pcf_mem *m)
{
	__u32 n = 0;
	size_t w;

	for (w = 0; w < sizeof(m->filter) / sizeof(m->filter[0]); w++)
		n += __builtin_popcountll(m->filter[w]);
	return n;
}

/* ---- named sets: the tries ---- */

static struct mem_set_node *set_node_find(struct pcf_mem *m,
					  const struct pcf_set_elem *e)
{
	size_t i;

	for (i = 0; i < m->nset_nodes; i++)
		if (m->set_nodes[i].e.family == e->family &&
		    m->set_nodes[i].e.plen == e->plen &&
		    !memcmp(m->set_nodes[i].e.addr, e->addr, 16))
			return &m->set_nodes[i];
	return NULL;
}

static int set_node_put(void *ctx, const struct pcf_set_elem *e,
			const struct pcf_set_val *v)
{
	struct pcf_mem *m = ctx;
	struct mem_set_node *nd;
	int err = injected(m);

	if (err)
		return err;
	nd = set_node_find(m, e);
	if (!nd) {
		if (m->nset_nodes >= PCF_SET_TRIE_ENTRIES)
			return -E2BIG;
		if (m->nset_nodes == m->set_cap) {
			size_t cap = m->set_cap ? 2 * m->set_cap : 64;
			void *p = realloc(m->set_nodes, cap * sizeof(*nd));

			if (!p)
				return -ENOMEM;
			m->set_nodes = p;
			m->set_cap = cap;
		}
		nd = &m->set_nodes[m->nset_nodes++];
		nd->e = *e;
	}
	nd->v = *v;
	observed(m);
	return 0;
}

static int set_node_del(void *ctx, const struct pcf_set_elem *e)
{
	struct pcf_mem *m = ctx;
	struct mem_set_node *nd;
	int err = injected(m);

	if (err)
		return err;
	nd = set_node_find(m, e);
	if (!nd)
		return -ENOENT;
	*nd = m->set_nodes[--m->nset_nodes];
	observed(m);
	return 0;
}

static int set_info_write(void *ctx, __u32 idx, const struct pcf_set_info *i)
{
	struct pcf_mem *m = ctx;

	if (idx >= PCF_MAX_SETS)
		return -EINVAL;
	m->set_info[idx] = *i;
	return 0;
}

static const struct pcf_set_ops mem_set_ops = {
	.node_put = set_node_put,
	.node_del = set_node_del,
	.info_write = set_info_write,
};

const struct pcf_set_ops *pcf_mem_set_ops(void)
{
	return &mem_set_ops;
}

size_t pcf_mem_set_nodes(const struct pcf_mem *m)
{
	return m->nset_nodes;
}

void pcf_mem_set_lookup(const struct pcf_mem *m, __u8 family, const __u8 *addr,
			__u64 *bits)
{
	mem_set_lookup(m, family, addr, bits);
}

const struct pcf_set_info *pcf_mem_set_infos(const struct pcf_mem *m)
{
	return m->set_info;
}

int pcf_mem_set_each(const struct pcf_mem *m,
		     int (*cb)(const struct pcf_set_elem *e,
			       const struct pcf_set_val *v, void *arg),
		     void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < m->nset_nodes; i++) {
		rc = cb(&m->set_nodes[i].e, &m->set_nodes[i].v, arg);
		if (rc)
			return rc;
	}
	return 0;
}
