/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stamp.h - the latency stamp bench/gen writes into the test frame's UDP
 * payload (gen -T) and bench/sink.bpf.c reads on the far side: the
 * sending time, bpf_ktime_get_ns() (CLOCK_MONOTONIC, the same clock on
 * both sides: one machine), then a magic word, as 32-bit words at a
 * 4-byte-aligned offset of the 64-byte frame.  Nothing of pcf's pipeline
 * (NAT, TTL, MACs) touches these bytes.  Usable from BPF and user space.
 */
#ifndef PCF_BENCH_STAMP_H
#define PCF_BENCH_STAMP_H

#include <linux/types.h>

#define BENCH_STAMP_OFF	  44	     /* Ethernet 14 + IPv4 20 + UDP 8, + 2 */
#define BENCH_STAMP_MAGIC 0x70636674 /* "pcft" */

/* __u32 words at BENCH_STAMP_OFF: ns low, ns high, magic */
#define BENCH_STAMP_LEN 12

/*
 * The sink's latency histogram, log-linear (as HdrHistogram): latencies
 * in units of 2^BENCH_HIST_SHIFT ns; below 2^(SUB+1) units a bucket per
 * unit, above it 2^SUB buckets per power of two (within 1/1024 of the
 * value), up to 2^BENCH_HIST_TOP units (34 s); the last bucket takes
 * everything above.  A tail of seconds under a host's steal is a figure,
 * not "more than the range".
 */
#define BENCH_HIST_SHIFT 10
#define BENCH_HIST_SUB	 10
#define BENCH_HIST_TOP	 25
#define BENCH_HIST_BUCKETS \
	((BENCH_HIST_TOP - BENCH_HIST_SUB + 1) << BENCH_HIST_SUB)

/* the position of v's highest bit set, from 1 (0 for 0); a bounded loop,
 * unrolled for BPF */
static inline __u32 bench_fls64(__u64 v)
{
	__u32 n = 0, s;

	for (s = 32; s; s >>= 1) {
		if (v >> s) {
			n += s;
			v >>= s;
		}
	}
	return n + (__u32)v;
}

/* The bucket of a latency of ns: v units fall in [m << e, (m + 1) << e) */
static inline __u32 bench_hist_bucket(__u64 ns)
{
	__u64 v = ns >> BENCH_HIST_SHIFT;
	__u32 e;

	if (v < 2ULL << BENCH_HIST_SUB)
		return v;
	if (v >> BENCH_HIST_TOP)
		return BENCH_HIST_BUCKETS - 1;
	e = bench_fls64(v) - (BENCH_HIST_SUB + 1);
	return (e << BENCH_HIST_SUB) + (__u32)(v >> e);
}

/* The upper edge of bucket b, in units: its latencies are below that */
static inline __u64 bench_hist_edge(__u32 b)
{
	__u32 e = (b >> BENCH_HIST_SUB) - 1;

	if (b < 2U << BENCH_HIST_SUB)
		return b + 1;
	return (__u64)(b - (e << BENCH_HIST_SUB) + 1) << e;
}

#endif /* PCF_BENCH_STAMP_H */
