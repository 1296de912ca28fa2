"""The thesaurus's labelled pairs (eval/thesaurus_pairs.py): how they are scored, and the product's precision floor."""

from __future__ import annotations

import json

from eval.thesaurus_pairs import LABELS, score
from index.settings import SearchSettings

PRECISION_FLOOR = 0.80  # what the thesaurus proposes must be right at least 4 times in 5


def _pair(word: str, neighbour: str, similarity: float, label: int) -> dict:
    return {"word": word, "neighbour": neighbour, "similarity": similarity, "label": label}


def test_the_product_rule_leaves_out_pairs_below_its_cut_and_opposites():
    labels = [_pair("abroad", "overseas", 0.91, 1), _pair("illegal", "legal", 0.83, 0),
              _pair("kids", "boys", 0.71, 0), _pair("grieving", "bereavement", 0.64, 1)]
    result = score(labels, 0.7)
    assert result["product"] == {"similarity": 0.7, "proposed": 2, "good": 1, "precision": 0.5}
    assert result["cuts"][0.7] == {"proposed": 3, "good": 1, "precision": 0.333}  # the cut alone keeps "legal"


def test_what_the_product_proposes_meets_the_precision_floor_on_the_labelled_pairs():
    labels = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    product = score(labels, SearchSettings().thesaurus_similarity)["product"]
    assert product["precision"] >= PRECISION_FLOOR and product["proposed"] >= 10, product
