// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap-probe --describe: the probe's whole vocabulary as one JSON document
 * (docs/probe-json.md). The report and the tests read it instead of knowing
 * the probe's words themselves.
 */
#include <stdio.h>

#include "case.h"
#include "log_concern.h"
#include "output.h"
#include "readback.h"

static size_t null_terminated_len(const char *const *words)
{
	size_t n = 0;

	while (words && words[n])
		n++;
	return n;
}

static void describe_families(FILE *f)
{
	unsigned int i, k;

	fputs("\"families\":[", f);
	for (i = 0; i < FAMILY_NR; i++) {
		const struct family_def *fam = &mapping_families[i];

		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", f);
		json_write_string(f, fam->name);
		fputs(",\"what\":", f);
		json_write_string(f, fam->what);
		fputs(",\"axes\":[", f);
		for (k = 0; k < fam->nr_axes; k++) {
			fputs(k ? ",{\"name\":" : "{\"name\":", f);
			json_write_string(f, fam->axes[k].name);
			fputs(",\"values\":", f);
			json_string_array(f, fam->axes[k].values,
				     null_terminated_len(fam->axes[k].values));
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("],\n", f);
}

static void describe_mappings(FILE *f)
{
	const struct mapping_def *maps;
	size_t nr = mapping_table(&maps), i;
	unsigned int k;

	fputs("\"mappings\":[", f);
	for (i = 0; i < nr; i++) {
		const struct family_def *fam = &mapping_families[maps[i].family];

		fputs(i ? ",\n{\"id\":" : "\n{\"id\":", f);
		json_write_string(f, maps[i].id);
		fputs(",\"family\":", f);
		json_write_string(f, fam->name);
		fputs(",\"axes\":{", f);
		for (k = 0; k < fam->nr_axes; k++) {
			if (k)
				fputc(',', f);
			json_write_string(f, fam->axes[k].name);
			fputc(':', f);
			json_write_string(f, mapping_axis_value(&maps[i], k));
		}
		fputs("}}", f);
	}
	fputs("],\n", f);
}

static void describe_operations(FILE *f)
{
	size_t i;
	unsigned int bit, k;

	fputs("\"operations\":[", f);
	for (i = 0; i < nr_operations; i++) {
		const struct operation_def *op = &operations[i];
		bool first = true;

		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", f);
		json_write_string(f, op->name);
		fputs(",\"what\":", f);
		json_write_string(f, op->what);
		fputs(",\"fields\":[", f);
		for (k = 0; k < FIELD_NR; k++) {
			if (!(op->fields & (1U << k)))
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			json_write_string(f, outcome_fields[k].name);
		}
		fputs("],\"applies_to\":[", f);
		first = true;
		for (bit = 1; applies_name(bit); bit <<= 1) {
			if (!(op->applies & bit))
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			json_write_string(f, applies_name(bit));
		}
		fprintf(f, "],\"key\":%s}", op->key ? "true" : "false");
	}
	fputs("],\n", f);
}

static void describe_fields(FILE *f)
{
	const char *const *errnos;
	size_t nr_errnos, i;

	errnos = errno_names(&nr_errnos);
	fputs("\"fields\":[", f);
	for (i = 0; i < FIELD_NR; i++) {
		const struct field_def *fd = &outcome_fields[i];

		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", f);
		json_write_string(f, fd->name);
		fputs(",\"kind\":", f);
		json_write_string(f, field_kind_names[fd->kind]);
		fputs(",\"meaning\":", f);
		json_write_string(f, fd->meaning);
		fputs(",\"values\":", f);
		if (fd->kind == KIND_ENUM)
			json_string_array(f, fd->values, null_terminated_len(fd->values));
		else if (fd->kind == KIND_RESULT || fd->kind == KIND_CONFIG)
			json_string_array(f, errnos, nr_errnos);
		else
			fputs("[]", f);
		/* null: every architecture has the field. */
		fputs(",\"arches\":", f);
		json_write_string(f, fd->arches);
		fputc('}', f);
	}
	fputs("],\n", f);
}

static void describe_classes(FILE *f, const char *key, enum class_names names)
{
	const char *words[PAGE_CLASS_NR];
	int i;

	for (i = 0; i < PAGE_CLASS_NR; i++)
		words[i] = page_class_name((enum page_class)i, names);
	fprintf(f, "\"%s\":", key);
	json_string_array(f, words, PAGE_CLASS_NR);
	fputs(",\n", f);
}

void describe_write(FILE *f)
{
	const char *const *patterns;
	size_t nr_patterns;

	fprintf(f, "{\"tool\":\"pfnmap-probe\",\"schema_version\":%d,\n", PROBE_SCHEMA_VERSION);
	describe_families(f);
	describe_mappings(f);
	describe_operations(f);
	describe_fields(f);
	describe_classes(f, "page_classes", NAMES_PAGES);
	describe_classes(f, "target_classes", NAMES_TARGET);
	fputs("\"outcome_kinds\":", f);
	json_string_array(f, outcome_kind_names, OUTCOME_KIND_NR);
	fputs(",\n\"statuses\":", f);
	json_string_array(f, status_names, STATUS_NR);
	fputs(",\n\"verdicts\":", f);
	json_string_array(f, verdict_names, VERDICT_NR);
	fputs(",\n\"checks\":", f);
	json_string_array(f, check_names, CHECK_NR);
	patterns = log_concern_patterns(&nr_patterns);
	fputs(",\n\"log_concern\":", f);
	json_string_array(f, patterns, nr_patterns);
	fputs(",\n\"exit_codes\":{\"0\":\"every case that ran passed, at least one ran\","
	      "\"1\":\"some case failed\",\"2\":\"usage or setup error, or no case selected\","
	      "\"4\":\"every selected case was skipped\"}}\n", f);
}
