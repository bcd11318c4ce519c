// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * gen - a packet generator for the benchmark: the kernel's XDP test run
 * in live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES, as xdp-trafficgen does)
 * pushes one 64-byte UDP frame, over and over, through an XDP program that
 * gives it the next flow's source port (-f FLOWS, bench.h) and redirects
 * it into IFNAME (a veth); the veth's peer receives them.
 *
 *   gen [-c CPU] [-t SECONDS] [-r PPS] [-T] [-R] [-s SRC] [-d DST]
 *       [-S SPORT] [-D DPORT] [-f FLOWS] [-M DST_MAC] IFNAME
 *
 * -r paces the frames to PPS per second, in bursts of PACED_BURST (gen.bpf.c
 * spins until each burst is due); -T writes the sending time into each
 * frame (stamp.h, for bench/sink); -R writes the headers back into every
 * frame before anything else (for a receiver that forwards the frames in
 * the kernel, which rewrites them in place: gen.bpf.c).
 * Runs pinned to CPU (default 0) for SECONDS (default 5) and prints
 * "frames N seconds S cpu_seconds C": what it pushed (not what arrived: a
 * full veth ring drops), in S seconds of wall clock and C of its own CPU
 * time.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "gen.skel.h"

#define CHUNK (1U << 18) /* frames per test run: a fraction of a second */
/* paced: frames the kernel hands to the veth together (the test run's
 * batch), stamped within a microsecond or two of each other */
#define PACED_BURST 16

struct gen_opts {
	int cpu;
	double seconds;
	double rate; /* frames per second; 0: as fast as it goes */
	bool stamp;
	bool restore;
	struct bench_tuple tuple;
	const char *ifname;
};

static double seconds_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct gen_result {
	unsigned long long frames;
	double seconds; /* wall clock */
	/*
	 * CPU time of this thread.  The veth peer's receive softirq runs in
	 * this thread's context on its way out of each test run (unless
	 * threaded NAPI moves it away), and without IRQ time accounting its
	 * time counts here too: frames / cpu_seconds is then the rate of one
	 * CPU, whatever else the machine runs.
	 */
	double cpu_seconds;
};

static void on_alarm(int sig)
{
	/* nothing: only interrupts the test run (EINTR) */
}

/*
 * A paced run is one syscall that ends when all its frames are out; if
 * the machine cannot keep the pace it would run on: stop it (EINTR) at
 * four times its time, plus five seconds (a test's paced run on a
 * machine busy with other work still ends; one that takes that long
 * measures nothing).
 */
static void bound_paced_run(const struct gen_opts *o)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	alarm(4 * o->seconds + 5);
}

/* Push frames for o->seconds. */
static int generate(int prog_fd, const struct gen_opts *o,
		    struct gen_result *ret)
{
	__u8 f[BENCH_FRAME_LEN] __attribute__((aligned(8)));
	/* paced: one test run of all the frames */
	__u32 chunk = o->rate ? o->rate * o->seconds : CHUNK;
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = f,
		    .data_size_in = sizeof(f), .repeat = chunk,
		    .batch_size = o->rate ? PACED_BURST : 0,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	double start = seconds_of(CLOCK_MONOTONIC), t;
	double cpu_start = seconds_of(CLOCK_THREAD_CPUTIME_ID);
	unsigned long long frames = 0;

	bench_frame_build(f, &o->tuple);
	if (o->rate)
		bound_paced_run(o);
	do {
		if (bpf_prog_test_run_opts(prog_fd, &run)) {
			if (errno == EINTR)
				fprintf(stderr, "gen: cannot keep the pace of "
						"%.0f frames/s here\n",
					o->rate);
			return -errno;
		}
		frames += chunk;
		t = seconds_of(CLOCK_MONOTONIC) - start;
	} while (t < o->seconds && !o->rate);
	ret->frames = frames;
	ret->seconds = t;
	ret->cpu_seconds = seconds_of(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
	return 0;
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [-c CPU] [-t SECONDS] [-r PPS] [-T] [-R] " BENCH_TUPLE_USAGE
		" IFNAME\n",
		prog);
	return 2;
}

static int parse_args(int argc, char **argv, struct gen_opts *o)
{
	int c;

	*o = (struct gen_opts){ .cpu = 0, .seconds = 5 };
	bench_tuple_default(&o->tuple);
	while ((c = getopt(argc, argv, "c:t:r:TR" BENCH_TUPLE_OPTS)) != -1) {
		if (c == 'c')
			o->cpu = atoi(optarg);
		else if (c == 't')
			o->seconds = atof(optarg);
		else if (c == 'r')
			o->rate = atof(optarg);
		else if (c == 'T')
			o->stamp = true;
		else if (c == 'R')
			o->restore = true;
		else if (bench_tuple_opt(&o->tuple, c, optarg))
			return -EINVAL;
	}
	if (optind != argc - 1 || o->seconds <= 0 || o->seconds > 60 ||
	    o->rate < 0 || o->rate > 1e8 ||
	    (o->stamp && o->tuple.family != 4) || /* stamp.h: IPv4 */
	    !bench_tuple_valid(&o->tuple))
		return -EINVAL;
	o->ifname = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct gen_result res = {};
	struct gen_opts o;
	struct gen *skel;
	int ifindex, err;

	if (parse_args(argc, argv, &o))
		return usage(argv[0]);
	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		fprintf(stderr, "gen: no interface %s in this namespace\n",
			o.ifname);
		return 1;
	}
	err = bench_pin_cpu(o.cpu);
	if (err) {
		fprintf(stderr, "gen: cannot pin to CPU %d: %s\n", o.cpu,
			strerror(-err));
		return 1;
	}
	skel = gen__open();
	if (!skel) {
		fprintf(stderr, "gen: open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->target_ifindex = ifindex;
	skel->rodata->first_sport = o.tuple.sport;
	skel->rodata->flows = o.tuple.flows;
	skel->rodata->udp_off = bench_udp_off(&o.tuple);
	skel->rodata->stamp = o.stamp;
	skel->rodata->interval_ns = o.rate ? 1e9 / o.rate : 0;
	skel->rodata->burst = PACED_BURST;
	skel->rodata->restore = o.restore;
	bench_frame_build((void *)skel->rodata->headers, &o.tuple);
	err = gen__load(skel);
	if (!err)
		err =
		    generate(bpf_program__fd(skel->progs.bench_gen), &o, &res);
	gen__destroy(skel);
	if (err) {
		fprintf(stderr, "gen: %s\n", strerror(-err));
		return 1;
	}
	printf("frames %llu seconds %.3f cpu_seconds %.3f\n", res.frames,
	       res.seconds, res.cpu_seconds);
	return 0;
}
