"""Content-addressed storage of raw messages: `<MAIL_RAW_DIR>/<sha[:2]>/<sha>.eml`, written
atomically and durably (the file and its name) before anything else happens to a message."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings


def raw_root() -> Path:
    return Path(getattr(settings, "MAIL_RAW_DIR", settings.DATA_DIR / "mail-raw"))


def relative_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}.eml"


def store_raw(raw: bytes) -> tuple[str, str]:
    """Write the bytes (once) and return (sha256, relative path)."""
    return store_raws([raw])[0]


def store_raws(raws: Sequence[bytes]) -> list[tuple[str, str]]:
    """Write a fetched chunk's bytes, each file once, durably: every file written first, all of them
    synced at the same time (one thread each from a small pool: the device flushes once for many
    files, where one sync after another waits for a flush each), then put in place, then their
    folders synced the same way so the names are durable too. Returns (sha256, relative path) per
    message; nothing returns before every file and name is on disk."""
    stored: list[tuple[str, str]] = []
    pending: list[tuple[int, str, Path]] = []
    seen: set[str] = set()
    root = raw_root()
    new_folders = False
    try:
        for raw in raws:
            digest = hashlib.sha256(raw).hexdigest()
            rel = relative_path(digest)
            stored.append((digest, rel))
            target = root / rel
            if rel in seen or (target.exists() and target.stat().st_size == len(raw)):
                continue
            seen.add(rel)
            if not target.parent.is_dir():
                target.parent.mkdir(parents=True, exist_ok=True)
                new_folders = True
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            pending.append((fd, tmp, target))
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
        if not pending:
            return stored
        _sync_all([fd for fd, _tmp, _target in pending])
        while pending:
            fd, tmp, target = pending[0]
            os.close(fd)
            os.replace(tmp, target)
            pending.pop(0)
    except BaseException:
        for fd, tmp, _target in pending:
            os.close(fd)
            Path(tmp).unlink(missing_ok=True)
        raise
    folders = {str(root / rel).rsplit("/", 1)[0] for rel in seen}
    if new_folders:
        folders.add(str(root))
    _sync_folders(sorted(folders))
    return stored


_pool: tuple[int, ThreadPoolExecutor] | None = None
SYNC_THREADS = 8


def _sync_all(fds: list[int]) -> None:
    """fsync every descriptor, at the same time when there are several; raises the first failure
    once all are done."""
    global _pool
    if len(fds) == 1:
        os.fsync(fds[0])
        return
    if _pool is None or _pool[0] != os.getpid():  # a forked worker gets its own threads
        _pool = (os.getpid(), ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="mail-fsync"))
    for _done in _pool[1].map(os.fsync, fds):
        pass


def _sync_folders(folders: list[str]) -> None:
    fds: list[int] = []
    try:
        for folder in folders:
            fds.append(os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)))
        _sync_all(fds)
    finally:
        for fd in fds:
            os.close(fd)


def read_raw(rel: str) -> bytes:
    return (raw_root() / rel).read_bytes()
