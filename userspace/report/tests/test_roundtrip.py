"""The round trip between the probe and the report: everything the probe can emit (its
--describe) is something the report understands, and every recorded case parses.

A probe that learns a new field, kind, page class or enum value fails here until the report is
taught it; the tests at the bottom prove that by adding such a value to a copy of describe.json.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

from pfnmap_report import check_vocabulary, grid, safety
from pfnmap_report.vocab import (KNOWN_ENUM_VALUES, KNOWN_FIELDS, KNOWN_PAGE_CLASSES,
                                 KNOWN_TARGET_CLASSES, VocabError, Vocabulary)

from tests import support


def describes():
    """(name, describe document) of the recorded fixture and of the host-built probe."""
    out = []
    out += [(f"recorded {path}", doc) for path, doc in support.recorded_describes()]
    try:
        out.append(("live pfnmap-probe --describe", support.load_json(support.live_describe())))
    except unittest.SkipTest:
        pass
    if not out:
        raise unittest.SkipTest(f"neither a recorded describe.json ({support.RECORDER}) nor {support.PROBE}")
    return out


class EveryDescribedThingIsUnderstood(unittest.TestCase):
    def test_the_report_knows_every_field_kind_and_value(self):
        for name, doc in describes():
            with self.subTest(source=name):
                vocab = Vocabulary.from_describe(doc)
                check_vocabulary(vocab)
                for spec in doc["fields"]:
                    self.assertEqual(KNOWN_FIELDS.get(spec["name"]), spec["kind"], spec["name"])
                    if spec["kind"] == "enum":
                        self.assertLessEqual(set(spec["values"]), KNOWN_ENUM_VALUES[spec["name"]])
                self.assertLessEqual(set(doc["page_classes"]), KNOWN_PAGE_CLASSES)
                self.assertLessEqual(set(doc["target_classes"]), KNOWN_TARGET_CLASSES)

    def test_the_sections_read_only_what_the_probe_reports(self):
        for name, doc in describes():
            vocab = Vocabulary.from_describe(doc)
            for who, needs in (("safety", safety.NEEDS), ("grid", grid.NEEDS)):
                for op, fields in needs.items():
                    with self.subTest(source=name, section=who, operation=op):
                        self.assertLessEqual(set(fields), set(vocab.operations[op].fields))

    def test_the_fixtures_were_recorded_with_the_current_probe_vocabulary(self):
        support.need_qemu_fixture()
        live = support.load_json(support.live_describe())
        for path, recorded in support.recorded_describes():
            for key in ("fields", "page_classes", "target_classes", "outcome_kinds", "verdicts", "checks",
                        "families"):
                with self.subTest(fixture=path, key=key):
                    self.assertEqual(recorded[key], live[key],
                                     f"the probe's {key} changed: re-record with {support.RECORDER}")


class EveryRecordedCaseParses(unittest.TestCase):
    def test_every_field_of_every_case_parses_and_spells_its_outcome(self):
        for name, (run, _) in support.all_reports():
            for column in run.columns:
                for case in column.cases.values():
                    with self.subTest(source=name, column=column.label, case=case.id):
                        for field, text in case.fields.items():
                            value = run.vocab.parse(field, text)
                            self.assertEqual(value is None, text == "-")
                            if value is not None:
                                self.assertEqual(value.text, text)
                        if case.outcome_kind == "fields":
                            self.assertEqual(case.outcome, " ".join(f"{k}={v}" for k, v in case.fields.items()))

    def test_every_case_is_a_mapping_and_operation_of_the_describe(self):
        for name, (run, _) in support.all_reports():
            for column in run.columns:
                for case in column.cases.values():
                    with self.subTest(source=name, case=case.id):
                        self.assertIn(case.mapping, run.vocab.mappings)
                        self.assertIn(case.operation, run.vocab.operations)
                        self.assertEqual(case.axes, dict(run.vocab.mappings[case.mapping].axes))


def base_describe():
    return copy.deepcopy(describes()[0][1])


def spoil_field(doc, name, **changes):
    next(f for f in doc["fields"] if f["name"] == name).update(changes)
    return doc


class UnknownValuesAreRefused(unittest.TestCase):
    """Each spoiled describe stands for a probe that can emit something the report does not know."""

    def spoiled(self):
        doc = base_describe()
        return {
            "a page class": dict(doc, page_classes=doc["page_classes"] + ["hwpoison"]),
            "a target class": dict(doc, target_classes=doc["target_classes"] + ["moved"]),
            "an enum value": spoil_field(copy.deepcopy(doc), "write",
                                         values=next(f for f in doc["fields"] if f["name"] == "write")["values"]
                                         + ["torn"]),
            "a result value": spoil_field(copy.deepcopy(doc), "ret", values=["0"]),
            "a field": dict(doc, fields=doc["fields"] + [{"name": "dirty", "kind": "enum", "meaning": "",
                                                          "values": ["yes", "no"]}]),
            "a kind": spoil_field(copy.deepcopy(doc), "live", kind="ratio"),
            "another kind for a field": spoil_field(copy.deepcopy(doc), "old", kind="target"),
            "a verdict": dict(doc, verdicts=doc["verdicts"] + ["flaky"]),
            "an outcome kind": dict(doc, outcome_kinds=doc["outcome_kinds"] + ["oom"]),
            "a check": dict(doc, checks=doc["checks"] + ["leak_free"]),
            "no dev family": dict(doc, families=[f for f in doc["families"] if f["name"] != "dev"]),
            "an insert style": self._with_insert(copy.deepcopy(doc), "vmap"),
            "a page-table level": spoil_field(copy.deepcopy(doc), "level_new",
                                              values=next(f for f in doc["fields"]
                                                          if f["name"] == "level_new")["values"] + ["p4d"]),
            "a huge leaf": self._with_axis_value(copy.deepcopy(doc), "huge", "leaf", "p4d"),
            "no huge family": dict(doc, families=[f for f in doc["families"] if f["name"] != "huge"],
                                   mappings=[m for m in doc["mappings"] if m["family"] != "huge"],
                                   operations=[o for o in doc["operations"] if "huge" not in o["applies_to"]]),
            "a key operation without a cell rule": self._with_key(copy.deepcopy(doc), "dontunmap_resize"),
            "another schema": dict(doc, schema_version=3),
        }

    @staticmethod
    def _with_insert(doc, value):
        dev = next(f for f in doc["families"] if f["name"] == "dev")
        next(a for a in dev["axes"] if a["name"] == "insert")["values"].append(value)
        return doc

    @staticmethod
    def _with_axis_value(doc, family, axis, value):
        spec = next(f for f in doc["families"] if f["name"] == family)
        next(a for a in spec["axes"] if a["name"] == axis)["values"].append(value)
        return doc

    @staticmethod
    def _with_key(doc, op):
        next(o for o in doc["operations"] if o["name"] == op)["key"] = True
        return doc

    def test_the_unspoiled_describe_passes(self):
        check_vocabulary(Vocabulary.from_describe(base_describe()))

    def test_each_unknown_thing_raises(self):
        for what, doc in self.spoiled().items():
            with self.subTest(added=what), self.assertRaises(VocabError):
                check_vocabulary(Vocabulary.from_describe(doc))

    def test_the_cli_refuses_a_run_with_an_unknown_page_class(self):
        run = support.host_run()
        doc = base_describe()
        doc["page_classes"].append("hwpoison")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "describe.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            done = subprocess.run([sys.executable, support.WRAPPER, run, "--describe", path,
                                   "--out", os.path.join(tmp, "out")], capture_output=True, text=True)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(len(done.stderr.splitlines()), 1, done.stderr)
        self.assertIn("hwpoison", done.stderr)


if __name__ == "__main__":
    unittest.main()
