"""parse_report: what the text does not print comes from the file name, a manifest or an estimate."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ingest import pipeline
from ingest.metadata import authority_key
from ingest.models import ReportMetadata
from ingest.pdf import file_sha256
from ingest.pipeline import PUBLICATION_LAG, fill_publication_date, parse_report
from tests.pdfgen import make_pdf, nameless_report_pages, sample_report_pages

INSPECTION_END = date(2019, 6, 21)  # sample_report_pages: inspected 10 to 21 June 2019


def printed_date_pages() -> list[str]:
    pages = sample_report_pages("Avonshire", 2019)
    pages[0] = pages[0].replace("Lead inspector:", "Report published: 5 August 2019\nLead inspector:")
    return pages


@pytest.fixture(autouse=True)
def no_default_manifest(monkeypatch, tmp_path):
    """Point the default manifest at nothing, and forget what earlier tests read."""
    monkeypatch.setenv("OFSTED_QA_MANIFEST", str(tmp_path / "no-manifest.csv"))
    pipeline.publication_dates.cache_clear()
    pipeline.known_publication_dates.cache_clear()
    yield
    pipeline.publication_dates.cache_clear()
    pipeline.known_publication_dates.cache_clear()


def write_manifest(path: Path, pdf: Path, published: str) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "published", "sha256"])
        writer.writeheader()
        writer.writerow({"file": pdf.name, "published": published, "sha256": file_sha256(pdf)})
    return path


# ---------------------------------------------------------------------------
# Publication dates, by source
# ---------------------------------------------------------------------------

def test_published_date_printed_in_the_report(tmp_path):
    report = parse_report(make_pdf(tmp_path / "avonshire_2019-09-30.pdf", printed_date_pages()))
    assert (report.metadata.published, report.published_source) == (date(2019, 8, 5), "report")


def test_published_date_from_the_manifest(tmp_path, monkeypatch):
    pdf = make_pdf(tmp_path / "avonshire_2019-09-30.pdf", sample_report_pages("Avonshire", 2019))
    monkeypatch.setenv("OFSTED_QA_MANIFEST", str(write_manifest(tmp_path / "m.csv", pdf, "2019-08-07")))
    report = parse_report(pdf)
    assert (report.metadata.published, report.published_source) == (date(2019, 8, 7), "manifest")


def test_published_date_from_a_manifest_beside_the_index(tmp_path):
    pdf = make_pdf(tmp_path / "avonshire.pdf", sample_report_pages("Avonshire", 2019))
    local = write_manifest(tmp_path / "manifest.csv", pdf, "2019-08-09")
    report = parse_report(pdf, extra_manifests=(str(local),))
    assert (report.metadata.published, report.published_source) == (date(2019, 8, 9), "manifest")


@pytest.mark.parametrize(("name", "expected"), [
    ("avonshire_2019-08-01.pdf", date(2019, 8, 1)),
    ("children's services inspection - 02 august 2019.pdf", date(2019, 8, 2)),
])
def test_published_date_from_the_file_name(tmp_path, name, expected):
    report = parse_report(make_pdf(tmp_path / name, sample_report_pages("Avonshire", 2019)))
    assert (report.metadata.published, report.published_source) == (expected, "file name")


@pytest.mark.parametrize("name", [
    "avonshire.pdf",  # no date in the name
    "avonshire_2019-06-12.pdf",  # a date during the inspection: not when it was published
    "avonshire_2021-01-01.pdf",  # more than a year after it
])
def test_published_date_estimated_from_the_end_of_the_inspection(tmp_path, name):
    report = parse_report(make_pdf(tmp_path / name, sample_report_pages("Avonshire", 2019)))
    assert report.metadata.published == INSPECTION_END + PUBLICATION_LAG == date(2019, 8, 2)
    assert report.published_source == "estimated"


def test_no_publication_date_without_an_inspection_date():
    assert fill_publication_date(ReportMetadata(), path="avonshire.pdf") is None


def test_text_only_reading_skips_the_outside_sources():
    meta = ReportMetadata(inspection_end=INSPECTION_END)
    assert fill_publication_date(meta) == "estimated"  # no manifest, no file name given
    assert meta.published == date(2019, 8, 2)


# ---------------------------------------------------------------------------
# The authority from the file name, only when the text names none
# ---------------------------------------------------------------------------

def test_authority_from_the_file_name_when_the_text_names_none(tmp_path):
    report = parse_report(make_pdf(tmp_path / "wigan_2019-08-01.pdf", nameless_report_pages()))
    assert report.metadata.local_authority == "Wigan"
    assert report.authority_key == authority_key("Wigan Metropolitan Borough Council")
    assert report.published_source == "file name"


def test_the_text_wins_over_the_file_name(tmp_path):
    report = parse_report(make_pdf(tmp_path / "wigan_2019-08-01.pdf", sample_report_pages("Avonshire", 2019)))
    assert report.metadata.local_authority == "Avonshire"


def test_no_authority_from_an_ofsted_file_name(tmp_path):
    name = "children's services inspection - 02 august 2019.pdf"
    report = parse_report(make_pdf(tmp_path / name, nameless_report_pages()))
    assert report.metadata.local_authority is None and report.authority_key is None
    assert report.chunks  # indexed all the same
