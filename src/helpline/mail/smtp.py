"""SMTP connections of a mailbox: implicit TLS, STARTTLS or plain; password or XOAUTH2."""

from __future__ import annotations

import smtplib

from helpline.mail import tls
from helpline.mail.models import AuthMethod, Mailbox, Security


def xoauth2_string(user: str, token: str) -> str:
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def connect(mailbox: Mailbox, timeout: float = 30) -> smtplib.SMTP:
    context = tls.context_for(mailbox)
    conn: smtplib.SMTP
    if mailbox.smtp_security == Security.SSL:
        conn = smtplib.SMTP_SSL(mailbox.smtp_host, mailbox.smtp_port, timeout=timeout, context=context)
    else:
        conn = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=timeout)
        if mailbox.smtp_security == Security.STARTTLS:
            conn.starttls(context=context)
    try:
        conn.ehlo_or_helo_if_needed()
        user = mailbox.smtp_username or mailbox.username
        if mailbox.auth_method == AuthMethod.XOAUTH2:
            from helpline.mail.oauth import sign_in

            def authenticate(token: str) -> object:
                return conn.auth(
                    "XOAUTH2", lambda challenge=None: xoauth2_string(user, token), initial_response_ok=True
                )

            sign_in(mailbox, authenticate, smtplib.SMTPAuthenticationError)
        elif user:
            conn.login(user, mailbox.smtp_password or mailbox.password)
    except BaseException:
        conn.close()
        raise
    return conn
