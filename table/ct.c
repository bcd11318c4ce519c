// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct.c - sessions, pure (see ct.h): states, timeouts, a new connection's
 * NAT, and making and unmaking sessions through the backend.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "ct.h"
#include "ct_ports.h"

/* ---- names ---- */

static const char *const timeout_names[PCF_CT_T_MAX] = {
	[PCF_CT_T_TCP_SYN_SENT] = "tcp-syn-sent",
	[PCF_CT_T_TCP_SYN_RECV] = "tcp-syn-recv",
	[PCF_CT_T_TCP_ESTABLISHED] = "tcp-established",
	[PCF_CT_T_TCP_FIN_WAIT] = "tcp-fin-wait",
	[PCF_CT_T_TCP_TIME_WAIT] = "tcp-time-wait",
	[PCF_CT_T_TCP_CLOSE] = "tcp-close",
	[PCF_CT_T_UDP] = "udp",
	[PCF_CT_T_UDP_STREAM] = "udp-stream",
	[PCF_CT_T_ICMP] = "icmp",
	[PCF_CT_T_GENERIC] = "generic",
};

const char *pcf_ct_timeout_name(enum pcf_ct_timeout t)
{
	return (unsigned int)t < PCF_CT_T_MAX ? timeout_names[t] : "?";
}

int pcf_ct_timeout_parse(const char *name)
{
	int t;

	for (t = 0; t < PCF_CT_T_MAX; t++)
		if (!strcmp(name, timeout_names[t]))
			return t;
	return -EINVAL;
}

static const char *const xstat_names[PCF_CT_X_MAX] = {
	[PCF_CT_X_PASS] = "pass",
	[PCF_CT_X_REDIRECT] = "redirect",
	[PCF_CT_X_ICMP_ERROR] = "icmp_error",
	[PCF_CT_X_CREATED] = "created",
	[PCF_CT_X_EXISTS] = "exists",
	[PCF_CT_X_FULL] = "full",
	[PCF_CT_X_NO_WORKER] = "no_worker",
	[PCF_CT_X_TO_WORKER] = "to_worker",
};

const char *pcf_ct_xstat_name(enum pcf_ct_xstat s)
{
	return (unsigned int)s < PCF_CT_X_MAX ? xstat_names[s] : "?";
}

__u64 pcf_ct_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- states and timeouts ---- */

/*
 * Linux's defaults: tcp_timeouts[] of nf_conntrack_proto_tcp.c (SYN_SENT
 * 2 min, SYN_RECV 60 s, ESTABLISHED 5 days, FIN_WAIT 2 min, TIME_WAIT
 * 2 min, CLOSE 10 s), nf_conntrack_udp_timeout{,_stream} (30 s, 120 s),
 * nf_conntrack_icmp{,v6}_timeout (30 s), nf_conntrack_generic_timeout
 * (600 s).
 */
void pcf_ct_timeouts_default(struct pcf_ct_timeouts *ret)
{
	*ret = (struct pcf_ct_timeouts){ .sec = {
					     [PCF_CT_T_TCP_SYN_SENT] = 120,
					     [PCF_CT_T_TCP_SYN_RECV] = 60,
					     [PCF_CT_T_TCP_ESTABLISHED] =
						 5 * 86400,
					     [PCF_CT_T_TCP_FIN_WAIT] = 120,
					     [PCF_CT_T_TCP_TIME_WAIT] = 120,
					     [PCF_CT_T_TCP_CLOSE] = 10,
					     [PCF_CT_T_UDP] = 30,
					     [PCF_CT_T_UDP_STREAM] = 120,
					     [PCF_CT_T_ICMP] = 30,
					     [PCF_CT_T_GENERIC] = 600,
					 } };
}

static enum pcf_ct_state tcp_state(__u64 o, __u64 r, bool replied)
{
	if ((o | r) & PCF_CT_TCP_RST)
		return PCF_CT_CLOSE;
	if ((o & r) & PCF_CT_TCP_FIN)
		return PCF_CT_TIME_WAIT;
	if ((o | r) & PCF_CT_TCP_FIN)
		return PCF_CT_FIN_WAIT;
	if (!replied)
		return PCF_CT_SYN_SENT;
	if ((o & r) & PCF_CT_TCP_ACK)
		return PCF_CT_ESTABLISHED;
	return PCF_CT_SYN_RECV;
}

static __u64 last_of(const struct pcf_ct_entry *orig,
		     const struct pcf_ct_entry *reply)
{
	return reply && reply->last_seen > orig->last_seen ? reply->last_seen
							   : orig->last_seen;
}

enum pcf_ct_state pcf_ct_state(const struct pcf_ct_entry *orig,
			       const struct pcf_ct_entry *reply)
{
	bool replied = reply && reply->packets;

	if (orig->xlat.proto == IPPROTO_TCP)
		return tcp_state(orig->tcp, reply ? reply->tcp : 0, replied);
	if (!replied)
		return PCF_CT_UNREPLIED;
	if (orig->xlat.proto == IPPROTO_UDP &&
	    last_of(orig, reply) - orig->created > PCF_CT_STREAM_AFTER_NS)
		return PCF_CT_STREAM;
	return PCF_CT_REPLIED;
}

enum pcf_ct_timeout pcf_ct_timeout_of(__u8 proto, enum pcf_ct_state s)
{
	switch (proto) {
	case IPPROTO_TCP:
		switch (s) {
		case PCF_CT_SYN_SENT:
			return PCF_CT_T_TCP_SYN_SENT;
		case PCF_CT_SYN_RECV:
			return PCF_CT_T_TCP_SYN_RECV;
		case PCF_CT_FIN_WAIT:
			return PCF_CT_T_TCP_FIN_WAIT;
		case PCF_CT_TIME_WAIT:
			return PCF_CT_T_TCP_TIME_WAIT;
		case PCF_CT_CLOSE:
			return PCF_CT_T_TCP_CLOSE;
		default:
			return PCF_CT_T_TCP_ESTABLISHED;
		}
	case IPPROTO_UDP:
		return s == PCF_CT_STREAM ? PCF_CT_T_UDP_STREAM : PCF_CT_T_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return PCF_CT_T_ICMP;
	default:
		return PCF_CT_T_GENERIC;
	}
}

__u64 pcf_ct_expires(const struct pcf_ct_entry *orig,
		     const struct pcf_ct_entry *reply,
		     const struct pcf_ct_timeouts *t)
{
	enum pcf_ct_state s = pcf_ct_state(orig, reply);

	return last_of(orig, reply) +
	       t->sec[pcf_ct_timeout_of(orig->xlat.proto, s)] * 1000000000ULL;
}

/* ---- a new connection's NAT ---- */

static void set_addr(__u8 *dst, const __u8 *src, __u8 family)
{
	memset(dst, 0, 16);
	memcpy(dst, src, family == 4 ? 4 : 16);
}

int pcf_ct_plan(const struct pcf_ct_key *orig, bool ports,
		const struct pcf_action *act, __be16 snat_port_max,
		const __u8 *masq, struct pcf_ct_plan *ret)
{
	struct pcf_ct_plan p = { .xlat = *orig };
	__u8 l4 =
	    ports &&
	    (orig->proto == IPPROTO_TCP || orig->proto == IPPROTO_UDP ||
	     orig->proto == IPPROTO_ICMP || orig->proto == IPPROTO_ICMPV6);

	if (act->flags & PCF_ACT_MASQ) {
		if (!masq)
			return -EADDRNOTAVAIL;
		set_addr(p.xlat.src, masq, orig->family);
		p.flags |= PCF_CT_SNAT;
	} else if (act->flags & PCF_ACT_SNAT) {
		if (act->snat.family != orig->family)
			return -EAFNOSUPPORT;
		set_addr(p.xlat.src, act->snat.addr, orig->family);
		p.flags |= PCF_CT_SNAT;
	}
	if ((p.flags & PCF_CT_SNAT) && l4) {
		p.flags |= PCF_CT_PORT;
		if ((act->flags & PCF_ACT_SNAT) && act->snat.port) {
			p.lo = ntohs(act->snat.port);
			p.hi = snat_port_max ? ntohs(snat_port_max) : p.lo;
		} else {
			p.lo = PCF_CT_PORT_MIN_DEFAULT;
			p.hi = PCF_CT_PORT_MAX_DEFAULT;
		}
	}
	if (act->flags & PCF_ACT_DNAT) {
		if (act->dnat.family != orig->family)
			return -EAFNOSUPPORT;
		set_addr(p.xlat.dst, act->dnat.addr, orig->family);
		/* a port only for protocols with ports (not an echo's id) */
		if (act->dnat.port &&
		    (orig->proto == IPPROTO_TCP || orig->proto == IPPROTO_UDP))
			p.xlat.dport = act->dnat.port;
		p.flags |= PCF_CT_DNAT;
	}
	if (p.flags)
		p.flags |= PCF_CT_NAT;
	*ret = p;
	return 0;
}

/* ---- making and unmaking sessions ---- */

/* A new session's entries; its first packet is the original's. */
struct first {
	__u32 bytes, rule_id;
	__u16 rule_slot;
	__u64 now;
};

static void entries_of(const struct pcf_ct_key *orig,
		       const struct pcf_ct_key *xlat, __u8 flags,
		       const struct first *f, struct pcf_ct_entry *o,
		       struct pcf_ct_entry *r)
{
	*r = (struct pcf_ct_entry){ .created = f->now,
				    .last_seen = f->now,
				    .rule_id = f->rule_id,
				    .rule_slot = f->rule_slot,
				    .flags = flags | PCF_CT_REPLY };
	pcf_ct_reverse(&r->xlat, orig);
	*o = *r;
	o->xlat = *xlat;
	o->flags = flags;
	o->packets = 1;
	o->bytes = f->bytes;
}

/*
 * Put both entries in: 0, or -EEXIST with *ret_orig_taken telling which
 * tuple was taken (whatever went in first is taken back out).  With a
 * port to try, the reply entry goes first (a taken reply tuple means
 * "another port"); without, the original one (a racing worker then finds
 * the winner's at once).
 */
static int insert_pair(const struct pcf_ct_table *t,
		       const struct pcf_ct_key *orig,
		       const struct pcf_ct_key *xlat, __u8 flags,
		       const struct first *f, struct pcf_ct_entry *o,
		       bool *ret_orig_taken)
{
	bool reply_first = flags & PCF_CT_PORT;
	const struct pcf_ct_key *k1, *k2;
	const struct pcf_ct_entry *e1, *e2;
	struct pcf_ct_key rk;
	struct pcf_ct_entry r;
	int err;

	entries_of(orig, xlat, flags, f, o, &r);
	pcf_ct_reverse(&rk, xlat);
	k1 = reply_first ? &rk : orig;
	e1 = reply_first ? &r : o;
	k2 = reply_first ? orig : &rk;
	e2 = reply_first ? o : &r;
	err = t->ops->insert(t->ctx, k1, e1);
	*ret_orig_taken = err == -EEXIST && !reply_first;
	if (err)
		return err;
	err = t->ops->insert(t->ctx, k2, e2);
	if (err) {
		t->ops->remove(t->ctx, k1);
		*ret_orig_taken = err == -EEXIST && reply_first;
	}
	return err;
}

/* The session someone else made first: its original entry. */
static int found(const struct pcf_ct_table *t, const struct pcf_ct_key *orig,
		 struct pcf_ct_entry *ret)
{
	int err = t->ops->lookup(t->ctx, orig, ret);

	/* gone again already (flushed, expired): as if none were there */
	return err ? -EAGAIN : PCF_CT_FOUND;
}

int pcf_ct_create(const struct pcf_ct_table *t, const struct pcf_ct_key *orig,
		  __u32 bytes, const struct pcf_ct_plan *plan, __u32 rule_id,
		  __u16 rule_slot, __u64 now, struct pcf_ct_entry *ret_orig)
{
	const struct first f = { .bytes = bytes,
				 .rule_id = rule_id,
				 .rule_slot = rule_slot,
				 .now = now };
	struct pcf_ct_key xlat = plan->xlat;
	struct pcf_ct_pool *pool;
	__u16 port, tried[PCF_CT_COLLISIONS_MAX];
	struct pcf_ct_entry o;
	bool orig_taken = false;
	unsigned int tries;
	int err;

	if (!(plan->flags & PCF_CT_PORT)) {
		err = insert_pair(t, orig, &xlat, plan->flags, &f, &o,
				  &orig_taken);
		if (orig_taken)
			return found(t, orig, ret_orig);
		if (!err)
			*ret_orig = o;
		/* no port to change: the translated tuple is in use */
		return err == -EEXIST ? -EADDRNOTAVAIL : err;
	}
	pool = pcf_ct_pool(t->pools, xlat.family, xlat.src, xlat.proto, true);
	if (!pool)
		return -EADDRNOTAVAIL;
	/* a port whose reply tuple is someone else's (a session pcf did not
	 * give it to) stays taken while we try the next ones */
	for (tries = 0; tries < PCF_CT_COLLISIONS_MAX; tries++) {
		err = pcf_ct_port_take(pool, plan->lo, plan->hi,
				       ntohs(plan->xlat.sport), &port);
		if (err)
			break;
		xlat.sport = htons(port);
		err = insert_pair(t, orig, &xlat, plan->flags, &f, &o,
				  &orig_taken);
		if (!err) {
			*ret_orig = o;
			break;
		}
		tried[tries] = port;
		if (orig_taken || err != -EEXIST) {
			tries++;
			break;
		}
	}
	if (err == -EEXIST && !orig_taken)
		err = -EADDRNOTAVAIL; /* every port tried leads to a tuple in
					 use */
	while (tries--)
		pcf_ct_port_give(pool, tried[tries]);
	return orig_taken ? found(t, orig, ret_orig) : err;
}

void pcf_ct_orig_key(const struct pcf_ct_key *k, const struct pcf_ct_entry *e,
		     struct pcf_ct_key *ret)
{
	if (e->flags & PCF_CT_REPLY)
		pcf_ct_reverse(ret, &e->xlat);
	else
		*ret = *k;
}

int pcf_ct_destroy(const struct pcf_ct_table *t, const struct pcf_ct_key *orig,
		   const struct pcf_ct_entry *e)
{
	struct pcf_ct_pool *pool;
	struct pcf_ct_key rk;
	int err;

	/* the original first: who wins it (the reaper, an operator's
	 * delete) unmakes the rest */
	err = t->ops->remove(t->ctx, orig);
	if (err)
		return err;
	pcf_ct_reverse(&rk, &e->xlat);
	t->ops->remove(t->ctx, &rk);
	if (!(e->flags & PCF_CT_PORT))
		return 0;
	pool = pcf_ct_pool(t->pools, e->xlat.family, e->xlat.src, e->xlat.proto,
			   false);
	if (pool)
		pcf_ct_port_give(pool, ntohs(e->xlat.sport));
	return 0;
}
