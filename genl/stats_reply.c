// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats_reply.c - a STATS_GET reply read, and as JSON (stats_reply.h).
 */
#include <string.h>

#include "stats_reply.h"

bool pcf_stats_read_counter(const struct nlattr *nest,
			    struct pcf_stats_counter *ret)
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

static __u64 get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

bool pcf_stats_read_worker(const struct nlattr *nest,
			   struct pcf_stats_worker *ret)
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

const char *pcf_stats_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	return buf;
}

bool pcf_stats_read_u64s(const struct nlattr *nest,
			 const struct pcf_attr_set *set, __u64 *ret)
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

bool pcf_stats_read_link(const struct nlattr *nest, struct pcf_stats_link *ret)
{
	const struct nlattr *tb[PCF_A_LINK_MAX + 1];
	struct pcf_extack ext = {};

	if (pcf_attr_parse_nested(nest, &pcf_link_set, tb, &ext) ||
	    !tb[PCF_A_LINK_IFNAME] ||
	    !pcf_stats_read_u64s(nest, &pcf_link_set, ret->v))
		return false;
	ret->ifname = mnl_attr_get_str(tb[PCF_A_LINK_IFNAME]);
	ret->mtu =
	    tb[PCF_A_LINK_MTU] ? mnl_attr_get_u32(tb[PCF_A_LINK_MTU]) : 0;
	return true;
}

/* ---- as JSON ---- */

static void add_u64(json_object *o, const char *key, __u64 v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
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

	if (!pcf_stats_read_u64s(nest, set, v))
		return o;
	for (a = first; a <= set->max; a++)
		add_u64(o, pcf_stats_key(set->policy[a].name, key, sizeof(key)),
			v[a]);
	return o;
}

/* A socket's counters as a JSON object, all of them. */
static json_object *xsk_json(const struct nlattr *nest)
{
	return u64s_json(nest, &pcf_xsk_set, PCF_A_XSK_RX_DROPPED);
}

static json_object *worker_json(const struct pcf_stats_worker *w)
{
	json_object *o = json_object_new_object(), *drops, *returned;
	struct pcf_stats_counter c;
	const struct nlattr *a;

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
		    pcf_stats_read_counter(a, &c))
			add_u64(c.kind == PCF_COUNTER_RETURN ? returned : drops,
				c.name, c.c.packets);
	}
	return o;
}

static json_object *link_json(const struct pcf_stats_link *l)
{
	json_object *o = json_object_new_object();
	char key[64];
	unsigned int a;

	json_object_object_add(o, "ifname", json_object_new_string(l->ifname));
	json_object_object_add(o, "mtu", json_object_new_int64(l->mtu));
	for (a = PCF_A_LINK_RX_PACKETS; a <= PCF_A_LINK_MAX; a++)
		add_u64(o,
			pcf_stats_key(pcf_link_set.policy[a].name, key,
				      sizeof(key)),
			l->v[a]);
	return o;
}

json_object *pcf_stats_json(const struct nlattr *const *tb)
{
	json_object *o = json_object_new_object(), *xdp, *one, *workers, *links;
	struct pcf_stats_counter c;
	struct pcf_stats_worker w;
	struct pcf_stats_link l;
	const struct nlattr *a;

	if (!o)
		return NULL;
	xdp = json_object_new_object();
	json_object_object_add(o, "xdp", xdp);
	workers = json_object_new_array();
	json_object_object_add(o, "workers", workers);
	pcf_stats_for_each_worker(a, tb)
	{
		if (pcf_stats_read_worker(a, &w))
			json_object_array_add(workers, worker_json(&w));
	}
	links = json_object_new_array();
	json_object_object_add(o, "links", links);
	pcf_stats_for_each_link(a, tb)
	{
		if (pcf_stats_read_link(a, &l))
			json_object_array_add(links, link_json(&l));
	}
	if (tb[PCF_A_STATS_SESSIONS])
		json_object_object_add(o, "sessions",
				       u64s_json(tb[PCF_A_STATS_SESSIONS],
						 &pcf_sessions_set,
						 PCF_A_SESSIONS_CAPACITY));
	if (!tb[PCF_A_STATS_XDP])
		return o;
	mnl_attr_for_each_nested(a, tb[PCF_A_STATS_XDP]) {
		if (!pcf_stats_read_counter(a, &c))
			continue;
		one = json_object_new_object();
		add_u64(one, "packets", c.c.packets);
		add_u64(one, "bytes", c.c.bytes);
		json_object_object_add(xdp, c.name, one);
	}
	return o;
}
