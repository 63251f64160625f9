"""Channel-layer groups of live chat (the contract between chat actions, hooks and the visitor socket).

- `chat.visitor.<visitor id>`: every open widget tab of one visitor. Carries `chat.follow` (their
  conversation moved to another ticket) and `chat.notice` {text} (e.g. "you are being transferred").
- `chat.queue`: widgets whose chat waits for an agent. Carries `chat.queue` {ticket, at, pk, delta}
  when a chat leaves (-1) or re-enters (+1) the queue; widgets queued behind it move by `delta`.
"""

from __future__ import annotations

QUEUE_GROUP = "chat.queue"


def visitor_group(visitor_id: str) -> str:
    return f"chat.visitor.{visitor_id}"
