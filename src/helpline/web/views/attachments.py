"""Attachment downloads, only through this view: files under MEDIA_ROOT are never served directly."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helpline.core.errors import NotFoundError
from helpline.tickets import permissions
from helpline.tickets.models import Attachment
from helpline.web.views.common import AgentRequest, agent_required

# Types a browser may show inline (previews); everything else is a download.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


@require_GET
@agent_required
def attachment_download(request: AgentRequest, public_id: str) -> FileResponse:
    attachment = Attachment.objects.select_related("message__ticket").filter(public_id=public_id).first()
    if attachment is None or attachment.message is None:
        raise NotFoundError(_("No such attachment."))
    if not permissions.can_view_ticket(request.actor, attachment.message.ticket):
        raise NotFoundError(_("No such attachment."))
    inline = request.GET.get("inline") == "1" and attachment.content_type in INLINE_TYPES
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFoundError(_("The file of this attachment is missing.")) from None
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.filename, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
