// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * gen - the benchmark's packet generator, run by bpf_prog_test_run_opts
 * with BPF_F_TEST_XDP_LIVE_FRAMES: every frame of the test run is
 * redirected into a veth, whose peer then receives it (bench_gen).  And
 * the same frames for bench/cost, without a veth (bench_flows).
 *
 * Each frame gets the source port of the next of `flows` flows (bench.h),
 * from a per-CPU counter.  The port is written, never added to: live
 * frames reuse their pages and a repeated test run reuses its buffer, so a
 * frame may start with what an earlier run left in it.  The UDP checksum
 * stays 0 (none), the IPv4 header does not change.  With one flow the same
 * work writes the same port, so every case pays the same generator.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* set before load */
const volatile __u32 target_ifindex;
const volatile __u16 first_sport; /* flow 0's, host byte order */
const volatile __u32 flows = 1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} next_flow SEC(".maps");

/* bench_flows hands each frame on to entry 0: the program under test */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} under_test SEC(".maps");

/* Give the frame the next flow's source port; false: not our frame. */
static __always_inline int set_next_flow(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct udphdr *udp =
	    data + sizeof(struct ethhdr) + sizeof(struct iphdr);
	__u32 zero = 0, *next;

	next = bpf_map_lookup_elem(&next_flow, &zero);
	if (!next || (void *)(udp + 1) > data_end)
		return 0;
	udp->source = bpf_htons(first_sport + *next);
	if (++*next >= flows)
		*next = 0;
	return 1;
}

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	if (!set_next_flow(ctx))
		return XDP_ABORTED;
	return bpf_redirect(target_ifindex, 0);
}

SEC("xdp")
int bench_flows(struct xdp_md *ctx)
{
	if (set_next_flow(ctx))
		bpf_tail_call(ctx, &under_test, 0);
	return XDP_ABORTED;
}
