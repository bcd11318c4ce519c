// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rule_text.c - flow rules from words and back (see rule_text.h).  One
 * table of keywords drives the parser; the printer writes the same
 * keywords in the same order, so a printed rule reads back as itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcf_addr.h"
#include "pcf_genl.h"
#include "rule_text.h"

struct parser {
	int argc;
	char **argv;
	char *err;
	size_t errlen;
	unsigned int seen; /* keywords given, by bit */
};

int pcf_text_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define usage_error(p, ...) pcf_text_refuse((p)->err, (p)->errlen, __VA_ARGS__)

int pcf_text_ulong(const char *s, unsigned long max, unsigned long *ret)
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

int pcf_text_split_line(char *line, char **argv, int max)
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

/* ---- addresses, in and out ---- */

static int addr_af(__u8 family)
{
	return family == 6 ? AF_INET6 : AF_INET;
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

int pcf_text_prefix_parse(const char *s, __u8 *addr, __u8 *mask,
			  __u8 *ret_family)
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
	alen = pcf_addr_len(family);
	plen = alen * 8;
	if (slash && pcf_text_ulong(slash, alen * 8, &plen))
		return -ERANGE;
	memset(addr, 0, 16);
	memset(mask, 0, 16);
	memcpy(addr, a, alen);
	pcf_genl_prefix_mask(mask, alen, plen);
	*ret_family = family;
	return 0;
}

int pcf_text_nat_parse(const char *s, struct pcf_nat *ret)
{
	char buf[PCF_TEXT_VALUE_MAX];
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
	if (colon && (pcf_text_ulong(colon, 65535, &port) || !port))
		return -ERANGE;
	nat.port = htons(port);
	*ret = nat;
	return 0;
}

const char *pcf_text_prefix(const __u8 *addr, const __u8 *mask, __u8 family,
			    char *buf, size_t len)
{
	unsigned int alen = pcf_addr_len(family),
		     bits = pcf_mask_bits(mask, alen);
	size_t n;

	inet_ntop(addr_af(family), addr, buf, len);
	n = strlen(buf);
	if (bits != alen * 8)
		snprintf(buf + n, len - n, "/%u", bits);
	return buf;
}

const char *pcf_text_nat(const struct pcf_nat *nat, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(addr_af(nat->family), nat->addr, a, sizeof(a));
	if (!nat->port)
		snprintf(buf, len, "%s", a);
	else if (nat->family == 6)
		snprintf(buf, len, "[%s]:%u", a, ntohs(nat->port));
	else
		snprintf(buf, len, "%s:%u", a, ntohs(nat->port));
	return buf;
}

const char *pcf_text_ifname(__u32 ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

static const struct {
	const char *name;
	__u8 num;
} proto_names[] = { { "tcp", IPPROTO_TCP },
		    { "udp", IPPROTO_UDP },
		    { "icmp", IPPROTO_ICMP },
		    { "icmpv6", IPPROTO_ICMPV6 } };

#define NPROTOS (sizeof(proto_names) / sizeof(proto_names[0]))

const char *pcf_text_proto(__u8 proto, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < NPROTOS; i++)
		if (proto_names[i].num == proto)
			return proto_names[i].name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

static int proto_parse(const char *s, unsigned long *ret)
{
	unsigned int i;

	for (i = 0; i < NPROTOS; i++)
		if (!strcmp(s, proto_names[i].name)) {
			*ret = proto_names[i].num;
			return 0;
		}
	return pcf_text_ulong(s, 255, ret);
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

	if (pcf_text_prefix_parse(val, addr, mask, &family))
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

	if (pcf_text_ulong(v, 65535, &n))
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
	unsigned long n;

	if (proto_parse(v, &n))
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
	if (pcf_text_ulong(v, 0xffffffff, &n))
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
	if (pcf_text_nat_parse(v, ret))
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

	if (pcf_text_ulong(v, 0xffffffff, &n))
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

	if (pcf_text_ulong(v, 65535, &n))
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

/* The rule words of add/replace (match_only: of del), from argv[i] on. */
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

int pcf_text_id(int argc, char **argv, __u32 *ret, char *err, size_t errlen)
{
	struct parser p = { argc, argv, err, errlen, 0 };
	unsigned long n;

	if (argc != 2 || strcmp(argv[0], "id"))
		return -ENOENT;
	if (pcf_text_ulong(argv[1], 0xffffffff, &n) || !n)
		return usage_error(
		    &p, "id wants a rule id (a number from 1), not \"%s\"",
		    argv[1]);
	*ret = n;
	return 0;
}

int pcf_text_flow_change(int argc, char **argv, struct pcf_flow_change *ret,
			 char *err, size_t errlen)
{
	struct parser p = { argc, argv, err, errlen, 0 };
	struct pcf_flow_change c = {};
	const char *cmd = argc ? argv[0] : "";
	int rc;

	if (!strcmp(cmd, "add") || !strcmp(cmd, "replace")) {
		c.op = cmd[0] == 'a' ? PCF_FLOW_ADD : PCF_FLOW_REPLACE;
		rc = parse_rule(&p, 1, false, &c.rule);
	} else if (!strcmp(cmd, "del")) {
		c.op = PCF_FLOW_DEL;
		rc = pcf_text_id(argc - 1, argv + 1, &c.id, err, errlen);
		if (rc == -ENOENT)
			rc = parse_rule(&p, 1, true, &c.rule);
	} else if (!strcmp(cmd, "flush")) {
		c.op = PCF_FLOW_FLUSH;
		rc = argc > 1 ? usage_error(&p, "flow flush takes no arguments")
			      : 0;
	} else {
		return -ENOENT;
	}
	if (!rc)
		*ret = c;
	return rc;
}

/* ---- a rule into words ---- */

struct text {
	char *buf;
	size_t len, used; /* used: what the whole text needs */
};

static void put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	size_t room = t->used < t->len ? t->len - t->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += n;
}

bool pcf_text_has_src(const struct pcf_rule *r)
{
	unsigned int alen = pcf_addr_len(r->key.family);

	/* the family alone rides on src, as the wire carries it */
	return r->mask.family && (pcf_mask_bits(r->mask.src, alen) ||
				  !pcf_mask_bits(r->mask.dst, alen));
}

bool pcf_text_has_dst(const struct pcf_rule *r)
{
	return r->mask.family &&
	       pcf_mask_bits(r->mask.dst, pcf_addr_len(r->key.family));
}

/* Returns false when an interface has no name here. */
static bool put_match(struct text *t, const struct pcf_rule *r)
{
	const struct pcf_key *k = &r->key, *m = &r->mask;
	char buf[PCF_TEXT_VALUE_MAX];

	if (pcf_text_has_src(r))
		put(t, " src %s",
		    pcf_text_prefix(k->src, m->src, k->family, buf,
				    sizeof(buf)));
	if (pcf_text_has_dst(r))
		put(t, " dst %s",
		    pcf_text_prefix(k->dst, m->dst, k->family, buf,
				    sizeof(buf)));
	if (m->sport)
		put(t, " sport %u", ntohs(k->sport));
	if (m->dport)
		put(t, " dport %u", ntohs(k->dport));
	if (m->proto)
		put(t, " proto %s", pcf_text_proto(k->proto, buf, sizeof(buf)));
	if (m->ifindex)
		put(t, " dev %s", pcf_text_ifname(k->ifindex, buf));
	return !m->ifindex || if_indextoname(k->ifindex, buf);
}

static bool put_action(struct text *t, const struct pcf_action *a)
{
	char buf[PCF_TEXT_VALUE_MAX];

	put(t, " action %s", pcf_genl_verdict_name(a->verdict));
	if (a->flags & PCF_ACT_TTL)
		put(t, " ttl-delta %d", a->ttl_delta);
	if (a->flags & PCF_ACT_DF_CLEAR)
		put(t, " df-clear");
	if (a->flags & PCF_ACT_SNAT)
		put(t, " snat %s", pcf_text_nat(&a->snat, buf, sizeof(buf)));
	if (a->flags & PCF_ACT_DNAT)
		put(t, " dnat %s", pcf_text_nat(&a->dnat, buf, sizeof(buf)));
	if (a->flags & PCF_ACT_MARK)
		put(t, " mark 0x%x", a->mark);
	if (a->flags & PCF_ACT_MIRROR)
		put(t, " mirror %s", pcf_text_ifname(a->mirror_ifindex, buf));
	if (a->egress != PCF_EGRESS_DEFAULT)
		put(t, " egress %s", pcf_genl_egress_name(a->egress));
	if (a->flags & PCF_ACT_QUEUE)
		put(t, " queue %u", a->queue);
	return !(a->flags & PCF_ACT_MIRROR) ||
	       if_indextoname(a->mirror_ifindex, buf);
}

int pcf_text_rule(const struct pcf_rule *r, char *buf, size_t len)
{
	struct text t = { buf, len, 0 };
	bool named;

	put(&t, "prio %u", r->prio);
	named = put_match(&t, r);
	named = put_action(&t, &r->action) && named;
	if (t.used >= len)
		return -ENOSPC;
	return named ? (int)t.used : -ENODEV;
}
