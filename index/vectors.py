"""Dense vectors in FAISS, keyed by chunk id, saved atomically.

Exact inner-product search (IndexFlatIP inside IndexIDMap2) over normalised vectors. The file is a
copy of what SQLite holds; `sync_with` repairs it after an interrupted run.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)


class VectorIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None) -> None:
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.dirty = False

    @classmethod
    def load(cls, path: str | Path, dim: int) -> VectorIndex:
        path = Path(path)
        if not path.exists():
            return cls(dim)
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:  # unreadable file: rebuilt from SQLite by sync_with
            log.warning("could not read %s (%s); it will be rebuilt from the chunk store", path, exc)
            vectors = cls(dim)
            vectors.dirty = True
            return vectors
        if index.d != dim:
            log.warning("%s has dimension %d, expected %d; rebuilding", path, index.d, dim)
            vectors = cls(dim)
            vectors.dirty = True
            return vectors
        return cls(dim, index)

    def save(self, path: str | Path) -> None:
        """Write to a temporary file in the same folder, fsync, then rename over the old file."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            faiss.write_index(self.index, tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.dirty = False

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        self.dirty = True

    def remove(self, ids: np.ndarray | list[int]) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        self.index.remove_ids(faiss.IDSelectorBatch(ids))
        self.dirty = True

    def search(self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None) -> list[tuple[int, float]]:
        """[(chunk id, cosine)], best first; `allowed_ids` restricts the search inside FAISS."""
        if len(self) == 0 or k <= 0:
            return []
        params = None
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed_ids, dtype=np.int64)))
            k = min(k, len(allowed_ids))
        k = min(k, len(self))
        scores, ids = self.index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def sync_with(self, store_ids: np.ndarray, fetch_vectors) -> tuple[int, int]:
        """Make the FAISS ids equal the store's chunk ids: add what is missing, drop what is gone.

        `fetch_vectors(ids)` returns the stored vectors for those chunk ids. Returns (added, removed).
        """
        have = self.ids()
        missing = np.setdiff1d(store_ids, have, assume_unique=False)
        extra = np.setdiff1d(have, store_ids, assume_unique=False)
        if len(extra):
            self.remove(extra)
        for start in range(0, len(missing), 20000):
            part = missing[start : start + 20000]
            self.add(part, fetch_vectors(part))
        return len(missing), len(extra)
