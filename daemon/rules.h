/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rules.h - flow rules in the pinned maps, kept consistent with the mask
 * list the steering program walks.
 *
 * Hash entries: IPv4 packets search pcf_flows4 (a 20-byte key, and the
 * rule's rank in the value), IPv6 packets pcf_flows (the whole key); a rule
 * whose mask has no family has an entry in both.  In front of pcf_flows4, a
 * bit per mask and key hash (pcf_filter4) says "maybe" or "surely not";
 * in front of the whole search, each steering program keeps a per-CPU cache
 * of results, valid while the table's generation (pcf_gen) stays put.
 *
 * Ordering guarantees (why a packet never matches the wrong rule while
 * rules change):
 *  - a rule's slot and its hash entries are written before the mask list
 *    that leads to them is published; the mask list is swapped as a whole;
 *  - a mask leaves the list before the last hash entry under it goes;
 *  - a mask's best rank is lowered before a better rule's entry appears and
 *    raised only after the entry is gone, so the early stop of the search
 *    never skips a match;
 *  - a filter bit is set before the first entry behind it is written and
 *    cleared only after the last one is gone;
 *  - replace writes a new slot and switches the hash entries to it (one
 *    update per table); freed slots are reused round-robin, last;
 *  - every change, done or failed, ends by moving the generation on, so no
 *    cached result of the table before (or during) the change survives it.
 */
#ifndef PCF_RULES_H
#define PCF_RULES_H

#include "loader.h"
#include "pcf_genl.h" /* pcf_genl_prefix_mask */

#define PCF_RULE_REPLACE (1U << 0) /* replace a rule with the same match */
#define PCF_RULE_EXCL	 (1U << 1) /* with REPLACE: fail if none exists */

/* Number of leading one bits, or -1 if the mask is not a prefix. */
int pcf_mask_prefix_len(const __u8 *mask, unsigned int addr_len);

/* Check a rule spec (key, mask, action, prio); -EINVAL with *ret_why set. */
int pcf_rule_validate(const struct pcf_rule *spec, const char **ret_why);

/*
 * Add the rule spec (key, mask, action, prio; id and the rest ignored).
 * -EEXIST: a rule with the same match exists (unless PCF_RULE_REPLACE, which
 * keeps its id and counters); -ENOSPC: no free slot or mask.
 */
int pcf_rule_add(struct pcf_dp *dp, const struct pcf_rule *spec,
		 unsigned int flags, __u32 *ret_id);
int pcf_rule_del(struct pcf_dp *dp, __u32 id);
/*
 * Delete the rule whose match equals spec's; -ENOENT if none.  ret_rule (may
 * be NULL) gets the rule as it was, to tell others what went.
 */
int pcf_rule_del_match(struct pcf_dp *dp, const struct pcf_rule *spec,
		       struct pcf_rule *ret_rule);
int pcf_rule_flush(struct pcf_dp *dp);

/* Copy out rule id; -ENOENT if none.  ret_slot may be NULL. */
int pcf_rule_get(struct pcf_dp *dp, __u32 id, struct pcf_rule *ret_rule,
		 __u32 *ret_slot);
/* Per-rule counters summed over CPUs. */
int pcf_rule_counters(struct pcf_dp *dp, __u32 slot,
		      struct pcf_counter *ret);

typedef int (*pcf_rule_cb)(const struct pcf_rule *rule, __u32 slot,
			   void *ctx);
/* Call cb for each rule in id order from first_id on; stops on cb != 0. */
int pcf_rule_foreach(struct pcf_dp *dp, __u32 first_id, pcf_rule_cb cb,
		     void *ctx);

/*
 * Rebuild the cache from the pinned maps, rewrite pcf_flows4 and its filter
 * from the slots (new to a table an older pcf wrote) and republish the
 * mask list.
 */
int pcf_rules_load(struct pcf_dp *dp);
void pcf_rules_free(struct pcf_dp *dp);

#endif /* PCF_RULES_H */
