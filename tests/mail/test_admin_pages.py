from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from helpline.mail import actions
from helpline.mail.models import Acknowledgement, AgentNotification, Mailbox, OutboundStatus, RawMessage, RawStatus
from helpline.mail.views.mailboxes import PER_PAGE
from tests.factories import PASSWORD, make_agent, make_team, make_ticket
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db


def signed_in(role: str) -> Client:
    agent = make_agent(role)
    client = Client()
    assert client.login(username=agent.username, password=PASSWORD)
    return client


def test_admin_adds_and_edits_a_mailbox_with_write_only_secrets() -> None:
    team = make_team("Sales")
    client = signed_in("admin")
    assert client.get("/admin/mailboxes/").status_code == 200
    form = {
        "name": "Sales",
        "email_address": "Sales@Desk.example",
        "team": team.pk,
        "active": "on",
        "imap_host": "imap.desk.example",
        "imap_port": 993,
        "imap_security": "ssl",
        "imap_folder": "INBOX",
        "processed_action": "flag",
        "processed_folder": "Processed",
        "use_idle": "on",
        "poll_interval": 60,
        "auth_method": "password",
        "username": "sales",
        "password": "imap-pass",
        "smtp_host": "smtp.desk.example",
        "smtp_port": 587,
        "smtp_security": "starttls",
        "signature": "{{ agent }}",
        "closed_ticket_policy": "follow_up",
        "max_message_bytes": 1000000,
        "sender_rate_limit": 30,
    }
    response = client.post("/admin/mailboxes/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    box = Mailbox.objects.get()
    assert box.email_address == "sales@desk.example" and box.password == "imap-pass" and box.team == team
    page = client.get(f"/admin/mailboxes/{box.pk}/").content.decode()
    assert "imap-pass" not in page
    response = client.post(f"/admin/mailboxes/{box.pk}/", {**form, "password": "", "name": "Sales desk"})
    assert response.status_code == 302
    box.refresh_from_db()
    assert box.name == "Sales desk" and box.password == "imap-pass"  # empty secret keeps the stored one
    clash = client.post("/admin/mailboxes/new/", {**form, "name": "Other"})
    assert clash.status_code in (409, 422) and "Sales" in clash.content.decode()
    assert "sales@desk.example" in client.get("/admin/mailboxes/").content.decode()


def test_the_mailbox_form_shows_every_field_once_in_its_group() -> None:
    """Incoming, sign-in, outgoing, replies and limits each in a group of their own; a field added to
    the form but to no group would be missing from the page."""
    from helpline.mail.forms import SECTIONS, MailboxForm

    grouped = [name for _title, names in SECTIONS for name in names]
    assert sorted(grouped) == sorted(MailboxForm().fields) and len(grouped) == len(set(grouped))
    page = signed_in("admin").get("/admin/mailboxes/new/").content.decode()
    assert page.count('<fieldset class="form-section">') == len(SECTIONS)
    assert "Incoming mail (IMAP)" in page and "Outgoing mail (SMTP)" in page
    for name in grouped:
        assert page.count(f'name="{name}"') == 1, name


def test_non_admins_cannot_manage_mailboxes() -> None:
    client = signed_in("agent")
    assert client.get("/admin/mailboxes/").status_code == 403
    assert client.get("/admin/mailboxes/quarantine/").status_code == 403


def test_quarantine_page_download_and_retry(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpline.mail import ingest

    raw = raw_mail("stuck", subject="Stuck subject")
    monkeypatch.setattr(ingest, "parse", lambda raw, **_kw: (_ for _ in ()).throw(ValueError("cannot parse")))
    actions.receive_message(mailbox=mailbox, raw=raw)
    monkeypatch.undo()
    row = RawMessage.objects.get()
    client = signed_in("admin")
    page = client.get("/admin/mailboxes/quarantine/").content.decode()
    assert "cannot parse" in page and f"/admin/mailboxes/quarantine/{row.pk}/retry/" in page
    download = client.get(f"/admin/mailboxes/messages/{row.pk}/raw.eml")
    assert download.status_code == 200 and download.content == raw
    assert download["Content-Type"] == "message/rfc822"
    assert "stuck" in client.get(f"/admin/mailboxes/messages/{row.pk}/").content.decode()
    response = client.post(f"/admin/mailboxes/quarantine/{row.pk}/retry/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == RawStatus.PROCESSED and row.ticket is not None


def test_agents_download_the_original_of_messages_on_their_tickets(mailbox: Mailbox) -> None:
    actions.receive_message(mailbox=mailbox, raw=raw_mail("hello"))
    row = RawMessage.objects.get()
    client = signed_in("agent")
    assert client.get(f"/admin/mailboxes/messages/{row.pk}/raw.eml").status_code == 200
    assert Client().get(f"/admin/mailboxes/messages/{row.pk}/raw.eml").status_code in (302, 404)


def test_undelivered_mail_is_paged_each_list_on_its_own(mailbox: Mailbox, django_assert_max_num_queries: Any) -> None:
    """More failed acknowledgements than a page holds: the rest are one click away (newest first),
    and paging one list keeps the other's page."""
    ticket = make_ticket()
    now = timezone.now()
    raws = RawMessage.objects.bulk_create(
        RawMessage(mailbox=mailbox, message_id=f"<r{i}@c>", sha256="0" * 64, size=1, path="x", received_at=now)
        for i in range(PER_PAGE + 5)
    )
    Acknowledgement.objects.bulk_create(
        Acknowledgement(
            raw=raw,
            mailbox=mailbox,
            ticket=ticket,
            recipient=f"customer{i:02}@example.com",
            message_id=f"<ack{i}@desk.example>",
            status=OutboundStatus.FAILED,
            last_error=f"bounced: error {i}",
        )
        for i, raw in enumerate(raws)
    )
    agent = make_agent()
    AgentNotification.objects.create(
        agent=agent, ticket=ticket, kind="new_ticket", message_id="<n1@desk.example>", status=OutboundStatus.FAILED
    )
    client = signed_in("admin")
    first = client.get("/admin/mailboxes/undelivered/").content.decode()
    newest, oldest = f"customer{PER_PAGE + 4:02}@example.com", "customer00@example.com"
    assert newest in first and oldest not in first and first.count("data-undelivered") == 2
    assert "?notifications=1&amp;acknowledgements=2" in first and 'rel="next"' in first
    with django_assert_max_num_queries(12):  # one page of rows, no query per row
        second = client.get("/admin/mailboxes/undelivered/?notifications=1&acknowledgements=2").content.decode()
    assert oldest in second and newest not in second and agent.email in second  # the notification stays listed
    assert "?notifications=1&amp;acknowledgements=1" in second and 'rel="prev"' in second
    assert second.count("@example.com</td>") == 5
    assert client.get("/admin/mailboxes/undelivered/?acknowledgements=99").status_code == 200  # the last page


def test_retry_all_retries_the_quarantine_in_the_background_but_spam(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from helpline.mail import ingest

    monkeypatch.setattr(ingest, "parse", lambda raw, **_kw: (_ for _ in ()).throw(ValueError("cannot parse")))
    for n in range(3):
        actions.receive_message(mailbox=mailbox, raw=raw_mail(f"stuck {n}", message_id=f"<stuck-{n}@x>"))
    monkeypatch.undo()
    RawMessage.objects.filter(message_id="<stuck-2@x>").update(outcome="spam")  # held as spam: released one by one
    client = signed_in("admin")
    assert "/admin/mailboxes/quarantine/retry/" in client.get("/admin/mailboxes/quarantine/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/mailboxes/quarantine/retry/", follow=True)
    assert "2 messages are being retried" in response.content.decode()
    statuses = dict(RawMessage.objects.values_list("message_id", "status"))
    assert statuses == {
        "<stuck-0@x>": RawStatus.PROCESSED,
        "<stuck-1@x>": RawStatus.PROCESSED,
        "<stuck-2@x>": RawStatus.QUARANTINED,
    }
    assert signed_in("agent").post("/admin/mailboxes/quarantine/retry/").status_code == 403
