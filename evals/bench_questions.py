"""Question latency and start-up time against the physical floor, measured in one run.

Corpora: (a) the seeds, (b) all 840 PolNeAR train articles (read in place from
../shared/polnear, never copied). Each is ingested once through ``Whosaid.ingest`` into
``evals/out/questions/<corpus>`` (git-ignored) and reused by later runs.

Per question (after start-up and warm-up): ``Whosaid.ask`` end to end, extractive composer,
over a mix generated from the index itself (who said <claim content>?, what did <speaker> say
(about <topic>)?, general questions, claim checks, unanswerable questions). Floor: embedding the
same question once plus one Chroma query (k=20) on the claim collection the chain searches
first: work no answer can avoid. Printed: p50, p95, mean per route and overall, and p50 / floor.

Start-up: median wall time of a fresh ``whosaid ask QUESTION`` process against a fresh process
that does only the floor's work (start Python, load the configured query embedder, open Chroma,
embed the question, one query) and, for reference, ``python -c pass``.

    python evals/bench_questions.py                  # both corpora (builds them on first use)
    python evals/bench_questions.py --corpus seeds --json
    python evals/bench_questions.py --build-only     # just ingest, e.g. in the background
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_TRAIN = ROOT.parent / "shared" / "polnear" / "train" / "text"
OUT = ROOT / "evals" / "out" / "questions"


def corpus_files(name: str) -> list[Path]:
    """The files of a corpus: the seeds, or every PolNeAR train article (read in place)."""
    if name == "seeds":
        return sorted((ROOT / "seeds").glob("*.txt"))
    if not POLNEAR_TRAIN.is_dir():
        raise SystemExit(f"PolNeAR train not found at {POLNEAR_TRAIN}")
    return sorted(POLNEAR_TRAIN.glob("*.txt"))


def disk_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(name: str, data_dir: Path) -> dict[str, Any]:
    """Ingest a corpus into ``data_dir`` once; later calls reuse it and return the same record."""
    from bot.config import Settings
    from bot.service import Whosaid

    marker = data_dir / "built.json"
    files = corpus_files(name)
    if marker.exists():
        built: dict[str, Any] = json.loads(marker.read_text())
        if built.get("files") == len(files):
            return built
    shutil.rmtree(data_dir, ignore_errors=True)  # a half-built or different corpus
    service = Whosaid(Settings(data_dir=data_dir))
    started = time.perf_counter()
    report = service.ingest(files)
    seconds = time.perf_counter() - started
    built = {"corpus": name, "files": len(files), **service.records.counts(), "ingest_seconds": round(seconds, 1),
             "failed": report.failed, "disk_bytes": disk_bytes(data_dir)}
    marker.write_text(json.dumps(built, indent=1))
    return built


# Questions about things no source covers: fictional names and topics (near misses included).
UNANSWERABLE = [
    ("ask", "What did Zorbel Quintavane say about the lunar wheat harvest?"),
    ("ask", "Who said that the penguin parliament banned umbrellas in Lisbon?"),
    ("ask", "What is the best recipe for sourdough bread?"),
    ("ask", "Who claimed that the Marsh Valley orchestra will tour Saturn next spring?"),
    ("check", "The city of Quillport elected a parrot as mayor in 1803"),
    ("ask", "What did the Minister of Underwater Tennis announce about the new stadium?"),
]


def _content_words(text: str, rng: Any, n: int) -> str:
    words = [w.strip(".,;:!?\"'“”‘’()") for w in text.split()]
    words = [w for w in words if len(w) > 3 and w.isalpha()]
    if len(words) <= n:
        return " ".join(words)
    start = rng.randrange(len(words) - n)
    return " ".join(words[start : start + n])


def question_mix(service: Any, *, per_route: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(route, mode, question) generated from the index: its claims, speakers and passages."""
    import random

    rng = random.Random(seed)
    claims = [c for c in service.records.claims() if 4 <= len(c.content.split()) <= 30]
    said = [c for c in claims if c.speaker]
    chunks = [text for _, text, _ in service.records.iter_chunk_texts()]
    mix: list[tuple[str, str, str]] = []
    for _ in range(per_route):
        claim = rng.choice(said)
        mix.append(("who_said", "ask", f"Who said that {claim.content.strip().rstrip('.')}?"))
        claim = rng.choice(said)
        mix.append(("what_did_about", "ask",
                    f"What did {claim.speaker} say about {_content_words(claim.content, rng, 3)}?"))
        mix.append(("what_did", "ask", f"What did {rng.choice(said).speaker} say?"))
        mix.append(("general", "ask", f"What is known about {_content_words(rng.choice(chunks), rng, 5)}?"))
        mix.append(("check", "check", rng.choice(claims).content.strip().rstrip(".")))
    for i in range(per_route):
        mode, question = UNANSWERABLE[i % len(UNANSWERABLE)]
        mix.append(("unanswerable", mode, question))
    rng.shuffle(mix)
    return mix


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(ms: list[float]) -> dict[str, float]:
    """p50, p95, mean and n of milliseconds."""
    return {"n": len(ms), "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95), "mean": sum(ms) / len(ms)}


def time_questions(data_dir: Path, *, per_route: int, rounds: int) -> dict[str, Any]:
    """Ask the mix after warm-up, each question next to its floor (embed it + one Chroma query)."""
    from bot.config import Settings
    from bot.service import Whosaid

    service = Whosaid(Settings(data_dir=data_dir))
    return time_mix(service, question_mix(service, per_route=per_route), rounds=rounds)


def time_mix(service: Any, mix: list[tuple[str, str, str]], *, rounds: int) -> dict[str, Any]:
    """Ask a given mix after warm-up, each question next to its floor; the figures of ``time_questions``."""
    # Not getattr(..., service.embedder): that default is evaluated, loading the ingest model (torch).
    embedder = service.query_embedder if hasattr(type(service), "query_embedder") else service.embedder
    forget = getattr(embedder, "clear", None)
    embedder = getattr(embedder, "inner", embedder)  # uncached: the floor must not warm the answer's cache
    if hasattr(service, "warm_up"):
        service.warm_up()  # what a server does before it takes questions
    for route in dict.fromkeys(r for r, _, _ in mix):  # warm-up: one question per route, untimed
        _, mode, question = next(item for item in mix if item[0] == route)
        service.ask(question, mode=mode)
    asked: dict[str, list[float]] = {}
    floor: list[float] = []
    abstained: dict[str, int] = {}
    for _ in range(rounds):
        for route, mode, question in mix:
            started = time.perf_counter()
            vector = embedder.embed([question])[0]
            service.claim_vectors.query(vector, k=20)
            floor.append((time.perf_counter() - started) * 1000)
            if forget is not None:
                forget()  # every question as if new: a repeat must not answer from the vector cache
            started = time.perf_counter()
            answer = service.ask(question, mode=mode)
            asked.setdefault(route, []).append((time.perf_counter() - started) * 1000)
            abstained[route] = abstained.get(route, 0) + answer.abstained
    every = [ms for values in asked.values() for ms in values]
    return {
        "questions": len(mix), "rounds": rounds, "all": summary(every), "floor": summary(floor),
        "routes": {route: {**summary(ms), "abstained": abstained[route] / len(ms)} for route, ms in asked.items()},
        "ratio_p50": percentile(every, 0.5) / percentile(floor, 0.5),
    }


# The floor of a one-question process: start Python, load the query embedder, open Chroma,
# embed the question and run one query; nothing a process that answers could skip.
FLOOR_PROCESS = """
import sys
from pathlib import Path
from bot.config import Settings
from bot.index.embedder import create_embedder
from bot.index.vectors import ChromaVectorStore, create_chroma_client
settings = Settings(data_dir=Path(sys.argv[1]))
try:
    from bot.index.embedder import create_query_embedder
    embedder = create_query_embedder(settings)
except ImportError:
    embedder = create_embedder(settings)
store = ChromaVectorStore(create_chroma_client(settings), "whosaid_claims", model=embedder.name)
store.query(embedder.embed([sys.argv[2]])[0], k=20)
"""


def _wall(command: list[str]) -> float:
    import subprocess

    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def time_startup(data_dir: Path, question: str, *, runs: int) -> dict[str, Any]:
    """Median wall seconds of a fresh ``whosaid ask``, of the floor process and of ``python -c pass``."""
    import statistics
    import sys

    commands = {
        "whosaid_ask": [sys.executable, "-m", "bot", "ask", question, "--data-dir", str(data_dir)],
        "floor": [sys.executable, "-c", FLOOR_PROCESS, str(data_dir), question],
        "python": [sys.executable, "-c", "pass"],
    }
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a busy moment of the machine hits every command alike
        for name, command in commands.items():
            seconds[name].append(_wall(command))
    result: dict[str, Any] = {name: statistics.median(values) for name, values in seconds.items()}
    result["runs"] = runs
    result["ratio"] = result["whosaid_ask"] / result["floor"]
    return result


def report(name: str, built: dict[str, Any], timed: dict[str, Any] | None, startup: dict[str, Any] | None) -> None:
    """Print one corpus's figures."""
    print(f"\n== {name}: {built['articles']} articles, {built['chunks']} chunks, {built['claims']} claims "
          f"(ingested in {built['ingest_seconds']:.0f} s, {built['disk_bytes'] / 1e6:.0f} MB on disk)")
    if timed:
        print(f"{'route':<16}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'abstained':>11}")
        for route, s in sorted(timed["routes"].items()):
            print(f"{route:<16}{s['n']:>5}{s['p50']:>9.1f}{s['p95']:>9.1f}{s['mean']:>9.1f}{s['abstained']:>10.0%}")
        for label, s in (("all questions", timed["all"]), ("floor", timed["floor"])):
            print(f"{label:<16}{s['n']:>5}{s['p50']:>9.1f}{s['p95']:>9.1f}{s['mean']:>9.1f}")
        print(f"ratio: p50 {timed['ratio_p50']:.2f}x the floor (target <= 3x); "
              f"p50 {timed['all']['p50']:.1f} ms (target <= 50 ms)")
    if startup:
        print(f"start-up (median of {startup['runs']}): whosaid ask {startup['whosaid_ask']:.2f} s, "
              f"floor process {startup['floor']:.2f} s ({startup['ratio']:.2f}x), "
              f"python -c pass {startup['python']:.2f} s (target < 5 s)")


def main() -> None:
    """Build or reuse the indexes, then time questions and start-up and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["seeds", "polnear", "both"], default="both")
    parser.add_argument("--data-dir", type=Path, default=OUT, help="Where the indexes are built and reused.")
    parser.add_argument("--per-route", type=int, default=10, help="Generated questions per route.")
    parser.add_argument("--rounds", type=int, default=3, help="Times the whole mix is asked.")
    parser.add_argument("--startup-runs", type=int, default=5, help="Fresh processes per command (0: skip).")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--json", action="store_true", help="Print one JSON document instead of tables.")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    for name in (["seeds", "polnear"] if args.corpus == "both" else [args.corpus]):
        data_dir = args.data_dir / name
        built = build(name, data_dir)
        timed = startup = None
        if not args.build_only:
            timed = time_questions(data_dir, per_route=args.per_route, rounds=args.rounds)
            if args.startup_runs:
                startup = time_startup(data_dir, "What did Peskov say about sanctions?", runs=args.startup_runs)
        results[name] = {"index": built, "questions": timed, "startup": startup}
        if not args.json:
            report(name, built, timed, startup)
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
