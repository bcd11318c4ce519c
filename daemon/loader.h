/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * loader.h - the pcf data plane as user space sees it: open (or adopt) the
 * pinned steering object, attach it to interfaces through pinned bpf_links,
 * read its counters, and manage flow rules (rules.c).
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

#define PCF_PIN_DIR_DEFAULT "/sys/fs/bpf/pcf"

enum pcf_xdp_mode {
	PCF_XDP_AUTO = 0, /* native, or generic when native is refused */
	PCF_XDP_NATIVE,
	PCF_XDP_GENERIC,
};

struct pcf_mask_state {
	struct pcf_key mask;
	__u64 best_rank;
	__u32 nrules;
	bool used;
};

struct pcf_steer;
struct pcf_return;

/* One opened data plane: the skeleton plus pcfd's cache of the rule table. */
struct pcf_dp {
	struct pcf_steer *skel;
	struct pcf_return *ret_skel; /* pcf_return, its maps pinned beside */
	char pin_dir[256];
	bool adopted; /* the maps were already pinned */
	int ncpus;

	const struct pcf_rule *rules; /* mmap of pcf_rules, read-only */
	size_t rules_len;
	/* mmap of pcf_heartbeat: PCF_XSKMAP_SIZE entries the workers write */
	volatile __u64 *heartbeats;
	size_t heartbeats_len;

	/* cache rebuilt from pcf_rules at open */
	struct pcf_mask_state masks[PCF_MAX_MASKS];
	void *by_id; /* tsearch tree: rule id -> slot */
	__u16 *filter4_refs; /* pcf_flows4 entries behind each pcf_filter4 bit */
	__u32 nrules;
	__u32 next_id;
	__u32 next_slot;
};

/*
 * Load the steering program and pin its maps under pin_dir (NULL: the
 * default).  Maps already pinned there are reused, rules and counters
 * included.  -ENOTSUP: pin_dir is not on a bpffs.
 */
int pcf_dp_open(const char *pin_dir, struct pcf_dp **ret_dp);
void pcf_dp_close(struct pcf_dp *dp);

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

/* XDP counters, summed over CPUs: ret has PCF_STAT_MAX entries. */
int pcf_dp_read_stats(struct pcf_dp *dp, struct pcf_counter *ret);

/* Sum key of the per-CPU counter map fd over ncpus CPUs. */
int pcf_percpu_sum(int fd, __u32 key, int ncpus, struct pcf_counter *ret);

/* Map fds the workers need. */
int pcf_dp_xskmap_fd(const struct pcf_dp *dp);
int pcf_dp_ifaces_fd(const struct pcf_dp *dp);

int pcf_dp_steer_prog_fd(const struct pcf_dp *dp);
int pcf_dp_return_prog_fd(const struct pcf_dp *dp);

/* Names for printing and JSON keys (verdicts: pcf_genl_verdict_name) */
const char *pcf_reason_name(enum pcf_reason r);
const char *pcf_xdp_mode_name(enum pcf_xdp_mode m);

/* Is path on a bpf filesystem? */
bool pcf_is_bpffs(const char *path);

#endif /* PCF_LOADER_H */
