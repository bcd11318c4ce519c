// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rule_text.c - flow rules from words and back (see rule_text.h).  One
 * table of keywords drives the parser; the printer writes the same
 * keywords in the same order, so a printed rule reads back as itself.
 * A refusal names the words it is about: KEYWORD "VALUE": why.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcf_addr.h"
#include "pcf_genl.h"
#include "rule_text.h"
#include "set_text.h"

int pcf_text_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- numbers ---- */

static int digits(const char *s, unsigned int base, unsigned long max,
		  unsigned long *ret)
{
	unsigned long v = 0;
	bool big = false;
	unsigned int d;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (big || v > (ULONG_MAX - d) / base)
			big = true;
		else
			v = v * base + d;
	}
	if (big || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int pcf_text_dec(const char *s, unsigned long max, unsigned long *ret)
{
	/* no sign, no blank, no leading zero (C would read octal) */
	if (s[0] == '0' && s[1])
		return -EINVAL;
	return digits(s, 10, max, ret);
}

int pcf_text_ulong(const char *s, unsigned long max, unsigned long *ret)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return digits(s + 2, 16, max, ret);
	return pcf_text_dec(s, max, ret);
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

/*
 * ADDR[/LEN] into addr and mask (16 bytes each) and family; -EINVAL: no
 * address; -ERANGE: a bad length (family set); -EDOM: host bits set
 * beyond the length (everything set, addr to the prefix's address).
 */
static int parse_prefix(const char *s, __u8 *addr, __u8 *mask, __u8 *family)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned long plen;
	unsigned int alen, i;
	char *slash;
	int err = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(addr, 0, 16);
	memset(mask, 0, 16);
	if (parse_addr(buf, addr, family))
		return -EINVAL;
	alen = pcf_addr_len(*family);
	plen = alen * 8;
	if (slash && pcf_text_dec(slash, alen * 8, &plen))
		return -ERANGE;
	pcf_genl_prefix_mask(mask, alen, plen);
	for (i = 0; i < alen; i++) {
		if (addr[i] & ~mask[i])
			err = -EDOM;
		addr[i] &= mask[i];
	}
	return err;
}

int pcf_text_prefix_parse(const char *s, __u8 *addr, __u8 *mask,
			  __u8 *ret_family)
{
	__u8 a[16], m[16], family;
	int err = parse_prefix(s, a, m, &family);

	if (err)
		return err;
	memcpy(addr, a, 16);
	memcpy(mask, m, 16);
	*ret_family = family;
	return 0;
}

/* PORT or, with ret_max, LO-HI (max 0 for a lone port). */
static int ports_parse(const char *s, __be16 *ret_port, __be16 *ret_max)
{
	char buf[16];
	unsigned long lo, hi = 0;
	char *dash = strchr(s, '-');

	if (strlen(s) >= sizeof(buf))
		return -ERANGE;
	strcpy(buf, s);
	if (dash) {
		if (!ret_max)
			return -EDOM;
		buf[dash - s] = '\0';
		if (pcf_text_dec(buf + (dash - s) + 1, 65535, &hi) || !hi)
			return -ERANGE;
	}
	if (pcf_text_dec(buf, 65535, &lo) || !lo)
		return -ERANGE;
	if (dash && hi < lo)
		return -ENOTEMPTY;
	*ret_port = htons(lo);
	if (ret_max)
		*ret_max = dash && hi != lo ? htons(hi) : 0; /* LOW-LOW: LOW */
	return 0;
}

int pcf_text_nat_range_parse(const char *s, struct pcf_nat *ret,
			     __be16 *ret_port_max)
{
	char buf[PCF_TEXT_VALUE_MAX];
	struct pcf_nat nat = {};
	__be16 max = 0;
	char *colon = NULL;
	int err;

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
	if (colon) {
		err = ports_parse(colon, &nat.port, ret_port_max ? &max : NULL);
		if (err)
			return err;
	}
	*ret = nat;
	if (ret_port_max)
		*ret_port_max = max;
	return 0;
}

int pcf_text_nat_parse(const char *s, struct pcf_nat *ret)
{
	int err = pcf_text_nat_range_parse(s, ret, NULL);

	return err == -EDOM ? -ERANGE : err;
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

const char *pcf_text_nat_range(const struct pcf_nat *nat, __be16 port_max,
			       char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], range[8] = "";

	inet_ntop(addr_af(nat->family), nat->addr, a, sizeof(a));
	if (nat->port && port_max && ntohs(port_max) > ntohs(nat->port))
		snprintf(range, sizeof(range), "-%u", ntohs(port_max));
	if (!nat->port)
		snprintf(buf, len, "%s", a);
	else if (nat->family == 6)
		snprintf(buf, len, "[%s]:%u%s", a, ntohs(nat->port), range);
	else
		snprintf(buf, len, "%s:%u%s", a, ntohs(nat->port), range);
	return buf;
}

const char *pcf_text_nat(const struct pcf_nat *nat, char *buf, size_t len)
{
	return pcf_text_nat_range(nat, 0, buf, len);
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
	return pcf_text_dec(s, 255, ret);
}

/* ---- flow keywords ---- */

enum kw_id {
	KW_SRC,
	KW_DST,
	KW_SPORT,
	KW_DPORT,
	KW_PROTO,
	KW_DEV,
	KW_PRIO,
	KW_ACTION,
	KW_TTL,
	KW_DF_CLEAR,
	KW_SNAT,
	KW_DNAT,
	KW_MARK,
	KW_MIRROR,
	KW_EGRESS,
	KW_QUEUE,
	KW_CT,
	KW_MASQ,
	/* VXLAN (issue 13) */
	KW_ENCAP,
	KW_VNI,
	KW_DECAP,
	KW_EGRESS_DEV, /* "egress dev": two words of the line */
	KW_VIA,
	KW_COUNT,
};

struct parser {
	int argc;
	char **argv;
	char *err;
	size_t errlen;
	unsigned int seen;	   /* keywords given, by bit */
	const char *val[KW_COUNT]; /* their values as given */
	const char *match_cmd;	   /* match words only: whose ("flow del") */
	/* what a refusal calls each keyword (NULL: the keyword itself) and
	 * where it came from, for pcf_text_rule_words */
	const char *label[KW_COUNT];
	int at[KW_COUNT];
	int bad; /* the word refused, or -1 */
};

#define usage_error(p, ...) pcf_text_refuse((p)->err, (p)->errlen, __VA_ARGS__)

enum kw_kind { KIND_MATCH, KIND_ACTION };

struct keyword {
	const char *name;
	enum kw_kind kind;
	bool flag; /* takes no value */
	int (*parse)(struct parser *p, const char *kw, const char *val,
		     struct pcf_rule *r);
};

static int refuse_word(struct parser *p, const char *kw, const char *val,
		       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* KEYWORD "VALUE": why */
static int refuse_word(struct parser *p, const char *kw, const char *val,
		       const char *fmt, ...)
{
	char why[PCF_TEXT_VALUE_MAX * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return usage_error(p, "%s \"%s\": %s", kw, val, why);
}

static int kw_prefix(struct parser *p, const char *kw, const char *val,
		     __u8 *addr, __u8 *mask, struct pcf_rule *r)
{
	char buf[PCF_TEXT_VALUE_MAX];
	__u8 family;
	int err = parse_prefix(val, addr, mask, &family);

	if (err == -EINVAL)
		return refuse_word(
		    p, kw, val,
		    "not an IPv4 or IPv6 address with an optional /LENGTH");
	if (err == -ERANGE)
		return refuse_word(
		    p, kw, val, "the length after / is a decimal number 0..%u",
		    pcf_addr_len(family) * 8);
	if (err == -EDOM)
		return refuse_word(
		    p, kw, val,
		    "host bits set beyond the prefix length (the prefix is %s)",
		    pcf_text_prefix(addr, mask, family, buf, sizeof(buf)));
	if (r->key.family && r->key.family != family)
		return refuse_word(
		    p, kw, val,
		    "src and dst must be of the same address family");
	r->key.family = family;
	r->mask.family = 0xff;
	return 0;
}

/* Named sets (issue 13): `src @NAME`, `dst @NAME`. */
static int kw_set(struct parser *p, const char *kw, const char *val, __u8 *key,
		  __u8 *mask)
{
	int idx;

	if (!pcf_set_name_ok(val + 1))
		return refuse_word(
		    p, kw, val,
		    "a set name is a letter or _, then letters, digits, _ . - (at most %d)",
		    PCF_SET_NAME_MAX - 1);
	idx = pcf_set_index(val + 1);
	if (idx < 0)
		return refuse_word(p, kw, val, "no such set");
	*key = *mask = idx;
	return 0;
}

static int kw_src(struct parser *p, const char *kw, const char *v,
		  struct pcf_rule *r)
{
	if (v[0] == '@')
		return kw_set(p, kw, v, &r->key.src_set, &r->mask.src_set);
	return kw_prefix(p, kw, v, r->key.src, r->mask.src, r);
}

static int kw_dst(struct parser *p, const char *kw, const char *v,
		  struct pcf_rule *r)
{
	if (v[0] == '@')
		return kw_set(p, kw, v, &r->key.dst_set, &r->mask.dst_set);
	return kw_prefix(p, kw, v, r->key.dst, r->mask.dst, r);
}

static int port(struct parser *p, const char *kw, const char *v, __be16 *key,
		__be16 *mask)
{
	unsigned long n;

	if (pcf_text_dec(v, 65535, &n))
		return refuse_word(p, kw, v,
				   "not a port (a decimal number 0..65535)");
	*key = htons(n);
	*mask = 0xffff;
	return 0;
}

static int kw_sport(struct parser *p, const char *kw, const char *v,
		    struct pcf_rule *r)
{
	return port(p, kw, v, &r->key.sport, &r->mask.sport);
}

static int kw_dport(struct parser *p, const char *kw, const char *v,
		    struct pcf_rule *r)
{
	return port(p, kw, v, &r->key.dport, &r->mask.dport);
}

static int kw_proto(struct parser *p, const char *kw, const char *v,
		    struct pcf_rule *r)
{
	unsigned long n;

	if (proto_parse(v, &n))
		return refuse_word(
		    p, kw, v,
		    "not tcp, udp, icmp, icmpv6 or a decimal number 0..255");
	r->key.proto = n;
	r->mask.proto = 0xff;
	return 0;
}

static int ifindex(struct parser *p, const char *kw, const char *v, __u32 *ret)
{
	*ret = if_nametoindex(v);
	if (!*ret)
		return refuse_word(p, kw, v, "no such interface here");
	return 0;
}

static int kw_dev(struct parser *p, const char *kw, const char *v,
		  struct pcf_rule *r)
{
	r->mask.ifindex = 0xffffffff;
	return ifindex(p, kw, v, &r->key.ifindex);
}

static int kw_prio(struct parser *p, const char *kw, const char *v,
		   struct pcf_rule *r)
{
	unsigned long n;

	/* the range is pcfd's to judge; here only "a number" */
	if (pcf_text_dec(v, 0xffffffff, &n))
		return refuse_word(p, kw, v, "not a decimal number");
	r->prio = n;
	return 0;
}

static int kw_action(struct parser *p, const char *kw, const char *v,
		     struct pcf_rule *r)
{
	int verdict = pcf_genl_verdict_parse(v);

	if (verdict < 0)
		return refuse_word(p, kw, v, "not pass, drop or redirect");
	r->action.verdict = verdict;
	return 0;
}

static int kw_ttl(struct parser *p, const char *kw, const char *v,
		  struct pcf_rule *r)
{
	bool minus = v[0] == '-';
	unsigned long n;

	if (pcf_text_dec(v + minus, minus ? 128 : 127, &n) || !n)
		return refuse_word(p, kw, v,
				   "not a decimal number -128..-1 or 1..127");
	r->action.ttl_delta = minus ? -(long)n : (long)n;
	r->action.flags |= PCF_ACT_TTL;
	return 0;
}

static int kw_df_clear(struct parser *p, const char *kw, const char *v,
		       struct pcf_rule *r)
{
	/* a rule without a family takes it too: it acts on IPv4 packets */
	r->action.flags |= PCF_ACT_DF_CLEAR;
	return 0;
}

static int nat(struct parser *p, const char *kw, const char *v,
	       struct pcf_nat *ret)
{
	if (pcf_text_nat_parse(v, ret))
		return refuse_word(
		    p, kw, v,
		    "not ADDR, ADDR:PORT or [IPV6]:PORT (PORT a decimal number 1..65535)");
	return 0;
}

static int kw_snat(struct parser *p, const char *kw, const char *v,
		   struct pcf_rule *r)
{
	int err =
	    pcf_text_nat_range_parse(v, &r->action.snat, &r->snat_port_max);

	r->action.flags |= PCF_ACT_SNAT;
	if (err == -ENOTEMPTY)
		return refuse_word(
		    p, kw, v, "a port range is LOW-HIGH, LOW not above HIGH");
	if (err)
		return refuse_word(
		    p, kw, v,
		    "not ADDR, ADDR:PORT, ADDR:LOW-HIGH or [IPV6]:PORT[-HIGH] (ports decimal numbers 1..65535)");
	return 0;
}

static int kw_dnat(struct parser *p, const char *kw, const char *v,
		   struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_DNAT;
	return nat(p, kw, v, &r->action.dnat);
}

static int kw_mark(struct parser *p, const char *kw, const char *v,
		   struct pcf_rule *r)
{
	unsigned long n;

	if (pcf_text_ulong(v, 0xffffffff, &n))
		return refuse_word(
		    p, kw, v, "not a 32-bit number (decimal, or hex after 0x)");
	r->action.mark = n;
	r->action.flags |= PCF_ACT_MARK;
	return 0;
}

static int kw_mirror(struct parser *p, const char *kw, const char *v,
		     struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_MIRROR;
	return ifindex(p, kw, v, &r->action.mirror_ifindex);
}

/*
 * Explicit egress (issue 13): "egress dev IFNAME" (a keyword of two
 * words, see parse_rule) and "via NEXTHOP".
 */
static int kw_egress_dev(struct parser *p, const char *kw, const char *v,
			 struct pcf_rule *r)
{
	r->action.egress = PCF_EGRESS_WIRE;
	return ifindex(p, kw, v, &r->egress_ifindex);
}

static int kw_via(struct parser *p, const char *kw, const char *v,
		  struct pcf_rule *r)
{
	if (parse_addr(v, r->egress_via, &r->egress_via_family))
		return refuse_word(p, kw, v, "not an IPv4 or IPv6 address");
	return 0;
}

static int kw_egress(struct parser *p, const char *kw, const char *v,
		     struct pcf_rule *r)
{
	int e = pcf_genl_egress_parse(v);

	if (e <= PCF_EGRESS_DEFAULT)
		return refuse_word(p, kw, v, "not kernel, wire or dev IFNAME");
	r->action.egress = e;
	return 0;
}

static int kw_queue(struct parser *p, const char *kw, const char *v,
		    struct pcf_rule *r)
{
	unsigned long n;

	if (pcf_text_dec(v, 65535, &n))
		return refuse_word(p, kw, v, "not a decimal number 0..65535");
	r->action.queue = n;
	r->action.flags |= PCF_ACT_QUEUE;
	return 0;
}

static int kw_ct(struct parser *p, const char *kw, const char *v,
		 struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_CT;
	return 0;
}

static int kw_masq(struct parser *p, const char *kw, const char *v,
		   struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_MASQ;
	return 0;
}

/* ---- VXLAN (issue 13): encap vxlan [vni N], decap ---- */

static int kw_encap(struct parser *p, const char *kw, const char *v,
		    struct pcf_rule *r)
{
	if (strcmp(v, "vxlan"))
		return refuse_word(p, kw, v,
				   "not vxlan (the one encapsulation known)");
	r->key.tun |= PCF_TUN(PCF_TUN_VXLAN, 0);
	r->mask.tun |= PCF_TUN_KIND_MASK; /* (also for a session match) */
	return 0;
}

static int kw_vni(struct parser *p, const char *kw, const char *v,
		  struct pcf_rule *r)
{
	unsigned long n;

	if (pcf_text_dec(v, PCF_TUN_VNI_MASK, &n))
		return refuse_word(p, kw, v,
				   "not a VNI (a decimal number 0..16777215)");
	r->key.tun |= n;
	r->mask.tun |= PCF_TUN_VNI_MASK;
	return 0;
}

static int kw_decap(struct parser *p, const char *kw, const char *v,
		    struct pcf_rule *r)
{
	r->action.flags |= PCF_ACT_DECAP;
	return 0;
}

static const struct keyword keywords[KW_COUNT] = {
	[KW_SRC] = { "src", KIND_MATCH, false, kw_src },
	[KW_DST] = { "dst", KIND_MATCH, false, kw_dst },
	[KW_SPORT] = { "sport", KIND_MATCH, false, kw_sport },
	[KW_DPORT] = { "dport", KIND_MATCH, false, kw_dport },
	[KW_PROTO] = { "proto", KIND_MATCH, false, kw_proto },
	[KW_DEV] = { "dev", KIND_MATCH, false, kw_dev },
	[KW_PRIO] = { "prio", KIND_ACTION, false, kw_prio },
	[KW_ACTION] = { "action", KIND_ACTION, false, kw_action },
	[KW_TTL] = { "ttl-delta", KIND_ACTION, false, kw_ttl },
	[KW_DF_CLEAR] = { "df-clear", KIND_ACTION, true, kw_df_clear },
	[KW_SNAT] = { "snat", KIND_ACTION, false, kw_snat },
	[KW_DNAT] = { "dnat", KIND_ACTION, false, kw_dnat },
	[KW_MARK] = { "mark", KIND_ACTION, false, kw_mark },
	[KW_MIRROR] = { "mirror", KIND_ACTION, false, kw_mirror },
	[KW_EGRESS] = { "egress", KIND_ACTION, false, kw_egress },
	[KW_QUEUE] = { "queue", KIND_ACTION, false, kw_queue },
	[KW_CT] = { "ct", KIND_ACTION, true, kw_ct },
	[KW_MASQ] = { "masquerade", KIND_ACTION, true, kw_masq },
	[KW_ENCAP] = { "encap", KIND_MATCH, false, kw_encap },
	[KW_VNI] = { "vni", KIND_MATCH, false, kw_vni },
	[KW_DECAP] = { "decap", KIND_ACTION, true, kw_decap },
	[KW_EGRESS_DEV] = { "egress dev", KIND_ACTION, false, kw_egress_dev },
	[KW_VIA] = { "via", KIND_ACTION, false, kw_via },
};

static int find_keyword(const char *word)
{
	unsigned int i;

	for (i = 0; i < KW_COUNT; i++)
		if (!strcmp(word, keywords[i].name))
			return i;
	return -1;
}

static bool given(const struct parser *p, enum kw_id k)
{
	return p->seen & (1U << k);
}

/* What refusals call keyword k: its label, or the keyword itself. */
static const char *kw_label(const struct parser *p, enum kw_id k)
{
	return p->label[k] ? p->label[k] : keywords[k].name;
}

/* Refuse keyword k of the line, named with its value as given. */
#define refuse_kw(p, k, ...)    \
	((p)->bad = (p)->at[k], \
	 refuse_word(p, kw_label(p, k), (p)->val[k], __VA_ARGS__))

static bool has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/*
 * What a match must say together, checked once all its words are read
 * (they come in any order): what pcfd would refuse as well, said here
 * with the word it is about, and what could never match a packet.
 */
static int check_match(struct parser *p, const struct pcf_rule *r)
{
	enum kw_id port = given(p, KW_SPORT) ? KW_SPORT : KW_DPORT;
	const struct pcf_key *k = &r->key;
	/* a rule's ICMP ports are its type and code, a session's an echo's
	 * identifier */
	bool session = p->match_cmd && strcmp(p->match_cmd, "flow del");
	bool icmp = (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) &&
		    !session;
	char buf[8];

	if (given(p, port) && !given(p, KW_PROTO))
		return refuse_kw(p, port,
				 "a port needs proto tcp, udp, icmp or icmpv6");
	if (given(p, port) && !has_ports(k->proto))
		return refuse_kw(
		    p, port,
		    "proto %s has no ports (tcp, udp, icmp and icmpv6 have)",
		    pcf_text_proto(k->proto, buf, sizeof(buf)));
	if (icmp && given(p, KW_SPORT) && ntohs(k->sport) > 255)
		return refuse_kw(p, KW_SPORT,
				 "with proto %s, sport is the type: 0..255",
				 p->val[KW_PROTO]);
	if (icmp && given(p, KW_DPORT) && ntohs(k->dport) > 255)
		return refuse_kw(p, KW_DPORT,
				 "with proto %s, dport is the code: 0..255",
				 p->val[KW_PROTO]);
	if (icmp && r->mask.family &&
	    (k->proto == IPPROTO_ICMP) != (k->family == 4))
		return refuse_kw(p, KW_PROTO,
				 "the rule's addresses are IPv%u: use %s",
				 k->family, k->family == 4 ? "icmp" : "icmpv6");
	if (given(p, KW_VNI) && !given(p, KW_ENCAP))
		return refuse_kw(
		    p, KW_VNI,
		    "a VNI is a VXLAN frame's: write encap vxlan vni %s",
		    p->val[KW_VNI]);
	return 0;
}

/*
 * VXLAN and explicit egress (issue 13): what decap and egress dev say
 * with the rest, refused with what to write instead.
 */
static int check_encap(struct parser *p, const struct pcf_rule *r)
{
	const struct pcf_action *a = &r->action;
	bool encap = given(p, KW_ENCAP);

	if (given(p, KW_DECAP) && !encap)
		return usage_error(
		    p,
		    "decap takes the outer headers off a VXLAN frame: add encap vxlan to the match");
	if (given(p, KW_DECAP) && a->verdict == PCF_VERDICT_DROP)
		return usage_error(
		    p,
		    "a dropped packet is not decapsulated: write action drop without decap");
	if (encap && a->verdict == PCF_VERDICT_REDIRECT && !given(p, KW_DECAP))
		return usage_error(
		    p,
		    "the workers take the inner frame: write action redirect decap ...");
	if (encap && given(p, KW_CT))
		return usage_error(
		    p,
		    "ct tracks outer headers: it does not go with encap vxlan");
	if (given(p, KW_EGRESS_DEV) && a->verdict != PCF_VERDICT_REDIRECT)
		return refuse_kw(
		    p, KW_EGRESS_DEV,
		    "the workers send by it: write action redirect ... egress dev %s",
		    p->val[KW_EGRESS_DEV]);
	/* (wire, as JSON prints it beside egress_dev, says no other) */
	if (given(p, KW_EGRESS_DEV) && given(p, KW_EGRESS) &&
	    strcmp(p->val[KW_EGRESS], "wire"))
		return refuse_kw(p, KW_EGRESS,
				 "egress dev %s is the egress: give no other",
				 p->val[KW_EGRESS_DEV]);
	if (given(p, KW_VIA) && !given(p, KW_EGRESS_DEV))
		return refuse_kw(
		    p, KW_VIA,
		    "a next hop needs its interface: write egress dev IFNAME via %s",
		    p->val[KW_VIA]);
	return 0;
}

/*
 * What ct says with the other action words: refused with what to write
 * instead.  The rest of what an action may say is pcfd's to judge
 * (pcf_rule_validate), and comes back in its words.
 */
static int check_ct(struct parser *p, const struct pcf_rule *r)
{
	const struct pcf_action *a = &r->action;
	bool ct = a->flags & PCF_ACT_CT;

	if (ct && a->verdict == PCF_VERDICT_DROP)
		return usage_error(
		    p,
		    "ct goes with action pass (let the replies in: action pass ct) or action redirect (stateful NAT: action redirect ct snat ...), not drop");
	if (r->snat_port_max && !ct)
		return refuse_kw(
		    p, KW_SNAT,
		    "a port range is for NAT per connection: write action redirect ct snat %s (without ct, NAT rewrites to one port)",
		    p->val[KW_SNAT]);
	if ((a->flags & PCF_ACT_MASQ) && !ct)
		return usage_error(
		    p,
		    "masquerade is NAT per connection: write action redirect ct masquerade");
	if ((a->flags & PCF_ACT_MASQ) && (a->flags & PCF_ACT_SNAT))
		return usage_error(
		    p,
		    "masquerade and snat both choose the source address: give one of them");
	if ((a->flags & PCF_ACT_MASQ) && a->verdict != PCF_VERDICT_REDIRECT)
		return usage_error(
		    p,
		    "masquerade runs in the workers: write action redirect ct masquerade");
	return 0;
}

/*
 * Take keyword k with its value (NULL for a flag), called label in a
 * refusal; at: where the word came from (its index, for the caller).
 */
static int take_word(struct parser *p, enum kw_id k, const char *val,
		     const char *label, int at, struct pcf_rule *r)
{
	const struct keyword *kw = &keywords[k];
	int err;

	p->seen |= 1U << k;
	p->val[k] = val;
	p->label[k] = label;
	p->at[k] = at;
	err = kw->parse(p, kw_label(p, k), val, r);
	if (err)
		p->bad = at;
	return err;
}

/* The rule words of add/replace (match_only: of del), from argv[i] on. */
static int parse_rule(struct parser *p, int i, bool match_only,
		      struct pcf_rule *r)
{
	const struct keyword *kw;
	int k, err;

	*r = (struct pcf_rule){ .prio = PCF_PRIO_DEFAULT };
	/* VXLAN (issue 13): a rule's match, as the table keeps it, says
	 * whether it is about outer or inner headers (a session's not) */
	if (!match_only || !strcmp(p->match_cmd, "flow del"))
		r->mask.tun = PCF_TUN_KIND_MASK;
	for (; i < p->argc; i++) {
		k = find_keyword(p->argv[i]);
		if (k < 0)
			return usage_error(
			    p, "unknown word \"%s\" (try \"pcfctl flow help\")",
			    p->argv[i]);
		/* explicit egress (issue 13): "egress dev IFNAME" */
		if (k == KW_EGRESS && i + 1 < p->argc &&
		    !strcmp(p->argv[i + 1], "dev")) {
			k = KW_EGRESS_DEV;
			i++;
		}
		kw = &keywords[k];
		if (match_only && kw->kind != KIND_MATCH)
			return usage_error(
			    p, "%s takes %smatch words only, not \"%s\"",
			    p->match_cmd,
			    strcmp(p->match_cmd, "flow del") ? "" : "id N or ",
			    kw->name);
		if (given(p, k))
			return usage_error(p, "\"%s\" given twice", kw->name);
		if (!kw->flag && i + 1 >= p->argc)
			return usage_error(p, "\"%s\" needs a value", kw->name);
		err = take_word(p, k, kw->flag ? NULL : p->argv[i + 1], NULL, i,
				r);
		if (err)
			return err;
		if (!kw->flag)
			i++;
	}
	if (!match_only && !given(p, KW_ACTION))
		return usage_error(
		    p, "a rule needs \"action pass|drop|redirect\"");
	if (match_only && !p->seen)
		return usage_error(p, "flow del needs id N or match words");
	if (match_only && given(p, KW_DEV) && strcmp(p->match_cmd, "flow del"))
		return refuse_kw(
		    p, KW_DEV,
		    "a session has no ingress interface: match it by src, dst, sport, dport and proto");
	if (match_only && (given(p, KW_ENCAP) || given(p, KW_VNI)) &&
	    strcmp(p->match_cmd, "flow del"))
		return usage_error(
		    p,
		    "a session is of outer headers: match it by src, dst, sport, dport and proto");
	err = check_match(p, r);
	if (!err)
		err = check_ct(p, r);
	return err ? err : check_encap(p, r);
}

int pcf_text_rule_words(const struct pcf_text_word *words, int n,
			struct pcf_rule *ret, int *ret_bad, char *err,
			size_t errlen)
{
	struct parser p = { .err = err, .errlen = errlen, .bad = -1 };
	struct pcf_rule r = { .prio = PCF_PRIO_DEFAULT,
			      .mask.tun = PCF_TUN_KIND_MASK }; /* issue 13 */
	int i, k, rc = 0;

	for (i = 0; !rc && i < n; i++) {
		k = find_keyword(words[i].keyword);
		if (k < 0 || given(&p, k) ||
		    (keywords[k].flag != !words[i].value)) {
			p.bad = i;
			rc = usage_error(&p, "%s: not a word of a rule here",
					 words[i].label);
		} else {
			rc = take_word(&p, k, words[i].value, words[i].label, i,
				       &r);
		}
	}
	if (!rc && !given(&p, KW_ACTION))
		rc = usage_error(&p,
				 "a rule needs \"action pass|drop|redirect\"");
	if (!rc)
		rc = check_match(&p, &r);
	if (!rc)
		rc = check_ct(&p, &r);
	if (!rc)
		rc = check_encap(&p, &r);
	if (rc) {
		if (ret_bad)
			*ret_bad = p.bad;
		return rc;
	}
	*ret = r;
	return 0;
}

int pcf_text_id(int argc, char **argv, __u32 *ret, char *err, size_t errlen)
{
	struct parser p = {
		.argc = argc, .argv = argv, .err = err, .errlen = errlen
	};
	unsigned long n;

	if (argc != 2 || strcmp(argv[0], "id"))
		return -ENOENT;
	if (pcf_text_dec(argv[1], 0xffffffff, &n) || !n)
		return refuse_word(&p, "id", argv[1],
				   "not a rule id (a decimal number from 1)");
	*ret = n;
	return 0;
}

int pcf_text_session_match(int argc, char **argv, const char *cmd,
			   struct pcf_rule *ret, char *err, size_t errlen)
{
	struct parser p = { .argc = argc,
			    .argv = argv,
			    .err = err,
			    .errlen = errlen,
			    .match_cmd = cmd };
	struct pcf_rule r;
	int rc;

	*ret = (struct pcf_rule){};
	if (!argc)
		return 0;
	rc = parse_rule(&p, 0, true, &r);
	if (!rc)
		*ret = r;
	return rc;
}

int pcf_text_flow_change(int argc, char **argv, struct pcf_flow_change *ret,
			 char *err, size_t errlen)
{
	struct parser p = {
		.argc = argc, .argv = argv, .err = err, .errlen = errlen
	};
	struct pcf_flow_change c = {};
	const char *cmd = argc ? argv[0] : "";
	int rc;

	if (!strcmp(cmd, "add") || !strcmp(cmd, "replace")) {
		c.op = cmd[0] == 'a' ? PCF_FLOW_ADD : PCF_FLOW_REPLACE;
		rc = parse_rule(&p, 1, false, &c.rule);
	} else if (!strcmp(cmd, "del")) {
		c.op = PCF_FLOW_DEL;
		p.match_cmd = "flow del";
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

	/* VXLAN (issue 13): what the rest is of, first */
	if (PCF_TUN_KIND(k->tun & m->tun) == PCF_TUN_VXLAN)
		put(t, " encap vxlan");
	if (PCF_TUN_KIND(k->tun & m->tun) && (m->tun & PCF_TUN_VNI_MASK))
		put(t, " vni %u", k->tun & PCF_TUN_VNI_MASK);
	/* named sets (issue 13) */
	if (m->src_set)
		put(t, " src @%s", pcf_set_name(m->src_set) ?: "?");
	if (m->dst_set)
		put(t, " dst @%s", pcf_set_name(m->dst_set) ?: "?");
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

static bool put_action(struct text *t, const struct pcf_rule *r)
{
	const struct pcf_action *a = &r->action;
	char buf[PCF_TEXT_VALUE_MAX];

	put(t, " action %s", pcf_genl_verdict_name(a->verdict));
	if (a->flags & PCF_ACT_CT)
		put(t, " ct");
	if (a->flags & PCF_ACT_MASQ)
		put(t, " masquerade");
	if (a->flags & PCF_ACT_DECAP) /* VXLAN (issue 13) */
		put(t, " decap");
	if (a->flags & PCF_ACT_TTL)
		put(t, " ttl-delta %d", a->ttl_delta);
	if (a->flags & PCF_ACT_DF_CLEAR)
		put(t, " df-clear");
	if (a->flags & PCF_ACT_SNAT)
		put(t, " snat %s",
		    pcf_text_nat_range(&a->snat, r->snat_port_max, buf,
				       sizeof(buf)));
	if (a->flags & PCF_ACT_DNAT)
		put(t, " dnat %s", pcf_text_nat(&a->dnat, buf, sizeof(buf)));
	if (a->flags & PCF_ACT_MARK)
		put(t, " mark 0x%x", a->mark);
	if (a->flags & PCF_ACT_MIRROR)
		put(t, " mirror %s", pcf_text_ifname(a->mirror_ifindex, buf));
	if (r->egress_ifindex) /* explicit egress (issue 13) */
		put(t, " egress dev %s",
		    pcf_text_ifname(r->egress_ifindex, buf));
	else if (a->egress != PCF_EGRESS_DEFAULT)
		put(t, " egress %s", pcf_genl_egress_name(a->egress));
	if (r->egress_via_family)
		put(t, " via %s",
		    inet_ntop(addr_af(r->egress_via_family), r->egress_via, buf,
			      sizeof(buf)));
	if (a->flags & PCF_ACT_QUEUE)
		put(t, " queue %u", a->queue);
	return (!(a->flags & PCF_ACT_MIRROR) ||
		if_indextoname(a->mirror_ifindex, buf)) &&
	       (!r->egress_ifindex || if_indextoname(r->egress_ifindex, buf));
}

/* "prio N", the match, the action: false when an interface has no name. */
static bool put_rule(struct text *t, const struct pcf_rule *r)
{
	bool named;

	put(t, "prio %u", r->prio);
	named = put_match(t, r);
	return put_action(t, r) && named;
}

int pcf_text_rule(const struct pcf_rule *r, char *buf, size_t len)
{
	struct text t = { buf, len, 0 };
	bool named = put_rule(&t, r);

	if (t.used >= len)
		return -ENOSPC;
	return named ? (int)t.used : -ENODEV;
}

int pcf_text_change(const struct pcf_flow_change *c, char *buf, size_t len)
{
	struct text t = { buf, len, 0 };

	switch (c->op) {
	case PCF_FLOW_ADD:
	case PCF_FLOW_REPLACE:
		put(&t, "flow %s ", c->op == PCF_FLOW_ADD ? "add" : "replace");
		put_rule(&t, &c->rule);
		break;
	case PCF_FLOW_DEL:
		put(&t, "flow del");
		if (c->id)
			put(&t, " id %u", c->id);
		else
			put_match(&t, &c->rule);
		break;
	case PCF_FLOW_FLUSH:
		put(&t, "flow flush");
		break;
	}
	return t.used >= len ? -ENOSPC : (int)t.used;
}

#define STR(x)	STR_(x)
#define STR_(x) #x

const char *pcf_text_change_strerror(const struct pcf_flow_change *c, int err)
{
	switch (err) {
	case -EEXIST:
		return "a rule with this match exists: use `flow replace` to change it";
	case -ENOSPC:
		return "the rule table is full (" STR(
		    PCF_MAX_RULES) " rules): delete rules first";
	case -ETOOMANYREFS:
		return "this rule needs a match mask beyond the " STR(
		    PCF_MAX_MASKS) " distinct ones pcf searches (which fields a rule matches, and its prefix lengths): match like existing rules, or delete the rules of another mask";
	case -EBUSY:
	case -ETIMEDOUT:
		return "the rule table is busy: old slots are still in use by packets in flight (a worker may be stuck); try again";
	case -ENOENT:
		if (c->op == PCF_FLOW_REPLACE)
			return "no rule with this match to replace";
		if (c->op == PCF_FLOW_DEL)
			return c->id ? "no rule with this id"
				     : "no rule with this match";
		break;
	}
	return strerror(-err);
}
