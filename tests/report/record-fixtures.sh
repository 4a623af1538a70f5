#!/usr/bin/env bash
# Records the report's test fixtures from real runs; nothing in them is typed by hand.
#
# How the data is made:
#   1. ./run-qemu.sh --kernels "7.2 7.2+relax-pfnmap" --case GLOB... --results TMP boots stock 7.2
#      and the relax-pfnmap what-if kernel in QEMU with the module loaded, and runs the probe on
#      a small case subset (CASE_GLOBS below): the key operations of the grid on the four
#      controls, and the DONTUNMAP, grow and move cases of four device personalities (remap_pfn_range
#      with and without VM_DONTEXPAND, a tracking fault-style driver, a VM_MIXEDMAP driver).
#   2. Each column's probe.json, meta.env, ktap.txt and dmesg.txt are copied unchanged into
#      tests/report/fixtures/run-7.2-relax-pfnmap/<column>/.
#   3. The host-built userspace/pfnmap-probe (make -C userspace; the same sources as the static
#      probe in the guests) prints its vocabulary: tests/report/fixtures/describe.json.
#   4. The result is checked before it replaces the old fixture: every probe.json validates
#      against userspace/probe-schema.json and the report builds from it (exit 0).
#
# Needs what ./run-qemu.sh needs (the kernels build on first use: ~10 minutes each on 2 cores;
# about a minute when cached), and python3-jsonschema for step 4.
#
# Usage: tests/report/record-fixtures.sh
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fixtures=$top/tests/report/fixtures
name="run-7.2-relax-pfnmap"
columns=(7.2 7.2+relax-pfnmap)

key_ops=(move grow_inplace grow_maymove shrink dontunmap dontunmap_fixed partial_move multi_vma_move
	fork_read)
personalities=(dev.remap.dx.none.allow dev.remap.nodx.none.allow dev.fault.nodx.track.allow
	dev.mixed.nodx.none.allow)
# The probe's --case is fnmatch(3) over the case id, '*' matching '.' and ':' too.
# dontunmap* is dontunmap, _fixed, _fork, _munmap (and _resize); grow_* is _inplace, _maymove, _touch.
CASE_GLOBS=()
for op in "${key_ops[@]}"; do
	CASE_GLOBS+=(--case "ctl.*:$op")
done
for personality in "${personalities[@]}"; do
	for op in 'dontunmap*' 'grow_*' move partial_move shrink multi_vma_move fork_read; do
		CASE_GLOBS+=(--case "$personality:$op")
	done
done

work=$(mktemp -d)
# Staged next to the fixture, so that replacing it is a rename.
stage=$(mktemp -d "$fixtures/.record.XXXXXX")
trap 'rm -rf "$work" "$stage"' EXIT

printf 'record-fixtures: building the host probe for --describe\n' >&2
make -s -C "$top/userspace"

printf 'record-fixtures: running %s in QEMU\n' "${columns[*]}" >&2
rc=0
"$top/run-qemu.sh" --kernels "${columns[*]}" "${CASE_GLOBS[@]}" --results "$work/results" || rc=$?
# 0 every case expected, 1 some changed or new, 3 a splat in the guest log: all are data the
# report must read. 2 (infrastructure) and 4 (a hung guest) are not.
case $rc in
0 | 1 | 3) ;;
*)
	printf 'record-fixtures: run-qemu.sh exited %s: nothing recorded\n' "$rc" >&2
	exit 1
	;;
esac

runs=("$work"/results/*/)
if ((${#runs[@]} != 1)); then
	printf 'record-fixtures: expected one run directory in %s, found %s\n' "$work/results" "${#runs[@]}" >&2
	exit 1
fi
run=${runs[0]%/}

mkdir "$stage/$name"
for column in "${columns[@]}"; do
	mkdir "$stage/$name/$column"
	for file in probe.json meta.env ktap.txt dmesg.txt; do
		if [[ ! -f $run/$column/$file ]]; then
			printf 'record-fixtures: %s/%s/%s is missing: nothing recorded\n' "$run" "$column" "$file" >&2
			exit 1
		fi
		cp "$run/$column/$file" "$stage/$name/$column/$file"
	done
done
"$top/userspace/pfnmap-probe" --describe >"$stage/describe.json"

/usr/bin/python3 - "$top/userspace/probe-schema.json" "$stage/$name"/*/probe.json <<'EOF'
import json
import sys

import jsonschema

validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1], encoding="utf-8")))
bad = 0
for path in sys.argv[2:]:
    for error in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
        print(f"record-fixtures: {path}: {list(error.absolute_path)}: {error.message}", file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
EOF
"$top/userspace/report/pfnmap-report" "$stage/$name" --describe "$stage/describe.json" \
	--out "$work/report" --grid >&2

rm -rf "${fixtures:?}/$name" "$fixtures/describe.json"
mv "$stage/$name" "$fixtures/$name"
mv "$stage/describe.json" "$fixtures/describe.json"
printf 'record-fixtures: wrote %s and %s\n' "$fixtures/$name" "$fixtures/describe.json" >&2
