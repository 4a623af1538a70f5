#!/usr/bin/env bash
# Records the report's test fixtures from real runs; nothing in them is typed by hand.
#
# Four fixtures, each one run directory: a stock kernel beside a what-if variant, beside the
# drm flavor and the pci backing, or beside itself on a second architecture:
#
#   relax  run-7.2-relax-pfnmap/{7.2,7.2+relax-pfnmap}: ./run-qemu.sh --kernels "7.2
#          7.2+relax-pfnmap" --case GLOB... boots stock 7.2 and the relax-pfnmap what-if kernel
#          with the module loaded on kernel pages and runs a small case subset (RELAX_GLOBS below):
#          the key operations of the grid on the four controls, and the DONTUNMAP, grow and move
#          cases of six device personalities (remap_pfn_range with and without VM_DONTEXPAND, a
#          tracking fault-style driver, a VM_MIXEDMAP driver, and the sgx_vepc-style driver with
#          and without VM_DONTEXPAND: on the variant its old range reads `hang` after DONTUNMAP).
#   huge   run-7.2-huge/{7.2,7.2+fix-huge-pud}: ./run-qemu.sh --kernels "7.2 7.2+fix-huge-pud"
#          --huge --hazards boots both with a 1 GiB memmap= region and runs every huge.* case
#          (and abi:config_huge), the VMA splits inside a PUD leaf included: on stock 7.2 a move of
#          a PUD leaf logs "bad pud" and drops it, a split hits a kernel BUG (the case times out);
#          the fix-huge-pud variant is clean.
#   drivers run-7.2-drivers/{7.2,7.2+drm,7.2+relax-dontunmap+drm}{,~pci}: ./run-qemu.sh
#          --kernels "7.2 7.2+drm 7.2+relax-dontunmap+drm" --backing pages,pci --real --case
#          GLOB... boots stock 7.2, the drm flavor (bochs-drm) and the relax-dontunmap what-if
#          built with it, each with the module on kernel pages and on a PCI BAR, with vfio-pci
#          and /dev/mem, and runs the real.* cases and two plain personalities (DRIVERS_GLOBS):
#          the report must compare a flavor and a backing with their base, not as kernels, and
#          the what-if built with drm with the drm flavor (real.drm ran on both).
#   arch   run-7.2-arm64/{7.2,7.2@arm64}: ./run-qemu.sh --kernels "7.2 7.2@arm64" with the
#          relax case subset: the same kernel on x86 and on arm64 (cross-built, QEMU's virt
#          machine under TCG), for the report's architecture dimension (arm64 has no PAT: no
#          pat= field).
#
# For each fixture:
#   1. the run, into a temporary results directory;
#   2. each column's probe.json, meta.env, ktap.txt and dmesg.txt, and the run's describe.json
#      (the vocabulary of the probe that made the run, `pfnmap-probe --describe`, as run-qemu.sh
#      writes it), copied unchanged into tests/report/fixtures/<fixture>/;
#   3. the result is checked before it replaces the old fixture: every probe.json validates
#      against userspace/probe-schema.json and the report builds from it (exit 0).
#
# Needs what ./run-qemu.sh needs (the kernels build on first use: ~10 minutes each on 2 cores;
# about a minute when cached), and python3-jsonschema for step 4.
#
# Usage: tests/report/record-fixtures.sh [--skip-schema] [relax] [huge] [drivers] [arch]   (none: all)
#   --skip-schema  record even when a probe.json does not validate against
#                  userspace/probe-schema.json (the errors are still printed): for a schema that
#                  lags behind the probe. userspace/report/tests/test_schema.py validates the
#                  recorded fixtures against the same schema, so it keeps failing until the schema
#                  is brought up to date.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fixtures=$top/tests/report/fixtures

key_ops=(move grow_inplace grow_maymove shrink dontunmap dontunmap_fixed partial_move multi_vma_move
	fork_read)
personalities=(dev.remap.dx.none.allow dev.remap.nodx.none.allow dev.fault.nodx.track.allow
	dev.mixed.nodx.none.allow dev.vepc.nodx.none.allow dev.vepc.dx.none.allow)
# The probe's --case is fnmatch(3) over the case id, '*' matching '.' and ':' too.
# dontunmap* is dontunmap, _fixed, _fork, _munmap (and _resize); grow_* is _inplace, _maymove, _touch.
RELAX_GLOBS=()
for op in "${key_ops[@]}"; do
	RELAX_GLOBS+=(--case "ctl.*:$op")
done
for personality in "${personalities[@]}"; do
	for op in 'dontunmap*' 'grow_*' move partial_move shrink multi_vma_move fork_read; do
		RELAX_GLOBS+=(--case "$personality:$op")
	done
done

DRIVERS_GLOBS=(--case 'real.*' --case 'dev.remap.dx.none.allow:*' --case 'dev.fault.dx.none.allow:*')

fixture_name() {
	case $1 in
	relax) printf 'run-7.2-relax-pfnmap\n' ;;
	huge) printf 'run-7.2-huge\n' ;;
	drivers) printf 'run-7.2-drivers\n' ;;
	arch) printf 'run-7.2-arm64\n' ;;
	esac
}
# The kernels the run boots, then the column directories it makes of them.
fixture_kernels() {
	case $1 in
	relax) printf '7.2 7.2+relax-pfnmap\n' ;;
	huge) printf '7.2 7.2+fix-huge-pud\n' ;;
	drivers) printf '7.2 7.2+drm 7.2+relax-dontunmap+drm\n' ;;
	arch) printf '7.2 7.2@arm64\n' ;;
	esac
}
fixture_columns() {
	case $1 in
	drivers) printf '7.2 7.2~pci 7.2+drm 7.2+drm~pci 7.2+relax-dontunmap+drm 7.2+relax-dontunmap+drm~pci\n' ;;
	*) fixture_kernels "$1" ;;
	esac
}

skip_schema=0 wanted=()
for arg in "$@"; do
	case $arg in
	--skip-schema) skip_schema=1 ;;
	relax | huge | drivers | arch) wanted+=("$arg") ;;
	*)
		printf 'usage: %s [--skip-schema] [relax] [huge] [drivers] [arch]\n' "$0" >&2
		exit 2
		;;
	esac
done
((${#wanted[@]})) || wanted=(relax huge drivers arch)

work=$(mktemp -d)
# Staged next to the fixtures, so that replacing one is a rename.
stage=$(mktemp -d "$fixtures/.record.XXXXXX")
trap 'rm -rf "$work" "$stage"' EXIT

record() { # FIXTURE: runs it and stages it in $stage/<name>
	local which=$1 name columns args rc=0
	name=$(fixture_name "$which")
	read -r -a columns <<<"$(fixture_columns "$which")"
	case $which in
	relax | arch) args=("${RELAX_GLOBS[@]}") ;;
	huge) args=(--huge --hazards) ;;
	drivers) args=(--backing "pages,pci" --real "${DRIVERS_GLOBS[@]}") ;;
	esac
	printf 'record-fixtures: %s: running %s in QEMU\n' "$name" "$(fixture_kernels "$which")" >&2
	"$top/run-qemu.sh" --kernels "$(fixture_kernels "$which")" "${args[@]}" --results "$work/$which" || rc=$?
	# 0 every case expected, 1 some changed or new, 3 a splat in the guest log: all are data the
	# report must read. 2 (infrastructure) and 4 (a hung guest) are not.
	case $rc in
	0 | 1 | 3) ;;
	*)
		printf 'record-fixtures: run-qemu.sh exited %s: nothing recorded\n' "$rc" >&2
		return 1
		;;
	esac

	local runs=("$work/$which"/*/)
	if ((${#runs[@]} != 1)); then
		printf 'record-fixtures: expected one run directory in %s, found %s\n' "$work/$which" "${#runs[@]}" >&2
		return 1
	fi
	local run=${runs[0]%/} column file
	mkdir "$stage/$name"
	if [[ ! -f $run/describe.json ]]; then
		printf 'record-fixtures: %s/describe.json is missing: nothing recorded\n' "$run" >&2
		return 1
	fi
	cp "$run/describe.json" "$stage/$name/describe.json"
	for column in "${columns[@]}"; do
		mkdir "$stage/$name/$column"
		for file in probe.json meta.env ktap.txt dmesg.txt; do
			if [[ ! -f $run/$column/$file ]]; then
				printf 'record-fixtures: %s/%s/%s is missing: nothing recorded\n' "$run" "$column" "$file" >&2
				return 1
			fi
			cp "$run/$column/$file" "$stage/$name/$column/$file"
		done
	done

	local schema_rc=0
	/usr/bin/python3 - "$top/userspace/probe-schema.json" "$stage/$name"/*/probe.json <<'EOF' || schema_rc=$?
import json
import sys

import jsonschema

validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1], encoding="utf-8")))
bad = 0
for path in sys.argv[2:]:
    for error in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
        print(f"record-fixtures: {path}: {list(error.absolute_path)}: {error.message}", file=sys.stderr)
        bad += 1
if bad:
    print(f"record-fixtures: {bad} schema error(s)", file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
	if ((schema_rc != 0 && skip_schema == 0)); then
		printf 'record-fixtures: %s does not validate against userspace/probe-schema.json: nothing recorded\n' \
			"$name" >&2
		return 1
	elif ((schema_rc != 0)); then
		printf 'record-fixtures: %s does not validate against userspace/probe-schema.json: recorded anyway (--skip-schema)\n' \
			"$name" >&2
	fi
	"$top/userspace/report/pfnmap-report" "$stage/$name" --out "$work/report-$which" --grid >&2
}

for which in "${wanted[@]}"; do
	record "$which"
done

for which in "${wanted[@]}"; do
	name=$(fixture_name "$which")
	rm -rf "${fixtures:?}/$name"
	mv "$stage/$name" "$fixtures/$name"
	printf 'record-fixtures: wrote %s\n' "$fixtures/$name" >&2
done
