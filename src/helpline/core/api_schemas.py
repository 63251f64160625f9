"""Schemas and field types shared by the API routers: references to agents, teams, customers and
organisations, bounded ids, and enumerations built from the models' choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Model, QuerySet, TextChoices
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from helpline.core.api_pagination import MAX_DB_INT
from helpline.core.errors import InvalidInputError
from helpline.core.timezones import is_time_zone

DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
PublicId = Annotated[str, Field(min_length=1, max_length=32)]
M = TypeVar("M", bound=Model)
K = TypeVar("K")


def choice_literal(choices: type[TextChoices], *, blank: bool = False) -> Any:
    """`Literal["a", "b", ...]` of a TextChoices' values, for typed, documented enums."""
    values = tuple(v for v in choices.values if v) + (("",) if blank else ())
    return Literal[values]


def check_time_zone(value: str) -> str:
    """An IANA time zone name (`Europe/Tbilisi`); blank is left to the field to allow or not."""
    if value and not is_time_zone(value):
        raise ValueError(_("unknown time zone"))
    return value


@dataclass(frozen=True)
class PatchField:
    """How a PATCH body's field reaches the action: under the argument `name`, through `convert`
    (ids to objects), and whether an explicit null is a change ("clear it") rather than "leave it"."""

    name: str
    convert: Callable[[Any], Any] | None = None
    null_clears: bool = False


def provided(payload: Schema, *names: str, **mapped: PatchField) -> dict[str, Any]:
    """The fields of a PATCH body the client actually sent (and did not send as null), as the keyword
    arguments of an update action: `names` pass as they are, `mapped` fields as their PatchField says."""
    sent = payload.model_fields_set
    changes = {name: getattr(payload, name) for name in names if name in sent and getattr(payload, name) is not None}
    for field, how in mapped.items():
        value = getattr(payload, field)
        if field in sent and (value is not None or how.null_clears):
            changes[how.name] = how.convert(value) if how.convert is not None else value
    return changes


def objects_named(
    queryset: QuerySet[M], keys: Sequence[K], *, key: str = "pk", field: str, code: str, message: str, unknown: str
) -> list[M]:
    """The objects `keys` name (by `key`), in the order given and without repeats. Any unknown key
    refuses the request: `message` (with `%(ids)s`) names them, `unknown` marks the body's `field`."""
    found = {getattr(obj, key): obj for obj in queryset.filter(**{f"{key}__in": keys})}
    missing = [k for k in keys if k not in found]
    if missing:
        raise InvalidInputError(
            message % {"ids": ", ".join(map(str, missing))}, code=code, details={"fields": {field: unknown}}
        )
    return [found[k] for k in dict.fromkeys(keys)]


def check_email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(_("not a valid email address")) from None
    return value


TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(check_time_zone)]
TimeZoneOrBlank = Annotated[str, Field(max_length=64), AfterValidator(check_time_zone)]
EmailOrBlank = Annotated[str, Field(max_length=254), AfterValidator(check_email)]

LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)
Language = Literal[LANGUAGE_CODES]  # type: ignore[valid-type]
LanguageOrBlank = Literal[(*LANGUAGE_CODES, "")]  # type: ignore[valid-type]


class AgentRef(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str


class CustomerRef(Schema):
    public_id: str
    name: str
    email: str


class OrganizationRef(Schema):
    public_id: str
    name: str


def agent_ref(agent: Any) -> dict[str, Any] | None:
    return {"id": agent.pk, "name": str(agent)} if agent is not None else None


def team_ref(team: Any) -> dict[str, Any] | None:
    return {"id": team.pk, "name": team.name} if team is not None else None


def customer_ref(customer: Any) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {"public_id": customer.public_id, "name": customer.name, "email": customer.email}


def organization_ref(organization: Any) -> dict[str, Any] | None:
    if organization is None:
        return None
    return {"public_id": organization.public_id, "name": organization.name}
