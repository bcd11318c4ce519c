/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * text_lines.h - a text file read a line at a time, within limits: the
 * batch files pcfctl runs, pcfd's rules file (the same format) and pcfd's
 * configuration file.
 *
 * The reader holds one line at most, so memory stays bounded whatever
 * comes in (/dev/zero, an endless pipe).  It stops at the first line that
 * breaks a limit (its length, the number of lines, the bytes read) or is
 * not text, and says "NAME:LINE: why".  Text is UTF-8 without NUL bytes
 * and without control characters but tab and CR (C0, DEL, C1, and the
 * bidirectional controls that make a line read otherwise than it parses).
 * A UTF-8 byte order mark before the first line is skipped.
 */
#ifndef PCF_TEXT_LINES_H
#define PCF_TEXT_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pcf_abi.h"

struct pcf_text_limits {
	const char *what;	/* "a batch file": names the limit broken */
	size_t line_max;	/* bytes in a line, its newline not counted */
	unsigned int lines_max; /* lines in the file */
	size_t bytes_max;	/* bytes in the file */
};

/*
 * pcfctl -batch and pcfd's rules file: a line holds any rule as words
 * (under PCF_TEXT_RULE_MAX, 512 bytes) eight times over; the file a full
 * table of the longest rules four times over, of usual ones (150 bytes)
 * fourteen times, and eight times as many lines as the table has rules.
 */
#define PCF_BATCH_LINE_MAX  4096
#define PCF_BATCH_LINES_MAX (8 * PCF_MAX_RULES)
#define PCF_BATCH_BYTES_MAX (32U << 20)
extern const struct pcf_text_limits pcf_batch_limits;

struct pcf_lines {
	FILE *f;
	const char *name; /* for messages */
	const struct pcf_text_limits *lim;
	char *buf; /* line_max + 1 */
	unsigned int lineno;
	size_t bytes;
	bool own; /* f is ours to close */
};

/*
 * Open path for reading (a regular file, a pipe or a character device; a
 * directory is refused, -EISDIR).  -errno with "PATH: why" in err.
 */
int pcf_lines_open(struct pcf_lines *l, const char *path,
		   const struct pcf_text_limits *lim, char *err, size_t errlen);
/* Read f (stdin, say), named name in messages; not closed at the end. */
int pcf_lines_from(struct pcf_lines *l, FILE *f, const char *name,
		   const struct pcf_text_limits *lim, char *err, size_t errlen);

/*
 * The next line, without its newline, NUL-terminated in a buffer of the
 * reader's (valid until the next call): returns 1, or 0 at the end.  On
 * error, reading is over: -E2BIG for a limit, -EILSEQ for what is not
 * text, -errno for a read error, with "NAME:LINE: why" in err.
 */
int pcf_lines_next(struct pcf_lines *l, char **ret_line, char *err,
		   size_t errlen);
void pcf_lines_close(struct pcf_lines *l);

/*
 * Is s (len bytes) text as above?  0, or -EILSEQ with the byte offset of
 * the first offence in *ret_at and a reason in why.
 */
int pcf_text_check(const char *s, size_t len, size_t *ret_at, char *why,
		   size_t whylen);

#endif /* PCF_TEXT_LINES_H */
