#!/usr/bin/env bash
# make stress: the long pfnmap-stress run on the debug flavors and the what-if variants
# (every column of kernels/variants.tsv), over kernel pages and over a memmap= region; then
# one line of figures per column and region. Builds what is missing first (one at a time).
#   STRESS_SECONDS  per guest (default 300)
#   STRESS_SEED     default: a random one, printed (the same seed repeats each thread's
#                   sequence of operations)
#   STRESS_COLUMNS  e.g. "7.2+debug 7.2+relax-pfnmap" (default: every variants.tsv column)
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh
source scripts/kernel.sh

variants_columns() { grep -v '^#' kernels/variants.tsv | awk -F'\t' 'NF >= 2 { print $2 "+" $1 }'; }

seconds=${STRESS_SECONDS:-300}
seed=${STRESS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
read -ra columns <<<"${STRESS_COLUMNS:-$(variants_columns | tr '\n' ' ')}"
results=$PFNMAP_TOP/results/stress-$(date +%Y%m%d-%H%M%S)
progress "stress: ${columns[*]}, $seconds s each, seed $seed, results in $results"

# stress_on REGION [RUNNER OPTION...]: every column, in one runner call (guests two at a time).
stress_on() {
	local region=$1
	shift
	expect_exit "$EXIT_OK" ./run-qemu.sh --kernels "${columns[*]}" --stress "$seconds" --seed "$seed" \
		--results "$results/$region" "$@"
}

# The memmap= region on kernels before 6.16: a partial move of a remap_pfn_range VMA frees a
# memtype that does not match the whole-VMA reservation (tests/test_pat_partial_move.sh), and
# 6.12+relax-pfnmap WARNs in get_pat_info() when a grown tail is unmapped
# (docs/findings/relax-pfnmap-6.12-grown-tail.md). The stress does both at random: there the
# run must end with exit 3, and these must be its only lines of concern.
readonly KNOWN_PRE_6_16_MEMMAP='x86/PAT: .*freeing invalid memtype|WARNING: .*arch/x86/mm/pat/memtype\.c:[0-9]+|get_pat_info'

# only_known_concerns DIR: every log line of concern in DIR's guest logs is a known one.
only_known_concerns() {
	local unknown
	unknown=$(cat "$1"/*/*/dmesg.txt 2>/dev/null | grep -E -f userspace/log-concern.txt |
		grep -vE "$KNOWN_PRE_6_16_MEMMAP" || true)
	[[ -z $unknown ]] || { echo "lines of concern besides the known PAT ones:"; echo "$unknown"; return 1; }
}

# stress_memmap_old COLUMN: one pre-6.16 column on the memmap= region (exit 3, known lines only).
stress_memmap_old() {
	expect_exit "$EXIT_SPLAT" ./run-qemu.sh --kernels "$1" --stress "$seconds" --seed "$seed" \
		--results "$results/memmap" --memmap || return 1
	only_known_concerns "$results/memmap"
}

# One value of a guest's figures (pfnmap-stress --summary, /results/stress.env).
figure() { sed -n "s/^$2=//p" "$1"; }

figures() {
	local env column region balance result
	printf '%-22s %-7s %7s %10s %7s %11s %6s %8s %9s %13s %-6s %s\n' column region seconds operations \
		threads seed splats balance mismatch "MemFree drop" stress "runner exit"
	for env in "$results"/*/*/*/stress.env; do
		[[ -f $env ]] || continue
		column=$(basename "$(dirname "$env")")
		region=$(basename "$(dirname "$(dirname "$(dirname "$env")")")")
		balance=no
		[[ $(figure "$env" opens_balanced)$(figure "$env" vmas_balanced) == 11 ]] && balance=yes
		result=FAIL
		[[ $(figure "$env" pass) == 1 ]] && result=pass
		printf '%-22s %-7s %7s %10s %7s %11s %6s %8s %9s %10s kB %-6s %s\n' "$column" "$region" \
			"$(figure "$env" seconds)" "$(figure "$env" operations)" \
			"$(figure "$env" procs)x$(figure "$env" threads)" "$(figure "$env" seed)" \
			"$(figure "$env" splats)" "$balance" "$(figure "$env" mismatches)" \
			"$(($(figure "$env" memfree_before_kb) - $(figure "$env" memfree_after_kb)))" "$result" \
			"$(figure "$(dirname "$env")/meta.env" exit_status)"
	done
}

check "stress over kernel pages: ${columns[*]}" stress_on pages
new_columns=() old_columns=()
for column in "${columns[@]}"; do
	if (($(version_number "${column%%+*}") >= 6016)); then
		new_columns+=("$column")
	else
		old_columns+=("$column")
	fi
done
if ((${#new_columns[@]})); then
	columns=("${new_columns[@]}")
	check "stress over a memmap= region: ${columns[*]}" stress_on memmap --memmap
fi
for column in "${old_columns[@]}"; do
	check "stress over a memmap= region: $column (known PAT lines before 6.16, exit $EXIT_SPLAT)" \
		stress_memmap_old "$column"
done
figures
summary
