"""Measuring helpers shared by `ofsted-qa bench` (eval/bench.py) and the scale benchmark (eval/scale.py):
the machine, peak memory, child processes, the query workload and its latency, and printing figures."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from eval.run import percentile

QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
# Rotating filters for the second round of queries, so filtered search is measured too.
EXTRA_FILTERS = ({"years": "2015-2019"}, {"report_type": ["ilacs_standard"]}, {"grade": ["requires improvement"]},
                 {"years": "2018-2024", "report_type": ["ilacs_standard", "ilacs_short"]})


def machine() -> dict:
    """Cores, CPU model, memory, Python: what the figures were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started, in MB.

    VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across fork and exec, so a child
    started by a large parent would report the parent's peak as its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def query_workload(questions_path: str | Path, rounds: int = 2) -> list[tuple[str, dict]]:
    """(question, filter kwargs): round one with each question's own filters, then rotating filters."""
    from eval.matching import load_questions

    questions = load_questions(str(questions_path))
    work: list[tuple[str, dict]] = []
    for r in range(rounds):
        for i, q in enumerate(questions):
            if r == 0:
                f = q.get("filters") or {}
                kwargs = {"authority": [f["local_authority"]] if f.get("local_authority") else None,
                          "year": f.get("year")}
            else:
                kwargs = dict(EXTRA_FILTERS[(i + r) % len(EXTRA_FILTERS)])
            work.append((q["question"], kwargs))
    return work


def query_latency(index, workload: list[tuple[str, dict]], k: int = 10, retriever: str = "hybrid") -> dict:
    """Warm latency of index.search per query (query embedding included), after a warm-up."""
    from index.search import QueryError, SearchFilters

    index.searcher.warm()  # as the server does at start
    for question, _ in workload[:5]:
        index.search(question, None, k=k, retriever=retriever)
    timings, errors = [], 0
    for question, kwargs in workload:
        started = time.perf_counter()
        try:
            index.search(question, SearchFilters.build(**kwargs), k=k, retriever=retriever)
        except QueryError:  # e.g. an authority not in a subset index
            errors += 1
            continue
        timings.append((time.perf_counter() - started) * 1000)
    return {"queries": len(timings), "skipped": errors, "retriever": retriever, "k": k,
            "p50_ms": round(percentile(timings, 0.5), 1), "p95_ms": round(percentile(timings, 0.95), 1),
            "mean_ms": round(statistics.fmean(timings), 1) if timings else 0.0}


def run_child(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run a child process to the end; (exit status, stdout, stderr). Children report their own memory."""
    proc = subprocess.run(args, capture_output=True, text=True, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def show(name: str, data: dict) -> None:
    """Print one item's figures, a line each."""
    print(f"== {name}")
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        print(f"   {key}: {value}")
    sys.stdout.flush()
