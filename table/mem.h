/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mem.h - the rule table's backend in memory: the same slots, hash
 * entries, filter, mask buffers and generation the BPF maps hold, and a
 * classifier that searches them as pcf_steer does.  For tests of the
 * table without root, and for trying a change on a copy before doing it
 * (pcfd's rules file).
 */
#ifndef PCF_TABLE_MEM_H
#define PCF_TABLE_MEM_H

#include "table.h"
#include "sets.h"

struct pcf_mem;

int pcf_mem_new(struct pcf_mem **ret_mem);
void pcf_mem_free(struct pcf_mem *m);

/* The backend for pcf_table_new(). */
void pcf_mem_backend(struct pcf_mem *m, struct pcf_table_backend *ret);

/*
 * Copy the used slots of slots (PCF_RULE_SLOTS of them, e.g. another
 * table's) into m, so that pcf_table_load() on m adopts the same rules,
 * ids and counter indexes.
 */
void pcf_mem_seed(struct pcf_mem *m, const struct pcf_rule *slots);

/*
 * A copy of table t in memory, to try changes on: the same rules, ids
 * and counter indexes.  Free with pcf_table_free, then pcf_mem_free.
 */
int pcf_mem_clone(const struct pcf_table *t, struct pcf_mem **ret_mem,
		  struct pcf_table **ret_table);

/*
 * Grace periods end at once unless manual; manual ones end when the test
 * says (pcf_mem_grace_end) or when the table waits for one, after
 * on_wait(arg) ran.
 */
void pcf_mem_set_manual_grace(struct pcf_mem *m, void (*on_wait)(void *arg),
			      void *arg);
/* End every grace period started so far. */
void pcf_mem_grace_end(struct pcf_mem *m);
/* Grace periods started so far. */
__u64 pcf_mem_graces_started(const struct pcf_mem *m);

/*
 * Call fn(arg) after every write the table makes through the backend, and
 * after it starts a grace period.
 */
void pcf_mem_observe(struct pcf_mem *m, void (*fn)(void *arg), void *arg);

/*
 * The slot of the rule pcf_steer would pick for a packet with key pkt
 * (ifindex, addresses, ports, proto and family set as pcf_steer's parser
 * sets them), -1 if none: as pcf_steer, through the flow cache of its
 * family (one CPU's), searching the current mask list on a miss.  PCF_MEM_ENTRY_WRONG:
 * the winning hash entry's verdict or counter index is not its rule's.
 */
#define PCF_MEM_ENTRY_WRONG (-2)
int pcf_mem_classify(struct pcf_mem *m, const struct pcf_key *pkt);
/*
 * VXLAN (issue 13): the same for a VXLAN frame whose outer headers give
 * outer and whose inner packet inner (tun set, NULL: none parsed).  A
 * pkt with tun set, to pcf_mem_classify, is the inner packet of a frame
 * whose outer headers no rule matches.
 */
int pcf_mem_classify_encap(struct pcf_mem *m, const struct pcf_key *outer,
			   const struct pcf_key *inner);

/*
 * The nth write the table makes from now on (1: the next) fails with err,
 * as a map update the kernel refuses would; 0 turns it off.  Pending: it
 * has not happened yet.
 */
void pcf_mem_fail_write(struct pcf_mem *m, unsigned int nth, int err);
bool pcf_mem_fault_pending(const struct pcf_mem *m);

/* The backend's view of a slot, and the table generation. */
const struct pcf_rule *pcf_mem_slot(const struct pcf_mem *m, __u32 slot);
__u64 pcf_mem_gen(const struct pcf_mem *m);
/* Count a packet on counter index ctr; read it (packets). */
void pcf_mem_count(struct pcf_mem *m, __u32 ctr);
__u64 pcf_mem_counter(const struct pcf_mem *m, __u32 ctr);
/* Hash entries held (IPv4 map, IPv6 map); filter bits set (both). */
void pcf_mem_entries(const struct pcf_mem *m, __u32 *ret4, __u32 *ret6);
__u32 pcf_mem_filter_bits(const struct pcf_mem *m);

/*
 * Named sets: the tries pcf_sets4 and pcf_sets6 and the array
 * pcf_set_info in memory (pcf_sets_new(pcf_mem_set_ops(), m, ...)), and
 * their longest-prefix lookup as pcf_steer does it.  The same fault
 * injection and observer as the table's writes.
 */
const struct pcf_set_ops *pcf_mem_set_ops(void);
size_t pcf_mem_set_nodes(const struct pcf_mem *m);
void pcf_mem_set_lookup(const struct pcf_mem *m, __u8 family, const __u8 *addr,
			__u64 *bits);
const struct pcf_set_info *pcf_mem_set_infos(const struct pcf_mem *m);
int pcf_mem_set_each(const struct pcf_mem *m,
		     int (*cb)(const struct pcf_set_elem *e,
			       const struct pcf_set_val *v, void *arg),
		     void *arg);

#endif /* PCF_TABLE_MEM_H */
