"""The ingest lock: one writer at a time, and it tidies what a killed writer left behind."""

from __future__ import annotations

import pytest

from index.build import IndexLockedError, ingest_lock
from index.report_index import VECTORS_NAME


def test_lock_removes_temporaries_left_by_a_killed_save(tmp_path) -> None:
    stale = tmp_path / f"{VECTORS_NAME}.abc123.tmp"
    stale.write_bytes(b"half a faiss file")
    kept = tmp_path / VECTORS_NAME
    kept.write_bytes(b"the last good file")
    with ingest_lock(tmp_path):
        assert not stale.exists()
    assert kept.read_bytes() == b"the last good file"


def test_second_writer_is_refused_with_the_holder_named(tmp_path) -> None:
    with ingest_lock(tmp_path):
        with pytest.raises(IndexLockedError, match="another ingest or remove"):
            with ingest_lock(tmp_path):
                pass
    with ingest_lock(tmp_path):  # released again
        pass
