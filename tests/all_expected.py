#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the verdicts of a run-qemu.sh results dir: every case whose id matches GLOB and ran
must be "expected", and at least MIN_RAN of them must have run (a skip is no evidence). With
--skip-reason TEXT, the cases matching GLOB that did not run must have skipped with a reason
containing TEXT. Prints the offenders; exits 0 when all holds, 1 when not, 3 when there is no
probe.json (no evidence).

Usage: all_expected.py RESULTS_DIR GLOB MIN_RAN [--skip-reason TEXT]
"""
import fnmatch
import json
import pathlib
import sys

NO_EVIDENCE = 3


def main(argv):
    if len(argv) not in (4, 6) or (len(argv) == 6 and argv[4] != "--skip-reason"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    results, glob, min_ran = pathlib.Path(argv[1]), argv[2], int(argv[3])
    skip_reason = argv[5] if len(argv) == 6 else None
    docs = sorted(results.glob("**/probe.json"))
    if not docs:
        print(f"all_expected: no probe.json under {results}", file=sys.stderr)
        return NO_EVIDENCE
    ran = bad = 0
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            cases = [c for c in json.load(f)["cases"] if fnmatch.fnmatchcase(c["id"], glob)]
        for case in cases:
            if case["status"] == "skip":
                if skip_reason is not None and skip_reason not in (case["skip_reason"] or ""):
                    print(f"{doc.parent.name}: {case['id']} skipped: {case['skip_reason']}")
                    bad += 1
                continue
            ran += 1
            if case["verdict"] != "expected":
                print(f"{doc.parent.name}: {case['id']}: {case['verdict']}: {case['outcome']} "
                      f"(expected {case.get('expected')})")
                bad += 1
    if ran < min_ran:
        print(f"all_expected: {ran} cases matching {glob} ran, want at least {min_ran}")
        return 1
    print(f"all_expected: {ran} cases matching {glob} ran, {bad} not as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
