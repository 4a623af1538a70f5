#!/usr/bin/env bash
# Debian's prebuilt kernels as columns (kernels/distro.tsv): DISTRO_COLUMNS (default 6.1-debian,
# the "insmod on a distro kernel" case) boot as they ship with the module built against their
# headers; every case must be expected, meta.env must name the exact packages, and the taint
# lines of an unsigned out-of-tree module (Debian signs its modules) must not make the run a
# splat. A column whose module this host cannot build (7.2-debian: gcc-16 headers) must say
# why on one line and exit 2.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
source scripts/common.sh

read -ra columns <<<"${DISTRO_COLUMNS:-6.1-debian}"
unbuildable=${DISTRO_UNBUILDABLE:-7.2-debian}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

column_dir() { find "$tmp/$1" -mindepth 2 -maxdepth 2 -type d -name "$2" | head -n1; }

# meta.env names the image and the headers with their versions, and every package fetched.
meta_names_packages() {
	local dir=$1 key
	for key in image_package headers_package; do
		grep -qE "^$key=linux-(image|headers)-[^=]+-amd64=[0-9]" "$dir/meta.env" ||
			{ echo "meta.env has no $key=NAME=VERSION:"; cat "$dir/meta.env"; return 1; }
	done
	grep -qE '^packages=.*linux-kbuild-[^=]+=[0-9]' "$dir/meta.env" || { echo "meta.env: no packages= with linux-kbuild"; return 1; }
	grep -qE '^module_cc=.' "$dir/meta.env" || { echo "meta.env: no module_cc="; return 1; }
	grep -qx 'distro=debian' "$dir/meta.env" || { echo "meta.env: no distro=debian"; return 1; }
}

# The kernel checked the module's signature and tainted itself, and the run still passed.
taint_is_benign() {
	local dir=$1
	grep -q 'module verification failed: signature and/or required key missing - tainting kernel' "$dir/console.log" ||
		{ echo "no signature taint line in $dir/console.log: not a module-signing kernel?"; return 1; }
	grep -qx 'exit_status=0' "$dir/meta.env" || { echo "the run did not pass:"; grep exit_status "$dir/meta.env"; return 1; }
}

run_columns() {
	expect_exit "$EXIT_OK" ./run-qemu.sh --kernels "${columns[*]}" --results "$tmp/ok"
}

# The one line and exit 2 on a host without the headers' compiler (bookworm: gcc-12 only).
unbuildable_says_why() {
	local err rc=0
	err=$(./run-qemu.sh --kernel "$unbuildable" --results "$tmp/bad" 2>&1 >/dev/null) || rc=$?
	err=$(grep -v -e '^\[[0-9:]*\] ' -e '^Get:' -e '^Hit:' -e '^Ign:' -e '^Fetched ' -e '^Reading ' <<<"$err" || true)
	[[ $rc == "$EXIT_INFRA" ]] || { echo "exit $rc, want $EXIT_INFRA: $err"; return 1; }
	grep -q "cannot build the module against linux-headers-.* fails: " <<<"$err" ||
		{ echo "the reason is not named: $err"; return 1; }
	(($(wc -l <<<"$err") == 1)) || { echo "more than one line: $err"; return 1; }
}

check "Debian kernels ${columns[*]}: every case expected, exit 0" run_columns
for column in "${columns[@]}"; do
	dir=$(column_dir ok "$column")
	check "$column: meta.env names the exact packages and the module's compiler" meta_names_packages "$dir"
	check "$column: the unsigned module's taint line is no line of concern" taint_is_benign "$dir"
	check "$column: at least 700 cases ran, all expected" /usr/bin/python3 tests/all_expected.py "$dir" '*' 700
done
check "$unbuildable: the module cannot be built here: one line, exit $EXIT_INFRA" unbuildable_says_why
summary
