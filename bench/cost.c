// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cost - what one packet costs an XDP program, without any traffic: the
 * kernel runs the program REPEAT times on the benchmark frame
 * (bpf_prog_test_run_opts) and reports the mean time per run.  Steady and
 * cheap, it tells the program's own share of the veth figures.
 *
 *   cost [-c CPU] [-n REPEAT] [-p PIN_DIR] [-s SRC] [-d DST] [-S SPORT]
 *        [-D DPORT]
 *
 * With -p, pcf_steer over the rules pinned in PIN_DIR (loaded through the
 * loader, as pcfd does); without, bench/drop.bpf.c.  Prints
 * "ns N verdict V" (V: the XDP action returned).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "loader.h"
#include "drop.skel.h"

struct cost_opts {
	int cpu;
	unsigned int repeat;
	const char *pin_dir;
	struct bench_tuple tuple;
};

static int run(int prog_fd, const struct cost_opts *o)
{
	struct bench_frame f;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &f,
		    .data_size_in = sizeof(f), .repeat = o->repeat);

	bench_frame_build(&f, &o->tuple);
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	printf("ns %u verdict %u\n", opts.duration, opts.retval);
	return 0;
}

static int run_pcf(const struct cost_opts *o)
{
	struct pcf_dp *dp;
	int err;

	err = pcf_dp_open(o->pin_dir, &dp);
	if (err)
		return err;
	err = run(pcf_dp_steer_prog_fd(dp), o);
	pcf_dp_close(dp);
	return err;
}

static int run_drop(const struct cost_opts *o)
{
	struct drop *skel = drop__open_and_load();
	int err;

	if (!skel)
		return -errno;
	err = run(bpf_program__fd(skel->progs.bench_drop), o);
	drop__destroy(skel);
	return err;
}

static int parse_args(int argc, char **argv, struct cost_opts *o)
{
	int c;

	*o = (struct cost_opts){ .cpu = 0, .repeat = 1000000 };
	bench_tuple_default(&o->tuple);
	while ((c = getopt(argc, argv, "c:n:p:" BENCH_TUPLE_OPTS)) != -1) {
		if (c == 'c')
			o->cpu = atoi(optarg);
		else if (c == 'n')
			o->repeat = strtoul(optarg, NULL, 0);
		else if (c == 'p')
			o->pin_dir = optarg;
		else if (bench_tuple_opt(&o->tuple, c, optarg))
			return -EINVAL;
	}
	if (optind != argc || !o->repeat || o->repeat > 100000000)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct cost_opts o;
	int err;

	if (parse_args(argc, argv, &o)) {
		fprintf(
		    stderr,
		    "Usage: %s [-c CPU] [-n REPEAT] [-p PIN_DIR] " BENCH_TUPLE_USAGE
		    "\n",
		    argv[0]);
		return 2;
	}
	err = bench_pin_cpu(o.cpu);
	if (!err)
		err = o.pin_dir ? run_pcf(&o) : run_drop(&o);
	if (err) {
		fprintf(stderr, "cost: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
