"""Raw bytes to a `ParsedMail`: headers, text and HTML bodies, attachments, bounce reports.

Uses the standard library's `email` with `policy.default`. Every header and every part is read
defensively: a broken header or an unknown charset degrades to a best-effort value, never to an
exception, so only truly unreadable input reaches the quarantine.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import quopri
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from helpline.mail import bounces, feedparse
from helpline.tickets.attachments import IncomingFile

# Charsets mail clients announce that Python does not know under that name, or that are
# subsets of a wider one (decoding with the superset never hurts).
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-2022-jp-ms": "iso-2022-jp",
    "shift-jis": "shift_jis",
    "x-sjis": "shift_jis",
}
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass
class Bounce:
    original_message_id: str
    diagnostic: str
    failed: bool = True  # False: a report that delivery is delayed (or succeeded), nothing failed


@dataclass
class ParsedMail:
    message_id: str
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    date: dt.datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[IncomingFile] = field(default_factory=list)
    bounce: Bounce | None = None
    headers: dict[str, str] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        return [*self.delivered_to, *self.to, *self.cc]


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset to text; wrong or unknown declarations fall back to UTF-8,
    then to a lossless single-byte decode."""
    names = []
    if charset:
        cs = charset.strip().strip('"').lower()
        names.append(CHARSET_ALIASES.get(cs, cs))
    names.append("utf-8")
    for name in names:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the parser cannot even structure
        value = None
        for key, raw in msg.raw_items() if hasattr(msg, "raw_items") else []:
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        text = ""
    if "\ufffd" in text:  # raw 8-bit bytes instead of RFC 2047 words: rare, read again below
        text = _eight_bit_header(msg, name) or text
    return " ".join(text.split())


def _eight_bit_header(msg: Message, name: str) -> str:
    """A header some clients send as raw bytes in their own charset (not RFC 2047 encoded): UTF-8
    when the bytes are, else the charset the message declares for its text."""
    raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if not isinstance(raw, str):
        return ""
    data = raw.encode("ascii", "surrogateescape")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        charset = next((p.get_content_charset() for p in msg.walk() if p.get_content_charset()), None)
        text = decode_bytes(data, charset)
    try:
        return str(policy.default.header_factory(name, text))  # encoded words mixed in, addresses
    except Exception:
        return text


# One plain address, with a plain display name or none: most From and To headers. Its text is taken
# as it stands; policy.default's address parser (about 0.1 ms a header) structures only the others.
_PLAIN_ADDRESS = re.compile(
    r"""\s*(?:"?([A-Za-z0-9 _'-]*?)"?\s*<([A-Za-z0-9._%+=-]+@[A-Za-z0-9.-]+)>|([A-Za-z0-9._%+=-]+@[A-Za-z0-9.-]+))\s*"""
)


def _address_header(msg: Message, name: str) -> str:
    """`_header` for an address header: the same text, without structuring a plain one."""
    wanted = name.lower()
    raw = next((value for key, value in msg.raw_items() if key.lower() == wanted), None)  # the first, as get()
    if raw is None:
        return ""
    plain = _PLAIN_ADDRESS.fullmatch(" ".join(str(raw).split()))
    if plain is None:
        return _header(msg, name)
    display, address = (plain[1] or "").strip(), plain[2] or plain[3]
    return f"{display} <{address}>" if display else address


def _addresses(value: str) -> list[tuple[str, str]]:
    try:
        return [(n, a.strip().lower()) for n, a in getaddresses([value]) if a and "@" in a]
    except Exception:
        return []


def message_ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")


def synthetic_message_id(raw: bytes) -> str:
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.helpline>"


def quick_message_id(raw: bytes) -> str:
    """The Message-ID from the headers alone (cheap); a digest of the bytes when there is none."""
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    try:  # the header block only: the body can be megabytes
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: end + 1])
        found = message_ids(str(headers.get("Message-ID", "") or ""))
    except Exception:
        found = []
    return found[0][:255] if found else synthetic_message_id(raw)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        try:
            param = part.get_param("name")  # RFC 2231 values come as (charset, language, value)
            name = decode_bytes(param[2].encode("latin-1"), param[0]) if isinstance(param, tuple) else param
        except Exception:
            name = None
    return " ".join(str(name).split()) if name else ""


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _part_text(part: Message) -> str:
    return decode_bytes(_payload_bytes(part), part.get_content_charset())


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _content_id(part: Message) -> str:
    value = _header(part, "Content-ID").strip()
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value


_EXTENSIONS = {
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
    "application/pkcs7-mime": ".p7m",
    "application/x-pkcs7-mime": ".p7m",
    "text/html": ".html",
    "text/plain": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
}


def _default_name(part: Message, ctype: str, index: int) -> str:
    if ctype == "text/calendar":
        return "invite.ics"
    if ctype in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
        return "smime.p7s"
    return f"part-{index}{_EXTENSIONS.get(ctype, '.bin')}"


def _rfc822_bytes(part: Message) -> tuple[bytes, str]:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
    if inner is None:
        return _payload_bytes(part), ""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in ("base64", "quoted-printable") and not inner.keys():
        # Not allowed for message/rfc822 (RFC 2046), but some clients attach mail so: the parser
        # read the encoded text as a message without headers; the mail is what it decodes to.
        encoded = str(inner.get_payload()).encode("ascii", "replace")
        try:
            data = base64.b64decode(encoded) if encoding == "base64" else quopri.decodestring(encoded)
        except (binascii.Error, ValueError):
            return _payload_bytes(part), ""
        return data, _header(BytesHeaderParser(policy=policy.default).parsebytes(data), "Subject")
    try:
        data = inner.as_bytes(policy=policy.compat32)
    except Exception:
        data = str(inner).encode("utf-8", "replace")
    return data, _header(inner, "Subject")


class _Walker:
    def __init__(self, parsed: ParsedMail) -> None:
        self.parsed = parsed
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.count = 0

    def attach(self, part: Message, data: bytes, ctype: str, name: str = "", inline: bool = False) -> None:
        self.count += 1
        cid = _content_id(part)
        self.parsed.attachments.append(
            IncomingFile(
                filename=name or _filename(part) or _default_name(part, ctype, self.count),
                content=data,
                declared_type=ctype,
                inline=inline and bool(cid),
                content_id=cid,
            )
        )

    def walk(self, part: Message, depth: int = 0) -> None:
        ctype = part.get_content_type()
        if depth > 30:
            return
        if ctype == "message/rfc822":
            data, subject = _rfc822_bytes(part)
            self.attach(part, data, ctype, _filename(part) or f"{(subject or 'message')[:80]}.eml")
            return
        if part.is_multipart():
            if ctype == "multipart/report":
                self.report(part)
            for child in part.get_payload() or []:
                if isinstance(child, Message):
                    self.walk(child, depth + 1)
            return
        disposition = _disposition(part)
        name = _filename(part)
        if ctype in ("message/delivery-status", "text/rfc822-headers", "message/disposition-notification"):
            self.attach(part, _payload_bytes(part), ctype, name or f"{ctype.split('/')[1]}.txt")
            return
        if disposition != "attachment" and not name and ctype in ("text/plain", "text/html"):
            (self.texts if ctype == "text/plain" else self.htmls).append(_part_text(part))
            return
        if disposition != "attachment" and not name and ctype.startswith("text/") and ctype != "text/calendar":
            self.texts.append(_part_text(part))
            return
        inline = disposition == "inline" or (not disposition and ctype.startswith("image/"))
        self.attach(part, _payload_bytes(part), ctype, name, inline=inline)

    def report(self, part: Message) -> None:
        if str(part.get_param("report-type") or "").lower() != "delivery-status":
            return
        original = ""
        diagnostic: list[str] = []
        for child in part.get_payload() or []:
            if not isinstance(child, Message):
                continue
            ctype = child.get_content_type()
            if ctype == "message/delivery-status":
                text = _delivery_status_text(child)
                for line in text.splitlines():
                    if line.lower().startswith(("status:", "diagnostic-code:", "action:")):
                        diagnostic.append(line.strip())
            elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
                body = _rfc822_bytes(child)[0] if ctype == "message/rfc822" else _payload_bytes(child)
                original = quick_message_id(body)
                if original.endswith("@no-message-id.helpline>"):
                    original = ""
        actions = {line.split(":", 1)[1].strip().lower() for line in diagnostic if line.lower().startswith("action:")}
        failed = not actions or "failed" in actions  # not "delayed", "delivered", "relayed", "expanded"
        self.parsed.bounce = Bounce(original_message_id=original, diagnostic="; ".join(diagnostic)[:500], failed=failed)


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n".join(str(p) for p in payload)
    return _part_text(part)


def parse_date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed


# A part's MIME headers ("text/plain; charset=utf-8", "base64", ...) repeat from one message to the
# next: these are parsed once for many messages (the parsed headers are never changed).
_SHARED_HEADERS = frozenset({"content-type", "content-transfer-encoding", "content-disposition", "mime-version"})
_SHARED_MAX = 512
_shared: dict[tuple[str, str], Any] = {}
_classes: dict[str, type] = {}


class _OnceEachHeaders(HeaderRegistry):
    """policy.default's header classes, each distinct header parsed once per message (the parser
    and the MIME walk ask for a part's Content-Type again and again: its type, its boundary, its
    charset, its file name), and a part's usual MIME headers once for many messages. The header
    classes are made once (the registry makes a new class on every ask)."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], Any] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        found = _classes.get(key)
        if found is None:
            found = _classes[key] = super().__getitem__(name)
        return found

    def __call__(self, name: str, value: str) -> Any:
        key = (name, value)
        found = self._parsed.get(key)
        if found is not None:
            return found
        shared = name.lower() in _SHARED_HEADERS and "boundary" not in value.lower()
        if shared:
            found = _shared.get(key)
        if found is None:
            found = super().__call__(name, value)
            if shared:
                if len(_shared) >= _SHARED_MAX:
                    _shared.clear()
                _shared[key] = found
        self._parsed[key] = found
        return found


def parse(raw: bytes, *, message_id: str = "") -> ParsedMail:
    """`message_id`: `quick_message_id(raw)` when the caller has it already."""
    msg = feedparse.parse_bytes(raw, policy.default.clone(header_factory=_OnceEachHeaders()))
    parsed = ParsedMail(message_id=message_id or quick_message_id(raw))
    parsed.subject = _header(msg, "Subject")[:250]
    from_value = _address_header(msg, "From")
    senders = _addresses(from_value) or _addresses(_address_header(msg, "Sender"))
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    else:
        name, address = parseaddr(from_value)
        parsed.from_name, parsed.from_address = name, address.lower() if "@" in address else ""
    reply_to = _addresses(_address_header(msg, "Reply-To"))
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.to = [a for _n, a in _addresses(_address_header(msg, "To"))]
    parsed.cc = [a for _n, a in _addresses(_address_header(msg, "Cc"))]
    for key in ("Delivered-To", "X-Original-To", "Envelope-To"):
        parsed.delivered_to += [a for _n, a in _addresses(_address_header(msg, key))]
    parsed.in_reply_to = message_ids(_header(msg, "In-Reply-To"))
    parsed.references = message_ids(_header(msg, "References"))
    parsed.date = parse_date(_header(msg, "Date"))
    for key in (
        "Auto-Submitted",
        "X-Autoreply",
        "X-Autorespond",
        "X-Auto-Response-Suppress",
        "Precedence",
        "X-Precedence",
        "Return-Path",
        "X-Helpline-Loop",
        "X-Helpline-Ticket",
        "List-Id",
        "Content-Type",
        "X-Failed-Recipients",
    ):
        value = _header(msg, key)
        if value or (key == "Return-Path" and key in msg):
            parsed.headers[key.lower()] = value
    walker = _Walker(parsed)
    walker.walk(msg)
    parsed.text = "\n\n".join(t.replace("\r\n", "\n").strip("\n") for t in walker.texts if t.strip())
    parsed.html = "\n".join(walker.htmls)
    parsed.defects = [type(d).__name__ for d in msg.defects][:20]
    if (bounce := bounces.unreported(parsed)) is not None:  # a bounce that is no (complete) DSN
        parsed.bounce = Bounce(*bounce)
    return parsed
