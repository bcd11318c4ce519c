/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h - pcfd's configuration file (/etc/pcf/pcfd.conf) and its rules
 * file.
 *
 * The file holds `key = value` lines whose keys are pcfd's long options.
 * It is turned into an argv of "--key=value" words that pcfd runs through
 * the same getopt_long as its command line, before the command line, so
 * the command line wins and no option has two parsers.  The whole file is
 * checked before pcfd does anything; an error reads "FILE:LINE: what".
 *
 * The rules file is a pcfctl batch file (`pcfctl flow save` prints one):
 * it is read and parsed completely with the grammar pcfctl uses too
 * (genl/rule_text.h), so pcfd can refuse it before touching the rule table.
 *
 * Both are read within limits (genl/text_lines.h): a line, the lines and
 * the bytes of a file; beyond one, or on what is not text, reading stops
 * with "FILE:LINE: why", so memory stays bounded whatever the file is.
 */
#ifndef PCF_CONFIG_H
#define PCF_CONFIG_H

#include <getopt.h>
#include <stddef.h>

#include "rule_text.h"
#include "text_lines.h"

#define PCF_CONF_DEFAULT "/etc/pcf/pcfd.conf"
/* the configuration file's limits; the rules file has a batch file's */
#define PCF_CONF_LINE_MAX  1024 /* bytes */
#define PCF_CONF_LINES_MAX 16384
#define PCF_CONF_BYTES_MAX (1U << 20)
extern const struct pcf_text_limits pcf_conf_limits;
#define PCF_CONF_ERR_MAX 512

/* What the file may hold, from the caller's option table. */
struct pcf_conf_spec {
	/* pcfd's getopt_long table: its long names are the keys */
	const struct option *longopts;
	/* NULL-terminated: keys that may appear more than once */
	const char *const *repeatable;
	/* NULL-terminated: long options refused in a file (help, config...) */
	const char *const *cmdline_only;
};

struct pcf_conf {
	char *path;
	/*
	 * argv[0] is "pcfd"; then one "--key=value" (or "--key" for an
	 * option without argument) per setting, in file order; NULL-ended.
	 */
	char **argv;
	int argc;
	int *lines; /* lines[i]: the file line of argv[i] (0 for argv[0]) */
};

/*
 * Read and check path.  On error, *ret is left empty, err holds
 * "PATH:LINE: what is wrong" (or "PATH: ..." when the file cannot be read)
 * and a negative errno is returned: -EINVAL for a bad setting, -E2BIG
 * beyond a limit, -EILSEQ for what is not text, -EISDIR for a directory,
 * the open/read error otherwise.
 *
 * Values: `key = value`, `key = "value"` or `key = 'value'` (in double
 * quotes, \" and \\ stand for " and \).  Options without argument take a
 * boolean: yes/no, true/false, on/off, 1/0; "no" leaves the option out.
 * A # starts a comment at the start of a line or after a blank outside
 * quotes.
 */
int pcf_conf_load(const char *path, const struct pcf_conf_spec *spec,
		  struct pcf_conf *ret, char *err, size_t errlen);
void pcf_conf_free(struct pcf_conf *c);

/* "PATH:LINE" of argv[idx] into buf (for a value pcfd refuses). */
const char *pcf_conf_origin(const struct pcf_conf *c, int idx, char *buf,
			    size_t len);

/*
 * The value of -c/--config in argv (the last one wins), or NULL: a quiet
 * getopt_long pass over pcfd's own optstring and longopts (the "config"
 * entry's val, 'c' if there is none), run before the real parse so the
 * file can be applied first.  Leaves optind = 0 (getopt reinitialises).
 */
const char *pcf_conf_path(int argc, char *const *argv, const char *optstring,
			  const struct option *longopts);

/* A rules file, parsed: one change per command line. */
struct pcf_rules_file {
	char *path;
	struct pcf_flow_change *changes;
	int *lines; /* lines[i]: the file line of changes[i] */
	int n;
};

/*
 * Read a pcfctl batch file (within a batch file's limits): blank lines
 * and # comments skipped, every other line parsed by pcf_text_flow_change
 * and, for add and replace, checked by pcf_rule_validate.  Only `flow
 * add|replace|del|flush` may appear (a start-up file changes rules,
 * nothing else).  All or nothing: on error *ret is left empty, err says
 * "PATH:LINE: ..." (with the line's words when the rule is refused), and
 * the return is as pcf_conf_load's.
 */
int pcf_rules_file_load(const char *path, struct pcf_rules_file *ret, char *err,
			size_t errlen);
void pcf_rules_file_free(struct pcf_rules_file *rf);

/*
 * Applying changes[i] failed with err (pcf_rule_add, _del, _del_match or
 * _flush): "PATH:LINE: flow del id 999999: no rule with this id" into
 * buf.  Returns buf.
 */
const char *pcf_rules_file_error(const struct pcf_rules_file *rf, int i,
				 int err, char *buf, size_t len);

#endif /* PCF_CONFIG_H */
