// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * set_msg.c - named sets on the wire (issue 13): a set's nest, and the
 * names of the sets rules name, mapped to the indexes struct pcf_rule
 * carries (pcf_genl.h, "Named sets in rules").
 */
#include <errno.h>
#include <string.h>

#include "pcf_genl.h"

/* The default resolver: names get indexes as they come (a client's). */
static char interned[PCF_MAX_SETS][PCF_SET_NAME_MAX];

static int intern_index(void *arg, const char *name)
{
	int i;

	if (!*name || strlen(name) >= PCF_SET_NAME_MAX)
		return -ENOENT;
	for (i = 0; i < PCF_MAX_SETS && interned[i][0]; i++)
		if (!strcmp(interned[i], name))
			return i + 1;
	if (i == PCF_MAX_SETS)
		return -ENOSPC;
	strcpy(interned[i], name);
	return i + 1;
}

static const char *intern_name(void *arg, unsigned int idx)
{
	if (idx < 1 || idx > PCF_MAX_SETS || !interned[idx - 1][0])
		return NULL;
	return interned[idx - 1];
}

static const struct pcf_set_resolver intern = { intern_index, intern_name,
						NULL };
static const struct pcf_set_resolver *resolver = &intern;

void pcf_set_resolver_use(const struct pcf_set_resolver *r)
{
	resolver = r ? r : &intern;
}

int pcf_set_index(const char *name)
{
	return resolver->index(resolver->arg, name);
}

const char *pcf_set_name(unsigned int idx)
{
	return resolver->name(resolver->arg, idx);
}

int pcf_set_put(struct nlmsghdr *nlh, size_t size, const char *name,
		const struct pcf_set_elem *e, size_t n)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, PCF_A_SET);

	if (!nest ||
	    !mnl_attr_put_strz_check(nlh, size, PCF_A_SET_NAME, name) ||
	    (n && !mnl_attr_put_check(nlh, size, PCF_A_SET_ELEMS,
				      n * sizeof(*e), e))) {
		if (nest)
			mnl_attr_nest_cancel(nlh, nest);
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}
