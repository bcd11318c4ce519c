// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_genl_spec: genl/pcf.yaml and the C definition of the family say
 * the same: every attribute (name, value, type, checks, nest, multi-attr)
 * of every set, every operation (value, admin-perm, dump), the events
 * group, the family name.  A difference either way fails.
 *
 * pcf.yaml is read with a small reader for the block style it is written
 * in (one "key: value" a line, nesting by indentation), not a YAML library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pcf_genl.h"

#define MAX_ITEMS 160

struct yattr {
	char set[32], name[32], type[16], nested[32], hint[16];
	long long value, min, max, min_len, max_len;
	bool has_min, has_max, has_min_len, has_max_len, multi;
};

struct yop {
	char name[32];
	long long value;
	bool admin, dump;
};

static struct spec {
	char family[32];
	struct yattr attrs[MAX_ITEMS];
	int nattrs;
	struct yop ops[MAX_ITEMS];
	int nops;
	char groups[8][32];
	long long group_values[8];
	int ngroups;
} spec;

enum section { NONE, SETS, OPS, GROUPS };

static void copy(char *dst, const char *src)
{
	snprintf(dst, 32, "%s", src);
}

static void on_attr_key(struct yattr *a, const char *key, const char *val)
{
	if (!strcmp(key, "value"))
		a->value = strtoll(val, NULL, 0);
	else if (!strcmp(key, "type"))
		snprintf(a->type, sizeof(a->type), "%s", val);
	else if (!strcmp(key, "nested-attributes"))
		copy(a->nested, val);
	else if (!strcmp(key, "display-hint"))
		snprintf(a->hint, sizeof(a->hint), "%s", val);
	else if (!strcmp(key, "multi-attr"))
		a->multi = !strcmp(val, "true");
	else if (!strcmp(key, "min"))
		a->min = strtoll(val, NULL, 0), a->has_min = true;
	else if (!strcmp(key, "max"))
		a->max = strtoll(val, NULL, 0), a->has_max = true;
	else if (!strcmp(key, "min-len"))
		a->min_len = strtoll(val, NULL, 0), a->has_min_len = true;
	else if (!strcmp(key, "max-len"))
		a->max_len = strtoll(val, NULL, 0), a->has_max_len = true;
}

static void on_op_key(struct yop *op, int indent, const char *key,
		      const char *val)
{
	if (indent == 6 && !strcmp(key, "value"))
		op->value = strtoll(val, NULL, 0);
	else if (indent == 6 && !strcmp(key, "flags"))
		op->admin = strstr(val, "admin-perm") != NULL;
	else if (indent == 6 && !strcmp(key, "dump"))
		op->dump = true;
}

static void read_spec(const char *path)
{
	char line[512], set[32] = "", *key, *val, *colon;
	enum section sec = NONE;
	FILE *f = fopen(path, "r");
	int indent;

	if (!f)
		fail_msg("cannot open %s (run from the top of the tree)", path);
	memset(&spec, 0, sizeof(spec));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		indent = strspn(line, " ");
		key = line + indent;
		if (!*key || *key == '#' || *key == '-')
			continue;
		colon = strchr(key, ':');
		if (!colon)
			continue;
		*colon = '\0';
		val = colon + 1 + strspn(colon + 1, " ");
		if (indent == 0) {
			sec = !strcmp(key, "attribute-sets") ? SETS
			      : !strcmp(key, "operations")   ? OPS
			      : !strcmp(key, "mcast-groups") ? GROUPS
							     : NONE;
			if (!strcmp(key, "name"))
				copy(spec.family, val);
			continue;
		}
		if (sec == SETS && indent == 4 && !strcmp(key, "name")) {
			copy(set, val);
		} else if (sec == SETS && indent == 8 && !strcmp(key, "name")) {
			assert_true(spec.nattrs < MAX_ITEMS);
			copy(spec.attrs[spec.nattrs].set, set);
			copy(spec.attrs[spec.nattrs++].name, val);
		} else if (sec == SETS && indent >= 8 && spec.nattrs) {
			on_attr_key(&spec.attrs[spec.nattrs - 1], key, val);
		} else if (sec == OPS && indent == 6 && !strcmp(key, "name")) {
			assert_true(spec.nops < MAX_ITEMS);
			copy(spec.ops[spec.nops++].name, val);
		} else if (sec == OPS && spec.nops) {
			on_op_key(&spec.ops[spec.nops - 1], indent, key, val);
		} else if (sec == GROUPS && !strcmp(key, "name")) {
			assert_true(spec.ngroups < 8);
			copy(spec.groups[spec.ngroups++], val);
		} else if (sec == GROUPS && !strcmp(key, "value") &&
			   spec.ngroups) {
			spec.group_values[spec.ngroups - 1] =
			    strtoll(val, NULL, 0);
		}
	}
	fclose(f);
}

static const struct yattr *find_attr(const char *set, long long value)
{
	int i;

	for (i = 0; i < spec.nattrs; i++)
		if (!strcmp(spec.attrs[i].set, set) &&
		    spec.attrs[i].value == value)
			return &spec.attrs[i];
	return NULL;
}

static const char *yaml_type(enum pcf_attr_type t)
{
	switch (t) {
	case PCF_AT_U32:
		return "u32";
	case PCF_AT_S32:
		return "s32";
	case PCF_AT_U64:
		return "u64";
	case PCF_AT_FLAG:
		return "flag";
	case PCF_AT_STRING:
		return "string";
	case PCF_AT_ADDR:
	case PCF_AT_ELEMS:
		return "binary";
	case PCF_AT_NEST:
		return "nest";
	case PCF_AT_PAD:
		return "pad";
	default:
		return "?";
	}
}

static void check_attr(const struct pcf_attr_set *set, unsigned int i,
		       const struct yattr *y)
{
	const struct pcf_policy *p = &set->policy[i];

	if (!y)
		fail_msg("%s.%s (%u) is not in pcf.yaml", set->name, p->name,
			 i);
	if (strcmp(y->name, p->name) || strcmp(y->type, yaml_type(p->type)))
		fail_msg("%s attribute %u: C says %s %s, pcf.yaml %s %s",
			 set->name, i, yaml_type(p->type), p->name, y->type,
			 y->name);
	assert_int_equal(y->multi, p->multi);
	assert_string_equal(y->nested, p->nest ? p->nest->name : "");
	assert_int_equal(y->has_min, p->ranged);
	assert_int_equal(y->has_max, p->ranged);
	if (p->ranged) {
		assert_int_equal(y->min, p->min);
		assert_int_equal(y->max, p->max);
	}
	assert_string_equal(y->hint,
			    p->type == PCF_AT_ADDR ? "ipv4-or-v6" : "");
	if (p->type == PCF_AT_ADDR) {
		assert_true(y->has_min_len && y->min_len == 4);
		assert_true(y->has_max_len && y->max_len == 16);
	}
	if (p->type == PCF_AT_ELEMS) { /* named sets: struct pcf_set_elem[] */
		assert_true(y->has_min_len &&
			    y->min_len == sizeof(struct pcf_set_elem));
		assert_true(y->has_max_len &&
			    y->max_len == PCF_SET_ELEMS_PER_MSG *
					      sizeof(struct pcf_set_elem));
	}
	if (p->type == PCF_AT_STRING) /* the C limit counts the NUL */
		assert_true(y->has_max_len && y->max_len == p->max - 1);
}

static void test_attribute_sets(void **state)
{
	const struct pcf_attr_set *const *sets;
	unsigned int nsets, s, i, n = 0;

	read_spec("genl/pcf.yaml");
	sets = pcf_genl_sets(&nsets);
	for (s = 0; s < nsets; s++) {
		for (i = 0; i <= sets[s]->max; i++) {
			if (sets[s]->policy[i].type == PCF_AT_UNUSED) {
				assert_null(find_attr(sets[s]->name, i));
				continue;
			}
			check_attr(sets[s], i, find_attr(sets[s]->name, i));
			n++;
		}
	}
	/* nothing in the YAML that C lacks */
	assert_int_equal(spec.nattrs, n);
}

static void test_operations(void **state)
{
	unsigned int cmd;
	int i;

	read_spec("genl/pcf.yaml");
	assert_string_equal(spec.family, PCF_GENL_NAME);
	assert_int_equal(spec.nops, PCF_CMD_MAX);
	for (cmd = 1; cmd <= PCF_CMD_MAX; cmd++) {
		for (i = 0; i < spec.nops && spec.ops[i].value != cmd; i++)
			;
		if (i == spec.nops)
			fail_msg("command %u is not in pcf.yaml", cmd);
		assert_string_equal(spec.ops[i].name, pcf_ops[cmd].name);
		assert_int_equal(spec.ops[i].admin, pcf_ops[cmd].admin);
		assert_int_equal(spec.ops[i].dump, pcf_ops[cmd].dump);
	}
	assert_int_equal(spec.ngroups, 2);
	assert_string_equal(spec.groups[0], pcf_mcgrp_names[PCF_MCGRP_EVENTS]);
	assert_int_equal(spec.group_values[0], PCF_MCGRP_EVENTS);
	assert_string_equal(spec.groups[1],
			    pcf_mcgrp_names[PCF_MCGRP_SESSIONS]);
	assert_int_equal(spec.group_values[1], PCF_MCGRP_SESSIONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attribute_sets),
		cmocka_unit_test(test_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
