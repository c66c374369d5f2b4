"""Tests of bench/report.py's designs page: its claims are checked against the results.

  python -m unittest bench/test_report.py   (scripts/test runs it)
"""

import copy
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def designs():
    with open(os.path.join(report.RESULTS, "designs.json")) as f:
        return json.load(f)


class DesignsClaimsTest(unittest.TestCase):

    def test_the_recorded_results_bear_out_every_claim(self):
        _, _, failed = report.designs_section(designs())
        self.assertEqual([], failed)

    def test_an_in_memory_counter_right_with_several_environments_breaks_its_claim(self):
        d = copy.deepcopy(designs())
        for row in d["scale"]:
            if row["design"] == "memory":
                row["clientsRight"] = row["clients"]
        _, _, failed = report.designs_section(d)
        self.assertTrue(any(c.startswith("in memory: exact counts") for c in failed), failed)

    def test_a_revocable_signed_cookie_breaks_its_claim(self):
        d = copy.deepcopy(designs())
        for row in d["replay"]:
            if row["design"] == "signed":
                row["endedSessionGoesOn"] = False
        _, _, failed = report.designs_section(d)
        self.assertTrue(any(c.startswith("signed cookie: a copied old cookie") for c in failed), failed)

    def test_a_product_count_lost_on_recycling_breaks_its_claim(self):
        d = copy.deepcopy(designs())
        for row in d["recycled"]:
            if row["design"] == "outside":
                row["clientsRight"] -= 1
        _, _, failed = report.designs_section(d)
        self.assertTrue(any(c.startswith("state outside: every client") for c in failed), failed)


if __name__ == "__main__":
    unittest.main()
