from __future__ import annotations

import json
import mailbox as mailboxes
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from helpline.mail.models import Mailbox, RawMessage
from helpline.tickets.models import Message, Ticket
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> list[dict]:
    out, err = StringIO(), StringIO()
    call_command("mail", "import", *args, "--mailbox", "support@desk.example", stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_import_eml_mbox_and_maildir_idempotently(mailbox: Mailbox, tmp_path: Path) -> None:
    eml = tmp_path / "one.eml"
    eml.write_bytes(raw_mail("from a file", message_id="<file-1@x>"))
    mbox_path = tmp_path / "archive.mbox"
    box = mailboxes.mbox(str(mbox_path))
    box.add(raw_mail("mbox first", message_id="<mbox-1@x>"))
    box.add(raw_mail("mbox reply", message_id="<mbox-2@x>", headers={"In-Reply-To": "<mbox-1@x>"}))
    box.flush()
    box.close()
    maildir = mailboxes.Maildir(str(tmp_path / "Maildir"))
    maildir.add(raw_mail("maildir one", message_id="<md-1@x>", sender="zoe@example.org"))
    maildir.add(b"\x00\xff garbage without headers")
    lines = run_import(str(eml), str(mbox_path), str(tmp_path / "Maildir"))
    assert len(lines) == 5
    by_id = {line["message_id"]: line for line in lines}
    assert by_id["<file-1@x>"]["outcome"] == "new_ticket"
    assert by_id["<mbox-1@x>"]["outcome"] == "new_ticket"
    assert by_id["<mbox-2@x>"] == {**by_id["<mbox-2@x>"], "outcome": "added", "ticket": by_id["<mbox-1@x>"]["ticket"]}
    assert by_id["<md-1@x>"]["outcome"] == "new_ticket"
    garbage = next(line for line in lines if line["message_id"].endswith("@no-message-id.helpline>"))
    assert garbage["outcome"] == "quarantined" and garbage["reason"].startswith("no_sender")
    assert all("source" in line for line in lines)
    again = run_import(str(eml), str(mbox_path), str(tmp_path / "Maildir"))
    assert {line["outcome"] for line in again} == {"duplicate"}
    assert Ticket.objects.count() == 3 and Message.objects.count() == 4 and RawMessage.objects.count() == 5
    assert all(r.source == "import" for r in RawMessage.objects.all())


def test_reprocess_finishes_messages_stored_before_a_crash(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpline.mail import actions, ingest

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "_route", killed)
    with pytest.raises(KeyboardInterrupt):
        actions.receive_message(mailbox=mailbox, raw=raw_mail("stored, then the worker died", message_id="<k-1@x>"))
    monkeypatch.undo()
    out = StringIO()
    call_command("mail", "reprocess", stdout=out)
    (line,) = [json.loads(x) for x in out.getvalue().splitlines()]
    assert line["message_id"] == "<k-1@x>" and line["outcome"] == "new_ticket"
    assert Ticket.objects.count() == 1


def test_import_shows_a_progress_bar_and_a_summary(
    mailbox: Mailbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(3):
        (tmp_path / f"m{i}.eml").write_bytes(raw_mail(f"file {i}", message_id=f"<bar-{i}@x>"))
    out = StringIO()
    call_command("mail", "import", str(tmp_path), "--mailbox", "support@desk.example", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["outcome"] for line in lines] == ["new_ticket"] * 3
    progress = capsys.readouterr().err
    assert "3/3" in progress and "msg" in progress  # the bar, on stderr so stdout stays JSON lines
    assert "3 messages (new_ticket: 3)" in progress
