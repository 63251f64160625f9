"""From a parsed mail to what a ticket message holds: the new text first, quotes folded, remote
images blocked, inline (cid:) images pointing at their stored attachments."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from helpline.core.errors import InvalidInputError
from helpline.customers.models import Channel
from helpline.mail.folding import fold_html, fold_text
from helpline.mail.parsing import ParsedMail
from helpline.tickets.attachments import IncomingFile, check_file
from helpline.tickets.models import Attachment, Message

# An <img> start tag and its attributes read the way an HTML5 tokenizer reads them (quoted or
# unquoted values, ">" inside quotes, "/" between attributes), possessive so nothing backtracks.
_ATTRIBUTE = r"""[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]++))?+"""
_IMG_START = re.compile(r"<img(?=[\s/>])", re.IGNORECASE)
_IMG = re.compile(r"<img(?=[\s/>])(?:[\s/]++|" + _ATTRIBUTE + r")*+>", re.IGNORECASE)
_ATTRIBUTES = re.compile(r"""([^\s/>][^\s/>=]*+)(?:\s*+=\s*+("[^"]*+"|'[^']*+'|[^\s>]++))?+""")
_REMOTE = ("http:", "https:", "//", "\\\\", "/\\", "\\/")
_CID = re.compile(r"""(["'])cid:([^"']+)\1""", re.IGNORECASE)


@dataclass
class Body:
    text: str
    html: str
    folded_text: str = ""
    remote_images: int = 0
    attachments: list[IncomingFile] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)


def _attributes(tag: str) -> dict[str, str]:
    """Attribute names (lower-cased) to values as a browser reads them: the first of a repeated
    name wins, entities are decoded."""
    found: dict[str, str] = {}
    for name, value in _ATTRIBUTES.findall(tag[4:-1]):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        found.setdefault(name.lower(), html_lib.unescape(value))
    return found


def is_remote(url: str) -> bool:
    """Whether a browser would fetch `url` from another host: it drops tabs and newlines and
    surrounding blanks, and reads backslashes like slashes."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(" \x00\x0c\x0b").lower()
    return cleaned.startswith(_REMOTE)


def block_remote_images(markup: str) -> tuple[str, int]:
    """Replace images loaded from the network with a link the agent can open on purpose."""
    parts: list[str] = []
    kept = done = count = 0  # kept: where the text not yet copied starts
    for start in _IMG_START.finditer(markup):
        if start.start() < done:  # inside a tag already read
            continue
        tag = _IMG.match(markup, start.start())
        if tag is None:  # never closed: runs to the end, where browsers drop it (reading on would be quadratic)
            break
        done = tag.end()
        attributes = _attributes(tag.group(0))
        src = attributes.get("src", "")
        if not is_remote(src):
            continue
        count += 1
        label = html_lib.escape(attributes.get("alt", "").strip() or "image")
        parts += [
            markup[kept : tag.start()],
            f'<a href="{html_lib.escape(src.strip(), quote=True)}" title="remote image">[{label}]</a>',
        ]
        kept = tag.end()
    if not count:
        return markup, 0
    parts.append(markup[kept:])
    return "".join(parts), count


def email_meta(mail: ParsedMail, body: Body, *, mailbox_id: int, raw_id: int, auto: str) -> dict[str, Any]:
    """What a received mail keeps on its ticket message (`meta["email"]`): headers, where it came
    from, the folded text and what the body held back."""
    return {
        "message_id": mail.message_id,
        "from": mail.from_address,
        "from_name": mail.from_name,
        "to": mail.to[:20],
        "cc": mail.cc[:20],
        "subject": mail.subject,
        "mailbox": mailbox_id,
        "raw": raw_id,
        "folded_text": body.folded_text[:100_000],
        "remote_images": body.remote_images,
        "rejected_attachments": body.rejected,
        "auto": auto,
    }


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


def message_fields(mail: ParsedMail, body: Body, meta: dict[str, Any]) -> dict[str, Any]:
    """What a received mail gives the ticket action that stores it (`add_message`, `open_ticket`)."""
    return {
        "channel": Channel.EMAIL,
        "body_text": body.text,
        "body_html": body.html,
        "attachments": body.attachments,
        "external_id": mail.message_id,
        "meta": meta,
    }


def link_message_images(message: Message) -> None:
    """A stored message's `cid:` references pointed at its stored attachments (written back)."""
    if "cid:" in message.body_html.lower():
        linked = link_inline_images(message.body_html, list(message.attachments.all()))
        Message.objects.filter(pk=message.pk).update(body_html=linked)
