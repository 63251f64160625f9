from __future__ import annotations

import pytest

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.knowledge import actions
from helpline.knowledge.models import ArticleTranslation, Visibility
from helpline.knowledge.search import search_articles
from tests.factories import make_agent
from tests.knowledge.fixtures import CROSS_LANGUAGE, QUESTIONS

pytestmark = pytest.mark.django_db


def test_questions_in_five_languages_find_their_article(kb: dict[str, ArticleTranslation]) -> None:
    for language, question, expected in QUESTIONS:
        hits = search_articles(question, language=language)
        assert hits, question
        assert hits[0].translation.article.key == expected, (question, [h.translation.article.key for h in hits])


def test_cross_language_questions(kb: dict[str, ArticleTranslation]) -> None:
    for language, question, expected in CROSS_LANGUAGE:
        hits = search_articles(question, language=language)
        top = hits[0]
        assert top.translation.article.key == expected, question
        assert top.matched_language != language  # the article only exists in another language


def test_hit_is_shown_in_the_readers_language(kb: dict[str, ArticleTranslation]) -> None:
    hits = search_articles("How to request a refund", language="ka")
    assert hits[0].translation.article.key == "refund"
    assert hits[0].translation.language == "ka" and hits[0].matched_language == "en"


def test_agents_only_articles_are_hidden_from_visitors(kb: dict[str, ArticleTranslation]) -> None:
    article = kb["reset-password"].article
    actions.update_article(actor=Actor.system(), article=article, visibility=Visibility.AGENTS)
    visitor = [h.translation.article.key for h in search_articles("forgot my password", language="en")]
    agent = [
        h.translation.article.key
        for h in search_articles("forgot my password", language="en", actor=Actor.of_agent(make_agent()))
    ]
    assert "reset-password" not in visitor
    assert agent[0] == "reset-password"


def test_unpublished_articles_are_not_found(kb: dict[str, ArticleTranslation]) -> None:
    actions.unpublish(actor=Actor.system(), translation=kb["card-delivery"])
    keys = [h.translation.article.key for h in search_articles("When will my card arrive?", language="en")]
    assert "card-delivery" not in keys


@pytest.mark.parametrize("query", ["", "   ", "x" * 501, "abc\x00def"])
def test_bad_queries_are_refused_clearly(query: str) -> None:
    with pytest.raises(InvalidInputError):
        search_articles(query)


def test_answering_never_embeds_the_articles(
    kb: dict[str, ArticleTranslation], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is built from the stored vectors (a fresh process, too); only the question is embedded."""
    from helpline.assist import embeddings
    from helpline.assist.models import Embedding
    from helpline.knowledge import search

    assert Embedding.objects.filter(source=search.EMBEDDING_SOURCE).count() == len(
        ArticleTranslation.objects.filter(is_published=True)
    )

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a passage was embedded while answering")

    monkeypatch.setattr(embeddings, "embed_passages", refuse)
    monkeypatch.setattr(embeddings, "embed_passage_cached", refuse)
    monkeypatch.setattr(search, "_cache", None)  # as in a process that has not searched yet
    questions = []
    real_query = embeddings.embed_query

    def counted(text: str, *args: object) -> object:
        questions.append(text)
        return real_query(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(embeddings, "embed_query", counted)
    hits = search_articles("Нууц үгээ мартчихлаа", language="mn")
    assert hits[0].translation.article.key == "reset-password"
    assert questions == ["Нууц үгээ мартчихлаа"]
