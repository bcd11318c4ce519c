// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * parse.c - pcfctl's grammar: OBJECT COMMAND, then keywords each followed
 * by its value, as iproute2 does.  Only the syntax is checked here; what
 * makes sense as a rule is decided by pcfd (pcf_rule_validate), the one
 * source of truth, and comes back as the error message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include "pcfctl.h"

struct parser {
	int argc;
	char **argv;
	char *err;
	size_t errlen;
	unsigned int seen; /* keywords given, by bit */
};

static int usage_error(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_addr(const char *s, __u8 *addr, __u8 *family)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(s);

	if (len >= sizeof(buf))
		return -EINVAL;
	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return -EINVAL;
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		*family = 6;
		return inet_pton(AF_INET6, buf, addr) == 1 ? 0 : -EINVAL;
	}
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = 4;
		return 0;
	}
	*family = 6;
	return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -EINVAL;
}

int pcfctl_parse_prefix(const char *s, __u8 *addr, __u8 *mask, __u8 *ret_family)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long plen;
	__u8 a[16] = {}, family;
	char *slash;
	unsigned int alen;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_addr(buf, a, &family))
		return -EINVAL;
	alen = family == 6 ? 16 : 4;
	plen = alen * 8;
	if (slash && parse_ulong(slash, alen * 8, &plen))
		return -ERANGE;
	memset(addr, 0, 16);
	memset(mask, 0, 16);
	memcpy(addr, a, alen);
	pcf_genl_prefix_mask(mask, alen, plen);
	*ret_family = family;
	return 0;
}

int pcfctl_parse_nat(const char *s, struct pcf_nat *ret)
{
	char buf[INET6_ADDRSTRLEN + 16];
	struct pcf_nat nat = {};
	unsigned long port = 0;
	char *colon = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		colon = strstr(buf, "]:");
		if (colon)
			*++colon = '\0', colon++;
	} else if (strchr(buf, ':') == strrchr(buf, ':')) {
		colon = strchr(buf, ':'); /* IPv4:PORT, or no port */
		if (colon)
			*colon++ = '\0';
	}
	if (parse_addr(buf, nat.addr, &nat.family))
		return -EINVAL;
	if (colon && (parse_ulong(colon, 65535, &port) || !port))
		return -ERANGE;
	nat.port = htons(port);
	*ret = nat;
	return 0;
}

int pcfctl_split_line(char *line, char **argv, int max)
{
	int n = 0;
	char *tok, *save;

	for (tok = strtok_r(line, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (*tok == '#')
			break;
		if (n == max)
			return -E2BIG;
		argv[n++] = tok;
	}
	return n;
}

/* ---- flow keywords ---- */

enum kw_kind { KW_MATCH, KW_ACTION };

struct keyword {
	const char *name;
	enum kw_kind kind;
	bool flag; /* takes no value */
	int (*parse)(struct parser *p, const char *val, struct pcf_rule *r);
};

static int kw_prefix(struct parser *p, const char *val, __u8 *addr, __u8 *mask,
		     struct pcf_rule *r, const char *what)
{
	__u8 family;
	int err = pcfctl_parse_prefix(val, addr, mask, &family);

	if (err)
		return usage_error(
		    p,
		    "%s: \"%s\" is not an IPv4 or IPv6 address with an optional /length",
		    what, val);
	if (r->key.family && r->key.family != family)
		return usage_error(
		    p, "src and dst must be of the same address family");
	r->key.family = family;
	r->mask.family = 0xff;
	return 0;
}

static int kw_src(struct parser *p, const char *v, struct pcf_rule *r)
{
	return kw_prefix(p, v, r->key.src, r->mask.src, r, "src");
}

static int kw_dst(struct parser *p, const char *v, struct pcf_rule *r)
{
	return kw_prefix(p, v, r->key.dst, r->mask.dst, r, "dst");
}

static int port(struct parser *p, const char *v, __be16 *key, __be16 *mask)
{
	unsigned long n;

	if (parse_ulong(v, 65535, &n))
		return usage_error(p, "\"%s\" is not a port (0..65535)", v);
	*key = htons(n);
	*mask = 0xffff;
	return 0;
}

static int kw_sport(struct parser *p, const char *v, struct pcf_rule *r)
{
	return port(p, v, &r->key.sport, &r->mask.sport);
}

static int kw_dport(struct parser *p, const char *v, struct pcf_rule *r)
{
	return port(p, v, &r->key.dport, &r->mask.dport);
}

static int kw_proto(struct parser *p, const char *v, struct pcf_rule *r)
{
	static const struct {
		const char *name;
		__u8 num;
	} names[] = { { "tcp", IPPROTO_TCP },
		      { "udp", IPPROTO_UDP },
		      { "icmp", IPPROTO_ICMP },
		      { "icmpv6", IPPROTO_ICMPV6 } };
	unsigned long n;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i].name))
			break;
	if (i < sizeof(names) / sizeof(names[0]))
		n = names[i].num;
	else if (parse_ulong(v, 255, &n))
		return usage_error(
		    p,
		    "proto is tcp, udp, icmp, icmpv6 or a number 0..255, not \"%s\"",
		    v);
	r->key.proto = n;
	r->mask.proto = 0xff;
	return 0;
}

static int ifindex(struct parser *p, const char *v, __u32 *ret)
{
	*ret = if_nametoindex(v);
	if (!*ret)
		return usage_error(p, "no interface \"%s\" here", v);
	return 0;
}

static int kw_dev(struct parser *p, const char *v, struct pcf_rule *r)
{
	r->mask.ifindex = 0xffffffff;
	return ifindex(p, v, &r->key.ifindex);
}

static int kw_prio(struct parser *p, const char *v, struct pcf_rule *r)
{
	unsigned long n;

	/* the range is pcfd's to judge; here only "a number" */
	if (parse_ulong(v, 0xffffffff, &n))
		return usage_error(p, "prio wants a number, not \"%s\"", v);
	r->prio = n;
	return 0;
}

static int kw_action(struct parser *p, const char *v, struct pcf_rule *r)
{
	int verdict = pcf_genl_verdict_parse(v);

	if (verdict < 0)
		return usage_error(
		    p, "action is pass, drop or redirect, not \"%s\"", v);
	r->action.verdict = verdict;
	return 0;
}

static int kw_ttl(struct parser *p, const char *v, struct pcf_rule *r)
{
	long n;
	char *end;

	errno = 0;
	n = strtol(v, &end, 0);
	if (errno || *end || !*v || n < -128 || n > 127)
		return usage_error(
		    p, "ttl-delta is a number -128..127, not \"%s\"", v);
	r->action.ttl_delta = n;
	r->action.flags |= PCF_ACT_TTL;
	return 0;
}

static int kw_df_clear(struct parser *p, const char *v, struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_DF_CLEAR;
	return 0;
}

static int nat(struct parser *p, const char *v, struct pcf_nat *ret,
	       const char *what)
{
	if (pcfctl_parse_nat(v, ret))
		return usage_error(
		    p, "%s wants ADDR, ADDR:PORT or [IPV6]:PORT, not \"%s\"",
		    what, v);
	return 0;
}

static int kw_snat(struct parser *p, const char *v, struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_SNAT;
	return nat(p, v, &r->action.snat, "snat");
}

static int kw_dnat(struct parser *p, const char *v, struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_DNAT;
	return nat(p, v, &r->action.dnat, "dnat");
}

static int kw_mark(struct parser *p, const char *v, struct pcf_rule *r)
{
	unsigned long n;

	if (parse_ulong(v, 0xffffffff, &n))
		return usage_error(p, "mark wants a 32-bit number, not \"%s\"",
				   v);
	r->action.mark = n;
	r->action.flags |= PCF_ACT_MARK;
	return 0;
}

static int kw_mirror(struct parser *p, const char *v, struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_MIRROR;
	return ifindex(p, v, &r->action.mirror_ifindex);
}

static int kw_egress(struct parser *p, const char *v, struct pcf_rule *r)
{
	int e = pcf_genl_egress_parse(v);

	if (e <= PCF_EGRESS_DEFAULT)
		return usage_error(p, "egress is kernel or wire, not \"%s\"",
				   v);
	r->action.egress = e;
	return 0;
}

static int kw_queue(struct parser *p, const char *v, struct pcf_rule *r)
{
	unsigned long n;

	if (parse_ulong(v, 65535, &n))
		return usage_error(p, "queue is a number 0..65535, not \"%s\"",
				   v);
	r->action.queue = n;
	r->action.flags |= PCF_ACT_QUEUE;
	return 0;
}

static const struct keyword keywords[] = {
	{ "src", KW_MATCH, false, kw_src },
	{ "dst", KW_MATCH, false, kw_dst },
	{ "sport", KW_MATCH, false, kw_sport },
	{ "dport", KW_MATCH, false, kw_dport },
	{ "proto", KW_MATCH, false, kw_proto },
	{ "dev", KW_MATCH, false, kw_dev },
	{ "prio", KW_ACTION, false, kw_prio },
	{ "action", KW_ACTION, false, kw_action },
	{ "ttl-delta", KW_ACTION, false, kw_ttl },
	{ "df-clear", KW_ACTION, true, kw_df_clear },
	{ "snat", KW_ACTION, false, kw_snat },
	{ "dnat", KW_ACTION, false, kw_dnat },
	{ "mark", KW_ACTION, false, kw_mark },
	{ "mirror", KW_ACTION, false, kw_mirror },
	{ "egress", KW_ACTION, false, kw_egress },
	{ "queue", KW_ACTION, false, kw_queue },
};

#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static int find_keyword(const char *word)
{
	unsigned int i;

	for (i = 0; i < NKEYWORDS; i++)
		if (!strcmp(word, keywords[i].name))
			return i;
	return -1;
}

/* The rule words of add/replace (match_only: of del). */
static int parse_rule(struct parser *p, int i, bool match_only,
		      struct pcf_rule *r)
{
	const struct keyword *kw;
	int k, err;

	*r = (struct pcf_rule){ .prio = PCF_PRIO_DEFAULT };
	for (; i < p->argc; i++) {
		k = find_keyword(p->argv[i]);
		if (k < 0)
			return usage_error(
			    p, "unknown word \"%s\" (try \"pcfctl flow help\")",
			    p->argv[i]);
		kw = &keywords[k];
		if (match_only && kw->kind != KW_MATCH)
			return usage_error(
			    p,
			    "flow del takes id N or match words only, not \"%s\"",
			    kw->name);
		if (p->seen & (1U << k))
			return usage_error(p, "\"%s\" given twice", kw->name);
		p->seen |= 1U << k;
		if (!kw->flag && i + 1 >= p->argc)
			return usage_error(p, "\"%s\" needs a value", kw->name);
		err = kw->parse(p, kw->flag ? NULL : p->argv[i + 1], r);
		if (err)
			return err;
		if (!kw->flag)
			i++;
	}
	if (!match_only && !(p->seen & (1U << find_keyword("action"))))
		return usage_error(
		    p, "a rule needs \"action pass|drop|redirect\"");
	if (match_only && !p->seen)
		return usage_error(p, "flow del needs id N or match words");
	return 0;
}

/* "id N" as the whole of the remaining words. */
static int parse_id(struct parser *p, int i, __u32 *ret)
{
	unsigned long n;

	if (p->argc - i != 2 || strcmp(p->argv[i], "id"))
		return -ENOENT;
	if (parse_ulong(p->argv[i + 1], 0xffffffff, &n) || !n)
		return usage_error(
		    p, "id wants a rule id (a number from 1), not \"%s\"",
		    p->argv[i + 1]);
	*ret = n;
	return 0;
}

static int parse_flow(struct parser *p, struct pcfctl_req *req)
{
	const char *cmd = p->argc > 1 ? p->argv[1] : "show";
	int err;

	if (!strcmp(cmd, "add") || !strcmp(cmd, "replace")) {
		req->cmd =
		    cmd[0] == 'a' ? PCFCTL_FLOW_ADD : PCFCTL_FLOW_REPLACE;
		return parse_rule(p, 2, false, &req->rule);
	}
	if (!strcmp(cmd, "del")) {
		req->cmd = PCFCTL_FLOW_DEL;
		err = parse_id(p, 2, &req->id);
		return err != -ENOENT ? err
				      : parse_rule(p, 2, true, &req->rule);
	}
	if (!strcmp(cmd, "show") || !strcmp(cmd, "list")) {
		req->cmd = PCFCTL_FLOW_SHOW;
		if (p->argc <= 2)
			return 0;
		err = parse_id(p, 2, &req->id);
		return err != -ENOENT
			   ? err
			   : usage_error(p, "flow show takes nothing or id N");
	}
	if (!strcmp(cmd, "flush") || !strcmp(cmd, "help")) {
		req->cmd = cmd[0] == 'f' ? PCFCTL_FLOW_FLUSH : PCFCTL_FLOW_HELP;
		return p->argc > 2
			   ? usage_error(p, "flow %s takes no arguments", cmd)
			   : 0;
	}
	return usage_error(
	    p, "unknown command \"flow %s\" (try \"pcfctl flow help\")", cmd);
}

int pcfctl_parse(int argc, char **argv, struct pcfctl_req *ret, char *err,
		 size_t errlen)
{
	struct parser p = { argc, argv, err, errlen, 0 };
	struct pcfctl_req req = {};
	const char *obj = argc ? argv[0] : "help";
	int rc = 0;

	if (!strcmp(obj, "flow"))
		rc = parse_flow(&p, &req);
	else if (!strcmp(obj, "stats") || !strcmp(obj, "monitor") ||
		 !strcmp(obj, "help"))
		req.cmd = obj[0] == 's'	  ? PCFCTL_STATS
			  : obj[0] == 'm' ? PCFCTL_MONITOR
					  : PCFCTL_HELP;
	else
		return usage_error(
		    &p, "unknown object \"%s\" (try \"pcfctl help\")", obj);
	if (!rc && req.cmd != PCFCTL_FLOW_HELP && obj[0] != 'f' && argc > 1)
		return usage_error(&p, "%s takes no arguments", obj);
	if (!rc)
		*ret = req;
	return rc;
}

static const char *opt_name(const char *arg)
{
	return arg[0] == '-' && arg[1] == '-' ? arg + 1 : arg;
}

static bool opt_is(const char *opt, const char *a, const char *b)
{
	return !strcmp(opt, a) || (b && !strcmp(opt, b));
}

int pcfctl_parse_opts(int *argc, char ***argv, struct pcfctl_opts *ret,
		      char *err, size_t errlen)
{
	struct parser p = { *argc, *argv, err, errlen, 0 };
	struct pcfctl_opts o = { .ctl_port = PCF_CTL_PORT_DEFAULT };
	char **av = *argv, *val;
	int ac = *argc;
	unsigned long n;
	const char *opt;

	for (; ac && av[0][0] == '-' && av[0][1]; ac--, av++) {
		opt = opt_name(av[0]);
		if (opt_is(opt, "-j", "-json")) {
			o.json = true;
			continue;
		}
		if (opt_is(opt, "-p", "-pretty")) {
			o.pretty = true;
			continue;
		}
		if (opt_is(opt, "-s", "-stats")) {
			o.stats = true;
			continue;
		}
		if (opt_is(opt, "-force", NULL)) {
			o.force = true;
			continue;
		}
		if (opt_is(opt, "-h", "-help")) {
			o.help = true;
			continue;
		}
		if (!opt_is(opt, "-n", "-netns") &&
		    !opt_is(opt, "-batch", "-b") &&
		    !opt_is(opt, "-ctl-port", "-ctl-uid"))
			return usage_error(&p, "unknown option %s", av[0]);
		if (ac < 2)
			return usage_error(&p, "%s needs a value", av[0]);
		val = av[1];
		if (opt_is(opt, "-n", "-netns")) {
			o.netns = val;
		} else if (opt_is(opt, "-batch", "-b")) {
			o.batch = val;
		} else if (parse_ulong(val, 0xffffffff, &n)) {
			return usage_error(&p, "%s wants a number, not \"%s\"",
					   av[0], val);
		} else if (opt_is(opt, "-ctl-port", NULL)) {
			if (!n)
				return usage_error(&p, "%s must not be 0",
						   av[0]);
			o.ctl_port = n;
		} else {
			o.daemon_uid = n;
		}
		ac--, av++;
	}
	*argc = ac;
	*argv = av;
	*ret = o;
	return 0;
}

void pcfctl_usage(FILE *f, enum pcfctl_cmd which)
{
	if (which != PCFCTL_FLOW_HELP)
		fprintf(
		    f,
		    "Usage: pcfctl [-j] [-p] [-s] [-n NETNS] [-batch FILE] [-force]\n"
		    "              [--ctl-port ID] [--ctl-uid UID] OBJECT COMMAND ...\n"
		    "       OBJECT := flow | stats | monitor | help\n"
		    "  -j JSON output, -p pretty JSON, -s counters in flow show,\n"
		    "  -n NETNS run in /run/netns/NETNS, -batch FILE (- is stdin),\n"
		    "  -force keep going after a failed batch line,\n"
		    "  --ctl-port pcfd's port id (default 0x%x),\n"
		    "  --ctl-uid the uid pcfd runs as (default 0).\n",
		    PCF_CTL_PORT_DEFAULT);
	fprintf(
	    f,
	    "Usage: pcfctl flow add|replace [src PREFIX] [dst PREFIX] [sport PORT] [dport PORT]\n"
	    "                      [proto tcp|udp|icmp|icmpv6|NUM] [dev IFNAME] [prio N]\n"
	    "                      action pass|drop|redirect [ttl-delta N] [df-clear]\n"
	    "                      [snat ADDR[:PORT]] [dnat ADDR[:PORT]] [mark N]\n"
	    "                      [mirror IFNAME] [egress kernel|wire] [queue N]\n"
	    "       pcfctl flow del id N\n"
	    "       pcfctl flow del MATCH...\n"
	    "       pcfctl flow show [id N]\n"
	    "       pcfctl flow flush\n"
	    "       pcfctl stats\n"
	    "       pcfctl monitor\n"
	    "PREFIX := ADDR[/LEN] (IPv4 or IPv6); an IPv6 ADDR with a PORT is [ADDR]:PORT\n");
}
