"""Shared fixtures: where the real corpus lives, and its manifest; what a missing prerequisite means."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = Path(os.environ.get("OFSTED_QA_SHARED", REPO.parent / "shared" / "corpus"))
REPORTS_DIR = SHARED_CORPUS / "reports"
MANIFEST = REPO / "corpus" / "manifest.csv"


def in_ci() -> bool:
    """True when the `CI` environment variable is set to anything but "", "0" or "false"."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def missing(what: str) -> NoReturn:
    """A prerequisite of a test is not on this machine (`what` names it: a path, a binary, a package).

    Outside CI the test is skipped with that one-line reason. In CI it fails: a CI run that skipped
    the end-to-end or browser tests would pass without having tested what it claims to.
    """
    if in_ci():
        pytest.fail(f"missing in CI: {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def reports_dir() -> Path:
    if not REPORTS_DIR.is_dir():
        missing(f"the shared corpus is not at {REPORTS_DIR} (set OFSTED_QA_SHARED to its folder)")
    return REPORTS_DIR


@pytest.fixture(scope="session")
def manifest_rows() -> list[dict[str, str]]:
    with open(MANIFEST, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# A dozen real reports, indexed once per test session with the real model (about a minute on 2 cores):
# the end-to-end tests and the retrieval-quality gate share it.
E2E_REPORTS = [
    "worcestershire_2017-01-24.pdf",
    "worcestershire_2019-07-29.pdf",
    "worcestershire_2023-07-14.pdf",
    "gloucestershire_2017-06-13.pdf",
    "rotherham_2014-11-19.pdf",
    "rotherham_2025-12-16.pdf",
    "norfolk_2013-08-16.pdf",
    "norfolk_2026-05-18.pdf",
    "bradford_2018-10-29.pdf",
    "leeds_2018-12-18.pdf",
    "calderdale_2015-03-20.pdf",
    "croydon_2020-03-16.pdf",
]


@pytest.fixture(scope="session")
def real_index_dir(reports_dir, tmp_path_factory) -> Path:
    """An index of E2E_REPORTS built through the CLI's ingest path with the real model."""
    from index.build import ingest_paths
    from index.embed import load_embedder
    from index.report_index import ReportIndex

    directory = tmp_path_factory.mktemp("real-index")
    index = ReportIndex.load(directory, embedder=load_embedder("minilm"), create=True)
    summary = ingest_paths(index, [reports_dir / name for name in E2E_REPORTS], workers=1, progress=False)
    index.close()
    assert summary.ok and len(summary.added) == len(E2E_REPORTS), summary.failed
    return directory


@pytest.fixture(scope="session")
def real_index(real_index_dir):
    from index.embed import load_embedder
    from index.report_index import ReportIndex

    index = ReportIndex.load(real_index_dir, embedder=load_embedder("minilm"), read_only=True)
    yield index
    index.close()
