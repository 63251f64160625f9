"""The ticket page offers, on every email message: the folded history, the original message,
the .eml download and (when the mail had any) its remote images, loaded only on request."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.mail import actions
from helpline.mail.models import Mailbox
from helpline.tickets.models import Ticket
from tests.factories import PASSWORD, make_agent
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db

HTML_WITH_IMAGE = (
    '<p>See the photo: <img src="https://tracker.example/pixel.png" alt="broken printer"></p><p>Thanks, Ann</p>'
)
TEXT_WITH_QUOTE = "My printer is still broken.\n\nOn Mon, 1 Dec 2026, Support wrote:\n> Did you restart it?\n> Regards"


def agent_client() -> Client:
    agent = make_agent(username="lena")
    client = Client()
    assert client.login(username=agent.username, password=PASSWORD)
    return client


def test_email_message_shows_original_download_and_remote_image_links(mailbox: Mailbox) -> None:
    outcome = actions.receive_message(
        mailbox=mailbox, raw=raw_mail(HTML_WITH_IMAGE, content_type="text/html", subject="Photo")
    )
    actions.receive_message(mailbox=mailbox, raw=raw_mail(TEXT_WITH_QUOTE, subject=f"Re: [#{outcome.ticket}] Photo"))
    ticket = Ticket.objects.get(number=outcome.ticket)
    first, second = ticket.messages.order_by("id")
    client = agent_client()
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    raw_first, raw_second = first.meta["email"]["raw"], second.meta["email"]["raw"]
    # the remote image is blocked in the thread, with a link to load it
    assert 'src="https://tracker.example/pixel.png"' not in page
    assert f'href="/admin/mailboxes/messages/{raw_first}/images/"' in page and "Allow the remote image" in page
    # quoted history is folded away, one click to show it
    assert "Show original" in page and "Did you restart it?" in page.split("Show original", 1)[1]
    for raw_id in (raw_first, raw_second):
        assert f'href="/admin/mailboxes/messages/{raw_id}/"' in page
        assert f'href="/admin/mailboxes/messages/{raw_id}/raw.eml"' in page
    assert page.count("/images/") == 1  # only the message that had remote images

    original = client.get(f"/admin/mailboxes/messages/{raw_second}/")
    assert original.status_code == 200 and "Did you restart it?" in original.content.decode()
    download = client.get(f"/admin/mailboxes/messages/{raw_second}/raw.eml")
    assert download["Content-Type"] == "message/rfc822" and b"> Did you restart it?" in download.content
    images = client.get(f"/admin/mailboxes/messages/{raw_first}/images/")
    assert images.status_code == 200 and 'src="https://tracker.example/pixel.png"' in images.content.decode()
    assert images["Referrer-Policy"] == "no-referrer"


def test_the_links_need_an_agent_who_may_see_the_ticket(mailbox: Mailbox) -> None:
    outcome = actions.receive_message(mailbox=mailbox, raw=raw_mail(HTML_WITH_IMAGE, content_type="text/html"))
    raw_id = Ticket.objects.get(number=outcome.ticket).messages.get().meta["email"]["raw"]
    anonymous = Client()
    for path in ("", "raw.eml", "images/"):
        assert anonymous.get(f"/admin/mailboxes/messages/{raw_id}/{path}").status_code in (302, 404)


def test_inline_cid_image_is_shown_in_the_thread(mailbox: Mailbox) -> None:
    import base64
    import re

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    raw = (
        b"From: Ann <ann@example.com>\r\nTo: support@desk.example\r\nSubject: screenshot\r\n"
        b"Message-ID: <cid-page-1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="R"\r\n\r\n'
        b'--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The error: <img src="cid:err@x" alt="error"></p>\r\n'
        b"--R\r\nContent-Type: image/png\r\nContent-ID: <err@x>\r\nContent-Disposition: inline; filename=err.png\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(png) + b"--R--\r\n"
    )
    ticket = Ticket.objects.get(number=actions.receive_message(mailbox=mailbox, raw=raw).ticket)
    attachment = ticket.messages.get().attachments.get()
    client = agent_client()
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    (src,) = re.findall(r'<img [^>]*src="([^"]+)"', page.split('id="panel-conversation"')[1].split("</section>")[0])
    assert src.startswith(f"/attachments/{attachment.public_id}/") and "cid:" not in page
    image = client.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png
