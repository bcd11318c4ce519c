/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * loader.h - the pcf data plane as user space sees it: open (or adopt) the
 * pinned steering object, attach it to interfaces through pinned bpf_links,
 * read its counters; its rule table (table/table.h) writes through the
 * pinned maps (rule_maps.c).
 *
 * Every function returns 0 or a negative errno and logs nothing: the
 * caller decides how to tell the user.
 */
#ifndef PCF_LOADER_H
#define PCF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#include "pcf_abi.h"
#include "ct_maps.h"
#include "rule_maps.h"
#include "set_maps.h"

#define PCF_PIN_DIR_DEFAULT "/sys/fs/bpf/pcf"
/* the longest pin directory: room is left for "/link_IFNAME" and the like */
#define PCF_PIN_DIR_MAX 223

enum pcf_xdp_mode {
	PCF_XDP_AUTO = 0, /* native, or generic when native is refused */
	PCF_XDP_NATIVE,
	PCF_XDP_GENERIC,
};

struct pcf_steer;
struct pcf_return;
struct pcf_table;

/* One opened data plane: the skeletons, the maps, the rule table. */
struct pcf_dp {
	struct pcf_steer *skel;
	struct pcf_return *ret_skel; /* pcf_return, its maps pinned beside */
	char pin_dir[PCF_PIN_DIR_MAX + 33];
	bool adopted; /* the maps were already pinned */
	int ncpus;

	struct pcf_rule_maps maps; /* what the table writes through */
	struct pcf_table *table;
	size_t rules_len, state_len, xctr_len, wctr_len; /* the mmaps in maps */
	/* mmap of pcf_heartbeat: PCF_XSKMAP_SIZE entries the workers write */
	volatile __u64 *heartbeats;
	size_t heartbeats_len;
	struct pcf_ct_maps ct; /* the session table */
	/* named sets (issue 13) */
	struct pcf_set_maps set_maps;
	struct pcf_sets *sets;
};

/* What pcf_dp_open_opts makes of maps not pinned yet. */
struct pcf_dp_opts {
	/* the session table's capacity (PCF_CT_SESSIONS_MIN..MAX; 0: the
	 * default); a table pinned already keeps its own */
	__u32 sessions;
};

/*
 * Load the steering program and pin its maps under pin_dir (NULL: the
 * default).  Maps already pinned there are reused, rules and counters
 * included.  -ENOTSUP: pin_dir is not on a bpffs; -EPROTO: the maps
 * pinned there have another layout (an older pcf: pcfd --unload them);
 * -EUCLEAN: the pinned rules are not a table pcf wrote.
 */
int pcf_dp_open(const char *pin_dir, struct pcf_dp **ret_dp);
/* The same, with the sizes of opts (NULL: the defaults). */
int pcf_dp_open_opts(const char *pin_dir, const struct pcf_dp_opts *opts,
		     struct pcf_dp **ret_dp);
void pcf_dp_close(struct pcf_dp *dp);
/* The named sets (table/sets.h), their bits in pcf_dp_table's lists. */
struct pcf_sets *pcf_dp_sets(struct pcf_dp *dp);
/* The session table (ct_maps.h). */
struct pcf_ct_maps *pcf_dp_ct(struct pcf_dp *dp);

/*
 * Attach to ifname through a bpf_link pinned as PIN_DIR/link_IFNAME; a link
 * pinned by an earlier pcfd is adopted and switched to this program, unless
 * it no longer holds ifname's device (the device was deleted or renamed
 * since: the kernel's "Link has been severed"): then a new link replaces
 * it.
 * *ret_mode tells which mode the program runs in.
 */
int pcf_dp_attach(struct pcf_dp *dp, const char *ifname,
		  enum pcf_xdp_mode mode, enum pcf_xdp_mode *ret_mode);
int pcf_dp_detach(struct pcf_dp *dp, const char *ifname);
/*
 * ifname (attached as ifindex) went away or was renamed: unpin its link
 * (detaching it from a renamed device), forget its xskmap slots and take
 * it out of pcf_return's devmap.
 */
int pcf_dp_iface_gone(struct pcf_dp *dp, const char *ifname, __u32 ifindex);
/* Is ifname attached (a link is pinned for it)? */
bool pcf_dp_attached(const struct pcf_dp *dp, const char *ifname);

/* Remove every pinned map and the pin directory (after detaching). */
int pcf_dp_unpin(struct pcf_dp *dp);
/*
 * Without opening anything (the maps may be of an older layout): detach
 * every link pinned in pin_dir, remove every pin and the directory.
 */
int pcf_pins_remove(const char *pin_dir);

/*
 * The return path: attach pcf_return to peer (the kernel's end of the
 * return veth) through a bpf_link pinned as PIN_DIR/link_PEER (XDP) and
 * a tc ingress filter (for the mark); a link pinned by an earlier pcfd is
 * adopted.
 */
int pcf_dp_return_attach(struct pcf_dp *dp, const char *peer);
int pcf_dp_return_detach(struct pcf_dp *dp, const char *peer);
/* Let pcf_return redirect to ifindex (its devmap). */
int pcf_dp_return_allow(struct pcf_dp *dp, __u32 ifindex);
/* pcf_return's counters, summed over CPUs: PCF_RET_STAT_MAX entries. */
int pcf_dp_read_return_stats(struct pcf_dp *dp, struct pcf_counter *ret);
/* "return_redirect", "return_pass_local", ... */
const char *pcf_ret_stat_name(enum pcf_ret_stat s);

/* The rule table; its rules, read-only, as the workers see them. */
struct pcf_table *pcf_dp_table(const struct pcf_dp *dp);
const struct pcf_rule *pcf_dp_rules(const struct pcf_dp *dp);
struct pcf_grace *pcf_dp_grace(const struct pcf_dp *dp);

/*
 * Counters of counter index ctr (pcf_rule.ctr): the steering program's
 * (xdp) and the workers' pipelines' (workers), summed.  Either may be NULL.
 */
int pcf_dp_rule_counters(const struct pcf_dp *dp, __u32 ctr,
			 struct pcf_counter *ret_xdp,
			 struct pcf_counter *ret_workers);
/*
 * The steering program's counters of counter indexes 0 .. n - 1 (at most
 * PCF_RULE_SLOTS), summed over the CPUs, into ret (n entries), read from
 * the mapped rows without a system call (a scrape of /metrics reads them
 * all).
 */
int pcf_dp_rule_counters_all(const struct pcf_dp *dp, struct pcf_counter *ret,
			     __u32 n);
/*
 * The workers' per-rule counters: nrows rows of PCF_RULE_SLOTS counters,
 * one row per worker, in a pinned map (pcf_wrule_stats) that survives
 * restarts; grown (keeping what it holds) when a restart needs more rows.
 * Only while no worker runs.
 */
int pcf_dp_worker_counters(struct pcf_dp *dp, unsigned int nrows,
			   struct pcf_counter **ret_rows);

/* Verdict for packets no rule matches: PASS or DROP. */
int pcf_dp_set_default(struct pcf_dp *dp, enum pcf_verdict verdict);
int pcf_dp_get_default(struct pcf_dp *dp, enum pcf_verdict *ret_verdict);
/*
 * What REDIRECT rules send to a worker (pcf_config): frames of at most
 * max_packet bytes (0: any), to queues whose worker beat within
 * worker_timeout_ns (0: no check); the rest go to the kernel.
 */
int pcf_dp_set_redirect_limits(struct pcf_dp *dp, __u32 max_packet,
			       __u64 worker_timeout_ns);

/*
 * VXLAN (issue 13): the UDP destination ports (host order, 0 ends them,
 * at most PCF_VXLAN_PORTS_MAX) of the frames encap rules look into.
 */
int pcf_dp_set_vxlan_ports(struct pcf_dp *dp, const __u16 *ports);

/* XDP counters, summed over CPUs: ret has PCF_STAT_MAX entries. */
int pcf_dp_read_stats(struct pcf_dp *dp, struct pcf_counter *ret);

/* Map fds the workers need. */
int pcf_dp_xskmap_fd(const struct pcf_dp *dp);
int pcf_dp_ifaces_fd(const struct pcf_dp *dp);
/* explicit egress (issue 13): pcf_neigh and pcf_neigh_miss */
int pcf_dp_neigh_fd(const struct pcf_dp *dp);
int pcf_dp_neigh_miss_fd(const struct pcf_dp *dp);

int pcf_dp_steer_prog_fd(const struct pcf_dp *dp);
int pcf_dp_return_prog_fd(const struct pcf_dp *dp);

/* Names for printing and JSON keys (verdicts: pcf_genl_verdict_name) */
const char *pcf_reason_name(enum pcf_reason r);
const char *pcf_xdp_mode_name(enum pcf_xdp_mode m);

/* Is path on a bpf filesystem? */
bool pcf_is_bpffs(const char *path);

#endif /* PCF_LOADER_H */
