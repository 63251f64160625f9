"""IMAP over TLS against the test Dovecot with `ssl = yes` and a self-signed certificate made at
set-up: implicit TLS and STARTTLS, verified against the mailbox's CA file; XOAUTH2 over TLS."""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from helpline.mail import imap
from helpline.mail.models import AuthMethod, Mailbox, Security
from tests.mail.dovecot import OPENSSL, Dovecot
from tests.mail.mails import raw_mail
from tests.mail.servers import TokenEndpoint
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
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def tls_mailbox(server: Dovecot, **extra: object) -> Mailbox:
    box = imap_mailbox(server, **extra)
    box.imap_port, box.imap_security, box.tls_ca_file = server.tls_port, Security.SSL, str(server.cert)
    box.save()
    return box


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


def test_xoauth2_over_tls() -> None:
    with TokenEndpoint() as endpoint:
        root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
        server = Dovecot(root, introspection_url=endpoint.introspection_url, tls=True).start()
        try:
            box = tls_mailbox(
                server,
                auth_method=AuthMethod.XOAUTH2,
                oauth_token_url=endpoint.url,
                oauth_client_id="client-1",
                oauth_refresh_token="good-refresh",
                oauth_expires_at=timezone.now() - dt.timedelta(minutes=5),
            )
            deliver(server, raw_mail("oauth over TLS", message_id="<tls-3@c>"))
            assert [o.outcome for o in imap.fetch_once(box)] == ["new_ticket"]
            box.refresh_from_db()
            assert box.oauth_access_token == "fresh-token"
        finally:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)
