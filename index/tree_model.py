"""A gradient-boosted tree ensemble evaluated with numpy, from LightGBM's own model dump.

The learned ranking stage is trained with LightGBM (eval/train_ranker.py) but served without it:
importing LightGBM (with pandas, scipy and scikit-learn behind it) would cost a cold `ofsted-qa ask`
seconds, while walking a few hundred small trees over fifty rows is a few numpy gathers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
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
        rows = np.asarray(rows)
        if rows.dtype != np.float32:  # the features are float32; anything else is compared as float64
            rows = rows.astype(np.float64)
        if rows.ndim != 2 or rows.shape[1] != len(self.feature_names):
            raise ValueError(f"expected rows of {len(self.feature_names)} features, got shape {rows.shape}")
        n = rows.shape[0]
        if n == 0 or not len(self.roots):
            return np.zeros(n)
        if self._bitmasks is None:  # a tree of over 64 leaves: walk the trees level by level
            return self._walk_all(rows)
        return self._bitmasks.predict(rows)

    def _walk_all(self, rows: np.ndarray) -> np.ndarray:
        n = rows.shape[0]
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

    @cached_property
    def _bitmasks(self) -> _LeafBitmasks | None:
        return _LeafBitmasks.of(self)

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


@dataclass(frozen=True)
class _LeafBitmasks:
    """The trees for QuickScorer's evaluation (Lucchese et al., SIGIR 2015): each tree's leaves are bits,
    left to right; a split that sends a row right rules out the leaves of its left subtree, and the row's
    leaf is the leftmost one no split ruled out. Every split is then one comparison over all rows, and no
    loop walks down the trees.

    The split arrays are laid out tree by tree in `width` slots each (the most splits of any tree), a
    tree with fewer padded with splits that rule nothing out, so each tree's masks are ANDed by one
    reduce over a (rows, trees, width) view instead of a reduceat over ragged runs (half the time)."""

    feature: np.ndarray  # per slot (a split, or padding), tree by tree
    threshold: np.ndarray
    threshold32: np.ndarray  # the same comparisons for float32 rows
    default_right: np.ndarray  # where a zero goes on a zero-as-missing split
    zero_missing: np.ndarray
    keeps: np.ndarray  # per slot, one bit per leaf: the tree's leaves still possible when the row goes right
    width: int  # slots per tree
    split_trees: np.ndarray  # the trees with a split (a one-leaf tree ends on its leaf 0)
    first_leaf: np.ndarray  # per tree: its leftmost leaf's index in leaf_value
    leaf_value: np.ndarray

    @classmethod
    def of(cls, model: TreeEnsemble) -> _LeafBitmasks | None:
        """None when a tree has over 64 leaves (they would not fit one uint64), or when the nodes are not
        numbered as from_lightgbm_dump numbers them (then the trees are walked instead)."""
        # Each node's leaves, as the range [lowest, highest] of leaf numbers (from_lightgbm_dump numbers
        # a tree's nodes depth first, left before right, so a subtree's leaves are consecutive and a
        # node's children come after it): one pass from the last node back.
        inner = len(model.feature)
        low, high = [0] * inner, [0] * inner
        left, right = model.left.tolist(), model.right.tolist()
        for node in range(inner - 1, -1, -1):
            a, b = left[node], right[node]
            if 0 <= a <= node or 0 <= b <= node:
                return None  # not numbered so
            left_high = ~a if a < 0 else high[a]
            right_low = ~b if b < 0 else low[b]
            if right_low != left_high + 1:
                return None  # the leaves are not numbered left to right
            low[node] = ~a if a < 0 else low[a]
            high[node] = ~b if b < 0 else high[b]
        lowest, highest = np.asarray(low, dtype=np.int64), np.asarray(high, dtype=np.int64)
        roots = model.roots.tolist()
        first_leaf = [~r if r < 0 else int(lowest[r]) for r in roots]
        widest = max((1 if r < 0 else int(highest[r] - lowest[r]) + 1 for r in roots), default=1)
        bits = next((t for t in (np.uint16, np.uint32, np.uint64) if np.iinfo(t).bits >= widest), None)
        if bits is None:
            return None
        # A split's tree: the last root at or before it (roots are numbered in tree order).
        split_trees = [tree for tree, root in enumerate(roots) if root >= 0]
        first_split = [roots[tree] for tree in split_trees]
        tree_of = np.zeros(inner, dtype=np.int64)
        if first_split:
            tree_of[first_split] = 1
            tree_of = np.asarray(split_trees, dtype=np.int64)[np.cumsum(tree_of) - 1]
        base = np.asarray(first_leaf, dtype=np.int64)[tree_of]
        # going right rules out the left child's leaves: bits lowest(left)..highest(left), counted from the tree's first
        left_lo = np.where(model.left < 0, ~model.left, lowest[np.maximum(model.left, 0)]) - base
        left_hi = np.where(model.left < 0, ~model.left, highest[np.maximum(model.left, 0)]) - base
        ones = np.uint64(0xFFFFFFFFFFFFFFFF)
        width = (left_hi - left_lo + 1).astype(np.uint64)
        span = np.where(width >= 64, ones, (np.uint64(1) << width) - np.uint64(1)) << left_lo.astype(np.uint64)
        keeps = (np.uint64(np.iinfo(bits).max) & ~span).astype(bits)
        if np.any(np.diff(first_split) <= 0) or (first_split and first_split[0] != 0):
            return None  # a tree's splits are not numbered contiguously from its root
        # x <= t holds for a float32 x exactly when x <= the largest float32 not above t
        threshold32 = model.threshold.astype(np.float32)
        above = threshold32.astype(np.float64) > model.threshold
        threshold32[above] = np.nextafter(threshold32[above], np.float32(-np.inf))
        # Each split's slot: its tree's place among the trees with splits, times the width, plus its
        # place in the tree. Padding splits on feature 0 at +inf with every leaf kept: either way
        # (a NaN goes right) they rule nothing out.
        counts = np.diff(np.append(first_split, inner)) if first_split else np.zeros(0, dtype=np.int64)
        width = int(counts.max()) if len(counts) else 0
        slot = np.repeat(np.arange(len(counts)), counts) * width + (
            np.arange(inner) - np.repeat(np.asarray(first_split, dtype=np.int64), counts))

        def padded(values: np.ndarray, fill: object) -> np.ndarray:
            out = np.full(len(counts) * width, fill, dtype=values.dtype)
            out[slot] = values
            return out

        return cls(
            feature=padded(model.feature, 0), threshold=padded(model.threshold, np.inf),
            threshold32=padded(threshold32, np.inf), default_right=padded(~model.default_left, False),
            zero_missing=padded(model.zero_missing, False), keeps=padded(keeps, np.iinfo(bits).max), width=width,
            split_trees=np.asarray(split_trees, dtype=np.int64), first_leaf=np.asarray(first_leaf, dtype=np.int64),
            leaf_value=model.leaf_value,
        )

    def predict(self, rows: np.ndarray) -> np.ndarray:
        # (rows, slots) arrays are the cost here: float32 features and the narrowest bit masks keep them small
        x = rows[:, self.feature]
        left = x <= (self.threshold32 if x.dtype == np.float32 else self.threshold)  # NaN goes right
        if self.zero_missing.any():
            left = np.where(self.zero_missing & (np.abs(x) <= _ZERO), ~self.default_right, left)
        # A row's mask at a slot: every leaf (all ones) where it goes left, the split's keeps where right.
        masks = np.negative(left.view(np.uint8), dtype=self.keeps.dtype)
        masks |= self.keeps
        n = rows.shape[0]
        possible = np.full((n, len(self.first_leaf)), self.keeps.dtype.type(1))
        if len(self.split_trees):
            possible[:, self.split_trees] = np.bitwise_and.reduce(
                masks.reshape(n, len(self.split_trees), self.width), axis=2)
        lowest = possible & (~possible + self.keeps.dtype.type(1))  # the leftmost possible leaf's bit
        leaf = np.log2(lowest).astype(np.int64)  # exact: a power of two
        return self.leaf_value[self.first_leaf + leaf].sum(axis=1)
