"""Hostile and odd documents: each fails with its file and reason named, the batch goes on, and the
index answers exactly as before for the reports already in it.

Already proved elsewhere (not repeated here): tests/app/test_cli.py::test_bad_files_fail_clearly_and_lose_nothing
runs empty, not-a-PDF, encrypted, scanned and truncated files through the CLI (exit 1, one FAILED line each);
tests/app/test_cli.py::test_changed_file_is_replaced_and_duplicate_is_indexed_once covers a duplicate and a
changed file across two CLI runs. Here every case also checks the index is unchanged, in-process.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import ingest.pdf
from index.build import ingest_paths, remove_documents
from tests.pdfgen import make_encrypted_pdf, make_image_only_pdf, make_pdf, pdf_bytes, sample_report_pages
from tests.robustness.common import (
    QUERIES,
    assert_ids_agree,
    content,
    open_index,
    report_pages,
    run_cli,
    snapshot,
    two_report_index,
)

BOILERPLATE_PAGE = (
    "The Office for Standards in Education, Children's Services and Skills (Ofsted) regulates and inspects\n"
    "to achieve excellence in the care of children and young people, and in education and skills.\n"
    "If you would like a copy of this document in a different format, such as large print or Braille,\n"
    "please telephone 0300 123 1231, or email enquiries@ofsted.gov.uk.\n"
    "You may reuse this information (not including logos) free of charge in any format or medium.\n"
    "Piccadilly Gate\nStore Street\nManchester\nM1 2WD\n"
    "© Crown copyright 2019\n"
)


def _good(path: Path) -> Path:
    return make_pdf(path, sample_report_pages("Avonshire", 2019))


def _broken_xref_recoverable(path: Path) -> Path:
    # Every xref offset wrong: pypdf (non-strict) rebuilds the table by scanning the objects.
    data = pdf_bytes(sample_report_pages("Xrefshire", 2020))
    at = data.index(b"\nxref\n")
    path.write_bytes(data[:at] + data[at:].replace(b"0000000", b"9999999"))
    return path


def _broken_xref_fatal(path: Path) -> Path:
    # The table and trailer are garbage and startxref points nowhere: there is no way to the catalog.
    data = pdf_bytes(sample_report_pages("Xrefshire", 2020))
    at = data.index(b"\nxref\n")
    path.write_bytes(data[:at] + b"\nxref\ngarbage here\ntrailer\n<< >>\nstartxref\n12\n%%EOF\n")
    return path


def _two_thousand_pages(path: Path) -> Path:
    return make_pdf(path, report_pages("Longshire", 2021, extra_pages=1997))


# (name, how to make it, reason expected in the failure, or None when it should index fine)
CASES: list[tuple[str, Callable[[Path], Path], str | None]] = [
    ("zero_bytes.pdf", lambda p: (p.write_bytes(b""), p)[1], "empty file"),
    ("truncated.pdf", lambda p: (p.write_bytes(_good(p).read_bytes()[:700]), p)[1], "corrupt or truncated"),
    ("broken_xref.pdf", _broken_xref_fatal, "corrupt or truncated"),
    ("broken_xref_recoverable.pdf", _broken_xref_recoverable, None),
    ("password.pdf", lambda p: make_encrypted_pdf(p, sample_report_pages("Locked")), "password-protected"),
    ("scanned.pdf", lambda p: make_image_only_pdf(p, 3), "no text layer"),
    ("boilerplate.pdf", lambda p: make_pdf(p, [BOILERPLATE_PAGE] * 3), "no passages of report text"),
    ("not_a_pdf.pdf", lambda p: (p.write_text("<html><body>a web page saved as .pdf</body></html>"), p)[1],
     "not a PDF"),
    ("zip_named.pdf", lambda p: (p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), p)[1], "not a PDF"),
    ("two_thousand_pages.pdf", _two_thousand_pages, None),
]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[Path, list, tuple]:
    """An index of two good reports, closed; each test works on a copy."""
    directory = two_report_index(tmp_path_factory.mktemp("bad-docs"))
    index = open_index(directory, read_only=True)
    before = snapshot(index), content(index)
    index.close()
    return directory, before[0], before[1]


@pytest.fixture
def copy(baseline, tmp_path) -> Path:
    directory = tmp_path / "index"
    shutil.copytree(baseline[0], directory)
    return directory


def _next_good(folder: Path) -> Path:
    return make_pdf(folder / "zz_borsetshire_2022.pdf", sample_report_pages("Borsetshire", 2022))


@pytest.mark.parametrize("name, make, reason", CASES, ids=[c[0] for c in CASES])
def test_bad_document_fails_clearly_and_changes_nothing(baseline, copy, tmp_path, name, make, reason):
    _, answers_before, content_before = baseline
    bad = make(tmp_path / name)
    good = _next_good(tmp_path)
    index = open_index(copy)
    summary = ingest_paths(index, [bad, good], workers=0, progress=False)

    assert str(good.resolve()) in summary.added  # the batch went on after the bad file
    if reason is None:
        assert summary.ok and str(bad.resolve()) in summary.added
    else:
        assert summary.failed == [(str(bad.resolve()), summary.failed[0][1])], summary.failed
        assert reason in summary.failed[0][1]
        assert "Traceback" not in summary.failed[0][1]
    assert_ids_agree(index)
    # Take the batch's good files out again: the index must answer exactly as it did.
    remove_documents(index, [str(p.resolve()) for p in (bad, good) if index.store.document_by_path(
        str(p.resolve()))])
    assert content(index) == content_before
    assert snapshot(index) == answers_before
    index.close()
    again = open_index(copy, read_only=True)
    assert snapshot(again) == answers_before
    again.close()


def test_two_thousand_pages_are_all_searchable(copy, tmp_path):
    big = _two_thousand_pages(tmp_path / "longshire.pdf")
    index = open_index(copy)
    summary = ingest_paths(index, [big], workers=0, progress=False)
    assert summary.ok, summary.failed
    doc = index.store.documents()[index.store.document_by_path(str(big.resolve()))[0]]
    assert doc.n_pages == 2000
    # Page 2000 carries "child 25948" (13 x 1996): its passage is found.
    hits = index.search("child 25948", k=3, retriever="lexical").results
    assert hits and hits[0].citation.page_end == 2000 and "child 25948" in hits[0].text
    index.close()


def test_more_pages_than_the_limit_are_refused_by_name(copy, tmp_path, monkeypatch):
    # The real limit is 5,000 pages; lower it rather than generate a bigger file.
    monkeypatch.setattr(ingest.pdf, "MAX_PAGES", 1000)
    big = _two_thousand_pages(tmp_path / "huge.pdf")
    index = open_index(copy)
    summary = ingest_paths(index, [big, _next_good(tmp_path)], workers=0, progress=False)
    assert summary.failed == [(str(big.resolve()), "too many pages (2000; the limit is 1000)")]
    assert len(summary.added) == 1
    index.close()


def test_same_report_under_two_names_in_one_batch_is_indexed_once(copy, tmp_path):
    # Before the fix, the second name hit the UNIQUE sha256 constraint and the whole batch crashed.
    first = make_pdf(tmp_path / "a_wessex.pdf", sample_report_pages("Wessex", 2018))
    second = tmp_path / "b_wessex_copy.pdf"
    second.write_bytes(first.read_bytes())
    after = _next_good(tmp_path)
    index = open_index(copy)
    summary = ingest_paths(index, [first, second, after], workers=0, progress=False)
    assert summary.ok and summary.added == [str(first.resolve()), str(after.resolve())]
    assert summary.duplicates == [(str(second.resolve()), str(first.resolve()))]
    doc_id = index.store.document_by_sha(index.store.document_by_path(str(first.resolve()))[1])
    assert index.store.documents([doc_id])[doc_id].paths == sorted([str(first.resolve()), str(second.resolve())])
    assert index.store.counts()["documents"] == 4
    assert_ids_agree(index)
    # Removing one name keeps the report under the other.
    remove_documents(index, [str(first.resolve())])
    assert index.store.document_by_path(str(second.resolve()))[0] == doc_id
    index.close()


def test_same_report_twice_when_the_first_copy_fails_both_fail(copy, tmp_path):
    bad = tmp_path / "a_locked.pdf"
    make_encrypted_pdf(bad, sample_report_pages("Locked"))
    twin = tmp_path / "b_locked.pdf"
    twin.write_bytes(bad.read_bytes())
    index = open_index(copy)
    summary = ingest_paths(index, [bad, twin], workers=0, progress=False)
    assert [p for p, _ in summary.failed] == [str(bad.resolve()), str(twin.resolve())]
    assert all("password" in reason for _, reason in summary.failed)
    index.close()


def test_changed_file_is_replaced_not_duplicated(baseline, copy, tmp_path):
    path = tmp_path / "avon_changing.pdf"
    pages = sample_report_pages("Avonmouth", 2016)
    make_pdf(path, pages)
    index = open_index(copy)
    ingest_paths(index, [path], workers=0, progress=False)
    docs_before = index.store.counts()["documents"]
    pages[2] = pages[2].replace("Personal advisers keep in touch", "Leaders launched a kinship carers pledge")
    make_pdf(path, pages)
    summary = ingest_paths(index, [path], workers=0, progress=False)
    assert summary.replaced == [str(path.resolve())] and not summary.added and not summary.duplicates
    assert index.store.counts()["documents"] == docs_before
    texts = [r.text for r in index.search("kinship carers pledge", k=10, retriever="lexical").results]
    assert any("kinship carers pledge" in t for t in texts)
    old = index.search("Personal advisers keep in touch care leavers Avonmouth", k=20, retriever="lexical").results
    assert not any("Avonmouth" in (r.citation.local_authority or "") and "Personal advisers keep" in r.text
                   for r in old)
    assert_ids_agree(index)
    remove_documents(index, [str(path.resolve())])
    assert snapshot(index) == baseline[1]
    index.close()


def test_cli_bad_batch_names_each_file_and_exits_non_zero(baseline, copy, tmp_path):
    """The cases the existing CLI test does not run, through the real command line."""
    folder = tmp_path / "batch"
    folder.mkdir()
    _broken_xref_fatal(folder / "broken_xref.pdf")
    make_pdf(folder / "boilerplate.pdf", [BOILERPLATE_PAGE] * 3)
    (folder / "zip_named.pdf").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    make_pdf(folder / "wessex.pdf", sample_report_pages("Wessex", 2018))
    (folder / "wessex_again.pdf").write_bytes((folder / "wessex.pdf").read_bytes())
    proc = run_cli("ingest", str(folder), index=copy, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "added 1," in proc.stdout and "duplicates 1," in proc.stdout and "failed 3" in proc.stdout
    for name, reason in [("broken_xref.pdf", "corrupt"), ("boilerplate.pdf", "no passages"),
                         ("zip_named.pdf", "not a PDF")]:
        line = next(line for line in proc.stderr.splitlines() if line.strip().startswith("FAILED")
                    and name in line)
        assert reason in line, line
    run_cli("remove", "wessex.pdf", "wessex_again.pdf", index=copy)
    index = open_index(copy, read_only=True)
    assert snapshot(index, QUERIES) == baseline[1]
    index.close()
