"""Background work of live chat: emailing a visitor the transcript of their conversation."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from helpline.chat import selectors
from helpline.chat.models import Conversation
from helpline.portal.branding import brand_name


@task(queue_name="outbound")
def send_transcript(conversation_id: int, email: str) -> int:
    conversation = Conversation.objects.select_related("ticket").filter(pk=conversation_id).first()
    if conversation is None:
        return 0
    messages = selectors.thread(conversation)
    with translation.override(conversation.language or settings.LANGUAGE_CODE):
        context = {"messages": messages, "brand_name": brand_name(), "ticket": selectors.current_ticket(conversation)}
        body = render_to_string("chat/email/transcript.txt", context)
        subject = render_to_string("chat/email/transcript_subject.txt", context).strip()
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    return len(messages)


@task(queue_name="default")
def route_chats() -> int:
    """Hand waiting chats to agents who have room (after someone came online or finished a chat)."""
    from helpline.chat.assignment import route_waiting_chats

    return route_waiting_chats()
