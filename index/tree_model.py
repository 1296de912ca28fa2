"""A gradient-boosted tree ensemble evaluated with numpy, from LightGBM's own model dump.

The learned ranking stage is trained with LightGBM (eval/train_ranker.py) but served without it:
importing LightGBM (with pandas, scipy and scikit-learn behind it) would cost a cold `ofsted-qa ask`
seconds, while walking a few hundred small trees over fifty rows is a few numpy gathers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_ZERO = 1e-35  # LightGBM's kZeroThreshold: |x| below it counts as zero for zero-as-missing splits


class ModelFileError(ValueError):
    """A model file that cannot be read as a tree ensemble; the message says why."""


@dataclass(frozen=True)
class TreeEnsemble:
    """Trees as flat node arrays: node i splits on feature[i] at threshold[i]; a child index < 0 is
    the leaf ~index. The prediction is the sum of one leaf value per tree."""

    feature_names: tuple[str, ...]
    roots: np.ndarray  # node index of each tree's root (or ~leaf for a one-leaf tree)
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    default_left: np.ndarray  # where a zero goes on a zero-as-missing split
    zero_missing: np.ndarray
    leaf_value: np.ndarray
    about: dict

    @classmethod
    def from_lightgbm_dump(cls, dump: dict, about: dict | None = None) -> TreeEnsemble:
        """Build from `Booster.dump_model()`.

        Raises:
            ModelFileError: a split kind this evaluator does not implement (categorical splits).
        """
        feature, threshold, left, right, default_left, zero_missing, leaves, roots = [], [], [], [], [], [], [], []

        def add(node: dict) -> int:
            if "leaf_value" in node:
                leaves.append(float(node["leaf_value"]))
                return ~(len(leaves) - 1)
            if node.get("decision_type", "<=") != "<=":
                raise ModelFileError(f"unsupported split {node.get('decision_type')!r} (numerical '<=' only)")
            at = len(feature)
            feature.append(int(node["split_feature"]))
            threshold.append(float(node["threshold"]))
            default_left.append(bool(node.get("default_left", True)))
            zero_missing.append(node.get("missing_type") == "Zero")
            left.append(0)
            right.append(0)
            left[at] = add(node["left_child"])
            right[at] = add(node["right_child"])
            return at

        for tree in dump["tree_info"]:
            roots.append(add(tree["tree_structure"]))
        return cls(
            feature_names=tuple(dump["feature_names"]), roots=np.asarray(roots, dtype=np.int64),
            feature=np.asarray(feature, dtype=np.int64), threshold=np.asarray(threshold, dtype=np.float64),
            left=np.asarray(left, dtype=np.int64), right=np.asarray(right, dtype=np.int64),
            default_left=np.asarray(default_left, dtype=bool), zero_missing=np.asarray(zero_missing, dtype=bool),
            leaf_value=np.asarray(leaves, dtype=np.float64), about=dict(about or {}),
        )

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Scores of each row (shape (n, len(feature_names))): higher ranks first.

        Raises:
            ValueError: rows with another number of columns than the model's features.
        """
        rows = np.asarray(rows, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != len(self.feature_names):
            raise ValueError(f"expected rows of {len(self.feature_names)} features, got shape {rows.shape}")
        n = rows.shape[0]
        if n == 0 or not len(self.roots):
            return np.zeros(n)
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        row_index = np.broadcast_to(np.arange(n)[:, None], node.shape)
        while True:
            inner = node >= 0
            if not inner.any():
                break
            at = node[inner]
            x = rows[row_index[inner], self.feature[at]]
            go_left = x <= self.threshold[at]
            zero = self.zero_missing[at] & (np.abs(x) <= _ZERO)
            go_left = np.where(zero, self.default_left[at], go_left)
            node[inner] = np.where(go_left, self.left[at], self.right[at])
        return self.leaf_value[~node].sum(axis=1)

    def save(self, path: str | Path) -> None:
        """Write the model as JSON (node arrays and what it was trained on)."""
        data = {
            "format": "ofsted-qa tree ensemble 1", "feature_names": list(self.feature_names),
            "roots": self.roots.tolist(), "feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
            "left": self.left.tolist(), "right": self.right.tolist(), "default_left": self.default_left.tolist(),
            "zero_missing": self.zero_missing.tolist(), "leaf_value": self.leaf_value.tolist(), "about": self.about,
        }
        Path(path).write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TreeEnsemble:
        """Read a model written by `save`.

        Raises:
            ModelFileError: not such a file (missing keys, another format).
            OSError: the file cannot be read.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format") != "ofsted-qa tree ensemble 1":
                raise ModelFileError(f"{path}: not an ofsted-qa tree ensemble (format {data.get('format')!r})")
            return cls(
                feature_names=tuple(data["feature_names"]), roots=np.asarray(data["roots"], dtype=np.int64),
                feature=np.asarray(data["feature"], dtype=np.int64),
                threshold=np.asarray(data["threshold"], dtype=np.float64),
                left=np.asarray(data["left"], dtype=np.int64), right=np.asarray(data["right"], dtype=np.int64),
                default_left=np.asarray(data["default_left"], dtype=bool),
                zero_missing=np.asarray(data["zero_missing"], dtype=bool),
                leaf_value=np.asarray(data["leaf_value"], dtype=np.float64), about=data.get("about", {}),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ModelFileError(f"{path}: not a readable tree ensemble ({error})") from None
