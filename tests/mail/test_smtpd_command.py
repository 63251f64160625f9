"""`helpline smtpd` as an MX forwards to it: a real process on the test database takes mail for
our addresses (plus-addresses included), answers 250 only once the message is stored, processes
it, refuses other recipients, recognises a second delivery, and stops on SIGTERM."""

from __future__ import annotations

import signal
import smtplib
import subprocess
import time
from pathlib import Path

import pytest

from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.tickets.models import Ticket
from tests.mail.mails import raw_mail
from tests.mail.processes import SharedDatabase
from tests.mail.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def wait_listening(port: int, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as probe:
                probe.noop()
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("helpline smtpd did not start")


def deliver(port: int, recipient: str, raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo()
        client.mail("mx-forwarder@example.ge")
        code, reply = client.rcpt(recipient)
        if code != 250:
            return code, reply
        return client.data(raw)


def test_helpline_smtpd_stores_before_it_accepts_then_processes(tmp_path: Path) -> None:
    Mailbox.objects.create(name="Support", email_address="support@desk.example", send_acknowledgement=False)
    db = SharedDatabase(tmp_path)
    port = free_port()
    command = db.command("smtpd", "--host", "127.0.0.1", "--port", str(port))
    process = subprocess.Popen(command, env=db.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    raw = raw_mail("გამარჯობა, ინვოისი არასწორია.", sender="Nino <nino@example.ge>", message_id="<smtpd-1@example.ge>")
    try:
        wait_listening(port, process)
        code, reply = deliver(port, "support+billing@desk.example", raw)
        assert code == 250 and b"queued" in reply
        code, reply = deliver(port, "support@desk.example", raw)  # the MX delivers again
        assert code == 250 and b"duplicate" in reply
        code, _reply = deliver(port, "stranger@elsewhere.example", raw)
        assert code == 550
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"listening on 127.0.0.1:{port}" in out
    db.bring_back()
    row = RawMessage.objects.get()
    assert row.source == "smtp" and row.status == RawStatus.PROCESSED and row.message_id == "<smtpd-1@example.ge>"
    ticket = Ticket.objects.get()
    assert ticket.requester.email == "nino@example.ge"
    assert ticket.messages.get().body_text == "გამარჯობა, ინვოისი არასწორია."
