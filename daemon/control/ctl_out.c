// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_out.c - the control server's outbox (see ctl_out.h): no datagram
 * ever waits for its reader inside pcfd's loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_out.h"

#define NPEERS (CTL_OUT_PEERS + CTL_OUT_PER_UID)

void ctl_out_init(struct ctl_out *o, ctl_out_send_fn send,
		  ctl_out_refill_fn refill, void *ctx, bool can_wait)
{
	memset(o->peers, 0, sizeof(o->peers));
	o->send = send;
	o->refill = refill;
	o->ctx = ctx;
	o->can_wait = can_wait;
	o->rr = 0;
	o->lost = 0;
}

static void forget(struct ctl_peer *p)
{
	struct ctl_dgram *d, *next;

	for (d = p->head; d; d = next) {
		next = d->next;
		free(d);
	}
	memset(p, 0, sizeof(*p));
}

void ctl_out_free(struct ctl_out *o)
{
	unsigned int i;

	for (i = 0; i < NPEERS; i++)
		forget(&o->peers[i]);
}

struct ctl_peer *ctl_out_peer(struct ctl_out *o, __u32 port)
{
	unsigned int i;

	for (i = 0; port && i < NPEERS; i++)
		if (o->peers[i].port == port)
			return &o->peers[i];
	return NULL;
}

struct ctl_peer *ctl_out_claim(struct ctl_out *o, __u32 port, uid_t uid,
			       __u64 now)
{
	struct ctl_peer *p = ctl_out_peer(o, port), *free_slot = NULL;
	unsigned int i, of_uid = 0, others = 0;

	if (p || !port)
		return p;
	for (i = 0; i < NPEERS; i++) {
		p = &o->peers[i];
		if (!p->port) {
			free_slot = free_slot ? free_slot : p;
			continue;
		}
		of_uid += p->uid == uid;
		others += p->uid != 0;
	}
	/* root's clients do not count against the others' total */
	if (!free_slot || of_uid >= CTL_OUT_PER_UID ||
	    (uid != 0 && others >= CTL_OUT_PEERS))
		return NULL;
	*free_slot = (struct ctl_peer){ .port = port,
					.uid = uid,
					.next_try = now,
					.idle_until = now + CTL_OUT_IDLE_NS,
					.backoff = CTL_OUT_RETRY_MIN_NS };
	return free_slot;
}

static int keep(struct ctl_out *o, struct ctl_peer *p, const void *buf,
		size_t len)
{
	struct ctl_dgram *d;

	if (!o->can_wait || p->queued >= CTL_OUT_QUEUE ||
	    !(d = malloc(sizeof(*d) + len))) {
		o->lost++;
		return -ENOBUFS;
	}
	d->next = NULL;
	d->len = len;
	memcpy(d->data, buf, len);
	if (p->tail)
		p->tail->next = d;
	else
		p->head = d;
	p->tail = d;
	p->queued++;
	return 0;
}

static void pop(struct ctl_peer *p)
{
	struct ctl_dgram *d = p->head;

	p->head = d->next;
	if (!p->head)
		p->tail = NULL;
	p->queued--;
	free(d);
}

/* Its socket was full: try again later, a little later each time. */
static void wait_more(struct ctl_peer *p, __u64 now)
{
	p->next_try = now + p->backoff;
	p->backoff = p->backoff * 2 > CTL_OUT_RETRY_MAX_NS
			 ? CTL_OUT_RETRY_MAX_NS
			 : p->backoff * 2;
}

int ctl_out_send(struct ctl_out *o, __u32 port, uid_t uid, const void *buf,
		 size_t len, __u64 now)
{
	struct ctl_peer *p = ctl_out_peer(o, port);
	int err;

	if (p) /* behind what already waits: the order holds */
		return keep(o, p, buf, len);
	err = o->send(o->ctx, buf, len, port);
	if (err != -EAGAIN)
		return err;
	p = ctl_out_claim(o, port, uid, now);
	if (!p) {
		o->lost++;
		return -ENOBUFS;
	}
	err = keep(o, p, buf, len);
	if (err && !p->queued)
		forget(p);
	else
		wait_more(p, now);
	return err;
}

/* Send p's first datagram: 1 sent, 0 socket full, -errno give up. */
static int send_head(struct ctl_out *o, struct ctl_peer *p)
{
	int err = o->send(o->ctx, p->head->data, p->head->len, p->port);

	if (err == -EAGAIN)
		return 0;
	if (err)
		return err;
	pop(p);
	return 1;
}

/* The next part of p's dump, sent or kept: 1 sent, 0 kept, -errno. */
static int send_part(struct ctl_out *o, struct ctl_peer *p)
{
	size_t len = o->refill(o->ctx, p, o->part, sizeof(o->part));
	int err;

	if (!len)
		return 1; /* nothing more to say */
	err = o->send(o->ctx, o->part, len, p->port);
	if (err == -EAGAIN)
		return keep(o, p, o->part, len) ?: 0;
	return err ? err : 1;
}

void ctl_out_step(struct ctl_out *o, struct ctl_peer *p, __u64 now)
{
	unsigned int n;
	int sent = 1;

	for (n = 0; n < CTL_OUT_BURST && sent > 0; n++) {
		if (p->head)
			sent = send_head(o, p);
		else if (p->dump.active)
			sent = send_part(o, p);
		else
			break;
		if (sent > 0) {
			p->idle_until = now + CTL_OUT_IDLE_NS;
			p->backoff = CTL_OUT_RETRY_MIN_NS;
		}
	}
	if (sent < 0 || (!p->head && !p->dump.active)) {
		forget(p); /* done, or the client is gone */
		return;
	}
	if (sent == 0)
		wait_more(p, now);
	else
		p->next_try = now; /* its turn is over, not its dump */
}

void ctl_out_run(struct ctl_out *o, __u64 now, unsigned int max_steps)
{
	unsigned int i, n = 0;
	struct ctl_peer *p;

	for (i = 0; i < NPEERS && n < max_steps; i++) {
		p = &o->peers[(o->rr + i) % NPEERS];
		if (!p->port)
			continue;
		if (now >= p->idle_until) {
			o->lost += p->queued;
			forget(p);
		} else if (now >= p->next_try) {
			ctl_out_step(o, p, now);
			n++;
		}
	}
	o->rr = (o->rr + i) % NPEERS;
}

__u64 ctl_out_next(const struct ctl_out *o)
{
	const struct ctl_peer *p;
	__u64 next = 0, t;
	unsigned int i;

	for (i = 0; i < NPEERS; i++) {
		p = &o->peers[i];
		if (!p->port)
			continue;
		t = p->next_try < p->idle_until ? p->next_try : p->idle_until;
		if (!next || t < next)
			next = t;
	}
	return next;
}

unsigned int ctl_out_waiting(const struct ctl_out *o)
{
	unsigned int i, n = 0;

	for (i = 0; i < NPEERS; i++)
		n += o->peers[i].port != 0;
	return n;
}
