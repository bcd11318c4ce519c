// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * drop - the benchmark's ceiling: the cheapest XDP program there is.
 * Packets are counted by the veth's own rx counters, as for every case.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}
