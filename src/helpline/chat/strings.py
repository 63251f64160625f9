"""The widget's texts in the visitor's language (served with its configuration)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def widget_language(requested: str) -> str:
    known = dict(settings.LANGUAGES)
    for candidate in (requested or "").replace(";", ",").split(","):
        code = candidate.strip().split("-")[0].lower()
        if code in known:
            return code
    return "en"


def widget_strings(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "open": _("Chat with us"),
            "close": _("Close"),
            "title": _("Support chat"),
            "greeting": _("Hi! How can we help you today?"),
            "placeholder": _("Type your message…"),
            "send": _("Send"),
            "attach": _("Attach a file"),
            "sending": _("Sending…"),
            "seen": _("Seen"),
            "typing": _("An agent is typing…"),
            "queue": _("You are number %s in the queue. An agent will be with you shortly."),
            "leave_message": _("Leave a message or ask for a callback instead"),
            "reconnecting": _("Connection lost. Reconnecting…"),
            "prechat": _("Tell us who you are to start the chat."),
            "start": _("Start chat"),
            "name": _("Your name"),
            "email": _("Email"),
            "phone": _("Phone number"),
            "message": _("Message"),
            "offline_title": _("We are away right now"),
            "offline_intro": _("Leave a message and we will answer by email, or ask us to call you back."),
            "callback": _("Call me back instead"),
            "submit": _("Send message"),
            "thanks": _("Thank you! We have your request #%s and will get back to you."),
            "transcript": _("Email me this conversation"),
            "transcript_sent": _("The conversation is on its way to your inbox."),
            "failed": _("Not sent. Tap to retry."),
            "suggested": _("These articles may answer your question:"),
        }
