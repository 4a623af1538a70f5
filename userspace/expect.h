/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expectations:
 * "<case-glob> <version-range>[@<variant-glob>][:<arch>][%<region>] <outcome>".
 * Last match wins; a line qualified with a variant applies only to a run
 * given --variant, and there beats every unqualified line; a line qualified
 * with an architecture only on that architecture; a line qualified with a
 * region only to a run whose module region is of that kind.
 */
#ifndef PFNMAP_EXPECT_H
#define PFNMAP_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

struct kver {
	unsigned int v[3];	/* major, minor, patch */
	unsigned int given;	/* how many of them the text spelled out */
};

/* "6.18.44-fc-v782" -> 6.18.44; suffixes (-rc7, +, ~rc7, -amd64) ignored. */
bool kver_parse(const char *s, struct kver *out);

/*
 * "*" or comma-joined bounds: ">=5.13,<6.17", "=6.1" (equal in the parts
 * given: 6.1 matches 6.1.x), ">6.12", "<=7.2". All bounds must hold.
 * Returns 1 in range, 0 not, -1 malformed.
 */
int kver_in_range(const struct kver *v, const char *range);

struct expectation {
	char *glob;
	char *range;
	char *variant;		/* fnmatch glob over the variant name; NULL: none */
	char *region;		/* a region kind ("pci"); NULL: any */
	char *arch;		/* kernels/arch.tsv name; NULL: every architecture */
	char *outcome;
	int line;
};

struct expect_set {
	struct expectation *items;
	size_t nr, cap;
	char path[512];
};

/*
 * Parse one line into @e (strings are allocated). Returns 1 for an
 * expectation, 0 for a blank/comment line, -1 for a malformed line with
 * @err describing why.
 */
int expect_parse_line(const char *line, struct expectation *e, char *err, size_t errlen);

/* Frees the strings of a parsed expectation and zeroes it. */
void expect_clear(struct expectation *e);

/* Load a file; false with @err set on the first malformed line. */
bool expect_load(struct expect_set *set, const char *path, char *err, size_t errlen);
bool expect_add_line(struct expect_set *set, const char *line, int lineno,
		     char *err, size_t errlen);
void expect_free(struct expect_set *set);

/* What a run is, as far as the expectations tell runs apart. */
struct expect_run {
	struct kver kernel;
	const char *variant;	/* the what-if variant; NULL or "": a stock kernel */
	const char *region;	/* the module region's kind; NULL: unknown (no module) */
	const char *arch;	/* kernels/arch.tsv name; NULL: lines qualified with one never apply */
};

/*
 * The expected outcome of @case_id in @run. With a variant, the last matching
 * line qualified for it wins; without one (or if none matches), the last
 * matching unqualified line. NULL if no line matches.
 */
const char *expect_lookup(const struct expect_set *set, const char *case_id,
			  const struct expect_run *run);

/* A variant name as --variant accepts it: [A-Za-z0-9._+-], not empty. */
bool variant_name_ok(const char *name);

#endif
