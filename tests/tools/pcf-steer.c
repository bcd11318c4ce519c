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
 *   pcf-steer [--pin-dir DIR] default pass|drop
 *   pcf-steer [--pin-dir DIR] stats
 *   pcf-steer [--pin-dir DIR] unpin
 *
 * MATCH: src PREFIX, dst PREFIX, sport N, dport N,
 *        proto udp|tcp|icmp|icmpv6|NUM, prio N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "loader.h"
#include "pcf_genl.h"
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
		"  default pass|drop\n"
		"  stats\n"
		"  unpin\n",
		prog);
	return 2;
}

static int parse_num(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_verdict(const char *s, enum pcf_verdict *ret)
{
	enum pcf_verdict v;

	for (v = 0; v < PCF_VERDICT_MAX; v++) {
		if (!strcmp(s, pcf_genl_verdict_name(v))) {
			*ret = v;
			return 0;
		}
	}
	return -EINVAL;
}

/* "ADDR[/LEN]" into addr and mask (16 bytes each); sets *family. */
static int parse_prefix(const char *s, __u8 *addr, __u8 *mask, __u8 *family)
{
	char buf[INET6_ADDRSTRLEN + 4];
	unsigned int alen;
	long plen = -1;
	char *slash;
	__u8 fam;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		fam = 6;
	else
		return -EINVAL;
	alen = fam == 4 ? 4 : 16;
	if (slash && parse_num(slash, 0, alen * 8, &plen))
		return -EINVAL;
	if (*family && *family != fam)
		return -EINVAL; /* src and dst of different families */
	*family = fam;
	pcf_genl_prefix_mask(mask, alen, plen < 0 ? alen * 8 : plen);
	return 0;
}

static int parse_proto(const char *s, __u8 *ret)
{
	static const struct {
		const char *name;
		__u8 proto;
	} names[] = {
		{ "tcp", IPPROTO_TCP },
		{ "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP },
		{ "icmpv6", IPPROTO_ICMPV6 },
	};
	unsigned int i;
	long v;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*ret = names[i].proto;
			return 0;
		}
	}
	if (parse_num(s, 0, 255, &v))
		return -EINVAL;
	*ret = v;
	return 0;
}

/* One "KEYWORD VALUE" pair of `add`; returns the words consumed or <0. */
static int parse_rule_arg(struct pcf_rule *r, int argc, char **argv)
{
	struct pcf_key *k = &r->key, *m = &r->mask;
	const char *kw = argv[0], *val = argc > 1 ? argv[1] : NULL;
	enum pcf_verdict verdict;
	long v;

	if (!strcmp(kw, "df-clear")) {
		r->action.flags |= PCF_ACT_DF_CLEAR;
		return 1;
	}
	if (!val)
		return -EINVAL;
	if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
		bool src = kw[0] == 's';

		if (parse_prefix(val, src ? k->src : k->dst,
				 src ? m->src : m->dst, &k->family))
			return -EINVAL;
		m->family = 0xff;
	} else if (!strcmp(kw, "sport") || !strcmp(kw, "dport")) {
		if (parse_num(val, 0, 65535, &v))
			return -EINVAL;
		if (kw[0] == 's') {
			k->sport = htons(v);
			m->sport = 0xffff;
		} else {
			k->dport = htons(v);
			m->dport = 0xffff;
		}
	} else if (!strcmp(kw, "proto")) {
		if (parse_proto(val, &k->proto))
			return -EINVAL;
		m->proto = 0xff;
	} else if (!strcmp(kw, "prio")) {
		if (parse_num(val, 0, PCF_PRIO_MAX, &v))
			return -EINVAL;
		r->prio = v;
	} else if (!strcmp(kw, "action")) {
		if (parse_verdict(val, &verdict))
			return -EINVAL;
		r->action.verdict = verdict;
	} else if (!strcmp(kw, "ttl-delta")) {
		if (parse_num(val, -128, 127, &v))
			return -EINVAL;
		r->action.ttl_delta = v;
		r->action.flags |= PCF_ACT_TTL;
	} else {
		return -EINVAL;
	}
	return 2;
}

static int cmd_add(struct pcf_dp *dp, int argc, char **argv)
{
	struct pcf_rule r = { .prio = PCF_PRIO_DEFAULT };
	const char *why = NULL;
	bool have_action = false;
	__u32 id;
	int n, err;

	while (argc > 0) {
		n = parse_rule_arg(&r, argc, argv);
		if (n < 0) {
			fprintf(stderr, "%s: bad argument \"%s\"\n", prog,
				argv[0]);
			return usage();
		}
		have_action |= !strcmp(argv[0], "action");
		argc -= n;
		argv += n;
	}
	if (!have_action) {
		fprintf(stderr, "%s: add needs \"action pass|drop|redirect\"\n",
			prog);
		return 2;
	}
	if (pcf_rule_validate(&r, &why)) {
		fprintf(stderr, "%s: invalid rule: %s\n", prog, why);
		return 1;
	}
	err = pcf_table_add(pcf_dp_table(dp), &r, 0, &id);
	if (err) {
		fprintf(stderr, "%s: add: %s\n", prog, strerror(-err));
		return 1;
	}
	printf("%u\n", id);
	return 0;
}

static int cmd_del(struct pcf_dp *dp, int argc, char **argv)
{
	long id;
	int err;

	if (argc != 1 || parse_num(argv[0], 1, 0xffffffffL, &id))
		return usage();
	err = pcf_table_del(pcf_dp_table(dp), id, NULL);
	if (err) {
		fprintf(stderr, "%s: del %ld: %s\n", prog, id, strerror(-err));
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
	enum pcf_verdict v;
	int err;

	if (argc != 1 || parse_verdict(argv[0], &v))
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

static const struct {
	const char *name;
	int (*fn)(struct pcf_dp *dp, int argc, char **argv);
} commands[] = {
	{ "attach", cmd_attach },   { "detach", cmd_detach },
	{ "add", cmd_add },	    { "del", cmd_del },
	{ "default", cmd_default }, { "stats", cmd_stats },
	{ "unpin", cmd_unpin },
};

int main(int argc, char **argv)
{
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
	ret = commands[i].fn(dp, argc - 1, argv + 1);
	pcf_dp_close(dp);
	return ret;
}
