// SPDX-License-Identifier: GPL-2.0
/*
 * Evidence gathering: VmFlags from /proc/self/smaps, kernel log lines of
 * concern from /dev/kmsg, and the module's counters.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "evidence.h"
#include "log_concern.h"

const char *const counter_names[PFNMAP_CNT_NR] = PFNMAP_COUNTER_NAMES;

/* ---- smaps -------------------------------------------------------------- */

/* A VMA header line starts "<hex>-<hex> "; attribute lines start with a name. */
static bool parse_vma_header(const char *line, uintptr_t *start, uintptr_t *end)
{
	char *p;
	unsigned long long s, e;

	if (!isxdigit((unsigned char)line[0]))
		return false;
	s = strtoull(line, &p, 16);
	if (*p != '-')
		return false;
	e = strtoull(p + 1, &p, 16);
	if (*p != ' ')
		return false;
	*start = (uintptr_t)s;
	*end = (uintptr_t)e;
	return true;
}

/* Copy the flags collapsing runs of blanks, so evidence strings are stable. */
static void copy_flags(char *dst, size_t len, const char *src, const char *src_end)
{
	size_t pos = 0;
	bool blank = false;

	while (src < src_end && isspace((unsigned char)*src))
		src++;
	for (; src < src_end && pos + 1 < len; src++) {
		if (isspace((unsigned char)*src)) {
			blank = true;
			continue;
		}
		if (blank && pos + 2 < len)
			dst[pos++] = ' ';
		blank = false;
		dst[pos++] = *src;
	}
	dst[pos] = '\0';
}

int smaps_parse(const char *text, struct vma_info *out, int max)
{
	const char *line = text;
	int nr = 0;
	bool in_vma = false;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		uintptr_t s, e;

		if (parse_vma_header(line, &s, &e)) {
			in_vma = nr < max;
			if (in_vma) {
				out[nr].start = s;
				out[nr].end = e;
				out[nr].flags[0] = '\0';
				nr++;
			}
		} else if (!strncmp(line, "VmFlags:", 8)) {
			if (!nr && !in_vma)
				return -1;
			if (in_vma)
				copy_flags(out[nr - 1].flags, sizeof(out[nr - 1].flags),
					   line + 8, end);
		}
		line = eol ? eol + 1 : NULL;
	}
	return nr;
}

void vmflags_for_range(const struct vma_info *vmas, int nr, uintptr_t start,
		       size_t len, char *buf, size_t buflen)
{
	size_t pos = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < nr; i++) {
		int w;

		if (vmas[i].end <= start || vmas[i].start >= start + len)
			continue;
		w = snprintf(buf + pos, buflen - pos, "%s%s", pos ? " | " : "",
			     vmas[i].flags);
		if (w < 0 || pos + (size_t)w >= buflen)
			break;
		pos += (size_t)w;
	}
	if (!pos)
		snprintf(buf, buflen, "-");
}

bool smaps_past(const char *text, size_t *scanned, uintptr_t limit)
{
	const char *line = text + *scanned, *eol;
	uintptr_t start, end;

	while ((eol = strchr(line, '\n'))) {
		if (parse_vma_header(line, &start, &end) && start >= limit)
			return true;
		line = eol + 1;
	}
	*scanned = (size_t)(line - text);
	return false;
}

/*
 * A whole file in @piece-byte reads, NUL-terminated; NULL if it cannot be
 * opened. With @limit, stop once smaps_past() sees a VMA at or above it.
 */
static char *read_pieces(const char *path, size_t piece, uintptr_t limit)
{
	size_t cap = 1 << 14, len = 0, scanned = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (cap - len < piece + 1) {
			char *n = realloc(buf, cap * 2);

			if (!n)
				break;
			buf = n;
			cap *= 2;
		}
		r = read(fd, buf + len, piece);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if (limit && smaps_past(buf, &scanned, limit))
			break;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

char *read_text_file(const char *path)
{
	return read_pieces(path, 4096, 0);
}

/*
 * /proc/self/smaps up to the first VMA that starts at or above @limit. The
 * kernel walks the page tables and formats some twenty lines for every VMA
 * it shows, on demand: reading in small pieces and stopping there spares it
 * the VMAs above the case's ranges (under TCG the biggest cost of a case).
 * A piece of 1 KiB is about one VMA's record: the kernel formats no more.
 */
static char *read_smaps_upto(uintptr_t limit)
{
	return read_pieces("/proc/self/smaps", 1024, limit);
}

void vmflags_snapshot(const struct range ranges[RANGE_NR],
		      char out[RANGE_NR][PROBE_FLAGS_LEN])
{
	enum { MAX_VMAS = 160 };	/* a case child has a few dozen */
	struct vma_info *vmas = calloc(MAX_VMAS, sizeof(*vmas));
	uintptr_t limit = 0;
	char *text;
	int nr = -1, i;

	for (i = 0; i < RANGE_NR; i++)
		if (ranges[i].len && ranges[i].start + ranges[i].len > limit)
			limit = ranges[i].start + ranges[i].len;
	text = read_smaps_upto(limit);

	if (vmas && text)
		nr = smaps_parse(text, vmas, MAX_VMAS);
	for (i = 0; i < RANGE_NR; i++) {
		out[i][0] = '\0';
		if (!ranges[i].len)
			continue;
		if (nr < 0)
			snprintf(out[i], PROBE_FLAGS_LEN, "?");
		else
			vmflags_for_range(vmas, nr, ranges[i].start, ranges[i].len,
					  out[i], PROBE_FLAGS_LEN);
	}
	free(text);
	free(vmas);
}

/* ---- /dev/kmsg ----------------------------------------------------------- */

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char probe[8192];

	if (fd < 0)
		return -1;
	/* Some setups open fine but refuse reads (dmesg_restrict): find out now. */
	kmsg_skip_to_end(fd);
	if (read(fd, probe, sizeof(probe)) < 0 && errno != EAGAIN && errno != EPIPE) {
		close(fd);
		return -1;
	}
	return fd;
}

void kmsg_skip_to_end(int fd)
{
	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
}

/* The one list of log-concern.txt, shared with the runner and the guest scripts. */
bool kmsg_line_of_concern(const char *msg)
{
	return log_line_of_concern(msg);
}

/* A source location "<path>.<c|h|S>:<line>" starting at @p; its length or 0. */
static size_t source_location_len(const char *p)
{
	size_t n = 0, dot = 0;

	while (isalnum((unsigned char)p[n]) || strchr("_./-", p[n])) {
		if (p[n] == '.')
			dot = n;
		n++;
	}
	if (!dot || n != dot + 2 || !strchr("chS", p[dot + 1]) || p[n] != ':' ||
	    !isdigit((unsigned char)p[n + 1]))
		return 0;
	n++;
	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

/* A word that names a run's value, not the event: 0x..., [mem ...], 8+ hex digits. */
static bool is_run_value(const char *p)
{
	size_t n = 0;

	if (*p == '[' || (p[0] == '0' && p[1] == 'x'))
		return true;
	while (isxdigit((unsigned char)p[n]))
		n++;
	return n >= 8;
}

/*
 * Whether the ':' at @colon ends a task name and starts its pid: digits up to a
 * blank, in a word that is no source location (mm/x.c:44 keeps its line).
 */
static bool is_pid_suffix(const char *line, const char *colon)
{
	const char *word = colon, *q = colon + 1;

	while (word > line && !isspace((unsigned char)word[-1]))
		word--;
	if (!isdigit((unsigned char)*q))
		return false;
	while (isdigit((unsigned char)*q))
		q++;
	if (*q && !isspace((unsigned char)*q))
		return false;
	return !(colon - word > 2 && colon[-2] == '.' && (colon[-1] == 'c' || colon[-1] == 'h'));
}

void log_word(const char *line, char *buf, size_t len)
{
	const char *warn = strstr(line, "WARNING:"), *p;
	size_t n, pos = 0;

	if (warn) {
		for (p = warn + 8; *p; p++) {
			if (p != warn + 8 && !isspace((unsigned char)p[-1]))
				continue;
			n = source_location_len(p);
			if (n) {
				snprintf(buf, len, "WARNING:%.*s", (int)n, p);
				return;
			}
		}
	}
	/*
	 * Anything else: its first 48 characters, blanks as '_', no '+' or '=',
	 * up to the first value that differs from run to run (an address, a
	 * hashed pointer): "mm/pgtable-generic.c:44: bad pud 0000000041a1ec18(...)"
	 * is "mm/pgtable-generic.c:44:_bad_pud" on every boot.
	 */
	for (p = line; *p && pos + 1 < len && pos < 48; p++) {
		char ch = *p;

		if (p != line && isspace((unsigned char)p[-1]) && is_run_value(p))
			break;
		/* "comm:pid" (x86/PAT: pfnmap-probe:45 freeing ...): the pid is the run's. */
		if (ch == ':' && is_pid_suffix(line, p)) {
			while (isdigit((unsigned char)p[1]))
				p++;
			continue;
		}
		if (isspace((unsigned char)ch) || ch == '+' || ch == '=' || !isprint((unsigned char)ch))
			ch = '_';
		buf[pos++] = ch;
	}
	while (pos && buf[pos - 1] == '_')
		pos--;
	buf[pos] = '\0';
}

void log_words(const char lines[][PROBE_KMSG_LEN], int nr, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	snprintf(buf, len, "none");
	for (i = 0; i < nr; i++) {
		char word[PROBE_FIELD_LEN];
		int w;

		log_word(lines[i], word, sizeof(word));
		w = snprintf(buf + used, len - used, "%s%s", used ? "+" : "", word);
		if (w < 0 || used + (size_t)w >= len)
			break;
		used += (size_t)w;
	}
}

bool warn_once_reset(void)
{
	int fd = open(WARN_ONCE_RESET, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, "1", 1) == 1;
	close(fd);
	return ok;
}

int kmsg_collect(int fd, char lines[][PROBE_KMSG_LEN], int max, int *nr_total)
{
	char rec[8192];
	int stored = 0;

	*nr_total = 0;
	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (r < 0 && errno == EPIPE)
			continue;	/* records were overwritten; keep reading */
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		rec[r] = '\0';
		/* "prio,seq,usec,flags[,...];message\n continuation..." */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!kmsg_line_of_concern(msg))
			continue;
		(*nr_total)++;
		if (stored < max)
			copy_str(lines[stored++], PROBE_KMSG_LEN, msg);
	}
	return stored;
}

/* ---- module counters ----------------------------------------------------- */

int counters_read(int fd, unsigned long request, struct pfnmap_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	if (ioctl(fd, request, c) < 0)
		return -errno;
	return 0;
}

const char *pt_level(int pfnmap_fd, const void *addr)
{
	struct pfnmap_pt_query q;

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.addr = (uintptr_t)addr;
	if (ioctl(pfnmap_fd, PFNMAP_IOC_PT_QUERY, &q) < 0)
		return NULL;
	if (q.level >= PFNMAP_PT_NR) {
		errno = ERANGE;
		return NULL;
	}
	return pt_level_values[q.level];
}
