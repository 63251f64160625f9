"""Similar solved tickets across scripts: Telugu subjects keep whole words (vowel signs are marks,
not separators) and short Ethiopic words count."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.accounts.models import Role
from helpline.assist.similar import main_words, similar_solved_tickets
from helpline.core.actors import Actor
from helpline.tickets import actions as ticket_actions
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


def test_main_words_in_four_scripts() -> None:
    assert main_words("నా కార్డు రాలేదు") == ["కార్డు", "రాలేదు"]
    assert main_words("ካርዴ አልደረሰም") == ["አልደረሰም", "ካርዴ"]
    assert main_words("My card did not arrive 2024") == ["arrive", "card"]
    assert main_words("ბარათი არ მომივიდა") == ["მომივიდა", "ბარათი"]


@pytest.mark.parametrize(
    ("solved_subject", "new_subject"),
    [("నా కార్డు రాలేదు", "కార్డు ఇంకా రాలేదు"), ("ካርዴ አልደረሰም", "ካርዴ የት ነው")],
)
def test_similar_solved_ticket_found_in_telugu_and_amharic(solved_subject: str, new_subject: str, commits: Any) -> None:
    agent = make_agent(Role.AGENT)
    with commits():
        old = make_ticket(subject=solved_subject, body_text="...")
        ticket_actions.add_reply(actor=Actor.of_agent(agent), ticket=old, body_text="Sent again.", new_status="solved")
        current = make_ticket(subject=new_subject, body_text="?")
    found = similar_solved_tickets(actor=Actor.of_agent(agent), ticket=current)
    assert [(s.ticket.pk, s.reply) for s in found] == [(old.pk, "Sent again.")]
