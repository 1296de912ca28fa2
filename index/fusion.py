"""Reciprocal rank fusion: combine rankings without calibrating their scores against each other."""

from __future__ import annotations


def reciprocal_rank_fusion(
    rankings: list[list[int]], *, k: int, weights: list[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists (best first) into [(id, score)], best first; ties keep first-seen order.

    Each item scores weight / (k + rank) in each list it is in. `k` has no default: the search's is
    SearchSettings.rrf_k (index/settings.py), the baseline's its own (eval/baseline.py).

    Raises:
        ValueError: k is not positive, or the weights are not one per ranking.
    """
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
