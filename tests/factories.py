"""Test data made through the same actions the product uses."""

from __future__ import annotations

import itertools
from typing import Any

from helpline.accounts import actions as account_actions
from helpline.accounts.models import Role, Team, User
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Customer
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Ticket

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_agent(
    role: str = Role.AGENT, *, username: str | None = None, teams: list[Team] | None = None, **kwargs: Any
) -> User:
    n = next(_seq)
    return account_actions.create_agent(
        actor=None,
        username=username or f"{role}{n}",
        email=f"{role}{n}@desk.example",
        password=PASSWORD,
        role=role,
        teams=teams or [],
        **kwargs,
    )


def make_team(name: str | None = None, members: list[User] | None = None) -> Team:
    return account_actions.create_team(actor=None, name=name or f"Team {next(_seq)}", members=members or [])


def make_customer(email: str | None = None, name: str = "", **kwargs: Any) -> Customer:
    n = next(_seq)
    return customer_actions.create_customer(
        actor=Actor.system(),
        name=name or f"Customer {n}",
        identities=[("email", email or f"customer{n}@example.com")],
        **kwargs,
    )


def make_ticket(
    requester: Customer | None = None,
    *,
    subject: str = "Printer is on fire",
    body_text: str = "Please help, the printer is on fire.",
    actor: Actor | None = None,
    **kwargs: Any,
) -> Ticket:
    requester = requester or make_customer()
    return ticket_actions.open_ticket(
        actor=actor or Actor.of_customer(requester),
        requester=requester,
        subject=subject,
        body_text=body_text,
        **kwargs,
    )
