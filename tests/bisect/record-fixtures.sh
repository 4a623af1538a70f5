#!/usr/bin/env bash
# Records tests/bisect/fixtures/ from two real steps of a bisect of the history that
# tests/bisect/make-history.sh makes; nothing in them is typed by hand.
#
#   good/  a step git bisect run was told is good (exit 0)
#   bad/   a step it was told is bad (exit 1)
#
# Each holds the guest's probe.json, meta.env, ktap.txt, dmesg.txt and the run's
# bisect-expectations.txt, copied unchanged, with the run's describe.json; good-outcome.txt is
# the --bisect-good the runs used: userspace/expectations.txt's outcome for dev.*:dontunmap on
# every version (7.2 as Debian ships it).
#
# Usage:
#   tests/bisect/record-fixtures.sh HISTORY_DIR
#       checks out the history's base commit (good) and its "part 2" commit (relax-dontunmap's
#       change in behaviour: bad) in turn, runs
#         ./run-qemu.sh --kernel-tree HISTORY_DIR --bisect 'dev.remap.dx.*:dontunmap' --bisect-good GOOD
#       on each (they must exit 0 and 1) and leaves HISTORY_DIR on main. The tree's first build is
#       a full kernel build (~10 minutes on 2 cores), then each step an incremental one. Not while
#       a bisect runs in HISTORY_DIR.
#   tests/bisect/record-fixtures.sh --from-runs GOOD_RUN BAD_RUN
#       copies two run directories of such steps (e.g. the results of the git bisect run in
#       docs/bisect.md), after judging them again with userspace/report/pfnmap-bisect: they must
#       come out good and bad, with the same --bisect-good.
set -euo pipefail

args=()
for arg; do
	if [[ $arg == -* ]]; then args+=("$arg"); else args+=("$(realpath "$arg")"); fi
done
cd "$(dirname "$0")/../.."
source scripts/common.sh

readonly GLOB='dev.remap.dx.*:dontunmap'
fixtures=tests/bisect/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# copy_step NAME RUN_DIR WANT_VERDICT: one step's files, after judging them again.
copy_step() {
	local name=$1 run=$2 want=$3 verdict
	verdict=$(userspace/report/pfnmap-bisect judge --describe "$run/describe.json" "$run/own" | head -n1)
	[[ $verdict == "$want" ]] || die "$run is $verdict, want $want"
	mkdir -p "$tmp/out/$name"
	cp "$run/own/probe.json" "$run/own/meta.env" "$run/own/ktap.txt" "$run/own/dmesg.txt" \
		"$run/bisect-expectations.txt" "$tmp/out/$name/"
	cp "$run/describe.json" "$tmp/out/describe.json"
}

# run_step NAME HISTORY COMMIT WANT_EXIT GOOD_OUTCOME: prints the run dir.
run_step() {
	local name=$1 history=$2 commit=$3 want=$4 good_outcome=$5 rc=0
	git -C "$history" checkout -q "$commit"
	progress "$name: $(git -C "$history" log -1 --format='%h %s')"
	./run-qemu.sh --kernel-tree "$history" --bisect "$GLOB" --bisect-good "$good_outcome" \
		--results "$tmp/$name" >&2 || rc=$?
	((rc == want)) || die "$name step exited $rc, want $want"
	echo "$tmp/$name"/*/
}

# outcome_for FILE GLOB: the outcome of FILE's expectation line "GLOB * OUTCOME".
outcome_for() {
	awk -v glob="$2" '$1 == glob && $2 == "*" { $1 = $2 = ""; sub(/^ +/, ""); print }' "$1"
}

good_outcome_of() { outcome_for "$1/bisect-expectations.txt" "$GLOB"; }

record_from_history() {
	local history=$1 good_outcome bad_commit good_run bad_run
	[[ -d $history/.git ]] || die "$history is not a git tree (made by tests/bisect/make-history.sh?)"
	! git -C "$history" bisect log >/dev/null 2>&1 || die "a bisect is under way in $history: git bisect reset first"
	good_outcome=$(outcome_for userspace/expectations.txt 'dev.*:dontunmap')
	[[ -n $good_outcome ]] || die "userspace/expectations.txt has no line 'dev.*:dontunmap *'"
	bad_commit=$(git -C "$history" log --format=%H --grep='part 2: the change in behaviour' main)
	[[ -n $bad_commit ]] || die "$history has no 'part 2' commit: not made by make-history.sh?"
	trap 'rm -rf "$tmp"; git -C "$history" checkout -q main' EXIT
	good_run=$(run_step good "$history" base "$BISECT_GOOD" "$good_outcome")
	bad_run=$(run_step bad "$history" "$bad_commit" "$BISECT_BAD" "$good_outcome")
	copy_step good "$good_run" good
	copy_step bad "$bad_run" bad
}

record_from_runs() {
	local good_run=$1 bad_run=$2
	[[ $(good_outcome_of "$good_run") == "$(good_outcome_of "$bad_run")" && -n $(good_outcome_of "$good_run") ]] ||
		die "the two runs were not judged by the same --bisect-good on $GLOB"
	copy_step good "$good_run" good
	copy_step bad "$bad_run" bad
}

if [[ ${args[0]:-} == --from-runs && ${#args[@]} == 3 ]]; then
	record_from_runs "${args[1]}" "${args[2]}"
elif [[ ${#args[@]} == 1 && ${args[0]} != -* ]]; then
	record_from_history "${args[0]}"
else
	die "usage: $0 HISTORY_DIR | --from-runs GOOD_RUN BAD_RUN (see the comment at its top)"
fi
good_outcome_of "$tmp/out/good" >"$tmp/out/good-outcome.txt"
rm -rf "$fixtures"
cp -r "$tmp/out" "$fixtures"
progress "recorded $fixtures"
