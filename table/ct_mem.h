/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_mem.h - the session table's backend in memory (struct pcf_ct_ops of
 * ct.h), as the kernel's hash map behaves for it: BPF_NOEXIST inserts,
 * a capacity (-ENOSPC beyond), safe for several threads at once (one
 * mutex).  For tests, without root.
 */
#ifndef PCF_CT_MEM_H
#define PCF_CT_MEM_H

#include "ct.h"

struct pcf_ct_mem;

int pcf_ct_mem_new(unsigned int capacity, struct pcf_ct_mem **ret);
void pcf_ct_mem_free(struct pcf_ct_mem *m);
/* A table on m, with pools (which the caller owns). */
void pcf_ct_mem_table(struct pcf_ct_mem *m, struct pcf_ct_pools *pools,
		      struct pcf_ct_table *ret);
/* Entries in m now. */
unsigned int pcf_ct_mem_count(struct pcf_ct_mem *m);
/* Call cb for each entry (under the lock: cb must not call m). */
void pcf_ct_mem_each(struct pcf_ct_mem *m,
		     void (*cb)(const struct pcf_ct_key *k,
				const struct pcf_ct_entry *e, void *arg),
		     void *arg);

#endif /* PCF_CT_MEM_H */
