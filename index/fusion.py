"""Reciprocal rank fusion: combine rankings without calibrating their scores against each other."""

from __future__ import annotations

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: list[list[int]], k: int = RRF_K, weights: list[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists (best first) into [(id, score)], best first; ties keep first-seen order."""
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
