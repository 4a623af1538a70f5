#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What the real.* cases did in recorded runs, as candidate expectation lines.

Usage: observed.py RUN_DIR... [--glob 'real.*']
Reads RUN_DIR/<column>/probe.json of ./run-qemu.sh --real runs and prints, per case, the
outcome per kernel release, then one line per distinct outcome in expectations.txt syntax
with the releases it was seen on ("=7.2,=6.12"): the raw material for userspace/expectations.txt,
which is written from it by hand (ranges joined, comments added). Skipped cases are listed
apart: a kernel where a real driver did not run is no evidence.
"""
import fnmatch
import glob
import json
import os
import sys


def series_of(release):
    parts = release.split("-")[0].split("~")[0].split(".")
    return ".".join(parts[:2])


def main(argv):
    pattern = "real.*"
    dirs = []
    args = iter(argv[1:])
    for a in args:
        if a == "--glob":
            pattern = next(args)
        else:
            dirs.append(a)
    seen = {}      # case id -> {column: outcome}
    skipped = {}   # column -> set of reasons
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "*", "probe.json"))):
            column = os.path.basename(os.path.dirname(path))
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            release = doc.get("kernel", {}).get("release") or column
            key = f"{column} ({series_of(release)})"
            for case in doc["cases"]:
                if not fnmatch.fnmatchcase(case["id"], pattern):
                    continue
                if case["verdict"] == "skip":
                    skipped.setdefault(key, set()).add(case.get("skip_reason"))
                    continue
                seen.setdefault(case["id"], {})[key] = case["outcome"]
    for cid, per in seen.items():
        outcomes = {}
        for key, outcome in per.items():
            outcomes.setdefault(outcome, []).append(key.split("(")[1].rstrip(")"))
        for outcome, series in outcomes.items():
            rng = ",".join("=" + s for s in sorted(set(series)))
            print(f"{cid:45s} {rng:18s} {outcome}")
    for key, reasons in skipped.items():
        print(f"# skipped on {key}: {'; '.join(sorted(r or '' for r in reasons))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
