// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * grace.c - grace periods: the kernel's RCU grace period (through a
 * map-in-map update, on a thread of its own), then the workers' rx rings
 * drained past where they stood.  See grace.h.
 *
 * Tickets count up.  The thread serves requests in rounds: a round
 * covers every ticket issued before it began, and ends when the kernel
 * says its grace period passed.  The drain is checked by the caller's
 * thread: one snapshot of the rings at a time, for the newest ticket the
 * kernel half covers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "grace.h"

#define WAIT_S	      5	 /* longest wait for either half */
#define DRAIN_POLL_US 50 /* how often a waiter looks at the rings */

struct pcf_grace {
	int outer_fd, inner_fd; /* the map-in-map the thread updates */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t kick, done;
	__u64 requested; /* tickets issued */
	__u64 rcu_done;	 /* tickets whose RCU half ended */
	bool stop;

	/* the caller's thread only */
	__u64 done_upto; /* tickets fully ended */
	struct pcf_grace_readers readers;
	bool have_readers;
	__u32 *marks;
	unsigned int nmarks;
	bool snapshot; /* marks taken for ticket snap_ticket */
	__u64 snap_ticket;
};

/* synchronize_rcu(), the way user space can ask for one. */
static void rcu_sync(struct pcf_grace *g)
{
	__u32 zero = 0;

	bpf_map_update_elem(g->outer_fd, &zero, &g->inner_fd, BPF_ANY);
}

static void *grace_thread(void *arg)
{
	struct pcf_grace *g = arg;
	__u64 target;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		if (g->rcu_done == g->requested) {
			pthread_cond_wait(&g->kick, &g->lock);
			continue;
		}
		target = g->requested;
		pthread_mutex_unlock(&g->lock);
		rcu_sync(g);
		pthread_mutex_lock(&g->lock);
		g->rcu_done = target;
		pthread_cond_broadcast(&g->done);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

/* The thread takes no signals: they are pcfd's main loop's to handle. */
static int start_thread(struct pcf_grace *g)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&g->thread, NULL, grace_thread, g);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int pcf_grace_new(struct pcf_grace **ret_grace)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct pcf_grace *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -ENOMEM;
	g->outer_fd = g->inner_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->kick, NULL);
	pthread_cond_init(&g->done, NULL);
	g->inner_fd =
	    bpf_map_create(BPF_MAP_TYPE_ARRAY, "pcf_grace_in", 4, 4, 1, NULL);
	if (g->inner_fd < 0)
		goto fail_errno;
	opts.inner_map_fd = g->inner_fd;
	g->outer_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "pcf_grace", 4,
				     4, 1, &opts);
	if (g->outer_fd < 0)
		goto fail_errno;
	err = start_thread(g);
	if (err)
		goto fail;
	g->running = true;
	*ret_grace = g;
	return 0;
fail_errno:
	err = -errno;
fail:
	pcf_grace_free(g);
	return err;
}

void pcf_grace_free(struct pcf_grace *g)
{
	if (!g)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->lock);
		g->stop = true;
		pthread_cond_signal(&g->kick);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	if (g->outer_fd >= 0)
		close(g->outer_fd);
	if (g->inner_fd >= 0)
		close(g->inner_fd);
	pthread_cond_destroy(&g->kick);
	pthread_cond_destroy(&g->done);
	pthread_mutex_destroy(&g->lock);
	free(g->marks);
	free(g);
}

int pcf_grace_set_readers(struct pcf_grace *g,
			  const struct pcf_grace_readers *r)
{
	unsigned int n = r ? r->count(r->ctx) : 0;
	__u32 *marks = NULL;

	if (n) {
		marks = calloc(n, sizeof(*marks));
		if (!marks)
			return -ENOMEM;
	}
	/*
	 * Readers that go away held nothing we wait for any more (their
	 * sockets are closed); new ones hold nothing older than now.
	 */
	if (g->snapshot && g->snap_ticket > g->done_upto)
		g->done_upto = g->snap_ticket;
	g->snapshot = false;
	free(g->marks);
	g->marks = marks;
	g->nmarks = n;
	g->have_readers = n > 0;
	if (r)
		g->readers = *r;
	return 0;
}

__u64 pcf_grace_start(struct pcf_grace *g)
{
	__u64 t;

	pthread_mutex_lock(&g->lock);
	t = ++g->requested;
	pthread_cond_signal(&g->kick);
	pthread_mutex_unlock(&g->lock);
	return t;
}

static __u64 rcu_done(struct pcf_grace *g)
{
	__u64 t;

	pthread_mutex_lock(&g->lock);
	t = g->rcu_done;
	pthread_mutex_unlock(&g->lock);
	return t;
}

/* Move done_upto on as far as both halves allow. */
static void advance(struct pcf_grace *g)
{
	__u64 rcu;

	if (g->snapshot && g->readers.passed(g->readers.ctx, g->marks)) {
		g->done_upto = g->snap_ticket;
		g->snapshot = false;
	}
	if (g->snapshot)
		return;
	rcu = rcu_done(g);
	if (rcu <= g->done_upto)
		return;
	if (!g->have_readers) {
		g->done_upto = rcu;
		return;
	}
	g->readers.mark(g->readers.ctx, g->marks);
	g->snap_ticket = rcu;
	g->snapshot = true;
	if (g->readers.passed(g->readers.ctx, g->marks)) {
		g->done_upto = rcu;
		g->snapshot = false;
	}
}

bool pcf_grace_done(struct pcf_grace *g, __u64 ticket)
{
	if (ticket > g->done_upto)
		advance(g);
	return ticket <= g->done_upto;
}

static int wait_rcu(struct pcf_grace *g, __u64 ticket)
{
	struct timespec until;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&g->lock);
	while (g->rcu_done < ticket && !err)
		err = pthread_cond_timedwait(&g->done, &g->lock, &until);
	pthread_mutex_unlock(&g->lock);
	return err ? -ETIMEDOUT : 0;
}

int pcf_grace_wait(struct pcf_grace *g, __u64 ticket)
{
	const struct timespec poll = { 0, DRAIN_POLL_US * 1000 };
	unsigned int i;
	int err;

	if (pcf_grace_done(g, ticket))
		return 0;
	err = wait_rcu(g, ticket);
	if (err)
		return err;
	/* a worker drains its ring in microseconds, unless it is stuck */
	for (i = 0; i < WAIT_S * 1000000 / DRAIN_POLL_US; i++) {
		if (pcf_grace_done(g, ticket))
			return 0;
		nanosleep(&poll, NULL);
	}
	return -ETIMEDOUT;
}
