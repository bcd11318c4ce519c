// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rule_maps.c - the rule table's backend on pcf_steer's pinned maps.
 *
 * Slots and the table state are written through their mmaps: a slot is
 * copied whole while nothing leads to it (the syscall that then makes it
 * reachable orders the copy before it), flags and state fields are
 * single aligned stores.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "grace.h"
#include "rule_maps.h"

static int sys_err(void)
{
	return -errno;
}

static __u64 put_flags(int flags)
{
	switch (flags) {
	case PCF_PUT_NOEXIST:
		return BPF_NOEXIST;
	case PCF_PUT_EXIST:
		return BPF_EXIST;
	default:
		return BPF_ANY;
	}
}

static int slot_write(void *ctx, __u32 slot, const struct pcf_rule *r)
{
	struct pcf_rule_maps *m = ctx;

	if (slot >= PCF_RULE_SLOTS)
		return -EINVAL;
	memcpy(&m->slots[slot], r, sizeof(*r));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return 0;
}

static int slot_flags(void *ctx, __u32 slot, __u32 flags)
{
	struct pcf_rule_maps *m = ctx;

	if (slot >= PCF_RULE_SLOTS)
		return -EINVAL;
	__atomic_store_n(&m->slots[slot].flags, flags, __ATOMIC_RELEASE);
	return 0;
}

static int flow4_put(void *ctx, const struct pcf_key4 *k,
		     const struct pcf_flow *f, int flags)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_update_elem(m->flows4_fd, k, f, put_flags(flags))
		   ? sys_err()
		   : 0;
}

static int flow4_del(void *ctx, const struct pcf_key4 *k)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_delete_elem(m->flows4_fd, k) ? sys_err() : 0;
}

static int flow4_get(void *ctx, const struct pcf_key4 *k, struct pcf_flow *ret)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_lookup_elem(m->flows4_fd, k, ret) ? sys_err() : 0;
}

/* Every entry of a hash map: keys first, so cb may change the map. */
static int each(int fd, size_t key_size,
		int (*cb)(void *arg, const void *key, const struct pcf_flow *f),
		void *arg)
{
	__u8 key[sizeof(struct pcf_lookup_key)], next[sizeof(key)];
	struct pcf_flow f;
	void *prev = NULL;
	int err;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, &f))
			continue; /* gone meanwhile */
		err = cb(arg, key, &f);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : sys_err();
}

struct each_arg {
	pcf_flow4_cb cb4;
	pcf_flow6_cb cb6;
	void *arg;
};

static int each4(void *arg, const void *key, const struct pcf_flow *f)
{
	struct each_arg *e = arg;

	return e->cb4(e->arg, key, f);
}

static int each6(void *arg, const void *key, const struct pcf_flow *f)
{
	struct each_arg *e = arg;

	return e->cb6(e->arg, key, f);
}

static int flow4_each(void *ctx, pcf_flow4_cb cb, void *arg)
{
	struct pcf_rule_maps *m = ctx;
	struct each_arg e = { .cb4 = cb, .arg = arg };

	return each(m->flows4_fd, sizeof(struct pcf_key4), each4, &e);
}

static int flow6_put(void *ctx, const struct pcf_lookup_key *k,
		     const struct pcf_flow *f, int flags)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_update_elem(m->flows6_fd, k, f, put_flags(flags))
		   ? sys_err()
		   : 0;
}

static int flow6_del(void *ctx, const struct pcf_lookup_key *k)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_delete_elem(m->flows6_fd, k) ? sys_err() : 0;
}

static int flow6_get(void *ctx, const struct pcf_lookup_key *k,
		     struct pcf_flow *ret)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_lookup_elem(m->flows6_fd, k, ret) ? sys_err() : 0;
}

static int flow6_each(void *ctx, pcf_flow6_cb cb, void *arg)
{
	struct pcf_rule_maps *m = ctx;
	struct each_arg e = { .cb6 = cb, .arg = arg };

	return each(m->flows6_fd, sizeof(struct pcf_lookup_key), each6, &e);
}

static int filter_write(void *ctx, __u32 word, __u64 bits)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_update_elem(m->filter_fd, &word, &bits, BPF_ANY)
		   ? sys_err()
		   : 0;
}

static int masks_write(void *ctx, __u32 buf, const struct pcf_mask_table *t)
{
	struct pcf_rule_maps *m = ctx;

	return bpf_map_update_elem(m->masks_fd, &buf, t, BPF_ANY) ? sys_err()
								  : 0;
}

static void masks_switch(void *ctx, __u32 buf)
{
	struct pcf_rule_maps *m = ctx;

	__atomic_store_n(&m->state->mask_buf, buf, __ATOMIC_RELEASE);
}

static __u32 masks_current(void *ctx)
{
	struct pcf_rule_maps *m = ctx;

	return __atomic_load_n(&m->state->mask_buf, __ATOMIC_ACQUIRE);
}

/* VXLAN (issue 13): whether pcf_steer looks into packets */
static void rule_kinds(void *ctx, __u32 encap, __u32 outer)
{
	struct pcf_rule_maps *m = ctx;

	if (m->state->encap_rules != encap)
		__atomic_store_n(&m->state->encap_rules, encap,
				 __ATOMIC_RELEASE);
	if (m->state->outer_rules != outer)
		__atomic_store_n(&m->state->outer_rules, outer,
				 __ATOMIC_RELEASE);
}

static void gen_bump(void *ctx)
{
	struct pcf_rule_maps *m = ctx;

	/* pcfd is the only writer */
	__atomic_store_n(&m->state->gen, m->state->gen + 1, __ATOMIC_RELEASE);
}

struct pcf_counter pcf_rows_sum(const struct pcf_counter *rows,
				unsigned int nrows, __u32 ctr)
{
	struct pcf_counter sum = {};
	unsigned int row;

	/* plain u64s others write: torn reads are not possible on the
	 * 64-bit machines pcf runs on */
	for (row = 0; row < nrows; row++) {
		const struct pcf_counter *c = &rows[row * PCF_RULE_SLOTS + ctr];

		sum.packets += __atomic_load_n(&c->packets, __ATOMIC_RELAXED);
		sum.bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
	}
	return sum;
}

static void rows_zero(struct pcf_counter *rows, unsigned int nrows, __u32 ctr)
{
	unsigned int row;

	for (row = 0; row < nrows; row++) {
		struct pcf_counter *c = &rows[row * PCF_RULE_SLOTS + ctr];

		__atomic_store_n(&c->packets, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->bytes, 0, __ATOMIC_RELAXED);
	}
}

static int ctr_reset(void *ctx, __u32 ctr)
{
	struct pcf_rule_maps *m = ctx;

	if (ctr >= PCF_RULE_SLOTS)
		return -EINVAL;
	rows_zero(m->xctr, m->ncpus, ctr);
	rows_zero(m->wctr, m->wrows, ctr);
	return 0;
}

static __u64 grace_start(void *ctx)
{
	return pcf_grace_start(((struct pcf_rule_maps *)ctx)->grace);
}

static bool grace_done(void *ctx, __u64 ticket)
{
	return pcf_grace_done(((struct pcf_rule_maps *)ctx)->grace, ticket);
}

static int grace_wait(void *ctx, __u64 ticket)
{
	return pcf_grace_wait(((struct pcf_rule_maps *)ctx)->grace, ticket);
}

static const struct pcf_table_ops maps_ops = {
	.slot_write = slot_write,
	.slot_flags = slot_flags,
	.flow4_put = flow4_put,
	.flow4_del = flow4_del,
	.flow4_get = flow4_get,
	.flow4_each = flow4_each,
	.flow6_put = flow6_put,
	.flow6_del = flow6_del,
	.flow6_get = flow6_get,
	.flow6_each = flow6_each,
	.filter_write = filter_write,
	.masks_write = masks_write,
	.masks_switch = masks_switch,
	.masks_current = masks_current,
	.gen_bump = gen_bump,
	.rule_kinds = rule_kinds,
	.ctr_reset = ctr_reset,
	.grace_start = grace_start,
	.grace_done = grace_done,
	.grace_wait = grace_wait,
};

void pcf_rule_maps_backend(struct pcf_rule_maps *maps,
			   struct pcf_table_backend *ret)
{
	ret->ops = &maps_ops;
	ret->ctx = maps;
	ret->slots = maps->slots;
}
