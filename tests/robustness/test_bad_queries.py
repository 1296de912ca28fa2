"""Odd queries and filters, through the index, the web app's search function and the CLI: results or a
clear message, never a traceback.

Already proved elsewhere: tests/index/test_report_index.py::test_bad_filters_and_queries_give_clear_messages
(hybrid search on hand-made reports) and tests/app/test_cli.py::test_strange_queries_never_traceback (eight
queries through `ofsted-qa ask`). Here: every retriever, more syntax, other scripts, filters, the app path,
and property-based queries (hypothesis).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import ui
from index.report_index import ReportIndex
from index.search import MAX_K, QueryError, SearchFilters
from index.tokenize import fts_match_expression
from tests.pdfgen import make_pdf, sample_report_pages
from tests.robustness.common import open_index, run_cli, two_report_index

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STRANGE = [
    "x" * 10_000,
    "care leavers " * 900,  # 10,000+ characters of real words
    '"', '""', '"unbalanced', 'care" OR "', "care AND leavers", "care OR", "NOT care", "AND", "OR OR OR",
    "NEAR(care leavers, 2)", "NEAR(", "care*", "*", "^care", "^", "(care OR (leavers", ")))", "((",
    "text:care", "section:Summary", "{text section}: care", "chunks_fts:care", "- care", "care + leavers",
    "'; DROP TABLE chunks; --", "1 OR 1=1", "\" OR 1=1 --", "SELECT * FROM documents", "/* */ care",
    "🙂", "🙂 care leavers 🙂", "👨‍👩‍👧 family", "社会福祉", "رعاية الأطفال", "защита детей", "ελληνικά care",
    "aide sociale à l'enfance", "Ｃａｒｅ ｌｅａｖｅｒｓ", "c\u0301are", "\u200bcare\u200b", "care\ufeffleavers",
    "\x00", "\x00care\x00", "\x1b[31mcare\x1b[0m", "care\r\nleavers\ttabs", "\x7f\x80\x9f care",
    "care\u2028leavers",  # a line separator in the middle
    "CSE", "LADO MASH IRO", "2019", "1990 2100 3000", "Avonshire", "avonshire avonshire avonshire",
]
EMPTY = ["", " ", "   \t\n  ", "\x00\x01\x02", "?!?", "🙂", "社会福祉", "...", "\u200b\u200b"]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> ReportIndex:
    reader = open_index(two_report_index(tmp_path_factory.mktemp("queries")), read_only=True)
    yield reader
    reader.close()


def _check_response(index: ReportIndex, response, k: int) -> None:
    """Results are whole, real passages: each is a stored chunk with its own text and document."""
    assert len(response.results) <= k
    rows = index.store.chunks([r.chunk_id for r in response.results])
    for rank, result in enumerate(response.results, start=1):
        assert result.rank == rank
        assert rows[result.chunk_id].text == result.text and rows[result.chunk_id].doc_id == result.doc_id
        for a, b in result.highlights:
            assert 0 <= a < b <= len(result.text)
    if not response.results:
        assert response.message


def _search(index: ReportIndex, query: str, retriever: str, filters: SearchFilters | None = None, k: int = 5):
    try:
        response = index.search(query, filters, k=k, retriever=retriever)
    except QueryError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None
    _check_response(index, response, k)
    return response


@pytest.mark.parametrize("retriever", ["hybrid", "dense", "lexical"])
@pytest.mark.parametrize("query", STRANGE, ids=range(len(STRANGE)))
def test_strange_queries_give_results_or_a_message(index, query, retriever):
    _search(index, query, retriever)


@pytest.mark.parametrize("query", EMPTY, ids=range(len(EMPTY)))
def test_empty_queries_ask_for_words(index, query):
    with pytest.raises(QueryError, match="type a question"):
        index.search(query)
    data = ui.run_search(index, query)
    assert data["ok"] is False and "type a question" in data["message"]


def test_fts_syntax_is_only_words(index):
    # Each of these would be an FTS5 syntax error (or a different query) if it reached MATCH unquoted.
    for query in ['care" OR "', "NEAR(care leavers, 2)", "text:care", "(care OR (leavers", "^care", "care*"]:
        match = fts_match_expression(query)
        assert match is not None
        index.store.lexical_search(match, 5)  # no sqlite3.OperationalError
        assert _search(index, query, "lexical").results
    # A column filter must not narrow the search to a column: "section:Summary" finds passages by words.
    assert _search(index, "section:Summary", "lexical") is not None


def test_long_queries_are_cut_not_refused(index):
    response = index.search("return home interviews " + "x" * 10_000, k=3)
    assert response.results and len(response.query) <= 2000


def test_sql_text_is_data(index):
    before = index.store.counts()
    _search(index, "'; DROP TABLE chunks; --", "hybrid")
    _search(index, "x'); DELETE FROM documents; --", "lexical")
    assert index.store.counts() == before


@pytest.mark.parametrize("filters, message", [
    ({"authority": "Narnia"}, "no report in the index is from 'Narnia'"),
    ({"authority": "Avonshyre"}, "did you mean Avonshire"),
    ({"authority": "'; DROP TABLE documents; --"}, "no report in the index"),
    ({"authority": "🙂"}, "no report in the index"),
])
def test_unknown_authority_is_named(index, filters, message):
    with pytest.raises(QueryError, match=message):
        index.search("care leavers", SearchFilters.build(**filters))


@pytest.mark.parametrize("filters, message", [
    ({"years": "2020-2010"}, "empty"),
    ({"years": "3000-3010"}, "outside"),
    ({"years": "1800-1900"}, "outside"),
    ({"year": "20x9"}, "four digits"),
    ({"year": "-1"}, "outside"),
    ({"years": "2019"}, "year range looks like"),
    ({"years": "2010-2015-2020"}, "year range looks like"),
    ({"year": 2019, "years": "2018-2020"}, "not both"),
    ({"report_type": "'; --"}, "unknown report type"),
    ({"grade": "splendid"}, "unknown grade"),
])
def test_impossible_filters_are_explained(index, filters, message):
    with pytest.raises(QueryError, match=message):
        SearchFilters.build(**filters)


def test_possible_but_empty_year_range_says_so(index):
    response = index.search("care leavers", SearchFilters.build(years="1990-1995"))
    assert response.results == [] and "no report in the index matches these filters" in response.message


@pytest.mark.parametrize("arguments, message", [
    ({"year_from": 2020, "year_to": 2010}, "the first year comes after the last"),
    ({"year_from": 3000}, "outside"),
    ({"year_from": float("nan")}, "four digits"),
    ({"year_from": "2019; DROP TABLE"}, "four digits"),
    ({"authorities": ["Narnia", "Mordor"]}, "no report in the index is from"),
    ({"k": MAX_K + 1}, "from 1 to"),
    ({"k": -5}, "from 1 to"),
    ({"k": 2.5}, "from 1 to"),
    ({"k": float("inf")}, "from 1 to"),
])
def test_app_search_turns_bad_filters_into_messages(index, arguments, message):
    data = ui.run_search(index, "care leavers", **arguments)
    assert data["ok"] is False and data["results"] == []
    assert message in data["message"], data["message"]


def test_app_search_survives_non_string_input(index):
    for question in (None, 42, ["care"], {"q": "care"}):
        data = ui.run_search(index, question)
        assert set(data) == {"query", "ok", "message", "results", "interpretation", "reading", "ignore"}
        assert data["reading"] == []


def test_cli_prints_a_message_for_filters(tmp_path):
    # tests/app/test_cli.py checks an empty range, a bad type, an unknown authority and k=0 through the CLI;
    # this adds a year outside the supported range and an empty question.
    folder = tmp_path / "r"
    folder.mkdir()
    make_pdf(folder / "avonshire_2019.pdf", sample_report_pages("Avonshire", 2019))
    index = tmp_path / "ix"
    run_cli("ingest", str(folder), index=index)
    for args, message in [(["care", "--year", "3000"], "outside"), (["   "], "type a question"),
                          (["\x01\x02\x1b"], "type a question")]:
        proc = run_cli("ask", *args, index=index, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


# -- property-based ------------------------------------------------------------------------------

_SYNTAX = st.sampled_from(['"', "'", "(", ")", "*", "^", ":", "-", "+", "AND", "OR", "NOT", "NEAR", "NEAR(",
                           "text:", "section:", "{", "}", ";", "--", "/*", "\\", "%", "_", "\x00", "\u200b"])
_WORDS = st.sampled_from(["care", "leavers", "CSE", "screening", "return", "home", "interviews", "Avonshire",
                          "2019", "the", "what", "children", "management", "oversight", "é", "社会", "🙂"])
_QUERY = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_SYNTAX, _WORDS, st.text(max_size=6)), max_size=30).map(" ".join),
    st.lists(st.one_of(_SYNTAX, _WORDS), max_size=30).map("".join),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=_QUERY, retriever=st.sampled_from(["hybrid", "dense", "lexical"]), k=st.integers(1, 20))
def test_property_any_query_gives_results_or_a_message(index, query, retriever, k):
    _search(index, query, retriever, k=k)
    match = fts_match_expression(query)
    if match is not None:
        index.store.lexical_search(match, 5)


_FILTER_TEXT = st.one_of(st.none(), st.text(max_size=12), st.integers(-10, 3000).map(str),
                         st.sampled_from(["2019", "2021", "2018-2022", "avonshire", "Stoke on Trent", "sif",
                                          "good", "inadequate"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=_QUERY, authority=_FILTER_TEXT, year_from=_FILTER_TEXT, year_to=_FILTER_TEXT,
       report_type=_FILTER_TEXT, grade=_FILTER_TEXT, k=st.one_of(st.integers(-5, 120), st.text(max_size=4)))
def test_property_app_search_never_raises(index, question, authority, year_from, year_to, report_type, grade, k):
    data = ui.run_search(index, question, [authority] if authority else None, year_from, year_to,
                         [report_type] if report_type else None, [grade] if grade else None, k)
    assert isinstance(data["ok"], bool)
    if data["ok"]:
        rows = index.store.chunks([r["chunk_id"] for r in data["results"]])
        assert all(rows[r["chunk_id"]].text == r["text"] for r in data["results"])
        assert data["results"] or data["message"]
    else:
        assert data["message"] and "unexpectedly" not in data["message"]  # a user mistake, not a crash
