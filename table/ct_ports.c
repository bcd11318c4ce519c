// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_ports.c - the port pools of ct snat (see ct_ports.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct_ports.h"

#define ALL_WORDS ((size_t)PCF_CT_PORT_WORDS)

int pcf_ct_pools_new_at(__u64 *words, pcf_ct_pool_publish_fn publish, void *ctx,
			struct pcf_ct_pools **ret)
{
	struct pcf_ct_pools *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	if (!words) {
		words = calloc(ALL_WORDS, sizeof(*words));
		if (!words) {
			free(p);
			return -ENOMEM;
		}
		p->own_words = true;
	}
	p->words = words;
	p->publish = publish;
	p->ctx = ctx;
	pthread_mutex_init(&p->lock, NULL);
	*ret = p;
	return 0;
}

int pcf_ct_pools_new(struct pcf_ct_pools **ret)
{
	return pcf_ct_pools_new_at(NULL, NULL, NULL, ret);
}

void pcf_ct_pools_free(struct pcf_ct_pools *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	if (p->own_words)
		free(p->words);
	free(p);
}

void pcf_ct_pools_clear(struct pcf_ct_pools *p)
{
	memset(p->words, 0, ALL_WORDS * sizeof(*p->words));
}

static bool pool_is(const struct pcf_ct_pool *pool, __u8 family,
		    const __u8 *addr, __u8 proto)
{
	return pool->family == family && pool->proto == proto &&
	       !memcmp(pool->addr, addr, family == 4 ? 4 : 16);
}

static struct pcf_ct_pool *find(struct pcf_ct_pools *p, unsigned int n,
				__u8 family, const __u8 *addr, __u8 proto)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pool_is(&p->pools[i], family, addr, proto))
			return &p->pools[i];
	return NULL;
}

/* Write pools[n] whole: the pool of (family, addr, proto), bitmap index. */
static struct pcf_ct_pool *make(struct pcf_ct_pools *p, unsigned int n,
				__u8 family, const __u8 *addr, __u8 proto,
				__u32 index)
{
	struct pcf_ct_pool *pool = &p->pools[n];

	memset(pool, 0, sizeof(*pool));
	memcpy(pool->addr, addr, family == 4 ? 4 : 16);
	pool->family = family;
	pool->proto = proto;
	pool->index = index;
	pool->bits = p->words + (size_t)index * PCF_CT_POOL_WORDS;
	return pool;
}

/* Is bitmap index some pool's of the first n? */
static bool index_had(const struct pcf_ct_pools *p, unsigned int n, __u32 index)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p->pools[i].index == index)
			return true;
	return false;
}

struct pcf_ct_pool *pcf_ct_pool(struct pcf_ct_pools *p, __u8 family,
				const __u8 *addr, __u8 proto, bool create)
{
	struct pcf_ct_pool *pool;
	unsigned int n;

	/* a pool is written whole before n counts it (release, below) */
	n = __atomic_load_n(&p->n, __ATOMIC_ACQUIRE);
	pool = find(p, n, family, addr, proto);
	if (pool || !create)
		return pool;
	pthread_mutex_lock(&p->lock);
	n = p->n;
	pool = find(p, n, family, addr, proto); /* made meanwhile? */
	if (!pool && n < PCF_CT_POOLS_MAX) {
		__u32 index;

		/* seeded pools may have taken any numbers: the lowest free */
		for (index = 0; index_had(p, n, index); index++)
			;
		pool = make(p, n, family, addr, proto, index);
		__atomic_store_n(&p->n, n + 1, __ATOMIC_RELEASE);
		if (p->publish)
			p->publish(p->ctx, pool);
	}
	pthread_mutex_unlock(&p->lock);
	return pool;
}

int pcf_ct_pools_seed(struct pcf_ct_pools *p, __u8 family, const __u8 *addr,
		      __u8 proto, __u32 index)
{
	unsigned int n = p->n;

	if (index >= PCF_CT_POOLS_MAX || n >= PCF_CT_POOLS_MAX)
		return -ERANGE;
	if (index_had(p, n, index) || find(p, n, family, addr, proto))
		return -EEXIST;
	make(p, n, family, addr, proto, index);
	__atomic_store_n(&p->n, n + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Take port if free: one fetch-or decides between racing workers. */
static bool take(struct pcf_ct_pool *pool, unsigned int port)
{
	__u64 bit = 1ULL << (port % 64);

	if (__atomic_load_n(&pool->bits[port / 64], __ATOMIC_RELAXED) & bit)
		return false;
	return !(
	    __atomic_fetch_or(&pool->bits[port / 64], bit, __ATOMIC_ACQ_REL) &
	    bit);
}

/* The free ports of word w within lo..hi, as bits. */
static __u64 free_bits(const struct pcf_ct_pool *pool, unsigned int w,
		       unsigned int lo, unsigned int hi)
{
	__u64 free = ~__atomic_load_n(&pool->bits[w], __ATOMIC_RELAXED);

	if (w == lo / 64)
		free &= ~0ULL << (lo % 64);
	if (w == hi / 64 && hi % 64 != 63)
		free &= (1ULL << (hi % 64 + 1)) - 1;
	return free;
}

int pcf_ct_port_take(struct pcf_ct_pool *pool, __u16 lo, __u16 hi, __u16 prefer,
		     __u16 *ret)
{
	unsigned int span, start, w, first, i, port;
	unsigned int lw = lo / 64, hw = hi / 64;
	__u64 free;

	if (lo > hi)
		return -EINVAL;
	if (prefer >= lo && prefer <= hi && take(pool, prefer)) {
		*ret = prefer;
		return 0;
	}
	span = hi - lo + 1;
	start =
	    lo + __atomic_fetch_add(&pool->cursor, 1, __ATOMIC_RELAXED) % span;
	/* word by word from start's, wrapping; start's word once more at
	 * the end for its bits below start */
	first = start / 64;
	for (i = 0; i <= hw - lw + 1; i++) {
		w = first + i;
		if (w > hw)
			w = lw + (w - hw - 1);
		free = free_bits(pool, w, lo, hi);
		if (i == 0)
			free &= ~0ULL << (start % 64);
		while (free) {
			port = w * 64 + __builtin_ctzll(free);
			if (take(pool, port)) {
				*ret = port;
				return 0;
			}
			free &= free - 1;
		}
	}
	return -EADDRNOTAVAIL;
}

void pcf_ct_port_give(struct pcf_ct_pool *pool, __u16 port)
{
	__u64 bit = 1ULL << (port % 64);

	__atomic_fetch_and(&pool->bits[port / 64], ~bit, __ATOMIC_ACQ_REL);
}

bool pcf_ct_port_mark(struct pcf_ct_pool *pool, __u16 port)
{
	return take(pool, port);
}

bool pcf_ct_port_taken(const struct pcf_ct_pool *pool, __u16 port)
{
	return __atomic_load_n(&pool->bits[port / 64], __ATOMIC_RELAXED) &
	       (1ULL << (port % 64));
}

unsigned int pcf_ct_pool_taken(const struct pcf_ct_pool *pool)
{
	unsigned int i, n = 0;

	for (i = 0; i < PCF_CT_POOL_WORDS; i++)
		n += __builtin_popcountll(
		    __atomic_load_n(&pool->bits[i], __ATOMIC_RELAXED));
	return n;
}
