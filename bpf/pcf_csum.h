/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pcf_csum.h - incremental Internet checksum updates (RFC 1624, eqn. 3:
 * HC' = ~(~HC + ~m + m')), shared by the XDP programs and the workers.
 *
 * All values are 16-bit words exactly as they sit in the packet: the
 * one's complement sum does not care about byte order as long as every
 * operand has the same one.
 */
#ifndef PCF_CSUM_H
#define PCF_CSUM_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif

static __always_inline __u16 pcf_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Checksum after one 16-bit word of the covered data changed. */
static __always_inline __u16 pcf_csum_replace16(__u16 check, __u16 old,
						__u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32)new;

	return (__u16)~pcf_csum_fold(sum);
}

/* Checksum after a 32-bit field (an IPv4 address) changed. */
static __always_inline __u16 pcf_csum_replace32(__u16 check, __u32 old,
						__u32 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~(old & 0xffff) + (__u16)~(old >> 16);
	sum += (new & 0xffff) + (new >> 16);
	return (__u16)~pcf_csum_fold(sum);
}

/*
 * Checksum after n 16-bit words changed (an IPv6 address: n = 8).  The
 * words are read through __u16 pointers, so callers pass 2-byte aligned
 * copies; n is a constant in every caller, so BPF sees a bounded loop.
 */
static __always_inline __u16 pcf_csum_replace_words(__u16 check,
						    const __u16 *old,
						    const __u16 *new,
						    unsigned int n)
{
	__u32 sum = (__u16)~check;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += (__u16)~old[i] + (__u32)new[i];
	return (__u16)~pcf_csum_fold(sum);
}

/*
 * VXLAN (issue 13): a rewrite of an inner packet changes words the outer
 * UDP checksum covers.  Its changes are summed as they are made
 * (pcf_csum_delta16, each word's old and new value), then applied at
 * once.  A UDP checksum of 0 means none (IPv4) and stays 0; a result of
 * 0 is sent as 0xffff (RFC 768).
 */
static __always_inline void pcf_csum_delta16(__u32 *delta, __u16 old,
					     __u16 new)
{
	*delta += (__u16)~old + (__u32)new;
}

static __always_inline __u16 pcf_csum_udp_apply(__u16 check, __u32 delta)
{
	__u32 sum;

	if (!check)
		return 0;
	sum = (__u16)~check + (delta & 0xffff) + (delta >> 16);
	check = (__u16)~pcf_csum_fold(sum);
	return check ? check : 0xffff;
}

#endif /* PCF_CSUM_H */
