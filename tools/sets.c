// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sets.c - pcfctl set add|del|show|flush|destroy|load (issue 13), and the
 * sets of flow save and monitor.  A load reads and checks the whole file
 * here, so a bad element is refused with its file:line (or JSON path)
 * before pcfd hears of it; then the elements go in parts, and the last
 * one switches the set's content in one go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pcfctl.h"
#include "set_text.h"

#define SET_FILE_MAX  (512UL << 20) /* a load's file, at most */
#define SAVE_PER_LINE 32	    /* elements a `set add` line of flow save */

static int usage(char *err, size_t len, const char *fmt, const char *a,
		 const char *b)
{
	snprintf(err, len, fmt, a, b);
	return -EINVAL;
}

int pcfctl_parse_set(int argc, char **argv, struct pcfctl_req *ret, char *err,
		     size_t errlen)
{
	const char *cmd = argc > 1 ? argv[1] : "show";
	struct pcf_set_elem e;
	char why[200];
	int i, want = 1; /* words after the command: the name */

	if (!strcmp(cmd, "add"))
		ret->cmd = PCFCTL_SET_ADD, want = -1;
	else if (!strcmp(cmd, "del") || !strcmp(cmd, "delete"))
		ret->cmd = PCFCTL_SET_DEL, want = -2;
	else if (!strcmp(cmd, "show") || !strcmp(cmd, "list"))
		ret->cmd = PCFCTL_SET_SHOW, want = 0;
	else if (!strcmp(cmd, "flush"))
		ret->cmd = PCFCTL_SET_FLUSH;
	else if (!strcmp(cmd, "destroy"))
		ret->cmd = PCFCTL_SET_DESTROY;
	else if (!strcmp(cmd, "load"))
		ret->cmd = PCFCTL_SET_LOAD, want = 2;
	else
		return usage(
		    err, errlen,
		    "unknown command \"set %s\" (try \"pcfctl help\")%s", cmd,
		    "");
	argc -= 2;
	argv += 2;
	if (argc < 1 && want) /* all but show need a name */
		return usage(err, errlen, "set %s needs a set name%s", cmd, "");
	if ((want >= 0 && argc > (want ? want : 1)) ||
	    (want == 2 && argc != 2) || (want == -2 && argc < 2))
		return usage(err, errlen,
			     want == 2	  ? "set %s takes NAME FILE%s"
			     : want == -2 ? "set %s takes NAME ELEM...%s"
					  : "set %s takes one set name%s",
			     cmd, "");
	if (argc < 1)
		return 0;
	ret->set_name = argv[0];
	if (!pcf_set_name_ok(argv[0]))
		return usage(
		    err, errlen,
		    "\"%s\" is not a set name: a letter or _, then letters, digits, _ . - (at most 31)%s",
		    argv[0], "");
	if (want == 2) {
		ret->set_file = argv[1];
		return 0;
	}
	ret->set_words = argv + 1;
	ret->nset_words = argc - 1;
	for (i = 1; i < argc; i++)
		if (pcf_set_elem_parse(argv[i], &e, why, sizeof(why)))
			return usage(err, errlen, "set %s: %s", cmd, why);
	return 0;
}

/* ---- changes ---- */

/* total: the elements of the whole load, said in its first part */
static struct nlmsghdr *set_msg(void *buf, __u8 cmd, const char *name,
				const struct pcf_set_elem *e, size_t n,
				__u32 load, size_t total)
{
	struct nlmsghdr *nlh = pcf_msg_start(buf, cmd, 0, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCF_A_SET);

	mnl_attr_put_strz(nlh, PCF_A_SET_NAME, name);
	if (load)
		mnl_attr_put_u32(nlh, PCF_A_SET_LOAD, load);
	if (load & PCF_SET_LOAD_BEGIN)
		mnl_attr_put_u32(nlh, PCF_A_SET_COUNT, total);
	if (n)
		mnl_attr_put(nlh, PCF_A_SET_ELEMS, n * sizeof(*e), e);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* Elements to pcfd in parts: the load flags on the first and last. */
static int send_parts(struct pcfctl_client *c, __u8 cmd, const char *name,
		      const struct pcf_set_elem *e, size_t n, bool load)
{
	static char buf[PCF_SET_ELEMS_PER_MSG * sizeof(*e) + 256];
	size_t at = 0, k;
	__u32 flags;
	int err;

	do {
		k = n - at < PCF_SET_ELEMS_PER_MSG ? n - at
						   : PCF_SET_ELEMS_PER_MSG;
		flags = load ? (at ? 0 : PCF_SET_LOAD_BEGIN) |
				   (at + k == n ? PCF_SET_LOAD_COMMIT : 0)
			     : 0;
		err = pcfctl_client_talk(
		    c, set_msg(buf, cmd, name, e + at, k, flags, n), NULL,
		    NULL);
		if (err)
			return err;
		at += k;
	} while (at < n);
	return 0;
}

static int words_elems(const struct pcfctl_req *req, struct pcf_set_elem **ret)
{
	char why[200];
	int i;

	*ret = calloc(req->nset_words + 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	for (i = 0; i < req->nset_words; i++)
		if (pcf_set_elem_parse(req->set_words[i], &(*ret)[i], why,
				       sizeof(why)))
			return -EINVAL; /* checked when parsed */
	return 0;
}

/* The whole file in memory (a NUL after it). */
static int read_file(const char *path, char **ret, size_t *ret_len, char *err,
		     size_t len)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	char *text;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > SET_FILE_MAX) {
		snprintf(err, len, "%s: not a regular file of at most %lu MiB",
			 path, SET_FILE_MAX >> 20);
		close(fd);
		return -EINVAL;
	}
	text = malloc(st.st_size + 1);
	while (text && got < (size_t)st.st_size &&
	       (n = read(fd, text + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	if (!text) {
		snprintf(err, len, "%s: out of memory", path);
		return -ENOMEM;
	}
	text[got] = 0;
	*ret = text;
	*ret_len = got;
	return 0;
}

static int set_load(struct pcfctl_client *c, const struct pcfctl_req *req)
{
	struct pcf_set_elem *e = NULL;
	char where[512], *text = NULL;
	size_t n = 0, len = 0;
	int err;

	err = read_file(req->set_file, &text, &len, where, sizeof(where));
	if (!err) {
		err = pcf_set_file_parse(req->set_file, text, len, &e, &n,
					 where, sizeof(where));
		free(text);
	}
	if (err) {
		fprintf(stderr, "Error: %s\n", where);
		return 1;
	}
	err = send_parts(c, PCF_CMD_SET_LOAD, req->set_name, e, n, true);
	free(e);
	return err;
}

/* ---- show ---- */

struct show {
	const struct pcfctl_out *o;
	FILE *f;
	bool save; /* `set add` lines */
	json_object *list, *cur, *elems;
	unsigned int on_line;
};

static void show_end_line(struct show *s)
{
	if (s->save && s->on_line)
		fputc('\n', s->f);
	s->on_line = 0;
}

static int on_set(const struct nlmsghdr *nlh, const struct nlattr *const *tb,
		  void *ctx)
{
	const struct nlattr *st[PCF_A_SET_MAX + 1];
	struct pcf_extack ext = {};
	const struct pcf_set_elem *e;
	struct show *s = ctx;
	const char *name;
	char buf[64];
	size_t n, i;

	if (!tb[PCF_A_SET] ||
	    pcf_attr_parse_nested(tb[PCF_A_SET], &pcf_set_set, st, &ext) ||
	    !st[PCF_A_SET_NAME])
		return 0;
	name = mnl_attr_get_str(st[PCF_A_SET_NAME]);
	if (st[PCF_A_SET_COUNT]) { /* a set's header */
		__u32 count = mnl_attr_get_u32(st[PCF_A_SET_COUNT]);
		__u32 fam = st[PCF_A_SET_FAMILY]
				? mnl_attr_get_u32(st[PCF_A_SET_FAMILY])
				: 0;
		__u32 rules = st[PCF_A_SET_RULES]
				  ? mnl_attr_get_u32(st[PCF_A_SET_RULES])
				  : 0;
		unsigned long long pk =
		    st[PCF_A_SET_PACKETS]
			? mnl_attr_get_u64(st[PCF_A_SET_PACKETS])
			: 0;
		unsigned long long by =
		    st[PCF_A_SET_BYTES] ? mnl_attr_get_u64(st[PCF_A_SET_BYTES])
					: 0;

		show_end_line(s);
		if (s->list) {
			s->cur = json_object_new_object();
			s->elems = json_object_new_array();
			json_object_object_add(s->cur, "name",
					       json_object_new_string(name));
			json_object_object_add(s->cur, "family",
					       json_object_new_int(fam));
			json_object_object_add(s->cur, "count",
					       json_object_new_int64(count));
			json_object_object_add(s->cur, "rules",
					       json_object_new_int64(rules));
			json_object_object_add(s->cur, "packets",
					       json_object_new_int64(pk));
			json_object_object_add(s->cur, "bytes",
					       json_object_new_int64(by));
			json_object_object_add(s->cur, "elements", s->elems);
			json_object_array_add(s->list, s->cur);
		} else if (s->save) {
			if (!count)
				fprintf(s->f, "set add %s\n", name);
		} else {
			fprintf(
			    s->f,
			    "set %s %s elements %u rules %u packets %llu bytes %llu\n",
			    name,
			    fam == 6   ? "ipv6"
			    : fam == 4 ? "ipv4"
				       : "empty",
			    count, rules, pk, by);
		}
		return 0;
	}
	e = mnl_attr_get_payload(st[PCF_A_SET_ELEMS]);
	n = st[PCF_A_SET_ELEMS]
		? mnl_attr_get_payload_len(st[PCF_A_SET_ELEMS]) / sizeof(*e)
		: 0;
	for (i = 0; i < n; i++) {
		pcf_set_elem_format(&e[i], buf, sizeof(buf));
		if (s->list) {
			json_object_array_add(s->elems,
					      json_object_new_string(buf));
		} else if (s->save) {
			if (s->on_line == SAVE_PER_LINE)
				show_end_line(s);
			if (!s->on_line)
				fprintf(s->f, "set add %s", name);
			fprintf(s->f, " %s", buf);
			s->on_line++;
		} else {
			fprintf(s->f, "\t%s\n", buf);
		}
	}
	return 0;
}

static int set_show(struct pcfctl_client *c, const struct pcfctl_out *o,
		    FILE *f, const char *name, bool save)
{
	char buf[512];
	struct nlmsghdr *nlh =
	    pcf_msg_start(buf, PCF_CMD_SET_GET, NLM_F_DUMP, 0);
	struct show s = { .o = o, .f = f, .save = save };
	int err;

	if (name) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, PCF_A_SET);

		mnl_attr_put_strz(nlh, PCF_A_SET_NAME, name);
		mnl_attr_nest_end(nlh, nest);
	}
	if (o && o->json && !save)
		s.list = json_object_new_array();
	err = pcfctl_client_talk(c, nlh, on_set, &s);
	show_end_line(&s);
	if (s.list) {
		if (!err)
			pcfctl_print_json(o, s.list);
		json_object_put(s.list);
	}
	return err;
}

int pcfctl_sets_save(struct pcfctl_client *c, FILE *f)
{
	return set_show(c, NULL, f, NULL, true);
}

int pcfctl_set_run(struct pcfctl_client *c, const struct pcfctl_out *o,
		   const struct pcfctl_req *req)
{
	struct pcf_set_elem *e = NULL;
	char buf[512];
	int err;

	switch (req->cmd) {
	case PCFCTL_SET_ADD:
	case PCFCTL_SET_DEL:
		err = words_elems(req, &e);
		if (!err)
			err = send_parts(
			    c,
			    req->cmd == PCFCTL_SET_ADD ? PCF_CMD_SET_NEW
						       : PCF_CMD_SET_DEL,
			    req->set_name, e, req->nset_words, false);
		free(e);
		return err;
	case PCFCTL_SET_FLUSH:
	case PCFCTL_SET_DESTROY:
		return pcfctl_client_talk(c,
					  set_msg(buf,
						  req->cmd == PCFCTL_SET_FLUSH
						      ? PCF_CMD_SET_FLUSH
						      : PCF_CMD_SET_DESTROY,
						  req->set_name, NULL, 0, 0, 0),
					  NULL, NULL);
	case PCFCTL_SET_LOAD:
		return set_load(c, req);
	case PCFCTL_SET_SHOW:
		return set_show(c, o, o->f, req->set_name, false);
	default:
		return -EINVAL;
	}
}

int pcfctl_set_event(const struct pcfctl_out *o, __u8 cmd,
		     const struct nlattr *const *tb)
{
	const struct nlattr *st[PCF_A_SET_MAX + 1];
	struct pcf_extack ext = {};
	const char *what, *name;
	__u32 count;
	json_object *j;

	what = cmd == PCF_CMD_SET_NEW	    ? "set-added"
	       : cmd == PCF_CMD_SET_DEL	    ? "set-deleted"
	       : cmd == PCF_CMD_SET_FLUSH   ? "set-flushed"
	       : cmd == PCF_CMD_SET_DESTROY ? "set-destroyed"
	       : cmd == PCF_CMD_SET_LOAD    ? "set-loaded"
					    : NULL;
	if (!what || !tb[PCF_A_SET] ||
	    pcf_attr_parse_nested(tb[PCF_A_SET], &pcf_set_set, st, &ext) ||
	    !st[PCF_A_SET_NAME])
		return 0;
	name = mnl_attr_get_str(st[PCF_A_SET_NAME]);
	count = st[PCF_A_SET_COUNT] ? mnl_attr_get_u32(st[PCF_A_SET_COUNT]) : 0;
	if (o->json) {
		j = json_object_new_object();
		json_object_object_add(j, "event",
				       json_object_new_string(what));
		json_object_object_add(j, "set", json_object_new_string(name));
		json_object_object_add(j, "count",
				       json_object_new_int64(count));
		pcfctl_print_json(o, j);
		json_object_put(j);
	} else {
		fprintf(o->f, "%s %s elements %u\n", what, name, count);
	}
	fflush(o->f);
	return 0;
}
