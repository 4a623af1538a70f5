// SPDX-License-Identifier: GPL-2.0
/*
 * log-concern.txt against the recorded samples (tests/kmsg/samples.txt, made
 * by tests/kmsg/record-samples.sh from kernel sources and real boots): every
 * "match" line must be of concern, every "nomatch" line must not.
 * tests/kmsg/check-grep.sh holds grep -E -f to the same samples.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_concern.h"
#include "unit.h"

#ifndef LOG_CONCERN_SAMPLES
#define LOG_CONCERN_SAMPLES "../tests/kmsg/samples.txt"
#endif

enum { MAX_REPORTED = 20 };

static void check_patterns(void)
{
	size_t nr, i;
	const char *const *pat = log_concern_patterns(&nr);

	CHECK(nr > 0);
	for (i = 0; i < nr; i++) {
		regex_t re;
		int err = regcomp(&re, pat[i], REG_EXTENDED | REG_NOSUB);

		CHECK(pat[i][0] != '\0' && pat[i][0] != '#');
		if (err) {
			unit_failed++;
			fprintf(stderr, "log-concern.txt: \"%s\" does not compile (%d)\n", pat[i], err);
			continue;
		}
		unit_passed++;
		regfree(&re);
	}
}

void test_log_concern(void)
{
	const char *path = getenv("LOG_CONCERN_SAMPLES");
	unsigned int nr_match = 0, nr_nomatch = 0, wrong = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	check_patterns();
	/* Lines seen in dmesg (with a timestamp) and on /dev/kmsg (without). */
	CHECK(log_line_of_concern("[   12.345678] mm/pgtable-generic.c:44: bad pud 0000000041a1ec18(80000000800002f7)"));
	CHECK(!log_line_of_concern(""));
	/*
	 * Words a substring list once took for a BUG. No kernel tree prints these
	 * (record-samples.sh found none to record), so they are spelled out here.
	 */
	CHECK(!log_line_of_concern("BUGS found: 0"));
	CHECK(!log_line_of_concern("[    0.000000] this kernel has DEBUG_VM and CONFIG_DEBUG_PAGEALLOC"));

	if (!path || !*path)
		path = LOG_CONCERN_SAMPLES;
	f = fopen(path, "r");
	if (!f) {
		unit_failed++;
		fprintf(stderr, "test_log_concern: cannot open %s\n", path);
		return;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *source, *text;
		bool want;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		source = strchr(line, '\t');
		text = source ? strchr(source + 1, '\t') : NULL;
		if (!text) {
			unit_failed++;
			fprintf(stderr, "%s:%u: not KIND<TAB>SOURCE<TAB>LINE\n", path, lineno);
			continue;
		}
		*source++ = '\0';
		*text++ = '\0';
		if (!strcmp(line, "match")) {
			want = true;
			nr_match++;
		} else if (!strcmp(line, "nomatch")) {
			want = false;
			nr_nomatch++;
		} else {
			unit_failed++;
			fprintf(stderr, "%s:%u: kind \"%s\"\n", path, lineno, line);
			continue;
		}
		if (log_line_of_concern(text) == want) {
			unit_passed++;
			continue;
		}
		unit_failed++;
		if (++wrong <= MAX_REPORTED)
			fprintf(stderr, "%s:%u: %s, want %s (%s): %s\n", path, lineno,
				want ? "passes" : "of concern", want ? "concern" : "pass",
				source, text);
	}
	free(line);
	fclose(f);
	if (wrong > MAX_REPORTED)
		fprintf(stderr, "test_log_concern: %u samples wrong in all\n", wrong);
	/* An empty or truncated file must not pass quietly. */
	CHECK(nr_match >= 50);
	CHECK(nr_nomatch >= 50);
}
