// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * src_count - on the far end of a test: count the IPv4 UDP packets to one
 * destination port by their source address (and TTL), then drop them.
 * Everything else passes (ARP, neighbour discovery).  Read by
 * tests/tools/src-count.c.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u16 dport = 9; /* host order */

struct src_key {
	__u32 addr;
	__u32 ttl;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct src_key);
	__type(value, __u64);
} src_counts SEC(".maps");

SEC("xdp")
int src_count(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);
	struct src_key k = {};
	__u64 one = 1, *n;

	if ((void *)(uh + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 ||
	    iph->protocol != IPPROTO_UDP || uh->dest != bpf_htons(dport))
		return XDP_PASS;
	k.addr = iph->saddr;
	k.ttl = iph->ttl;
	n = bpf_map_lookup_elem(&src_counts, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&src_counts, &k, &one, BPF_NOEXIST);
	return XDP_DROP;
}
