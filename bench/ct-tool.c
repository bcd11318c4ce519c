// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct-tool - the session table for the benchmark, through the loader (as
 * pcfd opens it) on the maps pinned in PIN_DIR:
 *
 *   ct-tool -p PIN_DIR pass [-s SRC] [-d DST] [-S SPORT] [-D DPORT]
 *       make the pass session (pass ct) of SRC:SPORT -> DST:DPORT, UDP, as
 *       pcf_steer makes one: bench/cost then measures its replies.
 *   ct-tool -p PIN_DIR mem N
 *       make N sessions (each two entries in pcf_ct) and print what the
 *       kernel says the map takes before and after (its fdinfo memlock,
 *       the elements it holds), and the filter: "sessions N bytes B
 *       per_session P filter_bytes F capacity C".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "ct.h"
#include "ct_maps.h"
#include "loader.h"
#include "pcf_steer.skel.h"

/* What the kernel says map fd takes (fdinfo "memlock:"). */
static long long memlock(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* A session with no NAT (a pass session's plan) for key k. */
static int pass_session(struct pcf_ct_maps *m, const struct pcf_ct_key *k)
{
	struct pcf_action act = { .verdict = PCF_VERDICT_PASS,
				  .flags = PCF_ACT_CT };
	struct pcf_ct_entry e;
	struct pcf_ct_plan p;
	int err = pcf_ct_plan(k, true, &act, 0, NULL, &p);

	if (!err)
		err = pcf_ct_create(&m->table, k, 64, &p, 1, 0, pcf_ct_now(),
				    &e);
	return err == PCF_CT_FOUND ? 0 : err;
}

static struct pcf_ct_key key_of(const struct bench_tuple *t, __u32 i)
{
	struct pcf_ct_key k = { .proto = IPPROTO_UDP, .family = 4 };

	memcpy(k.src, &t->src, 4);
	memcpy(k.dst, &t->dst, 4);
	k.sport = htons(t->sport + i % 60000);
	k.dport = htons(t->dport + i / 60000);
	return k;
}

static int mem(struct pcf_dp *dp, const struct bench_tuple *t, __u32 n)
{
	struct pcf_ct_maps *m = pcf_dp_ct(dp);
	long long before = memlock(m->ct_fd), after;
	struct pcf_ct_key k;
	__u32 i;
	int err;

	for (i = 0; i < n; i++) {
		k = key_of(t, i);
		err = pass_session(m, &k);
		if (err)
			return err;
	}
	after = memlock(m->ct_fd);
	printf("sessions %u bytes %lld per_session %.1f filter_bytes %zu capacity %u\n",
	       n, after - before, (double)(after - before) / n, m->filter_len,
	       m->sessions);
	for (i = 0; i < n; i++) {
		struct pcf_ct_entry e;

		k = key_of(t, i);
		if (!m->table.ops->lookup(m->table.ctx, &k, &e))
			pcf_ct_destroy(&m->table, &k, &e);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_tuple t;
	const char *pin = NULL;
	struct pcf_dp *dp;
	struct pcf_ct_key k;
	int c, err;

	bench_tuple_default(&t);
	while ((c = getopt(argc, argv, "p:" BENCH_TUPLE_OPTS)) != -1) {
		if (c == 'p')
			pin = optarg;
		else if (bench_tuple_opt(&t, c, optarg))
			goto usage;
	}
	if (!pin || optind >= argc)
		goto usage;
	err = pcf_dp_open(pin, &dp);
	if (err) {
		fprintf(stderr, "ct-tool: %s: %s\n", pin, strerror(-err));
		return 1;
	}
	if (!strcmp(argv[optind], "pass")) {
		k = key_of(&t, 0);
		err = pass_session(pcf_dp_ct(dp), &k);
	} else if (!strcmp(argv[optind], "mem") && optind + 1 < argc) {
		err = mem(dp, &t, strtoul(argv[optind + 1], NULL, 10));
	} else {
		pcf_dp_close(dp);
		goto usage;
	}
	pcf_dp_close(dp);
	if (err)
		fprintf(stderr, "ct-tool: %s\n", strerror(-err));
	return err ? 1 : 0;
usage:
	fprintf(stderr,
		"usage: ct-tool -p PIN_DIR pass|mem N " BENCH_TUPLE_USAGE "\n");
	return 2;
}
