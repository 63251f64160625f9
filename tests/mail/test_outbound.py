from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core import mail as django_mail

from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.models import AuthMethod, Mailbox, OutboundMail, Security
from helpline.mail.tokens import ticket_number_from_address
from helpline.tickets import actions as ticket_actions
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus, Message, Ticket
from tests.factories import make_agent, make_customer, make_team
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink, TokenEndpoint

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),  # loopback test server only
]


def smtp_mailbox(port: int, **extra: Any) -> Mailbox:
    extra.setdefault("send_acknowledgement", False)
    team = make_team("Billing")
    return Mailbox.objects.create(
        name="Support",
        email_address="support@desk.example",
        team=team,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=Security.PLAIN,
        signature="{{ agent.name }}\n{{ team.name }} team",
        **extra,
    )


def email_ticket(box: Mailbox) -> Ticket:
    outcome = actions.receive_message(
        mailbox=box, raw=raw_mail("My invoice is wrong", subject="Invoice", message_id="<in-1@client.example>")
    )
    return Ticket.objects.get(number=outcome.ticket)


def test_reply_goes_out_by_smtp_with_threading_headers() -> None:
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port)
        ticket = email_ticket(box)
        django_mail.outbox.clear()
        agent = make_agent(username="maria")
        reply = ticket_actions.add_message(
            actor=Actor.of_agent(agent),
            ticket=ticket,
            kind="reply",
            body_text="We fixed the invoice.",
            attachments=[IncomingFile("invoice.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT
        assert django_mail.outbox == []  # the portal left it to the email channel
        (sent,) = sink.handler.messages
        outbound = OutboundMail.objects.get(ticket_message=reply)
        assert sent["Message-ID"] == outbound.message_id == reply.external_id
        assert sent["In-Reply-To"] == "<in-1@client.example>"
        assert "<in-1@client.example>" in sent["References"]
        assert sent["Subject"] == f"Re: [#{ticket.number}] Invoice"
        assert sent["To"] == "ann@example.com"
        assert sent["From"] == "Billing <support@desk.example>"
        assert ticket_number_from_address(sent["Reply-To"].addresses[0].addr_spec) == ticket.number
        assert sent["X-Helpline-Loop"] == "support@desk.example"
        text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert "We fixed the invoice." in text and "-- \nmaria\nBilling team" in text
        assert "We fixed the invoice." in sent.get_body(("html",)).get_content()
        (att,) = list(sent.iter_attachments())
        assert att.get_filename() == "invoice.pdf" and att.get_content() == b"%PDF-1.4\n%%EOF\n"
        # the customer answers the reply: it threads and is not mistaken for a loop
        answer = actions.receive_message(
            mailbox=box, raw=raw_mail("Thanks!", subject="Re: Invoice", headers={"In-Reply-To": outbound.message_id})
        )
        assert (answer.outcome, answer.ticket) == ("added", ticket.number)


def test_temporary_failures_are_retried_then_sent() -> None:
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port)
        ticket = email_ticket(box)
        sink.handler.fail_next = 2
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hello")
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT
        assert OutboundMail.objects.get().attempts == 3
        assert len(sink.handler.messages) == 1
        statuses = [e.after for e in ticket.events.filter(kind="delivery_changed").order_by("id")]
        assert statuses == ["queued", "queued", "sent"]  # each failed attempt is recorded with its error


def test_permanent_failure_marks_the_message_failed() -> None:
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port)
        ticket = email_ticket(box)
        sink.handler.reject_permanently = True
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hello")
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.FAILED
        assert "550" in reply.delivery_error
        assert OutboundMail.objects.get().attempts == 1


def test_web_ticket_replies_stay_with_the_portal() -> None:
    with SmtpSink() as sink:
        smtp_mailbox(sink.port)
        from tests.factories import make_ticket

        ticket = make_ticket()
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hi")
        assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.SENT
        assert sink.handler.messages == [] and len(django_mail.outbox) == 1


def test_xoauth2_token_is_refreshed_stored_encrypted_and_used() -> None:
    with TokenEndpoint() as endpoint, SmtpSink(auth=True) as sink:
        box = smtp_mailbox(
            sink.port,
            auth_method=AuthMethod.XOAUTH2,
            username="support@desk.example",
            oauth_token_url=endpoint.url,
            oauth_client_id="client-1",
            oauth_client_secret="s3cret",
            oauth_refresh_token="good-refresh",
        )
        ticket = email_ticket(box)
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hi")
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT, reply.delivery_error
        assert sink.handler.auth_seen == ["user=support@desk.example\x01auth=Bearer fresh-token\x01\x01"]
        assert endpoint.requests[0]["grant_type"] == ["refresh_token"]
        assert endpoint.requests[0]["client_secret"] == ["s3cret"]
        box.refresh_from_db()
        assert box.oauth_access_token == "fresh-token" and box.oauth_refresh_token == "rotated"
        stored = Mailbox.objects.filter(pk=box.pk).values_list("oauth_access_token", flat=True).query
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT oauth_access_token, oauth_refresh_token FROM mail_mailbox WHERE id = %s", [box.pk])
            raw_values = cursor.fetchone()
        assert "fresh-token" not in raw_values[0] and "rotated" not in raw_values[1]
        assert stored is not None
        # a second reply uses the cached token without calling the endpoint again
        ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Again")
        assert len(endpoint.requests) == 1 and len(sink.handler.messages) == 2


def test_a_token_refused_before_its_expiry_is_refreshed_once() -> None:
    """Providers revoke tokens early (password change, admin action): the server's refusal of a
    token we thought valid leads to one refresh and a second sign-in."""
    with TokenEndpoint() as endpoint, SmtpSink(auth=True) as sink:
        box = smtp_mailbox(
            sink.port,
            auth_method=AuthMethod.XOAUTH2,
            username="support@desk.example",
            oauth_token_url=endpoint.url,
            oauth_refresh_token="good-refresh",
            oauth_access_token="revoked-early",
            oauth_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=50),
        )
        ticket = email_ticket(box)
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hi")
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT and len(sink.handler.messages) == 1
        assert ["auth=Bearer revoked-early" in a for a in sink.handler.auth_seen] == [True, False]
        assert len(endpoint.requests) == 1
        box.refresh_from_db()
        assert box.oauth_access_token == "fresh-token" and box.oauth_refresh_token == "rotated"


def test_refused_refresh_fails_the_delivery_with_the_reason() -> None:
    with TokenEndpoint() as endpoint, SmtpSink(auth=True) as sink:
        box = smtp_mailbox(
            sink.port,
            auth_method=AuthMethod.XOAUTH2,
            username="support@desk.example",
            oauth_token_url=endpoint.url,
            oauth_refresh_token="revoked",
        )
        ticket = email_ticket(box)
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hi")
        reply.refresh_from_db()
        assert "bad refresh token" in reply.delivery_error
        assert sink.handler.messages == []


def test_acknowledgement_comes_from_the_mailbox_with_the_reply_token() -> None:
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port, send_acknowledgement=True)
        ticket = email_ticket(box)
        (ack,) = sink.handler.messages
        assert f"[#{ticket.number}]" in ack["Subject"]
        assert ack["From"] == "Billing <support@desk.example>" and ack["To"] == "ann@example.com"
        assert ack["Auto-Submitted"] == "auto-replied" and ack["In-Reply-To"] == "<in-1@client.example>"
        assert ticket_number_from_address(ack["Reply-To"].addresses[0].addr_spec) == ticket.number
        assert django_mail.outbox == []
        assert "We aim to answer" not in ack.get_body(("plain",)).get_content()  # no SLA, no promise
        # an auto-reply to our acknowledgement is kept on the ticket and not acknowledged again
        auto = raw_mail("I am away", headers={"Auto-Submitted": "auto-replied", "In-Reply-To": ack["Message-ID"]})
        outcome = actions.receive_message(mailbox=box, raw=auto)
        assert outcome.outcome in ("added", "new_ticket") and len(sink.handler.messages) == 1


def test_acknowledgement_says_when_the_sla_first_response_is_due() -> None:
    from helpline.workflow.models import ClockKind, SlaClock, SlaPolicy

    SlaPolicy.objects.create(
        name="Email", first_response_minutes=240, business_hours=False, conditions={"channel": ["email"]}
    )
    make_customer(email="ann@example.com", name="Ann", language="ka", time_zone="Asia/Tbilisi")
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port, send_acknowledgement=True)
        ticket = email_ticket(box)
        clock = SlaClock.objects.filter(ticket=ticket, kind=ClockKind.FIRST_RESPONSE).first()
        due = clock.due_at if clock is not None and clock.due_at else ticket.created_at + dt.timedelta(minutes=240)
        (ack,) = sink.handler.messages
        body = ack.get_body(("plain",)).get_content()
        local = due.astimezone(zoneinfo.ZoneInfo("Asia/Tbilisi"))
        assert f"#{ticket.number}" in body and f"{local:%Y-%m-%d %H:%M} (Asia/Tbilisi)" in body
        assert "We aim to answer" not in body  # in the customer's language (Georgian)
        assert "გიპასუხებთ" in body


def test_our_own_reply_coming_back_by_its_message_id_is_never_answered() -> None:
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port, send_acknowledgement=True)
        ticket = email_ticket(box)
        ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="It is fixed.")
        sent = next(m for m in sink.handler.messages if m["Subject"].startswith("Re: [#"))
        before = len(sink.handler.messages)
        # a forwarding rule elsewhere sends our reply back in, our own headers stripped, another sender
        looped = raw_mail("It is fixed.", sender="forwarder@example.org", message_id=sent["Message-ID"])
        outcome = actions.receive_message(mailbox=box, raw=looped)
        assert outcome.outcome == "ignored" and outcome.reason == "loop"
        assert ticket.messages.count() == 2 and Ticket.objects.count() == 1
        assert len(sink.handler.messages) == before  # no acknowledgement, nothing sent


def test_retries_wait_longer_each_time_on_the_stored_task_queue(settings: Any) -> None:
    """With the database queue a worker runs, each failed attempt stores the next one with
    run_after (30 s, then 2 min, …); the delivery status on the message follows."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from helpline.mail.outbound import RETRY_DELAYS

    queues = ["default", "outbound", "webhooks", "search"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": queues}}
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port)
        ticket = email_ticket(box)
        sink.handler.fail_next = 2
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hello")
        sends = DBTaskResult.objects.filter(task_path="helpline.mail.tasks.send_reply")
        delays = []
        for _step in range(50):  # work the queue as a worker would (event subscribers first: they claim the reply)
            stored = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at", "id").first()
            if stored is None:
                break
            wait = (stored.run_after - timezone.now()).total_seconds() if stored.run_after else 0
            if stored.task_path == "helpline.mail.tasks.send_reply" and 0 < wait < 86400:  # (the backend stores
                delays.append(wait)  # a far-future run_after for "not delayed")
            DBTaskResult.objects.filter(pk=stored.pk).update(status="SUCCESSFUL")
            stored.task.call(*stored.args_kwargs["args"], **stored.args_kwargs["kwargs"])
        assert sends.count() == 3
        assert len(delays) == 2
        assert RETRY_DELAYS[0] - 5 < delays[0] <= RETRY_DELAYS[0] and RETRY_DELAYS[1] - 5 < delays[1] <= RETRY_DELAYS[1]
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT and OutboundMail.objects.get().attempts == 3
        assert not sends.filter(status="READY").exists()
        assert len(sink.handler.messages) == 1


def test_an_automations_reply_to_an_automatic_mail_is_not_sent() -> None:
    """An out-of-office answering our mail opens or joins a ticket; a rule's reply to it would
    start a loop, so it is kept on the ticket, marked not sent. People's replies go out."""
    with SmtpSink() as sink:
        box = smtp_mailbox(sink.port)
        out_of_office = raw_mail(
            "I am out of the office until Monday.",
            subject="Automatic reply: Invoice",
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        )
        ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=out_of_office).ticket)
        rule = ticket_actions.add_message(
            actor=Actor.system("rule:thank customers"), ticket=ticket, kind="reply", body_text="Thanks for writing!"
        )
        rule.refresh_from_db()
        assert rule.delivery_status == DeliveryStatus.FAILED and rule.delivery_error.startswith("not sent:")
        assert sink.handler.messages == [] and django_mail.outbox == [] and not OutboundMail.objects.exists()

        person = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Noted.")
        person.refresh_from_db()
        assert person.delivery_status == DeliveryStatus.SENT and len(sink.handler.messages) == 1

        # the customer writes themselves: a rule's reply goes out again
        answer = raw_mail("Back now, the invoice is still wrong.", headers={"In-Reply-To": person.external_id})
        assert actions.receive_message(mailbox=box, raw=answer).outcome == "added"
        again = ticket_actions.add_message(
            actor=Actor.system("rule:thank customers"), ticket=ticket, kind="reply", body_text="Thanks again!"
        )
        again.refresh_from_db()
        assert again.delivery_status == DeliveryStatus.SENT and len(sink.handler.messages) == 2
