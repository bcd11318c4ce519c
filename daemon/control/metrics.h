/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * metrics.h - what GET /metrics says, in the Prometheus text format
 * (prom.h), made a part at a time so that a scrape of 16 384 rules never
 * holds pcfd's main loop for long nor holds the whole text in memory.
 *
 * Counters end in _total, bytes and seconds are the units; every counter
 * here keeps counting across a pcfd restart that adopts the pinned state:
 * XDP's and the rules' live in pinned maps, the workers' are totals kept
 * in one (wtotals.h); but for the session table's totals, which pcfd
 * counts from its start (process_start_time_seconds marks the reset).
 * A rule's series goes with the rule (a deleted rule's id is not given
 * again).  process_start_time_seconds says when
 * this pcfd started, for what does restart with it (the links' counters
 * are the kernel's, the gauges).
 *
 * The families (labels in braces):
 *   pcf_build_info{version}                        gauge, 1
 *   process_start_time_seconds                     gauge
 *   pcf_rules, pcf_rules_max, pcf_masks, pcf_masks_max, pcf_workers  gauges
 *   pcf_default_verdict{verdict}                   gauge, 1
 *   pcf_xdp_packets_total, _bytes_total{verdict}   pass, drop, redirect
 *   pcf_xdp_reason_packets_total, _bytes_total{reason}  miss, malformed, ...
 *   pcf_return_packets_total, _bytes_total{outcome}  pcf_return's
 *   pcf_worker_info{ifname,queue,cpu,bind_mode}    gauge, 1
 *   pcf_worker_{rx,tx}_{packets,bytes}_total{ifname,queue}
 *   pcf_worker_drops_total{ifname,queue,reason}
 *   pcf_worker_returned_packets_total{ifname,queue,reason}
 *   pcf_worker_mirror_packets_total, pcf_worker_l4_csum_sampled_total,
 *   pcf_worker_bad_l4_csum_total{ifname,queue}
 *   pcf_worker_xsk_STAT_total{ifname,queue,socket}  the kernel's
 *                                       XDP_STATISTICS; socket: steered, return
 *   pcf_worker_heartbeat_age_seconds{ifname,queue} gauge
 *   pcf_link_{rx,tx}_{packets,dropped}_total{ifname}, pcf_link_mtu_bytes
 *   pcf_sessions, pcf_sessions_max                 gauges, with a session table
 *   pcf_sessions_{created,expired,evicted,deleted,refused,ports_exhausted,
 *     races_lost,untracked}_total                  pcfd's: from its start
 *   pcf_xdp_session_packets_total{event}           pcf_steer's, pinned
 *   pcf_rule_packets_total, pcf_rule_bytes_total{rule}   XDP's, per rule id
 *
 * Per rule only what pcf_steer matched: two series a rule (32 768 for a
 * full table) is what a Prometheus of many nodes can keep, and the scrape
 * stays cheap for the node.  What the workers' pipelines ran of a rule
 * is in GET /flows (worker_packets, worker_bytes), and in total per
 * worker here.
 */
#ifndef PCF_METRICS_H
#define PCF_METRICS_H

#include <stdbool.h>

#include "textbuf.h"

struct pcf_ctl;
struct pcf_dp;
struct pcf_wtotals;

/* Where the numbers come from. */
struct pcf_metrics_src {
	struct pcf_dp *dp;
	struct pcf_ctl *ctl;	    /* the workers and links it reports */
	struct pcf_wtotals *totals; /* NULL: the workers' own counters */
	double start_time;	    /* process_start_time_seconds */
};

struct pcf_metrics;

/*
 * A scrape begins: the rules and their counters are read now (one pass
 * over the table, the counter map in batches), the rest part by part.
 */
int pcf_metrics_begin(const struct pcf_metrics_src *src,
		      struct pcf_metrics **ret);
/*
 * Append the next part (a few dozen KiB at most, but for the workers'
 * section of a pcfd with hundreds of workers) to b.  1 when it was the
 * last, 0 when more follow, -errno.
 */
int pcf_metrics_next(struct pcf_metrics *m, struct textbuf *b);
void pcf_metrics_end(struct pcf_metrics *m);

#endif /* PCF_METRICS_H */
