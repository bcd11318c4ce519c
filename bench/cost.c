// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cost - what one packet costs an XDP program, without any traffic: the
 * kernel runs the program REPEAT times on the benchmark frame
 * (bpf_prog_test_run_opts) and reports the mean time per run.  Steady and
 * cheap, it tells the program's own share of the veth figures.
 *
 *   cost [-c CPU] [-n REPEAT] [-p PIN_DIR | -m | -i PROG_ID] [-I IFNAME]
 *        [-s SRC] [-d DST] [-S SPORT] [-D DPORT] [-f FLOWS]
 *
 * With -p, pcf_steer over the rules pinned in PIN_DIR (loaded through the
 * loader, as pcfd does); with -m, bench/flowmem.bpf.c (the memory floor of
 * a per-flow program); with -i, the XDP program of that id as it is loaded
 * (a peer's: xdp-filter, issue 15); with none, bench/drop.bpf.c.  Prints
 * "ns N verdict V" (V: the XDP action returned).
 *
 * With -I, the frame arrives on rx queue 0 of IFNAME (in the caller's
 * network namespace) instead of the loopback device: pcf_steer's
 * REDIRECT then finds that interface's worker, as a live frame does, and
 * the run times the whole redirect path (the frame itself goes nowhere).
 *
 * With -f FLOWS above 1, the runs cycle through the flows' frames
 * (bench.h): each run first goes through bench_flows (bench/gen.bpf.c),
 * which writes the next flow's source port and tail-calls the program under
 * test.  The same is timed with bench/drop.bpf.c under it, and N is the
 * difference: the program's cost above a bare XDP_DROP (so without the
 * test-run loop's few ns that the one-flow figure includes).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "loader.h"
#include "drop.skel.h"
#include "flowmem.skel.h"
#include "gen.skel.h"

struct cost_opts {
	int cpu;
	unsigned int repeat;
	const char *pin_dir;
	bool flowmem;  /* -m */
	__u32 prog_id; /* -i */
	__u32 ifindex; /* -I */
	struct bench_tuple tuple;
};

/*
 * Where the frame arrives: -I's interface, else the kernel's default.  The
 * kernel takes a context whose data_end is the frame's length.
 */
static void arrive_on(struct bpf_test_run_opts *opts, struct xdp_md *ctx,
		      const struct cost_opts *o)
{
	if (!o->ifindex)
		return;
	*ctx = (struct xdp_md){ .data_end = opts->data_size_in,
				.ingress_ifindex = o->ifindex };
	opts->ctx_in = ctx;
	opts->ctx_size_in = sizeof(*ctx);
}

/* One flow: the kernel repeats the run and times the whole loop. */
static int run_one_flow(int prog_fd, const struct cost_opts *o)
{
	__u8 f[BENCH_FRAME_MAX] __attribute__((aligned(8)));
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f,
		    .data_size_in = bench_frame_len(&o->tuple),
		    .repeat = o->repeat);
	struct xdp_md ctx;

	arrive_on(&opts, &ctx, o);
	bench_frame_build(f, &o->tuple);
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	printf("ns %u verdict %u\n", opts.duration, opts.retval);
	return 0;
}

/* One repeated run of prog_fd behind bench_flows; its mean ns. */
static int run_behind_flows(struct gen *gen, int prog_fd,
			    const struct cost_opts *o, unsigned int *ret_ns,
			    unsigned int *ret_verdict)
{
	__u8 f[BENCH_FRAME_MAX] __attribute__((aligned(8)));
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f,
		    .data_size_in = bench_frame_len(&o->tuple),
		    .repeat = o->repeat);
	struct xdp_md ctx;
	__u32 zero = 0;

	arrive_on(&opts, &ctx, o);
	if (bpf_map__update_elem(gen->maps.under_test, &zero, sizeof(zero),
				 &prog_fd, sizeof(prog_fd), BPF_ANY))
		return -errno;
	bench_frame_build(f, &o->tuple);
	if (bpf_prog_test_run_opts(bpf_program__fd(gen->progs.bench_flows),
				   &opts))
		return -errno;
	*ret_ns = opts.duration;
	*ret_verdict = opts.retval;
	return 0;
}

/* Many flows: prog_fd and drop_fd each behind bench_flows. */
static int run_flows(int prog_fd, int drop_fd, const struct cost_opts *o)
{
	unsigned int prog_ns, drop_ns, verdict, ignored;
	struct gen *gen;
	int err;

	gen = gen__open();
	if (!gen)
		return -errno;
	gen->rodata->first_sport = o->tuple.sport;
	gen->rodata->flows = o->tuple.flows;
	gen->rodata->udp_off = bench_udp_off(&o->tuple);
	err = gen__load(gen);
	if (!err)
		err = run_behind_flows(gen, drop_fd, o, &drop_ns, &ignored);
	if (!err)
		err = run_behind_flows(gen, prog_fd, o, &prog_ns, &verdict);
	gen__destroy(gen);
	if (err)
		return err;
	printf("ns %d verdict %u\n", (int)prog_ns - (int)drop_ns, verdict);
	return 0;
}

static int run(int prog_fd, int drop_fd, const struct cost_opts *o)
{
	return o->tuple.flows > 1 ? run_flows(prog_fd, drop_fd, o)
				  : run_one_flow(prog_fd, o);
}

static int run_pcf(const struct cost_opts *o, int drop_fd)
{
	struct pcf_dp *dp;
	int err;

	err = pcf_dp_open(o->pin_dir, &dp);
	if (err)
		return err;
	err = run(pcf_dp_steer_prog_fd(dp), drop_fd, o);
	pcf_dp_close(dp);
	return err;
}

static int run_flowmem(const struct cost_opts *o, int drop_fd)
{
	struct flowmem *skel = flowmem__open_and_load();
	int err;

	if (!skel)
		return -errno;
	err = run(bpf_program__fd(skel->progs.bench_flowmem), drop_fd, o);
	flowmem__destroy(skel);
	return err;
}

/* A program already loaded (a peer's), by id */
static int run_prog_id(const struct cost_opts *o, int drop_fd)
{
	int fd = bpf_prog_get_fd_by_id(o->prog_id), err;

	if (fd < 0)
		return -errno;
	err = run(fd, drop_fd, o);
	close(fd);
	return err;
}

static int run_under_test(const struct cost_opts *o)
{
	struct drop *skel = drop__open_and_load();
	int drop_fd, err;

	if (!skel)
		return -errno;
	drop_fd = bpf_program__fd(skel->progs.bench_drop);
	if (o->pin_dir)
		err = run_pcf(o, drop_fd);
	else if (o->flowmem)
		err = run_flowmem(o, drop_fd);
	else if (o->prog_id)
		err = run_prog_id(o, drop_fd);
	else
		err = run(drop_fd, drop_fd, o);
	drop__destroy(skel);
	return err;
}

/* -i's id: a program's id is never 0, which would mean "no -i" */
static int parse_prog_id(const char *arg, __u32 *ret_id)
{
	unsigned long id;
	char *end;

	errno = 0;
	id = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || !id || id > UINT32_MAX)
		return -EINVAL;
	*ret_id = id;
	return 0;
}

static int parse_args(int argc, char **argv, struct cost_opts *o)
{
	int c;

	*o = (struct cost_opts){ .cpu = 0, .repeat = 1000000 };
	bench_tuple_default(&o->tuple);
	while ((c = getopt(argc, argv, "c:i:I:mn:p:" BENCH_TUPLE_OPTS)) != -1) {
		switch (c) {
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'i':
			if (parse_prog_id(optarg, &o->prog_id))
				return -EINVAL;
			break;
		case 'I':
			o->ifindex = if_nametoindex(optarg);
			if (!o->ifindex)
				return -EINVAL;
			break;
		case 'm':
			o->flowmem = true;
			break;
		case 'n':
			o->repeat = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o->pin_dir = optarg;
			break;
		default:
			if (bench_tuple_opt(&o->tuple, c, optarg))
				return -EINVAL;
		}
	}
	if (optind != argc || !o->repeat || o->repeat > 100000000 ||
	    (!!o->pin_dir + o->flowmem + !!o->prog_id > 1) ||
	    !bench_tuple_valid(&o->tuple))
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
		    "Usage: %s [-c CPU] [-n REPEAT] [-p PIN_DIR | -m | -i PROG_ID] [-I IFNAME] " BENCH_TUPLE_USAGE
		    "\n",
		    argv[0]);
		return 2;
	}
	err = bench_pin_cpu(o.cpu);
	if (!err)
		err = run_under_test(&o);
	if (err) {
		fprintf(stderr, "cost: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
