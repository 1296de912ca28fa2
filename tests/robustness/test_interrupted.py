"""Ingest killed with SIGKILL at random moments, again and again: after every kill the index opens, its
SQLite chunk ids and FAISS ids agree, search answers; the run that finally completes leaves an index equal
to one built without interruption. Plus: a disk that fills up while the vector file is saved.

tests/app/test_cli.py::test_killed_ingest_leaves_a_working_index_and_resumes kills one run once; this kills
one index at least ten times over, at random points (while parsing, committing, and saving at the end).
"""

from __future__ import annotations

import errno
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import faiss
import pytest

import index.vectors as vectors_module
from index.build import ingest_paths
from index.report_index import VECTORS_NAME, IndexNotFoundError
from tests.pdfgen import make_pdf, sample_report_pages
from tests.robustness.common import (
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

N_REPORTS = 400  # over 10 s of ingest with the fake embedder: enough work for ten kills on a fast machine
KILLS = 10


def _check_after_kill(directory: Path, before: int) -> int:
    """The index as a kill left it: openable, consistent, searchable. Returns its document count.

    A kill while the first run is still starting up (importing, or creating the database) leaves no index
    to open, which is right only if no run has committed a report yet."""
    vectors_file = directory / VECTORS_NAME
    if vectors_file.exists():
        faiss.read_index(str(vectors_file))  # never a torn file: saves are write-temp-then-rename
    try:
        index = open_index(directory, read_only=True)
    except IndexNotFoundError:
        assert before == 0, f"an index holding {before} reports went missing"
        return 0
    try:
        assert_ids_agree(index)
        docs = index.store.documents()
        # Each report was committed whole: its pages and passages are all there.
        for doc in docs.values():
            assert doc.paths
            assert len(index.store.chunk_ids_for_documents([doc.id])) > 0
        counts = index.store.counts()
        assert counts["pages"] == sum(d.n_pages for d in docs.values())
        if docs:
            assert index.search("placement stability for child", k=3).results
        return len(docs)
    finally:
        index.close()


@pytest.mark.slow
def test_ingest_killed_ten_times_at_random_then_completes(tmp_path):
    seed = random.randrange(1_000_000)
    print(f"kill loop seed {seed}")
    rng = random.Random(seed)
    folder = tmp_path / "reports"
    write_reports(folder, N_REPORTS, extra_pages=3)
    directory = tmp_path / "index"

    kills, runs, done = 0, 0, 0
    progress = []  # documents committed at each kill
    while kills < KILLS:
        runs += 1
        assert runs <= 4 * KILLS, "too many runs finished before they could be killed"
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "ingest", str(folder), "--index", str(directory)],
                                cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        # A random moment: a random time after the start (importing, hashing, parsing, embedding, committing,
        # saving), or just after the next report commits (in the middle of a burst of commits).
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.05, 0.9))
        else:
            deadline = time.monotonic() + 30
            while proc.poll() is None and db_documents(directory) <= done and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.05))
        if proc.poll() is not None:  # finished first: nothing left to interrupt
            assert proc.returncode == 0, proc.stderr.read().decode()
            proc.stderr.close()
            break
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        kills += 1
        done = _check_after_kill(directory, done)
        progress.append(done)
    assert kills >= KILLS, f"only {kills} kills landed (seed {seed}); the ingest ran out of work"

    print(f"{kills} kills; documents committed at each: {progress}")
    out = run_cli("ingest", str(folder), index=directory).stdout
    assert f"unchanged {done}" in out and "failed 0" in out, out

    reference = open_index(tmp_path / "reference", create=True)
    assert ingest_paths(reference, [folder], workers=0, progress=False).ok
    final = open_index(directory, read_only=True)
    try:
        assert content(final) == content(reference)  # same documents, names and passages
        assert final.store.counts()["chunks"] == reference.store.counts()["chunks"]
        assert len(final.vectors) == final.store.counts()["chunks"]
        assert_ids_agree(final)
        ref_answers = [(q, r, [(text, f) for _, _, text, f in rows]) for q, r, rows in snapshot(reference)]
        got_answers = [(q, r, [(text, f) for _, _, text, f in rows]) for q, r, rows in snapshot(final)]
        assert got_answers == ref_answers
    finally:
        final.close()
        reference.close()


# -- disk full ------------------------------------------------------------------------------------


@pytest.fixture
def small_index(tmp_path) -> tuple[Path, Path, list]:
    folder = tmp_path / "reports"
    write_reports(folder, 3)
    directory = tmp_path / "index"
    index = open_index(directory, create=True)
    assert ingest_paths(index, [folder], workers=0, progress=False).ok
    answers = snapshot(index)
    index.close()
    return directory, folder, answers


def test_disk_full_while_saving_vectors_keeps_the_previous_file(small_index, tmp_path, monkeypatch):
    directory, _, answers = small_index
    before = (directory / VECTORS_NAME).read_bytes()

    def full_disk(idx, path):  # write part of the file, then run out of space, as a full disk does
        with open(path, "wb") as handle:
            handle.write(b"\0" * 100)
        raise OSError(errno.ENOSPC, "No space left on device")

    index = open_index(directory)
    make_pdf(tmp_path / "new.pdf", sample_report_pages("Wessex", 2020))
    monkeypatch.setattr(vectors_module.faiss, "write_index", full_disk)
    with pytest.raises(OSError, match="No space left"):
        ingest_paths(index, [tmp_path / "new.pdf"], workers=0, progress=False)
    monkeypatch.undo()
    assert (directory / VECTORS_NAME).read_bytes() == before  # the previous file survives, whole
    assert not list(directory.glob("*.tmp"))  # and the half-written temp file is gone
    index.store.close()

    # The report committed to SQLite before the save failed: reopening brings FAISS up to date.
    again = open_index(directory)
    assert_ids_agree(again)
    assert again.search("Wessex return home interviews", k=3).results
    again.close()


def test_disk_full_during_cli_ingest_is_a_message_and_loses_nothing(small_index, tmp_path):
    """A real write limit (RLIMIT_FSIZE: writes past it fail with EFBIG, as on a full disk) on the CLI."""
    directory, _, answers = small_index
    more = tmp_path / "more"
    write_reports(more, 4, extra_pages=30, prefix="big")
    limit = max(f.stat().st_size for f in directory.iterdir() if f.is_file()) + 16_384

    def cap_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = run_cli("ingest", str(more), index=directory, check=False, preexec_fn=cap_file_size)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "could not write to the index" in proc.stderr and "run the same command again" in proc.stderr
    faiss.read_index(str(directory / VECTORS_NAME))  # whichever save won, the file is whole
    index = open_index(directory, read_only=True)
    assert_ids_agree(index)
    index.close()
    # With room again, the index is as before plus whatever committed; removing the new ones restores it.
    run_cli("remove", *[p.name for p in sorted(more.glob("*.pdf"))], index=directory, check=False)
    index = open_index(directory, read_only=True)
    assert snapshot(index) == answers
    index.close()
    shutil.rmtree(more)
