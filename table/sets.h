/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sets.h - named address sets (pcf_abi.h, "Named sets"): names, elements,
 * the bits of the sets in the data plane's tries, and the value of every
 * prefix (the bits of the sets holding it or a prefix covering it).  Pure
 * logic: it writes through a small backend (struct pcf_set_ops), once on
 * the pinned tries (daemon/dataplane/set_maps.c), once in memory
 * (table/mem.h), where tests compare it with a linear reference.
 *
 * Why a packet never sees a half-loaded set: a load (pcf_sets_load_*)
 * puts the new content under a spare bit that no mask list names, then
 * the rule table publishes a mask list naming the new bit (one switch),
 * and only after a grace period is the old bit cleared.  Every trie
 * update writes a prefix's whole value, right for every bit.
 */
#ifndef PCF_SETS_H
#define PCF_SETS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "pcf_abi.h"
#include "set_text.h"

struct pcf_set_ops {
	/* put or delete prefix e's value in its family's trie */
	int (*node_put)(void *ctx, const struct pcf_set_elem *e,
			const struct pcf_set_val *v);
	int (*node_del)(void *ctx, const struct pcf_set_elem *e);
	/* optional: n values at once (a load writes many) */
	int (*nodes_put)(void *ctx, const struct pcf_set_elem *e,
			 const struct pcf_set_val *v, size_t n);
	/* what set index idx is, for a restart */
	int (*info_write)(void *ctx, __u32 idx, const struct pcf_set_info *i);
};

struct pcf_sets;

int pcf_sets_new(const struct pcf_set_ops *ops, void *ctx,
		 struct pcf_sets **ret);
void pcf_sets_free(struct pcf_sets *s);

/*
 * Adopt what a restarted pcfd finds: infos[PCF_MAX_SETS] and the trie
 * nodes (with their own bits); bits no set has (a load cut short) are
 * cleared.  Call before any change.
 */
int pcf_sets_adopt_info(struct pcf_sets *s, const struct pcf_set_info *infos);
int pcf_sets_adopt_node(struct pcf_sets *s, const struct pcf_set_elem *e,
			const struct pcf_set_val *v);
int pcf_sets_adopt_end(struct pcf_sets *s);

/* Index (1..PCF_MAX_SETS) of set name, or -ENOENT. */
int pcf_sets_find(const struct pcf_sets *s, const char *name);
/* The bit of each set (PCF_MAX_SETS bytes), for pcf_table_set_bits(). */
const __u8 *pcf_sets_bits(const struct pcf_sets *s);
/* Set idx's name, family (0: empty), count; false if no such set. */
bool pcf_sets_info(const struct pcf_sets *s, int idx, struct pcf_set_info *ret);
/* Elements in all sets together. */
__u32 pcf_sets_total(const struct pcf_sets *s);

/*
 * Why a change is refused, in words (for the extended ack): the element
 * or the limit.  The functions below fill it.
 */
struct pcf_sets_err {
	char msg[160];
};

/*
 * Add elements to set name (made on first use: -ENOSPC past
 * PCF_MAX_SETS); duplicates are ignored.  -EINVAL: a bad element or
 * another family than the set's; -ENOSPC: past PCF_SET_ELEMS_MAX.
 * Nothing changes on an error.  *ret_idx (may be NULL): the set.
 */
int pcf_sets_add(struct pcf_sets *s, const char *name,
		 const struct pcf_set_elem *e, size_t n, int *ret_idx,
		 struct pcf_sets_err *err);
/* Delete elements; -ENOENT if one is not in the set (nothing changes). */
int pcf_sets_del(struct pcf_sets *s, const char *name,
		 const struct pcf_set_elem *e, size_t n,
		 struct pcf_sets_err *err);
/* Empty set idx (it stays); destroy: it goes (the caller checks rules). */
int pcf_sets_flush(struct pcf_sets *s, int idx);
int pcf_sets_destroy(struct pcf_sets *s, int idx);

/*
 * A load: begin (made on first use) gives the set a spare bit; add puts
 * elements under it (nothing the data plane tests yet); commit writes
 * the tries and makes the new bit the set's: then the caller publishes
 * pcf_sets_bits() (pcf_table_set_bits), waits a grace period and calls
 * pcf_sets_load_cleanup to clear the old bit.  abort drops the new
 * content.  One load at a time per set; a begin drops an unfinished one.
 */
int pcf_sets_load_begin(struct pcf_sets *s, const char *name, int *ret_idx,
			struct pcf_sets_err *err);
/* Room for n more elements (a load says how many will come). */
int pcf_sets_reserve(struct pcf_sets *s, size_t n);
int pcf_sets_load_add(struct pcf_sets *s, int idx, const struct pcf_set_elem *e,
		      size_t n, struct pcf_sets_err *err);
int pcf_sets_load_commit(struct pcf_sets *s, int idx, struct pcf_sets_err *err);
int pcf_sets_load_cleanup(struct pcf_sets *s);
void pcf_sets_load_abort(struct pcf_sets *s, int idx);
bool pcf_sets_loading(const struct pcf_sets *s, int idx);

struct pcf_table;
/*
 * The whole switch of a load, for the sets' owner: commit, publish the
 * new bits in t's mask list (one switch), wait for a grace period, clear
 * the old bit, and let the flow caches forget.
 */
int pcf_sets_load_switch(struct pcf_sets *s, struct pcf_table *t, int idx,
			 struct pcf_sets_err *err);

struct pcf_set_resolver;
/* The names of s for the rules (genl's pcf_set_resolver_use). */
void pcf_sets_resolver(struct pcf_sets *s, struct pcf_set_resolver *ret);

/* Call cb for each element of set idx (no order); stops on cb != 0. */
int pcf_sets_each(const struct pcf_sets *s, int idx,
		  int (*cb)(const struct pcf_set_elem *e, void *arg),
		  void *arg);

/*
 * Up to max elements of set idx from bucket *pos on into e, *pos moved
 * past them: 0 at the end.  Elements added or removed between calls may
 * be missed or seen, the others come once.
 */
size_t pcf_sets_walk(const struct pcf_sets *s, int idx, size_t *pos,
		     struct pcf_set_elem *e, size_t max);

/* The sets holding addr (4 or 16 bytes), as the tries answer: bits. */
void pcf_sets_lookup(const struct pcf_sets *s, __u8 family, const __u8 *addr,
		     __u64 *bits);

#endif /* PCF_SETS_H */
