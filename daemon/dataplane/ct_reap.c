// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_reap.c - expiry, eviction and events of sessions (see ct_reap.h).
 */
#include <errno.h>
#include <string.h>

#include "ct_reap.h"

static const char *const full_names[PCF_CT_FULL_MAX] = {
	[PCF_CT_FULL_REFUSE] = "refuse",
	[PCF_CT_FULL_EVICT] = "evict-oldest",
};

const char *pcf_ct_full_name(enum pcf_ct_full f)
{
	return (unsigned int)f < PCF_CT_FULL_MAX ? full_names[f] : "?";
}

int pcf_ct_full_parse(const char *s)
{
	int f;

	for (f = 0; f < PCF_CT_FULL_MAX; f++)
		if (!strcmp(s, full_names[f]))
			return f;
	return -EINVAL;
}

void pcf_ct_reaper_init(struct pcf_ct_reaper *r, struct pcf_ct_maps *m,
			__u64 now)
{
	memset(r, 0, sizeof(*r));
	r->m = m;
	pcf_ct_timeouts_default(&r->timeouts);
	/* what was there before pcfd started is not announced */
	r->sweep_start = now;
	r->prev_sweep_start = now;
	r->walk.done = true;
}

bool pcf_ct_session_of(const struct pcf_ct_maps *m, const struct pcf_ct_key *k,
		       const struct pcf_ct_entry *e, struct pcf_ct_session *ret)
{
	struct pcf_ct_key rk;

	if (e->flags & PCF_CT_REPLY)
		return false;
	ret->key = *k;
	ret->orig = *e;
	pcf_ct_reverse(&rk, &e->xlat);
	ret->has_reply = !m->table.ops->lookup(m->table.ctx, &rk, &ret->reply);
	if (!ret->has_reply)
		memset(&ret->reply, 0, sizeof(ret->reply));
	return true;
}

enum pcf_ct_state pcf_ct_session_state(const struct pcf_ct_session *s)
{
	return pcf_ct_state(&s->orig, s->has_reply ? &s->reply : NULL);
}

__u32 pcf_ct_session_timeout(const struct pcf_ct_session *s,
			     const struct pcf_ct_timeouts *t, __u64 now)
{
	__u64 exp =
	    pcf_ct_expires(&s->orig, s->has_reply ? &s->reply : NULL, t);

	return exp > now ? (exp - now + 999999999) / 1000000000 : 0;
}

static __u64 last_seen(const struct pcf_ct_session *s)
{
	return s->has_reply && s->reply.last_seen > s->orig.last_seen
		   ? s->reply.last_seen
		   : s->orig.last_seen;
}

/* Keep s among the longest idle of this sweep. */
static void candidate(struct pcf_ct_reaper *r, const struct pcf_ct_session *s)
{
	unsigned int i, newest = 0;

	if (r->full != PCF_CT_FULL_EVICT)
		return;
	if (r->ncand < PCF_CT_EVICT_MAX) {
		r->cand[r->ncand++] = *s;
		return;
	}
	for (i = 1; i < r->ncand; i++)
		if (last_seen(&r->cand[i]) > last_seen(&r->cand[newest]))
			newest = i;
	if (last_seen(s) < last_seen(&r->cand[newest]))
		r->cand[newest] = *s;
}

static void event(struct pcf_ct_reaper *r, bool created,
		  const struct pcf_ct_session *s)
{
	if (!r->on_event)
		return;
	if (!created && !pcf_ct_reap_announced(r, s))
		r->on_event(r->ctx, true, s);
	r->on_event(r->ctx, created, s);
}

bool pcf_ct_reap_announced(const struct pcf_ct_reaper *r,
			   const struct pcf_ct_session *s)
{
	__u64 c = s->orig.created;

	return c < r->prev_sweep_start || (c < r->sweep_start && r->walk.done);
}

/* An original entry: announced once, reaped when expired. */
static void look_at(struct pcf_ct_reaper *r, const struct pcf_ct_session *s,
		    __u64 now)
{
	bool announce = s->orig.created >= r->prev_sweep_start &&
			s->orig.created < r->sweep_start;

	if (now < pcf_ct_expires(&s->orig, s->has_reply ? &s->reply : NULL,
				 &r->timeouts)) {
		if (announce)
			event(r, true, s);
		r->counting++;
		candidate(r, s);
		return;
	}
	if (!pcf_ct_destroy(&r->m->table, &s->key, &s->orig)) {
		r->expired++;
		/* (announced first if it was not: event) */
		event(r, false, s);
	}
}

/* A reply entry whose original entry is missing: gone once idle. */
static void orphan(struct pcf_ct_reaper *r, const struct pcf_ct_key *k,
		   const struct pcf_ct_entry *e, __u64 now)
{
	struct pcf_ct_entry o;
	struct pcf_ct_key ok;

	pcf_ct_reverse(&ok, &e->xlat);
	if (!r->m->table.ops->lookup(r->m->table.ctx, &ok, &o) ||
	    pcf_age_ns(now, e->last_seen) < PCF_CT_ORPHAN_NS)
		return;
	if (!r->m->table.ops->remove(r->m->table.ctx, k))
		r->orphans++;
}

/* The table refused connections since the last tick: the longest idle
 * sessions of the last sweep make room, if they are still idle. */
static void evict(struct pcf_ct_reaper *r)
{
	struct pcf_ct_session now_s;
	struct pcf_ct_entry e;
	unsigned int i;

	for (i = 0; i < r->noldest; i++) {
		const struct pcf_ct_session *s = &r->oldest[i];

		if (r->m->table.ops->lookup(r->m->table.ctx, &s->key, &e) ||
		    !pcf_ct_session_of(r->m, &s->key, &e, &now_s) ||
		    last_seen(&now_s) != last_seen(s))
			continue;
		if (!pcf_ct_destroy(&r->m->table, &s->key, &e)) {
			r->evicted++;
			event(r, false, &now_s);
		}
	}
	r->noldest = 0;
}

static void new_sweep(struct pcf_ct_reaper *r, __u64 now)
{
	r->sweeps++;
	r->counting = 0;
	r->prev_sweep_start = r->sweep_start;
	r->sweep_start = now;
	memcpy(r->oldest, r->cand, r->ncand * sizeof(r->cand[0]));
	r->noldest = r->ncand;
	r->ncand = 0;
	r->walk = (struct pcf_ct_walk){};
}

int pcf_ct_reap(struct pcf_ct_reaper *r, __u64 now, unsigned int budget,
		__u64 refused)
{
	struct pcf_ct_key keys[PCF_CT_REAP_BATCH];
	struct pcf_ct_entry vals[PCF_CT_REAP_BATCH];
	struct pcf_ct_session s;
	unsigned int seen = 0;
	__u32 n, i;
	int err;

	if (refused > r->refused_seen && r->full == PCF_CT_FULL_EVICT)
		evict(r);
	r->refused_seen = refused;
	if (r->walk.done)
		new_sweep(r, now);
	while (seen < budget && !r->walk.done) {
		err = pcf_ct_maps_walk(r->m, &r->walk, keys, vals,
				       PCF_CT_REAP_BATCH, &n);
		if (err)
			return err;
		for (i = 0; i < n; i++) {
			if (pcf_ct_session_of(r->m, &keys[i], &vals[i], &s))
				look_at(r, &s, now);
			else
				orphan(r, &keys[i], &vals[i], now);
		}
		seen += n;
	}
	if (r->walk.done)
		r->active = r->counting; /* a whole sweep's count */
	return seen;
}

bool pcf_ct_reap_idle(const struct pcf_ct_reaper *r)
{
	return r->walk.done;
}
