// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_maps.h - pcf_steer's maps that more than one of its parts reads
 * (the rules, their search structures and flow caches, the counters, the
 * sockets), and the counters' helpers.  Part of the one compilation unit
 * pcf_steer.bpf.c: included there and by its other parts, never elsewhere.
 */
#ifndef PCF_STEER_MAPS_H
#define PCF_STEER_MAPS_H

#include "parse.h"

/* a stack key (or the pcf_pkt holding one) that cached4_is() or
 * cached6_is() reads in 64-bit words */
#define PCF_KEY_ALIGNED __attribute__((aligned(8)))

/* one load, as pcfd stores the field (atomically) */
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_RULE_SLOTS);
	__type(key, __u32);
	__type(value, struct pcf_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_rules SEC(".maps");

/*
 * The hash maps are not preallocated: an element replaced or deleted is
 * freed after an RCU grace period, never reused under a reader.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, struct pcf_lookup_key);
	__type(value, struct pcf_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_flows SEC(".maps"); /* IPv6 packets */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_MAX_RULES);
	__type(key, struct pcf_key4);
	__type(value, struct pcf_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_flows4 SEC(".maps"); /* IPv4 packets */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MAX_MASKS * PCF_FILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_filter SEC(".maps"); /* in front of pcf_flows4 and pcf_flows */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_table_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_state SEC(".maps"); /* generation and current mask list */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MASK_BUFS);
	__type(key, __u32);
	__type(value, struct pcf_mask_table);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_masks SEC(".maps");

/* Named sets (pcf_abi.h, "Named sets"): which sets hold an address. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_SET_TRIE_ENTRIES);
	__type(key, struct pcf_set_key4);
	__type(value, struct pcf_set_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_sets4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PCF_SET_TRIE_ENTRIES);
	__type(key, struct pcf_set_key6);
	__type(value, struct pcf_set_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_sets6 SEC(".maps");

/* user space's alone: what each set is, for a restarted pcfd */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCF_MAX_SETS);
	__type(key, __u32);
	__type(value, struct pcf_set_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_set_info SEC(".maps");

/*
 * Not pinned: a program's own caches, tied to the rules by pcf_state.gen.
 * Per CPU, but not per-CPU arrays: one array holds every CPU's sets in a
 * slice of its own (the loader sizes it by the possible CPUs), so a
 * packet reads its set without first reading the set's per-CPU pointer,
 * a cache line more for each packet of many flows.  Mmapable: the sets
 * start on a page, each on cache lines of its own.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << PCF_CACHE4_SET_BITS); /* x CPUs: the loader */
	__type(key, __u32);
	__type(value, struct pcf_cache_set4);
} pcf_flow_cache4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << PCF_CACHE6_SET_BITS); /* x CPUs: the loader */
	__type(key, __u32);
	__type(value, struct pcf_cache_set6);
} pcf_flow_cache6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCF_STAT_MAX);
	__type(key, __u32);
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_RULE_SLOTS); /* a row per CPU: pcfd sizes it */
	__type(key, __u32); /* PCF_RULE_STAT(cpu, pcf_rule.ctr) */
	__type(value, struct pcf_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCF_MAX_IFACES);
	__type(key, __u32); /* ifindex */
	__type(value, struct pcf_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, PCF_XSKMAP_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_xskmap SEC(".maps");

/* Worker heartbeats, indexed like pcf_xskmap (pcf_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PCF_XSKMAP_SIZE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_heartbeat SEC(".maps");

static __always_inline void count(__u32 slot, __u64 bytes)
{
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_stats, &slot);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_rule(__u32 ctr, __u64 bytes)
{
	__u32 idx = PCF_RULE_STAT(bpf_get_smp_processor_id(), ctr);
	struct pcf_counter *c = bpf_map_lookup_elem(&pcf_rule_stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline __u32 default_verdict(void)
{
	__u32 zero = 0;
	struct pcf_config *cfg = bpf_map_lookup_elem(&pcf_config, &zero);

	/* only PASS and DROP make sense without a matched rule */
	if (cfg && cfg->default_verdict == PCF_VERDICT_DROP)
		return PCF_VERDICT_DROP;
	return PCF_VERDICT_PASS;
}

#endif /* PCF_STEER_MAPS_H */
