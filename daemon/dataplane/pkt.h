/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pkt.h - a packet as the pipeline's stages (nat.c, rewrite.c) see it:
 * its headers' offsets, already checked against its length, and
 * unaligned access to its fields.
 */
#ifndef PCF_PKT_H
#define PCF_PKT_H

#include <string.h>
#include <linux/types.h>

/* A packet whose L3/L4 offsets have been checked against its length. */
struct pcf_pkt_ref {
	__u8 *data; /* Ethernet header */
	__u32 len;
	__u16 l3_off;
	__u16 l4_off; /* 0: no L4 header to touch (fragment, other proto) */
	__u8 family;  /* 4 or 6 */
	__u8 proto;
};

/* Packet fields need not be aligned: access them through memcpy. */
static inline __u16 pcf_get16(const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void pcf_put16(__u8 *p, __u16 v)
{
	memcpy(p, &v, sizeof(v));
}

#endif /* PCF_PKT_H */
