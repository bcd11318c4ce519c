// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sink - the far end of the forwarding benchmark (bench/sink.bpf.c).
 *
 *   sink attach IFNAME PIN   attach the sink program to IFNAME (native XDP)
 *                            and pin its histogram at PIN; the program
 *                            stays attached after sink exits (remove it
 *                            with `ip link set dev IFNAME xdp off`)
 *   sink read [-H] PIN       print "stamped N p50_us X p99_us Y max_us Z
 *                            range_us R" of the latencies counted since the
 *                            last read, then clear the histogram (R: the
 *                            last bucket takes every latency above it, so
 *                            a quantile above R is only "more than R");
 *                            -H adds a line of the histogram in
 *                            power-of-two steps: "<=US:N ..." (frames of
 *                            at most US us)
 *
 * Latency: now - the stamp bench/gen -T wrote, both bpf_ktime_get_ns(),
 * in the log-linear buckets of stamp.h (1.024 us wide up to 2.1 ms, then
 * within 0.1 %); a quantile is the upper edge of the bucket it falls in.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sink.skel.h"
#include "stamp.h"

static int attach(const char *ifname, const char *pin)
{
	int ifindex = if_nametoindex(ifname), err;
	struct sink *skel;

	if (!ifindex) {
		fprintf(stderr, "sink: no interface %s here\n", ifname);
		return 1;
	}
	skel = sink__open_and_load();
	if (!skel) {
		fprintf(stderr, "sink: load: %s\n", strerror(errno));
		return 1;
	}
	err = bpf_map__pin(skel->maps.bench_hist, pin);
	if (!err)
		err = bpf_xdp_attach(ifindex,
				     bpf_program__fd(skel->progs.bench_sink),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		fprintf(stderr, "sink: attach to %s, pin at %s: %s\n", ifname,
			pin, strerror(-err));
	sink__destroy(skel); /* the attached program keeps what it uses */
	return err ? 1 : 0;
}

/* The upper edge of bucket b, in us: the latencies it holds are at most
 * that (but the last bucket holds every latency above the one before) */
static double edge_us(__u32 b)
{
	return (double)(bench_hist_edge(b) << BENCH_HIST_SHIFT) / 1000;
}

/* Upper edge, in us, of the bucket where the q-th quantile falls. */
static double quantile_us(const __u64 *hist, __u64 total, double q)
{
	__u64 want = (__u64)(q * total), seen = 0;
	__u32 b;

	for (b = 0; b < BENCH_HIST_BUCKETS; b++) {
		seen += hist[b];
		if (seen > want)
			break;
	}
	if (b == BENCH_HIST_BUCKETS)
		b--;
	return edge_us(b);
}

/* The histogram in power-of-two steps of latency: "<=US:N ...". */
static void print_steps(const __u64 *hist, __u32 last)
{
	__u64 n = 0, edge;
	__u32 b;

	for (b = 0; b <= last; b++) {
		n += hist[b];
		edge = bench_hist_edge(b);
		if (!(edge & (edge - 1)) || b == last) {
			printf("%s<=%.0f:%llu", b ? " " : "", edge_us(b),
			       (unsigned long long)n);
			n = 0;
		}
	}
	printf("\n");
}

static int read_hist(const char *pin, bool steps)
{
	int ncpus = libbpf_num_possible_cpus(), fd, c;
	__u64 *hist, *v, total = 0;
	__u32 b, last = 0;

	fd = bpf_obj_get(pin);
	if (fd < 0 || ncpus <= 0) {
		fprintf(stderr, "sink: %s: %s\n", pin, strerror(errno));
		return 1;
	}
	hist = calloc(BENCH_HIST_BUCKETS, sizeof(*hist));
	v = calloc(ncpus, sizeof(*v));
	if (!hist || !v)
		return 1;
	for (b = 0; b < BENCH_HIST_BUCKETS; b++) {
		if (bpf_map_lookup_elem(fd, &b, v)) {
			fprintf(stderr, "sink: read: %s\n", strerror(errno));
			return 1;
		}
		for (c = 0; c < ncpus; c++)
			hist[b] += v[c];
		total += hist[b];
		if (hist[b])
			last = b;
	}
	/* cleared bucket by bucket: read and clear while no traffic runs */
	memset(v, 0, ncpus * sizeof(*v));
	for (b = 0; b < BENCH_HIST_BUCKETS; b++)
		bpf_map_update_elem(fd, &b, v, BPF_ANY);
	printf("stamped %llu p50_us %.2f p99_us %.2f max_us %.2f",
	       (unsigned long long)total, quantile_us(hist, total, 0.50),
	       quantile_us(hist, total, 0.99), edge_us(last));
	printf(" range_us %.2f\n", edge_us(BENCH_HIST_BUCKETS - 2));
	if (steps)
		print_steps(hist, last);
	free(hist);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "attach"))
		return attach(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_hist(argv[2], false);
	if (argc == 4 && !strcmp(argv[1], "read") && !strcmp(argv[2], "-H"))
		return read_hist(argv[3], true);
	fprintf(stderr, "Usage: %s attach IFNAME PIN | read [-H] PIN\n",
		argv[0]);
	return 2;
}
