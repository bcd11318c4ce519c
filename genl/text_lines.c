// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * text_lines.c - text files a line at a time, within limits (see
 * text_lines.h).  One buffer of line_max bytes per reader; every byte is
 * counted as it is read, so no input makes it hold more.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "text_lines.h"

const struct pcf_text_limits pcf_batch_limits = {
	.what = "a batch file",
	.line_max = PCF_BATCH_LINE_MAX,
	.lines_max = PCF_BATCH_LINES_MAX,
	.bytes_max = PCF_BATCH_BYTES_MAX,
};

static int say(char *err, size_t errlen, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int say(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- what is text ---- */

/* The code point of a well-formed UTF-8 sequence at s, its length in *n. */
static long utf8_decode(const unsigned char *s, size_t len, size_t *n)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	long cp;
	size_t i;

	if (b < 0x80)
		return *n = 1, b;
	if (b >= 0xc2 && b <= 0xdf)
		*n = 2, cp = b & 0x1f;
	else if (b >= 0xe0 && b <= 0xef)
		*n = 3, cp = b & 0x0f;
	else if (b >= 0xf0 && b <= 0xf4)
		*n = 4, cp = b & 0x07;
	else
		return -1; /* a continuation byte, C0/C1 (overlong), F5.. */
	/* the second byte's range rules out overlongs, surrogates, > 10FFFF */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (*n > len || s[1] < lo || s[1] > hi)
		return -1;
	for (i = 1; i < *n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	return cp;
}

/* Embeddings, overrides and isolates (Unicode's Bidi_Control but the
 * marks), and the line and paragraph separators. */
static bool reorders_text(long cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

int pcf_text_check(const char *s, size_t len, size_t *ret_at, char *why,
		   size_t whylen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;
	long cp;

	for (i = 0; i < len; i += n) {
		*ret_at = i;
		cp = utf8_decode(u + i, len - i, &n);
		if (cp < 0)
			return say(why, whylen, -EILSEQ, "invalid UTF-8");
		if (cp == 0)
			return say(why, whylen, -EILSEQ,
				   "a NUL byte: not a text file");
		if ((cp < 0x20 && cp != '\t' && cp != '\r') || cp == 0x7f)
			return say(why, whylen, -EILSEQ,
				   "control character 0x%02lx", cp);
		if (cp >= 0x80 && cp <= 0x9f)
			return say(why, whylen, -EILSEQ,
				   "control character U+%04lX", cp);
		if (reorders_text(cp))
			return say(
			    why, whylen, -EILSEQ,
			    "U+%04lX, which makes a line show otherwise than it reads",
			    cp);
	}
	return 0;
}

/* ---- the reader ---- */

int pcf_lines_from(struct pcf_lines *l, FILE *f, const char *name,
		   const struct pcf_text_limits *lim, char *err, size_t errlen)
{
	struct stat st;

	if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode))
		return say(err, errlen, -EISDIR,
			   "%s: is a directory, not a file", name);
	*l = (struct pcf_lines){ .f = f, .name = name, .lim = lim };
	l->buf = malloc(lim->line_max + 1);
	if (!l->buf)
		return say(err, errlen, -ENOMEM, "%s: out of memory", name);
	return 0;
}

int pcf_lines_open(struct pcf_lines *l, const char *path,
		   const struct pcf_text_limits *lim, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	int r;

	if (!f) {
		r = -errno;
		return say(err, errlen, r, "%s: cannot open: %s", path,
			   strerror(-r));
	}
	r = pcf_lines_from(l, f, path, lim, err, errlen);
	if (r) {
		fclose(f);
		return r;
	}
	l->own = true;
	return 0;
}

void pcf_lines_close(struct pcf_lines *l)
{
	if (l->own && l->f)
		fclose(l->f);
	free(l->buf);
	*l = (struct pcf_lines){};
}

/* "32 MiB" rather than 33554432 where it divides. */
static const char *size_words(size_t n, char *buf, size_t len)
{
	if (n && !(n % (1U << 20)))
		snprintf(buf, len, "%zu MiB", n >> 20);
	else
		snprintf(buf, len, "%zu bytes", n);
	return buf;
}

static int over_bytes(struct pcf_lines *l, char *err, size_t errlen)
{
	char size[32];

	return say(err, errlen, -E2BIG, "%s:%u: more than %s, the limit of %s",
		   l->name, l->lineno,
		   size_words(l->lim->bytes_max, size, sizeof(size)),
		   l->lim->what);
}

static int read_failed(struct pcf_lines *l, char *err, size_t errlen)
{
	int r = errno ? -errno : -EIO;

	return say(err, errlen, r, "%s:%u: cannot read: %s", l->name, l->lineno,
		   strerror(-r));
}

int pcf_lines_next(struct pcf_lines *l, char **ret_line, char *err,
		   size_t errlen)
{
	const struct pcf_text_limits *lim = l->lim;
	size_t n = 0, at, skip = 0;
	char why[128];
	int c;

	errno = 0;
	c = getc_unlocked(l->f);
	if (c == EOF)
		return ferror(l->f) ? read_failed(l, err, errlen) : 0;
	if (l->lineno++ == lim->lines_max)
		return say(err, errlen, -E2BIG,
			   "%s:%u: more than %u lines, the limit of %s",
			   l->name, l->lineno, lim->lines_max, lim->what);
	for (; c != EOF && c != '\n'; c = getc_unlocked(l->f)) {
		if (++l->bytes > lim->bytes_max)
			return over_bytes(l, err, errlen);
		if (n == lim->line_max)
			return say(
			    err, errlen, -E2BIG,
			    "%s:%u: line longer than %zu bytes, the limit of %s",
			    l->name, l->lineno, lim->line_max, lim->what);
		if (!c) /* binary: say so now, not after a line of it */
			return say(err, errlen, -EILSEQ,
				   "%s:%u:%zu: a NUL byte: not a text file",
				   l->name, l->lineno, n + 1);
		l->buf[n++] = c;
	}
	if (c == EOF && ferror(l->f))
		return read_failed(l, err, errlen);
	if (c == '\n' && ++l->bytes > lim->bytes_max)
		return over_bytes(l, err, errlen);
	l->buf[n] = '\0';
	if (l->lineno == 1 && n >= 3 && !memcmp(l->buf, "\xef\xbb\xbf", 3))
		skip = 3; /* a byte order mark, as editors on Windows write */
	if (pcf_text_check(l->buf + skip, n - skip, &at, why, sizeof(why)))
		return say(err, errlen, -EILSEQ, "%s:%u:%zu: %s", l->name,
			   l->lineno, skip + at + 1, why);
	*ret_line = l->buf + skip;
	return 1;
}
