// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_rule_json: libFuzzer on the body of POST and PUT /flows, the JSON
 * of a rule (genl/rule_json.c), with a property: a text it takes prints
 * (pcf_json_rule) as JSON that reads back as the same rule; a refusal
 * always comes with a message, and names a field only if it has one.
 *
 * Build and run: make fuzz; tests/e2e/http_fuzz.sh runs it for a while.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcf_json_refusal why;
	struct pcf_rule r, back;
	const char *text;
	json_object *o;
	__u32 id, id2;
	int rc = pcf_json_rule_parse((const char *)data, size, &r, &id, &why);

	if (rc) {
		if (rc != -EINVAL || !why.msg[0])
			abort(); /* a refusal says why */
		return 0;
	}
	r.id = id;
	o = pcf_json_rule(&r, NULL, NULL);
	if (!o)
		abort();
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (pcf_json_rule_parse(text, strlen(text), &back, &id2, &why) ||
	    id2 != id) { /* no id (0) prints as none */
		fprintf(stderr, "%s does not read back: %s\n", text, why.msg);
		abort();
	}
	back.id = id;
	if (memcmp(&r, &back, sizeof(r))) {
		fprintf(stderr, "%s reads back as another rule\n", text);
		abort();
	}
	json_object_put(o);
	return 0;
}
