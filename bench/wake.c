// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * wake - what a packet that finds a worker thread asleep pays (issue 15):
 * a thread on CPU 1 waits in poll() on an eventfd, as an idle adaptive
 * worker does; CPU 0 writes the eventfd every GAP us and the waiter
 * notes how long after the write it ran.  With -s US the waiter first
 * spins up to US us on the eventfd, as an adaptive worker within its
 * spin window does.
 *
 *   wake [-g GAP_US] [-s SPIN_US] [-n N]
 *
 * Prints "gap_us G spin_us S n N p50_us A p90_us B p99_us C p999_us D
 * max_us E".  The writer waits for each wake-up before the next gap.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

struct wake {
	int efd;
	long spin_us;
	unsigned int n, got;
	uint64_t stamp; /* when the writer wrote: __atomic */
	int seen;	/* the waiter ran: __atomic */
	uint64_t *lat;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static bool ready(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) > 0;
}

static void *waiter(void *arg)
{
	struct wake *w = arg;
	uint64_t v, end;

	pin(1);
	while (w->got < w->n) {
		end = now_ns() + w->spin_us * 1000;
		while (w->spin_us && now_ns() < end && !ready(w->efd, 0))
			;
		if (!ready(w->efd, 100))
			continue;
		w->lat[w->got++] =
		    now_ns() - __atomic_load_n(&w->stamp, __ATOMIC_ACQUIRE);
		(void)!read(w->efd, &v, sizeof(v));
		__atomic_store_n(&w->seen, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void writer(struct wake *w, long gap_us)
{
	uint64_t one = 1, due;
	unsigned int i;

	pin(0);
	for (i = 0; i < w->n; i++) {
		due = now_ns() + gap_us * 1000;
		while (now_ns() < due)
			;
		__atomic_store_n(&w->seen, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&w->stamp, now_ns(), __ATOMIC_RELEASE);
		(void)!write(w->efd, &one, sizeof(one));
		while (!__atomic_load_n(&w->seen, __ATOMIC_ACQUIRE))
			;
	}
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const struct wake *w, double p)
{
	return w->lat[(unsigned int)(p * (w->n - 1))] / 1e3;
}

int main(int argc, char **argv)
{
	struct wake w = { .n = 20000 };
	long gap_us = 100;
	pthread_t t;
	int c;

	while ((c = getopt(argc, argv, "g:s:n:")) != -1) {
		if (c == 'g')
			gap_us = atol(optarg);
		else if (c == 's')
			w.spin_us = atol(optarg);
		else if (c == 'n')
			w.n = atoi(optarg);
		else
			return 2;
	}
	w.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w.lat = calloc(w.n, sizeof(*w.lat));
	if (w.efd < 0 || !w.lat || !w.n || gap_us < 0 || w.spin_us < 0 ||
	    pthread_create(&t, NULL, waiter, &w))
		return 1;
	writer(&w, gap_us);
	pthread_join(t, NULL);
	qsort(w.lat, w.n, sizeof(*w.lat), cmp);
	printf("gap_us %ld spin_us %ld n %u p50_us %.1f p90_us %.1f p99_us "
	       "%.1f p999_us %.1f max_us %.1f\n",
	       gap_us, w.spin_us, w.n, pct_us(&w, 0.5), pct_us(&w, 0.9),
	       pct_us(&w, 0.99), pct_us(&w, 0.999), pct_us(&w, 1));
	free(w.lat);
	return 0;
}
