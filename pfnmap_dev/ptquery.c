// SPDX-License-Identifier: GPL-2.0
/*
 * PFNMAP_IOC_PT_QUERY: which page-table level maps a user address of the
 * calling process. The probe needs this as evidence for huge pfnmaps: a PUD
 * leaf that mremap silently dropped reads back fine (the driver refaults),
 * and the usual way to look (/proc/self/smaps) walks the VMA and splits, for
 * a special VMA zaps, the very leaf it should report. This walk reads the
 * entries and changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "pfnmap_dev.h"

/*
 * The caller holds mmap_lock for reading, which keeps page tables from being
 * freed by anything but a concurrent munmap of the same range by another
 * thread of the caller (unmap may downgrade to the read lock before
 * free_pgtables()). The PTE table is read through the kernel's direct map
 * (pte_offset_map() is not exported); at worst a racing caller reads a stale
 * entry of its own, never someone else's memory.
 */
static void pfnmap_pt_walk(struct mm_struct *mm, struct pfnmap_pt_query *q)
{
	unsigned long addr = q->addr;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	q->level = PFNMAP_PT_NONE;
	pgd = pgd_offset(mm, addr);
	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return;
	pudp = pud_offset(p4d, addr);
	pud = READ_ONCE(*pudp);
	q->entry = pud_val(pud);
	if (pud_none(pud) || !pud_present(pud))
		return;
	if (pud_leaf(pud)) {
		q->level = PFNMAP_PT_PUD;
		q->pfn = pud_pfn(pud) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
		return;
	}
	if (pud_bad(pud))
		return;
	pmdp = pmd_offset(pudp, addr);
	pmd = READ_ONCE(*pmdp);
	q->entry = pmd_val(pmd);
	if (pmd_none(pmd) || !pmd_present(pmd))
		return;
	if (pmd_leaf(pmd)) {
		q->level = PFNMAP_PT_PMD;
		q->pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		return;
	}
	if (pmd_bad(pmd))
		return;
	pte = READ_ONCE(*pte_offset_kernel(pmdp, addr));
	q->entry = pte_val(pte);
	if (!pte_present(pte))
		return;
	q->level = PFNMAP_PT_PTE;
	q->pfn = pte_pfn(pte);
}

long pfnmap_pt_query(void __user *arg)
{
	struct pfnmap_pt_query q;
	struct mm_struct *mm = current->mm;
	u32 usize;
	int ret = pfnmap_user_size(arg, PFNMAP_PT_QUERY_SIZE_VER0, &usize);

	if (ret)
		return ret;
	ret = copy_struct_from_user(&q, sizeof(q), arg, usize);
	if (ret)
		return ret;
	if (q.addr >= TASK_SIZE) {
		pr_warn_ratelimited("PT_QUERY of %#llx, not a user address\n",
				    (unsigned long long)q.addr);
		return -EINVAL;
	}
	q.level = PFNMAP_PT_NONE;
	q.pfn = 0;
	q.entry = 0;
	if (!mm)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	pfnmap_pt_walk(mm, &q);
	mmap_read_unlock(mm);
	if (q.level == PFNMAP_PT_NONE)
		q.pfn = 0;
	return pfnmap_copy_out(arg, &q, sizeof(q), usize);
}
