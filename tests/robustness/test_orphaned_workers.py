"""An ingest killed with SIGKILL while its parse workers run leaves no process behind and no lock.

Found this way: `ofsted-qa ingest --workers N`, wait until a parse worker exists, `kill -9` the ingest
alone (as the out-of-memory killer does, not its process group). Forked workers lived on as idle
orphans holding the write lock they inherited, and every later ingest said "another ingest ... is
writing" for ever. Workers now come from a fork server (they inherit no lock) and end when the ingest
dies; a lock whose recorded owner is dead is taken over (index/build.py).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.build import LOCK_NAME, ingest_lock, ingest_paths
from ingest.pipeline import process_alive
from tests.robustness.common import REPO, cli_env, content, open_index, run_cli, write_reports

N_REPORTS = 160
# Moments after the first parse worker appears: at once, while parsing, and deep into embedding.
KILL_AFTER_SECONDS = (0.0, 0.3, 0.8, 1.5, 3.0)


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid` (children, their children, ...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _wait_for_workers(proc: subprocess.Popen, timeout: float = 60) -> set[int] | None:
    """The ingest's processes once a parse worker exists (the fork server and at least one worker);
    None when the ingest ended first (an earlier run killed late had stored every report: nothing was
    left to parse)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        below = _descendants(proc.pid)
        if len(below) >= 2:
            return below
        time.sleep(0.01)
    raise AssertionError(f"the ingest started no parse worker in {timeout} s")


def _gone(pids: set[int], timeout: float = 10) -> set[int]:
    """Those of `pids` still alive after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if process_alive(p)}
        time.sleep(0.05)
    return alive


@pytest.mark.slow
def test_ingest_killed_alone_leaves_no_worker_and_no_lock(tmp_path):
    folder = tmp_path / "reports"
    write_reports(folder, N_REPORTS, extra_pages=3)
    directory = tmp_path / "index"
    kills = 0
    for moment in KILL_AFTER_SECONDS:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "ingest", str(folder), "--index", str(directory), "--workers", "2"],
            cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            workers = _wait_for_workers(proc)
            if workers is None:
                # Only after a kill: the first ingest, into an empty index, must start its workers.
                assert kills, "the ingest ended without starting its parse workers"
                break
            time.sleep(moment)
            workers |= _descendants(proc.pid)
            if proc.poll() is not None:
                break  # finished before the kill: nothing left to interrupt
            os.kill(proc.pid, signal.SIGKILL)  # the ingest alone, not its process group
            proc.wait()
            kills += 1
            left = _gone(workers)
            assert not left, f"killed {moment} s after its workers started, the ingest left processes {left}"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    out = run_cli("ingest", str(folder), "--workers", "2", index=directory).stdout
    assert "failed 0" in out, out

    reference = open_index(tmp_path / "reference", create=True)
    assert ingest_paths(reference, [folder], workers=0, progress=False).ok
    final = open_index(directory, read_only=True)
    try:
        assert content(final) == content(reference)  # same documents, names and passages
        assert len(final.vectors) == final.store.counts()["chunks"]
    finally:
        final.close()
        reference.close()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_lock_held_for_a_dead_owner_is_taken_over_and_said(tmp_path, caplog):
    # An orphan (here: a sleeping child) holds the flock; the file names an owner that is gone.
    (tmp_path / LOCK_NAME).write_text(str(_dead_pid()))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)", str(tmp_path / LOCK_NAME)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with caplog.at_level(logging.WARNING, logger="index.build"), ingest_lock(tmp_path):
            assert (tmp_path / LOCK_NAME).read_text() == str(os.getpid())
            with open(tmp_path / LOCK_NAME, "a+") as other:  # and it is really held: no one else gets it
                with pytest.raises(BlockingIOError):
                    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert "no longer running" in caplog.text
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_held_by_a_live_owner_is_refused(tmp_path):
    from index.build import IndexLockedError

    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; f = open(sys.argv[1], 'a+'); "
         "fcntl.flock(f, fcntl.LOCK_EX); f.write(str(os.getpid())); f.flush(); print('held', flush=True); "
         "time.sleep(60)", str(tmp_path / LOCK_NAME)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexLockedError, match=f"pid {holder.pid}"), ingest_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
