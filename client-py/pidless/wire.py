"""Encoding and decoding of protocol v1 frames (docs/PROTOCOL.md).

Every frame is ``u32 length | u8 type | payload``; ``length`` counts the type byte and the payload.
Integers are big-endian, ``varint`` is unsigned LEB128, ``f64`` is IEEE 754 binary64 big-endian and
a ``string`` is a varint byte length followed by UTF-8.

Client frames (built here as ``bytes``)::

    HELLO  0x01  u8 version | id16 session | string client
    DEFINE 0x02  varint id | u8 type | u8 mode | string name | string help
                 | varint label_count | (string name, string value)*
                 | histogram only: varint bound_count | f64 bound*
    BATCH  0x03  varint seq | varint count | (varint id | body)*

Aggregator frames (decoded by :class:`FrameDecoder`)::

    HELLO_OK 0x81  u8 version | u32 max_frame_bytes | varint last_seq | u64 instance
    ACK      0x82  varint seq | u8 outcome
    ERROR    0x83  u16 code | varint ref | string message

Example::

    >>> frame = hello(bytes(16), "pidless/1")
    >>> frame[:5]
    b'\\x00\\x00\\x00\\x1c\\x01'
"""
from __future__ import annotations

import struct
from collections import namedtuple

from .protocol import (ACK, BATCH, DEFAULT_MAX_FRAME_BYTES, DEFINE, ERROR, HELLO, HELLO_OK,
                       HISTOGRAM, MAX_VARINT, MAX_VARINT_BYTES, VERSION)

_HEADER = struct.Struct(">IB")
_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_F64 = struct.Struct(">d")

pack_f64 = _F64.pack

HelloOk = namedtuple("HelloOk", "version max_frame_bytes last_seq instance")
Ack = namedtuple("Ack", "seq outcome")
Error = namedtuple("Error", "code ref message")


class ProtocolError(Exception):
    """The aggregator sent bytes this client cannot decode; the connection must be dropped."""


def varint(n: int) -> bytes:
    """Unsigned LEB128 of ``n`` (0 to 2**64-1) in the fewest bytes (PROTOCOL.md, "Varints")."""
    if 0 <= n < 0x80:
        return bytes((n,))
    if not 0 <= n <= MAX_VARINT:
        raise ValueError("a varint holds 0 to 2**64-1, not %d" % n)
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def string(s: str) -> bytes:
    b = s.encode("utf-8")
    return varint(len(b)) + b


def frame(frame_type: int, payload: bytes) -> bytes:
    return _HEADER.pack(len(payload) + 1, frame_type) + payload


def hello(session: bytes, client: str) -> bytes:
    return frame(HELLO, _U8.pack(VERSION) + session + string(client))


def define(series_id: int, metric_type: int, mode: int, name: str, help_text: str,
           labels: tuple, bounds: tuple) -> bytes:
    """A DEFINE frame; ``labels`` is a tuple of (name, value) pairs, ``bounds`` finite upper bounds."""
    parts = [varint(series_id), _U8.pack(metric_type), _U8.pack(mode), string(name),
             string(help_text), varint(len(labels))]
    for label_name, label_value in labels:
        parts.append(string(label_name))
        parts.append(string(label_value))
    if metric_type == HISTOGRAM:
        parts.append(varint(len(bounds)))
        parts.extend(_F64.pack(b) for b in bounds)
    return frame(DEFINE, b"".join(parts))


def batch(seq: int, deltas: list) -> bytes:
    """A BATCH frame from already encoded deltas (each ``varint id | body``)."""
    return frame(BATCH, varint(seq) + varint(len(deltas)) + b"".join(deltas))


def read_varint(buf: bytes, pos: int) -> tuple:
    """The varint at ``buf[pos:]`` and the position after it (docs/PROTOCOL.md, "Varints").

    >>> read_varint(b"\\xac\\x02", 0)
    (300, 2)
    """
    value = 0
    for shift in range(0, 7 * MAX_VARINT_BYTES, 7):
        if pos >= len(buf):
            raise ProtocolError("aggregator sent a truncated varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value > MAX_VARINT:
                break
            return value, pos
    raise ProtocolError("aggregator sent a varint longer than 64 bits (more than %d bytes, or a "
                        "last byte above 01)" % MAX_VARINT_BYTES)


def _parse(frame_type: int, body: bytes):
    try:
        if frame_type == HELLO_OK:
            version, max_frame = _U8.unpack_from(body, 0)[0], _U32.unpack_from(body, 1)[0]
            last_seq, pos = read_varint(body, 5)
            instance = _U64.unpack_from(body, pos)[0]
            result, pos = HelloOk(version, max_frame, last_seq, instance), pos + 8
        elif frame_type == ACK:
            seq, pos = read_varint(body, 0)
            result, pos = Ack(seq, _U8.unpack_from(body, pos)[0]), pos + 1
        elif frame_type == ERROR:
            code = _U16.unpack_from(body, 0)[0]
            ref, pos = read_varint(body, 2)
            length, pos = read_varint(body, pos)
            message = body[pos:pos + length].decode("utf-8", "replace")
            result, pos = Error(code, ref, message), pos + length
        else:
            raise ProtocolError("aggregator sent unknown frame type 0x%02x" % frame_type)
    except struct.error as e:
        raise ProtocolError("aggregator sent a truncated frame 0x%02x: %s" % (frame_type, e)) from e
    if pos != len(body):
        raise ProtocolError("aggregator sent a malformed frame 0x%02x (%d bytes, fields end at %d)"
                            % (frame_type, len(body), pos))
    return result


class FrameDecoder:
    """Turns a byte stream from the aggregator into HelloOk, Ack and Error tuples.

    >>> d = FrameDecoder()
    >>> d.feed(b"\\x00\\x00\\x00\\x03\\x82\\x01")
    []
    >>> d.feed(b"\\x00")
    [Ack(seq=1, outcome=0)]
    """

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self._buf = bytearray()
        self._max = max_frame_bytes

    def feed(self, data: bytes) -> list:
        self._buf += data
        frames = []
        while len(self._buf) >= 5:
            length, frame_type = _HEADER.unpack_from(self._buf, 0)
            if length < 1 or length > self._max:
                raise ProtocolError("aggregator sent a frame of invalid length %d" % length)
            if len(self._buf) < 4 + length:
                break
            body = bytes(self._buf[5:4 + length])
            del self._buf[:4 + length]
            frames.append(_parse(frame_type, body))
        return frames
