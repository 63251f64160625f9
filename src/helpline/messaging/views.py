"""Provider webhooks (`/messaging/<provider>/<account>/`), Twilio status callbacks, Meta's
subscription handshake, and signed links to our attachments for providers that fetch media."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from helpline.messaging import ingest
from helpline.messaging.models import ChannelAccount, Provider
from helpline.messaging.outbound import MEDIA_SALT
from helpline.tickets.models import Attachment

MAX_BODY = 1024 * 1024
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _account(provider: str, public_id: str) -> ChannelAccount:
    account = ChannelAccount.objects.filter(provider=provider, public_id=public_id, active=True).first()
    if account is None or provider not in Provider.values:
        raise Http404
    return account


def _public_url(request: HttpRequest) -> str:
    """The URL the provider called, as it signs it (behind a proxy: SITE_URL + path)."""
    return settings.SITE_URL + request.get_full_path()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, provider: str, public_id: str, kind: str = "message") -> HttpResponse:
    account = _account(provider, public_id)
    if request.method == "GET":
        return _subscribe(request, account)
    body = request.body
    if len(body) > MAX_BODY:
        return HttpResponse(status=413)
    headers = {k.lower(): v for k, v in request.headers.items()}
    outcome = ingest.receive(account=account, kind=kind, headers=headers, body=body, url=_public_url(request))
    if outcome.http_status != 200 or provider != Provider.SMS:
        return HttpResponse(status=outcome.http_status)
    return HttpResponse(TWIML_EMPTY, content_type="text/xml")


def _subscribe(request: HttpRequest, account: ChannelAccount) -> HttpResponse:
    """Meta's verification request: echo hub.challenge when hub.verify_token matches."""
    expected = account.secret("verify_token")
    given = request.GET.get("hub.verify_token", "")
    if (
        account.provider in (Provider.WHATSAPP, Provider.MESSENGER)
        and request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(expected, given)
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponse(status=403)


@csrf_exempt
@require_http_methods(["POST"])
def status_callback(request: HttpRequest, provider: str, public_id: str) -> HttpResponse:
    return webhook(request, provider, public_id, kind="status")


@require_GET
def media(request: HttpRequest, token: str) -> FileResponse:
    try:
        public_id = signing.loads(token, salt=MEDIA_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    found = Attachment.objects.filter(public_id=public_id).exclude(message__kind="note").first()
    if found is None:
        raise Http404
    return FileResponse(found.file.open("rb"), filename=found.filename, content_type=found.content_type)
