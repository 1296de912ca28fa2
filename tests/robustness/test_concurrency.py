"""Concurrent work on one index: queries while an ingest extends it, and two ingests started at once.

tests/app/test_cli.py::test_ingest_refuses_while_another_holds_the_lock holds the lock file from the test
itself; here two real `ofsted-qa ingest` processes race, and readers query during a real ingest.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app import ui
from index.build import ingest_paths
from index.report_index import ReportIndex
from tests.robustness.common import (
    QUERIES,
    REPO,
    assert_ids_agree,
    cli_env,
    content,
    db_documents,
    open_index,
    run_cli,
    snapshot,
    write_reports,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLIENTS = 20
MAX_QUERIES_PER_CLIENT = 1000  # bounded: each client stops when the ingest ends, or after this many


def _ingest(folder: Path, directory: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "ingest", str(folder), "--index", str(directory)],
                            cwd=REPO, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_results(index: ReportIndex, results: list[tuple[int, int, str, str]]) -> None:
    """Not torn: every result is a whole stored passage, of the document and file it is cited with."""
    ids = [cid for cid, _, _, _ in results]
    rows = index.store.chunks(ids)
    docs = index.store.documents({row.doc_id for row in rows.values()})
    for cid, doc_id, text, file in results:
        assert cid in rows, f"result {cid} is not a stored passage"
        assert rows[cid].text == text and rows[cid].doc_id == doc_id
        assert file in {Path(p).name for p in docs[doc_id].paths}


def test_twenty_parallel_queries_while_an_ingest_extends_the_index(tmp_path):
    first, more = tmp_path / "first", tmp_path / "more"
    write_reports(first, 5)
    write_reports(more, 150, extra_pages=4, prefix="more")
    directory = tmp_path / "index"
    run_cli("ingest", str(first), index=directory)
    reader = open_index(directory, read_only=True)  # as `ofsted-qa serve` opens it
    errors: list[str] = []
    seen: set[tuple[int, int, str, str]] = set()
    # Questions the new reports answer too (their extra pages), so results move while the ingest runs.
    questions = QUERIES + ("placement stability fostering adoption", "finding for child 39", "More07 finding",
                           "health education police partners")
    counts = {"queries": 0, "during": 0}
    lock = threading.Lock()

    proc = _ingest(more, directory)

    def client(n: int) -> None:
        for i in range(MAX_QUERIES_PER_CLIENT):
            running = proc.poll() is None
            if not running and i > 3:
                return
            time.sleep(0.01)  # leave the ingest some CPU on a 2-core machine
            query = questions[(n + i) % len(questions)]
            try:
                if n % 2:  # half through the web app's search function, which reloads the index itself
                    data = ui.run_search(reader, query, k=8)
                    if not data["ok"]:
                        raise AssertionError(data["message"])
                    rows = [(r["chunk_id"], r["doc_id"], r["text"], r["citation"]["file"]) for r in data["results"]]
                else:
                    reader.reload_if_changed()
                    response = reader.search(query, k=8)
                    rows = [(r.chunk_id, r.doc_id, r.text, r.citation.file) for r in response.results]
                if not rows:
                    raise AssertionError(f"no results for {query!r}")
                if len({r[0] for r in rows}) != len(rows):
                    raise AssertionError(f"a passage twice in one answer to {query!r}")
            except Exception as exc:  # noqa: BLE001 - every failure is collected and reported
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                seen.update(rows)
                counts["queries"] += 1
                counts["during"] += running

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    out, err = proc.communicate(timeout=120)
    print(f"{counts['queries']} queries, {counts['during']} while the ingest ran, {len(errors)} errors")
    assert proc.returncode == 0, err
    assert not errors, errors[:5]
    assert counts["during"] >= CLIENTS  # the queries really overlapped the ingest
    _check_results(reader, sorted(seen))
    assert any(file.startswith("more") for _, _, _, file in seen)  # answers came from the new reports too

    # Once the ingest is over, the long-running reader sees exactly what a fresh reader sees.
    reader.reload_if_changed()
    fresh = open_index(directory, read_only=True)
    assert len(reader.vectors) == fresh.store.counts()["chunks"] == len(fresh.vectors)
    assert snapshot(reader) == snapshot(fresh)
    assert_ids_agree(fresh)
    fresh.close()
    reader.close()


def _reference(tmp_path: Path, folder: Path):
    reference = open_index(tmp_path / "reference", create=True)
    assert ingest_paths(reference, [folder], workers=0, progress=False).ok
    return reference


def _check_two(procs: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        outcomes.append((proc.returncode, out, err))
    for code, _out, err in outcomes:
        assert "Traceback" not in err, err
        assert code == 0 or (code == 2 and "another ingest" in err and "wait for it to finish" in err), (code, err)
    assert any(code == 0 for code, _, _ in outcomes)
    return outcomes


def test_second_ingest_on_a_busy_index_refuses_clearly(tmp_path):
    folder = tmp_path / "reports"
    write_reports(folder, 120, extra_pages=4)
    directory = tmp_path / "index"
    first = _ingest(folder, directory)
    deadline = time.monotonic() + 60
    while db_documents(directory) < 1 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, "the first ingest ended before the second could start"
    second = _ingest(folder, directory)
    outcomes = _check_two([first, second])
    assert outcomes[0][0] == 0 and outcomes[1][0] == 2  # the second saw the lock and refused
    assert f"pid {first.pid}" in outcomes[1][2]  # and named the process holding it

    reference = _reference(tmp_path, folder)
    final = open_index(directory, read_only=True)
    assert content(final) == content(reference)
    assert_ids_agree(final)
    final.close()
    reference.close()


@pytest.mark.parametrize("existing", [False, True], ids=["new-index", "existing-index"])
def test_two_ingests_started_at_once_never_corrupt(tmp_path, existing):
    folder = tmp_path / "reports"
    write_reports(folder, 60, extra_pages=4)
    directory = tmp_path / "index"
    if existing:
        seed = tmp_path / "seed"
        write_reports(seed, 2, prefix="seed")
        run_cli("ingest", str(seed), index=directory)
    procs = [_ingest(folder, directory), _ingest(folder, directory)]
    outcomes = _check_two(procs)
    # If one refused, the other did everything; if they ran one after the other, the second found it done.
    added = sum(int(out.split("added ")[1].split(",")[0]) for code, out, _ in outcomes if code == 0)
    assert added == 60

    reference = _reference(tmp_path, folder)
    final = open_index(directory, read_only=True)
    documents, passages = content(final)
    ref_documents, ref_passages = content(reference)
    seed_shas = {sha for sha, names in documents if names[0].startswith("seed")}
    assert [d for d in documents if d[0] not in seed_shas] == ref_documents
    assert [p for p in passages if p[0] not in seed_shas] == ref_passages
    assert_ids_agree(final)
    assert final.search("placement stability", k=3).results
    final.close()
    reference.close()
