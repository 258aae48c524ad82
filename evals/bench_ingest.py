"""Ingest speed against the physical floor, both measured end to end in fresh processes, in one run.

Floor: a fresh Python that imports sentence-transformers, loads the same embedding model and
encodes the same chunk texts once (the same chunking, groups and batch size), and nothing else.
Measured: ``whosaid ingest --json FOLDER`` on an empty data directory, from process start to
exit: imports, reading, chunking, attribution, embedding of chunks and claims, Chroma and SQL
writes. Also printed: the ratio to a floor that encodes the claim texts once as well (the
ingest's own embedding work, which the strict floor leaves out). The two alternate for
``--rounds`` rounds so that a slower spell of a shared machine hits both; the medians and their
ratio are printed, with the ingest's own time itemised.

    python evals/bench_ingest.py                      # seeds + PolNeAR train (first 100)
    python evals/bench_ingest.py --polnear-limit 840  # all of PolNeAR train
    python evals/bench_ingest.py --workers 1          # attribution in the ingesting process only
    python evals/bench_ingest.py --no-extract         # without attribution
    python evals/bench_ingest.py --engine hybrid      # another attribution engine
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLNEAR_TRAIN = ROOT.parent / "shared" / "polnear" / "train" / "text"
WHOSAID = Path(sys.executable).with_name("whosaid")

# The floor, run as its own process: chunk texts arrive in a file, so that it does no chunking.
# With a second file it also encodes those texts (the claims), timed apart.
FLOOR = """
import json, sys, time
from bot.index.embedder import SentenceTransformerEmbedder
texts = json.load(open(sys.argv[1]))
group = int(sys.argv[3])
embedder = SentenceTransformerEmbedder(batch_size=int(sys.argv[2]))
embedder.embed(texts[:1])
loaded = time.perf_counter()
for i in range(0, len(texts), group):
    embedder.embed(texts[i : i + group])
encoded = time.perf_counter()
extra = json.load(open(sys.argv[4])) if len(sys.argv) > 4 else []
for i in range(0, len(extra), 2 * group):
    embedder.embed(extra[i : i + 2 * group])
print(json.dumps({"encode": encoded - loaded, "extra": time.perf_counter() - encoded}))
"""


def corpus_files(limit: int) -> list[Path]:
    """The seeds, plus PolNeAR train articles read in place (never copied into the project)."""
    files = sorted((ROOT / "seeds").glob("*.txt"))
    if POLNEAR_TRAIN.is_dir():
        files += sorted(POLNEAR_TRAIN.glob("*.txt"))[:limit]
    return files


def chunk_texts(files: list[Path]) -> list[str]:
    """Every chunk text of the corpus, as the ingest cuts it."""
    from bot.config import Settings
    from bot.ingest.chunking import chunk_text

    settings = Settings()
    return [
        chunk.text
        for path in files
        for chunk in chunk_text(
            path.read_text(encoding="utf-8"), article_id="x", max_chars=settings.chunk_max_chars,
            overlap=settings.chunk_overlap_sentences,
        )
    ]


def claim_texts(data_dir: Path) -> list[str]:
    """The text the ingest embedded for each claim it stored in ``data_dir``."""
    from bot.config import Settings
    from bot.index.records import RecordStore
    from bot.ingest.pipeline import claim_text

    return [claim_text(c) for c in RecordStore(Settings(data_dir=data_dir).resolved_database_url).claims()]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """(wall seconds from process start to exit, the JSON the process printed last)."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{command[1]} failed: {done.stderr.strip()[-2000:]}")
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Rounds:
    """What each round measured: floors, their encoding share, ingests and their reports."""

    floors: list[float] = field(default_factory=list)
    encodes: list[float] = field(default_factory=list)
    ingests: list[float] = field(default_factory=list)
    with_claims: list[float] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)


def run_rounds(files: list[Path], texts: list[str], env: dict[str, str], *, rounds: int, claims: bool) -> Rounds:
    """Alternate the floor, the ingest and (with ``claims``) the floor with the claim texts."""
    from bot.config import Settings
    from bot.ingest.pipeline import GROUP_CHUNKS

    done = Rounds()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"  # a scratch copy outside the project (ingest skips symlinks)
        corpus.mkdir()
        for i, path in enumerate(files):
            shutil.copyfile(path, corpus / f"{i:05d}-{path.name}")
        chunks_file, claims_file = Path(tmp) / "chunks.json", Path(tmp) / "claims.json"
        chunks_file.write_text(json.dumps(texts), encoding="utf-8")
        batch = str(Settings().embedding_batch_size)
        floor = [sys.executable, "-c", FLOOR, str(chunks_file), batch, str(GROUP_CHUNKS)]
        for round_ in range(rounds):
            seconds, out = timed(floor, env)
            done.floors.append(seconds)
            done.encodes.append(float(out["encode"]))
            data = Path(tmp) / f"data{round_}"
            ingest = [str(WHOSAID), "ingest", "--json", str(corpus)]
            seconds, report = timed(ingest, {**env, "WHOSAID_DATA_DIR": str(data)})
            done.ingests.append(seconds)
            done.reports.append(report)
            line = f"round {round_ + 1}: floor {done.floors[-1]:6.2f} s, ingest {done.ingests[-1]:6.2f} s"
            if claims:  # the floor again, encoding the claim texts as well
                claims_file.write_text(json.dumps(claim_texts(data)), encoding="utf-8")
                done.with_claims.append(timed([*floor, str(claims_file)], env)[0])
                line += f", floor with the claims {done.with_claims[-1]:6.2f} s"
            print(line, flush=True)
    return done


def print_summary(done: Rounds, *, files: int, chunks: int, extraction: bool, engine: str) -> None:
    """Medians, ratios, and the median ingest itemised."""
    from bot.config import Settings

    middle = done.ingests.index(statistics.median_low(done.ingests))
    report = done.reports[middle]
    floor_s, ingest_s, encode_s = (statistics.median(x) for x in (done.floors, done.ingests, done.encodes))
    assert report["chunks"] == chunks, (report["chunks"], chunks)
    print(f"files: {files}  chunks: {chunks}  claims: {report['claims']}  extraction: {extraction}  "
          f"engine: {engine}  "
          f"batch size: {Settings().embedding_batch_size}  cores: {os.cpu_count()}")
    print(f"floor  : {floor_s:6.2f} s  (start-up and model load {floor_s - encode_s:5.2f} s, encode {encode_s:6.2f} s)")
    print(f"ingest : {ingest_s:6.2f} s  ({chunks / ingest_s:5.1f} chunks/s end to end)")
    print(f"ratio  : {ingest_s / floor_s:.2f}x the floor (median of {len(done.floors)} rounds each)")
    if done.with_claims:
        claims_s = statistics.median(done.with_claims)
        print(f"         {ingest_s / claims_s:.2f}x a floor that encodes the {report['claims']} claim texts"
              f" once as well ({claims_s:.2f} s)")
    phases: dict[str, float] = report["phases"]
    steps = {"start-up (imports, stores)": done.ingests[middle] - report["seconds"], **phases}
    steps["other (sweeps, grouping)"] = report["seconds"] - sum(phases.values())
    print("ingest itemised (its median run):")
    for name, step in steps.items():
        print(f"  {name:28s} {step:6.2f} s")


def main() -> None:
    """Alternate floor and ingest runs on the same files and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear-limit", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None, help="attribution processes (default: one per core)")
    parser.add_argument("--no-extract", action="store_true")
    parser.add_argument("--engine", choices=["rules", "model", "hybrid"], default=None,
                        help="the attribution engine (default: WHOSAID_ATTRIBUTION, else the configured default)")
    args = parser.parse_args()

    files = corpus_files(args.polnear_limit)
    texts = chunk_texts(files)
    env = dict(os.environ)  # WHOSAID_EMBEDDING_BATCH_SIZE and the like reach both sides
    env["WHOSAID_EXTRACT_CLAIMS"] = "false" if args.no_extract else "true"
    if args.workers is not None:
        env["WHOSAID_INGEST_WORKERS"] = str(args.workers)
    if args.engine is not None:
        env["WHOSAID_ATTRIBUTION"] = args.engine
    done = run_rounds(files, texts, env, rounds=args.rounds, claims=not args.no_extract)
    from bot.config import Settings

    engine = env.get("WHOSAID_ATTRIBUTION") or Settings().attribution
    print_summary(done, files=len(files), chunks=len(texts), extraction=not args.no_extract, engine=engine)


if __name__ == "__main__":
    main()
