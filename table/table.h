/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * table.h - the flow rule table: rule ids, slots, counter indexes, the
 * masks of the tuple-space search and their ranks, the filter bits,
 * and the published mask list.  Pure logic: it writes through a small
 * backend (struct pcf_table_ops), implemented once by pcfd on the pinned
 * BPF maps (daemon/dataplane/rule_maps.c) and once in memory (table/mem.h),
 * where tests compare it with a linear reference without root.
 *
 * What the data plane sees (the layout of bpf/pcf_abi.h): a rule lives in
 * a slot; hash entries (IPv4: pcf_flows4, IPv6: pcf_flows, both behind
 * the filter; a rule without an address family has one in each) lead from
 * a masked key to the slot and the rule's rank; the mask list, ordered by
 * the best rank under each mask, says which masks to search; every change
 * ends by moving the generation on, which empties the flow caches.
 *
 * Why a packet never matches a wrong rule, nor misses the right one,
 * while rules change (each packet sees one state of the maps, or a
 * state between two steps below, and each such state answers as the
 * table before or the table after):
 *  - a slot is written whole before anything leads to it, and is never
 *    written again while anything may: a replace writes a fresh slot and
 *    switches the rule's hash entries to it (one update per map); the
 *    old slot stays intact, and is reused only after a grace period
 *    (see below) has passed since the generation moved on;
 *  - a mask list is written into a buffer no packet can be reading and
 *    then made current as a whole; a buffer, and a mask id, are reused
 *    only after a grace period;
 *  - a mask enters the list after its first entry exists and leaves it
 *    before its last entry goes;
 *  - a mask's best rank is lowered before a better rule's entry appears
 *    and raised only after the entry is gone (lazily: pcf_table_tidy),
 *    so the early stop of the search never skips a match;
 *  - a filter bit is set before the first entry behind it is written and
 *    cleared only after the last one is gone;
 *  - a rule keeps its counter index across replaces; an index is reset
 *    before it is given to a new rule, after a grace period.
 *
 * A grace period (ops->grace_*) ends when no steering program can still
 * run with what it read before the grace started, and no worker can
 * still hold a packet the steering program classified before then.
 */
#ifndef PCF_TABLE_H
#define PCF_TABLE_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcf_abi.h"

/* ---- what a rule may say ---- */

/* Number of leading one bits, or -1 if the mask is not a prefix. */
int pcf_mask_prefix_len(const __u8 *mask, unsigned int addr_len);
/* Check a match (key, mask); -EINVAL with *ret_why set. */
int pcf_match_validate(const struct pcf_key *k, const struct pcf_key *m,
		       const char **ret_why);
/* Check a rule spec (key, mask, action, prio); -EINVAL with *ret_why set. */
int pcf_rule_validate(const struct pcf_rule *spec, const char **ret_why);
/*
 * VXLAN (issue 13): every rule of the table matches either outer or inner
 * headers: its mask gets the kind byte of pcf_key.tun (the table does it
 * to every spec it is given).
 */
void pcf_match_normalize(struct pcf_key *mask);

/* ---- the backend ---- */

/*
 * Every op returns 0 or a negative errno (E2BIG from a full hash becomes
 * -ENOSPC in the table).  put ops take BPF_ANY, BPF_NOEXIST or BPF_EXIST
 * semantics in flags (PCF_PUT_*).
 */
#define PCF_PUT_ANY	0
#define PCF_PUT_NOEXIST 1
#define PCF_PUT_EXIST	2

typedef int (*pcf_flow4_cb)(void *arg, const struct pcf_key4 *k,
			    const struct pcf_flow *f);
typedef int (*pcf_flow6_cb)(void *arg, const struct pcf_lookup_key *k,
			    const struct pcf_flow *f);

struct pcf_table_ops {
	int (*slot_write)(void *ctx, __u32 slot, const struct pcf_rule *r);
	/* only the flags of a slot (an aligned 32-bit store) */
	int (*slot_flags)(void *ctx, __u32 slot, __u32 flags);

	int (*flow4_put)(void *ctx, const struct pcf_key4 *k,
			 const struct pcf_flow *f, int flags);
	int (*flow4_del)(void *ctx, const struct pcf_key4 *k);
	int (*flow4_get)(void *ctx, const struct pcf_key4 *k,
			 struct pcf_flow *ret);
	int (*flow4_each)(void *ctx, pcf_flow4_cb cb, void *arg);
	int (*flow6_put)(void *ctx, const struct pcf_lookup_key *k,
			 const struct pcf_flow *f, int flags);
	int (*flow6_del)(void *ctx, const struct pcf_lookup_key *k);
	int (*flow6_get)(void *ctx, const struct pcf_lookup_key *k,
			 struct pcf_flow *ret);
	int (*flow6_each)(void *ctx, pcf_flow6_cb cb, void *arg);

	/* word of pcf_filter (PCF_MAX_MASKS * PCF_FILTER_WORDS of them) */
	int (*filter_write)(void *ctx, __u32 word, __u64 bits);

	/* write mask buffer buf (< PCF_MASK_BUFS), then make it current */
	int (*masks_write)(void *ctx, __u32 buf,
			   const struct pcf_mask_table *t);
	void (*masks_switch)(void *ctx, __u32 buf);
	__u32 (*masks_current)(void *ctx);
	void (*gen_bump)(void *ctx);
	/* VXLAN (issue 13): store pcf_table_state.encap_rules, outer_rules */
	void (*rule_kinds)(void *ctx, __u32 encap, __u32 outer);

	/* zero the counters of counter index ctr (XDP's and workers') */
	int (*ctr_reset)(void *ctx, __u32 ctr);

	/* a grace period starting now; has it ended; wait for its end */
	__u64 (*grace_start)(void *ctx);
	bool (*grace_done)(void *ctx, __u64 ticket);
	int (*grace_wait)(void *ctx, __u64 ticket);
};

struct pcf_table_backend {
	const struct pcf_table_ops *ops;
	void *ctx;
	/* PCF_RULE_SLOTS slots as the data plane sees them, read-only */
	const struct pcf_rule *slots;
};

/* ---- the table ---- */

#define PCF_TABLE_REPLACE (1U << 0) /* replace a rule with the same match */
#define PCF_TABLE_EXCL	  (1U << 1) /* with REPLACE: fail if none exists */

struct pcf_table;

/* A table writing through be (copied); empty until pcf_table_load(). */
int pcf_table_new(const struct pcf_table_backend *be,
		  struct pcf_table **ret_table);
/*
 * Adopt what the backend's slots hold (a restart), and rewrite the hash
 * entries, filter and mask list from them.  -EUCLEAN: the slots are not
 * a table pcf wrote.
 */
int pcf_table_load(struct pcf_table *t);
void pcf_table_free(struct pcf_table *t);

/*
 * Add the rule spec (key, mask, action, prio; id and the rest ignored).
 * -EINVAL: not a valid rule (pcf_rule_validate says why); -EEXIST: a rule
 * with the same match exists (unless PCF_TABLE_REPLACE, which keeps its
 * id and counters); -ENOENT: REPLACE|EXCL and no such rule; -ENOSPC: the
 * table is full (PCF_MAX_RULES); -ETOOMANYREFS: the rule needs a mask
 * beyond PCF_MAX_MASKS distinct ones.
 */
int pcf_table_add(struct pcf_table *t, const struct pcf_rule *spec,
		  unsigned int flags, __u32 *ret_id);
/* Delete rule id; ret_rule (may be NULL) gets it as it was. */
int pcf_table_del(struct pcf_table *t, __u32 id, struct pcf_rule *ret_rule);
/* Delete the rule whose match equals spec's; -ENOENT if none. */
int pcf_table_del_match(struct pcf_table *t, const struct pcf_rule *spec,
			struct pcf_rule *ret_rule);
int pcf_table_flush(struct pcf_table *t);
/*
 * Put back a rule deleted before, with its id (undoing a change); its
 * counters start at zero.  -EEXIST if the id or the match is taken.
 */
int pcf_table_restore(struct pcf_table *t, const struct pcf_rule *rule);

/* Copy out rule id; -ENOENT if none.  ret_rule, ret_slot may be NULL. */
int pcf_table_get(const struct pcf_table *t, __u32 id,
		  struct pcf_rule *ret_rule, __u32 *ret_slot);
/* The rule whose match equals spec's (masked as the table keeps it). */
int pcf_table_find(const struct pcf_table *t, const struct pcf_rule *spec,
		   struct pcf_rule *ret_rule);

typedef int (*pcf_table_cb)(const struct pcf_rule *rule, __u32 slot, void *ctx);
/* Call cb for each rule in id order from first_id on; stops on cb != 0. */
int pcf_table_foreach(const struct pcf_table *t, __u32 first_id,
		      pcf_table_cb cb, void *ctx);

/*
 * Give back the slots, counter indexes, mask ids and buffers whose grace
 * period has ended (the table also does it when it runs short); cheap
 * when there is nothing to do.  Returns how many are still waiting.
 */
unsigned int pcf_table_reclaim(struct pcf_table *t);
/*
 * Publish what was left for later: a mask's best rank that went up
 * (until then, the search looks at that mask for more packets than it
 * must).  Call when idle; pcf_table_tidy_pending() says whether to.
 */
int pcf_table_tidy(struct pcf_table *t);
bool pcf_table_tidy_pending(const struct pcf_table *t);

struct pcf_table_info {
	__u32 rules;
	__u32 masks;   /* distinct masks in use */
	__u32 retired; /* slots waiting for a grace period */
	__u64 changes; /* changes done since the table was loaded */
};

void pcf_table_info(const struct pcf_table *t, struct pcf_table_info *ret);
/* The slots as the data plane sees them (PCF_RULE_SLOTS), read-only. */
const struct pcf_rule *pcf_table_slots(const struct pcf_table *t);

/*
 * ---- named sets (pcf_abi.h, "Named sets"; table/sets.h keeps them) ----
 *
 * The bit of each set (bits[i] for set index i + 1, PCF_MAX_SETS of
 * them) goes into every published mask list.  _init: before
 * pcf_table_load(), nothing published; pcf_table_set_bits: publish a
 * list with the new bits and move the generation on (one switch, so
 * every packet sees all old bits or all new ones).
 */
void pcf_table_set_bits_init(struct pcf_table *t, const __u8 *bits);
const __u8 *pcf_table_set_bit_map(const struct pcf_table *t);
int pcf_table_set_bits(struct pcf_table *t, const __u8 *bits);
/* A set's content changed: the flow caches forget their results. */
void pcf_table_sets_changed(struct pcf_table *t);
/* A grace period of the table's backend: start one, wait for its end. */
__u64 pcf_table_grace_start(struct pcf_table *t);
int pcf_table_grace_wait(struct pcf_table *t, __u64 ticket);

#endif /* PCF_TABLE_H */
