#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Prints what one probe case produced in a run-qemu.sh results dir: its outcome, then its
kernel log lines of concern, one per line. Exits 3 (no evidence) when there is no probe.json,
the case is not in it, or it did not run (skipped, or no outcome): a check that looks for the
absence of something must never pass on a run that measured nothing.

Usage: case_result.py RESULTS_DIR CASE_ID
"""
import json
import pathlib
import sys

NO_EVIDENCE = 3


def main(argv):
    if len(argv) != 3:
        print("usage: case_result.py RESULTS_DIR CASE_ID", file=sys.stderr)
        return 2
    results, case_id = pathlib.Path(argv[1]), argv[2]
    docs = sorted(results.glob("**/probe.json"))
    if len(docs) != 1:
        print(f"case_result: {len(docs)} probe.json under {results}, want exactly 1",
              file=sys.stderr)
        return NO_EVIDENCE
    with open(docs[0], encoding="utf-8") as f:
        cases = [c for c in json.load(f)["cases"] if c["id"] == case_id]
    if not cases:
        print(f"case_result: {case_id} is not in {docs[0]}", file=sys.stderr)
        return NO_EVIDENCE
    case = cases[0]
    if case["status"] == "skip" or case["outcome"] is None:
        print(f"case_result: {case_id} did not run: {case['skip_reason']}", file=sys.stderr)
        return NO_EVIDENCE
    print(case["outcome"])
    for line in (case["evidence"] or {}).get("kmsg") or []:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
