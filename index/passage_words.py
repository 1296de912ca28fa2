"""Each passage's stemmed words, sentence by sentence, read once when the index is written.

The learned ranking stage (index/rank_features.py) looks for the question's terms sentence by sentence
in about 50 candidates a question. Splitting, lower-casing and stemming a passage it has not seen
before costs 60-90 us, so a question whose candidates are new spent about 3 ms of its ~20 there.
Here every passage's stems are stored as ids into one vocabulary, with where each sentence ends, in
numpy arrays memory-mapped from the index folder and written beside the lexical postings whenever the
passages change. A candidate's sentences are then a slice and a list lookup, and the strings are the
vocabulary's own, shared by every passage.

`sentence_words` is the one definition of a passage's sentence words: the stage reads them from here
when the index has them up to date and computes them with it otherwise, so the two ways agree by
construction. The saved files record the patterns and stemming rules that define it, and are not used
once those change.

Files (in the index folder's `passage_words/`, written whole and swapped in atomically):
    vocabulary.txt  the distinct stems, one a line; a stem's id is its line number
    rowids.npy      the passages' ids, ascending
    starts.npy      where each passage's stems start in word_ids (one more than rowids)
    word_ids.npy    every passage's stems in order, as vocabulary ids (uint16 while they fit)
    sentences.npy   where each passage's sentence ends start in sentence_ends (one more than rowids)
    sentence_ends.npy  per sentence: its end, counted in stems from its passage's start
    meta.json       the store's signature when built (stale files are never used), the patterns
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import lexical, sorted_ids
from index.atomic_folder import META_NAME, map_arrays, read_meta, write_folder
from index.highlight import SENTENCE_END, sentence_spans
from index.tokenize import STEM_SUFFIXES, WORD, stems

FOLDER = "passage_words"
FORMAT_VERSION = 1
# A larger index keeps computing them per candidate (the arrays grow with every word of the corpus).
MAX_PASSAGES = lexical.MAX_PASSAGES
FILES = ("rowids", "starts", "word_ids", "sentences", "sentence_ends")

# What defines the words: saved files made under other patterns or stemming rules are not used.
DEFINITION = f"{WORD.pattern}\n{SENTENCE_END.pattern}\n{STEM_SUFFIXES}"

Sentences = tuple[tuple[str, ...], ...]


def sentence_words(text: str) -> Sentences:
    """The passage's stemmed words (index.tokenize.stems), sentence by sentence (index.highlight's
    sentences); a sentence without a word is an empty tuple."""
    lowered = text.lower().replace("\u2019", "'")
    return tuple(tuple(stems(WORD.findall(lowered, a, b))) for a, b in sentence_spans(text))


@dataclass(frozen=True)
class PassageWords:
    """Every passage's stemmed words by sentence (see the module docstring for the arrays)."""

    vocabulary: list[str]
    rowids: np.ndarray
    starts: np.ndarray
    word_ids: np.ndarray
    sentences: np.ndarray
    sentence_ends: np.ndarray
    signature: str

    def of(self, chunk_id: int) -> Sentences | None:
        """The passage's sentences as sentence_words gives them; None for a passage not held."""
        return self.of_many([chunk_id]).get(chunk_id)

    def of_many(self, chunk_ids: Sequence[int]) -> dict[int, Sentences]:
        """{chunk id: its sentences as sentence_words gives them} for those of the ids held."""
        if not len(chunk_ids) or not len(self.rowids):
            return {}
        rows, found = sorted_ids.find(self.rowids, chunk_ids)
        held = found.tolist()
        # One gather per array for all the passages: the loop below only cuts Python lists.
        word_bounds = zip(self.starts[rows].tolist(), self.starts[rows + 1].tolist(), strict=True)
        sentence_bounds = zip(self.sentences[rows].tolist(), self.sentences[rows + 1].tolist(), strict=True)
        vocabulary, word_ids, sentence_ends = self.vocabulary, self.word_ids, self.sentence_ends
        out: dict[int, Sentences] = {}
        ids = np.asarray(chunk_ids, dtype=np.int64).tolist()
        for chunk_id, is_held, (a, b), (c, d) in zip(ids, held, word_bounds, sentence_bounds, strict=True):
            if not is_held:
                continue
            tokens = [vocabulary[i] for i in word_ids[a:b].tolist()]
            sentences, start = [], 0
            for end in sentence_ends[c:d].tolist():
                sentences.append(tuple(tokens[start:end]))
                start = end
            out[chunk_id] = tuple(sentences)
        return out


def build(db: sqlite3.Connection, signature: str | None = None) -> PassageWords:
    """Read every passage of the store and split it (about 2 s for 27,000 passages).

    Args:
        db: a connection to the index's chunks.sqlite (read only is enough).
        signature: the store's signature (lexical.store_signature), when the caller has just read it.

    Returns:
        The passages' words, with the store's signature at the time they were read.
    """
    signature = signature or lexical.store_signature(db)
    vocabulary: dict[str, int] = {}
    # Typed arrays, not lists: a million passages hold some 140 million words (0.6 GB as 4-byte ids).
    rowids, word_ids = array("q"), array("I")
    starts, sentences, sentence_ends = array("q", [0]), array("q", [0]), array("i")
    for chunk_id, text in db.execute("SELECT id, text FROM chunks ORDER BY id"):
        rowids.append(chunk_id)
        length = 0
        for sentence in sentence_words(text):
            word_ids.extend(vocabulary.setdefault(w, len(vocabulary)) for w in sentence)
            length += len(sentence)
            sentence_ends.append(length)
        starts.append(len(word_ids))
        sentences.append(len(sentence_ends))
    id_type = np.uint16 if len(vocabulary) <= np.iinfo(np.uint16).max + 1 else np.uint32
    return PassageWords(
        vocabulary=list(vocabulary), rowids=np.frombuffer(rowids, dtype=np.int64).copy(),
        starts=np.frombuffer(starts, dtype=np.int64).copy(),
        word_ids=np.frombuffer(word_ids, dtype=np.uint32).astype(id_type),
        sentences=np.frombuffer(sentences, dtype=np.int64).copy(),
        sentence_ends=np.frombuffer(sentence_ends, dtype=np.int32).copy(),
        signature=signature,
    )


def save(words: PassageWords, index_dir: str | Path) -> None:
    """Write the passages' words to `index_dir`/passage_words, whole: a new folder swapped in."""

    def fill(staging: Path) -> None:
        for name in FILES:
            np.save(staging / f"{name}.npy", getattr(words, name), allow_pickle=False)
        (staging / "vocabulary.txt").write_text("\n".join(words.vocabulary), encoding="utf-8")
        meta = {"format": FORMAT_VERSION, "signature": words.signature, "definition": DEFINITION,
                "passages": int(len(words.rowids)), "words": int(len(words.word_ids)),
                "vocabulary": len(words.vocabulary)}
        (staging / META_NAME).write_text(json.dumps(meta, indent=1))

    write_folder(index_dir, FOLDER, fill)


def _meta(index_dir: str | Path) -> dict | None:
    return read_meta(index_dir, FOLDER, {"format": FORMAT_VERSION, "definition": DEFINITION})


def refresh(db: sqlite3.Connection, index_dir: str | Path) -> bool:
    """Build and save the passages' words if the saved ones are missing or no longer match the store.

    Returns:
        True when they were built now (not above MAX_PASSAGES passages).
    """
    signature = lexical.store_signature(db)
    meta = _meta(index_dir)
    if meta is not None and meta.get("signature") == signature:
        return False
    if int(signature.split(":")[1]) > MAX_PASSAGES:
        shutil.rmtree(Path(index_dir) / FOLDER, ignore_errors=True)
        return False
    save(build(db, signature), index_dir)
    return True


def load(index_dir: str | Path, signature: str | None = None) -> PassageWords | None:
    """The saved words, memory-mapped; None when there are none, they are of another format or
    definition, or (given the store's current `signature`) they no longer match the store."""
    folder = Path(index_dir) / FOLDER
    meta = _meta(index_dir)
    if meta is None or (signature is not None and meta.get("signature") != signature):
        return None
    try:
        arrays = map_arrays(folder, FILES)
        text = (folder / "vocabulary.txt").read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    return PassageWords(vocabulary=text.split("\n") if text else [], signature=meta["signature"], **arrays)
