/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_addrs.h - the addresses ct masquerade translates to: the primary
 * IPv4 address and the first global IPv6 address of each interface, as
 * the kernel lists them (getifaddrs).  pcfd's main thread reads them
 * again every second (pcf_ct_addrs_refresh) and publishes a changed set
 * under a sequence count; the workers read an interface's without a lock
 * (pcf_ct_addrs_get), retrying while a change is being written.
 */
#ifndef PCF_CT_ADDRS_H
#define PCF_CT_ADDRS_H

#include <stdbool.h>
#include <linux/types.h>

#define PCF_CT_ADDRS_MAX 64 /* interfaces */

struct pcf_ct_ifaddr {
	__u32 ifindex;
	bool has4, has6;
	__u8 addr4[4];
	__u8 addr6[16];
};

struct pcf_ct_addrs {
	unsigned int seq; /* odd while being written (atomic) */
	unsigned int n;
	struct pcf_ct_ifaddr ifs[PCF_CT_ADDRS_MAX];
};

/* Read the interfaces' addresses again; publish them if they changed.
 * Returns whether they did, or -errno. */
int pcf_ct_addrs_refresh(struct pcf_ct_addrs *a);
/* Publish ifs (n of them) as the current set (the writer only). */
void pcf_ct_addrs_set(struct pcf_ct_addrs *a, const struct pcf_ct_ifaddr *ifs,
		      unsigned int n);
/* The family's (4 or 6) address of ifindex into ret (16 bytes, IPv4 in
 * the first four); false: none. */
bool pcf_ct_addrs_get(const struct pcf_ct_addrs *a, __u32 ifindex, __u8 family,
		      __u8 *ret);

#endif /* PCF_CT_ADDRS_H */
