"""Reading the rule builder's rows (conditions and actions) from a POST, and back for display."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import QueryDict

from helpline.workflow.conditions import FIELDS, OP_LABELS
from helpline.workflow.effects import EFFECT_TYPES

CONDITION_ROWS = 6


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


ACTION_ROWS = 5


def condition_rows(prefix: str, conditions: list[dict[str, Any]], extra: int = 2) -> list[dict[str, Any]]:
    rows = [
        {
            "field": c.get("field", ""),
            "op": c.get("op", ""),
            "value": ", ".join(c["value"]) if isinstance(c.get("value"), list) else c.get("value", ""),
        }
        for c in conditions
    ]
    return rows + [{"field": "", "op": "", "value": ""}] * max(extra, CONDITION_ROWS - len(rows))


def action_rows(actions: list[dict[str, Any]], extra: int = 2) -> list[dict[str, Any]]:
    rows = []
    for a in actions:
        kind = a.get("type", "")
        target = {
            "set": a.get("field", ""),
            "assign": "route" if a.get("route") else (f"team:{a['team']}" if a.get("team") else a.get("agent", "")),
            "notify": a.get("to", ""),
            "macro": str(a.get("macro", "")),
            "webhook": a.get("url", ""),
            "follow_up": str(a.get("due_in_hours", "")),
        }.get(kind, "")
        text = {
            "set": a.get("value", ""),
            "add_tags": ", ".join(a.get("tags", [])),
            "remove_tags": ", ".join(a.get("tags", [])),
            "reply": a.get("body", ""),
            "note": a.get("body", ""),
            "notify": a.get("body", ""),
            "follow_up": a.get("title", ""),
        }.get(kind, "")
        extra_value = a.get("subject", "") if kind == "notify" else ""
        rows.append(
            {
                "type": kind,
                "target": target,
                "text": text,
                "extra": extra_value,
                "secret_encrypted": a.get("secret_encrypted", ""),
                "variants": [(lang, (a.get("variants") or {}).get(lang, "")) for lang in languages()],
            }
        )
    empty = {"type": "", "target": "", "text": "", "extra": "", "secret_encrypted": ""}
    blank = [{**empty, "variants": [(lang, "") for lang in languages()]}]
    return rows + blank * max(extra, ACTION_ROWS - len(rows))


def parse_conditions(post: QueryDict, prefix: str) -> list[dict[str, Any]]:
    fields, ops, values = post.getlist(f"{prefix}_field"), post.getlist(f"{prefix}_op"), post.getlist(f"{prefix}_value")
    result = []
    for field, op, value in zip(fields, ops, values, strict=False):
        if field.strip():
            result.append({"field": field.strip(), "op": op.strip(), "value": value})
    return result


def parse_actions(post: QueryDict) -> list[dict[str, Any]]:
    keys = ("action_type", "action_target", "action_text", "action_extra", "action_secret")
    columns = [post.getlist(k) for k in keys]
    kept = post.getlist("action_secret_encrypted")
    variant_columns = {lang: post.getlist(f"action_variant_{lang}") for lang in languages()}
    result: list[dict[str, Any]] = []
    for n, (kind, target, text, extra, secret) in enumerate(zip(*columns, strict=False)):
        kind, target = kind.strip(), target.strip()
        if not kind:
            continue
        if kind == "set":
            result.append({"type": kind, "field": target, "value": text.strip()})
        elif kind == "assign":
            if target == "route":
                result.append({"type": kind, "route": True})
            elif target.startswith("team:"):
                result.append({"type": kind, "team": target.removeprefix("team:")})
            else:
                result.append({"type": kind, "agent": target})
        elif kind in ("add_tags", "remove_tags"):
            result.append({"type": kind, "tags": text})
        elif kind == "reply":
            variants = {lang: col[n] for lang, col in variant_columns.items() if n < len(col) and col[n].strip()}
            result.append({"type": kind, "body": text, **({"variants": variants} if variants else {})})
        elif kind == "note":
            result.append({"type": kind, "body": text})
        elif kind == "notify":
            result.append({"type": kind, "to": target, "subject": extra, "body": text})
        elif kind == "macro":
            result.append({"type": kind, "macro": target})
        elif kind == "follow_up":
            result.append({"type": kind, "due_in_hours": target, "title": text})
        elif kind == "webhook":
            action: dict[str, Any] = {"type": kind, "url": target, "secret": secret.strip()}
            if not secret.strip() and n < len(kept):
                action["secret_encrypted"] = kept[n]
            result.append(action)
        else:
            result.append({"type": kind})
    return result


def builder_choices() -> dict[str, Any]:
    return {
        "field_choices": [(k, v[0]) for k, v in FIELDS.items()],
        "op_choices": list(OP_LABELS.items()),
        "action_types": EFFECT_TYPES,
    }
