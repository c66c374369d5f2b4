"""Tests of bench/report.py: the designs page's claims are checked against the results, and the
session authorizer's cost per million is priced as docs/performance.md says.

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


class AuthorizerCostTest(unittest.TestCase):

    @staticmethod
    def result(replica, asked, me_ms, authorizer_ms, hello_ms):
        figure = lambda ms: {"median": ms, "p99": ms, "runs": 1}  # noqa: E731
        return {"setup": "s", "replica": replica, "protected": figure(2), "unprotected": figure(1),
                "addedMedianMs": 1, "ratioToUnprotectedMedian": 2, "authorizerInvocationsPerRequest": asked,
                "authorizerDuration": figure(authorizer_ms) if asked else None, "meDuration": figure(me_ms),
                "helloDuration": figure(hello_ms)}

    def section(self, *results):
        cold = {"baseline": {"total": {"median": 1, "p99": 1, "min": 1, "max": 1}}, "results": []}
        return report.authorizer_section({"method": "m", "coldStart": cold, "memorySizeMb": 1024,
                                          "results": list(results)})

    def test_a_table_read_a_second_invocation_and_whole_milliseconds_are_priced(self):
        text = self.section(self.result(False, 1, 0.4, 4.2, 0.3))
        # $1.00 API + 2 x $0.20 + (1 ms + 5 ms) x 1 GB x $0.0000133334 x 1e6 ($0.08) + 1 RRU at $0.125
        self.assertIn("**$1.61**", text)
        self.assertIn("$0.125 (1 RRU)", text)

    def test_answers_from_the_cache_cost_one_invocation_and_no_read(self):
        text = self.section(self.result(True, 0, 0.4, 0, 0.3))
        self.assertIn("$0.20 (1 invocation)", text)
        self.assertIn("**$1.21**", text)
        self.assertIn("+$0.00", text)


class MachineTest(unittest.TestCase):

    def test_no_result_names_a_path_of_the_machine_that_measured_it(self):
        for name in sorted(os.listdir(report.RESULTS)):
            with open(os.path.join(report.RESULTS, name)) as f:
                machine = json.load(f).get("machine", {})
            for key, value in machine.items():
                self.assertNotIn("/", str(value), f"{name}: machine.{key} names a path: {value}")


if __name__ == "__main__":
    unittest.main()
