// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * table.c - the flow rule table over its backend.  See table.h for what
 * the data plane sees and the order of writes that keeps every packet on
 * the right rule while rules change.
 *
 * A live rule is known by its counter index (ctr): stable across
 * replaces and unique among live rules, it is the handle of the table's
 * own indexes (by match, by id, by mask).
 */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define NONE	     0xffffffffU
#define INDEX_BITS   15 /* buckets of the match index: PCF_RULE_SLOTS */
#define FILTER_NBITS (PCF_MAX_MASKS * PCF_FILTER_BITS)
#define RETIRED_MAX  (2 * PCF_RULE_SLOTS + PCF_MAX_MASKS + PCF_MASK_BUFS)

_Static_assert(1U << INDEX_BITS == PCF_RULE_SLOTS, "one bucket per slot");

/* A mask id: free, in the list, being added, or waiting for a grace. */
enum mask_use { MASK_FREE = 0, MASK_USED, MASK_NEW, MASK_RETIRED };

struct mask_state {
	struct pcf_key mask;
	__u64 best_rank; /* the lowest rank of the rules under it */
	/*
	 * What the current mask list says (~0: not in it).  A lower one is
	 * only slower: a rank that went up is published at the next change
	 * that publishes, or by pcf_table_tidy(); one that went down before
	 * an entry with it appears.
	 */
	__u64 pub_rank;
	__u32 *members; /* ctrs of the live rules under this mask */
	__u32 nmembers;
	enum mask_use use;
};

enum retire_kind { RETIRE_SLOT, RETIRE_CTR, RETIRE_MASK, RETIRE_BUF };

/* Something freed after the grace period of ticket. */
struct retired {
	__u64 ticket;
	__u32 what;
	enum retire_kind kind;
};

/* A FIFO of free slots or counter indexes: reused as late as possible. */
struct fifo {
	__u32 *v;
	__u32 head, n, cap;
};

struct id_ref {
	__u32 id;
	__u32 ctr;
};

struct pcf_table {
	struct pcf_table_backend be;
	const struct pcf_table_ops *ops;
	const struct pcf_rule *slots;

	struct mask_state masks[PCF_MAX_MASKS];
	__u32 *ctr_slot;    /* [ctr]: current slot of its live rule, or NONE */
	__u32 *ctr_next;    /* [ctr]: next in its match index bucket */
	__u32 *ctr_pos;	    /* [ctr]: position in its mask's members */
	__u32 *buckets;	    /* match index: first ctr, or NONE */
	void *by_id;	    /* tsearch tree of struct id_ref */
	__u32 *filter_refs; /* hash entries behind each filter bit */

	struct fifo free_slots, free_ctrs;
	struct retired *retired; /* a ring, tickets in ascending order */
	__u32 rhead, rn;
	__u32 nretired_slots;

	__u32 cur_buf;
	bool buf_busy[PCF_MASK_BUFS]; /* current, or waiting for a grace */
	bool stale; /* a best rank went up since the last publish */

	__u32 nrules;
	__u32 nencap; /* VXLAN (issue 13): rules with encap */
	__u32 next_id;
	__u64 changes;

	/* named sets: the bit of each set (index: src_set - 1) */
	__u8 set_bit[PCF_MAX_SETS];
};

/* ---- small containers ---- */

static int fifo_init(struct fifo *f, __u32 cap)
{
	f->v = calloc(cap, sizeof(*f->v));
	f->cap = cap;
	f->head = f->n = 0;
	return f->v ? 0 : -ENOMEM;
}

static void fifo_push(struct fifo *f, __u32 x)
{
	f->v[(f->head + f->n++) % f->cap] = x;
}

static __u32 fifo_pop(struct fifo *f)
{
	__u32 x = f->v[f->head];

	f->head = (f->head + 1) % f->cap;
	f->n--;
	return x;
}

static int id_cmp(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static struct id_ref *id_find(const struct pcf_table *t, __u32 id)
{
	struct id_ref key = { .id = id }, **found;

	found = tfind(&key, &t->by_id, id_cmp);
	return found ? *found : NULL;
}

static int id_add(struct pcf_table *t, __u32 id, __u32 ctr)
{
	struct id_ref *ref = malloc(sizeof(*ref)), **found;

	if (!ref)
		return -ENOMEM;
	ref->id = id;
	ref->ctr = ctr;
	found = tsearch(ref, &t->by_id, id_cmp);
	if (!found || *found != ref) {
		free(ref);
		return found ? -EEXIST : -ENOMEM;
	}
	return 0;
}

static void id_del(struct pcf_table *t, __u32 id)
{
	struct id_ref *ref = id_find(t, id);

	if (ref) {
		tdelete(ref, &t->by_id, id_cmp);
		free(ref);
	}
}

/* ---- keys ---- */

static void mask_key(struct pcf_key *k, const struct pcf_key *m)
{
	__u8 *kb = (__u8 *)k;
	const __u8 *mb = (const __u8 *)m;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		kb[i] &= mb[i];
}

/*
 * Where a rule's hash entries live: IPv4 packets search pcf_flows4
 * (compact key), IPv6 packets pcf_flows (whole key); a rule whose mask
 * has no family matches both, so it has an entry in each.
 */
static bool in_flows4(const struct pcf_rule *r)
{
	return !r->mask.family || r->key.family == 4;
}

static bool in_flows6(const struct pcf_rule *r)
{
	return !r->mask.family || r->key.family == 6;
}

static void key6_of(const struct pcf_rule *r, struct pcf_lookup_key *lk)
{
	memset(lk, 0, sizeof(*lk));
	lk->key = r->key;
	lk->mask_id = r->mask_id;
}

static void key4_of(const struct pcf_rule *r, struct pcf_key4 *k4)
{
	memset(k4, 0, sizeof(*k4));
	pcf_key4_of(k4, &r->key);
	k4->mask_id = r->mask_id;
}

static __u64 rank_of(const struct pcf_rule *r)
{
	return pcf_rank(r->prio, r->id);
}

/* The hash entry's value for rule r in slot. */
static struct pcf_flow flow_of(const struct pcf_rule *r, __u32 slot)
{
	return (struct pcf_flow){ .rank = rank_of(r),
				  .slot = slot,
				  .verdict = r->action.verdict,
				  .ctr = r->ctr };
}

/* ---- the match index: (mask id, masked key) -> live rule ---- */

static __u32 match_hash(const struct pcf_key *k, __u32 mask_id)
{
	__u32 w[sizeof(*k) / 4], i;
	__u64 h = mask_id * 0x9e3779b97f4a7c15ULL;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < sizeof(w) / 4; i++)
		h = (h ^ w[i]) * 0xc2b2ae3d27d4eb4fULL;
	return h >> (64 - INDEX_BITS);
}

static bool same_match(const struct pcf_rule *r, const struct pcf_key *key,
		       __u32 mask_id)
{
	return r->mask_id == mask_id && !memcmp(&r->key, key, sizeof(*key));
}

static __u32 index_find(const struct pcf_table *t, const struct pcf_key *key,
			__u32 mask_id)
{
	__u32 c = t->buckets[match_hash(key, mask_id)];

	for (; c != NONE; c = t->ctr_next[c])
		if (same_match(&t->slots[t->ctr_slot[c]], key, mask_id))
			return c;
	return NONE;
}

static void index_add(struct pcf_table *t, __u32 ctr, const struct pcf_rule *r)
{
	__u32 *head = &t->buckets[match_hash(&r->key, r->mask_id)];

	t->ctr_next[ctr] = *head;
	*head = ctr;
}

static void index_del(struct pcf_table *t, __u32 ctr, const struct pcf_rule *r)
{
	__u32 *p = &t->buckets[match_hash(&r->key, r->mask_id)];

	while (*p != NONE && *p != ctr)
		p = &t->ctr_next[*p];
	if (*p == ctr)
		*p = t->ctr_next[ctr];
}

/* ---- masks and their members ---- */

static int find_mask(const struct pcf_table *t, const struct pcf_key *mask)
{
	int i;

	for (i = 0; i < PCF_MAX_MASKS; i++)
		if (t->masks[i].use == MASK_USED &&
		    !memcmp(&t->masks[i].mask, mask, sizeof(*mask)))
			return i;
	return -1;
}

static void member_add(struct pcf_table *t, __u32 m, __u32 ctr)
{
	struct mask_state *ms = &t->masks[m];

	t->ctr_pos[ctr] = ms->nmembers;
	ms->members[ms->nmembers++] = ctr;
}

static void member_del(struct pcf_table *t, __u32 m, __u32 ctr)
{
	struct mask_state *ms = &t->masks[m];
	__u32 pos = t->ctr_pos[ctr], last = ms->members[--ms->nmembers];

	ms->members[pos] = last;
	t->ctr_pos[last] = pos;
}

/* Lowest rank under mask m, skipping ctr skip (NONE: none skipped). */
static __u64 best_rank(const struct pcf_table *t, __u32 m, __u32 skip)
{
	const struct mask_state *ms = &t->masks[m];
	__u64 best = ~0ULL, rank;
	__u32 i;

	for (i = 0; i < ms->nmembers; i++) {
		if (ms->members[i] == skip)
			continue;
		rank = rank_of(&t->slots[t->ctr_slot[ms->members[i]]]);
		if (rank < best)
			best = rank;
	}
	return best;
}

/* ---- grace periods and what waits for them ---- */

static void retire(struct pcf_table *t, enum retire_kind kind, __u32 what,
		   __u64 ticket)
{
	struct retired *r = &t->retired[(t->rhead + t->rn++) % RETIRED_MAX];

	r->ticket = ticket;
	r->what = what;
	r->kind = kind;
	if (kind == RETIRE_SLOT)
		t->nretired_slots++;
}

static void release(struct pcf_table *t, const struct retired *r)
{
	static const struct pcf_rule zero;

	switch (r->kind) {
	case RETIRE_SLOT:
		/* a failure leaves stale bytes no entry leads to */
		t->ops->slot_write(t->be.ctx, r->what, &zero);
		fifo_push(&t->free_slots, r->what);
		t->nretired_slots--;
		break;
	case RETIRE_CTR:
		fifo_push(&t->free_ctrs, r->what);
		break;
	case RETIRE_MASK:
		/* unless an insert took it back (the same mask again) */
		if (t->masks[r->what].use == MASK_RETIRED)
			t->masks[r->what].use = MASK_FREE;
		break;
	case RETIRE_BUF:
		t->buf_busy[r->what] = false;
		break;
	}
}

unsigned int pcf_table_reclaim(struct pcf_table *t)
{
	__u64 done_upto = 0;
	bool any_done = false;

	while (t->rn) {
		const struct retired *r = &t->retired[t->rhead];

		if (!any_done || r->ticket > done_upto) {
			if (!t->ops->grace_done(t->be.ctx, r->ticket))
				break;
			any_done = true;
			done_upto = r->ticket;
		}
		release(t, r);
		t->rhead = (t->rhead + 1) % RETIRED_MAX;
		t->rn--;
	}
	return t->rn;
}

/*
 * Make room: wait for the oldest retired thing's grace period, release
 * what it frees.  -EBUSY if nothing waits or the wait failed.
 */
static int reclaim_wait(struct pcf_table *t)
{
	int err;

	if (!t->rn)
		return -EBUSY;
	err = t->ops->grace_wait(t->be.ctx, t->retired[t->rhead].ticket);
	if (err)
		return err;
	pcf_table_reclaim(t);
	return 0;
}

/* An entry of the free list f, waiting for grace periods if need be. */
static int take_free(struct pcf_table *t, struct fifo *f, __u32 *ret)
{
	int err;

	if (!f->n)
		pcf_table_reclaim(t);
	while (!f->n) {
		err = reclaim_wait(t);
		if (err)
			return err == -EBUSY ? -ENOSPC : err;
	}
	*ret = fifo_pop(f);
	return 0;
}

static int alloc_slot(struct pcf_table *t, __u32 *ret)
{
	return take_free(t, &t->free_slots, ret);
}

/* A counter index, its counters zero. */
static int alloc_ctr(struct pcf_table *t, __u32 *ret)
{
	int err = take_free(t, &t->free_ctrs, ret);

	if (!err) {
		err = t->ops->ctr_reset(t->be.ctx, *ret);
		if (err)
			fifo_push(&t->free_ctrs, *ret);
	}
	return err;
}

static int alloc_mask(struct pcf_table *t)
{
	int i, err;

	for (;;) {
		for (i = 0; i < PCF_MAX_MASKS; i++)
			if (t->masks[i].use == MASK_FREE)
				return i;
		for (i = 0; i < PCF_MAX_MASKS; i++)
			if (t->masks[i].use == MASK_RETIRED)
				break;
		if (i == PCF_MAX_MASKS)
			return -ETOOMANYREFS;
		err = reclaim_wait(t);
		if (err)
			return err;
	}
}

static int next_buf(struct pcf_table *t, __u32 *ret)
{
	__u32 b = (t->cur_buf + 1) % PCF_MASK_BUFS;
	int err;

	if (t->buf_busy[b])
		pcf_table_reclaim(t);
	while (t->buf_busy[b]) {
		err = reclaim_wait(t);
		if (err)
			return err;
	}
	*ret = b;
	return 0;
}

/* ---- publishing ---- */

static int rank_cmp(const void *a, const void *b)
{
	const struct pcf_mask *x = a, *y = b;

	return x->best_rank < y->best_rank ? -1 : x->best_rank > y->best_rank;
}

/* Named sets: the bits mask m tests, and the list's flags for them. */
static void set_bits_of(const struct pcf_table *t, struct pcf_mask *m,
			__u32 *flags)
{
	if (m->mask.src_set) {
		m->src_bit = t->set_bit[(m->mask.src_set - 1) % PCF_MAX_SETS];
		*flags |= PCF_MASKS_SRC_SET;
	}
	if (m->mask.dst_set) {
		m->dst_bit = t->set_bit[(m->mask.dst_set - 1) % PCF_MAX_SETS];
		*flags |= PCF_MASKS_DST_SET;
	}
}

/* Write the mask list into a free buffer and make it current. */
static int publish(struct pcf_table *t)
{
	struct pcf_mask_table tbl = {};
	__u32 i, b, old = t->cur_buf;
	int err;

	for (i = 0; i < PCF_MAX_MASKS; i++) {
		const struct mask_state *ms = &t->masks[i];

		if (ms->use != MASK_USED)
			continue;
		tbl.masks[tbl.count].mask = ms->mask;
		tbl.masks[tbl.count].mask_id = i;
		tbl.masks[tbl.count].best_rank = ms->best_rank;
		set_bits_of(t, &tbl.masks[tbl.count], &tbl.flags);
		tbl.count++;
	}
	qsort(tbl.masks, tbl.count, sizeof(tbl.masks[0]), rank_cmp);
	err = next_buf(t, &b);
	if (!err)
		err = t->ops->masks_write(t->be.ctx, b, &tbl);
	if (err)
		return err;
	t->ops->masks_switch(t->be.ctx, b);
	t->buf_busy[b] = true;
	t->cur_buf = b;
	for (i = 0; i < PCF_MAX_MASKS; i++)
		t->masks[i].pub_rank = t->masks[i].use == MASK_USED
					   ? t->masks[i].best_rank
					   : ~0ULL;
	t->stale = false;
	retire(t, RETIRE_BUF, old, t->ops->grace_start(t->be.ctx));
	return 0;
}

int pcf_table_tidy(struct pcf_table *t)
{
	return t->stale ? publish(t) : 0;
}

bool pcf_table_tidy_pending(const struct pcf_table *t)
{
	return t->stale;
}

/* Mask m's best rank after rule ctr (NONE: none) left or got worse. */
static void raise_best(struct pcf_table *t, __u32 m, __u32 skip)
{
	t->masks[m].best_rank = best_rank(t, m, skip);
	t->stale = true; /* published later: lower is only slower */
}

/* ---- the filter (both families' entries, pcf_abi.h) ---- */

static __u64 filter_word(const struct pcf_table *t, __u32 word)
{
	__u64 bits = 0;
	__u32 i;

	for (i = 0; i < 64; i++)
		if (t->filter_refs[word * 64 + i])
			bits |= 1ULL << i;
	return bits;
}

static int filter_sync(struct pcf_table *t, __u32 bit)
{
	return t->ops->filter_write(t->be.ctx, bit / 64,
				    filter_word(t, bit / 64));
}

/* One more entry behind bit: the bit is set before the entry exists. */
static int filter_get(struct pcf_table *t, __u32 bit)
{
	int err;

	if (t->filter_refs[bit]++)
		return 0;
	err = filter_sync(t, bit);
	if (err)
		t->filter_refs[bit]--;
	return err;
}

/* One entry less, after it is gone; a failure leaves the bit set (a
 * lookup more, never a wrong answer). */
static void filter_put(struct pcf_table *t, __u32 bit)
{
	if (t->filter_refs[bit] && !--t->filter_refs[bit])
		filter_sync(t, bit);
}

/* ---- hash entries ---- */

static int put_err(int err)
{
	return err == -E2BIG ? -ENOSPC : err;
}

/* A new IPv4 entry k4 -> f, its filter bit set first; all or nothing. */
static int flow4_add(struct pcf_table *t, const struct pcf_key4 *k4,
		     const struct pcf_flow *f)
{
	__u32 bit = pcf_filter_bit4(k4);
	int err = filter_get(t, bit);

	if (err)
		return err;
	err = put_err(t->ops->flow4_put(t->be.ctx, k4, f, PCF_PUT_NOEXIST));
	if (err)
		filter_put(t, bit);
	return err;
}

static int flow6_add(struct pcf_table *t, const struct pcf_lookup_key *k6,
		     const struct pcf_flow *f)
{
	__u32 bit = pcf_filter_bit6(k6);
	int err = filter_get(t, bit);

	if (err)
		return err;
	err = put_err(t->ops->flow6_put(t->be.ctx, k6, f, PCF_PUT_NOEXIST));
	if (err)
		filter_put(t, bit);
	return err;
}

/* Remove an entry; its filter bit's reference goes only with it. */
static int flow4_remove(struct pcf_table *t, const struct pcf_key4 *k4)
{
	int err = t->ops->flow4_del(t->be.ctx, k4);

	if (!err)
		filter_put(t, pcf_filter_bit4(k4));
	return err;
}

static int flow6_remove(struct pcf_table *t, const struct pcf_lookup_key *k6)
{
	int err = t->ops->flow6_del(t->be.ctx, k6);

	if (!err)
		filter_put(t, pcf_filter_bit6(k6));
	return err;
}

/* New entries of r leading to slot; all or nothing. */
static int flows_add(struct pcf_table *t, const struct pcf_rule *r, __u32 slot)
{
	struct pcf_flow f = flow_of(r, slot);
	struct pcf_lookup_key k6;
	struct pcf_key4 k4;
	int err;

	key4_of(r, &k4);
	key6_of(r, &k6);
	if (in_flows6(r)) {
		err = flow6_add(t, &k6, &f);
		if (err)
			return err;
	}
	if (!in_flows4(r))
		return 0;
	err = flow4_add(t, &k4, &f);
	if (err && in_flows6(r))
		flow6_remove(t, &k6);
	return err;
}

/* Switch r's entries from slot from to slot to (r at to); all or nothing. */
static int flows_switch(struct pcf_table *t, const struct pcf_rule *old,
			__u32 from, const struct pcf_rule *r, __u32 to)
{
	struct pcf_flow f = flow_of(r, to), back = flow_of(old, from);
	struct pcf_lookup_key k6;
	struct pcf_key4 k4;
	int err;

	key4_of(r, &k4);
	key6_of(r, &k6);
	if (in_flows6(r)) {
		err = t->ops->flow6_put(t->be.ctx, &k6, &f, PCF_PUT_EXIST);
		if (err)
			return err;
	}
	if (!in_flows4(r))
		return 0;
	err = t->ops->flow4_put(t->be.ctx, &k4, &f, PCF_PUT_EXIST);
	if (err && in_flows6(r))
		t->ops->flow6_put(t->be.ctx, &k6, &back, PCF_PUT_EXIST);
	return err;
}

/*
 * Remove the entries of r (at slot); an entry already gone is no error.
 * All or nothing: an IPv6 entry goes first and comes back if the IPv4
 * one cannot go.
 */
static int flows_del(struct pcf_table *t, const struct pcf_rule *r, __u32 slot)
{
	struct pcf_flow f = flow_of(r, slot);
	struct pcf_lookup_key k6;
	struct pcf_key4 k4;
	int err;

	key4_of(r, &k4);
	key6_of(r, &k6);
	if (in_flows6(r)) {
		err = flow6_remove(t, &k6);
		if (err && err != -ENOENT)
			return err;
	}
	if (!in_flows4(r))
		return 0;
	err = flow4_remove(t, &k4);
	if (!err || err == -ENOENT)
		return 0;
	if (in_flows6(r))
		flow6_add(t, &k6, &f);
	return err;
}

/* ---- changes ---- */

/*
 * VXLAN (issue 13): rules with encap and without, as pcf_steer reads them
 * (whether to look into packets, whether to look up their own headers):
 * stored at the end of a change, so each is raised after a rule's entries
 * are in and lowered after they went.
 */
static void encap_count(struct pcf_table *t, const struct pcf_rule *r,
			int delta)
{
	if (PCF_TUN_KIND(r->key.tun))
		t->nencap += delta;
}

static void encap_publish(struct pcf_table *t)
{
	if (t->ops->rule_kinds)
		t->ops->rule_kinds(t->be.ctx, t->nencap, t->nrules - t->nencap);
}

/* The end of every change, done or failed (its steps were visible). */
static void changed(struct pcf_table *t)
{
	t->ops->gen_bump(t->be.ctx);
	encap_publish(t);
	t->changes++;
}

static __u32 new_id(const struct pcf_table *t)
{
	__u32 id = t->next_id;

	while (!id || id_find(t, id)) /* only after 2^32 rules */
		id++;
	return id;
}

/* Give back what a failed insert took before anything could see it. */
static void unalloc(struct pcf_table *t, __u32 slot, __u32 ctr, int new_mask,
		    enum mask_use was)
{
	fifo_push(&t->free_slots, slot);
	fifo_push(&t->free_ctrs, ctr);
	if (new_mask >= 0)
		t->masks[new_mask].use = was;
}

/*
 * A failed insert after packets may have seen its slot: the slot and the
 * counter index wait for a grace period like a deleted rule's.
 */
static void unpublish_slot(struct pcf_table *t, __u32 slot, __u32 ctr)
{
	__u64 ticket;

	t->ops->slot_flags(t->be.ctx, slot, PCF_RULE_RETIRED);
	changed(t);
	ticket = t->ops->grace_start(t->be.ctx);
	retire(t, RETIRE_SLOT, slot, ticket);
	retire(t, RETIRE_CTR, ctr, ticket);
}

/* A rule of rank is coming under mask m: lowered before its entry is. */
static int lower_best(struct pcf_table *t, __u32 m, __u64 rank)
{
	struct mask_state *ms = &t->masks[m];
	__u64 saved = ms->best_rank;
	int err;

	if (rank >= ms->best_rank)
		return 0;
	ms->best_rank = rank;
	if (rank >= ms->pub_rank)
		return 0; /* the list already says lower */
	err = publish(t);
	if (err)
		ms->best_rank = saved;
	return err;
}

/* A retired mask id that held this very mask: take it back. */
static int revive_mask(struct pcf_table *t, const struct pcf_key *mask)
{
	int i;

	for (i = 0; i < PCF_MAX_MASKS; i++)
		if (t->masks[i].use == MASK_RETIRED &&
		    !memcmp(&t->masks[i].mask, mask, sizeof(*mask)))
			return i;
	return -1;
}

/* r->id: the id to give (a restore), or 0 for a new one. */
static int insert_rule(struct pcf_table *t, struct pcf_rule *r)
{
	enum mask_use was = MASK_FREE; /* a new mask's id, before */
	struct mask_state *ms;
	int m, new_mask = -1, err;
	__u32 slot, ctr;

	if (t->nrules >= PCF_MAX_RULES)
		return -ENOSPC;
	m = find_mask(t, &r->mask);
	if (m < 0) {
		/*
		 * A packet that still sees the mask's last list finds this
		 * rule's entry under it: the new table's answer.
		 */
		m = revive_mask(t, &r->mask);
		if (m >= 0)
			was = MASK_RETIRED; /* still waits for its grace */
		else
			m = alloc_mask(t);
		if (m < 0)
			return m;
		new_mask = m;
		t->masks[m].use = MASK_NEW;
		t->masks[m].nmembers = 0;
	}
	err = alloc_ctr(t, &ctr);
	if (err) {
		if (new_mask >= 0)
			t->masks[m].use = was;
		return err;
	}
	err = alloc_slot(t, &slot);
	if (err) {
		fifo_push(&t->free_ctrs, ctr);
		if (new_mask >= 0)
			t->masks[m].use = was;
		return err;
	}
	if (!r->id)
		r->id = new_id(t);
	r->mask_id = m;
	r->ctr = ctr;
	r->flags = PCF_RULE_USED;
	err = id_add(t, r->id, ctr);
	if (err)
		goto unalloc;
	err = t->ops->slot_write(t->be.ctx, slot, r);
	if (!err && new_mask < 0)
		err = lower_best(t, m, rank_of(r)); /* before the entry */
	if (err) {
		/* nothing leads to the slot */
		t->ops->slot_flags(t->be.ctx, slot, 0);
		goto unid;
	}
	err = flows_add(t, r, slot);
	if (err)
		goto unpublish;
	ms = &t->masks[m];
	if (new_mask >= 0) {
		ms->mask = r->mask;
		ms->best_rank = rank_of(r);
		ms->use = MASK_USED;
		err = publish(t);
		if (err) {
			ms->use = MASK_NEW;
			flows_del(t, r, slot);
			goto unpublish;
		}
	}
	t->ctr_slot[ctr] = slot;
	index_add(t, ctr, r);
	member_add(t, m, ctr);
	t->nrules++;
	encap_count(t, r, 1);
	if (r->id >= t->next_id)
		t->next_id = r->id + 1;
	changed(t);
	return 0;

unpublish:
	/* a new mask never reached the list: its id is as it was */
	if (new_mask >= 0)
		t->masks[m].use = was;
	id_del(t, r->id);
	unpublish_slot(t, slot, ctr);
	return err;
unid:
	id_del(t, r->id);
unalloc:
	unalloc(t, slot, ctr, new_mask, was);
	return err;
}

/* r: the new version of the live rule ctr (id, prio, action set). */
static int replace_rule(struct pcf_table *t, __u32 ctr, struct pcf_rule *r)
{
	__u32 old_slot = t->ctr_slot[ctr], slot;
	const struct pcf_rule *old = &t->slots[old_slot];
	struct pcf_rule was = *old;
	struct mask_state *ms = &t->masks[old->mask_id];
	__u64 old_rank = rank_of(old);
	int err;

	r->id = old->id;
	r->mask_id = old->mask_id;
	r->ctr = ctr;
	r->flags = PCF_RULE_USED;
	err = alloc_slot(t, &slot);
	if (err)
		return err;
	err = t->ops->slot_write(t->be.ctx, slot, r);
	if (err)
		goto undo_slot;
	err = lower_best(t, was.mask_id, rank_of(r));
	if (err)
		goto undo_write;
	/* a restart finds the new slot used, the old one retired */
	t->ops->slot_flags(t->be.ctx, old_slot, PCF_RULE_RETIRED);
	err = flows_switch(t, &was, old_slot, r, slot);
	if (err) {
		t->ops->slot_flags(t->be.ctx, old_slot, PCF_RULE_USED);
		goto undo_write;
	}
	t->ctr_slot[ctr] = slot;
	if (old_rank == ms->best_rank && rank_of(r) > old_rank)
		raise_best(t, was.mask_id, NONE);
	changed(t);
	retire(t, RETIRE_SLOT, old_slot, t->ops->grace_start(t->be.ctx));
	return 0;

undo_write:
	t->ops->slot_flags(t->be.ctx, slot, PCF_RULE_RETIRED);
	changed(t);
	retire(t, RETIRE_SLOT, slot, t->ops->grace_start(t->be.ctx));
	return err;
undo_slot:
	fifo_push(&t->free_slots, slot);
	return err;
}

/*
 * The operator's fields of spec into r, the table's own (id, slot, ctr,
 * ...) clear, its mask normalized and its key masked as the table stores
 * a rule; -EINVAL when that is not a valid rule.
 */
static int rule_from_spec(struct pcf_rule *r, const struct pcf_rule *spec)
{
	memset(r, 0, sizeof(*r)); /* padding too: slots go to the kernel */
	r->key = spec->key;
	r->mask = spec->mask;
	r->action = spec->action;
	r->snat_port_max = spec->snat_port_max;
	r->prio = spec->prio;
	r->egress_ifindex = spec->egress_ifindex;
	memcpy(r->egress_via, spec->egress_via, sizeof(r->egress_via));
	r->egress_via_family = spec->egress_via_family;
	pcf_match_normalize(&r->mask);
	mask_key(&r->key, &r->mask);
	return pcf_rule_validate(r, NULL);
}

int pcf_table_add(struct pcf_table *t, const struct pcf_rule *spec,
		  unsigned int flags, __u32 *ret_id)
{
	struct pcf_rule r;
	int m, err;
	__u32 ctr;

	err = rule_from_spec(&r, spec);
	if (err)
		return err;

	m = find_mask(t, &r.mask);
	ctr = m < 0 ? NONE : index_find(t, &r.key, m);
	if (ctr != NONE) {
		if (!(flags & PCF_TABLE_REPLACE))
			return -EEXIST;
		err = replace_rule(t, ctr, &r);
	} else {
		if ((flags & PCF_TABLE_REPLACE) && (flags & PCF_TABLE_EXCL))
			return -ENOENT;
		err = insert_rule(t, &r);
	}
	if (!err && ret_id)
		*ret_id = r.id;
	return err;
}

int pcf_table_restore(struct pcf_table *t, const struct pcf_rule *rule)
{
	struct pcf_rule r;
	int err = rule_from_spec(&r, rule);

	if (err)
		return err;
	r.id = rule->id; /* restored as it was */
	if (!r.id || id_find(t, r.id))
		return -EEXIST;
	if (!pcf_table_find(t, &r, NULL))
		return -EEXIST;
	return insert_rule(t, &r);
}

/* What a deleted rule leaves behind, to retire after the generation. */
struct gone {
	__u32 slot, ctr;
};

/* Forget live rule ctr (its entries are gone); *ret says what to retire. */
static void forget_rule(struct pcf_table *t, __u32 ctr, struct gone *ret)
{
	__u32 slot = t->ctr_slot[ctr];
	const struct pcf_rule *r = &t->slots[slot];

	t->ops->slot_flags(t->be.ctx, slot, PCF_RULE_RETIRED);
	index_del(t, ctr, r);
	member_del(t, r->mask_id, ctr);
	id_del(t, r->id);
	t->ctr_slot[ctr] = NONE;
	t->nrules--;
	encap_count(t, r, -1);
	ret->slot = slot;
	ret->ctr = ctr;
}

static int delete_rule(struct pcf_table *t, __u32 ctr,
		       struct pcf_rule *ret_rule)
{
	__u32 slot = t->ctr_slot[ctr];
	struct pcf_rule r = t->slots[slot];
	struct mask_state *ms = &t->masks[r.mask_id];
	bool last = ms->nmembers <= 1;
	struct gone g;
	__u64 ticket;
	int err;

	if (last) {
		/* the mask leaves the list before its last entry goes */
		ms->use = MASK_RETIRED;
		err = publish(t);
		if (err) {
			ms->use = MASK_USED;
			return err;
		}
	}
	err = flows_del(t, &r, slot);
	if (err) {
		if (last) {
			/* entries must not outlive their mask id */
			ms->use = MASK_USED;
			publish(t);
		}
		changed(t);
		return err;
	}
	if (!last && rank_of(&r) == ms->best_rank)
		raise_best(t, r.mask_id, ctr);
	forget_rule(t, ctr, &g);
	changed(t);
	ticket = t->ops->grace_start(t->be.ctx);
	retire(t, RETIRE_SLOT, g.slot, ticket);
	retire(t, RETIRE_CTR, g.ctr, ticket);
	if (last)
		retire(t, RETIRE_MASK, r.mask_id, ticket);
	if (ret_rule)
		*ret_rule = r;
	return 0;
}

int pcf_table_del(struct pcf_table *t, __u32 id, struct pcf_rule *ret_rule)
{
	struct id_ref *ref = id_find(t, id);

	if (!ref)
		return -ENOENT;
	return delete_rule(t, ref->ctr, ret_rule);
}

static __u32 find_ctr(const struct pcf_table *t, const struct pcf_rule *spec,
		      int *ret_err)
{
	struct pcf_key key = spec->key, mask = spec->mask;
	int m;

	pcf_match_normalize(&mask);
	mask_key(&key, &mask);
	*ret_err = pcf_match_validate(&key, &mask, NULL);
	if (*ret_err)
		return NONE;
	m = find_mask(t, &mask);
	*ret_err = -ENOENT;
	return m < 0 ? NONE : index_find(t, &key, m);
}

int pcf_table_del_match(struct pcf_table *t, const struct pcf_rule *spec,
			struct pcf_rule *ret_rule)
{
	int err;
	__u32 ctr = find_ctr(t, spec, &err);

	return ctr == NONE ? err : delete_rule(t, ctr, ret_rule);
}

int pcf_table_find(const struct pcf_table *t, const struct pcf_rule *spec,
		   struct pcf_rule *ret_rule)
{
	int err;
	__u32 ctr = find_ctr(t, spec, &err);

	if (ctr == NONE)
		return err;
	if (ret_rule)
		*ret_rule = t->slots[t->ctr_slot[ctr]];
	return 0;
}

static void free_ref(void *p)
{
	free(p);
}

/* Masks marked MASK_NEW (taken out of the list by a flush) go back in. */
static void masks_back(struct pcf_table *t)
{
	__u32 m;

	for (m = 0; m < PCF_MAX_MASKS; m++)
		if (t->masks[m].use == MASK_NEW)
			t->masks[m].use = MASK_USED;
	publish(t);
}

/*
 * Every mask leaves the list first, then every entry goes.  Should an
 * entry refuse to go, the entries gone come back, and the masks: all or
 * nothing.
 */
int pcf_table_flush(struct pcf_table *t)
{
	__u32 *done = malloc(PCF_MAX_RULES * sizeof(*done));
	__u32 m, i, n = 0, ctr;
	struct gone g;
	__u64 ticket;
	int err;

	if (!done)
		return -ENOMEM;
	for (m = 0; m < PCF_MAX_MASKS; m++)
		if (t->masks[m].use == MASK_USED)
			t->masks[m].use = MASK_NEW; /* ours, out of the list */
	err = publish(t);
	for (m = 0; !err && m < PCF_MAX_MASKS; m++) {
		const struct mask_state *ms = &t->masks[m];

		for (i = 0; !err && ms->use == MASK_NEW && i < ms->nmembers;
		     i++) {
			ctr = ms->members[i];
			err = flows_del(t, &t->slots[t->ctr_slot[ctr]],
					t->ctr_slot[ctr]);
			if (!err)
				done[n++] = ctr;
		}
	}
	if (err) {
		for (i = 0; i < n; i++)
			flows_add(t, &t->slots[t->ctr_slot[done[i]]],
				  t->ctr_slot[done[i]]);
		masks_back(t);
		changed(t);
		free(done);
		return err;
	}
	changed(t);
	ticket = t->ops->grace_start(t->be.ctx);
	for (i = 0; i < n; i++) {
		forget_rule(t, done[i], &g);
		retire(t, RETIRE_SLOT, g.slot, ticket);
		retire(t, RETIRE_CTR, g.ctr, ticket);
	}
	for (m = 0; m < PCF_MAX_MASKS; m++)
		if (t->masks[m].use == MASK_NEW) {
			t->masks[m].use = MASK_RETIRED;
			retire(t, RETIRE_MASK, m, ticket);
		}
	encap_publish(t); /* after the entries went */
	free(done);
	return 0;
}

int pcf_table_get(const struct pcf_table *t, __u32 id,
		  struct pcf_rule *ret_rule, __u32 *ret_slot)
{
	struct id_ref *ref = id_find(t, id);

	if (!ref)
		return -ENOENT;
	if (ret_rule)
		*ret_rule = t->slots[t->ctr_slot[ref->ctr]];
	if (ret_slot)
		*ret_slot = t->ctr_slot[ref->ctr];
	return 0;
}

struct walk_ctx {
	const struct pcf_table *t;
	__u32 first_id;
	pcf_table_cb cb;
	void *ctx;
	int ret;
};

static void walk_one(const void *node, VISIT which, void *arg)
{
	const struct id_ref *ref = *(const struct id_ref *const *)node;
	struct walk_ctx *w = arg;
	__u32 slot;

	if ((which != postorder && which != leaf) || w->ret ||
	    ref->id < w->first_id)
		return;
	slot = w->t->ctr_slot[ref->ctr];
	w->ret = w->cb(&w->t->slots[slot], slot, w->ctx);
}

int pcf_table_foreach(const struct pcf_table *t, __u32 first_id,
		      pcf_table_cb cb, void *ctx)
{
	struct walk_ctx w = { t, first_id, cb, ctx, 0 };

	twalk_r(t->by_id, walk_one, &w);
	return w.ret;
}

const struct pcf_rule *pcf_table_slots(const struct pcf_table *t)
{
	return t->slots;
}

void pcf_table_info(const struct pcf_table *t, struct pcf_table_info *ret)
{
	__u32 m;

	memset(ret, 0, sizeof(*ret));
	ret->rules = t->nrules;
	for (m = 0; m < PCF_MAX_MASKS; m++)
		ret->masks += t->masks[m].use == MASK_USED;
	ret->retired = t->nretired_slots;
	ret->changes = t->changes;
}

/* ---- adoption ---- */

/*
 * Of two used slots with one id (pcfd died in a replace between writing
 * the new slot and retiring the old): the one its entries lead to.
 */
static bool entries_lead_to(const struct pcf_table *t, __u32 slot)
{
	const struct pcf_rule *r = &t->slots[slot];
	struct pcf_lookup_key k6;
	struct pcf_key4 k4;
	struct pcf_flow f;

	if (in_flows4(r)) {
		key4_of(r, &k4);
		return !t->ops->flow4_get(t->be.ctx, &k4, &f) && f.slot == slot;
	}
	key6_of(r, &k6);
	return !t->ops->flow6_get(t->be.ctx, &k6, &f) && f.slot == slot;
}

/* Take the used slot s into the table; -EUCLEAN if it does not fit. */
static int adopt_slot(struct pcf_table *t, __u32 s)
{
	const struct pcf_rule *r = &t->slots[s];
	struct mask_state *ms;
	struct id_ref *dup;
	__u32 other;

	if (!r->id || r->mask_id >= PCF_MAX_MASKS || r->ctr >= PCF_RULE_SLOTS ||
	    pcf_rule_validate(r, NULL))
		return -EUCLEAN;
	dup = id_find(t, r->id);
	if (dup) {
		other = t->ctr_slot[dup->ctr];
		if (!entries_lead_to(t, s))
			return t->ops->slot_flags(t->be.ctx, s,
						  PCF_RULE_RETIRED);
		/* this one is current: the other goes */
		t->ops->slot_flags(t->be.ctx, other, PCF_RULE_RETIRED);
		index_del(t, dup->ctr, &t->slots[other]);
		member_del(t, t->slots[other].mask_id, dup->ctr);
		t->ctr_slot[dup->ctr] = NONE;
		id_del(t, r->id);
		t->nrules--;
		encap_count(t, &t->slots[other], -1);
	}
	if (t->ctr_slot[r->ctr] != NONE)
		return -EUCLEAN; /* two rules, one counter index */
	ms = &t->masks[r->mask_id];
	if (ms->use == MASK_FREE) {
		ms->use = MASK_USED;
		ms->mask = r->mask;
		ms->best_rank = ~0ULL;
	} else if (memcmp(&ms->mask, &r->mask, sizeof(r->mask))) {
		return -EUCLEAN;
	}
	if (index_find(t, &r->key, r->mask_id) != NONE)
		return -EUCLEAN; /* two ids, one match */
	if (id_add(t, r->id, r->ctr))
		return -ENOMEM;
	t->ctr_slot[r->ctr] = s;
	index_add(t, r->ctr, r);
	member_add(t, r->mask_id, r->ctr);
	if (rank_of(r) < ms->best_rank)
		ms->best_rank = rank_of(r);
	t->nrules++;
	encap_count(t, r, 1);
	if (r->id >= t->next_id)
		t->next_id = r->id + 1;
	return 0;
}

struct prune {
	struct pcf_table *t;
	void *keys; /* entries no live rule owns */
	size_t n, key_size;
};

static int stale(struct prune *p, const void *key, const struct pcf_flow *f)
{
	const struct pcf_rule *r;
	void *grown;

	if (f->slot < PCF_RULE_SLOTS) {
		r = &p->t->slots[f->slot];
		if ((r->flags & PCF_RULE_USED) &&
		    p->t->ctr_slot[r->ctr] == f->slot && f->rank == rank_of(r))
			return 0;
	}
	grown = realloc(p->keys, (p->n + 1) * p->key_size);
	if (!grown)
		return -ENOMEM;
	p->keys = grown;
	memcpy((char *)p->keys + p->n++ * p->key_size, key, p->key_size);
	return 0;
}

static int stale4(void *arg, const struct pcf_key4 *k, const struct pcf_flow *f)
{
	return stale(arg, k, f);
}

static int stale6(void *arg, const struct pcf_lookup_key *k,
		  const struct pcf_flow *f)
{
	return stale(arg, k, f);
}

/* Delete the hash entries no live rule owns (a table from a crash). */
static int prune_entries(struct pcf_table *t)
{
	struct prune p4 = { t, NULL, 0, sizeof(struct pcf_key4) };
	struct prune p6 = { t, NULL, 0, sizeof(struct pcf_lookup_key) };
	size_t i;
	int err;

	err = t->ops->flow4_each(t->be.ctx, stale4, &p4);
	if (!err)
		err = t->ops->flow6_each(t->be.ctx, stale6, &p6);
	for (i = 0; !err && i < p4.n; i++)
		t->ops->flow4_del(t->be.ctx, (struct pcf_key4 *)p4.keys + i);
	for (i = 0; !err && i < p6.n; i++)
		t->ops->flow6_del(t->be.ctx,
				  (struct pcf_lookup_key *)p6.keys + i);
	free(p4.keys);
	free(p6.keys);
	return err;
}

/* Entries and filter bits of every live rule, as the table says. */
static int rewrite_entries(struct pcf_table *t)
{
	struct pcf_lookup_key k6;
	struct pcf_key4 k4;
	struct pcf_flow f;
	__u32 m, i, w;
	int err = 0;

	for (m = 0; m < PCF_MAX_MASKS; m++) {
		const struct mask_state *ms = &t->masks[m];

		for (i = 0; i < ms->nmembers; i++) {
			const struct pcf_rule *r =
			    &t->slots[t->ctr_slot[ms->members[i]]];

			key4_of(r, &k4);
			key6_of(r, &k6);
			if (in_flows4(r))
				t->filter_refs[pcf_filter_bit4(&k4)]++;
			if (in_flows6(r))
				t->filter_refs[pcf_filter_bit6(&k6)]++;
		}
	}
	/* the filter bits before the entries behind them */
	for (w = 0; !err && w < FILTER_NBITS / 64; w++)
		err = t->ops->filter_write(t->be.ctx, w, filter_word(t, w));
	for (m = 0; !err && m < PCF_MAX_MASKS; m++) {
		const struct mask_state *ms = &t->masks[m];

		for (i = 0; !err && i < ms->nmembers; i++) {
			__u32 slot = t->ctr_slot[ms->members[i]];
			const struct pcf_rule *r = &t->slots[slot];

			f = flow_of(r, slot);
			key4_of(r, &k4);
			key6_of(r, &k6);
			if (in_flows6(r))
				err = put_err(t->ops->flow6_put(
				    t->be.ctx, &k6, &f, PCF_PUT_ANY));
			if (!err && in_flows4(r))
				err = put_err(t->ops->flow4_put(
				    t->be.ctx, &k4, &f, PCF_PUT_ANY));
		}
	}
	return err;
}

/*
 * Free every slot and counter index no live rule holds.  Called after a
 * grace period that started once nothing led to them any more.
 */
static void free_unused(struct pcf_table *t)
{
	__u32 s, c;

	for (s = 0; s < PCF_RULE_SLOTS; s++) {
		if (t->slots[s].flags & PCF_RULE_USED)
			continue;
		if (t->slots[s].flags || t->slots[s].id)
			t->ops->slot_write(t->be.ctx, s,
					   &(struct pcf_rule){ 0 });
		fifo_push(&t->free_slots, s);
	}
	for (c = 0; c < PCF_RULE_SLOTS; c++)
		if (t->ctr_slot[c] == NONE)
			fifo_push(&t->free_ctrs, c);
}

int pcf_table_load(struct pcf_table *t)
{
	__u64 ticket;
	__u32 s, c;
	int err;

	/*
	 * What an earlier pcfd published last (mask lists, slots) may still
	 * be in use by steering programs running now: nothing is written
	 * over before a grace period.  Its workers are gone.
	 */
	ticket = t->ops->grace_start(t->be.ctx);
	for (c = 0; c < PCF_RULE_SLOTS; c++)
		t->ctr_slot[c] = NONE;
	for (c = 0; c < 1U << INDEX_BITS; c++)
		t->buckets[c] = NONE;
	t->next_id = 1;
	for (s = 0; s < PCF_RULE_SLOTS; s++) {
		if (!(t->slots[s].flags & PCF_RULE_USED))
			continue;
		err = adopt_slot(t, s);
		if (err)
			return err;
	}
	t->cur_buf = t->ops->masks_current(t->be.ctx) % PCF_MASK_BUFS;
	t->buf_busy[t->cur_buf] = true;
	err = t->ops->grace_wait(t->be.ctx, ticket);
	if (!err)
		err = rewrite_entries(t);
	if (!err)
		err = prune_entries(t);
	if (!err)
		err = publish(t);
	changed(t);
	if (err)
		return err;
	/* now nothing leads to the slots no live rule holds */
	err = t->ops->grace_wait(t->be.ctx, t->ops->grace_start(t->be.ctx));
	if (!err) {
		pcf_table_reclaim(t);
		free_unused(t);
	}
	return err;
}

/* ---- life ---- */

int pcf_table_new(const struct pcf_table_backend *be,
		  struct pcf_table **ret_table)
{
	struct pcf_table *t = calloc(1, sizeof(*t));
	__u32 m;

	if (!t)
		return -ENOMEM;
	t->be = *be;
	t->ops = be->ops;
	t->slots = be->slots;
	t->ctr_slot = malloc(PCF_RULE_SLOTS * sizeof(*t->ctr_slot));
	t->ctr_next = malloc(PCF_RULE_SLOTS * sizeof(*t->ctr_next));
	t->ctr_pos = malloc(PCF_RULE_SLOTS * sizeof(*t->ctr_pos));
	t->buckets = malloc((1U << INDEX_BITS) * sizeof(*t->buckets));
	t->filter_refs = calloc(FILTER_NBITS, sizeof(*t->filter_refs));
	t->retired = calloc(RETIRED_MAX, sizeof(*t->retired));
	for (m = 0; m < PCF_MAX_MASKS; m++)
		t->masks[m].members =
		    malloc(PCF_MAX_RULES * sizeof(*t->masks[m].members));
	if (!t->ctr_slot || !t->ctr_next || !t->ctr_pos || !t->buckets ||
	    !t->filter_refs || !t->retired ||
	    fifo_init(&t->free_slots, PCF_RULE_SLOTS) ||
	    fifo_init(&t->free_ctrs, PCF_RULE_SLOTS)) {
		pcf_table_free(t);
		return -ENOMEM;
	}
	for (m = 0; m < PCF_MAX_MASKS; m++)
		if (!t->masks[m].members) {
			pcf_table_free(t);
			return -ENOMEM;
		}
	*ret_table = t;
	return 0;
}

void pcf_table_free(struct pcf_table *t)
{
	__u32 m;

	if (!t)
		return;
	tdestroy(t->by_id, free_ref);
	for (m = 0; m < PCF_MAX_MASKS; m++)
		free(t->masks[m].members);
	free(t->ctr_slot);
	free(t->ctr_next);
	free(t->ctr_pos);
	free(t->buckets);
	free(t->filter_refs);
	free(t->retired);
	free(t->free_slots.v);
	free(t->free_ctrs.v);
	free(t);
}

/* ---- named sets ---- */

const __u8 *pcf_table_set_bit_map(const struct pcf_table *t)
{
	return t->set_bit;
}

void pcf_table_set_bits_init(struct pcf_table *t, const __u8 *bits)
{
	memcpy(t->set_bit, bits, sizeof(t->set_bit));
}

int pcf_table_set_bits(struct pcf_table *t, const __u8 *bits)
{
	int err;

	memcpy(t->set_bit, bits, sizeof(t->set_bit));
	err = publish(t);
	if (err)
		return err;
	pcf_table_sets_changed(t);
	return 0;
}

void pcf_table_sets_changed(struct pcf_table *t)
{
	t->ops->gen_bump(t->be.ctx);
}

__u64 pcf_table_grace_start(struct pcf_table *t)
{
	return t->ops->grace_start(t->be.ctx);
}

int pcf_table_grace_wait(struct pcf_table *t, __u64 ticket)
{
	return t->ops->grace_wait(t->be.ctx, ticket);
}
