"""VectorIndex: exact below the threshold, IVF above it, with the same ids, removals and filters."""

from __future__ import annotations

import os

import numpy as np

from index.vectors import VectorIndex, probe_queries, recall_at_k


def _data(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, dim))
    x = centres[rng.integers(0, 20, n)] + 0.5 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_small_index_stays_exact() -> None:
    v = VectorIndex(32, approx_threshold=1000)
    v.add(np.arange(100, 600), _data(500))
    assert not v.approximate
    assert sorted(v.ids().tolist()) == list(range(100, 600))


def test_switches_to_ivf_above_threshold_and_keeps_ids(tmp_path) -> None:
    data = _data(3000)
    ids = np.arange(10, 3010, dtype=np.int64)
    v = VectorIndex(32, approx_threshold=1000)
    v.add(ids[:800], data[:800])
    assert not v.approximate
    v.add(ids[800:], data[800:])
    assert v.approximate
    assert len(v) == 3000
    assert sorted(v.ids().tolist()) == ids.tolist()
    got_ids, got = v.vectors()
    order = np.argsort(got_ids)
    np.testing.assert_allclose(got[order], data, atol=1e-6)

    # Its own vector comes back first; recall@10 against exact search meets the target.
    assert v.search(data[5], 1)[0][0] == ids[5]
    queries = probe_queries(data, np.random.default_rng(1), n=50)
    truth = v.search_batch_exact(queries, 10)
    found = np.array([[i for i, _ in v.search(q, 10)] for q in queries])
    assert recall_at_k(found, truth) >= 0.95

    # Removals and filters work as on the exact index; it survives a save and load.
    v.remove(ids[:100])
    assert len(v) == 2900 and ids[0] not in set(v.ids().tolist())
    allowed = ids[200:260]
    hits = v.search(data[210], 5, allowed_ids=allowed)
    assert hits[0][0] == ids[210] and all(i in set(allowed.tolist()) for i, _ in hits)
    broad = ids[100:2500]
    assert all(i in set(broad.tolist()) for i, _ in v.search(data[300], 10, allowed_ids=broad))
    path = tmp_path / "v.faiss"
    v.save(path)
    again = VectorIndex.load(path, 32)
    assert again.approximate and len(again) == 2900
    assert again.search(data[300], 1)[0][0] == ids[300]


def test_sync_with_on_approximate_index() -> None:
    data = _data(1500)
    ids = np.arange(1500, dtype=np.int64)
    v = VectorIndex(32, approx_threshold=1000)
    v.add(ids, data)
    added, removed = v.sync_with(ids[100:], lambda part: data[part])
    assert (added, removed) == (0, 100)
    assert len(v) == 1400


def test_broad_filter_on_approximate_index_searches_inside_ivf(monkeypatch) -> None:
    import index.vectors as vectors

    monkeypatch.setattr(vectors, "EXACT_FILTER_MAX", 10)  # force the IDSelector path through IVF
    data = _data(3000)
    ids = np.arange(3000, dtype=np.int64)
    v = VectorIndex(32, approx_threshold=1000)
    v.add(ids, data)
    assert v.approximate
    broad = ids[::2]
    for row in range(0, 3000, 150):  # many searches: a freed selector would crash or leak through
        hits = v.search(data[row], 10, allowed_ids=broad)
        assert hits and all(i % 2 == 0 for i, _ in hits)


def test_narrow_filter_naming_removed_vectors_on_approximate_index() -> None:
    data = _data(1500)
    ids = np.arange(1500, dtype=np.int64)
    v = VectorIndex(32, approx_threshold=1000)
    v.add(ids, data)
    v.remove(ids[:10])
    hits = v.search(data[12], 3, allowed_ids=ids[5:20])  # 5..9 are gone: skipped, not an error
    assert hits[0][0] == 12 and all(10 <= i < 20 for i, _ in hits)


def test_many_allowed_ids_use_a_bitmap_with_the_same_results(monkeypatch) -> None:
    import index.vectors as vectors

    data = _data(2000)
    ids = np.arange(1, 2001, dtype=np.int64)
    v = VectorIndex(32)
    v.add(ids, data)
    allowed = ids[ids % 3 == 0]
    before = v.search(data[299], 10, allowed_ids=allowed)  # a hash set below BITMAP_FROM
    monkeypatch.setattr(vectors, "BITMAP_FROM", 10)
    selector, bits = vectors.id_selector(allowed)
    assert bits is not None and isinstance(selector, vectors.faiss.IDSelectorBitmap)
    assert v.search(data[299], 10, allowed_ids=allowed) == before
    assert all(i % 3 == 0 for i, _ in before) and before[0][0] == 300


def test_held_vectors_are_the_added_ones_bit_for_bit_and_none_when_not_all_held(tmp_path) -> None:
    data = _data(600)
    v = VectorIndex(32, approx_threshold=1000)
    v.add(np.arange(100, 600), data[:500])
    wanted = np.array([599, 100, 350, 350])
    assert np.array_equal(v.held_vectors(wanted), data[wanted - 100])
    assert v.held_vectors(np.array([], dtype=np.int64)).shape == (0, 32)
    assert v.held_vectors(np.array([100, 99])) is None  # one id not held
    v.remove(np.array([350]))
    assert v.held_vectors(np.array([350])) is None
    path = tmp_path / "v.faiss"
    v.save(path)
    assert np.array_equal(VectorIndex.load(path, 32).held_vectors(np.array([101])), data[1:2])
    more = _data(1100, seed=2)
    v.add(np.arange(600, 1700), more)  # past the threshold: IVF lists, which hold the vectors as added
    assert v.approximate and np.array_equal(v.held_vectors(np.array([101, 1699, 101])),
                                            np.stack([data[1], more[-1], data[1]]))
    assert v.held_vectors(np.array([101, 99])) is None
    v.save(path)
    assert np.array_equal(VectorIndex.load(path, 32).held_vectors(np.array([650])), more[50:51])


def test_a_long_ivf_scan_split_over_threads_finds_what_one_thread_finds(monkeypatch) -> None:
    import index.vectors as vectors

    monkeypatch.setattr(vectors, "EXACT_FILTER_MAX", 10)  # the filtered searches go through IVF too
    data = _data(3000)
    v = VectorIndex(32, approx_threshold=1000)
    v.add(np.arange(1, 3001), data)
    assert v.approximate
    queries, allowed = _data(20, seed=5), np.arange(1, 3001, 3)
    monkeypatch.setattr(vectors, "PARALLEL_SCAN_FROM", 10**12)
    alone = [(v.search(q, 10), v.search(q, 10, allowed)) for q in queries]
    monkeypatch.setattr(vectors, "PARALLEL_SCAN_FROM", 0)
    split = [(v.search(q, 10), v.search(q, 10, allowed)) for q in queries]
    assert v._ivf().parallel_mode == (1 if (os.cpu_count() or 1) > 1 else 0) and split == alone
