"""Warm end-to-end query latency through the running web app (gradio_client -> server -> search).

    python -m eval.app_latency --index data/full-index [--questions eval/questions.jsonl] [--rounds 2]

Starts the app on 127.0.0.1 on a free port (as `ofsted-qa serve` does), warms it with one query,
then times every question through the app's `/search` API and prints p50 and p95 in ms.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time

from eval.matching import load_questions
from eval.run import percentile


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", default="eval/questions.jsonl")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    import uvicorn
    from gradio_client import Client

    from app.ui import create_app, load_index

    index = load_index(args.index)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(index, index_dir=args.index), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False, download_files=False)
        questions = load_questions(args.questions)
        client.predict(questions[0]["question"], [], None, None, [], [], 10, api_name="/search")  # warm
        timings = []
        for _ in range(args.rounds):
            for q in questions:
                f = q.get("filters") or {}
                authorities = [f["local_authority"]] if f.get("local_authority") else []
                year = f.get("year")
                started = time.perf_counter()
                client.predict(q["question"], authorities, year, year, [], [], 10, api_name="/search")
                timings.append((time.perf_counter() - started) * 1000)
        from eval.measure import peak_rss_mb

        print(f"{len(timings)} queries through the app: p50 {percentile(timings, 0.5):.0f} ms, "
              f"p95 {percentile(timings, 0.95):.0f} ms, mean {statistics.fmean(timings):.0f} ms; "
              f"server process peak RSS {peak_rss_mb()} MB")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        index.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
