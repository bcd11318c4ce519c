// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * set_text.c - set names and elements as text, and the files `set load`
 * reads: one element a line, or JSON (an array of strings, or design
 * 001's allowlist object).  Pure: no I/O, the caller reads the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "set_text.h"

bool pcf_set_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n >= PCF_SET_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     c == '_';

		if (!alpha &&
		    (!i || !((c >= '0' && c <= '9') || c == '.' || c == '-')))
			return false;
	}
	return true;
}

/* A decimal 0..max with no sign, no leading zero; -1 if not. */
static int plen_parse(const char *s, unsigned int max)
{
	unsigned int v = 0;
	const char *p;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s > 3)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v <= max ? (int)v : -1;
}

int pcf_set_elem_parse(const char *text, struct pcf_set_elem *ret, char *why,
		       size_t len)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned int max, i;
	__u8 host[16];
	int plen;

	memset(ret, 0, sizeof(*ret));
	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, text, alen);
	addr[alen] = 0;
	if (inet_pton(AF_INET, addr, ret->addr) == 1)
		ret->family = 4;
	else if (inet_pton(AF_INET6, addr, ret->addr) == 1)
		ret->family = 6;
	else
		goto bad;
	max = ret->family == 4 ? 32 : 128;
	plen = slash ? plen_parse(slash + 1, max) : (int)max;
	if (plen < 0) {
		snprintf(why, len, "\"%.60s\": the prefix length must be 0..%u",
			 text, max);
		return -EINVAL;
	}
	ret->plen = plen;
	memcpy(host, ret->addr, 16);
	for (i = plen; i < max; i++)
		host[i / 8] &= ~(0x80 >> (i % 8));
	if (memcmp(host, ret->addr, 16)) {
		char net[INET6_ADDRSTRLEN];

		inet_ntop(ret->family == 4 ? AF_INET : AF_INET6, host, net,
			  sizeof(net));
		snprintf(
		    why, len,
		    "\"%.60s\": host bits set beyond the prefix length (the prefix is %s/%d)",
		    text, net, plen);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(why, len, "\"%.60s\" is not an IPv4 or IPv6 address or prefix",
		 text);
	return -EINVAL;
}

void pcf_set_elem_format(const struct pcf_set_elem *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned int max = e->family == 6 ? 128 : 32;

	inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->addr, a, sizeof(a));
	if (e->plen == max)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, e->plen);
}

/* ---- files ---- */

struct elems {
	struct pcf_set_elem *v;
	size_t n, cap;
	__u8 family;
	char first[64]; /* where the family was set, for the message */
};

/* where: "line %lu" or "PATH[%lu]" with at, made only when needed */
static int push(struct elems *el, const struct pcf_set_elem *e,
		const char *where, const char *path, unsigned long at,
		char *why, size_t len)
{
	if (!el->family) {
		el->family = e->family;
		snprintf(el->first, sizeof(el->first), where, path, at);
	} else if (e->family != el->family) {
		snprintf(
		    why, len,
		    "IPv%u, but the set is IPv%u (from %s): one family a set",
		    e->family, el->family, el->first);
		return -EINVAL;
	}
	if (el->n == el->cap) {
		size_t cap = el->cap ? 2 * el->cap : 1024;
		void *p = realloc(el->v, cap * sizeof(*el->v));

		if (!p) {
			snprintf(why, len, "out of memory");
			return -ENOMEM;
		}
		el->v = p;
		el->cap = cap;
	}
	el->v[el->n++] = *e;
	return 0;
}

static int parse_lines(const char *name, const char *text, size_t len,
		       struct elems *el, char *where, size_t wlen)
{
	const char *p = text, *end = text + len;
	unsigned long line = 0;
	char buf[128], why[160];

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *b, *e;
		struct pcf_set_elem elem;

		if (!nl)
			nl = end;
		line++;
		b = p;
		e = nl;
		p = nl + 1;
		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b &&
		       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (b == e || *b == '#')
			continue;
		if ((size_t)(e - b) >= sizeof(buf)) {
			snprintf(where, wlen,
				 "%s:%lu: not an address or prefix", name,
				 line);
			return -EINVAL;
		}
		memcpy(buf, b, e - b);
		buf[e - b] = 0;
		if (pcf_set_elem_parse(buf, &elem, why, sizeof(why)) ||
		    push(el, &elem, "%sline %lu", "", line, why, sizeof(why))) {
			snprintf(where, wlen, "%s:%lu: %s", name, line, why);
			return -EINVAL;
		}
	}
	return 0;
}

static int json_list(const char *name, struct json_object *arr,
		     const char *path, struct elems *el, char *where,
		     size_t wlen)
{
	size_t i, n = json_object_array_length(arr);
	char why[160];

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct pcf_set_elem elem;

		if (!json_object_is_type(o, json_type_string)) {
			snprintf(where, wlen, "%s: %s[%zu]: not a string", name,
				 path, i);
			return -EINVAL;
		}
		if (pcf_set_elem_parse(json_object_get_string(o), &elem, why,
				       sizeof(why)) ||
		    push(el, &elem, "%s[%lu]", path, i, why, sizeof(why))) {
			snprintf(where, wlen, "%s: %s[%zu]: %s", name, path, i,
				 why);
			return -EINVAL;
		}
	}
	return 0;
}

/* Design 001's allowlist: flat_ip_list, which total_ips must count. */
static int json_allowlist(const char *name, struct json_object *obj,
			  struct elems *el, char *where, size_t wlen)
{
	struct json_object *list, *total;

	if (!json_object_object_get_ex(obj, "flat_ip_list", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		snprintf(
		    where, wlen,
		    "%s: $.flat_ip_list: missing or not an array (an object must be an allowlist: version, total_ips, organizations, flat_ip_list)",
		    name);
		return -EINVAL;
	}
	if (json_object_object_get_ex(obj, "total_ips", &total) &&
	    (!json_object_is_type(total, json_type_int) ||
	     json_object_get_int64(total) !=
		 (int64_t)json_object_array_length(list))) {
		snprintf(where, wlen,
			 "%s: $.total_ips: says %s, $.flat_ip_list has %zu",
			 name, json_object_to_json_string(total),
			 json_object_array_length(list));
		return -EINVAL;
	}
	return json_list(name, list, "$.flat_ip_list", el, where, wlen);
}

/* Line of the byte at off (1-based). */
static unsigned long line_of(const char *text, size_t off)
{
	unsigned long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

static int parse_json(const char *name, const char *text, size_t len,
		      struct elems *el, char *where, size_t wlen)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *root;
	int err;

	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_parse_end(tok) < len) {
		size_t off = json_tokener_get_parse_end(tok);
		enum json_tokener_error je = json_tokener_get_error(tok);

		/* only blanks may follow the value */
		while (root && off < len &&
		       (text[off] == ' ' || text[off] == '\n' ||
			text[off] == '\t' || text[off] == '\r'))
			off++;
		if (!root || off < len) {
			snprintf(where, wlen, "%s:%lu: not valid JSON (%s)",
				 name, line_of(text, off),
				 root ? "text after the value"
				      : json_tokener_error_desc(
					    je == json_tokener_continue
						? json_tokener_error_parse_eof
						: je));
			json_object_put(root);
			json_tokener_free(tok);
			return -EINVAL;
		}
	}
	json_tokener_free(tok);
	if (json_object_is_type(root, json_type_array))
		err = json_list(name, root, "$", el, where, wlen);
	else if (json_object_is_type(root, json_type_object))
		err = json_allowlist(name, root, el, where, wlen);
	else {
		snprintf(
		    where, wlen,
		    "%s: $: a JSON array of strings or an allowlist object, not %s",
		    name, json_type_to_name(json_object_get_type(root)));
		err = -EINVAL;
	}
	json_object_put(root);
	return err;
}

int pcf_set_file_parse(const char *name, const char *text, size_t len,
		       struct pcf_set_elem **ret, size_t *ret_n, char *where,
		       size_t where_len)
{
	struct elems el = {};
	size_t i = 0;
	int err;

	if (len > 0x7fffffff) {
		snprintf(where, where_len, "%s: too big", name);
		return -EFBIG;
	}
	while (i < len && (text[i] == ' ' || text[i] == '\n' ||
			   text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i < len && (text[i] == '[' || text[i] == '{'))
		err = parse_json(name, text, len, &el, where, where_len);
	else
		err = parse_lines(name, text, len, &el, where, where_len);
	if (err) {
		free(el.v);
		return err;
	}
	*ret = el.v;
	*ret_n = el.n;
	return 0;
}
