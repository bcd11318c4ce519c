// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf-fastpath - test driver of the AF_XDP workers until pcfd runs them:
 * open the data plane under --pin-dir, attach to each -i IFNAME, add the
 * --rule's (pcfctl's "flow add" words), start the workers, and run until
 * SIGTERM/SIGINT; then print counters as "key value" lines ending with a
 * line "end", stop, detach and unpin.  SIGUSR1 prints the counters
 * without stopping.
 *
 *   pcf-fastpath --pin-dir DIR -i IF [-i IF...] [--rule 'WORDS']...
 *       [--queues N] [--egress kernel|wire] [--rx-mode poll|interrupt|adaptive]
 *       [--idle-polls N] [--bind-mode auto|copy|zerocopy] [--batch N]
 *       [--frames N] [--cpus LIST] [--keep]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "pcfctl.h"
#include "pipeline.h"
#include "rules.h"
#include "workers.h"

#define MAX_RULES 32

static volatile sig_atomic_t quit, dump;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		quit = 1;
}

static int add_rule(struct pcf_dp *dp, const char *words)
{
	char line[512], err[256], *argv[64];
	struct pcfctl_req req;
	const char *why = NULL;
	int argc, rc;
	__u32 id;

	snprintf(line, sizeof(line), "flow add %s", words);
	argc = pcfctl_split_line(line, argv, 64);
	if (argc < 0)
		return argc;
	rc = pcfctl_parse(argc, argv, &req, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "rule \"%s\": %s\n", words, err);
		return rc;
	}
	rc = pcf_rule_validate(&req.rule, &why);
	if (!rc)
		rc = pcf_rule_add(dp, &req.rule, 0, &id);
	if (rc) {
		fprintf(stderr, "rule \"%s\": %s\n", words,
			why ? why : strerror(-rc));
		return rc;
	}
	printf("rule %u added\n", id);
	return 0;
}

static int print_rule(const struct pcf_rule *rule, __u32 slot, void *ctx)
{
	struct pcf_workers *ws = ctx;
	struct pcf_counter wk;

	pcf_workers_rule_counters(ws, slot, &wk);
	printf("rule_%u_worker_packets %llu\n", rule->id,
	       (unsigned long long)wk.packets);
	return 0;
}

static void print_stats(struct pcf_dp *dp, struct pcf_workers *ws)
{
	struct pcf_counter xdp[PCF_STAT_MAX];
	struct pcf_worker_stats sum;
	struct pcf_worker_info info;
	unsigned int i, r;

	for (i = 0; i < pcf_workers_count(ws); i++) {
		pcf_workers_info(ws, i, &info);
		printf(
		    "worker %u if %s queue %u mode %s cpu %d rx %llu tx %llu heartbeat %llu sleeps %llu kicks %llu\n",
		    i, info.ifname, info.queue,
		    info.zerocopy ? "zerocopy" : "copy", info.cpu,
		    (unsigned long long)info.stats.rx_packets,
		    (unsigned long long)info.stats.tx_packets,
		    (unsigned long long)info.stats.heartbeat,
		    (unsigned long long)info.stats.sleeps,
		    (unsigned long long)info.stats.kicks);
	}
	pcf_workers_stats_sum(ws, &sum);
	printf("rx_packets %llu\ntx_packets %llu\n",
	       (unsigned long long)sum.rx_packets,
	       (unsigned long long)sum.tx_packets);
	for (r = 1; r < PCF_WDROP_MAX; r++)
		printf("drop_%s %llu\n", pcf_wdrop_name(r),
		       (unsigned long long)sum.drops[r]);
	if (!pcf_dp_read_stats(dp, xdp)) {
		for (r = 0; r < PCF_VERDICT_MAX; r++)
			printf("xdp_%s %llu\n", pcf_verdict_name(r),
			       (unsigned long long)xdp[PCF_STAT_VERDICT(r)]
				   .packets);
		for (r = 1; r < PCF_REASON_MAX; r++)
			printf("xdp_reason_%s %llu\n", pcf_reason_name(r),
			       (unsigned long long)xdp[PCF_STAT_REASON(r)]
				   .packets);
	}
	pcf_rule_foreach(dp, 0, print_rule, ws);
	printf("end\n"); /* a reader waits for this: the block is whole */
	fflush(stdout);
}

static int parse_u32(const char *s, __u32 *ret)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > 0xffffffffUL)
		return -EINVAL;
	*ret = v;
	return 0;
}

enum {
	OPT_PIN = 256,
	OPT_RULE,
	OPT_QUEUES,
	OPT_EGRESS,
	OPT_RX,
	OPT_IDLE,
	OPT_BIND,
	OPT_BATCH,
	OPT_FRAMES,
	OPT_CPUS,
	OPT_KEEP
};

static const struct option opts[] = {
	{ "pin-dir", required_argument, NULL, OPT_PIN },
	{ "rule", required_argument, NULL, OPT_RULE },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "egress", required_argument, NULL, OPT_EGRESS },
	{ "rx-mode", required_argument, NULL, OPT_RX },
	{ "idle-polls", required_argument, NULL, OPT_IDLE },
	{ "bind-mode", required_argument, NULL, OPT_BIND },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{}
};

struct args {
	const char *pin_dir;
	const char *ifnames[PCF_MAX_IFACES];
	int nif;
	const char *rules[MAX_RULES];
	int nrules;
	bool keep;
	struct pcf_workers_cfg cfg;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int c, m;

	pcf_workers_cfg_init(&a->cfg);
	while ((c = getopt_long(argc, argv, "i:", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (a->nif == PCF_MAX_IFACES)
				return -E2BIG;
			a->ifnames[a->nif++] = optarg;
			break;
		case OPT_PIN:
			a->pin_dir = optarg;
			break;
		case OPT_RULE:
			if (a->nrules == MAX_RULES)
				return -E2BIG;
			a->rules[a->nrules++] = optarg;
			break;
		case OPT_QUEUES:
			if (strcmp(optarg, "all") &&
			    parse_u32(optarg, &a->cfg.queues))
				return -EINVAL;
			break;
		case OPT_EGRESS:
			if (strcmp(optarg, "wire") && strcmp(optarg, "kernel"))
				return -EINVAL;
			a->cfg.default_egress = optarg[0] == 'w'
						    ? PCF_EGRESS_WIRE
						    : PCF_EGRESS_KERNEL;
			break;
		case OPT_RX:
			m = pcf_rx_mode_parse(optarg);
			if (m < 0)
				return m;
			a->cfg.rx_mode = m;
			break;
		case OPT_IDLE:
			if (parse_u32(optarg, &a->cfg.idle_polls))
				return -EINVAL;
			break;
		case OPT_BIND:
			if (!strcmp(optarg, "copy"))
				a->cfg.bind_mode = PCF_BIND_COPY;
			else if (!strcmp(optarg, "zerocopy"))
				a->cfg.bind_mode = PCF_BIND_ZEROCOPY;
			else if (strcmp(optarg, "auto"))
				return -EINVAL;
			break;
		case OPT_BATCH:
			if (parse_u32(optarg, &a->cfg.batch))
				return -EINVAL;
			break;
		case OPT_FRAMES:
			if (parse_u32(optarg, &a->cfg.frames))
				return -EINVAL;
			break;
		case OPT_CPUS:
			if (pcf_workers_parse_cpus(&a->cfg, optarg))
				return -EINVAL;
			break;
		case OPT_KEEP:
			a->keep = true;
			break;
		default:
			return -EINVAL;
		}
	}
	return a->pin_dir && a->nif ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct pcf_workers *ws = NULL;
	struct pcf_dp *dp = NULL;
	struct args a = {};
	int i, err;

	err = parse_args(argc, argv, &a);
	if (err) {
		fprintf(
		    stderr,
		    "usage: see the comment at the top of pcf-fastpath.c\n");
		return 2;
	}
	err = pcf_dp_open(a.pin_dir, &dp);
	if (err) {
		fprintf(stderr, "pcf_dp_open %s: %s\n", a.pin_dir,
			strerror(-err));
		return 1;
	}
	for (i = 0; !err && i < a.nif; i++) {
		enum pcf_xdp_mode mode;

		err = pcf_dp_attach(dp, a.ifnames[i], PCF_XDP_NATIVE, &mode);
		if (err)
			fprintf(stderr, "attach %s: %s\n", a.ifnames[i],
				strerror(-err));
	}
	for (i = 0; !err && i < a.nrules; i++)
		err = add_rule(dp, a.rules[i]);
	if (!err) {
		err = pcf_workers_start(dp, a.ifnames, a.nif, &a.cfg, &ws);
		if (err)
			fprintf(stderr, "workers: %s\n", strerror(-err));
	}
	if (!err) {
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		signal(SIGUSR1, on_signal);
		printf("ready: %u workers, rx-mode %s\n", pcf_workers_count(ws),
		       pcf_rx_mode_name(a.cfg.rx_mode));
		fflush(stdout);
		while (!quit) {
			usleep(100 *
			       1000); /* no pause(): a signal may come first */
			if (dump) {
				dump = 0;
				print_stats(dp, ws);
			}
		}
		print_stats(dp, ws);
		pcf_workers_stop(ws);
	}
	if (!a.keep) {
		for (i = 0; i < a.nif; i++)
			pcf_dp_detach(dp, a.ifnames[i]);
		pcf_dp_unpin(dp);
	}
	pcf_dp_close(dp);
	return err ? 1 : 0;
}
