"""Dense vectors in FAISS, keyed by chunk id, saved atomically.

Exact inner-product search (IndexFlatIP inside IndexIDMap2) over normalised vectors while the index
is small; above APPROX_THRESHOLD vectors it switches by itself to an inverted-file index (IndexIVFFlat
keyed by chunk id, with a hash-table direct map), whose `nprobe` is tuned at build time so that
recall@10 against exact search is at least TARGET_RECALL. IVF, unlike HNSW, supports `remove_ids`
and search-time IDSelectors, so deletes and filters work the same on both. The file is a copy of
what SQLite holds; `sync_with` repairs it after an interrupted run.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

# Exact search over 200k x 384 floats takes ~25 ms a query on one core; past that, go approximate.
APPROX_THRESHOLD = 200_000
TARGET_RECALL = 0.95
TUNE_MARGIN = 0.02  # tune for 0.97 on the probe queries, so real queries keep >= 0.95
TRAIN_PER_LIST = 50  # k-means training points per list (FAISS warns below 39)
EXACT_FILTER_MAX = 20_000  # a filter allowing fewer vectors than this is searched exactly
PARALLEL_SCAN_FROM = 200_000  # vectors an IVF search scans from which its lists are split over threads
SCAN_THREADS = 2


def ivf_lists(n: int) -> int:
    """Number of IVF lists for n vectors: about 2 sqrt(n) (2,000 at a million), at least 16."""
    return max(16, int(2 * np.sqrt(max(n, 1))))


class VectorIndex:
    def __init__(self, dim: int, index: faiss.Index | None = None, approx_threshold: int | None = None) -> None:
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.dirty = False
        self.approx_threshold = APPROX_THRESHOLD if approx_threshold is None else approx_threshold

    @property
    def approximate(self) -> bool:
        return isinstance(self._ivf(), faiss.IndexIVF)

    def _ivf(self) -> faiss.Index:
        return faiss.downcast_index(self.index) if not isinstance(self.index, faiss.IndexIDMap2) else self.index

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
        index = self._ivf()
        if isinstance(index, faiss.IndexIVF):
            lists = index.invlists
            parts = [faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
                     for i in range(index.nlist) if lists.list_size(i)]
            return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of everything held, whichever index type holds it."""
        index = self._ivf()
        if isinstance(index, faiss.IndexIVF):
            lists = index.invlists
            ids, rows = [], []
            for i in range(index.nlist):
                n = lists.list_size(i)
                if n:
                    ids.append(faiss.rev_swig_ptr(lists.get_ids(i), n).copy())
                    codes = faiss.rev_swig_ptr(lists.get_codes(i), n * lists.code_size).copy()
                    rows.append(codes.view(np.float32).reshape(n, self.dim))
            if not ids:
                return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
            return np.concatenate(ids).astype(np.int64), np.concatenate(rows)
        n = int(self.index.ntotal)
        flat = faiss.downcast_index(self.index.index)
        data = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).copy().reshape(n, self.dim)
        return self.ids(), data

    def held_vectors(self, ids: np.ndarray) -> np.ndarray | None:
        """The vectors held for these ids, in order, read from the index's own memory: the exact index
        and the IVF lists both hold them uncompressed, bit for bit as added (the IVF index finds them by
        its id map). None when the index holds them otherwise or lacks one of the ids."""
        index = self._ivf()
        if not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVFFlat):
            return None
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        try:
            return index.reconstruct_batch(ids)
        except RuntimeError:  # an id not held (faiss's message: "key not found")
            return None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n = len(self) + len(ids)
        index = self._ivf()
        approximate = isinstance(index, faiss.IndexIVF)
        # Go approximate past the threshold; re-cluster when the data outgrew its lists 4 times over.
        if n > self.approx_threshold and (not approximate or ivf_lists(n) > 2 * index.nlist):
            old_ids, old = self.vectors()
            if len(old_ids):
                ids, vectors = np.concatenate([old_ids, ids]), np.concatenate([old, vectors])
            del old
            self._build_ivf(ids, vectors)
            return
        self.index.add_with_ids(vectors, ids)
        self.dirty = True

    def rebuild_approximate(self, nlist: int | None = None, seed: int = 0) -> None:
        """Move every vector into a freshly trained IVF index and tune its nprobe."""
        ids, data = self.vectors()
        self._build_ivf(ids, data, nlist, seed)

    def _build_ivf(self, ids: np.ndarray, data: np.ndarray, nlist: int | None = None, seed: int = 0) -> None:
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # training and tuning are batch work
        n = len(ids)
        nlist = nlist or ivf_lists(n)
        log.info("building an approximate (IVF, %d lists) index over %d vectors", nlist, n)
        rng = np.random.default_rng(seed)
        sample = data[rng.choice(n, size=min(n, TRAIN_PER_LIST * nlist), replace=False)]
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.seed = seed
        index.cp.niter = 10  # enough for list assignment; the default 25 triples the training time
        index.train(np.ascontiguousarray(sample))
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct() by id, removals kept
        index.add_with_ids(data, ids)
        index.own_fields = True
        quantizer.this.disown()
        index.nprobe = tune_nprobe(index, ids, data, rng)
        self.index = index
        self.dirty = True

    def remove(self, ids: np.ndarray | list[int]) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        if isinstance(self._ivf(), faiss.IndexIVF):
            # The hash-table direct map only removes through an IDSelectorArray.
            ids = np.ascontiguousarray(ids)
            self.index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))
        else:
            self.index.remove_ids(faiss.IDSelectorBatch(ids))
        self.dirty = True

    def search(
        self, query: np.ndarray, k: int, allowed_ids: np.ndarray | None = None, widen: bool = True
    ) -> list[tuple[int, float]]:
        """[(chunk id, cosine)], best first; `allowed_ids` restricts the search inside FAISS. An
        approximate index probes more lists for a broad filter unless widen=False."""
        if len(self) == 0 or k <= 0:
            return []
        params = selector = None
        if allowed_ids is not None:
            if len(allowed_ids) == 0:
                return []
            # Held in locals for the whole search: parameters keep only a raw pointer to them.
            selector, _bits = id_selector(np.asarray(allowed_ids, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)
            k = min(k, len(allowed_ids))
        k = min(k, len(self))
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        threads = 1  # one query: more threads only add start-up cost and contention, but see below
        index = self._ivf()
        if isinstance(index, faiss.IndexIVF):
            if allowed_ids is not None and len(allowed_ids) <= EXACT_FILTER_MAX:
                return self._exact_subset(index, query[0], np.asarray(allowed_ids, dtype=np.int64), k)
            # A broad filter thins every list alike: probe more lists to find k survivors.
            share = 1.0 if allowed_ids is None or not widen else len(allowed_ids) / max(1, len(self))
            nprobe = min(index.nlist, int(np.ceil(index.nprobe / max(share, 1e-6))))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe) if selector is not None else \
                faiss.SearchParametersIVF(nprobe=nprobe)
            # The lists split over the cores (a year range at a million passages scans 400,000 vectors:
            # 39 -> 20 ms on 2 cores); the same lists, so the same results.
            if nprobe * len(self) / max(1, index.nlist) >= PARALLEL_SCAN_FROM:
                threads = min(SCAN_THREADS, os.cpu_count() or 1)
            index.parallel_mode = 1 if threads > 1 else 0
        faiss.omp_set_num_threads(threads)
        scores, ids = self.index.search(query, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _exact_subset(self, index: faiss.IndexIVF, query: np.ndarray, allowed: np.ndarray, k: int):
        """Exact search over a few allowed vectors, read back by id (one call when all are there)."""
        try:
            present, matrix = allowed, index.reconstruct_batch(allowed)
        except RuntimeError:  # some not in the index (deleted since): fetch one by one
            present, rows = [], []
            for cid in allowed.tolist():
                try:
                    rows.append(index.reconstruct(cid))
                except RuntimeError:
                    continue
                present.append(cid)
            if not present:
                return []
            matrix = np.vstack(rows)
        scores = matrix @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(present[i]), float(scores[i])) for i in top]

    def search_batch_exact(self, queries: np.ndarray, k: int) -> np.ndarray:
        """Exact top-k ids for many queries (recall measurements), whatever the index type."""
        ids, data = self.vectors()
        return ids[exact_top_rows(queries, data, k)]

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


# Probe queries at cosine 0.4 to a stored vector have the recall-vs-nprobe curve of the real eval
# questions (250k passages: 0.90 / 0.96 / 0.99 at nprobe 64 / 128 / 256 for both; probes at 0.6
# were too easy and tuned nprobe too low, 0.93 recall at 1M).
PROBE_COSINE = 0.4


BITMAP_FROM = 20_000  # allowed ids from which a bitmap beats a hash set to build and to test


def id_selector(allowed: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray | None]:
    """A FAISS selector for these ids, and the buffer it reads (keep both alive while searching).

    A few ids go in a hash set; many (a year range over a million passages) in a bitmap over
    0..max id, which numpy fills in a millisecond where the hash set takes tens.
    """
    if len(allowed) < BITMAP_FROM:
        return faiss.IDSelectorBatch(allowed), None
    size = int(allowed.max()) + 1
    mask = np.zeros(size, dtype=bool)
    mask[allowed] = True
    bits = np.packbits(mask, bitorder="little")
    return faiss.IDSelectorBitmap(size, faiss.swig_ptr(bits)), bits


def probe_queries(
    data: np.ndarray, rng: np.random.Generator, n: int = 200, cosine: float = PROBE_COSINE
) -> np.ndarray:
    """Synthetic queries near the data (cosine about `cosine` to a random stored vector), like real questions."""
    base = data[rng.choice(len(data), size=min(n, len(data)), replace=False)]
    noise = rng.standard_normal(base.shape).astype(np.float32)
    noise -= (noise * base).sum(1, keepdims=True) * base  # orthogonal to the base vector
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    q = cosine * base + np.sqrt(1 - cosine**2) * noise
    return np.ascontiguousarray(q / np.linalg.norm(q, axis=1, keepdims=True), dtype=np.float32)


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true top-k found in its approximate top-k."""
    hits = [len(set(f[f >= 0].tolist()) & set(t[t >= 0].tolist())) / max(1, int((t >= 0).sum()))
            for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits)) if hits else 1.0


def tune_nprobe(
    index: faiss.IndexIVF, ids: np.ndarray, data: np.ndarray, rng: np.random.Generator, k: int = 10
) -> int:
    """The smallest nprobe (doubling) whose recall@k on probe queries reaches TARGET_RECALL + margin."""
    queries = probe_queries(data, rng)
    truth = exact_top_rows(queries, data, k)
    nprobe = 4
    while nprobe < index.nlist:
        _, found = index.search(queries, k, params=faiss.SearchParametersIVF(nprobe=nprobe))
        # found holds chunk ids, truth holds row numbers: map truth through the stored ids.
        if recall_at_k(found, ids[truth]) >= TARGET_RECALL + TUNE_MARGIN:
            break
        nprobe *= 2
    return min(nprobe, index.nlist)



def exact_top_rows(queries: np.ndarray, data: np.ndarray, k: int, block: int = 100_000) -> np.ndarray:
    """Row numbers of each query's exact top k by inner product, in blocks (no second copy of the data)."""
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    k = min(k, len(data))
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, len(data), block):
        scores = queries @ data[start : start + block].T
        top = np.argpartition(-scores, min(k, scores.shape[1]) - 1, axis=1)[:, :k]
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        best_rows = np.concatenate([best_rows, top + start], axis=1)
        keep = np.argsort(-best_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, 1)
        best_rows = np.take_along_axis(best_rows, keep, 1)
    return best_rows
