from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """1 d 3 h, 2 h 5 min, 4 min, 30 s."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    days, rest = divmod(s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min") % {"m": minutes}
    return _("%(s)s s") % {"s": secs}


@register.filter
def heat(count: int, peak: int) -> int:
    """0–100 intensity of a heat-map cell against the busiest cell."""
    return round(100 * count / peak) if peak else 0


@register.filter
def peak(grid: list[list[int]]) -> int:
    return max((max(row) for row in grid), default=0)


@register.simple_tag
def customer_360(customer: Any) -> Any:
    from helpline.reports.customer360 import customer_360 as build

    return build(customer)
