/* SPDX-License-Identifier: GPL-2.0 */
/* Classifying what a range of memory reads, page by page. */
#ifndef PFNMAP_READBACK_H
#define PFNMAP_READBACK_H

#include <stddef.h>
#include <stdint.h>

enum page_class {
	PAGE_PATTERN,	/* pfnmap_pattern_word(object offset) at every word */
	PAGE_ZERO,
	PAGE_MARKER,	/* MARKER_WORD at every word: an anon helper mapping */
	PAGE_OTHER,	/* anything else */
	PAGE_SIGBUS,
	PAGE_SIGSEGV,
	PAGE_HANG,	/* still faulting after READ_HANG_MS: a driver that never inserts */
	PAGE_CLASS_NR
};

/* Filler of the probe's own anonymous helper mappings (targets, neighbours). */
#define MARKER_WORD	0x4d41524b45522121ULL	/* "MARKER!!" */

/*
 * How long one page may take to read before it counts as PAGE_HANG. A driver
 * that answers VM_FAULT_NOPAGE without inserting (sgx_vepc for a page it
 * believes mapped) makes the access fault again forever; under TCG a real
 * first-touch fault takes well under a millisecond.
 */
#define READ_HANG_MS	500

/* Word names for the "target" field: what became of the mapping that was there. */
enum class_names { NAMES_PAGES, NAMES_TARGET };

#define NO_PATTERN	UINT64_MAX	/* page has no expected object offset */

/*
 * Classify @npages pages at @addr. Page i is expected to hold the pattern of
 * object offset @first_offset + i * page_size (unless NO_PATTERN). Faults are
 * caught with sigsetjmp: call only in a case child (it installs SIGBUS and
 * SIGSEGV handlers for the duration of the call).
 */
void classify_pages(const void *addr, size_t npages, uint64_t first_offset,
		    size_t page_size, enum page_class *out);

/* Classify a buffer already in hand (no faults possible). */
enum page_class classify_buffer(const void *buf, size_t page_size,
				uint64_t offset);

/* "pattern" if uniform, else "pattern*4+sigbus*4". Returns buf. */
char *rle_format(const enum page_class *cls, size_t n, enum class_names names,
		 char *buf, size_t len);

/* Write one word and read it back; restores it. "ok", "lost", "sigbus", "sigsegv", "hang". */
const char *probe_write_word(volatile uint64_t *word);

/* Fill @npages at @addr with the pattern of object offset @first_offset on. */
void fill_pattern(void *addr, size_t npages, uint64_t first_offset, size_t page_size);
void fill_marker(void *addr, size_t npages, size_t page_size);

const char *page_class_name(enum page_class c, enum class_names names);

#endif
