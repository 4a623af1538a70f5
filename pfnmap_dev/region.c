// SPDX-License-Identifier: GPL-2.0
/*
 * The physical region behind /dev/pfnmap: contiguous kernel pages allocated at
 * load, or a memmap=-reserved range of RAM that the kernel does not manage.
 * Either way it is filled with pfnmap_pattern_word() so that userspace can
 * check every word it reads against the region offset it should come from.
 *
 * One cache mode per region: kernel pages are RAM, write-back for every
 * personality. A memmap= range is not RAM to the kernel: with no memtype
 * reservation, vmf_insert_pfn() would map it UC- (lookup_memtype()'s default)
 * while remap_pfn_range() reserves write-back for its VMA, two aliases of the
 * same pages. So the module keeps its own write-back mapping of the range
 * (memremap, which reserves the memtype) for the region's whole life, as
 * drivers of reserved memory do; every personality then maps it write-back.
 *
 * A PCI BAR (the pci backing, pci.c) is MMIO: the module keeps an uncached
 * ioremap of it for the same reason, and every personality maps it uncached
 * (mmap.c), as vfio-pci does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pfnmap_dev.h"

/* alloc_pages_exact() cannot go beyond the buddy allocator's largest order. */
#define PFNMAP_MAX_PAGES_REGION	SZ_4M

struct pfnmap_region pfnmap_region;

static void pfnmap_fill_pattern(void *vaddr, size_t size)
{
	u64 *word = vaddr;
	size_t off;

	for (off = 0; off < size; off += sizeof(*word))
		word[off / sizeof(*word)] = pfnmap_pattern_word(off);
}

static int pfnmap_region_init_pages(unsigned long size)
{
	if (!size || !PAGE_ALIGNED(size) || size > PFNMAP_MAX_PAGES_REGION) {
		pr_warn("region_size=%#lx must be a non-zero multiple of %#lx up to %#x\n",
			size, PAGE_SIZE, PFNMAP_MAX_PAGES_REGION);
		return -EINVAL;
	}
	pfnmap_region.pages_vaddr = alloc_pages_exact(size, GFP_KERNEL | __GFP_NOWARN);
	if (!pfnmap_region.pages_vaddr) {
		pr_warn("cannot allocate %#lx contiguous bytes for the region\n", size);
		return -ENOMEM;
	}
	pfnmap_region.kind = PFNMAP_REGION_PAGES;
	pfnmap_region.phys = virt_to_phys(pfnmap_region.pages_vaddr);
	pfnmap_region.size = size;
	pfnmap_fill_pattern(pfnmap_region.pages_vaddr, size);
	return 0;
}

/*
 * The kernel command line as /proc/cmdline shows it (saved_command_line is
 * not exported to modules); NULL if it cannot be read.
 */
static char *pfnmap_read_cmdline(void)
{
	struct file *file = filp_open("/proc/cmdline", O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;
	char *buf;

	if (IS_ERR(file))
		return NULL;
	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (buf) {
		n = kernel_read(file, buf, PAGE_SIZE - 1, &pos);
		if (n <= 0) {
			kfree(buf);
			buf = NULL;
		}
	}
	filp_close(file, NULL);
	return buf;
}

/*
 * Does a memmap=nn[KMG]$ss entry of @cmdline (one parameter may hold several,
 * joined by commas) cover [base, base + size)? That is RAM the user told the
 * kernel to leave alone; any other reserved range may be firmware's.
 */
static bool pfnmap_memmap_covers(const char *cmdline, u64 base, u64 size)
{
	const char *param = cmdline;

	while ((param = strstr(param, "memmap="))) {
		bool at_start = param == cmdline || isspace(param[-1]);
		char *p = (char *)param + strlen("memmap=");

		param = p;
		if (!at_start)
			continue;
		for (;;) {
			u64 len = memparse(p, &p), start;

			if (*p == '$') {
				start = memparse(p + 1, &p);
				if (base >= start && size <= len && base - start <= len - size)
					return true;
			}
			while (*p && *p != ',' && !isspace(*p))
				p++;
			if (*p != ',')
				break;
			p++;
		}
	}
	return false;
}

static bool pfnmap_user_reserved(unsigned long base, unsigned long size)
{
	char *cmdline = pfnmap_read_cmdline();
	bool covered = cmdline && pfnmap_memmap_covers(cmdline, base, size);

	kfree(cmdline);
	return covered;
}

static int pfnmap_region_init_memmap(unsigned long base, unsigned long size,
				     bool override)
{
	unsigned long end;
	void *vaddr;

	if (!size || !PAGE_ALIGNED(base) || !PAGE_ALIGNED(size) ||
	    check_add_overflow(base, size, &end)) {
		pr_warn("phys_base=%#lx phys_size=%#lx: both must be page aligned, size non-zero, no overflow\n",
			base, size);
		return -EINVAL;
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_warn("[%#lx-%#lx] overlaps System RAM; reserve it with memmap=%#lx$%#lx\n",
			base, end - 1, size, base);
		return -EINVAL;
	}
	if (region_intersects(base, size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS) {
		pr_warn("[%#lx-%#lx] is not entirely reserved RAM; boot with memmap=%#lx$%#lx\n",
			base, end - 1, size, base);
		return -EINVAL;
	}
	/* The range is about to be overwritten: firmware's reservations are not ours. */
	if (!override && !pfnmap_user_reserved(base, size)) {
		pr_warn("[%#lx-%#lx] is in no memmap=nn$ss of the kernel command line: boot with memmap=%#lx$%#lx, or load with i_know_this_is_reserved_ram=1 if it is RAM nothing uses\n",
			base, end - 1, size, base);
		return -EINVAL;
	}
	if (!request_mem_region(base, size, KBUILD_MODNAME)) {
		pr_warn("[%#lx-%#lx] is already claimed by another driver\n",
			base, end - 1);
		return -EBUSY;
	}
	/* Kept until unload: it holds the region's write-back memtype (see the top). */
	vaddr = memremap(base, size, MEMREMAP_WB);
	if (!vaddr) {
		release_mem_region(base, size);
		pr_warn("cannot map [%#lx-%#lx] to fill it\n", base, end - 1);
		return -ENOMEM;
	}
	pfnmap_fill_pattern(vaddr, size);

	pfnmap_region.kind = PFNMAP_REGION_MEMMAP;
	pfnmap_region.phys = base;
	pfnmap_region.size = size;
	pfnmap_region.memmap_vaddr = vaddr;
	pfnmap_region.resource_claimed = true;
	return 0;
}

int pfnmap_region_init(unsigned long pages_size, unsigned long phys_base,
		       unsigned long phys_size, bool reserved_override)
{
	if (phys_base && !phys_size) {
		pr_warn("phys_base=%#lx given without phys_size\n", phys_base);
		return -EINVAL;
	}
	if (phys_size)
		return pfnmap_region_init_memmap(phys_base, phys_size,
						 reserved_override);
	return pfnmap_region_init_pages(pages_size);
}

void pfnmap_region_exit(void)
{
	if (pfnmap_region.pages_vaddr)
		free_pages_exact(pfnmap_region.pages_vaddr, pfnmap_region.size);
	if (pfnmap_region.memmap_vaddr)
		memunmap(pfnmap_region.memmap_vaddr);
	if (pfnmap_region.resource_claimed)
		release_mem_region(pfnmap_region.phys, pfnmap_region.size);
	if (pfnmap_region.bar_vaddr)
		iounmap(pfnmap_region.bar_vaddr);
	if (pfnmap_region.pdev)
		pci_release_region(pfnmap_region.pdev, pfnmap_region.bar);
	memset(&pfnmap_region, 0, sizeof(pfnmap_region));
}

int pfnmap_region_init_pci(struct pci_dev *pdev, int bar, unsigned long size)
{
	resource_size_t start = pci_resource_start(pdev, bar);
	resource_size_t len = pci_resource_len(pdev, bar);
	void __iomem *vaddr;
	unsigned long off;
	int ret;

	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) || !len) {
		pci_warn(pdev, "BAR %d is not a memory BAR\n", bar);
		return -ENODEV;
	}
	if (!size || !PAGE_ALIGNED(size) || size > len || !PAGE_ALIGNED(start)) {
		pci_warn(pdev, "region_size=%#lx must be a non-zero multiple of %#lx up to BAR %d's %pa bytes\n",
			 size, PAGE_SIZE, bar, &len);
		return -EINVAL;
	}
	ret = pci_request_region(pdev, bar, KBUILD_MODNAME);
	if (ret) {
		pci_warn(pdev, "BAR %d is already claimed\n", bar);
		return ret;
	}
	/* Kept until the device goes: it holds the BAR's uncached memtype (see the top). */
	vaddr = ioremap(start, size);
	if (!vaddr) {
		pci_release_region(pdev, bar);
		pci_warn(pdev, "cannot map BAR %d to fill it\n", bar);
		return -ENOMEM;
	}
	for (off = 0; off < size; off += sizeof(u64))
		writeq(pfnmap_pattern_word(off), vaddr + off);

	pfnmap_region.kind = PFNMAP_REGION_PCI;
	pfnmap_region.phys = start;
	pfnmap_region.size = size;
	pfnmap_region.bar_vaddr = vaddr;
	pfnmap_region.pdev = pdev;
	pfnmap_region.bar = bar;
	return 0;
}

/* vm_insert_page() needs struct pages that this module owns. */
bool pfnmap_region_has_pages(void)
{
	return pfnmap_region.kind == PFNMAP_REGION_PAGES;
}
