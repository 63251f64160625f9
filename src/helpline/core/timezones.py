"""Time zone names we accept (IANA names known to this machine's zoneinfo)."""

from __future__ import annotations

import functools
import zoneinfo


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def is_time_zone(name: str) -> bool:
    return name in known_time_zones()
