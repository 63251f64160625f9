"""Connecting a mailbox by signing in at its provider (OAuth2 authorization code with PKCE): the
admin is sent to the provider, comes back with a code, the code is traded for tokens at the token
endpoint (a local server speaking RFC 6749), and the mailbox then sends with XOAUTH2."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from helpline.accounts.models import AuditLogEntry
from helpline.core.actors import Actor
from helpline.mail import actions
from helpline.mail.models import AuthMethod, Mailbox, Security
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import DeliveryStatus, Ticket
from tests.factories import PASSWORD, make_agent, make_team
from tests.mail.mails import raw_mail
from tests.mail.servers import SmtpSink, TokenEndpoint

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),  # loopback test server only
]
AUTHORIZE = "https://login.provider.example/tenant-1/oauth2/v2.0/authorize?prompt=select_account"


def signed_in(role: str = "admin") -> Client:
    client = Client()
    assert client.login(username=make_agent(role).username, password=PASSWORD)
    return client


def start(client: Client, box: Mailbox) -> dict[str, list[str]]:
    response = client.post(f"/admin/mailboxes/{box.pk}/oauth/")
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == AUTHORIZE.split("?")[0]
    return parse_qs(location.query)


def test_an_admin_connects_a_mailbox_and_it_sends_with_the_tokens() -> None:
    with TokenEndpoint() as endpoint, SmtpSink(auth=True) as sink:
        box = Mailbox.objects.create(
            name="Support",
            email_address="support@desk.example",
            team=make_team("Support"),
            username="support@desk.example",
            oauth_authorize_url=AUTHORIZE,
            oauth_token_url=endpoint.url,
            oauth_client_id="client-1",
            oauth_client_secret="s3cret",
            oauth_scope="https://outlook.office.com/SMTP.Send offline_access",
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_security=Security.PLAIN,
            send_acknowledgement=False,
        )
        admin = signed_in()
        page = admin.get(f"/admin/mailboxes/{box.pk}/").content.decode()
        assert "/admin/mailboxes/oauth/callback/</code>" in page and "Sign in with the provider" in page

        query = start(admin, box)
        assert query["response_type"] == ["code"] and query["client_id"] == ["client-1"]
        assert query["prompt"] == ["select_account"]  # the endpoint's own parameters are kept
        assert query["scope"] == ["https://outlook.office.com/SMTP.Send offline_access"]
        assert query["login_hint"] == ["support@desk.example"] and query["code_challenge_method"] == ["S256"]
        redirect_uri = query["redirect_uri"][0]
        assert redirect_uri.endswith("/admin/mailboxes/oauth/callback/")

        # the provider sends the admin back with a code
        back = admin.get("/admin/mailboxes/oauth/callback/", {"state": query["state"][0], "code": "good-code"})
        assert back.status_code == 302 and back["Location"] == f"/admin/mailboxes/{box.pk}/"
        (exchange,) = endpoint.requests
        assert exchange["grant_type"] == ["authorization_code"] and exchange["redirect_uri"] == [redirect_uri]
        assert exchange["client_secret"] == ["s3cret"]
        verifier = exchange["code_verifier"][0]
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        assert query["code_challenge"] == [challenge]  # PKCE: only this session could trade the code
        box.refresh_from_db()
        assert box.auth_method == AuthMethod.XOAUTH2
        assert (box.oauth_refresh_token, box.oauth_access_token) == ("consented", "fresh-token")
        assert AuditLogEntry.objects.filter(target_type="mailbox", target_id=str(box.pk)).exists()

        # a replayed callback is refused: the state was used up
        replay = admin.get("/admin/mailboxes/oauth/callback/", {"state": query["state"][0], "code": "good-code"})
        assert replay.status_code == 302 and len(endpoint.requests) == 1

        # replies now go out signed in with the access token
        number = actions.receive_message(mailbox=box, raw=raw_mail("Hello", message_id="<oc-1@c>")).ticket
        ticket = Ticket.objects.get(number=number)
        reply = ticket_actions.add_reply(actor=Actor.of_agent(make_agent()), ticket=ticket, body_text="Hi there")
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.SENT
        assert sink.handler.auth_seen == ["user=support@desk.example\x01auth=Bearer fresh-token\x01\x01"]


def test_refusals_leave_the_mailbox_unchanged() -> None:
    with TokenEndpoint() as endpoint:
        box = Mailbox.objects.create(
            name="Support",
            email_address="support@desk.example",
            oauth_authorize_url=AUTHORIZE,
            oauth_token_url=endpoint.url,
            oauth_client_id="client-1",
        )
        admin = signed_in()
        # a callback nobody started here (someone else's code slipped in)
        stray = admin.get("/admin/mailboxes/oauth/callback/", {"state": "forged", "code": "good-code"}, follow=True)
        assert "not started here" in stray.content.decode()
        # the admin declined at the provider
        query = start(admin, box)
        denied = admin.get(
            "/admin/mailboxes/oauth/callback/",
            {"state": query["state"][0], "error": "access_denied", "error_description": "The user declined."},
            follow=True,
        )
        assert "The user declined." in denied.content.decode()
        # a code the token endpoint does not accept
        query = start(admin, box)
        bad = admin.get("/admin/mailboxes/oauth/callback/", {"state": query["state"][0], "code": "bad"}, follow=True)
        assert "bad authorization code" in bad.content.decode()
        box.refresh_from_db()
        assert box.auth_method == AuthMethod.PASSWORD and box.oauth_refresh_token == ""

        # not configured: no authorization endpoint
        Mailbox.objects.filter(pk=box.pk).update(oauth_authorize_url="")
        response = admin.post(f"/admin/mailboxes/{box.pk}/oauth/", follow=True)
        assert "authorization endpoint" in response.content.decode()

        agent = signed_in("agent")
        assert agent.post(f"/admin/mailboxes/{box.pk}/oauth/").status_code == 403
        assert agent.get("/admin/mailboxes/oauth/callback/", {"state": "x", "code": "good-code"}).status_code == 403
