"""The bench command's plumbing on generated PDFs with the fake embedder (figures, not timings, are checked)."""

from __future__ import annotations

import json

import pytest

from app.cli import build_parser
from eval import bench
from tests.pdfgen import make_pdf, sample_report_pages


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setenv("OFSTED_QA_EMBEDDER", "fake")  # children inherit it
    folder = tmp_path / "reports"
    folder.mkdir()
    for i, name in enumerate(("Avonshire", "Stoke-on-Trent", "Wessex")):
        make_pdf(folder / f"{name.lower()}_{2017 + i}.pdf", sample_report_pages(name, 2017 + i))
    return folder


def test_bench_parser_defaults() -> None:
    args = build_parser().parse_args(["bench", "--limit", "2", "--only", "model,ingest"])
    assert args.command == "bench" and args.limit == 2 and args.scale is None


def test_bench_ingest_query_and_cold(tmp_path, corpus) -> None:
    keep = tmp_path / "index"
    out = tmp_path / "bench.json"
    args = build_parser().parse_args([
        "bench", "--corpus", str(corpus), "--limit", "2", "--only", "model,ingest,reingest,dedup,query,stages",
        "--keep-index", str(keep), "--index", str(keep), "--fast", "--queries", "20", "--json", str(out),
    ])
    assert bench.run_bench_command(args) == 0
    report = json.loads(out.read_text())
    assert report["machine"]["cores"] >= 1
    assert report["parse"]["files"] == 2 and report["model"]["passages"] > 0
    ingest = report["ingest"]
    assert ingest["added"] == 2 and ingest["passages"] > 0 and ingest["peak_rss_mb"] > 0
    assert set(ingest["stage_s"]) >= {"embedding", "storing_indexing", "waiting_for_parser"}
    # Nothing is embedded twice: a re-saved file costs no embedding, a replacement only its own text.
    assert report["dedup"]["embedded_once"]
    assert report["reingest"]["one_resaved_embedded"] == 0
    assert report["reingest"]["one_replaced_embedded"] > 0
    assert report["reingest"]["one_resaved_own_name_passages_added"] == 0  # the document was kept
    assert report["query"]["hybrid_numpy_embedder"]["queries"] > 0
    assert set(report["query"]["filter_cost"]) == {"judgement_ms", "neighbours_ms", "region_ms", "latest_ms"}
    assert all(ms >= 0 for ms in report["query"]["filter_cost"].values())
    stages = report["stages"]["stages"]
    assert report["stages"]["queries"] > 0
    assert {"total", "reading", "scoping", "retrieving", "fusion", "arranging", "presenting",
            "dense: question embedding", "lexical: in-memory BM25", "present: highlights"} <= set(stages)
    assert all(0 <= f["p50_ms"] <= f["p95_ms"] for f in stages.values())
    assert stages["total"]["share_run"] == 1.0

    cold = bench.cold_ask(keep, "placement stability", runs=1, phase_runs=1)
    assert cold["heavy_modules_imported"] == [] and cold["wall_s_median"] > 0
    assert cold["wall_s_median_without_bytecode_cache"] > 0
