// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * wtotals.c - the workers' counters as totals in a pinned map
 * (wtotals.h).  Bases are kept in memory, one per worker pcfd has seen
 * (at most the map's entries); the map holds base plus the running
 * worker's counters as last shown.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "workers.h"
#include "wtotals.h"

/* Workers that ever were (names come and go): room for four times all. */
#define WTOTALS_MAX (4 * PCF_MAX_IFACES * PCF_MAX_QUEUES)

struct wkey {
	char ifname[IF_NAMESIZE];
	__u32 queue;
};

struct wentry {
	struct wkey key;
	struct pcf_wtotal base;
};

struct pcf_wtotals {
	int fd;
	bool full_said; /* the map refused a new worker: said once */
	unsigned int n, cap;
	struct wentry *e;
};

_Static_assert(sizeof(((struct pcf_worker_stats *)0)->drops) ==
		   sizeof(((struct pcf_wtotal *)0)->drops),
	       "a total per drop reason");

static int pin_path(const char *pin_dir, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/" PCF_WTOTALS_PIN, pin_dir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The pinned map, if it has our layout; -ENOENT none, -EPROTO another. */
static int adopt(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_HASH ||
	    info.key_size != sizeof(struct wkey) ||
	    info.value_size != sizeof(struct pcf_wtotal) ||
	    info.max_entries != WTOTALS_MAX) {
		close(fd);
		return -EPROTO;
	}
	return fd;
}

static int make(const char *path)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, PCF_WTOTALS_PIN,
				sizeof(struct wkey), sizeof(struct pcf_wtotal),
				WTOTALS_MAX, &o);

	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static struct wentry *find(struct pcf_wtotals *t, const struct wkey *k)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!memcmp(&t->e[i].key, k, sizeof(*k)))
			return &t->e[i];
	return NULL;
}

static struct wentry *add(struct pcf_wtotals *t, const struct wkey *k)
{
	struct wentry *e;
	unsigned int cap;

	if (t->n == t->cap) {
		cap = t->cap ? 2 * t->cap : 64;
		if (cap > WTOTALS_MAX)
			return NULL;
		e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	e = &t->e[t->n++];
	*e = (struct wentry){ .key = *k };
	return e;
}

/* What the map holds becomes the bases. */
static int load(struct pcf_wtotals *t)
{
	struct wkey k, next, *prev = NULL;
	struct pcf_wtotal v;
	struct wentry *e;

	while (!bpf_map_get_next_key(t->fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(t->fd, &k, &v))
			continue; /* deleted meanwhile */
		e = add(t, &k);
		if (!e)
			return -ENOMEM;
		e->base = v;
	}
	return errno == ENOENT ? 0 : -errno;
}

int pcf_wtotals_open(const char *pin_dir, struct pcf_wtotals **ret)
{
	struct pcf_wtotals *t;
	char path[PATH_MAX];
	int err, fd;

	err = pin_path(pin_dir, path, sizeof(path));
	if (err)
		return err;
	fd = adopt(path);
	if (fd == -EPROTO) {
		pr_warn(
		    "pcfd: %s has another layout: the workers' totals start again from 0\n",
		    path);
		if (unlink(path))
			return -errno;
	}
	if (fd < 0 && fd != -ENOENT && fd != -EPROTO)
		return fd;
	if (fd < 0)
		fd = make(path);
	if (fd < 0)
		return fd;
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		return -ENOMEM;
	}
	t->fd = fd;
	err = load(t);
	if (err) {
		pcf_wtotals_close(t);
		return err;
	}
	*ret = t;
	return 0;
}

void pcf_wtotals_close(struct pcf_wtotals *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t->e);
	free(t);
}

int pcf_wtotals_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	int err = pin_path(pin_dir, path, sizeof(path));

	if (err)
		return err;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

/* A running worker's own counters, as a total. */
static void counters_of(const struct pcf_worker_info *in,
			struct pcf_wtotal *ret)
{
	const struct pcf_worker_stats *s = &in->stats;

	*ret = (struct pcf_wtotal){
		.rx_packets = s->rx_packets,
		.rx_bytes = s->rx_bytes,
		.tx_packets = s->tx_packets,
		.tx_bytes = s->tx_bytes,
		.mirrors = s->mirrors,
		.csum_sampled = s->csum_sampled,
		.csum_bad = s->csum_bad,
	};
	memcpy(ret->drops, s->drops, sizeof(ret->drops));
	memcpy(ret->returned, s->returned, sizeof(ret->returned));
	pcf_genl_xsk_values(&in->sock, ret->sock);
	if (in->has_ret_sock)
		pcf_genl_xsk_values(&in->ret_sock, ret->ret_sock);
}

/* a += b, as u64s: the struct is nothing else */
static void sum(struct pcf_wtotal *a, const struct pcf_wtotal *b)
{
	__u64 *x = (__u64 *)a;
	const __u64 *y = (const __u64 *)b;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(__u64); i++)
		x[i] += y[i];
}

static struct wentry *entry_of(struct pcf_wtotals *t,
			       const struct pcf_worker_info *in)
{
	struct wkey k = { .queue = in->queue };
	struct wentry *e;

	memcpy(k.ifname, in->ifname, sizeof(k.ifname));
	e = find(t, &k);
	return e ? e : add(t, &k);
}

int pcf_wtotals_read(struct pcf_wtotals *t, const struct pcf_worker_info *in,
		     struct pcf_wtotal *ret)
{
	struct wentry *e;

	counters_of(in, ret);
	if (!t)
		return 0;
	e = entry_of(t, in);
	if (!e)
		return -ENOMEM; /* its own counters: they go back on a restart
				 */
	sum(ret, &e->base);
	/* pinned before shown: a restart never shows less than this */
	if (bpf_map_update_elem(t->fd, &e->key, ret, BPF_ANY)) {
		if (!t->full_said)
			pr_warn(
			    "pcfd: %s: the workers' totals cannot be kept: %s\n",
			    PCF_WTOTALS_PIN, strerror(errno));
		t->full_said = true;
		return -errno;
	}
	return 0;
}

void pcf_wtotals_fold(struct pcf_wtotals *t, const struct pcf_worker_info *in)
{
	struct pcf_wtotal now;
	struct wentry *e;

	if (!t)
		return;
	/* in memory even if the map refused it: never less while we run */
	pcf_wtotals_read(t, in, &now);
	e = entry_of(t, in);
	if (e)
		e->base = now;
}
