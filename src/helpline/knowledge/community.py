"""Community Q&A writes: customers and agents ask and answer, vote, report; the asker or an agent
accepts an answer; agents moderate (hide, show) and turn a good answer into a draft article.
Posts are Markdown rendered with raw HTML escaped and the result sanitised. A post reported by
`AUTO_HIDE_REPORTS` different people is hidden until a moderator looks at it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from helpline.assist.language import detect_language
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.knowledge import actions
from helpline.knowledge.markdown import render_markdown
from helpline.knowledge.models import Answer, ArticleTranslation, PostReport, PostVote, Question, Section

MAX_POST = 20_000
AUTO_HIDE_REPORTS = 3


def _who(actor: Actor) -> str:
    if actor.customer is not None:
        return f"c{actor.customer.pk}"
    if actor.agent is not None and actor.agent.is_active:
        return f"a{actor.agent.pk}"
    raise NotPermittedError(_("Sign in to take part in the community."))


def _is_moderator(actor: Actor) -> bool:
    return actor.agent is not None and actor.agent.is_active


def _clean_post(text: str, *, required: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise InvalidInputError(_("The text contains binary data."), code="post_binary")
    if required and not text:
        raise InvalidInputError(_("Write something first."), code="post_empty")
    if len(text) > MAX_POST:
        raise InvalidInputError(_("The text is too long."), code="post_too_long")
    return text


def ask_question(*, actor: Actor, title: str, body: str = "") -> Question:
    _who(actor)
    title = _clean_post(title)[:250]
    body = _clean_post(body, required=False)
    language = detect_language(f"{title}\n{body}").language
    return Question.objects.create(
        author_customer=actor.customer,
        author_agent=actor.agent,
        title=title,
        body=body,
        body_html=render_markdown(body),
        language=language,
    )


def answer_question(*, actor: Actor, question: Question, body: str) -> Answer:
    _who(actor)
    if question.is_hidden and not _is_moderator(actor):
        raise NotPermittedError(_("This question is hidden."))
    body = _clean_post(body)
    return Answer.objects.create(
        question=question,
        author_customer=actor.customer,
        author_agent=actor.agent,
        body=body,
        body_html=render_markdown(body),
    )


def vote(*, actor: Actor, value: int, question: Question | None = None, answer: Answer | None = None) -> int:
    """Vote +1 or -1 (0 withdraws the vote); returns the post's new score."""
    voter = _who(actor)
    if value not in (-1, 0, 1) or (question is None) == (answer is None):
        raise InvalidInputError(_("Vote up or down."), code="invalid_vote")
    target = {"question": question} if question is not None else {"answer": answer}
    with transaction.atomic():
        if value == 0:
            PostVote.objects.filter(voter=voter, **target).delete()
        else:
            PostVote.objects.update_or_create(voter=voter, **target, defaults={"value": value})
        score = PostVote.objects.filter(**target).aggregate(total=Sum("value"))["total"] or 0
        model = Question if question is not None else Answer
        post = question if question is not None else answer
        assert post is not None
        model.objects.filter(pk=post.pk).update(score=score)
    return int(score)


def accept_answer(*, actor: Actor, answer: Answer) -> Question:
    question = answer.question
    is_asker = actor.customer is not None and question.author_customer_id == actor.customer.pk
    is_asker = is_asker or (actor.agent is not None and question.author_agent_id == actor.agent.pk)
    if not (is_asker or _is_moderator(actor)):
        raise NotPermittedError(_("Only the person who asked, or an agent, can accept an answer."))
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])
    return question


def report_post(
    *, actor: Actor, question: Question | None = None, answer: Answer | None = None, reason: str = ""
) -> None:
    reporter = _who(actor)
    if (question is None) == (answer is None):
        raise InvalidInputError(_("Report a question or an answer."), code="invalid_report")
    target = {"question": question} if question is not None else {"answer": answer}
    try:
        with transaction.atomic():
            PostReport.objects.create(reporter=reporter, reason=(reason or "")[:250], **target)
    except IntegrityError:
        return  # reported already by this person
    model = Question if question is not None else Answer
    post = question if question is not None else answer
    assert post is not None
    model.objects.filter(pk=post.pk).update(reports=F("reports") + 1)
    model.objects.filter(pk=post.pk, reports__gte=AUTO_HIDE_REPORTS).update(is_hidden=True)


def moderate(*, actor: Actor, hidden: bool, question: Question | None = None, answer: Answer | None = None) -> None:
    if not _is_moderator(actor) or actor.agent is None or actor.agent.is_light_agent:
        raise NotPermittedError(_("Only agents can moderate the community."))
    if question is not None:
        Question.objects.filter(pk=question.pk).update(is_hidden=hidden, reports=0 if not hidden else F("reports"))
    if answer is not None:
        Answer.objects.filter(pk=answer.pk).update(is_hidden=hidden, reports=0 if not hidden else F("reports"))


def answer_to_article(*, actor: Actor, answer: Answer, section: Section) -> ArticleTranslation:
    """A draft article from a good answer: the question's title, the answer's text."""
    question = answer.question
    translation = actions.create_article(
        actor=actor,
        section=section,
        language=question.language or "en",
        title=question.title,
        body=answer.body,
    )
    Answer.objects.filter(pk=answer.pk).update(article=translation.article)
    return translation
