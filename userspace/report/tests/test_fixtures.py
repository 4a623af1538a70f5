"""The recorded fixtures are there, and are what record-fixtures.sh says it records."""

import os
import unittest

from tests import support

FIXTURES = (
    ("relax", support.QEMU_RUN, (support.BASE, support.VARIANT), "7.2 and 7.2+relax-pfnmap"),
    ("huge", support.HUGE_RUN, (support.HUGE_BASE, support.HUGE_VARIANT),
     "7.2 and 7.2+fix-huge-pud with --huge --hazards"),
    ("drivers", support.DRIVERS_RUN, support.DRIVERS_COLUMNS,
     "7.2 and 7.2+drm with --backing pages,pci --real"),
    ("arch", support.ARCH_RUN, support.ARCH_COLUMNS, "7.2 on x86 and on arm64"),
)


class RecordedFixture(unittest.TestCase):
    def test_recorded_fixtures_present(self):
        for which, run, columns, boots in FIXTURES:
            with self.subTest(fixture=which):
                present = all(os.path.isfile(os.path.join(run, c, "probe.json")) for c in columns)
                self.assertTrue(present and os.path.isfile(os.path.join(run, "describe.json")),
                                f"{run} is missing a column or its describe.json: record it with "
                                f"{support.RECORDER} {which} (it boots {boots} in QEMU)")

    def test_each_column_has_the_recorded_files(self):
        for which, run, columns, _ in FIXTURES:
            for column in columns:
                for name in ("probe.json", "meta.env", "ktap.txt", "dmesg.txt"):
                    with self.subTest(fixture=which, column=column, file=name):
                        self.assertTrue(os.path.isfile(os.path.join(run, column, name)))

    def test_the_recorder_is_committed_next_to_the_fixture(self):
        recorder = os.path.join(support.TOP, support.RECORDER)
        self.assertTrue(os.access(recorder, os.X_OK), recorder)
        with open(recorder, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("set -euo pipefail", text)
        self.assertIn("describe.json", text)
        for _, run, _, _ in FIXTURES:
            self.assertIn(os.path.basename(run), text)
