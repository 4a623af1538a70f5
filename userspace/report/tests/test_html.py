"""report.html: self-contained (static/ inlined), one row per case, links that land."""

import os
import re
import unittest
from html.parser import HTMLParser

from pfnmap_report import html

from tests import support


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.row_ids, self.links, self.cells = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "tr" and "row" in classes:
            self.row_ids.append(a["id"])
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "td" and "cell" in classes:
            self.cells.append((a["data-column"], a["data-case"], a["data-verdict"]))


def parse(text):
    page = Page()
    page.feed(text)
    return page


class Pages(unittest.TestCase):
    def test_self_contained_with_the_static_files_inlined(self):
        for name, (_, matrix) in support.all_reports():
            text = html.render(matrix, "")
            with self.subTest(source=name):
                self.assertNotRegex(text, r'(src|href)="?(https?:)?//|<link |@import')
                for static in ("report.css", "report.js"):
                    with open(os.path.join(html.STATIC, static), encoding="utf-8") as f:
                        self.assertIn(f.read(), text)

    def test_one_row_per_case_and_every_internal_link_lands(self):
        for name, (_, matrix) in support.all_reports():
            page = parse(html.render(matrix, ""))
            with self.subTest(source=name):
                self.assertEqual(page.row_ids, [f"row-{r.id}" for r in matrix.rows])
                targets = set(page.row_ids) | {"changes", "safety", "matrix"}
                self.assertEqual([link for link in page.links if link not in targets], [])
                self.assertEqual(len(page.cells), len(matrix.rows) * len(matrix.columns))

    def test_cells_carry_the_verdict_display(self):
        _, matrix = support.host_report()
        page = parse(html.render(matrix, ""))
        shown = {(col, case): verdict for col, case, verdict in page.cells}
        for r in matrix.rows:
            self.assertEqual(shown[("host", r.id)], r.cells["host"].display)

    def test_reproducible(self):
        _, matrix = support.host_report()
        self.assertEqual(html.render(matrix, "x/"), html.render(matrix, "x/"))

    def test_file_links_are_relative_to_the_prefix(self):
        _, matrix = support.host_report()
        text = html.render(matrix, "../run/")
        self.assertRegex(text, re.escape('href="../run/host/ktap.txt"'))


if __name__ == "__main__":
    unittest.main()
