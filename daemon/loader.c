// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * loader.c - open or adopt the pinned steering object and attach it.
 */
#include <errno.h>
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

#include "loader.h"
#include "rules.h"
#include "pcf_return.skel.h"
#include "pcf_steer.skel.h"

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

/* mmap len bytes (rounded up to pages) of a BPF_F_MMAPABLE array. */
static int map_mmap(int fd, size_t len, int prot, void **ret, size_t *ret_len)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	len = (len + page - 1) / page * page;
	p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*ret = p;
	*ret_len = len;
	return 0;
}

static int mmap_maps(struct pcf_dp *dp)
{
	void *p;
	int err;

	err = map_mmap(bpf_map__fd(dp->skel->maps.pcf_rules),
		       sizeof(struct pcf_rule) * PCF_MAX_RULES, PROT_READ, &p,
		       &dp->rules_len);
	if (err)
		return err;
	dp->rules = p;
	err = map_mmap(bpf_map__fd(dp->skel->maps.pcf_heartbeat),
		       sizeof(__u64) * PCF_XSKMAP_SIZE, PROT_READ | PROT_WRITE,
		       &p, &dp->heartbeats_len);
	if (err)
		return err;
	dp->heartbeats = p;
	return 0;
}

int pcf_dp_open(const char *pin_dir, struct pcf_dp **ret_dp)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	char path[PATH_MAX];
	struct pcf_dp *dp;
	int err;

	if (!pin_dir)
		pin_dir = PCF_PIN_DIR_DEFAULT;
	if (strlen(pin_dir) >= sizeof(dp->pin_dir) - 32)
		return -ENAMETOOLONG;
	err = prepare_pin_dir(pin_dir);
	if (err)
		return err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus <= 0) {
		err = dp->ncpus ? dp->ncpus : -EINVAL;
		goto fail;
	}

	snprintf(path, sizeof(path), "%s/pcf_rules", pin_dir);
	dp->adopted = access(path, F_OK) == 0;

	opts.pin_root_path = dp->pin_dir;
	dp->skel = pcf_steer__open_opts(&opts);
	if (!dp->skel) {
		err = -errno;
		goto fail;
	}
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
	if (err)
		goto fail;
	err = mmap_maps(dp);
	if (err)
		goto fail;
	err = pcf_rules_load(dp);
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
	pcf_rules_free(dp);
	if (dp->rules)
		munmap((void *)dp->rules, dp->rules_len);
	if (dp->heartbeats)
		munmap((void *)dp->heartbeats, dp->heartbeats_len);
	pcf_return__destroy(dp->ret_skel);
	pcf_steer__destroy(dp->skel);
	free(dp);
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
	int err;

	err = bpf_object__unpin_maps(dp->ret_skel->obj, NULL);
	if (!err)
		err = bpf_object__unpin_maps(dp->skel->obj, NULL);
	if (err)
		return err;
	if (rmdir(dp->pin_dir))
		return -errno; /* -ENOTEMPTY: links of other interfaces */
	return 0;
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

/* Sum one key of a per-CPU counter map. */
int pcf_percpu_sum(int fd, __u32 key, int ncpus, struct pcf_counter *ret)
{
	struct pcf_counter vals[ncpus];
	int i;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	ret->packets = ret->bytes = 0;
	for (i = 0; i < ncpus; i++) {
		ret->packets += vals[i].packets;
		ret->bytes += vals[i].bytes;
	}
	return 0;
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
