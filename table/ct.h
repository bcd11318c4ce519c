/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct.h - sessions (connection tracking), pure: what a new connection's
 * session is (its two entries, its NAT), how it is made and unmade
 * through a small backend (struct pcf_ct_ops: the pinned hash pcf_ct in
 * pcfd, daemon/dataplane/ct_maps.c; memory in tests), which state a
 * session is in and when it expires.  The layout is bpf/pcf_abi.h's
 * ("Sessions"); the port pools of ct snat are ct_ports.h.
 *
 * Making a session (pcf_ct_create), as two workers (or a worker and
 * pcf_steer) may try it at once for one connection, and as its NAT port
 * must be nobody else's:
 *  1. a port from the pool of (NAT address, protocol), if the session
 *     allocates one (ct_ports.h: nobody holds it);
 *  2. the reply entry, BPF_NOEXIST: taken means the translated tuple is
 *     in use by another session (a port pcf did not give: try another);
 *  3. the original entry, BPF_NOEXIST: taken means another worker made
 *     this connection's session first: take its entry back out, give the
 *     port back, and use the winner's translation.
 * So there is never more than one session for one tuple, no port given
 * twice, and a loser needs no lock and leaves nothing behind.  The reply
 * entry goes first because nobody can send to the translated tuple
 * before the first packet went out with it.
 */
#ifndef PCF_CT_H
#define PCF_CT_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcf_abi.h"

struct pcf_ct_pools;

/*
 * The clock sessions are stamped with: pcf_steer's bpf_ktime_get_coarse_ns(),
 * CLOCK_MONOTONIC_COARSE, in ns.
 */
__u64 pcf_ct_now(void);

/* ---- states and timeouts ---- */

/*
 * What a session is (enum pcf_ct_state, pcf_abi.h: pcfd reports it), told
 * from both entries: TCP by the flags each direction sent (no window
 * tracking), the others by whether the replies came.  As Linux conntrack
 * names them (CLOSE_WAIT and LAST_ACK are told apart from FIN_WAIT by
 * sequence numbers, which pcf does not follow: one FIN is FIN_WAIT, both
 * TIME_WAIT).
 */

/* The timeouts, by what they apply to (pcfd --ct-timeout-NAME SEC). */
enum pcf_ct_timeout {
	PCF_CT_T_TCP_SYN_SENT = 0,
	PCF_CT_T_TCP_SYN_RECV,
	PCF_CT_T_TCP_ESTABLISHED,
	PCF_CT_T_TCP_FIN_WAIT,
	PCF_CT_T_TCP_TIME_WAIT,
	PCF_CT_T_TCP_CLOSE,
	PCF_CT_T_UDP,	     /* unreplied, or replied within 2 s */
	PCF_CT_T_UDP_STREAM, /* replied, alive after 2 s */
	PCF_CT_T_ICMP,	     /* ICMP and ICMPv6 echo */
	PCF_CT_T_GENERIC,    /* other protocols */
	PCF_CT_T_MAX,
};

/* A replied UDP session becomes a stream when a packet still came so long
 * after it began (Linux conntrack's 2 s). */
#define PCF_CT_STREAM_AFTER_NS (2ULL * 1000000000)
#define PCF_CT_TIMEOUT_MAX     (30U * 86400) /* seconds */

struct pcf_ct_timeouts {
	__u32 sec[PCF_CT_T_MAX];
};

/* Linux conntrack's defaults (nf_conntrack_proto_{tcp,udp,icmp,generic}). */
void pcf_ct_timeouts_default(struct pcf_ct_timeouts *ret);
/* "tcp-established", ... (the --ct-timeout-NAME of each); -EINVAL */
const char *pcf_ct_timeout_name(enum pcf_ct_timeout t);
int pcf_ct_timeout_parse(const char *name);
/* "pass", "redirect", ... (pcf_steer's session counters) */
const char *pcf_ct_xstat_name(enum pcf_ct_xstat s);

/*
 * The state of a session from its original and reply entries (reply NULL:
 * none found; then as if nothing came back).
 */
enum pcf_ct_state pcf_ct_state(const struct pcf_ct_entry *orig,
			       const struct pcf_ct_entry *reply);
/* Which timeout a session of proto in state s has. */
enum pcf_ct_timeout pcf_ct_timeout_of(__u8 proto, enum pcf_ct_state s);
/* When it expires: its last packet either way plus its timeout (ns). */
__u64 pcf_ct_expires(const struct pcf_ct_entry *orig,
		     const struct pcf_ct_entry *reply,
		     const struct pcf_ct_timeouts *t);

/* ---- a new connection's NAT ---- */

/* (the default source ports, PCF_CT_PORT_{MIN,MAX}_DEFAULT: pcf_abi.h) */
/* how many taken reply tuples a new session tries before it gives up */
#define PCF_CT_COLLISIONS_MAX 16

/*
 * What a new connection's session rewrites, from its rule: the tuple its
 * original packets leave with (xlat), and whether its source port comes
 * from a pool (then xlat.sport is only the preferred one).
 */
struct pcf_ct_plan {
	struct pcf_ct_key xlat;
	__u8 flags;   /* PCF_CT_NAT, _PORT, _SNAT, _DNAT */
	__u16 lo, hi; /* with PCF_CT_PORT: the range, host order */
};

/*
 * The plan for a connection whose original tuple is orig (ports: does
 * orig carry a source port that NAT may change: TCP, UDP, an ICMP echo
 * request), by the rule's action and snat_port_max (pcf_abi.h); masq:
 * the egress interface's address for PCF_ACT_MASQ (NULL: none, then
 * -EADDRNOTAVAIL).  -EAFNOSUPPORT: a NAT address of another family.
 */
int pcf_ct_plan(const struct pcf_ct_key *orig, bool ports,
		const struct pcf_action *act, __be16 snat_port_max,
		const __u8 *masq, struct pcf_ct_plan *ret);

/* ---- making and unmaking sessions ---- */

/*
 * The backend: the pinned hash, or memory.  insert is BPF_NOEXIST:
 * -EEXIST when the key is there, -ENOSPC when the table is full; remove
 * returns -ENOENT when it is not there.  Called from several threads at
 * once (the workers): the backend must be safe so, as the kernel's hash
 * map is.
 */
struct pcf_ct_ops {
	int (*insert)(void *ctx, const struct pcf_ct_key *k,
		      const struct pcf_ct_entry *e);
	int (*lookup)(void *ctx, const struct pcf_ct_key *k,
		      struct pcf_ct_entry *ret);
	int (*remove)(void *ctx, const struct pcf_ct_key *k);
};

struct pcf_ct_table {
	const struct pcf_ct_ops *ops;
	void *ctx;
	struct pcf_ct_pools *pools; /* ct snat's ports */
};

/* How a pcf_ct_create ended (besides 0, a session made). */
#define PCF_CT_FOUND 1 /* another made it first: its entry returned */

/*
 * Make the session of a connection: orig is the tuple of its first
 * packet (of bytes, counted), plan its NAT (pcf_ct_plan), rule_id and
 * rule_slot the rule that matched, now the time (pcf_ct_now()).  ret_orig gets
 * the original entry, whose xlat the packet is to be rewritten to.  0: made;
 * PCF_CT_FOUND: it was there (made by another meanwhile); -ENOSPC: the table is
 * full; -EADDRNOTAVAIL: no port left in the range (or every one tried leads to
 * a tuple in use); another -errno from the backend.  Nothing is left
 * behind on failure.
 */
int pcf_ct_create(const struct pcf_ct_table *t, const struct pcf_ct_key *orig,
		  __u32 bytes, const struct pcf_ct_plan *plan, __u32 rule_id,
		  __u16 rule_slot, __u64 now, struct pcf_ct_entry *ret_orig);

/*
 * Unmake a session given by its original entry (key orig): both entries
 * go, then its port goes back to its pool.  0, or -ENOENT if its
 * original entry was not there (another took it out first).
 */
int pcf_ct_destroy(const struct pcf_ct_table *t, const struct pcf_ct_key *orig,
		   const struct pcf_ct_entry *e);

/* The original tuple of a session from either entry: e's key k. */
void pcf_ct_orig_key(const struct pcf_ct_key *k, const struct pcf_ct_entry *e,
		     struct pcf_ct_key *ret);

#endif /* PCF_CT_H */
