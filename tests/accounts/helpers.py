"""Helpers for the account tests: signed-in clients and TOTP codes."""

from __future__ import annotations

import time

import pyotp
from django.test import Client

from helpline.accounts.models import User


def signed_in(user: User, **defaults: str) -> Client:
    client = Client(**defaults)
    client.force_login(user)
    return client


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str) -> str:
    """A six-digit code no nearby time step accepts (verification allows one step either side)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    accepted = {totp.at(now + offset) for offset in (-60, -30, 0, 30, 60)}
    candidate = 0
    while f"{candidate:06d}" in accepted:
        candidate += 1
    return f"{candidate:06d}"
