// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap personalities of /dev/pfnmap and the vm_operations behind them.
 * Each hook counts what the kernel asked of it: the probe reads the counters
 * as the driver's side of the evidence.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/overflow.h>

#include "compat.h"
#include "pfnmap_dev.h"

static struct pfnmap_file *pfnmap_vma_file(struct vm_area_struct *vma)
{
	return vma->vm_private_data;
}

/* Called for every copy of a VMA: fork, mremap, and each half of a split. */
static void pfnmap_vm_open(struct vm_area_struct *vma)
{
	struct pfnmap_file *pf = pfnmap_vma_file(vma);

	pfnmap_count(pf, PFNMAP_CNT_VM_OPENS);
	pfnmap_count(pf, PFNMAP_CNT_LIVE_VMAS);
}

static void pfnmap_vm_close(struct vm_area_struct *vma)
{
	struct pfnmap_file *pf = pfnmap_vma_file(vma);

	pfnmap_count(pf, PFNMAP_CNT_VM_CLOSES);
	pfnmap_uncount(pf, PFNMAP_CNT_LIVE_VMAS);
}

/*
 * Counts the calls, not the splits: a partial mremap on 7.2 asks at both
 * edges in prep_move_vma() and again in each __split_vma() (4 calls for 2
 * splits), a shrink asks once.
 */
static int pfnmap_vm_split(struct vm_area_struct *vma, unsigned long addr)
{
	struct pfnmap_file *pf = pfnmap_vma_file(vma);

	pfnmap_count(pf, PFNMAP_CNT_SPLIT_HOOK_CALLS);
	return pf->config.split_hook == PFNMAP_SPLIT_REFUSE ? -EINVAL : 0;
}

/*
 * Called on the new VMA after its page tables were moved. Nothing tells the
 * driver whether the old range stays mapped (MREMAP_DONTUNMAP): record where
 * the VMA went so that the probe can see what the driver was told.
 */
static int pfnmap_vm_mremap(struct vm_area_struct *vma)
{
	struct pfnmap_file *pf = pfnmap_vma_file(vma);

	pfnmap_count(pf, PFNMAP_CNT_MREMAPS);
	atomic64_set(&pf->counters.last_mremap_start, vma->vm_start);
	atomic64_set(&pfnmap_dev_counters.last_mremap_start, vma->vm_start);
	return pf->config.mremap_hook == PFNMAP_MREMAP_REFUSE ? -EINVAL : 0;
}

/*
 * The pfn comes from the file offset, which mremap keeps consistent, never
 * from the VMA size: a VMA that grew past the region must not reach memory
 * beyond it, so such faults are counted and refused.
 */
static vm_fault_t pfnmap_vm_fault(struct vm_fault *vmf)
{
	struct pfnmap_file *pf = pfnmap_vma_file(vmf->vma);
	unsigned long region_pages = pfnmap_region.size >> PAGE_SHIFT;

	pfnmap_count(pf, PFNMAP_CNT_FAULTS);
	if (vmf->pgoff >= region_pages) {
		pfnmap_count(pf, PFNMAP_CNT_OUT_OF_REGION_FAULTS);
		pr_warn_ratelimited("fault at page %lu of a %lu-page region: SIGBUS\n",
				    vmf->pgoff, region_pages);
		return VM_FAULT_SIGBUS;
	}
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      PHYS_PFN(pfnmap_region.phys) + vmf->pgoff);
}

/*
 * Like sgx_vepc_fault(): the first fault of a page index backs it and inserts
 * the pfn; a fault of an index that is already backed assumes its PTE is
 * still there (the driver never lets it go) and returns VM_FAULT_NOPAGE
 * without inserting. Should the kernel drop or move that PTE behind the
 * driver's back, every later access faults again, forever.
 */
static vm_fault_t pfnmap_vm_vepc_fault(struct vm_fault *vmf)
{
	struct pfnmap_file *pf = pfnmap_vma_file(vmf->vma);
	vm_fault_t ret;

	if (vmf->pgoff < pfnmap_region.size >> PAGE_SHIFT &&
	    test_and_set_bit(vmf->pgoff, pf->vepc_backed)) {
		pfnmap_count(pf, PFNMAP_CNT_NOPAGE_FAULTS);
		return VM_FAULT_NOPAGE;
	}
	ret = pfnmap_vm_fault(vmf);
	if (ret != VM_FAULT_NOPAGE && vmf->pgoff < pfnmap_region.size >> PAGE_SHIFT)
		clear_bit(vmf->pgoff, pf->vepc_backed);
	return ret;
}

#if PFNMAP_HAVE_HUGE_PFNMAP
/*
 * Like vfio_pci_mmap_huge_fault(): a PUD or PMD leaf where the aligned
 * address range lies inside the VMA and the pfn is aligned to the leaf,
 * otherwise VM_FAULT_FALLBACK and the kernel asks again a level down (->fault
 * for a PTE).
 */
static vm_fault_t pfnmap_vm_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct pfnmap_file *pf = pfnmap_vma_file(vma);
	unsigned long nr = 1UL << order, size = PAGE_SIZE << order;
	unsigned long addr = ALIGN_DOWN(vmf->address, size);
	unsigned long pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long pfn = PHYS_PFN(pfnmap_region.phys) + pgoff;

	if (!order)
		return pfnmap_vm_fault(vmf);
	if (addr < vma->vm_start || addr + size > vma->vm_end ||
	    !IS_ALIGNED(pfn, nr) || pgoff + nr > pfnmap_region.size >> PAGE_SHIFT)
		return VM_FAULT_FALLBACK;
	switch (order) {
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	case PMD_ORDER:
		pfnmap_count(pf, PFNMAP_CNT_PMD_FAULTS);
		return pfnmap_insert_pfn_pmd(vmf, pfn);
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
	case PUD_ORDER:
		pfnmap_count(pf, PFNMAP_CNT_PUD_FAULTS);
		return pfnmap_insert_pfn_pud(vmf, pfn);
#endif
	}
	return VM_FAULT_FALLBACK;
}

#define PFNMAP_HUGE_FAULT	pfnmap_vm_huge_fault
#else
#define PFNMAP_HUGE_FAULT	NULL
#endif

/*
 * generic_access_phys() ioremaps the pfn it finds in the PTE. In a COW
 * (MAP_PRIVATE, writable) mapping a written page's PTE points at an anonymous
 * page, which is RAM: x86 refuses to ioremap RAM with a WARN ("ioremap on
 * RAM", docs/findings/generic-access-phys-cow.md). The driver cannot tell a
 * COWed PTE from one of its own, so it serves ->access on shared mappings
 * only; PFNMAP_CFG_UNSAFE_ACCESS_COW skips this check to show what the kernel
 * does.
 */
static int __maybe_unused pfnmap_vm_access(struct vm_area_struct *vma,
					   unsigned long addr, void *buf,
					   int len, int write)
{
	if (pfnmap_vma_is_cow(vma)) {
		pr_warn_ratelimited("->access refused on a private (COW) mapping\n");
		return -EINVAL;
	}
	return pfnmap_access_phys(vma, addr, buf, len, write);
}

/* What serves faults: nothing (all inserted at mmap), a PTE, PTE/PMD/PUD, vepc-style. */
enum pfnmap_faults { PFNMAP_FAULTS_NONE, PFNMAP_FAULTS_PTE, PFNMAP_FAULTS_HUGE,
		     PFNMAP_FAULTS_VEPC, PFNMAP_FAULTS_NR };

/* ->access: none, refused on COW mappings, or the bare kernel helper (a hazard). */
enum pfnmap_access { PFNMAP_ACCESS_NONE, PFNMAP_ACCESS_SHARED, PFNMAP_ACCESS_UNSAFE,
		     PFNMAP_ACCESS_NR };

#define PFNMAP_VM_OPS(fault_fn, huge_fn, mremap_fn, access_fn) {	\
	.open = pfnmap_vm_open,					\
	.close = pfnmap_vm_close,				\
	.PFNMAP_VM_OPS_SPLIT_HOOK = pfnmap_vm_split,		\
	.fault = fault_fn,					\
	.huge_fault = huge_fn,					\
	.mremap = mremap_fn,					\
	.access = access_fn,					\
}

#define PFNMAP_MREMAP	pfnmap_vm_mremap
#if PFNMAP_HAVE_ACCESS_PHYS
#define PFNMAP_ACCESS	pfnmap_vm_access
#define PFNMAP_UNSAFE	pfnmap_access_phys
#else
#define PFNMAP_ACCESS	NULL
#define PFNMAP_UNSAFE	NULL
#endif

/*
 * Indexed by [enum pfnmap_faults][has ->mremap][enum pfnmap_access]; hooks a
 * personality does not have stay NULL, so the kernel sees exactly the driver
 * it models.
 */
static const struct vm_operations_struct
pfnmap_vm_ops[PFNMAP_FAULTS_NR][2][PFNMAP_ACCESS_NR] = {
	[PFNMAP_FAULTS_NONE] = {
		{ PFNMAP_VM_OPS(NULL, NULL, NULL, NULL),
		  PFNMAP_VM_OPS(NULL, NULL, NULL, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(NULL, NULL, NULL, PFNMAP_UNSAFE) },
		{ PFNMAP_VM_OPS(NULL, NULL, PFNMAP_MREMAP, NULL),
		  PFNMAP_VM_OPS(NULL, NULL, PFNMAP_MREMAP, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(NULL, NULL, PFNMAP_MREMAP, PFNMAP_UNSAFE) },
	},
	[PFNMAP_FAULTS_PTE] = {
		{ PFNMAP_VM_OPS(pfnmap_vm_fault, NULL, NULL, NULL),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, NULL, NULL, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, NULL, NULL, PFNMAP_UNSAFE) },
		{ PFNMAP_VM_OPS(pfnmap_vm_fault, NULL, PFNMAP_MREMAP, NULL),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, NULL, PFNMAP_MREMAP, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, NULL, PFNMAP_MREMAP, PFNMAP_UNSAFE) },
	},
	[PFNMAP_FAULTS_HUGE] = {
		{ PFNMAP_VM_OPS(pfnmap_vm_fault, PFNMAP_HUGE_FAULT, NULL, NULL),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, PFNMAP_HUGE_FAULT, NULL, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, PFNMAP_HUGE_FAULT, NULL, PFNMAP_UNSAFE) },
		{ PFNMAP_VM_OPS(pfnmap_vm_fault, PFNMAP_HUGE_FAULT, PFNMAP_MREMAP, NULL),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, PFNMAP_HUGE_FAULT, PFNMAP_MREMAP, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(pfnmap_vm_fault, PFNMAP_HUGE_FAULT, PFNMAP_MREMAP, PFNMAP_UNSAFE) },
	},
	[PFNMAP_FAULTS_VEPC] = {
		{ PFNMAP_VM_OPS(pfnmap_vm_vepc_fault, NULL, NULL, NULL),
		  PFNMAP_VM_OPS(pfnmap_vm_vepc_fault, NULL, NULL, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(pfnmap_vm_vepc_fault, NULL, NULL, PFNMAP_UNSAFE) },
		{ PFNMAP_VM_OPS(pfnmap_vm_vepc_fault, NULL, PFNMAP_MREMAP, NULL),
		  PFNMAP_VM_OPS(pfnmap_vm_vepc_fault, NULL, PFNMAP_MREMAP, PFNMAP_ACCESS),
		  PFNMAP_VM_OPS(pfnmap_vm_vepc_fault, NULL, PFNMAP_MREMAP, PFNMAP_UNSAFE) },
	},
};

static const enum pfnmap_faults pfnmap_faults_of[PFNMAP_INSERT_NR] = {
	[PFNMAP_INSERT_REMAP] = PFNMAP_FAULTS_NONE,
	[PFNMAP_INSERT_FAULT] = PFNMAP_FAULTS_PTE,
	[PFNMAP_INSERT_MIXED] = PFNMAP_FAULTS_NONE,
	[PFNMAP_INSERT_HUGE] = PFNMAP_FAULTS_HUGE,
	[PFNMAP_INSERT_VEPC] = PFNMAP_FAULTS_VEPC,
};

const struct vm_operations_struct *
pfnmap_vm_ops_for(const struct pfnmap_config *config)
{
	bool mremap = config->mremap_hook != PFNMAP_MREMAP_NONE;
	enum pfnmap_access access = PFNMAP_ACCESS_NONE;

	if (config->flags & PFNMAP_CFG_ACCESS_PHYS)
		access = config->flags & PFNMAP_CFG_UNSAFE_ACCESS_COW ?
			 PFNMAP_ACCESS_UNSAFE : PFNMAP_ACCESS_SHARED;
	return &pfnmap_vm_ops[pfnmap_faults_of[config->insert]][mremap][access];
}

static int pfnmap_insert_pages(struct vm_area_struct *vma)
{
	unsigned long addr, pfn = PHYS_PFN(pfnmap_region.phys) + vma->vm_pgoff;
	int ret;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE, pfn++) {
		ret = vm_insert_page(vma, addr, pfn_to_page(pfn));
		if (ret)
			return ret;
	}
	return 0;
}

static int pfnmap_check_mmap(const struct pfnmap_config *config,
			     struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long offset;

	if (check_shl_overflow(vma->vm_pgoff, PAGE_SHIFT, &offset) ||
	    offset > pfnmap_region.size || len > pfnmap_region.size - offset) {
		pr_warn_ratelimited("mmap of %#lx bytes at offset page %#lx is outside the %#zx-byte region\n",
				    len, vma->vm_pgoff, pfnmap_region.size);
		return -EINVAL;
	}
	/*
	 * vmf_insert_pfn*() on a COW PFNMAP VMA is a BUG_ON: refuse it, as vfio
	 * does. Not by VM_SHARED: do_mmap() clears that for MAP_SHARED of a file
	 * opened read-only, which cannot COW (no VM_MAYWRITE): is_cow_mapping().
	 */
	if (config->insert != PFNMAP_INSERT_REMAP && config->insert != PFNMAP_INSERT_MIXED &&
	    pfnmap_vma_is_cow(vma)) {
		pr_warn_ratelimited("a fault-time personality cannot serve a private (COW) mapping\n");
		return -EINVAL;
	}
	if (config->insert == PFNMAP_INSERT_MIXED && !pfnmap_region_has_pages()) {
		pr_warn_ratelimited("the mixed personality needs a region of kernel pages, not %s\n",
				    pfnmap_region_kind_name(pfnmap_region.kind));
		return -EINVAL;
	}
	return 0;
}

/* A BAR is I/O memory: io_remap_pfn_range(), as the drivers of BARs call it. */
static int pfnmap_remap(struct vm_area_struct *vma)
{
	unsigned long pfn = PHYS_PFN(pfnmap_region.phys) + vma->vm_pgoff;
	unsigned long size = vma->vm_end - vma->vm_start;

	if (pfnmap_region.kind == PFNMAP_REGION_PCI)
		return io_remap_pfn_range(vma, vma->vm_start, pfn, size, vma->vm_page_prot);
	return remap_pfn_range(vma, vma->vm_start, pfn, size, vma->vm_page_prot);
}

/* Under pf->lock; a file's VMAs all share its one map of backed pages. */
static int pfnmap_vepc_alloc(struct pfnmap_file *pf)
{
	if (!pf->vepc_backed)
		pf->vepc_backed = bitmap_zalloc(pfnmap_region.size >> PAGE_SHIFT,
						GFP_KERNEL);
	return pf->vepc_backed ? 0 : -ENOMEM;
}

static int pfnmap_populate(struct pfnmap_file *pf, struct vm_area_struct *vma)
{
	switch (pf->config.insert) {
	case PFNMAP_INSERT_REMAP:
		return pfnmap_remap(vma);
	case PFNMAP_INSERT_FAULT:
	case PFNMAP_INSERT_HUGE:
		/* The same flags remap_pfn_range() sets; pfns come at fault time. */
		pfnmap_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
		return 0;
	case PFNMAP_INSERT_VEPC:
		/* sgx_vepc_mmap()'s flags: no VM_DONTEXPAND, no copy at fork. */
		pfnmap_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTDUMP | VM_DONTCOPY);
		return pfnmap_vepc_alloc(pf);
	case PFNMAP_INSERT_MIXED:
		return pfnmap_insert_pages(vma);
	}
	return -EINVAL;
}

int pfnmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pfnmap_file *pf = file->private_data;
	int ret;

	mutex_lock(&pf->lock);
	/* MMIO is mapped uncached by every personality, as vfio-pci maps BARs. */
	if (pfnmap_region.kind == PFNMAP_REGION_PCI)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	ret = pfnmap_check_mmap(&pf->config, vma);
	if (!ret)
		ret = pfnmap_populate(pf, vma);
	if (ret)
		goto out_unlock;

	/*
	 * remap_pfn_range() always sets VM_DONTEXPAND; clearing it afterwards is
	 * the only way a driver gets a PFNMAP VMA without it.
	 */
	if (pf->config.flags & PFNMAP_CFG_KEEP_DONTEXPAND)
		pfnmap_vm_flags_set(vma, VM_DONTEXPAND);
	else
		pfnmap_vm_flags_clear(vma, VM_DONTEXPAND);

	/* Hooks only once the VMA is complete: a failed mmap never calls ->close. */
	vma->vm_private_data = pf;
	vma->vm_ops = pf->vm_ops;
	pf->mapped = true;
	pfnmap_count(pf, PFNMAP_CNT_MMAPS);
	pfnmap_count(pf, PFNMAP_CNT_LIVE_VMAS);
out_unlock:
	mutex_unlock(&pf->lock);
	return ret;
}
