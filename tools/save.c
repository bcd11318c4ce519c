// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * save.c - pcfctl flow save: the rule table as a batch file, one
 * `flow add` line a rule in id order, every word of the rule written out
 * (prio included), so that -batch recreates the same rules; before them
 * the named sets the rules may use, as `set add` lines.
 */
#include <errno.h>
#include <stdlib.h>

#include "pcfctl.h"

struct save {
	struct pcfctl_client *c;
	FILE *lines; /* the file so far, shown only when complete */
};

static int on_saved_rule(const struct nlmsghdr *nlh,
			 const struct nlattr *const *tb, void *ctx)
{
	struct save *s = ctx;
	struct pcf_extack ext = {};
	char text[PCF_TEXT_RULE_MAX];
	struct pcf_rule r;
	int n;

	if (pcf_rule_from_attrs(tb, &r, &ext)) {
		snprintf(s->c->errmsg, sizeof(s->c->errmsg),
			 "pcfd sent a rule pcfctl cannot read: %s", ext.msg);
		return -EBADMSG;
	}
	n = pcf_text_rule(&r, text, sizeof(text));
	if (n == -ENODEV)
		snprintf(
		    s->c->errmsg, sizeof(s->c->errmsg),
		    "rule %u names an interface by an index with no name here: run flow save in pcfd's network namespace (-n NETNS)",
		    r.id);
	else if (n < 0)
		snprintf(s->c->errmsg, sizeof(s->c->errmsg),
			 "rule %u does not fit %zu characters", r.id,
			 sizeof(text));
	if (n < 0)
		return n;
	fprintf(s->lines, "flow add %s\n", text);
	return 0;
}

int pcfctl_flow_save(struct pcfctl_client *c, FILE *f)
{
	char buf[PCF_GENL_MSG_MAX];
	struct save s = { c, NULL };
	char *text = NULL;
	size_t len = 0;
	int err;

	s.lines = open_memstream(&text, &len);
	if (!s.lines)
		return -errno;
	/* named sets first (issue 13): the rules name them */
	err = pcfctl_sets_save(c, s.lines);
	if (!err)
		err = pcfctl_client_talk(
		    c, pcf_msg_start(buf, PCF_CMD_FLOW_GET, NLM_F_DUMP, 0),
		    on_saved_rule, &s);
	fclose(s.lines);
	if (!err)
		fputs(text, f);
	free(text);
	return err;
}
