// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * loader.c - open or adopt the pinned steering object and attach it.
 */
#include <dirent.h>
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "grace.h"
#include "loader.h"
#include "percpu.h"
#include "table.h"
#include "pcf_return.skel.h"
#include "pcf_steer.skel.h"

#define WCTR_PIN "pcf_wrule_stats"

static const char *const reason_names[PCF_REASON_MAX] = {
	[PCF_REASON_NONE] = "none",
	[PCF_REASON_MISS] = "miss",
	[PCF_REASON_MALFORMED] = "malformed",
	[PCF_REASON_NOT_IP] = "not_ip",
	[PCF_REASON_FRAGMENT] = "fragment",
	[PCF_REASON_REDIRECT_FALLBACK] = "redirect_fallback",
	[PCF_REASON_TTL_EXPIRED] = "ttl_expired",
	[PCF_REASON_META_FAILED] = "meta_failed",
	[PCF_REASON_TOO_BIG] = "too_big",
	[PCF_REASON_WORKER_STALLED] = "worker_stalled",
	[PCF_REASON_ENCAP_MALFORMED] = "encap_malformed", /* issue 13 */
	[PCF_REASON_NO_NEIGH] = "no_neigh",
};

const char *pcf_reason_name(enum pcf_reason r)
{
	return (unsigned int)r < PCF_REASON_MAX ? reason_names[r] : "?";
}

const char *pcf_xdp_mode_name(enum pcf_xdp_mode m)
{
	switch (m) {
	case PCF_XDP_NATIVE:
		return "native";
	case PCF_XDP_GENERIC:
		return "generic";
	default:
		return "auto";
	}
}

bool pcf_is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int prepare_pin_dir(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash && slash != parent)
			*slash = '\0';
		/* say "not a bpffs" rather than "no such directory" */
		if (!pcf_is_bpffs(parent))
			return -ENOTSUP;
		return -errno;
	}
	return pcf_is_bpffs(dir) ? 0 : -ENOTSUP;
}

static size_t page_round(size_t len)
{
	long page = sysconf(_SC_PAGESIZE);

	return (len + page - 1) / page * page;
}

/* Map a BPF_F_MMAPABLE array read-write; *ret_len gets the length. */
static void *map_mmap(int fd, size_t len, size_t *ret_len)
{
	void *p;

	len = page_round(len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	*ret_len = len;
	return p;
}

/*
 * Maps an older pcf pinned have another layout, which libbpf would refuse
 * with a bare EINVAL: tell it apart.  The maps whose layout changed, as
 * this pcf makes them (a map not pinned yet is made anew).
 */
static const struct {
	const char *name;
	__u32 type, value_size, max_entries;
	bool row_per_cpu; /* max_entries is a row's */
} layout[] = {
	{ .name = "pcf_rules",
	  .type = BPF_MAP_TYPE_ARRAY,
	  .value_size = sizeof(struct pcf_rule),
	  .max_entries = PCF_RULE_SLOTS },
	{ .name = "pcf_flows",
	  .type = BPF_MAP_TYPE_HASH,
	  .value_size = sizeof(struct pcf_flow),
	  .max_entries = PCF_MAX_RULES },
	{ .name = "pcf_masks",
	  .type = BPF_MAP_TYPE_ARRAY,
	  .value_size = sizeof(struct pcf_mask_table),
	  .max_entries = PCF_MASK_BUFS },
	{ .name = "pcf_rule_stats",
	  .type = BPF_MAP_TYPE_ARRAY,
	  .value_size = sizeof(struct pcf_counter),
	  .max_entries = PCF_RULE_SLOTS,
	  .row_per_cpu = true },
	{ .name = "pcf_config",
	  .type = BPF_MAP_TYPE_ARRAY,
	  .value_size = sizeof(struct pcf_config),
	  .max_entries = 1 },
};

static int check_layout(const char *pin_dir, int ncpus)
{
	struct bpf_map_info info;
	char path[PATH_MAX];
	unsigned int i;
	int fd, err = 0;
	__u32 len;

	snprintf(path, sizeof(path), "%s/pcf_rules", pin_dir);
	if (access(path, F_OK))
		return 0; /* nothing pinned yet */
	snprintf(path, sizeof(path), "%s/pcf_state", pin_dir);
	if (access(path, F_OK))
		return -EPROTO;
	snprintf(path, sizeof(path), "%s/pcf_heartbeat", pin_dir);
	if (access(path, F_OK))
		return -EPROTO;
	for (i = 0; !err && i < sizeof(layout) / sizeof(layout[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, layout[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return -EPROTO;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.type != layout[i].type ||
		    info.value_size != layout[i].value_size ||
		    info.max_entries != layout[i].max_entries *
					    (layout[i].row_per_cpu ? ncpus : 1))
			err = -EPROTO;
		close(fd);
	}
	return err;
}

static int open_maps(struct pcf_dp *dp)
{
	struct pcf_rule_maps *m = &dp->maps;
	struct pcf_steer *sk = dp->skel;

	m->flows4_fd = bpf_map__fd(sk->maps.pcf_flows4);
	m->flows6_fd = bpf_map__fd(sk->maps.pcf_flows);
	m->filter_fd = bpf_map__fd(sk->maps.pcf_filter);
	m->masks_fd = bpf_map__fd(sk->maps.pcf_masks);
	m->ncpus = dp->ncpus;
	m->xctr =
	    map_mmap(bpf_map__fd(sk->maps.pcf_rule_stats),
		     sizeof(struct pcf_counter) * PCF_RULE_SLOTS * dp->ncpus,
		     &dp->xctr_len);
	if (!m->xctr)
		return -errno;
	m->slots = map_mmap(bpf_map__fd(sk->maps.pcf_rules),
			    sizeof(struct pcf_rule) * PCF_RULE_SLOTS,
			    &dp->rules_len);
	if (!m->slots)
		return -errno;
	m->state = map_mmap(bpf_map__fd(sk->maps.pcf_state),
			    sizeof(struct pcf_table_state), &dp->state_len);
	if (!m->state)
		return -errno;
	/* generation 0 never tags a cached result */
	if (!m->state->gen)
		__atomic_store_n(&m->state->gen, 1, __ATOMIC_RELEASE);
	dp->heartbeats = map_mmap(bpf_map__fd(sk->maps.pcf_heartbeat),
				  sizeof(__u64) * PCF_XSKMAP_SIZE,
				  &dp->heartbeats_len);
	if (!dp->heartbeats)
		return -errno;
	return pcf_grace_new(&m->grace);
}

/* The workers' counters an earlier pcfd pinned, if any. */
static int adopt_wctr(struct pcf_dp *dp)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/" WCTR_PIN, dp->pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.value_size != sizeof(struct pcf_counter) ||
	    !info.max_entries || info.max_entries % PCF_RULE_SLOTS) {
		err = -EPROTO;
		goto out;
	}
	dp->maps.wctr = map_mmap(fd, (size_t)info.max_entries *
					 sizeof(struct pcf_counter),
				 &dp->wctr_len);
	if (!dp->maps.wctr)
		err = -errno;
	else
		dp->maps.wrows = info.max_entries / PCF_RULE_SLOTS;
out:
	close(fd);
	return err;

}

/*
 * The capacity of the session table pinned in pin_dir (0: none pinned);
 * -EPROTO: its entries have another layout.
 */
static int pinned_sessions(const char *pin_dir, __u32 *ret)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, err = 0;

	*ret = 0;
	snprintf(path, sizeof(path), "%s/pcf_ct", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.key_size != sizeof(struct pcf_ct_key) ||
	    info.value_size != sizeof(struct pcf_ct_entry) ||
	    info.max_entries % 2)
		err = -EPROTO;
	else
		*ret = info.max_entries / 2;
	close(fd);
	return err;
}

/*
 * The session maps as big as the table pinned already, else as asked,
 * and pcf_steer's filter mask to match: before the program is loaded.
 */
static int size_sessions(struct pcf_dp *dp, const struct pcf_dp_opts *o)
{
	__u32 sessions, buckets;
	int err = pinned_sessions(dp->pin_dir, &sessions);

	if (err)
		return err;
	if (!sessions)
		sessions =
		    o && o->sessions ? o->sessions : PCF_CT_SESSIONS_DEFAULT;
	if (sessions < PCF_CT_SESSIONS_MIN || sessions > PCF_CT_SESSIONS_MAX)
		return -ERANGE;
	buckets = pcf_ct_filter_buckets(sessions);
	dp->ct.sessions = sessions;
	dp->skel->rodata->ct_filter_mask = buckets - 1;
	err = bpf_map__set_max_entries(dp->skel->maps.pcf_ct,
				       PCF_CT_ENTRIES(sessions));
	if (!err)
		err = bpf_map__set_max_entries(dp->skel->maps.pcf_ct_filter,
					       buckets);
	return err;
}

/*
 * The maps with a part for each possible CPU: the flow caches' slices of
 * sets (bpf/steer_maps.h) and the rule counters' rows (PCF_RULE_STAT).
 */
static int size_cpu_parts(struct pcf_dp *dp)
{
	struct pcf_steer *sk = dp->skel;
	int err;

	err = bpf_map__set_max_entries(sk->maps.pcf_flow_cache4,
				       dp->ncpus << PCF_CACHE4_SET_BITS);
	if (!err)
		err = bpf_map__set_max_entries(
		    sk->maps.pcf_flow_cache6, dp->ncpus << PCF_CACHE6_SET_BITS);
	if (!err)
		err = bpf_map__set_max_entries(sk->maps.pcf_rule_stats,
					       dp->ncpus * PCF_RULE_SLOTS);
	return err;
}

int pcf_dp_open(const char *pin_dir, struct pcf_dp **ret_dp)
{
	return pcf_dp_open_opts(pin_dir, NULL, ret_dp);
}

/* Named sets (issue 13): their maps, and what an earlier pcfd left. */
static int open_sets(struct pcf_dp *dp)
{
	struct pcf_set_maps *m = &dp->set_maps;
	int err;

	m->v4_fd = bpf_map__fd(dp->skel->maps.pcf_sets4);
	m->v6_fd = bpf_map__fd(dp->skel->maps.pcf_sets6);
	m->info_fd = bpf_map__fd(dp->skel->maps.pcf_set_info);
	err = pcf_sets_new(pcf_set_maps_ops(), m, &dp->sets);
	if (!err && dp->adopted)
		err = pcf_set_maps_adopt(m, dp->sets);
	return err;
}

int pcf_dp_open_opts(const char *pin_dir, const struct pcf_dp_opts *o,
		     struct pcf_dp **ret_dp)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct pcf_table_backend be;
	char path[PATH_MAX];
	int err, ncpus = libbpf_num_possible_cpus();
	struct pcf_dp *dp;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	if (!pin_dir)
		pin_dir = PCF_PIN_DIR_DEFAULT;
	if (strlen(pin_dir) > PCF_PIN_DIR_MAX)
		return -ENAMETOOLONG;
	err = prepare_pin_dir(pin_dir);
	if (err)
		return err;
	err = check_layout(pin_dir, ncpus);
	if (err)
		return err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	dp->ncpus = ncpus;

	snprintf(path, sizeof(path), "%s/pcf_rules", pin_dir);
	dp->adopted = access(path, F_OK) == 0;

	opts.pin_root_path = dp->pin_dir;
	dp->skel = pcf_steer__open_opts(&opts);
	if (!dp->skel) {
		err = -errno;
		goto fail;
	}
	err = size_sessions(dp, o);
	if (!err)
		err = size_cpu_parts(dp);
	if (!err)
		err = pcf_steer__load(dp->skel);
	if (err)
		goto fail;
	dp->ret_skel = pcf_return__open_opts(&opts);
	if (!dp->ret_skel) {
		err = -errno;
		goto fail;
	}
	/*
	 * The kernel adds BPF_F_RDONLY_PROG to every devmap it creates (and
	 * refuses it from us); this libbpf compares flags before reusing a
	 * pinned map, so expect them as the kernel left them.
	 */
	snprintf(path, sizeof(path), "%s/pcf_ret_devmap", pin_dir);
	if (!access(path, F_OK))
		bpf_map__set_map_flags(dp->ret_skel->maps.pcf_ret_devmap,
				       BPF_F_RDONLY_PROG);
	err = pcf_return__load(dp->ret_skel);
	if (!err)
		err = open_maps(dp);
	if (!err)
		err = pcf_ct_maps_open(
		    &dp->ct,
		    &(struct pcf_ct_fds){
			.ct = bpf_map__fd(dp->skel->maps.pcf_ct),
			.filter = bpf_map__fd(dp->skel->maps.pcf_ct_filter),
			.live = bpf_map__fd(dp->skel->maps.pcf_ct_live),
			.stats = bpf_map__fd(dp->skel->maps.pcf_ct_stats),
			.ports = bpf_map__fd(dp->skel->maps.pcf_ct_ports),
			.pools = bpf_map__fd(dp->skel->maps.pcf_ct_pools),
			.ifaddrs = bpf_map__fd(dp->skel->maps.pcf_ct_ifaddrs),
		    },
		    dp->ct.sessions, dp->ncpus);
	if (!err)
		err = adopt_wctr(dp);
	if (!err)
		err = open_sets(dp);
	if (err)
		goto fail;
	pcf_rule_maps_backend(&dp->maps, &be);
	err = pcf_table_new(&be, &dp->table);
	if (!err) {
		/* the sets' bits before the first mask list is published */
		pcf_table_set_bits_init(dp->table, pcf_sets_bits(dp->sets));
		err = pcf_table_load(dp->table);
	}
	if (err)
		goto fail;

	*ret_dp = dp;
	return 0;
fail:
	pcf_dp_close(dp);
	return err;
}

void pcf_dp_close(struct pcf_dp *dp)
{
	if (!dp)
		return;
	pcf_table_free(dp->table);
	pcf_sets_free(dp->sets);
	pcf_ct_maps_close(&dp->ct);
	pcf_grace_free(dp->maps.grace);
	if (dp->maps.slots)
		munmap(dp->maps.slots, dp->rules_len);
	if (dp->maps.state)
		munmap(dp->maps.state, dp->state_len);
	if (dp->maps.xctr)
		munmap(dp->maps.xctr, dp->xctr_len);
	if (dp->maps.wctr)
		munmap(dp->maps.wctr, dp->wctr_len);
	if (dp->heartbeats)
		munmap((void *)dp->heartbeats, dp->heartbeats_len);
	pcf_return__destroy(dp->ret_skel);
	pcf_steer__destroy(dp->skel);
	free(dp);
}

struct pcf_sets *pcf_dp_sets(struct pcf_dp *dp)
{
	return dp->sets;
}

struct pcf_ct_maps *pcf_dp_ct(struct pcf_dp *dp)
{
	return &dp->ct;
}

struct pcf_table *pcf_dp_table(const struct pcf_dp *dp)
{
	return dp->table;
}

const struct pcf_rule *pcf_dp_rules(const struct pcf_dp *dp)
{
	return dp->maps.slots;
}

struct pcf_grace *pcf_dp_grace(const struct pcf_dp *dp)
{
	return dp->maps.grace;
}

int pcf_dp_rule_counters(const struct pcf_dp *dp, __u32 ctr,
			 struct pcf_counter *ret_xdp,
			 struct pcf_counter *ret_workers)
{
	const struct pcf_rule_maps *m = &dp->maps;

	if (ctr >= PCF_RULE_SLOTS)
		return -EINVAL;
	if (ret_xdp)
		*ret_xdp = pcf_rows_sum(m->xctr, dp->ncpus, ctr);
	if (ret_workers)
		*ret_workers = pcf_rows_sum(m->wctr, m->wrows, ctr);
	return 0;
}

int pcf_dp_rule_counters_all(const struct pcf_dp *dp, struct pcf_counter *ret,
			     __u32 n)
{
	__u32 ctr;

	if (n > PCF_RULE_SLOTS)
		return -EINVAL;
	for (ctr = 0; ctr < n; ctr++)
		ret[ctr] = pcf_rows_sum(dp->maps.xctr, dp->ncpus, ctr);
	return 0;
}

/*
 * A map of nrows rows holding the old rows' counters, pinned over the old
 * one in one rename: a crash leaves the old map or the new one.
 */
static int grow_wctr(struct pcf_dp *dp, unsigned int nrows)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	__u32 entries = nrows * PCF_RULE_SLOTS;
	char path[PATH_MAX], tmp[PATH_MAX];
	struct pcf_counter *rows;
	size_t len;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, WCTR_PIN, sizeof(__u32),
			    sizeof(struct pcf_counter), entries, &opts);
	if (fd < 0)
		return -errno;
	rows = map_mmap(fd, (size_t)entries * sizeof(*rows), &len);
	if (!rows) {
		err = -errno;
		goto out;
	}
	if (dp->maps.wctr)
		memcpy(rows, dp->maps.wctr,
		       (size_t)dp->maps.wrows * PCF_RULE_SLOTS * sizeof(*rows));
	snprintf(path, sizeof(path), "%s/" WCTR_PIN, dp->pin_dir);
	/* bpffs takes no dot in a name */
	snprintf(tmp, sizeof(tmp), "%s/" WCTR_PIN "_new", dp->pin_dir);
	unlink(tmp);
	err = bpf_obj_pin(fd, tmp) ? -errno : 0;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		munmap(rows, len);
		goto out;
	}
	if (dp->maps.wctr)
		munmap(dp->maps.wctr, dp->wctr_len);
	dp->maps.wctr = rows;
	dp->maps.wrows = nrows;
	dp->wctr_len = len;
out:
	close(fd);
	return err;
}

int pcf_dp_worker_counters(struct pcf_dp *dp, unsigned int nrows,
			   struct pcf_counter **ret_rows)
{
	int err;

	if (!nrows || nrows > PCF_XSKMAP_SIZE)
		return -EINVAL;
	if (nrows > dp->maps.wrows) {
		err = grow_wctr(dp, nrows);
		if (err)
			return err;
	}
	*ret_rows = dp->maps.wctr;
	return 0;
}

static void link_path(const struct pcf_dp *dp, const char *ifname,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/link_%s", dp->pin_dir, ifname);
}

bool pcf_dp_attached(const struct pcf_dp *dp, const char *ifname)
{
	char path[PATH_MAX];

	link_path(dp, ifname, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/* Give ifindex a block of PCF_MAX_QUEUES xskmap slots of its own. */
static int iface_register(struct pcf_dp *dp, __u32 ifindex, __u32 xdp_flags)
{
	int fd = bpf_map__fd(dp->skel->maps.pcf_ifaces);
	bool used[PCF_MAX_IFACES] = { false };
	struct pcf_iface iface;
	__u32 key, next, *prev = NULL;
	unsigned int i;

	if (!bpf_map_lookup_elem(fd, &ifindex, &iface)) {
		iface.xdp_flags = xdp_flags;
		return bpf_map_update_elem(fd, &ifindex, &iface, BPF_EXIST);
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &iface) &&
		    iface.xsk_base / PCF_MAX_QUEUES < PCF_MAX_IFACES)
			used[iface.xsk_base / PCF_MAX_QUEUES] = true;
		key = next;
		prev = &key;
	}
	for (i = 0; i < PCF_MAX_IFACES && used[i]; i++)
		;
	if (i == PCF_MAX_IFACES)
		return -ENOSPC;
	iface.xsk_base = i * PCF_MAX_QUEUES;
	iface.xdp_flags = xdp_flags;
	return bpf_map_update_elem(fd, &ifindex, &iface, BPF_NOEXIST) ? -errno
								       : 0;
}

static void iface_unregister(struct pcf_dp *dp, __u32 ifindex)
{
	int fd = bpf_map__fd(dp->skel->maps.pcf_ifaces);
	int xfd = pcf_dp_xskmap_fd(dp);
	struct pcf_iface iface;
	__u32 q, key;

	if (bpf_map_lookup_elem(fd, &ifindex, &iface))
		return;
	for (q = 0; q < PCF_MAX_QUEUES; q++) {
		key = iface.xsk_base + q;
		bpf_map_delete_elem(xfd, &key);
	}
	bpf_map_delete_elem(fd, &ifindex);
}

/*
 * Forget the pcf_ifaces entries (and their xskmap slots) of interfaces
 * that no longer exist here: a device that went away while no pcfd
 * watched leaves its entry behind.
 */
static void iface_gc(struct pcf_dp *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.pcf_ifaces);
	__u32 key, next, *prev = NULL, gone[PCF_MAX_IFACES];
	char name[IF_NAMESIZE];
	unsigned int i, n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!if_indextoname(next, name) && n < PCF_MAX_IFACES)
			gone[n++] = next;
		key = next;
		prev = &key;
	}
	for (i = 0; i < n; i++)
		iface_unregister(dp, gone[i]);
}

/*
 * The XDP link pinned at path, when it still holds ifindex.  A link whose
 * device went away (deleted, or its namespace: "Link has been severed"),
 * or that followed a device renamed since, is no attachment of ifname:
 * detach it (nothing to do on a severed one), unpin it and forget its
 * interface, so that a new link takes its place.  -ENOENT: none to adopt.
 */
static int adopt_link(struct pcf_dp *dp, const char *path, __u32 ifindex)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_LINK_TYPE_XDP || info.xdp.ifindex == ifindex)
		return fd; /* ours, or nothing better known: adopt */
	bpf_link_detach(fd);
	close(fd);
	unlink(path);
	if (info.xdp.ifindex)
		iface_unregister(dp, info.xdp.ifindex);
	else
		iface_gc(dp);
	return -ENOENT;
}

static int link_create(int prog_fd, int ifindex, __u32 xdp_flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = xdp_flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

int pcf_dp_attach(struct pcf_dp *dp, const char *ifname,
		  enum pcf_xdp_mode mode, enum pcf_xdp_mode *ret_mode)
{
	int prog_fd = pcf_dp_steer_prog_fd(dp);
	__u32 xdp_flags = XDP_FLAGS_DRV_MODE;
	struct pcf_iface iface;
	char path[PATH_MAX];
	int ifindex, fd, err;

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return -ENODEV;
	link_path(dp, ifname, path, sizeof(path));

	fd = adopt_link(dp, path, ifindex);
	if (fd >= 0) {
		/* adopt the link of an earlier pcfd: swap in our program */
		err = bpf_link_update(fd, prog_fd, NULL);
		close(fd);
		if (err)
			return -errno;
		if (!bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.pcf_ifaces),
					 &ifindex, &iface))
			xdp_flags = iface.xdp_flags;
		goto registered;
	}

	if (mode == PCF_XDP_GENERIC)
		xdp_flags = XDP_FLAGS_SKB_MODE;
	fd = link_create(prog_fd, ifindex, xdp_flags);
	if (fd < 0 && mode == PCF_XDP_AUTO && fd != -EBUSY &&
	    fd != -EEXIST) {
		xdp_flags = XDP_FLAGS_SKB_MODE;
		fd = link_create(prog_fd, ifindex, xdp_flags);
	}
	if (fd < 0)
		return fd;
	err = bpf_obj_pin(fd, path);
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	close(fd); /* the pin keeps the link, and so the attachment */

registered:
	err = iface_register(dp, ifindex, xdp_flags);
	if (err) {
		pcf_dp_detach(dp, ifname);
		return err;
	}
	if (ret_mode)
		*ret_mode = xdp_flags == XDP_FLAGS_SKB_MODE ? PCF_XDP_GENERIC
							    : PCF_XDP_NATIVE;
	return 0;
}

/*
 * Detach the link pinned for name (even if someone else still holds it;
 * nothing to do on a severed one) and unpin it; -ENOENT: none pinned.
 */
static int link_unpin(const struct pcf_dp *dp, const char *name)
{
	char path[PATH_MAX];
	int fd;

	link_path(dp, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	bpf_link_detach(fd);
	close(fd);
	return unlink(path) ? -errno : 0;
}

int pcf_dp_detach(struct pcf_dp *dp, const char *ifname)
{
	int ifindex, err = link_unpin(dp, ifname);

	if (err)
		return err;
	ifindex = if_nametoindex(ifname);
	if (ifindex)
		iface_unregister(dp, ifindex);
	return 0;
}

int pcf_dp_iface_gone(struct pcf_dp *dp, const char *ifname, __u32 ifindex)
{
	int ret_fd = bpf_map__fd(dp->ret_skel->maps.pcf_ret_devmap);
	int err = link_unpin(dp, ifname);

	iface_unregister(dp, ifindex);
	bpf_map_delete_elem(ret_fd, &ifindex);
	return err == -ENOENT ? 0 : err;
}

int pcf_dp_unpin(struct pcf_dp *dp)
{
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/" WCTR_PIN, dp->pin_dir);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	err = bpf_object__unpin_maps(dp->ret_skel->obj, NULL);
	if (!err)
		err = bpf_object__unpin_maps(dp->skel->obj, NULL);
	if (err)
		return err;
	if (rmdir(dp->pin_dir))
		return -errno; /* -ENOTEMPTY: links of other interfaces */
	return 0;
}

int pcf_pins_remove(const char *pin_dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	int fd, err = 0;
	DIR *dir;

	dir = opendir(pin_dir);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		if (!strncmp(e->d_name, "link_", 5)) {
			fd = bpf_obj_get(path);
			if (fd >= 0) {
				bpf_link_detach(fd);
				close(fd);
			}
		}
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(dir);
	if (!err && rmdir(pin_dir))
		err = -errno;
	return err;
}

static int config_read(struct pcf_dp *dp, struct pcf_config *ret)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.pcf_config),
				   &zero, ret)
		   ? -errno
		   : 0;
}

static int config_write(struct pcf_dp *dp, const struct pcf_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(dp->skel->maps.pcf_config),
				   &zero, cfg, BPF_ANY)
		   ? -errno
		   : 0;
}

/*
 * pcfd is the only writer of pcf_config, from its main thread: read,
 * change one field, write back keeps the others.
 */
int pcf_dp_set_default(struct pcf_dp *dp, enum pcf_verdict verdict)
{
	struct pcf_config cfg;
	int err;

	if (verdict != PCF_VERDICT_PASS && verdict != PCF_VERDICT_DROP)
		return -EINVAL;
	err = config_read(dp, &cfg);
	if (err)
		return err;
	cfg.default_verdict = verdict;
	return config_write(dp, &cfg);
}

int pcf_dp_get_default(struct pcf_dp *dp, enum pcf_verdict *ret_verdict)
{
	struct pcf_config cfg;
	int err = config_read(dp, &cfg);

	if (!err)
		*ret_verdict = cfg.default_verdict;
	return err;
}

int pcf_dp_set_redirect_limits(struct pcf_dp *dp, __u32 max_packet,
			       __u64 worker_timeout_ns)
{
	struct pcf_config cfg;
	int err = config_read(dp, &cfg);

	if (err)
		return err;
	cfg.max_packet = max_packet;
	cfg.worker_timeout_ns = worker_timeout_ns;
	return config_write(dp, &cfg);
}

int pcf_dp_set_vxlan_ports(struct pcf_dp *dp, const __u16 *ports)
{
	struct pcf_config cfg;
	int err = config_read(dp, &cfg), i;

	if (err)
		return err;
	for (i = 0; i < PCF_VXLAN_PORTS_MAX; i++)
		cfg.vxlan_ports[i] = htons(ports[i]);
	return config_write(dp, &cfg);
}

int pcf_dp_read_stats(struct pcf_dp *dp, struct pcf_counter *ret)
{
	int fd = bpf_map__fd(dp->skel->maps.pcf_stats);
	__u32 i;
	int err;

	for (i = 0; i < PCF_STAT_MAX; i++) {
		err = pcf_percpu_sum(fd, i, dp->ncpus, &ret[i]);
		if (err)
			return err;
	}
	return 0;
}

int pcf_dp_xskmap_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_xskmap);
}

int pcf_dp_ifaces_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_ifaces);
}

int pcf_dp_neigh_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_neigh);
}

int pcf_dp_neigh_miss_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_neigh_miss);
}

int pcf_dp_steer_prog_fd(const struct pcf_dp *dp)
{
	return bpf_program__fd(dp->skel->progs.pcf_steer);
}

int pcf_dp_return_prog_fd(const struct pcf_dp *dp)
{
	return bpf_program__fd(dp->ret_skel->progs.pcf_return);
}

static const char *const ret_stat_names[PCF_RET_STAT_MAX] = {
	[PCF_RET_REDIRECT] = "return_redirect",
	[PCF_RET_PASS_LOCAL] = "return_pass_local",
	[PCF_RET_PASS_NO_NEIGH] = "return_pass_no_neigh",
	[PCF_RET_PASS_NOT_DEVMAP] = "return_pass_not_devmap",
	[PCF_RET_PASS_MARKED] = "return_pass_marked",
	[PCF_RET_PASS_OTHER] = "return_pass_other",
	[PCF_RET_REDIRECT_FAILED] = "return_redirect_failed",
};

const char *pcf_ret_stat_name(enum pcf_ret_stat s)
{
	return (unsigned int)s < PCF_RET_STAT_MAX ? ret_stat_names[s] : "?";
}

/*
 * Adopt the XDP link pinned at path (switch it to prog_fd) unless it is
 * stale (adopt_link), or create one.
 */
static int pin_or_adopt(struct pcf_dp *dp, const char *path, int prog_fd,
			int ifindex)
{
	int fd, err;

	fd = adopt_link(dp, path, ifindex);
	if (fd >= 0) {
		err = bpf_link_update(fd, prog_fd, NULL) ? -errno : 0;
		close(fd);
		return err;
	}
	fd = link_create(prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
	if (fd < 0)
		fd = link_create(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (fd < 0)
		return fd;
	err = bpf_obj_pin(fd, path) ? -errno : 0;
	close(fd); /* the pin keeps the link */
	return err;
}

/*
 * The mark program sits on tc ingress (clsact) of the peer, attached by
 * netlink (this libbpf predates tcx links): it stays attached without
 * pcfd, and a new pcfd replaces it in place.
 */
#define RET_TC_HANDLE 1
#define RET_TC_PRIO   1

static int tc_attach(int prog_fd, int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RET_TC_HANDLE,
			    .priority = RET_TC_PRIO, .prog_fd = prog_fd,
			    .flags = BPF_TC_F_REPLACE);
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

static void tc_detach(int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RET_TC_HANDLE,
			    .priority = RET_TC_PRIO);

	bpf_tc_detach(&hook, &opts);
}

int pcf_dp_return_attach(struct pcf_dp *dp, const char *peer)
{
	char path[PATH_MAX];
	int ifindex, err;

	ifindex = if_nametoindex(peer);
	if (!ifindex)
		return -ENODEV;
	link_path(dp, peer, path, sizeof(path));
	err = pin_or_adopt(dp, path, pcf_dp_return_prog_fd(dp), ifindex);
	if (err)
		return err;
	err = tc_attach(bpf_program__fd(dp->ret_skel->progs.pcf_return_mark),
			ifindex);
	if (err)
		pcf_dp_return_detach(dp, peer);
	return err;
}

int pcf_dp_return_detach(struct pcf_dp *dp, const char *peer)
{
	int ifindex = if_nametoindex(peer);

	if (ifindex)
		tc_detach(ifindex);
	return link_unpin(dp, peer);
}

int pcf_dp_return_allow(struct pcf_dp *dp, __u32 ifindex)
{
	int fd = bpf_map__fd(dp->ret_skel->maps.pcf_ret_devmap);

	return bpf_map_update_elem(fd, &ifindex, &ifindex, BPF_ANY) ? -errno
								    : 0;
}

int pcf_dp_read_return_stats(struct pcf_dp *dp, struct pcf_counter *ret)
{
	int fd = bpf_map__fd(dp->ret_skel->maps.pcf_ret_stats);
	__u32 i;
	int err;

	for (i = 0; i < PCF_RET_STAT_MAX; i++) {
		err = pcf_percpu_sum(fd, i, dp->ncpus, &ret[i]);
		if (err)
			return err;
	}
	return 0;
}
