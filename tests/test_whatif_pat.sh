#!/usr/bin/env bash
# The what-if kernels on a memmap= region (x86 PAT tracks it): growing a remap_pfn_range VMA
# that cleared VM_DONTEXPAND, which relax-pfnmap allows, breaks the memtype reservation on
# 6.12 (whole-VMA VM_PAT tracking): munmap of the grown VMA frees an invalid memtype, and a
# grown-then-unmapped mapping leaves its reservation behind. 7.2's refcounted pfnmap_track_ctx
# does not. Needs the variant kernels: part of `make matrix`, not of `make check`.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case_on COLUMN CASE: runs one case on a memmap= region; prints its outcome and kernel lines,
# or fails when the run left no evidence of that case (tests/case_result.py).
case_on() {
	local column=$1 case=$2 results
	results=$(mktemp -d "$tmp/run.XXXXXX")
	# The exit code says little here (a logged memtype error is exit 3); the outcome says all.
	./run-qemu.sh --kernels "$column" --memmap --case "$case" --results "$results" >/dev/null 2>&1 || true
	python3 tests/case_result.py "$results" "$case"
}

# expect_outcome has|lacks TEXT COLUMN CASE: the case ran, and its outcome and kernel lines
# contain (or do not contain) TEXT.
expect_outcome() {
	local mode=$1 text=$2 column=$3 case=$4 got found=no
	got=$(case_on "$column" "$case") || { echo "$column $case: no evidence"; return 1; }
	grep -qF -- "$text" <<<"$got" && found=yes
	if [[ ($mode == has && $found == no) || ($mode == lacks && $found == yes) ]]; then
		echo "$column $case: expected it $mode '$text'; got: $got"
		return 1
	fi
}

check "6.12+relax-pfnmap: munmap of a grown remap VMA frees an invalid memtype" \
	expect_outcome has "freeing invalid memtype" 6.12+relax-pfnmap dev.remap.nodx.none.allow:grow_maymove
check "6.12+relax-pfnmap: a grown remap VMA leaks its memtype reservation" \
	expect_outcome has "pat=leaked" 6.12+relax-pfnmap dev.remap.nodx.none.allow:grow_touch
check "7.2+relax-pfnmap: growth keeps the reservation balanced" \
	expect_outcome has "pat=same" 7.2+relax-pfnmap dev.remap.nodx.none.allow:grow_touch
check "7.2+relax-pfnmap: munmap of a grown remap VMA logs nothing" \
	expect_outcome lacks "memtype" 7.2+relax-pfnmap dev.remap.nodx.none.allow:grow_maymove
check "6.12+relax-dontunmap: DONTUNMAP of a remap VMA keeps the reservation balanced" \
	expect_outcome has "pat=same" 6.12+relax-dontunmap dev.remap.dx.none.allow:dontunmap_munmap
check "7.2+relax-dontunmap: DONTUNMAP of a remap VMA keeps the reservation balanced" \
	expect_outcome has "pat=same" 7.2+relax-dontunmap dev.remap.dx.none.allow:dontunmap_munmap
summary
