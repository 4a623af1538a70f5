"""The architecture dimension, on the run recorded on x86 and arm64 (run-7.2-arm64): each column
knows its architecture, a field one architecture lacks (x86 PAT) is no difference, and what
differs between the same kernel on two architectures is listed as the architecture's, never as a
change between kernels."""

import unittest

from tests import support

from pfnmap_report import build_report
from pfnmap_report.markdown import render

X86, ARM = support.ARCH_COLUMNS


def need_arch_fixture():
    if not all((support.os.path.isfile(support.os.path.join(support.ARCH_RUN, c, "probe.json"))
                for c in support.ARCH_COLUMNS)):
        raise unittest.SkipTest(f"no recorded arch fixture: run {support.RECORDER} arch")


class ArchitectureDimension(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_arch_fixture()
        cls.run_, cls.matrix = build_report(support.ARCH_RUN)
        cls.columns = {c.label: c for c in cls.matrix.columns}

    def test_each_column_has_its_architecture(self):
        self.assertEqual([c.arch for c in self.matrix.columns], ["x86", "arm64"])
        self.assertEqual([c.label for c in self.matrix.columns], list(support.ARCH_COLUMNS))

    def test_pat_is_reported_on_x86_only(self):
        arm = self.columns[ARM].cases
        x86 = self.columns[X86].cases
        with_pat = [i for i, c in x86.items() if "pat" in c.fields]
        self.assertTrue(with_pat, "the subset has cases with a pat= field on x86")
        for case_id in with_pat:
            self.assertNotIn("pat", arm[case_id].fields, case_id)
            self.assertNotIn("pat=", arm[case_id].outcome or "", case_id)

    def test_comparisons_stay_within_an_architecture(self):
        """7.2@arm64 is the first arm64 kernel: no kernel to compare with, only 7.2 on x86."""
        self.assertIsNone(self.columns[ARM].compare_to)
        self.assertEqual(self.columns[ARM].arch_compare_to, X86)
        self.assertIsNone(self.columns[X86].arch_compare_to)

    def test_a_field_one_architecture_lacks_is_no_difference(self):
        """A case whose x86 and arm64 outcomes differ only by pat= is no arch change, and its row
        does not differ."""
        only_pat = [i for i, c in self.columns[X86].cases.items()
                    if c.outcome and self.columns[ARM].cases[i].outcome
                    and c.outcome != self.columns[ARM].cases[i].outcome
                    and " ".join(w for w in c.outcome.split() if not w.startswith("pat="))
                    == self.columns[ARM].cases[i].outcome]
        self.assertTrue(only_pat, "the fixture has cases that differ by pat= alone")
        arch_changed = {ch.case for ch in self.matrix.changes if ch.kind == "arch"}
        rows = {r.id: r for r in self.matrix.rows}
        for case_id in only_pat:
            self.assertNotIn(case_id, arch_changed, case_id)
            self.assertFalse(rows[case_id].differs, case_id)

    def test_arch_differences_are_not_changes_between_kernels(self):
        for row in self.matrix.rows:
            self.assertNotIn(ARM, row.changed_at, row.id)
        self.assertEqual(self.matrix.changes_to(ARM), ())
        arch = [c for c in self.matrix.comparisons if c.kind == "arch"]
        self.assertEqual([(c.from_, c.to) for c in arch], [(X86, ARM)])
        self.assertEqual(self.matrix.changes_to(ARM, "arch"),
                         tuple(ch for ch in self.matrix.changes if ch.kind == "arch"))

    def test_markdown_shows_the_architecture(self):
        text = render(self.matrix)
        self.assertIn(f"| {ARM} | arm64 |", text)
        self.assertIn(f"### {X86} → {ARM} (architecture", text)
