// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * set_maps.c - the named sets' backend on pcf_steer's pinned maps.  A
 * trie update replaces a prefix's value whole (the kernel swaps the
 * node under RCU), so a packet reads the old value or the new one.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "set_maps.h"

/* The trie key of e, in a buffer big enough for either family. */
static int trie_key(const struct pcf_set_maps *m, const struct pcf_set_elem *e,
		    struct pcf_set_key6 *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = e->plen;
	memcpy(k->addr, e->addr, e->family == 4 ? 4 : 16);
	return e->family == 4 ? m->v4_fd : m->v6_fd;
}

static int node_put(void *ctx, const struct pcf_set_elem *e,
		    const struct pcf_set_val *v)
{
	struct pcf_set_key6 k;
	int fd = trie_key(ctx, e, &k);

	return bpf_map_update_elem(fd, &k, v, BPF_ANY) ? -errno : 0;
}

/*
 * Values of one family at once (BPF_MAP_UPDATE_BATCH): the kernel's
 * work is the same, the syscalls fewer.
 */
static int put_run(const struct pcf_set_maps *m, const struct pcf_set_elem *e,
		   const struct pcf_set_val *v, __u32 n)
{
	static __u8 keys[1024 * sizeof(struct pcf_set_key6)];
	size_t ksize = e->family == 4 ? sizeof(struct pcf_set_key4)
				      : sizeof(struct pcf_set_key6);
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct pcf_set_key6 k;
	__u32 i, done = 0, count;
	int fd = -1;

	if (n > 1024)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		fd = trie_key(m, &e[i], &k);
		memcpy(keys + i * ksize, &k, ksize);
	}
	while (done < n) {
		count = n - done;
		if (bpf_map_update_batch(fd, keys + done * ksize, v + done,
					 &count, &opts))
			return -errno;
		done += count;
	}
	return 0;
}

static int nodes_put(void *ctx, const struct pcf_set_elem *e,
		     const struct pcf_set_val *v, size_t n)
{
	size_t at = 0, run;
	int err;

	while (at < n) {
		for (run = 1;
		     at + run < n && e[at + run].family == e[at].family; run++)
			;
		err = put_run(ctx, e + at, v + at, run);
		if (err)
			return err;
		at += run;
	}
	return 0;
}

static int node_del(void *ctx, const struct pcf_set_elem *e)
{
	struct pcf_set_key6 k;
	int fd = trie_key(ctx, e, &k);

	return bpf_map_delete_elem(fd, &k) ? -errno : 0;
}

static int info_write(void *ctx, __u32 idx, const struct pcf_set_info *i)
{
	const struct pcf_set_maps *m = ctx;

	return bpf_map_update_elem(m->info_fd, &idx, i, BPF_ANY) ? -errno : 0;
}

static const struct pcf_set_ops ops = {
	.node_put = node_put,
	.node_del = node_del,
	.nodes_put = nodes_put,
	.info_write = info_write,
};

const struct pcf_set_ops *pcf_set_maps_ops(void)
{
	return &ops;
}

static int adopt_trie(int fd, __u8 family, struct pcf_sets *s)
{
	struct pcf_set_key6 k, next;
	struct pcf_set_elem e;
	struct pcf_set_val v;
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue; /* gone meanwhile */
		memset(&e, 0, sizeof(e));
		e.family = family;
		e.plen = k.prefixlen;
		memcpy(e.addr, k.addr, family == 4 ? 4 : 16);
		err = pcf_sets_adopt_node(s, &e, &v);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

int pcf_set_maps_adopt(struct pcf_set_maps *m, struct pcf_sets *s)
{
	struct pcf_set_info infos[PCF_MAX_SETS];
	__u32 i;
	int err;

	for (i = 0; i < PCF_MAX_SETS; i++)
		if (bpf_map_lookup_elem(m->info_fd, &i, &infos[i]))
			return -errno;
	err = pcf_sets_adopt_info(s, infos);
	if (!err)
		err = adopt_trie(m->v4_fd, 4, s);
	if (!err)
		err = adopt_trie(m->v6_fd, 6, s);
	return err ?: pcf_sets_adopt_end(s);
}
