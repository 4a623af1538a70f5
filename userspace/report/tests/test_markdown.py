"""report.md on the recorded fixture and on a host run."""

import unittest

from pfnmap_report import markdown

from tests import support


class Fixture(unittest.TestCase):
    def setUp(self):
        _, self.matrix = support.fixture_report()
        self.text = markdown.render(self.matrix)
        self.lines = self.text.splitlines()

    def test_sections_in_order(self):
        headings = [line for line in self.lines if line.startswith("## ")]
        self.assertEqual(headings, ["## Summary", "## Behaviour changes between neighbouring kernels",
                                    "## Safety of the what-if variants", "## Table"])

    def test_the_change_list_has_the_relaxed_dontunmap(self):
        change = support.find(self.matrix.changes, lambda ch: ch.case == "dev.remap.nodx.none.allow:dontunmap",
                              "change of dev.remap.nodx.none.allow:dontunmap")
        self.assertEqual((change.from_, change.to), (support.BASE, support.VARIANT))
        self.assertIn(f"### {support.BASE} → {support.VARIANT} (variant)", self.lines)
        self.assertTrue(any(line.startswith("- `dev.remap.nodx.none.allow:dontunmap`: `ret=EINVAL")
                            and "→ `ret=ok old=sigbus" in line for line in self.lines))

    def test_safety_lines_say_allowed_for_nodx_and_unchanged_for_dx(self):
        _, matrix = support.fixture_report()
        group = support.find(matrix.safety.variants[0].groups,
                             lambda g: "dev.remap.nodx.none.allow" in g.personalities, "nodx group")
        nodx = support.find(self.lines, lambda line: line.startswith(f"- `{group.label}`"), "nodx line")
        self.assertIn("**semantics change:** DONTUNMAP now allowed (was EINVAL)", nodx)
        self.assertIn("- `dev.remap.dx.none.allow`: **unchanged**", self.lines)

    def test_every_changed_row_is_in_the_table_with_its_delta(self):
        for change in self.matrix.changes:
            row = support.find(self.lines, lambda line: line.startswith(f"| {change.case} |"), change.case)
            self.assertIn("**Δ**", row)


class HostRun(unittest.TestCase):
    def test_rows_hidden_and_shown_add_up(self):
        _, matrix = support.host_report()
        text = markdown.render(matrix)
        shown = [r for r in matrix.rows if r.differs or not r.all_expected]
        self.assertIn(f"{len(matrix.rows) - len(shown)} of {len(matrix.rows)} cases have the same outcome",
                      text)
        table = [line for line in text.splitlines() if line.startswith("| ") and ":" in line.split("|")[1]]
        self.assertEqual(len(table), len(shown))

    def test_no_safety_section_without_a_variant(self):
        _, matrix = support.host_report()
        self.assertNotIn("## Safety", markdown.render(matrix))


if __name__ == "__main__":
    unittest.main()
