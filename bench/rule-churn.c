// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rule-churn - how fast the rule table changes on the real pinned maps
 * (make bench): a data plane opened at PIN (attached nowhere), 1000
 * exact 5-tuple rules under one mask, then
 *
 *   replace     the same rule replaced N times, its action alternating
 *   prio        the best rule of that mask replaced N times, its priority
 *               alternating 1 / 2 (each change moves the mask's best rank)
 *   prio-tidy   the same, with pcf_table_tidy() after each change, as
 *               pcfd does when it has nothing else to do: every change
 *               publishes a new mask list
 *   mask        N times: add the only rule of a mask of its own, delete it
 *               (each publishes a mask list; the mask's id waits for a
 *               grace period before it is used again)
 *
 * One line per case: "CASE N changes SECONDS s RATE/s US us/change".
 *
 *   rule-churn -p PIN [-n N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "loader.h"
#include "table.h"

#define BACKGROUND 1000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An exact UDP 5-tuple rule, 198.18.x.y:n -> 198.19.0.1:53. */
static struct pcf_rule exact(__u32 n, __u32 prio)
{
	struct pcf_rule r = { .prio = prio };

	r.key.family = 4;
	r.mask.family = 0xff;
	r.key.src[0] = 198;
	r.key.src[1] = 18;
	r.key.src[2] = n >> 8;
	r.key.src[3] = n;
	r.key.dst[0] = 198;
	r.key.dst[1] = 19;
	r.key.dst[3] = 1;
	memset(r.mask.src, 0xff, 4);
	memset(r.mask.dst, 0xff, 4);
	r.key.proto = IPPROTO_UDP;
	r.mask.proto = 0xff;
	r.key.sport = htons(1000 + n % 50000);
	r.key.dport = htons(53);
	r.mask.sport = r.mask.dport = 0xffff;
	r.action.verdict = PCF_VERDICT_DROP;
	return r;
}

static void report(const char *name, unsigned int n, double secs)
{
	printf("%s %u changes %.3f s %.0f/s %.1f us/change\n", name, n, secs,
	       n / secs, secs / n * 1e6);
}

static int churn(struct pcf_table *t, unsigned int n)
{
	struct pcf_rule r, lone = {};
	unsigned int i;
	double t0;
	__u32 id;
	int err = 0;

	r = exact(7, PCF_PRIO_DEFAULT);
	t0 = now();
	for (i = 0; i < n && !err; i++) {
		r.action.verdict = i % 2 ? PCF_VERDICT_PASS : PCF_VERDICT_DROP;
		err = pcf_table_add(t, &r, PCF_TABLE_REPLACE | PCF_TABLE_EXCL,
				    NULL);
	}
	if (err)
		return err;
	report("replace", n, now() - t0);

	r = exact(0, 1); /* the best of its mask */
	t0 = now();
	for (i = 0; i < n && !err; i++) {
		r.prio = 1 + i % 2;
		err = pcf_table_add(t, &r, PCF_TABLE_REPLACE | PCF_TABLE_EXCL,
				    NULL);
	}
	if (err)
		return err;
	report("prio", n, now() - t0);

	t0 = now();
	for (i = 0; i < n && !err; i++) {
		r.prio = 1 + i % 2;
		err = pcf_table_add(t, &r, PCF_TABLE_REPLACE | PCF_TABLE_EXCL,
				    NULL);
		if (!err)
			err = pcf_table_tidy(t);
	}
	if (err)
		return err;
	report("prio-tidy", n, now() - t0);

	lone.key.proto = IPPROTO_TCP; /* proto and dport only: its own mask */
	lone.mask.proto = 0xff;
	lone.key.dport = htons(4242);
	lone.mask.dport = 0xffff;
	lone.action.verdict = PCF_VERDICT_DROP;
	lone.prio = 10;
	t0 = now();
	for (i = 0; i < n && !err; i++) {
		err = pcf_table_add(t, &lone, 0, &id);
		if (!err)
			err = pcf_table_del(t, id, NULL);
	}
	if (err)
		return err;
	report("mask", 2 * n, now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *pin = NULL;
	unsigned int n = 20000, i;
	struct pcf_rule r;
	struct pcf_dp *dp;
	int c, err;

	while ((c = getopt(argc, argv, "p:n:")) != -1) {
		if (c == 'p')
			pin = optarg;
		else if (c == 'n')
			n = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (!pin || !n) {
		fprintf(stderr, "usage: rule-churn -p PIN [-n N]\n");
		return 2;
	}
	err = pcf_dp_open(pin, &dp);
	if (err) {
		fprintf(stderr, "rule-churn: open %s: %s\n", pin,
			strerror(-err));
		return 1;
	}
	err = pcf_table_flush(pcf_dp_table(dp));
	for (i = 0; !err && i < BACKGROUND; i++) {
		r = exact(i, i ? PCF_PRIO_DEFAULT : 1);
		err = pcf_table_add(pcf_dp_table(dp), &r, 0, NULL);
	}
	if (!err)
		err = churn(pcf_dp_table(dp), n);
	if (err)
		fprintf(stderr, "rule-churn: %s\n", strerror(-err));
	pcf_dp_unpin(dp);
	pcf_dp_close(dp);
	return err ? 1 : 0;
}
