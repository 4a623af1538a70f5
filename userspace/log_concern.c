// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel log lines of concern, from the patterns of log-concern.txt that the
 * Makefile turns into C string literals (log_concern.inc) at build time.
 */
#include <regex.h>
#include <stdio.h>

#include "log_concern.h"

static const char *const patterns[] = {
#include "log_concern.inc"
};

#define NR_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

/*
 * Compiled once, on first use, and never changed afterwards: the only state a
 * case can see from an earlier one. A pattern that does not compile (the unit
 * test and tests/kmsg/check-grep.sh make sure none does) is reported once on
 * stderr and matches nothing.
 */
static regex_t compiled[NR_PATTERNS];
static bool usable[NR_PATTERNS];
static bool ready;

static void compile_patterns(void)
{
	size_t i;

	for (i = 0; i < NR_PATTERNS; i++) {
		int err = regcomp(&compiled[i], patterns[i], REG_EXTENDED | REG_NOSUB);

		usable[i] = !err;
		if (err) {
			char msg[128];

			regerror(err, &compiled[i], msg, sizeof(msg));
			fprintf(stderr, "log_concern: pattern \"%s\": %s\n", patterns[i], msg);
		}
	}
	ready = true;
}

bool log_line_of_concern(const char *line)
{
	size_t i;

	if (!ready)
		compile_patterns();
	for (i = 0; i < NR_PATTERNS; i++)
		if (usable[i] && !regexec(&compiled[i], line, 0, NULL, 0))
			return true;
	return false;
}

const char *const *log_concern_patterns(size_t *nr)
{
	*nr = NR_PATTERNS;
	return patterns;
}
