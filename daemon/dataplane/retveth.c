// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * retveth.c - create, adopt, configure and remove the return veth, by
 * rtnetlink (libmnl) and sysctl files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "ifwatch.h"
#include "retveth.h"

#define MSG_SIZE 1024 /* our requests; replies are acks */

static int create_pair(const char *name, const char *peer)
{
	char buf[MSG_SIZE];
	struct nlattr *info, *data, *pinfo;
	struct ifinfomsg *ifm, *pifm;
	struct nlmsghdr *nlh;

	nlh = pcf_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, PCF_RETVETH_QUEUES);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, PCF_RETVETH_QUEUES);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's ifinfomsg, then its attributes, inside the nest */
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, PCF_RETVETH_QUEUES);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, PCF_RETVETH_QUEUES);
	mnl_attr_nest_end(nlh, pinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return pcf_rtnl_talk(nlh, NULL, NULL);
}

/* Up, and no ARP: nothing but pcf talks on this link. */
static int set_up(__u32 ifindex)
{
	char buf[MSG_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = pcf_link_msg(buf, RTM_NEWLINK, 0, &ifm);
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP | IFF_NOARP;
	ifm->ifi_change = IFF_UP | IFF_NOARP;
	return pcf_rtnl_talk(nlh, NULL, NULL);
}

int pcf_retveth_remove(const char *name)
{
	char buf[MSG_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = pcf_link_msg(buf, RTM_DELLINK, 0, &ifm);
	ifm->ifi_index = if_nametoindex(name);
	if (!ifm->ifi_index)
		return -ENODEV;
	return pcf_rtnl_talk(nlh, NULL, NULL);
}

static int sysctl_write(const char *fmt, const char *ifname, const char *val)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), fmt, ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int get_mac(const char *ifname, __u8 *ret)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(ret, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

/*
 * Before the links go up (an IPv6 link-local address is made then): the
 * workers' end has no IPv6 at all; the kernel's end must receive IPv6, so
 * it only makes no address and takes no router advertisements.  The
 * returned packets carry foreign source addresses: no rp_filter.  (The
 * kernel uses the larger of conf/all and conf/PEER rp_filter: an "all"
 * of 1 still filters.)
 */
static void configure(const char *name, const char *peer,
		      struct pcf_retveth *ret)
{
	static const struct {
		const char *fmt, *which, *val;
	} knobs[] = {
		{ "/proc/sys/net/ipv6/conf/%s/disable_ipv6", "name", "1" },
		{ "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", "peer", "1" },
		{ "/proc/sys/net/ipv6/conf/%s/accept_ra", "peer", "0" },
		{ "/proc/sys/net/ipv4/conf/%s/rp_filter", "peer", "0" },
		/* a packet SNATed to one of our addresses is not a martian */
		{ "/proc/sys/net/ipv4/conf/%s/accept_local", "peer", "1" },
		{ "/proc/sys/net/ipv4/conf/%s/forwarding", "peer", "1" },
	};
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		err = sysctl_write(knobs[i].fmt,
				   knobs[i].which[0] == 'n' ? name : peer,
				   knobs[i].val);
		if (err && !ret->knob_failed) {
			ret->knob_failed = knobs[i].fmt;
			ret->knob_err = err;
		}
	}
}

int pcf_retveth_setup(const char *name, const char *peer,
		      struct pcf_retveth *ret)
{
	int err;

	if (strlen(name) >= IF_NAMESIZE || strlen(peer) >= IF_NAMESIZE)
		return -ENAMETOOLONG;
	err = create_pair(name, peer);
	if (err && err != -EEXIST)
		return err;
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->name, sizeof(ret->name), "%s", name);
	snprintf(ret->peer, sizeof(ret->peer), "%s", peer);
	ret->ifindex = if_nametoindex(name);
	ret->peer_ifindex = if_nametoindex(peer);
	/* adopted: name exists, but is it still our pair? */
	if (!ret->ifindex || !ret->peer_ifindex)
		return -ENODEV;
	configure(name, peer, ret);
	err = set_up(ret->ifindex);
	if (!err)
		err = set_up(ret->peer_ifindex);
	if (!err)
		err = get_mac(name, ret->mac);
	if (!err)
		err = get_mac(peer, ret->peer_mac);
	return err;
}

static int set_mtu(__u32 ifindex, __u32 mtu)
{
	char buf[MSG_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;

	nlh = pcf_link_msg(buf, RTM_NEWLINK, 0, &ifm);
	ifm->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return pcf_rtnl_talk(nlh, NULL, NULL);
}

/* mtu, or less if the device cannot take it */
static __u32 mtu_cap(__u32 mtu, const struct pcf_link *l)
{
	return l->max_mtu && l->max_mtu < mtu ? l->max_mtu : mtu;
}

int pcf_retveth_set_mtu(const char *name, const char *peer, __u32 mtu,
			__u32 *ret_mtu)
{
	struct pcf_link a, b;
	int err;

	err = pcf_link_get(name, &a);
	if (!err)
		err = pcf_link_get(peer, &b);
	if (err)
		return err;
	mtu = mtu_cap(mtu_cap(mtu, &a), &b);
	*ret_mtu = mtu;
	if (a.mtu == mtu && b.mtu == mtu)
		return 0;
	err = set_mtu(b.ifindex, mtu);
	if (!err)
		err = set_mtu(a.ifindex, mtu);
	return err;
}
