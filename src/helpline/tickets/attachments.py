"""Attachment intake: size limit and content type decided from the bytes, never from the name."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from helpline.core.errors import InvalidInputError

if TYPE_CHECKING:
    from helpline.tickets.models import Attachment, Message

# Types we keep. Executables and scripts are refused whatever their name says.
ALLOWED_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "image/heic",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/rtf",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "audio/x-wav",
    "audio/mp4",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "text/plain",
    "text/csv",
    "text/calendar",
    "message/rfc822",
    "application/pkcs7-signature",
    "application/pkcs7-mime",
    "application/octet-stream",
}
FORBIDDEN_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-elf",
    "application/x-sh",
    "application/x-mach-binary",
    "application/vnd.microsoft.portable-executable",
    "application/x-dosexec",
}
FORBIDDEN_EXTENSIONS = {
    ".exe",
    ".dll",
    ".bat",
    ".cmd",
    ".com",
    ".scr",
    ".msi",
    ".js",
    ".vbs",
    ".ps1",
    ".jar",
    ".sh",
    ".app",
    ".html",
    ".htm",
    ".svg",
}
_TEXT_TYPES = {"text/plain", "text/csv", "text/calendar", "message/rfc822"}


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content: bytes
    declared_type: str = ""
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content: bytes
    content_type: str
    size: int
    sha256: str
    inline: bool
    content_id: str


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return all(b >= 9 for b in sample)


def detect_content_type(filename: str, data: bytes) -> str:
    kind = filetype.guess(data)
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip":  # Office Open XML files are zip containers
            guessed, _enc = mimetypes.guess_type(filename)
            if guessed and guessed.startswith("application/vnd.openxmlformats"):
                return guessed
        return mime
    if data[:2] == b"MZ":
        return "application/x-dosexec"
    if data[:4] == b"\x7fELF":
        return "application/x-elf"
    if data[:2] == b"#!":
        return "application/x-sh"
    if _looks_like_text(data):
        guessed, _enc = mimetypes.guess_type(filename)
        if guessed in _TEXT_TYPES:
            return guessed
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html", b"<svg", b"<script")):
            return "text/html"
        return "text/plain"
    return "application/octet-stream"


def check_file(incoming: IncomingFile) -> CheckedFile:
    name = (incoming.filename or "attachment").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "attachment"
    size = len(incoming.content)
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise InvalidInputError(
            _("%(name)s is too large (%(size)d MB); the limit is %(limit)d MB.")
            % {"name": name, "size": size // (1024 * 1024), "limit": limit // (1024 * 1024)},
            code="attachment_too_large",
        )
    if size == 0:
        raise InvalidInputError(_("%(name)s is empty.") % {"name": name}, code="attachment_empty")
    content_type = detect_content_type(name, incoming.content)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type in FORBIDDEN_TYPES or content_type not in ALLOWED_TYPES or extension in FORBIDDEN_EXTENSIONS:
        raise InvalidInputError(
            _("%(name)s is not an allowed file type (%(type)s).") % {"name": name, "type": content_type},
            code="attachment_type_forbidden",
        )
    return CheckedFile(
        filename=name,
        content=incoming.content,
        content_type=content_type,
        size=size,
        sha256=hashlib.sha256(incoming.content).hexdigest(),
        inline=incoming.inline,
        content_id=incoming.content_id,
    )


def attachment_for(message: Message, incoming: IncomingFile) -> Attachment:
    """The checked file as an unsaved Attachment of `message`, its bytes already in storage."""
    from django.core.files.base import ContentFile

    from helpline.tickets.models import Attachment

    checked = check_file(incoming)
    attachment = Attachment(
        message=message,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        inline=checked.inline,
        content_id=checked.content_id,
    )
    attachment.file.save(checked.filename, ContentFile(checked.content), save=False)
    return attachment
