"""The macro form shared by the admin's shared macros and each agent's personal macros: reading the
posted fields into `save_macro` arguments, and the initial values of an existing macro."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import QueryDict

from helpline.core.actors import Actor
from helpline.workflow import macros
from helpline.workflow.models import Macro


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def posted_values(post: QueryDict) -> dict[str, Any]:
    return {
        "name": post.get("name", ""),
        "body": post.get("body", ""),
        "variants": {lang: post.get(f"variant_{lang}", "") for lang in languages()},
        "tags": post.get("tags", ""),
        "status": post.get("status", ""),
    }


def initial_values(macro: Macro | None) -> dict[str, Any]:
    acts = macro.actions if macro else []
    return {
        "name": macro.name if macro else "",
        "body": macro.body if macro else "",
        "variants": {lang: (macro.variants or {}).get(lang, "") if macro else "" for lang in languages()},
        "tags": ", ".join(t for a in acts if a["type"] == "add_tags" for t in a["tags"]),
        "status": next((a["value"] for a in acts if a["type"] == "set" and a["field"] == "status"), ""),
    }


def save_posted(*, actor: Actor, macro: Macro | None, values: dict[str, Any], shared: bool) -> Macro:
    """Save the form's values through `macros.save_macro` (which refuses what cannot work)."""
    actions: list[dict[str, Any]] = []
    if values["tags"].strip():
        actions.append({"type": "add_tags", "tags": values["tags"]})
    if values["status"]:
        actions.append({"type": "set", "field": "status", "value": values["status"]})
    return macros.save_macro(
        actor=actor,
        macro=macro,
        name=values["name"],
        body=values["body"],
        variants=values["variants"],
        actions=actions,
        shared=shared,
    )
