"""pidless/protocol.py and the varint codec of wire.py against docs/PROTOCOL.md's tables, row by row.

A constant changed on one side only fails here, naming the document's row and the constant. The
aggregator's ProtocolConstantsTest and VarintTest read the same tables for the JVM.
"""
from __future__ import annotations

import os
import unittest

from pidless import protocol, wire

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "PROTOCOL.md")


def _cells(line: str) -> list:
    cells = [c.strip() for c in line.strip().split("|")[1:-1]]
    return [c[1:-1] if len(c) > 1 and c[0] == c[-1] == "`" and c.count("`") == 2 else c
            for c in cells]


def rows(header_start: str) -> list:
    """(where, {column: cell}) for every row of every table whose header starts with header_start."""
    with open(DOC, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = []
    for i, line in enumerate(lines):
        if line.startswith(header_start):
            columns = _cells(line)
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                found.append(("docs/PROTOCOL.md:%d %s" % (j + 1, lines[j]),
                              dict(zip(columns, _cells(lines[j])))))
                j += 1
    if not found:
        raise AssertionError("docs/PROTOCOL.md has no table whose header starts with %r" % header_start)
    return found


class ConstantsTest(unittest.TestCase):
    def assert_same(self, documented: dict, constants: dict, what: str) -> None:
        for key, (where, value) in documented.items():
            self.assertIn(key, constants, "%s: no %s in pidless/protocol.py" % (where, what))
            self.assertEqual(value, constants[key], "%s: differs from pidless/protocol.py's %s %s"
                             % (where, what, key))
        self.assertEqual(sorted(constants), sorted(documented),
                         "%s in pidless/protocol.py without a row in docs/PROTOCOL.md" % what)

    def test_error_codes_and_their_retryability_are_the_documented_ones(self):
        documented = {int(r["code"]): (where, (r["name"], r["retryable"] == "yes"))
                      for where, r in rows("| code | name | retryable |")}
        constants = {code: (name, code in protocol.RETRYABLE)
                     for code, name in protocol.ERROR_NAMES.items()}
        self.assert_same(documented, constants, "ERROR_NAMES/RETRYABLE code")

    def test_gauge_modes_are_the_documented_ones(self):
        documented = {r["mode"]: (where, (int(r["value"]),
                                          r["when a writer's connection closes"] != "kept"))
                      for where, r in rows("| mode | value |")}
        constants = {name: (value, value in protocol.LIVE_MODES)
                     for name, value in protocol.GAUGE_MODES.items()}
        self.assert_same(documented, constants, "GAUGE_MODES/LIVE_MODES mode")

    def test_metric_types_are_the_documented_ones(self):
        documented = {r["type"]: (where, int(r["value"])) for where, r in rows("| type | value |")}
        constants = {name: code for code, name in protocol.TYPE_NAMES.items()}
        self.assert_same(documented, constants, "TYPE_NAMES type")
        for name, code in constants.items():
            self.assertEqual(code, getattr(protocol, name.upper()), "protocol.%s" % name.upper())

    def test_frame_types_are_the_documented_ones(self):
        documented = {r["name"]: (where, int(r["type"], 16)) for where, r in rows("| type | name |")}
        constants = {name: getattr(protocol, name) for name in documented if hasattr(protocol, name)}
        self.assert_same(documented, constants, "frame type")

    def test_limits_the_client_uses_are_the_documented_ones(self):
        constants = {"protocol version": str(protocol.VERSION),
                     "session id bytes": str(protocol.SESSION_ID_BYTES),
                     "reserved metric name prefix": protocol.RESERVED_PREFIX,
                     "help bytes, at most": str(protocol.MAX_HELP_BYTES),
                     "`--max-frame-bytes` default": str(protocol.DEFAULT_MAX_FRAME_BYTES)}
        documented = {r["limit"]: (where, r["value"]) for where, r in rows("| limit | value |")
                      if r["limit"] in constants}
        self.assert_same(documented, constants, "limit")


class VarintTest(unittest.TestCase):
    def test_documented_varints_read_and_write_by_the_one_rule(self):
        values = 0
        for where, r in rows("| bytes | value |"):
            data = bytes.fromhex(r["bytes"])
            ack = wire.frame(protocol.ACK, data + b"\x00")
            if r["value"].startswith("malformed"):
                with self.assertRaises(wire.ProtocolError, msg=where + ": wire.read_varint"):
                    wire.read_varint(data, 0)
                if "cut off" not in r["value"]:
                    with self.assertRaises(wire.ProtocolError, msg=where + ": an ACK carrying it"):
                        wire.FrameDecoder().feed(ack)
                continue
            value = int(r["value"].split(",")[0])
            self.assertEqual((value, len(data)), wire.read_varint(data, 0), where + ": wire.read_varint")
            self.assertEqual([wire.Ack(value, 0)], wire.FrameDecoder().feed(ack), where + ": an ACK")
            if "not the fewest bytes" not in r["value"]:
                self.assertEqual(data, wire.varint(value), where + ": wire.varint")
            values += 1
        self.assertGreaterEqual(values, 3, "docs/PROTOCOL.md \"Varints\" has too few values")

    def test_values_past_64_bits_are_not_written(self):
        for n in (-1, protocol.MAX_VARINT + 1):
            with self.assertRaisesRegex(ValueError, "0 to 2\\*\\*64-1, not %d" % n):
                wire.varint(n)
        self.assertEqual(protocol.MAX_VARINT_BYTES, len(wire.varint(protocol.MAX_VARINT)))


if __name__ == "__main__":
    unittest.main()
