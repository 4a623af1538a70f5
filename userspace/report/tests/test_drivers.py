"""The real drivers, the drm flavor and the pci backing side by side, on the recorded run
(tests/report/fixtures/run-7.2-drivers: 7.2 and 7.2+drm, each on kernel pages and on a PCI BAR,
with --real)."""

import unittest

from pfnmap_report import markdown

from tests import support


class DriversFixture(unittest.TestCase):
    def setUp(self):
        self.run, self.matrix = support.drivers_fixture_report()
        self.columns = {c.label: c for c in self.matrix.columns}

    def test_backings_and_the_flavor_follow_their_base(self):
        self.assertEqual([c.label for c in self.matrix.columns], list(support.DRIVERS_COLUMNS))
        self.assertEqual(self.columns["7.2~pci"].backing, "pci")
        self.assertEqual(self.columns["7.2+drm"].flavor, "drm")
        self.assertEqual(self.columns["7.2+drm"].variant, "")

    def test_a_backing_or_a_flavor_is_compared_with_its_base_not_as_a_kernel(self):
        kinds = {(c.from_, c.to): c.kind for c in self.matrix.comparisons}
        self.assertEqual(kinds, {("7.2", "7.2~pci"): "backing", ("7.2", "7.2+drm"): "flavor",
                                 ("7.2", "7.2+drm~pci"): "flavor",
                                 ("7.2+drm", "7.2+relax-dontunmap+drm"): "variant",
                                 ("7.2+drm~pci", "7.2+relax-dontunmap+drm~pci"): "variant"})
        self.assertNotIn("version", {ch.kind for ch in self.matrix.changes})

    def test_a_what_if_built_with_drm_is_judged_as_the_what_if_and_compared_with_drm(self):
        column = self.columns["7.2+relax-dontunmap+drm"]
        self.assertEqual((column.variant, column.flavor), ("relax-dontunmap", "drm"))
        # What the relaxation changes for a DRM buffer: DONTUNMAP goes through, the old range
        # refaults the same buffer pages; shown as a change from the drm kernel, where real.drm
        # ran too (the stock base skips it).
        case = column.cases["real.drm:dontunmap"]
        self.assertEqual((case.outcome, case.verdict), ("ret=ok old=pattern new=pattern", "expected"))
        changed = {ch.case for ch in self.matrix.changes
                   if (ch.from_, ch.to) == ("7.2+drm", "7.2+relax-dontunmap+drm")}
        self.assertIn("real.drm:dontunmap", changed)
        self.assertIn("real.vfio.unaligned:dontunmap", changed)

    def test_relax_dontunmap_hands_the_drm_split_bug_to_a_partial_dontunmap(self):
        # The new range of a partial DONTUNMAP starts at the window's page 2: GEM SHMEM maps
        # the buffer's first pages there; vfio finds the right ones from vm_pgoff.
        cold = "real.drm:dontunmap_partial_cold"
        self.assertEqual(self.columns["7.2+drm"].cases[cold].outcome, "ret=EINVAL old=pattern new=-")
        case = self.columns["7.2+relax-dontunmap+drm"].cases[cold]
        self.assertEqual((case.outcome, case.verdict), ("ret=ok old=pattern new=other", "expected"))
        vfio = self.columns["7.2+relax-dontunmap+drm"].cases["real.vfio.unaligned:dontunmap_partial_cold"]
        self.assertEqual(vfio.outcome, "ret=ok old=pattern new=pattern")

    def test_the_module_on_a_bar_maps_it_uncached(self):
        case = self.columns["7.2~pci"].cases["dev.remap.dx.none.allow:memtype"]
        self.assertEqual(case.outcome, "ret=ok memtype=uncached-minus")
        self.assertEqual(case.verdict, "expected")
        self.assertEqual(self.columns["7.2~pci"].device["region_kind"], "pci")

    def test_drm_shmem_maps_the_wrong_pages_after_a_split_only_on_the_drm_kernel(self):
        cold = "real.drm:partial_move_cold"
        self.assertEqual(self.columns["7.2"].cases[cold].status, "skip")
        self.assertIn("drm flavor", self.columns["7.2"].cases[cold].skip_reason)
        for label in ("7.2+drm", "7.2+drm~pci"):
            case = self.columns[label].cases[cold]
            self.assertEqual(case.outcome, "ret=ok old=pattern*2+sigsegv*4+other*2 new=other", label)
            self.assertEqual(case.verdict, "expected", label)
        # vfio-pci, the reference: the pages the window held.
        self.assertEqual(self.columns["7.2+drm"].cases["real.vfio.unaligned:partial_move_cold"].outcome,
                         "ret=ok old=pattern*2+sigsegv*4+pattern*2 new=pattern")

    def test_the_markdown_names_the_kind_of_each_comparison(self):
        text = markdown.render(self.matrix)
        self.assertIn("### 7.2 → 7.2~pci (backing)", text)
        self.assertIn("### 7.2 → 7.2+drm (flavor)", text)
