"""The web app over a small hand-built index: the `search` API (via gradio_client), concurrency, the PDF
route, HTTP Basic auth, HTML rendering and escaping, CSV/Markdown exports and the empty-index state.

Each server runs on 127.0.0.1 on a free port in a background thread (uvicorn), as `ofsted-qa serve` runs it.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from gradio_client import Client

from app import ui
from app.links import LinkBase
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from tests.index.helpers import make_report
from tests.pdfgen import make_pdf

# Gradio's queue (not this project) trips pandas 3 deprecation warnings on every event.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")

QUESTION = "what did inspectors say about CSE screening?"
BOILERPLATE = ("Ofsted produces this report under its power to combine reports in accordance with the Act, "
               "and this statement is printed the same way in every report of this kind.")
MARKUP = "Inspectors saw <script>alert('x')</script> & <b>unescaped</b> markup in a case record."
USER, PASSWORD = "inspector", "s3cret-pass"

# (authority, passages (one per page), make_report options)
REPORTS: list[tuple[str, list[str], dict]] = [
    ("Avonshire", [
        "Screening of child sexual exploitation risk is inconsistent and social workers do not use the "
        "screening tool. Managers rarely check the screening decisions.",
        "Care leavers have personal advisers who keep in touch, but too many care leavers live in unsuitable "
        "accommodation such as bed and breakfast.",
        MARKUP + " Management oversight of this case was not recorded.",
        BOILERPLATE,
    ], {"year": 2017, "report_type": "sif", "overall": "inadequate"}),
    ("Stoke-on-Trent", [
        "The multi-agency safeguarding hub makes timely decisions and thresholds are well understood.",
        "Management oversight is visible on every file, and supervision is regular and reflective.",
        "Return home interviews are completed quickly when children go missing, and the information is used "
        "to reduce risk.",
        BOILERPLATE,
    ], {"year": 2019, "report_type": "ilacs_standard", "overall": "good"}),
    ("Borsetshire", [
        "Child sexual exploitation screening tools are used well and risks are reviewed at a multi-agency panel.",
        "The LADO manages allegations against adults who work with children promptly and effectively.",
    ], {"year": 2023, "report_type": "ilacs_short", "overall": "outstanding"}),
    ("Wessex", [
        "Child sexual exploitation screening is completed for most children, but the quality of screening varies.",
        "Care leavers' accommodation is mostly suitable and personal advisers help them move into independence.",
    ], {"year": 2015, "report_type": "sif", "overall": "requires improvement"}),
]


# -- helpers (the browser test uses them too) -----------------------------------------------------


def build_sample_index(directory: Path) -> tuple[ReportIndex, dict[str, int]]:
    """Four made-up reports with real PDFs beside them; returned opened read-only, as `serve` opens it."""
    pdfs = directory / "pdfs"
    pdfs.mkdir(parents=True, exist_ok=True)
    writer = ReportIndex.load(directory / "index", embedder=HashingEmbedder(), create=True)
    ids = {}
    for authority, passages, options in REPORTS:
        pdf = make_pdf(pdfs / f"{authority.lower()}_{options['year']}.pdf", passages)
        ids[authority] = writer.upsert(make_report(authority, passages, **options), path=str(pdf))
    writer.close()
    return ReportIndex.load(directory / "index", embedder=HashingEmbedder(), read_only=True), ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningApp:
    """Serve a FastAPI app with uvicorn on 127.0.0.1 in a daemon thread (a context manager)."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> RunningApp:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def raw_get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET a path exactly as written (no client-side normalisation of `..` or `%2F`)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def client_for(url: str, **kwargs) -> Client:
    return Client(url, verbose=False, analytics_enabled=False, download_files=False, **kwargs)


def search(client: Client, question: str = QUESTION, authorities=None, year_from=None, year_to=None,
           report_types=None, grades=None, k=5, **more) -> dict:
    if not more:  # the seven parameters /search has always had
        return client.predict(question, authorities or [], year_from, year_to, report_types or [], grades or [],
                              k, api_name="/search")
    values = {"judgement": None, "judgement_grades": [], "latest": False, "region": None, "neighbours_of": None}
    values.update(more)
    return client.predict(question, authorities or [], year_from, year_to, report_types or [], grades or [], k,
                          *values.values(), api_name="/search_filtered")


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Iterator[tuple[ReportIndex, dict[str, int], Path]]:
    directory = tmp_path_factory.mktemp("ui")
    index, ids = build_sample_index(directory)
    yield index, ids, directory
    index.close()


@pytest.fixture(scope="module")
def index(sample) -> ReportIndex:
    return sample[0]


@pytest.fixture(scope="module")
def running(index) -> Iterator[RunningApp]:
    with RunningApp(ui.create_app(index)) as app:
        yield app


@pytest.fixture(scope="module")
def client(running) -> Client:
    return client_for(running.url)


# -- the search API -------------------------------------------------------------------------------


def test_search_endpoint_returns_cited_highlighted_passages(client, sample):
    _, ids, _ = sample
    data = search(client, k=3)
    json.dumps(data)  # JSON-able as it is
    assert data["ok"] and data["message"] is None and data["query"] == QUESTION
    assert len(data["results"]) == 3
    top = data["results"][0]
    assert "sexual exploitation" in top["text"].lower()
    assert top["highlights"] and "exploitation" in top["highlighted_text"][0].lower()
    authority = top["citation"]["local_authority"]
    assert top["citation_line"].startswith(authority + " · ")
    assert "p. " in top["citation_line"] and "para " in top["citation_line"]
    assert top["pdf_link"] == f"/pdf/{ids[authority]}#page={top['citation']['page_start']}"


def test_the_endpoint_is_named_search(client):
    info = client.view_api(print_info=False, return_format="dict")
    assert sorted(info["named_endpoints"]) == [
        "/authority", "/contrast", "/followup", "/pack", "/pack_create", "/pack_export", "/pack_pin", "/packs",
        "/search", "/search_filtered", "/themes"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/search"]["parameters"]] == [
        "question", "authorities", "year_from", "year_to", "report_types", "grades", "k"]
    assert [p["parameter_name"] for p in info["named_endpoints"]["/search_filtered"]["parameters"]] == [
        "question", "authorities", "year_from", "year_to", "report_types", "grades", "k", "judgement",
        "judgement_grades", "latest", "region", "neighbours_of", "recommendations", "ignore_reading"]


def test_search_filters(client):
    def authorities(**kwargs) -> set[str]:
        data = search(client, **kwargs)
        assert data["ok"], data["message"]
        return {r["citation"]["local_authority"] for r in data["results"]}

    assert authorities(authorities=["stoke on trent"], question="management oversight") == {"Stoke-on-Trent"}
    assert authorities(year_from=2016, year_to=2018) == {"Avonshire"}
    assert authorities(year_from="2022") == {"Borsetshire"}
    assert authorities(year_to=2016) == {"Wessex"}
    assert authorities(grades=["inadequate"]) == {"Avonshire"}
    assert authorities(grades=["good", "outstanding"]) == {"Stoke-on-Trent", "Borsetshire"}
    assert authorities(report_types=["ilacs_short"]) == {"Borsetshire"}
    assert authorities(report_types=["SIF inspection"]) == {"Avonshire", "Wessex"}  # a label works too
    assert len(search(client, k=2)["results"]) == 2
    assert authorities(judgement="overall_effectiveness", judgement_grades=["inadequate"]) == {"Avonshire"}
    assert authorities(region="West Midlands", question="management oversight") == {"Stoke-on-Trent"}
    assert authorities(neighbours_of="Stoke-on-Trent", question="management oversight") == {"Stoke-on-Trent"}
    assert len(authorities(latest=True)) == 4  # one report each


@pytest.mark.parametrize("arguments, expected", [
    ({"year_from": "abc"}, "a year is four digits"),
    ({"year_from": 2019, "year_to": 2015}, "the first year comes after the last"),
    ({"report_types": ["nonsense"]}, "unknown report type 'nonsense'"),
    ({"grades": ["brilliant"]}, "unknown grade 'brilliant'"),
    ({"authorities": ["Narnia"]}, "no report in the index is from 'Narnia'"),
    ({"judgement_grades": ["good"]}, "choose the judgement"),
    ({"neighbours_of": "Narnia"}, "'Narnia' is not a local authority"),
    ({"region": "Narnia"}, "unknown region 'Narnia'"),
    ({"k": 0}, "from 1 to 100"),
    ({"k": "lots"}, "from 1 to 100"),
    ({"question": "   "}, "type a question"),
])
def test_bad_input_gives_a_clear_message_not_a_traceback(client, arguments, expected):
    data = search(client, **arguments)
    assert data["ok"] is False and data["results"] == []
    assert expected in data["message"]
    assert "Traceback" not in data["message"]


def test_a_question_naming_an_authority_and_year_says_how_it_was_read(client):
    data = search(client, question="personal advisers in Wessex")
    assert data["ok"] and {r["citation"]["local_authority"] for r in data["results"]} == {"Wessex"}
    # How the question narrowed the search comes first; what the concepts added is said after it.
    assert data["interpretation"].split("; ")[0] == "only Wessex"
    assert "Question read as: only Wessex" in ui.render_ranked(data)
    data = search(client, question="care leavers in 2015")
    assert data["interpretation"].startswith("favouring 2015; favouring the sections on care leavers")
    assert data["results"][0]["citation"]["local_authority"] == "Wessex"
    # A plain question narrows nothing; at most, what the concept vocabulary also searched is said.
    plain = search(client)["interpretation"]
    assert plain is None or plain.startswith("also searched: ")


def test_a_question_the_reports_do_not_answer_says_so_and_shows_the_closest_three(index, monkeypatch):
    from dataclasses import replace

    # The sample's fake model has no answer floor; give it one that no passage reaches.
    settings = replace(index.searcher.settings, answer_floors={index.embedder.name: 2.0})
    monkeypatch.setattr(index.searcher, "settings", settings)
    data = ui.run_search(index, QUESTION, k=8)
    assert data["ok"] and len(data["results"]) == 3 and all(r["below_floor"] for r in data["results"])
    assert data["message"].startswith("no passage in these reports answers closely")
    page = ui.render_ranked(data)
    assert "No passage in these reports answers closely" in page and "none answers closely" in page
    monkeypatch.setattr(index.searcher, "settings", replace(settings, answer_floors={}))
    assert len(ui.run_search(index, QUESTION, k=8)["results"]) > 3  # the same search, with no floor


def test_a_long_question_is_cut_to_the_limit_and_says_so(index):
    long_question = QUESTION + " and more" * 600
    data = ui.run_search(index, long_question)
    assert data["ok"] and data["results"] and data["query"] == long_question[:ui.QUESTION_MAX_CHARS].rstrip()
    assert data["message"].startswith(f"The question had {len(long_question):,} characters: only its first "
                                      f"{ui.QUESTION_MAX_CHARS} were searched.")
    assert ui.run_search(index, QUESTION)["message"] is None  # a question within the limit says nothing


def _link(query: str):
    from types import SimpleNamespace

    from starlette.datastructures import QueryParams

    return SimpleNamespace(query_params=QueryParams(query))


def test_a_link_opens_the_filters_it_sets_cuts_a_long_question_and_keeps_other_tabs_parameters(index):
    from urllib.parse import urlencode

    app = ui._App(index, None)
    values = app.from_link(_link(urlencode([("q", "x" * 900), ("authority", "Wessex"), ("latest", "1"),
                                            ("tab", "themes"), ("scope", "Wessex"), ("colour", "blue")])))
    question, note, panel = values[0], values[-2], values[-1]
    assert question == "x" * ui.QUESTION_MAX_CHARS and "only its first 500 were searched" in note
    assert "ignored: colour" in note and "scope" not in note and "tab" not in note  # other tabs' parameters
    assert panel.open is True and panel.label == "Filters · 2 in use"
    assert app.from_link(_link(urlencode([("q", QUESTION)])))[-1].open is False
    assert app.filters_count(["Wessex"], None, None, [], [], None, [], False, None, None, False).label == (
        "Filters · 1 in use")
    assert app.select_tab(_link("tab=themes")).selected == "themes"


def test_no_results_suggests_removing_filters(client):
    data = search(client, authorities=["Avonshire"], grades=["outstanding"])
    assert data["ok"] and not data["results"]
    assert "remove some" in data["message"]
    assert "remove some" in ui.render_ranked(data)


def test_eight_concurrent_queries(client):
    jobs = [client.submit(q, [], None, None, [], [], 3, api_name="/search")
            for q in [QUESTION, "LADO", "care leavers' accommodation", "management oversight"] * 2]
    results = [job.result(timeout=60) for job in jobs]
    assert all(r["ok"] and r["results"] for r in results)
    assert results[1]["results"][0]["citation"]["local_authority"] == "Borsetshire"  # LADO


class SlowIndex:
    """The real index, but each search first waits, counting how many callers are inside at once."""

    def __init__(self, index: ReportIndex) -> None:
        self._index = index
        self._lock = threading.Lock()
        self.inside = self.most_inside = 0

    def __getattr__(self, name):
        return getattr(self._index, name)

    def search(self, *args, **kwargs):
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            time.sleep(0.6)
            return self._index.search(*args, **kwargs)
        finally:
            with self._lock:
                self.inside -= 1


def test_the_queue_runs_at_least_eight_queries_at_once(index):
    slow = SlowIndex(index)
    with RunningApp(ui.create_app(slow)) as app:
        client = client_for(app.url)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda q: search(client, q), [QUESTION] * 8))
    assert all(r["ok"] for r in results)
    assert slow.most_inside == 8


# -- the PDF route --------------------------------------------------------------------------------


def test_pdf_route_serves_an_indexed_report(running, sample):
    _, ids, directory = sample
    response = httpx.get(f"{running.url}pdf/{ids['Avonshire']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    assert response.content == (directory / "pdfs" / "avonshire_2017.pdf").read_bytes()


@pytest.mark.parametrize("path", [
    "/pdf/999999", "/pdf/../../etc/passwd", "/pdf/%2Fetc%2Fpasswd", "/pdf/..%2F..%2Fetc%2Fpasswd",
    "/pdf/abc", "/pdf/-1", "/pdf/1.pdf", "/pdf/1/../../etc/passwd", "/pdf/", "/pdf/0",
])
def test_pdf_route_refuses_anything_else(running, path):
    status, body = raw_get(running.url, path)
    assert status == 404
    assert b"root:" not in body and b"%PDF" not in body


def test_pdf_route_404s_when_the_file_has_gone(tmp_path):
    writer = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    doc_id = writer.upsert(make_report("Avonshire", ["Some text about screening."]), path=str(tmp_path / "gone.pdf"))
    with RunningApp(ui.create_app(writer)) as app:
        assert raw_get(app.url, f"/pdf/{doc_id}")[0] == 404
    writer.close()


# -- auth -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(index) -> Iterator[RunningApp]:
    with RunningApp(ui.create_app(index, auth=(USER, PASSWORD))) as app:
        yield app


@pytest.mark.parametrize("path", ["/", "/pdf/1", "/config", "/gradio_api/info", "/theme.css", "/pdf/999"])
def test_auth_is_required_everywhere(guarded, path):
    status, _ = raw_get(guarded.url, path)
    assert status == 401
    status, _ = raw_get(guarded.url, path, {"Authorization": ui.basic_auth_header(USER, "wrong")})
    assert status == 401
    status, _ = raw_get(guarded.url, path, {"Authorization": "Basic not-base64!"})
    assert status == 401


def test_the_challenge_asks_for_basic_auth(guarded):
    response = httpx.get(guarded.url)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_with_credentials_the_page_pdf_and_api_work(guarded, sample):
    _, ids, _ = sample
    auth = (USER, PASSWORD)
    assert httpx.get(guarded.url, auth=auth).status_code == 200
    response = httpx.get(f"{guarded.url}pdf/{ids['Wessex']}", auth=auth)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client = client_for(guarded.url, headers={"Authorization": ui.basic_auth_header(USER, PASSWORD)})
    assert search(client)["ok"]
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises various errors for a 401
        client_for(guarded.url)


# -- rendering ------------------------------------------------------------------------------------


def test_passage_html_escapes_and_marks():
    text = "a <b> c.\nNext & more.\n2. A new paragraph."
    assert ui.passage_html(text, [(0, 8)]) == "<mark>a &lt;b&gt; c.</mark> Next &amp; more.<br>2. A new paragraph."
    assert ui.passage_html("<i>x</i>", []) == "&lt;i&gt;x&lt;/i&gt;"
    assert ui.passage_html("abcdef", [(4, 99), (0, 2), (1, 3)]) == "<mark>ab</mark><mark>c</mark>d<mark>ef</mark>"


def test_cards_escape_passage_text_and_link_the_pdf_page(index):
    data = ui.run_search(index, "markup in a case record", k=3)
    hit = next(r for r in data["results"] if "<script>" in r["text"])
    for page in (ui.render_ranked(data), ui.render_by_report(data), ui.card_html(hit)):
        assert "<script>" not in page and "<b>unescaped" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;unescaped&lt;/b&gt;" in page
    card = ui.card_html(hit)
    assert "<mark>" in card
    link = f'href="/pdf/{hit["doc_id"]}#page=3" target="_blank"'
    assert link in card and "open the report at page 3" in card
    assert "Avonshire" in card and "SIF inspection" in card and "p. 3" in card and "para 3" in card
    assert "Overall: Inadequate" in card


def test_card_notes_duplicates_in_other_reports(index):
    data = ui.run_search(index, "power to combine reports in accordance with the Act", k=3)
    top = data["results"][0]
    assert top["duplicates"] == 1
    assert "also in 1 other report<" in ui.card_html(top)


def test_compare_view_best_passages_per_authority(index):
    data = ui.compare_search(index, "child sexual exploitation screening")
    names = [r["citation"]["local_authority"] for r in data["results"]]
    assert set(names) == {"Avonshire", "Borsetshire", "Wessex", "Stoke-on-Trent"}
    assert all(names.count(n) <= ui.PER_AUTHORITY for n in names) and len(names) > 4
    # Grouped by authority, ranks in reading order.
    assert names == sorted(names, key=names.index)
    assert [r["rank"] for r in data["results"]] == list(range(1, len(names) + 1))
    two = ui.compare_search(index, QUESTION, max_authorities=2)["results"]
    assert len({r["citation"]["local_authority"] for r in two}) == 2
    chosen = ui.compare_search(index, "LADO", ["Wessex", "Borsetshire"])
    assert list(dict.fromkeys(r["citation"]["local_authority"] for r in chosen["results"])) == [
        "Wessex", "Borsetshire"]
    page = ui.render_compare(chosen)
    assert 'class="oq-compare"' in page and page.count('class="oq-column"') == 2
    assert "2 authorities for" in page
    # Each card shows its own report's grade (Wessex's report is graded requires improvement).
    assert page.count("oq-grade ") == page.count('class="oq-card"') == len(chosen["results"])
    assert "Overall: Requires improvement" in page
    assert not ui.compare_search(index, QUESTION, year_from="abc")["ok"]


def test_the_compare_caption_says_how_many_passages_each_council_gets(index):
    from collections import Counter

    config = ui.build_app(index).get_config_file()
    captions = [c["props"].get("info") for c in config["components"] if c["props"].get("elem_id") == "oq-view"]
    assert captions == [f"Compare authorities: up to {ui.PER_AUTHORITY} passages from each council, side by side"]
    shown = Counter(r["citation"]["local_authority"]
                    for r in ui.compare_search(index, "child sexual exploitation screening")["results"])
    assert 1 < max(shown.values()) <= ui.PER_AUTHORITY  # what the caption says, not "the best passage"


def test_by_report_view_groups_under_report_headings(index):
    data = ui.run_search(index, "care leavers accommodation screening", k=8)
    page = ui.render_by_report(data)
    reports = {r["doc_id"] for r in data["results"]}
    assert page.count('class="oq-group"') == len(reports) > 1
    assert page.count('class="oq-card"') == len(data["results"])


def test_error_and_empty_states_render_as_notices(index):
    assert "oq-notice-error" in ui.render_ranked(ui.run_search(index, QUESTION, report_types=["nope"]))
    assert "oq-notice-error" in ui.render_compare(ui.run_search(index, ""))


# -- exports --------------------------------------------------------------------------------------


def test_csv_export_has_one_row_per_result_with_full_citations(index, sample):
    _, ids, _ = sample
    data = ui.run_search(index, QUESTION, ["Avonshire"], k=2)
    rows = list(csv.DictReader(io.StringIO(ui.csv_text(data["results"], LinkBase("http://127.0.0.1:7860", False)))))
    assert len(rows) == 2
    first, result = rows[0], data["results"][0]
    assert tuple(first) == ui.CSV_COLUMNS
    assert first["authority"] == "Avonshire" and first["report_type"] == "SIF inspection"
    assert first["citation"] == result["citation_line"]
    assert first["file"] == "avonshire_2017.pdf"
    assert first["page_link"] == f"http://127.0.0.1:7860/pdf/{ids['Avonshire']}#page={result['citation']['page_start']}"
    assert first["page_link_works"] == "only on the machine serving the app"
    assert first["passage"] == result["text"] and first["highlighted"]


def test_csv_export_defuses_spreadsheet_formulas():
    result = {"rank": 1, "text": "=HYPERLINK(\"x\")", "highlights": [], "highlighted_text": [], "duplicates": 0,
              "pages_label": "p. 1", "paragraphs_label": "", "citation_line": "-1 · x", "pdf_link": None,
              "citation": {"local_authority": "@A", "report_type_label": "SIF inspection", "published": None,
                           "inspection_start": None, "overall_grade": None, "section": None, "file": "a.pdf",
                           "page_start": 1}}
    row = next(csv.DictReader(io.StringIO(ui.csv_text([result]))))
    assert row["passage"].startswith("'=") and row["authority"] == "'@A" and row["citation"] == "'-1 · x"


def test_markdown_export_quotes_passages_with_citations(index):
    data = ui.run_search(index, "markup in a case record", k=2)
    text = ui.markdown_text(data["query"], data["results"], base=LinkBase("https://h:1", public=True))
    result = data["results"][0]
    assert text.startswith("# Ofsted report passages: markup in a case record")
    assert f"Source: {result['citation_line']}" in text
    assert f"(`{result['citation']['file']}`, page {result['citation']['page_start']})" in text
    assert f"[open the report at page {result['citation']['page_start']}](<https://h:1{result['pdf_link']}>)" in text
    assert "> " in text and "**" in text
    assert "<script>" not in text and r"\<script\>" in text


class _Request:
    """What the export reads of a browser's request: the address it reached the app at."""

    headers = {"host": "127.0.0.1:7860"}


def _markdown_export(app: ui._App, index, request=None) -> str:
    data = ui.run_search(index, QUESTION, ["Avonshire"], k=1)
    _, _, md_button, _ = app.show(data, ui.VIEW_RANKED, [], None, None, [], [], request=request or _Request())
    return Path(md_button.value["path"]).read_text(encoding="utf-8")


def test_search_exports_link_the_public_address_when_the_app_has_one(index, sample):
    _, ids, _ = sample
    public = _markdown_export(ui._App(index, None, public_url="https://ofsted-qa.council.example"), index)
    assert f"](<https://ofsted-qa.council.example/pdf/{ids['Avonshire']}#page=" in public
    assert "127.0.0.1" not in public and "Page links open the reports in ofsted-qa at" in public


def test_without_a_public_address_search_exports_say_the_local_link_works_only_here(index, sample, tmp_path,
                                                                                    monkeypatch):
    from ingest import pipeline

    _, ids, _ = sample
    sha = index.searcher.documents()[ids["Avonshire"]].sha256
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"file,sha256,ofsted_url\navonshire_2017.pdf,{sha},https://files.ofsted.gov.uk/v1/file/9\n",
                        encoding="utf-8")
    monkeypatch.setenv("OFSTED_QA_MANIFEST", str(manifest))
    pipeline.published_addresses.cache_clear()
    pipeline.known_published_addresses.cache_clear()
    try:
        local = _markdown_export(ui._App(index, None), index)
    finally:
        monkeypatch.delenv("OFSTED_QA_MANIFEST")
        pipeline.published_addresses.cache_clear()
        pipeline.known_published_addresses.cache_clear()
    source = next(line for line in local.splitlines() if line.startswith("Source:"))
    ofsted, here = source.index("[Ofsted's published copy"), source.index("(works only on the machine serving the app)")
    assert ofsted < here  # Ofsted's copy, which a colleague can open, comes first
    assert f"](<http://127.0.0.1:7860/pdf/{ids['Avonshire']}#page=" in source
    assert "`ofsted-qa serve --public-url URL`" in local


def test_show_writes_download_files_of_what_is_shown(index):
    app = ui._App(index, None)
    data = ui.run_search(index, QUESTION, k=3)
    page, csv_button, md_button, status = app.show(data, ui.VIEW_COMPARE, [], None, None, [], [], request=None)
    # The line beside the Search button counts what the view shows (the compare view: up to three a council).
    shown = page.count('class="oq-card"')
    assert status == f'<p class="oq-status oq-status-ok">{shown} passages below.</p>' and shown > 3
    assert 'class="oq-compare"' in page
    assert csv_button.interactive and md_button.interactive
    assert csv_button.value["orig_name"] == "ofsted-qa-results.csv"
    assert md_button.value["orig_name"] == "ofsted-qa-results.md"
    csv_path, md_path = Path(csv_button.value["path"]), Path(md_button.value["path"])
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert len({row["authority"] for row in rows}) == 4 and len(rows) > 4  # up to three per authority, as shown
    assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))
    assert "Compare authorities" in md_path.read_text(encoding="utf-8")
    page, csv_button, _, status = app.show(ui.run_search(index, QUESTION, report_types=["x"]), ui.VIEW_RANKED,
                                           [], None, None, [], [], request=None)
    assert "oq-notice-error" in page and csv_button.value is None and not csv_button.interactive
    assert "Not searched: see the message below." in status


# -- corpus tab, page, empty index ----------------------------------------------------------------


def test_corpus_tables_and_grade_chart(index):
    tables = ui.corpus_tables(index)
    assert tables.summary == "4 reports from 4 local authorities, 2015–2023; 12 passages"
    assert tables.by_authority["Authority"].tolist() == ["Avonshire", "Borsetshire", "Stoke-on-Trent", "Wessex"]
    assert tables.by_authority.set_index("Authority").loc["Avonshire", "Passages"] == 4
    assert tables.by_year["Year"].tolist() == ["2015", "2017", "2019", "2023"]
    assert set(tables.by_type["Report type"]) == {"SIF inspection", "ILACS standard inspection",
                                                   "ILACS short inspection"}
    chart = ui.grade_chart_frame(tables.grades)
    assert chart["year"].tolist() == ["2015", "2017", "2019", "2023"] and chart["reports"].sum() == 4
    assert set(chart["grade"]) == {"requires improvement", "inadequate", "good", "outstanding"}
    assert set(chart["grade"]) <= set(ui.GRADE_CHART_COLOURS)
    reports = tables.reports
    assert len(reports) == 4 and reports["Authority"].tolist()[0] == "Borsetshire"  # newest first
    assert reports.set_index("Authority").loc["Avonshire", "Overall effectiveness"] == "inadequate"
    assert all(link.startswith("[open](/pdf/") for link in reports["Open"])


def test_the_page_loads_nothing_from_outside(running):
    page = httpx.get(running.url).text
    theme = httpx.get(running.url + "theme.css").text
    for text in (page, theme):
        assert "fonts.googleapis.com" not in text and "cdn.jsdelivr" not in text
    assert "static/fonts/SourceSansPro" in theme


def test_serve_binds_localhost_by_default():
    import inspect

    assert inspect.signature(ui.serve).parameters["host"].default == "127.0.0.1"


def test_serve_freezes_what_start_up_made_before_it_listens(tmp_path, monkeypatch):
    import gc

    frozen_when_listening: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: frozen_when_listening.append(gc.get_freeze_count()))
    try:
        assert ui.serve(tmp_path / "no-index-here") == 0
    finally:
        gc.unfreeze()  # this test process goes on collecting as before
    assert frozen_when_listening and frozen_when_listening[0] > 0


def test_missing_index_starts_and_explains_how_to_ingest(tmp_path):
    missing = tmp_path / "no-index-here"
    assert ui.load_index(missing) is None
    with RunningApp(ui.create_app(None, index_dir=missing)) as app:
        config = httpx.get(app.url + "config").text
        assert f"ofsted-qa ingest PDF_DIR --index {missing}" in config
        data = search(client_for(app.url))
        assert data["ok"] is False and f"ofsted-qa ingest PDF_DIR --index {missing}" in data["message"]
        assert raw_get(app.url, "/pdf/1")[0] == 404


def test_an_existing_but_empty_index_explains_too(tmp_path):
    empty = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    data = ui.run_search(empty, QUESTION)
    assert data["ok"] is False and "ofsted-qa ingest PDF_DIR --index" in data["message"]
    assert "<code>ofsted-qa ingest PDF_DIR" in ui.render_ranked(data)
    assert ui.corpus_tables(empty).summary.startswith("0 reports")
    empty.close()


def test_what_good_looks_like_sets_well_graded_reports_beside_the_others(index):
    data = ui.contrast_payload(index, "child sexual exploitation screening", k=4)
    assert data["ok"] and data["judgement"] == "overall effectiveness"
    assert {r["citation"]["local_authority"] for r in data["results"]} <= {"Stoke-on-Trent", "Borsetshire"}
    assert {r["citation"]["local_authority"] for r in data["poor"]} == {"Avonshire", "Wessex"}
    app = ui._App(index, None)
    page, csv_button, _, _ = app.show(ui.run_search(index, "child sexual exploitation screening", k=4),
                                   ui.VIEW_CONTRAST, [], None, None, [], [], request=None)
    assert 'class="oq-contrast"' in page
    assert "Graded good or outstanding for overall effectiveness" in page
    assert "Graded requires improvement or inadequate for overall effectiveness" in page
    rows = list(csv.DictReader(io.StringIO(Path(csv_button.value["path"]).read_text(encoding="utf-8"))))
    assert {row["authority"] for row in rows} >= {"Avonshire", "Wessex", "Borsetshire"}


def test_exports_give_ofsteds_published_address_when_the_manifest_has_it(index, tmp_path, monkeypatch):
    from ingest import pipeline

    data = ui.run_search(index, QUESTION, ["Avonshire"], k=1)
    sha = index.searcher.documents()[data["results"][0]["doc_id"]].sha256
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"file,sha256,ofsted_url\navonshire_2017.pdf,{sha},https://files.ofsted.gov.uk/v1/file/1\n",
                        encoding="utf-8")
    monkeypatch.setenv("OFSTED_QA_MANIFEST", str(manifest))
    pipeline.published_addresses.cache_clear()
    pipeline.known_published_addresses.cache_clear()
    try:
        data = ui.run_search(index, QUESTION, ["Avonshire"], k=1)
        assert data["results"][0]["ofsted_url"] == "https://files.ofsted.gov.uk/v1/file/1"
        row = next(csv.DictReader(io.StringIO(ui.csv_text(data["results"]))))
        assert row["ofsted_url"] == f"https://files.ofsted.gov.uk/v1/file/1#page={data['results'][0]['citation']['page_start']}"
        page = data["results"][0]["citation"]["page_start"]
        assert f"[Ofsted's published copy, page {page}](<https://files.ofsted.gov.uk/v1/file/1#page={page}>)" in (
            ui.markdown_text(data["query"], data["results"]))
    finally:
        monkeypatch.delenv("OFSTED_QA_MANIFEST")
        pipeline.published_addresses.cache_clear()
        pipeline.known_published_addresses.cache_clear()


def test_the_contrast_endpoint(client):
    data = client.predict("child sexual exploitation screening", [], None, None, [], 4, api_name="/contrast")
    assert data["ok"] and data["judgement"] == "overall effectiveness"
    assert {r["citation"]["local_authority"] for r in data["poor"]} == {"Avonshire", "Wessex"}
    assert {r["citation"]["local_authority"] for r in data["results"]} <= {"Stoke-on-Trent", "Borsetshire"}
    bad = client.predict("   ", [], None, None, [], 4, api_name="/contrast")
    assert bad["ok"] is False and "type a question" in bad["message"]
