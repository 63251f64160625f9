"""Content-addressed storage of raw messages: `<MAIL_RAW_DIR>/<sha[:2]>/<sha>.eml`, written
atomically and durably before anything else happens to a message."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def raw_root() -> Path:
    return Path(getattr(settings, "MAIL_RAW_DIR", settings.DATA_DIR / "mail-raw"))


def relative_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}.eml"


def store_raw(raw: bytes) -> tuple[str, str]:
    """Write the bytes (once) and return (sha256, relative path)."""
    digest = hashlib.sha256(raw).hexdigest()
    rel = relative_path(digest)
    target = raw_root() / rel
    if target.exists() and target.stat().st_size == len(raw):
        return digest, rel
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest, rel


def read_raw(rel: str) -> bytes:
    return (raw_root() / rel).read_bytes()
