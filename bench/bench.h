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
#include <stddef.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "pcf_csum.h"

#define BENCH_FRAME_LEN 64
/*
 * VXLAN (issue 13), -V VNI: the frame goes inside a VXLAN frame (outer
 * Ethernet, IPv4 198.18.0.11 -> 198.18.0.12, UDP 50000 -> 4789, VXLAN),
 * its inner IPv4 header with DF set: 50 bytes more.
 */
#define BENCH_VXLAN_HDRS 50
#define BENCH_FRAME_MAX	 (BENCH_FRAME_LEN + BENCH_VXLAN_HDRS)

struct bench_frame {
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;
	__u8 payload[BENCH_FRAME_LEN - sizeof(struct ethhdr) -
		     sizeof(struct iphdr) - sizeof(struct udphdr)];
} __attribute__((packed));

/* The same 64 bytes with IPv6 (2 bytes of payload). */
struct bench_frame6 {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	struct udphdr udp;
	__u8 payload[BENCH_FRAME_LEN - sizeof(struct ethhdr) -
		     sizeof(struct ipv6hdr) - sizeof(struct udphdr)];
} __attribute__((packed));

_Static_assert(sizeof(struct bench_frame) == BENCH_FRAME_LEN &&
		   sizeof(struct bench_frame6) == BENCH_FRAME_LEN,
	       "the frame is 64 bytes");

struct bench_tuple {
	int family; /* 4, or 6 once an IPv6 address was given */
	unsigned int v4_addrs, v6_addrs; /* given: 1 src, 2 dst */
	struct in_addr src, dst;
	struct in6_addr src6, dst6;
	__u16 sport, dport; /* flow 0's */
	__u32 flows;
	/* the frame's destination MAC: a receiving XDP program never
	 * checks it, the receiver's kernel does */
	__u8 dst_mac[ETH_ALEN];
	int vni; /* -1: a plain frame; else a VXLAN frame with this VNI */
};

/*
 * The options -s SRC -d DST -S SPORT -D DPORT -f FLOWS -M DST_MAC; getopt
 * string.
 */
#define BENCH_TUPLE_OPTS "s:d:S:D:f:M:V:"
#define BENCH_TUPLE_USAGE                                                 \
	"[-s SRC] [-d DST] [-S SPORT] [-D DPORT] [-f FLOWS] [-M DST_MAC] "  \
	"[-V VNI]"

static inline void bench_tuple_default(struct bench_tuple *t)
{
	static const __u8 dst_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 2 };

	inet_pton(AF_INET, "198.18.0.1", &t->src);
	inet_pton(AF_INET, "198.18.0.2", &t->dst);
	t->family = 4;
	t->sport = 9;
	t->dport = 9;
	t->flows = 1;
	t->vni = -1;
	memcpy(t->dst_mac, dst_mac, ETH_ALEN);
}

/* Handle one getopt option c of BENCH_TUPLE_OPTS; -1: not valid. */
static inline int bench_tuple_opt(struct bench_tuple *t, int c, const char *arg)
{
	switch (c) {
	case 's':
	case 'd':
		if (inet_pton(AF_INET, arg, c == 's' ? &t->src : &t->dst) == 1) {
			t->v4_addrs |= c == 's' ? 1 : 2;
			return 0;
		}
		if (inet_pton(AF_INET6, arg, c == 's' ? &t->src6 : &t->dst6) != 1)
			return -1;
		t->v6_addrs |= c == 's' ? 1 : 2;
		t->family = 6;
		return 0;
	case 'S':
		t->sport = atoi(arg);
		return 0;
	case 'D':
		t->dport = atoi(arg);
		return 0;
	case 'f':
		t->flows = strtoul(arg, NULL, 0);
		return 0;
	case 'V':
		t->vni = strtoul(arg, NULL, 0) & 0xffffff;
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
	/* IPv6: both addresses, and no IPv4 one */
	if (t->family == 6 && (t->v6_addrs != 3 || t->v4_addrs))
		return 0;
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

static inline void bench_frame_build6(struct bench_frame6 *f,
				      const struct bench_tuple *t)
{
	f->eth.h_proto = htons(ETH_P_IPV6);
	f->ip6.version = 6;
	f->ip6.payload_len = htons(sizeof(f->udp) + sizeof(f->payload));
	f->ip6.nexthdr = IPPROTO_UDP;
	f->ip6.hop_limit = 64;
	f->ip6.saddr = t->src6;
	f->ip6.daddr = t->dst6;
	f->udp.source = htons(t->sport);
	f->udp.dest = htons(t->dport);
	f->udp.len = f->ip6.payload_len;
	/* UDP checksum 0: not valid for IPv6, but no receiver here checks */
}

/* The frame's length: BENCH_FRAME_LEN, or in a VXLAN frame more. */
static inline unsigned int bench_frame_len(const struct bench_tuple *t)
{
	return BENCH_FRAME_LEN + (t->vni >= 0 ? BENCH_VXLAN_HDRS : 0);
}

static void bench_frame_build(void *f, const struct bench_tuple *t);

/* VXLAN (issue 13): f becomes the frame of t inside a VXLAN frame. */
static inline void bench_vxlan_wrap(__u8 *f, const struct bench_tuple *t)
{
	struct bench_tuple outer = *t;
	struct bench_frame *o = (void *)f, *in;
	__u8 *vx = f + sizeof(*o) - sizeof(o->payload);

	outer.vni = -1;
	outer.family = 4;
	inet_pton(AF_INET, "198.18.0.11", &outer.src);
	inet_pton(AF_INET, "198.18.0.12", &outer.dst);
	outer.sport = 50000;
	outer.dport = 4789;
	bench_frame_build(f, &outer); /* the outer headers: the first 42 */
	bench_frame_build(f + BENCH_VXLAN_HDRS, &(struct bench_tuple){
							 .family = t->family,
							 .src = t->src,
							 .dst = t->dst,
							 .src6 = t->src6,
							 .dst6 = t->dst6,
							 .sport = t->sport,
							 .dport = t->dport,
							 .vni = -1 });
	in = (void *)(f + BENCH_VXLAN_HDRS);
	if (t->family == 4) {
		in->ip.frag_off = htons(0x4000); /* DF, as mirrored flows */
		in->ip.check = 0;
		in->ip.check = bench_ip_checksum(&in->ip, sizeof(in->ip));
	}
	o->ip.tot_len = htons(bench_frame_len(t) - sizeof(o->eth));
	o->ip.check = 0;
	o->ip.check = bench_ip_checksum(&o->ip, sizeof(o->ip));
	o->udp.len = htons(bench_frame_len(t) - sizeof(o->eth) - sizeof(o->ip));
	memset(vx, 0, 8);
	vx[0] = 0x08; /* I: the VNI is valid */
	vx[4] = t->vni >> 16;
	vx[5] = t->vni >> 8;
	vx[6] = t->vni;
}

/*
 * The frame of flow 0 into f (bench_frame_len(t) bytes), IPv4 or IPv6,
 * plain or in a VXLAN frame.
 */
static inline void bench_frame_build(void *f, const struct bench_tuple *t)
{
	/* locally administered */
	static const __u8 src_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 1 };
	struct bench_frame *f4 = f;

	if (t->vni >= 0) {
		bench_vxlan_wrap(f, t);
		return;
	}
	memset(f, 0, BENCH_FRAME_LEN);
	memcpy(f4->eth.h_source, src_mac, ETH_ALEN);
	memcpy(f4->eth.h_dest, t->dst_mac, ETH_ALEN);
	if (t->family == 6) {
		bench_frame_build6(f, t);
		return;
	}
	f4->eth.h_proto = htons(ETH_P_IP);
	f4->ip.version = 4;
	f4->ip.ihl = 5;
	f4->ip.ttl = 64;
	f4->ip.protocol = IPPROTO_UDP;
	f4->ip.tot_len = htons(BENCH_FRAME_LEN - sizeof(f4->eth));
	f4->ip.saddr = t->src.s_addr;
	f4->ip.daddr = t->dst.s_addr;
	f4->ip.check = bench_ip_checksum(&f4->ip, sizeof(f4->ip));
	f4->udp.source = htons(t->sport);
	f4->udp.dest = htons(t->dport);
	f4->udp.len = htons(BENCH_FRAME_LEN - sizeof(f4->eth) - sizeof(f4->ip));
	/* UDP checksum 0: none, allowed for IPv4 */
}

/* Where the (inner) UDP header starts in the frame. */
static inline unsigned int bench_udp_off(const struct bench_tuple *t)
{
	return (t->vni >= 0 ? BENCH_VXLAN_HDRS : 0) +
	       (t->family == 6 ? offsetof(struct bench_frame6, udp)
			       : offsetof(struct bench_frame, udp));
}

static inline int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

#endif /* PCF_BENCH_H */
