"""Themes of the recommendations: their single points clustered by meaning, labelled by their words.

Each recommendations passage (ingest/recommendations.py) is split into its points; every point is
embedded once (by a hash of its text) and the points are clustered with FAISS k-means. What is
clustered is each point's embedding, centred (the framing every recommendation shares, "ensure
that ... children", would otherwise dominate), beside its TF-IDF word vector, at equal weight: on the
development half of the hand labels (eval/themes.py) embeddings alone agreed with the labels less
than words alone, and the two together best. The number of themes is chosen by a measured criterion,
the mean silhouette (cosine) over a range of k, and each theme is labelled by its most distinctive
words (class-based TF-IDF: words frequent in the theme and rare in the others). The seed makes it
repeatable.

`theme_overview` then counts the points of each theme in a chosen set of reports (by year, framework
and grade) and gives verbatim examples with their citations; nothing is written that a report did
not say.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import faiss
import numpy as np

from index.tokenize import STOPWORDS, words

SEED = 1234
K_CANDIDATES = tuple(range(8, 25))  # the number of themes a reader can take in, tried in turn
KMEANS_ITERATIONS = 40
KMEANS_RESTARTS = 3
LABEL_WORDS = 3
MIN_WORD_POINTS = 3  # a word in fewer points says nothing about a theme
SILHOUETTE_SAMPLE = 2000  # points the silhouette is measured on (seeded), so choosing k stays quick
EMBEDDING_SHARE = 0.5  # of the clustered vector's weight; the rest is its words
PHRASE_SHARE = 0.5  # a two-word phrase replaces its word when it scores at least this share of it
# Words every recommendation uses: they tell the themes nothing ("ensure that ... improve ...").
_GENERIC = frozenset(
    """ensure ensuring improve improving improvement improvements strengthen develop further continue
    continued children child young people local authority authorities all sure consistently consistent
    effective effectively quality timely appropriate appropriately including include includes better
    need needs needed identified identify take taken action actions work working ensures use used
    services service practice regular regularly well""".split()
)
# Report types as users know the frameworks.
FRAMEWORKS = {
    "sif": "SIF", "sif_reinspection": "SIF", "lscb_review": "SIF", "lac_2013": "2013 looked-after children",
    "ilacs_standard": "ILACS standard", "ilacs_short": "ILACS short", "ilacs_2026": "2026 framework",
}


@dataclass
class ThemeModel:
    """A clustering of the points: each point's theme, each theme's label and words, how k was chosen."""

    assignment: np.ndarray  # theme number per point, in the order given
    labels: list[tuple[str, list[str]]]  # (label, distinctive words) per theme number
    k: int
    scores: dict[int, float]  # mean silhouette per k tried
    seed: int

    def about(self) -> dict:
        return {"k": self.k, "criterion": "mean silhouette (cosine)", "scores": self.scores, "seed": self.seed,
                "clustered_on": f"centred embeddings ({EMBEDDING_SHARE:.0%}) and TF-IDF words"}


def kmeans(vectors: np.ndarray, k: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means (FAISS) of unit vectors: (theme per point, centroids). Same seed, same result."""
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    km = faiss.Kmeans(data.shape[1], k, niter=KMEANS_ITERATIONS, nredo=KMEANS_RESTARTS, seed=seed,
                      spherical=True, verbose=False, max_points_per_centroid=100_000,
                      min_points_per_centroid=1)
    km.train(data)
    _, assigned = km.index.search(data, 1)
    return assigned[:, 0].astype(np.int64), km.centroids.copy()


def silhouette(vectors: np.ndarray, assignment: np.ndarray, seed: int = SEED) -> float:
    """Mean silhouette with cosine distance: how much closer each point is to its own theme than to
    the nearest other (1 best, 0 on the border); over a seeded sample of a large set."""
    from sklearn.metrics import silhouette_score

    if len(set(assignment.tolist())) < 2:
        return -1.0
    sample = SILHOUETTE_SAMPLE if len(vectors) > SILHOUETTE_SAMPLE else None
    return float(silhouette_score(vectors, assignment, metric="cosine", sample_size=sample, random_state=seed))


def word_vectors(texts: list[str], min_points: int = MIN_WORD_POINTS) -> np.ndarray:
    """Unit TF-IDF vectors of the texts over the words at least `min_points` of them use."""
    rows = [Counter(w for w in words(text) if w not in STOPWORDS and len(w) > 2) for text in texts]
    df = Counter(w for counts in rows for w in counts)
    vocabulary = {w: i for i, w in enumerate(sorted(w for w, n in df.items() if n >= min_points))}
    matrix = np.zeros((len(texts), max(1, len(vocabulary))), dtype=np.float32)
    for i, counts in enumerate(rows):
        for w, c in counts.items():
            if w in vocabulary:
                matrix[i, vocabulary[w]] = (1 + math.log(c)) * math.log(len(texts) / df[w])
    return _unit(matrix)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.where(norms == 0, 1, norms), dtype=np.float32)


def clustering_vectors(texts: list[str], embeddings: np.ndarray, share: float = EMBEDDING_SHARE) -> np.ndarray:
    """What the points are clustered on: centred unit embeddings beside unit TF-IDF vectors, weighted
    `share` and 1 - share (unit rows)."""
    centred = _unit(embeddings - embeddings.mean(axis=0)) if len(embeddings) > 1 else _unit(embeddings)
    joined = np.hstack([math.sqrt(share) * centred, math.sqrt(1 - share) * word_vectors(texts)])
    return _unit(joined)


def choose_k(vectors: np.ndarray, candidates: tuple[int, ...] = K_CANDIDATES, seed: int = SEED
             ) -> tuple[int, dict[int, float]]:
    """The k of `candidates` with the best mean silhouette, and every k's score. Fewer points than a
    candidate's k (times 3) rule that k out."""
    scores: dict[int, float] = {}
    for k in candidates:
        if k * 3 > len(vectors):
            break
        assignment, _ = kmeans(vectors, k, seed)
        scores[k] = round(silhouette(vectors, assignment, seed), 4)
    if not scores:
        return max(1, min(len(vectors), 2)), scores
    return max(scores, key=lambda k: (scores[k], -k)), scores


def theme_words(texts: list[str], assignment: np.ndarray, k: int, n: int = LABEL_WORDS) -> list[list[str]]:
    """Each theme's most distinctive words and two-word phrases (class-based TF-IDF), best first."""
    per_theme: list[Counter] = [Counter() for _ in range(k)]
    for text, theme in zip(texts, assignment.tolist(), strict=True):
        per_theme[theme].update(_terms(text))
    overall: Counter = Counter()
    for counts in per_theme:
        overall.update(counts)
    average = sum(overall.values()) / max(1, k)
    chosen = []
    for counts in per_theme:
        total = sum(counts.values()) or 1
        score = {t: (c / total) * math.log(1 + average / overall[t]) for t, c in counts.items() if c >= 2}
        picked: list[str] = []
        for term in sorted(score, key=lambda t: (-score[t], t)):
            if " " not in term:  # a phrase holding the word, nearly as distinctive, says more
                phrases = [p for p in score
                           if " " in p and term in p.split() and score[p] >= PHRASE_SHARE * score[term]]
                term = max(phrases, key=lambda p: (score[p], p)) if phrases else term
            if any(set(term.split()) & set(p.split()) for p in picked):
                continue  # "care" beside "care leavers" says nothing more
            picked.append(term)
            if len(picked) == n:
                break
        chosen.append(picked)
    return chosen


def _terms(text: str) -> list[str]:
    tokens = [w.removesuffix("'s") for w in words(text)]
    tokens = [w for w in tokens if w not in STOPWORDS and w not in _GENERIC and len(w) > 2
              and not w.isdigit()]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def build_themes(texts: list[str], vectors: np.ndarray, seed: int = SEED,
                 candidates: tuple[int, ...] = K_CANDIDATES) -> ThemeModel:
    """Cluster the points (their texts and unit vectors, in one order) into themes.

    Args:
        texts: the points, verbatim.
        vectors: their embeddings, one row per text (clustered with their words: clustering_vectors).
        seed: k-means seed; the same seed and points give the same themes.
        candidates: numbers of themes to try.

    Returns:
        The ThemeModel.

    Raises:
        ValueError: no points, or texts and vectors of different lengths.
    """
    if len(texts) != len(vectors):
        raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
    if not texts:
        raise ValueError("no recommendations to cluster")
    clustered = clustering_vectors(texts, vectors)
    k, scores = choose_k(clustered, candidates, seed)
    assignment, _ = kmeans(clustered, k, seed) if k > 1 else (np.zeros(len(texts), dtype=np.int64), None)
    found = theme_words(texts, assignment, k)
    labels = [(", ".join(ws) if ws else f"theme {i + 1}", ws) for i, ws in enumerate(found)]
    return ThemeModel(assignment, labels, k, scores, seed)


def keyword_themes(texts: list[str], k: int, seed: int = SEED) -> np.ndarray:
    """The keyword-only baseline: the same k-means on TF-IDF word vectors alone (for eval: what
    meaning adds over shared words)."""
    return kmeans(word_vectors(texts), k, seed)[0]


# -- reading the stored themes for a set of reports ----------------------------------------------------


@dataclass
class ThemePoint:
    """One recommendation, verbatim, with where it is printed."""

    text: str
    doc_id: int
    chunk_id: int
    paragraph: str | None
    local_authority: str | None
    published: str | None
    report_type_label: str
    file: str
    page_start: int
    page_end: int
    section: str | None
    overall_grade: str | None

    def citation_label(self) -> str:
        same = self.page_start == self.page_end
        pages = f"p. {self.page_start}" if same else f"pp. {self.page_start}-{self.page_end}"
        para = f", para {self.paragraph}" if self.paragraph else ""
        authority = self.local_authority or "Unknown authority"
        return f"{authority}, {self.report_type_label}, {self.published or 'date unknown'}, {pages}{para}"


@dataclass
class ThemeSummary:
    """One theme within a set of reports: how often it is recommended, when, where, and examples."""

    theme: int
    label: str
    words: list[str]
    count: int  # points of the chosen reports in this theme
    reports: int  # chosen reports with at least one
    share_all: float  # share of every indexed point in this theme, to compare against
    by_year: dict[str, int] = field(default_factory=dict)
    by_framework: dict[str, int] = field(default_factory=dict)
    by_grade: dict[str, int] = field(default_factory=dict)
    examples: list[ThemePoint] = field(default_factory=list)


@dataclass
class ThemesView:
    """The themes of the recommendations of a set of reports (all when `scope` is empty)."""

    scope: list[str]  # the authorities chosen, as named
    n_points: int
    n_reports: int
    themes: list[ThemeSummary]
    about: dict  # how the themes were made (k, criterion, scores, seed)
    message: str | None = None


def share_label(count: int, n_points: int, share_all: float, scoped: bool) -> str:
    """How much of the recommendations counted a theme holds, as the CLI and the app say it.

    Args:
        count: the theme's points among those counted.
        n_points: the points counted (the chosen authorities', or every one).
        share_all: the theme's share of every indexed point.
        scoped: the points counted are chosen authorities' only.
    Returns:
        "16% of these 76; 11% across every report" when scoped (the share of all, alone, would read
        as the chosen authorities' own), else "11% of all recommendations".
    """
    if not scoped:
        return f"{share_all:.0%} of all recommendations"
    return f"{count / max(n_points, 1):.0%} of these {n_points}; {share_all:.0%} across every report"


def point_from_rows(row, doc, chunk) -> ThemePoint:
    """A stored point (store.recommendations row) with its document and passage, ready to cite."""
    return ThemePoint(
        text=row["text"], doc_id=row["doc_id"], chunk_id=row["chunk_id"], paragraph=row["paragraph"],
        local_authority=doc.local_authority, published=doc.published, report_type_label=doc.report_type_label,
        file=doc.file_name, page_start=chunk.page_start, page_end=chunk.page_end, section=chunk.section,
        overall_grade=doc.overall_grade,
    )


def summarise_themes(rows, docs: dict, chunks: dict, vectors: np.ndarray, themes: list[tuple[int, str, list[str]]],
                     chosen: set[int] | None, n_examples: int = 3) -> list[ThemeSummary]:
    """Counts and examples per theme for the points of the `chosen` documents (all when None).

    `rows`: every stored point with a theme (store.recommendations), `vectors` theirs in that order.
    Examples are the chosen points closest to their theme's centre, one per report.
    """
    total = Counter(r["theme"] for r in rows)
    n_all = max(1, len(rows))
    members: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        members[r["theme"]].append(i)
    summaries = []
    for theme, label, theme_words_ in themes:
        mine = members.get(theme, [])
        centre = vectors[mine].mean(axis=0) if mine else None
        picked = [i for i in mine if chosen is None or rows[i]["doc_id"] in chosen]
        summary = ThemeSummary(theme, label, theme_words_, len(picked),
                               len({rows[i]["doc_id"] for i in picked}), round(total[theme] / n_all, 4))
        for i in picked:
            doc = docs[rows[i]["doc_id"]]
            year = (doc.published or doc.inspection_end or "")[:4] or "unknown"
            summary.by_year[year] = summary.by_year.get(year, 0) + 1
            framework = FRAMEWORKS.get(doc.report_type, doc.report_type_label)
            summary.by_framework[framework] = summary.by_framework.get(framework, 0) + 1
            grade = doc.overall_grade or "no overall grade"
            summary.by_grade[grade] = summary.by_grade.get(grade, 0) + 1
        summary.by_year = dict(sorted(summary.by_year.items()))
        if picked and centre is not None:
            closeness = vectors[picked] @ centre
            seen: set[int] = set()
            for j in np.argsort(-closeness, kind="stable"):
                row = rows[picked[int(j)]]
                if row["doc_id"] in seen:
                    continue
                seen.add(row["doc_id"])
                summary.examples.append(point_from_rows(row, docs[row["doc_id"]], chunks[row["chunk_id"]]))
                if len(summary.examples) == n_examples:
                    break
        summaries.append(summary)
    summaries.sort(key=lambda s: (-s.count, s.theme))
    return summaries


def theme_overview(searcher, authorities: list[str] | None = None, neighbours_of: str | None = None,
                   n_examples: int = 3) -> ThemesView:
    """The themes of the recommendations, counted over every report or over chosen authorities'.

    Args:
        searcher: the index's searcher (`ReportIndex.searcher`).
        authorities: authorities to count (any names they go by); none for every report.
        neighbours_of: an authority: it and its ten statistical neighbours are added to the scope.
        n_examples: verbatim examples per theme, from different reports.

    Returns:
        A ThemesView; its message says when the index holds no themes yet or the scope has no points.

    Raises:
        QueryError: an unknown authority or neighbours_of (with close names).
    """
    from index.search import SearchFilters

    store = searcher.store
    scope = [a for a in (authorities or []) if a and a.strip()]
    chosen: set[int] | None = None
    if scope or (neighbours_of and neighbours_of.strip()):
        allowed: set[int] = set()
        if scope:
            allowed |= set(searcher.documents_matching(SearchFilters.build(authority=scope)) or [])
        if neighbours_of and neighbours_of.strip():
            near = SearchFilters.build(neighbours_of=neighbours_of)
            allowed |= set(searcher.documents_matching(near) or [])
            scope = [*scope, f"{near.neighbours_of} and its statistical neighbours"]
        chosen = allowed
    about = json.loads(store.get_meta("themes") or "{}")
    themes = store.themes()
    docs = searcher.documents()
    rows = [r for r in store.recommendations() if r["theme"] is not None and r["doc_id"] in docs]
    if not themes or not rows:
        return ThemesView(scope, 0, 0, [], about, "this index holds no recommendation themes yet: run "
                          "ofsted-qa ingest over its reports again to make them (nothing is re-embedded)")
    vectors = store.recommendation_vectors([r["id"] for r in rows], searcher.embedder.dim)
    chunks = store.chunks({r["chunk_id"] for r in rows if chosen is None or r["doc_id"] in chosen})
    summaries = summarise_themes(rows, docs, chunks, vectors, themes, chosen, n_examples)
    points = [r for r in rows if chosen is None or r["doc_id"] in chosen]
    message = None if points else "the reports chosen hold no recommendations"
    return ThemesView(scope, len(points), len({r["doc_id"] for r in points}), summaries, about, message)
