from __future__ import annotations

import threading

import numpy as np

from helpline.assist import embeddings
from helpline.assist.lexical import BM25, terms
from helpline.assist.retrieval import Document, HybridIndex


def test_first_call_may_be_a_query() -> None:
    """Loading the model from embed_query must not deadlock on the embedding lock."""
    saved = embeddings._model
    embeddings._model = None
    embeddings._embed_clipped.cache_clear()
    result: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: result.append(embeddings.embed_query("where is my card")), daemon=True)
    thread.start()
    thread.join(60)
    if not result:
        embeddings._model = saved
    assert result and result[0].shape == (embeddings.DIM,)
    assert abs(float(np.linalg.norm(result[0])) - 1.0) < 1e-3


def test_prefix_terms_match_inflected_forms() -> None:
    assert "მომხმ…" in terms("მომხმარებლის")
    index = BM25(["მომხმარებელი და პაროლი", "ამინდი"])
    scores = index.scores("მომხმარებლის")
    assert scores[0] > 0 and scores[1] == 0


def test_hybrid_index_filters_and_keeps_lexical_only_documents() -> None:
    vectors = embeddings.embed_passages(["Reset your password", "Card delivery times"])
    index = HybridIndex(
        [
            Document("password", "Reset your password", vectors[0]),
            Document("cards", "Card delivery times", vectors[1]),
            Document("fresh", "Password rules for new accounts", None),  # not embedded yet
        ]
    )
    keys = [h.key for h in index.search("password", limit=3)]
    assert keys[0] == "password" and "fresh" in keys
    assert [h.key for h in index.search("password", allow=lambda k: k != "password")] == ["cards", "fresh"]
    assert HybridIndex([]).search("anything") == []


def test_long_questions_without_weights_keep_their_first_tokens() -> None:
    model = embeddings._get_model()
    long_question = "my card payment was declined at the shop yesterday " * 8
    clipped = embeddings.clip_query(model, long_question, 28)
    assert long_question.startswith(clipped) and model.token_count(clipped, True) <= 28
    assert model.token_count(" ".join(long_question.split()[: len(clipped.split()) + 1]), True) > 28
    assert embeddings.clip_query(model, "where is my card", 24) == "where is my card"
    first, again = embeddings.embed_query(long_question), embeddings.embed_query(long_question)
    assert first is again and not first.flags.writeable  # asked again: from the cache


def test_long_questions_drop_their_commonest_words_first() -> None:
    model = embeddings._get_model()
    corpus = BM25([f"how do I get my {thing} for the account" for thing in ("card", "pin", "refund", "statement")])
    question = "Hello, how do I get the money for my account back because the top-up with my card was declined"
    assert model.token_count(question, True) > 20
    clipped = embeddings.clip_query(model, question, 20, corpus.word_weight)
    assert model.token_count(clipped, True) <= 20
    kept = clipped.split()
    assert {"money", "back", "top-up", "card", "declined"} <= set(kept)  # rare or unseen in the corpus
    assert "the" not in kept and "my" not in kept  # in every document: dropped first
    assert kept == [w for w in question.split() if w in kept]  # in the question's order
    assert corpus.word_weight("...") < corpus.word_weight("the") < corpus.word_weight("card")
