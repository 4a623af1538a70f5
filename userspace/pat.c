// SPDX-License-Identifier: GPL-2.0
/*
 * x86 PAT memtype evidence. remap_pfn_range() and vmf_insert_pfn() reserve a
 * memtype for non-RAM ranges (a memmap= region), which shows up in debugfs
 * as one line of x86/pat_memtype_list; RAM (a "pages" region) is tracked in
 * page flags instead and never appears there. mremap has handled that
 * reservation differently across versions (untrack_pfn_moved, then
 * untrack_pfn_clear, then the refcounted pfnmap_track_ctx in 6.16): the
 * count before and after a case tells whether a reservation outlived it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "pat.h"

bool region_parse(const char *text, struct region_phys *out)
{
	const char *line = text;
	unsigned int seen = 0;

	memset(out, 0, sizeof(*out));
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		char word[16];
		unsigned long long v;

		if (sscanf(line, "kind %15s", word) == 1) {
			out->listed = !strcmp(word, "memmap") || !strcmp(word, "pci");
			seen |= 1;
		} else if (sscanf(line, "phys %llx", &v) == 1) {
			out->phys = v;
			seen |= 2;
		} else if (sscanf(line, "size %llx", &v) == 1) {
			out->size = v;
			seen |= 4;
		}
		line = eol ? eol + 1 : NULL;
	}
	out->valid = seen == 7 && out->size;
	return out->valid;
}

void region_read(struct region_phys *out)
{
	char *text = read_text_file(PFNMAP_REGION_DEBUGFS);

	memset(out, 0, sizeof(*out));
	if (text)
		region_parse(text, out);
	free(text);
}

int pat_count_overlaps(const char *text, uint64_t start, uint64_t size)
{
	const char *line = text;
	uint64_t end = start + size;
	int n = 0;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		const char *mem = strstr(line, "[mem ");
		unsigned long long s, e;

		if (mem && (!eol || mem < eol) &&
		    sscanf(mem, "[mem %llx-%llx]", &s, &e) == 2 &&
		    s < end && e > start)
			n++;
		line = eol ? eol + 1 : NULL;
	}
	return n;
}

int pat_count_region(const struct region_phys *r)
{
	char *text;
	int n;

	if (!r->valid)
		return -1;
	text = read_text_file(PAT_MEMTYPE_LIST);
	if (!text)
		return -1;
	n = pat_count_overlaps(text, r->phys, r->size);
	free(text);
	return n;
}

int pat_memtypes(const char *text, uint64_t start, uint64_t size, char *buf, size_t len)
{
	const char *line = text;
	uint64_t end = start + size;
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		const char *mem = strstr(line, "[mem ");
		unsigned long long s, e;
		char type[32], *seen;
		int w;

		line = eol ? eol + 1 : NULL;
		if (!mem || (eol && mem > eol) ||
		    sscanf(mem, "[mem %llx-%llx] %31s", &s, &e, type) != 3 || s >= end || e <= start)
			continue;
		n++;
		/* Each type once: "write-back", not "write-back+write-back". */
		seen = strstr(buf, type);
		if (seen && (seen == buf || seen[-1] == '+') &&
		    (seen[strlen(type)] == '\0' || seen[strlen(type)] == '+'))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? "+" : "", type);
		if (w < 0 || used + (size_t)w >= len)
			break;
		used += (size_t)w;
	}
	if (!n)
		snprintf(buf, len, "none");
	return n;
}

int pat_memtypes_range(uint64_t start, uint64_t size, char *buf, size_t len)
{
	char *text;
	int n;

	buf[0] = '\0';
	if (!size)
		return -1;
	text = read_text_file(PAT_MEMTYPE_LIST);
	if (!text)
		return -1;
	n = pat_memtypes(text, start, size, buf, len);
	free(text);
	return n;
}

const char *pat_verdict(int before, int after)
{
	if (before < 0 || after < 0)
		return "-";
	if (after > before)
		return "leaked";
	return after < before ? "freed" : "same";
}
