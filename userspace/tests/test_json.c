// SPDX-License-Identifier: GPL-2.0
/* JSON string escaping. */
#include <stdlib.h>

#include "output.h"
#include "unit.h"

static char *escaped(const char *s)
{
	static char out[512];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, s);
	fclose(f);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return out;
}

void test_json(void)
{
	CHECK_STR(escaped("plain"), "\"plain\"");
	CHECK_STR(escaped(""), "\"\"");
	CHECK_STR(escaped(NULL), "null");
	CHECK_STR(escaped("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(escaped("line\nnext\r\t"), "\"line\\nnext\\r\\t\"");
	CHECK_STR(escaped("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	CHECK_STR(escaped("\b\f"), "\"\\b\\f\"");
	/* valid UTF-8 passes through, invalid bytes become U+FFFD */
	CHECK_STR(escaped("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
	CHECK_STR(escaped("bad\xff"), "\"bad\\ufffd\"");
	CHECK_STR(escaped("\xc3"), "\"\\ufffd\"");			/* truncated */
	CHECK_STR(escaped("\xc0\xaf"), "\"\\ufffd\\ufffd\"");		/* overlong */
	CHECK_STR(escaped("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	/* kmsg-like text with slashes and brackets needs no escaping */
	CHECK_STR(escaped("x86/PAT: [mem 0x1-0x2]"), "\"x86/PAT: [mem 0x1-0x2]\"");
}
