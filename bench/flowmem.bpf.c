// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flowmem - the memory floor of a per-flow program: XDP_DROP after adding
 * the frame to its flow's counter, in a table of cache lines of which a
 * hash of the frame's UDP ports picks one (gen's flows differ in their
 * source port).  Nothing else: no parse beyond the ports (gen's frames,
 * IPv4 or IPv6 without options), no key compared.
 *
 * IPv4 frames use the first 2^13 lines.  With 16 384 flows that is one
 * line read and written per packet, at random among 7 080 distinct lines
 * (442 KiB).  Any classifier with an exact rule and a counter for each of
 * those flows touches at least as much: their keys and counters alone,
 * packed tight, take 464 KiB (13 and 16 bytes each); pcf's flow cache
 * spans 608 KiB of lines for them, its rule counters 256 KiB more.
 *
 * IPv6 frames use all 2^15 lines: 16 384 flows land on 12 900 distinct
 * lines (806 KiB), as much as their keys (37 bytes: addresses, ports,
 * protocol) and counters take packed tight, 848 KiB.
 *
 * So this program's rate against the ceiling bounds what the many-flow
 * cases of either family can reach on the machine (bench/run.sh, cases
 * flowmem-many and flowmem6-many).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define FLOWMEM4_LINE_BITS 13
#define FLOWMEM6_LINE_BITS 15

struct flowmem_line {
	__u64 packets;
	__u64 bytes;
	__u64 pad[6]; /* a line each */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << FLOWMEM6_LINE_BITS);
	__type(key, __u32);
	__type(value, struct flowmem_line);
} flowmem_lines SEC(".maps");

/* MurmurHash3's 64-bit finaliser: gen's consecutive ports land on lines
 * no stride prefetcher can follow */
static __always_inline __u64 mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

SEC("xdp")
int bench_flowmem(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct flowmem_line *l;
	__u32 *ports, idx, bits = FLOWMEM4_LINE_BITS;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	/* the UDP header of gen's frames (bench.h) */
	ports = data + 34;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ports = data + 54;
		bits = FLOWMEM6_LINE_BITS;
	}
	if ((void *)(ports + 1) > data_end)
		return XDP_DROP;
	idx = mix(*ports) >> (64 - bits);
	l = bpf_map_lookup_elem(&flowmem_lines, &idx);
	if (l) {
		l->packets++;
		l->bytes += data_end - data;
	}
	return XDP_DROP;
}
