/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pkt_csum.h - test helpers on top of tests/bpf/frame.h: the full L4
 * checksum with its pseudo-header (RFC 768/793/4443), to fill a frame
 * with correct checksums and to verify one after an incremental update,
 * and the pcf_meta the steering program would write for a frame.
 */
#ifndef PCF_TEST_PKT_CSUM_H
#define PCF_TEST_PKT_CSUM_H

#include "../bpf/frame.h"
#include "pcf_abi.h"

static inline size_t l4_csum_off(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	default: /* ICMP, ICMPv6 */
		return 2;
	}
}

/*
 * Full checksum of the L4 segment at f->l4 (to the end of the frame) with
 * the pseudo-header, the stored checksum included: a valid segment gives 0.
 */
static inline __u16 l4_sum(const struct frame *f, int family, __u8 proto)
{
	__u8 buf[FRAME_MAX + 40];
	size_t seg = f->len - f->l4, n = 0;

	if (family == 4) {
		const struct iphdr *iph = (const void *)(f->data + f->l3);

		if (proto != IPPROTO_ICMP) {
			memcpy(buf, &iph->saddr, 8);
			buf[8] = 0;
			buf[9] = proto;
			put_be16(&buf[10], seg);
			n = 12;
		}
	} else {
		const struct ipv6hdr *ip6h = (const void *)(f->data + f->l3);

		memcpy(buf, &ip6h->saddr, 32);
		memset(&buf[32], 0, 8);
		put_be16(&buf[34], seg);
		buf[39] = proto;
		n = 40;
	}
	memcpy(buf + n, f->data + f->l4, seg);
	return csum_full(buf, n + seg);
}

/* Give the frame a correct L4 checksum. */
static inline void l4_csum_fill(struct frame *f, int family, __u8 proto)
{
	__u8 *c = f->data + f->l4 + l4_csum_off(proto);

	memset(c, 0, 2);
	memcpy(c, &(__u16){ l4_sum(f, family, proto) }, 2);
	if (proto == IPPROTO_UDP && !c[0] && !c[1])
		memset(c, 0xff, 2);
}

static inline __u16 l4_csum_get(const struct frame *f, __u8 proto)
{
	__u16 v;

	memcpy(&v, f->data + f->l4 + l4_csum_off(proto), 2);
	return v;
}

/* The metadata pcf_steer hands over for this frame. */
static inline struct pcf_meta meta_for(const struct frame *f, int family,
				       __u8 proto, bool has_l4)
{
	struct pcf_meta m = {
		.l3_off = f->l3,
		.l4_off = has_l4 ? f->l4 : 0,
		.family = family,
		.proto = proto,
		.magic = PCF_META_MAGIC,
	};

	return m;
}

#endif /* PCF_TEST_PKT_CSUM_H */
