"""Reading messages from files: single .eml files, mbox files and Maildir folders."""

from __future__ import annotations

import mailbox as mailboxes
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def count_messages(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if _is_maildir(path):
            total += sum(1 for sub in ("cur", "new") for p in (path / sub).iterdir() if p.is_file())
        elif path.is_dir():
            total += sum(1 for p in path.rglob("*.eml"))
        elif path.is_file() and _is_mbox(path):
            total += sum(1 for _ in mailboxes.mbox(str(path), create=False).iterkeys())
        elif path.is_file():
            total += 1
    return total


def iter_messages(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """(where it came from, raw bytes) for every message under the given paths."""
    for path in paths:
        if _is_maildir(path):
            maildir = mailboxes.Maildir(str(path), factory=None, create=False)
            for key in sorted(maildir.iterkeys()):
                with maildir.get_file(key) as handle:
                    yield f"{path}:{key}", handle.read()
        elif path.is_dir():
            for file in sorted(path.rglob("*.eml")):
                yield str(file), file.read_bytes()
        elif path.is_file() and _is_mbox(path):
            box = mailboxes.mbox(str(path), create=False)
            for key in box.iterkeys():
                yield f"{path}:{key}", box.get_bytes(key)
        elif path.is_file():
            yield str(path), path.read_bytes()
        else:
            raise FileNotFoundError(str(path))


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
