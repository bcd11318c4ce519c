/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * wtotals.h - the AF_XDP workers' counters as totals that never go back:
 * what /metrics shows (metrics.c).
 *
 * A worker's own counters (and its sockets' XDP_STATISTICS) start from 0
 * whenever the workers start: with pcfd, and when pcfd restarts them for
 * an interface that came or went.  The rules' counters and XDP's survive
 * in pinned maps; so that the workers' do too, each worker (interface
 * name, queue) has a total in a pinned hash map, pcf_wtotals, beside the
 * data plane's maps: what the workers before counted (its base, folded in
 * as they stop) plus what the running one counted.  The total is written
 * to the map before it is shown, so a pcfd that dies (kill -9) and
 * starts again shows at least what it showed: never less.  What a worker
 * counts between a last read and its end without a fold (kill -9) is
 * lost; what the workers drain as they stop is too (a handful of
 * packets).  pcfd --unload removes the map.
 */
#ifndef PCF_WTOTALS_H
#define PCF_WTOTALS_H

#include <net/if.h>
#include <linux/types.h>

#include "pcf_genl.h" /* PCF_A_XSK_MAX */

struct pcf_worker_info;

#define PCF_WTOTALS_PIN	   "pcf_wtotals"
#define PCF_WTOTAL_REASONS 24 /* pcf_worker_stats.drops[] */

/* One worker's totals (the pinned value: change it, and its size). */
struct pcf_wtotal {
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	__u64 mirrors, csum_sampled, csum_bad;
	__u64 drops[PCF_WTOTAL_REASONS], returned[PCF_WTOTAL_REASONS];
	/* the kernel's counters of its sockets, by PCF_A_XSK_* */
	__u64 sock[PCF_A_XSK_MAX + 1], ret_sock[PCF_A_XSK_MAX + 1];
};

struct pcf_wtotals;

/*
 * Adopt PIN_DIR/pcf_wtotals (a map of another layout is made anew, its
 * counts lost), or make and pin it.
 */
int pcf_wtotals_open(const char *pin_dir, struct pcf_wtotals **ret);
void pcf_wtotals_close(struct pcf_wtotals *t);
/* Remove the pin (pcfd --unload); 0 when there was none. */
int pcf_wtotals_unpin(const char *pin_dir);

/*
 * The totals of the running worker in: its base plus its counters,
 * written to the pinned map before they come back.  t NULL: its counters.
 */
int pcf_wtotals_read(struct pcf_wtotals *t, const struct pcf_worker_info *in,
		     struct pcf_wtotal *ret);
/* The worker in stops (or restarts): its counters join its base. */
void pcf_wtotals_fold(struct pcf_wtotals *t, const struct pcf_worker_info *in);

#endif /* PCF_WTOTALS_H */
