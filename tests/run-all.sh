#!/usr/bin/env bash
# The project's test suite (make check). Sections: host (no kernel needed), build (the module
# against every catalog kernel and Debian's headers), qemu (guests on every catalog kernel).
# With no argument all three run, in that order.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh

sections=("$@")
((${#sections[@]})) || sections=(host build qemu)
# The kernels the qemu section boots; the full matrix with variants is `make matrix`.
read -ra qemu_series <<<"${PFNMAP_TEST_SERIES:-$(catalog_series | tr '\n' ' ')}"
# The columns of other architectures it boots (cross-built; TCG on any host).
read -ra arch_columns <<<"${PFNMAP_TEST_ARCH_COLUMNS:-7.2@arm64}"

host_tests() {
	ensure_host_tools shellcheck python3 /usr/lib/python3/dist-packages/yaml/__init__.py \
		/usr/lib/python3/dist-packages/jsonschema/__init__.py
	check "shellcheck on every shell script" shellcheck -x run-qemu.sh .ci/run scripts/*.sh tests/*.sh \
		tests/*/*.sh initramfs/init
	check "userspace unit tests, layering, host control cases, verdicts that must fail" \
		make -s -C userspace test
	check "evidence reader: a skipped or missing case is no evidence" bash tests/test_case_result.sh
	check "report package: unittest on recorded and live probe runs" \
		/usr/bin/python3 -B -m unittest discover -s userspace/report/tests -t userspace/report
	check "matrix report: model, markdown, HTML in headless Chromium" bash tests/report/test_report.sh
	check "runner: bad arguments, missing tools, KVM without vmx/svm, cache locks and faults" bash tests/test_runner_args.sh
	check "Debian kernel columns: which image and headers a SERIES-debian column takes (recorded apt answers)" \
		bash tests/test_distro_pick.sh
	check "runner --bisect: git bisect run's exit codes, with a fake tree, make and QEMU" bash tests/test_runner_bisect.sh
	check "GitHub workflow: syntax and a matrix covering the catalog and variants" \
		/usr/bin/python3 tests/check_workflow.py
}

build_tests() {
	local series
	for series in "${qemu_series[@]}"; do
		check "module builds with W=1 and no warnings against $series" bash tests/build-module.sh "$series"
	done
	for series in "${arch_columns[@]}"; do
		check "module cross-builds with W=1 and no warnings against $series" bash tests/build-module.sh "$series"
	done
	check "module builds with W=1 and no warnings against Debian's linux-headers-amd64" \
		bash tests/build-module.sh debian-headers
	check "checkpatch.pl --strict is clean on pfnmap_dev/" bash tests/build-module.sh checkpatch
}

qemu_tests() {
	local series
	check "probe: every case expected on ${qemu_series[*]}" \
		expect_exit "$EXIT_OK" ./run-qemu.sh --kernels "${qemu_series[*]}"
	check "probe: every case expected on ${arch_columns[*]} (virt machine under TCG)" \
		expect_exit "$EXIT_OK" ./run-qemu.sh --kernels "${arch_columns[*]}"
	for series in "${qemu_series[@]}"; do
		check "module load parameters and unload on $series (memmap= boot)" \
			expect_exit "$EXIT_OK" ./run-qemu.sh --kernel "$series" --memmap \
			--include tests/guest/module-load.sh --exec module-load.sh
	done
	check "probe on the memmap= region of the default kernel" expect_exit "$EXIT_OK" ./run-qemu.sh --memmap
	check "x86 PAT after a partial move: invalid memtype freed before 6.16, not after" \
		bash tests/test_pat_partial_move.sh "${qemu_series[@]}"
	check "huge pfnmap: PMD/PUD leaves on every kernel, the bad-pud bug, and its fix variant" \
		bash tests/test_huge_pud.sh "${qemu_series[@]}" "${arch_columns[@]}"
	check "real drivers on the default kernel: vfio-pci (no-IOMMU) on ivshmem and /dev/mem, and a boot where vfio-pci cannot bind" \
		bash tests/test_real.sh
	check "stress: 30 s of pfnmap-stress on the default kernel, no splat, counters balanced, region intact" \
		expect_exit "$EXIT_OK" ./run-qemu.sh --stress 30 --seed 20261128
	check "runner: a guest panic, a hang, QEMU that cannot start, an interrupted build, a shared and a full cache" \
		bash tests/test_runner_guests.sh
	check "Debian's prebuilt 6.1 as it ships (no kernel build): module from its headers, signed-module taint, all expected; 7.2-debian refused in one line" \
		bash tests/test_distro.sh
}

for section in "${sections[@]}"; do
	case $section in
	host) host_tests ;;
	build) build_tests ;;
	qemu) qemu_tests ;;
	*) die "unknown test section '$section' (host, build, qemu)" ;;
	esac
done
summary
