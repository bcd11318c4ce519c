/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * grace.h - grace periods for the rule table (see table/table.h): when one
 * ends, no steering program still runs with what it read before it began,
 * and no worker still holds a packet such a program classified.
 *
 * The first half is the kernel's RCU grace period: XDP programs run
 * inside RCU read-side sections, and an update of a map-in-map waits for
 * one (synchronize_rcu) before it returns.  A thread of its own makes
 * such updates while anyone waits, so callers never block on it unless
 * they ask to.  The second half: every worker has taken from its rx ring
 * the packets that were in it when the first half ended (a worker
 * releases its ring entries only after it ran them through the pipeline).
 */
#ifndef PCF_GRACE_H
#define PCF_GRACE_H

#include <stdbool.h>
#include <linux/types.h>

struct pcf_grace;

/* Who may still hold packets: the workers' rx rings. */
struct pcf_grace_readers {
	unsigned int (*count)(void *ctx);
	/* the producer index of each ring, now */
	void (*mark)(void *ctx, __u32 *ret_marks);
	/* has each ring's consumer reached its mark? */
	bool (*passed)(void *ctx, const __u32 *marks);
	void *ctx;
};

int pcf_grace_new(struct pcf_grace **ret_grace);
void pcf_grace_free(struct pcf_grace *g);

/* The readers to wait for (NULL: none, e.g. the workers stopped). */
int pcf_grace_set_readers(struct pcf_grace *g,
			  const struct pcf_grace_readers *r);

/* A grace period that starts now: its ticket. */
__u64 pcf_grace_start(struct pcf_grace *g);
/* Has the grace period of ticket ended?  Never blocks. */
bool pcf_grace_done(struct pcf_grace *g, __u64 ticket);
/* Wait for it to end; -ETIMEDOUT if it did not within seconds. */
int pcf_grace_wait(struct pcf_grace *g, __u64 ticket);

#endif /* PCF_GRACE_H */
