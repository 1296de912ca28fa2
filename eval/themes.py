"""How well the recommendation themes agree with themes a person gave by hand.

`eval/theme_labels.jsonl` holds recommendations labelled by hand into themes (file, page, the first
words of the recommendation, theme), written without sight of the clustering. Each is found among
the index's stored points (index/themes.py) by its report and its first words; then the adjusted
Rand index (ARI: 0 is chance, 1 is the same partition) of

* the index's themes (k-means on centred embeddings beside TF-IDF words, k by silhouette),
* the keyword-only baseline (the same k-means, same k, on TF-IDF word vectors alone), and
* embeddings alone (the same k-means, same k, on the embeddings),

against the hand labels, over the labelled points. The labels are split in two halves by report (a
hash of the file name): what is clustered was chosen on the development half; the test half is
the figure to quote. Run: python -m eval.themes --index DIR
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.matching import letters_digits

LABELS = Path(__file__).resolve().parent / "theme_labels.jsonl"


SPLITS = ("test", "dev", "all")


def split_of(file: str) -> str:
    """"dev" or "test": half the labelled reports each, fixed by a hash of the file name."""
    return "dev" if int(hashlib.sha1(file.encode()).hexdigest(), 16) % 2 == 0 else "test"


@dataclass
class ThemeAgreement:
    split: str
    labelled: int  # hand labels of the split
    matched: int  # of them found among the index's points
    reports: int
    hand_themes: int
    k: int
    ari_themes: float
    ari_keywords: float
    ari_embeddings: float  # k-means on the embeddings alone, same k
    ari_themes_at_hand_k: float  # the themes' method with as many themes as the hand labels
    unmatched: list[str]


def read_labels(path: Path = LABELS) -> list[dict]:
    """The hand labels; each line a JSON object with file, page, quote and theme.

    Raises:
        ValueError: a line that is not such an object (its number named).
    """
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from None
        if not all(isinstance(item.get(key), str) and item[key].strip() for key in ("file", "quote", "theme")):
            raise ValueError(f"{path}:{number}: needs file, quote and theme")
        labels.append(item)
    return labels


def measure(index_dir: str | Path, labels_path: Path = LABELS, split: str = "test") -> ThemeAgreement:
    """ARI of the index's themes, of the keyword baseline and of embeddings alone against the hand
    labels of one split ("test", "dev" or "all").

    Raises:
        ValueError: an unknown split, or a labels file that cannot be read.
    """
    from sklearn.metrics import adjusted_rand_score

    from index.report_index import ReportIndex
    from index.themes import SEED, clustering_vectors, keyword_themes, kmeans

    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
    labels = [item for item in read_labels(labels_path) if split == "all" or split_of(item["file"]) == split]
    index = ReportIndex.load(index_dir, read_only=True)
    try:
        store = index.store
        docs = store.documents()
        by_file: dict[str, list[int]] = {}
        for doc in docs.values():
            for path in doc.paths:
                by_file.setdefault(Path(path).name, []).append(doc.id)
        rows = [r for r in store.recommendations() if r["theme"] is not None and r["doc_id"] in docs]
        position = {r["id"]: i for i, r in enumerate(rows)}
        of_doc: dict[int, list] = {}
        for r in rows:
            of_doc.setdefault(r["doc_id"], []).append(r)
        matched: list[tuple[int, str]] = []  # (row position, hand theme)
        unmatched = []
        for item in labels:
            quote = letters_digits(item["quote"])
            found = None
            for doc_id in by_file.get(item["file"], []):
                found = next((r for r in of_doc.get(doc_id, []) if quote in letters_digits(r["text"])), None)
                if found:
                    break
            if found is None or position[found["id"]] in {p for p, _ in matched}:
                unmatched.append(f"{item['file']}: {item['quote']}")
                continue
            matched.append((position[found["id"]], item["theme"]))
        texts = [r["text"] for r in rows]
        ours = np.array([r["theme"] for r in rows])
        k = int(ours.max()) + 1
        keywords = keyword_themes(texts, k, SEED)
        hand = [theme for _, theme in matched]
        at = [p for p, _ in matched]
        vectors = store.recommendation_vectors([r["id"] for r in rows], index.embedder.dim)
        embeddings_only, _ = kmeans(vectors, k, SEED)
        hand_k = len(set(hand))
        at_hand_k, _ = kmeans(clustering_vectors(texts, vectors), hand_k, SEED)

        def ari(assignment: np.ndarray) -> float:
            return round(float(adjusted_rand_score(hand, assignment[at])), 3)

        return ThemeAgreement(
            split=split, labelled=len(labels), matched=len(matched),
            reports=len({rows[p]["doc_id"] for p in at}), hand_themes=hand_k, k=k,
            ari_themes=ari(ours), ari_keywords=ari(keywords), ari_embeddings=ari(embeddings_only),
            ari_themes_at_hand_k=ari(at_hand_k), unmatched=unmatched,
        )
    finally:
        index.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.themes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True, help="an index over the reports the labels come from")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--split", choices=SPLITS, default=None, help="one half of the labels (default: each)")
    args = parser.parse_args(argv)
    for split in [args.split] if args.split else SPLITS:
        result = measure(args.index, args.labels, split)
        print(f"[{split}] hand labels: {result.labelled}, found among the index's points: {result.matched} "
              f"from {result.reports} reports; {result.hand_themes} hand themes, k = {result.k}")
        print(f"[{split}] ARI, themes (centred embeddings + words, k by silhouette): {result.ari_themes}")
        print(f"[{split}] ARI, keyword-only baseline (TF-IDF, same k): {result.ari_keywords}")
        print(f"[{split}] ARI, embeddings alone (same k): {result.ari_embeddings}")
        print(f"[{split}] ARI, themes' method with k = {result.hand_themes} (as many as the hand themes): "
              f"{result.ari_themes_at_hand_k}")
        for miss in result.unmatched:
            print(f"  not found: {miss}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
