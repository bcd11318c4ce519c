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

#include "ct_maps.h"
#include "ct_ports.h"
#include "loader.h" /* pcf_percpu_sum */

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

	__atomic_fetch_add(bucket(m, k), 1, __ATOMIC_SEQ_CST);
	err = bpf_map_update_elem(m->ct_fd, k, e, BPF_NOEXIST) ? -errno : 0;
	if (!err)
		return 0;
	__atomic_fetch_sub(bucket(m, k), 1, __ATOMIC_SEQ_CST);
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
	return 0;
}

static const struct pcf_ct_ops maps_ops = {
	.insert = ct_insert,
	.lookup = ct_lookup,
	.remove = ct_remove,
};

int pcf_ct_maps_open(struct pcf_ct_maps *m, int ct_fd, int filter_fd,
		     int stats_fd, __u32 sessions, int ncpus)
{
	__u32 buckets = pcf_ct_filter_buckets(sessions);
	long page = sysconf(_SC_PAGESIZE);
	void *p;
	int err;

	memset(m, 0, sizeof(*m));
	m->ct_fd = ct_fd;
	m->stats_fd = stats_fd;
	m->sessions = sessions;
	m->ncpus = ncpus;
	m->filter_mask = buckets - 1;
	m->filter_len =
	    ((size_t)buckets * sizeof(__u64) + page - 1) / page * page;
	p = mmap(NULL, m->filter_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 filter_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->filter = p;
	err = pcf_ct_pools_new(&m->pools);
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

int pcf_ct_maps_adopt_ports(struct pcf_ct_maps *m)
{
	struct pcf_ct_walk w = {};
	struct pcf_ct_key keys[256];
	struct pcf_ct_entry vals[256];
	struct pcf_ct_pool *pool;
	__u32 n, i;
	int err, seen = 0;

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
