/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * retveth.h - the return veth: a veth pair pcfd owns.  Workers transmit
 * packets for the kernel on one end (name); pcf_return on the other end
 * (peer) forwards them or passes them up the stack.
 */
#ifndef PCF_RETVETH_H
#define PCF_RETVETH_H

#include <net/if.h>
#include <linux/types.h>

#define PCF_RETVETH_NAME_DEFAULT "pcfr0"
#define PCF_RETVETH_PEER_DEFAULT "pcfr1"
#define PCF_RETVETH_QUEUES	 16 /* one per worker, at most */

struct pcf_retveth {
	char name[IF_NAMESIZE]; /* the workers' end */
	char peer[IF_NAMESIZE]; /* the kernel's end, with pcf_return */
	__u32 ifindex, peer_ifindex;
	__u8 mac[6], peer_mac[6];
	/* the first sysctl that could not be written (a read-only
	 * /proc/sys, as under ProtectKernelTunables=), or NULL */
	const char *knob_failed;
	int knob_err;
};

/*
 * Create the pair (or adopt it, when it exists), then set it up: both ends
 * up without ARP; no IPv6 on name; on peer no IPv6 address and no router
 * advertisements, no reverse path filter, forwarding on.  ret is filled in.
 * The sysctls are best effort: ret->knob_failed names one that failed.
 */
int pcf_retveth_setup(const char *name, const char *peer,
		      struct pcf_retveth *ret);
/*
 * Give both ends the MTU mtu, or the largest they take if less (a veth
 * whose peer runs a non-multi-buffer XDP program takes about a page):
 * *ret_mtu says which.  A frame longer than the kernel's end takes is
 * dropped (the tx_dropped of name).
 */
int pcf_retveth_set_mtu(const char *name, const char *peer, __u32 mtu,
			__u32 *ret_mtu);
/* Delete the pair (deleting one end deletes both); -ENODEV if absent. */
int pcf_retveth_remove(const char *name);

#endif /* PCF_RETVETH_H */
