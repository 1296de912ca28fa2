"""`ofsted-qa update` against a fake Ofsted reports site on 127.0.0.1 (no test touches the internet).

The fake site serves provider pages laid out as Ofsted's (`a.publication-link` with a hidden `span.nonvisual`
naming the type and date, a `<time>` beside it) and PDFs made by tests/pdfgen.py; the index uses the
deterministic fake embedder.
"""

from __future__ import annotations

import csv
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from app import fetch
from app.cli import build_parser, main
from app.ofsted_site import BASE_URL_ENV, SiteClient
from app.update import (
    SHIPPED_MANIFEST,
    UpdateError,
    last_update_summary,
    parse_since,
    parse_types,
    print_result,
    update,
)
from index.build import ingest_paths
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from index.search import SearchFilters
from tests.httpserver import QuietHandler, local_server
from tests.pdfgen import letter_pages, make_pdf, pdf_bytes, sample_report_pages

REPO = Path(__file__).resolve().parents[2]
URNS = {"Barking and Dagenham": "80486", "Barnet": "80487"}
TODAY = date.today().isoformat()


@dataclass
class Entry:
    """One publication on a provider page."""

    file_id: str
    label: str
    published: date
    with_time: bool = True  # else the date is only in the hidden text


@dataclass
class FakeSite:
    base: str = ""
    pages: dict[str, list[Entry]] = field(default_factory=dict)  # urn -> publications, newest first
    files: dict[str, bytes] = field(default_factory=dict)  # file id -> PDF
    failures: dict[str, list[int]] = field(default_factory=dict)  # path -> status codes to answer first
    retry_after: dict[str, str] = field(default_factory=dict)  # path -> Retry-After header with those
    changed_layout: bool = False
    stall: set[str] = field(default_factory=set)  # file ids sent half-way, then held until `release` is set
    release: threading.Event = field(default_factory=threading.Event)
    requests: Counter = field(default_factory=Counter)
    user_agents: list[str] = field(default_factory=list)

    def page(self, urn: str) -> str:
        if self.changed_layout:  # a redesign: cards with script-driven downloads, no links to the file store
            cards = "".join(f"<div class='card' data-document='{e.file_id}'>{e.label} {e.published:%d %B %Y}</div>"
                            for e in self.pages[urn])
            return (f"<html><head><title>Provider {urn}</title></head><body><div class='grid'>{cards}</div>"
                    "</body></html>")
        items = []
        for i, e in enumerate(self.pages[urn]):
            href = f"/v1/file/{e.file_id}" if i % 2 else f"{self.base}/v1/file/{e.file_id}"  # relative and absolute
            when = (f"<p><time datetime='{e.published.isoformat()}'>{e.published:%d %B %Y}</time></p>"
                    if e.with_time else "")
            items.append(f"<li class='timeline__day'>{when}<a class='publication-link' href='{href}'>{e.label}"
                         f"<span class='nonvisual'>{e.label} - {e.published:%d %B %Y}, pdf</span></a></li>")
        return (f"<!DOCTYPE html><html lang='en'><head><title>Provider {urn} - Ofsted</title></head><body><main>"
                f"<h1>Provider {urn}</h1><ul class='timeline'>{''.join(items)}</ul></main></body></html>")


def _handler(site: FakeSite) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            site.requests[self.path] += 1
            site.user_agents.append(self.headers.get("User-Agent", ""))
            pending = site.failures.get(self.path)
            if pending:
                self.send_response(pending.pop(0))
                if self.path in site.retry_after:
                    self.send_header("Retry-After", site.retry_after[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path.startswith("/provider/44/") and self.path.rsplit("/", 1)[-1] in site.pages:
                body, kind = site.page(self.path.rsplit("/", 1)[-1]).encode(), "text/html; charset=utf-8"
            elif self.path.startswith("/v1/file/") and self.path.rsplit("/", 1)[-1] in site.files:
                body, kind = site.files[self.path.rsplit("/", 1)[-1]], "application/pdf"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path.rsplit("/", 1)[-1] in site.stall:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                site.release.wait(60)
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site() -> Iterator[FakeSite]:
    state = FakeSite()
    with local_server(_handler(state)) as base:
        state.base = base
        try:
            yield state
        finally:
            state.release.set()  # a stalled download lets go before the server stops


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Never Ofsted's real site (port 9 refuses), never a real wait: the waits asked for are recorded."""
    monkeypatch.setenv(BASE_URL_ENV, "http://127.0.0.1:9")
    waits: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", waits.append)
    return waits


NEW_REPORT = pdf_bytes(sample_report_pages("Barking and Dagenham", 2026))
OLD_REPORT = pdf_bytes(sample_report_pages("Barking and Dagenham", 2019))
BARNET_REPORT = pdf_bytes(sample_report_pages("Barnet", 2026))
LETTER = pdf_bytes(letter_pages("Barking and Dagenham", "Monitoring visit", 2026))


@pytest.fixture
def data(tmp_path: Path, site: FakeSite) -> Path:
    """A data folder whose index holds Barnet's report published 1 August 2026; the site lists it too, beside
    Barking and Dagenham's new report (20 November 2026), its old one (2019) and a monitoring visit letter."""
    own = tmp_path / "own"
    own.mkdir()
    make_pdf(own / "barnet_2026-08-01.pdf", sample_report_pages("Barnet", 2026))
    index = ReportIndex.load(tmp_path / "data" / "index", embedder=HashingEmbedder(), create=True)
    summary = ingest_paths(index, [own], workers=0, progress=False)
    index.close()
    assert summary.added and summary.ok
    site.files.update({"501": NEW_REPORT, "502": OLD_REPORT, "503": BARNET_REPORT, "504": LETTER})
    site.pages[URNS["Barking and Dagenham"]] = [
        Entry("501", "Children's services inspection", date(2026, 11, 20)),
        Entry("504", "Children's services monitoring visit", date(2026, 11, 2), with_time=False),
        Entry("502", "Children's services inspection", date(2019, 4, 1)),
    ]
    site.pages[URNS["Barnet"]] = [Entry("503", "Children's services inspection", date(2026, 8, 1))]
    return tmp_path / "data"


def run(data: Path, site: FakeSite, **kwargs):
    kwargs.setdefault("authorities", list(URNS))
    client = SiteClient(site.base, retries=kwargs.pop("retries", 2), backoff_base=0.5, delay=0)
    return update(data / "index", client=client, embedder=HashingEmbedder(), workers=0, say=lambda _: None, **kwargs)


def manifest_rows(data: Path) -> list[dict[str, str]]:
    with open(data / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def documents(data: Path) -> dict[str, object]:
    index = ReportIndex.load(data / "index", embedder=HashingEmbedder(), read_only=True)
    try:
        return {Path(d.paths[0]).name: d for d in index.store.documents().values()}
    finally:
        index.close()


def file_requests(site: FakeSite) -> dict[str, int]:
    return {path: n for path, n in site.requests.items() if path.startswith("/v1/file/")}


def test_a_new_report_is_found_downloaded_recorded_and_ingested(data, site, capsys):
    shipped = hashlib.sha256(SHIPPED_MANIFEST.read_bytes()).hexdigest()
    result = run(data, site)
    assert result.ok and result.since == date(2026, 8, 1) and result.since_reason == "the newest report in the index"
    assert result.checked == 2
    new = "barking-and-dagenham_2026-11-20.pdf"
    assert {a.file: a.status for a in result.arrived} == {
        new: "added",
        # Barnet's report of the cut-off day is fetched (another report of that day might be missing) and found
        # to be the one the index holds.
        "barnet_2026-08-01.pdf": "already in the index as barnet_2026-08-01.pdf",
    }
    # Only what is new and of the kinds asked for is fetched: not the 2019 report, not the monitoring visit.
    assert file_requests(site) == {"/v1/file/501": 1, "/v1/file/503": 1}
    assert all(ua.startswith("ofsted-qa/") and "update" in ua for ua in site.user_agents)

    saved = data / "reports-updates" / new
    assert saved.read_bytes() == NEW_REPORT
    [row] = [r for r in manifest_rows(data) if r["file"] == new]
    assert row["sha256"] == hashlib.sha256(NEW_REPORT).hexdigest() and row["bytes"] == str(len(NEW_REPORT))
    assert row["ofsted_url"] == f"{site.base}/v1/file/501" and row["found"] == TODAY
    assert (row["published"], row["urn"], row["local_authority"]) == ("2026-11-20", "80486", "barking and dagenham")
    assert row["publication_type"] == "Children's services inspection" and row["path"] == str(saved.resolve())
    # ... and what the metadata reader found, in the shipped manifest's columns
    assert (row["lead_inspector"], row["inspection_start"], row["inspection_end"]) == (
        "Alex Example", "10/06/2026", "21/06/2026")
    assert (row["overall_effectiveness"], row["help_and_protection"]) == ("good", "requires improvement")
    assert hashlib.sha256(SHIPPED_MANIFEST.read_bytes()).hexdigest() == shipped  # never written

    doc = documents(data)[new]
    assert doc.local_authority == "Barking and Dagenham" and doc.report_type == "ilacs_2026"
    # ILACS reports print no publication date: the site's, from the local manifest.
    assert (doc.published, doc.published_source) == ("2026-11-20", "manifest")

    print_result(result)
    out = capsys.readouterr().out
    assert "for full inspections published on or after 2026-08-01 (the newest report in the index)" in out
    assert "fetched and not added (1):\n  Barnet, 2026-08-01" in out
    assert "Barking and Dagenham, 2026-11-20, ILACS inspection (2026 framework): overall effectiveness good" in out

    summary = last_update_summary(data / "index")
    assert summary.newest_report == date(2026, 11, 20) and summary.since == date(2026, 8, 1)
    assert [a.file for a in summary.arrived] == [new] and summary.failed == () and summary.checked == 2
    assert summary.arrived[0].judgements["overall_effectiveness"] == "good"
    assert "Barking and Dagenham | 2026-11-20" in summary.markdown() and "1 new report" in summary.markdown()


def test_nothing_new_says_so_and_downloads_nothing(data, site, capsys):
    run(data, site)
    before = file_requests(site)
    again = run(data, site)  # from 20 November 2026 now, the newest report in the index
    assert again.ok and again.arrived == [] and again.known == 1 and again.since == date(2026, 11, 20)
    from_august = run(data, site, since=date(2026, 8, 1))
    assert from_august.arrived == [] and from_august.known == 2
    assert file_requests(site) == before  # nothing downloaded again
    print_result(from_august)
    assert "nothing new: 2 publication(s) since then, all in the index already; nothing was downloaded" in (
        capsys.readouterr().out)
    assert last_update_summary(data / "index").arrived == ()
    assert "no new reports" in last_update_summary(data / "index").markdown()

    later = run(data, site, since=date(2026, 12, 1))
    assert later.arrived == [] and later.known == 0 and file_requests(site) == before
    print_result(later)
    assert "nothing new: Ofsted has published none since then" in capsys.readouterr().out


def test_a_provider_page_failing_with_500s_is_named_and_the_rest_goes_on(data, site, offline, capsys, monkeypatch):
    barnet = f"/provider/44/{URNS['Barnet']}"
    site.failures[barnet] = [500] * 10
    result = run(data, site, retries=2)
    assert not result.ok and result.checked == 1
    [(what, why)] = result.failed
    assert what == f"Barnet: {site.base}{barnet}" and "HTTP 500" in why and "3 attempts" in why
    assert site.requests[barnet] == 3 and offline == [0.5, 1.0]  # retried with exponential backoff
    assert [a.file for a in result.arrived if a.added] == ["barking-and-dagenham_2026-11-20.pdf"]

    # The command line: the failure named, exit status 1.
    site.failures[barnet] = [500] * 10
    monkeypatch.setenv("OFSTED_QA_EMBEDDER", "fake")
    status = main(["update", "--index", str(data / "index"), "--reports-url", site.base, "--authority", "Barnet",
                   "--authority", "barking and dagenham", "--retries", "0", "--delay", "0", "--workers", "0"])
    captured = capsys.readouterr()
    assert status == 1
    assert f"Barnet: {site.base}{barnet}: HTTP 500" in captured.err and "run the same command again" in captured.err


def test_429_with_retry_after_is_honoured(data, site, offline):
    site.failures["/v1/file/501"] = [429]
    site.retry_after["/v1/file/501"] = "7"
    result = run(data, site)
    assert result.ok and site.requests["/v1/file/501"] == 2 and offline == [7.0]


def test_a_file_that_is_not_a_pdf_fails_alone_and_leaves_nothing(data, site):
    site.files["503"] = b"<html><body>Sorry, something went wrong</body></html>"  # an error page, status 200
    result = run(data, site)
    [(what, why)] = result.failed
    assert what.startswith("Barnet Children's services inspection 2026-08-01") and why.startswith("not a PDF")
    assert site.requests["/v1/file/503"] == 1  # not retried: the server means it
    assert sorted(p.name for p in (data / "reports-updates").iterdir()) == ["barking-and-dagenham_2026-11-20.pdf"]
    assert [a.file for a in result.arrived if a.added] == ["barking-and-dagenham_2026-11-20.pdf"]
    assert [r["file"] for r in manifest_rows(data)] == ["barking-and-dagenham_2026-11-20.pdf"]


def test_a_changed_page_layout_is_said_and_nothing_is_ingested(data, site, capsys):
    site.changed_layout = True
    before = documents(data)
    result = run(data, site)
    assert result.site_not_understood and not result.ok and result.layout_not_understood == 2
    assert file_requests(site) == {} and not (data / "reports-updates").exists()
    assert documents(data).keys() == before.keys()
    assert all("not understood" in why and "no publication links" in why for _, why in result.failed)
    print_result(result)
    err = capsys.readouterr().err
    assert "Ofsted's site layout is not understood" in err and "nothing was downloaded or ingested" in err


def test_an_interrupted_download_leaves_no_half_file_and_a_rerun_completes_it(data, site, monkeypatch):
    site.pages[URNS["Barnet"]].insert(0, Entry("505", "Children's services inspection", date(2026, 12, 1)))
    site.files["505"] = pdf_bytes(sample_report_pages("Barnet", 2026) + ["Barnet page 4: new text on placements."])
    dest = data / "reports-updates"
    dest.mkdir()
    stale = dest / ".barnet_2026-12-01.pdf.x1y2.part"  # left by a run that was killed outright
    stale.write_bytes(b"%PDF-1.4 half")
    real_update = fetch.tqdm.update
    calls = Counter()

    def interrupt_second_download(self, n=1):
        if n > 0:
            calls["bytes"] += 1
            if calls["bytes"] == 2:  # each fake PDF arrives in one piece: this is the second file
                raise KeyboardInterrupt
        return real_update(self, n)

    monkeypatch.setattr(fetch.tqdm, "update", interrupt_second_download)
    with pytest.raises(KeyboardInterrupt):
        run(data, site)
    monkeypatch.setattr(fetch.tqdm, "update", real_update)
    # The first file is whole and recorded; no half of the second is left, nor the killed run's.
    assert sorted(p.name for p in dest.iterdir()) == ["barking-and-dagenham_2026-11-20.pdf"]
    assert [r["file"] for r in manifest_rows(data)] == ["barking-and-dagenham_2026-11-20.pdf"]
    assert "barking-and-dagenham_2026-11-20.pdf" not in documents(data)

    result = run(data, site)
    assert result.ok
    assert {a.file for a in result.arrived if a.added} == {"barking-and-dagenham_2026-11-20.pdf",
                                                           "barnet_2026-12-01.pdf"}
    assert site.requests["/v1/file/501"] == 1  # downloaded once, by the interrupted run
    assert {"barking-and-dagenham_2026-11-20.pdf", "barnet_2026-12-01.pdf"} <= documents(data).keys()
    assert not [p for p in dest.iterdir() if p.name.startswith(".")]


def test_a_killed_update_leaves_no_half_file_and_the_next_run_finishes(data, site):
    """SIGTERM in the middle of a download: the command stops cleanly, with no half file and nothing recorded."""
    site.stall.add("501")
    dest = data.parent / "killed"
    env = dict(os.environ, OFSTED_QA_EMBEDDER="fake", PYTHONPATH=str(REPO))
    args = [sys.executable, "-m", "app.cli", "update", str(dest), "--index", str(data / "index"), "--reports-url",
            site.base, "--authority", "Barking and Dagenham", "--delay", "0", "--workers", "0"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while not (site.requests["/v1/file/501"] and list(dest.glob(".*.part"))):
            assert proc.poll() is None and time.monotonic() < deadline, "the download never started"
            threading.Event().wait(0.05)  # time.sleep is recording here, not sleeping
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in err
    assert list(dest.iterdir()) == [] and not (data / "manifest.csv").exists()

    site.stall.clear()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in dest.iterdir()] == ["barking-and-dagenham_2026-11-20.pdf"]
    assert "barking-and-dagenham_2026-11-20.pdf" in documents(data)


def test_dry_run_lists_and_changes_nothing(data, site, capsys):
    result = run(data, site, dry_run=True, kinds=parse_types(["full,monitoring"]))
    assert [(a.file, a.status) for a in result.arrived] == [
        ("barking-and-dagenham_2026-11-20.pdf", "would be downloaded"),
        ("barking-and-dagenham_childrens-services-monitoring-visit_2026-11-02.pdf", "would be downloaded"),
        ("barnet_2026-08-01.pdf", "would be downloaded"),
    ]
    assert file_requests(site) == {}
    assert sorted(p.name for p in data.iterdir()) == ["index"]  # no folder, manifest, log or lock
    print_result(result)
    out = capsys.readouterr().out
    assert f"would fetch 3 publication(s):\n  Barking and Dagenham, 2026-11-20, Children's services inspection: " \
           f"{site.base}/v1/file/501 -> barking-and-dagenham_2026-11-20.pdf" in out


def test_a_monitoring_visit_letter_is_an_other_ofsted_publication_and_filterable(data, site, capsys):
    result = run(data, site, kinds=("monitoring",), authorities=["Barking and Dagenham"])
    [letter] = result.arrived
    assert letter.file == "barking-and-dagenham_childrens-services-monitoring-visit_2026-11-02.pdf"
    assert (letter.status, letter.report_type, letter.judgements) == ("added", "other_ofsted", {})
    print_result(result)
    assert ("Barking and Dagenham, 2026-11-02, Other Ofsted publication (Children's services monitoring visit)"
            in capsys.readouterr().out)
    doc = documents(data)[letter.file]
    assert (doc.local_authority, doc.report_type, doc.overall_grade) == ("Barking and Dagenham", "other_ofsted", None)
    assert (doc.inspection_start, doc.inspection_end, doc.published) == ("2026-10-07", "2026-10-08", "2026-11-02")
    [row] = [r for r in manifest_rows(data) if r["file"] == letter.file]
    assert row["framework"] == "" and row["overall_effectiveness"] == "" and row["inspection_start"] == "07/10/2026"

    index = ReportIndex.load(data / "index", embedder=HashingEmbedder(), read_only=True)
    try:
        letters = index.search("placement sufficiency", SearchFilters.build(report_type="other_ofsted"))
        assert letters.results and {r.citation.file for r in letters.results} == {letter.file}
        inspections = index.search("placement sufficiency", SearchFilters.build(report_type="ilacs_2026"))
        assert letter.file not in {r.citation.file for r in inspections.results}
    finally:
        index.close()


def test_bad_options_name_the_valid_ones(data, site, capsys):
    with pytest.raises(ValueError, match="unknown publication type 'inspections'; valid: full, monitoring, focused, "
                                         "jtai, other or all"):
        parse_types(["full,inspections"])
    assert parse_types(None) == ("full",) and parse_types(["jtai", "monitoring,full"]) == ("full", "monitoring", "jtai")
    assert len(parse_types(["all"])) == 5
    assert parse_since("2026-05-01") == parse_since("1 May 2026") == date(2026, 5, 1)
    with pytest.raises(ValueError, match="--since takes a date"):
        parse_since("last week")
    with pytest.raises(ValueError, match="unknown local authority 'Barnett'; did you mean Barnet"):
        run(data, site, authorities=["Barnett"])
    assert main(["update", "--index", str(data / "index"), "--types", "letters"]) == 2
    assert "valid: full, monitoring, focused, jtai, other" in capsys.readouterr().err
    assert site.requests == Counter()


def test_summary_before_any_index_or_update(tmp_path):
    summary = last_update_summary(tmp_path / "data" / "index")
    assert (summary.newest_report, summary.last_update, summary.arrived) == (None, None, ())
    assert "**Last update:** never" in summary.markdown()


def test_an_empty_index_needs_a_since_date(tmp_path, site):
    with pytest.raises(UpdateError, match="give --since"):
        update(tmp_path / "data" / "index", client=SiteClient(site.base, delay=0), authorities=["Barnet"])


def test_the_command_line_with_the_environment_variable(data, site):
    """The installed command, in its own process: the site's address from $OFSTED_QA_REPORTS_URL."""
    env = dict(os.environ, OFSTED_QA_EMBEDDER="fake", PYTHONPATH=str(REPO), **{BASE_URL_ENV: site.base})
    dest = data.parent / "new-reports"
    args = [sys.executable, "-m", "app.cli", "update", str(dest), "--index", str(data / "index"), "--authority",
            "Barking and Dagenham", "--since", "2026-09-01", "--types", "full,monitoring", "--delay", "0"]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "added 2 new publication(s) to the index:" in proc.stdout
    assert sorted(p.name for p in dest.iterdir()) == [
        "barking-and-dagenham_2026-11-20.pdf",
        "barking-and-dagenham_childrens-services-monitoring-visit_2026-11-02.pdf",
    ]
    log = json.loads((data / "last_update.json").read_text())
    assert log["since"] == "2026-09-01" and log["site"] == site.base and len(log["arrived"]) == 2


def test_cli_parser_has_the_update_command():
    args = build_parser().parse_args(["update"])
    assert (args.dest, args.authority, args.since, args.types, args.dry_run, args.index) == (
        None, None, None, None, False, None)
