"""PostgreSQL COPY text format: escaping, timestamps and random public ids, all fast."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from typing import Any

NULL = "\\N"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def esc(value: str) -> str:
    """Escape a string for COPY ... FROM STDIN (text format)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def json_value(value: Any) -> str:
    """A JSON column value (as Django's JSONField would write it), escaped for COPY."""
    return esc(json.dumps(value, ensure_ascii=False))


class Timestamps:
    """Microseconds since the epoch -> 'YYYY-MM-DD HH:MM:SS.ffffff+00', with a per-day cache."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, us: int) -> str:
        day, rest = divmod(us, 86_400_000_000)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = (EPOCH + dt.timedelta(days=day)).strftime("%Y-%m-%d ")
            self._days[day] = prefix
        secs, micros = divmod(rest, 1_000_000)
        h, rem = divmod(secs, 3600)
        m, s = divmod(rem, 60)
        return f"{prefix}{h:02d}:{m:02d}:{s:02d}.{micros:06d}+00"


def to_us(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


class PublicIds:
    """Random URL-safe ids exactly like `helpline.core.ids.new_public_id` (16 chars from 12 random
    bytes), drawn in bulk from the OS random source."""

    BATCH = 4096

    def __init__(self) -> None:
        self._pool: list[str] = []

    def _refill(self) -> None:
        raw = base64.urlsafe_b64encode(os.urandom(12 * self.BATCH)).decode()
        self._pool = [raw[i : i + 16] for i in range(0, len(raw), 16)]

    def __call__(self) -> str:
        if not self._pool:
            self._refill()
        return self._pool.pop()
