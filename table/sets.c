// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sets.c - named address sets: the sets, their bits, and every prefix any
 * set holds with its value (pcf_abi.h, "Named sets").  Pure: writes go
 * through struct pcf_set_ops.
 *
 * The value of a prefix is the union of the own bits of every prefix
 * covering it (itself included): only the longest prefix is found in the
 * trie, so it must say every set holding the address.  Changes first
 * touch own bits and note the prefixes changed; pcf_sets_flush_writes
 * then computes the values that may have changed (a host address: just
 * its own; a shorter prefix: every prefix of its family, since any may
 * lie under it) and writes those that did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcf_genl.h" /* struct pcf_set_resolver */
#include "sets.h"
#include "table.h"

#define NO_BIT	  0xff
#define PUT_BATCH 1024 /* values written in one batch */

struct node {
	__u8 addr[16];
	__u8 plen;
	__u8 family;	  /* 0: a free bucket */
	bool own_changed; /* since it was written */
	bool written;	  /* in the trie, with value v (own bits as now) */
	struct pcf_set_val v;
};

struct set {
	char name[PCF_SET_NAME_MAX]; /* "": free */
	__u8 family;
	__u8 bit;
	__u8 load_bit; /* NO_BIT: no load under way */
	__u8 load_family;
	__u32 count, load_count;
};

struct pcf_sets {
	const struct pcf_set_ops *ops;
	void *ctx;
	struct set set[PCF_MAX_SETS];
	__u8 bits[PCF_MAX_SETS]; /* for the rule table */
	__u64 bit_used[2];
	__u64 bit_old[2]; /* committed away, cleared by cleanup */
	struct node *tab;
	size_t cap, n;	    /* buckets (a power of two), nodes */
	__u32 lens[2][129]; /* nodes by family (0: 4, 1: 6) and length */
	__u64 lenset[2][3]; /* the lengths with nodes, as bits */
	/* values waiting for one batched write (ops->nodes_put) */
	struct pcf_set_elem pe[PUT_BATCH];
	struct pcf_set_val pv[PUT_BATCH];
	size_t pi[PUT_BATCH];
	size_t np;
	size_t *dirty; /* buckets of the hosts changed (no removal since) */
	size_t ndirty, dirty_cap;
	bool full[2]; /* a prefix shorter than a host changed */
	__u32 total;
};

static int fam(__u8 family)
{
	return family == 6;
}

static unsigned int alen(__u8 family)
{
	return family == 6 ? 16 : 4;
}

static unsigned int maxlen(__u8 family)
{
	return family == 6 ? 128 : 32;
}

/* ---- the prefixes: open addressing, linear probing ---- */

/* MurmurHash3's finalizer: every input bit moves every output bit. */
static __u64 mix(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static __u64 node_hash(const __u8 *addr, __u8 plen, __u8 family)
{
	__u64 a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	return mix(a ^ mix(b ^ ((__u64)plen << 8 | family)));
}

static size_t node_find(const struct pcf_sets *s, const __u8 *addr, __u8 plen,
			__u8 family)
{
	size_t i = node_hash(addr, plen, family) & (s->cap - 1);

	while (s->tab[i].family &&
	       (s->tab[i].plen != plen || s->tab[i].family != family ||
		memcmp(s->tab[i].addr, addr, 16)))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static struct node *node_get(const struct pcf_sets *s, const __u8 *addr,
			     __u8 plen, __u8 family)
{
	size_t i = node_find(s, addr, plen, family);

	return s->tab[i].family ? &s->tab[i] : NULL;
}

static void elem_of(const struct node *nd, struct pcf_set_elem *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, nd->addr, 16);
	e->plen = nd->plen;
	e->family = nd->family;
}

/*
 * Room for want nodes at half load.  The changed hosts noted keep their
 * order (the trie takes keys in order faster): their buckets move, so
 * they are found again by key.
 */
static int grow(struct pcf_sets *s, size_t want)
{
	struct node *old = s->tab;
	struct pcf_set_elem *keys = NULL;
	size_t i, cap = s->cap, ocap = s->cap;

	while (want * 2 > cap)
		cap *= 2;
	if (cap == ocap)
		return 0;
	if (s->ndirty) {
		keys = malloc(s->ndirty * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		for (i = 0; i < s->ndirty; i++)
			elem_of(&old[s->dirty[i]], &keys[i]);
	}
	s->tab = calloc(cap, sizeof(*s->tab));
	if (!s->tab) {
		s->tab = old;
		free(keys);
		return -ENOMEM;
	}
	s->cap = cap;
	for (i = 0; i < ocap; i++)
		if (old[i].family)
			s->tab[node_find(s, old[i].addr, old[i].plen,
					 old[i].family)] = old[i];
	for (i = 0; i < s->ndirty; i++)
		s->dirty[i] =
		    node_find(s, keys[i].addr, keys[i].plen, keys[i].family);
	free(keys);
	free(old);
	return 0;
}

/* The node of e, made if new (room made beforehand by grow). */
static struct node *node_make(struct pcf_sets *s, const struct pcf_set_elem *e)
{
	size_t i = node_find(s, e->addr, e->plen, e->family);
	struct node *nd = &s->tab[i];

	if (!nd->family) {
		memset(nd, 0, sizeof(*nd));
		memcpy(nd->addr, e->addr, 16);
		nd->plen = e->plen;
		nd->family = e->family;
		s->n++;
		if (!s->lens[fam(e->family)][e->plen]++)
			s->lenset[fam(e->family)][e->plen / 64] |=
			    1ULL << (e->plen % 64);
	}
	return nd;
}

/* Remove the node at bucket i, shifting its run back (no tombstones). */
static void node_remove(struct pcf_sets *s, size_t i)
{
	size_t j = i, home;

	if (!--s->lens[fam(s->tab[i].family)][s->tab[i].plen])
		s->lenset[fam(s->tab[i].family)][s->tab[i].plen / 64] &=
		    ~(1ULL << (s->tab[i].plen % 64));
	s->n--;
	s->tab[i].family = 0;
	for (;;) {
		j = (j + 1) & (s->cap - 1);
		if (!s->tab[j].family)
			return;
		home = node_hash(s->tab[j].addr, s->tab[j].plen,
				 s->tab[j].family) &
		       (s->cap - 1);
		/* may j's entry move to the hole at i? */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			s->tab[i] = s->tab[j];
			s->tab[j].family = 0;
			i = j;
		}
	}
}

static void truncate_addr(__u8 *out, const __u8 *addr, unsigned int plen)
{
	unsigned int i;

	memset(out, 0, 16);
	for (i = 0; i < plen / 8; i++)
		out[i] = addr[i];
	if (plen % 8)
		out[i] = addr[i] & (__u8)(0xff00 >> (plen % 8));
}

/* The union of the own bits of the prefixes covering addr/plen. */
static void cover_bits(const struct pcf_sets *s, __u8 family, const __u8 *addr,
		       unsigned int plen, const struct node *self, __u64 *bits)
{
	const __u64 *lenset = s->lenset[fam(family)];
	const struct node *nd;
	unsigned int l, w;
	__u8 t[16];
	__u64 m;

	bits[0] = bits[1] = 0;
	/* the lengths with nodes, up to plen: a host has few to look at */
	for (w = 0; w <= plen / 64; w++)
		for (m = lenset[w]; m; m &= m - 1) {
			l = w * 64 + __builtin_ctzll(m);
			if (l > plen)
				break;
			if (self && l == plen) {
				bits[0] |= self->v.own[0];
				bits[1] |= self->v.own[1];
				continue;
			}
			truncate_addr(t, addr, l);
			nd = node_get(s, t, l, family);
			if (nd) {
				bits[0] |= nd->v.own[0];
				bits[1] |= nd->v.own[1];
			}
		}
}

/* ---- writes ---- */

/* The values waiting for a batch, written (before any node moves). */
static int put_flush(struct pcf_sets *s)
{
	size_t k, n = s->np;
	int err;

	if (!n)
		return 0;
	s->np = 0;
	err = s->ops->nodes_put(s->ctx, s->pe, s->pv, n);
	if (err) { /* unknown which went in: written again next time */
		for (k = 0; k < n; k++)
			s->tab[s->pi[k]].written = false;
		return err;
	}
	for (k = 0; k < n; k++) {
		s->tab[s->pi[k]].written = true;
		s->tab[s->pi[k]].own_changed = false;
	}
	return 0;
}

static int note_dirty(struct pcf_sets *s, struct node *nd)
{
	if (nd->plen != maxlen(nd->family)) {
		s->full[fam(nd->family)] = true;
		return 0;
	}
	if (s->ndirty == s->dirty_cap) {
		size_t cap = s->dirty_cap ? 2 * s->dirty_cap : 1024;
		void *p = realloc(s->dirty, cap * sizeof(*s->dirty));

		if (!p)
			return -ENOMEM;
		s->dirty = p;
		s->dirty_cap = cap;
	}
	s->dirty[s->ndirty++] = nd - s->tab;
	return 0;
}

static bool own_empty(const struct node *nd)
{
	return !nd->v.own[0] && !nd->v.own[1];
}

/*
 * Bring node at bucket i to the trie: its value, or its removal when no
 * set holds it.  Returns 1 if it was removed (the bucket holds another
 * node now), 0, or -errno.
 */
static int settle(struct pcf_sets *s, size_t i)
{
	struct node *nd = &s->tab[i];
	struct pcf_set_elem e;
	__u64 bits[2];
	int err;

	elem_of(nd, &e);
	if (own_empty(nd)) {
		if (nd->written) {
			err = s->ops->node_del(s->ctx, &e);
			if (err && err != -ENOENT)
				return err;
		}
		node_remove(s, i);
		return 1;
	}
	cover_bits(s, nd->family, nd->addr, nd->plen, nd, bits);
	/* own bits ride along: an own change alone is written too */
	if (nd->written && bits[0] == nd->v.bits[0] &&
	    bits[1] == nd->v.bits[1] && !nd->own_changed)
		return 0;
	nd->v.bits[0] = bits[0];
	nd->v.bits[1] = bits[1];
	if (s->ops->nodes_put) { /* written with others, by put_flush */
		s->pe[s->np] = e;
		s->pv[s->np] = nd->v;
		s->pi[s->np++] = i;
		return s->np == PUT_BATCH ? put_flush(s) : 0;
	}
	err = s->ops->node_put(s->ctx, &e, &nd->v);
	if (err)
		return err;
	nd->written = true;
	nd->own_changed = false;
	return 0;
}

/*
 * Write what changed.  A family with a shorter prefix changed is gone
 * through whole; the others by their changed hosts.  Removals wait for
 * the end of the walk of the whole family (they move nodes around).
 */
static int flush_writes(struct pcf_sets *s)
{
	struct pcf_set_elem *gone;
	size_t i, k, ngone = 0;
	int f, err = 0;

	/*
	 * Changed hosts by their buckets: values first; the ones no set
	 * holds any more go after, found by their keys (a removal moves
	 * nodes, so the buckets noted no longer hold).
	 */
	for (k = 0; k < s->ndirty; k++) {
		struct node *nd = &s->tab[s->dirty[k]];

		if (!nd->family || s->full[fam(nd->family)])
			continue;
		if (own_empty(nd)) {
			s->dirty[ngone++] = s->dirty[k]; /* ngone <= k */
			continue;
		}
		err = settle(s, s->dirty[k]);
		if (err < 0)
			return err;
	}
	err = put_flush(s);
	if (err)
		return err;
	if (ngone) {
		gone = malloc(ngone * sizeof(*gone));
		if (!gone)
			return -ENOMEM;
		for (k = 0; k < ngone; k++)
			elem_of(&s->tab[s->dirty[k]], &gone[k]);
		for (k = 0; k < ngone && err >= 0; k++) {
			i = node_find(s, gone[k].addr, gone[k].plen,
				      gone[k].family);
			if (s->tab[i].family && own_empty(&s->tab[i]))
				err = settle(s, i);
		}
		free(gone);
		if (err < 0)
			return err;
	}
	s->ndirty = 0;
	for (f = 0; f < 2; f++) {
		if (!s->full[f])
			continue;
		/* values first (removals would move nodes under the walk) */
		for (i = 0; i < s->cap; i++) {
			struct node *nd = &s->tab[i];

			if (nd->family && fam(nd->family) == f &&
			    !own_empty(nd)) {
				err = settle(s, i);
				if (err < 0)
					return err;
			}
		}
		err = put_flush(s);
		if (err)
			return err;
		for (i = 0; i < s->cap;) {
			struct node *nd = &s->tab[i];

			if (nd->family && fam(nd->family) == f &&
			    own_empty(nd)) {
				err = settle(s, i);
				if (err < 0)
					return err;
				continue; /* bucket i holds another now */
			}
			i++;
		}
		s->full[f] = false;
	}
	return 0;
}

/* ---- the sets ---- */

int pcf_sets_new(const struct pcf_set_ops *ops, void *ctx,
		 struct pcf_sets **ret)
{
	struct pcf_sets *s = calloc(1, sizeof(*s));
	int i;

	if (!s)
		return -ENOMEM;
	s->ops = ops;
	s->ctx = ctx;
	s->cap = 1024;
	s->tab = calloc(s->cap, sizeof(*s->tab));
	if (!s->tab) {
		free(s);
		return -ENOMEM;
	}
	for (i = 0; i < PCF_MAX_SETS; i++)
		s->set[i].load_bit = NO_BIT;
	*ret = s;
	return 0;
}

void pcf_sets_free(struct pcf_sets *s)
{
	if (!s)
		return;
	free(s->tab);
	free(s->dirty);
	free(s);
}

int pcf_sets_find(const struct pcf_sets *s, const char *name)
{
	int i;

	for (i = 0; i < PCF_MAX_SETS; i++)
		if (s->set[i].name[0] && !strcmp(s->set[i].name, name))
			return i + 1;
	return -ENOENT;
}

const __u8 *pcf_sets_bits(const struct pcf_sets *s)
{
	return s->bits;
}

static struct set *set_of(const struct pcf_sets *s, int idx)
{
	if (idx < 1 || idx > PCF_MAX_SETS || !s->set[idx - 1].name[0])
		return NULL;
	return (struct set *)&s->set[idx - 1];
}

bool pcf_sets_info(const struct pcf_sets *s, int idx, struct pcf_set_info *ret)
{
	const struct set *st = set_of(s, idx);

	if (!st)
		return false;
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->name, st->name, sizeof(ret->name));
	ret->family = st->family;
	ret->bit = st->bit;
	ret->count = st->count;
	return true;
}

__u32 pcf_sets_total(const struct pcf_sets *s)
{
	return s->total;
}

bool pcf_sets_loading(const struct pcf_sets *s, int idx)
{
	const struct set *st = set_of(s, idx);

	return st && st->load_bit != NO_BIT;
}

static bool bit_get(const __u64 *b, unsigned int bit)
{
	return b[bit / 64] >> (bit % 64) & 1;
}

static void bit_put(__u64 *b, unsigned int bit, bool on)
{
	if (on)
		b[bit / 64] |= 1ULL << (bit % 64);
	else
		b[bit / 64] &= ~(1ULL << (bit % 64));
}

static int bit_alloc(struct pcf_sets *s)
{
	unsigned int b;

	for (b = 0; b < PCF_SET_BITS; b++)
		if (!bit_get(s->bit_used, b) && !bit_get(s->bit_old, b)) {
			bit_put(s->bit_used, b, true);
			return b;
		}
	return -ENOSPC;
}

static int info_sync(struct pcf_sets *s, int idx)
{
	struct pcf_set_info info = {};

	if (!pcf_sets_info(s, idx, &info))
		memset(&info, 0, sizeof(info));
	s->bits[idx - 1] = info.bit;
	return s->ops->info_write(s->ctx, idx - 1, &info);
}

static int set_make(struct pcf_sets *s, const char *name,
		    struct pcf_sets_err *err)
{
	int i, b;

	i = pcf_sets_find(s, name);
	if (i > 0)
		return i;
	if (!pcf_set_name_ok(name)) {
		snprintf(
		    err->msg, sizeof(err->msg),
		    "\"%.40s\" is not a set name: a letter or _, then letters, digits, _ . -, at most %d",
		    name, PCF_SET_NAME_MAX - 1);
		return -EINVAL;
	}
	for (i = 0; i < PCF_MAX_SETS && s->set[i].name[0]; i++)
		;
	b = i < PCF_MAX_SETS ? bit_alloc(s) : -ENOSPC;
	if (b < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "no room for set %s: at most %d sets", name,
			 PCF_MAX_SETS);
		return -ENOSPC;
	}
	memset(&s->set[i], 0, sizeof(s->set[i]));
	snprintf(s->set[i].name, sizeof(s->set[i].name), "%s", name);
	s->set[i].bit = b;
	s->set[i].load_bit = NO_BIT;
	return i + 1;
}

/* Refuse elements that are not of family (0: the first one's). */
static int check_elems(const struct pcf_set_elem *e, size_t n, __u8 family,
		       const char *name, struct pcf_sets_err *err)
{
	char buf[64];
	size_t k;

	for (k = 0; k < n; k++) {
		bool ok = (e[k].family == 4 || e[k].family == 6) &&
			  e[k].plen <= maxlen(e[k].family);
		__u8 t[16];

		if (ok) {
			truncate_addr(t, e[k].addr, e[k].plen);
			ok = !memcmp(t, e[k].addr, 16);
		}
		if (!ok) {
			snprintf(
			    err->msg, sizeof(err->msg),
			    "element %zu is not an address or prefix with its host bits clear",
			    k + 1);
			return -EINVAL;
		}
		if (!family)
			family = e[k].family;
		if (e[k].family != family) {
			pcf_set_elem_format(&e[k], buf, sizeof(buf));
			snprintf(
			    err->msg, sizeof(err->msg),
			    "%s is IPv%u, set %s holds IPv%u: one family a set",
			    buf, e[k].family, name, family);
			return -EINVAL;
		}
	}
	return 0;
}

static int room(struct pcf_sets *s, __u64 after, const char *name,
		struct pcf_sets_err *err)
{
	if (after > PCF_SET_ELEMS_MAX) {
		snprintf(
		    err->msg, sizeof(err->msg),
		    "set %s: %llu elements in all sets would pass the limit of %u",
		    name, (unsigned long long)after, PCF_SET_ELEMS_MAX);
		return -ENOSPC;
	}
	return grow(s, s->n + (after > s->total ? after - s->total : 0) + 1);
}

/* Own bit `bit` on e's prefixes (on) or off; counts what changed. */
static int own_apply(struct pcf_sets *s, const struct pcf_set_elem *e, size_t n,
		     unsigned int bit, bool on, __u32 *count)
{
	size_t k;
	int err;

	for (k = 0; k < n; k++) {
		struct node *nd =
		    on ? node_make(s, &e[k])
		       : node_get(s, e[k].addr, e[k].plen, e[k].family);

		if (!nd || bit_get(nd->v.own, bit) == on)
			continue;
		bit_put(nd->v.own, bit, on);
		nd->own_changed = true;
		*count += on ? 1 : -1;
		err = note_dirty(s, nd);
		if (err)
			return err;
	}
	return 0;
}

int pcf_sets_add(struct pcf_sets *s, const char *name,
		 const struct pcf_set_elem *e, size_t n, int *ret_idx,
		 struct pcf_sets_err *err)
{
	bool made = pcf_sets_find(s, name) < 0;
	struct set *st;
	__u32 before;
	int idx, rc;

	idx = set_make(s, name, err);
	if (idx < 0)
		return idx;
	st = set_of(s, idx);
	rc = check_elems(e, n, st->family, name, err);
	if (!rc)
		rc = room(s, (__u64)s->total + n, name, err);
	if (rc) {
		if (made) /* made for nothing: it goes again */
			pcf_sets_destroy(s, idx);
		return rc;
	}
	before = st->count;
	rc = own_apply(s, e, n, st->bit, true, &st->count);
	if (!rc)
		rc = flush_writes(s);
	s->total += st->count - before;
	if (st->count)
		st->family = e[0].family;
	if (ret_idx)
		*ret_idx = idx;
	return rc ? rc : info_sync(s, idx);
}

int pcf_sets_del(struct pcf_sets *s, const char *name,
		 const struct pcf_set_elem *e, size_t n,
		 struct pcf_sets_err *err)
{
	int idx = pcf_sets_find(s, name), rc;
	struct set *st;
	char buf[64];
	__u32 before;
	size_t k;

	if (idx < 0) {
		snprintf(err->msg, sizeof(err->msg), "no set %.40s", name);
		return -ENOENT;
	}
	st = set_of(s, idx);
	for (k = 0; k < n; k++) {
		const struct node *nd =
		    node_get(s, e[k].addr, e[k].plen, e[k].family);

		if (!nd || !bit_get(nd->v.own, st->bit)) {
			pcf_set_elem_format(&e[k], buf, sizeof(buf));
			snprintf(err->msg, sizeof(err->msg),
				 "%s is not in set %s", buf, name);
			return -ENOENT;
		}
	}
	before = st->count;
	rc = own_apply(s, e, n, st->bit, false, &st->count);
	if (!rc)
		rc = flush_writes(s);
	s->total -= before - st->count;
	if (!st->count)
		st->family = 0;
	return rc ? rc : info_sync(s, idx);
}

/* Clear bit from every prefix; count the elements it held. */
static int clear_bit(struct pcf_sets *s, unsigned int bit, __u32 *count)
{
	size_t i;
	int err;

	for (i = 0; i < s->cap; i++) {
		struct node *nd = &s->tab[i];

		if (!nd->family || !bit_get(nd->v.own, bit))
			continue;
		bit_put(nd->v.own, bit, false);
		nd->own_changed = true;
		if (count)
			(*count)--;
		err = note_dirty(s, nd);
		if (err)
			return err;
	}
	return flush_writes(s);
}

int pcf_sets_flush(struct pcf_sets *s, int idx)
{
	struct set *st = set_of(s, idx);
	__u32 before;
	int err;

	if (!st)
		return -ENOENT;
	before = st->count;
	err = clear_bit(s, st->bit, &st->count);
	s->total -= before - st->count;
	st->family = 0;
	return err ? err : info_sync(s, idx);
}

int pcf_sets_destroy(struct pcf_sets *s, int idx)
{
	struct set *st = set_of(s, idx);
	int err;

	if (!st)
		return -ENOENT;
	pcf_sets_load_abort(s, idx);
	err = pcf_sets_flush(s, idx);
	if (err)
		return err;
	bit_put(s->bit_used, st->bit, false);
	memset(st, 0, sizeof(*st));
	st->load_bit = NO_BIT;
	return info_sync(s, idx);
}

/* ---- loads ---- */

int pcf_sets_reserve(struct pcf_sets *s, size_t n)
{
	if (n > PCF_SET_ELEMS_MAX)
		n = PCF_SET_ELEMS_MAX;
	return grow(s, s->n + n);
}

void pcf_sets_load_abort(struct pcf_sets *s, int idx)
{
	struct set *st = set_of(s, idx);

	if (!st || st->load_bit == NO_BIT)
		return;
	/* never written: the own bits go, nodes only it made go too */
	clear_bit(s, st->load_bit, NULL);
	bit_put(s->bit_used, st->load_bit, false);
	st->load_bit = NO_BIT;
	st->load_count = 0;
}

int pcf_sets_load_begin(struct pcf_sets *s, const char *name, int *ret_idx,
			struct pcf_sets_err *err)
{
	struct set *st;
	int idx, b;

	idx = set_make(s, name, err);
	if (idx < 0)
		return idx;
	st = set_of(s, idx);
	pcf_sets_load_abort(s, idx);
	b = bit_alloc(s);
	if (b < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "no spare bit for loading set %s", name);
		return b;
	}
	st->load_bit = b;
	st->load_count = 0;
	st->load_family = 0;
	*ret_idx = idx;
	return 0;
}

/*
 * Elements of a load only touch own bits: the values are computed and
 * written at the commit, once for all of them.
 */
int pcf_sets_load_add(struct pcf_sets *s, int idx, const struct pcf_set_elem *e,
		      size_t n, struct pcf_sets_err *err)
{
	struct set *st = set_of(s, idx);
	size_t k;
	int rc;

	if (!st || st->load_bit == NO_BIT) {
		snprintf(err->msg, sizeof(err->msg), "no load under way");
		return -ENOENT;
	}
	rc = check_elems(e, n, st->load_family, st->name, err);
	if (!rc)
		rc = room(s, (__u64)s->total - st->count + st->load_count + n,
			  st->name, err);
	if (rc)
		return rc;
	for (k = 0; k < n; k++) {
		struct node *nd = node_make(s, &e[k]);

		if (bit_get(nd->v.own, st->load_bit))
			continue;
		bit_put(nd->v.own, st->load_bit, true);
		nd->own_changed = true;
		st->load_count++;
		rc = note_dirty(s, nd);
		if (rc)
			return rc;
	}
	if (n && !st->load_family)
		st->load_family = e[0].family;
	return 0;
}

int pcf_sets_load_commit(struct pcf_sets *s, int idx, struct pcf_sets_err *err)
{
	struct set *st = set_of(s, idx);
	int rc;

	if (!st || st->load_bit == NO_BIT) {
		snprintf(err->msg, sizeof(err->msg), "no load under way");
		return -ENOENT;
	}
	rc = flush_writes(s);
	if (rc) {
		snprintf(err->msg, sizeof(err->msg),
			 "set %s: the data plane refused the new content (%s)",
			 st->name, strerror(-rc));
		pcf_sets_load_abort(s, idx);
		return rc;
	}
	bit_put(s->bit_old, st->bit, true);
	bit_put(s->bit_used, st->bit, false);
	st->bit = st->load_bit;
	s->total = s->total - st->count + st->load_count;
	st->count = st->load_count;
	st->family = st->count ? st->load_family : 0;
	st->load_bit = NO_BIT;
	st->load_count = 0;
	return info_sync(s, idx);
}

int pcf_sets_load_cleanup(struct pcf_sets *s)
{
	unsigned int b;
	int err;

	for (b = 0; b < PCF_SET_BITS; b++) {
		if (!bit_get(s->bit_old, b))
			continue;
		err = clear_bit(s, b, NULL);
		if (err)
			return err;
		bit_put(s->bit_old, b, false);
	}
	return 0;
}

/* ---- reads ---- */

int pcf_sets_each(const struct pcf_sets *s, int idx,
		  int (*cb)(const struct pcf_set_elem *e, void *arg), void *arg)
{
	const struct set *st = set_of(s, idx);
	struct pcf_set_elem e;
	size_t i;
	int rc;

	if (!st)
		return -ENOENT;
	for (i = 0; i < s->cap; i++) {
		if (!s->tab[i].family || !bit_get(s->tab[i].v.own, st->bit))
			continue;
		elem_of(&s->tab[i], &e);
		rc = cb(&e, arg);
		if (rc)
			return rc;
	}
	return 0;
}

size_t pcf_sets_walk(const struct pcf_sets *s, int idx, size_t *pos,
		     struct pcf_set_elem *e, size_t max)
{
	const struct set *st = set_of(s, idx);
	size_t n = 0;

	if (!st)
		return 0;
	for (; *pos < s->cap && n < max; (*pos)++)
		if (s->tab[*pos].family && bit_get(s->tab[*pos].v.own, st->bit))
			elem_of(&s->tab[*pos], &e[n++]);
	return n;
}

void pcf_sets_lookup(const struct pcf_sets *s, __u8 family, const __u8 *addr,
		     __u64 *bits)
{
	const __u32 *lens = s->lens[fam(family)];
	const struct node *nd;
	__u8 t[16], a[16] = {};
	int l;

	memcpy(a, addr, alen(family));
	bits[0] = bits[1] = 0;
	for (l = maxlen(family); l >= 0; l--) {
		if (!lens[l])
			continue;
		truncate_addr(t, a, l);
		nd = node_get(s, t, l, family);
		if (nd) {
			cover_bits(s, family, nd->addr, nd->plen, nd, bits);
			return;
		}
	}
}

/* ---- a restart ---- */

int pcf_sets_adopt_info(struct pcf_sets *s, const struct pcf_set_info *infos)
{
	int i;

	for (i = 0; i < PCF_MAX_SETS; i++) {
		const struct pcf_set_info *in = &infos[i];
		struct set *st = &s->set[i];

		if (!in->name[0] || !memchr(in->name, 0, sizeof(in->name)) ||
		    in->bit >= PCF_SET_BITS || bit_get(s->bit_used, in->bit))
			continue;
		memcpy(st->name, in->name, sizeof(st->name));
		st->family = in->family;
		st->bit = in->bit;
		st->load_bit = NO_BIT;
		bit_put(s->bit_used, in->bit, true);
		s->bits[i] = in->bit;
	}
	return 0;
}

int pcf_sets_adopt_node(struct pcf_sets *s, const struct pcf_set_elem *e,
			const struct pcf_set_val *v)
{
	struct node *nd;
	int err, i;

	if ((e->family != 4 && e->family != 6) || e->plen > maxlen(e->family))
		return -EINVAL;
	err = grow(s, s->n + 1);
	if (err)
		return err;
	nd = node_make(s, e);
	nd->v = *v;
	nd->written = true;
	for (i = 0; i < PCF_MAX_SETS; i++)
		if (s->set[i].name[0] && bit_get(v->own, s->set[i].bit))
			s->set[i].count++;
	return 0;
}

int pcf_sets_adopt_end(struct pcf_sets *s)
{
	__u64 known[2] = {};
	size_t i;
	int k;

	s->total = 0;
	for (k = 0; k < PCF_MAX_SETS; k++) {
		if (!s->set[k].name[0])
			continue;
		bit_put(known, s->set[k].bit, true);
		s->total += s->set[k].count;
	}
	/* bits of no set (a load cut short): cleared, values rewritten */
	for (i = 0; i < s->cap; i++) {
		struct node *nd = &s->tab[i];

		if (!nd->family)
			continue;
		if ((nd->v.own[0] & ~known[0]) || (nd->v.own[1] & ~known[1])) {
			nd->v.own[0] &= known[0];
			nd->v.own[1] &= known[1];
			nd->own_changed = true;
			s->full[fam(nd->family)] = true;
		}
	}
	return flush_writes(s);
}

/* ---- for the sets' owner ---- */

int pcf_sets_load_switch(struct pcf_sets *s, struct pcf_table *t, int idx,
			 struct pcf_sets_err *err)
{
	int rc = pcf_sets_load_commit(s, idx, err);

	if (rc)
		return rc;
	/* one switch: every packet tests the old bit or the new one */
	rc = pcf_table_set_bits(t, pcf_sets_bits(s));
	if (!rc)
		rc = pcf_table_grace_wait(t, pcf_table_grace_start(t));
	if (!rc)
		rc = pcf_sets_load_cleanup(s);
	if (rc)
		snprintf(err->msg, sizeof(err->msg),
			 "switching the set's content failed: %s",
			 strerror(-rc));
	pcf_table_sets_changed(t);
	return rc;
}

static int resolve_index(void *arg, const char *name)
{
	return pcf_sets_find(arg, name);
}

static const char *resolve_name(void *arg, unsigned int idx)
{
	const struct pcf_sets *s = arg;

	return idx >= 1 && idx <= PCF_MAX_SETS && s->set[idx - 1].name[0]
		   ? s->set[idx - 1].name
		   : NULL;
}

void pcf_sets_resolver(struct pcf_sets *s, struct pcf_set_resolver *ret)
{
	ret->index = resolve_index;
	ret->name = resolve_name;
	ret->arg = s;
}
