"""`ofsted-qa bench`: how fast ingest, re-ingest, queries and a cold `ask` are, against the model's own speed.

    ofsted-qa bench [--corpus DIR] [--limit N] [--index DIR] [--json OUT] [--only ITEMS] [--scale N]

Items (docs/PERFORMANCE.md quotes them):
  model    raw embedding throughput on the corpus's own passages (the ceiling for ingest)
  ingest   full ingest into a new index (temporary, or --keep-index DIR): wall, rates, time per stage, peak RSS
  reingest the unchanged corpus again; one file re-saved (same text); one file replaced by another report,
           then re-saved under its own name (its document kept)
  dedup    passages skipped as exact duplicates of passages already embedded
  query    warm hybrid search latency over --index, with filters, query embedding included (p50/p95)
  cold     `ofsted-qa ask` from a new process: wall time and where it goes
  server   peak RSS of the web app serving the eval questions (eval.app_latency in a child process)

Ingest reads the corpus where it lies and never writes to it (the changed-file runs use a copy),
so `--keep-index DIR` leaves an index equal to `ofsted-qa ingest CORPUS --index DIR`.
Ingest runs in a child process so that its peak memory is its own. Timings are wall clock
(time.perf_counter); medians where there are several runs. No unit test asserts a timing.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.measure import QUESTIONS, machine, peak_rss_mb, query_latency, query_workload, run_child, show
from eval.run import percentile

ITEMS = ("model", "ingest", "reingest", "dedup", "query", "stages", "cold", "server")
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "reports"


def corpus_files(corpus: str | Path, limit: int | None = None) -> list[Path]:
    files = sorted(p for p in Path(corpus).rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    return files[:limit] if limit else files


# -- 1. stages and raw model throughput ---------------------------------------------------------
def parse_stages(files: list[Path]) -> tuple[dict, list[str]]:
    """Parse serially, timing PDF text and cleaning+metadata+chunking; return (stats, distinct passages)."""
    from index.report_index import embed_hash
    from index.store import embed_input
    from ingest.chunk import chunk_pages
    from ingest.clean import clean_pages
    from ingest.metadata import extract_metadata
    from ingest.models import Page
    from ingest.pdf import PdfReadError, read_pages

    t_pdf = t_rest = 0.0
    pages = passages = 0
    distinct: dict[str, str] = {}
    for path in files:
        started = time.perf_counter()
        try:
            raw = read_pages(path)
        except PdfReadError:
            continue
        middle = time.perf_counter()
        cleaned = clean_pages(raw)
        extract_metadata(raw)
        chunks = chunk_pages([Page(number=i + 1, raw_text=r, text=c)
                              for i, (r, c) in enumerate(zip(raw, cleaned, strict=True))])
        t_rest += time.perf_counter() - middle
        t_pdf += middle - started
        pages += len(raw)
        passages += len(chunks)
        for chunk in chunks:
            text = embed_input(chunk)
            distinct.setdefault(embed_hash(text), text)
    stats = {"files": len(files), "pages": pages, "passages": passages, "distinct_passages": len(distinct),
             "pdf_text_s": round(t_pdf, 2), "clean_chunk_s": round(t_rest, 2),
             "pages_per_s_one_core": round(pages / max(t_pdf + t_rest, 1e-9), 1)}
    return stats, list(distinct.values())


def model_throughput(embedder, texts: list[str], batch_size: int = 64) -> dict:
    """Raw encode speed on these texts (after one warm-up batch): the ceiling for ingest."""
    if not texts:
        return {}
    embedder.encode(texts[: min(8, len(texts))], batch_size=batch_size)
    tokens = sum(embedder.count_tokens(texts))
    started = time.perf_counter()
    embedder.encode(texts, batch_size=batch_size)
    seconds = time.perf_counter() - started
    return {"passages": len(texts), "tokens": tokens, "seconds": round(seconds, 2),
            "passages_per_s": round(len(texts) / seconds, 2), "tokens_per_s": round(tokens / seconds, 1),
            "mean_tokens": round(tokens / len(texts), 1), "batch_size": batch_size}


# -- 2-4. ingest, re-ingest, duplicates (in a child process) -----------------------------------
def ingest_child(files: list[str], index_dir: str, spare: str | None, workers: int) -> dict:
    """Full ingest, then the re-ingests, instrumented per stage. Run by `python -m eval.bench _ingest`."""
    from index.build import ingest_paths, remove_documents
    from index.embed import load_embedder
    from index.report_index import ReportIndex

    started = time.perf_counter()
    embedder = load_embedder()
    model_load = time.perf_counter() - started
    index = ReportIndex.load(index_dir, embedder=embedder, create=True)
    timers = {"embed": 0.0, "store": 0.0, "save": 0.0}
    embedded: list[str] = []

    def timed(name: str, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timers[name] += time.perf_counter() - t
        return wrapper

    encode = embedder.encode

    def recording_encode(texts, batch_size=32):
        embedded.extend(texts)
        return encode(texts, batch_size=batch_size)

    embedder.encode = recording_encode
    index.embed_new = timed("embed", index.embed_new)
    parse = {"pdf_text": 0.0, "clean_chunk": 0.0}
    upsert = timed("store", index.upsert)

    def counting_upsert(report, *args, **kwargs):
        for key in parse:  # measured in the parser process, alongside embedding
            parse[key] += report.timings.get(key, 0.0)
        return upsert(report, *args, **kwargs)

    index.upsert = counting_upsert
    index.save = timed("save", index.save)

    summary = ingest_paths(index, files, workers=workers, progress=False)
    wall = summary.seconds
    counts = index.store.counts()
    tokens = sum(embedder.count_tokens(embedded)) if embedded else 0
    full = {
        "files": len(files), "added": len(summary.added), "failed": len(summary.failed),
        "pages": counts["pages"], "passages": counts["chunks"], "embedded": len(embedded), "tokens": tokens,
        "wall_s": round(wall, 2), "model_load_s": round(model_load, 2),
        "pages_per_s": round(counts["pages"] / wall, 2), "passages_per_s": round(counts["chunks"] / wall, 2),
        "embedded_per_s": round(len(embedded) / wall, 2), "tokens_per_s": round(tokens / wall, 1),
        "stage_s": {"embedding": round(timers["embed"], 2), "storing_indexing": round(timers["store"], 2),
                    "saving_faiss": round(timers["save"], 2),
                    "waiting_for_parser": round(max(0.0, wall - sum(timers.values())), 2),
                    "pdf_text_in_parser": round(parse["pdf_text"], 2),
                    "clean_chunk_in_parser": round(parse["clean_chunk"], 2)},
        "peak_rss_mb": peak_rss_mb(),
        # The parser is forked from this process: its figure counts the pages it shares with it.
        "parser_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }
    dedup = {"passages": counts["chunks"], "distinct_embeddings": counts["distinct_embeddings"],
             "skipped_duplicates": counts["chunks"] - counts["distinct_embeddings"],
             "embedded_once": len(embedded) == len(set(embedded))}

    reingest: dict = {}
    runs = []
    for _ in range(3):
        runs.append(ingest_paths(index, files, workers=workers, progress=False).seconds)
    reingest["unchanged_s"] = round(statistics.median(runs), 3)
    reingest["unchanged_share_of_full"] = round(reingest["unchanged_s"] / wall, 4)
    # One changed file, on a copy (the corpus itself is never written): first the copy as it is (a
    # known report under a new name), then re-saved (new bytes, so a new sha256, the same text:
    # nothing to embed), then, with a spare report, replaced by other text (only that is embedded),
    # then that re-saved (its document kept: nothing rebuilt).
    with tempfile.TemporaryDirectory(prefix="ofsted-bench-") as tmp:
        target = Path(tmp) / f"bench-changed-{Path(files[len(files) // 2]).name}"
        shutil.copyfile(files[len(files) // 2], target)
        batch = [*files, str(target)]
        reingest["one_new_name_s"] = round(ingest_paths(index, batch, workers=workers, progress=False).seconds, 2)
        with open(target, "ab") as handle:
            handle.write(b"\n% re-saved\n")
        before = len(embedded)
        reingest["one_resaved_s"] = round(ingest_paths(index, batch, workers=workers, progress=False).seconds, 2)
        reingest["one_resaved_embedded"] = len(embedded) - before
        if spare:
            shutil.copyfile(spare, target)
            before = len(embedded)
            s = ingest_paths(index, batch, workers=workers, progress=False)
            reingest["one_replaced_s"] = round(s.seconds, 2)
            reingest["one_replaced_embedded"] = len(embedded) - before
            # Now the only name of its document: saved again (same text), it keeps the document.
            with open(target, "ab") as handle:
                handle.write(b"\n% re-saved\n")
            before = len(embedded)
            s = ingest_paths(index, batch, workers=workers, progress=False)
            reingest["one_resaved_own_name_s"] = round(s.seconds, 2)
            reingest["one_resaved_own_name_passages_added"] = s.chunks_added
        remove_documents(index, [str(target)])  # leave the index as the corpus alone would make it
    index.close()
    return {"ingest": full, "dedup": dedup, "reingest": reingest}


def run_ingest(files: list[Path], spare: Path | None, workers: int, keep: str | None = None) -> dict:
    """Ingest in a child process (so its peak memory is its own), into `keep` or a temporary index."""
    with tempfile.TemporaryDirectory(prefix="ofsted-bench-") as tmp:
        index_dir = keep or str(Path(tmp) / "index")
        args = [sys.executable, "-m", "eval.bench", "_ingest", index_dir, str(workers), str(spare or ""),
                *(str(f) for f in files)]
        code, stdout, stderr = run_child(args, Path(__file__).resolve().parent.parent)
        if code != 0:
            raise RuntimeError(f"ingest child failed: {stderr[-2000:]}")
        return json.loads(stdout.strip().splitlines()[-1])


# -- 5. warm query latency ----------------------------------------------------------------------
# Issue 12's filters, by what they cost to apply (the reports they keep are read per query).
COSTED_FILTERS = {"judgement": {"judgement": ["care_leavers=good", "care_leavers=outstanding"]},
                  "neighbours": {"neighbours_of": "Bradford"}, "region": {"region": "North West"},
                  "latest": {"latest_only": True}}


def filter_cost(index, repeats: int = 200) -> dict:
    """Milliseconds each filter adds to a query: the median time to work out the reports it keeps
    (the search itself then runs on fewer passages, never more)."""
    from index.search import SearchFilters

    out = {}
    for name, kwargs in COSTED_FILTERS.items():
        filters = SearchFilters.build(**kwargs)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            index.searcher.documents_matching(filters)
            timings.append((time.perf_counter() - started) * 1000)
        out[f"{name}_ms"] = round(statistics.median(timings), 3)
    return out


def embed_latency(embedder, questions: list[str]) -> dict:
    for q in questions[:3]:
        embedder.encode([q])
    timings = []
    for q in questions:
        started = time.perf_counter()
        embedder.encode([q])
        timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(timings, 0.5), 1), "p95_ms": round(percentile(timings, 0.95), 1)}


# -- 6. cold ask ----------------------------------------------------------------------------------
# The console script's module (pyproject.toml, [project.scripts]), run and imported by name as the
# `ofsted-qa` command does: the command line imports eval.bench for `ofsted-qa bench`, not the reverse.
CLI_MODULE = "app.cli"


def cold_child(index_dir: str, question: str) -> dict:
    """Phases of `ofsted-qa ask` in this fresh process. Run by `python -m eval.bench _cold`."""
    marks = {}
    gc.disable()  # as app.cli.main runs `ask` (a one-shot command)
    t = time.perf_counter()
    importlib.import_module(CLI_MODULE)  # what the console script imports first
    from index.embed import load_embedder
    from index.report_index import ReportIndex
    from index.search import SearchFilters
    marks["imports_s"] = time.perf_counter() - t
    t = time.perf_counter()
    embedder = load_embedder(queries_only=True)
    marks["model_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    index = ReportIndex.load(index_dir, embedder=embedder, read_only=True)
    marks["index_open_s"] = time.perf_counter() - t
    t = time.perf_counter()
    embedder.encode([question])
    marks["first_query_embedding_s"] = time.perf_counter() - t
    t = time.perf_counter()
    index.search(question, SearchFilters(), k=5)  # embeds the question again, warm this time
    marks["search_s"] = time.perf_counter() - t
    index.close()
    heavy = [m for m in ("torch", "sentence_transformers", "gradio", "transformers") if m in sys.modules]
    return {k: round(v, 3) for k, v in marks.items()} | {"heavy_modules_imported": heavy}


def cold_ask(index_dir: str | Path, question: str, runs: int = 5, phase_runs: int = 3) -> dict:
    """`ofsted-qa ask` in fresh processes, as installed: Python's bytecode cache written and read (a first,
    untimed run writes it). Also timed with PYTHONDONTWRITEBYTECODE set, as some machines run (this
    workplace's does), where every module is compiled from source in every process."""
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(root)}
    no_cache = env | {"PYTHONDONTWRITEBYTECODE": "1"}

    def wall(args: list[str], environment: dict[str, str] = env) -> float:
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True, cwd=root, env=environment)
        return time.perf_counter() - started

    python_start = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(3))
    ask = [sys.executable, "-m", CLI_MODULE, "ask", question, "--index", str(index_dir)]
    wall(ask)  # writes the bytecode cache of every module `ask` imports
    walls = [wall(ask) for _ in range(runs)]
    walls_uncached = [wall(ask, no_cache) for _ in range(max(1, runs // 2))]
    phases = []
    for _ in range(phase_runs):
        out = subprocess.run([sys.executable, "-m", "eval.bench", "_cold", str(index_dir), question],
                             capture_output=True, text=True, check=True, cwd=root, env=env)
        phases.append(json.loads(out.stdout.strip().splitlines()[-1]))
    median_phases = {k: round(statistics.median(p[k] for p in phases), 3)
                     for k in phases[0] if k != "heavy_modules_imported"}
    return {"runs": runs, "wall_s_median": round(statistics.median(walls), 3), "wall_s_max": round(max(walls), 3),
            "wall_s_median_without_bytecode_cache": round(statistics.median(walls_uncached), 3),
            "python_startup_s": round(python_start, 3), "phases_s": median_phases,
            "heavy_modules_imported": phases[0]["heavy_modules_imported"]}


# -- 7. server memory -----------------------------------------------------------------------------
def server_memory(index_dir: str | Path) -> dict:
    """Peak RSS of a process serving the web app and answering every eval question through it."""
    root = Path(__file__).resolve().parent.parent
    args = [sys.executable, "-m", "eval.app_latency", "--index", str(index_dir), "--rounds", "1"]
    code, stdout, stderr = run_child(args, root)
    line = next((x for x in stdout.splitlines() if "queries through the app" in x), stderr[-300:])
    peak = re.search(r"peak RSS ([0-9.]+) MB", line)
    return {"peak_rss_mb": float(peak.group(1)) if peak else None, "app_latency": line.strip(), "ok": code == 0}


# -- the command ----------------------------------------------------------------------------------
def run_bench(args: argparse.Namespace) -> dict:
    only = set(args.only.split(",")) if args.only else set(ITEMS)
    unknown = only - set(ITEMS)
    if unknown:
        raise SystemExit(f"unknown bench item(s): {', '.join(sorted(unknown))}; valid: {', '.join(ITEMS)}")
    report: dict = {"machine": machine(), "corpus": str(args.corpus), "limit": args.limit,
                    "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    files = corpus_files(args.corpus, args.limit)
    spare = None
    if args.limit:
        rest = corpus_files(args.corpus)[args.limit:]
        spare = rest[0] if rest else None
    embedder = None
    if "model" in only:
        from index.embed import load_embedder
        from index.report_index import EMBED_BATCH

        # A spread sample of reports gives the passages for the raw model figure (the full ingest
        # below times every stage over the whole corpus).
        stages, texts = parse_stages(files[:: max(1, len(files) // args.model_reports)])
        report["parse"] = stages
        embedder = load_embedder()
        texts = texts[: args.model_passages] if args.model_passages else texts
        report["model"] = model_throughput(embedder, texts, EMBED_BATCH) | {"embedder": embedder.name}
        show("parse", report["parse"])
        show("model", report["model"])
    if only & {"ingest", "reingest", "dedup"}:
        if args.keep_index and Path(args.keep_index).exists() and any(Path(args.keep_index).iterdir()):
            raise SystemExit(f"--keep-index {args.keep_index} is not empty: the ingest run needs a new index")
        result = run_ingest(files, spare, args.workers, keep=args.keep_index)
        report.update(result)
        if "model" in report:
            report["ingest"]["share_of_model_passages_per_s"] = round(
                report["ingest"]["embedded_per_s"] / report["model"]["passages_per_s"], 3)
        for key in ("ingest", "dedup", "reingest"):
            show(key, report[key])
    index_dir = Path(args.index) if args.index else None
    needs_index = only & {"query", "stages", "cold", "server"}
    if needs_index and (index_dir is None or not (index_dir / "chunks.sqlite").exists()):
        raise SystemExit(f"query, stages, cold and server need an index: --index DIR (got {index_dir})")
    if "query" in only:
        from index.embed import load_embedder
        from index.report_index import ReportIndex

        workload = query_workload(args.questions, rounds=max(2, -(-args.queries // 117)))
        out: dict = {}
        light = load_embedder(queries_only=True)
        index = ReportIndex.load(index_dir, embedder=light, read_only=True)
        out["chunks"] = index.store.counts()["chunks"]
        out["vectors_approximate"] = index.vectors.approximate
        out["hybrid_numpy_embedder"] = query_latency(index, workload)
        out["query_embedding_numpy"] = embed_latency(light, [q for q, _ in workload[:100]])
        served = load_embedder(queries_only=True, long_lived=True)  # the server's: the ONNX graph when built
        if type(served) is not type(light):
            server_index = ReportIndex.load(index_dir, embedder=served, read_only=True)
            out["hybrid_server_embedder"] = query_latency(server_index, workload)
            out["query_embedding_server"] = embed_latency(served, [q for q, _ in workload[:100]])
            server_index.close()
        out["filter_cost"] = filter_cost(index)
        for retriever in ("dense", "lexical"):
            out[retriever] = query_latency(index, workload, retriever=retriever)
        index.close()
        if not args.fast:
            embedder = embedder or load_embedder()
            index = ReportIndex.load(index_dir, embedder=embedder, read_only=True)
            out["hybrid_sentence_transformers"] = query_latency(index, workload)
            out["query_embedding_sentence_transformers"] = embed_latency(embedder, [q for q, _ in workload[:100]])
            index.close()
        report["query"] = out
        show("query", out)
    if "stages" in only:
        from eval.stage_profile import stage_profile
        from index.embed import load_embedder
        from index.report_index import ReportIndex

        workload = query_workload(args.questions, rounds=max(2, -(-args.queries // 117)))
        # the server's embedder: stages are what a served question goes through
        index = ReportIndex.load(index_dir, embedder=load_embedder(queries_only=True, long_lived=True),
                                 read_only=True)
        report["stages"] = stage_profile(index, workload)
        index.close()
        print(f"== stages ({report['stages']['queries']} hybrid queries; p50 / p95 / mean ms, share of queries)")
        for label, f in report["stages"]["stages"].items():
            print(f"   {label:<32} {f['p50_ms']:>7} {f['p95_ms']:>7} {f['mean_ms']:>7}   {f['share_run']}")
    if "cold" in only:
        report["cold"] = cold_ask(index_dir, "how well do social workers use screening tools for CSE?")
        show("cold", report["cold"])
    if "server" in only:
        report["server"] = server_memory(index_dir)
        show("server", report["server"])
    return report


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=None, metavar="DIR",
                   help="existing index for query latency, cold ask and server memory (read only)")
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS), metavar="DIR", help="PDF folder for the ingest items")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N reports")
    p.add_argument("--only", default=None, metavar="ITEMS", help="comma-separated: " + ",".join(ITEMS))
    p.add_argument("--workers", type=int, default=1, help="PDF parsing processes in the ingest run")
    p.add_argument("--model-passages", type=int, default=1500, metavar="N",
                   help="passages for the raw model figure (0: all)")
    p.add_argument("--model-reports", type=int, default=40, metavar="N",
                   help="reports sampled across the corpus for the raw model figure")
    p.add_argument("--queries", type=int, default=234, help="at least this many timed queries")
    p.add_argument("--questions", default=str(QUESTIONS), metavar="JSONL")
    p.add_argument("--fast", action="store_true", help="skip the sentence-transformers query run")
    p.add_argument("--keep-index", default=None, metavar="DIR", help="build the ingest index here and keep it")
    p.add_argument("--scale", type=int, default=None, metavar="N",
                   help="instead: the synthetic N-passage scale benchmark (eval/scale.py) from --index")
    p.add_argument("--json", dest="json_out", default=None, metavar="OUT", help="also write the figures here")


def run_bench_command(args: argparse.Namespace) -> int:
    if args.scale:
        from eval.scale import run_scale

        if not args.index:
            raise SystemExit("--scale needs --index DIR: an index whose real passages and vectors it repeats")
        report = run_scale(args.index, args.scale)
    else:
        report = run_bench(args)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_ingest":  # the child process of run_ingest
        index_dir, workers, spare, *files = argv[1:]
        print(json.dumps(ingest_child(files, index_dir, spare or None, int(workers))))
        return 0
    if argv and argv[0] == "_cold":  # the child process of cold_ask
        print(json.dumps(cold_child(argv[1], argv[2])))
        return 0
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    add_bench_arguments(parser)
    return run_bench_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
