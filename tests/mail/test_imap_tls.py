"""IMAP over TLS against the test Dovecot with `ssl = yes` and a self-signed certificate made at
set-up: implicit TLS and STARTTLS, verified against the mailbox's CA file (XOAUTH2 over TLS: in
test_imap.py)."""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpline.mail import imap
from helpline.mail.models import Mailbox, Security
from tests.mail.dovecot import OPENSSL, Dovecot
from tests.mail.mails import raw_mail
from tests.mail.test_imap import deliver, imap_mailbox
from tests.mail.test_imap import pytestmark as imap_marks

pytestmark = [*imap_marks, pytest.mark.skipif(OPENSSL is None, reason="openssl not installed")]


@pytest.fixture
def tls_dovecot() -> Iterator[Dovecot]:
    root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
    server = Dovecot(root, tls=True).start()
    try:
        yield server
    finally:
        server.discard()


def tls_mailbox(server: Dovecot, **extra: object) -> Mailbox:
    return imap_mailbox(
        server, imap_port=server.tls_port, imap_security=Security.SSL, tls_ca_file=str(server.cert), **extra
    )


def test_implicit_tls_verified_against_the_mailbox_ca_file(tls_dovecot: Dovecot) -> None:
    box = tls_mailbox(tls_dovecot)
    deliver(tls_dovecot, raw_mail("over TLS", message_id="<tls-1@c>"))
    assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"]
    client = imap.connect(box)
    try:
        assert client.socket().version() in ("TLSv1.2", "TLSv1.3")
        assert client.socket().getpeercert()["subject"] == ((("commonName", "localhost"),),)
    finally:
        client.logout()


def test_starttls_on_the_plain_port(tls_dovecot: Dovecot) -> None:
    box = tls_mailbox(tls_dovecot)
    box.imap_port, box.imap_security = tls_dovecot.port, Security.STARTTLS
    box.save()
    deliver(tls_dovecot, raw_mail("after STARTTLS", message_id="<tls-2@c>"))
    assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"]


def test_an_untrusted_certificate_is_refused_and_recorded(tls_dovecot: Dovecot) -> None:
    box = tls_mailbox(tls_dovecot)
    box.tls_ca_file = ""  # the system's CAs do not know the self-signed certificate
    box.save()
    with pytest.raises(ssl.SSLCertVerificationError):
        imap.fetch_once(box)
    box.tls_ca_file = str(Path(tempfile.mkdtemp()) / "missing.pem")
    box.save()
    with pytest.raises(Exception, match="CA file"):
        imap.fetch_once(box)
