"""The public feedback and complaint form (/portal/feedback/)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from helpline.tickets.models import Ticket, TicketType

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "complaint",
        "name": "Bat-Erdene",
        "email": "bat@example.mn",
        "subject": "",
        "message": "Хүргэлт гурван өдөр хоцорсон.",
        "website": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("language", ["en", "ka", "am", "mn", "te"])
def test_the_form_speaks_the_visitors_language_and_has_a_honeypot(client: Any, language: str) -> None:
    response = client.get("/portal/feedback/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert 'name="website"' in html and 'class="hp-field" aria-hidden="true"' in html
    assert 'value="feedback"' in html and 'value="complaint"' in html
    if language != "en":
        english = client.get("/portal/feedback/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert html.split("<h1>", 1)[1].split("</h1>", 1)[0] != english.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_a_complaint_becomes_a_complaint_ticket_and_is_confirmed(client: Any, commits: Any) -> None:
    with commits():
        response = client.post("/portal/feedback/", form_data(), HTTP_ACCEPT_LANGUAGE="mn")
    assert response.status_code == 302 and "/portal/new/received/" in response["Location"]
    ticket = Ticket.objects.get()
    assert ticket.ticket_type == TicketType.COMPLAINT and ticket.channel == "web"
    assert list(ticket.tags.values_list("name", flat=True)) == ["complaint"]
    assert ticket.subject == "Хүргэлт гурван өдөр хоцорсон."
    assert ticket.requester.email == "bat@example.mn" and ticket.requester.language == "mn"
    assert [m.to for m in mail.outbox] == [["bat@example.mn"]]
    assert f"#{ticket.number}" in client.get(response["Location"]).content.decode()


def test_feedback_is_tagged_feedback(client: Any, commits: Any) -> None:
    with commits():
        client.post("/portal/feedback/", form_data(kind="feedback", subject="Great service"))
    ticket = Ticket.objects.get()
    assert ticket.ticket_type == TicketType.FEEDBACK and list(ticket.tags.values_list("name", flat=True)) == ["feedback"]
    assert ticket.subject == "Great service"


def test_bots_and_bad_input_open_nothing(client: Any) -> None:
    assert client.post("/portal/feedback/", form_data(website="http://spam.example")).status_code == 302
    assert client.post("/portal/feedback/", form_data(kind="praise")).status_code == 422
    assert client.post("/portal/feedback/", form_data(email="not-an-address")).status_code == 422
    assert client.post("/portal/feedback/", form_data(message="")).status_code == 422
    assert not Ticket.objects.exists()


def test_rate_limited_per_address(client: Any, settings: Any) -> None:
    settings.PORTAL_RATE_LIMIT = (2, 600)
    for n in range(2):
        assert (
            client.post("/portal/feedback/", form_data(email=f"u{n}@example.ge"), REMOTE_ADDR="10.1.1.1").status_code
            == 302
        )
    refused = client.post("/portal/feedback/", form_data(email="u9@example.ge"), REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429 and Ticket.objects.count() == 2
