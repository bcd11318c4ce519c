// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_ifwatch - rtnetlink link messages as pcfd's interface watcher
 * reads them, built here byte by byte: name, index, flags, MTU, largest
 * MTU and the drop counters of RTM_NEWLINK and RTM_DELLINK; attributes it
 * does not use are skipped; another message type, a missing or too long
 * name, a wrongly sized MTU or counters block and a truncated message are
 * refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "ifwatch.h"

static char buf[4096];

static struct nlmsghdr *msg(__u16 type, __u32 ifindex, __u32 flags)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = pcf_link_msg(buf, type, 0, &ifm);

	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	return nlh;
}

static void test_newlink(void **state)
{
	struct rtnl_link_stats64 st = { .rx_packets = 10,
					.rx_dropped = 2,
					.tx_packets = 30,
					.tx_dropped = 4 };
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, 7, IFF_UP);
	struct pcf_link l;

	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 1000); /* skipped */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "p1234a");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1770);
	mnl_attr_put_u32(nlh, IFLA_MAX_MTU, 3506);
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), &st);
	assert_int_equal(pcf_link_parse(nlh, &l), 0);
	assert_int_equal(l.ifindex, 7);
	assert_string_equal(l.name, "p1234a");
	assert_int_equal(l.flags, IFF_UP);
	assert_int_equal(l.mtu, 1770);
	assert_int_equal(l.max_mtu, 3506);
	assert_true(l.has_stats);
	assert_int_equal(l.rx_packets, 10);
	assert_int_equal(l.rx_dropped, 2);
	assert_int_equal(l.tx_packets, 30);
	assert_int_equal(l.tx_dropped, 4);
}

static void test_dellink(void **state)
{
	struct nlmsghdr *nlh = msg(RTM_DELLINK, 9, 0);
	struct pcf_link l;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	assert_int_equal(pcf_link_parse(nlh, &l), 0);
	assert_int_equal(l.ifindex, 9);
	assert_string_equal(l.name, "eth0");
	assert_int_equal(l.mtu, 0); /* not said */
	assert_false(l.has_stats);
}

static void test_refused(void **state)
{
	struct nlmsghdr *nlh;
	struct pcf_link l;

	nlh = msg(RTM_NEWADDR, 1, 0);
	assert_int_equal(pcf_link_parse(nlh, &l), -ENOENT);

	nlh = msg(RTM_NEWLINK, 1, 0); /* no name */
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);

	nlh = msg(RTM_NEWLINK, 1, 0); /* 16 characters: no room for NUL */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "abcdefghijklmnop");
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);

	nlh = msg(RTM_NEWLINK, 1, 0); /* not NUL-terminated */
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth0");
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);

	nlh = msg(RTM_NEWLINK, 1, 0); /* an MTU of two bytes */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u16(nlh, IFLA_MTU, 1500);
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);

	nlh = msg(RTM_NEWLINK, 1, 0); /* counters cut short */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_STATS64, 16, buf + 2048);
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);

	nlh = msg(RTM_NEWLINK, 1, 0); /* shorter than its ifinfomsg */
	nlh->nlmsg_len = mnl_nlmsg_size(4);
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);

	nlh = msg(RTM_NEWLINK, 1, 0); /* an attribute past the end */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	nlh->nlmsg_len -= 8;
	assert_int_equal(pcf_link_parse(nlh, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newlink),
		cmocka_unit_test(test_dellink),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
