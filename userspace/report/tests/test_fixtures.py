"""The recorded fixture is there, and is what record-fixtures.sh says it records."""

import os
import unittest

from tests import support


class RecordedFixture(unittest.TestCase):
    def test_recorded_fixture_present(self):
        self.assertTrue(support.qemu_fixture_present(),
                        f"{support.QEMU_RUN} or {support.DESCRIBE} is missing: record them with "
                        f"{support.RECORDER} (it boots 7.2 and 7.2+relax-pfnmap in QEMU)")

    def test_each_column_has_the_recorded_files(self):
        run, _ = support.need_qemu_fixture()
        for column in (support.BASE, support.VARIANT):
            for name in ("probe.json", "meta.env", "ktap.txt", "dmesg.txt"):
                with self.subTest(column=column, file=name):
                    self.assertTrue(os.path.isfile(os.path.join(run, column, name)))

    def test_the_recorder_is_committed_next_to_the_fixture(self):
        recorder = os.path.join(support.TOP, support.RECORDER)
        self.assertTrue(os.access(recorder, os.X_OK), recorder)
        with open(recorder, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("set -euo pipefail", text)
        self.assertIn("--describe", text)
        self.assertIn(os.path.basename(support.QEMU_RUN), text)
