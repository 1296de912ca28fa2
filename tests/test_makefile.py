"""`make demo` as a new user sees it: one short line of its own, then the ingest's, never the 33 file paths;
and the ingest's first line comes at once, before the model loads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.pdfgen import make_pdf, sample_report_pages

DEMO_FILES = [line.strip() for line in (REPO / "corpus" / "demo.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.strip().startswith("#")]


@pytest.fixture
def fake_venv(tmp_path) -> Path:
    """A venv folder whose `ofsted-qa` only says what it was asked to do (the Makefile's install is done)."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "ofsted-qa"
    script.write_text('#!/bin/sh\necho "ofsted-qa $1 called with $# arguments"\n', encoding="utf-8")
    script.chmod(0o755)
    (bin_dir / ".installed").touch()
    os.utime(bin_dir / ".installed", (time.time() + 60, time.time() + 60))  # newer than pyproject.toml
    return bin_dir


def test_make_demo_index_prints_one_line_of_its_own_not_every_file(fake_venv, tmp_path):
    corpus = tmp_path / "reports"
    corpus.mkdir()
    proc = subprocess.run(["make", "--no-print-directory", "demo-index", f"BIN={fake_venv}", f"CORPUS={corpus}",
                           f"INDEX={tmp_path / 'ix'}"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"indexing the {len(DEMO_FILES)} demo reports of {corpus} into {tmp_path / 'ix'} (a second run skips them)",
        f"ofsted-qa ingest called with {len(DEMO_FILES) + 3} arguments",  # ingest, the files, --index DIR
    ]
    assert DEMO_FILES[0] not in proc.stdout + proc.stderr


def _first_line(args: list[str], env: dict[str, str]) -> tuple[str, float, str]:
    """The command's first line on stderr, how long it took to come, and the rest of stderr."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    waited = time.monotonic() - started
    _, rest = proc.communicate(timeout=300)
    return first, waited, rest


def test_the_ingest_says_what_it_does_before_anything_slow(tmp_path):
    pdf = make_pdf(tmp_path / "avonshire_2019.pdf", sample_report_pages("Avonshire", 2019))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    ingest = ["-m", "app.cli", "ingest", str(pdf), "--index", str(tmp_path / "ix")]
    # A model that cannot load: the first line still comes first, so it is said before the model loads.
    first, _, rest = _first_line(ingest, dict(env, OFSTED_QA_EMBEDDER="nope"))
    assert first == "ingest: loading the embedding model, then checking which files are new\n"
    assert "unknown embedder 'nope'" in rest
    # Within 5 s of Python starting (measured beside it, as a busy machine slows both alike).
    _, python_alone, _ = _first_line(["-c", "import sys, app.cli; print('ready', file=sys.stderr)"], env)
    first, waited, _ = _first_line(ingest, dict(env, OFSTED_QA_EMBEDDER="fake"))
    assert first.startswith("ingest: loading") and waited < python_alone + 5.0
