"""The server is safe by default: 127.0.0.1 unless told otherwise (and then only with a login decision),
PDFs only for indexed documents, no calls out of the machine; and it holds up under a bounded load test.

Already proved in tests/app/ui/test_page.py (not repeated): `/pdf/` refuses `../../etc/passwd`, encoded slashes,
non-numeric ids and unknown ids; HTTP Basic guards every route; `ui.serve`'s host parameter defaults to
127.0.0.1; the page loads no fonts or scripts from outside.
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app import cli, ui
from index.embed import HashingEmbedder
from index.report_index import ReportIndex
from tests.app.ui.test_page import QUESTION, RunningApp, build_sample_index, raw_get
from tests.index.helpers import make_report
from tests.pdfgen import make_pdf

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning",
                                        "ignore::DeprecationWarning")

LOAD_CLIENTS = 20
LOAD_QUERIES = 500
LOAD_QUESTIONS = (QUESTION, "LADO", "care leavers' accommodation", "management oversight",
                  "return home interviews when children go missing", "multi-agency safeguarding hub thresholds",
                  "what is 'NEAR(care leavers)' AND \"OR\"?", "🙂 supervision")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    directory = tmp_path_factory.mktemp("server")
    index, ids = build_sample_index(directory)
    yield index, ids, directory
    index.close()


@pytest.fixture(scope="module")
def running(sample):
    with RunningApp(ui.create_app(sample[0])) as app:
        yield app


# -- where it listens -----------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch) -> list[dict]:
    """Calls to uvicorn.run, recorded instead of serving."""
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    return calls


def test_serve_binds_127_0_0_1_by_default(served, tmp_path):
    assert cli.build_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert cli.main(["serve", "--index", str(tmp_path / "ix")]) == 0
    assert served == [{"host": "127.0.0.1", "port": 7860, "log_level": "warning"}]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_a_public_host_needs_auth_or_an_explicit_no_auth(served, tmp_path, capsys, host):
    assert cli.main(["serve", "--host", host, "--index", str(tmp_path / "ix")]) == 2
    err = capsys.readouterr().err
    assert f"--host {host}" in err and "--auth USER:PASSWORD" in err and "--no-auth" in err
    assert served == []  # nothing was started

    assert cli.main(["serve", "--host", host, "--auth", "me:pw", "--index", str(tmp_path / "ix")]) == 0
    assert served[-1]["host"] == host
    assert "login required" in capsys.readouterr().err

    assert cli.main(["serve", "--host", host, "--no-auth", "--index", str(tmp_path / "ix")]) == 0
    assert "WARNING: serving on" in capsys.readouterr().err and served[-1]["host"] == host


def test_auth_without_a_password_is_refused(served, tmp_path, capsys):
    assert cli.main(["serve", "--host", "0.0.0.0", "--auth", "nopassword", "--index", str(tmp_path / "ix")]) == 2
    assert "USER:PASSWORD" in capsys.readouterr().err and served == []


@pytest.mark.parametrize(("auth", "message"), [("me:", "the password after the colon is empty"),
                                               (":pw", "the user name before the colon is empty")])
def test_an_empty_user_or_password_is_refused_even_on_loopback(served, tmp_path, capsys, auth, message):
    assert cli.main(["serve", "--auth", auth, "--index", str(tmp_path / "ix")]) == 2
    assert message in capsys.readouterr().err and served == []


@pytest.fixture
def logins(monkeypatch) -> list:
    """The login each `serve` would require, recorded instead of serving."""
    calls: list = []
    monkeypatch.setattr(ui, "serve", lambda index_dir, host, port, auth, public_url=None: calls.append(auth) or 0)
    return calls


def test_the_login_may_come_from_a_file_or_the_environment(logins, tmp_path, monkeypatch, capsys):
    index = ["--index", str(tmp_path / "ix")]
    file = tmp_path / "login"
    file.write_text("ann:from file\n")
    assert cli.main(["serve", "--host", "0.0.0.0", "--auth-file", str(file), *index]) == 0
    monkeypatch.setenv("OFSTED_QA_AUTH", "bob:from env")
    assert cli.main(["serve", "--host", "0.0.0.0", *index]) == 0
    assert cli.main(["serve", "--host", "0.0.0.0", "--auth", "cat:from flag", *index]) == 0  # the flag wins
    assert logins == [("ann", "from file"), ("bob", "from env"), ("cat", "from flag")]

    monkeypatch.setenv("OFSTED_QA_AUTH", "bob:")
    assert cli.main(["serve", *index]) == 2
    assert "$OFSTED_QA_AUTH: the password after the colon is empty" in capsys.readouterr().err
    assert cli.main(["serve", "--no-auth", *index]) == 0  # --no-auth: no login, whatever the environment says
    assert logins[-1] is None


def test_a_missing_auth_file_is_refused(logins, tmp_path, capsys):
    assert cli.main(["serve", "--auth-file", str(tmp_path / "absent"), "--index", str(tmp_path / "ix")]) == 2
    assert f"--auth-file {tmp_path / 'absent'}: cannot be read" in capsys.readouterr().err and logins == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_hosts_need_no_auth(served, tmp_path, host):
    assert cli.main(["serve", "--host", host, "--index", str(tmp_path / "ix")]) == 0
    assert served[-1]["host"] == host


# -- PDFs only for documents in the index --------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/pdf/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/pdf/%2e%2e/%2e%2e/etc/passwd", "/pdf//etc/passwd",
    "/pdf/%2Fetc%2Fpasswd%00", "/pdf/1%00", "/pdf/1%2F..%2F..%2Fetc%2Fpasswd", "/pdf/%C0%AE%C0%AE/etc/passwd",
    "/pdf/1e3", "/pdf/0x1", "/pdf/%EF%BC%99", "/pdf/%C2%B2", "/pdf/1%C2%B2", "/pdf/99999999999999999999", "/pdf/~root",
    "/file=/etc/passwd", "/gradio_api/file=/etc/passwd", "/gradio_api/file=../../../../etc/passwd",
    "/static/../../../../etc/passwd", "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/file=%2Fetc%2Fpasswd", "/../../../../etc/passwd",
])
def test_traversal_and_absolute_paths_are_refused(running, path):
    status, body = raw_get(running.url, path)
    assert status in (400, 403, 404, 405), (status, body[:200])
    assert b"root:" not in body and not body.startswith(b"%PDF")


def test_files_beside_the_index_are_not_served(running, sample):
    index, _, directory = sample
    stray = make_pdf(directory / "pdfs" / "not_indexed.pdf", ["A report nobody indexed."])
    for target in (stray, directory / "index" / "chunks.sqlite", Path(index.store.documents()[1].paths[0])):
        for prefix in ("/gradio_api/file=", "/file=", "/gradio_api/file/"):
            status, body = raw_get(running.url, prefix + str(target))
            assert status in (400, 403, 404, 405), (prefix, target, status)
            assert not body.startswith(b"%PDF") and not body.startswith(b"SQLite format")


def test_a_removed_report_is_no_longer_served(tmp_path):
    writer = ReportIndex.load(tmp_path / "ix", embedder=HashingEmbedder(), create=True)
    kept = make_pdf(tmp_path / "kept.pdf", ["Screening of risk is timely."])
    gone = make_pdf(tmp_path / "gone.pdf", ["Return home interviews are late."])
    kept_id = writer.upsert(make_report("Avonshire", ["Screening of risk is timely."]), path=str(kept))
    gone_id = writer.upsert(make_report("Wessex", ["Return home interviews are late."]), path=str(gone))
    with RunningApp(ui.create_app(writer)) as app:
        assert raw_get(app.url, f"/pdf/{gone_id}")[0] == 200
        writer.remove_path(str(gone))
        writer.save()
        status, body = raw_get(app.url, f"/pdf/{gone_id}")
        assert status == 404 and not body.startswith(b"%PDF")  # the file is still on disk
        assert gone.exists() and raw_get(app.url, f"/pdf/{kept_id}")[0] == 200
    writer.close()


# -- no telemetry -------------------------------------------------------------------------------


def test_no_connection_leaves_the_machine(sample, monkeypatch):
    """Record every outgoing connection and name lookup while the app is built, served, loaded and queried."""
    import os

    assert os.environ.get("GRADIO_ANALYTICS_ENABLED") == "False"  # set by app.ui before gradio loads
    outside: list[str] = []
    real_connect, real_lookup = socket.socket.connect, socket.getaddrinfo
    loopback = ("127.0.0.1", "::1", "localhost", "0.0.0.0")

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(address, tuple) and host not in loopback:
            outside.append(f"connect {address}")
        return real_connect(self, address)

    def lookup(host, *args, **kwargs):
        if host not in loopback and host is not None:
            outside.append(f"lookup {host}")
        return real_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    with RunningApp(ui.create_app(sample[0])) as app:
        assert httpx.get(app.url).status_code == 200
        httpx.get(app.url + "config")
        # Plain HTTP, not gradio_client: the test client itself asks huggingface.co for an agent registry.
        with httpx.Client(timeout=30) as http:
            assert _query(http, app.url, QUESTION)["ok"]
            assert http.get(f"{app.url}pdf/1").status_code == 200
        time.sleep(1.0)  # give any background reporting thread time to try
    assert outside == [], outside


# -- load test ----------------------------------------------------------------------------------


def _query(http: httpx.Client, url: str, question: str) -> dict:
    """One search through Gradio's HTTP API: POST the call, then read its server-sent events."""
    started = http.post(f"{url}gradio_api/call/search",
                        json={"data": [question, [], None, None, [], [], 5]})
    started.raise_for_status()
    event_id = started.json()["event_id"]
    with http.stream("GET", f"{url}gradio_api/call/search/{event_id}") as stream:
        stream.raise_for_status()
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"error event: {line[5:].strip()}")
                return json.loads(line[5:])[0]
    raise RuntimeError("the event stream ended without a result")


def test_load_500_queries_from_20_clients(running):
    assert running.url.startswith("http://127.0.0.1:")  # never anywhere else
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = LOAD_QUERIES // LOAD_CLIENTS

    def client(n: int) -> None:
        with httpx.Client(timeout=60) as http:
            for i in range(per_client):  # a bounded loop: exactly per_client queries
                question = LOAD_QUESTIONS[(n + i) % len(LOAD_QUESTIONS)]
                t0 = time.perf_counter()
                try:
                    data = _query(http, running.url, question)
                    if not data["ok"] or not data["results"]:
                        raise RuntimeError(f"no answer: {data['message']}")
                except Exception as exc:  # noqa: BLE001 - counted and reported, not raised
                    with lock:
                        errors.append(f"{question!r}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    latencies.append(time.perf_counter() - t0)

    wall = time.perf_counter()
    with ThreadPoolExecutor(LOAD_CLIENTS) as pool:
        list(pool.map(client, range(LOAD_CLIENTS)))
    wall = time.perf_counter() - wall
    ms = sorted(1000 * x for x in latencies)
    quantiles = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    print(f"\nload test: {LOAD_QUERIES} queries from {LOAD_CLIENTS} clients on 127.0.0.1 in {wall:.1f} s "
          f"({len(ms) / wall:.0f}/s): errors {len(errors)}, p50 {quantiles[49]:.0f} ms, "
          f"p95 {quantiles[94]:.0f} ms, p99 {quantiles[98]:.0f} ms, max {ms[-1] if ms else 0:.0f} ms")
    assert len(latencies) + len(errors) == LOAD_QUERIES
    assert errors == [], errors[:5]
