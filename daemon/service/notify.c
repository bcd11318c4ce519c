// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * notify.c - sd_notify(3) for pcfd, and the watchdog's heartbeat gate.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "notify.h"

#define STATUS_MAX 256

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int pcf_notify_ready(const char *status)
{
	char line[STATUS_MAX];

	if (!status)
		return sd_notify(0, "READY=1");
	snprintf(line, sizeof(line), "%s", status);
	one_line(line);
	return sd_notifyf(0, "READY=1\nSTATUS=%s", line);
}

int pcf_notify_status(const char *fmt, ...)
{
	char line[STATUS_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	one_line(line);
	return sd_notifyf(0, "STATUS=%s", line);
}

int pcf_notify_reloading(void)
{
	struct timespec ts;

	/* systemd >= 253 wants the time, to tell this reload from older ones */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
			  (unsigned long long)ts.tv_sec * 1000000ULL +
			      ts.tv_nsec / 1000);
}

int pcf_notify_stopping(void)
{
	return sd_notify(0, "STOPPING=1");
}

int pcf_notify_watchdog(void)
{
	return sd_notify(0, "WATCHDOG=1");
}

int pcf_watchdog_period(__u64 *ret_usec)
{
	uint64_t usec = 0;
	int r = sd_watchdog_enabled(0, &usec);

	if (r < 0)
		return r;
	*ret_usec = r > 0 ? usec / 2 : 0;
	return 0;
}

static void gate_take(struct pcf_watchdog_gate *g, const __u64 *beats,
		      unsigned int n)
{
	memcpy(g->last, beats, n * sizeof(*beats));
	g->n = n;
	g->primed = true;
}

bool pcf_watchdog_gate_check(struct pcf_watchdog_gate *g, const __u64 *beats,
			     unsigned int n, unsigned int *ret_stuck)
{
	unsigned int i;

	if (n > PCF_WATCHDOG_MAX_WORKERS)
		n = PCF_WATCHDOG_MAX_WORKERS;
	if (!g->primed || g->n != n) {
		gate_take(g, beats, n);
		return true;
	}
	for (i = 0; i < n; i++) {
		if (beats[i] == g->last[i]) {
			if (ret_stuck)
				*ret_stuck = i;
			return false;
		}
	}
	gate_take(g, beats, n);
	return true;
}

bool pcf_loop_gate_check(struct pcf_loop_gate *g,
			 const struct pcf_loop_sample *s, const char **ret_why)
{
	const char *why = NULL;

	if (s->expirations > 1)
		why = "the main loop came a whole watchdog period late";
	else if (s->longest_turn_ns >= PCF_LOOP_TURN_MAX_NS)
		why = "a turn of the main loop took a second or more";
	/* waiting at the last tick and now, and nothing taken in between */
	else if (g->primed && g->ctl_waiting && s->ctl_waiting &&
		 s->ctl_served == g->ctl_served)
		why = "control requests wait and none is served";
	g->primed = true;
	g->ctl_waiting = s->ctl_waiting;
	g->ctl_served = s->ctl_served;
	if (why && ret_why)
		*ret_why = why;
	return !why;
}
