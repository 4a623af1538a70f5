#!/usr/bin/env bash
# tests/case_result.py, which the what-if and PAT checks read their evidence through, on a real
# probe run of this host (userspace/pfnmap-probe: controls run, device cases skip without the
# module): an outcome for a case that ran, "no evidence" (exit 3) for a skipped case, a case the
# run does not have, and a results dir without probe.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C userspace >/dev/null
mkdir -p "$tmp/run/host" "$tmp/empty/host"
userspace/pfnmap-probe --case 'ctl.anon-private:*' --case 'dev.remap.dx.none.allow:move' \
	--json "$tmp/run/host/probe.json" >/dev/null || true

no_evidence() { expect_exit 3 python3 tests/case_result.py "$@"; }
outcome_is() {
	local want=$1 got
	shift
	got=$(python3 tests/case_result.py "$@") || return 1
	[[ $got == "$want" ]] || { echo "got '$got', want '$want'"; return 1; }
}

check "a case that ran: its outcome" \
	outcome_is "ret=ok old=zero new=pattern" "$tmp/run" ctl.anon-private:dontunmap
check "a skipped case is no evidence" no_evidence "$tmp/run" dev.remap.dx.none.allow:move
check "a case the run does not have is no evidence" no_evidence "$tmp/run" ctl.memfd:move
check "a run without probe.json is no evidence" no_evidence "$tmp/empty" ctl.anon-private:move
summary
