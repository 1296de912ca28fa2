"""The CLI end to end on PDFs the tests generate, with the deterministic fake embedder."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pdfgen import (
    make_encrypted_pdf,
    make_image_only_pdf,
    make_pdf,
    nameless_report_pages,
    sample_report_pages,
)

REPO = Path(__file__).resolve().parents[2]
QUOTE = "Return home interviews are offered to most children after they go missing"  # page 3


def run(*args: str, index: Path, check: bool = True, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, OFSTED_QA_EMBEDDER="fake", OFSTED_QA_INDEX=str(index), PYTHONPATH=str(REPO))
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


@pytest.fixture
def reports(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    make_pdf(folder / "avonshire_2019.pdf", sample_report_pages("Avonshire", 2019))
    make_pdf(folder / "stoke_2021.pdf", sample_report_pages("Stoke-on-Trent", 2021))
    return folder


def test_ingest_ask_stats_remove(tmp_path, reports):
    index = tmp_path / "ix"
    out = run("ingest", str(reports), index=index).stdout
    assert "added 2, unchanged 0" in out
    out = run("ingest", str(reports), index=index).stdout
    assert "added 0, unchanged 2" in out

    out = run("ask", "what did inspectors say about CSE screening?", "-k", "2", index=index).stdout
    assert "sexual exploitation" in out.lower() and "p. 2" in out and "para" in out

    data = json.loads(run("ask", "return home interviews", "--authority", "STOKE ON TRENT", "--json",
                          index=index).stdout)
    assert data["results"] and {r["citation"]["local_authority"] for r in data["results"]} == {"Stoke-on-Trent"}
    assert data["results"][0]["link"].endswith(f"#page={data['results'][0]['citation']['page_start']}")

    out = run("ask", "return home interviews in Stoke-on-Trent", index=index).stdout
    # The question's own words narrowed it, said first with the option that undoes it; the sentence
    # after says the same with what the concepts and the thesaurus added to the search.
    assert out.startswith("what the question's words did:\n  narrowed: only Stoke-on-Trent (--ignore-reading authority")
    assert "(question read as: only Stoke-on-Trent" in out
    data = json.loads(run("ask", "return home interviews in Stoke-on-Trent", "--json", index=index).stdout)
    assert data["interpretation"].split("; ")[0] == "only Stoke-on-Trent"

    data = json.loads(run("ask", "care leavers", "--year", "2019", "--json", index=index).stdout)
    assert {r["citation"]["local_authority"] for r in data["results"]} == {"Avonshire"}

    stats = json.loads(run("stats", "--json", index=index).stdout)
    assert stats["documents"] == 2 and stats["chunks"] == stats["vectors"] > 0

    run("remove", "stoke_2021.pdf", index=index)
    assert json.loads(run("stats", "--json", index=index).stdout)["documents"] == 1
    assert run("remove", "nothing.pdf", index=index, check=False).returncode == 1


def test_judgement_latest_and_contrast(tmp_path, reports):
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    # Both sample reports are good for children in care and care leavers, requires improvement for help
    # and protection.
    data = json.loads(run("ask", "care leavers", "--judgement", "help_and_protection=requires improvement",
                          "--latest", "--json", index=index).stdout)
    assert {r["citation"]["local_authority"] for r in data["results"]} == {"Avonshire", "Stoke-on-Trent"}
    data = json.loads(run("ask", "care leavers", "--judgement", "care_leavers=inadequate", "--json",
                          index=index).stdout)
    assert data["results"] == []
    data = json.loads(run("ask", "how are care leavers supported?", "--contrast", "--json", index=index).stdout)
    assert data["judgement"] == "care_leavers"
    assert data["good"]["results"] and data["poor"]["results"] == []
    out = run("ask", "how are care leavers supported?", "--contrast", index=index).stdout
    assert "== reports graded good or outstanding for care leavers" in out
    assert "== reports graded requires improvement or inadequate for care leavers" in out


def test_changed_file_is_replaced_and_duplicate_is_indexed_once(tmp_path, reports):
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    before = json.loads(run("stats", "--json", index=index).stdout)
    pages = sample_report_pages("Avonshire", 2019)
    pages[2] += "6. Leaders added a new fostering recruitment campaign this year.\n"
    make_pdf(reports / "avonshire_2019.pdf", pages)
    (reports / "copy_of_stoke.pdf").write_bytes((reports / "stoke_2021.pdf").read_bytes())
    out = run("ingest", str(reports), index=index).stdout
    assert "replaced 1" in out and "duplicates 1" in out
    after = json.loads(run("stats", "--json", index=index).stdout)
    assert after["documents"] == before["documents"] == 2
    assert after["chunks"] >= before["chunks"]
    assert "fostering recruitment" in run("ask", "fostering recruitment campaign", index=index).stdout


def test_a_report_whose_authority_is_not_recognised_is_named_and_counted(tmp_path, reports):
    index = tmp_path / "ix"
    make_pdf(reports / "report.pdf", nameless_report_pages())
    out = run("ingest", str(reports), index=index).stdout
    assert "added 3, unchanged 0, updated 0," in out
    lines = [line.strip() for line in out.splitlines() if "authority not recognised" in line]
    assert lines == [f"authority not recognised: {(reports / 'report.pdf').resolve()}"]
    stats = json.loads(run("stats", "--json", index=index).stdout)
    assert stats["documents"] == 3 and stats["no_authority"] == 1
    assert stats["by_published_source"] == {"estimated": 3}
    out = run("stats", index=index).stdout
    assert "authorities: 2; reports whose authority was not recognised: 1" in out
    assert "publication dates: estimated 3" in out


def test_bad_files_fail_clearly_and_lose_nothing(tmp_path, reports):
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    good_answer = run("ask", "return home interviews", "--json", index=index).stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "notes.pdf").write_text("this is a text file, not a PDF")
    make_encrypted_pdf(bad / "locked.pdf", sample_report_pages("Locked"))
    make_image_only_pdf(bad / "scanned.pdf")
    (bad / "truncated.pdf").write_bytes((reports / "avonshire_2019.pdf").read_bytes()[:900])
    make_pdf(bad / "fine.pdf", sample_report_pages("Borsetshire", 2022))
    proc = run("ingest", str(bad), index=index, check=False)
    assert proc.returncode == 1
    assert "added 1" in proc.stdout and "failed 5" in proc.stdout
    for name, reason in [("empty.pdf", "empty"), ("notes.pdf", "not a PDF"), ("locked.pdf", "password"),
                         ("scanned.pdf", "no text layer"), ("truncated.pdf", "corrupt")]:
        line = next(line for line in proc.stderr.splitlines() if name in line and "FAILED" in line)
        assert reason in line, line
    assert "Traceback" not in proc.stderr
    after = json.loads(run("ask", "return home interviews", "--json", "--authority", "avonshire",
                           index=index).stdout)
    assert after["results"]
    assert json.loads(good_answer)["results"][0]["text"] in [r["text"] for r in json.loads(
        run("ask", "return home interviews", "--json", "-k", "10", index=index).stdout)["results"]]


@pytest.mark.parametrize("query", ['"unbalanced', "care AND (leavers OR", "NEAR(a b)", "text:care*", "x" * 10000,
                                   "\x01\x02 care", "'; DROP TABLE chunks; --", "🙂"])
def test_strange_queries_never_traceback(tmp_path, reports, query):
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    proc = run("ask", query, index=index, check=False)
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 2)
    assert proc.stdout.strip() or proc.stderr.strip()


def test_usage_errors_are_clear(tmp_path, reports):
    index = tmp_path / "ix"
    proc = run("ask", "anything", index=index, check=False)
    assert proc.returncode == 2 and "no index" in proc.stderr and "ofsted-qa ingest" in proc.stderr
    run("ingest", str(reports), index=index)
    for args, message in [(["--years", "2020-2010"], "empty"), (["--type", "bogus"], "valid"),
                          (["--authority", "Narnia"], "no report"), (["-k", "0"], "k must"),
                          (["--judgement", "care_leavers=great"], "valid: outstanding"),
                          (["--neighbours-of", "Bradfrd"], "did you mean Bradford"),
                          (["--region", "Narnia"], "valid: East Midlands")]:
        proc = run("ask", "care leavers", *args, index=index, check=False)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    proc = run("ask", "care", index=index, check=False, env_extra={"OFSTED_QA_EMBEDDER": "nope"})
    valid = "minilm, minilm-torch, minilm-onnx, minilm-onnx-int8, minilm-numpy, fake"
    assert proc.returncode == 2 and f"unknown embedder 'nope'; valid: {valid}" in proc.stderr
    assert "Traceback" not in proc.stderr
    for args, env in ((["--public-url", "ofsted-qa.council.example"], None),
                      ([], {"OFSTED_QA_PUBLIC_URL": "ftp://x"}), (["--public-url", "https://h/?a=1"], None)):
        proc = run("serve", *args, index=index, check=False, env_extra=env)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "public address" in proc.stderr
        assert ("OFSTED_QA_PUBLIC_URL" in proc.stderr) == bool(env)


def test_ingest_refuses_while_another_holds_the_lock(tmp_path, reports):
    import fcntl

    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    with open(index / "ingest.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.truncate(0)
        handle.write(str(os.getpid()))  # as a live writer does (a dead owner's lock is taken over)
        handle.flush()
        proc = run("ingest", str(reports), index=index, check=False)
    assert proc.returncode == 2 and f"another ingest or remove (pid {os.getpid()})" in proc.stderr


def _many_reports(folder: Path, n: int) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        pages = sample_report_pages(f"Shire{i:02d}", 2015 + i % 10)
        pages = pages + [f"{p}\n{i}. Extra finding number {j} about placement stability for child {i}.\n"
                         for j, p in enumerate(pages * 6)]
        make_pdf(folder / f"shire{i:02d}.pdf", pages)


def _documents(index: Path) -> int:
    try:
        with sqlite3.connect(index / "chunks.sqlite", timeout=5) as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killed_ingest_leaves_a_working_index_and_resumes(tmp_path):
    folder = tmp_path / "many"
    n = 40
    _many_reports(folder, n)
    index = tmp_path / "ix"
    env = dict(os.environ, OFSTED_QA_EMBEDDER="fake", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "ingest", str(folder), "--index", str(index)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and _documents(index) < 1:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _documents(index)
    assert 0 < done < n, f"kill landed outside the run ({done} of {n} documents)"

    stats = json.loads(run("stats", "--json", index=index).stdout)
    assert stats["chunks"] == stats["vectors"]  # SQLite and FAISS agree after reopening
    assert run("ask", "placement stability", index=index).stdout.strip()

    out = run("ingest", str(folder), index=index).stdout
    assert f"added {n - done}, unchanged {done}" in out
    reference = tmp_path / "reference"
    run("ingest", str(folder), index=reference)
    a = json.loads(run("stats", "--json", index=index).stdout)
    b = json.loads(run("stats", "--json", index=reference).stdout)
    assert (a["documents"], a["chunks"], a["vectors"]) == (b["documents"], b["chunks"], b["vectors"])


def _run_in(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI run from `cwd` with no --index and no $OFSTED_QA_INDEX: the default folders, relative to cwd."""
    env = {k: v for k, v in os.environ.items() if k != "OFSTED_QA_INDEX"}
    env.update(OFSTED_QA_EMBEDDER="fake", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_without_an_index_the_demo_index_is_used_and_said(tmp_path, reports):
    proc = _run_in(tmp_path, "ask", "care leavers")
    assert proc.returncode == 2
    assert ("no index at data/index (the default) nor at data/demo-index (make demo's); build one with: "
            "ofsted-qa ingest PDF_DIR") in proc.stderr and "make demo-index" in proc.stderr
    assert _run_in(tmp_path, "pack", "list").stderr == proc.stderr  # the same words for every command

    run("ingest", str(reports), index=tmp_path / "data" / "demo-index")  # what `make demo` builds
    for args in (["ask", "care leavers", "--json"], ["stats", "--json"], ["pack", "list", "--json"]):
        proc = _run_in(tmp_path, *args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines() == ["ofsted-qa: no index at data/index: using the demo index at "
                                            "data/demo-index (choose one with --index DIR)"]
    assert json.loads(_run_in(tmp_path, "stats", "--json").stdout)["documents"] == 2

    # An ingest without --index makes the default index, says so, and from then on it is the one read.
    proc = _run_in(tmp_path, "ingest", str(reports / "avonshire_2019.pdf"))
    assert proc.returncode == 0 and "a new index at data/index" in proc.stderr
    proc = _run_in(tmp_path, "stats", "--json")
    assert json.loads(proc.stdout)["documents"] == 1 and "demo" not in proc.stderr


def test_ingest_prints_progress_lines_when_output_is_not_a_terminal(tmp_path, reports):
    proc = run("ingest", str(reports), index=tmp_path / "ix")  # stderr is a pipe here, as under make or CI
    lines = [line for line in proc.stderr.splitlines() if line.startswith("ingest: ")]
    assert lines[0] == "ingest: loading the embedding model, then checking which files are new"
    assert lines[1] == "ingest: 2 report(s) to read, 6 pages"  # the pages each PDF's page tree gives
    assert lines[2].startswith("ingest: reading avonshire_2019.pdf (3 pages) and embedding its passages")
    assert lines[3].startswith("ingest: 1/2 reports, 3/6 pages (50%), ")  # the first report alone, at once
    assert lines[-2].startswith("ingest: 2/2 reports, 6/6 pages (100%), ") and ", done (last: " in lines[-2]
    assert lines[-1] == "ingest: embedding the corpus vocabulary's new words (the thesaurus)"
    assert not run("ingest", str(reports), "--no-progress", index=tmp_path / "ix2").stderr
    again = run("ingest", str(reports), index=tmp_path / "ix").stderr  # nothing to read: only what it checks
    assert again == "ingest: loading the embedding model, then checking which files are new\n"


def test_the_parser_imports_no_command_before_it_is_chosen():
    code = ("import sys, app.cli; p = app.cli.build_parser(); p.parse_args(['ask', 'q']); "
            "print(sorted(m for m in sys.modules if m.startswith(('eval', 'app.fetch', 'app.ui', 'torch'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stderr
    args = __import__("app.cli").cli.build_parser().parse_args(["bench", "--only", "model", "--limit", "3"])
    assert (args.only, args.limit, args.scale) == ("model", 3, None)  # a chosen command gets its arguments


def test_themes_followup_and_recommendations_only(tmp_path, reports):
    make_pdf(reports / "avonshire_2022.pdf", sample_report_pages("Avonshire", 2022))
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    point = "The timeliness of return home interviews for children who go missing."

    asked = json.loads(run("ask", "return home interviews", "--recommendations", "--json", index=index).stdout)
    assert asked["results"] and {r["citation"]["section"] for r in asked["results"]} == {"What needs to improve"}
    assert "recommendations only" in asked["interpretation"]

    themes = json.loads(run("themes", "--json", index=index).stdout)
    assert themes["n_points"] == 3 and themes["n_reports"] == 3
    examples = [e for t in themes["themes"] for e in t["examples"]]
    assert examples and all(e["text"] == point and e["link"].startswith("file://") for e in examples)
    mine = json.loads(run("themes", "--authority", "Avonshire", "--json", index=index).stdout)
    assert mine["n_points"] == 2 and mine["scope"] == ["Avonshire"]
    printed = run("themes", "--neighbours-of", "Stoke-on-Trent", index=index).stdout
    assert "Stoke-on-Trent and its statistical neighbours" in printed and point in printed

    followed = json.loads(run("followup", "avonshire", "--json", index=index).stdout)
    assert followed["authority"] == "Avonshire" and len(followed["pairs"]) == 1
    first = followed["pairs"][0]["points"][0]
    assert first["point"]["text"] == point and len(first["closest"]) == 2
    assert all("Avonshire" in c["citation_line"] and "2022" in c["citation_line"] for c in first["closest"])
    assert "the reader judges" in run("followup", "Avonshire", index=index).stdout

    bad = run("themes", "--neighbours-of", "Atlantis", index=index, check=False)
    assert bad.returncode == 2 and "is not a local authority" in bad.stderr and "Traceback" not in bad.stderr
    bad = run("followup", "Nowhere", index=index, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    bad = run("themes", "--examples", "0", index=index, check=False)
    assert bad.returncode == 2 and "--examples" in bad.stderr


def test_authority_page_on_the_command_line(tmp_path, reports):
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    page = json.loads(run("authority", "stoke on trent", "--json", index=index).stdout)
    assert page["name"] == "Stoke-on-Trent" and len(page["reports"]) == 1
    assert page["reports"][0]["judgements"]["overall_effectiveness"] == "good"
    assert len(page["neighbours"]) == 10
    printed = run("authority", "Stoke-on-Trent", index=index).stdout
    assert "lead inspector: Alex Example" in printed and "Statistical neighbours" in printed
    bad = run("authority", "Atlantis", index=index, check=False)
    assert bad.returncode == 2 and "not a local authority" in bad.stderr and "Traceback" not in bad.stderr


def test_eval_scores_a_kind_of_its_own_and_a_bad_question_file_is_one_line(tmp_path, reports):
    index = tmp_path / "ix"
    run("ingest", str(reports), index=index)
    question = {"id": "q1", "question": "return home interviews", "kind": "opinion",  # not one of KINDS
                "gold": [{"file": "avonshire_2019.pdf", "page": 3, "quote": QUOTE}]}
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps(question) + "\n", encoding="utf-8")
    scored = run("eval", str(questions), "--filters", "off", index=index)
    assert [line.split()[0] for line in scored.stdout.splitlines()[2:4]] == ["all", "opinion"]

    questions.write_text(json.dumps({**question, "gold": []}) + "\n", encoding="utf-8")
    bad = run("eval", str(questions), index=index, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == f"ofsted-qa: {questions}:1: gold must be a list of 1-6 items"
    missing = run("eval", str(tmp_path / "none.jsonl"), index=index, check=False)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "could not read" in missing.stderr


# -- what the question's words did, and undoing it (in-process, over a searcher that reads) ---------


@pytest.fixture
def reading_cli(tmp_path, monkeypatch):
    """`main` with `ask` searching tests/app/reading_sample.py's index (a fresh copy each time: `ask`
    closes it), and the filters of every search."""
    from app import cli
    from tests.app.reading_sample import reading_sample_index

    seen: list = []
    opened = iter(range(10))
    monkeypatch.setattr(cli, "_open_index",
                        lambda args, **kwargs: reading_sample_index(tmp_path / str(next(opened)), seen))
    return cli.main, seen


def test_ask_prints_each_reading_with_its_undo_and_ignore_reading_reaches_the_search(reading_cli, capsys):
    from tests.app.reading_sample import QUESTION

    main, seen = reading_cli
    assert main(["ask", QUESTION, "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("what the question's words did:\n"
                          "  narrowed: only Wessex (--ignore-reading authority to search without it)\n"
                          "  favoured: favouring 2015 (--ignore-reading year to rank without it)\n"
                          "  corrected: leavres read as leavers (--ignore-reading spelling to search the words "
                          "as typed)\n")
    assert seen[-1].ignore_reading == frozenset()
    assert main(["ask", QUESTION, "--ignore-reading", "authority", "--ignore-reading", "year"]) == 0
    out = capsys.readouterr().out
    assert seen[-1].ignore_reading == frozenset({"authority", "year"})
    assert "  not applied: only Wessex (not applied, as asked)\n  not applied: favouring 2015" in out
    assert main(["ask", QUESTION, "--literal"]) == 0
    assert seen[-1].ignore_reading == frozenset({"all"})
    assert "  the question's words alone (--literal): none of its reading applied" in capsys.readouterr().out


def test_ask_json_has_the_reading_as_data(reading_cli, capsys):
    from tests.app.reading_sample import QUESTION

    main, _ = reading_cli
    assert main(["ask", QUESTION, "--json", "--ignore-reading", "spelling"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reading"][0] == {"kind": "authority", "effect": "narrowed", "label": "only Wessex",
                                  "values": ["Wessex"]}
    assert data["reading"][2]["effect"] == "ignored" and data["ignore_reading"] == ["spelling"]
    assert {r["citation"]["local_authority"] for r in data["results"]} == {"Wessex"}


def test_a_bad_reading_kind_lists_the_valid_ones_and_literal_excludes_ignore_reading(capsys):
    from app import cli

    with pytest.raises(SystemExit) as stop:
        cli.build_parser().parse_args(["ask", "q", "--ignore-reading", "colour"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'colour'" in err and "'authority', 'region', 'neighbours', 'year'" in err
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["ask", "q", "--literal", "--ignore-reading", "year"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_one_shot_commands_run_without_the_cyclic_collector_and_the_console_freezes_after_them(monkeypatch):
    import gc

    from app import cli

    collecting: dict[str, bool] = {}
    for name in ("stats", "ingest"):
        monkeypatch.setattr(cli, f"cmd_{name}", lambda args, name=name: collecting.setdefault(name, gc.isenabled())
                            and 0)
    frozen: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(cli._last_command))
    assert gc.isenabled()
    for argv in (["stats"], ["ingest", "report.pdf"]):
        monkeypatch.setattr(sys, "argv", ["ofsted-qa", *argv])
        assert cli.console_main() == 0
        assert gc.isenabled()  # left as it was found
    assert collecting == {"stats": False, "ingest": True}  # a long-lived command keeps collecting
    assert frozen == ["stats"]  # only after the one-shot command
    gc.disable()
    try:
        cli.main(["ingest", "report.pdf"])
        assert not gc.isenabled()  # a caller's choice stands
    finally:
        gc.enable()
