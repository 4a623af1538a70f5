// SPDX-License-Identifier: GPL-2.0
/*
 * The pci backing (module parameter pci_bar): the region is a memory BAR of
 * a PCI device, the kind of memory vfio-pci and DRM drivers map: MMIO with no
 * struct page. The driver has no id table: a device is handed to it with
 * driver_override and drivers_probe, as to vfio-pci, so loading the module
 * never takes a device away from another driver. One device at a time; its
 * bind and unbind files are suppressed, so that only module unload (when no
 * file, hence no VMA, is left) takes the region away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>

#include "pfnmap_dev.h"

static int pfnmap_bar;
static unsigned long pfnmap_bar_bytes;

static int pfnmap_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	if (pfnmap_region.size) {
		pci_warn(pdev, "pfnmap_dev already has its region from another device\n");
		return -EBUSY;
	}
	/* Not pcim_: whether pci_request_region() is then managed differs by version. */
	ret = pci_enable_device_mem(pdev);
	if (ret) {
		pci_warn(pdev, "cannot enable the device: %d\n", ret);
		return ret;
	}
	ret = pfnmap_region_init_pci(pdev, pfnmap_bar, pfnmap_bar_bytes);
	if (!ret) {
		ret = pfnmap_publish();
		if (ret)
			pfnmap_region_exit();
	}
	if (ret)
		pci_disable_device(pdev);
	return ret;
}

static void pfnmap_pci_remove(struct pci_dev *pdev)
{
	pfnmap_unpublish();
	pfnmap_region_exit();
	pci_disable_device(pdev);
}

static struct pci_driver pfnmap_pci_driver = {
	.name = KBUILD_MODNAME,
	.probe = pfnmap_pci_probe,
	.remove = pfnmap_pci_remove,
	.driver.suppress_bind_attrs = true,
};

int pfnmap_pci_register(int bar, unsigned long bytes)
{
	int ret;

	if (bar >= PCI_STD_NUM_BARS) {
		pr_warn("pci_bar=%d: a standard BAR is 0 to %d\n", bar, PCI_STD_NUM_BARS - 1);
		return -EINVAL;
	}
	pfnmap_bar = bar;
	pfnmap_bar_bytes = bytes;
	ret = pci_register_driver(&pfnmap_pci_driver);
	if (ret)
		pr_warn("pci_register_driver failed: %d\n", ret);
	else
		pr_info("waiting for a PCI device (driver_override=%s), BAR %d\n",
			KBUILD_MODNAME, bar);
	return ret;
}

void pfnmap_pci_unregister(void)
{
	pci_unregister_driver(&pfnmap_pci_driver);
}
