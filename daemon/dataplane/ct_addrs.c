// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_addrs.c - the masquerade addresses (see ct_addrs.h).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>

#include "ct_addrs.h"

static struct pcf_ct_ifaddr *slot_of(struct pcf_ct_ifaddr *ifs, unsigned int *n,
				     __u32 ifindex)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (ifs[i].ifindex == ifindex)
			return &ifs[i];
	if (*n == PCF_CT_ADDRS_MAX)
		return NULL;
	memset(&ifs[*n], 0, sizeof(ifs[*n]));
	ifs[*n].ifindex = ifindex;
	return &ifs[(*n)++];
}

/* The first IPv4 address (the primary), the first global IPv6 one. */
static void take(struct pcf_ct_ifaddr *s, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET && !s->has4) {
		memcpy(s->addr4, &((const struct sockaddr_in *)sa)->sin_addr,
		       4);
		s->has4 = true;
	} else if (sa->sa_family == AF_INET6 && !s->has6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a))
			return;
		memcpy(s->addr6, a, 16);
		s->has6 = true;
	}
}

void pcf_ct_addrs_set(struct pcf_ct_addrs *a, const struct pcf_ct_ifaddr *ifs,
		      unsigned int n)
{
	__atomic_store_n(&a->seq, a->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(a->ifs, ifs, n * sizeof(*ifs));
	__atomic_store_n(&a->n, n, __ATOMIC_RELAXED);
	__atomic_store_n(&a->seq, a->seq + 1, __ATOMIC_RELEASE);
}

int pcf_ct_addrs_refresh(struct pcf_ct_addrs *a)
{
	struct pcf_ct_ifaddr ifs[PCF_CT_ADDRS_MAX];
	struct ifaddrs *list, *i;
	struct pcf_ct_ifaddr *s;
	unsigned int n = 0, idx;

	if (getifaddrs(&list))
		return -errno;
	for (i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_name)
			continue;
		idx = if_nametoindex(i->ifa_name);
		if (idx && (s = slot_of(ifs, &n, idx)))
			take(s, i->ifa_addr);
	}
	freeifaddrs(list);
	if (n == a->n && !memcmp(ifs, a->ifs, n * sizeof(*ifs)))
		return 0;
	pcf_ct_addrs_set(a, ifs, n);
	return 1;
}

bool pcf_ct_addrs_get(const struct pcf_ct_addrs *a, __u32 ifindex, __u8 family,
		      __u8 *ret)
{
	struct pcf_ct_ifaddr s;
	unsigned int seq, n, i;
	bool found;

	do {
		seq = __atomic_load_n(&a->seq, __ATOMIC_ACQUIRE);
		n = __atomic_load_n(&a->n, __ATOMIC_RELAXED);
		found = false;
		for (i = 0; i < n && i < PCF_CT_ADDRS_MAX; i++) {
			if (a->ifs[i].ifindex == ifindex) {
				memcpy(&s, &a->ifs[i], sizeof(s));
				found = true;
				break;
			}
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) ||
		 seq != __atomic_load_n(&a->seq, __ATOMIC_RELAXED));
	if (!found || (family == 4 ? !s.has4 : !s.has6))
		return false;
	memset(ret, 0, 16);
	memcpy(ret, family == 4 ? s.addr4 : s.addr6, family == 4 ? 4 : 16);
	return true;
}
