"""CSAT on the ticket's own channel: chat widget buttons, Telegram inline keyboard, WhatsApp list and
reply-number, SMS short link; every answer goes through `answer_csat` (one per ticket, changeable)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation

from helpline.chat import actions as chat_actions
from helpline.chat import selectors as chat_selectors
from helpline.core.actors import Actor
from helpline.messaging.models import InboundPayload, PayloadStatus
from helpline.surveys import channels
from helpline.surveys.models import CsatSurvey
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Status, Ticket
from tests.factories import make_agent
from tests.messaging.fake_providers import (
    MESSENGER_TOKEN,
    TELEGRAM_TOKEN,
    TWILIO_SID,
    TWILIO_TOKEN,
    WHATSAPP_PHONE_ID,
    WHATSAPP_TOKEN,
    FakeProviders,
)
from tests.messaging.helpers import APP_SECRET, make_account, post_meta, post_twilio
from tests.messaging.test_messenger import PSID
from tests.messaging.test_messenger import event as fb_event
from tests.messaging.test_messenger import page as fb_page
from tests.messaging.test_sms import inbound as sms_inbound
from tests.messaging.test_telegram import SECRET as TG_SECRET
from tests.messaging.test_telegram import post as post_telegram
from tests.messaging.test_telegram import update as tg_update
from tests.messaging.test_whatsapp import WA_ID, notification
from tests.messaging.test_whatsapp import text as wa_text

pytestmark = pytest.mark.django_db


def _solve(ticket: Ticket, commits: Any) -> Message:
    """The agent solves the ticket; the survey invitation is the reply that follows."""
    with commits():
        ticket_actions.add_reply(
            actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Done.", new_status=Status.SOLVED
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    return Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by("-id").first()  # type: ignore[return-value]


def test_chat_widget_gets_buttons_and_answers_through_the_survey_action(commits: Any) -> None:
    with commits():
        message, conversation = chat_actions.post_visitor_message(visitor_id="v-1", client_id="c1", body="Hi")
    ticket = message.ticket
    invitation = _solve(ticket, commits)
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert invitation.meta["survey"] == survey.public_id
    shown = chat_selectors.serialize_message(invitation, conversation)
    assert [c["value"] for c in shown["choices"]] == [5, 4, 3, 2, 1]
    path = "/" + shown["answer_url"].split("://", 1)[1].split("/", 1)[1]
    first = Client().post(path, {"rating": "4"})
    assert first.status_code == 200 and first.json() == {"ok": True, "value": 4}
    assert first["Access-Control-Allow-Origin"] == "*"
    assert Client().post(path, {"rating": "2"}).json()["value"] == 2  # changed within the window
    refused = Client().post(path, {"rating": "9"})
    assert refused.status_code == 422 and refused.json()["code"] == "rating_out_of_scale"
    forged = Client().post(path.replace("/rate/", "x/rate/"), {"rating": "5"})
    assert forged.status_code == 400 and forged.json()["code"] == "link_invalid"
    survey.refresh_from_db()
    assert survey.rating == 2 and survey.channel == "chat"
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED  # an answer is not a new customer message


def test_telegram_inline_keyboard_and_button_press(providers: FakeProviders, commits: Any) -> None:
    account = make_account("telegram", providers.url, bot_token=TELEGRAM_TOKEN, webhook_secret=TG_SECRET)
    assert post_telegram(account, tg_update(1, 1, text="გამარჯობა")).status_code == 200
    ticket = Ticket.objects.get()
    invitation = _solve(ticket, commits)
    assert invitation.delivery_status == DeliveryStatus.SENT
    sent = providers.sent("/sendMessage")[-1].json
    keyboard = sent["reply_markup"]["inline_keyboard"]
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert [b["callback_data"] for b in keyboard[0]] == [f"csat:{survey.public_id}:{n}" for n in (5, 4, 3, 2, 1)]
    assert f"#{ticket.number}" in sent["text"]
    press = {
        "update_id": 2,
        "callback_query": {
            "id": "cbq-77",
            "from": {"id": 4242, "is_bot": False, "first_name": "Giorgi", "language_code": "ka"},
            "message": {"message_id": 9, "chat": {"id": 4242, "type": "private"}, "date": 1700000001},
            "chat_instance": "x",
            "data": keyboard[0][0]["callback_data"],
        },
    }
    messages_before = ticket.messages.count()
    assert post_telegram(account, press).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 5
    assert ticket.messages.count() == messages_before
    acknowledged = providers.sent("/answerCallbackQuery")[0].json
    assert acknowledged["callback_query_id"] == "cbq-77" and "5" in acknowledged["text"]
    # someone else's chat pressing a forwarded button answers nothing
    press["update_id"] = 3
    press["callback_query"]["id"] = "cbq-78"
    press["callback_query"]["message"]["chat"]["id"] = 999
    press["callback_query"]["from"]["id"] = 999
    press["callback_query"]["data"] = keyboard[0][4]["callback_data"]
    assert post_telegram(account, press).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 5
    assert InboundPayload.objects.filter(status=PayloadStatus.PROCESSED).count() == 3


def test_whatsapp_interactive_list_reply_and_reply_number(providers: FakeProviders, commits: Any) -> None:
    account = make_account(
        "whatsapp",
        providers.url,
        access_token=WHATSAPP_TOKEN,
        phone_number_id=WHATSAPP_PHONE_ID,
        app_secret=APP_SECRET,
        verify_token="v",
    )
    assert post_meta(account, notification(messages=[wa_text("wamid.in1", "Hello")])).status_code == 200
    ticket = Ticket.objects.get()
    _solve(ticket, commits)
    survey = CsatSurvey.objects.get(ticket=ticket)
    body = providers.sent("/messages")[-1].json
    assert body["type"] == "interactive" and body["interactive"]["type"] == "list"
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"csat:{survey.public_id}:{n}" for n in (5, 4, 3, 2, 1)]
    assert all(len(r["title"]) <= 24 for r in rows) and len(body["interactive"]["action"]["button"]) <= 20
    picked = {
        "from": WA_ID,
        "id": "wamid.in2",
        "timestamp": "1700000100",
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": rows[1]["id"], "title": rows[1]["title"]}},
    }
    assert post_meta(account, notification(messages=[picked])).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 4
    assert post_meta(account, notification(messages=[wa_text("wamid.in3", " 3 ")])).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 3  # reply-number changes it
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and ticket.messages.filter(kind=MessageKind.INBOUND).count() == 1
    # a real message still reopens the ticket
    assert post_meta(account, notification(messages=[wa_text("wamid.in4", "3 more things broke")])).status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_messenger_quick_replies_postback_and_reply_number(providers: FakeProviders, commits: Any) -> None:
    account = make_account(
        "messenger", providers.url, page_access_token=MESSENGER_TOKEN, app_secret=APP_SECRET, verify_token="v"
    )
    assert post_meta(account, fb_page(fb_event(message={"mid": "m_in1", "text": "Hello"}))).status_code == 200
    ticket = Ticket.objects.get()
    invitation = _solve(ticket, commits)
    assert invitation.delivery_status == DeliveryStatus.SENT  # the fake Send API accepted the quick replies
    survey = CsatSurvey.objects.get(ticket=ticket)
    body = providers.sent("/me/messages")[-1].json
    assert body["recipient"] == {"id": PSID} and f"#{ticket.number}" in body["message"]["text"]
    quick = body["message"]["quick_replies"]
    assert [q["payload"] for q in quick] == [f"csat:{survey.public_id}:{n}" for n in (5, 4, 3, 2, 1)]
    assert all(q["content_type"] == "text" and 0 < len(q["title"]) <= 20 for q in quick)
    # a tapped quick reply comes back as a message carrying its payload
    tapped = {"mid": "m_in2", "text": quick[1]["title"], "quick_reply": {"payload": quick[1]["payload"]}}
    assert post_meta(account, fb_page(fb_event(message=tapped))).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 4
    # a postback button (e.g. from a saved template) answers through the same action
    postback = {"title": "2 ★", "payload": f"csat:{survey.public_id}:2", "mid": "m_in3"}
    assert post_meta(account, fb_page(fb_event(postback=postback))).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 2
    assert post_meta(account, fb_page(fb_event(message={"mid": "m_in4", "text": "3"}))).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 3
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED and ticket.messages.filter(kind=MessageKind.INBOUND).count() == 1
    # another person's tap of a forwarded button answers nothing and is not their survey
    stranger = {"sender": {"id": "999"}, "recipient": {"id": "PAGE1"}, "timestamp": 1700000000000}
    other = {**stranger, "message": {"mid": "m_x", "text": "5 ★", "quick_reply": {"payload": quick[0]["payload"]}}}
    assert post_meta(account, fb_page(other)).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 3


def test_sms_short_signed_link_and_reply_number(providers: FakeProviders, commits: Any) -> None:
    account = make_account(
        "sms", providers.url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006"
    )
    assert post_twilio(account, sms_inbound("SM1", "Meter broken"), token=TWILIO_TOKEN).status_code == 200
    ticket = Ticket.objects.get()
    _solve(ticket, commits)
    survey = CsatSurvey.objects.get(ticket=ticket)
    text = providers.sent("Messages.json")[-1].form["Body"]
    [link] = re.findall(r"https?://\S+", text)
    assert len(link) < 70 and "rating" not in link
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = Client().get(path + "?rating=2")
    assert page.status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 2
    assert post_twilio(account, sms_inbound("SM2", "5"), token=TWILIO_TOKEN).status_code == 200
    survey.refresh_from_db()
    assert survey.rating == 5
    code = path.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(path.replace(code, code[:-1] + ("0" if code[-1] != "0" else "1"))).status_code == 400
    with override_settings(SURVEY_LINK_MAX_AGE=60):
        CsatSurvey.objects.filter(pk=survey.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=5))
        assert Client().get(path).status_code == 410


def test_answers_close_after_the_change_window(providers: FakeProviders, commits: Any, settings: Any) -> None:
    settings.SURVEY_CHANGE_WINDOW = 60
    account = make_account(
        "sms", providers.url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006"
    )
    post_twilio(account, sms_inbound("SM1", "Meter broken"), token=TWILIO_TOKEN)
    ticket = Ticket.objects.get()
    _solve(ticket, commits)
    assert post_twilio(account, sms_inbound("SM2", "4"), token=TWILIO_TOKEN).status_code == 200
    CsatSurvey.objects.filter(ticket=ticket).update(first_answered_at=timezone.now() - dt.timedelta(minutes=5))
    assert post_twilio(account, sms_inbound("SM3", "1"), token=TWILIO_TOKEN).status_code == 200
    assert CsatSurvey.objects.get(ticket=ticket).rating == 4
    assert ticket.messages.filter(body_text="1").exists()  # no longer an answer: an ordinary message


@pytest.mark.parametrize("language", ["ka", "am", "mn", "te"])
def test_the_invitation_is_in_the_customers_language(language: str, commits: Any) -> None:
    with commits():
        message, _conversation = chat_actions.post_visitor_message(visitor_id=f"v-{language}", client_id="c", body="Hi")
    ticket = message.ticket
    ticket.requester.language = language
    ticket.requester.save(update_fields=["language"])
    invitation = _solve(ticket, commits)
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey.language == language
    with translation.override("en"):
        english = channels.invitation_text(survey)
    assert invitation.body_text != english and f"#{ticket.number}" in invitation.body_text


def test_the_invitation_is_not_an_agent_reply_in_the_reports(commits: Any) -> None:
    from helpline.reports import kpis
    from helpline.reports.filters import ReportFilter

    with commits():
        message, _conversation = chat_actions.post_visitor_message(visitor_id="v-fcr", client_id="c", body="Hi")
    ticket = message.ticket
    _solve(ticket, commits)
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 2  # the agent's and the invitation
    now = timezone.now()
    week = ReportFilter(start=now - dt.timedelta(days=1), end=now + dt.timedelta(minutes=1))
    fcr = kpis.first_contact_resolution(week)
    assert (fcr.part, fcr.whole) == (1, 1)
    assert kpis.response_time(week).count == 1


def test_a_ticket_solved_without_a_reply_gets_its_survey_by_email(commits: Any) -> None:
    from django.core import mail

    with commits():
        chat_actions.identify_visitor(visitor_id="v-mail", email="v@example.ge")
        first, _c = chat_actions.post_visitor_message(visitor_id="v-mail", client_id="c", body="Hi")
    ticket = first.ticket
    mail.outbox.clear()
    with commits():
        ticket_actions.update_ticket(actor=Actor.of_agent(make_agent()), ticket=ticket, status=Status.SOLVED)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 0
    assert [m for m in mail.outbox if "/survey/" in m.body]
