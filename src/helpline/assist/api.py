"""REST endpoint of the answer bot, for the chat widget and messaging adapters. Visitors need no
credentials: a conversation is addressed by its unguessable public id."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from helpline.assist import bot
from helpline.assist.models import BotConversation
from helpline.core.api_errors import COMMON_ERRORS, ErrorOut
from helpline.core.errors import NotFoundError
from helpline.knowledge.api import PUBLIC_AUTH

router = Router(tags=["answer bot"])


class BotMessageIn(Schema):
    conversation: str = Field("", max_length=40, description="The id from a previous reply; empty to start")
    text: str = Field(..., max_length=20000, description="The customer's message")
    email: str = Field("", max_length=254, description="Where a person can answer, if the bot hands off")
    name: str = Field("", max_length=200)
    channel: str = Field("chat", max_length=20)


class BotArticleOut(Schema):
    key: str
    title: str
    url: str
    snippet: str
    language: str


class BotReplyOut(Schema):
    conversation: str
    kind: str = Field(
        description=(
            "answered, resolved, retry, prompt (no words to search for, or a greeting or thanks), need_contact,"
            " handed_off or forwarded"
        )
    )
    text: str
    language: str
    status: str
    confidence: float
    article: BotArticleOut | None = None
    ticket: str = Field("", description="The ticket reference after a hand-off")
    reason: str = Field("", description="Why the bot handed off")


@router.post(
    "/bot/messages",
    response={200: BotReplyOut, **COMMON_ERRORS, 404: ErrorOut},
    auth=PUBLIC_AUTH,
    summary="Send a message to the answer bot",
)
def bot_message(request: HttpRequest, payload: BotMessageIn) -> dict[str, Any]:
    if payload.conversation:
        conversation = (
            BotConversation.objects.select_related("ticket", "customer").filter(public_id=payload.conversation).first()
        )
        if conversation is None:
            raise NotFoundError(_("No such conversation."))
    else:
        conversation = bot.start_conversation(channel=payload.channel)
    reply = bot.converse(conversation=conversation, text=payload.text, email=payload.email, name=payload.name)
    return {
        "conversation": reply.conversation.public_id,
        "kind": reply.kind,
        "text": reply.text,
        "language": reply.conversation.language,
        "status": reply.conversation.status,
        "confidence": reply.confidence,
        "article": reply.article,
        "ticket": reply.ticket_reference,
        "reason": reply.reason,
    }
