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
# Operations that map nothing before they run, or drop the file on purpose.
MAPS_ITSELF = {"map_private", "procmem_cow"}
NO_FILE_COUNTERS = {"abi:unload_busy"}
# The fake's region is "memmap": the kernel-pages-only case must skip.
MAY_SKIP = {"abi:config_access_phys_pages"}
for c in cases:
    ev = c["evidence"] or {}
    if c["status"] == "skip" and c["id"] in MAY_SKIP:
        continue
    # Hazards run only when asked (--hazards), never against the fake.
    if c["status"] == "skip" and c["mapping"]["family"] == "hazard":
        continue
    if c["status"] == "skip":
        problems.append(f'{c["id"]}: skipped: {c["skip_reason"]}')
        continue
    if c["outcome"].split("=")[0] in ("setup", "crash", "timeout", "lost-result"):
        problems.append(f'{c["id"]}: {c["outcome"]}')
    maps_itself = c["operation"] in MAPS_ITSELF or (
        c["mapping"]["family"] == "abi" and c["operation"] not in ("config_after_mmap", "unload_busy"))
    if not maps_itself and ev.get("before") != "pattern":
        problems.append(f'{c["id"]}: read {ev.get("before")} before the operation')
    if c["checks"]["balanced"] is not True:
        problems.append(f'{c["id"]}: unbalanced: {ev.get("balance_note")}')
    if ev.get("counters_delta") is None and c["id"] not in NO_FILE_COUNTERS:
        problems.append(f'{c["id"]}: no file counters')
if len(cases) < 370:
    problems.append(f"only {len(cases)} device cases")
for p in problems[:40]:
    print("fake-run:", p)
if problems:
    sys.exit(f"fake-run: {len(problems)} problems")
print(f"fake-run: ok ({len(cases)} device cases ran against the fake)")
