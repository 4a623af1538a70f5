// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap_dev: a VM_PFNMAP test device for studying what mremap() and friends
 * do to driver mappings. /dev/pfnmap maps a physical region; each open file
 * chooses, by ioctl, how a driver would build that mapping (the personality),
 * and counts every hook the kernel calls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "pfnmap_dev.h"

static unsigned long pfnmap_region_size = SZ_1M;
module_param_named(region_size, pfnmap_region_size, ulong, 0444);
MODULE_PARM_DESC(region_size, "bytes of kernel pages to allocate as the region, or of the PCI BAR to use (default 1 MiB)");

/* Named apart from x86's own phys_base symbol. */
static unsigned long pfnmap_phys_base;
module_param_named(phys_base, pfnmap_phys_base, ulong, 0444);
MODULE_PARM_DESC(phys_base, "physical base of a memmap=-reserved range to use instead of kernel pages");

static unsigned long pfnmap_phys_size;
module_param_named(phys_size, pfnmap_phys_size, ulong, 0444);
MODULE_PARM_DESC(phys_size, "size of that memmap=-reserved range");

static bool pfnmap_reserved_override;
module_param_named(i_know_this_is_reserved_ram, pfnmap_reserved_override, bool, 0444);
MODULE_PARM_DESC(i_know_this_is_reserved_ram,
		 "use a reserved phys range that no memmap=nn$ss of the command line covers (it gets overwritten)");

static int pfnmap_pci_bar = -1;
module_param_named(pci_bar, pfnmap_pci_bar, int, 0444);
MODULE_PARM_DESC(pci_bar, "use this memory BAR of a PCI device bound to pfnmap_dev (driver_override) as the region; /dev/pfnmap appears when one is bound");

struct pfnmap_counter_set pfnmap_dev_counters;
static struct dentry *pfnmap_debugfs_dir;
static const char * const pfnmap_counter_names[PFNMAP_CNT_NR] = PFNMAP_COUNTER_NAMES;

void pfnmap_count(struct pfnmap_file *pf, enum pfnmap_counter counter)
{
	atomic64_inc(&pf->counters.count[counter]);
	atomic64_inc(&pfnmap_dev_counters.count[counter]);
}

void pfnmap_uncount(struct pfnmap_file *pf, enum pfnmap_counter counter)
{
	atomic64_dec(&pf->counters.count[counter]);
	atomic64_dec(&pfnmap_dev_counters.count[counter]);
}

static const struct pfnmap_config pfnmap_default_config = {
	.size = sizeof(struct pfnmap_config),
	.insert = PFNMAP_INSERT_REMAP,
	.mremap_hook = PFNMAP_MREMAP_NONE,
	.split_hook = PFNMAP_SPLIT_ALLOW,
	.flags = PFNMAP_CFG_KEEP_DONTEXPAND,
};

static int pfnmap_open(struct inode *inode, struct file *file)
{
	struct pfnmap_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);

	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	pf->config = pfnmap_default_config;
	pf->vm_ops = pfnmap_vm_ops_for(&pf->config);
	file->private_data = pf;
	pfnmap_count(pf, PFNMAP_CNT_OPENS);
	return 0;
}

/* Runs only after the last VMA is gone: every VMA holds a file reference. */
static int pfnmap_release(struct inode *inode, struct file *file)
{
	struct pfnmap_file *pf = file->private_data;

	atomic64_inc(&pfnmap_dev_counters.count[PFNMAP_CNT_RELEASES]);
	mutex_destroy(&pf->lock);
	bitmap_free(pf->vepc_backed);
	kfree(pf);
	return 0;
}

static int pfnmap_validate_config(const struct pfnmap_config *config)
{
	if (config->reserved || config->insert >= PFNMAP_INSERT_NR ||
	    config->mremap_hook >= PFNMAP_MREMAP_NR ||
	    config->split_hook >= PFNMAP_SPLIT_NR ||
	    config->flags & ~PFNMAP_CFG_ALL_FLAGS) {
		pr_warn_ratelimited("bad config: insert %u mremap %u split %u flags %#x reserved %#x\n",
				    config->insert, config->mremap_hook,
				    config->split_hook, config->flags, config->reserved);
		return -EINVAL;
	}
	if (config->insert == PFNMAP_INSERT_HUGE && !PFNMAP_HAVE_HUGE_PFNMAP) {
		pr_warn_ratelimited("huge insert style: this kernel has no ARCH_SUPPORTS_HUGE_PFNMAP\n");
		return -EOPNOTSUPP;
	}
	/* generic_access_phys() ioremaps the pfn, which x86 refuses (and WARNs) for RAM. */
	if ((config->flags & PFNMAP_CFG_ACCESS_PHYS) &&
	    pfnmap_region.kind == PFNMAP_REGION_PAGES) {
		pr_warn_ratelimited("->access needs a memmap= or pci region, not kernel pages\n");
		return -EINVAL;
	}
	if ((config->flags & PFNMAP_CFG_UNSAFE_ACCESS_COW) &&
	    !(config->flags & PFNMAP_CFG_ACCESS_PHYS)) {
		pr_warn_ratelimited("UNSAFE_ACCESS_COW without ACCESS_PHYS\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * The caller's size of an ioctl structure (see the uapi header): at least the
 * structure's first published size, at most a page.
 */
int pfnmap_user_size(void __user *arg, u32 size_ver0, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)arg))
		return -EFAULT;
	if (*usize < size_ver0) {
		pr_warn_ratelimited("ioctl structure of %u bytes, below the first ABI's %u\n",
				    *usize, size_ver0);
		return -EINVAL;
	}
	if (*usize > PAGE_SIZE) {
		pr_warn_ratelimited("ioctl structure of %u bytes, more than a page\n",
				    *usize);
		return -E2BIG;
	}
	return 0;
}

/*
 * Write an output structure of @ksize bytes (starting with its u32 size) to a
 * caller's of @usize: as much as both know, the caller's rest zeroed, size
 * set to what was filled.
 */
int pfnmap_copy_out(void __user *arg, void *kbuf, u32 ksize, u32 usize)
{
	u32 n = min(ksize, usize);

	*(u32 *)kbuf = n;
	if (copy_to_user(arg, kbuf, n))
		return -EFAULT;
	if (usize > n && clear_user((char __user *)arg + n, usize - n))
		return -EFAULT;
	return 0;
}

static long pfnmap_set_config(struct pfnmap_file *pf, void __user *arg)
{
	struct pfnmap_config config;
	u32 usize;
	long ret;

	/* Copy before locking: a fault here must not happen under pf->lock (see mmap). */
	ret = pfnmap_user_size(arg, PFNMAP_CONFIG_SIZE_VER0, &usize);
	if (ret)
		return ret;
	ret = copy_struct_from_user(&config, sizeof(config), arg, usize);
	if (ret == -E2BIG)
		pr_warn_ratelimited("config of %u bytes sets members past the %zu this module knows\n",
				    usize, sizeof(config));
	if (ret)
		return ret;
	config.size = sizeof(config);
	ret = pfnmap_validate_config(&config);
	if (ret)
		return ret;
	if (config.flags & PFNMAP_CFG_UNSAFE_ACCESS_COW)
		pr_warn_ratelimited("UNSAFE_ACCESS_COW: ->access on COW mappings, which can ioremap RAM\n");

	mutex_lock(&pf->lock);
	if (pf->mapped) {
		pr_warn_ratelimited("config change after mmap refused\n");
		ret = -EBUSY;
	} else {
		pf->config = config;
		pf->vm_ops = pfnmap_vm_ops_for(&config);
	}
	mutex_unlock(&pf->lock);
	return ret;
}

static long pfnmap_get_config(struct pfnmap_file *pf, void __user *arg)
{
	struct pfnmap_config config;
	u32 usize;
	int ret = pfnmap_user_size(arg, PFNMAP_CONFIG_SIZE_VER0, &usize);

	if (ret)
		return ret;
	mutex_lock(&pf->lock);
	config = pf->config;
	mutex_unlock(&pf->lock);
	return pfnmap_copy_out(arg, &config, sizeof(config), usize);
}

static long pfnmap_get_info(void __user *arg)
{
	struct pfnmap_info info = {
		.size = sizeof(info),
		.abi_version = PFNMAP_DEV_ABI_VERSION,
		.region_kind = pfnmap_region.kind,
		.region_has_pages = pfnmap_region_has_pages(),
		.region_size = pfnmap_region.size,
	};
	u32 usize;
	int ret = pfnmap_user_size(arg, PFNMAP_INFO_SIZE_VER0, &usize);

	if (ret)
		return ret;
	return pfnmap_copy_out(arg, &info, sizeof(info), usize);
}

static long pfnmap_get_counters(const struct pfnmap_counter_set *set,
				void __user *arg)
{
	struct pfnmap_counters out = {
		.size = sizeof(out),
		.nr_counters = PFNMAP_CNT_NR,
		.last_mremap_start = atomic64_read(&set->last_mremap_start),
	};
	u32 usize;
	int i, ret = pfnmap_user_size(arg, PFNMAP_COUNTERS_SIZE_VER0, &usize);

	if (ret)
		return ret;
	for (i = 0; i < PFNMAP_CNT_NR; i++)
		out.count[i] = atomic64_read(&set->count[i]);
	return pfnmap_copy_out(arg, &out, sizeof(out), usize);
}

/* A command without its size bits: they name one version of the structure. */
#define PFNMAP_IOC_NOSIZE(cmd)	((cmd) & ~IOCSIZE_MASK)

static long pfnmap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pfnmap_file *pf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (PFNMAP_IOC_NOSIZE(cmd)) {
	case PFNMAP_IOC_NOSIZE(PFNMAP_IOC_GET_INFO):
		return pfnmap_get_info(argp);
	case PFNMAP_IOC_NOSIZE(PFNMAP_IOC_SET_CONFIG):
		return pfnmap_set_config(pf, argp);
	case PFNMAP_IOC_NOSIZE(PFNMAP_IOC_GET_CONFIG):
		return pfnmap_get_config(pf, argp);
	case PFNMAP_IOC_NOSIZE(PFNMAP_IOC_FILE_COUNTERS):
		return pfnmap_get_counters(&pf->counters, argp);
	case PFNMAP_IOC_NOSIZE(PFNMAP_IOC_DEV_COUNTERS):
		return pfnmap_get_counters(&pfnmap_dev_counters, argp);
	case PFNMAP_IOC_NOSIZE(PFNMAP_IOC_PT_QUERY):
		return pfnmap_pt_query(argp);
	}
	pr_warn_ratelimited("unknown ioctl %#x\n", cmd);
	return -ENOTTY;
}

static const struct file_operations pfnmap_fops = {
	.owner = THIS_MODULE,
	.open = pfnmap_open,
	.release = pfnmap_release,
	.mmap = pfnmap_mmap,
	.unlocked_ioctl = pfnmap_ioctl,
	.compat_ioctl = pfnmap_ioctl,
};

static struct miscdevice pfnmap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pfnmap",
	.fops = &pfnmap_fops,
	.mode = 0600,
};

static int pfnmap_counters_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < PFNMAP_CNT_NR; i++)
		seq_printf(m, "%-22s %lld\n", pfnmap_counter_names[i],
			   (long long)atomic64_read(&pfnmap_dev_counters.count[i]));
	seq_printf(m, "%-22s %#llx\n", "last_mremap_start",
		   (unsigned long long)atomic64_read(&pfnmap_dev_counters.last_mremap_start));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pfnmap_counters);

static int pfnmap_region_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "kind %s\nphys %pa\nsize %#zx\n", pfnmap_region_kind_name(pfnmap_region.kind),
		   &pfnmap_region.phys, pfnmap_region.size);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pfnmap_region);

int pfnmap_publish(void)
{
	int ret = misc_register(&pfnmap_misc);

	if (ret) {
		pr_warn("misc_register failed: %d\n", ret);
		return ret;
	}
	pfnmap_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("counters", 0400, pfnmap_debugfs_dir, NULL,
			    &pfnmap_counters_fops);
	debugfs_create_file("region", 0400, pfnmap_debugfs_dir, NULL,
			    &pfnmap_region_fops);
	pr_info("%s region of %#zx bytes on /dev/%s\n", pfnmap_region_kind_name(pfnmap_region.kind),
		pfnmap_region.size, pfnmap_misc.name);
	return 0;
}

void pfnmap_unpublish(void)
{
	debugfs_remove_recursive(pfnmap_debugfs_dir);
	pfnmap_debugfs_dir = NULL;
	misc_deregister(&pfnmap_misc);
}

static int __init pfnmap_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct pfnmap_config) < PFNMAP_CONFIG_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct pfnmap_info) < PFNMAP_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct pfnmap_counters) < PFNMAP_COUNTERS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct pfnmap_pt_query) < PFNMAP_PT_QUERY_SIZE_VER0);
	if (pfnmap_pci_bar >= 0) {
		if (pfnmap_phys_base || pfnmap_phys_size) {
			pr_warn("pci_bar and phys_base/phys_size name two regions: choose one\n");
			return -EINVAL;
		}
		return pfnmap_pci_register(pfnmap_pci_bar, pfnmap_region_size);
	}
	ret = pfnmap_region_init(pfnmap_region_size, pfnmap_phys_base,
				 pfnmap_phys_size, pfnmap_reserved_override);
	if (ret)
		return ret;
	ret = pfnmap_publish();
	if (ret)
		pfnmap_region_exit();
	return ret;
}

/* No VMA can outlive the region: each holds the file, each file the module. */
static void __exit pfnmap_exit(void)
{
	if (pfnmap_pci_bar >= 0) {
		pfnmap_pci_unregister();
		return;
	}
	pfnmap_unpublish();
	pfnmap_region_exit();
}

module_init(pfnmap_init);
module_exit(pfnmap_exit);
MODULE_DESCRIPTION("VM_PFNMAP test device with switchable driver personalities");
MODULE_LICENSE("GPL");
