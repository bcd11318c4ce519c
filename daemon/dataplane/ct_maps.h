/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_maps.h - the session table (table/ct.h) on pcf_steer's pinned maps:
 * the hash pcf_ct, the filter pcf_ct_filter in front of it (mmapped: a
 * key is counted there before it goes in and uncounted after it went
 * out, with atomic adds, as pcf_steer does for pass ct), pcf_steer's
 * session counters pcf_ct_stats, and the port pools of ct snat (in
 * pcfd's memory, marked again from the pinned sessions at start).
 *
 * The workers call the backend's ops from their threads (a syscall per
 * entry made: per new connection, never per packet); the main thread
 * walks the table in batches (bpf_map_lookup_batch) to reap, list and
 * delete sessions.
 */
#ifndef PCF_CT_MAPS_H
#define PCF_CT_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "ct.h"

struct pcf_ct_maps {
	int ct_fd, stats_fd;
	__u64 *filter; /* mmapped; __atomic only */
	size_t filter_len;
	__u32 filter_mask;
	__u32 sessions; /* capacity: pcf_ct holds twice as many entries */
	int ncpus;
	struct pcf_ct_pools *pools;
	struct pcf_ct_table table; /* ct.h's operations on these maps */
};

/*
 * The backend on the maps (fds stay the caller's): filter_fd is mmapped,
 * sessions the capacity pcf_ct was made with.
 */
int pcf_ct_maps_open(struct pcf_ct_maps *m, int ct_fd, int filter_fd,
		     int stats_fd, __u32 sessions, int ncpus);
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
 * Mark the ports of every session in the table as taken (a restarted
 * pcfd, before its workers start); returns the sessions seen, or -errno.
 */
int pcf_ct_maps_adopt_ports(struct pcf_ct_maps *m);

#endif /* PCF_CT_MAPS_H */
