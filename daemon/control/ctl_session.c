// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ctl_session.c - the session commands' work (see ctl_session.h).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "ctl_session.h"
#include "table.h" /* pcf_match_validate */

void ctl_session_info(const struct pcf_ct_session *s,
		      const struct pcf_ct_timeouts *t, __u64 now,
		      struct pcf_session *ret)
{
	*ret = (struct pcf_session){
		.orig = s->key,
		.state = pcf_ct_session_state(s),
		.timeout = pcf_ct_session_timeout(s, t, now),
		.rule_id = s->orig.rule_id,
		.age = pcf_age_ns(now, s->orig.created) / 1000000000ULL,
		.snat = s->orig.flags & PCF_CT_SNAT,
		.dnat = s->orig.flags & PCF_CT_DNAT,
		.orig_c = { s->orig.packets, s->orig.bytes },
		.reply_c = { s->reply.packets, s->reply.bytes },
	};
	/* the replies carry the translated tuple, reversed */
	pcf_ct_reverse(&ret->reply, &s->orig.xlat);
}

static bool prefix_matches(const __u8 *a, const __u8 *key, const __u8 *mask)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if ((a[i] & mask[i]) != (key[i] & mask[i]))
			return false;
	return true;
}

static bool tuple_matches(const struct pcf_rule *r, const struct pcf_ct_key *k)
{
	const struct pcf_key *mk = &r->key, *mm = &r->mask;

	return (!mm->family || mk->family == k->family) &&
	       prefix_matches(k->src, mk->src, mm->src) &&
	       prefix_matches(k->dst, mk->dst, mm->dst) &&
	       (!mm->sport || mk->sport == k->sport) &&
	       (!mm->dport || mk->dport == k->dport) &&
	       (!mm->proto || mk->proto == k->proto);
}

bool ctl_session_matches(const struct pcf_rule *match,
			 const struct pcf_ct_session *s)
{
	struct pcf_ct_key reply;

	if (!match)
		return true;
	pcf_ct_reverse(&reply, &s->orig.xlat);
	return tuple_matches(match, &s->key) || tuple_matches(match, &reply);
}

const char *ctl_session_match_invalid(const struct pcf_rule *match)
{
	struct pcf_rule r = *match;
	const char *why = NULL;

	if (match->mask.ifindex)
		return "a session has no ingress interface: match it by src, dst, sport, dport and proto";
	/* as a rule's, but a session's ICMP ports are an echo's identifier */
	if (r.key.proto == IPPROTO_ICMP || r.key.proto == IPPROTO_ICMPV6)
		r.key.sport = r.key.dport = 0;
	if (pcf_match_validate(&r.key, &r.mask, &why))
		return why ? why : "this match is not valid";
	return NULL;
}

int ctl_sessions_step(struct pcf_ct_maps *m, struct pcf_ct_walk *w,
		      unsigned int max,
		      bool (*cb)(const struct pcf_ct_session *s, void *arg),
		      void *arg)
{
	struct pcf_ct_key keys[PCF_CT_REAP_BATCH];
	struct pcf_ct_entry vals[PCF_CT_REAP_BATCH];
	struct pcf_ct_session s;
	__u32 n, i;
	int err, took = 0;

	if (max > PCF_CT_REAP_BATCH)
		max = PCF_CT_REAP_BATCH;
	err = pcf_ct_maps_walk(m, w, keys, vals, max, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (pcf_ct_session_of(m, &keys[i], &vals[i], &s) && cb(&s, arg))
			took++;
	return took;
}
