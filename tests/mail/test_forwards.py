"""The customer's mail inside an agent's forward, as each mail client writes it."""

from __future__ import annotations

import pytest

from helpline.mail.forwards import original
from helpline.mail.parsing import ParsedMail

APPLE = """See below.

Begin forwarded message:

From: Tamar Kapanadze <tamar@example.ge>
Subject: ამანათი
Date: 3 June 2024 at 10:00:00 GMT+4
To: Maria <maria@desk.example>

სად არის ჩემი ამანათი?
"""
THUNDERBIRD = """

-------- Forwarded Message --------
Subject: \tOrder 12
Date: \tMon, 3 Jun 2024 10:00:00 +0000
From: \t"Dawit Bekele" <dawit@example.et>
To: \tmaria@desk.example

ትዕዛዜ የት ነው?
"""
GERMAN_OUTLOOK = """Bitte übernehmen.

-----Ursprüngliche Nachricht-----
Von: Hans Müller <hans@example.de>
Gesendet: Montag, 3. Juni 2024 10:00
An: Maria
Betreff: Rechnung

Die Rechnung fehlt.
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (APPLE, ("Tamar Kapanadze", "tamar@example.ge", "ამანათი", "სად არის ჩემი ამანათი?", "See below.")),
        (THUNDERBIRD, ("Dawit Bekele", "dawit@example.et", "Order 12", "ትዕዛዜ የት ነው?", "")),
        (GERMAN_OUTLOOK, ("Hans Müller", "hans@example.de", "Rechnung", "Die Rechnung fehlt.", "Bitte übernehmen.")),
    ],
)
def test_inline_forwards_of_each_client(text: str, expected: tuple[str, ...]) -> None:
    found = original(ParsedMail(message_id="<f@x>", text=text))
    assert found is not None
    assert (found.name, found.address, found.subject, found.text, found.comment) == expected


def test_a_mail_without_a_forward_is_none() -> None:
    text = "Hi,\n\nFrom: the team: we will call you.\n\nOn Mon, Ann <ann@example.com> wrote:\n> hello\n"
    assert original(ParsedMail(message_id="<f@x>", text=text)) is None
