// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * print.c - pcfctl's output: rules in the words `flow add` takes (so a
 * line can be pasted back; genl's pcf_text_rule writes them), and the
 * same as JSON through json-c, with genl's value formatters.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include "pcfctl.h"

/* A rule's set (issue 13) as JSON: "@NAME". */
static json_object *set_json(unsigned int idx)
{
	char buf[PCF_SET_NAME_MAX + 1];

	snprintf(buf, sizeof(buf), "@%s", pcf_set_name(idx) ?: "?");
	return json_object_new_string(buf);
}

static json_object *match_json(const struct pcf_rule *r)
{
	const struct pcf_key *k = &r->key, *m = &r->mask;
	char buf[PCF_TEXT_VALUE_MAX];
	json_object *o = json_object_new_object();

	/* named sets (issue 13): "src": "@NAME" */
	if (m->src_set)
		json_object_object_add(o, "src", set_json(m->src_set));
	if (m->dst_set)
		json_object_object_add(o, "dst", set_json(m->dst_set));
	if (pcf_text_has_src(r))
		json_object_object_add(
		    o, "src",
		    json_object_new_string(pcf_text_prefix(
			k->src, m->src, k->family, buf, sizeof(buf))));
	if (pcf_text_has_dst(r))
		json_object_object_add(
		    o, "dst",
		    json_object_new_string(pcf_text_prefix(
			k->dst, m->dst, k->family, buf, sizeof(buf))));
	if (m->sport)
		json_object_object_add(o, "sport",
				       json_object_new_int(ntohs(k->sport)));
	if (m->dport)
		json_object_object_add(o, "dport",
				       json_object_new_int(ntohs(k->dport)));
	if (m->proto)
		json_object_object_add(o, "proto",
				       json_object_new_string(pcf_text_proto(
					   k->proto, buf, sizeof(buf))));
	if (m->ifindex)
		json_object_object_add(
		    o, "dev",
		    json_object_new_string(pcf_text_ifname(k->ifindex, buf)));
	return o;
}

/* Every action key is there; what the rule does not set is null. */
static json_object *action_json(const struct pcf_rule *r)
{
	const struct pcf_action *a = &r->action;
	char buf[PCF_TEXT_VALUE_MAX];
	json_object *o = json_object_new_object();

	json_object_object_add(
	    o, "type",
	    json_object_new_string(pcf_genl_verdict_name(a->verdict)));
	json_object_object_add(
	    o, "ttl_delta",
	    json_object_new_int(a->flags & PCF_ACT_TTL ? a->ttl_delta : 0));
	json_object_object_add(
	    o, "df_clear",
	    json_object_new_boolean(a->flags & PCF_ACT_DF_CLEAR));
	json_object_object_add(o, "ct",
			       json_object_new_boolean(a->flags & PCF_ACT_CT));
	json_object_object_add(
	    o, "masquerade", json_object_new_boolean(a->flags & PCF_ACT_MASQ));
	json_object_object_add(
	    o, "snat",
	    a->flags & PCF_ACT_SNAT
		? json_object_new_string(pcf_text_nat_range(
		      &a->snat, r->snat_port_max, buf, sizeof(buf)))
		: NULL);
	json_object_object_add(o, "dnat",
			       a->flags & PCF_ACT_DNAT
				   ? json_object_new_string(pcf_text_nat(
					 &a->dnat, buf, sizeof(buf)))
				   : NULL);
	json_object_object_add(
	    o, "mark",
	    a->flags & PCF_ACT_MARK ? json_object_new_int64(a->mark) : NULL);
	json_object_object_add(o, "mirror",
			       a->flags & PCF_ACT_MIRROR
				   ? json_object_new_string(pcf_text_ifname(
					 a->mirror_ifindex, buf))
				   : NULL);
	json_object_object_add(
	    o, "egress",
	    json_object_new_string(pcf_genl_egress_name(a->egress)));
	json_object_object_add(
	    o, "queue",
	    a->flags & PCF_ACT_QUEUE ? json_object_new_int(a->queue) : NULL);
	return o;
}

json_object *pcfctl_rule_json(const struct pcf_rule *r,
			      const struct pcf_counter *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "prio", json_object_new_int64(r->prio));
	json_object_object_add(o, "match", match_json(r));
	json_object_object_add(o, "action", action_json(r));
	if (c) {
		json_object_object_add(o, "packets",
				       json_object_new_uint64(c->packets));
		json_object_object_add(o, "bytes",
				       json_object_new_uint64(c->bytes));
	}
	return o;
}

void pcfctl_print_rule(const struct pcfctl_out *o, const struct pcf_rule *r,
		       const struct pcf_counter *c)
{
	pcfctl_print_flow(o, r, c, NULL);
}

void pcfctl_print_flow(const struct pcfctl_out *o, const struct pcf_rule *r,
		       const struct pcf_counter *c,
		       const struct pcf_counter *workers)
{
	char text[PCF_TEXT_RULE_MAX];

	/* on -ENODEV (an interface with no name here) the text is there too */
	pcf_text_rule(r, text, sizeof(text));
	fprintf(o->f, "id %u %s", r->id, text);
	if (c && o->stats)
		fprintf(o->f, " packets %llu bytes %llu",
			(unsigned long long)c->packets,
			(unsigned long long)c->bytes);
	if (workers && o->stats)
		fprintf(o->f, " worker-packets %llu worker-bytes %llu",
			(unsigned long long)workers->packets,
			(unsigned long long)workers->bytes);
	fputc('\n', o->f);
}

json_object *pcfctl_flow_json(const struct pcf_rule *r,
			      const struct pcf_counter *c,
			      const struct pcf_counter *workers)
{
	json_object *o = pcfctl_rule_json(r, c);

	if (workers) {
		json_object_object_add(
		    o, "worker_packets",
		    json_object_new_uint64(workers->packets));
		json_object_object_add(o, "worker_bytes",
				       json_object_new_uint64(workers->bytes));
	}
	return o;
}

int pcfctl_json_flags(const struct pcfctl_out *o)
{
	return JSON_C_TO_STRING_NOSLASHESCAPE |
	       (o->pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);
}

void pcfctl_print_json(const struct pcfctl_out *o, json_object *obj)
{
	fprintf(o->f, "%s\n",
		json_object_to_json_string_ext(obj, pcfctl_json_flags(o)));
}

/* ---- sessions ---- */

static bool has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static bool is_icmp(__u8 proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* "A:P -> B:Q", "[A]:P -> [B]:Q", "A -> B id N" (an echo), "A -> B" */
static void print_tuple(FILE *f, const struct pcf_ct_key *k)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = k->family == 6 ? AF_INET6 : AF_INET;
	bool v6 = k->family == 6;

	inet_ntop(af, k->src, a, sizeof(a));
	inet_ntop(af, k->dst, b, sizeof(b));
	if (has_ports(k->proto))
		fprintf(f, "%s%s%s:%u -> %s%s%s:%u", v6 ? "[" : "", a,
			v6 ? "]" : "", ntohs(k->sport), v6 ? "[" : "", b,
			v6 ? "]" : "", ntohs(k->dport));
	else if (is_icmp(k->proto))
		fprintf(f, "%s -> %s id %u", a, b, ntohs(k->sport | k->dport));
	else
		fprintf(f, "%s -> %s", a, b);
}

void pcfctl_print_session(const struct pcfctl_out *o, const char *what,
			  const struct pcf_session *s)
{
	char buf[8];

	if (what)
		fprintf(o->f, "%s ", what);
	fprintf(o->f, "%s %s timeout %u orig ",
		pcf_text_proto(s->orig.proto, buf, sizeof(buf)),
		pcf_genl_ct_state_name(s->state), s->timeout);
	print_tuple(o->f, &s->orig);
	fprintf(o->f, " packets %llu bytes %llu reply ",
		(unsigned long long)s->orig_c.packets,
		(unsigned long long)s->orig_c.bytes);
	print_tuple(o->f, &s->reply);
	fprintf(o->f, " packets %llu bytes %llu%s%s rule %u age %u\n",
		(unsigned long long)s->reply_c.packets,
		(unsigned long long)s->reply_c.bytes, s->snat ? " snat" : "",
		s->dnat ? " dnat" : "", s->rule_id, s->age);
}

static json_object *tuple_json(const struct pcf_ct_key *k,
			       const struct pcf_counter *c)
{
	int af = k->family == 6 ? AF_INET6 : AF_INET;
	json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN];

	json_object_object_add(
	    o, "src",
	    json_object_new_string(inet_ntop(af, k->src, a, sizeof(a))));
	json_object_object_add(
	    o, "dst",
	    json_object_new_string(inet_ntop(af, k->dst, a, sizeof(a))));
	json_object_object_add(o, "sport",
			       json_object_new_int(ntohs(k->sport)));
	json_object_object_add(o, "dport",
			       json_object_new_int(ntohs(k->dport)));
	json_object_object_add(o, "packets",
			       json_object_new_uint64(c->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
	return o;
}

json_object *pcfctl_session_json(const struct pcf_session *s)
{
	json_object *o = json_object_new_object();
	char buf[8];

	json_object_object_add(o, "proto",
			       json_object_new_string(pcf_text_proto(
				   s->orig.proto, buf, sizeof(buf))));
	json_object_object_add(
	    o, "state",
	    json_object_new_string(pcf_genl_ct_state_name(s->state)));
	json_object_object_add(o, "timeout", json_object_new_int64(s->timeout));
	json_object_object_add(o, "age", json_object_new_int64(s->age));
	json_object_object_add(o, "rule", json_object_new_int64(s->rule_id));
	json_object_object_add(o, "snat", json_object_new_boolean(s->snat));
	json_object_object_add(o, "dnat", json_object_new_boolean(s->dnat));
	json_object_object_add(o, "orig", tuple_json(&s->orig, &s->orig_c));
	json_object_object_add(o, "reply", tuple_json(&s->reply, &s->reply_c));
	return o;
}

struct counter {
	const char *name;
	__u32 kind; /* enum pcf_counter_kind */
	struct pcf_counter c;
};

static bool read_counter(const struct nlattr *nest, struct counter *ret)
{
	const struct nlattr *tb[PCF_A_COUNTER_MAX + 1];
	struct pcf_extack ext = {};

	if (pcf_attr_parse_nested(nest, &pcf_counter_set, tb, &ext) ||
	    !tb[PCF_A_COUNTER_NAME])
		return false;
	ret->name = mnl_attr_get_str(tb[PCF_A_COUNTER_NAME]);
	ret->kind = tb[PCF_A_COUNTER_KIND]
			? mnl_attr_get_u32(tb[PCF_A_COUNTER_KIND])
			: PCF_COUNTER_DROP;
	ret->c.packets = tb[PCF_A_COUNTER_PACKETS]
			     ? mnl_attr_get_u64(tb[PCF_A_COUNTER_PACKETS])
			     : 0;
	ret->c.bytes = tb[PCF_A_COUNTER_BYTES]
			   ? mnl_attr_get_u64(tb[PCF_A_COUNTER_BYTES])
			   : 0;
	return true;
}

/* One worker's nest, read. */
struct worker {
	const char *ifname;
	__u32 queue, bind_mode;
	int cpu;
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes, heartbeat, mirrors;
	__u64 csum_sampled, csum_bad;
	const struct nlattr *nest; /* for its drop counters */
	/* nests of its sockets' kernel counters, or NULL */
	const struct nlattr *sock, *ret_sock;
};

static __u64 get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

static bool read_worker(const struct nlattr *nest, struct worker *ret)
{
	const struct nlattr *tb[PCF_A_WORKER_MAX + 1];
	struct pcf_extack ext = {};

	if (pcf_attr_parse_nested(nest, &pcf_worker_set, tb, &ext) ||
	    !tb[PCF_A_WORKER_IFNAME])
		return false;
	ret->ifname = mnl_attr_get_str(tb[PCF_A_WORKER_IFNAME]);
	ret->queue = tb[PCF_A_WORKER_QUEUE]
			 ? mnl_attr_get_u32(tb[PCF_A_WORKER_QUEUE])
			 : 0;
	ret->cpu = tb[PCF_A_WORKER_CPU]
		       ? (int)mnl_attr_get_u32(tb[PCF_A_WORKER_CPU])
		       : -1;
	ret->bind_mode = tb[PCF_A_WORKER_BIND_MODE]
			     ? mnl_attr_get_u32(tb[PCF_A_WORKER_BIND_MODE])
			     : PCF_GENL_BIND_MAX;
	ret->rx_packets = get_u64(tb[PCF_A_WORKER_RX_PACKETS]);
	ret->rx_bytes = get_u64(tb[PCF_A_WORKER_RX_BYTES]);
	ret->tx_packets = get_u64(tb[PCF_A_WORKER_TX_PACKETS]);
	ret->tx_bytes = get_u64(tb[PCF_A_WORKER_TX_BYTES]);
	ret->heartbeat = get_u64(tb[PCF_A_WORKER_HEARTBEAT]);
	ret->mirrors = get_u64(tb[PCF_A_WORKER_MIRROR_PACKETS]);
	ret->csum_sampled = get_u64(tb[PCF_A_WORKER_L4_CSUM_SAMPLED]);
	ret->csum_bad = get_u64(tb[PCF_A_WORKER_BAD_L4_CSUM]);
	ret->sock = tb[PCF_A_WORKER_SOCKET];
	ret->ret_sock = tb[PCF_A_WORKER_RETURN_SOCKET];
	ret->nest = nest;
	return true;
}

/* A protocol name as a JSON key: "rx-ring-full" -> "rx_ring_full". */
static const char *key_of(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	return buf;
}

/* The u64 attributes of a nest of set, by attribute type (0: absent). */
static bool read_u64s(const struct nlattr *nest, const struct pcf_attr_set *set,
		      __u64 *ret)
{
	const struct nlattr *tb[PCF_A_ANY_MAX + 1];
	struct pcf_extack ext = {};
	unsigned int a;

	if (pcf_attr_parse_nested(nest, set, tb, &ext))
		return false;
	for (a = 0; a <= set->max; a++)
		ret[a] = set->policy[a].type == PCF_AT_U64 && tb[a]
			     ? mnl_attr_get_u64(tb[a])
			     : 0;
	return true;
}

/* The u64 attributes of a nest of set, from attribute first on, as a
 * JSON object keyed by their names. */
static json_object *u64s_json(const struct nlattr *nest,
			      const struct pcf_attr_set *set,
			      unsigned int first)
{
	json_object *o = json_object_new_object();
	__u64 v[PCF_A_ANY_MAX + 1];
	char key[64];
	unsigned int a;

	if (!read_u64s(nest, set, v))
		return o;
	for (a = first; a <= set->max; a++)
		json_object_object_add(
		    o, key_of(set->policy[a].name, key, sizeof(key)),
		    json_object_new_uint64(v[a]));
	return o;
}

/* A socket's counters as a JSON object, all of them. */
static json_object *xsk_json(const struct nlattr *nest)
{
	return u64s_json(nest, &pcf_xsk_set, PCF_A_XSK_RX_DROPPED);
}

/* "    LABEL: name N, name N" of a socket's non-zero losses (-j: all) */
static void print_xsk(FILE *f, const struct nlattr *nest, const char *label)
{
	__u64 v[PCF_A_XSK_MAX + 1];
	char key[64];
	unsigned int a;
	bool any = false;

	if (!nest || !read_u64s(nest, &pcf_xsk_set, v))
		return;
	for (a = PCF_A_XSK_RX_DROPPED; a <= PCF_A_XSK_MAX; a++) {
		if (!v[a] || !pcf_genl_xsk_is_loss(a))
			continue;
		fprintf(f, "%s %s %llu", any ? "," : label,
			key_of(pcf_xsk_set.policy[a].name, key, sizeof(key)),
			(unsigned long long)v[a]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

#define for_each_worker(a, tb)         \
	if ((tb)[PCF_A_STATS_WORKERS]) \
		mnl_attr_for_each_nested(a, (tb)[PCF_A_STATS_WORKERS])

static void add_u64(json_object *o, const char *key, __u64 v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static json_object *worker_json(const struct worker *w)
{
	json_object *o = json_object_new_object(), *drops, *returned;
	const struct nlattr *a;
	struct counter c;

	json_object_object_add(o, "ifname", json_object_new_string(w->ifname));
	json_object_object_add(o, "queue", json_object_new_int64(w->queue));
	json_object_object_add(o, "cpu", json_object_new_int(w->cpu));
	json_object_object_add(
	    o, "bind_mode",
	    json_object_new_string(pcf_genl_bind_mode_name(w->bind_mode)));
	add_u64(o, "rx_packets", w->rx_packets);
	add_u64(o, "rx_bytes", w->rx_bytes);
	add_u64(o, "tx_packets", w->tx_packets);
	add_u64(o, "tx_bytes", w->tx_bytes);
	add_u64(o, "heartbeat", w->heartbeat);
	add_u64(o, "mirror_packets", w->mirrors);
	add_u64(o, "l4_csum_sampled", w->csum_sampled);
	add_u64(o, "bad_l4_csum", w->csum_bad);
	if (w->sock)
		json_object_object_add(o, "socket", xsk_json(w->sock));
	if (w->ret_sock)
		json_object_object_add(o, "return_socket",
				       xsk_json(w->ret_sock));
	drops = json_object_new_object();
	json_object_object_add(o, "drops", drops);
	returned = json_object_new_object();
	json_object_object_add(o, "returned", returned);
	mnl_attr_for_each_nested(a, w->nest) {
		if (mnl_attr_get_type(a) == PCF_A_WORKER_COUNTER &&
		    read_counter(a, &c))
			add_u64(c.kind == PCF_COUNTER_RETURN ? returned : drops,
				c.name, c.c.packets);
	}
	return o;
}

/* "    LABEL: name N, name N" of one kind's non-zero counters */
static void print_worker_counters(FILE *f, const struct worker *w, __u32 kind,
				  const char *label)
{
	const struct nlattr *a;
	struct counter c;
	bool any = false;

	mnl_attr_for_each_nested(a, w->nest) {
		if (mnl_attr_get_type(a) != PCF_A_WORKER_COUNTER ||
		    !read_counter(a, &c) || c.kind != kind || !c.c.packets)
			continue;
		fprintf(f, "%s %s %llu", any ? "," : label, c.name,
			(unsigned long long)c.c.packets);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void print_worker(FILE *f, const struct worker *w)
{
	fprintf(
	    f,
	    "  %s queue %u cpu %d %s: rx %llu packets %llu bytes, tx %llu packets %llu bytes, heartbeat %llu\n",
	    w->ifname, w->queue, w->cpu, pcf_genl_bind_mode_name(w->bind_mode),
	    (unsigned long long)w->rx_packets, (unsigned long long)w->rx_bytes,
	    (unsigned long long)w->tx_packets, (unsigned long long)w->tx_bytes,
	    (unsigned long long)w->heartbeat);
	if (w->mirrors)
		fprintf(f, "    mirror copies %llu\n",
			(unsigned long long)w->mirrors);
	print_worker_counters(f, w, PCF_COUNTER_DROP, "    drops:");
	print_worker_counters(f, w, PCF_COUNTER_RETURN, "    returned:");
	print_xsk(f, w->sock, "    socket drops:");
	print_xsk(f, w->ret_sock, "    return socket drops:");
	if (w->csum_bad)
		fprintf(f, "    bad_l4_csum %llu of %llu checked\n",
			(unsigned long long)w->csum_bad,
			(unsigned long long)w->csum_sampled);
}

/* One interface's nest, read. */
struct link {
	const char *ifname;
	__u64 v[PCF_A_LINK_MAX + 1]; /* the u64s, by attribute type */
	__u32 mtu;
};

static bool read_link(const struct nlattr *nest, struct link *ret)
{
	const struct nlattr *tb[PCF_A_LINK_MAX + 1];
	struct pcf_extack ext = {};

	if (pcf_attr_parse_nested(nest, &pcf_link_set, tb, &ext) ||
	    !tb[PCF_A_LINK_IFNAME] || !read_u64s(nest, &pcf_link_set, ret->v))
		return false;
	ret->ifname = mnl_attr_get_str(tb[PCF_A_LINK_IFNAME]);
	ret->mtu =
	    tb[PCF_A_LINK_MTU] ? mnl_attr_get_u32(tb[PCF_A_LINK_MTU]) : 0;
	return true;
}

#define for_each_link(a, tb)         \
	if ((tb)[PCF_A_STATS_LINKS]) \
		mnl_attr_for_each_nested(a, (tb)[PCF_A_STATS_LINKS])

static json_object *link_json(const struct link *l)
{
	json_object *o = json_object_new_object();
	char key[64];
	unsigned int a;

	json_object_object_add(o, "ifname", json_object_new_string(l->ifname));
	json_object_object_add(o, "mtu", json_object_new_int64(l->mtu));
	for (a = PCF_A_LINK_RX_PACKETS; a <= PCF_A_LINK_MAX; a++)
		add_u64(o,
			key_of(pcf_link_set.policy[a].name, key, sizeof(key)),
			l->v[a]);
	return o;
}

static void print_link(FILE *f, const struct link *l)
{
	fprintf(
	    f,
	    "  %s mtu %u: rx %llu packets, %llu dropped; tx %llu packets, %llu dropped\n",
	    l->ifname, l->mtu, (unsigned long long)l->v[PCF_A_LINK_RX_PACKETS],
	    (unsigned long long)l->v[PCF_A_LINK_RX_DROPPED],
	    (unsigned long long)l->v[PCF_A_LINK_TX_PACKETS],
	    (unsigned long long)l->v[PCF_A_LINK_TX_DROPPED]);
}

static void print_sessions(FILE *f, const struct nlattr *nest)
{
	__u64 v[PCF_A_SESSIONS_MAX + 1];

	if (!read_u64s(nest, &pcf_sessions_set, v))
		return;
	fprintf(
	    f,
	    "sessions:\n  %llu active of %llu, %llu created, %llu expired, %llu evicted, %llu deleted\n"
	    "  refused %llu (table full), ports exhausted %llu, races lost %llu, untracked %llu\n",
	    (unsigned long long)v[PCF_A_SESSIONS_ACTIVE],
	    (unsigned long long)v[PCF_A_SESSIONS_CAPACITY],
	    (unsigned long long)v[PCF_A_SESSIONS_CREATED],
	    (unsigned long long)v[PCF_A_SESSIONS_EXPIRED],
	    (unsigned long long)v[PCF_A_SESSIONS_EVICTED],
	    (unsigned long long)v[PCF_A_SESSIONS_DELETED],
	    (unsigned long long)v[PCF_A_SESSIONS_REFUSED],
	    (unsigned long long)v[PCF_A_SESSIONS_PORTS_EXHAUSTED],
	    (unsigned long long)v[PCF_A_SESSIONS_RACE_LOST],
	    (unsigned long long)v[PCF_A_SESSIONS_UNTRACKED]);
}

json_object *pcfctl_stats_json(const struct nlattr *const *tb)
{
	json_object *o = json_object_new_object(), *xdp, *one, *workers, *links;
	const struct nlattr *a;
	struct counter c;
	struct worker w;
	struct link l;

	xdp = json_object_new_object();
	json_object_object_add(o, "xdp", xdp);
	workers = json_object_new_array();
	json_object_object_add(o, "workers", workers);
	for_each_worker(a, tb)
	{
		if (read_worker(a, &w))
			json_object_array_add(workers, worker_json(&w));
	}
	links = json_object_new_array();
	json_object_object_add(o, "links", links);
	if (tb[PCF_A_STATS_SESSIONS])
		json_object_object_add(o, "sessions",
				       u64s_json(tb[PCF_A_STATS_SESSIONS],
						 &pcf_sessions_set,
						 PCF_A_SESSIONS_CAPACITY));
	for_each_link(a, tb)
	{
		if (read_link(a, &l))
			json_object_array_add(links, link_json(&l));
	}
	if (!tb[PCF_A_STATS_XDP])
		return o;
	mnl_attr_for_each_nested(a, tb[PCF_A_STATS_XDP]) {
		if (!read_counter(a, &c))
			continue;
		one = json_object_new_object();
		json_object_object_add(one, "packets",
				       json_object_new_uint64(c.c.packets));
		json_object_object_add(one, "bytes",
				       json_object_new_uint64(c.c.bytes));
		json_object_object_add(xdp, c.name, one);
	}
	return o;
}

void pcfctl_print_stats(const struct pcfctl_out *o,
			const struct nlattr *const *tb)
{
	const struct nlattr *a;
	struct counter c;
	struct worker w;
	struct link l;

	if (o->json) {
		json_object *obj = pcfctl_stats_json(tb);

		pcfctl_print_json(o, obj);
		json_object_put(obj);
		return;
	}
	fprintf(o->f, "xdp:\n");
	if (tb[PCF_A_STATS_XDP])
		mnl_attr_for_each_nested(a, tb[PCF_A_STATS_XDP])
			if (read_counter(a, &c))
				fprintf(o->f,
					"  %-18s packets %-12llu bytes %llu\n",
					c.name, (unsigned long long)c.c.packets,
					(unsigned long long)c.c.bytes);
	fprintf(o->f, "workers:\n");
	for_each_worker(a, tb)
	{
		if (read_worker(a, &w))
			print_worker(o->f, &w);
	}
	if (tb[PCF_A_STATS_LINKS]) {
		fprintf(o->f, "links:\n");
		for_each_link(a, tb)
		{
			if (read_link(a, &l))
				print_link(o->f, &l);
		}
	}
	if (tb[PCF_A_STATS_SESSIONS])
		print_sessions(o->f, tb[PCF_A_STATS_SESSIONS]);
}
