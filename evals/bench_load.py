"""Load on ``whosaid serve``: concurrent clients on 127.0.0.1; errors, latency and throughput.

Phase 1: ``--clients`` threads ask questions back to back for ``--seconds`` against a server
whose rate limit is out of the way; every answer must be a 200. Printed: requests, errors by
status, p50 / p95 / max latency and throughput. Phase 2: the same clients against a server
with a low rate limit (``--limit`` per minute, burst ``--burst``): the excess must get 429 with
``Retry-After``, never a 5xx.

The corpus is the seeds, ingested once with the configured (real) models into
``evals/out/load/seeds`` (git-ignored); the questions are generated from that index
(``bench_questions.question_mix``: who said, what did, general, claim checks, unanswerable).

    python evals/bench_load.py                       # 16 clients x 30 s, then the rate-limit phase
    python evals/bench_load.py --clients 4 --seconds 5 --json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `evals` and `bot` import from the checkout

from evals.bench_questions import build, percentile, question_mix  # noqa: E402

OUT = ROOT / "evals" / "out" / "load"


@dataclass
class LoadResult:
    """What the clients saw: one (status, seconds, retry_after) per request, and the wall time."""

    calls: list[tuple[int, float, str | None]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Requests, statuses, errors (5xx and transport failures), latency percentiles, throughput."""
        statuses = Counter(status for status, _, _ in self.calls)
        ok = [s * 1000 for status, s, _ in self.calls if status == 200]
        return {
            "requests": len(self.calls),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors": sum(n for status, n in statuses.items() if status >= 500 or status == 0),
            "p50_ms": round(percentile(ok, 0.5), 1) if ok else None,
            "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
            "max_ms": round(max(ok), 1) if ok else None,
            "answers_per_s": round(len(ok) / self.seconds, 2) if self.seconds else 0.0,
            "retry_after_missing": sum(1 for status, _, retry in self.calls if status == 429 and not retry),
        }


def run_load(url: str, questions: list[tuple[str, str]], *, clients: int, seconds: float) -> LoadResult:
    """``clients`` threads asking (mode, question) pairs in turn until ``seconds`` have passed."""
    import httpx

    result = LoadResult()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            n = offset
            while time.monotonic() < deadline:
                mode, question = questions[n % len(questions)]
                n += 1
                body = {"claim": question} if mode == "check" else {"question": question}
                started = time.perf_counter()
                try:
                    response = http.post(f"/v1/{mode}", json=body)
                    call = (response.status_code, time.perf_counter() - started, response.headers.get("Retry-After"))
                except httpx.HTTPError:
                    call = (0, time.perf_counter() - started, None)  # refused, reset or timed out
                with lock:
                    result.calls.append(call)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """``whosaid serve`` as a child process on a free loopback port, stopped on exit."""

    def __init__(self, data_dir: Path, log: Path, **settings: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WHOSAID_")}
        env.update({f"WHOSAID_{k.upper()}": v for k, v in settings.items()}, WHOSAID_DATA_DIR=str(data_dir))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdout=log_file, stderr=log_file, stdin=subprocess.DEVNULL,
            )
        self._wait_ready(log)

    def _wait_ready(self, log: Path) -> None:
        import httpx

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"whosaid serve did not become ready: {log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        """Stop as Ctrl-C would; kill after 20 s."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def main() -> None:
    """Build the seeds index once, run both phases, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--limit", type=int, default=30, help="rate limit per minute in phase 2")
    parser.add_argument("--burst", type=int, default=10, help="rate-limit burst in phase 2")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    from bot.config import Settings
    from bot.service import Whosaid

    data_dir = OUT / "seeds"
    built = build("seeds", data_dir)
    records_only = Whosaid(Settings(data_dir=data_dir))  # reads the records; the server owns Chroma
    questions = [(mode, question) for _, mode, question in question_mix(records_only, per_route=6)]
    records_only.records.engine.dispose()
    figures: dict[str, Any] = {"corpus": built, "clients": args.clients, "seconds": args.seconds,
                               "questions": len(questions), "cpus": os.cpu_count()}
    with Serve(data_dir, OUT / "serve.log", rate_limit_per_minute="1000000", rate_limit_burst="100000") as server:
        figures["load"] = run_load(server.url, questions, clients=args.clients, seconds=args.seconds).summary()
    with Serve(data_dir, OUT / "serve-limited.log", rate_limit_per_minute=str(args.limit),
               rate_limit_burst=str(args.burst)) as server:
        limited = run_load(server.url, questions, clients=args.clients, seconds=min(args.seconds, 10.0))
        figures["rate_limited"] = {"limit_per_minute": args.limit, "burst": args.burst, **limited.summary()}
    print(json.dumps(figures, indent=1) if args.json else report(figures))
    if problems := failures(figures):
        raise SystemExit("FAILED: " + "; ".join(problems))


def failures(figures: dict[str, Any]) -> list[str]:
    """What the service must survive and did not: any non-200 under load, anything but 200/429 when limited."""
    load, limited = figures["load"], figures["rate_limited"]
    problems = []
    if set(load["statuses"]) != {"200"}:
        problems.append(f"under load, statuses {load['statuses']} (all must be 200)")
    if not set(limited["statuses"]) <= {"200", "429"} or limited["retry_after_missing"]:
        problems.append(f"rate-limited, statuses {limited['statuses']}, "
                        f"{limited['retry_after_missing']} 429s without Retry-After")
    return problems


def report(figures: dict[str, Any]) -> str:
    """The figures as a few lines of text."""
    load, limited = figures["load"], figures["rate_limited"]
    return "\n".join([
        f"corpus: {figures['corpus']['articles']} articles, {figures['corpus']['chunks']} passages, "
        f"{figures['corpus']['claims']} claims; {figures['questions']} questions; {figures['cpus']} CPUs",
        f"load: {figures['clients']} clients x {figures['seconds']:.0f} s: {load['requests']} requests, "
        f"statuses {load['statuses']}, errors {load['errors']}; p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
        f"max {load['max_ms']} ms; {load['answers_per_s']} answers/s",
        f"rate limit {limited['limit_per_minute']}/min (burst {limited['burst']}): {limited['requests']} requests, "
        f"statuses {limited['statuses']}, errors {limited['errors']}, 429 without Retry-After "
        f"{limited['retry_after_missing']}",
    ])


if __name__ == "__main__":
    main()
