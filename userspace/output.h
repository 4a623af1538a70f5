/* SPDX-License-Identifier: GPL-2.0 */
/* KTAP on stdout, one JSON document to a file. */
#ifndef PFNMAP_OUTPUT_H
#define PFNMAP_OUTPUT_H

#include <stdio.h>

#include "case.h"
#include "run_case.h"

/* A JSON string literal for @s, quotes included; invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s);
void json_string_array(FILE *f, const char *const *words, size_t nr);

struct run_info {
	const char *release, *version;
	const struct probe_env *env;
	const char *expect_path;	/* NULL: none */
	const char *variant;		/* NULL: a stock kernel */
	const char *arch;		/* kernels/arch.tsv name */
	const char *device_unusable;	/* why device cases cannot run; NULL: they can */
	bool device_required;		/* --require-device */
};

/* Pass/fail/skip counts, and how often each skip reason came up. */
#define MAX_SKIP_REASONS	8
struct run_summary {
	unsigned int pass, fail, skip;
	struct { const char *text; unsigned int count; } reasons[MAX_SKIP_REASONS];
	unsigned int nr_reasons;
};
void summary_count_skip(struct run_summary *sum, const char *reason);

void json_begin(FILE *f, const struct run_info *info);
void json_case(FILE *f, const struct case_def *c, const struct case_report *rep,
	       bool first);
void json_end(FILE *f, long duration_ms, const struct run_summary *sum);

/* pfnmap-probe --describe: the vocabulary as one JSON document. */
void describe_write(FILE *f);

void ktap_case(FILE *f, unsigned int n, const struct case_def *c,
	       const struct case_report *rep, bool verbose);

#endif
