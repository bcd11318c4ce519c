// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * print.c - pcfctl's output: rules in the words `flow add` takes (so a
 * line can be pasted back; genl's pcf_text_rule writes them), and the
 * same as JSON through json-c: rules and the stats reply as genl's
 * rule_json.h and stats_reply.h write them, as pcfd's HTTP API does.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcfctl.h"

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

/* "    LABEL: name N, name N" of a socket's non-zero losses (-j: all) */
static void print_xsk(FILE *f, const struct nlattr *nest, const char *label)
{
	__u64 v[PCF_A_XSK_MAX + 1];
	char key[64];
	unsigned int a;
	bool any = false;

	if (!nest || !pcf_stats_read_u64s(nest, &pcf_xsk_set, v))
		return;
	for (a = PCF_A_XSK_RX_DROPPED; a <= PCF_A_XSK_MAX; a++) {
		if (!v[a] || !pcf_genl_xsk_is_loss(a))
			continue;
		fprintf(
		    f, "%s %s %llu", any ? "," : label,
		    pcf_stats_key(pcf_xsk_set.policy[a].name, key, sizeof(key)),
		    (unsigned long long)v[a]);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

/* "    LABEL: name N, name N" of one kind's non-zero counters */
static void print_worker_counters(FILE *f, const struct pcf_stats_worker *w,
				  __u32 kind, const char *label)
{
	struct pcf_stats_counter c;
	const struct nlattr *a;
	bool any = false;

	mnl_attr_for_each_nested(a, w->nest) {
		if (mnl_attr_get_type(a) != PCF_A_WORKER_COUNTER ||
		    !pcf_stats_read_counter(a, &c) || c.kind != kind ||
		    !c.c.packets)
			continue;
		fprintf(f, "%s %s %llu", any ? "," : label, c.name,
			(unsigned long long)c.c.packets);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void print_worker(FILE *f, const struct pcf_stats_worker *w)
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

static void print_link(FILE *f, const struct pcf_stats_link *l)
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

	if (!pcf_stats_read_u64s(nest, &pcf_sessions_set, v))
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

void pcfctl_print_stats(const struct pcfctl_out *o,
			const struct nlattr *const *tb)
{
	struct pcf_stats_counter c;
	struct pcf_stats_worker w;
	struct pcf_stats_link l;
	const struct nlattr *a;

	if (o->json) {
		json_object *obj = pcf_stats_json(tb);

		pcfctl_print_json(o, obj);
		json_object_put(obj);
		return;
	}
	fprintf(o->f, "xdp:\n");
	if (tb[PCF_A_STATS_XDP])
		mnl_attr_for_each_nested(a, tb[PCF_A_STATS_XDP])
			if (pcf_stats_read_counter(a, &c))
				fprintf(o->f,
					"  %-18s packets %-12llu bytes %llu\n",
					c.name, (unsigned long long)c.c.packets,
					(unsigned long long)c.c.bytes);
	fprintf(o->f, "workers:\n");
	pcf_stats_for_each_worker(a, tb)
	{
		if (pcf_stats_read_worker(a, &w))
			print_worker(o->f, &w);
	}
	if (tb[PCF_A_STATS_LINKS]) {
		fprintf(o->f, "links:\n");
		pcf_stats_for_each_link(a, tb)
		{
			if (pcf_stats_read_link(a, &l))
				print_link(o->f, &l);
		}
	}
	if (tb[PCF_A_STATS_SESSIONS])
		print_sessions(o->f, tb[PCF_A_STATS_SESSIONS]);
}
