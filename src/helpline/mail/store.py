"""Content-addressed storage of raw messages: `<MAIL_RAW_DIR>/<sha[:2]>/<sha>.eml`, written
atomically and durably before anything else happens to a message."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
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


def store_raws(raws: Sequence[bytes]) -> list[tuple[str, str]]:
    """`store_raw` for a fetched chunk: every file written first, then each synced and put in place.
    The first sync commits the file system's journal with the others' data in it, so the rest cost
    little (one sync after another, each waiting for its own journal commit, is most of a chunk's time)."""
    stored: list[tuple[str, str]] = []
    pending: list[tuple[int, str, Path]] = []
    seen: set[str] = set()
    try:
        for raw in raws:
            digest = hashlib.sha256(raw).hexdigest()
            rel = relative_path(digest)
            stored.append((digest, rel))
            target = raw_root() / rel
            if rel in seen or (target.exists() and target.stat().st_size == len(raw)):
                continue
            seen.add(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            pending.append((fd, tmp, target))
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
        while pending:
            fd, tmp, target = pending[0]
            os.fsync(fd)
            os.close(fd)
            os.replace(tmp, target)
            pending.pop(0)
    except BaseException:
        for fd, tmp, _target in pending:
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)
        raise
    return stored


def read_raw(rel: str) -> bytes:
    return (raw_root() / rel).read_bytes()
