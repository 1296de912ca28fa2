"""A synthetic index of N passages (default one million), made from a real index, to measure scale.

    python -m eval.scale --index data/index --n 1000000 [--out DIR] [--json OUT]
    ofsted-qa bench --index data/index --scale 1000000

Real passage texts are repeated with variations (sentences rotated, a word from elsewhere in the
corpus added) in synthetic documents that keep the real authorities, report types and grades, over
2010-2025; their real embeddings are perturbed (mixed with another passage's vector and Gaussian
noise, cosine about 0.85 to the original) so vectors look like real ones but are not duplicates.
The SQLite store holds documents, chunks, their embeddings and the FTS5 table; it leaves out page
text, which search never reads (the FAISS file is written directly).

Reported: build time per phase and peak RSS; ANN recall@10 against exact search for the eval
questions' real embeddings; then, in a fresh process as a server would load it: load time, peak
RSS, and dense / lexical / hybrid p50/p95 over the eval workload with filters.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eval.measure import QUESTIONS, machine, peak_rss_mb, query_latency, query_workload, run_child, show

PASSAGES_PER_DOC = 130  # about what a real report has
NOISE = 0.45  # norm of the Gaussian perturbation added to each unit vector
MIX = 0.3  # weight of another passage's vector mixed in


def _source(index_dir: str | Path) -> tuple[list[dict], dict[int, dict], np.ndarray]:
    """The real index's chunks, documents and vectors (read only)."""
    from index.report_index import DB_NAME
    from index.store import ChunkStore

    store = ChunkStore(Path(index_dir) / DB_NAME, read_only=True)
    rows = [dict(r) for r in store.db.execute(
        "SELECT id, doc_id, text, section, page_start, page_end, char_start, char_end, paragraphs FROM chunks "
        "ORDER BY doc_id, ordinal")]
    docs = {r["id"]: dict(r) for r in store.db.execute("SELECT * FROM documents")}
    vectors = store.vectors_for_chunks(np.array([r["id"] for r in rows], dtype=np.int64), 384)
    store.close()
    return rows, docs, vectors


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _vary(text: str, round_: int, extra_word: str) -> str:
    sentences = _SENTENCE.split(text)
    if len(sentences) > 1 and round_:
        shift = round_ % len(sentences)
        sentences = sentences[shift:] + sentences[:shift]
    return " ".join(sentences) + (f" {extra_word}" if round_ else "")


def build(index_dir: str | Path, out_dir: str | Path, n: int, seed: int = 0) -> dict:
    """Write a synthetic index of n passages into out_dir; return build figures and ANN recall."""
    from index import lexical, passage_words
    from index.embed import MINILM_NAME, NumpyMiniLMEmbedder
    from index.report_index import DB_NAME, VECTORS_NAME
    from index.store import ChunkStore
    from index.vectors import VectorIndex, exact_top_rows, recall_at_k

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    rows, docs, base = _source(index_dir)
    if not rows:
        raise SystemExit(f"{index_dir} holds no passages to repeat")
    vocabulary = sorted({w for r in rows[:2000] for w in re.findall(r"[a-z]{6,}", r["text"].lower())})
    by_doc: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        by_doc.setdefault(r["doc_id"], []).append(i)
    src_docs = sorted(by_doc)
    timings["read_source_s"] = time.perf_counter() - t

    # Synthetic documents and which source passage each synthetic passage repeats.
    t = time.perf_counter()
    store = ChunkStore(out_dir / DB_NAME)
    store.check_or_set_model(MINILM_NAME, 384)
    db = store.db
    db.execute("PRAGMA synchronous=OFF")
    db.execute("DROP TRIGGER IF EXISTS chunks_ai")  # FTS is rebuilt in one pass after the bulk insert
    source_of = np.zeros(n, dtype=np.int64)
    chunk_rows = []
    doc_rows = []
    made = 0
    d = 0
    while made < n:
        src = docs[src_docs[d % len(src_docs)]]
        round_ = d // len(src_docs)
        doc_id = d + 1
        year = 2010 + (d * 7) % 16
        doc_rows.append((doc_id, hashlib.sha256(f"synthetic {d}".encode()).hexdigest(), src["local_authority"],
                         src["authority_key"], src["report_type"], src["title"], f"{year}-03-01", f"{year}-03-12",
                         f"{year}-05-01", "report", src["lead_inspector"], src["overall_grade"], src["judgements"],
                         src["n_pages"]))
        for ordinal, i in enumerate(by_doc[src_docs[d % len(src_docs)]]):
            if made >= n:
                break
            r = rows[i]
            text = _vary(r["text"], round_, vocabulary[(made * 7919) % len(vocabulary)] if vocabulary else "")
            chunk_rows.append((made + 1, doc_id, ordinal, text, f"s{made:x}", r["page_start"], r["page_end"],
                               r["char_start"], r["char_end"], r["section"], r["paragraphs"]))
            source_of[made] = i
            made += 1
        d += 1
        if len(chunk_rows) >= 50_000:
            _insert(db, doc_rows, chunk_rows)
            doc_rows, chunk_rows = [], []
    _insert(db, doc_rows, chunk_rows)
    db.executemany("INSERT INTO document_paths(path, doc_id) VALUES (?, ?)",
                   [(f"/synthetic/report_{i:07d}.pdf", i) for i in range(1, d + 1)])
    db.commit()
    timings["sqlite_rows_s"] = time.perf_counter() - t
    t = time.perf_counter()
    db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
    db.commit()
    timings["fts_build_s"] = time.perf_counter() - t
    store.close()

    # Perturbed real vectors.
    t = time.perf_counter()
    data = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        part = source_of[start : start + 100_000]
        other = base[rng.integers(0, len(base), len(part))]
        noise = rng.standard_normal((len(part), base.shape[1])).astype(np.float32)
        noise *= NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
        v = base[part] + MIX * other + noise
        data[start : start + len(part)] = v / np.linalg.norm(v, axis=1, keepdims=True)
    timings["vectors_s"] = time.perf_counter() - t
    # The stored embeddings too: search reads candidates' vectors from the store (their similarity
    # shown, the learned stage's cosines), as it does in a real index.
    t = time.perf_counter()
    db = sqlite3.connect(out_dir / DB_NAME)
    db.execute("PRAGMA synchronous=OFF")
    for start in range(0, n, 100_000):
        db.executemany("INSERT INTO embeddings(embed_hash, vector) VALUES (?, ?)",
                       ((f"s{i:x}", data[i].tobytes()) for i in range(start, min(n, start + 100_000))))
    db.commit()
    db.close()
    timings["sqlite_embeddings_s"] = time.perf_counter() - t
    # What an ingest writes at its end: the keyword postings in memory and the passages' words.
    db = sqlite3.connect(out_dir / DB_NAME)
    t = time.perf_counter()
    built_postings = lexical.refresh(db, out_dir)
    timings["lexical_postings_s"] = time.perf_counter() - t
    t = time.perf_counter()
    built_words = passage_words.refresh(db, out_dir)
    timings["passage_words_s"] = time.perf_counter() - t
    db.close()
    t = time.perf_counter()
    vectors = VectorIndex(384)
    vectors.add(np.arange(1, n + 1, dtype=np.int64), data)
    timings["faiss_build_s"] = time.perf_counter() - t
    t = time.perf_counter()
    vectors.save(out_dir / VECTORS_NAME)
    timings["faiss_save_s"] = time.perf_counter() - t

    # ANN recall@10 for the eval questions' real embeddings, against exact search over the same data.
    embedder = NumpyMiniLMEmbedder()
    from eval.matching import load_questions

    queries = embedder.encode([q["question"] for q in load_questions(str(QUESTIONS))])
    truth = exact_top_rows(queries, data, 10) + 1  # chunk ids are row + 1
    found = np.full((len(queries), 10), -1, dtype=np.int64)
    for row, q in enumerate(queries):
        hits = [i for i, _ in vectors.search(q, 10)]
        found[row, : len(hits)] = hits
    index = vectors._ivf()
    out = {
        "n": n, "source_passages": len(rows), "documents": d,
        "build_s": {k: round(v, 1) for k, v in timings.items()},
        "build_total_s": round(sum(timings.values()), 1),
        "vector_index": type(index).__name__, "approximate": vectors.approximate,
        "nlist": int(getattr(index, "nlist", 0)), "nprobe": int(getattr(index, "nprobe", 0)),
        "recall_at_10_eval_questions": round(recall_at_k(found, truth), 4),
        "lexical_postings": built_postings, "passage_words": built_words,
        "build_peak_rss_mb": peak_rss_mb(),
        "disk_mb": round(sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file()) / 1e6, 1),
    }
    return out


def _insert(db: sqlite3.Connection, doc_rows: list, chunk_rows: list) -> None:
    db.executemany(
        "INSERT INTO documents(id, sha256, local_authority, authority_key, report_type, title, inspection_start, "
        "inspection_end, published, published_source, lead_inspector, overall_grade, judgements, n_pages) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", doc_rows)
    db.executemany(
        "INSERT INTO chunks(id, doc_id, ordinal, text, embed_hash, page_start, page_end, char_start, char_end, "
        "section, paragraphs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk_rows)


def query_child(out_dir: str, queries: int = 234) -> dict:
    """Load the synthetic index as a server would (its question embedder too) and time dense, lexical
    and hybrid queries."""
    from index.embed import load_embedder
    from index.report_index import ReportIndex

    t = time.perf_counter()
    embedder = load_embedder(queries_only=True, long_lived=True)
    index = ReportIndex.load(out_dir, embedder=embedder, read_only=True)
    load_s = time.perf_counter() - t
    workload = query_workload(QUESTIONS, rounds=max(2, -(-queries // 117)))
    out = {"load_s": round(load_s, 2), "embedder": type(embedder).__name__,
           "keyword_ranking": "in memory" if index.searcher.corpus.lexical_scorer() is not None else "FTS5"}
    for retriever in ("dense", "lexical", "hybrid"):
        out[retriever] = query_latency(index, workload, retriever=retriever)
    unfiltered = [(q, {}) for q, _ in workload]
    out["hybrid_unfiltered"] = query_latency(index, unfiltered, retriever="hybrid")
    index.close()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run_scale(index_dir: str | Path, n: int, out_dir: str | Path | None = None, keep: bool = False) -> dict:
    report: dict = {"machine": machine(), "source_index": str(index_dir)}
    with tempfile.TemporaryDirectory(prefix="ofsted-scale-", dir=str(out_dir) if out_dir else None) as tmp:
        target = Path(tmp) / f"synthetic-{n}"
        report["build"] = build(index_dir, target, n)
        _show("build", report["build"])
        root = Path(__file__).resolve().parent.parent
        child = [sys.executable, "-X", "faulthandler", "-m", "eval.scale", "_query", str(target)]
        code, stdout, stderr = run_child(child, root)
        if code != 0:
            raise RuntimeError(f"query child failed: {stderr[-2000:]}")
        report["query"] = json.loads(stdout.strip().splitlines()[-1])
        _show("query", report["query"])
        if keep:
            import shutil

            shutil.copytree(target, Path(out_dir or ".") / target.name, dirs_exist_ok=True)
    return report


def _show(name: str, data: dict) -> None:
    show(f"scale {name}", data)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_query":
        print(json.dumps(query_child(argv[1])))
        return 0
    parser = argparse.ArgumentParser(prog="python -m eval.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="a real index whose passages and vectors are repeated")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--out", default=None, help="folder for the temporary synthetic index (default: /tmp)")
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args(argv)
    report = run_scale(args.index, args.n, args.out)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
