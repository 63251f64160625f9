"""BM25 over a small in-memory inverted index. Words are split on Unicode word boundaries and
lower-cased; nothing stems Georgian, Amharic, Mongolian or Telugu, so every longer word also
indexes its first letters as a prefix term, which matches inflected forms.

Document lengths never change after the index is built, so each posting keeps its finished BM25
weight (idf × saturated term frequency): a query only adds up the postings of its terms."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
PREFIX = 5
K1 = 1.2
B = 0.75


@lru_cache(maxsize=4096)
def _query_terms(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms(text)))  # unique, in order


def terms(text: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
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
        norms = K1 * (1 - B + B * lengths / (self.average or 1.0))
        self.idf: dict[str, float] = {}
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, items in postings.items():
            rows = np.fromiter((i for i, _tf in items), dtype=np.int32, count=len(items))
            tf = np.fromiter((tf for _i, tf in items), dtype=np.float32, count=len(items))
            idf = self._idf(len(items))
            self.idf[term] = idf
            self.postings[term] = (rows, (idf * tf * (K1 + 1) / (tf + norms[rows])).astype(np.float32))

    def _idf(self, matches: int) -> float:
        return math.log(1 + (self.size - matches + 0.5) / (matches + 0.5))

    def ceiling(self, query: str) -> float:
        """What a document holding every query term would score, about: BM25 scores divided by
        this say how much of the question a document covers (0 to about 1)."""
        unseen = self._idf(0)
        return sum(self.idf.get(term, unseen) for term in _query_terms(query))

    def scores(self, query: str) -> np.ndarray:
        result = np.zeros(self.size, dtype=np.float32)
        for term in _query_terms(query):
            posting = self.postings.get(term)
            if posting is not None:
                index, weight = posting
                result[index] += weight  # a term's postings name each document once
        return result
