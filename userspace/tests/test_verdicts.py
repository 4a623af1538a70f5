#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests that the probe's verdicts can fail: each runs the real probe binary on this host
(the ctl.* cases run for real on the host kernel; device cases against the LD_PRELOAD fake)
with an input broken on purpose, and checks that the probe says so and exits non-zero.

The broken inputs are derived from the committed expectations.txt by the test itself (a
line's outcome replaced, a line dropped), never typed: what changes is the point.

Usage: test_verdicts.py PROBE FAKE_SO EXPECTATIONS
"""
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import unittest

PROBE, FAKE, EXPECTATIONS = sys.argv[1:4] if len(sys.argv) >= 4 else (None, None, None)
# One control case whose line in expectations.txt is its own (not a glob shared with others).
OWN_LINE_CASE = "ctl.anon-private:dontunmap"


def run_probe(*args, env=None, expect=None):
    """Runs the probe; returns (exit code, probe.json document or None, KTAP text)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "probe.json")
        cmd = [PROBE, "--json", out, *args]
        if expect:
            cmd += ["--expect", expect]
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=300)
        doc = None
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
        return proc.returncode, doc, proc.stdout + proc.stderr


def expectations_with(transform):
    """A copy of expectations.txt with each line passed through transform (None drops it)."""
    with open(EXPECTATIONS, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out = [new for line in lines if (new := transform(line)) is not None]
    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
    handle.write("\n".join(out) + "\n")
    handle.close()
    return handle.name


def own_line(line):
    return line.split() and line.split()[0] == OWN_LINE_CASE


def matches_case(line):
    """Any expectation line whose glob covers the case (fnmatch, as the probe reads it)."""
    words = line.split()
    return bool(words) and not words[0].startswith("#") and \
        fnmatch.fnmatchcase(OWN_LINE_CASE, words[0])


class Verdicts(unittest.TestCase):
    def cases(self, doc, **where):
        return [c for c in doc["cases"] if all(c[k] == v for k, v in where.items())]

    def test_true_expectations_pass(self):
        rc, doc, text = run_probe("--case", "ctl.*", expect=EXPECTATIONS)
        self.assertEqual(rc, 0, text[-2000:])
        self.assertGreater(doc["summary"]["pass"], 80)
        self.assertEqual(doc["summary"]["fail"], 0)

    def test_wrong_expectation_is_changed(self):
        path = expectations_with(lambda line: line.replace("ret=ok", "ret=EPERM")
                                 if own_line(line) else line)
        rc, doc, _ = run_probe("--case", "ctl.*", expect=path)
        self.assertEqual(rc, 1)
        changed = [c["id"] for c in self.cases(doc, verdict="changed")]
        self.assertEqual(changed, [OWN_LINE_CASE])
        case = self.cases(doc, id=OWN_LINE_CASE)[0]
        self.assertEqual(case["status"], "not ok")
        self.assertIn("ret=EPERM", case["expected"])

    def test_missing_expectation_is_new(self):
        path = expectations_with(lambda line: None if matches_case(line) else line)
        with open(path, encoding="utf-8") as f:
            globs = [w.split()[0] for w in f if w.split() and not w.startswith("#")]
        rc, doc, _ = run_probe("--case", "ctl.*", expect=path)
        self.assertEqual(rc, 1)
        new = {c["id"] for c in self.cases(doc, verdict="new")}
        uncovered = {c["id"] for c in doc["cases"]
                     if not any(fnmatch.fnmatchcase(c["id"], g) for g in globs)}
        self.assertIn(OWN_LINE_CASE, new)
        self.assertEqual(new, uncovered)
        self.assertIsNone(self.cases(doc, id=OWN_LINE_CASE)[0]["expected"])

    def test_no_case_selected_is_an_error(self):
        rc, doc, text = run_probe("--case", "no-such-case*", expect=EXPECTATIONS)
        self.assertEqual(rc, 2, text)
        self.assertIn("no case matches", text)

    def test_all_skipped_is_not_a_pass(self):
        rc, doc, _ = run_probe("--case", "dev.remap.dx.none.allow:move",
                               "--device", "/nonexistent/pfnmap", expect=EXPECTATIONS)
        self.assertEqual(rc, 4)
        self.assertEqual(doc["summary"]["skip"], 1)
        self.assertEqual(doc["summary"]["pass"], 0)
        self.assertEqual(list(doc["summary"]["skip_reasons"].values()), [1])

    def test_required_device_fails_instead_of_skipping(self):
        rc, doc, _ = run_probe("--case", "dev.remap.dx.none.allow:*", "--require-device",
                               "--device", "/nonexistent/pfnmap", expect=EXPECTATIONS)
        self.assertEqual(rc, 1)
        self.assertEqual(doc["summary"]["skip"], 0)
        self.assertFalse(doc["device"]["usable"])
        for case in doc["cases"]:
            self.assertEqual((case["status"], case["outcome_kind"]), ("not ok", "setup"), case["id"])

    def test_child_crash_after_its_report_fails(self):
        rc, doc, _ = run_probe("--case", "dev.remap.dx.none.allow:move", "--device",
                               "/dev/pfnmap-fake", expect=EXPECTATIONS,
                               env={"LD_PRELOAD": FAKE, "FAKE_PFNMAP_CRASH_AFTER_EXIT": "1"})
        self.assertEqual(rc, 1)
        case = doc["cases"][0]
        self.assertEqual(case["outcome_kind"], "crash")
        self.assertEqual(case["outcome"], "crash=SIGSEGV")
        self.assertIs(case["checks"]["exit_clean"], False)
        self.assertEqual(case["status"], "not ok")


if __name__ == "__main__":
    if None in (PROBE, FAKE, EXPECTATIONS):
        sys.exit("usage: test_verdicts.py PROBE FAKE_SO EXPECTATIONS")
    unittest.main(argv=sys.argv[:1])
