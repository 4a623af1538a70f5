"""run-qemu.sh --bisect's verdicts (pfnmap_report/bisect.py) on real runs: the two recorded steps
of the bisect in docs/bisect.md (tests/bisect/fixtures/, recorded by
tests/bisect/record-fixtures.sh), the report's QEMU fixtures, and the host probe's own run.
Inputs that must be refused are derived from recorded outcomes, never typed."""

import os
import shutil
import subprocess
import tempfile
import unittest

from pfnmap_report.bisect import BAD, GOOD, SKIP, judge_case, judge_column, outcome_error
from pfnmap_report.load import read_describe, read_probe_json

from tests import support

BISECT_FIXTURES = os.path.join(support.TOP, "tests", "bisect", "fixtures")
GOOD_STEP, BAD_STEP = (os.path.join(BISECT_FIXTURES, step) for step in ("good", "bad"))
BISECT_RECORDER = "tests/bisect/record-fixtures.sh"
WRAPPER = os.path.join(support.REPORT, "pfnmap-bisect")


def need_bisect_fixture():
    for step in (GOOD_STEP, BAD_STEP):
        if not os.path.isfile(os.path.join(step, "probe.json")):
            raise unittest.SkipTest(f"no recorded bisect step in {step}: run {BISECT_RECORDER}")
    return read_describe(os.path.join(BISECT_FIXTURES, "describe.json"))


def good_outcome():
    """expectations.txt's outcome of dev.*:dontunmap on every version (what stock kernels do)."""
    with open(os.path.join(support.TOP, "userspace", "expectations.txt"), encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words[:2] == ["dev.*:dontunmap", "*"]:
                return " ".join(words[2:])
    raise AssertionError("expectations.txt has no line for dev.*:dontunmap on every version")


def vocabulary():
    return read_describe(support.need_qemu_fixture()[1])


def recorded_cases():
    """(vocabulary, case) of every case of every recorded column."""
    out = []
    for describe, columns in ((os.path.join(BISECT_FIXTURES, "describe.json"), (GOOD_STEP, BAD_STEP)),
                              (support.DESCRIBE, [os.path.join(support.QEMU_RUN, c)
                                                  for c in (support.BASE, support.VARIANT)]),
                              (support.HUGE_DESCRIBE, [os.path.join(support.HUGE_RUN, c)
                                                       for c in (support.HUGE_BASE, support.HUGE_VARIANT)])):
        if not os.path.isfile(describe):
            continue
        vocab = read_describe(describe)
        for column in columns:
            out += [(vocab, case) for case in read_probe_json(os.path.join(column, "probe.json"), vocab)[1]]
    if not out:
        raise unittest.SkipTest(f"no recorded run: run {BISECT_RECORDER}")
    return out


class Outcomes(unittest.TestCase):
    """--bisect-good OUTCOME is an outcome as the probe spells it, for the bisected operation."""

    def test_every_recorded_outcome_is_an_outcome_of_its_operation(self):
        for vocab, case in recorded_cases():
            if case.outcome is not None:
                self.assertIsNone(outcome_error(vocab, case.operation, case.outcome), case.id)

    def test_the_good_outcome_of_the_recorded_bisect_is_one(self):
        vocab = vocabulary()
        self.assertIsNone(outcome_error(vocab, "dontunmap", good_outcome()))

    def test_fields_out_of_order_are_refused(self):
        vocab = vocabulary()
        reordered = " ".join(reversed(good_outcome().split()))
        self.assertIn("in that order", outcome_error(vocab, "dontunmap", reordered))

    def test_a_value_the_vocabulary_lacks_is_refused(self):
        vocab = vocabulary()
        spoiled = good_outcome().replace("old=pattern", "old=gold")
        self.assertIn("'gold'", outcome_error(vocab, "dontunmap", spoiled))

    def test_another_operations_outcome_is_refused(self):
        vocab, case = support.find(recorded_cases(), lambda vc: vc[1].operation == "dontunmap_fixed"
                                   and vc[1].outcome_kind == "fields", "dontunmap_fixed case")
        self.assertIn("dontunmap reports", outcome_error(vocab, "dontunmap", case.outcome))

    def test_one_word_outcomes_of_other_kinds(self):
        vocab, case = support.find(recorded_cases(), lambda vc: vc[1].outcome_kind == "timeout",
                                   "recorded timeout")
        self.assertIsNone(outcome_error(vocab, case.operation, case.outcome))
        self.assertIn("one word", outcome_error(vocab, case.operation, case.outcome + " ret=ok"))

    def test_an_unknown_operation_and_an_empty_outcome(self):
        vocab = vocabulary()
        self.assertIn("no operation", outcome_error(vocab, "teleport", good_outcome()))
        self.assertEqual(outcome_error(vocab, "dontunmap", " "), "an empty outcome")


class Steps(unittest.TestCase):
    """The recorded steps: base (the DONTUNMAP check as Debian ships it) and the commit that
    drops it (relax-dontunmap part 2), each judged by --bisect-good."""

    def test_the_good_step_is_good(self):
        verdict = judge_column(GOOD_STEP, need_bisect_fixture())
        self.assertEqual(verdict.verdict, GOOD, verdict.lines())
        self.assertEqual(len(verdict.cases), 6)

    def test_the_bad_step_is_bad_naming_what_changed(self):
        verdict = judge_column(BAD_STEP, need_bisect_fixture())
        self.assertEqual(verdict.verdict, BAD, verdict.lines())
        bad = [c for c in verdict.cases if c.verdict == BAD]
        # The refuse personalities' own ->mremap still says no: they stay good.
        self.assertEqual(sorted(c.case_id for c in bad), ["dev.remap.dx.none.allow:dontunmap",
                                                         "dev.remap.dx.none.refuse:dontunmap",
                                                         "dev.remap.dx.track.allow:dontunmap",
                                                         "dev.remap.dx.track.refuse:dontunmap"])
        self.assertTrue(all(f"good is {good_outcome()}" in c.why for c in bad), bad)

    def test_a_missing_probe_json_is_skip_unless_the_probe_went_down(self):
        vocab = vocabulary()
        with tempfile.TemporaryDirectory() as empty:
            self.assertEqual(judge_column(empty, vocab).verdict, SKIP)
            self.assertEqual(judge_column(empty, vocab, probe_went_down=True).verdict, BAD)

    def test_a_truncated_probe_json_is_skip(self):
        vocab = vocabulary()
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(support.QEMU_RUN, support.BASE, "probe.json"), encoding="utf-8") as f:
                text = f.read()
            with open(os.path.join(tmp, "probe.json"), "w", encoding="utf-8") as f:
                f.write(text[: len(text) // 2])
            verdict = judge_column(tmp, vocab)
            self.assertEqual(verdict.verdict, SKIP)
            self.assertIn("unreadable", verdict.why)


class Splats(unittest.TestCase):
    """A kernel BUG during a case is bad even where the outcome is as expected (the huge
    fixture: stock 7.2's VMA split inside a PUD leaf times out, as expectations.txt says, and
    hits a kernel BUG); the fixed kernel is good."""

    def test_a_bug_during_a_case_is_bad(self):
        run, describe = support.need_huge_fixture()
        verdict = judge_column(os.path.join(run, support.HUGE_BASE), read_describe(describe))
        self.assertEqual(verdict.verdict, BAD)
        bug = support.find(verdict.cases, lambda c: c.verdict == BAD and "kernel BUG at" in c.why,
                           "case bad for a kernel BUG")
        self.assertIn("as good is, but", bug.why)

    def test_the_fixed_kernel_is_good(self):
        run, describe = support.need_huge_fixture()
        verdict = judge_column(os.path.join(run, support.HUGE_VARIANT), read_describe(describe))
        self.assertEqual(verdict.verdict, GOOD, [c for c in verdict.cases if c.verdict != GOOD])


class HostRun(unittest.TestCase):
    """The host probe's own run: controls judged by expectations.txt, device cases skipped."""

    def test_skipped_device_cases_make_the_step_skip(self):
        run = support.host_run()
        verdict = judge_column(os.path.join(run, "host"), read_describe(support.live_describe()))
        self.assertEqual(verdict.verdict, SKIP)
        self.assertTrue(any(c.verdict == SKIP and "skipped:" in c.why for c in verdict.cases))

    def test_no_expectation_for_the_version_is_skip(self):
        probe = support.need_probe()
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([probe, "--json", os.path.join(tmp, "probe.json"), "--expect", os.devnull,
                            "--case", "ctl.anon-private:dontunmap"], stdout=subprocess.DEVNULL, check=False)
            vocab = read_describe(support.live_describe())
            case = read_probe_json(os.path.join(tmp, "probe.json"), vocab)[1][0]
            self.assertEqual(case.verdict, "new")
            self.assertEqual(judge_case(case).verdict, SKIP)
            self.assertIn("--bisect-good", judge_case(case).why)


class Wrapper(unittest.TestCase):
    """pfnmap-bisect, as run-qemu.sh calls it."""

    def run_wrapper(self, *args):
        return subprocess.run([WRAPPER, *args], capture_output=True, text=True, check=False)

    def test_judge_prints_the_verdict_first(self):
        run, describe = support.need_qemu_fixture()
        huge_run, huge_describe = support.need_huge_fixture()
        for describe, step, word in ((describe, os.path.join(run, support.BASE), GOOD),
                                     (huge_describe, os.path.join(huge_run, support.HUGE_BASE), BAD)):
            proc = self.run_wrapper("judge", "--describe", describe, step)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout.splitlines()[0], word)

    def test_check_outcome_exits_2_with_one_line(self):
        describe = support.need_qemu_fixture()[1]
        ok = self.run_wrapper("check-outcome", "--describe", describe, good_outcome(),
                              "dev.remap.dx.none.allow:dontunmap")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        bad = self.run_wrapper("check-outcome", "--describe", describe, good_outcome().replace("=", "=x", 1),
                               "dev.remap.dx.none.allow:dontunmap")
        self.assertEqual(bad.returncode, 2)
        self.assertEqual(len(bad.stderr.splitlines()), 1, bad.stderr)

    def test_a_bad_describe_is_exit_2(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "describe.json")
            shutil.copy(support.live_describe(), path)
            with open(path, "a", encoding="utf-8") as f:
                f.write("}")
            proc = self.run_wrapper("judge", "--describe", path, tmp)
            self.assertEqual(proc.returncode, 2)


if __name__ == "__main__":
    unittest.main()
