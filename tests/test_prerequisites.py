"""A missing shared corpus or Chromium skips a test on a developer's machine and fails it in CI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, in_ci, missing

CORPUS_TEST = "tests/ingest/test_metadata.py::test_corpus_against_manifest"


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("yes", True), ("", False),
                                                 ("0", False), ("false", False), ("FALSE", False)])
def test_ci_is_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_a_missing_prerequisite_fails_in_ci_naming_it(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="missing in CI: no Chromium at /usr/bin/chromium"):
        missing("no Chromium at /usr/bin/chromium")


def test_a_missing_prerequisite_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="^no Chromium at /usr/bin/chromium$"):
        missing("no Chromium at /usr/bin/chromium")


def _run_corpus_test(ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"OFSTED_QA_SHARED": "/nonexistent"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", CORPUS_TEST, "-q", "-rsf", "-p", "no:cacheprovider"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=300)


def test_a_missing_corpus_fails_a_ci_run_with_its_path():
    proc = _run_corpus_test("true")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "missing in CI: the shared corpus is not at /nonexistent/reports" in proc.stdout
    assert "1 error" in proc.stdout  # a fixture that fails is an error of the test, never a pass


def test_a_missing_corpus_skips_outside_ci_with_its_path():
    proc = _run_corpus_test(None)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SKIPPED" in proc.stdout and "the shared corpus is not at /nonexistent/reports" in proc.stdout
