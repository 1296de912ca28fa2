"""Recommendations as their own section kind: the filter, their points, themes and "was it fixed?"."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from index.embed import HashingEmbedder
from index.followup import follow_up
from index.report_index import ReportIndex
from index.search import QueryError, SearchFilters
from index.themes import build_themes, choose_k, keyword_themes, kmeans, theme_overview, theme_words
from tests.index.helpers import make_report

FINDINGS = "The experiences and progress of children who need help and protection"
RECS = "What needs to improve?"

# Recommendations on three topics, worded differently in each report.
TOPICS = {
    "supervision": ["• Management oversight and supervision of social workers' caseloads and plans.",
                    "• The regularity and quality of supervision and management oversight of practice."],
    "care leavers": ["• Suitable accommodation for care leavers and their pathway plans.",
                     "• Pathway plans for care leavers and help with accommodation and employment."],
    "missing": ["• Return home interviews for children who go missing from home or care.",
                "• The quality of return home interviews when children go missing."],
}


def _report(authority: str, year: int, topics: list[str], variant: int, overall: str = "requires improvement"):
    recommendations = "\n".join(TOPICS[t][variant] for t in topics)
    finding = (f"In {authority} supervision of social workers is regular, care leavers live in suitable "
               f"accommodation, and return home interviews are completed when children go missing.")
    return make_report(authority, [finding, recommendations], year=year, overall=overall,
                       sections=[FINDINGS, RECS])


@pytest.fixture
def index(tmp_path):
    idx = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    idx.upsert(_report("Leeds", 2018, ["supervision", "care leavers", "missing"], 0))
    idx.upsert(_report("Leeds", 2022, ["supervision"], 1, overall="good"))
    idx.upsert(_report("Kent", 2019, ["care leavers", "missing"], 1))
    idx.upsert(_report("York", 2021, ["supervision", "missing"], 0, overall="inadequate"))
    idx.update_recommendations()
    yield idx
    idx.close()


def test_passages_know_their_section_kind_and_the_filter_keeps_recommendations_only(index):
    rows = index.store.chunks(index.store.chunk_ids().tolist()).values()
    assert {r.kind for r in rows if r.section == RECS} == {"recommendations"}
    assert {r.kind for r in rows if r.section == FINDINGS} == {"findings"}
    question = "return home interviews when children go missing"
    response = index.search(question, SearchFilters.build(section_kind="recommendations"), k=10)
    assert response.results and {r.citation.section for r in response.results} == {RECS}
    assert "recommendations only" in (response.interpretation or "")
    # The filter combines with the report filters.
    kent = index.search(question, SearchFilters.build(authority="Kent", section_kind="recommendations"), k=10)
    assert {r.citation.local_authority for r in kent.results} == {"Kent"}
    everything = index.search(question, k=10)
    assert FINDINGS in {r.citation.section for r in everything.results}
    with pytest.raises(QueryError, match="valid: findings, recommendations"):
        SearchFilters.build(section_kind="advice")


def test_points_are_stored_once_and_never_embedded_again(index):
    points = index.store.recommendations()
    assert len(points) == 8 and all(p["theme"] is not None for p in points)
    assert index.update_recommendations() == 0  # nothing changed
    leeds = [d for d in index.store.documents().values() if d.local_authority == "Leeds"]
    index.delete(leeds[0].id)
    assert index.update_recommendations() == 0  # fewer points, all known
    assert len(index.store.recommendations()) < 8
    index.upsert(_report("Leeds", 2018, ["supervision", "care leavers", "missing"], 0))
    assert index.update_recommendations() == 0  # its points kept their vectors
    index.upsert(_report("Hull", 2020, ["supervision"], 0) if False else make_report(
        "Hull", ["finding", "• Sufficiency of foster placements close to home."], sections=[FINDINGS, RECS]))
    assert index.update_recommendations() == 1


def _blobs(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.eye(8, dtype=np.float32)[:3]
    points = np.concatenate([c + 0.05 * rng.standard_normal((20, 8)).astype(np.float32) for c in centres])
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def test_clustering_is_repeatable_with_a_seed_and_k_is_chosen_by_silhouette():
    vectors = _blobs()
    first, _ = kmeans(vectors, 3, seed=7)
    again, _ = kmeans(vectors, 3, seed=7)
    assert np.array_equal(first, again)
    k, scores = choose_k(vectors, candidates=(2, 3, 4, 5, 6), seed=7)
    assert k == 3 and scores[3] == max(scores.values())
    texts = ["supervision oversight"] * 20 + ["care leavers accommodation"] * 20 + ["missing interviews"] * 20
    model = build_themes(texts, vectors, seed=7, candidates=(2, 3, 4, 5))
    again = build_themes(texts, vectors, seed=7, candidates=(2, 3, 4, 5))
    assert model.k == 3 and np.array_equal(model.assignment, again.assignment)
    assert sorted(label for label, _ in model.labels) == sorted(label for label, _ in again.labels)
    # Each theme is named by words of its own points only.
    topics = [set(t.split()) for t in ("supervision oversight", "care leavers accommodation", "missing interviews")]
    assert sorted(next(i for i, words in enumerate(topics) if set(label.replace(",", "").split()) <= words)
                  for label, _ in model.labels) == [0, 1, 2]
    with pytest.raises(ValueError, match="no recommendations"):
        build_themes([], np.zeros((0, 8), dtype=np.float32))


def test_theme_labels_are_the_distinctive_words_and_the_keyword_baseline_groups_by_words():
    texts = ["supervision of social workers", "regular supervision", "care leavers accommodation",
             "accommodation for care leavers"]
    labels = theme_words(texts, np.array([0, 0, 1, 1]), 2, n=2)
    assert labels[0][0] == "supervision" and "care leavers" in labels[1]
    grouped = keyword_themes(texts * 3, 2, seed=1)
    assert grouped[0] == grouped[1] and grouped[2] == grouped[3] and grouped[0] != grouped[2]


def test_themes_are_counted_for_chosen_authorities_with_verbatim_examples(index):
    everyone = theme_overview(index.searcher)
    assert everyone.n_points == 8 and everyone.n_reports == 4 and not everyone.message
    assert sum(t.count for t in everyone.themes) == 8
    leeds = theme_overview(index.searcher, ["Leeds"])
    assert leeds.n_points == 4 and leeds.n_reports == 2 and leeds.scope == ["Leeds"]
    stored = {p["text"] for p in index.store.recommendations()}
    for theme in leeds.themes:
        assert sum(theme.by_year.values()) == theme.count == sum(theme.by_grade.values())
        for example in theme.examples:
            assert example.text in stored and example.local_authority == "Leeds"
            assert example.citation_label().startswith("Leeds, ")
    with pytest.raises(QueryError):
        theme_overview(index.searcher, neighbours_of="Atlantis")


def test_was_it_fixed_sets_each_recommendation_beside_the_next_reports_closest_passages(index):
    result = follow_up(index.searcher, "Leeds", closest=2)
    assert result.authority == "Leeds" and len(result.pairs) == 1 and not result.message
    pair = result.pairs[0]
    assert "2018" in pair.earlier and "2022" in pair.later and len(pair.points) == 3
    later_texts = {c.text for c in index.store.chunks(index.store.chunk_ids_for_documents([pair.later_doc])
                                                      .tolist()).values()}
    for followed in pair.points:
        assert len(followed.closest) == 2 and all(c.text in later_texts for c in followed.closest)
        assert followed.closest[0].similarity >= followed.closest[1].similarity
    assert follow_up(index.searcher, "Kent").message.startswith("Kent has 1 report")
    with pytest.raises(QueryError):
        follow_up(index.searcher, "")


def test_an_older_index_is_upgraded_on_opening_with_its_kinds(tmp_path):
    writer = ReportIndex.load(tmp_path / "old", embedder=HashingEmbedder(), create=True)
    writer.upsert(_report("York", 2021, ["missing"], 0))
    writer.close()
    db = sqlite3.connect(tmp_path / "old" / "chunks.sqlite")  # as version 3 left it
    db.executescript("DROP TABLE recommendations; DROP TABLE recommendation_vectors; DROP TABLE themes; "
                     "ALTER TABLE chunks DROP COLUMN kind; UPDATE meta SET value = '3' WHERE key = 'schema_version';")
    db.commit()
    db.close()
    reader = ReportIndex.load(tmp_path / "old", embedder=HashingEmbedder(), read_only=True)
    try:
        kinds = {r.section: r.kind for r in reader.store.chunks(reader.store.chunk_ids().tolist()).values()}
        assert kinds == {FINDINGS: "findings", RECS: "recommendations"}
        view = theme_overview(reader.searcher)
        assert view.message and "ofsted-qa ingest" in view.message  # points come with the next ingest
    finally:
        reader.close()


def test_share_label_says_the_scopes_share_beside_every_reports():
    from index.themes import share_label

    assert share_label(12, 76, 0.11, scoped=True) == "16% of these 76; 11% across every report"
    assert share_label(40, 360, 0.11, scoped=False) == "11% of all recommendations"
    assert share_label(0, 0, 0.0, scoped=True) == "0% of these 0; 0% across every report"
