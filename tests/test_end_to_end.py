"""End to end over real reports with the real model (marked `corpus`; runs in CI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.search import SearchFilters

pytestmark = pytest.mark.corpus
REPO = Path(__file__).resolve().parents[1]


def test_cse_screening_question_finds_the_screening_passage(real_index):
    response = real_index.search("what did inspectors say about CSE screening?", k=5)
    assert len(response.results) == 5
    about_cse_tools = [
        r for r in response.results
        if ("sexual exploitation" in r.text.lower() or "cse" in r.text.lower())
        and any(w in r.text.lower() for w in ("screen", "risk assessment", "tool"))
    ]
    assert about_cse_tools, [r.citation.line() for r in response.results]
    assert all(r.highlights for r in response.results)


def test_citations_are_exact(real_index):
    response = real_index.search("care leavers accommodation bed and breakfast", k=5)
    for r in response.results:
        start_page = real_index.store.page_text(r.doc_id, r.citation.page_start)
        end_page = real_index.store.page_text(r.doc_id, r.citation.page_end)
        row = real_index.store.chunks([r.chunk_id])[r.chunk_id]
        if row.page_start == row.page_end:
            assert start_page[row.char_start:row.char_end] == r.text
        else:
            assert r.text.startswith(start_page[row.char_start:][:40].strip()[:20])
            assert end_page[:row.char_end].strip()[-20:] in r.text


def test_metadata_of_indexed_reports(real_index):
    docs = {d.file_name: d for d in real_index.searcher.documents().values()}
    w = docs["worcestershire_2017-01-24.pdf"]
    assert (w.local_authority, w.report_type, w.published, w.overall_grade) == (
        "Worcestershire", "sif", "2017-01-24", "inadequate")
    # ILACS reports print no publication date: it comes from corpus/manifest.csv by sha256
    w19 = docs["worcestershire_2019-07-29.pdf"]
    assert w19.published == "2019-07-29" and w19.published_source == "manifest"
    assert w19.inspection_start == "2019-06-17"


def test_authority_and_year_filter_through_the_cli(real_index_dir):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "ask", "management oversight of social work practice",
         "--authority", "worcestershire", "--year", "2017", "-k", "8", "--json", "--index", str(real_index_dir)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)["results"]
    assert len(results) == 8
    for r in results:
        c = r["citation"]
        assert c["local_authority"] == "Worcestershire"
        years = {c["published"][:4], (c["inspection_start"] or "")[:4], (c["inspection_end"] or "")[:4]}
        assert "2017" in years


def test_filtered_query_still_returns_k(real_index):
    f = SearchFilters.build(authority="Norfolk", report_type="lac_2013")
    response = real_index.search("health of looked after children", f, k=10)
    assert len(response.results) == 10
    assert {r.citation.file for r in response.results} == {"norfolk_2013-08-16.pdf"}


def test_a_question_the_reports_do_not_answer_is_said_so(real_index):
    from index.closeness import with_close_answer

    def asked(question: str):
        return with_close_answer(real_index.search(question, k=8), real_index.searcher.settings,
                                 real_index.embedder.name)

    unanswered = asked("what is the difference between SIF and ILACS?")
    assert unanswered.message and "answers closely" in unanswered.message
    assert 1 <= len(unanswered.results) <= 3 and all(r.below_floor for r in unanswered.results)
    answered = asked("what did inspectors say about CSE screening?")
    assert answered.message is None and len(answered.results) == 8
