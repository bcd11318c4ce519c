// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * config.c - pcfd.conf into an argv of long options, and the rules file
 * into parsed rule changes.  Nothing here touches the data plane.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "table.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- one line ---- */

struct conf_line {
	char *key;   /* points into the line */
	char *value; /* points into the line, unquoted in place */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* After a value: only blanks, then the end or a comment. */
static bool only_comment_left(const char *s)
{
	while (is_blank(*s))
		s++;
	return !*s || *s == '#';
}

/* "..." with \" and \\; s points after the opening quote. */
static const char *unquote_double(char *s, char **ret_end)
{
	char *out = s;

	for (; *s && *s != '"'; s++) {
		if (*s == '\\') {
			s++;
			if (*s != '"' && *s != '\\')
				return "in double quotes only \\\" and \\\\ are escapes";
		}
		*out++ = *s;
	}
	if (*s != '"')
		return "the double quote is not closed";
	*out = '\0';
	*ret_end = s + 1;
	return NULL;
}

static const char *unquote_single(char *s, char **ret_end)
{
	char *close = strchr(s, '\'');

	if (!close)
		return "the single quote is not closed";
	*close = '\0';
	*ret_end = close + 1;
	return NULL;
}

/* A bare value ends at the line's end or at a blank-preceded #. */
static const char *bare_value(char *s)
{
	char *p, *last = s;

	for (p = s; *p; p++) {
		if (*p == '#' && p > s && is_blank(p[-1]))
			break;
		if (*p == '"' || *p == '\'')
			return "a quote inside an unquoted value: quote the whole value";
		if (!is_blank(*p))
			last = p + 1;
	}
	*last = '\0';
	return NULL;
}

static const char *parse_value(char *s, char **ret_value)
{
	const char *why;
	char *end;

	if (*s == '"' || *s == '\'') {
		why = *s == '"' ? unquote_double(s + 1, &end)
				: unquote_single(s + 1, &end);
		if (why)
			return why;
		if (!only_comment_left(end))
			return "text after the closing quote";
		s++;
	} else {
		why = bare_value(s);
		if (why)
			return why;
	}
	*ret_value = s;
	return NULL;
}

/*
 * Split one line (no newline) into key and value.  Returns 1 for a blank
 * or comment line, 0 for a setting, -EINVAL with *why set.
 */
static int parse_line(char *line, struct conf_line *ret, const char **why)
{
	char *s = skip_blanks(line), *key_end, *value;

	if (!*s || *s == '#')
		return 1;
	if (*s == '=') {
		*why = "no key before '='";
		return -EINVAL;
	}
	ret->key = s;
	while (*s && *s != '=' && !is_blank(*s))
		s++;
	key_end = s;
	s = skip_blanks(s);
	if (*s != '=') {
		*why = "expected 'key = value': no '=' after the key";
		return -EINVAL;
	}
	*key_end = '\0';
	value = skip_blanks(s + 1);
	if (*value == '#' && value > s + 1) { /* "key = # comment" */
		*why = "empty value";
		return -EINVAL;
	}
	*why = parse_value(value, &ret->value);
	if (*why)
		return -EINVAL;
	if (!*ret->value) {
		*why = "empty value";
		return -EINVAL;
	}
	return 0;
}

/* ---- keys ---- */

static bool in_list(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static int find_opt(const struct option *opts, const char *name)
{
	int i;

	for (i = 0; opts[i].name; i++)
		if (!strcmp(opts[i].name, name))
			return i;
	return -1;
}

static int count_opts(const struct option *opts)
{
	int n = 0;

	while (opts[n].name)
		n++;
	return n;
}

/* yes/no and friends: 1, 0, or -1 if neither. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	if (in_list(yes, v))
		return 1;
	if (in_list(no, v))
		return 0;
	return -1;
}

/* ---- building the argv ---- */

struct conf_builder {
	struct pcf_conf c;
	int cap;
};

static int push_arg(struct conf_builder *b, char *arg, int line)
{
	char **argv;
	int *lines;

	if (!arg)
		return -ENOMEM;
	if (b->c.argc + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		argv = realloc(b->c.argv, b->cap * sizeof(*argv));
		if (argv)
			b->c.argv = argv;
		lines = realloc(b->c.lines, b->cap * sizeof(*lines));
		if (lines)
			b->c.lines = lines;
		if (!argv || !lines) {
			free(arg);
			return -ENOMEM;
		}
	}
	b->c.lines[b->c.argc] = line;
	b->c.argv[b->c.argc++] = arg;
	b->c.argv[b->c.argc] = NULL;
	return 0;
}

static char *make_arg(const char *key, const char *value)
{
	char *arg;

	if (value ? asprintf(&arg, "--%s=%s", key, value) < 0
		  : asprintf(&arg, "--%s", key) < 0)
		return NULL;
	return arg;
}

/*
 * One setting into the argv.  first_line[i] remembers where option i was
 * first set, to refuse repeats.  Returns -EINVAL with the reason in msg.
 */
static int add_setting(struct conf_builder *b, const struct pcf_conf_spec *spec,
		       int *first_line, const struct conf_line *kv, int line,
		       char *msg, size_t msglen)
{
	int i = find_opt(spec->longopts, kv->key), on;

	if (i < 0 || in_list(spec->cmdline_only, kv->key)) {
		snprintf(
		    msg, msglen,
		    i < 0
			? "unknown key '%s': the keys are pcfd's long options without the dashes, see pcfd(8)"
			: "'%s' is for the command line only",
		    kv->key);
		return -EINVAL;
	}
	if (first_line[i] && !in_list(spec->repeatable, kv->key)) {
		snprintf(msg, msglen, "'%s' is already set on line %d", kv->key,
			 first_line[i]);
		return -EINVAL;
	}
	if (!first_line[i])
		first_line[i] = line;
	if (spec->longopts[i].has_arg != no_argument)
		return push_arg(b, make_arg(kv->key, kv->value), line);
	on = parse_bool(kv->value);
	if (on < 0) {
		snprintf(msg, msglen, "'%s' is yes or no, not '%s'", kv->key,
			 kv->value);
		return -EINVAL;
	}
	return on ? push_arg(b, make_arg(kv->key, NULL), line) : 0;
}

const struct pcf_text_limits pcf_conf_limits = {
	.what = "a configuration file",
	.line_max = PCF_CONF_LINE_MAX,
	.lines_max = PCF_CONF_LINES_MAX,
	.bytes_max = PCF_CONF_BYTES_MAX,
};

static int read_settings(struct pcf_lines *in, const struct pcf_conf_spec *spec,
			 struct conf_builder *b, char *err, size_t errlen)
{
	int *first_line = calloc(count_opts(spec->longopts) + 1, sizeof(int));
	char *line, msg[PCF_CONF_ERR_MAX];
	const char *why = NULL;
	struct conf_line kv;
	int r;

	if (!first_line)
		return -ENOMEM;
	while ((r = pcf_lines_next(in, &line, err, errlen)) == 1) {
		r = parse_line(line, &kv, &why);
		if (r < 0) {
			set_err(err, errlen, "%s:%u: %s", in->name, in->lineno,
				why);
			break;
		}
		if (r)
			continue; /* blank or comment */
		r = add_setting(b, spec, first_line, &kv, in->lineno, msg,
				sizeof(msg));
		if (r == -EINVAL)
			set_err(err, errlen, "%s:%u: %s", in->name, in->lineno,
				msg);
		if (r)
			break;
	}
	free(first_line);
	return r;
}

void pcf_conf_free(struct pcf_conf *c)
{
	int i;

	for (i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	free(c->lines);
	free(c->path);
	*c = (struct pcf_conf){};
}

int pcf_conf_load(const char *path, const struct pcf_conf_spec *spec,
		  struct pcf_conf *ret, char *err, size_t errlen)
{
	struct conf_builder b = {};
	struct pcf_lines in;
	int r;

	r = pcf_lines_open(&in, path, &pcf_conf_limits, err, errlen);
	if (r)
		return r;
	b.c.path = strdup(path);
	r = b.c.path ? push_arg(&b, strdup("pcfd"), 0) : -ENOMEM;
	if (!r)
		r = read_settings(&in, spec, &b, err, errlen);
	pcf_lines_close(&in);
	if (r == -ENOMEM)
		set_err(err, errlen, "%s: out of memory", path);
	if (r) {
		pcf_conf_free(&b.c);
		return r;
	}
	*ret = b.c;
	return 0;
}

const char *pcf_conf_origin(const struct pcf_conf *c, int idx, char *buf,
			    size_t len)
{
	if (idx > 0 && idx < c->argc)
		snprintf(buf, len, "%s:%d", c->path, c->lines[idx]);
	else
		snprintf(buf, len, "%s", c->path ? c->path : "?");
	return buf;
}

const char *pcf_conf_path(int argc, char *const *argv, const char *optstring,
			  const struct option *longopts)
{
	int i = find_opt(longopts, "config"), c, saved_opterr = opterr;
	int want = i < 0 ? 'c' : longopts[i].val;
	const char *path = NULL;

	/* the same tables as the real parse, so "-i -c" means what it does */
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, (char **)argv, optstring, longopts,
				NULL)) != -1)
		if (c == want)
			path = optarg;
	opterr = saved_opterr;
	optind = 0;
	return path;
}

/* ---- the rules file ---- */

/* A batch file's limits, named as what pcfd reads. */
static const struct pcf_text_limits rules_limits = {
	.what = "a rules file",
	.line_max = PCF_BATCH_LINE_MAX,
	.lines_max = PCF_BATCH_LINES_MAX,
	.bytes_max = PCF_BATCH_BYTES_MAX,
};

static int push_change(struct pcf_rules_file *rf, int *cap,
		       const struct pcf_flow_change *change, int line)
{
	struct pcf_flow_change *changes;
	int *lines;

	if (rf->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		changes = realloc(rf->changes, *cap * sizeof(*changes));
		if (changes)
			rf->changes = changes;
		lines = realloc(rf->lines, *cap * sizeof(*lines));
		if (lines)
			rf->lines = lines;
		if (!changes || !lines)
			return -ENOMEM;
	}
	rf->changes[rf->n] = *change;
	rf->lines[rf->n++] = line;
	return 0;
}

/* The words of a line again, one blank apart (for a message about it). */
static const char *join_words(char **words, int n, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "",
				 words[i]);
	return buf;
}

/* One line: 0 (request appended or nothing to do) or -errno with err. */
static int rules_line(struct pcf_rules_file *rf, int *cap, char *line,
		      const char *path, int lineno, char *err, size_t errlen)
{
	char *words[PCF_TEXT_WORDS_MAX], why[256], text[PCF_TEXT_RULE_MAX];
	struct pcf_flow_change change;
	const char *invalid;
	int n = pcf_text_split_line(line, words, PCF_TEXT_WORDS_MAX), r;

	if (!n)
		return 0;
	if (n < 0) {
		set_err(err, errlen, "%s:%d: more than %d words", path, lineno,
			PCF_TEXT_WORDS_MAX);
		return -EINVAL;
	}
	r = strcmp(words[0], "flow")
		? -ENOENT
		: pcf_text_flow_change(n - 1, words + 1, &change, why,
				       sizeof(why));
	if (r == -ENOENT) {
		set_err(
		    err, errlen,
		    "%s:%d: a rules file holds only flow add, replace, del and flush commands%s",
		    path, lineno,
		    strcmp(words[0], "set")
			? ""
			: " (named sets: load them with pcfctl set, they are pinned)");
		return -EINVAL;
	}
	/*
	 * Named sets are pcfd's own, pinned and adopted, and do not exist
	 * yet when the file is read: a rule naming one goes through pcfctl.
	 */
	if (!r && (change.rule.mask.src_set || change.rule.mask.dst_set)) {
		set_err(
		    err, errlen,
		    "%s:%d: %s: a rules file names no set (pcfctl set load, then pcfctl flow add ... @NAME: both are pinned)",
		    path, lineno, join_words(words, n, text, sizeof(text)));
		return -EINVAL;
	}
	if (r) {
		set_err(err, errlen, "%s:%d: %s", path, lineno, why);
		return -EINVAL;
	}
	/* what the daemon would refuse, refused before the first rule */
	if ((change.op == PCF_FLOW_ADD || change.op == PCF_FLOW_REPLACE) &&
	    pcf_rule_validate(&change.rule, &invalid)) {
		set_err(err, errlen, "%s:%d: %s: %s", path, lineno,
			join_words(words, n, text, sizeof(text)), invalid);
		return -EINVAL;
	}
	return push_change(rf, cap, &change, lineno);
}

void pcf_rules_file_free(struct pcf_rules_file *rf)
{
	free(rf->changes);
	free(rf->lines);
	free(rf->path);
	*rf = (struct pcf_rules_file){};
}

int pcf_rules_file_load(const char *path, struct pcf_rules_file *ret, char *err,
			size_t errlen)
{
	struct pcf_rules_file rf = { .path = strdup(path) };
	struct pcf_lines in;
	int ncap = 0, r;
	char *line;

	if (!rf.path)
		r = -ENOMEM;
	else
		r = pcf_lines_open(&in, path, &rules_limits, err, errlen);
	if (r) {
		pcf_rules_file_free(&rf);
		return r;
	}
	while ((r = pcf_lines_next(&in, &line, err, errlen)) == 1) {
		r = rules_line(&rf, &ncap, line, path, in.lineno, err, errlen);
		if (r)
			break;
	}
	if (r == -ENOMEM)
		set_err(err, errlen, "%s: out of memory", path);
	pcf_lines_close(&in);
	if (r) {
		pcf_rules_file_free(&rf);
		return r;
	}
	*ret = rf;
	return 0;
}

const char *pcf_rules_file_error(const struct pcf_rules_file *rf, int i,
				 int err, char *buf, size_t len)
{
	char text[PCF_TEXT_RULE_MAX + 32];

	pcf_text_change(&rf->changes[i], text, sizeof(text));
	snprintf(buf, len, "%s:%d: %s: %s", rf->path, rf->lines[i], text,
		 pcf_text_change_strerror(&rf->changes[i], err));
	return buf;
}
