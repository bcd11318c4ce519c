// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_mem.c - the session table in memory (see ct_mem.h): open addressing
 * over 2 * capacity slots, linear probing, tombstones.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ct_mem.h"

enum { FREE = 0, USED, GONE };

struct slot {
	int state;
	struct pcf_ct_key k;
	struct pcf_ct_entry e;
};

struct pcf_ct_mem {
	pthread_mutex_t lock;
	unsigned int capacity, count, nslots;
	struct slot *slots;
};

int pcf_ct_mem_new(unsigned int capacity, struct pcf_ct_mem **ret)
{
	struct pcf_ct_mem *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->capacity = capacity;
	m->nslots = 2 * capacity + 1;
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return -ENOMEM;
	}
	pthread_mutex_init(&m->lock, NULL);
	*ret = m;
	return 0;
}

void pcf_ct_mem_free(struct pcf_ct_mem *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->slots);
	free(m);
}

/* k's slot, or (with a free one wanted) where it would go; NULL: none. */
static struct slot *find(struct pcf_ct_mem *m, const struct pcf_ct_key *k,
			 bool for_insert)
{
	unsigned int i, h = pcf_ct_hash(k) % m->nslots;
	struct slot *room = NULL, *s;

	for (i = 0; i < m->nslots; i++) {
		s = &m->slots[(h + i) % m->nslots];
		if (s->state == USED && !memcmp(&s->k, k, sizeof(*k)))
			return s;
		if (s->state != USED && !room)
			room = s;
		if (s->state == FREE)
			break;
	}
	return for_insert ? room : NULL;
}

static int mem_insert(void *ctx, const struct pcf_ct_key *k,
		      const struct pcf_ct_entry *e)
{
	struct pcf_ct_mem *m = ctx;
	struct slot *s;
	int err = 0;

	pthread_mutex_lock(&m->lock);
	s = find(m, k, true);
	if (s && s->state == USED)
		err = -EEXIST;
	else if (!s || m->count == m->capacity)
		err = -ENOSPC;
	else {
		*s = (struct slot){ .state = USED, .k = *k, .e = *e };
		m->count++;
	}
	pthread_mutex_unlock(&m->lock);
	return err;
}

static int mem_lookup(void *ctx, const struct pcf_ct_key *k,
		      struct pcf_ct_entry *ret)
{
	struct pcf_ct_mem *m = ctx;
	struct slot *s;

	pthread_mutex_lock(&m->lock);
	s = find(m, k, false);
	if (s)
		*ret = s->e;
	pthread_mutex_unlock(&m->lock);
	return s ? 0 : -ENOENT;
}

static int mem_remove(void *ctx, const struct pcf_ct_key *k)
{
	struct pcf_ct_mem *m = ctx;
	struct slot *s;

	pthread_mutex_lock(&m->lock);
	s = find(m, k, false);
	if (s) {
		s->state = GONE;
		m->count--;
	}
	pthread_mutex_unlock(&m->lock);
	return s ? 0 : -ENOENT;
}

static const struct pcf_ct_ops mem_ops = {
	.insert = mem_insert,
	.lookup = mem_lookup,
	.remove = mem_remove,
};

void pcf_ct_mem_table(struct pcf_ct_mem *m, struct pcf_ct_pools *pools,
		      struct pcf_ct_table *ret)
{
	*ret =
	    (struct pcf_ct_table){ .ops = &mem_ops, .ctx = m, .pools = pools };
}

unsigned int pcf_ct_mem_count(struct pcf_ct_mem *m)
{
	unsigned int n;

	pthread_mutex_lock(&m->lock);
	n = m->count;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void pcf_ct_mem_each(struct pcf_ct_mem *m,
		     void (*cb)(const struct pcf_ct_key *k,
				const struct pcf_ct_entry *e, void *arg),
		     void *arg)
{
	unsigned int i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].state == USED)
			cb(&m->slots[i].k, &m->slots[i].e, arg);
	pthread_mutex_unlock(&m->lock);
}
