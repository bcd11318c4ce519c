/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_sets.h - the set commands' work (issue 13), apart from the
 * protocol's plumbing in ctl.c: the names rules use (pcfd's resolver),
 * which rules use a set, a load's switch, and a set as messages.
 */
#ifndef PCF_CTL_SETS_H
#define PCF_CTL_SETS_H

#include <stdbool.h>
#include <stddef.h>

#include "pcf_genl.h"
#include "sets.h"
#include "table.h"

struct pcf_mem;
struct pcf_dp;

struct pcf_ctl_sets {
	struct pcf_sets *sets;
	struct pcf_table *table;
	const struct pcf_dp *dp; /* the rules' counters; NULL: none */
	struct pcf_mem *mem;	 /* a backend of its own, without a dp */
	struct pcf_set_resolver resolver;
	/* the load under way: its set and its client (port 0: none) */
	int load_idx;
	__u32 load_port;
	bool load_made; /* the load made the set */
};

/*
 * Over dp's sets (NULL: sets of its own in memory, as in the fuzzer) and
 * rule table t.
 */
int ctl_sets_init(struct pcf_ctl_sets *cs, struct pcf_table *t,
		  struct pcf_dp *dp);
void ctl_sets_fini(struct pcf_ctl_sets *cs);

/*
 * Rules using set idx: how many, and "id 3, id 7" (the first ones) in
 * ids.
 */
unsigned int ctl_sets_users(const struct pcf_ctl_sets *cs, int idx, char *ids,
			    size_t len);
/* What the rules using set idx matched in XDP, summed (a set's counter). */
void ctl_sets_counter(const struct pcf_ctl_sets *cs, int idx,
		      struct pcf_counter *ret);

/*
 * Commit the load of set idx: the new content becomes the set's in one
 * switch of the mask list, the old one is cleared after a grace period.
 */
int ctl_sets_commit(struct pcf_ctl_sets *cs, int idx, struct pcf_sets_err *err);

/* Elements from a PCF_A_SET_ELEMS attribute (validated); NULL: none. */
const struct pcf_set_elem *ctl_sets_elems(const struct nlattr *a, size_t *n);

/* Where a walk of a set's elements is: the next bucket. */
struct ctl_sets_cursor {
	int idx;     /* the set (0: start) */
	bool header; /* its header message was sent */
	size_t pos;  /* next bucket */
	bool one;    /* only set idx */
	bool done;
};

/*
 * The next messages of a set show (cmd SET_GET, flags, seq) into
 * [buf, buf + size): a set's header (name, family, count, rules), then
 * its elements in parts.  Returns the bytes written.
 */
size_t ctl_sets_part(struct pcf_ctl_sets *cs, struct ctl_sets_cursor *c,
		     void *buf, size_t size, __u16 flags, __u32 seq);

#endif /* PCF_CTL_SETS_H */
