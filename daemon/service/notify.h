/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * notify.h - telling systemd how pcfd is doing (sd_notify): READY=1,
 * STATUS=, WATCHDOG=1, RELOADING=1, STOPPING=1.
 *
 * Every call returns what sd_notify returns: > 0 sent, 0 when pcfd does not
 * run under a service manager (no NOTIFY_SOCKET), < 0 a negative errno.
 *
 * The watchdog is only worth something if a ping proves the data path
 * lives: pcf_watchdog_gate_check says yes only while every worker's
 * heartbeat moved since the last ping, so a stuck worker makes systemd
 * restart pcfd.
 */
#ifndef PCF_NOTIFY_H
#define PCF_NOTIFY_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcf_abi.h"

/* READY=1 with a first STATUS= line (may be NULL). */
int pcf_notify_ready(const char *status);
/* STATUS=<one line>: newlines become blanks, long text is cut. */
int pcf_notify_status(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC=now; send READY=1 when done. */
int pcf_notify_reloading(void);
int pcf_notify_stopping(void);
int pcf_notify_watchdog(void);

/*
 * How often to send WATCHDOG=1: half of the service's WatchdogSec, in
 * *ret_usec, as sd_watchdog_enabled(3) advises; 0 when no watchdog is
 * asked for this process.  Returns 0 or a negative errno.
 */
int pcf_watchdog_period(__u64 *ret_usec);

#define PCF_WATCHDOG_MAX_WORKERS (PCF_MAX_IFACES * PCF_MAX_QUEUES)

/* The workers' heartbeats at the last ping. */
struct pcf_watchdog_gate {
	__u64 last[PCF_WATCHDOG_MAX_WORKERS];
	unsigned int n;
	bool primed;
};

/*
 * Should the main loop send WATCHDOG=1 now?  beats[i] is worker i's
 * heartbeat counter (each worker separately: a sum would hide a stuck
 * one).  Yes when every heartbeat moved since the last yes, and beats
 * becomes the new reference.  The first call, and a call with another
 * number of workers (they were restarted), take a reference and say yes;
 * with no worker the answer is yes (the main loop itself is alive).
 * No: *ret_stuck (if not NULL) is the first worker that did not move.
 * Pure: no clock, no I/O.
 */
bool pcf_watchdog_gate_check(struct pcf_watchdog_gate *g, const __u64 *beats,
			     unsigned int n, unsigned int *ret_stuck);

/*
 * The main loop's own health, for the same ping: WATCHDOG=1 only while the
 * loop turns (its watchdog timer is not a whole period late, no handler
 * ran PCF_LOOP_TURN_MAX_NS or more, so nobody waited that long for an
 * answer) and serves (requests do not sit on the control socket from one
 * tick to the next with none taken).
 */
#define PCF_LOOP_TURN_MAX_NS 1000000000ULL

/* What the main loop saw since the last tick. */
struct pcf_loop_sample {
	__u64 expirations;	  /* of the watchdog timer, read at this tick */
	__u64 longest_turn_ns;	  /* the longest handler call since the last */
	bool ctl_waiting;	  /* datagrams wait on the control socket now */
	unsigned long ctl_served; /* datagrams taken off it so far */
};

/* The last tick's control socket. */
struct pcf_loop_gate {
	bool primed;
	bool ctl_waiting;
	unsigned long ctl_served;
};

/*
 * Does the loop earn WATCHDOG=1 at this tick?  No: *ret_why (if not
 * NULL) says why in a few words.  Pure: no clock, no I/O.
 */
bool pcf_loop_gate_check(struct pcf_loop_gate *g,
			 const struct pcf_loop_sample *s, const char **ret_why);

#endif /* PCF_NOTIFY_H */
