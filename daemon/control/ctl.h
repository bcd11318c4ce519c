/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl.h - pcfd's control server: the pcf family (genl/pcf_genl.h) on a
 * NETLINK_USERSOCK socket bound to a well-known port id.
 *
 * Reads (flow get/dump, stats) are open to every local user; changes need
 * uid 0 or CAP_NET_ADMIN where the kernel would ask for it, judged from
 * the kernel-verified SCM_CREDENTIALS of each datagram (ctl_judge.h).
 * Changes are announced to the events multicast group.  No client can
 * make pcfd wait: what it does not read waits for it alone (ctl_out.h).
 */
#ifndef PCF_CTL_H
#define PCF_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "loader.h"

struct nlmsghdr;
struct pcf_ctl;
struct pcf_table;
struct pcf_worker_info;
struct pcf_link;
struct pcf_ctl_sessions;
struct pcf_ct_session;
struct pcf_ct_totals;

/*
 * Where the AF_XDP workers' counters come from: pcfd hands its workers in
 * here (the control server does not link the workers itself, so it runs
 * without them, as in the fuzzer).  ctx is the callbacks' first argument.
 */
struct pcf_ctl_workers {
	unsigned int (*count)(const void *ctx);
	int (*info)(const void *ctx, unsigned int i,
		    struct pcf_worker_info *ret);
	const char *(*drop_name)(unsigned int reason);
	unsigned int ndrops; /* drop reasons: 1 .. ndrops - 1 */
	/* the interfaces pcfd uses, with their counters; -ENOENT past the
	 * end, another error: skip that one */
	int (*link)(const void *ctx, unsigned int i, struct pcf_link *ret);
	/* does a worker send on ifindex?  (a mirror there is refused if not) */
	bool (*runs_on)(const void *ctx, __u32 ifindex);
	const void *ctx;
};

/*
 * How replies leave: to port (unicast) or to the groups bit mask
 * (multicast, port 0), never waiting: -EAGAIN when the receiver's buffer
 * is full.  Unicast output a client cannot take yet waits for it in the
 * control server (ctl_out.h), so no client can stall pcfd.  The socket's
 * sendto by default; the fuzzer passes a sink.
 */
typedef int (*pcf_ctl_send_fn)(void *ctx, const void *buf, size_t len,
			       __u32 port, __u32 groups);

/*
 * Bind the control socket at port.  -EADDRINUSE: someone holds the port
 * (pcf_ctl_port_owner says who).
 */
int pcf_ctl_open(struct pcf_dp *dp, __u32 port, struct pcf_ctl **ret_ctl);
/*
 * A control server with no socket: replies go to send; what it refuses is
 * dropped, and a dump is sent whole before pcf_ctl_handle returns.  Rules
 * in table; counters and stats from dp (NULL: none, as in the fuzzer).
 */
int pcf_ctl_new(struct pcf_table *table, struct pcf_dp *dp,
		pcf_ctl_send_fn send, void *ctx, struct pcf_ctl **ret_ctl);
void pcf_ctl_close(struct pcf_ctl *ctl);

/*
 * What to wait on: readable when pcf_ctl_serve has work (a datagram on
 * the socket, or output for a client that is due).
 */
int pcf_ctl_fd(const struct pcf_ctl *ctl);

/* Why a mirror to ifindex is refused (no worker runs there), into buf. */
const char *pcf_ctl_mirror_refusal(__u32 ifindex, char *buf, size_t len);

/* Report these workers in stats and flow replies (NULL: none). */
void pcf_ctl_set_workers(struct pcf_ctl *ctl, const struct pcf_ctl_workers *w);

/*
 * Sessions (ctl_session.h): their timeouts and totals, from pcfd (NULL:
 * the default timeouts, no totals).  The session commands work on dp's
 * table; without a dp (the fuzzer) they find none.
 */
void pcf_ctl_set_sessions(struct pcf_ctl *ctl,
			  const struct pcf_ctl_sessions *s);
/*
 * Tell the sessions group that s was made (created) or unmade: gathered,
 * sent when a datagram is full or on pcf_ctl_flush_events.
 */
void pcf_ctl_session_event(struct pcf_ctl *ctl, bool created,
			   const struct pcf_ct_session *s);
void pcf_ctl_flush_events(struct pcf_ctl *ctl);
/* Sessions deleted by session del and session flush. */
__u64 pcf_ctl_sessions_deleted(const struct pcf_ctl *ctl);
/* The session table's totals as STATS_GET says them; -ENOENT: no table. */
int pcf_ctl_session_totals(const struct pcf_ctl *ctl,
			   struct pcf_ct_totals *ret);

/*
 * Serve what is ready (call when pcf_ctl_fd is readable): at most one
 * datagram, and a bounded share of the output waiting for clients; never
 * blocks.
 */
int pcf_ctl_serve(struct pcf_ctl *ctl);
/*
 * For the watchdog: datagrams taken off the socket so far, and whether
 * some wait on it now.
 */
unsigned long pcf_ctl_served(const struct pcf_ctl *ctl);
bool pcf_ctl_waiting(const struct pcf_ctl *ctl);

/*
 * The changes of the rule table, as every interface makes them (netlink
 * here, HTTP in http_flows.c): the rule checked whole (pcf_rule_validate,
 * and a mirror no worker can send is refused) before any map is touched,
 * the table changed, the change announced to the events group.  0, or
 * -errno with why filled: EINVAL (the rule), ENODEV (its mirror), EEXIST,
 * ENOENT, ENOSPC, ETOOMANYREFS, EBUSY, ETIMEDOUT (the table), another
 * (the maps).  Whoever calls them has judged the caller first
 * (ctl_judge.h).
 */
enum pcf_ctl_part {
	PCF_CTL_PART_NONE, /* the table, not the rule */
	PCF_CTL_PART_MATCH,
	PCF_CTL_PART_PRIO,
	PCF_CTL_PART_ACTION,
	PCF_CTL_PART_MIRROR,
};

struct pcf_ctl_refusal {
	enum pcf_ctl_part part; /* which part of the rule is refused */
	const char *msg;	/* a sentence for a person */
	char buf[400];		/* msg may point here */
};

/* Add spec (PCF_TABLE_* flags); ret_rule: the rule as added, with its id. */
int pcf_ctl_flow_add(struct pcf_ctl *ctl, const struct pcf_rule *spec,
		     unsigned int flags, struct pcf_rule *ret_rule,
		     struct pcf_ctl_refusal *why);
/* Delete rule id; ret_rule: the rule that went. */
int pcf_ctl_flow_del(struct pcf_ctl *ctl, __u32 id, struct pcf_rule *ret_rule,
		     struct pcf_ctl_refusal *why);

/*
 * May the process of pidfd change the rules, for a peer whose credentials
 * said uid when it connected (SO_PEERCRED, SO_PEERPIDFD)?  Judged by the
 * judge the netlink requests meet (pcf_judge_admin_pidfd).  0 or -EPERM
 * with the reason in why.
 */
int pcf_ctl_judge_peer(const struct pcf_ctl *ctl, int pidfd, uid_t uid,
		       char *why, size_t len);

/*
 * The STATS_GET reply (seq) in buf: *ret its message.  -errno, with *why
 * (or NULL) saying why, as the netlink request would be answered.
 */
int pcf_ctl_stats_msg(struct pcf_ctl *ctl, void *buf, size_t size, __u32 seq,
		      struct nlmsghdr **ret, const char **why);

/* The workers pcf_ctl_set_workers gave (NULL: none). */
const struct pcf_ctl_workers *pcf_ctl_get_workers(const struct pcf_ctl *ctl);

/*
 * Handle one datagram from port with the sender's credentials (NULL: none
 * came, the sender counts as unprivileged).  Every message in it gets its
 * answer; nothing the sender writes can make this fail.
 */
void pcf_ctl_handle(struct pcf_ctl *ctl, const void *buf, size_t len,
		    __u32 port, const struct ucred *cred);

/*
 * Describe who holds a NETLINK_USERSOCK port id in this network namespace
 * ("pid 123 (comm)"), from /proc/net/netlink and /proc/PID/fd.
 * -ENOENT if it cannot tell.
 */
int pcf_ctl_port_owner(__u32 port, char *buf, size_t len);

#endif /* PCF_CTL_H */
