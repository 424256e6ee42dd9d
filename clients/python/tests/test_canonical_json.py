"""Canonical JSON: the TypeScript side's golden cases, byte for byte."""

import hashlib
import json
import unittest

from tests.support import fixtures

from approval_gates import canonical_json
from approval_gates.canonical_json import js_number


class CanonicalJsonGoldenCases(unittest.TestCase):
    def test_there_are_golden_cases(self) -> None:
        self.assertGreaterEqual(len(list(fixtures("canonical-json"))), 10)

    def test_each_case_canonicalizes_and_hashes_as_the_server_does(self) -> None:
        for name, case in fixtures("canonical-json"):
            with self.subTest(case=case["name"], file=name):
                canonical = canonical_json(json.loads(case["input"]))
                self.assertEqual(canonical, case["expected"]["canonical"])
                digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
                self.assertEqual(digest, case["expected"]["sha256"])


class JavaScriptNumbers(unittest.TestCase):
    def test_numbers_are_written_as_ecmascript_writes_them(self) -> None:
        cases = [
            (1.0, "1"),
            (-0.0, "0"),
            (0.5, "0.5"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (123456789.0, "123456789"),
            (2**53 + 1, "9007199254740992"),
            (10**400, "null"),
            (float("nan"), "null"),
        ]
        for value, expected in cases:
            with self.subTest(value=repr(value)[:20]):
                self.assertEqual(js_number(value), expected)

    def test_non_json_values_are_refused(self) -> None:
        for value in ({1: "a"}, {"a": {1, 2}}, b"bytes"):
            with self.subTest(value=repr(value)), self.assertRaises(TypeError):
                canonical_json(value)

    def test_deep_nesting_does_not_exhaust_the_stack(self) -> None:
        value: object = "leaf"
        for _ in range(3000):
            value = {"a": [value]}
        self.assertTrue(canonical_json(value).startswith('{"a":[{"a":['))


if __name__ == "__main__":
    unittest.main()
