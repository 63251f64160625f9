"""REST endpoints of the email channel: who a ticket's replies copy (Cc). The same reads and
changes as the ticket page's Cc panel, through the same participant actions and permissions
(seeing the ticket to read the list, changing the ticket to change it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from helpline.core.api_auth import actor_of
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.api_pagination import MAX_DB_INT
from helpline.mail import participant_actions, selectors
from helpline.mail.models import Participant
from helpline.tickets import selectors as ticket_selectors

router = Router(tags=["tickets"])

ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}
Number = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The ticket number (`#1042` is 1042).")]
ParticipantId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The `id` of an entry of the Cc list.")]


class CcOut(Schema):
    id: int
    email: str
    name: str = Field(..., description="The customer's name when the address is a known customer's, else empty.")
    customer: str | None = Field(..., description="The customer's `public_id` when the address is a customer's.")
    added_at: dt.datetime


class CcIn(Schema):
    address: str = Field(..., max_length=320, description="An email address: `ann@example.com` or `Ann <ann@…>`.")


def _rows(participants: list[Participant]) -> list[dict[str, object]]:
    return [
        {
            "id": p.pk,
            "email": p.email,
            "name": p.customer.name if p.customer else "",
            "customer": p.customer.public_id if p.customer else None,
            "added_at": p.created_at,
        }
        for p in participants
    ]


@router.get("/tickets/{number}/cc", response={200: list[CcOut], **ERRORS}, summary="Who the replies copy (Cc)")
def list_cc(request: HttpRequest, number: Number) -> list[dict[str, object]]:
    ticket = ticket_selectors.get_ticket(actor=actor_of(request), number=number)
    return _rows(selectors.ticket_participants(ticket))


@router.post(
    "/tickets/{number}/cc",
    response={201: list[CcOut], **ERRORS},
    summary="Copy someone on the replies",
    description="Adds the address to the Cc list of an email ticket (no change when it is on it already) and "
    "answers the list as it now stands. Refused for the requester, our own mailboxes and other channels.",
)
def add_cc(request: HttpRequest, number: Number, payload: CcIn) -> Status:
    actor = actor_of(request)
    ticket = ticket_selectors.get_ticket(actor=actor, number=number)
    participant_actions.add_participant(actor=actor, ticket=ticket, address=payload.address)
    return Status(201, _rows(selectors.ticket_participants(ticket)))


@router.delete(
    "/tickets/{number}/cc/{participant_id}",
    response={204: None, **ERRORS},
    summary="Stop copying someone",
    description="A later mail that still names them does not add them back; adding them again does.",
)
def remove_cc(request: HttpRequest, number: Number, participant_id: ParticipantId) -> Status:
    actor = actor_of(request)
    ticket = ticket_selectors.get_ticket(actor=actor, number=number)
    participant_actions.remove_participant(actor=actor, ticket=ticket, participant_id=participant_id)
    return Status(204, None)
