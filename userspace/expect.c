// SPDX-License-Identifier: GPL-2.0
/*
 * Expectations file and kernel version ranges.
 *
 *   # comment
 *   <case-glob>  <version-range>[@<variant-glob>][%<region>]  <outcome ...rest of the line...>
 *
 * The glob is matched with fnmatch(3) against "<mapping>:<operation>"; the
 * range against the running kernel's release. General lines come first: the
 * LAST matching line wins, so a specific line further down overrides them.
 *
 * What-if kernels carry the release of their base, so the version cannot
 * tell them apart: the runner names the variant (--variant) and a line can
 * be qualified with "@<variant-glob>" (fnmatch over the variant name). Such
 * a line never applies to a stock run; in a variant run, a matching
 * qualified line beats every unqualified one wherever it stands in the file.
 *
 * The module's region (pages, memmap, pci: pfnmap_dev_uapi.h names them)
 * changes few outcomes, the PAT memtype of a mapping above all: "%<region>"
 * limits a line to runs on that kind of region, and is otherwise an ordinary
 * line (the last match wins), so it goes below the general line it refines.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "expect.h"
#include "pfnmap_dev_uapi.h"

bool kver_parse(const char *s, struct kver *out)
{
	unsigned int i = 0;

	memset(out, 0, sizeof(*out));
	while (i < 3 && isdigit((unsigned char)*s)) {
		unsigned long n = 0;

		while (isdigit((unsigned char)*s)) {
			n = n * 10 + (unsigned long)(*s - '0');
			if (n > 1000000)
				return false;
			s++;
		}
		out->v[i++] = (unsigned int)n;
		if (*s != '.' || !isdigit((unsigned char)s[1]))
			break;
		s++;
	}
	out->given = i;
	return i > 0;
}

static int kver_cmp(const struct kver *a, const struct kver *b, unsigned int parts)
{
	unsigned int i;

	for (i = 0; i < parts; i++) {
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i] ? -1 : 1;
	}
	return 0;
}

static int bound_holds(const struct kver *v, const char *bound, size_t len)
{
	char text[32], *p = text;
	struct kver b;
	int cmp;
	enum { LT, LE, GT, GE, EQ } op;

	if (!len || len >= sizeof(text))
		return -1;
	memcpy(text, bound, len);
	text[len] = '\0';
	if (!strncmp(p, ">=", 2)) {
		op = GE;
		p += 2;
	} else if (!strncmp(p, "<=", 2)) {
		op = LE;
		p += 2;
	} else if (!strncmp(p, "==", 2)) {
		op = EQ;
		p += 2;
	} else if (*p == '>') {
		op = GT;
		p++;
	} else if (*p == '<') {
		op = LT;
		p++;
	} else if (*p == '=') {
		op = EQ;
		p++;
	} else {
		return -1;
	}
	/* The bound must be a bare version: "6.17", not "6.17-rc1". */
	if (!kver_parse(p, &b))
		return -1;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
	cmp = kver_cmp(v, &b, op == EQ ? b.given : 3);
	switch (op) {
	case LT: return cmp < 0;
	case LE: return cmp <= 0;
	case GT: return cmp > 0;
	case GE: return cmp >= 0;
	case EQ: return cmp == 0;
	}
	return -1;
}

int kver_in_range(const struct kver *v, const char *range)
{
	const char *p = range;
	int all = 1;

	if (!strcmp(range, "*"))
		return 1;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int r = bound_holds(v, p, len);

		if (r < 0)
			return -1;
		if (!r)
			all = 0;	/* keep going: a later malformed bound is still an error */
		if (!comma)
			break;
		p = comma + 1;
	}
	return all;
}

static char *dup_span(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Outcomes are compared as text: "ret=ok   old=zero" means "ret=ok old=zero". */
static void squeeze_blanks(char *s)
{
	char *d = s, *start = s;
	bool blank = false;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			blank = true;
			continue;
		}
		if (blank && d != start)
			*d++ = ' ';
		blank = false;
		*d++ = *s;
	}
	*d = '\0';
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	return n;
}

static bool variant_char_ok(char c, bool glob)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' ||
	       c == '+' || (glob && strchr("*?[]!", c));
}

bool variant_name_ok(const char *name)
{
	if (!name || !*name)
		return false;
	for (; *name; name++)
		if (!variant_char_ok(*name, false))
			return false;
	return true;
}

static bool variant_glob_ok(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!variant_char_ok(s[i], true))
			return false;
	return true;
}

/* One of the region kinds' names, spelled out in @len bytes of @s. */
static bool region_name_ok(const char *s, size_t len)
{
	unsigned int k;

	for (k = 0; k < PFNMAP_REGION_NR; k++) {
		const char *name = pfnmap_region_kind_name(k);

		if (strlen(name) == len && !strncmp(s, name, len))
			return true;
	}
	return false;
}

/*
 * "<rest><sep><qualifier>" in the first @range_len bytes of @range: the
 * qualifier (its length in @len), @range_len cut to <rest>; NULL without @sep.
 */
static const char *split_qualifier(const char *range, size_t *range_len, char sep, size_t *len)
{
	const char *at = memchr(range, sep, *range_len);

	if (!at)
		return NULL;
	*len = *range_len - (size_t)(at - range) - 1;
	*range_len = (size_t)(at - range);
	return at + 1;
}

int expect_parse_line(const char *line, struct expectation *e, char *err, size_t errlen)
{
	const char *p = skip_blank(line), *glob, *range, *outcome, *variant, *region, *arch;
	size_t glob_len, range_len, out_len, variant_len = 0, region_len = 0, arch_len = 0;
	static const struct kver probe_version = { { 1, 0, 0 }, 3 };
	char *range_copy;

	memset(e, 0, sizeof(*e));
	if (!*p || *p == '#' || *p == '\n' || *p == '\r')
		return 0;
	glob = p;
	glob_len = word_len(p);
	range = skip_blank(glob + glob_len);
	range_len = word_len(range);
	outcome = skip_blank(range + range_len);
	out_len = strcspn(outcome, "\r\n");
	while (out_len && isspace((unsigned char)outcome[out_len - 1]))
		out_len--;
	if (!range_len || !out_len) {
		snprintf(err, errlen, "want \"<case-glob> <version-range> <outcome>\"");
		return -1;
	}
	/* "...%<region>": the last qualifier. */
	region = split_qualifier(range, &range_len, '%', &region_len);
	if (region && !region_name_ok(region, region_len)) {
		snprintf(err, errlen, "bad region qualifier \"%%%.*s\" (pages, memmap or pci)",
			 (int)region_len, region);
		return -1;
	}
	/*
	 * "...:<arch>" before it, like Debian's multiarch qualifier
	 * (busybox-static:arm64): ':' is in no range and no variant glob.
	 */
	arch = split_qualifier(range, &range_len, ':', &arch_len);
	if (arch && !arch_known(arch, arch_len)) {
		snprintf(err, errlen, "unknown architecture \"%.*s\" (known: %s)",
			 (int)arch_len, arch, arch_names());
		return -1;
	}
	/* "<range>@<variant-glob>": the qualifier is the part after the '@'. */
	variant = split_qualifier(range, &range_len, '@', &variant_len);
	if (variant && !variant_glob_ok(variant, variant_len)) {
		snprintf(err, errlen, "bad variant qualifier \"@%.*s\"", (int)variant_len, variant);
		return -1;
	}
	/* A run column's "@arm64" is an architecture; here '@' names a variant. */
	if (variant && arch_known(variant, variant_len)) {
		snprintf(err, errlen, "\"@%.*s\" names a variant; an architecture is \":%.*s\"",
			 (int)variant_len, variant, (int)variant_len, variant);
		return -1;
	}
	range_copy = dup_span(range, range_len);
	if (!range_copy || kver_in_range(&probe_version, range_copy) < 0) {
		snprintf(err, errlen, "bad version range \"%.*s\"", (int)range_len, range);
		free(range_copy);
		return -1;
	}
	e->glob = dup_span(glob, glob_len);
	e->range = range_copy;
	e->variant = variant ? dup_span(variant, variant_len) : NULL;
	e->region = region ? dup_span(region, region_len) : NULL;
	e->arch = arch ? dup_span(arch, arch_len) : NULL;
	e->outcome = dup_span(outcome, out_len);
	if (e->outcome)
		squeeze_blanks(e->outcome);
	if (!e->glob || !e->outcome || (variant && !e->variant) || (region && !e->region) ||
	    (arch && !e->arch)) {
		snprintf(err, errlen, "out of memory");
		expect_clear(e);
		return -1;
	}
	return 1;
}

bool expect_add_line(struct expect_set *set, const char *line, int lineno,
		     char *err, size_t errlen)
{
	struct expectation e;
	int r = expect_parse_line(line, &e, err, errlen);

	if (r <= 0)
		return r == 0;
	if (set->nr == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 256;
		struct expectation *n = realloc(set->items, cap * sizeof(*n));

		if (!n) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
		set->items = n;
		set->cap = cap;
	}
	e.line = lineno;
	set->items[set->nr++] = e;
	return true;
}

bool expect_load(struct expect_set *set, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	int lineno = 0;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open", path);
		return false;
	}
	snprintf(set->path, sizeof(set->path), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char why[160];

		lineno++;
		if (!expect_add_line(set, line, lineno, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			fclose(f);
			return false;
		}
	}
	fclose(f);
	return true;
}

void expect_clear(struct expectation *e)
{
	free(e->glob);
	free(e->range);
	free(e->variant);
	free(e->region);
	free(e->arch);
	free(e->outcome);
	memset(e, 0, sizeof(*e));
}

void expect_free(struct expect_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		expect_clear(&set->items[i]);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

const char *expect_lookup(const struct expect_set *set, const char *case_id,
			  const struct expect_run *run)
{
	const char *general = NULL, *qualified = NULL, *variant = run->variant;
	bool have_variant = variant && *variant;
	size_t i;

	for (i = 0; i < set->nr; i++) {
		const struct expectation *e = &set->items[i];

		if (e->variant && (!have_variant || fnmatch(e->variant, variant, 0)))
			continue;
		if (e->region && (!run->region || strcmp(e->region, run->region)))
			continue;
		if (e->arch && (!run->arch || strcmp(e->arch, run->arch)))
			continue;
		if (fnmatch(e->glob, case_id, 0) || kver_in_range(&run->kernel, e->range) != 1)
			continue;
		if (e->variant)
			qualified = e->outcome;
		else
			general = e->outcome;
	}
	return qualified ? qualified : general;
}
