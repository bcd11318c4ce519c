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

#define BENCH_STAMP_OFF	  44 /* Ethernet 14 + IPv4 20 + UDP 8, + 2 */
#define BENCH_STAMP_MAGIC 0x70636674 /* "pcft" */

/* __u32 words at BENCH_STAMP_OFF: ns low, ns high, magic */
#define BENCH_STAMP_LEN 12

/* the sink's latency histogram: buckets of 2^SHIFT ns, the last one
 * takes everything above */
#define BENCH_HIST_SHIFT   10
#define BENCH_HIST_BUCKETS 16384

#endif /* PCF_BENCH_STAMP_H */
