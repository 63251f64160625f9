"""From a parsed mail to what a ticket message holds: the new text first, quotes folded, remote
images blocked, inline (cid:) images pointing at their stored attachments."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from django.urls import reverse

from helpline.core.errors import InvalidInputError
from helpline.mail.folding import fold_html, fold_text
from helpline.mail.parsing import ParsedMail
from helpline.tickets.attachments import IncomingFile, check_file
from helpline.tickets.models import Attachment

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_CID = re.compile(r"""(["'])cid:([^"']+)\1""", re.IGNORECASE)


@dataclass
class Body:
    text: str
    html: str
    folded_text: str = ""
    remote_images: int = 0
    attachments: list[IncomingFile] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)


def block_remote_images(markup: str) -> tuple[str, int]:
    """Replace images loaded from the network with a link the agent can open on purpose."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        tag = match.group(0)
        src = _SRC.search(tag)
        if not src or not src.group(2).strip().lower().startswith(("http:", "https:", "//")):
            return tag
        count += 1
        alt = _ALT.search(tag)
        label = html_lib.escape(html_lib.unescape(alt.group(2)) if alt and alt.group(2).strip() else "image")
        return f'<a href="{html_lib.escape(src.group(2).strip(), quote=True)}" title="remote image">[{label}]</a>'

    return _IMG.sub(replace, markup), count


def build_body(mail: ParsedMail) -> Body:
    text = fold_text(mail.text) if mail.text else None
    markup = fold_html(mail.html) if mail.html else None
    visible_html, remote = block_remote_images(markup.visible) if markup else ("", 0)
    body = Body(
        text=text.visible if text else "",
        html=visible_html,
        folded_text=text.folded if text else "",
        remote_images=remote,
    )
    if not body.text and not body.html:
        body.text = mail.subject or "(empty message)"
    for incoming in mail.attachments:
        try:
            check_file(incoming)
        except InvalidInputError as exc:
            body.rejected.append({"filename": incoming.filename, "reason": exc.code})
            continue
        body.attachments.append(incoming)
    return body


def link_inline_images(markup: str, attachments: list[Attachment]) -> str:
    """Point `cid:` references at the stored attachments."""
    by_cid = {a.content_id: a for a in attachments if a.content_id}
    if not by_cid or "cid:" not in markup.lower():
        return markup

    def replace(match: re.Match[str]) -> str:
        found = by_cid.get(html_lib.unescape(match.group(2)))
        if found is None:
            return match.group(0)
        return f"{match.group(1)}{reverse('web:attachment', args=[found.public_id])}{match.group(1)}"

    return _CID.sub(replace, markup)
