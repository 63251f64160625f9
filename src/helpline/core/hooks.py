"""Explicit extension points: `@hooks.register("name")` and `hooks.get("name")`.

Apps register their subscribers in a `hooks.py` module, imported by `autodiscover()` once the
app registry is ready. Nothing is wired through Django signals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import apps

_registry: dict[str, list[Callable[..., Any]]] = defaultdict(list)
_discovered = False


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        if fn not in _registry[name]:
            _registry[name].append(fn)
        return fn

    return decorator


def get(name: str) -> list[Callable[..., Any]]:
    autodiscover()
    return list(_registry[name])


def autodiscover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for config in apps.get_app_configs():
        if not config.name.startswith("helpline."):
            continue
        try:
            import_module(f"{config.name}.hooks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.hooks":
                raise
