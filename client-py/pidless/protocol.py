"""The constants of protocol v1 (docs/PROTOCOL.md): the one place the Python client keeps them.

Every other module imports them from here. tests/test_protocol.py reads the document's tables
(frame types, metric types, gauge modes, error codes with their ``retryable`` column, limits,
varints) and compares them with these, so neither can change alone; the aggregator's
``ProtocolConstantsTest`` reads the same tables for the JVM.

>>> ERROR_NAMES[202], 202 in RETRYABLE, 110 in RETRYABLE
('TYPE_CLASH', False, True)
>>> GAUGE_MODES["livesum"] in LIVE_MODES
True
"""
from __future__ import annotations

VERSION = 1
SESSION_ID_BYTES = 16
DEFAULT_MAX_FRAME_BYTES = 1 << 20
# Every frame starts with a u32 length, which counts its type byte and payload but not itself.
LENGTH_PREFIX_BYTES = 4
MAX_HELP_BYTES = 4096
# Metric names starting with this are the aggregator's own.
RESERVED_PREFIX = "pidless_"

# A varint holds an unsigned 64-bit value, in at most this many bytes (docs/PROTOCOL.md, "Varints").
MAX_VARINT = (1 << 64) - 1
MAX_VARINT_BYTES = 10

# Frame types.
HELLO = 0x01
DEFINE = 0x02
BATCH = 0x03
HELLO_OK = 0x81
ACK = 0x82
ERROR = 0x83

# Metric types, with the names the document and error messages use.
COUNTER = 1
GAUGE = 2
HISTOGRAM = 3
SUMMARY = 4
TYPE_NAMES = {COUNTER: "counter", GAUGE: "gauge", HISTOGRAM: "histogram", SUMMARY: "summary"}

# ACK outcomes.
ACK_APPLIED = 0
ACK_ALREADY_SETTLED = 1

# Gauge merge modes; the live ones forget a writer's value when its connection closes.
GAUGE_MODES = {"sum": 1, "livesum": 2, "livemax": 3, "livemin": 4, "max": 5, "min": 6, "last": 7}
LIVE_MODES = frozenset(GAUGE_MODES[m] for m in ("livesum", "livemax", "livemin"))

# ERROR codes: (code, name, retryable). A retryable one says "not now": reconnect after a backoff
# and re-send what was not acknowledged.
_ERRORS = (
    (100, "MALFORMED_FRAME", False), (101, "FRAME_TOO_LARGE", False),
    (102, "UNKNOWN_FRAME_TYPE", False), (103, "UNSUPPORTED_VERSION", False),
    (104, "BAD_HANDSHAKE", False), (105, "UNKNOWN_SERIES_ID", False),
    (106, "DUPLICATE_SERIES_ID", False), (107, "SESSION_TAKEN_OVER", True),
    (108, "CONNECTION_LIMIT", True), (109, "TOO_MANY_SERIES_IDS", False),
    (110, "SESSION_LIMIT", True), (111, "MEMORY_LIMIT", True), (112, "UNREAD_ANSWERS", True),
    (113, "FRAME_TIMEOUT", True),
    (200, "INVALID_NAME", False), (201, "INVALID_LABEL", False), (202, "TYPE_CLASH", False),
    (203, "SERIES_LIMIT", False), (204, "LABEL_LIMIT", False), (205, "LENGTH_LIMIT", False),
    (206, "INVALID_DEFINITION", False), (207, "SERIES_BYTES_LIMIT", False),
    (300, "INVALID_VALUE", False),
)
ERROR_NAMES = {code: name for code, name, _ in _ERRORS}
RETRYABLE = frozenset(code for code, _, retryable in _ERRORS if retryable)
