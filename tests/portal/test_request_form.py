from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from helpline.customers.models import Customer, CustomerIdentity
from helpline.tickets.models import Attachment, Message, MessageKind, Status, Ticket, TicketEvent
from tests.factories import make_customer
from tests.portal.conftest import EXE, PNG, link_path, stored_files

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Nino Beridze",
        "email": "Nino@Example.ge",
        "subject": "პრინტერი არ მუშაობს",
        "message": "The printer on floor 2 prints only blank pages.",
        "website": "",
    }
    data.update(overrides)
    return data


def test_form_page_renders_with_language_switcher_and_honeypot(client):
    response = client.get("/portal/new/", HTTP_ACCEPT_LANGUAGE="ka")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ka"' in html
    assert 'action="/accounts/language/"' in html and 'value="te"' in html and "ქართული" in html
    assert 'name="website"' in html and 'class="hp-field" aria-hidden="true"' in html
    assert 'enctype="multipart/form-data"' in html and "multiple" in html
    assert response["X-Frame-Options"] == "DENY"


def test_happy_path_opens_ticket_and_emails_number_with_working_link(client, commits, media):
    photo = SimpleUploadedFile("printer.png", PNG, content_type="image/png")
    with commits():
        response = client.post(
            "/portal/new/", {**form_data(), "attachments": [photo]}, HTTP_ACCEPT_LANGUAGE="ka", REMOTE_ADDR="10.0.0.7"
        )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    customer = ticket.requester
    assert customer.name == "Nino Beridze" and customer.email == "nino@example.ge"
    assert customer.language == "ka"
    assert ticket.channel == "web" and ticket.status == Status.NEW and ticket.subject == "პრინტერი არ მუშაობს"
    message = ticket.messages.get()
    assert message.kind == MessageKind.INBOUND and message.author_customer == customer
    assert "blank pages" in message.body_text
    assert [a.filename for a in message.attachments.all()] == ["printer.png"]
    assert message.attachments.get().content_type == "image/png"
    created = TicketEvent.objects.get(ticket=ticket, kind="created")
    assert created.actor_customer == customer and created.actor_agent is None

    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert f"#{ticket.number}" in confirmation.content.decode()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["nino@example.ge"]
    assert f"#{ticket.number}" in email.subject and f"#{ticket.number}" in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"

    follow = client.get(link_path(email.body))
    assert follow.status_code == 302 and follow["Location"] == f"/portal/t/{ticket.public_id}/"
    page = client.get(follow["Location"])
    assert page.status_code == 200
    assert "blank pages" in page.content.decode()


def test_existing_customer_is_found_by_email_not_duplicated(client, commits):
    known = make_customer(email="known@example.com", name="Known Person")
    with commits():
        response = client.post("/portal/new/", form_data(email="KNOWN@example.com", name="Someone else"))
    assert response.status_code == 302
    assert Customer.objects.count() == 1
    assert Ticket.objects.get().requester == known


def test_invalid_input_keeps_what_was_typed(client):
    response = client.post("/portal/new/", form_data(email="not-an-email", subject=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Nino Beridze"' in html
    assert 'value="not-an-email"' in html
    assert "The printer on floor 2 prints only blank pages." in html
    assert html.count('class="field-error"') == 2
    assert not Ticket.objects.exists() and not Customer.objects.exists()
    assert mail.outbox == []


def test_oversize_attachment_is_refused_and_nothing_is_written(client, settings, media):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    response = client.post("/portal/new/", {**form_data(), "attachments": [big]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "scan.pdf is too large" in html
    assert "The printer on floor 2 prints only blank pages." in html and 'value="Nino Beridze"' in html
    assert "please choose them again" in html
    assert not Ticket.objects.exists() and not Customer.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("filename", ["setup.exe", "invoice.pdf"])
def test_executable_is_refused_whatever_its_name_and_nothing_is_written(client, commits, media, filename):
    good = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile(filename, EXE, content_type="application/pdf")
    with commits():
        response = client.post("/portal/new/", {**form_data(), "attachments": [good, bad]})
    assert response.status_code == 422
    html = response.content.decode()
    assert f"{filename} is not an allowed file type" in html
    assert 'value="nino@example.ge"' in html.lower()
    assert not Ticket.objects.exists() and not Customer.objects.exists()
    assert not CustomerIdentity.objects.exists() and not Message.objects.exists()
    assert stored_files(media) == []
    assert mail.outbox == []


def test_honeypot_pretends_success_but_writes_nothing(client, commits):
    with commits():
        response = client.post("/portal/new/", form_data(website="http://spam.example"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'data-ticket-number=""' in page.content.decode()
    assert not Ticket.objects.exists() and not Customer.objects.exists()
    assert mail.outbox == []


def test_rate_limit_per_address(client, commits, settings):
    settings.PORTAL_RATE_LIMIT = (2, 600)
    with commits():
        for n in range(2):
            assert (
                client.post("/portal/new/", form_data(email=f"p{n}@example.com"), REMOTE_ADDR="10.1.1.1").status_code
                == 302
            )
        refused = client.post("/portal/new/", form_data(email="p9@example.com"), REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many requests" in html and "10 minutes" in html
    assert 'value="p9@example.com"' in html and "blank pages" in html
    assert Ticket.objects.count() == 2
    # Another address is not affected.
    with commits():
        assert client.post("/portal/new/", form_data(email="q@example.com"), REMOTE_ADDR="10.2.2.2").status_code == 302


def test_rate_limit_per_email_across_addresses(client, commits, settings):
    settings.PORTAL_RATE_LIMIT = (2, 600)
    with commits():
        for n in range(2):
            ok = client.post("/portal/new/", form_data(email="same@example.com"), REMOTE_ADDR=f"10.3.3.{n}")
            assert ok.status_code == 302
        refused = client.post("/portal/new/", form_data(email="Same@Example.com"), REMOTE_ADDR="10.3.3.9")
    assert refused.status_code == 429
    assert Ticket.objects.count() == 2


def test_form_follows_the_browser_language_and_the_switcher(client):
    page = client.get("/portal/new/", HTTP_ACCEPT_LANGUAGE="te,en;q=0.5")
    assert '<html lang="te"' in page.content.decode()
    switched = client.post("/accounts/language/", {"language": "am", "next": "/portal/new/"})
    assert switched.status_code == 302 and switched["Location"] == "/portal/new/"
    page = client.get("/portal/new/", HTTP_ACCEPT_LANGUAGE="te")
    assert '<html lang="am"' in page.content.decode()
