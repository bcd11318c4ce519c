// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_csum - the incremental checksum updates of pcf_csum.h against a full
 * RFC 1071 recomputation, over random IPv4 headers (with options): a TTL
 * change, a DF clear, any 16-bit word, a 32-bit address, and the corner
 * where the checksum is or becomes 0x0000.  VXLAN (issue 13): an outer
 * UDP checksum kept by the sum of the inner header's changes
 * (pcf_csum_delta16, pcf_csum_udp_apply) against a full recomputation of
 * the frame's, 0 (none) staying 0.
 *
 * The seed is printed; PCF_TEST_SEED=N repeats a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "pcf_csum.h"
#include "../bpf/frame.h"

#define ROUNDS 20000

static unsigned int seed;

static __u32 rnd32(void)
{
	return (__u32)rand() << 16 ^ (__u32)rand();
}

/* A random but valid IPv4 header (ihl 5..15) with a correct checksum. */
static size_t random_header(__u8 *buf)
{
	struct iphdr *iph = (struct iphdr *)buf;
	size_t len, i;

	for (i = 0; i < 60; i++)
		buf[i] = rand();
	iph->version = 4;
	iph->ihl = 5 + rand() % 11;
	len = iph->ihl * 4;
	iph->check = ipv4_csum(iph);
	return len;
}

static void assert_valid(const __u8 *buf, size_t len)
{
	const struct iphdr *iph = (const void *)buf;

	/* the incremental result equals the full one... */
	assert_int_equal(ntohs(iph->check), ntohs(ipv4_csum(iph)));
	/* ...and the header, checksum included, sums to all ones */
	assert_int_equal(csum_full(buf, len), 0);
}

static void test_ttl_change(void **state)
{
	__u8 buf[60];
	int n;

	for (n = 0; n < ROUNDS; n++) {
		size_t len = random_header(buf);
		struct iphdr *iph = (struct iphdr *)buf;
		__u16 old = *(__u16 *)&iph->ttl, new;

		iph->ttl = rand();
		new = *(__u16 *)&iph->ttl;
		iph->check = pcf_csum_replace16(iph->check, old, new);
		assert_valid(buf, len);
	}
}

static void test_df_clear(void **state)
{
	__u8 buf[60];
	int n;

	for (n = 0; n < ROUNDS; n++) {
		struct iphdr *iph = (struct iphdr *)buf;
		size_t len;
		__u16 old;

		random_header(buf);
		iph->frag_off |= htons(0x4000);
		len = iph->ihl * 4;
		iph->check = ipv4_csum(iph);

		old = iph->frag_off;
		iph->frag_off &= ~htons(0x4000);
		iph->check = pcf_csum_replace16(iph->check, old, iph->frag_off);
		assert_valid(buf, len);
		assert_int_equal(ntohs(iph->frag_off) & 0x4000, 0);
	}
}

/* Any aligned 16-bit word of the header, options included. */
static void test_any_word(void **state)
{
	__u8 buf[60];
	int n;

	for (n = 0; n < ROUNDS; n++) {
		size_t len = random_header(buf);
		struct iphdr *iph = (struct iphdr *)buf;
		size_t w = 1 + rand() % (len / 2 - 1); /* word 0 holds ihl */
		__u16 *word = (__u16 *)buf + w, old = *word;

		if (w == offsetof(struct iphdr, check) / 2)
			continue; /* the checksum itself is not covered data */
		*word = rand();
		iph->check = pcf_csum_replace16(iph->check, old, *word);
		assert_valid(buf, len);
	}
}

static void test_addr_change(void **state)
{
	__u8 buf[60];
	int n;

	for (n = 0; n < ROUNDS; n++) {
		size_t len = random_header(buf);
		struct iphdr *iph = (struct iphdr *)buf;
		__u32 old_s = iph->saddr, old_d = iph->daddr;

		iph->saddr = rnd32();
		iph->check = pcf_csum_replace32(iph->check, old_s, iph->saddr);
		assert_valid(buf, len);
		iph->daddr = rnd32();
		iph->check = pcf_csum_replace32(iph->check, old_d, iph->daddr);
		assert_valid(buf, len);
	}
}

/* Fixed words that exercise the carries of the fold. */
static void test_extreme_words(void **state)
{
	static const __u16 words[] = { 0x0000, 0x0001, 0x7fff,
				       0x8000, 0xfffe, 0xffff };
	static const __u32 addrs[] = { 0x00000000, 0xffffffff, 0x0000ffff,
				       0xffff0000, 0x00010001, 0xfffefffe };
	__u8 buf[60];
	size_t i, j, len;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		for (j = 0; j < sizeof(words) / sizeof(words[0]); j++) {
			struct iphdr *iph = (struct iphdr *)buf;

			len = random_header(buf);
			iph->id = words[i];
			iph->check = ipv4_csum(iph);
			iph->id = words[j];
			iph->check =
			    pcf_csum_replace16(iph->check, words[i], words[j]);
			assert_valid(buf, len);
		}
	}
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		for (j = 0; j < sizeof(addrs) / sizeof(addrs[0]); j++) {
			struct iphdr *iph = (struct iphdr *)buf;

			len = random_header(buf);
			iph->saddr = addrs[i];
			iph->check = ipv4_csum(iph);
			iph->saddr = addrs[j];
			iph->check =
			    pcf_csum_replace32(iph->check, addrs[i], addrs[j]);
			assert_valid(buf, len);
		}
	}
}

/* One's complement add, for steering a header's sum. */
static __u16 ones_add(__u16 a, __u16 b)
{
	__u32 s = (__u32)a + b;

	return (__u16)((s & 0xffff) + (s >> 16));
}

/*
 * A header whose checksum is 0x0000 (its other words sum to 0xffff):
 * changing the TTL away from it and back must give 0x0000 again, never
 * the other zero 0xffff.
 */
static void test_zero_checksum(void **state)
{
	__u8 buf[60];
	int n;

	for (n = 0; n < ROUNDS / 10; n++) {
		struct iphdr *iph = (struct iphdr *)buf;
		__u16 sum, ttl_word, other;
		size_t len;

		len = random_header(buf);
		iph->check = 0;
		sum = ~ntohs(csum_full(buf, len)); /* folded sum, host order */
		iph->id = htons(ones_add(ntohs(iph->id), (__u16)~sum));
		assert_int_equal(ipv4_csum(iph), 0);
		iph->check = 0;
		assert_valid(buf, len);

		ttl_word = *(__u16 *)&iph->ttl;
		iph->ttl ^= 1 + rand() % 255;
		other = *(__u16 *)&iph->ttl;
		iph->check = pcf_csum_replace16(iph->check, ttl_word, other);
		assert_valid(buf, len);
		*(__u16 *)&iph->ttl = ttl_word;
		iph->check = pcf_csum_replace16(iph->check, other, ttl_word);
		assert_valid(buf, len);
		assert_int_equal(iph->check, 0);
	}
}

/* The reference itself, on the example header of RFC 1071 style tests. */
static void test_reference(void **state)
{
	/* a well-known header: 45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01
	 * c0 a8 00 c7 */
	static const __u8 hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
				      0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
				      0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	assert_int_equal(ntohs(ipv4_csum((const struct iphdr *)hdr)), 0xb861);
	assert_int_equal(csum_full(hdr, sizeof(hdr)), 0);
	/* odd length: the last byte is padded with a zero */
	assert_int_equal(ntohs(csum_full("\x01", 1)), 0xfeff);
}

/*
 * VXLAN (issue 13): random VXLAN frames (outer and inner IPv4 or IPv6, a
 * random payload), a few 16-bit words of the inner frame changed at even
 * offsets from the UDP header (as any header inside it is), their old and
 * new values summed; the outer checksum updated from the sum must be the
 * one computed over the changed frame.
 */
static void test_udp_delta(void **state)
{
	static const char *const addr4[] = { "198.18.0.1", "198.19.255.254" };
	static const char *const addr6[] = { "2001:db8::1",
					     "2001:db8:ffff::2" };
	struct frame f, in, want;
	int n, k, changes;

	for (n = 0; n < ROUNDS; n++) {
		int ofam = rand() % 2 ? 4 : 6, ifam = rand() % 2 ? 4 : 6;
		struct frame_spec o = { .family = ofam },
				  i = { .family = ifam };
		__u32 delta = 0;
		size_t ulen, off;
		__u16 *w, old;

		o.src = ofam == 4 ? addr4[0] : addr6[0];
		o.dst = ofam == 4 ? addr4[1] : addr6[1];
		o.sport = rand();
		i.src = ifam == 4 ? addr4[rand() % 2] : addr6[rand() % 2];
		i.dst = ifam == 4 ? addr4[rand() % 2] : addr6[rand() % 2];
		i.proto = IPPROTO_UDP;
		i.ttl = 1 + rand() % 255;
		i.df = rand() % 2;
		i.payload = rand() % 64;
		frame_build(&in, &i);
		for (k = in.l4 + 8; (size_t)k < in.len; k++)
			in.data[k] = rand();
		frame_vxlan(&f, &o, rnd32() & 0xffffff, &in, true);
		ulen = f.len - f.l4;
		changes = 1 + rand() % 4;
		for (k = 0; k < changes; k++) {
			/* a word of the inner frame: 16 bytes after the UDP
			 * header's start, an even offset from it */
			off = 16 + 2 * (rand() % ((ulen - 16) / 2));
			w = (__u16 *)(f.data + f.l4 + off);
			old = *w;
			*w = rand() % 8 ? (__u16)rnd32() : (__u16)~old;
			pcf_csum_delta16(&delta, old, *w);
		}
		want = f;
		frame_udp_csum(&want, ofam);
		((struct udphdr *)(f.data + f.l4))->check = pcf_csum_udp_apply(
		    ((struct udphdr *)(f.data + f.l4))->check, delta);
		if (((struct udphdr *)(f.data + f.l4))->check !=
		    ((struct udphdr *)(want.data + want.l4))->check)
			fail_msg(
			    "round %d: outer UDP checksum 0x%04x, the full "
			    "one 0x%04x (seed %u)",
			    n, ntohs(((struct udphdr *)(f.data + f.l4))->check),
			    ntohs(((struct udphdr *)(want.data + want.l4))
				      ->check),
			    seed);
	}
	/* none stays none */
	assert_int_equal(pcf_csum_udp_apply(0, 0x12345), 0);
	/* a result of 0 goes out as 0xffff (RFC 768): ~(~0xffff + 0xffff) */
	assert_int_equal(pcf_csum_udp_apply(0xffff, 0xffff), 0xffff);
	/* no change, no change */
	assert_int_equal(pcf_csum_udp_apply(htons(0x1234), 0), htons(0x1234));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_ttl_change),
		cmocka_unit_test(test_df_clear),
		cmocka_unit_test(test_any_word),
		cmocka_unit_test(test_addr_change),
		cmocka_unit_test(test_extreme_words),
		cmocka_unit_test(test_zero_checksum),
		cmocka_unit_test(test_udp_delta),
	};
	const char *env = getenv("PCF_TEST_SEED");

	seed = env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	printf("seed %u (PCF_TEST_SEED=%u repeats this run)\n", seed, seed);
	srand(seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
