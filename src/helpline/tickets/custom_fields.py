"""Validation of custom field values against the admin-defined `CustomFieldDefinition`s."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from helpline.core.errors import InvalidInputError
from helpline.tickets.models import CustomFieldDefinition, FieldType


def _coerce(definition: CustomFieldDefinition, value: Any) -> Any:
    if value in (None, ""):
        return None
    kind = definition.field_type
    if kind == FieldType.TEXT:
        return str(value)[:2000]
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("must be a number")) from None
        if not number.is_finite():
            raise ValueError(_("must be a number"))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldType.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(_("must be a date (YYYY-MM-DD)")) from None
    if kind == FieldType.CHOICE:
        if str(value) not in [str(c) for c in definition.choices]:
            raise ValueError(_("must be one of: %(choices)s") % {"choices": ", ".join(map(str, definition.choices))})
        return str(value)
    if kind == FieldType.CHECKBOX:
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"1", "true", "yes", "on"}:
            return True
        if str(value).lower() in {"0", "false", "no", "off"}:
            return False
        raise ValueError(_("must be true or false"))
    return value


def clean_custom_fields(values: dict[str, Any], *, partial: bool, enforce_required: bool) -> dict[str, Any]:
    """Check keys and types; with `partial=False` and `enforce_required`, required fields must be set."""
    if not isinstance(values, dict):
        raise InvalidInputError(_("Custom fields must be an object of key and value."), code="invalid_fields")
    if not values and (partial or not enforce_required):
        return {}  # nothing to check against the definitions
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(active=True)}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[key] = _("unknown field")
            continue
        try:
            cleaned[key] = _coerce(definition, value)
        except ValueError as exc:
            errors[key] = str(exc)
    if not partial and enforce_required:
        for key, definition in definitions.items():
            if definition.required and cleaned.get(key) in (None, ""):
                errors[key] = _("this field is required")
    if errors:
        raise InvalidInputError(
            _("Some custom fields are not valid: %(fields)s")
            % {"fields": "; ".join(f"{k}: {v}" for k, v in sorted(errors.items()))},
            code="invalid_fields",
            details={"fields": errors},
        )
    if not partial:
        cleaned = {k: v for k, v in cleaned.items() if v is not None}
    return cleaned
