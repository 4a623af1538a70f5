"""The what-if safety section, checked against what README.md's "What-if" section reports for
7.2+relax-pfnmap (the recorded QEMU fixture), and against the fake device (base and variant the
same run)."""

import pathlib
import unittest

from tests import support


def section():
    _, matrix = support.fixture_report()
    (variant,) = matrix.safety.variants
    return variant


def row(variant, personality):
    return support.find(variant.rows, lambda r: r.personality == personality, f"safety row {personality}")


def group_of(variant, personality):
    return support.find(variant.groups, lambda g: personality in g.personalities,
                        f"safety group with {personality}")


class RelaxPfnmap(unittest.TestCase):
    def test_one_section_for_the_variant_against_its_base(self):
        variant = section()
        self.assertEqual((variant.column, variant.variant, variant.base),
                         (support.VARIANT, "relax-pfnmap", support.BASE))
        self.assertIsNone(variant.note)

    def test_controls_are_not_personalities(self):
        self.assertTrue(all(r.personality.startswith("dev.") for r in section().rows))
        self.assertTrue(all(r.axes["insert"] for r in section().rows))

    def test_dontunmap_now_allowed_without_dontexpand_old_range_sigbus(self):
        # README: for a driver that clears VM_DONTEXPAND, DONTUNMAP now succeeds: the old range of
        # a remap_pfn_range VMA gives SIGBUS; stock 7.2 refuses it with EINVAL.
        variant = section()
        nodx = row(variant, "dev.remap.nodx.none.allow")
        self.assertEqual((nodx.facts.dontunmap.variant, nodx.facts.dontunmap.base), ("ok", "EINVAL"))
        self.assertEqual(nodx.facts.old_after_dontunmap, "sigbus")
        self.assertEqual(nodx.verdict.kind, "semantics change")
        self.assertIn("DONTUNMAP now allowed (was EINVAL); the old range gives SIGBUS", nodx.verdict.text)
        self.assertIn("DONTUNMAP now allowed", group_of(variant, "dev.remap.nodx.none.allow").verdict.text)

    def test_dontexpand_kept_is_unchanged(self):
        # README: every dev.remap.dx.* case has its stock outcome: DONTUNMAP stays EINVAL.
        variant = section()
        dx = row(variant, "dev.remap.dx.none.allow")
        self.assertEqual((dx.facts.dontunmap.variant, dx.facts.dontunmap.base), ("EINVAL", "EINVAL"))
        self.assertEqual(dx.verdict.kind, "unchanged")
        self.assertEqual(group_of(variant, "dev.remap.dx.none.allow").verdict.text, "unchanged")

    def test_growth_now_allowed_with_maymove(self):
        # README: growth is EFAULT on stock kernels and succeeds with MREMAP_MAYMOVE on the variant.
        growth = row(section(), "dev.remap.nodx.none.allow").facts.growth
        self.assertEqual((growth.grow_maymove, growth.base_grow_maymove), ("ok", "EFAULT"))

    def test_hooks_balance_after_dontunmap_and_both_munmaps(self):
        # README: hooks balance (closed=old+new live=0), no kernel log lines.
        for personality in ("dev.remap.nodx.none.allow", "dev.fault.nodx.track.allow"):
            r = row(section(), personality)
            munmap = support.find(r.facts.hooks, lambda h: h.operation == "dontunmap_munmap", "dontunmap_munmap")
            self.assertEqual((munmap.closed, munmap.live), ("old+new", "0"), personality)
            self.assertEqual(r.splats, ())
            self.assertEqual(r.leaks, ())

    def test_a_fault_driver_refaults_the_old_range_and_its_mremap_hook_runs(self):
        # README: a fault-style VMA refaults the same pfns; ->mremap runs with no way to know the
        # old range stays.
        fault = row(section(), "dev.fault.nodx.track.allow")
        self.assertEqual(fault.facts.dontunmap.variant, "ok")
        self.assertEqual(fault.facts.old_after_dontunmap, "pattern")
        self.assertEqual(fault.verdict.kind, "semantics change")
        self.assertIn("refaults through ->fault", fault.verdict.text)
        self.assertIn("->mremap is called", fault.verdict.text)

    def test_vm_mixedmap_is_not_what_the_patch_relaxes(self):
        # README: VM_MIXEDMAP without VM_DONTEXPAND accepts DONTUNMAP on stock kernels since 6.1.
        mixed = row(section(), "dev.mixed.nodx.none.allow")
        self.assertEqual((mixed.facts.dontunmap.variant, mixed.facts.dontunmap.base), ("ok", "ok"))
        self.assertEqual(mixed.verdict.kind, "unchanged")

    def test_the_remap_summary_says_real_drivers_see_no_change(self):
        remap = support.find(section().summary, lambda s: s.insert == "remap", "remap summary")
        self.assertIn("every changed one clears VM_DONTEXPAND", remap.text)

    def test_every_personality_is_in_one_group_and_evidence_is_real_cases(self):
        _, matrix = support.fixture_report()
        variant = section()
        grouped = [p for g in variant.groups for p in g.personalities]
        self.assertEqual(sorted(grouped), sorted(r.personality for r in variant.rows))
        ids = {r.id for r in matrix.rows}
        for g in variant.groups:
            self.assertTrue(set(g.evidence) <= ids, g.label)


class VepcHang(unittest.TestCase):
    """The sgx_vepc-style driver (insert=vepc, VM_PFNMAP without VM_DONTEXPAND, ->fault returns
    VM_FAULT_NOPAGE for an index it already backed) on 7.2+relax-pfnmap: DONTUNMAP is now allowed
    and the old range, whose PTEs went with the move, refaults forever (the probe's read gives up
    after its bound: old=hang)."""

    def test_the_old_range_hangs_after_dontunmap_on_the_variant_only(self):
        variant = section()
        nodx = row(variant, "dev.vepc.nodx.none.allow")
        self.assertEqual((nodx.facts.dontunmap.variant, nodx.facts.dontunmap.base), ("ok", "EINVAL"))
        self.assertIn("hang", nodx.facts.old_after_dontunmap)

    def test_a_vepc_driver_without_dontexpand_is_unsafe_with_the_case_as_evidence(self):
        nodx = row(section(), "dev.vepc.nodx.none.allow")
        self.assertEqual(nodx.verdict.kind, "unsafe")
        self.assertIn("old range reads hang after dontunmap: an access refaults forever", nodx.verdict.text)
        self.assertIn("dev.vepc.nodx.none.allow:dontunmap", nodx.evidence)

    def test_with_dontexpand_kept_relax_pfnmap_changes_nothing(self):
        dx = row(section(), "dev.vepc.dx.none.allow")
        self.assertEqual((dx.facts.dontunmap.variant, dx.facts.dontunmap.base), ("EINVAL", "EINVAL"))
        self.assertEqual(dx.verdict.kind, "unchanged")

    def test_the_vepc_summary_counts_the_personalities_like_the_real_driver(self):
        vepc = support.find(section().summary, lambda s: s.insert == "vepc", "vepc summary")
        self.assertIn("sgx_vepc-style drivers", vepc.text)
        self.assertIn("the in-tree driver never sets VM_DONTEXPAND: of the 1 personality without it, "
                      "1 unsafe", vepc.text)


def huge_sections():
    """{column: HugeColumn} of the recorded huge fixture."""
    _, matrix = support.huge_fixture_report()
    return {h.column: h for h in matrix.safety.huge}


def huge_group(h, label, operation):
    return support.find(h.groups, lambda g: (g.label, g.operation) == (label, operation),
                        f"huge group {label}:{operation} in {h.column}")


class HugeLeaves(unittest.TestCase):
    """The huge family on stock 7.2 (issue 11: moving a PUD leaf logs "bad pud" and drops it; a
    VMA split inside one hits a kernel BUG) and on 7.2+fix-huge-pud (both fixed)."""

    def test_one_huge_section_per_column_the_variant_against_its_base(self):
        sections = huge_sections()
        self.assertEqual(list(sections), [support.HUGE_BASE, support.HUGE_VARIANT])
        self.assertIsNone(sections[support.HUGE_BASE].base)
        self.assertEqual(sections[support.HUGE_VARIANT].base, support.HUGE_BASE)

    def test_moving_a_pud_leaf_is_a_kernel_bug_on_stock_72(self):
        group = huge_group(huge_sections()[support.HUGE_BASE], "huge.pud.*", "move_aligned")
        self.assertEqual(group.verdict.kind, "kernel bug")
        self.assertIn("kernel log: mm/pgtable-generic.c:44:_bad_pud", group.concerns)
        self.assertTrue(any(c.startswith("the pud leaf was dropped: none at the destination")
                            for c in group.concerns), group.concerns)
        self.assertEqual(set(group.evidence), {"huge.pud.dx:move_aligned", "huge.pud.nodx:move_aligned"})

    def test_a_vma_split_inside_a_pud_leaf_is_a_kernel_bug_on_stock_72(self):
        h = huge_sections()[support.HUGE_BASE]
        for operation in ("shrink_half", "mprotect_half", "munmap_half"):
            with self.subTest(operation=operation):
                group = huge_group(h, "huge.pud.*", operation)
                self.assertEqual(group.verdict.kind, "kernel bug")
                self.assertRegex(group.verdict.text, r"ended in (timeout|crash) after kernel BUG at "
                                                     r"mm/huge_memory\.c:\d+")

    def test_pmd_leaves_are_clean_on_stock_72(self):
        h = huge_sections()[support.HUGE_BASE]
        pmd = [r for r in h.rows if r.mapping.startswith("huge.pmd.")]
        self.assertTrue(pmd)
        self.assertEqual({r.verdict.kind for r in pmd}, {"clean"})

    def test_fix_huge_pud_fixes_every_bug_of_its_base(self):
        sections = huge_sections()
        base = {r.case: r for r in sections[support.HUGE_BASE].rows}
        variant = {r.case: r for r in sections[support.HUGE_VARIANT].rows}
        buggy = sorted(case for case, r in base.items() if r.verdict.kind == "kernel bug")
        self.assertIn("huge.pud.dx:move_aligned", buggy)
        for case in buggy:
            with self.subTest(case=case):
                self.assertEqual(variant[case].verdict.kind, "fixed", variant[case].verdict.text)
                self.assertEqual(variant[case].concerns, ())
                self.assertEqual(variant[case].base_concerns, base[case].concerns)
        self.assertNotIn("kernel bug", {r.verdict.kind for r in variant.values()})

    def test_the_fixed_pud_move_keeps_its_leaf(self):
        row_ = support.find(huge_sections()[support.HUGE_VARIANT].rows,
                            lambda r: r.case == "huge.pud.dx:move_aligned", "fixed move_aligned")
        _, matrix = support.huge_fixture_report()
        case = matrix.column(support.HUGE_VARIANT).cases[row_.case]
        self.assertEqual((case.fields["level_before"], case.fields["level_new"], case.fields["log"]),
                         ("pud", "pud", "none"))


class NoHugeRun(unittest.TestCase):
    def test_no_huge_section_when_every_huge_case_was_skipped(self):
        # The host run has no /dev/pfnmap: its huge.* cases are all skipped (as in a boot without
        # --huge); the section would only say "not run".
        run, matrix = support.host_report()
        huge = [c for c in run.columns[0].cases.values() if c.family == "huge"]
        self.assertTrue(huge)
        self.assertEqual({c.status for c in huge}, {"skip"})
        self.assertEqual(matrix.safety.huge, ())


class HugeConcerns(unittest.TestCase):
    """huge_concerns() on the recorded cases, each spoiled in one way: every rule must fire on
    its own."""

    def clean_pud_move(self):
        _, matrix = support.huge_fixture_report()
        return matrix.column(support.HUGE_VARIANT).cases["huge.pud.dx:move_aligned"]

    def spoiled(self, case, **fields):
        import dataclasses
        run, _ = support.huge_fixture_report()
        changed = dict(case.fields, **fields)
        return dataclasses.replace(case, fields=changed, values=run.vocab.parse_fields(changed))

    def test_the_clean_move_has_no_concern(self):
        from pfnmap_report.safety import huge_concerns
        self.assertEqual(huge_concerns(self.clean_pud_move()), ())

    def test_each_rule_alone(self):
        from pfnmap_report.safety import huge_concerns
        case = self.clean_pud_move()
        for fields, words in (({"log": "mm/pgtable-generic.c:44:_bad_pud"}, "kernel log"),
                              ({"level_new": "none"}, "the pud leaf was dropped")):
            with self.subTest(fields=fields):
                (concern,) = huge_concerns(self.spoiled(case, **fields))
                self.assertIn(words, concern)

    def test_a_dropped_leaf_after_a_misaligned_move_is_a_split_not_a_bug(self):
        from pfnmap_report.safety import huge_concerns
        _, matrix = support.huge_fixture_report()
        case = matrix.column(support.HUGE_BASE).cases["huge.pmd.dx:move_misaligned"]
        self.assertEqual((case.fields["level_before"], case.fields["level_new"]), ("pmd", "none"))
        self.assertEqual(huge_concerns(case), ())


class FakeDevice(unittest.TestCase):
    """The fake device behaves the same in "fake" and "fake+again": nothing may change."""

    def section(self):
        _, matrix = support.fake_report()
        (variant,) = matrix.safety.variants
        return variant

    def test_a_variant_that_behaves_as_its_base_is_unchanged(self):
        variant = self.section()
        self.assertEqual(variant.base, "fake")
        self.assertTrue(variant.rows)
        self.assertEqual({r.verdict.kind for r in variant.rows}, {"unchanged"})

    def test_grown_tail_past_the_fakes_region_reads_sigbus(self):
        # grow_touch grows the region's last 8 pages to 12: the fake's region is a memfd of the
        # region's size, so the 4 pages past it are beyond its end, SIGBUS.
        for r in self.section().rows:
            with self.subTest(personality=r.personality):
                self.assertEqual(r.facts.growth.grow_touch, "ok")
                self.assertEqual(r.facts.grown_tail.tail, ("sigbus",))


if __name__ == "__main__":
    unittest.main()


class LogLineShape(unittest.TestCase):
    """A splat that the base kernel shows too is not new to the variant, although the pid and
    the addresses in the line differ between two runs: checked on the real x86/PAT lines of
    tests/kmsg/samples.txt (recorded from 5.10 and 6.12 runs on a memmap= region)."""

    def observed_pat_lines(self):
        path = pathlib.Path(support.TOP) / "tests" / "kmsg" / "samples.txt"
        lines = []
        for record in path.read_text(encoding="utf-8").splitlines():
            kind, source, line = record.split("\t", 2)
            if kind == "match" and source.startswith("observed:") and "freeing invalid memtype" in line \
                    and not line.startswith("["):
                lines.append(line)
        return lines

    def test_the_same_problem_has_one_shape(self):
        from pfnmap_report.safety import log_line_shape
        lines = self.observed_pat_lines()
        self.assertGreater(len(set(lines)), 2)
        self.assertEqual(len({log_line_shape(line) for line in lines}), 1, lines)

    def test_another_problem_keeps_its_shape(self):
        from pfnmap_report.safety import log_line_shape
        pat = self.observed_pat_lines()[0]
        self.assertNotEqual(log_line_shape(pat),
                            log_line_shape(pat.replace("freeing invalid", "conflicting")))
