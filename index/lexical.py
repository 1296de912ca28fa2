"""BM25 in memory: FTS5's own ranking of a passage, scored with numpy instead of inside SQLite.

SQLite FTS5 scores a MATCH by walking every posting list of the query, for every query, in C but
through its page cache; a question with feedback and the concepts' list runs three such queries
(40 ms of a 66 ms hybrid query, `ofsted-qa bench --only stages`). Here the same postings live in
numpy arrays, memory-mapped from the index folder, and a query's score is a few array operations.

The postings are read out of FTS5 itself (its `fts5vocab` instance table), so tokens, stems and
column sizes are exactly FTS5's; the score is FTS5's bm25() term by term (k1 1.2, b 0.75, an IDF
floored at 1e-6, a per-column weight on term frequency, the row's size over all columns), summed
over the MATCH's phrases in order. A single-word phrase is scored from the arrays; a phrase of
several words ("child protection") from where each of its tokens occurs: the passages and columns
where they stand side by side in order, counted as FTS5 counts a phrase's instances, and scored
with the phrase's own IDF (bm25 is a sum over phrases). Phrases joined by AND (the question's words
all together, when each alone is too common to rank by) match where all occur, and AND binds before
OR, as in FTS5, whose phrases of an AND that fails in a row score nothing there. Results equal FTS5's
(tests/index/test_lexical.py); FTS5 stays the store's text index, and any other expression (NEAR,
NOT, brackets) is left to it.

Files (in the index folder's `lexical/`, written whole and swapped in atomically):
    terms.npy      the indexed tokens, sorted (FTS5's order)
    starts.npy     where each token's postings start in the arrays below (one more than terms)
    rows.npy       per posting: the passage's position in `rowids`
    text_tf.npy, section_tf.npy  per posting: the token's count in the text and the section heading
                   (the smallest unsigned type that holds the largest count: one byte on the corpus)
    rowids.npy     the passages' ids (FTS5 rowids), ascending
    doc_ids.npy    each passage's report (the corpus view's passage-to-report map, ready at start)
    sizes.npy      per passage: its tokens over all columns (bm25's |D|)
    inst_starts.npy  where each token's occurrences start in inst_keys (one more than terms)
    inst_keys.npy  per occurrence: passage position << row_shift | column (section: 1) << (row_shift - 1)
                   | token offset, ascending within a token (a phrase's tokens are found side by side
                   by searchsorted). The offset field is one bit wider than the longest passage needs,
                   so a key moved back or on by a phrase's length never lands on another occurrence;
                   the keys are 32-bit when they fit (about 2 million passages of the corpus's
                   lengths), else 64-bit.
    meta.json      the store's signature when built (stale postings are never used), counts, the
                   keys' row_shift
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import sorted_ids
from index.atomic_folder import META_NAME, map_arrays, read_meta, write_folder
from index.store import SECTION_WEIGHT, TEXT_WEIGHT

log = logging.getLogger(__name__)

FOLDER = "lexical"
FORMAT_VERSION = 4  # 4: 32-bit occurrence keys with a row_shift fitted to the passages, one-byte counts
K1, B = 1.2, 0.75  # FTS5's bm25() constants (sqlite/ext/fts5/fts5_aux.c)
IDF_FLOOR = 1e-6  # FTS5: an IDF at or below zero (a phrase in over half of the rows) becomes this
TOKENIZER = "porter unicode61 remove_diacritics 2"  # the store's chunks_fts tokenizer (index/store.py)
PHRASES_KEPT = 4096  # multi-word phrases' scores remembered (questions repeat acronyms' and concepts' phrases)
# Disjunctions whose score arrays are remembered: a question's feedback list searches its first list's
# phrases and a few more, so it starts from the first list's sums instead of scoring them again.
SUMS_KEPT = 8
# Building needs about 4.4 GB per million passages (its occurrences' arrays, checked and counted): far
# beyond that a larger index keeps FTS5's ranking (docs/SCALING.md: past a few million passages the
# next step is a search engine, not this one).
MAX_PASSAGES = 2_000_000
READ_BLOCK = 1 << 20  # occurrences read from SQLite at a time
# Occurrence keys are 32-bit while they stay under this, with a bit to spare, so a key moved on by a
# phrase's length still fits the type (about 2 million passages of the corpus's lengths); else 64-bit.
UINT32_KEYS_UP_TO = 1 << 31
_EXPRESSION = re.compile(r'"[^"]*"(?: (?:OR|AND) "[^"]*")*')
_PHRASE_THEN = re.compile(r'"([^"]*)"(?: (OR|AND) )?')  # a quoted phrase and the operator after it
FILES = ("terms", "starts", "rows", "text_tf", "section_tf", "rowids", "doc_ids", "sizes", "inst_starts", "inst_keys")
_BUILT_AS = {"format": FORMAT_VERSION, "tokenizer": TOKENIZER}  # saved postings of another build are not read



class LexicalIndexError(RuntimeError):
    """The full-text index and the passages table disagree (the postings are not written)."""


@dataclass(frozen=True)
class Postings:
    """The FTS5 index's postings as arrays (see the module docstring for each)."""

    terms: np.ndarray
    starts: np.ndarray
    rows: np.ndarray
    text_tf: np.ndarray
    section_tf: np.ndarray
    rowids: np.ndarray
    doc_ids: np.ndarray
    sizes: np.ndarray
    inst_starts: np.ndarray
    inst_keys: np.ndarray
    signature: str
    row_shift: int

    @property
    def section_bit(self) -> int:
        """The occurrence keys' column bit (set: the section heading), just above the offset."""
        return 1 << (self.row_shift - 1)

    @property
    def n_rows(self) -> int:
        """Passages indexed (bm25's N)."""
        return int(len(self.rowids))

    @property
    def average_size(self) -> float:
        """Mean tokens per passage over all columns (bm25's avgdl), as FTS5 computes it."""
        return float(self.sizes.sum()) / max(1, self.n_rows)

    def term_index(self, token: str) -> int | None:
        """Where an indexed token is in `terms` (None: not indexed)."""
        i = int(np.searchsorted(self.terms, token))
        return i if i < len(self.terms) and self.terms[i] == token else None

    def postings_of(self, token: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(row positions, text counts, section counts) of one indexed token; None if not indexed."""
        i = self.term_index(token)
        if i is None:
            return None
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return self.rows[a:b], self.text_tf[a:b], self.section_tf[a:b]

    def occurrences_of(self, token: str) -> np.ndarray | None:
        """The keys (see the module docstring) of every occurrence of an indexed token, ascending."""
        i = self.term_index(token)
        if i is None:
            return None
        return self.inst_keys[int(self.inst_starts[i]):int(self.inst_starts[i + 1])]

    def phrase_postings(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row positions, text counts, section counts) of a phrase of several tokens: where they stand
        side by side, in order, in one column, as FTS5 matches a phrase; rows ascending."""
        found = [self.occurrences_of(t) for t in tokens]
        # A phrase longer than any passage (the offset field holds twice the longest) matches none.
        if any(f is None or not len(f) for f in found) or len(tokens) > self.section_bit >> 1:
            return (np.zeros(0, dtype=np.int32),) * 3
        # Start from the rarest token's occurrences, moved back to where the phrase would begin;
        # keep those where every other token stands at its place after that beginning, rarer tokens
        # first: the beginnings left shrink fastest, so the commonest ("of", "children") are looked
        # up least (at a million passages, 165 -> 10 ms for a phrase of seven).
        by_rarity = sorted(range(len(tokens)), key=lambda j: len(found[j]))
        rarest = by_rarity[0]
        starts = np.asarray(found[rarest], dtype=np.int64) - rarest
        starts = starts[starts >= 0]  # before the first passage's first token: no phrase starts there
        for j in by_rarity[1:]:
            keys = found[j]
            if not len(starts):
                break
            # In the keys' own type, so searchsorted does not copy the token's keys to compare.
            wanted = (starts + j).astype(keys.dtype)
            at = np.searchsorted(keys, wanted)
            hit = at < len(keys)
            hit[hit] = keys[at[hit]] == wanted[hit]
            starts = starts[hit]
        rows = starts >> self.row_shift
        in_section = (starts & self.section_bit) != 0
        unique_rows, which = np.unique(rows, return_inverse=True)
        text_tf = np.bincount(which[~in_section], minlength=len(unique_rows)).astype(np.int32)
        section_tf = np.bincount(which[in_section], minlength=len(unique_rows)).astype(np.int32)
        return unique_rows.astype(np.int32), text_tf, section_tf

    def positions_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """Row positions of these passage ids (ids not indexed are dropped)."""
        at, found = sorted_ids.find(self.rowids, chunk_ids)
        return at[found]


def store_signature(db: sqlite3.Connection) -> str:
    """What changes whenever the full-text index's rows do: FTS5's totals record (rows and tokens),
    the passages' count and the sum and largest of their ids."""
    block = db.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    count, total, largest = db.execute("SELECT count(*), total(id), max(id) FROM chunks").fetchone()
    return f"{(block[0] if block else b'').hex()}:{count}:{int(total)}:{largest}"


def build(db: sqlite3.Connection, signature: str | None = None) -> Postings:
    """Read every posting of the store's FTS5 index into arrays (about 4 s for 27,000 passages; 134 s
    and 4.4 GB at its peak for a million).

    Each token's occurrence count comes from FTS5's `row` vocabulary, so the occurrences themselves
    (its `instance` vocabulary, in token order) are read as plain integers, in blocks, straight into
    arrays: no Python object per occurrence.

    Args:
        db: a connection to the index's chunks.sqlite (read only is enough).
        signature: the store's signature, when the caller has just read it.

    Returns:
        The postings, with the store's signature at the time they were read.

    Raises:
        LexicalIndexError: the full-text index disagrees with the passages table, or changed while read.
    """
    signature = signature or store_signature(db)
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_instances USING fts5vocab(main, chunks_fts, instance)")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_tokens USING fts5vocab(main, chunks_fts, row)")
    vocabulary = db.execute("SELECT term, cnt FROM temp.chunks_tokens").fetchall()
    terms = [term for term, _ in vocabulary]
    if terms != sorted(terms):  # FTS5 returns its tokens in order; the arrays' lookups rely on it
        raise LexicalIndexError("the full-text index's tokens did not come in order")
    per_term = np.asarray([count for _, count in vocabulary], dtype=np.int64)
    total = int(per_term.sum())
    # Every occurrence, in (token, passage, column, offset) order: 3.8 million at 27,000 passages,
    # 140 million at a million (the arrays are kept narrow and freed early).
    d = np.empty(total, dtype=np.int64)
    in_section = np.empty(total, dtype=bool)
    offsets = np.empty(total, dtype=np.int32)
    found = db.execute("SELECT doc, col = 'section', offset FROM temp.chunks_instances")
    at = 0
    while block := found.fetchmany(READ_BLOCK):
        values = np.asarray(block, dtype=np.int64)
        if at + len(values) > total:
            raise LexicalIndexError("the full-text index changed while it was read")
        d[at:at + len(values)], in_section[at:at + len(values)] = values[:, 0], values[:, 1].astype(bool)
        offsets[at:at + len(values)] = values[:, 2]
        at += len(values)
    if at != total:
        raise LexicalIndexError("the full-text index changed while it was read")
    # Every passage is a row, a passage without a token too (bm25's N and average size count it).
    passages = np.asarray(db.execute("SELECT id, doc_id FROM chunks ORDER BY id").fetchall(), dtype=np.int64)
    rowids, doc_ids = passages.reshape(-1, 2)[:, 0].copy(), passages.reshape(-1, 2)[:, 1].copy()
    position = np.empty(total, dtype=np.int32)
    for a in range(0, total, READ_BLOCK):  # in blocks: no second array of every occurrence's passage
        at_row = np.searchsorted(rowids, d[a:a + READ_BLOCK])
        if at_row.max() >= len(rowids) or not np.array_equal(rowids[at_row], d[a:a + READ_BLOCK]):
            raise LexicalIndexError("the full-text index holds rows the passages table lacks: rebuild the index")
        position[a:a + READ_BLOCK] = at_row
    del d
    # The offset field one bit wider than the longest passage needs (see the module docstring).
    offset_bits = int(offsets.max() + 1).bit_length() + 1 if len(offsets) else 1
    row_shift = offset_bits + 1
    if (max(1, len(rowids)) << row_shift) >= 1 << 63:
        raise LexicalIndexError("more passages, or longer ones, than the occurrence keys hold")
    key_type = np.uint32 if (max(1, len(rowids)) << row_shift) <= UINT32_KEYS_UP_TO else np.int64
    keys = position.astype(np.int64)
    keys <<= row_shift
    keys |= offsets
    keys[in_section] |= 1 << offset_bits
    del offsets
    t = np.repeat(np.arange(len(terms), dtype=np.int32), per_term)
    # Each token's keys ascending, as the phrase lookups need: FTS5 walks a token's occurrences by
    # passage, then column (text before section), then offset, so no sort is needed.
    new_term = t[1:] != t[:-1]
    if not np.all(new_term | (keys[1:] > keys[:-1])):
        raise LexicalIndexError("the full-text index's occurrences did not come in order")
    keys = keys.astype(key_type, copy=False)
    inst_starts = np.concatenate(([0], np.cumsum(per_term))).astype(np.int64)
    # One posting per (token, passage): its text and section counts side by side.
    new_pair = np.ones(total, dtype=bool)
    np.not_equal(position[1:], position[:-1], out=new_pair[1:])
    new_pair[1:] |= new_term
    del new_term
    first = np.flatnonzero(new_pair)
    section_tf = np.bincount(np.cumsum(new_pair, dtype=np.int32)[in_section] - 1, minlength=len(first))
    del new_pair
    text_tf = np.diff(first, append=total)  # occurrences of each (token, passage), then less the section's
    text_tf -= section_tf
    text_tf, section_tf = _smallest(text_tf), _smallest(section_tf)
    starts = np.searchsorted(t[first], np.arange(len(terms) + 1)).astype(np.int64)
    del t
    sizes = np.bincount(position, minlength=len(rowids)).astype(np.int64)
    return Postings(
        terms=np.asarray(terms, dtype=str), starts=starts, rows=position[first],
        text_tf=text_tf, section_tf=section_tf, rowids=rowids, doc_ids=doc_ids, sizes=sizes,
        inst_starts=inst_starts, inst_keys=keys, signature=signature, row_shift=row_shift,
    )


def _smallest(counts: np.ndarray) -> np.ndarray:
    """Counts in the smallest unsigned type that holds them (bm25 reads them as floats either way)."""
    return counts.astype(np.min_scalar_type(int(counts.max()) if len(counts) else 0))


def save(postings: Postings, index_dir: str | Path) -> None:
    """Write the postings to `index_dir`/lexical, whole: a new folder swapped in for the old one."""

    def fill(staging: Path) -> None:
        for name in FILES:
            np.save(staging / f"{name}.npy", getattr(postings, name), allow_pickle=False)
        meta = {"format": FORMAT_VERSION, "signature": postings.signature, "rows": postings.n_rows,
                "terms": int(len(postings.terms)), "postings": int(len(postings.rows)),
                "occurrences": int(len(postings.inst_keys)), "tokenizer": TOKENIZER,
                "row_shift": postings.row_shift}
        (staging / META_NAME).write_text(json.dumps(meta, indent=1))

    write_folder(index_dir, FOLDER, fill)


def saved_signature(index_dir: str | Path) -> str | None:
    """The store signature the saved postings were built from (None: none saved, or in another format)."""
    meta = read_meta(index_dir, FOLDER, _BUILT_AS)
    return None if meta is None else meta.get("signature")


def refresh(db: sqlite3.Connection, index_dir: str | Path) -> bool:
    """Build and save the postings if the saved ones are missing or no longer match the store.

    Returns:
        True when they were built now (not above MAX_PASSAGES passages: FTS5 then ranks alone).
    """
    signature = store_signature(db)
    if saved_signature(index_dir) == signature:
        return False
    passages = int(signature.split(":")[1])
    if passages > MAX_PASSAGES:
        log.info("%d passages: keyword ranking stays with SQLite FTS5 (the in-memory postings are built "
                 "up to %d)", passages, MAX_PASSAGES)
        shutil.rmtree(Path(index_dir) / FOLDER, ignore_errors=True)
        return False
    try:
        postings = build(db, signature)
    except LexicalIndexError as error:
        log.warning("keyword ranking stays with SQLite FTS5: %s", error)
        shutil.rmtree(Path(index_dir) / FOLDER, ignore_errors=True)
        return False
    save(postings, index_dir)
    return True


def load(index_dir: str | Path, signature: str | None = None) -> Postings | None:
    """The saved postings, memory-mapped; None when there are none, they are of another format, or
    (given the store's current `signature`) they no longer match the store."""
    folder = Path(index_dir) / FOLDER
    meta = read_meta(index_dir, FOLDER, _BUILT_AS)
    if meta is None or (signature is not None and meta.get("signature") != signature):
        return None
    if not isinstance(meta.get("row_shift"), int):
        return None
    try:
        arrays = map_arrays(folder, FILES)
    except (OSError, ValueError):
        return None
    return Postings(signature=meta["signature"], row_shift=meta["row_shift"], **arrays)


class Tokenizer:
    """FTS5's own tokens for a phrase (the store's tokenizer, in a private in-memory table), remembered."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE one USING fts5(x, tokenize='{TOKENIZER}')")
        self._db.execute("CREATE VIRTUAL TABLE one_tokens USING fts5vocab(one, instance)")
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, ...]] = {}

    def tokens(self, phrase: str) -> tuple[str, ...]:
        """The phrase's tokens, in order, as FTS5 indexes and queries them."""
        found = self._known.get(phrase)
        if found is None:
            self.learn([phrase])
            found = self._known[phrase]
        return found

    def learn(self, phrases: Sequence[str]) -> None:
        """Tokenise the phrases not yet known, all in one pass through the table (a question's new
        words cost one insert and one read, not three statements each)."""
        new = [p for p in dict.fromkeys(phrases) if p not in self._known]
        if not new:
            return
        with self._lock:
            self._db.executemany("INSERT INTO one(rowid, x) VALUES (?, ?)", enumerate(new, start=1))
            tokens: list[list[str]] = [[] for _ in new]
            for term, row in self._db.execute("SELECT term, doc FROM one_tokens ORDER BY doc, offset"):
                tokens[row - 1].append(term)
            self._db.execute("DELETE FROM one")
        if len(self._known) > 100_000:
            self._known.clear()
        self._known.update(zip(new, map(tuple, tokens), strict=True))


class LexicalScorer:
    """FTS5's bm25 ranking of a MATCH expression, from the postings in memory.

    Args:
        postings: the arrays (module `load`/`build`).
        column_weights: the text and section columns' weights, as passed to FTS5's bm25().
    """

    def __init__(self, postings: Postings,
                 column_weights: tuple[float, float] = (TEXT_WEIGHT, SECTION_WEIGHT)) -> None:
        self.postings = postings
        self.column_weights = column_weights
        self.tokenizer = Tokenizer()
        self._phrases: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._kept: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # keep_phrases: never forgotten
        self._last_allowed: tuple[np.ndarray, np.ndarray] | None = None  # (read-only passage ids, row mask)
        # Rows holding all of some phrases: a conjunction is counted, searched, then extended by feedback.
        self._holding: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._sums: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._size_norm: np.ndarray | None = None

    @staticmethod
    def handles(match: str) -> bool:
        """True for what this scores (quoted phrases joined by OR and AND); anything else is FTS5's."""
        return bool(_EXPRESSION.fullmatch(match))

    def search(self, match: str, limit: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """[(chunk id, bm25 score, higher better)] best first, as store.lexical_search returns them.

        Args:
            match: quoted phrases joined by OR and AND, AND first (`"a" AND "b c" OR "d"`; see `handles`).
            limit: how many at most.
            allowed: the passage ids that may be returned (None: all).

        Raises:
            ValueError: an expression this does not handle.
        """
        scores, matched = self._matching(match)
        if allowed is not None:
            matched = matched & self._rows_allowed(allowed)  # not in place: `matched` may be remembered
        candidates = np.flatnonzero(matched)
        if len(candidates) > limit:
            # Ties at the cut all stay in until the exact sort below.
            cut = -np.partition(-scores[candidates], limit - 1)[limit - 1]
            candidates = candidates[scores[candidates] >= cut]
        # Best first; equal scores in rowid order, as FTS5 returns them.
        order = np.lexsort((candidates, -scores[candidates]))[:limit]
        best = candidates[order]
        ids = self.postings.rowids[best]
        return [(int(i), float(s)) for i, s in zip(ids, scores[best], strict=True)]

    def _rows_allowed(self, allowed: np.ndarray) -> np.ndarray:
        """A row mask of these passage ids. A question's lists all pass the same read-only array (the
        corpus view remembers a filter's passages), so its mask is made once, not once per list (a
        year range is some 300,000 ids to look up at a million passages)."""
        with self._lock:
            last = self._last_allowed
        if last is not None and last[0] is allowed:
            return last[1]
        keep = np.zeros(self.postings.n_rows, dtype=bool)
        keep[self.postings.positions_of(allowed)] = True
        if not allowed.flags.writeable:  # nobody can change it while it is remembered
            keep.flags.writeable = False
            with self._lock:
                self._last_allowed = (allowed, keep)
        return keep

    def count(self, match: str) -> int:
        """Passages the expression finds, as FTS5's count(*) of the MATCH (see `handles`); a conjunction
        is counted without scoring it.

        Raises:
            ValueError: an expression this does not handle.
        """
        groups = self._groups(match)
        if all(len(group) == 1 for group in groups):
            return int(np.count_nonzero(self.scores([group[0] for group in groups]) > 0))
        # A phrase alone matches where it occurs, which is where it scores (every weight is positive).
        found = np.logical_or.reduce([self._holding_all(group) for group in groups])
        return int(np.count_nonzero(found))

    @staticmethod
    def _groups(match: str) -> list[list[str]]:
        """The expression's phrases as a disjunction of conjunctions (AND binds before OR, as in FTS5)."""
        if not LexicalScorer.handles(match):
            raise ValueError(f"not quoted phrases joined by OR and AND: {match!r}")
        groups: list[list[str]] = [[]]
        for found in _PHRASE_THEN.finditer(match):
            groups[-1].append(found.group(1))
            if found.group(2) == "OR":
                groups.append([])
        return groups

    def _matching(self, match: str) -> tuple[np.ndarray, np.ndarray]:
        """(every row's bm25 score, the rows the expression finds)."""
        groups = self._groups(match)
        if all(len(group) == 1 for group in groups):
            scores = self.scores([group[0] for group in groups])
            return scores, scores > 0
        if len(groups) == 1:
            return self.scores(groups[0]), self._holding_all(groups[0])
        # Both: bm25 sums over the phrases of the parts that match the row (FTS5 gives the phrases of
        # an AND that fails in a row no instances there), in the expression's order. A leading AND
        # (a feedback list extends a conjunction) starts from its remembered sum where it holds: the
        # same additions in the same order, so the same bits.
        holds = [self._holding_all(group) if len(group) > 1 else None for group in groups]
        first = 0
        if holds[0] is not None:
            total = np.where(holds[0], self.scores(groups[0]), 0.0)
            first = 1
        else:
            total = np.zeros(self.postings.n_rows, dtype=np.float64)
        rest = groups[first:]
        self._add(total, [p for group in rest for p in group],
                  [mask for group, mask in zip(rest, holds[first:], strict=True) for _ in group])
        matched = total > 0
        for mask in holds:
            if mask is not None:
                matched |= mask
        return total, matched

    def _holding_all(self, phrases: Sequence[str]) -> np.ndarray:
        """Rows where every phrase occurs (read-only, remembered); none when a phrase has no token, as
        FTS5 finds none."""
        key = tuple(dict.fromkeys(phrases))
        with self._lock:
            found = self._holding.get(key)
            if found is not None:
                self._holding.move_to_end(key)
                return found
        found = self._rows_holding(list(key))
        found.flags.writeable = False
        with self._lock:
            self._holding[key] = found
            if len(self._holding) > SUMS_KEPT:
                self._holding.popitem(last=False)
        return found

    def _rows_holding(self, distinct: list[str]) -> np.ndarray:
        """A row mask of where every one of these distinct phrases occurs."""
        self.tokenizer.learn(distinct)
        hits = np.zeros(self.postings.n_rows, dtype=np.int32)
        for phrase in distinct:
            rows = self._rows_with(phrase)
            if not len(rows):
                return np.zeros(self.postings.n_rows, dtype=bool)
            hits[rows] += 1
        return hits == len(distinct)

    def passages_with(self, phrase: str) -> int:
        """Passages an FTS5 query for this quoted phrase finds."""
        return len(self._rows_with(phrase))

    def token_passages(self, token: str) -> int:
        """Passages holding an indexed token (a Porter stem, as FTS5 stores it); 0 if none."""
        i = self.postings.term_index(token)
        return 0 if i is None else int(self.postings.starts[i + 1] - self.postings.starts[i])

    def scores(self, phrases: Sequence[str]) -> np.ndarray:
        """Every row's bm25 score for the disjunction of these phrases (0: matches none), read-only.

        The sum runs phrase by phrase in the given order; when the longest remembered disjunction is a
        prefix of these phrases, the sum starts from its array (the same additions in the same order:
        the same bits) and adds only the rest.
        """
        phrases = tuple(phrases)
        with self._lock:
            if phrases in self._sums:  # the same words again (the same question, another filter)
                self._sums.move_to_end(phrases)
                return self._sums[phrases]
            known = max((k for k in self._sums if k == phrases[:len(k)]), key=len, default=())
            total = self._sums[known].copy() if known else None
        if total is None:
            total = np.zeros(self.postings.n_rows, dtype=np.float64)
        self._add(total, phrases[len(known):])
        total.flags.writeable = False  # remembered as it is returned: nobody may change it
        with self._lock:
            self._sums[phrases] = total
            self._sums.move_to_end(phrases)
            if len(self._sums) > SUMS_KEPT:
                self._sums.popitem(last=False)
        return total

    def _add(self, total: np.ndarray, phrases: Sequence[str], only: Sequence[np.ndarray | None] = ()) -> None:
        """Add each phrase's bm25 contribution to `total`, phrase by phrase in order (as FTS5 sums);
        with `only`, each phrase's to the rows its mask holds (None: all rows)."""
        self.tokenizer.learn(phrases)
        for phrase, mask in zip(phrases, only or [None] * len(phrases), strict=True):
            rows, values = self._contribution(phrase)
            if mask is not None:
                kept = mask[rows]
                rows, values = rows[kept], values[kept]
            total[rows] += values

    def _rows_with(self, phrase: str) -> np.ndarray:
        """Row positions where a phrase occurs (none when it has no token), without scoring a single token."""
        tokens = self.tokenizer.tokens(phrase)
        if len(tokens) > 1:
            return self._phrase(phrase)[0]
        found = self.postings.postings_of(tokens[0]) if tokens else None
        return found[0] if found is not None else np.zeros(0, dtype=np.int32)

    def _contribution(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, bm25 contribution there) of one phrase; empty when it has no token."""
        tokens = self.tokenizer.tokens(phrase)
        if len(tokens) == 1:
            found = self.postings.postings_of(tokens[0])
            if found is not None:
                rows, text_tf, section_tf = found
                return rows, self._term_scores(rows, text_tf, section_tf)
        elif tokens:
            return self._phrase(phrase)
        return np.zeros(0, dtype=np.int32), np.zeros(0)

    def _term_scores(self, rows: np.ndarray, text_tf: np.ndarray, section_tf: np.ndarray) -> np.ndarray:
        """bm25's contribution of one token to each of its rows, computed as FTS5 computes it."""
        n, hits = self.postings.n_rows, len(rows)
        idf = np.log((n - hits + 0.5) / (hits + 0.5))
        if idf <= 0.0:
            idf = IDF_FLOOR
        text_weight, section_weight = self.column_weights
        frequency = text_tf * text_weight + section_tf * section_weight
        return idf * ((frequency * (K1 + 1.0)) / (frequency + K1 * self._norm()[rows]))

    def _norm(self) -> np.ndarray:
        """Per row: 1 - b + b * |D| / avgdl (bm25's length normalisation), computed once."""
        if self._size_norm is None:
            p = self.postings
            self._size_norm = 1 - B + B * np.asarray(p.sizes, dtype=np.float64) / p.average_size
        return self._size_norm

    def keep_phrases(self, phrases: Sequence[str]) -> None:
        """Score these phrases now and keep them for the scorer's life, beyond the PHRASES_KEPT that
        questions' phrases share: a server's known vocabulary (the concepts' terms), whose longer
        phrases of everyday words cost tens of milliseconds each at a million passages."""
        self.tokenizer.learn(phrases)
        for phrase in dict.fromkeys(phrases):
            if len(self.tokenizer.tokens(phrase)) > 1 and phrase not in self._kept:
                found = self._phrase(phrase)
                with self._lock:
                    self._kept[phrase] = found

    def _phrase(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, scores) of a phrase of several words, as FTS5's bm25 scores it, remembered."""
        kept = self._kept.get(phrase)
        if kept is not None:
            return kept
        with self._lock:
            found = self._phrases.get(phrase)
            if found is not None:
                self._phrases.move_to_end(phrase)
                return found
        rows, text_tf, section_tf = self.postings.phrase_postings(self.tokenizer.tokens(phrase))
        found = (rows, self._term_scores(rows, text_tf, section_tf) if len(rows) else np.zeros(0))
        with self._lock:
            self._phrases[phrase] = found
            if len(self._phrases) > PHRASES_KEPT:
                self._phrases.popitem(last=False)
        return found
