/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_maps.h - the session table (table/ct.h) on pcf_steer's pinned maps:
 * the hash pcf_ct, the filter pcf_ct_filter in front of it (mmapped: a
 * key is counted there, and in the total pcf_ct_live, before it goes in
 * and uncounted after it went out, with atomic adds, as pcf_steer does),
 * pcf_steer's session
 * counters pcf_ct_stats, the port pools of ct snat (their bitmaps
 * pcf_ct_ports mmapped, their numbers in pcf_ct_pools, marked again from
 * the pinned sessions at start), and the masquerade addresses pcf_steer
 * reads (pcf_ct_ifaddrs).
 *
 * The workers call the backend's ops from their threads (a syscall per
 * entry made: per new connection pcf_steer leaves to them, never per
 * packet); the main thread
 * walks the table in batches (bpf_map_lookup_batch) to reap, list and
 * delete sessions.
 */
#ifndef PCF_CT_MAPS_H
#define PCF_CT_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ct.h"

/* The maps' fds (they stay the caller's). */
struct pcf_ct_fds {
	int ct, filter, live, stats;
	int ports, pools, ifaddrs; /* -1: none (pools in pcfd's memory) */
};

struct pcf_ct_maps {
	int ct_fd, stats_fd, pools_fd, ifaddrs_fd;
	__u64 *filter; /* mmapped; __atomic only */
	size_t filter_len;
	__u64 *live; /* mmapped pcf_ct_live: the entries counted */
	size_t live_len;
	__u64 *ports; /* mmapped pcf_ct_ports, or NULL */
	size_t ports_len;
	__u32 filter_mask;
	__u32 sessions; /* capacity: pcf_ct holds twice as many entries */
	int ncpus;
	struct pcf_ct_pools *pools;
	struct pcf_ct_table table; /* ct.h's operations on these maps */
};

/*
 * The backend on the maps: the filter and the ports are mmapped, sessions
 * is the capacity pcf_ct was made with.
 */
int pcf_ct_maps_open(struct pcf_ct_maps *m, const struct pcf_ct_fds *fds,
		     __u32 sessions, int ncpus);
void pcf_ct_maps_close(struct pcf_ct_maps *m);

/* pcf_steer's session counters, summed over CPUs: PCF_CT_X_MAX. */
int pcf_ct_maps_read_xstats(const struct pcf_ct_maps *m,
			    struct pcf_counter *ret);

/* Where a walk of the table is (whole hash buckets at a time). */
struct pcf_ct_walk {
	__u64 token; /* the kernel's batch cursor */
	bool started;
	bool done; /* the last batch was returned */
};

/*
 * The next entries of w into keys and vals (room for max, at least 64):
 * *ret_n of them; w->done once the last ones came.  A walk sees every
 * entry that was there all along once; one made or unmade meanwhile,
 * maybe.  0 or -errno.
 */
int pcf_ct_maps_walk(const struct pcf_ct_maps *m, struct pcf_ct_walk *w,
		     struct pcf_ct_key *keys, struct pcf_ct_entry *vals,
		     __u32 max, __u32 *ret_n);

/*
 * The port pools as the sessions in the table have them (a restarted
 * pcfd, before its workers start): the pools pcf_ct_pools names keep
 * their numbers, every bitmap is cleared and the ports of the sessions
 * marked.  Returns the sessions seen, or -errno.
 */
int pcf_ct_maps_adopt_ports(struct pcf_ct_maps *m);

struct pcf_ct_addrs;
/* Tell pcf_steer the masquerade addresses a (pcf_ct_ifaddrs as a). */
int pcf_ct_maps_set_addrs(struct pcf_ct_maps *m, const struct pcf_ct_addrs *a);

#endif /* PCF_CT_MAPS_H */
