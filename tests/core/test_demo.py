"""`helpline demo`: a living desk in five languages, made through the actions, safe to run twice."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from helpline.accounts.models import Role, Team, User
from helpline.core.demo_data.plan import plan_demo
from helpline.customers.models import Customer, CustomerIdentity, Organization
from helpline.knowledge.models import (
    Answer,
    ArticleTranslation,
    ArticleVersion,
    Category,
    Question,
    Section,
    Visibility,
)
from helpline.surveys.models import CsatSurvey
from helpline.tickets.models import (
    CustomFieldDefinition,
    EventKind,
    Message,
    MessageKind,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)

SCRIPTS = {
    "ka": re.compile(r"[\u10A0-\u10FF]"),  # Georgian
    "am": re.compile(r"[\u1200-\u137F]"),  # Ethiopic
    "mn": re.compile(r"[\u0400-\u04FF]"),  # Cyrillic
    "te": re.compile(r"[\u0C00-\u0C7F]"),  # Telugu
    "en": re.compile(r"[A-Za-z]"),
}
PASSWORD = "desk-demo-passphrase"


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-progress", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "agents": User.objects.count(),
        "teams": Team.objects.count(),
        "organizations": Organization.objects.count(),
        "customers": Customer.objects.count(),
        "identities": CustomerIdentity.objects.count(),
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "events": TicketEvent.objects.count(),
        "links": TicketLink.objects.count(),
        "fields": CustomFieldDefinition.objects.count(),
        "tags": Tag.objects.count(),
        "article versions": ArticleVersion.objects.count(),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
        "surveys": CsatSurvey.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_demo_seeds_a_living_desk_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_DEMO_PASSWORD", PASSWORD)
    output = _run()

    # The logins are printed, with the password taken from the environment, and they work.
    assert re.search(rf"Demo agent login:\s+http://\S+/\s+username: agent\s+password: {PASSWORD}", output)
    for username in ("admin", "supervisor", "light"):
        assert re.search(rf"username: {username}\s+password: {PASSWORD}", output)
    roles = {u.username: u.role for u in User.objects.all()}
    assert roles["admin"] == Role.ADMIN
    assert roles["supervisor"] == Role.SUPERVISOR
    assert roles["agent"] == Role.AGENT
    assert roles["light"] == Role.LIGHT_AGENT
    assert len(roles) >= 10
    assert User.objects.get(username="agent").check_password(PASSWORD)
    languages = set(User.objects.values_list("language", flat=True))
    assert {"en", "ka", "am", "mn", "te"} <= languages
    assert "Asia/Tbilisi" in set(User.objects.values_list("time_zone", flat=True))
    assert Team.objects.filter(name="Logistics", members__username="agent").exists()
    # A mailbox to try the email channel with (no server of its own), named in the output.
    from helpline.mail.models import Mailbox

    box = Mailbox.objects.get()
    assert box.team.name == "Support" and not box.imap_host and f"--mailbox {box.email_address}" in output

    # Customers in all five languages, with several identities, writing in their own script.
    customers = Customer.objects.all()
    assert Counter(c.language for c in customers) == {"en": 8, "ka": 8, "am": 8, "mn": 8, "te": 8}
    assert CustomerIdentity.objects.count() > Customer.objects.count()
    assert Organization.objects.filter(customers__isnull=False).distinct().count() >= 3
    inbound = Message.objects.filter(kind=MessageKind.INBOUND).select_related("author_customer")
    for language, script in SCRIPTS.items():
        texts = [m.body_text for m in inbound if m.author_customer and m.author_customer.language == language]
        assert texts, language
        assert all(script.search(text) for text in texts), language
    # Replies go out in the customer's language.
    for reply in Message.objects.filter(kind=MessageKind.REPLY).select_related("ticket__requester")[:60]:
        assert SCRIPTS[reply.ticket.requester.language].search(reply.body_text)

    # Tickets across channels and in every status, spread over two months, with events.
    tickets = list(Ticket.objects.all())
    assert len(tickets) >= 120
    assert len({t.channel for t in tickets}) >= 8
    assert {t.status for t in tickets} == set(Status.values)
    ages = sorted(t.created_at for t in tickets)
    assert (ages[-1] - ages[0]).days >= 45
    assert {t.priority for t in tickets} >= {"low", "normal", "high"}
    assert any(t.custom_fields.get("order_number") for t in tickets)
    assert Ticket.objects.filter(tags__name="late-delivery").exists()
    assert Ticket.objects.filter(assignee__isnull=True, status=Status.NEW).exists()
    assert Ticket.objects.filter(merged_into__isnull=False).count() >= 3
    assert TicketLink.objects.count() >= 3
    repeat = Counter(t.requester_id for t in tickets if t.merged_into_id is None)
    assert max(repeat.values()) >= 4
    kinds = set(TicketEvent.objects.values_list("kind", flat=True))
    assert {EventKind.CREATED, EventKind.MESSAGE_ADDED, EventKind.STATUS_CHANGED, EventKind.MERGED} <= kinds
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == len(tickets)
    # Internal notes come from agents (the light agent among them), replies are marked delivered.
    assert Message.objects.filter(kind=MessageKind.NOTE, author_agent__username="light").exists()
    assert not Message.objects.filter(kind=MessageKind.REPLY, delivery_status="queued").exists()
    # Nothing was emailed to the demo customers (agents may hear of the last half hour's activity).
    agent_addresses = set(User.objects.values_list("email", flat=True))
    assert [m.to for m in mail.outbox if not set(m.to) <= agent_addresses] == []

    # The help center has the same articles in every language, one agents-only article, FAQ entries and a
    # community question answered by an agent.
    published = ArticleTranslation.objects.filter(is_published=True, article__visibility=Visibility.PUBLIC)
    for language in ("en", "ka", "am", "mn", "te"):
        assert published.filter(language=language).count() >= 6, language
        assert SCRIPTS[language].search(published.filter(language=language).first().title)  # type: ignore[union-attr]
    assert published.filter(article__is_faq=True, language="ka").count() >= 4
    assert ArticleTranslation.objects.filter(article__visibility=Visibility.AGENTS).exists()
    assert all(c.names.get("ka") and c.names.get("te") for c in Category.objects.all())
    assert all(s.names.get("am") and s.names.get("mn") for s in Section.objects.all())
    question = Question.objects.get()
    # Customers rated most solved tickets, some with a comment in their own language; a bad rating left a
    # note for the agents; a supervisor shared a few good comments as kudos.
    answers = CsatSurvey.objects.filter(rating__isnull=False)
    assert answers.count() >= Ticket.objects.filter(solved_at__isnull=False).count() // 2
    assert answers.filter(rating__gte=4).count() > answers.filter(rating__lte=2).count() > 0
    assert answers.filter(comment__regex=r"[\u10A0-\u10FF]").exists()
    assert CsatSurvey.objects.filter(kudos_shared_at__isnull=False).count() == 3
    # Some conversations were settled by the first answer, most took longer.
    replies = Count("messages", filter=Q(messages__kind=MessageKind.REPLY, messages__author_agent__isnull=False))
    solved = Ticket.objects.filter(solved_at__isnull=False).annotate(replies=replies)
    assert 0 < solved.filter(replies=1).count() < solved.filter(replies__gt=1).count()
    assert question.accepted_answer is not None and question.accepted_answer.author_agent is not None

    # Customers date from before their first ticket, not from the moment the demo ran.
    for customer in Customer.objects.filter(tickets__isnull=False).distinct():
        assert customer.created_at < min(t.created_at for t in customer.tickets.all())

    # A second run recognises everything and adds nothing.
    before = _counts()
    again = _run("--password", "another-passphrase")
    assert _counts() == before
    assert "nothing to add" in again
    assert "username: agent" in again
    assert "changepassword agent" in again  # the account keeps the password of the first run
    assert User.objects.get(username="agent").check_password(PASSWORD)


@pytest.mark.django_db
def test_demo_refuses_a_weak_password() -> None:
    with pytest.raises(CommandError):
        _run("--password", "123")
    assert not Ticket.objects.exists()


def test_demo_plan_is_deterministic_and_varied() -> None:
    first, second = plan_demo(), plan_demo()
    assert [(t.ref, t.subject, t.channel, t.flow, t.assignee) for t in first.tickets] == [
        (t.ref, t.subject, t.channel, t.flow, t.assignee) for t in second.tickets
    ]
    other = plan_demo(seed=7)
    assert [t.subject for t in other.tickets] != [t.subject for t in first.tickets]
    assert len({t.ref for t in first.tickets}) == len(first.tickets)
    assert {t.flow for t in first.tickets} == {"new", "open", "pending", "on_hold", "solved", "closed"}
    # Conversations stay in the past and in order.
    for ticket in first.tickets:
        offsets = [m.offset for m in ticket.messages]
        assert offsets == sorted(offsets)
        assert all(o < ticket.age for o in offsets)
