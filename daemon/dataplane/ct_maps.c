// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_maps.c - the session table's backend on the pinned maps (ct_maps.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "ct_addrs.h"
#include "ct_maps.h"
#include "ct_ports.h"
#include "percpu.h"

static __u64 *bucket(const struct pcf_ct_maps *m, const struct pcf_ct_key *k)
{
	return &m->filter[pcf_ct_hash(k) & m->filter_mask];
}

/*
 * The key counts before the syscall that puts it in (a full barrier), so
 * pcf_steer never finds its bucket empty while the key is there.
 */
static int ct_insert(void *ctx, const struct pcf_ct_key *k,
		     const struct pcf_ct_entry *e)
{
	struct pcf_ct_maps *m = ctx;
	int err;

	__atomic_fetch_add(m->live, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(bucket(m, k), 1, __ATOMIC_SEQ_CST);
	err = bpf_map_update_elem(m->ct_fd, k, e, BPF_NOEXIST) ? -errno : 0;
	if (!err)
		return 0;
	__atomic_fetch_sub(bucket(m, k), 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_sub(m->live, 1, __ATOMIC_SEQ_CST);
	/* a full hash says E2BIG (or ENOMEM when the memory is short) */
	return err == -E2BIG || err == -ENOMEM ? -ENOSPC : err;
}

static int ct_lookup(void *ctx, const struct pcf_ct_key *k,
		     struct pcf_ct_entry *ret)
{
	struct pcf_ct_maps *m = ctx;

	return bpf_map_lookup_elem(m->ct_fd, k, ret) ? -errno : 0;
}

static int ct_remove(void *ctx, const struct pcf_ct_key *k)
{
	struct pcf_ct_maps *m = ctx;

	if (bpf_map_delete_elem(m->ct_fd, k))
		return -errno;
	__atomic_fetch_sub(bucket(m, k), 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_sub(m->live, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static const struct pcf_ct_ops maps_ops = {
	.insert = ct_insert,
	.lookup = ct_lookup,
	.remove = ct_remove,
};

/* A pool made: pcf_steer gives its ports from now on. */
static void publish(void *ctx, const struct pcf_ct_pool *pool)
{
	struct pcf_ct_maps *m = ctx;
	struct pcf_ct_pool_key k = { .family = pool->family,
				     .proto = pool->proto };

	memcpy(k.addr, pool->addr, sizeof(k.addr));
	/* failing, pcf_steer leaves this address's sessions to workers */
	bpf_map_update_elem(m->pools_fd, &k, &pool->index, BPF_ANY);
}

static void *map_mmap(int fd, size_t len, size_t *ret_len)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	*ret_len = (len + page - 1) / page * page;
	p = mmap(NULL, *ret_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

int pcf_ct_maps_open(struct pcf_ct_maps *m, const struct pcf_ct_fds *fds,
		     __u32 sessions, int ncpus)
{
	__u32 buckets = pcf_ct_filter_buckets(sessions);
	int err;

	memset(m, 0, sizeof(*m));
	m->ct_fd = fds->ct;
	m->stats_fd = fds->stats;
	m->pools_fd = fds->pools;
	m->ifaddrs_fd = fds->ifaddrs;
	m->sessions = sessions;
	m->ncpus = ncpus;
	m->filter_mask = buckets - 1;
	m->filter = map_mmap(fds->filter, (size_t)buckets * sizeof(__u64),
			     &m->filter_len);
	if (!m->filter)
		return -errno;
	m->live = map_mmap(fds->live, sizeof(__u64), &m->live_len);
	if (!m->live) {
		err = -errno;
		pcf_ct_maps_close(m);
		return err;
	}
	if (fds->ports >= 0 && fds->pools >= 0) {
		m->ports = map_mmap(fds->ports,
				    (size_t)PCF_CT_PORT_WORDS * sizeof(__u64),
				    &m->ports_len);
		if (!m->ports) {
			err = -errno;
			pcf_ct_maps_close(m);
			return err;
		}
	}
	err = m->ports ? pcf_ct_pools_new_at(m->ports, publish, m, &m->pools)
		       : pcf_ct_pools_new(&m->pools);
	if (err) {
		pcf_ct_maps_close(m);
		return err;
	}
	m->table = (struct pcf_ct_table){ .ops = &maps_ops,
					  .ctx = m,
					  .pools = m->pools };
	return 0;
}

void pcf_ct_maps_close(struct pcf_ct_maps *m)
{
	if (m->filter)
		munmap(m->filter, m->filter_len);
	pcf_ct_pools_free(m->pools);
	if (m->ports)
		munmap(m->ports, m->ports_len);
	if (m->live)
		munmap(m->live, m->live_len);
	m->live = NULL;
	m->ports = NULL;
	m->filter = NULL;
	m->pools = NULL;
}

int pcf_ct_maps_read_xstats(const struct pcf_ct_maps *m,
			    struct pcf_counter *ret)
{
	__u32 i;
	int err;

	for (i = 0; i < PCF_CT_X_MAX; i++) {
		err = pcf_percpu_sum(m->stats_fd, i, m->ncpus, &ret[i]);
		if (err)
			return err;
	}
	return 0;
}

int pcf_ct_maps_walk(const struct pcf_ct_maps *m, struct pcf_ct_walk *w,
		     struct pcf_ct_key *keys, struct pcf_ct_entry *vals,
		     __u32 max, __u32 *ret_n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 out = 0;
	__u32 n = max;
	int err;

	*ret_n = 0;
	if (w->done)
		return 0;
	err = bpf_map_lookup_batch(m->ct_fd, w->started ? &w->token : NULL,
				   &out, keys, vals, &n, &opts);
	if (err && errno != ENOENT)
		return -errno;
	w->started = true;
	w->token = out;
	w->done = err != 0; /* ENOENT: these were the last */
	*ret_n = n;
	return 0;
}

/* The pools an earlier pcfd made, with the numbers it gave them. */
static void seed_pools(struct pcf_ct_maps *m)
{
	struct pcf_ct_pool_key k, next;
	bool first = true;
	__u32 index;

	if (m->pools_fd < 0)
		return;
	while (!bpf_map_get_next_key(m->pools_fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (!bpf_map_lookup_elem(m->pools_fd, &k, &index) &&
		    pcf_ct_pools_seed(m->pools, k.family, k.addr, k.proto,
				      index))
			/* what cannot be had again goes (a worker makes it
			 * anew) */
			bpf_map_delete_elem(m->pools_fd, &k);
	}
}

int pcf_ct_maps_adopt_ports(struct pcf_ct_maps *m)
{
	struct pcf_ct_walk w = {};
	struct pcf_ct_key keys[256];
	struct pcf_ct_entry vals[256];
	struct pcf_ct_pool *pool;
	__u32 n, i;
	int err, seen = 0;

	seed_pools(m);
	pcf_ct_pools_clear(m->pools);
	while (!w.done) {
		err = pcf_ct_maps_walk(m, &w, keys, vals, 256, &n);
		if (err)
			return err;
		for (i = 0; i < n; i++) {
			const struct pcf_ct_entry *e = &vals[i];

			if (e->flags & PCF_CT_REPLY)
				continue;
			seen++;
			if (!(e->flags & PCF_CT_PORT))
				continue;
			pool = pcf_ct_pool(m->pools, e->xlat.family,
					   e->xlat.src, e->xlat.proto, true);
			if (pool)
				pcf_ct_port_mark(pool, ntohs(e->xlat.sport));
		}
	}
	return seen;
}

int pcf_ct_maps_set_addrs(struct pcf_ct_maps *m, const struct pcf_ct_addrs *a)
{
	struct pcf_ct_ifaddr_v v;
	__u32 k, next;
	bool first = true, had;
	unsigned int i;
	int err = 0;

	if (m->ifaddrs_fd < 0)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct pcf_ct_ifaddr *s = &a->ifs[i];

		v = (struct pcf_ct_ifaddr_v){ .has4 = s->has4,
					      .has6 = s->has6 };
		memcpy(v.addr4, s->addr4, 4);
		memcpy(v.addr6, s->addr6, 16);
		if (bpf_map_update_elem(m->ifaddrs_fd, &s->ifindex, &v,
					BPF_ANY))
			err = -errno;
	}
	/* the interfaces gone (or without an address now) */
	while (!bpf_map_get_next_key(m->ifaddrs_fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		for (had = false, i = 0; i < a->n && !had; i++)
			had = a->ifs[i].ifindex == k;
		if (!had)
			bpf_map_delete_elem(m->ifaddrs_fd, &k);
	}
	return err;
}
