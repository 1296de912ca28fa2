"""Helpers shared by the robustness tests: generated reports, the CLI in a subprocess, index snapshots.

Everything runs with the deterministic fake embedder, so no model is loaded.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np

from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from tests.pdfgen import make_pdf, sample_report_pages

REPO = Path(__file__).resolve().parents[2]

# Questions whose answers must not move when a bad batch is ingested.
QUERIES = (
    "what did inspectors say about CSE screening?",
    "return home interviews",
    "care leavers personal advisers",
    "management oversight",
    "independent reviewing officers",
)

_FILLER = ("social workers visit children regularly and managers review plans with care leavers placement "
           "stability fostering adoption health education police partners").split()


def cli_env(index: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, OFSTED_QA_EMBEDDER="fake", PYTHONPATH=str(REPO))
    if index is not None:
        env["OFSTED_QA_INDEX"] = str(index)
    return env


def run_cli(*args: str, index: Path, check: bool = True, timeout: float = 300,
            preexec_fn=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "app.cli", *args, "--index", str(index)], capture_output=True,
                          text=True, env=cli_env(), cwd=REPO, timeout=timeout, preexec_fn=preexec_fn)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def report_pages(authority: str, year: int, extra_pages: int = 0) -> list[str]:
    """A made-up report; `extra_pages` adds pages of varied prose (so nothing looks like a running header)."""
    pages = sample_report_pages(authority, year)
    for i in range(extra_pages):
        words = [_FILLER[(i * 7 + k * 3) % len(_FILLER)] for k in range(30)]
        pages.append(f"{10 + i}. In {authority} finding {i}: " + " ".join(words[:15]) + ".\n"
                     + " ".join(words[15:]).capitalize() + f" for child {i * 13}.")
    return pages


def write_reports(folder: Path, n: int, extra_pages: int = 0, prefix: str = "shire") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make_pdf(folder / f"{prefix}{i:02d}.pdf", report_pages(f"{prefix.capitalize()}{i:02d}", 2014 + i % 12,
                                                                    extra_pages))
            for i in range(n)]


def open_index(directory: Path, read_only: bool = False, create: bool = False) -> ReportIndex:
    return ReportIndex.load(directory, embedder=HashingEmbedder(), read_only=read_only, create=create)


def snapshot(index: ReportIndex, queries: tuple[str, ...] = QUERIES, k: int = 10) -> list:
    """What the index answers: (chunk id, score, text, file) per result, per query and retriever."""
    out = []
    for query in queries:
        for retriever in ("hybrid", "dense", "lexical"):
            response = index.search(query, k=k, retriever=retriever)
            out.append((query, retriever, [(r.chunk_id, r.score, r.text, r.citation.file)
                                           for r in response.results]))
    return out


def assert_ids_agree(index: ReportIndex) -> None:
    """SQLite's chunk ids and the FAISS ids are the same set."""
    store_ids = np.sort(index.store.chunk_ids())
    faiss_ids = np.sort(index.vectors.ids())
    assert store_ids.tolist() == faiss_ids.tolist()


def db_documents(directory: Path) -> int:
    """Documents committed so far, read from outside (0 while the database is not there yet)."""
    try:
        with sqlite3.connect(f"file:{directory / 'chunks.sqlite'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def content(index: ReportIndex) -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, int, str]]]:
    """The index's documents (sha, names) and passages (sha, ordinal, text), independent of row ids."""
    docs = index.store.documents()
    documents = sorted((d.sha256, tuple(sorted(Path(p).name for p in d.paths))) for d in docs.values())
    rows = index.store.chunks(index.store.chunk_ids().tolist())
    passages = sorted((docs[r.doc_id].sha256, r.ordinal, r.text) for r in rows.values())
    return documents, passages


def two_report_index(root: Path) -> Path:
    """Avonshire 2019 and Stoke-on-Trent 2021 in root/reports, ingested into root/index (closed)."""
    from index.build import ingest_paths

    reports = root / "reports"
    reports.mkdir()
    make_pdf(reports / "avonshire_2019.pdf", sample_report_pages("Avonshire", 2019))
    make_pdf(reports / "stoke_2021.pdf", sample_report_pages("Stoke-on-Trent", 2021))
    writer = open_index(root / "index", create=True)
    summary = ingest_paths(writer, [reports], workers=0, progress=False)
    assert summary.ok and len(summary.added) == 2
    writer.close()
    return root / "index"

