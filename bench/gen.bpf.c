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
 * With `stamp` set, bench_gen also writes the sending time into the
 * payload (stamp.h) for bench/sink.bpf.c's latency histogram.  With
 * `interval_ns` set it paces the frames itself: bursts of `burst` frames
 * (the test run's batch, handed to the veth together), one burst every
 * burst * interval_ns.  A test run's syscall costs milliseconds, so pacing
 * in user space would mean bursts of thousands of frames; single frames
 * cost CPU 0 microseconds each (a flush and a wake-up of the receiver).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "stamp.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* set before load */
const volatile __u32 target_ifindex;
const volatile __u16 first_sport; /* flow 0's, host byte order */
const volatile __u32 flows = 1;
const volatile __u32 udp_off = 34; /* IPv4's; IPv6: 54 (bench.h) */
/*
 * With `restore` set, bench_gen first writes the frame's headers back
 * (Ethernet, IPv4 or IPv6, UDP: the first RESTORE_LEN bytes): a frame the
 * kernel forwarded comes back to the test run with its MACs and TTL
 * rewritten in place, and would then be another host's.
 */
#define RESTORE_LEN 120 /* at least BENCH_FRAME_MAX (bench.h) */
const volatile __u8 restore;
const volatile __u32 restore_words = 8; /* whole words of the frame */
const volatile __u64 headers[RESTORE_LEN / 8];
const volatile __u8 stamp; /* 0: bench_gen writes no time stamp */
const volatile __u64 interval_ns; /* 0: as fast as it goes */
const volatile __u32 burst = 1;	  /* frames per paced burst */

struct pacing {
	__u64 due; /* when the next burst is */
	__u32 n;   /* frames so far */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pacing);
} pacing SEC(".maps");

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
	struct udphdr *udp = data + udp_off;
	__u32 zero = 0, *next;

	next = bpf_map_lookup_elem(&next_flow, &zero);
	if (!next || (void *)(udp + 1) > data_end)
		return 0;
	udp->source = bpf_htons(first_sport + *next);
	if (++*next >= flows)
		*next = 0;
	return 1;
}

static long due_reached(__u64 i, void *due)
{
	return bpf_ktime_get_ns() >= *(__u64 *)due;
}

/*
 * The first frame of a burst waits (spins) until the burst is due.  Behind
 * by more than four bursts' time (the machine was busy), the schedule
 * starts over from now rather than catching up at full speed: the rate
 * then comes out lower, which gen's caller sees in the frames received.
 */
static __always_inline void pace(void)
{
	__u64 due, now, period = burst * interval_ns;
	struct pacing *p;
	__u32 zero = 0;

	p = bpf_map_lookup_elem(&pacing, &zero);
	if (!p || p->n++ % burst)
		return;
	now = bpf_ktime_get_ns();
	due = p->due;
	if (now > due + 4 * period)
		due = now;
	else if (now < due)
		bpf_loop(1 << 23, due_reached, &due, 0);
	p->due = due + period;
}

static __always_inline int write_stamp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 *w = data + BENCH_STAMP_OFF;
	__u64 now;

	if ((void *)w + BENCH_STAMP_LEN > data_end)
		return 0;
	now = bpf_ktime_get_ns();
	w[0] = (__u32)now;
	w[1] = now >> 32;
	w[2] = BENCH_STAMP_MAGIC;
	return 1;
}

static __always_inline int restore_headers(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;

	__u64 *w = data;
	__u32 i;

	/* word by word: a memcpy would fold the const array's zeros */
	for (i = 0; i < RESTORE_LEN / 8; i++) {
		if (i >= restore_words)
			break;
		if ((void *)(w + i + 1) > data_end)
			return 0;
		w[i] = headers[i];
	}
	return 1;
}

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	if (restore && !restore_headers(ctx))
		return XDP_ABORTED;
	if (!set_next_flow(ctx))
		return XDP_ABORTED;
	if (interval_ns)
		pace();
	if (stamp && !write_stamp(ctx))
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
