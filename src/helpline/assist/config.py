"""Reads of the answer bot's settings (the one BotSettings row, or the defaults)."""

from __future__ import annotations

import os

from django.conf import settings

from helpline.assist.models import BotSettings
from helpline.core import batching


def bot_settings() -> BotSettings:
    """The saved settings, else the defaults: off on every channel, except the email first reply
    when HELPLINE_BOT_EMAIL_AUTOREPLY is set."""
    row = batching.memo("assist.bot_settings", lambda: BotSettings.objects.order_by("pk").first())
    if row is not None:
        return row
    return BotSettings(
        channels=["email"] if getattr(settings, "HELPLINE_BOT_EMAIL_AUTOREPLY", False) else [],
        min_confidence=float(getattr(settings, "HELPLINE_BOT_MIN_CONFIDENCE", 0.68)),
    )


def answers_on(config: BotSettings, channel: str) -> bool:
    return channel in (config.channels or [])


def greeting(config: BotSettings, language: str) -> str:
    greetings = config.greetings or {}
    return str(greetings.get(language) or "").strip()


def llm_api_key(config: BotSettings) -> str:
    """The generative endpoint's key: the stored (encrypted) one, else the named environment variable."""
    if config.llm_key:
        return str(config.llm_key)
    return os.environ.get(config.llm_key_env, "") if config.llm_key_env else ""


def generative_ready(config: BotSettings) -> bool:
    return bool(config.generative and config.llm_url and config.llm_model)
