"""Retrieval quality and speed on Banking77 (CC BY 4.0, ../shared/data/banking77).

The 10,003 train questions are indexed as answered questions (each labelled with its intent);
the 3,080 test questions are asked. Prints top-1 intent accuracy (nearest indexed question, and a
k-nearest vote), recall@5 (the right intent among the intents of the 5 best hits), query latency
p50/p99 wall and CPU time (embedding the query + hybrid search, one thread), indexing throughput
and peak memory. Wall time includes waiting for a core: on a busy machine compare the CPU time and
the load average printed with it.
Nothing is trained on test. Vectors of the train questions can be kept in a cache file (--cache)
so reruns skip the embedding; the throughput printed is then from the run that wrote it.

    .venv/bin/python bench/kb_bench.py [--data DIR] [--limit N] [--cache FILE] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

# One core: the embedding engine (OpenMP) and numpy's BLAS each on one thread, set before they load.
os.environ.setdefault("HELPLINE_EMBED_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

from helpline.assist import embeddings  # noqa: E402
from helpline.assist.retrieval import Document, HybridIndex  # noqa: E402

PUBLISHED = 0.937  # Casanueva et al. 2020, best fine-tuned sentence encoder, full training data
DEFAULT_DATA = next(
    (
        folder / "shared" / "data" / "banking77"
        for folder in Path(__file__).resolve().parents[1:]  # beside the checkout, or a worktree's
        if (folder / "shared" / "data" / "banking77").is_dir()
    ),
    Path("../shared/data/banking77"),
)


def read(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def embed_train(texts: list[str], cache: Path | None) -> tuple[np.ndarray, float]:
    if cache and cache.exists():
        data = np.load(cache)
        if data["vectors"].shape[0] == len(texts):
            return data["vectors"], float(data["rate"])
    start = time.perf_counter()
    vectors = np.concatenate([embeddings.embed_passages(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    rate = len(texts) / (time.perf_counter() - start)
    if cache:
        np.savez(cache, vectors=vectors, rate=rate)
    return vectors, rate


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N test questions")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--k", type=int, default=10, help="neighbours in the vote")
    parser.add_argument("--every", type=int, default=1, help="ask every Nth test question (quick comparisons)")
    args = parser.parse_args()

    train = read(args.data / "train.csv")
    test = read(args.data / "test.csv")
    test = test[:: max(1, args.every)]
    if args.limit:
        test = test[: args.limit]
    load_before = os.getloadavg()
    vectors, rate = embed_train([t for t, _c in train], args.cache)
    start = time.perf_counter()
    index = HybridIndex([Document(i, text, vectors[i]) for i, (text, _c) in enumerate(train)])
    build_s = time.perf_counter() - start

    embeddings.limit_blas_threads(1)
    for text, _intent in test[:20]:  # warm up: the model's first pages, the allocator, the caches
        index.search(text, limit=args.k)

    top1 = vote1 = recall5 = 0
    latencies = []
    cpu_latencies = []  # CPU time of this thread: the query's cost without other processes' share
    embed_cpu = []  # of which embedding the question
    for text, intent in test:
        t0, c0 = time.perf_counter(), time.thread_time()
        vector = index.embed_query(text)
        c1 = time.thread_time()
        hits = index.search(text, limit=args.k, query_vector=vector)
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu_latencies.append((time.thread_time() - c0) * 1000)
        embed_cpu.append((c1 - c0) * 1000)
        intents = [train[h.key][1] for h in hits]
        top1 += intents[0] == intent
        votes: dict[str, float] = defaultdict(float)
        for hit, hit_intent in zip(hits, intents, strict=True):
            votes[hit_intent] += hit.score
        vote1 += max(votes, key=lambda k: votes[k]) == intent
        recall5 += intent in intents[:5]
    n = len(test)
    unsorted_cpu = list(cpu_latencies)
    latencies.sort()
    cpu_latencies.sort()
    result = {
        "indexed": len(train),
        "asked": n,
        "top1_nearest": round(top1 / n, 4),
        "top1_vote": round(vote1 / n, 4),
        "recall_at_5": round(recall5 / n, 4),
        "published_finetuned_top1": PUBLISHED,
        "query_ms_p50": round(statistics.median(latencies), 2),
        "query_ms_p99": round(latencies[min(n - 1, int(n * 0.99))], 2),
        "query_cpu_ms_p50": round(statistics.median(cpu_latencies), 2),
        "query_cpu_ms_p99": round(cpu_latencies[min(n - 1, int(n * 0.99))], 2),
        "embed_cpu_ms_p50": round(statistics.median(embed_cpu), 2),
        "search_cpu_ms_p50": round(statistics.median(c - e for c, e in zip(unsorted_cpu, embed_cpu, strict=True)), 2),
        "index_embed_items_per_s": round(rate, 1),
        "index_build_s": round(build_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "vector_matrix_mb": round(index.matrix.nbytes / 2**20, 1),
        "query_tokens_embedded": embeddings.query_tokens(),
        "intents": len(Counter(c for _t, c in train)),
        "load_average_before": load_before,
        "load_average": os.getloadavg(),
    }
    print(f"Banking77: {len(train)} train questions indexed, {n} test questions asked")
    print(f"  top-1 intent accuracy (nearest question): {result['top1_nearest']:.3f}")
    print(f"  top-1 intent accuracy (vote of {args.k} nearest): {result['top1_vote']:.3f}   target >= 0.88")
    print(f"  published fine-tuned models: about {PUBLISHED:.2f}")
    print(f"  recall@5: {result['recall_at_5']:.3f}")
    print(
        f"  questions embedded within {result['query_tokens_embedded']} tokens (HELPLINE_QUERY_TOKENS),"
        " longer ones dropping their commonest words first"
    )
    print(f"  query latency p50 {result['query_ms_p50']} ms, p99 {result['query_ms_p99']} ms   target p99 <= 50 ms")
    print(
        f"  query CPU time p50 {result['query_cpu_ms_p50']} ms, p99 {result['query_cpu_ms_p99']} ms (this thread only;"
        f" p50 embedding {result['embed_cpu_ms_p50']} ms + search {result['search_cpu_ms_p50']} ms)"
    )
    print(
        f"  indexing: {result['index_embed_items_per_s']} items/s embedded, index built in {result['index_build_s']} s"
    )
    print(
        f"  peak memory: {result['peak_rss_mb']} MB (vectors {result['vector_matrix_mb']} MB);"
        f" load average {load_before} before, {result['load_average']} after"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
