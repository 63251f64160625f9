"""The customer's mail inside a mail an agent forwarded to a mailbox: inline, below a forward
marker and its header lines (Gmail, Outlook, Apple Mail, Thunderbird, in several languages), or
attached whole (message/rfc822). `agent_mail` opens the ticket for that customer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr

from helpline.core.html import html_to_text
from helpline.mail.parsing import ParsedMail, parse
from helpline.tickets.attachments import IncomingFile

_MARKERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^-{2,}\s*(forwarded message|original message|weitergeleitete nachricht|ursprüngliche nachricht|"
        r"message transféré|message d'origine|mensaje reenviado|mensaje original|messaggio inoltrato|"
        r"messaggio originale|пересылаемое сообщение|переслано|исходное сообщение|doorgestuurd bericht|"
        r"oorspronkelijk bericht)\s*-{2,}$",
        r"^begin forwarded message\s*:$",  # Apple Mail
        r"^_{20,}$",  # Outlook
    )
]
_FROM = re.compile(r"^\*?(from|von|de|da|van|от|od|差出人|发件人|寄件者)\s*:\*?\s*(.+)$", re.IGNORECASE)
_SUBJECT = re.compile(r"^\*?(subject|betreff|objet|asunto|oggetto|тема|onderwerp|件名|主题|主旨)\s*:\*?\s*(.*)$", re.I)
_HEADER = re.compile(r"^\*?[\w\- ]{2,30}\s*:")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_LOOK_AHEAD = 12  # lines after a marker in which its From line is looked for


@dataclass
class Forwarded:
    name: str
    address: str
    subject: str
    text: str  # the forwarded mail's text
    comment: str  # what the agent wrote above it
    attachments: list[IncomingFile] = field(default_factory=list)


def original(mail: ParsedMail) -> Forwarded | None:
    """The forwarded customer's mail, when `mail` is a forward (attached first, else inline)."""
    text = mail.text or html_to_text(mail.html)
    for incoming in mail.attachments:
        if incoming.declared_type == "message/rfc822":
            inner = parse(incoming.content)
            if inner.from_address:
                inner_text = inner.text or html_to_text(inner.html)
                return Forwarded(
                    inner.from_name,
                    inner.from_address.lower(),
                    inner.subject,
                    inner_text,
                    text.strip(),
                    inner.attachments,
                )
    return _inline(text, mail.attachments)


def _inline(text: str, attachments: list[IncomingFile]) -> Forwarded | None:
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if not any(marker.match(line.strip()) for marker in _MARKERS):
            continue
        for at in range(start + 1, min(start + 1 + _LOOK_AHEAD, len(lines))):
            found = _FROM.match(lines[at].strip())
            if found is None:
                continue
            name, address = _sender(found.group(2))
            if not address:
                break
            end = at + 1
            while end < len(lines) and lines[end].strip() and _HEADER.match(lines[end].strip()):
                end += 1
            subjects = [
                found.group(2).strip() for row in lines[start + 1 : end] if (found := _SUBJECT.match(row.strip()))
            ]
            subject = subjects[0] if subjects else ""
            body = "\n".join(lines[end:]).strip()
            comment = "\n".join(lines[:start]).strip()
            return Forwarded(name, address, subject, body, comment, list(attachments))
    return None


def _sender(value: str) -> tuple[str, str]:
    """(name, address) of a forwarded header's From value: `Name <a@b>`, `Name [mailto:a@b]`,
    `"Name" a@b`, or the address alone."""
    value = value.replace("[mailto:", "<").replace("]", ">").strip().strip("*")
    name, address = parseaddr(value)
    if "@" not in address:
        found = _ADDRESS.search(value)
        address = found.group(0) if found else ""
        name = value.split(address)[0] if address else ""
    return name.strip().strip('"').strip(), address.strip().lower()
