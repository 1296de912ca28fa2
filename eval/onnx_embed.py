"""Measure the ONNX Runtime forms of all-MiniLM-L6-v2 against sentence-transformers (issue 21).

Two commands:

    python -m eval.onnx_embed speed [--passages 2000 --reports 40 --rounds 8] [--json OUT] [LABEL=FILE.onnx ...]
        Passages per second as ingest embeds them (calls of BATCH_PASSAGES passages, batches of
        EMBED_BATCH, sorted by length), for torch fp32 and each ONNX variant, timed alternately in this
        one process: each round embeds the next slice of the passages with every embedder, call by
        call, in an order that rotates, so a load on the machine falls on all of them alike. Medians over the rounds and
        their ratio to torch; and each variant's cosine to torch's vectors over all the passages (mean,
        min). Passages are real: every passage of `--reports` reports drawn from the index, spread.
        Extra LABEL=FILE.onnx arguments time other graphs (e.g. other int8 recipes) the same way.

    python -m eval.onnx_embed swap --index COPY --embedder NAME
        Re-embed, in place, every passage, corpus word and recommendation point of COPY (a copy of an
        index: never the original) with the embedder NAME (index/embed.py EMBEDDERS), rebuild its
        vector file and record the embedder's model name, so that

            OFSTED_QA_EMBEDDER=NAME ofsted-qa eval eval/questions.jsonl --index COPY --json OUT

        measures retrieval as if the index had been built with it (the questions embedded by NAME too).
        The themes are left as they were (they are labels, not used by retrieval).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from index.build import BATCH_PASSAGES
from index.location import DB_NAME
from index.report_index import EMBED_BATCH, VECTORS_NAME, WORD_BATCH


def sample_passages(index: Path, reports: int, limit: int, seed: int = 7) -> tuple[list[str], int]:
    """Up to `limit` passages (as the model reads them) spread over `reports` reports drawn at random."""
    from index.store import embed_input
    from ingest.models import Chunk

    db = sqlite3.connect(f"file:{index / DB_NAME}?mode=ro", uri=True)
    try:
        docs = [d for (d,) in db.execute("SELECT id FROM documents ORDER BY id")]
        chosen = sorted(np.random.default_rng(seed).choice(docs, min(reports, len(docs)), replace=False).tolist())
        texts = []
        for doc in chosen:
            for section, text in db.execute("SELECT section, text FROM chunks WHERE doc_id = ? ORDER BY ordinal",
                                            (doc,)):
                texts.append(embed_input(Chunk(ordinal=0, text=text, section=section, page_start=0, page_end=0,
                                               char_start=0, char_end=0)))
    finally:
        db.close()
    step = max(1, len(texts) // limit)
    return texts[::step][:limit], len(chosen)


def embed_like_ingest(embedder, texts: list[str]) -> np.ndarray:
    """As index/build.py and ReportIndex.embed_new call the model: BATCH_PASSAGES at a time, EMBED_BATCH a batch."""
    parts = [embedder.encode(texts[i : i + BATCH_PASSAGES], batch_size=EMBED_BATCH)
             for i in range(0, len(texts), BATCH_PASSAGES)]
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)


def speed(args: argparse.Namespace) -> dict:
    from index.embed import OnnxMiniLMEmbedder, SentenceTransformerEmbedder

    texts, n_reports = sample_passages(Path(args.index), args.reports, args.passages)
    print(f"{len(texts)} passages from {n_reports} reports; {args.rounds} rounds; {args.threads} threads",
          file=sys.stderr)
    embedders = {"torch fp32": SentenceTransformerEmbedder(threads=args.threads)}
    for variant in ("fp32", "opt", "int8"):
        embedders[f"onnx {variant}"] = OnnxMiniLMEmbedder(variant, threads=args.threads)
    for extra in args.extra:
        label, _, path = extra.partition("=")
        embedders[label] = OnnxMiniLMEmbedder("int8", model_file=path, threads=args.threads)
    for embedder in embedders.values():  # warm: first-call allocations are not throughput
        embedder.encode(texts[:EMBED_BATCH], batch_size=EMBED_BATCH)
    names = list(embedders)
    seconds: dict[str, list[float]] = {n: [] for n in names}
    vectors: dict[str, list[np.ndarray]] = {n: [] for n in names}
    size = len(texts) // args.rounds
    calls = 0
    for r in range(args.rounds):
        part = texts[r * size : (r + 1) * size]
        for n in names:
            seconds[n].append(0.0)
        # Call by call (BATCH_PASSAGES passages, as ingest calls the model), every embedder in turn,
        # the order rotating: a load that comes and goes on this shared machine falls on all alike.
        for start in range(0, len(part), BATCH_PASSAGES):
            call = part[start : start + BATCH_PASSAGES]
            for name in names[calls % len(names):] + names[: calls % len(names)]:
                began = time.perf_counter()
                vectors[name].append(embedders[name].encode(call, batch_size=EMBED_BATCH))
                seconds[name][-1] += time.perf_counter() - began
            calls += 1
        print(f"round {r + 1}: " + ", ".join(f"{n} {len(part) / seconds[n][-1]:.1f}" for n in names), file=sys.stderr)
    rates = {n: [size / s for s in seconds[n]] for n in names}
    reference = np.vstack(vectors["torch fp32"])
    base = statistics.median(rates["torch fp32"])
    out = {"passages": size * args.rounds, "reports": n_reports, "rounds": args.rounds, "threads": args.threads,
           "embed_batch": EMBED_BATCH, "call_passages": BATCH_PASSAGES, "variants": {}}
    for name in names:
        cosine = (np.vstack(vectors[name]) * reference).sum(1)
        median = statistics.median(rates[name])
        out["variants"][name] = {"passages_per_s": round(median, 2), "ratio_to_torch": round(median / base, 3),
                                 "cosine_mean": float(cosine.mean()), "cosine_min": float(cosine.min()),
                                 "rounds": [round(x, 2) for x in rates[name]]}
        print(f"{name:24s} {median:6.1f} passages/s  x{median / base:.2f}  cosine mean {cosine.mean():.6f} "
              f"min {cosine.min():.6f}")
    return out


def swap(args: argparse.Namespace) -> dict:
    from index.embed import load_embedder
    from index.report_index import ReportIndex

    copy = Path(args.index)
    if args.original and copy.resolve() == Path(args.original).resolve():
        raise SystemExit("swap works on a copy of an index, never the original")
    embedder = load_embedder(args.embedder)
    db = sqlite3.connect(str(copy / DB_NAME))
    started = time.perf_counter()
    counts = {}
    try:
        rows = db.execute("SELECT e.embed_hash, c.section, c.text FROM embeddings e JOIN chunks c "
                          "ON c.embed_hash = e.embed_hash GROUP BY e.embed_hash").fetchall()
        texts = [f"{section}. {text}" if section else text for _, section, text in rows]  # store.embed_input
        vectors = embed_like_ingest(embedder, texts)
        with db:
            db.executemany("UPDATE embeddings SET vector = ? WHERE embed_hash = ?",
                           [(v.astype(np.float32).tobytes(), h) for (h, _, _), v in zip(rows, vectors, strict=True)])
        counts["passages"] = len(rows)
        words = [w for (w,) in db.execute("SELECT word FROM words")]
        vectors = embedder.encode(words, batch_size=WORD_BATCH) if words else []
        with db:
            db.executemany("UPDATE words SET vector = ? WHERE word = ?",
                           [(v.astype(np.float32).tobytes(), w) for w, v in zip(words, vectors, strict=True)])
        counts["words"] = len(words)
        points = db.execute("SELECT v.text_hash, min(r.text) FROM recommendation_vectors v JOIN recommendations r "
                            "ON r.text_hash = v.text_hash GROUP BY v.text_hash").fetchall()
        vectors = embed_like_ingest(embedder, [t for _, t in points])
        with db:
            db.executemany("UPDATE recommendation_vectors SET vector = ? WHERE text_hash = ?",
                           [(v.astype(np.float32).tobytes(), h) for (h, _), v in zip(points, vectors, strict=True)])
        counts["points"] = len(points)
        with db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'model_name'", (embedder.name,))
    finally:
        db.close()
    # The vector file made again from the new vectors, as opening an index repairs one that is missing.
    (copy / VECTORS_NAME).unlink(missing_ok=True)
    ReportIndex.load(copy, embedder=embedder).close()
    out = {"index": str(copy), "embedder": args.embedder, "model_name": embedder.name, **counts,
           "seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.onnx_embed", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("speed", help="passages/s and cosine to torch, variants timed alternately")
    p.add_argument("--index", default="data/full-index", help="the index whose passages are embedded")
    p.add_argument("--passages", type=int, default=2000)
    p.add_argument("--reports", type=int, default=40)
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", help="write the figures here")
    p.add_argument("extra", nargs="*", help="LABEL=FILE.onnx: another graph to time")
    p = sub.add_parser("swap", help="re-embed a COPY of an index with another embedder")
    p.add_argument("--index", required=True, help="the copy to rewrite")
    p.add_argument("--original", default="data/full-index", help="refused as --index")
    p.add_argument("--embedder", required=True)
    p.add_argument("--json", help="write the counts here")
    args = parser.parse_args(argv)
    result = speed(args) if args.command == "speed" else swap(args)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
