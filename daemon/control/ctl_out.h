/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_out.h - what pcfd's control server sends to its clients, without
 * ever waiting for one.  Every datagram goes out non-blocking; what a
 * client's full socket cannot take waits here, for that client only, and
 * is tried again later (from 1 ms, doubling to 64 ms).  A dump is not
 * made ahead: its next part is made when the client's queue is empty, so
 * a dump that waits costs one part of memory.
 *
 * Bounded: CTL_OUT_QUEUE datagrams a client, CTL_OUT_PER_UID clients with
 * output waiting per uid, CTL_OUT_PEERS of them in all (root's besides,
 * so other users cannot crowd root out); a client that takes nothing for
 * CTL_OUT_IDLE_NS is forgotten, its dump ended.  What finds no room is
 * dropped, as the kernel drops what a full netlink socket cannot take.
 * And fair: one step of a client sends at most CTL_OUT_BURST datagrams,
 * so a big dump to a fast reader goes in turns with everyone else.
 *
 * Pure but for the send and refill callbacks; the clock is the caller's
 * (tests/unit/test_ctl_out.c drives it).
 */
#ifndef PCF_CTL_OUT_H
#define PCF_CTL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/netlink.h>
#include <linux/types.h>

#include "pcf_genl.h" /* PCF_GENL_MSG_MAX */
#include "ctl_sets.h" /* struct ctl_sets_cursor */

#define CTL_OUT_PEERS	     64
#define CTL_OUT_PER_UID	     4
#define CTL_OUT_QUEUE	     8
#define CTL_OUT_BURST	     4
#define CTL_OUT_IDLE_NS	     (5 * 1000000000ULL)
#define CTL_OUT_RETRY_MIN_NS 1000000ULL
#define CTL_OUT_RETRY_MAX_NS 64000000ULL

struct ctl_dgram {
	struct ctl_dgram *next;
	size_t len;
	char data[];
};

/* A dump being sent: where it resumes, and its request's header. */
struct ctl_dump {
	bool active;
	struct nlmsghdr req;
	__u32 next_id; /* rules: the id it resumes at */
	/* sessions: the walk of the table (its cursor, started, at its
	 * end), and the match they are filtered by */
	bool sessions;
	__u64 ct_token;
	bool ct_started, ct_done;
	bool has_match;
	struct pcf_rule match;
	/* named sets (issue 13): set show, where it is */
	bool sets;
	struct ctl_sets_cursor set_cursor;
};

/* A client with output waiting (port 0: a free slot). */
struct ctl_peer {
	__u32 port;
	uid_t uid;
	struct ctl_dgram *head, *tail;
	unsigned int queued;
	struct ctl_dump dump;
	__u64 next_try;	  /* when to send again */
	__u64 idle_until; /* forgotten after, unless it takes something */
	__u64 backoff;
};

/* Unicast to port without waiting: 0, -EAGAIN when its socket is full. */
typedef int (*ctl_out_send_fn)(void *ctx, const void *buf, size_t len,
			       __u32 port);
/*
 * The next datagram of peer's dump, made in buf: its length (clear
 * peer->dump.active with the last one, or with an error ack that ends it).
 */
typedef size_t (*ctl_out_refill_fn)(void *ctx, struct ctl_peer *peer, void *buf,
				    size_t size);

struct ctl_out {
	struct ctl_peer peers[CTL_OUT_PEERS + CTL_OUT_PER_UID];
	ctl_out_send_fn send;
	ctl_out_refill_fn refill;
	void *ctx;
	/* false: keep no datagram (nobody would retry); dumps still go in
	 * steps, which the caller runs to the end at once */
	bool can_wait;
	unsigned int rr;    /* where the next round of steps starts */
	unsigned long lost; /* datagrams dropped for want of room */
	char part[PCF_GENL_MSG_MAX];
};

void ctl_out_init(struct ctl_out *o, ctl_out_send_fn send,
		  ctl_out_refill_fn refill, void *ctx, bool can_wait);
void ctl_out_free(struct ctl_out *o);

/*
 * Send buf to port (whose sender is uid), or keep it behind what already
 * waits for port.  0: sent or kept; -ENOBUFS: no room, dropped; another
 * -errno from send (-ECONNREFUSED: nobody is bound there).
 */
int ctl_out_send(struct ctl_out *o, __u32 port, uid_t uid, const void *buf,
		 size_t len, __u64 now);

/* The client with output waiting at port, or NULL. */
struct ctl_peer *ctl_out_peer(struct ctl_out *o, __u32 port);
/* That, or a new one if uid has room (to start a dump): NULL if not. */
struct ctl_peer *ctl_out_claim(struct ctl_out *o, __u32 port, uid_t uid,
			       __u64 now);

/* One step of peer now (used to start a dump at once). */
void ctl_out_step(struct ctl_out *o, struct ctl_peer *p, __u64 now);
/* Steps of at most max_steps clients whose time has come; forget idle ones. */
void ctl_out_run(struct ctl_out *o, __u64 now, unsigned int max_steps);
/* When ctl_out_run has work next (0: none waits; times are never 0). */
__u64 ctl_out_next(const struct ctl_out *o);
/* Clients with output waiting. */
unsigned int ctl_out_waiting(const struct ctl_out *o);

#endif /* PCF_CTL_OUT_H */
