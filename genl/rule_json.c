// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rule_json.c - flow rules as JSON and back (see rule_json.h).  The
 * values are written by rule_text's formatters and read by its grammar,
 * a field of JSON being a word of `flow add`: one table below says which.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "pcf_genl.h"
#include "rule_json.h"
#include "rule_text.h"

/* ---- a rule into JSON ---- */

static void add_string(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

/* A rule's set (issue 13) as JSON: "@NAME", as the words say it. */
static void add_set(json_object *o, const char *key, unsigned int idx)
{
	char buf[PCF_SET_NAME_MAX + 1];

	snprintf(buf, sizeof(buf), "@%s", pcf_set_name(idx) ?: "?");
	add_string(o, key, buf);
}

static json_object *match_json(const struct pcf_rule *r)
{
	const struct pcf_key *k = &r->key, *m = &r->mask;
	char buf[PCF_TEXT_VALUE_MAX];
	json_object *o = json_object_new_object();

	/* named sets (issue 13) */
	if (m->src_set)
		add_set(o, "src", m->src_set);
	if (m->dst_set)
		add_set(o, "dst", m->dst_set);
	if (pcf_text_has_src(r))
		add_string(o, "src",
			   pcf_text_prefix(k->src, m->src, k->family, buf,
					   sizeof(buf)));
	if (pcf_text_has_dst(r))
		add_string(o, "dst",
			   pcf_text_prefix(k->dst, m->dst, k->family, buf,
					   sizeof(buf)));
	if (m->sport)
		json_object_object_add(o, "sport",
				       json_object_new_int(ntohs(k->sport)));
	if (m->dport)
		json_object_object_add(o, "dport",
				       json_object_new_int(ntohs(k->dport)));
	if (m->proto)
		add_string(o, "proto",
			   pcf_text_proto(k->proto, buf, sizeof(buf)));
	if (m->ifindex)
		add_string(o, "dev", pcf_text_ifname(k->ifindex, buf));
	/* VXLAN (issue 13) */
	if (PCF_TUN_KIND(k->tun & m->tun) == PCF_TUN_VXLAN)
		add_string(o, "encap", "vxlan");
	if (PCF_TUN_KIND(k->tun & m->tun) && (m->tun & PCF_TUN_VNI_MASK))
		json_object_object_add(
		    o, "vni", json_object_new_int(k->tun & PCF_TUN_VNI_MASK));
	return o;
}

/* Every action key is there; what the rule does not set is null. */
static json_object *action_json(const struct pcf_rule *r)
{
	const struct pcf_action *a = &r->action;
	char buf[PCF_TEXT_VALUE_MAX];
	json_object *o = json_object_new_object();

	add_string(o, "type", pcf_genl_verdict_name(a->verdict));
	json_object_object_add(
	    o, "ttl_delta",
	    json_object_new_int(a->flags & PCF_ACT_TTL ? a->ttl_delta : 0));
	json_object_object_add(
	    o, "df_clear",
	    json_object_new_boolean(a->flags & PCF_ACT_DF_CLEAR));
	json_object_object_add(o, "ct",
			       json_object_new_boolean(a->flags & PCF_ACT_CT));
	json_object_object_add(
	    o, "masquerade", json_object_new_boolean(a->flags & PCF_ACT_MASQ));
	json_object_object_add(
	    o, "snat",
	    a->flags & PCF_ACT_SNAT
		? json_object_new_string(pcf_text_nat_range(
		      &a->snat, r->snat_port_max, buf, sizeof(buf)))
		: NULL);
	json_object_object_add(o, "dnat",
			       a->flags & PCF_ACT_DNAT
				   ? json_object_new_string(pcf_text_nat(
					 &a->dnat, buf, sizeof(buf)))
				   : NULL);
	json_object_object_add(
	    o, "mark",
	    a->flags & PCF_ACT_MARK ? json_object_new_int64(a->mark) : NULL);
	json_object_object_add(o, "mirror",
			       a->flags & PCF_ACT_MIRROR
				   ? json_object_new_string(pcf_text_ifname(
					 a->mirror_ifindex, buf))
				   : NULL);
	add_string(o, "egress", pcf_genl_egress_name(a->egress));
	json_object_object_add(
	    o, "queue",
	    a->flags & PCF_ACT_QUEUE ? json_object_new_int(a->queue) : NULL);
	/* VXLAN and explicit egress (issue 13) */
	json_object_object_add(
	    o, "decap", json_object_new_boolean(a->flags & PCF_ACT_DECAP));
	json_object_object_add(o, "egress_dev",
			       r->egress_ifindex
				   ? json_object_new_string(pcf_text_ifname(
					 r->egress_ifindex, buf))
				   : NULL);
	json_object_object_add(
	    o, "egress_via",
	    r->egress_via_family
		? json_object_new_string(
		      inet_ntop(r->egress_via_family == 4 ? AF_INET : AF_INET6,
				r->egress_via, buf, sizeof(buf)))
		: NULL);
	return o;
}

json_object *pcf_json_rule(const struct pcf_rule *r,
			   const struct pcf_counter *xdp,
			   const struct pcf_counter *workers)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (r->id) /* a rule pcfd has not given an id yet has none */
		json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "prio", json_object_new_int64(r->prio));
	json_object_object_add(o, "match", match_json(r));
	json_object_object_add(o, "action", action_json(r));
	if (xdp) {
		json_object_object_add(o, "packets",
				       json_object_new_uint64(xdp->packets));
		json_object_object_add(o, "bytes",
				       json_object_new_uint64(xdp->bytes));
	}
	if (workers) {
		json_object_object_add(
		    o, "worker_packets",
		    json_object_new_uint64(workers->packets));
		json_object_object_add(o, "worker_bytes",
				       json_object_new_uint64(workers->bytes));
	}
	return o;
}

/* ---- JSON into a rule ---- */

enum jkind {
	J_STRING,
	J_INT,
	J_PROTO,  /* a name (string) or a number */
	J_FLAG,	  /* true: the keyword alone; false: nothing */
	J_OBJECT, /* a nest: match, action */
	J_COUNT,  /* what pcfd reports: read, not a word */
};

/*
 * A field: its JSON name and its name in messages, the keyword of
 * rule_text's grammar it is (NULL: none), its JSON type, whether null
 * may stand for "not set", and the value that also means "not set"
 * (printed for an action field the rule does not use).
 */
struct field {
	const char *name, *label, *keyword;
	enum jkind kind;
	bool nullable;
	const char *unset;
};

static const struct field top_fields[] = {
	{ "id", "id", NULL, J_COUNT, false, NULL },
	{ "prio", "prio", "prio", J_INT, false, NULL },
	{ "match", "match", NULL, J_OBJECT, false, NULL },
	{ "action", "action", NULL, J_OBJECT, false, NULL },
	{ "packets", "packets", NULL, J_COUNT, false, NULL },
	{ "bytes", "bytes", NULL, J_COUNT, false, NULL },
	{ "worker_packets", "worker_packets", NULL, J_COUNT, false, NULL },
	{ "worker_bytes", "worker_bytes", NULL, J_COUNT, false, NULL },
	{},
};

static const struct field match_fields[] = {
	{ "src", "match.src", "src", J_STRING, false, NULL },
	{ "dst", "match.dst", "dst", J_STRING, false, NULL },
	{ "sport", "match.sport", "sport", J_INT, false, NULL },
	{ "dport", "match.dport", "dport", J_INT, false, NULL },
	{ "proto", "match.proto", "proto", J_PROTO, false, NULL },
	{ "dev", "match.dev", "dev", J_STRING, false, NULL },
	/* VXLAN (issue 13) */
	{ "encap", "match.encap", "encap", J_STRING, false, NULL },
	{ "vni", "match.vni", "vni", J_INT, false, NULL },
	{},
};

static const struct field action_fields[] = {
	{ "type", "action.type", "action", J_STRING, false, NULL },
	{ "ttl_delta", "action.ttl_delta", "ttl-delta", J_INT, false, "0" },
	{ "df_clear", "action.df_clear", "df-clear", J_FLAG, false, NULL },
	{ "ct", "action.ct", "ct", J_FLAG, false, NULL },
	{ "masquerade", "action.masquerade", "masquerade", J_FLAG, false,
	  NULL },
	{ "snat", "action.snat", "snat", J_STRING, true, NULL },
	{ "dnat", "action.dnat", "dnat", J_STRING, true, NULL },
	{ "mark", "action.mark", "mark", J_INT, true, NULL },
	{ "mirror", "action.mirror", "mirror", J_STRING, true, NULL },
	{ "egress", "action.egress", "egress", J_STRING, false, "default" },
	{ "queue", "action.queue", "queue", J_INT, true, NULL },
	/* VXLAN and explicit egress (issue 13) */
	{ "decap", "action.decap", "decap", J_FLAG, false, NULL },
	{ "egress_dev", "action.egress_dev", "egress dev", J_STRING, true,
	  NULL },
	{ "egress_via", "action.egress_via", "via", J_STRING, true, NULL },
	{},
};

#define WORDS_MAX 28 /* fields that are words: prio, match's and action's */
#define NUM_MAX	  24 /* a 64-bit number as text */

struct reader {
	struct pcf_text_word words[WORDS_MAX];
	char nums[WORDS_MAX][NUM_MAX];
	int n;
	__u32 id;
	bool has_action, has_type;
	struct pcf_json_refusal *why;
};

static int refuse(struct reader *rd, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "FIELD: why" into rd->why, FIELD named there too. */
static int refuse(struct reader *rd, const char *field, const char *fmt, ...)
{
	char msg[sizeof(rd->why->msg) - sizeof(rd->why->field) - 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(rd->why->field, sizeof(rd->why->field), "%s", field);
	if (*field)
		snprintf(rd->why->msg, sizeof(rd->why->msg), "%s: %s", field,
			 msg);
	else
		snprintf(rd->why->msg, sizeof(rd->why->msg), "%s", msg);
	return -EINVAL;
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "true or false";
	case json_type_double:
		return "a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

static const char *kind_name(enum jkind k)
{
	switch (k) {
	case J_STRING:
		return "a string";
	case J_INT:
	case J_COUNT:
		return "an integer";
	case J_PROTO:
		return "a protocol name (a string) or number";
	case J_FLAG:
		return "true or false";
	case J_OBJECT:
		return "an object";
	}
	return "?";
}

static bool of_kind(json_object *v, enum jkind k)
{
	enum json_type t = json_object_get_type(v);

	switch (k) {
	case J_STRING:
		return t == json_type_string;
	case J_INT:
	case J_COUNT:
		return t == json_type_int;
	case J_PROTO:
		return t == json_type_string || t == json_type_int;
	case J_FLAG:
		return t == json_type_boolean;
	case J_OBJECT:
		return t == json_type_object;
	}
	return false;
}

/* An integer as the grammar reads it: decimal, a minus if negative. */
static const char *int_text(json_object *v, char *buf)
{
	int64_t s = json_object_get_int64(v);

	if (s < 0)
		snprintf(buf, NUM_MAX, "%" PRId64, s);
	else
		snprintf(buf, NUM_MAX, "%" PRIu64, json_object_get_uint64(v));
	return buf;
}

/*
 * json-c keeps an integer beyond 64 bits as the nearest it can hold: one
 * of those two is no value any field takes, so say what it is.
 */
static bool clamped(json_object *v)
{
	int64_t s = json_object_get_int64(v);

	return s == INT64_MIN ||
	       (s >= 0 && json_object_get_uint64(v) == UINT64_MAX);
}

/* A string without a NUL inside (the grammar would read less of it). */
static const char *string_of(json_object *v)
{
	const char *s = json_object_get_string(v);

	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* What pcfd reports (id, counters): a count, the id from 1. */
static int read_count(struct reader *rd, const struct field *f, json_object *v)
{
	int64_t n = json_object_get_int64(v);
	bool is_id = !strcmp(f->name, "id");

	if (n < 0 || (is_id && (n < 1 || n > UINT32_MAX)))
		return refuse(rd, f->label, "%s",
			      is_id ? "a rule id is an integer from 1"
				    : "a count is not negative");
	if (is_id)
		rd->id = n;
	return 0;
}

/* One field that is a word of the grammar, added to rd->words. */
static int read_word(struct reader *rd, const struct field *f, json_object *v)
{
	struct pcf_text_word *w = &rd->words[rd->n];
	const char *text;

	if (f->kind == J_FLAG) {
		if (!json_object_get_boolean(v))
			return 0;
		text = NULL;
	} else if (json_object_get_type(v) == json_type_int) {
		text = int_text(v, rd->nums[rd->n]);
	} else {
		text = string_of(v);
		if (!text)
			return refuse(rd, f->label, "a string with a NUL");
	}
	if (f->unset && text && !strcmp(text, f->unset))
		return 0;
	if (rd->n == WORDS_MAX)
		return refuse(rd, f->label, "too many fields");
	*w = (struct pcf_text_word){ f->keyword, text, f->label };
	rd->n++;
	return 0;
}

static int read_object(struct reader *rd, json_object *o,
		       const struct field *fields, const char *where);

static int read_field(struct reader *rd, const struct field *f, json_object *v)
{
	if (!v && f->nullable)
		return 0;
	if (!v || !of_kind(v, f->kind))
		return refuse(rd, f->label, "wants %s, not %s",
			      kind_name(f->kind), v ? type_name(v) : "null");
	if (json_object_get_type(v) == json_type_int && clamped(v))
		return refuse(rd, f->label, "a number out of range");
	if (f->kind == J_COUNT)
		return read_count(rd, f, v);
	if (f->kind != J_OBJECT)
		return read_word(rd, f, v);
	if (!strcmp(f->name, "match"))
		return read_object(rd, v, match_fields, "match.");
	rd->has_action = true;
	return read_object(rd, v, action_fields, "action.");
}

/* Every member of o is one of fields; where: the prefix of its label. */
static int read_object(struct reader *rd, json_object *o,
		       const struct field *fields, const char *where)
{
	const struct field *f;
	char label[64];
	int err;

	json_object_object_foreach(o, key, v)
	{
		for (f = fields; f->name && strcmp(f->name, key); f++)
			;
		if (!f->name) {
			snprintf(label, sizeof(label), "%s%s", where, key);
			return refuse(rd, label, "unknown field");
		}
		if (f->keyword && !strcmp(f->keyword, "action"))
			rd->has_type = true;
		err = read_field(rd, f, v);
		if (err)
			return err;
	}
	return 0;
}

int pcf_json_rule_read(json_object *o, struct pcf_rule *ret, __u32 *ret_id,
		       struct pcf_json_refusal *why)
{
	struct reader rd = { .why = why };
	int bad = -1, err;

	*why = (struct pcf_json_refusal){};
	if (!o || json_object_get_type(o) != json_type_object)
		return refuse(
		    &rd, "",
		    "a rule is a JSON object (as pcfctl -j flow show prints each), not %s",
		    o ? type_name(o) : "null");
	err = read_object(&rd, o, top_fields, "");
	if (err)
		return err;
	if (!rd.has_action)
		return refuse(
		    &rd, "action",
		    "missing: a rule needs {\"type\": \"pass|drop|redirect\", ...}");
	if (!rd.has_type)
		return refuse(&rd, "action.type",
			      "missing: pass, drop or redirect");
	err = pcf_text_rule_words(rd.words, rd.n, ret, &bad, why->msg,
				  sizeof(why->msg));
	if (err) {
		snprintf(why->field, sizeof(why->field), "%s",
			 bad >= 0 ? rd.words[bad].label : "");
		return err;
	}
	*ret_id = rd.id;
	return 0;
}

int pcf_json_rule_parse(const char *text, size_t len, struct pcf_rule *ret,
			__u32 *ret_id, struct pcf_json_refusal *why)
{
	struct reader rd = { .why = why };
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *o;
	size_t end;
	int err;

	*why = (struct pcf_json_refusal){};
	if (len > INT32_MAX)
		return refuse(&rd, "", "the body is too big");
	tok = json_tokener_new_ex(PCF_JSON_DEPTH_MAX);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* all of it read: a NUL says it ends (a bare "1" is whole) */
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	if (jerr == json_tokener_continue ||
	    jerr == json_tokener_error_parse_eof)
		return refuse(&rd, "", "the JSON text ends too soon");
	if (jerr != json_tokener_success)
		return refuse(&rd, "", "not JSON: %s at byte %zu",
			      json_tokener_error_desc(jerr), end);
	while (end < len && text[end] && strchr(" \t\r\n", text[end]))
		end++;
	if (end < len) {
		json_object_put(o);
		return refuse(&rd, "",
			      "more after the JSON object, at byte %zu", end);
	}
	err = pcf_json_rule_read(o, ret, ret_id, why);
	json_object_put(o);
	return err;
}
