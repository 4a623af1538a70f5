#!/usr/bin/env bash
# Huge pfnmap (the module's huge insert style, PUD and PMD leaves) in a --huge boot of each
# catalog kernel given, and of the fix-huge-pud variant of the default series:
# - 6.12 and later: every huge.* case as the expectations say, which includes the kernel bug
#   (docs/findings/mremap-huge-pud.md): "bad pud" in the log, so the runner exits 3;
# - before 6.12: no huge pfnmap, the module refuses the style and every huge.* case skips
#   with that reason; abi:config_huge says EOPNOTSUPP;
# - 7.2+fix-huge-pud, with --hazards (the VMA-split cases that BUG on stock kernels): every
#   case as its @fix-huge-pud expectations say and not one line of concern (exit 0).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
readonly NO_HUGE='no huge pfnmap in this kernel'
# huge.* cases that run without --hazards: 4 mappings x 11 operations, less the 2 x 3 split
# cases of huge.pud; with --hazards all 44; huge.pmd alone (arm64) 2 x 11.
readonly HUGE_RAN=38 HUGE_ALL=44 HUGE_PMD_RAN=22
readonly DEFAULT_FIX_COLUMN=7.2+fix-huge-pud

# huge_boot COLUMN WANT_EXIT MIN_RAN [RUNNER ARG...]
huge_boot() {
	local column=$1 want_exit=$2 min_ran=$3 out=$tmp/${1//+/_}
	shift 3
	expect_exit "$want_exit" ./run-qemu.sh --kernels "$column" --huge "$@" --results "$out" \
		>/dev/null || return 1
	# Each check must stop the function: under check(), set -e does not.
	if ((min_ran)); then
		python3 tests/all_expected.py "$out" 'huge.*' "$min_ran" || return 1
	else
		python3 tests/all_expected.py "$out" 'huge.*' 0 --skip-reason "$NO_HUGE" || return 1
	fi
	python3 tests/all_expected.py "$out" 'abi:config_huge' 1
}

for series in "$@"; do
	if (($(version_number "${series%@*}") < 6012)); then
		check "huge pfnmap on $series: refused (EOPNOTSUPP), every huge case skips with that reason" \
			huge_boot "$series" "$EXIT_OK" 0
	elif [[ $series == *@* ]]; then
		# arm64: no memmap=, the runner's --huge region is 4 MiB of kernel pages, no PUD leaf.
		check "huge pfnmap on $series: PMD leaves as on x86, huge.pud skips (no 1 GiB region without memmap=)" \
			huge_boot "$series" "$EXIT_OK" "$HUGE_PMD_RAN"
	else
		check "huge pfnmap on $series: PMD leaves move intact, a PUD leaf is cleared with 'bad pud' (exit $EXIT_SPLAT)" \
			huge_boot "$series" "$EXIT_SPLAT" "$HUGE_RAN"
	fi
done
check "huge pfnmap on $DEFAULT_FIX_COLUMN: the PUD leaf moves intact, VMA splits are clean (exit $EXIT_OK)" \
	huge_boot "$DEFAULT_FIX_COLUMN" "$EXIT_OK" "$HUGE_ALL" --hazards
summary
