/* SPDX-License-Identifier: GPL-2.0 */
/* KTAP on stdout, one JSON document to a file. */
#ifndef PFNMAP_OUTPUT_H
#define PFNMAP_OUTPUT_H

#include <stdio.h>

#include "probe.h"

/* A JSON string literal for @s, quotes included; invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s);

struct run_info {
	const char *release, *version;
	const struct probe_env *env;
	const char *expect_path;	/* NULL: none */
	const char *variant;		/* NULL: a stock kernel */
};

void json_begin(FILE *f, const struct run_info *info);
void json_case(FILE *f, const struct case_def *c, const struct case_report *rep,
	       bool first);
void json_end(FILE *f, long duration_ms, unsigned int pass, unsigned int fail,
	      unsigned int skip);

void ktap_case(FILE *f, unsigned int n, const struct case_def *c,
	       const struct case_report *rep, bool verbose);

#endif
