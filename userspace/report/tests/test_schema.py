"""userspace/probe-schema.json (JSON Schema draft 2020-12) against real probe.json documents, and
against those documents spoiled."""

import copy
import unittest

from tests import support

try:
    import jsonschema
except ImportError:  # python3-jsonschema: tests/run-all.sh installs it
    jsonschema = None


def documents():
    docs = []
    if support.qemu_fixture_present() or support.huge_fixture_present():
        docs += support.fixture_docs()
    for make, column in ((support.host_run, "host"), (support.fake_run, "fake")):
        try:
            path = f"{make()}/{column}/probe.json"
        except unittest.SkipTest:
            continue
        docs.append((path, support.load_json(path)))
    if not docs:
        raise unittest.SkipTest("no probe.json: neither the fixture nor a host-built probe")
    return docs


@unittest.skipIf(jsonschema is None, "python3-jsonschema is not installed")
class Schema(unittest.TestCase):
    def setUp(self):
        self.schema = support.load_json(support.SCHEMA)
        self.validator = jsonschema.Draft202012Validator(self.schema)

    def test_the_schema_is_draft_2020_12(self):
        self.assertEqual(self.schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
        jsonschema.Draft202012Validator.check_schema(self.schema)

    def test_every_real_probe_json_is_valid(self):
        for path, doc in documents():
            with self.subTest(path=path):
                errors = [f"{list(e.absolute_path)}: {e.message}" for e in self.validator.iter_errors(doc)]
                self.assertEqual(errors[:5], [])

    def spoil(self, change):
        path, doc = documents()[0]
        doc = copy.deepcopy(doc)
        ran = next(c for c in doc["cases"] if c["outcome_kind"] == "fields")
        change(doc, ran)
        return doc

    def test_spoiled_documents_are_invalid(self):
        spoilers = {
            "schema_version 1": lambda d, c: d.update(schema_version=1),
            "an unknown top-level key": lambda d, c: d.update(extra=1),
            "a case without its evidence key": lambda d, c: c.pop("evidence"),
            "an unknown case key": lambda d, c: c.update(comment="x"),
            "an unknown outcome field": lambda d, c: c["fields"].update(dirty="yes"),
            "a page class the doc does not list": lambda d, c: c["fields"].update(
                {next(k for k in c["fields"] if k != "ret"): "hwpoison"}),
            "ret=0": lambda d, c: c["fields"].update(ret="0"),
            "a status the doc does not list": lambda d, c: c.update(status="passed"),
            "an ok status with a changed verdict": lambda d, c: c.update(status="ok", verdict="changed"),
            "a skipped case with an outcome": lambda d, c: c.update(status="skip", verdict="skip"),
            "a check the doc does not list": lambda d, c: c["checks"].update(leak_free=True),
            "an unknown evidence key": lambda d, c: c["evidence"].update(extra=None),
        }
        for what, change in spoilers.items():
            with self.subTest(spoiled=what):
                self.assertFalse(self.validator.is_valid(self.spoil(change)))


if __name__ == "__main__":
    unittest.main()
