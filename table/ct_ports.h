/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_ports.h - the source ports ct snat and masquerade give: one pool per
 * (NAT address, protocol), a bitmap of its 65536 ports, shared by every
 * worker and by pcf_steer (pcf_abi.h, "New sessions of ct NAT rules").  A
 * port is taken with one atomic fetch-or and given back with one
 * fetch-and: two takers never get the same one, and no lock is taken per
 * connection.  A pool is made once per address and protocol, under a
 * mutex (its first connection; after that only atomic loads find it), and
 * published (to pcf_steer's pcf_ct_pools).  ICMP echo identifiers are
 * ports of their protocol's pool.
 *
 * The bitmaps are pcf_ct_ports, mmapped (or pcfd's memory, for tests);
 * the sessions pinned in pcf_ct are the truth: a restarted pcfd finds its
 * pools where they were (pcf_ct_pools_seed), clears their bitmaps and
 * marks the ports of the sessions it adopts before its workers start
 * (pcf_ct_port_mark).
 */
#ifndef PCF_CT_PORTS_H
#define PCF_CT_PORTS_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>

#include "pcf_abi.h" /* PCF_CT_POOLS_MAX, PCF_CT_POOL_WORDS */

struct pcf_ct_pool {
	__u8 addr[16]; /* IPv4 in the first four bytes */
	__u8 family;
	__u8 proto;
	__u32 index;  /* its bitmap's number */
	__u32 cursor; /* where the next search starts (atomic) */
	__u64 *bits;  /* PCF_CT_POOL_WORDS: port p taken: bit p % 64 of
			 bits[p / 64] */
};

/* A pool made: tell pcf_steer (pcf_ct_pools); runs under the mutex. */
typedef void (*pcf_ct_pool_publish_fn)(void *ctx,
				       const struct pcf_ct_pool *pool);

struct pcf_ct_pools {
	pthread_mutex_t lock; /* makes pools; finding one takes none */
	unsigned int n;	      /* pools[0 .. n) are made (atomic) */
	__u64 *words;	      /* PCF_CT_POOLS_MAX bitmaps */
	bool own_words;
	pcf_ct_pool_publish_fn publish; /* NULL: nobody to tell */
	void *ctx;
	struct pcf_ct_pool pools[PCF_CT_POOLS_MAX];
};

/* Pools with bitmaps of their own. */
int pcf_ct_pools_new(struct pcf_ct_pools **ret);
/* Pools whose bitmaps are words (PCF_CT_POOLS_MAX * PCF_CT_POOL_WORDS,
 * shared), each made one told to publish (may be NULL). */
int pcf_ct_pools_new_at(__u64 *words, pcf_ct_pool_publish_fn publish, void *ctx,
			struct pcf_ct_pools **ret);
void pcf_ct_pools_free(struct pcf_ct_pools *p);

/* The pool of (family, addr, proto); made if create.  NULL: none, or no
 * room for another. */
struct pcf_ct_pool *pcf_ct_pool(struct pcf_ct_pools *p, __u8 family,
				const __u8 *addr, __u8 proto, bool create);
/* Before any taker: the pool of (family, addr, proto) is bitmap index (as
 * an earlier pcfd made it).  -EEXIST: index or the pool is had already. */
int pcf_ct_pools_seed(struct pcf_ct_pools *p, __u8 family, const __u8 *addr,
		      __u8 proto, __u32 index);
/* Before any taker: every bitmap empty. */
void pcf_ct_pools_clear(struct pcf_ct_pools *p);

/*
 * A free port of lo..hi (host order) taken in *ret: prefer if it is in
 * the range and free (Linux NAT keeps the original port when it can),
 * else the next free one from a cursor that moves on with every call.
 * -EADDRNOTAVAIL: all taken.
 */
int pcf_ct_port_take(struct pcf_ct_pool *pool, __u16 lo, __u16 hi, __u16 prefer,
		     __u16 *ret);
/* Give port back. */
void pcf_ct_port_give(struct pcf_ct_pool *pool, __u16 port);
/* Mark port taken (an adopted session's); false if it already was. */
bool pcf_ct_port_mark(struct pcf_ct_pool *pool, __u16 port);
/* Is port taken? */
bool pcf_ct_port_taken(const struct pcf_ct_pool *pool, __u16 port);
/* How many of pool's ports are taken now. */
unsigned int pcf_ct_pool_taken(const struct pcf_ct_pool *pool);

#endif /* PCF_CT_PORTS_H */
