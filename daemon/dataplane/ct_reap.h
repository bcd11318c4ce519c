/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_reap.h - pcfd's main thread and the session table: expired sessions
 * reclaimed a slice at a time (at most a budget of entries looked at per
 * tick, so the loop never stalls on a big table), the sessions pcf made
 * and unmade told to whoever listens, the oldest idle sessions evicted
 * when the table refused a connection and the operator asked for that
 * (--sessions-full evict-oldest), and the totals `pcfctl stats` shows.
 *
 * A sweep walks the whole table, tick after tick, then starts again.  An
 * original entry is looked at with its reply entry (one lookup): expired
 * (ct.h's timeouts, from the later of the two last packets), it goes with
 * its reply entry and its port.  A reply entry whose original is missing
 * (a pcfd that died between the two inserts or deletes) goes once it is
 * idle ORPHAN_NS.  A session is announced as new by the sweep after the
 * one during which it was made: once, within two sweeps.
 */
#ifndef PCF_CT_REAP_H
#define PCF_CT_REAP_H

#include <stdbool.h>
#include <linux/types.h>

#include "ct.h"
#include "ct_maps.h"

#define PCF_CT_REAP_BATCH 256 /* entries a walk step returns at most */
#define PCF_CT_EVICT_MAX  64  /* sessions evicted per tick at most */
#define PCF_CT_ORPHAN_NS  (10ULL * 1000000000)

/* What to do when the table is full. */
enum pcf_ct_full {
	PCF_CT_FULL_REFUSE = 0, /* refuse new connections (counted) */
	PCF_CT_FULL_EVICT,	/* evict the longest idle sessions */
	PCF_CT_FULL_MAX,
};

const char *pcf_ct_full_name(enum pcf_ct_full f);
int pcf_ct_full_parse(const char *s); /* -EINVAL */

/* A session as the reaper, the control server and events see it. */
struct pcf_ct_session {
	struct pcf_ct_key key; /* its original tuple */
	struct pcf_ct_entry orig;
	struct pcf_ct_entry reply; /* zero if its entry was not found */
	bool has_reply;
};

/* The session table's totals, as pcfctl stats shows them. */
struct pcf_ct_totals {
	__u64 capacity, active, created, expired, evicted, deleted;
	__u64 refused, ports_exhausted, race_lost, untracked;
};

/* A session made (created) or unmade (not), for events. */
typedef void (*pcf_ct_event_fn)(void *ctx, bool created,
				const struct pcf_ct_session *s);

struct pcf_ct_reaper {
	struct pcf_ct_maps *m;
	struct pcf_ct_timeouts timeouts;
	enum pcf_ct_full full;
	pcf_ct_event_fn on_event; /* NULL: none */
	void *ctx;

	struct pcf_ct_walk walk;
	__u64 sweep_start, prev_sweep_start;
	__u64 counting; /* sessions seen in this sweep so far */
	__u64 active;	/* sessions seen in the last whole sweep */
	__u64 sweeps;
	__u64 expired, evicted, orphans;
	/* the longest idle sessions of this sweep, and of the last one
	 * (what an eviction takes) */
	struct pcf_ct_session cand[PCF_CT_EVICT_MAX], oldest[PCF_CT_EVICT_MAX];
	unsigned int ncand, noldest;
	__u64 refused_seen; /* refusals at the last look */
};

void pcf_ct_reaper_init(struct pcf_ct_reaper *r, struct pcf_ct_maps *m,
			__u64 now);

/*
 * One tick at now (CLOCK_MONOTONIC_COARSE ns): at most budget entries of
 * the table looked at.  refused: the connections refused for a full
 * table so far (all counters summed): more than at the last tick makes
 * room with evict-oldest.  Returns the entries looked at, or -errno.
 */
int pcf_ct_reap(struct pcf_ct_reaper *r, __u64 now, unsigned int budget,
		__u64 refused);

/* Is the sweep at its end (the next tick starts a new one)? */
bool pcf_ct_reap_idle(const struct pcf_ct_reaper *r);
/*
 * Has a sweep announced s (its "new" event) already?  Not if it was made
 * since the last sweep began, or before that while a sweep is still
 * under way (then maybe: a sweep that passed it did).  Whoever unmakes a
 * session not announced announces it first: every "destroy" follows
 * its "new".
 */
bool pcf_ct_reap_announced(const struct pcf_ct_reaper *r,
			   const struct pcf_ct_session *s);

/*
 * The session of an original entry (k, e): its reply entry looked up.
 * false when e is a reply entry (its original is looked at instead).
 */
bool pcf_ct_session_of(const struct pcf_ct_maps *m, const struct pcf_ct_key *k,
		       const struct pcf_ct_entry *e,
		       struct pcf_ct_session *ret);

/* Its state and seconds left before it expires, at now. */
enum pcf_ct_state pcf_ct_session_state(const struct pcf_ct_session *s);
__u32 pcf_ct_session_timeout(const struct pcf_ct_session *s,
			     const struct pcf_ct_timeouts *t, __u64 now);

#endif /* PCF_CT_REAP_H */
