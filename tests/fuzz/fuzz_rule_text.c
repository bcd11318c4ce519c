// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_rule_text: libFuzzer on what reads a batch file, the bounded line
 * reader (genl/text_lines.c) and the rule grammar (genl/rule_text.c),
 * with a property: a line the grammar takes prints (pcf_text_change) as
 * words that read back as the same change, printed the same.  A refusal
 * must come with a message.  Small limits, so the fuzzer reaches them.
 *
 * Build and run: make fuzz; tests/e2e/input_fuzz.sh runs it for a while.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_text.h"
#include "text_lines.h"

static const struct pcf_text_limits limits = {
	.what = "a fuzzed file",
	.line_max = 600,
	.lines_max = 40,
	.bytes_max = 4000,
};

static int parse(char *line, struct pcf_flow_change *c, char *err)
{
	char *words[PCF_TEXT_WORDS_MAX];
	int n = pcf_text_split_line(line, words, PCF_TEXT_WORDS_MAX);

	if (n < 1 || strcmp(words[0], "flow"))
		return -ENOENT;
	err[0] = '\0';
	return pcf_text_flow_change(n - 1, words + 1, c, err, 256);
}

static void check_line(char *line)
{
	char err[256], text[PCF_TEXT_RULE_MAX + 32], again[sizeof(text)];
	struct pcf_flow_change c, back;
	int rc = parse(line, &c, err);

	if (rc == -ENOENT)
		return;
	if (rc) {
		if (rc != -EINVAL || !err[0])
			abort(); /* a refusal says why */
		return;
	}
	if (pcf_text_change(&c, text, sizeof(text)) < 0)
		abort(); /* every change fits */
	memcpy(again, text, sizeof(text));
	if (parse(again, &back, err) || memcmp(&c, &back, sizeof(c))) {
		fprintf(stderr, "\"%s\" does not read back: %s\n", text, err);
		abort();
	}
	pcf_text_change(&back, again, sizeof(again));
	if (strcmp(text, again))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *line;
	struct pcf_lines in;
	FILE *f;
	int rc;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f || pcf_lines_from(&in, f, "fuzz", &limits, err, sizeof(err)))
		abort();
	while ((rc = pcf_lines_next(&in, &line, err, sizeof(err))) == 1) {
		if (strlen(line) > limits.line_max)
			abort();
		check_line(line);
	}
	if (rc < 0 && strncmp(err, "fuzz:", 5))
		abort(); /* a refusal names the file */
	pcf_lines_close(&in);
	fclose(f);
	return 0;
}
