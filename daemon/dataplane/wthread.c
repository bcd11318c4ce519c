// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * wthread.c - the threads that run the workers: one per worker, or one
 * for all the workers --cpus puts on one CPU.  Each turn steps every
 * worker once; the rx mode decides what an idle thread does: spin
 * (poll), sleep in poll() at once (interrupt) or after a spell of empty
 * turns (adaptive).
 *
 * Adaptive: a sleeping thread's CPU goes idle, and waking it costs tens
 * of microseconds on bare metal, up to milliseconds on a VM whose host
 * must first run the idle vCPU again: every packet that finds the thread
 * asleep waits that long.  So an idle spell spins idle_polls turns and
 * then on for spin_ns since its first empty turn, a window that follows
 * the gaps between packets much as the host's halt polling does (KVM's
 * halt_poll_ns): a gap below spin_max_ns doubles it, whether a sleep
 * or the window itself bridged it, a longer sleep halves it.  Traffic
 * with short gaps keeps the thread awake; without traffic the window
 * shrinks and the thread sleeps after idle_polls turns.  (Growing only
 * on short sleeps, as KVM does, let a sender's occasional stalls halve
 * the window while the gaps it bridged never grew it back: it sank
 * below the ordinary gaps, and each of them then cost a wake-up.)
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "worker.h"

#define IDLE_POLLS_DEFAULT 1000
/* adaptive: the first spin window a short sleep asks for, in ns */
#define SPIN_GROW_START_NS 10000ULL
/* longest sleep: how soon stop is noticed, and the heartbeat's period */
#define SLEEP_MS    PCF_HEARTBEAT_PERIOD_MS
#define DRAIN_TURNS 64 /* on stop, at most: a gone device never drains */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__u64 pcf_spin_adapt(__u64 spin_ns, __u64 gap_ns, __u64 max_ns)
{
	if (gap_ns >= max_ns)
		return spin_ns / 2 < SPIN_GROW_START_NS ? 0 : spin_ns / 2;
	spin_ns =
	    spin_ns < SPIN_GROW_START_NS / 2 ? SPIN_GROW_START_NS : spin_ns * 2;
	return spin_ns < max_ns ? spin_ns : max_ns;
}

static bool all_idle(struct pcf_wthread *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!pcf_worker_idle(t->w[i]))
			return false;
	return true;
}

/*
 * Sleep until a socket has packets, another thread rings our eventfd,
 * or SLEEP_MS pass.  sleeping is set before the last look at the rings,
 * and others set their ring before looking at sleeping: no lost wake-up.
 */
static void sleep_idle(struct pcf_wthread *t)
{
	__u64 v;

	__atomic_store_n(&t->sleeping, 1, __ATOMIC_SEQ_CST);
	if (all_idle(t) && !__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		t->w[0]->st.sleeps++;
		poll(t->pfd, t->n + 1, SLEEP_MS);
		if (t->pfd[t->n].revents & POLLIN)
			(void)!read(t->efd, &v, sizeof(v));
	}
	__atomic_store_n(&t->sleeping, 0, __ATOMIC_SEQ_CST);
}

static void name_thread(const struct pcf_wthread *t)
{
	char name[32];

	/* "pcf-IFNAME/Q" or "pcf-cpuN", cut to a thread name's 15 chars */
	if (t->n == 1)
		snprintf(name, sizeof(name), "pcf-%s/%u", t->w[0]->ifname,
			 t->w[0]->queue);
	else
		snprintf(name, sizeof(name), "pcf-cpu%d", t->cpu);
	name[15] = '\0';
	pthread_setname_np(pthread_self(), name);
}

/*
 * Tell the steering program that our workers live (pcf_heartbeat).  The
 * clock is coarse: the slot changes once a tick, not once a turn, so the
 * cache line the steering program reads stays put.
 */
static void beat(struct pcf_wthread *t)
{
	__u64 now = pcf_heartbeat_now();
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->w[i]->beat && *t->w[i]->beat != now)
			*t->w[i]->beat = now;
}

/*
 * Stopping: our sockets are out of the xskmap already; finish what their
 * rings and hand-offs still hold, so that a restart loses nothing.
 */
static void drain(struct pcf_wthread *t)
{
	unsigned int i, turn;

	for (turn = 0; turn < DRAIN_TURNS && !all_idle(t); turn++)
		for (i = 0; i < t->n; i++)
			pcf_worker_step(t->w[i]);
}

/*
 * Adaptive, an empty turn, the idle-th in a row: spin on?  The first one
 * notes when the idle spell began.
 */
static bool spin_on(struct pcf_wthread *t, __u32 idle)
{
	if (idle == 1)
		t->idle_since = now_ns();
	return idle < t->idle_polls ||
	       (t->spin_ns && now_ns() - t->idle_since < t->spin_ns);
}

/*
 * Adaptive: work again after an idle spell of idle turns.  A spell that
 * outlasted idle_polls (and only such a spell sleeps) was a gap the
 * window bridged, or slept through: how long was it?
 */
static void busy_again(struct pcf_wthread *t, __u32 idle)
{
	if (idle < t->idle_polls)
		return;
	t->spin_ns = pcf_spin_adapt(t->spin_ns, now_ns() - t->idle_since,
				    t->spin_max_ns);
}

void *pcf_wthread_run(void *arg)
{
	struct pcf_wthread *t = arg;
	unsigned int i, moved;
	__u32 idle = 0;

	name_thread(t);
	if (t->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(t->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		beat(t);
		for (moved = 0, i = 0; i < t->n; i++)
			moved += pcf_worker_step(t->w[i]);
		if (moved) {
			if (idle && t->rx_mode == PCF_RX_ADAPTIVE)
				busy_again(t, idle);
			idle = 0;
			continue;
		}
		if (t->rx_mode == PCF_RX_POLL)
			continue;
		if (idle < UINT32_MAX)
			idle++;
		if (t->rx_mode == PCF_RX_ADAPTIVE && spin_on(t, idle))
			continue;
		sleep_idle(t);
	}
	drain(t);
	return NULL;
}

int pcf_wthread_init(struct pcf_wthread *t, struct pcf_worker **w,
		     unsigned int n, int cpu, enum pcf_rx_mode mode,
		     __u32 idle_polls, __u32 spin_us)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->w = w;
	t->n = n;
	t->cpu = cpu;
	t->rx_mode = mode;
	t->idle_polls = idle_polls ? idle_polls : IDLE_POLLS_DEFAULT;
	t->spin_max_ns = (__u64)spin_us * 1000;
	t->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->efd < 0)
		return -errno;
	t->pfd = calloc(n + 1, sizeof(*t->pfd));
	if (!t->pfd) {
		pcf_wthread_fini(t);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		t->pfd[i] =
		    (struct pollfd){ .fd = w[i]->xsk.fd, .events = POLLIN };
		w[i]->t = t;
	}
	t->pfd[n] = (struct pollfd){ .fd = t->efd, .events = POLLIN };
	return 0;
}

void pcf_wthread_fini(struct pcf_wthread *t)
{
	free(t->pfd);
	t->pfd = NULL;
	if (t->efd >= 0)
		close(t->efd);
	t->efd = -1;
}
