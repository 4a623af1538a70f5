// SPDX-License-Identifier: GPL-2.0
/*
 * Output: KTAP version 1 on stdout (Documentation/dev-tools/ktap.rst) and one
 * JSON document with every case, its outcome fields and its evidence.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

/* Length of the valid UTF-8 sequence at @s, 0 if it is not one. */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!str) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*s) {
		size_t n = 0;

		/* Printable ASCII needs no escape: one fwrite per run, not one per byte. */
		while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
			n++;
		if (n) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '"': fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		case '\b': fputs("\\b", f); s++; continue;
		case '\f': fputs("\\f", f); s++; continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_seq_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

void json_string_array(FILE *f, const char *const *words, size_t nr)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < nr; i++) {
		if (i)
			fputc(',', f);
		json_write_string(f, words[i]);
	}
	fputc(']', f);
}

static void json_key(FILE *f, const char *key)
{
	json_write_string(f, key);
	fputc(':', f);
}

static void json_int_or_null(FILE *f, int v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%d", v);
}

static void json_bool_or_null(FILE *f, int v)
{
	fputs(v < 0 ? "null" : v ? "true" : "false", f);
}

void json_begin(FILE *f, const struct run_info *info)
{
	const struct probe_env *env = info->env;

	fprintf(f, "{\"tool\":\"pfnmap-probe\",\"schema_version\":%d,\"kernel\":{\"release\":",
		PROBE_SCHEMA_VERSION);
	json_write_string(f, info->release);
	fputs(",\"version\":", f);
	json_write_string(f, info->version);
	fputs(",\"variant\":", f);
	json_write_string(f, info->variant);
	fputs(",\"arch\":", f);
	json_write_string(f, info->arch);
	fputs("},\"device\":{\"path\":", f);
	json_write_string(f, env->device_path);
	fprintf(f, ",\"present\":%s,\"usable\":%s,\"unusable_reason\":",
		env->device_present ? "true" : "false",
		info->device_unusable ? "false" : "true");
	json_write_string(f, info->device_unusable);
	fprintf(f, ",\"required\":%s", info->device_required ? "true" : "false");
	if (env->info_valid) {
		fputs(",\"region_kind\":", f);
		json_write_string(f, pfnmap_region_kind_name(env->info.region_kind));
		fprintf(f, ",\"region_size\":%" PRIu64 ",\"region_has_pages\":%s",
			(uint64_t)env->info.region_size,
			env->info.region_has_pages ? "true" : "false");
	} else {
		fputs(",\"region_kind\":null,\"region_size\":null,\"region_has_pages\":null", f);
	}
	fputs("},\"tmpfs_dir\":", f);
	json_write_string(f, env->tmpfs_dir);
	fprintf(f, ",\"tmpfs_dir_is_tmpfs\":%s,\"expectations\":",
		env->tmpfs_dir_is_tmpfs ? "true" : "false");
	json_write_string(f, info->expect_path);
	fputs(",\n\"cases\":[\n", f);
}

static void json_ranges(FILE *f, const char flags[RANGE_NR][PROBE_FLAGS_LEN])
{
	int i;

	fputc('{', f);
	for (i = 0; i < RANGE_NR; i++) {
		if (i)
			fputc(',', f);
		json_key(f, range_slot_names[i]);
		json_write_string(f, flags[i][0] ? flags[i] : NULL);
	}
	fputc('}', f);
}

static void json_counters(FILE *f, const int64_t *delta)
{
	int i;

	fputc('{', f);
	for (i = 0; i < PFNMAP_CNT_NR; i++)
		fprintf(f, "%s\"%s\":%" PRId64, i ? "," : "", counter_names[i], delta[i]);
	fputc('}', f);
}

static void json_evidence(FILE *f, const struct case_report *rep)
{
	const struct case_result *res = &rep->res;
	int i;

	fputs("\"evidence\":{\"before\":", f);
	json_write_string(f, res->before[0] ? res->before : NULL);
	fputs(",\"vmflags_before\":", f);
	json_ranges(f, res->vmflags_before);
	fputs(",\"vmflags_after\":", f);
	json_ranges(f, res->vmflags_after);
	fputs(",\"counters_delta\":", f);
	if (res->have_file_counters) {
		int64_t d[PFNMAP_CNT_NR];

		for (i = 0; i < PFNMAP_CNT_NR; i++)
			d[i] = (int64_t)(res->file_after.count[i] - res->file_before.count[i]);
		json_counters(f, d);
	} else {
		fputs("null", f);
	}
	fputs(",\"device_counters_delta\":", f);
	if (rep->have_dev_delta)
		json_counters(f, rep->dev_delta);
	else
		fputs("null", f);
	fputs(",\"memtype\":", f);
	json_write_string(f, res->memtype[0] ? res->memtype : NULL);
	fputs(",\"pat_before\":", f);
	json_int_or_null(f, rep->pat_before);
	fputs(",\"pat_after\":", f);
	json_int_or_null(f, rep->pat_after);
	fputs(",\"balance_note\":", f);
	json_write_string(f, rep->balance_note[0] ? rep->balance_note : NULL);
	fputs(",\"last_mremap_start_moved\":", f);
	json_bool_or_null(f, res->mremap_start_moved);
	fputs(",\"child_exit\":", f);
	json_write_string(f, rep->child_exit[0] ? rep->child_exit : NULL);
	fputs(",\"kmsg\":[", f);
	for (i = 0; i < rep->nr_kmsg; i++) {
		if (i)
			fputc(',', f);
		json_write_string(f, rep->kmsg[i]);
	}
	fputs("],\"note\":", f);
	json_write_string(f, res->note[0] ? res->note : NULL);
	fputc('}', f);
}

static void json_mapping(FILE *f, const struct mapping_def *m)
{
	const struct family_def *fam = &mapping_families[m->family];
	unsigned int i;

	fputs("{\"id\":", f);
	json_write_string(f, m->id);
	fputs(",\"family\":", f);
	json_write_string(f, fam->name);
	fputs(",\"axes\":{", f);
	for (i = 0; i < fam->nr_axes; i++) {
		if (i)
			fputc(',', f);
		json_key(f, fam->axes[i].name);
		json_write_string(f, mapping_axis_value(m, i));
	}
	fputs("}}", f);
}

void json_case(FILE *f, const struct case_def *c, const struct case_report *rep,
	       bool first)
{
	const struct case_result *res = &rep->res;
	bool skipped = rep->status == STATUS_SKIP;
	int i;

	fputs(first ? "{" : ",\n{", f);
	json_key(f, "id");
	json_write_string(f, c->id);
	fputs(",\"mapping\":", f);
	json_mapping(f, c->mapping);
	fputs(",\"operation\":", f);
	json_write_string(f, c->op->name);
	fputs(",\"status\":", f);
	json_write_string(f, status_names[rep->status]);
	fputs(",\"verdict\":", f);
	json_write_string(f, verdict_names[rep->verdict]);
	fputs(",\"outcome_kind\":", f);
	json_write_string(f, skipped ? NULL : outcome_kind_names[res->kind]);
	fputs(",\"outcome\":", f);
	json_write_string(f, skipped ? NULL : rep->outcome);
	fputs(",\"fields\":{", f);
	if (!skipped && res->kind == OUTCOME_FIELDS) {
		bool first_field = true;

		for (i = 0; i < FIELD_NR; i++) {
			if (!(rep->fields & (1U << i)))
				continue;
			if (!first_field)
				fputc(',', f);
			first_field = false;
			json_key(f, outcome_fields[i].name);
			json_write_string(f, res->fields[i][0] ? res->fields[i] : "-");
		}
	}
	fputs("},\"expected\":", f);
	json_write_string(f, rep->expected);
	fputs(",\"checks\":{", f);
	for (i = 0; i < CHECK_NR; i++) {
		if (i)
			fputc(',', f);
		json_key(f, check_names[i]);
		json_bool_or_null(f, skipped ? -1 : rep->checks[i]);
	}
	fputs("},\"skip_reason\":", f);
	json_write_string(f, skipped ? rep->skip_reason : NULL);
	fprintf(f, ",\"duration_ms\":%ld,", rep->duration_ms);
	if (skipped)
		fputs("\"evidence\":null", f);
	else
		json_evidence(f, rep);
	fputc('}', f);
}

void json_end(FILE *f, long duration_ms, const struct run_summary *sum)
{
	unsigned int i;

	fprintf(f, "\n],\"duration_ms\":%ld,\"summary\":{\"total\":%u,\"pass\":%u,"
		"\"fail\":%u,\"skip\":%u,\"skip_reasons\":{", duration_ms,
		sum->pass + sum->fail + sum->skip, sum->pass, sum->fail, sum->skip);
	for (i = 0; i < sum->nr_reasons; i++) {
		if (i)
			fputc(',', f);
		json_key(f, sum->reasons[i].text);
		fprintf(f, "%u", sum->reasons[i].count);
	}
	fputs("}}}\n", f);
}

/* ---- KTAP ------------------------------------------------------------------- */

/* Diagnostics must stay one line each: newlines in free text become spaces. */
static void ktap_diag(FILE *f, const char *id, const char *label, const char *text)
{
	fprintf(f, "# %s: %s", id, label);
	for (; text && *text; text++)
		fputc(*text == '\n' || *text == '\r' ? ' ' : *text, f);
	fputc('\n', f);
}

void ktap_case(FILE *f, unsigned int n, const struct case_def *c,
	       const struct case_report *rep, bool verbose)
{
	const struct case_result *res = &rep->res;
	bool failed = rep->status == STATUS_NOT_OK;
	int i;

	if (rep->status == STATUS_SKIP) {
		fprintf(f, "ok %u %s # SKIP %s\n", n, c->id, rep->skip_reason);
		return;
	}
	if (verbose) {
		ktap_diag(f, c->id, "did: ", c->op->what);
		if (res->before[0])
			ktap_diag(f, c->id, "before: old=", res->before);
		ktap_diag(f, c->id, "got: ", rep->outcome);
		ktap_diag(f, c->id, "expected: ", rep->expected ? rep->expected : "(none)");
		for (i = 0; i < RANGE_NR; i++) {
			char label[48];

			if (!res->vmflags_before[i][0] && !res->vmflags_after[i][0])
				continue;
			snprintf(label, sizeof(label), "vmflags %s: ", range_slot_names[i]);
			fprintf(f, "# %s: %s%s -> %s\n", c->id, label,
				res->vmflags_before[i][0] ? res->vmflags_before[i] : "?",
				res->vmflags_after[i][0] ? res->vmflags_after[i] : "?");
		}
		if (res->note[0])
			ktap_diag(f, c->id, "note: ", res->note);
	}
	if (failed && !verbose) {
		if (rep->verdict == VERDICT_CHANGED) {
			ktap_diag(f, c->id, "expected: ", rep->expected);
			ktap_diag(f, c->id, "got:      ", rep->outcome);
		} else if (rep->verdict == VERDICT_NEW) {
			ktap_diag(f, c->id, "new outcome (no expectation): ", rep->outcome);
		}
	}
	if (res->kind != OUTCOME_FIELDS && res->note[0] && !verbose)
		ktap_diag(f, c->id, "note: ", res->note);
	if (rep->checks[CHECK_BALANCED] == 0)
		ktap_diag(f, c->id, "counters unbalanced: ", rep->balance_note);
	for (i = 0; i < rep->nr_kmsg; i++)
		ktap_diag(f, c->id, "kmsg: ", rep->kmsg[i]);
	if (rep->checks[CHECK_EXIT_CLEAN] == 0)
		ktap_diag(f, c->id, "case child ended with ", rep->child_exit);
	/* No "# new" directive: KTAP knows only SKIP/TODO; the diagnostic says it. */
	fprintf(f, "%s %u %s\n", failed ? "not ok" : "ok", n, c->id);
}

void summary_count_skip(struct run_summary *sum, const char *reason)
{
	unsigned int i;

	sum->skip++;
	for (i = 0; i < sum->nr_reasons; i++) {
		if (!strcmp(sum->reasons[i].text, reason)) {
			sum->reasons[i].count++;
			return;
		}
	}
	if (sum->nr_reasons < MAX_SKIP_REASONS) {
		sum->reasons[sum->nr_reasons].text = reason;
		sum->reasons[sum->nr_reasons++].count = 1;
	}
}
