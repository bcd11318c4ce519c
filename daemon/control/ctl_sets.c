// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_sets.c - the set commands' work (issue 13): pcfd's resolver of set
 * names, the rules using a set, a load's switch and a set as messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_sets.h"
#include "loader.h"
#include "mem.h"

int ctl_sets_init(struct pcf_ctl_sets *cs, struct pcf_table *t,
		  struct pcf_dp *dp)
{
	int err;

	memset(cs, 0, sizeof(*cs));
	cs->table = t;
	cs->dp = dp;
	cs->sets = dp ? pcf_dp_sets(dp) : NULL;
	if (!cs->sets) {
		err = pcf_mem_new(&cs->mem);
		if (!err)
			err =
			    pcf_sets_new(pcf_mem_set_ops(), cs->mem, &cs->sets);
		if (err) {
			pcf_mem_free(cs->mem);
			return err;
		}
	}
	pcf_sets_resolver(cs->sets, &cs->resolver);
	pcf_set_resolver_use(&cs->resolver);
	return 0;
}

void ctl_sets_fini(struct pcf_ctl_sets *cs)
{
	pcf_set_resolver_use(NULL);
	if (cs->mem) {
		pcf_sets_free(cs->sets);
		pcf_mem_free(cs->mem);
	}
}

struct users {
	int idx;
	unsigned int n;
	char *ids;
	size_t len, used;
	const struct pcf_dp *dp; /* NULL: no counters summed */
	struct pcf_counter sum;
};

static int count_user(const struct pcf_rule *r, __u32 slot, void *arg)
{
	struct users *u = arg;
	int w;

	if (r->mask.src_set != u->idx && r->mask.dst_set != u->idx)
		return 0;
	if (u->dp) {
		struct pcf_counter c = {}, wc;

		pcf_dp_rule_counters(u->dp, r->ctr, &c, &wc);
		u->sum.packets += c.packets;
		u->sum.bytes += c.bytes;
	}
	if (u->n < 8 && u->used < u->len) {
		w = snprintf(u->ids + u->used, u->len - u->used, "%sid %u",
			     u->n ? ", " : "", r->id);
		u->used += w > 0 ? (size_t)w : 0;
	} else if (u->n == 8 && u->used < u->len) {
		snprintf(u->ids + u->used, u->len - u->used, ", ...");
		u->used = u->len;
	}
	u->n++;
	return 0;
}

unsigned int ctl_sets_users(const struct pcf_ctl_sets *cs, int idx, char *ids,
			    size_t len)
{
	struct users u = { idx, 0, ids, len, 0, NULL, {} };

	if (len)
		ids[0] = 0;
	pcf_table_foreach(cs->table, 1, count_user, &u);
	return u.n;
}

void ctl_sets_counter(const struct pcf_ctl_sets *cs, int idx,
		      struct pcf_counter *ret)
{
	struct users u = { idx, 0, NULL, 0, 0, cs->dp, {} };

	pcf_table_foreach(cs->table, 1, count_user, &u);
	*ret = u.sum;
}

int ctl_sets_commit(struct pcf_ctl_sets *cs, int idx, struct pcf_sets_err *err)
{
	return pcf_sets_load_switch(cs->sets, cs->table, idx, err);
}

const struct pcf_set_elem *ctl_sets_elems(const struct nlattr *a, size_t *n)
{
	*n = a ? mnl_attr_get_payload_len(a) / sizeof(struct pcf_set_elem) : 0;
	return a ? mnl_attr_get_payload(a) : NULL;
}

struct part {
	struct pcf_set_elem e[PCF_SET_ELEMS_PER_PART];
	size_t n;
};

static int header(struct pcf_ctl_sets *cs, int idx, struct nlmsghdr *nlh,
		  size_t size)
{
	struct pcf_set_info in;
	struct pcf_counter c;
	struct nlattr *nest;

	if (!pcf_sets_info(cs->sets, idx, &in))
		return 0;
	ctl_sets_counter(cs, idx, &c);
	nest = mnl_attr_nest_start_check(nlh, size, PCF_A_SET);
	if (!nest ||
	    !mnl_attr_put_strz_check(nlh, size, PCF_A_SET_NAME, in.name) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SET_FAMILY, in.family) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SET_COUNT, in.count) ||
	    !mnl_attr_put_u32_check(nlh, size, PCF_A_SET_RULES,
				    ctl_sets_users(cs, idx, NULL, 0)) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_SET_PACKETS, c.packets) ||
	    !mnl_attr_put_u64_check(nlh, size, PCF_A_SET_BYTES, c.bytes))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

/* The next set from c->idx on (0: none). */
static int next_set(struct pcf_ctl_sets *cs, int from)
{
	struct pcf_set_info in;
	int i;

	for (i = from; i <= PCF_MAX_SETS; i++)
		if (pcf_sets_info(cs->sets, i, &in))
			return i;
	return 0;
}

size_t ctl_sets_part(struct pcf_ctl_sets *cs, struct ctl_sets_cursor *c,
		     void *buf, size_t size, __u16 flags, __u32 seq)
{
	static struct part p; /* 14 KiB: not on the stack */
	char *pos = buf, *end = (char *)buf + size;
	const size_t most = NLMSG_HDRLEN + GENL_HDRLEN + 64 +
			    PCF_SET_ELEMS_PER_PART * sizeof(p.e[0]);
	struct pcf_set_info in;
	struct nlmsghdr *nlh;

	if (!c->idx)
		c->idx = next_set(cs, 1);
	while (!c->done && (size_t)(end - pos) >= most) {
		if (!c->idx || !pcf_sets_info(cs->sets, c->idx, &in)) {
			c->done = true;
			break;
		}
		nlh = pcf_msg_start(pos, PCF_CMD_SET_GET, flags, seq);
		if (!c->header) {
			if (header(cs, c->idx, nlh, end - pos))
				break;
			c->header = true;
		} else {
			p.n = pcf_sets_walk(cs->sets, c->idx, &c->pos, p.e,
					    PCF_SET_ELEMS_PER_PART);
			if (!p.n) {
				c->header = false;
				c->pos = 0;
				c->idx = c->one ? 0 : next_set(cs, c->idx + 1);
				continue;
			}
			if (pcf_set_put(nlh, end - pos, in.name, p.e, p.n))
				break;
		}
		pos += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return pos - (char *)buf;
}
