// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a range page by page and saying what each page holds. A read that
 * faults is caught with sigsetjmp/siglongjmp so that SIGBUS and SIGSEGV are
 * observations, not deaths. The jump buffer is process-global by necessity
 * (a signal handler cannot take arguments); it only ever lives in a forked
 * case child, which exits after one case, so nothing carries over.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "outcome.h"
#include "readback.h"

static sigjmp_buf fault_jump;
static volatile sig_atomic_t fault_armed;

static void fault_handler(int sig)
{
	if (!fault_armed) {
		/* A fault outside a guarded access: die with the real signal. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_armed = 0;
	siglongjmp(fault_jump, sig);
}

struct fault_guard {
	struct sigaction old_bus, old_segv, old_alrm;
};

static void guard_install(struct fault_guard *g)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, &g->old_bus);
	sigaction(SIGSEGV, &sa, &g->old_segv);
	sigaction(SIGALRM, &sa, &g->old_alrm);
}

/* SIGALRM after @ms while a guarded access runs (0: disarm). */
static void guard_deadline(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void guard_remove(struct fault_guard *g)
{
	fault_armed = 0;
	guard_deadline(0);
	sigaction(SIGBUS, &g->old_bus, NULL);
	sigaction(SIGSEGV, &g->old_segv, NULL);
	sigaction(SIGALRM, &g->old_alrm, NULL);
}

static enum page_class signal_class(int sig)
{
	return sig == SIGBUS ? PAGE_SIGBUS : sig == SIGALRM ? PAGE_HANG : PAGE_SIGSEGV;
}

enum page_class classify_buffer(const void *buf, size_t page_size,
				uint64_t offset)
{
	const uint64_t *w = buf;
	size_t nr = page_size / sizeof(uint64_t), i;
	bool is_pattern = offset != NO_PATTERN, is_zero = true, is_marker = true;

	for (i = 0; i < nr; i++) {
		uint64_t v = w[i];

		if (is_pattern && v != pfnmap_pattern_word(offset + i * 8))
			is_pattern = false;
		if (v)
			is_zero = false;
		if (v != MARKER_WORD)
			is_marker = false;
		if (!is_pattern && !is_zero && !is_marker)
			return PAGE_OTHER;
	}
	if (is_pattern)
		return PAGE_PATTERN;
	return is_zero ? PAGE_ZERO : PAGE_MARKER;
}

void classify_pages(const void *addr, size_t npages, uint64_t first_offset,
		    size_t page_size, enum page_class *out)
{
	/* Pages are copied out through a volatile pointer so every read happens. */
	uint64_t *copy = malloc(page_size);
	struct fault_guard g;
	volatile size_t i;

	if (!copy) {
		for (i = 0; i < npages; i++)
			out[i] = PAGE_OTHER;
		return;
	}
	guard_install(&g);
	for (i = 0; i < npages; i++) {
		const volatile uint64_t *src;
		size_t w;
		int sig;

		sig = sigsetjmp(fault_jump, 1);
		if (sig) {
			guard_deadline(0);
			out[i] = signal_class(sig);
			continue;
		}
		src = (const volatile uint64_t *)((const char *)addr + i * page_size);
		fault_armed = 1;
		/* The real family reads "pages" of up to 128 MiB (real.vfio.1g): 10 ms per MiB more. */
		guard_deadline(READ_HANG_MS + (long)(page_size >> 20) * 10);
		for (w = 0; w < page_size / sizeof(uint64_t); w++)
			copy[w] = src[w];
		guard_deadline(0);
		fault_armed = 0;
		out[i] = classify_buffer(copy, page_size, first_offset == NO_PATTERN ?
					 NO_PATTERN : first_offset + i * page_size);
	}
	guard_remove(&g);
	free(copy);
}

const char *probe_write_word(volatile uint64_t *word)
{
	struct fault_guard g;
	const char *res;
	uint64_t saved, probe;
	int sig;

	guard_install(&g);
	sig = sigsetjmp(fault_jump, 1);
	if (sig) {
		res = page_class_name(signal_class(sig), NAMES_PAGES);
		goto out;
	}
	fault_armed = 1;
	guard_deadline(READ_HANG_MS);
	saved = *word;
	probe = ~saved;
	*word = probe;
	res = *word == probe ? "ok" : "lost";
	*word = saved;
	fault_armed = 0;
out:
	guard_remove(&g);
	return res;
}

void fill_pattern(void *addr, size_t npages, uint64_t first_offset, size_t page_size)
{
	uint64_t *w = addr;
	size_t i, nr = npages * page_size / sizeof(uint64_t);

	for (i = 0; i < nr; i++)
		w[i] = pfnmap_pattern_word(first_offset + i * 8);
}

void fill_marker(void *addr, size_t npages, size_t page_size)
{
	uint64_t *w = addr;
	size_t i, nr = npages * page_size / sizeof(uint64_t);

	for (i = 0; i < nr; i++)
		w[i] = MARKER_WORD;
}

const char *page_class_name(enum page_class c, enum class_names names)
{
	static const char *const pages[PAGE_CLASS_NR] = {
		"pattern", "zero", "marker", "other", "sigbus", "sigsegv", "hang",
	};
	/* For a pre-existing target mapping: what happened to it. */
	static const char *const target[PAGE_CLASS_NR] = {
		"replaced", "zero", "intact", "other", "sigbus", "unmapped", "hang",
	};

	if ((unsigned int)c >= PAGE_CLASS_NR)
		return "?";
	return names == NAMES_TARGET ? target[c] : pages[c];
}

char *rle_format(const enum page_class *cls, size_t n, enum class_names names,
		 char *buf, size_t len)
{
	size_t i = 0, pos = 0;
	bool uniform = true;

	buf[0] = '\0';
	if (!n) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (i = 1; i < n; i++)
		if (cls[i] != cls[0])
			uniform = false;
	if (uniform) {
		snprintf(buf, len, "%s", page_class_name(cls[0], names));
		return buf;
	}
	for (i = 0; i < n;) {
		size_t run = 1;
		int w;

		while (i + run < n && cls[i + run] == cls[i])
			run++;
		w = snprintf(buf + pos, pos < len ? len - pos : 0, "%s%s*%zu",
			     i ? "+" : "", page_class_name(cls[i], names), run);
		if (w < 0 || pos + (size_t)w >= len) {
			buf[pos] = '\0';	/* drop the partial run: whole runs only */
			break;
		}
		pos += (size_t)w;
		i += run;
	}
	return buf;
}
