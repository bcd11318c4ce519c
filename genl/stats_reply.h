/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats_reply.h - reading a STATS_GET reply: its counter, worker and link
 * nests, and the whole reply as the JSON object `pcfctl -j stats` prints
 * and pcfd's HTTP API answers GET /stats with (both build it here from
 * the same reply, so the two cannot differ).
 */
#ifndef PCF_STATS_REPLY_H
#define PCF_STATS_REPLY_H

#include <stdbool.h>
#include <json-c/json.h>

#include "pcf_genl.h"

/* One counter nest (PCF_A_STATS_COUNTER, PCF_A_WORKER_COUNTER). */
struct pcf_stats_counter {
	const char *name;
	__u32 kind; /* enum pcf_counter_kind */
	struct pcf_counter c;
};

/* One worker's nest. */
struct pcf_stats_worker {
	const char *ifname;
	__u32 queue, bind_mode;
	int cpu;
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes, heartbeat, mirrors;
	__u64 csum_sampled, csum_bad;
	const struct nlattr *nest; /* for its drop counters */
	/* nests of its sockets' kernel counters, or NULL */
	const struct nlattr *sock, *ret_sock;
};

/* One interface's nest. */
struct pcf_stats_link {
	const char *ifname;
	__u64 v[PCF_A_LINK_MAX + 1]; /* the u64s, by attribute type */
	__u32 mtu;
};

bool pcf_stats_read_counter(const struct nlattr *nest,
			    struct pcf_stats_counter *ret);
bool pcf_stats_read_worker(const struct nlattr *nest,
			   struct pcf_stats_worker *ret);
bool pcf_stats_read_link(const struct nlattr *nest, struct pcf_stats_link *ret);
/* The u64 attributes of a nest of set, by attribute type (0: absent). */
bool pcf_stats_read_u64s(const struct nlattr *nest,
			 const struct pcf_attr_set *set, __u64 *ret);
/* A protocol name as a JSON key: "rx-ring-full" -> "rx_ring_full". */
const char *pcf_stats_key(const char *name, char *buf, size_t len);

#define pcf_stats_for_each_worker(a, tb) \
	if ((tb)[PCF_A_STATS_WORKERS])   \
		mnl_attr_for_each_nested(a, (tb)[PCF_A_STATS_WORKERS])

#define pcf_stats_for_each_link(a, tb) \
	if ((tb)[PCF_A_STATS_LINKS])   \
		mnl_attr_for_each_nested(a, (tb)[PCF_A_STATS_LINKS])

/*
 * The reply's attributes (tb: PCF_A_MAX + 1) as one object {"xdp": {NAME:
 * {"packets", "bytes"}}, "workers": [{"ifname", "queue", "cpu",
 * "bind_mode", "rx_packets", ..., "heartbeat", "socket": {...},
 * "return_socket": {...}, "drops": {REASON: packets}, "returned": {REASON:
 * packets}}], "links": [{"ifname", "mtu", "rx_packets", ...}], "sessions":
 * {"capacity", "active", ...}}.
 */
json_object *pcf_stats_json(const struct nlattr *const *tb);

#endif /* PCF_STATS_REPLY_H */
