"""Reading a run directory: typed columns from real runs, and BadInput (exit 2, one line) for
anything else."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from pfnmap_report.load import BadInput, load_run, read_meta_env

from tests import support


def rewrite(path, change):
    """Applies change(doc) to a JSON file in place."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    change(doc)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)


class Fixture(unittest.TestCase):
    def test_columns_in_kernel_order_variant_after_its_base(self):
        run = load_run(*support.need_qemu_fixture())
        self.assertEqual([c.label for c in run.columns], [support.BASE, support.VARIANT])
        base, variant = run.columns
        self.assertEqual((base.series, base.variant), ("7.2", ""))
        self.assertEqual((variant.series, variant.variant), ("7.2", "relax-pfnmap"))
        for column in run.columns:
            self.assertTrue(column.has_result)
            self.assertTrue(column.kernel_release.startswith("7.2"), column.kernel_release)
            self.assertIn("ktap.txt", column.files)
            self.assertIn("dmesg.txt", column.files)

    def test_a_case_carries_its_mapping_axes(self):
        run = load_run(*support.need_qemu_fixture())
        case = run.columns[1].cases["dev.remap.nodx.none.allow:dontunmap"]
        self.assertEqual((case.family, case.operation), ("dev", "dontunmap"))
        self.assertEqual(case.axes["insert"], "remap")
        self.assertEqual(case.axes["dontexpand"], "clear")
        self.assertEqual(case.axes["mremap_hook"], "none")

    def test_meta_env_as_the_runner_wrote_it(self):
        run, _ = support.need_qemu_fixture()
        meta = read_meta_env(os.path.join(run, support.VARIANT, "meta.env"))
        self.assertEqual((meta["column"], meta["series"], meta["variant"]),
                         (support.VARIANT, "7.2", "relax-pfnmap"))
        self.assertIn(meta["exit_status"], {"0", "1", "3"})


class HostRun(unittest.TestCase):
    def test_controls_ran_and_device_cases_skipped_with_the_probes_reason(self):
        run = load_run(support.host_run())
        (column,) = run.columns
        self.assertEqual(column.label, "host")
        families = {}
        for case in column.cases.values():
            families.setdefault(case.family, set()).add(case.status)
        self.assertNotIn("skip", families["ctl"])
        self.assertEqual(families["dev"], {"skip"})
        self.assertEqual(sum(column.skip_reasons.values()),
                         sum(1 for c in column.cases.values() if c.status == "skip"))


class BadRuns(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.run_dir = support.copy_run(support.host_run(), self.tmp.name)
        self.probe_json = os.path.join(self.run_dir, "host", "probe.json")

    def assertBad(self, *needles, describe=None):
        with self.assertRaises(BadInput) as caught:
            load_run(self.run_dir, describe)
        for needle in needles:
            self.assertIn(needle, str(caught.exception))
        return str(caught.exception)

    def test_schema_version_1_is_refused(self):
        rewrite(self.probe_json, lambda d: d.update(schema_version=1))
        self.assertBad(self.probe_json, "schema_version 1", "reads schema_version 2")

    def test_a_probe_json_without_schema_version_is_refused(self):
        rewrite(self.probe_json, lambda d: d.pop("schema_version"))
        self.assertBad("no schema_version")

    def test_malformed_json_names_the_file(self):
        with open(self.probe_json, "w", encoding="utf-8") as f:
            f.write('{"tool": "pfnmap-probe", "cases": [')
        self.assertBad(f"{self.probe_json}: malformed JSON")

    def test_a_field_value_the_vocabulary_does_not_know_names_the_case(self):
        def spoil(doc):
            case = next(c for c in doc["cases"] if c["id"] == "ctl.anon-private:dontunmap")
            case["fields"]["old"] = "hwpoison"
        rewrite(self.probe_json, spoil)
        self.assertBad("ctl.anon-private:dontunmap", "hwpoison")

    def test_a_case_missing_a_key_is_refused(self):
        rewrite(self.probe_json, lambda d: d["cases"][0].pop("outcome_kind"))
        self.assertBad("outcome_kind")

    def test_a_case_twice_is_refused(self):
        rewrite(self.probe_json, lambda d: d["cases"].append(d["cases"][0]))
        self.assertBad("appears twice")

    def test_a_mapping_the_describe_does_not_list_is_refused(self):
        describe = os.path.join(self.run_dir, "describe.json")
        rewrite(describe, lambda d: d.update(mappings=[m for m in d["mappings"] if m["id"] != "ctl.memfd"]))
        self.assertBad("ctl.memfd", "--describe")

    def test_without_describe_the_run_is_refused(self):
        os.remove(os.path.join(self.run_dir, "describe.json"))
        self.assertBad("describe.json", "--describe")

    def test_an_empty_directory_has_no_columns(self):
        empty = os.path.join(self.tmp.name, "empty")
        os.makedirs(empty)
        with self.assertRaises(BadInput) as caught:
            load_run(empty, support.live_describe())
        self.assertIn("no kernel column", str(caught.exception))


class Cli(unittest.TestCase):
    def run_cli(self, *args, module=False):
        cmd = [sys.executable, "-m", "pfnmap_report", *args] if module else [sys.executable, support.WRAPPER, *args]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=support.REPORT)

    def test_bad_input_is_exit_2_with_one_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = support.copy_run(support.host_run(), tmp)
            rewrite(os.path.join(run, "host", "probe.json"), lambda d: d.update(schema_version=1))
            for args in ([os.path.join(tmp, "nonexistent")], [run]):
                with self.subTest(args=args):
                    done = self.run_cli(*args)
                    self.assertEqual(done.returncode, 2)
                    self.assertEqual(len(done.stderr.splitlines()), 1, done.stderr)
                    self.assertTrue(done.stderr.startswith("pfnmap-report: "), done.stderr)

    def test_writes_three_forms_and_prints_the_grid(self):
        with tempfile.TemporaryDirectory() as tmp:
            for module in (False, True):
                out = os.path.join(tmp, f"out-{module}")
                done = self.run_cli(support.host_run(), "--out", out, "--grid", module=module)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("ctl.anon-private", done.stdout)
                for name in ("report.json", "report.md", "report.html"):
                    self.assertTrue(os.path.getsize(os.path.join(out, name)) > 0, name)
            with open(os.path.join(tmp, "out-False", "report.json"), encoding="utf-8") as a, \
                    open(os.path.join(tmp, "out-True", "report.json"), encoding="utf-8") as b:
                self.assertEqual(a.read(), b.read())


if __name__ == "__main__":
    unittest.main()
