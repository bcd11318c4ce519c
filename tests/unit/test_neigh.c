// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_neigh - explicit egress (issue 13): what pcf_neigh_parse makes of
 * rtnetlink neighbour messages: an address pcf_steer may use only in the
 * kernel's usable states and with a MAC address, a deletion otherwise,
 * and nothing from another message, family or a malformed one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <cmocka.h>

#include "neigh.h"

static const __u8 MAC[6] = { 2, 0, 0, 0, 0, 0x42 };

static struct nlmsghdr *msg(char *buf, __u16 type, int family, __u16 state,
			    const char *dst, bool lladdr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	__u8 addr[16];

	nlh->nlmsg_type = type;
	nd->ndm_family = family;
	nd->ndm_ifindex = 7;
	nd->ndm_state = state;
	if (dst) {
		inet_pton(family, dst, addr);
		mnl_attr_put(nlh, NDA_DST, family == AF_INET ? 4 : 16, addr);
	}
	if (lladdr)
		mnl_attr_put(nlh, NDA_LLADDR, 6, MAC);
	return nlh;
}

static void test_usable(void **state)
{
	static const __u16 usable[] = {
		NUD_REACHABLE, NUD_STALE,     NUD_DELAY,
		NUD_PROBE,     NUD_PERMANENT, NUD_NOARP
	};
	char buf[512];
	struct pcf_neigh_key k;
	__u8 mac[6];
	unsigned int i;

	for (i = 0; i < sizeof(usable) / sizeof(usable[0]); i++) {
		memset(mac, 0, sizeof(mac));
		assert_int_equal(
		    pcf_neigh_parse(msg(buf, RTM_NEWNEIGH, AF_INET, usable[i],
					"198.18.2.1", true),
				    &k, mac),
		    1);
		assert_int_equal(k.ifindex, 7);
		assert_int_equal(k.family, 4);
		assert_memory_equal(k.addr, "\xc6\x12\x02\x01", 4);
		assert_memory_equal(k.addr + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
		assert_memory_equal(mac, MAC, 6);
	}
	assert_int_equal(
	    pcf_neigh_parse(msg(buf, RTM_NEWNEIGH, AF_INET6, NUD_REACHABLE,
				"2001:db8:2::1", true),
			    &k, mac),
	    1);
	assert_int_equal(k.family, 6);
}

/* Not usable: the entry goes (0), its key said. */
static void test_gone(void **state)
{
	static const __u16 unusable[] = { NUD_INCOMPLETE, NUD_FAILED,
					  NUD_NONE };
	struct pcf_neigh_key k;
	char buf[512];
	__u8 mac[6];
	unsigned int i;

	for (i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++)
		assert_int_equal(
		    pcf_neigh_parse(msg(buf, RTM_NEWNEIGH, AF_INET, unusable[i],
					"198.18.2.1", true),
				    &k, mac),
		    0);
	assert_int_equal(pcf_neigh_parse(msg(buf, RTM_DELNEIGH, AF_INET,
					     NUD_REACHABLE, "198.18.2.1", true),
					 &k, mac),
			 0);
	/* reachable but no MAC address (a device without one) */
	assert_int_equal(
	    pcf_neigh_parse(msg(buf, RTM_NEWNEIGH, AF_INET, NUD_REACHABLE,
				"198.18.2.1", false),
			    &k, mac),
	    0);
	assert_int_equal(k.ifindex, 7);
}

static void test_not_ours(void **state)
{
	struct pcf_neigh_key k;
	struct nlmsghdr *nlh;
	char buf[512];
	__u8 mac[6];

	assert_int_equal(pcf_neigh_parse(msg(buf, RTM_NEWLINK, AF_INET,
					     NUD_REACHABLE, "198.18.2.1", true),
					 &k, mac),
			 -1);
	/* a bridge's FDB entry (AF_BRIDGE) */
	assert_int_equal(pcf_neigh_parse(msg(buf, RTM_NEWNEIGH, AF_BRIDGE,
					     NUD_REACHABLE, NULL, true),
					 &k, mac),
			 -1);
	/* no destination */
	assert_int_equal(pcf_neigh_parse(msg(buf, RTM_NEWNEIGH, AF_INET,
					     NUD_REACHABLE, NULL, true),
					 &k, mac),
			 -1);
	/* cut in its header */
	nlh =
	    msg(buf, RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, "198.18.2.1", true);
	nlh->nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(pcf_neigh_parse(nlh, &k, mac), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_not_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
