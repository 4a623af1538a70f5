#!/usr/bin/env bash
# Records tests/bisect/fixtures/ from two real steps of the bisect in docs/bisect.md; nothing in
# them is typed by hand.
#
#   good/  the history's base commit (7.2 as Debian ships it)
#   bad/   its "part 2" commit (relax-dontunmap's change in behaviour)
#
# Each: git checkout of that commit in HISTORY_DIR (made by tests/bisect/make-history.sh), then
#   ./run-qemu.sh --kernel-tree HISTORY_DIR --bisect 'dev.remap.dx.*:dontunmap' --bisect-good GOOD
# which must exit 0 (good) and 1 (bad); the guest's probe.json, meta.env, ktap.txt, dmesg.txt
# and bisect-expectations.txt are copied unchanged, with the run's describe.json. GOOD is
# userspace/expectations.txt's outcome for dev.*:dontunmap on every version (kept in
# good-outcome.txt). HISTORY_DIR is left on its main branch.
#
# Needs what ./run-qemu.sh needs; the tree's first build is a full kernel build (~10 minutes on
# 2 cores), then each step an incremental one. Not while a bisect runs in HISTORY_DIR.
#
# Usage: tests/bisect/record-fixtures.sh HISTORY_DIR
set -euo pipefail

history=${1:+$(realpath "$1")}
cd "$(dirname "$0")/../.."
source scripts/common.sh

readonly GLOB='dev.remap.dx.*:dontunmap'
fixtures=tests/bisect/fixtures

[[ -n $history && -d $history/.git ]] || die "usage: $0 HISTORY_DIR (made by tests/bisect/make-history.sh)"
! git -C "$history" bisect log >/dev/null 2>&1 || die "a bisect is under way in $history: git bisect reset first"
good_outcome=$(awk '$1 == "dev.*:dontunmap" && $2 == "*" { $1 = $2 = ""; sub(/^ +/, ""); print }' \
	userspace/expectations.txt)
[[ -n $good_outcome ]] || die "userspace/expectations.txt has no line 'dev.*:dontunmap *'"
bad_commit=$(git -C "$history" log --format=%H --grep='part 2: the change in behaviour' main)
[[ -n $bad_commit ]] || die "$history has no 'part 2' commit: not made by make-history.sh?"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; git -C "$history" checkout -q main' EXIT

# record_step NAME COMMIT WANT_EXIT
record_step() {
	local name=$1 commit=$2 want=$3 rc=0 run
	git -C "$history" checkout -q "$commit"
	progress "$name: $(git -C "$history" log -1 --format='%h %s')"
	./run-qemu.sh --kernel-tree "$history" --bisect "$GLOB" --bisect-good "$good_outcome" \
		--results "$tmp/$name" || rc=$?
	((rc == want)) || die "$name step exited $rc, want $want"
	run=$(echo "$tmp/$name"/*/)
	mkdir -p "$tmp/out/$name"
	cp "$run/own/probe.json" "$run/own/meta.env" "$run/own/ktap.txt" "$run/own/dmesg.txt" \
		"$run/bisect-expectations.txt" "$tmp/out/$name/"
	cp "$run/describe.json" "$tmp/out/describe.json"
}

record_step good base "$BISECT_GOOD"
record_step bad "$bad_commit" "$BISECT_BAD"
echo "$good_outcome" >"$tmp/out/good-outcome.txt"
rm -rf "$fixtures"
cp -r "$tmp/out" "$fixtures"
progress "recorded $fixtures"
