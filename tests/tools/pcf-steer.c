// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pcf-steer - drive the XDP steering layer through the loader library,
 * without pcfd: attach and detach, add and delete rules, print counters.
 * A test tool for the end-to-end tests and the benchmark; operators use
 * pcfctl, which talks to pcfd.
 *
 *   pcf-steer [--pin-dir DIR] attach IFNAME [native|generic|auto]
 *   pcf-steer [--pin-dir DIR] detach IFNAME
 *   pcf-steer [--pin-dir DIR] add MATCH... action pass|drop|redirect
 *             [ttl-delta N] [df-clear]
 *   pcf-steer [--pin-dir DIR] del ID
 *   pcf-steer [--pin-dir DIR] set-load NAME FILE
 *   pcf-steer [--pin-dir DIR] default pass|drop
 *   pcf-steer [--pin-dir DIR] stats
 *   pcf-steer [--pin-dir DIR] unpin
 *
 * MATCH: src PREFIX|@SET, dst PREFIX|@SET, sport N, dport N,
 *        proto udp|tcp|icmp|icmpv6|NUM, prio N
 * (the words of pcfctl flow add: genl/rule_text.h reads them)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "pcf_genl.h"
#include "rule_text.h"
#include "sets.h"
#include "table.h"

static const char *prog = "pcf-steer";

static int usage(void)
{
	fprintf(stderr,
		"Usage: %s [--pin-dir DIR] COMMAND\n"
		"  attach IFNAME [native|generic|auto]\n"
		"  detach IFNAME\n"
		"  add [src PREFIX] [dst PREFIX] [sport N] [dport N]\n"
		"      [proto udp|tcp|icmp|icmpv6|NUM] [prio N]\n"
		"      action pass|drop|redirect [ttl-delta N] [df-clear]\n"
		"  del ID\n"
		"  set-load NAME FILE   (a named set, as pcfctl set load)\n"
		"  default pass|drop\n"
		"  stats\n"
		"  unpin\n",
		prog);
	return 2;
}

/* The words after "add" are pcfctl's, read by genl's one grammar. */
static int cmd_add(struct pcf_dp *dp, int argc, char **argv)
{
	struct pcf_flow_change c;
	const char *why = NULL;
	char msg[256];
	__u32 id;
	int err;

	/* argv[-1] is "add", the word the grammar starts from */
	if (pcf_text_flow_change(argc + 1, argv - 1, &c, msg, sizeof(msg))) {
		fprintf(stderr, "%s: %s\n", prog, msg);
		return 2;
	}
	if (pcf_rule_validate(&c.rule, &why)) {
		fprintf(stderr, "%s: invalid rule: %s\n", prog, why);
		return 1;
	}
	err = pcf_table_add(pcf_dp_table(dp), &c.rule, 0, &id);
	if (err) {
		fprintf(stderr, "%s: add: %s\n", prog, strerror(-err));
		return 1;
	}
	printf("%u\n", id);
	return 0;
}

static int cmd_del(struct pcf_dp *dp, int argc, char **argv)
{
	unsigned long id;
	int err;

	if (argc != 1 || pcf_text_dec(argv[0], 0xffffffff, &id) || !id)
		return usage();
	err = pcf_table_del(pcf_dp_table(dp), id, NULL);
	if (err) {
		fprintf(stderr, "%s: del %lu: %s\n", prog, id, strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_attach(struct pcf_dp *dp, int argc, char **argv)
{
	enum pcf_xdp_mode mode = PCF_XDP_AUTO, got;
	int err;

	if (argc < 1 || argc > 2)
		return usage();
	if (argc == 2) {
		if (!strcmp(argv[1], "native"))
			mode = PCF_XDP_NATIVE;
		else if (!strcmp(argv[1], "generic"))
			mode = PCF_XDP_GENERIC;
		else if (strcmp(argv[1], "auto"))
			return usage();
	}
	err = pcf_dp_attach(dp, argv[0], mode, &got);
	if (err) {
		fprintf(stderr, "%s: attach %s: %s\n", prog, argv[0],
			strerror(-err));
		return 1;
	}
	printf("%s\n", pcf_xdp_mode_name(got));
	return 0;
}

static int cmd_detach(struct pcf_dp *dp, int argc, char **argv)
{
	int err;

	if (argc != 1)
		return usage();
	err = pcf_dp_detach(dp, argv[0]);
	if (err) {
		fprintf(stderr, "%s: detach %s: %s\n", prog, argv[0],
			strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_default(struct pcf_dp *dp, int argc, char **argv)
{
	int v = argc == 1 ? pcf_genl_verdict_parse(argv[0]) : -EINVAL;
	int err;

	if (v < 0)
		return usage();
	err = pcf_dp_set_default(dp, v);
	if (err) {
		fprintf(stderr, "%s: default %s: %s\n", prog, argv[0],
			strerror(-err));
		return 1;
	}
	return 0;
}

static int print_rule_counters(const struct pcf_rule *rule, __u32 slot,
			       void *ctx)
{
	struct pcf_dp *dp = ctx;
	struct pcf_counter c;
	int err;

	err = pcf_dp_rule_counters(dp, rule->ctr, &c, NULL);
	if (err)
		return err;
	printf("rule:%u %llu %llu\n", rule->id, (unsigned long long)c.packets,
	       (unsigned long long)c.bytes);
	return 0;
}

/* One "NAME PACKETS BYTES" line per counter; rules as "rule:ID". */
static int cmd_stats(struct pcf_dp *dp, int argc, char **argv)
{
	struct pcf_counter c[PCF_STAT_MAX];
	const char *name;
	int i, err;

	if (argc)
		return usage();
	err = pcf_dp_read_stats(dp, c);
	if (!err)
		err = pcf_table_foreach(pcf_dp_table(dp), 0, print_rule_counters, dp);
	if (err) {
		fprintf(stderr, "%s: stats: %s\n", prog, strerror(-err));
		return 1;
	}
	for (i = 0; i < PCF_STAT_MAX; i++) {
		if (i == PCF_STAT_REASON(PCF_REASON_NONE))
			continue;
		name = i < PCF_VERDICT_MAX
			   ? pcf_genl_verdict_name(i)
			   : pcf_reason_name(i - PCF_VERDICT_MAX);
		printf("%s %llu %llu\n", name, (unsigned long long)c[i].packets,
		       (unsigned long long)c[i].bytes);
	}
	return 0;
}

static int cmd_unpin(struct pcf_dp *dp, int argc, char **argv)
{
	int err;

	if (argc)
		return usage();
	err = pcf_dp_unpin(dp);
	if (err) {
		fprintf(stderr, "%s: unpin %s: %s%s\n", prog, dp->pin_dir,
			strerror(-err),
			err == -ENOTEMPTY ? " (detach the interfaces first)"
					  : "");
		return 1;
	}
	return 0;
}

/* set-load NAME FILE: a named set's content, switched as pcfd does. */
static int cmd_set_load(struct pcf_dp *dp, int argc, char **argv)
{
	struct pcf_set_elem *e = NULL;
	struct pcf_sets_err why = {};
	char where[512], *text = NULL;
	size_t n = 0, len = 0;
	int idx, err;
	FILE *f;

	if (argc != 2)
		return usage();
	f = fopen(argv[1], "r");
	if (!f || fseek(f, 0, SEEK_END) || (long)(len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(text = malloc(len + 1)) ||
	    fread(text, 1, len, f) != len) {
		fprintf(stderr, "%s: %s: cannot read it\n", prog, argv[1]);
		if (f)
			fclose(f);
		free(text);
		return 1;
	}
	fclose(f);
	err = pcf_set_file_parse(argv[1], text, len, &e, &n, where,
				 sizeof(where));
	free(text);
	if (err) {
		fprintf(stderr, "%s: %s\n", prog, where);
		return 1;
	}
	err = pcf_sets_load_begin(pcf_dp_sets(dp), argv[0], &idx, &why);
	if (!err)
		err = pcf_sets_reserve(pcf_dp_sets(dp), n);
	if (!err)
		err = pcf_sets_load_add(pcf_dp_sets(dp), idx, e, n, &why);
	if (!err)
		err = pcf_sets_load_switch(pcf_dp_sets(dp), pcf_dp_table(dp),
					   idx, &why);
	free(e);
	if (err) {
		fprintf(stderr, "%s: set-load %s: %s\n", prog, argv[0],
			why.msg[0] ? why.msg : strerror(-err));
		return 1;
	}
	printf("%s %zu\n", argv[0], n);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct pcf_dp *dp, int argc, char **argv);
} commands[] = {
	{ "attach", cmd_attach },   { "detach", cmd_detach },
	{ "add", cmd_add },	    { "del", cmd_del },
	{ "default", cmd_default }, { "stats", cmd_stats },
	{ "unpin", cmd_unpin },	    { "set-load", cmd_set_load },
};

int main(int argc, char **argv)
{
	struct pcf_set_resolver resolver;
	const char *pin_dir = NULL;
	struct pcf_dp *dp;
	unsigned int i;
	int err, ret;

	argc--, argv++;
	if (argc >= 2 && !strcmp(argv[0], "--pin-dir")) {
		pin_dir = argv[1];
		argc -= 2, argv += 2;
	}
	if (argc < 1)
		return usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[0], commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return usage();

	err = pcf_dp_open(pin_dir, &dp);
	if (err) {
		fprintf(stderr, "%s: cannot open the data plane in %s: %s%s\n",
			prog, pin_dir ? pin_dir : PCF_PIN_DIR_DEFAULT,
			strerror(-err),
			err == -ENOTSUP
			    ? " (the pin directory must be on a bpffs)"
			    : "");
		return 1;
	}
	/* rules name the sets pinned with them */
	pcf_sets_resolver(pcf_dp_sets(dp), &resolver);
	pcf_set_resolver_use(&resolver);
	ret = commands[i].fn(dp, argc - 1, argv + 1);
	pcf_dp_close(dp);
	return ret;
}
