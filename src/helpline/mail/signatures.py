"""Signatures under agents' email replies: a team's template (one per language where the team
writes one, else its default), else the mailbox's. Templates are plain text with placeholders
such as `{{ agent.name }}` or `{{ ticket.number }}`; only the placeholders listed here exist (no
template language: a signature cannot reach any other data), and a template naming another one
is refused when it is saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from helpline.accounts.models import Team, User
from helpline.core.errors import InvalidInputError
from helpline.mail.models import Mailbox, TeamSignature
from helpline.tickets.models import Message, Ticket

PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
TAG = re.compile(r"\{%.*?%\}", re.DOTALL)


@dataclass(frozen=True)
class Scope:
    """What a signature is rendered for."""

    agent: User | None
    team: Team | None
    ticket: Ticket
    mailbox: Mailbox


def _agent_name(scope: Scope) -> str:
    return scope.agent.name if scope.agent else ""


def _agent_first_name(scope: Scope) -> str:
    if scope.agent is None:
        return ""
    return scope.agent.first_name or (scope.agent.name.split() or [""])[0]


def _team_name(scope: Scope) -> str:
    return scope.team.name if scope.team else scope.mailbox.name


VALUES: dict[str, Callable[[Scope], str]] = {
    "agent.name": _agent_name,
    "agent.first_name": _agent_first_name,
    "agent.email": lambda s: s.agent.email if s.agent else "",
    "agent.username": lambda s: s.agent.username if s.agent else "",
    "team.name": _team_name,
    "ticket.number": lambda s: str(s.ticket.number),
    "ticket.subject": lambda s: s.ticket.subject,
    "mailbox.name": lambda s: s.mailbox.name,
    "mailbox.email": lambda s: s.mailbox.email_address,
}
ALIASES = {"agent": "agent.name", "team": "team.name", "ticket": "ticket.number", "mailbox": "mailbox.email"}


def placeholder_names() -> list[str]:
    return ["{{ %s }}" % name for name in VALUES]  # noqa: UP031  (braces would need doubling)


def validate(template: str) -> None:
    """Refuse a template with a placeholder we do not know or a template tag, naming it."""
    if tag := TAG.search(template):
        raise InvalidInputError(
            _("“%(tag)s” is not allowed in a signature: only placeholders like {{ agent.name }} are.")
            % {"tag": tag.group(0)[:60]},
            code="signature_tag",
        )
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        if ALIASES.get(name, name) not in VALUES:
            raise InvalidInputError(
                _("Unknown placeholder “%(placeholder)s” in the signature. Known placeholders: %(known)s.")
                % {"placeholder": match.group(0)[:60], "known": ", ".join(placeholder_names())},
                code="signature_placeholder",
                details={"placeholder": name[:60]},
            )


def render(template: str, scope: Scope) -> str:
    """The template with its placeholders filled in (an unknown one, saved before validation
    existed, is left out). A line left empty by its placeholders (no agent under an
    acknowledgement or an automation's reply) is left out too."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = VALUES.get(ALIASES.get(name, name))
        return value(scope) if value else ""

    lines = []
    for line in TAG.sub("", template).splitlines():
        filled = PLACEHOLDER.sub(fill, line)
        if filled.strip() or not PLACEHOLDER.search(line):
            lines.append(filled)
    return "\n".join(lines).strip()


def template_for(mailbox: Mailbox, team: Team | None, language: str) -> str:
    """The team's signature in `language`, else its default, else the mailbox's."""
    if team is not None:
        rows = dict(
            TeamSignature.objects.filter(team=team, language__in=[language, ""]).values_list("language", "template")
        )
        chosen = rows.get(language) or rows.get("")
        if chosen and chosen.strip():
            return chosen
    return mailbox.signature


def for_reply(mailbox: Mailbox, message: Message) -> str:
    """The rendered signature for an agent's reply: the ticket's team (else the mailbox's), in the
    customer's language."""
    return for_ticket(mailbox, message.ticket, agent=message.author_agent)


def for_ticket(mailbox: Mailbox, ticket: Ticket, *, agent: User | None = None) -> str:
    """The rendered signature of mail to a ticket's customer (a reply, the acknowledgement): the
    ticket's team (else the mailbox's), in the customer's language."""
    from helpline.portal.branding import customer_language

    team = ticket.team if ticket.team_id else mailbox.team
    language = customer_language(ticket.requester, ticket.language)
    template = template_for(mailbox, team, language)
    if not template.strip():
        return ""
    return render(template, Scope(agent=agent, team=team, ticket=ticket, mailbox=mailbox))


def html_block(signature: str) -> str:
    """The signature as it closes the HTML part (escaped)."""
    from helpline.core.html import text_to_html

    return f'<div class="signature">-- <br>{text_to_html(signature)}</div>' if signature else ""
