"""BM25 over a small in-memory inverted index. Words are split on Unicode word boundaries and
lower-cased; nothing stems Georgian, Amharic, Mongolian or Telugu, so every longer word also
indexes its first letters as a prefix term, which matches inflected forms."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
PREFIX = 5
K1 = 1.2
B = 0.75


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
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(max(self.size, 1), dtype=np.float32)
        for index, text in enumerate(documents):
            counts = Counter(terms(text))
            lengths[index] = sum(counts.values())
            for term, count in counts.items():
                self.postings[term].append((index, count))
        self.lengths = lengths
        self.average = float(lengths.mean()) if self.size else 1.0
        self.norms = K1 * (1 - B + B * lengths / (self.average or 1.0))
        # Postings as arrays, so a query scores all documents of a term in one numpy step.
        self.arrays = {
            term: (
                np.fromiter((i for i, _tf in items), dtype=np.int64),
                np.fromiter((tf for _i, tf in items), dtype=np.float32),
            )
            for term, items in self.postings.items()
        }

    def _idf(self, matches: int) -> float:
        return math.log(1 + (self.size - matches + 0.5) / (matches + 0.5))

    def ceiling(self, query: str) -> float:
        """What a document holding every query term would score, about: BM25 scores divided by
        this say how much of the question a document covers (0 to about 1)."""
        return sum(self._idf(len(self.postings.get(term, ()))) * (K1 + 1) / (1 + K1) for term in set(terms(query)))

    def scores(self, query: str) -> np.ndarray:
        result = np.zeros(self.size, dtype=np.float32)
        if not self.size:
            return result
        for term in set(terms(query)):
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = self._idf(len(postings))
            index, tf = self.arrays[term]
            result[index] += idf * tf * (K1 + 1) / (tf + self.norms[index])
        return result
