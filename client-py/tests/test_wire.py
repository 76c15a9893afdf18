"""The codec against the worked example of docs/PROTOCOL.md, byte for byte."""
from __future__ import annotations

import unittest

from pidless import protocol, wire
from pidless.series import Series
from pidless.values import CounterValue, HistogramValue


def _hex(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


SESSION = _hex("00112233445566778899aabbccddeeff")


class WorkedExampleTest(unittest.TestCase):
    def test_hello_matches_the_protocol_example(self):
        self.assertEqual(wire.hello(SESSION, "pidless/1"), _hex(
            "00 00 00 1c 01 01 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"
            "09 70 69 64 6c 65 73 73 2f 31"))

    def test_defines_match_the_protocol_example(self):
        counter = Series(protocol.COUNTER, 0, "etl_records_total", "Records", (("stage", "parse"),),
                         ())
        histogram = Series(protocol.HISTOGRAM, 0, "etl_parse_seconds", "Pars", (), (0.1, 1.0))
        self.assertEqual(counter.define_frame(1), _hex(
            "00 00 00 2b 02 01 01 00"
            "11 65 74 6c 5f 72 65 63 6f 72 64 73 5f 74 6f 74 61 6c"
            "07 52 65 63 6f 72 64 73 01 05 73 74 61 67 65 05 70 61 72 73 65"))
        self.assertEqual(histogram.define_frame(2), _hex(
            "00 00 00 2d 02 02 03 00"
            "11 65 74 6c 5f 70 61 72 73 65 5f 73 65 63 6f 6e 64 73"
            "04 50 61 72 73 00 02 3f b9 99 99 99 99 99 9a 3f f0 00 00 00 00 00 00"))

    def test_batch_from_values_matches_the_protocol_example(self):
        counter = CounterValue(Series(protocol.COUNTER, 0, "etl_records_total", "Records", (), ()))
        histogram = HistogramValue(Series(protocol.HISTOGRAM, 0, "etl_parse_seconds", "Pars", (),
                                          (0.1, 1.0)))
        counter.inc(3)
        histogram.observe(0.05)
        histogram.observe(0.05)
        histogram.observe(0.4)
        deltas = [wire.varint(1) + counter.encode(counter.take()),
                  wire.varint(2) + histogram.encode(histogram.take())]
        self.assertEqual(wire.batch(1, deltas), _hex(
            "00 00 00 18 03 01 02 01 40 08 00 00 00 00 00 00"
            "02 02 01 00 3f e0 00 00 00 00 00 00"))

    def test_answers_decode_fed_one_byte_at_a_time(self):
        stream = _hex("00 00 00 0f 81 01 00 10 00 00 00 01 02 03 04 05 06 07 08"
                      "00 00 00 03 82 01 01"
                      "00 00 00 07 83 00 ca 02 02 68 69")
        decoder, frames = wire.FrameDecoder(), []
        for i in range(len(stream)):
            frames += decoder.feed(stream[i:i + 1])
        self.assertEqual(frames, [wire.HelloOk(1, 1048576, 0, 0x0102030405060708),
                                  wire.Ack(1, protocol.ACK_ALREADY_SETTLED),
                                  wire.Error(202, 2, "hi")])

    def test_trailing_bytes_in_an_answer_are_a_protocol_error(self):
        with self.assertRaisesRegex(wire.ProtocolError, "malformed frame 0x82"):
            wire.FrameDecoder().feed(_hex("00 00 00 04 82 01 00 00"))

    def test_varint_uses_seven_bits_per_byte(self):
        self.assertEqual(wire.varint(0), b"\x00")
        self.assertEqual(wire.varint(127), b"\x7f")
        self.assertEqual(wire.varint(300), b"\xac\x02")


if __name__ == "__main__":
    unittest.main()
