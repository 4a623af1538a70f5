/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference pfnmap_dev has to absorb, 5.10 to 7.3.
 * Nothing else in the module tests LINUX_VERSION_CODE.
 */
#ifndef _PFNMAP_DEV_COMPAT_H
#define _PFNMAP_DEV_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/*
 * Supported: 5.10, and 5.13 and later. In 5.11 and 5.12 only,
 * vm_operations_struct.mremap took (vma, flags) (cd544fd1dc92, reverted by
 * 14d071134c74 for 5.13); no catalog kernel has that signature to test
 * against, so those two releases are refused rather than guessed at.
 */
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE && \
	KERNEL_VERSION(5, 13, 0) > LINUX_VERSION_CODE
#error "pfnmap_dev supports 5.10 and 5.13+: 5.11 and 5.12 pass ->mremap a flags argument"
#endif

/*
 * Could a write to @vma COW (a private mapping that may be made writable)?
 * is_cow_mapping(flags) was private to mm/ (mm/internal.h) in 5.10, in
 * linux/mm.h up to 7.2; 7.3 replaced it by vma_is_cow_mapping(vma).
 */
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE
static inline bool pfnmap_vma_is_cow(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
#elif KERNEL_VERSION(7, 3, 0) > LINUX_VERSION_CODE
static inline bool pfnmap_vma_is_cow(const struct vm_area_struct *vma)
{
	return is_cow_mapping(vma->vm_flags);
}
#else
static inline bool pfnmap_vma_is_cow(const struct vm_area_struct *vma)
{
	return vma_is_cow_mapping(vma);
}
#endif

/* vma->vm_flags became read-only in 6.3; writers must go through vm_flags_set(). */
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
static inline void pfnmap_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void pfnmap_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#else
static inline void pfnmap_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void pfnmap_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#endif

/*
 * The split hook was vm_operations_struct.split until 5.11 renamed it
 * may_split; the signature did not change.
 */
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE
#define PFNMAP_VM_OPS_SPLIT_HOOK	split
#else
#define PFNMAP_VM_OPS_SPLIT_HOOK	may_split
#endif

/*
 * Huge pfnmap: ->huge_fault inserting PMD and PUD leaves into a VM_PFNMAP VMA
 * came with CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP in 6.12 (vfio-pci's user);
 * before it the kernel never asks a PFNMAP VMA's ->huge_fault, so the huge
 * insert style is refused there. vmf_insert_pfn_pmd()/_pud() took a pfn_t
 * until 6.17 removed pfn_t.
 */
#ifdef CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP
#define PFNMAP_HAVE_HUGE_PFNMAP	1
#if KERNEL_VERSION(6, 17, 0) > LINUX_VERSION_CODE
#include <linux/pfn_t.h>
#define PFNMAP_HUGE_PFN(pfn)	__pfn_to_pfn_t(pfn, PFN_DEV)
#else
#define PFNMAP_HUGE_PFN(pfn)	(pfn)
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
static inline vm_fault_t pfnmap_insert_pfn_pmd(struct vm_fault *vmf,
					       unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, PFNMAP_HUGE_PFN(pfn), false);
}
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
static inline vm_fault_t pfnmap_insert_pfn_pud(struct vm_fault *vmf,
					       unsigned long pfn)
{
	return vmf_insert_pfn_pud(vmf, PFNMAP_HUGE_PFN(pfn), false);
}
#endif
#else
#define PFNMAP_HAVE_HUGE_PFNMAP	0
#endif

/*
 * generic_access_phys() is built only where the architecture has
 * ioremap_prot() (HAVE_IOREMAP_PROT): x86 always, arm64 from 5.19. Without it
 * no driver can serve ->access with it (/dev/mem has none there), and the
 * access personalities have no ->access either: ptrace and /proc/pid/mem then
 * get what a mapping without ->access gets.
 */
#ifdef CONFIG_HAVE_IOREMAP_PROT
#define PFNMAP_HAVE_ACCESS_PHYS	1
static inline int pfnmap_access_phys(struct vm_area_struct *vma,
				     unsigned long addr, void *buf, int len,
				     int write)
{
	return generic_access_phys(vma, addr, buf, len, write);
}
#else
#define PFNMAP_HAVE_ACCESS_PHYS	0
static inline int pfnmap_access_phys(struct vm_area_struct *vma,
				     unsigned long addr, void *buf, int len,
				     int write)
{
	return -EIO;
}
#endif

#endif /* _PFNMAP_DEV_COMPAT_H */
