"""The corpus in tests/mail/corpus/: each .eml has a .json with the expected sender, subject,
visible text, attachments and thread; messages are received in file-name order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpline.mail import actions
from helpline.mail.models import Mailbox
from helpline.tickets.models import Ticket

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.eml"))

pytestmark = pytest.mark.django_db


def test_corpus_is_large_and_varied() -> None:
    expectations = [json.loads(p.with_suffix(".json").read_text()) for p in FILES]
    assert len(FILES) >= 60
    assert {"ka", "am", "mn", "te", "ru", "ja", "zh"} <= {e["language"] for e in expectations}
    assert len({e["client"] for e in expectations}) >= 5


def test_every_corpus_message_comes_through_as_expected(mailbox: Mailbox) -> None:
    threads: dict[str, int] = {}
    failures = []
    for path in FILES:
        expected = json.loads(path.with_suffix(".json").read_text())
        outcome = actions.receive_message(mailbox=mailbox, raw=path.read_bytes(), source="import")
        if outcome.outcome != expected["outcome"]:
            failures.append((path.name, "outcome", outcome.outcome, outcome.reason))
            continue
        ticket = Ticket.objects.get(number=outcome.ticket)
        if expected["thread"] in threads:
            if threads[expected["thread"]] != ticket.number:
                failures.append((path.name, "thread", ticket.number))
        else:
            threads[expected["thread"]] = ticket.number
            if ticket.subject != expected["subject"]:
                failures.append((path.name, "subject", ticket.subject))
        message = ticket.messages.get(external_id=outcome.message_id)
        email = message.meta["email"]
        checks = {
            "from": (email["from"], expected["from"]),
            "from_name": (email["from_name"], expected["from_name"]),
            "subject": (email["subject"], expected["subject"]),
            "visible_text": (message.body_text, expected["visible_text"]),
            "attachments": (sorted(a.filename for a in message.attachments.all()), sorted(expected["attachments"])),
        }
        failures += [(path.name, key, got, want) for key, (got, want) in checks.items() if got != want]
    assert failures == []
    assert len(threads) == len(FILES) // 2
