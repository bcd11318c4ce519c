/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * rule_maps.h - the rule table's backend on the pinned BPF maps of
 * pcf_steer: slots in pcf_rules (mmapped), hash entries in pcf_flows4 and
 * pcf_flows, the filter pcf_filter, mask lists in pcf_masks, generation
 * and current list in pcf_state (mmapped), counters in pcf_rule_stats and
 * the workers' pcf_wrule_stats; grace periods from grace.h.
 */
#ifndef PCF_RULE_MAPS_H
#define PCF_RULE_MAPS_H

#include "table.h"

struct pcf_grace;

struct pcf_rule_maps {
	int flows4_fd, flows6_fd, filter_fd, masks_fd;
	struct pcf_rule *slots;	       /* PCF_RULE_SLOTS, mmapped */
	struct pcf_table_state *state; /* mmapped */
	/* XDP's counters, pcf_rule_stats: a row of PCF_RULE_SLOTS for each
	 * of ncpus CPUs (PCF_RULE_STAT), mmapped */
	struct pcf_counter *xctr;
	/* the workers' counters: wrows rows of PCF_RULE_SLOTS (NULL and 0:
	 * none yet) */
	struct pcf_counter *wctr;
	unsigned int wrows;
	struct pcf_grace *grace;
	int ncpus;
};

/*
 * The sum of counter ctr over nrows rows of PCF_RULE_SLOTS counters
 * (rows may be NULL when nrows is 0), which other threads and programs
 * may be writing.
 */
struct pcf_counter pcf_rows_sum(const struct pcf_counter *rows,
				unsigned int nrows, __u32 ctr);

/* A backend writing through maps (which must outlive the table). */
void pcf_rule_maps_backend(struct pcf_rule_maps *maps,
			   struct pcf_table_backend *ret);

#endif /* PCF_RULE_MAPS_H */
