#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a fake-device run of pfnmap-probe: every device case ran, read the
pattern of its own region slot before the operation, reported no crash or
timeout, and the device counters balanced."""
import json
import sys

doc = json.load(open(sys.argv[1]))
assert doc["tool"] == "pfnmap-probe"
assert doc["device"]["present"] is True, doc["device"]
problems = []
cases = doc["cases"]
for c in cases:
    ev = c["evidence"] or {}
    if c["status"] == "skip":
        problems.append(f'{c["id"]}: skipped: {c["skip_reason"]}')
        continue
    if c["outcome"].split("=")[0] in ("setup", "crash", "timeout", "lost-result"):
        problems.append(f'{c["id"]}: {c["outcome"]}')
    if c["operation"] != "map_private" and ev.get("before") != "pattern":
        problems.append(f'{c["id"]}: read {ev.get("before")} before the operation')
    if c["checks"]["balanced"] is not True:
        problems.append(f'{c["id"]}: unbalanced: {ev.get("balance_note")}')
    if ev.get("counters_delta") is None:
        problems.append(f'{c["id"]}: no file counters')
if len(cases) < 370:
    problems.append(f"only {len(cases)} device cases")
for p in problems[:40]:
    print("fake-run:", p)
if problems:
    sys.exit(f"fake-run: {len(problems)} problems")
print(f"fake-run: ok ({len(cases)} device cases ran against the fake)")
