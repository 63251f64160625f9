from __future__ import annotations

import pytest
from django.test import Client

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.knowledge import community
from helpline.knowledge.models import Answer, Question, Section
from helpline.portal.auth import SESSION_KEY
from tests.factories import make_agent, make_customer

pytestmark = pytest.mark.django_db


def customer_client(customer: object) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = customer.pk  # type: ignore[attr-defined]
    session.save()
    return client


def test_ask_answer_vote_accept() -> None:
    asker, helper = make_customer(), make_customer()
    question = community.ask_question(
        actor=Actor.of_customer(asker), title="Router blinks red", body="<script>x()</script> **help**"
    )
    assert "<script" not in question.body_html and "<strong>help</strong>" in question.body_html
    assert question.language == "en"
    answer = community.answer_question(actor=Actor.of_customer(helper), question=question, body="Restart it.")
    assert community.vote(actor=Actor.of_customer(asker), answer=answer, value=1) == 1
    assert community.vote(actor=Actor.of_customer(asker), answer=answer, value=1) == 1  # one vote per person
    assert community.vote(actor=Actor.of_agent(make_agent()), answer=answer, value=-1) == 0
    with pytest.raises(NotPermittedError):
        community.accept_answer(actor=Actor.of_customer(helper), answer=answer)
    question = community.accept_answer(actor=Actor.of_customer(asker), answer=answer)
    assert question.accepted_answer_id == answer.pk
    with pytest.raises(InvalidInputError):
        community.answer_question(actor=Actor.of_customer(helper), question=question, body="  ")
    with pytest.raises(NotPermittedError):
        community.ask_question(actor=Actor.system(), title="anonymous")


def test_reports_hide_and_moderators_restore() -> None:
    question = community.ask_question(actor=Actor.of_customer(make_customer()), title="Cheap pills here")
    for _ in range(3):
        community.report_post(actor=Actor.of_customer(make_customer()), question=question, reason="spam")
    question.refresh_from_db()
    assert question.is_hidden and question.reports == 3
    with pytest.raises(NotPermittedError):
        community.moderate(actor=Actor.of_customer(make_customer()), question=question, hidden=False)
    community.moderate(actor=Actor.of_agent(make_agent()), question=question, hidden=False)
    question.refresh_from_db()
    assert not question.is_hidden


def test_agent_turns_an_answer_into_an_article(section: Section) -> None:
    question = community.ask_question(actor=Actor.of_customer(make_customer()), title="How to reset the router?")
    answer = community.answer_question(
        actor=Actor.of_customer(make_customer()), question=question, body="Hold the reset button for 10 s."
    )
    translation = community.answer_to_article(actor=Actor.of_agent(make_agent()), answer=answer, section=section)
    assert translation.title == "How to reset the router?" and translation.body == "Hold the reset button for 10 s."
    assert not translation.is_published
    with pytest.raises(NotPermittedError):
        community.answer_to_article(actor=Actor.of_agent(make_agent(Role.LIGHT_AGENT)), answer=answer, section=section)


def test_community_pages(client: Client, section: Section) -> None:
    customer = make_customer()
    member = customer_client(customer)
    assert "Sign in to ask" in client.get("/help/en/community/").content.decode()
    response = member.post("/help/en/community/", {"title": "Where is my parcel?", "body": "Ordered last week"})
    assert response.status_code == 302
    question = Question.objects.get()
    url = f"/help/en/community/{question.public_id}/"
    member.post(url + "act/", {"op": "answer", "body": "Check the tracking page."})
    answer = Answer.objects.get()
    member.post(url + "act/", {"op": "accept", "answer": answer.public_id})
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    page = client.get(url).content.decode()
    assert "Check the tracking page." in page and "Accepted answer" in page
    # An agent hides the answer; visitors no longer see it, the agent does.
    agent = Client()
    agent.force_login(make_agent())
    agent.post(url + "act/", {"op": "hide", "answer": answer.public_id})
    assert "Check the tracking page." not in client.get(url).content.decode()
    assert "Check the tracking page." in agent.get(url).content.decode()
    response = agent.post(url + "act/", {"op": "to_article", "answer": answer.public_id, "section": section.pk})
    assert response.status_code == 302 and response["Location"].startswith("/kb/")
    # Visitors cannot post.
    assert client.post(url + "act/", {"op": "answer", "body": "spam"}).status_code == 404
