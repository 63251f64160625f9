"""Team signatures under email replies: edited by admins per language, checked on save (an
unknown placeholder is refused, named), rendered in the text and HTML parts in the customer's
language, the mailbox's signature when the team has none."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.accounts.models import AuditLogEntry
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.mail import actions
from helpline.mail.models import Mailbox, Security, TeamSignature
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Ticket
from tests.factories import PASSWORD, make_agent, make_customer, make_team
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULT = "{{ agent.name }}\n{{ team.name }} · ticket #{{ ticket.number }}"
GEORGIAN = "{{ agent.first_name }}\n{{ team }} გუნდი"


def signed_in(role: str) -> Client:
    client = Client()
    assert client.login(username=make_agent(role).username, password=PASSWORD)
    return client


def form(default: str = "", **languages: str) -> dict[str, str]:
    data = {"default": default} | {f"lang_{code}": "" for code in ("en", "ka", "am", "mn", "te")}
    return data | {f"lang_{code}": text for code, text in languages.items()}


def test_admins_edit_a_teams_signature_per_language_and_unknown_placeholders_are_refused() -> None:
    team = make_team("R&D")
    admin = signed_in("admin")
    assert f'href="/admin/teams/{team.pk}/signature/"' in admin.get(f"/admin/teams/{team.pk}/").content.decode()
    page = admin.get(f"/admin/teams/{team.pk}/signature/").content.decode()
    assert "{{ agent.name }}" in page and "{{ ticket.number }}" in page and 'name="lang_ka"' in page

    response = admin.post(f"/admin/teams/{team.pk}/signature/", form(DEFAULT, ka=GEORGIAN))
    assert response.status_code == 302 and response["Location"] == f"/admin/teams/{team.pk}/"
    stored = dict(TeamSignature.objects.filter(team=team).values_list("language", "template"))
    assert stored == {"": DEFAULT, "ka": GEORGIAN}
    audit = AuditLogEntry.objects.filter(target_type="team", target_id=str(team.pk)).latest("id")
    assert audit.data == {"signature": {"default": ["", DEFAULT], "ka": ["", GEORGIAN]}}
    page = admin.get(f"/admin/teams/{team.pk}/signature/").content.decode()
    assert "გუნდი" in page  # the stored templates are shown for editing

    refused = admin.post(f"/admin/teams/{team.pk}/signature/", form("Regards", ka="{{ agent.phone }} და {{ team }}"))
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Unknown placeholder “{{ agent.phone }}”" in text and "has-error" in text
    tag = admin.post(f"/admin/teams/{team.pk}/signature/", form("{% load static %}{{ agent.name }}"))
    assert tag.status_code == 422 and "is not allowed in a signature" in tag.content.decode()
    assert dict(TeamSignature.objects.filter(team=team).values_list("language", "template")) == stored

    # emptied: that language's signature is gone, the default stays
    assert admin.post(f"/admin/teams/{team.pk}/signature/", form(DEFAULT)).status_code == 302
    assert list(TeamSignature.objects.filter(team=team).values_list("language", flat=True)) == [""]

    assert signed_in("agent").get(f"/admin/teams/{team.pk}/signature/").status_code == 403


def test_the_mailbox_signature_is_checked_too() -> None:
    admin = Actor.of_agent(make_agent("admin"))
    box = Mailbox.objects.create(name="Support", email_address="support@desk.example")
    with pytest.raises(InvalidInputError) as refused:
        actions.save_mailbox(actor=admin, mailbox=box, signature="{{ agent.password }}")
    assert refused.value.code == "signature_placeholder" and "{{ agent.password }}" in refused.value.message
    saved = actions.save_mailbox(actor=admin, mailbox=box, signature="{{ agent }} · {{ mailbox.email }}")
    assert saved.signature == "{{ agent }} · {{ mailbox.email }}"


def test_replies_carry_the_teams_signature_in_the_customers_language() -> None:
    rnd, plain = make_team("R&D"), make_team("Sales")
    admin = Actor.of_agent(make_agent("admin"))
    actions.save_team_signatures(actor=admin, team=rnd, templates={"": DEFAULT, "ka": GEORGIAN})
    agent = make_agent(username="nino", display_name="Nino Beridze")
    make_customer("nino@example.ge", name="Nino", language="ka")  # her language, not a guess from the text
    with SmtpSink() as sink:
        boxes = {}
        for team, address in ((rnd, "rnd@desk.example"), (plain, "sales@desk.example")):
            boxes[team.name] = Mailbox.objects.create(
                name=team.name,
                email_address=address,
                team=team,
                smtp_host="127.0.0.1",
                smtp_port=sink.port,
                smtp_security=Security.PLAIN,
                send_acknowledgement=False,
                signature="{{ agent.username }} from the {{ mailbox.name }} mailbox",
            )

        def reply_to(box: Mailbox, body: str, answer: str, sender: str) -> tuple[Ticket, str, str]:
            raw = raw_mail(body, to=box.email_address, sender=sender)
            outcome = actions.receive_message(mailbox=box, raw=raw)
            ticket = Ticket.objects.get(number=outcome.ticket)
            ticket_actions.add_reply(actor=Actor.of_agent(agent), ticket=ticket, body_text=answer)
            sent = next(m for m in sink.handler.messages if answer in m.get_body(("plain",)).get_content())
            text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
            return ticket, text, sent.get_body(("html",)).get_content()

        ticket, text, html = reply_to(
            boxes["R&D"], "The printer does not print at all.", "We sent a new one.", "Ann <ann@example.com>"
        )
        assert text.endswith(f"We sent a new one.\n\n-- \nNino Beridze\nR&D · ticket #{ticket.number}\n")
        assert f"Nino Beridze<br>R&amp;D · ticket #{ticket.number}" in html  # escaped in the HTML part

        _ticket, text, html = reply_to(
            boxes["R&D"],
            "გამარჯობა, პრინტერი საერთოდ არ ბეჭდავს, გთხოვთ დამეხმაროთ.",
            "ახალი გამოგიგზავნეთ.",
            "Nino <nino@example.ge>",
        )
        assert text.endswith("ახალი გამოგიგზავნეთ.\n\n-- \nNino\nR&D გუნდი\n")
        assert "Nino<br>R&amp;D გუნდი" in html

        # a team without a signature of its own: the mailbox's
        _ticket, text, _html = reply_to(
            boxes["Sales"], "Can I get a quote for ten chairs?", "Here is the quote.", "Bob <bob@example.com>"
        )
        assert text.endswith("Here is the quote.\n\n-- \nnino from the Sales mailbox\n")


def test_acknowledgements_carry_the_teams_signature_in_the_customers_language() -> None:
    """The acknowledgement of a new email ticket closes with the same signature as replies: the
    team's in the customer's language (its default else), in the text and the HTML part; the
    placeholders about an agent are left out (no agent wrote it)."""
    rnd = make_team("R&D")
    admin = Actor.of_agent(make_agent("admin"))
    actions.save_team_signatures(actor=admin, team=rnd, templates={"": DEFAULT, "ka": GEORGIAN})
    make_customer("nino@example.ge", name="Nino", language="ka")
    with SmtpSink() as sink:
        box = Mailbox.objects.create(
            name="R&D",
            email_address="rnd@desk.example",
            team=rnd,
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_security=Security.PLAIN,
            send_acknowledgement=True,
        )

        def acknowledgement(sender: str, body: str) -> tuple[int, str, str]:
            outcome = actions.receive_message(mailbox=box, raw=raw_mail(body, to=box.email_address, sender=sender))
            assert outcome.outcome == "new_ticket"
            (ack,) = [m for m in sink.handler.messages if f"[#{outcome.ticket}]" in m["Subject"]]
            text = ack.get_body(("plain",)).get_content().replace("\r\n", "\n")
            return outcome.ticket or 0, text, ack.get_body(("html",)).get_content()

        number, text, html = acknowledgement("Ann <ann@example.com>", "The printer does not print at all.")
        assert f"#{number}" in text and text.endswith(f"\n\n-- \nR&D · ticket #{number}\n")
        assert f'<div class="signature">-- <br><p>R&amp;D · ticket #{number}</p></div>' in html
        assert f"#{number}" in html and html.startswith('<!doctype html><html lang="en">')

        number, text, html = acknowledgement("Nino <nino@example.ge>", "გამარჯობა, პრინტერი არ ბეჭდავს.")
        assert text.endswith("\n\n-- \nR&D გუნდი\n") and "Thank you for writing" not in text
        assert "<p>R&amp;D გუნდი</p>" in html and 'lang="ka"' in html
