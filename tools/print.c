// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * print.c - pcfctl's output: rules in the words `flow add` takes (so a
 * line can be pasted back; genl's pcf_text_rule writes them), and the
 * same as JSON through json-c: rules and the stats reply as genl's
 * rule_json.h and stats_reply.h write them, as pcfd's HTTP API does.
 */
#include <stdio.h>
#include <string.h>

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
	if (!tb[PCF_A_STATS_LINKS])
		return;
	fprintf(o->f, "links:\n");
	pcf_stats_for_each_link(a, tb)
	{
		if (pcf_stats_read_link(a, &l))
			print_link(o->f, &l);
	}
}
