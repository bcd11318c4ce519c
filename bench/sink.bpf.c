// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sink - the far end of the forwarding benchmark: drops every frame (the
 * veth's rx counters count them), and for frames bench/gen stamped
 * (stamp.h) adds now - stamp to a per-CPU latency histogram that
 * bench/sink reads.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "stamp.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} bench_hist SEC(".maps");

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 *w = data + BENCH_STAMP_OFF, bucket;
	__u64 sent, *n;

	if ((void *)w + BENCH_STAMP_LEN > data_end || w[2] != BENCH_STAMP_MAGIC)
		return XDP_DROP;
	sent = (__u64)w[1] << 32 | w[0];
	bucket = bench_hist_bucket(bpf_ktime_get_ns() - sent);
	n = bpf_map_lookup_elem(&bench_hist, &bucket);
	if (n)
		(*n)++;
	return XDP_DROP;
}
