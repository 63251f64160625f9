"""BM25 over a small in-memory inverted index. Words are what search sees as words (letters,
combining marks and digits, lower-cased: Telugu vowel signs stay inside their word); nothing stems
Georgian, Amharic, Mongolian or Telugu, so every longer word also indexes its first letters as a
prefix term, which matches inflected forms.

Document lengths never change after the index is built, so each posting keeps its finished BM25
weight (idf × saturated term frequency, at most the idf: a word said twice in a short text covers
the question no more than once): a query only adds up the postings of its terms."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from helpline.search.text import words

PREFIX = 5
K1 = 1.2
B = 0.75


@lru_cache(maxsize=4096)
def _query_terms(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms(text)))  # unique, in order


def terms(text: str) -> list[str]:
    out: list[str] = []
    for word in words(text):
        if word.isdigit() and len(word) > 6:
            continue
        out.append(word)
        if len(word) > PREFIX + 1:
            out.append(word[:PREFIX] + "…")
    return out


class BM25:
    def __init__(self, documents: Sequence[str]):
        self.size = len(documents)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(max(self.size, 1), dtype=np.float32)
        for index, text in enumerate(documents):
            counts = Counter(terms(text))
            lengths[index] = sum(counts.values())
            for term, count in counts.items():
                postings[term].append((index, count))
        self.average = float(lengths.mean()) if self.size else 1.0
        self.unseen = self._idf(0)
        norms = K1 * (1 - B + B * lengths / (self.average or 1.0))
        self.idf: dict[str, float] = {}
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, items in postings.items():
            rows = np.fromiter((i for i, _tf in items), dtype=np.int32, count=len(items))
            tf = np.fromiter((tf for _i, tf in items), dtype=np.float32, count=len(items))
            idf = self._idf(len(items))
            self.idf[term] = idf
            weight = np.minimum(idf * tf * (K1 + 1) / (tf + norms[rows]), idf)
            self.postings[term] = (rows, weight.astype(np.float32))

    def _idf(self, matches: int) -> float:
        return math.log(1 + (self.size - matches + 0.5) / (matches + 0.5))

    def ceiling(self, query: str) -> float:
        """What a document holding every query term would score, about: BM25 scores divided by
        this say how much of the question a document covers (0 to about 1)."""
        return sum(self.idf.get(term, self.unseen) for term in _query_terms(query))

    def word_weight(self, word: str) -> float:
        """How telling one word of a question is: the idf of its rarest term (an unseen word counts
        as rare; punctuation and emoji, having no term, weigh least)."""
        return max((self.idf.get(term, self.unseen) for term in words(word)), default=-1.0)

    def scores(self, query: str) -> np.ndarray:
        result = np.zeros(self.size, dtype=np.float32)
        for term in _query_terms(query):
            posting = self.postings.get(term)
            if posting is not None:
                index, weight = posting
                result[index] += weight  # a term's postings name each document once
        return result
