"""Looking ids up in an ascending id array (the passage maps, the saved postings and words)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def find(sorted_ids: np.ndarray, ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, found): where each id stands in `sorted_ids` (ascending), and whether it is there.

    A position is meaningful only where `found` is True; both arrays are as long as `ids`.
    """
    wanted = np.asarray(ids, dtype=np.int64)
    if not len(sorted_ids):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return at, sorted_ids[at] == wanted
