"""The behaviour grid run-qemu.sh prints: facts about the cells, grouping, the verdict summary,
and the 120-column limit, on every data source present."""

import dataclasses
import re
import unittest

from pfnmap_report import grid
from pfnmap_report.model import version_key

from tests import support


def cells(run, matrix, label):
    """{mapping: {operation: cell text}} of one column's grid, expanded to every mapping."""
    built = grid.build_grid(matrix.column(label), run.vocab.key_operations, list(run.vocab.mappings))
    out = {}
    for r in built.rows:
        for mapping in r.mappings:
            out[mapping] = {op: text for op, (text, _) in zip(built.operations, r.cells)}
    return built, out


class HostControls(unittest.TestCase):
    def setUp(self):
        self.run, self.matrix = support.host_report()
        self.release = self.run.columns[0].kernel_release
        self.grid, self.cells = cells(self.run, self.matrix, "host")

    def test_private_anon_dontunmap_leaves_zero_pages_behind(self):
        # expectations.txt: ctl.anon-private:dontunmap ret=ok old=zero on every kernel >= 5.13.
        self.assertGreaterEqual(version_key(self.release), version_key("5.13"))
        self.assertEqual(self.cells["ctl.anon-private"]["dontunmap"], "ok/zero")
        self.assertEqual(self.cells["ctl.anon-private"]["dontunmap_fixed"], "ok/zero")

    def test_shared_mappings_keep_the_data_in_the_old_range(self):
        # README: DONTUNMAP of shared anon, memfd and tmpfs works from 6.1, the old range still
        # reading the data.
        for mapping in ("ctl.anon-shared", "ctl.memfd", "ctl.tmpfs-file"):
            self.assertEqual(self.cells[mapping]["dontunmap"], "ok/data", mapping)

    def test_growing_reads_zero_for_anon_and_sigbus_past_a_shared_object(self):
        # expectations.txt: growing a shared object reads beyond its end: SIGBUS; anon: zero.
        self.assertEqual(self.cells["ctl.anon-private"]["grow_inplace"], "ok/zero")
        self.assertEqual(self.cells["ctl.memfd"]["grow_maymove"], "ok/bus")

    def test_the_three_shared_controls_share_a_row(self):
        labels = [r.label for r in self.grid.rows]
        self.assertIn("ctl.{anon-shared,memfd,tmpfs-file}", labels)
        self.assertIn("ctl.anon-private", labels)

    def test_device_cases_skipped_in_one_line_per_family_with_the_reason(self):
        text = grid.render(self.matrix, self.run.vocab)
        cases = self.run.columns[0].cases.values()
        (reason,) = {c.skip_reason for c in cases if c.family == "dev"}
        (huge_reason,) = {c.skip_reason for c in cases if c.family == "huge"}
        skipped = [line for line in text.splitlines() if line.startswith("skipped: ")]
        self.assertEqual(skipped[0], f"skipped: dev.*.*.*.* ({reason})")
        self.assertIn(f"skipped: huge.*.* ({huge_reason})", skipped)
        # The real drivers (no --real boot here): one line per driver, saying how to get them.
        real = [line for line in skipped if line.startswith("skipped: real.")]
        self.assertEqual([line.split(" (")[0] for line in real],
                         ["skipped: real.vfio.*", "skipped: real.devmem", "skipped: real.drm"])
        for line in real[:2]:
            self.assertIn("./run-qemu.sh --real", line)
        self.assertIn("the drm flavor", real[2])
        self.assertEqual(len(skipped), 2 + len(real))

    def test_the_verdict_line_counts_every_case(self):
        column = self.run.columns[0]
        text = grid.render(self.matrix, self.run.vocab)
        n = self.matrix.column("host").counts
        self.assertIn(f"verdicts: {n['expected']} expected · {n['changed']} changed · {n['new']} new · "
                      f"{n['failed']} failed · {n['skip']} skip", text)
        self.assertEqual(sum(n.values()), len(column.cases))


class QemuFixture(unittest.TestCase):
    def setUp(self):
        self.run, self.matrix = support.fixture_report()
        _, self.base = cells(self.run, self.matrix, support.BASE)
        _, self.variant = cells(self.run, self.matrix, support.VARIANT)

    def test_stock_72_refuses_dontunmap_and_growth_on_vm_pfnmap(self):
        # README: DONTUNMAP on any VM_PFNMAP mapping is EINVAL on every kernel; growth EFAULT;
        # 7.2 leaves the FIXED target intact (no /gone).
        for mapping in ("dev.remap.dx.none.allow", "dev.remap.nodx.none.allow", "dev.fault.nodx.track.allow"):
            self.assertEqual(self.base[mapping]["dontunmap"], "EINVAL", mapping)
            self.assertEqual(self.base[mapping]["dontunmap_fixed"], "EINVAL", mapping)
            self.assertEqual(self.base[mapping]["grow_maymove"], "EFAULT", mapping)

    def test_vm_mixedmap_dontunmap_gives_sigbus_and_inplace_growth_enomem(self):
        # README: mixed.nodx accepts DONTUNMAP from 6.1, the old range then gives SIGBUS; in-place
        # growth of a VM_MIXEDMAP VMA is ENOMEM on 6.12 and 7.2.
        self.assertEqual(self.base["dev.mixed.nodx.none.allow"]["dontunmap"], "ok/bus")
        self.assertEqual(self.base["dev.mixed.nodx.none.allow"]["grow_inplace"], "ENOMEM")

    def test_relax_pfnmap_lets_dontunmap_through_only_without_dontexpand(self):
        self.assertEqual(self.variant["dev.remap.nodx.none.allow"]["dontunmap"], "ok/bus")
        self.assertEqual(self.variant["dev.remap.dx.none.allow"]["dontunmap"], "EINVAL")
        self.assertEqual(self.variant["dev.fault.nodx.track.allow"]["dontunmap"], "ok/data")

    def test_a_vepc_driver_without_dontexpand_hangs_after_dontunmap_on_the_variant(self):
        # issue 11: sgx_vepc-style ->fault returns VM_FAULT_NOPAGE for an index it backed once:
        # after a relaxed DONTUNMAP the old range refaults forever.
        self.assertEqual(self.base["dev.vepc.nodx.none.allow"]["dontunmap"], "EINVAL")
        self.assertEqual(self.variant["dev.vepc.nodx.none.allow"]["dontunmap"], "ok/hang")

    def test_the_legend_names_hang(self):
        text = grid.render(self.matrix, self.run.vocab)
        self.assertIn("hang=still faulting", text[text.index("Cells: "):].replace("\n", " "))

    def test_private_anon_dontunmap_on_both(self):
        self.assertEqual(self.base["ctl.anon-private"]["dontunmap"], "ok/zero")
        self.assertEqual(self.variant["ctl.anon-private"]["dontunmap"], "ok/zero")

    def test_the_change_list_names_the_relaxed_dontunmap(self):
        text = grid.render(self.matrix, self.run.vocab)
        head = text.split(f"\n{support.BASE} (")[0]
        self.assertIn(f"{support.BASE} → {support.VARIANT} (variant against its base)", head)
        self.assertRegex(head, r"dev\.remap\.nodx\.none\.allow[^\n]*:dontunmap[^\n]*")
        self.assertNotRegex(head, r"dev\.remap\.dx\.none\.allow:dontunmap\b")


def huge_cells(run, matrix, label):
    built = grid.build_huge_grid(matrix.column(label), run.vocab.key_operations, list(run.vocab.mappings))
    return built, {m: {op: text for op, (text, _) in zip(built.operations, r.cells)}
                   for r in built.rows for m in r.mappings}


class HugeFixture(unittest.TestCase):
    """The huge grid: the page-table level after each operation, on 7.2 and 7.2+fix-huge-pud."""

    def setUp(self):
        self.run, self.matrix = support.huge_fixture_report()
        self.built, self.base = huge_cells(self.run, self.matrix, support.HUGE_BASE)
        _, self.fixed = huge_cells(self.run, self.matrix, support.HUGE_VARIANT)

    def test_columns_are_the_touch_and_the_key_huge_operations(self):
        self.assertEqual(self.built.operations, ("map_touch", "move_aligned", "move_half", "shrink_half",
                                                 "fork_child", "dontunmap_leaf", "grow_double"))

    def test_dx_and_nodx_share_a_row_per_leaf_on_stock_72(self):
        self.assertEqual([r.label for r in self.built.rows], ["huge.pmd.*", "huge.pud.*"])

    def test_the_touch_gets_the_leaf_the_mapping_asks_for(self):
        for leaf in ("pmd", "pud"):
            self.assertEqual(self.base[f"huge.{leaf}.dx"]["map_touch"], f"ok/{leaf}")

    def test_stock_72_drops_a_moved_pud_leaf_and_keeps_a_pmd_leaf(self):
        self.assertEqual(self.base["huge.pud.dx"]["move_aligned"], "ok/none")
        self.assertEqual(self.base["huge.pmd.dx"]["move_aligned"], "ok/pmd")
        self.assertEqual(self.base["huge.pud.dx"]["move_half"], "ok/none,none")

    def test_a_split_inside_a_pud_leaf_times_out_on_stock_72(self):
        self.assertIn(self.base["huge.pud.dx"]["shrink_half"], ("timeout", "crash"))

    def test_fix_huge_pud_moves_the_pud_leaf_whole(self):
        self.assertEqual(self.fixed["huge.pud.dx"]["move_aligned"], "ok/pud")

    def test_the_grid_text_has_the_huge_grid_and_its_legend(self):
        text = grid.render(self.matrix, self.run.vocab)
        self.assertIn("huge pfnmap leaves: the page-table level right after each operation", text)
        self.assertRegex(text, r"\nhuge\.pud\.\* +ok/pud")
        legend = text[text.index("Huge cells: "):].replace("\n", " ")
        self.assertIn("pud=a 1 GiB PUD leaf", legend)
        self.assertIn("none=no entry", legend)
        self.assertNotIn("(no control or device case of a key operation ran)", text)


class Layout(unittest.TestCase):
    def test_every_line_fits_120_columns(self):
        for name, (run, matrix) in support.all_reports():
            for width in (grid.WIDTH, 100):
                with self.subTest(source=name, width=width):
                    for line in grid.render(matrix, run.vocab, width).splitlines():
                        self.assertLessEqual(len(line), width, line)

    def test_cells_are_at_most_11_characters(self):
        for name, (run, matrix) in support.all_reports():
            for column in matrix.columns:
                built = grid.build_grid(column, run.vocab.key_operations, list(run.vocab.mappings))
                for r in built.rows:
                    for text, _ in r.cells:
                        self.assertLessEqual(len(text), grid.CELL_MAX, (name, r.label, text))

    def test_the_legend_explains_every_abbreviation_in_the_cells(self):
        for name, (run, matrix) in support.all_reports():
            text = grid.render(matrix, run.vocab)
            legend = text[text.index("Cells: "):].replace("\n", " ")
            table = text[:text.index("Cells: ")]
            shorts = set(re.findall(r"(?:ok|E[A-Z0-9]+)/([a-z+]+)", table))
            for word in {w for s in shorts for w in s.split("+")} - {"mix"}:
                with self.subTest(source=name, word=word):
                    self.assertIn(f"{word}=", legend)

    def test_huge_cells_are_at_most_13_characters(self):
        for name, (run, matrix) in support.all_reports():
            for column in matrix.columns:
                built = grid.build_huge_grid(column, run.vocab.key_operations, list(run.vocab.mappings))
                for r in built.rows if built else ():
                    for text, _ in r.cells:
                        self.assertLessEqual(len(text), grid.HUGE_CELL_MAX, (name, r.label, text))

    def test_every_level_has_a_name(self):
        from pfnmap_report.vocab import LEVELS
        self.assertLessEqual(set(LEVELS), set(grid.LEVEL_NAME))

    def test_every_class_the_report_knows_has_a_short_name(self):
        from pfnmap_report.vocab import KNOWN_PAGE_CLASSES, KNOWN_TARGET_CLASSES
        self.assertLessEqual(KNOWN_PAGE_CLASSES | KNOWN_TARGET_CLASSES, set(grid.SHORT))
        self.assertLessEqual(set(grid.SHORT), set(grid.LONG_NAME))

    def test_labels_match_exactly_their_mappings(self):
        from pfnmap_report import labels
        for name, (run, matrix) in support.all_reports():
            for column in matrix.columns:
                built = grid.build_grid(column, run.vocab.key_operations, list(run.vocab.mappings))
                universe = [m for r in built.rows for m in r.mappings]
                for r in built.rows:
                    matched = {m for p in r.label.split(", ") for m in labels.expand(p, universe)}
                    self.assertEqual(matched, set(r.mappings), (name, r.label))

    def test_several_columns_start_with_the_changes(self):
        run, matrix = support.fake_report()
        text = grid.render(matrix, run.vocab)
        self.assertTrue(text.startswith("Changes between neighbouring kernels"))
        self.assertIn("fake → fake+again (variant against its base): 0 cases changed", text)
        self.assertIn("(grid as for fake)", text)

    def test_one_column_has_no_change_list(self):
        run, matrix = support.host_report()
        self.assertTrue(grid.render(matrix, run.vocab).startswith("host ("))

    def test_a_long_label_goes_on_its_own_line(self):
        run, matrix = support.host_report()
        built = grid.build_grid(matrix.column("host"), run.vocab.key_operations, list(run.vocab.mappings))
        long_label = dataclasses.replace(built.rows[0], label="ctl." + "x" * 100)
        lines = grid.render_grid_table(dataclasses.replace(built, rows=(long_label,)), 120)
        self.assertEqual(lines[2], long_label.label)
        self.assertTrue(lines[3].startswith(" " * len("mapping")))


if __name__ == "__main__":
    unittest.main()
