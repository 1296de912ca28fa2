"""The question sets (eval/questions.jsonl and eval/everyday.jsonl for development, eval/blind.jsonl blind)
and the gold-matching
rules (eval/matching.py). These tests check the sets' format and that every gold quote is on its page;
they never print a test question's text unless its gold is broken."""

from __future__ import annotations

import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from eval.matching import (
    FILTER_KEYS,
    KINDS,
    MAX_GOLD,
    MAX_QUOTE_WORDS,
    MIN_GOLD,
    MIN_QUOTE_WORDS,
    is_hit,
    is_page_hit,
    letters_digits,
    load_questions,
    normalise,
    quote_in_text,
)

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
QUESTIONS = EVAL_DIR / "questions.jsonl"
EVERYDAY = EVAL_DIR / "everyday.jsonl"  # the first blind set, read for issues 18 and 21, now development
BLIND_SET = EVAL_DIR / "blind.jsonl"
SETS = [QUESTIONS, EVERYDAY, BLIND_SET]
CSE_QUESTION = "what did inspectors say about CSE screening?"
CSE_FILE = "worcestershire_2017-01-24.pdf"


@pytest.fixture(scope="module", params=SETS, ids=lambda p: p.name)
def question_file(request) -> Path:
    return request.param


@pytest.fixture(scope="module")
def questions(question_file: Path) -> list[dict]:
    return load_questions(question_file)


@pytest.fixture(scope="module")
def dev_questions() -> list[dict]:
    return load_questions(QUESTIONS) + load_questions(EVERYDAY)


# --- the question set: format ---------------------------------------------------------------------------


def test_every_line_parses_as_json(question_file: Path) -> None:
    lines = [line for line in question_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        assert isinstance(json.loads(line), dict), f"line {number} is not a JSON object"


def test_ids_are_unique(questions: list[dict]) -> None:
    counts = Counter(q["id"] for q in questions)
    assert [i for i, n in counts.items() if n > 1] == []


def test_at_least_100_questions(questions: list[dict]) -> None:
    assert len(questions) >= 100


def test_the_blind_set_has_200_questions_over_40_reports() -> None:
    blind = load_questions(BLIND_SET)
    assert len(blind) >= 200
    assert len({g["file"] for q in blind for g in q["gold"]}) >= 40


def test_the_blind_set_is_half_topic_questions_each_with_an_intent() -> None:
    """Counts and keys only: a test never shows a blind question."""
    blind = load_questions(BLIND_SET)
    assert sum(q["kind"] == "topic" for q in blind) >= len(blind) / 2
    assert all(isinstance(q.get("intent"), str) and q["intent"].strip() for q in blind)


def test_no_blind_report_is_gold_for_a_dev_question(dev_questions: list[dict]) -> None:
    """The blind set was written over reports drawn at random from those no dev question uses."""
    dev_files = {g["file"] for q in dev_questions for g in q["gold"]}
    blind_files = {g["file"] for q in load_questions(BLIND_SET) for g in q["gold"]}
    assert not dev_files & blind_files


def test_kinds_are_allowed_and_all_present(questions: list[dict]) -> None:
    kinds = {q["kind"] for q in questions}
    assert kinds <= KINDS
    assert kinds == KINDS


def test_gold_counts_and_quote_lengths(questions: list[dict]) -> None:
    problems = []
    for q in questions:
        if not MIN_GOLD <= len(q["gold"]) <= MAX_GOLD:
            problems.append(f"{q['id']}: {len(q['gold'])} gold items")
        for gold in q["gold"]:
            words = len(gold["quote"].split())
            if not MIN_QUOTE_WORDS <= words <= MAX_QUOTE_WORDS:
                problems.append(f"{q['id']}: quote of {words} words: {gold['quote']!r}")
            if not isinstance(gold["page"], int) or gold["page"] < 1:
                problems.append(f"{q['id']}: bad page {gold['page']!r}")
    assert problems == []


def test_filter_keys_are_allowed(questions: list[dict]) -> None:
    for q in questions:
        assert set(q.get("filters", {})) <= FILTER_KEYS, q["id"]


def test_questions_are_not_duplicated(questions: list[dict]) -> None:
    counts = Counter(q["question"].strip().lower() for q in questions)
    assert [text for text, n in counts.items() if n > 1] == []


def test_the_cse_screening_question_is_present(dev_questions: list[dict]) -> None:
    matches = [q for q in dev_questions if q["question"] == CSE_QUESTION]
    assert len(matches) == 1
    assert any(gold["file"] == CSE_FILE for gold in matches[0]["gold"])


# --- the question set: against the real corpus ------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_pages(questions: list[dict], reports_dir: Path) -> dict[str, list[str]]:
    """The extracted pages of every gold file, read with the ingest reader (in parallel: pypdf is slow)."""
    from ingest.pdf import read_pages

    files = sorted({g["file"] for q in questions for g in q["gold"] if (reports_dir / g["file"]).is_file()})
    with ProcessPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        pages = pool.map(read_pages, [reports_dir / name for name in files])
        return dict(zip(files, pages, strict=True))


def _manifest_years(row: dict[str, str]) -> set[int]:
    """A report matches a year filter when it was published, or inspected, in that year."""
    years = {int(row["published"][:4])}
    for key in ("inspection_start", "inspection_end"):
        value = row.get(key, "")
        if len(value) >= 4 and value[-4:].isdigit():  # dd/mm/yyyy
            years.add(int(value[-4:]))
    return years


@pytest.mark.corpus
def test_gold_files_exist(questions: list[dict], reports_dir: Path, manifest_rows: list[dict]) -> None:
    in_manifest = {row["file"] for row in manifest_rows}
    missing = sorted(
        {g["file"] for q in questions for g in q["gold"] if g["file"] not in in_manifest
         or not (reports_dir / g["file"]).is_file()}
    )
    assert missing == []


@pytest.mark.corpus
def test_every_gold_quote_is_on_its_page(questions: list[dict], gold_pages: dict[str, list[str]]) -> None:
    not_found = []
    for q in questions:
        for gold in q["gold"]:
            pages = gold_pages.get(gold["file"], [])
            page = gold["page"]
            if not 1 <= page <= len(pages) or not quote_in_text(gold["quote"], pages[page - 1]):
                not_found.append(f"{q['id']} {gold['file']} p{page}: {gold['quote']!r}")
    assert not_found == [], "gold quotes not found on their pages:\n" + "\n".join(not_found)


@pytest.mark.corpus
def test_filters_agree_with_gold_files(questions: list[dict], manifest_rows: list[dict]) -> None:
    rows = {row["file"]: row for row in manifest_rows}
    problems = []
    for q in questions:
        filters = q.get("filters", {})
        for gold in q["gold"]:
            row = rows.get(gold["file"])
            if row is None:
                problems.append(f"{q['id']}: {gold['file']} is not in the manifest")
                continue
            authority = filters.get("local_authority")
            if authority is not None and authority != row["local_authority"]:
                problems.append(f"{q['id']}: {gold['file']} is {row['local_authority']!r}, not {authority!r}")
            year = filters.get("year")
            if year is not None and year not in _manifest_years(row):
                problems.append(f"{q['id']}: {gold['file']} was not published or inspected in {year}")
    assert problems == []


@pytest.mark.corpus
def test_change_and_compare_questions_span_reports(questions: list[dict]) -> None:
    """Comparisons draw gold from at least two reports: two authorities, or one authority's reports
    of two years (change over time)."""
    for q in questions:
        if q["kind"] == "compare":
            assert len({g["file"] for g in q["gold"]}) >= 2, q["id"]


# --- matching.py ---------------------------------------------------------------------------------------------


def test_normalise_unifies_curly_quotes() -> None:
    assert normalise("children‘s ’views’ ‚a‛ “voice” „x”") == "children's 'views' 'a' \"voice\" \"x\""
    assert quote_in_text("the children's views", "The children’s views were heard")
    assert quote_in_text('the "front door"', "at the “front door” team")


def test_normalise_unifies_dashes() -> None:
    assert normalise("2013–14 a—b c‐d e‑f g‒h i―j") == "2013-14 a-b c-d e-f g-h i-j"
    assert quote_in_text("from 2013-14 to 2014-15", "from 2013–14 to 2014–15")


def test_normalise_joins_words_hyphenated_at_a_line_end() -> None:
    assert normalise("weak manage-\nment oversight") == "weak management oversight"
    assert normalise("manage- \n  ment") == "management"
    assert quote_in_text("management oversight", "The manage-\nment oversight is weak")


def test_normalise_keeps_hyphens_inside_a_line() -> None:
    assert normalise("multi-agency long-term") == "multi-agency long-term"


def test_normalise_collapses_whitespace_and_lowercases() -> None:
    assert normalise("  Social   Workers\n\tare\r\nBUSY ") == "social workers are busy"
    assert quote_in_text("social workers are busy", "Social\nworkers  are\n busy.")


def test_letters_digits() -> None:
    assert letters_digits("Multi-agency, 16- and 17-year-olds!") == "multiagency16and17yearolds"
    assert letters_digits("") == ""


def test_quote_in_text_falls_back_to_letters_and_digits() -> None:
    # A compound split over a line ("multi-\nagency") normalises to "multiagency"; the fallback still matches.
    assert quote_in_text("well-coordinated multi-agency work", "well-coordinated multi-\nagency work")
    # Odd punctuation and spacing from extraction.
    assert quote_in_text("children's homes (unregistered)", "children ’ s homes ( unregistered )")
    assert not quote_in_text("care leavers are safe", "care leavers are not safe")
    assert not quote_in_text("...", "anything at all")


def test_is_hit_needs_the_same_file_and_the_quote() -> None:
    gold = {"file": "a_2017-01-24.pdf", "page": 3, "quote": "social workers are not always using the tools"}
    text = "Social workers are not always\nusing the tools, and children wait."
    assert is_hit("a_2017-01-24.pdf", text, gold)
    assert not is_hit("b_2017-01-24.pdf", text, gold)
    assert not is_hit("a_2017-01-24.pdf", "Social workers use the tools.", gold)


def test_is_page_hit() -> None:
    gold = {"file": "a.pdf", "page": 5, "quote": "x " * 6}
    assert is_page_hit("a.pdf", 5, 5, gold)
    assert is_page_hit("a.pdf", 4, 6, gold)
    assert not is_page_hit("a.pdf", 6, 8, gold)
    assert not is_page_hit("b.pdf", 1, 10, gold)


def _write(tmp_path: Path, *items: object) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in items) + "\n", encoding="utf-8")
    return path


def _good(qid: str = "q1", **changes: object) -> dict:
    item = {
        "id": qid,
        "question": "what about care leavers?",
        "kind": "authority",
        "filters": {"local_authority": "worcestershire", "year": 2017},
        "gold": [{"file": "w.pdf", "page": 2, "quote": "one two three four five six"}],
    }
    item.update(changes)
    return item


def test_load_questions_accepts_a_valid_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _good("q1"), "", _good("q2", filters={}))
    assert [q["id"] for q in load_questions(path)] == ["q1", "q2"]


def test_load_questions_ignores_extra_keys(tmp_path: Path) -> None:
    gold = [{"file": "w.pdf", "page": 2, "quote": "one two three four five six", "notes": "p. 2, para 4"}]
    path = _write(tmp_path, _good("q1", source="press", notes="written from the summary", gold=gold))
    assert load_questions(path)[0]["source"] == "press"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (_good(kind=""), "kind"),
        (_good(kind=3), "kind"),
        (_good(gold=[]), "gold"),
        (_good(filters={"region": "x"}), "filter"),
        (_good(filters={"year": "2017"}), "year"),
        (_good(filters={"report_type": "sif2"}), "report_type"),
        (_good(gold=[{"file": "w.pdf", "page": 2, "quote": "too short"}]), "words"),
        (_good(gold=[{"file": "w.pdf", "page": 0, "quote": "one two three four five six"}]), "page"),
        ({"id": "q9", "question": "x"}, "missing"),
    ],
)
def test_load_questions_names_the_line_and_problem(tmp_path: Path, bad: object, message: str) -> None:
    path = _write(tmp_path, _good("q0"), bad)
    with pytest.raises(ValueError, match=message) as error:
        load_questions(path)
    assert ":2:" in str(error.value)


def test_a_kind_of_its_own_is_read_as_it_is(tmp_path: Path) -> None:
    assert load_questions(_write(tmp_path, _good(kind="opinion")))[0]["kind"] == "opinion"


def test_load_questions_rejects_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate id"):
        load_questions(_write(tmp_path, _good("q1"), _good("q1")))
