"""fetch-corpus against a local HTTP server on 127.0.0.1 serving generated PDFs (no network, no sleeping)."""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.server
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import fetch
from app.fetch import (
    FetchError,
    FetchSummary,
    UnknownAuthorityError,
    add_fetch_arguments,
    fetch_corpus,
    run_fetch,
)
from ingest.vocabulary import name_key
from tests.httpserver import QuietHandler, local_server
from tests.pdfgen import make_pdf, sample_report_pages

AUTHORITIES = {
    # file: (local_authority as in the manifest, file id on the fake server)
    "stoke-on-trent_2019-05-01.pdf": ("stoke-on-trent", "101"),
    "stoke-on-trent_2023-06-01.pdf": ("stoke-on-trent", "102"),
    "telford-wrekin_2020-01-01.pdf": ("telford & wrekin", "103"),
    "st-helens_2019-11-04.pdf": ("st. helens", "104"),
    "kingston-upon-hull_2018-02-02.pdf": ("kingston upon hull", "105"),
    "kingston-upon-thames_2019-12-19.pdf": ("kingston upon thames", "106"),
}
FIELDS = ["file", "local_authority", "urn", "published", "pages", "bytes", "sha256", "ofsted_url"]


class _Server:
    """What the fake Ofsted serves: path -> bytes, plus scripted failures per path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.failures: dict[str, list[int]] = {}  # path -> status codes to answer before serving
        self.requests: Counter[str] = Counter()
        self.user_agents: list[str] = []
        self.truncate: set[str] = set()


def _handler(state: _Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            state.requests[self.path] += 1
            state.user_agents.append(self.headers.get("User-Agent", ""))
            pending = state.failures.get(self.path)
            if pending:
                code = pending.pop(0)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path in state.truncate:
                state.truncate.discard(self.path)
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[_Server, str]]:
    state = _Server()
    with local_server(_handler(state)) as base:
        yield state, base


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", delays.append)
    return delays


@pytest.fixture
def corpus(tmp_path: Path, server: tuple[_Server, str]) -> dict[str, bytes]:
    """Generate one PDF per AUTHORITIES entry, serve it, and write a manifest with its real sha256."""
    state, _ = server
    source = tmp_path / "source"
    source.mkdir()
    bodies: dict[str, bytes] = {}
    rows = []
    for i, (name, (authority, file_id)) in enumerate(AUTHORITIES.items()):
        body = make_pdf(source / name, sample_report_pages(authority.title(), 2018 + i)).read_bytes()
        bodies[name] = body
        state.files[f"/v1/file/{file_id}"] = body
        rows.append(
            {
                "file": name,
                "local_authority": authority,
                "urn": file_id,
                "published": name.split("_")[1][:10],
                "pages": "3",
                "bytes": str(len(body)),
                "sha256": hashlib.sha256(body).hexdigest(),
                "ofsted_url": f"https://files.ofsted.gov.uk/v1/file/{file_id}",
            }
        )
    with open(tmp_path / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return bodies


@pytest.fixture
def run(tmp_path: Path, server: tuple[_Server, str], corpus: dict[str, bytes]):
    _, base = server

    def _run(**kwargs) -> FetchSummary:
        kwargs.setdefault("manifest", tmp_path / "manifest.csv")
        kwargs.setdefault("base_url", base)
        kwargs.setdefault("progress", False)
        return fetch_corpus(tmp_path / "dest", **kwargs)

    return _run


def _no_partials(dest: Path) -> None:
    leftovers = [p.name for p in dest.iterdir() if p.name.startswith(".") or p.suffix == ".part"]
    assert leftovers == []


def test_downloads_and_verifies_every_file(run, tmp_path, server, corpus):
    state, _ = server
    summary = run()
    assert sorted(summary.downloaded) == sorted(corpus)
    assert summary.skipped == [] and summary.failed == [] and summary.ok
    dest = tmp_path / "dest"
    for name, body in corpus.items():
        assert (dest / name).read_bytes() == body
    _no_partials(dest)
    assert all(ua.startswith("ofsted-qa/") for ua in state.user_agents)


def test_skips_files_already_present_with_the_right_sha256(run, tmp_path, server, corpus):
    state, _ = server
    dest = tmp_path / "dest"
    dest.mkdir()
    good = "stoke-on-trent_2019-05-01.pdf"
    stale = "stoke-on-trent_2023-06-01.pdf"
    (dest / good).write_bytes(corpus[good])
    (dest / stale).write_bytes(b"%PDF-1.4 an older, different copy")
    summary = run(authority="Stoke-on-Trent")
    assert summary.skipped == [good]
    assert summary.downloaded == [stale]
    assert (dest / stale).read_bytes() == corpus[stale]
    assert state.requests["/v1/file/101"] == 0

    again = run(authority="Stoke-on-Trent")
    assert sorted(again.skipped) == [good, stale] and again.downloaded == [] and again.ok


def test_corrupted_download_fails_on_sha256_and_leaves_no_file(run, tmp_path, server):
    state, _ = server
    state.files["/v1/file/103"] = b"%PDF-1.4 not the bytes the manifest describes"
    summary = run(authority="telford and wrekin")
    assert summary.downloaded == []
    [(name, reason)] = summary.failed
    assert name == "telford-wrekin_2020-01-01.pdf"
    assert "sha256" in reason
    assert state.requests["/v1/file/103"] == 1  # a checksum mismatch is not retried
    dest = tmp_path / "dest"
    assert not (dest / name).exists()
    _no_partials(dest)


def test_transient_503_is_retried_with_backoff(run, tmp_path, server, corpus, no_sleep):
    state, _ = server
    state.failures["/v1/file/104"] = [503, 502]
    summary = run(authority="St Helens", backoff_base=0.5)
    assert summary.downloaded == ["st-helens_2019-11-04.pdf"] and summary.ok
    assert state.requests["/v1/file/104"] == 3
    assert no_sleep == [0.5, 1.0]  # exponential
    assert (tmp_path / "dest" / "st-helens_2019-11-04.pdf").read_bytes() == corpus["st-helens_2019-11-04.pdf"]


def test_truncated_body_is_retried(run, tmp_path, server, corpus):
    state, _ = server
    state.truncate.add("/v1/file/104")
    summary = run(authority="st helens")
    assert summary.ok and summary.downloaded == ["st-helens_2019-11-04.pdf"]
    assert state.requests["/v1/file/104"] == 2


def test_persistent_5xx_gives_up_after_the_retries(run, tmp_path, server, no_sleep):
    state, _ = server
    state.failures["/v1/file/104"] = [500] * 10
    summary = run(authority="st helens", retries=2)
    [(name, reason)] = summary.failed
    assert "500" in reason and "3 attempts" in reason
    assert state.requests["/v1/file/104"] == 3
    assert len(no_sleep) == 2
    assert not (tmp_path / "dest" / name).exists()
    _no_partials(tmp_path / "dest")


def test_404_fails_without_retrying(run, tmp_path, server, no_sleep):
    state, _ = server
    del state.files["/v1/file/105"]
    summary = run(authority="Kingston upon Hull")
    assert summary.failed == [("kingston-upon-hull_2018-02-02.pdf", "HTTP 404 Not Found")]
    assert state.requests["/v1/file/105"] == 1
    assert no_sleep == []
    assert list((tmp_path / "dest").iterdir()) == []


def test_failure_of_one_file_does_not_stop_the_others(run, tmp_path, server, corpus):
    state, _ = server
    del state.files["/v1/file/101"]
    summary = run()
    assert [name for name, _ in summary.failed] == ["stoke-on-trent_2019-05-01.pdf"]
    assert sorted(summary.downloaded) == sorted(set(corpus) - {"stoke-on-trent_2019-05-01.pdf"})
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == sorted(summary.downloaded)


def test_connection_refused_is_a_network_failure(tmp_path, corpus, no_sleep):
    # Port 9 on 127.0.0.1 (discard) is essentially never listening: the connection is refused.
    summary = fetch_corpus(
        tmp_path / "dest",
        manifest=tmp_path / "manifest.csv",
        authority="st helens",
        base_url="http://127.0.0.1:9",
        retries=1,
        timeout=5,
        progress=False,
    )
    [(_, reason)] = summary.failed
    assert reason.startswith("network error") and "2 attempts" in reason
    assert len(no_sleep) == 1
    _no_partials(tmp_path / "dest")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Stoke-on-Trent", 2),
        ("stoke on trent", 2),
        ("STOKE ON TRENT.", 2),
        ("Telford & Wrekin", 1),
        ("telford and wrekin", 1),
        ("telford-wrekin", 1),  # the file name's spelling works too
        ("St Helens", 1),
        ("st. helens", 1),
    ],
)
def test_authority_matching_ignores_case_spaces_and_punctuation(run, query, expected):
    summary = run(authority=query)
    assert len(summary.downloaded) == expected and summary.ok


def test_authority_key():
    # The manifest's names and the user's are matched by the vocabulary's one normalisation.
    assert name_key("Stoke-on-Trent") == name_key("stoke on trent") == "stokeontrent"
    assert name_key("Bournemouth, Christchurch & Poole") == "bournemouthchristchurchandpoole"
    assert name_key("St. Helens") == "sthelens"


def test_unknown_authority_lists_close_matches(run, tmp_path):
    with pytest.raises(UnknownAuthorityError) as info:
        run(authority="Stoke on Tent")
    assert "stoke-on-trent" in info.value.suggestions
    assert "Stoke on Tent" in str(info.value) and "stoke-on-trent" in str(info.value)
    with pytest.raises(UnknownAuthorityError) as info:
        run(authority="Kingston")
    assert set(info.value.suggestions) == {"kingston upon hull", "kingston upon thames"}
    with pytest.raises(UnknownAuthorityError) as info:
        run(authority="Xyzzy")
    assert info.value.suggestions == [] and "no close matches" in str(info.value)
    assert not (tmp_path / "dest").exists()  # nothing was started


def test_demo_selects_the_files_in_the_demo_list(run, tmp_path, server):
    state, _ = server
    demo = tmp_path / "demo.txt"
    demo.write_text(
        "# a demo list\n\nst-helens_2019-11-04.pdf\ntelford-wrekin_2020-01-01.pdf  # trailing comment\n",
        encoding="utf-8",
    )
    summary = run(demo=True, demo_list=demo)
    assert summary.downloaded == ["st-helens_2019-11-04.pdf", "telford-wrekin_2020-01-01.pdf"]
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == sorted(summary.downloaded)
    # demo and authority together: that authority's demo files
    both = run(demo=True, demo_list=demo, authority="st helens")
    assert both.skipped == ["st-helens_2019-11-04.pdf"] and both.downloaded == []


def test_demo_list_naming_an_unknown_file_is_an_error(run, tmp_path):
    demo = tmp_path / "demo.txt"
    demo.write_text("nowhere_2020-01-01.pdf\n", encoding="utf-8")
    with pytest.raises(FetchError, match="nowhere_2020-01-01.pdf"):
        run(demo=True, demo_list=demo)


def test_repository_demo_list_is_in_the_manifest():
    names = fetch.read_demo_list(fetch.DEFAULT_DEMO_LIST)
    rows = {row["file"]: row for row in fetch.read_manifest(fetch.DEFAULT_MANIFEST)}
    assert 30 <= len(names) <= 40
    assert set(names) <= set(rows)
    for authority in ("worcestershire", "gloucestershire", "rotherham"):
        assert {f for f, r in rows.items() if r["local_authority"] == authority} <= set(names)
    assert 700 <= sum(int(rows[n]["pages"]) for n in names) <= 900


def test_interrupted_download_leaves_no_partial_file(run, tmp_path, monkeypatch):
    real_update = fetch.tqdm.update

    def interrupt(self, n=1):
        if n > 0:
            raise KeyboardInterrupt
        return real_update(self, n)

    monkeypatch.setattr(fetch.tqdm, "update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(authority="st helens")
    assert list((tmp_path / "dest").iterdir()) == []


def test_progress_bar_runs(run, capsys, corpus):
    summary = run(progress=True)
    assert len(summary.downloaded) == len(corpus)
    assert "fetching" in capsys.readouterr().err


def _cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ofsted-qa fetch-corpus")
    add_fetch_arguments(parser)
    return parser.parse_args(argv)


def test_cli_arguments_and_defaults():
    args = _cli(["out"])
    assert args.dest == "out" and args.authority is None and args.demo is False
    assert args.retries == 3 and args.timeout == 60.0 and args.manifest == fetch.DEFAULT_MANIFEST
    args = _cli(["out", "--authority", "Stoke-on-Trent", "--demo", "--retries", "0", "--timeout", "5"])
    assert (args.authority, args.demo, args.retries, args.timeout) == ("Stoke-on-Trent", True, 0, 5.0)
    with pytest.raises(SystemExit):
        _cli(["out", "--retries", "-1"])


def test_run_fetch_exit_status(tmp_path, server, corpus, capsys):
    state, base = server
    argv = [str(tmp_path / "dest"), "--manifest", str(tmp_path / "manifest.csv"), "--authority", "st helens"]
    args = _cli(argv)
    args.base_url, args.progress = base, False
    assert run_fetch(args) == 0
    assert "1 downloaded" in capsys.readouterr().out

    del state.files["/v1/file/105"]
    args = _cli([*argv[:3], "--authority", "kingston upon hull"])
    args.base_url, args.progress = base, False
    assert run_fetch(args) == 1
    assert "kingston-upon-hull_2018-02-02.pdf: HTTP 404" in capsys.readouterr().err

    args = _cli([*argv[:3], "--authority", "Stoke on Tent"])
    assert run_fetch(args) == 2
    assert "did you mean" in capsys.readouterr().err


def test_retry_after_in_seconds_or_as_an_http_date():
    import email.utils
    import time as real_time

    assert fetch._retry_after("7") == 7.0 and fetch._retry_after(None) is None
    assert fetch._retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past
    later = email.utils.formatdate(real_time.time() + 120, usegmt=True)
    assert 100 < fetch._retry_after(later) <= 120
    assert fetch._retry_after("soon") is None
