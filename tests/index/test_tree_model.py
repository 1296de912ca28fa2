"""The numpy tree ensemble against LightGBM's own predictions, and its file format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.tree_model import ModelFileError, TreeEnsemble

lightgbm = pytest.importorskip("lightgbm")


def _trained(seed: int = 0, leaves: int = 7, n: int = 1200, min_child: int = 5) -> tuple[object, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(n, 6))
    rows[rng.random(rows.shape) < 0.25] = 0.0  # zeros exercise LightGBM's zero-as-missing splits
    labels = (rows[:, 0] + rows[:, 1] * rows[:, 2] > 0.3).astype(int) + (rows[:, 3] > 1)
    model = lightgbm.LGBMRanker(n_estimators=40, num_leaves=leaves, min_child_samples=min_child, verbose=-1)
    model.fit(rows, labels, group=[20] * (n // 20))
    fresh = rng.normal(size=(300, 6))
    fresh[rng.random(fresh.shape) < 0.25] = 0.0
    return model.booster_, fresh


def test_predictions_match_lightgbm() -> None:
    booster, rows = _trained()
    ensemble = TreeEnsemble.from_lightgbm_dump(booster.dump_model())
    assert np.allclose(ensemble.predict(rows), booster.predict(rows), atol=1e-9)


def test_float32_rows_are_compared_as_lightgbm_compares_them() -> None:
    # The product's features are float32: compared against float32-rounded thresholds, a value lying
    # between a threshold and its float32 rounding must still fall on LightGBM's side.
    booster, rows = _trained(3)
    ensemble = TreeEnsemble.from_lightgbm_dump(booster.dump_model())
    on_first = ensemble.threshold[ensemble.feature == 0].astype(np.float32)
    edges = np.concatenate([on_first, np.nextafter(on_first, np.float32(np.inf)),
                            np.nextafter(on_first, np.float32(-np.inf))])
    near = np.repeat(rows[:1], len(edges), axis=0).astype(np.float32)
    near[:, 0] = edges
    for sample in (rows.astype(np.float32), near):
        assert np.allclose(ensemble.predict(sample), booster.predict(sample.astype(np.float64)), atol=1e-9)


def test_trees_of_over_64_leaves_are_walked() -> None:
    booster, rows = _trained(4, leaves=90, n=4000)
    ensemble = TreeEnsemble.from_lightgbm_dump(booster.dump_model())
    assert max(booster.dump_model()["tree_info"], key=lambda t: t["num_leaves"])["num_leaves"] > 64
    assert np.allclose(ensemble.predict(rows), booster.predict(rows), atol=1e-9)


def test_save_and_load_keep_the_predictions_and_what_it_was_trained_on(tmp_path) -> None:
    booster, rows = _trained(1)
    ensemble = TreeEnsemble.from_lightgbm_dump(booster.dump_model(), about={"questions": 12})
    ensemble.save(tmp_path / "m.json")
    loaded = TreeEnsemble.load(tmp_path / "m.json")
    assert np.allclose(loaded.predict(rows), booster.predict(rows), atol=1e-9)
    assert loaded.about == {"questions": 12}
    assert loaded.feature_names == ensemble.feature_names


def test_wrong_width_and_empty_input() -> None:
    booster, rows = _trained(2)
    ensemble = TreeEnsemble.from_lightgbm_dump(booster.dump_model())
    with pytest.raises(ValueError, match="expected rows of 6 features"):
        ensemble.predict(rows[:, :5])
    assert ensemble.predict(np.zeros((0, 6))).shape == (0,)


def test_a_file_of_another_kind_is_refused(tmp_path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ModelFileError, match="not an ofsted-qa tree ensemble"):
        TreeEnsemble.load(path)
    path.write_text("{not json")
    with pytest.raises(ModelFileError, match="not a readable tree ensemble"):
        TreeEnsemble.load(path)


def test_trees_of_different_sizes_are_padded_and_still_match_lightgbm() -> None:
    # Few rows and many leaves allowed: the trees stop at different sizes, so the split slots are padded.
    booster, rows = _trained(5, leaves=31, n=400, min_child=20)
    sizes = {t["num_leaves"] for t in booster.dump_model()["tree_info"]}
    assert len(sizes) > 2
    ensemble = TreeEnsemble.from_lightgbm_dump(booster.dump_model())
    assert np.allclose(ensemble.predict(rows), booster.predict(rows), atol=1e-9)
    assert np.allclose(ensemble.predict(rows.astype(np.float32)), booster.predict(rows.astype(np.float32)), atol=1e-9)
