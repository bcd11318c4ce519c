// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rules.c - the flow rule table: slots in pcf_rules, hash entries in
 * pcf_flows4 (IPv4, with its filter pcf_filter4) and pcf_flows (IPv6), the
 * priority-ordered mask list (tuple-space search), and the generation that
 * tells the steering programs' flow caches when to forget.
 * See rules.h for the ordering guarantees.
 */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rules.h"
#include "pcf_steer.skel.h"

struct id_ref {
	__u32 id;
	__u32 slot;
};

static int id_cmp(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int rules_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_rules);
}

static int flows_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_flows);
}

static int flows4_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_flows4);
}

static int filter4_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_filter4);
}

/*
 * After every change of the table, done or failed (its steps were
 * visible): move the generation on, so the flow caches of the steering
 * programs forget every result they hold.  An update of an array's first
 * element cannot fail short of EFAULT.
 */
static void forget_results(struct pcf_dp *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.pcf_gen);
	__u32 zero = 0;
	__u64 gen = 0;

	bpf_map_lookup_elem(fd, &zero, &gen);
	gen++;
	bpf_map_update_elem(fd, &zero, &gen, BPF_ANY);
}

static int rule_stats_fd(const struct pcf_dp *dp)
{
	return bpf_map__fd(dp->skel->maps.pcf_rule_stats);
}

int pcf_mask_prefix_len(const __u8 *mask, unsigned int addr_len)
{
	unsigned int i, len = 0;
	bool ended = false;
	int b;

	for (i = 0; i < addr_len; i++) {
		for (b = 7; b >= 0; b--) {
			bool one = mask[i] & (1U << b);

			if (one && ended)
				return -1;
			if (one)
				len++;
			else
				ended = true;
		}
	}
	return len;
}

static bool all_zero(const void *p, size_t len)
{
	const __u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static bool ports_allowed(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static int validate_match(const struct pcf_key *k, const struct pcf_key *m,
			  const char **why)
{
	unsigned int alen = k->family == 6 ? 16 : 4;

	if (m->family && (m->family != 0xff ||
			  (k->family != 4 && k->family != 6)))
		return *why = "address family must be IPv4 or IPv6", -EINVAL;
	if (!m->family && !(all_zero(m->src, 16) && all_zero(m->dst, 16)))
		return *why = "an address match needs its family", -EINVAL;
	if (pcf_mask_prefix_len(m->src, 16) < 0 ||
	    pcf_mask_prefix_len(m->dst, 16) < 0 ||
	    !all_zero(m->src + alen, 16 - alen) ||
	    !all_zero(m->dst + alen, 16 - alen))
		return *why = "address masks must be prefixes", -EINVAL;
	if ((m->sport && m->sport != 0xffff) ||
	    (m->dport && m->dport != 0xffff))
		return *why = "ports match exactly or not at all", -EINVAL;
	if (m->proto && m->proto != 0xff)
		return *why = "protocol matches exactly or not at all", -EINVAL;
	if (m->ifindex && m->ifindex != 0xffffffff)
		return *why = "ingress interface matches exactly", -EINVAL;
	if ((m->sport || m->dport) && (!m->proto || !ports_allowed(k->proto)))
		return *why = "ports need proto tcp, udp, icmp or icmpv6",
		       -EINVAL;
	if (m->proto && m->family &&
	    ((k->proto == IPPROTO_ICMP && k->family == 6) ||
	     (k->proto == IPPROTO_ICMPV6 && k->family == 4)))
		return *why = "icmp is for IPv4 and icmpv6 for IPv6", -EINVAL;
	return 0;
}

static int validate_nat(const struct pcf_nat *nat, const struct pcf_key *k,
			const struct pcf_key *m, const char **why)
{
	if (nat->family != 4 && nat->family != 6)
		return *why = "NAT address must be IPv4 or IPv6", -EINVAL;
	if (!m->family || k->family != nat->family)
		return *why = "NAT address family must match the rule's src or dst",
		       -EINVAL;
	if (nat->port && (!m->proto || (k->proto != IPPROTO_TCP &&
					k->proto != IPPROTO_UDP)))
		return *why = "NAT of a port needs proto tcp or udp", -EINVAL;
	return 0;
}

int pcf_rule_validate(const struct pcf_rule *spec, const char **ret_why)
{
	const struct pcf_action *a = &spec->action;
	const __u16 pipeline = PCF_ACT_SNAT | PCF_ACT_DNAT | PCF_ACT_MARK |
			       PCF_ACT_MIRROR | PCF_ACT_QUEUE;
	const char *why = NULL;
	int err;

	err = validate_match(&spec->key, &spec->mask, &why);
	if (err)
		goto out;
	err = -EINVAL;
	if (spec->prio > PCF_PRIO_MAX) {
		why = "prio must be 0..65535";
		goto out;
	}
	if (a->verdict >= PCF_VERDICT_MAX) {
		why = "unknown action";
		goto out;
	}
	if (a->flags & ~(pipeline | PCF_ACT_TTL | PCF_ACT_DF_CLEAR)) {
		why = "unknown action flags";
		goto out;
	}
	if (a->egress >= PCF_EGRESS_MAX) {
		why = "unknown egress";
		goto out;
	}
	if (a->verdict == PCF_VERDICT_DROP &&
	    (a->flags || a->egress != PCF_EGRESS_DEFAULT)) {
		why = "a dropped packet cannot be rewritten, marked, mirrored or sent anywhere";
		goto out;
	}
	if (a->verdict == PCF_VERDICT_PASS &&
	    ((a->flags & pipeline) || a->egress != PCF_EGRESS_DEFAULT)) {
		why = "snat, dnat, mark, mirror, egress and queue run in the worker pipeline: they need action redirect";
		goto out;
	}
	if ((a->flags & PCF_ACT_TTL) && !a->ttl_delta) {
		why = "ttl-delta must not be 0";
		goto out;
	}
	if ((a->flags & PCF_ACT_MIRROR) && !a->mirror_ifindex) {
		why = "mirror needs an interface";
		goto out;
	}
	if ((a->flags & PCF_ACT_DF_CLEAR) && spec->key.family != 4) {
		why = "df-clear is for IPv4 rules (give an IPv4 src or dst)";
		goto out;
	}
	if ((a->flags & PCF_ACT_SNAT) &&
	    validate_nat(&a->snat, &spec->key, &spec->mask, &why))
		goto out;
	if ((a->flags & PCF_ACT_DNAT) &&
	    validate_nat(&a->dnat, &spec->key, &spec->mask, &why))
		goto out;
	err = 0;
out:
	if (ret_why)
		*ret_why = why;
	return err;
}

static void mask_key(struct pcf_key *k, const struct pcf_key *m)
{
	__u8 *kb = (__u8 *)k;
	const __u8 *mb = (const __u8 *)m;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		kb[i] &= mb[i];
}

static int find_mask(const struct pcf_dp *dp, const struct pcf_key *mask)
{
	int i;

	for (i = 0; i < PCF_MAX_MASKS; i++)
		if (dp->masks[i].used &&
		    !memcmp(&dp->masks[i].mask, mask, sizeof(*mask)))
			return i;
	return -1;
}

static int alloc_mask(const struct pcf_dp *dp)
{
	int i;

	for (i = 0; i < PCF_MAX_MASKS; i++)
		if (!dp->masks[i].used)
			return i;
	return -ENOSPC;
}

static int alloc_slot(struct pcf_dp *dp)
{
	__u32 i, slot;

	/* round robin: a freed slot is reused as late as possible */
	for (i = 0; i < PCF_MAX_RULES; i++) {
		slot = (dp->next_slot + i) % PCF_MAX_RULES;
		if (!(dp->rules[slot].flags & PCF_RULE_USED)) {
			dp->next_slot = (slot + 1) % PCF_MAX_RULES;
			return slot;
		}
	}
	return -ENOSPC;
}

static int rank_cmp(const void *a, const void *b)
{
	const struct pcf_mask *x = a, *y = b;

	return x->best_rank < y->best_rank ? -1 : x->best_rank > y->best_rank;
}

/* Build the mask list from the cache and swap it in as a whole. */
static int publish_masks(struct pcf_dp *dp)
{
	struct pcf_mask_table tbl = {};
	int outer = bpf_map__fd(dp->skel->maps.pcf_mask_outer);
	__u32 zero = 0;
	int i, fd, err = 0;

	for (i = 0; i < PCF_MAX_MASKS; i++) {
		if (!dp->masks[i].used)
			continue;
		tbl.masks[tbl.count].mask = dp->masks[i].mask;
		tbl.masks[tbl.count].mask_id = i;
		tbl.masks[tbl.count].best_rank = dp->masks[i].best_rank;
		tbl.count++;
	}
	qsort(tbl.masks, tbl.count, sizeof(tbl.masks[0]), rank_cmp);

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pcf_masks", sizeof(__u32),
			    sizeof(tbl), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, &tbl, BPF_ANY) ||
	    bpf_map_update_elem(outer, &zero, &fd, BPF_ANY))
		err = -errno;
	close(fd); /* the outer map holds the reference */
	return err;
}

static int write_slot(struct pcf_dp *dp, __u32 slot, const struct pcf_rule *r)
{
	return bpf_map_update_elem(rules_fd(dp), &slot, r, BPF_ANY) ? -errno
								    : 0;
}

static void clear_slot(struct pcf_dp *dp, __u32 slot)
{
	struct pcf_rule zero = {};

	write_slot(dp, slot, &zero);
}

static int set_counters(struct pcf_dp *dp, __u32 slot,
			const struct pcf_counter *vals)
{
	return bpf_map_update_elem(rule_stats_fd(dp), &slot, vals, BPF_ANY) ?
		       -errno :
		       0;
}

/*
 * Where a rule's hash entries live: IPv4 packets search pcf_flows4 (compact
 * key), IPv6 packets pcf_flows (whole key); a rule whose mask has no family
 * matches both, so it has an entry in each.
 */
static bool in_flows4(const struct pcf_rule *r)
{
	return !r->mask.family || r->key.family == 4;
}

static bool in_flows6(const struct pcf_rule *r)
{
	return !r->mask.family || r->key.family == 6;
}

static void lookup_key(const struct pcf_rule *r, struct pcf_lookup_key *lk)
{
	memset(lk, 0, sizeof(*lk));
	lk->key = r->key;
	lk->mask_id = r->mask_id;
}

static void lookup_key4(const struct pcf_rule *r, struct pcf_key4 *k4)
{
	memset(k4, 0, sizeof(*k4));
	pcf_key4_of(k4, &r->key);
	k4->mask_id = r->mask_id;
}

#define FILTER4_NBITS (PCF_MAX_MASKS * PCF_FILTER_BITS)

/* Index of the pcf_filter4 bit (and its reference count) of k4. */
static __u32 filter4_bit(const struct pcf_key4 *k4)
{
	return k4->mask_id * PCF_FILTER_BITS + pcf_filter_hash4(k4);
}

static __u64 filter4_word(const struct pcf_dp *dp, __u32 word)
{
	__u64 bits = 0;
	__u32 i;

	for (i = 0; i < 64; i++)
		if (dp->filter4_refs[word * 64 + i])
			bits |= 1ULL << i;
	return bits;
}

/* Write the word holding bit as the reference counts say. */
static int filter4_sync(struct pcf_dp *dp, __u32 bit)
{
	__u32 word = bit / 64;
	__u64 bits = filter4_word(dp, word);

	return bpf_map_update_elem(filter4_fd(dp), &word, &bits, BPF_ANY) ?
		       -errno :
		       0;
}

/* One more entry behind k4's bit: the bit is set before the entry exists. */
static int filter4_get(struct pcf_dp *dp, const struct pcf_key4 *k4)
{
	__u32 bit = filter4_bit(k4);
	int err;

	if (dp->filter4_refs[bit]++)
		return 0;
	err = filter4_sync(dp, bit);
	if (err)
		dp->filter4_refs[bit]--;
	return err;
}

/*
 * One entry less, after it is gone.  A failure leaves the bit set: a
 * lookup more, never a wrong answer.
 */
static void filter4_put(struct pcf_dp *dp, const struct pcf_key4 *k4)
{
	__u32 bit = filter4_bit(k4);

	if (dp->filter4_refs[bit] && !--dp->filter4_refs[bit])
		filter4_sync(dp, bit);
}

/* Write the whole filter from the reference counts (pcf_rules_load). */
static int filter4_publish(struct pcf_dp *dp)
{
	const __u32 nwords = FILTER4_NBITS / 64;
	__u32 *keys = malloc(nwords * sizeof(*keys)), n = nwords, w;
	__u64 *vals = malloc(nwords * sizeof(*vals));
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (w = 0; w < nwords; w++) {
		keys[w] = w;
		vals[w] = filter4_word(dp, w);
	}
	if (bpf_map_update_batch(filter4_fd(dp), keys, vals, &n, NULL))
		err = -errno;
out:
	free(keys);
	free(vals);
	return err;
}

static int update_err(void)
{
	return errno == E2BIG ? -ENOSPC : -errno; /* E2BIG: the hash is full */
}

static int flow4_write(struct pcf_dp *dp, const struct pcf_rule *r,
		       __u32 slot, __u64 flags)
{
	struct pcf_flow f = { .rank = pcf_rank(r->prio, r->id), .slot = slot };
	struct pcf_key4 k4;

	lookup_key4(r, &k4);
	return bpf_map_update_elem(flows4_fd(dp), &k4, &f, flags) ? update_err()
								   : 0;
}

/*
 * Make r's entries lead to slot: new entries (prev_slot NULL, -EEXIST if
 * one is there), or entries that led to *prev_slot (replace, -ENOENT if
 * one is missing).  All or nothing: a failure leaves the entries as they
 * were.
 */
static int flows_write(struct pcf_dp *dp, const struct pcf_rule *r,
		       __u32 slot, const __u32 *prev_slot)
{
	__u64 flags = prev_slot ? BPF_EXIST : BPF_NOEXIST;
	bool new4 = in_flows4(r) && !prev_slot;
	struct pcf_lookup_key lk;
	struct pcf_key4 k4;
	int err;

	lookup_key(r, &lk);
	lookup_key4(r, &k4);
	if (new4) {
		err = filter4_get(dp, &k4);
		if (err)
			return err;
	}
	if (in_flows6(r) &&
	    bpf_map_update_elem(flows_fd(dp), &lk, &slot, flags)) {
		err = update_err();
		goto fail;
	}
	if (!in_flows4(r))
		return 0;
	err = flow4_write(dp, r, slot, flags);
	if (err && in_flows6(r)) {
		if (prev_slot)
			bpf_map_update_elem(flows_fd(dp), &lk, prev_slot,
					    BPF_EXIST);
		else
			bpf_map_delete_elem(flows_fd(dp), &lk);
	}
	if (!err)
		return 0;
fail:
	if (new4)
		filter4_put(dp, &k4);
	return err;
}

/* Remove r's entries; an entry already gone is no error. */
static int flows_delete(struct pcf_dp *dp, const struct pcf_rule *r)
{
	struct pcf_lookup_key lk;
	struct pcf_key4 k4;
	int err = 0;

	lookup_key(r, &lk);
	lookup_key4(r, &k4);
	if (in_flows4(r)) {
		if (!bpf_map_delete_elem(flows4_fd(dp), &k4))
			filter4_put(dp, &k4);
		else if (errno != ENOENT)
			err = -errno;
	}
	if (in_flows6(r) && bpf_map_delete_elem(flows_fd(dp), &lk) &&
	    errno != ENOENT)
		err = -errno;
	return err;
}

/* The slot r's entries lead to; -ENOENT if none. */
static int flows_find(const struct pcf_dp *dp, const struct pcf_rule *r,
		      __u32 *ret_slot)
{
	struct pcf_lookup_key lk;
	struct pcf_flow f;
	struct pcf_key4 k4;

	if (in_flows4(r)) {
		lookup_key4(r, &k4);
		if (bpf_map_lookup_elem(flows4_fd(dp), &k4, &f))
			return -ENOENT;
		*ret_slot = f.slot;
		return 0;
	}
	lookup_key(r, &lk);
	if (bpf_map_lookup_elem(flows_fd(dp), &lk, ret_slot))
		return -ENOENT;
	return 0;
}

static int tree_add(struct pcf_dp *dp, __u32 id, __u32 slot)
{
	struct id_ref *ref = malloc(sizeof(*ref)), **found;

	if (!ref)
		return -ENOMEM;
	ref->id = id;
	ref->slot = slot;
	found = tsearch(ref, &dp->by_id, id_cmp);
	if (!found) {
		free(ref);
		return -ENOMEM;
	}
	if (*found != ref) { /* same id: update in place */
		(*found)->slot = slot;
		free(ref);
	}
	return 0;
}

static struct id_ref *tree_find(const struct pcf_dp *dp, __u32 id)
{
	struct id_ref key = { .id = id }, **found;

	found = tfind(&key, &dp->by_id, id_cmp);
	return found ? *found : NULL;
}

static void tree_del(struct pcf_dp *dp, __u32 id)
{
	struct id_ref *ref = tree_find(dp, id);

	if (ref) {
		tdelete(ref, &dp->by_id, id_cmp);
		free(ref);
	}
}

/* Lowest rank among the rules under mask_id, skipping slot skip. */
static __u64 mask_best_rank(const struct pcf_dp *dp, __u32 mask_id,
			    __u32 skip)
{
	__u64 best = ~0ULL, rank;
	__u32 s;

	for (s = 0; s < PCF_MAX_RULES; s++) {
		const struct pcf_rule *r = &dp->rules[s];

		if (s == skip || !(r->flags & PCF_RULE_USED) ||
		    r->mask_id != mask_id)
			continue;
		rank = pcf_rank(r->prio, r->id);
		if (rank < best)
			best = rank;
	}
	return best;
}

static int find_match(const struct pcf_dp *dp, const struct pcf_rule *r,
		      __u32 *ret_slot)
{
	struct pcf_rule probe = *r;
	int m = find_mask(dp, &r->mask);

	if (m < 0)
		return -ENOENT;
	probe.mask_id = m;
	return flows_find(dp, &probe, ret_slot);
}

static int replace_rule(struct pcf_dp *dp, __u32 old_slot,
			struct pcf_rule *r)
{
	const struct pcf_rule *old = &dp->rules[old_slot];
	struct pcf_mask_state *ms = &dp->masks[old->mask_id];
	struct pcf_counter vals[dp->ncpus];
	__u64 old_rank, rank;
	int slot, err;

	r->id = old->id;
	r->mask_id = old->mask_id;
	old_rank = pcf_rank(old->prio, old->id);
	rank = pcf_rank(r->prio, r->id);

	slot = alloc_slot(dp);
	if (slot < 0)
		return slot;
	err = write_slot(dp, slot, r);
	if (err)
		return err;
	/* carry the counters over */
	if (bpf_map_lookup_elem(rule_stats_fd(dp), &old_slot, vals))
		memset(vals, 0, sizeof(vals));
	set_counters(dp, slot, vals);

	if (rank < ms->best_rank) {
		ms->best_rank = rank;
		err = publish_masks(dp);
		if (err)
			goto fail;
	}
	err = flows_write(dp, r, slot, &old_slot);
	if (err)
		goto fail;
	clear_slot(dp, old_slot);
	tree_add(dp, r->id, slot);
	if (old_rank == ms->best_rank && rank > old_rank) {
		ms->best_rank = mask_best_rank(dp, r->mask_id, ~0U);
		publish_masks(dp); /* a stale lower rank is only slower */
	}
	return 0;
fail:
	clear_slot(dp, slot);
	return err;
}

static int insert_rule(struct pcf_dp *dp, struct pcf_rule *r)
{
	struct pcf_counter zero[dp->ncpus];
	struct pcf_mask_state *ms, saved;
	int slot, m, err;
	bool new_mask;
	__u64 rank;

	m = find_mask(dp, &r->mask);
	new_mask = m < 0;
	if (new_mask)
		m = alloc_mask(dp);
	if (m < 0)
		return m;
	slot = alloc_slot(dp);
	if (slot < 0)
		return slot;

	r->id = dp->next_id;
	r->mask_id = m;
	rank = pcf_rank(r->prio, r->id);
	err = write_slot(dp, slot, r);
	if (err)
		return err;
	memset(zero, 0, sizeof(zero));
	err = set_counters(dp, slot, zero);
	if (err)
		goto fail_slot;

	ms = &dp->masks[m];
	saved = *ms;
	if (new_mask) {
		*ms = (struct pcf_mask_state){ .mask = r->mask,
					       .best_rank = rank,
					       .used = true };
	} else if (rank < ms->best_rank) {
		ms->best_rank = rank;
		err = publish_masks(dp);
		if (err)
			goto fail_mask;
	}

	err = flows_write(dp, r, slot, NULL);
	if (err)
		goto fail_mask;
	if (new_mask) {
		err = publish_masks(dp);
		if (err)
			goto fail_flow;
	}
	err = tree_add(dp, r->id, slot);
	if (err)
		goto fail_flow;

	ms->nrules++;
	dp->nrules++;
	dp->next_id = dp->next_id == 0xffffffff ? 1 : dp->next_id + 1;
	return 0;

fail_flow:
	flows_delete(dp, r);
fail_mask:
	*ms = saved;
	if (!new_mask)
		publish_masks(dp);
	else
		ms->used = false;
fail_slot:
	clear_slot(dp, slot);
	return err;
}

int pcf_rule_add(struct pcf_dp *dp, const struct pcf_rule *spec,
		 unsigned int flags, __u32 *ret_id)
{
	struct pcf_rule r = {};
	__u32 slot;
	int err;

	r.key = spec->key;
	r.mask = spec->mask;
	r.action = spec->action;
	r.prio = spec->prio;
	r.flags = PCF_RULE_USED;
	mask_key(&r.key, &r.mask);
	err = pcf_rule_validate(&r, NULL);
	if (err)
		return err;

	if (!find_match(dp, &r, &slot)) {
		if (!(flags & PCF_RULE_REPLACE))
			return -EEXIST;
		err = replace_rule(dp, slot, &r);
	} else {
		if ((flags & PCF_RULE_REPLACE) && (flags & PCF_RULE_EXCL))
			return -ENOENT;
		err = insert_rule(dp, &r);
	}
	forget_results(dp);
	if (!err && ret_id)
		*ret_id = r.id;
	return err;
}

static int delete_slot(struct pcf_dp *dp, __u32 slot)
{
	const struct pcf_rule *r = &dp->rules[slot];
	struct pcf_mask_state *ms = &dp->masks[r->mask_id];
	__u32 id = r->id;
	__u64 rank = pcf_rank(r->prio, r->id);
	int err;

	if (ms->nrules <= 1) {
		/* the mask leaves the list before its last entry goes */
		ms->used = false;
		err = publish_masks(dp);
		if (err) {
			ms->used = true;
			return err;
		}
		ms->nrules = 0;
		flows_delete(dp, r);
	} else {
		err = flows_delete(dp, r);
		if (err)
			return err;
		ms->nrules--;
		if (rank == ms->best_rank) {
			ms->best_rank = mask_best_rank(dp, r->mask_id, slot);
			publish_masks(dp); /* a stale lower rank is only slower */
		}
	}
	clear_slot(dp, slot);
	tree_del(dp, id);
	dp->nrules--;
	return 0;
}

int pcf_rule_del(struct pcf_dp *dp, __u32 id)
{
	struct id_ref *ref = tree_find(dp, id);
	int err;

	if (!ref)
		return -ENOENT;
	err = delete_slot(dp, ref->slot);
	forget_results(dp);
	return err;
}

int pcf_rule_del_match(struct pcf_dp *dp, const struct pcf_rule *spec,
		       struct pcf_rule *ret_rule)
{
	struct pcf_rule r = {};
	__u32 slot;
	int err;

	r.key = spec->key;
	r.mask = spec->mask;
	mask_key(&r.key, &r.mask);
	err = validate_match(&r.key, &r.mask, &(const char *){ NULL });
	if (err)
		return err;
	if (find_match(dp, &r, &slot))
		return -ENOENT;
	if (ret_rule)
		*ret_rule = dp->rules[slot];
	err = delete_slot(dp, slot);
	forget_results(dp);
	return err;
}

static void free_ref(void *p)
{
	free(p);
}

static void tree_free(struct pcf_dp *dp)
{
	tdestroy(dp->by_id, free_ref);
	dp->by_id = NULL;
}

int pcf_rule_flush(struct pcf_dp *dp)
{
	int i, err;
	__u32 s;

	for (i = 0; i < PCF_MAX_MASKS; i++)
		dp->masks[i].used = false;
	err = publish_masks(dp);
	if (err) {
		/* nothing was touched: rebuild the cache as it was */
		pcf_rules_free(dp);
		pcf_rules_load(dp);
		return err;
	}
	for (s = 0; s < PCF_MAX_RULES; s++) {
		if (!(dp->rules[s].flags & PCF_RULE_USED))
			continue;
		flows_delete(dp, &dp->rules[s]);
		clear_slot(dp, s);
	}
	tree_free(dp);
	memset(dp->masks, 0, sizeof(dp->masks));
	dp->nrules = 0;
	forget_results(dp);
	return 0;
}

int pcf_rule_get(struct pcf_dp *dp, __u32 id, struct pcf_rule *ret_rule,
		 __u32 *ret_slot)
{
	struct id_ref *ref = tree_find(dp, id);

	if (!ref)
		return -ENOENT;
	if (ret_rule)
		*ret_rule = dp->rules[ref->slot];
	if (ret_slot)
		*ret_slot = ref->slot;
	return 0;
}

int pcf_rule_counters(struct pcf_dp *dp, __u32 slot, struct pcf_counter *ret)
{
	if (slot >= PCF_MAX_RULES)
		return -EINVAL;
	return pcf_percpu_sum(rule_stats_fd(dp), slot, dp->ncpus, ret);
}

struct walk_ctx {
	struct pcf_dp *dp;
	__u32 first_id;
	pcf_rule_cb cb;
	void *ctx;
	int ret;
};

static void walk_one(const void *node, VISIT which, void *arg)
{
	const struct id_ref *ref = *(const struct id_ref *const *)node;
	struct walk_ctx *w = arg;

	if ((which != postorder && which != leaf) || w->ret ||
	    ref->id < w->first_id)
		return;
	w->ret = w->cb(&w->dp->rules[ref->slot], ref->slot, w->ctx);
}

int pcf_rule_foreach(struct pcf_dp *dp, __u32 first_id, pcf_rule_cb cb,
		     void *ctx)
{
	struct walk_ctx w = { dp, first_id, cb, ctx, 0 };

	twalk_r(dp->by_id, walk_one, &w);
	return w.ret;
}

/*
 * Write pcf_flows4 and its filter from the slots: both are new to a table
 * an older pcf wrote, and rewriting entries that are there changes
 * nothing.  The filter bits go first, as for any new entry.
 */
static int flows4_rebuild(struct pcf_dp *dp)
{
	struct pcf_key4 k4;
	__u32 s;
	int err;

	if (!dp->filter4_refs)
		dp->filter4_refs = calloc(FILTER4_NBITS,
					  sizeof(*dp->filter4_refs));
	if (!dp->filter4_refs)
		return -ENOMEM;
	memset(dp->filter4_refs, 0, FILTER4_NBITS * sizeof(*dp->filter4_refs));
	for (s = 0; s < PCF_MAX_RULES; s++) {
		if (!(dp->rules[s].flags & PCF_RULE_USED) ||
		    !in_flows4(&dp->rules[s]))
			continue;
		lookup_key4(&dp->rules[s], &k4);
		dp->filter4_refs[filter4_bit(&k4)]++;
	}
	err = filter4_publish(dp);
	for (s = 0; !err && s < PCF_MAX_RULES; s++)
		if ((dp->rules[s].flags & PCF_RULE_USED) &&
		    in_flows4(&dp->rules[s]))
			err = flow4_write(dp, &dp->rules[s], s, BPF_ANY);
	return err;
}

int pcf_rules_load(struct pcf_dp *dp)
{
	__u32 s, max_id = 0;
	__u64 rank;
	int err;

	memset(dp->masks, 0, sizeof(dp->masks));
	dp->nrules = 0;
	for (s = 0; s < PCF_MAX_RULES; s++) {
		const struct pcf_rule *r = &dp->rules[s];
		struct pcf_mask_state *ms;

		if (!(r->flags & PCF_RULE_USED))
			continue;
		if (r->mask_id >= PCF_MAX_MASKS || !r->id)
			return -EUCLEAN; /* not a table this pcf wrote */
		ms = &dp->masks[r->mask_id];
		if (!ms->used) {
			ms->used = true;
			ms->mask = r->mask;
			ms->best_rank = ~0ULL;
		}
		rank = pcf_rank(r->prio, r->id);
		if (rank < ms->best_rank)
			ms->best_rank = rank;
		ms->nrules++;
		err = tree_add(dp, r->id, s);
		if (err)
			return err;
		dp->nrules++;
		if (r->id > max_id) {
			max_id = r->id;
			dp->next_slot = (s + 1) % PCF_MAX_RULES;
		}
	}
	dp->next_id = max_id + 1 ? max_id + 1 : 1;
	err = flows4_rebuild(dp);
	if (!err)
		err = publish_masks(dp);
	forget_results(dp); /* nothing should have changed: to be sure */
	return err;
}

void pcf_rules_free(struct pcf_dp *dp)
{
	tree_free(dp);
	free(dp->filter4_refs);
	dp->filter4_refs = NULL;
}
