// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * steer_maps.h - the maps more than one part of pcf_steer reads (the
 * rules, the table's state, the counters, the configuration, the
 * sockets), and the counters' helpers.  Part of the one compilation unit
 * pcf_steer.bpf.c: included there and by its other parts, never elsewhere;
 * a map one part alone reads is defined in that part.
 */
#ifndef PCF_STEER_MAPS_H
#define PCF_STEER_MAPS_H

#include "parse.h"

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcf_table_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_state SEC(".maps"); /* generation and current mask list */

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
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, PCF_XSKMAP_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pcf_xskmap SEC(".maps");

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
