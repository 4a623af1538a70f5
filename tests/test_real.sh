#!/usr/bin/env bash
# The real drivers of the probe's real.* family (./run-qemu.sh --real) on one kernel (default:
# the catalog's default series): QEMU's ivshmem bound to vfio-pci in no-IOMMU mode and the
# /dev/mem range work, and every real.* case runs with its expected outcome; a boot where
# vfio-pci cannot take the device (no-IOMMU mode switched off again) fails the real.vfio cases,
# never skips them; real.drm skips on a kernel without bochs-drm (the drm flavor has it). And the
# module's pci backing: a second ivshmem bound to pfnmap_dev, the personalities on its BAR.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh

series=${1:-$(catalog_default_series)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# real_cases DIR WANT: every real.vfio and real.devmem case in DIR's probe.json has status WANT
# ("ok": ran and expected; "setup": failed with setup=real:unusable); real.drm skipped for want
# of the drm flavor; prints how many.
real_cases() {
	local dir=$1 want=$2
	python3 - "$dir" "$want" <<'PY'
import glob, json, sys
docs = glob.glob(sys.argv[1] + "/*/*/probe.json")
if len(docs) != 1:
    sys.exit(f"{len(docs)} probe.json under {sys.argv[1]}, want 1")
cases = [c for c in json.load(open(docs[0]))["cases"] if c["id"].startswith("real.")]
want = sys.argv[2]
# real.vfio.1g waits for --hazards: a skip, whatever the driver does; real.drm for a kernel
# built with bochs-drm (the stock catalog kernels are not).
gated = [c for c in cases if c["id"].startswith("real.vfio.1g:")]
no_drm = [c for c in cases if c["id"].startswith("real.drm:")]
cases = [c for c in cases if c not in gated and c not in no_drm]
bad = [c["id"] + ": " + str(c["outcome"] or c["skip_reason"]) for c in cases
       if (want == "ok" and (c["status"] != "ok" or c["verdict"] != "expected"))
       or (want == "setup" and c["id"].startswith("real.vfio.")
           and (c["status"] != "not ok" or c["outcome"] != "setup=real:unusable"))]
bad += [c["id"] + ": ran without --hazards" for c in gated if c["status"] != "skip"]
bad += [c["id"] + ": did not skip for want of the drm flavor" for c in no_drm
        if c["status"] != "skip" or "drm flavor" not in (c["skip_reason"] or "")]
if not cases or bad:
    sys.exit("no real.* case in the run" if not cases else "\n".join(bad[:10]))
print(f"{len(cases)} real.* cases as wanted ({want})")
PY
}

bound_and_expected() {
	expect_exit "$EXIT_OK" ./run-qemu.sh --kernel "$series" --real --case 'real.*' \
		--results "$tmp/bound" >/dev/null || return 1
	grep -H 'driver=vfio-pci' "$tmp"/bound/*/*/pci-bind.txt ||
		{ echo "ivshmem is not bound to vfio-pci:"; cat "$tmp"/bound/*/*/pci-bind.txt; return 1; }
	real_cases "$tmp/bound" ok
}

unbound_fails() {
	expect_exit "$EXIT_CHANGED" ./run-qemu.sh --kernel "$series" --real \
		--append vfio.enable_unsafe_noiommu_mode=0 --case 'real.vfio.*' \
		--results "$tmp/unbound" >/dev/null || return 1
	real_cases "$tmp/unbound" setup
}

# The pci backing: the module's region is BAR 2 of a second ivshmem device bound to pfnmap_dev;
# the plain personalities (and their PAT memtype: uncached-minus) as the expectations say.
pci_backing_expected() {
	expect_exit "$EXIT_OK" ./run-qemu.sh --kernel "$series" --backing pci \
		--case 'dev.*.*.none.allow:*' --case 'dev.*.*.none.allow.access:*' \
		--results "$tmp/pci" >/dev/null || return 1
	grep -H 'driver=pfnmap_dev' "$tmp"/pci/*/*/pci-bind.txt ||
		{ echo "ivshmem is not bound to pfnmap_dev:"; cat "$tmp"/pci/*/*/pci-bind.txt; return 1; }
	python3 - "$tmp/pci" <<'PY' || return 1
import glob, json, sys
(doc,) = glob.glob(sys.argv[1] + "/*/*/probe.json")
probe = json.load(open(doc))
kind = probe["device"]["region_kind"]
memtype = [c["outcome"] for c in probe["cases"] if c["id"].endswith(":memtype") and c["status"] == "ok"]
if kind != "pci" or not memtype:
    sys.exit(f"region {kind}, {len(memtype)} memtype cases ran")
print(f"region {kind}; memtype: {sorted(set(memtype))}")
PY
	python3 tests/all_expected.py "$tmp/pci" 'dev.*' 100
}

check "real drivers on $series: ivshmem bound to vfio-pci, /dev/mem range, every real.* case expected" \
	bound_and_expected
check "real drivers on $series: without no-IOMMU mode vfio-pci cannot bind, the real.vfio cases fail (exit $EXIT_CHANGED)" \
	unbound_fails
check "pci backing on $series: the module on a PCI BAR (no struct page), every personality case expected" \
	pci_backing_expected
summary
