// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_text_lines: the bounded line reader (genl/text_lines.h) that reads
 * batch files, pcfd's rules file and its configuration.  Each limit holds
 * at its edge and is refused one byte or line beyond with FILE:LINE and the
 * limit named; NUL bytes, control characters, invalid UTF-8 and text that
 * reorders itself are refused with their column; /dev/zero stops at its
 * first byte and a directory before any read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "text_lines.h"

static const struct pcf_text_limits small = {
	.what = "a test file",
	.line_max = 8,
	.lines_max = 3,
	.bytes_max = 20,
};

/*
 * Read all of text (len bytes) with lim: the lines joined with '|' into
 * got, the error (or "") into err; returns the last pcf_lines_next.
 */
static int read_all(const char *text, size_t len,
		    const struct pcf_text_limits *lim, char *got, char *err)
{
	FILE *f = fmemopen((void *)text, len, "r");
	struct pcf_lines l;
	char *line;
	int r;

	assert_non_null(f);
	got[0] = err[0] = '\0';
	assert_int_equal(pcf_lines_from(&l, f, "t", lim, err, 256), 0);
	while ((r = pcf_lines_next(&l, &line, err, 256)) == 1)
		sprintf(got + strlen(got), "%s%s", *got ? "|" : "", line);
	pcf_lines_close(&l);
	fclose(f);
	return r;
}

#define READS(text, lim, want_got)                                        \
	do {                                                              \
		char got[256], err[256];                                  \
		int r_ = read_all(text, sizeof(text) - 1, lim, got, err); \
		if (r_)                                                   \
			fail_msg("\"%s\" refused: %s", text, err);        \
		assert_string_equal(got, want_got);                       \
	} while (0)

#define REFUSES(text, lim, want_rc, want_err)                             \
	do {                                                              \
		char got[256], err[256];                                  \
		int r_ = read_all(text, sizeof(text) - 1, lim, got, err); \
		assert_int_equal(r_, want_rc);                            \
		assert_string_equal(err, want_err);                       \
	} while (0)

static void test_lines(void **state)
{
	READS("", &small, "");
	READS("a\nb", &small, "a|b"); /* the last line needs no newline */
	READS("a\n\nb\n", &small, "a||b");
	READS("a\r\n\tb \n", &small, "a\r|\tb ");
	READS("\xef\xbb\xbf"
	      "a\n",
	      &small, "a"); /* a byte order mark */
	READS("a\n\xef\xbb\xbf", &small, "a|\xef\xbb\xbf"); /* only first */
}

static void test_limits(void **state)
{
	/* a line of line_max bytes, lines_max lines, bytes_max bytes: fine */
	READS("12345678\n", &small, "12345678");
	READS("a\nb\nc\n", &small, "a|b|c");
	READS("12345678\n12345678\nab", &small, "12345678|12345678|ab");
	/* one more is not */
	REFUSES("123456789\n", &small, -E2BIG,
		"t:1: line longer than 8 bytes, the limit of a test file");
	REFUSES("a\nb\nc\nd", &small, -E2BIG,
		"t:4: more than 3 lines, the limit of a test file");
	REFUSES("a\nb\nc\n\n", &small, -E2BIG,
		"t:4: more than 3 lines, the limit of a test file");
	REFUSES("12345678\n12345678\nabc", &small, -E2BIG,
		"t:3: more than 20 bytes, the limit of a test file");
	REFUSES("12345678\n12345678\nab\n", &small, -E2BIG,
		"t:3: more than 20 bytes, the limit of a test file");
}

static void test_not_text(void **state)
{
	REFUSES("ok\na\0b\n", &small, -EILSEQ,
		"t:2:2: a NUL byte: not a text file");
	REFUSES("\x1b[2J\n", &small, -EILSEQ, "t:1:1: control character 0x1b");
	REFUSES("ab\x7f\n", &small, -EILSEQ, "t:1:3: control character 0x7f");
	REFUSES("a\vb\n", &small, -EILSEQ, "t:1:2: control character 0x0b");
	REFUSES("a\xc2\x85\n", &small, -EILSEQ,
		"t:1:2: control character U+0085");
	REFUSES(
	    "\xe2\x80\xae", &small, -EILSEQ,
	    "t:1:1: U+202E, which makes a line show otherwise than it reads");
	REFUSES(
	    "\xe2\x81\xa6", &small, -EILSEQ,
	    "t:1:1: U+2066, which makes a line show otherwise than it reads");
	REFUSES("a\xff\n", &small, -EILSEQ, "t:1:2: invalid UTF-8");
	REFUSES("\xe9t\xe9\n", &small, -EILSEQ, "t:1:1: invalid UTF-8");
	REFUSES("\xc0\xaf", &small, -EILSEQ, "t:1:1: invalid UTF-8"); /* '/' */
	REFUSES("\xe0\x80\xaf", &small, -EILSEQ, "t:1:1: invalid UTF-8");
	REFUSES("\xed\xa0\x80", &small, -EILSEQ, "t:1:1: invalid UTF-8");
	REFUSES("\xf4\x90\x80\x80", &small, -EILSEQ, "t:1:1: invalid UTF-8");
	REFUSES("a\xe2\x82", &small, -EILSEQ, "t:1:2: invalid UTF-8");
	/* UTF-8 that is text: é, €, 𝄞 */
	READS("\xc3\xa9\xe2\x82\xac\n\xf0\x9d\x84\x9e", &small,
	      "\xc3\xa9\xe2\x82\xac|\xf0\x9d\x84\x9e");
}

static void test_batch_limits(void **state)
{
	assert_int_equal(pcf_batch_limits.line_max, 4096);
	assert_int_equal(pcf_batch_limits.lines_max, 8 * PCF_MAX_RULES);
	assert_int_equal(pcf_batch_limits.bytes_max, 32 << 20);
	assert_string_equal(pcf_batch_limits.what, "a batch file");
}

static void test_files(void **state)
{
	struct pcf_lines l;
	char err[256], *line;

	/* endless NUL bytes: refused at the first, nothing more is read */
	assert_int_equal(
	    pcf_lines_open(&l, "/dev/zero", &pcf_batch_limits, err, 256), 0);
	assert_int_equal(pcf_lines_next(&l, &line, err, sizeof(err)), -EILSEQ);
	assert_string_equal(err, "/dev/zero:1:1: a NUL byte: not a text file");
	pcf_lines_close(&l);
	assert_int_equal(pcf_lines_open(&l, "/tmp", &small, err, 256), -EISDIR);
	assert_string_equal(err, "/tmp: is a directory, not a file");
	assert_int_equal(pcf_lines_open(&l, "/nonexistent", &small, err, 256),
			 -ENOENT);
	assert_string_equal(
	    err, "/nonexistent: cannot open: No such file or directory");
	assert_int_equal(pcf_lines_open(&l, "/dev/null", &small, err, 256), 0);
	assert_int_equal(pcf_lines_next(&l, &line, err, sizeof(err)), 0);
	pcf_lines_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_not_text),
		cmocka_unit_test(test_batch_limits),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
