/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ctl_session.h - the session commands' work (session show, del, flush),
 * apart from the protocol's plumbing in ctl.c: a session as the protocol
 * carries it, whether a match takes it, and walks of the table a step at
 * a time.
 */
#ifndef PCF_CTL_SESSION_H
#define PCF_CTL_SESSION_H

#include <stdbool.h>

#include "pcf_genl.h"
#include "ct_reap.h"

/* What pcfd hands the control server about sessions (ctl.h). */
struct pcf_ctl_sessions {
	const struct pcf_ct_timeouts *timeouts;
	void (*totals)(const void *ctx, struct pcf_ct_totals *ret);
	/* has s had its "new" event? (NULL: yes) */
	bool (*announced)(const void *ctx, const struct pcf_ct_session *s);
	const void *ctx;
};

/* s as the protocol says it, its timeout from t, at now. */
void ctl_session_info(const struct pcf_ct_session *s,
		      const struct pcf_ct_timeouts *t, __u64 now,
		      struct pcf_session *ret);

/*
 * Does match (src, dst prefixes, ports, proto: a rule's match) take s:
 * does its original tuple, or its reply tuple, match?  NULL takes all.
 */
bool ctl_session_matches(const struct pcf_rule *match,
			 const struct pcf_ct_session *s);

/* Refuse what a session match cannot say; NULL: fine. */
const char *ctl_session_match_invalid(const struct pcf_rule *match);

/*
 * A step of walk w: cb for each session of the next entries (at most
 * max, 32..PCF_CT_REAP_BATCH); w->done at the end.  cb returns false to
 * leave a session uncounted.  Returns the sessions cb took, or -errno.
 */
int ctl_sessions_step(struct pcf_ct_maps *m, struct pcf_ct_walk *w,
		      unsigned int max,
		      bool (*cb)(const struct pcf_ct_session *s, void *arg),
		      void *arg);

#endif /* PCF_CTL_SESSION_H */
