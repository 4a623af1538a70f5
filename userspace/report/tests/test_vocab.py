"""The vocabulary's parsers, on values the probe really wrote (and on those values spoiled)."""

import unittest

from pfnmap_report.vocab import Closed, Count, Pages, PagesList, Result, VocabError, Word

from tests import support

KEY_OPERATIONS = {"move", "grow_inplace", "grow_maymove", "shrink", "dontunmap", "dontunmap_fixed",
                  "partial_move", "multi_vma_move", "fork_read",
                  # the huge family's (README, issue 11): move, half move, shrink, fork, DONTUNMAP, grow
                  "move_aligned", "move_half", "shrink_half", "fork_child", "dontunmap_leaf", "grow_double"}


def recorded_values(kind):
    """(vocab, field name, text) of every recorded value of a field of `kind`, all sources."""
    out = []
    for _, (run, _matrix) in support.all_reports():
        for column in run.columns:
            for case in column.cases.values():
                for name, text in case.fields.items():
                    if run.vocab.fields[name].kind == kind:
                        out.append((run.vocab, name, text))
    return out


class KeyOperations(unittest.TestCase):
    def test_the_grid_columns_are_the_key_operations_of_the_doc(self):
        for name, (run, _) in support.all_reports():
            with self.subTest(source=name):
                self.assertEqual(set(run.vocab.key_operations), KEY_OPERATIONS)


class Results(unittest.TestCase):
    def test_a_successful_call_is_ok_and_has_no_errno(self):
        oks = [(v, n, t) for v, n, t in recorded_values("result") if t == "ok"]
        self.assertTrue(oks, "no successful call recorded")
        for vocab, name, text in oks:
            value = vocab.parse(name, text)
            self.assertIsInstance(value, Result)
            self.assertTrue(value.ok)
            self.assertIsNone(value.errno)

    def test_an_errno_is_not_ok(self):
        errnos = [(v, n, t) for v, n, t in recorded_values("result") if t.startswith("E")]
        self.assertTrue(errnos, "no failed call recorded")
        for vocab, name, text in errnos:
            value = vocab.parse(name, text)
            self.assertFalse(value.ok)
            self.assertEqual(value.errno, text)

    def test_zero_is_not_a_result_the_probe_writes(self):
        # The first report read success as ret == "0"; the probe never writes that.
        vocab, name, _ = recorded_values("result")[0]
        with self.assertRaises(VocabError):
            vocab.parse(name, "0")


class PageValues(unittest.TestCase):
    def test_shrink_leaves_four_pages_of_data_then_four_unmapped(self):
        # expectations.txt: *:shrink ret=ok old=pattern*4+sigsegv*4 (8 pages cut to 4).
        run, _ = support.host_report()
        case = run.columns[0].cases["ctl.anon-private:shrink"]
        old = case.value("old")
        self.assertIsInstance(old, Pages)
        self.assertEqual(old.classes(), ("pattern", "sigsegv"))
        self.assertEqual(sum(r.count for r in old.runs), 8)
        self.assertEqual(old.last(), "sigsegv")
        self.assertIsNone(old.uniform())

    def test_a_one_word_range_is_uniform(self):
        for vocab, name, text in recorded_values("pages"):
            if "+" not in text and "*" not in text and text != "-":
                value = vocab.parse(name, text)
                self.assertEqual(value.uniform(), text)
                self.assertIsNone(value.runs[0].count)

    def test_every_recorded_target_parses_over_the_target_classes(self):
        values = recorded_values("target")
        self.assertTrue(values)
        for vocab, name, text in values:
            parsed = vocab.parse(name, text)
            if parsed is not None:
                self.assertTrue(set(parsed.classes()) <= set(vocab.target_classes), text)

    def test_a_page_class_the_probe_does_not_list_is_refused(self):
        vocab, name, text = next(v for v in recorded_values("pages") if v[2] != "-")
        with self.assertRaises(VocabError):
            vocab.parse(name, text.replace(text.split("*")[0].split("+")[0], "hwpoison", 1))

    def test_a_target_class_is_not_a_page_class(self):
        vocab, name, _ = recorded_values("pages")[0]
        with self.assertRaises(VocabError):
            vocab.parse(name, "unmapped")


class OtherKinds(unittest.TestCase):
    def test_a_forked_child_reads_one_range_per_mapping(self):
        run, _ = support.fake_report()
        fork = run.columns[0].cases["dev.remap.dx.none.allow:fork_read"].value("child")
        self.assertIsInstance(fork, PagesList)
        self.assertEqual(len(fork.ranges), 1)
        after = run.columns[0].cases["dev.remap.nodx.none.allow:dontunmap_fork"]
        child = after.value("child")
        self.assertEqual(len(child.ranges), 2, after.fields["child"])

    def test_counts_closed_enum_and_config(self):
        seen = set()
        for kind, cls in (("count", Count), ("closed", Closed), ("enum", Word), ("config", Word)):
            for vocab, name, text in recorded_values(kind):
                value = vocab.parse(name, text)
                if value is not None:
                    self.assertIsInstance(value, cls)
                    self.assertEqual(value.text, text)
                    seen.add(kind)
        self.assertEqual(seen, {"count", "closed", "enum", "config"})

    def test_spoiled_values_are_refused(self):
        spoil = {"count": "1x", "closed": "older", "enum": "maybe", "config": "maybe",
                 "pages_list": "fork:0", "result": "fine"}
        for kind, bad in spoil.items():
            vocab, name, _ = recorded_values(kind)[0]
            with self.subTest(kind=kind), self.assertRaises(VocabError):
                vocab.parse(name, bad)

    def test_levels_are_words_of_the_level_enum(self):
        from pfnmap_report.vocab import LEVELS
        levels = [(v, n, t) for v, n, t in recorded_values("enum") if n.startswith("level_") and t != "-"]
        self.assertTrue(levels, "no level recorded")
        self.assertEqual({t for _, _, t in levels} - set(LEVELS), set())
        self.assertTrue({"pmd", "pud", "none"} <= {t for _, _, t in levels})
        vocab, name, _ = levels[0]
        with self.assertRaises(VocabError):
            vocab.parse(name, "p4d")

    def test_a_dash_is_a_field_that_does_not_apply(self):
        dashes = [(v, n, t) for kind in ("pages", "count", "enum") for v, n, t in recorded_values(kind)
                  if t == "-"]
        self.assertTrue(dashes)
        for vocab, name, text in dashes:
            self.assertIsNone(vocab.parse(name, text))


if __name__ == "__main__":
    unittest.main()
