/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of pfnmap_dev. */
#ifndef _PFNMAP_DEV_H
#define _PFNMAP_DEV_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>

#include "pfnmap_dev_uapi.h"

struct pfnmap_region {
	enum pfnmap_region_kind kind;
	phys_addr_t phys;
	size_t size;
	void *pages_vaddr;		/* PFNMAP_REGION_PAGES only */
	void *memmap_vaddr;		/* PFNMAP_REGION_MEMMAP: holds its memtype */
	bool resource_claimed;		/* PFNMAP_REGION_MEMMAP only */
	void __iomem *bar_vaddr;	/* PFNMAP_REGION_PCI: holds its memtype */
	struct pci_dev *pdev;		/* PFNMAP_REGION_PCI: the device and BAR */
	int bar;
};

struct pfnmap_counter_set {
	atomic64_t count[PFNMAP_CNT_NR];
	atomic64_t last_mremap_start;
};

/* One per open file; VMAs made from the file point here via vm_private_data. */
struct pfnmap_file {
	struct mutex lock;		/* config and mapped */
	struct pfnmap_config config;
	bool mapped;			/* config is frozen after the first mmap */
	/* Chosen by config: hooks a personality does not have stay NULL. */
	const struct vm_operations_struct *vm_ops;
	struct pfnmap_counter_set counters;
	/* PFNMAP_INSERT_VEPC: region pages this file has backed (allocated at mmap) */
	unsigned long *vepc_backed;
};

extern struct pfnmap_region pfnmap_region;
extern struct pfnmap_counter_set pfnmap_dev_counters;

int pfnmap_region_init(unsigned long pages_size, unsigned long phys_base,
		       unsigned long phys_size, bool reserved_override);
int pfnmap_region_init_pci(struct pci_dev *pdev, int bar, unsigned long size);
void pfnmap_region_exit(void);
bool pfnmap_region_has_pages(void);

/* /dev/pfnmap and its debugfs files, once the region exists (main.c). */
int pfnmap_publish(void);
void pfnmap_unpublish(void);

/* The PCI backing (pci.c): the region comes with the device bound to the driver. */
int pfnmap_pci_register(int bar, unsigned long bytes);
void pfnmap_pci_unregister(void);

void pfnmap_count(struct pfnmap_file *pf, enum pfnmap_counter counter);
void pfnmap_uncount(struct pfnmap_file *pf, enum pfnmap_counter counter);

int pfnmap_user_size(void __user *arg, u32 size_ver0, u32 *usize);
int pfnmap_copy_out(void __user *arg, void *kbuf, u32 ksize, u32 usize);
long pfnmap_pt_query(void __user *arg);

const struct vm_operations_struct *
pfnmap_vm_ops_for(const struct pfnmap_config *config);
int pfnmap_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* _PFNMAP_DEV_H */
