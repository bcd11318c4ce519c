/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bench.h - what the benchmark programs gen (live traffic) and cost
 * (program cost) share: the test frame, one 64-byte Ethernet + IPv4 + UDP
 * frame (without FCS), the options that choose its 5-tuple and the number
 * of flows, CPU pinning.
 *
 * Flows: with -f N the frames belong to N flows, flow i (0 <= i < N)
 * having source port SPORT + i and the rest of the 5-tuple unchanged; gen
 * sends them in turn, flow 0, 1, ..., N - 1, 0, ...  N above the 4096
 * entries of pcf's per-CPU flow cache makes nearly every packet miss it,
 * so the classifier's search runs for each.
 */
#ifndef PCF_BENCH_H
#define PCF_BENCH_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "pcf_csum.h"

#define BENCH_FRAME_LEN 64

struct bench_frame {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	__u8 payload[BENCH_FRAME_LEN - sizeof(struct ethhdr) -
		     sizeof(struct iphdr) - sizeof(struct udphdr)];
} __attribute__((packed));

_Static_assert(sizeof(struct bench_frame) == BENCH_FRAME_LEN,
	       "the frame is 64 bytes");

struct bench_tuple {
	struct in_addr src, dst;
	__u16 sport, dport; /* flow 0's */
	__u32 flows;
	/* the frame's destination MAC: a receiving XDP program never
	 * checks it, the receiver's kernel does */
	__u8 dst_mac[ETH_ALEN];
};

/*
 * The options -s SRC -d DST -S SPORT -D DPORT -f FLOWS -M DST_MAC; getopt
 * string.
 */
#define BENCH_TUPLE_OPTS "s:d:S:D:f:M:"
#define BENCH_TUPLE_USAGE                                                 \
	"[-s SRC] [-d DST] [-S SPORT] [-D DPORT] [-f FLOWS] [-M DST_MAC]"

static inline void bench_tuple_default(struct bench_tuple *t)
{
	static const __u8 dst_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 2 };

	inet_pton(AF_INET, "198.18.0.1", &t->src);
	inet_pton(AF_INET, "198.18.0.2", &t->dst);
	t->sport = 9;
	t->dport = 9;
	t->flows = 1;
	memcpy(t->dst_mac, dst_mac, ETH_ALEN);
}

/* Handle one getopt option c of BENCH_TUPLE_OPTS; -1: not valid. */
static inline int bench_tuple_opt(struct bench_tuple *t, int c, const char *arg)
{
	switch (c) {
	case 's':
		return inet_pton(AF_INET, arg, &t->src) == 1 ? 0 : -1;
	case 'd':
		return inet_pton(AF_INET, arg, &t->dst) == 1 ? 0 : -1;
	case 'S':
		t->sport = atoi(arg);
		return 0;
	case 'D':
		t->dport = atoi(arg);
		return 0;
	case 'f':
		t->flows = strtoul(arg, NULL, 0);
		return 0;
	case 'M':
		return sscanf(arg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
			      &t->dst_mac[0], &t->dst_mac[1], &t->dst_mac[2],
			      &t->dst_mac[3], &t->dst_mac[4],
			      &t->dst_mac[5]) == ETH_ALEN ?
			       0 :
			       -1;
	default:
		return -1;
	}
}

/* After the options: every flow's source port must exist. */
static inline int bench_tuple_valid(const struct bench_tuple *t)
{
	return t->flows >= 1 && t->sport + t->flows - 1 <= 65535;
}

/* The source port of flow i, in network byte order. */
static inline __be16 bench_flow_sport(const struct bench_tuple *t, __u32 i)
{
	return htons(t->sport + i % t->flows);
}

static inline __u16 bench_ip_checksum(const void *hdr, size_t len)
{
	const __u16 *w = hdr;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	return (__u16)~pcf_csum_fold(sum);
}

static inline void bench_frame_build(struct bench_frame *f,
				     const struct bench_tuple *t)
{
	/* locally administered */
	static const __u8 src_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 1 };

	memset(f, 0, sizeof(*f));
	memcpy(f->eth.h_source, src_mac, ETH_ALEN);
	memcpy(f->eth.h_dest, t->dst_mac, ETH_ALEN);
	f->eth.h_proto = htons(ETH_P_IP);
	f->ip.version = 4;
	f->ip.ihl = 5;
	f->ip.ttl = 64;
	f->ip.protocol = IPPROTO_UDP;
	f->ip.tot_len = htons(BENCH_FRAME_LEN - sizeof(f->eth));
	f->ip.saddr = t->src.s_addr;
	f->ip.daddr = t->dst.s_addr;
	f->ip.check = bench_ip_checksum(&f->ip, sizeof(f->ip));
	f->udp.source = htons(t->sport);
	f->udp.dest = htons(t->dport);
	f->udp.len = htons(BENCH_FRAME_LEN - sizeof(f->eth) - sizeof(f->ip));
	/* UDP checksum 0: none, allowed for IPv4 */
}

static inline int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

#endif /* PCF_BENCH_H */
