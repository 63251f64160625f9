"""One adapter per provider; `adapter_for(provider)` picks it."""

from __future__ import annotations

from helpline.messaging.adapters.base import Adapter


def adapter_for(provider: str) -> Adapter:
    from helpline.messaging.adapters import messenger, sms, telegram, whatsapp

    adapters: dict[str, Adapter] = {
        "telegram": telegram.TelegramAdapter(),
        "whatsapp": whatsapp.WhatsAppAdapter(),
        "sms": sms.TwilioSmsAdapter(),
        "messenger": messenger.MessengerAdapter(),
    }
    return adapters[provider]
