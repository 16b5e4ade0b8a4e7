"""PostgreSQL binary COPY, written by hand for the few column types we bulk-load.

Binary COPY of 768-d vectors is about twenty times faster than text COPY (see ECOSYSTEM notes):
no float formatting on our side, no parsing on the server's.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterable, Sequence
from typing import Any

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_TRAILER = struct.pack("!h", -1)


def text(value: str) -> bytes:
    return value.encode("utf-8")


def int4(value: int) -> bytes:
    return struct.pack("!i", value)


def int8(value: int) -> bytes:
    return struct.pack("!q", value)


def jsonb(value: Any) -> bytes:
    return b"\x01" + json.dumps(value, separators=(",", ":")).encode("utf-8")


def vector(values: Sequence[float]) -> bytes:
    # pgvector's binary form: dimensions (int16), unused (int16), then float4 big-endian.
    return struct.pack(f"!hh{len(values)}f", len(values), 0, *values)


def encode_rows(rows: Iterable[Sequence[bytes | None]]) -> io.BytesIO:
    """Encode already-converted fields (None for NULL) into a binary COPY stream."""
    out = io.BytesIO()
    out.write(_HEADER)
    for row in rows:
        out.write(struct.pack("!h", len(row)))
        for field in row:
            if field is None:
                out.write(struct.pack("!i", -1))
            else:
                out.write(struct.pack("!i", len(field)))
                out.write(field)
    out.write(_TRAILER)
    out.seek(0)
    return out
