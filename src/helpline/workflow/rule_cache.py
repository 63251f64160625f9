"""Active rules per trigger, cached in the process and reloaded when any rule changes (one cheap query)."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db.models import Count, Max

from helpline.workflow.models import Rule

_lock = threading.Lock()
_cache: dict[str, Any] = {"version": None, "by_trigger": {}, "checked": 0.0}
RECHECK_SECONDS = 1.0


def _version() -> tuple[Any, ...]:
    agg = Rule.objects.aggregate(n=Count("id"), changed=Max("updated_at"), failures=Max("failure_count"))
    return (agg["n"], agg["changed"], agg["failures"])


def active_rules(trigger: str) -> list[Rule]:
    """Changes made in this process invalidate at once; other processes notice within RECHECK_SECONDS."""
    now = time.monotonic()
    with _lock:
        fresh = _cache["version"] is not None and now - _cache["checked"] < RECHECK_SECONDS
        if fresh:
            return list(_cache["by_trigger"].get(trigger, ()))
    version = _version()
    with _lock:
        _cache["checked"] = now
        if _cache["version"] != version:
            by_trigger: dict[str, list[Rule]] = {}
            for rule in Rule.objects.filter(active=True).order_by("position", "id"):
                by_trigger.setdefault(rule.trigger, []).append(rule)
            _cache["by_trigger"] = by_trigger
            _cache["version"] = version
        return list(_cache["by_trigger"].get(trigger, ()))


def invalidate() -> None:
    with _lock:
        _cache["version"] = None
