"""Line diffs between two versions of a translation, for the editor."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "context"
    text: str


def version_diff(old_title: str, old_body: str, new_title: str, new_body: str) -> list[DiffLine]:
    old = [f"# {old_title}", *old_body.splitlines()]
    new = [f"# {new_title}", *new_body.splitlines()]
    lines = []
    for line in difflib.unified_diff(old, new, lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("context", line))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines
