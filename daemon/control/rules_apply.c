// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rules_apply.c - rule changes as one transaction: tried on a copy of the
 * table in memory (table/mem.h) first, then done, and undone if the real
 * table fails half way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rules_apply.h"

/* How to take a change back. */
struct undo {
	enum { UNDO_NONE, UNDO_DEL, UNDO_PUT_BACK, UNDO_RESTORE } kind;
	__u32 id;	   /* UNDO_DEL */
	struct pcf_rule r; /* UNDO_PUT_BACK (replace), UNDO_RESTORE */
};

struct log {
	struct undo *u;
	size_t n, cap;
};

static int log_add(struct log *l, const struct undo *u)
{
	struct undo *grown;

	if (!l) /* the dry run keeps no log */
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		grown = realloc(l->u, l->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->u = grown;
	}
	l->u[l->n++] = *u;
	return 0;
}

static int add(struct pcf_table *t, const struct pcf_rule *spec,
	       unsigned int flags, struct log *l)
{
	struct undo u = { .kind = UNDO_DEL };
	struct pcf_rule old;
	int err;

	/* log first: a change the log cannot hold is not made */
	if (!pcf_table_find(t, spec, &old))
		u = (struct undo){ .kind = UNDO_PUT_BACK, .r = old };
	err = log_add(l, &u);
	if (err)
		return err;
	err = pcf_table_add(t, spec, flags, &u.id);
	if (l && !err && u.kind == UNDO_DEL)
		l->u[l->n - 1].id = u.id;
	if (l && err)
		l->n--;
	return err;
}

static int del(struct pcf_table *t, const struct pcf_flow_change *c,
	       struct log *l)
{
	struct undo u = { .kind = UNDO_RESTORE };
	int err;

	err = c->id ? pcf_table_get(t, c->id, &u.r, NULL)
		    : pcf_table_find(t, &c->rule, &u.r);
	if (!err)
		err = log_add(l, &u);
	if (err)
		return err;
	err = c->id ? pcf_table_del(t, c->id, NULL)
		    : pcf_table_del_match(t, &c->rule, NULL);
	if (l && err)
		l->n--;
	return err;
}

static int log_rule(const struct pcf_rule *r, __u32 slot, void *ctx)
{
	struct undo u = { .kind = UNDO_RESTORE, .r = *r };

	return log_add(ctx, &u);
}

static int flush(struct pcf_table *t, struct log *l)
{
	size_t n = l ? l->n : 0;
	int err = l ? pcf_table_foreach(t, 0, log_rule, l) : 0;

	if (!err)
		err = pcf_table_flush(t);
	if (l && err)
		l->n = n;
	return err;
}

static int apply_one(struct pcf_table *t, const struct pcf_flow_change *c,
		     struct log *l)
{
	switch (c->op) {
	case PCF_FLOW_ADD:
		return add(t, &c->rule, PCF_TABLE_REPLACE, l);
	case PCF_FLOW_REPLACE:
		return add(t, &c->rule, PCF_TABLE_REPLACE | PCF_TABLE_EXCL, l);
	case PCF_FLOW_DEL:
		return del(t, c, l);
	case PCF_FLOW_FLUSH:
		return flush(t, l);
	default:
		return -EOPNOTSUPP;
	}
}

/* Take back what log says was done, newest first. */
static void undo_all(struct pcf_table *t, struct log *l)
{
	while (l->n) {
		const struct undo *u = &l->u[--l->n];

		switch (u->kind) {
		case UNDO_DEL:
			pcf_table_del(t, u->id, NULL);
			break;
		case UNDO_PUT_BACK:
			pcf_table_add(t, &u->r, PCF_TABLE_REPLACE, NULL);
			break;
		case UNDO_RESTORE:
			pcf_table_restore(t, &u->r);
			break;
		default:
			break;
		}
	}
}

/* Why a change failed, in words for the rule. */
static void say_why(const struct pcf_flow_change *c, int err, char *why,
		    size_t len)
{
	const char *vwhy = NULL;

	if (err == -EINVAL && pcf_rule_validate(&c->rule, &vwhy) && vwhy)
		snprintf(why, len, "%s", vwhy);
	else if (err == -EIO || err == -ENOMEM || err == -EFAULT)
		snprintf(why, len, "the kernel refused a map update: %s",
			 strerror(-err));
	else
		snprintf(why, len, "%s", pcf_text_change_strerror(c, err));
}

/* Every change on a copy of t: does the whole list go through? */
static int dry_run(const struct pcf_table *t,
		   const struct pcf_flow_change *changes, int n,
		   int *ret_failed)
{
	struct pcf_table *copy;
	struct pcf_mem *mem;
	int i, err;

	err = pcf_mem_clone(t, &mem, &copy);
	if (err) {
		*ret_failed = 0;
		return err;
	}
	for (i = 0; i < n && !err; i++)
		err = apply_one(copy, &changes[i], NULL);
	if (err)
		*ret_failed = i - 1;
	pcf_table_free(copy);
	pcf_mem_free(mem);
	return err;
}

int pcf_rules_apply(struct pcf_table *t, const struct pcf_flow_change *changes,
		    int n, int *ret_failed, char *why, size_t len)
{
	struct log l = {};
	int i, err;

	err = dry_run(t, changes, n, ret_failed);
	if (err) {
		say_why(&changes[*ret_failed], err, why, len);
		return err;
	}
	for (i = 0; i < n && !err; i++)
		err = apply_one(t, &changes[i], &l);
	if (err) {
		*ret_failed = i - 1;
		say_why(&changes[i - 1], err, why, len);
		undo_all(t, &l);
	}
	free(l.u);
	return err;
}
